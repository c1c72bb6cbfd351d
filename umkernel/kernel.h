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
struct key;         /* security/keys.h */
struct landlock_domain;   /* security/landlock.h */

struct task;
struct thread_group;
struct ptrace_state;     /* kernel/ptrace.c */
struct seccomp_filter;   /* kernel/seccomp.c */

/* ---- wait queues and sleeping: kernel/task.c ---- */
struct wait_queue { struct list_head waiters; };
/* A waiter wakes its task, or (func set: waitq_add_func) runs func under
 * klock instead: fs/fasync.c's O_ASYNC signals, as Linux's wait queue
 * entries with a wake function.  func must not touch the queue. */
struct waiter { struct list_head link; struct task *task; void (*func)(struct waiter *); void *data;
		 /* EPOLLEXCLUSIVE: a wake_up stops at the first exclusive waiter
		  * that took the wake-up (a task always does; a func sets took) */
		 bool exclusive, took; };
void waitq_init(struct wait_queue *wq);
void waitq_add(struct wait_queue *wq, struct waiter *w, struct task *t);
void waitq_add_func(struct wait_queue *wq, struct waiter *w, void (*func)(struct waiter *), void *data);
void waitq_del(struct waiter *w);
void wake_up(struct wait_queue *wq);          /* every waiter, of the exclusive ones the first taker */
void task_wake(struct task *t);

/*
 * task_sleep - sleep until woken, a signal is pending, or the deadline.
 * deadline: CLOCK_MONOTONIC ns, 0 = none.  hostfd/events: also wake when
 * a host fd is ready (-1 = none).  Drops and retakes klock.  Returns 0
 * when woken, -ETIMEDOUT, or -EINTR when a signal is pending.
 */
int task_sleep(struct task *t, uint64_t deadline, int hostfd, short events);
int task_sleep_short(struct task *t);   /* task_sleep(t, 0, -1, 0) after a short spin (pipes) */
uint64_t now_ns(int clockid);   /* the guest's clocks: the host's plus clock_offset_ns */
/* the guest's settable wall clock: kernel/timekeeping.c */
int64_t clock_offset_ns(int clk);   /* ns the guest's clk is ahead of the host's */
void guest_timezone(int tz[2]);     /* settimeofday's tz: minuteswest, dsttime */

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
	struct ucounts *ucounts;      /* RLIMIT_SIGPENDING: the user it is charged to, or NULL */
};
/* Frees a queued signal taken off its list (its user's count drops). */
void sigqueue_free(struct sigqueue *q);
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
/* Ids are kernel ids (as seen from the initial user namespace); the
 * task's user namespace maps them for the guest (kernel/user_namespace.c).
 * Capabilities as Linux's five sets (bit = CAP_*). */
/* Supplementary groups a task may hold: Linux takes up to NGROUPS_MAX
 * (65536); setgroups past this many is ENOMEM here (kernel/cred.c). */
#define NGROUPS_UMK 256
struct cred {
	uint32_t uid, euid, suid, fsuid, gid, egid, sgid, fsgid;
	uint32_t ngroups, groups[NGROUPS_UMK];
	uint64_t cap_inheritable, cap_permitted, cap_effective, cap_bset, cap_ambient;
	unsigned int securebits;      /* SECBIT_KEEP_CAPS (PR_SET_KEEPCAPS) */
};

/* ---- pids and namespaces: kernel/pid.c, kernel/pid_namespace.c,
 * kernel/nsproxy.c, kernel/user_namespace.c; mount namespaces in fs/ ---- */
/* /proc/PID/ns/ inode numbers of the initial namespaces (Linux's PROC_*_INIT_INO) */
#define NS_INIT_INO_IPC    0xEFFFFFFFu
#define NS_INIT_INO_UTS    0xEFFFFFFEu
#define NS_INIT_INO_USER   0xEFFFFFFDu
#define NS_INIT_INO_PID    0xEFFFFFFCu
#define NS_INIT_INO_CGROUP 0xEFFFFFFBu
#define NS_INIT_INO_TIME   0xEFFFFFFAu
#define NS_INIT_INO_NET    0xF0000000u
#define NS_INIT_INO_MNT    0xF0000001u
unsigned int ns_alloc_inum(void);   /* a fresh inode number for a new namespace */

