#!/bin/bash
# bench.sh - `make bench`: the project's workloads (tests/bench/) natively,
# under umk (each platform in $UMK_PLATFORMS), and under gVisor (runsc,
# ptrace platform) and PRoot when they are installed.  Nothing outside the
# repository is read.
#
# Workloads: the microbenchmarks of workloads.c (getppid, file, spawn,
# fork, pipe, mmap, and over the loopback tcp and connect: once in each
# system's own network (umk --net=private, runsc --network=none: their
# own loopbacks; native and PRoot: the host's), once as tcp-host and
# connect-host with the host's network (umk --net=host; "n/a" for gVisor,
# whose `runsc do` sets up a NATed network of its own unless none)),
# shell_workload.sh, and the start-up workloads:
# `/bin/true` in the busybox root and, when a Debian root exists
# ($UMK_DEBIAN_ROOT, default build/debian; see rootfs/debian.sh),
# `python3 -c pass` and gcc compiling and linking tests/bench/small.c.
# Native runs the same files from the host side (start-up workloads in a
# chroot of the same root, which needs root).
#
# Runs are interleaved (every system in turn), $BENCH_RUNS rounds (default
# 5).  The table shows each workload's median and its ratio to native (how
# many times slower; for MB/s, native/value); start-up workloads time every
# run and show p50 / p90 over all of them.  A run that fails shows "fail".
# Then a "busy machine" pass: the start-up and shell workloads again with
# one busy-looping host process per CPU, p50 / p90 (BENCH_BUSY=0 skips it).
# Writes build/bench/results.md and, with gnuplot, build/bench/results.svg.
#
# BENCH_ONLY="tcp connect ...": only the workloads so named (first word,
# "-host" variants included), for a quick look at a few.
#
# QUICK=1: one round with small counts, a smoke test (make check runs it):
# prints PASS/FAIL per workload and system (FAIL = no figure: the run
# failed) and never judges speed.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@" # make runs us with sh
set -u
. "$(dirname "$0")/../lib.sh"

QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then RUNS=1; else RUNS=${BENCH_RUNS:-5}; fi
here=$ROOT/tests/bench
out=$BUILD/bench
broot=$BUILD/benchroot
mkdir -p "$out"
rm -f "$out"/failed.*.out

if ! $CC -O2 -static -Wall -o "$out/workloads" "$here/workloads.c"; then
	fail "bench: tests/bench/workloads.c does not build"
	summary
	exit
fi
DEBROOT=${UMK_DEBIAN_ROOT:-$BUILD/debian}
have_deb=0
[ -f "$DEBROOT/.umk-debian-stamp" ] && have_deb=1 ||
	echo "bench: no Debian root at $DEBROOT (make debian-rootfs); skipping python3 and gcc" >&2

# the benchmark root: build/rootfs plus /bench/{workloads,shell_workload.sh}
"$ROOT/rootfs/mkrootfs.sh" "$BUILD/rootfs" || exit 1
if [ ! -d "$broot" ] || [ "$BUILD/rootfs" -nt "$broot" ]; then
	rm -rf "$broot"
	cp -a "$BUILD/rootfs" "$broot"
fi
mkdir -p "$broot/bench"
cp "$out/workloads" "$here/shell_workload.sh" "$broot/bench/"
touch "$broot"

if [ "$QUICK" = 1 ]; then
	workloads=("getppid 200" "file 50 /tmp" "spawn 3" "fork 5" "pipe 2" "mmap 2" "tcp 2" "tcp-host 2"
		"connect 20" "connect-host 20" "shell 3" "true-start 2")
	[ $have_deb = 1 ] && workloads+=("python3-start 1" "gcc-compile 1")
else
	workloads=("getppid 20000" "file 2000 /tmp" "spawn 100" "fork 200" "pipe 64" "mmap 64" "tcp 256"
		"tcp-host 256" "connect 2000" "connect-host 2000" "shell 200" "true-start 10")
	[ $have_deb = 1 ] && workloads+=("python3-start 5" "gcc-compile 2")
fi

