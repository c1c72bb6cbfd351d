#!/bin/bash
# run-ext2-tests.sh - ext2, ext3 and ext4 images made on the host, used by
# a guest, checked on the host, on each platform in $UMK_PLATFORMS.  Each
# case runs tests/guest/ext2fs (the program run-guest-tests.sh runs with
# an image of its own) in a scratch copy of build/rootfs given to umk with
# --rw, so that the image the guest wrote is the host's file afterwards:
#   TYPE       mkfs.TYPE of an 8 MiB image; the guest's whole test (same
#              lines as tests/guest/ext2fs.expected, but for the two of its
#              own mke2fs), then `e2fsck -fn` must find the image clean
#   recovery   an ext3 image whose journal needs recovery: rw mount
#              EINVAL (umk replays no journal), ro mount 0
#   acl        tests/guest/posix_acl with its cwd on an ext4 mount: same
#              output as its native run, e2fsck -fn clean
#   overlay    tests/guest/overlay run with its cwd on an ext2 mount (its
#              layers on ext2 for its second pass): same output as its
#              native run, and e2fsck -fn finds the image clean
#   pagecache  tests/guest/pagecache on an ext2 and an ext4 image: the
#              page cache (drop_caches, RWF_NOWAIT, readahead, fadvise,
#              MAP_POPULATE, read_bytes, kpageflags' dirty bit), compared
#              with pagecache-ext.expected, which a native run (root, loop
#              devices, a mount namespace of its own) must match too;
#              and its --sigbus case on an ext4 image of 1 KiB blocks (a
#              write fault into a grown page's hole: blocks, or SIGBUS
#              when full) against pagecache-sigbus.expected, the same way
#   corrupt    an ext4 image with files, directories and symlinks
#              (mkfs -d), bytes of its inode table and of a directory
#              block overwritten: the guest mounts it and walks it
#              (stat, readdir, read, write, mmap, xattrs, rename, create):
#              every call may fail, umk must keep running ("walk done")
#   fanotify   an ext4 image without metadata_csum: tests/guest/
#              fanotify_ext2 (evictable marks and drop_caches, FAN_FS_ERROR
#              of an image it corrupts) against fanotify_ext2.want, the
#              output of Linux 6.18 running it as root
#   falloc     fallocate's modes and SEEK_DATA/SEEK_HOLE on ext2/3/4,
#              compared with the same program on the host's own loop
#              device and ext4 driver (SKIP when that cannot run); and
#              the page cache after a punch, zero, collapse and insert
#              (mincore, and the bytes a shared mapping reads)
#   bulk       the write path in bulk (ext2fs --bulk: 8 MiB files with
#              4 KiB and 1 MiB writes, overwrites, random pwrites, O_SYNC,
#              300 small files, some removed; then a remount and every
#              file's checksum) on ext2/3/4 against the same run on the
#              host's ext4 driver, e2fsck -fn after; then "crash": the
#              writer SIGKILLed without umount or sync and the guest
#              gone, umk's exit must leave the image e2fsck-clean and a
#              later mount must read the same checksums
#   fscrypt    ext4 encryption (tests/guest/fscrypt): its ioctls' results
#              and errors as the host's ext4 gives them; an image the
#              host encrypted read by umk with the keys (names, contents,
#              symlinks) and without (no-key names, ENOKEY) as the host
#              reads it, and the other way round: umk's image read by the
#              host, and e2fsck -fn clean; names umk adds to an encrypted
#              htree directory the host made (SKIP without the host's side)
# Needs mkfs.ext2/3/4, e2fsck and debugfs (e2fsprogs); SKIP without them.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@" # make runs us with sh
set -u
. "$(dirname "$0")/lib.sh"

PATH=$PATH:/sbin:/usr/sbin
for tool in mkfs.ext2 mkfs.ext3 mkfs.ext4 e2fsck debugfs dumpe2fs; do
	command -v $tool >/dev/null || { skip "ext2: no $tool (e2fsprogs)"; summary; exit; }
