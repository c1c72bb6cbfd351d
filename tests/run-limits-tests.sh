#!/bin/bash
# run-limits-tests.sh - bounded resources and teardown, on each platform in
# $UMK_PLATFORMS.  Builds tests/limits/*.c into build/limits/ (the guest's
# /limits/) and checks:
#   fds        a guest opening files of the root, creating tmpfs files and
#              making epolls until EMFILE/ENFILE, then going on: same output
#              natively and under umk (umk keeps its own fds: fork works
#              while the guest holds its whole budget)
#   memory     --memory=64M: ENOMEM from mmap, mprotect, brk, mremap and
#              fork past it, ENOSPC from tmpfs, MemTotal 65536 kB
#   tmpfs      --tmpfs-size=4M: ENOSPC past it in the overlay's upper layer
#              and in /dev/shm, statfs (df) shows it, copy-up too
#   leak       10,000 process lifecycles (fork, pipe, socketpair, exec,
#              exit): umk's open fds and RSS after them are what they were
#              after the first 100 (fds within the 16 a bounded cache of
#              the seccomp platform holds, RSS within UMK_LEAK_RSS_KB, 2048 kB;
#              UMK_LEAK_N lifecycles, UMK_LEAK_TEST=0 skips it)
#   teardown   umk killed with SIGKILL while the guest has hundreds of
#              processes: every stub is gone within 200 ms (polled with
#              tests/lib.sh's stubs_of and gone_within_ms)
#   options    bad --memory / --tmpfs-size values: one line on stderr
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@" # make runs us with sh
set -u
. "$(dirname "$0")/lib.sh"

for src in "$ROOT"/tests/limits/*.c; do
	n=${src##*/}
	compile "$src" "$BUILD/limits/${n%.c}" || { fail "limits ${n%.c} (compile)"; rm -f "$BUILD/limits/${n%.c}"; }
done
make_testroot || { fail "test root (rootfs/mkrootfs.sh)"; summary; exit; }
sync_bins "$BUILD/limits" "$TESTROOT/limits"
# a lower file bigger than tmpfs's 4 MiB, for the copy-up check
[ -s "$TESTROOT/limits/big" ] || head -c 6291456 /dev/zero >"$TESTROOT/limits/big"
have_umk || { summary; exit; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# guest_ok NAME PLATFORM OUT STATUS: exit 0 and "all ok" last
guest_ok() {
	if [ "$4" = 0 ] && [ "$(tail -1 "$3")" = "all ok" ]; then
		pass "limits $1 [$2]"
	else
		fail "limits $1 [$2] (exit $4)"
		grep -v '^ok' "$3" | head -15 | sed 's/^/    /'
	fi
}

# fds: natively first (in a scratch directory as /tmp stand-in is not
# needed: the program uses /tmp, the host's, for its files)
mkdir -p "$work/native"
(cd "$work/native" && timeout -k 5 120 "$BUILD/limits/fds" >"$work/fds.native" 2>&1)
echo "exit $?" >>"$work/fds.native"
rm -f /tmp/fds.[0-9]*

# rss_kb PID, fds_of PID: what umk holds now
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
fds_of() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
# settled PID: "RSS FDS" once two samples 200 ms apart agree on the fds
settled() {
	local a b i
	b=$(fds_of "$1")
	for i in $(seq 25); do
		sleep 0.2
		a=$b
		b=$(fds_of "$1")
		[ "$a" = "$b" ] && break
	done
	echo "$(rss_kb "$1") $b"
}
# wait_line FILE LINE SECONDS
wait_line() {
	local i
	for i in $(seq $(($3 * 10))); do
		grep -qx "$2" "$1" && return 0
		sleep 0.1
	done
	return 1
}

leak_check() {
	local p=$1 n=${UMK_LEAK_N:-10000} fifo=$work/leak.in out=$work/leak.out kpid first last rc
	rm -f "$fifo" "$out"
	mkfifo "$fifo"
	"$UMK" run --platform "$p" --rootfs "$TESTROOT" -- /limits/lifecycle "$n" 100 <"$fifo" >"$out" 2>&1 &
	kpid=$!
	exec 7>"$fifo"
	if ! wait_line "$out" "mark 100" 60; then
		exec 7>&-
		kill -9 "$kpid"; wait "$kpid" 2>/dev/null
		fail "limits leak [$p]: no mark after 100 lifecycles"; head -5 "$out" | sed 's/^/    /'
		return
	fi
	first=$(settled "$kpid")
	echo go >&7
	if ! wait_line "$out" "mark $n" 600; then
		exec 7>&-
		kill -9 "$kpid"; wait "$kpid" 2>/dev/null
		fail "limits leak [$p]: no mark after $n lifecycles"; tail -5 "$out" | sed 's/^/    /'
		return
	fi
	last=$(settled "$kpid")
	echo go >&7
	exec 7>&-
	wait "$kpid"
	rc=$?
	set -- $first $last
	# fds may differ by what umk's bounded caches hold: the seccomp
	# platform keeps up to 8 dead stubs' slot memfd and pidfd (16 fds,
	# tracer/seccomp.c slot_cache); a leak of one per lifecycle is 9,900
	local grow=$(($3 - $1)) limit=${UMK_LEAK_RSS_KB:-2048} fdslack=16
	if [ $rc = 0 ] && grep -qx "lifecycles $n ok" "$out" && [ "$4" -le $(($2 + fdslack)) ] &&
	   [ "$grow" -le "$limit" ]; then
		pass "limits leak [$p]: after 100 and $n lifecycles: fds $2 and $4, RSS $1 and $3 kB"
	else
		fail "limits leak [$p] (exit $rc): after 100 and $n lifecycles: fds $2 and $4, RSS $1 and $3 kB (allowed +$limit)"
		tail -3 "$out" | sed 's/^/    /'
	fi
}

# teardown: umk with n guest processes and a subshell that loops without
# a syscall (a stub forked from sh's, on sh's lifeline, that never waits
# in the stub: n+2 stubs) killed with SIGKILL;
# stubs_of and gone_within_ms (tests/lib.sh) poll the host's /proc from
# the moment of the kill.  umk runs in a pid namespace of its own (not as
# its init: a shell is, which outlives umk by 30 s, so that the end of
# the namespace kills no stub before the check) so that whatever happens
# nothing outlives the test.  The host must schedule every killed stub once: on a machine
# loaded far past its CPUs that can take longer than 200 ms, so a second
# try decides.
teardown_check() {
	teardown_try "$1" || teardown_try "$1" again
}
teardown_try() {
	local p=$1 n=${UMK_TEARDOWN_N:-300} upid kpid stubs="" i res
	unshare --pid --fork --kill-child -- bash -c '"$@" & wait; sleep 30' sh \
		env UMK_MAX_TASKS=$((n + 64)) "$UMK" run --platform "$p" --rootfs "$TESTROOT" -- /bin/sh -c \
		"(while :; do :; done) & i=0; while [ \$i -lt $n ]; do sleep 100 & i=\$((i + 1)); done; wait" \
		</dev/null >/dev/null 2>&1 &
	upid=$!
	for i in $(seq 600); do
		stubs=$(stubs_of "$upid")
		[ "$(echo $stubs | wc -w)" -gt "$((n + 1))" ] && break
		sleep 0.1
	done
	kpid=$(ps -eo pid=,ppid=,args= | awk -v root="$upid" -v umk="$UMK" '
		{ ppid[$1] = $2; if ($3 == umk && $4 == "run") cand[$1] = 1 }
		END { for (c in cand) for (a = c; a > 1 && a in ppid; a = ppid[a]) if (a == root) { print c; break } }')
	if [ -z "$kpid" ] || [ "$(echo $stubs | wc -w)" -le "$((n + 1))" ]; then
		res="umk ${kpid:-not found} with $(echo $stubs | wc -w) stubs, not $((n + 2))"
		kill -9 "$upid" 2>/dev/null; wait "$upid" 2>/dev/null
		fail "limits teardown [$p]: $res"
		return 0
	fi
	kill -9 "$kpid"
	if gone_within_ms 200 $stubs; then
		res="stubs $(echo $stubs | wc -w), left 0 after $GONE_MS ms"
	else
		res="stubs $(echo $stubs | wc -w), still there after $GONE_MS ms:$(echo $GONE_LEFT | wc -w)"
	fi
	kill -9 "$upid" 2>/dev/null; wait "$upid" 2>/dev/null
	case $res in
	*"left 0"*) pass "limits teardown [$p]: SIGKILL of umk with $res${2:+ (second try)}" ;;
	*) if [ -z "${2:-}" ]; then
		echo "limits teardown [$p]: first try: $res; once more" >&2
		return 1
	   fi
	   fail "limits teardown [$p]: $res" ;;
	esac
}

