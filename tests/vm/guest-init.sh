#!/bin/busybox sh
# /init of the VM test's initramfs (busybox sh).  run-vm-test.sh writes
# /etc/vmtest.conf:
#   FULL=1      6.12's mtty, which migrates with data: migtest migrate too.
#               FULL=0: 6.1's mtty with the test-only FSM without data that
#               run-vm-test.sh patches in (RUNNING, RUNNING_P2P, STOP).
#   VFIOMIGTOP=1  /bin/vfiomigtop exists: run it during the migration (6.12)
#               and across an unload and reload of the module
# Every check prints "ok - ..." or "not ok - ..."; the last line is the
# sentinel "GUEST RESULT: PASS" or "GUEST RESULT: FAIL".

/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
mkdir -p /tmp
. /etc/vmtest.conf

NOK=0
NFAIL=0
ok() { echo "ok - $*"; NOK=$((NOK + 1)); }
notok() { echo "not ok - $*"; NFAIL=$((NFAIL + 1)); }
t() {	# t "description" command...
	d=$1
	shift
	if "$@"; then ok "$d"; else notok "$d"; fi
}
uptime_s() { read -r up _ < /proc/uptime; echo "$up"; }
wait_line() {	# wait_line FILE TEXT: up to 20 s for a line in FILE
	n=0
	while ! grep -qx "$2" "$1" && [ $n -lt 400 ]; do
		sleep 0.05
		n=$((n + 1))
	done
	grep -qx "$2" "$1"
}
wait_grep() {	# wait_grep FILE ERE...: up to 20 s until FILE matches each ERE
	f=$1
	shift
	n=0
	while [ $n -lt 400 ]; do
		all=1
		for re in "$@"; do
			grep -qE "$re" "$f" || { all=0; break; }
		done
		[ $all = 1 ] && return 0
		sleep 0.05
		n=$((n + 1))
	done
	return 1
}
# mon_wait FROM TO: the unload monitor printed "src DEV FROM TO" for A and B
mon_wait() {
	[ "$VFIOMIGTOP" = 1 ] || return 0
	wait_grep /tmp/vfiomigtop-unload.out " src $A $1 $2\$" " src $B $1 $2\$"
}

DBG=/sys/kernel/debug
MODS=/lib/modules
PARAMS=/sys/module/vfiomig/parameters
TYPES=/sys/devices/virtual/mtty/mtty/mdev_supported_types/mtty-2
A=83b8f4f2-509f-382f-3c1e-e6bfe0fa1001
B=83b8f4f2-509f-382f-3c1e-e6bfe0fa1002
C=83b8f4f2-509f-382f-3c1e-e6bfe0fa1003

finish() {
	echo "=== guest dmesg begin ==="
	dmesg
	echo "=== guest dmesg end ==="
	echo "guest checks: $NOK passed, $NFAIL failed"
	if [ "$NFAIL" = 0 ]; then
		echo "GUEST RESULT: PASS"
	else
		echo "GUEST RESULT: FAIL"
	fi
	echo o > /proc/sysrq-trigger
	poweroff -f
}

load() {	# load NAME [params]: insmod from /lib/modules if present
	m=$1
	shift
	[ -f "$MODS/$m.ko" ] || return 0
	t "insmod $m" insmod "$MODS/$m.ko" "$@"
}

create_mdev() { echo "$1" > "$TYPES/create"; }
remove_mdev() { echo 1 > "/sys/bus/mdev/devices/$1/remove"; }
is_dir() { [ -d "$1" ]; }
no_path() { [ ! -e "$1" ]; }
file_is() { [ "$(cat "$1" 2>/dev/null)" = "$2" ]; }

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

echo "guest: kernel $(uname -r), uptime $(uptime_s) s, FULL=$FULL"

# ---- vfio stack, mtty and devices that exist before our module -------------
for m in irqbypass vfio vfio_virqfd vfio_iommu_type1 mdev vfio-pci-core \
	 vfio-pci mtty; do
	load "$m"
done
t "mdev A created before vfiomig loads" create_mdev $A
if [ -n "$EDU" ]; then
	t "edu $EDU bound to vfio-pci before vfiomig loads" pci_bind
fi

# ---- load: discovery of existing devices -----------------------------------
T0=$(uptime_s)
load vfiomig
ROOT=$DBG/$(cat $PARAMS/root)
t "root parameter is vfio" file_is $PARAMS/root vfio
t "device directory of A" is_dir "$ROOT/$A"
t "arcs_enabled is Y" file_is $PARAMS/arcs_enabled Y
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
		sleep 1
	fi
	T1=$(uptime_s)
	if [ "$VFIOMIGTOP" = 1 ]; then
		export MIGTEST_PAUSE_MS=300	# let the monitor see each outcome
	fi
	t "migtest migrate A -> B" migtest -r "$ROOT" migrate $A $B
	unset MIGTEST_PAUSE_MS
	echo "guest: migtest took $(awk "BEGIN { print $(uptime_s) - $T1 }") s"
	if [ "$VFIOMIGTOP" = 1 ]; then
		sleep 1
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

# A device removed while its state file is open and being read.
t "mdev C created" create_mdev $C
migtest reader "$ROOT/$C/migration/state" > /tmp/reader.out 2>&1 &
RPID=$!
n=0
while ! grep -q "reader: reading" /tmp/reader.out && [ $n -lt 100 ]; do
	sleep 0.05
	n=$((n + 1))
