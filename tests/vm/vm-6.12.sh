#!/bin/sh
# make check entry: the VM test on Debian's 6.12 kernel (see run-vm-test.sh).
exec "$(dirname "$0")/run-vm-test.sh" 6.12
