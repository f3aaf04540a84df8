#!/bin/bash
# The debug kernel of the VM test (tests/vm/vm-debug.sh): Debian's
# linux-source-6.12 built from `make ARCH=x86_64 tinyconfig` plus
# tests/vm/debug-kernel.config (KASAN, lockdep, kmemleak, KFENCE, debug
# objects, atomic-sleep checks; vfio, mdev, kprobes, debugfs).
#
# Sourced by run-vm-test.sh (function vm_debug_kernel), or run alone to
# build or find it:  tests/vm/debug-kernel.sh   prints the directory.
#
# Cached in $VM_CACHE/dbgkernel-HASH/, HASH from the config fragment, this
# script, the linux-source package version and the compiler, so a machine
# builds it once; a lock keeps two builds from running at once.  The
# directory holds:
#   obj/            the build tree (O=): bzImage, the modules, and what an
#                   out-of-tree module build needs (make -C obj M=...)
#   src/            the kernel source, without what no module build reads
#   build-seconds   how long the cold build took
# Directories of other hashes not used for 7 days are removed.

# shellcheck shell=bash

DBG_CONFIG="${VM_HERE:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}/debug-kernel.config"

# vm_debug_hash: the cache key (needs PKGVER from vm_prepare 6.12).
vm_debug_hash() {
	{
		cat "$DBG_CONFIG" "${BASH_SOURCE[0]}"
		echo "linux-source-6.12 $PKGVER"
		gcc --version | head -n 1
	} | sha256sum | cut -c1-16
}

# vm_debug_check_config OBJ: every line of the fragment came out as written.
vm_debug_check_config() {
	local obj=$1 line key bad=0
	while IFS= read -r line; do
		case $line in
		CONFIG_*=n)
			key=${line%%=*}
			if grep -q "^$key=" "$obj/.config"; then
				vm_log "debug kernel: $line requested, got $(grep "^$key=" "$obj/.config")"
				bad=1
			fi ;;
		CONFIG_*)
			if ! grep -qxF "$line" "$obj/.config"; then
				vm_log "debug kernel: $line requested, got: $(grep "^${line%%=*}=" "$obj/.config")"
				bad=1
			fi ;;
		esac
	done < "$DBG_CONFIG"
	return $bad
}

# vm_debug_build DIR: build into DIR (a fresh directory; the build tree
# records its absolute path, so DIR is where it stays).
vm_debug_build() {
	local d=$1 f t0 mk
	f=$(vm_deb_file "linux-source-6.12=$PKGVER") || {
		vm_log "missing package linux-source-6.12=$PKGVER"; return 1; }
	t0=$(date +%s)
	mkdir -p "$d/src" "$d/obj" || return 1
	vm_log "debug kernel: extracting linux-source-6.12 $PKGVER"
	dpkg-deb --fsys-tarfile "$f" |
		tar -xO ./usr/src/linux-source-6.12.tar.xz |
		tar -xJ -C "$d/src" --strip-components=1 || return 1

	# A clean environment: no jobserver of a parent make (make check -jN).
	mk="env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C $d/src O=$d/obj ARCH=x86_64"
	vm_log "debug kernel: configuring (tinyconfig + $(basename "$DBG_CONFIG"))"
	$mk tinyconfig > "$d/config.log" 2>&1 &&
	"$d/src/scripts/kconfig/merge_config.sh" -m -O "$d/obj" \
		"$d/obj/.config" "$DBG_CONFIG" >> "$d/config.log" 2>&1 &&
	$mk olddefconfig >> "$d/config.log" 2>&1 || {
		cat "$d/config.log" >&2; return 1; }
	vm_debug_check_config "$d/obj" || return 1

	vm_log "debug kernel: building bzImage and modules on $(nproc) CPUs (a few minutes)"
	if ! $mk -j"$(nproc)" bzImage modules > "$d/build.log" 2>&1; then
		tail -n 40 "$d/build.log" >&2
		return 1
	fi

	# Keep what booting and out-of-tree module builds need: no C or
	# assembly source, no other architecture, no driver's private header
	# (a module includes <linux/...>, under include/ and arch/x86/).
	rm -rf "$d/src/Documentation" "$d/src/LICENSES" "$d/src/sound"
	find "$d/src/arch" -mindepth 1 -maxdepth 1 ! -name x86 ! -name Kconfig \
		-exec rm -rf {} +
	find "$d/src" \( -name '*.c' -o -name '*.S' \) ! -path "$d/src/scripts/*" \
		! -path "$d/src/tools/*" -delete
	find "$d/src/drivers" -name '*.h' -delete
	find "$d/obj" -name '*.o' ! -path "$d/obj/scripts/*" \
		! -path "$d/obj/tools/*" -delete
	rm -f "$d/obj/vmlinux" "$d/obj/vmlinux.o" "$d/obj/vmlinux.a" \
		"$d/obj/.tmp_vmlinux"* "$d/obj/arch/x86/boot/compressed/vmlinux"*
	echo $(($(date +%s) - t0)) > "$d/build-seconds"
}

# vm_debug_kernel: find or build the debug kernel; set DBG_DIR, KDIR
# (the build tree for M= builds), DBG_IMAGE and DBG_BUILD (the seconds of
# a build done now, empty when it was cached).  Needs vm_prepare 6.12 first.
vm_debug_kernel() {
	local hash tmp
	hash=$(vm_debug_hash) || return 1
	DBG_DIR="$VM_CACHE/dbgkernel-$hash"
	KDIR="$DBG_DIR/obj"
	DBG_IMAGE="$KDIR/arch/x86/boot/bzImage"
	DBG_BUILD=""
	if [ ! -f "$DBG_DIR/.complete" ]; then
		exec 9> "$VM_CACHE/dbgkernel.lock" || return 1
		vm_log "debug kernel: waiting for the build lock"
		flock -w 7200 9 || { vm_log "debug kernel: lock timeout"; return 1; }
		if [ ! -f "$DBG_DIR/.complete" ]; then
			# Under the lock, so nobody else uses a half-built
			# tree: .complete comes last.
			rm -rf "$DBG_DIR"
			if ! vm_debug_build "$DBG_DIR"; then
				vm_log "debug kernel: build failed (see $DBG_DIR)"
				flock -u 9
				return 1
			fi
			touch "$DBG_DIR/.complete"
			DBG_BUILD=$(cat "$DBG_DIR/build-seconds")
		fi
		flock -u 9
	fi
	touch "$DBG_DIR/.used"
	# Other configurations, unused for a week.
	find "$VM_CACHE" -maxdepth 2 -path "$VM_CACHE/dbgkernel-*/.used" -mtime +7 \
		! -path "$DBG_DIR/*" 2>/dev/null | while read -r u; do
		rm -rf "$(dirname "$u")"
	done
	[ -f "$DBG_IMAGE" ]
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	VM_HERE=$(cd "$(dirname "$0")" && pwd)
	# shellcheck source=tests/vm/lib.sh
	. "$VM_HERE/lib.sh"
	vm_prepare 6.12 no || exit $?
	vm_debug_kernel || exit 1
	echo "$DBG_DIR"
fi
