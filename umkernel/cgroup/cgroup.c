/*
 * cgroup.c - the cgroup v2 hierarchy and its filesystem (Linux's
 * kernel/cgroup/cgroup.c; Documentation/admin-guide/cgroup-v2.rst).
 *
 * In a nutshell: one tree of struct cgroup per umk instance, rooted at
 * cgrp_root.  Every task points at its cgroup (t->cgroup, a reference);
 * a child gets its parent's, or the one CLONE_INTO_CGROUP names, and a
 * write of a pid to cgroup.procs moves all its threads.  The counts of
 * live tasks per cgroup and per subtree give cgroup.events' populated
 * and pids.current.  The cgroup2 filesystem shows the tree: a directory
 * per cgroup, mkdir and rmdir make and remove cgroups, and the files of
 * the core (cgroup.*) and of the controllers enabled by the parent's
 * cgroup.subtree_control (memcontrol.c's cpu.*, memory.*, pids.*).  A
 * mount shows the tree from the root of the mounter's cgroup namespace,
 * and /proc/PID/cgroup names a task's cgroup from the viewer's.
 *
 * Rules kept as Linux's: the no-internal-process rule (a non-root
 * cgroup with controllers enabled for its children takes no processes,
 * and one with processes enables no domain controller: memory), a
 * controller is enabled only if the parent has it and disabled only if
 * no child uses it, rmdir refuses a populated cgroup or one with
 * children, cgroup.max.depth/descendants.  Not done: threaded cgroups
 * (cgroup.type is "domain"; writing "threaded" gives EOPNOTSUPP),
 * the pressure files, poll(POLLPRI) on cgroup.events (inotify is
 * told), and the delegation checks of cgroup.procs writes beyond the
 * file's own permission.  cgroup.freeze parks the subtree's threads
 * through debug/freeze.c's park (a thread asleep in a syscall parks when
 * it wakes, and counts as frozen meanwhile).
 *
 * Lock: klock, held by every caller.
 */
#include "cgroup.h"
#include "../fs/tmpfs.h"
#include "../fs/notify.h"
#include "../kernel/task.h"
#include "../debug/debug.h"
#include "../../tracer/platform.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CGROUP2_SUPER_MAGIC 0x63677270

static const char *const ctrl_names[CG_NR] = { "cpu", "memory", "pids" };
#define CG_ALL ((1u << CG_NR) - 1)
#define CG_DOMAIN (1u << CG_MEMORY)   /* the controllers that are not threaded */

static uint64_t next_ino = 1;
static uint64_t cgrp_dev;             /* st_dev of every cgroup2 mount (one hierarchy) */

static void cgroup_defaults(struct cgroup *cg)
{
	list_init(&cg->children);
	cg->max_depth = cg->max_descendants = CG_MAX;
	cg->mem_high = cg->mem_max = cg->swap_high = cg->swap_max = CG_MAX;
	cg->pids_max = CG_MAX;
	cg->cpu_weight = 1024;   /* shares: cpu.weight 100 */
	cg->cpu_max_quota = CG_MAX;
	cg->cpu_max_period = 100000;
	cg->ino = next_ino;
	next_ino += 64;
	cg->mtime.tv_sec = (int64_t)(now_ns(0) / 1000000000ULL);
}

struct cgroup cgrp_root = { .refs = 1, .mode = 0755 };

static struct cgroup *root(void)
{
	if (!cgrp_root.ino)
		cgroup_defaults(&cgrp_root);
	return &cgrp_root;
}

int cgroup_count(void)
{
	return root()->nr_descendants + 1;
}

struct cgroup *cgroup_get(struct cgroup *cg)
{
	if (cg)
		cg->refs++;
	return cg;
}

void cgroup_put(struct cgroup *cg)
{
	if (cg && cg != &cgrp_root && --cg->refs == 0) {
		cgroup_put(cg->parent);
		free(cg);
	}
}

struct cgroup *task_cgroup(struct task *t)
{
	return t && t->cgroup ? t->cgroup : root();
}

struct cgroup *cgroup_ns_root(const struct cgroup_namespace *ns)
{
	return ns && ns->root ? ns->root : root();
}

bool cgroup_is_descendant(const struct cgroup *cg, const struct cgroup *ancestor)
{
	for (; cg; cg = cg->parent)
		if (cg == ancestor)
			return true;
	return false;
}

/* ---- text ---- */

void cb_printf(struct cbuf *b, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		size_t room = b->cap - b->len;
		va_start(ap, fmt);
		int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? room : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (b->p && (size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = b->cap * 2 + (size_t)n + 64;
		char *p = realloc(b->p, cap);
		if (!p)
			return;
		b->p = p;
		b->cap = cap;
	}
}

int cg_parse_max(const char *s, bool bytes, int64_t *out)
{
	char *end;
	if (!strcmp(s, "max")) {
		*out = CG_MAX;
		return 0;
	}
	if (*s == '-' || *s < '0' || *s > '9')
		return -EINVAL;
	unsigned long long n = strtoull(s, &end, 10);
	if (bytes) {
		int shift = 0;
		switch (*end) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		case 't': case 'T': shift = 40; break;
		}
		if (shift) {
			end++;
			n = n >= (1ULL << (63 - shift)) ? (unsigned long long)INT64_MAX : n << shift;
		}
	}
	if (*end)
		return -EINVAL;
	*out = n > (unsigned long long)INT64_MAX ? CG_MAX : (int64_t)n;
	return 0;
}

void cg_show_max(struct cbuf *b, int64_t v)
{
	if (v == CG_MAX)
		cb_printf(b, "max\n");
	else
		cb_printf(b, "%lld\n", (long long)v);
}

