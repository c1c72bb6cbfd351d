/*
 * nsproxy.c - the namespaces a task uses, and the syscalls that change
 * them: unshare(2), setns(2), and clone's CLONE_NEW* flags (via
 * copy_namespaces), plus the namespace files of /proc/PID/ns.
 *
 * In a nutshell (Linux's kernel/nsproxy.c and kernel/fork.c): a task
 * points at one struct nsproxy (uts, ipc, mount, pid-for-children and
 * cgroup namespaces), shared with its parent until one of them changes;
 * a change makes a new nsproxy.  The user namespace is the task's own
 * (user_ns), and a new one is made first, so that the other namespaces
 * made by the same call belong to it and the caller's CAP_SYS_ADMIN
 * there allows them.  CLONE_NEWPID changes only where children are
 * born; the caller keeps its pid.  A /proc/PID/ns/NAME file is an open
 * reference to a namespace: setns(fd, type) enters it; fstat gives the
 * namespace's inode number.  CLONE_NEWNET makes a network namespace
 * object for the network stack to key its state on (net/).  CLONE_NEWTIME,
 * as CLONE_NEWPID, changes where children are born (time_ns_for_children);
 * a child that is not a thread enters it (timens_on_fork), and so does
 * the caller at execve (time_namespace.c has the offsets).
 *
 * Lock: klock guards everything here.
 */
#include "../kernel.h"
#include "task.h"
#include "../fs/fs.h"
#include "../ipc/ipc.h"
#include "../mm/mm.h"
#include "../cgroup/cgroup.h"
#include <linux/sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct uts_namespace init_uts_ns = {
	.refs = 2,
	.user_ns = &init_user_ns,
	.inum = NS_INIT_INO_UTS,
	.nodename = guest_hostname,
	.domainname = guest_domainname,
};
struct ipc_namespace init_ipc_ns = { .refs = 2, .user_ns = &init_user_ns, .inum = NS_INIT_INO_IPC };
static struct cgroup_namespace init_cgroup_ns = {
	.refs = 2, .user_ns = &init_user_ns, .inum = NS_INIT_INO_CGROUP,
};
struct net_namespace init_net_ns = { .refs = 2, .user_ns = &init_user_ns, .inum = NS_INIT_INO_NET };
struct nsproxy init_nsproxy = {
	.refs = 1,
	.uts_ns = &init_uts_ns,
	.ipc_ns = &init_ipc_ns,
	.mnt_ns = &init_mnt_ns,
	.pid_ns_for_children = &init_pid_ns,
	.cgroup_ns = &init_cgroup_ns,
	.net_ns = &init_net_ns,
	.time_ns = &init_time_ns,
	.time_ns_for_children = &init_time_ns,
};

/* ---- reference counting ---- */

static void put_uts_ns(struct uts_namespace *ns)
{
	if (ns && ns != &init_uts_ns && --ns->refs == 0) {
		put_user_ns(ns->user_ns);
		free(ns);
	}
}

void put_ipc_ns(struct ipc_namespace *ns)
{
	if (ns && ns != &init_ipc_ns && --ns->refs == 0) {
		ipc_ns_release(ns);
		put_user_ns(ns->user_ns);
		free(ns);
	}
}

static void put_cgroup_ns(struct cgroup_namespace *ns)
{
	if (ns && ns != &init_cgroup_ns && --ns->refs == 0) {
		cgroup_put(ns->root);
		put_user_ns(ns->user_ns);
		free(ns);
	}
}

void put_net_ns(struct net_namespace *ns)
{
	if (ns && ns != &init_net_ns && --ns->refs == 0) {
		net_ns_release(ns);
		put_user_ns(ns->user_ns);
		free(ns);
	}
}

struct nsproxy *get_nsproxy(struct nsproxy *p)
{
	if (p)
		p->refs++;
	return p;
}

void put_nsproxy(struct nsproxy *p)
{
	if (!p || --p->refs > 0)
		return;
	if (p == &init_nsproxy)
		oops("put_nsproxy: the initial nsproxy freed");
	put_uts_ns(p->uts_ns);
	put_ipc_ns(p->ipc_ns);
	put_mnt_ns(p->mnt_ns);
	put_pid_ns(p->pid_ns_for_children);
	put_cgroup_ns(p->cgroup_ns);
	put_net_ns(p->net_ns);
	put_time_ns(p->time_ns);
	put_time_ns(p->time_ns_for_children);
	free(p);
}