struct uid_gid_extent { uint32_t first, lower_first, count; };
struct uid_gid_map { unsigned int nr_extents; struct uid_gid_extent extent[340]; };
struct user_namespace {
	int refs;
	unsigned int level;           /* 0: the initial one; at most 32 */
	struct user_namespace *parent;
	uint32_t owner, group;        /* kernel uid/gid of its creator */
	struct uid_gid_map *uid_map, *gid_map;  /* NULL until written (identity for the initial one) */
	bool setgroups_denied;        /* /proc/PID/setgroups "deny" */
	bool caps_granted;            /* its creator got a full capability set in it */
	unsigned int inum;
};
extern struct user_namespace init_user_ns;

struct pid_namespace {
	int refs;
	unsigned int level;           /* 0: the initial one; at most 32 */
	struct pid_namespace *parent;
	struct user_namespace *user_ns;
	struct task *child_reaper;    /* its init, once born */
	int last_pid, pid_max, nr_pids;
	bool dead;                    /* its init is gone: fork fails with ENOMEM */
	unsigned int inum;
	/* vm.memfd_noexec: 0 memfd_create defaults to MFD_EXEC, 1 to
	 * MFD_NOEXEC_SEAL, 2 refuses it without MFD_NOEXEC_SEAL (EACCES);
	 * a new namespace starts with its parent's and stays at least that */
	int memfd_noexec_scope;
};
extern struct pid_namespace init_pid_ns;

/* One number of a pid: its value in one namespace (a hash node too). */
struct upid {
	int nr;
	struct pid_namespace *ns;
	struct upid *hnext;
	struct pid *pid;
};
struct pid {
	int refs;                     /* the task, process groups and sessions, pidfds */
	int users;                    /* the task, groups and sessions: its numbers live while > 0 */
	unsigned int level;
	struct task *task;            /* the task whose thread id it is; NULL once reaped */
	struct wait_queue wait_pidfd; /* pidfd pollers: woken at exit and at reaping */
	/* PIDFD_GET_INFO's PIDFD_INFO_EXIT: the wait status, kept when reaped */
	bool reaped;
	int exit_code;
	struct upid numbers[];        /* level + 1: [0] in the initial namespace */
};

struct uts_namespace {
	int refs;
	struct user_namespace *user_ns;
	unsigned int inum;
	char *nodename, *domainname;  /* 65 bytes each (the initial one's: guest_hostname...) */
	char names[2][65];
};
extern struct uts_namespace init_uts_ns;

struct ipc_namespace;            /* ipc/ipc.h: SysV IPC and POSIX mqueue state */

struct cgroup;   /* cgroup/cgroup.h */
/* root: the cgroup it shows as "/" (a reference), NULL for the hierarchy's root */
struct cgroup_namespace { int refs; struct user_namespace *user_ns; unsigned int inum; struct cgroup *root; };
struct mnt_namespace;             /* fs/fs.h */

/* A network namespace (CLONE_NEWNET): net/ keys its state on it (hang it
 * off net, free it in net_ns_release(), net/netdev.c's). */
struct net_namespace {
	int refs;
	struct user_namespace *user_ns;
	unsigned int inum;
	void *net;                    /* net/: this namespace's network state */
	void *nf;                     /* net/netfilter.c: its iptables tables */
};
extern struct net_namespace init_net_ns;
void net_ns_release(struct net_namespace *ns);

/* A time namespace (CLONE_NEWTIME, kernel/time_namespace.c): offsets
 * of CLOCK_MONOTONIC and CLOCK_BOOTTIME, settable until a task enters. */
struct time_namespace {
	int refs;
	struct user_namespace *user_ns;
	unsigned int inum;
	int64_t mono_sec, mono_nsec, boot_sec, boot_nsec;   /* the offsets */
	bool frozen;                  /* a task entered: offsets are fixed */
};
extern struct time_namespace init_time_ns;
struct time_namespace *get_time_ns(struct time_namespace *ns);
void put_time_ns(struct time_namespace *ns);
struct time_namespace *clone_time_ns(struct time_namespace *old, struct user_namespace *u);
void timens_commit(struct task *t, struct time_namespace *ns);   /* t entered ns */
int64_t timens_offset_ns(const struct task *t, int clk);  /* ns t's clk is ahead of the host's */
uint64_t timens_to_host(const struct task *t, int clk, uint64_t ns); /* an absolute time, back */
int timens_show_offsets(struct task *tk, char *buf, size_t len);     /* /proc/PID/timens_offsets */
long timens_write_offsets(struct task *writer, struct task *tk, const char *text, size_t n);

