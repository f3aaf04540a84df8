# SPDX-License-Identifier: GPL-2.0-or-later
"""records.py - read what tests/vm/qemu/guest.py recorded, for the checkers.

A case directory (RESULTS/MODE/CASE/) holds meta.json, QEMU's trace and
QMP logs per role, its error lines, vfiomigtop's events and, in mode
"arcs", the module's arc log per device.  Times are CLOCK_REALTIME in
nanoseconds throughout: QEMU's trace (gettimeofday, -msg timestamp=on)
and vfiomigtop's output are realtime already; the module's arcs are
CLOCK_MONOTONIC and are converted with the offset the guest sampled.
"""

import json
import os
import re

STATES = ('ERROR', 'STOP', 'RUNNING', 'STOP_COPY', 'RESUMING', 'RUNNING_P2P',
          'PRE_COPY', 'PRE_COPY_P2P')
# QAPI's names for the VFIO_MIGRATION event (ERROR is never sent).
QAPI = {'stop': 'STOP', 'running': 'RUNNING', 'stop-copy': 'STOP_COPY',
        'resuming': 'RESUMING', 'running-p2p': 'RUNNING_P2P',
        'pre-copy': 'PRE_COPY', 'pre-copy-p2p': 'PRE_COPY_P2P'}
# States in which a device takes part in a migration.
MIGRATING = ('PRE_COPY', 'PRE_COPY_P2P', 'STOP_COPY', 'RESUMING')
# QEMU's lines that say nothing about the migration.
HARMLESS = ("doesn't support device and IOMMU dirty tracking",
            'no available reset mechanism')
DECIDED = ('completed', 'failed', 'uncertain')
MS = 1000000


def load_paths(results):
    """The kernel's path rule as fsm-paths printed it: {(from, to): [steps]
    or None when there is no path}."""
    paths = {}
    with open(os.path.join(results, 'fsm-paths.txt')) as f:
        for line in f:
            w = line.split()
            paths[(w[0], w[1])] = None if w[2:] == ['!'] else w[2:]
    return paths


def case_dirs(results):
    """(mode, case, dir) of every recorded case, in the order they ran."""
    out = []
    for mode in ('arcs', 'poll', 'bench'):
        base = os.path.join(results, mode)
        if not os.path.isdir(base):
            continue
        for c in os.listdir(base):
            d = os.path.join(base, c)
            if os.path.isfile(os.path.join(d, 'meta.json')):
                out.append((mode, c, d))
    out.sort(key=lambda x: (x[0] != 'arcs', meta_of(x[2]).get('times', {}).get('qemu_start', 0)))
    return out


def meta_of(d):
    with open(os.path.join(d, 'meta.json')) as f:
        return json.load(f)


def role_of(meta, uuid):
    for dev in meta['devices']:
        if dev['src'] == uuid:
            return 'src', dev
        if dev['dst'] == uuid:
            return 'dst', dev
    raise KeyError(uuid)


TRACE = re.compile(r'^(\d+)@(\d+)\.(\d{6}):(\w+) +(.*)$')
SET_STATE = re.compile(r'^\((\S+)\) new state (\w+), recover state (\w+)$')
DEV_STATE = re.compile(r'^\((\S+)\) state (\w+)$')


def trace_events(d, role):
    """QEMU's trace of one role: [(t_ns, event, args)]."""
    out = []
    path = os.path.join(d, 'trace-%s.log' % role)
    if not os.path.exists(path):
        return out
    with open(path) as f:
        for line in f:
            m = TRACE.match(line.rstrip('\n'))
            if m:
                t = int(m.group(2)) * 1000000000 + int(m.group(3)) * 1000
                out.append((t, m.group(4), m.group(5).strip()))
    return out


