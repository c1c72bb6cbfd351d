/*
 * process.c - fork, exit and wait: the life of a guest process.
 *
 * In a nutshell: do_fork() asks the platform for a copy-on-write copy of
 * the parent's address space and starts a kernel thread that adopts it.
 * do_exit() releases what a task holds, turns it into a zombie, reparents
 * its children to init and tells its parent; wait4/waitid reap zombies
 * and report stops.  When init (pid 1) dies, every other task is killed,
 * as when the init of a PID namespace dies.
 *
 * Lock: klock, held by every caller.
 */
#include "kernel.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

static int nr_live_tasks;    /* tasks not yet dead (zombies excluded) */

static struct thread_group *tg_new(struct task *leader, struct thread_group *from)
{
	struct thread_group *tg = calloc(1, sizeof *tg);
	if (!tg)
		return NULL;
	tg->refs = 1;
	tg->nr_threads = 1;
	tg->tgid = leader->tid;
	tg->leader = leader;
	list_init(&tg->shared_pending.queue);
	waitq_init(&tg->child_wait);
	waitq_init(&tg->signal_wait);
	memcpy(tg->rlim, from->rlim, sizeof tg->rlim);
	tg->pgid = from->pgid;
	tg->sid = from->sid;
	tg->tty_fg_pgrp = from->tty_fg_pgrp;
	return tg;
}

/*
 * do_fork - clone(2) for process flavours (fork, vfork, clone without
 * CLONE_THREAD).  flags: CLONE_* | exit signal.  Returns the child's pid
 * or -errno (-EINVAL for combinations Linux rejects, -ENOSYS for threads,
 * which come with the next platform work).  Mirrors kernel/fork.c.
 */
long do_fork(struct task *t, uint64_t flags, uint64_t newsp, uint64_t ptid, uint64_t ctid,
	     uint64_t tls)
{
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	if ((flags & CLONE_FS) && (flags & CLONE_NEWNS))
		return -EINVAL;
	if (flags & (CLONE_THREAD | CLONE_SIGHAND))
		return -ENOSYS;  /* threads: not yet */
	if (flags & (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID |
		     CLONE_NEWNET | CLONE_NEWCGROUP))
		return -EPERM;
	if (nr_live_tasks + 1 > (int)t->tg->rlim[6].rlim_cur && t->cred.uid != 0)
		return -EAGAIN;

	long token = platform->fork(t->mm->host);
	if (token < 0)
		return token;

	struct task *c = task_alloc();
	if (!c)
		return -ENOMEM;
	c->tid = alloc_pid();
	c->tg = tg_new(c, t->tg);
	c->parent = t->tg->leader;
	list_add_tail(&c->sibling, &t->tg->leader->children);
	memcpy(c->comm, t->comm, sizeof c->comm);
	c->cred = t->cred;
	/* CLONE_VM without CLONE_THREAD is vfork's shape: the child gets a
	 * copy, and the parent waits for its execve or exit, which is all a
	 * vfork child may do. */
	c->mm = mm_fork(t->mm, NULL);
	c->fork_token = token;
	if (flags & CLONE_FILES) {
		c->files = t->files;
		c->files->refs++;
	} else {
		c->files = fdtable_dup(t->files);
	}
	if (flags & CLONE_FS) {
		c->fs = t->fs;
		c->fs->refs++;
	} else {
		c->fs = calloc(1, sizeof *c->fs);
		c->fs->refs = 1;
		c->fs->cwd = strdup(t->fs->cwd);
		c->fs->root = strdup(t->fs->root);
		c->fs->umask = t->fs->umask;
	}
	c->sighand = calloc(1, sizeof *c->sighand);
	c->sighand->refs = 1;
	memcpy(c->sighand->action, t->sighand->action, sizeof c->sighand->action);
	c->blocked = t->blocked;
	c->altstack = t->altstack;
	c->personality = t->personality;
	c->exit_signal = flags & 0xff;
	c->regs = t->regs;
	c->regs.rax = 0;
	c->cpu = -1;
	if (newsp)
		c->regs.rsp = newsp;
	if (flags & CLONE_SETTLS)
		c->regs.fs_base = tls;
	if (flags & CLONE_CHILD_CLEARTID)
		c->clear_child_tid = ctid;
	c->state = TASK_IN_KERNEL;
	nr_live_tasks++;

	int pid = c->tid;
	if (flags & CLONE_PARENT_SETTID)
		copy_to_user(t, ptid, &pid, sizeof pid);
	if (flags & CLONE_CHILD_SETTID)
		c->clear_child_tid = c->clear_child_tid; /* written by the child's first run */
	task_start(c);
	if (flags & CLONE_VFORK) {
		c->vfork_parent = t;
		while (!c->vfork_done) {
			if (task_sleep(t, 0, -1, 0) == -EINTR && c->vfork_done)
				break;
			if (!task_find(pid))
				break;
		}
	}
	return pid;
}

