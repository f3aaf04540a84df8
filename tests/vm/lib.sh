# shellcheck shell=bash
# Helpers shared by the VM tests (run-vm-test.sh, vm-qemu.sh, dkms.sh,
# checkpatch.sh): find Debian's kernel packages for a kernel series, download
# them into the cache with `apt-get download`, extract what the tests need,
# build modules against them.  Nothing is installed
# into the system and no kernel source ever enters the git tree.
#
# Cache layout ($VFIOMIGTOP_VM_CACHE, default /var/cache/vfiomigtop-vm):
#   debs/                  the downloaded .deb files
#   resolved-SERIES.env    the last resolved versions (used when offline)
#   kroot-KVER/            headers + kbuild + the needed part of the image
#   src-PKGVER/            files extracted from linux-source-SERIES
#                          (samples/vfio-mdev/mtty.c, scripts/checkpatch.pl,
#                          scripts/spelling.txt, scripts/const_structs.checkpatch)
#   prepare.lock           held while a test fetches and extracts
#   dbgkernel-HASH/        the debug kernel (debug-kernel.sh), dbgkernel.lock

VM_CACHE=${VFIOMIGTOP_VM_CACHE:-/var/cache/vfiomigtop-vm}
VM_SKIP=77

vm_log() { printf '%s\n' "$*" >&2; }

# For the test scripts, which set NAME first: fail and skip end the test,
# now and since time its stages.
fail() { echo "$NAME: FAIL: $*"; exit 1; }
skip() { echo "$NAME: SKIP: $*"; exit $VM_SKIP; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

# vm_guest_passed CONSOLE: true if the guest's console log ends well: the
# sentinel line, or the same as a kernel message (whole even when the
# console was cut).
vm_guest_passed() {
	grep -Eq '(^|\] )GUEST RESULT: PASS$' "$1"
}

# vm_qemu NAME CONSOLE TIMEOUT BOOT_WAIT QEMU-COMMAND...: run the guest,
# its console to CONSOLE, for at most TIMEOUT s.  A guest whose /init has
# not said "guest: kernel ..." after BOOT_WAIT s hung while booting, before
# anything of ours ran (TCG has been seen to lose a vCPU's timer in early
# boot under load: RCU stalls, "timer wakeup didn't happen"): it is
# stopped, its console kept as CONSOLE.hung, and booted once more.  Returns
# qemu's exit status (124: TIMEOUT reached; 125: hung twice).
vm_qemu() {
	local who=$1 console=$2 limit=$3 wait=$4 try pid end rc
	shift 4
	for try in 1 2; do
		timeout "$limit" "$@" < /dev/null > "$console" 2>&1 &
		pid=$!
		end=$(( $(date +%s) + wait ))
		rc=
		while ! grep -q 'guest: kernel' "$console"; do
			if ! kill -0 "$pid" 2>/dev/null; then
				wait "$pid"
				return
			fi
			if [ "$(date +%s)" -ge "$end" ]; then
				kill "$pid" 2>/dev/null
				wait "$pid"
				rc=125
				break
			fi
			sleep 0.5
		done
		if [ -z "$rc" ]; then
			wait "$pid"
			return
		fi
		mv "$console" "$console.hung"
		echo "$who: the guest did not reach /init within $wait s" \
			"(try $try; console kept in $console.hung):"
		grep -m 3 -E 'rcu:|BUG|panic' "$console.hung" | tr -d '\r'
	done
	return 125
}

# vm_missing_tools TOOL...: print " name" for each host tool (and the static
# busybox that runs in the initramfs) that is not installed.
vm_missing_tools() {
	local tool

	for tool in "$@"; do
		command -v "$tool" >/dev/null || printf ' %s' "$tool"
	done
	ldd /bin/busybox 2>&1 | grep -q 'not a dynamic' || printf ' busybox-static'
}

# vm_workdir PREFIX: set WORK to a new directory, removed on exit unless
# VFIOMIGTOP_VM_KEEP=1.
vm_workdir() {
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || fail "no work directory"
	if [ "${VFIOMIGTOP_VM_KEEP:-0}" = 1 ]; then
		echo "$NAME: work directory $WORK"
	else
		trap 'rm -rf "$WORK"' EXIT
	fi
}

# vm_build_module NAME DIR: out-of-tree build of DIR against $KDIR; any
# warning fails the test.
vm_build_module() {
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

# Files taken from the linux-source tarball.
VM_SRC_FILES="samples/vfio-mdev/mtty.c scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch"

# vm_resolve SERIES: set KVER (ABI name, e.g. 6.12.95+deb12-amd64), PKGVER
# (package version) and DEBS (package=version list) for SERIES 6.12 (from
# bookworm-backports) or 6.1 (bookworm's candidate), as apt knows them now.
vm_resolve() {
	local series=$1 spec stanza depends p name pin

	case $series in
	6.12) spec=linux-headers-amd64/bookworm-backports ;;
	6.1) spec="linux-headers-amd64=$(apt-cache policy linux-headers-amd64 2>/dev/null |
					  awk '/Candidate:/ { print $2 }')" ;;
	*) vm_log "unknown kernel series $series"; return 1 ;;
	esac

	stanza=$(apt-cache show "$spec" 2>/dev/null | awk '/^$/ { exit } { print }')
	KVER=$(printf '%s\n' "$stanza" |
	       sed -n 's/^Depends: linux-headers-\([^ ,]*\).*/\1/p')
	PKGVER=$(printf '%s\n' "$stanza" |
		 sed -n 's/^Depends: linux-headers-[^ ,]* (= \([^)]*\)).*/\1/p')
	case $KVER in
	"$series".*) ;;
	*) vm_log "apt knows no Debian $series kernel ($spec)"; return 1 ;;
	esac
	[ -n "$PKGVER" ] || return 1

	depends=$(apt-cache show "linux-headers-$KVER=$PKGVER" 2>/dev/null |
		  sed -n 's/^Depends: //p' | head -n 1)
	DEBS="linux-image-$KVER-unsigned=$PKGVER linux-headers-$KVER=$PKGVER linux-source-$series=$PKGVER"
	# headers-common and kbuild, as the headers package names them
	for p in $(printf '%s\n' "$depends" | tr ',' '\n' | tr -d ' ' |
		   grep -E '^linux-(headers-.*-common|kbuild-)'); do
		name=${p%%(*}
		pin=""
		case $p in *"(="*) pin="=${p#*(=}"; pin=${pin%)} ;; esac
		DEBS="$DEBS $name$pin"
	done
}

