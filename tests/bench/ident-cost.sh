#!/bin/bash
# What identity, owners and QMP cost (issue 11; not a test, see
# doc/performance.md): `make bench-ident`.
#   1. one /proc owner scan, by processes and open fds on the host (real
#      /proc: N extra processes holding F files each);
#   2. vfiomigtop's CPU over a fixed time, 64 fixture devices, at -d 1 and
#      -d 0.1: --no-owners, owners (scan every 5 s), owners + 1 QMP
#      (tests/tools/fake-qmp.py), and the QMP messages sent.
# Environment: VFIOMIGTOP (the binary), BENCH_SECS (default 20).
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${VFIOMIGTOP:-$TOP/_build/src/vfiomigtop}
SECS=${BENCH_SECS:-20}
W=$(mktemp -d "${TMPDIR:-/tmp}/vfiomig-identcost.XXXXXX")
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

cpu_of() {	# PID: user+system seconds
	awk '{ print ($14 + $15) / 100 }' "/proc/$1/stat" 2>/dev/null
}

# 64 devices
for i in $(seq 0 63); do
	d=$(printf '0000:%02x:00.1' "$i")
	mkdir -p "$W/vfio/$d/migration"
	echo RUNNING >"$W/vfio/$d/migration/state"
done

echo "== one /proc owner scan (vfiomigtop's owner_scan.took, median of 5) =="
printf '%-10s %-8s %-10s %-8s %s\n' extra_proc fds/proc processes fds scan_ms
for spec in "0 0" "200 20" "1000 20" "1000 100"; do
	set -- $spec
	n=$1 f=$2
	redir=""
	for k in $(seq 3 $((f + 2))); do redir="$redir $k</dev/null"; done
	holders=()
	for k in $(seq 1 "$n"); do
		eval "sleep 3600 $redir &"
		holders+=($!)
	done
	PIDS+=("${holders[@]}")
	# Until every holder has its files open (a loaded host starts slowly).
	for p in "${holders[@]}"; do
		while [ "$(ls "/proc/$p/fd" 2>/dev/null | wc -l)" -lt $((f + 3)) ]; do
			sleep 0.01
		done
	done
	VFIOMIGTOP_OWNER_PERIOD=0.5 timeout 120 "$BIN" -b -n 30 -d 0.5 --json --src "$W/vfio" \
		>"$W/scan.json" 2>/dev/null
	jq -r 'select(.owner_scan != null) | .owner_scan | "\(.processes) \(.fds) \(.took * 1000)"' \
		"$W/scan.json" | tail -n 5 | sort -n -k3 | sed -n 3p |
		while read -r p fd ms; do
			printf '%-10s %-8s %-10s %-8s %.2f\n' "$n" "$f" "$p" "$fd" "$ms"
		done
	for p in "${holders[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	PIDS=()
done

echo
echo "== vfiomigtop CPU over $SECS s, 64 devices =="
mkfifo "$W/q.in"
python3 "$TOP/tests/tools/fake-qmp.py" "$W/q.sock" --log "$W/q.log" \
	--dev mig0=0000:00:00.1 <"$W/q.in" >"$W/q.out" 2>&1 &
PIDS+=($!)
exec 8<>"$W/q.in"
while ! grep -q listening "$W/q.out" 2>/dev/null; do sleep 0.05; done
printf '%-6s %-22s %-10s %s\n' delay setting cpu_ms/s qmp_msgs/s
for d in 1 0.1; do
	for setting in no-owners owners owners+qmp; do
		args=(-b --json -d "$d" --src "$W/vfio")
		case $setting in
		no-owners) args+=(--no-owners) ;;
		owners+qmp) args+=(--qmp "$W/q.sock") ;;
		esac
		: >"$W/q.log"
		"$BIN" "${args[@]}" >/dev/null 2>&1 &
		p=$!
		sleep "$SECS"
		c=$(cpu_of "$p")
		kill "$p"
		wait "$p" 2>/dev/null
		msgs=$(wc -l <"$W/q.log")
		awk -v c="$c" -v s="$SECS" -v m="$msgs" -v d="$d" -v t="$setting" \
			'BEGIN { printf "%-6s %-22s %-10.2f %.2f\n", d, t, c * 1000 / s, m / s }'
	done
done
echo quit >&8
