#!/bin/bash
# remote-latency.sh - a benchmark, not a test (make bench-remote):
#  1. latency from a state change on the remote tree to its line in the
#     local monitor's --events output: median and p99 over N changes
#     (default 200), through ssh (a throw-away sshd on 127.0.0.1), through
#     cmd:, and for reference with the tree read directly;
#  2. CPU used by an idle `vfiomigtop --agent` serving 1024 devices.
# Environment: VFIOMIGTOP (the binary), N (changes), DELAY (-d, default
# 0.01: how often the agent reads the tree; the latency includes it), IDLE
# (seconds of idle CPU measurement, default 10).
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${VFIOMIGTOP:=$top_srcdir/_build/src/vfiomigtop}"
N=${N:-200}
DELAY=${DELAY:-0.01}
IDLE=${IDLE:-10}
T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/vfiomigtop-bench-remote.XXXXXX")
T_CLEANUP=()
t_at_exit() { T_CLEANUP+=("$1"); }
cleanup() {
	local c
	for c in "${T_CLEANUP[@]}"; do eval "$c" || true; done
	rm -rf "$T_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# shellcheck source=../remote/sshd.sh
. "$top_srcdir/tests/remote/sshd.sh"

state() {
	mkdir -p "$1/$2/migration"
	printf '%s\n' "$3" >"$1/$2/migration/.state.tmp"
	mv -f "$1/$2/migration/.state.tmp" "$1/$2/migration/state"
}

S=$T_DIR/src
D=$T_DIR/dst
state "$S" 0000:3b:00.2 RUNNING
state "$D" 0000:3b:00.2 RUNNING

# latency LABEL DST-SPEC: N changes of the destination device, each timed
# from the rename of its state file to its event line.
latency() {
	python3 - "$1" "$VFIOMIGTOP" "$S" "$2" "$D/0000:3b:00.2/migration" "$N" "$DELAY" <<'PY'
import os, random, select, subprocess, sys, time

label, binary, src, dst, mig, n, delay = sys.argv[1:8]
n = int(n)
p = subprocess.Popen([binary, "-b", "--events", "-d", delay, "--src", src,
                      "--dst", dst], stdout=subprocess.PIPE,
                     stderr=subprocess.DEVNULL, bufsize=0)
buf = b""

def wait_line(pred, timeout):
    global buf
    end = time.monotonic() + timeout
    while True:
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            if pred(line.decode(errors="replace")):
                return time.monotonic_ns()
        left = end - time.monotonic()
        if left <= 0:
            return None
        r, _, _ = select.select([p.stdout], [], [], left)
        if r:
            chunk = os.read(p.stdout.fileno(), 65536)
            if not chunk:
                return None
            buf += chunk

if wait_line(lambda l: " dst 0000:3b:00.2 - " in l, 20) is None:
    print(f"{label}: the monitor did not show the destination")
    p.kill()
    sys.exit(1)
time.sleep(0.5)
lat = []
cur = "RUNNING"
for i in range(n):
    nxt = "RUNNING_P2P" if cur == "RUNNING" else "RUNNING"
    with open(mig + "/.state.tmp", "w") as f:
        f.write(nxt + "\n")
    t0 = time.monotonic_ns()
    os.rename(mig + "/.state.tmp", mig + "/state")
    want = f" dst 0000:3b:00.2 {cur} {nxt}"
    t1 = wait_line(lambda l: l.endswith(want), 10)
    if t1 is None:
        print(f"{label}: change {i} not seen")
        break
    lat.append((t1 - t0) / 1e6)
    cur = nxt
    time.sleep(random.uniform(0.02, 0.05))
p.terminate()
p.wait()
lat.sort()
if lat:
    med = lat[len(lat) // 2]
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
    print(f"{label:<28} {len(lat):>4} changes  median {med:7.1f} ms  p99 {p99:7.1f} ms  max {lat[-1]:7.1f} ms")
PY
}

# idle_cpu DELAY: CPU of an idle agent over 1024 devices, in % of one core.
idle_cpu() {
	local tree=$T_DIR/tree-1024 i pid t0 t1 c0 c1 hz
	if [ ! -d "$tree" ]; then
		for i in $(seq 0 1023); do
			state "$tree" "$(printf '0000:%02x:%02x.%d' $((i / 64)) $((i / 8 % 8 + 1)) $((i % 8)))" RUNNING
		done
	fi
	mkfifo "$T_DIR/idle-in.$1"
	( sleep $((IDLE + 10)) ) >"$T_DIR/idle-in.$1" &
	t_at_exit "kill $! 2>/dev/null"
	"$VFIOMIGTOP" --agent -d "$1" --src "$tree" <"$T_DIR/idle-in.$1" >/dev/null &
	pid=$!
	t_at_exit "kill $pid 2>/dev/null"
	sleep 3		# first snapshot, reader threads settled
	hz=$(getconf CLK_TCK)
	c0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
	t0=$(date +%s%N)
	sleep "$IDLE"
	c1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
	t1=$(date +%s%N)
	kill "$pid"
	awk -v c="$((c1 - c0))" -v hz="$hz" -v ns="$((t1 - t0))" -v d="$1" \
		'BEGIN { printf "agent idle, 1024 devices, -d %-5s  %.2f %% of one core (%.1f ms CPU per second)\n", d, 100 * c / hz / (ns / 1e9), 1000 * c / hz / (ns / 1e9) }'
}

echo "vfiomigtop remote benchmark: $(nproc) cores, $N changes, -d $DELAY"
echo "== latency: remote state change -> local --events line"
latency "local tree (reference)" "$D"
latency "cmd: (agent via pipe)" "cmd:$VFIOMIGTOP --agent -d $DELAY --src $D"
if r_sshd >/dev/null; then
	latency "ssh:// (sshd on 127.0.0.1)" "ssh://vfiotest$D"
else
	echo "ssh:// skipped: no sshd"
fi
echo "== agent CPU when idle"
idle_cpu 1
idle_cpu 0.1