/* The namespaces a task uses (Linux's nsproxy), shared until one changes. */
struct nsproxy {
	int refs;
	struct uts_namespace *uts_ns;
	struct ipc_namespace *ipc_ns;
	struct mnt_namespace *mnt_ns;
	struct pid_namespace *pid_ns_for_children;
	struct cgroup_namespace *cgroup_ns;
	struct net_namespace *net_ns;
	/* time namespaces (kernel/time_namespace.c): the task's, and the
	 * one its children are born in (unshare(CLONE_NEWTIME) sets it) */
	struct time_namespace *time_ns, *time_ns_for_children;
};
extern struct nsproxy init_nsproxy;
struct nsproxy *get_nsproxy(struct nsproxy *p);
void put_nsproxy(struct nsproxy *p);
void put_ipc_ns(struct ipc_namespace *ns);
void put_net_ns(struct net_namespace *ns);
/* /proc/PID/ns/NAME (kernel/nsproxy.c) */
enum { NS_CGROUP, NS_IPC, NS_MNT, NS_NET, NS_PID, NS_PID_FOR_CHILDREN, NS_USER, NS_UTS,
       NS_TIME, NS_TIME_FOR_CHILDREN, NS_TYPES };
const char *ns_type_name(int type);
int ns_link_text(struct task *tk, int type, char *buf, size_t len);   /* "uts:[4026531838]" */
struct file *ns_file_open(struct task *tk, int type);                /* NULL if none */
struct mnt_namespace *nsfile_mnt_ns(struct file *f, int *err);      /* statmount: nsproxy.c */
const char *lsm_names_text(void);   /* /sys/kernel/security/lsm: security/lsm_syscalls.c */
/* /proc/PID/uid_map, gid_map, setgroups (kernel/user_namespace.c) */
int userns_show_map(const struct user_namespace *ns, const struct user_namespace *viewer,
		    bool gid, char *buf, size_t len);
long userns_write_map(struct task *writer, struct user_namespace *ns, bool gid, const char *text,
		      size_t n);
long userns_write_setgroups(struct task *writer, struct user_namespace *ns, const char *text,
			    size_t n);

struct pid *alloc_pid(struct pid_namespace *ns, int *err);
struct pid *get_pid(struct pid *pid);
void put_pid(struct pid *pid);
void attach_pid(struct pid *pid);   /* a task, group or session uses it (and refs it) */
void detach_pid(struct pid *pid);   /* ... no more: the last frees its numbers */
struct pid *find_pid_ns(int nr, const struct pid_namespace *ns);
int pid_nr_ns(const struct pid *pid, const struct pid_namespace *ns);
struct pid_namespace *task_active_pid_ns(const struct task *t);
struct pid *task_tgid(const struct task *t);
int task_pid_nr_ns(const struct task *t, const struct pid_namespace *ns);
int task_tgid_nr_ns(const struct task *t, const struct pid_namespace *ns);
/* A task's own ids as the viewer (a task) sees them; 0 if it cannot */
#define task_pid_vnr(viewer, t)  task_pid_nr_ns((t), task_active_pid_ns(viewer))
#define task_tgid_vnr(viewer, t) task_tgid_nr_ns((t), task_active_pid_ns(viewer))
int global_nr_ns(int nr, const struct pid_namespace *ns);
#define global_vnr(viewer, nr)   global_nr_ns((nr), task_active_pid_ns(viewer))
int vnr_to_global(const struct task *viewer, int nr);
struct task *find_task_by_vpid(const struct task *viewer, int nr);
void pid_notify(struct pid *pid);
struct file;
bool file_is_pidfd(const struct file *f);         /* kernel/pidfd.c */
struct pid *pidfd_pid(const struct file *f);
struct task *pidfd_task(const struct file *f);    /* NULL once reaped */
struct pid_namespace *get_pid_ns(struct pid_namespace *ns);
void put_pid_ns(struct pid_namespace *ns);
struct user_namespace *get_user_ns(struct user_namespace *ns);
void put_user_ns(struct user_namespace *ns);
/* Ids between the kernel and a user namespace (-1: unmapped; the
 * _munged forms give the overflow id 65534 instead). */
