#!/bin/sh
# Set up and run the whole test suite:
#  0. the VM tests' debug kernel, when it is not cached yet;
#  1. a normal build: every test, the kernel module in qemu included;
#  2. an ASan+UBSan build: every test but the qemu ones;
#  3. the suite again (without qemu) on a machine made busy on purpose:
#     make -j8 check while stress-ng keeps two CPU hogs running (the
#     soak notes its CPU per refresh there, asserted in step 1 only: what
#     a refresh is charged under eight tests and two hogs measures them);
#  4. the clang static analyzer over the programs;
#  5. make distcheck (build, install, uninstall; the tests ran above).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
"$top/scripts/deps.sh" --test
jobs=$(nproc)

# The VM tests' debug kernel takes minutes to build, once per machine
# (cached): build it before the tests, not beside timing-sensitive ones.
# If it cannot be built here, tests/vm/vm-debug.sh says why.
echo "== debug kernel of the VM tests (cached after the first build)"
"$top/tests/vm/debug-kernel.sh" || echo "debug kernel not built; vm-debug.sh will report it"

echo "== build and test (_build)"
"$top/scripts/build.sh" _build
make -C _build -j"$jobs" check || { cat _build/test-suite.log; exit 1; }

echo "== ASan + UBSan build and test (_build-san)"
"$top/scripts/build.sh" _build-san --enable-sanitizers
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
LSAN_OPTIONS=suppressions=$top/tests/lsan.supp:print_suppressions=0 \
	SOAK_CPU=0 make -C _build-san -j"$jobs" check VM_TESTS= || { cat _build-san/test-suite.log; exit 1; }

echo "== under load: make -j8 check (without qemu) beside stress-ng --cpu 2"
stress-ng --cpu 2 --timeout 1800 >/dev/null 2>&1 &
hogs=$!
trap 'kill $hogs 2>/dev/null' EXIT
SOAK_CPU=0 make -C _build -j8 check VM_TESTS= || { cat _build/test-suite.log; exit 1; }
kill $hogs 2>/dev/null
wait $hogs 2>/dev/null || true
trap - EXIT

echo "== clang static analyzer (_build-scan)"
mkdir -p _build-scan
(cd _build-scan && { [ -f Makefile ] || "$top/configure" CC=clang >configure.out; } &&
	make clean >/dev/null &&
	scan-build --status-bugs -o report make -j"$jobs" src/vfiomigtop src/vfiomig-sim >scan.out 2>&1) ||
	{ grep -E 'warning:|bugs found' _build-scan/scan.out; exit 1; }

echo "== make distcheck"
# The tarball builds, installs and uninstalls; its tests are not run
# again: the ident fixtures' symlinks do not survive the tarball yet.
make -C _build -j"$jobs" distcheck VM_TESTS= TESTS= >_build/distcheck.out 2>&1 ||
	{ tail -50 _build/distcheck.out; exit 1; }
echo "== all tests passed"
