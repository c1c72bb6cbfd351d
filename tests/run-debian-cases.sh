#!/bin/bash
# run-debian-cases.sh [NAME...] - run the cases of tests/debian-cases.txt
# (all, or those named) in the Debian root as `bash -c CASE`, under umk
# (each platform in $UMK_PLATFORMS) and natively (native_run in lib.sh: a
# chroot into an overlay of the same root, pid 1 of new namespaces,
# hostname umk, with /dev/shm), and compare stdout, stderr and exit status.
# PASS/FAIL per case, labelled debian:NAME; a failing case listed in
# tests/debian-xfail.txt (known differences, with the reason) says XFAIL
# instead and is counted neither way (UMK_DEBIAN_STRICT=1: no such list).
#
# The root is $UMK_DEBIAN_ROOT (default build/debian), built by
# rootfs/debian.sh (`make debian-rootfs`).  If it is not there the cases
# are skipped with one SKIP line, unless UMK_DEBIAN=1, which builds it
# first (about a minute, ~450 MB, needs root and Debian's package mirror).
# UMK_DEBIAN=0 skips the cases even when the root exists.
# UMK_DEB_SELFTEST=1 compares two native runs instead (checks determinism).
# UMK_DEBIAN_TIMEOUT: seconds per case and system (default 60).
# UMK_NATIVE=pivot: the native reference pivots into the root instead of
# chrooting (native_pivot_run: user namespaces work there as at a real
# root); tests/ns-cases.txt runs so.
# UMK_DEBIAN_KEEP=DIR keeps every run's output as DIR/NAME.SYSTEM.{out,err}.
# A case whose header names packages ("### NAME needs=postgresql") is
# skipped with a SKIP line when the root lacks them; UMK_DEBIAN_EXTRA
# (packages, e.g. those of tests/debian-extra-packages.txt, as .ci/run
# sets it) makes UMK_DEBIAN=1 build the root with them.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@" # make runs us with sh
set -u
. "$(dirname "$0")/lib.sh"

cases=${UMK_DEBIAN_CASES:-$ROOT/tests/debian-cases.txt}
xfails=$ROOT/tests/debian-xfail.txt
[ -z "${UMK_DEBIAN_STRICT:-}" ] || xfails=/dev/null
DEBROOT=${UMK_DEBIAN_ROOT:-$BUILD/debian}
tmo=${UMK_DEBIAN_TIMEOUT:-60}

if [ "${UMK_DEBIAN:-}" = 0 ]; then
	skip "debian cases: UMK_DEBIAN=0"
	summary
	exit
elif [ "${UMK_DEBIAN:-}" = 1 ]; then
	"$ROOT/rootfs/debian.sh" "$DEBROOT" || { fail "debian cases: building the Debian root (rootfs/debian.sh $DEBROOT)"; summary; exit; }
elif [ ! -f "$DEBROOT/.umk-debian-stamp" ]; then
	skip "debian cases: no Debian root at $DEBROOT (make debian-rootfs, or UMK_DEBIAN=1 to build it)"
	summary
	exit
fi
if ! native_ok; then
	skip "debian cases: cannot run the native reference (need root or user namespaces)"
	summary
	exit
fi
if [ -n "${UMK_DEB_SELFTEST:-}" ]; then
	systems=native2
else
	have_umk || { summary; exit; }
	systems=$UMK_PLATFORMS
fi
export NATIVE_SHM=1 # the native /dev gets a tmpfs /dev/shm, as umk's has
native_runner=native_run
[ "${UMK_NATIVE:-}" = pivot ] && native_runner=native_pivot_run

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# split the cases file: $work/cases/NNN-NAME holds each case's script
mkdir "$work/cases"
# (a header "### NAME needs=PKG,PKG" also writes NNN-NAME.needs: the Debian
# packages the case needs; it is skipped, with a message, when the root lacks
# one; "timeout=SECONDS" writes NNN-NAME.timeout, the case's own time limit
# instead of $UMK_DEBIAN_TIMEOUT, for cases that do much, such as PostgreSQL's)
awk -v d="$work/cases" '
	/^### / { n++; name = $2; f = sprintf("%s/%03d-%s", d, n, name); printf "" >f
		  for (i = 3; i <= NF; i++) {
			  if ($i ~ /^needs=/) { v = $i; sub(/^needs=/, "", v); print v >(f ".needs") }
			  if ($i ~ /^timeout=/) { v = $i; sub(/^timeout=/, "", v); print v >(f ".timeout") }
		  }
		  next }
	n { print >>f }
