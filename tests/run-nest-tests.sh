#!/bin/bash
# run-nest-tests.sh - guests that are kernels: umk inside umk, and Debian's
# User-Mode Linux (linux.uml, package user-mode-linux) inside umk.
#   umk-in-umk  a busybox pipeline through two and three levels of umk,
#               every mix of platforms at the first two levels, output
#               compared with one level (the busybox cases also run at
#               three levels: UMK_NEST in run-busybox-cases.sh)
#   signals     tests/guest/sigorder at two levels (seccomp inside each
#               platform), compared with a native run
#   uml         linux.uml boots under umk (each platform in $UMK_PLATFORMS)
#               with a hostfs copy of the test root, runs its init, which
#               prints and powers off; as host user nobody when run as root
#               (SKIP without linux.uml)
# It also prints (INFO lines, not checks) how long one run takes at each
# nesting level and how long UML takes natively and under umk.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@" # make runs us with sh
set -u
. "$(dirname "$0")/lib.sh"

make_testroot || { fail "test root (rootfs/mkrootfs.sh)"; summary; exit; }
have_umk || { summary; exit; }
work=$(mktemp -d /tmp/umk-nest.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"

# levels P1 P2 ... -- CMD...: umk inside umk, P1 outermost; the innermost
# runs CMD in the test root, the others the next umk from the host root
levels() {
	local outer=() inner=$1
	shift
	while [ "$1" != -- ]; do
		outer+=("$UMK" run --platform "$inner" --rootfs / --cwd / --env-clear --)
		inner=$1
		shift
	done
	shift
	timeout -k 5 120 "${outer[@]}" "$UMK" run --platform "$inner" --rootfs "$TESTROOT" --hostname umk \
		--cwd / --env-clear -e TERM=linux -- "$@"
}

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

script='for i in 1 2 3; do echo "line $i"; done | sort -r | tr a-z A-Z; grep -c umk-stub /proc/self/maps'
want=$(levels ptrace -- /bin/sh -c "$script" 2>&1)
for a in $UMK_PLATFORMS; do
	for b in $UMK_PLATFORMS; do
		got=$(levels "$a" "$b" -- /bin/sh -c "$script" 2>&1)
		if [ "$got" = "$want" ]; then pass "umk-in-umk [$a,$b]"; else
			fail "umk-in-umk [$a,$b]"
			diff <(echo "$want") <(echo "$got") | head -10 | sed 's/^/    /'
		fi
	done
done
got=$(levels seccomp ptrace seccomp -- /bin/sh -c "$script" 2>&1)
if [ "$got" = "$want" ]; then pass "umk-in-umk-in-umk [seccomp,ptrace,seccomp]"; else
	fail "umk-in-umk-in-umk [seccomp,ptrace,seccomp]"
	diff <(echo "$want") <(echo "$got") | head -10 | sed 's/^/    /'
fi

# signals landing on the syscalls of a seccomp-platform guest inside
# another umk (tests/guest/sigorder.c: a storm of SIGUSR1 on checked
# syscalls, and which of two pending signals comes first): the inner
# stub's SIGSYS must come before its kick, or the trapped syscall runs
# with a signal handler's arguments (the 3-level busybox stall)
if compile "$ROOT/tests/guest/sigorder.c" "$BUILD/tests/sigorder"; then
	sync_bins "$BUILD/tests" "$TESTROOT/tests"
	mkdir -p "$work/so"
	want=$(cd "$work/so" && timeout -k 5 60 "$BUILD/tests/sigorder" 2>&1; echo "exit $?")
	for a in $UMK_PLATFORMS; do
		got=$(levels "$a" seccomp -- /tests/sigorder 2>&1; echo "exit $?")
		if [ "$got" = "$want" ]; then pass "signals on a nested guest's syscalls [$a,seccomp]"; else
			fail "signals on a nested guest's syscalls [$a,seccomp]"
			diff <(echo "$want") <(echo "$got") | head -10 | sed 's/^/    /'
		fi
	done
else
	fail "sigorder (compile)"
fi

# times per level: 20 forks and execs of a shell pipeline
loop='i=0; while [ $i -lt 20 ]; do echo x | cat >/dev/null; i=$((i + 1)); done'
for p in $UMK_PLATFORMS; do
	line="INFO nesting times [$p at every level]:"
	args=()
	for n in 1 2 3; do
		args+=("$p")
		t0=$(now)
		levels "${args[@]}" -- /bin/sh -c "$loop" >/dev/null 2>&1
		line="$line level $n $(secs "$t0" "$(now)") s,"
	done
	echo "${line%,}"
done

# User-Mode Linux inside umk
uml=$(command -v linux.uml)
if [ -z "$uml" ]; then
	skip "uml: no linux.uml (apt-get install user-mode-linux)"
else
	cp -a "$TESTROOT" "$work/root"
	cat >"$work/root/init-uml" <<'EOF'
#!/bin/sh
mount -t proc proc /proc
echo "uml init: $(uname -s) $(cat /proc/sys/kernel/ostype) pid $$"
poweroff -f
EOF
	chmod 755 "$work/root/init-uml"
	as=()
	if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
		chown -R 65534:65534 "$work"
		as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	fi
	umlargs=(mem=64M root=/dev/root rootfstype=hostfs "rootflags=$work/root" rw init=/init-uml
		 con0=fd:0,fd:1 con=null)
	t0=$(now)
	"${as[@]}" env TMPDIR="$work" HOME="$work" timeout -k 5 120 "$uml" "${umlargs[@]}" \
		</dev/null >"$work/native.log" 2>&1
	tn=$(secs "$t0" "$(now)")
	for p in $UMK_PLATFORMS; do
		t0=$(now)
		"${as[@]}" timeout -k 5 180 "$UMK" run --platform "$p" --rootfs / -e TMPDIR="$work" \
			-e HOME="$work" -- "$uml" "${umlargs[@]}" </dev/null >"$work/uml.$p" 2>&1
		rc=$?
		tu=$(secs "$t0" "$(now)")
		if [ $rc = 0 ] && grep -q 'uml init: Linux Linux pid 1' "$work/uml.$p" &&
			grep -q 'reboot: System halted' "$work/uml.$p"; then
			pass "uml boots, runs init and powers off [$p]"
			echo "INFO uml boot to power-off: native ${tn} s, under umk $p ${tu} s"
		else
			fail "uml [$p] (exit $rc)"
			grep -v '^ *\[<\|^<4>' "$work/uml.$p" | tail -8 | sed 's/^/    /'
		fi
	done
fi
summary
