#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# faultfs-selftest.sh - check faultfs with real syscalls.
#
# Builds faultfs.c (or takes $FAULTFS), mounts it over a scratch backing
# tree and checks every directive and the promises of faultfs.md through a
# small C probe, so errno values and timings are exact.  Prints PASS/FAIL
# per check; exits 0 if all passed, 1 otherwise, 77 if FUSE is unusable.
#
#   tests/tools/faultfs-selftest.sh
#   CFLAGS='-O1 -g -fsanitize=address,undefined' tests/tools/faultfs-selftest.sh
#   FAULTFS=/path/to/faultfs tests/tools/faultfs-selftest.sh

# SC2317: cleanup runs from a trap; SC2016: eval'd checks expand late.
# shellcheck disable=SC2317,SC2016
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/faultfs-selftest.XXXXXX") || exit 1
B=$T/backing
M=$T/mnt
LOG=$T/faultfs.log
PROBE=$T/probe
FFS_PID=
BG_PIDS=
NPASS=0
NFAIL=0

# --- plumbing ---------------------------------------------------------------

mounted()
{
	awk -v m="$M" '$2 == m { f = 1 } END { exit !f }' /proc/mounts
}

cleanup()
{
	local p

	for p in $BG_PIDS; do
		kill -KILL "$p" 2>/dev/null
	done
	if mounted; then
		fusermount3 -u "$M" 2>/dev/null ||
			fusermount3 -uz "$M" 2>/dev/null || umount -l "$M"
	fi
	if [ -n "$FFS_PID" ]; then
		kill -TERM "$FFS_PID" 2>/dev/null
		wait "$FFS_PID" 2>/dev/null
	fi
	# Never rm -r through a mount that is still there.
	mounted || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

pass()
{
	echo "PASS: $1"
	NPASS=$((NPASS + 1))
}

fail()
{
	echo "FAIL: $1${2:+ -- $2}"
	NFAIL=$((NFAIL + 1))
}

# check NAME CONDITION...: PASS if the command succeeds.
check()
{
	local name=$1

	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}

# expect NAME GLOB PROBE-ARGS...: the probe's output must match GLOB.
expect()
{
	local name=$1 want=$2 out

	shift 2
	out=$("$PROBE" "$@" 2>&1)
	# shellcheck disable=SC2254
	case $out in
	$want) pass "$name" ;;
	*) fail "$name" "got '$out', want '$want'" ;;
	esac
}

# ms OUTPUT: the t= field (milliseconds in pread) of a probe read line.
ms()
{
	printf '%s\n' "$1" | sed -n 's/.* t=\([0-9]*\)$/\1/p'
}

# fault FILE DIRECTIVE: set FILE's sidecar atomically; nofault FILE: drop it.
fault()
{
	printf '%s\n' "$2" >"$T/sidecar.new" && mv -f "$T/sidecar.new" "$1.fault"
}

nofault()
{
	rm -f "$1.fault"
}

alive()
{
	local st

	read -r _ _ st _ 2>/dev/null <"/proc/$1/stat" || return 1
	[ "$st" != Z ]
}

# gone PID TENTHS: wait up to TENTHS/10 s for PID to end; reap it and
# leave its exit status in GONE_RC.
gone()
{
	local i=0

	while alive "$1" && [ "$i" -lt "$2" ]; do
		sleep 0.1
		i=$((i + 1))
	done
	alive "$1" && return 1
	{ wait "$1"; } 2>/dev/null
	GONE_RC=$?
	return 0
}

# bg OUT PROBE-ARGS...: start a probe in the background, output to OUT.
bg()
{
	local out=$1

	shift
	"$PROBE" "$@" >"$out" 2>&1 &
	LAST=$!
	BG_PIDS="$BG_PIDS $LAST"
}

# --- can we use FUSE at all? ------------------------------------------------

if ! [ -c /dev/fuse ] || ! { exec 9<>/dev/fuse; } 2>/dev/null; then
	echo "SKIP: /dev/fuse is missing or cannot be opened"
	exit 77
fi
exec 9>&-

# --- build ------------------------------------------------------------------

mkdir -p "$B" "$M" || exit 1
if [ -n "${FAULTFS:-}" ]; then
	FFS=$FAULTFS
else
	FFS=$T/faultfs
	# shellcheck disable=SC2046,SC2086
	if ${CC:-gcc} -std=c11 ${CFLAGS:--O2 -g} -Wall -Wextra -Wshadow \
		-Wstrict-prototypes -Wmissing-prototypes -o "$FFS" \
		"$HERE/faultfs.c" $(pkg-config --cflags --libs fuse3) \
		-lpthread 2>"$T/build.log"; then
		check "build without warnings" test ! -s "$T/build.log"
		[ -s "$T/build.log" ] && cat "$T/build.log"
	else
		cat "$T/build.log"
		fail "build faultfs"
		exit 1
	fi
