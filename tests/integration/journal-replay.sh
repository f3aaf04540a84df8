#!/bin/bash
# journal-replay.sh - vfiomigtop -w records and -r replays (issue 12): the
# replay prints byte for byte what the live run printed (events, text,
# JSON, Prometheus; local trees and a remote agent), rotated files replay
# as one recording, two hosts' journals replay side by side, --begin and
# --end cut the window, and --report explains the failures.
. "$(dirname "$0")/lib.sh"

V=$VFIOMIGTOP
secs() { awk -v t="$1" 'BEGIN { split(substr(t, 12, 12), a, ":"); printf "%.3f", a[1] * 3600 + a[2] * 60 + a[3] }'; }
has_line() { grep -Eq -- "$1" "$2"; }

# A recorded run and its replay print the same bytes, and end alike.
same_as_live() {
	local desc=$1 live=$2 rep=$3
	if cmp -s "$live" "$rep"; then
		t_pass "$desc: the replay printed exactly what the live run printed ($(wc -l <"$live") lines)"
	else
		t_fail "$desc: the replay differs from the live run"
		diff "$live" "$rep" | head -20 | sed 's/^/    | /'
	fi
}

# ---- the demo, recorded in each batch format, replayed -------------------
# --events until a migration has failed and another completed.
t_mon "$T_DIR/ev.live" -b --events --demo --demo-speed 10 -d 0.05 -w "$T_DIR/ev.j"
mon=$T_PID
t_wait_line ' pair [^ ]+ [^ ]+ failed ' "$T_DIR/ev.live"
t_wait_line ' pair [^ ]+ [^ ]+ (completed|uncertain) ' "$T_DIR/ev.live"
t_stop $mon; rc_live=$?
"$V" -r "$T_DIR/ev.j" -b --events >"$T_DIR/ev.rep" 2>"$T_DIR/ev.rep.err"; rc_rep=$?
same_as_live "--events" "$T_DIR/ev.live" "$T_DIR/ev.rep"
t_eq "... and exits alike (3: a migration failed)" "$rc_rep" "$rc_live"
t_check "... saying nothing on stderr" test ! -s "$T_DIR/ev.rep.err"
t_grep "the journal is versioned and names its host" "^J vfiomigtop-journal schema=1 .* host=$(hostname) " "$T_DIR/ev.j"
t_grep "... and ends with an end record (stopped cleanly)" '^e [0-9]+ records=[0-9]+ lost=0 [0-9a-f]{8}$' <(tail -n 1 "$T_DIR/ev.j")
t_grep "decided attempts are recorded" '^a [0-9]+ src=[^ ]+ dst=[^ ]+ no=[0-9]+ outcome=failed ' "$T_DIR/ev.j"

t_mon "$T_DIR/tx.live" -b --demo --demo-speed 10 -d 0.05 -w "$T_DIR/tx.j"
mon=$T_PID
t_wait_line '^pair [^ ]+ [^ ]+ failed ' "$T_DIR/tx.live"
t_stop $mon
"$V" -r "$T_DIR/tx.j" -b >"$T_DIR/tx.rep" 2>&1
t_snaps "$T_DIR/tx.live" >/dev/null
same_as_live "text (-b)" "$T_DIR/tx.live" "$T_DIR/tx.rep"

t_mon "$T_DIR/js.live" -b --json --demo --demo-speed 10 -d 0.05 -w "$T_DIR/js.j"
mon=$T_PID
t_wait_line '"failed":true' "$T_DIR/js.live"
t_stop $mon
"$V" -r "$T_DIR/js.j" -b --json >"$T_DIR/js.rep" 2>&1
same_as_live "--json" "$T_DIR/js.live" "$T_DIR/js.rep"

"$V" -b --prometheus -n 4 -d 0.05 --demo -w "$T_DIR/pr.j" >"$T_DIR/pr.live" 2>&1
"$V" -r "$T_DIR/pr.j" -b --prometheus >"$T_DIR/pr.rep" 2>&1
same_as_live "--prometheus" "$T_DIR/pr.live" "$T_DIR/pr.rep"
t_grep "... labelled with the recording host" "host=\"$(hostname)\"" "$T_DIR/pr.rep"

# Any batch format replays any journal: -n counts snapshots as live.
"$V" -r "$T_DIR/ev.j" -b -n 3 >"$T_DIR/n3" 2>&1; rc=$?
t_eq "-n 3 on a replay: three snapshots" "$(grep -c '^snapshot ' "$T_DIR/n3")" 3
t_eq "... and the exit status of what it replayed" "$rc" 0

