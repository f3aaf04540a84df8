#!/bin/bash
# When inotify watches run out (fs.inotify.max_user_watches), a state
# file whose watch failed is read at every refresh (its values stay
# right), the source says how many and what to raise, the watch is asked
# for again at a rescan rather than at every refresh, and once watches are
# to be had again the devices are notified and the message goes.
#
# The limit is lowered in a user namespace of its own
# (/proc/sys/user/max_inotify_watches): the machine's limit, which the
# other tests use, is left alone.
. "$(dirname "$0")/lib.sh"

if ! command -v nsenter >/dev/null ||
   ! unshare -U -r sh -c 'echo 5 > /proc/sys/user/max_inotify_watches' 2>/dev/null; then
	t_skip "no user namespace whose inotify limit can be set (unshare -U -r, nsenter)"
fi

root=$T_DIR/root
for ((i = 0; i < 60; i++)); do
	t_state "$root" "d$i" RUNNING
done
out=$T_DIR/out
: >"$out"
# The monitor alone in a user namespace whose limit is 25 watches (set
# from inside before it starts; later from here, with nsenter).
# shellcheck disable=SC2016 # (expanded by the inner shell)
VFIOMIGTOP_NOTIFY=auto unshare -U -r sh -c '
	echo 25 > /proc/sys/user/max_inotify_watches || exit 1
	exec "$1" -b -d 0.1 --src "$2"' sh "$VFIOMIGTOP" "$root" >"$out" 2>"$out.err" &
mon=$!
t_at_exit "kill -9 $mon 2>/dev/null"

t_check "watches run out: the source says how many devices are polled, and the fix" \
	t_wait_line '^source src degraded "[0-9]+ devices polled: no inotify watch left for them \(raise fs.inotify.max_user_watches\)"$' "$out"
n=$(grep -Eo '"[0-9]+ devices polled' "$out" | tail -n 1 | tr -dc 0-9)
t_check "some devices are watched, some not ($n of 60 polled)" test "${n:-0}" -gt 0 -a "${n:-0}" -lt 60

# Every device's change is seen, watched or not: a polled device is read
# at every refresh.  Written in place, as the kernel's file changes (a
# file replaced is another matter: its watch tells).
from=$(t_size "$out")
for i in 0 19 29 39 49 59; do
	printf 'STOP\n' >"$root/d$i/migration/state"
done
for i in 0 19 29 39 49 59; do
	t_check "d$i: its change is seen, watched or not" \
		t_wait_line "^src d$i STOP " "$out" "$from"
done

# A file replaced (a simulator's tree; debugfs never replaces one): a
# watched device is told at once, one without a watch at the next rescan
# (30 s), while its watch is still refused.
from=$(t_size "$out")
for i in 0 19 29 39 49 59; do
	t_state "$root" "d$i" RESUMING
done
for i in 0 19 29 39 49 59; do
	T_WAIT=90 t_check "d$i: its replaced file is read, watched or not" \
		t_wait_line "^src d$i RESUMING " "$out" "$from"
done
# The count does not flicker to ok while its watches are asked for again.
t_nogrep "no snapshot without the message while watches are refused" \
	'^snapshot [0-9]+ .*' <(tail -c +"$((from + 1))" "$out" | grep -A1 '^snapshot ' |
	grep -B1 '^src ' | grep '^snapshot ')

# Watches to be had again: at the next rescan (30 s) every device gets
# one, and the message goes: a snapshot's header is followed by devices.
nsenter -U -t "$mon" sh -c 'echo 100000 > /proc/sys/user/max_inotify_watches'
from=$(t_size "$out")
ok_again() { tail -c +"$((from + 1))" "$out" | grep -A1 '^snapshot ' | grep -q '^src '; }
T_WAIT=90 t_check "watches to be had again: the source is ok once more" \
	t_wait_for 90 ok_again
t_stop "$mon"; rc=$?
t_eq "ends on SIGINT with status 0" "$rc" 0
t_done
