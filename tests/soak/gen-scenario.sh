#!/bin/sh
# gen-scenario.sh - write a long vfiomig-scenario(5) file for the soak test
# (tests/soak/soak.sh): a host pair running for HOURS of scenario time.
#
#   gen-scenario.sh HOURS VFS MDEVS [MIG_GAP [MDEV_LIFE [SEED]]]
#
# - VFS SR-IOV VFs on each side, paired by name, of the four feature sets
#   that select the migrate variants (pre-copy and P2P, no P2P, no
#   pre-copy, neither), a fifth of them with dirty tracking, plus VFS/20
#   vfio devices without migration support;
# - each VF migrates again and again (on average every MIG_GAP seconds,
#   default 1800): half of the migrations complete, the other half fail,
#   evenly, in each of the five ways (src-cancel, src-abort, dst-error,
#   dst-reject, dst-stuck); 3 s after each, both VFs are reset (QEMU gone,
#   the device manager resets the VF), and now and then a driver puts an
#   idle VF in ERROR and a reset takes it out;
# - MDEVS mdev slots: in each, an mdev with a new UUID is created on both
#   sides, lives on average MDEV_LIFE seconds (default 900), migrates once
#   in the middle of its life, and is removed; a new one follows.
#
# The output is sorted by time and deterministic for a SEED (default 1),
# with any awk (its own generator, not awk's rand()).
set -eu
if [ $# -lt 3 ]; then
	echo "usage: $0 HOURS VFS MDEVS [MIG_GAP [MDEV_LIFE [SEED]]]" >&2
	exit 1
fi
awk -v hours="$1" -v nvf="$2" -v nmdev="$3" -v gap="${4:-1800}" \
    -v life="${5:-900}" -v seed="${6:-1}" '
# Park and Miller minimal standard generator: exact in double arithmetic.
function rnd() { st = (st * 16807) % 2147483647; return st / 2147483647 }
function expo(mean) { return -mean * log(1 - rnd()) }
function emit(t, side, dev, act) { printf "%.3f %s %s %s\n", t, side, dev, act }
function how() {
	r = rnd()
	if (r < 0.5)
		return ""
	return " fail=" fails[int((r - 0.5) * 10) % 5 + 1]
}
BEGIN {
	st = (seed * 7919) % 2147483646 + 1
	split("src-cancel src-abort dst-error dst-reject dst-stuck", fails, " ")
	feat[0] = "stop-copy,p2p,pre-copy"; opt[0] = ""
	feat[1] = "stop-copy,pre-copy";     opt[1] = " nop2p"
	feat[2] = "stop-copy,p2p";          opt[2] = " noprecopy"
	feat[3] = "stop-copy";              opt[3] = " noprecopy nop2p"
	end = hours * 3600
	for (i = 0; i < nvf; i++) {
		vf = sprintf("0000:%02x:%02x.%d", 32 + int(i / 64), int(i / 8) % 8, i % 8)
		k = i % 4
		f = feat[k] (i % 5 == 0 ? ",dirty-tracking" : "")
		emit(0, "src", vf, "add " f)
		emit(0, "dst", vf, "add " f)
		for (t = 10 + rnd() * gap; t < end - 120; t += 6 + expo(gap)) {
			emit(t, "src", vf, "migrate " vf opt[k] how())
			emit(t + 3, "src", vf, "reset")
			emit(t + 3, "dst", vf, "reset")
			if (rnd() < 0.05) {
				emit(t + 4, "dst", vf, "error")
				emit(t + 5, "dst", vf, "reset")
			}
		}
	}
	for (i = 0; i < nvf / 20; i++) {
		d = sprintf("0000:%02x:00.0", 128 + i)
		emit(0, "src", d, "add-nomig")
		emit(0, "dst", d, "add-nomig")
	}
	n = 0
	for (j = 0; j < nmdev; j++) {
		for (t = 1 + rnd() * life; ; t += l + 1 + rnd() * 10) {
			l = 20 + expo(life)
			if (t + l >= end - 30)
				break
			u = sprintf("%08x-%04x-4%03x-8%03x-%012x", seed, j, 0, 0, ++n)
			emit(t, "src", u, "add stop-copy,p2p")
			emit(t, "dst", u, "add stop-copy,p2p")
			emit(t + l / 2 - 5, "src", u, "migrate " u " noprecopy" how())
			emit(t + l / 2, "src", u, "reset")
			emit(t + l / 2, "dst", u, "reset")
			emit(t + l, "src", u, "remove")
			emit(t + l, "dst", u, "remove")
		}
	}
	emit(end, "-", "-", "loop")
}' | sort -s -n -k1,1
