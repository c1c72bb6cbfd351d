/*
 * kernel/ptrace.h - ptrace(2) and seccomp(2) for guests: the hooks the
 * rest of the kernel calls (syscall entry and exit, signal delivery,
 * fork, exec, exit, wait, /proc) and what they need to know.  Part of
 * the kernel subsystem's interface (kernel/task.h includes it).
 *
 * Every stop of a traced task goes through ptrace_stop() in ptrace.c,
 * run by the tracee's own kernel thread, as Linux's ptrace_stop() in
 * kernel/signal.c; the tracer sees it through wait4/waitid.
 *
 * Lock: klock, held by every caller.
 */
#ifndef UMK_KERNEL_PTRACE_H
#define UMK_KERNEL_PTRACE_H

#include "../kernel.h"
#include "../../guest-abi/ptrace_abi.h"

/* task->syscall_work: work at syscall entry and exit (Linux's SYSCALL_WORK_*) */
#define SW_TRACE   0x1   /* PTRACE_SYSCALL: syscall-entry and -exit stops */
#define SW_EMU     0x2   /* PTRACE_SYSEMU: an entry stop, the call never runs */
#define SW_STEP    0x4   /* single-stepping: a syscall ends in a SIGTRAP */
#define SW_SECCOMP 0x8   /* a seccomp mode is set: filters run at entry */
#define SW_SUD     0x10  /* syscall user dispatch (syscall_user_dispatch.c) */

long sud_set(struct task *t, uint64_t mode, uint64_t off, uint64_t len, uint64_t sel);
bool sud_syscall_enter(struct task *t);

/* task->jobctl */
#define JOBCTL_TRAP_STOP 0x1 /* PTRACE_INTERRUPT / seize: a PTRACE_EVENT_STOP trap */

/* What wait4 and waitid report about a child or tracee (process.c). */
struct wait_result {
	int pid, status;   /* status as wait4 reports it */
	int code, child_status;
	int64_t utime_ns, stime_ns;
	uint32_t uid;
	struct host_rusage ru;   /* the child's and its reaped children's */
};

/* ---- syscall entry and exit (syscall.c) ---- */
/* Before dispatch, if t->syscall_work: the syscall-entry-stop, SYSEMU,
 * seccomp.  Returns 0 to run the syscall t->regs now describe, 1 to skip
 * it (rax holds the result; the exit work still runs), 2 to skip it and
 * the exit work (SYSEMU). */
int syscall_trace_enter(struct task *t);
/* After the syscall, if t->syscall_work: the syscall-exit-stop, or the
 * single-step trap of a syscall. */
void syscall_trace_exit(struct task *t);

/* ---- signals (signal.c) ---- */
/* The signal-delivery-stop of a dequeued signal (not SIGKILL) of a traced
 * task: returns the signal to deliver now (the tracer's choice; info
 * updated) or 0.  Mirrors Linux's ptrace_signal(). */
int ptrace_signal(struct task *t, int sig, linux_siginfo_t *info);
/* Takes a pending JOBCTL trap (PTRACE_EVENT_STOP); true if it did. */
bool ptrace_do_jobctl(struct task *t);
/* A traced task in a group stop of its thread group: reports it to the
 * tracer (once per group stop) and waits to be resumed.  Returns true
 * when the task may run on although the group is stopped (its tracer
 * resumed it, as Linux lets a tracer do), false if it was detached and
 * must take the group stop as an untraced task. */
bool ptrace_group_stop(struct task *t);
/* Has the traced t already reported the group stop in force? */
bool ptrace_group_stop_done(struct task *t);
/* A signal handler's frame is being set up: stepping stops (TF off) and
 * is reported at the handler's entry (ptrace_handler_entered). */
bool ptrace_handler_step(struct task *t);
void ptrace_handler_entered(struct task *t);
/* SECCOMP_RET_TRACE: the PTRACE_EVENT_SECCOMP stop (data: the filter's
 * SECCOMP_RET_DATA), if t's tracer asked for it; false if it did not. */
bool ptrace_seccomp_event(struct task *t, uint32_t data);
/* Is sig, sent to t, delivered although ignored (a tracer sees it)? */
bool ptrace_sees_ignored(struct task *t, int sig);

/* ---- fork, exec, exit (process.c, exec.c) ---- */
/* The PTRACE_EVENT_* a clone with these flags reports, or 0. */
int ptrace_fork_event(struct task *t, uint64_t flags);
/* The new child c of t: auto-attached to t's tracer if event or
 * CLONE_PTRACE says so.  Before c starts. */
void ptrace_fork_child(struct task *t, struct task *c, int event, uint64_t flags);
/* After child c started (event) or a vfork child released its parent
 * (vfork_done; c NULL if it is gone): the parent's event stops. */
