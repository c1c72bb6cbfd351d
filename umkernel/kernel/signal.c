/*
 * signal.c - signal generation and delivery, signal frames, job control.
 *
 * In a nutshell: send_signal() queues a signal on a task or its thread
 * group and wakes a thread to take it (a kick if it runs guest code).
 * do_signal() runs on every return to user mode: it settles syscall
 * restarts, takes job-control stops, performs default actions, and builds
 * an rt_sigframe for handlers exactly as arch/x86/kernel/signal.c lays it
 * out, so glibc's and musl's restorers and ucontext readers work.
 *
 * Lock: klock guards all signal state.
 */
#include "../kernel.h"
#include "task.h"
#include "../mm/mm.h"
#include "../debug/debug.h"
#include "../security/landlock.h"
#include <limits.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <string.h>

#define SIG_DFL_ 0
#define SIG_IGN_ 1
#define SA_NOCLDSTOP_ 1
#define SA_NOCLDWAIT_ 2
#define SA_SIGINFO_ 4
#define SA_ONSTACK_ 0x08000000
#define SA_RESTART_ 0x10000000
#define SA_NODEFER_ 0x40000000
#define SA_RESETHAND_ 0x80000000
#define SS_ONSTACK_ 1
#define SS_DISABLE_ 2
#define SI_USER_ 0
#define SI_KERNEL_ 0x80
#define NR_restart_syscall 219

static const linux_sigset_t stop_sigs = SIGBIT(SIGSTOP) | SIGBIT(SIGTSTP) | SIGBIT(SIGTTIN) | SIGBIT(SIGTTOU);
static const linux_sigset_t ignore_sigs = SIGBIT(SIGCHLD) | SIGBIT(SIGURG) | SIGBIT(SIGWINCH) | SIGBIT(SIGCONT);
static const linux_sigset_t unblockable = SIGBIT(SIGKILL) | SIGBIT(SIGSTOP);

static bool sig_default_ignored(int sig)
{
	return sig >= 32 ? false : (ignore_sigs & SIGBIT(sig)) != 0;
}

bool sig_ignored(struct task *t, int sig)
{
	if ((t->blocked | t->real_blocked) & SIGBIT(sig))
		return false;
	if (ptrace_sees_ignored(t, sig))
		return false;   /* a tracer sees even ignored signals */
	uint64_t h = t->sighand->action[sig - 1].handler;
	return h == SIG_IGN_ || (h == SIG_DFL_ && sig_default_ignored(sig));
}

static linux_sigset_t pending_set(struct task *t)
{
	return t->pending.set | t->tg->shared_pending.set;
}

bool signal_pending(struct task *t)
{
	if (!t->tg)
		return false;
	if (pending_set(t) & ~t->blocked)
		return true;
	return t->tg->group_exit || t->zapped || (t->jobctl & JOBCTL_TRAP_STOP);
}

void siginfo_kill(linux_siginfo_t *si, int sig, int code, struct task *sender)
{
	memset(si, 0, sizeof *si);
	si->si_signo = sig;
	si->si_code = code;
	if (sender) {
		si->u.kill.pid = sender->tg->tgid;
		si->u.kill.uid = sender->cred.uid;
	}
}

/* ---- RLIMIT_SIGPENDING: queued signals are charged to the receiving
 * user, as Linux's UCOUNT_RLIMIT_SIGPENDING (kernel/signal.c
 * __sigqueue_alloc) */
void sigqueue_free(struct sigqueue *q)
{
	if (q->ucounts)
		ucounts_dec(q->ucounts, UCOUNT_RLIMIT_SIGPENDING);
	free(q);
}

static void discard(struct sigpending *p, linux_sigset_t mask)
{
	p->set &= ~mask;
	struct list_head *l, *n;
	list_for_each_safe(l, n, &p->queue) {
		struct sigqueue *q = list_entry(l, struct sigqueue, link);
		if (mask & SIGBIT(q->info.si_signo)) {
			list_del(l);
			sigqueue_free(q);
		}
	}
}

static struct task *group_target(struct task *leader);

static void notify_parent_cldstop(struct task *t, int code, int sig)
{
	/* the parent process's main thread may have exited before the
	 * others: a live thread takes the signal */
	struct task *parent = t->tg->leader->parent;
	if (parent)
		parent = group_target(parent->tg->leader);
	if (!parent || !parent->sighand)
		return;
	if (t->ptracer && t->ptracer->tg == parent->tg)
		return;   /* its tracer, the parent, has it as a ptrace stop */
	wake_up(&parent->tg->child_wait);
	struct linux_sigaction *ka = &parent->sighand->action[SIGCHLD - 1];
	if (ka->handler == SIG_IGN_ || (ka->flags & SA_NOCLDSTOP_))
		return;
	linux_siginfo_t si;
	siginfo_kill(&si, SIGCHLD, code, t);
	si.u.chld.status = sig;
	send_signal(parent, SIGCHLD, &si, true);
}

/* Wakes t from a sleep, or kicks it out of guest code, so that it looks
 * at its signals on the way back to user mode. */
void signal_wake(struct task *t)
{
	task_wake(t);
	if (t->state == TASK_RUNNING_USER && t->host)
		platform->kick(t->host);
}

void wake_all_threads(struct thread_group *tg, struct task *except)
{
	struct list_head *p, *n;
	list_for_each_safe(p, n, &tg->threads) {
		struct task *o = list_entry(p, struct task, thread_node);
		if (o != except)
			signal_wake(o);
	}
}

/* The thread that takes a group signal: the target if it does not block
 * it, else any live thread that does not (kernel/signal.c complete_signal). */
