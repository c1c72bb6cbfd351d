/*
 * poll.c - readiness: poll(2), ppoll(2), select(2), pselect6(2), and the
 * poll_table that files' poll ops register their wait queues in.
 *
 * In a nutshell (Linux's fs/select.c): scan every file, asking its poll
 * op for the ready mask and, on the first scan that finds nothing ready,
 * letting it register a waiter on its wait queues (poll_wait) or name a
 * host fd to watch (poll_wait_host).  If nothing is ready, sleep in
 * task_sleep until a wake-up, the host fd, a signal or the deadline, then
 * unregister everything and scan again.  The files scanned are held
 * (fd_get references) until their waiters are unregistered, so a close by
 * another thread cannot free a wait queue we sit on.  Only one host fd can
 * be slept on; when more are named, or more than 64 wait queues, the
 * sleep is cut to POLL_RESCAN_NS and the scan repeated.
 *
 * Locking: everything runs under klock, held by the caller; task_sleep
 * drops it while the task waits.
 */
#include "../kernel.h"
#include "fs.h"

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define DEFAULT_POLLMASK (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)
#define POLLIN_SET       (POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR)
#define POLLOUT_SET      (POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR)
#define POLLEX_SET       (POLLPRI)
#define POLL_RESCAN_NS   10000000LL     /* 10 ms */
#define NSEC_PER_SEC     1000000000LL
#define STICKY_TIMEOUTS  0x4000000      /* personality(2) flag */

/*
 * Deadlines are CLOCK_MONOTONIC ns: NO_TIMEOUT waits forever, 0 means
 * "do not wait" (a zero timeout), anything else is the absolute end.
 */
#define NO_TIMEOUT (-1LL)

/* Per kernel thread (one task each): state of the scan in progress. */
static __thread bool pt_partial;        /* a wait was not registered: rescan soon */
static __thread short pt_want;          /* events asked of the file being polled */

/*
 * poll_wait - called by a file's poll op: wake pt's task when wq is woken.
 * pt NULL (no waiting wanted) is a no-op.
 */
void poll_wait(struct poll_table *pt, struct wait_queue *wq)
{
	if (!pt)
		return;
	if (pt->n >= (int)ARRAY_SIZE(pt->w)) {
		pt_partial = true;
		return;
	}
	if (pt->func)
		waitq_add_func(wq, &pt->w[pt->n], pt->func, pt->func_data);
	else
		waitq_add(wq, &pt->w[pt->n], pt->task);
	pt->w[pt->n++].exclusive = pt->exclusive;
}

/*
 * poll_wait_host - called by a file's poll op for a file backed by host fd
 * hostfd: wake pt's task when it has events.  Events are narrowed to those
 * the caller of poll asked about (a terminal is always writable; a reader
 * must not be woken for that).  Only one host fd is slept on; any other
 * makes the sleep short so it gets re-scanned.
 */
void poll_wait_host(struct poll_table *pt, int hostfd, short events)
{
	if (!pt)
		return;
	events &= pt_want;
	if (pt->hostfd < 0 || pt->hostfd == hostfd) {
		pt->hostfd = hostfd;
		pt->hostevents |= events;
	} else {
		pt_partial = true;
	}
}

static void pt_init(struct poll_table *pt, struct task *t)
{
	pt->task = t;
	pt->func = NULL;
	pt->func_data = NULL;
	pt->exclusive = false;
	pt->n = 0;
	pt->hostfd = -1;
	pt->hostevents = 0;
	pt_partial = false;
}

static void pt_release(struct poll_table *pt)
{
	for (int i = 0; i < pt->n; i++)
		waitq_del(&pt->w[i]);
	pt->n = 0;
	pt->hostfd = -1;
	pt->hostevents = 0;
}

static short file_poll(struct file *f, struct poll_table *pt, short want)
{
	pt_want = want;
	return f->ops->poll ? f->ops->poll(f, pt) : DEFAULT_POLLMASK;
}

static void put_held(struct file **held, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		file_put(held[i]);
		held[i] = NULL;
	}
}

/*
 * Sleeps after a scan that found nothing.  0 to scan again, 1 if the
 * deadline has passed (scan once more, without waiting), -EINTR.
 */
static int poll_sleep(struct task *t, struct poll_table *pt, int64_t end)
{
	uint64_t deadline = end > 0 ? (uint64_t)end : 0, soon;
	int err;

	if (pt_partial) {
		soon = now_ns(CLOCK_MONOTONIC) + POLL_RESCAN_NS;
		if (!deadline || soon < deadline)
			deadline = soon;
	}
	err = task_sleep(t, deadline, pt->hostfd, pt->hostevents);
	pt_release(pt);
	if (err == -EINTR)
		return -EINTR;
	if (end > 0 && now_ns(CLOCK_MONOTONIC) >= (uint64_t)end)
		return 1;
	return 0;
}

