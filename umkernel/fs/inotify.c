/*
 * inotify.c - inotify(7): inotify_init, inotify_init1, inotify_add_watch,
 * inotify_rm_watch, and the instance's file: read, poll, FIONREAD, and
 * the limits under /proc/sys/fs/inotify (Linux's
 * fs/notify/inotify/inotify_user.c and inotify_fsnotify.c).
 *
 * In a nutshell: an instance (group) is an anonymous file with a queue
 * of events and a set of watches, which are notify.c's marks.  notify.c
 * queues events here; an event identical to the last one queued (same
 * watch, mask and name) is merged into it, and past max_queued_events a
 * single IN_Q_OVERFLOW stands for every event dropped.  read(2) hands
 * out whole events (a struct inotify_event and its name padded with NULs
 * to a multiple of 16 bytes), EINVAL if the first does not fit.  Watch
 * descriptors count up from 1 per instance and are not reused soon.
 * Watches and instances are counted per user against max_user_watches
 * and max_user_instances.
 *
 * Lock: klock, held by every caller.
 */
#include "../kernel.h"
#include "fs.h"
#include <sys/sysmacros.h>
#include "tmpfs.h"

#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define L_FIONREAD              0x541B
#define L_INOTIFY_IOC_SETNEXTWD 0x40044900
#define IN_VALID_BITS  (IN_ALL_EVENTS_ | IN_UNMOUNT_ | IN_Q_OVERFLOW_ | IN_IGNORED_ | IN_ONLYDIR_ | \
			IN_DONT_FOLLOW_ | IN_EXCL_UNLINK_ | IN_MASK_CREATE_ | IN_MASK_ADD_ | \
			IN_ISDIR_ | IN_ONESHOT_)

struct inotify_kevent {
	struct list_head link;
	int wd;
	uint32_t mask, cookie;
	uint32_t name_len;
	char name[];
};

struct inotify_group {
	struct list_head events;      /* struct inotify_kevent, oldest first */
	int q_len, max_events;
	bool overflow_queued;         /* the IN_Q_OVERFLOW event is in the queue */
	int next_wd;                  /* where the cyclic wd search starts */
	struct wait_queue wq;         /* readers and pollers */
	struct ucounts *ucounts;      /* the user charged with it and its watches */
};

static long max_user_instances = -1, max_user_watches, max_queued_events;

/* Linux sizes max_user_watches from the machine's memory: take the
 * host's figures, which Linux computed for this machine. */
static const struct sysctl_long inotify_limits[] = {
	{ "fs/inotify/max_user_instances", &max_user_instances, 128 },
	{ "fs/inotify/max_user_watches", &max_user_watches, 8192 },
	{ "fs/inotify/max_queued_events", &max_queued_events, 16384 },
};

static void limits_init(void)
{
	if (max_user_instances < 0)
		sysctl_table_host_init(inotify_limits, 3);
}

static size_t event_size(const struct inotify_kevent *e)
{
	return sizeof(struct linux_inotify_event) +
	       (e->name_len ? (e->name_len + 1 + 15) / 16 * 16 : 0);
}

void inotify_queue_event(struct inotify_group *g, int wd, uint32_t mask, uint32_t cookie,
			 const char *name)
{
	size_t nl = name ? strlen(name) : 0;
	struct inotify_kevent *e;

	/* inotify never reported IN_ISDIR with these (inotify_fsnotify.c) */
	if (mask & (IN_MOVE_SELF_ | IN_DELETE_SELF_))
		mask &= ~IN_ISDIR_;
	if (g->q_len >= g->max_events) {
		if (g->overflow_queued)
			return;
		name = NULL;
		nl = 0;
		wd = -1;
		mask = IN_Q_OVERFLOW_;
		cookie = 0;
		g->overflow_queued = true;
	} else if (!list_empty(&g->events)) {
		/* inotify_merge: an event identical to the last one adds nothing */
		struct inotify_kevent *last = list_entry(g->events.prev, struct inotify_kevent, link);

		if (!(last->mask & IN_IGNORED_) && last->mask == mask && last->wd == wd &&
		    last->name_len == nl && (!nl || !strcmp(last->name, name)))
			return;
	}
	e = malloc(sizeof(*e) + nl + 1);
	if (!e)
		return;
	e->wd = wd;
	e->mask = mask;
	e->cookie = cookie;
	e->name_len = nl;
	if (nl)
		memcpy(e->name, name, nl + 1);
	list_add_tail(&e->link, &g->events);
	g->q_len++;
	wake_up(&g->wq);
}

void inotify_mark_gone(struct inotify_group *g)
{
	if (g->ucounts)
		ucounts_dec(g->ucounts, UCOUNT_INOTIFY_WATCHES);
}