static struct task *pick_thread(struct task *t, int sig)
{
	if (!(t->blocked & SIGBIT(sig)) && t->state != TASK_ZOMBIE)
		return t;
	struct list_head *p, *n;
	list_for_each_safe(p, n, &t->tg->threads) {
		struct task *o = list_entry(p, struct task, thread_node);
		if (!(o->blocked & SIGBIT(sig)))
			return o;
	}
	return t;
}

/*
 * send_signal - queue sig for task t (group: for its whole thread group).
 * info may be NULL (SI_KERNEL).  Mirrors kernel/signal.c: SIGCONT resumes
 * a stopped group and drops pending stop signals, stop signals drop a
 * pending SIGCONT, ignored signals are discarded, and classic signals do
 * not queue twice.  Past the receiver's RLIMIT_SIGPENDING (counted per
 * real uid) the siginfo is dropped, or for a real-time signal sent with a
 * code other than SI_USER nothing is sent and -EAGAIN is returned
 * (__send_signal_locked).  Returns 0 or -EAGAIN.
 */
int send_signal(struct task *t, int sig, const linux_siginfo_t *info, bool group)
{
	if (sig <= 0 || sig > LINUX_NSIG || !t->tg || t->state == TASK_ZOMBIE ||
	    t->state == TASK_DEAD || !t->sighand)
		return 0;
	struct thread_group *tg = t->tg;
	if (sig == SIGCONT || sig == SIGKILL) {
		discard(&tg->shared_pending, stop_sigs);
		discard(&t->pending, stop_sigs);
		if (tg->stop_state) {
			tg->stop_state = 0;
			tg->stop_report = -1;
			if (sig == SIGCONT)
				notify_parent_cldstop(tg->leader, 6 /* CLD_CONTINUED */, SIGCONT);
			wake_all_threads(tg, NULL);
		}
	} else if (stop_sigs & SIGBIT(sig)) {
		discard(&tg->shared_pending, SIGBIT(SIGCONT));
		discard(&t->pending, SIGBIT(SIGCONT));
	}
	if (sig_ignored(t, sig) && sig != SIGKILL)
		return 0;
	/* a guest's SIGKILL does not end the guest's init (see do_signal) */
	if (sig == SIGKILL && init_task && tg == init_task->tg && info && info->si_code <= 0)
		return 0;
	/* the init of a pid namespace the guest made ignores what it has no
	 * handler for, unless SIGKILL/SIGSTOP comes from outside it (Linux's
	 * SIGNAL_UNKILLABLE); a blocked one is queued, since a handler may
	 * come before it is unblocked (sig_ignored); the guest's own pid 1
	 * keeps umk's behaviour */
	struct pid_namespace *tns = task_active_pid_ns(t);
	if (tns != &init_pid_ns && tns->child_reaper == tg->leader && !tg->init_killable &&
	    t->sighand->action[sig - 1].handler == SIG_DFL_ &&
	    !((t->blocked | t->real_blocked) & SIGBIT(sig))) {
		bool from_outside = !current || !pid_nr_ns(current->pid, tns);
		if (!(from_outside && (sig == SIGKILL || sig == SIGSTOP)))
			return 0;
	}
	struct sigpending *p = group ? &tg->shared_pending : &t->pending;
	if (sig < 32 && (p->set & SIGBIT(sig)))
		return 0;
	/* __sigqueue_alloc: classic signals the kernel or kill(2)-like
	 * senders make are never refused; the rest count against the limit */
	bool override = sig < 32 && (!info || info->si_code >= 0);
	uint64_t rlim = t->tg->rlim[RLIMIT_SIGPENDING].rlim_cur;
	struct ucounts *uc = ucounts_get(t->cred.uid);   /* NULL: goes uncounted */
	struct sigqueue *q = NULL;
	if (!uc || ucounts_inc(uc, UCOUNT_RLIMIT_SIGPENDING,
			       override || rlim > LONG_MAX ? LONG_MAX : (long)rlim)) {
		q = calloc(1, sizeof *q);
		if (!q && uc)
			ucounts_dec(uc, UCOUNT_RLIMIT_SIGPENDING);
	} else if (sig >= 32 && info && info->si_code != SI_USER_) {
		return -EAGAIN;   /* queue overflow: an rt signal from sigqueue/tkill */
	}
	if (q) {
		q->ucounts = uc;
		if (info)
			q->info = *info;
		else
			siginfo_kill(&q->info, sig, SI_KERNEL_, NULL);
		q->info.si_signo = sig;
		/* the kernel fills si_pid with a global id and si_uid with a
		 * kernel uid: the receiver sees its own namespaces' numbers
		 * (user-supplied siginfo, negative codes but SI_TKILL, is kept) */
		int code = q->info.si_code;
		if (code == SI_USER_ || code == -6 /* SI_TKILL */ ||
		    (sig == SIGCHLD && code >= 1 && code <= 6)) {
			q->info.u.kill.pid = global_nr_ns(q->info.u.kill.pid, tns);
			q->info.u.kill.uid = from_kuid_munged(t->user_ns, q->info.u.kill.uid);
		}
		list_add_tail(&q->link, &p->queue);
	}
	p->set |= SIGBIT(sig);
	wake_up(&tg->signal_wait);
	if (sig == SIGKILL) {
		if (!tg->group_exit) {
			tg->group_exit = true;
			tg->exit_code = SIGKILL;
		}
		wake_all_threads(tg, NULL);
		return 0;
	}
	signal_wake(group ? pick_thread(t, sig) : t);
	return 0;
}

/* Where a signal for leader's thread group goes: the leader, or once it
 * has exited before its threads, a live thread; NULL for a zombie
 * process (its pid is in use until it is reaped: kill(2) finds it). */
static struct task *group_target(struct task *leader)
{
	if (leader->state != TASK_ZOMBIE)
		return leader;
	if (list_empty(&leader->tg->threads))
		return NULL;
	return list_entry(leader->tg->threads.next, struct task, thread_node);
}

