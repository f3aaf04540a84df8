#!/bin/sh
# Install what vfiomigtop needs from Debian's archive (Debian 12, as root).
#   scripts/deps.sh          build dependencies
#   scripts/deps.sh --test   build and test dependencies (qemu, tmux, fuse, ...)
set -eu
build="build-essential autoconf automake autoconf-archive pkg-config
       libncurses-dev libinotifytools0-dev libjansson-dev check
       libpci-dev pci.ids"
test="tmux libfuse3-dev fuse3 jq python3 strace procps
      openssh-server openssh-client prometheus clang clang-tools libclang-rt-14-dev
      stress-ng systemd"
pkgs=$build
[ "${1:-}" = "--test" ] && pkgs="$build $test"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps.sh: missing packages:$missing (run as root)" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
fi
if [ "${1:-}" = "--test" ]; then
	"$(dirname "$0")/../tests/vm/setup.sh"
fi
