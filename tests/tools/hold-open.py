#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""hold-open.py [-name guest=VM] PATH...

A stand-in for a VMM in the owner tests: holds PATH... open (e.g. a fake
/dev/vfio/GROUP), says "holding" on stdout, and exits when its standard
input ends.  Its command line carries QEMU's -name, as QEMU's does.
"""
import sys

files = [open(p, 'rb') for p in sys.argv[1:] if not p.startswith('-') and '=' not in p]
print('holding', flush=True)
sys.stdin.read()
for f in files:
    f.close()
