#!/bin/sh
# Build the protocol fuzzer (libFuzzer, clang) and run it.
#   tests/fuzz/run.sh [SECONDS [WORKDIR]]     default 600 s, a temporary WORKDIR
# The seed corpus (tests/fuzz/corpus) is copied, never modified; new inputs
# and any crash-* reproducer stay in WORKDIR.  Exit status: 0 when nothing
# was found, 77 when clang/libFuzzer is missing, else libFuzzer's.
# Reproduce a crash: WORKDIR/fuzz_proto WORKDIR/crash-...
set -eu
# shellcheck disable=SC2086
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
secs=${1:-600}
work=${2:-}
CLANG=${CLANG:-clang}
if [ -z "$work" ]; then
	work=$(mktemp -d "${TMPDIR:-/tmp}/vfiomigtop-fuzz.XXXXXX")
	trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work/corpus"
command -v "$CLANG" >/dev/null 2>&1 ||
	{ echo "SKIP: $CLANG not found (apt-get install clang libclang-rt-14-dev)"; exit 77; }
jansson=$(pkg-config --cflags --libs jansson 2>/dev/null) ||
	{ echo "SKIP: jansson not found by pkg-config"; exit 77; }
# libFuzzer comes with clang's runtime (Debian: libclang-rt-14-dev).
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' >"$work/probe.c"
"$CLANG" -fsanitize=fuzzer "$work/probe.c" -o "$work/probe" >/dev/null 2>&1 ||
	{ echo "SKIP: $CLANG cannot build a libFuzzer target (apt-get install libclang-rt-14-dev)"; exit 77; }
# shellcheck disable=SC2086
"$CLANG" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-I"$top/src" "$here/fuzz_proto.c" "$top/src/proto.c" "$top/src/obuf.c" \
	"$top/src/dstate.c" "$top/src/fsm.c" "$top/src/src_agent_spec.c" \
	"$top/src/hexdigit.c" \
	$jansson -o "$work/fuzz_proto"
cp "$here"/corpus/* "$work/corpus/"
echo "fuzzing the agent protocol for $secs s in $work"
cd "$work"
# FUZZ_RUNS (with FUZZ_SEED) makes a run repeatable, as make check wants.
if [ -n "${FUZZ_RUNS:-}" ]; then
	limit="-runs=$FUZZ_RUNS -seed=${FUZZ_SEED:-1}"
else
	limit="-max_total_time=$secs -seed=${FUZZ_SEED:-0}"
fi
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
exec ./fuzz_proto $limit -max_len=4096 -timeout=10 \
	-error_exitcode=1 -timeout_exitcode=1 \
	-rss_limit_mb=2048 -print_final_stats=1 -dict="$here/proto.dict" \
	corpus
