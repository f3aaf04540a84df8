#!/bin/bash
# --events: one line per transition as observed (time, side, device, from,
# to), steps that polling missed rebuilt where only one way is plausible
# and marked "inferred" (else one line marked "missed"), each attempt's
# phases and its verdict once decided, and the exit status of the run.
. "$(dirname "$0")/lib.sh"

root=$T_DIR/root
out=$T_DIR/out

# lockstep SCN DEV ERE: replay SCN in lock step with a --events monitor
# (the simulator takes its next step only once the monitor has shown the
# previous ones, however slow the machine is) until a line matches ERE;
# returns the monitor's exit status.
lockstep() {
	local mon rc
	rm -rf "$root"
	t_sim "$1" "$root"
	t_mon "$out" -b --events -d 0.05 --src "$root/src" --dst "$root/dst"
	mon=$T_PID
	t_wait_line "$(t_seen_re dst "$2" RUNNING)" "$out"
	t_check "$(basename "$1"): the simulator and the monitor went in lock step" \
		t_sim_walk "$out"
	t_wait_line "$3" "$out"
	t_stop "$mon"
	rc=$?
	t_sim_end
	return $rc
}

cat >"$T_DIR/ok.scn" <<'SCN'
0    src 0000:3b:00.2 add
0    dst 0000:3b:00.2 add
0.3  src 0000:3b:00.2 PRE_COPY
0.6  src 0000:3b:00.2 PRE_COPY_P2P
0.9  src 0000:3b:00.2 STOP_COPY
1.2  dst 0000:3b:00.2 RESUMING
1.5  src 0000:3b:00.2 STOP
1.8  dst 0000:3b:00.2 RUNNING_P2P
1.9  dst 0000:3b:00.2 RUNNING
SCN
lockstep "$T_DIR/ok.scn" 0000:3b:00.2 ' pair 0000:3b:00\.2 0000:3b:00\.2 completed '
t_eq "exit status 0" "$?" 0
ev() { awk '{ $1 = ""; sub(/^ /, ""); print }' "$out" | grep -v '^pair' ; }
ev >"$T_DIR/ev"
cat >"$T_DIR/want" <<'WANT'
src 0000:3b:00.2 - RUNNING
dst 0000:3b:00.2 - RUNNING
src 0000:3b:00.2 RUNNING PRE_COPY
src 0000:3b:00.2 PRE_COPY PRE_COPY_P2P
src 0000:3b:00.2 PRE_COPY_P2P STOP_COPY
dst 0000:3b:00.2 RUNNING RUNNING_P2P inferred
dst 0000:3b:00.2 RUNNING_P2P STOP inferred
dst 0000:3b:00.2 STOP RESUMING
src 0000:3b:00.2 STOP_COPY STOP
dst 0000:3b:00.2 RESUMING STOP inferred
dst 0000:3b:00.2 STOP RUNNING_P2P
dst 0000:3b:00.2 RUNNING_P2P RUNNING
WANT
# Each device's transitions in order (the two sides' reads finish at
# different moments, so lines of the two may interleave either way).
for side in src dst; do
	if diff -u <(grep "^$side " "$T_DIR/want") <(grep "^$side " "$T_DIR/ev"); then
		t_pass "$side: transitions in order, inferred steps marked"
	else
		t_fail "$side: transitions"
	fi
done
t_grep "timestamps with milliseconds" '^20[0-9-]{8}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z ' "$out"
t_grep "pair phases reported" ' pair 0000:3b:00\.2 0000:3b:00\.2 pre-copy$' "$out"
t_grep "pair completed with its duration" ' pair 0000:3b:00\.2 0000:3b:00\.2 completed [0-9]+\.[0-9]{3}$' "$out"
# The duration runs from the source's first step into PRE_COPY to the
# destination seen in RUNNING_P2P (only the arc that validates the data
# leads there), as the event times show them.
secs() { awk -v t="$1" 'BEGIN { split(substr(t, 12, 12), a, ":"); printf "%.3f", a[1] * 3600 + a[2] * 60 + a[3] }'; }
t0=$(secs "$(grep ' src 0000:3b:00.2 RUNNING PRE_COPY$' "$out" | cut -d' ' -f1)")
t1=$(secs "$(grep ' dst 0000:3b:00.2 STOP RUNNING_P2P$' "$out" | cut -d' ' -f1)")
dur=$(t_field ' pair 0000:3b:00\.2 0000:3b:00\.2 completed ' 6 "$out")
t_check "the duration ($dur s) is the time between those events ($t0 .. $t1)" \
	awk -v d="$dur" -v a="$t0" -v b="$t1" 'BEGIN { x = b - a - d; exit !(x > -0.0015 && x < 0.0015) }'
