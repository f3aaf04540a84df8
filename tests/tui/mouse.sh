#!/bin/bash
# mouse.sh - at 80x24: a click selects a row, a click on a heading sorts
# by it (again: the other way), a click on the events gives them the keys,
# the wheel scrolls the table and the events, and moves the details.
. "$(dirname "$0")/lib.sh"

S=$T_DIR/src
D=$T_DIR/dst
for dev in 0000:3b:00.2 0000:3b:00.3 0000:5e:00.1; do
	t_state "$D" "$dev" RUNNING
done
t_state "$S" 0000:3b:00.2 STOP_COPY
t_state "$S" 0000:3b:00.3 RUNNING
t_state "$S" 0000:5e:00.1 PRE_COPY
t_state "$S" 0000:af:00.1 RUNNING	# alone: its steps make no verdicts

t_top 80 24 -d 0.2 --src "$S" --dst "$D"
t_ok "started at 80x24" t_wait $W DESTINATION
t_ok "the first row is selected" t_wait $W " 1/4 "

# col TEXT: the screen column (from 0) where TEXT starts on the headings.
col() { t_line DEVICE | awk -v s="$1" '{ print index($0, s) - 1 }'; }
line() { echo $(( $(t_lineno "$1") - 1 )); }

t_click 3 "$(line 0000:5e:00.1)"
t_ok "a click selects its row" t_wait $W " 3/4 "
t_click "$(col STATE)" "$(line DEVICE)"
t_ok "a click on STATE sorts by state" t_wait $W "Sort:state "
t_click "$(col STATE)" "$(line DEVICE)"
t_ok "again: the other way" t_wait $W "Sort:state-"
t_click "$(col VERDICT)" "$(line DEVICE)"
t_ok "a click on VERDICT sorts by verdict" t_wait $W "Sort:verdict"
t_click "$(col DEVICE)" "$(line DEVICE)"
t_ok "a click on DEVICE sorts by name" t_wait $W "Sort:name "

t_keys Home
t_wait $W " 1/4 "
t_wheel down 10 "$(line 0000:3b:00.2)"
t_ok "the wheel moves down the table (3 rows)" t_wait $W " 4/4 "
t_wheel up 10 "$(line 0000:3b:00.2)"
t_ok "... and up" t_wait $W " 1/4 "

# Events to scroll: more than the pane holds.
t_flip "$S" 0000:af:00.1 20
t_ok "the events fill the pane" t_wait_re $W "EVENTS 1-[0-9]+/[0-9]+ "
t_click 10 "$(( $(line EVENTS) + 2 ))"
t_ok "a click on the events gives them the keys" t_wait $W "> EVENTS 1-"
t_wheel down 10 "$(( $(line EVENTS) + 2 ))"
t_ok "the wheel scrolls the events" t_wait $W "> EVENTS 4-"
t_wheel up 10 "$(( $(line EVENTS) + 2 ))"
t_ok "... and back" t_wait $W "> EVENTS 1-"
t_click 3 "$(line 0000:3b:00.2)"
t_ok "a click on a row gives the table the keys again" t_wait_re $W "── EVENTS 1-"

t_keys h
t_ok "help" t_wait $W "any key returns"
t_click 10 10
t_ok "a click closes the help" t_wait_not $W "any key returns"
t_ok "... back to the monitor" t_wait $W DESTINATION
t_keys q
t_ok "q quits" t_wait_dead $W
t_done
