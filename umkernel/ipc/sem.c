/*
 * sem.c - SysV semaphores: semget, semop, semtimedop, semctl (Linux's
 * ipc/sem.c; semget(2), semop(2), semctl(2)).
 *
 * In a nutshell: a semaphore set is an array of values.  A semop applies
 * all of its operations or none: they are tried in order on a copy, and
 * the first one that cannot proceed (a decrement below zero, a wait for
 * zero on a non-zero value) either fails the call (IPC_NOWAIT: EAGAIN)
 * or queues the caller, which sleeps until a change lets the whole array
 * through, a signal (EINTR), the timeout (EAGAIN) or IPC_RMID (EIDRM).
 * After every change the queue is retried in order until nothing more
 * goes.  GETNCNT/GETZCNT count the sleepers whose blocking operation is
 * on that semaphore, as Linux since 3.16.  SEM_UNDO operations record
 * their inverse in the process's undo list, applied (and clamped to
 * [0, SEMVMX]) when its last user exits; SETVAL and SETALL clear them.
 *
 * Lock: klock, held by every caller.
 */
#include "ipc.h"
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SEMMAP  SEMMNS_
#define SEMUSZ  20
#define SEMMSL_ 32000
#define SEMMNS_ (32000 * 32000)

struct sem {
	int semval;
	int sempid;
	int64_t otime;
};

struct sem_queue {
	struct list_head link;        /* sma->pending, in arrival order */
	struct task *task;
	struct linux_sembuf *sops;
	int nsops;
	struct sem_undo *undo;
	int pid;
	bool alter;
	int status;                   /* 1 while waiting; 0 done, or -errno */
	const struct linux_sembuf *blocking;
};

struct sem_array {
	struct kern_ipc_perm perm;    /* first: the id table holds &perm */
	int64_t ctime;
	int nsems;
	struct list_head pending;     /* struct sem_queue */
	struct list_head list_id;     /* struct sem_undo.list_id */
	struct sem sems[];
};

struct sem_undo {
	struct list_head list_proc;   /* the process's undo list */
	struct list_head list_id;     /* the set's */
	struct sem_undo_list *ulp;
	int semid;                    /* -1 once the set is gone */
	short semadj[];
};

static struct ipc_ids *sem_ids(struct ipc_namespace *ns)
{
	return &ns->ids[IPC_SEM_IDS];
}

static struct sem_array *sma_of(struct kern_ipc_perm *p)
{
	return (struct sem_array *)p;
}

static int tgid_of(struct task *t)
{
	return t && t->tg ? t->tg->tgid : 0;
}

/* ---- semget ---- */

static int newary(struct task *t, struct ipc_namespace *ns, int32_t key, int semflg, uint64_t arg)
{
	int nsems = (int)arg, err;
	struct sem_array *sma;

	if (!nsems)
		return -EINVAL;
	if (ns->used_sems + nsems > ns->sc_semmns)
		return -ENOSPC;
	sma = calloc(1, sizeof(*sma) + nsems * sizeof(struct sem));
	if (!sma)
		return -ENOMEM;
	sma->perm.key = key;
	sma->perm.mode = semflg & 0777;
	sma->nsems = nsems;
	sma->ctime = ipc_now();
	list_init(&sma->pending);
	list_init(&sma->list_id);
	err = ipc_addid(t, sem_ids(ns), &sma->perm, ns->sc_semmni);
	if (err < 0) {
		free(sma);
		return err;
	}
	ns->used_sems += nsems;
	return sma->perm.id;
}

static int sem_more_checks(struct kern_ipc_perm *p, uint64_t nsems)
{
	return (int)nsems > sma_of(p)->nsems ? -EINVAL : 0;
}

/* semget(key, nsems, semflg): the set's id; -EINVAL (nsems < 0 or over
 * semmsl, 0 for a new set, more than an existing set has), -ENOSPC
 * (semmns, semmni), -ENOENT, -EEXIST, -EACCES. */
long sys_semget(struct task *t, struct sysargs *a)
{
	static const struct ipc_ops ops = { .getnew = newary, .more_checks = sem_more_checks };
	struct ipc_namespace *ns = task_ipc_ns(t);
	int nsems = arg_int(a, 1);

	if (nsems < 0 || nsems > ns->sc_semmsl)
		return -EINVAL;
	return ipcget(t, ns, IPC_SEM_IDS, &ops, arg_int(a, 0), arg_int(a, 2), (uint64_t)nsems);
}

/* ---- the operations ---- */

