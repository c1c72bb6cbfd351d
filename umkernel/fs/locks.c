/*
 * locks.c - advisory file locks: flock(2), fcntl(2) POSIX record locks
 * (F_GETLK, F_SETLK, F_SETLKW) and open-file-description locks
 * (F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW).
 *
 * In a nutshell (Linux's fs/locks.c): locks belong to an inode, named by
 * (st_dev, st_ino) from fstat, so every open of one file sees them.
 * flock locks are whole-file, shared or exclusive, owned by the open file
 * description: a conversion drops the old lock before it waits for the
 * new one, and they go when the description's last reference is dropped
 * (locks_file_release, from file_put).  Record locks are byte ranges,
 * read or write; a POSIX lock is owned by the process (thread group), an
 * OFD lock by the open file description.  Setting a lock over ranges the
 * owner already holds replaces them (splitting and merging as Linux
 * does); a conflicting lock of another owner gives EAGAIN, or a wait with
 * F_SETLKW.  A process's POSIX locks on an inode go when it closes any fd
 * of that inode (locks_remove_posix, from close/dup2/close_range) or
 * exits (locks_exit; owners that are gone are also purged lazily before
 * every conflict check, and F_SETLKW re-checks every 50 ms for that
 * reason).  Waiters sleep on one wait queue woken at every unlock.
 *
 * F_SETLKW fails with EDEADLK when the wait would close a cycle of
 * POSIX-lock owners waiting for each other (posix_locks_deadlock).
 * Not done: mandatory locks.
 *
 * Locking: everything runs under klock, held by the caller; task_sleep
 * drops it while a task waits for a lock, so conflicts are re-checked.
 */
#include "../kernel.h"
#include "fs.h"

#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#define OFFSET_MAX   INT64_MAX
#define RECHECK_NS   50000000ULL        /* F_SETLKW: re-check for dead owners */

struct flock_lock {
	struct list_head link;
	uint64_t dev, ino;
	struct file *file;            /* owner, not referenced */
	int type;                     /* LOCK_SH or LOCK_EX */
	int pid;                      /* the locker's tgid (/proc/locks) */
};

struct plock {
	struct list_head link;
	uint64_t dev, ino;
	bool ofd;
	uintptr_t owner;              /* tgid (POSIX) or struct file * (OFD) */
	int pid;                      /* l_pid reported: tgid, or -1 for OFD */
	int type;                     /* F_RDLCK or F_WRLCK */
	int64_t start, end;           /* inclusive; end OFFSET_MAX: to EOF and beyond */
};

struct linux_flock {
	int16_t l_type, l_whence;
	int64_t l_start, l_len;
	int32_t l_pid, pad;
};

static struct list_head flocks = LIST_HEAD_INIT(flocks);
static struct list_head plocks = LIST_HEAD_INIT(plocks);
static struct wait_queue lock_wait = { LIST_HEAD_INIT(lock_wait.waiters) };

static int file_inode(struct file *f, uint64_t *dev, uint64_t *ino, struct kstat *stp)
{
	struct kstat st;
	int err;

	if (!f->ops->fstat)
		return -EBADF;
	err = f->ops->fstat(f, &st);
	if (err)
		return err;
	*dev = st.dev;
	*ino = st.ino;
	if (stp)
		*stp = st;
	return 0;
}

static int wait_for_unlock(struct task *t, uint64_t deadline)
{
	struct waiter w;
	int err;

	waitq_add(&lock_wait, &w, t);
	err = task_sleep(t, deadline, -1, 0);
	waitq_del(&w);
	return err == -EINTR ? -ERESTARTSYS : 0;
}

/* ---- flock ---- */

/*
 * locks_flock - flock(2) on f: op LOCK_SH, LOCK_EX or LOCK_UN, with
 * LOCK_NB.  -EWOULDBLOCK under LOCK_NB when another open file description
 * holds a conflicting lock, -ERESTARTSYS if a signal cuts the wait,
 * -EINVAL for another op, -EBADF for an O_PATH file.
 */
