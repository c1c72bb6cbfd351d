/*
 * namespace.c - mounts, mount namespaces, and the syscalls that change
 * them: mount(2) (new mounts from the filesystem-type registry, bind and
 * recursive bind mounts, remounts, MS_MOVE, propagation types),
 * umount2(2), pivot_root(2).
 *
 * In a nutshell: names stay guest path strings (vfs.c), but mounts form
 * a tree as Linux's do.  A mount records the absolute path of its mount
 * point in its namespace, its parent mount, the filesystem instance it
 * shows (struct super_block, shared by bind mounts and by the copies a
 * new namespace makes) and, for a bind mount of a subdirectory, the
 * directory of that filesystem it shows (root).  Resolving a path walks
 * the tree from the namespace's root mount: at each component boundary a
 * child mounted exactly there is crossed into (and any mount stacked on
 * it), so a mount on /a hides one made earlier on /a/b, as in Linux.
 * Each namespace (CLONE_NEWNS, unshare) has its own tree; pivot_root and
 * MS_MOVE rewrite the paths of the mounts they move, and of the cwd, root
 * and open files of the namespace's tasks inside them.  Host filesystems
 * are reached only through the confined root (hostfs.c): a bind mount or
 * a pivot_root only rearranges what the guest can already reach, and no
 * filesystem type here opens a host device.
 *
 * Propagation types (MS_SHARED, MS_PRIVATE, MS_SLAVE, MS_UNBINDABLE) are
 * recorded and shown in mountinfo; new mounts and unmounts propagate
 * between the peers of a shared mount and to its slaves, across
 * namespaces, as Linux's propagate_mnt/propagate_umount.
 *
 * Lock: klock guards everything here.
 */
#include "../kernel.h"
#include "fs.h"
#include "tmpfs.h"
#include "notify.h"
#include "../kernel/task.h"
#include "../security/landlock.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif
/* the per-mount flags (Linux's MNT_*), as MS_* bits */
#define MNT_FLAGS (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | \
		   MS_RELATIME | MS_STRICTATIME | MS_NOSYMFOLLOW)
#define MS_PROPAGATION (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)
#define UMOUNT_NOFOLLOW_ 8
#define MNT_EXPIRE_ 4

struct mnt_namespace init_mnt_ns = {
	.refs = 2,
	.mounts = LIST_HEAD_INIT(init_mnt_ns.mounts),
	.user_ns = &init_user_ns,
	.inum = NS_INIT_INO_MNT,
	.poll = { LIST_HEAD_INIT(init_mnt_ns.poll.waiters) },
	.id = 1,
};
static uint64_t mnt_ns_ids = 1;   /* the last mnt_namespace.id given */

void mnt_ns_changed(struct mnt_namespace *ns)
{
	ns->seq++;
	wake_up(&ns->poll);
}

static int mount_ids;
static int peer_group_ids;
static unsigned int repath_generation;   /* one per rewriting pass over tasks' paths */
static uint64_t anon_devs;

/* ---- filesystem instances ---- */

/*
 * sb_new - a filesystem instance: ops and priv as the filesystem defines
 * them, a fresh anonymous device number, and kill (may be NULL) to free
 * priv once no mount shows it.  NULL on ENOMEM.
 */
struct super_block *sb_new(const struct fs_ops *ops, void *priv, const char *fstype,
			   const char *source, void (*kill)(void *priv))
{
	struct super_block *sb = calloc(1, sizeof *sb);
	if (!sb)
		return NULL;
	sb->refs = 1;
	sb->ops = ops;
	sb->priv = priv;
	sb->fstype = fstype ? fstype : ops->name;
	sb->source = strdup(source ? source : "none");
	sb->dev = 0x100000 + ++anon_devs;       /* anonymous device, major 0 style */
	sb->kill = kill;
	if (!sb->source) {
		free(sb);
		return NULL;
	}
	return sb;
}

/* anon_dev_alloc - a fresh anonymous device number, as sb_new gives
 * (Linux's get_anon_bdev; overlayfs's per-layer st_dev). */
uint64_t anon_dev_alloc(void)
{
	return 0x100000 + ++anon_devs;
}

static void sb_put(struct super_block *sb)
{
	if (!sb || --sb->refs > 0)
		return;
	if (sb->kill)
		sb->kill(sb->priv);
	free(sb->options);
	free(sb->source);
	free(sb);
}

/* ---- mounts ---- */

struct mount *mnt_get(struct mount *m)
{
	if (m)
		m->refs++;
	return m;
}

/* mnt_put - drops a reference; the last frees the mount (detached by then). */
void mnt_put(struct mount *m)
{
	if (m)
		m->expiry_mark = false;   /* it was used (Linux's mntput) */
	if (!m || --m->refs > 0)
		return;
	if (m->ns)
		oops("mnt_put: mount %d freed while in a namespace", m->id);
	if (m->sb->refs == 1)
		fsnotify_unmount(m);   /* the filesystem goes: IN_UNMOUNT to its watches */
	sb_put(m->sb);
	free(m->root);
	free(m->path);
	free(m);
}

static struct mount *mnt_alloc(struct super_block *sb, const char *root, const char *path)
{
	struct mount *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->refs = 1;
	m->path = strdup(path);
	m->root = strdup(root ? root : "");
	if (!m->path || !m->root) {
		free(m->path);
		free(m->root);
		free(m);
		return NULL;
	}
	size_t len = strlen(m->path);
	while (len > 1 && m->path[len - 1] == '/')
		m->path[--len] = 0;
	sb->refs++;
	m->sb = sb;
	m->ops = sb->ops;
	m->priv = sb->priv;
	m->dev = sb->dev;
	m->fstype = sb->fstype;
	m->source = sb->source;
	m->id = ++mount_ids;
	list_init(&m->children);
	list_init(&m->child_link);
	list_init(&m->link);
	return m;
}

/* Puts m into namespace ns under parent (NULL: ns's root); the
 * namespace takes a reference. */
static void mnt_attach(struct mount *m, struct mnt_namespace *ns, struct mount *parent)
{
	mnt_get(m);
	m->ns = ns;
	m->parent = parent;
	list_add_tail(&m->link, &ns->mounts);
	if (parent)
		list_add_tail(&m->child_link, &parent->children);
	else
		ns->root = m;
	mnt_ns_changed(ns);
}

/* Takes m (and, recursively, its children) out of its namespace; each
 * loses the namespace's reference. */
static void mnt_detach_tree(struct mount *m)
{
	struct list_head *p, *n;
	list_for_each_safe(p, n, &m->children) {
		struct mount *c = list_entry(p, struct mount, child_link);
		mnt_detach_tree(c);
	}
	if (m->ns) {
		mnt_ns_changed(m->ns);
		if (m->ns->root == m)
			m->ns->root = NULL;
	}
	list_del(&m->link);
	list_del(&m->child_link);
	m->parent = NULL;
	m->ns = NULL;
	mnt_put(m);
}

/* Whether path p is a or lies below a (component boundary). */
static bool path_under(const char *p, const char *a)
{
	size_t n = strlen(a);
	if (n == 1)
		return p[0] == '/';
	return !strncmp(p, a, n) && (p[n] == '/' || p[n] == 0);
}

/* Whether m is d or an ancestor of d. */
static bool mnt_is_ancestor(const struct mount *m, const struct mount *d)
{
	for (; d; d = d->parent)
		if (d == m)
			return true;
	return false;
}

/* ---- namespaces ---- */

struct mnt_namespace *current_mnt_ns(void)
{
	if (current && current->nsproxy && current->nsproxy->mnt_ns)
		return current->nsproxy->mnt_ns;
	return &init_mnt_ns;
}

struct mnt_namespace *get_mnt_ns(struct mnt_namespace *ns)
{
	if (ns)
		ns->refs++;
	return ns;
}

