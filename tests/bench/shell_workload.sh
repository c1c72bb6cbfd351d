#!/bin/sh
# shell_workload.sh [N] [DIR] - a fork/exec-heavy POSIX shell loop for
# tests/bench/bench.sh: each of N iterations (default 200) writes a line
# to a file in DIR (default /tmp), reads it back through `cat | grep -c`
# and lists DIR: four processes, a pipe and small file I/O.  Time the
# whole run from outside; the last line says it finished.
n=${1:-200}
dir=${2:-/tmp}
f=$dir/shell_workload.$$
i=0
while [ "$i" -lt "$n" ]; do
	echo "iteration $i" >"$f"
	cat "$f" | grep -c iteration >/dev/null
	ls "$dir" >/dev/null
	i=$((i + 1))
done
rm -f "$f"
echo "shell_workload done $n"
