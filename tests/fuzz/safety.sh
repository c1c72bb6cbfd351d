# shellcheck shell=bash
# safety.sh - the safety net both fuzz runners use (source it after
# tests/lib.sh).  A fuzzed guest is root inside umk and may try anything:
# each run goes into a fresh pid namespace (unshare --pid --fork
# --kill-child --mount-proc) next to a host sentinel process, and a host
# tree of marker files is checksummed around the runs; everything runs
# under nice -n 10 (a fuzz run keeps a CPU busy for minutes).
#
#   safe_begin                 make $safe_dir (scratch) and its marker tree
#   safe_run LIMIT OUT CMD...  CMD (umk run ...) in the namespace, at most
#                              LIMIT seconds; OUT gets its output, then
#                              "umk-exit N", "sentinel alive" (or ESCAPED),
#                              "stubs-left N" (umk stubs left in the
#                              namespace 5 s after umk has exited)
#   safe_verdict OUT RC        why the run failed, empty if it did not:
#                              exit status, umk oops or sanitizer report,
#                              sentinel, stubs, host tree
#   safe_end                   remove $safe_dir

# safe_run runs in the scratch directory: a relative $UMK (make fuzz SAN=1
# gives build-asan/umk) is made absolute here
case ${UMK:-} in /*|'') ;; *) UMK=$PWD/$UMK ;; esac
# the sanitizer build: no leak check at exit (umk frees lazily then; as
# .ci/run), every other report fails the run (safe_verdict)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}

safe_begin() {
	safe_dir=$(mktemp -d /tmp/umk-fuzz.XXXXXX)
	mkdir -p "$safe_dir/host/d/sub"
	echo "UMK-HOST-SECRET" >"$safe_dir/host/marker"
	head -c 65536 /dev/urandom >"$safe_dir/host/d/blob"
	ln -s ../marker "$safe_dir/host/d/link"
	mkfifo "$safe_dir/host/fifo"
	chmod 600 "$safe_dir/host/marker"
	safe_sum=$(safe_tree_sum "$safe_dir/host")
}

safe_end() { rm -rf "$safe_dir"; }

# a tree's names, types, modes, sizes, mtimes, link targets and contents
safe_tree_sum() {
	(cd "$1" && find . -xdev -printf '%p %y %m %s %T@ %l\n' 2>/dev/null | LC_ALL=C sort &&
		find . -xdev -type f -readable -print0 2>/dev/null | LC_ALL=C sort -z | xargs -0 md5sum 2>/dev/null) | md5sum
}

safe_run() {
	local limit=$1 out=$2
	shift 2
	(cd "$safe_dir" && nice -n 10 timeout -k 10 "$limit" unshare --pid --fork --kill-child --mount-proc -- bash -c '
		setsid sleep 100000 &   # its own group: timeout signals ours only
		sentinel=$!
		"$@"
		echo "umk-exit $?"
		sleep 0.2
		kill -0 $sentinel 2>/dev/null && echo "sentinel alive" || echo "ESCAPED: sentinel killed"
		# stubs die with umk, but a stub with gigabytes mapped takes a
		# while to exit on a loaded host: poll up to 5 s
		for i in $(seq 50); do
			n=$(ps -eo args= | grep -c "^\[memfd:umk-stub\]")
			[ "$n" = 0 ] && break
			sleep 0.1
		done
		echo "stubs-left $n"
		' sh "$@") >"$out" 2>&1
}

safe_verdict() {
	local o=$1 rc=$2 why=
	[ "$rc" = 0 ] || why="$why; timeout/exit $rc"
	grep -aq '^umk-exit 0$' "$o" || why="$why; $(grep -a '^umk-exit' "$o" || echo 'umk did not exit')"
	grep -aqE 'umk: oops|kernel crashed|ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:' "$o" &&
		why="$why; umk oops/sanitizer report"
	grep -aqx 'sentinel alive' "$o" || why="$why; sentinel killed"
	grep -aqx 'stubs-left 0' "$o" || why="$why; $(grep -a '^stubs-left' "$o" || echo 'stubs not counted')"
	[ "$(safe_tree_sum "$safe_dir/host")" = "$safe_sum" ] || why="$why; host tree CHANGED"
	echo "${why#; }"
}
