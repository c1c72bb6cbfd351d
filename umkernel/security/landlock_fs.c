/*
 * landlock_fs.c - Landlock's filesystem access checks (Linux's
 * security/landlock/fs.c): open, create, remove, rename and link,
 * truncate, execute, device ioctls, and the mount changes a domain forbids.
 *
 * In a nutshell: a request is a set of access rights; for each right, a
 * bit per layer that handles it ("layer masks", as Linux keeps them).
 * Walking from the object up to the namespace's root, each ancestor's
 * (st_dev, st_ino) rule in a layer clears that layer's bits for the
 * rights it grants; the request is allowed once every bit is clear.
 * umk's VFS names files by absolute paths, so the walk pops one
 * component at a time and looks each ancestor up through the mount that
 * owns it: a mount's root directory is checked, the directory it is
 * mounted on is not (hidden), and the walk goes on above it, as Linux's
 * follow_up.  Rename and link compare the source's and the destination's
 * masks to refuse (EXDEV) a move that would give the file more rights
 * than it has where it is (Linux's current_check_refer_path).
 *
 * Lock: klock, held by every caller.
 */
#include "landlock.h"
#include "../fs/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

typedef uint16_t layer_mask_t;   /* bit i: layer of level i + 1 */
struct layers {
	int n;
	const struct landlock_ruleset *rs[LL_MAX_LAYERS];   /* [level - 1] */
	uint64_t handled_union;
};

/* The filesystem rights a layer handles: a layer handling any also
 * handles REFER, denied unless a rule grants it (Linux's
 * LANDLOCK_ACCESS_FS_INITIALLY_DENIED), so that a domain made for ABI 1
 * refuses every reparenting. */
static uint64_t fs_handled(const struct landlock_ruleset *rs)
{
	return rs->handled_fs ? rs->handled_fs | LL_FS_REFER : 0;
}

/* The layers of d, oldest first; false if none handles a filesystem right. */
static bool get_layers(const struct landlock_domain *d, struct layers *l)
{
	l->n = d ? d->level : 0;
	l->handled_union = 0;
	for (; d; d = d->parent) {
		l->rs[d->level - 1] = d->rs;
		l->handled_union |= fs_handled(d->rs);
	}
	return l->handled_union != 0;
}

/* For each right of request, the layers that handle it; returns the
 * rights some layer handles (Linux's landlock_init_layer_masks). */
static uint64_t init_masks(const struct layers *l, uint64_t request, layer_mask_t m[LL_NUM_FS])
{
	uint64_t eff = 0;

	memset(m, 0, sizeof(layer_mask_t) * LL_NUM_FS);
	for (int i = 0; i < l->n; i++) {
		uint64_t h = fs_handled(l->rs[i]) & request;
		eff |= h;
		for (int b = 0; b < LL_NUM_FS; b++)
			if (h & (1ULL << b))
				m[b] |= 1U << i;
	}
	return eff;
}

static bool masks_clear(const layer_mask_t m[LL_NUM_FS])
{
	for (int b = 0; b < LL_NUM_FS; b++)
		if (m[b])
			return false;
	return true;
}

/* Each layer's rule on inode (dev, ino): its rights, 0 for none; whether
 * any layer has one. */
static bool find_rules(const struct layers *l, const struct kstat *st, uint64_t acc[LL_MAX_LAYERS])
{
	bool any = false;

	for (int i = 0; i < l->n; i++) {
		acc[i] = 0;
		if (!st)
			continue;
		const struct landlock_ruleset *rs = l->rs[i];
		for (size_t k = 0; k < rs->nfs; k++) {
			if (rs->fs[k].key1 == st->dev && rs->fs[k].key2 == st->ino) {
				acc[i] = rs->fs[k].access;
				any = true;
				break;
			}
		}
	}
	return any;
}

/* The rules on st clear the bits of request they grant: true when no bit
 * of request is left (Linux's landlock_unmask_layers). */
static bool unmask(const struct layers *l, const struct kstat *st, uint64_t request,
		   layer_mask_t m[LL_NUM_FS])
{
	uint64_t acc[LL_MAX_LAYERS];

	if (!request || !m)
		return true;
	if (!find_rules(l, st, acc))
		return false;
	bool empty = true;
	for (int b = 0; b < LL_NUM_FS; b++) {
		if (!(request & (1ULL << b)))
			continue;
		for (int i = 0; i < l->n; i++)
			if (acc[i] & (1ULL << b))
				m[b] &= ~(1U << i);
		if (m[b])
			empty = false;
	}
	return empty;
}

/* Keeps only request's bits: true when none is left. */
static bool scope_to_request(uint64_t request, layer_mask_t *m)
{
	if (!m)
		return true;
	for (int b = 0; b < LL_NUM_FS; b++)
		if (!(request & (1ULL << b)))
			m[b] = 0;
	return masks_clear(m);
}

