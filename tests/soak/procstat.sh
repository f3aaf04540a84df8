# shell=bash
# procstat.sh - what a process holds, from /proc, and whether it stayed
# flat; sourced by soak.sh and procstat-selftest.sh.

# ps_sample NAME PID: print one line "T_MS NAME RSS_KIB FDS WATCHES THREADS
# CPU_TICKS" (CLOCK_BOOTTIME ms, from /proc/uptime; VmRSS and Threads
# from status; entries of fd/; "inotify wd:" lines of the inotify fds'
# fdinfo; utime + stime from stat, in clock ticks); false once PID is
# gone.  Builtins and one find:
# the sampler must not load the machine it measures.
ps_sample() {
	local name=$1 pid=$2 k v rest rss= thr= w=0 fd st f t
	local -a fds
	while read -r k v rest; do
		case $k in
		VmRSS:) rss=$v ;;
		Threads:) thr=$v ;;
		esac
	done 2>/dev/null <"/proc/$pid/status" || return 1
	[ -n "$rss" ] || return 1	# a zombie has no memory
	fds=("/proc/$pid/fd/"*)
	for fd in $(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 \
			-lname 'anon_inode:inotify' -printf '%f ' 2>/dev/null); do
		while read -r k rest; do
			[ "$k" = inotify ] && w=$((w + 1))
		done <"/proc/$pid/fdinfo/$fd"
	done
	read -r st 2>/dev/null <"/proc/$pid/stat" || return 1
	# Fields after "(comm) ": state is the first, utime the 12th.
	read -ra f <<<"${st##*) }"
	# CLOCK_BOOTTIME (10 ms steps): the wall clock can be stepped back
	# under a run, which once gave a negative CPU rate.
	read -r t rest </proc/uptime || return 1
	t=${t/./}
	echo "${t}0 $name $rss ${#fds[@]} $w $thr $(( f[11] + f[12] ))"
}

# ps_report SAMPLES DELAY: for each process in SAMPLES (ps_sample lines,
# in time order), one line per metric "NAME METRIC START END LIMIT":
# rss, fds, watches and threads as medians over the start window (20 to
# 35 % of the sampled time, after a warm-up) and the end window (its last
# 15 %), with LIMIT = START * 1.10 + a small absolute (1024 KiB, 3 fds, 8
# watches, 1 thread); cpu as ms per refresh of DELAY seconds in each
# window, LIMIT = START * 1.5 + 0.1 ms.  A header line comes first.
#
# The CPU a process is charged for the same work varies with what runs
# beside it (caches, the host's other guests): a window's CPU per refresh
# is the least over its stretches of 3 s or more (the whole window when
# it is shorter), the cost with the least interference.  A cost that
# grows raises every stretch; a neighbour's burst raises only some.
ps_report() {
	awk -v delay="$2" -v hz="$(getconf CLK_TCK)" '
	# least CPU ms per refresh over stretches of >= 3 s of samples
	# F..L of process P (the whole of F..L when shorter)
	function cpu_min(p, f, l,    i, c, r, best) {
		best = -1
		c = f
		for (i = f + 1; i <= l; i++) {
			if (t[p, i] - t[p, c] < 3000)
				continue
			r = rate(p, c, i)
			c = i
			# Ticks never go back for one process: a stretch that
			# says so was sampled across another (a pid reused).
			if (r < 0)
				continue
			if (best < 0 || r < best)
				best = r
		}
		return best < 0 ? rate(p, f, l) : best
	}
	function rate(p, a, b) {
		return (v[p, b, 7] - v[p, a, 7]) * 1000 / hz / ((t[p, b] - t[p, a]) / 1000) * delay
	}
	function median(a, n,    i, j, t) {
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
				t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
			}
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	{
		n[$2]++; t[$2, n[$2]] = $1
		for (k = 3; k <= 7; k++)
			v[$2, n[$2], k] = $k
		if (!($2 in seen)) { seen[$2] = 1; order[++np] = $2 }
	}
	END {
		split("rss fds watches threads", mname, " ")
		abs[3] = 1024; abs[4] = 3; abs[5] = 8; abs[6] = 1
		print "process metric start end limit"
		for (q = 1; q <= np; q++) {
			p = order[q]
			t0 = t[p, 1]; span = t[p, n[p]] - t0
			s0 = t0 + 0.20 * span; s1 = t0 + 0.35 * span
			e0 = t0 + 0.85 * span
			for (k = 3; k <= 6; k++) {
				ns = ne = 0
				for (i = 1; i <= n[p]; i++) {
					if (t[p, i] >= s0 && t[p, i] <= s1)
						sa[++ns] = v[p, i, k]
					else if (t[p, i] >= e0)
						ea[++ne] = v[p, i, k]
				}
				if (!ns || !ne)
					continue
				st = median(sa, ns); en = median(ea, ne)
				printf "%s %s %g %g %g\n", p, mname[k - 2], st, en, st * 1.10 + abs[k]
			}
			# CPU: ticks per nominal refresh, the calmest stretch of each window.
			fs = ls = fe = le = ""
			for (i = 1; i <= n[p]; i++) {
				if (t[p, i] >= s0 && t[p, i] <= s1) {
					if (fs == "") fs = i
					ls = i
				} else if (t[p, i] >= e0) {
					if (fe == "") fe = i
					le = i
				}
			}
			if (fs == "" || fe == "" || ls == fs || le == fe)
				continue
			cs = cpu_min(p, fs, ls)
			ce = cpu_min(p, fe, le)
			printf "%s cpu_ms_per_refresh %.3f %.3f %.3f\n", p, cs, ce, cs * 1.5 + 0.1
		}
	}' "$1"
}
