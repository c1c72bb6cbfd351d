/*
 * pipe.c - pipes and named FIFOs: pipe(2), pipe2(2), the FIFO open
 * that filesystems call for S_IFIFO nodes, and the peek/consume helpers
 * that splice(2) and tee(2) use (splice.c).
 *
 * In a nutshell: a struct pipe is an in-kernel byte ring (pipe_ring.h) of
 * 64 KiB (F_GETPIPE_SZ; F_SETPIPE_SZ resizes it) with counts of the open
 * read and write ends and three wait queues: readers waiting for data,
 * writers waiting for space, and FIFO openers waiting for a partner.
 * Each open end is a struct file whose priv is a struct pipe_end; the
 * pipe lives while any end, or an opener sleeping in fifo_open, holds it
 * (refs).  Mirrors fs/pipe.c: writes of at most PIPE_BUF bytes are
 * atomic, reads return what is there, EOF when no writer is left, SIGPIPE
 * and EPIPE when no reader is left.
 *
 * Locking: everything runs under klock, held by the caller; task_sleep
 * drops it while a task waits, so every condition is re-checked after a
 * sleep.
 */
#include "../kernel.h"
#include "fs.h"
#include "pipe_ring.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define PIPE_SIZE     65536          /* default capacity, Linux's 16 pages */
#define PIPE_BUF_ATOM 4096           /* PIPE_BUF: writes up to this are atomic */
#define PIPE_MAX_SIZE ((uint64_t)sysctl_pipe_max_size)   /* /proc/sys/fs/pipe-max-size */
#define PIPEFS_DEV    12             /* st_dev of anonymous pipes */
#define L_FIONREAD    0x541B

struct pipe {
	int refs;                     /* open ends + openers asleep in fifo_open */
	struct pipe_ring ring;
	int readers, writers;         /* open ends */
	unsigned int r_counter, w_counter; /* opens so far, for FIFO partner waits */
	struct wait_queue rwait;      /* readers waiting for data or EOF */
	struct wait_queue wwait;      /* writers waiting for space */
	struct wait_queue openwait;   /* FIFO opens waiting for a partner */
	uint64_t ino;
	uint32_t uid, gid;
	struct linux_timespec atime, mtime, ctime;
	void **slot;                  /* FIFO: the inode's slot pointing here, or NULL */
};

struct pipe_end {
	struct pipe *pipe;
	unsigned int hup_gate;        /* no POLLHUP while w_counter equals this */
};

static const struct file_ops pipe_file_ops;
static uint64_t pipe_next_ino = 0x4000;

static struct linux_timespec pipe_now(void)
{
	uint64_t ns = now_ns(CLOCK_REALTIME);   /* the guest's wall clock */

	return (struct linux_timespec){ (int64_t)(ns / 1000000000ULL), (int64_t)(ns % 1000000000ULL) };
}

static struct pipe *pipe_alloc(void)
{
	struct pipe *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	if (ring_init(&p->ring, PIPE_SIZE)) {
		free(p);
		return NULL;
	}
	waitq_init(&p->rwait);
	waitq_init(&p->wwait);
	waitq_init(&p->openwait);
	p->ino = pipe_next_ino++;
	p->uid = current ? current->cred.fsuid : 0;
	p->gid = current ? current->cred.fsgid : 0;
	p->atime = p->mtime = p->ctime = pipe_now();
	/* Counters start at 1 so that an end whose hup_gate is 0 sees HUP. */
	p->r_counter = p->w_counter = 1;
	return p;
}

static void pipe_put(struct pipe *p)
{
	if (--p->refs > 0)
		return;
	if (p->slot)
		*p->slot = NULL;
	ring_free(&p->ring);
	free(p);
}

static bool end_reads(struct file *f)
{
	int acc = f->flags & O_ACCMODE;

	return acc == O_RDONLY || acc == O_RDWR;
}

static bool end_writes(struct file *f)
{
	int acc = f->flags & O_ACCMODE;

	return acc == O_WRONLY || acc == O_RDWR;
}

