#!/bin/bash
# prometheus.sh - `-b --prometheus` and `--prometheus-file`: the output passes
# `promtool check metrics`, with per-device and per-pair metrics that say
# what happened (a completed and a failed migration), escaped label values,
# a remote side's host and link; the file is replaced atomically; the
# documented alert rules pass `promtool check rules` and fire in a
# `promtool test rules` run.
. "$(dirname "$0")/../integration/lib.sh"

command -v promtool >/dev/null || t_skip "promtool not installed (apt-get install prometheus)"
A=$VFIOMIGTOP
out=$T_DIR/out
quiet() { "$@" >"$T_DIR/quiet.out" 2>&1 || { sed 's/^/    | /' "$T_DIR/quiet.out"; return 1; }; }

t_check "the alert rules pass promtool check rules" \
	quiet promtool check rules "$top_srcdir/doc/vfiomigtop-alerts.rules.yml"
t_check "the alert rules fire on a failed migration (promtool test rules)" \
	quiet promtool test rules "$top_srcdir/tests/remote/alerts.test.yml"

root=$T_DIR/mig
cat >"$T_DIR/mig.scn" <<'SCN'
0    src 0000:3b:00.2 add
0    dst 0000:3b:00.2 add
0    src 0000:5e:00.1 add
0    dst 0000:5e:00.1 add
0    src "we\"ird\\name\n\x1b" add
0.1  src 0000:3b:00.2 migrate 0000:3b:00.2
0.1  src 0000:5e:00.1 migrate 0000:5e:00.1 fail=dst-error
SCN
t_sim "$T_DIR/mig.scn" "$root"
mkdir "$T_DIR/textfile"
prom=$T_DIR/textfile/vfiomigtop.prom
t_mon "$out" --prometheus-file "$prom" -d 0.05 --src "$root/src" --dst "$root/dst"
mon=$T_PID
# Read the file over and over while it is being replaced: never partial.
reader() {
	local copies=0 partial=0
	while [ ! -e "$T_DIR/reader.stop" ]; do
		if [ -e "$prom" ] && cp "$prom" "$T_DIR/copy" 2>/dev/null; then
			copies=$((copies + 1))
			tail -n 1 "$T_DIR/copy" | grep -q '^vfiomigtop_pair_migration_seconds' ||
				partial=$((partial + 1))
			echo "$copies $partial" >"$T_DIR/reader.count"
		fi
		sleep 0.01
	done
}
reader &
rdr=$!
t_at_exit "kill $rdr 2>/dev/null"
# In lock step: each step of the scenario once the file shows the last.
prom_re() {
	printf '^vfiomigtop_device_state\\{host="[^"]+",side="%s",device="%s",state="%s"\\} 1$' \
		"$1" "$(printf '%s' "$2" | sed 's/[.]/\\./g')" "$3"
}
t_wait_line "$(prom_re dst 0000:5e:00.1 RUNNING)" "$prom"
t_check "the file follows every step of the scenario" t_sim_walk "$prom" prom_re
t_sim_end
copies() { [ "$(cut -d' ' -f1 "$T_DIR/reader.count" 2>/dev/null || echo 0)" -ge 10 ]; }
t_wait_for "$T_WAIT" copies
touch "$T_DIR/reader.stop"
wait $rdr
read -r copies partial <"$T_DIR/reader.count"
t_stop $mon; rc=$?
t_eq "a failed migration: exit status 3" "$rc" 3
t_check "the file was read $copies times while rewritten" test "$copies" -ge 10
t_eq "... never partial" "$partial" 0
t_check "nothing on stdout" test ! -s "$out"
t_check "no temporary file left" test "$(ls -A "$T_DIR/textfile")" = vfiomigtop.prom
t_check "the file is readable by node_exporter" test "$(stat -c %a "$prom")" = 644
t_check "the file passes promtool check metrics" promtool check metrics <"$prom"
t_grep "the completed pair" \
	'^vfiomigtop_pair_phase\{src_host="[^"]+",src_device="0000:3b:00\.2",dst_host="[^"]+",dst_device="0000:3b:00\.2",phase="completed"\} 1$' "$prom"
