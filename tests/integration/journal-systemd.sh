#!/bin/bash
# journal-systemd.sh - the unit file that records continuously
# (contrib/vfiomigtop-journal.service.in) passes systemd-analyze verify,
# and what it runs is a valid vfiomigtop command line that records,
# rotates and ends its journal cleanly on SIGTERM, as systemd stops it.
. "$(dirname "$0")/lib.sh"

command -v systemd-analyze >/dev/null ||
	t_skip "systemd-analyze is not installed (scripts/deps.sh --test installs systemd)"
unit=$T_DIR/vfiomigtop-journal.service
sed "s|@bindir@|$(dirname "$VFIOMIGTOP")|" \
	"$top_srcdir/contrib/vfiomigtop-journal.service.in" >"$unit"
# --man=no: the man pages are not installed in a build tree.
systemd-analyze verify --man=no "$unit" >"$T_DIR/verify" 2>&1; rc=$?
t_eq "systemd-analyze verify: status 0" "$rc" 0
t_check "... and not a single warning" test ! -s "$T_DIR/verify"
sed 's/^/    | /' "$T_DIR/verify"
t_grep "it rotates its journal" 'ExecStart=.* -w /var/log/vfiomigtop/journal --write-max [0-9]+[KMG] --write-keep [0-9]+$' \
	<(sed -e ':a' -e '/\\$/N; s/\\\n\t*/ /; ta' "$unit")
t_grep "... in the directory systemd makes for it" '^LogsDirectory=vfiomigtop$' "$unit"

# The command line itself, on a test tree instead of debugfs: it records
# until SIGTERM, then ends the journal with its end record.
cmd=$(sed -e ':a' -e '/\\$/N; s/\\\n\t*/ /; ta' "$unit" | sed -n 's/^ExecStart=//p')
cmd=${cmd//\/var\/log\/vfiomigtop/$T_DIR}
read -r -a argv <<<"$cmd"
"${argv[@]}" --src "$FIXTURES/basic/src" -d 0.05 >"$T_DIR/out" 2>&1 &
pid=$!
t_at_exit "kill -9 $pid 2>/dev/null"
has_records() { [ "$(grep -c '^r ' "$T_DIR/journal" 2>/dev/null)" -ge 5 ]; }
t_check "the service's command records" t_wait_for "$T_WAIT" has_records
kill -TERM $pid
t_check "... and ends on SIGTERM" t_wait_for "$T_WAIT" t_ended $pid
wait $pid; rc=$?
t_eq "... with status 0" "$rc" 0
t_grep "... its journal ending with an end record" '^e [0-9]+ records=[0-9]+ lost=0 ' <(tail -n 1 "$T_DIR/journal")
t_done
