/*
 * sys.c - system information and identity: uname, sethostname,
 * setdomainname, sysinfo, getrandom, getpriority/setpriority (Linux's
 * kernel/sys.c) and the I/O priority calls.
 *
 * uname reports the guest's own hostname; sysinfo counts guest tasks.
 *
 * Lock: klock, held.
 */
#include "../kernel.h"
#include "../mm/mm.h"
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

char guest_hostname[65] = "umk";        /* the initial UTS namespace's names */
char guest_domainname[65] = "(none)";

/* The caller's UTS namespace (kernel/nsproxy.c). */
static struct uts_namespace *uts(struct task *t)
{
	return t->nsproxy ? t->nsproxy->uts_ns : &init_uts_ns;
}

long sys_uname(struct task *t, struct sysargs *a)
{
	struct utsname h;
	uname(&h);
	struct linux_utsname u;
	memset(&u, 0, sizeof u);
	strcpy(u.sysname, "Linux");
	memcpy(u.nodename, uts(t)->nodename, sizeof u.nodename);
	memcpy(u.release, h.release, sizeof u.release);
	/* umk's own build string, as /proc/sys/kernel/version and /proc/version
	 * give it (the release stays the host's: glibc and others test it) */
	strcpy(u.version, "#1 SMP PREEMPT_DYNAMIC umk");
	strcpy(u.machine, "x86_64");
	memcpy(u.domainname, uts(t)->domainname, sizeof u.domainname);
	return copy_to_user(t, a->a[0], &u, sizeof u) ? -EFAULT : 0;
}

/* sethostname/setdomainname: CAP_SYS_ADMIN over the UTS namespace's owner. */
static long set_name(struct task *t, struct sysargs *a, char *dst)
{
	int len = arg_int(a, 1);
	if (!ns_capable(t, uts(t)->user_ns, CAP_SYS_ADMIN))
		return -EPERM;
	if (len < 0 || len > 64)
		return -EINVAL;
	char buf[65];
	if (copy_from_user(t, buf, a->a[0], len))
		return -EFAULT;
	buf[len] = 0;
	memcpy(dst, buf, len + 1);
	return 0;
}

long sys_sethostname(struct task *t, struct sysargs *a) { return set_name(t, a, uts(t)->nodename); }
long sys_setdomainname(struct task *t, struct sysargs *a) { return set_name(t, a, uts(t)->domainname); }

long sys_sysinfo(struct task *t, struct sysargs *a)
{
	struct sysinfo h;
	sysinfo(&h);
	struct linux_sysinfo s;
	memset(&s, 0, sizeof s);
	/* CLOCK_BOOTTIME in the caller's time namespace, a part second
	 * counting as one (do_sysinfo): the clock the guest reads (the
	 * host's, from its vDSO), which timens_offsets keeps >= 0 */
	int64_t up = (int64_t)now_ns(CLOCK_BOOTTIME) + timens_offset_ns(t, CLOCK_BOOTTIME);
	s.uptime = up <= 0 ? 0 : (up + 999999999) / 1000000000;
	for (int i = 0; i < 3; i++)
		s.loads[i] = h.loads[i];
	s.totalram = h.totalram;
	s.freeram = h.freeram;
	s.sharedram = h.sharedram;
	s.bufferram = h.bufferram;
	s.mem_unit = h.mem_unit;
	if (h.mem_unit) {
		uint64_t swap_total, swap_free;   /* the guest's swapon areas, not the host's */

		swap_totals(&swap_total, &swap_free);
		s.totalswap = swap_total * 4096 / h.mem_unit;
		s.freeswap = swap_free * 4096 / h.mem_unit;
	}
	if (vm_commit_limit && h.mem_unit) {
		/* --memory: the guest's RAM is its commit limit */
		uint64_t left = vm_commit_limit > vm_committed ? vm_commit_limit - vm_committed : 0;
		s.totalram = vm_commit_limit / h.mem_unit;
		s.sharedram = s.bufferram = 0;
		if (left / h.mem_unit < s.freeram)
			s.freeram = left / h.mem_unit;
	}
	int procs = 0;
	struct list_head *p, *n;
	list_for_each_safe(p, n, &all_tasks)
		if (list_entry(p, struct task, all)->state != TASK_ZOMBIE)
			procs++;
	s.procs = procs;
	return copy_to_user(t, a->a[0], &s, sizeof s) ? -EFAULT : 0;
}

long sys_getrandom(struct task *t, struct sysargs *a)
{
	unsigned flags = arg_uint(a, 2);
	if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((flags & GRND_INSECURE) && (flags & GRND_RANDOM))
		return -EINVAL;
	size_t len = a->a[1];
	if (len > 33554431)
		len = 33554431;
	char buf[4096];
	size_t done = 0;
	while (done < len) {
		size_t n = len - done < sizeof buf ? len - done : sizeof buf;
		if (getrandom(buf, n, 0) != (ssize_t)n)
			return done ? (long)done : -EIO;
		if (copy_to_user(t, a->a[0] + done, buf, n))
			return done ? (long)done : -EFAULT;
		done += n;
		if (done >= 256 && signal_pending(t))
			break;
	}
	return (long)done;
}

