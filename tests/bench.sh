#!/bin/bash
# bench.sh - `make bench`: the shared microbenchmarks (../shared/bench from
# the repo root, or $BENCH_DIR) natively, under umk (each platform in
# $UMK_PLATFORMS), and under gVisor (runsc, ptrace platform) and PRoot if
# installed.  Runs are interleaved (every system in turn), $BENCH_RUNS
# times each (default 5); the table shows the median and its ratio to
# native (how many times slower; for MB/s, native/value).  A run that
# fails shows "fail".  Writes build/bench/results.md.
# When the Debian root exists ($UMK_DEBIAN_ROOT, default build/debian; see
# rootfs/debian.sh) it also times, in that root, `python3 -c pass` and gcc
# compiling and linking one small C file (tests/bench-small.c, fed on
# stdin); native is a chroot into the root (needs root).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@" # make runs us with sh
set -u
. "$(dirname "$0")/lib.sh"

BENCH_DIR=${BENCH_DIR:-$ROOT/../shared/bench}
RUNS=${BENCH_RUNS:-5}
out=$BUILD/bench
broot=$BUILD/benchroot
mkdir -p "$out"

have_mb=0 have_sw=0
if [ -f "$BENCH_DIR/microbench.c" ] && $CC -O2 -static -o "$out/microbench" "$BENCH_DIR/microbench.c"; then
	have_mb=1
else
	echo "bench: $BENCH_DIR/microbench.c missing or does not build; skipping microbenchmarks" >&2
fi
[ -f "$BENCH_DIR/shell_workload.sh" ] && have_sw=1 ||
	echo "bench: $BENCH_DIR/shell_workload.sh missing; skipping the shell workload" >&2
DEBROOT=${UMK_DEBIAN_ROOT:-$BUILD/debian}
have_deb=0
[ -f "$DEBROOT/.umk-debian-stamp" ] && have_deb=1 ||
	echo "bench: no Debian root at $DEBROOT (make debian-rootfs); skipping python3 and gcc" >&2
if [ $have_mb = 0 ] && [ $have_sw = 0 ] && [ $have_deb = 0 ]; then
	echo "bench: nothing to run" | tee "$out/results.md"
	exit 0
fi

# the benchmark root: build/rootfs plus /bench/{microbench,shell_workload.sh}
"$ROOT/rootfs/mkrootfs.sh" "$BUILD/rootfs" || exit 1
if [ ! -d "$broot" ] || [ "$BUILD/rootfs" -nt "$broot" ]; then
	rm -rf "$broot"
	cp -a "$BUILD/rootfs" "$broot"
fi
mkdir -p "$broot/bench"
[ $have_mb = 1 ] && cp "$out/microbench" "$broot/bench/"
[ $have_sw = 1 ] && cp "$BENCH_DIR/shell_workload.sh" "$broot/bench/"
touch "$broot"

workloads=()
[ $have_mb = 1 ] && workloads+=("getppid 20000" "file 2000 /tmp" "spawn 100" "fork 200" "pipe 64" "mmap 64")
[ $have_sw = 1 ] && workloads+=("shell 200")
[ $have_deb = 1 ] && workloads+=("python3-start 5" "gcc-compile 2")

systems=(native)
for p in $UMK_PLATFORMS; do
	[ -x "$UMK" ] && systems+=("umk-$p")
done
[ -x "$UMK" ] || echo "bench: $UMK not built; umk columns skipped" >&2
if command -v runsc >/dev/null && timeout 60 runsc --platform=ptrace --network=none "do" -root "$broot" -cwd / /bin/true >/dev/null 2>&1; then
	systems+=(gvisor-ptrace)
fi
if command -v proot >/dev/null && timeout 30 proot -r "$broot" /bin/true >/dev/null 2>&1; then
	systems+=(proot)
fi

# prefix SYSTEM: the command words that run a guest path on SYSTEM
# (native runs the same files from the host side, with busybox on PATH)
prefix() {
	case $1 in
	native) echo "env -i PATH=$broot/bin:$broot/sbin:$broot/usr/bin:$broot/usr/sbin" ;;
	umk-*) echo "$UMK run --platform ${1#umk-} --rootfs $broot --env-clear --" ;;
	gvisor-ptrace) echo "runsc --platform=ptrace --network=none do -root $broot -cwd / --" ;;
	proot) echo "proot -r $broot" ;;
	esac
}

# dprefix SYSTEM: the command words that run a program in the Debian root
dprefix() {
	case $1 in
	native) [ "$(id -u)" = 0 ] && echo "env -i PATH=$GUEST_PATH HOME=/root TERM=linux chroot $DEBROOT" ;;
	umk-*) echo "$UMK run --platform ${1#umk-} --rootfs $DEBROOT --env-clear --" ;;
	gvisor-ptrace) echo "runsc --platform=ptrace --network=none do -quiet -root $DEBROOT -cwd / --" ;;
	proot) echo "proot -r $DEBROOT -w /" ;;
	esac
}

