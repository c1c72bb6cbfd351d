/*
 * time.c - clocks, sleeps and interval timers.
 *
 * In a nutshell: clocks read the host's (the guest's CPU-time clocks read
 * the stub thread's host CPU clock).  Sleeps are task_sleep() with a
 * deadline and restart through restart_syscall as Linux does.  ITIMER_REAL
 * (and alarm) are served by one kernel timer (ktimer.c) that sends SIGALRM
 * when a thread group's deadline passes and re-arms for the next one.
 *
 * Lock: klock guards the itimer fields of every thread group; the ktimer
 * function runs under klock on the timer thread.
 */
#include "../kernel.h"
#include "task.h"
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>

#define NSEC 1000000000ULL
#define NR_restart_syscall 219


static uint64_t tv_to_ns(const struct linux_timeval *tv)
{
	return tv->tv_sec * NSEC + tv->tv_usec * 1000;
}

static void ns_to_tv(uint64_t ns, struct linux_timeval *tv)
{
	tv->tv_sec = ns / NSEC;
	tv->tv_usec = (ns % NSEC) / 1000;
}

static struct ktimer itimer_kt;

/*
 * The ITIMER_REAL timer (ktimer.c): sends SIGALRM to every thread group
 * whose deadline has passed, reloads interval timers, and re-arms itself
 * for the earliest deadline left.
 */
static void itimer_fire(struct ktimer *kt)
{
	uint64_t now = now_ns(CLOCK_MONOTONIC), next = 0;
	struct list_head *p, *n;

	(void)kt;
	list_for_each_safe(p, n, &all_tasks) {
		struct task *t = list_entry(p, struct task, all);
		struct thread_group *tg = t->tg;

		if (!tg || tg->leader != t || !tg->itimer_real_deadline || t->state == TASK_ZOMBIE)
			continue;
		if (tg->itimer_real_deadline <= now) {
			uint64_t iv = tv_to_ns(&tg->itimer_real.it_interval);
			linux_siginfo_t si;

			tg->itimer_real_deadline = iv ? now + iv : 0;
			siginfo_kill(&si, SIGALRM, -2 /* SI_TIMER... */, NULL);
			si.si_code = 0x80; /* SI_KERNEL, as for ITIMER_REAL */
			send_signal(t, SIGALRM, &si, true);
		}
		if (tg->itimer_real_deadline && (!next || tg->itimer_real_deadline < next))
			next = tg->itimer_real_deadline;
	}
	if (next)
		ktimer_arm(&itimer_kt, next, itimer_fire);
}

/* A deadline changed: recompute when the ITIMER_REAL timer must run. */
static void timer_kick(void)
{
	ktimer_arm(&itimer_kt, 0, itimer_fire);
}

static void itimer_get(struct thread_group *tg, struct linux_itimerval *out)
{
	*out = tg->itimer_real;
	uint64_t now = now_ns(CLOCK_MONOTONIC);
	if (tg->itimer_real_deadline > now)
		ns_to_tv(tg->itimer_real_deadline - now, &out->it_value);
	else
		out->it_value.tv_sec = out->it_value.tv_usec = 0;
}

long sys_getitimer(struct task *t, struct sysargs *a)
{
	int which = arg_int(a, 0);
	struct linux_itimerval v = { 0 };
	if (which == ITIMER_REAL)
		itimer_get(t->tg, &v);
	else if (which == ITIMER_VIRTUAL || which == ITIMER_PROF)
		cpu_itimer_get(t->tg, which, &v);   /* kernel/cputime.c */
	else
		return -EINVAL;
	return copy_to_user(t, a->a[1], &v, sizeof v) ? -EFAULT : 0;
}

