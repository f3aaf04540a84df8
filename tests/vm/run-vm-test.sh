#!/bin/bash
# VM test of the vfiomig module on a real Debian kernel in qemu.
#
#   run-vm-test.sh [6.12|6.1|debug]      (default 6.12)
#
# 6.12 (bookworm-backports): the full test.  mtty (built from Debian's
#   linux-source-6.12) migrates between two mdevs driven by migtest; the
#   module's files are checked at every step; failed migrations, hotplug,
#   removal under a reader, unload/reload with files open and polled.
# 6.1 (bookworm): 6.1's mtty has no migration, so it gets a test-only FSM
#   without data (mtty_61_fsm below); then the same checks except the
#   migration: discovery (and a vfio-pci device without migration),
#   hotplug, removal under a reader, unload/reload with files open and
#   polled, stress.
# debug: the 6.12 test on a debug kernel built from the same
#   linux-source-6.12 (tests/vm/debug-kernel.sh: KASAN, lockdep,
#   kmemleak, KFENCE, debug objects, atomic-sleep checks); any report of
#   theirs fails the test, and kmemleak is scanned at the end.
#
# All three check every module parameter with hostile values, that rmmod
# is refused while a file is open (and vfiomig-holders names the holder)
# and works once it is closed, removal while a read waits in the driver
# (a test-only delay in mtty's get_state), and the overflow of the arc ring.
#
# Exit status: 0 PASS, 1 FAIL, 77 SKIP (automake) only when the kernel
# packages can neither be downloaded nor found in the cache.
#
# Environment:
#   VFIOMIGTOP_VM_CACHE  cache directory (default /var/cache/vfiomigtop-vm)
#   VFIOMIGTOP_VM_OUT    where results go (default $VFIOMIGTOP_VM_CACHE/out);
#                        console-SERIES.log, events-migration.txt and
#                        events-slow.txt (6.12; events-migration-debug.txt
#                        and events-slow-debug.txt for debug, which may run
#                        at the same time), events-unload-SERIES.txt
#   VFIOMIGTOP_VM_ACCEL  tcg (default) or auto (kvm when /dev/kvm is usable)
#   VFIOMIGTOP_VM_KEEP   1: keep the work directory
#   VFIOMIGTOP_BIN       a vfiomigtop binary to run in the guest during the
#                        migration and the unload (with its shared libraries)
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
# shellcheck source=tests/vm/lib.sh
. "$HERE/lib.sh"

SERIES=${1:-6.12}
DEBUG=0
case $SERIES in
6.12) FULL=1 ;;
6.1) FULL=0 ;;
debug) FULL=1; DEBUG=1 ;;
*) echo "usage: $0 [6.12|6.1|debug]" >&2; exit 2 ;;
esac
OUT=${VFIOMIGTOP_VM_OUT:-$VM_CACHE/out}
ACCEL=${VFIOMIGTOP_VM_ACCEL:-tcg}
NAME="vm-$SERIES"

# ---- host tools -------------------------------------------------------------
missing=$(vm_missing_tools qemu-system-x86_64 cpio gzip xz dpkg-deb apt-get \
	make gcc gcc-12 pahole strip patch flock)
if [ "$DEBUG" = 1 ]; then
	# the debug kernel's build
	for tool in bc flex bison; do
		command -v "$tool" >/dev/null || missing="$missing $tool"
	done
	[ -f /usr/include/libelf.h ] || missing="$missing libelf-dev"
fi
[ -z "$missing" ] || fail "missing host tools:$missing (run tests/vm/setup.sh as root)"

mkdir -p "$VM_CACHE" "$OUT" 2>/dev/null && [ -w "$VM_CACHE" ] ||
	fail "cache $VM_CACHE is not writable (set VFIOMIGTOP_VM_CACHE)"

# ---- kernel packages -----------------------------------------------------------
T=$(now)
if [ "$DEBUG" = 1 ]; then
	vm_prepare 6.12 no
else
	vm_prepare "$SERIES"
fi
case $? in
0) ;;
"$VM_SKIP") skip "no network to the Debian mirror and no cached $SERIES kernel" ;;
*) fail "could not prepare the $SERIES kernel" ;;
esac
T_PREP=$(since "$T")
if [ "$DEBUG" = 1 ]; then
	T=$(now)
	# shellcheck source=tests/vm/debug-kernel.sh
	. "$HERE/debug-kernel.sh"
	vm_debug_kernel || fail "could not build the debug kernel"
	T_DBG=$(since "$T")
	KVER=$(cat "$KDIR/include/config/kernel.release")
	PKGVER="debug build of linux-source-6.12 $PKGVER, $DBG_DIR"
	KIMAGE=$DBG_IMAGE
	MODDIR=$KDIR
