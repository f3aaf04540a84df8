#!/bin/bash
# VM test of the vfiomig module on a real Debian kernel in qemu.
#
#   run-vm-test.sh [6.12|6.1]      (default 6.12)
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
#
# Exit status: 0 PASS, 1 FAIL, 77 SKIP (automake) only when the kernel
# packages can neither be downloaded nor found in the cache.
#
# Environment:
#   VFIOMIGTOP_VM_CACHE  cache directory (default /var/cache/vfiomigtop-vm)
#   VFIOMIGTOP_VM_OUT    where results go (default $VFIOMIGTOP_VM_CACHE/out);
#                        console-SERIES.log, events-migration.txt and
#                        events-slow.txt (6.12), events-unload-SERIES.txt
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
case $SERIES in
6.12) FULL=1 ;;
6.1) FULL=0 ;;
*) echo "usage: $0 [6.12|6.1]" >&2; exit 2 ;;
esac
OUT=${VFIOMIGTOP_VM_OUT:-$VM_CACHE/out}
ACCEL=${VFIOMIGTOP_VM_ACCEL:-tcg}
NAME="vm-$SERIES"

fail() { echo "$NAME: FAIL: $*"; exit 1; }
skip() { echo "$NAME: SKIP: $*"; exit $VM_SKIP; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

# ---- host tools -------------------------------------------------------------
missing=""
for tool in qemu-system-x86_64 cpio gzip xz dpkg-deb apt-get make gcc \
	    gcc-12 pahole strip patch; do
	command -v "$tool" >/dev/null || missing="$missing $tool"
done
# a static busybox (package busybox-static) runs in the initramfs
ldd /bin/busybox 2>&1 | grep -q 'not a dynamic' || missing="$missing busybox-static"
[ -z "$missing" ] || fail "missing host tools:$missing (run tests/vm/setup.sh as root)"

mkdir -p "$VM_CACHE" "$OUT" 2>/dev/null && [ -w "$VM_CACHE" ] ||
	fail "cache $VM_CACHE is not writable (set VFIOMIGTOP_VM_CACHE)"

# ---- kernel packages -----------------------------------------------------------
T=$(now)
vm_prepare "$SERIES"
case $? in
0) ;;
"$VM_SKIP") skip "no network to the Debian mirror and no cached $SERIES kernel" ;;
*) fail "could not prepare the $SERIES kernel" ;;
esac
T_PREP=$(since "$T")
MODDIR="$KROOT/lib/modules/$KVER/kernel"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/vfiomig-vm.XXXXXX")
if [ "${VFIOMIGTOP_VM_KEEP:-0}" = 1 ]; then
	echo "$NAME: work directory $WORK"
else
	trap 'rm -rf "$WORK"' EXIT
fi

# build_module NAME DIR: out-of-tree build; any warning fails the test.
build_module() {
	local name=$1 dir=$2 log="$WORK/build-$1.log"
	# A clean environment: under `make check -jN` the parent's jobserver
	# flags would make kbuild print a jobserver warning of its own.
	if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		make -C "$KDIR" M="$dir" modules > "$log" 2>&1; then
		cat "$log"
		fail "$name.ko does not build against $KVER"
	fi
	if grep -qiE '\b(warning|error)\b' "$log"; then
		grep -iE '\b(warning|error)\b' "$log"
		fail "$name.ko build printed warnings against $KVER"
	fi
}

# mtty_61_fsm DIR: give 6.1's mtty (no migration) a migration FSM without
# data, for the test only: RUNNING, RUNNING_P2P and STOP, through the
# kernel's vfio_mig_get_next_state() (so the arc log sees every step);
# steps that need a data fd are refused.  Its devices then have state,
# features and arcs files.
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
@@ -717,6 +718,50 @@
 	return ret;
 }
 
+/*
+ * vfiomig VM test only: a migration FSM without data (RUNNING, RUNNING_P2P,
+ * STOP), so that 6.1 devices have state files and FSM steps.  Steps that
+ * need a data fd (STOP_COPY, RESUMING) are refused.
+ */
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
+
+	mutex_lock(&mdev_state->ops_lock);
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
build_module vfiomig "$WORK/vfiomig"
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
fi
build_module mtty "$WORK/mtty"
T_MTTY=$(since "$T")

T=$(now)
# The 6.12 uapi header (bookworm's linux-libc-dev is 6.1); it is not
# "make headers" cleaned, so __user is defined away.
mkdir -p "$WORK/uapi/linux"
cp "$KROOT/usr/src/linux-headers-${KVER%-amd64}-common/include/uapi/linux/vfio.h" \
   "$WORK/uapi/linux/" || fail "no uapi linux/vfio.h in $KROOT"
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
chmod 755 "$R/init"

