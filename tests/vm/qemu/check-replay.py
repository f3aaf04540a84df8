#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""check-replay.py RESULTS VFIOMIGTOP - a replay prints what the live run printed.

In every QEMU case recorded by guest.py (vm-qemu.sh), the monitor that
watched the real migration (`vfiomigtop -b --events ...`) also recorded
its journal (`-w journal`).  On the host, `vfiomigtop -r journal -b
--events` must print exactly the bytes of the live run's events.txt: every
transition with the kernel's times, every phase and verdict (issue 12).
The journal carries the recording's --pair and --stuck, so the replay is
given nothing else.

Prints "ok - ..." / "not ok - ..." per case; exit status 1 if any fails.
"""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import records as R  # noqa: E402


def first_difference(a, b):
    la, lb = a.splitlines(), b.splitlines()
    for i in range(max(len(la), len(lb))):
        x = la[i] if i < len(la) else b'(end)'
        y = lb[i] if i < len(lb) else b'(end)'
        if x != y:
            return i + 1, x.decode(errors='replace'), y.decode(errors='replace')
    return None


def main():
    if len(sys.argv) != 3:
        print('usage: check-replay.py RESULTS VFIOMIGTOP', file=sys.stderr)
        return 2
    res, binary = sys.argv[1], sys.argv[2]
    cases = [x for x in R.case_dirs(res) if x[0] != 'bench']
    if not cases:
        print('not ok - no case was recorded in %s' % res)
        return 1
    bad = 0
    for mode, tag, path in cases:
        name = '%s/%s' % (mode, tag)
        live_p = os.path.join(path, 'events.txt')
        journal = os.path.join(path, 'journal')
        if not os.path.exists(live_p):
            continue            # a case without a monitor
        if not os.path.exists(journal):
            print('not ok - %s: the monitor recorded no journal' % name)
            bad += 1
            continue
        with open(live_p, 'rb') as f:
            live = f.read()
        r = subprocess.run([binary, '-r', journal, '-b', '--events'],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        with open(os.path.join(path, 'replay.txt'), 'wb') as f:
            f.write(r.stdout)
        if r.stdout == live:
            print('ok - %s: the replay of the journal (%d bytes) printed the live events '
                  'byte for byte (%d lines, exit status %d)'
                  % (name, os.path.getsize(journal), live.count(b'\n'), r.returncode))
            continue
        bad += 1
        d = first_difference(live, r.stdout)
        print('not ok - %s: the replay differs from the live events%s' % (
            name, ' at line %d:\n    live:   %s\n    replay: %s' % d if d else ''))
        if r.stderr:
            print('    stderr: ' + r.stderr.decode(errors='replace').strip().replace('\n', '\n    '))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
