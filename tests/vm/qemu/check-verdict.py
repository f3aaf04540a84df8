#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""check-verdict.py RESULTS - vfiomigtop's pair verdicts against QEMU's outcome.

For every pair of every QEMU case recorded by guest.py (vm-qemu.sh):

1. QEMU's outcome, from what QEMU itself reported: the status and
   error-desc of query-migrate on both sides (a side killed by the test
   has none), and QEMU's error lines.  A vfio device error on a side
   ("Failed setting device state ...") fails the migration even when
   query-migrate says completed: the destination then runs on a reset
   device, its state lost.
     completed   both sides completed, no device error
     failed      otherwise, once a device of the pair took part (QEMU
                 asked for PRE_COPY, STOP_COPY or RESUMING)
     invisible   QEMU failed before asking any device for a migration
                 state (a failure in setup)
2. What vfiomigtop must say: the LAST decided pair line
   (`TIME pair SRC DST WORD ...`, WORD one of completed, failed,
   uncertain) for the pair:
     with the arc log (mode arcs):  completed -> completed, failed -> failed
     by polling (mode poll, arcs=0): the same, or uncertain; never the
                                     other outcome
     invisible: no decided line (nothing to see today; recorded so that
                a later feature can show QEMU's failure).
   A pair with no decided line where an outcome is expected fails, with
   its last pair line.

The outcome of a case must also be the one the case was built for
(meta.json "intent"), or the harness did not drive it as meant.
Prints "ok - ..." / "not ok - ..." per pair; exit status 1 if any fails.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import records as R  # noqa: E402

DEVICE_ERROR = ('Failed setting device state', 'Failed setting device in recover state',
                'Failed resetting device', 'data_fd out of sync')


def side_text(meta, role):
    q = meta['qemu'].get(role) or {}
    st = q.get('status')
    if st == 'killed':
        return 'killed (SIGKILL)'
    txt = str(st)
    if q.get('error-desc'):
        txt += ': ' + q['error-desc']
    return txt


def qemu_outcome(d, meta, dev):
    """(outcome, why) for one pair, from QEMU's own reports."""
    errs = {r: [e for e in R.error_lines(meta, r) if any(x in e for x in DEVICE_ERROR)]
            for r in ('src', 'dst')}
    st = {r: (meta['qemu'].get(r) or {}).get('status') for r in ('src', 'dst')}
    why = 'src %s; dst %s' % (side_text(meta, 'src'), side_text(meta, 'dst'))
    for r in ('src', 'dst'):
        if errs[r]:
            why += '; %s said: %s' % (r, errs[r][0].split(': ', 1)[-1])
    if st['src'] == 'completed' and st['dst'] == 'completed' and not errs['src'] and not errs['dst']:
        return 'completed', why
    took_part = False
    for r in ('src', 'dst'):
        for q in R.qemu_requests(d, r, dev[r], 1 << 62):
            if q['target'] in R.MIGRATING:
                took_part = True
    return ('failed' if took_part else 'invisible'), why


def expected(outcome, mode):
    if outcome == 'invisible':
        return ()
    if mode == 'poll':
        return (outcome, 'uncertain')
    return (outcome,)


def main():
    if len(sys.argv) != 2:
        print('usage: check-verdict.py RESULTS', file=sys.stderr)
        return 2
    nok = nfail = 0
    wrong = []
    cases = [x for x in R.case_dirs(sys.argv[1]) if x[0] != 'bench']
    if not cases:
        print('not ok - no case was recorded in %s' % sys.argv[1])
        return 1
    for mode, case, d in cases:
        meta = R.meta_of(d)
        tag = '%s/%s' % (mode, case)
        if meta.get('error'):
            print('not ok - %s: the harness could not run the case: %s' % (tag, meta['error']))
            nfail += 1
            continue
        _, pairs, _ = R.monitor_lines(d)
        for dev in meta['devices']:
            name = '%s pair %s %s' % (tag, dev['src'], dev['dst'])
            outcome, why = qemu_outcome(d, meta, dev)
            intent = 'invisible' if meta['intent'] == 'no-state-change' else meta['intent']
            if outcome != intent:
                print('not ok - %s: the case was meant to end %s, QEMU reported %s (%s)'
                      % (name, intent, outcome, why))
                nfail += 1
                continue
            mine = [p for p in pairs if (p['src'], p['dst']) == (dev['src'], dev['dst'])]
            decided = [p for p in mine if p['word'] in R.DECIDED]
            want = expected(outcome, mode)
            last = decided[-1] if decided else None
            if not want:
                if last:
                    print('not ok - %s: QEMU failed before any device state changed (%s), '
                          'yet vfiomigtop decided: %s' % (name, why, last['line']))
                    nfail += 1
                else:
                    print('ok - %s: QEMU failed before any device state changed (%s); '
                          'vfiomigtop shows no attempt (invisible today, recorded)' % (name, why))
                    nok += 1
                continue
            if last and last['word'] in want:
                print('ok - %s: QEMU %s (%s); vfiomigtop: %s %s'
                      % (name, outcome, why, last['word'], last['rest']))
                nok += 1
                continue
            if last:
                got = 'vfiomigtop decided "%s %s"' % (last['word'], last['rest'])
            else:
                got = 'vfiomigtop decided nothing (last pair line: %s)' % (
                    mine[-1]['line'].split(' ', 4)[-1] if mine else 'none')
            print('not ok - %s: QEMU %s (%s); expected %s; %s'
                  % (name, outcome, why, ' or '.join(want), got))
            for p in mine:
                print('#   ' + p['line'])
            nfail += 1
            wrong.append('%s: QEMU %s, %s' % (name, outcome, got))
    print('check-verdict: %d ok, %d not ok' % (nok, nfail))
    for w in wrong:
        print('# verdict: ' + w)
    return 1 if nfail else 0


if __name__ == '__main__':
    sys.exit(main())