/* ---- the instance's file ---- */

static const struct file_ops inotify_file_ops;

/* Copies whole events while they fit, to guest memory at ubuf (t's) or,
 * with kbuf, to that kernel buffer: the bytes copied, or -EINVAL if the
 * first does not fit, -EFAULT (the event is lost then, as in Linux). */
static ssize_t copy_events(struct task *t, struct inotify_group *g, uint64_t ubuf, char *kbuf,
			   size_t count)
{
	size_t done = 0;

	while (!list_empty(&g->events)) {
		struct inotify_kevent *e = list_entry(g->events.next, struct inotify_kevent, link);
		size_t sz = event_size(e);
		struct linux_inotify_event ev;
		char *out;
		int bad;

		if (sz > count - done)
			return done ? (ssize_t)done : -EINVAL;
		list_del(&e->link);
		g->q_len--;
		if (e->mask & IN_Q_OVERFLOW_)
			g->overflow_queued = false;
		ev.wd = e->wd;
		ev.mask = e->mask & (IN_ALL_EVENTS_ | IN_ISDIR_ | IN_UNMOUNT_ | IN_IGNORED_ | IN_Q_OVERFLOW_);
		ev.cookie = e->cookie;
		ev.len = (uint32_t)(sz - sizeof(ev));
		out = kbuf ? kbuf + done : calloc(1, sz);
		if (!out) {
			free(e);
			return done ? (ssize_t)done : -ENOMEM;
		}
		memset(out, 0, sz);
		memcpy(out, &ev, sizeof(ev));
		if (e->name_len)
			memcpy(out + sizeof(ev), e->name, e->name_len);
		bad = kbuf ? 0 : copy_to_user(t, ubuf + done, out, sz);
		if (!kbuf)
			free(out);
		free(e);
		if (bad)
			return -EFAULT;
		done += sz;
	}
	return (ssize_t)done;
}

/* inotify_read: whole events, waiting for one unless O_NONBLOCK
 * (-EAGAIN); -ERESTARTSYS on a signal. */
static ssize_t do_inotify_read(struct task *t, struct file *f, uint64_t ubuf, char *kbuf, size_t n)
{
	struct inotify_group *g = f->priv;
	struct waiter w;
	ssize_t r;
	int err;

	for (;;) {
		r = copy_events(t, g, ubuf, kbuf, n);
		if (r)
			return r;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (!t)
			return -EAGAIN;
		waitq_add(&g->wq, &w, t);
		err = task_sleep(t, 0, -1, 0);
		waitq_del(&w);
		if (err == -EINTR)
			return -ERESTARTSYS;
	}
}

static ssize_t inotify_read_user(struct task *t, struct file *f, uint64_t buf, size_t n, int64_t *pos)
{
	(void)pos;
	return do_inotify_read(t, f, buf, NULL, n);
}

static ssize_t inotify_read(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	(void)pos;
	return do_inotify_read(t, f, 0, buf, n);
}

static short inotify_poll(struct file *f, struct poll_table *pt)
{
	struct inotify_group *g = f->priv;

	if (pt)
		poll_wait(pt, &g->wq);
	return list_empty(&g->events) ? 0 : POLLIN | POLLRDNORM;
}

static long inotify_ioctl(struct task *t, struct file *f, unsigned int cmd, uint64_t arg)
{
	struct inotify_group *g = f->priv;
	struct list_head *p, *n;
	int len = 0;

	switch (cmd) {
	case L_FIONREAD:
		list_for_each_safe(p, n, &g->events)
			len += (int)event_size(list_entry(p, struct inotify_kevent, link));
		return copy_to_user(t, arg, &len, sizeof(len));
	case L_INOTIFY_IOC_SETNEXTWD:
		if (arg < 1 || arg > INT_MAX)
			return -EINVAL;
		g->next_wd = (int)arg;
		return 0;
	}
	return -ENOTTY;
}

static void inotify_release(struct file *f)
{
	struct inotify_group *g = f->priv;
	struct list_head *p, *n;

	fsnotify_clear_group(g);
	list_for_each_safe(p, n, &g->events) {
		list_del(p);
		free(list_entry(p, struct inotify_kevent, link));
	}
	if (g->ucounts)
		ucounts_dec(g->ucounts, UCOUNT_INOTIFY_INSTANCES);
	free(g);
}

static const struct file_ops inotify_file_ops = {
	.read = inotify_read,
	.read_user = inotify_read_user,
	.poll = inotify_poll,
	.ioctl = inotify_ioctl,
	.fstat = anon_inode_fstat,
	.release = inotify_release,
};

