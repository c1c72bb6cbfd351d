/*
 * posix_timers.c - POSIX interval timers: timer_create(2) and friends.
 *
 * In a nutshell: each timer belongs to a thread group and runs on a
 * kernel timer (ktimer.c).  On expiry it queues its signal (si_code
 * SI_TIMER) to the process or, for SIGEV_THREAD_ID, to one thread, and
 * re-arms itself if it has an interval, counting missed expiries as
 * overruns.  Timers die with their process and with execve.  Mirrors
 * kernel/time/posix-timers.c; deadlines are kept on CLOCK_MONOTONIC.
 * Timers on a CPU-time clock (CLOCK_PROCESS_CPUTIME_ID,
 * CLOCK_THREAD_CPUTIME_ID, clock_getcpuclockid's ids) keep their
 * expiry on that clock, read from the host (cputime.c), and their kernel
 * timer polls it: again when the expiry could be reached at the fastest
 * (the time left divided among the CPUs the threads may use, 1 to
 * 50 ms), as posix-cpu-timers.c checks them at each tick.
 *
 * Lock: klock guards every timer; ktimer callbacks run under it.
 */
#include "../kernel.h"
#include "task.h"
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NSEC 1000000000ULL
#define SIGEV_SIGNAL_ 0
#define SIGEV_NONE_ 1
#define SIGEV_THREAD_ 2
#define SIGEV_THREAD_ID_ 4
#define SI_TIMER_ (-2)

struct linux_sigevent {
	uint64_t value;
	int32_t signo;
	int32_t notify;
	int32_t tid;
	int32_t pad[11];
};

struct linux_itimerspec { struct linux_timespec interval, value; };

struct ptimer {
	struct list_head link;        /* all timers */
	struct ktimer kt;
	struct thread_group *tg;
	int id, clock, signo, notify, tid;
	uint64_t sigval;
	uint64_t interval;            /* ns, 0: one shot */
	uint64_t deadline;            /* CLOCK_MONOTONIC ns, 0: disarmed */
	int overrun;                  /* expiries missed since the signal was sent (it_overrun) */
	int last_overrun;             /* ... as of its delivery: timer_getoverrun's (it_overrun_last) */
	/* on a CPU-time clock: the task whose clock (global id), which
	 * clock, and the expiry on it (ns, 0: disarmed) */
	bool cpu, cpu_thread;
	int cpu_tid, cpu_which;
	uint64_t cpu_expires;
	bool abs_rt;                  /* absolute on a realtime clock: a set moves it */
};

static struct list_head ptimers = LIST_HEAD_INIT(ptimers);

static struct ptimer *find_timer(struct task *t, int id)
{
	struct list_head *p, *n;
	list_for_each_safe(p, n, &ptimers) {
		struct ptimer *pt = list_entry(p, struct ptimer, link);
		if (pt->tg == t->tg && pt->id == id)
			return pt;
	}
	return NULL;
}

static void ptimer_send(struct ptimer *pt);

#define PTIMER_MIN_REARM 100000ULL   /* ns */

/* Moves *expires (already one interval on) past now in whole intervals
 * and returns how many expiries that skipped: the overrun, capped at
 * INT_MAX as Linux's timer_overrun_to_int (CVE-2018-12896). */
static int expiries_missed(uint64_t *expires, uint64_t now, uint64_t interval)
{
	if (*expires > now)
		return 0;
	uint64_t missed = (now - *expires) / interval + 1;
	*expires += missed * interval;
	return missed > INT_MAX ? INT_MAX : (int)missed;
}

/* The timer's signal (or, SIGEV_NONE, none) is still queued, not yet
 * taken by the guest. */
static bool ptimer_signal_queued(struct ptimer *pt)
{
	if (pt->notify == SIGEV_NONE_ || !pt->signo)
		return false;
	struct task *target = pt->tg->leader;
	if (pt->notify == SIGEV_THREAD_ID_) {
		struct task *o = task_find(pt->tid);
		if (o && o->tg == pt->tg)
			target = o;
	}
	return (signal_pending_set(target) & SIGBIT(pt->signo)) != 0;
}