if [ -n "${BENCH_ONLY:-}" ]; then
	keep=()
	for wl in "${workloads[@]}"; do
		for w in $BENCH_ONLY; do
			[ "${wl%% *}" = "$w" ] || [ "${wl%% *}" = "$w-host" ] && keep+=("$wl") && break
		done
	done
	workloads=("${keep[@]}")
fi

systems=(native)
for p in $UMK_PLATFORMS; do
	[ -x "$UMK" ] && systems+=("umk-$p")
done
[ -x "$UMK" ] || echo "bench: $UMK not built; umk columns skipped" >&2
if [ "${BENCH_PEERS:-1}" = 1 ]; then
	if command -v runsc >/dev/null && timeout 60 runsc --platform=ptrace --network=none "do" -root "$broot" -cwd / /bin/true >/dev/null 2>&1; then
		systems+=(gvisor-ptrace)
	fi
	if command -v proot >/dev/null && timeout 30 proot -r "$broot" /bin/true >/dev/null 2>&1; then
		systems+=(proot)
	fi
fi

is_startup() { case $1 in true-start* | python3-start* | gcc-compile*) return 0 ;; esac; return 1; }

# prefix SYSTEM ROOT [NET]: the command words that run a program of ROOT
# on SYSTEM ("" for native when a chroot is needed and we are not root);
# NET "host": with the host's network (umk --net=host, runsc --network=host)
prefix() {
	case $1 in
	native) [ "$(id -u)" = 0 ] && echo "env -i PATH=$GUEST_PATH HOME=/root TERM=linux chroot $2" ;;
	umk-*) echo "$UMK run --platform ${1#umk-} --net=${3:-private} --rootfs $2 --env-clear --" ;;
	gvisor-ptrace) echo "runsc --platform=ptrace --network=${3:-none} do -quiet -root $2 -cwd / --" ;;
	proot) echo "proot -r $2 -w /" ;;
	esac
}

# run1 SYSTEM WORKLOAD: print the measured value(s) (start-up workloads:
# one per run, in ms), or nothing on failure
run1() {
	local sys=$1 wl=$2 pre t0 t1 line n i cmd root net=
	set -- $wl
	case $1 in
	*-host) net=host; set -- "${1%-host}" "${@:2}" ;;
	esac
	if [ "$sys" = gvisor-ptrace ] && [ -n "$net" ]; then
		echo n/a
		return
	fi
	if is_startup "$1"; then
		n=$2
		case $1 in
		true-start) root=$broot cmd="/bin/true" ;;
		python3-start) root=$DEBROOT cmd="/usr/bin/python3 -c pass" ;;
		gcc-compile) root=$DEBROOT cmd="/usr/bin/gcc -O2 -pipe -x c - -o /dev/null" ;;
		esac
		pre=$(prefix "$sys" "$root")
		[ -n "$pre" ] || return
		for ((i = 0; i < n; i++)); do
			t0=$EPOCHREALTIME
			timeout 600 $pre $cmd <"$here/small.c" >"$out/last.out" 2>&1 || return
			t1=$EPOCHREALTIME
			awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f ", (b - a) * 1000}'
		done
		return
	fi
	if [ "$sys" = native ]; then
		# the same files from the host side, busybox first on PATH
		pre="env -i PATH=$broot/bin:$broot/sbin:$broot/usr/bin:$broot/usr/sbin"
		root=$broot
	else
		pre=$(prefix "$sys" "$broot" $net)
		root=""
	fi
	if [ "$1" = shell ]; then
		t0=$EPOCHREALTIME
		timeout 600 $pre "$root/bin/busybox" sh "$root/bench/shell_workload.sh" "$2" /tmp </dev/null >"$out/last.out" 2>&1 ||
			return
		t1=$EPOCHREALTIME
		grep -q "shell_workload done" "$out/last.out" || return
		awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f\n", b - a}'
	else
		timeout 600 $pre "$root/bench/workloads" "$@" </dev/null >"$out/last.out" 2>&1 || return
		line=$(grep -E '^[a-z_]+ [0-9.]+ ' "$out/last.out" | tail -1)
		[ -n "$line" ] && echo "$line" | awk '{print $2}'
	fi
}

