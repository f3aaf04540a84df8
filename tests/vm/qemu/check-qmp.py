#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""check-qmp.py RESULTS - QEMU's view beside the kernel's (issue 11).

In every case guest.py recorded, a second vfiomigtop ran with
`-b --json --qmp SRC --qmp DST` on monitor sockets of both QEMUs
(json.txt).  Against what QEMU itself reported (qemu-outcome.json,
meta.json), for every case:

  connected   both QEMUs connected, with their -name as VM name;
  matched     each mtty matched to QEMU's vfio device (its QOM path);
  owner       each device held by its QEMU's pid, with its VM name;
  identity    an mdev of type mtty-2 that can migrate;
  request     while held in pre-copy, QEMU's last request PRE_COPY on the
              source and RESUMING on the destination, as the devices read;
  error text  each error-desc QEMU gave for a failed migration is in the
              pair's last decided attempt, and that attempt failed;
  setup       a migration that failed before any device state changed is
              a failed attempt "vmm-failed" (invisible to the devices);
  disagree    the reject case: QEMU reports the destination running (and
              the migration completed) though it reset it after the failed
              load: the disagreement flag is raised on that device;
  figures     a completed migration: status, total time, downtime and
              vfio bytes from query-migrate;
  stranded    a device left in RESUMING, STOP or ERROR once its QEMU is
              gone is stranded with no owner, with the mdev's recovery.

Prints "ok - ..." / "not ok - ..."; exit status 1 if any fails.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import records as R  # noqa: E402

STRANDABLE = ('RESUMING', 'STOP', 'ERROR')


def snapshots(d):
    out = []
    path = os.path.join(d, 'json.txt')
    if not os.path.exists(path):
        return None
    with open(path) as f:
        for line in f:
            if line.endswith('}\n'):
                try:
                    out.append(json.loads(line))
                except ValueError:
                    pass
    return out


def dev_in(snap, name):
    for x in snap.get('devices', []):
        if x['name'] == name:
            return x
    return None


def pair_in(snap, src, dst):
    for p in snap.get('pairs', []):
        if p['src'] == src and p['dst'] == dst:
            return p
    return None


def vmm(snap, role):
    for v in snap.get('vmms', []):
        if v['qmp'].endswith('vmt-%s.qmp' % role):
            return v
    return None


