#!/bin/bash
# keys.sh - the keys: help (closed by any key, q and Esc included, without
# quitting), Esc never quits, filter, sort, problems, details, pause, delay,
# ASCII, redraw, quit.
. "$(dirname "$0")/lib.sh"

S=$T_DIR/src
D=$T_DIR/dst
for dev in 0000:3b:00.2 0000:3b:00.3 0000:5e:00.1; do
	t_state "$D" "$dev" RUNNING
done
t_state "$S" 0000:3b:00.2 STOP_COPY
t_state "$S" 0000:3b:00.3 RUNNING
t_state "$S" 0000:5e:00.1 PRE_COPY

t_top 120 30 -d 0.2 --src "$S" --dst "$D"
t_ok "started" t_wait $W DESTINATION
alive() { ! t_dead; }

# Help: h ? F1 open it; any key closes it, q and Escape included.
for open in h '?' F1; do
	for close in q Escape x; do
		t_keys "$open"
		if ! t_wait $W "any key returns"; then
			t_fail "$open opens the help"
			continue
		fi
		t_keys "$close"
		if t_wait $W DESTINATION && t_wait_not $W "any key returns" && alive; then
			t_pass "$open opens the help, $close closes it"
		else
			t_fail "$open then $close"
		fi
	done
done
t_keys h
t_wait $W "any key returns"
t_ok "the help lists the keys" t_has "filter names"
t_ok "the help shows the markers" t_has "vanished"
t_ok "... the reset marker" t_has "# by no kernel step (reset)"
t_ok "... the stale marker" t_has "? last known (host lost)"
t_ok "... busy" t_has "busy read pending"
t_keys Space
t_wait $W DESTINATION

# Keys are handled in order: once the help that follows Escape shows, the
# Escape was handled without quitting.
t_keys Escape h
t_ok "Escape does not quit" t_wait $W "any key returns"
t_ok "... still running" alive
t_keys Space
t_wait $W DESTINATION

# Sort: by name first, then by state (RUNNING, PRE_COPY, STOP_COPY).
order() { [ "$(t_lineno "$1")" -lt "$(t_lineno "$2")" ] && [ "$(t_lineno "$2")" -lt "$(t_lineno "$3")" ]; }
t_ok "sorted by name" order 0000:3b:00.2 0000:3b:00.3 0000:5e:00.1
t_keys o
t_ok "o: sort by state" t_wait $W "Sort:state"
t_ok "sorted by state" order 0000:3b:00.3 0000:5e:00.1 0000:3b:00.2
t_keys I
t_ok "I: inverted" t_wait $W "Sort:state-"
t_ok "sorted by state, inverted" order 0000:3b:00.2 0000:5e:00.1 0000:3b:00.3
t_keys I '<'
t_ok "<: back to name" t_wait $W "Sort:name "

# row DEVICE: an ERE for the table's row of DEVICE, not the events pane's
# lines, which name it too once it has changed.
row() { printf '^. %s +[A-Z]' "${1//./\\.}"; }

# Filter: substring, pattern, Escape clears.
t_keys / 3b:00.3 Enter
t_ok "filter shown in the header" t_wait $W "filter '3b:00.3'"
t_ok "filter keeps the match" t_has 0000:3b:00.3
t_not "filter hides the rest" t_has 0000:5e:00.1
t_keys Escape
t_ok "Escape clears the filter" t_wait_re $W "$(row 0000:5e:00.1)"
t_keys f '*:5e:*' Enter
t_ok "pattern filter" t_wait_not $W 0000:3b:00.2
t_ok "pattern filter keeps the match" t_has 0000:5e:00.1
t_keys f Escape
t_ok "Escape in the prompt clears the filter" t_wait_re $W "$(row 0000:3b:00.2)"

