/*
 * ptrace.c - ptrace(2) for guests: attaching, the stop state machine, the
 * requests, and what wait, fork, exec and exit do for traced tasks.
 * Mirrors Linux's kernel/ptrace.c and the ptrace parts of kernel/signal.c
 * (ptrace_stop, ptrace_signal, do_jobctl_trap) and kernel/exit.c.
 *
 * In a nutshell: a traced task stops only in its own kernel thread, in
 * ptrace_stop(): it records what to report (the wait status, a siginfo,
 * an event message), tells its tracer (SIGCHLD, a wake-up of the tracer's
 * wait4), and sleeps until the tracer resumes it, detaches, or it is
 * killed.  Every stop goes through here: syscall entry and exit
 * (syscall_trace_enter/exit), signal delivery (ptrace_signal), group stop
 * and PTRACE_EVENT_STOP (ptrace_group_stop, ptrace_do_jobctl), the events
 * of fork, exec and exit, and single-step traps (a SIGTRAP from the
 * platform, delivered as a signal).  While a tracee is stopped its
 * registers are plain data in struct task, so GETREGS/SETREGS are copies;
 * what only its own kernel thread may do (FPU state, debug registers: the
 * platform's host thread has one owner) the tracer asks of it through
 * ptrace_call_tracee(), which the stopped tracee serves.
 *
 * Lock: klock guards all ptrace state (struct ptrace_state, the ptraced
 * lists, task->ptracer, syscall_work and jobctl).
 */
#include "../kernel.h"
#include "task.h"
#include "ptrace.h"
#include "../mm/mm.h"
#include "../fs/fs.h"
#include "../security/landlock.h"
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define TF_FLAG     0x100UL
#define FLAG_MASK   0x54dd5UL   /* CF PF AF ZF SF TF DF OF NT RF AC: what a tracer may change */
#define SI_USER_    0
#define SI_KERNEL_  0x80
#define TRAP_BRKPT_ 1
#define CLD_EXITED_ 1
#define CLD_KILLED_ 2
#define CLD_TRAPPED_ 4
#define CLD_STOPPED_ 5
#define PT_PTRACED  0x1
#define PT_SEIZED   0x2
#define USER_CS     0x33
#define USER_DS     0x2b

/* A tracee's state (Linux keeps it in task_struct and signal_struct). */
struct ptrace_state {
	unsigned flags;                /* PT_PTRACED, PT_SEIZED */
	unsigned options;              /* PTRACE_O_* */
	bool stopped;                  /* in ptrace_stop (Linux's TASK_TRACED) */
	bool listening;                /* PTRACE_LISTEN: not stopped for the tracer, waiting for
					* the group stop state to change or an interrupt */
	int trap_state;                /* tg->stop_state and stop_gen at the last EVENT_STOP: */
	unsigned trap_gen;             /* a change since re-traps a listener (JOBCTL_TRAP_NOTIFY) */
	bool zombie;                   /* a traced thread that exited, not yet reaped */
	int exit_code;                 /* the stop to report: sig | event << 8; 0 once reported */
	int resume_code;               /* the signal the tracer resumed with */
	int why;                       /* CLD_TRAPPED, CLD_STOPPED */
	bool has_siginfo;              /* Linux's last_siginfo != NULL */
	linux_siginfo_t siginfo;
	uint64_t message;              /* PTRACE_GETEVENTMSG (1/2 at a syscall entry/exit stop) */
	bool forced_tf;                /* TF is set by the tracer's single-step, not the task */
	unsigned stop_gen;             /* the group stop (tg->stop_gen) already reported */
	uint64_t debugreg[8];          /* as PEEKUSER shows them where the platform has none */
	struct ptrace_req *req;        /* the tracer's request to the stopped tracee's thread */
	struct task *attach_waiter;    /* a tracer in PTRACE_ATTACH waiting for the trap */
};

struct ptrace_req {
	int (*fn)(struct task *c, void *arg);
	void *arg;
	int result;
	bool done;
	struct task *waiter;
};

static struct ptrace_state *pt_get(struct task *t)
{
	if (!t->pt)
		t->pt = calloc(1, sizeof *t->pt);
	return t->pt;
}

static bool valid_signal(uint64_t sig)
{
	return sig <= LINUX_NSIG;
}

static bool is_seized(struct task *t)
{
	return t->ptracer && (t->pt->flags & PT_SEIZED);
}

/* Linux's __fatal_signal_pending for a task about to stop: SIGKILL, a
 * group exit begun by another thread, or an execve by another thread. */
static bool fatal_pending(struct task *t)
{
	struct thread_group *tg = t->tg;
	if (t->zapped)
		return true;
	if (tg->group_exit && tg->group_exit_task != t)
		return true;
	return ((t->pending.set | tg->shared_pending.set) & SIGBIT(SIGKILL)) != 0;
}

/* ---- linking ---- */

static void ptrace_link(struct task *c, struct task *tracer)
{
	c->ptracer = tracer;
	list_add_tail(&c->ptrace_entry, &tracer->ptraced);
}

static void disable_step(struct task *c)
{
	if (c->pt && c->pt->forced_tf) {
		c->regs.eflags &= ~TF_FLAG;
		c->pt->forced_tf = false;
	}
	c->syscall_work &= ~SW_STEP;
}

static void enable_step(struct task *c)
{
	if (!(c->regs.eflags & TF_FLAG)) {
		c->regs.eflags |= TF_FLAG;
		c->pt->forced_tf = true;
	}
	c->syscall_work |= SW_STEP;
}

/* Breaks the link; a stopped tracee goes on with resume_code. */
static void ptrace_unlink(struct task *c, int resume_code)
{
	struct ptrace_state *pt = c->pt;
	list_del(&c->ptrace_entry);
	c->ptracer = NULL;
	c->syscall_work &= ~(SW_TRACE | SW_EMU);
	c->jobctl &= ~JOBCTL_TRAP_STOP;
	disable_step(c);
	pt->flags = 0;
	pt->options = 0;
	pt->listening = false;
	pt->exit_code = 0;
	if (pt->stopped) {
		pt->resume_code = resume_code;
		pt->stopped = false;
	}
	task_wake(c);
}

/* ---- the stop ---- */

/* The stopped tracee runs the tracer's request, if any (or fails it). */
static void serve_request(struct task *t, bool fail)
{
	struct ptrace_req *r = t->pt->req;
	if (!r)
		return;
	t->pt->req = NULL;
	r->result = fail ? -ESRCH : r->fn(t, r->arg);
	r->done = true;
	task_wake(r->waiter);
}

/* Runs fn in stopped tracee c's own kernel thread (the owner of its
 * host thread); returns fn's result, or -ESRCH if c stopped being stopped. */
static int ptrace_call_tracee(struct task *t, struct task *c, int (*fn)(struct task *, void *),
			      void *arg)
{
	if (c == t)
		return fn(c, arg);
	if (!c->pt->stopped || c->pt->req)
		return -ESRCH;
	struct ptrace_req r = { fn, arg, 0, false, t };
	c->pt->req = &r;
	task_wake(c);
	while (!r.done)
		task_sleep_stopped(t);
	return r.result;
}

/* SIGCHLD to the tracer (unless it ignores it or asked SA_NOCLDSTOP) and
 * a wake-up of its wait4: Linux's do_notify_parent_cldstop(for_ptracer). */