/* ---- paths ---- */

void cgroup_path_from(const struct cgroup *from, const struct cgroup *cg, char *buf, size_t n)
{
	const struct cgroup *common = from;
	size_t len = 0;
	while (common && !cgroup_is_descendant(cg, common))
		common = common->parent;
	buf[0] = 0;
	for (const struct cgroup *c = from; c && c != common; c = c->parent)
		len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "/..");
	/* the names from common down to cg */
	const struct cgroup *chain[256];
	int k = 0;
	for (const struct cgroup *c = cg; c && c != common && k < 256; c = c->parent)
		chain[k++] = c;
	while (k-- > 0)
		len += (size_t)snprintf(buf + (len < n ? len : n - 1), len < n ? n - len : 1, "/%s",
					chain[k]->name);
	if (!buf[0])
		snprintf(buf, n, "/");
}

void cgroup_proc_show(struct task *viewer, struct task *tk, char *buf, size_t n)
{
	struct cgroup *cg = task_cgroup(tk);
	struct cgroup *from = cgroup_ns_root(viewer && viewer->nsproxy ? viewer->nsproxy->cgroup_ns : NULL);
	char path[4096];
	cgroup_path_from(from, cg, path, sizeof path);
	snprintf(buf, n, "0::%s%s\n", path, cg->dead ? " (deleted)" : "");
}

bool cgroup_mount_root(struct task *viewer, const struct mount *m, char *buf, size_t n)
{
	if (!m || m->ops != &cgroup_fs_ops || !m->sb)
		return false;
	struct cgroup *from = cgroup_ns_root(viewer && viewer->nsproxy ? viewer->nsproxy->cgroup_ns : NULL);
	char path[4096];
	cgroup_path_from(from, m->sb->priv, path, sizeof path);
	if (m->root && *m->root)
		snprintf(buf, n, "%s/%s", strcmp(path, "/") ? path : "", m->root);
	else
		snprintf(buf, n, "%s", path);
	return true;
}

/* ---- membership ---- */

static void cg_stat(struct mount *m, struct cgroup *cg, const struct cftype *cft, struct kstat *st);
static const struct cftype *file_named(struct cgroup *cg, const char *name, size_t *index);

/* cgroup.events changed (cgroup_file_notify): IN_MODIFY to its watches,
 * named through the first cgroup2 mount of the current task's namespace
 * that shows cg. */
static void events_changed(struct cgroup *cg)
{
	struct mnt_namespace *ns = current ? current_mnt_ns() : NULL;
	const struct cftype *cft = file_named(cg, "cgroup.events", NULL);
	struct list_head *p;
	if (!ns || !cft)
		return;
	cg_list_each(p, &ns->mounts) {
		struct mount *m = list_entry(p, struct mount, link);
		struct cgroup *r = m->sb ? m->sb->priv : NULL;
		char rel[4096], abs[8192];
		struct kstat st;
		if (m->ops != &cgroup_fs_ops || !r || (m->root && *m->root) || !cgroup_is_descendant(cg, r))
			continue;
		cgroup_path_from(r, cg, rel, sizeof rel);
		snprintf(abs, sizeof abs, "%s%s/cgroup.events", strcmp(m->path, "/") ? m->path : "",
			 strcmp(rel, "/") ? rel : "");
		cg_stat(m, cg, cft, &st);
		fsnotify_path(abs, &st, IN_MODIFY_);
		return;
	}
}

static void count_tasks(struct cgroup *cg, int d)
{
	cg->nr_tasks += d;
	for (struct cgroup *c = cg; c; c = c->parent) {
		bool was = c->nr_subtree_tasks > 0;
		c->nr_subtree_tasks += d;
		if (was != (c->nr_subtree_tasks > 0) && c->parent)
			events_changed(c);
		if (d > 0 && (uint64_t)c->nr_subtree_tasks > c->pids_peak)
			c->pids_peak = (uint64_t)c->nr_subtree_tasks;
	}
}

void cgroup_move_task(struct task *t, struct cgroup *cg)
{
	struct cgroup *old = t->cgroup;
	if (old == cg)
		return;
	if (t->cgroup_live && old)
		count_tasks(old, -1);
	t->cgroup = cgroup_get(cg);
	if (t->cgroup_live)
		count_tasks(cg, +1);
	cgroup_put(old);
}

/* Whether cg could root a threaded subtree (cgroup_can_be_thread_root):
 * the root, or a cgroup with no populated child and no domain controller
 * enabled for its children (every child is a domain one here). */
static bool can_be_thread_root(const struct cgroup *cg)
{
	struct list_head *p;
	if (!cg->parent)
		return true;
	if (cg->subtree_control & CG_DOMAIN)
		return false;
	cg_list_each(p, &cg->children)
		if (list_entry(p, struct cgroup, sibling)->nr_subtree_tasks)
			return false;
	return true;
}

/* Whether processes may go into dst (cgroup_migrate_vet_dst): the
 * no-internal-process rule, past which -EBUSY. */
static int vet_dst(struct cgroup *dst)
{
	if (dst->dead)
		return -ENODEV;
	if (can_be_thread_root(dst))
		return 0;
	return dst->subtree_control ? -EBUSY : 0;
}

static struct file *fd_file_raw(struct task *t, int fd)
{
	return fd < 0 ? NULL : fd_get(t, fd);
}

static const struct file_ops cg_dir_ops;
int cgroup_walk(struct mount *m, const char *rel, struct cgroup **cgp, const struct cftype **cft);

