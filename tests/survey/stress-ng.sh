#!/bin/bash
# stress-ng.sh ROOT [STRESSOR...] - runs Debian's stress-ng stressors one
# by one, 2 instances for 2 s with --verify, natively (a chroot of ROOT
# over an overlay, inside fresh mount, net and pid namespaces, so hostile
# stressors stay contained and ROOT is never written) and under umk on
# each platform of $UMK_PLATFORMS (default "ptrace seccomp"), and prints
# one line per stressor: exit status, seconds and "fail:" lines per run.
# Not part of make check (all 280 stressors take ~45 min).  Stressors
# that need hardware or exhaust the machine are left out unless named.
# Needs root (for the native run).  Outputs stay in $OUT (a temp dir).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
ROOT=${1:?usage: stress-ng.sh ROOT [STRESSOR...]}
shift
HERE=$(cd "$(dirname "$0")/../.." && pwd)
UMK=${UMK:-$HERE/build/umk}
PLATFORMS=${UMK_PLATFORMS:-ptrace seccomp}
OUT=${OUT:-$(mktemp -d /tmp/umk-stress-ng.XXXXXX)}
SKIP='cpu-online|reboot|smi|ioport|rawdev|efivar|gpu|kvm|memhotplug|pci|physpage|watchdog|softlockup|swap|oom-pipe|bigheap|brk|mlockmany|pageswap|mmaphuge'
[ -x "$ROOT/usr/bin/stress-ng" ] || { echo "no stress-ng in $ROOT" >&2; exit 2; }
if [ $# = 0 ]; then
	set -- $(chroot "$ROOT" stress-ng --stressors | tr ' ' '\n' | grep -vxE "$SKIP")
fi

# small sizes for the stressors that take memory or disk
extra() {
	case $1 in
	vm) echo --vm-bytes 32M ;; mmap) echo --mmap-bytes 16M ;; hdd) echo --hdd-bytes 8M ;;
	fallocate) echo --fallocate-bytes 8M ;; iomix) echo --iomix-bytes 8M ;;
	fork) echo --fork-max 16 ;; clone) echo --clone-max 16 ;; zombie) echo --zombie-max 64 ;;
	vforkmany) echo --vforkmany-vm-bytes 4M ;; malloc) echo --malloc-bytes 4M --malloc-max 1024 ;;
	shm) echo --shm-bytes 4M ;; memrate) echo --memrate-bytes 4M ;; seek) echo --seek-size 16M ;;
	dirdeep) echo --dirdeep-dirs 1 --dirdeep-inodes 2000 ;; dirmany) echo --dirmany-bytes 1M ;;
	esac
}

run() {   # run MODE STRESSOR: "rc secs fails"
	local m=$1 s=$2 o=$OUT/$2.$1 t0 rc w
	local args="--$s 2 -t 2 --verify --metrics-brief $(extra "$s")"
	t0=$(date +%s.%N)
	if [ "$m" = native ]; then
		w=$OUT/ovl.$s
		mkdir -p "$w/u" "$w/w" "$w/m"
		timeout -s KILL 40 nice -n 10 unshare --mount --net --pid --fork --kill-child --mount-proc sh -c "
			ip link set lo up 2>/dev/null
			mount -t overlay overlay -o lowerdir=$ROOT,upperdir=$w/u,workdir=$w/w $w/m &&
			mount -t proc proc $w/m/proc && mount --rbind /dev $w/m/dev &&
			mount --rbind /sys $w/m/sys && mount -t tmpfs tmpfs $w/m/tmp &&
			exec chroot $w/m sh -c 'cd /tmp && exec stress-ng $args'" >"$o" 2>&1 </dev/null
		rc=$?
		rm -rf "$w"
	else
		timeout -s KILL 40 nice -n 10 "$UMK" run --platform "$m" --rootfs "$ROOT" --cwd /tmp \
			--log="$o.log" -- stress-ng $args >"$o" 2>&1 </dev/null
		rc=$?
	fi
	printf "%s %.1f %s" "$rc" "$(echo "$(date +%s.%N) - $t0" | bc)" "$(grep -c 'fail:' "$o")"
}

printf "%-16s %-18s" stressor "native(rc s fails)"
for p in $PLATFORMS; do printf " %-18s" "$p"; done
echo
for s in "$@"; do
	printf "%-16s %-18s" "$s" "$(run native "$s")"
	for p in $PLATFORMS; do printf " %-18s" "$(run "$p" "$s")"; done
	echo
done
echo "outputs in $OUT"