# vm_deb_file PKG[=VER]: the cached .deb for it (the newest one when no
# version is given), if any.
vm_deb_file() {
	local name=${1%%=*} ver="" f
	case $1 in *=*) ver=$(printf '%s' "${1#*=}" | sed 's/:/%3a/') ;; esac
	f=$(ls -1 "$VM_CACHE/debs/${name}_${ver}"*.deb 2>/dev/null | sort -V | tail -n 1)
	[ -n "$f" ] && printf '%s\n' "$f"
}

# vm_fetch: make sure every package of $DEBS is in the cache.
vm_fetch() {
	local missing="" p
	mkdir -p "$VM_CACHE/debs"
	for p in $DEBS; do
		vm_deb_file "$p" >/dev/null || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0

	vm_log "downloading:$missing"
	# shellcheck disable=SC2086
	if ! (cd "$VM_CACHE/debs" && apt-get download -q $missing) >&2; then
		if [ "$(id -u)" = 0 ]; then
			vm_log "apt-get download failed; refreshing the package lists once"
			apt-get update -qq >&2 || true
			# shellcheck disable=SC2086
			(cd "$VM_CACHE/debs" && apt-get download -q $missing) >&2 || return 1
		else
			return 1
		fi
	fi
}

# vm_kroot: extract headers, kbuild and the needed part of the image into
# $KROOT; set KDIR.
vm_kroot() {
	local p f tmp
	KROOT="$VM_CACHE/kroot-$KVER"
	KDIR="$KROOT/usr/src/linux-headers-$KVER"
	[ -f "$KROOT/.complete" ] && return 0

	tmp="$KROOT.tmp.$$"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	for p in $DEBS; do
		f=$(vm_deb_file "$p") || { vm_log "missing package $p"; return 1; }
		case ${p%%=*} in
		linux-image-*)
			dpkg-deb --fsys-tarfile "$f" |
				tar -x -C "$tmp" --wildcards './boot/vmlinuz-*' \
				    '*/kernel/drivers/vfio/*' '*/kernel/virt/lib/irqbypass*' ;;
		linux-headers-*|linux-kbuild-*)
			dpkg-deb -x "$f" "$tmp" ;;
		esac || return 1
	done
	# The only absolute path of the split headers: point it into the root.
	sed -i "s#^include /usr/src/#include $KROOT/usr/src/#" \
		"$tmp/usr/src/linux-headers-$KVER/Makefile" || return 1
	touch "$tmp/.complete"
	rm -rf "$KROOT"
	mv "$tmp" "$KROOT"
}

