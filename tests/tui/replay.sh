#!/bin/bash
# replay.sh - the screen on a journal (vfiomigtop -r): paused at the
# start with a replay clock (date and time zone), step on and back one
# refresh, jump to the next and previous event and failure, jump to a
# time, play (faster), the details with the report text to copy, quit.
# Live, the replay keys only say what they are for.
. "$(dirname "$0")/lib.sh"

S=$T_DIR/src
D=$T_DIR/dst
J=$T_DIR/j
OUT=$T_DIR/out
for dev in 0000:3b:00.2 0000:3b:00.3; do
	t_state "$S" "$dev" RUNNING
	t_state "$D" "$dev" RUNNING
done

# Record: one migration that fails (the source resumes while the
# destination loads), then one that completes.  Each change waits until
# the recorder has shown it.
"$VFIOMIGTOP" -b --events -d 0.05 -w "$J" --src "$S" --dst "$D" >"$OUT" 2>&1 &
rec=$!
seen() {
	local end=$(( $(t_ms) + W * 1000 ))
	while ! grep -qE -- "$1" "$OUT"; do
		[ "$(t_ms)" -lt "$end" ] || { echo "timed out waiting for /$1/ in the recording"; return 1; }
		sleep 0.05
	done
}
step() { t_state "$1" "$2" "$3"; seen " $4 $2 .* $3( |$)"; }
seen ' dst 0000:3b:00\.3 - RUNNING$'
step "$S" 0000:3b:00.2 PRE_COPY src
step "$D" 0000:3b:00.2 RESUMING dst
step "$S" 0000:3b:00.2 RUNNING src
seen ' pair 0000:3b:00\.2 0000:3b:00\.2 failed '
step "$S" 0000:3b:00.3 PRE_COPY src
step "$D" 0000:3b:00.3 RESUMING dst
step "$S" 0000:3b:00.3 STOP_COPY src
step "$S" 0000:3b:00.3 STOP src
step "$D" 0000:3b:00.3 RUNNING_P2P dst
seen ' pair 0000:3b:00\.3 0000:3b:00\.3 (completed|uncertain) '
kill -INT $rec
t_wait_gone $W $rec
wait $rec
t_ok "a journal was recorded" grep -q '^r ' "$J"

# Replay it on the screen, in UTC so that the clock can be checked.
t_start 120 30 "TZ=UTC $VFIOMIGTOP -r $J; echo \$? >$T_DIR/status"
t_ok "the replay starts paused, with its clock, date and zone" \
	t_wait_re $W 'REPLAY paused x1  20[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} UTC  1/[0-9]+'
t_ok "... and the header says PAUSED" t_has PAUSED
total=$(t_screen | sed -n 's/.*REPLAY paused x1 .* 1\/\([0-9]*\).*/\1/p')
t_ok "refreshes ($total) to go through" test "${total:-0}" -gt 5
pos() { t_screen | sed -n 's/.*REPLAY [a-z]* x[0-9.]*  [0-9-]* [0-9:.]* UTC  \([0-9]*\)\/.*/\1/p'; }
t_keys .
t_ok ". steps one refresh on" t_wait $W " 2/$total"
t_keys .
t_ok "... and again" t_wait $W " 3/$total"
t_keys ,
t_ok ", steps one refresh back" t_wait $W " 2/$total"
t_keys ,
t_keys ,
t_ok "... not before the first, and says so" t_wait $W "at the start of the recording"
t_ok "... still at 1" t_has " 1/$total"

t_keys n
t_ok "n jumps to the next failure: the pair shows it" t_wait $W "FAILED: source resumed from PRE_COPY"
fail_at=$(pos)
t_ok "... further on ($fail_at)" test "${fail_at:-0}" -gt 1
t_keys ,
t_ok "one back, the failure is not decided yet" t_wait_not $W "FAILED: source resumed from PRE_COPY"
t_keys .
t_ok "one on, it is again (the model replayed up to there)" t_wait $W "FAILED: source resumed from PRE_COPY"
t_keys n
t_ok "no later failure: said" t_wait $W "no later failure"
t_keys N
t_ok "N: no earlier failure before the first" t_wait $W "no earlier failure"
t_keys ]
t_ok "] jumps to the next event" t_wait_re $W "REPLAY paused .* ([0-9]+)/$total"
after=$(pos)
t_ok "... further on ($after > $fail_at)" test "${after:-0}" -gt "$fail_at"
t_keys [
t_ok "[ back to the previous event" t_wait $W " $fail_at/$total"

# Jump to a time: the first refresh's second.
first=$(awk '{ print substr($1, 12, 8); exit }' "$OUT")
t_keys t
t_ok "t asks for a time" t_wait $W "Jump to"
t_keys "$first" Enter
t_ok "... and goes there ($first)" t_wait_re $W "REPLAY paused x1  [0-9-]+ $first\\.[0-9]{3} UTC"
t_keys t
t_wait $W "Jump to"
t_keys "teatime" Enter
t_ok "a time it cannot read: said" t_wait $W "not a time: 'teatime'"

# Play, faster: it runs to the end by itself.
t_keys + + + + +
t_ok "+ plays faster" t_wait $W "x32"
t_keys Space
# At x32 the last refreshes go by within one capture: playing or already at the end.
t_ok "Space plays" t_wait_re $W "REPLAY playing|end of the recording"
t_ok "... to the end of the recording, then stops" t_wait $W "end of the recording"
t_ok "... at the last refresh" t_has " $total/$total"
t_ok "... paused" t_has "REPLAY paused"

# The details of the failed pair, and its report to copy.
t_keys n
t_keys N
t_keys Home Enter
t_ok "Enter: the details" t_wait $W "DETAILS"
t_keys R
t_ok "R: the report text" t_wait $W "==== vfiomigtop report: 0000:3b:00.2 -> 0000:3b:00.2"
t_keys NPage
t_ok "... scrolled: the timelines" t_wait $W "SOURCE timeline"
t_keys R
t_ok "R again: back to the details" t_wait $W "DETAILS"
t_keys q q
t_ok "q quits" t_wait_dead $W
t_ok "... with status 0" test "$(t_status)" = 0

# Live (recording with the screen up), the replay keys say what they are for.
t_top 120 30 -d 0.2 --src "$S" --dst "$D" -w "$T_DIR/live.j"
t_ok "live" t_wait $W DESTINATION
t_keys n
t_ok "n live: only when replaying" t_wait $W "only when replaying a journal"
t_keys q
t_ok "quits" t_wait_dead $W
t_ok "... having recorded with the screen up, ended cleanly" \
	bash -c "tail -n 1 '$T_DIR/live.j' | grep -q '^e [0-9]* records=[1-9]'"
t_ok "... a journal that replays" \
	bash -c "'$VFIOMIGTOP' -r '$T_DIR/live.j' -b -n 1 | grep -q '^pair 0000:3b:00.3 0000:3b:00.3 '"

t_done