void put_mnt_ns(struct mnt_namespace *ns)
{
	if (!ns || ns == &init_mnt_ns || --ns->refs > 0)
		return;
	if (ns->root)
		mnt_detach_tree(ns->root);
	put_user_ns(ns->user_ns);
	free(ns);
}

unsigned int mnt_ns_inum(const struct mnt_namespace *ns)
{
	return ns->inum;
}

struct user_namespace *mnt_ns_user_ns(const struct mnt_namespace *ns)
{
	return ns->user_ns;
}

/* A copy of the tree under m (m included) for namespace ns, attached
 * under parent; in mount order.  Returns the copy of m. */
static struct mount *copy_tree(const struct mount *m, struct mnt_namespace *ns,
			       struct mount *parent, bool for_new_ns)
{
	struct mount *c = mnt_alloc(m->sb, m->root, m->path);
	if (!c)
		return NULL;
	c->mflags = m->mflags;
	if (for_new_ns) {
		/* a new namespace's copies are the peers and slaves of the
		 * originals (Linux's copy_mnt_ns with CL_SHARED_TO_SLAVE off) */
		c->propagation = m->propagation;
		c->group = m->group;
		c->master = m->master;
		c->locked = m->locked || ns->user_ns != m->ns->user_ns;
	}
	mnt_attach(c, ns, parent);
	mnt_put(c);
	struct list_head *p;
	for (p = m->children.next; p != &m->children; p = p->next) {
		struct mount *ch = list_entry(p, struct mount, child_link);
		if (!for_new_ns && ch->propagation == MS_UNBINDABLE)
			continue;
		if (!copy_tree(ch, ns, c, for_new_ns))
			return NULL;
	}
	return c;
}

/*
 * copy_mnt_ns - the mount namespace a CLONE_NEWNS child or unshare gets:
 * a copy of old's tree (the same paths, so the task's cwd and root
 * strings stay valid), owned by user_ns.  A copy made for a less
 * privileged user namespace locks the flags of its mounts (MNT_LOCK_*:
 * they cannot be made writable, suid... there).  -ENOMEM.
 */
struct mnt_namespace *copy_mnt_ns(struct mnt_namespace *old, struct user_namespace *user_ns,
				  int *err)
{
	struct mnt_namespace *ns = calloc(1, sizeof *ns);
	if (!ns) {
		*err = -ENOMEM;
		return NULL;
	}
	ns->refs = 1;
	list_init(&ns->mounts);
	waitq_init(&ns->poll);
	ns->user_ns = get_user_ns(user_ns);
	ns->inum = ns_alloc_inum();
	ns->id = ++mnt_ns_ids;
	if (old->root && !copy_tree(old->root, ns, NULL, true)) {
		put_mnt_ns(ns);
		*err = -ENOMEM;
		return NULL;
	}
	return ns;
}

/* ---- resolving a path to its mount ---- */

/* The mount stacked on m at its own mount point, topmost. */
static struct mount *topmost(struct mount *m)
{
	for (;;) {
		struct mount *up = NULL;
		struct list_head *p;
		for (p = m->children.next; p != &m->children; p = p->next) {
			struct mount *c = list_entry(p, struct mount, child_link);
			if (!strcmp(c->path, m->path))
				up = c;   /* the newest wins */
		}
		if (!up)
			return m;
		m = up;
	}
}

/*
 * mnt_lookup - the mount owning absolute path abs in namespace ns: from
 * the root mount, cross into the child mounted at the first mount point
 * along abs, and so on.  NULL if the namespace has no root.
 */
static struct mount *mnt_lookup(struct mnt_namespace *ns, const char *abs)
{
	struct mount *m = ns->root;
	if (!m)
		return NULL;
	m = topmost(m);
	for (;;) {
		struct mount *next = NULL;
		size_t best = SIZE_MAX;
		struct list_head *p;
		for (p = m->children.next; p != &m->children; p = p->next) {
			struct mount *c = list_entry(p, struct mount, child_link);
			size_t len = strlen(c->path);
			if (!strcmp(c->path, m->path) || !path_under(abs, c->path))
				continue;
			if (len < best || (len == best)) {
				/* the first mount point on the way; the newest of a tie */
				best = len;
				next = c;
			}
		}
		if (!next)
			return m;
		m = topmost(next);
	}
}

/*
 * vfs_find_mount - the mount owning absolute path abs in the current
 * task's mount namespace; *rel (if rel) is the path inside the
 * filesystem: a pointer into abs, or into buf (PATH_MAX bytes) for a
 * bind mount showing a subdirectory ("" is the filesystem's root).  NULL
 * if nothing is mounted at "/".
 */
struct mount *vfs_find_mount(const char *abs, const char **rel, char *buf)
{
	return vfs_find_mount_ns(current_mnt_ns(), abs, rel, buf);
}

struct mount *vfs_find_mount_ns(struct mnt_namespace *ns, const char *abs, const char **rel,
				char *buf)
{
	struct mount *m = mnt_lookup(ns ? ns : current_mnt_ns(), abs);
	if (m && rel)
		*rel = mnt_rel(m, abs, buf);
	return m;
}

/* file_mnt_ns - the namespace f->path names a place of: its mount's
 * (a dirfd opened before unshare or setns still walks its own tree),
 * else the current task's. */
struct mnt_namespace *file_mnt_ns(const struct file *f)
{
	if (f && f->mnt && f->mnt_held && f->mnt->ns)
		return f->mnt->ns;
	return current_mnt_ns();
}

/*
 * mnt_rel - the path inside m's filesystem of abs (a path under m's
 * mount point): into abs when m shows its filesystem's root, else built
 * in buf (PATH_MAX bytes; "" and a truncated path if buf is NULL).
 */
const char *mnt_rel(const struct mount *m, const char *abs, char *buf)
{
	size_t len = strlen(m->path);
	const char *r = abs + (len == 1 ? 0 : len);
	while (*r == '/')
		r++;
	if (!m->root[0])
		return r;
	if (!buf)
		return m->root;
	snprintf(buf, PATH_MAX, "%s%s%s", m->root, *r ? "/" : "", r);
	return buf;
}

/* ---- boot-time mounts ---- */

/*
 * vfs_mount - mounts filesystem (ops, priv) at absolute guest path in
 * the initial namespace, on whatever is there (a later mount hides the
 * earlier one).  Returns 0, -EINVAL for a relative path, -ENOMEM.
 */
int vfs_mount(const char *path, const struct fs_ops *ops, void *priv, const char *fstype,
	      const char *source)
{
	if (path[0] != '/')
		return -EINVAL;
	struct super_block *sb = sb_new(ops, priv, fstype, source, NULL);
	if (!sb)
		return -ENOMEM;
	struct mount *m = mnt_alloc(sb, "", path);
	sb_put(sb);
	if (!m)
		return -ENOMEM;
	struct mount *parent = mnt_lookup(&init_mnt_ns, m->path);
	mnt_attach(m, &init_mnt_ns, parent);
	mnt_put(m);
	return 0;
}

/* vfs_umount - removes the topmost mount at path of the initial
 * namespace (and what is mounted under it): 0 or -EINVAL. */
int vfs_umount(const char *path)
{
	struct mount *m = mnt_lookup(&init_mnt_ns, path);
	if (!m || strcmp(m->path, path))
		return -EINVAL;
	mnt_detach_tree(m);
	return 0;
}

/* statfs's f_flags for m (Linux's calculate_f_flags: ST_RDONLY,
 * ST_NOSUID, ST_NODEV, ST_NOEXEC, ST_NOATIME, ST_RELATIME...), plus
 * ST_VALID. */