/* A new file for one end of p; takes a reference on p. */
static struct file *pipe_end_file(struct pipe *p, int flags, const char *path)
{
	struct pipe_end *e = calloc(1, sizeof(*e));
	struct file *f;

	if (!e)
		return NULL;
	f = file_alloc(&pipe_file_ops, flags, path);
	if (!f) {
		free(e);
		return NULL;
	}
	e->pipe = p;
	f->priv = e;
	p->refs++;
	return f;
}

/* ---- file operations ---- */

/* Where a read's bytes go, or a write's come from: a kernel buffer, or
 * guest memory of t (read_user/write_user: one copy less).  The
 * ring_copy_fn of pipe_ring.h for each direction. */
struct pipe_io {
	struct task *t;
	char *kbuf;
	uint64_t ubuf;
	size_t done;                  /* bytes of it already moved */
};

static int io_out(void *ctx, size_t off, char *seg, size_t n)
{
	struct pipe_io *io = ctx;
	off += io->done;
	if (io->kbuf)
		return ring_copy_out(io->kbuf, off, seg, n);
	return copy_to_user(io->t, io->ubuf + off, seg, n) ? -EFAULT : 0;
}

static int io_in(void *ctx, size_t off, char *seg, size_t n)
{
	struct pipe_io *io = ctx;
	off += io->done;
	if (io->kbuf)
		return ring_copy_in(io->kbuf, off, seg, n);
	return copy_from_user(io->t, seg, io->ubuf + off, n) ? -EFAULT : 0;
}

static ssize_t pipe_read_io(struct task *t, struct file *f, struct pipe_io *io, size_t n)
{
	struct pipe *p = ((struct pipe_end *)f->priv)->pipe;
	struct waiter w;
	ssize_t got;
	int err;

	if (!end_reads(f))
		return -EBADF;
	if (!n)
		return 0;
	/* the data (or the end) is looked at before a signal that came
	 * with it, as Linux's wait_event looks at its condition first:
	 * a writer that writes and exits must not make the reader's
	 * SIGCHLD turn its read into EINTR */
	for (bool interrupted = false;; ) {
		if (p->ring.len) {
			got = ring_read_by(&p->ring, n, io_out, io);
			if (got > 0) {
				p->atime = pipe_now();
				wake_up(&p->wwait);
			}
			return got;
		}
		if (!p->writers)
			return 0;
		if (interrupted)
			return -ERESTARTSYS;
		if ((f->flags & O_NONBLOCK) || !t)
			return -EAGAIN;
		waitq_add(&p->rwait, &w, t);
		err = task_sleep_short(t);
		waitq_del(&w);
		interrupted = err == -EINTR;
	}
}

static ssize_t pipe_write_io(struct task *t, struct file *f, struct pipe_io *io, size_t n)
{
	struct pipe *p = ((struct pipe_end *)f->priv)->pipe;
	size_t done = 0, space;
	struct waiter w;
	int err;

	if (!end_writes(f))
		return -EBADF;
	if (!n)
		return 0;       /* a null write succeeds, reader or not */
	for (bool interrupted = false;; ) {
		if (!p->readers) {
			if (t)
				send_signal(t, SIGPIPE, NULL, false);
			return done ? (ssize_t)done : -EPIPE;
		}
		space = ring_space(&p->ring);
		/* Up to PIPE_BUF bytes go in one piece, or not at all. */
		if (n <= PIPE_BUF_ATOM ? space >= n : space > 0) {
			io->done = done;
			ssize_t w = ring_write_by(&p->ring, n - done, io_in, io);
			if (w < 0)
				return done ? (ssize_t)done : w;
			done += (size_t)w;
			p->mtime = p->ctime = pipe_now();
			wake_up(&p->rwait);
			if (done == n)
				return done;
			continue;
		}
		/* room the signal's wake-up came with is used first (Linux's
		 * pipe_write looks at the signal only when it is full) */
		if (interrupted)
			return done ? (ssize_t)done : -ERESTARTSYS;
		if ((f->flags & O_NONBLOCK) || !t)
			return done ? (ssize_t)done : -EAGAIN;
		waitq_add(&p->wwait, &w, t);
		err = task_sleep_short(t);
		waitq_del(&w);
		interrupted = err == -EINTR;
	}
}

