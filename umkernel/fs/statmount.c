/*
 * statmount.c - statmount(2) and listmount(2): a mount's attributes and
 * the mounts of a namespace, by 64-bit unique mount id (Linux's
 * fs/namespace.c, 6.18).
 *
 * In a nutshell: both take a struct mnt_id_req naming a mount by its
 * unique id (MNT_UNIQUE_ID_OFFSET + the old id umk shows in mountinfo;
 * statx's STATX_MNT_ID_UNIQUE gives the same number) in the caller's
 * mount namespace, or in another one named by mnt_ns_id (NS_GET_MNTNS_ID)
 * or by an nsfs fd (mnt_ns_fd).  statmount fills a struct statmount: the
 * fixed part with the numbers asked for, then a string area after it
 * whose first byte is an empty string every unset offset points at;
 * a string that comes out empty (no options, no subtype) leaves its
 * mask bit clear.  listmount returns the ids of the mounts below one
 * (or, for LSMT_ROOT, every mount the caller's root reaches, the root
 * included), in id order or reversed, from after a last id given.
 *
 * A mount the caller's root does not reach is EPERM without
 * CAP_SYS_ADMIN in the namespace's user namespace, as Linux's
 * is_path_reachable check.  Idmapped mounts do not exist in umk, so
 * MNT_UIDMAP/GIDMAP never come back; there are no security options.
 *
 * Lock: klock, held by the caller.
 */
#include "../kernel.h"
#include "fs.h"
#include "../kernel/task.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>

#define MNT_ID_REQ_SIZE_VER0 24
#define MNT_ID_REQ_SIZE_VER1 32
#define LSMT_ROOT UINT64_MAX
#define LISTMOUNT_REVERSE 1

#define STATMOUNT_SB_BASIC       0x0001U
#define STATMOUNT_MNT_BASIC      0x0002U
#define STATMOUNT_PROPAGATE_FROM 0x0004U
#define STATMOUNT_MNT_ROOT       0x0008U
#define STATMOUNT_MNT_POINT      0x0010U
#define STATMOUNT_FS_TYPE        0x0020U
#define STATMOUNT_MNT_NS_ID      0x0040U
#define STATMOUNT_MNT_OPTS       0x0080U
#define STATMOUNT_FS_SUBTYPE     0x0100U
#define STATMOUNT_SB_SOURCE      0x0200U
#define STATMOUNT_OPT_ARRAY      0x0400U
#define STATMOUNT_OPT_SEC_ARRAY  0x0800U
#define STATMOUNT_SUPPORTED_MASK 0x1000U
#define STATMOUNT_MNT_UIDMAP     0x2000U
#define STATMOUNT_MNT_GIDMAP     0x4000U
#define STATMOUNT_SUPPORTED      0x7fffU

#define MOUNT_ATTR_RDONLY      0x00000001
#define MOUNT_ATTR_NOSUID      0x00000002
#define MOUNT_ATTR_NODEV       0x00000004
#define MOUNT_ATTR_NOEXEC      0x00000008
#define MOUNT_ATTR_NOATIME     0x00000010
#define MOUNT_ATTR_STRICTATIME 0x00000020
#define MOUNT_ATTR_NODIRATIME  0x00000080
#define MOUNT_ATTR_NOSYMFOLLOW 0x00200000

struct mnt_id_req {
	uint32_t size;
	uint32_t mnt_ns_fd;           /* was "spare" */
	uint64_t mnt_id;
	uint64_t param;
	uint64_t mnt_ns_id;           /* VER1 */
};

struct statmount {
	uint32_t size;
	uint32_t mnt_opts;
	uint64_t mask;
	uint32_t sb_dev_major, sb_dev_minor;
	uint64_t sb_magic;
	uint32_t sb_flags;
	uint32_t fs_type;
	uint64_t mnt_id, mnt_parent_id;
	uint32_t mnt_id_old, mnt_parent_id_old;
	uint64_t mnt_attr, mnt_propagation, mnt_peer_group, mnt_master, propagate_from;
	uint32_t mnt_root, mnt_point;
	uint64_t mnt_ns_id;
	uint32_t fs_subtype, sb_source;
	uint32_t opt_num, opt_array;
	uint32_t opt_sec_num, opt_sec_array;
	uint64_t supported_mask;
	uint32_t mnt_uidmap_num, mnt_uidmap;
	uint32_t mnt_gidmap_num, mnt_gidmap;
	uint64_t spare2[43];
};
_Static_assert(sizeof(struct statmount) == 512, "struct statmount is 512 bytes");

