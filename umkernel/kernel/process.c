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
#include "../kernel.h"
#include "task.h"
#include "../debug/debug.h"
#include "../mm/mm.h"
#include "../ipc/ipc.h"
#include "../security/keys.h"
#include "../security/landlock.h"
#include "../fs/fs.h"
#include "../debug/fault.h"
#include "../cgroup/cgroup.h"
#include <linux/sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int nr_live_tasks;    /* tasks not yet dead (zombies excluded) */

/* The most tasks the whole guest may have: UMK_MAX_TASKS, else 4096 or
 * half of umk's own RLIMIT_NPROC if that is lower. */
static int max_tasks(void)
{
	static int cached;
	if (!cached) {
		const char *e = getenv("UMK_MAX_TASKS");
		long v = e ? strtol(e, NULL, 10) : 4096;
		uint64_t nproc = host_rlimits[6].rlim_cur;
		if (!e && nproc != LINUX_RLIM_INFINITY && (long)(nproc / 2) < v)
			v = (long)(nproc / 2);
		cached = v > 1 ? (int)v : 2;
	}
	return cached;
}

/* task_limit - the guest-wide task cap (threads-max's default). */
int task_limit(void)
{
	return max_tasks();
}

static struct thread_group *tg_new(struct task *leader, struct thread_group *from)
{
	struct thread_group *tg = calloc(1, sizeof *tg);
	if (!tg)
		return NULL;
	tg->refs = 1;
	tg->nr_threads = 1;
	tg->tgid = leader->tid;
	tg->leader = leader;
	list_init(&tg->threads);
	list_init(&tg->shared_pending.queue);
	waitq_init(&tg->child_wait);
	waitq_init(&tg->signal_wait);
	memcpy(tg->rlim, from->rlim, sizeof tg->rlim);
	tg_set_pgid(tg, from->pgid);
	tg_set_sid(tg, from->sid);
	tg->tty_fg_pgrp = from->tty_fg_pgrp;
	tg->oom_score_adj = from->oom_score_adj;
	tg->oom_score_adj_min = from->oom_score_adj_min;
	tg->coredump_filter = from->coredump_filter;
	tg->autogroup = autogroup_get(from->autogroup);
	return tg;
}

/*
 * do_fork - clone(2).  flags: CLONE_* | exit signal.  A new process gets a
 * copy-on-write copy of the address space (a host fork of the stub); a
 * new thread (CLONE_THREAD) is a host thread in the same stub.  Returns the
 * child's tid or -errno (-EINVAL for combinations Linux rejects, -EPERM
 * for namespaces).  Mirrors kernel/fork.c copy_process.
 */
long do_fork(struct task *t, uint64_t flags, uint64_t newsp, uint64_t ptid, uint64_t ctid,
	     uint64_t tls)
{
	struct clone_req r = { .flags = flags, .newsp = newsp, .ptid = ptid, .ctid = ctid,
			       .tls = tls, .pidfd = ptid };
	/* clone(2) returns a CLONE_PIDFD pidfd where CLONE_PARENT_SETTID
	 * would store the tid: not both (Linux's kernel_clone) */
	if ((flags & CLONE_PIDFD) && (flags & CLONE_PARENT_SETTID))
		return -EINVAL;
	return kernel_clone(t, &r);
}

/* kernel_clone - do_fork with the arguments clone3 adds (the CLONE_PIDFD
 * pointer).  Mirrors kernel/fork.c kernel_clone. */