/*
 * check_kill_permission - may sender signal t?  Same thread group; a
 * real or effective uid of the sender equal to t's real or saved uid;
 * CAP_KILL over t's user namespace; SIGCONT within a session.  0 or
 * -EPERM.  Mirrors kernel/signal.c check_kill_permission.
 */
int check_kill_permission(struct task *sender, struct task *t, int sig)
{
	if (!sender || sender->tg == t->tg)
		return 0;
	if (landlock_task_kill(sender, t))   /* LANDLOCK_SCOPE_SIGNAL */
		return -EPERM;
	const struct cred *s = &sender->cred, *c = &t->cred;
	if (s->euid == c->suid || s->euid == c->uid || s->uid == c->suid || s->uid == c->uid)
		return 0;
	if (ns_capable(sender, t->user_ns, CAP_KILL))
		return 0;
	if (sig == SIGCONT && sender->tg->sid == t->tg->sid)
		return 0;
	return -EPERM;
}

/*
 * kill_pgrp_info - sig to every process of process group pgid (a global
 * id) that sender may signal.  0 if any was found (and allowed), -EPERM
 * if all refused it, -ESRCH if none.
 */
int kill_pgrp_info(struct task *sender, int pgid, int sig, const linux_siginfo_t *si)
{
	bool found = false, allowed = false;
	struct list_head *p, *n;
	list_for_each_safe(p, n, &all_tasks) {
		struct task *t = list_entry(p, struct task, all);
		/* a zombie is still in its group: found, nothing delivered */
		if (t->tg->leader != t || t->state == TASK_DEAD || t->tg->pgid != pgid)
			continue;
		found = true;   /* a zombie too: its pid is in use (nothing delivered) */
		if (check_kill_permission(sender, t, sig))
			continue;
		allowed = true;
		struct task *to = group_target(t);
		if (sig && to)
			send_signal(to, sig, si, true);
	}
	return !found ? -ESRCH : allowed ? 0 : -EPERM;
}

/*
 * kill_pid_info - kill(2): pid > 0 one process, 0 the caller's process
 * group, -1 every process but init and the caller, < -1 a group.  Only
 * guest processes are reachable: a pid names a guest task, never a host
 * one.  Returns 0, -ESRCH, -EINVAL or -EPERM.
 */
int kill_pid_info(struct task *sender, int pid, int sig)
{
	if (sig < 0 || sig > LINUX_NSIG)
		return -EINVAL;
	linux_siginfo_t si;
	siginfo_kill(&si, sig, SI_USER_, sender);
	if (pid > 0) {
		struct task *t = find_task_by_vpid(sender, pid);
		if (!t || t->state == TASK_DEAD)
			return -ESRCH;
		t = t->tg->leader;   /* a thread's id names its process (kill_pid_info) */
		int err = check_kill_permission(sender, t, sig);
		/* a zombie still holds its pid: found, nothing delivered */
		if (!err && sig && (t = group_target(t)))
			send_signal(t, sig, &si, true);
		return err;
	}
	/* -INT_MIN is undefined: Linux's kill_something_info excludes it
	 * (found by tests/fuzz/ under UBSan) */
	if (pid == INT32_MIN)
		return -ESRCH;
	if (pid != -1) {
		int pgid = pid == 0 ? sender->tg->pgid : vnr_to_global(sender, -pid);
		return pgid ? kill_pgrp_info(sender, pgid, sig, &si) : -ESRCH;
	}
	/* -1: every process of the sender's pid namespace (and below) but
	 * its init and the sender */
	struct pid_namespace *ns = task_active_pid_ns(sender);
	bool found = false;
	struct list_head *p, *n;
	list_for_each_safe(p, n, &all_tasks) {
		struct task *t = list_entry(p, struct task, all);
		if (t->tg->leader != t || t->state == TASK_DEAD)
			continue;
		if (t == init_task || t == ns->child_reaper || t->tg == sender->tg ||
		    !pid_nr_ns(t->pid, ns))
			continue;
		if (check_kill_permission(sender, t, sig))
			continue;
		found = true;
		struct task *to = group_target(t);
		if (sig && to)
			send_signal(to, sig, &si, true);
	}
	return found ? 0 : -ESRCH;
}

/*
 * force_sig_fault - a synchronous fault (SIGSEGV, SIGBUS, ...): like
 * Linux's force_sig_info_to_task, a blocked or ignored fault signal is
 * unblocked and its handler reset to the default action, so the task
 * dies rather than loops.
 */
void force_sig_fault(struct task *t, const linux_siginfo_t *info)
{
	int sig = info->si_signo;
	if (sig <= 0 || sig > LINUX_NSIG)
		return;
	struct linux_sigaction *ka = &t->sighand->action[sig - 1];
	if ((t->blocked & SIGBIT(sig)) || ka->handler == SIG_IGN_) {
		/* force_sig_info_to_task: blocked or ignored, the default
		 * action (death) it is, whatever the handler */
		t->blocked &= ~SIGBIT(sig);
		ka->handler = SIG_DFL_;
	}
	/* a pid namespace's init dies of a fault it has no handler for */
	if (ka->handler == SIG_DFL_)
		t->tg->init_killable = true;
	send_signal(t, sig, info, false);
}

