#!/bin/busybox sh
# shellcheck shell=dash
# /init of the QEMU test's initramfs (tests/vm/vm-qemu.sh).  Loads the
# vfio stack, the test's mtty and 9p, mounts the host's root (shared
# read-only over virtio-9p, tag "hostroot") with fresh proc, sys, debugfs,
# devtmpfs and a tmpfs on /run, mounts the writable results export (tag
# "results") on /run/results, and runs tests/vm/qemu/guest.py chrooted
# there: the host's QEMU, python3 and vfiomigtop then run in the guest.
# /etc/vmtest.conf (written by vm-qemu.sh) names the paths and arguments.
# The last line is the sentinel "GUEST RESULT: PASS" or "GUEST RESULT: FAIL".

/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# shellcheck disable=SC1091
. /etc/vmtest.conf

fail=0
say() { echo "guest: $*"; }
bad() { echo "guest: FAIL: $*"; fail=1; }

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
	if [ "$fail" = 0 ]; then
		guest_result PASS
	else
		guest_result FAIL
	fi
	echo o > /proc/sysrq-trigger
	poweroff -f
}

read -r up _ < /proc/uptime
say "kernel $(uname -r), uptime $up s"

for m in netfs 9pnet 9pnet_virtio 9p vfio vfio_iommu_type1 mdev mtty; do
	insmod "/lib/modules/$m.ko" || bad "insmod $m"
done
[ "$fail" = 0 ] || finish

H=/mnt/host
mkdir -p $H
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 \
	hostroot $H || { bad "cannot mount the host's root over 9p"; finish; }
mount -t proc proc $H/proc &&
	mount -t sysfs sysfs $H/sys &&
	mount -t debugfs debugfs $H/sys/kernel/debug &&
	mount -t devtmpfs devtmpfs $H/dev &&
	mount -t tmpfs -o size=256m tmpfs $H/run ||
	{ bad "cannot mount proc, sys, debugfs, dev or /run in the chroot"; finish; }
mkdir -p $H/dev/shm $H/run/vm $H/run/tmp $H/run/results
mount -t tmpfs tmpfs $H/dev/shm
mount -t 9p -o trans=virtio,version=9p2000.L,cache=none,msize=512000 \
	results $H/run/results || { bad "cannot mount the results export"; finish; }
# What only the initramfs has: our modules.
cp /lib/modules/vfiomig.ko $H/run/vm/

read -r up _ < /proc/uptime
say "chroot ready, uptime $up s"
# shellcheck disable=SC2086
chroot $H /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/run/tmp \
	TMPDIR=/run/tmp LANG=C.UTF-8 PYTHONDONTWRITEBYTECODE=1 \
	/usr/bin/python3 "$GUEST_PY" $GUEST_ARGS || bad "guest.py failed (exit $?)"
sync
umount $H/run/results 2>/dev/null
finish
