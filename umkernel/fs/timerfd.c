/*
 * timerfd.c - timerfd_create(2), timerfd_settime(2), timerfd_gettime(2):
 * timers that notify through a file.
 *
 * In a nutshell (Linux's fs/timerfd.c): a timer on CLOCK_REALTIME,
 * CLOCK_MONOTONIC or CLOCK_BOOTTIME (and their _ALARM forms) keeps an
 * absolute deadline on its own clock and an interval.  A kernel timer
 * (ktimer.c, CLOCK_MONOTONIC) is armed for the deadline converted to the
 * monotonic clock; when it fires the expirations that have passed are
 * added to a tick count (an interval timer moves its deadline on by
 * whole intervals, so late firing counts the overruns) and readers and
 * pollers are woken.  read returns the tick count as 8 bytes and zeroes
 * it, blocking while it is 0; poll reports POLLIN while it is not.
 * settime zeroes the count and returns the old setting.
 *
 * A set of the guest's wall clock (kernel/timekeeping.c) re-arms every
 * realtime timer for its absolute deadline (a relative one keeps its
 * place on the monotonic clock), and one set with TFD_TIMER_ABSTIME |
 * TFD_TIMER_CANCEL_ON_SET counts a tick and fails its next read with
 * ECANCELED (timerfd_clock_was_set).  Not done: TFD_IOC_SET_TICKS.
 *
 * Locking: everything runs under klock; the ktimer function runs under
 * klock on the timer thread; task_sleep drops klock while a reader waits.
 */
#include "../kernel.h"
#include "fs.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define NSEC               1000000000ULL
#define TFD_TIMER_ABSTIME_ 1
#define TFD_TIMER_CANCEL_ON_SET_ 2
#define TFD_CLOEXEC_       O_CLOEXEC
#define TFD_NONBLOCK_      O_NONBLOCK

struct timerfd {
	int clockid;                  /* the guest's clock id */
	int hostclock;                /* the clock read for it */
	uint64_t deadline;            /* next expiry on hostclock, ns; 0 = disarmed */
	uint64_t interval;            /* ns; 0 = one-shot */
	uint64_t ticks;               /* expirations not yet read */
	struct ktimer kt;
	struct wait_queue wq;
	/* settable clock: realtime timers are on rt_timers */
	struct list_head rt_link;
	bool abs, might_cancel, canceled;
};

static struct list_head rt_timers = LIST_HEAD_INIT(rt_timers);

struct linux_itimerspec {
	struct linux_timespec it_interval, it_value;
};

static struct timerfd *kt_to_timerfd(struct ktimer *kt)
{
	return (struct timerfd *)((char *)kt - offsetof(struct timerfd, kt));
}

static void tfd_fire(struct ktimer *kt);

/* Arms the ktimer for ctx->deadline, converted to CLOCK_MONOTONIC. */
static void tfd_arm(struct timerfd *ctx)
{
	uint64_t now = now_ns(ctx->hostclock), mono = now_ns(CLOCK_MONOTONIC);

	uint64_t left = ctx->deadline > now ? ctx->deadline - now : 0;

	ktimer_arm(&ctx->kt, left > UINT64_MAX / 2 - mono ? UINT64_MAX / 2 : mono + left, tfd_fire);
}

/*
 * Counts the expirations that have passed by now: an interval timer moves
 * on by whole intervals, a one-shot one disarms.  Returns whether any did.
 */
static bool tfd_update(struct timerfd *ctx)
{
	uint64_t now, n;

	if (!ctx->deadline)
		return false;
	now = now_ns(ctx->hostclock);
	if (now < ctx->deadline)
		return false;
	if (ctx->interval) {
		n = 1 + (now - ctx->deadline) / ctx->interval;
		ctx->deadline += n * ctx->interval;
	} else {
		n = 1;
		ctx->deadline = 0;
	}
	ctx->ticks += n;
	return true;
}

static void tfd_fire(struct ktimer *kt)
{
	struct timerfd *ctx = kt_to_timerfd(kt);

	if (tfd_update(ctx))
		wake_up(&ctx->wq);
	/* An interval timer with ticks unread is not re-armed here (Linux's
	 * timerfd_tmrproc: HRTIMER_NORESTART): the read that takes the ticks
	 * re-arms it and counts the intervals that passed meanwhile, so
	 * fast timers nobody reads cost nothing (stress-ng's 1024 timerfds
	 * at 1 MHz kept umk's timer thread busy for good). */
	if (ctx->deadline && !ctx->ticks)
		tfd_arm(ctx);
}

