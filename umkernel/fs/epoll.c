/*
 * epoll.c - epoll_create(2), epoll_create1(2), epoll_ctl(2), epoll_wait(2),
 * epoll_pwait(2), epoll_pwait2(2).
 *
 * In a nutshell: an epoll instance is a file holding a list of items,
 * each keyed by (fd, file) as in Linux, with the events asked for and the
 * user's data.  Readiness is level-triggered by asking every item's file
 * for its poll mask at each scan.  Edges (EPOLLET) are found the way
 * Linux's ep_poll_callback finds them: each item keeps a persistent
 * registration on its file's wait queues (made once by calling its poll
 * op with a poll_table of its own) whose waiter is a stand-in task,
 * never run, marked TASK_SLEEPING with the instance's host eventfd as its
 * wake fd.  Any wake_up of those queues sets the stand-in's `woken` (an
 * edge) and writes that eventfd.  Files served by a host fd name it
 * through poll_wait_host; a duplicate of it is added, edge-triggered, to
 * a host epoll instance that also watches the eventfd.  So the host epoll
 * fd becomes readable whenever anything may have changed: epoll_wait
 * sleeps on it (task_sleep's host fd), and the epoll file's own poll op
 * names it, which makes nested epoll and poll(2) on an epoll fd work.
 * Several tasks may sleep on one instance (threads, processes sharing
 * the fd, pollers of it): the first to drain the host epoll wakes the
 * others (ep_drain), so each rescans and an LT item that stays ready is
 * reported to all of them, as in Linux.
 * Files whose queue registration must belong to the polling task itself
 * (signalfd) are also covered by a transient registration of the caller
 * during epoll_wait's sleep, as poll(2) does; but unlike poll(2) the
 * files are not held (Linux's epoll pins no file): each registration
 * names its item, and an item that goes (EPOLL_CTL_DEL, or its file's
 * release) takes its registrations off the sleepers' lists first.
 * Holding the files kept a pipe's write end open after its last close
 * while another thread slept in epoll_wait, so the reader never saw
 * EOF: Go's netpoller, which also watches the write ends of the pipes it
 * hands to children, waited for ever (go build hung).
 * An ET item is reported when it is ready and had a wake-up since it was
 * last reported: of its wait queues, or an event of its host fd in the
 * host epoll (whose data is the item); items with neither: when bits
 * appear that were not in the mask last seen.  EPOLLONESHOT disables an item after one
 * report until EPOLL_CTL_MOD.  Items are removed by EPOLL_CTL_DEL, or when
 * their file is released (epoll_file_release, from the last file_put).
 * Events are reported in item order, not in order of readiness; a scan
 * that fills maxevents rotates the list so the items it did not reach
 * come first next time (Linux's ready list puts a reported
 * level-triggered item back at its tail: no item starves).  Items are
 * found by (fd, file) through a hash table per instance, and by file
 * through one global table (epoll_file_release), so a set of tens of
 * thousands of fds costs O(1) per epoll_ctl and per close.
 *
 * Locking: everything runs under klock, held by the caller; task_sleep
 * drops it while epoll_wait sleeps.  The stand-in tasks are only ever
 * touched by task_wake under klock.
 */
#include "../kernel.h"
#include "fs.h"
#include <sys/sysmacros.h>

#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define EP_MAX_NESTS   4               /* Linux's EPOLL_MAX_NESTS */
#define EP_PRIVATE_BITS (EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)
#define EPOLLEXCLUSIVE_OK_BITS (EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | \
				EPOLLET | EPOLLEXCLUSIVE)
#define EP_MAX_EVENTS  (INT_MAX / 12)
#define NSEC           1000000000LL

struct linux_epoll_event {
	uint32_t events;
	uint64_t data;
} __attribute__((packed));

/* A chained hash table of epitems; grows to keep chains short. */
struct ep_hash {
	struct list_head *b;
	size_t nb, n;
};

struct eventpoll {
	struct list_head items;       /* struct epitem.link, in order of addition */
	struct ep_hash byfd;          /* struct epitem.hlink, by (fd, file) */
	int efd;                      /* host eventfd: the stand-ins' wake fd */
	int hostep;                   /* host epoll: efd and items' host fds, all EPOLLET */
	struct file *file;
	int sleepers;                 /* tasks asleep in its epoll_wait */
	struct list_head scanners;    /* struct ep_scan.link: epoll_waits with registrations */
	struct wait_queue pollwq;     /* pollers of the epoll file (poll, select, outer epolls) */
};