else
	KIMAGE="$KROOT/boot/vmlinuz-$KVER"
	MODDIR="$KROOT/lib/modules/$KVER/kernel"
fi

vm_workdir vfiomig-vm

# mtty_612_delay DIR: a test-only delay in 6.12's mtty_get_state(), under
# its state lock (module parameter get_state_delay_ms, 0 by default), so
# that a read of the state file can be caught in the driver while the
# device is removed.
mtty_612_delay() {
	patch --no-backup-if-mismatch -d "$1" -p1 <<'EOF'
--- a/mtty.c
+++ b/mtty.c
@@ -1256,13 +1256,23 @@
 	return ret;
 }
 
+/*
+ * vfiomig VM test only: a slow get_state, so that a read of the state file
+ * can be caught in the driver while the device is removed.
+ */
+static unsigned int get_state_delay_ms;
+module_param(get_state_delay_ms, uint, 0644);
+
 static int mtty_get_state(struct vfio_device *vdev,
 			  enum vfio_device_mig_state *current_state)
 {
 	struct mdev_state *mdev_state =
 		container_of(vdev, struct mdev_state, vdev);
+	unsigned int delay_ms = READ_ONCE(get_state_delay_ms);
 
 	mutex_lock(&mdev_state->state_mutex);
+	if (delay_ms)
+		schedule_timeout_uninterruptible(msecs_to_jiffies(delay_ms));
 	*current_state = mdev_state->state;
 	mtty_state_mutex_unlock(mdev_state);
 	return 0;
EOF
}

# mtty_61_fsm DIR: give 6.1's mtty (no migration) a migration FSM without
# data, for the test only: RUNNING, RUNNING_P2P and STOP, through the
# kernel's vfio_mig_get_next_state() (so the arc log sees every step);
# steps that need a data fd are refused.  Its devices then have state,
# features and arcs files.  Its get_state has the same test-only delay as
# mtty_612_delay.
mtty_61_fsm() {
	patch --no-backup-if-mismatch -d "$1" -p1 <<'EOF'
--- a/mtty.c
+++ b/mtty.c
@@ -141,6 +141,7 @@
 	struct mutex rxtx_lock;
 	struct vfio_device_info dev_info;
 	int nr_ports;
+	enum vfio_device_mig_state mig_state;	/* vfiomig VM test */
 };
 
 static struct mtty_type {
@@ -717,6 +718,57 @@
 	return ret;
 }
 
+/*
+ * vfiomig VM test only: a migration FSM without data (RUNNING, RUNNING_P2P,
+ * STOP), so that 6.1 devices have state files and FSM steps.  Steps that
+ * need a data fd (STOP_COPY, RESUMING) are refused.  get_state can be
+ * slowed down by get_state_delay_ms.
+ */
+static unsigned int get_state_delay_ms;
+module_param(get_state_delay_ms, uint, 0644);
+
+static struct file *mtty_set_state(struct vfio_device *vdev,
+				   enum vfio_device_mig_state new_state)
+{
+	struct mdev_state *mdev_state =
+		container_of(vdev, struct mdev_state, vdev);
+	enum vfio_device_mig_state next;
+	int ret = 0;
+
+	mutex_lock(&mdev_state->ops_lock);
+	while (!ret && mdev_state->mig_state != new_state) {
+		ret = vfio_mig_get_next_state(vdev, mdev_state->mig_state,
+					      new_state, &next);
+		if (!ret && (next == VFIO_DEVICE_STATE_STOP_COPY ||
+			     next == VFIO_DEVICE_STATE_RESUMING))
+			ret = -EOPNOTSUPP;
+		if (!ret)
+			mdev_state->mig_state = next;
+	}
+	mutex_unlock(&mdev_state->ops_lock);
+	return ret ? ERR_PTR(ret) : NULL;
+}
+
+static int mtty_get_state(struct vfio_device *vdev,
+			  enum vfio_device_mig_state *curr_state)
+{
+	struct mdev_state *mdev_state =
+		container_of(vdev, struct mdev_state, vdev);
+	unsigned int delay_ms = READ_ONCE(get_state_delay_ms);
+
+	mutex_lock(&mdev_state->ops_lock);
+	if (delay_ms)
+		schedule_timeout_uninterruptible(msecs_to_jiffies(delay_ms));
+	*curr_state = mdev_state->mig_state;
+	mutex_unlock(&mdev_state->ops_lock);
+	return 0;
+}
+
+static const struct vfio_migration_ops mtty_migration_ops = {
+	.migration_set_state = mtty_set_state,
+	.migration_get_state = mtty_get_state,
+};
+
 static int mtty_init_dev(struct vfio_device *vdev)
 {
 	struct mdev_state *mdev_state =
@@ -749,6 +794,9 @@
 	mutex_init(&mdev_state->ops_lock);
 	mdev_state->mdev = mdev;
 	mtty_create_config_space(mdev_state);
+	mdev_state->mig_state = VFIO_DEVICE_STATE_RUNNING;
+	vdev->migration_flags = VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P;
+	vdev->mig_ops = &mtty_migration_ops;
 	return 0;
 
 err_nr_ports:
EOF
}

