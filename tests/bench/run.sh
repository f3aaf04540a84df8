#!/bin/bash
# Benchmark: vfiomigtop against the obvious alternatives and the floor,
# on generated trees of 1, 64, 1024 and 4096 devices on tmpfs, every
# contender at the same refresh interval (10 ms).  Prints a table:
#   read syscalls per device per refresh (after the first, from strace -c),
#   CPU per refresh (user+sys, GNU time), peak RSS.
# Usage: tests/bench/run.sh [BUILDDIR]   (default _build)
# Environment: SIZES="1 64 1024 4096", REFRESHES=200, INTERVAL_MS=10
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/_build}
bin=$build/src/vfiomigtop
sizes=${SIZES:-1 64 1024 4096}
R=${REFRESHES:-200}
iv=${INTERVAL_MS:-10}
for t in strace /usr/bin/time; do
	command -v "$t" >/dev/null || { echo "bench: $t is missing (apt-get install strace time)" >&2; exit 1; }
done
[ -x "$bin" ] || { echo "bench: build first ($bin missing)" >&2; exit 1; }

work=$(mktemp -d /dev/shm/vfiomigtop-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
cc -O2 -o "$work/floor" "$top/tests/bench/floor.c"

gen() {	# gen DIR N: N devices in RUNNING, PCI-style names
	mkdir -p "$1"
	for ((i = 0; i < $2; i++)); do
		d=$(printf '%s/0000:%02x:%02x.%d' "$1" $((i / 256)) $((i % 256 / 8)) $((i % 8)))
		mkdir -p "$d/migration"
		echo RUNNING >"$d/migration/state"
	done
}

# One contender: a command doing R refreshes at the interval.
c_vfiomigtop() { "$bin" -b -n "$2" -d "$(awk -v m="$iv" 'BEGIN { printf "%.3f", m / 1000 }')" --src "$1" >/dev/null; }
c_floor() { "$work/floor" "$1" "$2" "$iv" >/dev/null; }
c_cat() {
	bash -c 'exec 3<> <(:); for ((r = 0; r < $2; r++)); do
		for f in "$1"/*/migration/state; do cat "$f"; done
		read -t "$3" -u 3 || :; done' _ "$1" "$2" "$(awk -v m="$iv" 'BEGIN { printf "%.3f", m / 1000 }')" >/dev/null
}
c_grep() {
	bash -c 'exec 3<> <(:); for ((r = 0; r < $2; r++)); do
		grep -r . "$1"; read -t "$3" -u 3 || :; done' _ "$1" "$2" "$(awk -v m="$iv" 'BEGIN { printf "%.3f", m / 1000 }')" >/dev/null
}

# reads NAME TREE N: read-type syscalls per device per refresh, from the
# difference between a run of 2 and a run of 12 refreshes.  strace slows
# every system call down, so these runs use a 200 ms interval (the count
# per refresh does not depend on it; a deadline would, under strace).
reads() {
	local a b
	a=$(strace -f -qq -c -e trace=read,pread64,readv,preadv,preadv2 -o "$work/s1" bash -c "$(declare -f "c_$1"); bin=$bin work=$work iv=200 c_$1 '$2' 2" >/dev/null 2>&1; awk '/total/ { print $4 }' "$work/s1")
	b=$(strace -f -qq -c -e trace=read,pread64,readv,preadv,preadv2 -o "$work/s2" bash -c "$(declare -f "c_$1"); bin=$bin work=$work iv=200 c_$1 '$2' 12" >/dev/null 2>&1; awk '/total/ { print $4 }' "$work/s2")
	awk -v a="${a:-0}" -v b="${b:-0}" -v n="$3" 'BEGIN { printf "%.3f", (b - a) / (10 * n) }'
}

# cpu NAME TREE N REFRESHES: ms of CPU per refresh, and peak RSS in KiB.
cpu() {
	/usr/bin/time -f '%U %S %M' -o "$work/t" bash -c "$(declare -f "c_$1"); bin=$bin work=$work iv=$iv c_$1 '$2' $4" >/dev/null 2>&1
	awk -v r="$4" '{ printf "%.3f %d\n", ($1 + $2) * 1000 / r, $3 }' "$work/t"
}

printf '%-8s %-12s %10s %14s %12s\n' devices contender "reads/dev" "cpu ms/refresh" "peak RSS KiB"
for n in $sizes; do
	tree=$work/tree-$n
	gen "$tree" "$n"
	for c in floor vfiomigtop grep cat; do
		r=$R
		# the shell loop forks one cat per device: fewer refreshes
		[ "$c" = cat ] && r=$(( R * 64 / (n < 64 ? 64 : n) )) && [ "$r" -lt 3 ] && r=3
		rd=$(reads "$c" "$tree" "$n")
		read -r ms rss < <(cpu "$c" "$tree" "$n" "$r")
		printf '%-8s %-12s %10s %14s %12s\n' "$n" "$c" "$rd" "$ms" "$rss"
	done
done
