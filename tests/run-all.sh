#!/bin/bash
# run-all.sh - what `make check` runs: the unit tests (build/check_unit, if
# built), the guest tests, the busybox cases, the Debian and namespace cases (only if the
# Debian root was built, `make debian-rootfs`, or UMK_DEBIAN=1 asks to
# build it; else one SKIP line), the escape tests, the fault-injection
# tests and campaigns, the bounded-resource and teardown tests
# (run-limits-tests.sh) and checks of umk's command line.  Ends with
# exactly one line "N passed, N failed" counting every check, and exits
# non-zero if any failed.
# Environment: UMK_PLATFORMS (default "ptrace"), UMK (default build/umk),
# UMK_UNIT (default build/check_unit),
# UMK_NEST (umk in umk for the busybox cases; default seccomp,ptrace,seccomp),
# UMK_DEBIAN (1: build the Debian root if missing; 0: skip its cases).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@" # make runs us with sh
set -u
. "$(dirname "$0")/lib.sh"
export UMK_NO_SUMMARY=1 UMK_PLATFORMS UMK
# umk inside umk inside umk runs the busybox cases too (run-busybox-cases.sh)
export UMK_NEST=${UMK_NEST-seccomp,ptrace,seccomp}

log=$(mktemp)
work=$(mktemp -d)
trap 'rm -rf "$log" "$work"' EXIT

# part CMD...: run a sub-runner, show its output, keep it for the count
part() {
	local t0=$SECONDS n0 rc
	n0=$(grep -c '^FAIL' "$log")
	echo "== ${1##*/}"
	bash "$@" 2>&1 | tee -a "$log"
	rc=${PIPESTATUS[0]}
	# a runner that fails without saying which check (it could not run,
	# or died) is a failure too
	if [ "$rc" != 0 ] && [ "$(grep -c '^FAIL' "$log")" = "$n0" ]; then
		echo "FAIL ${1##*/} exited with status $rc" | tee -a "$log"
	fi
	echo "== ${1##*/}: $((SECONDS - t0)) s"
}

# unit tests (libcheck prints "NN%: Checks: N, Failures: F, Errors: E")
echo "== unit"
unit=${UMK_UNIT:-$BUILD/check_unit}   # .ci/run: the sanitizer build's
if [ -x "$unit" ]; then
	"$unit" >"$work/unit" 2>&1
	rc=$?
	cat "$work/unit"
	line=$(grep -Eo 'Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$work/unit" | tail -1)
	if [ -n "$line" ]; then
		set -- $(echo "$line" | tr -dc '0-9 ')
		npass=$((npass + $1 - $2 - $3))
		nfail=$((nfail + $2 + $3))
		[ $rc = 0 ] || [ $(($2 + $3)) != 0 ] || fail "unit (exit $rc)"
	elif [ $rc = 0 ]; then
		pass unit
	else
		fail "unit (exit $rc)"
	fi
else
	skip "unit: $unit not built"
fi

part "$ROOT/tests/run-guest-tests.sh"
part "$ROOT/tests/run-busybox-cases.sh"
part "$ROOT/tests/run-debian-cases.sh"
part "$ROOT/tests/run-tracer-tests.sh"
part "$ROOT/tests/run-nest-tests.sh"
part "$ROOT/tests/run-ns-cases.sh"
part "$ROOT/tests/run-escape-tests.sh"
part "$ROOT/tests/run-limits-tests.sh"
part "$ROOT/tests/run-ext2-tests.sh"
part "$ROOT/tests/run-net-tests.sh"
part "$ROOT/tests/run-fault-tests.sh"
part "$ROOT/tests/run-campaign-tests.sh"
part "$ROOT/tests/run-debug-tests.sh"
# the benchmark, once with small counts: it still runs everywhere (no timing judged)
QUICK=1 BENCH_PEERS=0 part "$ROOT/tests/bench/bench.sh"

# command-line checks: cli NAME EXPECTED-STATUS|nonzero CMD... (stdout and
# stderr land in $work/out and $work/err for extra checks by the caller)
cli_rc() {
	local want=$1
	shift
	timeout -k 5 60 "$@" <"$stdin" >"$work/out" 2>"$work/err"
	rc=$?
	case $want in
	nonzero) [ $rc != 0 ] ;;
	*) [ $rc = "$want" ] ;;
	esac
}
one_line_err() { [ "$(wc -l <"$work/err")" = 1 ] && [ ! -s "$work/out" ]; }
check() { if eval "$2"; then pass "cli $1"; else fail "cli $1 (exit $rc): $(head -c 300 "$work/err" | tr '\n' '|')"; fi; }

