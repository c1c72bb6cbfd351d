/*
 * memcontrol.c - the controllers' files: memory (Linux's mm/memcontrol.c),
 * pids (kernel/cgroup/pids.c) and cpu (kernel/sched/core.c's cpu_files),
 * as cgroup-v2.rst describes them.
 *
 * Memory: guest pages live in the host stubs (DESIGN.md, decision 2), so
 * a cgroup is charged what the host counts resident in the address
 * spaces of its tasks (/proc/PID/statm of each stub: anonymous and file
 * pages; a page shared by two address spaces after fork counts in both,
 * and kernel memory is not counted).  umk sees no page fault, so
 * memory.max is enforced when a task of the cgroup grows its address
 * space (brk, mmap): over the limit, the MAP_DROPPABLE pages of the
 * cgroup's address spaces are dropped (each mm at its next syscall: only
 * a task of the mm can ask its stub), then the excess is charged to swap
 * while active swap areas and memory.swap.max leave room (umk cannot
 * page out: this stands for Linux's swapping), and past that the
 * cgroup's largest process gets SIGKILL (memory.events oom, oom_kill;
 * all of them with memory.oom.group).  memory.high is stored and counted
 * (memory.events high) but does not throttle; memory.min/low are stored.
 *
 * Pids: pids.max is enforced at fork and clone (cgroup.c's
 * cgroup_can_fork: EAGAIN, pids.events max).  Cpu: cpu.weight, cpu.max,
 * cpu.max.burst, cpu.idle are kept and read back (umk has no group
 * scheduler); cpu.stat sums the CPU time of the subtree's tasks, live
 * and exited.
 *
 * Lock: klock, held by every caller.
 */
#include "cgroup.h"
#include "../mm/mm.h"
#include "../kernel/task.h"
#include "../../tracer/platform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* ---- usage ---- */

struct mm_set {
	struct mm *mm[256];
	struct task *owner[256];
	int n;
};

static void add_mm(struct task *t, void *arg)
{
	struct mm_set *s = arg;
	if (!t->mm || !t->host)
		return;
	for (int i = 0; i < s->n; i++)
		if (s->mm[i] == t->mm)
			return;
	if (s->n < (int)ARRAY_SIZE(s->mm)) {
		s->mm[s->n] = t->mm;
		s->owner[s->n++] = t;
	}
}

/* Resident and shared (file) pages of t's stub, as the host counts them. */
static void stub_pages(struct task *t, uint64_t *res, uint64_t *shared)
{
	char path[64];
	unsigned long sz = 0, r = 0, sh = 0;
	*res = *shared = 0;
	if (!t->host || !platform || !platform->host_tid)
		return;
	snprintf(path, sizeof path, "/proc/%d/statm", platform->host_tid(t->host));
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	if (fscanf(f, "%lu %lu %lu", &sz, &r, &sh) == 3) {
		*res = r;
		*shared = sh;
	}
	fclose(f);
}

uint64_t mem_cgroup_usage(struct cgroup *cg, uint64_t *anon, uint64_t *file)
{
	struct mm_set s = { .n = 0 };
	uint64_t total = 0, a = 0, fl = 0;
	cgroup_for_each_task(cg, add_mm, &s);
	for (int i = 0; i < s.n; i++) {
		uint64_t r, sh;
		stub_pages(s.owner[i], &r, &sh);
		total += r * 4096;
		fl += sh * 4096;
		a += (r > sh ? r - sh : 0) * 4096;
	}
	if (anon)
		*anon = a;
	if (file)
		*file = fl;
	if (total > cg->mem_peak)
		cg->mem_peak = total;
	return total;
}

/* ---- enforcement ---- */

static bool has_droppable(struct mm *mm)
{
	struct list_head *p;
	cg_list_each(p, &mm->vmas) {
		struct vma *v = list_entry(p, struct vma, link);
		if (v->flags & VM_DROPPABLE_)
			return true;
	}
	return false;
}

void mem_cgroup_reclaim(struct task *t)
{
	struct mm *mm = t->mm;
	struct list_head *p;
	if (!mm || !t->host)
		return;
	mm->cg_reclaim = false;
	cg_list_each(p, &mm->vmas) {
		struct vma *v = list_entry(p, struct vma, link);
		if (v->flags & VM_DROPPABLE_)
			platform->madvise(t->host, v->start, v->end - v->start, MADV_DONTNEED);
	}
}