uint32_t make_kuid(const struct user_namespace *ns, uint32_t uid);
uint32_t make_kgid(const struct user_namespace *ns, uint32_t gid);
uint32_t from_kuid(const struct user_namespace *ns, uint32_t kuid);
uint32_t from_kgid(const struct user_namespace *ns, uint32_t kgid);
uint32_t from_kuid_munged(const struct user_namespace *ns, uint32_t kuid);
uint32_t from_kgid_munged(const struct user_namespace *ns, uint32_t kgid);
/* Capabilities (CAP_* numbers) of t in its own user namespace, or in ns
 * (Linux's ns_capable: the creator of ns and its ancestors' holders). */
/* in_group_p: gid is t's fsgid or one of its supplementary groups
 * (kernel/cred.c; Linux's kernel/groups.c). */
bool in_group_p(const struct task *t, uint32_t gid);
/* groups_search: gid is one of cred's supplementary groups. */
bool groups_search(const struct cred *c, uint32_t gid);
bool capable(const struct task *t, int cap);
bool ns_capable(const struct task *t, const struct user_namespace *ns, int cap);
#define CAP_CHOWN            0
#define CAP_DAC_OVERRIDE     1
#define CAP_DAC_READ_SEARCH  2
#define CAP_FOWNER           3
#define CAP_KILL             5
#define CAP_SETGID           6
#define CAP_SETUID           7
#define CAP_SETPCAP          8
#define CAP_NET_ADMIN        12
#define CAP_IPC_LOCK         14
#define CAP_IPC_OWNER        15
#define CAP_SYS_CHROOT       18
#define CAP_SYS_PTRACE       19
#define CAP_SYS_ADMIN        21
#define CAP_SYS_NICE         23
#define CAP_SYS_RESOURCE     24
#define CAP_MKNOD            27
#define CAP_SETFCAP          31
#define CAP_LAST_CAP         40
#define CAP_FULL_SET         ((1ULL << (CAP_LAST_CAP + 1)) - 1)
/* What the host counted for a guest thread or process (getrusage's fields
 * besides the times): kernel/cputime.c. */
struct host_rusage { long maxrss_kb, minflt, majflt, nvcsw, nivcsw; };
enum { RU_PROCESS, RU_THREAD };
void task_host_rusage(struct task *t, int who, struct host_rusage *r);
/* An ITIMER_VIRTUAL or ITIMER_PROF timer: process CPU time (ns) it fires
 * at, 0 disarmed, and its interval. */
struct cpu_itimer { uint64_t expires, incr; };

/* Shared by the threads of a thread group (Linux's signal_struct). */
/* A session's scheduling autogroup (Linux's kernel/sched/autogroup.c, as
 * /proc/PID/autogroup shows it): setsid makes one, fork shares it; its
 * nice is kept and read back (umk's scheduler is the host's).  A NULL
 * one is the root group of the tasks no setsid moved (init). */