long sys_setitimer(struct task *t, struct sysargs *a)
{
	int which = arg_int(a, 0);
	struct linux_itimerval nv, old = { 0 };
	if (which != ITIMER_REAL && which != ITIMER_VIRTUAL && which != ITIMER_PROF)
		return -EINVAL;
	if (a->a[1]) {
		if (copy_from_user(t, &nv, a->a[1], sizeof nv))
			return -EFAULT;
		if (nv.it_value.tv_usec < 0 || nv.it_value.tv_usec >= 1000000 ||
		    nv.it_interval.tv_usec < 0 || nv.it_interval.tv_usec >= 1000000 ||
		    nv.it_value.tv_sec < 0 || nv.it_interval.tv_sec < 0)
			return -EINVAL;
	} else {
		memset(&nv, 0, sizeof nv);
	}
	if (which != ITIMER_REAL) {
		/* CPU-time timers: the process's user (VIRTUAL) or user and
		 * system (PROF) time, kernel/cputime.c */
		cpu_itimer_get(t->tg, which, &old);
		cpu_itimer_set(t->tg, which, tv_to_ns(&nv.it_value), tv_to_ns(&nv.it_interval));
		return a->a[2] && copy_to_user(t, a->a[2], &old, sizeof old) ? -EFAULT : 0;
	}
	itimer_get(t->tg, &old);
	t->tg->itimer_real = nv;
	uint64_t v = tv_to_ns(&nv.it_value);
	t->tg->itimer_real_deadline = v ? now_ns(CLOCK_MONOTONIC) + v : 0;
	timer_kick();
	if (a->a[2] && copy_to_user(t, a->a[2], &old, sizeof old))
		return -EFAULT;
	return 0;
}

long sys_alarm(struct task *t, struct sysargs *a)
{
	struct linux_itimerval old;
	itimer_get(t->tg, &old);
	unsigned secs = arg_uint(a, 0);
	memset(&t->tg->itimer_real, 0, sizeof t->tg->itimer_real);
	t->tg->itimer_real.it_value.tv_sec = secs;
	t->tg->itimer_real_deadline = secs ? now_ns(CLOCK_MONOTONIC) + secs * NSEC : 0;
	timer_kick();
	long r = old.it_value.tv_sec;
	if (old.it_value.tv_usec >= 500000 || (!r && old.it_value.tv_usec))
		r++;
	return r;
}

/* Maps a guest clock id to a host one (the wall and monotonic clocks:
 * CPU-time clocks are cputime.c's).  -EINVAL for unknown clocks, and for
 * the alarm clocks: umk has no RTC to wake it, and Linux without one
 * refuses them so (alarm_clock_get_timespec; timer_create and
 * clock_nanosleep say EOPNOTSUPP). */
static int host_clock(struct task *t, int clk, clockid_t *out)
{
	(void)t;
	switch (clk) {
	case CLOCK_REALTIME: case CLOCK_MONOTONIC: case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE: case CLOCK_MONOTONIC_COARSE: case CLOCK_BOOTTIME:
	case CLOCK_TAI:
		*out = clk;
		return 0;
	}
	return -EINVAL;
}

/* clock_gettime(2): the host's clocks; CPU-time clocks of the caller or
 * (by the ids clock_getcpuclockid and pthread_getcpuclockid make) of
 * another process or of a thread of the caller's process. */
long sys_clock_gettime(struct task *t, struct sysargs *a)
{
	int clk = arg_int(a, 0);
	struct timespec ts;
	if (is_cpu_clock(clk)) {
		int64_t ns;
		int err = cpu_clock_get(t, clk, &ns);
		if (err)
			return err;
		ts.tv_sec = ns / (int64_t)NSEC;
		ts.tv_nsec = ns % (int64_t)NSEC;
	} else {
		clockid_t c;
		if (host_clock(t, clk, &c))
			return -EINVAL;
		if (clock_gettime(c, &ts))
			return -errno;
		/* the guest's wall clock (timekeeping.c), the caller's time
		 * namespace (time_namespace.c) */
		int64_t off = clock_offset_ns(clk) + timens_offset_ns(t, clk);
		if (off) {
			int64_t ns = ts.tv_sec * (int64_t)NSEC + ts.tv_nsec + off;
			ts.tv_sec = ns / (int64_t)NSEC;
			ts.tv_nsec = ns % (int64_t)NSEC;
		}
	}
	struct linux_timespec lt = { ts.tv_sec, ts.tv_nsec };
	return copy_to_user(t, a->a[1], &lt, sizeof lt) ? -EFAULT : 0;
}

