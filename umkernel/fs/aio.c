/*
 * aio.c - Linux native AIO: io_setup, io_submit, io_getevents,
 * io_pgetevents, io_cancel and io_destroy (Linux's fs/aio.c).
 *
 * In a nutshell: a context belongs to an address space (mm) and is
 * named by the address of a page mapped into it, as Linux names it by
 * its ring's address (libaio reads the page: a ring without
 * AIO_RING_MAGIC sends it to the io_getevents syscall every time).
 * io_submit carries each request out at once, through the positional
 * read, write and fsync syscalls of the same fd, and queues its
 * completion event (and signals the request's eventfd); there are never
 * requests in flight, so io_cancel finds none.  io_getevents waits for
 * events up to its timeout.  /proc/sys/fs/aio-max-nr bounds the events
 * of all contexts (aio-nr).
 *
 * Lock: klock, held by the callers, guards every context.
 */
#include "../kernel.h"
#include "fs.h"
#include "../mm/mm.h"
#include "tmpfs.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* the guest's struct iocb and struct io_event (linux/aio_abi.h) */
struct linux_iocb {
	uint64_t aio_data;
	uint32_t aio_key;
	int32_t aio_rw_flags;
	uint16_t aio_lio_opcode;
	int16_t aio_reqprio;
	uint32_t aio_fildes;
	uint64_t aio_buf, aio_nbytes;
	int64_t aio_offset;
	uint64_t aio_reserved2;
	uint32_t aio_flags, aio_resfd;
};
struct linux_io_event { uint64_t data, obj; int64_t res, res2; };

enum { IOCB_CMD_PREAD = 0, IOCB_CMD_PWRITE = 1, IOCB_CMD_FSYNC = 2, IOCB_CMD_FDSYNC = 3,
       IOCB_CMD_POLL = 5, IOCB_CMD_NOOP = 6, IOCB_CMD_PREADV = 7, IOCB_CMD_PWRITEV = 8 };
#define IOCB_FLAG_RESFD  1
#define IOCB_FLAG_IOPRIO 2
#define RWF_HIPRI_  0x1
#define RWF_DSYNC_  0x2
#define RWF_SYNC_   0x4
#define RWF_NOWAIT_ 0x8
#define RWF_APPEND_ 0x10
#define RWF_SUPPORTED_ (RWF_HIPRI_ | RWF_DSYNC_ | RWF_SYNC_ | RWF_NOWAIT_ | RWF_APPEND_)

struct kioctx {
	struct list_head link;        /* kioctxs */
	struct mm *mm;                /* the address space it belongs to */
	uint64_t id;                  /* the guest address of its page */
	unsigned max_reqs;            /* io_setup's nr_events (aio-nr's share) */
	unsigned nr_events;           /* ring slots, as Linux sizes them */
	struct linux_io_event *ring;  /* completed events, oldest at head */
	unsigned head, count;
	struct wait_queue wq;         /* io_getevents waiters */
};

static struct list_head kioctxs = LIST_HEAD_INIT(kioctxs);
long sysctl_aio_max_nr = 65536, sysctl_aio_nr;

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

static void ioctx_free(struct kioctx *c)
{
	list_del(&c->link);
	sysctl_aio_nr -= c->max_reqs;
	wake_up(&c->wq);
	free(c->ring);
	free(c);
}

/* aio_mm_exit - the contexts of mm go (its last user left, or execve
 * replaced its mappings).  Mirrors exit_aio. */
void aio_mm_exit(struct mm *mm)
{
	struct list_head *p, *n;
	list_for_each_safe(p, n, &kioctxs) {
		struct kioctx *c = list_entry(p, struct kioctx, link);
		if (c->mm == mm)
			ioctx_free(c);
	}
}

/*
 * sys_io_setup(nr_events, ctxp) - a context for nr_events requests; its
 * id goes to *ctxp, which must hold 0.  -EFAULT, -EINVAL (*ctxp not 0,
 * nr_events 0 or too large to size), -EAGAIN (over aio-max-nr),
 * -ENOMEM.  Mirrors ioctx_alloc's checks and sizes.
 */