void ptrace_fork_done(struct task *t, int event, struct task *c, bool vfork_done);
/* A successful execve: PTRACE_EVENT_EXEC (or the legacy SIGTRAP); old_tid
 * is the tid the task had before (it may have taken the leader's). */
void ptrace_exec(struct task *t, int old_tid);
/* do_exit's start: PTRACE_EVENT_EXIT (status: the wait status), and the
 * exiting task stops tracing others (EXITKILL kills them). */
void ptrace_exit(struct task *t, int status);
/* A traced thread (not a leader) that exited: kept as a zombie for its
 * tracer (true), who is told; false if untraced. */
bool ptrace_thread_exit(struct task *t);
/* A process's leader is a zombie: if traced, its tracer is told instead of
 * its parent (or besides it, when they are one), and it is not reaped
 * automatically.  True if traced. */
bool ptrace_process_exit(struct task *leader);
/* release_task: unlinks t from its tracer and from its tracees, frees its
 * ptrace and seccomp state. */
void ptrace_release(struct task *t);

/* ---- wait (process.c) ---- */
/* Is child c of t's process left to the ptrace pass of wait?  1: traced
 * by t's process (reported there, not as a child); 2: traced by another
 * process (its exit waits for that tracer); 0: not traced. */
int ptrace_child_hidden(struct task *t, struct task *c);
/* The ptrace pass of do_wait over the tasks t's process (or t alone with
 * __WNOTHREAD) traces.  Returns the pid reported, or 0 (*any set if a
 * tracee matched). */
int ptrace_do_wait(struct task *t, int which, int id, struct pid *wpid, int options,
		   struct wait_result *wr, bool *any);

/* ---- access checks and memory (procfs, process_vm_*) ---- */
enum { PTRACE_MODE_READ = 1, PTRACE_MODE_ATTACH = 2, PTRACE_MODE_FSCREDS = 4 };
/* Linux's ptrace_may_access() with Yama's ptrace_scope 1: same uid (or
 * root), and for ATTACH an ancestor of target or its PR_SET_PTRACER. */
bool ptrace_may_access(struct task *t, struct task *target, int mode);
/* Copies len bytes between target's memory and buf as a debugger does
 * (Linux's access_process_vm with FOLL_FORCE: writes reach read-only
 * private mappings).  Returns bytes copied (partial at the first bad
 * page) or -EIO when none. */
long ptrace_access_vm(struct task *target, uint64_t addr, void *buf, size_t len, bool write);
int ptrace_tracer_pid(struct task *t);     /* /proc/PID/status TracerPid */
bool ptrace_is_stopped(struct task *t);    /* /proc state 't' */
/* /proc/PID/mem opened by t: a file whose offsets are target's addresses;
 * -EACCES unless ptrace_may_access(ATTACH). */
int proc_mem_open(struct task *t, struct task *target, int flags, struct file **out);

/* ---- prctl (sys_process.c) ---- */
/* PR_SET_PTRACER, PR_SET_SECCOMP, PR_GET_SECCOMP. */
long prctl_ptrace_seccomp(struct task *t, int op, uint64_t arg2, uint64_t arg3);

/* ---- seccomp (seccomp.c) ---- */
/* At syscall entry of a task with a seccomp mode: runs the filters.
 * Returns 0 to go on, -1 to skip the syscall (rax set, or the task is
 * dying).  Mirrors Linux's __secure_computing(). */
int seccomp_syscall_enter(struct task *t);
/* fork: the child shares the parent's filters. */
void seccomp_fork(struct task *t, struct task *c);
void seccomp_release(struct task *t);
int seccomp_filter_count(struct task *t);  /* /proc/PID/status Seccomp_filters */
long seccomp_set_mode(struct task *t, unsigned op, unsigned flags, uint64_t uargs);
/* The classic-BPF checker and interpreter of seccomp filters (also for
 * tests/unit): seccomp_check_prog returns 0 or -EINVAL as Linux's
 * verifier would (and rewrites length loads), seccomp_run_prog the
 * verdict of a checked program on d. */
int seccomp_check_prog(struct linux_sock_filter *prog, int len);
uint32_t seccomp_run_prog(const struct linux_sock_filter *prog, int len,
			  const struct linux_seccomp_data *d);
/* PTRACE_SECCOMP_GET_FILTER / _GET_METADATA for a tracer. */
long seccomp_get_filter(struct task *c, uint64_t index, uint64_t ubuf, struct task *t);
long seccomp_get_metadata(struct task *c, uint64_t size, uint64_t umeta, struct task *t);

#endif
