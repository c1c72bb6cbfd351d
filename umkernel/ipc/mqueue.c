/*
 * mqueue.c - POSIX message queues: mq_open, mq_unlink, mq_timedsend,
 * mq_timedreceive, mq_notify, mq_getsetattr, and the mqueue filesystem
 * that shows the queues as files (Linux's ipc/mqueue.c; mq_overview(7)).
 *
 * In a nutshell: each IPC namespace has one mqueue filesystem, a flat
 * directory (mode 1777) of queues, which mq_open/mq_unlink reach by name
 * and which /dev/mqueue (or any mount of type mqueue) shows; reading a
 * queue's file gives "QSIZE:... NOTIFY:... SIGNO:... NOTIFY_PID:...".  A
 * queue holds messages by priority (highest first, FIFO within one), up
 * to mq_maxmsg of at most mq_msgsize bytes.  A receiver finding it empty
 * and a sender finding it full sleep (until an absolute CLOCK_REALTIME
 * timeout); a sender hands its message straight to the longest-waiting
 * receiver, and a receiver that makes room takes the longest-waiting
 * sender's message into the queue, as Linux's pipelined send and
 * receive.  A message arriving on an empty queue that nobody is waiting
 * on fires the one registered notification (mq_notify), which then goes.
 * A queue lives while it has a name or an open file; its size counts
 * against its creator's RLIMIT_MSGQUEUE and the namespace's queues_max.
 *
 * Lock: klock, held by every caller.
 */
#include "ipc.h"
#include "../fs/tmpfs.h"
#include "../net/net.h"
#include <limits.h>
#include <dirent.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#define MQUEUE_MAGIC      0x19800202
#define MQ_PRIO_MAX       32768
#define HARD_MSGMAX       65536
#define HARD_MSGSIZEMAX   (16 * 1024 * 1024)
#define DIRENT_SIZE       20
#define FILENT_SIZE       80
#define NOTIFY_COOKIE_LEN 32
#define NOTIFY_WOKENUP    1
#define NOTIFY_REMOVED    2
#define SIGEV_SIGNAL_     0
#define SIGEV_NONE_       1
#define SIGEV_THREAD_     2
#define SI_MESGQ_         (-3)
/* what a queue of n messages of m bytes costs (Linux's mq_bytes: the
 * messages, one struct msg_msg each and a priority tree node each) */
#define MSG_MSG_SIZE      48
#define TREE_NODE_SIZE    48

struct mq_sigevent {           /* struct sigevent, 64 bytes */
	uint64_t value;
	int32_t signo, notify;
	int32_t pad[12];
};

struct mq_msg {
	struct list_head link;
	unsigned prio;
	size_t len;
	char data[];
};

/* A task sleeping in send or receive (Linux's ext_wait_queue). */
struct mq_waiter {
	struct list_head link;
	struct task *task;
	struct mq_msg *msg;           /* send: its message; receive: the one handed over */
	bool ready;
};

struct mqueue_fs {
	struct ipc_namespace *ns;     /* NULL once the namespace is gone */
	int sbs;                      /* superblocks of mount(2) that show it */
	struct list_head queues;      /* struct mq_queue.link, named queues in creation order */
	uint64_t dev;
	struct linux_timespec mtime, ctime;
};

struct mq_queue {
	struct list_head link;        /* fs->queues while named */
	struct mqueue_fs *fs;
	char *name;                   /* NULL once unlinked */
	int refs;                     /* the name and every open file */
	uint64_t ino;
	uint32_t mode, uid, gid;
	struct linux_timespec atime, mtime, ctime;
	long maxmsg, msgsize, curmsgs;
	uint64_t qsize;               /* bytes of messages queued */
	struct list_head msgs;        /* struct mq_msg, highest priority first */
	struct list_head receivers, senders;   /* struct mq_waiter, oldest first */
	struct wait_queue wq;         /* pollers */
	/* accounting */
	struct ucounts *ucounts;      /* its creator, charged mq_bytes (RLIMIT_MSGQUEUE) */
	uint64_t mq_bytes;
	/* the notification */
	int notify_owner;             /* tgid, 0 if none */
	struct mq_sigevent notify;
	struct file *notify_sock;     /* SIGEV_THREAD: the netlink socket */
	uint8_t cookie[NOTIFY_COOKIE_LEN];
};

static const struct file_ops mq_file_ops, mq_dir_ops;

static struct mqueue_fs *mq_fs(struct ipc_namespace *ns)
{
	static uint64_t devs;

	if (!ns->mq) {
		ns->mq = calloc(1, sizeof(*ns->mq));
		if (!ns->mq)
			return NULL;
		ns->mq->ns = ns;
		list_init(&ns->mq->queues);
		ns->mq->dev = 0x100f00 + devs++;     /* an anonymous device of its own */
		ns->mq->mtime = ns->mq->ctime = ts_now();
	}
	return ns->mq;
}

