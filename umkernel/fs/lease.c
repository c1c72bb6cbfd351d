/*
 * lease.c - file leases: fcntl(2) F_SETLEASE and F_GETLEASE, and the
 * lease breaks that open(2) and truncate(2) cause (Linux's fs/locks.c
 * leases; fcntl(2), "Leases").
 *
 * In a nutshell: every regular file opened through the VFS is counted
 * on its inode, named by (st_dev, st_ino): read-only opens and writable
 * opens, as Linux's i_readcount and i_writecount.  A read lease needs no
 * writable open of the inode; a write lease needs the holder's own open
 * to be the only one; only the file's owner (or CAP_LEASE) may take one.
 * An open that conflicts (any open with a write lease held, a writable
 * open or truncate(2) with a read lease) counts itself first, then
 * breaks the lease: the holder's owner gets SIGIO (or its F_SETSIG
 * signal, si_code POLL_MSG) and F_GETLEASE shows the type the lease must
 * become; the opener waits until the holder downgrades or removes it,
 * or /proc/sys/fs/lease-break-time seconds pass (then the lease is
 * downgraded or removed for it), or fails at once with EWOULDBLOCK under
 * O_NONBLOCK.  A lease goes with the last reference to its file.
 *
 * Lock: klock, held by every caller; an opener sleeps in task_sleep.
 */
#include "../kernel.h"
#include "fs.h"

#include <stdlib.h>
#include <sys/stat.h>

#define CAP_LEASE_   28
#define POLL_MSG_    3
#define LEASE_HASH   256

long lease_break_time = 45;
long sysctl_leases_enable = 1;

struct lease {
	struct list_head link;        /* lease_inode.leases */
	struct file *file;            /* the holder (not referenced: removed at release) */
	int fd;                       /* the descriptor it was set through: si_fd */
	int type;                     /* F_RDLCK or F_WRLCK */
	int target;                   /* breaking: F_RDLCK or F_UNLCK; -1 not breaking */
	uint64_t deadline;            /* breaking: when it is forced (CLOCK_MONOTONIC ns) */
};

struct lease_inode {
	struct lease_inode *next;     /* hash chain */
	uint64_t dev, ino;
	int readers, writers;         /* read-only opens, writable opens (with openers breaking) */
	int denied;                   /* mms running it (Linux's negative i_writecount): ETXTBSY */
	int breakers;                 /* openers waiting in break_lease */
	struct list_head leases;
	struct wait_queue wait;       /* openers waiting for a break */
};

static struct lease_inode *lease_hash[LEASE_HASH];

static unsigned lease_bucket(uint64_t dev, uint64_t ino)
{
	return (unsigned)((dev * 0x9e3779b97f4a7c15ULL) ^ ino) % LEASE_HASH;
}

static struct lease_inode *li_find(uint64_t dev, uint64_t ino, bool make)
{
	struct lease_inode **pp = &lease_hash[lease_bucket(dev, ino)], *li;
	for (li = *pp; li; li = li->next)
		if (li->dev == dev && li->ino == ino)
			return li;
	if (!make || !(li = calloc(1, sizeof(*li))))
		return NULL;
	li->dev = dev;
	li->ino = ino;
	list_init(&li->leases);
	waitq_init(&li->wait);
	li->next = *pp;
	*pp = li;
	return li;
}

/* Frees li once nothing uses it. */
static void li_maybe_free(struct lease_inode *li)
{
	if (li->readers || li->writers || li->breakers || li->denied || !list_empty(&li->leases))
		return;
	struct lease_inode **pp = &lease_hash[lease_bucket(li->dev, li->ino)];
	while (*pp != li)
		pp = &(*pp)->next;
	*pp = li->next;
	free(li);
}

static bool writable(int flags)
{
	return (flags & O_ACCMODE) != O_RDONLY;
}

/*
 * inode_write_denied - whether a writable open or truncate of (dev, ino)
 * must fail with ETXTBSY: some process runs it (Linux's get_write_access
 * on a negative i_writecount).  -ETXTBSY or 0.
 */