/* perform_atomic_semop: 0 done, 1 must wait (q->blocking set), or
 * -EAGAIN (IPC_NOWAIT), -ERANGE (over SEMVMX, or an adjustment out of
 * range).  The operations are applied in order and undone if one does
 * not go, so nothing changes unless all of it goes (Linux's
 * perform_atomic_semop_slow). */
static int perform_atomic_semop(struct sem_array *sma, struct sem_queue *q)
{
	int i, err = 0;

	for (i = 0; i < q->nsops; i++) {
		const struct linux_sembuf *sop = &q->sops[i];
		struct sem *s = &sma->sems[sop->sem_num];
		int result = s->semval + sop->sem_op;

		if ((!sop->sem_op && result) || result < 0) {
			q->blocking = sop;
			err = (sop->sem_flg & L_IPC_NOWAIT) ? -EAGAIN : 1;
			break;
		}
		if (result > SEMVMX) {
			err = -ERANGE;
			break;
		}
		if (sop->sem_flg & L_SEM_UNDO) {
			int undo = q->undo->semadj[sop->sem_num] - sop->sem_op;

			if (undo < -SEMAEM - 1 || undo > SEMAEM) {
				err = -ERANGE;
				break;
			}
			q->undo->semadj[sop->sem_num] = (short)undo;
		}
		s->semval = result;
	}
	if (err) {
		while (--i >= 0) {
			const struct linux_sembuf *sop = &q->sops[i];

			sma->sems[sop->sem_num].semval -= sop->sem_op;
			if (sop->sem_flg & L_SEM_UNDO)
				q->undo->semadj[sop->sem_num] += sop->sem_op;
		}
		return err;
	}
	for (i = 0; i < q->nsops; i++)
		sma->sems[q->sops[i].sem_num].sempid = q->pid;
	return 0;
}

static void set_semotime(struct sem_array *sma, const struct linux_sembuf *sops)
{
	sma->sems[sops ? sops[0].sem_num : 0].otime = ipc_now();
}

/* update_queue: retries the sleepers in order after a change; any that
 * goes (or fails) is woken.  Repeats while something went. */
static void update_queue(struct sem_array *sma)
{
	bool progress = true;

	while (progress) {
		struct list_head *p, *n;

		progress = false;
		list_for_each_safe(p, n, &sma->pending) {
			struct sem_queue *q = list_entry(p, struct sem_queue, link);
			int err = perform_atomic_semop(sma, q);

			if (err > 0)
				continue;
			list_del(&q->link);
			q->status = err;
			task_wake(q->task);
			if (!err) {
				set_semotime(sma, q->sops);
				if (q->alter) {
					progress = true;
					break;
				}
			}
		}
	}
}

static int count_semcnt(struct sem_array *sma, int semnum, bool zero)
{
	struct list_head *p, *n;
	int cnt = 0;

	list_for_each_safe(p, n, &sma->pending) {
		const struct linux_sembuf *sop = list_entry(p, struct sem_queue, link)->blocking;

		if (sop && sop->sem_num == semnum && (zero ? sop->sem_op == 0 : sop->sem_op < 0))
			cnt++;
	}
	return cnt;
}

/* find_alloc_undo: the process's undo entry for semid, made if missing. */
static int find_alloc_undo(struct task *t, struct ipc_namespace *ns, int semid,
			   struct sem_undo **out)
{
	struct sem_undo_list *ulp = t->sysvsem_undo;
	struct kern_ipc_perm *p;
	struct list_head *l, *n;
	struct sem_undo *un;

	if (!ulp) {
		ulp = calloc(1, sizeof(*ulp));
		if (!ulp)
			return -ENOMEM;
		ulp->refs = 1;
		list_init(&ulp->list_proc);
		t->sysvsem_undo = ulp;
	}
	list_for_each_safe(l, n, &ulp->list_proc) {
		un = list_entry(l, struct sem_undo, list_proc);
		if (un->semid == semid) {
			*out = un;
			return 0;
		}
	}
	p = ipc_obtain_check(sem_ids(ns), semid);
	if (!p)
		return -EINVAL;
	un = calloc(1, sizeof(*un) + sma_of(p)->nsems * sizeof(short));
	if (!un)
		return -ENOMEM;
	un->ulp = ulp;
	un->semid = semid;
	list_add_tail(&un->list_proc, &ulp->list_proc);
	list_add_tail(&un->list_id, &sma_of(p)->list_id);
	*out = un;
	return 0;
}