/* Parent notification at exit; may release the zombie at once. */
void signal_child_exit(struct task *c)
{
	if (ptrace_process_exit(c))
		return;   /* its tracer is told first, and reaps it */
	/* the parent process's main thread may have exited before the others
	 * (its handlers went with it): a live thread takes SIGCHLD.  Found
	 * by tests/fuzz/ under UBSan. */
	struct task *parent = c->parent, *to = group_target(parent->tg->leader);
	struct linux_sigaction *ka = to && to->sighand ? &to->sighand->action[SIGCHLD - 1] : NULL;
	bool autoreap = ka && (ka->handler == SIG_IGN_ || (ka->flags & SA_NOCLDWAIT_));
	if (c->exit_signal && !autoreap) {
		linux_siginfo_t si;
		/* CLD_EXITED, CLD_KILLED or CLD_DUMPED (a core: WCOREDUMP) */
		siginfo_kill(&si, c->exit_signal, LINUX_WIFEXITED(c->exit_code) ? 1 :
			     c->exit_code & 0x80 ? 3 : 2, NULL);
		si.u.chld.pid = c->tid;
		si.u.chld.uid = c->cred.uid;
		si.u.chld.status = LINUX_WIFEXITED(c->exit_code) ? LINUX_WEXITSTATUS(c->exit_code) : LINUX_WTERMSIG(c->exit_code);
		if (to)
			send_signal(to, c->exit_signal, &si, true);
	}
	wake_up(&parent->tg->child_wait);
	if (autoreap)
		release_task(c);
}

void flush_signal_handlers(struct task *t)
{
	if (t->sighand->refs > 1) {
		struct sighand *n = malloc(sizeof *n);
		memcpy(n, t->sighand, sizeof *n);
		n->refs = 1;
		t->sighand->refs--;
		t->sighand = n;
	}
	for (int i = 0; i < LINUX_NSIG; i++) {
		struct linux_sigaction *ka = &t->sighand->action[i];
		if (ka->handler != SIG_IGN_)
			ka->handler = SIG_DFL_;
		ka->flags = 0;
		ka->restorer = 0;
		ka->mask = 0;
	}
	t->altstack.ss_sp = 0;
	t->altstack.ss_size = 0;
	t->altstack.ss_flags = SS_DISABLE_;
}

/* Linux's SYNCHRONOUS_MASK: the signals of a fault or trap of the
 * instruction (or syscall) just run. */
static const linux_sigset_t sync_sigs = SIGBIT(SIGSEGV) | SIGBIT(SIGBUS) | SIGBIT(SIGILL) |
					SIGBIT(SIGTRAP) | SIGBIT(SIGFPE) | SIGBIT(SIGSYS);

/* Takes the next deliverable signal; 0 if none.  The thread's own
 * before its group's; SIGKILL and SIGSTOP before all, then synchronous
 * ones, then lower numbers first, as Linux's next_signal().  A seccomp
 * SIGSYS thus comes before an asynchronous signal that was pending at
 * the same syscall: a nested umk's stub (tracer/stub.c) took its kick
 * first, and the SIGSYS then ran on the guest's signal-handler frame, so
 * the trapped syscall ran with the handler's arguments and its own was
 * never run (the 3-level nest stall: a shell's close of a pipe end). */
static int dequeue_signal(struct task *t, linux_siginfo_t *info)
{
	struct sigpending *srcs[2] = { &t->pending, &t->tg->shared_pending };
	for (int pass = 0; pass < 2; pass++) {
		linux_sigset_t ready = srcs[pass]->set & ~t->blocked;
		if (!ready)
			continue;
		int sig;
		if (ready & unblockable)
			sig = (ready & SIGBIT(SIGKILL)) ? SIGKILL : SIGSTOP;
		else if (ready & sync_sigs)
			sig = __builtin_ctzll(ready & sync_sigs) + 1;
		else
			sig = __builtin_ctzll(ready) + 1;
		struct sigpending *p = srcs[pass];
		bool more = false, got = false;
		struct list_head *l, *n;
		list_for_each_safe(l, n, &p->queue) {
			struct sigqueue *q = list_entry(l, struct sigqueue, link);
			if (q->info.si_signo != sig)
				continue;
			if (got) {
				more = true;
				break;
			}
			*info = q->info;
			got = true;
			list_del(l);
			sigqueue_free(q);
			if (info->si_code == -2 /* SI_TIMER */)
				posix_timer_dequeued(t, info);   /* the overrun as of now */
		}
		if (!got)
			siginfo_kill(info, sig, SI_KERNEL_, NULL);
		if (!more)
			p->set &= ~SIGBIT(sig);
		return sig;
	}
	return 0;
}

int signal_dequeue_masked(struct task *t, linux_sigset_t mask, linux_siginfo_t *info)
{
	linux_sigset_t saved = t->blocked;
	t->blocked = ~mask;
	int sig = (pending_set(t) & mask) ? dequeue_signal(t, info) : 0;
	t->blocked = saved;
	return sig;
}

linux_sigset_t signal_pending_set(struct task *t)
{
	return pending_set(t);
}

static bool on_altstack(struct task *t, uint64_t sp)
{
	return t->altstack.ss_size && sp > t->altstack.ss_sp &&
	       sp - t->altstack.ss_sp <= t->altstack.ss_size;
}

/*
 * The x86 page-fault error code of a fault whose platform could not say
 * (the ptrace platform): user mode (4); a protection fault (1) for
 * SEGV_ACCERR; an instruction fetch (0x10) at the instruction pointer;
 * else a write (2) when the mapping is readable but not writable, so a
 * denied access there cannot have been a read.  A write to an unmapped
 * page reads as a read: a guest kernel (UML) then maps it, and the write
 * faults again, as a write.
 */
static uint64_t fault_error_code(struct task *t, const linux_siginfo_t *info)
{
	uint64_t addr = info->u.fault.addr, err = 4;
	bool accerr = info->si_code == 2 /* SEGV_ACCERR */;
	if (accerr)
		err |= 1;
	if (addr == t->regs.rip)
		return err | 0x10;
	struct vma *v = t->mm ? mm_find_vma(t->mm, addr) : NULL;
	if (accerr && v && (v->prot & PROT_READ) && !(v->prot & PROT_WRITE))
		err |= 2;
	return err;
}

/* Builds the rt_sigframe (arch/x86/kernel/signal_64.c) and points the
 * task at the handler.  Returns 0 or -EFAULT. */