/* A private copy of p (every namespace referenced once more). */
static struct nsproxy *dup_nsproxy(const struct nsproxy *p)
{
	struct nsproxy *n = malloc(sizeof *n);
	if (!n)
		return NULL;
	*n = *p;
	n->refs = 1;
	n->uts_ns->refs++;
	n->ipc_ns->refs++;
	get_mnt_ns(n->mnt_ns);
	get_pid_ns(n->pid_ns_for_children);
	n->cgroup_ns->refs++;
	n->net_ns->refs++;
	get_time_ns(n->time_ns);
	get_time_ns(n->time_ns_for_children);
	return n;
}

/* ---- new namespaces ---- */

static struct uts_namespace *new_uts_ns(const struct uts_namespace *old, struct user_namespace *u)
{
	struct uts_namespace *ns = calloc(1, sizeof *ns);
	if (!ns)
		return NULL;
	ns->refs = 1;
	ns->user_ns = get_user_ns(u);
	ns->inum = ns_alloc_inum();
	ns->nodename = ns->names[0];
	ns->domainname = ns->names[1];
	memcpy(ns->nodename, old->nodename, 65);
	memcpy(ns->domainname, old->domainname, 65);
	return ns;
}

static struct ipc_namespace *new_ipc_ns(struct user_namespace *u)
{
	struct ipc_namespace *ns = calloc(1, sizeof *ns);
	if (!ns)
		return NULL;
	ns->refs = 1;
	ns->user_ns = get_user_ns(u);
	ns->inum = ns_alloc_inum();
	return ns;
}

static struct cgroup_namespace *new_cgroup_ns(struct user_namespace *u, struct task *t)
{
	struct cgroup_namespace *ns = calloc(1, sizeof *ns);
	if (!ns)
		return NULL;
	ns->refs = 1;
	ns->root = cgroup_get(task_cgroup(t));   /* its "/": the creator's cgroup (copy_cgroup_ns) */
	ns->user_ns = get_user_ns(u);
	ns->inum = ns_alloc_inum();
	return ns;
}

static struct net_namespace *new_net_ns(struct user_namespace *u)
{
	struct net_namespace *ns = calloc(1, sizeof *ns);
	if (!ns)
		return NULL;
	ns->refs = 1;
	ns->user_ns = get_user_ns(u);
	ns->inum = ns_alloc_inum();
	return ns;
}

#define NS_FLAGS (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWCGROUP | \
		  CLONE_NEWNET | CLONE_NEWTIME)

/*
 * create_new_namespaces - a new nsproxy from old, with a fresh namespace
 * for each CLONE_NEW* in flags, owned by user_ns; fs is the fs state the
 * new mount namespace's root and cwd are taken in.  -ENOMEM, -ENOSPC, -EINVAL
 * (CLONE_NEWPID from a task whose children already go elsewhere).
 */
static struct nsproxy *create_new_namespaces(uint64_t flags, struct task *t,
					     struct user_namespace *user_ns, int *err)
{
	struct nsproxy *n = dup_nsproxy(t->nsproxy);
	*err = -ENOMEM;
	if (!n)
		return NULL;
	if (flags & CLONE_NEWUTS) {
		struct uts_namespace *u = new_uts_ns(n->uts_ns, user_ns);
		if (!u)
			goto fail;
		put_uts_ns(n->uts_ns);
		n->uts_ns = u;
	}
	if (flags & CLONE_NEWIPC) {
		struct ipc_namespace *i = new_ipc_ns(user_ns);
		if (!i)
			goto fail;
		put_ipc_ns(n->ipc_ns);
		n->ipc_ns = i;
	}
	if (flags & CLONE_NEWCGROUP) {
		struct cgroup_namespace *c = new_cgroup_ns(user_ns, t);
		if (!c)
			goto fail;
		put_cgroup_ns(n->cgroup_ns);
		n->cgroup_ns = c;
	}
	if (flags & CLONE_NEWNET) {
		struct net_namespace *nn = new_net_ns(user_ns);
		if (!nn)
			goto fail;
		put_net_ns(n->net_ns);
		n->net_ns = nn;
	}
	if (flags & CLONE_NEWPID) {
		/* Linux's copy_pid_ns: only from the active namespace */
		if (n->pid_ns_for_children != task_active_pid_ns(t)) {
			*err = -EINVAL;
			goto fail;
		}
		struct pid_namespace *p = create_pid_ns(n->pid_ns_for_children, user_ns, err);
		if (!p)
			goto fail;
		put_pid_ns(n->pid_ns_for_children);
		n->pid_ns_for_children = p;
	}
	if (flags & CLONE_NEWTIME) {
		/* copy_time_ns: a new namespace for the children, with the
		 * offsets of the one they were to be born in */
		struct time_namespace *tn = clone_time_ns(n->time_ns_for_children, user_ns);
		if (!tn)
			goto fail;
		put_time_ns(n->time_ns_for_children);
		n->time_ns_for_children = tn;
	}
	if (flags & CLONE_NEWNS) {
		struct mnt_namespace *m = copy_mnt_ns(n->mnt_ns, user_ns, err);
		if (!m)
			goto fail;
		put_mnt_ns(n->mnt_ns);
		n->mnt_ns = m;
	}
	*err = 0;
	return n;
fail:
	put_nsproxy(n);
	return NULL;
}