static ssize_t pipe_read(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	(void)pos;
	struct pipe_io io = { .t = t, .kbuf = buf };
	return pipe_read_io(t, f, &io, n);
}

static ssize_t pipe_write(struct task *t, struct file *f, const void *buf, size_t n, int64_t *pos)
{
	(void)pos;
	struct pipe_io io = { .t = t, .kbuf = (char *)buf };
	return pipe_write_io(t, f, &io, n);
}

static ssize_t pipe_read_user(struct task *t, struct file *f, uint64_t buf, size_t n, int64_t *pos)
{
	(void)pos;
	struct pipe_io io = { .t = t, .ubuf = buf };
	return pipe_read_io(t, f, &io, n);
}

static ssize_t pipe_write_user(struct task *t, struct file *f, uint64_t buf, size_t n,
			       int64_t *pos)
{
	(void)pos;
	struct pipe_io io = { .t = t, .ubuf = buf };
	return pipe_write_io(t, f, &io, n);
}

/*
 * Anonymous pipes: S_IFIFO|0600 owned by the creator, a pipefs inode.
 * FIFOs: the filesystem's inode, looked up again by path (so chmod shows),
 * or the pipe's own attributes once the name is gone.
 */
static int pipe_fstat(struct file *f, struct kstat *st)
{
	struct pipe *p = ((struct pipe_end *)f->priv)->pipe;
	struct nameidata nd;

	if (p->slot && current && f->path[0] == '/') {
		if (vfs_walk(current, AT_FDCWD, f->path, 0, &nd) == 0) {
			bool ok = nd.exists && (nd.st.mode & S_IFMT) == S_IFIFO;

			if (ok)
				*st = nd.st;
			nd_release(&nd);
			if (ok)
				return 0;
		}
	}
	memset(st, 0, sizeof(*st));
	st->dev = PIPEFS_DEV;
	st->ino = p->ino;
	st->nlink = 1;
	st->mode = S_IFIFO | 0600;
	st->uid = p->uid;
	st->gid = p->gid;
	st->blksize = 4096;
	st->atime = p->atime;
	st->mtime = p->mtime;
	st->ctime = p->ctime;
	return 0;
}

/* FIONREAD: bytes ready to read, as an int.  -ENOTTY for anything else. */
static long pipe_ioctl(struct task *t, struct file *f, unsigned int cmd, uint64_t arg)
{
	struct pipe *p = ((struct pipe_end *)f->priv)->pipe;
	int n;

	switch (cmd) {
	case L_FIONREAD:
		n = (int)p->ring.len;
		return copy_to_user(t, arg, &n, sizeof(n)) ? -EFAULT : 0;
	}
	return -ENOTTY;
}

/*
 * Linux's pipe_poll: POLLIN with data, POLLHUP with no writer left (a FIFO
 * opened O_NONBLOCK before any writer sees no HUP until one came); POLLOUT
 * while a page's worth of space is free, POLLERR with no reader left.
 */
static short pipe_poll(struct file *f, struct poll_table *pt)
{
	struct pipe_end *e = f->priv;
	struct pipe *p = e->pipe;
	short mask = 0;

	if (end_reads(f)) {
		poll_wait(pt, &p->rwait);
		if (p->ring.len)
			mask |= POLLIN | POLLRDNORM;
		if (!p->writers && e->hup_gate != p->w_counter)
			mask |= POLLHUP;
	}
	if (end_writes(f)) {
		poll_wait(pt, &p->wwait);
		if (ring_space(&p->ring) >= PIPE_BUF_ATOM)
			mask |= POLLOUT | POLLWRNORM;
		if (!p->readers)
			mask |= POLLERR;
	}
	return mask;
}