/*
 * Sets *end from a relative timeout.  -EINVAL unless 0 <= nsec < 1e9 and
 * sec >= 0 (Linux's poll_select_set_timeout); a zero timeout gives 0.
 */
static int set_timeout(int64_t *end, int64_t sec, int64_t nsec)
{
	int64_t now;

	if (sec < 0 || nsec < 0 || nsec >= NSEC_PER_SEC)
		return -EINVAL;
	if (!sec && !nsec) {
		*end = 0;
		return 0;
	}
	now = now_ns(CLOCK_MONOTONIC);
	if (sec >= (INT64_MAX - now - nsec) / NSEC_PER_SEC)
		*end = INT64_MAX;
	else
		*end = now + sec * NSEC_PER_SEC + nsec;
	return 0;
}

/*
 * Linux's poll_select_finish: keep the temporary mask only if a signal
 * interrupted us (do_signal restores it after delivery), then write the
 * time left back to the guest's timeval/timespec.  If that write fails the
 * call cannot be restarted: -ERESTARTNOHAND becomes -EINTR.
 */
enum { PT_TIMEVAL, PT_TIMESPEC };

static long poll_select_finish(struct task *t, int64_t end, uint64_t utime, int type, long ret)
{
	int64_t rem;
	int err;

	restore_saved_sigmask_unless(t, ret == -ERESTARTNOHAND);
	if (!utime || end <= 0)
		return ret;
	if (t->personality & STICKY_TIMEOUTS)
		goto sticky;
	rem = end - (int64_t)now_ns(CLOCK_MONOTONIC);
	if (rem < 0)
		rem = 0;
	if (type == PT_TIMEVAL) {
		struct linux_timeval tv = { rem / NSEC_PER_SEC, rem % NSEC_PER_SEC / 1000 };

		err = copy_to_user(t, utime, &tv, sizeof(tv));
	} else {
		struct linux_timespec ts = { rem / NSEC_PER_SEC, rem % NSEC_PER_SEC };

		err = copy_to_user(t, utime, &ts, sizeof(ts));
	}
	if (!err)
		return ret;
sticky:
	if (ret == -ERESTARTNOHAND)
		ret = -EINTR;
	return ret;
}

/* ---- poll ---- */

/* Linux's do_poll: the number of entries with revents set, or -ERESTARTNOHAND. */
static long do_poll(struct task *t, struct linux_pollfd *pfds, unsigned int nfds, int64_t end)
{
	struct file **held = calloc(nfds ? nfds : 1, sizeof(*held));
	struct poll_table table, *pt;
	bool timed_out = end == 0;
	long count;
	int err;

	if (!held)
		return -ENOMEM;
	for (;;) {
		pt_init(&table, t);
		pt = timed_out ? NULL : &table;
		count = 0;
		for (unsigned int i = 0; i < nfds; i++) {
			struct linux_pollfd *p = &pfds[i];
			struct file *f;
			short mask;

			p->revents = 0;
			if (p->fd < 0)
				continue;
			f = fd_get(t, p->fd);
			if (!f) {
				p->revents = POLLNVAL;
				count++;
				continue;
			}
			held[i] = f;
			mask = file_poll(f, pt, p->events);
			mask &= p->events | POLLERR | POLLHUP;
			if (mask) {
				p->revents = mask;
				count++;
				pt = NULL;      /* something is ready: stop registering */
			}
		}
		if (count || timed_out)
			break;
		if (signal_pending(t)) {
			count = -ERESTARTNOHAND;
			break;
		}
		/* a signal's wake-up scans once more before it counts:
		 * what became ready with it is reported (Linux's do_poll
		 * looks at signal_pending only after a scan) */
		err = poll_sleep(t, &table, end);
		put_held(held, nfds);
		if (err > 0)
			timed_out = true;
	}
	pt_release(&table);
	put_held(held, nfds);
	free(held);
	return count;
}

/* Linux's do_sys_poll: -EINVAL if nfds exceeds RLIMIT_NOFILE, -EFAULT. */
static long do_sys_poll(struct task *t, uint64_t ufds, unsigned int nfds, int64_t end)
{
	struct linux_pollfd *pfds;
	size_t len = (size_t)nfds * sizeof(*pfds);
	long ret;

	if (nfds > t->tg->rlim[RLIMIT_NOFILE].rlim_cur)
		return -EINVAL;
	pfds = malloc(len ? len : 1);
	if (!pfds)
		return -ENOMEM;
	if (copy_from_user(t, pfds, ufds, len)) {
		ret = -EFAULT;
		goto out;
	}
	ret = do_poll(t, pfds, nfds, end);
	if (ret == -ENOMEM)
		goto out;
	/* revents are written back even when a signal cut the wait */
	if (copy_to_user(t, ufds, pfds, len))
		ret = -EFAULT;
out:
	free(pfds);
	return ret;
}