/* timens_on_fork: a new process (not one sharing the mm) enters the time
 * namespace its parent's children are born in; n is its own nsproxy. */
static void timens_on_fork(struct nsproxy *n, struct task *c)
{
	if (n->time_ns == n->time_ns_for_children)
		return;
	put_time_ns(n->time_ns);
	n->time_ns = get_time_ns(n->time_ns_for_children);
	timens_commit(c, n->time_ns);
}

/*
 * copy_namespaces - fork's part: the child c of t shares t's nsproxy, or
 * gets new namespaces for CLONE_NEW* in flags (CLONE_NEWUSER already
 * applied to c by the caller; CLONE_NEWTIME is clone3's, not the exit
 * signal's bit), and a child that does not share the mm (no CLONE_VM)
 * enters t's time namespace for children.  0, -EPERM without
 * CAP_SYS_ADMIN in c's user namespace, or an error of
 * create_new_namespaces.  Mirrors kernel/nsproxy.c copy_namespaces.
 */
int copy_namespaces(uint64_t flags, struct task *t, struct task *c)
{
	if (!(flags & NS_FLAGS)) {
		if ((flags & CLONE_VM) || t->nsproxy->time_ns == t->nsproxy->time_ns_for_children) {
			c->nsproxy = get_nsproxy(t->nsproxy);
			return 0;
		}
	} else if (!ns_capable(c, c->user_ns, CAP_SYS_ADMIN)) {
		return -EPERM;
	}
	int err;
	struct nsproxy *n = create_new_namespaces(flags, t, c->user_ns, &err);
	if (!n)
		return err;
	if (!(flags & CLONE_VM))
		timens_on_fork(n, c);
	c->nsproxy = n;
	return 0;
}

/*
 * exec_task_namespaces - execve gives t a new mm: it enters its time
 * namespace for children, if that differs (Linux's exec_task_namespaces).
 * 0 or -ENOMEM.
 */
int exec_task_namespaces(struct task *t)
{
	struct nsproxy *n;

	if (!t->nsproxy || t->nsproxy->time_ns == t->nsproxy->time_ns_for_children)
		return 0;
	n = dup_nsproxy(t->nsproxy);
	if (!n)
		return -ENOMEM;
	timens_on_fork(n, t);
	put_nsproxy(t->nsproxy);
	t->nsproxy = n;
	return 0;
}

/* A copy of fs state for CLONE_NEWNS and unshare(CLONE_FS). */
static struct fs_struct *fs_copy(const struct fs_struct *o)
{
	struct fs_struct *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->refs = 1;
	f->cwd = strdup(o->cwd);
	f->root = strdup(o->root);
	f->umask = o->umask;
	if (!f->cwd || !f->root) {
		free(f->cwd);
		free(f->root);
		free(f);
		return NULL;
	}
	return f;
}

static void fs_put(struct fs_struct *f)
{
	if (f && --f->refs == 0) {
		free(f->cwd);
		free(f->root);
		free(f);
	}
}

/*
 * unshare(2): flags CLONE_FILES, CLONE_FS, CLONE_NEWNS, CLONE_NEWUTS,
 * CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWPID, CLONE_NEWUSER,
 * CLONE_NEWCGROUP, CLONE_NEWTIME, CLONE_SYSVSEM (and CLONE_THREAD, CLONE_SIGHAND,
 * CLONE_VM, which only check nothing is shared).  -EINVAL for unknown
 * flags or sharing that cannot be undone, -EPERM without CAP_SYS_ADMIN
 * (CLONE_NEWUSER needs nothing), -ENOSPC past the nesting limit.
 * Mirrors kernel/fork.c ksys_unshare.
 */
