/*
 * kernel.h - the kernel's core objects and the interfaces between its
 * subsystems.
 *
 * In a nutshell: every guest thread is a `struct task` served by one host
 * kernel thread (task.c) that loops around platform->run().  Tasks share an
 * mm (mm.c), an fd table (fdtable.c), fs state (cwd, root, umask) and
 * signal handlers (signal.c) as Linux's do.  Files are `struct file` with
 * `struct file_ops`; names are resolved by the VFS (vfs.c) over a mount
 * table of filesystems (fs_*.c) that work on fs-relative path strings.
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

struct task;
struct thread_group;

/* ---- wait queues (task.c) ---- */
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

/* ---- memory: mm.c ---- */
struct file;
struct vma {
	struct list_head link;        /* mm->vmas, sorted by start */
	uint64_t start, end;
	int prot;                     /* PROT_* */
	int flags;                    /* MAP_SHARED/MAP_PRIVATE/MAP_ANONYMOUS/MAP_GROWSDOWN */
	struct file *file;            /* file mapped, or NULL */
	uint64_t pgoff;               /* offset of start in file (or shared-anon object), bytes */
	uint64_t shm_id;              /* MAP_SHARED|MAP_ANONYMOUS: the object, kept by fork */
	char name[24];                /* "[heap]", "[stack]" or "" */
};
struct mm {
	int refs;                     /* tasks using it (threads) */
	struct list_head vmas;
	uint64_t start_brk, brk, start_stack, mmap_top;
	uint64_t arg_start, arg_end, env_start, env_end;
	uint64_t start_code, end_code, start_data, end_data;
	struct file *exe;             /* /proc/PID/exe */
	/* syscall sites seen trapping, for platform->patch_syscall: a site
	 * is patched at its MM_PATCH_AFTER-th trap (hits ~0: done or not
	 * patchable); reset by execve */
	struct { uint64_t site; uint32_t hits; } patch_hits[64];
};
#define MM_PATCH_AFTER 8
struct mm *mm_new(void);
struct mm *mm_fork(struct mm *old);
void mm_put(struct mm *mm);
void mm_reset(struct mm *mm);                 /* drop every VMA but the vDSO (execve) */
void mm_add_vdso(struct mm *mm);              /* the platform's vDSO pages as VMAs */
uint64_t mm_vdso_base(struct mm *mm);         /* AT_SYSINFO_EHDR, or 0 */
long mm_mmap(struct mm *mm, uint64_t addr, uint64_t len, int prot, int flags,
	     struct file *f, uint64_t off);
int mm_munmap(struct mm *mm, uint64_t addr, uint64_t len);
int mm_mprotect(struct mm *mm, uint64_t addr, uint64_t len, int prot);
long mm_mremap(struct mm *mm, uint64_t old, uint64_t oldlen, uint64_t newlen, int flags,
	       uint64_t newaddr);
long mm_brk(struct mm *mm, uint64_t brk);
struct vma *mm_find_vma(struct mm *mm, uint64_t addr);
/* The identity of the memory behind a shared mapping at addr (futex keys):
 * 0 and {object, offset} filled, or -EFAULT if unmapped, -EINVAL if the
 * mapping is private. */
int mm_shared_key(struct mm *mm, uint64_t addr, uint64_t key[3]);
int mm_print_maps(struct mm *mm, char *buf, size_t len);

/* Guest memory access: return 0 or -EFAULT (whole range or nothing). */
int copy_from_user(struct task *t, void *dst, uint64_t src, size_t len);
int copy_to_user(struct task *t, uint64_t dst, const void *src, size_t len);
/* Copies a NUL-terminated string; -ENAMETOOLONG if no NUL in max bytes. */
long strncpy_from_user(struct task *t, char *dst, uint64_t src, size_t max);
bool user_range_ok(struct task *t, uint64_t addr, uint64_t len, int prot); /* PROT_* */

/* ---- files (file.c, vfs.c) ---- */
struct kstat {
	uint64_t dev, ino, nlink, rdev, size, blocks;
	uint32_t mode, uid, gid, blksize;
	struct linux_timespec atime, mtime, ctime;
};
struct poll_table;     /* poll.c */
struct dir_entry { uint64_t ino; uint8_t type; char name[256]; };

