#!/bin/bash
# run-ns-cases.sh [NAME...] - the namespace and mount cases of
# tests/ns-cases.txt (unshare, bubblewrap) in the Debian root, under umk
# and natively at the pivot_root'ed root of an overlay of the same root
# (see run-debian-cases.sh, UMK_NATIVE=pivot).  Skipped like the Debian
# cases when there is no Debian root; a case whose program the root lacks
# is skipped with a message (rootfs/debian.sh's default set has them).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@" # make runs us with sh
UMK_NATIVE=pivot UMK_DEBIAN_CASES="$(dirname "$0")/ns-cases.txt" exec bash "$(dirname "$0")/run-debian-cases.sh" "$@"