long sys_unshare(struct task *t, struct sysargs *a)
{
	uint64_t flags = (unsigned long)a->a[0];
	const uint64_t ok = CLONE_THREAD | CLONE_FS | CLONE_NEWNS | CLONE_SIGHAND | CLONE_VM |
			    CLONE_FILES | CLONE_SYSVSEM | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET |
			    CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWCGROUP | CLONE_NEWTIME;
	if (flags & ~ok)
		return -EINVAL;
	if (flags & CLONE_NEWUSER)
		flags |= CLONE_THREAD | CLONE_FS;
	if (flags & CLONE_VM)
		flags |= CLONE_SIGHAND;
	if (flags & CLONE_SIGHAND)
		flags |= CLONE_THREAD;
	if (flags & CLONE_NEWNS)
		flags |= CLONE_FS;
	/* check_unshare_flags */
	if ((flags & CLONE_THREAD) && t->tg->nr_threads > 1)
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && t->sighand->refs > 1)
		return -EINVAL;
	if ((flags & CLONE_VM) && t->mm && t->mm->refs > 1)
		return -EINVAL;

	struct fs_struct *nfs = NULL;
	struct fdtable *nfd = NULL;
	struct nsproxy *nns = NULL;
	struct user_namespace *old_user = get_user_ns(t->user_ns);
	struct cred old_cred = t->cred;
	int err = 0;

	if ((flags & CLONE_FS) && t->fs->refs > 1) {
		nfs = fs_copy(t->fs);
		if (!nfs) {
			err = -ENOMEM;
			goto out;
		}
	}
	if ((flags & CLONE_FILES) && t->files->refs > 1) {
		err = fdtable_dup_check(t->files);
		if (err)
			goto out;
		nfd = fdtable_dup(t->files);
		if (!nfd) {
			err = -ENOMEM;
			goto out;
		}
	}
	if (flags & CLONE_NEWUSER) {
		err = create_user_ns(t);
		if (err)
			goto out;
	}
	if (flags & NS_FLAGS) {
		if (!ns_capable(t, t->user_ns, CAP_SYS_ADMIN)) {
			err = -EPERM;
			goto undo_user;
		}
		nns = create_new_namespaces(flags, t, t->user_ns, &err);
		if (!nns)
			goto undo_user;
	}
	/* commit; CLONE_SYSVSEM (and a new IPC namespace, where the old
	 * arrays are out of reach) applies the SEM_UNDO list as exit does */
	if (flags & (CLONE_SYSVSEM | CLONE_NEWIPC))
		ipc_exit(t);
	if (nfs) {
		fs_put(t->fs);
		t->fs = nfs;
		nfs = NULL;
	}
	if (nfd) {
		fdtable_put(t->files);
		t->files = nfd;
		nfd = NULL;
	}
	if (nns) {
		put_nsproxy(t->nsproxy);
		t->nsproxy = nns;
	}
	put_user_ns(old_user);
	return 0;
undo_user:
	if (flags & CLONE_NEWUSER) {
		put_user_ns(t->user_ns);
		t->user_ns = get_user_ns(old_user);
		t->cred = old_cred;
	}
out:
	put_user_ns(old_user);
	fs_put(nfs);
	if (nfd)
		fdtable_put(nfd);
	return err;
}

/* ---- /proc/PID/ns files ---- */

static const char *const ns_names[NS_TYPES] = {
	[NS_CGROUP] = "cgroup", [NS_IPC] = "ipc", [NS_MNT] = "mnt", [NS_NET] = "net",
	[NS_PID] = "pid", [NS_PID_FOR_CHILDREN] = "pid_for_children", [NS_USER] = "user",
	[NS_UTS] = "uts", [NS_TIME] = "time", [NS_TIME_FOR_CHILDREN] = "time_for_children",
};
static const uint64_t ns_flags[NS_TYPES] = {
	[NS_CGROUP] = CLONE_NEWCGROUP, [NS_IPC] = CLONE_NEWIPC, [NS_MNT] = CLONE_NEWNS,
	[NS_NET] = CLONE_NEWNET, [NS_PID] = CLONE_NEWPID, [NS_PID_FOR_CHILDREN] = CLONE_NEWPID,
	[NS_USER] = CLONE_NEWUSER, [NS_UTS] = CLONE_NEWUTS, [NS_TIME] = CLONE_NEWTIME,
	[NS_TIME_FOR_CHILDREN] = CLONE_NEWTIME,
};

