#!/bin/bash
# run-fault-tests.sh - fault injection (umk run --inject*, --seed,
# --fault-log, --replay) on each platform in $UMK_PLATFORMS.  Builds
# tests/fault/*.c into build/fault/ (the guest sees them as /fault/NAME)
# and checks each kind of fault and each option against a native run
# (an injected error must look exactly like the real one: cat of a
# missing file) or against what the fault log says was injected (the
# address and bit of a memory flip, the register, bit and old value of a
# register flip, the byte and bit of corrupted I/O).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@" # make runs us with sh
set -u
. "$(dirname "$0")/lib.sh"

for src in "$ROOT"/tests/fault/*.c; do
	n=${src##*/}
	compile "$src" "$BUILD/fault/${n%.c}" || { fail "fault ${n%.c} (compile)"; rm -f "$BUILD/fault/${n%.c}"; }
done
make_testroot || { fail "test root (rootfs/mkrootfs.sh)"; summary; exit; }
sync_bins "$BUILD/fault" "$TESTROOT/fault"
have_umk || { summary; exit; }

work=$(mktemp -d /tmp/umk-fault.XXXXXX)
trap 'rm -rf "$work"' EXIT
o=$work/out e=$work/err L=$work/log
rc=0

# frun PLATFORM UMK-OPTIONS... -- PROGRAM ARGS...: stdout in $o, stderr in
# $e, status in $rc
frun() {
	local p=$1
	shift
	timeout -k 5 60 "$UMK" run --platform "$p" --rootfs "$TESTROOT" --hostname umk --cwd / \
		-e TERM=linux "$@" </dev/null >"$o" 2>"$e"
	rc=$?
}
# nrun SHELL-LINE: the same natively (native_run: chroot into an overlay of
# the test root, pid 1 of new namespaces); stdout $o.n, stderr $e.n, $nrc
nrun() {
	timeout -k 5 60 bash -c '. "$1"; shift; native_run "$@"' sh "$ROOT/tests/lib.sh" \
		"$TESTROOT" /bin/sh -c "$1" </dev/null >"$o.n" 2>"$e.n"
	nrc=$?
}
# same_as_native NAME: umk's last run ($o, $e, $rc) against the last nrun
same_as_native() {
	if [ "$rc" = "$nrc" ] && cmp -s "$o" "$o.n" && cmp -s "$e" "$e.n"; then
		pass "$1"
	else
		fail "$1 (umk exit $rc, native $nrc)"
		diff -u --label native --label umk <(cat "$o.n" "$e.n") <(cat "$o" "$e") | head -20 | sed 's/^/    /'
	fi
}
# ok NAME CONDITION: pass if CONDITION (a shell expression) holds
ok() {
	if eval "$2"; then
		pass "$1"
	else
		fail "$1 (exit $rc)"
		{ head -5 "$o"; head -5 "$e"; } | sed 's/^/    /'
	fi
}
# field NAME FILE: the value of "NAME" in the first fault record of the log
field() { grep '"event":"fault"' "$2" | head -1 | sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p"; }
nfaults() { grep -c '"event":"fault"' "$1"; }
# total syscalls of the task in the log's exit record of pid 1
nsys() { grep '"event":"exit"' "$1" | grep '"tid":1,' | sed 's/.*"syscalls":\([0-9]*\).*/\1/'; }
# index of the first line of strace output $1 matching $2 (a syscall's
# per-task index: line 1 is the execve umk made itself)
strace_index() { echo $(($(grep -n "$2" "$1" | head -1 | cut -d: -f1) - 1)); }

# map_line ADDR MAPS: the line of /proc/PID/maps text MAPS holding ADDR
# into $line, and the line before it into $prev
map_line() {
	local x=$(($1)) l lo hi
	line= prev=
	while read -r l; do
		lo=${l%%-*} hi=${l#*-} hi=${hi%% *}
		if [ "$x" -ge $((16#$lo)) ] && [ "$x" -lt $((16#$hi)) ]; then
			line=$l
			return
		fi
		prev=$l
	done <"$2"
}

have_native=0
native_ok && have_native=1
[ $have_native = 1 ] || skip "fault: native comparisons (need root or user namespaces)"

for p in $UMK_PLATFORMS; do
	# ---- syscall faults ----
	if [ $have_native = 1 ]; then
		# an injected openat error looks exactly like a missing file
		frun "$p" --inject=openat:error=ENOENT -- cat /etc/hostname
		nrun 'rm /etc/hostname; cat /etc/hostname'
		same_as_native "fault openat ENOENT = missing file, cat [$p]"
		# when= counts per syscall: FIRST, FIRST+, FIRST..LAST, FIRST+STEP
		files="/etc/passwd /etc/group /etc/hostname"
		for w in "2:/etc/group" "2+:/etc/group /etc/hostname" "1..2:/etc/passwd /etc/group" \
			"1+2:/etc/passwd /etc/hostname"; do
			frun "$p" --inject=openat:error=ENOENT:when=${w%%:*} -- cat $files
			nrun "rm ${w#*:}; cat $files"
			same_as_native "fault when=${w%%:*} [$p]"
		done
		# path=: only the calls whose path argument matches
		frun "$p" '--inject=openat:error=ENOENT:path=*/group' -- cat $files
		nrun "rm /etc/group; cat $files"
		same_as_native "fault path=GLOB (path argument) [$p]"
	fi
	# the same spec under umk and under strace on the host: the same
	# result (busybox's gzip on its own binary, which the root has too)
	if command -v strace >/dev/null && cmp -s /bin/busybox "$TESTROOT/bin/busybox"; then
		for spec in read:error=EIO:when=2 write:error=ENOSPC:when=3 openat:error=EACCES \
			read:retval=0:when=3 'read,write:error=EINTR:when=2+5'; do
			frun "$p" --inject="$spec" -- gzip -c /bin/busybox
			timeout -k 5 60 strace -o /dev/null -e inject="$spec" /bin/busybox gzip -c /bin/busybox \
				</dev/null >"$o.n" 2>"$e.n"
			nrc=$?
			same_as_native "fault --inject=$spec = strace -e inject=$spec [$p]"
		done
	fi
	# path= also matches the file of an fd argument
	frun "$p" '--inject=read:error=EIO:path=/etc/*' -- /fault/fprobe ioread /etc/group 100
	ok "fault path=GLOB (fd argument) [$p]" '[ "$(grep -c "read: EIO" "$o")" = 3 ]'
	# task=COMM and task=PID
	frun "$p" --inject=openat:error=EACCES:task=head -- sh -c 'cat /etc/hostname; head -n1 /etc/passwd'
	ok "fault task=COMM [$p]" '[ "$(cat "$o")" = umk ] && grep -q "head: /etc/passwd: Permission denied" "$e"'
	frun "$p" --inject=openat:error=ENOENT:task=2 -- sh -c 'cat /etc/hostname; cat /etc/hostname; true'
	ok "fault task=PID [$p]" '[ "$(cat "$o")" = umk ] && [ "$(grep -c "No such file" "$e")" = 1 ]'
	# retval= and error= replace the call
	frun "$p" --inject=getppid:retval=42 -- /fault/fprobe getppid 5
	ok "fault retval= [$p]" 'grep -qx "calls 5 zero 0 other 5 errors 0 first 42 .*" "$o"'
	# probability= with a seed: the same faults for the same seed
	frun "$p" --seed=1 --inject=getppid:retval=7:probability=30 --fault-log="$L" -- /fault/fprobe getppid 1000
	cp "$o" "$work/p1"
	n7=$(sed 's/.* other \([0-9]*\) .*/\1/' "$o")
	frun "$p" --seed=1 --inject=getppid:retval=7:probability=30 -- /fault/fprobe getppid 1000
	cp "$o" "$work/p2"
	frun "$p" --seed=2 --inject=getppid:retval=7:probability=30 -- /fault/fprobe getppid 1000
	ok "fault probability= with --seed [$p]" 'cmp -s "$work/p1" "$work/p2" && ! cmp -s "$work/p1" "$o" &&
		[ "$n7" -ge 250 ] && [ "$n7" -le 350 ] && [ "$(nfaults "$L")" = "$n7" ]'
	# times= and interval= (Linux's attributes)
	frun "$p" --inject=getppid:error=EPERM:times=3 -- /fault/fprobe getppid 1000
	ok "fault times= [$p]" 'grep -q "zero 997 other 0 errors 3 first -1 " "$o"'
	frun "$p" --inject=getppid:retval=9:interval=100 -- /fault/fprobe getppid 1000
	ok "fault interval= [$p]" 'grep -q "zero 990 other 10 errors 0 first 9 " "$o"'
	# fail_nth=N: the task's Nth call of the set, and no other
	frun "$p" --inject=getppid:retval=3:fail_nth=4 -- /fault/fprobe getppid 10
	ok "fault fail_nth= [$p]" 'grep -q "zero 9 other 1 errors 0 first 3 " "$o"'
	# classes from the table: getppid is in %pure
	frun "$p" --inject=%pure:retval=77 -- /fault/fprobe getppid 3
	ok "fault %class set [$p]" 'grep -q "other 3 errors 0 first 77 " "$o"'
	# signal= alone: the call runs, then the signal comes; with error=: both
	frun "$p" --inject=getppid:signal=SIGUSR1 -- /fault/fprobe signal
	ok "fault signal= [$p]" '[ "$(cat "$o")" = "getppid returned 0, SIGUSR1 handled 1 time(s)" ]'
	frun "$p" --inject=getppid:error=EIO:signal=USR1 -- /fault/fprobe signal
	ok "fault signal= with error= [$p]" '[ "$(cat "$o")" = "getppid returned -5, SIGUSR1 handled 1 time(s)" ]'
	frun "$p" --inject=getppid:signal=SIGTERM -- /fault/fprobe getppid 1
	ok "fault signal= default action [$p]" '[ $rc = 143 ] && [ ! -s "$o" ]'
	# delay_enter waits before the call runs, delay_exit after
	frun "$p" --inject=clock_gettime:delay_enter=200ms:when=2 -- /fault/fprobe delay
	ok "fault delay_enter= [$p]" '[ "$(cat "$o")" = "$(printf "delayed before the call: yes\ndelayed after the call: no")" ]'
	frun "$p" --inject=clock_gettime:delay_exit=200ms:when=2 -- /fault/fprobe delay
	ok "fault delay_exit= [$p]" '[ "$(cat "$o")" = "$(printf "delayed before the call: no\ndelayed after the call: yes")" ]'
	# strace marks injected results as strace does
	frun "$p" --inject=openat:error=ENOENT --strace="$work/trace" -- cat /etc/hostname
	ok "fault strace (INJECTED) [$p]" 'grep -qx "\[pid 1\] openat(AT_FDCWD, \"/etc/hostname\", O_RDONLY) = -1 ENOENT (No such file or directory) (INJECTED)" "$work/trace"'

	# ---- memory ----
	# a flip in a buffer the guest checksums: seen at the logged address and bit
	frun "$p" --seed=4 --inject-mem=0x30000000-0x30010000:at=syscall=200 --fault-log="$L" -- \
		/fault/fprobe memflip 0x30000000 300
	ok "fault mem flip seen at the logged address [$p]" \
		'grep -qx "flip $(field addr "$L") bit $(field bit "$L")" "$o" && grep -q " 1 bit(s) changed" "$o"'
	frun "$p" --seed=5 --inject-mem=0x30000000-0x30010000:bits=3:at=syscall=200 --fault-log="$L" -- \
		/fault/fprobe memflip 0x30000000 300
	grep '"event":"fault"' "$L" | sed 's/.*"addr":"\([^"]*\)","bit":\([0-9]\).*/flip \1 bit \2/' | sort >"$work/want"
	grep '^flip' "$o" | sort >"$work/got"
	ok "fault mem bits=3 [$p]" '[ "$(wc -l <"$work/want")" = 3 ] && cmp -s "$work/want" "$work/got"'
	# at a time: the thread is stopped in guest code that makes no syscall
	# (the guest marks the end of its buffer's fill with a getppid; a
	# try whose flip came before that, on a slow start, says nothing and
	# the next waits longer)
	frun "$p" --strace="$work/trace" -- /fault/fprobe memspin 0x30000000 1
	k=$(strace_index "$work/trace" '^\[pid 1\] getppid')
	verdict=none
	for t in 100 400 1500; do
		frun "$p" --seed=8 --inject-mem=0x30000000-0x30010000:at=time=${t}ms --fault-log="$L" -- \
			/fault/fprobe memspin 0x30000000 $((t * 4))
		i=$(field index "$L")
		[ -n "$i" ] && [ "$i" -ge "$k" ] || continue
		verdict=bad
		grep -qx "flip $(field addr "$L") bit $(field bit "$L")" "$o" && grep -qx "1 bit(s) changed" "$o" &&
			[ "$(field trigger "$L")" = "time=$(awk -v t=$t 'BEGIN { print t / 1000 }')s" ] && verdict=good
		break
	done
	ok "fault mem flip at a time, in guest code [$p]" '[ $verdict = good ]'
	# task=: the flip goes to the task named, not to the first to get there
	frun "$p" --seed=4 --inject-mem=0x30000000-0x30010000:at=syscall=100:task=fprobe --fault-log="$L" -- \
		sh -c 'i=0; while [ $i -lt 200 ]; do i=$((i+1)); echo >/dev/null; done; /fault/fprobe memflip 0x30000000 300; true'
	ok "fault mem task= [$p]" '[ "$(field comm "$L")" = fprobe ] &&
		grep -qx "flip $(field addr "$L") bit $(field bit "$L")" "$o"'
	# each region lands in the mapping it names (the guest prints its maps
	# before the flip, then makes 100 getppid calls)
	frun "$p" --fault-log="$L" -- /fault/fprobe maps 100
	k=$(($(nsys "$L") - 50))
	cp "$o" "$work/maps"
	for r in heap stack text data anon file=fprobe 0x400000-0x401000; do
		frun "$p" --seed=6 --inject-mem="$r:at=syscall=$k" --fault-log="$L" -- /fault/fprobe maps 100
		a=$(field addr "$L")
		map_line "$a" "$work/maps"
		case $r in
		heap) want='[[ $line == *"[heap]" ]]' ;;
		stack) want='[[ $line == *"[stack]" ]]' ;;
		text) want='[[ $line == *" r-xp "*/fault/fprobe ]]' ;;
		data) want='[[ $line == *" rw-p "*/fault/fprobe || ( $line == *" rw-p 00000000 00:00 0" && $prev == *" rw-p "*/fault/fprobe ) ]]' ;;
		anon) want='[[ $line == *" rw-p 00000000 00:00 0" && $prev != *" rw-p "*/fault/fprobe ]]' ;;
		file=*) want='[[ $line == */fault/fprobe ]]' ;;
		*) want='[[ $line == 00400000-* ]]' ;;
		esac
		ok "fault mem region ${r%%=*} [$p]" '[ -n "$a" ] && eval "$want"'
	done

	# ---- registers ----
	# a flip of the loop counter (r12) at a syscall in the loop: the loop
	# runs as many more (or fewer) times as the flip added
	frun "$p" --inject-reg=r12:bit=3:at=syscall=60 --fault-log="$L" -- /fault/fprobe regloop 100
	d=$(($(field new "$L") - $(field old "$L")))
	ok "fault reg loop counter at a syscall [$p]" '[ "$(field reg "$L")" = r12 ] && [ ${d#-} = 8 ] &&
		grep -qx "iterations $((100 + d)) xmm8 0" "$o"'
	# ... and at a time, in a loop that makes no syscall: the platform
	# stops the thread in guest code
	# (a try is conclusive if the flip came in the loop: after the
	# guest's getppid mark and before its next call; on a slow start
	# the next try waits longer, with a longer loop)
	frun "$p" --strace="$work/trace" -- /fault/fprobe spin 1
	k=$(strace_index "$work/trace" '^\[pid 1\] getppid')
	verdict=none
	for try in "30 28" "300 30" "1500 32"; do
		t=${try% *} b=${try#* }
		frun "$p" --inject-reg=r12:bit=$((b - 1)):at=time=${t}ms --fault-log="$L" -- /fault/fprobe spin $((1 << b))
		[ "$(field index "$L")" = "$k" ] || continue
		d=$(($(field new "$L") - $(field old "$L")))
		verdict=bad
		[ ${d#-} = $((1 << (b - 1))) ] && [ "$(cat "$o")" = "iterations $(printf "%#x" $(((1 << b) + d)))" ] &&
			verdict=good
		break
	done
	ok "fault reg loop counter at a time (no syscall) [$p]" '[ $verdict = good ]'
	frun "$p" --inject-reg=xmm8:bit=5:at=syscall=60 -- /fault/fprobe regloop 100
	ok "fault reg xmm [$p]" '[ "$(cat "$o")" = "iterations 100 xmm8 0x20" ]'
	frun "$p" --strace="$work/trace" -- /fault/fprobe flags
	k=$(strace_index "$work/trace" '^\[pid 1\] getppid')
	frun "$p" --inject-reg=rflags:bit=0:at=syscall=$k -- /fault/fprobe flags
	ok "fault reg rflags [$p]" '[ "$(cat "$o")" = "carry after the syscall 1, rsp moved by 0" ]'
	frun "$p" --inject-reg=rsp:bit=3:at=syscall=$k --fault-log="$L" -- /fault/fprobe flags
	d=$(($(field new "$L") - $(field old "$L")))
	ok "fault reg rsp [$p]" '[ "$(cat "$o")" = "carry after the syscall 0, rsp moved by $d" ] && [ ${d#-} = 8 ]'
	frun "$p" --inject-reg=rip:bit=40:at=syscall=$k -- /fault/fprobe flags
	ok "fault reg rip [$p]" '[ $rc = 139 ] && [ ! -s "$o" ]'

	# ---- I/O ----
	io() { frun "$p" --seed=5 --inject-io="$1" --fault-log="$L" -- sh -c "/fault/fprobe pattern /tmp/d 20000 && $2"; }
	io /tmp/d:op=read:fault=eio:when=2 '/fault/fprobe ioread /tmp/d 8192'
	ok "fault io eio when=2 [$p]" '[ "$(head -3 "$o" | tr "\n" " ")" = "read 8192 read: EIO read 8192 " ] &&
		grep -qx "total 20000" "$o"'
	io /tmp/d:op=read:fault=short:when=1 '/fault/fprobe ioread /tmp/d 8192'
	ok "fault io short [$p]" '[ "$(head -1 "$o")" = "read 4096" ] && grep -qx "total 20000" "$o"'
	io /tmp/d:op=read:fault=corrupt:when=3 '/fault/fprobe ioread /tmp/d 8192'
	ok "fault io corrupt read [$p]" 'grep -qx "differs at offset $(field file_offset "$L") bit $(field bit "$L")" "$o" &&
		grep -qx "1 bit(s) differ" "$o"'
	io /tmp/d:op=open:fault=eio '/fault/fprobe ioopen /tmp/d'
	ok "fault io open [$p]" '[ $rc = 1 ] && [ "$(field fault "$L")" = eio ] && [ "$(field op "$L")" = open ]'
	io '/tmp/d:op=read:fault=delay=200ms:when=1' 'time -p /fault/fprobe ioread /tmp/d 20000'
	ok "fault io delay [$p]" 'awk "/^real/ { exit !(\$2 >= 0.2) }" "$e" && grep -qx "total 20000" "$o"'
	frun "$p" --seed=5 --inject-io=/tmp/w:op=write:fault=enospc:when=3 -- /fault/fprobe iowrite /tmp/w 10000
	ok "fault io enospc [$p]" '[ "$(grep -c ^write "$o")" = 3 ] && grep -qx "write: ENOSPC" "$o" && grep -qx "read back 8192" "$o"'
	frun "$p" --seed=5 --inject-io=/tmp/w:op=write:fault=corrupt:when=2 --fault-log="$L" -- /fault/fprobe iowrite /tmp/w 10000
	ok "fault io corrupt write [$p]" 'grep -qx "differs at offset $(field file_offset "$L") bit $(field bit "$L")" "$o"'
	frun "$p" --inject-io=/tmp/w:op=fsync:fault=eio -- /fault/fprobe iowrite /tmp/w 10000
	ok "fault io fsync [$p]" 'grep -qx "fsync: EIO" "$o"'

	# ---- network (the guest's own loopback) ----
	net() { frun "$p" --seed=3 --inject-net="$1" --fault-log="$L" -- /fault/fnet "${2:-tcp}" ${3:-5000} ${4:-20000}; }
	net 5000:fault=refuse
	ok "fault net refuse [$p]" '[ "$(cat "$o")" = "client: connect: ECONNREFUSED" ] && [ "$(field op "$L")" = connect ]'
	net 127.0.0.1:5000:fault=reset:when=2
	ok "fault net reset: ECONNRESET here, a reset at the peer [$p]" 'grep -qx "client: sends 4096 ECONNRESET" "$o" &&
		grep -qx "server: read: ECONNRESET" "$o" && grep -qx "server: got 4096 bytes, 0 bit(s) differ" "$o"'
	net 127.0.0.1:5000:fault=drop:when=2
	ok "fault net drop [$p]" 'grep -qx "client: sends 4096 4096 4096 4096 3616" "$o" && grep -qx "client: answer .got 15904." "$o" &&
		[ "$(field bytes "$L")" = 4096 ]'
	net 5000:fault=delay=200ms:op=connect
	ok "fault net delay [$p]" 'grep -qx "client: connected (after a delay)" "$o" && grep -qx "client: answer .got 20000." "$o"'
	net 127.0.0.1:5000:fault=corrupt:op=send:when=3
	ok "fault net corrupt (send) [$p]" 'grep -qx "server: byte $((8192 + $(field byte "$L"))) bit $(field bit "$L") differs" "$o" &&
		grep -qx "server: got 20000 bytes, 1 bit(s) differ" "$o"'
	net 5000:fault=corrupt:op=recv:when=1:task=2
	ok "fault net corrupt (recv) [$p]" 'grep -qx "server: byte $(field byte "$L") bit $(field bit "$L") differs" "$o" &&
		grep -qx "server: got 20000 bytes, 1 bit(s) differ" "$o" && [ "$(field op "$L")" = recv ]'
	net 127.0.0.1:5000:fault=short:op=send:when=2
	ok "fault net short [$p]" 'grep -qx "client: sends 4096 2048 4096 4096 4096 1568" "$o" && grep -qx "server: got 20000 bytes, 0 bit(s) differ" "$o"'
	net 5001:fault=refuse
	ok "fault net: another port, no fault [$p]" 'grep -qx "client: answer .got 20000." "$o" && [ "$(nfaults "$L")" = 0 ]'
	net 127.0.0.1:6000:fault=refuse:when=2 udp 6000 5
	ok "fault net refuse (datagram) [$p]" '[ "$(cat "$o")" = "$(printf "server: 4 datagram(s), 0 bit(s) differ\nclient: sendto ok ECONNREFUSED ok ok ok")" ]'
	net 6000:fault=drop:when=3 udp 6000 5
	ok "fault net drop (datagram) [$p]" '[ "$(cat "$o")" = "$(printf "server: 4 datagram(s), 0 bit(s) differ\nclient: sendto ok ok ok ok ok")" ]'
	frun "$p" --seed=21 --inject-net=127.0.0.1:5000:fault=corrupt:op=send:probability=50 --fault-log="$L" -- /fault/fnet tcp 5000 20000
	cp "$o" "$work/n1"
	frun "$p" --replay="$L" --fault-log="$L.2" -- /fault/fnet tcp 5000 20000
	ok "fault replay (net) [$p]" 'cmp -s "$work/n1" "$o" && [ "$(nfaults "$L")" -ge 1 ] &&
		cmp -s <(grep "\"event\":\"fault\"" "$L" | sed "s/\"time\":[^,]*,//") <(grep "\"event\":\"fault\"" "$L.2" | sed "s/\"time\":[^,]*,//")'

	# ---- replay: the same faults, the same output ----
	frun "$p" --seed=11 --inject=getppid:retval=5:probability=20 --inject-mem=0x30000000-0x30010000:bits=2:at=syscall=150 \
		--inject-reg=r13:at=syscall=250 --fault-log="$L" -- /fault/fprobe memflip 0x30000000 300
	cp "$o" "$work/r1"
	frun "$p" --replay="$L" --fault-log="$L.2" -- /fault/fprobe memflip 0x30000000 300
	strip() { grep '"event":"fault"' "$1" | sed 's/"time":[^,]*,//'; }
	ok "fault replay (syscall, mem, reg) [$p]" 'cmp -s "$work/r1" "$o" && [ "$(nfaults "$L")" -gt 10 ] &&
		cmp -s <(strip "$L") <(strip "$L.2")'
	io '/tmp/d:op=read:fault=corrupt:probability=50' '/fault/fprobe ioread /tmp/d 1000'
	cp "$o" "$work/r1"
	cp "$L" "$work/r1.log"
	frun "$p" --replay="$work/r1.log" --fault-log="$L.2" -- sh -c "/fault/fprobe pattern /tmp/d 20000 && /fault/fprobe ioread /tmp/d 1000"
	ok "fault replay (io) [$p]" 'cmp -s "$work/r1" "$o" && [ "$(nfaults "$work/r1.log")" -gt 3 ] &&
		cmp -s <(strip "$work/r1.log") <(strip "$L.2")'
done

# ---- bad specs: one line naming the wrong part, and the guest never starts ----
bad() {
	timeout -k 5 30 "$UMK" run --rootfs "$TESTROOT" "$1" -- /bin/echo started </dev/null >"$o" 2>"$e"
	rc=$?
	if [ $rc = 2 ] && [ ! -s "$o" ] && [ "$(wc -l <"$e")" = 1 ] && grep -qF -- "$2" "$e"; then
		pass "fault bad spec ${1%%=*}: $2"
	else
		fail "fault bad spec $1 (exit $rc): $(head -c 300 "$e")"
	fi
}
bad --inject=opnat:error=EIO "unknown syscall 'opnat'"
bad --inject=%nosuch:error=EIO "unknown syscall class '%nosuch'"
bad --inject=openat:error=ENOPE "error=ENOPE"
bad --inject=openat:error=0 "error=0"
bad --inject=openat "nothing to inject"
bad --inject=openat:error=EIO:retval=1 "exclude each other"
bad --inject=openat:error=EIO:when=5..3 "when=5..3: LAST is below FIRST"
bad --inject=openat:error=EIO:when=0 "when=0"
bad --inject=openat:error=EIO:probability=150 "probability=150"
bad --inject=openat:signal=SIGNOPE "signal=SIGNOPE"
bad --inject=openat:delay_enter=5parsecs "delay_enter=5parsecs"
bad --inject=openat:error=EIO:frob=1 "unknown key 'frob'"
bad --inject='/[:error=EIO' "bad regular expression"
bad --inject-mem=nowhere "unknown region 'nowhere'"
bad --inject-mem=0x5000-0x1000 "START must be below END"
bad --inject-mem=0x7fffffff0000-0x7fffffff1000 "matches nothing"
bad --inject-mem='file=/no/such/*.so' "file=/no/such/*.so: matches nothing"
bad --inject-mem=heap:bits=0 "bits=0"
bad --inject-mem=heap:at=syscall=0 "at=syscall=0"
bad --inject-mem=heap:at=sometime "at=sometime"
bad --inject-reg=rzz "unknown register 'rzz'"
bad --inject-reg=rax:bit=64 "bit=64"
bad --inject-reg=xmm3:bit=128 "bit=128"
bad --inject-io=/x:fault=melt "fault=melt"
bad --inject-io=/x:op=erase:fault=eio "unknown operation 'erase'"
bad --inject-io=/x:op=open:fault=corrupt "applies to op=read and op=write only"
bad --inject-net=5000 "no fault= given"
bad --inject-net=5000:fault=melt "fault=melt"
bad --inject-net=70000:fault=drop "expected PORT, HOST:PORT or [IPV6]:PORT"
bad --inject-net=nohost:80:fault=drop "expected PORT, HOST:PORT or [IPV6]:PORT"
bad '--inject-net=[::1:80:fault=drop' "expected [IPV6]:PORT"
bad --inject-net=80:fault=refuse:op=recv "applies to op=connect and op=send"
bad --inject-net=80:fault=drop:op=hug "unknown operation 'hug'"
bad --seed=abc "--seed=abc"
bad --replay=/no/such/log "--replay=/no/such/log"
summary
