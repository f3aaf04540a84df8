# shellcheck shell=bash
# Helpers for the integration tests: each test sources this file.
# Environment (set by make check): VFIOMIGTOP, VFIOMIG_SIM, FAULTFS, top_srcdir.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${VFIOMIGTOP:=$top_srcdir/_build/src/vfiomigtop}"
: "${VFIOMIG_SIM:=$top_srcdir/_build/src/vfiomig-sim}"
FIXTURES=$top_srcdir/tests/fixtures
SCENARIOS=$top_srcdir/tests/integration/scenarios

T_NAME=$(basename "$0" .sh)
T_FAILS=0
T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/vfiomigtop-test-$T_NAME.XXXXXX")
T_CLEANUP=()

t_cleanup() {
	local c
	for c in "${T_CLEANUP[@]}"; do eval "$c" || true; done
	rm -rf "$T_DIR"
}
trap t_cleanup EXIT
trap 'exit 130' INT TERM

# t_at_exit CMD: run CMD when the test exits (in reverse order of no concern).
t_at_exit() { T_CLEANUP+=("$1"); }

t_pass() { printf 'PASS: %s\n' "$*"; }
t_fail() { printf 'FAIL: %s\n' "$*"; T_FAILS=$((T_FAILS + 1)); }
t_skip() { printf 'SKIP: %s\n' "$*"; exit 77; }
t_done() {
	if [ "$T_FAILS" -ne 0 ]; then
		printf '%s: %d check(s) failed\n' "$T_NAME" "$T_FAILS"
		exit 1
	fi
	exit 0
}

# t_check DESC CMD...: pass when CMD succeeds.
t_check() {
	local desc=$1
	shift
	if "$@"; then t_pass "$desc"; else t_fail "$desc"; fi
}

# t_quote: stdin indented as quoted evidence, each line cut at 300
# characters (a snapshot of 65536 devices is one 6 MB line).
t_quote() {
	awk '{ if (length($0) > 300) $0 = substr($0, 1, 300) " [...]"; print "    | " $0 }'
}

# t_grep DESC PATTERN FILE: pass when the extended regex matches a line.
t_grep() {
	if grep -Eq -- "$2" "$3"; then
		t_pass "$1"
	else
		t_fail "$1 (no line matches /$2/ in $3:)"
		head -n 40 "$3" | t_quote
	fi
}

# t_nogrep DESC PATTERN FILE: pass when no line matches.
t_nogrep() {
	if grep -Eq -- "$2" "$3"; then
		t_fail "$1 (a line matches /$2/ in $3:)"
		grep -E -- "$2" "$3" | head -n 10 | t_quote
	else
		t_pass "$1"
	fi
}

# t_eq DESC GOT WANT
t_eq() {
	if [ "$2" = "$3" ]; then
		t_pass "$1"
	else
		t_fail "$1 (got '$2', want '$3')"
	fi
}

# t_tree NAME: copy fixture tree NAME into the test dir; prints its path.
t_tree() {
	cp -a "$FIXTURES/$1" "$T_DIR/$1"
	chmod -R u+w "$T_DIR/$1"
	printf '%s\n' "$T_DIR/$1"
}

# t_state ROOT DEV STATE: set a state file atomically (write, then rename),
# creating the device if needed, the way the kernel's file changes at once.
t_state() {
	mkdir -p "$1/$2/migration"
	printf '%s\n' "$3" >"$1/$2/migration/.state.tmp"
	mv -f "$1/$2/migration/.state.tmp" "$1/$2/migration/state"
}

# t_add ROOT DEV STATE: a new device appears at once, with its state file
# (built aside, then renamed into place).
t_add() {
	local tmp=$1/.new-$$
	mkdir -p "$tmp/migration"
	printf '%s\n' "$3" >"$tmp/migration/state"
	mv -T "$tmp" "$1/$2"
}