const char *ns_type_name(int type)
{
	return type >= 0 && type < NS_TYPES ? ns_names[type] : NULL;
}

struct nsfile {
	int type;                     /* NS_*; pid_for_children is stored as NS_PID,
					 time_for_children as NS_TIME */
	void *ns;                     /* one reference */
};

static void ns_get(int type, void *ns)
{
	switch (type) {
	case NS_CGROUP: ((struct cgroup_namespace *)ns)->refs++; break;
	case NS_IPC: ((struct ipc_namespace *)ns)->refs++; break;
	case NS_MNT: get_mnt_ns(ns); break;
	case NS_NET: ((struct net_namespace *)ns)->refs++; break;
	case NS_PID: case NS_PID_FOR_CHILDREN: get_pid_ns(ns); break;
	case NS_USER: get_user_ns(ns); break;
	case NS_UTS: ((struct uts_namespace *)ns)->refs++; break;
	case NS_TIME: case NS_TIME_FOR_CHILDREN: get_time_ns(ns); break;
	}
}

static void ns_put(int type, void *ns)
{
	switch (type) {
	case NS_CGROUP: put_cgroup_ns(ns); break;
	case NS_IPC: put_ipc_ns(ns); break;
	case NS_MNT: put_mnt_ns(ns); break;
	case NS_NET: put_net_ns(ns); break;
	case NS_PID: case NS_PID_FOR_CHILDREN: put_pid_ns(ns); break;
	case NS_USER: put_user_ns(ns); break;
	case NS_UTS: put_uts_ns(ns); break;
	case NS_TIME: case NS_TIME_FOR_CHILDREN: put_time_ns(ns); break;
	}
}

static unsigned int ns_inum(int type, const void *ns)
{
	switch (type) {
	case NS_CGROUP: return ((const struct cgroup_namespace *)ns)->inum;
	case NS_IPC: return ((const struct ipc_namespace *)ns)->inum;
	case NS_MNT: return mnt_ns_inum(ns);
	case NS_NET: return ((const struct net_namespace *)ns)->inum;
	case NS_PID: case NS_PID_FOR_CHILDREN: return ((const struct pid_namespace *)ns)->inum;
	case NS_USER: return ((const struct user_namespace *)ns)->inum;
	case NS_UTS: return ((const struct uts_namespace *)ns)->inum;
	case NS_TIME: case NS_TIME_FOR_CHILDREN: return ((const struct time_namespace *)ns)->inum;
	}
	return 0;
}

/* The namespace of type tk uses (NULL: none yet, pid_for_children of a
 * task whose namespace is its own). */
static void *task_ns(struct task *tk, int type)
{
	struct nsproxy *p = tk->nsproxy;
	if (!p)
		return NULL;
	switch (type) {
	case NS_CGROUP: return p->cgroup_ns;
	case NS_IPC: return p->ipc_ns;
	case NS_MNT: return p->mnt_ns;
	case NS_NET: return p->net_ns;
	case NS_PID: return task_active_pid_ns(tk);
	case NS_PID_FOR_CHILDREN:
		/* none until the namespace's init is born (Linux's
		 * pidns_for_children_get) */
		return p->pid_ns_for_children->child_reaper ? p->pid_ns_for_children : NULL;
	case NS_USER: return tk->user_ns ? tk->user_ns : &init_user_ns;
	case NS_UTS: return p->uts_ns;
	case NS_TIME: return p->time_ns;
	case NS_TIME_FOR_CHILDREN: return p->time_ns_for_children;
	}
	return NULL;
}

/* "uts:[4026531838]": the target of /proc/PID/ns/uts.  -ENOENT if the
 * task has no such namespace now. */
int ns_link_text(struct task *tk, int type, char *buf, size_t len)
{
	void *ns = task_ns(tk, type);
	if (!ns)
		return -ENOENT;
	snprintf(buf, len, "%s:[%u]", type == NS_PID_FOR_CHILDREN ? "pid" :
		 type == NS_TIME_FOR_CHILDREN ? "time" : ns_names[type], ns_inum(type, ns));
	return 0;
}

#define NSFS_DEV 4  /* nsfs: an anonymous device of its own */