/* Whether the destination (parent2) is at least as restricted as the
 * source (parent1 with child1), and the reverse for an exchange (Linux's
 * no_more_access). */
static bool no_more_access(const layer_mask_t *p1, const layer_mask_t *c1, bool c1dir,
			   const layer_mask_t *p2, const layer_mask_t *c2, bool c2dir)
{
	for (int b = 0; b < LL_NUM_FS; b++) {
		bool file_access = (1ULL << b) & LL_FS_FILE;
		if (c1dir || file_access) {
			if (((p1[b] & c1[b]) | p2[b]) != p2[b])
				return false;
		}
		if (!c2)
			continue;
		if (c2dir || file_access) {
			if (((p2[b] & c2[b]) | p1[b]) != p1[b])
				return false;
		}
	}
	return true;
}

/* The stat of absolute path abs of namespace ns, without following: 0 or -errno. */
static int path_stat(struct mnt_namespace *ns, const char *abs, struct kstat *st)
{
	char buf[PATH_MAX];
	const char *rel;
	struct mount *m = vfs_find_mount_ns(ns, abs, &rel, buf);

	return m && m->ops->lookup ? m->ops->lookup(m, rel, st) : -ENOENT;
}

/* Pops abs's last component ("/a/b" -> "/a", "/a" -> "/"). */
static void path_up(char *abs)
{
	char *s = strrchr(abs, '/');

	if (!s || s == abs)
		abs[1] = 0, abs[0] = '/';
	else
		*s = 0;
}

/*
 * is_access_to_paths_allowed - walks from start up to the root, clearing
 * m1 (and m2, for a rename or link: child1 is the moved file, child2 the
 * other of an exchange) with the rules found.  Linux's function of the
 * same name.
 */
static bool paths_allowed(const struct layers *l, struct mnt_namespace *ns, const char *start,
			  uint64_t req1, layer_mask_t *m1, const struct kstat *child1,
			  uint64_t req2, layer_mask_t *m2, const struct kstat *child2)
{
	bool allowed1, allowed2, dom_check, c1dir = true, c2dir = true;
	uint64_t am1, am2;
	layer_mask_t mc1[LL_NUM_FS], mc2[LL_NUM_FS], *pc1 = NULL, *pc2 = NULL;
	char p[PATH_MAX];
	struct kstat st;

	if (!req1 && !req2)
		return true;
	allowed1 = masks_clear(m1);
	if (m2) {
		allowed2 = masks_clear(m2);
		am1 = am2 = l->handled_union;
		dom_check = true;
	} else {
		allowed2 = true;
		am1 = req1;
		am2 = 0;
		dom_check = false;
	}
	if (child1) {
		init_masks(l, LL_MASK_FS, mc1);
		unmask(l, child1, LL_MASK_FS, mc1);
		pc1 = mc1;
		c1dir = S_ISDIR(child1->mode);
	}
	if (child2) {
		init_masks(l, LL_MASK_FS, mc2);
		unmask(l, child2, LL_MASK_FS, mc2);
		pc2 = mc2;
		c2dir = S_ISDIR(child2->mode);
	}
	snprintf(p, sizeof(p), "%s", start);
	for (;;) {
		if (dom_check && no_more_access(m1, pc1, c1dir, m2, pc2, c2dir)) {
			dom_check = false;
			am1 = req1;
			am2 = req2;
			allowed1 = allowed1 || scope_to_request(am1, m1);
			allowed2 = allowed2 || scope_to_request(am2, m2);
			if (allowed1 && allowed2)
				break;
		}
		bool have = path_stat(ns, p, &st) == 0;
		allowed1 = allowed1 || unmask(l, have ? &st : NULL, am1, m1);
		allowed2 = allowed2 || unmask(l, have ? &st : NULL, am2, m2);
		if (allowed1 && allowed2)
			break;
		if (!strcmp(p, "/"))
			break;   /* the real root: not every layer granted it */
		path_up(p);
	}
	return allowed1 && allowed2;
}

/* A subject for filesystem checks: t's layers, if some handle fs rights. */
static bool fs_subject(struct task *t, struct layers *l)
{
	return t && t->landlock && get_layers(t->landlock, l);
}

/* One request on one path: 0 or -EACCES (Linux's current_check_access_path). */
static int check_path(struct task *t, struct mnt_namespace *ns, const char *abs, uint64_t request)
{
	struct layers l;
	layer_mask_t m[LL_NUM_FS];

	if (!fs_subject(t, &l))
		return 0;
	request = init_masks(&l, request, m);
	return paths_allowed(&l, ns, abs, request, m, NULL, 0, NULL, NULL) ? 0 : -EACCES;
}