# t_raw ROOT DEV PRINTF-FORMAT: set raw content atomically.
t_raw() {
	mkdir -p "$1/$2/migration"
	# shellcheck disable=SC2059
	printf "$3" >"$1/$2/migration/.state.tmp"
	mv -f "$1/$2/migration/.state.tmp" "$1/$2/migration/state"
}

# t_run SECS OUT ARGS...: run vfiomigtop with a timeout; stdout to OUT,
# stderr to OUT.err; returns its exit status.
t_run() {
	local secs=$1 out=$2
	shift 2
	timeout -k 2 "$secs" "$VFIOMIGTOP" "$@" >"$out" 2>"$out.err"
}

# t_wait_for SECS CMD...: poll CMD every 50 ms until it succeeds.
t_wait_for() {
	local deadline=$(( $(date +%s%N) + $1 * 1000000000 ))
	shift
	while ! "$@"; do
		[ "$(date +%s%N)" -lt "$deadline" ] || return 1
		sleep 0.05
	done
}

# Waits in these tests are for a condition, with a timeout generous enough
# for a loaded 2-core machine; a timeout says what it waited for.
T_WAIT=${T_WAIT:-60}

# t_size FILE: its size in bytes (0 when missing).
t_size() { stat -c %s "$1" 2>/dev/null || echo 0; }

# t_has_line ERE FILE [FROM]: a line of FILE after byte FROM matches ERE.
t_has_line() {
	tail -c +"$(( ${3:-0} + 1 ))" "$2" 2>/dev/null | grep -Eq -- "$1"
}

# t_wait_line ERE FILE [FROM]: wait until a line of FILE after byte FROM
# matches ERE; on a timeout say so (and show the file's end) and fail.
t_wait_line() {
	t_wait_for "$T_WAIT" t_has_line "$1" "$2" "${3:-0}" && return 0
	printf 'timed out after %s s waiting for a line matching /%s/ in %s:\n' \
		"$T_WAIT" "$1" "$2"
	tail -n 15 "$2" 2>/dev/null | t_quote
	return 1
}

# t_mon OUT ARGS...: run vfiomigtop ARGS in the background (stdout to OUT,
# stderr to OUT.err) until t_stop; its pid is in T_PID.
t_mon() {
	local out=$1
	shift
	: >"$out"	# now, so that no wait reads an older file of that name
	: >"$out.err"
	"$VFIOMIGTOP" "$@" >>"$out" 2>>"$out.err" &
	T_PID=$!
	t_at_exit "kill -9 $T_PID 2>/dev/null"
}

# t_ended PID: process PID has exited (a zombie has too).
t_ended() {
	local st
	st=$(sed -n 's/^[0-9]* (.*) \([A-Za-z]\) .*/\1/p' "/proc/$1/stat" 2>/dev/null)
	[ -z "$st" ] || [ "$st" = Z ] || [ "$st" = X ]
}

# t_stop PID: end a background vfiomigtop with SIGINT, as a user would;
# returns its exit status (99 if it did not end).
t_stop() {
	kill -INT "$1" 2>/dev/null
	if ! t_wait_for "$T_WAIT" t_ended "$1"; then
		echo "timed out after $T_WAIT s waiting for pid $1 to end after SIGINT"
		kill -9 "$1" 2>/dev/null
		wait "$1" 2>/dev/null
		return 99
	fi
	wait "$1"
}

# Lock step with the simulator: vfiomig-sim --step applies one time of a
# scenario per line on its standard input (a FIFO on fd 7) and prints the
# steps it applied, then ".", and "end" after the last one.
T_SIM=

# t_sim SCENARIO ROOT: start it; returns once the first time is applied.
t_sim() {
	rm -f "$T_DIR/sim.in"
	mkfifo "$T_DIR/sim.in"
	: >"$T_DIR/sim.out"
	"$VFIOMIG_SIM" --step "$1" "$2" <"$T_DIR/sim.in" >"$T_DIR/sim.out" \
		2>"$T_DIR/sim.err" &
	T_SIM=$!
	exec 7>"$T_DIR/sim.in"
	t_at_exit "kill $T_SIM 2>/dev/null"
	t_wait_line '^\.$' "$T_DIR/sim.out"
}

