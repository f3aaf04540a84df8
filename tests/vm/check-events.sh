#!/bin/sh
# check-events.sh EVENTS SRC DST: check what `vfiomigtop -b --events --pair
# SRC=DST` printed in the guest during migtest's run (tests/vm/migtest.c):
# every step of both devices in order, the hidden P2P steps from the arc
# log (nothing inferred), a completed verdict for the migration, and a
# failed verdict naming the destination for the rejected loads.
# check-events.sh --notify EVENTS SRC DST: the same output from a monitor
# refreshing every 60 s: it can only have seen the migration through the
# module's change notification.
# check-events.sh --unload EVENTS DEV...: what two `vfiomigtop -b --events`
# printed around the unload (the guest's "unload events"): the first saw
# each DEV RUNNING; rmmod was refused while it ran; it was stopped, the
# module unloaded and loaded again; a second monitor, started after the
# separator line, saw each DEV RUNNING again.
# check-events.sh --replug EVENTS DEV: the first monitor of the same output
# saw DEV go (<gone>) and come back (RUNNING) when the device was removed
# and created again under open files.
set -u
notify=0 unload=0 replug=0
[ "$1" = --notify ] && { notify=1; shift; }
[ "$1" = --unload ] && { unload=1; shift; }
[ "$1" = --replug ] && { replug=1; shift; }
ev=$1 a=$2 b=${3:-}
fails=0
ok() { echo "ok - $*"; }
ko() { echo "not ok - $*"; fails=$((fails + 1)); }

[ -s "$ev" ] || { ko "no vfiomigtop output in $ev"; exit 1; }

# in_order DESC PATTERN...: the patterns match lines of $ev in this order.
pat=$(mktemp)
trap 'rm -f "$pat"' EXIT
in_order() {
	desc=$1
	shift
	printf '%s\n' "$@" >"$pat"
	awk 'NR == FNR { want[++n] = $0; next }
		k < n && $0 ~ want[k + 1] { k++ }
		END { exit k < n }' "$pat" "$ev" && ok "$desc" || ko "$desc"
}
RESTART="^=== monitor stopped, module unloaded and loaded, monitor started ===\$"
if [ "$unload" = 1 ]; then
	shift
	for dev in "$@"; do
		in_order "$dev: RUNNING before the unload, RUNNING for a monitor started after the reload" \
			"^[0-9T:.Z-]+ src $dev - RUNNING\$" "$RESTART" \
			"^[0-9T:.Z-]+ src $dev - RUNNING\$"
	done
	[ "$fails" -eq 0 ]
	exit
fi
if [ "$replug" = 1 ]; then
	in_order "$a: RUNNING, gone when removed under open files, back when created again" \
		"^[0-9T:.Z-]+ src $a - RUNNING\$" \
		"^[0-9T:.Z-]+ src $a RUNNING <gone>\$" \
		"^[0-9T:.Z-]+ src $a <gone> RUNNING\$" "$RESTART"
	[ "$fails" -eq 0 ]
	exit
fi
S="^[0-9T:.Z-]+ src $a"
D="^[0-9T:.Z-]+ dst $b"
if [ "$notify" = 1 ]; then
	in_order "change notification: a 60 s monitor saw the source's steps at once" \
		"$S RUNNING PRE_COPY arc\$" "$S PRE_COPY_P2P STOP_COPY arc\$" "$S STOP_COPY STOP arc\$"
	in_order "change notification: ... and the destination's" \
		"$D STOP RESUMING arc\$" "$D RUNNING_P2P RUNNING arc\$"
	in_order "change notification: ... and judged the pair at once" \
		" pair $a $b completed [0-9.]+\$"
	[ "$fails" -eq 0 ]
	exit
fi
in_order "source steps in order, hidden PRE_COPY_P2P from the arc log" \
	"$S - RUNNING\$" "$S RUNNING PRE_COPY arc\$" "$S PRE_COPY PRE_COPY_P2P arc\$" \
	"$S PRE_COPY_P2P STOP_COPY arc\$" "$S STOP_COPY STOP arc\$"
in_order "destination steps in order, hidden P2P steps from the arc log" \
	"$D - RUNNING\$" "$D RUNNING RUNNING_P2P arc\$" "$D RUNNING_P2P STOP arc\$" \
	"$D STOP RESUMING arc\$" "$D RESUMING STOP arc\$" "$D STOP RUNNING_P2P arc\$" \
	"$D RUNNING_P2P RUNNING arc\$"
in_order "the migration is judged completed, then the rejected load fails" \
	" pair $a $b completed [0-9.]+\$" \
	"$D RUNNING ERROR refused\$" \
	"$D RESUMING STOP failed\$" \
	" pair $a $b failed dst step-failed \"destination rejected the migration data \\(RESUMING -> STOP failed\\)\"\$" \
	"$D RESUMING RUNNING nopath\$"
if grep -E " (src $a|dst $b) .* inferred\$" "$ev" >/dev/null; then
	ko "nothing inferred when the arc log is there"
	grep -E " inferred\$" "$ev"
else
	ok "nothing inferred when the arc log is there"
fi
[ "$fails" -eq 0 ]