/* An epoll_wait's transient registrations of its caller: pt->w[i] was
 * made by the poll op of item owner[i] (NULL once taken off). */
struct ep_scan {
	struct list_head link;        /* eventpoll.scanners */
	struct poll_table pt;
	struct epitem *owner[ARRAY_SIZE(((struct poll_table *)0)->w)];
};

struct epitem {
	struct list_head link;        /* eventpoll.items */
	struct list_head all;         /* all_items, by file */
	struct list_head hlink;       /* ep->byfd */
	struct eventpoll *ep;
	int fd;
	struct file *file;            /* not referenced: removed at its release */
	uint32_t events;              /* asked for, EPOLLERR|EPOLLHUP included */
	uint64_t data;
	short last;                   /* ET without wait queues: mask last seen */
	bool fresh;                   /* ET: added or modified, not yet reported */
	struct task *watch;           /* stand-in woken by the file's wait queues */
	struct poll_table *wpt;       /* watch's registrations */
	int hostdup;                  /* dup of the file's host fd in hostep, or -1 */
};

static const struct file_ops epoll_ops;
static struct ep_hash all_items;      /* every epitem, by its file */

static size_t hash_ptr(const void *p)
{
	return (size_t)(((uintptr_t)p >> 4) * 0x9e3779b97f4a7c15ULL >> 20);
}

static size_t key_file(const struct epitem *it)
{
	return hash_ptr(it->file);
}

static size_t key_fd(const struct epitem *it)
{
	return hash_ptr(it->file) ^ ((size_t)it->fd * 0x9e3779b1u);
}

static struct list_head *ep_bucket(struct ep_hash *h, size_t key)
{
	return &h->b[key & (h->nb - 1)];
}

/* Adds it (its node at offset off) under key; -ENOMEM if the first
 * table cannot be made.  A failed growth keeps the old table. */
static int ep_hash_add(struct ep_hash *h, struct list_head *node, size_t key,
		       size_t (*keyof)(const struct epitem *), size_t off)
{
	if (h->n >= h->nb) {
		size_t nb = h->nb ? h->nb * 2 : 64;
		struct list_head *b = malloc(nb * sizeof(*b));

		if (!b && !h->nb)
			return -ENOMEM;
		if (b) {
			for (size_t i = 0; i < nb; i++)
				list_init(&b[i]);
			for (size_t i = 0; i < h->nb; i++) {
				while (!list_empty(&h->b[i])) {
					struct list_head *e = h->b[i].next;
					struct epitem *o = (struct epitem *)((char *)e - off);

					list_del(e);
					list_add_tail(e, &b[keyof(o) & (nb - 1)]);
				}
			}
			free(h->b);
			h->b = b;
			h->nb = nb;
		}
	}
	list_add_tail(node, ep_bucket(h, key));
	h->n++;
	return 0;
}

static void ep_hash_del(struct ep_hash *h, struct list_head *node)
{
	list_del(node);
	h->n--;
}

static bool is_epoll(struct file *f)
{
	return f->ops == &epoll_ops;
}

/*
 * Takes the notifications gathered so far (before a scan): an event of
 * an item's host fd is that item's edge, as a wake-up of its queues.
 * The host epoll stops being readable then, so a task asleep on it that
 * had not yet seen it readable would sleep on: whoever drains something
 * wakes the others (the tasks asleep in this instance's epoll_wait, and
 * the pollers of its file), who rescan.  An LT item still ready is thus
 * reported to every waiter, as Linux's ep_done_scan does by putting it
 * back on the ready list and waking the next waiter; an ET or ONESHOT
 * item is reported once, the first scan consuming its edge.
 */
static void ep_drain(struct eventpoll *ep)
{
	struct epoll_event ev[16];
	struct list_head *p;
	bool took = false;
	uint64_t v;
	int n;

	while ((n = epoll_wait(ep->hostep, ev, 16, 0)) > 0) {
		took = true;
		for (int i = 0; i < n; i++) {
			struct epitem *it = ev[i].data.ptr;

			if (it && it->watch)
				it->watch->woken = true;
		}
		if (n < 16)
			break;
	}
	if (read(ep->efd, &v, sizeof(v)) == sizeof(v))
		took = true;
	if (!took)
		return;
	for (p = ep->scanners.next; p != &ep->scanners; p = p->next)
		task_wake(list_entry(p, struct ep_scan, link)->pt.task);
	wake_up(&ep->pollwq);
}