/* Does task o belong to the set getpriority/setpriority name? */
static bool prio_match(struct task *t, struct task *o, int which, int who)
{
	if (o->state == TASK_ZOMBIE || o->state == TASK_DEAD)
		return false;
	switch (which) {
	case PRIO_PROCESS: return who ? o->tid == who : o == t;
	case PRIO_PGRP: return o->tg->pgid == (who ? who : t->tg->pgid);
	case PRIO_USER: return o->cred.uid == (uint32_t)(who ? who : (int)t->cred.uid);
	}
	return false;
}

/* getpriority(2): 20 - the lowest nice value in the set, as the raw
 * syscall returns it (kernel/sys.c). */
long sys_getpriority(struct task *t, struct sysargs *a)
{
	int which = arg_int(a, 0), who = arg_int(a, 1);
	if (which < PRIO_PROCESS || which > PRIO_USER)
		return -EINVAL;
	long best = -ESRCH;
	struct list_head *p, *n;
	list_for_each_safe(p, n, &all_tasks) {
		struct task *o = list_entry(p, struct task, all);
		if (prio_match(t, o, which, who) && 20 - o->nice > best)
			best = 20 - o->nice;
	}
	return best;
}

/* setpriority(2): nice values clamp to [-20, 19]; lowering needs euid 0. */
long sys_setpriority(struct task *t, struct sysargs *a)
{
	int which = arg_int(a, 0), who = arg_int(a, 1), nice = arg_int(a, 2);
	if (which < PRIO_PROCESS || which > PRIO_USER)
		return -EINVAL;
	nice = nice < -20 ? -20 : nice > 19 ? 19 : nice;
	long err = -ESRCH;
	struct list_head *p, *n;
	list_for_each_safe(p, n, &all_tasks) {
		struct task *o = list_entry(p, struct task, all);
		if (!prio_match(t, o, which, who))
			continue;
		if (t->cred.euid != 0 && o->cred.uid != t->cred.euid && o->cred.euid != t->cred.euid) {
			err = -EPERM;
			continue;
		}
		if (nice < o->nice && t->cred.euid != 0) {
			err = -EACCES;
			continue;
		}
		o->nice = nice;
		err = 0;
	}
	return err;
}

/* ---- I/O priorities: kept per task and reported (block/ioprio.c);
 * umk's I/O has no scheduler to apply them to ---- */

#define IOPRIO_CLASS(p) (((p) >> 13) & 7)
#define IOPRIO_BE_NORM_VALUE ((2 << 13) | 4)

/* Which tasks an ioprio call names: IOPRIO_WHO_PROCESS (a thread, 0 the
 * caller), _PGRP (0: the caller's), _USER (0: the caller's uid). */
static bool ioprio_match(struct task *t, struct task *o, int which, int who)
{
	if (o->state == TASK_ZOMBIE || o->state == TASK_DEAD)
		return false;
	switch (which) {
	case 1: return who ? o == find_task_by_vpid(t, who) : o == t;
	case 2: return o->tg->pgid == (who ? who : t->tg->pgid);
	case 3: return o->cred.uid == (uint32_t)(who ? who : (int)t->cred.uid);
	}
	return false;
}

/* ioprio_best: a class NONE counts as best-effort level 4, lower wins */
static int ioprio_best(int a, int b)
{
	if (!IOPRIO_CLASS(a))
		a = IOPRIO_BE_NORM_VALUE;
	if (!IOPRIO_CLASS(b))
		b = IOPRIO_BE_NORM_VALUE;
	return a < b ? a : b;
}

/* ioprio_get(which, who): a task's priority (0, class NONE, until one
 * is set); the best of a group's or user's.  -EINVAL, -ESRCH. */
long sys_ioprio_get(struct task *t, struct sysargs *a)
{
	int which = arg_int(a, 0), who = arg_int(a, 1);
	long best = -ESRCH;
	struct list_head *p, *n;
	if (which < 1 || which > 3)
		return -EINVAL;
	list_for_each_safe(p, n, &all_tasks) {
		struct task *o = list_entry(p, struct task, all);
		if (!ioprio_match(t, o, which, who))
			continue;
		best = best == -ESRCH ? o->ioprio : ioprio_best((int)best, o->ioprio);
	}
	return best;
}

/* ioprio_set(which, who, ioprio): Linux's ioprio_check_cap (RT needs
 * CAP_SYS_NICE or CAP_SYS_ADMIN; BE and RT levels 0-7; NONE level 0),
 * then every task named, each the caller's own user's unless it has
 * CAP_SYS_NICE.  -EINVAL, -EPERM, -ESRCH. */
long sys_ioprio_set(struct task *t, struct sysargs *a)
{
	int which = arg_int(a, 0), who = arg_int(a, 1), prio = arg_int(a, 2);
	int cls = IOPRIO_CLASS(prio), level = prio & 7;
	long err = -ESRCH;
	struct list_head *p, *n;
	switch (cls) {
	case 1:
		if (!capable(t, CAP_SYS_NICE) && !capable(t, CAP_SYS_ADMIN))
			return -EPERM;
		/* fall through: RT has levels too */
	case 2:
		break;
	case 3:
		break;
	case 0:
		if (level)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (which < 1 || which > 3)
		return -EINVAL;
	list_for_each_safe(p, n, &all_tasks) {
		struct task *o = list_entry(p, struct task, all);
		if (!ioprio_match(t, o, which, who))
			continue;
		if (o->cred.uid != t->cred.euid && o->cred.uid != t->cred.uid && !capable(t, CAP_SYS_NICE))
			return -EPERM;
		o->ioprio = prio & 0xffff;
		err = 0;
	}
	return err;
}
