#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""screen-bench.py - the screen's CPU over the vfiomig module's own files,
in the test guest (vm-qemu.sh screen; issue 13's module case).

Creates N mtty mdevs (vm-qemu.sh raises mtty's limit of 24 ports for
this), so that the module shows N real state files with its change
notification, and measures, one after the other at -d 0.2, the CPU of:
  floor      tests/bench/floor.c: one pread per state file per refresh;
  polled     the screen reading every file at every refresh
             (VFIOMIGTOP_NOTIFY=0, as on upstream debugfs);
  notified   the screen as it runs on the module's tree by default:
             it reads the files that notified, and sweeps every file
             once per 5 s;
each from utime+stime in /proc/PID/stat over SECS seconds, once it has
settled.  Then the time from a state change (migtest flip: the
VFIO_DEVICE_FEATURE ioctl on a random device, CLOCK_MONOTONIC just
before it) to its line on `vfiomigtop -b --events -d 0.2` (notified).
Writes RESULTS/screen-bench.txt; exit 1 when something could not run.
"""

import argparse
import os
import random
import resource
import subprocess
import sys
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', '..', 'bench'))
import evlines  # noqa: E402  (tests/bench/evlines.py)

DBG = '/sys/kernel/debug'
MTTY_TYPE = '/sys/devices/virtual/mtty/mtty/mdev_supported_types/mtty-1'
HZ = os.sysconf('SC_CLK_TCK')
OUT = []


def log(msg):
    print('guest: ' + msg, flush=True)


def say(line):
    OUT.append(line)
    log(line)


def wait_until(cond, secs, what):
    end = time.monotonic() + secs
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.1)
    raise SystemExit('timed out waiting for ' + what)


def ticks(pid):
    with open('/proc/%d/stat' % pid) as f:
        rest = f.read().rsplit(')', 1)[1].split()
    return int(rest[11]) + int(rest[12])


def cpu(pid, secs):
    """CPU % of one core and ms per 0.2 s refresh of @pid over @secs."""
    t0 = ticks(pid)
    time.sleep(secs)
    c = (ticks(pid) - t0) / HZ
    return 100.0 * c / secs, 1000.0 * c / (secs / 0.2)


def count_states(root):
    n = 0
    for d in os.listdir(root):
        if os.path.exists(os.path.join(root, d, 'migration', 'state')):
            n += 1
    return n


class Tmux:
    def __init__(self, tmp):
        self.base = ['tmux', '-S', os.path.join(tmp, 'tmux.sock'), '-f', '/dev/null']

    def run(self, *args):
        return subprocess.run(self.base + list(args), capture_output=True,
                              text=True)

    def screen(self):
        return self.run('capture-pane', '-p', '-t', 'b').stdout


def screen_case(tm, cmd, n, secs):
    """Start the screen in tmux, wait until it shows n devices and has
    settled (no time in tenths or ms), and measure it."""
    import re
    tm.run('kill-session', '-t', 'b')
    r = tm.run('new-session', '-d', '-s', 'b', '-x', '200', '-y', '60', cmd)
    if r.returncode:
        raise SystemExit('tmux: ' + r.stderr.strip())
    wait_until(lambda: '%d devices' % n in tm.screen(), 120,
               'the screen to show %d devices' % n)
    busy = re.compile(r' [0-9]+ms | [0-9]\.[0-9]s ')
    wait_until(lambda: not busy.search(tm.screen()), 90, 'the screen to settle')
    pid = int(tm.run('display', '-p', '-t', 'b', '#{pane_pid}').stdout)
    res = cpu(pid, secs)
    tm.run('kill-session', '-t', 'b')
    return res


def latency(o, root, uuids, count):
    ev = evlines.Events([o.vfiomigtop, '-b', '--events', '-d', '0.2',
                         '--src', root])
    # Settled: every device's first value, then the 10 s after which a
    # device no longer counts as lately changed (READPLAN_HOT_NS): idle.
    if not ev.lines_until(len(uuids), 300):
        raise SystemExit('the first values of %d devices did not come' %
                         len(uuids))
    ev.drain(10)
    rnd = random.Random(1)
    lat, missed = [], 0
    for _ in range(count):
        u = rnd.choice(uuids)
        m = subprocess.Popen([o.migtest, 'flip', u], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, bufsize=1)
        if m.stdout.readline().strip() != 'ready':
            m.kill()
            raise SystemExit('migtest flip %s did not start' % u)
        for st in ('STOP', 'RUNNING'):
            m.stdin.write(st + '\n')
            m.stdin.flush()
            ans = m.stdout.readline().split()
            if len(ans) != 3 or ans[2] != 'ok':
                raise SystemExit('migtest flip %s %s: %s' % (u, st, ans))
            got = ev.seen('src', u, st)
            if got is None:
                log('no event for %s %s within 10 s; last lines: %s' %
                    (u, st, ev.last))
                missed += 1
            else:
                lat.append((got - int(ans[1])) / 1e6)
        m.stdin.close()
        m.wait()
    ev.close()
    return lat, missed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--results', required=True)
    ap.add_argument('--vfiomigtop', required=True)
    ap.add_argument('--module', required=True)
    ap.add_argument('--floor', required=True)
    ap.add_argument('--migtest', required=True)
    ap.add_argument('--devices', type=int, default=4096)
    ap.add_argument('--secs', type=int, default=30)
    ap.add_argument('--changes', type=int, default=50)
    ap.add_argument('--variants', action='store_true',
                    help='also the notified screen without the owner scan, '
                    'without sysfs, and batch mode (where the time goes)')
    o = ap.parse_args()
    tmp = os.environ.get('TMPDIR', '/run/tmp')
    # The guest's init leaves the kernel's hard limit of 4096 open files;
    # a device keeps two (its state file and its arc log).
    nofile = 2 * o.devices + 1024
    resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
    # tmux needs pseudo-terminals; init.sh mounts none (/dev/ptmx finds
    # the devpts mounted at /dev/pts).
    if not os.path.ismount('/dev/pts'):
        os.makedirs('/dev/pts', exist_ok=True)
        r = subprocess.run(['mount', '-t', 'devpts', '-o', 'ptmxmode=0666',
                            'devpts', '/dev/pts'], capture_output=True, text=True)
        if r.returncode:
            raise SystemExit('mount devpts: ' + r.stderr.strip())

    r = subprocess.run(['insmod', o.module], capture_output=True, text=True)
    if r.returncode:
        raise SystemExit('insmod vfiomig: ' + r.stderr.strip())
    with open('/sys/module/vfiomig/parameters/root') as f:
        root = os.path.join(DBG, f.read().strip())
    t = time.monotonic()
    uuids = []
    for _ in range(o.devices):
        u = str(uuid.uuid4())
        with open(os.path.join(MTTY_TYPE, 'create'), 'w') as f:
            f.write(u)
        uuids.append(u)
    wait_until(lambda: count_states(root) >= o.devices, 600,
               '%d state files under %s' % (o.devices, root))
    log('%d mdevs created and shown by the module in %.1f s' %
        (o.devices, time.monotonic() - t))
    with open(os.path.join(root, 'vfiomig')) as f:
        log('module status: ' + ' '.join(f.read().split()))

    say('vfiomigtop screen CPU over the vfiomig module\'s files, %d mtty '
        'devices, %d s per case, kernel %s, %d CPU(s), delay 0.2 s' %
        (o.devices, o.secs, os.uname().release, os.cpu_count()))
    say('%-34s %8s %11s %8s' % ('contender', 'cpu%', 'ms/refresh', 'x floor'))
    fl = subprocess.Popen([o.floor, root, '0', '200'], stdout=subprocess.DEVNULL)
    wait_until(lambda: len(os.listdir('/proc/%d/fd' % fl.pid)) >= o.devices,
               120, 'the floor to open %d files' % o.devices)
    fpct, fms = cpu(fl.pid, o.secs)
    fl.kill()
    fl.wait()
    say('%-34s %8.2f %11.3f %8.2f' % ('floor (%d preads per refresh)' %
                                      o.devices, fpct, fms, 1.0))
    tm = Tmux(tmp)
    cases = [('vfiomigtop polled', 'VFIOMIGTOP_NOTIFY=0', ''),
             ('vfiomigtop notified (default)', '', '')]
    if o.variants:
        os.makedirs(os.path.join(tmp, 'nosys'), exist_ok=True)
        cases += [('notified, --no-owners', '', '--no-owners'),
                  ('notified, --sysfs (empty)', '',
                   '--sysfs ' + os.path.join(tmp, 'nosys')),
                  ('notified, both', '', '--no-owners --sysfs ' +
                   os.path.join(tmp, 'nosys'))]
    for name, env, opts in cases:
        cmd = 'exec env LC_ALL=C.UTF-8 %s %s -d 0.2 %s --src %s' % (
            env, o.vfiomigtop, opts, root)
        pct, ms = screen_case(tm, cmd, o.devices, o.secs)
        say('%-34s %8.2f %11.3f %8.2f' % (name, pct, ms,
                                          pct / fpct if fpct else 0))
    tm.run('kill-server')
    if o.variants:
        b = evlines.Events([o.vfiomigtop, '-b', '--events', '-d', '0.2',
                            '--src', root])
        if not b.lines_until(o.devices, 300):
            raise SystemExit('batch: the first values did not come')
        pct, ms = cpu(b.p.pid, o.secs)  # idle: it prints nothing more
        b.close()
        say('%-34s %8.2f %11.3f %8.2f' % ('batch --events, notified', pct, ms,
                                          pct / fpct if fpct else 0))

    lat, missed = latency(o, root, uuids, o.changes)
    if lat:
        say('a state change (ioctl) to its event, notified, %d changes: '
            'seen %d, %s' % (2 * o.changes, len(lat), evlines.summary(lat)))
    with open(os.path.join(o.results, 'screen-bench.txt'), 'w') as f:
        f.write('\n'.join(OUT) + '\n')
    if missed or not lat:
        raise SystemExit('%d state changes never reached the events' % missed)
    return 0


if __name__ == '__main__':
    sys.exit(main())
