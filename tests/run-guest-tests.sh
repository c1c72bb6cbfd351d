#!/bin/bash
# run-guest-tests.sh [NAME...] - build each tests/guest/NAME.c static into
# build/tests/, run it natively (cwd: a fresh temp dir) and as /tests/NAME
# under umk on each platform in $UMK_PLATFORMS (default "ptrace"), and
# compare stdout plus exit status (a program with a tests/guest/NAME.expected
# is compared with that instead of a native run: its native run would
# touch the host's devices; one with a tests/guest/NAME.overlay runs
# natively in an overlayfs of the test root, after `NAME --make-lower`
# made its lower fixtures there).  Prints PASS/FAIL per test and platform,
# with a diff on failure.  The guest sees build/testroot (lib.sh).
# posix_acl also runs --host-check on a host file with an ACL in a
# scratch copy of the root (see the end).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@" # make runs us with sh
set -u
. "$(dirname "$0")/lib.sh"

names=("$@")
if [ ${#names[@]} = 0 ]; then
	for src in "$ROOT"/tests/guest/*.c; do
		n=${src##*/}
		names+=("${n%.c}")
	done
fi

for n in "${names[@]}"; do
	compile "$ROOT/tests/guest/$n.c" "$BUILD/tests/$n" || { fail "$n (compile)"; rm -f "$BUILD/tests/$n"; }
done
make_testroot || { fail "test root (rootfs/mkrootfs.sh)"; summary; exit; }
sync_bins "$BUILD/tests" "$TESTROOT/tests"
umk_ok=1
have_umk || umk_ok=0

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for n in "${names[@]}"; do
	bin=$BUILD/tests/$n
	[ -x "$bin" ] || continue
	if [ -f "$ROOT/tests/guest/$n.overlay" ]; then
		# about the overlay root's lower layer (NAME.overlay says what):
		# fixtures made by `NAME --make-lower` in the test root, native
		# run chrooted into an overlayfs of the test root (native_run)
		if ! native_ok; then
			skip "$n: cannot mount the native overlay (need root or user namespaces)"
			continue
		fi
		"$bin" --make-lower "$TESTROOT/tests/$n.d" || { fail "$n (--make-lower)"; continue; }
		timeout -k 5 120 bash -c '. "$1"; shift; native_run "$@"' sh "$ROOT/tests/lib.sh" \
			"$TESTROOT" "/tests/$n" </dev/null >"$work/$n.native" 2>"$work/$n.native.err"
		echo "exit $?" >>"$work/$n.native"
	elif [ -f "$ROOT/tests/guest/$n.expected" ]; then
		# no native run (it would use the host's devices): the exact
		# output Linux gives, checked by hand, is in NAME.expected
		cp "$ROOT/tests/guest/$n.expected" "$work/$n.native"
	else
		# native: same binary, same environment as the guest gets
		mkdir -p "$work/cwd.$n"
		(cd "$work/cwd.$n" && timeout -k 5 120 env -i "${GUEST_ENV[@]}" "$bin" </dev/null >"$work/$n.native" 2>"$work/$n.native.err")
		echo "exit $?" >>"$work/$n.native"
	fi
	if ! tail -1 "$work/$n.native" | grep -qx 'exit 0'; then
		fail "$n (native run)"
		tail -n 20 "$work/$n.native" "$work/$n.native.err" | sed 's/^/    /'
		continue
	fi
	# a host without the feature: the program says "SKIP why" first
	if head -1 "$work/$n.native" | grep -q '^SKIP '; then
		skip "$n: $(head -1 "$work/$n.native" | cut -c6-) (native)"
		continue
	fi
	[ $umk_ok = 1 ] || continue
	for p in $UMK_PLATFORMS; do
		out=$work/$n.$p
		timeout -k 5 120 "$UMK" run --platform "$p" --rootfs "$TESTROOT" --hostname umk --cwd / \
			--env-clear -e TERM=linux -- "/tests/$n" </dev/null >"$out" 2>"$out.err"
		echo "exit $?" >>"$out"
		if cmp -s "$work/$n.native" "$out"; then
			pass "$n [$p]"
		else
			fail "$n [$p]"
			diff -u --label native --label "umk $p" "$work/$n.native" "$out" | head -40 | sed 's/^/    /'
			head -10 "$out.err" | sed 's/^/    stderr: /'
		fi
	done
done

# posix_acl on a host file of the root that has an ACL of its own: read
# through the overlay, checked, kept at the copy-up a chmod makes; the
# same lines as natively (on a copy), and the host file left as it was
if [[ " ${names[*]} " == *" posix_acl "* ]] && [ -x "$BUILD/tests/posix_acl" ] && [ $umk_ok = 1 ]; then
	a=$work/acl-root
	if mkdir -p "$a" "$work/acl-n" && cp -a "$TESTROOT/." "$a/" && mkdir -p "$a/h" &&
		echo x >"$a/h/f" && chmod 600 "$a/h/f" && "$BUILD/tests/posix_acl" --host-set "$a/h/f" &&
		cp -a "$a/h/f" "$work/acl-n/f" &&
		"$BUILD/tests/posix_acl" --host-check "$work/acl-n" f >"$work/acl-n.out" 2>&1 </dev/null; then
		for p in $UMK_PLATFORMS; do
			timeout -k 5 60 "$UMK" run --platform "$p" --rootfs "$a" --env-clear -- \
				/tests/posix_acl --host-check /h f </dev/null >"$work/acl-u.out" 2>&1
			if cmp -s "$work/acl-n.out" "$work/acl-u.out" && [ "$(stat -c %a "$a/h/f")" = 640 ]; then
				pass "posix_acl on a host file of the root [$p]"
			else
				fail "posix_acl on a host file of the root [$p]"
				diff -u --label native --label "umk $p" "$work/acl-n.out" "$work/acl-u.out" |
					head -30 | sed 's/^/    /'
			fi
		done
	else
		skip "posix_acl on a host file: the host's filesystem keeps no ACL here"
	fi
fi
summary