/* copy_mnt_id_req: the request, size-versioned as copy_struct_from_user
 * reads it (bytes past what umk knows must be zero).  -EFAULT, -E2BIG,
 * -EINVAL (too small, both namespace selectors, no unique id). */
static int copy_mnt_id_req(struct task *t, uint64_t ureq, struct mnt_id_req *k)
{
	uint32_t usize;
	if (copy_from_user(t, &usize, ureq, sizeof usize))
		return -EFAULT;
	if (usize > 4096)
		return -E2BIG;
	if (usize < MNT_ID_REQ_SIZE_VER0)
		return -EINVAL;
	memset(k, 0, sizeof *k);
	if (copy_from_user(t, k, ureq, usize < sizeof *k ? usize : sizeof *k))
		return -EFAULT;
	for (uint64_t off = sizeof *k; off < usize; off++) {
		uint8_t b;
		if (copy_from_user(t, &b, ureq + off, 1))
			return -EFAULT;
		if (b)
			return -E2BIG;
	}
	if (k->mnt_ns_fd && k->mnt_ns_id)
		return -EINVAL;
	if (k->mnt_id <= MNT_UNIQUE_ID_OFFSET)
		return -EINVAL;
	return 0;
}

/* grab_requested_mnt_ns: the namespace the request names (mnt_ns_id, an
 * nsfs fd, or the caller's).  NULL with *err -ENOENT, -EBADF, -EINVAL. */
static struct mnt_namespace *requested_ns(struct task *t, const struct mnt_id_req *k, int *err)
{
	struct mnt_namespace *ns;
	if (k->mnt_ns_id) {
		ns = mnt_ns_lookup_id(k->mnt_ns_id);
		*err = -ENOENT;
		/* another namespace is seen only with CAP_SYS_ADMIN over it */
		if (ns && ns != current_mnt_ns() && !ns_capable(t, ns->user_ns, CAP_SYS_ADMIN))
			ns = NULL;
		return ns;
	}
	if (k->mnt_ns_fd) {
		struct file *f = fd_get(t, (int)k->mnt_ns_fd);
		if (!f) {
			*err = -EBADF;
			return NULL;
		}
		ns = nsfile_mnt_ns(f, err);
		file_put(f);
		return ns;
	}
	return current_mnt_ns();
}

/* The caller's root in ns: its own root directory in its own namespace,
 * the namespace's root elsewhere (grab_requested_root). */
static const char *requested_root(struct task *t, struct mnt_namespace *ns)
{
	if (ns == current_mnt_ns() && t->fs && t->fs->root)
		return t->fs->root;
	return "/";
}

/* Whether path p is root or lies below it (component boundary). */
static bool reaches(const char *root, const char *p)
{
	size_t n = strlen(root);
	if (n == 1)
		return true;
	return !strncmp(p, root, n) && (p[n] == '/' || p[n] == 0);
}

static struct mount *lookup_mnt_in_ns(struct mnt_namespace *ns, uint64_t id)
{
	struct list_head *p;
	for (p = ns->mounts.next; p != &ns->mounts; p = p->next) {
		struct mount *m = list_entry(p, struct mount, link);
		if (mnt_id_unique(m) == id)
			return m;
	}
	return NULL;
}

/* ---- statmount ---- */

struct kstatmount {
	struct statmount sm;
	char *str;                    /* the string area */
	size_t count, cap;
	size_t bufsize;               /* the caller's */
};

static int str_put(struct kstatmount *s, const char *p, size_t n)
{
	if (s->count + n + 1 > s->cap) {
		size_t cap = (s->count + n + 1) * 2;
		char *nb = realloc(s->str, cap);
		if (!nb)
			return -ENOMEM;
		s->str = nb;
		s->cap = cap;
	}
	memcpy(s->str + s->count, p, n);
	s->count += n;
	return 0;
}

/* Ends the string begun at start for flag: its offset in *offp and the
 * mask bit, or nothing if it came out empty; -EOVERFLOW if the caller's
 * buffer has no room for it and its NUL (statmount_string). */
