#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""bench-report.py RESULTS - the observer effect on QEMU's migration.

Reads RESULTS/bench.jsonl (guest.py --bench: the completing case run
round-robin under each monitor setting) and prints, per setting, QEMU's
own `downtime', `total-time' and `setup-time' (query-migrate on the
source, milliseconds): median, mean, standard deviation, range, and the
difference of the medians against no monitor with a two-sided
Mann-Whitney U test (normal approximation with tie correction).  The
table is also written to RESULTS/bench-report.md.  Exit status 1 when a
run did not complete.
"""

import json
import math
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import records as R  # noqa: E402

LABELS = {
    'none': 'no monitor (module with arc log)',
    'd1': 'vfiomigtop -d 1 (arc log, notification)',
    'd0.01': 'vfiomigtop -d 0.01 (arc log, notification)',
    'none-arcs0': 'no monitor (module arcs=0)',
    'd0.01-arcs0': 'vfiomigtop -d 0.01 (arcs=0: polling only)',
}
METRICS = ('downtime', 'total-time', 'setup-time', 'ioctl')
TITLES = {'downtime': 'downtime (ms, query-migrate)',
          'total-time': 'total-time (ms, query-migrate)',
          'setup-time': 'setup-time (ms, query-migrate)',
          'ioctl': 'time inside the device state requests of the migration, both '
                   'devices (µs, QEMU\'s trace: request to result)'}
# Each setting against: no monitor with the same module setting; the
# module without the arc log against the module with it.
REF = {'d1': 'none', 'd0.01': 'none', 'd0.01-arcs0': 'none-arcs0',
       'none-arcs0': 'none'}


def mann_whitney_p(a, b):
    """Two-sided p-value of the Mann-Whitney U test (normal approximation)."""
    n1, n2 = len(a), len(b)
    if not n1 or not n2:
        return float('nan')
    allv = sorted([(v, 0) for v in a] + [(v, 1) for v in b])
    ranks = [0.0] * len(allv)
    ties = 0.0
    i = 0
    while i < len(allv):
        j = i
        while j + 1 < len(allv) and allv[j + 1][0] == allv[i][0]:
            j += 1
        r = (i + j) / 2.0 + 1
        for k in range(i, j + 1):
            ranks[k] = r
        t = j - i + 1
        ties += t ** 3 - t
        i = j + 1
    r1 = sum(r for r, (_, g) in zip(ranks, allv) if g == 0)
    u = r1 - n1 * (n1 + 1) / 2.0
    n = n1 + n2
    var = n1 * n2 / 12.0 * ((n + 1) - ties / (n * (n - 1)))
    if var <= 0:
        return 1.0
    z = (u - n1 * n2 / 2.0) / math.sqrt(var)
    return math.erfc(abs(z) / math.sqrt(2))


def ioctl_us(results, run):
    """The time QEMU spent in the device state requests of the migration
    (from `migrate' to its end, both devices): where a monitor reading
    the state under the driver's mutex would show."""
    d = os.path.join(results, 'bench', '%s-%d' % (run['config'], run['rep']))
    try:
        meta = R.meta_of(d)
        t0 = int(meta['times']['migrate'] * 1e9)
        t1 = int(meta['times']['end'] * 1e9)
    except (OSError, KeyError, ValueError):
        return None
    total = 0
    for dev in meta['devices']:
        for role in ('src', 'dst'):
            for q in R.qemu_requests(d, role, dev[role], t1):
                if q['kind'] != 'noop' and t0 <= q['t'] <= t1:
                    total += q['done_t'] - q['t']
    return total // 1000


def main():
    if len(sys.argv) != 2:
        print('usage: bench-report.py RESULTS', file=sys.stderr)
        return 2
    path = os.path.join(sys.argv[1], 'bench.jsonl')
    runs = []
    with open(path) as f:
        for line in f:
            runs.append(json.loads(line))
    for r in runs:
        r['ioctl'] = ioctl_us(sys.argv[1], r)
    bad = [r for r in runs if r['status'] != 'completed' or r.get('error')]
    configs = [c for c in LABELS if any(r['config'] == c for r in runs)]
    configs += sorted({r['config'] for r in runs} - set(configs))
    data = {c: {m: [r[m] for r in runs if r['config'] == c and r not in bad and r[m] is not None]
                for m in METRICS} for c in configs}
    out = ['The completing case, %d runs per setting, in a new order every round.'
           % max(len(data[c]['downtime']) for c in configs), '']
    for m in METRICS:
        out.append('%s:' % TITLES[m])
        out.append('')
        out.append('| setting | n | median | mean | stdev | min | max | against | median diff | p (Mann-Whitney) |')
        out.append('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |')
        for c in configs:
            v = data[c][m]
            if not v:
                continue
            rc = REF.get(c)
            ref = data.get(rc, {}).get(m, []) if rc else []
            diff = ('%+.1f' % (statistics.median(v) - statistics.median(ref))) if ref else '-'
            p = ('%.2f' % mann_whitney_p(v, ref)) if ref else '-'
            out.append('| %s | %d | %.1f | %.1f | %.1f | %d | %d | %s | %s | %s |' % (
                LABELS.get(c, c), len(v), statistics.median(v), statistics.mean(v),
                statistics.stdev(v) if len(v) > 1 else 0.0, min(v), max(v),
                rc or '-', diff, p))
        out.append('')
    if bad:
        out.append('')
        out.append('%d runs did not complete:' % len(bad))
        for r in bad:
            out.append('  %s run %d: %s %s' % (r['config'], r['rep'], r['status'], r.get('error') or ''))
    durs = [r['duration'] for r in runs if r.get('duration')]
    if durs:
        out.append('')
        out.append('vfiomigtop CPU time per case (s, user + system, from /proc; '
                   'a case lasts %.1f s on average):' % statistics.mean(durs))
    for c in configs:
        v = [r['monitor_cpu_s'] for r in runs if r['config'] == c and r.get('monitor_cpu_s') is not None]
        if v:
            out.append('  %s: mean %.3f, max %.3f' % (LABELS.get(c, c), statistics.mean(v), max(v)))
    text = '\n'.join(out) + '\n'
    sys.stdout.write(text)
    with open(os.path.join(sys.argv[1], 'bench-report.md'), 'w') as f:
        f.write(text)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
