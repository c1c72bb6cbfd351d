/*
 * eventfd.c - eventfd(2) and eventfd2(2): a 64-bit counter as a file.
 *
 * In a nutshell (Linux's fs/eventfd.c): write adds an 8-byte value to the
 * counter, blocking while the sum would exceed 0xfffffffffffffffe; read
 * returns the counter and zeroes it (EFD_SEMAPHORE: returns 1 and
 * decrements), blocking while it is 0.  A read buffer shorter than 8
 * bytes, a write of other than 8 bytes and a write of 0xffffffffffffffff
 * are EINVAL.  poll reports POLLIN while
 * the counter is non-zero and POLLOUT while a write of 1 would not block.
 * One wait queue serves readers, writers and pollers.
 *
 * Locking: everything runs under klock, held by the caller; task_sleep
 * drops it while a task waits, so the counter is re-checked after a sleep.
 */
#include "../kernel.h"
#include "fs.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define EFD_SEMAPHORE_ 1
#define EFD_CLOEXEC_   O_CLOEXEC
#define EFD_NONBLOCK_  O_NONBLOCK
#define EVENTFD_MAX    0xfffffffffffffffeULL

struct eventfd {
	uint64_t count;
	bool semaphore;
	int id;                       /* eventfd-id: the smallest free, as Linux's ida */
	struct wait_queue wq;         /* readers, writers and pollers */
};

static ssize_t eventfd_read(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	struct eventfd *e = f->priv;
	struct waiter w;
	uint64_t v;
	int err;

	(void)pos;
	if (n < sizeof(v))
		return -EINVAL;
	while (!e->count) {
		if ((f->flags & O_NONBLOCK) || !t)
			return -EAGAIN;
		waitq_add(&e->wq, &w, t);
		err = task_sleep(t, 0, -1, 0);
		waitq_del(&w);
		if (err == -EINTR)
			return -ERESTARTSYS;
	}
	v = e->semaphore ? 1 : e->count;
	e->count -= v;
	memcpy(buf, &v, sizeof(v));
	wake_up(&e->wq);
	return sizeof(v);
}

static ssize_t eventfd_write(struct task *t, struct file *f, const void *buf, size_t n,
			     int64_t *pos)
{
	struct eventfd *e = f->priv;
	struct waiter w;
	uint64_t v;
	int err;

	(void)pos;
	if (n != sizeof(v))
		return -EINVAL;         /* exactly 8 bytes, as Linux 6.x */
	memcpy(&v, buf, sizeof(v));
	if (v == UINT64_MAX)
		return -EINVAL;
	while (EVENTFD_MAX - e->count < v) {
		if ((f->flags & O_NONBLOCK) || !t)
			return -EAGAIN;
		waitq_add(&e->wq, &w, t);
		err = task_sleep(t, 0, -1, 0);
		waitq_del(&w);
		if (err == -EINTR)
			return -ERESTARTSYS;
	}
	e->count += v;
	if (v)
		wake_up(&e->wq);
	return sizeof(v);
}

static short eventfd_poll(struct file *f, struct poll_table *pt)
{
	struct eventfd *e = f->priv;
	short mask = 0;

	poll_wait(pt, &e->wq);
	if (e->count)
		mask |= POLLIN | POLLRDNORM;
	if (e->count == UINT64_MAX)
		mask |= POLLERR;
	if (e->count < EVENTFD_MAX)
		mask |= POLLOUT | POLLWRNORM;
	return mask;
}

/* eventfd ids in use (the first 4096; past them ids are not reused) */
static uint64_t ids_used[64];
static int id_next = 4096;

static int eventfd_id_alloc(void)
{
	for (int i = 0; i < 64; i++)
		if (~ids_used[i]) {
			int b = __builtin_ctzll(~ids_used[i]);
			ids_used[i] |= 1ULL << b;
			return i * 64 + b;
		}
	return id_next++;
}

static void eventfd_release(struct file *f)
{
	struct eventfd *e = f->priv;

	if (e && e->id < 4096)
		ids_used[e->id / 64] &= ~(1ULL << (e->id % 64));
	free(f->priv);
	f->priv = NULL;
}

/* eventfd_show_fdinfo's lines: the count (hex, 16 wide), id, semaphore */
static int eventfd_fdinfo(struct file *f, char *buf, size_t len)
{
	struct eventfd *e = f->priv;

	return snprintf(buf, len, "eventfd-count: %16llx\neventfd-id: %d\neventfd-semaphore: %d\n",
			(unsigned long long)e->count, e->id, e->semaphore);
}

static const struct file_ops eventfd_ops = {
	.read = eventfd_read,
	.write = eventfd_write,
	.poll = eventfd_poll,
	.fstat = anon_inode_fstat,
	.release = eventfd_release,
	.show_fdinfo = eventfd_fdinfo,
	.seekable = false,
};

bool file_is_eventfd(struct file *f)
{
	return f && f->ops == &eventfd_ops;
}

void eventfd_signal_file(struct file *f, uint64_t n)
{
	struct eventfd *e = f->priv;

	/* saturates at ULLONG_MAX, which readers then see with POLLERR
	 * (Linux's eventfd_signal_mask) */
	e->count = UINT64_MAX - e->count < n ? UINT64_MAX : e->count + n;
	wake_up(&e->wq);
}

/*
 * sys_eventfd2(initval, flags) - a new eventfd with counter initval.
 * flags: EFD_CLOEXEC, EFD_NONBLOCK, EFD_SEMAPHORE; others -EINVAL.
 * Returns the fd, -EMFILE, -ENOMEM.
 */
long sys_eventfd2(struct task *t, struct sysargs *a)
{
	unsigned int initval = arg_uint(a, 0);
	int flags = arg_int(a, 1);
	struct eventfd *e;
	struct file *f;

	if (flags & ~(EFD_SEMAPHORE_ | EFD_CLOEXEC_ | EFD_NONBLOCK_))
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->count = initval;
	e->semaphore = flags & EFD_SEMAPHORE_;
	e->id = eventfd_id_alloc();
	waitq_init(&e->wq);
	f = file_alloc(&eventfd_ops, O_RDWR | (flags & EFD_NONBLOCK_), "anon_inode:[eventfd]");
	if (!f) {
		free(e);
		return -ENOMEM;
	}
	f->priv = e;
	return fd_install(t, 0, f, flags & EFD_CLOEXEC_);
}

/* sys_eventfd(initval) - eventfd2(initval, 0). */
long sys_eventfd(struct task *t, struct sysargs *a)
{
	struct sysargs b = { .a = { a->a[0], 0 }, .nr = a->nr };

	return sys_eventfd2(t, &b);
}