static struct mq_queue *mq_find(struct mqueue_fs *fs, const char *name)
{
	struct list_head *p, *n;

	list_for_each_safe(p, n, &fs->queues) {
		struct mq_queue *q = list_entry(p, struct mq_queue, link);

		if (!strcmp(q->name, name))
			return q;
	}
	return NULL;
}

static int count_queues(struct mqueue_fs *fs)
{
	struct list_head *p, *n;
	int c = 0;

	list_for_each_safe(p, n, &fs->queues)
		c++;
	return c;
}

/* The notification goes (mq_notify(NULL), a close by its owner, after it fired). */
static void remove_notification(struct mq_queue *q)
{
	if (q->notify_owner && q->notify.notify == SIGEV_THREAD_ && q->notify_sock) {
		q->cookie[NOTIFY_COOKIE_LEN - 1] = NOTIFY_REMOVED;
		netlink_mq_deliver(q->notify_sock, q->cookie, NOTIFY_COOKIE_LEN);
	}
	if (q->notify_sock)
		file_put(q->notify_sock);
	q->notify_sock = NULL;
	q->notify_owner = 0;
}

static void mq_put(struct mq_queue *q)
{
	struct list_head *p, *n;

	if (--q->refs > 0)
		return;
	list_for_each_safe(p, n, &q->msgs) {
		list_del(p);
		free(list_entry(p, struct mq_msg, link));
	}
	if (q->notify_sock)
		file_put(q->notify_sock);
	ucounts_sub(q->ucounts, UCOUNT_RLIMIT_MSGQUEUE, (long)q->mq_bytes);
	if (q->fs->ns)
		q->fs->ns->mq_queues_count--;
	free(q->name);
	free(q);
}

static void mq_unlink_queue(struct mq_queue *q)
{
	list_del(&q->link);
	free(q->name);
	q->name = NULL;
	q->fs->mtime = q->fs->ctime = ts_now();
	mq_put(q);
}

void mq_exit_ns(struct ipc_namespace *ns)
{
	struct list_head *p, *n;

	if (!ns->mq)
		return;
	/* a mount that outlives the namespace keeps its queues, as the
	 * superblock keeps its dentries in Linux (mq_clear_sbinfo only
	 * cuts it from the namespace): they go with the last such mount */
	if (!ns->mq->sbs)
		list_for_each_safe(p, n, &ns->mq->queues)
			mq_unlink_queue(list_entry(p, struct mq_queue, link));
	/* the filesystem stays, without its namespace: open queues and
	 * mounts still point to it; creating in it is EACCES */
	ns->mq->ns = NULL;
	ns->mq = NULL;
}

/* mqueue_create_attr + mqueue_get_inode: a new named queue.  attr NULL:
 * the namespace's defaults.  -ENOSPC (queues_max), -EINVAL (attributes
 * out of range), -EOVERFLOW, -EMFILE (RLIMIT_MSGQUEUE). */
static int mq_create(struct task *t, struct mqueue_fs *fs, const char *name, uint32_t mode,
		     const struct linux_mq_attr *attr, struct mq_queue **out)
{
	struct ipc_namespace *ns = fs->ns;
	long maxmsg, msgsize;
	uint64_t bytes, tree, rlim;
	struct ucounts *u;
	struct mq_queue *q;

	if (!ns)
		return -EACCES;   /* the namespace is gone: a mount outlived it */
	if (ns->mq_queues_count >= ns->mq_queues_max && !ipc_capable(t, CAP_SYS_RESOURCE))
		return -ENOSPC;
	maxmsg = ns->mq_msg_max < ns->mq_msg_default ? ns->mq_msg_max : ns->mq_msg_default;
	msgsize = ns->mq_msgsize_max < ns->mq_msgsize_default ? ns->mq_msgsize_max
							       : ns->mq_msgsize_default;
	if (attr) {
		maxmsg = attr->mq_maxmsg;
		msgsize = attr->mq_msgsize;
	}
	if (maxmsg <= 0 || msgsize <= 0)
		return -EINVAL;
	if (ipc_capable(t, CAP_SYS_RESOURCE)) {
		if (maxmsg > HARD_MSGMAX || msgsize > HARD_MSGSIZEMAX)
			return -EINVAL;
	} else if (maxmsg > ns->mq_msg_max || msgsize > ns->mq_msgsize_max) {
		return -EINVAL;
	}
	if ((uint64_t)msgsize > ULONG_MAX / (uint64_t)maxmsg)
		return -EOVERFLOW;
	tree = (uint64_t)maxmsg * MSG_MSG_SIZE +
	       (uint64_t)(maxmsg < MQ_PRIO_MAX ? maxmsg : MQ_PRIO_MAX) * TREE_NODE_SIZE;
	bytes = (uint64_t)maxmsg * msgsize;
	if (bytes + tree < bytes)
		return -EOVERFLOW;
	bytes += tree;
	u = ucounts_get(t ? t->cred.uid : 0);
	if (!u)
		return -ENOMEM;
	rlim = t ? t->tg->rlim[RLIMIT_MSGQUEUE].rlim_cur : UINT64_MAX;
	if (bytes > LONG_MAX ||
	    !ucounts_add(u, UCOUNT_RLIMIT_MSGQUEUE, (long)bytes, rlim > LONG_MAX ? LONG_MAX : (long)rlim))
		return -EMFILE;
	q = calloc(1, sizeof(*q));
	if (!q || !(q->name = strdup(name))) {
		free(q);
		ucounts_sub(u, UCOUNT_RLIMIT_MSGQUEUE, (long)bytes);
		return -ENOMEM;
	}
	ns->mq_queues_count++;
	q->fs = fs;
	q->refs = 1;
	q->ino = tnode_next_ino();
	q->mode = mode & 07777;
	q->uid = cur_fsuid();
	q->gid = cur_fsgid();
	q->atime = q->mtime = q->ctime = ts_now();
	q->maxmsg = maxmsg;
	q->msgsize = msgsize;
	q->ucounts = u;
	q->mq_bytes = bytes;
	list_init(&q->msgs);
	list_init(&q->receivers);
	list_init(&q->senders);
	waitq_init(&q->wq);
	list_add_tail(&q->link, &fs->queues);
	fs->mtime = fs->ctime = q->ctime;
	*out = q;
	return 0;
}