static void parent_of(const char *abs, char *out)
{
	snprintf(out, PATH_MAX, "%s", abs);
	path_up(out);
}

static struct mnt_namespace *nd_ns(const struct nameidata *nd)
{
	return nd->ns ? nd->ns : current_mnt_ns();
}

static uint64_t mode_access(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFLNK: return LL_FS_MAKE_SYM;
	case S_IFDIR: return LL_FS_MAKE_DIR;
	case S_IFCHR: return LL_FS_MAKE_CHAR;
	case S_IFBLK: return LL_FS_MAKE_BLOCK;
	case S_IFIFO: return LL_FS_MAKE_FIFO;
	case S_IFSOCK: return LL_FS_MAKE_SOCK;
	default: return LL_FS_MAKE_REG;
	}
}

static uint64_t maybe_remove(const struct nameidata *nd)
{
	if (!nd->exists)
		return 0;
	return S_ISDIR(nd->st.mode) ? LL_FS_REMOVE_DIR : LL_FS_REMOVE_FILE;
}

int landlock_path_open(struct task *t, struct mnt_namespace *ns, const char *abs, uint32_t mode,
		       int flags, bool exec, uint16_t *denied)
{
	struct layers l;
	layer_mask_t m[LL_NUM_FS];
	uint64_t req = 0, opt, full, allowed;
	int acc = flags & O_ACCMODE;

	if (denied)
		*denied = 0;
	if (!fs_subject(t, &l) || !abs || abs[0] != '/')
		return 0;
	if (!ns)
		ns = current_mnt_ns();
	if (acc == O_RDONLY || acc == O_RDWR)
		req = S_ISDIR(mode) ? LL_FS_READ_DIR : LL_FS_READ_FILE;
	if (!(req & LL_FS_READ_DIR)) {
		if (acc == O_WRONLY || acc == O_RDWR)
			req |= LL_FS_WRITE_FILE;
		if (exec)
			req |= LL_FS_EXECUTE;
	}
	opt = LL_FS_TRUNCATE;
	if (S_ISCHR(mode) || S_ISBLK(mode))
		opt |= LL_FS_IOCTL_DEV;
	full = req | opt;
	if (paths_allowed(&l, ns, abs, init_masks(&l, full, m), m, NULL, 0, NULL, NULL)) {
		allowed = full;
	} else {
		allowed = 0;
		for (int b = 0; b < LL_NUM_FS; b++)
			if ((full & (1ULL << b)) && !m[b])
				allowed |= 1ULL << b;
	}
	if (denied)
		*denied = (uint16_t)(opt & ~allowed);
	return (req & allowed) == req ? 0 : -EACCES;
}

int landlock_file_open(struct task *t, const struct nameidata *nd, uint32_t mode, int flags,
		       bool exec, uint16_t *denied)
{
	return landlock_path_open(t, nd_ns(nd), nd->abs, mode, flags, exec, denied);
}

int landlock_new_file_open(struct task *t, const struct nameidata *nd, int flags, uint16_t *denied)
{
	char parent[PATH_MAX];

	if (denied)
		*denied = 0;
	if (!t || !t->landlock)
		return 0;   /* (every O_CREAT open comes here: no path copy without a domain) */
	/* a new inode has no rule: the walk starts at its directory */
	parent_of(nd->abs, parent);
	return landlock_path_open(t, nd_ns(nd), parent, S_IFREG, flags, false, denied);
}

int landlock_exec_path(struct task *t, const char *path)
{
	struct nameidata nd;
	struct layers l;
	int err;

	if (!fs_subject(t, &l))
		return 0;
	err = vfs_walk(t, AT_FDCWD, path, WALK_FOLLOW, &nd);
	if (err)
		return 0;   /* the open reports it */
	if (nd.exists)
		err = landlock_path_open(t, nd_ns(&nd), nd.abs, nd.st.mode, O_RDONLY, true, NULL);
	nd_release(&nd);
	return err;
}

int landlock_path_mknod(struct task *t, const struct nameidata *nd, uint32_t mode)
{
	char parent[PATH_MAX];

	if (!t->landlock)
		return 0;
	parent_of(nd->abs, parent);
	return check_path(t, nd_ns(nd), parent, mode_access(mode));
}

int landlock_path_remove(struct task *t, const struct nameidata *nd)
{
	char parent[PATH_MAX];

	if (!t->landlock)
		return 0;
	parent_of(nd->abs, parent);
	return check_path(t, nd_ns(nd), parent,
			  S_ISDIR(nd->st.mode) ? LL_FS_REMOVE_DIR : LL_FS_REMOVE_FILE);
}

int landlock_path_truncate(struct task *t, const struct nameidata *nd)
{
	if (!t->landlock || (nd->magic && !nd->magic->mnt))
		return 0;   /* a memfd's /proc/PID/fd link: no mount, not checked */
	return check_path(t, nd_ns(nd), nd->abs, LL_FS_TRUNCATE);
}

