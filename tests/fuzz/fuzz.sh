#!/bin/sh
# fuzz.sh - make check: a short libFuzzer run over the agent protocol parser
# (FUZZ_RUNS inputs from a fixed seed, so that CI is repeatable; default
# 600000, about 20 s).  Skips (77) only without clang/libFuzzer; a longer,
# randomly seeded run is `make fuzz` or tests/fuzz/run.sh SECONDS.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
out=$(mktemp -d "${TMPDIR:-/tmp}/vfiomigtop-fuzz-check.XXXXXX")
trap 'rm -rf "$out"' EXIT
FUZZ_RUNS=${FUZZ_RUNS:-600000} FUZZ_SEED=${FUZZ_SEED:-1} \
	sh "$top_srcdir/tests/fuzz/run.sh" 600 "$out" >"$out/log" 2>&1
rc=$?
case $rc in
0) grep -E '^(Done|stat::number_of_executed_units)' "$out/log"; echo "PASS: no crash" ;;
77) grep '^SKIP' "$out/log" ;;
*) tail -n 60 "$out/log"; for f in "$out"/crash-* "$out"/leak-* "$out"/timeout-*; do
	[ -e "$f" ] && { echo "reproducer $f:"; od -c "$f" | head -20; }
   done ;;
esac
exit $rc