static void queue_stat(struct mq_queue *q, struct kstat *st)
{
	memset(st, 0, sizeof(*st));
	st->dev = q->fs->dev;
	st->ino = q->ino;
	st->nlink = q->name ? 1 : 0;
	st->mode = S_IFREG | q->mode;
	st->uid = q->uid;
	st->gid = q->gid;
	st->size = FILENT_SIZE;
	st->blksize = 4096;
	st->atime = q->atime;
	st->mtime = q->mtime;
	st->ctime = q->ctime;
}

static void root_stat(struct mqueue_fs *fs, struct kstat *st)
{
	memset(st, 0, sizeof(*st));
	st->dev = fs->dev;
	st->ino = 1;
	st->nlink = 2;
	st->mode = S_IFDIR | S_ISVTX | 0777;
	st->size = 2 * DIRENT_SIZE + DIRENT_SIZE * count_queues(fs);
	st->blksize = 4096;
	st->atime = st->mtime = fs->mtime;
	st->ctime = fs->ctime;
}

/* A file of queue q (mq_open, or open() of its name on a mount). */
static int mq_open_file(struct mq_queue *q, int flags, const char *path, struct file **out)
{
	struct file *f = file_alloc(&mq_file_ops, flags, path);

	if (!f)
		return -ENOMEM;
	q->refs++;
	f->priv = q;
	*out = f;
	return 0;
}

/* ---- messages ---- */

static void msg_insert(struct mq_queue *q, struct mq_msg *m)
{
	struct list_head *p, *n;

	q->curmsgs++;
	q->qsize += m->len;
	list_for_each_safe(p, n, &q->msgs) {
		if (list_entry(p, struct mq_msg, link)->prio < m->prio) {
			list_add_tail(&m->link, p);
			return;
		}
	}
	list_add_tail(&m->link, &q->msgs);
}

static struct mq_msg *msg_get(struct mq_queue *q)
{
	struct mq_msg *m;

	if (list_empty(&q->msgs))
		return NULL;
	m = list_entry(q->msgs.next, struct mq_msg, link);
	list_del(&m->link);
	q->curmsgs--;
	q->qsize -= m->len;
	return m;
}

/* __do_notify: a message arrived on an empty queue nobody waits on. */
static void do_notify(struct task *t, struct mq_queue *q)
{
	if (q->notify_owner && q->curmsgs == 1) {
		struct task *owner = task_find(q->notify_owner);

		switch (q->notify.notify) {
		case SIGEV_SIGNAL_:
			if (q->notify.signo && owner && owner->tg && owner->tg->tgid == q->notify_owner &&
			    owner->state != TASK_ZOMBIE && owner->state != TASK_DEAD) {
				linux_siginfo_t si;

				memset(&si, 0, sizeof(si));
				si.si_signo = q->notify.signo;
				si.si_code = SI_MESGQ_;
				si.u.rt.pid = global_nr_ns(t->tg->tgid, task_active_pid_ns(owner));
				si.u.rt.uid = t->cred.uid;
				si.u.rt.sigval = q->notify.value;
				send_signal(owner, q->notify.signo, &si, true);
			}
			break;
		case SIGEV_THREAD_:
			q->cookie[NOTIFY_COOKIE_LEN - 1] = NOTIFY_WOKENUP;
			netlink_mq_deliver(q->notify_sock, q->cookie, NOTIFY_COOKIE_LEN);
			break;
		}
		if (q->notify_sock)
			file_put(q->notify_sock);
		q->notify_sock = NULL;
		q->notify_owner = 0;
	}
	wake_up(&q->wq);
}