struct autogroup { int refs; long id; int nice; };
struct autogroup *autogroup_new(void);            /* NULL on ENOMEM */
struct autogroup *autogroup_get(struct autogroup *ag);
void autogroup_put(struct autogroup *ag);

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
	/* ptrace (kernel/ptrace.c) */
	struct task *group_exit_task; /* the thread whose exit or fatal signal began group_exit */
	unsigned stop_gen;            /* counts group stops: which one a tracee has reported */
	int group_stop_sig;           /* the signal of the current (or last) group stop */
	int yama_ptracer;             /* PR_SET_PTRACER: the pid that may attach, -1 any, 0 none */
	/* namespaces and process lifetime (issue 13) */
	struct pid *pgrp, *session;   /* keep pgid's and sid's numbers alive (pid.c) */
	bool is_child_subreaper;      /* PR_SET_CHILD_SUBREAPER */
	bool init_killable;           /* a pid namespace's init took a forced fault with no
				       * handler: it dies of it (Linux clears SIGNAL_UNKILLABLE) */
	int oom_score_adj;            /* /proc/PID/oom_score_adj, -1000..1000 */
	int oom_score_adj_min;        /* lowest value set without CAP_SYS_RESOURCE */
	struct autogroup *autogroup;  /* the session's, held; NULL: the root group */
	/* I/O counters and the core-dump filter: /proc/PID/io, coredump_filter */
	uint64_t io_rchar, io_wchar, io_syscr, io_syscw;
	uint64_t io_read_bytes;       /* block I/O of page-cache misses (mm/pagecache.c) */
	uint32_t coredump_filter;     /* MMF_DUMP_FILTER bits, 0x33 by default */
	/* CPU timers and usage (kernel/cputime.c) */
	struct cpu_itimer cpu_itimer[2];   /* ITIMER_VIRTUAL, ITIMER_PROF */
	struct host_rusage ru_final;  /* the process's usage when its last thread left */
	struct host_rusage ru_exited; /* context switches of its threads that exited */
	struct host_rusage ru_children; /* of reaped children (RUSAGE_CHILDREN) */
	struct core_state *core_state; /* debug/coredump.c: a core dump in progress */
	struct key *process_keyring;  /* security/keys.h: the process keyring */
};

enum task_state { TASK_NEW, TASK_RUNNING_USER, TASK_IN_KERNEL, TASK_SLEEPING, TASK_DEAD, TASK_ZOMBIE };

struct sysargs { uint64_t a[6]; int nr; };

/* The last syscalls of a task, kept always for oops reports and `umk ctl`
 * (debug/debug.h: debug_syscall_end writes it). */