struct victim {
	struct task *t;
	uint64_t pages;
	struct mm_set seen;
};

static void pick_victim(struct task *t, void *arg)
{
	struct victim *v = arg;
	uint64_t r, sh;
	if (!t->tg || t->tg->oom_score_adj == -1000 || t->tg->group_exit || !t->mm)
		return;
	for (int i = 0; i < v->seen.n; i++)
		if (v->seen.mm[i] == t->mm)
			return;
	add_mm(t, &v->seen);
	stub_pages(t, &r, &sh);
	if (!v->t || r > v->pages) {
		v->t = t;
		v->pages = r;
	}
}

static void kill_task(struct task *t, void *arg)
{
	(void)arg;
	if (t->tg && t->tg->oom_score_adj != -1000)
		send_signal(t, SIGKILL, NULL, true);
}

/* memory.max of one cgroup: 0 once within it. */
static void enforce(struct task *t, struct cgroup *cg)
{
	uint64_t usage = mem_cgroup_usage(cg, NULL, NULL);
	if (cg->mem_high != CG_MAX && usage > (uint64_t)cg->mem_high)
		cg->ev_high++;
	if (usage <= (uint64_t)cg->mem_max) {
		cg->swap_current = 0;
		return;
	}
	cg->ev_max++;
	/* 1: what the kernel may drop */
	struct mm_set s = { .n = 0 };
	bool dropping = false;
	cgroup_for_each_task(cg, add_mm, &s);
	for (int i = 0; i < s.n; i++)
		if (has_droppable(s.mm[i]) && !s.mm[i]->cg_reclaim) {
			s.mm[i]->cg_reclaim = true;
			dropping = true;
			if (s.mm[i] == t->mm)
				mem_cgroup_reclaim(t);
		}
	if (dropping)
		return;
	/* 2: swap, while there is room */
	uint64_t excess = usage - (uint64_t)cg->mem_max, total = 0, free_pages = 0;
	swap_totals(&total, &free_pages);
	if (excess <= free_pages * 4096 && (cg->swap_max == CG_MAX || excess <= (uint64_t)cg->swap_max)) {
		cg->swap_current = excess;
		return;
	}
	if (total && cg->swap_max != CG_MAX && excess > (uint64_t)cg->swap_max) {
		cg->swap_ev_max++;
		cg->swap_ev_fail++;
	}
	/* 3: the OOM killer of the cgroup */
	cg->ev_oom++;
	if (cg->oom_group) {
		cgroup_for_each_task(cg, kill_task, NULL);
		cg->ev_oom_kill++;
		return;
	}
	struct victim v = { .t = NULL };
	cgroup_for_each_task(cg, pick_victim, &v);
	if (v.t) {
		send_signal(v.t, SIGKILL, NULL, true);
		cg->ev_oom_kill++;
	}
}

void mem_cgroup_check(struct task *t)
{
	if (!t->cgroup)
		return;
	for (struct cgroup *cg = t->cgroup; cg && cg->parent; cg = cg->parent)
		if (cg->mem_max != CG_MAX || cg->mem_high != CG_MAX)
			enforce(t, cg);
}

/* ---- memory files ---- */

static void show_current(struct task *t, struct cgroup *cg, struct cbuf *b)
{
	(void)t;
	cb_printf(b, "%llu\n", (unsigned long long)mem_cgroup_usage(cg, NULL, NULL));
}

static void show_peak(struct task *t, struct cgroup *cg, struct cbuf *b)
{
	(void)t;
	mem_cgroup_usage(cg, NULL, NULL);
	cb_printf(b, "%llu\n", (unsigned long long)cg->mem_peak);
}

static int write_peak(struct task *t, struct cgroup *cg, char *buf)
{
	(void)t, (void)buf;
	cg->mem_peak = 0;   /* any write resets the watermark (Linux 6.12's per-file reset, simplified) */
	return 0;
}

#define LIMIT_FILE(fname, field, bytes)                                                     \
	static void show_##fname(struct task *t, struct cgroup *cg, struct cbuf *b)          \
	{                                                                                   \
		(void)t;                                                                    \
		cg_show_max(b, cg->field);                                                  \
	}                                                                                   \
	static int write_##fname(struct task *t, struct cgroup *cg, char *buf)               \
	{                                                                                   \
		int64_t v;                                                                  \
		int err = cg_parse_max(buf, bytes, &v);                                     \
		if (err)                                                                    \
			return err;                                                         \
		if (bytes && v != CG_MAX)                                                   \
			v &= ~(int64_t)4095;   /* page_counter: whole pages */              \
		cg->field = v;                                                              \
		after_##fname(t, cg);                                                       \
		return 0;                                                                   \
	}