static int str_end(struct kstatmount *s, size_t start, uint64_t flag, uint32_t *offp)
{
	if (sizeof s->sm + s->count >= s->bufsize)
		return -EOVERFLOW;
	if (s->count == start)
		return 0;
	int err = str_put(s, "", 1);
	if (err)
		return err;
	s->sm.mask |= flag;
	*offp = (uint32_t)start;
	return 0;
}

/* The filesystem's options, each in turn (sb->options is mount(2)'s
 * comma-separated data); fn gets each piece. */
static int each_opt(struct mount *m, struct kstatmount *s, bool nul)
{
	const char *o = m->sb && m->sb->options ? m->sb->options : "";
	int n = 0;
	while (*o) {
		size_t len = strcspn(o, ",");
		if (len) {
			if (!nul && n && str_put(s, ",", 1))
				return -ENOMEM;
			if (str_put(s, o, len) || (nul && str_put(s, "", 1)))
				return -ENOMEM;
			n++;
		}
		o += len;
		if (*o == ',')
			o++;
	}
	return n;
}

static uint64_t mnt_attr(const struct mount *m)
{
	uint64_t a = 0;
	if (m->mflags & MS_RDONLY) a |= MOUNT_ATTR_RDONLY;
	if (m->mflags & MS_NOSUID) a |= MOUNT_ATTR_NOSUID;
	if (m->mflags & MS_NODEV) a |= MOUNT_ATTR_NODEV;
	if (m->mflags & MS_NOEXEC) a |= MOUNT_ATTR_NOEXEC;
	if (m->mflags & MS_NOATIME) a |= MOUNT_ATTR_NOATIME;
	else if (m->mflags & MS_STRICTATIME) a |= MOUNT_ATTR_STRICTATIME;
	if (m->mflags & MS_NODIRATIME) a |= MOUNT_ATTR_NODIRATIME;
	if (m->mflags & 256 /* MS_NOSYMFOLLOW */) a |= MOUNT_ATTR_NOSYMFOLLOW;
	return a;
}

static int do_statmount(struct task *t, struct kstatmount *s, struct mount *m,
			struct mnt_namespace *ns, const char *root, uint64_t mask)
{
	struct statmount *sm = &s->sm;
	int err = 0;

	if (mask & STATMOUNT_SB_BASIC) {
		struct kstat st = { 0 };
		struct linux_statfs sf = { 0 };
		/* the device statx reports for the mount's root */
		if (m->ops->lookup(m, m->root ? m->root : "", &st))
			st.dev = m->dev;
		if (m->ops->statfs)
			m->ops->statfs(m, &sf);
		sm->mask |= STATMOUNT_SB_BASIC;
		sm->sb_dev_major = major(st.dev);
		sm->sb_dev_minor = minor(st.dev);
		sm->sb_magic = (uint64_t)sf.f_type;
		sm->sb_flags = m->sb && (m->sb->flags & MS_RDONLY) ? 1 /* SB_RDONLY */ : 0;
	}
	if (mask & STATMOUNT_MNT_BASIC) {
		struct mount *p = m->parent ? m->parent : m;
		sm->mask |= STATMOUNT_MNT_BASIC;
		sm->mnt_id = mnt_id_unique(m);
		sm->mnt_parent_id = mnt_id_unique(p);
		sm->mnt_id_old = (uint32_t)m->id;
		sm->mnt_parent_id_old = (uint32_t)p->id;
		sm->mnt_attr = mnt_attr(m);
		bool shared = m->propagation == MS_SHARED && m->group;
		sm->mnt_propagation = (shared ? MS_SHARED : 0) | (m->master ? MS_SLAVE : 0) |
				      (m->propagation == MS_UNBINDABLE ? MS_UNBINDABLE : 0);
		if (!sm->mnt_propagation)
			sm->mnt_propagation = MS_PRIVATE;
		sm->mnt_peer_group = shared ? (uint64_t)m->group : 0;
		sm->mnt_master = (uint64_t)m->master;
	}
	if (mask & STATMOUNT_PROPAGATE_FROM) {
		sm->mask |= STATMOUNT_PROPAGATE_FROM;
		sm->propagate_from = (uint64_t)m->master;
	}
	if (mask & STATMOUNT_MNT_NS_ID) {
		sm->mask |= STATMOUNT_MNT_NS_ID;
		sm->mnt_ns_id = ns->id;
	}
	if (mask & STATMOUNT_SUPPORTED_MASK) {
		sm->mask |= STATMOUNT_SUPPORTED_MASK;
		sm->supported_mask = STATMOUNT_SUPPORTED;
	}
	(void)t;

