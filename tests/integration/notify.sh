#!/bin/bash
# Where changes are notified (a local file system, as the vfiomig module's
# debugfs files are), a refresh reads only what notified, what is not idle,
# and a sweep of the rest: no change is ever missed.  A change written in
# place (IN_MODIFY, as the module sends it) or renamed over is seen; one
# that raises no event at all (written through a shared mapping, like a
# reset the module does not notify) is seen by the sweep.  An idle tree
# costs a fraction of the reads polling costs.  By default only the
# vfiomig module's trees are trusted to notify; VFIOMIGTOP_NOTIFY=auto
# adds local file systems (these fixtures), 1 any tree, 0 none.
. "$(dirname "$0")/lib.sh"

root=$T_DIR/root
out=$T_DIR/out
for i in 0 1 2 3; do
	t_state "$root/src" "dev$i" RUNNING
done

# inplace FILE TEXT: write in place, no rename (IN_MODIFY, like the module;
# the truncation is an event too, so an empty read may come first).
inplace() { printf '%s\n' "$2" >"$1"; }
# silent FILE TEXT: new bytes through a shared mapping: no inotify event
# at all; TEXT must be one byte shorter than the file.
silent() {
	python3 - "$1" "$2" <<'PY'
import mmap, sys
with open(sys.argv[1], "r+b") as f:
    m = mmap.mmap(f.fileno(), 0)
    m[:] = (sys.argv[2] + "\n").encode()
    m.close()
PY
}

export VFIOMIGTOP_NOTIFY=auto	# a local file system: notified
t_mon "$out" -b --events -d 0.05 --src "$root/src"
mon=$T_PID
t_wait_line ' src dev3 - RUNNING$' "$out"
inplace "$root/src/dev0/migration/state" "PRE_COPY"
t_check "a change written in place is seen" t_wait_line ' src dev0 [^ ]+ PRE_COPY( |$)' "$out"
t_state "$root/src" dev1 STOP
t_check "a state file renamed over is seen" t_wait_line ' src dev1 RUNNING STOP( |$)' "$out"
inplace "$root/src/dev0/migration/state" "RUNNING"
t_check "... and changes back" t_wait_line ' src dev0 [^ ]+ RUNNING( |$)' "$out"
if command -v python3 >/dev/null 2>&1; then
	# "RUNNIN!\n": not a state, but a change all the same.
	silent "$root/src/dev2/migration/state" "RUNNIN!"
	t_check "a change nobody notified is seen by the sweep" \
		t_wait_line ' src dev2 RUNNING <unparsable>' "$out"
else
	t_pass "(no python3: the unnotified change is not tried)"
fi
t_stop $mon

rm -rf "$root"
for i in $(seq 0 199); do
	mkdir -p "$root/src/d$i/migration"
	printf 'RUNNING\n' >"$root/src/d$i/migration/state"
done
# Work per refresh of an idle tree: the slots a refresh looks at
# (VFIOMIGTOP_DEBUG_READS tells at the end).  Polled, every slot at every
# refresh; notified, those that notified or were read, and the sweep's
# slice: the refresh of an idle tree costs the slice, not the tree.
looked() {
	env "$@" VFIOMIGTOP_DEBUG_READS=1 "$VFIOMIGTOP" -b -n 40 -d 0.05 \
		--src "$root/src" 2>&1 >/dev/null |
		sed -n 's/.* reads, \([0-9]*\) slots looked at$/\1/p'
}
lpolled=$(looked VFIOMIGTOP_NOTIFY=0)
lnotified=$(looked VFIOMIGTOP_NOTIFY=auto)
echo "slots looked at over 40 refreshes of 200 devices: polled $lpolled, notified $lnotified"
t_eq "polled: every slot at every refresh" "$lpolled" 8000
# The main thread looks at a read only when it has news: a device's
# first read, a file changed meanwhile.  The others come back from the
# reader as "the same bytes as before".
VFIOMIGTOP_NOTIFY=0 VFIOMIGTOP_DEBUG_READS=1 t_mon "$T_DIR/same.out" -b -n 40 \
	-d 0.05 --src "$root/src"
mon=$T_PID
t_wait_line '^snapshot 10 ' "$T_DIR/same.out"
t_state "$root/src" d7 PRE_COPY
t_wait_for "$T_WAIT" t_ended $mon
counts=$(sed -n 's/.*: \([0-9]*\) taken, \([0-9]*\) unchanged, \([0-9]*\) reads, .*/\1 \2 \3/p' \
	"$T_DIR/same.out.err")
echo "polled, 40 refreshes of 200 devices: taken, unchanged, reads: $counts"
set -- $counts
t_eq "polled: reads looked at: each device's first and the changed one" "${1:-}" 201
t_check "polled: the rest handed back unchanged (a read in flight at the end is neither)" \
	test "$(( ${1:-0} + ${2:-0} ))" -le "${3:-0}" -a "${2:-0}" -ge $(( ${3:-0} - 201 - 200 ))
t_check "polled: the changed file is read as it is" \
	grep -q '^src d7 PRE_COPY ' "$T_DIR/same.out"
t_state "$root/src" d7 RUNNING
t_check "notified: an idle refresh looks at under a quarter of them" \
	test $((lnotified * 4)) -lt "$lpolled"
# By default only the vfiomig module's trees (its status file says
# "arcs 1") are trusted to notify; any other tree, like upstream debugfs,
# is read whole at every refresh.
ldefault=$(looked -u VFIOMIGTOP_NOTIFY)
t_eq "default: a tree that is not the module's is polled" "$ldefault" 8000
printf 'arcs 1\narcs_missed 0\narcs_ring 256\n' >"$root/src/vfiomig"
lmodule=$(looked -u VFIOMIGTOP_NOTIFY)
echo "slots looked at by default: plain tree $ldefault, the module's $lmodule"
t_check "default: the module's tree notifies (under a quarter)" \
	test $((lmodule * 4)) -lt "$ldefault"
t_eq "VFIOMIGTOP_NOTIFY=0: the module's tree polled" "$(looked VFIOMIGTOP_NOTIFY=0)" 8000
rm "$root/src/vfiomig"

# Reads of an idle tree: count pread calls with strace over the same
# number of refreshes, notified and polled.
if ! command -v strace >/dev/null 2>&1; then
	t_done
fi
reads() {
	env "$@" strace -f -qq -e trace=pread64 -o "$T_DIR/strace" \
		"$VFIOMIGTOP" -b -n 40 -d 0.05 --src "$root/src" >/dev/null 2>&1
	grep -c 'pread64(' "$T_DIR/strace"
}
polled=$(reads VFIOMIGTOP_NOTIFY=0)
notified=$(reads VFIOMIGTOP_NOTIFY=auto)
echo "state reads over 40 refreshes of 200 devices: polled $polled, notified $notified"
# 41 refreshes of 200 devices, 8200 reads on an idle machine; a read
# still pending under strace at a refresh is not repeated then: on a
# machine running two CPU hogs beside make -j8 check, 3181 were seen.
# Polling re-reads every device again and again: ten sweeps at least.
t_check "polling reads every device again and again (10 sweeps or more)" \
	test "$polled" -ge 2000
t_check "notified, an idle tree costs under a quarter of the reads" \
	test $((notified * 4)) -lt "$polled"
t_done
