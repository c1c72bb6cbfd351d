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
#   corrupt    an ext4 image with files, directories and symlinks
#              (mkfs -d), bytes of its inode table and of a directory
#              block overwritten: the guest mounts it and walks it
#              (stat, readdir, read, write, mmap, xattrs, rename, create):
#              every call may fail, umk must keep running ("walk done")
#   falloc     fallocate's modes and SEEK_DATA/SEEK_HOLE on ext2/3/4,
#              compared with the same program on the host's own loop
#              device and ext4 driver (SKIP when that cannot run)
# Needs mkfs.ext2/3/4, e2fsck and debugfs (e2fsprogs); SKIP without them.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@" # make runs us with sh
set -u
. "$(dirname "$0")/lib.sh"

PATH=$PATH:/sbin:/usr/sbin
for tool in mkfs.ext2 mkfs.ext3 mkfs.ext4 e2fsck debugfs dumpe2fs; do
	command -v $tool >/dev/null || { skip "ext2: no $tool (e2fsprogs)"; summary; exit; }
done
compile "$ROOT/tests/guest/ext2fs.c" "$BUILD/tests/ext2fs" || { fail "ext2fs (compile)"; summary; exit; }
[ -d "$BUILD/rootfs" ] || make_testroot || { fail "root (rootfs/mkrootfs.sh)"; summary; exit; }
have_umk || { summary; exit; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
cp -a "$BUILD/rootfs" "$root" && cp "$BUILD/tests/ext2fs" "$root/ext2fs" || { fail "ext2: scratch root"; summary; exit; }
grep -v -e '^ok a 4 MiB image$' -e '^ok mke2fs on the loop device$' "$ROOT/tests/guest/ext2fs.expected" >"$work/want"

# guest PLATFORM OUT ARGS...: /ext2fs ARGS in the scratch root, stdout + "exit N" in OUT
guest() {
	local p=$1 out=$2
	shift 2
	timeout -k 5 120 "$UMK" run --platform "$p" --rw --rootfs "$root" --hostname umk --cwd / \
		--env-clear -e TERM=linux -- /ext2fs "$@" </dev/null >"$out" 2>"$out.err"
	echo "exit $?" >>"$out"
}

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
summary
