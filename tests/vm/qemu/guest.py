#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""guest.py - the guest side of tests/vm/vm-qemu.sh.

Runs in the 6.12 test guest, chrooted into the host's root (shared
read-only over virtio-9p, see init.sh).  In every case two QEMU processes,
a source started paused (-S) and a destination waiting for an incoming
migration (-incoming defer), migrate mtty mdevs over a unix socket, driven
through QMP, while vfiomig.ko and `vfiomigtop -b --events` watch.  Each
case gets fresh mdevs and a fresh monitor.  Everything is recorded for the
host-side checkers (check-steps.py, check-verdict.py):

  RESULTS/MODE/CASE/meta.json       what ran: devices, times, clock
                                    offset, QEMU's outcome (query-migrate
                                    of both sides, exit status, error lines)
                   qmp-ROLE.jsonl   every QMP message, with receive time
                   trace-ROLE.log   QEMU's trace events (gettimeofday)
                   stderr-ROLE.log  QEMU's own error lines (timestamped)
                   events.txt       vfiomigtop's output
                   journal          what it recorded with -w (not when benchmarking)
                   arcs-UUID.txt    the module's arc log (mode "arcs")
                   qemu-outcome.json  what QEMU said, in one place

MODE is "arcs" (the module's arc log on) or "poll" (module loaded with
arcs=0: vfiomigtop polls the state files at its default refresh).  Every
wait is for a QMP event, a process or a file, with a generous timeout that
names what it waited for; a case that times out is recorded as a harness
error and the next case runs.
"""

import argparse
import json
import os
import random
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

QEMU = '/usr/bin/qemu-system-x86_64'
DBG = '/sys/kernel/debug'
MTTY_TYPE = '/sys/devices/virtual/mtty/mtty/mdev_supported_types/mtty-2'
MDEV = '/sys/bus/mdev/devices'
REJECT = '/sys/module/mtty/parameters/vfiomig_reject_load'
TMP = os.environ.get('TMPDIR', '/run/tmp')
MIGRATING = ('PRE_COPY', 'PRE_COPY_P2P', 'STOP_COPY', 'RESUMING')

# Generous: a nested TCG QEMU on a busy 2-core host is slow.
T_QMP = 120.0		# QEMU started and answering
T_MIG = 240.0		# a migration reaching a terminal state
T_EXIT = 90.0		# a process exiting after quit or a signal
T_MON = 60.0		# vfiomigtop showing a device's state
# vfiomigtop --stuck: a destination left in RESUMING is judged after this
# long (the default, 30 s, would make a case wait too long); a pair with
# no decided verdict and a device still in a migration state gets this
# much and T_DECIDE more to decide.
STUCK = 15
T_DECIDE = 10.0

TRACE_EVENTS = """vfio_migration_set_state
vfio_migration_set_device_state
vfio_migration_state_notifier
vfio_vmstate_change
vfio_vmstate_change_prepare
vfio_save_setup
vfio_save_complete_precopy
vfio_save_cleanup
vfio_load_state
vfio_load_state_device_data
vfio_load_cleanup
migrate_set_state
"""

# migrate-set-parameters that hold a migration in pre-copy, and QEMU's
# defaults that let it converge.
HOLD = {'max-bandwidth': 10000, 'downtime-limit': 1}
UNHOLD = {'max-bandwidth': 134217728, 'downtime-limit': 300}

CASES = {
    # name: devices, what QEMU is meant to report, how it is driven
    'complete': dict(ndev=1, intent='completed'),
    'cancel': dict(ndev=1, intent='failed'),
    'kill-dst': dict(ndev=1, intent='failed'),
    'reject': dict(ndev=1, intent='failed'),
    'kill-src': dict(ndev=1, intent='failed'),
    'two-devices': dict(ndev=2, intent='completed'),
    'setup-fail': dict(ndev=1, intent='no-state-change', dirty_tracking=True),
}
CASE_ORDER = ['complete', 'cancel', 'kill-dst', 'reject', 'kill-src',
              'two-devices', 'setup-fail']


class Ctx:
    """What a case's drive function works with."""

    def __init__(self, src, dst, devs, times, mon, hold):
        self.src, self.dst, self.devs = src, dst, devs
        self.times, self.mon, self.hold = times, mon, hold


class CaseError(Exception):
    """The harness could not drive the case (not a verdict on the tool)."""


def log(msg):
    print('guest: ' + msg, flush=True)


def real():
    return time.clock_gettime(time.CLOCK_REALTIME)