/* The vfork parent may go on once the child has exec'd or exited. */
void vfork_release(struct task *t)
{
	if (t->vfork_parent) {
		struct task *p = t->vfork_parent;
		t->vfork_parent = NULL;
		t->vfork_done = 1;
		task_wake(p);
	}
}

static void files_fs_release(struct task *t)
{
	if (t->files) {
		fdtable_put(t->files);
		t->files = NULL;
	}
	if (t->fs && --t->fs->refs == 0) {
		free(t->fs->cwd);
		free(t->fs->root);
		free(t->fs);
	}
	t->fs = NULL;
	if (t->sighand && --t->sighand->refs == 0)
		free(t->sighand);
	t->sighand = NULL;
}

/* Kills every task but t (init is gone). */
static void kill_all_but(struct task *t)
{
	struct list_head *p, *n;
	list_for_each_safe(p, n, &all_tasks) {
		struct task *o = list_entry(p, struct task, all);
		if (o != t && o->state != TASK_ZOMBIE && o->state != TASK_DEAD)
			send_signal(o, SIGKILL, NULL, true);
	}
}

static void reparent_children(struct task *t)
{
	struct task *reaper = init_task;
	struct list_head *p, *n;
	bool zombies = false;
	list_for_each_safe(p, n, &t->children) {
		struct task *c = list_entry(p, struct task, sibling);
		list_del(&c->sibling);
		if (reaper && reaper != t && reaper->state != TASK_ZOMBIE && reaper->state != TASK_DEAD) {
			c->parent = reaper;
			list_add_tail(&c->sibling, &reaper->children);
			if (c->state == TASK_ZOMBIE)
				zombies = true;
		} else {
			c->parent = NULL;
			if (c->state == TASK_ZOMBIE)
				release_task(c);
		}
	}
	if (zombies)
		wake_up(&reaper->tg->child_wait);
}

static void check_guest_done(void)
{
	if (nr_live_tasks == 0 && init_task && init_task->state == TASK_ZOMBIE)
		guest_finished(init_task->exit_code);
}

/*
 * do_exit - the task stops existing as a running thread: its mm, files
 * and fs state are released, it becomes a zombie for its parent to reap
 * (or is reaped at once if the parent ignores SIGCHLD).  status is a
 * wait(2) status: (code << 8) or the killing signal.  Never returns; the
 * calling kernel thread ends.  Mirrors kernel/exit.c.
 */
void do_exit(struct task *t, int status)
{
	t->exit_code = status;
	if (t->clear_child_tid) {
		int zero = 0;
		copy_to_user(t, t->clear_child_tid, &zero, sizeof zero);
	}
	vfork_release(t);
	task_cpu_times(t, &t->utime_ns, &t->stime_ns);
	struct mm *mm = t->mm;
	t->mm = NULL;
	if (mm && mm->refs == 1 && mm->host) {
		struct host_thread *h = mm->host;
		mm->host = NULL;
		pthread_mutex_unlock(&klock);
		platform->destroy(h);
		pthread_mutex_lock(&klock);
	}
	if (mm)
		mm_put(mm);
	files_fs_release(t);
	if (t->state != TASK_NEW)
		nr_live_tasks--;
	t->state = TASK_ZOMBIE;
	if (t == init_task)
		kill_all_but(t);
	reparent_children(t);

	struct task *parent = t->parent;
	if (parent) {
		signal_child_exit(t);   /* may reap t at once (SIGCHLD ignored) */
	}
	/* t may be freed now. */
	check_guest_done();
	pthread_mutex_unlock(&klock);
	pthread_exit(NULL);
}

void do_group_exit(struct task *t, int status)
{
	t->tg->group_exit = true;
	t->tg->exit_code = status;
	do_exit(t, status);
}

/* A task created by run_init counts as live from its first run. */
void task_count_live(void)
{
	nr_live_tasks++;
}

/* ---- wait ---- */

static bool wait_match(struct task *t, struct task *c, int which, int id)
{
	(void)t;
	switch (which) {
	case P_ALL: return true;
	case P_PID: return c->tid == id;
	case P_PGID: return c->tg->pgid == id;
	}
	return false;
}

struct wait_result {
	int pid, status;   /* status as wait4 reports it */
	int code, child_status;
	int64_t utime_ns, stime_ns;
	uint32_t uid;
};

/*
 * do_wait - the common part of wait4 and waitid.  which/id as waitid's
 * (P_ALL, P_PID, P_PGID).  options: WNOHANG, WUNTRACED/WSTOPPED,
 * WCONTINUED, WEXITED, WNOWAIT.  Returns the pid reported, 0 for WNOHANG
 * with nothing to report, or -ECHILD / -ERESTARTSYS.
 */
