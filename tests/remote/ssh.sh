#!/bin/bash
# ssh.sh - the destination over a real ssh (a throw-away sshd on 127.0.0.1):
# the first batch snapshot shows it, JSON tells the link and clock offset, a
# migration's remote steps arrive in order; an agent killed mid-migration is
# shown down with stale values and comes back; a stalled agent (SIGSTOP) is
# degraded, then dropped and reconnected; ssh and agent errors are explained.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/sshd.sh"

r_sshd || { t_fail "sshd starts"; t_done; }
A=$VFIOMIGTOP
jqe() { jq -e "$@" >/dev/null; }

# ---- a still tree: the first snapshot, text and JSON ----
S=$T_DIR/still/src
D=$T_DIR/still/dst
t_state "$S" 0000:3b:00.2 RUNNING
t_state "$D" 0000:3b:00.2 RESUMING
t_state "$D" 0000:3b:00.3 STOP
out=$T_DIR/first
t_run 60 "$out" -b -n 1 --src "$S" --dst "ssh://vfiotest$D"; rc=$?
t_eq "batch over ssh: exit status 0" "$rc" 0
t_grep "the first snapshot shows the remote devices" '^dst 0000:3b:00\.2 RESUMING ' "$out"
t_grep "... all of them" '^dst 0000:3b:00\.3 STOP ' "$out"
t_grep "... and the local ones" '^src 0000:3b:00\.2 RUNNING ' "$out"
t_grep "header names the remote host and its clock offset" \
	' dst_host=[^ ]+ dst_clock_offset=[-+][0-9]+\.[0-9]{3}$' "$out"
t_nogrep "the link is fine" '^source ' "$out"
t_nogrep "nothing is stale" ' stale$' "$out"
t_grep "the pair is matched across hosts" '^pair 0000:3b:00\.2 0000:3b:00\.2 ' "$out"

t_run 60 "$out" -b --json -n 1 --src "$S" --dst "ssh://$R_USER@127.0.0.1:$R_PORT$D"; rc=$?
t_eq "user@host:port URL: exit status 0" "$rc" 0
t_check "JSON: the remote source is ok, remote, with a host and a clock offset" \
	jqe '.sources.dst | .link == "ok" and .remote == true and (.host | type) == "string"
		and (.clock_offset | type) == "number" and (.clock_offset | fabs) < 1' "$out"
t_check "JSON: the local source is not remote" \
	jqe '.sources.src | .remote == false and .clock_offset == null' "$out"
t_check "JSON: remote devices listed, not stale" \
	jqe '[.devices[] | select(.side == "dst")] | length == 2 and all(.stale == false)' "$out"

# ---- a migration; the agent killed in the middle, then stalled ----
root=$T_DIR/mig
cat >"$T_DIR/mig.scn" <<'SCN'
0    src 0000:3b:00.2 add
0    dst 0000:3b:00.2 add
0    src 0000:5e:00.1 add
1.0  src 0000:3b:00.2 PRE_COPY
1.0  dst 0000:3b:00.2 STOP
1.1  dst 0000:3b:00.2 RESUMING
8.0  src 0000:3b:00.2 STOP_COPY
8.5  src 0000:3b:00.2 STOP
8.7  dst 0000:3b:00.2 STOP
8.9  dst 0000:3b:00.2 RUNNING_P2P
9.0  dst 0000:3b:00.2 RUNNING
SCN
# In lock step: each step once the events monitor has shown the last.
t_sim "$T_DIR/mig.scn" "$root"
# Each monitor's agent writes its pid, so the test can kill exactly it.
agent_cmd() { printf 'echo $$ >%s; exec %s' "$1" "$A"; }
VFIOMIGTOP_REMOTE_CMD=$(agent_cmd "$T_DIR/text.pid") \
	t_mon "$T_DIR/text" -b -d 0.1 --heartbeat 0.2 --src "$root/src" --dst "ssh://vfiotest$root/dst"
mon_text=$T_PID
VFIOMIGTOP_REMOTE_CMD=$(agent_cmd "$T_DIR/ev.pid") \
	t_mon "$T_DIR/ev" -b --events -d 0.1 --heartbeat 0.2 --src "$root/src" --dst "ssh://vfiotest$root/dst"