done
compile "$ROOT/tests/guest/ext2fs.c" "$BUILD/tests/ext2fs" || { fail "ext2fs (compile)"; summary; exit; }
compile "$ROOT/tests/guest/overlay.c" "$BUILD/tests/overlay" || { fail "overlay (compile)"; summary; exit; }
compile "$ROOT/tests/guest/pagecache.c" "$BUILD/tests/pagecache" || { fail "pagecache (compile)"; summary; exit; }
compile "$ROOT/tests/guest/fanotify_ext2.c" "$BUILD/tests/fanotify_ext2" || { fail "fanotify_ext2 (compile)"; summary; exit; }
compile "$ROOT/tests/guest/fscrypt.c" "$BUILD/tests/fscrypt" || { fail "fscrypt (compile)"; summary; exit; }
compile "$ROOT/tests/guest/posix_acl.c" "$BUILD/tests/posix_acl" || { fail "posix_acl (compile)"; summary; exit; }
[ -d "$BUILD/rootfs" ] || make_testroot || { fail "root (rootfs/mkrootfs.sh)"; summary; exit; }
have_umk || { summary; exit; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
cp -a "$BUILD/rootfs" "$root" && cp "$BUILD/tests/ext2fs" "$root/ext2fs" && cp "$BUILD/tests/overlay" "$root/overlay" &&
	cp "$BUILD/tests/pagecache" "$root/pagecache" && cp "$BUILD/tests/fanotify_ext2" "$root/fanotify_ext2" &&
	cp "$BUILD/tests/fscrypt" "$root/fscrypt" && cp "$BUILD/tests/posix_acl" "$root/posix_acl" ||
	{ fail "ext2: scratch root"; summary; exit; }
# overlay's native output (layers on a tmpfs, then on the cwd's filesystem)
mkdir -p "$work/ovl-native" && (cd "$work/ovl-native" && "$BUILD/tests/overlay" >"$work/ovl-want" 2>&1; echo "exit $?" >>"$work/ovl-want")
# posix_acl's native output (its cwd on the host's disk, then /dev/shm)
mkdir -p "$work/acl-native" &&
	(cd "$work/acl-native" && "$BUILD/tests/posix_acl" >"$work/acl-want" 2>&1; echo "exit $?" >>"$work/acl-want")
grep -v -e '^ok a 4 MiB image$' -e '^ok mke2fs on the loop device$' "$ROOT/tests/guest/ext2fs.expected" >"$work/want"

# guest PLATFORM OUT ARGS...: /ext2fs ARGS in the scratch root, stdout + "exit N" in OUT
# (PROG=/other runs another program of the root)
guest() {
	local p=$1 out=$2
	shift 2
	timeout -k 5 120 "$UMK" run --platform "$p" --rw --rootfs "$root" --hostname umk --cwd / \
		--env-clear -e TERM=linux -- "${PROG:-/ext2fs}" "$@" </dev/null >"$out" 2>"$out.err"
	echo "exit $?" >>"$out"
}

# the page cache: natively first (root with loop devices only), then
# under umk on each platform, each against pagecache-ext.expected
pc_want=$ROOT/tests/guest/pagecache-ext.expected
pc_want_bus=$ROOT/tests/guest/pagecache-sigbus.expected
if [ "$(id -u)" = 0 ] && [ -e /dev/loop-control ] && command -v unshare >/dev/null; then
	truncate -s 8M "$work/nimg" && mkfs.ext4 -q -F "$work/nimg" >/dev/null 2>&1
	timeout -k 5 60 unshare -m --propagation private "$BUILD/tests/pagecache" "$work/nimg" ext4 "$work/nmnt" \
		</dev/null >"$work/pcn" 2>&1
	if cmp -s "$pc_want" "$work/pcn"; then
		pass "pagecache: native ext4 matches pagecache-ext.expected"
	else
		fail "pagecache: native ext4"
		diff -u --label expected --label native "$pc_want" "$work/pcn" | head -20 | sed 's/^/    /'
	fi
	rm -f "$work/nimg"
	truncate -s 10M "$work/nimg" && mkfs.ext4 -q -F -b 1024 "$work/nimg" >/dev/null 2>&1
	timeout -k 5 60 unshare -m --propagation private "$BUILD/tests/pagecache" --sigbus "$work/nimg" "$work/nmnt" \
		</dev/null >"$work/pcn" 2>&1
	if cmp -s "$pc_want_bus" "$work/pcn"; then
		pass "pagecache --sigbus: native matches pagecache-sigbus.expected"
	else
		fail "pagecache --sigbus: native"
		diff -u --label expected --label native "$pc_want_bus" "$work/pcn" | head -20 | sed 's/^/    /'
	fi
	rm -f "$work/nimg"
else
	skip "pagecache: native run (needs root, loop devices and unshare)"
fi
for p in $UMK_PLATFORMS; do
	for t in ext2 ext4; do
		rm -f "$root/img"
		truncate -s 8M "$root/img" && mkfs.$t -q -F "$root/img" >/dev/null 2>&1 || { fail "pagecache $t: mkfs.$t"; continue; }
		timeout -k 5 120 "$UMK" run --platform "$p" --rw --rootfs "$root" --cwd / --env-clear -e TERM=linux \
			-- /pagecache /img $t /tmp/pcmnt </dev/null >"$work/pc" 2>"$work/pc.err"
		if cmp -s "$pc_want" "$work/pc"; then
			pass "pagecache $t [$p]"
		else
			fail "pagecache $t [$p]"
			diff -u --label expected --label "umk $p" "$pc_want" "$work/pc" | head -20 | sed 's/^/    /'
			head -5 "$work/pc.err" | sed 's/^/    stderr: /'
		fi
	done
	rm -f "$root/img"
	truncate -s 10M "$root/img" && mkfs.ext4 -q -F -b 1024 "$root/img" >/dev/null 2>&1 || { fail "pagecache --sigbus: mkfs.ext4"; continue; }
	timeout -k 5 120 "$UMK" run --platform "$p" --rw --rootfs "$root" --cwd / --env-clear -e TERM=linux \
		-- /pagecache --sigbus /img /tmp/pcmnt </dev/null >"$work/pc" 2>"$work/pc.err"
	if cmp -s "$pc_want_bus" "$work/pc"; then
		pass "pagecache --sigbus [$p]"
	else
		fail "pagecache --sigbus [$p]"
		diff -u --label expected --label "umk $p" "$pc_want_bus" "$work/pc" | head -20 | sed 's/^/    /'
		head -5 "$work/pc.err" | sed 's/^/    stderr: /'
	fi
done

for p in $UMK_PLATFORMS; do
	for t in ext2 ext3 ext4; do
		rm -f "$root/img"
		truncate -s 8M "$root/img" && mkfs.$t -q -F "$root/img" >/dev/null 2>&1 || { fail "$t: mkfs.$t"; continue; }
		guest "$p" "$work/out" /img $t
		if ! cmp -s "$work/want" "$work/out"; then
			fail "$t [$p]"
			diff -u --label expected --label "umk $p" "$work/want" "$work/out" | head -30 | sed 's/^/    /'
			head -5 "$work/out.err" | sed 's/^/    stderr: /'
		elif ! e2fsck -fn "$root/img" >"$work/fsck" 2>&1; then
			fail "$t [$p]: e2fsck -fn of the image the guest left"
			head -20 "$work/fsck" | sed 's/^/    /'
		else
			pass "$t [$p] (and e2fsck -fn clean)"
		fi
	done

	# fanotify: evictable marks, FAN_FS_ERROR (the ext4 driver's)
	rm -f "$root/img"
	truncate -s 8M "$root/img" && mkfs.ext4 -q -F -O ^metadata_csum "$root/img" >/dev/null 2>&1
	PROG=/fanotify_ext2 guest "$p" "$work/fan" /img ext4
	if cmp -s "$ROOT/tests/guest/fanotify_ext2.want" "$work/fan"; then
		pass "fanotify on ext4: evictable marks, FAN_FS_ERROR [$p]"
	else
		fail "fanotify on ext4 [$p]"
		diff -u --label expected --label "umk $p" "$ROOT/tests/guest/fanotify_ext2.want" "$work/fan" | head -30 | sed 's/^/    /'
		head -5 "$work/fan.err" | sed 's/^/    stderr: /'
	fi

	# a journal to replay: read-only only
	rm -f "$root/img"
	truncate -s 8M "$root/img" && mkfs.ext3 -q -F "$root/img" >/dev/null 2>&1 &&
		debugfs -w -R "feature needs_recovery" "$root/img" >/dev/null 2>&1
	guest "$p" "$work/rw" --mount /img ext3 rw
	guest "$p" "$work/ro" --mount /img ext3 ro
	if [ "$(cat "$work/rw" "$work/ro")" = "$(printf 'mount = -1 EINVAL\nexit 0\nmount = 0\nexit 0')" ]; then
		pass "ext3 needing recovery: rw EINVAL, ro mounts [$p]"
	else
		fail "ext3 needing recovery [$p]"
		cat "$work/rw" "$work/ro" | sed 's/^/    /'
	fi

	# overlayfs with its layers on ext2
	rm -f "$root/img"
	if truncate -s 16M "$root/img" && mkfs.ext2 -q -F "$root/img" >/dev/null 2>&1; then
		timeout -k 5 120 "$UMK" run --platform "$p" --rw --rootfs "$root" --hostname umk --cwd / \
			--env-clear -e TERM=linux -- /bin/sh -c \
			'mkdir -p /mnt/e && mount -t ext2 -o loop /img /mnt/e && cd /mnt/e && /overlay; r=$?; cd /; umount /mnt/e; exit $r' \
			</dev/null >"$work/ovl" 2>"$work/ovl.err"
		echo "exit $?" >>"$work/ovl"
		if ! cmp -s "$work/ovl-want" "$work/ovl"; then
			fail "overlay on ext2 [$p]"
			diff -u --label native --label "umk $p" "$work/ovl-want" "$work/ovl" | head -30 | sed 's/^/    /'
			head -5 "$work/ovl.err" | sed 's/^/    stderr: /'
		elif ! e2fsck -fn "$root/img" >"$work/fsck" 2>&1; then
			fail "overlay on ext2 [$p]: e2fsck -fn of the image"
			head -20 "$work/fsck" | sed 's/^/    /'
		else
			pass "overlay with its layers on ext2 [$p] (and e2fsck -fn clean)"
		fi
	else
		fail "overlay on ext2: mkfs.ext2"
	fi

	# POSIX ACLs on ext4 (libext2fs's system.posix_acl_* translation):
	# tests/guest/posix_acl with its cwd on the image, as natively
	rm -f "$root/img"
	if truncate -s 16M "$root/img" && mkfs.ext4 -q -F "$root/img" >/dev/null 2>&1; then
		timeout -k 5 120 "$UMK" run --platform "$p" --rw --rootfs "$root" --hostname umk --cwd / \
			--env-clear -e TERM=linux -- /bin/sh -c \
			'mkdir -p /mnt/e && mount -t ext4 -o loop /img /mnt/e && cd /mnt/e && /posix_acl; r=$?; cd /; umount /mnt/e; exit $r' \
			</dev/null >"$work/acl" 2>"$work/acl.err"
		echo "exit $?" >>"$work/acl"
		if ! cmp -s "$work/acl-want" "$work/acl"; then
			fail "posix_acl on ext4 [$p]"
			diff -u --label native --label "umk $p" "$work/acl-want" "$work/acl" | head -30 | sed 's/^/    /'
			head -5 "$work/acl.err" | sed 's/^/    stderr: /'
		elif ! e2fsck -fn "$root/img" >"$work/fsck" 2>&1; then
			fail "posix_acl on ext4 [$p]: e2fsck -fn of the image"
			head -20 "$work/fsck" | sed 's/^/    /'
		else
			pass "posix_acl on ext4 [$p] (and e2fsck -fn clean)"
		fi
	else
		fail "posix_acl on ext4: mkfs.ext4"
	fi

	# a corrupted image: errors, never a crash (with checksums, which
	# catch most of it, and without, where the garbage is believed)
	for opts in "" "-O ^metadata_csum"; do
		rm -rf "$work/src" "$root/img"
		mkdir -p "$work/src/dir1/sub" "$work/src/dir2"
		for i in $(seq 1 40); do echo "file $i $(seq 1 $((i * 20)))" >"$work/src/dir1/f$i"; done
		for i in $(seq 1 20); do ln -s "dir1/f$i" "$work/src/dir2/l$i"; ln -s "$(printf '%0200d' $i)" "$work/src/dir2/long$i"; done
		head -c 300000 /dev/zero | tr '\0' 'z' >"$work/src/dir1/sub/big"
		truncate -s 8M "$root/img" && mkfs.ext4 -q -F $opts -d "$work/src" "$root/img" >/dev/null 2>&1 || { fail "corrupt: mkfs.ext4 -d"; continue; }
		bs=$(dumpe2fs -h "$root/img" 2>/dev/null | awk -F: '/^Block size/ { print $2 + 0 }')
		itab=$(dumpe2fs "$root/img" 2>/dev/null | sed -n 's/.*Inode table at \([0-9]*\)-.*/\1/p' | head -1)
		dblk=$(debugfs -R "blocks /dir1" "$root/img" 2>/dev/null | awk '{ print $1 }')
		RANDOM=7
		for i in $(seq 1 300); do
			# inodes 12 and up (the root's and lost+found's stay, as a mount needs them)
			off=$((itab * bs + 11 * 256 + (RANDOM * 32768 + RANDOM) % (4 * bs)))
			printf "\\x$(printf %02x $((RANDOM % 256)))" | dd of="$root/img" bs=1 seek=$off conv=notrunc status=none
		done
		for i in $(seq 1 40); do
			off=$((dblk * bs + 24 + RANDOM % (bs - 24)))
			printf "\\x$(printf %02x $((RANDOM % 256)))" | dd of="$root/img" bs=1 seek=$off conv=notrunc status=none
		done
		guest "$p" "$work/walk" --walk /img ext4
		if [ "$(cat "$work/walk")" = "$(printf 'ok attach\nwalk done\nall ok\nexit 0')" ]; then
			pass "corrupted ext4 image ${opts:+($opts) }walked, errors only [$p]"
		else
			fail "corrupted ext4 image ${opts:+($opts) }[$p]"
			head -20 "$work/walk" "$work/walk.err" | sed 's/^/    /'
		fi
	done
done

# fallocate and SEEK_DATA/SEEK_HOLE: the same program on the host's own
# loop device and ext4 driver (root only) and under umk, lines compared
for t in ext2 ext3 ext4; do
	rm -f "$work/nimg"
	truncate -s 8M "$work/nimg" && mkfs.$t -q -F "$work/nimg" >/dev/null 2>&1 || { fail "falloc $t: mkfs.$t"; continue; }
	if ! (cd "$work" && unshare -m "$BUILD/tests/ext2fs" --falloc "$work/nimg" $t) >"$work/fnative" 2>/dev/null ||
		grep -q '^mount: ' "$work/fnative"; then
		skip "falloc $t: no native reference (needs root and a free loop device)"
		continue
	fi
	echo "exit 0" >>"$work/fnative"
	for p in $UMK_PLATFORMS; do
		rm -f "$root/img"
		truncate -s 8M "$root/img" && mkfs.$t -q -F "$root/img" >/dev/null 2>&1 || { fail "falloc $t: mkfs.$t"; continue; }
		guest "$p" "$work/fguest" --falloc /img $t
		if ! cmp -s "$work/fnative" "$work/fguest"; then
			fail "fallocate and SEEK_HOLE on $t [$p]"
			diff -u --label native --label "umk $p" "$work/fnative" "$work/fguest" | head -30 | sed 's/^/    /'
		elif ! e2fsck -fn "$root/img" >"$work/fsck" 2>&1; then
			fail "fallocate on $t [$p]: e2fsck -fn of the image the guest left"
			head -20 "$work/fsck" | sed 's/^/    /'
		else
			pass "fallocate and SEEK_DATA/SEEK_HOLE on $t as Linux [$p] (and e2fsck -fn clean)"
		fi
	done
done
# the write path in bulk, and a killed writer (umk's exit writes back)
for t in ext2 ext3 ext4; do
	rm -f "$work/nimg"
	truncate -s 64M "$work/nimg" && mkfs.$t -q -F "$work/nimg" >/dev/null 2>&1 || { fail "bulk $t: mkfs.$t"; continue; }
	if ! (cd "$work" && unshare -m "$BUILD/tests/ext2fs" --bulk "$work/nimg" $t write) >"$work/bnative" 2>/dev/null ||
		grep -q '^mount: ' "$work/bnative"; then
		skip "bulk $t: no native reference (needs root and a free loop device)"
		continue
	fi
	echo "exit 0" >>"$work/bnative"
	grep -v -e '^umount' -e '^mount again' "$work/bnative" >"$work/bwant"
	for p in $UMK_PLATFORMS; do
		rm -f "$root/img"
		truncate -s 64M "$root/img" && mkfs.$t -q -F "$root/img" >/dev/null 2>&1 || { fail "bulk $t: mkfs.$t"; continue; }
		guest "$p" "$work/bguest" --bulk /img $t write
		if ! cmp -s "$work/bnative" "$work/bguest"; then
			fail "bulk writes on $t [$p]"
			diff -u --label native --label "umk $p" "$work/bnative" "$work/bguest" | head -30 | sed 's/^/    /'
		elif ! e2fsck -fn "$root/img" >"$work/fsck" 2>&1; then
			fail "bulk writes on $t [$p]: e2fsck -fn of the image the guest left"
			head -20 "$work/fsck" | sed 's/^/    /'
		else
			pass "bulk writes on $t as Linux: sequential, overwrite, random, O_SYNC, small files [$p] (and e2fsck -fn clean)"
		fi
		rm -f "$root/img"
		truncate -s 64M "$root/img" && mkfs.$t -q -F "$root/img" >/dev/null 2>&1 || { fail "bulk $t: mkfs.$t"; continue; }
		guest "$p" "$work/bcrash" --bulk /img $t crash
		if [ "$(cat "$work/bcrash")" != "$(printf 'writer: killed\nexit 0')" ]; then
			fail "killed writer on $t [$p]"
			sed 's/^/    /' "$work/bcrash"
		elif ! e2fsck -fn "$root/img" >"$work/fsck" 2>&1; then
			fail "killed writer on $t [$p]: e2fsck -fn after umk's exit"
			head -20 "$work/fsck" | sed 's/^/    /'
		else
			guest "$p" "$work/bverify" --bulk /img $t verify
			if grep -v '^umount' "$work/bverify" | cmp -s "$work/bwant" -; then
				pass "killed writer on $t: umk's exit leaves the image clean and whole [$p]"
			else
				fail "killed writer on $t [$p]: what a later mount reads"
				grep -v '^umount' "$work/bverify" | diff -u --label native --label "umk $p" "$work/bwant" - | head -20 | sed 's/^/    /'
			fi
		fi
	done
done
# ext4 encryption: tests/guest/fscrypt natively (the host's ext4 and
# fscrypt, root, a loop device, a mount namespace) and under umk
fsc_native() {   # OUT ARGS...
	local out=$1
	shift
	(cd "$work" && timeout -k 5 60 unshare -m "$BUILD/tests/fscrypt" "$@") </dev/null >"$out" 2>&1
	echo "exit $?" >>"$out"
}
fsc_cmp() {      # WHAT WANT GOT: pass or fail with the diff
	if cmp -s "$2" "$3"; then
		pass "$1"
	else
		fail "$1"
		diff -u --label want --label got "$2" "$3" | head -30 | sed 's/^/    /'
	fi
}
fsc_mkfs() { rm -f "$1" && truncate -s 16M "$1" && mkfs.ext4 -q -F $2 "$1" >/dev/null 2>&1; }
fsc_mkfs "$work/fenc" "-O encrypt -b 4096" && fsc_mkfs "$work/fplain" ""
fsc_native "$work/fc-errno" --errno "$work/fenc" "$work/fplain"
if [ "$(id -u)" != 0 ] || grep -q '^mount: ' "$work/fc-errno" || ! grep -q '^exit 0$' "$work/fc-errno"; then
	skip "fscrypt: no native reference (needs root, a free loop device and the host's CONFIG_FS_ENCRYPTION)"
else
	# the host's image, its listing with the keys and without
	fsc_mkfs "$work/fhost" "-O encrypt -b 4096"
	fsc_native "$work/fc-write" --write "$work/fhost"
	cp "$work/fhost" "$work/fhost-r" && cp "$work/fhost" "$work/fhost-n"
	fsc_native "$work/fc-read" --read "$work/fhost-r"
	fsc_native "$work/fc-nokey" --nokey "$work/fhost-n"
	cp "$work/fhost" "$work/fhost-m"
	fsc_native "$work/fc-more" --more "$work/fhost-m"
	fsc_native "$work/fc-more-read" --read "$work/fhost-m"
	for p in $UMK_PLATFORMS; do
		fsc_mkfs "$root/fenc" "-O encrypt -b 4096" && fsc_mkfs "$root/fplain" ""
		PROG=/fscrypt guest "$p" "$work/fu-errno" --errno /fenc /fplain
		fsc_cmp "fscrypt: ioctls and their errors as the host's ext4 [$p]" "$work/fc-errno" "$work/fu-errno"
		cp "$work/fhost" "$root/fimg"
		PROG=/fscrypt guest "$p" "$work/fu-read" --read /fimg
		fsc_cmp "fscrypt: the host's encrypted image read by umk with the keys [$p]" "$work/fc-read" "$work/fu-read"
		cp "$work/fhost" "$root/fimg"
		PROG=/fscrypt guest "$p" "$work/fu-nokey" --nokey /fimg
		fsc_cmp "fscrypt: the host's encrypted image without the keys: the same no-key names, ENOKEY [$p]" \
			"$work/fc-nokey" "$work/fu-nokey"
		# names added to the host's htree directory: the hashes e2fsck expects
		cp "$work/fhost" "$root/fimg"
		PROG=/fscrypt guest "$p" "$work/fu-more" --more /fimg
		fsc_cmp "fscrypt: names added to and removed from the host's encrypted htree directory [$p]" \
			"$work/fc-more" "$work/fu-more"
		if ! e2fsck -fn "$root/fimg" >"$work/fsck" 2>&1; then
			fail "fscrypt [$p]: e2fsck -fn after umk's changes to an encrypted htree directory"
			head -20 "$work/fsck" | sed 's/^/    /'
		fi
		cp "$root/fimg" "$work/fumk-m"
		fsc_native "$work/fn-more-read" --read "$work/fumk-m"
		fsc_cmp "fscrypt: the host reads umk's changes to its htree directory [$p]" \
			"$work/fc-more-read" "$work/fn-more-read"
		# umk's image, read by the host
		fsc_mkfs "$root/fimg" "-O encrypt -b 4096"
		PROG=/fscrypt guest "$p" "$work/fu-write" --write /fimg
		fsc_cmp "fscrypt: encrypted directories written by umk [$p]" "$work/fc-write" "$work/fu-write"
		if ! e2fsck -fn "$root/fimg" >"$work/fsck" 2>&1; then
			fail "fscrypt [$p]: e2fsck -fn of umk's encrypted image"
			head -20 "$work/fsck" | sed 's/^/    /'
		fi
		cp "$root/fimg" "$work/fumk-r" && cp "$root/fimg" "$work/fumk-n"
		fsc_native "$work/fn-read" --read "$work/fumk-r"
		fsc_cmp "fscrypt: umk's encrypted image read by the host's ext4 with the keys [$p]" \
			"$work/fc-read" "$work/fn-read"
		fsc_native "$work/fn-nokey" --nokey "$work/fumk-n"
		PROG=/fscrypt guest "$p" "$work/fu-nokey2" --nokey /fimg
		fsc_cmp "fscrypt: umk's encrypted image without the keys, as the host lists it [$p]" \
			"$work/fn-nokey" "$work/fu-nokey2"
	done
fi
summary
