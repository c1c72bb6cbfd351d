/*
 * time_namespace.c - time namespaces (CLONE_NEWTIME): per-namespace
 * offsets of CLOCK_MONOTONIC and CLOCK_BOOTTIME, and
 * /proc/PID/timens_offsets.
 *
 * In a nutshell (Linux's kernel/time/namespace.c): unshare(CLONE_NEWTIME)
 * makes a namespace for the caller's children (its
 * /proc/PID/ns/time_for_children); the caller stays where it is.  The new
 * namespace starts with its parent's offsets, and /proc/PID/timens_offsets
 * ("monotonic SECS NSECS", "boottime SECS NSECS") sets them until a task
 * enters it (a fork, setns(2) or execve(2)): then they are frozen
 * (EACCES).  A task in the namespace reads CLOCK_MONOTONIC, _RAW,
 * _COARSE and CLOCK_BOOTTIME(_ALARM) moved by the offset: clock_gettime
 * (time.c; its vDSO is patched into syscalls, mm/vdso.c, when the offsets
 * are not zero), sysinfo's and /proc/uptime's uptime, /proc/PID/stat's
 * start time; absolute deadlines it gives (clock_nanosleep,
 * timer_settime, timerfd_settime with TIMER_ABSTIME, futex waits) are
 * moved back to the host's clocks (timens_to_host).
 *
 * Lock: klock guards everything here.
 */
#include "../kernel.h"
#include "task.h"
#include "../mm/mm.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NSEC 1000000000LL
#define KTIME_SEC_MAX 9223372036LL    /* KTIME_MAX / NSEC_PER_SEC */
#define CAP_SYS_TIME 25

struct time_namespace init_time_ns = {
	.refs = 2,
	.user_ns = &init_user_ns,
	.inum = NS_INIT_INO_TIME,
	.frozen = true,               /* as Linux's: its offsets are zero for good */
};

struct time_namespace *get_time_ns(struct time_namespace *ns)
{
	if (ns)
		ns->refs++;
	return ns;
}

void put_time_ns(struct time_namespace *ns)
{
	if (ns && ns != &init_time_ns && --ns->refs == 0) {
		put_user_ns(ns->user_ns);
		free(ns);
	}
}

/* clone_time_ns - a new namespace owned by u with old's offsets, or NULL
 * (out of memory). */
struct time_namespace *clone_time_ns(struct time_namespace *old, struct user_namespace *u)
{
	struct time_namespace *ns = calloc(1, sizeof *ns);

	if (!ns)
		return NULL;
	ns->refs = 1;
	ns->user_ns = get_user_ns(u);
	ns->inum = ns_alloc_inum();
	ns->mono_sec = old->mono_sec;
	ns->mono_nsec = old->mono_nsec;
	ns->boot_sec = old->boot_sec;
	ns->boot_nsec = old->boot_nsec;
	return ns;
}

static bool timens_has_offsets(const struct time_namespace *ns)
{
	return ns->mono_sec || ns->mono_nsec || ns->boot_sec || ns->boot_nsec;
}

/*
 * timens_commit - t has entered ns (its nsproxy's time_ns is ns): the
 * offsets are frozen, and if they move a clock, t's vDSO clock calls
 * become syscalls (now if t has its host thread, else when it gets it:
 * vdso_patch_clocks_task).  Linux's timens_commit.
 */
void timens_commit(struct task *t, struct time_namespace *ns)
{
	ns->frozen = true;
	if (t->host && timens_has_offsets(ns))
		vdso_patch_clocks_task(t);
}

static const struct time_namespace *task_time_ns(const struct task *t)
{
	return t && t->nsproxy && t->nsproxy->time_ns ? t->nsproxy->time_ns : &init_time_ns;
}

/* timens_offset_ns - how far (ns) t's clock clk is ahead of the host's:
 * the monotonic offset for CLOCK_MONOTONIC, _RAW and _COARSE, the
 * boottime one for CLOCK_BOOTTIME and _ALARM, else 0. */
int64_t timens_offset_ns(const struct task *t, int clk)
{
	const struct time_namespace *ns = task_time_ns(t);

	switch (clk) {
	case CLOCK_MONOTONIC: case CLOCK_MONOTONIC_RAW: case CLOCK_MONOTONIC_COARSE:
		return ns->mono_sec * NSEC + ns->mono_nsec;
	case CLOCK_BOOTTIME: case CLOCK_BOOTTIME_ALARM:
		return ns->boot_sec * NSEC + ns->boot_nsec;
	}
	return 0;
}

/*
 * timens_to_host - an absolute time ns (ns, not 0) on t's clock clk as
 * the host's clock reads it (Linux's timens_ktime_to_host: only
 * CLOCK_MONOTONIC and CLOCK_BOOTTIME(_ALARM) move).  A time before the
 * host clock's zero becomes 1 (long past), never 0 (which means "none"
 * to the callers); one past the range saturates.
 */
