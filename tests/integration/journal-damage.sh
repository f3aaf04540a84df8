#!/bin/bash
# journal-damage.sh - a journal survives what happens to files: kill -9 at
# any moment (the replay keeps everything but the last record, and a new
# recording appends after it), damaged and cut records (said with their
# offset, skipped), files that are not journals or come from a newer
# vfiomigtop (refused, clearly); the journal's options are checked.
. "$(dirname "$0")/lib.sh"

V=$VFIOMIGTOP
J=$T_DIR/k.j
grown() { [ "$(t_size "$J")" -ge "$1" ]; }

# ---- kill -9 at random moments, appending to the same journal -------------
# After each kill, the replay of the whole file must be what it was before
# plus a prefix of what that live run printed (its last refreshes may not
# have reached the file).
: >"$T_DIR/total"
prev=0
for i in 1 2 3 4 5; do
	from=$(t_size "$J")
	want=$(( from + 1500 + RANDOM % 6000 ))
	t_mon "$T_DIR/live.$i" -b --events --demo --demo-speed 20 -d 0.02 -w "$J"
	mon=$T_PID
	if ! t_wait_for "$T_WAIT" grown "$want"; then
		t_fail "kill -9 #$i: the journal did not grow to $want bytes"
	fi
	# ... at a moment of its own choosing: no wait for a record boundary
	kill -9 $mon
	wait $mon 2>/dev/null
	"$V" -r "$J" -b --events >"$T_DIR/rep.$i" 2>"$T_DIR/rep.$i.err"; rc=$?
	case $rc in
	0|3|4) t_pass "kill -9 #$i at byte ~$want: the journal replays (status $rc)" ;;
	*) t_fail "kill -9 #$i: the replay failed with status $rc:"; sed 's/^/    | /' "$T_DIR/rep.$i.err" ;;
	esac
	if cmp -s -n "$prev" "$T_DIR/total" "$T_DIR/rep.$i"; then
		t_pass "... the earlier recordings replay as before"
	else
		t_fail "... the earlier recordings changed"
	fi
	tail -c +$((prev + 1)) "$T_DIR/rep.$i" >"$T_DIR/new.$i"
	n=$(t_size "$T_DIR/new.$i")
	if [ "$n" -gt 0 ] && cmp -s -n "$n" "$T_DIR/new.$i" "$T_DIR/live.$i"; then
		t_pass "... and this one is what the live run printed, up to its last record ($n of $(t_size "$T_DIR/live.$i") bytes)"
	else
		t_fail "... this recording's replay ($n bytes) is not a prefix of what the live run printed"
		diff <(head -c "$n" "$T_DIR/live.$i") "$T_DIR/new.$i" | head -10 | sed 's/^/    | /'
	fi
	cp "$T_DIR/rep.$i" "$T_DIR/total"
	prev=$(t_size "$T_DIR/total")
done
t_eq "five recordings in the journal" "$(grep -c '^J vfiomigtop-journal ' "$J")" 5
t_nogrep "none of them ended cleanly (no end record)" '^e [0-9]+ ' "$J"

# ---- damaged, cut, zeroed --------------------------------------------------
"$V" -b --events --demo --demo-speed 20 -d 0.02 -n 40 -w "$T_DIR/d.j" >"$T_DIR/d.live" 2>/dev/null
lines=$(wc -l <"$T_DIR/d.j")
mid=$(( lines / 2 ))
off=$(head -n $((mid - 1)) "$T_DIR/d.j" | wc -c)
# flip one bit in the middle of line $mid
byte=$(od -An -tu1 -j $((off + 5)) -N1 "$T_DIR/d.j" | tr -d ' ')
printf "\\$(printf %o $((byte ^ 1)))" |
	dd of="$T_DIR/d.j" bs=1 seek=$((off + 5)) conv=notrunc status=none
