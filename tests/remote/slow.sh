#!/bin/bash
# slow.sh - batch mode waits for a remote side that is slow to answer (a
# busy host's ssh login): the first snapshot printed shows its devices.
# One that never answers is dropped with the reason after the time a
# connection has to say hello, and the local side is shown all the same.
. "$(dirname "$0")/../integration/lib.sh"

S=$T_DIR/src
D=$T_DIR/dst
t_state "$S" 0000:3b:00.2 RUNNING
t_state "$D" 0000:3b:00.2 RESUMING
out=$T_DIR/out

# The agent starts 8 s late: longer than batch mode used to wait.
t_run 120 "$out" -b -n 1 --src "$S" \
	--dst "cmd:sleep 8; exec $VFIOMIGTOP --agent --src $D"; rc=$?
t_eq "a slow remote: exit status 0" "$rc" 0
t_grep "... its devices are in the first snapshot" '^dst 0000:3b:00\.2 RESUMING ' "$out"
t_nogrep "... and its link is fine" '^source ' "$out"
t_grep "... the local side too" '^src 0000:3b:00\.2 RUNNING ' "$out"

# A remote that never says a word, until the monitor lets it go (closes
# its standard input); its pid in silent.pid.
t_run 120 "$out" -b -n 1 --src "$S" \
	--dst "cmd:echo \$\$ >$T_DIR/silent.pid; while read -r _; do :; done"; rc=$?
t_eq "a silent remote: exit status 5 (a side never read)" "$rc" 5
t_grep "... dropped with the reason" \
	'^source dst down "(disconnected|reconnecting[^"]*; last): no answer from the agent within 20 s' "$out"
t_grep "... the local side is shown" '^src 0000:3b:00\.2 RUNNING ' "$out"
t_check "... its command ran" test -s "$T_DIR/silent.pid"
t_check "... and was ended" t_ended "$(cat "$T_DIR/silent.pid")"
t_done
