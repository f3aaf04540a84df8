#!/bin/bash
# Every read outcome is distinct and visible: EINVAL (driver get_state
# failed), EIO, permission denied, a device gone, garbage, and a read that
# blocks: that one shows as busy while every other device keeps updating.
# The tree is served by faultfs (tests/tools/faultfs.c), a FUSE file system
# that fails reads on demand the way debugfs does.
. "$(dirname "$0")/lib.sh"

[ -x "${FAULTFS:-}" ] || t_skip "faultfs not built (needs libfuse3-dev)"
[ -w /dev/fuse ] || t_skip "/dev/fuse is not usable here"
back=$T_DIR/back
mnt=$T_DIR/mnt
mkdir -p "$mnt"
for d in ok1 ok2 einval eio eacces enoent block garbage slow late; do
	t_state "$back" "$d" RUNNING
done
echo einval >"$back/einval/migration/state.fault"
echo eio >"$back/eio/migration/state.fault"
echo eacces >"$back/eacces/migration/state.fault"
echo enoent >"$back/enoent/migration/state.fault"
echo block >"$back/block/migration/state.fault"
echo "garbage 40" >"$back/garbage/migration/state.fault"
echo "delay 20" >"$back/slow/migration/state.fault"
# Its first open fails, and then the file is there: as when a new device's
# state file is made just after a read that was taken late.
echo "open-enoent 1" >"$back/late/migration/state.fault"
"$FAULTFS" -f "$back" "$mnt" 2>"$T_DIR/faultfs.err" &
ffs=$!
t_at_exit "kill $ffs 2>/dev/null; wait $ffs 2>/dev/null; fusermount3 -u '$mnt' 2>/dev/null"
t_wait_for "$T_WAIT" test -e "$mnt/ok1/migration/state" || t_skip "faultfs did not mount: $(cat "$T_DIR/faultfs.err")"

# A worker stuck in a read cannot be stopped by LeakSanitizer's final
# check (it would wait for the read): leak checks stay on elsewhere.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
out=$T_DIR/out
start=$(date +%s%N)
# 15 refreshes: more than the second a new device's state file may take
# to appear before a missing one means the device is gone.
t_run 30 "$out" -b -n 15 -d 0.1 --src "$mnt"; rc=$?
took=$(( ($(date +%s%N) - start) / 1000000 ))
t_eq "exit status 0" "$rc" 0
# The blocked read never returns: only a monitor that does not wait for it
# ends at all (t_run's timeout is 20 s).
t_check "15 refreshes end despite a read that never returns (${took} ms)" test "$took" -lt 25000
last=$T_DIR/last
awk '/^snapshot 15 /{p=1} p' "$out" >"$last"
t_grep "normal device" '^src ok1 RUNNING ' "$last"
t_grep "EINVAL: driver get_state failed" '^src einval <einval> ' "$last"
t_grep "EIO on a file that still exists: an I/O error with its errno" '^src eio <errno> [0-9.]+ 0 errno=5$' "$last"
t_grep "permission denied" '^src eacces <eacces> ' "$last"
t_grep "file gone" '^src enoent <gone> ' "$last"
t_grep "garbage: unparsable" '^src garbage <unparsable> ' "$last"
t_grep "slow but in time: read" '^src slow RUNNING ' "$last"
t_grep "a file there after a failed open: read" '^src late RUNNING ' "$last"
t_nogrep "... and never taken for gone" '^src late <gone>' "$out"
t_grep "blocked read: busy with its age, never a state" '^src block <unknown> [0-9.]+ 0 busy=[0-9]+\.[0-9]{3}$' "$last"
age=$(t_field '^src block ' 6 "$last" | sed 's/^busy=//')
t_check "... at least the 14 delays of 0.1 s between the snapshots ($age s)" \
	awk -v a="$age" 'BEGIN { exit !(a >= 1.3) }'

