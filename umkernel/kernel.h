/*
 * kernel.h - the core objects every subsystem shares: tasks and thread
 * groups, credentials, wait queues and sleeping, signal state and the
 * calls that queue or test signals, user copies, kernel timers, the
 * syscall argument accessors, lists, logging and the kernel lock.  Each
 * subsystem's own interface is a header in its folder: kernel/task.h,
 * mm/mm.h, fs/fs.h, net/net.h, tty/tty.h, debug/debug.h.
 *
 * In a nutshell: every guest thread is a `struct task` served by one host
 * kernel thread (kernel/task.c) that loops around platform->run().  Tasks
 * share an mm (mm/), an fd table and fs state (fs/) and signal handlers
 * (kernel/signal.c) as Linux's do.
 *
 * Lock order: there is one big kernel lock, `klock`.  A kernel thread
 * holds it whenever it touches kernel state and drops it only while the
 * guest runs (platform->run) and while it sleeps (task_sleep).  Host I/O
 * that may block is done through task_sleep's host-fd wait.
 */
#ifndef UMK_KERNEL_H
#define UMK_KERNEL_H

#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "../guest-abi/abi.h"
#include "../guest-abi/syscall_table.h"
#include "../tracer/platform.h"

/* ---- restart codes: never reach a guest (Linux's include/linux/errno.h) ---- */
#define ERESTARTSYS           512
#define ERESTARTNOINTR        513
#define ERESTARTNOHAND        514
#define ERESTART_RESTARTBLOCK 516
#define RET_NORESULT          (-4096L - 1) /* handler set rax itself (rt_sigreturn, execve) */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PAGE_ALIGN(x) (((x) + GUEST_PAGE_SIZE - 1) & ~(GUEST_PAGE_SIZE - 1))

/* ---- lists ---- */
struct list_head { struct list_head *next, *prev; };
#define LIST_HEAD_INIT(n) { &(n), &(n) }
static inline void list_init(struct list_head *h) { h->next = h->prev = h; }
static inline bool list_empty(const struct list_head *h) { return h->next == h; }
static inline void list_add_tail(struct list_head *n, struct list_head *h)
{ n->prev = h->prev; n->next = h; h->prev->next = n; h->prev = n; }
static inline void list_del(struct list_head *n)
{ n->prev->next = n->next; n->next->prev = n->prev; n->next = n->prev = n; }
#define list_entry(p, type, member) ((type *)((char *)(p) - offsetof(type, member)))
#define list_for_each_safe(p, n, h) for (p = (h)->next, n = p->next; p != (h); p = n, n = p->next)