def clock_offset():
    """CLOCK_REALTIME - CLOCK_MONOTONIC in ns, from the tightest of a few
    bracketed samples, and how wide that bracket was."""
    best = None
    for _ in range(9):
        a = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
        r = time.clock_gettime_ns(time.CLOCK_REALTIME)
        b = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
        if best is None or b - a < best[0]:
            best = (b - a, r - (a + b) // 2)
    return {'real_minus_mono_ns': best[1], 'uncertainty_ns': best[0]}


def write_file(path, text):
    with open(path, 'w') as f:
        f.write(text)


def read_file(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError as e:
        return '<%s>' % e.strerror


def wait_until(cond, timeout, what, step=0.02):
    """Poll cond() (a file, a process) until true; CaseError after timeout."""
    end = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() > end:
            raise CaseError('timeout after %.0f s waiting for %s' % (timeout, what))
        time.sleep(step)


class QMP:
    """A QMP client on a socket QEMU listens on; every message is logged."""

    def __init__(self, role, path, logf):
        self.role = role
        self.log = logf
        self.buf = b''
        self.events = []
        self.ids = 0
        self.closed = False
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)	# QEMU listens already (fd passed)
        greeting = self._read(time.monotonic() + T_QMP, 'the QMP greeting')
        if 'QMP' not in greeting:
            raise CaseError('%s: unexpected QMP greeting %r' % (role, greeting))
        self.cmd('qmp_capabilities')

    def _log(self, direction, msg):
        self.log.write(json.dumps({'t': real(), 'dir': direction, 'msg': msg}) + '\n')

    def _read(self, deadline, what):
        while b'\n' not in self.buf:
            if self.closed:
                raise CaseError('%s: QMP closed while waiting for %s' % (self.role, what))
            left = deadline - time.monotonic()
            if left <= 0:
                raise CaseError('%s: timeout waiting for %s' % (self.role, what))
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                continue
            try:
                data = self.sock.recv(65536)
            except OSError:
                data = b''
            if not data:
                self.closed = True
                continue
            self.buf += data
        line, self.buf = self.buf.split(b'\n', 1)
        msg = json.loads(line)
        self._log('<', msg)
        if 'event' in msg:
            self.events.append(msg)
        return msg

    def cmd(self, name, timeout=T_QMP, **args):
        self.ids += 1
        msg = {'execute': name, 'id': self.ids}
        if args:
            msg['arguments'] = args
        self._log('>', msg)
        try:
            self.sock.sendall(json.dumps(msg).encode() + b'\n')
        except OSError as e:
            self.closed = True
            raise CaseError('%s: cannot send %s: %s' % (self.role, name, e))
        deadline = time.monotonic() + timeout
        while True:
            r = self._read(deadline, 'the answer to ' + name)
            if r.get('id') == self.ids:
                if 'error' in r:
                    raise CaseError('%s: %s failed: %s' % (self.role, name, r['error']))
                return r['return']

    def drain(self):
        """Read whatever has arrived, without waiting."""
        while not self.closed:
            r, _, _ = select.select([self.sock], [], [], 0)
            if not r:
                return
            try:
                self._read(time.monotonic() + 1, 'pending messages')
            except CaseError:
                return

    def wait_event(self, pred, what, timeout=T_MIG, after=-1):
        """The first event after index @after that satisfies pred: (index, event)."""
        deadline = time.monotonic() + timeout
        i = after + 1
        while True:
            while i < len(self.events):
                if pred(self.events[i]):
                    return i, self.events[i]
                i += 1
            self._read(deadline, what)

    def wait_status(self, statuses, timeout=T_MIG, after=-1):
        """The next MIGRATION event with a status in @statuses."""
        last = [None]

        def pred(e):
            if e['event'] != 'MIGRATION':
                return False
            last[0] = e['data']['status']
            return last[0] in statuses
        try:
            return self.wait_event(pred, 'MIGRATION status ' + '|'.join(statuses),
                                   timeout, after)
        except CaseError as e:
            raise CaseError('%s (last status: %s)' % (e, last[0]))

    def wait_vfio(self, dev, states, timeout=T_MIG, after=-1):
        """VFIO_MIGRATION events of device @dev with these states, in order;
        returns the index of the last."""
        for st in states:
            after, _ = self.wait_event(
                lambda e, st=st: e['event'] == 'VFIO_MIGRATION' and
                e['data']['device-id'] == dev and e['data']['device-state'] == st,
                'VFIO_MIGRATION %s %s' % (dev, st), timeout, after)
        return after

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Qemu:
    """One QEMU process of a case: a source (-S) or a destination
    (-incoming defer), with its QMP socket passed in as a listening fd."""

    def __init__(self, case, role, uuids, tmp, dirty_tracking=False):
        self.role = role
        self.tmp = tmp
        self.killed = False
        self.qmp = None
        self.rc = None
        sock_path = os.path.join(tmp, 'qmp-%s.sock' % role)
        lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        lsock.bind(sock_path)
        lsock.listen(1)
        ev = os.path.join(tmp, 'trace-events')
        if not os.path.exists(ev):
            write_file(ev, TRACE_EVENTS)
        # A monitor of its own for vfiomigtop --qmp (as an operator adds
        # one; QEMU's monitor sockets take one client each).
        self.vmt_sock = os.path.join(tmp, 'vmt-%s.qmp' % role)
        args = [QEMU, '-name', '%s-%s' % (case, role),
                '-accel', 'tcg,tb-size=32', '-machine', 'q35', '-smp', '1',
                '-m', '64', '-nodefaults', '-display', 'none',
                '-chardev', 'socket,id=qmp,fd=%d,server=on,wait=off' % lsock.fileno(),
                '-mon', 'chardev=qmp,mode=control',
                '-chardev', 'socket,id=vmt,path=%s,server=on,wait=off' % self.vmt_sock,
                '-mon', 'chardev=vmt,mode=control',
                '-trace', 'events=' + ev,
                '-D', os.path.join(tmp, 'trace-%s.log' % role),
                '-msg', 'timestamp=on']
        for i, u in enumerate(uuids):
            dev = ('vfio-pci,id=mtty%d,sysfsdev=%s/%s,enable-migration=on,'
                   'migration-events=on,bus=pcie.0,addr=0x%x' % (i, MDEV, u, 4 + i))
            if not dirty_tracking:
                # Debian's 6.12 has no IOMMUFD: mtty's DMA logging
                # callbacks exist but the report always fails.
                dev += ',x-device-dirty-page-tracking=off'
            args += ['-device', dev]
        args += ['-S'] if role == 'src' else ['-incoming', 'defer']
        self.args = args
        self.errf = open(os.path.join(tmp, 'stderr-%s.log' % role), 'w')
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                     stdout=self.errf, stderr=self.errf,
                                     pass_fds=[lsock.fileno()])
        lsock.close()
        self.qlog = open(os.path.join(tmp, 'qmp-%s.jsonl' % role), 'w')
        try:
            self.qmp = QMP(role, sock_path, self.qlog)
        except BaseException:
            self.cleanup()
            raise

    def alive(self):
        return self.proc.poll() is None

    def kill(self):
        self.killed = True
        self.kill_time = real()
        self.proc.send_signal(signal.SIGKILL)
        self.wait_exit()

    def wait_exit(self, timeout=T_EXIT):
        try:
            self.rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise CaseError('%s QEMU did not exit within %.0f s' % (self.role, timeout))
        if self.qmp:
            self.qmp.drain()
        return self.rc

    def quit(self):
        if not self.alive():
            return self.wait_exit()
        try:
            self.qmp.cmd('quit')
        except CaseError:
            pass	# it may close the socket before answering
        return self.wait_exit()

    def cleanup(self):
        """Whatever happened: no QEMU left behind (its fds pin the mdevs)."""
        if self.alive():
            self.proc.send_signal(signal.SIGKILL)
            try:
                self.proc.wait(T_EXIT)
            except subprocess.TimeoutExpired:
                pass
        if self.qmp:
            self.qmp.close()
        self.qlog.close()
        self.errf.close()


