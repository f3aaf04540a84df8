#!/bin/bash
# panes.sh - the two panes: a pair on one line, a transition shown within one
# refresh with its event, markers, alerts, escaped names, colours, one pane.
. "$(dirname "$0")/lib.sh"

S=$T_DIR/src
D=$T_DIR/dst
t_state "$S" 0000:3b:00.2 RUNNING
t_state "$D" 0000:3b:00.2 RESUMING
t_state "$S" 0000:3b:00.3 RUNNING
t_state "$D" 0000:3b:00.3 RUNNING
t_state "$S" 0000:5e:00.1 RUNNING
t_state "$S" $'evil\e[31mname' RUNNING

# --stuck: no verdict here depends on how long the test takes.
t_top 120 30 -d 0.2 --stuck 3600 --src "$S" --dst "$D"
t_ok "both panes are shown" t_wait $W DESTINATION
t_ok "source pane" t_has SOURCE
t_ok "verdict column" t_has VERDICT
pair_line() { t_line 0000:3b:00.2 | grep -qE 'RUNNING +[^ ]+ +[0-9]+ +│ +RESUMING'; }
t_ok "a pair's two devices on one line" pair_line
t_ok "a lone device is listed, unpaired" t_wait_re $W '0000:5e:00\.1 .*unpaired'
t_ok "control characters in names are escaped" t_has 'evil\x1b[31mname'
t_not "no raw escape reaches the screen" eval "t_screen | grep -q $'\e'"
t_ok "colours are used" eval "t_screen_e | grep -qE $'\e\\\\[([0-9;]*;)?3[0-7]m'"

# A transition shows, highlighted, with its event (how soon is measured by
# tests/bench/tui-cpu.sh, not here: a busy machine decides that).
start=$(t_ms)
t_state "$S" 0000:3b:00.2 PRE_COPY
if t_wait_re $W '\* 0000:3b:00\.2 +PRE_COPY'; then
	t_pass "transition shown, marked changed (after $(( $(t_ms) - start )) ms)"
else
	t_fail "transition not shown"
	t_screen | sed 's/^/    | /'
fi
t_ok "event with ms timestamp, side, device, from -> to" \
	t_wait_re $W '[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} src +0000:3b:00\.2 .*RUNNING → PRE_COPY'
t_ok "the pair is migrating" t_wait_re $W '0000:3b:00\.2 .*pre-copy'

# Steps polling missed: rebuilt only where one way is plausible, and
# marked; RUNNING then STOP_COPY may have gone through PRE_COPY or STOP.
t_state "$S" 0000:3b:00.3 STOP_COPY
t_ok "missed steps are marked in the events, not guessed" t_wait_re $W '~ RUNNING ⇢ STOP_COPY +\(steps missed\)'
t_ok "the changed cell is marked ~" t_wait_re $W '~ 0000:3b:00\.3 +STOP_COPY'
t_state "$D" 0000:3b:00.3 RESUMING
t_ok "the one plausible way is shown, inferred" t_wait_re $W '~ RUNNING → RUNNING_P2P +\(inferred\)'

# ERROR stays marked until acknowledged.
t_state "$D" 0000:3b:00.2 ERROR
t_ok "ERROR is marked !" t_wait_re 1 '│! ERROR'
t_ok "the pair failed, its reason word first" t_wait_re $W '!FAILED error: destination entered ERROR'
t_ok "the failure is an event" t_wait_re $W 'pair 0000:3b:00\.2 +! FAILED: destination entered ERROR from RESUMING'
t_ok "the header counts alerts" t_wait $W "! 2 alerts"
sleep 0.5
t_ok "still marked after the highlight time" t_wait_re 1 '│! ERROR'
t_keys a
t_ok "a acknowledges" t_wait_not $W "! 2 alerts"
t_not "no alert marker left" eval "t_screen | grep -q '│! ERROR'"

# A vanished device stays as a tombstone.
rm -rf "${S:?}/0000:5e:00.1"
t_ok "vanished device kept as a tombstone" t_wait_re $W '† 0000:5e:00\.1 +<gone>'

# A tombstone's time runs out with nothing else changing: the rows and
# counts the screen keeps between changes know when to look again.
# Idle trees: no attempt under way, nothing read changes.
TS=$T_DIR/tsrc
TD=$T_DIR/tdst
t_state "$TS" 0000:3b:00.2 RUNNING
t_state "$TD" 0000:3b:00.2 RUNNING
t_state "$TS" 0000:77:00.1 RUNNING
t_top 120 30 -d 0.2 --stuck 3600 --tombstone 2 --no-owners --src "$TS" --dst "$TD"
t_ok "tombstone: a device" t_wait $W '  0000:77:00.1 '
t_ok "tombstone: counted" t_wait_re $W '^SRC .* 2 devices:'
rm -rf "${TS:?}/0000:77:00.1"
t_ok "tombstone: kept a while" t_wait_re $W '† 0000:77:00\.1 +<gone>'
t_ok "tombstone: gone after --tombstone, with no news" t_wait_not $W '† 0000:77:00.1'
t_ok "tombstone: counted no more" t_wait_re $W '^SRC .* 1 device:'
# Idle trees: a frame the same as the last is not drawn again, but what
# changes by time alone still does: a row's times, a fresh change's
# tenths, the clock.
clock() { t_screen | head -n 1 | grep -oE '[0-9]{2}:[0-9]{2}:[0-9]{2}'; }
moved() { [ "$(t_line "$1")" != "$2" ]; }
row=$(t_line ' 0000:3b:00.2 ')
t_ok "idle: a row's times tick" t_until $W moved ' 0000:3b:00.2 ' "$row"
now=$(clock)
t_ok "idle: the clock ticks" t_until $W eval '[ "$(clock)" != "$now" ]'
t_state "$TS" 0000:3b:00.2 STOP
t_ok "idle: a change is shown" t_wait_re $W ' 0000:3b:00\.2 +STOP +[0-9.]+m?s '
row=$(t_line ' 0000:3b:00.2 ')
t_ok "idle: its time ticks from the change on" t_until $W moved ' 0000:3b:00.2 ' "$row"