def qemu_requests(d, role, uuid, end_ns):
    """QEMU's state requests for one device, from its trace:
    [{t, from, target, recover, done_t, reached}] where reached is the
    state QEMU recorded afterwards (None: the request was a no-op, or the
    process died first; done_t is then the next request's time or
    end_ns)."""
    reqs = []
    cur = 'RUNNING'		# QEMU's device_state of a new device
    for t, ev, args in trace_events(d, role):
        if ev == 'vfio_migration_set_state':
            m = SET_STATE.match(args)
            if not m or m.group(1) != uuid:
                continue
            if reqs and reqs[-1]['done_t'] is None:
                reqs[-1]['done_t'] = t
            reqs.append({'t': t, 'from': cur, 'target': m.group(2),
                         'recover': m.group(3), 'done_t': None, 'reached': None})
        elif ev == 'vfio_migration_set_device_state':
            m = DEV_STATE.match(args)
            if not m or m.group(1) != uuid:
                continue
            if not reqs or reqs[-1]['reached'] is not None:
                reqs.append({'t': t, 'from': cur, 'target': m.group(2),
                             'recover': None, 'done_t': t, 'reached': m.group(2),
                             'orphan': True})
            else:
                reqs[-1]['reached'] = m.group(2)
                reqs[-1]['done_t'] = t
            cur = m.group(2)
    if reqs and reqs[-1]['done_t'] is None:
        reqs[-1]['done_t'] = end_ns
    for r in reqs:
        if r['reached'] is None:
            r['kind'] = 'noop' if r['target'] == r['from'] else 'unfinished'
        elif r['reached'] == r['target']:
            r['kind'] = 'ok'
        elif r['recover'] == 'ERROR' and r['reached'] == 'RUNNING':
            r['kind'] = 'reset'		# failed; QEMU reset the device
        else:
            r['kind'] = 'recovered'	# failed; QEMU set the recover state
    return reqs


def arcs_of(d, uuid, offset_ns):
    """The module's arc log of one device: [{seq, t, cur, next, target,
    ret}] with t in realtime ns; 'lost' lines raise ValueError."""
    out = []
    path = os.path.join(d, 'arcs-%s.txt' % uuid)
    with open(path) as f:
        for line in f:
            w = line.split()
            if not w:
                continue
            if w[0] == '#':
                raise ValueError('arc log of %s: %s' % (uuid, line.strip()))
            out.append({'seq': int(w[0]), 't': int(w[1]) + offset_ns, 'cur': w[2],
                        'next': w[3], 'target': w[4], 'ret': int(w[5])})
    return out


EVLINE = re.compile(r'^(\S+) (src|dst) (\S+) (\S+) (\S+)((?: [a-z]+)*)$')
PAIRLINE = re.compile(r'^(\S+) pair (\S+) (\S+) (\S+)(?: (.*))?$')


def iso_ns(s):
    """vfiomigtop's '2026-11-25T00:52:06.123Z' as realtime ns."""
    import calendar
    import time
    m = re.match(r'^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{3})Z$', s)
    if not m:
        raise ValueError('not a vfiomigtop time: %r' % s)
    secs = calendar.timegm(time.strptime(m.group(1), '%Y-%m-%dT%H:%M:%S'))
    return secs * 1000000000 + int(m.group(2)) * MS


def monitor_lines(d):
    """vfiomigtop's output: (transitions, pair lines, other lines)."""
    trans, pairs, other = [], [], []
    path = os.path.join(d, 'events.txt')
    if not os.path.exists(path):
        return trans, pairs, other
    with open(path) as f:
        for line in f:
            line = line.rstrip('\n')
            m = PAIRLINE.match(line)
            if m:
                pairs.append({'t': iso_ns(m.group(1)), 'src': m.group(2),
                              'dst': m.group(3), 'word': m.group(4),
                              'rest': m.group(5) or '', 'line': line})
                continue
            m = EVLINE.match(line)
            if m:
                trans.append({'t': iso_ns(m.group(1)), 'side': m.group(2),
                              'dev': m.group(3), 'from': m.group(4),
                              'to': m.group(5), 'flags': m.group(6).split(),
                              'line': line})
                continue
            other.append(line)
    return trans, pairs, other


def qmp_messages(d, role):
    out = []
    path = os.path.join(d, 'qmp-%s.jsonl' % role)
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                out.append(json.loads(line))
    return out


def error_lines(meta, role):
    """QEMU's own error lines of a role, without the harmless warnings."""
    q = meta['qemu'].get(role) or {}
    return [e for e in q.get('errors') or [] if not any(h in e for h in HARMLESS)]


def offset_ns(meta):
    """The guest's CLOCK_REALTIME - CLOCK_MONOTONIC for the case, and how
    far the two samples (start and end) lie apart."""
    c = meta['clock']
    offs = [x['real_minus_mono_ns'] for x in c]
    return offs[0], max(offs) - min(offs)


def fmt_t(t):
    """Realtime ns as HH:MM:SS.uuuuuu (UTC), for messages."""
    import time
    s = t // 1000000000
    return time.strftime('%H:%M:%S', time.gmtime(s)) + '.%06d' % ((t % 1000000000) // 1000)
