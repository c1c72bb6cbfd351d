/*
 * sched.c - the scheduler syscalls: CPU affinity, sched_yield, getcpu,
 * policies and priorities (accepted and reported, never applied: every
 * task is SCHED_OTHER to the host), membarrier.  Mirrors the interfaces
 * of Linux's kernel/sched/core.c and kernel/sched/membarrier.c.
 *
 * Lock: klock, held.
 */
#include "../kernel.h"
#include "task.h"
#include <unistd.h>

static int ncpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

/* cpus_online_mask - the host's online CPUs as a mask (the first 64). */
uint64_t cpus_online_mask(void)
{
	int n = ncpus();
	return n >= 64 ? ~0ULL : (1ULL << n) - 1;
}

/* The task pid names for the affinity calls (0: the caller), or NULL. */
static struct task *affinity_target(struct task *t, int pid)
{
	struct task *tk = pid ? find_task_by_vpid(t, pid) : t;
	return tk && tk->state != TASK_ZOMBIE && tk->state != TASK_DEAD ? tk : NULL;
}

/*
 * sched_getaffinity(pid, len, mask): the CPUs the thread may run on.
 * len must hold the kernel's mask (8 bytes here) and be a multiple of
 * sizeof(long): -EINVAL; -ESRCH; returns the bytes written (8).
 */
long sys_sched_getaffinity(struct task *t, struct sysargs *a)
{
	size_t len = a->a[1];
	if (len < 8 || (len & 7))
		return -EINVAL;
	struct task *tk = affinity_target(t, arg_int(a, 0));
	if (!tk)
		return -ESRCH;
	uint64_t mask = tk->cpus_allowed & cpus_online_mask();
	if (!mask)
		mask = cpus_online_mask();
	return copy_to_user(t, a->a[2], &mask, 8) ? -EFAULT : 8;
}

/*
 * sched_setaffinity(pid, len, mask): the thread (and its children,
 * which inherit it) runs on the CPUs of mask that are online: its kernel
 * thread and its stub thread are pinned there before it runs guest code
 * again (kernel/task.c affinity_apply).  -EINVAL if none of them is
 * online, -ESRCH, -EPERM (another user's thread without CAP_SYS_NICE),
 * -EFAULT.  Mirrors kernel/sched/core.c sched_setaffinity.
 */
long sys_sched_setaffinity(struct task *t, struct sysargs *a)
{
	struct task *tk = affinity_target(t, arg_int(a, 0));
	uint64_t mask = 0;
	size_t len = a->a[1] < 8 ? a->a[1] : 8;
	if (copy_from_user(t, &mask, a->a[2], len))
		return -EFAULT;
	if (!tk)
		return -ESRCH;
	if (tk->tg != t->tg && t->cred.euid != tk->cred.uid && t->cred.euid != tk->cred.euid &&
	    !ns_capable(t, tk->user_ns, CAP_SYS_NICE))
		return -EPERM;
	mask &= cpus_online_mask();
	if (!mask)
		return -EINVAL;
	tk->cpus_allowed = mask;
	tk->affinity_changed = true;
	if (tk != t)
		signal_wake(tk);   /* out of guest code: it re-pins itself */
	return 0;
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
	if (arg_int(a, 0) && !find_task_by_vpid(t, arg_int(a, 0)))
		return -ESRCH;
	return 0; /* SCHED_OTHER */
}

long sys_sched_getparam(struct task *t, struct sysargs *a)
{
	int prio = 0;
	if (arg_int(a, 0) < 0 || !a->a[1])
		return -EINVAL;
	if (arg_int(a, 0) && !find_task_by_vpid(t, arg_int(a, 0)))
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
	if (pid && !find_task_by_vpid(t, pid))
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
	if (pid && !find_task_by_vpid(t, pid))
		return -ESRCH;
	return prio ? -EINVAL : 0;   /* every task is SCHED_OTHER */
}

long sys_sched_rr_get_interval(struct task *t, struct sysargs *a)
{
	int pid = arg_int(a, 0);
	if (pid < 0)
		return -EINVAL;
	if (pid && !find_task_by_vpid(t, pid))
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