fi

cat >"$T/probe.c" <<'EOF'
/* probe - one syscall-level check on a path, output in one line. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *ename(int e)
{
	static char other[32];

	switch (e) {
	case EINVAL: return "EINVAL";
	case EIO: return "EIO";
	case ENODEV: return "ENODEV";
	case EACCES: return "EACCES";
	case ENOENT: return "ENOENT";
	case EAGAIN: return "EAGAIN";
	case EROFS: return "EROFS";
	case EINTR: return "EINTR";
	case ENOTCONN: return "ENOTCONN";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	}
	snprintf(other, sizeof(other), "E%d", e);
	return other;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Bytes as text: printable ones as is, others (and % and space) as %xx. */
static void put_bytes(const unsigned char *p, size_t n, size_t max)
{
	size_t i;

	for (i = 0; i < n && i < max; i++) {
		if (p[i] > ' ' && p[i] < 0x7f && p[i] != '%')
			putchar(p[i]);
		else
			printf("%%%02x", p[i]);
	}
	if (n > max)
		fputs("...", stdout);
}

/* "OK n data h=hash z=has-NUL t=ms" or "ERR ENAME t=ms". */
static int do_read(int fd, size_t len, off_t off)
{
	unsigned char *buf = malloc(len ? len : 1);
	uint64_t h = 0xcbf29ce484222325ull;
	long long t0 = now_ms(), t;
	int e, z = 0;
	ssize_t n, i;

	if (!buf)
		return 1;
	n = pread(fd, buf, len, off);
	e = errno;
	t = now_ms() - t0;
	if (n < 0) {
		printf("ERR %s t=%lld\n", ename(e), t);
	} else {
		for (i = 0; i < n; i++) {
			h = (h ^ buf[i]) * 0x100000001b3ull;
			z |= buf[i] == 0;
		}
		printf("OK %zd ", n);
		put_bytes(buf, (size_t)n, 64);
		printf(" h=%016llx z=%d t=%lld\n", (unsigned long long)h, z, t);
	}
	fflush(stdout);
	free(buf);
	return n < 0;
}

static int open_or_say(const char *path, int flags)
{
	int fd = open(path, flags);

	if (fd < 0)
		printf("ERR %s open\n", ename(errno));
	return fd;
}

static void nop(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = nop;		/* no SA_RESTART: EINTR would show */
	sigaction(SIGUSR2, &sa, NULL);
	if (argc < 3)
		return 2;
	if (!strcmp(argv[1], "read")) {
		fd = open_or_say(argv[2], O_RDONLY);
		if (fd < 0)
			return 1;
		return do_read(fd, argc > 3 ? strtoull(argv[3], NULL, 0) : 4096,
			       argc > 4 ? strtoll(argv[4], NULL, 0) : 0);
	}
	if (!strcmp(argv[1], "reread") && argc == 4) {
		fd = open_or_say(argv[2], O_RDONLY);
		if (fd < 0)
			return 1;
		do_read(fd, 4096, 0);
		if (system(argv[3]) != 0)
			puts("CMD FAILED");
		fflush(stdout);
		return do_read(fd, 4096, 0);
	}
	if (!strcmp(argv[1], "open")) {
		fd = open_or_say(argv[2], argc > 3 ? O_WRONLY : O_RDONLY);
		if (fd >= 0)
			puts("OK");
		return fd < 0;
	}
	if (!strcmp(argv[1], "stat")) {
		if (stat(argv[2], &st) < 0) {
			printf("ERR %s\n", ename(errno));
			return 1;
		}
		printf("OK size=%lld type=%s\n", (long long)st.st_size,
		       S_ISREG(st.st_mode) ? "reg" :
		       S_ISDIR(st.st_mode) ? "dir" : "other");
		return 0;
	}
	if (!strcmp(argv[1], "mkdir")) {
		if (mkdir(argv[2], 0755) < 0) {
			printf("ERR %s\n", ename(errno));
			return 1;
		}
		puts("OK");
		return 0;
	}
	if (!strcmp(argv[1], "ls")) {
		d = opendir(argv[2]);
		if (!d) {
			printf("ERR %s\n", ename(errno));
			return 1;
		}
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			put_bytes((const unsigned char *)de->d_name,
				  strlen(de->d_name), 1000);
			putchar('\n');
		}
		closedir(d);
		return 0;
	}
	return 2;
}
EOF
if ! ${CC:-gcc} -O2 -Wall -o "$PROBE" "$T/probe.c" 2>"$T/probe.log"; then
	cat "$T/probe.log"
	fail "build probe"
	exit 1
