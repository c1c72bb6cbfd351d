/*
 * aio.c - Linux's native asynchronous I/O: io_setup(2), io_destroy(2),
 * io_submit(2), io_getevents(2), io_pgetevents(2), io_cancel(2).
 *
 * In a nutshell (Linux's fs/aio.c): io_setup makes a context for up to
 * nr_events requests and returns its id, which is the guest address of
 * a ring mapping ("[aio]" in Linux; here one anonymous page whose header
 * is zero, so libaio's user-space fast path sees no ring and always asks
 * the kernel).  io_submit starts requests (read, write, vectored forms,
 * fsync, fdatasync); io_getevents collects their completions
 * {data, obj, res, res2}.  umk carries each request out at submission,
 * synchronously: a request that would block (a read from an empty pipe)
 * blocks io_submit until it completes, and io_cancel finds nothing left
 * to cancel.  IOCB_FLAG_RESFD signals an eventfd at completion.
 * Contexts belong to the mm that made them: a forked child has none.
 *
 * Lock: klock, held.
 */
#include "../kernel.h"
#include "../kernel/task.h"
#include "../mm/mm.h"
#include "fs.h"
#include "tmpfs.h"
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define IOCB_CMD_PREAD_   0
#define IOCB_CMD_PWRITE_  1
#define IOCB_CMD_FSYNC_   2
#define IOCB_CMD_FDSYNC_  3
#define IOCB_CMD_PREADV_  7
#define IOCB_CMD_PWRITEV_ 8
#define IOCB_FLAG_RESFD_  1
#define IOCB_FLAG_IOPRIO_ 2
#define RWF_NOWAIT_       0x08
#define RWF_SUPPORTED_    0x7f     /* RWF_HIPRI..RWF_NOAPPEND, RWF_ATOMIC */

/* the handlers the requests run (fs/sys_file.c) */
long sys_pread64(struct task *t, struct sysargs *a);
long sys_pwrite64(struct task *t, struct sysargs *a);
long sys_preadv(struct task *t, struct sysargs *a);
long sys_pwritev(struct task *t, struct sysargs *a);
long sys_fsync(struct task *t, struct sysargs *a);
long sys_fdatasync(struct task *t, struct sysargs *a);
long sys_read(struct task *t, struct sysargs *a);
long sys_write(struct task *t, struct sysargs *a);
long sys_readv(struct task *t, struct sysargs *a);
long sys_writev(struct task *t, struct sysargs *a);

struct linux_iocb {
	uint64_t aio_data;
	uint32_t aio_key, aio_rw_flags;
	uint16_t aio_lio_opcode;
	int16_t aio_reqprio;
	uint32_t aio_fildes;
	uint64_t aio_buf, aio_nbytes;
	int64_t aio_offset;
	uint64_t aio_reserved2;
	uint32_t aio_flags, aio_resfd;
};

struct linux_io_event {
	uint64_t data, obj;
	int64_t res, res2;
};

struct kioctx {
	struct list_head link;        /* kioctxs */
	struct mm *mm;
	uint64_t id;                  /* the ring page's guest address */
	unsigned max_reqs;
	struct linux_io_event *done;  /* completions not yet collected, a FIFO */
	unsigned head, count;
	struct wait_queue wq;         /* io_getevents waiters */
};

static struct list_head kioctxs = LIST_HEAD_INIT(kioctxs);
static unsigned aio_nr;           /* /proc/sys/fs/aio-nr */
long sysctl_aio_max_nr = 65536;   /* /proc/sys/fs/aio-max-nr */

/* /proc/sys/fs/aio-nr: the events of every live context */
long aio_nr_now(void)
{
	return aio_nr;
}

static struct kioctx *lookup_ioctx(struct task *t, uint64_t id)
{
	struct list_head *p;

	for (p = kioctxs.next; p != &kioctxs; p = p->next) {
		struct kioctx *c = list_entry(p, struct kioctx, link);

		if (c->mm == t->mm && c->id == id)
			return c;
	}
	return NULL;
}

