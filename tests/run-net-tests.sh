#!/bin/bash
# run-net-tests.sh - networking (umk run --net=private|host|none).  Every
# address used is a loopback one (127.0.0.1, ::1) or, inside a private
# guest, 10.0.2.2 (which umk maps to the host's 127.0.0.1); every port is
# ephemeral or checked free first.
#   1. The programs of tests/net (but nettool) built static, run natively
#      and as /net/NAME under umk in each mode on each platform in
#      $UMK_PLATFORMS; stdout and status must match.
#   2. Host <-> guest: a --net=host guest server reached by a host client;
#      a -p forward (TCP and UDP) into a private guest; a guest client
#      reaching a host server on 127.0.0.1 in host mode and through
#      10.0.2.2 in private mode (TCP and UDP), and neither in none mode.
#   3. Isolation: in private and none modes a guest listener on 127.0.0.1
#      is not reachable from the host (and its port is free there), a host
#      listener not from the guest; two private guests listen on the same
#      port of their own loopbacks at once.
#   4. Bad --net and -p arguments: one line and exit status 2 (1 for a
#      host port that is taken).
#   5. With a Debian root that has iproute2 ($UMK_DEBIAN_ROOT, default
#      build/debian): `ip addr/link/route` compared with a native run in a
#      network namespace set up as the mode's network (none: lo; private:
#      lo and an eth0 with umk's private-mode address and gateway, made in a
#      namespace of the test's own that sends nothing; host: the host's own).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@" # make runs us with sh
set -u
. "$(dirname "$0")/lib.sh"

MODES="private host none"
names=()
for src in "$ROOT"/tests/net/*.c; do
	n=${src##*/}
	n=${n%.c}
	compile "$src" "$BUILD/net/$n" || { fail "net $n (compile)"; rm -f "$BUILD/net/$n"; continue; }
	[ "$n" = nettool ] || names+=("$n")
done
make_testroot || { fail "test root (rootfs/mkrootfs.sh)"; summary; exit; }
sync_bins "$BUILD/net" "$TESTROOT/net"
have_umk || { summary; exit; }
TOOL=$BUILD/net/nettool

work=$(mktemp -d /tmp/umk-net.XXXXXX)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# guest MODE PLATFORM [UMK OPTIONS...] -- PROGRAM ARGS: a run in the test root
guest() {
	local m=$1 p=$2
	shift 2
	timeout -k 5 60 "$UMK" run --net="$m" --platform "$p" --rootfs "$TESTROOT" --hostname umk --cwd / "$@"
}

# 1. differential runs (they use ::1 too: a host without an IPv6 loopback
# cannot give the native reference)
if ! "$TOOL" bind ::1 0 >/dev/null 2>&1; then
	skip "net differential runs: the host has no IPv6 loopback (::1) for the native reference"
	names=()
fi
for n in "${names[@]}"; do
	mkdir -p "$work/cwd"
	(cd "$work/cwd" && timeout -k 5 120 env -i "${GUEST_ENV[@]}" "$BUILD/net/$n" </dev/null >"$work/$n.native" 2>"$work/$n.native.err")
	echo "exit $?" >>"$work/$n.native"
	if ! tail -1 "$work/$n.native" | grep -qx 'exit 0'; then
		fail "net $n (native run)"
		tail -n 20 "$work/$n.native" "$work/$n.native.err" | sed 's/^/    /'
		continue
	fi
	for m in $MODES; do
		for p in $UMK_PLATFORMS; do
			out=$work/$n.$m.$p
			guest "$m" "$p" -e TERM=linux -- "/net/$n" </dev/null >"$out" 2>"$out.err"
			echo "exit $?" >>"$out"
			if cmp -s "$work/$n.native" "$out"; then
				pass "net $n [$m $p]"
			else
				fail "net $n [$m $p]"
				diff -u --label native --label "umk $m $p" "$work/$n.native" "$out" | head -30 | sed 's/^/    /'
				head -5 "$out.err" | sed 's/^/    stderr: /'
			fi
		done
	done
done

# wait_for FILE PATTERN: until FILE has a line matching PATTERN (30 s)
wait_for() {
	local i
	for i in $(seq 600); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}
