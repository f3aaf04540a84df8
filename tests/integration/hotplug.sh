#!/bin/bash
# Devices appearing and vanishing are seen through inotify without a full
# rescan: a vanished device becomes a tombstone (<gone>) and comes back
# under the same name; a burst of hot-plugs at a high rate never confuses
# the monitor.
. "$(dirname "$0")/lib.sh"

root=$T_DIR/root
out=$T_DIR/out
t_state "$root/src" 0000:3b:00.2 RUNNING
t_state "$root/src" 0000:3b:00.3 RUNNING
"$VFIOMIGTOP" -b --events -n 60 -d 0.05 --src "$root/src" >"$out" 2>"$out.err" &
mon=$!
t_at_exit "kill $mon 2>/dev/null"
sleep 0.3
mv "$root/src/0000:3b:00.3" "$root/src/.gone" && rm -rf "$root/src/.gone"
sleep 0.3
t_state "$root/src" 0000:3b:00.4 PRE_COPY
sleep 0.3
mkdir -p "$root/src/.new/migration" && printf 'STOP\n' >"$root/src/.new/migration/state"
mv "$root/src/.new" "$root/src/0000:3b:00.3"
wait $mon
t_grep "vanished device reported gone" ' src 0000:3b:00\.3 RUNNING <gone>$' "$out"
t_grep "new device seen" ' src 0000:3b:00\.4 - PRE_COPY$' "$out"
t_grep "returning device, same name, new state" ' src 0000:3b:00\.3 <gone> STOP$' "$out"
t_nogrep "hidden entries are not devices" ' src \.new' "$out"

# A tombstone stays listed for --tombstone seconds, then goes.
t_state "$root/src" tomb RUNNING
"$VFIOMIGTOP" -b -n 30 -d 0.05 --tombstone 0.5 --src "$root/src" >"$out" 2>&1 &
mon=$!
sleep 0.3
rm -rf "$root/src/tomb"
wait $mon
t_grep "tombstone listed" '^src tomb <gone> ' "$out"
awk '/^snapshot 30 /{p=1} p' "$out" >"$T_DIR/last"
t_nogrep "tombstone expired" '^src tomb ' "$T_DIR/last"

# Hot-plug at a high rate (the simulator's hotplug scenario, 4x speed,
# looping) while the monitor refreshes every 10 ms: no crash, and at the
# end the listed devices are exactly those in the tree.
rm -rf "$root"
"$VFIOMIG_SIM" --loop --speed 4 "$SCENARIOS/hotplug.scn" "$root" &
sim=$!
t_at_exit "kill $sim 2>/dev/null"
t_wait_for 5 test -d "$root/dst"
t_run 30 "$out" -b -n 300 -d 0.01 --tombstone 0 --src "$root/src" --dst "$root/dst"; rc=$?
t_eq "high-rate hot-plug: exit 0 or 3 (the scenario aborts migrations), no crash" "$([ "$rc" = 0 ] || [ "$rc" = 3 ] && echo ok || echo "$rc")" ok
kill $sim; wait $sim 2>/dev/null
t_run 10 "$out" -b -n 2 -d 0.05 --src "$root/src" --dst "$root/dst"
want=$( (cd "$root" && shopt -s nullglob && for d in src/* dst/*; do echo "${d%%/*} ${d#*/}"; done) | sort)
got=$(awk '/^snapshot 2 /{p=1;next} p && ($1=="src"||$1=="dst") { print $1, $2 }' "$out" | sort)
t_eq "after the storm the device list matches the tree" "$got" "$want"
t_done