static ssize_t tfd_read(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	struct timerfd *ctx = f->priv;
	struct waiter w;
	uint64_t v;
	int err;

	(void)pos;
	if (n < sizeof(v))
		return -EINVAL;
	for (;;) {
		tfd_update(ctx);
		if (ctx->ticks)
			break;
		if ((f->flags & O_NONBLOCK) || !t)
			return -EAGAIN;
		waitq_add(&ctx->wq, &w, t);
		err = task_sleep(t, 0, -1, 0);
		waitq_del(&w);
		if (err == -EINTR)
			return -ERESTARTSYS;
	}
	if (ctx->canceled) {            /* the clock was set: timerfd_canceled */
		ctx->canceled = false;
		ctx->ticks = 0;
		if (ctx->deadline)
			tfd_arm(ctx);
		return -ECANCELED;
	}
	v = ctx->ticks;
	ctx->ticks = 0;
	if (ctx->deadline)
		tfd_arm(ctx);   /* timerfd_read's hrtimer_restart */
	memcpy(buf, &v, sizeof(v));
	return sizeof(v);
}

static short tfd_poll(struct file *f, struct poll_table *pt)
{
	struct timerfd *ctx = f->priv;

	poll_wait(pt, &ctx->wq);
	tfd_update(ctx);
	return ctx->ticks ? POLLIN | POLLRDNORM : 0;
}

static void tfd_release(struct file *f)
{
	struct timerfd *ctx = f->priv;

	ktimer_cancel(&ctx->kt);
	if (ctx->hostclock == CLOCK_REALTIME)
		list_del(&ctx->rt_link);
	free(ctx);
	f->priv = NULL;
}

static void tfd_get_setting(struct timerfd *ctx, struct linux_itimerspec *its);

/* timerfd_show: clock, expirations not read, the settime flags
 * (TFD_TIMER_ABSTIME 1, TFD_TIMER_CANCEL_ON_SET 2), time left and
 * interval as (seconds, nanoseconds) */
static int tfd_fdinfo(struct file *f, char *buf, size_t len)
{
	struct timerfd *ctx = f->priv;
	struct linux_itimerspec its;

	tfd_get_setting(ctx, &its);
	return snprintf(buf, len,
			"clockid: %d\nticks: %llu\nsettime flags: 0%o\nit_value: (%lld, %lld)\n"
			"it_interval: (%lld, %lld)\n",
			ctx->clockid, (unsigned long long)ctx->ticks,
			(ctx->abs ? 1 : 0) | (ctx->might_cancel ? 2 : 0),
			(long long)its.it_value.tv_sec, (long long)its.it_value.tv_nsec,
			(long long)its.it_interval.tv_sec, (long long)its.it_interval.tv_nsec);
}

static const struct file_ops timerfd_ops = {
	.show_fdinfo = tfd_fdinfo,
	.read = tfd_read,
	.poll = tfd_poll,
	.fstat = anon_inode_fstat,
	.release = tfd_release,
	.seekable = false,
};

/* The timerfd behind fd, referenced in *fp: -EBADF, -EINVAL if no timerfd. */
static int tfd_get(struct task *t, int fd, struct file **fp)
{
	struct file *f = fd_get(t, fd);

	if (!f)
		return -EBADF;
	if (f->ops != &timerfd_ops) {
		file_put(f);
		return -EINVAL;
	}
	*fp = f;
	return 0;
}

/* A timespec in ns, saturating far in the future (no overflow). */
static uint64_t ts_to_ns(const struct linux_timespec *ts)
{
	if ((uint64_t)ts->tv_sec >= UINT64_MAX / 4 / NSEC)
		return UINT64_MAX / 4;
	return ts->tv_sec * NSEC + ts->tv_nsec;
}

static void ns_to_ts(uint64_t ns, struct linux_timespec *ts)
{
	ts->tv_sec = ns / NSEC;
	ts->tv_nsec = ns % NSEC;
}

/* The current setting: time to the next expiry (0: disarmed), interval. */
static void tfd_get_setting(struct timerfd *ctx, struct linux_itimerspec *its)
{
	uint64_t now;

	memset(its, 0, sizeof(*its));
	tfd_update(ctx);
	if (ctx->deadline) {
		now = now_ns(ctx->hostclock);
		ns_to_ts(ctx->deadline > now ? ctx->deadline - now : 1, &its->it_value);
	}
	ns_to_ts(ctx->interval, &its->it_interval);
}

/*
 * sys_timerfd_create(clockid, flags) - clockid: CLOCK_REALTIME,
 * CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_REALTIME_ALARM,
 * CLOCK_BOOTTIME_ALARM (others -EINVAL); flags: TFD_CLOEXEC, TFD_NONBLOCK
 * (others -EINVAL).  The _ALARM clocks need CAP_WAKE_ALARM: -EPERM for
 * non-root.  Returns the fd, -EMFILE, -ENOMEM.
 */
