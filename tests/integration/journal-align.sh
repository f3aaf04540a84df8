#!/bin/bash
# journal-align.sh - the journals of two hosts (two boots, two clocks)
# replayed side by side: host B's clock is mapped to host A's with the
# offset A's agent measured for B, not with their wall clocks (B's is 5 s
# ahead here), so that the steps of both sides are ordered as they
# happened and the pair is judged on them; B's events are printed in B's
# own wall clock.  The journals are written by hand, per
# vfiomigtop-journal(5), CRCs included.
. "$(dirname "$0")/lib.sh"

V=$VFIOMIGTOP
S=1000000000			# ns per second
A_OFF=1000000000000000000	# host A: CLOCK_REALTIME - CLOCK_MONOTONIC
B_OFF=1000000505000000000	# host B: its monotonic clock started 505 s later
# and host B's wall clock is 5 s ahead of host A's (NTP was off).

# rec TEXT: TEXT as a journal line, with its CRC-32 (gzip's trailer has it).
rec() {
	local c
	c=$(printf '%s' "$1" | gzip -c | tail -c 8 | head -c 4 | od -An -tx4 | tr -d ' \n')
	printf '%s %s\n' "$1" "$c"
}
hdr() {	# hdr HOST BOOT REAL_OFF NSRC
	rec "J vfiomigtop-journal schema=1 writer=test session=$(printf %016x "$RANDOM$RANDOM") file=0 path=/var/log/$1.j host=$1 kernel=6.12.9 boot=$2 module= real_off=$3 start=1 delay=1000000000 stuck=30000000000 busy=30000000000 tomb=60000000000 nsrc=$4"
}
t() { echo $(( $1 * S / 10 )); }	# t DECISECONDS: ns

# Host A: its own source device, and host B's through an agent (which
# measured B's clock at +5 s).
with_agent() {
	hdr hosta boot-a $A_OFF 2
	rec "S i=0 feed=src kind=debugfs spec=/sys/kernel/debug/vfio files=kernel-debugfs kernel=6.12.9 module="
	rec "S i=1 feed=dst kind=agent spec=ssh://hostb files=remote kernel= module="
	rec "r $(t 10000) @0 N1 E1 C0 #0 g1 p1 ndev0 vRUNNING r-1000 s-2000 @1 N1 E1 Hhostb O$((5 * S)) C0 #0 g1 p1 ndev0 vRUNNING r-1000 s-2000"
}
without_agent() {
	hdr hosta boot-a $A_OFF 1
	rec "S i=0 feed=src kind=debugfs spec=/sys/kernel/debug/vfio files=kernel-debugfs kernel=6.12.9 module="
	rec "r $(t 10000) @0 N1 E1 C0 #0 g1 p1 ndev0 vRUNNING r-1000 s-2000"
}
a_rest() {	# the source migrates: PRE_COPY at 1001 s, STOP_COPY 1002, STOP 1003
	rec "r $(t 10010) @0 C0 #0 vPRE_COPY r-1000 s-2000 q-$S"
	rec "r $(t 10020) @0 C0 #0 vSTOP_COPY r-1000 s-2000 q-$S"
	rec "r $(t 10030) @0 C0 #0 vSTOP r-1000 s-2000 q-$S"
	rec "r $(t 10040) @0 #0 s-2000"
	rec "r $(t 10050) @0 #0 s-2000"
}
# Host B: RESUMING at A's 1001.5 s, RUNNING_P2P at A's 1003.5 s, in its
# own monotonic clock (505 s behind A's, wall clock 5 s ahead).
b_journal() {
	hdr hostb boot-b $B_OFF 1
	rec "S i=0 feed=src kind=debugfs spec=/sys/kernel/debug/vfio files=kernel-debugfs kernel=6.12.9 module="
	rec "r $(t 4950) @0 N1 E1 C0 #0 g1 p1 ndev0 vRUNNING r-1000 s-2000"
	rec "r $(t 5015) @0 C0 #0 vRESUMING r-1000 s-2000 q-$S"
	rec "r $(t 5025) @0 #0 s-2000"
	rec "r $(t 5035) @0 C0 #0 vRUNNING_P2P r-1000 s-2000 q-$S"
	rec "r $(t 5045) @0 #0 s-2000"
}
{ with_agent; a_rest; } >"$T_DIR/a.j"
{ without_agent; a_rest; } >"$T_DIR/a0.j"
b_journal >"$T_DIR/b.j"

"$V" -r "$T_DIR/a.j" -r "$T_DIR/b.j" -b --events >"$T_DIR/out" 2>"$T_DIR/err"; rc=$?
t_grep "the offset A's agent measured aligns B's clock" \
	"hostb's clock aligned with hosta's by the offset an agent measured \(\+5\.000 s\)" "$T_DIR/err"
t_eq "the pair completed: exit status 0" "$rc" 0
order=$(awk '{ print $2, $4, $5 }' "$T_DIR/out" | grep -v '^pair' | tr '\n' '|')
t_eq "the steps of both hosts in the order they happened" "$order" \
	"dst - RUNNING|src - RUNNING|src RUNNING PRE_COPY|dst RUNNING RUNNING_P2P|dst RUNNING_P2P STOP|dst STOP RESUMING|src PRE_COPY PRE_COPY_P2P|src PRE_COPY_P2P STOP_COPY|src STOP_COPY STOP|dst RESUMING STOP|dst STOP RUNNING_P2P|"
t_grep "... and the pair is judged on them: completed in 2.5 s" ' pair dev0 dev0 completed 2\.500$' "$T_DIR/out"
# B's RESUMING: read at its monotonic 501.5 s - 1 us, printed in its own
# wall clock: 1e18 ns + 1006.5 s = 2001-09-09T02:03:26.499Z.
t_grep "B's events in B's own wall clock" '^2001-09-09T02:03:26\.499Z dst dev0 STOP RESUMING$' "$T_DIR/out"
t_grep "A's events in A's" '^2001-09-09T02:03:20\.999Z src dev0 RUNNING PRE_COPY$' "$T_DIR/out"
t_check "... no agent's copy of B's device beside B's own journal" \
	test "$(grep -c ' dst dev0 - RUNNING$' "$T_DIR/out")" = 1

# Without an agent, the wall clocks are taken as equal: B seems 5 s late,
# and that is said.
"$V" -r "$T_DIR/a0.j" -r "$T_DIR/b.j" -b --events >"$T_DIR/out0" 2>"$T_DIR/err0"
t_grep "no measured offset: said" "no agent measured the offset between hostb's and hosta's clocks: their wall clocks are taken as equal" "$T_DIR/err0"
order=$(awk '{ print $2, $4, $5 }' "$T_DIR/out0" | grep -v '^pair' | tr '\n' '|')
t_check "... B's steps come after all of A's (5 s late)" \
	bash -c "grep -q 'src STOP_COPY STOP|dst RUNNING RUNNING_P2P|' <<<'$order'"
t_grep "... and the duration is off by those 5 s" ' pair dev0 dev0 completed 7\.500$' "$T_DIR/out0"
t_done