static int setup_rt_frame(struct task *t, int sig, const linux_siginfo_t *info,
			  const struct linux_sigaction *ka)
{
	struct linux_regs *r = &t->regs;
	uint64_t sp = r->rsp;
	bool onstack = on_altstack(t, sp);
	sp -= 128; /* red zone */
	if ((ka->flags & SA_ONSTACK_) && t->altstack.ss_size && !(t->altstack.ss_flags & SS_DISABLE_) &&
	    !onstack)
		sp = t->altstack.ss_sp + t->altstack.ss_size;
	struct linux_fpregs fp;
	if (platform->get_fpregs(t->host, &fp))
		memset(&fp, 0, sizeof fp);
	memset(fp.padding, 0, sizeof fp.padding); /* no FP_XSTATE_MAGIC1: plain fxsave */
	sp = (sp - sizeof fp) & ~63UL;
	uint64_t fp_addr = sp;
	sp = ((sp - sizeof(struct linux_rt_sigframe)) & ~15UL) - 8;

	struct linux_rt_sigframe f;
	memset(&f, 0, sizeof f);
	f.pretcode = ka->restorer;
	f.uc.uc_flags = 0x2 | 0x4; /* UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS */
	f.uc.uc_stack.ss_sp = t->altstack.ss_sp;
	f.uc.uc_stack.ss_size = t->altstack.ss_size;
	f.uc.uc_stack.ss_flags = !t->altstack.ss_size ? SS_DISABLE_ : on_altstack(t, r->rsp) ? SS_ONSTACK_ : (t->altstack.ss_flags & SS_DISABLE_);
	struct linux_sigcontext *sc = &f.uc.uc_mcontext;
	sc->r8 = r->r8; sc->r9 = r->r9; sc->r10 = r->r10; sc->r11 = r->r11;
	sc->r12 = r->r12; sc->r13 = r->r13; sc->r14 = r->r14; sc->r15 = r->r15;
	sc->rdi = r->rdi; sc->rsi = r->rsi; sc->rbp = r->rbp; sc->rbx = r->rbx;
	sc->rdx = r->rdx; sc->rax = r->rax; sc->rcx = r->rcx; sc->rsp = r->rsp;
	sc->rip = r->rip; sc->eflags = r->eflags;
	sc->cs = (uint16_t)r->cs; sc->ss = (uint16_t)r->ss;
	sc->fpstate = fp_addr;
	sc->oldmask = t->restore_mask ? t->saved_mask : t->blocked;
	if (sig == SIGSEGV || sig == SIGBUS) {
		sc->cr2 = info->u.fault.addr;
		if (t->fault_err >= 0) {
			sc->trapno = (uint64_t)t->fault_trapno;
			sc->err = (uint64_t)t->fault_err;
		} else {
			sc->trapno = sig == SIGSEGV ? 14 : 0;
			sc->err = fault_error_code(t, info);
		}
	}
	f.uc.uc_sigmask = sc->oldmask;
	f.info = *info;
	if (copy_to_user(t, fp_addr, &fp, sizeof fp) || copy_to_user(t, sp, &f, sizeof f))
		return -EFAULT;

	r->rdi = sig;
	r->rsi = sp + offsetof(struct linux_rt_sigframe, info);
	r->rdx = sp + offsetof(struct linux_rt_sigframe, uc);
	r->rax = 0;
	r->rsp = sp;
	r->rip = ka->handler;
	r->eflags &= ~(0x100UL | 0x400UL | 0x10000UL | 0x40000UL); /* TF DF RF AC */
	r->orig_rax = (uint64_t)-1;
	/* A fresh default FPU state for the handler, as Linux gives one. */
	struct linux_fpregs clean = { .cwd = 0x37f, .mxcsr = 0x1f80, .mxcsr_mask = 0xffff };
	platform->set_fpregs(t->host, &clean);
	return 0;
}

/* The syscall the task was in ended with a restart code and a handler
 * runs now (or no handler runs). */
static void restart_on_handler(struct task *t, long ret, const struct linux_sigaction *ka)
{
	switch (ret) {
	case -ERESTART_RESTARTBLOCK:
	case -ERESTARTNOHAND:
		t->regs.rax = (uint64_t)-EINTR;
		break;
	case -ERESTARTSYS:
		if (!(ka->flags & SA_RESTART_)) {
			t->regs.rax = (uint64_t)-EINTR;
			break;
		}
		/* fall through */
	case -ERESTARTNOINTR:
		t->regs.rax = t->regs.orig_rax;
		t->regs.rip -= 2;
		break;
	}
}

static void restart_no_handler(struct task *t, long ret)
{
	switch (ret) {
	case -ERESTARTNOHAND:
	case -ERESTARTSYS:
	case -ERESTARTNOINTR:
		t->regs.rax = t->regs.orig_rax;
		t->regs.rip -= 2;
		break;
	case -ERESTART_RESTARTBLOCK:
		t->regs.rax = NR_restart_syscall;
		t->regs.rip -= 2;
		break;
	}
}

static bool is_restart(long ret)
{
	return ret == -ERESTARTSYS || ret == -ERESTARTNOINTR || ret == -ERESTARTNOHAND ||
	       ret == -ERESTART_RESTARTBLOCK;
}

/* Returning from a syscall whose result is a restart code (Linux:
 * syscall_get_nr >= 0 and syscall_get_error a restart code). */
static bool syscall_restarting(struct task *t)
{
	return (int64_t)t->regs.orig_rax >= 0 && is_restart((long)t->regs.rax);
}