mon_ev=$T_PID
t_wait_for "$T_WAIT" test -s "$T_DIR/text.pid"
t_wait_for "$T_WAIT" test -s "$T_DIR/ev.pid"
t_wait_line "$(t_seen_re dst 0000:3b:00.2 RUNNING)" "$T_DIR/ev"
t_check "the migration starts (source PRE_COPY, destination STOP)" t_sim_step "$T_DIR/ev"
t_check "the destination is in RESUMING" t_sim_step "$T_DIR/ev"
# Mid-migration (the destination is in RESUMING): kill both agents.
t_wait_line '^dst 0000:3b:00\.2 RESUMING' "$T_DIR/text"
old_text=$(cat "$T_DIR/text.pid")
old_ev=$(cat "$T_DIR/ev.pid")
kill -9 "$old_text" "$old_ev"
t_state "$root/src" 0000:5e:00.1 STOP	# the local side changes meanwhile
t_check "killed agent: shown down with the reason" \
	t_wait_line '^source dst down "disconnected: connection closed' "$T_DIR/text"
t_check "killed agent: reconnected (a new agent runs)" \
	t_wait_for "$T_WAIT" eval '[ "$(cat "$T_DIR/text.pid")" != "$old_text" ]'
t_wait_for "$T_WAIT" eval '[ "$(cat "$T_DIR/ev.pid")" != "$old_ev" ]'
new_text=$(cat "$T_DIR/text.pid")
# The new agent is serving once a snapshot after the reconnection shows the
# link fine; then stall it: degraded, stale, then fine again.
fine_since() { tail -c +"$(( $1 + 1 ))" "$T_DIR/text" | t_snaps /dev/stdin | grep -v '|source dst ' | grep -q '|dst 0000:3b:00\.2 RESUMING [^|]*[0-9]\(|\|$\)'; }
from=$(t_size "$T_DIR/text")
t_wait_for "$T_WAIT" fine_since "$from"
kill -STOP "$new_text"
t_check "stalled agent: degraded after the heartbeat timeout" \
	t_wait_line '^source dst degraded "stalled: no heartbeat' "$T_DIR/text"
t_state "$root/src" 0000:5e:00.1 PRE_COPY
t_check "degraded: remote values stale, the local side updates" \
	t_wait_snap 'source dst degraded "stalled: no heartbeat from ssh vfiotest for [0-9.]+ s"\|.*src 0000:5e:00\.1 PRE_COPY [^|]*\|dst 0000:3b:00\.2 RESUMING [^|]* stale' "$T_DIR/text"
kill -CONT "$new_text"
# The rest of the migration, each step once the events monitor shows it.
t_check "the migration ends, step by step" t_sim_walk "$T_DIR/ev"
t_sim_end
# In the end the link is fine, nothing is stale, the destination finished
# and the pair completed, all in one snapshot.
done_snap() {
	t_snaps "$T_DIR/text" | grep -v '|source dst ' | grep -v ' stale\(|\|$\)' |
		grep '|dst 0000:3b:00\.2 RUNNING ' | grep -q '|pair 0000:3b:00\.2 0000:3b:00\.2 completed '
}
t_check "in the end: the link fine, nothing stale, the destination RUNNING, the pair completed" \
	t_wait_for "$T_WAIT" done_snap
t_wait_line ' pair 0000:3b:00\.2 0000:3b:00\.2 completed ' "$T_DIR/ev"
t_stop "$mon_text"; rc=$?
t_eq "text monitor: exit status 0" "$rc" 0
t_stop "$mon_ev"
t_snaps "$T_DIR/text" >"$T_DIR/snaps"
t_grep "down: the remote device keeps its last state, marked stale" \
	'source dst down "disconnected: connection closed[^|]*\|.*\|dst 0000:3b:00\.2 RESUMING [^|]* stale' "$T_DIR/snaps"
t_grep "down: the local side keeps updating" \
	'source dst down .*\|src 0000:5e:00\.1 STOP ' "$T_DIR/snaps"
# The events monitor: the remote steps after the reconnection, in order.
awk '{ $1 = ""; sub(/^ /, ""); print }' "$T_DIR/ev" | grep '^dst' >"$T_DIR/ev.dst"
cat >"$T_DIR/ev.want" <<'WANT'
dst 0000:3b:00.2 RESUMING STOP
dst 0000:3b:00.2 STOP RUNNING_P2P
dst 0000:3b:00.2 RUNNING_P2P RUNNING
WANT
if tail -n 3 "$T_DIR/ev.dst" | diff -u "$T_DIR/ev.want" - >"$T_DIR/ev.diff"; then
	t_pass "events: the remote steps arrive, in order, not inferred"