long locks_flock(struct task *t, struct file *f, int op)
{
	bool nb = op & LOCK_NB;
	struct list_head *p, *n;
	struct flock_lock *fl;
	uint64_t dev, ino;
	int err;

	op &= ~LOCK_NB;
	if (f->flags & O_PATH)
		return -EBADF;
	if (op != LOCK_SH && op != LOCK_EX && op != LOCK_UN)
		return -EINVAL;
	err = file_inode(f, &dev, &ino, NULL);
	if (err)
		return err;
	list_for_each_safe(p, n, &flocks) {
		fl = list_entry(p, struct flock_lock, link);
		if (fl->file != f || fl->dev != dev || fl->ino != ino)
			continue;
		if (fl->type == op)
			return 0;
		list_del(&fl->link);    /* conversion: not atomic, as Linux */
		free(fl);
		wake_up(&lock_wait);
		break;
	}
	if (op == LOCK_UN)
		return 0;
	for (;;) {
		bool conflict = false;

		list_for_each_safe(p, n, &flocks) {
			fl = list_entry(p, struct flock_lock, link);
			if (fl->dev == dev && fl->ino == ino && fl->file != f &&
			    (op == LOCK_EX || fl->type == LOCK_EX)) {
				conflict = true;
				break;
			}
		}
		if (!conflict)
			break;
		if (nb || !t)
			return -EWOULDBLOCK;
		err = wait_for_unlock(t, 0);
		if (err)
			return err;
	}
	fl = calloc(1, sizeof(*fl));
	if (!fl)
		return -ENOMEM;
	fl->dev = dev;
	fl->ino = ino;
	fl->file = f;
	fl->type = op;
	fl->pid = t && t->tg ? t->tg->tgid : 0;
	list_add_tail(&fl->link, &flocks);
	return 0;
}

static void purge_dead_owners(void);

/*
 * locks_proc_show - /proc/locks: one line per lock held, numbered from 1,
 * as Linux's locks_show/lock_get_status print them:
 * "N: POSIX  ADVISORY  WRITE PID MAJ:MIN:INO START END" (OFDLCK with pid
 * -1, FLOCK for flock locks; END "EOF" for a lock to the end).  pidnr
 * turns a global tgid into the reader's number (0: not visible).
 * Returns a malloc'd text in *out, or -ENOMEM.
 */
int locks_proc_show(int (*pidnr)(int), char **out)
{
	struct list_head *p;
	size_t len = 0, cap = 256;
	char *buf = malloc(cap), line[160];
	long id = 0;

	if (!buf)
		return -ENOMEM;
	buf[0] = 0;
	purge_dead_owners();
	for (int pass = 0; pass < 2; pass++) {
		for (p = (pass ? &plocks : &flocks)->next; p != (pass ? &plocks : &flocks); p = p->next) {
			const char *kind, *rw;
			uint64_t dev, ino;
			int64_t start, end;
			int pid, n;

			if (pass) {
				struct plock *pl = list_entry(p, struct plock, link);
				kind = pl->ofd ? "OFDLCK" : "POSIX ";
				rw = pl->type == F_WRLCK ? "WRITE" : "READ";
				pid = pl->ofd ? -1 : pidnr(pl->pid);
				dev = pl->dev, ino = pl->ino, start = pl->start, end = pl->end;
			} else {
				struct flock_lock *fl = list_entry(p, struct flock_lock, link);
				kind = "FLOCK ";
				rw = fl->type == LOCK_EX ? "WRITE" : "READ";
				pid = pidnr(fl->pid);
				dev = fl->dev, ino = fl->ino, start = 0, end = OFFSET_MAX;
			}
			n = snprintf(line, sizeof line, "%ld: %s ADVISORY  %s %d %02x:%02x:%llu %lld ", ++id,
				     kind, rw, pid, major(dev), minor(dev), (unsigned long long)ino,
				     (long long)start);
			if (end == OFFSET_MAX)
				n += snprintf(line + n, sizeof line - n, "EOF\n");
			else
				n += snprintf(line + n, sizeof line - n, "%lld\n", (long long)end);
			if (len + n + 1 > cap) {
				char *nb = realloc(buf, cap = (len + n + 1) * 2);
				if (!nb) {
					free(buf);
					return -ENOMEM;
				}
				buf = nb;
			}
			memcpy(buf + len, line, n + 1);
			len += n;
		}
	}
	*out = buf;
	return 0;
}

/* ---- record locks ---- */

static bool owner_alive(int tgid)
{
	struct list_head *p, *n;

	list_for_each_safe(p, n, &all_tasks) {
		struct task *t = list_entry(p, struct task, all);

		if (t->tg && t->tg->tgid == tgid && t->state != TASK_ZOMBIE && t->state != TASK_DEAD)
			return true;
	}
	return false;
}