"$V" -r "$T_DIR/d.j" -b --events >"$T_DIR/d.rep" 2>"$T_DIR/d.err"; rc=$?
t_check "a damaged record: the replay goes on (status $rc)" test "$rc" -ne 1
t_grep "... and says where it is" "d\\.j: offset $off: a damaged record \\(its checksum does not match\\) skipped" "$T_DIR/d.err"
t_check "... the rest is replayed" test "$(wc -l <"$T_DIR/d.rep")" -gt 10
# A cut tail and a power cut's zeros.
"$V" -b --events --demo --demo-speed 20 -d 0.02 -n 20 -w "$T_DIR/c.j" >/dev/null 2>&1
size=$(t_size "$T_DIR/c.j")
head -c $((size - 30)) "$T_DIR/c.j" >"$T_DIR/cut.j"
"$V" -r "$T_DIR/cut.j" -b --events >/dev/null 2>"$T_DIR/cut.err"; rc=$?
t_check "a cut tail: replayed (status $rc)" test "$rc" -ne 1
t_grep "... the cut record said with its offset" "cut\\.j: offset [0-9]+: a cut record \\([0-9]+ bytes without their newline\\) skipped" "$T_DIR/cut.err"
{ cat "$T_DIR/c.j"; head -c 4096 /dev/zero; } >"$T_DIR/zero.j"
"$V" -r "$T_DIR/zero.j" -b --events >/dev/null 2>"$T_DIR/zero.err"; rc=$?
t_check "zeros after the last record (a power cut): replayed (status $rc)" test "$rc" -ne 1
t_grep "... and said" "zero\\.j: offset $size: a cut record \\(4096 bytes" "$T_DIR/zero.err"
# A new recording after zeros: the zeros become one damaged line.
"$V" -b -n 3 -d 0.02 --src "$FIXTURES/basic/src" -w "$T_DIR/zero.j" >/dev/null 2>&1
"$V" -r "$T_DIR/zero.j" -b -n 100 >"$T_DIR/zero2" 2>"$T_DIR/zero2.err"
t_eq "... a recording appended after them replays too" "$(grep -c '^snapshot 1 ' "$T_DIR/zero2")" 2
t_grep "... the zeros reported once, as damaged" "zero\\.j: offset $size: a damaged record" "$T_DIR/zero2.err"

# ---- a disk that fails, then works again ---------------------------------
# A file size limit (as a full disk) makes writes fail: said once, the run
# goes on, records are dropped; once it is lifted, a gap record and a
# keyframe let the replay resume.
command -v prlimit >/dev/null || t_skip "prlimit (util-linux) is missing"
F=$T_DIR/full.j
(trap '' XFSZ; ulimit -S -f 16; exec "$V" -b --events --demo --demo-speed 20 -d 0.01 -w "$F") \
	>"$T_DIR/full.out" 2>"$T_DIR/full.err" &
full=$!
t_at_exit "kill -9 $full 2>/dev/null"
t_check "a write that fails is said" t_wait_line 'journal .*full\.j: write failed: File too large \(records are dropped until it works again\)' "$T_DIR/full.err"
size=$(t_size "$F")
t_check "... the run goes on (events still printed)" t_wait_for "$T_WAIT" test "$(t_size "$T_DIR/full.out")" -gt 0
prlimit --pid $full --fsize=unlimited:unlimited
has_gap() { grep -q '^g [0-9]* lost=[1-9]' "$F" && grep -q '^k [0-9]' "$F"; }
t_check "once it works again: a gap record and a keyframe" t_wait_for "$T_WAIT" has_gap
grows() { [ "$(grep -c '^r ' "$F")" -ge "$(( $1 + 20 ))" ]; }
t_check "... and the recording goes on" t_wait_for "$T_WAIT" grows "$(grep -c '^r ' "$F")"
kill -INT $full
t_check "it ends" t_wait_for "$T_WAIT" t_ended $full
wait $full; rc=$?
t_check "... with status 3 (a migration failed) or 1 (no other news: its journal lost records), not 0 ($rc)" \
	test "$rc" = 3 -o "$rc" = 1