/*
 * io_setup(nr_events, ctxp): a new context for nr_events requests; its id
 * goes to *ctxp, which must hold 0.  -EINVAL (nr_events 0 or too big
 * for a ring, *ctxp not 0), -EAGAIN (over aio-max-nr, with the other
 * contexts' events), -EFAULT, -ENOMEM.
 */
long sys_io_setup(struct task *t, struct sysargs *a)
{
	unsigned nr = arg_uint(a, 0);
	uint64_t uctx = arg_ptr(a, 1), cur;
	struct kioctx *c;

	if (copy_from_user(t, &cur, uctx, sizeof cur))
		return -EFAULT;
	if (cur || !nr || nr > 4194304)   /* ioctx_alloc's bound on the ring */
		return -EINVAL;
	if (nr > (unsigned long)sysctl_aio_max_nr || aio_nr + (unsigned long)nr > (unsigned long)sysctl_aio_max_nr)
		return -EAGAIN;
	c = calloc(1, sizeof *c);
	if (!c || !(c->done = calloc(nr, sizeof *c->done))) {
		free(c);
		return -ENOMEM;
	}
	long addr = mm_mmap(t->mm, 0, GUEST_PAGE_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0);
	if (addr < 0) {
		free(c->done);
		free(c);
		return addr;
	}
	c->mm = t->mm;
	c->id = (uint64_t)addr;
	c->max_reqs = nr;
	waitq_init(&c->wq);
	if (copy_to_user(t, uctx, &c->id, sizeof c->id)) {
		mm_munmap(t->mm, c->id, GUEST_PAGE_SIZE);
		free(c->done);
		free(c);
		return -EFAULT;
	}
	aio_nr += nr;
	list_add_tail(&c->link, &kioctxs);
	return 0;
}

static void kioctx_free(struct kioctx *c)
{
	list_del(&c->link);
	aio_nr -= c->max_reqs;
	wake_up(&c->wq);
	free(c->done);
	free(c);
}

/* io_destroy(ctx): ends the context and unmaps its ring.  -EINVAL if ctx
 * names none of the caller's. */
long sys_io_destroy(struct task *t, struct sysargs *a)
{
	struct kioctx *c = lookup_ioctx(t, a->a[0]);

	if (!c)
		return -EINVAL;
	mm_munmap(t->mm, c->id, GUEST_PAGE_SIZE);
	kioctx_free(c);
	return 0;
}

/* Contexts of an mm that goes away (exit, execve). */
void aio_mm_release(struct mm *mm)
{
	struct list_head *p, *n;

	for (p = kioctxs.next; p != &kioctxs; p = n) {
		struct kioctx *c = list_entry(p, struct kioctx, link);

		n = p->next;
		if (c->mm == mm)
			kioctx_free(c);
	}
}

/* Runs one request; returns its result (bytes or -errno) for the event,
 * or sets *sync_err for an error io_submit itself returns.  A file
 * without positions (a pipe, a socket) is read and written at its stream,
 * as Linux's read_iter there ignores the offset; RWF_NOWAIT makes a
 * transfer that would wait fail with EAGAIN. */
static int64_t aio_run(struct task *t, const struct linux_iocb *cb, struct file *f, int *sync_err)
{
	struct sysargs sa = { .a = { cb->aio_fildes, cb->aio_buf, cb->aio_nbytes,
				     (uint64_t)cb->aio_offset, 0, 0 } };
	int acc = f->flags & O_ACCMODE, op = cb->aio_lio_opcode;
	bool vec = op == IOCB_CMD_PREADV_ || op == IOCB_CMD_PWRITEV_, stream = !file_seekable(f);
	int64_t res;

	switch (op) {
	case IOCB_CMD_PREAD_:
	case IOCB_CMD_PREADV_:
	case IOCB_CMD_PWRITE_:
	case IOCB_CMD_PWRITEV_: {
		bool write = op == IOCB_CMD_PWRITE_ || op == IOCB_CMD_PWRITEV_;
		bool nowait = (cb->aio_rw_flags & RWF_NOWAIT_) && !(f->flags & O_NONBLOCK);

		if (acc == (write ? O_RDONLY : O_WRONLY) || (f->flags & O_PATH)) {
			*sync_err = -EBADF;
			return 0;
		}
		if (nowait)
			f->flags |= O_NONBLOCK;
		if (stream)
			res = write ? (vec ? sys_writev(t, &sa) : sys_write(t, &sa))
				    : (vec ? sys_readv(t, &sa) : sys_read(t, &sa));
		else
			res = write ? (vec ? sys_pwritev(t, &sa) : sys_pwrite64(t, &sa))
				    : (vec ? sys_preadv(t, &sa) : sys_pread64(t, &sa));
		if (nowait)
			f->flags &= ~O_NONBLOCK;
		return res;
	}
	case IOCB_CMD_FSYNC_:
	case IOCB_CMD_FDSYNC_:
		if (cb->aio_buf || cb->aio_offset || cb->aio_nbytes || cb->aio_rw_flags) {
			*sync_err = -EINVAL;
			return 0;
		}
		return op == IOCB_CMD_FSYNC_ ? sys_fsync(t, &sa) : sys_fdatasync(t, &sa);
	}
	*sync_err = -EINVAL;
	return 0;
}

