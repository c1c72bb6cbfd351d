/*
 * ring.c - what the syscall path records for debugging: the per-task
 * ring of recent syscalls (always), the per-syscall statistics (when
 * asked for: --control, --syscall-stats) and the --debug-oops trap.
 *
 * In a nutshell: kernel/syscall.c calls debug_syscall_begin when a
 * syscall enters and debug_syscall_end with its result (both inline,
 * debug.h; the start time waits in the task).  The ring is a few stores into the task; the
 * statistics cost a CLOCK_MONOTONIC read on each side and are counted
 * in a table indexed by syscall number, as strace -c -w counts them:
 * calls, errors, total and worst wall-clock time.  exit and exit_group
 * never return: they count as calls with no time.
 *
 * Lock: klock guards the table and every ring (the hooks run under it).
 */
#include "../kernel.h"
#include "debug.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

bool debug_syscall_hooks;

static bool stats_on;
static int oops_nr = -1;               /* --debug-oops */

struct syscall_stat {
	uint64_t calls, errors;
	uint64_t total_ns, worst_ns;
};
static struct syscall_stat stats[SYSCALL_NR_MAX];

static uint64_t clock_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

uint64_t debug_syscall_begin_slow(struct task *t, const struct sysargs *a)
{
	(void)t;
	if (a->nr == oops_nr)
		debug_oops_fault(&syscall_table[a->nr]);
	if (!stats_on || a->nr < 0 || a->nr >= SYSCALL_NR_MAX)
		return 0;
	stats[a->nr].calls++;
	return clock_ns();
}

void debug_syscall_end_slow(struct task *t, const struct sysargs *a, long ret)
{
	uint64_t t0 = t->syscall_t0;
	t->syscall_t0 = 0;
	if (!stats_on || a->nr < 0 || a->nr >= SYSCALL_NR_MAX)
		return;
	struct syscall_stat *s = &stats[a->nr];
	uint64_t d = clock_ns() - t0;
	s->total_ns += d;
	if (d > s->worst_ns)
		s->worst_ns = d;
	if (ret < 0 && ret >= -4095)
		s->errors++;
}

void syscall_stats_enable(void)
{
	stats_on = true;
	debug_syscall_hooks = true;
}

void syscall_stats_reset(void)
{
	memset(stats, 0, sizeof stats);
}

int debug_oops_set(const char *name)
{
	int nr = syscall_lookup(name);
	if (nr < 0 || !syscall_table[nr].handler)
		return -EINVAL;
	oops_nr = nr;
	debug_syscall_hooks = true;
	return 0;
}

/* Sorted as strace -c sorts: by total time, then calls, then name. */
static int by_time(const void *x, const void *y)
{
	const struct syscall_stat *a = &stats[*(const int *)x], *b = &stats[*(const int *)y];
	if (a->total_ns != b->total_ns)
		return a->total_ns > b->total_ns ? -1 : 1;
	if (a->calls != b->calls)
		return a->calls > b->calls ? -1 : 1;
	return strcmp(syscall_table[*(const int *)x].name, syscall_table[*(const int *)y].name);
}

/*
 * strace -c's table, with the worst call's time as an extra column:
 *   % time     seconds  usecs/call     calls    errors  worst us syscall
 * Times are wall-clock (strace -c -w), from syscall entry to its result.
 */
void syscall_stats_print(FILE *o, bool json)
{
	int idx[SYSCALL_NR_MAX], n = 0;
	uint64_t total_ns = 0, calls = 0, errors = 0, worst = 0;
	for (int i = 0; i < SYSCALL_NR_MAX; i++) {
		if (!stats[i].calls || !syscall_table[i].name)
			continue;
		idx[n++] = i;
		total_ns += stats[i].total_ns;
		calls += stats[i].calls;
		errors += stats[i].errors;
		if (stats[i].worst_ns > worst)
			worst = stats[i].worst_ns;
	}
	qsort(idx, n, sizeof idx[0], by_time);
	if (json) {
		fputs("[", o);
		for (int k = 0; k < n; k++) {
			const struct syscall_stat *s = &stats[idx[k]];
			fprintf(o, "%s{\"syscall\":", k ? "," : "");
			json_str(o, syscall_table[idx[k]].name);
			fprintf(o, ",\"nr\":%d,\"calls\":%llu,\"errors\":%llu,\"total_ns\":%llu,"
				"\"worst_ns\":%llu}", idx[k], (unsigned long long)s->calls,
				(unsigned long long)s->errors, (unsigned long long)s->total_ns,
				(unsigned long long)s->worst_ns);
		}
		fputs("]\n", o);
		return;
	}
	static const char *rule = "------ ----------- ----------- --------- --------- --------- ----------------\n";
	fprintf(o, "%6s %11s %11s %9s %9s %9s %s\n", "% time", "seconds", "usecs/call", "calls",
		"errors", "worst us", "syscall");
	fputs(rule, o);
	for (int k = 0; k < n; k++) {
		const struct syscall_stat *s = &stats[idx[k]];
		double pct = total_ns ? 100.0 * s->total_ns / total_ns : 0;
		fprintf(o, "%6.2f %11.6f %11llu %9llu ", pct, s->total_ns / 1e9,
			(unsigned long long)(s->total_ns / 1000 / s->calls), (unsigned long long)s->calls);
		if (s->errors)
			fprintf(o, "%9llu", (unsigned long long)s->errors);
		else
			fprintf(o, "%9s", "");
		fprintf(o, " %9llu %s\n", (unsigned long long)(s->worst_ns / 1000),
			syscall_table[idx[k]].name);
	}
	fputs(rule, o);
	fprintf(o, "%6.2f %11.6f %11llu %9llu ", 100.0, total_ns / 1e9,
		(unsigned long long)(calls ? total_ns / 1000 / calls : 0), (unsigned long long)calls);
	if (errors)
		fprintf(o, "%9llu", (unsigned long long)errors);
	else
		fprintf(o, "%9s", "");
	fprintf(o, " %9llu total\n", (unsigned long long)(worst / 1000));
}

int syscall_ring_print(FILE *o, struct task *t, int n, const char *indent)
{
	const struct syscall_ring *r = &t->sysring;
	unsigned have = r->head < SYSCALL_RING_SIZE ? r->head : SYSCALL_RING_SIZE;
	if ((unsigned)n > have)
		n = (int)have;
	for (int i = 0; i < n; i++) {
		const struct syscall_ring_entry *e = &r->e[(r->head - n + i) % SYSCALL_RING_SIZE];
		struct sysargs a = { .nr = e->nr };
		memcpy(a.a, e->a, sizeof a.a);
		fputs(indent, o);
		strace_print_call(o, t, &a, e->ret, STRACE_NOMEM);
		strace_print_ret(o, NULL, &a, e->ret);
		fputc('\n', o);
	}
	return n;
}
