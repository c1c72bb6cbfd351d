#!/bin/bash
# run-escape-tests.sh - things a guest must not be able to do, on each
# platform in $UMK_PLATFORMS.  Builds tests/escape/*.c into build/escape/
# (visible in the guest as /escape/NAME) and checks:
#   int80    32-bit syscall entries and the vsyscall page do nothing
#   paths    host marker files outside the root (one in a mktemp dir, one
#            next to the test root) cannot be read by path, .., symlink,
#            chroot or /proc tricks
#   devices  host disks and memory devices cannot be opened or mknod'ed
#   killall  host pids cannot be signalled, ptraced or read; run inside a
#            fresh pid namespace (unshare) with a host `sleep` sentinel
#            that must survive the guest's kill(-1, SIGKILL)
#   stubjump a guest jumping into the stub's syscall instruction cannot
#            kill host processes or open host files (same safety net)
#   tramp    the seccomp platform's syscall trampolines (shared by all
#            guest processes) cannot be made writable, written, mapped
#            over or taken away
#   shmat    SysV shared memory attached with SHM_REMAP cannot land on
#            the stub region or the trampoline zones
#   uffd     userfaultfd's COPY, ZEROPAGE, POISON, WRITEPROTECT, CONTINUE
#            and MOVE, and mremap(MREMAP_DONTUNMAP), neither reach nor
#            land on the stub region or the trampoline zones
#   forkslot a guest overwriting the pid its fork request returns (in its
#            seccomp slot) cannot make umk adopt, signal or kill another
#            host process (same safety net)
#   ptrace   a guest tracer poking debug and segment registers, SETREGS
#            with kernel CS/SS, PEEK/POKE of the stub, stepping into the
#            stub's syscall, attaching to pid 1 and the sentinel's pid, and
#            seccomp filters with unknown actions (same safety net)
#   mounts   bind mounts, device mounts, a new proc/devtmpfs, pivot_root
#            and dirfds kept across them reach no host file or disk, and
#            the host's mount table is unchanged afterwards
#   overlay  overlayfs layers named by host paths outside the root (by
#            path, "/.." climbs, symlinks, /proc/self/root) resolve in the
#            guest's root: no marker is read through a merged tree, and
#            copy-ups, whiteouts and new files made through overlays whose
#            upper and work dirs carry a host directory's path land inside
#            the guest's root (--rw on a scratch copy): the host directory
#            stays empty and the lower layer (the root's /etc) unchanged
#   rootfs   without --rw, `rm -rf /bin` and friends, and fchmod, fchown,
#            futimens and fsetxattr through read-only fds (lowerfd), leave
#            the root as it was; with --rw (on a scratch copy) they do
#            reach it
#   netctl   a --net=host guest cannot change the host's network (netlink, /dev/net/tun,
#            SIOCS* ioctls), open raw, packet or other netlink sockets,
#            or pass the socket options that act on the host; run in a
#            network namespace of its own, whose links, addresses and
#            routes must be unchanged afterwards
#   hostclock guest root stepping its clock (settimeofday, clock_settime,
#            adjtimex) moves the guest's clock only: the host's realtime
#            clock keeps its distance to its boot-time clock
#   perf     perf_event_open counts the caller's own threads only: no
#            CPU-wide event, no other guest or host process, no
#            tracepoint, breakpoint or sampling ring
#   hostpath no file under the guest's /proc or /sys names the host path
#            of the root (/proc/mounts and mountinfo show "none" as its
#            source, as gVisor does), with and without --rw
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@" # make runs us with sh
set -u
. "$(dirname "$0")/lib.sh"

for src in "$ROOT"/tests/escape/*.c; do
	n=${src##*/}
	compile "$src" "$BUILD/escape/${n%.c}" || { fail "escape ${n%.c} (compile)"; rm -f "$BUILD/escape/${n%.c}"; }