long kernel_clone(struct task *t, const struct clone_req *r)
{
	uint64_t flags = r->flags, newsp = r->newsp, ptid = r->ptid, ctid = r->ctid, tls = r->tls;
	if ((flags & CLONE_PIDFD) && (flags & CLONE_DETACHED))
		return -EINVAL;
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	if ((flags & CLONE_FS) && (flags & (CLONE_NEWNS | CLONE_NEWUSER)))
		return -EINVAL;
	if ((flags & CLONE_THREAD) && (flags & (CLONE_NEWUSER | CLONE_NEWPID)))
		return -EINVAL;
	if (flags & CLONE_NEWTIME)
		return -EINVAL;   /* clone(2): an exit signal past 127; clone3 says r->newtime */
	/* a thread stays in its group's pid namespace (after unshare(CLONE_NEWPID)
	 * only new processes go to the new one) */
	if ((flags & CLONE_THREAD) && t->nsproxy &&
	    t->nsproxy->pid_ns_for_children != task_active_pid_ns(t))
		return -EINVAL;
	/* CLONE_PARENT: a sibling; init may not make one (Linux's
	 * SIGNAL_UNKILLABLE check), nor may a process without a parent */
	if ((flags & CLONE_PARENT) && !(flags & CLONE_THREAD) &&
	    (t->tg->leader == init_task || !t->tg->leader->parent))
		return -EINVAL;
	if (nr_live_tasks + 1 > (int)t->tg->rlim[6].rlim_cur && t->cred.uid != 0)
		return -EAGAIN;
	/* Every guest task is a host thread or process: a guest may not
	 * exhaust the host's, whatever its credentials (EAGAIN, as fork
	 * at RLIMIT_NPROC). */
	if (nr_live_tasks + 1 > max_tasks() ||
	    (sysctl_threads_max > 0 && nr_live_tasks + 1 > sysctl_threads_max))
		return -EAGAIN;
	/* CLONE_SETTLS: a TLS base the host would refuse (Linux's set_new_tls:
	 * ARCH_SET_FS's check).  Found by fuzzing: the child was made, then
	 * killed when the platform could not load its registers. */
	if ((flags & CLONE_SETTLS) && tls >= GUEST_TASK_SIZE)
		return -EPERM;
	/* a SCHED_DEADLINE task may not fork (Linux's sched_fork), unless
	 * its children drop the policy (SCHED_RESET_ON_FORK) */
	if (t->sched_policy == 6 /* SCHED_DEADLINE */ && !t->sched_reset_on_fork)
		return -EAGAIN;
	bool thread = flags & CLONE_THREAD;
	/* --memory and strict overcommit (mm/commit.c): a new process
	 * commits what its parent's mm does (one that shares it, CLONE_VM,
	 * commits nothing more); the heuristic passes each mapping again,
	 * which it did when it was made */
	if (!thread && !(flags & CLONE_VM) && vm_commit_counting() &&
	    vm_commit_check((int64_t)t->mm->committed, 0))
		return -ENOMEM;
	int trace = ptrace_fork_event(t, flags);
	/* CLONE_VM without CLONE_THREAD (vfork, posix_spawn, LeakSanitizer's
	 * tracer): a new process in the same address space, a host thread
	 * of the same stub; an execve gives it one of its own (exec.c). */
	bool share_vm = !thread && (flags & CLONE_VM);
	/* the child's cgroup: its parent's or CLONE_INTO_CGROUP's; pids.max */
	struct cgroup *cgrp;
	int cerr = cgroup_can_fork(t, flags, r->into_cgroup, r->cgroup_fd, &cgrp);
	if (cerr)
		return cerr;
	struct task *c = task_alloc();
	if (!c) {
		cgroup_cancel_fork(cgrp);
		return -ENOMEM;
	}
	cgroup_fork(c, cgrp);   /* release_task undoes it on the failures below */
	/* namespaces first (a new user namespace before the others, which
	 * it then owns), then the pid, numbered in the child's namespace */
	c->cred = t->cred;
	c->user_ns = get_user_ns(t->user_ns);
	int perr = 0;
	if (flags & CLONE_NEWUSER) {
		c->fs = t->fs;   /* create_user_ns looks at the root (chroot) */
		perr = create_user_ns(c);
		c->fs = NULL;
	}
	if (!perr)
		perr = copy_namespaces((flags & ~0xffULL) | (r->newtime ? CLONE_NEWTIME : 0), t, c);
	if (perr) {
		release_task(c);
		return perr;
	}
	struct pid_namespace *pidns = c->nsproxy->pid_ns_for_children;
	if (thread)
		pidns = task_active_pid_ns(t);
	c->pid = alloc_pid(pidns, &perr);
	if (!c->pid) {
		release_task(c);
		return perr;
	}
	c->pid->task = c;
	c->tid = c->pid->numbers[0].nr;
	if (!pidns->child_reaper && pid_nr_ns(c->pid, pidns) == 1)
		pidns->child_reaper = c;   /* the new namespace's init */
	int pidfd = -1;
	if (flags & CLONE_PIDFD) {
		/* installed (and reported) before the child exists, as Linux
		 * does: a bad pointer fails the clone with EFAULT */
		pidfd = pidfd_create(t, c->pid, thread ? O_EXCL /* PIDFD_THREAD */ : 0);
		if (pidfd < 0) {
			release_task(c);
			return pidfd;
		}
		if (copy_to_user(t, r->pidfd, &pidfd, sizeof pidfd)) {
			fd_close(t, pidfd);
			release_task(c);
			return -EFAULT;
		}
	}

	int cpu = thread ? -1 : task_pick_cpu_in(t->cpus_allowed);
	long token = thread || share_vm ? platform->clone_thread(t->host) : platform->fork(t->host, cpu);
	if (token < 0) {
		if (pidfd >= 0)
			fd_close(t, pidfd);
		release_task(c);
		return token;
	}
	if (thread) {
		c->tg = t->tg;
		c->tg->refs++;
		c->tg->nr_threads++;
		c->parent = t->parent;
		c->mm = t->mm;
		c->mm->refs++;
		c->exit_signal = -1;
	} else {
		c->tg = tg_new(c, t->tg);
		c->parent = t->tg->leader;
		c->exit_signal = flags & 0xff;
		if (flags & CLONE_PARENT) {
			/* the caller's sibling, with its parent's exit signal */
			c->parent = t->tg->leader->parent;
			c->exit_signal = t->tg->leader->exit_signal;
		}
		list_add_tail(&c->sibling, &c->parent->children);
		if (share_vm) {
			c->mm = t->mm;
			c->mm->refs++;
		} else {
			c->mm = mm_fork(t->mm);
		}
	}
	list_add_tail(&c->thread_node, &c->tg->threads);
	memcpy(c->comm, t->comm, sizeof c->comm);
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
	if (flags & CLONE_SIGHAND) {
		c->sighand = t->sighand;
		c->sighand->refs++;
	} else {
		c->sighand = calloc(1, sizeof *c->sighand);
		c->sighand->refs = 1;
		memcpy(c->sighand->action, t->sighand->action, sizeof c->sighand->action);
		/* clone3's CLONE_CLEAR_SIGHAND: handlers back to SIG_DFL, ignored
		 * signals stay ignored (flush_signal_handlers) */
		for (int i = 0; (flags & CLONE_CLEAR_SIGHAND) && i < LINUX_NSIG; i++) {
			struct linux_sigaction *ka = &c->sighand->action[i];
			uint64_t h = ka->handler == 1 ? 1 : 0;
			memset(ka, 0, sizeof *ka);
			ka->handler = h;
		}
	}
	ipc_fork(c, t, flags);   /* IPC namespace, CLONE_SYSVSEM */
	keys_fork(c, t, flags);  /* thread and session keyrings */
	landlock_fork(c, t);     /* the Landlock domain */
	c->blocked = t->blocked;
	c->altstack = thread ? (linux_stack_t){ .ss_flags = 2 /* SS_DISABLE */ } : t->altstack;
	c->personality = t->personality;
	c->nice = t->nice;
	c->loginuid = t->loginuid;
	c->sessionid = t->sessionid;
	c->timer_slack_ns = c->default_timer_slack_ns = t->timer_slack_ns;
	c->notsc = t->notsc;   /* the host thread it is made from has it too */
	sched_fork(c, t);
	c->ioprio = t->ioprio;
	c->mempolicy_mode = t->mempolicy_mode;   /* inherited, as Linux's task mempolicy */
	c->cpus_allowed = t->cpus_allowed;       /* and the CPU affinity */
	c->affinity_changed = (t->cpus_allowed & cpus_online_mask()) != cpus_online_mask();
	c->mempolicy_nodes = t->mempolicy_nodes;
	c->regs = t->regs;
	c->regs.rax = 0;
	c->cpu = thread && c->affinity_changed ? task_pick_cpu_in(t->cpus_allowed) : cpu;
	if (newsp)
		c->regs.rsp = newsp;
	if (flags & CLONE_SETTLS)
		c->regs.fs_base = tls;
	if (flags & CLONE_CHILD_CLEARTID)
		c->clear_child_tid = ctid;
	if (flags & CLONE_CHILD_SETTID)
		c->set_child_tid = ctid;
	c->state = TASK_IN_KERNEL;
	nr_live_tasks++;
	ptrace_fork_child(t, c, trace, flags);

	int pid = c->tid;
	int vpid = task_pid_vnr(t, c);   /* the child as the parent sees it */
	if (flags & CLONE_PARENT_SETTID)
		copy_to_user(t, ptid, &vpid, sizeof vpid);
	if (flags & CLONE_VFORK) {
		/* the child sets t->vfork_done when it execs or exits
		 * (vfork_release): c may be gone by then */
		t->vfork_done = 0;
		c->vfork_parent = t;
	}
	perf_event_fork(t, c);   /* perf_event.c: inherit events count it too */
	task_start(c);
	ptrace_fork_done(t, trace, c, false);
	if (flags & CLONE_VFORK) {
		/* killable only, as Linux's wait_for_vfork_done */
		while (!t->vfork_done && !t->tg->group_exit)
			task_sleep_nosig(t, 0);
		struct task *still = task_find(pid);
		if (!t->vfork_done && still == c)
			c->vfork_parent = NULL;
		ptrace_fork_done(t, trace, still, t->vfork_done);
	}
	return vpid;
}