def check_case(mode, case, d, report):
    meta = R.meta_of(d)
    snaps = snapshots(d)
    tag = meta['tag']
    name = '%s/%s' % (mode, tag)
    if snaps is None:
        report(False, '%s: no json.txt (vfiomigtop --qmp did not run)' % name)
        return
    if not snaps:
        report(False, '%s: json.txt has no snapshot' % name)
        return
    with open(os.path.join(d, 'qemu-outcome.json')) as f:
        outcome = json.load(f)
    pids = meta.get('qemu_pid', {})

    for role in ('src', 'dst'):
        ok = any((vmm(s, role) or {}).get('connected') and
                 vmm(s, role).get('vm') == '%s-%s' % (tag, role) for s in snaps)
        report(ok, '%s: connected to the %s QEMU (VM %s-%s)' % (name, role, tag, role))

    for i, dv in enumerate(meta['devices']):
        for role in ('src', 'dst'):
            u = dv[role]
            qom = '/machine/peripheral/%s' % dv['id']
            ok = any(((dev_in(s, u) or {}).get('qemu') or {}).get('qom_path') == qom
                     for s in snaps)
            report(ok, '%s: %s %s matched to QEMU\'s %s' % (name, role, u, qom))
            ok = any(((dev_in(s, u) or {}).get('owner') or {}).get('pid') == pids.get(role) and
                     dev_in(s, u)['owner'].get('vm') == '%s-%s' % (tag, role) for s in snaps)
            report(ok, '%s: %s %s owned by QEMU pid %s (VM %s-%s)'
                   % (name, role, u, pids.get(role), tag, role))
            last = dev_in(snaps[-1], u) or {}
            idt = last.get('ident') or {}
            ok = idt.get('bus') == 'mdev' and idt.get('mdev_type') == 'mtty-2' and \
                last.get('can_migrate', {}).get('answer') == 'yes'
            report(ok, '%s: %s %s identified (%s, %s, can migrate: %s)'
                   % (name, role, u, idt.get('bus'), idt.get('mdev_type'),
                      last.get('can_migrate', {}).get('answer')))
        if meta['case'] != 'setup-fail':
            for role, want in (('src', 'PRE_COPY'), ('dst', 'RESUMING')):
                u = dv[role]
                ok = any(((dev_in(s, u) or {}).get('qemu') or {}).get('last_request') == want
                         and dev_in(s, u).get('state') == want for s in snaps)
                report(ok, '%s: QEMU asked %s of %s %s, and it read so'
                       % (name, want, role, u))

        pair_last = None
        for s in snaps:
            p = pair_in(s, dv['src'], dv['dst'])
            if p and p['attempts']:
                pair_last = p
        decided = [a for a in (pair_last or {}).get('attempts', []) if a['decided']]
        att = decided[-1] if decided else None
        errs = [(r, o.get('error-desc')) for r, o in outcome.items()
                if o.get('status') == 'failed' and o.get('error-desc')]
        for role, err in errs:
            ok = att is not None and att['outcome'] == 'failed' and err in att['text']
            report(ok, '%s: QEMU %s\'s error text in the verdict: "%s" (got: %s)'
                   % (name, role, err, att['text'] if att else 'no decided attempt'))
        if meta['case'] == 'setup-fail':
            ok = any(a['reason'] == 'vmm-failed' and a['outcome'] == 'failed' for a in decided)
            report(ok, '%s: the failure in setup is a failed attempt from QEMU\'s side (got: %s)'
                   % (name, [a['text'] for a in decided]))
        if meta['case'] == 'reject':
            u = dv['dst']
            flagged = [s for s in snaps
                       if 'reset it after a failed load' in ((dev_in(s, u) or {}).get('disagreement') or '')]
            ok = bool(flagged) and 'completed' in dev_in(flagged[0], u)['disagreement']
            report(ok, '%s: disagreement on %s: QEMU says running and completed after resetting it (%s)'
                   % (name, u, dev_in(flagged[0], u)['disagreement'] if flagged else 'never flagged'))
            ok = any((pair_in(s, dv['src'], dv['dst']) or {}).get('vmm_disagree') for s in flagged)
            report(ok, '%s: ... and the pair is a problem (vmm_disagree)' % name)
        if meta['case'] in ('complete', 'two-devices'):
            ok = False
            for s in snaps:
                v = vmm(s, 'src') or {}
                if v.get('status') == 'completed' and (v.get('total_time_ms') or 0) > 0 and \
                        v.get('downtime_ms') is not None and (v.get('vfio_transferred') or 0) > 0:
                    ok = True
            report(ok, '%s: query-migrate figures of the completed migration' % name)

        final = meta.get('final_state') or {}
        for role in ('src', 'dst'):
            u = dv[role]
            if final.get(u) not in STRANDABLE:
                continue
            x = dev_in(snaps[-1], u) or {}
            st = x.get('stranded_no_owner') or {}
            ok = x.get('owner') is False and '/bus/mdev/devices/%s/remove' % u in st.get('recovery', '')
            report(ok, '%s: %s %s left in %s with its QEMU gone: stranded, recovery "%s"'
                   % (name, role, u, final.get(u), st.get('recovery')))


def main():
    results = sys.argv[1]
    n = bad = 0

    def report(ok, what):
        nonlocal n, bad
        n += 1
        if not ok:
            bad += 1
        print('%s - %s' % ('ok' if ok else 'not ok', what))

    cases = [c for c in R.case_dirs(results) if c[0] != 'bench']
    if not cases:
        report(False, 'no case recorded in %s' % results)
    for mode, case, d in cases:
        if R.meta_of(d).get('error'):
            report(False, '%s/%s: the harness failed: %s' % (mode, case, R.meta_of(d)['error']))
            continue
        check_case(mode, case, d, report)
    print('%d checks, %d failed' % (n, bad))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