static int do_wait(struct task *t, int which, int id, int options, struct wait_result *wr)
{
	struct task *self = t->tg->leader;
	for (;;) {
		bool any = false;
		struct list_head *p, *n;
		list_for_each_safe(p, n, &self->children) {
			struct task *c = list_entry(p, struct task, sibling);
			if (!wait_match(t, c, which, id))
				continue;
			any = true;
			if (c->state == TASK_ZOMBIE && (options & WEXITED)) {
				wr->pid = c->tid;
				wr->status = c->exit_code;
				if (WIFEXITED(c->exit_code)) {
					wr->code = 1 /* CLD_EXITED */;
					wr->child_status = WEXITSTATUS(c->exit_code);
				} else {
					wr->code = 2 /* CLD_KILLED */;
					wr->child_status = WTERMSIG(c->exit_code);
				}
				wr->utime_ns = c->utime_ns + c->tg->cutime_ns;
				wr->stime_ns = c->stime_ns + c->tg->cstime_ns;
				wr->uid = c->cred.uid;
				if (!(options & WNOWAIT)) {
					t->tg->cutime_ns += wr->utime_ns;
					t->tg->cstime_ns += wr->stime_ns;
					release_task(c);
				}
				return wr->pid;
			}
			if ((options & WUNTRACED) && c->tg->stop_report > 0 && c->tg->stop_state) {
				wr->pid = c->tid;
				wr->status = (c->tg->stop_report << 8) | 0x7f;
				wr->code = 5 /* CLD_STOPPED */;
				wr->child_status = c->tg->stop_report;
				wr->uid = c->cred.uid;
				if (!(options & WNOWAIT))
					c->tg->stop_report = 0;
				return wr->pid;
			}
			if ((options & WCONTINUED) && c->tg->stop_report == -1) {
				wr->pid = c->tid;
				wr->status = 0xffff;
				wr->code = 6 /* CLD_CONTINUED */;
				wr->child_status = SIGCONT;
				wr->uid = c->cred.uid;
				if (!(options & WNOWAIT))
					c->tg->stop_report = 0;
				return wr->pid;
			}
		}
		if (!any)
			return -ECHILD;
		if (options & WNOHANG)
			return 0;
		struct waiter w;
		waitq_add(&t->tg->child_wait, &w, t);
		int r = task_sleep(t, 0, -1, 0);
		waitq_del(&w);
		if (r == -EINTR)
			return -ERESTARTSYS;
	}
}

static void fill_rusage(struct linux_rusage *ru, int64_t u, int64_t s)
{
	memset(ru, 0, sizeof *ru);
	ru->ru_utime.tv_sec = u / 1000000000;
	ru->ru_utime.tv_usec = (u % 1000000000) / 1000;
	ru->ru_stime.tv_sec = s / 1000000000;
	ru->ru_stime.tv_usec = (s % 1000000000) / 1000;
}

long sys_wait4(struct task *t, struct sysargs *a)
{
	int pid = arg_int(a, 0);
	int options = arg_int(a, 2);
	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL))
		return -EINVAL;
	int which = P_ALL, id = 0;
	if (pid > 0) {
		which = P_PID;
		id = pid;
	} else if (pid == 0) {
		which = P_PGID;
		id = t->tg->pgid;
	} else if (pid < -1) {
		which = P_PGID;
		id = -pid;
	} else if (pid == INT32_MIN) {
		return -ESRCH;
	}
	struct wait_result wr = { 0 };
	int r = do_wait(t, which, id, options | WEXITED, &wr);
	if (r <= 0)
		return r;
	if (a->a[1] && copy_to_user(t, a->a[1], &wr.status, sizeof(int)))
		return -EFAULT;
	if (a->a[3]) {
		struct linux_rusage ru;
		fill_rusage(&ru, wr.utime_ns, wr.stime_ns);
		if (copy_to_user(t, a->a[3], &ru, sizeof ru))
			return -EFAULT;
	}
	return r;
}

long sys_waitid(struct task *t, struct sysargs *a)
{
	int which = arg_int(a, 0), id = arg_int(a, 1), options = arg_int(a, 3);
	if (options & ~(WNOHANG | WSTOPPED | WCONTINUED | WEXITED | WNOWAIT | __WNOTHREAD | __WCLONE | __WALL))
		return -EINVAL;
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	if (which == P_PGID && id == 0)
		id = t->tg->pgid;
	if (which != P_ALL && which != P_PID && which != P_PGID)
		return -EINVAL;
	if (which == P_PID && id <= 0)
		return -EINVAL;
	struct wait_result wr = { 0 };
	int r = do_wait(t, which, id, options, &wr);
	if (r < 0)
		return r;
	if (a->a[2]) {
		linux_siginfo_t si;
		memset(&si, 0, sizeof si);
		if (r > 0) {
			si.si_signo = SIGCHLD;
			si.si_code = wr.code;
			si.u.chld.pid = wr.pid;
			si.u.chld.uid = wr.uid;
			si.u.chld.status = wr.child_status;
		}
		if (copy_to_user(t, a->a[2], &si, sizeof si))
			return -EFAULT;
	}
	if (a->a[4]) {
		struct linux_rusage ru;
		fill_rusage(&ru, wr.utime_ns, wr.stime_ns);
		if (copy_to_user(t, a->a[4], &ru, sizeof ru))
			return -EFAULT;
	}
	return 0;
}