long sys_io_setup(struct task *t, struct sysargs *a)
{
	unsigned nr = arg_uint(a, 0);
	uint64_t uctx = arg_ptr(a, 1), ctx;
	if (copy_from_user(t, &ctx, uctx, sizeof ctx))
		return -EFAULT;
	if (ctx || !nr)
		return -EINVAL;
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	uint64_t slots = nr > (uint64_t)ncpu * 4 ? nr : (uint64_t)ncpu * 4;
	slots *= 2;
	if (slots > 0x10000000U / sizeof(struct linux_io_event))
		return -EINVAL;
	if (nr > (unsigned long)sysctl_aio_max_nr || sysctl_aio_nr + nr > sysctl_aio_max_nr)
		return -EAGAIN;
	struct kioctx *c = calloc(1, sizeof *c);
	if (!c)
		return -ENOMEM;
	c->ring = calloc(slots, sizeof *c->ring);
	if (!c->ring) {
		free(c);
		return -ENOMEM;
	}
	long addr = mm_mmap(t->mm, 0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0);
	if (addr < 0) {
		free(c->ring);
		free(c);
		return addr;
	}
	struct vma *v = mm_find_vma(t->mm, addr);
	if (v && v->start == (uint64_t)addr)
		snprintf(v->name, sizeof v->name, "[aio]");
	c->mm = t->mm;
	c->id = addr;
	c->max_reqs = nr;
	c->nr_events = slots;
	waitq_init(&c->wq);
	list_add_tail(&c->link, &kioctxs);
	sysctl_aio_nr += nr;
	if (copy_to_user(t, uctx, &c->id, sizeof c->id)) {
		mm_munmap(t->mm, c->id, 4096);
		ioctx_free(c);
		return -EFAULT;
	}
	return 0;
}

/* sys_io_destroy(ctx) - ends a context and unmaps its page; -EINVAL if
 * ctx names none of this address space's. */
long sys_io_destroy(struct task *t, struct sysargs *a)
{
	struct kioctx *c = lookup_ioctx(t, arg_ptr(a, 0));
	if (!c)
		return -EINVAL;
	mm_munmap(t->mm, c->id, 4096);
	ioctx_free(c);
	return 0;
}

/* the syscalls a request is carried out with (their handlers) */
long sys_read(struct task *, struct sysargs *);
long sys_write(struct task *, struct sysargs *);
long sys_pread64(struct task *, struct sysargs *);
long sys_pwrite64(struct task *, struct sysargs *);
long sys_readv(struct task *, struct sysargs *);
long sys_writev(struct task *, struct sysargs *);
long sys_preadv(struct task *, struct sysargs *);
long sys_pwritev(struct task *, struct sysargs *);
long sys_fsync(struct task *, struct sysargs *);

/* Carries out one read or write request on f (fd): the result (bytes or
 * -errno) for its event. */
static long aio_rw(struct task *t, struct file *f, const struct linux_iocb *cb)
{
	bool write = cb->aio_lio_opcode == IOCB_CMD_PWRITE || cb->aio_lio_opcode == IOCB_CMD_PWRITEV;
	bool vec = cb->aio_lio_opcode == IOCB_CMD_PREADV || cb->aio_lio_opcode == IOCB_CMD_PWRITEV;
	bool seek = file_seekable(f);
	struct sysargs sa = { .a = { cb->aio_fildes, cb->aio_buf, cb->aio_nbytes, (uint64_t)cb->aio_offset } };
	int saved = f->flags;
	long r;

	if ((cb->aio_rw_flags & RWF_NOWAIT_) && !seek)
		f->flags |= O_NONBLOCK;       /* IOCB_NOWAIT: a pipe or socket does not wait */
	struct kstat st;
	if (write && seek && (cb->aio_rw_flags & RWF_APPEND_) && f->ops->fstat && !f->ops->fstat(f, &st))
		sa.a[3] = st.size;            /* RWF_APPEND: at the end */
	if (vec)
		r = write ? (seek ? sys_pwritev(t, &sa) : sys_writev(t, &sa))
			  : (seek ? sys_preadv(t, &sa) : sys_readv(t, &sa));
	else
		r = write ? (seek ? sys_pwrite64(t, &sa) : sys_write(t, &sa))
			  : (seek ? sys_pread64(t, &sa) : sys_read(t, &sa));
	if ((cb->aio_rw_flags & RWF_NOWAIT_) && !seek)
		f->flags = (f->flags & ~O_NONBLOCK) | (saved & O_NONBLOCK);
	if (r == -ERESTARTSYS || r == -ERESTARTNOINTR || r == -ERESTARTNOHAND || r == -ERESTART_RESTARTBLOCK)
		r = -EINTR;                   /* aio_rw_done */
	return r;
}