unit_of() {
	case $1 in
	getppid* | file* | spawn* | fork*) echo "us/op" ;;
	mmap*) echo "us/page" ;;
	pipe* | tcp*) echo "MB/s" ;;
	connect*) echo "us/op" ;;
	shell*) echo "s" ;;
	true-start* | python3-start* | gcc-compile*) echo "ms/run" ;;
	esac
}

declare -A vals
for ((r = 1; r <= RUNS; r++)); do
	echo "bench: round $r/$RUNS" >&2
	for wl in "${workloads[@]}"; do
		for sys in "${systems[@]}"; do
			v=$(run1 "$sys" "$wl")
			vals[$sys/$wl]+="${v:-fail} "
			[ -n "$v" ] || cp "$out/last.out" "$out/failed.$sys.${wl%% *}.out" 2>/dev/null
		done
	done
done

# The busy machine: the start-up and shell workloads again, natively and
# under umk, with one busy-looping host process per CPU (another build, a
# test next door): what a spinning handoff costs when the CPU it waits
# for is taken.  Every run is kept: p50 / p90.  BENCH_BUSY=0 skips it.
busy_wls=()
for wl in "${workloads[@]}"; do
	case $wl in true-start* | python3-start* | shell*) busy_wls+=("$wl") ;; esac
done
busy_systems=()
for sys in "${systems[@]}"; do
	case $sys in native | umk-*) busy_systems+=("$sys") ;; esac
done
declare -A bvals
if [ "${BENCH_BUSY:-1}" = 1 ] && [ ${#busy_wls[@]} -gt 0 ]; then
	busy_pids=()
	for ((c = 0; c < $(nproc); c++)); do
		(while :; do :; done) &
		busy_pids+=($!)
	done
	trap 'kill "${busy_pids[@]}" 2>/dev/null' EXIT
	for ((r = 1; r <= RUNS; r++)); do
		echo "bench: busy machine ($(nproc) busy loops), round $r/$RUNS" >&2
		for wl in "${busy_wls[@]}"; do
			for sys in "${busy_systems[@]}"; do
				v=$(run1 "$sys" "$wl")
				bvals[$sys/$wl]+="${v:-fail} "
				[ -n "$v" ] || cp "$out/last.out" "$out/failed.busy.$sys.${wl%% *}.out" 2>/dev/null
			done
		done
	done
	kill "${busy_pids[@]}" 2>/dev/null
	wait "${busy_pids[@]}" 2>/dev/null
	trap - EXIT
fi

# pct P: the P-th percentile (nearest rank) of the numbers on stdin
pct() { tr ' ' '\n' | grep -E '^[0-9.]+$' | sort -g | awk -v p="$1" '{a[NR] = $1} END {
	if (NR) { k = int((p * NR + 99) / 100); if (k < 1) k = 1; print a[k] } }'; }
median() { pct 50; }
# ratio VALUE NATIVE UNIT: times slower than native
ratio() { awk -v m="$1" -v n="$2" -v u="$3" 'BEGIN {
	r = (u == "MB/s") ? (m > 0 ? n / m : 0) : (n > 0 ? m / n : 0); printf "%.1f", r }'; }

{
	echo "# umk benchmarks"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -r), $(nproc) CPUs; median of $RUNS interleaved rounds"
	echo "(start-up workloads: p50 / p90 of every run); (xN) = times slower than native."
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
				case ${vals[$sys/$wl]} in n/a*) printf ' n/a |' ;; *) printf ' fail |' ;; esac
				continue
			fi
			cell=$m
			is_startup "$wl" && cell="$m / $(echo "${vals[$sys/$wl]}" | pct 90)"
			if [ "$sys" = native ] || [ -z "$nat" ]; then
				printf ' %s |' "$cell"
			else
				printf ' %s (x%s) |' "$cell" "$(ratio "$m" "$nat" "$u")"
			fi
		done
		printf '\n'
	done
	if [ ${#bvals[@]} -gt 0 ]; then
		echo
		echo "## Busy machine: one busy-looping host process per CPU"
		echo
		echo "p50 / p90 of every run; (xN) = p50 times slower than native's p50."
		echo
		printf '| workload | unit |'
		for sys in "${busy_systems[@]}"; do printf ' %s |' "$sys"; done
		printf '\n|---|---|'
		for sys in "${busy_systems[@]}"; do printf -- '---|'; done
		printf '\n'
		for wl in "${busy_wls[@]}"; do
			u=$(unit_of "$wl")
			nat=$(echo "${bvals[native/$wl]}" | median)
			printf '| %s | %s |' "$wl" "$u"
			for sys in "${busy_systems[@]}"; do
				m=$(echo "${bvals[$sys/$wl]}" | median)
				if [ -z "$m" ]; then
					printf ' fail |'
					continue
				fi
				cell="$m / $(echo "${bvals[$sys/$wl]}" | pct 90)"
				if [ "$sys" = native ] || [ -z "$nat" ]; then
					printf ' %s |' "$cell"
				else
					printf ' %s (x%s) |' "$cell" "$(ratio "$m" "$nat" "$u")"
				fi
			done
			printf '\n'
		done
	fi
} >"$out/results.md"
cat "$out/results.md"

# A bar chart of the slow-down factors, log scale (gnuplot, if installed):
# one group per workload (start-up workloads: one for p50, one for p90),
# one bar per system other than native.
if command -v gnuplot >/dev/null 2>&1; then
	dat=$out/results.dat
	{
		printf 'workload'
		for sys in "${systems[@]}"; do [ "$sys" = native ] || printf '\t%s' "$sys"; done
		printf '\n'
		for wl in "${workloads[@]}"; do
			u=$(unit_of "$wl")
			ps=50
			is_startup "$wl" && ps="50 90"
			for p in $ps; do
				nat=$(echo "${vals[native/$wl]}" | pct "$p")
				label=${wl%% *}
				is_startup "$wl" && label="$label p$p"
				printf '"%s"' "$label"
				for sys in "${systems[@]}"; do
					[ "$sys" = native ] && continue
					m=$(echo "${vals[$sys/$wl]}" | pct "$p")
					if [ -z "$m" ] || [ -z "$nat" ]; then
						printf '\tNaN'
					else
						printf '\t%s' "$(awk -v m="$m" -v n="$nat" -v u="$u" 'BEGIN {
							printf "%.3f", (u == "MB/s") ? (m > 0 ? n / m : 0) : (n > 0 ? m / n : 0) }')"
					fi
				done
				printf '\n'
			done
		done
	} >"$dat"
	ncol=$(head -1 "$dat" | awk -F'\t' '{print NF}')
	gnuplot <<EOG
