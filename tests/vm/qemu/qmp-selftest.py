#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""qmp-selftest.py RESULTS - prove that check-qmp.py catches errors.

RESULTS is a copy of tests/fixtures/qemu-qmp.  The recording must pass
check-qmp.py as it is; then each mutation below, applied to a fresh copy,
must make it print a "not ok" line containing the given text, and nothing
else may fail.  Prints TAP-like lines; exit status 1 if any expectation
is not met.
"""

import os
import re
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CHECK = os.path.join(HERE, 'check-qmp.py')
sys.path.insert(0, HERE)
import mutate as M  # noqa: E402


def run(d):
    return M.run(CHECK, d)


def edit(path, fn):
    M.edit(path, fn, 'qmp-selftest')


def js(d, case):
    return os.path.join(d, 'arcs', case, 'json.txt')


def last_line(fn):
    """Apply fn to the last snapshot only."""
    def f(text):
        lines = text.splitlines(True)
        lines[-1] = fn(lines[-1])
        return ''.join(lines)
    return f


MUTATIONS = [
    ('no disagreement raised in the reject case', ('disagreement on', 'pair is a problem'),
     lambda d: edit(js(d, 'reject'), lambda t: re.sub(
         r'"disagreement":"QEMU reports it running[^"]*"', '"disagreement":null', t))),
    ('QEMU\'s error text missing from the verdict', 'error text in the verdict',
     lambda d: edit(js(d, 'cancel'), lambda t: t.replace(
         '; QEMU destination: load of migration failed: Invalid argument', ''))),
    ('the setup failure not an attempt of its own', 'failure in setup',
     lambda d: edit(js(d, 'setup-fail'), lambda t: t.replace('"vmm-failed"', '"error"'))),
    ('a stranded destination not flagged', 'left in RESUMING',
     lambda d: edit(js(d, 'cancel'), last_line(lambda t: re.sub(
         r'("name":"[0-9a-f-]*02",.*?"stranded_no_owner":)\{[^}]*\}', r'\1null', t)))),
    ('the wrong owner', 'owned by QEMU pid',
     lambda d: edit(js(d, 'reject'), lambda t: re.sub(r'"owner":\{"pid":\d+', '"owner":{"pid":1', t))),
    ('QEMU\'s request not shown', 'QEMU asked PRE_COPY',
     lambda d: edit(js(d, 'cancel'), lambda t: t.replace('"last_request":"PRE_COPY"', '"last_request":null'))),
    ('never connected', 'connected to the src QEMU',
     lambda d: edit(js(d, 'setup-fail'), lambda t: re.sub(
         r'("qmp":"[^"]*vmt-src\.qmp","connected":)true', r'\1false', t))),
]


def main():
    base = sys.argv[1]
    n = bad = 0

    def report(ok, what):
        nonlocal n, bad
        n += 1
        bad += not ok
        print('%s - %s' % ('ok' if ok else 'not ok', what))

    rc, fails = run(base)
    report(rc == 0 and not fails, 'the recording passes check-qmp.py%s'
           % ('' if not fails else ': ' + '; '.join(fails)))
    for what, expect, mutate in MUTATIONS:
        tmp = tempfile.mkdtemp(prefix='qmp-selftest.')
        try:
            d = os.path.join(tmp, 'r')
            shutil.copytree(base, d)
            mutate(d)
            rc, fails = run(d)
            exp = expect if isinstance(expect, tuple) else (expect,)
            hit = [f for f in fails if any(e in f for e in exp)]
            report(rc == 1 and hit and len(hit) == len(fails),
                   '%s: reported as "%s"%s' % (what, '" and "'.join(exp),
                                              '' if hit and len(hit) == len(fails) else
                                              ' (got: %s)' % ('; '.join(fails) or 'nothing')))
        finally:
            shutil.rmtree(tmp)
    print('qmp-selftest: %d checks, %d failed' % (n, bad))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