int64_t mnt_statfs_flags(const struct mount *m)
{
	int64_t f = 0x0020;   /* ST_VALID */
	if ((m->mflags & MS_RDONLY) || (m->sb && (m->sb->flags & MS_RDONLY)))
		f |= 1;
	if (m->mflags & MS_NOSUID)
		f |= 2;
	if (m->mflags & MS_NODEV)
		f |= 4;
	if (m->mflags & MS_NOEXEC)
		f |= 8;
	if (m->mflags & MS_NOATIME)
		f |= 1024;
	if (m->mflags & MS_NODIRATIME)
		f |= 2048;
	if (!(m->mflags & (MS_NOATIME | MS_STRICTATIME)))
		f |= 4096;   /* ST_RELATIME, the default */
	if (m->mflags & MS_NOSYMFOLLOW)
		f |= 0x2000; /* ST_NOSYMFOLLOW */
	return f;
}

/* mnt_want_write - -EROFS if m (or its filesystem) is read-only. */
int mnt_want_write(const struct mount *m)
{
	if (m && ((m->mflags & MS_RDONLY) || (m->sb && (m->sb->flags & MS_RDONLY))))
		return -EROFS;
	return 0;
}

/* ---- the filesystem-type registry ---- */

static struct fs_type *fs_types;

/*
 * register_filesystem - makes type fst mountable by mount(2) (its name is
 * the fstype argument).  -EBUSY if the name is taken.  Call at start-up
 * (ipc/ registers mqueue here).
 */
int register_filesystem(struct fs_type *fst)
{
	for (struct fs_type *p = fs_types; p; p = p->next)
		if (!strcmp(p->name, fst->name))
			return -EBUSY;
	struct fs_type **pp = &fs_types;
	while (*pp)
		pp = &(*pp)->next;
	fst->next = NULL;
	*pp = fst;
	return 0;
}