/* The cgroup a file open on a cgroup2 directory shows (a reference) in
 * *out: -EBADF for another file, -ENOENT for a removed cgroup
 * (cgroup_get_from_file, css_tryget_online_from_dir). */
static int cgroup_from_file(struct file *f, struct cgroup **out)
{
	const char *rel;
	char buf[PATH_MAX];
	struct cgroup *cg;
	const struct cftype *cft = NULL;
	if (f && f->ops == &cg_dir_ops) {
		cg = f->priv;
		if (cg->dead)
			return -ENOENT;
		*out = cgroup_get(cg);
		return 0;
	}
	/* an O_PATH file: its name */
	if (!f || !f->mnt || f->mnt->ops != &cgroup_fs_ops || !f->path || f->path[0] != '/')
		return -EBADF;
	struct mount *m = vfs_find_mount_ns(file_mnt_ns(f), f->path, &rel, buf);
	if (!m || m->ops != &cgroup_fs_ops)
		return -EBADF;
	int err = cgroup_walk(m, rel, &cg, &cft);
	if (err)
		return -ENOENT;
	if (cft)
		return -EBADF;
	*out = cgroup_get(cg);
	return 0;
}

int cgroup_can_fork(struct task *parent, uint64_t flags, bool into, uint64_t cgroup_fd,
		    struct cgroup **target)
{
	struct cgroup *cg;
	*target = NULL;
	if (into) {
		struct file *f = fd_file_raw(parent, (int)cgroup_fd);
		if (!f)
			return -EBADF;
		int err = cgroup_from_file(f, &cg);
		file_put(f);
		if (err)
			return err;
		err = vet_dst(cg);
		if (!err && (flags & CLONE_THREAD) && cg != task_cgroup(parent))
			err = -EOPNOTSUPP;
		if (err) {
			cgroup_put(cg);
			return err;
		}
	} else {
		cg = cgroup_get(task_cgroup(parent));
	}
	/* pids_can_fork: one more task under every pids.max on the way up */
	for (struct cgroup *c = cg; c; c = c->parent)
		if (c->pids_max != CG_MAX && c->nr_subtree_tasks + 1 > c->pids_max) {
			c->pids_ev_max++;
			cgroup_put(cg);
			return -EAGAIN;
		}
	*target = cg;
	return 0;
}

void cgroup_fork(struct task *c, struct cgroup *target)
{
	c->cgroup = target ? target : cgroup_get(root());
	c->cgroup_live = true;
	count_tasks(c->cgroup, +1);
}

void cgroup_cancel_fork(struct cgroup *target)
{
	cgroup_put(target);
}

void cgroup_exit(struct task *t)
{
	if (!t->cgroup_live)
		return;
	int64_t u = 0, s = 0;
	task_cpu_times(t, &u, &s);
	struct cgroup *cg = task_cgroup(t);
	cg->exited_utime_ns += u;
	cg->exited_stime_ns += s;
	t->cgroup_live = false;
	if (t->cgroup)
		count_tasks(t->cgroup, -1);
}

void cgroup_release(struct task *t)
{
	cgroup_exit(t);
	cgroup_put(t->cgroup);
	t->cgroup = NULL;
}

void cgroup_for_each_task(struct cgroup *cg, void (*fn)(struct task *t, void *arg), void *arg)
{
	struct list_head *p, *n;
	list_for_each_safe(p, n, &all_tasks) {
		struct task *t = list_entry(p, struct task, all);
		if (t->cgroup_live && cgroup_is_descendant(task_cgroup(t), cg))
			fn(t, arg);
	}
}

/* ---- core files ---- */

static void ctrl_list(struct cbuf *b, uint32_t mask)
{
	bool first = true;
	for (int i = 0; i < CG_NR; i++)
		if (mask & (1u << i)) {
			cb_printf(b, "%s%s", first ? "" : " ", ctrl_names[i]);
			first = false;
		}
	if (!first)
		cb_printf(b, "\n");   /* nothing at all for none (cgroup_print_ss_mask) */
}

static uint32_t controllers_of(const struct cgroup *cg)
{
	return cg->parent ? cg->parent->subtree_control : CG_ALL;
}

static void show_controllers(struct task *t, struct cgroup *cg, struct cbuf *b)
{
	(void)t;
	ctrl_list(b, controllers_of(cg));
}

static void show_subtree_control(struct task *t, struct cgroup *cg, struct cbuf *b)
{
	(void)t;
	ctrl_list(b, cg->subtree_control);
}