static void pipe_release(struct file *f)
{
	struct pipe_end *e = f->priv;
	struct pipe *p = e->pipe;

	if (end_reads(f) && --p->readers == 0)
		wake_up(&p->wwait);
	if (end_writes(f) && --p->writers == 0)
		wake_up(&p->rwait);
	wake_up(&p->openwait);
	free(e);
	f->priv = NULL;
	pipe_put(p);
}

static const struct file_ops pipe_file_ops = {
	.read = pipe_read,
	.write = pipe_write,
	.read_user = pipe_read_user,
	.write_user = pipe_write_user,
	.fstat = pipe_fstat,
	.ioctl = pipe_ioctl,
	.poll = pipe_poll,
	.release = pipe_release,
	.seekable = false,
};

/* ---- pipe(2), pipe2(2) ---- */

/*
 * pipe_create - a new pipe: *rd its read end, *wr its write end, one
 * reference each.  flags: O_NONBLOCK is kept on both files (O_CLOEXEC is
 * the fd table's business).  0 or -ENOMEM.
 */
int pipe_create(struct file **rd, struct file **wr, int flags)
{
	struct pipe *p = pipe_alloc();
	char path[40];

	if (!p)
		return -ENOMEM;
	snprintf(path, sizeof(path), "pipe:[%llu]", (unsigned long long)p->ino);
	p->refs = 1;            /* ours until both ends exist */
	*rd = pipe_end_file(p, O_RDONLY | (flags & (O_NONBLOCK | O_DIRECT)), path);
	*wr = pipe_end_file(p, O_WRONLY | (flags & (O_NONBLOCK | O_DIRECT)), path);
	if (!*rd || !*wr) {
		if (*rd) {
			p->readers++;
			file_put(*rd);
		}
		if (*wr) {
			p->writers++;
			file_put(*wr);
		}
		*rd = *wr = NULL;
		pipe_put(p);
		return -ENOMEM;
	}
	p->readers = p->writers = 1;
	pipe_put(p);
	return 0;
}

/* Linux's per-user pipe buffer limits: shown and settable; umk does not
 * shrink the pipes of a user past them. */
long sysctl_pipe_user_pages_soft = 16384, sysctl_pipe_user_pages_hard = 0;
long sysctl_pipe_max_size = 1048576;   /* F_SETPIPE_SZ's bound without CAP_SYS_RESOURCE */

/*
 * sys_pipe2(fds, flags) - flags: O_CLOEXEC, O_NONBLOCK, O_DIRECT (packet
 * mode: accepted and shown by F_GETFL, but the data stays a byte stream:
 * a read may join writes, and a short read keeps the rest); anything
 * else (O_NOTIFICATION_PIPE) is -EINVAL.  -EMFILE when the fd
 * table is full, -EFAULT if fds cannot be written (no fd stays open).
 */
long sys_pipe2(struct task *t, struct sysargs *a)
{
	uint64_t ufds = arg_ptr(a, 0);
	int flags = arg_int(a, 1);
	struct file *rd, *wr;
	int fds[2], err;

	if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	err = pipe_create(&rd, &wr, flags);
	if (err)
		return err;
	/* fd_install consumes its file's reference, failing or not */
	fds[0] = fd_install(t, 0, rd, flags & O_CLOEXEC);
	if (fds[0] < 0) {
		file_put(wr);
		return fds[0];
	}
	fds[1] = fd_install(t, 0, wr, flags & O_CLOEXEC);
	if (fds[1] < 0) {
		fd_close(t, fds[0]);
		return fds[1];
	}
	if (copy_to_user(t, ufds, fds, sizeof(fds))) {
		fd_close(t, fds[0]);
		fd_close(t, fds[1]);
		return -EFAULT;
	}
	return 0;
}

/* sys_pipe(fds) - pipe2(fds, 0). */
long sys_pipe(struct task *t, struct sysargs *a)
{
	struct sysargs b = { .a = { a->a[0], 0 }, .nr = a->nr };

	return sys_pipe2(t, &b);
}