struct fs_type *get_fs_type(const char *name)
{
	for (struct fs_type *p = fs_types; p; p = p->next)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

/* Walks the registry (for /proc/filesystems). */
struct fs_type *fs_type_next(struct fs_type *prev)
{
	return prev ? prev->next : fs_types;
}

/* ---- built-in types ---- */

/* A size= value (Linux's memparse with shmem's "N%" of RAM): bytes, or
 * -EINVAL. */
static int64_t tmpfs_size_opt(const char *v)
{
	char *end;
	unsigned long long n;

	if (!v || !*v)
		return -EINVAL;
	n = strtoull(v, &end, 0);
	if (*end == '%') {
		if (end[1] || n > 100)
			return -EINVAL;
		return (int64_t)((unsigned long long)sysconf(_SC_PHYS_PAGES) * 4096ULL / 100 * n);
	}
	switch (*end) {
	case 'e': case 'E': n <<= 10; /* fall through */
	case 'p': case 'P': n <<= 10; /* fall through */
	case 't': case 'T': n <<= 10; /* fall through */
	case 'g': case 'G': n <<= 10; /* fall through */
	case 'm': case 'M': n <<= 10; /* fall through */
	case 'k': case 'K': n <<= 10; end++; break;
	case 0: break;
	default: return -EINVAL;
	}
	if (*end)
		return -EINVAL;
	return n > INT64_MAX ? INT64_MAX : (int64_t)n;
}

/* tmpfs options: mode=, uid=, gid=, size= (ENOSPC past it; df shows it;
 * 0 is no limit), nr_blocks= (size in pages); nr_inodes=... accepted. */
static int tmpfs_type_mount(struct task *t, const char *source, int flags, const char *data,
			    struct super_block **out)
{
	uint32_t mode = 01777, uid = t->cred.fsuid, gid = t->cred.fsgid;
	int64_t size = -1;
	char *opts = data ? strdup(data) : NULL, *save = NULL;
	(void)flags;
	if (data && !opts)
		return -ENOMEM;
	for (char *o = opts ? strtok_r(opts, ",", &save) : NULL; o; o = strtok_r(NULL, ",", &save)) {
		char *v = strchr(o, '=');
		if (v)
			*v++ = 0;
		if (!strcmp(o, "mode") && v) {
			mode = (uint32_t)strtoul(v, NULL, 8) & 07777;
		} else if (!strcmp(o, "uid") && v) {
			uid = make_kuid(t->user_ns, (uint32_t)strtoul(v, NULL, 10));
		} else if (!strcmp(o, "gid") && v) {
			gid = make_kgid(t->user_ns, (uint32_t)strtoul(v, NULL, 10));
		} else if (!strcmp(o, "size") || !strcmp(o, "nr_blocks")) {
			size = tmpfs_size_opt(v);
			if (size < 0) {
				free(opts);
				return -EINVAL;
			}
			if (o[1] == 'r')
				size = size > INT64_MAX / 4096 ? INT64_MAX : size * 4096;
		} else if (!strcmp(o, "nr_inodes") ||
			   !strcmp(o, "inode64") || !strcmp(o, "inode32") || !strcmp(o, "huge") ||
			   !strcmp(o, "mpol") || !strcmp(o, "noswap") || !strcmp(o, "quota") ||
			   !strcmp(o, "newinstance") || !strcmp(o, "context")) {
			/* accepted: no limits to enforce */
		} else if (*o) {
			free(opts);
			return -EINVAL;
		}
	}
	free(opts);
	if (uid == (uint32_t)-1 || gid == (uint32_t)-1)
		return -EINVAL;
	void *fs = tmpfs_new_owned(mode, uid, gid);
	if (!fs)
		return -ENOMEM;
	if (size > 0)
		tmpfs_set_size(fs, (uint64_t)size);
	*out = sb_new(&tmpfs_ops, fs, "tmpfs", source, tmpfs_free);
	if (!*out) {
		tmpfs_free(fs);
		return -ENOMEM;
	}
	if (data)
		(*out)->options = strdup(data);
	return 0;
}

/* proc: an instance for the mounter's pid namespace. */
static void proc_kill(void *priv)
{
	put_pid_ns(priv);
}

static int proc_type_mount(struct task *t, const char *source, int flags, const char *data,
			   struct super_block **out)
{
	struct pid_namespace *ns = get_pid_ns(task_active_pid_ns(t));
	(void)flags, (void)data;
	*out = sb_new(&procfs_ops, ns, "proc", source, proc_kill);
	if (!*out) {
		put_pid_ns(ns);
		return -ENOMEM;
	}
	return 0;
}

/* The instances there is one of: sysfs, devtmpfs, devpts (the boot
 * mount's filesystem is shown again). */
static int shared_type_mount(const char *fstype, const struct fs_ops *ops, const char *source,
			     struct super_block **out)
{
	struct list_head *p;
	for (p = init_mnt_ns.mounts.next; p != &init_mnt_ns.mounts; p = p->next) {
		struct mount *m = list_entry(p, struct mount, link);
		if (m->ops == ops && !strcmp(m->sb->fstype, fstype)) {
			*out = sb_new(ops, m->priv, fstype, source, NULL);
			if (!*out)
				return -ENOMEM;
			(*out)->dev = m->dev;
			return 0;
		}
	}
	*out = sb_new(ops, NULL, fstype, source, NULL);
	return *out ? 0 : -ENOMEM;
}

static int sysfs_type_mount(struct task *t, const char *source, int flags, const char *data,
			    struct super_block **out)
{
	(void)t, (void)flags, (void)data;
	return shared_type_mount("sysfs", sysfs_fs_ops(), source, out);
}

static int devtmpfs_type_mount(struct task *t, const char *source, int flags, const char *data,
			       struct super_block **out)
{
	(void)t, (void)flags, (void)data;
	return shared_type_mount("devtmpfs", &devfs_ops, source, out);
}

static int devpts_type_mount(struct task *t, const char *source, int flags, const char *data,
			     struct super_block **out)
{
	(void)t, (void)flags, (void)data;
	*out = sb_new(&devpts_fs_ops, NULL, "devpts", source, NULL);
	return *out ? 0 : -ENOMEM;
}

static struct fs_type builtin_types[] = {
	{ .name = "tmpfs", .flags = FS_USERNS_MOUNT, .mount = tmpfs_type_mount },
	{ .name = "proc", .flags = FS_USERNS_MOUNT, .mount = proc_type_mount },
	{ .name = "sysfs", .flags = FS_USERNS_MOUNT, .mount = sysfs_type_mount },
	{ .name = "devtmpfs", .flags = 0, .mount = devtmpfs_type_mount },
	{ .name = "devpts", .flags = FS_USERNS_MOUNT, .mount = devpts_type_mount },
};

/* fs_register_builtin - the types of fs/ (at start-up, once). */
void fs_register_builtin(void)
{
	static bool done;
	if (done)
		return;
	done = true;
	for (size_t i = 0; i < ARRAY_SIZE(builtin_types); i++)
		register_filesystem(&builtin_types[i]);
	hugetlbfs_register();   /* hugetlbfs.c */
	overlayfs_register();   /* overlayfs.c */
}

/* ---- propagation ---- */

/* The mounts that receive events of m's peer group (its peers, in
 * every namespace, and the slaves of the group), m excluded. */
static bool receives_from(const struct mount *o, const struct mount *m)
{
	if (o == m || !o->ns)
		return false;
	if (m->propagation != MS_SHARED || !m->group)
		return false;
	return (o->propagation == MS_SHARED && o->group == m->group) || o->master == m->group;
}

/* Every namespace, for propagation: the mounts are reached through the
 * tasks' namespaces. */
#define MAX_NS_WALK 256
static int all_namespaces(struct mnt_namespace **out, int max)
{
	int n = 0;
	struct list_head *p;
	out[n++] = &init_mnt_ns;
	for (p = all_tasks.next; p != &all_tasks; p = p->next) {
		struct task *t = list_entry(p, struct task, all);
		struct mnt_namespace *ns = t->nsproxy ? t->nsproxy->mnt_ns : NULL;
		bool seen = false;
		if (!ns)
			continue;
		for (int i = 0; i < n && !seen; i++)
			seen = out[i] == ns;
		if (!seen && n < max)
			out[n++] = ns;
	}
	return n;
}

/* mnt_ns_lookup_id - the mount namespace with id (statmount and
 * listmount's mnt_ns_id) among those tasks use: NULL if none. */
struct mnt_namespace *mnt_ns_lookup_id(uint64_t id)
{
	struct mnt_namespace *nss[MAX_NS_WALK];
	int n = all_namespaces(nss, MAX_NS_WALK);
	for (int i = 0; i < n; i++)
		if (nss[i]->id == id)
			return nss[i];
	return NULL;
}

/* A new mount m was attached under parent: copies of it go under every
 * mount receiving parent's events, at the same place relative to them.
 * The copies of a mount on a shared parent join a peer group with it. */
static void propagate_mnt(struct mount *m)
{
	struct mount *parent = m->parent;
	if (!parent || parent->propagation != MS_SHARED)
		return;
	struct mnt_namespace *nss[MAX_NS_WALK];
	int nn = all_namespaces(nss, MAX_NS_WALK);
	/* the receivers as they are before any copy: a copy joins parent's
	 * peer group and must not receive one in turn (a bind of / onto a
	 * shared / made copies of copies without end, klock held) */
	struct mount **rcv = NULL;
	size_t nr = 0, cap = 0;
	for (int i = 0; i < nn; i++) {
		struct list_head *p;
		for (p = nss[i]->mounts.next; p != &nss[i]->mounts; p = p->next) {
			struct mount *o = list_entry(p, struct mount, link);
			if (!receives_from(o, parent) || mnt_is_ancestor(m, o))
				continue;
			if (nr == cap) {
				struct mount **nrcv = realloc(rcv, (cap = cap ? 2 * cap : 16) * sizeof(*rcv));
				if (!nrcv)
					break;
				rcv = nrcv;
			}
			rcv[nr++] = mnt_get(o);
		}
	}
	for (size_t k = 0; k < nr; k++) {
		{
			struct mount *o = rcv[k];
			if (!o->ns) {
				mnt_put(o);
				continue;
			}
			const char *tail = m->path + (strlen(parent->path) == 1 ? 0 : strlen(parent->path));
			char path[PATH_MAX];
			snprintf(path, sizeof path, "%s%s", strcmp(o->path, "/") ? o->path : "",
				 *tail ? tail : "");
			if (!path[0])
				strcpy(path, "/");
			struct mount *c = mnt_alloc(m->sb, m->root, path);
			if (!c) {
				mnt_put(o);
				continue;
			}
			c->mflags = m->mflags;
			if (m->propagation == MS_SHARED) {
				c->propagation = o->propagation == MS_SHARED ? MS_SHARED : MS_SLAVE;
				if (c->propagation == MS_SHARED)
					c->group = m->group;
				else
					c->master = m->group;
			}
			mnt_attach(c, o->ns, o);
			mnt_put(c);
			mnt_put(o);
			/* the copy's own children are not copied: a new mount has none */
		}
	}
	free(rcv);
}

/* m is being unmounted: the mounts at the same place under receivers of
 * its parent's events go too, when nothing is mounted on them (Linux's
 * propagate_umount). */
static void propagate_umount(struct mount *m)
{
	struct mount *parent = m->parent, *victims[64];
	int nv = 0;
	if (!parent || parent->propagation != MS_SHARED)
		return;
	struct mnt_namespace *nss[MAX_NS_WALK];
	int nn = all_namespaces(nss, MAX_NS_WALK);
	const char *tail = m->path + (strlen(parent->path) == 1 ? 0 : strlen(parent->path));
	for (int i = 0; i < nn; i++) {
		struct list_head *p;
		for (p = nss[i]->mounts.next; p != &nss[i]->mounts; p = p->next) {
			struct mount *o = list_entry(p, struct mount, link);
			if (!receives_from(o, parent))
				continue;
			struct list_head *cp;
			for (cp = o->children.next; cp != &o->children; cp = cp->next) {
				struct mount *c = list_entry(cp, struct mount, child_link);
				const char *ct = c->path + (strlen(o->path) == 1 ? 0 : strlen(o->path));
				if (c != m && c->sb == m->sb && !strcmp(ct, tail) &&
				    list_empty(&c->children) && nv < (int)ARRAY_SIZE(victims)) {
					victims[nv++] = c;
					break;
				}
			}
		}
	}
	for (int i = 0; i < nv; i++)
		mnt_detach_tree(victims[i]);
}

/* ---- mount(2) ---- */

static int may_mount(struct task *t)
{
	return ns_capable(t, current_mnt_ns()->user_ns, CAP_SYS_ADMIN) ? 0 : -EPERM;
}

/* Resolves a user path for mount/umount: nd filled, must exist. */
static int mnt_walk(struct task *t, uint64_t upath, int flags, struct nameidata *nd)
{
	char *p = malloc(PATH_MAX);
	if (!p)
		return -ENOMEM;
	long n = strncpy_from_user(t, p, upath, PATH_MAX);
	int err = n < 0 ? (int)n : 0;
	if (!err && !p[0])
		err = -ENOENT;
	if (!err)
		err = vfs_walk(t, AT_FDCWD, p, flags, nd);
	free(p);
	if (!err && !nd->exists) {
		nd_release(nd);
		err = -ENOENT;
	}
	if (!err && nd->magic) {
		/* /proc/PID/fd/N, or a path given as an fd: its own path */
		struct file *f = nd->magic;
		nd->magic = NULL;
		if (f->path[0] != '/') {
			file_put(f);
			return -EINVAL;
		}
		snprintf(nd->abs, sizeof nd->abs, "%s", f->path);
		nd->ns = file_mnt_ns(f);
		file_put(f);
		nd->mnt = vfs_find_mount_ns(nd->ns, nd->abs, &nd->rel, nd->relbuf);
		if (!nd->mnt || nd->mnt->ops->lookup(nd->mnt, nd->rel, &nd->st))
			return -ENOENT;
		/* an O_PATH fd of a symlink (itself a /proc/PID/fd link):
		 * nothing to mount on or from, as Linux since d80b065bb172 */
		if (S_ISLNK(nd->st.mode))
			return -ENOENT;
	}
	return err;
}

/* Whether nd names the root of its mount (a mount point). */
static bool nd_is_mnt_root(const struct nameidata *nd)
{
	return nd->mnt && !strcmp(nd->mnt->path, nd->abs);
}

/* Attaches m (for mount point nd) and propagates it. */
static void graft(struct mount *m, struct nameidata *nd)
{
	struct mount *parent = nd->mnt;
	mnt_attach(m, parent->ns, parent);
	propagate_mnt(m);
}

static int do_new_mount(struct task *t, struct nameidata *nd, const char *type, int flags,
			const char *source, const char *data)
{
	struct fs_type *fst = get_fs_type(type);
	struct super_block *sb;
	if (!fst)
		return -ENODEV;
	if (!(fst->flags & FS_USERNS_MOUNT) && !capable(t, CAP_SYS_ADMIN))
		return -EPERM;
	int err = fst->mount(t, source, flags, data, &sb);
	if (err)
		return err;
	/* the same filesystem on the same place again (a block device's
	 * one super_block); a filesystem's root on a non-directory */
	if (nd_is_mnt_root(nd) && nd->mnt->sb == sb)
		err = -EBUSY;
	else if (!S_ISDIR(nd->st.mode))
		err = -ENOTDIR;
	if (err) {
		sb_put(sb);
		return err;
	}
	if (flags & MS_RDONLY)
		sb->flags |= MS_RDONLY;
	struct mount *m = mnt_alloc(sb, "", nd->abs);
	sb_put(sb);
	if (!m)
		return -ENOMEM;
	m->mflags = flags & MNT_FLAGS & ~MS_RDONLY;
	m->mflags |= flags & MS_RDONLY;
	graft(m, nd);
	mnt_put(m);   /* the namespace holds it */
	return 0;
}

/* bind (and with MS_REC, the mounts below it) the tree at old onto nd. */
static int do_loopback(struct task *t, struct nameidata *nd, uint64_t uold, bool recurse)
{
	struct nameidata old;
	int err = mnt_walk(t, uold, WALK_FOLLOW, &old);
	if (err)
		return err;
	struct mount *om = old.mnt;
	if (!om || !om->ns) {
		nd_release(&old);
		return -EINVAL;
	}
	if (om->propagation == MS_UNBINDABLE) {
		nd_release(&old);
		return -EINVAL;
	}
	/* a directory on a directory, a file on a file */
	if (S_ISDIR(old.st.mode) != S_ISDIR(nd->st.mode)) {
		nd_release(&old);
		return -ENOTDIR;
	}
	/* the source's place in its filesystem */
	char root[PATH_MAX];
	snprintf(root, sizeof root, "%s", old.rel);
	struct mount *m = mnt_alloc(om->sb, root, nd->abs);
	if (!m) {
		nd_release(&old);
		return -ENOMEM;
	}
	m->mflags = om->mflags;
	m->locked = false;   /* a new bind may go again; the copies below keep their locks */
	/* a bind of a shared mount is its peer; of a slave, a slave of the
	 * same master (Linux's clone_mnt) */
	if (om->propagation == MS_SHARED) {
		m->propagation = MS_SHARED;
		m->group = om->group;
	} else if (om->propagation == MS_SLAVE) {
		m->propagation = MS_SLAVE;
		m->master = om->master;
	}
	graft(m, nd);
	if (recurse) {
		/* the mounts under the source, at the same places under m */
		struct list_head *p;
		size_t olen = strlen(old.abs);
		for (p = om->ns->mounts.next; p != &om->ns->mounts; p = p->next) {
			struct mount *c = list_entry(p, struct mount, link);
			if (c == m || !mnt_is_ancestor(om, c) || c == om || mnt_is_ancestor(m, c))
				continue;
			if (!path_under(c->path, old.abs) || !strcmp(c->path, old.abs))
				continue;
			bool unbindable = false;
			for (struct mount *a = c; a && a != om; a = a->parent)
				unbindable |= a->propagation == MS_UNBINDABLE;
			if (unbindable)
				continue;
			char path[PATH_MAX];
			snprintf(path, sizeof path, "%s%s", strcmp(nd->abs, "/") ? nd->abs : "",
				 c->path + (olen == 1 ? 0 : olen));
			struct mount *parent = mnt_lookup(m->ns, path);
			struct mount *cc = mnt_alloc(c->sb, c->root, path);
			if (!cc || !parent) {
				mnt_put(cc);
				continue;
			}
			cc->mflags = c->mflags;
			cc->locked = c->locked;
			/* the parent is the copy made of c's parent, when there is one */
			mnt_attach(cc, m->ns, parent);
			mnt_put(cc);
		}
	}
	mnt_put(m);
	nd_release(&old);
	return 0;
}

/* Whether another mount (in any namespace) shares m's peer group. */
static bool has_peer(const struct mount *m)
{
	struct mnt_namespace *nss[MAX_NS_WALK];
	int nn = all_namespaces(nss, MAX_NS_WALK);
	for (int i = 0; i < nn; i++) {
		struct list_head *p;
		for (p = nss[i]->mounts.next; p != &nss[i]->mounts; p = p->next) {
			struct mount *o = list_entry(p, struct mount, link);
			if (o != m && o->propagation == MS_SHARED && o->group == m->group)
				return true;
		}
	}
	return false;
}

/* Sets the propagation type of nd's mount (and below, with MS_REC). */
static int do_change_type(struct nameidata *nd, int flags)
{
	int type = flags & MS_PROPAGATION;
	if (!nd_is_mnt_root(nd))
		return -EINVAL;
	if (flags & ~(MS_PROPAGATION | MS_REC | MS_SILENT))
		return -EINVAL;
	if (type & (type - 1))
		return -EINVAL;   /* exactly one type */
	struct mount *top = nd->mnt;
	struct list_head *p;
	for (p = top->ns->mounts.next; p != &top->ns->mounts; p = p->next) {
		struct mount *m = list_entry(p, struct mount, link);
		if (m != top && (!(flags & MS_REC) || !mnt_is_ancestor(top, m)))
			continue;
		switch (type) {
		case MS_SHARED:
			if (m->propagation != MS_SHARED || !m->group)
				m->group = ++peer_group_ids;
			m->propagation = MS_SHARED;
			break;
		case MS_SLAVE:
			/* a shared mount's group becomes what it receives from,
			 * if the group has another member (Linux's do_make_slave:
			 * without peers it just stops being shared) */
			if (m->propagation == MS_SHARED && m->group && has_peer(m))
				m->master = m->group;
			m->group = 0;
			m->propagation = m->master ? MS_SLAVE : MS_PRIVATE;
			break;
		case MS_PRIVATE:
			m->group = m->master = 0;
			m->propagation = MS_PRIVATE;
			break;
		case MS_UNBINDABLE:
			m->group = m->master = 0;
			m->propagation = MS_UNBINDABLE;
			break;
		}
	}
	mnt_ns_changed(top->ns);
	return 0;
}

/* MS_REMOUNT: new per-mount flags (MS_BIND) or filesystem flags too. */
static int do_remount(struct nameidata *nd, int flags, const char *data)
{
	struct mount *m = nd->mnt;
	if (!nd_is_mnt_root(nd))
		return -EINVAL;
	int mf = flags & MNT_FLAGS;
	/* a mount a less privileged namespace copied may not lose these */
	if (m->locked) {
		if ((m->mflags & MS_RDONLY) && !(mf & MS_RDONLY))
			return -EPERM;
		if ((m->mflags & MS_NOSUID) && !(mf & MS_NOSUID))
			return -EPERM;
		if ((m->mflags & MS_NODEV) && !(mf & MS_NODEV))
			return -EPERM;
		if ((m->mflags & MS_NOEXEC) && !(mf & MS_NOEXEC))
			return -EPERM;
	}
	if (!(flags & MS_BIND)) {
		/* the filesystem itself too: read-only or not, its options;
		 * one going read-only writes back what it holds first */
		if (m->ops->remount_opts) {
			int err = m->ops->remount_opts(m, flags, data);
			if (err)
				return err;
		}
		if ((flags & MS_RDONLY) && !(m->sb->flags & MS_RDONLY) && m->ops->remount_ro) {
			int err = m->ops->remount_ro(m);
			if (err)
				return err;
		}
		if (flags & MS_RDONLY)
			m->sb->flags |= MS_RDONLY;
		else
			m->sb->flags &= ~MS_RDONLY;
		if (data && *data) {
			free(m->sb->options);
			m->sb->options = strdup(data);
		}
	}
	m->mflags = mf;
	mnt_ns_changed(m->ns);
	return 0;
}

/* MS_MOVE: the mount at uold (a mount root) and its tree go to nd. */
static int do_move_mount(struct task *t, struct nameidata *nd, uint64_t uold)
{
	struct nameidata old;
	int err = mnt_walk(t, uold, WALK_FOLLOW, &old);
	if (err)
		return err;
	err = mnt_move(&old, nd);
	nd_release(&old);
	return err;
}

/* mnt_move - the mount at old (a mount root) and its tree go to nd (an
 * existing path of the same namespace): 0, -EINVAL (not a mount root, the
 * namespace's root, another namespace, a shared parent), -ELOOP (into
 * itself), -ENOTDIR (a directory onto a file or the reverse).  MS_MOVE's
 * and move_mount(2)'s (do_move_mount). */
int mnt_move(struct nameidata *oldp, struct nameidata *nd)
{
	struct nameidata old = *oldp;
	struct mount *m = old.mnt;
	int err = -EINVAL;
	if (!nd_is_mnt_root(&old) || !m->parent || m->ns != nd->mnt->ns)
		goto out;
	if (m->parent->propagation == MS_SHARED)
		goto out;
	/* not into itself */
	err = -ELOOP;
	if (mnt_is_ancestor(m, nd->mnt))
		goto out;
	err = -ENOTDIR;
	if (S_ISDIR(old.st.mode) != S_ISDIR(nd->st.mode))
		goto out;
	mnt_rename_tree(m, old.abs, nd->abs);
	list_del(&m->child_link);
	m->parent = nd->mnt;
	list_add_tail(&m->child_link, &nd->mnt->children);
	mnt_ns_changed(m->ns);
	err = 0;
out:
	return err;
}

/* ---- for the new mount API (fsopen.c) ---- */

/* mnt_may_mount - 0, or -EPERM without CAP_SYS_ADMIN over the mount
 * namespace's user namespace (may_mount). */
int mnt_may_mount(struct task *t)
{
	return may_mount(t);
}

/* mnt_sb_put - drops a reference on sb (the last frees it). */
void mnt_sb_put(struct super_block *sb)
{
	sb_put(sb);
}

/* mnt_is_root - whether nd names the root of its mount. */
bool mnt_is_root(const struct nameidata *nd)
{
	return nd_is_mnt_root(nd);
}

/* mnt_new_detached - a mount of sb showing its directory root ("" the
 * top), in no namespace, with per-mount flags mflags (MS_*): one
 * reference, or NULL (ENOMEM).  fsmount's and open_tree's clones. */
struct mount *mnt_new_detached(struct super_block *sb, const char *root, int mflags)
{
	struct mount *m = mnt_alloc(sb, root, "/");
	if (m)
		m->mflags = mflags & MNT_FLAGS;
	return m;
}

/* mnt_attach_detached - puts detached m at nd (existing, a path of the
 * caller's namespace) and propagates it: 0, -EINVAL (attached already),
 * -ENOTDIR (a directory onto a file or the reverse), -ENOMEM. */
int mnt_attach_detached(struct mount *m, struct nameidata *nd, bool root_is_dir)
{
	if (m->ns || !nd->mnt || !nd->mnt->ns)
		return -EINVAL;
	if (root_is_dir != S_ISDIR(nd->st.mode))
		return -ENOTDIR;
	char *p = strdup(nd->abs);
	if (!p)
		return -ENOMEM;
	size_t len = strlen(p);
	while (len > 1 && p[len - 1] == '/')
		p[--len] = 0;
	free(m->path);
	m->path = p;
	graft(m, nd);
	return 0;
}

/*
 * mnt_beneath - move_mount(2)'s MOVE_MOUNT_BENEATH: m (detached, or
 * attached with old naming its root) goes under the top mount T at to,
 * between T and T's parent: mounted where T is, with T now on it, so
 * that unmounting T shows m (Linux's do_move_mount with
 * MNT_TREE_BENEATH).  0, -EINVAL (to is not a mount's root, or the
 * namespace's or the caller's root; m is T; another namespace; a shared
 * parent on either side, whose propagation umk does not do beneath),
 * -ELOOP (m above T), -ENOTDIR (a directory and a file), -ENOMEM.
 */
int mnt_beneath(struct task *t, struct mount *m, struct nameidata *old, struct nameidata *to,
		bool root_is_dir)
{
	struct mount *top = to->mnt;
	const char *root = t->fs && t->fs->root ? t->fs->root : "/";
	if (!top || !top->ns || !nd_is_mnt_root(to) || !top->parent || m == top)
		return -EINVAL;
	if (!strcmp(top->path, root))
		return -EINVAL;        /* beneath the caller's root */
	struct mount *parent = top->parent;
	if (parent->propagation == MS_SHARED)
		return -EINVAL;
	if (m->ns) {
		if (!old || !nd_is_mnt_root(old) || !m->parent || m->ns != top->ns)
			return -EINVAL;
		if (m->parent->propagation == MS_SHARED)
			return -EINVAL;
		if (mnt_is_ancestor(m, top))
			return -ELOOP;
		root_is_dir = S_ISDIR(old->st.mode);
	}
	if (root_is_dir != S_ISDIR(to->st.mode))
		return -ENOTDIR;
	if (m->ns) {
		mnt_rename_tree(m, old->abs, top->path);
		list_del(&m->child_link);
		m->parent = parent;
		list_add_tail(&m->child_link, &parent->children);
	} else {
		char *p = strdup(top->path);
		if (!p)
			return -ENOMEM;
		free(m->path);
		m->path = p;
		mnt_attach(m, top->ns, parent);
	}
	/* T now sits on m, at the same place */
	list_del(&top->child_link);
	top->parent = m;
	list_add_tail(&top->child_link, &m->children);
	mnt_ns_changed(top->ns);
	return 0;
}

/* mnt_setattr - mount_setattr(2) on m (and the mounts below it if
 * recursive): per-mount flags set and cleared (MS_*), then a propagation
 * type (MS_SHARED...; 0 none).  -EPERM to clear a locked flag. */
int mnt_setattr(struct mount *top, int set, int clr, int propagation, bool recursive)
{
	struct list_head *p;
	for (int pass = 0; pass < 2; pass++) {
		for (p = top->ns->mounts.next; p != &top->ns->mounts; p = p->next) {
			struct mount *m = list_entry(p, struct mount, link);
			if (m != top && (!recursive || !mnt_is_ancestor(top, m)))
				continue;
			int nf = (m->mflags & ~clr) | set;
			if (pass == 0) {
				/* a mount copied for a less privileged namespace keeps these */
				if (m->locked && (m->mflags & ~nf & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)))
					return -EPERM;
				continue;
			}
			m->mflags = nf & MNT_FLAGS;
		}
	}
	mnt_ns_changed(top->ns);
	if (propagation) {
		struct nameidata nd;
		memset(&nd, 0, sizeof nd);
		nd.mnt = top;
		snprintf(nd.abs, sizeof nd.abs, "%s", top->path);
		return do_change_type(&nd, propagation | (recursive ? MS_REC : 0));
	}
	return 0;
}

