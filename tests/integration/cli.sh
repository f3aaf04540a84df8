#!/bin/bash
# The command line: help, version, and a clear message and exit status 1
# for every kind of mistake, before anything else happens.
. "$(dirname "$0")/lib.sh"

out=$T_DIR/out
t_run 60 "$out" --help; rc=$?
t_eq "--help exits 0" "$rc" 0
t_grep "--help lists --pair" '--pair SRC=DST' "$out"
t_grep "--help lists the exit status" 'Exit status' "$out"
t_run 60 "$out" --version; rc=$?
t_eq "--version exits 0" "$rc" 0
t_grep "--version prints the version" '^vfiomigtop [0-9]+\.[0-9]+' "$out"

bad() {	# bad DESC PATTERN ARGS...
	local desc=$1 pat=$2 rc
	shift 2
	t_run 60 "$out" "$@"; rc=$?
	t_eq "$desc: exit 1" "$rc" 1
	t_grep "$desc: message" "$pat" "$out.err"
	t_eq "$desc: nothing on stdout" "$(wc -c <"$out")" 0
}
bad "delay too small" "-d '0.001': out of range" -b -d 0.001
bad "delay not a number" "not a number of seconds" -b -d 1x
bad "delay empty" "not a number of seconds" -b -d ''
bad "iterations zero" "positive whole number" -b -n 0
bad "demo speed zero: named as a factor, not seconds" "--demo-speed '0': out of range \\(a speed-up factor from 0\\.01 to 1000 times\\)" --demo-speed 0
bad "demo speed not a number" "--demo-speed 'fast': not a number \\(a speed-up factor" --demo-speed fast
bad "-n without -b" "add -b" -n 3
bad "--json without -b" "add -b" --json
bad "--json with --events" "exclude each other" -b --json --events
bad "bad --pair" "expected SRC=DST" --pair foo
bad "unknown option" "unknown option '--bogus'" --bogus
bad "missing argument" "needs an argument" --src
bad "stray argument" "unexpected argument 'extra'" extra
bad "--src that does not exist" "--src $T_DIR/nope: No such file or directory" -b --src "$T_DIR/nope"
touch "$T_DIR/file"
bad "--src that is a file" "--src $T_DIR/file: not a directory" -b --src "$T_DIR/file"
bad "--dst that does not exist" "--dst $T_DIR/nope: No such file or directory" -b --src "$T_DIR" --dst "$T_DIR/nope"
bad "--demo with --src" "drop --src" --demo --src /tmp
t_grep "usage hint" "Try 'vfiomigtop --help'" "$out.err"

# Not a terminal and no -b: the screen cannot open; the message says -b.
t_run 60 "$out" --src "$T_DIR" </dev/null; rc=$?
t_eq "no terminal: exit 1" "$rc" 1
t_grep "no terminal: suggests -b" '-b' "$out.err"
t_done
