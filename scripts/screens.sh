#!/bin/sh
# Capture the sample screens of the documentation from the demo, in tmux,
# once it has completed two migrations and failed one (about 15 s in):
#   doc/screen-demo.txt     120x35, the main screen;
#   doc/screen-80x24.txt    80x24, the same moment at the smallest size;
#   doc/screen-details.txt  120x35, Enter on the failed pair.
# The README and doc/tui.md quote them.  Needs tmux and a build
# (VFIOMIGTOP, default _build/src/vfiomigtop).  Times are UTC.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${VFIOMIGTOP:-$top/_build/src/vfiomigtop}
sock=$(mktemp -u "${TMPDIR:-/tmp}/vfiomigtop-screens.XXXXXX")
tm() { tmux -S "$sock" -f /dev/null "$@"; }
trap 'tm kill-server 2>/dev/null || true' EXIT

# shows ERE: the screen has a line matching ERE
shows() { tm capture-pane -p -t s | grep -Eq -- "$1"; }
# wait_for ERE: until the screen shows it (60 s at most)
wait_for() {
	n=0
	until shows "$1"; do
		n=$((n + 1))
		[ "$n" -lt 600 ] || {
			echo "screens.sh: the demo never showed /$1/:" >&2
			tm capture-pane -p -t s >&2
			exit 1
		}
		sleep 0.1
	done
}
# start W H ERE: the demo in a W x H terminal, until its header says ERE
start() {
	tm new-session -d -s s -x "$1" -y "$2" \
		"TERM=screen-256color LC_ALL=C.UTF-8 TZ=UTC $bin --demo --no-config"
	wait_for "$3"
}
# save FILE: the screen, trailing blanks removed
save() { tm capture-pane -p -t s | sed 's/ *$//' >"$1"; }

start 120 35 '2 completed, 1 failed'
save "$top/doc/screen-demo.txt"
tm send-keys -t s Home Down Down Enter
wait_for 'TIMELINE'
save "$top/doc/screen-details.txt"
tm kill-session -t s
start 80 24 ' 2 ok 1 failed'	# the header's short form
save "$top/doc/screen-80x24.txt"
echo "screens.sh: doc/screen-demo.txt doc/screen-details.txt doc/screen-80x24.txt"