struct file_ops {
	/* buf is a kernel buffer; pos is the file offset to use and update */
	ssize_t (*read)(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos);
	ssize_t (*write)(struct task *t, struct file *f, const void *buf, size_t n, int64_t *pos);
	/* Optional: read/write straight between the file and guest memory
	 * at buf (t's), sparing the kernel buffer's copy; the caller checked
	 * the range.  -EFAULT if nothing could be copied. */
	ssize_t (*read_user)(struct task *t, struct file *f, uint64_t buf, size_t n, int64_t *pos);
	ssize_t (*write_user)(struct task *t, struct file *f, uint64_t buf, size_t n, int64_t *pos);
	int (*fstat)(struct file *f, struct kstat *st);
	/* Fills entries (a snapshot) for a directory; *n set to count. */
	int (*readdir)(struct file *f, struct dir_entry **ents, size_t *n);
	long (*ioctl)(struct task *t, struct file *f, unsigned int cmd, uint64_t arg);
	/* Readiness mask (POLLIN...) now; registers pt's waiter if pt != NULL */
	short (*poll)(struct file *f, struct poll_table *pt);
	int (*truncate)(struct file *f, uint64_t len);
	int (*fsync)(struct file *f);
	int (*setattr)(struct file *f, int what, uint32_t mode, uint32_t uid, uint32_t gid,
		       const struct linux_timespec *ts);
	int (*host_fd)(struct file *f);  /* host fd for mmap; -ENODEV if none */
	/* Optional: seek where the offset is not f->pos (a host fd shared
	 * with host processes).  Returns the new offset or -errno;
	 * -EOPNOTSUPP means "seek f->pos as usual". */
	int64_t (*llseek)(struct file *f, int64_t off, int whence);
	void (*release)(struct file *f);
	bool seekable;
};
enum { ATTR_MODE = 1, ATTR_OWNER = 2, ATTR_TIMES = 4 };

struct mount;
struct file {
	int refs;
	const struct file_ops *ops;
	int flags;                    /* O_* status flags (O_APPEND, O_NONBLOCK...) + access mode */
	int64_t pos;
	struct mount *mnt;            /* where it was opened, or NULL */
	char *path;                   /* guest absolute path, or "pipe:[N]" */
	void *priv;                   /* the filesystem's or object's */
	int hostfd;                   /* a host fd behind it, or -1 */
	struct dir_entry *dents;      /* directory snapshot for getdents */
	size_t ndents;
	uint32_t lock_owner;          /* flock: owning pid, 0 none */
};
struct file *file_alloc(const struct file_ops *ops, int flags, const char *path);
struct file *file_get(struct file *f);
void file_put(struct file *f);
/* A file around a host fd that the kernel owns (stdin, host files). */
struct file *file_from_hostfd(int hostfd, int flags, const char *path, struct mount *mnt);
/* The same for an fd umk inherited (stdin...): its offset is shared with
 * host processes, so I/O and lseek use the host's offset. */
struct file *file_from_host_stdio(int hostfd, int flags, const char *path);
extern const struct file_ops hostfd_file_ops;
/* fstat of an anon_inode file (eventfd, timerfd, signalfd, epoll): mode
 * 0600 with no file type, owned by the caller, as Linux reports them. */
int anon_inode_fstat(struct file *f, struct kstat *st);

/* ---- fd table: fdtable.c ---- */
#define FD_MAX 1024
struct fdtable {
	int refs;
	int nfds;                     /* slots allocated */
	struct file **files;
	uint8_t *cloexec;
};
struct fdtable *fdtable_new(void);
struct fdtable *fdtable_dup(struct fdtable *old);
void fdtable_put(struct fdtable *ft);
struct file *fd_get(struct task *t, int fd);          /* new reference or NULL */
int fd_install(struct task *t, int minfd, struct file *f, bool cloexec); /* takes f's ref */
int fd_install_at(struct task *t, int fd, struct file *f, bool cloexec);
int fd_close(struct task *t, int fd);
void fd_close_on_exec(struct fdtable *ft);

