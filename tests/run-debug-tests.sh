#!/bin/bash
# run-debug-tests.sh - kernel debugging without rebooting (issue 12), on
# each platform in $UMK_PLATFORMS.  Builds tests/debug/*.c static with -g
# and -O2 without frame pointers (so backtraces need the CFI) into
# build/debug/ (the guest's /debug), and checks:
#   ctl      `umk ctl`: ps shows a sleeping guest with its syscall decoded;
#            stack names the call chain in order (asleep and running);
#            kstack shows the kernel thread; fds and maps agree with the
#            guest's own /proc; task, mounts, --json; freeze/thaw (D)
#   stats    `ctl stats` and --syscall-stats count exactly the calls a
#            program makes; stats --reset
#   trace    `ctl trace off|on [SET]` switches the strace printer
#   core     a guest segfault leaves a core the host's gdb reads (bt with
#            the right functions, every thread); WCOREDUMP as natively;
#            core_pattern; RLIMIT_CORE 0; the -v line; --crash-backtrace
#   oops     --debug-oops: a report naming the handler, every stub
#            killed, exit 70, --oops-log; --oops=freeze waits and
#            `gdb -batch -p` sees the faulting frame
#   socket   mode 0600; another host user (nobody) is refused even with
#            the mode opened, and root by a umk that nobody runs; garbage,
#            NUL bytes, oversized and stalled requests get an error and the
#            server lives on
#   gdb      `umk run --gdb` with the umk-* helpers of umk-gdb.py
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@" # make runs us with sh
set -u
. "$(dirname "$0")/lib.sh"

DBG=$BUILD/debug
# guest programs: -g, optimised, no frame pointers, no tail calls
for src in "$ROOT"/tests/debug/*.c; do
	n=${src##*/}
	n=${n%.c}
	[ "$n" = ctlraw ] && continue
	if [ ! -x "$DBG/$n" ] || [ "$src" -nt "$DBG/$n" ]; then
		mkdir -p "$DBG"
		$CC -g -O2 -fno-inline -fno-optimize-sibling-calls -fomit-frame-pointer -static -pthread \
			-Wall -o "$DBG/$n" "$src" || { fail "debug $n (compile)"; rm -f "$DBG/$n"; }
	fi
done
# the raw socket client runs on the host
if [ ! -x "$BUILD/ctlraw" ] || [ "$ROOT/tests/debug/ctlraw.c" -nt "$BUILD/ctlraw" ]; then
	$CC -O1 -Wall -o "$BUILD/ctlraw" "$ROOT/tests/debug/ctlraw.c" || fail "debug ctlraw (compile)"
fi
make_testroot || { fail "test root (rootfs/mkrootfs.sh)"; summary; exit; }
sync_bins "$DBG" "$TESTROOT/debug"
have_umk || { summary; exit; }

work=$(mktemp -d /tmp/umk-debug.XXXXXX)
chmod 755 "$work"
trap 'kill_all; rm -rf "$work"' EXIT
pids=()
kill_all() { local p; for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; }

# check NAME CONDITION: PASS or FAIL with what the last command left in $work/why
check() {
	if eval "$2"; then pass "debug $1"; else
		fail "debug $1"
		[ -s "$work/why" ] && head -c 1500 "$work/why" | sed 's/^/    /'
	fi
	: >"$work/why"
}