/* "+memory -pids": all or nothing (cgroup_subtree_control_write). */
static int write_subtree_control(struct task *t, struct cgroup *cg, char *buf)
{
	uint32_t enable = 0, disable = 0;
	char *save = NULL;
	(void)t;
	for (char *tok = strtok_r(buf, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
		int i;
		for (i = 0; i < CG_NR; i++)
			if (!strcmp(tok + 1, ctrl_names[i]))
				break;
		if (i == CG_NR || (*tok != '+' && *tok != '-'))
			return -EINVAL;
		if (*tok == '+') {
			enable |= 1u << i;
			disable &= ~(1u << i);
		} else {
			disable |= 1u << i;
			enable &= ~(1u << i);
		}
	}
	if (cg->dead)
		return -ENODEV;
	enable &= ~cg->subtree_control;
	disable &= cg->subtree_control;
	if (enable & ~controllers_of(cg))
		return -ENOENT;
	/* a controller a child has enabled for its own children stays */
	struct list_head *p;
	cg_list_each(p, &cg->children) {
		struct cgroup *c = list_entry(p, struct cgroup, sibling);
		if (c->subtree_control & disable)
			return -EBUSY;
	}
	/* no internal processes (cgroup_vet_subtree_control_enable): a domain
	 * controller needs a cgroup without tasks, a threaded one (cpu, pids)
	 * one that could root a threaded subtree */
	if (enable && cg->parent && !((enable & CG_DOMAIN) == 0 && can_be_thread_root(cg)) &&
	    cg->nr_tasks)
		return -EBUSY;
	cg->subtree_control = (cg->subtree_control | enable) & ~disable;
	return 0;
}

bool cgroup_task_frozen(struct task *t)
{
	if (!t->cgroup_live)
		return false;
	for (struct cgroup *c = task_cgroup(t); c; c = c->parent)
		if (c->freeze)
			return true;
	return false;
}

static bool effective_freeze(const struct cgroup *cg)
{
	for (; cg; cg = cg->parent)
		if (cg->freeze)
			return true;
	return false;
}

static void not_parked(struct task *t, void *arg)
{
	/* parked, or asleep in the kernel (it parks when it wakes) */
	if (!t->frozen && t->state != TASK_SLEEPING)
		*(bool *)arg = false;
}

static void show_events(struct task *t, struct cgroup *cg, struct cbuf *b)
{
	bool frozen = effective_freeze(cg);
	(void)t;
	if (frozen)
		cgroup_for_each_task(cg, not_parked, &frozen);
	cb_printf(b, "populated %d\nfrozen %d\n", cg->nr_subtree_tasks > 0, frozen);
}

static void show_freeze(struct task *t, struct cgroup *cg, struct cbuf *b)
{
	(void)t;
	cb_printf(b, "%d\n", cg->freeze);
}

static void kick_task(struct task *t, void *arg)
{
	(void)arg;
	if (t->state == TASK_RUNNING_USER && t->host)
		platform->kick(t->host);
}

static void set_freeze(struct cgroup *cg, bool on)
{
	if (cg->freeze == on)
		return;
	cg->freeze = on;
	debug_freeze_pending += on ? 1 : -1;   /* the task loop looks at debug_freeze_park */
	if (on)
		cgroup_for_each_task(cg, kick_task, NULL);
	else
		debug_freeze_recheck();
}

/* cgroup.freeze: "1" parks the subtree's tasks, "0" lets them go
 * (cgroup_freeze_write: kstrtoint, other numbers ERANGE) */
static int write_freeze(struct task *t, struct cgroup *cg, char *buf)
{
	char *end;
	long v = strtol(buf, &end, 0);
	(void)t;
	if (!*buf || *end)
		return -EINVAL;
	if (v < 0 || v > 1)
		return -ERANGE;
	set_freeze(cg, v);
	return 0;
}

static void show_type(struct task *t, struct cgroup *cg, struct cbuf *b)
{
	(void)t, (void)cg;
	cb_printf(b, "domain\n");
}

static int write_type(struct task *t, struct cgroup *cg, char *buf)
{
	(void)t, (void)cg;
	return strcmp(buf, "threaded") ? -EINVAL : -EOPNOTSUPP;
}

/* cgroup.procs and cgroup.threads: pids of the reader's namespace. */
static void list_tasks(struct task *r, struct cgroup *cg, struct cbuf *b, bool threads)
{
	struct list_head *p, *q;
	cg_list_each(p, &all_tasks) {
		struct task *t = list_entry(p, struct task, all);
		if (!t->cgroup_live || task_cgroup(t) != cg || !t->tg)
			continue;
		if (!threads) {
			/* a process once: at its first live thread in cg */
			bool seen = false;
			cg_list_each(q, &all_tasks) {
				struct task *o = list_entry(q, struct task, all);
				if (o == t)
					break;
				if (o->tg == t->tg && o->cgroup_live && task_cgroup(o) == cg) {
					seen = true;
					break;
				}
			}
			if (seen)
				continue;
		}
		int nr = threads ? task_pid_vnr(r, t) : task_tgid_vnr(r, t->tg->leader);
		if (nr > 0)
			cb_printf(b, "%d\n", nr);
	}
}

static void show_procs(struct task *t, struct cgroup *cg, struct cbuf *b)
{
	list_tasks(t, cg, b, false);
}

static void show_threads(struct task *t, struct cgroup *cg, struct cbuf *b)
{
	list_tasks(t, cg, b, true);
}

static int parse_pid(const char *buf, int *pid)
{
	char *end;
	long v = strtol(buf, &end, 0);   /* kstrtoint(buf, 0) */
	if (!*buf || *end || v < 0 || v > INT32_MAX)
		return -EINVAL;
	*pid = (int)v;
	return 0;
}

/* __cgroup_procs_write: one pid (0: the writer); the whole process. */
static int write_procs(struct task *w, struct cgroup *cg, char *buf)
{
	int pid, err = parse_pid(buf, &pid);
	if (err)
		return err;
	struct task *t = pid ? find_task_by_vpid(w, pid) : w;
	if (!t || !t->tg || t->state == TASK_ZOMBIE || t->state == TASK_DEAD)
		return -ESRCH;
	if ((err = vet_dst(cg)))
		return err;
	struct list_head *p;
	cg_list_each(p, &t->tg->threads) {
		struct task *o = list_entry(p, struct task, thread_node);
		cgroup_move_task(o, cg);
	}
	cgroup_move_task(t->tg->leader, cg);   /* a zombie leader too */
	return 0;
}

/* A thread moves only within its process's cgroup here (no threaded
 * subtrees): elsewhere EOPNOTSUPP, as Linux for a domain cgroup. */
static int write_threads(struct task *w, struct cgroup *cg, char *buf)
{
	int tid, err = parse_pid(buf, &tid);
	if (err)
		return err;
	struct task *t = tid ? find_task_by_vpid(w, tid) : w;
	if (!t || t->state == TASK_ZOMBIE || t->state == TASK_DEAD)
		return -ESRCH;
	if ((err = vet_dst(cg)))
		return err;
	if (task_cgroup(t) != cg)
		return -EOPNOTSUPP;
	return 0;
}

static void kill_one(struct task *t, void *arg)
{
	(void)arg;
	send_signal(t, SIGKILL, NULL, true);
}

/* cgroup.kill: "1" kills every process of the subtree (cgroup_kill). */
static int write_kill(struct task *t, struct cgroup *cg, char *buf)
{
	char *end;
	long v = strtol(buf, &end, 0);
	(void)t;
	if (!*buf || *end)
		return -EINVAL;   /* kstrtoint */
	if (v != 1)
		return -ERANGE;
	cgroup_for_each_task(cg, kill_one, NULL);
	return 0;
}

/* "max" or kstrtoint(buf, 0): negative is ERANGE (cgroup_max_depth_write) */
static int parse_limit(const char *buf, int64_t *v)
{
	char *end;
	if (!strcmp(buf, "max")) {
		*v = CG_MAX;
		return 0;
	}
	errno = 0;
	long long n = strtoll(buf, &end, 0);
	if (!*buf || *end)
		return -EINVAL;
	if (errno || n > INT32_MAX || n < INT32_MIN)
		return -ERANGE;
	if (n < 0)
		return -ERANGE;
	*v = n;
	return 0;
}

static void show_max_depth(struct task *t, struct cgroup *cg, struct cbuf *b)
{
	(void)t;
	cg_show_max(b, cg->max_depth);
}

static int write_max_depth(struct task *t, struct cgroup *cg, char *buf)
{
	(void)t;
	int64_t v;
	int err = parse_limit(buf, &v);
	if (!err)
		cg->max_depth = v;
	return err;
}

static void show_max_descendants(struct task *t, struct cgroup *cg, struct cbuf *b)
{
	(void)t;
	cg_show_max(b, cg->max_descendants);
}

static int write_max_descendants(struct task *t, struct cgroup *cg, char *buf)
{
	(void)t;
	int64_t v;
	int err = parse_limit(buf, &v);
	if (!err)
		cg->max_descendants = v;
	return err;
}

/* Cgroups of cg's subtree (cg included) with controller i. */
static int nr_css(const struct cgroup *cg, int i)
{
	struct list_head *p;
	int n = (controllers_of(cg) >> i) & 1;
	cg_list_each(p, &cg->children)
		n += nr_css(list_entry(p, struct cgroup, sibling), i);
	return n;
}

/* cgroup_stat_show: the live and dying (none here) counts */
static void show_stat(struct task *t, struct cgroup *cg, struct cbuf *b)
{
	(void)t;
	cb_printf(b, "nr_descendants %d\n", cg->nr_descendants);
	for (int i = 0; i < CG_NR; i++)
		cb_printf(b, "nr_subsys_%s %d\n", ctrl_names[i], nr_css(cg, i));
	cb_printf(b, "nr_dying_descendants 0\n");
	for (int i = 0; i < CG_NR; i++)
		cb_printf(b, "nr_dying_subsys_%s 0\n", ctrl_names[i]);
}

static const struct cftype core_files[] = {
	{ "cgroup.controllers", -1, 0, show_controllers, NULL },
	{ "cgroup.events", -1, CFT_NOT_ON_ROOT, show_events, NULL },
	{ "cgroup.freeze", -1, CFT_NOT_ON_ROOT, show_freeze, write_freeze },
	{ "cgroup.kill", -1, CFT_NOT_ON_ROOT, NULL, write_kill },
	{ "cgroup.max.depth", -1, 0, show_max_depth, write_max_depth },
	{ "cgroup.max.descendants", -1, 0, show_max_descendants, write_max_descendants },
	{ "cgroup.procs", -1, 0, show_procs, write_procs },
	{ "cgroup.stat", -1, 0, show_stat, NULL },
	{ "cgroup.subtree_control", -1, 0, show_subtree_control, write_subtree_control },
	{ "cgroup.threads", -1, 0, show_threads, write_threads },
	{ "cgroup.type", -1, CFT_NOT_ON_ROOT, show_type, write_type },
};

/* File k of every table: core files first, then the controllers'. */
static const struct cftype *cft_at(size_t k)
{
	if (k < ARRAY_SIZE(core_files))
		return &core_files[k];
	k -= ARRAY_SIZE(core_files);
	return k < memcg_nfiles ? &memcg_files[k] : NULL;
}

static bool cft_visible(const struct cgroup *cg, const struct cftype *c)
{
	if ((c->flags & CFT_NOT_ON_ROOT) && !cg->parent)
		return false;
	if ((c->flags & CFT_ONLY_ON_ROOT) && cg->parent)
		return false;
	return c->ctrl < 0 || (controllers_of(cg) & (1u << c->ctrl));
}

static uint32_t cft_mode(const struct cftype *c)
{
	return S_IFREG | (c->show ? 0444 : 0) | (c->write ? 0200 : 0);
}

/* ---- the filesystem ---- */

static struct cgroup *child_named(struct cgroup *cg, const char *name, size_t len)
{
	struct list_head *p;
	cg_list_each(p, &cg->children) {
		struct cgroup *c = list_entry(p, struct cgroup, sibling);
		if (strlen(c->name) == len && !memcmp(c->name, name, len))
			return c;
	}
	return NULL;
}

static const struct cftype *file_named(struct cgroup *cg, const char *name, size_t *index)
{
	const struct cftype *c;
	for (size_t k = 0; (c = cft_at(k)); k++)
		if (!strcmp(c->name, name) && cft_visible(cg, c)) {
			if (index)
				*index = k;
			return c;
		}
	return NULL;
}

/* rel (relative to the mount's root cgroup) to a cgroup, and the file
 * in it if rel names one (*cft NULL for the directory). */
int cgroup_walk(struct mount *m, const char *rel, struct cgroup **cgp, const struct cftype **cft)
{
	struct cgroup *cg = m->sb ? m->sb->priv : root();
	const char *s = rel;
	char full[PATH_MAX];
	if (m->root && *m->root) {   /* a bind mount of a sub-cgroup */
		snprintf(full, sizeof full, "%s%s%s", m->root, *rel ? "/" : "", rel);
		s = full;
	}
	*cft = NULL;
	while (*s) {
		const char *e = strchr(s, '/');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		struct cgroup *c = child_named(cg, s, len);
		if (!c) {
			char name[256];
			if (len >= sizeof name)
				return -ENOENT;
			memcpy(name, s, len);
			name[len] = 0;
			const struct cftype *f = file_named(cg, name, NULL);
			if (!f)
				return -ENOENT;
			if (e)
				return -ENOTDIR;
			*cft = f;
			*cgp = cg;
			return 0;
		}
		cg = c;
		s = e ? e + 1 : s + len;
	}
	*cgp = cg;
	return 0;
}

static void cg_stat(struct mount *m, struct cgroup *cg, const struct cftype *cft, struct kstat *st)
{
	memset(st, 0, sizeof *st);
	st->dev = m ? m->dev : cgrp_dev;
	st->uid = cg->uid;
	st->gid = cg->gid;
	st->blksize = 4096;
	st->atime = st->mtime = st->ctime = cg->mtime;
	if (cft) {
		size_t k = 0;
		file_named(cg, cft->name, &k);
		st->ino = cg->ino + 1 + k;
		st->mode = cft_mode(cft);
		st->nlink = 1;
		st->size = 0;
	} else {
		st->ino = cg == &cgrp_root ? 1 : cg->ino;
		st->mode = S_IFDIR | (cg->mode & 07777);
		st->nlink = 2;
	}
}

static int cgfs_lookup(struct mount *m, const char *rel, struct kstat *st)
{
	struct cgroup *cg;
	const struct cftype *cft;
	int err = cgroup_walk(m, rel, &cg, &cft);
	if (!err)
		cg_stat(m, cg, cft, st);
	return err;
}

/* An open cgroup file: the text is made at the read from offset 0 (as
 * kernfs's seq_file), each write is one value. */
struct cgfile {
	struct cgroup *cg;
	const struct cftype *cft;
	struct cbuf text;
};

static ssize_t cgf_read(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	struct cgfile *cf = f->priv;
	if (!cf->cft->show)
		return -EINVAL;   /* a write-only file (cgroup.kill) */
	if (*pos == 0 || !cf->text.p) {
		cf->text.len = 0;
		cb_printf(&cf->text, "%s", "");
		cf->cft->show(t ? t : current, cf->cg, &cf->text);
	}
	if (*pos < 0 || (uint64_t)*pos >= cf->text.len)
		return 0;
	size_t k = cf->text.len - (size_t)*pos;
	if (k > n)
		k = n;
	memcpy(buf, cf->text.p + *pos, k);
	*pos += (int64_t)k;
	return (ssize_t)k;
}

static ssize_t cgf_write(struct task *t, struct file *f, const void *buf, size_t n, int64_t *pos)
{
	struct cgfile *cf = f->priv;
	if (!cf->cft->write)
		return -EINVAL;   /* a read-only file */
	if (!n)
		return 0;
	if (n > 4096)
		return -E2BIG;   /* atomic_write_len: a page */
	char *s = malloc(n + 1);
	if (!s)
		return -ENOMEM;
	memcpy(s, buf, n);
	s[n] = 0;
	/* strstrip */
	char *b = s, *e = s + strlen(s);
	while (*b == ' ' || *b == '\t' || *b == '\n')
		b++;
	while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n'))
		*--e = 0;
	int err = cf->cg->dead && cf->cft->ctrl >= 0 ? -ENODEV : cf->cft->write(t ? t : current, cf->cg, b);
	free(s);
	if (err)
		return err;
	*pos += (int64_t)n;
	return (ssize_t)n;
}

static int cgf_fstat(struct file *f, struct kstat *st)
{
	struct cgfile *cf = f->priv;
	cg_stat(f->mnt, cf->cg, cf->cft, st);
	return 0;
}

static int cgf_truncate(struct file *f, uint64_t len)
{
	(void)f, (void)len;
	return 0;
}

static void cgf_release(struct file *f)
{
	struct cgfile *cf = f->priv;
	if (!cf)
		return;
	cgroup_put(cf->cg);
	free(cf->text.p);
	free(cf);
}

static const struct file_ops cg_file_ops = {
	.read = cgf_read,
	.write = cgf_write,
	.fstat = cgf_fstat,
	.truncate = cgf_truncate,
	.release = cgf_release,
	.seekable = true,
};

static int cgd_fstat(struct file *f, struct kstat *st)
{
	cg_stat(f->mnt, f->priv, NULL, st);
	return 0;
}

static int cgd_readdir(struct file *f, struct dir_entry **ents, size_t *n)
{
	struct cgroup *cg = f->priv;
	struct list_head *p;
	size_t cap = 0;
	const struct cftype *c;
	int err = 0;
	*ents = NULL;
	*n = 0;
	if (cg->dead)
		return 0;
	for (size_t k = 0; (c = cft_at(k)) && !err; k++)
		if (cft_visible(cg, c))
			err = dents_add(ents, n, &cap, cg->ino + 1 + k, DT_REG, c->name);
	cg_list_each(p, &cg->children) {
		struct cgroup *ch = list_entry(p, struct cgroup, sibling);
		if (!err)
			err = dents_add(ents, n, &cap, ch->ino, DT_DIR, ch->name);
	}
	return err;
}

static void cgd_release(struct file *f)
{
	cgroup_put(f->priv);
}

static const struct file_ops cg_dir_ops = {
	.fstat = cgd_fstat,
	.readdir = cgd_readdir,
	.release = cgd_release,
	.seekable = true,
};

static int cgfs_open(struct mount *m, const char *rel, int flags, uint32_t mode, struct file **out)
{
	struct cgroup *cg;
	const struct cftype *cft;
	int err = cgroup_walk(m, rel, &cg, &cft);
	(void)mode;
	if (err == -ENOENT && (flags & O_CREAT))
		return -EACCES;   /* kernfs has no create */
	if (err)
		return err;
	if (!cft) {
		if ((flags & O_ACCMODE) != O_RDONLY)
			return -EISDIR;
		struct file *f = file_alloc(&cg_dir_ops, flags, rel);
		if (!f)
			return -ENOMEM;
		f->priv = cgroup_get(cg);
		*out = f;
		return 0;
	}
	if (flags & O_DIRECTORY)
		return -ENOTDIR;
	struct cgfile *cf = calloc(1, sizeof *cf);
	struct file *f = cf ? file_alloc(&cg_file_ops, flags, rel) : NULL;
	if (!f) {
		free(cf);
		return -ENOMEM;
	}
	cf->cg = cgroup_get(cg);
	cf->cft = cft;
	f->priv = cf;
	*out = f;
	return 0;
}

/* Splits rel into its parent cgroup and last name. */
static int parent_of(struct mount *m, const char *rel, struct cgroup **pcg, const char **name)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(rel, '/');
	const struct cftype *cft;
	*name = slash ? slash + 1 : rel;
	snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - rel) : 0, rel);
	int err = cgroup_walk(m, dir, pcg, &cft);
	if (!err && cft)
		err = -ENOTDIR;
	return err;
}