t_check "timestamps never go backwards" awk '$1 < prev { exit 1 } { prev = $1 }' "$out"

t_eq "a decided attempt is printed exactly once" "$(grep -c ' pair 0000:3b:00\.2 0000:3b:00\.2 completed ' "$out")" 1

# The destination from RESUMING to RUNNING between two reads: completed,
# or reset after a rejected load; polling cannot tell, and says so.
cat >"$T_DIR/unsure.scn" <<'SCN'
0    src 0000:3b:00.2 add
0    dst 0000:3b:00.2 add
0.3  src 0000:3b:00.2 PRE_COPY
0.3  dst 0000:3b:00.2 RESUMING
0.6  src 0000:3b:00.2 STOP
0.9  dst 0000:3b:00.2 RUNNING
SCN
lockstep "$T_DIR/unsure.scn" 0000:3b:00.2 ' pair 0000:3b:00\.2 0000:3b:00\.2 uncertain '
t_eq "exit status 4: an attempt is uncertain" "$?" 4
t_grep "steps missed, not guessed" ' dst 0000:3b:00\.2 RESUMING RUNNING missed$' "$out"
t_grep "... and the source's PRE_COPY -> STOP too" ' src 0000:3b:00\.2 PRE_COPY STOP missed$' "$out"
t_nogrep "no step is made up" ' dst 0000:3b:00\.2 RESUMING .* inferred$| src 0000:3b:00\.2 PRE_COPY .* inferred$' "$out"
t_grep "the verdict says what would make it certain" ' pair 0000:3b:00\.2 0000:3b:00\.2 uncertain dst left-resuming-unseen "destination left RESUMING for RUNNING between two reads' "$out"

# The source resumes from PRE_COPY while the destination is still seen
# loading: failed, in words that say what was seen, not a cause.
cat >"$T_DIR/cancel.scn" <<'SCN'
0    src 0000:3b:00.2 add
0    dst 0000:3b:00.2 add
0.3  src 0000:3b:00.2 PRE_COPY
0.3  dst 0000:3b:00.2 RESUMING
0.6  src 0000:3b:00.2 RUNNING
SCN
lockstep "$T_DIR/cancel.scn" 0000:3b:00.2 ' pair 0000:3b:00\.2 0000:3b:00\.2 failed '
t_eq "exit status 3: an attempt failed" "$?" 3
t_grep "abandoned, in words of what was seen" ' pair 0000:3b:00\.2 0000:3b:00\.2 failed src abandoned "source resumed from PRE_COPY while the destination was loading: the migration was abandoned \(cancelled, or the destination went away\)"$' "$out"

# A destination that ends in ERROR: exit status 3 and a failed verdict.
cat >"$T_DIR/fail.scn" <<'SCN'
0    src 0000:5e:00.1 add
0    dst 0000:5e:00.1 add
0.2  src 0000:5e:00.1 migrate 0000:5e:00.1 fail=dst-error
SCN
lockstep "$T_DIR/fail.scn" 0000:5e:00.1 ' pair 0000:5e:00\.1 0000:5e:00\.1 failed '
rc=$?
t_eq "exit status 3 when a device entered ERROR" "$rc" 3
t_grep "the ERROR transition" ' dst 0000:5e:00\.1 [A-Z_]+ ERROR' "$out"
t_grep "failed verdict names the side and the reason" ' pair 0000:5e:00\.1 0000:5e:00\.1 failed dst error "destination entered ERROR from [A-Z_]+"$' "$out"

# Started afterwards, a monitor finds the destination in ERROR: a status
# (VFs never opened read so), not a failure of anything it watched.
t_run 60 "$T_DIR/text" -b -n 2 -d 0.05 --src "$root/src" --dst "$root/dst"; rc=$?
t_eq "text mode on the tree left behind: exit status 0" "$rc" 0
t_grep "... the ERROR shown as idle" '^dst 0000:5e:00\.1 ERROR [0-9.]+ 0 idle$' "$T_DIR/text"
t_grep "... and the pair idle" '^pair 0000:5e:00\.1 0000:5e:00\.1 idle$' "$T_DIR/text"
t_done
