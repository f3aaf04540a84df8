#!/bin/bash
# The module's arc log, as vfiomig.ko writes it (doc/vfiomig.4): exact
# steps with the kernel's times, and losses.  When arcs were lost (the
# status file's arcs_missed grew: the kernel's probe missed them, or a
# gap in the sequence numbers), nothing is concluded from the log for
# that stretch: never a failed step or a reset, never a failed verdict.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || t_skip "python3 is not installed"
root=$T_DIR/root
out=$T_DIR/out
mono() { python3 -c 'import time; print(time.monotonic_ns())'; }

# dev SIDE NAME: a device with an empty arc log, RUNNING.
dev() {
	mkdir -p "$root/$1/$2/migration"
	: >"$root/$1/$2/migration/arcs"
	t_state "$root/$1" "$2" RUNNING
}
# arcs SIDE NAME "SEQ CUR NEXT TARGET"...: append steps like the module.
# The kernel's reads of a state wait for the request under way (the
# driver's state mutex), so an arc chosen before a read began is always
# reflected in it; plain files cannot wait, so the monitor is stopped
# (SIGSTOP) while a step's arcs and state change (see step).
arcs() {
	local side=$1 name=$2 t a
	shift 2
	t=$(mono)
	for a in "$@"; do
		set -- $a
		printf '%s %s %s %s %s 0\n' "$1" "$t" "$2" "$3" "$4" \
			>>"$root/$side/$name/migration/arcs"
	done
}
status() { printf 'arcs 1\narcs_missed %s\narcs_ring 256\n' "$2" >"$root/$1/vfiomig"; }
# step SIDE NAME STATE ARC...: the arcs, then the state, atomically for
# the monitor (held stopped meanwhile).
step() {
	local side=$1 name=$2 state=$3
	shift 3
	kill -STOP "$mon"
	[ $# -gt 0 ] && arcs "$side" "$name" "$@"
	t_state "$root/$side" "$name" "$state"
	kill -CONT "$mon"
}

for side in src dst; do
	dev "$side" a
	dev "$side" b
	status "$side" 0
done
t_mon "$out" -b --events -d 0.05 --src "$root/src" --dst "$root/dst"
mon=$T_PID
t_at_exit "kill -CONT $mon 2>/dev/null"
t_wait_line "$(t_seen_re dst b RUNNING)" "$out"

# Both pairs migrate; every step is in the log.
for d in a b; do
	step src $d PRE_COPY "1 RUNNING PRE_COPY PRE_COPY"
	step dst $d RESUMING "1 RUNNING RUNNING_P2P RESUMING" \
		"2 RUNNING_P2P STOP RESUMING" "3 STOP RESUMING RESUMING"
	t_wait_line " dst $d STOP RESUMING arc$" "$out"
	step src $d STOP "2 PRE_COPY PRE_COPY_P2P PRE_COPY_P2P" \
		"3 PRE_COPY_P2P STOP_COPY STOP_COPY" "4 STOP_COPY STOP STOP"
	t_wait_line " src $d STOP_COPY STOP arc$" "$out"
done
t_nogrep "the steps are exact (arc), none inferred" ' (src|dst) (a|b) .* inferred$' "$out"

# a: the probe missed RESUMING -> STOP (sequence numbers stay contiguous;
# the status file counts it).
kill -STOP "$mon"
status dst 1
kill -CONT "$mon"
step dst a RUNNING "4 STOP RUNNING_P2P RUNNING_P2P" "5 RUNNING_P2P RUNNING RUNNING"
t_check "missed probe: the destination's change is seen" \
	t_wait_line ' dst a RESUMING RUNNING_P2P( |$)| dst a RESUMING RUNNING( |$)' "$out"
# b: the arc log lost RESUMING -> STOP (a gap in the sequence numbers).
step dst b RUNNING "5 STOP RUNNING_P2P RUNNING_P2P" "6 RUNNING_P2P RUNNING RUNNING"
t_check "sequence gap: the destination's change is seen" \
	t_wait_line ' dst b RESUMING RUNNING_P2P( |$)| dst b RESUMING RUNNING( |$)' "$out"
t_wait_line ' pair b b (completed|uncertain) ' "$out"
t_stop $mon
t_nogrep "a loss is never a failed step or a reset" ' dst (a|b) .*(failed|nopath)$' "$out"
t_nogrep "... nor a failed verdict" ' pair (a|b) (a|b) failed ' "$out"
t_grep "after the loss the pair is judged from what was seen" ' pair a a (completed|uncertain) ' "$out"
t_done