# port_in FILE: the N of the "port N" line
port_in() { sed -n 's/^port \([0-9]*\)$/\1/p' "$1" | head -1; }
# free_port: a high port nobody uses on the host's loopback, TCP and UDP
free_port() {
	local p i
	for i in $(seq 50); do
		p=$((20000 + RANDOM % 20000))
		"$TOOL" bind 127.0.0.1 "$p" >/dev/null 2>&1 && "$TOOL" ubind 127.0.0.1 "$p" >/dev/null 2>&1 &&
			{ echo "$p"; return; }
	done
	echo 0
}
# bg NAME CMD...: CMD in the background, output in $work/NAME; pid in $bgpid
bg() {
	local name=$1
	shift
	"$@" >"$work/$name" 2>&1 &
	bgpid=$!
	pids+=("$bgpid")
}
# check NAME COND: PASS/FAIL, with the files of the check on failure
check() {
	if eval "$2"; then
		pass "net $1"
	else
		fail "net $1"
		for f in "${show[@]}"; do [ -f "$work/$f" ] && sed "s/^/    $f: /" "$work/$f" | head -5; done
	fi
	show=()
}
show=()

for p in $UMK_PLATFORMS; do
	# 2a. host mode: a guest server, a host client
	bg gsrv guest host "$p" -- /net/nettool listen 127.0.0.1 0
	g=$bgpid
	wait_for "$work/gsrv" '^port ' && "$TOOL" connect 127.0.0.1 "$(port_in "$work/gsrv")" from-host >"$work/hcli" 2>&1
	wait "$g"
	show=(gsrv hcli)
	check "host mode: a host client reaches a guest server [$p]" \
		'grep -qx "reply echo:from-host" "$work/hcli" && grep -qx "got from-host from 127.0.0.1" "$work/gsrv"'

	# 2b. private mode: -p forwards, TCP and UDP
	hp=$(free_port)
	bg gsrv guest private "$p" -p "$hp:8080" -- /net/nettool listen 0.0.0.0 8080
	g=$bgpid
	wait_for "$work/gsrv" '^port 8080$' &&
		awk -v p="$(printf ':%04X' "$hp")" '$4 == "0A" && $2 ~ p "$" {print $2}' /proc/net/tcp >"$work/hlisten" &&
		"$TOOL" connect 127.0.0.1 "$hp" through-p >"$work/hcli" 2>&1
	wait "$g"
	show=(gsrv hcli hlisten)
	check "private mode: -p $hp:8080 reaches the guest's listener, listening on the host's 127.0.0.1 only [$p]" \
		'grep -qx "reply echo:through-p" "$work/hcli" && grep -qx "got through-p from 10.0.2.2" "$work/gsrv" &&
		 [ "$(cat "$work/hlisten")" = "0100007F$(printf ":%04X" "$hp")" ]'
	hp=$(free_port)
	bg gsrv guest private "$p" -p "$hp:5353/udp" -- /net/nettool udplisten 0.0.0.0 5353
	g=$bgpid
	wait_for "$work/gsrv" '^port 5353$' && "$TOOL" udpsend 127.0.0.1 "$hp" dgram-p >"$work/hcli" 2>&1
	wait "$g"
	show=(gsrv hcli)
	check "private mode: -p $hp:5353/udp reaches the guest and its answer comes back [$p]" \
		'grep -qx "reply echo:dgram-p from 127.0.0.1, the port sent to: 1" "$work/hcli" &&
		 grep -qx "got dgram-p from 10.0.2.2" "$work/gsrv"'

	# 2c. guest clients and host servers
	for m in host private none; do
		bg hsrv "$TOOL" listen 127.0.0.1 0
		h=$bgpid
		wait_for "$work/hsrv" '^port ' || { fail "net host server did not start"; continue; }
		hport=$(port_in "$work/hsrv")
		guest "$m" "$p" -- /net/nettool connect 127.0.0.1 "$hport" via-loopback >"$work/gcli1" 2>&1
		guest "$m" "$p" -- /net/nettool connect 10.0.2.2 "$hport" via-gateway >"$work/gcli2" 2>&1
		kill "$h" 2>/dev/null
		wait "$h" 2>/dev/null
		show=(hsrv gcli1 gcli2)
		case $m in
		host) check "host mode: a guest client reaches a host server on 127.0.0.1 [$p]" \
			'grep -qx "reply echo:via-loopback" "$work/gcli1" && grep -qx "got via-loopback from 127.0.0.1" "$work/hsrv"' ;;
		private) check "private mode: a guest reaches a host server through 10.0.2.2, not through 127.0.0.1 [$p]" \
			'grep -qx "connect: ECONNREFUSED" "$work/gcli1" && grep -qx "reply echo:via-gateway" "$work/gcli2" &&
			 grep -qx "got via-gateway from 127.0.0.1" "$work/hsrv"' ;;
		none) check "none mode: a guest reaches no host server [$p]" \
			'grep -qx "connect: ECONNREFUSED" "$work/gcli1" && grep -qx "connect: ENETUNREACH" "$work/gcli2" &&
			 ! grep -q "^got" "$work/hsrv"' ;;
		esac
	done
	bg hsrv "$TOOL" udplisten 127.0.0.1 0
	h=$bgpid
	wait_for "$work/hsrv" '^port ' && guest private "$p" -- /net/nettool udpsend 10.0.2.2 "$(port_in "$work/hsrv")" dgram-out >"$work/gcli" 2>&1
	wait "$h"
	show=(hsrv gcli)
	check "private mode: a guest's datagram to 10.0.2.2 reaches a host server and its answer comes back [$p]" \
		'grep -qx "reply echo:dgram-out from 10.0.2.2, the port sent to: 1" "$work/gcli" && grep -qx "got dgram-out from 127.0.0.1" "$work/hsrv"'

	# 3. isolation: a guest listener is not on the host's loopback
	for m in private none; do
		bg gsrv guest "$m" "$p" -- /net/nettool listen 127.0.0.1 0
		g=$bgpid
		wait_for "$work/gsrv" '^port ' && gport=$(port_in "$work/gsrv") &&
			"$TOOL" connect 127.0.0.1 "$gport" from-host >"$work/hcli" 2>&1
		"$TOOL" bind 127.0.0.1 "$gport" >"$work/hbind" 2>&1
		kill "$g" 2>/dev/null
		wait "$g" 2>/dev/null
		show=(gsrv hcli hbind)
		check "$m mode: a guest listener on 127.0.0.1 is not on the host's loopback [$p]" \
			'grep -qx "connect: ECONNREFUSED" "$work/hcli" && grep -qx "bind ok" "$work/hbind" && ! grep -q "^got" "$work/gsrv"'
	done
	# two private guests, one port number, two loopbacks
	bg ga guest private "$p" -- /net/nettool selftest 7777 guest-a 1
	a=$bgpid
	bg gb guest private "$p" -- /net/nettool selftest 7777 guest-b 1
	b=$bgpid
	wait "$a" "$b"
	show=(ga gb)
	check "private mode: two guests' loopbacks are separate [$p]" \
		'[ "$(cat "$work/ga")" = "$(printf "bound\ngot guest-a")" ] && [ "$(cat "$work/gb")" = "$(printf "bound\ngot guest-b")" ]'