/*
 * mount(2): source, target, filesystemtype, mountflags, data.  New mounts
 * come from the filesystem-type registry (tmpfs, proc, sysfs, devpts,
 * devtmpfs, and what other subsystems register: mqueue); MS_BIND (and
 * MS_REC), MS_REMOUNT (with MS_BIND: per-mount flags only), MS_MOVE,
 * MS_SHARED/PRIVATE/SLAVE/UNBINDABLE (with MS_REC).  Needs CAP_SYS_ADMIN
 * over the mount namespace's user namespace (EPERM).  -ENODEV for a type
 * umk does not have (block-device filesystems among them: no host
 * device is ever mounted), -ENOENT, -ENOTDIR, -EINVAL, -EFAULT.
 * Mirrors fs/namespace.c path_mount.
 */
long sys_mount(struct task *t, struct sysargs *a)
{
	unsigned long flags = a->a[3];
	char source[PATH_MAX], type[64];
	char *data = NULL;
	struct nameidata nd;
	long err;

	if ((flags & 0xffff0000UL) == 0xC0ED0000UL)   /* MS_MGC_VAL */
		flags &= ~0xffff0000UL;
	err = may_mount(t);
	if (err)
		return err;
	source[0] = type[0] = 0;
	if (a->a[0] && (err = strncpy_from_user(t, source, a->a[0], sizeof source)) < 0)
		return err;
	if (a->a[2] && (err = strncpy_from_user(t, type, a->a[2], sizeof type)) < 0)
		return err == -ENAMETOOLONG ? -ENODEV : err;
	if (a->a[4] && !(flags & (MS_BIND | MS_MOVE | MS_PROPAGATION))) {
		/* data: a string of options for the filesystems here (at most a page) */
		data = calloc(1, GUEST_PAGE_SIZE + 1);
		if (!data)
			return -ENOMEM;
		err = strncpy_from_user(t, data, a->a[4], GUEST_PAGE_SIZE);
		if (err == -ENAMETOOLONG)
			err = 0;   /* Linux copies one page, whatever is in it */
		if (err < 0) {
			free(data);
			return err;
		}
	}
	err = mnt_walk(t, a->a[1], (flags & MS_NOSYMFOLLOW) ? 0 : WALK_FOLLOW, &nd);
	if (err) {
		free(data);
		return err;
	}
	/* a Landlock domain handling filesystem rights may not change the
	 * mount tree (Linux's hook_sb_mount; sb_umount and sb_pivotroot below) */
	if ((err = landlock_sb_change(t)))
		;
	else if (flags & MS_REMOUNT)
		err = do_remount(&nd, (int)flags, data);
	else if (flags & MS_BIND)
		err = do_loopback(t, &nd, a->a[0], flags & MS_REC);
	else if (flags & MS_PROPAGATION)
		err = do_change_type(&nd, (int)flags);
	else if (flags & MS_MOVE)
		err = do_move_mount(t, &nd, a->a[0]);
	else if (!type[0])
		err = a->a[2] ? -ENODEV : -EINVAL;
	else
		err = do_new_mount(t, &nd, type, (int)flags, source[0] ? source : "none", data);
	nd_release(&nd);
	free(data);
	return err;
}

