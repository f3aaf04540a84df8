#!/bin/sh
# make check entry: the VM test on a debug build of Debian's linux-source-6.12
# (KASAN, lockdep, kmemleak, KFENCE, ...; see run-vm-test.sh and
# debug-kernel.sh).  The first run on a machine builds the kernel.
exec "$(dirname "$0")/run-vm-test.sh" debug