done

# 4. bad command lines: exit status 2 (1 for a port the host will not
# give), one line on stderr, no output
cli_bad() {
	local want=$1
	shift
	timeout -k 5 30 "$UMK" run --rootfs "$TESTROOT" "$@" -- /bin/true </dev/null >"$work/cli.out" 2>"$work/cli.err"
	local rc=$?
	if [ $rc = "$want" ] && [ "$(wc -l <"$work/cli.err")" = 1 ] && [ ! -s "$work/cli.out" ]; then
		pass "net cli $*"
	else
		fail "net cli $* (exit $rc): $(tr '\n' '|' <"$work/cli.err")"
	fi
}
cli_bad 2 --net=bogus
cli_bad 2 -p 99999:80
cli_bad 2 -p 80
cli_bad 2 -p 8080:80/sctp
cli_bad 2 -p 300.1.1.1:8080:80
cli_bad 2 --net=host -p 8080:80
cli_bad 2 --net=none -p 8080:80
bg hsrv "$TOOL" listen 127.0.0.1 0
wait_for "$work/hsrv" '^port ' && cli_bad 1 -p "$(port_in "$work/hsrv"):80"
kill "$bgpid" 2>/dev/null

# 5. iproute2 in the Debian root
DEBROOT=${UMK_DEBIAN_ROOT:-$BUILD/debian}
IPCMDS='ip addr; ip link; ip route; ip -6 route; ip route show table local; ip -6 route show table local;
	ip route get 127.0.0.5; ip route get 10.0.2.2; ip route get 10.0.2.255;
	ip route get 198.51.100.9; ip -6 route get ::1'