static void after_nothing(struct task *t, struct cgroup *cg)
{
	(void)t, (void)cg;
}
/* memory_max_write: a new limit is applied at once to what is charged */
static void after_max(struct task *t, struct cgroup *cg)
{
	if (cg->mem_max != CG_MAX && cg->parent)
		enforce(t, cg);
}
#define after_min after_nothing
#define after_low after_nothing
#define after_high after_nothing
#define after_swap_high after_nothing
#define after_swap_max after_nothing
#define after_pids_max after_nothing
LIMIT_FILE(min, mem_min, true)
LIMIT_FILE(low, mem_low, true)
LIMIT_FILE(high, mem_high, true)
LIMIT_FILE(max, mem_max, true)
LIMIT_FILE(swap_high, swap_high, true)
LIMIT_FILE(swap_max, swap_max, true)
LIMIT_FILE(pids_max, pids_max, false)

static void show_events(struct task *t, struct cgroup *cg, struct cbuf *b)
{
	(void)t;
	cb_printf(b, "low 0\nhigh %llu\nmax %llu\noom %llu\noom_kill %llu\noom_group_kill %llu\n",
		  (unsigned long long)cg->ev_high, (unsigned long long)cg->ev_max,
		  (unsigned long long)cg->ev_oom, (unsigned long long)cg->ev_oom_kill,
		  (unsigned long long)(cg->oom_group ? cg->ev_oom_kill : 0));
}

static void show_stat(struct task *t, struct cgroup *cg, struct cbuf *b)
{
	uint64_t anon = 0, file = 0;
	(void)t;
	mem_cgroup_usage(cg, &anon, &file);
	/* memory_stat_format's first keys: what umk can tell, the rest 0 */
	cb_printf(b, "anon %llu\nfile %llu\nkernel 0\nkernel_stack 0\npagetables 0\n"
		  "sec_pagetables 0\npercpu 0\nsock 0\nvmalloc 0\nshmem 0\nzswap 0\nzswapped 0\n"
		  "file_mapped %llu\nfile_dirty 0\nfile_writeback 0\nswapcached 0\nanon_thp 0\n"
		  "file_thp 0\nshmem_thp 0\ninactive_anon 0\nactive_anon %llu\ninactive_file 0\n"
		  "active_file %llu\nunevictable 0\nslab_reclaimable 0\nslab_unreclaimable 0\n"
		  "slab 0\npgfault 0\npgmajfault 0\noom_kill %llu\n",
		  (unsigned long long)anon, (unsigned long long)file, (unsigned long long)file,
		  (unsigned long long)anon, (unsigned long long)file,
		  (unsigned long long)cg->ev_oom_kill);
}

static void show_swap_current(struct task *t, struct cgroup *cg, struct cbuf *b)
{
	(void)t;
	cb_printf(b, "%llu\n", (unsigned long long)cg->swap_current);
}

static void show_swap_events(struct task *t, struct cgroup *cg, struct cbuf *b)
{
	(void)t;
	cb_printf(b, "high 0\nmax %llu\nfail %llu\n", (unsigned long long)cg->swap_ev_max,
		  (unsigned long long)cg->swap_ev_fail);
}

static void show_oom_group(struct task *t, struct cgroup *cg, struct cbuf *b)
{
	(void)t;
	cb_printf(b, "%d\n", cg->oom_group);
}

static int write_oom_group(struct task *t, struct cgroup *cg, char *buf)
{
	(void)t;
	if (strcmp(buf, "0") && strcmp(buf, "1"))
		return -EINVAL;
	cg->oom_group = buf[0] == '1';
	return 0;
}

/* ---- pids ---- */

static void show_pids_current(struct task *t, struct cgroup *cg, struct cbuf *b)
{
	(void)t;
	cb_printf(b, "%d\n", cg->nr_subtree_tasks);
}

static void show_pids_peak(struct task *t, struct cgroup *cg, struct cbuf *b)
{
	(void)t;
	cb_printf(b, "%llu\n", (unsigned long long)cg->pids_peak);
}

