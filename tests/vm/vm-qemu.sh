#!/bin/bash
# VM test with a real VMM: QEMU 10 migrates mtty mdevs inside the 6.12
# test guest while vfiomig.ko and `vfiomigtop -b --events` watch (issue 10).
#
#   vm-qemu.sh            the cases, checked (make check)
#   vm-qemu.sh bench N    the observer-effect benchmark: the completing case
#                         N times per monitor setting (make bench-qemu)
#   vm-qemu.sh screen [N] the screen's CPU over N (default 4096) mtty
#                         devices shown by the module, beside the floor,
#                         and a state change's time to its event
#                         (tests/vm/qemu/screen-bench.py; make bench-screen)
#
# One guest boot runs everything.  The guest shares the host's root
# read-only over virtio-9p and runs the host's QEMU, python3 and vfiomigtop
# from it (tests/vm/qemu/init.sh, tests/vm/qemu/guest.py); results come
# back through a second, writable 9p export.  Each case runs twice: with
# the module's arc log (exact steps) and with arcs=0 (vfiomigtop polls the
# upstream-format state files at its default refresh).  Then, on the host:
#   tests/vm/qemu/check-steps.py    steps and times against QEMU's trace
#   tests/vm/qemu/check-verdict.py  pair verdicts against QEMU's outcome
#   tests/vm/qemu/check-qmp.py      vfiomigtop --qmp against QEMU's reports
#   tests/vm/qemu/check-replay.py   the monitor's journal (-w) replays (-r)
#                                   to its live events, byte for byte
#
# Exit status: 0 PASS, 1 FAIL, 77 SKIP (automake) only when the kernel
# packages can neither be downloaded nor found in the cache.
#
# Environment:
#   VFIOMIGTOP           the vfiomigtop binary (make check sets it)
#   VFIOMIGTOP_VM_CACHE  cache directory (default /var/cache/vfiomigtop-vm)
#   VFIOMIGTOP_VM_OUT    results go to $VFIOMIGTOP_VM_OUT/qemu-results
#                        (default: $top_builddir/tests/vm/qemu-results under
#                        make, else $VFIOMIGTOP_VM_CACHE/out/qemu-results);
#                        the benchmark's to .../qemu-bench-results
#   VFIOMIGTOP_QEMU_CASES  cases to run (comma-separated; default all)
#   VFIOMIGTOP_QEMU_MODES  arcs,poll (default both)
#   VFIOMIGTOP_VM_KEEP   1: keep the work directory
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
Q="$HERE/qemu"
# shellcheck source=tests/vm/lib.sh
. "$HERE/lib.sh"

NAME=vm-qemu
ACTION=${1:-check}
case $ACTION in
check) ;;
bench) NAME=bench-qemu; REPEAT=${2:-10} ;;
screen) NAME=bench-screen; NDEV=${2:-4096} ;;
*) echo "usage: $0 [check | bench N | screen [N]]" >&2; exit 2 ;;
esac
# Results: under the build directory when make runs the test (the cache
# is shared by every worktree on the host, and a run starts by emptying its
# results), else in the cache.
if [ -n "${VFIOMIGTOP_VM_OUT:-}" ]; then
	OUTBASE=$VFIOMIGTOP_VM_OUT
elif [ -n "${top_builddir:-}" ]; then
	OUTBASE=$top_builddir/tests/vm
else
	OUTBASE=$VM_CACHE/out
fi
# (Never the source's tests/vm/qemu: in an in-tree build that is the same
# directory, and it is emptied.)
case $ACTION in
bench) RES="$OUTBASE/qemu-bench-results" ;;
screen) RES="$OUTBASE/qemu-screen-results" ;;
*) RES="$OUTBASE/qemu-results" ;;
esac
BIN=${VFIOMIGTOP:-${VFIOMIGTOP_BIN:-}}

T_ALL=$(now)

# ---- host tools -------------------------------------------------------------
missing=$(vm_missing_tools qemu-system-x86_64 cpio gzip xz dpkg-deb apt-get \
	make gcc gcc-12 pahole strip patch python3)
