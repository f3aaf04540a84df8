#!/bin/bash
# alerts.sh - at 80x24: L lists the alerts, newest first; a acknowledges
# the selected one, A the rest; acknowledged alerts stay listed and the
# failure stays in its pair's attempts; q goes back.
. "$(dirname "$0")/lib.sh"

S=$T_DIR/src
D=$T_DIR/dst
t_state "$S" 0000:3b:00.2 RUNNING
t_state "$D" 0000:3b:00.2 RESUMING

t_top 80 24 -d 0.1 --stuck 3600 --src "$S" --dst "$D"
t_ok "started" t_wait $W DESTINATION
t_state "$D" 0000:3b:00.2 ERROR
t_ok "two alerts: the ERROR and the failed pair" t_wait $W "! 2 alerts"
t_keys L
t_ok "L: the list" t_wait $W "ALERTS 2, 2 not acknowledged"
t_ok "... the failure, newest first" t_wait_re $W '^! .* FAILED +pair 0000:3b:00\.2'
t_ok "... the ERROR" t_has "RESUMING -> ERROR"
t_keys a
t_ok "a: the selected one acknowledged" t_wait $W "ALERTS 2, 1 not acknowledged"
t_ok "... and still listed" t_wait_re $W '^  .* FAILED ack pair 0000:3b:00\.2'
t_keys q
t_ok "q: back, one alert left" t_wait $W "! 1 alert"
t_ok "... the verdict no longer marked" t_wait_re $W '│ FAILED error: '
t_keys Enter
t_ok "the failure stays in the pair's attempts" t_wait_re $W '#1 .*FAILED: destination entered ERROR'
t_keys L
t_ok "L from the details" t_wait $W "ALERTS 2, 1 not acknowledged"
t_keys A
t_ok "A: all acknowledged" t_wait $W "ALERTS 2, 0 not acknowledged"
t_keys Escape
t_ok "Escape: back" t_wait $W DESTINATION
t_not "no alert counted" t_has "alert"
t_keys q
t_ok "q quits" t_wait_dead $W
t_done