/* An expiry standing for missed more: a signal, or while the last one is
 * still queued, overruns added to the one it will report (Linux counts
 * them until the signal is taken), capped at INT_MAX.  The count becomes
 * timer_getoverrun's when the signal is taken (posix_timer_dequeued). */
static void ptimer_expire(struct ptimer *pt, int missed)
{
	if (ptimer_signal_queued(pt)) {
		int64_t o = (int64_t)pt->overrun + 1 + missed;
		pt->overrun = o > INT_MAX ? INT_MAX : (int)o;
		return;
	}
	pt->overrun = missed;
	ptimer_send(pt);
}

/*
 * posix_timer_dequeued - t takes a SI_TIMER signal (info, under klock):
 * its timer's overrun count so far becomes the one info and
 * timer_getoverrun report, until the next signal is taken (Linux's
 * posixtimer_rearm at dequeue_signal: it_overrun_last).  A signal whose
 * timer is gone, or of another signal number, is left as it is.
 */
void posix_timer_dequeued(struct task *t, linux_siginfo_t *info)
{
	struct ptimer *pt = find_timer(t, info->u.timer.tid);

	if (!pt || pt->signo != info->si_signo)
		return;
	pt->last_overrun = pt->overrun;
	pt->overrun = 0;
	info->u.timer.overrun = pt->last_overrun;
}

static void ptimer_fire(struct ktimer *kt)
{
	struct ptimer *pt = (struct ptimer *)((char *)kt - offsetof(struct ptimer, kt));
	uint64_t now = now_ns(CLOCK_MONOTONIC);
	int missed = 0;
	if (pt->interval) {
		pt->deadline += pt->interval;
		missed = expiries_missed(&pt->deadline, now, pt->interval);
		/* a tiny interval is not re-armed faster than the guest could
		 * take its signals (Linux re-arms at delivery); the missed
		 * expiries are counted from the clock all the same */
		uint64_t at = pt->deadline < now + PTIMER_MIN_REARM ? now + PTIMER_MIN_REARM : pt->deadline;
		ktimer_arm(&pt->kt, at, ptimer_fire);
	} else {
		pt->deadline = 0;
	}
	ptimer_expire(pt, missed);
}

/* The CPU time of a CPU timer's clock now, or -1 if its task is gone. */
static int64_t cpu_now(struct ptimer *pt)
{
	struct task *tk = task_find(pt->cpu_tid);
	if (!tk || tk->state == TASK_DEAD || (!pt->cpu_thread && tk->tg->group_exit))
		return -1;
	return cpu_clock_read(tk, pt->cpu_thread, pt->cpu_which);
}

/* Polls a CPU timer: fires it if its clock has passed the expiry. */
static void cpu_timer_poll(struct ktimer *kt)
{
	struct ptimer *pt = (struct ptimer *)((char *)kt - offsetof(struct ptimer, kt));
	int64_t now = cpu_now(pt);
	if (!pt->cpu_expires)
		return;
	if (now < 0) {
		pt->cpu_expires = 0;   /* its task is gone: it never fires */
		return;
	}
	if ((uint64_t)now >= pt->cpu_expires) {
		int missed = 0;
		if (pt->interval) {
			pt->cpu_expires += pt->interval;
			missed = expiries_missed(&pt->cpu_expires, (uint64_t)now, pt->interval);
		} else {
			pt->cpu_expires = 0;
		}
		ptimer_expire(pt, missed);
		if (!pt->cpu_expires)
			return;
	}
	/* CPU time grows at most as fast as the CPUs its threads run on */
	struct task *tk = task_find(pt->cpu_tid);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN), par = 1;
	if (tk && !pt->cpu_thread)
		par = tk->tg->nr_threads < ncpu ? tk->tg->nr_threads : ncpu;
	uint64_t wait = (pt->cpu_expires - (uint64_t)now) / (uint64_t)(par > 0 ? par : 1);
	if (wait < 1000000)
		wait = 1000000;
	if (wait > 50000000)
		wait = 50000000;
	ktimer_arm(&pt->kt, now_ns(CLOCK_MONOTONIC) + wait, cpu_timer_poll);
}