int inode_write_denied(uint64_t dev, uint64_t ino)
{
	struct lease_inode *li = li_find(dev, ino, false);

	return li && li->denied ? -ETXTBSY : 0;
}

/*
 * file_deny_write - f (a regular file opened through the VFS) is about
 * to be run: -ETXTBSY if it is open for writing (Linux's
 * exe_file_deny_write_access), else 0 and writable opens of it fail
 * until file_allow_write.  check false: count only (fork's mm copy).
 */
int file_deny_write(struct file *f, bool check)
{
	struct lease_inode *li = f ? f->lease_ino : NULL;

	/* exe_file_deny_write_access: a pre-content watched file may be
	 * written (its HSM fills it) while it runs, and run while open for
	 * writing */
	if (!li || f->fsnotify_hsm)
		return 0;
	if (check && li->writers)
		return -ETXTBSY;
	li->denied++;
	return 0;
}

/* file_allow_write - undoes one file_deny_write of f. */
void file_allow_write(struct file *f)
{
	struct lease_inode *li = f ? f->lease_ino : NULL;

	if (li && !f->fsnotify_hsm && li->denied > 0) {
		li->denied--;
		li_maybe_free(li);
	}
}

void lease_file_opened(struct file *f, uint64_t dev, uint64_t ino)
{
	struct lease_inode *li = li_find(dev, ino, true);
	if (!li)
		return;
	if (writable(f->flags))
		li->writers++;
	else
		li->readers++;
	f->lease_ino = li;
}

static struct lease *lease_of(struct lease_inode *li, struct file *f)
{
	struct list_head *p;
	for (p = li->leases.next; p != &li->leases; p = p->next) {
		struct lease *l = list_entry(p, struct lease, link);
		if (l->file == f)
			return l;
	}
	return NULL;
}

static void lease_delete(struct lease_inode *li, struct lease *l)
{
	list_del(&l->link);
	free(l);
	wake_up(&li->wait);
}

void lease_file_release(struct file *f)
{
	struct lease_inode *li = f->lease_ino;
	struct lease *l;
	if (!li)
		return;
	while ((l = lease_of(li, f)))
		lease_delete(li, l);
	if (writable(f->flags))
		li->writers--;
	else
		li->readers--;
	f->lease_ino = NULL;
	li_maybe_free(li);
}

/* Linux's lease_modify: a new type for l (F_UNLCK deletes it); what it
 * was breaking for is satisfied as far as the new type goes. */
static void lease_modify(struct lease_inode *li, struct lease *l, int type)
{
	if (type == F_UNLCK) {
		lease_delete(li, l);
		return;
	}
	l->type = type;
	if (type == F_RDLCK && l->target == F_RDLCK)
		l->target = -1;   /* the downgrade asked for is done */
	wake_up(&li->wait);
}

/* Linux's check_conflicting_open: -EAGAIN if other opens forbid it. */
static int check_conflicting_open(struct lease_inode *li, struct file *f, int type)
{
	if (type == F_RDLCK)
		return li->writers ? -EAGAIN : 0;
	int self_w = writable(f->flags), self_r = !self_w;
	return li->writers != self_w || li->readers != self_r ? -EAGAIN : 0;
}

