/*
 * msg.c - SysV message queues: msgget, msgsnd, msgrcv, msgctl (Linux's
 * ipc/msg.c; msgget(2), msgop(2), msgctl(2)).
 *
 * In a nutshell: a queue is a list of typed messages in arrival order,
 * bounded by msg_qbytes (bytes, and messages: Linux counts both against
 * it).  msgrcv takes the first message that its type selects (any, that
 * type, not that type with MSG_EXCEPT, or the lowest type up to |type|),
 * or copies the Nth with MSG_COPY.  A sender finding the queue full and a
 * receiver finding nothing sleep; a sender hands its message straight to
 * the first sleeping receiver that wants it (pipelined_send), and a
 * receiver whose buffer is too small for that message is woken with
 * E2BIG, as Linux's.  IPC_RMID wakes everyone with EIDRM.
 *
 * Lock: klock, held by every caller.
 */
#include "ipc.h"
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MSGSSZ  16
#define MSGPOOL (32000 * 16384 / 1024)
#define MSGMAP  16384
#define MSGTQL  16384
#define MSGSEG  0xffff

enum { SEARCH_ANY = 1, SEARCH_EQUAL, SEARCH_NOTEQUAL, SEARCH_LESSEQUAL, SEARCH_NUMBER };

struct msg_msg {
	struct list_head link;
	long type;
	size_t ts;                    /* text size */
	char text[];
};

struct msg_receiver {
	struct list_head link;
	struct task *task;
	int mode;
	long type;
	long maxsize;
	struct msg_msg *msg;          /* handed over; NULL while waiting */
	int err;                      /* woken with -E2BIG, -EIDRM, or -EAGAIN: look again */
};

struct msg_sender {
	struct list_head link;
	struct task *task;
	size_t msgsz;
	bool woken;
	bool removed;                 /* woken by IPC_RMID */
};

struct msg_queue {
	struct kern_ipc_perm perm;    /* first: the id table holds &perm */
	int64_t stime, rtime, ctime;
	uint64_t cbytes, qnum, qbytes;
	int lspid, lrpid;
	struct list_head messages;
	struct list_head receivers;
	struct list_head senders;
};

static struct ipc_ids *msg_ids(struct ipc_namespace *ns)
{
	return &ns->ids[IPC_MSG_IDS];
}

static struct msg_queue *msq_of(struct kern_ipc_perm *p)
{
	return (struct msg_queue *)p;
}

/* ---- msgget ---- */

static int newque(struct task *t, struct ipc_namespace *ns, int32_t key, int msgflg, uint64_t arg)
{
	struct msg_queue *msq = calloc(1, sizeof(*msq));
	int err;

	(void)arg;
	if (!msq)
		return -ENOMEM;
	msq->perm.key = key;
	msq->perm.mode = msgflg & 0777;
	msq->ctime = ipc_now();
	msq->qbytes = ns->msg_ctlmnb;
	list_init(&msq->messages);
	list_init(&msq->receivers);
	list_init(&msq->senders);
	err = ipc_addid(t, msg_ids(ns), &msq->perm, ns->msg_ctlmni);
	if (err < 0) {
		free(msq);
		return err;
	}
	return msq->perm.id;
}

/* msgget(key, msgflg): the queue's id; -ENOENT, -EEXIST, -EACCES, -ENOSPC. */
long sys_msgget(struct task *t, struct sysargs *a)
{
	static const struct ipc_ops ops = { .getnew = newque };

	return ipcget(t, task_ipc_ns(t), IPC_MSG_IDS, &ops, arg_int(a, 0), arg_int(a, 1), 0);
}

/* ---- sending and receiving ---- */

static bool msg_fits(struct msg_queue *msq, size_t msgsz)
{
	return msgsz + msq->cbytes <= msq->qbytes && 1 + msq->qnum <= msq->qbytes;
}