/* ---- VFS: vfs.c ---- */
struct fs_ops;
struct mount {
	struct list_head link;
	char *path;                   /* guest absolute path of the mount point */
	const struct fs_ops *ops;
	void *priv;
	uint64_t dev;                 /* st_dev for this mount */
	const char *fstype, *source;
	int id;
	int mflags;                   /* MS_RDONLY... */
};
struct fs_ops {
	const char *name;
	/* All paths are relative to the mount ("" is its root), already free
	 * of ".", "..", symlinks in the directory part and empty components. */
	int (*lookup)(struct mount *m, const char *rel, struct kstat *st);     /* no follow */
	int (*readlink)(struct mount *m, const char *rel, char *buf, size_t len);
	/* Opens (creating if O_CREAT and absent; mode already masked). */
	int (*open)(struct mount *m, const char *rel, int flags, uint32_t mode, struct file **out);
	int (*mkdir)(struct mount *m, const char *rel, uint32_t mode);
	int (*mknod)(struct mount *m, const char *rel, uint32_t mode, uint64_t dev);
	int (*rmdir)(struct mount *m, const char *rel);
	int (*unlink)(struct mount *m, const char *rel);
	int (*symlink)(struct mount *m, const char *target, const char *rel);
	int (*link)(struct mount *m, const char *old, const char *new_);
	int (*rename)(struct mount *m, const char *old, const char *new_, unsigned flags);
	int (*setattr)(struct mount *m, const char *rel, int what, uint32_t mode, uint32_t uid,
		       uint32_t gid, const struct linux_timespec *ts);
	int (*truncate)(struct mount *m, const char *rel, uint64_t len);
	int (*statfs)(struct mount *m, struct linux_statfs *st);
	/* Magic links (/proc/PID/fd/N): the open file itself, or NULL. */
	struct file *(*magic)(struct mount *m, const char *rel);
	/* xattrs (optional) */
	ssize_t (*getxattr)(struct mount *m, const char *rel, const char *name, void *buf, size_t n);
	int (*setxattr)(struct mount *m, const char *rel, const char *name, const void *v, size_t n, int flags);
	ssize_t (*listxattr)(struct mount *m, const char *rel, char *buf, size_t n);
	int (*removexattr)(struct mount *m, const char *rel, const char *name);
	/* Optional: open(O_TMPFILE) - an unnamed regular file in directory
	 * dir (mode already masked); linkable unless flags has O_EXCL. */
	int (*tmpfile)(struct mount *m, const char *dir, int flags, uint32_t mode, struct file **out);
	/* Optional: linkat(fd, "", ..., AT_EMPTY_PATH) - names open file f
	 * (opened on this mount) as new_.  -ENOENT if f cannot be linked. */
	int (*linkfile)(struct mount *m, struct file *f, const char *new_);
};

struct fs_struct {               /* CLONE_FS shares it */
	int refs;
	char *cwd;                    /* guest absolute path */
	char *root;                   /* "/" (chroot changes it) */
	uint32_t umask;
};

/* Result of a path walk. */
struct nameidata {
	char abs[4096];               /* absolute, normalised, symlink-free (but the last if not followed) */
	struct mount *mnt;
	const char *rel;              /* points into abs: path inside mnt */
	struct kstat st;
	bool exists;
	struct file *magic;           /* set if the path was a magic link to an open file */
};
enum { WALK_FOLLOW = 1, WALK_DIRECTORY = 2, WALK_EMPTY_OK = 4 };
/* Resolves path relative to dirfd (AT_FDCWD or an fd) for task t.
 * 0 with nd->exists false if only the last component is missing. */
int vfs_walk(struct task *t, int dirfd, const char *path, int flags, struct nameidata *nd);
void nd_release(struct nameidata *nd);
int vfs_open(struct task *t, int dirfd, const char *path, int flags, uint32_t mode, struct file **out);
int vfs_mount(const char *path, const struct fs_ops *ops, void *priv, const char *fstype,
	      const char *source);
int vfs_umount(const char *path);
struct mount *vfs_find_mount(const char *abs, const char **rel);
extern struct list_head mounts;
void kstat_to_stat(const struct kstat *k, struct linux_stat *st);
int file_getdents(struct file *f);   /* fill f->dents from readdir if not yet */

/* Filesystems */
int hostfs_mount(const char *guest_path, const char *host_dir, bool overlay);
extern const struct fs_ops tmpfs_ops;
void *tmpfs_new(uint32_t rootmode);
extern const struct fs_ops devfs_ops;
extern const struct fs_ops procfs_ops;
int sysfs_mount(const char *path);   /* fs/sysfs.c: the few /sys files userland reads */
/* pty.c: pseudo-terminals.  /dev/ptmx opens a new master (fstat shows
 * node); /dev/pts (devfs delegates its names, "ptmx" or "N") lists live
 * slaves; /dev/tty is the session's pty when it has one (else -ENXIO). */
int pty_open_ptmx(int flags, const char *path, const struct kstat *node, struct file **out);
int devpts_lookup(uint64_t dev, const char *name, struct kstat *st);
int devpts_open(struct task *t, uint64_t dev, const char *name, int flags, struct file **out);
int devpts_readdir(struct dir_entry **ents, size_t *n);
int pty_open_ctty(struct task *t, int flags, const char *path, const struct kstat *node,
		  struct file **out);
bool file_is_pty(struct file *f);
int pty_ctty_nr(struct task *t, int *tpgid);  /* /proc/PID/stat tty_nr, tpgid */
/* A regular in-memory (memfd-backed) file, used by tmpfs and the overlay. */

/* ---- pipes: pipe.c ---- */
int pipe_create(struct file **rd, struct file **wr, int flags);
int fifo_open(struct task *t, void **fifo_slot, int flags, const char *path, struct file **out);
long pipe_fcntl(struct file *f, unsigned int cmd, uint64_t arg); /* F_[GS]ETPIPE_SZ; -EBADF if no pipe */
void fifo_detach(void **fifo_slot);   /* FIFO inode freed while open */
/* tty/tty_jobctrl.c: job-control ioctls of a host tty; -ENOIOCTLCMD (515) for others */
long tty_ioctl(struct task *t, struct file *f, unsigned int cmd, uint64_t arg);