static long setlease(struct task *t, struct file *f, int fd, long arg)
{
	struct lease_inode *li = f->lease_ino;
	struct kstat st;
	if (arg != F_RDLCK && arg != F_WRLCK && arg != F_UNLCK)
		return -EINVAL;
	if (!sysctl_leases_enable)
		return -EINVAL;
	if (!f->ops->fstat || f->ops->fstat(f, &st))
		return -EINVAL;
	if (st.uid != t->cred.fsuid && !capable(t, CAP_LEASE_))
		return -EACCES;
	if (!S_ISREG(st.mode) || !li)
		return -EINVAL;
	struct lease *mine = lease_of(li, f);
	if (arg == F_UNLCK) {
		if (!mine)
			return -EAGAIN;
		lease_modify(li, mine, F_UNLCK);
		li_maybe_free(li);
		return 0;
	}
	int err = check_conflicting_open(li, f, (int)arg);
	if (err)
		return err;
	struct list_head *p;
	for (p = li->leases.next; p != &li->leases; p = p->next) {
		struct lease *o = list_entry(p, struct lease, link);
		if (o == mine)
			continue;
		/* no write lease beside another's lease; no new lease while
		 * another is being broken for a writer */
		if (arg == F_WRLCK || o->target == F_UNLCK)
			return -EAGAIN;
	}
	if (mine) {
		lease_modify(li, mine, (int)arg);
	} else {
		struct lease *l = calloc(1, sizeof(*l));
		if (!l)
			return -ENOMEM;
		l->file = f;
		l->fd = fd;
		l->type = (int)arg;
		l->target = -1;
		list_add_tail(&l->link, &li->leases);
	}
	fown_default(t, f);   /* the holder is told of breaks */
	return 0;
}

/*
 * lease_fcntl - F_SETLEASE (arg F_RDLCK, F_WRLCK or F_UNLCK) and
 * F_GETLEASE on f, set through descriptor fd.  F_SETLEASE: 0, -EINVAL
 * (not a regular file, bad arg), -EACCES (not the owner, no CAP_LEASE),
 * -EAGAIN (conflicting opens or leases, or no lease to remove).
 * F_GETLEASE: the lease type, or what it must become while broken.
 */
long lease_fcntl(struct task *t, struct file *f, int fd, int cmd, long arg)
{
	if (cmd == F_SETLEASE)
		return setlease(t, f, fd, (long)(int)arg);
	struct lease_inode *li = f->lease_ino;
	struct lease *l = li ? lease_of(li, f) : NULL;
	if (!l)
		return F_UNLCK;
	return l->target >= 0 ? l->target : l->type;
}

/* Does lease l conflict with an opener that writes (or not)? */
static bool conflicts(const struct lease *l, bool write)
{
	return write || l->type == F_WRLCK;
}

int break_lease(struct task *t, uint64_t dev, uint64_t ino, int flags)
{
	struct lease_inode *li = li_find(dev, ino, false);
	bool write = writable(flags);
	int err = 0;
	if (!li || list_empty(&li->leases))
		return 0;
	/* the opener counts from now on, as Linux's get_write_access does
	 * before break_lease: a holder cannot downgrade under a writer */
	li->breakers++;
	if (write)
		li->writers++;
	else
		li->readers++;
	for (;;) {
		uint64_t now = now_ns(CLOCK_MONOTONIC), first = 0;
		bool any = false;
		struct list_head *p, *n;
		list_for_each_safe(p, n, &li->leases) {
			struct lease *l = list_entry(p, struct lease, link);
			if (!conflicts(l, write))
				continue;
			int target = write ? F_UNLCK : F_RDLCK;
			if (l->target < 0 || (target == F_UNLCK && l->target == F_RDLCK)) {
				bool told = l->target >= 0;
				l->target = target;
				if (!told) {
					l->deadline = now + (uint64_t)lease_break_time * 1000000000ULL;
					send_sigio(l->file, l->fd, POLL_MSG_);
				}
			}
			if (now >= l->deadline) {
				/* the holder took too long: done for it */
				lease_modify(li, l, l->target);
				continue;
			}
			any = true;
			if (!first || l->deadline < first)
				first = l->deadline;
		}
		if (!any)
			break;
		if (flags & O_NONBLOCK) {
			err = -EWOULDBLOCK;
			break;
		}
		struct waiter w;
		waitq_add(&li->wait, &w, t);
		int r = task_sleep(t, first, -1, 0);
		waitq_del(&w);
		if (r == -EINTR) {
			err = -ERESTARTSYS;
			break;
		}
	}
	li->breakers--;
	if (write)
		li->writers--;
	else
		li->readers--;
	li_maybe_free(li);
	return err;
}