/* Drops the POSIX locks of processes that are gone. */
static void purge_dead_owners(void)
{
	struct list_head *p, *n;
	bool woke = false;

	list_for_each_safe(p, n, &plocks) {
		struct plock *pl = list_entry(p, struct plock, link);

		if (!pl->ofd && !owner_alive(pl->pid)) {
			list_del(&pl->link);
			free(pl);
			woke = true;
		}
	}
	if (woke)
		wake_up(&lock_wait);
}

static struct plock *find_conflict(const struct plock *req)
{
	struct list_head *p, *n;

	list_for_each_safe(p, n, &plocks) {
		struct plock *pl = list_entry(p, struct plock, link);

		if (pl->dev != req->dev || pl->ino != req->ino)
			continue;
		if (pl->ofd == req->ofd && pl->owner == req->owner)
			continue;
		if (pl->end < req->start || pl->start > req->end)
			continue;
		if (pl->type == F_WRLCK || req->type == F_WRLCK)
			return pl;
	}
	return NULL;
}

static struct plock *plock_new(const struct plock *tmpl, int64_t start, int64_t end, int type)
{
	struct plock *pl = malloc(sizeof(*pl));

	if (!pl)
		return NULL;
	*pl = *tmpl;
	pl->start = start;
	pl->end = end;
	pl->type = type;
	list_init(&pl->link);
	return pl;
}

/* Puts pl among its owner's locks on the inode in start order, or at the
 * end if the owner has none there: Linux's per-inode list, which F_GETLK
 * searches front to back (posix_lock_inode's insertion points). */
static void plock_insert(struct plock *pl)
{
	struct list_head *p, *after = NULL;

	for (p = plocks.next; p != &plocks; p = p->next) {
		struct plock *o = list_entry(p, struct plock, link);

		if (o->dev != pl->dev || o->ino != pl->ino || o->ofd != pl->ofd || o->owner != pl->owner)
			continue;
		if (o->start > pl->start) {
			list_add_tail(&pl->link, p);   /* before o */
			return;
		}
		after = p;
	}
	if (after)
		list_add_tail(&pl->link, after->next);
	else
		list_add_tail(&pl->link, &plocks);
}

/*
 * Applies req (F_RDLCK/F_WRLCK/F_UNLCK over [start, end]) to its owner's
 * locks on the inode: overlapped locks of another type are cut back,
 * overlapping or adjacent ones of the same type merged (Linux's
 * posix_lock_inode).  -ENOMEM leaves the owner's locks unchanged.
 */
static int apply_lock(const struct plock *req)
{
	struct list_head pieces = LIST_HEAD_INIT(pieces), *p, *n;
	int64_t s = req->start, e = req->end;
	struct plock *pl, *a, *b;

	/* first pass: allocate the pieces that survive around the range */
	list_for_each_safe(p, n, &plocks) {
		pl = list_entry(p, struct plock, link);
		if (pl->dev != req->dev || pl->ino != req->ino || pl->ofd != req->ofd ||
		    pl->owner != req->owner)
			continue;
		if (req->type == pl->type) {
			bool touch = !(pl->end < s && (pl->end == OFFSET_MAX || pl->end + 1 < s)) &&
				     !(pl->start > e && (e == OFFSET_MAX || e + 1 < pl->start));
			if (touch) {
				if (pl->start < s)
					s = pl->start;
				if (pl->end > e)
					e = pl->end;
			}
			continue;
		}
		if (pl->end < req->start || pl->start > req->end)
			continue;
		a = pl->start < req->start ? plock_new(pl, pl->start, req->start - 1, pl->type) : NULL;
		b = pl->end > req->end ? plock_new(pl, req->end + 1, pl->end, pl->type) : NULL;
		if ((pl->start < req->start && !a) || (pl->end > req->end && !b)) {
			free(a);
			free(b);
			goto nomem;
		}
		if (a)
			list_add_tail(&a->link, &pieces);
		if (b)
			list_add_tail(&b->link, &pieces);
	}
	pl = NULL;
	if (req->type != F_UNLCK) {
		pl = plock_new(req, s, e, req->type);
		if (!pl)
			goto nomem;
	}
	/* second pass: drop every lock of the owner touching [s, e] */
	list_for_each_safe(p, n, &plocks) {
		struct plock *o = list_entry(p, struct plock, link);

		if (o->dev != req->dev || o->ino != req->ino || o->ofd != req->ofd ||
		    o->owner != req->owner)
			continue;
		if (o->type == req->type) {
			if (o->start >= s && o->end <= e) {
				list_del(&o->link);
				free(o);
			}
		} else if (!(o->end < req->start || o->start > req->end)) {
			list_del(&o->link);
			free(o);
		}
	}
	list_for_each_safe(p, n, &pieces) {
		list_del(p);
		plock_insert(list_entry(p, struct plock, link));
	}
	if (pl)
		plock_insert(pl);
	wake_up(&lock_wait);
	return 0;
nomem:
	list_for_each_safe(p, n, &pieces) {
		list_del(p);
		free(list_entry(p, struct plock, link));
	}
	return -ENOMEM;
}