/* do_semtimedop - semop/semtimedop; timeout relative (NULL: none). */
static long do_semtimedop(struct task *t, int semid, uint64_t usops, unsigned nsops,
			  const struct linux_timespec *timeout)
{
	struct ipc_namespace *ns = task_ipc_ns(t);
	struct sem_queue q = { .task = t };
	struct kern_ipc_perm *p;
	struct sem_array *sma;
	uint64_t deadline = 0;
	bool undos = false;
	int max = 0, err;
	long r;

	if (nsops < 1 || semid < 0)
		return -EINVAL;
	if (nsops > (unsigned)ns->sc_semopm)
		return -E2BIG;
	q.sops = malloc(nsops * sizeof(*q.sops));
	if (!q.sops)
		return -ENOMEM;
	if (copy_from_user(t, q.sops, usops, nsops * sizeof(*q.sops))) {
		r = -EFAULT;
		goto out;
	}
	if (timeout) {
		if (timeout->tv_sec < 0 || timeout->tv_nsec < 0 || timeout->tv_nsec >= 1000000000L) {
			r = -EINVAL;
			goto out;
		}
		deadline = now_ns(CLOCK_MONOTONIC) + (uint64_t)timeout->tv_sec * 1000000000ULL +
			   timeout->tv_nsec;
	}
	q.nsops = nsops;
	for (unsigned i = 0; i < nsops; i++) {
		if (q.sops[i].sem_num >= max)
			max = q.sops[i].sem_num;
		if (q.sops[i].sem_flg & L_SEM_UNDO)
			undos = true;
		if (q.sops[i].sem_op)
			q.alter = true;
	}
	if (undos) {
		err = find_alloc_undo(t, ns, semid, &q.undo);
		if (err) {
			r = err;
			goto out;
		}
	}
	p = ipc_obtain_check(sem_ids(ns), semid);
	if (!p) {
		r = -EINVAL;
		goto out;
	}
	sma = sma_of(p);
	if (max >= sma->nsems) {
		r = -EFBIG;
		goto out;
	}
	if (ipcperms(t, p, q.alter ? S_IWUGO : S_IRUGO)) {
		r = -EACCES;
		goto out;
	}
	q.pid = tgid_of(t);
	err = perform_atomic_semop(sma, &q);
	if (err <= 0) {
		if (!err) {
			if (q.alter)
				update_queue(sma);
			set_semotime(sma, q.sops);
		}
		r = err;
		goto out;
	}
	/* sleep until the operation went, the set went, a signal or the timeout */
	q.status = 1;
	list_add_tail(&q.link, &sma->pending);
	for (;;) {
		int s = task_sleep(t, deadline, -1, 0);

		if (q.status != 1)
			break;
		if (s == -ETIMEDOUT || s == -EINTR) {
			list_del(&q.link);
			r = s == -ETIMEDOUT ? -EAGAIN : -EINTR;
			goto out;
		}
	}
	r = q.status;
out:
	free(q.sops);
	return r;
}

/* semop(semid, sops, nsops) / semtimedop(..., timeout): 0, or -EINVAL
 * (bad id, nsops 0), -E2BIG (over semopm), -EFBIG (sem_num out of range),
 * -EACCES, -EAGAIN (IPC_NOWAIT, timeout), -ERANGE, -EIDRM, -EINTR (never
 * restarted, as signal(7) says), -EFAULT. */
long sys_semop(struct task *t, struct sysargs *a)
{
	return do_semtimedop(t, arg_int(a, 0), arg_ptr(a, 1), arg_uint(a, 2), NULL);
}

long sys_semtimedop(struct task *t, struct sysargs *a)
{
	struct linux_timespec ts;

	if (!arg_ptr(a, 3))
		return do_semtimedop(t, arg_int(a, 0), arg_ptr(a, 1), arg_uint(a, 2), NULL);
	if (copy_from_user(t, &ts, arg_ptr(a, 3), sizeof(ts)))
		return -EFAULT;
	return do_semtimedop(t, arg_int(a, 0), arg_ptr(a, 1), arg_uint(a, 2), &ts);
}

/* ---- removal and exit ---- */

static void freeary(struct ipc_namespace *ns, struct sem_array *sma)
{
	struct list_head *p, *n;

	list_for_each_safe(p, n, &sma->list_id) {
		struct sem_undo *un = list_entry(p, struct sem_undo, list_id);

		list_del(&un->list_id);
		list_del(&un->list_proc);
		free(un);
	}
	list_for_each_safe(p, n, &sma->pending) {
		struct sem_queue *q = list_entry(p, struct sem_queue, link);

		list_del(&q->link);
		q->status = -EIDRM;
		task_wake(q->task);
	}
	ipc_rmid(sem_ids(ns), &sma->perm);
	ns->used_sems -= sma->nsems;
	free(sma);
}

/* exit_sem: t's undo list, if t was its last user, is applied: every
 * adjustment added, clamped to [0, SEMVMX], as Linux's exit_sem. */