set terminal svg size 1200,560 font "sans,12"
set output "$out/results.svg"
set title "umk and peers: times slower than native (log scale, lower is better)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set yrange [0.2:*]
set ylabel "x native"
set bmargin 7
set xtics rotate by -35 left offset -1,0 nomirror
set key top left
set grid ytics
plot for [c=2:$ncol] "$dat" using c:xtic(1) title columnheader(c)
EOG
	echo "bench: chart in $out/results.svg"
else
	echo "bench: no chart: install gnuplot-nox for $out/results.svg"
fi

# QUICK: every workload gave a figure on every system
if [ "$QUICK" = 1 ]; then
	for wl in "${workloads[@]}"; do
		for sys in "${systems[@]}"; do
			if echo "${vals[$sys/$wl]}" | grep -qE '[0-9]|n/a'; then
				pass "bench ${wl%% *} [$sys]"
			else
				fail "bench ${wl%% *} [$sys]: $(tail -3 "$out/failed.$sys.${wl%% *}.out" 2>/dev/null | tr '\n' '|')"
			fi
		done
	done
	for wl in "${busy_wls[@]}"; do
		for sys in "${busy_systems[@]}"; do
			[ ${#bvals[@]} -gt 0 ] || continue
			if echo "${bvals[$sys/$wl]}" | grep -qE '[0-9]'; then
				pass "bench busy ${wl%% *} [$sys]"
			else
				fail "bench busy ${wl%% *} [$sys]: $(tail -3 "$out/failed.busy.$sys.${wl%% *}.out" 2>/dev/null | tr '\n' '|')"
			fi
		done
	done
	summary
fi
