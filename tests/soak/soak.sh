#!/bin/bash
# soak.sh - vfiomigtop watches a long, fast simulated week (or, in make
# check, two hours) and must stay flat: the simulator replays a scenario
# from gen-scenario.sh (hundreds of devices, mdevs created and removed
# all the time, thousands of migrations failing in every way) at SPEED
# times real time, with arc logs, while these run:
#
#   batch   -b --events -w JOURNAL (rotating), its destination through a
#           long-lived agent (cmd:): the batch view, the journal, and
#   agent   that agent (--agent), the agent view;
#   prom    --prometheus-file, both trees read directly;
#   tui     the screen in tmux, its destination through an agent that
#           exits every DROP seconds: the remote side drops, comes back.
#
# Every SAMPLE seconds each process's RSS, open fds, inotify watches,
# threads and CPU time are read from /proc (procstat.sh).  After a
# warm-up, the start window is 20-35 % of the run, the end window its
# last 15 %: the end must be within 10 % plus a small absolute of the
# start for fds, watches and threads (and RSS with SOAK_RSS=1), and CPU
# per refresh (each window's calmest 3-s stretch, see procstat.sh) within
# 50 % plus 0.1 ms (a busy machine's noise).  The
# numbers are printed, and written to SOAK_REPORT when set.  `make soak`
# runs the week.
#
# RSS is reported, not asserted, by default: forgotten devices' indices
# are taken again and the watcher's library starts afresh when its stale
# records pile up, so RSS now ends within its limit, but the batch
# monitor came within 0.5 MB of it on a busy machine (doc/performance.md).
#
# Environment: SOAK_HOURS SOAK_VFS SOAK_MDEVS SOAK_MIG_GAP SOAK_MDEV_LIFE
# (the scenario, see gen-scenario.sh), SOAK_SPEED, SOAK_DELAY (-d of every
# monitor), SOAK_SAMPLE, SOAK_DROP, SOAK_REPORT, SOAK_SAMPLES (a file to
# keep every sample in), SOAK_RSS=1 (assert RSS too).
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/procstat.sh"

command -v tmux >/dev/null || t_skip "tmux is not installed"
HOURS=${SOAK_HOURS:-2}
VFS=${SOAK_VFS:-100}
MDEVS=${SOAK_MDEVS:-16}
GAP=${SOAK_MIG_GAP:-600}
LIFE=${SOAK_MDEV_LIFE:-600}
SPEED=${SOAK_SPEED:-120}
DELAY=${SOAK_DELAY:-0.1}
SAMPLE=${SOAK_SAMPLE:-1}
DROP=${SOAK_DROP:-12}
A=$VFIOMIGTOP
root=$T_DIR/tree
scn=$T_DIR/soak.scn
mkdir -p "$root/src" "$root/dst" "$T_DIR/prom"

"$top_srcdir/tests/soak/gen-scenario.sh" "$HOURS" "$VFS" "$MDEVS" "$GAP" \
	"$LIFE" >"$scn"
valid() { "$VFIOMIG_SIM" --check "$scn" >/dev/null; }
t_check "the generated scenario is valid" valid
"$VFIOMIG_SIM" --truth "$scn" >"$T_DIR/truth"
nmig=$(wc -l <"$T_DIR/truth")
for how in completed src-cancel src-abort dst-error dst-reject dst-stuck; do
	t_check "the scenario has migrations that end $how" grep -q " $how\$" "$T_DIR/truth"
done
nmdev=$(grep -c '^[0-9.]* src [0-9a-f-]\{36\} add ' "$scn")
echo "scenario: $HOURS h, $VFS VFs a side, $nmig migrations, $nmdev mdevs created, speed $SPEED"

# The monitors, before the simulator starts.
t_mon "$T_DIR/events" -b --events -d "$DELAY" -w "$T_DIR/journal" \
	--write-max 256K --src "$root/src" \
	--dst "cmd:exec $A --agent -d $DELAY --src $root/dst"
batch=$T_PID
t_mon "$T_DIR/prom.out" --prometheus-file "$T_DIR/prom/vfiomigtop.prom" \
	-d "$DELAY" --src "$root/src" --dst "$root/dst"
prom=$T_PID
tm() { tmux -S "$T_DIR/tmux.sock" -f /dev/null "$@"; }
t_at_exit "tmux -S $T_DIR/tmux.sock kill-server 2>/dev/null"
drop="echo >>$T_DIR/connects; exec timeout $DROP $A --agent -d $DELAY --src $root/dst"
TERM=screen-256color LC_ALL=C.UTF-8 tm new-session -d -s soak -x 150 -y 45 \
	"$A -d $DELAY --src $root/src --dst 'cmd:$drop' 2>$T_DIR/tui.err; echo \$? >$T_DIR/tui.status"