static int nsfile_fstat(struct file *f, struct kstat *st)
{
	struct nsfile *nf = f->priv;
	memset(st, 0, sizeof *st);
	st->dev = NSFS_DEV;
	st->ino = ns_inum(nf->type, nf->ns);
	st->nlink = 1;
	st->mode = S_IFREG | 0444;
	st->blksize = 4096;
	return 0;
}

static void nsfile_release(struct file *f)
{
	struct nsfile *nf = f->priv;
	if (nf) {
		ns_put(nf->type, nf->ns);
		free(nf);
	}
	f->priv = NULL;
}

static ssize_t nsfile_read(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	(void)t, (void)f, (void)buf, (void)n, (void)pos;
	return -EINVAL;
}

/* ---- ioctl_ns(2): NS_GET_USERNS, NS_GET_PARENT, NS_GET_NSTYPE,
 * NS_GET_OWNER_UID (fs/nsfs.c) ---- */
#define NS_GET_USERNS_    0xb701
#define NS_GET_PARENT_    0xb702
#define NS_GET_NSTYPE_    0xb703
#define NS_GET_OWNER_UID_ 0xb704
#define NS_GET_MNTNS_ID_  0x8008b705   /* _IOR(0xb7, 5, __u64) */

static const struct file_ops nsfile_ops;

/* The user namespace that owns ns (for a user namespace, its parent). */
static struct user_namespace *ns_owner(int type, void *ns)
{
	switch (type) {
	case NS_CGROUP: return ((struct cgroup_namespace *)ns)->user_ns;
	case NS_IPC: return ((struct ipc_namespace *)ns)->user_ns;
	case NS_MNT: return ((struct mnt_namespace *)ns)->user_ns;
	case NS_NET: return ((struct net_namespace *)ns)->user_ns;
	case NS_PID: return ((struct pid_namespace *)ns)->user_ns;
	case NS_USER: return ((struct user_namespace *)ns)->parent;
	case NS_UTS: return ((struct uts_namespace *)ns)->user_ns;
	case NS_TIME: return ((struct time_namespace *)ns)->user_ns;
	}
	return NULL;
}

/* A new O_CLOEXEC fd of t for namespace ns of type (one more reference). */
static long nsfile_install(struct task *t, int type, void *ns)
{
	struct nsfile *nf = malloc(sizeof *nf);
	char name[64];
	snprintf(name, sizeof name, "%s:[%u]", ns_names[type], ns_inum(type, ns));
	struct file *f = nf ? file_alloc(&nsfile_ops, O_RDONLY, name) : NULL;
	if (!f) {
		free(nf);
		return -ENOMEM;
	}
	nf->type = type;
	nf->ns = ns;
	ns_get(type, ns);
	f->priv = nf;
	return fd_install(t, 0, f, true);
}

/* ns_get_owner: the owner, if it is t's user namespace or below it. */
static struct user_namespace *owner_in_scope(struct task *t, struct user_namespace *owner)
{
	struct user_namespace *mine = t->user_ns ? t->user_ns : &init_user_ns;
	for (struct user_namespace *p = owner; p; p = p->parent)
		if (p == mine)
			return owner;
	return NULL;
}

static long nsfile_ioctl(struct task *t, struct file *f, unsigned int cmd, uint64_t arg)
{
	struct nsfile *nf = f->priv;
	switch (cmd) {
	case NS_GET_USERNS_: {
		struct user_namespace *o = owner_in_scope(t, ns_owner(nf->type, nf->ns));
		return o ? nsfile_install(t, NS_USER, o) : -EPERM;
	}
	case NS_GET_PARENT_:
		if (nf->type == NS_USER) {
			struct user_namespace *o = owner_in_scope(t, ns_owner(NS_USER, nf->ns));
			return o ? nsfile_install(t, NS_USER, o) : -EPERM;
		}
		if (nf->type == NS_PID) {
			/* pidns_get_parent: within the caller's active pid namespace */
			struct pid_namespace *parent = ((struct pid_namespace *)nf->ns)->parent;
			struct pid_namespace *active = task_active_pid_ns(t);
			for (struct pid_namespace *p = parent; p; p = p->parent)
				if (p == active)
					return nsfile_install(t, NS_PID, parent);
			return -EPERM;
		}
		return -EINVAL;
	case NS_GET_NSTYPE_:
		return (long)ns_flags[nf->type];
	case NS_GET_MNTNS_ID_: {
		if (nf->type != NS_MNT)
			return -EINVAL;
		uint64_t id = ((struct mnt_namespace *)nf->ns)->id;
		return copy_to_user(t, arg, &id, sizeof id) ? -EFAULT : 0;
	}
	case NS_GET_OWNER_UID_: {
		if (nf->type != NS_USER)
			return -EINVAL;
		struct user_namespace *mine = t->user_ns ? t->user_ns : &init_user_ns;
		uint32_t uid = from_kuid_munged(mine, ((struct user_namespace *)nf->ns)->owner);
		return copy_to_user(t, arg, &uid, sizeof uid) ? -EFAULT : 0;
	}
	}
	return -ENOTTY;
}