long sys_clock_getres(struct task *t, struct sysargs *a)
{
	int clk = arg_int(a, 0);
	struct timespec ts = { 0, 1 };
	if (is_cpu_clock(clk)) {
		int64_t ns;
		if (cpu_clock_get(t, clk, &ns))   /* the id must name something */
			return -EINVAL;
	} else {
		clockid_t c;
		if (host_clock(t, clk, &c))
			return -EINVAL;
		if (clock_getres(c, &ts))
			return -errno;
	}
	struct linux_timespec lt = { ts.tv_sec, ts.tv_nsec };
	if (a->a[1] && copy_to_user(t, a->a[1], &lt, sizeof lt))
		return -EFAULT;
	return 0;
}

long sys_gettimeofday(struct task *t, struct sysargs *a)
{
	if (a->a[0]) {
		uint64_t ns = now_ns(CLOCK_REALTIME);
		struct linux_timeval tv = { ns / NSEC, ns % NSEC / 1000 };
		if (copy_to_user(t, a->a[0], &tv, sizeof tv))
			return -EFAULT;
	}
	if (a->a[1]) {
		int tz[2];
		guest_timezone(tz);
		if (copy_to_user(t, a->a[1], tz, sizeof tz))
			return -EFAULT;
	}
	return 0;
}

long sys_time(struct task *t, struct sysargs *a)
{
	int64_t now = (int64_t)(now_ns(CLOCK_REALTIME) / NSEC);   /* never behind a set */
	if (a->a[0] && copy_to_user(t, a->a[0], &now, sizeof now))
		return -EFAULT;
	return now;
}

/* Sleeps until deadline (ns on clock clk); the restart block keeps the
 * deadline so that a stop/continue does not restart the full interval. */
static long sleep_until(struct task *t, int clk, uint64_t deadline, uint64_t rem_ptr, bool abs)
{
	/* task_sleep measures CLOCK_MONOTONIC; convert a realtime deadline,
	 * again after each wake-up: a set of the guest's clock wakes an
	 * absolute realtime sleep (timekeeping.c) */
	bool rt = clk == CLOCK_REALTIME || clk == CLOCK_TAI;
	uint64_t mono = deadline;
	for (;;) {
		if (rt) {
			uint64_t now = now_ns(clk), mn = now_ns(CLOCK_MONOTONIC);
			mono = deadline > now ? mn + (deadline - now) : mn;
		}
		if (!mono)
			mono = 1;
		t->rt_abs_sleep = rt && abs;
		int r = task_sleep(t, mono, -1, 0);
		t->rt_abs_sleep = false;
		if (r == -ETIMEDOUT && (!rt || now_ns(clk) >= deadline))
			return 0;
		if (r == -EINTR)
			break;
	}
	if (abs)
		return -ERESTARTNOHAND;
	uint64_t now = now_ns(CLOCK_MONOTONIC);
	if (rem_ptr) {
		uint64_t left = mono > now ? mono - now : 0;
		struct linux_timespec ts = { left / NSEC, left % NSEC };
		if (copy_to_user(t, rem_ptr, &ts, sizeof ts))
			return -EFAULT;
	}
	t->restart_deadline = mono;
	t->restart_clock = CLOCK_MONOTONIC;
	return -ERESTART_RESTARTBLOCK;
}

static int read_ts(struct task *t, uint64_t p, uint64_t *ns)
{
	struct linux_timespec ts;
	if (copy_from_user(t, &ts, p, sizeof ts))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (int64_t)NSEC)
		return -EINVAL;
	*ns = ts.tv_sec * NSEC + ts.tv_nsec;
	return 0;
}

long sys_nanosleep(struct task *t, struct sysargs *a)
{
	uint64_t ns;
	int err = read_ts(t, a->a[0], &ns);
	if (err)
		return err;
	return sleep_until(t, CLOCK_MONOTONIC, now_ns(CLOCK_MONOTONIC) + ns, a->a[1], false);
}