# ---- the simulator in lock step, and a remote agent -----------------------
root=$T_DIR/root
cat >"$T_DIR/ok.scn" <<'SCN'
0    src 0000:3b:00.2 add
0    dst 0000:3b:00.2 add
0.3  src 0000:3b:00.2 PRE_COPY
0.6  src 0000:3b:00.2 PRE_COPY_P2P
0.9  src 0000:3b:00.2 STOP_COPY
1.2  dst 0000:3b:00.2 RESUMING
1.5  src 0000:3b:00.2 STOP
1.8  dst 0000:3b:00.2 RUNNING_P2P
1.9  dst 0000:3b:00.2 RUNNING
SCN
t_sim "$T_DIR/ok.scn" "$root"
t_mon "$T_DIR/ag.live" -b --events -d 0.05 -w "$T_DIR/ag.j" --src "$root/src" \
	--dst "cmd:$V --agent -d 0.05 --src $root/dst"
mon=$T_PID
t_wait_line "$(t_seen_re dst 0000:3b:00.2 RUNNING)" "$T_DIR/ag.live"
t_check "the migration, in lock step, the destination through an agent" t_sim_walk "$T_DIR/ag.live"
t_wait_line ' pair 0000:3b:00\.2 0000:3b:00\.2 completed ' "$T_DIR/ag.live"
t_stop $mon; rc_live=$?
t_sim_end
"$V" -r "$T_DIR/ag.j" -b --events >"$T_DIR/ag.rep" 2>"$T_DIR/ag.rep.err"; rc_rep=$?
same_as_live "--events with a remote agent" "$T_DIR/ag.live" "$T_DIR/ag.rep"
t_eq "... exit status 0 both" "$rc_rep/$rc_live" "0/0"
t_grep "the agent source is recorded as one" '^S i=1 feed=dst kind=agent spec=cmd:' "$T_DIR/ag.j"
t_grep "... with its host and clock offset" '^r [0-9]+ .*@1 .*H[^ ]+ .*|^r [0-9]+ .*@1 .*O-?[0-9]+' "$T_DIR/ag.j"

# ---- two hosts recorded apart, replayed together --------------------------
# Each host records its own tree (as the unit file does); a monitor of
# both is the reference.
rm -rf "$root"
t_sim "$T_DIR/ok.scn" "$root"
t_mon "$T_DIR/ref" -b --events -d 0.05 --src "$root/src" --dst "$root/dst"
ref=$T_PID
t_mon "$T_DIR/a.out" -b --events -d 0.05 -w "$T_DIR/a.j" --src "$root/src"
a=$T_PID
t_mon "$T_DIR/b.out" -b --events -d 0.05 -w "$T_DIR/b.j" --src "$root/dst"
b=$T_PID
for f in ref a.out b.out; do
	t_wait_line ' 0000:3b:00\.2 - RUNNING$' "$T_DIR/$f"
done
walk_both() {
	local steps t side dev act rest want f0 fa fb
	while ! t_sim_done; do
		f0=$(t_size "$T_DIR/ref") fa=$(t_size "$T_DIR/a.out") fb=$(t_size "$T_DIR/b.out")
		steps=$(t_sim_next) || return 1
		while read -r t side dev act rest; do
			case $act in [A-Z]*) want=$act ;; *) continue ;; esac
			t_wait_line "$(t_seen_re "$side" "$dev" "$want")" "$T_DIR/ref" "$f0" || return 1
			# each recorder sees its own tree as its "src"
			if [ "$side" = src ]; then
				t_wait_line "$(t_seen_re src "$dev" "$want")" "$T_DIR/a.out" "$fa" || return 1
			else
				t_wait_line "$(t_seen_re src "$dev" "$want")" "$T_DIR/b.out" "$fb" || return 1
			fi
		done <<<"$steps"
	done
}
t_check "two recorders and a monitor of both, in lock step" walk_both
t_wait_line ' pair 0000:3b:00\.2 0000:3b:00\.2 completed ' "$T_DIR/ref"
t_stop $a; t_stop $b; t_stop $ref
t_sim_end
"$V" -r "$T_DIR/a.j" -r "$T_DIR/b.j" -b --events >"$T_DIR/ab" 2>"$T_DIR/ab.err"; rc=$?
t_grep "two journals replayed side by side decide the pair" ' pair 0000:3b:00\.2 0000:3b:00\.2 completed [0-9.]+$' "$T_DIR/ab"
t_eq "... exit status 0" "$rc" 0
for side in src dst; do
	if diff <(awk '{ $1 = "" } 1' "$T_DIR/ref" | grep "^ $side " | sed 's/ inferred$//') \
		<(awk '{ $1 = "" } 1' "$T_DIR/ab" | grep "^ $side " | sed 's/ inferred$//') >"$T_DIR/ab.diff"; then
		t_pass "... the $side device's transitions are those the monitor of both saw"
	else
		t_fail "... the $side device's transitions differ from the monitor of both:"
		sed 's/^/    | /' "$T_DIR/ab.diff" | head
	fi
