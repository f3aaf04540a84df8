#!/bin/sh
# The QEMU test's checkers (tests/vm/qemu/check-steps.py, check-verdict.py)
# on a recording (tests/fixtures/qemu), as it is and with errors put in:
# each error must be reported, and only it.  No VM; needs python3 and cc.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
command -v python3 >/dev/null || { echo "qemu-selftest: SKIP: no python3"; exit 77; }
W=$(mktemp -d "${TMPDIR:-/tmp}/qemu-selftest.XXXXXX")
trap 'rm -rf "$W"' EXIT
${CC:-cc} -O2 -I"$TOP/src" -o "$W/fsm-paths" "$HERE/qemu/fsm-paths.c" "$TOP/src/fsm.c" ||
	{ echo "qemu-selftest: FAIL: fsm-paths does not build"; exit 1; }
cp -R "$TOP/tests/fixtures/qemu" "$W/r"
chmod -R u+w "$W/r"
"$W/fsm-paths" > "$W/r/fsm-paths.txt" || { echo "qemu-selftest: FAIL: fsm-paths"; exit 1; }
python3 -B "$HERE/qemu/selftest.py" "$W/r" && { echo "qemu-selftest: PASS"; exit 0; }
echo "qemu-selftest: FAIL"
exit 1
