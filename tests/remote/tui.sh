#!/bin/bash
# tui.sh - the interactive screen with the destination over ssh (a
# throw-away sshd on 127.0.0.1), driven in tmux: the destination pane lists
# the remote devices; a killed agent shows the link DOWN with its reason
# while the devices stay listed; the reconnection clears it; quitting ends
# the remote agent too.  Relies only on the header text the TUI prints for
# a source whose link is not OK ("DOWN: <message>" / "degraded: <message>").
. "$(dirname "$0")/../tui/lib.sh"
t_at_exit() { :; }	# sshd.sh registers its cleanup here; done below instead
. "$(dirname "$0")/sshd.sh"
trap 'r_sshd_kill; t_cleanup' EXIT

r_sshd || { t_fail "sshd starts"; t_done; }

S=$T_DIR/src
D=$T_DIR/dst
t_state "$S" 0000:3b:00.2 RUNNING
t_state "$D" 0000:3b:00.2 RESUMING
t_state "$D" 0000:d8:00.1 STOP
pidf=$T_DIR/agent.pid
# While $block exists a new connection waits before the agent starts: the
# link stays DOWN for as long as the checks need, not for one retry delay.
block=$T_DIR/block
t_start 120 35 "VFIOMIGTOP_SSH_OPTS='$VFIOMIGTOP_SSH_OPTS' VFIOMIGTOP_REMOTE_CMD='echo \$\$ >$pidf; while [ -e $block ]; do sleep 0.05; done; exec $VFIOMIGTOP' $VFIOMIGTOP -d 0.2 --heartbeat 0.2 --src $S --dst ssh://vfiotest$D; echo \$? >$T_DIR/status"
t_ok "both panes are shown" t_wait $W DESTINATION
t_ok "the destination pane lists the remote devices" t_wait $W 0000:d8:00.1
t_ok "... with their state" t_wait_re $W '0000:d8:00\.1 +STOP'
t_ok "the pair across hosts is on one line" t_wait_re $W '0000:3b:00\.2 +RUNNING .*RESUMING'
t_not "the link is fine" t_has "DOWN"
t_ok "the header names the remote host and its clock offset" \
	t_wait_re $W 'host [^ ]+  clock [+-][0-9]+\.[0-9]{3}s'
t_not "no raw escape reaches the screen" eval "t_screen | grep -q $'\e'"

t_wait_for_pid() {
	local end=$(( $(t_ms) + 5000 ))
	while [ ! -s "$pidf" ]; do
		[ "$(t_ms)" -lt "$end" ] || return 1
		sleep 0.05
	done
}
t_wait_for_pid
agent=$(cat "$pidf")
touch "$block"
kill -9 "$agent"
# "disconnected: REASON; retry in ...", then "reconnecting to ...; last: REASON"
t_ok "a killed agent: the destination is shown DOWN with the reason" \
	t_wait_re $W 'DOWN: (disconnected|reconnecting to .*; last): [^ ]'
t_not "... the reason is readable (spaces not escaped)" t_has '\x20'
t_ok "... its devices stay listed" t_has 0000:d8:00.1
t_ok "... marked stale ('?'), their last known state kept" \
	t_wait_re $W '\? *0000:d8:00\.1 +STOP|0000:d8:00\.1 .*\? +STOP'
t_ok "... and the source side still updates" eval 't_state "$S" 0000:3b:00.2 PRE_COPY; t_wait_re $W "0000:3b:00\.2 +PRE_COPY"'
rm -f "$block"
t_ok "reconnected: DOWN goes away" t_wait_not $W "DOWN"
t_ok "... the remote devices are still there" t_has 0000:d8:00.1
agent=$(cat "$pidf")

t_keys q
t_ok "q quits" t_wait_dead 5
t_ok "exit status 0" [ "$(t_status)" = 0 ]
t_ok "the remote agent ends with it" t_wait_gone $W "$agent"
t_done