static void ptimer_send(struct ptimer *pt)
{
	if (pt->notify == SIGEV_NONE_)
		return;
	struct task *target = pt->tg->leader;
	bool group = true;
	if (pt->notify == SIGEV_THREAD_ID_) {
		struct task *o = task_find(pt->tid);
		if (o && o->tg == pt->tg) {
			target = o;
			group = false;
		}
	}
	linux_siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_signo = pt->signo;
	si.si_code = SI_TIMER_;
	si.u.timer.tid = pt->id;
	si.u.timer.overrun = pt->overrun;   /* made final when taken */
	si.u.timer.sigval = pt->sigval;
	send_signal(target, pt->signo, &si, group);
}

static void ptimer_free(struct ptimer *pt)
{
	ktimer_cancel(&pt->kt);
	list_del(&pt->link);
	free(pt);
}

/* posix_timers_exit - deletes every timer of thread group tg (process
 * exit, execve).  Mirrors exit_itimers(). */
void posix_timers_exit(struct thread_group *tg)
{
	struct list_head *p, *n;
	list_for_each_safe(p, n, &ptimers) {
		struct ptimer *pt = list_entry(p, struct ptimer, link);
		if (pt->tg == tg)
			ptimer_free(pt);
	}
}

static bool clock_ok(int clk)
{
	return clk == CLOCK_REALTIME || clk == CLOCK_MONOTONIC || clk == CLOCK_BOOTTIME ||
	       clk == CLOCK_REALTIME_ALARM || clk == CLOCK_BOOTTIME_ALARM || clk == CLOCK_TAI;
}

static bool realtime(int clk)
{
	return clk == CLOCK_REALTIME || clk == CLOCK_REALTIME_ALARM || clk == CLOCK_TAI;
}

long sys_timer_create(struct task *t, struct sysargs *a)
{
	int clk = arg_int(a, 0);
	struct task *ctk = NULL;
	bool cthread = false;
	int cwhich = 0;
	if (clk < 0 && (clk & 7) == 3) {
		return -EOPNOTSUPP;   /* an fd clock: no timers on those */
	} else if (is_cpu_clock(clk)) {
		if (cpu_clock_resolve(t, clk, &ctk, &cthread, &cwhich))
			return -EINVAL;
	} else if (clk == CLOCK_REALTIME_ALARM || clk == CLOCK_BOOTTIME_ALARM) {
		return -EOPNOTSUPP;   /* no RTC to wake the machine (alarm_timer_create) */
	} else if (!clock_ok(clk)) {
		return -EINVAL;
	}
	struct linux_sigevent ev = { .signo = SIGALRM, .notify = SIGEV_SIGNAL_ };
	bool have_ev = a->a[1] != 0;
	if (have_ev && copy_from_user(t, &ev, a->a[1], sizeof ev))
		return -EFAULT;
	switch (ev.notify) {
	case SIGEV_SIGNAL_:
	case SIGEV_THREAD_:   /* glibc turns SIGEV_THREAD into THREAD_ID itself */
	case SIGEV_NONE_:
		break;
	case SIGEV_THREAD_ID_: {
		struct task *o = find_task_by_vpid(t, ev.tid);
		if (!o || o->tg != t->tg)
			return -EINVAL;
		ev.tid = o->tid;   /* kept as the global id */
		break;
	}
	default:
		return -EINVAL;
	}
	if (ev.notify != SIGEV_NONE_ && (ev.signo < 1 || ev.signo > LINUX_NSIG))
		return -EINVAL;
	int id = 0;
	while (find_timer(t, id))
		id++;
	struct ptimer *pt = calloc(1, sizeof *pt);
	if (!pt)
		return -EAGAIN;
	pt->tg = t->tg;
	pt->id = id;
	pt->clock = clk;
	pt->signo = ev.signo;
	pt->notify = ev.notify == SIGEV_THREAD_ ? SIGEV_SIGNAL_ : ev.notify;
	pt->tid = ev.tid;
	pt->sigval = have_ev ? ev.value : (uint64_t)id;
	if (ctk) {
		pt->cpu = true;
		pt->cpu_thread = cthread;
		pt->cpu_which = cwhich;
		pt->cpu_tid = cthread ? ctk->tid : ctk->tg->leader->tid;
	}
	if (copy_to_user(t, a->a[2], &id, sizeof id)) {
		free(pt);
		return -EFAULT;
	}
	list_add_tail(&pt->link, &ptimers);
	return 0;
}