static bool testmsg(struct msg_msg *m, long type, int mode)
{
	switch (mode) {
	case SEARCH_ANY:
	case SEARCH_NUMBER:
		return true;
	case SEARCH_LESSEQUAL:
		return m->type <= type;
	case SEARCH_EQUAL:
		return m->type == type;
	case SEARCH_NOTEQUAL:
		return m->type != type;
	}
	return false;
}

/* Wakes the senders that now fit (all of them with kill). */
static void ss_wakeup(struct msg_queue *msq, bool kill)
{
	struct list_head *p, *n;

	list_for_each_safe(p, n, &msq->senders) {
		struct msg_sender *s = list_entry(p, struct msg_sender, link);

		if (kill || msg_fits(msq, s->msgsz)) {
			list_del(&s->link);
			s->woken = true;
			s->removed = kill;
			task_wake(s->task);
		}
	}
}

static void expunge_all(struct msg_queue *msq, int err)
{
	struct list_head *p, *n;

	list_for_each_safe(p, n, &msq->receivers) {
		struct msg_receiver *r = list_entry(p, struct msg_receiver, link);

		list_del(&r->link);
		r->err = err;
		task_wake(r->task);
	}
}

/* Gives msg to the first receiver that wants it; true if taken. */
static bool pipelined_send(struct msg_queue *msq, struct msg_msg *msg)
{
	struct list_head *p, *n;

	list_for_each_safe(p, n, &msq->receivers) {
		struct msg_receiver *r = list_entry(p, struct msg_receiver, link);

		if (!testmsg(msg, r->type, r->mode))
			continue;
		list_del(&r->link);
		task_wake(r->task);
		if (r->maxsize < (long)msg->ts) {
			r->err = -E2BIG;
			continue;
		}
		msq->lrpid = r->task->tg->tgid;
		msq->rtime = ipc_now();
		r->msg = msg;
		return true;
	}
	return false;
}

/* msgsnd(msqid, msgp, msgsz, msgflg): 0, or -EINVAL (msgsz over msgmax,
 * mtype < 1, bad id), -EFAULT, -EACCES, -EAGAIN (full, IPC_NOWAIT),
 * -EIDRM, -EINTR.  Mirrors do_msgsnd. */
long sys_msgsnd(struct task *t, struct sysargs *a)
{
	int msqid = arg_int(a, 0), msgflg = arg_int(a, 3);
	uint64_t msgp = arg_ptr(a, 1);
	size_t msgsz = a->a[2];
	struct ipc_namespace *ns = task_ipc_ns(t);
	struct kern_ipc_perm *p;
	struct msg_queue *msq;
	struct msg_msg *msg;
	long mtype, r;

	if (copy_from_user(t, &mtype, msgp, sizeof(mtype)))
		return -EFAULT;
	if (msgsz > ns->msg_ctlmax || (long)msgsz < 0 || msqid < 0)
		return -EINVAL;
	if (mtype < 1)
		return -EINVAL;
	msg = malloc(sizeof(*msg) + msgsz);
	if (!msg)
		return -ENOMEM;
	if (copy_from_user(t, msg->text, msgp + sizeof(long), msgsz)) {
		free(msg);
		return -EFAULT;
	}
	msg->type = mtype;
	msg->ts = msgsz;
	for (;;) {
		struct msg_sender s = { .task = t, .msgsz = msgsz };
		int err;

		p = ipc_obtain_check(msg_ids(ns), msqid);
		if (!p) {
			r = -EINVAL;
			goto out;
		}
		msq = msq_of(p);
		if (ipcperms(t, p, S_IWUGO)) {
			r = -EACCES;
			goto out;
		}
		if (msg_fits(msq, msgsz))
			break;
		if (msgflg & L_IPC_NOWAIT) {
			r = -EAGAIN;
			goto out;
		}
		list_add_tail(&s.link, &msq->senders);
		do
			err = task_sleep(t, 0, -1, 0);
		while (!s.woken && err != -EINTR);
		if (!s.woken)
			list_del(&s.link);
		if (s.removed) {      /* msq is gone */
			r = -EIDRM;
			goto out;
		}
		if (err == -EINTR && !s.woken) {
			r = -ERESTARTNOHAND;
			goto out;
		}
	}
	msq->lspid = t->tg->tgid;
	msq->stime = ipc_now();
	if (!pipelined_send(msq, msg)) {
		list_add_tail(&msg->link, &msq->messages);
		msq->cbytes += msgsz;
		msq->qnum++;
		ns->msg_bytes += msgsz;
		ns->msg_hdrs++;
	}
	return 0;
out:
	free(msg);
	return r;
}

