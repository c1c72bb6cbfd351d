/*
 * fasync.c - signal-driven I/O (Linux's fs/fcntl.c: f_setown, f_getown,
 * F_SETOWN_EX, F_SETSIG, fasync and send_sigio; fcntl(2), "Managing
 * signals"): a file's owner (a thread, a process or a process group) and
 * the signal it gets when the file becomes ready, once O_ASYNC is on.
 *
 * In a nutshell: O_ASYNC (F_SETFL or FIOASYNC) registers the file on its
 * own wait queues, as poll would, with waiters that run a function
 * instead of waking a task.  Whenever one of those queues is woken, the
 * file's poll op is asked for its mask and, if anything is ready, the
 * owner gets SIGIO (si_code SI_KERNEL) or the F_SETSIG signal with
 * si_code POLL_IN/POLL_OUT/POLL_HUP/POLL_ERR/POLL_PRI, si_band and
 * si_fd.  The permission to signal the owner is checked against the
 * credentials of whoever set it (Linux's sigio_perm).  Files that wait
 * on a host fd (host sockets, host ttys) have no wait queue: O_ASYNC is
 * accepted on them and never fires.
 *
 * Lock: klock, held by every caller (wake_up runs the waiters under it).
 */
#include "../kernel.h"
#include "fs.h"
#include "../security/landlock.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>

#define F_OWNER_TID_  0
#define F_OWNER_PID_  1
#define F_OWNER_PGRP_ 2
#define POLL_IN_  1
#define POLL_OUT_ 2
#define POLL_MSG_ 3
#define POLL_ERR_ 4
#define POLL_PRI_ 5
#define POLL_HUP_ 6

struct fown {
	struct pid *pid;              /* referenced; NULL: no owner */
	int type;                     /* F_OWNER_TID, F_OWNER_PID, F_OWNER_PGRP */
	int signum;                   /* F_SETSIG; 0: SIGIO */
	uint32_t uid, euid;           /* of whoever set the owner */
	/* O_ASYNC */
	struct file *file;
	int fd;                       /* the descriptor O_ASYNC was set through: si_fd */
	struct poll_table *pt;        /* registrations on the file's queues, or NULL */
	bool busy;                    /* a signal is being sent: no re-entry */
	struct landlock_domain *landlock;  /* the setter's, if it scopes signals (Landlock) */
};

static struct fown *fown_of(struct file *f)
{
	if (!f->fown) {
		f->fown = calloc(1, sizeof(*f->fown));
		if (f->fown)
			f->fown->file = f;
	}
	return f->fown;
}

static void fown_set(struct task *t, struct fown *o, struct pid *pid, int type)
{
	put_pid(o->pid);
	o->pid = pid ? get_pid(pid) : NULL;
	o->type = type;
	o->uid = t->cred.uid;
	o->euid = t->cred.euid;
	landlock_fown_set(t, &o->landlock, pid ? pid->task : NULL);
}

/* Linux's sigio_perm: may the owner's setter signal task p? */
static bool sigio_perm(const struct fown *o, const struct task *p)
{
	return o->euid == 0 || o->euid == p->cred.suid || o->euid == p->cred.uid || o->uid == p->cred.suid ||
	       o->uid == p->cred.uid;
}

static void sigio_one(struct fown *o, struct task *p, int fd, int reason, bool group)
{
	static const short band[] = {
		POLLIN | POLLRDNORM, POLLOUT | POLLWRNORM | POLLWRBAND, POLLIN | POLLRDNORM | POLLMSG,
		POLLERR, POLLPRI | POLLRDBAND, POLLHUP | POLLERR,
	};
	if (!p || p->state == TASK_ZOMBIE || p->state == TASK_DEAD || !sigio_perm(o, p))
		return;
	if (landlock_sigio_scoped(o->landlock, p))   /* LANDLOCK_SCOPE_SIGNAL */
		return;
	linux_siginfo_t si;
	memset(&si, 0, sizeof(si));
	if (o->signum) {
		si.si_signo = o->signum;
		si.si_code = reason;
		si.u.poll.band = reason >= POLL_IN_ && reason <= POLL_HUP_ ? band[reason - POLL_IN_] : 0;
		si.u.poll.fd = fd;
	} else {
		si.si_signo = SIGIO;
		si.si_code = 0x80;   /* SI_KERNEL */
	}
	send_signal(p, si.si_signo, &si, group);
}

void send_sigio(struct file *f, int fd, int reason)
{
	struct fown *o = f->fown;
	if (!o || !o->pid || o->busy)
		return;
	o->busy = true;
	struct pid *pid = o->pid;
	if (o->type == F_OWNER_PGRP_) {
		int pgid = pid_nr_ns(pid, &init_pid_ns);
		struct list_head *l;
		for (l = all_tasks.next; l != &all_tasks; l = l->next) {
			struct task *p = list_entry(l, struct task, all);
			if (p->tg && p->tg->leader == p && p->tg->pgid == pgid)
				sigio_one(o, p, fd, reason, true);
		}
	} else {
		sigio_one(o, pid->task, fd, reason, o->type == F_OWNER_PID_);
	}
	o->busy = false;
}

