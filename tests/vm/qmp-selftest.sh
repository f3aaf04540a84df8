#!/bin/sh
# check-qmp.py (QEMU's view beside the kernel's, issue 11) on a recording
# (tests/fixtures/qemu-qmp), as it is and with errors put in: each error
# must be reported, and only it.  No VM; needs python3.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
command -v python3 >/dev/null || { echo "qmp-selftest: SKIP: no python3"; exit 77; }
python3 -B "$HERE/qemu/qmp-selftest.py" "$TOP/tests/fixtures/qemu-qmp" &&
	{ echo "qmp-selftest: PASS"; exit 0; }
echo "qmp-selftest: FAIL"
exit 1
