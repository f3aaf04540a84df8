#!/bin/bash
# tui-cpu.sh - CPU used by the interactive screen, side by side with the
# floor (tests/bench/floor.c) and htop, in one run.
#
#   tests/bench/tui-cpu.sh [SECS]
#
# Builds trees of N devices per side on tmpfs (ROOT/<bdf>/migration/state,
# all RUNNING) and, for each contender, reads utime+stime of the whole
# process (all threads) from /proc/PID/stat before and after SECS seconds
# (default 30), once it has settled (a screen: once every time on it
# counts whole seconds, as on a screen up a while; under 10 s a time
# shows tenths and ticks ten times as often):
#   floor        one pread per file per refresh, nothing else (both sides);
#   polled       the screen reading every file at every refresh (the
#                default, as on upstream debugfs);
#   notified     the screen trusting change notification (VFIOMIGTOP_NOTIFY=auto;
#                tmpfs files raise
#                inotify events as the vfiomig module's do): it reads what
#                notified, and sweeps every file once per 5 s;
#   agent        vfiomigtop --agent serving the source tree, notified;
#   htop         htop showing as many processes as there are devices;
# all at 0.2 s.  "changing" rewrites 8 state files every second (renamed
# over).  Then the latency from a state file written in place (IN_MODIFY,
# as the module sends it) to its event on vfiomigtop's output (-b
# --events, the screen's data path), notified, at 0.2 s.  A benchmark,
# not a test: it prints tables and fails only if it cannot run.
# Environment: VFIOMIGTOP (default: _build/src/vfiomigtop), CASES (the
# per-side device counts, default "1024 2048"), LATENCY_N (changes, 100).
set -u

secs=${1:-30}
here=$(cd "$(dirname "$0")/../.." && pwd)
top=${VFIOMIGTOP:-$here/_build/src/vfiomigtop}
cases=${CASES:-1024 2048}
latn=${LATENCY_N:-100}
command -v tmux >/dev/null 2>&1 || { echo "tmux is needed" >&2; exit 77; }
[ -x "$top" ] || { echo "no binary at $top (set VFIOMIGTOP)" >&2; exit 1; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/vfiomigtop-tuicpu.XXXXXX")
trees=$(mktemp -d /dev/shm/vfiomigtop-tuicpu.XXXXXX)
sock=$dir/tmux.sock
tm() { tmux -S "$sock" -f /dev/null "$@"; }
cleanup() {
	[ -n "${writer:-}" ] && kill "$writer" 2>/dev/null
	[ -n "${bg:-}" ] && kill "$bg" 2>/dev/null
	[ -n "${sleepers:-}" ] && kill $sleepers 2>/dev/null
	tm kill-server >/dev/null 2>&1
	rm -rf "$dir" "$trees"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

hz=$(getconf CLK_TCK)
cc -O2 -o "$dir/floor" "$here/tests/bench/floor.c" || exit 1

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

# wait_for SECS WHAT CMD...: poll CMD every 0.1 s until it succeeds; after
# SECS say what was not seen and fail.
wait_for() {
	local secs=$1 what=$2 i
	shift 2
	for ((i = 0; i < secs * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	echo "timed out after $secs s waiting for $what" >&2
	return 1
}

# holds PID N: PID holds N open files (its state files: it has read them
# all once).
holds() { [ "$(ls "/proc/$1/fd" 2>/dev/null | wc -l)" -ge "$2" ]; }
opened() { wait_for 120 "pid $1 to open $2 files" holds "$1" "$2"; }

# cpu PID: prints "cpu% ms-per-refresh" over SECS seconds; the caller has
# waited until PID settled.
cpu() {
	local t0 t1
	t0=$(ticks "$1")
	sleep "$secs"
	t1=$(ticks "$1")
	awk -v d=$((t1 - t0)) -v hz="$hz" -v s="$secs" 'BEGIN {
		cpu = d / hz
		printf "%6.2f %8.3f\n", 100 * cpu / s, 1000 * cpu / (s / 0.2)
	}'
}

# screen ROOT NOTIFY: the screen on ROOT/src and ROOT/dst in tmux; pid in spid.
screen() {
	local i
	tm kill-session -t b >/dev/null 2>&1
	tm new-session -d -s b -x 200 -y 60 \
		"exec env LC_ALL=C.UTF-8 VFIOMIGTOP_NOTIFY=$2 $top -d 0.2 --src $1/src --dst $1/dst"
	for ((i = 0; i < 600; i++)); do
		tm capture-pane -p -t b | grep -q DESTINATION && break
		sleep 0.1
	done
	# Settled: no time on screen in tenths or milliseconds (60 s at most).
	for ((i = 0; i < 600; i++)); do
		tm capture-pane -p -t b | grep -qE ' [0-9]+ms | [0-9]\.[0-9]s ' || break
		sleep 0.1
	done
	spid=$(tm display -p -t b '#{pane_pid}')
}

# changer ROOT: rewrite 8 source state files every second, in the background.
changer() {
	(
		s=0
		while :; do
			for k in 0 1 2 3 4 5 6 7; do
				case $(( (s + k) % 3 )) in
				0) st=RUNNING ;; 1) st=PRE_COPY ;; *) st=STOP_COPY ;;
				esac
				setstate "$1/src" "$k" "$st"
			done
			s=$((s + 1))
			sleep 1
		done
	) &
	writer=$!
}