for p in $UMK_PLATFORMS; do
	o=$work/fds.$p
	timeout -k 5 120 "$UMK" run --platform "$p" --rootfs "$TESTROOT" -- /limits/fds >"$o" 2>&1
	echo "exit $?" >>"$o"
	if cmp -s "$work/fds.native" "$o"; then
		pass "limits fds [$p]"
	else
		fail "limits fds [$p]"
		diff -u --label native --label "umk $p" "$work/fds.native" "$o" | head -20 | sed 's/^/    /'
	fi

	o=$work/memory.$p
	timeout -k 5 120 "$UMK" run --platform "$p" --rootfs "$TESTROOT" --memory=64M -- /limits/memory >"$o" 2>&1
	guest_ok memory "$p" "$o" $?

	o=$work/tmpfs.$p
	timeout -k 5 120 "$UMK" run --platform "$p" --rootfs "$TESTROOT" --tmpfs-size=4M -- /limits/tmpfs >"$o" 2>&1
	guest_ok tmpfs "$p" "$o" $?

	if [ "${UMK_LEAK_TEST:-1}" != 0 ]; then
		leak_check "$p"
	else
		skip "limits leak [$p]: UMK_LEAK_TEST=0"
	fi
	if unshare --pid --fork true 2>/dev/null; then
		teardown_check "$p"
	else
		skip "limits teardown [$p]: no pid namespace"
	fi
done

opts_ok=1
: >"$work/optfail"
for bad in 1x -5 0 10 12%x 101% ""; do
	for opt in --memory --tmpfs-size; do
		"$UMK" run --rootfs "$TESTROOT" "$opt=$bad" -- /bin/true >"$work/out" 2>"$work/err"
		rc=$?
		if [ $rc = 0 ] || [ "$(wc -l <"$work/err")" != 1 ] || [ -s "$work/out" ]; then
			opts_ok=0
			echo "$opt=$bad: exit $rc, $(head -c 200 "$work/err")" >>"$work/optfail"
		fi
	done
done
if [ $opts_ok = 1 ]; then
	pass "limits options: bad sizes refused with one line"
else
	fail "limits options"; sed 's/^/    /' "$work/optfail"
fi
summary