/* Job-control stop: the thread group sleeps until SIGCONT or SIGKILL. */
static void do_group_stop(struct task *t, int sig)
{
	struct thread_group *tg = t->tg;
	if (!tg->stop_state) {
		tg->stop_state = 1;
		tg->stop_gen++;
		tg->group_stop_sig = sig;
		tg->stop_report = sig;
		notify_parent_cldstop(t, 5 /* CLD_STOPPED */, sig);
		wake_all_threads(tg, t); /* every thread stops */
	}
}

/*
 * do_signal - on the way back to user mode.  ret is the syscall's result
 * if the task is returning from one (restart codes are settled here and
 * never reach the guest), else 0.  May not return (fatal signal).
 */
void do_signal(struct task *t, long ret)
{
	/* whether a restart code is to be settled is decided when it is,
	 * on the registers then: a tracer may have changed them in a stop
	 * (Linux's arch_do_signal_or_restart reads regs after get_signal) */
	(void)ret;
	bool in_syscall = t->in_syscall;
	for (;;) {
		if (t->tg->group_exit)
			do_exit(t, t->tg->exit_code);
		if (t->zapped)
			do_exit(t, 0);
		if (t->jobctl && ptrace_do_jobctl(t))
			continue;
		if (t->tg->stop_state && !ptrace_group_stop_done(t)) {
			if (pending_set(t) & SIGBIT(SIGKILL))
				do_group_exit(t, SIGKILL);
			if (t->ptracer && ptrace_group_stop(t))
				continue;
			task_sleep_stopped(t);
			continue;
		}
		linux_siginfo_t info;
		int sig = dequeue_signal(t, &info);
		if (!sig)
			break;
		if (sig != SIGKILL && t->ptracer) {
			/* signal-delivery-stop: the tracer may change or cancel it */
			sig = ptrace_signal(t, sig, &info);
			if (!sig)
				continue;
		}
		struct linux_sigaction *ka = &t->sighand->action[sig - 1];
		if (sig == SIGKILL)
			do_group_exit(t, SIGKILL);
		if (ka->handler == SIG_IGN_)
			continue;
		if (ka->handler == SIG_DFL_) {
			if (sig_default_ignored(sig))
				continue;
			/* Like the init of a PID namespace, pid 1 ignores
			 * default-action signals that guest processes send it
			 * (si_code <= 0), stop signals too (found by fuzzing:
			 * a guest's kill(1, SIGSTOP) stopped the guest's init);
			 * faults and signals from the host (SI_KERNEL,
			 * forwarded by umk) are forced. */
			if (t->tg == init_task->tg && info.si_code <= 0)
				continue;
			/* a pid namespace's init: what was blocked when it came,
			 * and is still unhandled, goes (get_signal's
			 * SIGNAL_UNKILLABLE check); SIGKILL and SIGSTOP reach
			 * here only from outside */
			struct pid_namespace *tns = task_active_pid_ns(t);
			if (tns != &init_pid_ns && tns->child_reaper == t->tg->leader &&
			    !t->tg->init_killable && sig != SIGKILL && sig != SIGSTOP)
				continue;
			if (stop_sigs & SIGBIT(sig)) {
				do_group_stop(t, sig);
				continue;
			}
			/* terminate (with a core for a core-dumping signal):
			 * the -v line, --crash-backtrace, a core (debug/coredump.c) */
			do_group_exit(t, sig | debug_fatal_signal(t, sig, &info));
		}
		if (in_syscall && syscall_restarting(t))
			restart_on_handler(t, (long)t->regs.rax, ka);
		in_syscall = false;
		bool stepping = ptrace_handler_step(t);
		if (setup_rt_frame(t, sig, &info, ka)) {
			/* Linux's force_sigsegv: a SIGSEGV whose frame cannot
			 * be built is fatal (its handler reset, or the task
			 * would re-queue it for ever); any other signal's
			 * failure is a SIGSEGV the task may still handle */
			if (sig == SIGSEGV)
				ka->handler = SIG_DFL_;
			linux_siginfo_t si;
			siginfo_kill(&si, SIGSEGV, SI_KERNEL_, NULL);
			force_sig_fault(t, &si);
			continue;
		}
		t->restore_mask = false;
		linux_sigset_t add = ka->mask;
		if (!(ka->flags & SA_NODEFER_))
			add |= SIGBIT(sig);
		t->blocked |= add;
		t->blocked &= ~unblockable;
		if (ka->flags & SA_RESETHAND_)
			ka->handler = SIG_DFL_;
		if (stepping)
			ptrace_handler_entered(t);
	}
	if (in_syscall && syscall_restarting(t))
		restart_no_handler(t, (long)t->regs.rax);
	if (t->restore_mask) {
		t->restore_mask = false;
		t->blocked = t->saved_mask;
	}
}

/*
 * set_user_sigmask - the temporary signal mask of ppoll, pselect6 and
 * epoll_pwait: umask NULL leaves the mask alone; else the mask (size must
 * be 8: -EINVAL; unreadable: -EFAULT) is in force until the call returns,
 * and do_signal restores the old one after delivering.  As Linux's.
 */
int set_user_sigmask(struct task *t, uint64_t umask, uint64_t size)
{
	linux_sigset_t mask;
	if (!umask)
		return 0;
	if (size != sizeof mask)
		return -EINVAL;
	if (copy_from_user(t, &mask, umask, sizeof mask))
		return -EFAULT;
	t->saved_mask = t->blocked;
	t->restore_mask = true;
	t->blocked = mask & ~unblockable;
	return 0;
}

/* Linux's restore_saved_sigmask_unless: back to the old mask now, unless
 * a signal interrupted the call (then do_signal restores it after the
 * handler's frame is built with it). */
void restore_saved_sigmask_unless(struct task *t, bool interrupted)
{
	if (t->restore_mask && !interrupted) {
		t->blocked = t->saved_mask;
		t->restore_mask = false;
	}
}

/* ---- syscalls ---- */

