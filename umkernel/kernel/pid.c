/*
 * pid.c - process ids: struct pid, its number in every pid namespace it
 * is visible in, and the lookups and translations between them.
 *
 * In a nutshell (Linux's kernel/pid.c): a struct pid is the identity of
 * a task (its thread id), refcounted so that it outlives the task for
 * whoever still names it: a process group or session (thread_group
 * pgrp/session), a pidfd.  It carries one number per level, from the
 * initial namespace (numbers[0], the global id that task->tid holds and
 * the kernel uses internally) down to the namespace the task was born in
 * (numbers[level]).  Every upid is a node of one hash table keyed by
 * (namespace, number), so find_pid_ns is O(1).  A number is not reused
 * while its struct pid lives (a process group keeps its leader's number).
 *
 * Guest-visible ids are always numbers in the caller's active namespace
 * (task_active_pid_ns): pid_nr_ns() gives 0 for a pid the namespace
 * cannot see, as Linux reports a parent outside a namespace.
 *
 * Lock: klock guards everything here.
 */
#include "../kernel.h"
#include "task.h"
#include <stdlib.h>
#include <string.h>

#define PID_HASH_SIZE 4096
/* The guest's pid namespace is a container's: Linux (6.14 on) starts a
 * new pid namespace's pid_max at PID_MAX_LIMIT, whatever its parent's
 * (the host's initial one has 32768 here, `unshare --pid` shows 4194304) */
#define PID_MAX_DEFAULT 4194304    /* /proc/sys/kernel/pid_max */
#define RESERVED_PIDS 300          /* the initial namespace wraps above these */

struct user_namespace;
struct pid_namespace init_pid_ns = {
	.refs = 2,
	.level = 0,
	.inum = NS_INIT_INO_PID,
	.user_ns = &init_user_ns,
	.pid_max = PID_MAX_DEFAULT,
};

static struct upid *pid_hash[PID_HASH_SIZE];

static unsigned int pid_hashfn(int nr, const struct pid_namespace *ns)
{
	uintptr_t h = (uintptr_t)ns >> 4;
	return (unsigned int)((unsigned)nr * 2654435761u ^ (unsigned)(h * 40503u)) % PID_HASH_SIZE;
}

/* find_pid_ns - the pid numbered nr in ns, or NULL. */
struct pid *find_pid_ns(int nr, const struct pid_namespace *ns)
{
	for (struct upid *u = pid_hash[pid_hashfn(nr, ns)]; u; u = u->hnext)
		if (u->nr == nr && u->ns == ns)
			return u->pid;
	return NULL;
}

struct pid *get_pid(struct pid *pid)
{
	if (pid)
		pid->refs++;
	return pid;
}

/* Takes every number of pid out of the hash: they may be reused. */
static void unhash_pid(struct pid *pid)
{
	for (unsigned int i = 0; i <= pid->level; i++) {
		struct upid *u = &pid->numbers[i], **pp = &pid_hash[pid_hashfn(u->nr, u->ns)];
		while (*pp && *pp != u)
			pp = &(*pp)->hnext;
		if (*pp) {
			*pp = u->hnext;
			u->ns->nr_pids--;
		}
	}
}

/* put_pid - drops a reference; the last one frees the pid. */
void put_pid(struct pid *pid)
{
	if (!pid || --pid->refs > 0)
		return;
	if (pid->users)
		oops("put_pid: pid %d freed while in use", pid->numbers[0].nr);
	for (unsigned int i = 0; i <= pid->level; i++)
		put_pid_ns(pid->numbers[i].ns);
	free(pid);
}

/* attach_pid / detach_pid - a task, process group or session starts or
 * stops using pid (each holds a reference too).  When the last user
 * goes the numbers are freed, though pidfds may keep the struct: Linux's
 * free_pid at the last detach_pid. */
void attach_pid(struct pid *pid)
{
	pid->users++;
	get_pid(pid);
}

void detach_pid(struct pid *pid)
{
	if (!pid)
		return;
	if (--pid->users == 0)
		unhash_pid(pid);
	put_pid(pid);
}

/* The next free number in ns (Linux's idr_alloc_cyclic from last_pid). */
static int pidns_next_nr(struct pid_namespace *ns)
{
	int min = ns->level == 0 ? RESERVED_PIDS : 2;
	int max = ns->pid_max > 0 ? ns->pid_max : PID_MAX_DEFAULT;
	/* 1 first: the namespace's init (the initial one's is ours) */
	if (!find_pid_ns(1, ns))
		return 1;
	for (int tries = 0; tries < max; tries++) {
		int nr = ns->last_pid + 1;
		if (nr >= max)
			nr = ns->last_pid < min ? 2 : min;
		if (nr < 2)
			nr = 2;
		ns->last_pid = nr;
		if (!find_pid_ns(nr, ns))
			return nr;
	}
	return -EAGAIN;
}