static int cgfs_mkdir(struct mount *m, const char *rel, uint32_t mode)
{
	struct cgroup *parent, *cg;
	const char *name;
	const struct cftype *cft;
	int err = parent_of(m, rel, &parent, &name);
	if (err)
		return err;
	if (!*name)
		return -EEXIST;
	if (!cgroup_walk(m, rel, &cg, &cft))
		return -EEXIST;
	if (strlen(name) > 255)
		return -ENAMETOOLONG;
	if (strchr(name, '\n'))
		return -EINVAL;
	if (parent->dead)
		return -ENOENT;
	/* cgroup_check_hierarchy_limits: levels below each ancestor */
	int level = 0;
	for (struct cgroup *a = parent; a; a = a->parent, level++)
		if ((a->max_depth != CG_MAX && level >= a->max_depth) ||
		    (a->max_descendants != CG_MAX && a->nr_descendants >= a->max_descendants))
			return -EAGAIN;
	cg = calloc(1, sizeof *cg);
	if (!cg)
		return -ENOMEM;
	cgroup_defaults(cg);
	cg->refs = 1;   /* its place in the tree */
	snprintf(cg->name, sizeof cg->name, "%s", name);
	cg->parent = cgroup_get(parent);
	cg->mode = mode & 07777;
	cg->uid = current ? current->cred.fsuid : 0;
	cg->gid = current ? current->cred.fsgid : 0;
	list_add_tail(&cg->sibling, &parent->children);
	for (struct cgroup *a = parent; a; a = a->parent)
		a->nr_descendants++;
	parent->mtime = cg->mtime;
	return 0;
}