static struct msg_msg *find_msg(struct msg_queue *msq, long *type, int mode)
{
	struct msg_msg *found = NULL;
	struct list_head *p, *n;
	long count = 0;

	list_for_each_safe(p, n, &msq->messages) {
		struct msg_msg *m = list_entry(p, struct msg_msg, link);

		if (!testmsg(m, *type, mode))
			continue;
		if (mode == SEARCH_LESSEQUAL && m->type != 1) {
			*type = m->type - 1;
			found = m;
		} else if (mode == SEARCH_NUMBER) {
			if (*type == count)
				return m;
		} else {
			return m;
		}
		count++;
	}
	return found;
}

/* Stores mtype and up to bufsz bytes of msg at the guest's msgp. */
static long msg_fill(struct task *t, uint64_t msgp, struct msg_msg *msg, size_t bufsz)
{
	size_t n = bufsz > msg->ts ? msg->ts : bufsz;

	if (copy_to_user(t, msgp, &msg->type, sizeof(long)) ||
	    copy_to_user(t, msgp + sizeof(long), msg->text, n))
		return -EFAULT;
	return (long)n;
}

/* msgrcv(msqid, msgp, msgsz, msgtyp, msgflg): the text's size, or
 * -EINVAL (bad id, msgsz < 0, MSG_COPY without IPC_NOWAIT or with
 * MSG_EXCEPT), -E2BIG (message larger than msgsz without MSG_NOERROR),
 * -ENOMSG (nothing, IPC_NOWAIT), -EACCES, -EIDRM, -EINTR, -EFAULT.
 * Mirrors do_msgrcv. */
long sys_msgrcv(struct task *t, struct sysargs *a)
{
	int msqid = arg_int(a, 0), msgflg = arg_int(a, 4);
	uint64_t msgp = arg_ptr(a, 1);
	size_t bufsz = a->a[2];
	long msgtyp = arg_long(a, 3), r;
	struct ipc_namespace *ns = task_ipc_ns(t);
	struct msg_msg *msg = NULL;
	struct kern_ipc_perm *p;
	struct msg_queue *msq;
	bool copy = msgflg & L_MSG_COPY;
	size_t copysz = 0;
	int mode;

	if (msqid < 0 || (long)bufsz < 0)
		return -EINVAL;
	if (copy) {
		char *probe;

		if ((msgflg & L_MSG_EXCEPT) || !(msgflg & L_IPC_NOWAIT))
			return -EINVAL;
		/* prepare_copy: the buffer is read in first (EFAULT) */
		copysz = bufsz < ns->msg_ctlmax ? bufsz : ns->msg_ctlmax;
		probe = malloc(copysz + 1);
		if (!probe)
			return -ENOMEM;
		r = copy_from_user(t, probe, msgp, copysz);
		free(probe);
		if (r)
			return -EFAULT;
		mode = SEARCH_NUMBER;
	} else if (msgtyp == 0) {
		mode = SEARCH_ANY;
	} else if (msgtyp < 0) {
		msgtyp = msgtyp == LONG_MIN ? LONG_MAX : -msgtyp;
		mode = SEARCH_LESSEQUAL;
	} else {
		mode = (msgflg & L_MSG_EXCEPT) ? SEARCH_NOTEQUAL : SEARCH_EQUAL;
	}
	for (;;) {
		struct msg_receiver rcv = { .task = t };
		int err;

		p = ipc_obtain_check(msg_ids(ns), msqid);
		if (!p)
			return -EINVAL;
		msq = msq_of(p);
		if (ipcperms(t, p, S_IRUGO))
			return -EACCES;
		msg = find_msg(msq, &msgtyp, mode);
		if (msg) {
			if (bufsz < msg->ts && !(msgflg & L_MSG_NOERROR))
				return -E2BIG;
			if (copy) {
				if (msg->ts > copysz)
					return -EINVAL;     /* copy_msg: the copy is too small */
				return msg_fill(t, msgp, msg, bufsz);
			}
			list_del(&msg->link);
			msq->qnum--;
			msq->rtime = ipc_now();
			msq->lrpid = t->tg->tgid;
			msq->cbytes -= msg->ts;
			ns->msg_bytes -= msg->ts;
			ns->msg_hdrs--;
			ss_wakeup(msq, false);
			break;
		}
		if (msgflg & L_IPC_NOWAIT)
			return -ENOMSG;
		rcv.type = msgtyp;
		rcv.mode = mode;
		rcv.maxsize = (msgflg & L_MSG_NOERROR) ? INT_MAX : (long)bufsz;
		list_add_tail(&rcv.link, &msq->receivers);
		do
			err = task_sleep(t, 0, -1, 0);
		while (!rcv.msg && !rcv.err && err != -EINTR);
		if (rcv.msg) {
			msg = rcv.msg;
			break;
		}
		if (rcv.err == -EAGAIN)
			continue;     /* IPC_SET: look again (permissions may have changed) */
		if (rcv.err)
			return rcv.err;
		list_del(&rcv.link);
		return -ERESTARTNOHAND;
	}
	r = msg_fill(t, msgp, msg, bufsz);
	free(msg);
	return r;
}