' "$cases"

# missing_pkgs CASEFILE: the packages the case needs that the root lacks
missing_pkgs() {
	local p miss=""
	[ -f "$1.needs" ] || return 0
	for p in $(tr ',' ' ' <"$1.needs"); do
		[ -f "$DEBROOT/var/lib/dpkg/info/$p.list" ] || [ -f "$DEBROOT/var/lib/dpkg/info/$p:amd64.list" ] ||
			miss="$miss $p"
	done
	echo "${miss# }"
}

# xfail_reason NAME: the reason NAME is listed in debian-xfail.txt (status 1 if not)
xfail_reason() {
	awk -v n="$1" '$1 == n { $1 = ""; sub(/^ /, ""); print; found = 1 } END { exit !found }' "$xfails" 2>/dev/null
}

# run_one SYSTEM CASEFILE OUTPREFIX: stdout, stderr (then "exit N") into OUTPREFIX.{out,err},
# umk's log into OUTPREFIX.log
run_one() {
	local sys=$1 script o=$3 tmo=$tmo
	script=$(cat "$2")
	[ -f "$2.timeout" ] && tmo=$(cat "$2.timeout")
	rm -f "$o.log"   # umk's log (--log): unimplemented syscalls and such
	case $sys in
	native | native2) timeout -k 5 "$tmo" bash -c '. "$1"; shift; "$@"' sh "$ROOT/tests/lib.sh" \
		"$native_runner" "$DEBROOT" /bin/bash -c "$script" </dev/null >"$o.out" 2>"$o.err" ;;
	*) timeout -k 5 "$tmo" "$UMK" run --platform "$sys" --rootfs "$DEBROOT" --hostname umk --cwd / \
		--env-clear --log="$o.log" -e TERM=linux -- /bin/bash -c "$script" </dev/null >"$o.out" 2>"$o.err" ;;
	esac
	echo "exit $?" >>"$o.err"
	if [ -n "${UMK_DEBIAN_KEEP:-}" ]; then
		mkdir -p "$UMK_DEBIAN_KEEP"
		cp "$o.out" "$UMK_DEBIAN_KEEP/$name.$sys.out"
		cp "$o.err" "$UMK_DEBIAN_KEEP/$name.$sys.err"
	fi
}

for f in "$work"/cases/*; do
	case $f in *.needs | *.timeout) continue ;; esac
	name=${f##*/}
	name=${name#*-}
	if [ $# -gt 0 ]; then
		want=0
		for a in "$@"; do [ "$a" = "$name" ] && want=1; done
		[ $want = 1 ] || continue
	fi
	miss=$(missing_pkgs "$f")
	if [ -n "$miss" ]; then
		skip "debian:$name: the Debian root lacks $miss (rootfs/debian.sh DIR ... $miss; CI adds tests/debian-extra-packages.txt)"
		continue
	fi
	run_one native "$f" "$work/n"
	for sys in $systems; do
		run_one "$sys" "$f" "$work/g"
		if cmp -s "$work/n.out" "$work/g.out" && cmp -s "$work/n.err" "$work/g.err"; then
			if [ "$sys" != native2 ] && xfail_reason "$name" >/dev/null; then
				pass "debian:$name [$sys] (passes now: remove it from tests/debian-xfail.txt)"
			else
				pass "debian:$name [$sys]"
			fi
		elif [ "$sys" != native2 ] && why=$(xfail_reason "$name"); then
			echo "XFAIL debian:$name [$sys]: $why"
		else
			fail "debian:$name [$sys]"
			grep -o '^umk: unimplemented syscall [a-z0-9_]*' "$work/g.log" 2>/dev/null | sort -u | sed 's/^/    /'
			diff -u --label native --label "$sys stdout" "$work/n.out" "$work/g.out" | head -20 | sed 's/^/    /'
			diff -u --label native --label "$sys stderr" "$work/n.err" "$work/g.err" | head -10 | sed 's/^/    /'
		fi
	done
done
summary