static void show_pids_events(struct task *t, struct cgroup *cg, struct cbuf *b)
{
	(void)t;
	cb_printf(b, "max %llu\n", (unsigned long long)cg->pids_ev_max);
}

/* ---- cpu ---- */

struct usage { int64_t u, s; };

static void add_usage(struct task *t, void *arg)
{
	struct usage *us = arg;
	int64_t u = 0, s = 0;
	task_cpu_times(t, &u, &s);
	us->u += u;
	us->s += s;
}

static void sum_exited(struct cgroup *cg, struct usage *us)
{
	struct list_head *p;
	us->u += cg->exited_utime_ns;
	us->s += cg->exited_stime_ns;
	cg_list_each(p, &cg->children)
		sum_exited(list_entry(p, struct cgroup, sibling), us);
}

static void show_cpu_stat(struct task *t, struct cgroup *cg, struct cbuf *b)
{
	struct usage us = { 0, 0 };
	(void)t;
	cgroup_for_each_task(cg, add_usage, &us);
	sum_exited(cg, &us);
	cb_printf(b, "usage_usec %lld\nuser_usec %lld\nsystem_usec %lld\n",
		  (long long)((us.u + us.s) / 1000), (long long)(us.u / 1000), (long long)(us.s / 1000));
	if (cg->parent && (cg->parent->subtree_control & (1u << CG_CPU)))
		cb_printf(b, "nr_periods 0\nnr_throttled 0\nthrottled_usec 0\nnr_bursts 0\nburst_usec 0\n");
}

/* nice <-> weight through sched_prio_to_weight (kernel/sched/core.c) */
static const int prio_to_weight[40] = {
	88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916,
	9548, 7620, 6100, 4904, 3906, 3121, 2501, 1991, 1586, 1277,
	1024, 820, 655, 526, 423, 335, 272, 215, 172, 137,
	110, 87, 70, 56, 45, 36, 29, 23, 18, 15,
};

/* cpu.weight: the group's shares (1024 for weight 100) as a weight,
 * DIV_ROUND_CLOSEST both ways (sched_weight_to/from_cgroup) */
static void show_weight(struct task *t, struct cgroup *cg, struct cbuf *b)
{
	(void)t;
	int64_t w = (cg->cpu_weight * 100 + 512) / 1024;
	cb_printf(b, "%lld\n", (long long)(w < 1 ? 1 : w > 10000 ? 10000 : w));
}

static int write_weight(struct task *t, struct cgroup *cg, char *buf)
{
	char *end;
	(void)t;
	if (!*buf || *buf == '-')
		return -EINVAL;   /* kstrtoull */
	unsigned long long v = strtoull(buf, &end, 0);
	if (*end)
		return -EINVAL;
	if (v < 1 || v > 10000)
		return -ERANGE;
	cg->cpu_weight = (int64_t)((v * 1024 + 50) / 100);
	return 0;
}

/* the nice whose weight is closest (cpu_weight_nice_read_s64) */
static void show_weight_nice(struct task *t, struct cgroup *cg, struct cbuf *b)
{
	int64_t last = INT64_MAX, d;
	int prio;
	(void)t;
	for (prio = 0; prio < 40; prio++) {
		d = prio_to_weight[prio] - cg->cpu_weight;
		if (d < 0)
			d = -d;
		if (d >= last)
			break;
		last = d;
	}
	cb_printf(b, "%d\n", prio - 1 - 20);
}

static int write_weight_nice(struct task *t, struct cgroup *cg, char *buf)
{
	char *end;
	long v = strtol(buf, &end, 0);
	(void)t;
	if (!*buf || *end)
		return -EINVAL;
	if (v < -20 || v > 19)
		return -ERANGE;
	cg->cpu_weight = prio_to_weight[v + 20];
	return 0;
}

static void show_cpu_max(struct task *t, struct cgroup *cg, struct cbuf *b)
{
	(void)t;
	if (cg->cpu_max_quota == CG_MAX)
		cb_printf(b, "max %lld\n", (long long)cg->cpu_max_period);
	else
		cb_printf(b, "%lld %lld\n", (long long)cg->cpu_max_quota, (long long)cg->cpu_max_period);
}

