/*
 * ipc/ipc.h - the IPC subsystem's interface: SysV shared memory (shm.c),
 * semaphores (sem.c) and message queues (msg.c) over the id tables and
 * permission rules of util.c, and POSIX message queues (mqueue.c) with
 * their mqueue filesystem, all kept per IPC namespace as Linux's ipc/.
 *
 * In a nutshell: every guest starts in init_ipc_ns; a task reaches its
 * namespace (its nsproxy's) through task_ipc_ns().  An object is found by its id (index
 * in the table plus a sequence number, as Linux's ipc_buildid) or by its
 * key; its struct kern_ipc_perm carries owner, creator and mode, checked
 * by ipcperms() as Linux's.  Sleepers (semop, msgsnd/msgrcv, mq_send and
 * mq_receive) wait in task_sleep and are woken by whoever changes the
 * object, or with -EIDRM when it is removed.
 *
 * Hooks other subsystems call: ipc_fork() and ipc_exit() from
 * kernel/process.c (SEM_UNDO lists: shared with CLONE_SYSVSEM, applied at
 * exit), ipc_ns_release() when a namespace goes, ipc_proc_read/write
 * for /proc/sys and /proc/sysvipc (fs/procfs.c), mqueue_fs_ops for mounts
 * of the mqueue filesystem.
 *
 * Lock: klock, held by every caller.
 */
#ifndef UMK_IPC_H
#define UMK_IPC_H

#include "../kernel.h"
#include "../fs/fs.h"

/* Linux's numbers (include/uapi/linux/ipc.h, shm.h, sem.h, msg.h). */
#define L_IPC_PRIVATE   0
#define L_IPC_CREAT     01000
#define L_IPC_EXCL      02000
#define L_IPC_NOWAIT    04000
#define L_IPC_RMID      0
#define L_IPC_SET       1
#define L_IPC_STAT      2
#define L_IPC_INFO      3
#define L_SHM_RDONLY    010000
#define L_SHM_RND       020000
#define L_SHM_REMAP     040000
#define L_SHM_EXEC      0100000
#define L_SHM_HUGETLB   04000
#define L_SHM_NORESERVE 010000
#define L_SHM_LOCK      11
#define L_SHM_UNLOCK    12
#define L_SHM_STAT      13
#define L_SHM_INFO      14
#define L_SHM_STAT_ANY  15
#define L_SHM_DEST      01000   /* mode: removed, destroyed at the last detach */
#define L_SHM_LOCKED    02000   /* mode: SHM_LOCK */
#define L_SEM_UNDO      0x1000
#define L_GETPID        11
#define L_GETVAL        12
#define L_GETALL        13
#define L_GETNCNT       14
#define L_GETZCNT       15
#define L_SETVAL        16
#define L_SETALL        17
#define L_SEM_STAT      18
#define L_SEM_INFO      19
#define L_SEM_STAT_ANY  20
#define L_MSG_STAT      11
#define L_MSG_INFO      12
#define L_MSG_STAT_ANY  13
#define L_MSG_NOERROR   010000
#define L_MSG_EXCEPT    020000
#define L_MSG_COPY      040000

#define S_IRUGO         0444    /* Linux's names for the ipcperms() flags */
#define S_IWUGO         0222
#define S_IXUGO         0111

#define IPCMNI          32768   /* ids per table; id = seq * IPCMNI + index */
#define SEMVMX          32767
#define SEMAEM          SEMVMX

/* The common part of every SysV object (Linux's struct kern_ipc_perm). */
struct kern_ipc_perm {
	int id;                       /* seq * IPCMNI + index */
	int32_t key;
	uint32_t uid, gid, cuid, cgid;
	uint32_t mode;                /* 0777 bits plus SHM_DEST/SHM_LOCKED */
	uint16_t seq;
	bool deleted;
};

