#!/bin/bash
# run-tracer-tests.sh [NAME...] - debugging inside the guest: Debian's
# strace and gdb run in the Debian root under umk (each platform in
# $UMK_PLATFORMS) and in a chroot of the same root, on the cases of
# tests/tracer-cases.txt (run by tests/run-debian-cases.sh, whose
# environment applies: UMK_DEBIAN, UMK_DEBIAN_ROOT...).  The cases need
# strace and gdb ("needs=" in their headers, tests/debian-extra-packages.txt
# for CI): a root without them skips each with a message.  Then a check no
# native run can make: the guest's Yama ptrace_scope is 1, so a process
# may not attach to its sibling (same uid, not root), but may attach to
# its child (tests/tracer/yama.c).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@" # make runs us with sh
set -u
. "$(dirname "$0")/lib.sh"

UMK_DEBIAN_CASES=$ROOT/tests/tracer-cases.txt UMK_NO_SUMMARY=1 "$ROOT/tests/run-debian-cases.sh" "$@" \
	>"${TMPDIR:-/tmp}/umk-tracer.$$" 2>&1
cat "${TMPDIR:-/tmp}/umk-tracer.$$"
npass=$((npass + $(grep -c '^PASS' "${TMPDIR:-/tmp}/umk-tracer.$$")))
nfail=$((nfail + $(grep -c '^FAIL' "${TMPDIR:-/tmp}/umk-tracer.$$")))
rm -f "${TMPDIR:-/tmp}/umk-tracer.$$"

# Yama scope 1, in the busybox test root (as a guest-only check: the host
# may have no Yama)
if have_umk && make_testroot; then
	compile "$ROOT/tests/tracer/yama.c" "$BUILD/tracer/yama" && sync_bins "$BUILD/tracer" "$TESTROOT/tracer"
	for p in $UMK_PLATFORMS; do
		out=$(umk_run "$p" /tracer/yama 2>&1)
		if [ "$out" = "$(printf "ptrace_scope 1\nsibling: EPERM\nsibling mem: EACCES\nsibling process_vm_readv: EPERM\nchild: 0\nchild mem: 0")" ]; then
			pass "yama scope 1 [$p]"
		else
			fail "yama scope 1 [$p]"
			echo "$out" | head -10 | sed 's/^/    /'
		fi
	done
fi
summary
