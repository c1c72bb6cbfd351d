#!/bin/bash
# run-debug-tests.sh [NAME...] - debugging inside the guest: Debian's strace
# and gdb run in the Debian root under umk (each platform in
# $UMK_PLATFORMS) and in a chroot of the same root, on the cases of
# tests/debug-cases.txt (run by tests/run-debian-cases.sh, whose
# environment applies: UMK_DEBIAN, UMK_DEBIAN_ROOT...).  A root without
# strace and gdb (rootfs/debian.sh builds them in by default) skips the
# cases with one SKIP line saying how to get them.  Then a check no
# native run can make: the guest's Yama ptrace_scope is 1, so a process
# may not attach to its sibling (same uid, not root), but may attach to
# its child.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@" # make runs us with sh
set -u
. "$(dirname "$0")/lib.sh"

DEBROOT=${UMK_DEBIAN_ROOT:-$BUILD/debian}
if [ "${UMK_DEBIAN:-}" = 0 ]; then
	skip "debug cases: UMK_DEBIAN=0"
elif [ "${UMK_DEBIAN:-}" != 1 ] && [ ! -f "$DEBROOT/.umk-debian-stamp" ]; then
	skip "debug cases: no Debian root at $DEBROOT (make debian-rootfs, or UMK_DEBIAN=1 to build it)"
elif [ "${UMK_DEBIAN:-}" != 1 ] && { [ ! -x "$DEBROOT/usr/bin/strace" ] || [ ! -x "$DEBROOT/usr/bin/gdb" ]; }; then
	skip "debug cases: $DEBROOT has no strace or gdb (rootfs/debian.sh DIR with its default packages adds them)"
else
	UMK_DEBIAN_CASES=$ROOT/tests/debug-cases.txt UMK_NO_SUMMARY=1 "$ROOT/tests/run-debian-cases.sh" "$@" >"${TMPDIR:-/tmp}/umk-debug.$$" 2>&1
	cat "${TMPDIR:-/tmp}/umk-debug.$$"
	npass=$((npass + $(grep -c '^PASS' "${TMPDIR:-/tmp}/umk-debug.$$")))
	nfail=$((nfail + $(grep -c '^FAIL' "${TMPDIR:-/tmp}/umk-debug.$$")))
	rm -f "${TMPDIR:-/tmp}/umk-debug.$$"
fi

# Yama scope 1, in the busybox test root (as a guest-only check: the host
# may have no Yama)
if have_umk && make_testroot; then
	compile "$ROOT/tests/debug/yama.c" "$BUILD/debug/yama" && sync_bins "$BUILD/debug" "$TESTROOT/debug"
	for p in $UMK_PLATFORMS; do
		out=$(umk_run "$p" /debug/yama 2>&1)
		if [ "$out" = "$(printf "ptrace_scope 1\nsibling: EPERM\nsibling mem: EACCES\nsibling process_vm_readv: EPERM\nchild: 0\nchild mem: 0")" ]; then
			pass "yama scope 1 [$p]"
		else
			fail "yama scope 1 [$p]"
			echo "$out" | head -10 | sed 's/^/    /'
		fi
	done
fi
summary