class Monitor:
    """vfiomigtop -b --events on the case's pairs."""

    LINE = re.compile(r'^(\S+) (src|dst) (\S+) (\S+) (\S+)((?: \w+)*)$')

    def __init__(self, binary, pairs, path, extra, journal=None):
        self.path = path
        self.out = open(path, 'w')
        self.err = open(path + '.stderr', 'w')
        args = [binary, '-b', '--events', '--stuck', str(STUCK)] + list(extra)
        if journal:
            # Recorded too: the host replays it and compares (check-replay.py).
            args += ['-w', journal]
        for s, d in pairs:
            args += ['--pair', '%s=%s' % (s, d)]
        self.args = args
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                     stdout=self.out, stderr=self.err)
        self.rc = None

    def last_state(self, name):
        """The state vfiomigtop last showed for device @name, or None."""
        last = None
        with open(self.path) as f:
            for line in f:
                m = self.LINE.match(line.rstrip('\n'))
                if m and m.group(3) == name:
                    last = m.group(5)
        return last

    def wait_state(self, name, state):
        def cond():
            if self.proc.poll() is not None:
                raise CaseError('vfiomigtop exited (%s) while waiting for %s %s'
                                % (self.proc.returncode, name, state))
            return self.last_state(name) == state
        wait_until(cond, T_MON, 'vfiomigtop to show %s in %s (it shows %s)'
                   % (name, state, self.last_state(name)), step=0.05)

    def decided(self, src, dst):
        """Whether a pair line with a decided outcome was printed."""
        pat = re.compile(r'^\S+ pair %s %s (completed|failed|uncertain)\b'
                         % (re.escape(src), re.escape(dst)))
        with open(self.path) as f:
            return any(pat.match(line) for line in f)

    def cpu_seconds(self):
        """User + system CPU time the monitor has used so far."""
        try:
            with open('/proc/%d/stat' % self.proc.pid) as f:
                w = f.read().rsplit(')', 1)[1].split()
            return (int(w[11]) + int(w[12])) / os.sysconf('SC_CLK_TCK')
        except (OSError, IndexError, ValueError):
            return None

    def stop(self):
        self.cpu = self.cpu_seconds()
        self.rc = stop_monitor(self, 'vfiomigtop')
        return self.rc