/*
 * pipe_fcntl - F_GETPIPE_SZ and F_SETPIPE_SZ on f.  -EBADF if f is not a
 * pipe (Linux's answer), -EINVAL for another cmd or a size over 2 GiB,
 * -EPERM above pipe-max-size (1 MiB) for non-root, -EBUSY if the data
 * held would not fit.  Returns the capacity, rounded up to a power of two
 * pages, as Linux does.
 */
long pipe_fcntl(struct file *f, unsigned int cmd, uint64_t arg)
{
	struct pipe *p;
	uint64_t size;
	int err;

	if (!f || f->ops != &pipe_file_ops)
		return -EBADF;
	p = ((struct pipe_end *)f->priv)->pipe;
	switch (cmd) {
	case F_GETPIPE_SZ:
		return p->ring.cap;
	case F_SETPIPE_SZ:
		arg = (unsigned int)arg;   /* Linux's pipe_fcntl takes an unsigned int */
		if (arg > (1ULL << 31))
			return -EINVAL;
		for (size = 4096; size < arg; size <<= 1)
			;
		/* beyond pipe-max-size needs CAP_SYS_RESOURCE (pipe_set_size) */
		if (size > PIPE_MAX_SIZE && size > p->ring.cap && current &&
		    !capable(current, CAP_SYS_RESOURCE))
			return -EPERM;
		if (size != p->ring.cap) {
			err = ring_resize(&p->ring, size);
			if (err)
				return err;
			wake_up(&p->wwait);
		}
		return p->ring.cap;
	}
	return -EINVAL;
}

/* ---- named FIFOs ---- */

/* Sleeps until *counter moves past its value now (a partner opened). */
static int fifo_wait_partner(struct task *t, struct pipe *p, unsigned int *counter)
{
	unsigned int cur = *counter;
	struct waiter w;
	int err;

	while (*counter == cur) {
		waitq_add(&p->openwait, &w, t);
		err = task_sleep(t, 0, -1, 0);
		waitq_del(&w);
		if (err == -EINTR)
			return -ERESTARTSYS;
	}
	return 0;
}

/*
 * fifo_open - opens a FIFO inode whose pipe pointer lives in *fifo_slot
 * (NULL until the first open; the pipe is created then and the slot is
 * cleared when the last end closes, data discarded, as in Linux).
 * flags: open(2) flags; path: the guest path, kept as f->path.
 * Linux's fifo_open: O_RDONLY waits for a writer unless O_NONBLOCK;
 * O_WRONLY waits for a reader, or fails with -ENXIO under O_NONBLOCK;
 * O_RDWR never waits.  -ERESTARTSYS when a signal interrupts the wait,
 * -EINVAL for access mode 3, -ENOMEM.
 */
int fifo_open(struct task *t, void **fifo_slot, int flags, const char *path, struct file **out)
{
	struct pipe *p = *fifo_slot;
	struct pipe_end *e;
	struct file *f;
	int acc = flags & O_ACCMODE;
	unsigned int gate = 0;
	int err = 0;

	*out = NULL;
	if (acc == 3)
		return -EINVAL;
	if (!p) {
		p = pipe_alloc();
		if (!p)
			return -ENOMEM;
		p->slot = fifo_slot;
		*fifo_slot = p;
	}
	p->refs++;              /* held while we work and sleep */

	switch (acc) {
	case O_RDONLY:
		p->r_counter++;
		p->readers++;
		wake_up(&p->openwait);
		if (!p->writers) {
			if (flags & O_NONBLOCK) {
				gate = p->w_counter;    /* no HUP until a writer came */
			} else {
				err = fifo_wait_partner(t, p, &p->w_counter);
				if (err) {
					if (--p->readers == 0)
						wake_up(&p->wwait);
					goto out;
				}
			}
		}
		break;
	case O_WRONLY:
		if ((flags & O_NONBLOCK) && !p->readers) {
			err = -ENXIO;
			goto out;
		}
		p->w_counter++;
		p->writers++;
		wake_up(&p->openwait);
		if (!p->readers) {
			err = fifo_wait_partner(t, p, &p->r_counter);
			if (err) {
				if (--p->writers == 0)
					wake_up(&p->rwait);
				goto out;
			}
		}
		break;
	default:                /* O_RDWR */
		p->r_counter++;
		p->w_counter++;
		p->readers++;
		p->writers++;
		wake_up(&p->openwait);
		break;
	}

	f = pipe_end_file(p, flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC), path);
	if (!f) {
		if (acc != O_WRONLY && --p->readers == 0)
			wake_up(&p->wwait);
		if (acc != O_RDONLY && --p->writers == 0)
			wake_up(&p->rwait);
		err = -ENOMEM;
		goto out;
	}
	e = f->priv;
	e->hup_gate = gate;
	*out = f;
