# shellcheck shell=bash
# Helpers for the tmux-driven TUI tests: each test sources this file.
# Environment (set by make check): VFIOMIGTOP, VFIOMIG_SIM, top_srcdir.
# Every test runs its own tmux server on a private socket, with a fixed
# size, no status line, and panes that stay after their program exits (so
# the exit status can be read).  Waits poll capture-pane with a timeout.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${VFIOMIGTOP:=$top_srcdir/_build/src/vfiomigtop}"
: "${VFIOMIG_SIM:=$top_srcdir/_build/src/vfiomig-sim}"

T_NAME=$(basename "$0" .sh)
T_FAILS=0

command -v tmux >/dev/null 2>&1 || { echo "SKIP: tmux is not installed"; exit 77; }

T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/vfiomigtop-tui-$T_NAME.XXXXXX")
T_SOCK=$T_DIR/tmux.sock
export TMPDIR=$T_DIR
export LC_ALL=C.UTF-8
unset NO_COLOR TMUX
# No settings file of the user's changes what a test sees (settings.sh
# writes its own here).
export XDG_CONFIG_HOME=$T_DIR/cfg

printf 'set -g remain-on-exit on\nset -g status off\nset -g default-terminal screen-256color\n' \
	>"$T_DIR/tmux.conf"

tm() { tmux -S "$T_SOCK" -f "$T_DIR/tmux.conf" "$@"; }

t_cleanup() {
	tm kill-server >/dev/null 2>&1
	rm -rf "$T_DIR"
}
trap t_cleanup EXIT
trap 'exit 130' INT TERM

t_pass() { printf 'PASS: %s\n' "$*"; }
t_fail() { printf 'FAIL: %s\n' "$*"; T_FAILS=$((T_FAILS + 1)); }
t_done() {
	if [ "$T_FAILS" -ne 0 ]; then
		printf '%s: %d check(s) failed\n' "$T_NAME" "$T_FAILS"
		exit 1
	fi
	exit 0
}

# Waits are for a condition, with a timeout generous enough for a loaded
# 2-core machine (they end as soon as the condition holds).
W=${T_WAIT:-60}

# t_ms: CLOCK_REALTIME in milliseconds.
t_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# t_start COLS ROWS CMD...: run CMD (a shell command line) in a new session
# "t" of that size, replacing any previous one.  A keeper session holds the
# server up in between: the server exits with its last session, and a
# client that connects while it exits fails ("server exited unexpectedly").
t_start() {
	local cols=$1 rows=$2 i
	shift 2
	rm -f "$T_DIR/status"
	for i in 1 2 3 4 5 6 7 8 9 10; do
		tm has-session -t keep 2>/dev/null ||
			tm new-session -d -s keep "sleep 1000000" 2>/dev/null
		tm kill-session -t t >/dev/null 2>&1
		if tm new-session -d -s t -x "$cols" -y "$rows" "$*" 2>/dev/null &&
		   tm has-session -t t 2>/dev/null; then
			return 0
		fi
		sleep 0.2	# the server was going away: try again
	done
	tm new-session -d -s t -x "$cols" -y "$rows" "$*"
}

# t_top COLS ROWS ARGS...: run vfiomigtop ARGS in a new session; its exit
# status goes to $T_DIR/status (tmux may learn it late).
t_top() {
	local cols=$1 rows=$2
	shift 2
	t_start "$cols" "$rows" "$VFIOMIGTOP $*; echo \$? >$T_DIR/status"
}

t_screen() { tm capture-pane -p -t t; }
t_screen_e() { tm capture-pane -p -e -t t; }
t_keys() { tm send-keys -t t "$@"; }
# t_pid: the pid of vfiomigtop, the child of the pane's shell.
t_pid() { pgrep -n -P "$(tm display -p -t t '#{pane_pid}')"; }
t_dead() { [ -s "$T_DIR/status" ]; }
t_status() { cat "$T_DIR/status" 2>/dev/null; }
t_resize() { tm resize-window -t t -x "$1" -y "$2"; }

# t_has TEXT: the screen shows TEXT now (fixed string).
t_has() { t_screen | grep -qF -- "$1"; }

# t_until SECS CMD [ARG...]: wait until CMD succeeds; false after SECS.
t_until() {
	local end=$(( $(t_ms) + $1 * 1000 ))
	shift
	while ! "$@"; do
		[ "$(t_ms)" -lt "$end" ] || return 1
		sleep 0.05
	done
}

