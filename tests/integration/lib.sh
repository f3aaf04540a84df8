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

# t_grep DESC PATTERN FILE: pass when the extended regex matches a line.
t_grep() {
	if grep -Eq -- "$2" "$3"; then
		t_pass "$1"
	else
		t_fail "$1 (no line matches /$2/ in $3:)"
		sed 's/^/    | /' "$3" | head -40
	fi
}

# t_nogrep DESC PATTERN FILE: pass when no line matches.
t_nogrep() {
	if grep -Eq -- "$2" "$3"; then
		t_fail "$1 (a line matches /$2/ in $3:)"
		grep -E -- "$2" "$3" | sed 's/^/    | /' | head -10
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

# t_field LINE-PATTERN N FILE: field N of the last line matching.
t_field() {
	grep -E -- "$1" "$3" | tail -n 1 | awk -v n="$2" '{ print $n }'
}