/* Walks from dir up to the mount's root mnt_root, clearing m (all the
 * handled rights): true once every layer grants all of them (Linux's
 * collect_domain_accesses). */
static bool collect_domain_accesses(const struct layers *l, struct mnt_namespace *ns,
				    const char *mnt_root, const char *dir, layer_mask_t *m)
{
	char p[PATH_MAX];
	struct kstat st;
	uint64_t dom = init_masks(l, LL_MASK_FS, m);

	snprintf(p, sizeof(p), "%s", dir);
	for (;;) {
		bool have = path_stat(ns, p, &st) == 0;
		if (unmask(l, have ? &st : NULL, dom, m))
			return true;
		if (!strcmp(p, mnt_root) || !strcmp(p, "/"))
			return false;
		path_up(p);
	}
}

/* Some right of request other than REFER is still denied (Linux's is_eacces). */
static bool is_eacces(const layer_mask_t *m, uint64_t request)
{
	request &= ~LL_FS_REFER;
	for (int b = 0; b < LL_NUM_FS; b++)
		if ((request & (1ULL << b)) && m[b])
			return true;
	return false;
}

int landlock_path_refer(struct task *t, const struct nameidata *o, const struct nameidata *n,
			bool removable, bool exchange)
{
	struct layers l;
	layer_mask_t m1[LL_NUM_FS], m2[LL_NUM_FS];
	uint64_t req1 = 0, req2;
	char oparent[PATH_MAX], ndir[PATH_MAX];
	struct mnt_namespace *ns = nd_ns(n);

	if (!fs_subject(t, &l))
		return 0;
	if (!o->exists)
		return -ENOENT;
	if (exchange) {
		if (!n->exists)
			return -ENOENT;
		req1 = mode_access(n->st.mode);
	}
	req2 = mode_access(o->st.mode);
	if (removable) {
		req1 |= maybe_remove(o);
		req2 |= maybe_remove(n);
	}
	parent_of(o->abs, oparent);
	parent_of(n->abs, ndir);
	if (!strcmp(oparent, ndir)) {
		/* no reparenting: REFER is not needed */
		uint64_t req = init_masks(&l, req1 | req2, m1);
		return paths_allowed(&l, ns, ndir, req, m1, NULL, 0, NULL, NULL) ? 0 : -EACCES;
	}
	req1 |= LL_FS_REFER;
	req2 |= LL_FS_REFER;
	const char *mnt_root = n->mnt && n->mnt->path ? n->mnt->path : "/";
	bool allow1 = collect_domain_accesses(&l, ns, mnt_root, oparent, m1);
	bool allow2 = collect_domain_accesses(&l, ns, mnt_root, ndir, m2);
	if (allow1 && allow2)
		return 0;
	if (paths_allowed(&l, ns, mnt_root, req1, m1, &o->st, req2, m2, exchange ? &n->st : NULL))
		return 0;
	if (is_eacces(m1, req1) || is_eacces(m2, req2))
		return -EACCES;
	return -EXDEV;
}

int landlock_file_truncate(struct file *f)
{
	return f->landlock_denied & LL_FS_TRUNCATE ? -EACCES : 0;
}

/* The ioctls a device opened without IOCTL_DEV still takes: those
 * fs/ioctl.c's do_vfs_ioctl serves itself (Linux's is_masked_device_ioctl). */
static bool masked_device_ioctl(unsigned int cmd)
{
	switch (cmd) {
	case 0x5451:      /* FIOCLEX */
	case 0x5450:      /* FIONCLEX */
	case 0x5421:      /* FIONBIO */
	case 0x5452:      /* FIOASYNC */
	case 0x5460:      /* FIOQSIZE */
	case 0xc0045877:  /* FIFREEZE */
	case 0xc0045878:  /* FITHAW */
	case 0xc020660b:  /* FS_IOC_FIEMAP */
	case 2:           /* FIGETBSZ */
	case 0x40049409:  /* FICLONE */
	case 0x4020940d:  /* FICLONERANGE */
	case 0xc0189436:  /* FIDEDUPERANGE */
	case 0x80111500:  /* FS_IOC_GETFSUUID */
	case 0x80811501:  /* FS_IOC_GETFSSYSFSPATH */
		return true;
	default:
		return false;
	}
}

int landlock_file_ioctl(struct file *f, unsigned int cmd)
{
	struct kstat st;

	if (!(f->landlock_denied & LL_FS_IOCTL_DEV))
		return 0;
	if (!f->ops->fstat || f->ops->fstat(f, &st) || !(S_ISCHR(st.mode) || S_ISBLK(st.mode)))
		return 0;
	return masked_device_ioctl(cmd) ? 0 : -EACCES;
}