extern pthread_mutex_t klock;
extern int umk_verbose;
void umk_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Kernel bug: backtrace, task in flight, clean shutdown of every stub. */
void oops(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

struct mm;          /* mm/mm.h */
struct file;        /* fs/fs.h */
struct fdtable;
struct fs_struct;

struct task;
struct thread_group;

/* ---- wait queues and sleeping: kernel/task.c ---- */
struct wait_queue { struct list_head waiters; };
struct waiter { struct list_head link; struct task *task; };
void waitq_init(struct wait_queue *wq);
void waitq_add(struct wait_queue *wq, struct waiter *w, struct task *t);
void waitq_del(struct waiter *w);
void wake_up(struct wait_queue *wq);          /* wakes every waiter */
void task_wake(struct task *t);

/*
 * task_sleep - sleep until woken, a signal is pending, or the deadline.
 * deadline: CLOCK_MONOTONIC ns, 0 = none.  hostfd/events: also wake when
 * a host fd is ready (-1 = none).  Drops and retakes klock.  Returns 0
 * when woken, -ETIMEDOUT, or -EINTR when a signal is pending.
 */
int task_sleep(struct task *t, uint64_t deadline, int hostfd, short events);
int task_sleep_short(struct task *t);   /* task_sleep(t, 0, -1, 0) after a short spin (pipes) */
uint64_t now_ns(int clockid);

/* ---- user copies: mm/usercopy.c ---- */
/* Guest memory access: return 0 or -EFAULT (whole range or nothing). */
int copy_from_user(struct task *t, void *dst, uint64_t src, size_t len);
int copy_to_user(struct task *t, uint64_t dst, const void *src, size_t len);
/* Copies a NUL-terminated string; -ENAMETOOLONG if no NUL in max bytes. */
long strncpy_from_user(struct task *t, char *dst, uint64_t src, size_t max);
bool user_range_ok(struct task *t, uint64_t addr, uint64_t len, int prot); /* PROT_* */

/* ---- signal state, and the calls every subsystem makes: kernel/signal.c ---- */
struct sighand {
	int refs;
	struct linux_sigaction action[LINUX_NSIG];
};
struct sigqueue {
	struct list_head link;
	linux_siginfo_t info;
};
struct sigpending {
	linux_sigset_t set;
	struct list_head queue;       /* struct sigqueue, for siginfo */
};
int send_signal(struct task *t, int sig, const linux_siginfo_t *info, bool group);
int kill_pid_info(struct task *sender, int pid, int sig);    /* kill(2) semantics */
/* Called on every return to user mode; may not return if the task dies. */
void do_signal(struct task *t, long syscall_ret);
bool signal_pending(struct task *t);
bool sig_ignored(struct task *t, int sig);
/* Takes the lowest pending signal in mask (task's own queue first, then the
 * thread group's) without delivering it: signalfd(2), sigtimedwait(2).
 * Returns the signal number and fills info, or 0 if none is pending. */
int signal_dequeue_masked(struct task *t, linux_sigset_t mask, linux_siginfo_t *info);
/* Signals pending for t (own and shared), blocked or not. */
linux_sigset_t signal_pending_set(struct task *t);
int set_user_sigmask(struct task *t, uint64_t umask, uint64_t size);
void restore_saved_sigmask_unless(struct task *t, bool interrupted);

/* ---- tasks and thread groups: kernel/task.c, kernel/process.c ---- */
struct cred {
	uint32_t uid, euid, suid, fsuid, gid, egid, sgid, fsgid;
	uint32_t ngroups, groups[32];
};
/* Shared by the threads of a thread group (Linux's signal_struct). */
struct thread_group {
	int refs;
	int nr_threads;               /* live threads */
	struct list_head threads;     /* struct task.thread_node, live threads */
	struct task *exec_task;       /* a thread in execve waiting for the others to go */
	int tgid;
	struct task *leader;
	struct sigpending shared_pending;
	struct linux_rlimit rlim[LINUX_RLIM_NLIMITS];
	int pgid, sid;
	int exit_code;                /* group exit: wait status */
	bool group_exit;
	int stop_state;               /* 0 running, 1 stopped (job control) */
	int stop_report;              /* for wait(WUNTRACED/WCONTINUED): sig or -1 continued */
	int64_t cutime_ns, cstime_ns; /* reaped children */
	struct linux_itimerval itimer_real;
	uint64_t itimer_real_deadline;
	struct wait_queue child_wait; /* waiters in wait4 */
	struct wait_queue signal_wait; /* woken whenever a signal is queued (signalfd poll) */
	int tty_fg_pgrp;              /* per session: the foreground pgrp */
};

enum task_state { TASK_NEW, TASK_RUNNING_USER, TASK_IN_KERNEL, TASK_SLEEPING, TASK_DEAD, TASK_ZOMBIE };

struct sysargs { uint64_t a[6]; int nr; };
static inline int arg_int(const struct sysargs *a, int i) { return (int)a->a[i]; }
static inline unsigned arg_uint(const struct sysargs *a, int i) { return (unsigned)a->a[i]; }
static inline long arg_long(const struct sysargs *a, int i) { return (long)a->a[i]; }
static inline uint64_t arg_ptr(const struct sysargs *a, int i) { return a->a[i]; }

struct task {
	/* identity */
	int tid;                      /* guest tid (== pid for a leader) */
	struct thread_group *tg;
	struct task *parent;          /* who gets SIGCHLD (the leader of) */
	struct list_head children;    /* struct task.sibling, leaders only */
	struct list_head sibling;
	struct list_head all;         /* all_tasks */
	struct list_head thread_node; /* tg->threads */
	char comm[16];
	struct cred cred;

	/* shared state */
	struct mm *mm;
	struct fdtable *files;
	struct fs_struct *fs;
	struct sighand *sighand;

	/* signals */
	linux_sigset_t blocked;
	linux_sigset_t saved_mask;    /* sigsuspend / pselect: restored after delivery */
	bool restore_mask;
	struct sigpending pending;
	linux_stack_t altstack;
	linux_sigset_t real_blocked;  /* fuzzing fixes: the mask sigtimedwait
				       * lifted for its sleep (still blocked
				       * for sig_ignored, as Linux's) */

	/* running */
	struct host_thread *host;     /* the guest thread on the host; only this
				       * task's kernel thread may touch it.  mm
				       * edits go through the caller's own. */
	enum task_state state;
	struct linux_regs regs;
	pthread_t kthread;
	int cpu;
	int wakefd;                   /* eventfd: task_sleep wakes on it */
	bool woken;
	uint64_t clear_child_tid, robust_list;
	uint64_t restart_deadline;    /* restart_syscall for nanosleep */
	int restart_clock;
	int vfork_done;               /* a vfork parent waits while 0 (its child sets it) */
	struct task *vfork_parent;
	int exit_code;                /* wait status */
	int exit_signal;              /* SIGCHLD normally */
	bool reaped_by_wait;
	int64_t utime_ns, stime_ns;   /* for rusage, updated at exit */
	uint64_t start_time_ns;
	uint32_t personality;
	int nice;                     /* -20..19, inherited by fork */
	int syscall_nr;               /* in flight, for oops and strace */
	long fork_token;              /* platform token of a new, not yet adopted host thread */
	uint64_t set_child_tid;       /* CLONE_CHILD_SETTID: written once the child runs */
	bool zapped;                  /* another thread's execve ends this one */
	bool in_syscall;              /* regs.rax holds a syscall result (restart logic) */
	pthread_cond_t *exit_cond;    /* init only: signalled when the guest is done */
};

extern struct list_head all_tasks;
extern __thread struct task *current;   /* the task this kernel thread serves */
extern uint64_t boot_time_ns;             /* CLOCK_MONOTONIC at start-up */
extern struct task *init_task;    /* guest pid 1 */
struct task *task_find(int tid);
void task_cpu_times(struct task *t, int64_t *utime_ns, int64_t *stime_ns);

/* ---- kernel timers: kernel/ktimer.c ---- */
struct ktimer {
	struct list_head link;        /* the timer thread's list, while armed */
	uint64_t deadline;            /* CLOCK_MONOTONIC ns */
	void (*fn)(struct ktimer *);  /* run by the timer thread under klock, disarmed */
	bool armed;
};
/* (Re)arms kt to run fn at deadline (a past deadline runs it at once, on
 * the timer thread).  kt must be zeroed before its first use. */
void ktimer_arm(struct ktimer *kt, uint64_t deadline, void (*fn)(struct ktimer *));
void ktimer_cancel(struct ktimer *kt);      /* no-op if not armed */

extern char guest_hostname[65], guest_domainname[65];   /* kernel/sys.c */

#endif
