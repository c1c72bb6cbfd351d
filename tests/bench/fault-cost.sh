#!/bin/bash
# fault-cost.sh - `make bench-fault`: what fault injection costs the
# syscalls it does not touch.  getppid round trips (workloads.c) under umk
# on each platform in $UMK_PLATFORMS, three ways, interleaved for
# $BENCH_RUNS rounds (default 15): with no fault option (syscall_enter's
# one predictable branch), with one --inject spec on another syscall
# (openat: every syscall now goes through fault_syscall, which counts it
# and looks it up in the union of the specs' sets), and with a spec on
# getppid itself that never fires (probability=0: the whole decision,
# every time).  Prints the medians and their ratio to the first; the
# issue's bar is at most 5% more with one spec on another syscall.  Then
# build/fault-path times the kernel side of the same three alone.
# Timing is reported, never judged.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@" # make runs us with sh
set -u
. "$(dirname "$0")/../lib.sh"

RUNS=${BENCH_RUNS:-15}
out=$BUILD/bench
mkdir -p "$out"
$CC -O2 -static -Wall -o "$out/workloads" "$ROOT/tests/bench/workloads.c" || exit 1
make_testroot || exit 1
mkdir -p "$TESTROOT/bench"
cp "$out/workloads" "$TESTROOT/bench/"
have_umk || exit 1

configs=("none" "--inject=openat:error=ENOENT" "--inject=getppid:error=EPERM:probability=0")
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

printf '| platform | getppid calls | no fault option | one spec, on openat | one spec on getppid, never firing |\n|---|---:|---:|---:|---:|\n'
for p in $UMK_PLATFORMS; do
	n=200000
	[ "$p" = ptrace ] && n=20000
	for i in 0 1 2; do : >"$out/fault-cost.$p.$i"; done
	for r in $(seq "$RUNS"); do
		for i in 0 1 2; do
			opt=()
			[ $i = 0 ] || opt=("${configs[$i]}")
			"$UMK" run --platform "$p" --rootfs "$TESTROOT" "${opt[@]}" -- /bench/workloads getppid $n |
				awk '{ print $2 }' >>"$out/fault-cost.$p.$i"
		done
	done
	m0=$(median <"$out/fault-cost.$p.0")
	row="| $p | $n | $m0 us"
	for i in 1 2; do
		m=$(median <"$out/fault-cost.$p.$i")
		row="$row | $m us ($(awk -v a="$m" -v b="$m0" 'BEGIN { printf "%+.1f%%", (a / b - 1) * 100 }'))"
	done
	echo "$row |"
done
echo "(medians of $RUNS interleaved runs)"
# the kernel side alone, without the platform's round trip (no noise from it)
if [ -x "$BUILD/fault-path" ]; then
	echo
	echo "syscall_enter of a getppid alone (build/fault-path, best of 7 rounds):"
	"$BUILD/fault-path" | sed 's/^/    /'
fi