done
"$V" -r "$T_DIR/b.j" -r "$T_DIR/a.j" -b --events >"$T_DIR/ba" 2>&1
t_check "the first -r is the source side: the other way round, they swap" \
	has_line ' dst 0000:3b:00\.2 RUNNING PRE_COPY$' "$T_DIR/ba"
"$V" -r "$T_DIR/a.j" -r "$T_DIR/b.j" -b -n 4 >"$T_DIR/ab.txt" 2>&1
t_grep "... the second host's side is labelled with its host" '^snapshot [0-9]+ .* dst_host=[^ ]+ dst_clock_offset=[+-][0-9.]+$' "$T_DIR/ab.txt"

# ---- --begin and --end ----------------------------------------------------
t0=$(secs "$(head -n 1 "$T_DIR/ev.live" | cut -d' ' -f1)")
"$V" -r "$T_DIR/ev.j" -b --events --begin +1 --end +2.5 >"$T_DIR/win" 2>&1; rc=$?
t_check "--begin +1 --end +2.5: some events" test -s "$T_DIR/win"
lo=$(secs "$(head -n 1 "$T_DIR/win" | cut -d' ' -f1)")
hi=$(secs "$(tail -n 1 "$T_DIR/win" | cut -d' ' -f1)")
t_check "... none before the start + 1 s ($lo >= $t0 + 1)" awk -v a="$lo" -v b="$t0" 'BEGIN { exit !(a >= b + 0.999) }'
t_check "... none after the start + 2.5 s ($hi <= $t0 + 2.5)" awk -v a="$hi" -v b="$t0" 'BEGIN { exit !(a <= b + 2.501) }'
t_check "... and the same lines as the whole replay there" \
	bash -c "grep -Fxf '$T_DIR/win' '$T_DIR/ev.rep' | cmp -s - '$T_DIR/win'"
hhmm=$(head -n 1 "$T_DIR/ev.live" | cut -c12-19)	# HH:MM:SS, UTC
TZ=UTC "$V" -r "$T_DIR/ev.j" -b --events --begin "$hhmm" --end "+0.5" >"$T_DIR/win2" 2>&1
t_check "--begin HH:MM:SS (local time, TZ=UTC here)" test -s "$T_DIR/win2"
"$V" -r "$T_DIR/ev.j" -b --begin "half past" >"$T_DIR/bad" 2>&1; rc=$?
t_eq "--begin 'half past': a usage error" "$rc" 1
t_grep "... that shows the forms" "--begin 'half past': not a time \(\[YYYY-MM-DD \]HH:MM\[:SS\]" "$T_DIR/bad"
"$V" -r "$T_DIR/ev.j" -b --begin +5 --end +2 >"$T_DIR/bad" 2>&1; rc=$?
t_eq "--end before --begin: refused" "$rc/$(grep -c 'before --begin' "$T_DIR/bad")" "1/1"
"$V" -r "$T_DIR/ev.j" -b --begin "2001-01-01 00:00" --end "2001-01-02 00:00" >"$T_DIR/bad" 2>&1; rc=$?
t_eq "a window with no refresh: said, status 1" "$rc/$(grep -c 'no refresh of the journal falls' "$T_DIR/bad")" "1/1"

# ---- --report -------------------------------------------------------------
"$V" -r "$T_DIR/ev.j" --report >"$T_DIR/rep" 2>&1; rc=$?
t_eq "--report: exit status as the replay's (3)" "$rc" 3
nfail=$(grep -c ' pair [^ ]* [^ ]* failed ' "$T_DIR/ev.live")
t_eq "... one section per failed attempt ($nfail)" "$(grep -c '^==== vfiomigtop report: ' "$T_DIR/rep")" "$nfail"
for want in '^verdict: +FAILED: ' '^decided by: +the (source|destination), reason [a-z-]+$' \
	'^evidence: ' '^started: +20[0-9-]{8}T' '^SOURCE  ' '^DESTINATION  ' \
	'^  kernel: +[^ ]' '^  state files: +a directory' '^  missed arcs: ' \
	'^SOURCE timeline' '^DESTINATION timeline' \
	'^  20[0-9-]{8}T[0-9:.]{12}Z  [A-Z_-]+ +-> [A-Z_]+ +(read|inferred|exact)' 'held [0-9]+\.[0-9]{3} s' \
	"^QEMU's view" 'no QEMU was connected'; do
	t_grep "... the report has /$want/" "$want" "$T_DIR/rep"