/* "$MAX [$PERIOD]" (cpu_max_write): period 1ms..1s, quota >= 1ms */
static int write_cpu_max(struct task *t, struct cgroup *cg, char *buf)
{
	char q[32] = "";
	long long period = cg->cpu_max_period;
	int64_t quota;
	(void)t;
	int n = sscanf(buf, "%31s %lld", q, &period);
	if (n < 1 || cg_parse_max(q, false, &quota))
		return -EINVAL;
	if (period < 1000 || period > 1000000)
		return -EINVAL;
	if (quota != CG_MAX && (quota < 1000 || quota > (1LL << 44)))
		return -EINVAL;
	cg->cpu_max_quota = quota;
	cg->cpu_max_period = period;
	return 0;
}

static void show_burst(struct task *t, struct cgroup *cg, struct cbuf *b)
{
	(void)t;
	cb_printf(b, "%lld\n", (long long)cg->cpu_max_burst);
}

static int write_burst(struct task *t, struct cgroup *cg, char *buf)
{
	char *end;
	long long v = strtoll(buf, &end, 10);
	(void)t;
	if (!*buf || *end || v < 0 || v > 1000000)
		return -EINVAL;
	cg->cpu_max_burst = v;
	return 0;
}

static void show_idle(struct task *t, struct cgroup *cg, struct cbuf *b)
{
	(void)t;
	cb_printf(b, "%lld\n", (long long)cg->cpu_idle);
}

static int write_idle(struct task *t, struct cgroup *cg, char *buf)
{
	(void)t;
	if (strcmp(buf, "0") && strcmp(buf, "1"))
		return -EINVAL;
	cg->cpu_idle = buf[0] == '1';
	return 0;
}

const struct cftype memcg_files[] = {
	{ "cpu.stat", -1, 0, show_cpu_stat, NULL },   /* a core file since Linux 4.15 */
	{ "cpu.idle", CG_CPU, CFT_NOT_ON_ROOT, show_idle, write_idle },
	{ "cpu.max", CG_CPU, CFT_NOT_ON_ROOT, show_cpu_max, write_cpu_max },
	{ "cpu.max.burst", CG_CPU, CFT_NOT_ON_ROOT, show_burst, write_burst },
	{ "cpu.weight", CG_CPU, CFT_NOT_ON_ROOT, show_weight, write_weight },
	{ "cpu.weight.nice", CG_CPU, CFT_NOT_ON_ROOT, show_weight_nice, write_weight_nice },
	{ "memory.current", CG_MEMORY, CFT_NOT_ON_ROOT, show_current, NULL },
	{ "memory.events", CG_MEMORY, CFT_NOT_ON_ROOT, show_events, NULL },
	{ "memory.events.local", CG_MEMORY, CFT_NOT_ON_ROOT, show_events, NULL },
	{ "memory.high", CG_MEMORY, CFT_NOT_ON_ROOT, show_high, write_high },
	{ "memory.low", CG_MEMORY, CFT_NOT_ON_ROOT, show_low, write_low },
	{ "memory.max", CG_MEMORY, CFT_NOT_ON_ROOT, show_max, write_max },
	{ "memory.min", CG_MEMORY, CFT_NOT_ON_ROOT, show_min, write_min },
	{ "memory.oom.group", CG_MEMORY, CFT_NOT_ON_ROOT, show_oom_group, write_oom_group },
	{ "memory.peak", CG_MEMORY, CFT_NOT_ON_ROOT, show_peak, write_peak },
	{ "memory.stat", CG_MEMORY, 0, show_stat, NULL },
	{ "memory.swap.current", CG_MEMORY, CFT_NOT_ON_ROOT, show_swap_current, NULL },
	{ "memory.swap.events", CG_MEMORY, CFT_NOT_ON_ROOT, show_swap_events, NULL },
	{ "memory.swap.high", CG_MEMORY, CFT_NOT_ON_ROOT, show_swap_high, write_swap_high },
	{ "memory.swap.max", CG_MEMORY, CFT_NOT_ON_ROOT, show_swap_max, write_swap_max },
	{ "pids.current", CG_PIDS, CFT_NOT_ON_ROOT, show_pids_current, NULL },
	{ "pids.events", CG_PIDS, CFT_NOT_ON_ROOT, show_pids_events, NULL },
	{ "pids.max", CG_PIDS, CFT_NOT_ON_ROOT, show_pids_max, write_pids_max },
	{ "pids.peak", CG_PIDS, CFT_NOT_ON_ROOT, show_pids_peak, NULL },
};
const size_t memcg_nfiles = ARRAY_SIZE(memcg_files);