fi

# --- mount ------------------------------------------------------------------

S=$B/dev0/migration/state
MS=$M/dev0/migration/state
mkdir -p "$B/dev0/migration" "$B/other" "$B/stats"
printf 'RUNNING\n' >"$S"
printf 'IDLE\n' >"$B/other/state"

export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
"$FFS" -f "$B" "$M" 2>"$LOG" &
FFS_PID=$!
for _ in $(seq 100); do
	mounted && break
	alive "$FFS_PID" || break
	sleep 0.05
done
if ! mounted; then
	cat "$LOG"
	if grep -qi 'permission denied\|not permitted\|device not found' "$LOG"
	then
		echo "SKIP: cannot mount FUSE here"
		exit 77
	fi
	fail "mount"
	exit 1
fi
pass "mount"
START=$(date +%s%N)

# --- plain mirror -----------------------------------------------------------

expect "plain read" 'OK 8 RUNNING%0a h=* z=0 t=*' read "$MS"
expect "st_size is the real size" 'OK size=8 type=reg' stat "$MS"
check "readdir lists the tree" \
	test "$("$PROBE" ls "$M" | sort | tr '\n' ' ')" = "dev0 other stats "

# --- error directives -------------------------------------------------------

for d in einval eio enodev eagain; do
	fault "$S" "$d"
	expect "$d: open succeeds" 'OK' open "$MS"
	expect "$d: read fails" "ERR ${d^^} t=*" read "$MS"
done
fault "$S" eacces
expect "eacces: open fails" 'ERR EACCES open' read "$MS"
expect "eacces: stat works" 'OK size=8 type=reg' stat "$MS"
printf 'RUNNING\n' >"$B/late"
fault "$B/late" "open-enoent 2"
expect "open-enoent 2: stat works" 'OK size=8 type=reg' stat "$M/late"
expect "open-enoent 2: the first open fails" 'ERR ENOENT open' read "$M/late"
expect "open-enoent 2: the second too" 'ERR ENOENT open' read "$M/late"
expect "open-enoent 2: the third works" 'OK 8 RUNNING%0a h=* z=0 t=*' read "$M/late"
fault "$S" enoent
expect "enoent: open fails" 'ERR ENOENT open' read "$MS"
expect "enoent: stat fails" 'ERR ENOENT' stat "$MS"
check "enoent: backing file is still there" test -f "$S"
fault "$B/dev0" enoent
expect "enoent on a directory hides it" 'ERR ENOENT' stat "$M/dev0"
nofault "$B/dev0"
nofault "$S"
expect "sidecar removed: normal again" 'OK 8 RUNNING%0a *' read "$MS"
: >"$S.fault"
expect "empty sidecar: normal" 'OK 8 RUNNING%0a *' read "$MS"
printf '  eio \r\nignored second line\n' >"$S.fault"
expect "blanks around a directive" 'ERR EIO *' read "$MS"

# --- data directives --------------------------------------------------------

fault "$S" "short 3"
expect "short 3" 'OK 3 RUN h=* z=0 *' read "$MS"
expect "short 3 at offset 6" 'OK 2 G%0a h=*' read "$MS" 4096 6
fault "$S" "garbage 100"
g1=$("$PROBE" read "$MS")
g2=$("$PROBE" read "$MS")
case $g1 in
'OK 100 %00%1b%0a%7f%ff%0d%01%80'*' z=1 '*) pass "garbage 100: binary with NUL" ;;
*) fail "garbage 100: binary with NUL" "got '$g1'" ;;
esac
check "garbage is deterministic" test "${g1% t=*}" = "${g2% t=*}"
expect "garbage at offset 90" 'OK 10 *' read "$MS" 4096 90
expect "garbage past its end" 'OK 0  h=*' read "$MS" 4096 100
fault "$S" "delay 300"
out=$("$PROBE" read "$MS")
case $out in
'OK 8 RUNNING%0a '*) check "delay 300: content after >=300 ms" \
	test "$(ms "$out")" -ge 295 ;;
*) fail "delay 300" "got '$out'" ;;
esac
for bad in "frobnicate 7" "delay" "short -1" "eio now" "garbage 0x10"; do
	fault "$S" "$bad"
	expect "unknown directive '$bad': normal" 'OK 8 RUNNING%0a *' read "$MS"
done
fault "$S" "frobnicate 8"
for _ in 1 2 3; do
	"$PROBE" read "$MS" >/dev/null