long sys_clock_nanosleep(struct task *t, struct sysargs *a)
{
	int clk = arg_int(a, 0), flags = arg_int(a, 1);
	clockid_t hc;
	if (is_cpu_clock(clk)) {
		/* CLOCK_THREAD_CPUTIME_ID has no nsleep in Linux (EOPNOTSUPP),
		 * a dynamic thread clock gets EINVAL (posix_cpu_nsleep);
		 * sleeping on a process clock is not supported here */
		int64_t ns;
		if (clk == CLOCK_THREAD_CPUTIME_ID)
			return -EOPNOTSUPP;
		if ((clk < 0 && (clk & 4)) || cpu_clock_get(t, clk, &ns))
			return -EINVAL;
		return -EOPNOTSUPP;
	}
	if (clk == CLOCK_REALTIME_ALARM || clk == CLOCK_BOOTTIME_ALARM)
		return -EOPNOTSUPP;   /* no RTC (alarm_timer_nsleep) */
	if (host_clock(t, clk, &hc))
		return -EINVAL;
	uint64_t ns;
	int err = read_ts(t, a->a[2], &ns);
	if (err)
		return err;
	bool abs = flags & TIMER_ABSTIME;
	if (!abs)   /* a relative sleep is on the monotonic clock (a set does not move it) */
		return sleep_until(t, CLOCK_MONOTONIC, now_ns(CLOCK_MONOTONIC) + ns, a->a[3], false);
	/* a time of the caller's time namespace, on the host's clock */
	return sleep_until(t, clk, timens_to_host(t, clk, ns), 0, true);
}

long sys_restart_syscall(struct task *t, struct sysargs *a)
{
	(void)a;
	if (!t->restart_deadline)
		return -EINTR;
	uint64_t d = t->restart_deadline;
	t->restart_deadline = 0;
	return sleep_until(t, CLOCK_MONOTONIC, d, 0, false);
}

long sys_times(struct task *t, struct sysargs *a)
{
	int64_t u, s;
	process_cpu_times(t->tg, &u, &s);
	uint64_t tick = NSEC / 100;
	struct linux_tms tms = { u / tick, s / tick, t->tg->cutime_ns / tick, t->tg->cstime_ns / tick };
	if (a->a[0] && copy_to_user(t, a->a[0], &tms, sizeof tms))
		return -EFAULT;
	return (long)(now_ns(CLOCK_MONOTONIC) / tick);
}

/* getrusage(2): times, and what the host counted for the stub process or
 * thread (maxrss, faults, context switches: kernel/cputime.c). */
long sys_getrusage(struct task *t, struct sysargs *a)
{
	int who = arg_int(a, 0);
	int64_t u, s;
	struct host_rusage hr;
	if (who == RUSAGE_SELF) {
		process_cpu_times(t->tg, &u, &s);
		task_host_rusage(t, RU_PROCESS, &hr);
	} else if (who == RUSAGE_THREAD) {
		task_cpu_times(t, &u, &s);
		task_host_rusage(t, RU_THREAD, &hr);
	} else if (who == RUSAGE_CHILDREN) {
		u = t->tg->cutime_ns;
		s = t->tg->cstime_ns;
		hr = t->tg->ru_children;
	} else {
		return -EINVAL;
	}
	struct linux_rusage ru;
	memset(&ru, 0, sizeof ru);
	ru.ru_maxrss = hr.maxrss_kb;
	ru.ru_minflt = hr.minflt;
	ru.ru_majflt = hr.majflt;
	ru.ru_nvcsw = hr.nvcsw;
	ru.ru_nivcsw = hr.nivcsw;
	ru.ru_utime.tv_sec = u / NSEC;
	ru.ru_utime.tv_usec = (u % NSEC) / 1000;
	ru.ru_stime.tv_sec = s / NSEC;
	ru.ru_stime.tv_usec = (s % NSEC) / 1000;
	return copy_to_user(t, a->a[1], &ru, sizeof ru) ? -EFAULT : 0;
}
