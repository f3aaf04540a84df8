#!/bin/bash
# crash.sh - a fatal signal does not leave the terminal raw: the modes
# from before, the normal screen and the cursor come back, a message says
# what happened, and the signal still ends the program (status 128+N).
. "$(dirname "$0")/lib.sh"

S=$T_DIR/src
t_state "$S" 0000:3b:00.2 RUNNING

# In a sanitizer build, ASan's own SIGSEGV handler would report the
# signal and abort: leave fatal signals to the program's handler.
asan="ASAN_OPTIONS='${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_segv=0:handle_abort=0'"
for sig in SEGV ABRT; do
	rm -f "$T_DIR/stty"
	t_start 80 24 "$asan $VFIOMIGTOP -d 0.2 --src $S; echo \$? >$T_DIR/status; stty -a >$T_DIR/stty"
	t_ok "$sig: started" t_wait $W SOURCE
	pid=$(t_pid)
	t_ok "$sig: the monitor uses the alternate screen" \
		eval "[ \"\$(tm display -p -t t '#{alternate_on}')\" = 1 ]"
	kill -s "$sig" "$pid"
	t_ok "$sig: it died" t_wait_dead $W
	want=$((128 + $(kill -l "$sig")))
	t_ok "$sig: exit status $want (got $(t_status))" [ "$(t_status)" = "$want" ]
	t_until "$W" test -s "$T_DIR/stty"
	t_ok "$sig: canonical mode is back" grep -qE '(^| )icanon( |$)' "$T_DIR/stty"
	t_ok "$sig: echo is back" grep -qE '(^| )echo( |$)' "$T_DIR/stty"
	t_ok "$sig: the normal screen is back" \
		eval "[ \"\$(tm display -p -t t '#{alternate_on}')\" = 0 ]"
	t_ok "$sig: it says so" t_wait $W "killed by SIG$sig; terminal restored"
done
t_done
