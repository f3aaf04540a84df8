#!/bin/bash
# garbage.sh - a `cmd:` source that speaks garbage: not JSON, a wrong
# version, a truncated line, a 10 MB line, invalid lines among good ones,
# hostile names and messages, too many devices, a command that fails.
# Never a crash or a hang; the reason is shown, the local side stays, and
# nothing reaches the output unescaped.
. "$(dirname "$0")/../integration/lib.sh"

S=$T_DIR/src
t_state "$S" 0000:3b:00.2 RUNNING
out=$T_DIR/out
H='{"type":"hello","mono_ns":1000,"real_ns":1000,"proto":1,"host":"far","heartbeat_ns":60000000000}'
SY='{"type":"sync","mono_ns":1000,"real_ns":1000,"devices":1}'
dev() { printf '{"type":"dev","mono_ns":1000,"real_ns":1000,"name":"%s","present":true,"value":"%s"}\n' "$1" "$2"; }

# run ERE COMMAND [ARGS...]: a batch run with `cmd:COMMAND` as the
# destination, until a whole snapshot matches ERE; returns its exit status.
run() {
	local want=$1 cmd=$2 rc
	shift 2
	t_mon "$out" -b -d 0.1 --src "$S" --dst "cmd:$cmd" "$@"
	if [ "$*" = --json ]; then t_wait_line "$want" "$out"; else t_wait_snap "$want" "$out"; fi
	t_stop "$T_PID"
}
# last: the last snapshot of the output, lines joined with '|'.
last() { awk -v RS='snapshot ' 'END { gsub(/\n/, "|"); print }' "$out"; }

printf 'this is not json\n' >"$T_DIR/notjson"
run 'source dst down "disconnected: not a vfiomigtop agent' "cat $T_DIR/notjson"; rc=$?
t_eq "not JSON: exit status 5 (a side never read)" "$rc" 5
t_grep "not JSON: down, with the reason" \
	'^source dst down "disconnected: not a vfiomigtop agent: first line: invalid JSON: .*; retry in [0-9.]+ s"$' "$out"
t_grep "not JSON: the local side is shown" '^src 0000:3b:00\.2 RUNNING ' "$out"

printf '%s\n' '{"type":"hello","mono_ns":1,"real_ns":1,"proto":2}' >"$T_DIR/v2"
run 'source dst down "disconnected: the agent speaks protocol version 2' "cat $T_DIR/v2"
t_grep "wrong version: refused with the reason" \
	'^source dst down "disconnected: the agent speaks protocol version 2, this vfiomigtop speaks 1: install the same version on both hosts' "$out"

printf '%s\n%s\n%s\n%s' "$H" "$(dev 0000:3b:00.2 RESUMING)" "$SY" \
	'{"type":"dev","mono_ns":1000,"real_ns":1000,"name":"0000:3b:00.3","pres' >"$T_DIR/trunc"
run 'connection closed in the middle of a line.*\|dst 0000:3b:00\.2 RESUMING [^|]* stale' "cat $T_DIR/trunc"
last >"$T_DIR/last"
t_grep "truncated line: down, with the reason" \
	'^source dst down "(disconnected|reconnecting.*last): connection closed in the middle of a line \([0-9]+ bytes dropped\)' "$out"
t_grep "truncated line: the last known state stays, marked stale" \
	'\|dst 0000:3b:00\.2 RESUMING [^|]* stale\|' "$T_DIR/last"
t_nogrep "truncated line: the partial record is not used" '0000:3b:00\.3' "$out"

# A 10 MB line, invalid JSON, unknown types and fields: the connection stays
# up (degraded), good lines around them are used.
{
	printf '%s\n' "$H"
	dev 0000:3b:00.2 RESUMING
	printf '%s\n' "$SY"
	head -c 10485760 /dev/zero | tr '\0' 'x'
	printf '\n'
	dev 0000:3b:00.3 STOP
	printf '{"type":"dev", oops}\n'
	printf '{"type":"future-thing","mono_ns":1,"real_ns":1,"x":{"y":[1,2]}}\n'
	printf '{"type":"dev","mono_ns":1000,"real_ns":1000,"name":"0000:3b:00.4","present":true,"value":"RUNNING","new_field":[1]}\n'
	printf '{"type":"step","mono_ns":1000,"real_ns":1000,"name":"nobody","from":"STOP","to":"RUNNING"}\n'
} >"$T_DIR/big"
run 'source dst degraded "ignored 2 bad lines.*\|dst 0000:3b:00\.3 STOP .*\|dst 0000:3b:00\.4 RUNNING ' "cat $T_DIR/big; while read -r _; do :; done"; rc=$?
t_eq "10 MB line: exit status 0" "$rc" 0
last >"$T_DIR/last"
t_grep "bad lines: degraded, counted, the last reason shown" \
	'source dst degraded "ignored 2 bad lines from the agent, last: invalid JSON' "$T_DIR/last"
