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

/* ---- the life of a task: task.c, process.c, exec.c ---- */
struct task *task_alloc(void);
/* The host CPU for the next new kernel thread (round robin); under klock. */
int task_pick_cpu(void);
void task_start(struct task *t);  /* spawns its kernel thread */
void do_exit(struct task *t, int status) __attribute__((noreturn));   /* status: wait status */
/* Ends the calling kernel thread's task (klock held; released).  The thread
 * parks for a later task_start, or ends.  Mirrors the tail of do_exit. */
void kthread_exit(void) __attribute__((noreturn));
void do_group_exit(struct task *t, int status) __attribute__((noreturn));
int alloc_pid(void);
void release_task(struct task *t);
long do_fork(struct task *t, uint64_t flags, uint64_t newsp, uint64_t ptid, uint64_t ctid,
	     uint64_t tls);
int do_execve(struct task *t, const char *path, char **argv, char **envp);
int de_thread(struct task *t);  /* execve: the other threads end */
void posix_timers_exit(struct thread_group *tg); /* exit, execve: timers go */
void guest_finished(int status);    /* the last task is gone: status for umk's exit */
void task_count_live(void);         /* run_init's task starts counting as live */
void vfork_release(struct task *t); /* wake a vfork parent (execve, exit) */
/* The first process: returns its wait status when the guest is done. */
int run_init(const char *path, char **argv, char **envp, const char *cwd);
extern struct linux_rlimit host_rlimits[LINUX_RLIM_NLIMITS]; /* umk's limits at start-up */

/* ---- signals and futexes at fork, exec and exit: signal.c, futex.c ---- */
void force_sig_fault(struct task *t, const linux_siginfo_t *info);
void flush_signal_handlers(struct task *t);       /* execve */
void siginfo_kill(linux_siginfo_t *si, int sig, int code, struct task *sender);
void signal_wake(struct task *t);              /* out of a sleep or guest code */
/* task_sleep that pending signals do not end (stops, vfork, execve): task.c */
int task_sleep_nosig(struct task *t, uint64_t deadline);
void wake_all_threads(struct thread_group *tg, struct task *except);
long futex_wake_addr(struct task *t, uint64_t uaddr, int n); /* CLONE_CHILD_CLEARTID */
void exit_robust_list(struct task *t);     /* thread exit: robust futexes */
void signal_child_exit(struct task *child);       /* SIGCHLD to parent */

/* ---- syscall dispatch: syscall.c ---- */
void syscall_enter(struct task *t);
/* t's syscall trapped (not a patched site): count its site, and have
 * the platform patch it once it is hot (platform->patch_syscall). */
void syscall_site_trapped(struct task *t);

#endif