/* The queue file behind mqdes, open for what acc asks (FMODE_READ/WRITE):
 * -EBADF if none. */
static struct file *mq_fd(struct task *t, int fd, int need)
{
	struct file *f = fd_get(t, fd);
	int acc;

	if (!f)
		return NULL;
	acc = f->flags & O_ACCMODE;
	if (f->ops != &mq_file_ops || (f->flags & O_PATH) ||
	    (need == O_WRONLY && acc != O_WRONLY && acc != O_RDWR) ||
	    (need == O_RDONLY && acc != O_RDONLY && acc != O_RDWR)) {
		file_put(f);
		return NULL;
	}
	return f;
}

/* An absolute CLOCK_REALTIME timeout as a CLOCK_MONOTONIC deadline
 * (never 0: 0 means none to task_sleep). */
static uint64_t mono_deadline(const struct linux_timespec *ts)
{
	uint64_t rt = now_ns(CLOCK_REALTIME), mn = now_ns(CLOCK_MONOTONIC);
	uint64_t d = ts->tv_sec < 0 ? 0 : (uint64_t)ts->tv_sec * 1000000000ULL + ts->tv_nsec;

	return d > rt ? mn + (d - rt) : 1;
}

static int get_timeout(struct task *t, uint64_t uts, struct linux_timespec *ts)
{
	if (copy_from_user(t, ts, uts, sizeof(*ts)))
		return -EFAULT;
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000L)
		return -EINVAL;
	return 0;
}

/* wq_sleep: waits on list (receivers or senders) until made ready, a
 * signal (-ERESTARTSYS) or the deadline (-ETIMEDOUT). */
static int wq_sleep(struct task *t, struct list_head *list, struct mq_waiter *w, uint64_t deadline)
{
	int err;

	w->task = t;
	list_add_tail(&w->link, list);
	for (;;) {
		err = task_sleep(t, deadline, -1, 0);
		if (w->ready)
			return 0;
		if (err == -EINTR) {
			err = -ERESTARTSYS;
			break;
		}
		if (err == -ETIMEDOUT)
			break;
	}
	list_del(&w->link);
	return err;
}

/* mq_timedsend(mqdes, msg, len, prio, abs_timeout): 0, or -EINVAL (prio
 * over MQ_PRIO_MAX, bad timeout), -EBADF (not a queue open for writing),
 * -EMSGSIZE, -EFAULT, -EAGAIN (full, O_NONBLOCK), -ETIMEDOUT, -EINTR.
 * Mirrors do_mq_timedsend. */
long sys_mq_timedsend(struct task *t, struct sysargs *a)
{
	unsigned prio = arg_uint(a, 3);
	size_t len = a->a[2];
	struct linux_timespec ts;
	uint64_t deadline = 0;
	struct mq_waiter w = { 0 };
	struct mq_queue *q;
	struct mq_msg *m;
	struct file *f;
	long r;

	if (arg_ptr(a, 4)) {
		r = get_timeout(t, arg_ptr(a, 4), &ts);
		if (r)
			return r;
	}
	if (prio >= MQ_PRIO_MAX)
		return -EINVAL;
	f = mq_fd(t, arg_int(a, 0), O_WRONLY);
	if (!f)
		return -EBADF;
	q = f->priv;
	if (len > (size_t)q->msgsize) {
		r = -EMSGSIZE;
		goto out;
	}
	m = malloc(sizeof(*m) + len);
	if (!m) {
		r = -ENOMEM;
		goto out;
	}
	if (copy_from_user(t, m->data, arg_ptr(a, 1), len)) {
		free(m);
		r = -EFAULT;
		goto out;
	}
	m->len = len;
	m->prio = prio;
	if (q->curmsgs == q->maxmsg) {
		if (f->flags & O_NONBLOCK) {
			free(m);
			r = -EAGAIN;
			goto out;
		}
		if (arg_ptr(a, 4))
			deadline = mono_deadline(&ts);
		w.msg = m;
		r = wq_sleep(t, &q->senders, &w, deadline);
		if (r)
			free(m);  /* not taken */
		goto out;
	}
	if (!list_empty(&q->receivers)) {
		/* pipelined_send: straight to the longest-waiting receiver */
		struct mq_waiter *rcv = list_entry(q->receivers.next, struct mq_waiter, link);

		list_del(&rcv->link);
		rcv->msg = m;
		rcv->ready = true;
		task_wake(rcv->task);
	} else {
		msg_insert(q, m);
		do_notify(t, q);
	}
	q->atime = q->mtime = q->ctime = ts_now();
	r = 0;
out:
	file_put(f);
	return r;
}

