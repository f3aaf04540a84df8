#!/bin/bash
# --demo: no root, no module: the built-in simulator writes a source and a
# destination tree into a private temporary directory, read through the
# normal debugfs code path, and removed on exit, also on Ctrl-C and SIGTERM.
. "$(dirname "$0")/lib.sh"

tmp=$T_DIR/tmp
mkdir -p "$tmp"
out=$T_DIR/out
TMPDIR=$tmp t_run 30 "$out" --demo -b -n 3 -d 0.2; rc=$?
t_eq "demo batch: exit 0" "$rc" 0
t_grep "demo: source tree in a private directory" "^snapshot 1 .* src=$tmp/vfiomigtop-demo-[A-Za-z0-9]+/src dst=$tmp/vfiomigtop-demo-[A-Za-z0-9]+/dst devices=[0-9]+ pairs=[0-9]+$" "$out"
t_check "demo: first snapshot already lists devices" test "$(awk '/^snapshot 1 /{print $6}' "$out")" != "devices=0"
t_grep "demo: pairs across hosts by name" '^pair 0000:3b:00\.2 0000:3b:00\.2 ' "$out"
t_eq "demo: temporary directory removed on exit" "$(ls "$tmp")" ""

if command -v jq >/dev/null; then
	jqs() { jq -se "$@" >/dev/null; }
	TMPDIR=$tmp t_run 60 "$out" --demo --demo-speed 8 -b --json -n 100 -d 0.1
	t_check "demo: a migration completes" jqs '[.[].pairs[] | select(.phase=="completed")] | length > 0' "$out"
	t_check "demo: a migration fails" jqs '[.[].pairs[] | select(.phase=="failed")] | length > 0' "$out"
	t_check "demo: a pair goes through pre-copy" jqs '[.[].pairs[] | select(.phase=="pre-copy")] | length > 0' "$out"
	t_check "demo: a device is hot-unplugged" jqs '[.[].devices[] | select(.status=="gone")] | length > 0' "$out"
	t_check "demo: a device without migration support" jqs '[.[].devices[] | select(.status=="no-migration")] | length > 0' "$out"
	t_eq "demo json: temporary directory removed" "$(ls "$tmp")" ""
fi

for sig in INT TERM HUP; do
	TMPDIR=$tmp "$VFIOMIGTOP" --demo -b -d 0.1 >"$out" 2>&1 &
	pid=$!
	t_wait_line '^snapshot 2 ' "$out"
	kill -$sig $pid
	t_wait_for "$T_WAIT" t_ended $pid
	wait $pid; rc=$?
	t_eq "SIG$sig: clean exit" "$rc" 0
	t_eq "SIG$sig: temporary directory removed" "$(ls "$tmp")" ""
done
t_done