# ---- builds -----------------------------------------------------------------
T=$(now)
mkdir -p "$WORK/vfiomig"
cp "$TOP"/kmod/Kbuild "$TOP"/kmod/*.c "$TOP"/kmod/*.h "$WORK/vfiomig/"
vm_build_module vfiomig "$WORK/vfiomig"
T_VFIOMIG=$(since "$T")

T=$(now)
mkdir -p "$WORK/mtty"
cp "$SRCDIR/samples/vfio-mdev/mtty.c" "$WORK/mtty/"
echo 'obj-m := mtty.o' > "$WORK/mtty/Makefile"
if [ "$FULL" = 0 ]; then
	mtty_61_fsm "$WORK/mtty" > "$WORK/patch-mtty.log" 2>&1 || {
		cat "$WORK/patch-mtty.log"
		fail "the test-only FSM does not apply to $SERIES's mtty.c"
	}
else
	mtty_612_delay "$WORK/mtty" > "$WORK/patch-mtty.log" 2>&1 || {
		cat "$WORK/patch-mtty.log"
		fail "the test-only get_state delay does not apply to $SERIES's mtty.c"
	}
fi
vm_build_module mtty "$WORK/mtty"
T_MTTY=$(since "$T")

T=$(now)
# The 6.12 uapi header (bookworm's linux-libc-dev is 6.1); it is not
# "make headers" cleaned, so __user is defined away.
mkdir -p "$WORK/uapi/linux"
if [ "$DEBUG" = 1 ]; then
	UAPI_VFIO="$DBG_DIR/src/include/uapi/linux/vfio.h"
else
	UAPI_VFIO="$KROOT/usr/src/linux-headers-${KVER%-amd64}-common/include/uapi/linux/vfio.h"
fi
cp "$UAPI_VFIO" "$WORK/uapi/linux/" || fail "no uapi linux/vfio.h ($UAPI_VFIO)"
gcc -static -O2 -Wall -Wextra -Werror -D__user= -I"$WORK/uapi" \
    -o "$WORK/migtest" "$HERE/migtest.c" || fail "migtest does not build"
T_MIGTEST=$(since "$T")

# ---- initramfs ----------------------------------------------------------------
T=$(now)
R="$WORK/initramfs"
mkdir -p "$R/bin" "$R/etc" "$R/lib/modules" "$R/proc" "$R/sys" "$R/dev" "$R/tmp"
cp /bin/busybox "$R/bin/busybox"
cp "$WORK/migtest" "$R/bin/"
cp "$HERE/guest-init.sh" "$R/init"
cp "$TOP/kmod/vfiomig-holders" "$R/bin/vfiomig-holders"
chmod 755 "$R/init" "$R/bin/vfiomig-holders"

# The kernel's own modules.  Debian's: decompressed, never stripped (keeps
# the signature).  The debug kernel's: as built (no debug info).
for m in drivers/vfio/vfio drivers/vfio/vfio_iommu_type1 \
	 drivers/vfio/vfio_virqfd drivers/vfio/mdev/mdev \
	 drivers/vfio/pci/vfio-pci-core drivers/vfio/pci/vfio-pci \
	 virt/lib/irqbypass; do
	base=$(basename "$m")
	if [ -f "$MODDIR/$m.ko.xz" ]; then
		xz -dc "$MODDIR/$m.ko.xz" > "$R/lib/modules/$base.ko"
	elif [ -f "$MODDIR/$m.ko" ]; then
		cp "$MODDIR/$m.ko" "$R/lib/modules/"
	fi
done
for m in vfio vfio_iommu_type1 mdev irqbypass; do
	[ -f "$R/lib/modules/$m.ko" ] || fail "$m.ko not found in $MODDIR"
done
strip --strip-debug -o "$R/lib/modules/mtty.ko" "$WORK/mtty/mtty.ko"
strip --strip-debug -o "$R/lib/modules/vfiomig.ko" "$WORK/vfiomig/vfiomig.ko"

# vfiomigtop, its shared libraries and the loader (hook for the monitor test).
VFIOMIGTOP=0
if [ -n "${VFIOMIGTOP_BIN:-}" ]; then
	[ -x "$VFIOMIGTOP_BIN" ] || fail "VFIOMIGTOP_BIN=$VFIOMIGTOP_BIN is not executable"
	cp "$VFIOMIGTOP_BIN" "$R/bin/vfiomigtop"
	for lib in $(ldd "$VFIOMIGTOP_BIN" | grep -oE '/[^ ]+'); do
		mkdir -p "$R$(dirname "$lib")"
		cp -L "$lib" "$R$lib"
	done
	VFIOMIGTOP=1
fi
# A debug kernel under TCG is several times slower: longer timeouts.
SLOW=1
[ "$DEBUG" = 1 ] && SLOW=4
printf 'FULL=%s\nVFIOMIGTOP=%s\nDEBUG=%s\nSLOW=%s\n' "$FULL" "$VFIOMIGTOP" \
	"$DEBUG" "$SLOW" > "$R/etc/vmtest.conf"

(cd "$R" && find . | cpio -o -H newc --quiet | gzip -1) > "$WORK/initramfs.cpio.gz" ||
	fail "cannot build the initramfs"
T_INITRD=$(since "$T")

# ---- boot ---------------------------------------------------------------------
accel="-accel tcg"
cpu="-cpu max"
machine="-machine q35"
if [ "$ACCEL" = auto ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	accel="-accel kvm -accel tcg"
	cpu="-cpu host"
	machine="-machine q35,kernel-irqchip=split"
fi
CONSOLE="$OUT/console-$SERIES.log"
VM_TIMEOUT=$((300 * SLOW))
T=$(now)
# shellcheck disable=SC2086
vm_qemu "$NAME" "$CONSOLE" $VM_TIMEOUT $((150 * SLOW)) \
	qemu-system-x86_64 $accel $cpu -smp 2 -m 2G $machine \
	-device intel-iommu -device edu \
	-nographic -no-reboot -nodefaults -serial stdio -display none \
	-kernel "$KIMAGE" -initrd "$WORK/initramfs.cpio.gz" \
	-append "console=ttyS0 panic=-1 oops=panic loglevel=4 intel_iommu=on"
QEMU_RC=$?
[ $QEMU_RC = 124 ] && echo "$NAME: qemu did not power off within $VM_TIMEOUT s"
[ $QEMU_RC = 125 ] && echo "$NAME: the guest hung while booting, twice"
T_VM=$(since "$T")
tr -d '\r' < "$CONSOLE" > "$CONSOLE.tmp" && mv "$CONSOLE.tmp" "$CONSOLE"

# ---- verdict ------------------------------------------------------------------
# Hook for the monitor's test: the guest's vfiomigtop output goes to
# $OUT/events-migration.txt (checked by the lead's host-side test).
# events NAME: the guest's "=== vfiomigtop NAME begin/end ===" part.
EV_SUFFIX=""
[ "$SERIES" = 6.12 ] || EV_SUFFIX="-$SERIES"
events() {
	sed -n "/^=== vfiomigtop $1 begin ===\$/,/^=== vfiomigtop $1 end ===\$/p" \
		"$CONSOLE" | sed '1d;$d'
}
if [ "$VFIOMIGTOP" = 1 ] && [ "$FULL" = 1 ]; then
	events events > "$OUT/events-migration$EV_SUFFIX.txt"
	events "slow events" > "$OUT/events-slow$EV_SUFFIX.txt"
fi
if [ "$VFIOMIGTOP" = 1 ]; then
	events "unload events" > "$OUT/events-unload-$SERIES.txt"
fi

verdict=PASS
reasons=""
if [ "$VFIOMIGTOP" = 1 ] && [ "$FULL" = 1 ]; then
	echo "---- $NAME: vfiomigtop in the guest ----"
	if ! "$HERE/check-events.sh" "$OUT/events-migration$EV_SUFFIX.txt" \
		83b8f4f2-509f-382f-3c1e-e6bfe0fa1001 83b8f4f2-509f-382f-3c1e-e6bfe0fa1002 ||
	   ! "$HERE/check-events.sh" --notify "$OUT/events-slow$EV_SUFFIX.txt" \
		83b8f4f2-509f-382f-3c1e-e6bfe0fa1001 83b8f4f2-509f-382f-3c1e-e6bfe0fa1002; then
		verdict=FAIL
		reasons="$reasons; vfiomigtop's events in the guest are wrong"
	fi
fi
if [ "$VFIOMIGTOP" = 1 ]; then
	echo "---- $NAME: vfiomigtop around the unload and reload ----"
	if ! "$HERE/check-events.sh" --unload "$OUT/events-unload-$SERIES.txt" \
		83b8f4f2-509f-382f-3c1e-e6bfe0fa1001 83b8f4f2-509f-382f-3c1e-e6bfe0fa1002 \
		83b8f4f2-509f-382f-3c1e-e6bfe0fa1005 ||
	   ! "$HERE/check-events.sh" --replug "$OUT/events-unload-$SERIES.txt" \
		83b8f4f2-509f-382f-3c1e-e6bfe0fa1005; then
		verdict=FAIL
		reasons="$reasons; vfiomigtop did not see the devices around the unload"
	fi
fi
if ! vm_guest_passed "$CONSOLE"; then
	verdict=FAIL
	reasons="$reasons; no PASS sentinel (qemu exit $QEMU_RC)"
fi
# The debug kernel's checkers: KASAN and KFENCE ("BUG: KASAN", "BUG:
# KFENCE"), lockdep, atomic sleep ("BUG: sleeping function called from
# invalid context"), debug objects ("ODEBUG"), kmemleak ("unreferenced
# object", printed by the guest's read of the kmemleak file).
# The guest's own check lines ("ok - ...", "not ok - ...") are not kernel
# reports, nor is lockdep's boot banner.
bad=$(grep -E 'WARNING:|BUG:|Oops|Call Trace|lockdep|circular locking|recursive locking|blocked for more than|blocked until device is released|general protection|KASAN|KFENCE|ODEBUG|UBSAN|unreferenced object|suspected memory leak' "$CONSOLE" |
      grep -vE '^(not )?ok - |RCU lockdep checking is enabled' |
      grep -viE 'taint|signature')
if [ -n "$bad" ]; then
	verdict=FAIL
	reasons="$reasons; kernel reported problems"
fi

echo "---- $NAME: checks that failed in the guest ----"
grep '^not ok' "$CONSOLE" || echo "(none)"
[ -n "$bad" ] && { echo "---- $NAME: kernel problems ----"; echo "$bad"; }
echo "---- $NAME summary ----"
echo "kernel:            $KVER ($PKGVER), accel: ${accel#-accel }"
echo "guest checks:      $(grep -m1 '^guest checks:' "$CONSOLE" | cut -d: -f2-)"
echo "migtest:           $(grep -m1 '^migtest: ' "$CONSOLE" | cut -d: -f2-)"
grep -m1 '^# migration took' "$CONSOLE" | sed 's/^# /                   /'
echo "prepare (fetch/extract): ${T_PREP} s"
if [ "$DEBUG" = 1 ]; then
	echo "debug kernel:      ${T_DBG} s (${DBG_BUILD:+built now in $DBG_BUILD s}${DBG_BUILD:-cached}, first build took $(cat "$DBG_DIR/build-seconds") s)"
fi
echo "build vfiomig.ko:  ${T_VFIOMIG} s, mtty.ko: ${T_MTTY} s, migtest: ${T_MIGTEST} s"
echo "initramfs:         ${T_INITRD} s"
echo "qemu boot->poweroff: ${T_VM} s"
echo "console log:       $CONSOLE"
if [ "$verdict" = PASS ]; then
	echo "$NAME: PASS"
	exit 0
fi
echo "$NAME: FAIL${reasons}"
exit 1