static void notify_tracer_stop(struct task *t, int why)
{
	struct task *tr = t->ptracer;
	wake_up(&tr->tg->child_wait);
	if (!tr->sighand)
		return;
	struct linux_sigaction *ka = &tr->sighand->action[SIGCHLD - 1];
	if (ka->handler == 1 /* SIG_IGN */ || (ka->flags & 1 /* SA_NOCLDSTOP */))
		return;
	linux_siginfo_t si;
	siginfo_kill(&si, SIGCHLD, why, NULL);
	si.u.chld.pid = task_pid_vnr(tr, t);
	si.u.chld.uid = t->cred.uid;
	si.u.chld.status = t->pt->exit_code & 0x7f;
	send_signal(tr, SIGCHLD, &si, true);
}

/*
 * ptrace_stop - stops traced t for its tracer: exit_code is what wait
 * reports (sig | event << 8), why CLD_TRAPPED or CLD_STOPPED, message
 * PTRACE_GETEVENTMSG's answer, info the siginfo (NULL: none, as in a
 * group stop; PTRACE_SETSIGINFO's edits are copied back into it).
 * Returns the signal the tracer resumed t with; exit_code itself if t is
 * not traced or is dying (then it does not stop).  A tracee the tracer
 * lets PTRACE_LISTEN stays here until its group stop ends (or the tracer
 * interrupts it), and then traps again (JOBCTL_TRAP_STOP).
 */
static int ptrace_stop(struct task *t, int exit_code, int why, uint64_t message,
		       linux_siginfo_t *info)
{
	struct ptrace_state *pt = t->pt;
	if (!t->ptracer || fatal_pending(t))
		return exit_code;
	if (t->mm)
		mm_unpatch_syscalls(t);     /* a traced task runs its own text */
	pt->message = message;
	pt->has_siginfo = info != NULL;
	if (info)
		pt->siginfo = *info;
	pt->exit_code = exit_code;
	pt->resume_code = 0;
	pt->why = why;
	pt->stopped = true;
	if (pt->attach_waiter) {
		task_wake(pt->attach_waiter);
		pt->attach_waiter = NULL;
	}
	notify_tracer_stop(t, why);
	while ((pt->stopped || pt->listening) && t->ptracer && !fatal_pending(t)) {
		serve_request(t, false);
		if (pt->listening) {
			struct thread_group *tg = t->tg;
			if (tg->stop_state != pt->trap_state || pt->trap_gen != tg->stop_gen ||
			    (t->jobctl & JOBCTL_TRAP_STOP)) {
				t->jobctl |= JOBCTL_TRAP_STOP;
				break;
			}
		} else if (!pt->stopped) {
			break;
		}
		task_sleep_stopped(t);
	}
	pt->stopped = false;
	pt->listening = false;
	serve_request(t, true);
	pt->exit_code = 0;
	if (info && pt->has_siginfo)
		*info = pt->siginfo;
	pt->has_siginfo = false;
	return fatal_pending(t) ? 0 : pt->resume_code;
}

/* Linux's ptrace_notify: a SIGTRAP stop with a siginfo saying so. */
static int ptrace_notify(struct task *t, int exit_code, uint64_t message)
{
	linux_siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_signo = SIGTRAP;
	si.si_code = exit_code;
	si.u.kill.pid = task_pid_vnr(t, t);
	si.u.kill.uid = t->cred.uid;
	return ptrace_stop(t, exit_code, CLD_TRAPPED_, message, &si);
}

static bool event_enabled(struct task *t, int event)
{
	return t->ptracer && (t->pt->options & (1u << event));
}

static void ptrace_event(struct task *t, int event, uint64_t message)
{
	if (event_enabled(t, event))
		ptrace_notify(t, (event << 8) | SIGTRAP, message);
}

/* A syscall stop; a signal the tracer resumes with is sent (Linux's
 * ptrace_report_syscall).  Returns true if the task is dying. */
static bool report_syscall(struct task *t, int op)
{
	struct ptrace_state *pt = t->pt;
	int code = ptrace_notify(t, SIGTRAP | ((pt->options & LINUX_PTRACE_O_TRACESYSGOOD) ? 0x80 : 0),
				 op == LINUX_PTRACE_SYSCALL_INFO_ENTRY ? 1 : 2);
	if (code && t->ptracer) {
		linux_siginfo_t si;
		siginfo_kill(&si, code, SI_KERNEL_, NULL);
		send_signal(t, code, &si, false);
	}
	return fatal_pending(t);
}

int syscall_trace_enter(struct task *t)
{
	unsigned work = t->syscall_work;
	/* syscall user dispatch first (its ABI may not be Linux's); a
	 * dispatched call has no exit work either */
	if ((work & SW_SUD) && sud_syscall_enter(t))
		return 2;
	if (work & (SW_TRACE | SW_EMU)) {
		t->regs.rax = (uint64_t)-ENOSYS;
		if (report_syscall(t, LINUX_PTRACE_SYSCALL_INFO_ENTRY))
			return 1;
		if (work & SW_EMU)
			return 2;
	}
	if (t->syscall_work & SW_SECCOMP) {
		if (seccomp_syscall_enter(t) < 0)
			return 1;
	}
	return 0;
}

void syscall_trace_exit(struct task *t)
{
	unsigned work = t->syscall_work;
	if ((work & SW_STEP) && !(work & SW_EMU)) {
		/* Linux's user_single_step_report: the step over a syscall
		 * ends at its return, as a breakpoint trap */
		linux_siginfo_t si;
		memset(&si, 0, sizeof si);
		si.si_signo = SIGTRAP;
		si.si_code = TRAP_BRKPT_;
		si.u.fault.addr = t->regs.rip;
		force_sig_fault(t, &si);
		return;
	}
	if (work & SW_TRACE)
		report_syscall(t, LINUX_PTRACE_SYSCALL_INFO_EXIT);
}

int ptrace_signal(struct task *t, int sig, linux_siginfo_t *info)
{
	/* the stop's siginfo is the one delivered: SETSIGINFO edits it */
	int nsig = ptrace_stop(t, sig, CLD_TRAPPED_, 0, info);
	if (!nsig)
		return 0;
	if (nsig != info->si_signo) {
		struct task *tr = t->ptracer;
		memset(info, 0, sizeof *info);
		info->si_signo = nsig;
		info->si_code = SI_USER_;
		info->u.kill.pid = task_tgid_vnr(t, tr);
		info->u.kill.uid = tr->cred.uid;
	}
	/* a signal the task blocks now waits in its queue */
	if ((t->blocked & SIGBIT(nsig)) || fatal_pending(t)) {
		send_signal(t, nsig, info, false);
		return 0;
	}
	return nsig;
}

bool ptrace_seccomp_event(struct task *t, uint32_t data)
{
	if (!event_enabled(t, LINUX_PTRACE_EVENT_SECCOMP))
		return false;
	t->regs.rax = (uint64_t)-ENOSYS;
	ptrace_notify(t, (LINUX_PTRACE_EVENT_SECCOMP << 8) | SIGTRAP, data);
	return true;
}

bool ptrace_sees_ignored(struct task *t, int sig)
{
	return t->ptracer && sig != SIGKILL;
}

/* Linux's do_jobctl_trap: a seized tracee reports PTRACE_EVENT_STOP with
 * sig (the group stop's signal, or SIGTRAP); an attached one, a group
 * stop as a plain stop with no siginfo. */