/* ---- poll: poll.c ---- */
struct poll_table {
	struct task *task;
	struct waiter w[64];
	int n;
	int hostfd;                   /* at most one host fd to wait on, or -1 */
	short hostevents;
};
void poll_wait(struct poll_table *pt, struct wait_queue *wq);
void poll_wait_host(struct poll_table *pt, int hostfd, short events);

/* ---- signals: signal.c ---- */
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
void force_sig_fault(struct task *t, const linux_siginfo_t *info);
/* Called on every return to user mode; may not return if the task dies. */
void do_signal(struct task *t, long syscall_ret);
bool signal_pending(struct task *t);
void flush_signal_handlers(struct task *t);       /* execve */
void siginfo_kill(linux_siginfo_t *si, int sig, int code, struct task *sender);
bool sig_ignored(struct task *t, int sig);
void signal_wake(struct task *t);              /* out of a sleep or guest code */
void wake_all_threads(struct thread_group *tg, struct task *except);
long futex_wake_addr(struct task *t, uint64_t uaddr, int n); /* CLONE_CHILD_CLEARTID */
void exit_robust_list(struct task *t);     /* thread exit: robust futexes */
void signal_child_exit(struct task *child);       /* SIGCHLD to parent */
/* Takes the lowest pending signal in mask (task's own queue first, then the
 * thread group's) without delivering it: signalfd(2), sigtimedwait(2).
 * Returns the signal number and fills info, or 0 if none is pending. */
int signal_dequeue_masked(struct task *t, linux_sigset_t mask, linux_siginfo_t *info);
/* Signals pending for t (own and shared), blocked or not. */
linux_sigset_t signal_pending_set(struct task *t);
int set_user_sigmask(struct task *t, uint64_t umask, uint64_t size);
void restore_saved_sigmask_unless(struct task *t, bool interrupted);

/* ---- processes and threads: task.c, exit.c ---- */
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
	int vfork_done;               /* parent waits while 0 */
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
void task_cpu_times(struct task *t, int64_t *utime_ns, int64_t *stime_ns);
void guest_finished(int status);
void task_count_live(void);       /* run_init's task starts counting as live */
void vfork_release(struct task *t); /* wake a vfork parent (execve, exit) */  /* the last task is gone: status for umk's exit */
/* The first process: returns its wait status when the guest is done. */
int run_init(const char *path, char **argv, char **envp, const char *cwd);

/* ---- syscall dispatch: syscall.c ---- */
void syscall_enter(struct task *t);
/* t's syscall trapped (not a patched site): count its site, and have
 * the platform patch it once it is hot (platform->patch_syscall). */
void syscall_site_trapped(struct task *t);
extern FILE *strace_out;
void strace_syscall(struct task *t, const struct sysargs *a, long ret, const char *pre);

/* ---- kernel timers: ktimer.c ---- */
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

/* ---- file hooks run by the last file_put before ops->release ---- */
void epoll_file_release(struct file *f);   /* epoll.c: f leaves every epoll set */
void locks_file_release(struct file *f);   /* locks.c: flock and OFD locks of f */
/* locks.c: close(2) of an fd of f by t: t's process drops its POSIX locks on f's inode */
void locks_remove_posix(struct task *t, struct file *f);
/* locks.c: every POSIX lock of process tgid (call at process exit) */
void locks_exit(int tgid);
long locks_flock(struct task *t, struct file *f, int op);
long locks_fcntl(struct task *t, struct file *f, int cmd, uint64_t arg);

/* ---- pipe helpers for splice(2) and tee(2): pipe.c ---- */
bool file_is_pipe(struct file *f);
/* Waits for data in read end f (unless nonblock or O_NONBLOCK) and copies
 * up to n bytes without consuming them: count, 0 at EOF, -EAGAIN,
 * -ERESTARTSYS, -EBADF. */
ssize_t pipe_peek(struct task *t, struct file *f, void *buf, size_t n, bool nonblock);
void pipe_consume(struct file *f, size_t n);   /* drops n bytes (after a peek) */
/* pipe_write with SPLICE_F_NONBLOCK: nonblock overrides O_NONBLOCK */
ssize_t pipe_write_nb(struct task *t, struct file *f, const void *buf, size_t n, bool nonblock);

/* ---- global configuration: main.c ---- */
struct umk_config {
	const char *rootfs;
	const char *platform;
	bool rw;
	bool verbose;
	const char *strace_path;
	const char *hostname;
	const char *cwd;
	char **env;
	int nenv;
	char **argv;
};
extern struct umk_config cfg;
extern struct linux_rlimit host_rlimits[LINUX_RLIM_NLIMITS]; /* umk's limits at start-up */
extern char guest_hostname[65], guest_domainname[65];

#endif
