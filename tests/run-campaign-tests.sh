#!/bin/bash
# run-campaign-tests.sh - `umk campaign` on each platform in
# $UMK_PLATFORMS: the exhaustive fail-nth sweep of `gzip -c /etc/passwd`
# (tests/campaign/gzip-failnth.json) and a 60-run slice of the 200-run
# memory-flip campaign of `sort` (sort-memflip.json; the whole one is in
# the README).  Checks that the sweep fails each call in turn, that the
# same seed gives an identical results.jsonl twice, that -j 2 gives what
# -j 1 gives, that jobs emitted for GNU parallel or Slurm and merged with
# `umk campaign report` give it too, that each class (ok, detected,
# wrong, crash, hang) is what it says, and that bad plans get one line.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@" # make runs us with sh
set -u
. "$(dirname "$0")/lib.sh"

make_testroot || { fail "test root (rootfs/mkrootfs.sh)"; summary; exit; }
have_umk || { summary; exit; }
compile "$ROOT/tests/fault/fprobe.c" "$BUILD/fault/fprobe" && sync_bins "$BUILD/fault" "$TESTROOT/fault"

work=$(mktemp -d /tmp/umk-campaign.XXXXXX)
trap 'rm -rf "$work"' EXIT
plans=$ROOT/tests/campaign
rc=0

# camp NAME ARGS...: umk campaign ARGS (stdout $work/NAME.out, stderr .err)
camp() {
	local n=$1
	shift
	timeout -k 5 300 "$UMK" campaign "$@" </dev/null >"$work/$n.out" 2>"$work/$n.err"
	rc=$?
}
ok() {
	if eval "$2"; then
		pass "$1"
	else
		fail "$1 (exit $rc)"
		head -5 "$work/$3.err" 2>/dev/null | sed 's/^/    /'
	fi
}
class_of() { grep "\"id\":$2," "$1" | sed 's/.*"class":"\([a-z]*\)".*/\1/'; }