static void jobctl_trap(struct task *t, int sig)
{
	t->pt->trap_state = t->tg->stop_state;
	t->pt->trap_gen = t->tg->stop_gen;
	if (is_seized(t)) {
		linux_siginfo_t si;
		memset(&si, 0, sizeof si);
		si.si_signo = sig;
		si.si_code = sig | (LINUX_PTRACE_EVENT_STOP << 8);
		si.u.kill.pid = task_pid_vnr(t, t);
		si.u.kill.uid = t->cred.uid;
		ptrace_stop(t, sig | (LINUX_PTRACE_EVENT_STOP << 8), CLD_STOPPED_, 0, &si);
	} else {
		ptrace_stop(t, sig, CLD_STOPPED_, 0, NULL);
	}
}

/* The signal of a PTRACE_EVENT_STOP: the group stop's, else SIGTRAP. */
static int event_stop_sig(struct task *t)
{
	return t->tg->stop_state ? t->tg->group_stop_sig : SIGTRAP;
}

bool ptrace_do_jobctl(struct task *t)
{
	if (!(t->jobctl & JOBCTL_TRAP_STOP))
		return false;
	t->jobctl &= ~JOBCTL_TRAP_STOP;
	if (!t->ptracer)
		return false;
	if (t->tg->stop_state)
		t->pt->stop_gen = t->tg->stop_gen;
	jobctl_trap(t, event_stop_sig(t));
	return true;
}

bool ptrace_group_stop_done(struct task *t)
{
	return t->ptracer && t->pt->stop_gen == t->tg->stop_gen;
}

bool ptrace_group_stop(struct task *t)
{
	t->pt->stop_gen = t->tg->stop_gen;
	jobctl_trap(t, t->tg->group_stop_sig);
	return t->ptracer != NULL;
}

bool ptrace_handler_step(struct task *t)
{
	if (!t->ptracer || !(t->syscall_work & SW_STEP))
		return false;
	disable_step(t);
	return true;
}

void ptrace_handler_entered(struct task *t)
{
	ptrace_notify(t, SIGTRAP, 0);
}

/* ---- fork, exec, exit ---- */

int ptrace_fork_event(struct task *t, uint64_t flags)
{
	if (!t->ptracer || (flags & CLONE_UNTRACED))
		return 0;
	int event = (flags & CLONE_VFORK) ? LINUX_PTRACE_EVENT_VFORK :
		    (flags & 0xff) != SIGCHLD ? LINUX_PTRACE_EVENT_CLONE : LINUX_PTRACE_EVENT_FORK;
	return event_enabled(t, event) ? event : 0;
}

void ptrace_fork_child(struct task *t, struct task *c, int event, uint64_t flags)
{
	if (t->pt && t->pt->forced_tf)
		c->regs.eflags &= ~TF_FLAG;  /* the child does not inherit the step */
	seccomp_fork(t, c);
	if (!t->ptracer || (!event && !(flags & CLONE_PTRACE)) || (flags & CLONE_UNTRACED))
		return;
	struct ptrace_state *pt = pt_get(c);
	if (!pt)
		return;
	pt->flags = t->pt->flags;
	pt->options = t->pt->options;
	ptrace_link(c, t->ptracer);
	/* its first stop: PTRACE_EVENT_STOP when seized, else a SIGSTOP */
	if (pt->flags & PT_SEIZED) {
		c->jobctl |= JOBCTL_TRAP_STOP;
	} else {
		linux_siginfo_t si;
		siginfo_kill(&si, SIGSTOP, SI_USER_, NULL);
		send_signal(c, SIGSTOP, &si, false);
	}
}

void ptrace_fork_done(struct task *t, int event, struct task *c, bool vfork_done)
{
	if (!t->ptracer)
		return;
	/* the message: the child's pid as the tracer sees it */
	uint64_t pid = c ? (uint64_t)task_pid_vnr(t->ptracer, c) : 0;
	if (vfork_done)
		ptrace_event(t, LINUX_PTRACE_EVENT_VFORK_DONE, pid);
	else if (event)
		ptrace_event(t, event, pid);
}

static int set_host_debugreg(struct task *c, void *arg);

void ptrace_exec(struct task *t, int old_tid)
{
	if (!t->ptracer && !t->pt)
		return;
	if (t->pt) {
		/* hardware breakpoints do not survive execve (flush_thread) */
		bool any = false;
		for (int i = 0; i < 8; i++)
			any |= t->pt->debugreg[i] != 0;
		if (any && platform->debugreg) {
			uint64_t zero[2] = { 7, 0 };
			set_host_debugreg(t, zero);
		}
		memset(t->pt->debugreg, 0, sizeof t->pt->debugreg);
	}
	if (!t->ptracer)
		return;
	if (event_enabled(t, LINUX_PTRACE_EVENT_EXEC)) {
		ptrace_notify(t, (LINUX_PTRACE_EVENT_EXEC << 8) | SIGTRAP,
			      (uint64_t)global_vnr(t->ptracer, old_tid));
	} else if (!is_seized(t)) {
		/* the legacy report: a SIGTRAP after the exec */
		linux_siginfo_t si;
		siginfo_kill(&si, SIGTRAP, SI_USER_, t);
		send_signal(t, SIGTRAP, &si, false);
	}
}

/* Sends SIGCHLD (or sig) about exited tracee c to its tracer and wakes its
 * wait: Linux's do_notify_parent for the ptrace parent. */
static void notify_tracer_exit(struct task *c, int sig)
{
	struct task *tr = c->ptracer;
	wake_up(&tr->tg->child_wait);
	if (!sig || !tr->sighand)
		return;
	int st = c->exit_code;
	linux_siginfo_t si;
	siginfo_kill(&si, sig, LINUX_WIFEXITED(st) ? CLD_EXITED_ : CLD_KILLED_, NULL);
	si.u.chld.pid = task_pid_vnr(tr, c);
	si.u.chld.uid = c->cred.uid;
	si.u.chld.status = LINUX_WIFEXITED(st) ? LINUX_WEXITSTATUS(st) : LINUX_WTERMSIG(st);
	send_signal(tr, sig, &si, true);
}

/* The tracer is gone: its zombie tracees go back to their parents (or are
 * freed), the others are detached (killed with PTRACE_O_EXITKILL). */
static void exit_ptrace(struct task *tracer)
{
	struct list_head *p, *n;
	list_for_each_safe(p, n, &tracer->ptraced) {
		struct task *c = list_entry(p, struct task, ptrace_entry);
		bool kill = c->pt->options & LINUX_PTRACE_O_EXITKILL;
		bool zthread = c->pt->zombie;
		bool zleader = c->state == TASK_ZOMBIE && c->tg->leader == c && c->tg->nr_threads == 0;
		ptrace_unlink(c, 0);
		if (zthread) {
			c->pt->zombie = false;
			release_task(c);
		} else if (zleader) {
			if (c->parent)
				signal_child_exit(c);
			else if (c != init_task)
				release_task(c);
		} else if (kill) {
			send_signal(c, SIGKILL, NULL, true);
		}
	}
}

void ptrace_exit(struct task *t, int status)
{
	if (t->ptracer)
		ptrace_event(t, LINUX_PTRACE_EVENT_EXIT, (uint64_t)(uint32_t)status);
	if (!list_empty(&t->ptraced))
		exit_ptrace(t);
}

bool ptrace_thread_exit(struct task *t)
{
	if (!t->ptracer)
		return false;
	t->pt->zombie = true;
	notify_tracer_exit(t, SIGCHLD);
	return true;
}

bool ptrace_process_exit(struct task *leader)
{
	if (!leader->ptracer)
		return false;
	struct task *tr = leader->ptracer;
	bool by_parent = leader->parent && leader->parent->tg == tr->tg;
	notify_tracer_exit(leader, by_parent ? leader->exit_signal : SIGCHLD);
	return true;
}

