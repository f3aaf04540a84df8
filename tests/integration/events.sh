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
"$VFIOMIG_SIM" "$T_DIR/ok.scn" "$root" &
sim=$!
t_at_exit "kill $sim 2>/dev/null"
t_wait_for 5 test -e "$root/dst/0000:3b:00.2/migration/state"
t_run 10 "$out" -b --events -n 50 -d 0.05 --src "$root/src" --dst "$root/dst"; rc=$?
wait $sim
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
t_grep "pair completed with its duration" ' pair 0000:3b:00\.2 0000:3b:00\.2 completed 1\.[0-9]{3}$' "$out"
t_check "timestamps never go backwards" awk '$1 < prev { exit 1 } { prev = $1 }' "$out"

# A destination that ends in ERROR: exit status 3 and a failed verdict.
rm -rf "$root"
cat >"$T_DIR/fail.scn" <<'SCN'
0    src 0000:5e:00.1 add
0    dst 0000:5e:00.1 add
0.2  src 0000:5e:00.1 migrate 0000:5e:00.1 fail=dst-error
SCN
"$VFIOMIG_SIM" "$T_DIR/fail.scn" "$root" &
sim=$!
t_wait_for 5 test -e "$root/dst/0000:5e:00.1/migration/state"
t_run 15 "$out" -b --events -n 80 -d 0.05 --src "$root/src" --dst "$root/dst"; rc=$?
wait $sim
t_eq "exit status 3 when a device entered ERROR" "$rc" 3
t_grep "the ERROR transition" ' dst 0000:5e:00\.1 [A-Z_]+ ERROR' "$out"
t_grep "failed verdict names the side and the reason" ' pair 0000:5e:00\.1 0000:5e:00\.1 failed dst error "destination entered ERROR from [A-Z_]+"$' "$out"

# The same run in text mode also exits 3.
t_run 15 "$T_DIR/text" -b -n 2 -d 0.05 --src "$root/src" --dst "$root/dst"; rc=$?
t_eq "text mode: exit status 3 with a device in ERROR" "$rc" 3
t_grep "text mode: failed pair line" '^pair 0000:5e:00\.1 0000:5e:00\.1 failed dst error ' "$T_DIR/text"
t_done
