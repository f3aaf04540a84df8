#!/bin/bash
# Batch text output on a fixture tree: one header per snapshot, one line per
# device (side, name, kernel token, seconds in state, transitions), one line
# per pair; later snapshots show transitions and the verdict.
. "$(dirname "$0")/lib.sh"

tree=$(t_tree basic)
out=$T_DIR/out
t_run 60 "$out" -b -n 1 --src "$tree/src" --dst "$tree/dst"; rc=$?
t_eq "exit status 4: a migration is under way, not finished" "$rc" 4
t_eq "one snapshot" "$(grep -c '^snapshot ' "$out")" 1
t_grep "header" "^snapshot 1 20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:.]{12}Z src=$tree/src dst=$tree/dst devices=8 pairs=3\$" "$out"
t_eq "pairs= counts the pair lines" "$(grep -c '^pair ' "$out")" 3
t_grep "source in STOP_COPY" '^src 0000:3b:00\.2 STOP_COPY [0-9]+\.[0-9]{3} 0$' "$out"
t_grep "destination in RESUMING" '^dst 0000:3b:00\.2 RESUMING [0-9]+\.[0-9]{3} 0$' "$out"
t_grep "idle source" '^src 0000:3b:00\.3 RUNNING ' "$out"
t_grep "PRE_COPY source" '^src 0000:af:00\.1 PRE_COPY ' "$out"
t_grep "no migration support is listed" '^src 0000:17:00\.0 <no-migration> ' "$out"
t_grep "pair by name, stop-copy (the source leads)" '^pair 0000:3b:00\.2 0000:3b:00\.2 stop-copy [0-9.]+$' "$out"
t_grep "pair by name, idle" '^pair 0000:3b:00\.3 0000:3b:00\.3 idle$' "$out"
t_nogrep "unrelated devices are never paired (by order of appearance)" '^pair 0000:af:00\.1 ' "$out"
t_nogrep "extra files are not devices" 'hisi_acc|unknown_file|cmd_state' "$out"

# --pair overrides same-name pairing.
t_run 60 "$out" -b -n 1 --src "$tree/src" --dst "$tree/dst" \
	--pair 0000:af:00.1=0000:3b:00.3 --pair 0000:3b:00.3=0000:d8:00.1
t_grep "--pair first" '^pair 0000:af:00\.1 0000:3b:00\.3 ' "$out"
t_grep "--pair second" '^pair 0000:3b:00\.3 0000:d8:00\.1 ' "$out"

# -n: exactly that many snapshots.
t_run 60 "$out" -b -n 3 -d 0.05 --src "$tree/src" --dst "$tree/dst"
t_eq "-n 3: 3 snapshots" "$(grep -c '^snapshot ' "$out")" 3

# A transition between two snapshots: the destination finishes loading.
t_mon "$out" -b -d 0.05 --src "$tree/src" --dst "$tree/dst"
mon=$T_PID
t_wait_line '^dst 0000:3b:00\.2 RESUMING ' "$out"
t_state "$tree/src" 0000:3b:00.2 STOP
t_state "$tree/dst" 0000:3b:00.2 RUNNING_P2P
# Seen in RUNNING_P2P: only the arc that validates the data leads there.
t_check "destination RUNNING_P2P, 2 steps (RESUMING->STOP->RUNNING_P2P); source now STOP, 1 step; the pair completed with a duration" \
	t_wait_snap '\|src 0000:3b:00\.2 STOP [0-9.]+ 1\|.*\|dst 0000:3b:00\.2 RUNNING_P2P [0-9.]+ 2\|.*\|pair 0000:3b:00\.2 0000:3b:00\.2 completed [0-9]+\.[0-9]{3}(\||$)' "$out"
t_state "$tree/dst" 0000:3b:00.2 RUNNING
t_check "then RUNNING: 3 steps, still completed" \
	t_wait_snap '\|dst 0000:3b:00\.2 RUNNING [0-9.]+ 3\|.*\|pair 0000:3b:00\.2 0000:3b:00\.2 completed [0-9]+\.[0-9]{3}(\||$)' "$out"
t_check "seconds in state grow (a snapshot shows 0000:3b:00.3 for 1.0 s or more)" \
	t_wait_snap '\|dst 0000:3b:00\.3 RUNNING (1|[2-9]|[1-9][0-9]+)\.[0-9]{3} ' "$out"
t_stop $mon; rc=$?
t_eq "exit status 0 after a completed migration" "$rc" 0
t_check "snapshots are numbered in order" \
	awk '/^snapshot / { if ($2 != ++n) exit 1 } END { exit !(n > 1) }' "$out"

# Polling cannot tell a completion from a reset after a rejected load when
# the destination goes from RESUMING to RUNNING between two reads: the
# verdict says so, and the exit status too.
t_state "$tree/src" 0000:3b:00.3 STOP_COPY
t_state "$tree/dst" 0000:3b:00.3 RESUMING
t_mon "$out" -b -d 0.05 --src "$tree/src" --dst "$tree/dst"
mon=$T_PID
t_wait_line '^pair 0000:3b:00\.3 0000:3b:00\.3 stop-copy ' "$out"
t_state "$tree/src" 0000:3b:00.3 STOP
t_state "$tree/dst" 0000:3b:00.3 RUNNING
t_check "RESUMING then RUNNING between two reads: uncertain, saying why" \
	t_wait_line '^pair 0000:3b:00\.3 0000:3b:00\.3 uncertain dst left-resuming-unseen "destination left RESUMING for RUNNING between two reads [0-9.]+ m?s apart: completed, or reset after a rejected load"$' "$out"
t_stop $mon; rc=$?
t_eq "exit status 4 when an attempt is uncertain" "$rc" 4

# A typo in --pair: a warning, never another device paired instead.
t_run 60 "$out" -b -n 1 --src "$tree/src" --dst "$tree/dst" --pair 0000:3b:00.3=0000:3b:00.9
t_grep "--pair with a missing destination: a warning on stderr" "pair 0000:3b:00\.3=0000:3b:00\.9: no destination device 0000:3b:00\.9" "$out.err"
t_grep "... the pair line says it is missing" '^pair 0000:3b:00\.3 0000:3b:00\.9 missing-destination$' "$out"
t_nogrep "... and the real destination is not paired with it" '^pair 0000:3b:00\.3 0000:3b:00\.3 ' "$out"

# Same tree for both sides: --pair decides which device is the destination.
t_run 60 "$out" -b -n 1 --src "$tree/src" --pair 0000:3b:00.2=0000:af:00.1
t_grep "shared tree: source side" '^src 0000:3b:00\.2 STOP ' "$out"
t_grep "shared tree: --pair puts the other device on the destination side" '^dst 0000:af:00\.1 PRE_COPY ' "$out"
t_grep "shared tree: the pair" '^pair 0000:3b:00\.2 0000:af:00\.1 ' "$out"
t_nogrep "shared tree: no other destination" '^dst 0000:3b:00\.3' "$out"
t_done