void ptrace_release(struct task *t)
{
	if (t->ptracer)
		ptrace_unlink(t, 0);
	struct list_head *p, *n;
	list_for_each_safe(p, n, &t->ptraced)
		ptrace_unlink(list_entry(p, struct task, ptrace_entry), 0);
	seccomp_release(t);
	free(t->pt);
	t->pt = NULL;
}

/* ---- wait ---- */

int ptrace_child_hidden(struct task *t, struct task *c)
{
	if (!c->ptracer)
		return 0;
	return c->ptracer->tg == t->tg ? 1 : 2;
}

static bool wait_eligible(struct task *t, struct task *c, int which, int id, struct pid *wpid)
{
	switch (which) {
	case LINUX_P_ALL: return true;
	case LINUX_P_PID: return task_pid_vnr(t, c) == id;
	case LINUX_P_PGID: return c->tg->pgid == id;
	case LINUX_P_PIDFD: return c->pid == wpid;
	}
	return false;
}

/* Reports (and with !WNOWAIT reaps) the exit of tracee c. */
static int wait_tracee_exit(struct task *t, struct task *c, int options, struct wait_result *wr)
{
	int st = c->exit_code;
	wr->pid = task_pid_vnr(t, c);
	wr->status = st;
	wr->code = LINUX_WIFEXITED(st) ? CLD_EXITED_ : CLD_KILLED_;
	wr->child_status = LINUX_WIFEXITED(st) ? LINUX_WEXITSTATUS(st) : LINUX_WTERMSIG(st);
	wr->utime_ns = c->utime_ns;
	wr->stime_ns = c->stime_ns;
	wr->uid = from_kuid_munged(t->user_ns, c->cred.uid);
	memset(&wr->ru, 0, sizeof wr->ru);
	bool leader = !c->pt->zombie;
	if (leader) {
		struct thread_group tmp = { 0 };
		cputime_reap(&tmp, c->tg);
		wr->ru = tmp.ru_children;
	}
	if (options & LINUX_WNOWAIT)
		return wr->pid;
	if (c->pt->zombie) {
		c->pt->zombie = false;
		ptrace_unlink(c, 0);
		release_task(c);
		return wr->pid;
	}
	bool by_parent = c->parent && c->parent->tg == t->tg;
	ptrace_unlink(c, 0);
	if (by_parent) {
		wr->utime_ns += c->tg->cutime_ns;
		wr->stime_ns += c->tg->cstime_ns;
		t->tg->cutime_ns += wr->utime_ns;
		t->tg->cstime_ns += wr->stime_ns;
		cputime_reap(t->tg, c->tg);
		release_task(c);
	} else if (c->parent) {
		/* the parent learns of it now, and reaps it (Linux's EXIT_TRACE) */
		signal_child_exit(c);
	} else if (c != init_task) {
		release_task(c);
	}
	return wr->pid;
}

int ptrace_do_wait(struct task *t, int which, int id, struct pid *wpid, int options,
		   struct wait_result *wr, bool *any)
{
	struct list_head *tp, *tn;
	list_for_each_safe(tp, tn, &t->tg->threads) {
		struct task *tr = list_entry(tp, struct task, thread_node);
		if ((options & LINUX___WNOTHREAD) && tr != t)
			continue;
		struct list_head *p, *n;
		list_for_each_safe(p, n, &tr->ptraced) {
			struct task *c = list_entry(p, struct task, ptrace_entry);
			if (!wait_eligible(t, c, which, id, wpid))
				continue;
			*any = true;
			bool zombie = c->pt->zombie ||
				      (c->state == TASK_ZOMBIE && c->tg->leader == c && c->tg->nr_threads == 0 &&
				       c->tg->refs == 1);
			if (zombie) {
				if (options & LINUX_WEXITED)
					return wait_tracee_exit(t, c, options, wr);
				continue;
			}
			if (c->pt->stopped && c->pt->exit_code) {
				wr->pid = task_pid_vnr(t, c);
				wr->status = (c->pt->exit_code << 8) | 0x7f;
				wr->code = CLD_TRAPPED_;
				wr->child_status = c->pt->exit_code;
				wr->uid = c->cred.uid;
				if (!(options & LINUX_WNOWAIT))
					c->pt->exit_code = 0;
				return wr->pid;
			}
		}
	}
	return 0;
}

/* ---- access ---- */

/* Is a an ancestor of (or the same process as) b?  Yama's task_is_descendant. */
static bool is_ancestor(struct task *a, struct task *b)
{
	struct task *p = b->tg->leader;
	for (int depth = 0; p && depth < 4096; depth++) {
		if (p->tg == a->tg)
			return true;
		p = p->parent;
	}
	return false;
}

bool ptrace_may_access(struct task *t, struct task *target, int mode)
{
	if (!target->tg || target->tg == t->tg)
		return true;
	const struct cred *me = &t->cred, *it = &target->cred;
	uint32_t uid = (mode & PTRACE_MODE_FSCREDS) ? me->fsuid : me->uid;
	uint32_t gid = (mode & PTRACE_MODE_FSCREDS) ? me->fsgid : me->gid;
	bool root = capable(t, CAP_SYS_PTRACE);
	if (!root && !(uid == it->uid && uid == it->euid && uid == it->suid &&
		       gid == it->gid && gid == it->egid && gid == it->sgid))
		return false;
	if (landlock_ptrace(t, target))   /* Landlock: only into its own or nested domains */
		return false;
	if (!(mode & PTRACE_MODE_ATTACH))
		return true;
	/* Yama (/proc/sys/kernel/yama/ptrace_scope): 0 classic, 1 descendants
	 * or a declared debugger, 2 CAP_SYS_PTRACE only, 3 no attaching */
	switch (sysctl_yama_ptrace_scope) {
	case 0:
		return true;
	case 2:
		return root;
	case 3:
		return false;
	}
	if (root || is_ancestor(t, target))
		return true;
	int allowed = target->tg->yama_ptracer;
	if (allowed == -1)
		return true;
	if (allowed > 0) {
		struct task *d = task_find(allowed);
		if (d && d->state != TASK_ZOMBIE && d->state != TASK_DEAD && is_ancestor(d, t))
			return true;
	}
	return false;
}

int ptrace_tracer_pid(struct task *t)
{
	return t->ptracer && t->ptracer->tg ? t->ptracer->tg->tgid : 0;
}

bool ptrace_is_stopped(struct task *t)
{
	return t->ptracer && t->pt && t->pt->stopped;
}

struct force_write { uint64_t addr; const void *buf; size_t len; long done; };

/* In the target's own kernel thread: a write through a read-only private
 * mapping, by making the pages writable on the host for the copy. */
static int force_write_owner(struct task *c, void *arg)
{
	struct force_write *fw = arg;
	uint64_t start = fw->addr & ~(GUEST_PAGE_SIZE - 1);
	uint64_t end = PAGE_ALIGN(fw->addr + fw->len);
	struct vma *v = mm_find_vma(c->mm, fw->addr);
	if (!v || fw->addr < v->start || end > v->end || (v->flags & MAP_TYPE) != MAP_PRIVATE)
		return -EIO;
	if (platform->mprotect(c->host, start, end - start, v->prot | PROT_WRITE))
		return -EIO;
	long n = platform->write_mem(c->host, fw->addr, fw->buf, fw->len);
	platform->mprotect(c->host, start, end - start, v->prot);
	fw->done = n;
	return n < 0 ? (int)n : 0;
}