done
check "unknown directive logged once, not per read" \
	test "$(grep -c 'unknown directive "frobnicate 8"' "$LOG")" = 1
nofault "$S"

# --- changes on a long-open fd ----------------------------------------------

out=$("$PROBE" reread "$MS" "printf 'STOP_COPY\n' >'$B/new' && mv '$B/new' '$S'")
case $out in
*'OK 8 RUNNING%0a '*'OK 10 STOP_COPY%0a '*) pass "old fd reads the file mv'd over" ;;
*) fail "old fd reads the file mv'd over" "got '$out'" ;;
esac
out=$("$PROBE" reread "$MS" "printf 'STOP\n' >'$S'")
case $out in
*'OK 10 '*'OK 5 STOP%0a '*) pass "old fd reads a rewritten file" ;;
*) fail "old fd reads a rewritten file" "got '$out'" ;;
esac
out=$("$PROBE" reread "$MS" "echo einval >'$S.fault'")
case $out in
*'OK 5 '*'ERR EINVAL '*) pass "old fd sees a new sidecar" ;;
*) fail "old fd sees a new sidecar" "got '$out'" ;;
esac
nofault "$S"
out=$("$PROBE" reread "$MS" "rm '$S'")
case $out in
*'OK 5 '*'ERR ENOENT '*) pass "old fd of a removed file: ENOENT" ;;
*) fail "old fd of a removed file: ENOENT" "got '$out'" ;;
esac
printf 'RUNNING\n' >"$S"

# --- block ------------------------------------------------------------------

fault "$S" block
bg "$T/b1" read "$MS"
sleep 0.5
check "block: read still blocked after 0.5 s" \
	eval 'alive $LAST && test ! -s "$T/b1"'
out=$("$PROBE" read "$M/other/state")
case $out in
'OK 5 IDLE%0a '*) check "block: other reads go on (<300 ms)" \
	test "$(ms "$out")" -lt 300 ;;
*) fail "block: other reads go on" "got '$out'" ;;
esac
expect "block: stat of the blocked file" 'OK size=8 type=reg' stat "$MS"
fault "$S" einval
if gone "$LAST" 20; then
	out=$(cat "$T/b1")
	case $out in
	'ERR EINVAL '*) check "block -> einval: released with EINVAL" \
		test "$(ms "$out")" -ge 450 ;;
	*) fail "block -> einval" "got '$out'" ;;
	esac
else
	fail "block -> einval: read not released"
fi
fault "$S" block
bg "$T/b2" read "$MS"
sleep 0.3
nofault "$S"
if gone "$LAST" 20; then
	expect "block -> sidecar removed: content" 'OK 8 RUNNING%0a *' \
		read "$MS"
	check "block -> sidecar removed: blocked read got content" \
		grep -q '^OK 8 RUNNING%0a ' "$T/b2"
else
	fail "block -> sidecar removed: read not released"
fi

fault "$S" block
bg "$T/b3" read "$MS"
sleep 0.3
kill -USR2 "$LAST"
sleep 0.3
check "block: a harmless signal does not end the read" \
	eval 'alive $LAST && test ! -s "$T/b3"'
{
	kill -KILL "$LAST"
	check "block: SIGKILL ends the reader (<1 s)" gone "$LAST" 10
} 2>/dev/null
bg "$T/b4" read "$MS"
sleep 0.3
{
	kill -TERM "$LAST"
	check "block: a fatal SIGTERM ends the reader (<1 s)" gone "$LAST" 10
} 2>/dev/null

P20=
for i in $(seq 20); do
	bg "$T/many$i" read "$MS"
	P20="$P20 $LAST"
done
sleep 0.5
out=$("$PROBE" read "$M/other/state")
case $out in
'OK 5 IDLE%0a '*) check "20 blocked reads: others still served (<300 ms)" \
	test "$(ms "$out")" -lt 300 ;;
*) fail "20 blocked reads: others still served" "got '$out'" ;;
esac
nofault "$S"
ok=0
for p in $P20; do
	gone "$p" 30 && ok=$((ok + 1))
done
check "20 blocked reads all released" test "$ok" = 20
check "20 blocked reads all got content" \
	test "$(cat "$T"/many* | grep -c '^OK 8 RUNNING%0a ')" = 20

# --- sidecars are hidden ----------------------------------------------------

fault "$S" einval
check "readdir hides sidecars" test "$("$PROBE" ls "$M/dev0/migration")" = state
expect "lookup of a sidecar: ENOENT" 'ERR ENOENT' stat "$MS.fault"
expect "open of a sidecar: ENOENT" 'ERR ENOENT open' read "$MS.fault"
nofault "$S"

