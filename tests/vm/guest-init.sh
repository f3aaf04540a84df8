#!/bin/busybox sh
# /init of the VM test's initramfs (busybox sh).  run-vm-test.sh writes
# /etc/vmtest.conf:
#   FULL=1      6.12's mtty, which migrates with data: migtest migrate too.
#               FULL=0: 6.1's mtty with the test-only FSM without data that
#               run-vm-test.sh patches in (RUNNING, RUNNING_P2P, STOP).
#   VFIOMIGTOP=1  /bin/vfiomigtop exists: run it during the migration (6.12)
#               and around the unload of the module
#   DEBUG=1     the debug kernel: check kmemleak at the end
#   SLOW=N      multiply every timeout by N (a debug kernel under TCG)
# Every check prints "ok - ..." or "not ok - ..."; the last line is the
# sentinel "GUEST RESULT: PASS" or "GUEST RESULT: FAIL".  Nothing waits for
# a fixed time: every wait is for a condition, with a timeout that says
# what it waited for.

/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
mkdir -p /tmp
DEBUG=0
SLOW=1
. /etc/vmtest.conf

NOK=0
NFAIL=0
ok() { echo "ok - $*"; NOK=$((NOK + 1)); }
notok() { echo "not ok - $*"; NFAIL=$((NFAIL + 1)); }
uptime_s() { read -r up _ < /proc/uptime; echo "$up"; }
t() {	# t "description" command...: a check; one taking 2 s or more says so
	d=$1
	shift
	read -r t_0 _ < /proc/uptime
	if "$@"; then ok "$d"; else notok "$d"; fi
	read -r t_1 _ < /proc/uptime
	t_cs=$((${t_1%.*}${t_1#*.} - ${t_0%.*}${t_0#*.}))
	[ $t_cs -lt 200 ] || echo "# took $((t_cs / 100)).$((t_cs % 100 / 10)) s"
}
since() { awk "BEGIN { printf \"%.2f\", $(uptime_s) - $1 }"; }
# wait_for SECONDS WHAT COMMAND...: until COMMAND succeeds, SECONDS (times
# SLOW) at most; on a timeout say what was waited for.
wait_for() {
	limit=$(($1 * SLOW * 20))
	what=$2
	shift 2
	n=0
	while ! "$@"; do
		n=$((n + 1))
		if [ $n -ge $limit ]; then
			echo "# timeout: waited $(($limit / 20)) s for $what"
			return 1
		fi
		sleep 0.05
	done
}
has_line() { grep -qx "$2" "$1"; }
has_all() {	# has_all FILE ERE...: FILE matches each ERE
	f=$1
	shift
	for re in "$@"; do
		grep -qE "$re" "$f" || return 1
	done
}
wait_line() { wait_for 60 "\"$2\" in $1" has_line "$1" "$2"; }
wait_grep() { f=$1; shift; wait_for 60 "$* in $f" has_all "$f" "$@"; }
# has_open PID FILE...: process PID holds each FILE open
has_open() {
	p=$1
	shift
	for f in "$@"; do
		found=0
		for fd in /proc/$p/fd/*; do
			[ "$(readlink "$fd")" = "$f" ] && { found=1; break; }
		done
		[ $found = 1 ] || return 1
	done
}
# mon_sees FILE DEV...: a monitor printed "src DEV - RUNNING" for each DEV
mon_sees() {
	f=$1
	shift
	for dev in "$@"; do
		wait_grep "$f" " src $dev - RUNNING\$" || return 1
	done
}

DBG=/sys/kernel/debug
MODS=/lib/modules
PARAMS=/sys/module/vfiomig/parameters
TYPES=/sys/devices/virtual/mtty/mtty/mdev_supported_types/mtty-2
MTTY_DELAY=/sys/module/mtty/parameters/get_state_delay_ms
U=83b8f4f2-509f-382f-3c1e-e6bfe0fa10
A=${U}01
B=${U}02
C=${U}03
D=${U}04
E=${U}05
F=${U}06
G=${U}07

# The sentinel, twice: on the console as a line of its own, and as a
# kernel message.  Output written to the console is still being sent when
# the power-off's own kernel message is printed, which can cut the first
# into two; a kernel message is printed whole.
guest_result() {
	echo "GUEST RESULT: $1"
	echo "<2>GUEST RESULT: $1" > /dev/kmsg 2>/dev/null
}

finish() {
	echo "=== guest dmesg begin ==="
	dmesg
	echo "=== guest dmesg end ==="
	echo "guest checks: $NOK passed, $NFAIL failed"
	if [ "$NFAIL" = 0 ]; then
		guest_result PASS
	else
		guest_result FAIL
	fi
	echo o > /proc/sysrq-trigger
	poweroff -f
}

load() {	# load NAME [params]: insmod from /lib/modules if present
	m=$1
	shift
	[ -f "$MODS/$m.ko" ] || return 0
	t "insmod $m $*" insmod "$MODS/$m.ko" "$@"
}

create_mdev() { echo "$1" > "$TYPES/create"; }
remove_mdev() { echo 1 > "/sys/bus/mdev/devices/$1/remove"; }
is_dir() { [ -d "$1" ]; }
no_path() { [ ! -e "$1" ]; }
file_is() { [ "$(cat "$1" 2>/dev/null)" = "$2" ]; }
loaded() { [ -d /sys/module/vfiomig ]; }
not_loaded() { [ ! -d /sys/module/vfiomig ]; }
# The module's status file (vfiomig(4)): "name value" lines.
STATUS_ON=$(printf 'arcs 1\narcs_missed 0\narcs_ring 256')
STATUS_OFF=$(printf 'arcs 0\narcs_missed 0\narcs_ring 256')
status_arcs() { grep -qx "arcs $2" "$1/vfiomig"; }

# The edu device (1234:11e8) of the PCI part, if qemu has one.
EDU=""
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor")" = 0x1234 ] && [ "$(cat "$d/device")" = 0x11e8 ] &&
		EDU=${d##*/}
done

pci_bind() {
	echo vfio-pci > "/sys/bus/pci/devices/$EDU/driver_override"
	echo "$EDU" > /sys/bus/pci/drivers_probe
	[ -e "/sys/bus/pci/drivers/vfio-pci/$EDU" ]
}
pci_unbind() { echo "$EDU" > /sys/bus/pci/drivers/vfio-pci/unbind; }

# kmemleak (debug kernel): what leaks is reported by a scan that finds an
# object unreferenced and at least 5 s old (kmemleak's minimum age).
KMEMLEAK=$DBG/kmemleak
kmemleak_scan() { echo scan > $KMEMLEAK; }

echo "guest: kernel $(uname -r), uptime $(uptime_s) s, FULL=$FULL DEBUG=$DEBUG"

# ---- vfio stack, mtty and devices that exist before our module -------------
for m in irqbypass vfio vfio_virqfd vfio_iommu_type1 mdev vfio-pci-core \
	 vfio-pci mtty; do
	load "$m"
done
t "mdev A created before vfiomig loads" create_mdev $A
if [ -n "$EDU" ]; then
	t "edu $EDU bound to vfio-pci before vfiomig loads" pci_bind
fi
if [ "$DEBUG" = 1 ]; then
	# Forget what boot and the vfio stack left behind: from here on every
	# report is the test's.
	t "kmemleak is on" [ -w $KMEMLEAK ]
	kmemleak_scan
	echo clear > $KMEMLEAK
fi

# ---- load: discovery of existing devices -----------------------------------
T0=$(uptime_s)
load vfiomig
ROOT=$DBG/$(cat $PARAMS/root)
t "root parameter is vfio" file_is $PARAMS/root vfio
t "no arcs_enabled parameter" no_path $PARAMS/arcs_enabled
t "status file: arc log on, nothing missed, ring 256" file_is "$ROOT/vfiomig" "$STATUS_ON"
t "device directory of A" is_dir "$ROOT/$A"
if [ "$FULL" = 1 ]; then
	FEATURES=$(printf 'stop-copy\np2p\npre-copy\ndirty-tracking')
else
	FEATURES=$(printf 'stop-copy\np2p')	# the patched 6.1 mtty
fi
t "A state is RUNNING" file_is "$ROOT/$A/migration/state" RUNNING
t "A features" file_is "$ROOT/$A/migration/features" "$FEATURES"
t "A arcs file" [ -f "$ROOT/$A/migration/arcs" ]
t "A arcs empty" file_is "$ROOT/$A/migration/arcs" ""
if [ -n "$EDU" ]; then
	t "PCI device directory $EDU" is_dir "$ROOT/$EDU"
	t "vfio-pci (no migration) has no migration/" no_path "$ROOT/$EDU/migration"
fi

# ---- devices that come after ------------------------------------------------
t "mdev B created after vfiomig loads" create_mdev $B
t "device directory of B" is_dir "$ROOT/$B"
if [ -n "$EDU" ]; then
	t "unbind $EDU from vfio-pci" pci_unbind
	t "PCI directory gone after unbind" no_path "$ROOT/$EDU"
	t "rebind $EDU to vfio-pci" pci_bind
	t "PCI directory back after bind" is_dir "$ROOT/$EDU"
fi

# ---- the migration ------------------------------------------------------------
if [ "$FULL" = 1 ]; then
	if [ "$VFIOMIGTOP" = 1 ]; then
		vfiomigtop -b --events -d 0.01 --pair "$A=$B" \
			> /tmp/vfiomigtop.out 2>&1 &
		VPID=$!
		# A second monitor refreshing only every 60 s: what it shows
		# during the run came from the module's change notification.
		vfiomigtop -b --events -d 60 --pair "$A=$B" \
			> /tmp/vfiomigtop-slow.out 2>&1 &
		SPID=$!
		# Both monitors have the state files open (the slow one
		# writes its output only at its next refresh).
		for p in $VPID $SPID; do
			wait_for 60 "vfiomigtop $p to open the state files" has_open $p \
				"$ROOT/$A/migration/state" "$ROOT/$B/migration/state"
		done
	fi
	T1=$(uptime_s)
	if [ "$VFIOMIGTOP" = 1 ]; then
		export MIGTEST_PAUSE_MS=300	# let the monitor see each outcome
	fi
	t "migtest migrate A -> B" migtest -r "$ROOT" migrate $A $B
	unset MIGTEST_PAUSE_MS
	echo "guest: migtest took $(since "$T1") s"
	if [ "$VFIOMIGTOP" = 1 ]; then
		# The last events check-events.sh looks for.
		wait_grep /tmp/vfiomigtop.out " dst $B RESUMING RUNNING nopath\$"
		wait_grep /tmp/vfiomigtop-slow.out " pair $A $B completed "
		kill "$VPID" "$SPID" 2>/dev/null
		wait "$VPID"
		wait "$SPID"
		echo "=== vfiomigtop events begin ==="
		cat /tmp/vfiomigtop.out
		echo "=== vfiomigtop events end ==="
		echo "=== vfiomigtop slow events begin ==="
		cat /tmp/vfiomigtop-slow.out
		echo "=== vfiomigtop slow events end ==="
	fi
fi

# ---- the arc ring overflows: "# lost N" and a seq gap of N ------------------
t "migtest overflow: 100 round trips (400 arcs) into a 256-arc ring" \
	migtest -r "$ROOT" overflow $A 100

# ---- a device removed while its state file is open and being read ----------
t "mdev C created" create_mdev $C
migtest reader "$ROOT/$C/migration/state" > /tmp/reader.out 2>&1 &
RPID=$!
wait_line /tmp/reader.out "reader: reading"
t "mdev C removed under a reader" remove_mdev $C
t "reader saw the file go away" wait $RPID
cat /tmp/reader.out
t "device directory of C gone" no_path "$ROOT/$C"

# ---- removal while a read waits in the driver (the class mutex is held) ----
# The test mtty's get_state sleeps for get_state_delay_ms under its state
# lock.  Removing the device waits for the read in progress, inside
# device_del() under the vfio-dev class mutex, so a device created
# meanwhile waits too.  The bound is one get_state.
if [ -w "$MTTY_DELAY" ]; then
	DELAY_MS=1000
	t "mdev F created" create_mdev $F
	echo $DELAY_MS > "$MTTY_DELAY"
	migtest reader "$ROOT/$F/migration/state" > /tmp/reader-slow.out 2>&1 &
	RPID=$!
	wait_line /tmp/reader-slow.out "reader: reading"
	# Reads now follow each other 1 ms apart: the removal comes in one.
	rm -f /tmp/g.done
	T=$(uptime_s)
	remove_mdev $F &
	XPID=$!
	(create_mdev $G && uptime_s > /tmp/g.done) &
	GPID=$!
	wait $XPID
	T_RM=$(since "$T")
	wait $GPID
	T_G=$(awk "BEGIN { printf \"%.2f\", $(cat /tmp/g.done 2>/dev/null || echo -1) - $T }")
	echo 0 > "$MTTY_DELAY"
	t "reader of F saw the file go away" wait $RPID
	echo "guest: removal under a read blocked in get_state ($DELAY_MS ms): ${T_RM} s; mdev G created meanwhile: ${T_G} s"
	# Once the removal has begun, no new read starts: it waits for one
	# read at most.  The slack is for the rest of an mdev's removal on a
	# busy host.
	t "removal waited at most one get_state (${T_RM} s <= $DELAY_MS ms + $((2 * SLOW)) s)" \
		awk "BEGIN { exit !($T_RM <= $DELAY_MS / 1000 + 2 * $SLOW) }"
	t "device directory of F gone" no_path "$ROOT/$F"
	t "device directory of G" is_dir "$ROOT/$G"
	t "mdev G removed" remove_mdev $G
fi

# ---- rmmod is refused while files are open, and works once they are closed -
# The monitor and migtest hold files open (state, features, arcs; pollers
# blocked in poll, select and epoll_wait; a state reader).  rmmod must fail
# ("in use"), vfiomig-holders must name them; removing a device under the
# open files hangs them up, its return gives new files; once the monitor
# and migtest are gone, rmmod works, and a monitor started after the
# reload sees the devices.
T2=$(uptime_s)
t "mdev E created" create_mdev $E
if [ "$VFIOMIGTOP" = 1 ]; then
	vfiomigtop -b --events -d 0.05 > /tmp/vfiomigtop-unload.out 2>&1 &
	UPID=$!
	t "monitor sees A, B and E" mon_sees /tmp/vfiomigtop-unload.out $A $B $E
fi
migtest -r "$ROOT" hold $E > /tmp/hold.out 2>&1 &
HOLDPID=$!
t "hold: files open, waiters blocked" wait_line /tmp/hold.out "hold: ready"
t "rmmod vfiomig is refused while files are open" sh -c '! rmmod vfiomig'
t "module and root still there after the refused rmmod" sh -c \
	"[ -d /sys/module/vfiomig ] && [ -d '$ROOT/$A' ]"
vfiomig-holders > /tmp/holders.out 2>&1
HRC=$?
cat /tmp/holders.out
t "vfiomig-holders exits 1 and names migtest" sh -c \
	"[ $HRC = 1 ] && grep -q '	migtest	$ROOT/$E/migration/' /tmp/holders.out"
if [ "$VFIOMIGTOP" = 1 ]; then
	t "vfiomig-holders names vfiomigtop" grep -q "	vfiomigtop	$ROOT/" /tmp/holders.out
fi
t "mdev E removed under the open files" remove_mdev $E
t "hold: waiters returned, stale fds checked, some closed" \
	wait_line /tmp/hold.out "hold: removed"
t "rmmod is still refused: the removed device's files are open" \
	sh -c '! rmmod vfiomig'
t "vfiomig-holders shows them deleted" sh -c \
	"vfiomig-holders | grep -q '	migtest	$ROOT/$E/migration/.* (deleted)\$'"
t "mdev E created again" create_mdev $E
t "migtest hold: open files across the removal and return of E" wait $HOLDPID
cat /tmp/hold.out
if [ "$VFIOMIGTOP" = 1 ]; then
	t "the monitor saw E go and come back" wait_grep /tmp/vfiomigtop-unload.out \
		" src $E RUNNING <gone>\$" " src $E <gone> RUNNING\$"
	t "rmmod is refused while the monitor runs" sh -c '! rmmod vfiomig'
	kill "$UPID"
	wait "$UPID"
fi
t "rmmod vfiomig works once every file is closed" rmmod vfiomig
t "root gone after rmmod" no_path "$ROOT"
t "vfiomig-holders: not loaded (exit 2)" sh -c 'vfiomig-holders; [ $? = 2 ]'
load vfiomig
t "reload: A found again" is_dir "$ROOT/$A"
t "reload: B found again" is_dir "$ROOT/$B"
t "reload: E found again" is_dir "$ROOT/$E"
[ -n "$EDU" ] && t "reload: $EDU found again" is_dir "$ROOT/$EDU"
t "vfiomig-holders: nothing open (exit 0)" vfiomig-holders
if [ "$VFIOMIGTOP" = 1 ]; then
	vfiomigtop -b --events -d 0.05 > /tmp/vfiomigtop-reload.out 2>&1 &
	UPID=$!
	t "a monitor started after the reload sees A, B and E" \
		mon_sees /tmp/vfiomigtop-reload.out $A $B $E
	kill "$UPID"
	wait "$UPID"
	echo "=== vfiomigtop unload events begin ==="
	cat /tmp/vfiomigtop-unload.out
	echo "=== monitor stopped, module unloaded and loaded, monitor started ==="
	cat /tmp/vfiomigtop-reload.out
	echo "=== vfiomigtop unload events end ==="
fi
t "mdev E removed" remove_mdev $E
echo "guest: unload contract took $(since "$T2") s"
t "rmmod vfiomig (after reload)" rmmod vfiomig

# ---- every parameter, with hostile values ------------------------------------
# pcase DESC ok|fail ARCS ARGS...: insmod with ARGS.  ok: it loads, the
# root named by the parameter has A's state, the status file says "arcs
# ARCS", and rmmod removes the root.  fail: the load is refused and leaves
# nothing in debugfs.
pcase() {
	pd=$1 want=$2 parcs=$3
	shift 3
	before=$(ls $DBG)
	if insmod $MODS/vfiomig.ko "$@" 2>/tmp/insmod.err; then got=ok; else got=fail; fi
	if [ $got != "$want" ]; then
		notok "param $pd: insmod: $got, expected $want ($(cat /tmp/insmod.err))"
		loaded && rmmod vfiomig
		return
	fi
	if [ "$want" = fail ]; then
		t "param $pd: refused, nothing left" sh -c \
			"[ ! -d /sys/module/vfiomig ] && [ \"\$(ls $DBG)\" = '$before' ]"
		return
	fi
	r=$(cat $PARAMS/root)
	t "param $pd: root $r, A is RUNNING, arcs $parcs" sh -c \
		"[ \"\$(cat '$DBG/$r/$A/migration/state')\" = RUNNING ] &&
		 grep -qx 'arcs $parcs' '$DBG/$r/vfiomig'"
	t "param $pd: rmmod, root $r gone" sh -c "rmmod vfiomig && [ ! -e '$DBG/$r' ]"
}
L31=$(printf 'r%.0s' $(seq 31))
L32=$(printf 'r%.0s' $(seq 32))
L4000=$(printf 'r%.0s' $(seq 4000))
pcase "none" ok 1
pcase "root= (empty: the default)" ok 1 root=
pcase "root=vfiomig" ok 1 root=vfiomig
pcase "root=vfio_mig.test-1" ok 1 root=vfio_mig.test-1
pcase "root of 31 characters" ok 1 root=$L31
pcase "root of 32 characters" fail 1 root=$L32
pcase "root of 4000 characters" fail 1 root=$L4000
pcase "root=a/b" fail 1 root=a/b
pcase "root=/" fail 1 root=/
pcase "root=." fail 1 root=.
pcase "root=.." fail 1 root=..
pcase "root=../vfio" fail 1 root=../vfio
pcase 'root="a b"' fail 1 'root="a b"'
pcase "root=tracing (exists)" fail 1 root=tracing
t "tracing/ untouched" no_path "$DBG/tracing/$A"
pcase "root twice: the last one counts" ok 1 root=tracing root=vfiomig
for v in 1 y Y yes on true; do pcase "arcs=$v" ok 1 arcs=$v; done
for v in 0 n N no off false; do pcase "arcs=$v" ok 0 arcs=$v; done
pcase "arcs (no value)" ok 1 arcs
for v in '' 2 x -1 o; do pcase "arcs='$v'" fail 1 "arcs=$v"; done
pcase "arcs=0 arcs_enabled=1 (an oops at rmmod before)" ok 0 arcs=0 arcs_enabled=1
pcase "arcs_enabled=0 (no such parameter: ignored)" ok 1 arcs_enabled=0
pcase "unknown=1 (ignored)" ok 1 unknown=1
pcase "root=vfiomig arcs=0" ok 0 root=vfiomig arcs=0
load vfiomig arcs=0
t "arcs=0: status file says so" file_is "$ROOT/vfiomig" "$STATUS_OFF"
t "arcs=0: state still there" file_is "$ROOT/$A/migration/state" RUNNING
t "arcs=0: no arcs file" no_path "$ROOT/$A/migration/arcs"
t "rmmod vfiomig (arcs=0)" rmmod vfiomig

# ---- stress: load/unload while devices come and go, FSM steps and readers --
# Readers open, read and close files all along: rmmod is refused while one
# is open and must succeed as soon as none is (each cycle retries until it
# does, 60 s at most).
T3=$(uptime_s)
load vfiomig
touch /tmp/stress.on
migtest churn $A 400 > /tmp/churn.out 2>&1 &
CPID=$!
(while [ -e /tmp/stress.on ]; do
	create_mdev $D && remove_mdev $D
done) 2>/dev/null &
HPID=$!
(while [ -e /tmp/stress.on ]; do
	cat "$ROOT"/*/migration/state "$ROOT"/*/migration/arcs "$ROOT"/vfiomig
done) > /dev/null 2>&1 &
SPID=$!
rmmod_retry() {
	refused=0
	while ! rmmod vfiomig 2>/dev/null; do
		refused=$((refused + 1))
		[ $refused -lt $((1200 * SLOW)) ] || return 1
		sleep 0.05
	done
}
loops=0
unloads=0
while [ $loops -lt 15 ]; do
	rmmod_retry && [ ! -e "$ROOT" ] && unloads=$((unloads + 1))
	insmod $MODS/vfiomig.ko 2>/dev/null
	loops=$((loops + 1))
done
echo "guest: 15 unload/load cycles took $(since "$T3") s"
t "stress: 15 unload/load cycles under readers ($unloads rmmod succeeded)" \
	[ $unloads = 15 ]
t "stress: status file readable, nothing missed" grep -qx 'arcs_missed 0' "$ROOT/vfiomig"
rm /tmp/stress.on
wait $HPID $SPID
t "stress: rmmod vfiomig" rmmod vfiomig
t "stress: churn" wait $CPID
cat /tmp/churn.out
[ -e "/sys/bus/mdev/devices/$D" ] && remove_mdev $D
echo "guest: stress took $(since "$T3") s"

# ---- devices going away while loaded, then unload with none left ----------
load vfiomig
t "mdev A removed" remove_mdev $A
t "device directory of A gone" no_path "$ROOT/$A"
t "mdev B removed" remove_mdev $B
t "device directory of B gone" no_path "$ROOT/$B"
if [ -n "$EDU" ]; then
	t "unbind $EDU" pci_unbind
	t "PCI directory gone" no_path "$ROOT/$EDU"
fi
t "rmmod vfiomig (no devices)" rmmod vfiomig
echo "guest: module part took $(since "$T0") s"

# ---- kmemleak: nothing the test allocated may be left unreferenced --------
if [ "$DEBUG" = 1 ]; then
	# Every object the test could have leaked is older than kmemleak's
	# minimum age (5 s) only 5 s after the last rmmod; scan twice, as its
	# documentation advises, against references left in registers or on
	# stacks for a moment.
	T4=$(uptime_s)
	old_enough() { awk "BEGIN { exit !($(uptime_s) >= $T4 + 6) }"; }
	wait_for 60 "kmemleak's minimum object age" old_enough
	kmemleak_scan
	kmemleak_scan
	cat $KMEMLEAK > /tmp/kmemleak.out
	echo "=== kmemleak begin ==="
	cat /tmp/kmemleak.out
	echo "=== kmemleak end ==="
	t "kmemleak: no unreferenced object ($(grep -c '^unreferenced object' /tmp/kmemleak.out) reported)" \
		[ ! -s /tmp/kmemleak.out ]
fi

finish