# t_has_re ERE: a line of the screen matches ERE now.
t_has_re() { t_screen | grep -qE -- "$1"; }
# t_lacks TEXT: the screen does not show TEXT now.
t_lacks() { ! t_has "$1"; }

# t_wait SECS TEXT: wait until the screen shows TEXT.
t_wait() { t_until "$1" t_has "$2"; }
# t_wait_not SECS TEXT: wait until the screen no longer shows TEXT.
t_wait_not() { t_until "$1" t_lacks "$2"; }
# t_wait_re SECS ERE: wait until a line of the screen matches ERE.
t_wait_re() { t_until "$1" t_has_re "$2"; }
# t_wait_dead SECS: wait until vfiomigtop (run by t_top) has exited.
t_wait_dead() { t_until "$1" t_dead; }

# t_running PID: process PID exists and has not exited (a zombie has).
t_running() {
	local st
	st=$(sed -n 's/^[0-9]* (.*) \([A-Za-z]\) .*/\1/p' "/proc/$1/stat" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# t_wait_gone SECS PID: wait until process PID has exited.
t_wait_gone() {
	local end=$(( $(t_ms) + $1 * 1000 ))
	while t_running "$2"; do
		[ "$(t_ms)" -lt "$end" ] || return 1
		sleep 0.02
	done
}

# t_ok DESC CMD...: pass when CMD succeeds; else fail and show the screen.
t_ok() {
	local desc=$1
	shift
	if "$@"; then
		t_pass "$desc"
	else
		t_fail "$desc"
		t_screen 2>/dev/null | sed 's/^/    | /'
	fi
}

# t_not DESC CMD...: pass when CMD fails.
t_not() {
	local desc=$1
	shift
	if "$@"; then
		t_fail "$desc"
		t_screen 2>/dev/null | sed 's/^/    | /'
	else
		t_pass "$desc"
	fi
}

# t_state ROOT DEV STATE: set a state file at once (write, then rename),
# creating the device if needed.
t_state() {
	mkdir -p "$1/$2/migration"
	printf '%s\n' "$3" >"$1/$2/migration/.state.tmp"
	mv -f "$1/$2/migration/.state.tmp" "$1/$2/migration/state"
}

# t_line TEXT: the first screen line holding TEXT.
t_line() { t_screen | grep -F -m1 -- "$1"; }

# t_lineno TEXT: the number of the first screen line holding TEXT.
t_lineno() { t_screen | grep -nF -m1 -- "$1" | cut -d: -f1; }

# t_top_event_is ERE: the newest line of the event pane (the one under
# its title) matches ERE.
t_top_event_is() {
	t_screen | sed -n "$(( $(t_lineno EVENTS) + 1 ))p" | grep -qE -- "$1"
}

# t_flip ROOT DEV N: step DEV of tree ROOT N times between RUNNING and
# PRE_COPY (it reads RUNNING), each step once the pane shows the one
# before it: N events, in order.
t_flip() {
	local root=$1 dev=$2 n=$3 st=RUNNING prev i
	for ((i = 0; i < n; i++)); do
		prev=$st
		if [ "$st" = RUNNING ]; then st=PRE_COPY; else st=RUNNING; fi
		t_state "$root" "$dev" "$st"
		t_until "$W" t_top_event_is "${dev//./\\.} +$prev → $st\$" || {
			t_fail "$dev: the event $prev → $st is on top of the pane"
			return 1
		}
	done
}

# t_mouse BUTTON X Y: what a terminal sends for a mouse event at column X,
# line Y (from 0) in the X10 encoding ncurses asks screen-256color for;
# BUTTON 0 is the first button (a release follows), 64 and 65 the wheel.
t_mouse() {
	local b=$1 x=$2 y=$3 seq
	seq=$(printf "\\033[M\\%03o\\%03o\\%03o" $((32 + b)) $((33 + x)) $((33 + y)))
	[ "$b" = 0 ] && seq="$seq$(printf "\\033[M\\%03o\\%03o\\%03o" 35 $((33 + x)) $((33 + y)))"
	tm send-keys -t t -l "$(printf "$seq")"
}
t_click() { t_mouse 0 "$1" "$2"; }
t_wheel() { if [ "$1" = up ]; then t_mouse 64 "$2" "$3"; else t_mouse 65 "$2" "$3"; fi; }
