#!/bin/bash
# tui-cpu.sh - CPU used by the interactive screen while it runs in tmux.
#
#   tests/bench/tui-cpu.sh [SECS]
#
# For each case, builds a source and a destination tree of N devices
# (ROOT/<bdf>/migration/state), runs vfiomigtop on them in a detached tmux
# session, lets it settle, then reads utime+stime of the process (all its
# threads) from /proc/PID/stat before and after SECS seconds (default 30).
# The "changing" case rewrites 8 state files every second (write, rename),
# so transitions, highlights and events are drawn too.  For reference, the
# same trees are then read by batch mode (--events, output to /dev/null):
# the difference is the screen's own cost.  A benchmark, not a
# test: it prints a table and fails only if it cannot run.
# Environment: VFIOMIGTOP (default: _build/src/vfiomigtop).
set -u

secs=${1:-30}
here=$(cd "$(dirname "$0")/../.." && pwd)
top=${VFIOMIGTOP:-$here/_build/src/vfiomigtop}
command -v tmux >/dev/null 2>&1 || { echo "tmux is needed" >&2; exit 77; }
[ -x "$top" ] || { echo "no binary at $top (set VFIOMIGTOP)" >&2; exit 1; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/vfiomigtop-tuicpu.XXXXXX")
sock=$dir/tmux.sock
tm() { tmux -S "$sock" -f /dev/null "$@"; }
cleanup() {
	[ -n "${writer:-}" ] && kill "$writer" 2>/dev/null
	tm kill-server >/dev/null 2>&1
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

hz=$(getconf CLK_TCK)

# bdf I: a distinct PCI address for device number I (up to 8192).
bdf() { printf '0000:%02x:%02x.%x' $(($1 / 256)) $(($1 / 8 % 32)) $(($1 % 8)); }

# tree ROOT N: N devices in RUNNING.
tree() {
	local i d
	for ((i = 0; i < $2; i++)); do
		d=$1/$(bdf "$i")/migration
		mkdir -p "$d"
		echo RUNNING >"$d/state"
	done
}

# setstate ROOT I STATE: replace a state file at once.
setstate() {
	local d=$1/$(bdf "$2")/migration
	echo "$3" >"$d/.tmp" && mv -f "$d/.tmp" "$d/state"
}

# ticks PID: utime + stime of the whole process, in clock ticks.
ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }

# measure N DELAY CHANGING: prints "cpu% ms-per-refresh".
measure() {
	local n=$1 delay=$2 changing=$3 root=$dir/t$1 pid t0 t1 i=0
	rm -rf "$root"
	tree "$root/src" "$n"
	tree "$root/dst" "$n"
	tm kill-session -t b >/dev/null 2>&1
	tm new-session -d -s b -x 200 -y 60 \
		"exec env LC_ALL=C.UTF-8 $top -d $delay --src $root/src --dst $root/dst"
	for ((i = 0; i < 100; i++)); do
		tm capture-pane -p -t b | grep -q DESTINATION && break
		sleep 0.1
	done
	pid=$(tm display -p -t b '#{pane_pid}')
	if [ "$changing" = yes ]; then
		(
			s=0
			while :; do
				for k in 0 1 2 3 4 5 6 7; do
					case $(( (s + k) % 3 )) in
					0) st=RUNNING ;; 1) st=PRE_COPY ;; *) st=STOP_COPY ;;
					esac
					setstate "$root/src" "$k" "$st"
				done
				s=$((s + 1))
				sleep 1
			done
		) &
		writer=$!
	fi
	sleep 2
	t0=$(ticks "$pid")
	sleep "$secs"
	t1=$(ticks "$pid")
	if [ -n "${writer:-}" ]; then
		kill "$writer" 2>/dev/null
		wait "$writer" 2>/dev/null
		writer=
	fi
	tm kill-session -t b >/dev/null 2>&1
	awk -v d=$((t1 - t0)) -v hz="$hz" -v s="$secs" -v dl="$delay" 'BEGIN {
		cpu = d / hz
		printf "%6.2f %8.3f\n", 100 * cpu / s, 1000 * cpu / (s / dl)
	}'
}

# measure_batch N DELAY: the same trees read by batch mode (--events, to
# /dev/null): the data path alone, for reference.
measure_batch() {
	local n=$1 delay=$2 root=$dir/t$1 pid t0 t1
	rm -rf "$root"
	tree "$root/src" "$n"
	tree "$root/dst" "$n"
	"$top" -b --events -d "$delay" --src "$root/src" --dst "$root/dst" \
		>/dev/null 2>&1 &
	pid=$!
	sleep 2
	t0=$(ticks "$pid")
	sleep "$secs"
	t1=$(ticks "$pid")
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	awk -v d=$((t1 - t0)) -v hz="$hz" -v s="$secs" -v dl="$delay" 'BEGIN {
		cpu = d / hz
		printf "%6.2f %8.3f\n", 100 * cpu / s, 1000 * cpu / (s / dl)
	}'
}

printf 'vfiomigtop TUI CPU use, %s s per case, %s on %s CPU(s); CPU%% of one core\n' \
	"$secs" "$(uname -r)" "$(nproc)"
printf '%-8s %-7s %-9s %8s %14s\n' devices delay changes "cpu%" "ms/refresh"
# 512x2: 1024 devices in all, as 512 source/destination pairs.
for c in "512 0.2 no" "512 0.2 yes" "1024 0.2 no" "1024 0.2 yes" "8 0.1 no" "8 0.1 yes"; do
	set -- $c
	read -r pct ms < <(measure "$1" "$2" "$3")
	printf '%-8s %-7s %-9s %8s %14s\n' "$1x2" "$2 s" "$3" "$pct" "$ms"
done
for c in "512 0.2" "1024 0.2" "8 0.1"; do
	set -- $c
	read -r pct ms < <(measure_batch "$1" "$2")
	printf '%-8s %-7s %-9s %8s %14s  (batch --events: data path only)\n' \
		"$1x2" "$2 s" no "$pct" "$ms"
done