/*
 * umount2(2): target, flags (MNT_FORCE, MNT_DETACH, MNT_EXPIRE,
 * UMOUNT_NOFOLLOW).  The target must be a mount point (EINVAL); without
 * MNT_DETACH a mount with mounts under it or open files is busy (EBUSY);
 * MNT_DETACH takes it and its tree out at once, open files keep working.
 * The namespace's root cannot go (EINVAL; pivot_root first).  EPERM
 * without CAP_SYS_ADMIN over the namespace.  Mirrors ksys_umount.
 */
long sys_umount2(struct task *t, struct sysargs *a)
{
	int flags = arg_int(a, 1);
	struct nameidata nd;
	long err;
	if (flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE_ | UMOUNT_NOFOLLOW_))
		return -EINVAL;
	if ((flags & MNT_EXPIRE_) && (flags & (MNT_FORCE | MNT_DETACH)))
		return -EINVAL;
	err = may_mount(t);
	if (err)
		return err;
	err = mnt_walk(t, a->a[0], ((flags & UMOUNT_NOFOLLOW_) ? 0 : WALK_FOLLOW) | WALK_KEEP_EXPIRY, &nd);
	if (err)
		return err;
	struct mount *m = nd.mnt;
	err = -EINVAL;
	if (!nd_is_mnt_root(&nd) || !m->ns || m->ns != current_mnt_ns())
		goto out;
	if (!m->parent)
		goto out;   /* the namespace's root */
	/* a mount a less privileged user namespace got with its copy may not
	 * be taken away to reveal what is under it (MNT_LOCKED) */
	if (m->locked)
		goto out;
	if ((err = landlock_sb_change(t)))
		goto out;
	if (flags & MNT_EXPIRE_) {
		/* busy as below; else the first call marks it (EAGAIN) and a
		 * second one with no use in between (a walk that ends in it,
		 * a file of it closed) takes it; this walk keeps the mark, as
		 * Linux's path_umount puts its path with mntput_no_expire */
		err = -EBUSY;
		if (!list_empty(&m->children) || m->refs > 1)
			goto out;
		if (!m->expiry_mark) {
			m->expiry_mark = true;
			err = -EAGAIN;
			goto out;
		}
	}
	if (!(flags & MNT_DETACH)) {
		/* busy: mounts under it, or open files (the namespace holds one ref) */
		err = -EBUSY;
		if (!list_empty(&m->children) || m->refs > 1)
			goto out;
	}
	propagate_umount(m);
	mnt_detach_tree(m);
	err = 0;