done
make_testroot || { fail "test root (rootfs/mkrootfs.sh)"; summary; exit; }
sync_bins "$BUILD/escape" "$TESTROOT/escape"
have_umk || { summary; exit; }

work=$(mktemp -d /tmp/umk-escape.XXXXXX)
marker2=$BUILD/host-marker
trap 'rm -rf "$work" "$marker2" "$BUILD/rwroot"' EXIT
echo "UMK-HOST-SECRET in $work" >"$work/host-marker"
echo "UMK-HOST-SECRET next to the test root" >"$marker2"
# major:minor of the host disk holding the test root, for devices
rootdev=$(stat -c '%d' "$TESTROOT")
rootdev="$((rootdev >> 8 & 0xfff)):$((rootdev & 0xff | (rootdev >> 12 & 0xfff00)))"

# check NAME PLATFORM OUTFILE STATUS: held = exit 0 and no ESCAPED line
check() {
	if [ "$4" = 0 ] && ! grep -q '^ESCAPED' "$3"; then
		pass "escape $1 [$2]"
	else
		fail "escape $1 [$2] (exit $4)"
		grep -v '^held' "$3" | head -20 | sed 's/^/    /'
	fi
}

# a tree's names, types, modes, sizes, mtimes, link targets and file contents
tree_sum() {
	(cd "$1" && find . -printf '%p %y %m %U:%G %s %T@ %l\n' | LC_ALL=C sort &&
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0 md5sum) | md5sum
}

unshare_flags=
[ "$(id -u)" = 0 ] || unshare_flags=--map-root-user

# sentinel_run NAME PLATFORM [ARG]: /escape/NAME SENTINEL-PID [ARG] in a new
# pid namespace next to a host `sleep` sentinel that must survive it
sentinel_run() {
	timeout -k 5 60 unshare $unshare_flags --pid --fork --kill-child -- bash -c '
		sleep 1000 &
		s=$!
		"$1" run --platform "$2" --rootfs "$3" -- "/escape/$4" "$s" ${5:+"$5"}
		rc=$?
		sleep 0.2
		if kill -0 "$s" 2>/dev/null; then echo "sentinel alive"; else echo "ESCAPED: sentinel killed"; fi
		exit $rc' sh "$UMK" "$2" "$TESTROOT" "$1" "${3:-}" >"$o" 2>&1
	check "$1" "$2" "$o" $?
}