[ -x /usr/bin/python3 ] || missing="$missing python3(/usr/bin)"
[ -z "$missing" ] || fail "missing host tools:$missing (run tests/vm/setup.sh as root)"
qv=$(qemu-system-x86_64 --version | sed -n 's/^QEMU emulator version \([0-9]*\.[0-9]*\).*/\1/p')
qmaj=${qv%%.*} qmin=${qv#*.}
[ "${qmaj:-0}" -gt 9 ] || { [ "${qmaj:-0}" -eq 9 ] && [ "${qmin:-0}" -ge 1 ]; } ||
	fail "QEMU ${qv:-?} is too old: VFIO migration events need 9.1 (tests/vm/setup.sh installs 10.0 from bookworm-backports)"
[ -n "$BIN" ] && [ -x "$BIN" ] || fail "no vfiomigtop binary (set VFIOMIGTOP=path/to/vfiomigtop)"
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
case $BIN$TOP in
/run/*|*:*) fail "the guest cannot reach $BIN or $TOP (under /run, or a ':' in the path)" ;;
esac

mkdir -p "$VM_CACHE" "$OUTBASE" 2>/dev/null && [ -w "$VM_CACHE" ] ||
	fail "cache $VM_CACHE is not writable (set VFIOMIGTOP_VM_CACHE)"

# ---- kernel packages -----------------------------------------------------------
T=$(now)
vm_prepare 6.12
case $? in
0) ;;
"$VM_SKIP") skip "no network to the Debian mirror and no cached 6.12 kernel" ;;
*) fail "could not prepare the 6.12 kernel" ;;
esac
MODDIR="$KROOT/lib/modules/$KVER/kernel"

# The 9p modules (the kernel root of lib.sh has only vfio's), extracted
# once per kernel package version.
MODS9P="$VM_CACHE/qemu-9p-$PKGVER"
if [ ! -f "$MODS9P/.complete" ]; then
	img=$(vm_deb_file "linux-image-$KVER-unsigned=$PKGVER") ||
		fail "no cached linux-image-$KVER-unsigned"
	rm -rf "$MODS9P.tmp.$$"
	mkdir -p "$MODS9P.tmp.$$"
	dpkg-deb --fsys-tarfile "$img" |
		tar -x -C "$MODS9P.tmp.$$" --wildcards '*/kernel/fs/9p/*' \
		    '*/kernel/fs/netfs/*' '*/kernel/net/9p/9pnet.ko*' \
		    '*/kernel/net/9p/9pnet_virtio.ko*' ||
		fail "cannot extract the 9p modules from $img"
	touch "$MODS9P.tmp.$$/.complete"
	rm -rf "$MODS9P"
	mv "$MODS9P.tmp.$$" "$MODS9P"
fi
T_PREP=$(since "$T")

vm_workdir vfiomig-qemu

# ---- builds -----------------------------------------------------------------
T=$(now)
mkdir -p "$WORK/vfiomig" "$WORK/mtty"
cp "$TOP"/kmod/Kbuild "$TOP"/kmod/*.c "$TOP"/kmod/*.h "$WORK/vfiomig/"
vm_build_module vfiomig "$WORK/vfiomig"
cp "$SRCDIR/samples/vfio-mdev/mtty.c" "$WORK/mtty/"
echo 'obj-m := mtty.o' > "$WORK/mtty/Makefile"
patch --no-backup-if-mismatch -d "$WORK/mtty" -p1 < "$Q/mtty-reject.patch" \
	> "$WORK/patch-mtty.log" 2>&1 || {
	cat "$WORK/patch-mtty.log"
	fail "tests/vm/qemu/mtty-reject.patch does not apply to $PKGVER's mtty.c"
}
if [ "$ACTION" = screen ]; then
	# mtty has ports for 24 devices; the screen's case wants thousands.
	sed -i 's/^#define MAX_MTTYS[[:space:]].*/#define MAX_MTTYS 16384/' "$WORK/mtty/mtty.c"
	grep -q '^#define MAX_MTTYS 16384' "$WORK/mtty/mtty.c" ||
		fail "cannot raise MAX_MTTYS in $PKGVER's mtty.c"
	mkdir -p "$WORK/uapi/linux"
	cp "$KROOT/usr/src/linux-headers-${KVER%-amd64}-common/include/uapi/linux/vfio.h" \
	   "$WORK/uapi/linux/" || fail "no uapi linux/vfio.h"
	gcc -static -O2 -Wall -Wextra -Werror -D__user= -I"$WORK/uapi" \
	    -o "$WORK/migtest" "$HERE/migtest.c" || fail "migtest does not build"
	gcc -O2 -o "$WORK/floor" "$TOP/tests/bench/floor.c" || fail "floor does not build"
fi
vm_build_module mtty "$WORK/mtty"
# The kernel's path rule, from src/fsm.c itself, for the checkers.
gcc -O2 -Wall -Wextra -Werror -I"$TOP/src" -o "$WORK/fsm-paths" \
	"$Q/fsm-paths.c" "$TOP/src/fsm.c" || fail "fsm-paths does not build"
"$WORK/fsm-paths" > "$WORK/fsm-paths.txt" || fail "fsm-paths failed"
T_BUILD=$(since "$T")

# ---- initramfs ----------------------------------------------------------------
T=$(now)
R="$WORK/initramfs"
mkdir -p "$R/bin" "$R/etc" "$R/lib/modules" "$R/proc" "$R/sys" "$R/dev" "$R/mnt"
cp /bin/busybox "$R/bin/busybox"
cp "$Q/init.sh" "$R/init"
chmod 755 "$R/init"
# Debian's modules decompressed, never stripped (keeps the signature).
for m in "$MODDIR/drivers/vfio/vfio" "$MODDIR/drivers/vfio/vfio_iommu_type1" \
	 "$MODDIR/drivers/vfio/mdev/mdev" \
	 "$MODS9P/lib/modules/$KVER/kernel/fs/netfs/netfs" \
	 "$MODS9P/lib/modules/$KVER/kernel/net/9p/9pnet" \
	 "$MODS9P/lib/modules/$KVER/kernel/net/9p/9pnet_virtio" \
	 "$MODS9P/lib/modules/$KVER/kernel/fs/9p/9p"; do
	base=$(basename "$m")
	if [ -f "$m.ko.xz" ]; then
		xz -dc "$m.ko.xz" > "$R/lib/modules/$base.ko"
	elif [ -f "$m.ko" ]; then
		cp "$m.ko" "$R/lib/modules/"
	else
		fail "$base.ko not found for $KVER"
	fi
done
strip --strip-debug -o "$R/lib/modules/mtty.ko" "$WORK/mtty/mtty.ko"
strip --strip-debug -o "$R/lib/modules/vfiomig.ko" "$WORK/vfiomig/vfiomig.ko"

rm -rf "$RES"
mkdir -p "$RES" || fail "cannot create $RES"
cp "$WORK/fsm-paths.txt" "$RES/"
GUEST_PY=$Q/guest.py
if [ "$ACTION" = bench ]; then
	GUEST_ARGS="--bench $REPEAT"
elif [ "$ACTION" = screen ]; then
	GUEST_PY=$Q/screen-bench.py
	GUEST_ARGS="--floor $WORK/floor --migtest $WORK/migtest --devices $NDEV --secs ${VFIOMIGTOP_SCREEN_SECS:-30} ${VFIOMIGTOP_SCREEN_ARGS:-}"
else
	GUEST_ARGS="--cases ${VFIOMIGTOP_QEMU_CASES:-all} --modes ${VFIOMIGTOP_QEMU_MODES:-arcs,poll}"
fi
cat > "$R/etc/vmtest.conf" <<EOF
GUEST_PY='$GUEST_PY'
GUEST_ARGS='--results /run/results --vfiomigtop $BIN --module /run/vm/vfiomig.ko $GUEST_ARGS'
EOF
(cd "$R" && find . | cpio -o -H newc --quiet | gzip -1) > "$WORK/initramfs.cpio.gz" ||
	fail "cannot build the initramfs"
T_INITRD=$(since "$T")

# ---- boot ---------------------------------------------------------------------
# Generous: a case takes 10-20 s of guest time on an idle 2-core host, and
# other VMs may share the host.  The guest's own waits fail first, each
# with what it waited for.
if [ "$ACTION" = bench ]; then VM_TIMEOUT=$((600 + REPEAT * 400)); else VM_TIMEOUT=1800; fi
# Always tcg: on this project's machines (themselves VMs) kvm stops in
# the kernel's decompressor ("KVM internal error ... emulation failure"
# with -cpu kvm64, an MSR assertion with -cpu max).  The screen's case
# therefore measures ratios: every contender is slowed alike.
ACCEL=tcg CPU=max
CONSOLE="$RES/console.log"
T=$(now)
vm_qemu "$NAME" "$CONSOLE" "$VM_TIMEOUT" 150 \
	qemu-system-x86_64 -accel "$ACCEL" -cpu "$CPU" -smp 2 -m 2G -machine q35 \
	-nographic -no-reboot -nodefaults -serial stdio -display none \
	-fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
	-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
	-fsdev local,id=results,path="$RES",security_model=none,multidevs=remap \
	-device virtio-9p-pci,fsdev=results,mount_tag=results \
	-kernel "$KROOT/boot/vmlinuz-$KVER" -initrd "$WORK/initramfs.cpio.gz" \
	-append "console=ttyS0 panic=-1 oops=panic loglevel=4"
QEMU_RC=$?
T_VM=$(since "$T")
tr -d '\r' < "$CONSOLE" > "$CONSOLE.tmp" && mv "$CONSOLE.tmp" "$CONSOLE"
[ "$QEMU_RC" = 124 ] && echo "$NAME: the VM did not finish within $VM_TIMEOUT s"
[ "$QEMU_RC" = 125 ] && echo "$NAME: the guest hung while booting, twice"

# ---- verdict ------------------------------------------------------------------
verdict=PASS
reasons=""
grep '^guest' "$CONSOLE"
if ! vm_guest_passed "$CONSOLE"; then
	verdict=FAIL
	reasons="$reasons; no PASS sentinel (qemu exit $QEMU_RC)"
fi
bad=$(grep -E 'WARNING:|BUG:|Oops|Call Trace|lockdep|circular locking|recursive locking|blocked for more than|blocked until device is released|general protection' "$CONSOLE" |
      grep -viE 'taint|signature')
if [ -n "$bad" ]; then
	verdict=FAIL
	reasons="$reasons; kernel reported problems"
	echo "---- $NAME: kernel problems ----"
	echo "$bad"
fi

if [ "$ACTION" = bench ]; then
	python3 -B "$Q/bench-report.py" "$RES" || { verdict=FAIL; reasons="$reasons; bench report failed"; }
elif [ "$ACTION" = screen ]; then
	echo "---- $NAME: $RES/screen-bench.txt (accel $ACCEL) ----"
	cat "$RES/screen-bench.txt" 2>/dev/null || { verdict=FAIL; reasons="$reasons; no screen-bench.txt"; }
else
	echo "---- $NAME: steps and times (check-steps.py) ----"
	python3 -B "$Q/check-steps.py" "$RES" > "$RES/check-steps.txt" 2>&1
	rc_steps=$?
	cat "$RES/check-steps.txt"
	echo "---- $NAME: verdicts (check-verdict.py) ----"
	python3 -B "$Q/check-verdict.py" "$RES" > "$RES/check-verdict.txt" 2>&1
	rc_verdict=$?
	cat "$RES/check-verdict.txt"
	echo "---- $NAME: QEMU's view (check-qmp.py) ----"
	python3 -B "$Q/check-qmp.py" "$RES" > "$RES/check-qmp.txt" 2>&1
	rc_qmp=$?
	cat "$RES/check-qmp.txt"
	echo "---- $NAME: replays of the journals (check-replay.py) ----"
	python3 -B "$Q/check-replay.py" "$RES" "$BIN" > "$RES/check-replay.txt" 2>&1
	rc_replay=$?
	cat "$RES/check-replay.txt"
	[ $rc_steps = 0 ] || { verdict=FAIL; reasons="$reasons; steps or times differ from QEMU's"; }
	[ $rc_qmp = 0 ] || { verdict=FAIL; reasons="$reasons; vfiomigtop --qmp disagrees with QEMU's own reports"; }
	[ $rc_verdict = 0 ] || { verdict=FAIL; reasons="$reasons; verdicts disagree with QEMU's outcome"; }
	[ $rc_replay = 0 ] || { verdict=FAIL; reasons="$reasons; a replay differs from the live run"; }
fi

echo "---- $NAME summary ----"
echo "kernel:            $KVER ($PKGVER)"
echo "qemu:              $(qemu-system-x86_64 --version | head -n 1)"
echo "prepare (fetch/extract): ${T_PREP} s"
echo "builds:            ${T_BUILD} s, initramfs: ${T_INITRD} s"
echo "qemu boot->poweroff: ${T_VM} s"
echo "whole test:        $(since "$T_ALL") s"
echo "results:           $RES"
if [ "$verdict" = PASS ]; then
	echo "$NAME: PASS"
	exit 0
fi
echo "$NAME: FAIL${reasons}"
exit 1
