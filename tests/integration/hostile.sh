#!/bin/bash
# Content no kernel prints: empty, huge, binary, unterminated, unknown
# tokens, "Invalid", and names with control characters.  Never a crash,
# never a wrong state, nothing unescaped on stdout.
. "$(dirname "$0")/lib.sh"

root=$T_DIR/root
out=$T_DIR/out
"$VFIOMIG_SIM" "$SCENARIOS/hostile.scn" "$root" >"$T_DIR/sim.out" 2>&1; rc=$?
t_eq "the simulator wrote the hostile tree" "$rc" 0
t_run 60 "$out" -b -n 2 -d 0.05 --src "$root/src"; rc=$?
t_eq "exit status 0: a device first read in ERROR is a status, not a failure" "$rc" 0
last=$T_DIR/last
awk '/^snapshot 2 /{p=1} p' "$out" >"$last"
t_grep "newline only: unparsable" '^src empty <unparsable> .* content=\\x0a$' "$last"
t_grep "binary: unparsable, escaped" '^src binary <unparsable> .* content=\\x00$' "$last"
t_grep "unterminated: unparsable" '^src unterminated <unparsable> .* content=RUNNING$' "$last"
t_grep "Invalid exactly as the kernel prints it" '^src invalid Invalid ' "$last"
t_grep "lowercase token: unparsable" '^src lowercase <unparsable> ' "$last"
t_grep "two lines: unparsable" '^src twolines <unparsable> ' "$last"
t_grep "huge file: unparsable, read bounded" '^src huge <unparsable> ' "$last"
t_grep "no features file: still read" '^src nofeatures RUNNING ' "$last"
t_grep "no migration support" '^src nomig <no-migration> ' "$last"
t_grep "control characters escaped in the name" '^src ctl\\x01\\x1b\[31mname STOP_COPY ' "$last"
t_grep "newline escaped in the name; a first ERROR is idle" '^src new\\x0aline ERROR .* idle$' "$last"
t_grep "blanks escaped in the name" '^src tab\\x09and\\x20space ' "$last"
t_grep "backslash escaped in the name" '^src quote"back\\\\slash ' "$last"
t_grep "invalid UTF-8 escaped" '^src \\xff\\xfe-not-utf8 ' "$last"
t_nogrep "no control byte reaches stdout" $'[\x01-\x08\x0b-\x1f\x7f]' "$out"
t_eq "every line is printable ASCII" "$(LC_ALL=C grep -c $'[^ -~]' "$out")" 0

# An empty file and a binary one written directly.
t_raw "$T_DIR/t2" e ''
t_raw "$T_DIR/t2" b '\000\001\002\377\177\n'
t_run 60 "$out" -b -n 1 --src "$T_DIR/t2"
t_grep "empty file: unparsable, shown as \"\"" '^src e <unparsable> .* content=""$' "$out"
t_grep "binary file: every byte escaped" '^src b <unparsable> .* content=\\x00\\x01\\x02\\xff\\x7f\\x0a$' "$out"

if command -v jq >/dev/null; then
	t_run 60 "$out" -b --json -n 1 --src "$root/src"
	t_check "JSON output of the hostile tree is valid" jq -e '.devices | length > 10' "$out" >/dev/null
	t_check "Invalid in JSON: state Invalid, status invalid" jq -e '.devices[] | select(.name=="invalid") | .state=="Invalid" and .status=="invalid"' "$out" >/dev/null
fi
t_done