done
"$V" -r "$T_DIR/ev.j" --report=0000:3b:00.2 >"$T_DIR/rep1" 2>&1; rc=$?
t_grep "--report=PAIR: that pair's attempts, not only failed ones" '^verdict: +(completed in|uncertain: )' "$T_DIR/rep1"
t_nogrep "... and no other pair" '^==== vfiomigtop report: (0000:3b:00\.[^2]|0000:d8)' "$T_DIR/rep1"
"$V" --report 0000:3b:00.2 -r "$T_DIR/ev.j" >"$T_DIR/rep1b" 2>&1
t_check "--report PAIR (a separate word) is --report=PAIR" cmp -s "$T_DIR/rep1" "$T_DIR/rep1b"
"$V" -r "$T_DIR/ev.j" --report --json >"$T_DIR/rep.json" 2>&1
t_check "--report --json: one JSON object" jq -e '.type == "report" and .schema == 1 and (.attempts | length) > 0' "$T_DIR/rep.json"
t_check "... with both timelines, verdict and side facts" jq -e \
	'all(.attempts[]; .outcome == "failed" and (.src.timeline | length) > 0 and (.dst.timeline | length) > 0 and .src.files == "directory" and (.reason | type) == "string")' "$T_DIR/rep.json"
"$V" -r "$T_DIR/ev.j" --report=no-such-device >"$T_DIR/rep0" 2>&1; rc=$?
t_eq "--report=no-such-device: status 1" "$rc" 1
t_grep "... saying no pair matches" 'no pair (of the journal )?matches' "$T_DIR/rep0"
"$V" -b -n 2 -d 0.05 --report --src "$FIXTURES/basic/src" --dst "$FIXTURES/basic/dst" >"$T_DIR/live.rep" 2>&1
t_grep "--report on live trees: said when nothing failed" '^no failed attempt' "$T_DIR/live.rep"
"$V" -r "$T_DIR/a.j" -r "$T_DIR/b.j" --report=0000:3b:00.2 >"$T_DIR/rep2" 2>&1
t_grep "--report over two hosts' journals" '^verdict: +completed in ' "$T_DIR/rep2"

# ---- what recording costs -------------------------------------------------
# A recording of an idle tree costs next to nothing (the writer thread
# waits on its deadlines; it must never spin).
cpu() {
	local TIMEFORMAT='%U %S'
	{ time "$V" "$@" >/dev/null 2>&1; } 2>&1 | awk '{ print $1 + $2 }'
}
c=$(cpu -b -n 40 -d 0.05 --src "$FIXTURES/basic/src" -w "$T_DIR/idle.j")
t_check "40 refreshes recorded in 2 s take little CPU ($c s < 0.5 s)" \
	awk -v c="$c" 'BEGIN { exit !(c < 0.5) }'
t_eq "... 40 refresh records" "$(grep -c '^r ' "$T_DIR/idle.j")" 40

# ---- rotation ---------------------------------------------------------------
t_mon "$T_DIR/ro.live" -b --events --demo --demo-speed 20 -d 0.01 -w "$T_DIR/ro.j" \
	--write-max 64K --write-keep 3
mon=$T_PID
t_check "--write-max 64K: the journal is rotated" t_wait_for "$T_WAIT" test -e "$T_DIR/ro.j.1"
t_stop $mon
t_check "... to files of 64K and one record at most" \
	test "$(stat -c %s "$T_DIR/ro.j.1")" -lt $((64 * 1024 + 8192))
files=()
for k in 3 2 1; do [ -e "$T_DIR/ro.j.$k" ] && files+=(-r "$T_DIR/ro.j.$k"); done
if [ -e "$T_DIR/ro.j.3" ]; then
	t_skip_note="(more rotations than kept)"
else
	"$V" "${files[@]}" -r "$T_DIR/ro.j" -b --events >"$T_DIR/ro.rep" 2>&1
	same_as_live "rotated files, replayed together" "$T_DIR/ro.live" "$T_DIR/ro.rep"
fi
t_grep "... each new file begins with a header and a keyframe" '^k [0-9]+ @0 N' "$T_DIR/ro.j"
"$V" -r "$T_DIR/ro.j" -b --events >"$T_DIR/ro.tail" 2>&1; rc=$?
t_check "the newest file alone replays from its keyframe" test -s "$T_DIR/ro.tail"

t_done
