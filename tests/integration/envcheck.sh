#!/bin/bash
# Environment errors say what is wrong and how to fix it, before anything
# else happens: debugfs not mounted (with the mount command), no vfio
# directory (load the module), not root.  Uses a private mount namespace.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || t_skip "needs root for a private mount namespace"
command -v unshare >/dev/null || t_skip "unshare is missing (util-linux)"
unshare -m true 2>/dev/null || t_skip "cannot create a mount namespace here"
out=$T_DIR/out

# In a namespace, unmount every debugfs, then run.
t_ns() {	# t_ns SCRIPT: run SCRIPT in a new mount namespace
	unshare -m --propagation private sh -c "$1" >"$out" 2>"$out.err"
}

t_ns "grep -w debugfs /proc/mounts | awk '{print \$2}' | sort -r | xargs -r -n1 umount -l; exec timeout 20 '$VFIOMIGTOP' -b -n 1"; rc=$?
t_eq "debugfs not mounted: exit 1" "$rc" 1
t_grep "debugfs not mounted: says so" 'debugfs is not mounted' "$out.err"
t_grep "debugfs not mounted: gives the mount command" 'mount -t debugfs none /sys/kernel/debug' "$out.err"

# debugfs mounted but without a vfio directory (true on this host unless
# the kernel has CONFIG_VFIO_DEBUGFS and vfio loaded).
t_ns "grep -w debugfs /proc/mounts | awk '{print \$2}' | sort -r | xargs -r -n1 umount -l; mount -t debugfs none /sys/kernel/debug && exec timeout 20 '$VFIOMIGTOP' -b -n 1"; rc=$?
if grep -q 'no vfio directory' "$out.err"; then
	t_eq "no vfio directory: exit 1" "$rc" 1
	t_grep "no vfio directory: names the kernel option" 'CONFIG_VFIO_DEBUGFS' "$out.err"
	t_grep "no vfio directory: says to load the module" 'modprobe vfiomig' "$out.err"
else
	t_pass "this kernel has a vfio debugfs root (rc $rc): no-vfio case not testable here"
fi

# Not root: debugfs is 0700.  The other user must reach the binary
# wherever the checkout lives (a 0700 directory, say): it runs a copy from
# a directory of its own under /tmp.
if command -v setpriv >/dev/null; then
	pub=$(mktemp -d /tmp/vfiomigtop-pub.XXXXXX)
	t_at_exit "rm -rf '$pub'"
	chmod 755 "$pub"
	cp "$VFIOMIGTOP" "$pub/vfiomigtop"
	# A sanitizer build reads its suppressions at exit: give it a copy.
	case ${LSAN_OPTIONS:-} in *suppressions=*)
		supp=$(printf '%s\n' "$LSAN_OPTIONS" | tr ':' '\n' | sed -n 's/^suppressions=//p')
		cp "$supp" "$pub/lsan.supp" && chmod 644 "$pub/lsan.supp"
		LSAN_OPTIONS=$(printf '%s\n' "$LSAN_OPTIONS" | sed "s|suppressions=[^:]*|suppressions=$pub/lsan.supp|")
		export LSAN_OPTIONS ;;
	esac
	t_ns "grep -w debugfs /proc/mounts | awk '{print \$2}' | sort -r | xargs -r -n1 umount -l; mount -t debugfs -o mode=0700 none /sys/kernel/debug && exec setpriv --reuid=65534 --regid=65534 --clear-groups timeout 20 '$pub/vfiomigtop' -b -n 1"; rc=$?
	t_eq "not root: exit 1" "$rc" 1
	t_grep "not root: says to run as root" 'run as root' "$out.err"
fi

# A debugfs mounted somewhere unusual (with a space in its path) is found
# through /proc/mounts.
mkdir -p "$T_DIR/my debug"
t_ns "grep -w debugfs /proc/mounts | awk '{print \$2}' | sort -r | xargs -r -n1 umount -l; mount -t debugfs none '$T_DIR/my debug' && exec timeout 20 '$VFIOMIGTOP' -b -n 1"; rc=$?
t_grep "debugfs found at an unusual path (rc $rc)" "$T_DIR/my debug" "$out.err"
t_done
