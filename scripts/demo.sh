#!/bin/sh
# Set up (Debian packages, build) and run vfiomigtop on its built-in demo.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"
"$top/scripts/build.sh" _build
exec "$top/_build/src/vfiomigtop" --demo "$@"