/* One id table (Linux's struct ipc_ids): a slot per index. */
struct ipc_ids {
	int in_use;
	int seq;                      /* sequence number of new ids */
	int last_idx;                 /* index given last (-1: none yet) */
	int next_idx;                 /* where the cyclic search starts (idr_next) */
	int max_idx;                  /* highest index in use, -1 if none */
	int next_id;                  /* kernel/{shm,msg,sem}_next_id: the id of the next object, -1 none */
	int cap;                      /* slots allocated */
	struct kern_ipc_perm **slots;
};
enum { IPC_SEM_IDS, IPC_MSG_IDS, IPC_SHM_IDS };

struct mqueue_fs;
/* An IPC namespace (kernel/nsproxy.c makes them for CLONE_NEWIPC and
 * frees them, calling ipc_ns_release() for what this subsystem keeps);
 * the limits are set at first use (ipc_ns_ready). */
struct ipc_namespace {
	int refs;
	struct user_namespace *user_ns;
	unsigned int inum;
	bool ready;                   /* the fields below are set */
	struct ipc_ids ids[3];
	/* semaphores: /proc/sys/kernel/sem */
	int sc_semmsl, sc_semmns, sc_semopm, sc_semmni;
	int used_sems;
	/* messages */
	unsigned msg_ctlmax, msg_ctlmnb, msg_ctlmni;
	uint64_t msg_bytes, msg_hdrs;
	/* shared memory */
	uint64_t shm_ctlmax, shm_ctlall, shm_tot;   /* shm_ctlall and shm_tot in pages */
	int shm_ctlmni, shm_rmid_forced;
	/* POSIX message queues: /proc/sys/fs/mqueue */
	struct mqueue_fs *mq;
	int mq_queues_count, mq_queues_max;
	int mq_msg_max, mq_msgsize_max, mq_msg_default, mq_msgsize_default;
};
extern struct ipc_namespace init_ipc_ns;

/* The namespace of task t (its nsproxy's; init_ipc_ns without one),
 * ready for use. */
struct ipc_namespace *task_ipc_ns(struct task *t);
/* ipc_ns_release - the last reference to ns went: every object in it
 * goes (Linux's free_ipc_ns); the caller frees ns itself. */
void ipc_ns_release(struct ipc_namespace *ns);
void put_ipc_ns(struct ipc_namespace *ns);   /* kernel/nsproxy.c's, or util.c's weak one */

/* kernel/process.c: child c of parent p (clone flags: CLONE_SYSVSEM
 * shares the SEM_UNDO list); t's exit applies it. */
void ipc_fork(struct task *c, struct task *p, uint64_t flags);
void ipc_exit(struct task *t);

/* /proc/sys/NAME and /proc/NAME texts of the subsystem: NAME one of
 * "kernel/shmmax", "kernel/sem", "fs/mqueue/msg_max", "sysvipc/shm"...
 * ipc_proc_read fills *text (malloc'd); -ENOENT for a name not ours.
 * ipc_proc_write parses a write as Linux's sysctl handlers do: -EINVAL
 * for a malformed or out-of-range value, -EPERM without privilege. */
int ipc_proc_read(struct task *t, const char *name, char **text);
int ipc_proc_write(struct task *t, const char *name, const char *buf, size_t n);

/* ---- util.c: ids, keys and permissions, for shm.c, sem.c, msg.c ---- */
struct ipc_ops {
	/* creates the object for key (under the table's limits): its id or -errno */
	int (*getnew)(struct task *t, struct ipc_namespace *ns, int32_t key, int flg, uint64_t arg);
	/* an existing object asked for again (shmget's size, semget's nsems) */
	int (*more_checks)(struct kern_ipc_perm *p, uint64_t arg);
};
/* ipcget - the get calls: by key (or IPC_PRIVATE), with IPC_CREAT and
 * IPC_EXCL.  -ENOENT, -EEXIST, -EACCES, or what getnew returns. */
int ipcget(struct task *t, struct ipc_namespace *ns, int which, const struct ipc_ops *ops,
	   int32_t key, int flg, uint64_t arg);