else
	t_fail "events: remote steps"
	sed 's/^/    | /' "$T_DIR/ev.diff" "$T_DIR/ev"
fi
t_grep "events: the pair completed" ' pair 0000:3b:00\.2 0000:3b:00\.2 completed [0-9.]+$' "$T_DIR/ev"
t_check "events: each side's timestamps never go backwards" \
	awk '$1 < prev[$2] { exit 1 } { prev[$2] = $1 }' "$T_DIR/ev"

# ---- stalled past the limit: dropped and reconnected ----
VFIOMIGTOP_REMOTE_CMD=$(agent_cmd "$T_DIR/long.pid") \
	t_mon "$T_DIR/long" -b -d 0.1 --heartbeat 0.2 --src "$S" --dst "ssh://vfiotest$D"
mon=$T_PID
t_wait_for "$T_WAIT" test -s "$T_DIR/long.pid"
stopped=$(cat "$T_DIR/long.pid")
t_wait_line '^dst 0000:3b:00\.3 STOP' "$T_DIR/long"
kill -STOP "$stopped"
t_at_exit "kill -CONT $stopped 2>/dev/null; kill $stopped 2>/dev/null"
t_check "long stall: dropped with the reason" \
	t_wait_line '^source dst down "disconnected: no heartbeat for [0-9.]+ s: the agent is stalled' "$T_DIR/long"
t_check "long stall: a new agent is started" \
	t_wait_for "$T_WAIT" eval '[ "$(cat "$T_DIR/long.pid")" != "$stopped" ]'
kill -CONT "$stopped"
t_check "the stalled agent ends once resumed (its ssh is gone)" \
	t_wait_for "$T_WAIT" t_ended "$stopped"
from=$(t_size "$T_DIR/long")
fine_long() { tail -c +"$(( from + 1 ))" "$T_DIR/long" | t_snaps /dev/stdin | grep -v '|source dst ' | grep -q '|dst 0000:3b:00\.3 STOP [^|]*[0-9]\(|\|$\)'; }
t_check "long stall: fine again in the end" t_wait_for "$T_WAIT" fine_long
t_stop $mon; rc=$?
t_eq "long stall: exit status 0" "$rc" 0

# ---- errors are explained, and never hang batch mode ----
port=$(r_free_port)
start=$(date +%s)
t_run 60 "$out" -b -n 1 --src "$S" --dst "ssh://127.0.0.1:$port$D"; rc=$?
t_eq "refused connection: exit status 5 (a side never read)" "$rc" 5
t_grep "... said on stderr" 'ssh://127\.0\.0\.1:[0-9]+.* was never read' "$out.err"
t_grep "... and no clock offset made up for a host never reached" ' dst_clock_offset=-$' "$out"
t_grep "refused connection: ssh's message and status" \
	'^source dst down "disconnected: connection closed before the agent said hello: ssh: connect to host 127\.0\.0\.1 port [0-9]+: Connection refused \(exit status 255\); retry in' "$out"
t_check "refused connection: no long wait" test $(( $(date +%s) - start )) -le 4
t_grep "refused connection: the local side is shown" '^src 0000:3b:00\.2 RUNNING ' "$out"

VFIOMIGTOP_REMOTE_CMD=/nonexistent/vfiomigtop t_run 60 "$out" -b -n 1 --src "$S" --dst "ssh://vfiotest$D"
t_grep "remote command missing: a hint" \
	'^source dst down ".*\(exit status 127: is vfiomigtop installed there\? see VFIOMIGTOP_REMOTE_CMD\)' "$out"

t_run 60 "$out" -b -n 1 --src "$S" --dst "ssh://vfiotest$T_DIR/nonexistent"
t_grep "the agent's own error is shown" \
	'^source dst down ".*: vfiomigtop: .*nonexistent.* \(exit status 1\)' "$out"

t_run 60 "$out" -b -n 1 --src "$S" --dst "ssh://-oProxyCommand=x/tmp"; rc=$?
t_eq "a host that looks like an option is refused" "$rc" 1
t_grep "... with a message" 'expected ssh://\[user@\]host\[:port\]\[/PATH\]' "$out.err"
t_done
