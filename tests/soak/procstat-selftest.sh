#!/bin/bash
# procstat-selftest.sh - the soak test's measures measure: ps_sample reads
# a live process's fds, inotify watches and threads and follows them as
# they grow; ps_report passes a flat run and fails one that grows in any
# metric.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/procstat.sh"

# A holder that opens 40 more fds each time it reads a line.
mkfifo "$T_DIR/cmd"
(
	exec 3<"$T_DIR/cmd"
	while read -r _ <&3; do
		for _ in $(seq 40); do exec {fd}</dev/null; done
		echo opened >>"$T_DIR/holder.log"
	done
) &
holder=$!
t_at_exit "kill $holder 2>/dev/null"
exec 8>"$T_DIR/cmd"
fds_of() { ps_sample h "$holder" | awk '{ print $4 }'; }
opened() { [ "$(grep -c . "$T_DIR/holder.log" 2>/dev/null)" -ge "$1" ]; }
echo >&8
t_wait_for "$T_WAIT" opened 1 || t_fail "the holder opened its fds"
before=$(fds_of)
t_check "ps_sample counts open fds ($before)" test "$before" -ge 40
echo >&8
t_wait_for "$T_WAIT" opened 2 || t_fail "the holder opened more fds"
after=$(fds_of)
t_eq "ps_sample follows them as they grow" "$after" $((before + 40))
exec 8>&-

# A monitor on a tree of 3 devices: inotify watches and threads.
tree=$(t_tree basic)
t_mon "$T_DIR/out" -b -d 0.2 --src "$tree/src"
t_wait_line '^snapshot 2 ' "$T_DIR/out"
line=$(ps_sample mon "$T_PID")
read -r _ name rss fds w thr cpu <<<"$line"
t_eq "the line names the process" "$name" mon
t_check "RSS in KiB ($rss)" test "$rss" -gt 500
t_check "inotify watches: some for the tree ($w)" test "$w" -ge 3
t_check "threads: the readers and the watcher too ($thr)" test "$thr" -ge 2
t_check "CPU ticks: a number ($cpu)" test "$cpu" -ge 0
t_stop "$T_PID" >/dev/null
t_check "ps_sample fails once the process is gone" eval '! ps_sample mon "$T_PID" >/dev/null'

# ps_report on made-up runs of 20 samples a second apart, at -d 0.1.
gen() {	# NAME RSS FDS WATCHES THREADS TICKS/S, each "A:B" growing A to B
	awk -v spec="$*" 'BEGIN {
		n = split(spec, f, " ")
		for (i = 0; i < 20; i++) {
			line = (1000000 + i * 1000) " " f[1]
			for (k = 2; k <= n; k++) {
				split(f[k], ab, ":")
				x = ab[1] + (ab[2] - ab[1]) * i / 19
				line = line " " int(k == n ? x * i : x)
			}
			print line
		}
	}'
}
ends_within() {	# REPORT METRIC: END <= LIMIT
	awk -v m="$2" '$2 == m { found = 1; ok = $4 <= $5 } END { exit !(found && ok) }' "$1"
}
gen flat 8000:8000 200:200 100:100 4:4 10:10 >"$T_DIR/flat"
ps_report "$T_DIR/flat" 0.1 >"$T_DIR/flat.rep"
for m in rss fds watches threads cpu_ms_per_refresh; do
	t_check "a flat run: $m within its limit" ends_within "$T_DIR/flat.rep" $m
done
t_grep "CPU per refresh: 10 ticks/s at -d 0.1 is 10 ms" '^flat cpu_ms_per_refresh 10.000 10.000 ' "$T_DIR/flat.rep"
t_grep "medians of the windows" '^flat fds 200 200 223$' "$T_DIR/flat.rep"
for g in "rss 8000:12000 200:200 100:100 4:4 10:10" \
	 "fds 8000:8000 200:240 100:100 4:4 10:10" \
	 "watches 8000:8000 200:200 100:130 4:4 10:10" \
	 "threads 8000:8000 200:200 100:100 4:7 10:10" \
	 "cpu_ms_per_refresh 8000:8000 200:200 100:100 4:4 10:25"; do
	set -- $g
	gen grow $2 $3 $4 $5 $6 >"$T_DIR/grow"
	ps_report "$T_DIR/grow" 0.1 >"$T_DIR/grow.rep"
	t_check "a run whose $1 grows fails its limit" eval '! ends_within "$T_DIR/grow.rep" $1'
done

# 60 samples a second apart, 10 ticks/s, but 40 ticks/s over seconds
# 51-54 (a neighbour's burst) in the end window (51-59): that window's
# average is 21.25 ms per refresh, its calm 3-s stretch 10.
burst() {
	awk -v hot="$1" 'BEGIN {
		for (i = 0; i < 60; i++) {
			print (1000000 + i * 1000) " burst 8000 200 100 4 " ticks
			ticks += (i >= 51 && i < 54) ? hot : 10
		}
	}'
}
burst 40 >"$T_DIR/burst"
ps_report "$T_DIR/burst" 0.1 >"$T_DIR/burst.rep"
t_grep "a burst beside it: the end window costs its calm stretch" \
	'^burst cpu_ms_per_refresh 10.000 10.000 ' "$T_DIR/burst.rep"
t_check "... within its limit" ends_within "$T_DIR/burst.rep" cpu_ms_per_refresh
# The same 40 ticks/s from second 51 on: a cost that grew.
awk 'BEGIN {
	for (i = 0; i < 60; i++) {
		print (1000000 + i * 1000) " grown 8000 200 100 4 " ticks
		ticks += i >= 51 ? 40 : 10
	}
}' >"$T_DIR/grown"
ps_report "$T_DIR/grown" 0.1 >"$T_DIR/grown.rep"
t_grep "a cost grown for the whole end window is seen" \
	'^grown cpu_ms_per_refresh 10.000 40.000 ' "$T_DIR/grown.rep"
t_check "... and fails its limit" eval '! ends_within "$T_DIR/grown.rep" cpu_ms_per_refresh'
t_done