/* mq_timedreceive(mqdes, buf, len, prio_ptr, abs_timeout): the message's
 * length, or -EBADF, -EMSGSIZE (len under mq_msgsize), -EAGAIN, -ETIMEDOUT,
 * -EINTR, -EINVAL (bad timeout), -EFAULT (the message is lost then, as in
 * Linux).  Mirrors do_mq_timedreceive. */
long sys_mq_timedreceive(struct task *t, struct sysargs *a)
{
	uint64_t ubuf = arg_ptr(a, 1), uprio = arg_ptr(a, 3);
	size_t len = a->a[2];
	struct linux_timespec ts;
	struct mq_waiter w = { 0 };
	struct mq_queue *q;
	struct mq_msg *m;
	struct file *f;
	long r;

	if (arg_ptr(a, 4)) {
		r = get_timeout(t, arg_ptr(a, 4), &ts);
		if (r)
			return r;
	}
	f = mq_fd(t, arg_int(a, 0), O_RDONLY);
	if (!f)
		return -EBADF;
	q = f->priv;
	if (len < (size_t)q->msgsize) {
		r = -EMSGSIZE;
		goto out;
	}
	if (q->curmsgs == 0) {
		if (f->flags & O_NONBLOCK) {
			r = -EAGAIN;
			goto out;
		}
		r = wq_sleep(t, &q->receivers, &w, arg_ptr(a, 4) ? mono_deadline(&ts) : 0);
		if (r)
			goto out;
		m = w.msg;
	} else {
		m = msg_get(q);
		q->atime = q->mtime = q->ctime = ts_now();
		/* pipelined_receive: the longest-waiting sender's message goes in */
		if (!list_empty(&q->senders)) {
			struct mq_waiter *snd = list_entry(q->senders.next, struct mq_waiter, link);

			list_del(&snd->link);
			msg_insert(q, snd->msg);
			snd->ready = true;
			task_wake(snd->task);
		} else {
			wake_up(&q->wq);
		}
	}
	r = (long)m->len;
	if ((uprio && copy_to_user(t, uprio, &m->prio, sizeof(m->prio))) ||
	    copy_to_user(t, ubuf, m->data, m->len))
		r = -EFAULT;
	free(m);
out:
	file_put(f);
	return r;
}

/* mq_notify(mqdes, sevp): registers (or with NULL, as the owner,
 * removes) the notification.  -EINVAL (bad sigev_notify or signal),
 * -EBADF, -EBUSY (another registration), -EFAULT, for SIGEV_THREAD
 * -ENOTSOCK/-EINVAL (sigev_signo is no netlink socket).  Mirrors
 * do_mq_notify. */
long sys_mq_notify(struct task *t, struct sysargs *a)
{
	uint64_t usev = arg_ptr(a, 1);
	struct mq_sigevent ev;
	uint8_t cookie[NOTIFY_COOKIE_LEN];
	struct file *sock = NULL, *f;
	struct mq_queue *q;
	long r;

	if (usev) {
		if (copy_from_user(t, &ev, usev, sizeof(ev)))
			return -EFAULT;
		if (ev.notify != SIGEV_NONE_ && ev.notify != SIGEV_SIGNAL_ && ev.notify != SIGEV_THREAD_)
			return -EINVAL;
		if (ev.notify == SIGEV_SIGNAL_ && (unsigned)ev.signo > LINUX_NSIG)
			return -EINVAL;
		if (ev.notify == SIGEV_THREAD_) {
			if (copy_from_user(t, cookie, ev.value, NOTIFY_COOKIE_LEN))
				return -EFAULT;
			sock = fd_get(t, ev.signo);
			if (!sock)
				return -EBADF;
			r = netlink_mq_check(sock);
			if (r) {
				file_put(sock);
				return r;
			}
		}
	}
	f = fd_get(t, arg_int(a, 0));
	if (!f || f->ops != &mq_file_ops) {
		r = -EBADF;
		goto out;
	}
	q = f->priv;
	r = 0;
	if (!usev) {
		if (q->notify_owner == t->tg->tgid) {
			remove_notification(q);
			q->atime = q->ctime = ts_now();
		}
	} else if (q->notify_owner) {
		r = -EBUSY;
	} else {
		q->notify = ev;
		if (ev.notify == SIGEV_THREAD_) {
			q->notify_sock = sock;
			memcpy(q->cookie, cookie, sizeof(cookie));
			sock = NULL;
		}
		q->notify_owner = t->tg->tgid;
		q->atime = q->ctime = ts_now();
	}
out:
	file_put(f);
	file_put(sock);
	return r;
}

/* mq_getsetattr(mqdes, newattr, oldattr): only O_NONBLOCK of mq_flags can
 * be set.  -EINVAL (other flags), -EBADF, -EFAULT. */
