#!/bin/bash
# events.sh - the event pane at 80x24: Tab moves to it, the arrows, the
# page keys, Home and End scroll it (and it stays where it was as events
# come), / searches it, v keeps the verdicts, E in the details keeps one
# pair, Escape shows everything again.  And the header at 80x24: the
# counts and the alerts stay, a long path shortens in the middle, the time
# says its zone (--utc: UTC, with the date when there is room).
. "$(dirname "$0")/lib.sh"
export TZ=CET-1

S=$T_DIR/src
D=$T_DIR/dst
t_state "$S" 0000:3b:00.2 RUNNING
t_state "$D" 0000:3b:00.2 RESUMING
t_state "$S" 0000:5e:00.1 RUNNING

t_top 80 24 -d 0.1 --stuck 3600 --src "$S" --dst "$D"
t_ok "started at 80x24" t_wait $W DESTINATION

# A failed pair first, then enough steps of a lone device to push its
# verdict out of the pane.
t_state "$D" 0000:3b:00.2 ERROR
t_ok "the pair failed" t_wait $W "FAILED: destination entered ERROR"
line1() { t_screen | head -1; }
t_ok "80x24: the header keeps the pair counts" eval "line1 | grep -q '1 failed'"
t_ok "80x24: ... and the alerts" eval "line1 | grep -qE '! [0-9]+ alerts?'"
t_ok "80x24: ... and the time with its zone" eval "line1 | grep -qE '[0-9]{2}:[0-9]{2}:[0-9]{2} CET\$'"
t_ok "80x24: a long path shortens in the middle" \
	eval "t_screen | grep -qE '^SRC /tmp/.*….*/src  2 devices'"
t_ok "80x24: the verdict says its reason first" t_has "!FAILED error: "
t_flip "$S" 0000:5e:00.1 24
t_ok "26 events: the pane shows a page of them" t_wait_re $W "EVENTS 1-[0-9]+/26 "
t_not "the verdict is pushed out of the pane" t_has "FAILED: destination entered"

# v: verdicts only.
t_keys v
t_ok "v: verdicts only" t_wait $W "EVENTS verdicts only"
t_ok "... the verdict is back" t_has "FAILED: destination entered"
t_not "... and no step" t_has "PRE_COPY → RUNNING"
t_keys v
t_ok "v again: everything" t_wait_not $W "verdicts only"

# Tab: the pane has the keys.
t_keys Tab
t_ok "Tab: the events have the focus" t_wait $W "> EVENTS 1-"
t_ok "... the key bar says how to go back" t_has "Tab Table"
t_keys End
t_ok "End: the oldest events" t_wait_re $W "> EVENTS [0-9]+-26/26 "
t_ok "... the verdict among them" t_has "FAILED: destination entered"
t_keys Home
t_ok "Home: the newest again" t_wait $W "> EVENTS 1-"
t_keys Down
t_ok "Down: one older" t_wait $W "> EVENTS 2-"
t_keys NPage
t_ok "PgDn: a page older" t_wait_re $W "> EVENTS ([1-9][0-9]|[3-9])-"
t_keys PPage Up
t_ok "PgUp, Up: back to the newest" t_wait $W "> EVENTS 1-"
t_keys Down Down
t_ok "scrolled to the third" t_wait $W "> EVENTS 3-"
# A new event: the pane stays on the lines it showed.
t_state "$S" 0000:5e:00.1 PRE_COPY
t_ok "a new event: the pane keeps its lines" t_wait $W "> EVENTS 4-"
t_ok "... and counts it" t_has "/27 "
t_keys Home

# /: search the events (the table keeps all its rows).
t_keys / entered Enter
t_ok "/ in the events: a search" t_wait $W "search 'entered'"
t_ok "... finds the verdict" t_has "FAILED: destination entered"
t_not "... and only what matches" t_has "PRE_COPY → RUNNING"
t_ok "... the table is not filtered" t_has "0000:5e:00.1 PRE_COPY"
t_keys Escape
t_ok "Escape ends the search" t_wait_not $W "search 'entered'"

# E in the details: this pair's events only.
t_keys Tab Home Enter
t_ok "details of the first pair" t_wait $W TIMELINE
t_keys E
t_ok "E: the monitor, this pair's events" t_wait $W "> EVENTS one pair"
t_ok "... its verdict" t_has "FAILED: destination entered"
t_ok "... its step" t_has "RESUMING → ERROR"
t_not "... nothing of another device" t_has "PRE_COPY → RUNNING"
t_keys Escape
t_ok "Escape: every event again" t_wait $W "PRE_COPY → RUNNING"
t_not "... no pair filter left" t_has "one pair"

t_keys q
t_ok "q quits" t_wait_dead $W

# --utc: UTC, with the date when there is room.
t_top 140 30 -d 0.1 --utc --src "$S" --dst "$D"
t_ok "--utc: the date, the time and UTC" \
	t_wait_re $W '^vfiomigtop .* 20[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} UTC$'
t_keys q
t_wait_dead $W
t_done
