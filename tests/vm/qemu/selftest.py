#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""selftest.py RESULTS - prove that the QEMU test's checkers catch errors.

RESULTS is a copy of tests/fixtures/qemu (three cases recorded by
guest.py: arcs/complete, arcs/reject, poll/complete; QMP logs cut to the
lines the checkers read) with fsm-paths.txt added.  The recording must
pass both checkers as it is; then each mutation below, applied to a fresh
copy, must make the named checker print a "not ok" line containing the
given text, and nothing else may fail.  Prints TAP-like lines; exit
status 1 if any expectation is not met.
"""

import json
import os
import re
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
STEPS = os.path.join(HERE, 'check-steps.py')
VERDICT = os.path.join(HERE, 'check-verdict.py')
sys.path.insert(0, HERE)
import mutate as M  # noqa: E402


run = M.run


def edit(path, fn):
    M.edit(path, fn, 'selftest')


def one_file(d, pattern):
    names = [n for n in sorted(os.listdir(d)) if re.match(pattern, n)]
    return os.path.join(d, names[0])


def shift_arc(d):
    """Move the source's third arc 5 ms later: outside its request's window."""
    p = one_file(os.path.join(d, 'arcs/complete'), r'arcs-.*01\.txt$')

    def fn(text):
        out = []
        for line in text.splitlines():
            w = line.split()
            if w and w[0] == '3':
                w[1] = str(int(w[1]) + 5000000)
            out.append(' '.join(w))
        return '\n'.join(out) + '\n'
    edit(p, fn)


def drop_monitor_step(d):
    """vfiomigtop misses the destination's RUNNING_P2P -> STOP."""
    edit(os.path.join(d, 'arcs/complete/events.txt'),
         lambda t: re.sub(r'(?m)^\S+ dst \S+ RUNNING_P2P STOP arc\n', '', t, count=1))


def unfail_step(d):
    """vfiomigtop shows the rejected load as a plain arc."""
    edit(os.path.join(d, 'arcs/reject/events.txt'),
         lambda t: t.replace('RESUMING STOP failed', 'RESUMING STOP arc'))


def drop_arc(d):
    """The module's log lacks the destination's STOP -> RESUMING."""
    p = one_file(os.path.join(d, 'arcs/reject'), r'arcs-.*02\.txt$')
    edit(p, lambda t: re.sub(r'(?m)^\d+ \d+ STOP RESUMING RESUMING 0\n', '', t, count=1))


def wrong_poll_state(d):
    """A polled state the source never was in."""
    edit(os.path.join(d, 'poll/complete/events.txt'),
         lambda t: re.sub(r'(?m)^(\S+ src \S+ RUNNING) PRE_COPY$', r'\1 RESUMING', t, count=1))


def wrong_verdict(d):
    """A completed migration judged failed."""
    edit(os.path.join(d, 'arcs/complete/events.txt'),
         lambda t: re.sub(r'(?m)^(\S+ pair \S+ \S+) completed .*$', r'\1 failed dst step-failed "x"', t))


def uncertain_poll(d):
    """Polling may say uncertain: not a failure."""
    edit(os.path.join(d, 'poll/complete/events.txt'),
         lambda t: re.sub(r'(?m)^(\S+ pair \S+ \S+) completed .*$', r'\1 uncertain "polled"', t))


def drop_qmp_event(d):
    """QMP lost the source's pre-copy event."""
    edit(os.path.join(d, 'arcs/complete/qmp-src.jsonl'),
         lambda t: re.sub(r'(?m)^.*"device-state": "pre-copy".*\n', '', t, count=1))


def qemu_error_desc(d):
    """The destination's query-migrate says failed (and the case meant it)."""
    p = os.path.join(d, 'arcs/complete/meta.json')
    with open(p) as f:
        m = json.load(f)
    m['qemu']['dst']['status'] = 'failed'
    m['qemu']['dst']['error-desc'] = 'load of migration failed: Invalid argument'
    m['intent'] = 'failed'
    with open(p, 'w') as f:
        json.dump(m, f)


CASES = [
    # mutation, checker, the "not ok" lines it must print (each pattern
    # matches one line, in order; none: it must pass)
    (shift_arc, STEPS, ["arcs/complete src .*arc times inside QEMU's request windows",
                        "arcs/complete src .*vfiomigtop's steps = the module's arcs"]),
    (drop_monitor_step, STEPS, ["arcs/complete dst .*vfiomigtop's steps = the module's arcs"]),
    (unfail_step, STEPS, ["arcs/reject dst .*vfiomigtop's steps = the module's arcs"]),
    (drop_arc, STEPS, ["arcs/reject dst .*the module's arcs are QEMU's requests expanded",
                       "arcs/reject dst .*vfiomigtop's steps = the module's arcs"]),
    (wrong_poll_state, STEPS, ['poll/complete src .*every state vfiomigtop observed was real']),
    (drop_qmp_event, STEPS, ['arcs/complete src .*QMP VFIO_MIGRATION events']),
    (wrong_verdict, VERDICT, ['arcs/complete pair .*expected completed; vfiomigtop decided "failed']),
    (qemu_error_desc, VERDICT, ['arcs/complete pair .*QEMU failed .*expected failed; '
                                'vfiomigtop decided "completed']),
    (uncertain_poll, VERDICT, []),
]


def main():
    base = sys.argv[1]
    fails = 0
    for checker in (STEPS, VERDICT):
        rc, bad = run(checker, base)
        if rc or bad:
            print('not ok - the recording passes %s' % os.path.basename(checker))
            for b in bad:
                print('#   ' + b)
            fails += 1
        else:
            print('ok - the recording passes %s' % os.path.basename(checker))
    for mutate, checker, want in CASES:
        tmp = tempfile.mkdtemp(prefix='qemu-selftest.')
        try:
            d = os.path.join(tmp, 'r')
            shutil.copytree(base, d)
            mutate(d)
            rc, bad = run(checker, d)
            other = STEPS if checker == VERDICT else VERDICT
            orc, obad = run(other, d)
            name = '%s: %s' % (mutate.__name__, mutate.__doc__.strip().split('\n')[0])
            good = (rc == (1 if want else 0) and len(bad) == len(want) and
                    all(re.search(w, b) for w, b in zip(want, bad)) and
                    orc == 0 and not obad)
            if good:
                print('ok - %s -> %s' % (name, ' | '.join(bad) if bad else 'passes'))
            else:
                print('not ok - %s (expected: %s)' % (name, ' | '.join(want) or 'a pass'))
                for b in bad + obad:
                    print('#   ' + b)
                fails += 1
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return 1 if fails else 0


if __name__ == '__main__':
    sys.exit(main())