long ptrace_access_vm(struct task *c, uint64_t addr, void *buf, size_t len, bool write)
{
	if (!c->host || !c->mm || !len)
		return len ? -EIO : 0;
	/* get_user_pages does not reach a secret mapping (memfd_secret) */
	uint64_t span = mm_gup_span(c->mm, addr, len);
	if (!span)
		return -EIO;
	len = span;
	long n = write ? platform->write_mem(c->host, addr, buf, len)
		       : platform->read_mem(c->host, buf, addr, len);
	if (n == (long)len)
		return n;
	long done = n > 0 ? n : 0;
	uint64_t a = addr + done;
	char *b = (char *)buf + done;
	size_t left = len - done;
	/* FOLL_FORCE: read-only (or unreadable) private mappings are reached
	 * through the host's /proc/PID/mem when the platform can, else (a
	 * write to a stopped tracee) by its own thread */
	if (platform->access_mem_force) {
		long m = platform->access_mem_force(c->host, a, b, left, write);
		if (m > 0)
			done += m;
	} else if (write && current && c->pt && c->pt->stopped && c->ptracer &&
		   c->ptracer->tg == current->tg) {
		struct force_write fw = { a, b, left, 0 };
		if (ptrace_call_tracee(current, c, force_write_owner, &fw) == 0 && fw.done > 0)
			done += fw.done;
	}
	return done ? done : -EIO;
}

/* ---- registers ---- */

static bool invalid_selector(uint64_t v)
{
	return v && (v & 3) != 3;
}

/* Linux's putreg: one field of struct user_regs_struct at byte off. */
static int putreg(struct task *c, unsigned off, uint64_t v)
{
	struct linux_regs *r = &c->regs;
	switch (off) {
	case offsetof(struct linux_regs, cs):
	case offsetof(struct linux_regs, ss):
		v &= 0xffff;
		if (!v || invalid_selector(v))
			return -EIO;
		/* umk has no 32-bit (compat) mode: only the 64-bit user
		 * selectors, which are what the task already has */
		if (v != (off == offsetof(struct linux_regs, cs) ? USER_CS : USER_DS))
			return -EIO;
		return 0;
	case offsetof(struct linux_regs, ds):
	case offsetof(struct linux_regs, es):
	case offsetof(struct linux_regs, fs):
	case offsetof(struct linux_regs, gs):
		v &= 0xffff;
		if (invalid_selector(v))
			return -EIO;
		/* only the null selector and the user data selector: a
		 * 64-bit task's data selectors change nothing */
		if (v && v != USER_DS)
			return -EIO;
		memcpy((char *)r + off, &v, 8);
		return 0;
	case offsetof(struct linux_regs, fs_base):
	case offsetof(struct linux_regs, gs_base):
		if (v >= GUEST_TASK_SIZE)
			return -EIO;
		memcpy((char *)r + off, &v, 8);
		return 0;
	case offsetof(struct linux_regs, eflags):
		if (v & TF_FLAG)
			c->pt->forced_tf = false;
		else if (c->pt->forced_tf)
			v |= TF_FLAG;
		r->eflags = (r->eflags & ~FLAG_MASK) | (v & FLAG_MASK);
		return 0;
	}
	if (off >= sizeof *r || (off & 7))
		return -EIO;
	memcpy((char *)r + off, &v, 8);
	return 0;
}

static uint64_t getreg(struct task *c, unsigned off)
{
	uint64_t v;
	memcpy(&v, (char *)&c->regs + off, 8);
	if (off == offsetof(struct linux_regs, eflags) && c->pt->forced_tf)
		v &= ~TF_FLAG;
	return v;
}

static void get_regs(struct task *c, struct linux_regs *out)
{
	for (unsigned off = 0; off < sizeof *out; off += 8) {
		uint64_t v = getreg(c, off);
		memcpy((char *)out + off, &v, 8);
	}
}

static int set_regs(struct task *c, const struct linux_regs *in)
{
	/* all or nothing, as a failed SETREGS leaves a half-written set in
	 * Linux only by accident */
	struct linux_regs saved = c->regs;
	bool tf = c->pt->forced_tf;
	for (unsigned off = 0; off < sizeof *in; off += 8) {
		uint64_t v;
		memcpy(&v, (const char *)in + off, 8);
		int err = putreg(c, off, v);
		if (err) {
			c->regs = saved;
			c->pt->forced_tf = tf;
			return err;
		}
	}
	return 0;
}

static int get_fpregs_owner(struct task *c, void *arg)
{
	return platform->get_fpregs(c->host, arg);
}

static int set_fpregs_owner(struct task *c, void *arg)
{
	struct linux_fpregs *fp = arg;
	fp->mxcsr &= 0xffff;   /* reserved MXCSR bits would fault on restore */
	return platform->set_fpregs(c->host, fp);
}

/* The XSAVE image NT_X86_XSTATE shows: the FXSAVE part, XCR0 = x87|SSE in
 * the software-reserved bytes (as Linux's ptrace puts it at 464), and an
 * XSAVE header saying those two states are present. */
#define XSTATE_SIZE 576
static void fx_to_xstate(const struct linux_fpregs *fp, uint8_t *x)
{
	memset(x, 0, XSTATE_SIZE);
	memcpy(x, fp, 512);
	uint64_t xcr0 = 3;
	memset(x + 464, 0, 48);
	memcpy(x + 464, &xcr0, 8);
	memcpy(x + 512, &xcr0, 8);   /* xstate_bv */
}

/* Debug register n: on platforms that have them (the host validates and
 * sets them on the guest thread), through the owner; else only kept. */
static int set_host_debugreg(struct task *c, void *arg)
{
	uint64_t *nv = arg;
	return platform->debugreg(c->host, (int)nv[0], &nv[1], true);
}

static int get_host_debugreg(struct task *c, void *arg)
{
	uint64_t *nv = arg;
	return platform->debugreg(c->host, (int)nv[0], &nv[1], false);
}

static int peek_debugreg(struct task *t, struct task *c, int n, uint64_t *v)
{
	if (n == 4 || n == 5) {
		*v = 0;
		return 0;
	}
	if (platform->debugreg && (n == 6 || n == 7)) {
		uint64_t nv[2] = { (uint64_t)n, 0 };
		int err = ptrace_call_tracee(t, c, get_host_debugreg, nv);
		if (!err) {
			*v = nv[1];
			return 0;
		}
	}
	*v = c->pt->debugreg[n];
	return 0;
}

/*
 * Linux's ptrace_set_debugreg: DR0-3 must be user addresses with room for
 * the widest breakpoint; DR7 enables them, checked by the hardware
 * breakpoint layer (type and length, alignment).  The platform sets them
 * on the guest's thread and the host checks them (the ptrace platform:
 * the host's debug registers; seccomp: host perf breakpoint events); on a
 * platform without them the addresses are checked and kept but enabling
 * a breakpoint fails with EINVAL, as Linux fails for a bad address.
 */
static int poke_debugreg(struct task *t, struct task *c, int n, uint64_t v)
{
	if (n == 4 || n == 5)
		return -EIO;
	if (n < 4 && v > STUB_START - 8)
		return -EINVAL;
	if (platform->debugreg) {
		uint64_t nv[2] = { (uint64_t)n, v };
		int err = ptrace_call_tracee(t, c, set_host_debugreg, nv);
		if (err)
			return err == -ESRCH ? -ESRCH : err;
	} else if (n == 7 && (v & 0xff)) {
		return -EINVAL;
	}
	c->pt->debugreg[n] = v;
	return 0;
}