/* One iocb at guest address ucb: 0 once its completion is queued, or the
 * error io_submit reports for it. */
static int io_submit_one(struct task *t, struct kioctx *c, uint64_t ucb)
{
	struct linux_iocb cb;
	struct file *f, *resfd = NULL;
	int err = 0;

	if (copy_from_user(t, &cb, ucb, sizeof cb))
		return -EFAULT;
	if (cb.aio_reserved2 || (int64_t)cb.aio_nbytes < 0 || (cb.aio_flags & ~(IOCB_FLAG_RESFD_ | IOCB_FLAG_IOPRIO_)))
		return -EINVAL;
	if (c->count >= c->max_reqs)
		return -EAGAIN;
	f = fd_get(t, (int)cb.aio_fildes);
	if (!f)
		return -EBADF;
	if (cb.aio_flags & IOCB_FLAG_RESFD_) {
		resfd = fd_get(t, (int)cb.aio_resfd);
		if (!resfd || !file_is_eventfd(resfd)) {
			err = resfd ? -EINVAL : -EBADF;
			goto out;
		}
	}
	if (cb.aio_rw_flags & ~RWF_SUPPORTED_) {
		err = -EOPNOTSUPP;
		goto out;
	}
	int64_t res = aio_run(t, &cb, f, &err);
	if (err)
		goto out;
	if (!lookup_ioctx(t, c->id)) {   /* destroyed while the request slept */
		err = -EINVAL;
		goto out;
	}
	c->done[(c->head + c->count++) % c->max_reqs] =
		(struct linux_io_event){ .data = cb.aio_data, .obj = ucb, .res = res, .res2 = 0 };
	wake_up(&c->wq);
	if (resfd)
		eventfd_signal_file(resfd, 1);
out:
	file_put(resfd);
	file_put(f);
	return err;
}

/*
 * io_submit(ctx, nr, iocbpp): starts the nr requests of the iocb pointer
 * array at iocbpp (here: carries them out).  Returns how many were
 * started, or the first one's error if none: -EINVAL (bad ctx, nr < 0,
 * reserved fields, unknown opcode, resfd not an eventfd), -EFAULT, -EBADF
 * (bad fd, or not open for the transfer), -EAGAIN (the context's events
 * are all taken), -EOPNOTSUPP (unknown aio_rw_flags).
 */
long sys_io_submit(struct task *t, struct sysargs *a)
{
	struct kioctx *c = lookup_ioctx(t, a->a[0]);
	long nr = (long)a->a[1], i;
	uint64_t uarr = arg_ptr(a, 2);

	if (nr < 0 || !c)
		return -EINVAL;
	if (nr > (long)c->max_reqs)
		nr = c->max_reqs;
	for (i = 0; i < nr; i++) {
		uint64_t ucb;
		int err;

		if (copy_from_user(t, &ucb, uarr + i * sizeof ucb, sizeof ucb))
			return i ? i : -EFAULT;
		err = io_submit_one(t, c, ucb);
		if (err)
			return i ? i : err;
		c = lookup_ioctx(t, a->a[0]);
		if (!c)
			return i + 1;
	}
	return i;
}