out:
	nd_release(&nd);
	return err;
}

/* ---- path rewriting (pivot_root, MS_MOVE) ---- */

/* p with its prefix from replaced by to, in place (p is malloc'd). */
static char *repath(char *p, const char *from, const char *to)
{
	size_t fl = strlen(from);
	const char *tail = fl == 1 ? (strcmp(p, "/") ? p : "") : p + fl;
	char *n;
	if (asprintf(&n, "%s%s", strcmp(to, "/") ? to : "", tail) < 0)
		return p;
	if (!n[0]) {
		free(n);
		n = strdup("/");
		if (!n)
			return p;
	}
	free(p);
	return n;
}

/* The paths the namespace's tasks hold (cwd, root, open files) that lie
 * under from, now under to.  Only files opened in ns's mounts move. */
static void repath_tasks(struct mnt_namespace *ns, const char *from, const char *to,
			 bool (*match)(const char *path, const struct file *f, void *arg), void *arg)
{
	struct list_head *p;
	for (p = all_tasks.next; p != &all_tasks; p = p->next) {
		struct task *t = list_entry(p, struct task, all);
		if (!t->nsproxy || t->nsproxy->mnt_ns != ns)
			continue;
		if (t->fs && t->fs->repath_gen != repath_generation) {
			if (match(t->fs->cwd, NULL, arg))
				t->fs->cwd = repath(t->fs->cwd, from, to);
			if (match(t->fs->root, NULL, arg))
				t->fs->root = repath(t->fs->root, from, to);
			t->fs->repath_gen = repath_generation;
		}
		for (int fd = 0; t->files && fd < t->files->nfds; fd++) {
			struct file *f = t->files->files[fd];
			if (!f || !f->mnt || f->mnt->ns != ns || f->path[0] != '/' ||
			    f->repath_gen == repath_generation)
				continue;
			f->repath_gen = repath_generation;
			if (match(f->path, f, arg))
				f->path = repath(f->path, from, to);
		}
	}
}