# --- tree changes, names ----------------------------------------------------

mkdir -p "$B/dev1/migration"
printf 'STOP\n' >"$B/dev1/migration/state"
expect "new device visible at once" 'OK 5 STOP%0a *' \
	read "$M/dev1/migration/state"
mv "$B/dev1" "$B/dev2"
expect "renamed device: old name gone" 'ERR ENOENT' stat "$M/dev1"
expect "renamed device: new name there" 'OK 5 STOP%0a *' \
	read "$M/dev2/migration/state"
rm -r "$B/dev2"
expect "removed device gone" 'ERR ENOENT' stat "$M/dev2"
expect "read-only: open for write" 'ERR EROFS open' open "$MS" w
expect "read-only: mkdir" 'ERR EROFS' mkdir "$M/newdir"

mkdir "$B/names"
long=$(printf 'n%.0s' $(seq 255))
printf 'LONG\n' >"$B/names/$long"
expect "255-byte name: read" 'OK 5 LONG%0a *' read "$M/names/$long"
mid=$(printf 'm%.0s' $(seq 249))
printf 'MID\n' >"$B/names/$mid"
fault "$B/names/$mid" eio
expect "249-byte name + .fault sidecar" 'ERR EIO *' read "$M/names/$mid"
check "long names listed, sidecar hidden" \
	test "$("$PROBE" ls "$M/names" | sort | tr '\n' ' ')" = "$mid $long "
ctl=$'c\001t\tl \033[31m\nx'
printf 'CTL\n' >"$B/names/$ctl"
expect "control-character name: read" 'OK 4 CTL%0a *' read "$M/names/$ctl"
fault "$B/names/$ctl" eio
expect "control-character name: sidecar" 'ERR EIO *' read "$M/names/$ctl"
check "control-character name listed" \
	grep -qxF 'c%01t%09l%20%1b[31m%0ax' <("$PROBE" ls "$M/names")

# --- big files --------------------------------------------------------------

truncate -s 6G "$B/huge" &&
	printf 'TAIL' | dd of="$B/huge" bs=1 seek=$((5 << 30)) conv=notrunc \
		status=none
expect "6 GiB sparse file: st_size" 'OK size=6442450944 type=reg' \
	stat "$M/huge"
expect "read at 5 GiB" 'OK 4 TAIL h=*' read "$M/huge" 4 $((5 << 30))
expect "read past EOF" 'OK 0  h=*' read "$M/huge" 4096 $((7 << 30))
expect "read at offset 2^62" 'OK 0  h=*' read "$M/huge" 4096 $((1 << 62))
head -c $((3 << 20)) /dev/urandom >"$B/big"
printf 'END' >>"$B/big"
a=$("$PROBE" read "$B/big" $((4 << 20)))
b=$("$PROBE" read "$M/big" $((4 << 20)))
check "4 MiB read equals the backing file" test "${a% t=*}" = "${b% t=*}"
a=$("$PROBE" read "$B/big" 1000000 1234567)
b=$("$PROBE" read "$M/big" 1000000 1234567)
check "1 MB read at an odd offset equals the backing file" \
	test "${a% t=*}" = "${b% t=*}"

# --- SIGUSR1 read counts ----------------------------------------------------

printf 'X\n' >"$B/stats/a b"
for _ in 1 2 3; do
	"$PROBE" read "$M/stats/a b" >/dev/null
done
kill -USR1 "$FFS_PID"
sleep 0.3
check "SIGUSR1: '/stats/a\\040b 3' in the log" grep -qxF '/stats/a\040b 3' "$LOG"
check "SIGUSR1: control characters escaped" \
	grep -qF '/names/c\001t\011l\040\033[31m\012x 2' "$LOG"

# --- shutdown with a blocked read ---------------------------------------------

fault "$S" block
bg "$T/last" read "$MS"
sleep 0.3
kill -TERM "$FFS_PID"
if gone "$FFS_PID" 50; then
	FFS_PID=
	check "SIGTERM: clean exit (status 0)" test "$GONE_RC" = 0
	check "SIGTERM: unmounted" eval '! mounted'
	check "SIGTERM: blocked reader released" gone "$LAST" 20
else
	fail "SIGTERM: faultfs did not exit within 5 s"
fi
check "no sanitizer report" \
	eval '! grep -q "Sanitizer\|runtime error" "$LOG"'

END=$(date +%s%N)
echo "checks: $NPASS passed, $NFAIL failed; mounted phase $(((END - START) / 1000000)) ms"
if [ "$NFAIL" -ne 0 ]; then
	echo "--- faultfs log"
	cat "$LOG"
	exit 1
fi
exit 0