/* Waits for min_nr events (up to the deadline, 0: none) and copies up to
 * nr of them to uev.  Linux's read_events. */
static long do_io_getevents(struct task *t, uint64_t id, long min_nr, long nr, uint64_t uev,
			    uint64_t deadline, bool timed)
{
	struct kioctx *c = lookup_ioctx(t, id);
	long got = 0;

	if (!c || min_nr > nr || min_nr < 0 || nr < 0)
		return -EINVAL;
	for (;;) {
		while (got < nr && c->count) {
			if (copy_to_user(t, uev + got * sizeof(struct linux_io_event), &c->done[c->head],
					 sizeof(struct linux_io_event)))
				return got ? got : -EFAULT;
			c->head = (c->head + 1) % c->max_reqs;
			c->count--;
			got++;
		}
		if (got >= min_nr || (timed && !deadline))
			return got;
		struct waiter w;
		waitq_add(&c->wq, &w, t);
		int r = task_sleep(t, deadline, -1, 0);
		waitq_del(&w);
		c = lookup_ioctx(t, id);
		if (!c)
			return got ? got : -EINVAL;
		if (r == -ETIMEDOUT)
			timed = true, deadline = 0;
		else if (r == -EINTR)
			return got ? got : -EINTR;
	}
}

/* The deadline of a relative timeout at uts (NULL: none); -EFAULT,
 * -EINVAL.  *timed: a timeout was given (0 means do not wait). */
static int aio_deadline(struct task *t, uint64_t uts, uint64_t *deadline, bool *timed)
{
	struct linux_timespec ts;

	*deadline = 0;
	*timed = false;
	if (!uts)
		return 0;
	if (copy_from_user(t, &ts, uts, sizeof ts))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return -EINVAL;
	*timed = true;
	if (ts.tv_sec || ts.tv_nsec)
		*deadline = now_ns(CLOCK_MONOTONIC) + ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	return 0;
}

/*
 * io_getevents(ctx, min_nr, nr, events, timeout): waits until min_nr
 * completions are there (or the relative timeout passes; NULL: no
 * limit) and returns up to nr of them.  -EINVAL (bad ctx, min_nr > nr,
 * negative counts, bad timespec), -EFAULT, -EINTR (a signal before any
 * event).
 */
long sys_io_getevents(struct task *t, struct sysargs *a)
{
	uint64_t deadline;
	bool timed;
	int err = aio_deadline(t, arg_ptr(a, 4), &deadline, &timed);

	if (err)
		return err;
	return do_io_getevents(t, a->a[0], (long)a->a[1], (long)a->a[2], arg_ptr(a, 3), deadline, timed);
}

/* io_pgetevents(ctx, min_nr, nr, events, timeout, usig): io_getevents
 * with usig = {sigmask pointer, sigsetsize} in force while it waits. */
long sys_io_pgetevents(struct task *t, struct sysargs *a)
{
	struct { uint64_t sigmask, sigsetsize; } usig = { 0, 0 };
	uint64_t deadline;
	bool timed;
	long ret;

	ret = aio_deadline(t, arg_ptr(a, 4), &deadline, &timed);
	if (ret)
		return ret;
	if (a->a[5] && copy_from_user(t, &usig, a->a[5], sizeof usig))
		return -EFAULT;
	ret = set_user_sigmask(t, usig.sigmask, usig.sigsetsize);
	if (ret)
		return ret;
	ret = do_io_getevents(t, a->a[0], (long)a->a[1], (long)a->a[2], arg_ptr(a, 3), deadline, timed);
	restore_saved_sigmask_unless(t, ret == -EINTR);
	return ret;
}

/* io_cancel(ctx, iocb, result): every request has completed by the time
 * io_submit returns, so there is never one to cancel: -EINVAL (as Linux
 * for a request it does not find), -EFAULT for a bad iocb. */
long sys_io_cancel(struct task *t, struct sysargs *a)
{
	uint32_t key;

	if (copy_from_user(t, &key, arg_ptr(a, 1) + offsetof(struct linux_iocb, aio_key), sizeof key))
		return -EFAULT;
	return -EINVAL;
}
