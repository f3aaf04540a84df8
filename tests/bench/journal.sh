#!/bin/bash
# Benchmark of the journal (doc/performance.md): what -w adds to a
# refresh, how many bytes a refresh takes, how fast -r replays.
# On generated trees of 1, 64, 1024 and 4096 devices on tmpfs, three cases:
#   idle    one tree (--src), nothing changes: the common case for months;
#   paired  --src and --dst with the same names, nothing changes;
#   open    paired, every pair in a migration (source PRE_COPY, destination
#           RESUMING): the model reads every device's seen_ns, so the
#           journal records it at every refresh (the worst case).
# Usage: tests/bench/journal.sh [BUILDDIR]   (default _build)
# Environment: SIZES="1 64 1024 4096", REFRESHES=200, INTERVAL_MS=10
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/_build}
bin=$build/src/vfiomigtop
sizes=${SIZES:-1 64 1024 4096}
R=${REFRESHES:-200}
iv=${INTERVAL_MS:-10}
command -v /usr/bin/time >/dev/null || { echo "bench: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }
[ -x "$bin" ] || { echo "bench: build first ($bin missing)" >&2; exit 1; }
work=$(mktemp -d /dev/shm/vfiomigtop-bench-journal.XXXXXX)
trap 'rm -rf "$work"' EXIT
d=$(awk -v m="$iv" 'BEGIN { printf "%.3f", m / 1000 }')

gen() {	# gen DIR N STATE
	mkdir -p "$1"
	for ((i = 0; i < $2; i++)); do
		p=$(printf '%s/0000:%02x:%02x.%d' "$1" $((i / 256)) $((i % 256 / 8)) $((i % 8)))
		mkdir -p "$p/migration"
		echo "$3" >"$p/migration/state"
	done
}

# cpu ARGS...: CPU ms per refresh of vfiomigtop -b -n R ARGS.
cpu() {
	/usr/bin/time -f '%U %S' -o "$work/t" "$bin" -b -n "$R" -d "$d" "$@" >/dev/null 2>"$work/err" || :
	tail -n 1 "$work/t" | awk -v r="$R" '{ printf "%.3f", ($1 + $2) * 1000 / r }'
}

printf '%-7s %-7s %13s %13s %11s %12s %12s %14s\n' devices case "cpu ms plain" "cpu ms -w" "bytes/ref" "record us" "record max" "replay ref/s"
for n in $sizes; do
	rm -rf "$work/s" "$work/d"
	gen "$work/s" "$n" RUNNING
	gen "$work/d" "$n" RUNNING
	for c in idle paired open; do
		case $c in
		idle) args=(--src "$work/s") ;;
		paired) args=(--src "$work/s" --dst "$work/d") ;;
		open)
			rm -rf "$work/s" "$work/d"
			gen "$work/s" "$n" PRE_COPY
			gen "$work/d" "$n" RESUMING
			args=(--src "$work/s" --dst "$work/d") ;;
		esac
		plain=$(cpu "${args[@]}")
		rm -f "$work/j"
		with=$(VFIOMIGTOP_JOURNAL_STATS=1 cpu "${args[@]}" -w "$work/j")
		st=$(grep '^journal:' "$work/err")
		us=$(sed 's/.* busy_us=\([0-9.]*\).*/\1/' <<<"$st")
		mx=$(sed 's/.* busy_max_us=\([0-9.]*\).*/\1/' <<<"$st")
		# bytes of the refreshes after the first (the first lists every device)
		bpr=$(awk 'NR > 1 && /^r / { n++; b += length($0) + 1 } END { printf "%.0f", n ? b / n : 0 }' <(grep '^r ' "$work/j"))
		# replay (--events): wall time, process start included (a lower bound)
		t0=$(date +%s%N)
		"$bin" -r "$work/j" -b --events >/dev/null 2>&1 || :
		t1=$(date +%s%N)
		rps=$(awk -v r="$R" -v ns=$((t1 - t0)) 'BEGIN { printf "%.0f", r * 1e9 / ns }')
		printf '%-7s %-7s %13s %13s %11s %12s %12s %14s\n' "$n" "$c" "$plain" "$with" "$bpr" "$us" "$mx" "$rps"
	done
done