#define SYSCALL_RING_SIZE 32
struct syscall_ring_entry { int nr; long ret; uint64_t a[6]; };
struct syscall_ring { unsigned head; struct syscall_ring_entry e[SYSCALL_RING_SIZE]; };
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
	bool rt_abs_sleep;            /* settable clock: in an absolute realtime sleep (a set wakes it) */
	int vfork_done;               /* a vfork parent waits while 0 (its child sets it) */
	struct task *vfork_parent;
	int exit_code;                /* wait status */
	int exit_signal;              /* SIGCHLD normally */
	bool reaped_by_wait;
	int64_t utime_ns, stime_ns;   /* for rusage, updated at exit */
	uint64_t start_time_ns;
	uint32_t personality;
	int nice;                     /* -20..19, inherited by fork */
	/* audit ids and timer slack: /proc/PID/{loginuid,sessionid,timerslack_ns} */
	uint32_t loginuid, sessionid; /* (uint32_t)-1 while unset */
	uint64_t timer_slack_ns, default_timer_slack_ns;
	/* PR_SET_TSC (sys_process.c): rdtsc faults, set on the host thread */
	bool notsc;
	/* scheduling attributes, kept and reported (kernel/sched.c), never
	 * applied to the host; the I/O priority (ioprio_set) */
	int sched_policy;             /* SCHED_OTHER...SCHED_DEADLINE */
	unsigned sched_priority;      /* 1..99 for SCHED_FIFO/RR */
	bool sched_reset_on_fork;
	uint64_t dl_runtime, dl_deadline, dl_period;
	int ioprio;                   /* IOPRIO_PRIO_VALUE; 0: none set */
	int syscall_nr;               /* in flight, for oops and strace */
	long fork_token;              /* platform token of a new, not yet adopted host thread */
	uint64_t set_child_tid;       /* CLONE_CHILD_SETTID: written once the child runs */
	bool zapped;                  /* another thread's execve ends this one */
	bool did_exec;                /* execve since fork (no PF_FORKNOEXEC): setpgid's EACCES */
	bool in_syscall;              /* regs.rax holds a syscall result (restart logic) */
	pthread_cond_t *exit_cond;    /* init only: signalled when the guest is done */

	/* ptrace and seccomp (kernel/ptrace.c, kernel/seccomp.c) */
	unsigned syscall_work;        /* SW_*: what syscall entry and exit do beyond dispatch */
	/* syscall user dispatch (kernel/syscall_user_dispatch.c): syscalls
	 * from outside [sud_offset, +sud_len) become SIGSYS while the byte
	 * at sud_selector (0: none) says BLOCK */
	uint64_t sud_offset, sud_len, sud_selector;
	unsigned jobctl;              /* JOBCTL_*: traps to take on the way to user mode */
	struct task *ptracer;         /* the task tracing this one, or NULL */
	struct ptrace_state *pt;      /* a tracee's stop state; kept after detach */
	struct list_head ptraced;     /* the tasks this one traces (their ptrace_entry) */
	struct list_head ptrace_entry;
	struct seccomp_filter *seccomp_filter; /* the newest filter of the stack, or NULL */
	int seccomp_mode;             /* LINUX_SECCOMP_MODE_* */
	bool no_new_privs;            /* PR_SET_NO_NEW_PRIVS: inherited, kept by execve */
	int64_t fault_err;            /* the last fault's error code (sigcontext err), -1 unknown */
	int fault_trapno;             /* and its trap number (a UML guest reads both) */
	/* namespaces and process lifetime (issue 13) */
	struct pid *pid;              /* its identity; tid == pid->numbers[0].nr */
	struct nsproxy *nsproxy;
	struct user_namespace *user_ns;
	int pdeath_signal;            /* PR_SET_PDEATHSIG */
	int mempolicy_mode;           /* set_mempolicy (mm/mempolicy.c): mode | flags */
	uint64_t mempolicy_nodes;
	uint64_t cpus_allowed;        /* sched_setaffinity: host CPUs (bit n: CPU n) */
	bool affinity_changed;        /* task_loop re-pins before running the guest */
	/* SysV IPC (ipc/ipc.h): the SEM_UNDO list (CLONE_SYSVSEM shares it) */
	struct sem_undo_list *sysvsem_undo;
	/* fault injection (debug/fault.c): the task's syscall index and
	 * counters, made at its first syscall when a fault option is given;
	 * NULL otherwise */
	struct fault_task *fault;
	/* keyrings (security/keys.h): the thread and session keyrings,
	 * request_key's default destination (KEYCTL_SET_REQKEY_KEYRING) */
	struct key *thread_keyring, *session_keyring;
	int jit_keyring;
	/* Landlock (security/landlock.h): the thread's domain, NULL if none */
	struct landlock_domain *landlock;
	/* cgroup v2 (cgroup/cgroup.h): its cgroup (a reference; NULL: the
	 * root), and whether it counts there (a live task) */
	struct cgroup *cgroup;
	bool cgroup_live;

	/* debugging (debug/): the syscall ring, where the kernel thread
	 * sleeps (kstack, ps), and freezing */
	struct syscall_ring sysring;
	const void *wchan;            /* the caller of task_sleep, while asleep */
	void *sleep_ctx;              /* its libunwind context, while asleep */
	void *loop_ctx;               /* a context in task_loop (the kernel thread's base) */
	bool frozen;                  /* parked by `freeze` or a debug stop */
	bool debug_stop;              /* asked to park (one thread: `stack`) */
	uint64_t syscall_t0;          /* statistics: when the syscall in flight entered */
};

extern struct list_head all_tasks;
extern __thread struct task *current;   /* the task this kernel thread serves */
extern uint64_t boot_time_ns;             /* CLOCK_MONOTONIC at start-up */
extern struct task *init_task;    /* guest pid 1 */
struct task *task_find(int tid);   /* by global id (kernel-internal) */
void tg_set_pgid(struct thread_group *tg, int nr);   /* global ids */
void tg_set_sid(struct thread_group *tg, int nr);
void task_cpu_times(struct task *t, int64_t *utime_ns, int64_t *stime_ns);
/* One POSIX timer as /proc/PID/timers shows it (kernel/posix_timers.c). */
struct ptimer_info { int id, signo; uint64_t sigval; int notify, pid, clock; };
void posix_timers_each(struct thread_group *tg, void (*fn)(void *arg, const struct ptimer_info *),
		       void *arg);
