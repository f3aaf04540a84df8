#!/bin/bash
# The demo's verdicts are the truth.  The simulator knows how each of its
# migrations ends (vfiomig-sim --truth); over a whole loop of the demo,
# every attempt the monitor decides equals it, in order, per pair; none is
# uncertain (the demo gives the exact steps the kernel module gives); the
# steps polling cannot see (STOP_COPY, the P2P steps inside one request)
# are shown as exact steps; nothing is judged from polling.
. "$(dirname "$0")/lib.sh"

truth=$T_DIR/truth
"$VFIOMIG_SIM" --truth --demo >"$truth" 2>"$truth.err"
t_eq "vfiomig-sim --truth --demo: exit 0" "$?" 0
t_grep "the truth: a migration completes" ' completed$' "$truth"
for how in src-cancel src-abort dst-error dst-reject dst-stuck; do
	t_grep "the truth: a migration fails ($how)" " failed $how\$" "$truth"
done

# decided FILE: the attempts decided in vfiomigtop --events output FILE,
# "SRC DST OUTCOME" each, in order.
decided() {
	awk '$2 == "pair" && $5 ~ /^(completed|failed|uncertain)$/ {
		print $3, $4, $5 }' "$1"
}

# missing: the pairs of the truth that have decided fewer attempts than
# the truth has (none once a whole loop is decided), "SRC DST GOT/WANT".
missing() {
	decided "$out" | awk 'NR == FNR { want[$2 " " $3]++; next }
		{ got[$1 " " $2]++ }
		END { for (p in want) if (got[p] < want[p])
			print p, (got[p] + 0) "/" want[p] }' "$truth" -
}
loop_decided() { [ -z "$(missing)" ]; }

# The simulator's truth holds only while it keeps the module's promise
# that a read of a state never sees it before its arcs' time has passed;
# when it was not scheduled in time (a busy machine), the demo says so on
# stderr, and that loop proves nothing either way: up to three loops.
mkdir -p "$T_DIR/tmp"
late=1
for try in 1 2 3; do
	out=$T_DIR/events.$try
	start=$(date +%s%N)
	TMPDIR=$T_DIR/tmp t_mon "$out" --demo --demo-speed 8 -b --events
	if ! t_wait_for $((T_WAIT * 2)) loop_decided; then
		printf 'timed out after %s s waiting for every migration of a demo loop to be decided; still open (pair, decided/migrations):\n' \
			$((T_WAIT * 2))
		missing | sed 's/^/    | /'
		t_fail "a whole demo loop decided"
	fi
	t_stop "$T_PID"
	t_eq "vfiomigtop --demo: exit status 3 on SIGINT (attempts failed)" "$?" 3
	printf 'demo loop decided in %d ms\n' $(( ($(date +%s%N) - start) / 1000000 ))
	if ! grep -q 'in place only after' "$out.err"; then
		late=0
		break
	fi
	echo "NOTE: loop $try: $(cat "$out.err")"
done

# Every decided attempt is the truth: the k-th of a pair is the pair's
# k-th migration (the next loop starts over).
wrong=$(decided "$out" | awk 'NR == FNR { w[$2 " " $3, n[$2 " " $3]++] = $4; next }
	{ p = $1 " " $2; k = got[p]++
	  if (!(p in n)) { print "pair " p ": " $3 " (no migration)"; next }
	  if ($3 != w[p, k % n[p]])
		print "pair " p " attempt " k + 1 ": " $3 ", truth " w[p, k % n[p]] }' \
	"$truth" -)
if [ "$late" = 1 ]; then
	echo "NOTE: the simulator was late in three loops: the verdicts are not compared with its truth"
else
	t_eq "every decided attempt is the truth" "$wrong" ""
fi
if [ -n "$wrong" ]; then
	# What the monitor saw of those pairs (same names on both sides).
	for dev in $(printf '%s\n' "$wrong" | awk '{ print $2 }' | sort -u); do
		grep -F " $dev " "$out" | head -n 60 | sed 's/^/    | /'
	done
fi
t_nogrep "no attempt is uncertain" ' pair .* uncertain ' "$out"

# The exact steps: STOP_COPY, and the steps inside one request.
for step in \
	'src 0000:3b:00\.2 PRE_COPY_P2P STOP_COPY' \
	'src 0000:3b:00\.2 STOP_COPY STOP' \
	'dst 0000:3b:00\.2 RUNNING RUNNING_P2P' \
	'dst 0000:3b:00\.2 RUNNING_P2P STOP' \
	'dst 0000:3b:00\.2 STOP RESUMING' \
	'dst 0000:3b:00\.2 RESUMING STOP' \
	'dst 0000:3b:00\.2 STOP RUNNING_P2P' \
	'src 0000:5e:00\.1 RUNNING_P2P STOP' \
	'src 0000:5e:00\.1 STOP STOP_COPY' \
	'src 0000:3b:00\.3 STOP_COPY STOP'; do
	t_grep "exact step: $step" " $step arc\$" "$out"
done
t_grep "a failed step is shown as such" ' dst 0000:3b:00\.4 RESUMING STOP failed$' "$out"
t_grep "a reset is a change by no kernel step" ' src 0000:3b:00\.2 STOP RUNNING nopath$' "$out"
t_nogrep "nothing inferred or missed" ' (inferred|missed)( |$)' "$out"
state='(ERROR|STOP|RUNNING|STOP_COPY|RESUMING|RUNNING_P2P|PRE_COPY|PRE_COPY_P2P)'
t_nogrep "nothing judged from polling: every change is a step" \
	"^[^ ]+ (src|dst) [^ ]+ $state $state\$" "$out"
t_eq "demo directory removed" "$(ls "$T_DIR/tmp")" ""
t_done
