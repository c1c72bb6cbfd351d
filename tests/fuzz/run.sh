#!/bin/bash
# run.sh [SEED [COUNT [WORKERS]]] - umk's own fuzzer (fuzz.c) on each
# platform in $UMK_PLATFORMS (default "ptrace seccomp"): builds it static
# with the syscall table (build/tests/fuzz, /tests/fuzz in the test root),
# runs `fuzz SEED COUNT WORKERS` as the guest's pid 1 inside the safety net
# of safety.sh, and passes when umk exits 0 (the fuzzer's end-of-run check
# that the kernel still works included) with no oops, no sanitizer
# report, no stub left, the sentinel alive and the host tree unchanged.
# `make fuzz SEED=N COUNT=M` runs it; UMK=build-asan/umk for the
# sanitizer build (`make fuzz SAN=1` builds and uses that).
# Environment: FUZZ_MEMORY, FUZZ_TMPFS (umk --memory and --tmpfs-size for
# the run, default 2G and 256M), FUZZ_TIMEOUT (seconds per run, 600),
# FUZZ_UMK_ARGS (more umk options, as -v), FUZZ_LOGDIR (keep each run's
# whole output there as fuzz.SEED.PLATFORM).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
platforms=${UMK_PLATFORMS:-ptrace seccomp}
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/safety.sh"

seed=${1:-1}
count=${2:-20000}
workers=${3:-4}
limit=${FUZZ_TIMEOUT:-600}

mkdir -p "$BUILD/tests"
src=$ROOT/tests/fuzz/fuzz.c
bin=$BUILD/tests/fuzz
if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ] || [ "$ROOT/guest-abi/syscalls.def" -nt "$bin" ]; then
	$CC -O1 -static -Wall -Wextra -pthread -o "$bin" "$src" "$ROOT/guest-abi/syscall_table.c" ||
		{ fail "fuzz (compile)"; summary; exit; }
fi
make_testroot || { fail "test root (rootfs/mkrootfs.sh)"; summary; exit; }
sync_bins "$BUILD/tests" "$TESTROOT/tests"
have_umk || { summary; exit; }
# Bounded: a fuzzed guest fallocates, maps and populates huge sizes; without
# --memory and --tmpfs-size it can drive the host into its OOM killer.
mem=(--memory="${FUZZ_MEMORY:-2G}" --tmpfs-size="${FUZZ_TMPFS:-256M}")
# --net=none: whatever a fuzzed connect or sendto names, nothing leaves umk
mem+=(--net=none ${FUZZ_UMK_ARGS:-})

safe_begin
trap safe_end EXIT
for p in $platforms; do
	o=$safe_dir/out.$p
	start=$(date +%s)
	safe_run "$limit" "$o" "$UMK" run --platform "$p" --rootfs "$TESTROOT" "${mem[@]}" -- \
		/tests/fuzz "$seed" "$count" "$workers"
	rc=$?
	[ -z "${FUZZ_LOGDIR:-}" ] || cp "$o" "$FUZZ_LOGDIR/fuzz.$seed.$p"
	secs=$(($(date +%s) - start))
	why=$(safe_verdict "$o" $rc)
	summary_line=$(grep -a '^fuzz: seed' "$o" | tail -1)
	[ -n "$summary_line" ] || why="${why:+$why; }no summary line"
	if [ -n "$why" ]; then
		fail "fuzz seed $seed [$p] (${secs}s): $why"
		grep -av 'unimplemented syscall\|cannot adopt its host thread' "$o" | tail -n 25 | sed 's/^/    /'
	else
		pass "fuzz seed $seed [$p] (${secs}s): ${summary_line#fuzz: seed $seed: }"
	fi
done
summary