for p in $UMK_PLATFORMS; do
	# ---- the fail-nth sweep of gzip ----
	d=$work/gz.$p
	camp gz.$p "$plans/gzip-failnth.json" -o "$d" --platform "$p"
	"$UMK" run --platform "$p" --rootfs "$BUILD/rootfs" --strace="$work/gz.trace" -- gzip -c /etc/passwd >/dev/null 2>&1
	k=$(($(wc -l <"$work/gz.trace") - 1))   # its syscalls (the first line is umk's own execve)
	ok "campaign gzip sweep: one run per call, run N fails call N [$p]" '[ $rc = 0 ] &&
		[ "$(wc -l <"$d/results.jsonl")" = "$k" ] &&
		[ "$(grep -c ":fail_nth=\([0-9]*\)\"\].*\"index\":\1,\"kind\":\"syscall\"" "$d/results.jsonl")" = "$k" ]' gz.$p
	# the file cannot be opened: gzip says so and exits 1; it is given
	# a read error: it takes it for the end of the file (busybox's gzip
	# does so natively too: the fault tests compare it with strace)
	open_id=$(grep '"syscall":"openat"' "$d/results.jsonl" | head -1 | sed 's/{"id":\([0-9]*\),.*/\1/')
	read_id=$(grep '"syscall":"read"' "$d/results.jsonl" | head -1 | sed 's/{"id":\([0-9]*\),.*/\1/')
	ok "campaign gzip sweep: openat fails -> detected, read fails -> wrong [$p]" \
		'[ "$(class_of "$d/results.jsonl" "$open_id")" = detected ] && [ "$(class_of "$d/results.jsonl" "$read_id")" = wrong ] &&
		grep -q "^| openat | 0 | 1 | 0 | 0 | 0 | 0 | 1 |$" "$d/summary.md"' gz.$p
	ok "campaign gzip sweep: summary.md, summary.svg, timing.jsonl [$p]" \
		'grep -q "^| class | runs | share |$" "$d/summary.md" && grep -q "^| kernel | 0 | 0.0% |$" "$d/summary.md" &&
		{ ! command -v gnuplot >/dev/null || { head -c 200 "$d/summary.svg" | grep -q "<svg" && grep -q "</svg>" "$d/summary.svg"; }; } &&
		[ "$(wc -l <"$d/timing.jsonl")" = "$k" ]' gz.$p
	camp gz2.$p "$plans/gzip-failnth.json" -o "$d.j2" --platform "$p" -j 2
	ok "campaign gzip sweep: -j 2 = -j 1 [$p]" '[ $rc = 0 ] && cmp -s "$d/results.jsonl" "$d.j2/results.jsonl"' gz2.$p

	# ---- random memory flips in sort ----
	s=$work/sort.$p
	camp sort.$p "$plans/sort-memflip.json" -o "$s" --platform "$p" --runs 60
	ok "campaign sort memory flips: 60 runs, faults from the templates [$p]" '[ $rc = 0 ] &&
		[ "$(wc -l <"$s/results.jsonl")" = 60 ] &&
		[ "$(grep -c "\"kind\":\"mem\"" "$s/results.jsonl")" -ge 40 ] &&
		[ "$(grep -c "\"class\":\"ok\"" "$s/results.jsonl")" -ge 30 ] &&
		grep -q "^## By memory region" "$s/summary.md"' sort.$p
	camp sort2.$p "$plans/sort-memflip.json" -o "$s.again" --platform "$p" --runs 60
	ok "campaign sort: the same seed, an identical results.jsonl [$p]" '[ $rc = 0 ] && cmp -s "$s/results.jsonl" "$s.again/results.jsonl"' sort2.$p
	camp sort3.$p "$plans/sort-memflip.json" -o "$s.j2" --platform "$p" --runs 60 -j 2
	ok "campaign sort: -j 2 = -j 1 [$p]" '[ $rc = 0 ] && cmp -s "$s/results.jsonl" "$s.j2/results.jsonl"' sort3.$p
	sed 's/"seed": 7/"seed": 8/' "$plans/sort-memflip.json" >"$work/sort-seed8.json"
	cp "$plans/sort-input.txt" "$work/"
	sed -i "s|\"../../build/rootfs\"|\"$BUILD/rootfs\"|" "$work/sort-seed8.json"
	camp sort4.$p "$work/sort-seed8.json" -o "$s.seed8" --platform "$p" --runs 60
	ok "campaign sort: another seed, other faults [$p]" '[ $rc = 0 ] && ! cmp -s "$s/results.jsonl" "$s.seed8/results.jsonl"' sort4.$p

	# ---- jobs for GNU parallel and Slurm, merged by report ----
	camp emit.$p "$plans/sort-memflip.json" -o "$s.jobs" --platform "$p" --runs 60 --emit-jobs "$work/jobs.$p"
	if command -v parallel >/dev/null; then
		parallel -j 2 <"$work/jobs.$p" >/dev/null 2>&1
	else
		bash "$work/jobs.$p" >/dev/null 2>&1
	fi
	camp report.$p report "$s.jobs"
	ok "campaign sort: emitted jobs + report = the local run [$p]" '[ $rc = 0 ] && [ "$(wc -l <"$work/jobs.$p")" = 60 ] &&
		cmp -s "$s/results.jsonl" "$s.jobs/results.jsonl"' report.$p
	camp slurm.$p "$plans/sort-memflip.json" -o "$s.slurm" --platform "$p" --runs 60 --emit-jobs "$work/sbatch.$p" --slurm
	mkdir -p "$s.half"
	cp "$s.slurm/plan.json" "$s.slurm/golden.json" "$s.half/"
	for i in $(seq 60); do
		# two result directories, as two clusters (or two array jobs) would make
		if [ $i -le 30 ]; then sd=$s.slurm; else sd=$s.half; fi
		sed "s|'$s.slurm'|'$sd'|" "$work/sbatch.$p" | SLURM_ARRAY_TASK_ID=$i sh
	done
	camp merge.$p report -o "$s.merged" "$s.slurm" "$s.half"
	ok "campaign sort: an sbatch array script, two directories merged = the local run [$p]" '[ $rc = 0 ] &&
		grep -q "^#SBATCH --array=1-60$" "$work/sbatch.$p" && cmp -s "$s/results.jsonl" "$s.merged/results.jsonl"' merge.$p

	# ---- each class is what it says ----
	for c in "detected:cat /etc/hostname:--inject=openat:error=ENOENT" \
		"wrong:/fault/fprobe getppid 3:--inject=getppid:retval=5" \
		"ok:/fault/fprobe getppid 3:--inject=getppid:retval=0" \
		"crash:/fault/fprobe getppid 3:--inject-reg=rip:bit=40:at=syscall=5" \
		"hang:sleep 0.1:--inject=clock_nanosleep,nanosleep:delay_enter=20s"; do
		want=${c%%:*} rest=${c#*:}
		argv=${rest%%:*} fault=${rest#*:}
		printf '{"name":"class-%s","workload":{"argv":["%s"],"rootfs":"%s","timeout":2},"runs":1,"faults":["%s"]}\n' \
			"$want" "$(echo "$argv" | sed 's/ /","/g')" "$TESTROOT" "$fault" >"$work/class.json"
		camp class.$p "$work/class.json" -o "$work/class-$want.$p" --platform "$p"
		ok "campaign class $want [$p]" '[ $rc = 0 ] && [ "$(class_of "$work/class-$want.$p/results.jsonl" 1)" = "$want" ]' class.$p
	done
	# network faults in a campaign: the report's own table
	compile "$ROOT/tests/fault/fnet.c" "$BUILD/fault/fnet" && sync_bins "$BUILD/fault" "$TESTROOT/fault"
	printf '{"name":"net","workload":{"argv":["/fault/fnet","tcp","5000","20000"],"rootfs":"%s"},"seed":2,"runs":8,"faults":["--inject-net=127.0.0.1:5000:fault={pick:drop|corrupt|reset}:op=send:when={int:1..5}"]}\n' \
		"$TESTROOT" >"$work/net.json"
	camp net.$p "$work/net.json" -o "$work/net.$p" --platform "$p"
	ok "campaign with network faults [$p]" '[ $rc = 0 ] && [ "$(grep -c "\"kind\":\"net\"" "$work/net.$p/results.jsonl")" = 8 ] &&
		grep -q "^## By network fault" "$work/net.$p/summary.md" && grep -q "^| kernel | 0 | 0.0% |$" "$work/net.$p/summary.md"' net.$p
	# the judge: expect (a fixed output) and a checker (a host command)
	printf '{"name":"expect","workload":{"argv":["/fault/fprobe","getppid","3"],"rootfs":"%s","expect":{"stdout_file":"want.txt"}},"runs":1,"faults":["--inject=getppid:retval=5"]}\n' \
		"$TESTROOT" >"$work/expect.json"
	"$UMK" run --rootfs "$TESTROOT" -- /fault/fprobe getppid 3 >"$work/want.txt"
	camp expect.$p "$work/expect.json" -o "$work/expect.$p" --platform "$p"
	ok "campaign expect.stdout_file judges the output [$p]" '[ $rc = 0 ] && [ "$(class_of "$work/expect.$p/results.jsonl" 1)" = wrong ]' expect.$p
	printf '{"name":"checker","workload":{"argv":["/fault/fprobe","getppid","3"],"rootfs":"%s","checker":"grep -q \\"^calls 3 \\" \\"$UMK_STDOUT\\" && [ $UMK_EXIT = 0 ] && [ -f want.txt ]"},"runs":1,"faults":["--inject=getppid:retval=5"]}\n' \
		"$TESTROOT" >"$work/checker.json"
	camp checker.$p "$work/checker.json" -o "$work/checker.$p" --platform "$p"
	ok "campaign checker judges instead, in the plan's directory [$p]" '[ $rc = 0 ] && [ "$(class_of "$work/checker.$p/results.jsonl" 1)" = ok ]' checker.$p
done

# ---- bad plans: one line, nothing run ----
badplan() {
	printf '%s\n' "$2" >"$work/bad.json"
	timeout -k 5 30 "$UMK" campaign "$work/bad.json" -o "$work/bad.out" </dev/null >"$work/b.out" 2>"$work/b.err"
	rc=$?
	if [ $rc = 2 ] && [ "$(wc -l <"$work/b.err")" = 1 ] && grep -qF -- "$3" "$work/b.err" && [ ! -e "$work/bad.out" ]; then
		pass "campaign bad plan: $1"
	else
		fail "campaign bad plan: $1 (exit $rc): $(head -c 300 "$work/b.err")"
	fi
}
W='"workload":{"argv":["true"]}'
badplan "JSON syntax" '{"name": "x",' "bad.json:"
badplan "no argv" '{"workload":{},"runs":1,"faults":["--inject=read:error=EIO"]}' "workload.argv"
badplan "no faults" "{$W}" "give faults"
badplan "faults and sweep" "{$W,\"runs\":1,\"faults\":[\"--inject=read:error=EIO\"],\"sweep\":\"--inject=read:error=EIO\"}" "exclude each other"
badplan "bad fault option" "{$W,\"runs\":1,\"faults\":[\"--inject-mem=hep\"]}" "unknown region 'hep'"
badplan "not an option" "{$W,\"runs\":1,\"faults\":[\"--frobnicate=1\"]}" "expected --inject="
badplan "unknown placeholder" "{$W,\"runs\":1,\"faults\":[\"--inject-mem=heap:at=syscall={when}\"]}" "unknown placeholder '{when}'"
badplan "runs missing" "{$W,\"faults\":[\"--inject=read:error=EIO\"]}" "runs:"
badplan "sweep not --inject" "{$W,\"sweep\":\"--inject-mem=heap\"}" "sweep: expected an --inject="
badplan "net mode" '{"workload":{"argv":["true"],"net":"host"},"runs":1,"faults":["--inject=read:error=EIO"]}' "workload.net"
summary
