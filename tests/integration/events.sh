#!/bin/bash
# --events: one line per transition as observed (time, side, device, from,
# to), steps that polling missed rebuilt with the kernel's rule and marked
# "inferred", pair verdict changes, and the exit status of a failed run.
. "$(dirname "$0")/lib.sh"

root=$T_DIR/root
out=$T_DIR/out
cat >"$T_DIR/ok.scn" <<'SCN'
0    src 0000:3b:00.2 add
0    dst 0000:3b:00.2 add
0.3  src 0000:3b:00.2 PRE_COPY
0.6  src 0000:3b:00.2 PRE_COPY_P2P
0.9  src 0000:3b:00.2 STOP_COPY
1.2  dst 0000:3b:00.2 RESUMING
1.5  src 0000:3b:00.2 STOP
1.8  dst 0000:3b:00.2 RUNNING
SCN
# In lock step: the simulator takes its next step only once the monitor
# has shown the previous ones, however slow the machine is.
t_sim "$T_DIR/ok.scn" "$root"
t_mon "$out" -b --events -d 0.05 --src "$root/src" --dst "$root/dst"
mon=$T_PID
t_wait_line "$(t_seen_re dst 0000:3b:00.2 RUNNING)" "$out"
t_check "the simulator and the monitor went in lock step" t_sim_walk "$out"
t_wait_line ' pair 0000:3b:00\.2 0000:3b:00\.2 completed ' "$out"
t_stop $mon; rc=$?
t_sim_end
t_eq "exit status 0" "$rc" 0
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
dst 0000:3b:00.2 STOP RUNNING_P2P inferred
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
# destination's arrival in RUNNING, as the event times show them.
secs() { awk -v t="$1" 'BEGIN { split(substr(t, 12, 12), a, ":"); printf "%.3f", a[1] * 3600 + a[2] * 60 + a[3] }'; }
t0=$(secs "$(grep ' src 0000:3b:00.2 RUNNING PRE_COPY$' "$out" | cut -d' ' -f1)")
t1=$(secs "$(grep ' dst 0000:3b:00.2 RUNNING_P2P RUNNING$' "$out" | cut -d' ' -f1)")
dur=$(t_field ' pair 0000:3b:00\.2 0000:3b:00\.2 completed ' 6 "$out")
t_check "the duration ($dur s) is the time between those events ($t0 .. $t1)" \
	awk -v d="$dur" -v a="$t0" -v b="$t1" 'BEGIN { x = b - a - d; exit !(x > -0.0015 && x < 0.0015) }'
t_check "timestamps never go backwards" awk '$1 < prev { exit 1 } { prev = $1 }' "$out"

# A destination that ends in ERROR: exit status 3 and a failed verdict.
rm -rf "$root"
cat >"$T_DIR/fail.scn" <<'SCN'
0    src 0000:5e:00.1 add
0    dst 0000:5e:00.1 add
0.2  src 0000:5e:00.1 migrate 0000:5e:00.1 fail=dst-error
SCN
t_sim "$T_DIR/fail.scn" "$root"
t_mon "$out" -b --events -d 0.05 --src "$root/src" --dst "$root/dst"
mon=$T_PID
t_wait_line "$(t_seen_re dst 0000:5e:00.1 RUNNING)" "$out"
t_check "the failing migration, in lock step" t_sim_walk "$out"
t_wait_line ' pair 0000:5e:00\.1 0000:5e:00\.1 failed ' "$out"
t_stop $mon; rc=$?
t_sim_end
t_eq "exit status 3 when a device entered ERROR" "$rc" 3
t_grep "the ERROR transition" ' dst 0000:5e:00\.1 [A-Z_]+ ERROR' "$out"
t_grep "failed verdict names the side and the reason" ' pair 0000:5e:00\.1 0000:5e:00\.1 failed dst error "destination entered ERROR from [A-Z_]+"$' "$out"

# The same run in text mode also exits 3.
t_run 15 "$T_DIR/text" -b -n 2 -d 0.05 --src "$root/src" --dst "$root/dst"; rc=$?
t_eq "text mode: exit status 3 with a device in ERROR" "$rc" 3
t_grep "text mode: failed pair line" '^pair 0000:5e:00\.1 0000:5e:00\.1 failed dst error ' "$T_DIR/text"
t_done
