#!/bin/bash
# run-busybox-cases.sh [CASES-FILE] - run each line of tests/busybox-cases.txt
# as `/bin/sh -c LINE` under umk (each platform in $UMK_PLATFORMS) and
# natively (native_run in lib.sh: chroot into an overlay of build/testroot,
# pid 1 of new namespaces, hostname umk), and compare stdout, stderr and
# exit status.  PASS/FAIL per case, labelled by line number.
# UMK_NEST="P1,P2,P3 ..." adds, for each comma list, a run of umk inside
# umk (one level per platform, outermost first: the outer levels run the
# next umk from the host root, the innermost the case), labelled
# nest:P1,P2,P3.
# UMK_BB_SELFTEST=1 compares two native runs instead (checks determinism).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@" # make runs us with sh
set -u
. "$(dirname "$0")/lib.sh"

cases=${1:-$ROOT/tests/busybox-cases.txt}
make_testroot || { fail "test root (rootfs/mkrootfs.sh)"; summary; exit; }
if ! native_ok; then
	skip "busybox cases: cannot run the native reference (need root or user namespaces)"
	summary
	exit
fi
if [ -n "${UMK_BB_SELFTEST:-}" ]; then
	systems=native2
else
	have_umk || { summary; exit; }
	systems=$UMK_PLATFORMS
	for n in ${UMK_NEST:-}; do systems="$systems nest:$n"; done
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# run_one SYSTEM LINE OUTPREFIX: stdout, stderr (then "exit N") into OUTPREFIX.{out,err}
run_one() {
	local sys=$1 line=$2 o=$3
	case $sys in
	native | native2) timeout -k 5 30 bash -c '. "$1"; shift; native_run "$@"' sh "$ROOT/tests/lib.sh" \
		"$TESTROOT" /bin/sh -c "$line" </dev/null >"$o.out" 2>"$o.err" ;;
	nest:*)
		local outer=() p
		IFS=, read -ra levels <<<"${sys#nest:}"
		for p in "${levels[@]:0:${#levels[@]}-1}"; do
			outer+=("$UMK" run --platform "$p" --rootfs / --cwd / --env-clear --)
		done
		timeout -k 5 60 "${outer[@]}" "$UMK" run --platform "${levels[-1]}" --rootfs "$TESTROOT" \
			--hostname umk --cwd / --env-clear -e TERM=linux -- /bin/sh -c "$line" \
			</dev/null >"$o.out" 2>"$o.err" ;;
	*) timeout -k 5 30 "$UMK" run --platform "$sys" --rootfs "$TESTROOT" --hostname umk --cwd / \
		--env-clear -e TERM=linux -- /bin/sh -c "$line" </dev/null >"$o.out" 2>"$o.err" ;;
	esac
	echo "exit $?" >>"$o.err"
}

n=0
while IFS= read -r line || [ -n "$line" ]; do
	n=$((n + 1))
	case $line in '' | '#'*) continue ;; esac
	run_one native "$line" "$work/n"
	for sys in $systems; do
		run_one "$sys" "$line" "$work/g"
		if cmp -s "$work/n.out" "$work/g.out" && cmp -s "$work/n.err" "$work/g.err"; then
			pass "busybox:$n [$sys]"
		else
			fail "busybox:$n [$sys]: $line"
			diff -u --label native --label "$sys stdout" "$work/n.out" "$work/g.out" | head -20 | sed 's/^/    /'
			diff -u --label native --label "$sys stderr" "$work/n.err" "$work/g.err" | head -10 | sed 's/^/    /'
		fi
	done
done <"$cases"
summary
