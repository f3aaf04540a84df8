#!/bin/sh
# Install the host tools the VM tests need (idempotent; CI calls it).
# Kernel packages are NOT installed here: run-vm-test.sh downloads and
# extracts them into its cache directory.
set -eu

# qemu: the guest; busybox-static, cpio, gzip, xz-utils, kmod: the initramfs;
# gcc-12 (forced by Debian's kernel headers), pahole, make, libelf1, libssl3,
# zlib1g: out-of-tree module builds; gcc, libc6-dev: the static migtest;
# perl: checkpatch.pl; patch: the test-only changes of mtty; bc, flex,
# bison, libelf-dev: the debug kernel's build (vm-debug.sh); util-linux:
# flock; dkms: dkms.sh; python3: the QEMU test's QMP driver in the guest
# and its checkers.
PKGS="qemu-system-x86 busybox-static cpio gzip xz-utils kmod
      gcc-12 pahole make libelf1 libssl3 zlib1g gcc libc6-dev perl patch
      bc flex bison libelf-dev util-linux dkms python3"

# Debian's 6.12 kernel packages live in bookworm-backports (on trixie and
# later the same name is harmless to skip).
if [ "$(id -u)" -eq 0 ] && grep -qs 'VERSION_CODENAME=bookworm' /etc/os-release &&
   ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	echo 'deb http://deb.debian.org/debian bookworm-backports main' \
		>/etc/apt/sources.list.d/vfiomigtop-backports.list
	apt-get update -qq
	echo "setup.sh: enabled bookworm-backports (kernel 6.12 packages)"
fi

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing="$missing $p"
done

# QEMU 10 (bookworm-backports) for tests/vm/vm-qemu.sh: the inner QEMU
# that migrates mtty in the guest needs VFIO migration v2 and
# migration-events (9.1 or later); bookworm's own is 7.2.  The same binary
# is the outer hypervisor of every VM test.
qemu_ver=$(dpkg-query -W -f='${Status} ${Version}\n' qemu-system-x86 2>/dev/null |
	   sed -n 's/^install ok installed //p')
if grep -qs 'VERSION_CODENAME=bookworm' /etc/os-release &&
   ! dpkg --compare-versions "${qemu_ver:-0}" ge 1:9.1; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "setup.sh: qemu-system-x86 ${qemu_ver:-missing} is older than 9.1 (run as root)" >&2
		exit 1
	fi
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		-t bookworm-backports qemu-system-x86
	echo "setup.sh: installed qemu-system-x86 from bookworm-backports"
fi

if [ -z "$missing" ]; then
	echo "setup.sh: all host tools present"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "setup.sh: missing packages:$missing (run as root)" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
echo "setup.sh: installed:$missing"