t_grep "10 MB line: the lines after it are used" '\|dst 0000:3b:00\.3 STOP ' "$T_DIR/last"
t_grep "unknown fields are ignored" '\|dst 0000:3b:00\.4 RUNNING ' "$T_DIR/last"
t_nogrep "degraded is not stale" ' stale' "$T_DIR/last"
t_nogrep "a step for an unknown device changes nothing" 'nobody' "$out"
printf '%s\n' "$H" "$SY" >"$T_DIR/hb"
head -c 10485760 /dev/zero | tr '\0' 'y' >>"$T_DIR/hb"
run 'ignored 1 bad line from the agent, last: a line longer' "cat $T_DIR/hb; while read -r _; do :; done"
last >"$T_DIR/last"
t_grep "a 10 MB line without end: dropped and said so" \
	'source dst degraded "ignored 1 bad line from the agent, last: a line longer than 1048576 bytes was dropped"' "$T_DIR/last"

# Hostile names and messages: escaped in text, valid in JSON.
{
	printf '%s\n' "$H"
	printf '{"type":"dev","mono_ns":1000,"real_ns":1000,"name":"\\u001b[2J\\u001b]0;pwn\\u0007","present":true,"value":"STOP"}\n'
	printf '{"type":"dev","mono_ns":1000,"real_ns":1000,"name":"x","name_hex":"ff0a1b","present":true,"value":"<unparsable>","raw_hex":"1b5b324a"}\n'
	printf '%s\n' "$SY"
	printf '{"type":"link","mono_ns":1000,"real_ns":1000,"link":"degraded","message":"tree \\u001b[31mgone\\u0007"}\n'
} >"$T_DIR/hostile"
run 'source dst degraded "on far: .*<unparsable>' "cat $T_DIR/hostile; while read -r _; do :; done"
t_nogrep "no raw escape character in the text output" $'\e|\a' "$out"
t_grep "a hostile name, escaped" '^dst \\x1b\[2J\\x1b\]0;pwn\\x07 STOP ' "$out"
t_grep "a name given in hex, escaped" '^dst \\xff\\x0a\\x1b <unparsable> .* content=\\x1b\[2J' "$out"
t_grep "the agent's source message, made plain" '^source dst degraded "on far: tree \?\[31mgone\?"$' "$out"
run '"link":"degraded"' "cat $T_DIR/hostile; while read -r _; do :; done" --json
t_check "JSON output stays valid" jq -e . "$out" >/dev/null
t_nogrep "... and without raw escapes" $'\e|\a' "$out"

# More devices than an agent may list.
{
	printf '%s\n' "$H"
	awk 'BEGIN { for (i = 0; i < 65600; i++)
		printf "{\"type\":\"dev\",\"mono_ns\":1,\"real_ns\":1,\"name\":\"d%d\",\"present\":true,\"value\":\"RUNNING\"}\n", i }'
	printf '%s\n' "$SY"
} >"$T_DIR/many"
# Each snapshot lists 65537 devices (6.5 MB): one every 2 s, not every
# 0.1 s, or the output grows faster than a busy machine can search it.
run 'more than 65536 devices' "cat $T_DIR/many; while read -r _; do :; done" -d 2
last >"$T_DIR/last"
t_grep "too many devices: degraded, said so" \
	'source dst degraded "the agent lists more than 65536 devices: some are not shown"' "$T_DIR/last"
t_grep "... the first 65536 are listed" ' devices=65537 ' "$T_DIR/last"

# Commands that fail.
run 'connection closed before the agent said hello; retry in' "true"
t_grep "no output at all" \
	'^source dst down "disconnected: connection closed before the agent said hello; retry in' "$out"
run 'oops: no such tree \(exit status 3\)' "echo 'oops: no such tree' >&2; exit 3"
t_grep "a failing command: its stderr and status" \
	'^source dst down "disconnected: connection closed before the agent said hello: oops: no such tree \(exit status 3\); retry in' "$out"
run 'not found \(exit status 127\)' "$T_DIR/nonexistent-agent"
t_grep "a missing command" '^source dst down ".*not found \(exit status 127\)' "$out"
printf 'ok\n' | run 'title.* \(exit status 1\)' "printf '\\033[31mred\\n\\033]0;title\\007' >&2; exit 1"
t_nogrep "stderr of the command, escaped" $'\e|\a' "$out"
t_grep "... and shown" '^source dst down ".*: \?\]0;title\? \(exit status 1\)' "$out"
t_done