/*
 * posix_timers_each - calls fn for each POSIX timer of tg, newest first
 * (the order /proc/PID/timers lists them in, Linux's show_timer): its
 * id, signal, sigev_value, notify (SIGEV_SIGNAL, SIGEV_NONE or
 * SIGEV_THREAD_ID), the global id it signals (the thread's for
 * SIGEV_THREAD_ID, else the process's) and clock.
 */
void posix_timers_each(struct thread_group *tg, void (*fn)(void *arg, const struct ptimer_info *),
		       void *arg)
{
	for (struct list_head *p = ptimers.prev; p != &ptimers; p = p->prev) {
		struct ptimer *pt = list_entry(p, struct ptimer, link);
		struct ptimer_info in = { pt->id, pt->signo, pt->sigval, pt->notify,
					  pt->notify == SIGEV_THREAD_ID_ ? pt->tid : tg->tgid, pt->clock };

		if (pt->tg == tg)
			fn(arg, &in);
	}
}

static void ns_to_ts(uint64_t ns, struct linux_timespec *ts)
{
	ts->tv_sec = ns / NSEC;
	ts->tv_nsec = ns % NSEC;
}

static void get_value(struct ptimer *pt, struct linux_itimerspec *v)
{
	if (pt->cpu) {
		int64_t now = pt->cpu_expires ? cpu_now(pt) : 0;
		ns_to_ts(pt->interval, &v->interval);
		ns_to_ts(pt->cpu_expires && now >= 0 && (uint64_t)now < pt->cpu_expires ?
				 pt->cpu_expires - (uint64_t)now : 0, &v->value);
		if (pt->cpu_expires && (now < 0 || (uint64_t)now >= pt->cpu_expires))
			v->value.tv_nsec = 1;   /* due: still armed */
		return;
	}
	uint64_t now = now_ns(CLOCK_MONOTONIC);
	ns_to_ts(pt->interval, &v->interval);
	ns_to_ts(pt->deadline > now ? pt->deadline - now : 0, &v->value);
	if (pt->deadline && pt->deadline <= now)
		v->value.tv_nsec = 1; /* expiring now: still armed */
}

/*
 * sys_timer_settime - timer_settime(2): id, flags (TIMER_ABSTIME), new
 * value (required: -EINVAL if NULL, -EFAULT if unreadable), old value
 * (optional).  -EINVAL for an unknown timer or a bad timespec.  Checks
 * in Linux's order: the new value's pointer, the timer, the values.
 */
