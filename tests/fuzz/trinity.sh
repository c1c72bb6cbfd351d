#!/bin/bash
# trinity.sh - Debian's syscall fuzzer `trinity` inside umk, as guest root
# with --dangerous, for a list of seeds on each platform, inside the safety
# net of safety.sh: a fresh pid namespace with a host sentinel that must
# survive, a host tree of markers (and the guest root itself when it is
# not /) checksummed around the runs, no stub left once umk has exited,
# no umk oops or sanitizer report, and trinity ending by its own count
# ("Completed maximum number of operations") within the time limit.
#
# usage: tests/fuzz/trinity.sh [SEED...]           (default seeds below)
# Environment:
#   UMK               umk binary (default build/umk)
#   UMK_PLATFORMS     platforms (default "ptrace seccomp")
#   TRINITY_ROOT      guest root holding /usr/bin/trinity (default /: the host
#                     root, read-only under umk's in-memory overlay).  With a
#                     root of its own (sh rootfs/debian.sh DIR trinity procps)
#                     the marker tree is a host tree outside the guest root,
#                     and the root itself is checksummed too
#   TRINITY_N         syscalls per run, over all of trinity's children (25000)
#   TRINITY_C         trinity children (-C, default 4)
#   TRINITY_TIMEOUT   seconds a run may take (default 900)
#   TRINITY_ARGS      extra trinity arguments
#   TRINITY_MEMORY, TRINITY_TMPFS   umk --memory and --tmpfs-size (2G, 512M):
#                     a fuzzed guest must not drive the host into its OOM killer
# Prints one line per run ("PASS trinity seed S [platform]: N syscalls, ...")
# and a summary; exits non-zero if any run failed.  Run it with nice: it
# keeps a CPU busy for minutes.
#
# Arguments always given: -a64 (umk refuses 32-bit syscalls, as a kernel
# built without IA32_EMULATION: trinity then takes its own path for that
# case, whose loop over the 32-bit table dereferences a NULL entry and
# kills the child), -P PF_UNIX and --disable-fds=sockets (no socket
# cache: see below); and umk's --net=none, so that whatever trinity's
# connect and sendto name, nothing leaves the guest's own loopback.
#
# trinity 1.9+git20230109 (Debian 12) has a bug of its own: do_random_sso
# picks net_protocols[rnd() % PF_MAX] from an array of TRINITY_PF_MAX (45)
# entries, so one time in 46 it reads the first word of its own .dynamic
# section (DT_NEEDED = 1) as a pointer and dies of SIGSEGV at address 0x21
# (fixed upstream in April 2023).  It calls do_random_sso for every
# setsockopt try on a socket whose family has no option table, and
# retries until one succeeds; its NULL option values read as zeros only
# where it could map the NULL page (as root with CAP_SYS_RAWIO natively).
# umk's lowest guest address is 0x20000 (the seccomp stub's trampolines
# sit below), so the main process dies that way while it builds its
# socket cache: with every family (umk now has AF_INET, AF_INET6 and
# AF_NETLINK too) seed 1 dies at "segfault at 21" (umk -v) after its
# "Can't do protocol" lines, and natively as root without CAP_SYS_RAWIO
# (setpriv --bounding-set=-sys_rawio), with -P PF_UNIX, 8 seeds of 8 at
# the same address.  So trinity builds no socket cache here; its socket
# syscalls still run, on the sockets they create.  Before the fixes in
# net/sockopt.c umk made it die even where Linux does not (-P PF_UNIX
# with the NULL page mapped, or as a user): umk refused SOL_SOCKET options
# Linux accepts, so trinity retried far more (tests/guest/fuzzfound.c).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
platforms=${UMK_PLATFORMS:-ptrace seccomp}
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/safety.sh"

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

safe_begin
trap safe_end EXIT
root_before=
[ "$root" = / ] || root_before=$(safe_tree_sum "$root")

total=0
for p in $platforms; do
	for s in "${seeds[@]}"; do
		o=$safe_dir/out.$p.$s
		start=$(date +%s)
		safe_run "$limit" "$o" "$UMK" run --platform "$p" --rootfs "$root" --cwd /tmp --net=none \
			--memory="${TRINITY_MEMORY:-2G}" --tmpfs-size="${TRINITY_TMPFS:-512M}" -- \
			trinity --dangerous -q -l off -a64 -P PF_UNIX --disable-fds=sockets -s "$s" -N "$n" -C "$children" \
			${TRINITY_ARGS:-}
		rc=$?
		secs=$(($(date +%s) - start))
		ran=$(grep -ao 'Ran [0-9]* syscalls' "$o" | tail -1 | tr -dc 0-9)
		why=$(safe_verdict "$o" $rc)
		grep -aq 'Completed maximum number of operations' "$o" || why="${why:+$why; }did not end by its count"
		if [ -n "$why" ]; then
			fail "trinity seed $s [$p] (${secs}s): $why"
			grep -av '^\[' "$o" | grep -v 'Continuing in' | tail -n 15 | sed 's/^/    /'
		else
			pass "trinity seed $s [$p]: ${ran:-?} syscalls in ${secs}s, $(grep -a 'Successes' "$o" | tail -1 | sed 's/.*syscalls. //')"
			total=$((total + ${ran:-0}))
		fi
	done
done
if [ -n "$root_before" ] && [ "$(safe_tree_sum "$root")" != "$root_before" ]; then
	fail "trinity: the guest root $root CHANGED"
fi
echo "trinity: $total syscalls in passing runs (seeds ${seeds[*]}; platforms $platforms; -N $n -C $children)"
summary