/* A wait queue of the file was woken: signal what is ready now. */
static void fasync_wake(struct waiter *w)
{
	struct fown *o = w->data;
	struct file *f = o->file;
	short mask = f->ops->poll ? f->ops->poll(f, NULL) : 0;
	int reason;
	if (mask & POLLIN)
		reason = POLL_IN_;
	else if (mask & POLLOUT)
		reason = POLL_OUT_;
	else if (mask & POLLHUP)
		reason = POLL_HUP_;
	else if (mask & POLLERR)
		reason = POLL_ERR_;
	else if (mask & POLLPRI)
		reason = POLL_PRI_;
	else
		return;
	send_sigio(f, o->fd, reason);
}

static void fasync_disarm(struct fown *o)
{
	if (!o->pt)
		return;
	for (int i = 0; i < o->pt->n; i++)
		waitq_del(&o->pt->w[i]);
	free(o->pt);
	o->pt = NULL;
}

/*
 * fasync_set - O_ASYNC on f, set (or cleared) through descriptor fd:
 * registers f's fasync waiters on its wait queues.  0 or -ENOMEM.
 */
int fasync_set(struct task *t, struct file *f, int fd, bool on)
{
	(void)t;
	struct fown *o = on ? fown_of(f) : f->fown;
	if (!o)
		return on ? -ENOMEM : 0;
	fasync_disarm(o);
	if (!on)
		return 0;
	o->fd = fd;
	o->pt = calloc(1, sizeof(*o->pt));
	if (!o->pt)
		return -ENOMEM;
	o->pt->func = fasync_wake;
	o->pt->func_data = o;
	o->pt->hostfd = -1;
	if (f->ops->poll)
		f->ops->poll(f, o->pt);
	return 0;
}

void fasync_file_release(struct file *f)
{
	struct fown *o = f->fown;
	if (!o)
		return;
	fasync_disarm(o);
	put_pid(o->pid);
	landlock_put(o->landlock);
	free(o);
	f->fown = NULL;
}

struct f_owner_ex_ { int32_t type, pid; };

/*
 * fown_fcntl - fcntl(2)'s owner and signal commands.  F_SETOWN: a pid,
 * or a process group as a negative number (-ESRCH if there is none,
 * 0 clears); F_GETOWN: the same back (0 if the owner is gone from the
 * caller's pid namespace); F_SETOWN_EX/F_GETOWN_EX: struct f_owner_ex
 * (-EINVAL for a bad type, -EFAULT); F_SETSIG: 0 (SIGIO) to 64, else
 * -EINVAL; F_GETSIG.
 */
long fown_fcntl(struct task *t, struct file *f, int cmd, uint64_t arg)
{
	struct pid_namespace *ns = task_active_pid_ns(t);
	struct fown *o;
	struct f_owner_ex_ ex;
	struct pid *pid = NULL;

	switch (cmd) {
	case F_GETOWN:
		o = f->fown;
		if (!o || !o->pid)
			return 0;
		return o->type == F_OWNER_PGRP_ ? -pid_nr_ns(o->pid, ns) : pid_nr_ns(o->pid, ns);
	case F_SETOWN: {
		int who = (int)arg, type = F_OWNER_PID_;
		if (who == INT32_MIN)
			return -EINVAL;
		if (who < 0) {
			type = F_OWNER_PGRP_;
			who = -who;
		}
		if (who && !(pid = find_pid_ns(who, ns)))
			return -ESRCH;
		if (!(o = fown_of(f)))
			return -ENOMEM;
		fown_set(t, o, pid, type);
		return 0;
	}
	case F_GETOWN_EX:
		memset(&ex, 0, sizeof(ex));
		o = f->fown;
		if (o) {
			ex.type = o->type;
			ex.pid = o->pid && (o->type == F_OWNER_PGRP_ || o->pid->task) ? pid_nr_ns(o->pid, ns) : 0;
		}
		return copy_to_user(t, arg, &ex, sizeof(ex)) ? -EFAULT : 0;
	case F_SETOWN_EX:
		if (copy_from_user(t, &ex, arg, sizeof(ex)))
			return -EFAULT;
		if (ex.type != F_OWNER_TID_ && ex.type != F_OWNER_PID_ && ex.type != F_OWNER_PGRP_)
			return -EINVAL;
		if (ex.pid && !(pid = find_pid_ns(ex.pid, ns)))
			return -ESRCH;
		if (!(o = fown_of(f)))
			return -ENOMEM;
		fown_set(t, o, pid, ex.type);
		return 0;
	case F_GETSIG:
		return f->fown ? f->fown->signum : 0;
	case F_SETSIG:
		if ((unsigned long)(long)(int)arg > 64)   /* valid_signal(), on the int */
			return -EINVAL;
		if (!(o = fown_of(f)))
			return -ENOMEM;
		o->signum = (int)arg;
		return 0;
	}
	return -EINVAL;
}

/* lease.c's lease holder gets told through the same owner: set it to t's
 * process unless an owner is set already (Linux's __f_setown, force 0). */
void fown_default(struct task *t, struct file *f)
{
	struct fown *o = fown_of(f);
	if (o && !o->pid)
		fown_set(t, o, task_tgid(t), F_OWNER_PID_);
}