static const struct file_ops nsfile_ops = {
	.read = nsfile_read,
	.fstat = nsfile_fstat,
	.release = nsfile_release,
	.ioctl = nsfile_ioctl,
};

/* nsfile_mnt_ns - the mount namespace an nsfs file (/proc/PID/ns/mnt)
 * stands for: -EINVAL in *err (and NULL) if f is no such file (Linux's
 * proc_ns_file and ns type checks in grab_requested_mnt_ns). */
struct mnt_namespace *nsfile_mnt_ns(struct file *f, int *err)
{
	struct nsfile *nf = f->priv;
	if (f->ops != &nsfile_ops || !nf || nf->type != NS_MNT) {
		*err = -EINVAL;
		return NULL;
	}
	return nf->ns;
}

/* ns_file_open - an open file for /proc/PID/ns/NAME of tk (a magic
 * link's target), or NULL. */
struct file *ns_file_open(struct task *tk, int type)
{
	void *ns = task_ns(tk, type);
	char name[64];
	if (!ns || ns_link_text(tk, type, name, sizeof name))
		return NULL;
	struct nsfile *nf = malloc(sizeof *nf);
	struct file *f = nf ? file_alloc(&nsfile_ops, O_RDONLY, name) : NULL;
	if (!f) {
		free(nf);
		return NULL;
	}
	nf->type = type == NS_PID_FOR_CHILDREN ? NS_PID : type == NS_TIME_FOR_CHILDREN ? NS_TIME : type;
	nf->ns = ns;
	ns_get(nf->type, ns);
	f->priv = nf;
	return f;
}

/* ---- setns(2) ---- */

/* Whether ancestor is ns or one of its ancestors. */
static bool pidns_is_ancestor(const struct pid_namespace *ancestor, const struct pid_namespace *ns)
{
	for (; ns; ns = ns->parent)
		if (ns == ancestor)
			return true;
	return false;
}

static int ns_owner_caps(struct task *t, int type, void *ns)
{
	struct user_namespace *owner = NULL;
	switch (type) {
	case NS_CGROUP: owner = ((struct cgroup_namespace *)ns)->user_ns; break;
	case NS_IPC: owner = ((struct ipc_namespace *)ns)->user_ns; break;
	case NS_MNT: owner = mnt_ns_user_ns(ns); break;
	case NS_NET: owner = ((struct net_namespace *)ns)->user_ns; break;
	case NS_PID: owner = ((struct pid_namespace *)ns)->user_ns; break;
	case NS_UTS: owner = ((struct uts_namespace *)ns)->user_ns; break;
	case NS_TIME: owner = ((struct time_namespace *)ns)->user_ns; break;
	}
	if (!ns_capable(t, owner, CAP_SYS_ADMIN) || !ns_capable(t, t->user_ns, CAP_SYS_ADMIN))
		return -EPERM;
	return 0;
}

