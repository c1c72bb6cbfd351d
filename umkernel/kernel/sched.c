/*
 * sched.c - the scheduler syscalls: CPU affinity, sched_yield, getcpu,
 * policies and priorities (accepted and reported, never applied: every
 * task is SCHED_OTHER to the host), membarrier.  Mirrors the interfaces
 * of Linux's kernel/sched/core.c and kernel/sched/membarrier.c.
 *
 * Lock: klock, held.
 */
#include "../kernel.h"
#include <unistd.h>

static int ncpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

long sys_sched_getaffinity(struct task *t, struct sysargs *a)
{
	size_t len = a->a[1];
	if (len < 8 || (len & 7))
		return -EINVAL;
	if (arg_int(a, 0) && !task_find(arg_int(a, 0)))
		return -ESRCH;
	uint64_t mask = ncpus() >= 64 ? ~0ULL : (1ULL << ncpus()) - 1;
	return copy_to_user(t, a->a[2], &mask, 8) ? -EFAULT : 8;
}

long sys_sched_setaffinity(struct task *t, struct sysargs *a)
{
	if (arg_int(a, 0) && !task_find(arg_int(a, 0)))
		return -ESRCH;
	uint64_t mask = 0;
	size_t len = a->a[1] < 8 ? a->a[1] : 8;
	if (copy_from_user(t, &mask, a->a[2], len))
		return -EFAULT;
	uint64_t all = ncpus() >= 64 ? ~0ULL : (1ULL << ncpus()) - 1;
	return (mask & all) ? 0 : -EINVAL;
}

long sys_sched_yield(struct task *t, struct sysargs *a)
{
	(void)t;
	(void)a;
	return 0;
}

long sys_getcpu(struct task *t, struct sysargs *a)
{
	unsigned cpu = t->cpu < 0 ? 0 : (unsigned)t->cpu, node = 0;
	if (a->a[0] && copy_to_user(t, a->a[0], &cpu, 4))
		return -EFAULT;
	if (a->a[1] && copy_to_user(t, a->a[1], &node, 4))
		return -EFAULT;
	return 0;
}

long sys_sched_getscheduler(struct task *t, struct sysargs *a)
{
	(void)t;
	if (arg_int(a, 0) < 0)
		return -EINVAL;
	if (arg_int(a, 0) && !task_find(arg_int(a, 0)))
		return -ESRCH;
	return 0; /* SCHED_OTHER */
}

long sys_sched_getparam(struct task *t, struct sysargs *a)
{
	int prio = 0;
	if (arg_int(a, 0) < 0 || !a->a[1])
		return -EINVAL;
	if (arg_int(a, 0) && !task_find(arg_int(a, 0)))
		return -ESRCH;
	return copy_to_user(t, a->a[1], &prio, 4) ? -EFAULT : 0;
}

long sys_sched_get_priority_max(struct task *t, struct sysargs *a)
{
	(void)t;
	int p = arg_int(a, 0);
	return p == 1 || p == 2 ? 99 : p == 0 || p == 3 || p == 5 ? 0 : -EINVAL;
}

long sys_sched_get_priority_min(struct task *t, struct sysargs *a)
{
	(void)t;
	int p = arg_int(a, 0);
	return p == 1 || p == 2 ? 1 : p == 0 || p == 3 || p == 5 ? 0 : -EINVAL;
}

/* ---- scheduling policy: accepted and reported, never applied ---- */

long sys_sched_setscheduler(struct task *t, struct sysargs *a)
{
	int pid = arg_int(a, 0), policy = arg_int(a, 1) & ~0x40000000; /* SCHED_RESET_ON_FORK */
	int prio;
	if (pid < 0 || !a->a[2])
		return -EINVAL;
	if (copy_from_user(t, &prio, a->a[2], 4))
		return -EFAULT;
	if (pid && !task_find(pid))
		return -ESRCH;
	switch (policy) {
	case 0: case 3: case 5:   /* SCHED_OTHER, SCHED_BATCH, SCHED_IDLE */
		return prio ? -EINVAL : 0;
	case 1: case 2:           /* SCHED_FIFO, SCHED_RR */
		if (prio < 1 || prio > 99)
			return -EINVAL;
		return t->cred.euid == 0 ? 0 : -EPERM;
	}
	return -EINVAL;
}

long sys_sched_setparam(struct task *t, struct sysargs *a)
{
	int pid = arg_int(a, 0), prio;
	if (pid < 0 || !a->a[1])
		return -EINVAL;
	if (copy_from_user(t, &prio, a->a[1], 4))
		return -EFAULT;
	if (pid && !task_find(pid))
		return -ESRCH;
	return prio ? -EINVAL : 0;   /* every task is SCHED_OTHER */
}

long sys_sched_rr_get_interval(struct task *t, struct sysargs *a)
{
	int pid = arg_int(a, 0);
	if (pid < 0)
		return -EINVAL;
	if (pid && !task_find(pid))
		return -ESRCH;
	struct linux_timespec ts = { 0, 100000000 }; /* 100 ms, Linux's RR slice */
	return copy_to_user(t, a->a[1], &ts, sizeof ts) ? -EFAULT : 0;
}

/* membarrier(2): MEMBARRIER_CMD_QUERY reports no supported command, so
 * callers fall back to their own fences; anything else EINVAL. */
long sys_membarrier(struct task *t, struct sysargs *a)
{
	(void)t;
	if (arg_int(a, 0) == 0 && arg_uint(a, 1) == 0)
		return 0;
	return -EINVAL;
}