def stop_monitor(m, what):
    """SIGTERM to monitor M (its proc, out and err), its exit status;
    CaseError, after a SIGKILL, if it did not exit within T_EXIT."""
    if m.proc.poll() is None:
        m.proc.send_signal(signal.SIGTERM)
    try:
        return m.proc.wait(T_EXIT)
    except subprocess.TimeoutExpired:
        m.proc.kill()
        m.rc = m.proc.wait()
        raise CaseError('%s did not exit on SIGTERM' % what)
    finally:
        m.out.close()
        m.err.close()


class QmpMonitor:
    """vfiomigtop -b --json --qmp SRC --qmp DST: QEMU's view beside the
    kernel's (issue 11), checked by check-qmp.py from json.txt."""

    def __init__(self, binary, pairs, path, socks):
        self.path = path
        self.out = open(path, 'w')
        self.err = open(path + '.stderr', 'w')
        args = [binary, '-b', '--json', '-d', '0.5', '--stuck', str(STUCK)]
        for s, d in pairs:
            args += ['--pair', '%s=%s' % (s, d)]
        for sock in socks:
            args += ['--qmp', sock]
        self.args = args
        env = dict(os.environ, VFIOMIGTOP_OWNER_PERIOD='0.5')
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, env=env,
                                     stdout=self.out, stderr=self.err)
        self.rc = None

    def wait_connected(self, socks):
        """Until it said it is connected to each QEMU (events before that
        are lost: QEMU does not replay them)."""
        def cond():
            if self.proc.poll() is not None:
                raise CaseError('vfiomigtop --qmp exited (%s)' % self.proc.returncode)
            with open(self.path + '.stderr') as f:
                text = f.read()
            return all('QMP %s: connected' % s in text for s in socks)
        wait_until(cond, T_MON, 'vfiomigtop --qmp to connect to both QEMUs', step=0.05)

    def last(self):
        """Its last whole snapshot, or None."""
        last = None
        with open(self.path) as f:
            for line in f:
                if line.endswith('}\n'):
                    last = line
        return json.loads(last) if last else None

    def wait_dev(self, name, pred, what):
        def cond():
            if self.proc.poll() is not None:
                raise CaseError('vfiomigtop --qmp exited (%s)' % self.proc.returncode)
            snap = self.last()
            for d in (snap or {}).get('devices', []):
                if d['name'] == name and pred(d):
                    return True
            return False
        wait_until(cond, T_MON, what, step=0.1)

    def stop(self):
        self.rc = stop_monitor(self, 'vfiomigtop --qmp')
        return self.rc


# States a device is left in with no owner when its VMM is gone.
STRANDABLE = ('RESUMING', 'STOP', 'ERROR')