long sys_timer_settime(struct task *t, struct sysargs *a)
{
	int flags = arg_int(a, 1);
	struct linux_itimerspec nv, old;
	if (!a->a[2])
		return -EINVAL;
	if (copy_from_user(t, &nv, a->a[2], sizeof nv))
		return -EFAULT;
	struct ptimer *pt = find_timer(t, arg_int(a, 0));
	if (!pt)
		return -EINVAL;
	if (nv.value.tv_nsec < 0 || nv.value.tv_nsec >= (int64_t)NSEC || nv.value.tv_sec < 0 ||
	    nv.interval.tv_nsec < 0 || nv.interval.tv_nsec >= (int64_t)NSEC || nv.interval.tv_sec < 0)
		return -EINVAL;
	get_value(pt, &old);
	ktimer_cancel(&pt->kt);
	uint64_t v = nv.value.tv_sec * NSEC + nv.value.tv_nsec;
	pt->interval = nv.interval.tv_sec * NSEC + nv.interval.tv_nsec;
	pt->overrun = pt->last_overrun = 0;   /* common_timer_set */
	pt->abs_rt = v && (flags & TIMER_ABSTIME) && realtime(pt->clock);
	if (pt->cpu) {
		int64_t now = v ? cpu_now(pt) : 0;
		if (now < 0)
			return -ESRCH;
		pt->cpu_expires = !v ? 0 : (flags & TIMER_ABSTIME) ? v : (uint64_t)now + v;
		if (pt->cpu_expires)
			ktimer_arm(&pt->kt, 0, cpu_timer_poll);   /* looks at once */
	} else if (!v) {
		pt->deadline = 0;
	} else if (flags & TIMER_ABSTIME) {
		v = timens_to_host(t, pt->clock, v);   /* the caller's time namespace's time */
		uint64_t now = now_ns(pt->clock == CLOCK_TAI ? CLOCK_TAI :
				      realtime(pt->clock) ? CLOCK_REALTIME : CLOCK_MONOTONIC);
		uint64_t mono = now_ns(CLOCK_MONOTONIC);
		/* a time already past stays in the past: its missed
		 * expiries count as overruns */
		pt->deadline = v > now ? mono + (v - now) : now - v < mono ? mono - (now - v) : 1;
	} else {
		pt->deadline = now_ns(CLOCK_MONOTONIC) + v;
	}
	if (!pt->cpu && pt->deadline)
		ktimer_arm(&pt->kt, pt->deadline, ptimer_fire);
	if (a->a[3] && copy_to_user(t, a->a[3], &old, sizeof old))
		return -EFAULT;
	return 0;
}

long sys_timer_gettime(struct task *t, struct sysargs *a)
{
	struct ptimer *pt = find_timer(t, arg_int(a, 0));
	if (!pt)
		return -EINVAL;
	struct linux_itimerspec v;
	get_value(pt, &v);
	return copy_to_user(t, a->a[1], &v, sizeof v) ? -EFAULT : 0;
}

long sys_timer_getoverrun(struct task *t, struct sysargs *a)
{
	struct ptimer *pt = find_timer(t, arg_int(a, 0));
	return pt ? pt->last_overrun : -EINVAL;
}

long sys_timer_delete(struct task *t, struct sysargs *a)
{
	struct ptimer *pt = find_timer(t, arg_int(a, 0));
	if (!pt)
		return -EINVAL;
	ptimer_free(pt);
	return 0;
}

/*
 * posix_timers_clock_was_set - the guest's realtime moved by delta ns
 * (timekeeping.c, under klock): an armed absolute timer on a realtime
 * clock expires that much sooner or later on the monotonic clock
 * (Linux's hrtimers on the realtime base); relative ones stay.
 */
void posix_timers_clock_was_set(int64_t delta)
{
	uint64_t mono = now_ns(CLOCK_MONOTONIC);
	struct list_head *p, *n;

	list_for_each_safe(p, n, &ptimers) {
		struct ptimer *pt = list_entry(p, struct ptimer, link);
		int64_t d;

		if (!pt->abs_rt || !pt->deadline || pt->cpu)
			continue;
		d = (int64_t)pt->deadline - delta;
		pt->deadline = d > (int64_t)mono ? (uint64_t)d : mono;
		ktimer_arm(&pt->kt, pt->deadline, ptimer_fire);
	}
}