/* io_submit_one: 0 when the request was taken (its event queued), else
 * the error io_submit reports for it. */
static long submit_one(struct task *t, struct kioctx *c, uint64_t uiocb)
{
	struct linux_iocb cb;
	struct file *f = NULL, *efd = NULL;
	long r;

	if (copy_from_user(t, &cb, uiocb, sizeof cb))
		return -EFAULT;
	if (cb.aio_reserved2)
		return -EINVAL;
	if ((int64_t)cb.aio_nbytes < 0)
		return -EINVAL;
	if (c->count >= c->nr_events - 1)
		return -EAGAIN;               /* no free slot (aio_get_req) */
	f = fd_get(t, (int)cb.aio_fildes);
	if (!f || (f->flags & O_PATH)) {
		r = -EBADF;
		goto out;
	}
	if (cb.aio_flags & IOCB_FLAG_RESFD) {
		efd = fd_get(t, (int)cb.aio_resfd);
		r = -EBADF;
		if (!efd)
			goto out;
		r = -EINVAL;
		if (!file_is_eventfd(efd))
			goto out;
	}
	uint32_t key = 0;   /* KIOCB_KEY */
	r = -EFAULT;
	if (copy_to_user(t, uiocb + offsetof(struct linux_iocb, aio_key), &key, sizeof key))
		goto out;
	struct linux_io_event ev = { .data = cb.aio_data, .obj = uiocb };
	switch (cb.aio_lio_opcode) {
	case IOCB_CMD_PREAD: case IOCB_CMD_PWRITE: case IOCB_CMD_PREADV: case IOCB_CMD_PWRITEV: {
		bool write = cb.aio_lio_opcode == IOCB_CMD_PWRITE || cb.aio_lio_opcode == IOCB_CMD_PWRITEV;
		int acc = f->flags & O_ACCMODE;
		/* aio_prep_rw and aio_read/aio_write, in their order */
		r = -EOPNOTSUPP;
		if (cb.aio_rw_flags & ~RWF_SUPPORTED_)
			goto out;
		r = -EBADF;
		if (write ? acc == O_RDONLY : acc == O_WRONLY)
			goto out;
		r = -EINVAL;
		if (write ? !f->ops->write : !f->ops->read)
			goto out;
		if (file_seekable(f) && cb.aio_offset < 0)
			goto out;
		ev.res = aio_rw(t, f, &cb);
		break;
	}
	case IOCB_CMD_FSYNC: case IOCB_CMD_FDSYNC: {
		struct sysargs sa = { .a = { cb.aio_fildes } };
		r = -EINVAL;
		if (cb.aio_buf || cb.aio_offset || cb.aio_nbytes || cb.aio_rw_flags)
			goto out;
		ev.res = sys_fsync(t, &sa);
		break;
	}
	default:
		r = -EINVAL;                  /* IOCB_CMD_POLL is not supported */
		goto out;
	}
	c->ring[(c->head + c->count) % c->nr_events] = ev;
	c->count++;
	wake_up(&c->wq);
	if (efd)
		eventfd_signal(efd, 1);
	r = 0;
out:
	file_put(efd);
	file_put(f);
	return r;
}

/*
 * sys_io_submit(ctx, nr, iocbpp) - takes nr requests (at most the
 * context's size); returns how many were taken, or the first one's error
 * when none was: -EINVAL (nr < 0, no such context, a bad opcode or
 * argument), -EFAULT, -EBADF (fd not open or not open for the request),
 * -EAGAIN (no free slot), -EOPNOTSUPP (unknown RWF_* flags).
 */
long sys_io_submit(struct task *t, struct sysargs *a)
{
	long nr = arg_long(a, 1), i, r = 0;
	uint64_t uv = arg_ptr(a, 2);
	if (nr < 0)
		return -EINVAL;
	struct kioctx *c = lookup_ioctx(t, arg_ptr(a, 0));
	if (!c)
		return -EINVAL;
	if (nr > (long)c->nr_events)
		nr = c->nr_events;
	for (i = 0; i < nr; i++) {
		uint64_t u;
		if (copy_from_user(t, &u, uv + i * 8, 8)) {
			r = -EFAULT;
			break;
		}
		r = submit_one(t, c, u);
		if (r)
			break;
		if (!lookup_ioctx(t, arg_ptr(a, 0)))
			break;                /* destroyed by a request's side effect */
	}
	return i ? i : r;
}