static long peekuser(struct task *t, struct task *c, uint64_t off, uint64_t dst)
{
	uint64_t v = 0;
	if ((off & 7) || off >= LINUX_USER_SIZE)
		return -EIO;
	if (off < LINUX_USER_REGS_SIZE)
		v = getreg(c, (unsigned)off);
	else if (off >= LINUX_USER_DEBUGREG && off < LINUX_USER_DEBUGREG + 64)
		peek_debugreg(t, c, (int)((off - LINUX_USER_DEBUGREG) / 8), &v);
	return copy_to_user(t, dst, &v, 8) ? -EFAULT : 0;
}

static long pokeuser(struct task *t, struct task *c, uint64_t off, uint64_t v)
{
	if ((off & 7) || off >= LINUX_USER_SIZE)
		return -EIO;
	if (off < LINUX_USER_REGS_SIZE)
		return putreg(c, (unsigned)off, v);
	if (off >= LINUX_USER_DEBUGREG && off < LINUX_USER_DEBUGREG + 64)
		return poke_debugreg(t, c, (int)((off - LINUX_USER_DEBUGREG) / 8), v);
	return -EIO;
}

/* PTRACE_GETREGSET / SETREGSET: iov at uiov ({base, len}); len is
 * clamped to the set's size and written back. */
static long regset(struct task *t, struct task *c, uint64_t type, uint64_t uiov, bool set)
{
	struct linux_iovec iov;
	if (copy_from_user(t, &iov, uiov, sizeof iov))
		return -EFAULT;
	union {
		struct linux_regs regs;
		struct linux_fpregs fp;
		uint8_t x[XSTATE_SIZE];
	} u;
	size_t size;
	switch (type) {
	case LINUX_NT_PRSTATUS: size = sizeof u.regs; break;
	case LINUX_NT_PRFPREG: size = sizeof u.fp; break;
	case LINUX_NT_X86_XSTATE: size = XSTATE_SIZE; break;
	default: return -EINVAL;
	}
	size_t n = iov.iov_len < size ? iov.iov_len : size;
	if (!set) {
		if (type == LINUX_NT_PRSTATUS) {
			get_regs(c, &u.regs);
		} else {
			struct linux_fpregs fp;
			int err = ptrace_call_tracee(t, c, get_fpregs_owner, &fp);
			if (err)
				return err;
			if (type == LINUX_NT_PRFPREG)
				u.fp = fp;
			else
				fx_to_xstate(&fp, u.x);
		}
		if (copy_to_user(t, iov.iov_base, &u, n))
			return -EFAULT;
	} else {
		if (type == LINUX_NT_PRSTATUS) {
			/* a partial set changes only the registers given */
			get_regs(c, &u.regs);
			if (copy_from_user(t, &u, iov.iov_base, n))
				return -EFAULT;
			int err = set_regs(c, &u.regs);
			if (err)
				return err;
		} else {
			if (type == LINUX_NT_X86_XSTATE && n < 512)
				return -EINVAL;
			struct linux_fpregs fp;
			int err = ptrace_call_tracee(t, c, get_fpregs_owner, &fp);
			if (err)
				return err;
			memcpy(&u.fp, &fp, sizeof fp);
			if (copy_from_user(t, &u, iov.iov_base, n < sizeof u.fp ? n : sizeof u.fp))
				return -EFAULT;
			memcpy(u.fp.padding, fp.padding, sizeof fp.padding);
			err = ptrace_call_tracee(t, c, set_fpregs_owner, &u.fp);
			if (err)
				return err;
		}
	}
	iov.iov_len = n;
	return copy_to_user(t, uiov + 8, &iov.iov_len, 8) ? -EFAULT : 0;
}

/* ---- requests ---- */

static long get_syscall_info(struct task *t, struct task *c, uint64_t size, uint64_t dst)
{
	struct ptrace_state *pt = c->pt;
	struct linux_ptrace_syscall_info info;
	memset(&info, 0, sizeof info);
	info.arch = LINUX_AUDIT_ARCH_X86_64;
	info.instruction_pointer = c->regs.rip;
	info.stack_pointer = c->regs.rsp;
	size_t actual = offsetof(struct linux_ptrace_syscall_info, u);
	/* what the stop is, as Linux tells it: by the siginfo's code and
	 * the event message */
	int op = LINUX_PTRACE_SYSCALL_INFO_NONE;
	if (pt->has_siginfo && pt->siginfo.si_code == (SIGTRAP | 0x80))
		op = pt->message == 1 ? LINUX_PTRACE_SYSCALL_INFO_ENTRY :
		     pt->message == 2 ? LINUX_PTRACE_SYSCALL_INFO_EXIT : op;
	else if (pt->has_siginfo && pt->siginfo.si_code == (SIGTRAP | (LINUX_PTRACE_EVENT_SECCOMP << 8)))
		op = LINUX_PTRACE_SYSCALL_INFO_SECCOMP;
	const struct linux_regs *r = &c->regs;
	uint64_t args[6] = { r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9 };
	info.op = (uint8_t)op;
	switch (op) {
	case LINUX_PTRACE_SYSCALL_INFO_ENTRY:
		info.u.entry.nr = r->orig_rax;
		memcpy(info.u.entry.args, args, sizeof args);
		actual = LINUX_PTRACE_SYSCALL_INFO_ENTRY_SIZE;
		break;
	case LINUX_PTRACE_SYSCALL_INFO_EXIT:
		info.u.exit.rval = (int64_t)r->rax;
		info.u.exit.is_error = (int64_t)r->rax < 0 && (int64_t)r->rax >= -4095;
		actual = LINUX_PTRACE_SYSCALL_INFO_EXIT_SIZE;
		break;
	case LINUX_PTRACE_SYSCALL_INFO_SECCOMP:
		info.u.seccomp.nr = r->orig_rax;
		memcpy(info.u.seccomp.args, args, sizeof args);
		info.u.seccomp.ret_data = (uint32_t)pt->message;
		actual = LINUX_PTRACE_SYSCALL_INFO_SECCOMP_SIZE;
		break;
	}
	size_t n = size < actual ? size : actual;
	if (n && copy_to_user(t, dst, &info, n))
		return -EFAULT;
	return (long)actual;
}

static long peeksiginfo(struct task *t, struct task *c, uint64_t uargs, uint64_t dst)
{
	struct linux_ptrace_peeksiginfo_args arg;
	if (copy_from_user(t, &arg, uargs, sizeof arg))
		return -EFAULT;
	if (arg.flags & ~LINUX_PTRACE_PEEKSIGINFO_SHARED)
		return -EINVAL;
	if (arg.nr < 0)
		return -EINVAL;
	if (arg.nr > 4096)   /* Linux's cap: no more than fits a large buffer */
		arg.nr = 4096;
	struct sigpending *q = (arg.flags & LINUX_PTRACE_PEEKSIGINFO_SHARED) ? &c->tg->shared_pending
								      : &c->pending;
	long i = 0;
	uint64_t off = arg.off;
	struct list_head *p;
	for (p = q->queue.next; p != &q->queue && i < arg.nr; p = p->next) {
		if (off) {
			off--;
			continue;
		}
		struct sigqueue *sq = list_entry(p, struct sigqueue, link);
		if (copy_to_user(t, dst + (uint64_t)i * sizeof sq->info, &sq->info, sizeof sq->info))
			return i ? i : -EFAULT;
		i++;
	}
	return i;
}