class Guest:
    def __init__(self, opts):
        self.o = opts
        self.root = None
        self.ncase = 0
        self.failures = 0
        self.hold = not opts.bench	# the benchmark measures QEMU as it is

    # ---- module and devices ----
    def load_module(self, arcs):
        args = ['insmod', self.o.module] + ([] if arcs else ['arcs=0'])
        r = subprocess.run(args, capture_output=True, text=True)
        if r.returncode:
            raise CaseError('insmod vfiomig failed: ' + r.stderr.strip())
        self.root = os.path.join(DBG, read_file('/sys/module/vfiomig/parameters/root').strip())
        # The module's status file says whether the arc log is on.
        want = 'arcs %d' % (1 if arcs else 0)
        got = read_file(os.path.join(self.root, 'vfiomig')).splitlines()
        if want not in got:
            self.unload_module()
            raise CaseError('the status file says %s, expected "%s"' % (got, want))

    def unload_module(self):
        r = subprocess.run(['rmmod', 'vfiomig'], capture_output=True, text=True)
        if r.returncode:
            raise CaseError('rmmod vfiomig failed: ' + r.stderr.strip())

    def state_path(self, u):
        return os.path.join(self.root, u, 'migration', 'state')

    def create_mdev(self, u):
        write_file(os.path.join(MTTY_TYPE, 'create'), u)
        wait_until(lambda: read_file(self.state_path(u)).strip() == 'RUNNING', 30,
                   'the module to show %s RUNNING' % u)

    def remove_mdev(self, u):
        path = os.path.join(MDEV, u, 'remove')
        if not os.path.exists(path):
            return
        t = threading.Thread(target=write_file, args=(path, '1'), daemon=True)
        t.start()
        t.join(60)
        if t.is_alive():
            # An fd is still open somewhere: nothing later can work.
            log('FATAL: removing mdev %s blocks' % u)
            raise SystemExit(1)

    # ---- one case ----
    def run_case(self, mode, name, rep=0, monitor=('default',), tag=None):
        spec = CASES[name]
        self.ncase += 1
        tag = tag or name
        outdir = os.path.join(self.o.results, mode, tag)
        tmp = os.path.join(TMP, '%s-%s' % (mode, tag))
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
        n = self.ncase
        devs = []
        for i in range(spec['ndev']):
            devs.append({'id': 'mtty%d' % i,
                         'src': '83b8f4f2-509f-382f-3c1e-%04x%04x%02x01' % (n, rep, i),
                         'dst': '83b8f4f2-509f-382f-3c1e-%04x%04x%02x02' % (n, rep, i)})
        meta = {'case': name, 'tag': tag, 'mode': mode, 'rep': rep,
                'intent': spec['intent'], 'devices': devs, 'times': {},
                'clock': [], 'qemu': {}, 'error': None, 'monitor': None}
        times = meta['times']
        t0 = time.monotonic()
        src = dst = mon = qmon = None
        migf = os.path.join(tmp, 'mig.sock')
        try:
            for d in devs:
                self.create_mdev(d['src'])
                self.create_mdev(d['dst'])
            meta['clock'].append(clock_offset())
            if monitor:
                extra = [] if monitor == ('default',) else monitor
                mon = Monitor(self.o.vfiomigtop, [(d['src'], d['dst']) for d in devs],
                              os.path.join(tmp, 'events.txt'), extra,
                              None if self.o.bench else os.path.join(tmp, 'journal'))
                meta['monitor'] = mon.args
                for d in devs:
                    mon.wait_state(d['src'], 'RUNNING')
                    mon.wait_state(d['dst'], 'RUNNING')
            times['qemu_start'] = real()
            dst = Qemu(tag, 'dst', [d['dst'] for d in devs], tmp)
            src = Qemu(tag, 'src', [d['src'] for d in devs], tmp,
                       dirty_tracking=spec.get('dirty_tracking', False))
            if monitor and not self.o.bench:
                socks = [src.vmt_sock, dst.vmt_sock]
                qmon = QmpMonitor(self.o.vfiomigtop, [(d['src'], d['dst']) for d in devs],
                                  os.path.join(tmp, 'json.txt'), socks)
                meta['qmp_monitor'] = qmon.args
                meta['qemu_pid'] = {'src': src.proc.pid, 'dst': dst.proc.pid}
                qmon.wait_connected(socks)
            for q in (src, dst):
                q.qmp.cmd('migrate-set-capabilities', capabilities=[
                    {'capability': 'events', 'state': True}] + (
                    [{'capability': 'pause-before-switchover', 'state': True}]
                    if q is src and name == 'kill-src' else []))
            src.qmp.cmd('cont')
            for d in devs:
                src.qmp.wait_vfio(d['id'], ['running-p2p', 'running'], T_QMP)
            times['started'] = real()
            dst.qmp.cmd('migrate-incoming', uri='unix:' + migf,
                        **{'exit-on-error': False})
            hold = self.hold and name != 'setup-fail'
            if hold:
                # Hold the migration in pre-copy: at this bandwidth the
                # device's stop-copy data alone never fits the downtime.
                src.qmp.cmd('migrate-set-parameters', **HOLD)
            if name == 'reject':
                write_file(REJECT, 'Y')
            times['migrate'] = real()
            src.qmp.cmd('migrate', uri='unix:' + migf)
            if hold:
                # Until QEMU has both sides in the migration and the
                # monitor has seen it: a migration of a 64 MiB guest in
                # firmware is over between two polls otherwise, which no
                # real one is.
                src.qmp.wait_status({'active'})
                for d in devs:
                    src.qmp.wait_vfio(d['id'], ['pre-copy'])
                    dst.qmp.wait_vfio(d['id'], ['resuming'])
                    if mon:
                        mon.wait_state(d['src'], 'PRE_COPY')
                        mon.wait_state(d['dst'], 'RESUMING')
                    if qmon:	# QEMU's request beside the device's state
                        for side, st in (('src', 'PRE_COPY'), ('dst', 'RESUMING')):
                            qmon.wait_dev(
                                d[side], lambda x, st=st: x.get('state') == st and
                                (x.get('qemu') or {}).get('last_request') == st,
                                'vfiomigtop --qmp to show QEMU asked %s of %s' % (st, d[side]))
                times['held'] = real()
            ctx = Ctx(src, dst, devs, times, mon, hold)
            getattr(self, 'drive_' + name.replace('-', '_'))(ctx)
            times['end'] = real()
            for q in (src, dst):
                meta['qemu'][q.role] = self.outcome(q)
            # Where the migration left the devices, as the monitor shows
            # it, before QEMU quits (as a VM runs on after migrating).
            meta['post_state'] = self.settle(devs, mon)
            if qmon:
                # The --qmp monitor too, before QEMU quits (a VM runs on
                # after migrating; here QEMU quits at once).  In the reject
                # case, QEMU reports the destination running after its
                # reset: the disagreement must show while QEMU is there.
                for d in devs:
                    for side in ('src', 'dst'):
                        st = meta['post_state'][d[side]]
                        qmon.wait_dev(d[side], lambda x, st=st: x.get('state') == st,
                                      'vfiomigtop --qmp to show %s in %s' % (d[side], st))
                    if name == 'reject':
                        qmon.wait_dev(d['dst'], lambda x: x.get('disagreement'),
                                      'vfiomigtop --qmp to flag the reset %s' % d['dst'])
            # A pair left in a migration state (a source killed in
            # stop-copy leaves STOP_COPY and RESUMING behind) may be
            # decided only once --stuck has passed: give it that chance.
            for d in devs:
                if mon and not mon.decided(d['src'], d['dst']) and (
                        meta['post_state'][d['src']] in MIGRATING or
                        meta['post_state'][d['dst']] in MIGRATING):
                    t = time.monotonic()
                    try:
                        wait_until(lambda: mon.decided(d['src'], d['dst']),
                                   STUCK + T_DECIDE, 'a decided pair line', step=0.1)
                    except CaseError:
                        pass	# the checker reports it
                    meta.setdefault('decide_wait', {})[d['src']] = time.monotonic() - t
            times['quit'] = real()
            for q in (src, dst):
                q.quit()
            if name == 'reject':
                write_file(REJECT, 'N')
            meta['final_state'] = self.settle(devs, mon)
            times['settled'] = real()
            # Their VMMs are gone: a device left in RESUMING, STOP or
            # ERROR is stranded; wait until the JSON monitor says so.
            if qmon:
                for d in devs:
                    for side in ('src', 'dst'):
                        u = d[side]
                        if meta['final_state'][u] in STRANDABLE:
                            qmon.wait_dev(u, lambda x: x.get('stranded_no_owner'),
                                          'vfiomigtop --qmp to show %s stranded' % u)
                times['stranded_seen'] = real()
        except CaseError as e:
            meta['error'] = str(e)
        except Exception as e:		# a bug here: record it, go on
            meta['error'] = 'harness exception: %r' % e
        # ---- cleanup, whatever happened ----
        for q in (src, dst):
            if q:
                q.cleanup()
                if q.role not in meta['qemu']:
                    meta['qemu'][q.role] = self.outcome(q)
                meta['qemu'][q.role]['exit'] = q.proc.returncode
                meta['qemu'][q.role]['killed'] = q.killed
                meta['qemu'][q.role]['kill_time'] = getattr(q, 'kill_time', None)
                meta['qemu'][q.role]['args'] = q.args
                meta['qemu'][q.role]['errors'] = [
                    line.rstrip('\n') for line in open(os.path.join(tmp, 'stderr-%s.log' % q.role))]
        if os.path.exists(REJECT) and read_file(REJECT).strip() != 'N':
            write_file(REJECT, 'N')
        if mon:
            try:
                meta['monitor_exit'] = mon.stop()
                meta['monitor_cpu_s'] = mon.cpu
            except CaseError as e:
                meta['error'] = meta['error'] or str(e)
        if qmon:
            try:
                meta['qmp_monitor_exit'] = qmon.stop()
            except CaseError as e:
                meta['error'] = meta['error'] or str(e)
        meta['arcs'] = {}
        meta['states'] = {}
        for d in devs:
            for side in ('src', 'dst'):
                u = d[side]
                meta['states'][u] = read_file(self.state_path(u)).strip()
                if mode == 'arcs':
                    write_file(os.path.join(tmp, 'arcs-%s.txt' % u),
                               read_file(os.path.join(self.root, u, 'migration', 'arcs')))
        for d in devs:
            self.remove_mdev(d['src'])
            self.remove_mdev(d['dst'])
        meta['clock'].append(clock_offset())
        meta['duration'] = time.monotonic() - t0
        write_file(os.path.join(tmp, 'meta.json'), json.dumps(meta, indent=1) + '\n')
        write_file(os.path.join(tmp, 'qemu-outcome.json'),
                   json.dumps({r: {k: v.get(k) for k in ('status', 'error-desc', 'exit', 'killed', 'errors')}
                               for r, v in meta['qemu'].items()}, indent=1) + '\n')
        shutil.rmtree(outdir, ignore_errors=True)
        os.makedirs(os.path.dirname(outdir), exist_ok=True)
        shutil.copytree(tmp, outdir, ignore=shutil.ignore_patterns('*.sock', '*.qmp'))
        shutil.rmtree(tmp, ignore_errors=True)
        if meta['error']:
            self.failures += 1
        log('%s/%s: %s (%.1f s)' % (mode, tag, 'ERROR: ' + meta['error'] if meta['error']
                                    else 'done', meta['duration']))
        return meta

    def outcome(self, q):
        """What QEMU reports: query-migrate, if it still answers."""
        o = {'status': None, 'error-desc': None, 'query-migrate': None}
        if q.killed:
            o['status'] = 'killed'
            return o
        if not q.alive() or q.qmp.closed:
            o['status'] = 'exited'
            return o
        try:
            qm = q.qmp.cmd('query-migrate', timeout=30)
        except CaseError as e:
            o['status'] = 'no answer: %s' % e
            return o
        o['query-migrate'] = qm
        o['status'] = qm.get('status')
        o['error-desc'] = qm.get('error-desc')
        return o

    def settle(self, devs, mon):
        """The devices' states now, once the monitor shows them."""
        st = {}
        for d in devs:
            for side in ('src', 'dst'):
                st[d[side]] = read_file(self.state_path(d[side])).strip()
                if mon:
                    mon.wait_state(d[side], st[d[side]])
        return st

    # ---- how each case is driven, once `migrate` has been sent (and,
    # with ctx.hold, the migration is held in pre-copy) ----
    def release(self, c):
        if c.hold:
            c.src.qmp.cmd('migrate-set-parameters', **UNHOLD)

    def wait_done(self, c):
        """A migration meant to complete: both sides done, the destination
        running (it starts by itself after loading)."""
        c.src.qmp.wait_status({'completed', 'failed', 'cancelled'})
        c.dst.qmp.wait_status({'completed', 'failed'})
        for d in c.devs:
            i = c.dst.qmp.wait_vfio(d['id'], ['resuming'])
            c.dst.qmp.wait_vfio(d['id'], ['running'], after=i)
            c.src.qmp.wait_vfio(d['id'], ['stop'])

    def drive_complete(self, c):
        self.release(c)
        self.wait_done(c)

    drive_two_devices = drive_complete

    def drive_cancel(self, c):
        c.times['action'] = real()
        c.src.qmp.cmd('migrate_cancel')
        c.src.qmp.wait_status({'cancelled'})
        for d in c.devs:
            i = c.src.qmp.wait_vfio(d['id'], ['pre-copy'])
            c.src.qmp.wait_vfio(d['id'], ['running'], after=i)
        c.dst.qmp.wait_status({'failed'})

    def drive_kill_dst(self, c):
        c.times['action'] = real()
        c.dst.kill()
        c.src.qmp.wait_status({'failed'})
        for d in c.devs:
            i = c.src.qmp.wait_vfio(d['id'], ['pre-copy'])
            c.src.qmp.wait_vfio(d['id'], ['running'], after=i)

    def drive_reject(self, c):
        # The load fails in the destination's RESUMING -> STOP; QEMU's
        # recover state there is ERROR, so it resets the device (RUNNING).
        self.release(c)
        c.src.qmp.wait_status({'completed', 'failed', 'cancelled'})
        c.dst.qmp.wait_status({'completed', 'failed'})
        for d in c.devs:
            i = c.dst.qmp.wait_vfio(d['id'], ['resuming'])
            c.dst.qmp.wait_vfio(d['id'], ['running'], after=i)

    def drive_kill_src(self, c):
        # pause-before-switchover: the source stops the VM (devices to
        # STOP_COPY) and waits in pre-switchover for migrate-continue.
        self.release(c)
        c.src.qmp.wait_status({'pre-switchover'})
        for d in c.devs:
            c.src.qmp.wait_vfio(d['id'], ['stop-copy'])
            if c.mon:
                c.mon.wait_state(d['src'], 'STOP_COPY')
        c.times['action'] = real()
        c.src.kill()
        c.dst.qmp.wait_status({'failed'})

    def drive_setup_fail(self, c):
        # Device dirty tracking on: the DMA logging report fails in RAM
        # setup, before any device state change.
        c.src.qmp.wait_status({'failed', 'completed', 'cancelled'})
        c.dst.qmp.wait_status({'failed', 'completed'})

    # ---- runs ----
    def check_run(self, modes, cases):
        for mode in modes:
            try:
                self.load_module(arcs=(mode == 'arcs'))
            except CaseError as e:
                log('FAIL: %s' % e)
                self.failures += 1
                continue
            for c in cases:
                self.run_case(mode, c)
            try:
                self.unload_module()
            except CaseError as e:
                log('FAIL: %s' % e)
                self.failures += 1

    def bench_run(self, repeat):
        """The completing case, @repeat times per monitor setting,
        interleaved so that load from elsewhere spreads evenly."""
        configs = [('none', True, None), ('d1', True, ('-d', '1')),
                   ('d0.01', True, ('-d', '0.01')),
                   ('none-arcs0', False, None), ('d0.01-arcs0', False, ('-d', '0.01'))]
        out = open(os.path.join(self.o.results, 'bench.jsonl'), 'w')
        order = random.Random(10)	# a new order every round, the same every run
        for r in range(repeat):
            order.shuffle(configs)
            for cname, arcs, mon in configs:
                try:
                    self.load_module(arcs)
                except CaseError as e:
                    log('FAIL: %s' % e)
                    self.failures += 1
                    return
                meta = self.run_case('bench', 'complete', rep=r, monitor=mon,
                                     tag='%s-%d' % (cname, r))
                self.unload_module()
                qm = (meta['qemu'].get('src') or {}).get('query-migrate') or {}
                rec = {'config': cname, 'arcs': arcs, 'monitor': mon, 'rep': r,
                       'status': qm.get('status'), 'downtime': qm.get('downtime'),
                       'total-time': qm.get('total-time'),
                       'setup-time': qm.get('setup-time'), 'error': meta['error'],
                       'monitor_cpu_s': meta.get('monitor_cpu_s'),
                       'duration': meta['duration']}
                out.write(json.dumps(rec) + '\n')
                out.flush()
        out.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--results', required=True)
    ap.add_argument('--vfiomigtop', required=True)
    ap.add_argument('--module', required=True)
    ap.add_argument('--cases', default='all')
    ap.add_argument('--modes', default='arcs,poll')
    ap.add_argument('--bench', type=int, default=0)
    o = ap.parse_args()
    os.makedirs(TMP, exist_ok=True)
    g = Guest(o)
    t0 = time.monotonic()
    log('QEMU %s' % subprocess.run([QEMU, '--version'], capture_output=True,
                                   text=True).stdout.splitlines()[0])
    if o.bench:
        g.bench_run(o.bench)
    else:
        cases = CASE_ORDER if o.cases == 'all' else o.cases.split(',')
        for c in cases:
            if c not in CASES:
                log('unknown case %s' % c)
                return 1
        g.check_run(o.modes.split(','), cases)
    log('all cases took %.1f s, %d harness errors' % (time.monotonic() - t0, g.failures))
    return 1 if g.failures else 0


if __name__ == '__main__':
    sys.exit(main())