/*
 * sys_poll(fds, nfds, timeout_ms) - timeout < 0 waits forever, 0 polls.
 * An invalid fd reports POLLNVAL; a negative fd is skipped.  A signal
 * gives -ERESTARTNOHAND (EINTR after a handler; Linux restarts with the
 * remaining time through restart_syscall, we restart with the original).
 */
long sys_poll(struct task *t, struct sysargs *a)
{
	int ms = arg_int(a, 2);
	int64_t end = NO_TIMEOUT;

	if (ms >= 0)
		set_timeout(&end, ms / 1000, (int64_t)(ms % 1000) * 1000000);
	return do_sys_poll(t, arg_ptr(a, 0), arg_uint(a, 1), end);
}

/*
 * sys_ppoll(fds, nfds, tsp, sigmask, sigsetsize) - poll with a timespec
 * (NULL: forever; -EINVAL if invalid), which gets the time left written
 * back, and a signal mask in force while waiting (-EINVAL unless
 * sigsetsize is 8).
 */
long sys_ppoll(struct task *t, struct sysargs *a)
{
	uint64_t tsp = arg_ptr(a, 2);
	int64_t end = NO_TIMEOUT;
	struct linux_timespec ts;
	long ret;

	if (tsp) {
		if (copy_from_user(t, &ts, tsp, sizeof(ts)))
			return -EFAULT;
		if (set_timeout(&end, ts.tv_sec, ts.tv_nsec))
			return -EINVAL;
	}
	ret = set_user_sigmask(t, arg_ptr(a, 3), arg_ptr(a, 4));
	if (ret)
		return ret;
	ret = do_sys_poll(t, arg_ptr(a, 0), arg_uint(a, 1), end);
	return poll_select_finish(t, end, tsp, PT_TIMESPEC, ret);
}

/* ---- select ---- */

struct fdsets {
	uint64_t *in, *out, *ex, *res_in, *res_out, *res_ex;
};

static inline bool bit_test(const uint64_t *set, int fd)
{
	return set[fd / 64] >> (fd % 64) & 1;
}

static inline void bit_set(uint64_t *set, int fd)
{
	set[fd / 64] |= 1ULL << (fd % 64);
}

/* Linux's do_select: the number of bits set in the result sets, -EBADF if
 * a set names a closed fd, -ERESTARTNOHAND. */
static long do_select(struct task *t, int n, struct fdsets *s, size_t words, int64_t end)
{
	struct file **held = calloc(n ? n : 1, sizeof(*held));
	struct poll_table table, *pt;
	bool timed_out = end == 0;
	long retval;
	int err;

	if (!held)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		struct file *f;

		if (!bit_test(s->in, i) && !bit_test(s->out, i) && !bit_test(s->ex, i))
			continue;
		f = fd_get(t, i);
		if (!f) {
			free(held);
			return -EBADF;
		}
		file_put(f);
	}
	for (;;) {
		pt_init(&table, t);
		pt = timed_out ? NULL : &table;
		retval = 0;
		memset(s->res_in, 0, words * 8);
		memset(s->res_out, 0, words * 8);
		memset(s->res_ex, 0, words * 8);
		for (int i = 0; i < n; i++) {
			bool in = bit_test(s->in, i), out = bit_test(s->out, i), ex = bit_test(s->ex, i);
			short want = (in ? POLLIN_SET : 0) | (out ? POLLOUT_SET : 0) | (ex ? POLLEX_SET : 0);
			struct file *f;
			short mask;

			if (!want)
				continue;
			f = fd_get(t, i);
			if (!f)
				continue;       /* closed under us: ignored, as Linux */
			held[i] = f;
			mask = file_poll(f, pt, want);
			if (in && (mask & POLLIN_SET)) {
				bit_set(s->res_in, i);
				retval++;
				pt = NULL;
			}
			if (out && (mask & POLLOUT_SET)) {
				bit_set(s->res_out, i);
				retval++;
				pt = NULL;
			}
			if (ex && (mask & POLLEX_SET)) {
				bit_set(s->res_ex, i);
				retval++;
				pt = NULL;
			}
		}
		if (retval || timed_out)
			break;
		if (signal_pending(t)) {
			retval = -ERESTARTNOHAND;
			break;
		}
		err = poll_sleep(t, &table, end);   /* -EINTR: scan first, as poll */
		put_held(held, n);
		if (err > 0)
			timed_out = true;
	}
	pt_release(&table);
	put_held(held, n);
	free(held);
	return retval;
}