# A device blocks while the monitor runs, then comes back; the others
# keep updating meanwhile.
t_mon "$out" -b -d 0.05 --src "$mnt"
mon=$T_PID
t_wait_line '^src ok1 RUNNING ' "$out"
echo block >"$back/ok1/migration/.f" && mv "$back/ok1/migration/.f" "$back/ok1/migration/state.fault"
t_check "ok1 shown busy while blocked" t_wait_line '^src ok1 RUNNING [0-9.]+ 0 busy=' "$out"
t_state "$back" ok2 STOP
t_check "ok2 changed while ok1 was blocked" \
	t_wait_snap '\|src ok1 RUNNING [0-9.]+ 0 busy=[^|]*\|(.*\|)?src ok2 STOP ' "$out"
rm -f "$back/ok1/migration/state.fault" "$back/block/migration/state.fault"
t_check "ok1 readable again, and the blocked device finally read" \
	t_wait_snap '\|src ok1 RUNNING [0-9.]+ 0\|.*\|src block RUNNING [0-9.]+ 0(\||$)' "$out"
t_stop $mon; rc=$?
t_eq "exit status 0" "$rc" 0

# One read per device per refresh: faultfs counts reads per path.
kill -USR1 $ffs
t_wait_line '^/ok2/migration/state ' "$T_DIR/faultfs.err"
before=$(awk '$1 == "/ok2/migration/state" { print $2 }' "$T_DIR/faultfs.err" | tail -n 1)
t_run 60 "$out" -b -n 40 -d 0.02 --src "$mnt"
from=$(t_size "$T_DIR/faultfs.err")
kill -USR1 $ffs
t_wait_line '^/ok2/migration/state ' "$T_DIR/faultfs.err" "$from"
after=$(tail -c +"$((from + 1))" "$T_DIR/faultfs.err" | awk '$1 == "/ok2/migration/state" { print $2 }' | tail -n 1)
reads=$(( after - ${before:-0} ))
# Never more than one read per refresh (the property); a busy machine may
# find a read still pending at a deadline and skip one, so no lower bound
# but that the device was read at all.
t_check "at most one read per device per refresh (40 refreshes: $reads reads)" test "$reads" -ge 1 -a "$reads" -le 41

# Out of file descriptors.  A device keeps its state file open, so 300
# devices need more than a soft limit of 128: raised to the hard limit at
# start, every device is read.  Where the hard limit itself is short, the
# devices that could not be opened say errno=24 and the source says why
# and what to change; no crash, the others read.
fdt=$T_DIR/fds
for ((i = 0; i < 300; i++)); do
	mkdir -p "$fdt/d$i/migration"
	echo RUNNING >"$fdt/d$i/migration/state"
done
(ulimit -Sn 128 && t_run 60 "$out" -b -n 2 -d 0.05 --src "$fdt"); rc=$?
t_eq "soft limit 128, 300 devices: exit status 0" "$rc" 0
awk '/^snapshot 2 /{p=1} p' "$out" >"$T_DIR/last"
t_eq "soft limit 128: raised, all 300 devices read" \
	"$(grep -c '^src d[0-9]* RUNNING ' "$T_DIR/last")" 300
t_nogrep "soft limit 128: the source is not degraded" '^source src degraded' "$T_DIR/last"
(ulimit -n 128 && t_run 60 "$out" -b -n 2 -d 0.05 --src "$fdt"); rc=$?
t_eq "hard limit 128, 300 devices: exit status 0" "$rc" 0
awk '/^snapshot 2 /{p=1} p' "$out" >"$T_DIR/last"
t_grep "hard limit 128: the source says why, and what to change" \
	'^source src degraded "[0-9]+ devices unread: too many open files \(limit 128; a device needs up to 2: raise ulimit -n\)"$' "$T_DIR/last"
t_grep "hard limit 128: an unread device shows its errno" '^src d[0-9]* <errno> .* errno=24$' "$T_DIR/last"
t_grep "hard limit 128: the others are read" '^src d[0-9]* RUNNING ' "$T_DIR/last"
t_done