static int cgfs_rmdir(struct mount *m, const char *rel)
{
	struct cgroup *cg;
	const struct cftype *cft;
	int err = cgroup_walk(m, rel, &cg, &cft);
	if (err)
		return err;
	if (cft)
		return -ENOTDIR;
	if (!cg->parent || !*rel)
		return -EBUSY;
	/* cgroup_destroy_locked: populated, or with live children */
	if (cg->nr_subtree_tasks || !list_empty(&cg->children))
		return -EBUSY;
	set_freeze(cg, false);
	cg->dead = true;
	list_del(&cg->sibling);
	for (struct cgroup *a = cg->parent; a; a = a->parent)
		a->nr_descendants--;
	cg->parent->mtime.tv_sec = (int64_t)(now_ns(0) / 1000000000ULL);
	cgroup_put(cg);
	return 0;
}

static int cgfs_unlink(struct mount *m, const char *rel)
{
	struct cgroup *cg;
	const struct cftype *cft;
	int err = cgroup_walk(m, rel, &cg, &cft);
	if (err)
		return err;
	return cft ? -EPERM : -EISDIR;
}

static int cgfs_eperm_node(struct mount *m, const char *rel, uint32_t mode, uint64_t dev)
{
	(void)m, (void)rel, (void)mode, (void)dev;
	return -EPERM;
}