long sys_mq_getsetattr(struct task *t, struct sysargs *a)
{
	uint64_t unew = arg_ptr(a, 1), uold = arg_ptr(a, 2);
	struct linux_mq_attr na, oa;
	struct mq_queue *q;
	struct file *f;

	if (unew) {
		if (copy_from_user(t, &na, unew, sizeof(na)))
			return -EFAULT;
		if (na.mq_flags & ~(int64_t)O_NONBLOCK)
			return -EINVAL;
	}
	f = fd_get(t, arg_int(a, 0));
	if (!f || f->ops != &mq_file_ops) {
		file_put(f);
		return -EBADF;
	}
	q = f->priv;
	memset(&oa, 0, sizeof(oa));
	oa.mq_flags = f->flags & O_NONBLOCK;
	oa.mq_maxmsg = q->maxmsg;
	oa.mq_msgsize = q->msgsize;
	oa.mq_curmsgs = q->curmsgs;
	if (unew) {
		if (na.mq_flags & O_NONBLOCK)
			f->flags |= O_NONBLOCK;
		else
			f->flags &= ~O_NONBLOCK;
		q->atime = q->ctime = ts_now();
	}
	file_put(f);
	if (uold && copy_to_user(t, uold, &oa, sizeof(oa)))
		return -EFAULT;
	return 0;
}

/* A queue name from the guest: -EFAULT, -ENOENT (empty), -ENAMETOOLONG,
 * -EACCES ("." "..", or a '/' in it: lookup_one_len). */
static int get_name(struct task *t, uint64_t uname, char *name)
{
	long r = strncpy_from_user(t, name, uname, PATH_MAX);

	if (r < 0)
		return r;
	if (!name[0])
		return -ENOENT;
	if (!strcmp(name, ".") || !strcmp(name, "..") || strchr(name, '/'))
		return -EACCES;
	if (strlen(name) > 255)
		return -ENAMETOOLONG;
	return 0;
}

/* mq_open(name, oflag, mode, attr): an fd of the queue, created with
 * O_CREAT (mode & ~umask; attr or the defaults).  -ENOENT, -EEXIST,
 * -EACCES, -EINVAL (attributes; O_WRONLY|O_RDWR on an existing queue),
 * -ENOSPC, -EMFILE, -ENAMETOOLONG, -EFAULT.  Mirrors do_mq_open. */
long sys_mq_open(struct task *t, struct sysargs *a)
{
	int oflag = arg_int(a, 1);
	uint32_t mode = arg_uint(a, 2);
	uint64_t uattr = arg_ptr(a, 3);
	struct linux_mq_attr attr;
	struct mqueue_fs *fs = mq_fs(task_ipc_ns(t));
	char *name = malloc(PATH_MAX), path[260];
	struct mq_queue *q;
	struct kstat st;
	struct file *f;
	long r;

	if (!name || !fs) {
		free(name);
		return -ENOMEM;
	}
	if (uattr && copy_from_user(t, &attr, uattr, sizeof(attr))) {
		r = -EFAULT;
		goto out;
	}
	r = get_name(t, arg_ptr(a, 0), name);
	if (r)
		goto out;
	q = mq_find(fs, name);
	if (!q) {
		if (!(oflag & O_CREAT)) {
			r = -ENOENT;
			goto out;
		}
		r = mq_create(t, fs, name, mode & ~(t->fs ? t->fs->umask : 022),
			      uattr ? &attr : NULL, &q);
		if (r)
			goto out;
	} else {
		static const int acc[3] = { R_OK, W_OK, R_OK | W_OK };

		if ((oflag & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL)) {
			r = -EEXIST;
			goto out;
		}
		if ((oflag & O_ACCMODE) == O_ACCMODE) {
			r = -EINVAL;
			goto out;
		}
		queue_stat(q, &st);
		r = vfs_permission(t, &st, acc[oflag & O_ACCMODE]);
		if (r)
			goto out;
	}
	snprintf(path, sizeof(path), "/%s", name);
	r = mq_open_file(q, (oflag & (O_ACCMODE | O_NONBLOCK)) | O_LARGEFILE, path, &f);
	if (r)
		goto out;
	r = fd_install(t, 0, f, oflag & O_CLOEXEC);
out:
	free(name);
	return r;
}

/* Removing another user's queue from the sticky mqueue directory:
 * EACCES, as Linux answers mq_unlink then. */
static int may_delete(struct task *t, struct mq_queue *q)
{
	uint32_t fsuid = t ? t->cred.fsuid : 0;

	if (fsuid && fsuid != q->uid)
		return -EACCES;
	return 0;
}

/* mq_unlink(name): 0, -ENOENT, -EACCES, -ENAMETOOLONG, -EFAULT. */
long sys_mq_unlink(struct task *t, struct sysargs *a)
{
	struct mqueue_fs *fs = mq_fs(task_ipc_ns(t));
	char *name = malloc(PATH_MAX);
	struct mq_queue *q;
	long r;

	if (!name || !fs) {
		free(name);
		return -ENOMEM;
	}
	r = get_name(t, arg_ptr(a, 0), name);
	if (!r && !(q = mq_find(fs, name)))
		r = -ENOENT;
	if (!r)
		r = may_delete(t, q);
	if (!r)
		mq_unlink_queue(q);
	free(name);
	return r;
}