/* Resumes stopped tracee c (CONT, SYSCALL, SINGLESTEP, SYSEMU...). */
static long ptrace_resume(struct task *c, long request, uint64_t data)
{
	if (!valid_signal(data))
		return -EIO;
	c->syscall_work &= ~(SW_TRACE | SW_EMU);
	if (request == LINUX_PTRACE_SYSCALL)
		c->syscall_work |= SW_TRACE;
	if (request == LINUX_PTRACE_SYSEMU || request == LINUX_PTRACE_SYSEMU_SINGLESTEP)
		c->syscall_work |= SW_EMU;
	if (request == LINUX_PTRACE_SINGLESTEP || request == LINUX_PTRACE_SYSEMU_SINGLESTEP)
		enable_step(c);
	else
		disable_step(c);
	c->pt->resume_code = (int)data;
	c->pt->stopped = false;
	c->pt->listening = false;
	task_wake(c);
	return 0;
}

static long ptrace_attach(struct task *t, struct task *c, bool seize, uint64_t addr,
			  uint64_t flags)
{
	if (seize) {
		if (addr || (flags & ~(uint64_t)LINUX_PTRACE_O_MASK))
			return -EIO;
	}
	if (c->tg == t->tg)
		return -EPERM;
	if (c->state == TASK_ZOMBIE || c->state == TASK_DEAD || c->tg->group_exit)
		return -EPERM;
	if (!ptrace_may_access(t, c, PTRACE_MODE_ATTACH))
		return -EPERM;
	if (c->ptracer)
		return -EPERM;
	struct ptrace_state *pt = pt_get(c);
	if (!pt)
		return -ENOMEM;
	memset(pt->debugreg, 0, sizeof pt->debugreg);
	pt->flags = PT_PTRACED | (seize ? PT_SEIZED : 0);
	pt->options = seize ? (unsigned)flags : 0;
	pt->stop_gen = c->tg->stop_gen - 1;
	ptrace_link(c, t);
	if (!seize) {
		linux_siginfo_t si;
		siginfo_kill(&si, SIGSTOP, SI_KERNEL_, NULL);
		send_signal(c, SIGSTOP, &si, false);
	}
	if (c->tg->stop_state) {
		/* already stopped: it traps to report that to its tracer, and
		 * the attach returns once it has (Linux's JOBCTL_TRAPPING), so
		 * that requests wanting a stopped tracee work at once */
		int tid = c->tid;
		uint64_t until = now_ns(CLOCK_MONOTONIC) + 1000000000ULL;
		c->jobctl |= JOBCTL_TRAP_STOP;
		signal_wake(c);
		for (;;) {
			uint64_t now = now_ns(CLOCK_MONOTONIC);
			if (task_find(tid) != c || c->ptracer != t || c->pt->stopped ||
			    c->state == TASK_ZOMBIE || c->state == TASK_DEAD || fatal_pending(t) ||
			    now >= until)
				break;
			c->pt->attach_waiter = t;
			task_sleep_nosig(t, now + 1000000);   /* woken by ptrace_stop */
			if (task_find(tid) == c && c->pt)
				c->pt->attach_waiter = NULL;
		}
	}
	return 0;
}

static long ptrace_traceme(struct task *t)
{
	struct task *parent = t->tg->leader->parent;
	if (t->ptracer || !parent || parent->state == TASK_ZOMBIE || parent->state == TASK_DEAD)
		return -EPERM;
	/* Yama's traceme rule: scope 2 wants a privileged parent, 3 refuses */
	if (sysctl_yama_ptrace_scope == 3 ||
	    (sysctl_yama_ptrace_scope == 2 && !capable(parent, CAP_SYS_PTRACE)))
		return -EPERM;
	if (landlock_ptrace(parent, t))
		return -EPERM;
	struct ptrace_state *pt = pt_get(t);
	if (!pt)
		return -ENOMEM;
	memset(pt->debugreg, 0, sizeof pt->debugreg);
	pt->flags = PT_PTRACED;
	pt->options = 0;
	pt->stop_gen = t->tg->stop_gen - 1;
	ptrace_link(t, parent);
	return 0;
}

/*
 * Linux's ptrace_check_attach: c must be traced by t's process and, unless
 * ignore_state, stopped for it.  -ESRCH otherwise.  (Linux wants the very
 * thread that attached; umk accepts any thread of its process.)
 */
static int check_attach(struct task *t, struct task *c, bool ignore_state)
{
	if (!c->ptracer || c->ptracer->tg != t->tg)
		return -ESRCH;
	if (c->pt->zombie || c->state == TASK_DEAD)
		return -ESRCH;
	if (!ignore_state && !c->pt->stopped)
		return -ESRCH;
	return 0;
}

static long arch_prctl_of(struct task *t, struct task *c, uint64_t addr, uint64_t code)
{
	switch (code) {
	case 0x1002: /* ARCH_SET_FS */
	case 0x1001: /* ARCH_SET_GS */
		if (addr >= GUEST_TASK_SIZE)
			return -EPERM;
		if (code == 0x1002)
			c->regs.fs_base = addr;
		else
			c->regs.gs_base = addr;
		return 0;
	case 0x1003: /* ARCH_GET_FS */
		return copy_to_user(t, addr, &c->regs.fs_base, 8) ? -EFAULT : 0;
	case 0x1004: /* ARCH_GET_GS */
		return copy_to_user(t, addr, &c->regs.gs_base, 8) ? -EFAULT : 0;
	}
	return -EINVAL;
}

/* ptrace(2): request, pid, addr, data as the raw syscall takes them (PEEK
 * requests store the word at data).  Mirrors kernel/ptrace.c. */