/* ipc_addid - gives new an index and an id (cyclic, as Linux's
 * ipc_idr_alloc), owner and creator from t's euid/egid.  -ENOSPC past
 * limit objects. */
int ipc_addid(struct task *t, struct ipc_ids *ids, struct kern_ipc_perm *new, int limit);
void ipc_rmid(struct ipc_ids *ids, struct kern_ipc_perm *p);
/* The object with id (index and sequence must match): -EINVAL if none. */
struct kern_ipc_perm *ipc_obtain_check(struct ipc_ids *ids, int id);
/* The object at index idx (SHM_STAT/SEM_STAT/MSG_STAT): -EINVAL if none. */
struct kern_ipc_perm *ipc_obtain_idx(struct ipc_ids *ids, int idx);
/* ipcperms - 0 if t may access p for flag (S_IRUGO/S_IWUGO bits), -1 if not. */
int ipcperms(struct task *t, struct kern_ipc_perm *p, int flag);
/* IPC_SET/IPC_RMID: *out the object if t is its owner, creator or root:
 * 0, -EINVAL (no such id), -EPERM. */
int ipcctl_obtain_check(struct task *t, struct ipc_ids *ids, int id, struct kern_ipc_perm **out);
/* IPC_SET: owner and mode bits from in (ids in t's user namespace):
 * 0, or -EINVAL for an id it does not map. */
int ipc_update_perm(struct task *t, const struct linux_ipc64_perm *in, struct kern_ipc_perm *out);
/* IPC_STAT: the perm as t sees it (ids mapped into its user namespace). */
void kernel_to_ipc64_perm(struct task *t, const struct kern_ipc_perm *in,
			  struct linux_ipc64_perm *out);
uint32_t ipc_uid_vnr(struct task *t, uint32_t kuid);   /* from_kuid_munged in t's user ns */
uint32_t ipc_gid_vnr(struct task *t, uint32_t kgid);
int ipc_get_maxidx(struct ipc_ids *ids);
bool ipc_capable(struct task *t, int cap);   /* capable(t, cap); true without a task */
int64_t ipc_now(void);              /* ktime_get_real_seconds() */

/* Per-kind hooks of util.c's namespace code and /proc texts. */
void shm_exit_ns(struct ipc_namespace *ns);
void sem_exit_ns(struct ipc_namespace *ns);
void msg_exit_ns(struct ipc_namespace *ns);
void mq_exit_ns(struct ipc_namespace *ns);
void sysvipc_shm_show(struct ipc_namespace *ns, FILE *out);
void sysvipc_sem_show(struct ipc_namespace *ns, FILE *out);
void sysvipc_msg_show(struct ipc_namespace *ns, FILE *out);
void exit_sem(struct task *t);

/* ---- sem.c: SEM_UNDO lists ---- */
struct sem_undo_list {
	int refs;                     /* tasks sharing it (CLONE_SYSVSEM) */
	struct list_head list_proc;   /* struct sem_undo */
};

/* ---- mqueue.c ---- */
extern const struct fs_ops mqueue_fs_ops;
/* mounts the mqueue filesystem of t's namespace at path (boot: /dev/mqueue). */
int mqueue_mount(struct task *t, const char *path);
/* registers the "mqueue" type with mount(2) (fs/namespace.c), at start-up */
void mqueue_register(void);

/* ---- net/netlink_mq.c: the socket mq_notify(SIGEV_THREAD) writes to ----
 * netlink_mq_check: 0 if f is a netlink socket, else -ENOTSOCK (no
 * socket) or -EINVAL (another family), as netlink_getsockbyfilp.
 * netlink_mq_deliver: queues len bytes on f as a datagram from the
 * kernel (netlink_sendskb). */
int netlink_mq_check(struct file *f);
void netlink_mq_deliver(struct file *f, const void *data, size_t len);

#endif