if [ "${UMK_DEBIAN:-}" = 0 ] || [ ! -f "$DEBROOT/.umk-debian-stamp" ]; then
	skip "net ip: no Debian root at $DEBROOT (make debian-rootfs)"
elif [ ! -x "$DEBROOT/usr/bin/ip" ] && [ ! -x "$DEBROOT/bin/ip" ] && [ ! -x "$DEBROOT/sbin/ip" ]; then
	skip "net ip: the Debian root $DEBROOT has no iproute2 (rootfs/debian.sh $DEBROOT ... iproute2)"
elif ! unshare --net true 2>/dev/null; then
	skip "net ip: cannot make a network namespace for the native reference"
else
	# the native reference: the root's own ip in a network namespace set up as each mode's
	# (private: a veth end in that namespace, given the address and gateway umk's private
	# mode shows, read from umk itself so that no address is written here; `ip` only
	# reads them, nothing is sent, and the namespace goes with the command)
	p1=${UMK_PLATFORMS%% *}
	eth0_addr=$(timeout -k 5 60 "$UMK" run --net=private --platform "$p1" --rootfs "$DEBROOT" -- \
		ip -4 -o addr show dev eth0 2>/dev/null | awk '{ print $4 }')
	eth0_gw=$(timeout -k 5 60 "$UMK" run --net=private --platform "$p1" --rootfs "$DEBROOT" -- \
		ip -4 route show default 2>/dev/null | awk '{ print $3 }')
	[ -n "$eth0_addr" ] && [ -n "$eth0_gw" ] || fail "net ip: umk's private mode shows no eth0 address or gateway"
	setup_none='ip link set lo up'
	setup_private="ip link set lo up && ip link add v1 type veth peer name eth0 &&
		ip link set eth0 address 52:54:00:12:34:56 && ip link set eth0 addrgenmode none &&
		ip link set v1 addrgenmode none && ip link set v1 up && ip link set eth0 up &&
		ip addr add $eth0_addr brd + dev eth0 && ip route add default via $eth0_gw && sleep 0.2"
	for m in none private host; do
		case $m in
		none) unshare --net chroot "$DEBROOT" sh -c "$setup_none && $IPCMDS" >"$work/ip.native" 2>&1 ;;
		private) unshare --net chroot "$DEBROOT" sh -c "$setup_private && $IPCMDS" 2>&1 |
			sed 's/eth0@v1/eth0/' | awk '/^[0-9]+: v1@eth0/ { skip = 1; next } /^[^ ]/ { skip = 0 } !skip' |
			grep -v ' dev v1 ' >"$work/ip.native" ;;
		host) chroot "$DEBROOT" sh -c "$IPCMDS" >"$work/ip.native" 2>&1 ;;
		esac
		for p in $UMK_PLATFORMS; do
			timeout -k 5 60 "$UMK" run --net="$m" --platform "$p" --rootfs "$DEBROOT" -- sh -c "$IPCMDS" \
				>"$work/ip.$m.$p" 2>&1
			if cmp -s "$work/ip.native" "$work/ip.$m.$p"; then
				pass "net ip addr/link/route [$m $p]"
			else
				fail "net ip addr/link/route [$m $p]"
				diff -u --label native --label "umk $m $p" "$work/ip.native" "$work/ip.$m.$p" | head -30 | sed 's/^/    /'
			fi
		done
	done
fi
summary
