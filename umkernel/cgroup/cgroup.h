/*
 * cgroup.h - control groups, version 2 (Linux's kernel/cgroup/ and
 * Documentation/admin-guide/cgroup-v2.rst): one hierarchy per umk
 * instance, shown by the cgroup2 filesystem (mounted at /sys/fs/cgroup
 * at boot, and wherever a guest mounts -t cgroup2), membership per task
 * inherited by fork, and the cpu, memory and pids controllers
 * (memcontrol.c).
 *
 * Lock: klock, held by every caller.
 */
#ifndef UMK_CGROUP_H
#define UMK_CGROUP_H

#include "../kernel.h"
#include "../fs/fs.h"

/* Each entry of a list (no removal while walking). */
#define cg_list_each(p, head) for ((p) = (head)->next; (p) != (head); (p) = (p)->next)

/* The controllers, in Linux's order (cgroup_subsys ids). */
enum { CG_CPU, CG_MEMORY, CG_PIDS, CG_NR };
#define CG_MAX INT64_MAX       /* "max" */

struct cgroup {
	int refs;                     /* its parent's link, tasks, open files, mounts, namespaces */
	char name[256];
	struct cgroup *parent;        /* NULL for the root */
	struct list_head children;    /* struct cgroup.sibling */
	struct list_head sibling;
	uint64_t ino;                 /* its directory's; its files are ino + 1 + index */
	bool dead;                    /* removed (rmdir) */
	bool freeze;                  /* cgroup.freeze: 1 (it and its subtree park) */
	uint32_t subtree_control;     /* 1 << CG_*: enabled for its children */
	int nr_tasks;                 /* live tasks in it */
	int nr_subtree_tasks;         /* in it and its descendants (populated, pids.current) */
	int nr_descendants;
	int64_t max_depth, max_descendants;   /* CG_MAX: "max" */
	uint32_t mode, uid, gid;      /* its directory; files follow uid/gid */
	struct linux_timespec mtime;
	/* memory (memcontrol.c): limits in bytes, CG_MAX for "max" */
	int64_t mem_min, mem_low, mem_high, mem_max, swap_high, swap_max;
	uint64_t mem_peak, swap_current;
	uint64_t ev_high, ev_max, ev_oom, ev_oom_kill, swap_ev_max, swap_ev_fail;
	bool oom_group;
	/* pids */
	int64_t pids_max;
	uint64_t pids_peak, pids_ev_max;
	/* cpu: stored and read back (umk has no group scheduler); cpu_weight
	 * holds the shares (1024 = cpu.weight 100) as Linux's tg->shares */
	int64_t cpu_weight, cpu_max_quota, cpu_max_period, cpu_max_burst, cpu_idle;
	int64_t exited_utime_ns, exited_stime_ns;   /* of tasks that exited in it */
};

extern struct cgroup cgrp_root;
/* How many cgroups there are (the root and its live descendants). */
int cgroup_count(void);
extern const struct fs_ops cgroup_fs_ops;

struct cgroup *cgroup_get(struct cgroup *cg);
void cgroup_put(struct cgroup *cg);
/* The task's cgroup (the root for a task made before the hierarchy). */
struct cgroup *task_cgroup(struct task *t);
/* The root of a cgroup namespace (the hierarchy's for the initial one). */
struct cgroup *cgroup_ns_root(const struct cgroup_namespace *ns);

/* cgroup_register - makes "cgroup2" a type mount(2) knows; cgroup_boot_mount
 * mounts it at path (/sys/fs/cgroup) as systemd does.  0 or -errno. */
void cgroup_register(void);
int cgroup_boot_mount(const char *path);

/*
 * Fork (kernel_clone): cgroup_can_fork picks the child's cgroup - the
 * parent's, or with CLONE_INTO_CGROUP the directory open as cgroup_fd
 * (-EBADF: no such fd, or not a cgroup2 directory; -ENODEV: removed;
 * -EBUSY: it has controllers enabled for children; -EOPNOTSUPP: a thread
 * into another cgroup) - and refuses past a pids.max on the way up
 * (-EAGAIN).  *target gets a reference that cgroup_fork hands to the
 * child or cgroup_cancel_fork drops.  Mirrors cgroup_css_set_fork and
 * pids_can_fork.
 */
int cgroup_can_fork(struct task *parent, uint64_t flags, bool into, uint64_t cgroup_fd,
		    struct cgroup **target);
void cgroup_fork(struct task *child, struct cgroup *target);
void cgroup_cancel_fork(struct cgroup *target);
void cgroup_exit(struct task *t);      /* do_exit: t no longer counts in its cgroup */
void cgroup_release(struct task *t);   /* release_task: drops t's reference */
/* Whether t's cgroup or an ancestor has cgroup.freeze 1: t parks on
 * its way back to guest code (debug/freeze.c's park, as `umk ctl freeze`). */
bool cgroup_task_frozen(struct task *t);
/* Moves t (one task) to cg, fixing the counts. */
void cgroup_move_task(struct task *t, struct cgroup *cg);

/* /proc/PID/cgroup ("0::PATH\n", PATH as viewer's cgroup namespace sees
 * it) and the root field of a cgroup2 mount's mountinfo line. */
void cgroup_proc_show(struct task *viewer, struct task *tk, char *buf, size_t n);
bool cgroup_mount_root(struct task *viewer, const struct mount *m, char *buf, size_t n);
/* The path of cg as seen from root ("/" for root itself, "/.." up). */
void cgroup_path_from(const struct cgroup *root, const struct cgroup *cg, char *buf, size_t n);

/* ---- memcontrol.c ---- */
/* Bytes charged to cg: the resident pages of the address spaces of the
 * tasks in it and below (approximate: the host's count of the stubs'
 * pages, file pages included, shared pages counted in each mm). */
uint64_t mem_cgroup_usage(struct cgroup *cg, uint64_t *anon, uint64_t *file);
/* After t grew its address space (brk, mmap, mremap): memory.max of
 * t's cgroup and its ancestors enforced - droppable pages are dropped,
 * then the excess goes to swap while swap areas and memory.swap.max
 * allow, then the largest process is killed (memory.events oom_kill). */
void mem_cgroup_check(struct task *t);
/* At syscall entry of a task whose mm was asked to drop its
 * MAP_DROPPABLE pages (t is its owner, so the stub can do it). */
void mem_cgroup_reclaim(struct task *t);
/* The files of the cpu, memory and pids controllers. */
struct cbuf;
struct cftype {
	const char *name;
	int ctrl;                     /* CG_*, or -1 for the core files */
	int flags;                    /* CFT_* */
	void (*show)(struct task *t, struct cgroup *cg, struct cbuf *b);
	int (*write)(struct task *t, struct cgroup *cg, char *buf);   /* buf stripped, NUL-ended */
};
#define CFT_NOT_ON_ROOT  1
#define CFT_ONLY_ON_ROOT 2
extern const struct cftype memcg_files[];
extern const size_t memcg_nfiles;
struct cbuf { char *p; size_t len, cap; };
void cb_printf(struct cbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A "max"-or-number value: bytes (memparse's K/M/G suffixes) when
 * bytes, else a plain integer; -EINVAL if malformed. */
int cg_parse_max(const char *s, bool bytes, int64_t *out);
void cg_show_max(struct cbuf *b, int64_t v);
/* Subtree walk over live tasks: fn for each task in cg or below. */
void cgroup_for_each_task(struct cgroup *cg, void (*fn)(struct task *t, void *arg), void *arg);
bool cgroup_is_descendant(const struct cgroup *cg, const struct cgroup *ancestor);

#endif