static uint32_t host_events(uint32_t events)
{
	return (events & ~EP_PRIVATE_BITS) | EPOLLET;
}

/* An EPOLLEXCLUSIVE item's wake-up (ep_poll_callback): it has an edge
 * either way; it takes the wake-up (no other exclusive waiter of the
 * queue gets it) only if a task sleeps in its instance's epoll_wait. */
static void ep_excl_wake(struct waiter *w)
{
	struct epitem *it = w->data;
	task_wake(it->watch);
	w->took = it->ep->sleepers > 0;
}

/*
 * Registers it's stand-in on its file's wait queues and its host fd (if
 * any) in the host epoll.  -EPERM if the host refuses the host fd (a
 * file the host cannot poll), -ENOMEM.
 */
static int item_watch(struct epitem *it)
{
	struct eventpoll *ep = it->ep;
	struct epoll_event hev;

	it->watch = calloc(1, sizeof(*it->watch));
	it->wpt = calloc(1, sizeof(*it->wpt));
	if (!it->watch || !it->wpt)
		return -ENOMEM;
	it->watch->state = TASK_SLEEPING;     /* task_wake writes wakefd */
	it->watch->wakefd = ep->efd;
	it->watch->tid = -1;
	it->wpt->task = it->watch;
	it->wpt->hostfd = -1;
	if (it->events & EPOLLEXCLUSIVE) {
		it->wpt->exclusive = true;
		it->wpt->func = ep_excl_wake;
		it->wpt->func_data = it;
	}
	if (it->file->ops->poll)
		it->file->ops->poll(it->file, it->wpt);
	if (it->wpt->hostfd >= 0) {
		it->hostdup = fcntl(it->wpt->hostfd, F_DUPFD_CLOEXEC, 0);
		if (it->hostdup < 0)
			return -errno;
		memset(&hev, 0, sizeof(hev));
		hev.events = host_events(it->events);
		hev.data.ptr = it;
		if (epoll_ctl(ep->hostep, EPOLL_CTL_ADD, it->hostdup, &hev) < 0)
			return errno == EPERM ? -EPERM : -errno;
	}
	return 0;
}

static void item_unwatch(struct epitem *it)
{
	if (it->wpt) {
		for (int i = 0; i < it->wpt->n; i++)
			waitq_del(&it->wpt->w[i]);
		free(it->wpt);
		it->wpt = NULL;
	}
	free(it->watch);
	it->watch = NULL;
	if (it->hostdup >= 0) {
		/* the host fd it duplicates may stay open: leave explicitly */
		epoll_ctl(it->ep->hostep, EPOLL_CTL_DEL, it->hostdup, NULL);
		close(it->hostdup);
	}
	it->hostdup = -1;
}

/* Takes the epoll_wait callers' registrations made for it off their
 * wait queues: it is going, and its file may go with it. */
static void item_forget_scans(struct epitem *it)
{
	struct list_head *p;

	for (p = it->ep->scanners.next; p != &it->ep->scanners; p = p->next) {
		struct ep_scan *sc = list_entry(p, struct ep_scan, link);

		for (int i = 0; i < sc->pt.n; i++) {
			if (sc->owner[i] == it) {
				waitq_del(&sc->pt.w[i]);
				sc->owner[i] = NULL;
			}
		}
	}
}

static void item_free(struct epitem *it)
{
	item_forget_scans(it);
	list_del(&it->link);
	ep_hash_del(&all_items, &it->all);
	ep_hash_del(&it->ep->byfd, &it->hlink);
	item_unwatch(it);
	free(it);
}

static struct epitem *item_find(struct eventpoll *ep, int fd, struct file *f)
{
	struct epitem key = { .fd = fd, .file = f };
	struct list_head *h, *p;

