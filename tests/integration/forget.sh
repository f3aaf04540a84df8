#!/bin/bash
# forget.sh - a device gone for good (its tombstone expired) is forgotten:
# one of the same name that comes back is a new device, its counters from
# zero; and with devices created and removed in batches, as mdevs are all
# day, the monitor takes the forgotten devices' places again: no new
# device ever shows another's counters, every event names its own device,
# and memory stays flat once the first batches are forgotten.
. "$(dirname "$0")/lib.sh"

N=${FORGET_N:-500}		# devices per batch
BATCHES=${FORGET_BATCHES:-7}	# flat from the 4th: 3 events a device, 4096 kept
root=$T_DIR/root
ev=$T_DIR/events
prom=$T_DIR/metrics.prom
mkdir -p "$root/src"
t_add "$root/src" a RUNNING
t_mon "$ev" -b --events -d 0.05 --tombstone 1 --src "$root/src"
evmon=$T_PID
t_mon "$T_DIR/prom.out" --prometheus-file "$prom" -d 0.05 --tombstone 1 \
	--src "$root/src"
pmon=$T_PID

# metric NAME DEVICE: its value in the last file written ("" if not listed)
metric() {
	sed -n "s/^$1{[^}]*device=\"$2\"} \\(.*\\)\$/\\1/p" "$prom" 2>/dev/null
}
is() { [ "$(metric "$1" "$2")" = "$3" ]; }
unlisted() { ! grep -q "device=\"$1\"" "$prom" 2>/dev/null; }
# count_prom NAME PREFIX VALUE: devices PREFIX* whose NAME is VALUE
count_prom() {
	grep -c "^$1{[^}]*device=\"$2[^\"]*\"} $3\$" "$prom" 2>/dev/null
}
count_is() { [ "$(count_prom "$1" "$2" "$3")" = "$4" ]; }
count_ev() { grep -Ec -- "$1" "$ev"; }
ev_is() { [ "$(count_ev "$1")" = "$2" ]; }

t_check "a is listed" t_wait_for "$T_WAIT" is vfiomigtop_device_present a 1
t_state "$root/src" a ERROR
t_check "a entered ERROR once" \
	t_wait_for "$T_WAIT" is vfiomigtop_device_errors_total a 1
rm -rf "$root/src/a"
t_check "a vanished, then its tombstone expired" t_wait_for "$T_WAIT" unlisted a
t_add "$root/src" a RUNNING
t_check "a is back" t_wait_for "$T_WAIT" is vfiomigtop_device_present a 1
t_eq "a back is a new device: no ERROR entered" \
	"$(metric vfiomigtop_device_errors_total a)" 0
t_eq "a back is a new device: no steps seen" \
	"$(metric vfiomigtop_device_transitions_total a)" 0
t_check "the events said it came back" \
	t_wait_line '^[^ ]+ src a - RUNNING$' "$ev"

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
declare -A rss_at
for b in $(seq 1 "$BATCHES"); do
	p=b$b-
	for i in $(seq 1 "$N"); do t_add "$root/src" "$p$i" RUNNING; done
	t_wait_for "$T_WAIT" count_is vfiomigtop_device_present "$p" 1 "$N" &&
		t_wait_for "$T_WAIT" ev_is "^[^ ]+ src $p[0-9]+ - RUNNING\$" "$N" ||
		t_fail "batch $b: $N devices seen"
	t_check "batch $b: no device shows an ERROR it never entered" \
		count_is vfiomigtop_device_errors_total "$p" 0 "$N"
	t_check "batch $b: no device shows steps it never took" \
		count_is vfiomigtop_device_transitions_total "$p" 0 "$N"
	for i in $(seq 1 "$N"); do t_state "$root/src" "$p$i" ERROR; done
	t_wait_for "$T_WAIT" count_is vfiomigtop_device_errors_total "$p" 1 "$N" &&
		t_wait_for "$T_WAIT" ev_is "^[^ ]+ src $p[0-9]+ RUNNING ERROR( |\$)" "$N" ||
		t_fail "batch $b: every device entered ERROR once"
	rm -rf "$root/src/$p"*
	t_wait_for "$T_WAIT" ev_is "^[^ ]+ src $p[0-9]+ [^ ]+ <gone>( |\$)" "$N" &&
		t_wait_for "$T_WAIT" count_is vfiomigtop_device_present "$p" '[01]' 0 ||
		t_fail "batch $b: every device gone and unlisted"
	rss_at[$b]="$(rss "$evmon") $(rss "$pmon")"
	echo "batch $b: RSS KiB (events, prometheus): ${rss_at[$b]}"
done
t_check "a is still listed, its counters its own" \
	is vfiomigtop_device_errors_total a 0
t_eq "every event line names a device of this run, with a known change" \
	"$(grep -Evc '^[^ ]+ src (a|b[0-9]+-[0-9]+) [^ ]+ [^ ]+( [a-z]+)?$' "$ev")" 0
# The model keeps the devices its last 4096 events name (3 a device here):
# from the 4th batch on it holds as many as it will.  Without forgetting,
# each later batch adds its devices (the model's, devinfo's and the views'
# state, libinotifytools' records).
if [ "$BATCHES" -gt 4 ]; then
	read -r e4 p4 <<<"${rss_at[4]}"
	read -r e9 p9 <<<"${rss_at[$BATCHES]}"
	grow=$(( N * (BATCHES - 4) ))
	echo "RSS growth over the last $((BATCHES - 4)) batches ($grow devices): events $((e9 - e4)) KiB, prometheus $((p9 - p4)) KiB"
	# Measured: 3.4 KiB a device before, -0.4 to 1.0 after (RSS moves
	# by a megabyte either way on a busy machine).
	t_check "the batch monitor's memory stays (< 2 KiB per device)" \
		test $(( e9 - e4 )) -lt $(( 2 * grow ))
	t_check "the Prometheus monitor's memory stays (< 2 KiB per device)" \
		test $(( p9 - p4 )) -lt $(( 2 * grow ))
fi
t_stop "$evmon"
t_eq "the batch monitor ends on SIGINT: devices went into ERROR (3)" "$?" 3
t_stop "$pmon"
t_eq "the Prometheus monitor ends on SIGINT, likewise (3)" "$?" 3

# The journal tells a device's facts once; a device forgotten and back is
# a new device, whose facts it tells again (and the facts of forgotten
# devices are not kept for ever).
cp -a "$top_srcdir/tests/fixtures/ident" "$T_DIR/id"
chmod -R u+w "$T_DIR/id"
J=$T_DIR/journal
D=0000:3b:00.2
t_mon "$T_DIR/j.out" -b -d 0.05 --tombstone 1 -w "$J" \
	--src "$T_DIR/id/debugfs" --sysfs "$T_DIR/id/sysfs"
jmon=$T_PID
facts() { grep -ac "^i [0-9]* side=src name=$D vendor=" "$J" 2>/dev/null; }
facts_are() { [ "$(facts)" = "$1" ]; }
t_check "the journal tells $D's facts" t_wait_for "$T_WAIT" facts_are 1
mv "$T_DIR/id/debugfs/$D" "$T_DIR/saved"
t_check "$D vanished" t_wait_line "^src $D <gone>" "$T_DIR/j.out"
unlisted_d() { t_snaps "$T_DIR/j.out" | tail -n 1 | grep -qv "|src $D "; }
t_check "... and its tombstone expired" t_wait_for "$T_WAIT" unlisted_d
mv "$T_DIR/saved" "$T_DIR/id/debugfs/$D"
t_check "back, a new device: its facts told again" t_wait_for "$T_WAIT" facts_are 2
t_stop "$jmon"
t_done
