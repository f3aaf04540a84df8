# SPDX-License-Identifier: GPL-2.0-or-later
"""mutate.py - what the checkers' self-tests share: run a checker on a
recording, and change one file of a recording copy.
"""

import subprocess
import sys


def run(checker, d):
    """Run CHECKER on recording D: (exit status, its "not ok" lines)."""
    r = subprocess.run([sys.executable, '-B', checker, d], capture_output=True, text=True)
    return r.returncode, [line for line in r.stdout.splitlines() if line.startswith('not ok')]


def edit(path, fn, who):
    """Replace the text of PATH by FN(text); a mutation that changes
    nothing is a broken self-test (WHO names it in the message)."""
    with open(path) as f:
        text = f.read()
    new = fn(text)
    if new == text:
        raise SystemExit('%s: mutation changed nothing in %s' % (who, path))
    with open(path, 'w') as f:
        f.write(new)