echo "== cli"
if have_umk; then
	compile "$ROOT/tests/cli/crash.c" "$BUILD/cli/crash" && compile "$ROOT/tests/cli/unimpl.c" "$BUILD/cli/unimpl" &&
		sync_bins "$BUILD/cli" "$TESTROOT/cli"
	stdin=/dev/null
	# shellcheck disable=SC2034 # R is used inside the eval of check
	R=(--rootfs "$TESTROOT")
	check help 'cli_rc 0 "$UMK" --help && [ -s "$work/out" -o -s "$work/err" ]'
	check unknown-option 'cli_rc nonzero "$UMK" run --no-such-option -- /bin/true && one_line_err'
	check unknown-command 'cli_rc nonzero "$UMK" frobnicate && [ "$(wc -l <"$work/err")" = 1 ]'
	check missing-rootfs 'cli_rc nonzero "$UMK" run --rootfs "$work/no-such-dir" -- /bin/true && one_line_err'
	check not-found-127 'cli_rc 127 "$UMK" run "${R[@]}" -- /nonexistent'
	check not-elf-126 'cli_rc nonzero "$UMK" run "${R[@]}" -- /tests/not-elf &&
		{ [ $rc = 126 ] || grep -qiE "exec format|ENOEXEC" "$work/err"; }'
	check not-executable-126 'cli_rc 126 "$UMK" run "${R[@]}" -- /tests/not-exec'
	check exit-status 'cli_rc 3 "$UMK" run "${R[@]}" -- /bin/sh -c "exit 3"'
	check signal-128+N 'cli_rc 139 "$UMK" run "${R[@]}" -- /cli/crash'
	check true 'cli_rc 0 "$UMK" run "${R[@]}" -- /bin/true && [ ! -s "$work/out" ]'
	check default-rootfs '(cd "$ROOT" && cli_rc 0 "$UMK" run -- /bin/sh -c "test -x /bin/busybox")'
	check pid1-uid0 'cli_rc 0 "$UMK" run "${R[@]}" -- /bin/sh -c "echo \$\$ \$(id -u)" && [ "$(cat "$work/out")" = "1 0" ]'
	# found by fuzzing: as a pid namespace's init, pid 1 ignores the stop,
	# kill and terminate signals guest processes send it
	check init-ignores-guest-signals 'cli_rc 0 "$UMK" run "${R[@]}" -- /bin/sh -c \
		"kill -STOP \$\$; kill -TSTP \$\$; kill -KILL \$\$; kill -TERM \$\$; echo survived" &&
		[ "$(cat "$work/out")" = survived ]'
	check default-env 'cli_rc 0 "$UMK" run "${R[@]}" -- /bin/sh -c "echo \$PATH \$HOME" &&
		[ "$(cat "$work/out")" = "$GUEST_PATH /root" ]'
	check env-option 'cli_rc 0 "$UMK" run "${R[@]}" -e FOO=bar -e HOME=/tmp -- /bin/sh -c "echo \$FOO \$HOME" &&
		[ "$(cat "$work/out")" = "bar /tmp" ]'
	# the host's terminal, locale and time zone variables reach the guest
	# (as sudo's env_keep), nothing else; --env-clear drops them; -e wins
	check env-host-kept 'cli_rc 0 env -i TERM=xterm-256color COLORTERM=truecolor LANG=C.UTF-8 LANGUAGE=en LC_TIME=C TZ=UTC FOO=bar \
		"$UMK" run "${R[@]}" -- /bin/sh -c "echo \$TERM \$COLORTERM \$LANG \$LANGUAGE \$LC_TIME \$TZ \${FOO-unset}" &&
		[ "$(cat "$work/out")" = "xterm-256color truecolor C.UTF-8 en C UTC unset" ]'
	check env-default-term 'cli_rc 0 env -i "$UMK" run "${R[@]}" -- /bin/sh -c "echo \$TERM" && [ "$(cat "$work/out")" = linux ]'
	check env-clear 'cli_rc 0 env -i TERM=xterm LANG=C.UTF-8 LC_ALL=C "$UMK" run "${R[@]}" --env-clear -- \
		/bin/sh -c "echo \$TERM \${LANG-unset} \${LC_ALL-unset} \$PATH \$HOME" &&
		[ "$(cat "$work/out")" = "linux unset unset $GUEST_PATH /root" ]'
	check env-e-overrides 'cli_rc 0 env -i TERM=xterm LANG=C.UTF-8 "$UMK" run "${R[@]}" -e TERM=vt100 -e LANG=POSIX -- \
		/bin/sh -c "echo \$TERM \$LANG" && [ "$(cat "$work/out")" = "vt100 POSIX" ]'
	# unimplemented syscalls: ENOSYS for the guest, a note in umk's log
	# (--log=FILE; stderr with -v, plus a summary at exit), never in the
	# guest's output
	check unimplemented-quiet 'cli_rc 0 "$UMK" run "${R[@]}" -- /cli/unimpl &&
		[ "$(cat "$work/out")" = "ENOSYS ENOSYS" ] && [ ! -s "$work/err" ]'
	check unimplemented-log 'rm -f "$work/log"; cli_rc 0 "$UMK" run "${R[@]}" --log="$work/log" -- /cli/unimpl &&
		[ "$(cat "$work/out")" = "ENOSYS ENOSYS" ] && [ ! -s "$work/err" ] &&
		grep -q "unimplemented syscall quotactl_fd" "$work/log"'
	check unimplemented-verbose 'cli_rc 0 "$UMK" run "${R[@]}" -v -- /cli/unimpl &&
		[ "$(cat "$work/out")" = "ENOSYS ENOSYS" ] && grep -q "unimplemented syscall quotactl_fd" "$work/err" &&
		grep -q "unimplemented syscalls the guest made: bpf (1), quotactl_fd (2)" "$work/err"'
	# the guest's root holds CAP_SYS_RESOURCE (a host root may not: the
	# differential tests/guest/procsys drops it), so it may lower its
	# oom_score_adj, which fork passes on
	check oom-score-adj-root 'cli_rc 0 "$UMK" run "${R[@]}" -- /bin/sh -c \
		"echo -500 >/proc/self/oom_score_adj; cat /proc/self/oom_score_adj; sh -c \"cat /proc/self/oom_score_adj; echo -17 >/proc/self/oom_adj; cat /proc/self/oom_score_adj /proc/self/oom_score\"" &&
		[ "$(cat "$work/out")" = "$(printf -- "-500\n-500\n-1000\n0")" ]'
	check hostname 'cli_rc 0 "$UMK" run "${R[@]}" --hostname box -- /bin/hostname && [ "$(cat "$work/out")" = box ]'
	# the guest's own /proc/sys/fs/inotify limits (global on the host, so no native comparison)
	check inotify-sysctls 'cli_rc 0 "$UMK" run "${R[@]}" -- /bin/sh -c "d=/proc/sys/fs/inotify
		echo 77 >\$d/max_queued_events && echo 3 >\$d/max_user_instances &&
		cat \$d/max_queued_events \$d/max_user_instances; echo -1 >\$d/max_user_watches || echo refused" &&
		[ "$(cat "$work/out")" = "$(printf "77\n3\nrefused")" ]'
	check cwd 'cli_rc 0 "$UMK" run "${R[@]}" --cwd /tmp -- /bin/pwd && [ "$(cat "$work/out")" = /tmp ]'
	check args 'cli_rc 0 "$UMK" run "${R[@]}" -- /bin/sh -c "printf \"[%s]\" \"\$@\"" sh "a b" "" c &&
		[ "$(cat "$work/out")" = "[a b][][c]" ]'
	check stderr 'cli_rc 0 "$UMK" run "${R[@]}" -- /bin/sh -c "echo err >&2" && [ "$(cat "$work/err")" = err ]'
	printf 'line1\nline2\n' >"$work/in"
	stdin=$work/in
	check stdin 'cli_rc 0 "$UMK" run "${R[@]}" -- /bin/cat && cmp -s "$work/in" "$work/out"'
	stdin=/dev/null
	check strace-file 'cli_rc 0 "$UMK" run "${R[@]}" --strace="$work/trace" -- /bin/true && [ -s "$work/trace" ]'
	for p in $UMK_PLATFORMS; do
		check "platform-$p" 'cli_rc 0 "$UMK" run "${R[@]}" --platform "$p" -- /bin/true'
	done
	check strace-format 'cli_rc 1 "$UMK" run "${R[@]}" --strace="$work/trace" -- /bin/cat /etc/hostname /nonexistent &&
		grep -qx "\[pid 1\] openat(AT_FDCWD, \"/etc/hostname\", O_RDONLY) = 3" "$work/trace" &&
		grep -qx "\[pid 1\] openat(AT_FDCWD, \"/nonexistent\", O_RDONLY) = -1 ENOENT (No such file or directory)" "$work/trace" &&
		grep -qx "\[pid 1\] exit_group(1) = ?" "$work/trace"'
	check guest-crash-survives 'cli_rc 0 "$UMK" run "${R[@]}" -- /bin/sh -c "/cli/crash; echo after \$?" &&
		[ "$(cat "$work/out")" = "after 139" ]'
	# the kernel log (kernel/printk.c): the boot lines, Linux's line for a
	# process a fault killed, a message written to /dev/kmsg; dmesg_restrict
	check dmesg 'cli_rc 0 "$UMK" run "${R[@]}" -- /bin/sh -c "/cli/crash; echo \"<3>from the guest\" >/dev/kmsg; dmesg" &&
		grep -q "^\[ *[0-9]*\.[0-9]\{6\}\] Linux version " "$work/out" &&
		grep -q "\] Run /bin/sh as init process\$" "$work/out" &&
		grep -q "\] crash\[[0-9]*\]: segfault at 0 ip [0-9a-f]\{16\} sp [0-9a-f]\{16\} error [0-9] in crash\[" "$work/out" &&
		grep -q "\] from the guest\$" "$work/out"'
	check kmsg-records 'cli_rc 0 "$UMK" run "${R[@]}" -- /bin/sh -c "echo \"<13>rec\" >/dev/kmsg; head -n 3 /dev/kmsg" &&
		grep -q "^5,0,[0-9]*,-;Linux version " "$work/out" && grep -q "^13,2,[0-9]*,-;rec\$" "$work/out"'
	check dmesg-restricted 'cli_rc 1 "$UMK" run "${R[@]}" -- /bin/sh -c "su nobody -s /bin/sh -c \"dmesg; cat /dev/kmsg\"" &&
		grep -q "Operation not permitted" "$work/err"'
	# stubs_of KPID, gone_within SECONDS PID...: tests/lib.sh
	# SIGKILL of umk must leave no stub process behind (PTRACE_O_EXITKILL)
	no_stub_left() {
		"$UMK" run "${R[@]}" -- /bin/sh -c "sleep 60 & sleep 60 & (sleep 60 | cat) & wait" </dev/null >/dev/null 2>&1 &
		local kpid=$! stubs="" i
		for i in $(seq 600); do
			sleep 0.05
			stubs=$(stubs_of "$kpid")
			[ "$(echo "$stubs" | wc -w)" -ge 5 ] && break
		done
		kill -9 "$kpid"; wait "$kpid" 2>/dev/null
		[ "$(echo "$stubs" | wc -w)" -ge 5 ] || { echo "only $(echo $stubs | wc -w) stubs seen" >"$work/err"; return 1; }
		gone_within 3 $stubs
	}
	rc=0
	check sigkill-leaves-no-stub 'no_stub_left'
	# stdin/stdout are host open files whose offset the host shares: the
	# guest reads one line, the host reads on; guest and umk writes append
	printf 'abc\ndef\n' >"$work/in2"
	check stdio-shared-offset '{ "$UMK" run "${R[@]}" -- /bin/sh -c "read x; echo got \$x"; cat; } <"$work/in2" >"$work/out" &&
		[ "$(cat "$work/out")" = "$(printf "got abc\ndef")" ]'
	check stdout-stderr-one-file '"$UMK" run "${R[@]}" -- /bin/sh -c "echo 1; echo 2 >&2; echo 3" >"$work/both" 2>&1 &&
		[ "$(cat "$work/both")" = "$(printf "1\n2\n3")" ]'
	# A fork bomb in the guest stays within umk's task cap (no host fork
	# bomb), and everything goes away when umk is told to stop.
	fork_bomb_capped() {
		UMK_MAX_TASKS=32 "$UMK" run "${R[@]}" -- /bin/sh -c "b() { b | b & }; b; sleep 60" \
			</dev/null >/dev/null 2>&1 &
		local kpid=$! most=0 n i all=""
		for i in $(seq 30); do
			sleep 0.1
			n=$(stubs_of "$kpid")
			all="$all $n"
			[ "$(echo "$n" | wc -w)" -gt "$most" ] && most=$(echo "$n" | wc -w)
		done
		# umk ends on SIGTERM (polled, up to 5 s; then SIGKILL), and
		# every stub it had goes with it
		kill -TERM "$kpid"
		gone_within_ms 5000 "$kpid" || kill -KILL "$kpid" 2>/dev/null
		wait "$kpid" 2>/dev/null
		all=$(echo $all | tr ' ' '\n' | sort -u)
		gone_within 3 $all || return 1
		echo "most stubs seen $most" >"$work/err"
		[ "$most" -ge 16 ] && [ "$most" -le 64 ]
	}
	rc=0
	check fork-bomb-capped 'fork_bomb_capped'
	# No privileges needed: as host user nobody the guest is still uid 0
	if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
		for p in $UMK_PLATFORMS; do
			check "unprivileged-host-user-$p" 'cli_rc 0 setpriv --reuid=65534 --regid=65534 --clear-groups -- \
				"$UMK" run "${R[@]}" --platform "$p" -- /bin/sh -c "id -u; echo x > /tmp/f && cat /tmp/f" &&
				[ "$(cat "$work/out")" = "$(printf "0\nx")" ]'
		done
	fi
	check bad-platform 'cli_rc nonzero "$UMK" run "${R[@]}" --platform no-such-platform -- /bin/true && one_line_err'
fi

npass=$((npass + $(grep -c '^PASS' "$log")))
nfail=$((nfail + $(grep -c '^FAIL' "$log")))
echo "$npass passed, $nfail failed"
[ "$nfail" = 0 ]