t_grep "the failed pair" \
	'^vfiomigtop_pair_failed\{src_host="[^"]+",src_device="0000:5e:00\.1",dst_host="[^"]+",dst_device="0000:5e:00\.1"\} 1$' "$prom"
t_grep "why it failed" \
	'^vfiomigtop_pair_failure_info\{.*dst_device="0000:5e:00\.1",outcome="failed",failed_side="dst",reason="error"\} 1$' "$prom"
t_grep "attempts counted by outcome: the completed one" \
	'^vfiomigtop_pair_attempts_total\{[^}]*src_device="0000:3b:00\.2"[^}]*,outcome="completed"\} 1$' "$prom"
t_grep "... the failed one" \
	'^vfiomigtop_pair_attempts_total\{[^}]*src_device="0000:5e:00\.1"[^}]*,outcome="failed"\} 1$' "$prom"
t_grep "... and zero for what did not happen" \
	'^vfiomigtop_pair_attempts_total\{[^}]*src_device="0000:5e:00\.1"[^}]*,outcome="completed"\} 0$' "$prom"
t_grep "the device in ERROR, one-hot" \
	'^vfiomigtop_device_state\{host="[^"]+",side="dst",device="0000:5e:00\.1",state="ERROR"\} 1$' "$prom"
t_grep "its ERROR counted" \
	'^vfiomigtop_device_errors_total\{host="[^"]+",side="dst",device="0000:5e:00\.1"\} 1$' "$prom"
t_grep "transitions counted" \
	'^vfiomigtop_device_transitions_total\{host="[^"]+",side="src",device="0000:3b:00\.2"\} [1-9][0-9]*$' "$prom"
t_grep "seconds in state" '^vfiomigtop_device_state_seconds\{.*device="0000:3b:00\.2"\} [0-9]+\.[0-9]{3}$' "$prom"
t_grep "a migration's duration" \
	'^vfiomigtop_pair_migration_seconds\{.*src_device="0000:3b:00\.2".*\} [0-9]+\.[0-9]{3}$' "$prom"
t_grep "label values escaped" 'device="we\\"ird\\\\name\\n\\\\x1b"' "$prom"
t_nogrep "no raw control characters" $'\e' "$prom"

# On stdout, with a remote destination through cmd: (the agent protocol).
t_run 60 "$out" -b --prometheus -n 1 --src "$root/src" --dst "cmd:$A --agent --src $root/dst"
t_check "stdout with a remote side: promtool check metrics" promtool check metrics <"$out"
t_grep "the remote host names the destination's devices" \
	"^vfiomigtop_device_present\\{host=\"$(hostname)\",side=\"dst\",device=\"0000:3b:00\\.2\"\\} 1$" "$out"
t_grep "the remote source is up" '^vfiomigtop_source_up\{host="[^"]+",side="dst",source="cmd:.*"\} 1$' "$out"
t_grep "its clock offset" '^vfiomigtop_source_clock_offset_seconds\{.*side="dst".*\} -?[0-9]+\.[0-9]+$' "$out"

t_run 60 "$out" -b --prometheus -n 1 --src "$root/src" --dst "cmd:exit 1"
t_check "a remote side that is down: promtool check metrics" promtool check metrics <"$out"
t_grep "... shown down" '^vfiomigtop_source_up\{.*side="dst".*\} 0$' "$out"

t_run 60 "$out" --prometheus-file "$T_DIR/nonexistent/x.prom" --src "$root/src"; rc=$?
t_eq "a file in a missing directory: status 1" "$rc" 1
t_grep "... explained" 'prometheus-file .*nonexistent/x\.prom: No such file or directory' "$out.err"
t_run 60 "$out" --prometheus --src "$root/src"; rc=$?
t_eq "--prometheus without -b: status 1" "$rc" 1
t_run 60 "$out" --prometheus-file "$prom" --json --src "$root/src"; rc=$?
t_eq "--prometheus-file with --json: status 1" "$rc" 1
t_done
