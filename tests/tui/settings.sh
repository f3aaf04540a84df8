#!/bin/bash
# settings.sh - S saves sort, delay, filter, colours and line drawing to
# $XDG_CONFIG_HOME/vfiomigtop/vfiomigtoprc; the next start uses them,
# -d and --color win over them, --no-config neither reads nor writes; a
# damaged file or a bad --color is said and the monitor goes on.
. "$(dirname "$0")/lib.sh"

S=$T_DIR/src
D=$T_DIR/dst
for dev in 0000:3b:00.2 0000:5e:00.1; do
	t_state "$S" "$dev" RUNNING
	t_state "$D" "$dev" RUNNING
done
export XDG_CONFIG_HOME=$T_DIR/cfg
RC=$XDG_CONFIG_HOME/vfiomigtop/vfiomigtoprc
# t_said TEXT: the pane, its scrolled-off lines included, holds TEXT (a
# long message after the screen ends may wrap and scroll).
t_said() { tm capture-pane -p -J -S -200 -t t | grep -qF -- "$1"; }

t_top 120 30 --src "$S" --dst "$D"
t_ok "started" t_wait $W DESTINATION
t_keys o
t_wait $W "Sort:state"
t_keys d 0.3 Enter
t_wait $W "every 300 ms"
t_keys / 3b Enter
t_wait $W "filter '3b'"
t_keys A c
t_ok "ASCII lines" t_wait $W "-- SOURCE"
t_keys S
t_ok "S: saved, and where" t_wait $W "settings saved to $RC"
t_ok "the file has the sort" grep -qx "sort=state" "$RC"
t_ok "... the delay" grep -qx "delay=0.3" "$RC"
t_ok "... the filter" grep -qx "filter=3b" "$RC"
t_ok "... the line drawing" grep -qx "ascii=1" "$RC"
t_ok "... the colour scheme" grep -qx "color=light" "$RC"
t_keys q
t_wait_dead $W

t_top 120 30 --src "$S" --dst "$D"
t_ok "restart: the saved sort" t_wait $W "Sort:state"
t_ok "... the saved delay" t_wait $W "every 300 ms"
t_ok "... the saved filter" t_has "filter '3b'"
t_ok "... the saved line drawing" t_has "-- SOURCE"
t_keys q
t_wait_dead $W

t_top 120 30 -d 0.5 --src "$S" --dst "$D"
t_ok "-d wins over the saved delay" t_wait $W "every 500 ms"
t_ok "... the rest still applies" t_has "Sort:state"
t_keys q
t_wait_dead $W

t_top 120 30 --no-config --src "$S" --dst "$D"
t_ok "--no-config: the defaults" t_wait $W "Sort:name "
t_ok "... every 1.0 s" t_has "every 1.0 s"
t_keys S
t_ok "--no-config: S saves nothing" t_wait $W "settings not saved: --no-config"
t_ok "... the file is as it was" grep -qx "sort=state" "$RC"
t_keys q
t_wait_dead $W

# A damaged file: said with its line, the good lines apply.
printf 'sort=sideways\nfoo\ndelay=0.2\n' >"$RC"
t_top 120 30 --src "$S" --dst "$D"
t_ok "a damaged file is said" t_wait $W "vfiomigtoprc: line 1: bad value for 'sort'"
t_ok "... and the rest applies" t_wait $W "every 200 ms"
t_ok "... and it runs" t_wait $W DESTINATION
t_keys q
t_ok "it ends normally" t_wait_dead $W
t_ok "... with the message on stderr too" t_said "vfiomigtop: settings:"
t_ok "... status 0" [ "$(t_status)" = 0 ]

# A bad --color: said, and the monitor runs.
t_top 120 30 --no-config --color=purple --src "$S" --dst "$D"
t_ok "a bad --color is said on the screen" t_wait $W "--color 'purple': expected auto, light, dark or none"
t_ok "... and it runs" t_wait $W DESTINATION
t_keys q
t_ok "it ends normally" t_wait_dead $W
t_ok "... and it was said on stderr" t_said "vfiomigtop: --color 'purple'"
t_ok "... status 0" [ "$(t_status)" = 0 ]
t_done
