#!/bin/bash
# agent.sh - `vfiomigtop --agent` speaks the protocol of doc/protocol.md:
# hello, the full snapshot, sync, heartbeats, then steps and records as the
# tree changes; it ends when its input or its output closes; bad option
# combinations are refused.
. "$(dirname "$0")/../integration/lib.sh"

A=$VFIOMIGTOP
jqe() { jq -e "$@" >/dev/null; }
D=$T_DIR/dst
t_state "$D" 0000:3b:00.2 RUNNING
t_state "$D" $'bad\e[2Jname' STOP
mkdir -p "$D/0000:17:00.0"		# a vfio device without migration support
out=$T_DIR/out

# The agent serves while its input is open (the test holds the FIFO on
# fd 8) and must end by itself once it closes.
mkfifo "$T_DIR/in"
"$A" --agent -d 0.05 --heartbeat 0.2 --src "$D" <"$T_DIR/in" >"$out" 2>"$out.err" &
agent=$!
t_at_exit "kill $agent 2>/dev/null"
exec 8>"$T_DIR/in"
t_wait_line '"type":"sync"' "$out"
t_state "$D" 0000:3b:00.2 PRE_COPY
t_wait_line '"type":"dev".*"name":"0000:3b:00.2".*"value":"PRE_COPY"' "$out"
rm -rf "$D/0000:17:00.0"
t_wait_line '"type":"dev".*"name":"0000:17:00.0".*"present":false' "$out"
hbs() { [ "$(grep -c '"type":"hb"' "$out")" -ge "$1" ]; }
t_check "heartbeats keep coming (4 of them)" t_wait_for "$T_WAIT" hbs 4
start=$(date +%s%N)
exec 8>&-
t_check "ends by itself when its input closes" t_wait_for "$T_WAIT" t_ended $agent
took=$(( ($(date +%s%N) - start) / 1000000 ))
wait $agent; rc=$?
t_eq "... with status 0" "$rc" 0
t_check "... promptly, not at some timeout (${took} ms)" test "$took" -lt 5000
t_check "every line is one JSON object with a type and clocks" \
	jqe -s 'all(type == "object" and (.type | type) == "string" and (.mono_ns | type) == "number" and (.real_ns | type) == "number")' "$out"
t_check "the first line is hello, protocol 1, with the intervals" \
	jqe -s '.[0] | .type == "hello" and .proto == 1 and .heartbeat_ns == 200000000 and .interval_ns == 50000000 and (.host | length) > 0' "$out"
t_check "then the full snapshot and sync" \
	jqe -s '[.[1:4][] | .type] == ["dev", "dev", "dev"] and .[4].type == "sync" and .[4].devices == 3' "$out"
t_check "a record has the value token, features (none here), since" \
	jqe -s '[.[] | select(.type == "dev" and .name == "0000:3b:00.2")][0] | .present and .value == "RUNNING" and .features == null and .since_mono_ns > 0 and .errno == 0' "$out"
t_check "a device without migration support is listed as such" \
	jqe -s '[.[] | select(.type == "dev" and .name == "0000:17:00.0")][0].value == "<no-migration>"' "$out"
t_check "odd names go in hex too" \
	jqe -s '[.[] | select(.type == "dev" and .name_hex == "6261641b5b324a6e616d65")] | length >= 1' "$out"
t_grep "no raw control character on the wire" '^[[:print:]]*$' "$out"
t_nogrep "... none at all" $'\e' "$out"
t_check "heartbeats count up from 1" \
	jqe -s '[.[] | select(.type == "hb") | .seq] | .[0] == 1 and . == (. | sort)' "$out"
t_check "a change: a step, then the new record" \
	jqe -s '(map(.type == "step" and .name == "0000:3b:00.2" and .from == "RUNNING" and .to == "PRE_COPY") | index(true)) as $s
		| (map(.type == "dev" and .name == "0000:3b:00.2" and .value == "PRE_COPY") | index(true)) as $d
		| $s != null and $d != null and $s < $d' "$out"
t_check "the step carries the agent's time of the change" \
	jqe -s '[.[] | select(.type == "step" and .to == "PRE_COPY")][0] | .mono_ns > 0 and .real_ns > 1600000000000000000' "$out"
t_check "a vanished device: its record says not present" \
	jqe -s '[.[] | select(.type == "dev" and .name == "0000:17:00.0")] | last | .present == false' "$out"
t_check "clocks: real time is close to this host's" \
	jqe -s --argjson now "$(date +%s%N)" '[.[] | select(.type == "hb")] | last | (($now - .real_ns) | fabs) < 5000000000' "$out"
t_check "nothing on stderr" test ! -s "$out.err"

# Output closed (the reader read 100 bytes and left), input still open:
# the agent ends at its next write, a heartbeat.
mkfifo "$T_DIR/in2"
"$A" --agent --heartbeat 0.1 --src "$D" <"$T_DIR/in2" 2>"$out.err" > >(head -c 100 >"$out") &
agent=$!
t_at_exit "kill $agent 2>/dev/null"
exec 8>"$T_DIR/in2"
t_check "output closed: the agent ends by itself (EPIPE)" \
	t_wait_for "$T_WAIT" t_ended "$agent"
wait "$agent"; rc=$?
t_eq "output closed: status 0" "$rc" 0
t_check "output closed: quietly" test ! -s "$out.err"
t_grep "output closed: it had sent hello" '"type":"hello"' "$out"
exec 8>&-

# Input at its end from the start: nothing to serve.
t_run 60 "$out" --agent --src "$D" </dev/null; rc=$?
t_eq "no input: ends at once with status 0" "$rc" 0

# -n works without -b for the agent: it ends while its input is still open.
mkfifo "$T_DIR/in3"
"$A" --agent -n 3 -d 0.05 --src "$D" <"$T_DIR/in3" >"$out" 2>"$out.err" &
agent=$!
t_at_exit "kill $agent 2>/dev/null"
exec 8>"$T_DIR/in3"
t_check "-n N: the agent stops after N refreshes, input still open" \
	t_wait_for "$T_WAIT" t_ended $agent
wait $agent; rc=$?
exec 8>&-
t_eq "-n N: status 0" "$rc" 0

for bad in "-b" "--dst $D" "--json" "--prometheus" "--pair a=b" "--demo"; do
	# shellcheck disable=SC2086
	t_run 60 "$out" --agent --src "$D" $bad </dev/null; rc=$?
	t_eq "--agent $bad: refused" "$rc" 1
done
t_grep "... with a message" 'agent serves one tree on stdout' "$out.err"
t_run 60 "$out" --agent --heartbeat 0 --src "$D" </dev/null; rc=$?
t_eq "--heartbeat 0: refused" "$rc" 1

# A tree that does not exist: the agent says so on stderr and fails.
t_run 60 "$out" --agent --src "$T_DIR/nonexistent" </dev/null; rc=$?
t_eq "missing tree: status 1" "$rc" 1
t_grep "missing tree: explained" 'nonexistent' "$out.err"
t_done