void exit_sem(struct task *t)
{
	struct sem_undo_list *ulp = t->sysvsem_undo;
	struct ipc_namespace *ns = task_ipc_ns(t);
	struct list_head *l, *n;

	if (!ulp)
		return;
	t->sysvsem_undo = NULL;
	if (--ulp->refs > 0)
		return;
	list_for_each_safe(l, n, &ulp->list_proc) {
		struct sem_undo *un = list_entry(l, struct sem_undo, list_proc);
		struct kern_ipc_perm *p = ipc_obtain_check(sem_ids(ns), un->semid);

		list_del(&un->list_proc);
		if (p) {
			struct sem_array *sma = sma_of(p);

			list_del(&un->list_id);
			for (int i = 0; i < sma->nsems; i++) {
				struct sem *s = &sma->sems[i];

				if (!un->semadj[i])
					continue;
				s->semval += un->semadj[i];
				if (s->semval < 0)
					s->semval = 0;
				if (s->semval > SEMVMX)
					s->semval = SEMVMX;
				s->sempid = tgid_of(t);
			}
			update_queue(sma);
		}
		free(un);
	}
	free(ulp);
}

/* ---- semctl ---- */

static int64_t get_semotime(struct sem_array *sma)
{
	int64_t r = sma->sems[0].otime;

	for (int i = 1; i < sma->nsems; i++)
		if (sma->sems[i].otime > r)
			r = sma->sems[i].otime;
	return r;
}

static void clear_undos(struct sem_array *sma, int semnum)
{
	struct list_head *p, *n;

	list_for_each_safe(p, n, &sma->list_id) {
		struct sem_undo *un = list_entry(p, struct sem_undo, list_id);

		if (semnum >= 0)
			un->semadj[semnum] = 0;
		else
			memset(un->semadj, 0, sma->nsems * sizeof(short));
	}
}

/* semctl(semid, semnum, cmd, arg): IPC_STAT, SEM_STAT, SEM_STAT_ANY,
 * IPC_SET, IPC_RMID, IPC_INFO, SEM_INFO, GETVAL, SETVAL, GETALL, SETALL,
 * GETPID, GETNCNT, GETZCNT.  Errors as Linux's semctl: -EINVAL (bad id,
 * command or semnum), -EACCES, -EPERM, -ERANGE (a value over SEMVMX or
 * below 0), -EFAULT. */
