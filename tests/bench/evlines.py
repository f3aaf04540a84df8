# SPDX-License-Identifier: GPL-2.0-or-later
"""evlines.py - the benchmarks' reader of `vfiomigtop -b --events`: lines
with a deadline, and the time a device's change took to reach them.
Used by tests/bench/tui-cpu.sh and tests/vm/qemu/screen-bench.py."""

import os
import select
import subprocess
import time


class Events:
    """vfiomigtop ARGV (-b --events ...) running, its lines read as they come."""

    def __init__(self, argv, env=None):
        self.p = subprocess.Popen(argv, stdout=subprocess.PIPE, bufsize=0,
                                  env=env)
        self.buf = b''
        self.last = []

    def line(self, deadline):
        """The next line, or None once CLOCK_MONOTONIC @deadline passed."""
        while b'\n' not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.p.stdout], [], [], left)[0]:
                return None
            chunk = os.read(self.p.stdout.fileno(), 65536)
            if not chunk:
                return None
            self.buf += chunk
        ln, self.buf = self.buf.split(b'\n', 1)
        ln = ln.decode(errors='replace')
        self.last = (self.last + [ln])[-3:]
        return ln

    def lines_until(self, count, secs):
        """Read @count lines (the first values of @count devices); False
        when they did not come within @secs."""
        end = time.monotonic() + secs
        for _ in range(count):
            if self.line(end) is None:
                return False
        return True

    def drain(self, secs):
        end = time.monotonic() + secs
        while time.monotonic() < end:
            self.line(end)

    def seen(self, side, name, state, secs=10):
        """time.monotonic_ns() when SIDE NAME's change to STATE is read,
        or None after @secs."""
        want = ' %s %s ' % (side, name)
        end = time.monotonic() + secs
        while True:
            ln = self.line(end)
            if ln is None:
                return None
            if want in ln and (' %s ' % state) in ln + ' ':
                return time.monotonic_ns()

    def close(self):
        self.p.terminate()
        self.p.wait()


def summary(lat):
    """Median, p90, p99 and max of latencies @lat (ms), sorted here."""
    lat.sort()
    q = lambda f: lat[min(len(lat) - 1, int(f * len(lat)))]  # noqa: E731
    return 'median %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms' % (
        q(0.5), q(0.9), q(0.99), lat[-1])