t_grep "... said at the end, with the count" "journal .*full\.j: File too large \([0-9]+ records lost\)" "$T_DIR/full.err"
"$V" -r "$F" -b --events >"$T_DIR/full.rep" 2>"$T_DIR/full.rep.err"; rc=$?
t_check "the journal replays (status $rc)" test "$rc" -ne 1
t_grep "... saying where refreshes were lost" 'full\.j: offset [0-9]+: the recording lost refreshes here' "$T_DIR/full.rep.err"
t_check "... and what came after the gap is replayed" \
	test "$(tail -n 1 "$T_DIR/full.rep" | cut -c1-19)" = "$(tail -n 1 "$T_DIR/full.out" | cut -c1-19)"

# ---- not journals ----------------------------------------------------------
printf 'hello\n' >"$T_DIR/not.j"
"$V" -r "$T_DIR/not.j" -b >"$T_DIR/out" 2>&1; rc=$?
t_eq "a file that is not a journal: status 1" "$rc" 1
t_grep "... saying so" 'not\.j: not a vfiomigtop journal' "$T_DIR/out"
sed '1s/schema=1 /schema=7 /' "$T_DIR/c.j" >"$T_DIR/new.j"
"$V" -r "$T_DIR/new.j" -b >"$T_DIR/out" 2>&1; rc=$?
t_eq "a journal of a newer schema: status 1" "$rc" 1
t_grep "... saying to use a newer vfiomigtop" 'new\.j: journal schema 7 is newer than this vfiomigtop reads \(1\): replay it with a newer vfiomigtop' "$T_DIR/out"
"$V" -r "$T_DIR/missing.j" -b >"$T_DIR/out" 2>&1; rc=$?
t_eq "a missing file: status 1" "$rc/$(grep -c 'missing\.j: No such file' "$T_DIR/out")" "1/1"
: >"$T_DIR/empty.j"
"$V" -r "$T_DIR/empty.j" -b >"$T_DIR/out" 2>&1; rc=$?
t_eq "an empty file: status 1" "$rc/$(grep -c 'empty file' "$T_DIR/out")" "1/1"
mkdir -p "$T_DIR/ro"
chmod 0555 "$T_DIR/ro"
if [ "$(id -u)" != 0 ]; then
	"$V" -b -n 1 --src "$FIXTURES/basic/src" -w "$T_DIR/ro/j" >"$T_DIR/out" 2>&1; rc=$?
	t_eq "-w where it cannot write: status 1 before anything runs" "$rc" 1
	t_grep "... saying why" '-w .*ro/j: Permission denied' "$T_DIR/out"
fi
"$V" -b -n 1 --src "$FIXTURES/basic/src" -w "$T_DIR" >"$T_DIR/out" 2>&1; rc=$?
t_eq "-w on a directory: status 1" "$rc" 1

# ---- options ----------------------------------------------------------------
bad() {
	local want=$1
	shift
	"$V" "$@" >"$T_DIR/out" 2>&1
	local rc=$?
	if [ "$rc" = 1 ] && grep -q -- "$want" "$T_DIR/out"; then
		t_pass "vfiomigtop $*: refused: $want"
	else
		t_fail "vfiomigtop $*: status $rc, expected 1 and '$want':"
		sed 's/^/    | /' "$T_DIR/out" | head -5
	fi
}
bad '-r replays a journal: drop --src' -r "$J" --src /tmp
bad '-r replays a journal: drop --demo' -r "$J" --demo
bad 'use one of them' -r "$J" -w "$T_DIR/x.j"
bad '-d does not apply to -r' -r "$J" -d 2
bad '--begin applies to a replay' --begin 10:00 --src /tmp
bad '--write-max applies to a recording' --write-max 1M --src /tmp
bad "expected a size of at least 64K" -w "$T_DIR/x.j" --write-max 10 --src /tmp
bad "expected a size of at least 64K" -w "$T_DIR/x.j" --write-max 1.5G --src /tmp
bad "expected 1 to 1000 files" -w "$T_DIR/x.j" --write-keep 0 --src /tmp
bad '--report prints a report (text, or --json): drop --events' --report --events -r "$J"
bad 'empty FILE' -r ''
t_check "-w and --agent go together (the agent records its own host)" \
	bash -c "'$V' --agent -n 2 -d 0.02 --src '$FIXTURES/basic/src' -w '$T_DIR/ag.j' </dev/null >/dev/null 2>&1 && grep -q '^r ' '$T_DIR/ag.j'"

t_done