	/* the strings, in Linux's order; the area starts with an empty one */
	if (mask & (STATMOUNT_MNT_ROOT | STATMOUNT_MNT_POINT | STATMOUNT_FS_TYPE |
		    STATMOUNT_MNT_OPTS | STATMOUNT_OPT_ARRAY | STATMOUNT_OPT_SEC_ARRAY |
		    STATMOUNT_FS_SUBTYPE | STATMOUNT_SB_SOURCE | STATMOUNT_MNT_UIDMAP |
		    STATMOUNT_MNT_GIDMAP)) {
		if (s->bufsize == sizeof *sm)
			return -EOVERFLOW;
		if (str_put(s, "", 1))
			return -ENOMEM;
	}
	size_t start;
	if (!err && (mask & STATMOUNT_FS_TYPE)) {
		start = s->count;
		const char *ty = m->fstype ? m->fstype : "none";
		err = str_put(s, ty, strlen(ty));
		if (!err)
			err = str_end(s, start, STATMOUNT_FS_TYPE, &sm->fs_type);
	}
	if (!err && (mask & STATMOUNT_MNT_ROOT)) {
		start = s->count;
		const char *r = m->root ? m->root : "";
		err = str_put(s, "/", 1);
		if (!err)
			err = str_put(s, r, strlen(r));
		if (!err)
			err = str_end(s, start, STATMOUNT_MNT_ROOT, &sm->mnt_root);
	}
	if (!err && (mask & STATMOUNT_MNT_POINT)) {
		start = s->count;
		size_t n = strlen(root);
		const char *mp = m->path;
		if (!reaches(root, mp))
			mp = "";          /* out of the caller's sight: left unset */
		else if (n > 1)
			mp = !strcmp(mp, root) ? "/" : mp + n;
		err = str_put(s, mp, strlen(mp));
		if (!err)
			err = str_end(s, start, STATMOUNT_MNT_POINT, &sm->mnt_point);
	}
	if (!err && (mask & STATMOUNT_MNT_OPTS)) {
		start = s->count;
		int n = each_opt(m, s, false);
		err = n < 0 ? n : str_end(s, start, STATMOUNT_MNT_OPTS, &sm->mnt_opts);
	}
	if (!err && (mask & STATMOUNT_OPT_ARRAY)) {
		start = s->count;
		int n = each_opt(m, s, true);
		if (n < 0)
			err = n;
		else if (n) {
			/* the last piece's NUL is str_end's */
			s->count--;
			sm->opt_num = (uint32_t)n;
			err = str_end(s, start, STATMOUNT_OPT_ARRAY, &sm->opt_array);
		}
	}
	/* STATMOUNT_OPT_SEC_ARRAY and FS_SUBTYPE: none in umk, so never set */
	if (!err && (mask & STATMOUNT_SB_SOURCE)) {
		start = s->count;
		const char *src = m->source ? m->source : "none";
		err = str_put(s, src, strlen(src));
		if (!err)
			err = str_end(s, start, STATMOUNT_SB_SOURCE, &sm->sb_source);
	}
	return err;
}

/*
 * sys_statmount - statmount(req, buf, bufsize, flags): the attributes of
 * the mount req names that req->param asks for, into buf (bufsize
 * bytes; size says how much was written).  -EINVAL (flags, a bad
 * request), -ENOENT (no such mount or namespace), -EPERM (not reachable
 * from the caller's root, without CAP_SYS_ADMIN), -EOVERFLOW (no room
 * for the strings), -EFAULT.  Linux's fs/namespace.c, statmount(2).
 */
