#!/bin/bash
# DKMS for real: Debian's dkms adds, builds, installs and removes the
# module against Debian's 6.12 headers, from the source tree that
# `make install-dkms` makes (the layout of a future vfiomig-dkms package).
#
# The headers are the ones the VM tests extract into their cache (nothing is
# installed), and every tree dkms writes is a temporary directory
# (--sourcetree, --dkmstree, --installtree; --no-depmod), so the host's
# /usr/src, /var/lib/dkms and /lib/modules are left alone.  Checks: the
# version comes from configure.ac, the build prints no warning, the module
# lands in updates/dkms, BUILD_EXCLUSIVE_* refuse what the module cannot
# build for, and remove leaves nothing.
#
# Needs top_builddir (set by make check): a configured build tree.
# Exit: 0 PASS, 1 FAIL, 77 SKIP only when the kernel packages can neither
# be downloaded nor found in the cache.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/vm/lib.sh
. "$HERE/lib.sh"
NAME=dkms
NOK=0
NFAIL=0
t() {	# t "description" command...
	local d=$1
	shift
	if "$@"; then echo "ok - $d"; NOK=$((NOK + 1))
	else echo "not ok - $d"; NFAIL=$((NFAIL + 1)); fi
}

command -v dkms >/dev/null || fail "dkms is missing (run tests/vm/setup.sh as root)"
[ -n "${top_builddir:-}" ] && [ -f "$top_builddir/Makefile" ] ||
	fail "top_builddir must name a configured build tree (run it from make check)"
mkdir -p "$VM_CACHE" 2>/dev/null && [ -w "$VM_CACHE" ] ||
	fail "cache $VM_CACHE is not writable (set VFIOMIGTOP_VM_CACHE)"

vm_prepare 6.12
case $? in
0) ;;
"$VM_SKIP") echo "$NAME: SKIP: no network to the Debian mirror and no cached 6.12 kernel"; exit $VM_SKIP ;;
*) fail "could not prepare the 6.12 kernel" ;;
esac

WORK=$(mktemp -d "${TMPDIR:-/tmp}/vfiomig-dkms.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
VER=$(sed -n 's/^PACKAGE_VERSION = //p' "$top_builddir/Makefile")
[ -n "$VER" ] || fail "no PACKAGE_VERSION in $top_builddir/Makefile"

# The source tree, as a package would install it.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top_builddir" install-dkms \
	DESTDIR="$WORK/pkg" > "$WORK/install-dkms.log" 2>&1 ||
	{ cat "$WORK/install-dkms.log"; fail "make install-dkms"; }
SRC="$WORK/pkg/usr/src"
t "make install-dkms made /usr/src/vfiomig-$VER with dkms.conf" \
	[ -f "$SRC/vfiomig-$VER/dkms.conf" ] && [ -f "$SRC/vfiomig-$VER/vfiomig_main.c" ]
t "dkms.conf: PACKAGE_VERSION is configure.ac's ($VER)" \
	grep -qx "PACKAGE_VERSION=\"$VER\"" "$SRC/vfiomig-$VER/dkms.conf"
t "dkms.conf: no legacy directive" sh -c \
	"! grep -E '^(REMAKE_INITRD|MODULES_CONF|MODULES_CONF_ALIAS_TYPE|MODULES_CONF_OBSOLETES|OBSOLETE_BY)' '$SRC/vfiomig-$VER/dkms.conf'"
t "vfiomig-holders is executable" [ -x "$SRC/vfiomig-$VER/vfiomig-holders" ]

DK=(--sourcetree "$SRC" --dkmstree "$WORK/dkms" --installtree "$WORK/modules")
# dkms installs only for a kernel whose module directory exists.
mkdir -p "$WORK/dkms" "$WORK/modules/$KVER"
dk() {	# dk ACTION ARGS...: dkms with the temporary trees, logged
	local log="$WORK/dkms-$1.log"
	echo "\$ dkms $*" >> "$WORK/dkms.log"
	# As from a package manager: not a sub-make of `make check`, whose
	# jobserver flags make the module's build warn "-j2 forced in submake".
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
		dkms "$@" "${DK[@]}" > "$log" 2>&1
	local rc=$?
	cat "$log" >> "$WORK/dkms.log"
	return $rc
}

t "dkms add vfiomig/$VER" dk add -m vfiomig -v "$VER"
t "dkms build against $KVER" dk build -m vfiomig -v "$VER" -k "$KVER" \
	--kernelsourcedir "$KDIR"
BLOG="$WORK/dkms/vfiomig/$VER/$KVER/$(uname -m)/log/make.log"
t "the build printed no warning" sh -c \
	"[ -f '$BLOG' ] && ! grep -iwE 'warning|error' '$BLOG'"
t "dkms install" dk install -m vfiomig -v "$VER" -k "$KVER" \
	--kernelsourcedir "$KDIR" --no-depmod
KO=$(find "$WORK/modules/$KVER/updates/dkms" -name 'vfiomig.ko*' 2>/dev/null | head -n 1)
t "installed as updates/dkms/vfiomig.ko ($KO)" [ -n "$KO" ]
if [ -n "$KO" ]; then
	case $KO in
	*.xz) xz -dc "$KO" > "$WORK/vfiomig.ko" ;;
	*) cp "$KO" "$WORK/vfiomig.ko" ;;
	esac
	t "the installed module is for $KVER" sh -c \
		"modinfo -F vermagic '$WORK/vfiomig.ko' | grep -q '^$KVER '"
fi
dkms status -m vfiomig "${DK[@]}" > "$WORK/status.txt" 2>&1
cat "$WORK/status.txt"
t "dkms status: installed" grep -q "^vfiomig/$VER, $KVER, .*: installed" "$WORK/status.txt"
t "dkms remove --all" dk remove -m vfiomig -v "$VER" --all --no-depmod
t "nothing left installed" sh -c "! find '$WORK/modules' -name 'vfiomig.ko*' | grep -q ."
t "nothing left in the dkms tree" sh -c "[ ! -e '$WORK/dkms/vfiomig/$VER' ]"

# BUILD_EXCLUSIVE_*: a kernel without vfio, and one older than 6.1.
FAKE="$WORK/fake-kernel"
mkdir -p "$FAKE"
grep -v '^CONFIG_VFIO=' "$KDIR/.config" > "$FAKE/.config"
t "dkms add again" dk add -m vfiomig -v "$VER"
dk build -m vfiomig -v "$VER" -k "$KVER" --kernelsourcedir "$FAKE"
t "a kernel without CONFIG_VFIO is refused (exit 77)" [ $? = 77 ]
dk build -m vfiomig -v "$VER" -k 5.19.0-1-amd64 --kernelsourcedir "$KDIR"
t "a kernel older than 6.1 is refused (exit 77)" [ $? = 77 ]
dk remove -m vfiomig -v "$VER" --all --no-depmod

echo "---- $NAME: dkms output ----"
sed 's/^/  /' "$WORK/dkms.log" | tail -n 60
echo "$NAME: $NOK passed, $NFAIL failed (dkms $(dkms --version 2>/dev/null | sed 's/^dkms-//'), $KVER)"
[ "$NFAIL" = 0 ] || { echo "$NAME: FAIL"; exit 1; }
echo "$NAME: PASS"