static int cgfs_symlink(struct mount *m, const char *target, const char *rel)
{
	(void)m, (void)target, (void)rel;
	return -EPERM;
}

static int cgfs_link(struct mount *m, const char *old, const char *new_)
{
	(void)m, (void)old, (void)new_;
	return -EPERM;
}

/* cgroup v2 has no rename (kernfs_iop_rename without a syscall op) */
static int cgfs_rename(struct mount *m, const char *old, const char *new_, unsigned flags)
{
	(void)m, (void)old, (void)new_, (void)flags;
	return -EPERM;
}

static int cgfs_setattr(struct mount *m, const char *rel, int what, uint32_t mode, uint32_t uid,
			uint32_t gid, const struct linux_timespec *ts)
{
	struct cgroup *cg;
	const struct cftype *cft;
	int err = cgroup_walk(m, rel, &cg, &cft);
	if (err)
		return err;
	if ((what & ATTR_MODE) && !cft)
		cg->mode = mode & 07777;
	if (what & ATTR_OWNER) {
		if (uid != (uint32_t)-1)
			cg->uid = uid;
		if (gid != (uint32_t)-1)
			cg->gid = gid;
	}
	if ((what & ATTR_TIMES) && ts)
		cg->mtime = ts[1];
	return 0;
}

static int cgfs_truncate(struct mount *m, const char *rel, uint64_t len)
{
	struct cgroup *cg;
	const struct cftype *cft;
	int err = cgroup_walk(m, rel, &cg, &cft);
	(void)len;
	return err ? err : cft ? 0 : -EISDIR;
}