/* Linux's core_sys_select: n clamped to the fd table's size; sets copied
 * in and out (-EFAULT); results written only when not interrupted. */
static long core_sys_select(struct task *t, int n, uint64_t inp, uint64_t outp, uint64_t exp,
			    int64_t end)
{
	struct fdsets s;
	uint64_t *mem;
	size_t words, bytes;
	int max_fds;
	long ret;

	if (n < 0)
		return -EINVAL;
	/* Linux's fdt->max_fds: at least BITS_PER_LONG, grown in steps */
	max_fds = t->files ? (t->files->nfds + 63) / 64 * 64 : 64;
	if (max_fds < 64)
		max_fds = 64;
	if (n > max_fds)
		n = max_fds;
	words = (n + 63) / 64;
	bytes = words * 8;
	mem = calloc(6 * (words ? words : 1), 8);
	if (!mem)
		return -ENOMEM;
	s.in = mem;
	s.out = s.in + words;
	s.ex = s.out + words;
	s.res_in = s.ex + words;
	s.res_out = s.res_in + words;
	s.res_ex = s.res_out + words;
	ret = -EFAULT;
	if ((inp && copy_from_user(t, s.in, inp, bytes)) ||
	    (outp && copy_from_user(t, s.out, outp, bytes)) ||
	    (exp && copy_from_user(t, s.ex, exp, bytes)))
		goto out;
	ret = do_select(t, n, &s, words, end);
	if (ret < 0)
		goto out;
	if (!ret) {
		ret = -ERESTARTNOHAND;
		if (signal_pending(t))
			goto out;
		ret = 0;
	}
	if ((inp && copy_to_user(t, inp, s.res_in, bytes)) ||
	    (outp && copy_to_user(t, outp, s.res_out, bytes)) ||
	    (exp && copy_to_user(t, exp, s.res_ex, bytes)))
		ret = -EFAULT;
out:
	free(mem);
	return ret;
}

/*
 * sys_select(n, readfds, writefds, exceptfds, timeval) - -EINVAL for n < 0
 * or a bad timeval (tv_usec of a million or more carries into seconds, as
 * Linux), -EBADF if a set names a closed fd, -EFAULT.  The timeval gets
 * the time left.  A signal gives -ERESTARTNOHAND.
 */
long sys_select(struct task *t, struct sysargs *a)
{
	uint64_t tvp = arg_ptr(a, 4);
	int64_t end = NO_TIMEOUT;
	struct linux_timeval tv;
	long ret;

	if (tvp) {
		if (copy_from_user(t, &tv, tvp, sizeof(tv)))
			return -EFAULT;
		if (set_timeout(&end, tv.tv_sec + tv.tv_usec / 1000000,
				(tv.tv_usec % 1000000) * 1000))
			return -EINVAL;
	}
	ret = core_sys_select(t, arg_int(a, 0), arg_ptr(a, 1), arg_ptr(a, 2), arg_ptr(a, 3), end);
	return poll_select_finish(t, end, tvp, PT_TIMEVAL, ret);
}

/*
 * sys_pselect6(n, readfds, writefds, exceptfds, timespec, sig) - select
 * with a timespec and, if sig points at {const sigset_t *ss; size_t len},
 * a signal mask in force while waiting (-EINVAL unless len is 8 when ss is
 * set).
 */
long sys_pselect6(struct task *t, struct sysargs *a)
{
	uint64_t tsp = arg_ptr(a, 4), sig = arg_ptr(a, 5);
	struct { uint64_t ss, len; } pack = { 0, 0 };
	int64_t end = NO_TIMEOUT;
	struct linux_timespec ts;
	long ret;

	if (sig && copy_from_user(t, &pack, sig, sizeof(pack)))
		return -EFAULT;
	if (tsp) {
		if (copy_from_user(t, &ts, tsp, sizeof(ts)))
			return -EFAULT;
		if (set_timeout(&end, ts.tv_sec, ts.tv_nsec))
			return -EINVAL;
	}
	ret = set_user_sigmask(t, pack.ss, pack.len);
	if (ret)
		return ret;
	ret = core_sys_select(t, arg_int(a, 0), arg_ptr(a, 1), arg_ptr(a, 2), arg_ptr(a, 3), end);
	return poll_select_finish(t, end, tsp, PT_TIMESPEC, ret);
}
