# shellcheck shell=bash
# lib.sh - shared by the test runners in tests/ (source it, from bash).
# Paths, PASS/FAIL/SKIP bookkeeping, compiling the static test programs,
# and the test root: a copy of build/rootfs with the test programs in
# /tests and /escape, so the same binaries run natively and in a guest.
#
# Environment: UMK (default build/umk), UMK_PLATFORMS (default "ptrace"),
# UMK_NO_SUMMARY (set by run-all.sh: sub-runners then print no total).

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$ROOT/build
UMK=${UMK:-$BUILD/umk}
case $UMK in /*) ;; */*) UMK=$PWD/$UMK ;; esac   # the nest cases run it with --cwd /
TESTROOT=$BUILD/testroot
UMK_PLATFORMS=${UMK_PLATFORMS:-ptrace}
GUEST_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# the environment umk gives a guest with --env-clear (TERM pinned so runs compare)
GUEST_ENV=("PATH=$GUEST_PATH" HOME=/root TERM=linux)
CC=${CC:-gcc}

npass=0
nfail=0
pass() { echo "PASS $*"; npass=$((npass + 1)); }
fail() { echo "FAIL $*"; nfail=$((nfail + 1)); }
skip() { echo "SKIP $*"; }
# print "N passed, N failed" unless run-all.sh collects the totals; status 1 if any failed
summary() {
	[ -n "${UMK_NO_SUMMARY:-}" ] || echo "$npass passed, $nfail failed"
	[ "$nfail" = 0 ]
}

# have_umk: is build/umk there?  Says FAIL once if not.
# stubs_of KPID: the live (non-zombie) stub processes (by their comm,
# which a guest's execve does not change) descended from process KPID (umk, or a namespace around it; other umk runs on the
# machine are not counted)
stubs_of() {
	ps -eo pid=,ppid=,stat=,comm= | awk -v root="$1" '
		{ ppid[$1] = $2; stat[$1] = $3; if ($4 == "memfd:umk-stub") stub[$1] = 1 }
		END { for (s in stub) { if (stat[s] ~ /Z/) continue
			for (a = s; a > 1 && a in ppid; a = ppid[a]) if (a == root) { print s; break } } }'
}
# gone_within_ms MS PID...: poll (every 5 ms, shell builtins only: a few
# hundred pids are checked in milliseconds) until none of PIDS is a live
# process.  0 if so, and GONE_MS says after how long; else 1, and
# GONE_LEFT lists those still there after MS.
gone_within_ms() {
	local t=$1 start now s st left
	shift
	start=${EPOCHREALTIME/./}
	while :; do
		left=""
		for s in "$@"; do
			st=""
			{ read -r st <"/proc/$s/stat"; } 2>/dev/null || continue
			st=${st##*) }
			[ "${st%% *}" = Z ] || left="$left $s"
		done
		now=${EPOCHREALTIME/./}
		GONE_MS=$(((now - start) / 1000))
		[ -z "$left" ] && return 0
		[ "$GONE_MS" -gt "$t" ] && { GONE_LEFT=$left; return 1; }
		sleep 0.005
	done
}
# gone_within SECONDS PID...: the same in seconds; "stubs left: ..." in
# $work/err when some stay
gone_within() {
	local t=$1
	shift
	gone_within_ms $((t * 1000)) "$@" && return 0
	echo "stubs left:$GONE_LEFT" >>"${GONE_WHY:-$work/err}"
	return 1
}

have_umk() {
	[ -x "$UMK" ] && return 0
	fail "umk binary $UMK missing (run make)"
	return 1
}

# compile SRC OUT: static build, only when SRC or a header next to it is
# newer; a line "/* link: FLAGS */" in SRC adds FLAGS (libraries)
compile() {
	local src=$1 out=$2 h
	if [ -x "$out" ] && [ "$out" -nt "$src" ]; then
		for h in "$(dirname "$src")"/*.h; do
			[ -e "$h" ] && [ "$h" -nt "$out" ] && break
			h=
		done
		[ -z "$h" ] && return 0
	fi
	mkdir -p "$(dirname "$out")"
	# shellcheck disable=SC2046 # the flags are words
	$CC -O1 -static -Wall -o "$out" "$src" $(sed -n 's|^/\* link: \(.*\) \*/$|\1|p' "$src")
}

# sync_bins SRCDIR DSTDIR: copy binaries that differ (keeps the test root fresh)
sync_bins() {
	local f
	mkdir -p "$2"
	for f in "$1"/*; do
		[ -f "$f" ] || continue
		cmp -s "$f" "$2/${f##*/}" || cp -p "$f" "$2/"
	done
}

# make_testroot: build/rootfs (via rootfs/mkrootfs.sh), copied once to
# build/testroot; recopied when the rootfs is rebuilt.  Adds /tests/not-elf
# (executable, not ELF) and /tests/not-exec (mode 644) for the CLI checks.
make_testroot() {
	"$ROOT/rootfs/mkrootfs.sh" "$BUILD/rootfs" || return 1
	if [ ! -d "$TESTROOT" ] || [ "$BUILD/rootfs" -nt "$BUILD/testroot.stamp" ]; then
		rm -rf "$TESTROOT" "$TESTROOT.tmp"
		cp -a "$BUILD/rootfs" "$TESTROOT.tmp" || return 1
		mkdir -p "$TESTROOT.tmp/tests" "$TESTROOT.tmp/escape"
		printf 'this is not an ELF file\n' >"$TESTROOT.tmp/tests/not-elf"
		chmod 755 "$TESTROOT.tmp/tests/not-elf"
		printf '#!/bin/sh\necho hi\n' >"$TESTROOT.tmp/tests/not-exec"
		chmod 644 "$TESTROOT.tmp/tests/not-exec"
		mv "$TESTROOT.tmp" "$TESTROOT"
		touch "$BUILD/testroot.stamp"
	fi
}