# t_sim_next: apply the next time of the scenario; prints the steps done.
t_sim_next() {
	local from
	from=$(t_size "$T_DIR/sim.out")
	echo >&7 || return 1
	t_wait_line '^\.$' "$T_DIR/sim.out" "$from" >&2 || return 1
	tail -c +"$((from + 1))" "$T_DIR/sim.out" | grep -Ev '^(\.|end)$'
}

# t_sim_done: true once every step of the scenario was applied.
t_sim_done() { grep -q '^end$' "$T_DIR/sim.out"; }

# t_sim_end: let the simulator exit.
t_sim_end() {
	exec 7>&-
	wait "$T_SIM" 2>/dev/null
	T_SIM=
}

# t_seen_re SIDE DEV STATE: a regex for a line of vfiomigtop's text or
# --events output that shows DEV of SIDE in STATE.
t_seen_re() {
	local dev
	dev=$(printf '%s' "$2" | sed 's/[.[\*^$()+?{|]/\\&/g')
	printf '(^| )%s %s( [^ ]+)? %s( |$)' "$1" "$dev" "$3"
}

# t_sim_step OUT [REFN]: apply the next time of the scenario, then wait
# until vfiomigtop's output OUT shows every state it set: in --events
# output appended since the step, or, with REFN (a function printing the
# regex for SIDE DEV STATE-REGEX), anywhere in OUT, a file that vfiomigtop
# replaces as a whole.
t_sim_step() {
	local out=$1 re=${2:-t_seen_re} from=0 steps t side dev act rest want
	[ $# -gt 1 ] || from=$(t_size "$out")
	steps=$(t_sim_next) || return 1
	while read -r t side dev act rest; do
		case $act in
		add) want='[A-Z_]+' ;;
		add-nomig) want='<no-migration>' ;;
		remove) want='<gone>' ;;
		[A-Z]*) want=$act ;;
		*) continue ;;
		esac
		t_wait_line "$("$re" "$side" "$dev" "$want")" "$out" "$from" || return 1
	done <<<"$steps"
}

# t_sim_walk OUT [REFN]: t_sim_step until the end of the scenario.
t_sim_walk() {
	while ! t_sim_done; do
		t_sim_step "$@" || return 1
	done
}

# t_snaps FILE: vfiomigtop's text output, one snapshot per line, its lines
# joined by "|"; the last (maybe incomplete) snapshot is left out.  One
# pass (FILE may be a pipe), each line written once: never a string grown
# a line at a time, which costs a copy per line (minutes for a snapshot
# of 65536 devices).
t_snaps() {
	awk 'function flush(  i) {
		for (i = 0; i < n; i++)
			printf "%s%s", (i || buf[0] !~ /^snapshot /) ? "|" : "", buf[i]
		if (n)
			printf "\n"
		n = 0
	     }
	     /^snapshot / { flush() }
	     { buf[n++] = $0 }' "$1"
}

# t_has_snap ERE FILE: a whole snapshot of FILE matches ERE (see t_snaps).
t_has_snap() { t_snaps "$2" | grep -Eq -- "$1"; }

# t_wait_snap ERE FILE: wait until a whole snapshot of FILE matches ERE.
t_wait_snap() {
	t_wait_for "$T_WAIT" t_has_snap "$1" "$2" && return 0
	printf 'timed out after %s s waiting for a snapshot matching /%s/ in %s:\n' \
		"$T_WAIT" "$1" "$2"
	tail -n 15 "$2" 2>/dev/null | t_quote
	return 1
}

# t_field LINE-PATTERN N FILE: field N of the last line matching.
t_field() {
	grep -E -- "$1" "$3" | tail -n 1 | awk -v n="$2" '{ print $n }'
}