/* ---- the queue files ---- */

static ssize_t mqf_read(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	struct mq_queue *q = f->priv;
	char text[FILENT_SIZE];
	size_t len;

	(void)t;
	snprintf(text, sizeof(text), "QSIZE:%-10llu NOTIFY:%-5d SIGNO:%-5d NOTIFY_PID:%-6d\n",
		 (unsigned long long)q->qsize, q->notify_owner ? q->notify.notify : 0,
		 q->notify_owner && q->notify.notify == SIGEV_SIGNAL_ ? q->notify.signo : 0,
		 global_vnr(t ? t : current, q->notify_owner));
	len = strlen(text);
	if (*pos < 0)
		return -EINVAL;
	if ((uint64_t)*pos >= len)
		return 0;
	if (n > len - *pos)
		n = len - *pos;
	memcpy(buf, text + *pos, n);
	*pos += n;
	q->atime = q->ctime = ts_now();
	return n;
}

static short mqf_poll(struct file *f, struct poll_table *pt)
{
	struct mq_queue *q = f->priv;
	short r = 0;

	if (pt)
		poll_wait(pt, &q->wq);
	if (q->curmsgs)
		r |= POLLIN | POLLRDNORM;
	if (q->curmsgs < q->maxmsg)
		r |= POLLOUT | POLLWRNORM;
	return r;
}

static int mqf_fstat(struct file *f, struct kstat *st)
{
	queue_stat(f->priv, st);
	return 0;
}

static int mqf_setattr(struct file *f, int what, uint32_t mode, uint32_t uid, uint32_t gid,
		       const struct linux_timespec *ts)
{
	struct mq_queue *q = f->priv;

	if (what & ATTR_MODE)
		q->mode = mode & 07777;
	if (what & ATTR_OWNER) {
		if (uid != (uint32_t)-1)
			q->uid = uid;
		if (gid != (uint32_t)-1)
			q->gid = gid;
	}
	if ((what & ATTR_TIMES) && ts) {
		if (ts[0].tv_nsec != UTIME_OMIT)
			q->atime = ts[0];
		if (ts[1].tv_nsec != UTIME_OMIT)
			q->mtime = ts[1];
	}
	q->ctime = ts_now();
	return 0;
}

/* mqueue_flush_file: a close by the registered process removes its notification. */
static void mqf_flush(struct task *t, struct file *f)
{
	struct mq_queue *q = f->priv;

	if (t && q->notify_owner && q->notify_owner == t->tg->tgid)
		remove_notification(q);
}

static void mqf_release(struct file *f)
{
	mq_put(f->priv);
}

static const struct file_ops mq_file_ops = {
	.read = mqf_read,
	.poll = mqf_poll,
	.fstat = mqf_fstat,
	.setattr = mqf_setattr,
	.flush = mqf_flush,
	.release = mqf_release,
	.seekable = true,
};

/* ---- the filesystem (mounted at /dev/mqueue) ---- */

static struct mqueue_fs *FS(struct mount *m)
{
	return m->priv;
}

static int mqd_fstat(struct file *f, struct kstat *st)
{
	root_stat(f->priv, st);
	return 0;
}

static int mqd_readdir(struct file *f, struct dir_entry **ents, size_t *n)
{
	struct mqueue_fs *fs = f->priv;
	struct list_head *p, *nx;
	size_t cap = 0;

	*ents = NULL;
	*n = 0;
	/* newest first, as the dcache lists them */
	for (p = fs->queues.prev; p != &fs->queues; p = p->prev) {
		struct mq_queue *q = list_entry(p, struct mq_queue, link);
		int err = dents_add(ents, n, &cap, q->ino, DT_REG, q->name);

		if (err)
			return err;
	}
	(void)nx;
	return 0;
}

static const struct file_ops mq_dir_ops = {
	.fstat = mqd_fstat,
	.readdir = mqd_readdir,
	.seekable = true,
};

static int mqfs_lookup(struct mount *m, const char *rel, struct kstat *st)
{
	struct mq_queue *q;

	if (!*rel) {
		root_stat(FS(m), st);
		return 0;
	}
	if (strchr(rel, '/'))
		return -ENOTDIR;
	q = mq_find(FS(m), rel);
	if (!q)
		return -ENOENT;
	queue_stat(q, st);
	return 0;
}