# Problems only.
t_state "$D" 0000:3b:00.3 ERROR
t_wait $W "ERROR"
t_keys e
t_ok "e: problems only" t_wait_not $W 0000:5e:00.1
t_ok "e: the problem stays" t_has 0000:3b:00.3
t_keys e
t_ok "e again: all rows" t_wait_re $W "$(row 0000:5e:00.1)"

# Details of the selected row (the second: 0000:3b:00.3).
t_keys Home Down Enter
t_ok "Enter: details" t_wait $W TIMELINE
t_ok "details: the pair" t_has "0000:3b:00.3"
t_ok "details: the failure" t_has "FAILED"
t_ok "details: the timeline" t_wait_re $W 'dst   RUNNING +→ ERROR'
t_keys q
t_ok "q closes the details" t_wait $W DESTINATION
t_ok "q in details does not quit" alive
t_keys Enter
t_wait $W TIMELINE
t_keys Escape
t_ok "Escape closes the details" t_wait $W DESTINATION

# Pause: nothing changes until resumed.
t_keys p
t_ok "p: paused" t_wait $W PAUSED
t_state "$S" 0000:5e:00.1 STOP_COPY
sleep 0.8
t_not "paused: no sampling" eval "t_line 0000:5e:00.1 | grep -q STOP_COPY"
t_keys Space
t_ok "Space: resumed" t_wait_not $W PAUSED
t_ok "resumed: the change shows" t_wait_re $W '0000:5e:00\.1 +STOP_COPY'

# Delay: validated like -d.
t_keys d 0.5 Enter
t_ok "d: delay set" t_wait $W "every 500 ms"
t_keys s abc Enter
t_ok "invalid delay refused" t_wait $W "invalid delay"
t_ok "delay unchanged" t_has "every 500 ms"
t_keys d 0.005 Enter
t_ok "too small a delay refused" t_wait $W "give seconds from 0.01 to 3600"
t_keys d
t_ok "the delay prompt shows the current value" t_wait $W "now 0.5,"
t_keys Escape
t_wait_not $W "now 0.5,"
# A message ends with what it says: the frame that shows the new delay
# no longer shows the old refusal.
t_keys d 0.4 Enter
t_ok "valid delay after an invalid one" t_wait $W "every 400 ms"
t_not "... the old 'invalid delay' is gone" t_has "invalid delay"
t_keys e
t_ok "e: says problems only" t_wait $W "showing problems only"
t_keys Escape
t_ok "Escape: all rows again" t_wait_re $W "$(row 0000:5e:00.1)"
t_not "... and the bar no longer says problems only" t_has "problems only"

# htop's function keys: F6 and F5 sort, F3 and F4 filter.
t_keys F6
t_ok "F6: next sort key" t_wait $W "Sort:state"
t_keys F5
t_ok "F5: previous sort key" t_wait $W "Sort:name "
for k in F3 F4; do
	t_keys "$k"
	t_ok "$k: the filter prompt" t_wait $W "Filter (substring"
	t_keys Escape
	t_wait_not $W "Filter (substring"
done

# ASCII toggle, redraw, refresh.
t_keys A
t_ok "A: ASCII lines" t_wait $W '-- SOURCE ---'
t_keys A
t_ok "A again: Unicode lines" t_wait $W '─ SOURCE ─'
t_keys C-l r
t_ok "^L and r keep the screen" t_wait $W DESTINATION

t_keys q
t_ok "q quits" t_wait_dead 2
st=$(t_status)
t_ok "exit status 0 (got $st)" [ "$st" = 0 ]

# F10 quits, from the monitor and from the details.
t_top 120 30 -d 0.2 --src "$S" --dst "$D"
t_ok "started again" t_wait $W DESTINATION
t_keys F10
t_ok "F10 quits" t_wait_dead $W
t_top 120 30 -d 0.2 --src "$S" --dst "$D"
t_ok "started again" t_wait $W DESTINATION
t_keys Enter
t_ok "details" t_wait $W TIMELINE
t_keys F10
t_ok "F10 quits from the details" t_wait_dead $W
t_done
