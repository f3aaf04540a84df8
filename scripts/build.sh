#!/bin/sh
# Configure and build into a build directory (default _build).
#   scripts/build.sh [BUILDDIR [configure options...]]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-_build}
[ $# -gt 0 ] && shift
cd "$top"
[ -x configure ] && [ configure -nt configure.ac ] && [ configure -nt Makefile.am ] || ./autogen.sh >/dev/null
mkdir -p "$dir"
cd "$dir"
if [ ! -f Makefile ] || [ "${FORCE_CONFIGURE:-0}" = 1 ]; then
	"$top/configure" --enable-werror "$@" >configure.out || { cat configure.out; exit 1; }
fi
make -j"$(nproc)" >make.out 2>&1 || { cat make.out; exit 1; }