done
t "mdev C removed under a reader" remove_mdev $C
t "reader saw the file go away" wait $RPID
cat /tmp/reader.out
t "device directory of C gone" no_path "$ROOT/$C"

# ---- unload while files are open, and reload ---------------------------------
# The monitor and migtest hold files open (state, features, arcs; pollers
# blocked in poll, select and epoll_wait; a state reader): rmmod must
# succeed, the open files fail with EIO, the waiters return at once, and
# after the reload the monitor sees the devices go and come back.
T2=$(uptime_s)
if [ "$VFIOMIGTOP" = 1 ]; then
	vfiomigtop -b --events -d 0.05 > /tmp/vfiomigtop-unload.out 2>&1 &
	UPID=$!
fi
migtest -r "$ROOT" hold $A > /tmp/hold.out 2>&1 &
HOLDPID=$!
t "hold: files open, waiters blocked" wait_line /tmp/hold.out "hold: ready"
mon_wait - RUNNING	# the monitor has the files open
t "rmmod vfiomig while files are open and polled" rmmod vfiomig
t "root gone after rmmod" no_path "$ROOT"
t "hold: stale fds checked and some closed while unloaded" \
	wait_line /tmp/hold.out "hold: unloaded"
mon_wait RUNNING '<gone>'
load vfiomig
t "reload: A found again" is_dir "$ROOT/$A"
t "reload: B found again" is_dir "$ROOT/$B"
[ -n "$EDU" ] && t "reload: $EDU found again" is_dir "$ROOT/$EDU"
t "migtest hold: open files across the unload and reload" wait $HOLDPID
cat /tmp/hold.out
if [ "$VFIOMIGTOP" = 1 ]; then
	mon_wait '<gone>' RUNNING
	t "vfiomigtop still running after the unload and reload" kill -0 "$UPID"
	kill "$UPID" 2>/dev/null
	wait "$UPID"
	echo "=== vfiomigtop unload events begin ==="
	cat /tmp/vfiomigtop-unload.out
	echo "=== vfiomigtop unload events end ==="
fi
echo "guest: unload/reload under open files took $(awk "BEGIN { print $(uptime_s) - $T2 }") s"
t "rmmod vfiomig (after reload)" rmmod vfiomig

load vfiomig arcs=0
t "arcs=0: arcs_enabled is N" file_is $PARAMS/arcs_enabled N
t "arcs=0: state still there" file_is "$ROOT/$A/migration/state" RUNNING
t "arcs=0: no arcs file" no_path "$ROOT/$A/migration/arcs"
t "rmmod vfiomig (arcs=0)" rmmod vfiomig

load vfiomig root=vfiomig
t "root=vfiomig: parameter" file_is $PARAMS/root vfiomig
t "root=vfiomig: A under $DBG/vfiomig" is_dir "$DBG/vfiomig/$A"
t "rmmod vfiomig (root=vfiomig)" rmmod vfiomig
t "a root name that exists is refused" sh -c \
	"! insmod $MODS/vfiomig.ko root=tracing 2>/dev/null"
t "tracing/ untouched" no_path "$DBG/tracing/$A"

# ---- stress: load/unload while devices come and go, FSM steps and readers --
# Files are open and read all along (the cat loop, and the monitor when
# there is one): every rmmod must succeed at once.
T3=$(uptime_s)
D=83b8f4f2-509f-382f-3c1e-e6bfe0fa1004
load vfiomig
touch /tmp/stress.on
migtest churn $A 400 > /tmp/churn.out 2>&1 &
CPID=$!
MPID=""
if [ "$VFIOMIGTOP" = 1 ]; then
	vfiomigtop -b --events -d 0.05 > /tmp/vfiomigtop-stress.out 2>&1 &
	MPID=$!
fi
(while [ -e /tmp/stress.on ]; do
	create_mdev $D && remove_mdev $D
done) 2>/dev/null &
HPID=$!
(while [ -e /tmp/stress.on ]; do
	cat "$ROOT"/*/migration/state "$ROOT"/*/migration/arcs
done) > /dev/null 2>&1 &
SPID=$!
sleep 0.2	# the readers have files open
loops=0
unloads=0
while [ $loops -lt 15 ]; do
	rmmod vfiomig 2>/dev/null && [ ! -e "$ROOT" ] &&
		unloads=$((unloads + 1))
	insmod $MODS/vfiomig.ko 2>/dev/null
	sleep 0.05	# let the readers open files
	loops=$((loops + 1))
done
echo "guest: 15 unload/load cycles took $(awk "BEGIN { print $(uptime_s) - $T3 }") s"
t "stress: 15 unload/load cycles under readers ($unloads rmmod succeeded at once)" \
	[ $unloads = 15 ]
t "stress: rmmod vfiomig" rmmod vfiomig
t "stress: churn" wait $CPID
cat /tmp/churn.out
if [ -n "$MPID" ]; then
	t "stress: vfiomigtop survived 16 unloads" kill -0 "$MPID"
	kill "$MPID" 2>/dev/null
	wait "$MPID"
	tail -n 5 /tmp/vfiomigtop-stress.out
fi
rm /tmp/stress.on
wait $HPID $SPID
[ -e "/sys/bus/mdev/devices/$D" ] && remove_mdev $D
echo "guest: stress took $(awk "BEGIN { print $(uptime_s) - $T3 }") s"

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
echo "guest: module part took $(awk "BEGIN { print $(uptime_s) - $T0 }") s"

finish