uint64_t cpus_online_mask(void);   /* kernel/sched.c: the host's online CPUs (up to 64) */
void sched_fork(struct task *c, struct task *parent);   /* kernel/sched.c: policy across fork */
/* kernel/printk.c: the kernel log (syslog(2), /dev/kmsg); level 0-7 */
void printk(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* /proc/sys/kernel/printk's console levels (kernel/printk.c) */
int printk_proc_read(struct task *t, const char *name, char **text);
int printk_proc_write(struct task *t, const char *name, const char *buf, size_t n);

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

/* ---- /proc/sys tunables: kernel/sysctl.c; /proc/config.gz: kernel/configs.c ---- */
extern long sysctl_threads_max, sysctl_overcommit_memory, sysctl_overcommit_ratio,
	sysctl_max_map_count, sysctl_swappiness, sysctl_nr_open, sysctl_file_max, sysctl_somaxconn,
	sysctl_yama_ptrace_scope, sysctl_overflowuid, sysctl_overflowgid,
	sysctl_max_user_namespaces, sysctl_max_ns, sysctl_core_uses_pid,
	sysctl_perf_event_paranoid;
extern long sysctl_io_uring_disabled;   /* kernel.io_uring_disabled: io_uring/io_uring.c */
extern long sysctl_kptr_restrict;       /* kernel.kptr_restrict: kernel/kallsyms.c */
/* kernel/kallsyms.c: whether t may see kernel addresses (kptr_restrict,
 * perf_event_paranoid, CAP_SYSLOG); /proc/kallsyms, malloc'd in *text,
 * with them or zeros: 0 or -ENOMEM */
bool kallsyms_show_value(struct task *t);
int kallsyms_text(bool show, char **text);
extern long sysctl_ctrl_alt_del;        /* kernel.ctrl-alt-del: kernel/reboot.c */
/* One value as Linux's proc_dointvec_minmax parses it: 0 or -EINVAL. */
int sysctl_parse_long(const char *buf, size_t n, long min, long max, long *out);
/* Several values as proc_dointvec/proc_doulongvec parse them (kernel/sysctl.c):
 * magnitudes and signs, or ints; 0 or -EINVAL. */
int sysctl_parse_vec(const char *buf, size_t n, int max, uint64_t *v, bool *neg, int *got);
int sysctl_parse_intvec(const char *buf, size_t n, int max, int *out, int *got);
/* A table of plain limits under /proc/sys (inotify, fanotify): kernel/sysctl.c */
struct sysctl_long { const char *name; long *val; long def; };
/* Each value from the host's /proc/sys/NAME (limits Linux sized from this
 * machine's memory), def where the host has none. */
void sysctl_table_host_init(const struct sysctl_long *tbl, size_t n);
int sysctl_table_read(const struct sysctl_long *tbl, size_t n, const char *name, char **text);
int sysctl_table_write(const struct sysctl_long *tbl, size_t n, const char *name, const char *buf,
		       size_t len);
/* ---- per-user object counts: kernel/ucount.c (Linux's struct ucounts) ---- */
enum ucount_type {
	UCOUNT_INOTIFY_INSTANCES, UCOUNT_INOTIFY_WATCHES,
	UCOUNT_FANOTIFY_GROUPS, UCOUNT_FANOTIFY_MARKS,
	UCOUNT_RLIMIT_SIGPENDING, UCOUNT_RLIMIT_MSGQUEUE,
	UCOUNT_COUNTS
};
struct ucounts;
/* The counts of user uid, made on first use; NULL when out of memory.
 * The entry lives as long as umk, so holders may keep the pointer. */
struct ucounts *ucounts_get(uint32_t uid);
/* One more of type for uc: false (nothing charged) when uc already has
 * max of them, as Linux's inc_ucount() failing at the limit. */
bool ucounts_inc(struct ucounts *uc, enum ucount_type type, long max);
/* Gives back one charge of type (dec_ucount()). */
void ucounts_dec(struct ucounts *uc, enum ucount_type type);
/* n more of type (bytes, say): false, nothing charged, if uc would then
 * have more than max (inc_rlimit_ucounts); and n of them given back. */
bool ucounts_add(struct ucounts *uc, enum ucount_type type, long n, long max);
void ucounts_sub(struct ucounts *uc, enum ucount_type type, long n);
int task_limit(void);   /* umk's own cap on guest tasks (kernel/process.c) */
/* /proc/sys/kernel/sched_rr_timeslice_ms, sched_rt_period_us, sched_rt_runtime_us
 * (kernel/sched.c) */
int sched_proc_read(struct task *t, const char *name, char **text);
int sched_proc_write(struct task *t, const char *name, const char *buf, size_t n);
const char *ikconfig_text(void);
int ikconfig_gz(void **out, size_t *len);   /* malloc'd gzip data */

#endif