static int mqfs_open(struct mount *m, const char *rel, int flags, uint32_t mode, struct file **out)
{
	struct mq_queue *q;
	int err;

	if (!*rel) {
		struct file *f = file_alloc(&mq_dir_ops, flags, m->path);

		if (!f)
			return -ENOMEM;
		f->priv = FS(m);
		*out = f;
		return 0;
	}
	if (strchr(rel, '/'))
		return -ENOTDIR;
	q = mq_find(FS(m), rel);
	if (!q) {
		if (!(flags & O_CREAT))
			return -ENOENT;
		/* open(O_CREAT) on the filesystem: the default attributes */
		err = mq_create(current, FS(m), rel, mode, NULL, &q);
		if (err)
			return err;
	}
	return mq_open_file(q, flags, rel, out);
}

static int mqfs_unlink(struct mount *m, const char *rel)
{
	struct mq_queue *q = mq_find(FS(m), rel);
	int err;

	if (!q)
		return -ENOENT;
	err = may_delete(current, q);
	if (!err)
		mq_unlink_queue(q);
	return err;
}

static int mqfs_eperm(void)
{
	return -EPERM;
}

static int mqfs_mkdir(struct mount *m, const char *rel, uint32_t mode)
{
	(void)m, (void)rel, (void)mode;
	return mqfs_eperm();
}

static int mqfs_mknod(struct mount *m, const char *rel, uint32_t mode, uint64_t dev)
{
	(void)m, (void)rel, (void)mode, (void)dev;
	return mqfs_eperm();
}

static int mqfs_rmdir(struct mount *m, const char *rel)
{
	(void)m;
	return *rel ? -ENOTDIR : -EBUSY;
}

static int mqfs_symlink(struct mount *m, const char *target, const char *rel)
{
	(void)m, (void)target, (void)rel;
	return mqfs_eperm();
}

static int mqfs_link(struct mount *m, const char *old, const char *new_)
{
	(void)m, (void)old, (void)new_;
	return mqfs_eperm();
}

static int mqfs_rename(struct mount *m, const char *old, const char *new_, unsigned flags)
{
	(void)m, (void)old, (void)new_, (void)flags;
	return -EPERM;
}

static int mqfs_setattr(struct mount *m, const char *rel, int what, uint32_t mode, uint32_t uid,
			uint32_t gid, const struct linux_timespec *ts)
{
	struct mq_queue *q;
	struct file f = { 0 };

	if (!*rel)
		return -EPERM;
	q = mq_find(FS(m), rel);
	if (!q)
		return -ENOENT;
	f.priv = q;
	return mqf_setattr(&f, what, mode, uid, gid, ts);
}

static int mqfs_truncate(struct mount *m, const char *rel, uint64_t len)
{
	(void)m, (void)rel, (void)len;
	return -EINVAL;
}

static int mqfs_statfs(struct mount *m, struct linux_statfs *st)
{
	(void)m;
	memset(st, 0, sizeof(*st));
	st->f_type = MQUEUE_MAGIC;
	st->f_bsize = st->f_frsize = 4096;
	st->f_namelen = 255;
	return 0;
}

const struct fs_ops mqueue_fs_ops = {
	.name = "mqueue",
	.lookup = mqfs_lookup,
	.open = mqfs_open,
	.mkdir = mqfs_mkdir,
	.mknod = mqfs_mknod,
	.rmdir = mqfs_rmdir,
	.unlink = mqfs_unlink,
	.symlink = mqfs_symlink,
	.link = mqfs_link,
	.rename = mqfs_rename,
	.setattr = mqfs_setattr,
	.truncate = mqfs_truncate,
	.statfs = mqfs_statfs,
};

int mqueue_mount(struct task *t, const char *path)
{
	struct mqueue_fs *fs = mq_fs(task_ipc_ns(t));

	if (!fs)
		return -ENOMEM;
	return vfs_mount(path, &mqueue_fs_ops, fs, "mqueue", "mqueue");
}

/* The last mount(2) of fs went: with its namespace gone, so do its queues. */
static void mq_sb_kill(void *priv)
{
	struct mqueue_fs *fs = priv;
	struct list_head *p, *n;

	if (--fs->sbs > 0 || fs->ns)
		return;
	list_for_each_safe(p, n, &fs->queues)
		mq_unlink_queue(list_entry(p, struct mq_queue, link));
}

/* mount -t mqueue: the filesystem of the mounter's IPC namespace (Linux's
 * mq_get_tree), through fs/namespace.c's type registry. */
static int mqueue_type_mount(struct task *t, const char *source, int flags, const char *data,
			     struct super_block **out)
{
	struct mqueue_fs *fs = mq_fs(task_ipc_ns(t));

	(void)flags, (void)data;
	if (!fs)
		return -ENOMEM;
	*out = sb_new(&mqueue_fs_ops, fs, "mqueue", source, mq_sb_kill);
	if (!*out)
		return -ENOMEM;
	fs->sbs++;
	(*out)->dev = fs->dev;
	return 0;
}

void mqueue_register(void)
{
	static struct fs_type mqueue_type = {
		.name = "mqueue", .flags = FS_USERNS_MOUNT, .mount = mqueue_type_mount,
	};

	register_filesystem(&mqueue_type);
}