	if (!ep->byfd.nb)
		return NULL;
	h = ep_bucket(&ep->byfd, key_fd(&key));
	for (p = h->next; p != h; p = p->next) {
		struct epitem *it = list_entry(p, struct epitem, hlink);

		if (it->fd == fd && it->file == f)
			return it;
	}
	return NULL;
}

/*
 * The events it reports now (0 if none), registering pt's waiter when
 * pt != NULL.  consume: this is a report (ET state and ONESHOT move on).
 */
static uint32_t item_ready(struct epitem *it, struct poll_table *pt, bool consume)
{
	uint32_t mask;
	bool report;

	if (!(it->events & ~EP_PRIVATE_BITS))
		return 0;               /* EPOLLONESHOT fired */
	mask = it->file->ops->poll ? (uint16_t)it->file->ops->poll(it->file, pt)
				   : (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM);
	mask &= it->events;
	if (!(it->events & EPOLLET)) {
		report = mask != 0;
	} else if ((it->wpt && it->wpt->n) || it->hostdup >= 0) {
		/* wait queues or a host fd say when something happened */
		report = mask && (it->fresh || it->watch->woken);
	} else {
		report = (mask & ~(uint32_t)(uint16_t)it->last) != 0 || (mask && it->fresh);
		if (consume || !mask)
			it->last = mask;
	}
	if (!report || !consume)
		return report ? mask : 0;
	if (it->events & EPOLLET) {
		it->fresh = false;
		it->watch->woken = false;
		it->last = mask;
	}
	if (it->events & EPOLLONESHOT)
		it->events &= EP_PRIVATE_BITS;
	return mask;
}

/* ---- the epoll file ---- */

/* Ready when any item would be reported; sleepers watch the host epoll. */
static short ep_poll(struct file *f, struct poll_table *pt)
{
	struct eventpoll *ep = f->priv;
	struct list_head *p, *n;

	poll_wait_host(pt, ep->hostep, POLLIN);
	ep_drain(ep);
	poll_wait(pt, &ep->pollwq);
	list_for_each_safe(p, n, &ep->items) {
		struct epitem *it = list_entry(p, struct epitem, link);

		if (item_ready(it, NULL, false))
			return POLLIN | POLLRDNORM;
	}
	return 0;
}

static void ep_release(struct file *f)
{
	struct eventpoll *ep = f->priv;
	struct list_head *p, *n;

	list_for_each_safe(p, n, &ep->items)
		item_free(list_entry(p, struct epitem, link));
	close(ep->hostep);
	close(ep->efd);
	free(ep->byfd.b);
	free(ep);
	f->priv = NULL;
}

/* ep_show_fdinfo: a line per registered file: its fd, events (with
 * EPOLLERR|EPOLLHUP), data, and the file's offset, inode and device (as
 * the kernel's dev_t, major << 20 | minor) */
static int ep_fdinfo(struct file *f, char *buf, size_t len)
{
	struct eventpoll *ep = f->priv;
	size_t n = 0;

	buf[0] = 0;
	for (struct list_head *p = ep->items.next; p != &ep->items && n < len; p = p->next) {
		struct epitem *it = list_entry(p, struct epitem, link);
		struct kstat st = { 0 };

		if (it->file->ops && it->file->ops->fstat)
			it->file->ops->fstat(it->file, &st);
		n += snprintf(buf + n, len - n,
			      "tfd: %8d events: %8x data: %16llx  pos:%lli ino:%llx sdev:%llx\n", it->fd,
			      it->events, (unsigned long long)it->data, (long long)it->file->pos,
			      (unsigned long long)st.ino,
			      (unsigned long long)major(st.dev) << 20 | minor(st.dev));
	}
	return n < len ? (int)n : (int)len - 1;
}

static const struct file_ops epoll_ops = {
	.show_fdinfo = ep_fdinfo,
	.poll = ep_poll,
	.fstat = anon_inode_fstat,
	.release = ep_release,
	.seekable = false,
};

/*
 * epoll_file_release - f is being released (its last reference is gone):
 * it leaves every epoll set that watches it, as Linux's eventpoll_release.
 */
void epoll_file_release(struct file *f)
{
	struct epitem key = { .file = f };
	struct list_head *h, *p, *n;

	if (!all_items.nb)
		return;
	h = ep_bucket(&all_items, key_file(&key));
	list_for_each_safe(p, n, h) {
		struct epitem *it = list_entry(p, struct epitem, all);

		if (it->file == f)
			item_free(it);
	}
}

