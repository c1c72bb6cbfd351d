#!/bin/bash
# run-tracer-tests.sh [NAME...] - debugging inside the guest: Debian's
# strace and gdb run in the Debian root under umk (each platform in
# $UMK_PLATFORMS) and in a chroot of the same root, on the cases of
# tests/tracer-cases.txt (run by tests/run-debian-cases.sh, whose
# environment applies: UMK_DEBIAN, UMK_DEBIAN_ROOT...).  The cases need
# strace and gdb ("needs=" in their headers, tests/debian-extra-packages.txt
# for CI): a root without them skips each with a message.  Then a check no
# native run can make: the guest's Yama ptrace_scope starts at 1, so a
# process may not attach to its sibling (same uid, not root), but may
# attach to its child; scopes 0, 2 and 3 as root sets them
# (tests/tracer/yama.c).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@" # make runs us with sh
set -u
. "$(dirname "$0")/lib.sh"

UMK_DEBIAN_CASES=$ROOT/tests/tracer-cases.txt UMK_NO_SUMMARY=1 "$ROOT/tests/run-debian-cases.sh" "$@" \
	>"${TMPDIR:-/tmp}/umk-tracer.$$" 2>&1
cat "${TMPDIR:-/tmp}/umk-tracer.$$"
npass=$((npass + $(grep -c '^PASS' "${TMPDIR:-/tmp}/umk-tracer.$$")))
nfail=$((nfail + $(grep -c '^FAIL' "${TMPDIR:-/tmp}/umk-tracer.$$")))
rm -f "${TMPDIR:-/tmp}/umk-tracer.$$"

# Yama, in the busybox test root (as a guest-only check: the host
# may have no Yama)
if have_umk && make_testroot; then
	# Linux's rules (security/yama/yama_lsm.c): 0 classic, 1 descendants
	# only, 2 CAP_SYS_PTRACE only (also for the parent of a TRACEME),
	# 3 nobody, and 3 cannot be lowered
	yama_want='ptrace_scope 1
scope 1 (0): sibling EPERM mem EACCES vm_readv EPERM child 0 root-child 0 traceme 0
scope 0 (0): sibling 0 mem 0 vm_readv 0 child 0 root-child 0 traceme 0
scope 2 (0): sibling EPERM mem EACCES vm_readv EPERM child EPERM root-child 0 traceme 0
scope 3 (0): sibling EPERM mem EACCES vm_readv EPERM child EPERM root-child EPERM traceme EPERM
lower from 3: EINVAL'
	compile "$ROOT/tests/tracer/yama.c" "$BUILD/tracer/yama" && sync_bins "$BUILD/tracer" "$TESTROOT/tracer"
	for p in $UMK_PLATFORMS; do
		out=$(umk_run "$p" /tracer/yama 2>&1)
		if [ "$out" = "$yama_want" ]; then
			pass "yama ptrace_scope [$p]"
		else
			fail "yama ptrace_scope [$p]"
			diff <(echo "$yama_want") <(echo "$out") | head -10 | sed 's/^/    /'
		fi
	done
fi
summary