long sys_rt_sigaction(struct task *t, struct sysargs *a)
{
	int sig = arg_int(a, 0);
	if (a->a[3] != sizeof(linux_sigset_t))
		return -EINVAL;
	if (sig < 1 || sig > LINUX_NSIG)
		return -EINVAL;
	struct linux_sigaction *ka = &t->sighand->action[sig - 1], nk;
	if (a->a[1]) {
		if (copy_from_user(t, &nk, a->a[1], sizeof nk))
			return -EFAULT;
		if (sig == SIGKILL || sig == SIGSTOP)
			return -EINVAL;
	}
	if (a->a[2] && copy_to_user(t, a->a[2], ka, sizeof *ka))
		return -EFAULT;
	if (a->a[1]) {
		nk.mask &= ~unblockable;
		*ka = nk;
		/* Setting SIG_IGN (or SIG_DFL for a default-ignored signal)
		 * discards what is pending (POSIX). */
		if (sig_ignored(t, sig) || nk.handler == SIG_IGN_ ||
		    (nk.handler == SIG_DFL_ && sig_default_ignored(sig))) {
			discard(&t->tg->shared_pending, SIGBIT(sig));
			discard(&t->pending, SIGBIT(sig));
		}
	}
	return 0;
}

long sys_rt_sigprocmask(struct task *t, struct sysargs *a)
{
	int how = arg_int(a, 0);
	if (a->a[3] != sizeof(linux_sigset_t))
		return -EINVAL;
	linux_sigset_t old = t->blocked, set;
	if (a->a[1]) {
		if (copy_from_user(t, &set, a->a[1], sizeof set))
			return -EFAULT;
		switch (how) {
		case 0: t->blocked |= set; break;        /* SIG_BLOCK */
		case 1: t->blocked &= ~set; break;       /* SIG_UNBLOCK */
		case 2: t->blocked = set; break;         /* SIG_SETMASK */
		default: return -EINVAL;
		}
		t->blocked &= ~unblockable;
	}
	if (a->a[2] && copy_to_user(t, a->a[2], &old, sizeof old))
		return -EFAULT;
	return 0;
}

long sys_rt_sigpending(struct task *t, struct sysargs *a)
{
	if (a->a[1] > sizeof(linux_sigset_t))
		return -EINVAL;
	linux_sigset_t set = pending_set(t) & t->blocked;
	return copy_to_user(t, a->a[0], &set, a->a[1]) ? -EFAULT : 0;
}

long sys_rt_sigsuspend(struct task *t, struct sysargs *a)
{
	if (a->a[1] != sizeof(linux_sigset_t))
		return -EINVAL;
	linux_sigset_t set;
	if (copy_from_user(t, &set, a->a[0], sizeof set))
		return -EFAULT;
	t->saved_mask = t->blocked;
	t->restore_mask = true;
	t->blocked = set & ~unblockable;
	while (task_sleep(t, 0, -1, 0) != -EINTR)
		;
	return -ERESTARTNOHAND;
}

long sys_pause(struct task *t, struct sysargs *a)
{
	(void)a;
	while (task_sleep(t, 0, -1, 0) != -EINTR)
		;
	return -ERESTARTNOHAND;
}

long sys_rt_sigtimedwait(struct task *t, struct sysargs *a)
{
	linux_sigset_t set;
	if (a->a[3] != sizeof set)
		return -EINVAL;
	if (copy_from_user(t, &set, a->a[0], sizeof set))
		return -EFAULT;
	set &= ~unblockable;
	uint64_t deadline = 0;
	if (a->a[2]) {
		struct linux_timespec ts;
		if (copy_from_user(t, &ts, a->a[2], sizeof ts))
			return -EFAULT;
		if (ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000 || ts.tv_sec < 0)
			return -EINVAL;
		deadline = now_ns(CLOCK_MONOTONIC) + ts.tv_sec * 1000000000ULL + ts.tv_nsec;
		if (!deadline)
			deadline = 1;
	}
	linux_sigset_t saved = t->blocked;
	for (;;) {
		linux_siginfo_t info;
		int sig = signal_dequeue_masked(t, set, &info);
		if (sig) {
			if (a->a[1] && copy_to_user(t, a->a[1], &info, sizeof info))
				return -EFAULT;
			return sig;
		}
		/* the waited set wakes the sleep, yet counts as blocked
		 * (real_blocked): a SIG_DFL-ignored signal stays queued */
		t->blocked = saved & ~set;
		t->real_blocked = saved;
		int r = task_sleep(t, deadline, -1, 0);
		t->blocked = saved;
		t->real_blocked = 0;
		if (r == -ETIMEDOUT)
			return -EAGAIN;
		if (r == -EINTR && !(pending_set(t) & set))
			return -EINTR;
	}
}