/* ---- epoll_create ---- */

static long do_epoll_create(struct task *t, int flags)
{
	struct eventpoll *ep;
	struct epoll_event hev;
	struct file *f;

	int err = -ENOMEM;

	if (flags & ~EPOLL_CLOEXEC)
		return -EINVAL;
	ep = calloc(1, sizeof(*ep));
	if (!ep)
		return -ENOMEM;
	list_init(&ep->items);
	list_init(&ep->scanners);
	waitq_init(&ep->pollwq);
	ep->efd = host_fd_admit(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
	ep->hostep = host_fd_admit(epoll_create1(EPOLL_CLOEXEC));
	memset(&hev, 0, sizeof(hev));
	hev.events = EPOLLIN | EPOLLET;
	if (ep->efd == -ENFILE || ep->hostep == -ENFILE) {
		err = -ENFILE;   /* the host-fd budget */
		goto nomem;
	}
	if (ep->efd < 0 || ep->hostep < 0 || epoll_ctl(ep->hostep, EPOLL_CTL_ADD, ep->efd, &hev))
		goto nomem;
	f = file_alloc(&epoll_ops, O_RDWR, "anon_inode:[eventpoll]");
	if (!f)
		goto nomem;
	f->priv = ep;
	ep->file = f;
	return fd_install(t, 0, f, flags & EPOLL_CLOEXEC);
nomem:
	if (ep->efd >= 0)
		close(ep->efd);
	if (ep->hostep >= 0)
		close(ep->hostep);
	free(ep);
	return err;
}

/* sys_epoll_create1(flags) - flags: EPOLL_CLOEXEC; others -EINVAL. */
long sys_epoll_create1(struct task *t, struct sysargs *a)
{
	return do_epoll_create(t, arg_int(a, 0));
}

/* sys_epoll_create(size) - size must be positive (-EINVAL), else unused. */
long sys_epoll_create(struct task *t, struct sysargs *a)
{
	if (arg_int(a, 0) <= 0)
		return -EINVAL;
	return do_epoll_create(t, 0);
}

/* ---- epoll_ctl ---- */

/* Depth of epoll nesting below ep (0: no epoll among its items). */
static int ep_depth(struct eventpoll *ep, int limit)
{
	struct list_head *p, *n;
	int depth = 0;

	if (limit < 0)
		return 1000;
	list_for_each_safe(p, n, &ep->items) {
		struct epitem *it = list_entry(p, struct epitem, link);

		if (is_epoll(it->file)) {
			int d = 1 + ep_depth(it->file->priv, limit - 1);

			if (d > depth)
				depth = d;
		}
	}
	return depth;
}

/* Whether ep is reachable from inner through nested epoll items. */
static bool ep_reaches(struct eventpoll *inner, struct eventpoll *ep, int limit)
{
	struct list_head *p, *n;

	if (inner == ep)
		return true;
	if (limit < 0)
		return true;
	list_for_each_safe(p, n, &inner->items) {
		struct epitem *it = list_entry(p, struct epitem, link);

		if (is_epoll(it->file) && ep_reaches(it->file->priv, ep, limit - 1))
			return true;
	}
	return false;
}

/* Whether some epoll set holds an item for ep's file (ep is nested). */
static int ep_height(struct eventpoll *ep, int limit)
{
	struct list_head *p, *n;
	struct epitem key = { .file = ep->file };
	struct list_head *b;
	int h = 0;

	if (limit < 0)
		return 1000;
	if (!all_items.nb)
		return 0;
	b = ep_bucket(&all_items, key_file(&key));
	list_for_each_safe(p, n, b) {
		struct epitem *it = list_entry(p, struct epitem, all);

		if (it->file == ep->file) {
			int d = 1 + ep_height(it->ep, limit - 1);

			if (d > h)
				h = d;
		}
	}
	return h;
}

static int ep_insert(struct eventpoll *ep, int fd, struct file *f, uint32_t events,
		     uint64_t data)
{
	struct epitem *it = calloc(1, sizeof(*it));
	int err;

	if (!it)
		return -ENOMEM;
	it->ep = ep;
	it->fd = fd;
	it->file = f;
	it->events = events;
	it->data = data;
	it->fresh = true;
	it->hostdup = -1;
	if (ep_hash_add(&ep->byfd, &it->hlink, key_fd(it), key_fd, offsetof(struct epitem, hlink))) {
		free(it);
		return -ENOMEM;
	}
	if (ep_hash_add(&all_items, &it->all, key_file(it), key_file, offsetof(struct epitem, all))) {
		ep_hash_del(&ep->byfd, &it->hlink);
		free(it);
		return -ENOMEM;
	}
	list_add_tail(&it->link, &ep->items);
	err = item_watch(it);
	if (err) {
		item_free(it);
		return err;
	}
	/* ready already (Linux's ep_insert: onto the ready list, waiters
	 * woken): a task asleep in epoll_wait, or a poller of this epoll
	 * file, rescans now -- no wake-up of the file's queues may follow */
	if (item_ready(it, NULL, false)) {
		uint64_t one = 1;

		if (write(ep->efd, &one, sizeof(one)) < 0) {
			/* already readable */
		}
	}
	return 0;
}

/*
 * sys_epoll_ctl(epfd, op, fd, event) - EPOLL_CTL_ADD, _MOD, _DEL of fd
 * (keyed with its file) in epfd's set.  event->events: EPOLLIN, OUT, PRI,
 * RDNORM..., ERR, HUP, RDHUP, ET, ONESHOT, EXCLUSIVE (ADD only, not with
 * ONESHOT or an epoll target), WAKEUP; EPOLLERR and EPOLLHUP are always
 * reported.  Errors as Linux's: -EBADF, -EFAULT, -EINVAL (epfd no epoll,
 * fd == epfd, bad op or EXCLUSIVE use), -EEXIST, -ENOENT, -EPERM (fd is a
 * regular file or directory, or cannot be polled), -ELOOP (a cycle or
 * nesting deeper than 4), -ENOMEM.
 */
long sys_epoll_ctl(struct task *t, struct sysargs *a)
{
	int epfd = arg_int(a, 0), op = arg_int(a, 1), fd = arg_int(a, 2);
	struct linux_epoll_event ev = { 0, 0 };
	struct file *epf = NULL, *f = NULL;
	struct eventpoll *ep;
	struct epitem *it;
	struct kstat st;
	long r;

	if (op != EPOLL_CTL_DEL && copy_from_user(t, &ev, arg_ptr(a, 3), sizeof(ev)))
		return -EFAULT;
	epf = fd_get(t, epfd);
	f = fd_get(t, fd);
	r = -EBADF;
	if (!epf || !f || (epf->flags & O_PATH) || (f->flags & O_PATH))
		goto out;   /* fdget() does not see O_PATH files */
	/* files without a poll method (Linux's file_can_poll): regular
	 * files, directories, /dev/null, /dev/zero, /dev/full, /dev/urandom,
	 * fsopen/fspick's */
	r = -EPERM;
	if (file_is_fs_context(f))
		goto out;   /* fs_context_fops has no poll */
	if (f->ops->fstat && f->ops->fstat(f, &st) == 0 &&
	    ((S_ISREG(st.mode) && !procfs_file_pollable(f)) || S_ISDIR(st.mode) ||
	     (S_ISCHR(st.mode) && major(st.rdev) == 1 &&
	      (minor(st.rdev) == 3 || minor(st.rdev) == 5 || minor(st.rdev) == 7 || minor(st.rdev) == 9))))
		goto out;
	r = -EINVAL;
	if (!is_epoll(epf) || epf == f)
		goto out;
	if (op != EPOLL_CTL_ADD && op != EPOLL_CTL_MOD && op != EPOLL_CTL_DEL)
		goto out;
	if (op != EPOLL_CTL_DEL && (ev.events & EPOLLEXCLUSIVE)) {
		if (op == EPOLL_CTL_MOD || is_epoll(f) || (ev.events & ~EPOLLEXCLUSIVE_OK_BITS))
			goto out;
	}
	ep = epf->priv;
	it = item_find(ep, fd, f);
	ev.events |= EPOLLERR | EPOLLHUP;
	switch (op) {
	case EPOLL_CTL_ADD:
		r = -EEXIST;
		if (it)
			break;
		if (is_epoll(f)) {
			struct eventpoll *inner = f->priv;

			r = -ELOOP;
			if (ep_reaches(inner, ep, EP_MAX_NESTS + 1) ||
			    ep_depth(inner, EP_MAX_NESTS + 1) + 1 + ep_height(ep, EP_MAX_NESTS + 1) >
				    EP_MAX_NESTS)
				break;
		}
		r = ep_insert(ep, fd, f, ev.events, ev.data);
		break;
	case EPOLL_CTL_MOD:
		r = -ENOENT;
		if (!it)
			break;
		r = -EINVAL;
		if (it->events & EPOLLEXCLUSIVE)
			break;
		it->events = ev.events;
		it->data = ev.data;
		it->fresh = true;
		it->last = 0;
		if (it->hostdup >= 0) {
			struct epoll_event hev = { .events = host_events(ev.events) };

			epoll_ctl(ep->hostep, EPOLL_CTL_MOD, it->hostdup, &hev);
		}
		uint64_t one = 1;

		if (write(ep->efd, &one, sizeof(one)) < 0) {
			/* already readable */
		}
		r = 0;
		break;
	case EPOLL_CTL_DEL:
		r = -ENOENT;
		if (!it)
			break;
		item_free(it);
		r = 0;
		break;
	}
out:
	file_put(epf);
	file_put(f);
	return r;
}

/* ---- epoll_wait ---- */

/* Drops every registration sc made (those its items' release did not). */
static void scan_release(struct ep_scan *sc)
{
	for (int i = 0; i < sc->pt.n; i++)
		if (sc->owner[i])
			waitq_del(&sc->pt.w[i]);
	sc->pt.n = 0;
}

/*
 * Linux's ep_poll: reports up to maxevents ready items into evs, waiting
 * until end (CLOCK_MONOTONIC ns; -1 forever, 0 not at all).  Returns the
 * count or -EINTR (epoll_wait is never restarted after a handler).  The
 * caller's registrations on the items' queues are listed in
 * ep->scanners while it sleeps, so an item that goes meanwhile takes its
 * own off (item_forget_scans); no file is held.
 */
static long ep_wait(struct task *t, struct eventpoll *ep, struct linux_epoll_event *evs,
		    int maxevents, int64_t end)
{
	struct ep_scan *sc = calloc(1, sizeof(*sc));
	struct poll_table *pt;
	bool timed_out = end == 0;
	long count = 0;

	if (!sc)
		return -ENOMEM;
	pt = &sc->pt;
	list_init(&sc->link);
	for (;;) {
		struct list_head *p, *n;

		pt->task = t;
		pt->n = 0;
		pt->hostfd = -1;
		pt->hostevents = 0;
		ep_drain(ep);
		count = 0;
		list_for_each_safe(p, n, &ep->items) {
			struct epitem *it = list_entry(p, struct epitem, link);
			int first = pt->n;
			uint32_t mask;

			if (count >= maxevents) {
				/* the items not reached come first next time */
				list_del(&ep->items);
				list_add_tail(&ep->items, p);
				break;
			}
			/* an EPOLLEXCLUSIVE item is woken through its stand-in
			 * alone (one instance per event), never the caller's own */
			mask = item_ready(it, timed_out || count || (it->events & EPOLLEXCLUSIVE) ? NULL : pt,
					  true);
			for (int i = first; i < pt->n; i++)
				sc->owner[i] = it;
			if (mask) {
				evs[count].events = mask;
				evs[count].data = it->data;
				count++;
			}
		}
		if (count || timed_out)
			break;
		if (signal_pending(t)) {
			count = -EINTR;
			break;
		}
		/* the caller's own registrations (signalfd) plus the host epoll */
		list_add_tail(&sc->link, &ep->scanners);
		ep->sleepers++;
		task_sleep(t, end > 0 ? (uint64_t)end : 0, ep->hostep, POLLIN);
		ep->sleepers--;
		list_del(&sc->link);
		scan_release(sc);
		/* -EINTR: the scan above runs once more and reports what
		 * became ready with the signal (Linux's ep_poll looks at
		 * the ready list before signal_pending) */
		if (end > 0 && now_ns(CLOCK_MONOTONIC) >= (uint64_t)end)
			timed_out = true;
	}
	scan_release(sc);
	free(sc);
	return count;
}

/* Common part of the epoll_wait family: checks, wait, copy-out. */
static long do_epoll_wait(struct task *t, int epfd, uint64_t uevents, int maxevents, int64_t end)
{
	struct linux_epoll_event *evs;
	struct file *f;
	long r;

	if (maxevents <= 0 || maxevents > EP_MAX_EVENTS)
		return -EINVAL;
	if (!user_range_ok(t, uevents, (uint64_t)maxevents * sizeof(*evs), PROT_WRITE))
		return -EFAULT;
	f = fd_get(t, epfd);
	if (!f)
		return -EBADF;
	if (!is_epoll(f)) {
		file_put(f);
		return -EINVAL;
	}
	evs = calloc(maxevents, sizeof(*evs));
	if (!evs) {
		file_put(f);
		return -ENOMEM;
	}
	r = ep_wait(t, f->priv, evs, maxevents, end);
	if (r > 0 && copy_to_user(t, uevents, evs, r * sizeof(*evs)))
		r = -EFAULT;
	free(evs);
	file_put(f);
	return r;
}

static int64_t ms_to_end(int ms)
{
	if (ms < 0)
		return -1;
	if (ms == 0)
		return 0;
	return now_ns(CLOCK_MONOTONIC) + (int64_t)ms * 1000000;
}

/*
 * sys_epoll_wait(epfd, events, maxevents, timeout_ms) - timeout < 0
 * waits forever, 0 does not wait.  Returns the number of events written,
 * -EINVAL (maxevents <= 0 or too big, epfd no epoll), -EBADF, -EFAULT,
 * -EINTR when a signal arrives (never restarted, as Linux).
 */
long sys_epoll_wait(struct task *t, struct sysargs *a)
{
	return do_epoll_wait(t, arg_int(a, 0), arg_ptr(a, 1), arg_int(a, 2),
			     ms_to_end(arg_int(a, 3)));
}

/* sys_epoll_pwait(epfd, events, maxevents, timeout, sigmask, sigsetsize) -
 * epoll_wait with sigmask in force while waiting (NULL: unchanged). */
long sys_epoll_pwait(struct task *t, struct sysargs *a)
{
	long r = set_user_sigmask(t, arg_ptr(a, 4), arg_ptr(a, 5));

	if (r)
		return r;
	r = do_epoll_wait(t, arg_int(a, 0), arg_ptr(a, 1), arg_int(a, 2), ms_to_end(arg_int(a, 3)));
	restore_saved_sigmask_unless(t, r == -EINTR);
	return r;
}

/* sys_epoll_pwait2(epfd, events, maxevents, timeout, sigmask, sigsetsize) -
 * epoll_pwait with a struct timespec timeout (NULL: forever; -EINVAL if
 * invalid). */
long sys_epoll_pwait2(struct task *t, struct sysargs *a)
{
	uint64_t tsp = arg_ptr(a, 3);
	struct linux_timespec ts;
	int64_t end = -1;
	long r;

	if (tsp) {
		if (copy_from_user(t, &ts, tsp, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NSEC)
			return -EINVAL;
		if (!ts.tv_sec && !ts.tv_nsec)
			end = 0;
		else if (ts.tv_sec >= (INT64_MAX - (int64_t)now_ns(CLOCK_MONOTONIC)) / NSEC - 1)
			end = -1;
		else
			end = now_ns(CLOCK_MONOTONIC) + ts.tv_sec * NSEC + ts.tv_nsec;
	}
	r = set_user_sigmask(t, arg_ptr(a, 4), arg_ptr(a, 5));
	if (r)
		return r;
	r = do_epoll_wait(t, arg_int(a, 0), arg_ptr(a, 1), arg_int(a, 2), end);
	restore_saved_sigmask_unless(t, r == -EINTR);
	return r;
}

int epoll_target_file(struct file *epf, uint32_t tfd, uint32_t toff, struct file **target)
{
	struct eventpoll *ep;
	struct list_head *p;

	if (!is_epoll(epf))
		return -EINVAL;
	ep = epf->priv;
	for (p = ep->items.next; p != &ep->items; p = p->next) {
		struct epitem *it = list_entry(p, struct epitem, link);

		if ((uint32_t)it->fd == tfd && toff-- == 0) {
			*target = it->file;
			return 0;
		}
	}
	return -ENOENT;
}