long sys_semctl(struct task *t, struct sysargs *a)
{
	int semid = arg_int(a, 0), semnum = arg_int(a, 1), cmd = arg_int(a, 2);
	uint64_t arg = a->a[3];
	struct ipc_namespace *ns = task_ipc_ns(t);
	struct ipc_ids *ids = sem_ids(ns);
	struct kern_ipc_perm *p;
	struct sem_array *sma;
	int err;

	if (semid < 0)
		return -EINVAL;
	switch (cmd) {
	case L_IPC_INFO:
	case L_SEM_INFO: {
		struct linux_seminfo si;

		memset(&si, 0, sizeof(si));
		si.semmni = ns->sc_semmni;
		si.semmns = ns->sc_semmns;
		si.semmsl = ns->sc_semmsl;
		si.semopm = ns->sc_semopm;
		si.semvmx = SEMVMX;
		si.semmnu = SEMMNS_;
		si.semmap = SEMMAP;
		si.semume = 500;      /* SEMUME = SEMOPM */
		if (cmd == L_SEM_INFO) {
			si.semusz = ids->in_use;
			si.semaem = ns->used_sems;
		} else {
			si.semusz = SEMUSZ;
			si.semaem = SEMAEM;
		}
		err = ipc_get_maxidx(ids);
		if (copy_to_user(t, arg, &si, sizeof(si)))
			return -EFAULT;
		return err < 0 ? 0 : err;
	}
	case L_IPC_STAT:
	case L_SEM_STAT:
	case L_SEM_STAT_ANY: {
		struct linux_semid64_ds ds;

		p = cmd == L_IPC_STAT ? ipc_obtain_check(ids, semid) : ipc_obtain_idx(ids, semid);
		if (!p)
			return -EINVAL;
		if (cmd != L_SEM_STAT_ANY && ipcperms(t, p, S_IRUGO))
			return -EACCES;
		sma = sma_of(p);
		memset(&ds, 0, sizeof(ds));
		kernel_to_ipc64_perm(t, p, &ds.sem_perm);
		ds.sem_otime = get_semotime(sma);
		ds.sem_ctime = sma->ctime;
		ds.sem_nsems = sma->nsems;
		if (copy_to_user(t, arg, &ds, sizeof(ds)))
			return -EFAULT;
		return cmd == L_IPC_STAT ? 0 : p->id;
	}
	case L_GETALL:
	case L_GETVAL:
	case L_GETPID:
	case L_GETNCNT:
	case L_GETZCNT:
	case L_SETALL: {
		p = ipc_obtain_check(ids, semid);
		if (!p)
			return -EINVAL;
		sma = sma_of(p);
		if (ipcperms(t, p, cmd == L_SETALL ? S_IWUGO : S_IRUGO))
			return -EACCES;
		if (cmd == L_GETALL || cmd == L_SETALL) {
			uint16_t *v = malloc(sma->nsems * sizeof(*v));
			int i;

			if (!v)
				return -ENOMEM;
			if (cmd == L_GETALL) {
				for (i = 0; i < sma->nsems; i++)
					v[i] = sma->sems[i].semval;
				err = copy_to_user(t, arg, v, sma->nsems * sizeof(*v)) ? -EFAULT : 0;
				free(v);
				return err;
			}
			if (copy_from_user(t, v, arg, sma->nsems * sizeof(*v))) {
				free(v);
				return -EFAULT;
			}
			for (i = 0; i < sma->nsems; i++)
				if (v[i] > SEMVMX) {
					free(v);
					return -ERANGE;
				}
			for (i = 0; i < sma->nsems; i++) {
				sma->sems[i].semval = v[i];
				sma->sems[i].sempid = tgid_of(t);
			}
			free(v);
			clear_undos(sma, -1);
			sma->ctime = ipc_now();
			update_queue(sma);
			return 0;
		}
		if (semnum < 0 || semnum >= sma->nsems)
			return -EINVAL;
		switch (cmd) {
		case L_GETVAL:
			return sma->sems[semnum].semval;
		case L_GETPID:
			return global_vnr(t, sma->sems[semnum].sempid);
		case L_GETNCNT:
			return count_semcnt(sma, semnum, false);
		default:
			return count_semcnt(sma, semnum, true);
		}
	}
	case L_SETVAL: {
		int val = (int)arg;

		if (val > SEMVMX || val < 0)
			return -ERANGE;
		p = ipc_obtain_check(ids, semid);
		if (!p)
			return -EINVAL;
		sma = sma_of(p);
		if (semnum < 0 || semnum >= sma->nsems)
			return -EINVAL;
		if (ipcperms(t, p, S_IWUGO))
			return -EACCES;
		clear_undos(sma, semnum);
		sma->sems[semnum].semval = val;
		sma->sems[semnum].sempid = tgid_of(t);
		sma->ctime = ipc_now();
		update_queue(sma);
		return 0;
	}
	case L_IPC_SET:
	case L_IPC_RMID: {
		struct linux_semid64_ds ds;

		if (cmd == L_IPC_SET && copy_from_user(t, &ds, arg, sizeof(ds)))
			return -EFAULT;
		err = ipcctl_obtain_check(t, ids, semid, &p);
		if (err)
			return err;
		sma = sma_of(p);
		if (cmd == L_IPC_RMID) {
			freeary(ns, sma);
			return 0;
		}
		err = ipc_update_perm(t, &ds.sem_perm, p);
		if (!err)
			sma->ctime = ipc_now();
		return err;
	}
	default:
		return -EINVAL;
	}
}

/* ---- namespace teardown and /proc/sysvipc/sem ---- */

void sem_exit_ns(struct ipc_namespace *ns)
{
	struct ipc_ids *ids = sem_ids(ns);

	for (int i = 0; i <= ids->max_idx && ids->in_use; i++) {
		struct kern_ipc_perm *p = ipc_obtain_idx(ids, i);

		if (p)
			freeary(ns, sma_of(p));
	}
}

void sysvipc_sem_show(struct ipc_namespace *ns, FILE *out)
{
	struct ipc_ids *ids = sem_ids(ns);

	fprintf(out, "       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n");
	for (int i = 0; i <= ids->max_idx; i++) {
		struct kern_ipc_perm *p = ipc_obtain_idx(ids, i);

		if (!p)
			continue;
		fprintf(out, "%10d %10d  %4o %10u %5u %5u %5u %5u %10lld %10lld\n", p->key, p->id,
			p->mode, sma_of(p)->nsems, ipc_uid_vnr(current, p->uid),
			ipc_gid_vnr(current, p->gid), ipc_uid_vnr(current, p->cuid),
			ipc_gid_vnr(current, p->cgid),
			(long long)get_semotime(sma_of(p)), (long long)sma_of(p)->ctime);
	}
}