/* The F_SETLKW requests waiting now, for deadlock detection. */
struct blocked_req {
	struct list_head link;
	const struct plock *req;
};
static struct list_head blocked_reqs = LIST_HEAD_INIT(blocked_reqs);

/*
 * posix_locks_deadlock - would req, blocked by lock `block`, wait for
 * itself?  Follows "the owner of the blocking lock waits for a lock
 * whose owner waits for ..." (POSIX locks only) and says yes when the
 * chain comes back to req's owner (Linux's posix_locks_deadlock, with
 * its bound on the chain's length).
 */
static bool posix_locks_deadlock(const struct plock *req, const struct plock *block)
{
	for (int i = 0; i < 10 && block; i++) {
		const struct plock *next = NULL;
		struct list_head *p;

		for (p = blocked_reqs.next; p != &blocked_reqs; p = p->next) {
			const struct plock *w = list_entry(p, struct blocked_req, link)->req;

			if (!w->ofd && w->owner == block->owner) {
				next = find_conflict(w);
				if (next)
					break;
			}
		}
		if (!next || next->ofd)
			return false;
		if (next->owner == req->owner)
			return true;
		block = next;
	}
	return false;
}

/* struct flock to an absolute range (Linux's flock_to_posix_lock). */
static int flock_range(struct file *f, const struct linux_flock *fl, const struct kstat *st,
		       int64_t *start, int64_t *end)
{
	int64_t base, s;

	switch (fl->l_whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = f->pos;
		break;
	case SEEK_END:
		base = st->size;
		break;
	default:
		return -EINVAL;
	}
	if (__builtin_add_overflow(base, fl->l_start, &s))
		return -EOVERFLOW;
	if (s < 0)
		return -EINVAL;
	if (fl->l_len > 0) {
		if (fl->l_len - 1 > OFFSET_MAX - s)
			return -EOVERFLOW;
		*start = s;
		*end = s + fl->l_len - 1;
	} else if (fl->l_len == 0) {
		*start = s;
		*end = OFFSET_MAX;
	} else {
		if (s + fl->l_len < 0)
			return -EINVAL;
		*start = s + fl->l_len;
		*end = s - 1;
	}
	return 0;
}

/*
 * locks_fcntl - fcntl(2)'s lock commands on f with a struct flock at
 * guest address arg.  F_GETLK/F_OFD_GETLK write back the first
 * conflicting lock (l_pid: the owning process, -1 for an OFD lock) or
 * l_type F_UNLCK.  F_SETLK/F_OFD_SETLK: -EAGAIN on a conflict; the W
 * forms wait (-ERESTARTSYS on a signal).  -EINVAL for a bad l_type,
 * l_whence or start, or an OFD command with l_pid not 0; -EBADF when the
 * file's access mode does not allow the lock type; -EOVERFLOW, -EFAULT.
 */