/* ---- msgctl ---- */

static void freeque(struct ipc_namespace *ns, struct msg_queue *msq)
{
	struct list_head *p, *n;

	expunge_all(msq, -EIDRM);
	ss_wakeup(msq, true);
	ipc_rmid(msg_ids(ns), &msq->perm);
	list_for_each_safe(p, n, &msq->messages) {
		struct msg_msg *m = list_entry(p, struct msg_msg, link);

		list_del(&m->link);
		ns->msg_hdrs--;
		free(m);
	}
	ns->msg_bytes -= msq->cbytes;
	free(msq);
}

/* msgctl(msqid, cmd, buf): IPC_STAT, MSG_STAT, MSG_STAT_ANY, IPC_SET,
 * IPC_RMID, IPC_INFO, MSG_INFO; errors as ksys_msgctl (-EINVAL, -EACCES,
 * -EPERM: msg_qbytes over msgmnb without privilege, -EFAULT). */
long sys_msgctl(struct task *t, struct sysargs *a)
{
	int msqid = arg_int(a, 0), cmd = arg_int(a, 1), err;
	uint64_t buf = arg_ptr(a, 2);
	struct ipc_namespace *ns = task_ipc_ns(t);
	struct ipc_ids *ids = msg_ids(ns);
	struct linux_msqid64_ds ds;
	struct kern_ipc_perm *p;
	struct msg_queue *msq;

	if (msqid < 0 || cmd < 0)
		return -EINVAL;
	switch (cmd) {
	case L_IPC_INFO:
	case L_MSG_INFO: {
		struct linux_msginfo mi;

		memset(&mi, 0, sizeof(mi));
		mi.msgmni = ns->msg_ctlmni;
		mi.msgmax = ns->msg_ctlmax;
		mi.msgmnb = ns->msg_ctlmnb;
		mi.msgssz = MSGSSZ;
		mi.msgseg = MSGSEG;
		if (cmd == L_MSG_INFO) {
			mi.msgpool = ids->in_use;
			mi.msgmap = ns->msg_hdrs > INT_MAX ? INT_MAX : (int)ns->msg_hdrs;
			mi.msgtql = ns->msg_bytes > INT_MAX ? INT_MAX : (int)ns->msg_bytes;
		} else {
			mi.msgmap = MSGMAP;
			mi.msgpool = MSGPOOL;
			mi.msgtql = MSGTQL;
		}
		err = ipc_get_maxidx(ids);
		if (copy_to_user(t, buf, &mi, sizeof(mi)))
			return -EFAULT;
		return err < 0 ? 0 : err;
	}
	case L_MSG_STAT:
	case L_MSG_STAT_ANY:
	case L_IPC_STAT:
		p = cmd == L_IPC_STAT ? ipc_obtain_check(ids, msqid) : ipc_obtain_idx(ids, msqid);
		if (!p)
			return -EINVAL;
		if (cmd != L_MSG_STAT_ANY && ipcperms(t, p, S_IRUGO))
			return -EACCES;
		msq = msq_of(p);
		memset(&ds, 0, sizeof(ds));
		kernel_to_ipc64_perm(t, p, &ds.msg_perm);
		ds.msg_stime = msq->stime;
		ds.msg_rtime = msq->rtime;
		ds.msg_ctime = msq->ctime;
		ds.msg_cbytes = msq->cbytes;
		ds.msg_qnum = msq->qnum;
		ds.msg_qbytes = msq->qbytes;
		ds.msg_lspid = global_vnr(t, msq->lspid);
		ds.msg_lrpid = global_vnr(t, msq->lrpid);
		if (copy_to_user(t, buf, &ds, sizeof(ds)))
			return -EFAULT;
		return cmd == L_IPC_STAT ? 0 : p->id;
	case L_IPC_SET:
	case L_IPC_RMID:
		if (cmd == L_IPC_SET && copy_from_user(t, &ds, buf, sizeof(ds)))
			return -EFAULT;
		err = ipcctl_obtain_check(t, ids, msqid, &p);
		if (err)
			return err;
		msq = msq_of(p);
		if (cmd == L_IPC_RMID) {
			freeque(ns, msq);
			return 0;
		}
		/* msg_qbytes is an int to msgctl_down */
		if ((int)ds.msg_qbytes > (int)ns->msg_ctlmnb && !ipc_capable(t, CAP_SYS_RESOURCE))
			return -EPERM;
		err = ipc_update_perm(t, &ds.msg_perm, p);
		if (err)
			return err;
		msq->qbytes = (uint64_t)(int64_t)(int)ds.msg_qbytes;
		msq->ctime = ipc_now();
		/* sleeping receivers may have lost their permission; senders may fit */
		expunge_all(msq, -EAGAIN);
		ss_wakeup(msq, false);
		return 0;
	default:
		return -EINVAL;
	}
}