# Debian's own modules: decompressed, never stripped (keeps the signature).
for m in vfio/vfio vfio/vfio_iommu_type1 vfio/vfio_virqfd vfio/mdev/mdev \
	 vfio/pci/vfio-pci-core vfio/pci/vfio-pci; do
	base=$(basename "$m")
	if [ -f "$MODDIR/drivers/$m.ko.xz" ]; then
		xz -dc "$MODDIR/drivers/$m.ko.xz" > "$R/lib/modules/$base.ko"
	elif [ -f "$MODDIR/drivers/$m.ko" ]; then
		cp "$MODDIR/drivers/$m.ko" "$R/lib/modules/"
	fi
done
if [ -f "$MODDIR/virt/lib/irqbypass.ko.xz" ]; then
	xz -dc "$MODDIR/virt/lib/irqbypass.ko.xz" > "$R/lib/modules/irqbypass.ko"
else
	cp "$MODDIR/virt/lib/irqbypass.ko" "$R/lib/modules/"
fi
for m in vfio vfio_iommu_type1 mdev; do
	[ -f "$R/lib/modules/$m.ko" ] || fail "$m.ko not found in $KROOT"
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
printf 'FULL=%s\nVFIOMIGTOP=%s\n' "$FULL" "$VFIOMIGTOP" > "$R/etc/vmtest.conf"

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
T=$(now)
# shellcheck disable=SC2086
timeout 120 qemu-system-x86_64 $accel $cpu -smp 2 -m 1G $machine \
	-device intel-iommu -device edu \
	-nographic -no-reboot -nodefaults -serial stdio -display none \
	-kernel "$KROOT/boot/vmlinuz-$KVER" -initrd "$WORK/initramfs.cpio.gz" \
	-append "console=ttyS0 panic=-1 oops=panic loglevel=4 intel_iommu=on" \
	< /dev/null > "$CONSOLE" 2>&1
QEMU_RC=$?
T_VM=$(since "$T")
tr -d '\r' < "$CONSOLE" > "$CONSOLE.tmp" && mv "$CONSOLE.tmp" "$CONSOLE"

# ---- verdict ------------------------------------------------------------------
# Hook for the monitor's test: the guest's vfiomigtop output goes to
# $OUT/events-migration.txt (checked by the lead's host-side test).
# events NAME: the guest's "=== vfiomigtop NAME begin/end ===" part.
events() {
	sed -n "/^=== vfiomigtop $1 begin ===\$/,/^=== vfiomigtop $1 end ===\$/p" \
		"$CONSOLE" | sed '1d;$d'
}
if [ "$VFIOMIGTOP" = 1 ] && [ "$FULL" = 1 ]; then
	events events > "$OUT/events-migration.txt"
	events "slow events" > "$OUT/events-slow.txt"
fi
if [ "$VFIOMIGTOP" = 1 ]; then
	events "unload events" > "$OUT/events-unload-$SERIES.txt"
fi

verdict=PASS
reasons=""
if [ "$VFIOMIGTOP" = 1 ] && [ "$FULL" = 1 ]; then
	echo "---- $NAME: vfiomigtop in the guest ----"
	if ! "$HERE/check-events.sh" "$OUT/events-migration.txt" \
		83b8f4f2-509f-382f-3c1e-e6bfe0fa1001 83b8f4f2-509f-382f-3c1e-e6bfe0fa1002 ||
	   ! "$HERE/check-events.sh" --notify "$OUT/events-slow.txt" \
		83b8f4f2-509f-382f-3c1e-e6bfe0fa1001 83b8f4f2-509f-382f-3c1e-e6bfe0fa1002; then
		verdict=FAIL
		reasons="$reasons; vfiomigtop's events in the guest are wrong"
	fi
fi
if [ "$VFIOMIGTOP" = 1 ]; then
	echo "---- $NAME: vfiomigtop across the unload and reload ----"
	if ! "$HERE/check-events.sh" --unload "$OUT/events-unload-$SERIES.txt" \
		83b8f4f2-509f-382f-3c1e-e6bfe0fa1001 83b8f4f2-509f-382f-3c1e-e6bfe0fa1002; then
		verdict=FAIL
		reasons="$reasons; vfiomigtop did not see the devices go and come back"
	fi
fi
if ! grep -q '^GUEST RESULT: PASS$' "$CONSOLE"; then
	verdict=FAIL
	reasons="$reasons; no PASS sentinel (qemu exit $QEMU_RC)"
fi
bad=$(grep -E 'WARNING:|BUG:|Oops|Call Trace|lockdep|circular locking|recursive locking|blocked for more than|blocked until device is released|general protection' "$CONSOLE" |
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