for p in $UMK_PLATFORMS; do
	o=$work/out.$p
	timeout -k 5 60 "$UMK" run --platform "$p" --rootfs "$TESTROOT" -- /escape/int80 >"$o" 2>&1
	check int80 "$p" "$o" $?
	timeout -k 5 60 "$UMK" run --platform "$p" --rootfs "$TESTROOT" -- /escape/paths "$work/host-marker" "$marker2" >"$o" 2>&1
	check paths "$p" "$o" $?
	timeout -k 5 60 "$UMK" run --platform "$p" --rootfs "$TESTROOT" -- /escape/devices "$rootdev" >"$o" 2>&1
	check devices "$p" "$o" $?
	timeout -k 5 60 "$UMK" run --platform "$p" --rootfs "$TESTROOT" -- /escape/tramp >"$o" 2>&1
	check tramp "$p" "$o" $?
	timeout -k 5 60 "$UMK" run --platform "$p" --rootfs "$TESTROOT" -- /escape/shmat >"$o" 2>&1
	check shmat "$p" "$o" $?
	timeout -k 5 60 "$UMK" run --platform "$p" --rootfs "$TESTROOT" -- /escape/uffd >"$o" 2>&1
	check uffd "$p" "$o" $?
	# the host's realtime minus its boot-time clock, in ms, before and after
	rt_off() { awk -v rt="$(date +%s.%N)" '{ printf "%d\n", (rt - $1) * 1000 }' /proc/uptime; }
	before=$(rt_off)
	timeout -k 5 60 "$UMK" run --platform "$p" --rootfs "$TESTROOT" -- /escape/hostclock >"$o" 2>&1
	rc=$?
	moved=$(( $(rt_off) - before ))
	if [ "${moved#-}" -ge 500 ]; then
		echo "ESCAPED: the host's clock moved ${moved} ms" >>"$o"
	fi
	check hostclock "$p" "$o" $rc
	timeout -k 5 60 "$UMK" run --platform "$p" --rootfs "$TESTROOT" -- /escape/perf $$ >"$o" 2>&1
	check perf "$p" "$o" $?
	# guest mounts, namespaces and pivot_root stay in the guest: markers
	# unread, no host device mounted, and the host's mount table as it was
	host_mounts() { awk '{ print $4, $5, $9, $10 }' /proc/self/mountinfo | sort; }
	before=$(host_mounts)
	timeout -k 5 120 "$UMK" run --platform "$p" --rootfs "$TESTROOT" -- /escape/mounts "$rootdev" \
		"$work/host-marker" "$marker2" >"$o" 2>&1
	check mounts "$p" "$o" $?
	if [ "$before" = "$(host_mounts)" ]; then
		pass "escape host-mount-table-unchanged [$p]"
	else
		fail "escape host-mount-table-unchanged [$p]"
		diff <(echo "$before") <(host_mounts) | head -10 | sed 's/^/    /'
	fi

	if unshare $unshare_flags --pid --fork true 2>/dev/null; then
		sentinel_run killall "$p"
		# the same safety net for a guest jumping into the stub's code
		sentinel_run stubjump "$p" "$work/host-marker"
		# ... and for a guest forging the pid its fork request returns
		sentinel_run forkslot "$p"
		# ... and for a guest debugger and guest seccomp filters
		sentinel_run ptrace "$p"
	else
		skip "escape killall [$p]: no pid namespace for the safety net (need root or user namespaces)"
	fi

	if unshare $unshare_flags --net --pid --fork true 2>/dev/null && command -v ip >/dev/null; then
		timeout -k 5 60 unshare $unshare_flags --net --pid --fork --kill-child -- sh -c '
			ip link set lo up
			state() { ip -o link; ip -o addr; ip route show table all; ip -6 route show table all; }
			before=$(state)
			"$1" run --net=host --platform "$2" --rootfs "$3" -- /escape/netctl
			rc=$?
			if [ "$before" = "$(state)" ]; then echo "held: the network is as it was"
			else echo "ESCAPED: the network changed"; state; fi
			exit $rc' sh "$UMK" "$p" "$TESTROOT" >"$o" 2>&1
		check netctl "$p" "$o" $?
	else
		skip "escape netctl [$p]: no network namespace (or no ip) for the safety net"
	fi

	# the host path of the root stays outside: grep the guest's whole
	# /proc and /sys for it, and the root's line of /proc/mounts and
	# mountinfo names "none" (busybox's grep -r opens what /proc/N/fd/*
	# names, as on Linux: its output goes to a file, never a pipe it
	# would read from itself; /proc/PID/pagemap, 8 bytes for every page
	# of the address space, and /proc/kpageflags, 8 for every frame, are
	# left out: they hold page frames and flags, no names)
	for rw in "" --rw; do
		hp=$(realpath "$TESTROOT")
		timeout -k 5 120 "$UMK" run --platform "$p" --rootfs "$TESTROOT" $rw -- /bin/sh -c \
			"find /proc /sys -name pagemap -prune -o -name kpageflags -prune -o -type f -print 2>/dev/null | xargs grep -l -F '$hp' >/tmp/found 2>/dev/null; sed 's/^/LEAK /' /tmp/found
			 grep -l -E '^none / (overlay|hostfs) ' /proc/mounts /proc/self/mounts >/tmp/found
			 wc -l </tmp/found
			 grep -c -E ' / / [^-]* - (overlay|hostfs) none ' /proc/self/mountinfo" </dev/null >"$o" 2>&1
		if ! grep -q '^LEAK' "$o" && [ "$(tr '\n' ' ' <"$o")" = "2 1 " ]; then
			pass "escape hostpath${rw:+ $rw} [$p]: not in the guest's /proc or /sys"
		else
			fail "escape hostpath${rw:+ $rw} [$p]"
			head -10 "$o" | sed 's/^/    /'
		fi
	done

	# overlayfs: layer paths resolve in the guest's root, and copy-up
	# writes only there (--rw on a scratch copy: those writes are real)
	rm -rf "$BUILD/rwroot" "$work/ovl-host"
	cp -a "$TESTROOT" "$BUILD/rwroot"
	mkdir "$work/ovl-host"
	before=$(tree_sum "$BUILD/rwroot/etc")
	timeout -k 5 120 "$UMK" run --platform "$p" --rootfs "$BUILD/rwroot" --rw -- /escape/overlay \
		"$work/ovl-host" "$work/host-marker" "$marker2" >"$o" 2>&1
	rc=$?
	if [ -n "$(ls -A "$work/ovl-host")" ]; then
		echo "ESCAPED: the host directory was written: $(ls -A "$work/ovl-host" | head -5 | tr '\n' ' ')" >>"$o"
	fi
	if [ "$before" != "$(tree_sum "$BUILD/rwroot/etc")" ]; then
		echo "ESCAPED: a lower layer (the root's /etc) was changed" >>"$o"
	fi
	if [ ! -s "$BUILD/rwroot$work/ovl-host/up/new-file" ] || [ ! -e "$BUILD/rwroot$work/ovl-host/up/passwd" ]; then
		echo "FAILED: no copy-up landed inside the root (the test tested nothing)" >>"$o"
		rc=1
	fi
	check overlay "$p" "$o" $rc

	# on a scratch copy, so a broken overlay cannot wreck the test root
	rm -rf "$BUILD/rwroot"
	cp -a "$TESTROOT" "$BUILD/rwroot"
	before=$(tree_sum "$BUILD/rwroot")
	timeout -k 5 60 "$UMK" run --platform "$p" --rootfs "$BUILD/rwroot" -- /bin/sh -c \
		'/escape/lowerfd && touch /newfile; mkdir /newdir; echo x >> /etc/passwd; chmod 700 /etc; rm -f /escape/int80; rm -rf /bin
		 test -e /newfile && test -d /newdir && test ! -e /bin && echo overlay-ok' >"$o" 2>&1
	rc=$?
	after=$(tree_sum "$BUILD/rwroot")
	if [ "$before" = "$after" ] && grep -qx overlay-ok "$o"; then
		pass "escape rootfs-unchanged [$p]"
	else
		fail "escape rootfs-unchanged [$p] (exit $rc; tree $([ "$before" = "$after" ] && echo same || echo CHANGED))"
		head -10 "$o" | sed 's/^/    /'
	fi
	out=$(timeout -k 5 60 "$UMK" run --platform "$p" --rootfs "$BUILD/rwroot" -- /bin/sh -c \
		'test ! -e /newfile && test -e /bin/sh && echo fresh' 2>&1)
	[ "$out" = fresh ] && pass "escape overlay-is-per-run [$p]" || fail "escape overlay-is-per-run [$p]: $out"

	rm -rf "$BUILD/rwroot"
	cp -a "$TESTROOT" "$BUILD/rwroot"
	timeout -k 5 60 "$UMK" run --platform "$p" --rootfs "$BUILD/rwroot" --rw -- /bin/sh -c \
		'echo written > /newfile; rm /etc/hosts' >"$o" 2>&1
	if [ "$(cat "$BUILD/rwroot/newfile" 2>/dev/null)" = written ] && [ ! -e "$BUILD/rwroot/etc/hosts" ]; then
		pass "escape rw-writes-through [$p]"
	else
		fail "escape rw-writes-through [$p]"
		head -10 "$o" | sed 's/^/    /'
	fi
done
summary