/* ---- namespace teardown and /proc/sysvipc/msg ---- */

void msg_exit_ns(struct ipc_namespace *ns)
{
	struct ipc_ids *ids = msg_ids(ns);

	for (int i = 0; i <= ids->max_idx && ids->in_use; i++) {
		struct kern_ipc_perm *p = ipc_obtain_idx(ids, i);

		if (p)
			freeque(ns, msq_of(p));
	}
}

void sysvipc_msg_show(struct ipc_namespace *ns, FILE *out)
{
	struct ipc_ids *ids = msg_ids(ns);

	fprintf(out, "       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid      stime      rtime      ctime\n");
	for (int i = 0; i <= ids->max_idx; i++) {
		struct kern_ipc_perm *p = ipc_obtain_idx(ids, i);
		struct msg_queue *msq;

		if (!p)
			continue;
		msq = msq_of(p);
		fprintf(out, "%10d %10d  %4o  %10llu %10llu %5u %5u %5u %5u %5u %5u %10lld %10lld %10lld\n",
			p->key, p->id, p->mode, (unsigned long long)msq->cbytes,
			(unsigned long long)msq->qnum, global_vnr(current, msq->lspid),
			global_vnr(current, msq->lrpid), ipc_uid_vnr(current, p->uid),
			ipc_gid_vnr(current, p->gid), ipc_uid_vnr(current, p->cuid),
			ipc_gid_vnr(current, p->cgid), (long long)msq->stime, (long long)msq->rtime, (long long)msq->ctime);
	}
}
