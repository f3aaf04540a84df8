#!/bin/bash
# lib-selftest.sh - the VM harness's own helpers, without a VM: vm_qemu
# boots once more a guest that hangs before its /init speaks, and only
# then; vm_guest_passed finds the sentinel whole or as a kernel message.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/vm/lib.sh
. "$HERE/lib.sh"
NAME=lib-selftest
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
fails=0
ok() { echo "ok - $1"; }
ko() { echo "not ok - $1"; fails=$((fails + 1)); }

# A guest that boots: its status is qemu's, the console its own.
vm_qemu t "$D/c1" 20 10 sh -c 'echo "guest: kernel x"; exit 3' > "$D/o1"
rc=$?
[ $rc = 3 ] && grep -q 'guest: kernel x' "$D/c1" && [ ! -e "$D/c1.hung" ] &&
	! grep -q 'did not reach' "$D/o1" && ok "a guest that boots runs once" ||
	ko "a guest that boots runs once (rc $rc)"

# A guest that hangs in early boot, then boots: booted twice, the hung
# console kept and its RCU stall quoted.
cat > "$D/flaky" <<'EOS'
#!/bin/sh
if [ ! -e "$1/booted-once" ]; then
	: > "$1/booted-once"
	echo "rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:"
	exec sleep 60
fi
echo "guest: kernel y"
EOS
chmod +x "$D/flaky"
vm_qemu t "$D/c2" 60 2 "$D/flaky" "$D" > "$D/o2"
rc=$?
[ $rc = 0 ] && grep -q 'guest: kernel y' "$D/c2" && grep -q rcu: "$D/c2.hung" &&
	grep -q 'did not reach /init within 2 s (try 1' "$D/o2" &&
	grep -q 'rcu: INFO' "$D/o2" && ok "a guest hung in early boot is booted again" ||
	ko "a guest hung in early boot is booted again (rc $rc): $(cat "$D/o2")"

# Hung twice: 125.
vm_qemu t "$D/c3" 60 1 sh -c 'exec sleep 60' > "$D/o3"
rc=$?
[ $rc = 125 ] && [ "$(grep -c 'did not reach' "$D/o3")" = 2 ] &&
	ok "hung twice: status 125" || ko "hung twice: status 125 (rc $rc)"

# The sentinel, on a line of its own or as a kernel message; cut, neither.
printf 'x\nGUEST RESULT: PASS\n' > "$D/s1"
printf 'G[   31.5] sysrq: Power Off\nUEST RESULT: PASS\n[   31.4] GUEST RESULT: PASS\n' > "$D/s2"
printf 'G[   31.5] sysrq: Power Off\nUEST RESULT: PASS\n' > "$D/s3"
printf 'GUEST RESULT: FAIL\n[   31.4] GUEST RESULT: FAIL\n' > "$D/s4"
vm_guest_passed "$D/s1" && vm_guest_passed "$D/s2" &&
	! vm_guest_passed "$D/s3" && ! vm_guest_passed "$D/s4" &&
	ok "the PASS sentinel, whole or as a kernel message" ||
	ko "the PASS sentinel, whole or as a kernel message"
[ $fails = 0 ]