static int cgfs_statfs(struct mount *m, struct linux_statfs *st)
{
	(void)m;
	memset(st, 0, sizeof *st);
	st->f_type = CGROUP2_SUPER_MAGIC;
	st->f_bsize = st->f_frsize = 4096;
	st->f_namelen = 255;
	return 0;
}

const struct fs_ops cgroup_fs_ops = {
	.name = "cgroup2",
	.lookup = cgfs_lookup,
	.open = cgfs_open,
	.mkdir = cgfs_mkdir,
	.mknod = cgfs_eperm_node,
	.rmdir = cgfs_rmdir,
	.unlink = cgfs_unlink,
	.symlink = cgfs_symlink,
	.link = cgfs_link,
	.rename = cgfs_rename,
	.setattr = cgfs_setattr,
	.truncate = cgfs_truncate,
	.statfs = cgfs_statfs,
};

/* The mount options cgroup2 knows (cgroup2_parse_param); shown back in
 * /proc/mounts in Linux's order. */
static const char *const mount_opts[] = {
	"nsdelegate", "favordynmods", "memory_localevents", "memory_recursiveprot",
	"memory_hugetlb_accounting", "pids_localevents",
};

static int parse_opts(const char *data, char *shown, size_t n)
{
	unsigned set = 0;
	char *opts = data ? strdup(data) : NULL, *save = NULL;
	if (data && !opts)
		return -ENOMEM;
	for (char *o = opts ? strtok_r(opts, ",", &save) : NULL; o; o = strtok_r(NULL, ",", &save)) {
		size_t i;
		for (i = 0; i < ARRAY_SIZE(mount_opts); i++)
			if (!strcmp(o, mount_opts[i]))
				break;
		if (i == ARRAY_SIZE(mount_opts)) {
			free(opts);
			return -EINVAL;
		}
		set |= 1u << i;
	}
	free(opts);
	size_t len = 0;
	shown[0] = 0;
	for (size_t i = 0; i < ARRAY_SIZE(mount_opts); i++)
		if (set & (1u << i))
			len += (size_t)snprintf(shown + len, n - len, "%s%s", len ? "," : "", mount_opts[i]);
	return 0;
}

static void cgfs_kill(void *priv)
{
	cgroup_put(priv);
}

/* mount -t cgroup2: the hierarchy from the mounter's cgroup namespace
 * root (cgroup_get_tree); the options as cgroup2_parse_param's. */
static int cgroup_type_mount(struct task *t, const char *source, int flags, const char *data,
			     struct super_block **out)
{
	char shown[160];
	int err = parse_opts(data, shown, sizeof shown);
	(void)flags;
	if (err)
		return err;
	struct cgroup *r = cgroup_get(cgroup_ns_root(t && t->nsproxy ? t->nsproxy->cgroup_ns : NULL));
	*out = sb_new(&cgroup_fs_ops, r, "cgroup2", source, cgfs_kill);
	if (!*out) {
		cgroup_put(r);
		return -ENOMEM;
	}
	if (cgrp_dev)
		(*out)->dev = cgrp_dev;
	else
		cgrp_dev = (*out)->dev;
	if (*shown)
		(*out)->options = strdup(shown);
	return 0;
}

void cgroup_register(void)
{
	static struct fs_type cgroup2_type = {
		.name = "cgroup2", .flags = FS_USERNS_MOUNT, .mount = cgroup_type_mount,
	};
	root();
	register_filesystem(&cgroup2_type);
}

int cgroup_boot_mount(const char *path)
{
	int err = vfs_mount(path, &cgroup_fs_ops, root(), "cgroup2", "cgroup2");
	if (err)
		return err;
	struct mount *m = vfs_find_mount(path, NULL, NULL);
	if (m && m->sb) {
		if (cgrp_dev)
			m->dev = m->sb->dev = cgrp_dev;
		else
			cgrp_dev = m->sb->dev;
		m->sb->options = strdup("nsdelegate,memory_recursiveprot");
		m->mflags |= 2 | 4 | 8;   /* MS_NOSUID, MS_NODEV, MS_NOEXEC, as systemd mounts it */
	}
	return 0;
}
