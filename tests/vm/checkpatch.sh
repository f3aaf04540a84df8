#!/bin/bash
# Run the kernel's checkpatch.pl (from Debian's linux-source-6.12, extracted
# into the cache, never into the tree) on kmod/*.c kmod/*.h:
#   checkpatch.pl --no-tree --strict --file
# Any error, warning or check fails.  Exit 77 (SKIP) only when the source
# package can neither be downloaded nor found in the cache.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
# shellcheck source=tests/vm/lib.sh
. "$HERE/lib.sh"

command -v perl >/dev/null || { echo "checkpatch: FAIL: perl is missing"; exit 1; }
mkdir -p "$VM_CACHE" 2>/dev/null && [ -w "$VM_CACHE" ] ||
	{ echo "checkpatch: FAIL: cache $VM_CACHE is not writable"; exit 1; }

vm_prepare 6.12 no
case $? in
0) ;;
"$VM_SKIP") echo "checkpatch: SKIP: no network to the Debian mirror and no cached linux-source-6.12"; exit $VM_SKIP ;;
*) echo "checkpatch: FAIL: cannot extract checkpatch.pl"; exit 1 ;;
esac

cd "$TOP/kmod" || exit 1
# checkpatch.pl finds spelling.txt and const_structs.checkpatch beside it.
out=$(perl "$SRCDIR/scripts/checkpatch.pl" --no-tree --strict --terse \
	--file ./*.c ./*.h 2>&1)
rc=$?
printf '%s\n' "$out"
if [ $rc -ne 0 ] || printf '%s\n' "$out" | grep -qE ': (ERROR|WARNING|CHECK):'; then
	echo "checkpatch: FAIL (linux-source-6.12 $PKGVER)"
	exit 1
fi
echo "checkpatch: PASS (linux-source-6.12 $PKGVER, --strict, $(ls ./*.c ./*.h | wc -l) files)"
exit 0