/*
 * alloc_pid - a new pid with one reference, numbered in ns and in every
 * ancestor of ns.  -ENOMEM when ns is dying (its init is gone, as
 * Linux's PIDNS_ADDING cleared), -EAGAIN when a namespace is full.
 * Mirrors kernel/pid.c alloc_pid.
 */
struct pid *alloc_pid(struct pid_namespace *ns, int *err)
{
	struct pid *pid;
	struct pid_namespace *p;

	if (ns->dead) {
		*err = -ENOMEM;
		return NULL;
	}
	pid = calloc(1, sizeof *pid + (ns->level + 1) * sizeof(struct upid));
	if (!pid) {
		*err = -ENOMEM;
		return NULL;
	}
	pid->refs = 1;
	pid->users = 1;   /* the task it is made for */
	pid->level = ns->level;
	waitq_init(&pid->wait_pidfd);
	for (p = ns; p; p = p->parent) {
		int nr = pidns_next_nr(p);
		if (nr < 0) {
			/* undo the levels below */
			for (unsigned int i = p->level + 1; i <= ns->level; i++) {
				struct upid *u = &pid->numbers[i], **pp = &pid_hash[pid_hashfn(u->nr, u->ns)];
				while (*pp && *pp != u)
					pp = &(*pp)->hnext;
				if (*pp)
					*pp = u->hnext;
				u->ns->nr_pids--;
				put_pid_ns(u->ns);
			}
			free(pid);
			*err = nr;
			return NULL;
		}
		struct upid *u = &pid->numbers[p->level];
		u->nr = nr;
		u->ns = get_pid_ns(p);
		u->pid = pid;
		unsigned int h = pid_hashfn(nr, p);
		u->hnext = pid_hash[h];
		pid_hash[h] = u;
		p->nr_pids++;
	}
	return pid;
}

/* pid_nr_ns - pid's number in ns, 0 if ns cannot see it. */
int pid_nr_ns(const struct pid *pid, const struct pid_namespace *ns)
{
	if (pid && ns && ns->level <= pid->level && pid->numbers[ns->level].ns == ns)
		return pid->numbers[ns->level].nr;
	return 0;
}

struct pid_namespace *task_active_pid_ns(const struct task *t)
{
	if (!t || !t->pid)
		return &init_pid_ns;
	return t->pid->numbers[t->pid->level].ns;
}

/* The thread group's pid (its leader's). */
struct pid *task_tgid(const struct task *t)
{
	return t->tg && t->tg->leader ? t->tg->leader->pid : t->pid;
}

int task_pid_nr_ns(const struct task *t, const struct pid_namespace *ns)
{
	return pid_nr_ns(t->pid, ns);
}

int task_tgid_nr_ns(const struct task *t, const struct pid_namespace *ns)
{
	return pid_nr_ns(task_tgid(t), ns);
}

/* A global id (a tgid, pgid or sid the kernel keeps as an int) as seen
 * in ns: 0 if it is not visible there or no longer exists. */
int global_nr_ns(int nr, const struct pid_namespace *ns)
{
	if (nr <= 0)
		return 0;
	if (ns == &init_pid_ns)
		return nr;
	return pid_nr_ns(find_pid_ns(nr, &init_pid_ns), ns);
}

/* A number the viewer passed (in its namespace) as a global id; 0 if
 * none.  For pgids and sids, which may outlive their leader. */
int vnr_to_global(const struct task *viewer, int nr)
{
	if (nr <= 0)
		return 0;
	struct pid *pid = find_pid_ns(nr, task_active_pid_ns(viewer));
	return pid ? pid->numbers[0].nr : 0;
}

/* task_find - the task whose global id is tid, or NULL. */
struct task *task_find(int tid)
{
	struct pid *pid = find_pid_ns(tid, &init_pid_ns);
	return pid ? pid->task : NULL;
}

/* find_task_by_vpid - the task numbered nr in viewer's pid namespace. */
struct task *find_task_by_vpid(const struct task *viewer, int nr)
{
	if (nr <= 0)
		return NULL;
	struct pid *pid = find_pid_ns(nr, task_active_pid_ns(viewer));
	return pid ? pid->task : NULL;
}

/* Sets tg's process group / session to the global id nr, keeping its
 * struct pid alive while the group uses it. */
void tg_set_pgid(struct thread_group *tg, int nr)
{
	struct pid *pid = find_pid_ns(nr, &init_pid_ns);
	if (pid)
		attach_pid(pid);
	detach_pid(tg->pgrp);
	tg->pgrp = pid;
	tg->pgid = nr;
}

void tg_set_sid(struct thread_group *tg, int nr)
{
	struct pid *pid = find_pid_ns(nr, &init_pid_ns);
	if (pid)
		attach_pid(pid);
	detach_pid(tg->session);
	tg->session = pid;
	tg->sid = nr;
}

/* pid_notify - a process ended or was reaped: pidfd pollers look again. */
void pid_notify(struct pid *pid)
{
	if (pid)
		wake_up(&pid->wait_pidfd);
}
