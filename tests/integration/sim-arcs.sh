#!/bin/bash
# vfiomig-sim --arcs writes each device's arc log as the vfiomig module
# does; --truth says how each migrate line ends; options that do not go
# together are refused with a message.
. "$(dirname "$0")/lib.sh"

scn=$T_DIR/m.scn
cat >"$scn" <<'EOF'
0 src a add
0 dst a add
1 src a migrate a fail=dst-reject
3 src a RUNNING_P2P
3 src a RUNNING
4 src a migrate a
EOF

"$VFIOMIG_SIM" --truth "$scn" >"$T_DIR/truth"
t_eq "--truth: exit 0" "$?" 0
t_eq "--truth: one line per migrate, how it ends" "$(cat "$T_DIR/truth")" \
"1.000 a a failed dst-reject
4.000 a a completed"

# Every step, in lock step (no timing): a line per time on standard input.
root=$T_DIR/root
yes '' | head -n 100 | "$VFIOMIG_SIM" --step --arcs "$scn" "$root" >"$T_DIR/steps"
t_eq "--step --arcs: exit 0" "$?" 0
t_grep "--step --arcs: to the end" '^end$' "$T_DIR/steps"
t_grep "the rejected load: a failed step, then a reset" \
	'^2\.500 dst a fail RUNNING_P2P$' "$T_DIR/steps"
t_grep "... then a reset" '^2\.700 dst a reset$' "$T_DIR/steps"

# The logs, read as the module's: SEQ T_NS CUR NEXT TARGET RET.
t_eq "source's arcs" "$(cut -d' ' -f1,3- "$root/src/a/migration/arcs")" \
"1 RUNNING PRE_COPY PRE_COPY 0
2 PRE_COPY PRE_COPY_P2P PRE_COPY_P2P 0
3 PRE_COPY_P2P STOP_COPY STOP_COPY 0
4 STOP_COPY STOP STOP 0
5 STOP RUNNING_P2P RUNNING_P2P 0
6 RUNNING_P2P RUNNING RUNNING 0
7 RUNNING PRE_COPY PRE_COPY 0
8 PRE_COPY PRE_COPY_P2P PRE_COPY_P2P 0
9 PRE_COPY_P2P STOP_COPY STOP_COPY 0
10 STOP_COPY STOP STOP 0"
t_eq "destination's arcs: the failed step is logged, the reset is not" \
	"$(cut -d' ' -f1,3- "$root/dst/a/migration/arcs")" \
"1 RUNNING RUNNING_P2P RESUMING 0
2 RUNNING_P2P STOP RESUMING 0
3 STOP RESUMING RESUMING 0
4 RESUMING STOP RUNNING_P2P 0
5 RUNNING RUNNING_P2P RESUMING 0
6 RUNNING_P2P STOP RESUMING 0
7 STOP RESUMING RESUMING 0
8 RESUMING STOP RUNNING_P2P 0
9 STOP RUNNING_P2P RUNNING_P2P 0
10 RUNNING_P2P RUNNING RUNNING 0"
t_check "arc times rise" awk 'NR > 1 && $2 <= t { exit 1 } { t = $2 }' \
	"$root/src/a/migration/arcs"
t_eq "the states where the logs end" \
	"$(cat "$root/src/a/migration/state" "$root/dst/a/migration/state")" \
	"STOP
RUNNING"
t_eq "the module's status file" "$(cat "$root/src/vfiomig")" \
"arcs 1
arcs_missed 0
arcs_ring 256"

# Without --arcs, the tree is as it was: no log.
yes '' | head -n 100 | "$VFIOMIG_SIM" --step "$scn" "$T_DIR/plain" >/dev/null
t_check "without --arcs: no arc log" test ! -e "$T_DIR/plain/src/a/migration/arcs"
t_check "without --arcs: no status file" test ! -e "$T_DIR/plain/src/vfiomig"

bad() {
	local desc=$1 want=$2
	shift 2
	"$VFIOMIG_SIM" "$@" >"$T_DIR/bad.out" 2>"$T_DIR/bad.err"
	t_eq "$desc: exit 1" "$?" 1
	t_grep "$desc: says why" "$want" "$T_DIR/bad.err"
}
bad "--arcs --check" "--arcs is for a replay" --arcs --check "$scn"
bad "--truth --loop" "--truth only reads the scenario" --truth --loop "$scn"
bad "--check --truth" "one at a time" --check --truth "$scn"
printf '0 src a add\n1 src a fail\n' >"$T_DIR/bad.scn"
bad "fail without a state" "bad.scn:2: fail takes exactly one argument" \
	--truth "$T_DIR/bad.scn"
t_done