# run1 SYSTEM WORKLOAD: print the measured value, or nothing on failure
run1() {
	local sys=$1 wl=$2 pre dir="" t0 t1 line
	pre=$(prefix "$sys")
	[ "$sys" = native ] && dir=$broot
	set -- $wl
	if [ "$1" = python3-start ] || [ "$1" = gcc-compile ]; then
		# N runs in a row; the value is milliseconds per run
		local n=$2 i cmd
		pre=$(dprefix "$sys")
		[ -n "$pre" ] || return
		if [ "$1" = python3-start ]; then
			cmd="/usr/bin/python3 -c pass"
		else
			cmd="/usr/bin/gcc -O2 -pipe -x c - -o /dev/null"
		fi
		t0=$EPOCHREALTIME
		for ((i = 0; i < n; i++)); do
			timeout 600 $pre $cmd <"$ROOT/tests/bench-small.c" >"$out/last.out" 2>&1 || return
		done
		t1=$EPOCHREALTIME
		awk -v a="$t0" -v b="$t1" -v n="$n" 'BEGIN {printf "%.1f\n", (b - a) * 1000 / n}'
	elif [ "$1" = shell ]; then
		t0=$EPOCHREALTIME
		timeout 600 $pre "$dir/bin/busybox" sh "$dir/bench/shell_workload.sh" "$2" /tmp </dev/null >"$out/last.out" 2>&1 ||
			return
		t1=$EPOCHREALTIME
		grep -q "shell_workload done" "$out/last.out" || return
		awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f\n", b - a}'
	else
		timeout 600 $pre "$dir/bench/microbench" "$@" </dev/null >"$out/last.out" 2>&1 || return
		line=$(grep -E '^[a-z_]+ [0-9.]+ ' "$out/last.out" | tail -1)
		[ -n "$line" ] && echo "$line" | awk '{print $2}'
	fi
}

unit_of() {
	case $1 in
	getppid* | file* | spawn* | fork*) echo "us/op" ;;
	mmap*) echo "us/page" ;;
	pipe*) echo "MB/s" ;;
	shell*) echo "s" ;;
	python3-start* | gcc-compile*) echo "ms/run" ;;
	esac
}

declare -A vals
for ((r = 1; r <= RUNS; r++)); do
	echo "bench: round $r/$RUNS" >&2
	for wl in "${workloads[@]}"; do
		for sys in "${systems[@]}"; do
			v=$(run1 "$sys" "$wl")
			vals[$sys/$wl]+="${v:-fail} "
		done
	done
done

median() { tr ' ' '\n' | grep -E '^[0-9.]+$' | sort -g | awk '{a[NR] = $1} END {if (NR) print a[int((NR + 1) / 2)]}'; }

{
	echo "# umk benchmarks"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -r), $(nproc) CPUs; median of $RUNS interleaved runs;"
	echo "(xN) = times slower than native."
	echo
	printf '| workload | unit |'
	for sys in "${systems[@]}"; do printf ' %s |' "$sys"; done
	printf '\n|---|---|'
	for sys in "${systems[@]}"; do printf -- '---|'; done
	printf '\n'
	for wl in "${workloads[@]}"; do
		u=$(unit_of "$wl")
		nat=$(echo "${vals[native/$wl]}" | median)
		printf '| %s | %s |' "$wl" "$u"
		for sys in "${systems[@]}"; do
			m=$(echo "${vals[$sys/$wl]}" | median)
			if [ -z "$m" ]; then
				printf ' fail |'
			elif [ "$sys" = native ] || [ -z "$nat" ]; then
				printf ' %s |' "$m"
			else
				awk -v m="$m" -v n="$nat" -v u="$u" 'BEGIN {
					r = (u == "MB/s") ? (m > 0 ? n / m : 0) : (n > 0 ? m / n : 0)
					printf " %s (x%.1f) |", m, r }'
			fi
		done
		printf '\n'
	done
} >"$out/results.md"
cat "$out/results.md"

# A bar chart of the slow-down factors, log scale (gnuplot, if installed):
# one group per workload, one bar per system other than native.
if command -v gnuplot >/dev/null 2>&1; then
	dat=$out/results.dat
	{
		printf 'workload'
		for sys in "${systems[@]}"; do [ "$sys" = native ] || printf '\t%s' "$sys"; done
		printf '\n'
		for wl in "${workloads[@]}"; do
			u=$(unit_of "$wl")
			nat=$(echo "${vals[native/$wl]}" | median)
			printf '"%s"' "$wl"
			for sys in "${systems[@]}"; do
				[ "$sys" = native ] && continue
				m=$(echo "${vals[$sys/$wl]}" | median)
				if [ -z "$m" ] || [ -z "$nat" ]; then
					printf '\tNaN'
				else
					awk -v m="$m" -v n="$nat" -v u="$u" 'BEGIN {
						r = (u == "MB/s") ? (m > 0 ? n / m : 0) : (n > 0 ? m / n : 0)
						printf "\t%.3f", r }'
				fi
			done
			printf '\n'
		done
	} >"$dat"
	ncol=$(head -1 "$dat" | awk -F'\t' '{print NF}')
	gnuplot <<EOG
set terminal svg size 1000,480 font "sans,11"
set output "$out/results.svg"
set title "umk and peers: times slower than native (log scale, lower is better)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set yrange [0.5:*]
set ylabel "x native"
set xtics rotate by -25
set key top right
set grid ytics
plot for [c=2:$ncol] "$dat" using c:xtic(1) title columnheader(c)
EOG
	echo "bench: chart in $out/results.svg"
else
	echo "bench: no chart: install gnuplot-nox for $out/results.svg"
fi
