#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""check-steps.py RESULTS - the steps of every device in every QEMU case.

For each device of each case recorded by guest.py (tests/vm/vm-qemu.sh):

mode "arcs" (the module's arc log on):
  - QEMU's requests (trace: vfio_migration_set_state, then
    vfio_migration_set_device_state) expanded with the kernel's path rule
    (fsm-paths, built from src/fsm.c) equal the module's arcs, one by one,
    the target of each arc included.  A request QEMU saw fail took a
    prefix of its path, the last step being the one the driver failed;
    QEMU then set its recover state or reset the device.
  - every arc lies inside QEMU's window for the request that caused it
    (from the request's trace line to the one that reports the result);
  - vfiomigtop's steps equal the arcs, with the kernel's times, `failed'
    exactly on the steps the driver failed, and a `nopath' change exactly
    where QEMU reset the device; nothing inferred;
  - QMP's VFIO_MIGRATION events name the same states as the trace.
mode "poll" (arcs=0, vfiomigtop reads the state files at its default
refresh):
  - every state vfiomigtop observed (not inferred) is one the device
    really went through, in order; nothing is marked `arc';
  - QMP's events agree with the trace, as above.
A case QEMU failed before any device state changed (setup-fail): no
device changed state between `migrate' and the end of the migration, by
QEMU's trace, the module's arcs and vfiomigtop.

Prints "ok - ..." / "not ok - ..." per check; exit status 1 if any fails.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import records as R  # noqa: E402

ARC_TOL = 200000		# ns: the clock offset is known to a few µs
MON_TOL = 2 * R.MS		# vfiomigtop prints milliseconds (truncated)


class Checker:
    def __init__(self, results):
        self.paths = R.load_paths(results)
        self.nok = 0
        self.nfail = 0

    def ok(self, msg):
        self.nok += 1
        print('ok - ' + msg)

    def ko(self, msg, details=()):
        self.nfail += 1
        print('not ok - ' + msg)
        for d in details:
            print('#   ' + d)

    def path(self, a, b):
        return self.paths.get((a, b)) or []

    # ---- QEMU's requests against the module's arcs ----
    def expand(self, reqs, arcs):
        """Match the arcs to QEMU's requests.  Returns (expected vfiomigtop
        steps [(from, to, flag, arc or None, req)], problems)."""
        steps, probs = [], []
        i = 0
        state = 'RUNNING'
        for r in reqs:
            if r['from'] != state and r['kind'] != 'noop':
                probs.append('QEMU asked %s -> %s while the kernel was in %s'
                             % (r['from'], r['target'], state))
            if r['kind'] == 'noop':
                continue
            want = self.path(state, r['target'])
            if r['kind'] == 'ok':
                for st in want:
                    a = arcs[i] if i < len(arcs) else None
                    if not a or (a['cur'], a['next'], a['target'], a['ret']) != (state, st, r['target'], 0):
                        probs.append('request %s -> %s at %s: expected arc %s -> %s (target %s), module has %s'
                                     % (r['from'], r['target'], R.fmt_t(r['t']), state, st,
                                        r['target'], fmt_arc(a)))
                        return steps, probs
                    steps.append((a['cur'], a['next'], 'arc', a, r))
                    state = st
                    i += 1
                continue
            # A failed (or unfinished) request: a prefix of its path, the
            # last step the one the driver failed (logged with ret 0), or a
            # refusal (ret < 0, no step).
            k = 0
            refused = False
            while i < len(arcs) and k < len(want):
                a = arcs[i]
                if a['ret'] < 0 and a['cur'] == state and a['target'] == r['target']:
                    steps.append((a['cur'], a['target'], 'refused', a, r))
                    i += 1
                    refused = True
                    break
                if (a['cur'], a['next'], a['target']) != (state, want[k], r['target']):
                    break
                steps.append((a['cur'], a['next'], 'arc', a, r))
                i += 1
                k += 1
                state = a['next']
            if r['kind'] == 'unfinished':
                continue
            if k == 0 and not refused:
                probs.append('request %s -> %s at %s failed, but the module logged no step for it'
                             % (r['from'], r['target'], R.fmt_t(r['t'])))
                return steps, probs
            if not refused:
                # the last step is the one the driver failed: no change
                cur, nxt, _, a, rq = steps[-1]
                steps[-1] = (cur, nxt, 'failed', a, rq)
                state = cur
            if r['kind'] == 'reset':
                steps.append((state, 'RUNNING', 'nopath', None, r))
                state = 'RUNNING'
            else:
                for st in self.path(state, r['recover']):
                    a = arcs[i] if i < len(arcs) else None
                    if not a or (a['cur'], a['next'], a['target']) != (state, st, r['recover']):
                        probs.append('recovery to %s at %s: expected arc %s -> %s, module has %s'
                                     % (r['recover'], R.fmt_t(r['t']), state, st, fmt_arc(a)))
                        return steps, probs
                    steps.append((a['cur'], a['next'], 'arc', a, r))
                    state = st
                    i += 1
        for a in arcs[i:]:
            probs.append('arc QEMU did not ask for: ' + fmt_arc(a))
        return steps, probs

    def check_arcs_mode(self, name, d, meta, uuid, role, reqs, mon):
        off, _ = R.offset_ns(meta)
        try:
            arcs = R.arcs_of(d, uuid, off)
        except (OSError, ValueError) as e:
            self.ko('%s: arc log: %s' % (name, e))
            return
        steps, probs = self.expand(reqs, arcs)
        nreq = sum(1 for r in reqs if r['kind'] != 'noop')
        if probs:
            self.ko('%s: the module\'s arcs are QEMU\'s requests expanded with the path rule' % name,
                    probs + ['QEMU: ' + fmt_req(r) for r in reqs] +
                    ['arc: ' + fmt_arc(a) for a in arcs])
        else:
            self.ok('%s: %d arcs = QEMU\'s %d requests expanded with the path rule%s'
                    % (name, len(arcs), nreq,
                       ''.join(', failed %s -> %s' % (s[0], s[1]) for s in steps if s[2] == 'failed')))
        # every arc inside the window of its request
        bad = []
        for cur, nxt, flag, a, r in steps:
            if a and not (r['t'] - ARC_TOL <= a['t'] <= r['done_t'] + ARC_TOL):
                bad.append('%s -> %s at %s, request %s -> %s window %s .. %s'
                           % (cur, nxt, R.fmt_t(a['t']), r['from'], r['target'],
                              R.fmt_t(r['t']), R.fmt_t(r['done_t'])))
        if bad:
            self.ko('%s: arc times inside QEMU\'s request windows' % name, bad)
        else:
            self.ok('%s: every arc time inside its request\'s window' % name)
        # vfiomigtop's steps: the arcs, with their flags and times
        seen = [t for t in mon if t['from'] != '-']
        probs = []
        # A step taken or failed, then a reset before any read: the arc
        # log cannot tell which, and vfiomigtop says `unsure', the reset
        # then from the state the step began in.  Only there.
        for j in range(len(steps) - 1):
            cur, nxt, flag, a, r = steps[j]
            if (j < len(seen) and seen[j]['flags'] == ['unsure']
                    and (seen[j]['from'], seen[j]['to']) == (cur, nxt)
                    and flag in ('arc', 'failed') and steps[j + 1][2] == 'nopath'):
                steps[j] = (cur, nxt, 'unsure', a, r)
                n = steps[j + 1]
                steps[j + 1] = (cur, n[1], 'nopath', n[3], n[4])
        for j, (cur, nxt, flag, a, r) in enumerate(steps):
            if j >= len(seen):
                probs.append('missing: %s %s %s' % (cur, nxt, flag))
                continue
            t = seen[j]
            if (t['from'], t['to'], t['flags']) != (cur, nxt, [flag]):
                probs.append('step %d: vfiomigtop "%s", expected %s -> %s [%s]'
                             % (j + 1, t['line'], cur, nxt, flag))
                continue
            if a and abs(t['t'] - a['t']) > MON_TOL:
                probs.append('step %d: vfiomigtop time %s, kernel %s' % (j + 1, R.fmt_t(t['t']), R.fmt_t(a['t'])))
            if a and not (r['t'] - MON_TOL <= t['t'] <= r['done_t'] + ARC_TOL):
                probs.append('step %d at %s: outside QEMU\'s window %s .. %s'
                             % (j + 1, R.fmt_t(t['t']), R.fmt_t(r['t']), R.fmt_t(r['done_t'])))
            if not a and t['t'] < r['t'] - MON_TOL:
                probs.append('step %d at %s: before QEMU\'s request at %s'
                             % (j + 1, R.fmt_t(t['t']), R.fmt_t(r['t'])))
        for t in seen[len(steps):]:
            probs.append('extra: ' + t['line'])
        if probs:
            self.ko('%s: vfiomigtop\'s steps = the module\'s arcs = QEMU\'s steps' % name,
                    probs + ['vfiomigtop: ' + t['line'] for t in mon])
        else:
            self.ok('%s: vfiomigtop\'s %d steps = the module\'s arcs = QEMU\'s steps, times within %d ms'
                    % (name, len(seen), MON_TOL // R.MS))

    def true_states(self, reqs):
        """The states a device went through by QEMU's trace and the path
        rule (for a failed request, every state of its path but the target
        is allowed: which step failed is not known without arcs)."""
        seq = ['RUNNING']
        for r in reqs:
            p = self.path(r['from'], r['target'])
            if r['kind'] == 'ok':
                seq += p
            elif r['kind'] in ('reset', 'recovered'):
                seq += p[:-1] + ['RUNNING' if r['kind'] == 'reset' else r['recover']]
            elif r['kind'] == 'unfinished':
                seq += p
        return seq

    def check_poll_mode(self, name, reqs, mon):
        arcs = [t['line'] for t in mon if 'arc' in t['flags'] or 'failed' in t['flags']]
        if arcs:
            self.ko('%s: no arc log, yet vfiomigtop shows exact steps' % name, arcs)
        seen = [t['to'] for t in mon if 'inferred' not in t['flags']]
        true = self.true_states(reqs)
        k = 0
        for st in seen:
            while k < len(true) and true[k] != st:
                k += 1
            if k == len(true):
                self.ko('%s: every state vfiomigtop observed was real, in order' % name,
                        ['observed: ' + ' '.join(seen), 'real (QEMU expanded): ' + ' '.join(true)] +
                        ['vfiomigtop: ' + t['line'] for t in mon])
                return
        ninf = sum(1 for t in mon if 'inferred' in t['flags'])
        self.ok('%s: the %d states vfiomigtop observed are real and in order (%d inferred steps)'
                % (name, len(seen), ninf))

    def check_qmp(self, name, d, meta, uuid, role, dev):
        want = [(t, args.split()[-1]) for t, ev, args in R.trace_events(d, role)
                if ev == 'vfio_migration_set_device_state' and args.startswith('(%s)' % uuid)]
        got = []
        for m in R.qmp_messages(d, role):
            e = m['msg']
            if e.get('event') == 'VFIO_MIGRATION' and e['data']['device-id'] == dev['id']:
                ts = e['timestamp']
                got.append((ts['seconds'] * 1000000000 + ts['microseconds'] * 1000,
                            R.QAPI.get(e['data']['device-state'], e['data']['device-state'])))
        probs = []
        if [s for _, s in want] != [s for _, s in got]:
            probs.append('trace: ' + ' '.join(s for _, s in want))
            probs.append('QMP:   ' + ' '.join(s for _, s in got))
        else:
            for (tt, s), (tq, _) in zip(want, got):
                if not (tt - R.MS <= tq <= tt + 1000 * R.MS):
                    probs.append('%s: trace %s, QMP event %s' % (s, R.fmt_t(tt), R.fmt_t(tq)))
        if probs:
            self.ko('%s: QMP VFIO_MIGRATION events = the trace\'s states' % name, probs)
        else:
            self.ok('%s: %d QMP VFIO_MIGRATION events = the trace\'s states' % (name, len(got)))

    def check_no_change(self, name, d, meta, uuid, role, mon, mode):
        t0, t1 = ns(meta['times']['migrate']), ns(meta['times']['end'])
        changes = ['QEMU: %s %s' % (R.fmt_t(t), args) for t, ev, args in R.trace_events(d, role)
                   if ev == 'vfio_migration_set_device_state' and args.startswith('(%s)' % uuid)
                   and t0 <= t <= t1]
        if mode == 'arcs':
            off, _ = R.offset_ns(meta)
            changes += ['arc: ' + fmt_arc(a) for a in R.arcs_of(d, uuid, off) if t0 <= a['t'] <= t1]
        changes += ['vfiomigtop: ' + t['line'] for t in mon if t0 <= t['t'] <= t1 + R.MS]
        if changes:
            self.ko('%s: no device state change from migrate to QEMU\'s failure' % name, changes)
        else:
            self.ok('%s: no device state change from migrate to QEMU\'s failure '
                    '(QEMU\'s trace, %svfiomigtop)' % (name, 'the module\'s arcs, ' if mode == 'arcs' else ''))

    def check_case(self, mode, case, d):
        meta = R.meta_of(d)
        tag = '%s/%s' % (mode, case)
        if meta.get('error'):
            self.ko('%s: the harness could not run the case: %s' % (tag, meta['error']))
            return
        off, drift = R.offset_ns(meta)
        if drift > R.MS:
            self.ko('%s: the guest\'s realtime clock moved %d µs against the monotonic one'
                    % (tag, drift // 1000))
        trans, _, _ = R.monitor_lines(d)
        for dev in meta['devices']:
            for role in ('src', 'dst'):
                uuid = dev[role]
                name = '%s %s %s' % (tag, role, uuid)
                q = meta['qemu'][role]
                # a request without an answer lasted until QEMU was killed,
                # or until the case ended
                end = ns(q.get('kill_time') or meta['times'].get('settled') or meta['times']['end'])
                reqs = R.qemu_requests(d, role, uuid, end)
                mon = [t for t in trans if t['dev'] == uuid]
                bad = [t['line'] for t in mon if t['side'] != role]
                if bad:
                    self.ko('%s: vfiomigtop shows the device on the wrong side' % name, bad)
                if meta['intent'] == 'no-state-change':
                    self.check_no_change(name, d, meta, uuid, role, mon, mode)
                if mode == 'arcs':
                    self.check_arcs_mode(name, d, meta, uuid, role, reqs, mon)
                else:
                    self.check_poll_mode(name, reqs, mon)
                self.check_qmp(name, d, meta, uuid, role, dev)


def ns(t):
    return int(round(t * 1e9))


def fmt_arc(a):
    if not a:
        return 'nothing'
    return '%d %s %s -> %s target %s ret %d' % (a['seq'], R.fmt_t(a['t']), a['cur'], a['next'],
                                                a['target'], a['ret'])


def fmt_req(r):
    return '%s %s -> %s (recover %s): %s%s' % (
        R.fmt_t(r['t']), r['from'], r['target'], r['recover'], r['kind'],
        ', reached %s at %s' % (r['reached'], R.fmt_t(r['done_t'])) if r['reached'] else '')


def main():
    if len(sys.argv) != 2:
        print('usage: check-steps.py RESULTS', file=sys.stderr)
        return 2
    c = Checker(sys.argv[1])
    cases = [x for x in R.case_dirs(sys.argv[1]) if x[0] != 'bench']
    if not cases:
        c.ko('no case was recorded in %s' % sys.argv[1])
    for mode, case, d in cases:
        c.check_case(mode, case, d)
    print('check-steps: %d ok, %d not ok' % (c.nok, c.nfail))
    return 1 if c.nfail else 0


if __name__ == '__main__':
    sys.exit(main())