long sys_timerfd_create(struct task *t, struct sysargs *a)
{
	int clockid = arg_int(a, 0), flags = arg_int(a, 1), host;
	struct timerfd *ctx;
	struct file *f;

	if (flags & ~(TFD_CLOEXEC_ | TFD_NONBLOCK_))
		return -EINVAL;
	switch (clockid) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_ALARM:
		host = CLOCK_REALTIME;
		break;
	case CLOCK_MONOTONIC:
		host = CLOCK_MONOTONIC;
		break;
	case CLOCK_BOOTTIME:
	case CLOCK_BOOTTIME_ALARM:
		host = CLOCK_BOOTTIME;
		break;
	default:
		return -EINVAL;
	}
	if ((clockid == CLOCK_REALTIME_ALARM || clockid == CLOCK_BOOTTIME_ALARM) && t->cred.euid)
		return -EPERM;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->clockid = clockid;
	ctx->hostclock = host;
	waitq_init(&ctx->wq);
	f = file_alloc(&timerfd_ops, O_RDWR | (flags & TFD_NONBLOCK_), "anon_inode:[timerfd]");
	if (!f) {
		free(ctx);
		return -ENOMEM;
	}
	f->priv = ctx;
	if (host == CLOCK_REALTIME)
		list_add_tail(&ctx->rt_link, &rt_timers);
	return fd_install(t, 0, f, flags & TFD_CLOEXEC_);
}

/*
 * sys_timerfd_settime(fd, flags, new, old) - arms (it_value non-zero:
 * relative, or absolute on the timer's clock with TFD_TIMER_ABSTIME) or
 * disarms the timer, with interval it_interval; zeroes the expiration
 * count; writes the previous setting to old if non-NULL.  flags:
 * TFD_TIMER_ABSTIME, TFD_TIMER_CANCEL_ON_SET (with TFD_TIMER_ABSTIME on a
 * realtime clock: a set of the clock cancels); others -EINVAL.
 * -EINVAL for a tv_nsec outside [0, 1e9) or a negative tv_sec, -EBADF,
 * -EINVAL if fd is no timerfd, -EFAULT.
 */
long sys_timerfd_settime(struct task *t, struct sysargs *a)
{
	int flags = arg_int(a, 1);
	struct linux_itimerspec nv, old;
	struct timerfd *ctx;
	struct file *f;
	uint64_t value;
	long r;

	if (flags & ~(TFD_TIMER_ABSTIME_ | TFD_TIMER_CANCEL_ON_SET_))
		return -EINVAL;
	if (copy_from_user(t, &nv, arg_ptr(a, 2), sizeof(nv)))
		return -EFAULT;
	if (nv.it_value.tv_sec < 0 || nv.it_value.tv_nsec < 0 || nv.it_value.tv_nsec >= (int64_t)NSEC ||
	    nv.it_interval.tv_sec < 0 || nv.it_interval.tv_nsec < 0 ||
	    nv.it_interval.tv_nsec >= (int64_t)NSEC)
		return -EINVAL;
	r = tfd_get(t, arg_int(a, 0), &f);
	if (r)
		return r;
	ctx = f->priv;
	tfd_get_setting(ctx, &old);
	ktimer_cancel(&ctx->kt);
	ctx->ticks = 0;
	ctx->abs = flags & TFD_TIMER_ABSTIME_;
	ctx->might_cancel = ctx->hostclock == CLOCK_REALTIME && ctx->abs &&
			    (flags & TFD_TIMER_CANCEL_ON_SET_);
	ctx->canceled = false;
	ctx->interval = ts_to_ns(&nv.it_interval);
	value = ts_to_ns(&nv.it_value);
	if (!value) {
		ctx->deadline = 0;
	} else {
		/* an absolute time is the caller's time namespace's (timerfd_setup) */
		ctx->deadline = (flags & TFD_TIMER_ABSTIME_) ? timens_to_host(t, ctx->clockid, value) :
							       now_ns(ctx->hostclock) + value;
		if (!ctx->deadline)
			ctx->deadline = 1;
		tfd_arm(ctx);
	}
	file_put(f);
	if (arg_ptr(a, 3) && copy_to_user(t, arg_ptr(a, 3), &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

/*
 * sys_timerfd_gettime(fd, cur) - the time left to the next expiry
 * (0 when disarmed) and the interval.  -EBADF, -EINVAL (no timerfd),
 * -EFAULT.
 */
long sys_timerfd_gettime(struct task *t, struct sysargs *a)
{
	struct linux_itimerspec cur;
	struct file *f;
	long r = tfd_get(t, arg_int(a, 0), &f);

	if (r)
		return r;
	tfd_get_setting(f->priv, &cur);
	file_put(f);
	return copy_to_user(t, arg_ptr(a, 1), &cur, sizeof(cur)) ? -EFAULT : 0;
}

/*
 * timerfd_clock_was_set - the guest's realtime moved by delta ns (under
 * klock): Linux's timerfd_clock_was_set and the realtime hrtimer base.
 * A relative timer keeps its expiry on the monotonic clock, an absolute
 * one is re-armed for its deadline, and one that may cancel counts a
 * tick (readers and pollers wake) and fails its next read.
 */
void timerfd_clock_was_set(int64_t delta)
{
	struct list_head *p, *n;

	list_for_each_safe(p, n, &rt_timers) {
		struct timerfd *ctx = list_entry(p, struct timerfd, rt_link);

		if (ctx->deadline && !ctx->abs)
			ctx->deadline += (uint64_t)delta;
		if (ctx->deadline)
			tfd_arm(ctx);
		if (ctx->might_cancel) {
			ctx->canceled = true;
			ctx->ticks++;
			wake_up(&ctx->wq);
		}
	}
}
