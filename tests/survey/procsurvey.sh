#!/bin/bash
# procsurvey.sh - runs tests/survey/procsurvey.c natively (no sysctl is
# written: /proc/sys files are only opened O_WRONLY) and under umk on each
# platform of $UMK_PLATFORMS (default "ptrace seccomp", as root in the
# guest with --write: every readable sysctl gets its value written back),
# and prints the differences by path: entries the host has and umk lacks
# ("only native"), entries only umk has ("only umk"), and entries whose
# type, mode, open, read or write result differ.  A survey, not a test:
# the host has hardware and modules umk does not pretend to have.
# Outputs stay in $OUT (a temp dir).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
PLATFORMS=${UMK_PLATFORMS:-ptrace seccomp}
. "$(dirname "$0")/../lib.sh"
OUT=${OUT:-$(mktemp -d /tmp/umk-procsurvey.XXXXXX)}
mkdir -p "$BUILD/survey"
$CC -O1 -static -Wall -Wextra -o "$BUILD/survey/procsurvey" "$ROOT/tests/survey/procsurvey.c" || exit 1
make_testroot || exit 1
mkdir -p "$TESTROOT/survey"
cp "$BUILD/survey/procsurvey" "$TESTROOT/survey/"
(cd / && env -i "${GUEST_ENV[@]}" "$BUILD/survey/procsurvey" </dev/null >"$OUT/native.txt")
paths() { grep -v '^#' "$1" | cut -d' ' -f1 | sort -u; }
for p in $PLATFORMS; do
	timeout -k 5 300 "$UMK" run --platform "$p" --rootfs "$TESTROOT" --hostname umk --cwd / \
		--env-clear -e TERM=linux -- /survey/procsurvey --write </dev/null >"$OUT/umk-$p.txt" 2>"$OUT/umk-$p.err"
	# what the listing left out, looked up by name
	comm -23 <(paths "$OUT/native.txt") <(paths "$OUT/umk-$p.txt") >"$OUT/probe-$p.in"
	timeout -k 5 300 "$UMK" run --platform "$p" --rootfs "$TESTROOT" --hostname umk --cwd / \
		--env-clear -e TERM=linux -- /survey/procsurvey --probe <"$OUT/probe-$p.in" >"$OUT/probe-$p.txt" 2>>"$OUT/umk-$p.err"
done
python3 - "$OUT" $PLATFORMS <<'PY'
import sys
out, plats = sys.argv[1], sys.argv[2:]
def load(f):
    d = {}
    for l in open(f):
        if l.startswith('#'): continue
        w = l.split()
        if not w: continue
        # a write of the value read back and an O_WRONLY open compare
        w = [x.replace('write=open-ok', 'write=ok').replace('write=open:', 'write=') for x in w]
        d[w[0]] = ' '.join(w[1:])
    return d
nat = load(out + '/native.txt')
for p in plats:
    u = load('%s/umk-%s.txt' % (out, p))
    probe = load('%s/probe-%s.txt' % (out, p))
    only_n = sorted(set(nat) - set(u))
    unlisted = [k for k in only_n if k in probe and not probe[k].startswith('- -')]
    only_n = [k for k in only_n if k not in unlisted]
    only_u = sorted(set(u) - set(nat))
    diff = sorted(k for k in set(nat) & set(u) if nat[k] != u[k])
    print('== %s: native %d, umk %d, only native %d, unlisted %d, only umk %d, differ %d' %
          (p, len(nat), len(u), len(only_n), len(unlisted), len(only_u), len(diff)))
    for k in only_n: print('only native  %s %s' % (k, nat[k]))
    for k in unlisted: print('unlisted     %s native[%s] umk[%s]' % (k, nat[k], probe[k]))
    for k in only_u: print('only umk     %s %s' % (k, u[k]))
    for k in diff: print('differ       %s native[%s] umk[%s]' % (k, nat[k], u[k]))
PY
echo "outputs in $OUT" >&2