row() { printf '%-10s %-22s %-9s %8s %14s\n' "$@"; }

printf 'vfiomigtop screen CPU, %s s per case, %s on %s CPU(s), delay 0.2 s\n' \
	"$secs" "$(uname -r)" "$(nproc)"
row devices contender changes "cpu%" "ms/refresh"
for n in $cases; do
	root=$trees/t$n
	rm -rf "$root"
	tree "$root/src" "$n"
	tree "$root/dst" "$n"
	"$dir/floor" "$root/src:$root/dst" 0 200 >/dev/null &
	bg=$!
	opened "$bg" $((2 * n))
	read -r fpct fms < <(cpu "$bg")
	kill "$bg"; wait "$bg" 2>/dev/null; bg=
	row "${n}x2" "floor" no "$fpct" "$fms"
	for mode in 0 auto; do
		name=$([ "$mode" = 0 ] && echo "vfiomigtop polled" || echo "vfiomigtop notified")
		screen "$root" "$mode"
		read -r pct ms < <(cpu "$spid")
		row "${n}x2" "$name" no "$pct" "$ms"
		changer "$root"
		read -r pct ms < <(cpu "$spid")
		kill "$writer"; wait "$writer" 2>/dev/null; writer=
		row "${n}x2" "$name" "8 files/s" "$pct" "$ms"
		tm kill-session -t b >/dev/null 2>&1
		for k in 0 1 2 3 4 5 6 7; do setstate "$root/src" "$k" RUNNING; done
	done
	# The agent a remote monitor runs (--agent), serving the source tree,
	# idle, notified: its frames send nothing when nothing changed.
	# Its input stays open (a FIFO this shell holds): at EOF it ends.
	rm -f "$dir/agent.in"
	mkfifo "$dir/agent.in"
	exec 7<>"$dir/agent.in"
	env VFIOMIGTOP_NOTIFY=auto "$top" --agent -d 0.2 --src "$root/src" \
		<"$dir/agent.in" >/dev/null 2>&1 &
	bg=$!
	opened "$bg" "$n"
	read -r pct ms < <(cpu "$bg")
	kill "$bg" 2>/dev/null; wait "$bg" 2>/dev/null; bg=
	exec 7>&-
	row "${n}x1" "vfiomigtop --agent" no "$pct" "$ms"
	# htop with as many processes as devices (both sides), same delay.
	if command -v htop >/dev/null 2>&1; then
		sleepers=
		for ((i = 0; i < 2 * n; i++)); do
			sleep 100000 &
			sleepers="$sleepers $!"
		done
		tm kill-session -t h >/dev/null 2>&1
		tm new-session -d -s h -x 200 -y 60 "exec env TERM=xterm htop -d 2"
		hpid=$(tm display -p -t h '#{pane_pid}')
		drawn() { tm capture-pane -p -t h | grep -q 'Tasks:'; }
		wait_for 60 "htop's header (Tasks:)" drawn
		read -r pct ms < <(cpu "$hpid")
		row "$((2 * n)) procs" "htop -d 2" no "$pct" "$ms"
		tm kill-session -t h >/dev/null 2>&1
		kill $sleepers 2>/dev/null
		wait 2>/dev/null
		sleepers=
	fi
	rm -rf "$root"
done

# Latency: a state written in place (IN_MODIFY, as the module's files
# raise it) to its line in --events, notified.
n=${cases##* }
root=$trees/lat
tree "$root/src" "$n"
tree "$root/dst" "$n"
printf '\nLatency from a write in place to its event, %s x 2 devices, -d 0.2, %s changes\n' "$n" "$latn"
python3 - "$here/tests/bench" "$top" "$root" "$n" "$latn" <<'PY'
import os, random, sys, time
sys.path.insert(0, sys.argv[1])
import evlines
top, root, n, count = sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
def bdf(i): return '0000:%02x:%02x.%x' % (i // 256, i // 8 % 32, i % 8)
ev = evlines.Events([top, '-b', '--events', '-d', '0.2', '--src', root + '/src',
                     '--dst', root + '/dst'],
                    env=dict(os.environ, VFIOMIGTOP_NOTIFY='auto'))
# Settled: the first values of all devices, then the 10 s after which a
# device no longer counts as lately changed (READPLAN_HOT_NS): idle.
if not ev.lines_until(2 * n, 120):
    print('the first values did not come')
    sys.exit(1)
ev.drain(10)
rnd = random.Random(1)
lat = []
for k in range(count):
    i = rnd.randrange(n)
    path = '%s/src/%s/migration/state' % (root, bdf(i))
    t0 = time.monotonic_ns()
    with open(path, 'wb', buffering=0) as f:   # truncate, write: IN_MODIFY
        f.write(b'STOP\n')
    got = ev.seen('src', bdf(i), 'STOP')
    with open(path, 'wb', buffering=0) as f:
        f.write(b'RUNNING\n')
    if got is not None:
        lat.append((got - t0) / 1e6)
    # Back to RUNNING before the next change.
    ev.seen('src', bdf(i), 'RUNNING')
ev.close()
if not lat:
    print('no change was seen')
    sys.exit(1)
print('seen %d/%d: %s' % (len(lat), count, evlines.summary(lat)))
PY