static bool under_from(const char *path, const struct file *f, void *arg)
{
	(void)f;
	return path && path_under(path, arg);
}

/* MS_MOVE's renaming: m's tree and what tasks hold inside it. */
void mnt_rename_tree(struct mount *m, const char *from, const char *to)
{
	struct list_head *p;
	struct mnt_namespace *ns = m->ns;
	for (p = ns->mounts.next; p != &ns->mounts; p = p->next) {
		struct mount *c = list_entry(p, struct mount, link);
		if (mnt_is_ancestor(m, c))
			c->path = repath(c->path, from, to);
	}
	mnt_ns_changed(ns);
	repath_generation++;
	repath_tasks(ns, from, to, under_from, (void *)from);
}

struct pivot_arg { const char *new_root; const char *put_old; struct mount *new_mnt; };

static bool outside_new(const char *path, const struct file *f, void *arg)
{
	struct pivot_arg *pa = arg;
	if (!path)
		return false;
	if (f)   /* an open file moves with its mount */
		return !mnt_is_ancestor(pa->new_mnt, f->mnt);
	return !path_under(path, pa->new_root);
}

/*
 * pivot_root(2): new_root (a mount point, not the current root's mount)
 * becomes the namespace's root, and the old root is mounted at put_old
 * (a directory at or under new_root).  Paths change: what was under
 * new_root loses that prefix, the rest gains put_old's; the cwd and root
 * of the namespace's tasks and their open files follow, and those whose
 * root or cwd was the old root now have the new one (chroot_fs_refs).
 * -EINVAL (not mount points, put_old not under new_root, a shared
 * parent, new_root is the root), -EBUSY, -ENOTDIR, -EPERM.  Mirrors
 * fs/namespace.c pivot_root.
 */
long sys_pivot_root(struct task *t, struct sysargs *a)
{
	struct nameidata nn, on;
	long err = may_mount(t);
	if (err)
		return err;
	err = mnt_walk(t, a->a[0], WALK_FOLLOW | WALK_DIRECTORY, &nn);
	if (err)
		return err;
	err = mnt_walk(t, a->a[1], WALK_FOLLOW | WALK_DIRECTORY, &on);
	if (err) {
		nd_release(&nn);
		return err;
	}
	struct mnt_namespace *ns = current_mnt_ns();
	struct mount *new_mnt = nn.mnt, *root_mnt = mnt_lookup(ns, t->fs->root);
	if ((err = landlock_sb_change(t)))   /* Linux's hook_sb_pivotroot */
		goto out;
	err = -EINVAL;
	if (!root_mnt || new_mnt->ns != ns)
		goto out;
	/* Linux's order: EBUSY (new_root or put_old on the root's own mount)
	 * before the mount-point checks */
	if (new_mnt == root_mnt || on.mnt == root_mnt) {
		err = -EBUSY;
		goto out;
	}
	/* the caller's root must be its namespace's root mount */
	if (strcmp(root_mnt->path, t->fs->root))
		goto out;
	if (!nd_is_mnt_root(&nn) || !new_mnt->parent)
		goto out;   /* new_root: a mount point, attached */
	if (!path_under(on.abs, nn.abs))
		goto out;   /* put_old must be at or under new_root */
	if (!mnt_is_ancestor(new_mnt, on.mnt))
		goto out;   /* ... reachable through new_root's mount */
	if ((new_mnt->parent && new_mnt->parent->propagation == MS_SHARED) ||
	    on.mnt->propagation == MS_SHARED || root_mnt->propagation == MS_SHARED)
		goto out;

	char new_root[PATH_MAX], put_old[PATH_MAX];
	snprintf(new_root, sizeof new_root, "%s", nn.abs);
	/* put_old as it will read once new_root is "/" */
	size_t nl = strlen(new_root);
	snprintf(put_old, sizeof put_old, "%s", on.abs + (nl == 1 ? 0 : nl));
	if (!put_old[0])
		strcpy(put_old, "/");
	/* the mount put_old will be under: on.mnt (a mount of the new tree) */
	struct mount *put_old_mnt = on.mnt;

	/* 1. the tasks' paths (before the mounts' change) */
	struct pivot_arg pa = { new_root, put_old, new_mnt };
	struct list_head *p;
	repath_generation++;
	for (p = all_tasks.next; p != &all_tasks; p = p->next) {
		struct task *o = list_entry(p, struct task, all);
		if (!o->nsproxy || o->nsproxy->mnt_ns != ns || !o->fs ||
		    o->fs->repath_gen == repath_generation)
			continue;
		o->fs->repath_gen = repath_generation;
		/* chroot_fs_refs: the old root becomes the new root */
		if (!strcmp(o->fs->root, "/")) {
			/* stays "/" */
		} else if (path_under(o->fs->root, new_root)) {
			o->fs->root = repath(o->fs->root, new_root, "/");
		} else {
			o->fs->root = repath(o->fs->root, "/", put_old);
		}
		if (!strcmp(o->fs->cwd, "/"))
			;
		else if (path_under(o->fs->cwd, new_root))
			o->fs->cwd = repath(o->fs->cwd, new_root, "/");
		else
			o->fs->cwd = repath(o->fs->cwd, "/", put_old);
	}
	for (p = all_tasks.next; p != &all_tasks; p = p->next) {
		struct task *o = list_entry(p, struct task, all);
		if (!o->nsproxy || o->nsproxy->mnt_ns != ns)
			continue;
		for (int fd = 0; o->files && fd < o->files->nfds; fd++) {
			struct file *f = o->files->files[fd];
			if (!f || !f->mnt || f->mnt->ns != ns || f->path[0] != '/' ||
			    f->repath_gen == repath_generation)
				continue;
			f->repath_gen = repath_generation;
			if (outside_new(f->path, f, &pa))
				f->path = repath(f->path, "/", put_old);
			else if (path_under(f->path, new_root))
				f->path = repath(f->path, new_root, "/");
		}
	}

	/* 2. the mounts' paths: new_mnt's tree loses the prefix, the rest
	 * (the old root's tree) goes under put_old */
	for (p = ns->mounts.next; p != &ns->mounts; p = p->next) {
		struct mount *m = list_entry(p, struct mount, link);
		if (mnt_is_ancestor(new_mnt, m))
			m->path = repath(m->path, new_root, "/");
		else
			m->path = repath(m->path, "/", put_old);
	}
	/* 3. the tree: new_mnt is the root; the old root hangs at put_old
	 * (and gives its lock to the new root: the old one may go) */
	if (root_mnt->locked) {
		new_mnt->locked = true;
		root_mnt->locked = false;
	}
	list_del(&new_mnt->child_link);
	new_mnt->parent = NULL;
	struct mount *old_root = ns->root;
	ns->root = new_mnt;
	old_root->parent = put_old_mnt;
	list_add_tail(&old_root->child_link, &put_old_mnt->children);
	/* the namespace's list order is mount order: the old tree now sits
	 * on top of put_old, so it goes after the new tree */
	struct list_head moved = LIST_HEAD_INIT(moved), *q;
	list_for_each_safe(p, q, &ns->mounts) {
		struct mount *m = list_entry(p, struct mount, link);
		if (!mnt_is_ancestor(new_mnt, m) || mnt_is_ancestor(old_root, m)) {
			list_del(&m->link);
			list_add_tail(&m->link, &moved);
		}
	}
	list_for_each_safe(p, q, &moved) {
		list_del(p);
		list_add_tail(p, &ns->mounts);
	}
	mnt_ns_changed(ns);
	err = 0;
out:
	nd_release(&nn);
	nd_release(&on);
	return err;
}