long sys_ptrace(struct task *t, struct sysargs *a)
{
	long request = arg_long(a, 0);
	int pid = arg_int(a, 1);
	uint64_t addr = a->a[2], data = a->a[3];
	if (request == LINUX_PTRACE_TRACEME)
		return ptrace_traceme(t);
	struct task *c = pid > 0 ? find_task_by_vpid(t, pid) : NULL;
	if (!c || !c->tg || (c->state == TASK_DEAD && !(c->pt && c->pt->zombie)))
		return -ESRCH;
	if (request == LINUX_PTRACE_ATTACH || request == LINUX_PTRACE_SEIZE)
		return ptrace_attach(t, c, request == LINUX_PTRACE_SEIZE, addr, data);
	int err = check_attach(t, c, request == LINUX_PTRACE_KILL ||
				     request == LINUX_PTRACE_INTERRUPT);
	if (err)
		return err;
	struct ptrace_state *pt = c->pt;
	uint64_t word;
	switch (request) {
	case LINUX_PTRACE_PEEKTEXT:
	case LINUX_PTRACE_PEEKDATA:
		if (ptrace_access_vm(c, addr, &word, 8, false) != 8)
			return -EIO;
		return copy_to_user(t, data, &word, 8) ? -EFAULT : 0;
	case LINUX_PTRACE_POKETEXT:
	case LINUX_PTRACE_POKEDATA:
		return ptrace_access_vm(c, addr, &data, 8, true) == 8 ? 0 : -EIO;
	case LINUX_PTRACE_PEEKUSR:
		return peekuser(t, c, addr, data);
	case LINUX_PTRACE_POKEUSR:
		return pokeuser(t, c, addr, data);
	case LINUX_PTRACE_GETREGS: {
		struct linux_regs r;
		get_regs(c, &r);
		return copy_to_user(t, data, &r, sizeof r) ? -EFAULT : 0;
	}
	case LINUX_PTRACE_SETREGS: {
		struct linux_regs r;
		if (copy_from_user(t, &r, data, sizeof r))
			return -EFAULT;
		return set_regs(c, &r);
	}
	case LINUX_PTRACE_GETFPREGS: {
		struct linux_fpregs fp;
		err = ptrace_call_tracee(t, c, get_fpregs_owner, &fp);
		if (err)
			return err;
		return copy_to_user(t, data, &fp, sizeof fp) ? -EFAULT : 0;
	}
	case LINUX_PTRACE_SETFPREGS: {
		struct linux_fpregs fp, old;
		if (copy_from_user(t, &fp, data, sizeof fp))
			return -EFAULT;
		err = ptrace_call_tracee(t, c, get_fpregs_owner, &old);
		if (err)
			return err;
		memcpy(fp.padding, old.padding, sizeof fp.padding);
		return ptrace_call_tracee(t, c, set_fpregs_owner, &fp);
	}
	case LINUX_PTRACE_GETREGSET:
	case LINUX_PTRACE_SETREGSET:
		return regset(t, c, addr, data, request == LINUX_PTRACE_SETREGSET);
	case LINUX_PTRACE_OLDSETOPTIONS:
	case LINUX_PTRACE_SETOPTIONS:
		if (data & ~(uint64_t)LINUX_PTRACE_O_MASK)
			return -EINVAL;
		if (data & LINUX_PTRACE_O_SUSPEND_SECCOMP)
			return -EPERM;  /* needs CAP_SYS_ADMIN in the init namespace */
		pt->options = (unsigned)data;
		return 0;
	case LINUX_PTRACE_GETEVENTMSG:
		return copy_to_user(t, data, &pt->message, 8) ? -EFAULT : 0;
	case LINUX_PTRACE_GETSIGINFO:
		if (!pt->has_siginfo)
			return -EINVAL;
		return copy_to_user(t, data, &pt->siginfo, sizeof pt->siginfo) ? -EFAULT : 0;
	case LINUX_PTRACE_SETSIGINFO: {
		linux_siginfo_t si;
		if (copy_from_user(t, &si, data, sizeof si))
			return -EFAULT;
		if (!pt->has_siginfo)
			return -EINVAL;
		pt->siginfo = si;
		return 0;
	}
	case LINUX_PTRACE_PEEKSIGINFO:
		return peeksiginfo(t, c, addr, data);
	case LINUX_PTRACE_GETSIGMASK:
		if (addr != sizeof(linux_sigset_t))
			return -EINVAL;
		return copy_to_user(t, data, &c->blocked, 8) ? -EFAULT : 0;
	case LINUX_PTRACE_SETSIGMASK: {
		linux_sigset_t m;
		if (addr != sizeof m)
			return -EINVAL;
		if (copy_from_user(t, &m, data, sizeof m))
			return -EFAULT;
		c->blocked = m & ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
		return 0;
	}
	case LINUX_PTRACE_GET_SYSCALL_INFO:
		return get_syscall_info(t, c, addr, data);
	case LINUX_PTRACE_CONT:
	case LINUX_PTRACE_SYSCALL:
	case LINUX_PTRACE_SINGLESTEP:
	case LINUX_PTRACE_SYSEMU:
	case LINUX_PTRACE_SYSEMU_SINGLESTEP:
		return ptrace_resume(c, request, data);
	case LINUX_PTRACE_KILL:
		if (c->pt->zombie || c->state == TASK_ZOMBIE)
			return 0;
		send_signal(c, SIGKILL, NULL, true);
		return 0;
	case LINUX_PTRACE_INTERRUPT:
		if (!(pt->flags & PT_SEIZED) || addr || data)
			return -EIO;
		c->jobctl |= JOBCTL_TRAP_STOP;
		if (pt->listening)
			task_wake(c);
		else
			signal_wake(c);
		return 0;
	case LINUX_PTRACE_LISTEN:
		if (!(pt->flags & PT_SEIZED) || addr || data)
			return -EIO;
		/* only from a group stop's PTRACE_EVENT_STOP */
		if (!pt->has_siginfo || (pt->siginfo.si_code >> 8) != LINUX_PTRACE_EVENT_STOP)
			return -EIO;
		pt->listening = true;
		pt->stopped = false;
		pt->exit_code = 0;
		task_wake(c);
		return 0;
	case LINUX_PTRACE_DETACH:
		if (!valid_signal(data))
			return -EIO;
		ptrace_unlink(c, (int)data);
		return 0;
	case LINUX_PTRACE_ARCH_PRCTL:
		return arch_prctl_of(t, c, addr, data);
	case LINUX_PTRACE_SECCOMP_GET_FILTER:
		return seccomp_get_filter(c, addr, data, t);
	case LINUX_PTRACE_SECCOMP_GET_METADATA:
		return seccomp_get_metadata(c, addr, data, t);
	}
	return -EIO;
}

long prctl_ptrace_seccomp(struct task *t, int op, uint64_t arg2, uint64_t arg3)
{
	switch (op) {
	case 0x59616d61: /* PR_SET_PTRACER */
		if (arg2 == (uint64_t)-1) {
			t->tg->yama_ptracer = -1;
			return 0;
		}
		if (arg2 && !find_task_by_vpid(t, (int)arg2))
			return -EINVAL;
		t->tg->yama_ptracer = arg2 ? vnr_to_global(t, (int)arg2) : 0;
		return 0;
	case 22: /* PR_SET_SECCOMP */
		if (arg2 == LINUX_SECCOMP_MODE_STRICT)
			return seccomp_set_mode(t, LINUX_SECCOMP_SET_MODE_STRICT, 0, 0);
		if (arg2 == LINUX_SECCOMP_MODE_FILTER)
			return seccomp_set_mode(t, LINUX_SECCOMP_SET_MODE_FILTER, 0, arg3);
		return -EINVAL;
	case 21: /* PR_GET_SECCOMP */
		return t->seccomp_mode;
	}
	return -EINVAL;
}

/* ---- /proc/PID/mem ---- */

static ssize_t proc_mem_rw(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos,
			   bool write)
{
	(void)t;
	struct task *c = proc_mm_task(f);
	if (!c)
		return 0;   /* the address space is gone: end of file, as Linux */
	uint64_t addr = (uint64_t)*pos;
	if (n > (1u << 20))
		n = 1u << 20;
	long r = ptrace_access_vm(c, addr, buf, n, write);
	if (r < 0)
		return -EIO;
	*pos += r;
	return r;
}

static ssize_t proc_mem_read(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	return proc_mem_rw(t, f, buf, n, pos, false);
}

static ssize_t proc_mem_write(struct task *t, struct file *f, const void *buf, size_t n,
			      int64_t *pos)
{
	return proc_mem_rw(t, f, (void *)buf, n, pos, true);
}

static int proc_mem_fstat(struct file *f, struct kstat *st)
{
	return proc_mm_fstat(f, st, 0600);
}

static const struct file_ops proc_mem_ops = {
	.read = proc_mem_read,
	.write = proc_mem_write,
	.fstat = proc_mem_fstat,
	.llseek = proc_mm_llseek,
	.release = proc_mm_release,
	.seekable = true,
};

int proc_mem_open(struct task *t, struct task *c, int flags, struct file **out)
{
	return proc_mm_open(t, c, PTRACE_MODE_ATTACH | PTRACE_MODE_FSCREDS, &proc_mem_ops, flags, out);
}
