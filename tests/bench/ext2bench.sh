#!/bin/bash
# ext2bench.sh [MB] - file I/O on an ext4 image (tests/bench/ext2bench.c:
# sequential 4 KiB and 1 MiB writes, overwrite, random 4 KiB pwrites,
# read back, 1000 small files, their removal, umount), natively (root:
# the host's loop device and ext4 driver, in a mount namespace of its
# own) and under umk on each platform of $UMK_PLATFORMS, interleaved,
# $EXT2BENCH_RUNS rounds (default 3), each on a fresh 512 MiB image.
# EXT2BENCH_UMK2=PATH adds another umk binary (an older build, to
# compare).  Prints the median milliseconds per workload and, in
# brackets, how many times slower than native.  Timing only: nothing is
# judged.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
. "$(dirname "$0")/../lib.sh"

MB=${1:-64}
RUNS=${EXT2BENCH_RUNS:-3}
PATH=$PATH:/sbin:/usr/sbin
compile "$ROOT/tests/bench/ext2bench.c" "$BUILD/tests/ext2bench" || { echo "ext2bench: compile failed"; exit 1; }
have_umk || exit 1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -a "$BUILD/rootfs" "$work/root" && cp "$BUILD/tests/ext2bench" "$work/root/ext2bench" || exit 1

systems=()
[ "$(id -u)" = 0 ] && command -v unshare >/dev/null && systems+=(native)
for p in $UMK_PLATFORMS; do systems+=("umk-$p"); done
if [ -n "${EXT2BENCH_UMK2:-}" ]; then
	for p in $UMK_PLATFORMS; do systems+=("umk2-$p"); done
fi

for r in $(seq 1 "$RUNS"); do
	for s in "${systems[@]}"; do
		rm -f "$work/root/img"
		truncate -s 512M "$work/root/img" && mkfs.ext4 -q -F "$work/root/img" >/dev/null 2>&1 || exit 1
		case $s in
		native) (cd "$work" && unshare -m --propagation private "$BUILD/tests/ext2bench" \
				"$work/root/img" ext4 "$work/mnt" "$MB") ;;
		umk-*) "$UMK" run --platform "${s#umk-}" --rw --rootfs "$work/root" --cwd / -- \
				/ext2bench /img ext4 /tmp/mnt "$MB" ;;
		umk2-*) "$EXT2BENCH_UMK2" run --platform "${s#umk2-}" --rw --rootfs "$work/root" --cwd / -- \
				/ext2bench /img ext4 /tmp/mnt "$MB" ;;
		esac </dev/null >"$work/$s.$r" 2>&1 || echo "ext2bench: $s round $r failed" >&2
		e2fsck -fn "$work/root/img" >/dev/null 2>&1 || echo "ext2bench: $s round $r: e2fsck -fn found errors" >&2
	done
done

# the table: medians, and ratios to native
awk -v runs="$RUNS" -v systems="${systems[*]}" -v work="$work" '
function median(a, n,    i, j, t) {
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
BEGIN {
	ns = split(systems, sys, " ")
	for (k = 1; k <= ns; k++)
		for (r = 1; r <= runs; r++) {
			f = work "/" sys[k] "." r
			while ((getline line < f) > 0) {
				split(line, w, " ")
				if (w[2] !~ /^[0-9]+$/) continue
				if (!((w[1]) in seen)) { seen[w[1]] = 1; order[++nw] = w[1] }
				v[w[1], k, ++cnt[w[1], k]] = w[2]
			}
			close(f)
		}
	printf "| workload (ms) |"
	for (k = 1; k <= ns; k++) printf " %s |", sys[k]
	printf "\n|---|"
	for (k = 1; k <= ns; k++) printf "---|"
	printf "\n"
	for (i = 1; i <= nw; i++) {
		printf "| %s |", order[i]
		for (k = 1; k <= ns; k++) {
			n = cnt[order[i], k]
			if (!n) { printf " fail |"; continue }
			delete a
			for (r = 1; r <= n; r++) a[r] = v[order[i], k, r]
			m[k] = median(a, n)
			if (sys[1] == "native" && k > 1 && m[1] > 0)
				printf " %d (x%.1f) |", m[k], m[k] / m[1]
			else
				printf " %d |", m[k]
		}
		printf "\n"
	}
}'
