/*
 * sched.c - the scheduler syscalls: CPU affinity, sched_yield, getcpu,
 * policies, priorities and sched_attr (kept per task, inherited and
 * reported, never applied: every task is SCHED_OTHER to the host),
 * membarrier.  Mirrors the interfaces
 * of Linux's kernel/sched/core.c and kernel/sched/membarrier.c.
 *
 * Lock: klock, held.
 */
#include "../kernel.h"
#include "task.h"
#include "../mm/mm.h"
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The host's online CPUs.  glibc's sysconf reads /sys at every call
 * (an open, a read and a close: ~25 us here, twice per fork), so the
 * count is kept and read again at most once a second (hotplug is rare;
 * a second's lag is what a racing caller would see anyway). */
static int ncpus(void)
{
	static _Atomic int cached;
	static _Atomic uint64_t read_at;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	uint64_t now = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	int n = atomic_load_explicit(&cached, memory_order_relaxed);
	if (!n || now - atomic_load_explicit(&read_at, memory_order_relaxed) >= 1000000000ULL) {
		long r = sysconf(_SC_NPROCESSORS_ONLN);
		n = r > 0 ? (int)r : 1;
		atomic_store_explicit(&cached, n, memory_order_relaxed);
		atomic_store_explicit(&read_at, now, memory_order_relaxed);
	}
	return n;
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

long sys_sched_get_priority_max(struct task *t, struct sysargs *a)
{
	(void)t;
	int p = arg_int(a, 0);
	return p == 1 || p == 2 ? 99 : p == 0 || p == 3 || p == 5 || p == 6 ? 0 : -EINVAL;
}

long sys_sched_get_priority_min(struct task *t, struct sysargs *a)
{
	(void)t;
	int p = arg_int(a, 0);
	return p == 1 || p == 2 ? 1 : p == 0 || p == 3 || p == 5 || p == 6 ? 0 : -EINVAL;
}

/* ---- scheduling policies: kept and reported, never applied ---- */

#define SCHED_OTHER_    0
#define SCHED_FIFO_     1
#define SCHED_RR_       2
#define SCHED_BATCH_    3
#define SCHED_IDLE_     5
#define SCHED_DEADLINE_ 6
#define SCHED_RESET_ON_FORK_ 0x40000000
#define SF_RESET_ON_FORK  0x01
#define SF_RECLAIM        0x02
#define SF_DL_OVERRUN     0x04
#define SF_KEEP_POLICY    0x08
#define SF_KEEP_PARAMS    0x10
#define SF_UTIL_CLAMP_MIN 0x20
#define SF_UTIL_CLAMP_MAX 0x40
#define SF_ALL            0x7f
#define SCHED_ATTR_VER0   48
#define RLIMIT_RTPRIO_    14
#define RLIMIT_NICE_      13

/* struct sched_attr of <linux/sched/types.h> (SCHED_ATTR_SIZE_VER1) */
struct linux_sched_attr {
	uint32_t size, sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime, sched_deadline, sched_period;
	uint32_t sched_util_min, sched_util_max;
};
_Static_assert(sizeof(struct linux_sched_attr) == 56, "sched_attr VER1 is 56 bytes");

static bool rt_policy(int p) { return p == SCHED_FIFO_ || p == SCHED_RR_; }
static bool fair_policy(int p) { return p == SCHED_OTHER_ || p == SCHED_BATCH_ || p == SCHED_IDLE_; }

/* sched_fork: a child keeps its parent's policy, unless the parent asked
 * SCHED_RESET_ON_FORK: then RT and deadline become SCHED_OTHER and a
 * negative nice 0, and the flag is not inherited. */
void sched_fork(struct task *c, struct task *parent)
{
	c->sched_policy = parent->sched_policy;
	c->sched_priority = parent->sched_priority;
	c->dl_runtime = parent->dl_runtime;
	c->dl_deadline = parent->dl_deadline;
	c->dl_period = parent->dl_period;
	if (parent->sched_reset_on_fork) {
		if (!fair_policy(c->sched_policy)) {
			c->sched_policy = SCHED_OTHER_;
			c->sched_priority = 0;
		}
		if (c->nice < 0)
			c->nice = 0;
	}
	c->sched_reset_on_fork = false;
}

/* The task pid names (0: the caller): -EINVAL for a negative pid, -ESRCH. */
static long sched_target(struct task *t, int pid, struct task **out)
{
	if (pid < 0)
		return -EINVAL;
	*out = pid ? find_task_by_vpid(t, pid) : t;
	return *out ? 0 : -ESRCH;
}

/* Linux's __checkparam_dl: runtime <= deadline <= period, runtime at
 * least 1 us-ish (1 << DL_SCALE ns), no top bits. */
static bool dl_params_ok(const struct linux_sched_attr *at)
{
	uint64_t period = at->sched_period ? at->sched_period : at->sched_deadline;
	if (!at->sched_deadline || at->sched_runtime < 1024)
		return false;
	if ((at->sched_deadline | at->sched_period) & (1ULL << 63))
		return false;
	return period >= at->sched_deadline && at->sched_deadline >= at->sched_runtime;
}

/*
 * Linux's __sched_setscheduler (kernel/sched/syscalls.c) with the
 * attributes at: checks and permissions, then the task keeps them.  An
 * unprivileged caller (no CAP_SYS_NICE) may change only its own user's
 * tasks, an RT priority only within RLIMIT_RTPRIO, never SCHED_DEADLINE,
 * a nice value lower only within RLIMIT_NICE, and may not clear
 * SCHED_RESET_ON_FORK.  -EINVAL, -EPERM.
 */
static long set_sched(struct task *t, struct task *p, struct linux_sched_attr *at, bool user)
{
	int policy = (int)at->sched_policy;
	bool priv = capable(t, CAP_SYS_NICE);
	bool reset = at->sched_flags & SF_RESET_ON_FORK;

	if (at->sched_flags & SF_KEEP_POLICY)
		policy = p->sched_policy;
	if (policy != SCHED_OTHER_ && policy != SCHED_FIFO_ && policy != SCHED_RR_ &&
	    policy != SCHED_BATCH_ && policy != SCHED_IDLE_ && policy != SCHED_DEADLINE_)
		return -EINVAL;
	if (at->sched_flags & ~(uint64_t)SF_ALL)
		return -EINVAL;
	if (at->sched_priority > 99)
		return -EINVAL;
	if ((policy == SCHED_DEADLINE_ && !dl_params_ok(at)) ||
	    rt_policy(policy) != (at->sched_priority != 0))
		return -EINVAL;
	if (!priv) {
		if (fair_policy(policy) && user && at->sched_nice < p->nice &&
		    20 - at->sched_nice > (int)t->tg->rlim[RLIMIT_NICE_].rlim_cur)
			return -EPERM;
		if (rt_policy(policy)) {
			uint64_t lim = t->tg->rlim[RLIMIT_RTPRIO_].rlim_cur;
			if (policy != p->sched_policy && !lim)
				return -EPERM;
			if (at->sched_priority > p->sched_priority && at->sched_priority > lim)
				return -EPERM;
		}
		if (policy == SCHED_DEADLINE_)
			return -EPERM;
		if (p->cred.uid != t->cred.euid && p->cred.euid != t->cred.euid)
			return -EPERM;
		if (p->sched_reset_on_fork && !reset)
			return -EPERM;
	}
	/* utilization clamps: a kernel without CONFIG_UCLAMP_TASK */
	if (at->sched_flags & (SF_UTIL_CLAMP_MIN | SF_UTIL_CLAMP_MAX))
		return -EOPNOTSUPP;
	if (!(at->sched_flags & SF_KEEP_PARAMS)) {
		p->sched_policy = policy;
		p->sched_priority = rt_policy(policy) ? at->sched_priority : 0;
		if (policy == SCHED_DEADLINE_) {
			p->dl_runtime = at->sched_runtime;
			p->dl_deadline = at->sched_deadline;
			p->dl_period = at->sched_period ? at->sched_period : at->sched_deadline;
		}
		if (user && fair_policy(policy))
			p->nice = at->sched_nice;
	} else {
		p->sched_policy = policy;
	}
	p->sched_reset_on_fork = reset;
	return 0;
}

/* sched_setscheduler(pid, policy | SCHED_RESET_ON_FORK, param). */
long sys_sched_setscheduler(struct task *t, struct sysargs *a)
{
	int pid = arg_int(a, 0), policy = arg_int(a, 1);
	struct linux_sched_attr at = { 0 };
	struct task *p;
	int prio;
	if (policy < 0 || !a->a[2] || pid < 0)
		return -EINVAL;
	if (copy_from_user(t, &prio, a->a[2], 4))
		return -EFAULT;
	long err = sched_target(t, pid, &p);
	if (err)
		return err;
	at.sched_policy = policy & ~SCHED_RESET_ON_FORK_;
	at.sched_flags = policy & SCHED_RESET_ON_FORK_ ? SF_RESET_ON_FORK : 0;
	at.sched_priority = (uint32_t)prio;
	if (prio < 0)
		return -EINVAL;
	return set_sched(t, p, &at, false);
}

/* sched_setparam(pid, param): the priority within the current policy. */
long sys_sched_setparam(struct task *t, struct sysargs *a)
{
	int pid = arg_int(a, 0), prio;
	struct linux_sched_attr at = { 0 };
	struct task *p;
	if (!a->a[1] || pid < 0)
		return -EINVAL;
	if (copy_from_user(t, &prio, a->a[1], 4))
		return -EFAULT;
	long err = sched_target(t, pid, &p);
	if (err)
		return err;
	if (prio < 0)
		return -EINVAL;
	at.sched_policy = p->sched_policy;
	at.sched_flags = p->sched_reset_on_fork ? SF_RESET_ON_FORK : 0;
	at.sched_priority = (uint32_t)prio;
	if (p->sched_policy == SCHED_DEADLINE_) {
		at.sched_runtime = p->dl_runtime;
		at.sched_deadline = p->dl_deadline;
		at.sched_period = p->dl_period;
	}
	return set_sched(t, p, &at, false);
}

/* sched_getscheduler(pid): the policy, with SCHED_RESET_ON_FORK. */
long sys_sched_getscheduler(struct task *t, struct sysargs *a)
{
	struct task *p;
	long err = sched_target(t, arg_int(a, 0), &p);
	if (err)
		return err;
	return p->sched_policy | (p->sched_reset_on_fork ? SCHED_RESET_ON_FORK_ : 0);
}

/* sched_getparam(pid, param): the RT priority (0 for the others). */
long sys_sched_getparam(struct task *t, struct sysargs *a)
{
	struct task *p;
	if (!a->a[1] || arg_int(a, 0) < 0)
		return -EINVAL;
	long err = sched_target(t, arg_int(a, 0), &p);
	if (err)
		return err;
	int prio = (int)p->sched_priority;
	return copy_to_user(t, a->a[1], &prio, 4) ? -EFAULT : 0;
}

/*
 * sched_setattr(pid, attr, flags): struct sched_attr of any size from
 * SCHED_ATTR_SIZE_VER0 up (size 0: VER0); bytes past the ones known must
 * be zero (-E2BIG, with the size known written back), flags 0.
 */
long sys_sched_setattr(struct task *t, struct sysargs *a)
{
	int pid = arg_int(a, 0);
	uint64_t uattr = a->a[1];
	struct linux_sched_attr at;
	uint32_t size;
	struct task *p;
	if (!uattr || pid < 0 || arg_uint(a, 2))
		return -EINVAL;
	if (copy_from_user(t, &size, uattr, 4))
		return -EFAULT;
	if (!size)
		size = SCHED_ATTR_VER0;
	if (size < SCHED_ATTR_VER0 || size > 4096)
		goto too_big;
	memset(&at, 0, sizeof at);
	if (copy_from_user(t, &at, uattr, size < sizeof at ? size : sizeof at))
		return -EFAULT;
	for (uint32_t off = sizeof at; off < size; off++) {
		uint8_t b;
		if (copy_from_user(t, &b, uattr + off, 1))
			return -EFAULT;
		if (b)
			goto too_big;
	}
	if ((at.sched_flags & (SF_UTIL_CLAMP_MIN | SF_UTIL_CLAMP_MAX)) && size < sizeof at)
		return -EINVAL;
	at.sched_nice = at.sched_nice < -20 ? -20 : at.sched_nice > 19 ? 19 : at.sched_nice;
	if ((int)at.sched_policy < 0)
		return -EINVAL;
	long err = sched_target(t, pid, &p);
	if (err)
		return err;
	return set_sched(t, p, &at, true);
too_big:
	size = sizeof at;
	copy_to_user(t, uattr, &size, 4);
	return -E2BIG;
}

/* sched_getattr(pid, attr, size, flags): the attributes, as many bytes
 * of them as size asks (at least VER0), size field set to what was
 * written. */
long sys_sched_getattr(struct task *t, struct sysargs *a)
{
	int pid = arg_int(a, 0);
	uint32_t usize = arg_uint(a, 2);
	struct linux_sched_attr at;
	struct task *p;
	if (!a->a[1] || pid < 0 || usize > 4096 || usize < SCHED_ATTR_VER0 || arg_uint(a, 3))
		return -EINVAL;
	long err = sched_target(t, pid, &p);
	if (err)
		return err;
	memset(&at, 0, sizeof at);
	at.sched_policy = (uint32_t)p->sched_policy;
	at.sched_flags = p->sched_reset_on_fork ? SF_RESET_ON_FORK : 0;
	if (p->sched_policy == SCHED_DEADLINE_) {
		at.sched_runtime = p->dl_runtime;
		at.sched_deadline = p->dl_deadline;
		at.sched_period = p->dl_period;
	} else if (rt_policy(p->sched_policy)) {
		at.sched_priority = p->sched_priority;
	} else {
		at.sched_nice = p->nice;
	}
	at.size = usize < sizeof at ? usize : sizeof at;
	return copy_to_user(t, a->a[1], &at, at.size) ? -EFAULT : 0;
}

/* ---- /proc/sys/kernel/sched_rr_timeslice_ms, sched_rt_period_us,
 * sched_rt_runtime_us (Linux's kernel/sched/rt.c sched_rr_handler and
 * sched_rt_handler): kept, checked and read back; the RR slice is what
 * sched_rr_get_interval reports.  umk does not throttle real-time tasks
 * (the host schedules them all as SCHED_OTHER). */
#define UMK_HZ 100                    /* CONFIG_HZ in kernel/configs.c */
#define RR_TIMESLICE_MS 100           /* Linux's RR_TIMESLICE, 100 ms at any HZ */
static int sysctl_sched_rr_timeslice_ms = RR_TIMESLICE_MS;
static int sysctl_sched_rt_period_us = 1000000;
static int sysctl_sched_rt_runtime_us = 950000;

/*
 * sched_proc_read/write - the three files above by name relative to
 * /proc/sys ("kernel/sched_rt_period_us"...): "VALUE\n" in a malloc'd
 * *text; a write of one int.  The RR slice takes any int, 0 or less
 * restoring the default; the period is 1..INT_MAX; the runtime -1 (no
 * limit)..INT_MAX and not above the period (EINVAL, the old values
 * kept).  -ENOENT (another name), -EINVAL, -ENOMEM.
 */
int sched_proc_read(struct task *t, const char *name, char **text)
{
	int v;

	(void)t;
	if (!strcmp(name, "kernel/sched_rr_timeslice_ms"))
		v = sysctl_sched_rr_timeslice_ms;
	else if (!strcmp(name, "kernel/sched_rt_period_us"))
		v = sysctl_sched_rt_period_us;
	else if (!strcmp(name, "kernel/sched_rt_runtime_us"))
		v = sysctl_sched_rt_runtime_us;
	else
		return -ENOENT;
	return asprintf(text, "%d\n", v) < 0 ? -ENOMEM : 0;
}

int sched_proc_write(struct task *t, const char *name, const char *buf, size_t n)
{
	int v, got, err = sysctl_parse_intvec(buf, n, 1, &v, &got);
	int period = sysctl_sched_rt_period_us, runtime = sysctl_sched_rt_runtime_us;

	(void)t;
	if (!strcmp(name, "kernel/sched_rr_timeslice_ms")) {
		if (!err)
			sysctl_sched_rr_timeslice_ms = v <= 0 ? RR_TIMESLICE_MS : v;
		return err;
	}
	if (!strcmp(name, "kernel/sched_rt_period_us")) {
		if (!err && v < 1)
			err = -EINVAL;
		period = v;
	} else if (!strcmp(name, "kernel/sched_rt_runtime_us")) {
		if (!err && v < -1)
			err = -EINVAL;
		runtime = v;
	} else {
		return -ENOENT;
	}
	if (err)
		return err;
	if (runtime != -1 && runtime > period)
		return -EINVAL;   /* sched_rt_global_validate */
	sysctl_sched_rt_period_us = period;
	sysctl_sched_rt_runtime_us = runtime;
	return 0;
}

/* sched_rr_get_interval(pid, tp): the RR slice for a SCHED_RR task (the
 * sysctl in whole jiffies, as msecs_to_jiffies rounds it up), 0 for the
 * rest: FIFO has no slice and a fair task's is shorter than a jiffy
 * (Linux's get_rr_interval_rt/_fair).  -EINVAL (pid < 0), -ESRCH, -EFAULT. */
long sys_sched_rr_get_interval(struct task *t, struct sysargs *a)
{
	int pid = arg_int(a, 0);
	struct task *p = t;
	if (pid < 0)
		return -EINVAL;
	if (pid && !(p = find_task_by_vpid(t, pid)))
		return -ESRCH;
	struct linux_timespec ts = { 0, 0 };
	if (p->sched_policy == 2 /* SCHED_RR */) {
		uint64_t jiffies = ((uint64_t)sysctl_sched_rr_timeslice_ms * UMK_HZ + 999) / 1000;
		uint64_t ns = jiffies * (1000000000ULL / UMK_HZ);
		ts.tv_sec = (int64_t)(ns / 1000000000ULL);
		ts.tv_nsec = (int64_t)(ns % 1000000000ULL);
	}
	return copy_to_user(t, a->a[1], &ts, sizeof ts) ? -EFAULT : 0;
}

/* membarrier(2) commands (include/uapi/linux/membarrier.h) */
#define MB_QUERY_                     0
#define MB_GLOBAL_                    (1 << 0)
#define MB_GLOBAL_EXPEDITED_          (1 << 1)
#define MB_REGISTER_GLOBAL_EXPEDITED_ (1 << 2)
#define MB_PRIVATE_EXPEDITED_         (1 << 3)
#define MB_REGISTER_PRIVATE_EXPEDITED_ (1 << 4)
#define MB_PRIVATE_SYNC_CORE_         (1 << 5)
#define MB_REGISTER_PRIVATE_SYNC_CORE_ (1 << 6)
#define MB_GET_REGISTRATIONS_         (1 << 9)
#define MB_SUPPORTED_ (MB_GLOBAL_ | MB_GLOBAL_EXPEDITED_ | MB_REGISTER_GLOBAL_EXPEDITED_ | \
		       MB_PRIVATE_EXPEDITED_ | MB_REGISTER_PRIVATE_EXPEDITED_ | \
		       MB_PRIVATE_SYNC_CORE_ | MB_REGISTER_PRIVATE_SYNC_CORE_ | MB_GET_REGISTRATIONS_)

/* The barrier itself: the guest's threads run in host processes on any
 * host CPU, so the host's global barrier (every running thread passes a
 * full barrier, synchronize_rcu) is what orders them; without it, a
 * full fence here is all umk can give. */
static void membarrier_host(void)
{
	if (syscall(SYS_membarrier, MB_GLOBAL_, 0, 0) < 0)
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/*
 * membarrier(cmd, flags, cpu_id) - kernel/sched/membarrier.c: QUERY gives
 * the commands offered (no RSEQ ones: umk has no rseq); GLOBAL and
 * GLOBAL_EXPEDITED always work; PRIVATE_EXPEDITED(_SYNC_CORE) need the
 * mm's registration first (-EPERM); GET_REGISTRATIONS gives the REGISTER_*
 * bits the mm holds.  flags must be 0 (-EINVAL), as must an unknown cmd.
 */
long sys_membarrier(struct task *t, struct sysargs *a)
{
	int cmd = arg_int(a, 0);
	if (arg_uint(a, 1))
		return -EINVAL;
	int *reg = &t->mm->membarrier_registered;
	switch (cmd) {
	case MB_QUERY_:
		return MB_SUPPORTED_;
	case MB_GLOBAL_:
	case MB_GLOBAL_EXPEDITED_:
		membarrier_host();
		return 0;
	case MB_REGISTER_GLOBAL_EXPEDITED_:
	case MB_REGISTER_PRIVATE_EXPEDITED_:
	case MB_REGISTER_PRIVATE_SYNC_CORE_:
		*reg |= cmd;
		return 0;
	case MB_PRIVATE_EXPEDITED_:
	case MB_PRIVATE_SYNC_CORE_:
		if (!(*reg & (cmd << 1)))
			return -EPERM;
		membarrier_host();
		return 0;
	case MB_GET_REGISTRATIONS_:
		return *reg;
	}
	return -EINVAL;
}

/* ---- autogroups (kernel.h) ---- */

static long autogroup_seq;

struct autogroup *autogroup_new(void)
{
	struct autogroup *ag = calloc(1, sizeof(*ag));

	if (ag) {
		ag->refs = 1;
		ag->id = ++autogroup_seq;
	}
	return ag;
}

struct autogroup *autogroup_get(struct autogroup *ag)
{
	if (ag)
		ag->refs++;
	return ag;
}

void autogroup_put(struct autogroup *ag)
{
	if (ag && --ag->refs == 0)
		free(ag);
}