# A second's tick redraws the clock and the times alone.  What it leaves
# is what a full redraw draws, colours and the selected row included:
# within one second of the clock (a time counted in seconds ticks with
# it), a screen the tick drew and the one after the help (all redrawn)
# are the same.
TP=$T_DIR/psrc
TQ=$T_DIR/pdst
for b in 0000:3b:00.2 0000:3b:00.3 0000:77:00.1; do
	t_state "$TP" $b RUNNING
	t_state "$TQ" $b RUNNING
done
t_top 120 30 -d 0.2 --no-owners --src "$TP" --dst "$TQ"
t_ok "times alone: devices listed" t_wait $W ' 0000:77:00.1 '
# Every time on screen counted in seconds (ten or more).
in_seconds() { [ "$(t_screen | grep -cE ' RUNNING +[1-9][0-9]+s ')" = 3 ]; }
t_ok "times alone: every time in seconds" t_until 60 in_seconds
# A screen with its times hidden: the clock and every row's time.
untimed() {
	sed -E 's/[0-9]{2}:[0-9]{2}:[0-9]{2}/hh:mm:ss/g
		s/( +)[0-9]+(\.[0-9]+)?(ms|s|m|h|d)([0-9]+(s|m|h))?( |$|\x1b)/\1T\6/g'
}
full_same() {
	local c0 before after
	# A screen the tick drew: the clock moved since the last full redraw.
	c0=$(clock)
	t_until $W eval '[ "$(clock)" != "$c0" ]' || return 1
	before=$(t_screen_e)
	t_keys h
	t_wait $W "any key returns" || return 1
	t_keys x
	t_wait $W DESTINATION || return 1
	after=$(t_screen_e)
	printf '%s\n' "$before" >"$T_DIR/tick.screen"
	printf '%s\n' "$after" >"$T_DIR/full.screen"
	if [ "$(head -n 1 <<<"$before")" = "$(head -n 1 <<<"$after")" ]; then
		same_how="exactly"
		[ "$before" = "$after" ]
	else
		# A machine so busy that the help and back took past the
		# second: the times moved; the rest (text, colours, the
		# selected row) must still be the same.
		same_how="but for the times (the clock moved meanwhile)"
		[ "$(untimed <<<"$before")" = "$(untimed <<<"$after")" ]
	fi
}
if t_until 60 full_same; then
	t_pass "times alone: the screen is what a full redraw draws, $same_how"
else
	t_fail "times alone: the screen is what a full redraw draws"
	diff <(untimed <"$T_DIR/tick.screen") <(untimed <"$T_DIR/full.screen") |
		cat -v | sed 's/^/    | /'
fi

# Monochrome: NO_COLOR and -C.
colour_free() { ! t_screen_e | grep -qE $'\e\\[([0-9;]*;)?(3[0-7]|4[0-7]|9[0-7]|38;|48;)'; }
t_start 100 25 "env NO_COLOR=1 $VFIOMIGTOP -d 0.2 --src $S --dst $D"
t_wait $W DESTINATION
t_ok "NO_COLOR: no colour" colour_free
t_top 100 25 -C -d 0.2 --src "$S" --dst "$D"
t_wait $W DESTINATION
t_ok "-C: no colour" colour_free
t_ok "a device first read in ERROR is a status: idle, not an alert" t_wait_re 1 '│  ERROR idle '
t_state "$D" 0000:3b:00.3 ERROR
t_ok "-C: markers still shown" t_wait_re $W '│! ERROR'

# One side only: one pane over the whole width.
t_top 100 25 -d 0.2 --src "$S"
t_ok "one side: one pane" t_wait $W SOURCE
t_not "one side: no destination pane" t_has DESTINATION
t_not "one side: no verdict" t_has VERDICT

# ASCII line drawing.
t_top 100 25 --ascii -d 0.2 --src "$S" --dst "$D"
t_ok "--ascii draws with ASCII" t_wait $W '-- SOURCE ---'
t_not "--ascii: no Unicode lines" t_has '─'

t_keys q
t_ok "q quits" t_wait_dead 2
t_done