/* ---- syscalls ---- */

static long do_inotify_init(struct task *t, int flags)
{
	struct inotify_group *g;
	struct ucounts *uc;
	struct file *f;

	if (flags & ~(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	limits_init();
	uc = ucounts_get(t->cred.euid);
	if (!uc)
		return -ENOMEM;
	if (!ucounts_inc(uc, UCOUNT_INOTIFY_INSTANCES, max_user_instances))
		return -EMFILE;
	g = calloc(1, sizeof(*g));
	if (!g) {
		ucounts_dec(uc, UCOUNT_INOTIFY_INSTANCES);
		return -ENOMEM;
	}
	list_init(&g->events);
	waitq_init(&g->wq);
	g->max_events = (int)max_queued_events;
	g->next_wd = 1;
	f = file_alloc(&inotify_file_ops, O_RDONLY | (flags & O_NONBLOCK), "anon_inode:inotify");
	if (!f) {
		free(g);
		ucounts_dec(uc, UCOUNT_INOTIFY_INSTANCES);
		return -ENOMEM;
	}
	g->ucounts = uc;
	f->priv = g;
	return fd_install(t, 0, f, flags & O_CLOEXEC);
}

/* inotify_init1(flags): a new instance; flags IN_NONBLOCK, IN_CLOEXEC.
 * -EINVAL (other flags), -EMFILE (max_user_instances, or no fd), -ENOMEM. */
long sys_inotify_init1(struct task *t, struct sysargs *a)
{
	return do_inotify_init(t, arg_int(a, 0));
}

long sys_inotify_init(struct task *t, struct sysargs *a)
{
	(void)a;
	return do_inotify_init(t, 0);
}

/* The instance behind fd: -EBADF, or -EINVAL if it is no inotify file. */
static struct file *group_file(struct task *t, int fd, int *err)
{
	struct file *f = fd_get(t, fd);

	*err = 0;
	if (!f) {
		*err = -EBADF;
		return NULL;
	}
	if (f->ops != &inotify_file_ops) {
		file_put(f);
		*err = -EINVAL;
		return NULL;
	}
	return f;
}

/* A free wd at or after g->next_wd (cyclic over 1..INT_MAX). */
static int alloc_wd(struct inotify_group *g)
{
	for (int tries = 0; tries < 1000000; tries++) {
		int wd = g->next_wd;
		bool used = false;

		g->next_wd = wd == INT_MAX ? 1 : wd + 1;
		for (struct fsnotify_mark *m = fsnotify_marks; m; m = m->next)
			if (m->group == g && m->wd == wd)
				used = true;
		if (!used)
			return wd;
	}
	return -ENOSPC;
}

/*
 * inotify_add_watch(fd, path, mask): the watch descriptor of path's
 * inode in this instance, new or updated (IN_MASK_ADD adds to its mask,
 * else the mask is replaced; IN_MASK_CREATE wants a new one: -EEXIST).
 * IN_DONT_FOLLOW does not follow a last symlink, IN_ONLYDIR wants a
 * directory (-ENOTDIR).  Errors as Linux's: -EINVAL (no or unknown mask
 * bits, IN_MASK_ADD with IN_MASK_CREATE, not an inotify fd), -EBADF,
 * -EACCES (no read permission), -ENOENT..., -ENOSPC (max_user_watches).
 */
long sys_inotify_add_watch(struct task *t, struct sysargs *a)
{
	uint32_t mask = arg_uint(a, 2);
	struct nameidata nd;
	struct fsnotify_mark *m;
	struct inotify_group *g;
	struct file *f;
	char *path;
	long r;
	int err;

	if ((mask & ~IN_VALID_BITS) || !(mask & IN_VALID_BITS))
		return -EINVAL;
	f = group_file(t, arg_int(a, 0), &err);
	if (!f)
		return err;
	if ((mask & IN_MASK_ADD_) && (mask & IN_MASK_CREATE_)) {
		file_put(f);
		return -EINVAL;
	}
	g = f->priv;
	path = malloc(PATH_MAX);
	if (!path) {
		file_put(f);
		return -ENOMEM;
	}
	r = strncpy_from_user(t, path, arg_ptr(a, 1), PATH_MAX);
	if (r >= 0)
		r = vfs_walk(t, AT_FDCWD, path, (mask & IN_DONT_FOLLOW_ ? 0 : WALK_FOLLOW) |
			     (mask & IN_ONLYDIR_ ? WALK_DIRECTORY : 0), &nd);
	free(path);
	if (r < 0) {
		file_put(f);
		return r;
	}
	if (!nd.exists)
		r = -ENOENT;
	else
		r = vfs_permission(t, &nd.st, R_OK);
	if (r)
		goto out;
	m = fsnotify_find_mark(g, nd.st.dev, nd.st.ino);
	if (m) {
		if (mask & IN_MASK_CREATE_) {
			r = -EEXIST;
			goto out;
		}
		if (!(mask & IN_MASK_ADD_)) {
			m->mask = 0;
			m->flags = 0;
		}
		m->mask |= mask & IN_ALL_EVENTS_;
		m->flags |= mask & (IN_EXCL_UNLINK_ | IN_ONESHOT_);
		r = m->wd;
		goto out;
	}
	if (g->ucounts && !ucounts_inc(g->ucounts, UCOUNT_INOTIFY_WATCHES, max_user_watches)) {
		r = -ENOSPC;
		goto out;
	}
	m = calloc(1, sizeof(*m));
	r = m ? alloc_wd(g) : -ENOMEM;
	if (r < 0) {
		free(m);
		if (g->ucounts)
			ucounts_dec(g->ucounts, UCOUNT_INOTIFY_WATCHES);
		goto out;
	}
	m->wd = (int)r;
	m->dev = nd.st.dev;
	m->ino = nd.st.ino;
	m->isdir = S_ISDIR(nd.st.mode);
	m->mask = mask & IN_ALL_EVENTS_;
	m->flags = mask & (IN_EXCL_UNLINK_ | IN_ONESHOT_);
	m->group = g;
	m->fh_len = fhandle_encode(nd.mnt, nd.rel, nd.st.dev, nd.st.ino, m->fh, &m->fh_type);
	fsnotify_add_mark(m);
out:
	nd_release(&nd);
	file_put(f);
	return r;
}

/* inotify_rm_watch(fd, wd): the watch goes, with an IN_IGNORED event.
 * -EBADF, -EINVAL (not an inotify fd, no such wd). */
long sys_inotify_rm_watch(struct task *t, struct sysargs *a)
{
	int wd = arg_int(a, 1), err;
	struct file *f = group_file(t, arg_int(a, 0), &err);
	struct fsnotify_mark *m;

	if (!f)
		return err;
	for (m = fsnotify_marks; m; m = m->next)
		if (m->group == f->priv && m->wd == wd)
			break;
	if (m)
		fsnotify_destroy_mark(m, true);
	file_put(f);
	return m ? 0 : -EINVAL;
}

/* ---- /proc/sys/fs/inotify ---- */

int inotify_proc_read(struct task *t, const char *name, char **text)
{
	(void)t;
	limits_init();
	return sysctl_table_read(inotify_limits, 3, name, text);
}

int inotify_proc_write(struct task *t, const char *name, const char *buf, size_t n)
{
	(void)t;
	limits_init();
	return sysctl_table_write(inotify_limits, 3, name, buf, n);
}

/* fdinfo_fhandle - see notify.h (Linux's show_mark_fhandle) */
int fdinfo_fhandle(char *buf, size_t room, const unsigned char *fh, int len, int type)
{
	int n;

	if (!len || !room)
		return 0;
	n = snprintf(buf, room, " fhandle-bytes:%x fhandle-type:%x f_handle:", len, type);
	for (int i = 0; i < len && n > 0 && (size_t)n < room; i++)
		n += snprintf(buf + n, room - n, "%02x", fh[i]);
	return n > 0 && (size_t)n < room ? n : 0;
}

int inotify_fdinfo(struct file *f, char *buf, size_t len)
{
	size_t n = 0;
	if (!f || f->ops != &inotify_file_ops)
		return -1;
	buf[0] = 0;
	for (struct fsnotify_mark *m = fsnotify_marks; m; m = m->next) {
		if (m->group != f->priv || n >= len)
			continue;
		/* sdev in the kernel's own encoding (MKDEV: major << 20);
		 * the mask as the user gave it (inotify_mark_user_mask) */
		unsigned int sdev = (major(m->dev) << 20) | minor(m->dev);
		int w = snprintf(buf + n, len - n, "inotify wd:%x ino:%llx sdev:%x mask:%x ignored_mask:0",
				 m->wd, (unsigned long long)m->ino, sdev, m->mask | m->flags);
		if (w > 0 && (size_t)w < len - n)
			w += fdinfo_fhandle(buf + n + w, len - n - w, m->fh, m->fh_len, m->fh_type);
		if (w > 0 && (size_t)w + 1 < len - n)
			buf[n + w++] = '\n', buf[n + w] = 0;
		if (w > 0)
			n += (size_t)w < len - n ? (size_t)w : len - n - 1;
	}
	return (int)n;
}
