#!/bin/bash
# resize.sh - resizing at any time, in every screen, down to 1x1: the "too
# small" screen below the minimum, never a crash, everything back after.
. "$(dirname "$0")/lib.sh"

S=$T_DIR/src
D=$T_DIR/dst
for i in 1 2 3 4 5 6 7 8; do
	t_state "$S" "0000:3b:00.$i" RUNNING
	t_state "$D" "0000:3b:00.$i" RUNNING
done

t_top 100 30 -d 0.2 --src "$S" --dst "$D"
t_ok "started" t_wait $W DESTINATION
alive() { ! t_dead; }

t_resize 10 5
t_ok "10x5: too small" t_wait $W "10x5,"
t_ok "10x5: says what is needed" t_has "64x10"
t_resize 100 30
t_ok "back to 100x30" t_wait $W DESTINATION
t_resize 63 10
t_ok "63x10: too small" t_wait $W "have 63x10, need 64x10"
t_resize 64 10
t_ok "64x10: the monitor" t_wait $W DESTINATION

# In the help and the details, resizing keeps the screen.
t_resize 100 30
t_keys h
t_wait $W "any key returns"
t_resize 80 24
t_ok "help survives a resize" t_wait $W "any key returns"
t_resize 20 6
t_ok "help: too small" t_wait $W "too small"
t_resize 90 25
t_ok "help is back" t_wait $W "any key returns"
t_keys x
t_ok "then any key returns" t_wait $W DESTINATION
t_keys Enter
t_wait $W TIMELINE
t_resize 1 1
sleep 0.3
t_ok "1x1: still running" alive
t_resize 70 20
t_ok "details survive a resize" t_wait $W TIMELINE
t_keys q
t_wait $W DESTINATION

# A burst of sizes, some below the minimum.
for size in 30x8 200x60 64x9 80x24 2x2 400x150 65x11 120x35; do
	t_resize "${size%x*}" "${size#*x}"
	sleep 0.05
done
t_ok "a burst of sizes: the monitor at 120x35" t_wait $W DESTINATION
t_ok "still running" alive

t_keys q
t_ok "q quits" t_wait_dead 2
st=$(t_status)
t_ok "exit status 0 (got $st)" [ "$st" = 0 ]
t_done
