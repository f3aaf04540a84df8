#!/bin/bash
# lost.sh - the terminal goes away: tmux killed, SIGHUP, a hang-up that sends
# no signal (as under sudo); SIGTERM and Ctrl-C; no terminal at all.  The
# program must exit within about a second and never spin.
. "$(dirname "$0")/lib.sh"

S=$T_DIR/src
t_state "$S" 0000:3b:00.2 RUNNING

# No terminal: a clear message that points at batch mode.
if "$VFIOMIGTOP" --src "$S" </dev/null >"$T_DIR/out" 2>"$T_DIR/err"; then
	t_fail "no terminal: should fail"
else
	t_ok "no terminal: exit status 1" [ $? = 1 ]
fi
t_ok "no terminal: suggests -b" grep -q -- "-b" "$T_DIR/err"
t_ok "no terminal: nothing on stdout" [ ! -s "$T_DIR/out" ]

# tmux killed.
t_top 80 24 -d 0.2 --src "$S"
t_wait $W SOURCE
pid=$(t_pid)
tm kill-server
t_ok "tmux killed: gone within 10 s" t_wait_gone 10 "$pid"

# SIGHUP.
t_top 80 24 -d 0.2 --src "$S"
t_wait $W SOURCE
pid=$(t_pid)
kill -HUP "$pid"
t_ok "SIGHUP: gone within 10 s" t_wait_gone 10 "$pid"

# A hang-up without SIGHUP: the program in its own session (as under sudo
# or setsid) only sees its terminal fail.
t_start 80 24 "exec 3<&0; (exec setsid $VFIOMIGTOP -d 0.2 --src $S <&3 3<&-) & echo \$! >$T_DIR/pid; wait"
t_wait $W SOURCE
pid=$(cat "$T_DIR/pid")
t_ok "setsid: running" t_running "$pid"
tm kill-server
if t_wait_gone 10 "$pid"; then
	t_pass "hang-up without SIGHUP: gone"
else
	t_fail "hang-up without SIGHUP: still running"
	cat "/proc/$pid/stat" 2>/dev/null
	kill -KILL "$pid" 2>/dev/null
fi

# SIGTERM and Ctrl-C with the demo: clean exit, demo directory removed.
t_top 100 30 --demo
t_wait $W DESTINATION
pid=$(t_pid)
kill -TERM "$pid"
t_ok "SIGTERM: exits" t_wait_dead 2
st=$(t_status)
t_ok "SIGTERM: status 0 (got $st)" [ "$st" = 0 ]
t_ok "SIGTERM: demo directory removed" eval '! ls -d "$T_DIR"/vfiomigtop-demo-* 2>/dev/null'
t_top 100 30 --demo
t_wait $W DESTINATION
t_keys C-c
t_ok "Ctrl-C: exits" t_wait_dead 2
st=$(t_status)
t_ok "Ctrl-C: status 0 (got $st)" [ "$st" = 0 ]
t_ok "Ctrl-C: demo directory removed" eval '! ls -d "$T_DIR"/vfiomigtop-demo-* 2>/dev/null'
t_done