# umk_run PLATFORM ARGS...: the guest command line every runner uses
umk_run() {
	local plat=$1
	shift
	"$UMK" run --platform "$plat" --rootfs "$TESTROOT" --hostname umk --cwd / --env-clear -e TERM=linux -- "$@"
}

# native_run DIR CMD...: the native reference for a guest run.  Runs CMD
# chrooted into an overlay of DIR (writes vanish afterwards, as with umk's
# default in-memory overlay), as pid 1 (a session and process-group
# leader, with only fds 0-2 open, as umk's first process) of fresh pid, uts, ipc and
# mount namespaces (SysV IPC and POSIX message queues of its own, as umk's guest), with hostname umk, /proc, /dev/{null,zero,full,random,urandom,
# fd,stdin,stdout,stderr} (plus a tmpfs /dev/shm, an empty /dev/pts and
# a read-only /sys when NATIVE_SHM is set in the environment), cwd /
# and the guest's environment.  Needs root,
# or unprivileged user namespaces (then it adds --map-root-user).
NATIVE_SETUP='
set -e
dir=$1 w=$2
shift 2
mkdir "$w/upper" "$w/work" "$w/m"
mount -t overlay overlay -o "lowerdir=$dir,upperdir=$w/upper,workdir=$w/work" "$w/m"
mount -t proc proc "$w/m/proc"
mount -t tmpfs -o mode=755 tmpfs "$w/m/dev"
for d in null zero full random urandom; do
	: >"$w/m/dev/$d"
	mount --bind "/dev/$d" "$w/m/dev/$d"
done
ln -s /proc/self/fd "$w/m/dev/fd"
ln -s /proc/self/fd/0 "$w/m/dev/stdin"
ln -s /proc/self/fd/1 "$w/m/dev/stdout"
ln -s /proc/self/fd/2 "$w/m/dev/stderr"
if [ -n "${NATIVE_SHM:-}" ]; then
	mkdir "$w/m/dev/shm" "$w/m/dev/pts"
	mount -t tmpfs -o mode=1777 tmpfs "$w/m/dev/shm"
	[ ! -d "$w/m/sys" ] || mount -t sysfs -o ro sysfs "$w/m/sys" || true
fi
hostname umk
set +e
exec "$@"
'
# native_pivot_run DIR CMD...: as native_run, but the overlay of DIR
# becomes the root with pivot_root instead of chroot, so that the command
# may create user namespaces as it could at a real root (the kernel
# refuses them to a chrooted process), and /dev gets tty too.  For the
# namespace cases (tests/ns-cases.txt).
NATIVE_PIVOT_SETUP='
set -e
dir=$1 w=$2
shift 2
mkdir "$w/upper" "$w/work" "$w/m"
mount --make-rprivate /
mount -t overlay overlay -o "lowerdir=$dir,upperdir=$w/upper,workdir=$w/work" "$w/m"
mount -t proc proc "$w/m/proc"
mount -t tmpfs -o mode=755 tmpfs "$w/m/dev"
for d in null zero full random urandom tty; do
	: >"$w/m/dev/$d"
	mount --bind "/dev/$d" "$w/m/dev/$d"
done
ln -s /proc/self/fd "$w/m/dev/fd"
ln -s /proc/self/fd/0 "$w/m/dev/stdin"
ln -s /proc/self/fd/1 "$w/m/dev/stdout"
ln -s /proc/self/fd/2 "$w/m/dev/stderr"
mkdir "$w/m/dev/shm" "$w/m/dev/pts"
mount -t tmpfs -o mode=1777 tmpfs "$w/m/dev/shm"
[ ! -d "$w/m/sys" ] || mount -t sysfs -o ro sysfs "$w/m/sys" || true
hostname umk
cd "$w/m"
mkdir .oldroot
pivot_root . .oldroot
umount -l /.oldroot
rmdir /.oldroot
cd /
set +e
exec "$@"
'
native_pivot_run() {
	local dir=$1 w rc
	shift
	native_ok || { echo "native_pivot_run: cannot create namespaces (need root or user namespaces)" >&2; return 125; }
	w=$(mktemp -d)
	(
		for fd in /proc/$BASHPID/fd/*; do
			fd=${fd##*/}
			[ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"
		done
		exec unshare $NATIVE_UNSHARE --uts --mount --pid --fork --kill-child -- /bin/sh -c "$NATIVE_PIVOT_SETUP" sh \
			"$dir" "$w" env -i "${GUEST_ENV[@]}" setsid "$@"
	)
	rc=$?
	rm -rf "$w"
	return $rc
}

native_ok() {
	if [ -z "${NATIVE_UNSHARE+set}" ]; then
		NATIVE_UNSHARE=
		[ "$(id -u)" = 0 ] || NATIVE_UNSHARE=--map-root-user
	fi
	unshare $NATIVE_UNSHARE --uts --ipc --mount --pid --fork true 2>/dev/null
}
native_run() {
	local dir=$1 w rc
	shift
	native_ok || { echo "native_run: cannot create namespaces (need root or user namespaces)" >&2; return 125; }
	w=$(mktemp -d)
	# only stdin, stdout and stderr reach the guest, as under umk
	(
		for fd in /proc/$BASHPID/fd/*; do
			fd=${fd##*/}
			[ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"
		done
		exec unshare $NATIVE_UNSHARE --uts --ipc --mount --pid --fork --kill-child -- /bin/sh -c "$NATIVE_SETUP" sh \
			"$dir" "$w" env -i "${GUEST_ENV[@]}" setsid chroot "$w/m" "$@"
	)
	rc=$?
	rm -rf "$w"
	return $rc
}
