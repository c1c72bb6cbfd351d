/*
 * kernel/task.h - the kernel subsystem's interface to itself and to
 * main.c: the life of a task (creation, fork, exec, exit, reaping),
 * syscall entry, and the signal and futex calls that fork, exec and exit
 * make.  What other subsystems use of tasks and signals is in kernel.h.
 *
 * Lock: klock, held by every caller (kthread_exit releases it).
 */
#ifndef UMK_KERNEL_TASK_H
#define UMK_KERNEL_TASK_H

#include "../kernel.h"
#include "ptrace.h"

/* ---- the life of a task: task.c, process.c, exec.c ---- */
struct task *task_alloc(void);
/* The host CPU for the next new kernel thread (round robin); under klock. */
int task_pick_cpu(void);
int task_pick_cpu_in(uint64_t mask);   /* ... within a sched_setaffinity mask */
void task_start(struct task *t);  /* spawns its kernel thread */
/* The sleep of a stopped task: ends at task_wake only, not at a signal. */
void task_sleep_stopped(struct task *t);
void do_exit(struct task *t, int status) __attribute__((noreturn));   /* status: wait status */
/* Ends the calling kernel thread's task (klock held; released).  The thread
 * parks for a later task_start, or ends.  Mirrors the tail of do_exit. */
void kthread_exit(void) __attribute__((noreturn));
void do_group_exit(struct task *t, int status) __attribute__((noreturn));
void release_task(struct task *t);
long do_fork(struct task *t, uint64_t flags, uint64_t newsp, uint64_t ptid, uint64_t ctid,
	     uint64_t tls);
/* clone3's arguments (user pointers; pidfd: where CLONE_PIDFD stores the fd) */
struct clone_req {
	uint64_t flags, newsp, ptid, ctid, tls, pidfd;
	bool newtime;                 /* clone3's CLONE_NEWTIME (clone's bit is CSIGNAL's) */
	bool into_cgroup;             /* clone3's CLONE_INTO_CGROUP: the directory open as cgroup_fd */
	uint64_t cgroup_fd;
};
long kernel_clone(struct task *t, const struct clone_req *r);
int do_execve(struct task *t, const char *path, char **argv, char **envp);
int de_thread(struct task *t);  /* execve: the other threads end */
void posix_timers_exit(struct thread_group *tg); /* exit, execve: timers go */
void posix_timer_dequeued(struct task *t, linux_siginfo_t *info); /* SI_TIMER taken */
void posix_timers_clock_was_set(int64_t delta);  /* realtime moved by delta ns */
void guest_finished(int status);    /* the last task is gone: status for umk's exit */
void task_count_live(void);         /* run_init's task starts counting as live */
void vfork_release(struct task *t); /* wake a vfork parent (execve, exit) */
/* The first process: returns its wait status when the guest is done. */
int run_init(const char *path, char **argv, char **envp, const char *cwd);
extern struct linux_rlimit host_rlimits[LINUX_RLIM_NLIMITS]; /* umk's limits at start-up */

/* ---- namespaces: pid_namespace.c, user_namespace.c, nsproxy.c ---- */
struct pid_namespace *create_pid_ns(struct pid_namespace *parent, struct user_namespace *user_ns,
				    int *err);
bool pid_ns_sees(const struct pid_namespace *ns, const struct pid *pid);
void zap_pid_ns_processes(struct pid_namespace *ns);   /* its init exited */
int create_user_ns(struct task *t);                    /* unshare/clone CLONE_NEWUSER */
bool userns_may_setgroups(const struct user_namespace *ns);
/* CPU time: cputime.c */
int cpu_clock_get(struct task *t, int clk, int64_t *ns);   /* -EINVAL for a bad id */
int cpu_clock_resolve(struct task *t, int clk, struct task **tk, bool *thread, int *which);
int64_t cpu_clock_read(struct task *tk, bool thread, int which);
bool is_cpu_clock(int clk);
void process_cpu_times(struct thread_group *tg, int64_t *u, int64_t *s);
/* acct.c: the BSD accounting record of t's ending process (t its last thread). */
void acct_process(struct task *t, int status);
void cpu_itimer_get(struct thread_group *tg, int which, struct linux_itimerval *out);
void cpu_itimer_set(struct thread_group *tg, int which, uint64_t value, uint64_t interval);
/* RLIMIT_CPU of tg was set: its CPU time is watched (SIGXCPU, SIGKILL). */
void cpu_rlimit_changed(struct thread_group *tg);
void cputime_thread_exit(struct task *t);   /* before its host thread goes */
/* perf_event.c: inherit events count a member's new tasks; a member's
 * last reading is final at its exit (before its host thread goes) */
void perf_event_fork(struct task *parent, struct task *child);
void perf_event_task_exit(struct task *t);
void cputime_reap(struct thread_group *parent, struct thread_group *child);

/* credentials: cred.c */
void cred_exec(struct task *t);   /* execve's capability and saved-id rules */
long cred_prctl(struct task *t, int op, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);
/* fork: c shares t's namespaces or gets new ones for CLONE_NEW* */
int copy_namespaces(uint64_t flags, struct task *t, struct task *c);
int exec_task_namespaces(struct task *t);   /* execve: enter the time ns for children */

/* ---- signals and futexes at fork, exec and exit: signal.c, futex.c ---- */
void force_sig_fault(struct task *t, const linux_siginfo_t *info);
void flush_signal_handlers(struct task *t);       /* execve */
void siginfo_kill(linux_siginfo_t *si, int sig, int code, struct task *sender);
void signal_wake(struct task *t);              /* out of a sleep or guest code */
/* task_sleep that pending signals do not end (vfork, execve): task.c */
int task_sleep_nosig(struct task *t, uint64_t deadline);
/* process.c: an exited group's last task is gone: tell the leader's parent */
void process_exit_notify(struct task *leader);
void wake_all_threads(struct thread_group *tg, struct task *except);
long futex_wake_addr(struct task *t, uint64_t uaddr, int n); /* CLONE_CHILD_CLEARTID */
void exit_robust_list(struct task *t);     /* thread exit: robust futexes */
void signal_child_exit(struct task *child);       /* SIGCHLD to parent */
int check_kill_permission(struct task *sender, struct task *t, int sig);   /* 0 or -EPERM */
int kill_pgrp_info(struct task *sender, int pgid, int sig, const linux_siginfo_t *si);
/* pidfds: pidfd.c */
int pidfd_create(struct task *t, struct pid *pid, int flags);   /* a new fd, close-on-exec */
int pidfd_get_pid(struct task *t, int fd, struct pid **pid, bool *nonblock);

/* ---- syscall dispatch: syscall.c ---- */
void syscall_enter(struct task *t);
/* The parts of syscall_enter, for fault injection (debug/fault.c):
 * dispatch runs the syscall of t (a: its arguments) and returns its
 * result; exit prints its strace line and puts ret into rax. */
long syscall_dispatch(struct task *t, struct sysargs *a);
void syscall_exit(struct task *t, struct sysargs *a, long ret);
/* t's syscall trapped (not a patched site): count its site, and have
 * the platform patch it once it is hot (platform->patch_syscall). */
void syscall_site_trapped(struct task *t);
/* t's process is traced: every patched syscall site of its mm gets its
 * original bytes back (a debugger sees and steps the program's own code). */
void mm_unpatch_syscalls(struct task *t);

#endif