/* The vfork parent may go on once the child has exec'd or exited. */
void vfork_release(struct task *t)
{
	if (t->vfork_parent) {
		struct task *p = t->vfork_parent;
		t->vfork_parent = NULL;
		p->vfork_done = 1;
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

static bool alive(const struct task *t)
{
	return t && t->state != TASK_ZOMBIE && t->state != TASK_DEAD;
}

/*
 * find_new_reaper - who adopts the children of the exiting process
 * father: the nearest living ancestor in father's pid namespace that is
 * a child subreaper (PR_SET_CHILD_SUBREAPER), else the namespace's init.
 * NULL when father is that init.  Mirrors kernel/exit.c find_new_reaper.
 */
static struct task *find_new_reaper(struct task *father)
{
	struct pid_namespace *ns = task_active_pid_ns(father);
	struct task *reaper = ns->child_reaper;
	if (father == reaper || (ns == &init_pid_ns && father == init_task))
		return NULL;
	for (struct task *a = father->parent; a && a->pid && a->pid->level == father->pid->level;
	     a = a->tg->leader->parent) {
		if (a == reaper || a == init_task)
			break;
		if (a->tg->is_child_subreaper && alive(a))
			return a;
	}
	if (!alive(reaper))
		reaper = ns == &init_pid_ns ? init_task : NULL;
	return alive(reaper) ? reaper : NULL;
}

/* The children of exiting process t go to a new reaper (or are dropped,
 * zombies freed, when there is none); a zombie child tells its new
 * parent; children that asked for it get their PR_SET_PDEATHSIG signal. */
static void reparent_children(struct task *t)
{
	struct task *reaper = find_new_reaper(t);
	struct list_head *p, *n;
	list_for_each_safe(p, n, &t->children) {
		struct task *c = list_entry(p, struct task, sibling);
		list_del(&c->sibling);
		struct list_head *q, *m;
		list_for_each_safe(q, m, &c->tg->threads) {
			struct task *th = list_entry(q, struct task, thread_node);
			if (th->pdeath_signal && alive(th))
				send_signal(th, th->pdeath_signal, NULL, true);
		}
		if (reaper && reaper != t) {
			c->parent = reaper;
			list_add_tail(&c->sibling, &reaper->children);
			/* a zombie whose threads are all gone: tell its new parent
			 * (which may reap it at once, if it ignores SIGCHLD) */
			if (c->state == TASK_ZOMBIE && c->tg->nr_threads == 0) {
				c->exit_signal = SIGCHLD;
				signal_child_exit(c);
			}
		} else {
			c->parent = NULL;
			if (c->state == TASK_ZOMBIE && c->tg->nr_threads == 0)
				release_task(c);
		}
	}
}

/* Stubs of exited tasks still being ended (do_exit); umk does not exit
 * before they are gone.  Under klock. */
static int late_destroys;

static void check_guest_done(void)
{
	if (nr_live_tasks == 0 && late_destroys == 0 && init_task &&
	    init_task->state == TASK_ZOMBIE)
		guest_finished(init_task->exit_code);
}

/* The whole thread group is gone: the leader becomes a zombie for its
 * parent (or is reaped at once if the parent ignores SIGCHLD). */
static void process_exit(struct task *leader)
{
	struct thread_group *tg = leader->tg;
	leader->exit_code = tg->group_exit ? tg->exit_code : leader->exit_code;
	leader->state = TASK_ZOMBIE;
	pid_notify(leader->pid);   /* its pidfds poll readable now */
	locks_exit(tg->tgid);   /* the process's POSIX record locks */
	posix_timers_exit(tg);
	if (leader == init_task)
		kill_all_but(leader);
	struct pid_namespace *pns = task_active_pid_ns(leader);
	if (pns != &init_pid_ns && pns->child_reaper == leader)
		zap_pid_ns_processes(pns);   /* a pid namespace's init: the rest go */
	reparent_children(leader);
	/* threads a tracer has not reaped yet still belong to the group
	 * (Linux's delay_group_leader): the parent hears of the leader when
	 * the last of them is released (release_task) */
	if (tg->refs > 1)
		return;
	process_exit_notify(leader);
}

/* The last task of leader's exited group but the leader is gone: its
 * parent is told (or, without one, the leader is freed). */
void process_exit_notify(struct task *leader)
{
	if (leader->parent)
		signal_child_exit(leader);   /* may release the leader */
	else if (leader != init_task)
		release_task(leader);
}

/*
 * do_exit - the task stops existing as a running thread.  Its host thread
 * ends (the whole stub if it was the last thread or the group is exiting),
 * its mm, files and fs state are released.  A non-leader thread is freed
 * at once; a leader stays a zombie until the last thread is gone, then
 * its parent is told.  status is a wait(2) status: (code << 8) or the
 * killing signal.  Never returns; the calling kernel thread ends.
 * Mirrors kernel/exit.c.
 */
void do_exit(struct task *t, int status)
{
	struct thread_group *tg = t->tg;
	ptrace_exit(t, status);
	if (tg->core_state)
		coredump_task_exit(t);  /* hand the dumper our registers (debug/coredump.c) */
	t->exit_code = status;
	if (t->fault)
		fault_task_exit(t, status);   /* debug/fault.c: the fault log's exit record */
	if (t->host)
		exit_robust_list(t);
	/* as Linux's mm_release: only while another task uses the mm
	 * (mm_users > 1); the last user's memory is going, and no one waits
	 * on it (a guest fork's child, whose glibc sets CLONE_CHILD_CLEARTID,
	 * skips a copy into the stub here) */
	if (t->clear_child_tid && t->host && t->mm && t->mm->refs > 1) {
		int zero = 0;
		if (!copy_to_user(t, t->clear_child_tid, &zero, sizeof zero))
			futex_wake_addr(t, t->clear_child_tid, 1);
	}
	vfork_release(t);
	task_cpu_times(t, &t->utime_ns, &t->stime_ns);
	perf_event_task_exit(t);  /* perf_event.c: final readings of its events */
	cputime_thread_exit(t);   /* the host's counters, before its thread goes */
	if (tg->nr_threads == 1) {
		/* the stub's clocks task_cpu_times just read, if t is the
		 * leader on the stub's first host thread; else read again */
		if (t != tg->leader || !t->host || !platform->host_pid ||
		    platform->host_tid(t->host) != platform->host_pid(t->host))
			process_cpu_times(tg, &tg->leader->utime_ns, &tg->leader->stime_ns);
		acct_process(t, tg->group_exit ? tg->exit_code : status);   /* BSD accounting */
	}
	tg->cpu_itimer[0].expires = tg->cpu_itimer[1].expires = 0;
	bool counted = t->state != TASK_NEW;
	list_del(&t->thread_node);
	if (t != tg->leader)
		t->state = TASK_DEAD;   /* gone for /proc from here on */
	struct host_thread *late = NULL;
	/* another process shares the address space (CLONE_VM): only this
	 * host thread ends, never the stub under it */
	bool mm_shared = t->mm && t->mm->refs > tg->nr_threads;
	bool late_thread = mm_shared;
	if (t->host && tg->nr_threads == 1) {
		/* The last thread: no guest code runs in its stub any more
		 * (its one host thread waits in the platform), so the stub
		 * is ended after the parent is told, off the path to wait4. */
		late = t->host;
		t->host = NULL;
		late_destroys++;
	} else if (t->host) {
		/* A group exit ends the whole stub; a thread that exits
		 * alone ends only its host thread. */
		struct host_thread *h = t->host;
		bool whole = (tg->group_exit || tg->nr_threads == 1) && !mm_shared;
		t->host = NULL;
		pthread_mutex_unlock(&klock);
		if (whole)
			platform->destroy(h);
		else
			platform->thread_exit(h);
		pthread_mutex_lock(&klock);
	}
	ipc_exit(t);             /* SEM_UNDO adjustments */
	keys_exit(t);            /* its keyrings */
	if (t->mm)
		mm_put(t->mm);
	t->mm = NULL;
	files_fs_release(t);
	put_nsproxy(t->nsproxy);   /* Linux's exit_task_namespaces */
	t->nsproxy = NULL;
	if (counted)
		nr_live_tasks--;
	cgroup_exit(t);          /* no longer counts in its cgroup (populated, pids) */
	/* Counted down only now, under klock, after the host side is gone:
	 * whichever thread finishes last reports the process. */
	bool last = --tg->nr_threads == 0;
	if (tg->exec_task)
		task_wake(tg->exec_task);
	struct task *leader = tg->leader;
	if (t != leader) {
		t->state = TASK_DEAD;
		bool traced = ptrace_thread_exit(t);
		/* the leader's parent is told once t is released: now, or when
		 * its tracer reaps it (process_exit, release_task) */
		if (last && leader->state == TASK_ZOMBIE)
			process_exit(leader);
		if (!traced)
			release_task(t);
	} else {
		t->state = TASK_ZOMBIE;
		if (last)
			process_exit(t);
	}
	/* t may be freed now. */
	check_guest_done();
	if (late) {
		pthread_mutex_unlock(&klock);
		if (late_thread)
			platform->thread_exit(late);
		else
			platform->destroy(late);
		pthread_mutex_lock(&klock);
		late_destroys--;
		check_guest_done();
	}
	kthread_exit();
}

void do_group_exit(struct task *t, int status)
{
	if (!t->tg->group_exit) {
		t->tg->group_exit = true;
		t->tg->group_exit_task = t;
		t->tg->exit_code = status;
		wake_all_threads(t->tg, t);
	}
	do_exit(t, t->tg->exit_code);
}

/*
 * de_thread - execve in a thread group: every other thread ends, and the
 * exec'ing thread takes over the leader's pid.  Returns 0, or -EINTR if a
 * fatal signal came first (the caller's exit path takes it).
 * Mirrors fs/exec.c de_thread.
 */
int de_thread(struct task *t)
{
	struct thread_group *tg = t->tg;
	if (tg->nr_threads == 1 && tg->leader == t)
		return 0;
	tg->exec_task = t;
	struct list_head *p, *n;
	list_for_each_safe(p, n, &tg->threads) {
		struct task *o = list_entry(p, struct task, thread_node);
		if (o != t) {
			o->zapped = true;
			signal_wake(o);
		}
	}
	while (tg->nr_threads > 1) {
		if (tg->group_exit) {
			tg->exec_task = NULL;
			return -EINTR;
		}
		task_sleep_nosig(t, now_ns(CLOCK_MONOTONIC) + 100000000ULL);
	}
	tg->exec_task = NULL;
	struct task *leader = tg->leader;
	if (leader != t) {
		/* take the leader's place: pid, parent, children (Linux's
		 * exchange_tids: the leader leaves with the old thread id) */
		struct pid *lp = leader->pid;
		leader->pid = t->pid;
		leader->pid->task = leader;
		t->pid = lp;
		lp->task = t;
		leader->tid = leader->pid->numbers[0].nr;
		t->tid = lp->numbers[0].nr;
		t->parent = leader->parent;
		t->exit_signal = leader->exit_signal;
		list_del(&t->sibling);
		list_add_tail(&t->sibling, &leader->sibling);
		list_del(&leader->sibling);
		list_for_each_safe(p, n, &leader->children) {
			struct task *c = list_entry(p, struct task, sibling);
			list_del(&c->sibling);
			list_add_tail(&c->sibling, &t->children);
			c->parent = t;
		}
		tg->leader = t;
		tg->tgid = t->tid;
		if (leader == init_task)
			init_task = t;
		for (struct pid_namespace *ns = task_active_pid_ns(t); ns; ns = ns->parent)
			if (ns->child_reaper == leader)
				ns->child_reaper = t;
		release_task(leader);
	}
	return 0;
}

/* A task created by run_init counts as live from its first run. */
void task_count_live(void)
{
	nr_live_tasks++;
}

/* ---- wait ---- */

/* which/id as waitid's; LINUX_P_PID ids are in t's pid namespace,
 * LINUX_P_PGID ones global, LINUX_P_PIDFD's the pid itself (wpid). */
static bool wait_match(struct task *t, struct task *c, int which, int id, struct pid *wpid)
{
	switch (which) {
	case LINUX_P_ALL: return true;
	case LINUX_P_PID: return task_pid_vnr(t, c) == id;
	case LINUX_P_PGID: return c->tg->pgid == id;
	case LINUX_P_PIDFD: return c->pid == wpid;
	}
	return false;
}

/*
 * do_wait - the common part of wait4 and waitid.  which/id as waitid's
 * (LINUX_P_ALL, LINUX_P_PID, LINUX_P_PGID).  options: LINUX_WNOHANG, LINUX_WUNTRACED/LINUX_WUNTRACED,
 * LINUX_WCONTINUED, LINUX_WEXITED, LINUX_WNOWAIT.  Returns the pid reported, 0 for LINUX_WNOHANG
 * with nothing to report, or -ECHILD / -ERESTARTSYS.
 */
static int do_wait(struct task *t, int which, int id, struct pid *wpid, int options,
		   struct wait_result *wr)
{
	struct task *self = t->tg->leader;
	for (;;) {
		bool any = false;
		struct list_head *p, *n;
		list_for_each_safe(p, n, &self->children) {
			struct task *c = list_entry(p, struct task, sibling);
			if (!wait_match(t, c, which, id, wpid))
				continue;
			any = true;
			/* a tracee is reported by the ptrace pass below; a child
			 * traced by another process exits for its tracer first */
			int hidden = ptrace_child_hidden(t, c);
			if (hidden == 1 || (hidden == 2 && c->state == TASK_ZOMBIE))
				continue;
			/* a leader that exited before its other threads is not
			 * reaped until the last of them is gone (Linux's
			 * delay_group_leader): process_exit reports it then */
			if (c->state == TASK_ZOMBIE && c->tg->nr_threads == 0 && c->tg->refs == 1 &&
			    (options & LINUX_WEXITED)) {
				wr->pid = task_pid_vnr(t, c);
				wr->status = c->exit_code;
				if (LINUX_WIFEXITED(c->exit_code)) {
					wr->code = 1 /* CLD_EXITED */;
					wr->child_status = LINUX_WEXITSTATUS(c->exit_code);
				} else {
					/* CLD_DUMPED if it left a core (WCOREDUMP) */
					wr->code = c->exit_code & 0x80 ? 3 : 2 /* CLD_KILLED */;
					wr->child_status = LINUX_WTERMSIG(c->exit_code);
				}
				wr->utime_ns = c->utime_ns + c->tg->cutime_ns;
				wr->stime_ns = c->stime_ns + c->tg->cstime_ns;
				wr->uid = from_kuid_munged(t->user_ns, c->cred.uid);
				memset(&wr->ru, 0, sizeof wr->ru);
				struct thread_group tmp = { 0 };
				cputime_reap(&tmp, c->tg);
				wr->ru = tmp.ru_children;
				if (!(options & LINUX_WNOWAIT)) {
					t->tg->cutime_ns += wr->utime_ns;
					t->tg->cstime_ns += wr->stime_ns;
					cputime_reap(t->tg, c->tg);
					release_task(c);
				}
				return wr->pid ? wr->pid : 1;
			}
			if ((options & LINUX_WUNTRACED) && c->tg->stop_report > 0 && c->tg->stop_state) {
				wr->pid = task_pid_vnr(t, c);
				wr->status = (c->tg->stop_report << 8) | 0x7f;
				wr->code = 5 /* CLD_STOPPED */;
				wr->child_status = c->tg->stop_report;
				wr->uid = from_kuid_munged(t->user_ns, c->cred.uid);
				if (!(options & LINUX_WNOWAIT))
					c->tg->stop_report = 0;
				return wr->pid;
			}
			if ((options & LINUX_WCONTINUED) && c->tg->stop_report == -1) {
				wr->pid = task_pid_vnr(t, c);
				wr->status = 0xffff;
				wr->code = 6 /* CLD_CONTINUED */;
				wr->child_status = SIGCONT;
				wr->uid = from_kuid_munged(t->user_ns, c->cred.uid);
				if (!(options & LINUX_WNOWAIT))
					c->tg->stop_report = 0;
				return wr->pid;
			}
		}
		int pr = ptrace_do_wait(t, which, id, wpid, options, wr, &any);
		if (pr)
			return pr;
		if (!any)
			return -ECHILD;
		if (options & LINUX_WNOHANG)
			return 0;
		/* as Linux's do_wait: the children are looked at again after
		 * every wake-up, and a signal ends the wait only when none has
		 * anything to report (the SIGCHLD of a child's stop or exit
		 * comes with the wake-up that reports it) */
		if (signal_pending(t))
			return -ERESTARTSYS;
		struct waiter w;
		waitq_add(&t->tg->child_wait, &w, t);
		task_sleep(t, 0, -1, 0);
		waitq_del(&w);
	}
}

static void fill_rusage(struct linux_rusage *ru, int64_t u, int64_t s, const struct host_rusage *h)
{
	memset(ru, 0, sizeof *ru);
	if (h) {
		ru->ru_maxrss = h->maxrss_kb;
		ru->ru_minflt = h->minflt;
		ru->ru_majflt = h->majflt;
		ru->ru_nvcsw = h->nvcsw;
		ru->ru_nivcsw = h->nivcsw;
	}
	ru->ru_utime.tv_sec = u / 1000000000;
	ru->ru_utime.tv_usec = (u % 1000000000) / 1000;
	ru->ru_stime.tv_sec = s / 1000000000;
	ru->ru_stime.tv_usec = (s % 1000000000) / 1000;
}

long sys_wait4(struct task *t, struct sysargs *a)
{
	int pid = arg_int(a, 0);
	int options = arg_int(a, 2);
	if (options & ~(LINUX_WNOHANG | LINUX_WUNTRACED | LINUX_WCONTINUED | LINUX___WNOTHREAD | LINUX___WCLONE | LINUX___WALL))
		return -EINVAL;
	int which = LINUX_P_ALL, id = 0;
	if (pid > 0) {
		which = LINUX_P_PID;
		id = pid;
	} else if (pid == 0) {
		which = LINUX_P_PGID;
		id = t->tg->pgid;
	} else if (pid == INT32_MIN) {
		return -ESRCH;
	} else if (pid < -1) {
		which = LINUX_P_PGID;
		id = vnr_to_global(t, -pid);
		if (!id)
			return -ECHILD;
	}
	struct wait_result wr = { 0 };
	int r = do_wait(t, which, id, NULL, options | LINUX_WEXITED, &wr);
	if (r <= 0)
		return r;
	if (a->a[1] && copy_to_user(t, a->a[1], &wr.status, sizeof(int)))
		return -EFAULT;
	if (a->a[3]) {
		struct linux_rusage ru;
		fill_rusage(&ru, wr.utime_ns, wr.stime_ns, wr.pid ? &wr.ru : NULL);
		if (copy_to_user(t, a->a[3], &ru, sizeof ru))
			return -EFAULT;
	}
	return r;
}

long sys_waitid(struct task *t, struct sysargs *a)
{
	int which = arg_int(a, 0), id = arg_int(a, 1), options = arg_int(a, 3);
	if (options & ~(LINUX_WNOHANG | LINUX_WUNTRACED | LINUX_WCONTINUED | LINUX_WEXITED | LINUX_WNOWAIT | LINUX___WNOTHREAD | LINUX___WCLONE | LINUX___WALL))
		return -EINVAL;
	if (!(options & (LINUX_WEXITED | LINUX_WUNTRACED | LINUX_WCONTINUED)))
		return -EINVAL;
	struct pid *wpid = NULL;
	bool nonblock = false;
	switch (which) {
	case LINUX_P_ALL:
		break;
	case LINUX_P_PID:
		if (id <= 0)
			return -EINVAL;
		break;
	case LINUX_P_PGID:
		if (id < 0)
			return -EINVAL;
		id = id == 0 ? t->tg->pgid : vnr_to_global(t, id);
		if (!id)
			return -ECHILD;
		break;
	case LINUX_P_PIDFD: {
		if (id < 0)
			return -EINVAL;
		int err = pidfd_get_pid(t, id, &wpid, &nonblock);
		if (err)
			return err;
		if (nonblock)
			options |= LINUX_WNOHANG;
		break;
	}
	default:
		return -EINVAL;
	}
	struct wait_result wr = { 0 };
	int r = do_wait(t, which, id, wpid, options, &wr);
	put_pid(wpid);
	if (r < 0)
		return r;
	if (r == 0 && nonblock && !(arg_int(a, 3) & LINUX_WNOHANG))
		return -EAGAIN;   /* a PIDFD_NONBLOCK pidfd (Linux's kernel_waitid) */
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
		fill_rusage(&ru, wr.utime_ns, wr.stime_ns, wr.pid ? &wr.ru : NULL);
		if (copy_to_user(t, a->a[4], &ru, sizeof ru))
			return -EFAULT;
	}
	return 0;
}