out:
	pipe_put(p);
	return err;
}

/*
 * fifo_detach - the FIFO inode owning *fifo_slot is being freed while the
 * FIFO may still be open: forget the slot so that the last close does not
 * write to it.
 */
void fifo_detach(void **fifo_slot)
{
	struct pipe *p = *fifo_slot;

	if (p)
		p->slot = NULL;
	*fifo_slot = NULL;
}

/* ---- helpers for splice(2) and tee(2) ---- */

/* file_is_pipe - whether f is an end of a pipe or FIFO. */
bool file_is_pipe(struct file *f)
{
	return f && f->ops == &pipe_file_ops;
}

/*
 * pipe_peek - copies up to n bytes from the front of read end f's pipe
 * into buf without removing them, waiting for data as pipe_read does
 * unless nonblock (or O_NONBLOCK).  Returns the count, 0 at EOF (no
 * writer left), -EAGAIN, -ERESTARTSYS, -EBADF (not a read end).
 */
ssize_t pipe_peek(struct task *t, struct file *f, void *buf, size_t n, bool nonblock)
{
	struct pipe *p = ((struct pipe_end *)f->priv)->pipe;
	struct pipe_ring *r = &p->ring;
	struct waiter w;
	size_t first;
	int err;

	if (!end_reads(f))
		return -EBADF;
	for (;;) {
		if (r->len)
			break;
		if (!p->writers)
			return 0;
		if (nonblock || (f->flags & O_NONBLOCK) || !t)
			return -EAGAIN;
		waitq_add(&p->rwait, &w, t);
		err = task_sleep(t, 0, -1, 0);
		waitq_del(&w);
		if (err == -EINTR)
			return -ERESTARTSYS;
	}
	if (n > r->len)
		n = r->len;
	first = r->cap - r->head;
	if (first > n)
		first = n;
	memcpy(buf, r->buf + r->head, first);
	memcpy((char *)buf + first, r->buf, n - first);
	return n;
}

/* pipe_consume - drops the first n bytes of f's pipe (after pipe_peek). */
void pipe_consume(struct file *f, size_t n)
{
	struct pipe *p = ((struct pipe_end *)f->priv)->pipe;
	struct pipe_ring *r = &p->ring;

	if (n > r->len)
		n = r->len;
	if (!n)
		return;
	r->head = (r->head + n) % r->cap;
	r->len -= n;
	if (!r->len)
		r->head = 0;
	p->atime = pipe_now();
	wake_up(&p->wwait);
}

/*
 * pipe_write_nb - pipe_write to write end f; nonblock (SPLICE_F_NONBLOCK)
 * makes it not wait for space whatever f's O_NONBLOCK says.  Returns as
 * pipe_write: bytes written, -EAGAIN, -EPIPE (and SIGPIPE), -ERESTARTSYS.
 */
ssize_t pipe_write_nb(struct task *t, struct file *f, const void *buf, size_t n, bool nonblock)
{
	int saved = f->flags;
	ssize_t r;

	if (!nonblock)
		return pipe_write(t, f, buf, n, NULL);
	/* a non-blocking pipe_write never sleeps: nobody sees the flag */
	f->flags |= O_NONBLOCK;
	r = pipe_write(t, f, buf, n, NULL);
	f->flags = saved;
	return r;
}