pane=$(tm list-panes -t soak -F '#{pane_pid}')
# The processes to measure: the agent is the batch monitor's child, the
# screen the pane shell's.
child() { cat /proc/"$1"/task/*/children 2>/dev/null | awk '{ print $1 }'; }
has_child() { [ -n "$(child "$1")" ]; }
t_wait_for "$T_WAIT" has_child "$batch" || t_fail "the batch monitor started its agent"
t_wait_for "$T_WAIT" has_child "$pane" || t_fail "tmux started the screen"
agent=$(child "$batch")
tui=$(child "$pane")
t_wait_for "$T_WAIT" test -s "$T_DIR/prom/vfiomigtop.prom" ||
	t_fail "the Prometheus file is written"
screen_up() { tm capture-pane -p -t soak | grep -q '^vfiomigtop '; }
t_wait_for "$T_WAIT" screen_up || t_fail "the screen is drawn"

"$VFIOMIG_SIM" --speed "$SPEED" --arcs "$scn" "$root" >"$T_DIR/sim.out" \
	2>"$T_DIR/sim.err" &
sim=$!
t_at_exit "kill $sim 2>/dev/null"
samples=$T_DIR/samples
alive=1
# Builtins only: on a loaded machine a fork may fail, and a failed sed
# must not pass for a finished replay.
running() {
	local st
	read -r st 2>/dev/null <"/proc/$1/stat" || return 1
	st=${st##*) }
	[ "${st%% *}" != Z ]
}
# However slow the machine, the replay ends: four times its length, plus.
deadline=$(( EPOCHSECONDS + $(awk -v h="$HOURS" -v s="$SPEED" 'BEGIN { print int(h * 3600 / s * 4) }') + T_WAIT ))
while running "$sim"; do
	if [ "$EPOCHSECONDS" -gt "$deadline" ]; then
		t_fail "the simulator ended in time (see $T_DIR/sim.err)"
		break
	fi
	for p in batch:$batch agent:$agent prom:$prom tui:$tui; do
		# A sample can fail on a busy machine; a process can only die.
		ps_sample "${p%%:*}" "${p#*:}" >>"$samples" ||
			running "${p#*:}" || alive=0
	done
	[ "$alive" = 1 ] || break
	sleep "$SAMPLE"		# the sampling period, not a wait for a condition
done
wait "$sim"
t_eq "the simulator replayed the whole scenario" "$?" 0
t_check "every monitor ran to the end" test "$alive" = 1
t_check "... and wrote nothing on stderr" test ! -s "$T_DIR/events.err" -a ! -s "$T_DIR/prom.out.err"

# What they saw: migrations completing and failing, the remote side
# dropping and coming back.
t_grep "batch: completed migrations" ' pair [^ ]+ [^ ]+ completed ' "$T_DIR/events"
t_grep "batch: failed migrations" ' pair [^ ]+ [^ ]+ failed ' "$T_DIR/events"
t_grep "batch: mdevs came and went" ' src [0-9a-f-]{36} [A-Z_]+ <gone>' "$T_DIR/events"
connects=$(wc -l <"$T_DIR/connects")
t_check "the screen's remote side dropped and came back ($connects connections)" \
	test "$connects" -ge 2
t_check "the journal was written and rotated" test -s "$T_DIR/journal" -a -s "$T_DIR/journal.1"
t_grep "the Prometheus file counts failed pairs" '^vfiomigtop_pair_attempts_total\{.*outcome="failed"\} [1-9]' \
	"$T_DIR/prom/vfiomigtop.prom"

# Flat from start to end.
[ -z "${SOAK_SAMPLES:-}" ] || cp "$samples" "$SOAK_SAMPLES"
ps_report "$samples" "$DELAY" >"$T_DIR/report"
{
	echo "soak: $HOURS h of scenario at speed $SPEED ($nmig migrations, $nmdev mdevs), -d $DELAY"
	cat "$T_DIR/report"
} | tee -a "${SOAK_REPORT:-/dev/null}"
while read -r name metric start end limit; do
	case $metric in
	rss) [ "${SOAK_RSS:-0}" = 1 ] || { echo "NOTE: $name: rss $start KiB at the start, $end at the end (not asserted: SOAK_RSS=1)"; continue; } ;;
	cpu_ms_per_refresh) [ "${SOAK_CPU:-1}" = 1 ] || { echo "NOTE: $name: cpu $start ms at the start, $end at the end (not asserted: SOAK_CPU=0, a sanitized build or a loaded machine)"; continue; } ;;
	esac
	t_check "$name: $metric flat (start $start, end $end, limit $limit)" \
		awk -v e="$end" -v l="$limit" 'BEGIN { exit !(e <= l) }'
done < <(awk 'NF == 5 && $1 != "process"' "$T_DIR/report")
t_check "the report covers every process and metric" \
	test "$(awk 'NF == 5 && $1 != "process"' "$T_DIR/report" | wc -l)" -eq 20

# They end as they should.
t_stop "$batch"; rc=$?
t_eq "batch: exit status 3 (failed migrations)" "$rc" 3
t_stop "$prom"; rc=$?
t_check "prom: ends on SIGINT with a status that says what it saw ($rc)" test "$rc" -ge 3 -a "$rc" -le 5
tm send-keys -t soak q
t_wait_for "$T_WAIT" test -s "$T_DIR/tui.status" || t_fail "the screen quits on q"
t_eq "the screen: exit status 0" "$(cat "$T_DIR/tui.status" 2>/dev/null)" 0
[ ! -s "$T_DIR/tui.err" ] || { echo "the screen's standard error:"; sed 's/^/    | /' "$T_DIR/tui.err" | head -n 40; }
t_done