# start NAME PLATFORM WAIT-FOR UMK-OPTIONS... -- GUEST...: starts umk in the
# background (stdout $work/NAME.out, stderr $work/NAME.err, control socket
# $work/NAME.sock) and waits up to 15 s for a line matching WAIT-FOR
start() {
	local name=$1 p=$2 want=$3 i
	shift 3
	rm -f "$work/$name.sock"
	"$UMK" run --platform "$p" --rootfs "$TESTROOT" --control="$work/$name.sock" "$@" \
		</dev/null >"$work/$name.out" 2>"$work/$name.err" &
	upid=$!
	pids+=("$upid")
	for i in $(seq 300); do
		grep -q "$want" "$work/$name.out" 2>/dev/null && return 0
		kill -0 "$upid" 2>/dev/null || break
		sleep 0.05
	done
	{ echo "guest never said '$want'"; cat "$work/$name.err"; } >"$work/why"
	return 1
}
# stop PID: TERM (forwarded to the guest), then KILL
stop() {
	kill -TERM "$1" 2>/dev/null
	for _ in $(seq 40); do kill -0 "$1" 2>/dev/null || break; sleep 0.05; done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
ctl() { "$UMK" ctl "$@" 2>>"$work/why"; }
# in_order FILE WORD...: the words appear in FILE in this order
in_order() {
	local f=$1 w line=0 l
	shift
	for w in "$@"; do
		l=$(awk -v w="$w" -v after="$line" 'NR > after && index($0, w) { print NR; exit }' "$f")
		[ -n "$l" ] || { { echo "'$w' not found after line $line of:"; cat "$f"; } >>"$work/why"; return 1; }
		line=$l
	done
}
# stubs_of and gone_within: tests/lib.sh; what is left goes to $work/why
GONE_WHY=$work/why
: >"$work/why"

# ---- ctl: a guest asleep in a known call chain ----
ctl_checks() {
	local p=$1 s=$work/chain.sock gpid
	start chain "$p" '^ready [0-9]' -- /debug/chain || { fail "debug ctl-start [$p]"; return; }
	gpid=$(sed -n 's/^ready //p' "$work/chain.out")
	sleep 0.2   # into the open() of the FIFO
	ctl "$s" ps >"$work/ps"
	check "ps-sleeping-syscall [$p]" "grep -qE '^ *$gpid +$gpid +[0-9]+ S chain .*openat\\(AT_FDCWD, \"/tmp/dbgfifo\", O_RDONLY\\)\$' '$work/ps' || cat '$work/ps' >'$work/why'"
	ctl "$s" ps --json >"$work/ps.json"
	check "ps-json [$p]" "grep -q '\"tid\":$gpid,\"ppid\":[0-9]*,\"state\":\"S\",\"comm\":\"chain\",\"wchan\":\"[a-z_]*\",\"syscall\":\"openat(AT_FDCWD, \\\\\"/tmp/dbgfifo\\\\\", O_RDONLY)\"' '$work/ps.json' || cat '$work/ps.json' >'$work/why'"
	ctl "$s" stack "$gpid" >"$work/stack"
	check "stack-asleep [$p]" "in_order '$work/stack' ' level3+' ' level2+' ' level1+' ' main+' && grep -q 'level3+0x[0-9a-f]* (.*chain.c:[0-9]*) \\[chain\\]' '$work/stack'"
	ctl "$s" stack "$gpid" --json >"$work/stack.json"
	check "stack-json [$p]" "grep -q '\"function\":\"level2\",\"offset\":[0-9]*,\"file\":\"[^\"]*chain.c\",\"line\":[0-9]*' '$work/stack.json' || cat '$work/stack.json' >'$work/why'"
	ctl "$s" kstack "$gpid" >"$work/kstack"
	check "kstack [$p]" "in_order '$work/kstack' ' fifo_open+' ' vfs_open+' ' syscall_enter+' ' task_loop+'"
	# fds: the guest's own readlink and fdinfo of each fd
	ctl "$s" fds "$gpid" >"$work/fds"
	ctl "$s" fds "$gpid" --json >"$work/fds.json"
	fds_agree() {
		local fd link pos flags n=0 row
		while read -r _ fd link _ pos _ flags; do
			row=$(awk -v fd="$fd" '$1 == fd' "$work/fds")
			[ "$(echo "$row" | awk '{print $4 " " $5}')" = "$pos $link" ] ||
				{ echo "fd $fd: guest says '$link' at $pos, ctl says: $row" >>"$work/why"; return 1; }
			grep -q "{\"fd\":$fd,[^}]*\"flags_octal\":\"$flags\"" "$work/fds.json" ||
				{ echo "fd $fd: guest says flags $flags; ctl: $(cat "$work/fds.json")" >>"$work/why"; return 1; }
			n=$((n + 1))
		done < <(grep '^fd ' "$work/chain.out")
		[ "$(($(wc -l <"$work/fds") - 1))" = "$n" ] && [ "$n" -ge 8 ] ||
			{ echo "guest lists $n fds; ctl: $(cat "$work/fds")" >>"$work/why"; return 1; }
	}
	check "fds-agree-with-proc [$p]" fds_agree
	check "fds-socket-and-pipe [$p]" "grep -q ' socket .*socket:\\[' '$work/fds' && grep -q ' pipe .*pipe:\\[' '$work/fds' && grep -q 'O_WRONLY|O_APPEND|O_NONBLOCK' '$work/fds'"
	ctl "$s" maps "$gpid" >"$work/maps"
	sed -n '/^maps:$/,/^end maps$/p' "$work/chain.out" | sed '1d;$d' >"$work/maps.guest"
	check "maps-agree-with-proc [$p]" "[ -s '$work/maps' ] && cmp -s '$work/maps' '$work/maps.guest' || diff '$work/maps.guest' '$work/maps' >'$work/why'"
	ctl "$s" maps "$gpid" --json >"$work/maps.json"
	check "maps-json [$p]" "[ \$(grep -o '\"start\"' '$work/maps.json' | wc -l) = \$(wc -l <'$work/maps') ] && grep -q '\"path\":\"/debug/chain\"' '$work/maps.json'"
	ctl "$s" task "$gpid" >"$work/task"
	check "task [$p]" "grep -q '^tid $gpid .*comm chain  state S' '$work/task' && grep -q 'rip *0x' '$work/task' && grep -q '^cwd /\$' '$work/task' && grep -q '^Max open files' '$work/task' && grep -q '^  uid 0 0 0 0' '$work/task'"
	ctl "$s" task "$gpid" --json >"$work/task.json"
	check "task-json [$p]" "grep -q '^{\"tid\":$gpid,.*\"registers\":{\"rax\":\"0x[0-9a-f]*\".*\"rlimits\":\\[' '$work/task.json'"
	ctl "$s" mounts >"$work/mounts"
	umk_run "$p" cat /proc/mounts >"$work/mounts.guest" 2>/dev/null
	check "mounts-as-proc [$p]" "[ -s '$work/mounts' ] && cmp -s '$work/mounts' '$work/mounts.guest' || diff '$work/mounts.guest' '$work/mounts' >'$work/why'"
	check "bad-tid [$p]" "! ctl '$s' stack 999999 >/dev/null && grep -q 'no task 999999' '$work/why' && : >'$work/why'"
	stop "$upid"

	# a thread running guest code: stack stops it, freeze parks it (D)
	start spin "$p" '^ready [0-9]' -- /debug/chain spin || { fail "debug ctl-spin-start [$p]"; return; }
	s=$work/spin.sock
	gpid=$(sed -n 's/^ready //p' "$work/spin.out")
	sleep 0.2
	check "ps-running [$p]" "ctl '$s' ps | grep -qE '^ *$gpid +$gpid +[0-9]+ R chain +- +-\$'"
	ctl "$s" stack "$gpid" >"$work/stack.spin"
	check "stack-running [$p]" "in_order '$work/stack.spin' ' level3+' ' level2+' ' level1+' ' main+'"
	ctl "$s" kstack "$gpid" >"$work/kstack.spin"
	check "kstack-running [$p]" "grep -q 'running guest code' '$work/kstack.spin' && grep -q task_loop '$work/kstack.spin'"
	check "freeze [$p]" "ctl '$s' freeze | grep -q '^frozen (1 thread parked' && ctl '$s' ps | grep -qE '^ *$gpid +$gpid +[0-9]+ D chain +freezer'"
	check "kstack-frozen [$p]" "ctl '$s' kstack '$gpid' | grep -q ' debug_freeze_park+'"
	check "thaw [$p]" "ctl '$s' thaw >/dev/null && sleep 0.1 && ctl '$s' ps | grep -qE '^ *$gpid +$gpid +[0-9]+ R chain'"
	stop "$upid"
}

# ---- stats ----
stats_checks() {
	local p=$1 s=$work/counts.sock
	start counts "$p" '^ready' -- /debug/counts wait || { fail "debug stats-start [$p]"; return; }
	ctl "$s" stats >"$work/stats"
	ctl "$s" stats --json >"$work/stats.json"
	row() { awk -v n="$2" '$NF == n' "$1"; }
	check "stats-counts [$p]" "[ \"\$(row '$work/stats' getppid | awk '{print \$4}')\" = 123 ] &&
		[ \"\$(row '$work/stats' close | awk '{print \$4 \" \" \$5}')\" = '45 45' ] &&
		[ \"\$(row '$work/stats' getpid | awk '{print \$4}')\" = 7 ] || cat '$work/stats' >'$work/why'"
	check "stats-json [$p]" "grep -q '{\"syscall\":\"getppid\",\"nr\":110,\"calls\":123,\"errors\":0,' '$work/stats.json' &&
		grep -q '{\"syscall\":\"close\",\"nr\":3,\"calls\":45,\"errors\":45,' '$work/stats.json' ||
		cat '$work/stats.json' '$work/stats' >'$work/why'"
	ctl "$s" stats --reset >/dev/null
	check "stats-reset [$p]" "! ctl '$s' stats | grep -q getppid"
	stop "$upid"
	"$UMK" run --platform "$p" --rootfs "$TESTROOT" --syscall-stats="$work/stats.exit" -- /debug/counts \
		</dev/null >/dev/null 2>"$work/why"
	check "syscall-stats-at-exit [$p]" "[ \"\$(row '$work/stats.exit' getppid | awk '{print \$4}')\" = 123 ] &&
		[ \"\$(row '$work/stats.exit' close | awk '{print \$4 \" \" \$5}')\" = '45 45' ] &&
		grep -q '^100.00 .* total\$' '$work/stats.exit'"
}

# ---- trace on|off ----
trace_checks() {
	local p=$1 s=$work/trace.sock t=$work/trace.log s1 s2
	start trace "$p" '^ready' --strace="$t" -- /bin/sh -c 'echo ready; while :; do cat /etc/hostname >/dev/null; sleep 0.05; done' ||
		{ fail "debug trace-start [$p]"; return; }
	sleep 0.2
	ctl "$s" trace off >/dev/null
	sleep 0.1
	s1=$(wc -c <"$t")
	sleep 0.4
	s2=$(wc -c <"$t")
	check "trace-off [$p]" "[ $s1 = $s2 ] && [ $s1 -gt 0 ]"
	ctl "$s" trace on openat,%signal >/dev/null
	sleep 0.5
	check "trace-on-set [$p]" "tail -c +$((s2 + 1)) '$t' | grep -q 'openat(AT_FDCWD, \"/etc/hostname\"' &&
		! tail -c +$((s2 + 1)) '$t' | grep -vE 'openat\\(|rt_sig|kill|^\\[pid [0-9]+\\] [a-z_]*\\(.*= \\?\$|exit' | grep -q ."
	check "trace-bad-set [$p]" "! ctl '$s' trace on no_such_call >/dev/null && grep -q 'no_such_call' '$work/why' && : >'$work/why'"
	stop "$upid"
}

# ---- guest crashes and cores ----
core_checks() {
	local p=$1 core=$work/core.$p
	umk_run "$p" /bin/sh -c 'ulimit -c unlimited; cd /tmp; /debug/segv; echo "status $?" >&2; cat /tmp/core' \
		>"$core" 2>"$work/core.err"
	gdb -batch -ex bt -ex 'info threads' -ex 'info auxv' -ex 'info proc mappings' "$DBG/segv" "$core" \
		>"$work/gdb.core" 2>&1
	check "core-gdb-bt [$p]" "grep -q 'status 139' '$work/core.err' && grep -q 'terminated with signal SIGSEGV' '$work/gdb.core' &&
		in_order '$work/gdb.core' '#0 ' ' crash_b ' ' crash_a ' ' main '"
	check "core-threads [$p]" "[ \$(grep -cE '^[* ] +[0-9]+ +(LWP|Thread)' '$work/gdb.core') = 3 ] || cat '$work/gdb.core' >'$work/why'"
	check "core-auxv-and-files [$p]" "grep -qE '^[0-9]+ +AT_EXECFN .*\"/debug/segv\"' '$work/gdb.core' &&
		grep -qE '^ +0x[0-9a-f]+ +0x[0-9a-f]+ +0x[0-9a-f]+ +0x0 +/debug/segv\$' '$work/gdb.core' &&
		grep -q \"^Core was generated by \\\`/debug/segv'\" '$work/gdb.core' || cat '$work/gdb.core' >'$work/why'"
	# WCOREDUMP, as natively (the host's core_pattern permitting)
	local native="signaled 1 signal 11 core 1
waitid code 3 status 11 sigchld code 3"
	if [ "$(cat /proc/sys/kernel/core_pattern)" = core ]; then
		mkdir -p "$work/native"
		native=$(cd "$work/native" && ulimit -c unlimited && "$DBG/segv" fork)
	fi
	check "wcoredump [$p]" "[ \"\$(umk_run '$p' /bin/sh -c 'ulimit -c unlimited; cd /tmp; /debug/segv fork' 2>/dev/null)\" = '$native' ]"
	check "no-core-rlimit-0 [$p]" "[ \"\$(umk_run '$p' /bin/sh -c 'ulimit -c 0; cd /tmp; /debug/segv fork; ls /tmp/core 2>&1' 2>/dev/null)\" = 'signaled 1 signal 11 core 0
waitid code 2 status 11 sigchld code 2
ls: /tmp/core: No such file or directory' ]"
	check "core-pattern [$p]" "umk_run '$p' /bin/sh -c 'ulimit -c unlimited; echo \"/tmp/c.%e.%s.%%\" >/proc/sys/kernel/core_pattern; cat /proc/sys/kernel/core_pattern; /debug/segv; ls /tmp/c.*; stat -c %a /tmp/c.*' 2>/dev/null | tr '\n' ' ' | grep -qx '/tmp/c.%e.%s.%% /tmp/c.segv.11.% 600 '"
	"$UMK" run -v --platform "$p" --rootfs "$TESTROOT" -- /debug/segv </dev/null >/dev/null 2>"$work/v.err"
	check "segfault-line [$p]" "grep -qE '^umk: segv\\[1\\]: segfault at 0 ip [0-9a-f]{16} sp [0-9a-f]{16} error [0-9a-f]+ in segv\\[[0-9a-f]+\\+[0-9a-f]+\\]\$' '$work/v.err' || cat '$work/v.err' >'$work/why'"
	"$UMK" run --crash-backtrace --platform "$p" --rootfs "$TESTROOT" -- /debug/segv </dev/null >/dev/null 2>"$work/bt.err"
	check "crash-backtrace [$p]" "grep -q 'segfault at 0' '$work/bt.err' && in_order '$work/bt.err' ' crash_b+' ' crash_a+' ' main+'"
}

# ---- oops ----
oops_checks() {
	local p=$1 kpid stubs rc i
	rm -f "$work/oops.log"
	"$UMK" run --platform "$p" --rootfs "$TESTROOT" --debug-oops=getppid --oops-log="$work/oops.log" \
		-- /debug/counts children </dev/null >"$work/oops.out" 2>"$work/oops.err" &
	kpid=$!
	pids+=("$kpid")
	stubs=""
	for i in $(seq 1500); do
		grep -q forked "$work/oops.out" 2>/dev/null && { stubs=$(stubs_of "$kpid"); break; }
		sleep 0.02
	done
	wait "$kpid"
	rc=$?
	check "debug-oops-exit-70 [$p]" "[ $rc = 70 ] && grep -q 'every stub killed; exiting with status 70' '$work/oops.err' || cat '$work/oops.err' >'$work/why'"
	check "debug-oops-report [$p]" "grep -q '^umk: oops: SIGSEGV at address' '$work/oops.err' &&
		grep -q '^handler: sys_getppid' '$work/oops.err' &&
		grep -qE '^  #0 +0x[0-9a-f]+ sys_getppid\\+0x[0-9a-f]+ \\(umkernel/kernel/[a-z_]+\\.c:[0-9]+\\)' '$work/oops.err' &&
		grep -q 'syscall in flight:' '$work/oops.err' && grep -qx '  getppid()' '$work/oops.err' &&
		grep -qE '^last [0-9]+ syscalls of tid 1 \\(oldest first\\):' '$work/oops.err' && grep -qx '  clone(.*= [0-9]*' '$work/oops.err' &&
		grep -q '^locks held: klock (by kernel thread [0-9]*, this one)' '$work/oops.err'"
	check "oops-log [$p]" "cmp -s '$work/oops.log' '$work/oops.err'"
	stubs=$(echo $stubs)
	check "oops-kills-stubs [$p]" "[ \$(echo $stubs | wc -w) -ge 3 ] && gone_within 3 $stubs"
	# --oops=freeze: waits; gdb attaches and sees the faulting frame
	"$UMK" run --platform "$p" --rootfs "$TESTROOT" --debug-oops=getppid --oops=freeze \
		-- /debug/counts </dev/null >/dev/null 2>"$work/freeze.err" &
	kpid=$!
	pids+=("$kpid")
	for i in $(seq 600); do
		grep -q 'attach with: gdb -p' "$work/freeze.err" 2>/dev/null && break
		sleep 0.05
	done
	sleep 0.3
	check "oops-freeze-waits [$p]" "grep -qx \"umk: oops: frozen for a debugger; attach with: gdb -p $kpid\" '$work/freeze.err' && kill -0 $kpid"
	timeout 120 gdb -batch -p "$kpid" -ex 'thread apply all bt' >"$work/freeze.gdb" 2>&1
	check "oops-freeze-gdb-attach [$p]" "grep -q '<signal handler called>' '$work/freeze.gdb' && grep -qE '^#[0-9]+ +(0x[0-9a-f]+ in )?sys_getppid ' '$work/freeze.gdb'"
	stubs=$(echo $(stubs_of "$kpid"))
	kill -9 "$kpid"
	wait "$kpid" 2>/dev/null
	check "oops-freeze-no-stub-left [$p]" "gone_within 3 $stubs"
}

# ---- the control socket ----
socket_checks() {
	local p=$1 s=$work/sec.sock
	start sec "$p" '^ready' -- /debug/counts wait || { fail "debug socket-start [$p]"; return; }
	check "socket-mode-0600 [$p]" "[ \$(stat -c %a '$s') = 600 ]"
	if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
		check "socket-refuses-other-user [$p]" "! setpriv --reuid=65534 --regid=65534 --clear-groups -- '$UMK' ctl '$s' ps >'$work/nobody' 2>&1 && ! grep -q counts '$work/nobody'"
		chmod 666 "$s"
		check "socket-peercred-refuses-other-user [$p]" "! setpriv --reuid=65534 --regid=65534 --clear-groups -- '$UMK' ctl '$s' ps >'$work/nobody' 2>&1 && grep -q 'permission denied' '$work/nobody' && ! grep -q counts '$work/nobody'"
		chmod 600 "$s"
		# umk run by nobody: nobody may ask, root (another user to it) may not
		mkdir -p "$work/nb" && chown 65534:65534 "$work/nb"
		setpriv --reuid=65534 --regid=65534 --clear-groups -- "$UMK" run --platform "$p" --rootfs "$TESTROOT" \
			--control="$work/nb/s" -- /debug/counts wait </dev/null >"$work/nb.out" 2>"$work/nb.err" &
		local nbpid=$!
		pids+=("$nbpid")
		for _ in $(seq 600); do grep -q ready "$work/nb.out" 2>/dev/null && break; sleep 0.05; done
		check "socket-own-user-nonroot [$p]" "setpriv --reuid=65534 --regid=65534 --clear-groups -- '$UMK' ctl '$work/nb/s' ps 2>&1 | grep -q ' counts '"
		check "socket-refuses-root-for-nonroot-umk [$p]" "! '$UMK' ctl '$work/nb/s' ps >'$work/root' 2>&1 && grep -q 'permission denied' '$work/root'"
		stop "$nbpid"
	fi
	check "socket-garbage [$p]" "head -c 3000 /dev/urandom | '$BUILD/ctlraw' '$s' | head -1 | grep -qx ERR"
	check "socket-nul-byte [$p]" "printf 'ps\\0x\\n' | '$BUILD/ctlraw' '$s' | tr '\\n' ' ' | grep -qx 'ERR bad request: a NUL byte '"
	check "socket-oversized [$p]" "head -c 3000000 /dev/zero | tr '\\0' a | '$BUILD/ctlraw' '$s' | tr '\\n' ' ' | grep -q '^ERR request too long'"
	check "socket-stalled-client [$p]" "'$BUILD/ctlraw' '$s' stall | grep -qx ERR"
	check "socket-unknown-command [$p]" "! ctl '$s' frobnicate >/dev/null && grep -q \"unknown command 'frobnicate'\" '$work/why' && : >'$work/why'"
	check "socket-unknown-json [$p]" "ctl '$s' frobnicate --json | grep -qx '{\"error\":\"unknown command .frobnicate. (try .help.)\"}'; [ \${PIPESTATUS[0]} = 1 ]"
	check "socket-alive-after-abuse [$p]" "ctl '$s' ps | grep -q ' counts '"
	check "socket-in-use [$p]" "! '$UMK' run --platform '$p' --rootfs '$TESTROOT' --control='$s' -- /bin/true 2>'$work/why' && grep -q 'in use' '$work/why' && : >'$work/why'"
	stop "$upid"
	check "socket-removed-at-exit [$p]" "[ ! -e '$s' ]"
	echo keep >"$work/notsock"
	check "socket-not-a-socket [$p]" "! '$UMK' run --platform '$p' --rootfs '$TESTROOT' --control='$work/notsock' -- /bin/true 2>'$work/why' && [ \"\$(cat '$work/notsock')\" = keep ] && : >'$work/why'"
}

# ---- gdb: umk run --gdb and umk-gdb.py ----
gdb_checks() {
	local p=$1
	printf 'break sys_getppid\nrun\numk-ps\numk-syscall 1\numk-fds 1\numk-maps 1\numk-task 1\nkill\nquit\n' |
		timeout 120 "$UMK" run --gdb --platform "$p" --rootfs "$TESTROOT" -- /debug/counts >"$work/gdb.out" 2>&1
	check "gdb-run-break [$p]" "grep -q 'hit Breakpoint 1, sys_getppid' '$work/gdb.out' || tail -30 '$work/gdb.out' >'$work/why'"
	check "gdb-umk-ps [$p]" "grep -qE '^ +1 +1 +0 R counts +getppid\\(\\)' '$work/gdb.out'"
	check "gdb-umk-syscall [$p]" "grep -qx '(gdb) getppid()' '$work/gdb.out'"
	check "gdb-umk-fds-maps-task [$p]" "grep -q ' /dev/stdin\$' '$work/gdb.out' && grep -qE '^[0-9a-f]+-[0-9a-f]+ r-xp [0-9a-f]+ /debug/counts\$' '$work/gdb.out' && grep -q '^tid 1 pid 1 ppid 0 comm counts state R' '$work/gdb.out'"
}

check "ctl-usage" "! '$UMK' ctl >/dev/null 2>&1 && '$UMK' ctl '$work/x' --help | grep -q 'stack TID'"
check "ctl-no-socket" "! '$UMK' ctl '$work/none.sock' ps 2>'$work/err' && grep -q 'No such file' '$work/err'"
check "bad-debug-oops" "! '$UMK' run --rootfs '$TESTROOT' --debug-oops=no_such -- /bin/true 2>'$work/err' && [ \$(wc -l <'$work/err') = 1 ]"
check "bad-oops-mode" "! '$UMK' run --rootfs '$TESTROOT' --oops=maybe -- /bin/true 2>'$work/err' && [ \$(wc -l <'$work/err') = 1 ]"
for p in $UMK_PLATFORMS; do
	ctl_checks "$p"
	stats_checks "$p"
	trace_checks "$p"
	core_checks "$p"
	oops_checks "$p"
	socket_checks "$p"
	gdb_checks "$p"
done
summary