# vm_source_files SERIES: extract $VM_SRC_FILES from linux-source-SERIES
# (one pass over the tarball, ~8 s) into $SRCDIR.
vm_source_files() {
	local series=$1 f members="" tmp
	SRCDIR="$VM_CACHE/src-$PKGVER"
	[ -f "$SRCDIR/.complete" ] && return 0

	f=$(vm_deb_file "linux-source-$series=$PKGVER") || {
		vm_log "missing package linux-source-$series=$PKGVER"; return 1; }
	for m in $VM_SRC_FILES; do
		members="$members linux-source-$series/$m"
	done
	tmp="$SRCDIR.tmp.$$"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	# shellcheck disable=SC2086
	dpkg-deb --fsys-tarfile "$f" |
		tar -xO "./usr/src/linux-source-$series.tar.xz" |
		tar -xJ -C "$tmp" --strip-components=1 $members || return 1
	touch "$tmp/.complete"
	rm -rf "$SRCDIR"
	mv "$tmp" "$SRCDIR"
}

# vm_prepare SERIES [need-kroot]: resolve, fetch, extract (under a lock).  When the
# mirror cannot be reached, falls back to the last version fetched
# completely.  Returns $VM_SKIP when nothing can be had (no mirror and no
# cache).
vm_prepare() {
	local rc
	# The VM tests run in parallel under make -jN: one at a time here, so
	# that no test replaces a tree another one is reading.
	mkdir -p "$VM_CACHE" || return 1
	exec 8> "$VM_CACHE/prepare.lock" || return 1
	flock -w 3600 8 || { vm_log "timeout on $VM_CACHE/prepare.lock"; return 1; }
	vm_prepare_locked "$@"
	rc=$?
	flock -u 8
	exec 8>&-
	return $rc
}

vm_prepare_locked() {
	local series=$1 need_kroot=${2:-yes}
	local envf="$VM_CACHE/resolved-$series.env"

	if vm_resolve "$series" && vm_fetch; then
		mkdir -p "$VM_CACHE"
		printf 'KVER=%s\nPKGVER=%s\nDEBS="%s"\n' "$KVER" "$PKGVER" "$DEBS" \
			> "$envf.tmp" && mv "$envf.tmp" "$envf"
	elif [ -f "$envf" ]; then
		# shellcheck disable=SC1090
		. "$envf"
		vm_log "using the cached $series kernel $KVER ($PKGVER)"
		vm_fetch || return $VM_SKIP
	else
		vm_log "cannot download the $series kernel packages and none are cached"
		return $VM_SKIP
	fi
	vm_log "kernel $series: $KVER ($PKGVER)"
	vm_source_files "$series" || return 1
	[ "$need_kroot" = yes ] || return 0
	vm_kroot || return 1
}
