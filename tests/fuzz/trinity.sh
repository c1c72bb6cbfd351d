#!/bin/bash
# trinity.sh - Debian's syscall fuzzer `trinity` inside umk, as guest root
# with --dangerous, for a list of seeds on each platform, inside a safety net:
#
#   * every run is in a fresh pid namespace (unshare --pid --fork
#     --kill-child --mount-proc) next to a host `sleep` sentinel that must
#     survive it: an escaped kill(-1, SIGKILL) ends the namespace, never the
#     machine's other processes;
#   * a host tree outside the guest's writable reach (a scratch tree of
#     marker files, and the guest root itself when it is not /) is
#     checksummed before and after: it must not change;
#   * after umk exits, no stub process is left in the namespace;
#   * umk must not oops, and trinity must end by its own count ("Completed
#     maximum number of operations") within the time limit: no hang.
#
# usage: tests/fuzz/trinity.sh [SEED...]           (default seeds below)
# Environment:
#   UMK               umk binary (default build/umk)
#   UMK_PLATFORMS     platforms (default "ptrace seccomp")
#   TRINITY_ROOT      guest root holding /usr/bin/trinity (default /: the host
#                     root, read-only under umk's in-memory overlay)
#   TRINITY_N         syscalls per run, over all of trinity's children (25000)
#   TRINITY_C         trinity children (-C, default 4)
#   TRINITY_TIMEOUT   seconds a run may take (default 900)
#   TRINITY_ARGS      extra trinity arguments
# Prints one line per run ("PASS trinity seed S [platform]: N syscalls, ...")
# and a summary; exits non-zero if any run failed.  Run it with nice: it
# keeps a CPU busy for minutes.
#
# Arguments always given: -a64 (umk refuses 32-bit syscalls, as a kernel
# built without IA32_EMULATION: trinity then takes its own path for that
# case, whose loop over the 32-bit table dereferences a NULL entry and
# kills the child), -P PF_UNIX (umk has AF_UNIX only: socket() of the
# others is EAFNOSUPPORT) and --disable-fds=sockets (no socket cache: see
# below).
#
# trinity 1.9+git20230109 (Debian 12) has a bug of its own: do_random_sso
# picks net_protocols[rnd() % PF_MAX] from an array of TRINITY_PF_MAX (45)
# entries, so one time in 46 it reads the first word of its own .dynamic
# section (DT_NEEDED = 1) as a pointer and dies of SIGSEGV at address 0x21
# (fixed upstream in April 2023).  It calls do_random_sso for every
# setsockopt try on a socket whose family has no option table (AF_UNIX),
# and retries until one succeeds.  With only AF_UNIX sockets available
# (umk today) its main process dies that way while it builds its socket
# cache, and so does it natively on Linux when socket() of any other
# family fails (a seccomp filter returning EAFNOSUPPORT: 8 seeds of 8).
# With -P PF_UNIX too, when the NULL page cannot be mapped (trinity maps
# it as root, and its NULL option values then read as zeros): under umk,
# whose lowest guest address is 0x20000, and natively as root without
# CAP_SYS_RAWIO (setpriv --bounding-set=-sys_rawio): 8 seeds of 8, at the
# same address.  So trinity builds no socket cache here; its socket
# syscalls still run, on the sockets they create.  Before the fixes in
# net/sockopt.c umk made it die even where Linux does not (-P PF_UNIX
# with the NULL page mapped, or as a user): umk refused SOL_SOCKET options
# Linux accepts, so trinity retried far more (tests/guest/fuzzfound.c).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
platforms=${UMK_PLATFORMS:-ptrace seccomp}
. "$(dirname "$0")/../lib.sh"