long sys_statmount(struct task *t, struct sysargs *a)
{
	uint64_t ubuf = arg_ptr(a, 1);
	size_t bufsize = (size_t)arg_ptr(a, 2);
	struct mnt_id_req k;
	struct kstatmount s;
	int err;

	if (arg_uint(a, 3))
		return -EINVAL;
	err = copy_mnt_id_req(t, arg_ptr(a, 0), &k);
	if (err)
		return err;
	struct mnt_namespace *ns = requested_ns(t, &k, &err);
	if (!ns)
		return err;
	struct mount *m = lookup_mnt_in_ns(ns, k.mnt_id);
	if (!m)
		return -ENOENT;
	const char *root = requested_root(t, ns);
	if (!reaches(root, m->path) && !ns_capable(t, ns->user_ns, CAP_SYS_ADMIN))
		return -EPERM;

	memset(&s, 0, sizeof s);
	s.bufsize = bufsize;
	err = do_statmount(t, &s, m, ns, root, k.param);
	if (!err && s.count && copy_to_user(t, ubuf + sizeof s.sm, s.str, s.count))
		err = -EFAULT;
	if (!err) {
		size_t copysize = bufsize < sizeof s.sm ? bufsize : sizeof s.sm;
		s.sm.size = (uint32_t)(copysize + s.count);
		if (copysize && copy_to_user(t, ubuf, &s.sm, copysize))
			err = -EFAULT;
	}
	free(s.str);
	return err;
}

/* ---- listmount ---- */

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return a < b ? -1 : a > b;
}

/*
 * sys_listmount - listmount(req, mnt_ids, nr_mnt_ids, flags): up to
 * nr_mnt_ids unique ids of the mounts below req->mnt_id (LSMT_ROOT: all
 * the caller's root reaches, itself included), in id order after
 * req->param (0: from the first), LISTMOUNT_REVERSE backwards.  The
 * count, or -EINVAL, -ENOENT, -EPERM, -EOVERFLOW (over a million asked),
 * -EBADF, -EFAULT.  Linux's fs/namespace.c, listmount(2).
 */
long sys_listmount(struct task *t, struct sysargs *a)
{
	uint64_t uids = arg_ptr(a, 1);
	size_t nr = (size_t)arg_ptr(a, 2);
	unsigned int flags = arg_uint(a, 3);
	bool reverse = flags & LISTMOUNT_REVERSE;
	struct mnt_id_req k;
	int err;

	if (flags & ~LISTMOUNT_REVERSE)
		return -EINVAL;
	if (!nr)
		return 0;
	if (nr > 1000000)
		return -EOVERFLOW;
	err = copy_mnt_id_req(t, arg_ptr(a, 0), &k);
	if (err)
		return err;
	uint64_t last = k.param;
	if (last && last <= MNT_UNIQUE_ID_OFFSET)
		return -EINVAL;
	struct mnt_namespace *ns = requested_ns(t, &k, &err);
	if (!ns)
		return err;

	const char *root = requested_root(t, ns);
	const char *orig = root;          /* below what the ids are listed */
	struct mount *parent = NULL;
	if (k.mnt_id != LSMT_ROOT) {
		parent = lookup_mnt_in_ns(ns, k.mnt_id);
		if (!parent)
			return -ENOENT;
		orig = parent->path;
	}
	if (!reaches(root, orig) && !ns_capable(t, ns->user_ns, CAP_SYS_ADMIN))
		return -EPERM;

	size_t total = 0, n = 0;
	struct list_head *p;
	for (p = ns->mounts.next; p != &ns->mounts; p = p->next)
		total++;
	uint64_t *ids = malloc((total ? total : 1) * sizeof *ids);
	if (!ids)
		return -ENOMEM;
	for (p = ns->mounts.next; p != &ns->mounts; p = p->next) {
		struct mount *m = list_entry(p, struct mount, link);
		if (m == parent || !reaches(orig, m->path))
			continue;
		/* below a mount means mounted in its tree, not beside it */
		if (parent) {
			struct mount *q = m->parent;
			while (q && q != parent)
				q = q->parent;
			if (!q)
				continue;
		}
		uint64_t id = mnt_id_unique(m);
		if (last && (reverse ? id >= last : id <= last))
			continue;
		ids[n++] = id;
	}
	qsort(ids, n, sizeof *ids, cmp_u64);
	if (reverse)
		for (size_t i = 0; i < n / 2; i++) {
			uint64_t x = ids[i];
			ids[i] = ids[n - 1 - i];
			ids[n - 1 - i] = x;
		}
	if (n > nr)
		n = nr;
	long ret = (long)n;
	if (n && copy_to_user(t, uids, ids, n * sizeof *ids))
		ret = -EFAULT;
	free(ids);
	return ret;
}