/* read_events: waits (up to deadline, CLOCK_MONOTONIC ns; 0 forever)
 * for min_nr events, then copies up to nr. */
static long read_events(struct task *t, uint64_t id, long min_nr, long nr, uint64_t uev,
			bool has_to, uint64_t deadline)
{
	struct kioctx *c = lookup_ioctx(t, id);
	long got = 0;
	while (c && (long)c->count < min_nr && !(has_to && !deadline)) {
		struct waiter w;
		waitq_add(&c->wq, &w, t);
		int e = task_sleep(t, has_to ? deadline : 0, -1, 0);
		waitq_del(&w);
		c = lookup_ioctx(t, id);
		if (e == -EINTR)
			break;
		if (e == -ETIMEDOUT)
			break;
	}
	if (!c)
		return -EINVAL;
	while (got < nr && c->count) {
		if (copy_to_user(t, uev + got * sizeof(struct linux_io_event), &c->ring[c->head],
				 sizeof(struct linux_io_event)))
			return got ? got : -EFAULT;
		c->head = (c->head + 1) % c->nr_events;
		c->count--;
		got++;
	}
	return got;
}

static long do_getevents(struct task *t, struct sysargs *a, bool *interrupted)
{
	long min_nr = arg_long(a, 1), nr = arg_long(a, 2);
	struct kioctx *c = lookup_ioctx(t, arg_ptr(a, 0));
	if (!c || min_nr > nr || min_nr < 0)
		return -EINVAL;
	bool has_to = a->a[4] != 0;
	uint64_t deadline = 0;
	if (has_to) {
		struct linux_timespec ts;
		if (copy_from_user(t, &ts, a->a[4], sizeof ts))
			return -EFAULT;
		uint64_t ns = ts.tv_sec < 0 ? 0 : (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
		deadline = ns ? now_ns(CLOCK_MONOTONIC) + ns : 0;
	}
	long r = read_events(t, arg_ptr(a, 0), min_nr, nr, arg_ptr(a, 3), has_to, deadline);
	*interrupted = signal_pending(t);
	return r;
}

/*
 * sys_io_getevents(ctx, min_nr, nr, events, timeout) - waits for min_nr
 * completions (until timeout if not NULL) and returns up to nr of them.
 * -EINVAL (no such context, min_nr < 0 or > nr), -EFAULT, -EINTR (a
 * signal before any event).
 */
long sys_io_getevents(struct task *t, struct sysargs *a)
{
	bool intr;
	if (a->a[4]) {
		struct linux_timespec ts;
		if (copy_from_user(t, &ts, a->a[4], sizeof ts))
			return -EFAULT;
	}
	long r = do_getevents(t, a, &intr);
	return !r && intr ? -EINTR : r;
}

/*
 * sys_io_pgetevents(ctx, min_nr, nr, events, timeout, usig) - as
 * io_getevents, with the signal mask of usig ({sigmask, sigsetsize})
 * while it waits.  -EINVAL for a sigsetsize other than 8.
 */
long sys_io_pgetevents(struct task *t, struct sysargs *a)
{
	struct { uint64_t sigmask, sigsetsize; } us = { 0, 0 };
	bool intr;
	if (a->a[4]) {
		struct linux_timespec ts;
		if (copy_from_user(t, &ts, a->a[4], sizeof ts))
			return -EFAULT;
	}
	if (a->a[5] && copy_from_user(t, &us, a->a[5], sizeof us))
		return -EFAULT;
	int err = set_user_sigmask(t, us.sigmask, us.sigsetsize);
	if (err)
		return err;
	long r = do_getevents(t, a, &intr);
	restore_saved_sigmask_unless(t, intr);
	return intr && !r ? -ERESTARTNOHAND : r;
}

/*
 * sys_io_cancel(ctx, iocb, result) - cancels a request in flight: there
 * never is one here (requests complete in io_submit), so -EINVAL once
 * the iocb's key reads as Linux's; -EFAULT if it cannot be read.
 */
long sys_io_cancel(struct task *t, struct sysargs *a)
{
	uint32_t key;
	if (copy_from_user(t, &key, arg_ptr(a, 1) + offsetof(struct linux_iocb, aio_key), sizeof key))
		return -EFAULT;
	if (key != 0)
		return -EINVAL;
	if (!lookup_ioctx(t, arg_ptr(a, 0)))
		return -EINVAL;
	return -EINVAL;
}