seeds=("$@")
[ ${#seeds[@]} -gt 0 ] || seeds=(${TRINITY_SEEDS:-1 2 3 4})
root=${TRINITY_ROOT:-/}
n=${TRINITY_N:-25000}
children=${TRINITY_C:-4}
limit=${TRINITY_TIMEOUT:-900}

have_umk || { summary; exit; }
if [ ! -x "$root/usr/bin/trinity" ]; then
	echo "trinity.sh: no $root/usr/bin/trinity (apt-get install trinity, or TRINITY_ROOT=a root that has it)" >&2
	exit 2
fi

work=$(mktemp -d /tmp/umk-trinity.XXXXXX)
trap 'rm -rf "$work"' EXIT
# the host tree that must not change: marker files of every kind
mkdir -p "$work/host/d/sub"
echo "UMK-HOST-SECRET" >"$work/host/marker"
head -c 65536 /dev/urandom >"$work/host/d/blob"
ln -s ../marker "$work/host/d/link"
mkfifo "$work/host/fifo"
chmod 600 "$work/host/marker"
tree_sum() {
	(cd "$1" && find . -xdev -printf '%p %y %m %s %T@ %l\n' 2>/dev/null | LC_ALL=C sort &&
		find . -xdev -type f -readable -print0 2>/dev/null | LC_ALL=C sort -z | xargs -0 md5sum 2>/dev/null) | md5sum
}
host_before=$(tree_sum "$work/host")
root_before=
[ "$root" = / ] || root_before=$(tree_sum "$root")

total=0
for p in $platforms; do
	for s in "${seeds[@]}"; do
		o=$work/out.$p.$s
		start=$(date +%s)
		# In the namespace: a sentinel, umk running trinity, then the checks.
		timeout -k 10 "$limit" unshare --pid --fork --kill-child --mount-proc -- bash -c '
			setsid sleep 100000 &   # its own group: timeout signals ours only
			sentinel=$!
			"$@"
			echo "umk-exit $?"
			sleep 0.2
			kill -0 $sentinel 2>/dev/null && echo "sentinel alive" || echo "ESCAPED: sentinel killed"
			echo "stubs-left $(ps -eo args= | grep -c "^\[memfd:umk-stub\]")"
			' sh "$UMK" run --platform "$p" --rootfs "$root" --cwd /tmp -- \
			trinity --dangerous -q -l off -a64 -P PF_UNIX --disable-fds=sockets -s "$s" -N "$n" -C "$children" ${TRINITY_ARGS:-} \
			>"$o" 2>&1
		rc=$?
		secs=$(($(date +%s) - start))
		ran=$(grep -ao 'Ran [0-9]* syscalls' "$o" | tail -1 | tr -dc 0-9)
		why=
		[ $rc = 0 ] || why="$why; timeout/exit $rc"
		grep -aq 'Completed maximum number of operations' "$o" || why="$why; did not end by its count"
		grep -aqE 'umk: oops|kernel crashed|AddressSanitizer|runtime error:' "$o" && why="$why; umk oops/sanitizer report"
		grep -aqx 'sentinel alive' "$o" || why="$why; sentinel killed"
		grep -aqx 'stubs-left 0' "$o" || why="$why; $(grep -a '^stubs-left' "$o")"
		[ "$(tree_sum "$work/host")" = "$host_before" ] || why="$why; host tree CHANGED"
		if [ -n "$why" ]; then
			fail "trinity seed $s [$p] (${secs}s):${why#;}"
			grep -av '^\[' "$o" | tail -n 15 | sed 's/^/    /'
		else
			pass "trinity seed $s [$p]: ${ran:-?} syscalls in ${secs}s, $(grep -a 'Successes' "$o" | tail -1 | sed 's/.*syscalls. //')"
			total=$((total + ${ran:-0}))
		fi
	done
done
if [ -n "$root_before" ] && [ "$(tree_sum "$root")" != "$root_before" ]; then
	fail "trinity: the guest root $root CHANGED"
fi
echo "trinity: $total syscalls in passing runs (seeds ${seeds[*]}; platforms $platforms; -N $n -C $children)"
summary