long sys_rt_sigreturn(struct task *t, struct sysargs *a)
{
	(void)a;
	struct linux_regs *r = &t->regs;
	uint64_t frame = r->rsp - 8;
	struct linux_rt_sigframe f;
	if (copy_from_user(t, &f, frame, sizeof f)) {
		linux_siginfo_t si;
		siginfo_kill(&si, SIGSEGV, SI_KERNEL_, NULL);
		force_sig_fault(t, &si);
		return RET_NORESULT;
	}
	struct linux_sigcontext *sc = &f.uc.uc_mcontext;
	r->r8 = sc->r8; r->r9 = sc->r9; r->r10 = sc->r10; r->r11 = sc->r11;
	r->r12 = sc->r12; r->r13 = sc->r13; r->r14 = sc->r14; r->r15 = sc->r15;
	r->rdi = sc->rdi; r->rsi = sc->rsi; r->rbp = sc->rbp; r->rbx = sc->rbx;
	r->rdx = sc->rdx; r->rax = sc->rax; r->rcx = sc->rcx; r->rsp = sc->rsp;
	r->rip = sc->rip;
	const uint64_t fix = 0x40000 | 0x800 | 0x400 | 0x100 | 0x80 | 0x40 | 0x10 | 0x4 | 0x1 | 0x10000;
	r->eflags = (r->eflags & ~fix) | (sc->eflags & fix);
	/* cs and ss stay the 64-bit user selectors: a guest cannot switch
	 * itself to 32-bit mode through a forged frame. */
	r->orig_rax = (uint64_t)-1;
	if (sc->fpstate) {
		struct linux_fpregs fp;
		if (!copy_from_user(t, &fp, sc->fpstate, sizeof fp)) {
			fp.mxcsr &= 0xffff;
			platform->set_fpregs(t->host, &fp);
		}
	}
	t->blocked = f.uc.uc_sigmask & ~unblockable;
	/* restore_altstack: ignore errors, as Linux does */
	if (!on_altstack(t, r->rsp)) {
		if (f.uc.uc_stack.ss_flags & SS_DISABLE_) {
			t->altstack.ss_sp = 0;
			t->altstack.ss_size = 0;
			t->altstack.ss_flags = SS_DISABLE_;
		} else if (f.uc.uc_stack.ss_size >= 2048) {
			t->altstack.ss_sp = f.uc.uc_stack.ss_sp;
			t->altstack.ss_size = f.uc.uc_stack.ss_size;
			t->altstack.ss_flags = 0;
		}
	}
	return RET_NORESULT;
}

long sys_sigaltstack(struct task *t, struct sysargs *a)
{
	linux_stack_t old = t->altstack, ns;
	bool on = on_altstack(t, t->regs.rsp);
	old.ss_flags = on ? SS_ONSTACK_ : (!t->altstack.ss_size ? SS_DISABLE_ : t->altstack.ss_flags);
	if (a->a[0]) {
		if (copy_from_user(t, &ns, a->a[0], sizeof ns))
			return -EFAULT;
		if (on)
			return -EPERM;
		int mode = (int)((uint32_t)ns.ss_flags & ~(1u << 31)); /* SS_AUTODISARM */
		if (mode != SS_DISABLE_ && mode != SS_ONSTACK_ && mode != 0)
			return -EINVAL;
		if (mode == SS_DISABLE_) {
			t->altstack.ss_sp = 0;
			t->altstack.ss_size = 0;
			t->altstack.ss_flags = SS_DISABLE_;
		} else {
			if (ns.ss_size < 2048)
				return -ENOMEM;
			t->altstack.ss_sp = ns.ss_sp;
			t->altstack.ss_size = ns.ss_size;
			t->altstack.ss_flags = (int)((uint32_t)ns.ss_flags & (1u << 31));
		}
	}
	if (a->a[1] && copy_to_user(t, a->a[1], &old, sizeof old))
		return -EFAULT;
	return 0;
}

long sys_kill(struct task *t, struct sysargs *a)
{
	return kill_pid_info(t, arg_int(a, 0), arg_int(a, 1));
}

static long do_tkill(struct task *t, int tgid, int tid, int sig)
{
	if (tid <= 0 || sig < 0 || sig > LINUX_NSIG)
		return -EINVAL;
	struct task *target = find_task_by_vpid(t, tid);
	if (!target || target->state == TASK_ZOMBIE || (tgid > 0 && task_tgid_vnr(t, target) != tgid))
		return -ESRCH;
	int err = check_kill_permission(t, target, sig);
	if (err)
		return err;
	if (sig) {
		linux_siginfo_t si;
		siginfo_kill(&si, sig, -6 /* SI_TKILL */, t);
		return send_signal(target, sig, &si, false);
	}
	return 0;
}

long sys_tkill(struct task *t, struct sysargs *a)
{
	return do_tkill(t, -1, arg_int(a, 0), arg_int(a, 1));
}

long sys_tgkill(struct task *t, struct sysargs *a)
{
	if (arg_int(a, 0) <= 0)
		return -EINVAL;
	return do_tkill(t, arg_int(a, 0), arg_int(a, 1), arg_int(a, 2));
}

long sys_rt_sigqueueinfo(struct task *t, struct sysargs *a)
{
	linux_siginfo_t si;
	int pid = arg_int(a, 0), sig = arg_int(a, 1);
	if (copy_from_user(t, &si, a->a[2], sizeof si))
		return -EFAULT;
	/* kernel and tkill codes only to oneself (do_rt_sigqueueinfo) */
	if ((si.si_code >= 0 || si.si_code == -6) && pid != task_tgid_vnr(t, t))
		return -EPERM;
	if (sig < 0 || sig > LINUX_NSIG)
		return -EINVAL;
	struct task *target = find_task_by_vpid(t, pid);
	if (!target || target->state == TASK_ZOMBIE)
		return -ESRCH;
	target = target->tg->leader;
	si.si_signo = sig;
	if (sig)
		return send_signal(target, sig, &si, true);
	return 0;
}

/* rt_tgsigqueueinfo(2): rt_sigqueueinfo aimed at one thread of tgid. */
long sys_rt_tgsigqueueinfo(struct task *t, struct sysargs *a)
{
	int tgid = arg_int(a, 0), tid = arg_int(a, 1), sig = arg_int(a, 2);
	linux_siginfo_t si;
	if (tgid <= 0 || tid <= 0 || sig < 0 || sig > LINUX_NSIG)
		return -EINVAL;
	if (copy_from_user(t, &si, a->a[3], sizeof si))
		return -EFAULT;
	if (si.si_code >= 0 || si.si_code == -6)
		return -EPERM;
	struct task *target = find_task_by_vpid(t, tid);
	if (!target || target->state == TASK_ZOMBIE || task_tgid_vnr(t, target) != tgid)
		return -ESRCH;
	si.si_signo = sig;
	if (sig)
		return send_signal(target, sig, &si, false);
	return 0;
}