/* Enters one namespace (the nsproxy n being built, or t's user ns). */
static int setns_one(struct task *t, struct nsproxy *n, int type, void *ns)
{
	int err;
	if (type == NS_USER) {
		struct user_namespace *u = ns;
		/* Linux's userns_install: not the own one, not multithreaded,
		 * not with shared fs state, CAP_SYS_ADMIN in the target */
		if (u == t->user_ns)
			return -EINVAL;
		if (t->tg->nr_threads > 1 || t->fs->refs > 1)
			return -EINVAL;
		if (!ns_capable(t, u, CAP_SYS_ADMIN))
			return -EPERM;
		put_user_ns(t->user_ns);
		t->user_ns = get_user_ns(u);
		t->cred.cap_permitted = t->cred.cap_effective = t->cred.cap_bset = CAP_FULL_SET;
		t->cred.cap_inheritable = t->cred.cap_ambient = 0;
		return 0;
	}
	if (type == NS_TIME && t->tg->nr_threads > 1)
		return -EUSERS;   /* timens_install: checked before the capabilities */
	err = ns_owner_caps(t, type, ns);
	if (err)
		return err;
	switch (type) {
	case NS_UTS:
		put_uts_ns(n->uts_ns);
		n->uts_ns = ns;
		break;
	case NS_IPC:
		put_ipc_ns(n->ipc_ns);
		n->ipc_ns = ns;
		break;
	case NS_CGROUP:
		put_cgroup_ns(n->cgroup_ns);
		n->cgroup_ns = ns;
		break;
	case NS_NET:
		put_net_ns(n->net_ns);
		n->net_ns = ns;
		break;
	case NS_PID:
		/* only into the active namespace or a descendant of it */
		if (!pidns_is_ancestor(task_active_pid_ns(t), ns))
			return -EINVAL;
		put_pid_ns(n->pid_ns_for_children);
		n->pid_ns_for_children = ns;
		break;
	case NS_TIME:
		/* timens_install: a single-threaded caller; it enters the
		 * namespace, and so will its children */
		put_time_ns(n->time_ns);
		n->time_ns = ns;
		ns_get(type, ns);
		put_time_ns(n->time_ns_for_children);
		n->time_ns_for_children = ns;
		break;
	case NS_MNT:
		/* Linux's mntns_install: not multithreaded... the fs state is
		 * private and the root and cwd become the namespace's root */
		if (t->fs->refs > 1)
			return -EINVAL;
		put_mnt_ns(n->mnt_ns);
		n->mnt_ns = ns;
		free(t->fs->root);
		free(t->fs->cwd);
		t->fs->root = strdup("/");
		t->fs->cwd = strdup("/");
		break;
	default:
		return -EINVAL;
	}
	ns_get(type, ns);
	return 0;
}

/*
 * setns(2): fd is a /proc/PID/ns/ file (nstype 0 or its CLONE_NEW* flag)
 * or a pidfd (nstype: a set of CLONE_NEW* flags, every namespace of that
 * process at once).  -EBADF, -EINVAL (wrong type, not an ancestor...),
 * -EPERM (no CAP_SYS_ADMIN over the target's owner), -ESRCH (a pidfd's
 * process is gone).  Mirrors kernel/nsproxy.c setns.
 */
long sys_setns(struct task *t, struct sysargs *a)
{
	int fd = arg_int(a, 0);
	uint64_t nstype = arg_uint(a, 1);
	struct file *f = fd_get(t, fd);
	long err = 0;
	if (!f)
		return -EBADF;
	struct nsproxy *n = dup_nsproxy(t->nsproxy);
	if (!n) {
		file_put(f);
		return -ENOMEM;
	}
	if (f->ops == &nsfile_ops) {
		struct nsfile *nf = f->priv;
		if (nstype && nstype != ns_flags[nf->type]) {
			err = -EINVAL;
			goto out;
		}
		err = setns_one(t, n, nf->type, nf->ns);
	} else if (file_is_pidfd(f)) {
		struct task *tk = pidfd_task(f);
		if (!nstype || (nstype & ~(uint64_t)(NS_FLAGS | CLONE_NEWUSER))) {
			err = -EINVAL;
			goto out;
		}
		if (!tk || !tk->nsproxy) {
			err = -ESRCH;
			goto out;
		}
		static const int order[] = { NS_USER, NS_MNT, NS_UTS, NS_IPC, NS_CGROUP, NS_NET, NS_PID,
					     NS_TIME };
		for (size_t i = 0; i < ARRAY_SIZE(order) && !err; i++) {
			int type = order[i];
			if (!(nstype & ns_flags[type]))
				continue;
			void *ns = task_ns(tk, type);
			if (type == NS_USER && ns == t->user_ns)
				continue;
			if (type != NS_USER && ns == task_ns(t, type) && type != NS_PID)
				continue;
			err = setns_one(t, n, type, ns);
		}
	} else {
		err = -EINVAL;
	}
	if (!err) {
		/* commit_nsset: the SEM_UNDO list belongs to the old IPC
		 * namespace and is applied as at exit */
		if (n->ipc_ns != t->nsproxy->ipc_ns)
			ipc_exit(t);
		bool new_time = n->time_ns != t->nsproxy->time_ns;
		put_nsproxy(t->nsproxy);
		t->nsproxy = n;
		n = NULL;
		if (new_time)
			timens_commit(t, t->nsproxy->time_ns);
	}
out:
	put_nsproxy(n);
	file_put(f);
	return err;
}