long locks_fcntl(struct task *t, struct file *f, int cmd, uint64_t arg)
{
	bool ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
	bool wait = cmd == F_SETLKW || cmd == F_OFD_SETLKW;
	struct linux_flock fl;
	struct plock req, *c;
	struct kstat st;
	int acc = f->flags & O_ACCMODE;
	long r;

	if (f->flags & O_PATH)
		return -EBADF;
	if (copy_from_user(t, &fl, arg, sizeof(fl)))
		return -EFAULT;
	if (ofd && fl.l_pid != 0)
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	r = file_inode(f, &req.dev, &req.ino, &st);
	if (r)
		return r;
	r = flock_range(f, &fl, &st, &req.start, &req.end);
	if (r)
		return r;
	req.ofd = ofd;
	req.owner = ofd ? (uintptr_t)f : (uintptr_t)t->tg->tgid;
	req.pid = ofd ? -1 : t->tg->tgid;
	req.type = fl.l_type;
	purge_dead_owners();

	if (cmd == F_GETLK || cmd == F_OFD_GETLK) {
		if (fl.l_type != F_RDLCK && fl.l_type != F_WRLCK)
			return -EINVAL;
		c = find_conflict(&req);
		if (!c) {
			fl.l_type = F_UNLCK;
		} else {
			fl.l_type = c->type;
			fl.l_whence = SEEK_SET;
			fl.l_start = c->start;
			fl.l_len = c->end == OFFSET_MAX ? 0 : c->end - c->start + 1;
			/* the owner as the reader's pid namespace numbers it, 0 if
			 * not there (locks_translate_pid) */
			fl.l_pid = c->pid < 0 ? -1 : global_nr_ns(c->pid, task_active_pid_ns(t));
		}
		return copy_to_user(t, arg, &fl, sizeof(fl)) ? -EFAULT : 0;
	}
	switch (fl.l_type) {
	case F_RDLCK:
		if (acc == O_WRONLY)
			return -EBADF;
		break;
	case F_WRLCK:
		if (acc == O_RDONLY)
			return -EBADF;
		break;
	case F_UNLCK:
		return apply_lock(&req);
	default:
		return -EINVAL;
	}
	struct blocked_req br = { .req = &req };
	bool queued = false;
	while ((c = find_conflict(&req))) {
		if (!wait || !t) {
			r = -EAGAIN;
			goto out;
		}
		if (!ofd && !c->ofd && posix_locks_deadlock(&req, c)) {
			r = -EDEADLK;
			goto out;
		}
		if (!queued) {
			list_add_tail(&br.link, &blocked_reqs);
			queued = true;
		}
		r = wait_for_unlock(t, now_ns(CLOCK_MONOTONIC) + RECHECK_NS);
		if (r)
			goto out;
		purge_dead_owners();
	}
	r = apply_lock(&req);
out:
	if (queued)
		list_del(&br.link);
	return r;
}

/* ---- releasing ---- */

/*
 * locks_file_release - the last reference to open file description f is
 * gone: its flock locks and OFD locks are released.
 */
void locks_file_release(struct file *f)
{
	struct list_head *p, *n;
	bool woke = false;

	list_for_each_safe(p, n, &flocks) {
		struct flock_lock *fl = list_entry(p, struct flock_lock, link);

		if (fl->file == f) {
			list_del(&fl->link);
			free(fl);
			woke = true;
		}
	}
	list_for_each_safe(p, n, &plocks) {
		struct plock *pl = list_entry(p, struct plock, link);

		if (pl->ofd && pl->owner == (uintptr_t)f) {
			list_del(&pl->link);
			free(pl);
			woke = true;
		}
	}
	if (woke)
		wake_up(&lock_wait);
}

/*
 * locks_remove_posix - t's process closes an fd of f: its POSIX locks on
 * f's inode are released (Linux's locks_remove_posix from filp_close).
 */
void locks_remove_posix(struct task *t, struct file *f)
{
	struct list_head *p, *n;
	uint64_t dev, ino;
	bool woke = false;

	if (list_empty(&plocks) || !t->tg || file_inode(f, &dev, &ino, NULL))
		return;
	list_for_each_safe(p, n, &plocks) {
		struct plock *pl = list_entry(p, struct plock, link);

		if (!pl->ofd && pl->owner == (uintptr_t)t->tg->tgid && pl->dev == dev &&
		    pl->ino == ino) {
			list_del(&pl->link);
			free(pl);
			woke = true;
		}
	}
	if (woke)
		wake_up(&lock_wait);
}

/* locks_exit - process tgid is gone: every POSIX lock it held is released. */
void locks_exit(int tgid)
{
	struct list_head *p, *n;
	bool woke = false;

	list_for_each_safe(p, n, &plocks) {
		struct plock *pl = list_entry(p, struct plock, link);

		if (!pl->ofd && pl->owner == (uintptr_t)tgid) {
			list_del(&pl->link);
			free(pl);
			woke = true;
		}
	}
	if (woke)
		wake_up(&lock_wait);
}