uint64_t timens_to_host(const struct task *t, int clk, uint64_t ns)
{
	int64_t off;

	if (clk != CLOCK_MONOTONIC && clk != CLOCK_BOOTTIME && clk != CLOCK_BOOTTIME_ALARM)
		return ns;
	off = timens_offset_ns(t, clk);
	if (off > 0)
		return ns > (uint64_t)off ? ns - (uint64_t)off : 1;
	if (off < 0 && ns > (uint64_t)INT64_MAX + (uint64_t)off)
		return (uint64_t)INT64_MAX;
	return ns - (uint64_t)off;
}

/* The namespace tk's children are born in (timens_for_children_get). */
static struct time_namespace *for_children(struct task *tk)
{
	return tk->nsproxy ? tk->nsproxy->time_ns_for_children : NULL;
}

/* timens_show_offsets - /proc/PID/timens_offsets of tk into buf: the
 * offsets of the namespace its children are born in, as Linux's
 * proc_timens_show_offsets prints them.  Length, or -ESRCH. */
int timens_show_offsets(struct task *tk, char *buf, size_t len)
{
	struct time_namespace *ns = for_children(tk);

	if (!ns)
		return -ESRCH;
	return snprintf(buf, len, "%-10s %10lld %9lld\n%-10s %10lld %9lld\n", "monotonic",
			(long long)ns->mono_sec, (long long)ns->mono_nsec, "boottime",
			(long long)ns->boot_sec, (long long)ns->boot_nsec);
}

struct timens_offset { int clk; int64_t sec; uint64_t nsec; };

/*
 * timens_write_offsets - a write of text (n bytes) to tk's
 * /proc/PID/timens_offsets by writer: up to two lines "CLOCK SECS NSECS",
 * CLOCK "monotonic"/"1" or "boottime"/"7".  n, or -EINVAL (a page or
 * more, a malformed line, NSECS past a second), -ESRCH, -EPERM (no
 * CAP_SYS_TIME over the namespace's owner), -ERANGE (SECS past
 * KTIME_SEC_MAX, or the clock would read below zero or past half its
 * range), -EACCES (a task has entered the namespace).  Mirrors
 * fs/proc/base.c timens_offsets_write and proc_timens_set_offset.
 */
long timens_write_offsets(struct task *writer, struct task *tk, const char *text, size_t n)
{
	struct timens_offset offs[2];
	struct time_namespace *ns;
	char *kbuf, *pos, *next;
	int noffs = 0;
	long ret = -EINVAL;

	if (n >= 4096)
		return -EINVAL;
	kbuf = malloc(n + 1);
	if (!kbuf)
		return -ENOMEM;
	memcpy(kbuf, text, n);
	kbuf[n] = 0;
	for (pos = kbuf; pos; pos = next) {
		struct timens_offset *off = &offs[noffs];
		char clock[10];
		long long sec;
		unsigned long nsec;

		next = strchr(pos, '\n');
		if (next) {
			*next++ = 0;
			if (!*next)
				next = NULL;
		}
		/* the kernel's sscanf: no '+' for %lld, no sign at all for %lu */
		int at_sec = 0, at_nsec = 0;
		if (sscanf(pos, "%9s %n%lld %n%lu", clock, &at_sec, &sec, &at_nsec, &nsec) != 3 ||
		    pos[at_sec] == '+' || pos[at_nsec] < '0' || pos[at_nsec] > '9' ||
		    nsec >= (unsigned long)NSEC)
			goto out;
		if (!strcmp(clock, "monotonic") || !strcmp(clock, "1"))
			off->clk = CLOCK_MONOTONIC;
		else if (!strcmp(clock, "boottime") || !strcmp(clock, "7"))
			off->clk = CLOCK_BOOTTIME;
		else
			goto out;
		off->sec = sec;
		off->nsec = nsec;
		if (++noffs == 2) {
			if (next)
				n = (size_t)(next - kbuf);
			break;
		}
	}
	ret = -ESRCH;
	ns = for_children(tk);
	if (!ns)
		goto out;
	ret = -EPERM;
	if (!ns_capable(writer, ns->user_ns, CAP_SYS_TIME))
		goto out;
	for (int i = 0; i < noffs; i++) {
		struct timespec tp;
		int64_t s;

		clock_gettime(offs[i].clk, &tp);   /* the kernel's clock: the host's */
		ret = -ERANGE;
		if (offs[i].sec > KTIME_SEC_MAX || offs[i].sec < -KTIME_SEC_MAX)
			goto out;
		s = tp.tv_sec + offs[i].sec + (tp.tv_nsec + (int64_t)offs[i].nsec) / NSEC;
		if (s < 0 || s > KTIME_SEC_MAX / 2)
			goto out;
	}
	ret = -EACCES;
	if (ns->frozen)
		goto out;
	for (int i = 0; i < noffs; i++) {
		if (offs[i].clk == CLOCK_MONOTONIC) {
			ns->mono_sec = offs[i].sec;
			ns->mono_nsec = (int64_t)offs[i].nsec;
		} else {
			ns->boot_sec = offs[i].sec;
			ns->boot_nsec = (int64_t)offs[i].nsec;
		}
	}
	ret = (long)n;
out:
	free(kbuf);
	return ret;
}
