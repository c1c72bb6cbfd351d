/*
 * overlayfs.c - the "overlay" filesystem type (Linux's fs/overlayfs,
 * Documentation/filesystems/overlayfs.rst): one merged tree over a stack
 * of directories of other mounts, the layers.
 *
 *   mount -t overlay overlay -o lowerdir=L1:L2,upperdir=U,workdir=W M
 *
 * A name resolves top down: the upper layer (if any), then each lower in
 * order.  The first layer holding the name gives the object; a directory
 * found there merges with the directories of the same name below it,
 * until a layer's directory is opaque (xattr trusted.overlay.opaque "y")
 * or the name is a non-directory there.  A whiteout (a 0/0 character
 * device, or a zero-size file with xattr trusted.overlay.whiteout) hides
 * the name in the layers below.  Only the upper layer is written: a
 * change to an object of a lower layer copies it up first (data, mode,
 * owner, times, xattrs; its parents first), through the work directory
 * and a rename into place, as Linux does.  unlink and rmdir leave
 * whiteouts where a lower layer still has the name; a directory made over
 * a whiteout is opaque.  Renaming a directory that is merged or lower
 * gives EXDEV (Linux's default, redirect_dir off).  A mount of lower
 * layers only (two or more) is read-only.
 *
 * Inode numbers follow Linux's defaults (xino off): when every layer is
 * on one filesystem, every object shows the overlay's st_dev and its
 * real st_ino, a copied-up one its origin's (kept in memory for the
 * mount's life: Linux keeps it in trusted.overlay.origin as a file
 * handle); otherwise directories show the overlay's st_dev and a number
 * of the overlay's own, other objects the real st_ino on an anonymous
 * st_dev per layer filesystem.  Merged directories have st_nlink 1.
 *
 * Layer paths resolve in the mounting task's namespace and root (a path
 * walk like any other), and every layer operation goes through that
 * layer filesystem's own ops: the overlay reaches nothing a guest could
 * not reach by those paths.  Files opened through the overlay stack on a
 * file of the real layer (Linux's backing file), reopened on the upper
 * layer once a read-only open's object has been copied up.
 *
 * Lock: klock, held by every caller.
 */
#include "../kernel.h"
#include "fs.h"
#include "tmpfs.h"
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#define OVERLAYFS_SUPER_MAGIC 0x794c7630
#define OVL_MAX_LAYERS 128             /* upper + lowers (Linux: 500 lowers) */
#define OVL_XATTR "trusted.overlay."
#define OVL_UXATTR "user.overlay."     /* where trusted.* cannot be set (unprivileged host) */

struct ovl_layer {
	struct mount *mnt;            /* a private clone of the layer's mount */
	char *root;                   /* the layer directory, relative to its filesystem */
	char *abs;                    /* ... and its guest path when mounted (events' names) */
	uint64_t pseudo_dev;          /* st_dev of its non-directories when !samefs */
};

struct ovl_origin {                   /* a copied-up object's first identity */
	uint64_t uino;                /* its upper inode */
	uint64_t dev, ino;            /* the lower object's */
	struct ovl_origin *next;
};

struct ovl_dirino {                   /* !samefs: a directory's number of the overlay's */
	uint64_t dev, ino, oino;
	struct ovl_dirino *next;
};

struct ovl_fs {
	struct ovl_layer layers[OVL_MAX_LAYERS];   /* [0] is the upper when has_upper */
	int nlayers;
	bool has_upper, samefs;
	struct mount *workmnt;
	char *work;                   /* workdir/work, relative to its filesystem */
	uint64_t dev;                 /* the overlay's st_dev */
	uint64_t copy_gen;            /* bumped at each copy-up */
	unsigned long tmpseq;
#define OVL_HASH 256
	struct ovl_origin *origins[OVL_HASH];   /* by upper inode */
	struct ovl_dirino *dirinos[OVL_HASH];   /* by real inode */
	uint64_t next_dirino;
};

/* What a name resolves to. */
struct ovl_ent {
	int top;                      /* the layer showing it */
	struct kstat st;              /* its real stat there */
	int nl;                       /* directories merged: li[0..nl) top down */
	int li[OVL_MAX_LAYERS];
	bool lower_positive;          /* a layer below the top has the name too */
};

static struct ovl_fs *OFS(struct mount *m)
{
	return m->priv;
}

/* The path of overlay path rel in layer li, into buf (PATH_MAX). */
static const char *lpath(struct ovl_fs *fs, int li, const char *rel, char *buf)
{
	const char *root = fs->layers[li].root;

	if (!*root)
		return rel;
	if (!*rel)
		return root;
	snprintf(buf, PATH_MAX, "%s/%s", root, rel);
	return buf;
}

static struct mount *LM(struct ovl_fs *fs, int li)
{
	return fs->layers[li].mnt;
}

/* Our own xattrs: trusted.overlay.NAME, or user.overlay.NAME where the
 * layer refused the trusted one. */
static ssize_t ovl_getx(struct mount *m, const char *p, const char *name, char *buf, size_t n)
{
	char x[64];
	ssize_t r;

	if (!m->ops->getxattr)
		return -EOPNOTSUPP;
	snprintf(x, sizeof x, OVL_XATTR "%s", name);
	r = m->ops->getxattr(m, p, x, buf, n);
	if (r >= 0)
		return r;
	snprintf(x, sizeof x, OVL_UXATTR "%s", name);
	return m->ops->getxattr(m, p, x, buf, n);
}

static int ovl_setx(struct mount *m, const char *p, const char *name, const char *v)
{
	char x[64];
	int r;

	if (!m->ops->setxattr)
		return -EOPNOTSUPP;
	snprintf(x, sizeof x, OVL_XATTR "%s", name);
	r = m->ops->setxattr(m, p, x, v, strlen(v), 0);
	if (r == -EPERM || r == -EOPNOTSUPP || r == -EACCES) {
		snprintf(x, sizeof x, OVL_UXATTR "%s", name);
		r = m->ops->setxattr(m, p, x, v, strlen(v), 0);
	}
	return r;
}

static bool is_own_xattr(const char *name)
{
	return !strncmp(name, OVL_XATTR, strlen(OVL_XATTR)) ||
	       !strncmp(name, OVL_UXATTR, strlen(OVL_UXATTR));
}

/* A guest's own trusted.overlay.X through the overlay is
 * trusted.overlay.overlay.X on the layers (Linux's escaped xattrs):
 * name's layer name into buf. */
#define OVL_ESC OVL_XATTR "overlay."
static const char *esc_xattr(const char *name, char *buf, size_t len)
{
	if (strncmp(name, OVL_XATTR, strlen(OVL_XATTR)))
		return name;
	snprintf(buf, len, OVL_ESC "%s", name + strlen(OVL_XATTR));
	return buf;
}

static bool is_whiteout(struct mount *m, const char *p, const struct kstat *st)
{
	char v[4];

	if (S_ISCHR(st->mode) && st->rdev == 0)
		return true;
	return S_ISREG(st->mode) && st->size == 0 && ovl_getx(m, p, "whiteout", v, sizeof v) >= 0;
}

static bool is_opaque(struct mount *m, const char *p)
{
	char v[4];
	ssize_t r = ovl_getx(m, p, "opaque", v, sizeof v);

	return r == 1 && v[0] == 'y';
}

/*
 * ovl_resolve - rel (an overlay path, "" the root) through the layers
 * into e.  -ENOENT (absent or whited out), -ENOTDIR (a non-directory in
 * the directory part), or a layer's error.
 */
static int ovl_resolve(struct ovl_fs *fs, const char *rel, struct ovl_ent *e)
{
	int set[OVL_MAX_LAYERS], nset = 0;
	char prefix[PATH_MAX], buf[PATH_MAX];
	const char *c = rel;
	size_t plen = 0;

	memset(e, 0, sizeof *e);
	/* the root: every layer's directory */
	for (int li = 0; li < fs->nlayers; li++) {
		struct kstat st;
		int err = LM(fs, li)->ops->lookup(LM(fs, li), fs->layers[li].root, &st);

		if (err)
			return err;
		if (!nset) {
			e->top = li;
			e->st = st;
		}
		set[nset++] = li;
	}
	prefix[0] = 0;
	while (*c) {
		const char *end = strchr(c, '/');
		size_t len = end ? (size_t)(end - c) : strlen(c);
		bool last = !end || !end[1];
		int nnew = 0, found = 0;
		int newset[OVL_MAX_LAYERS];

		if (plen + len + 2 >= sizeof prefix)
			return -ENAMETOOLONG;
		if (!S_ISDIR(e->st.mode))
			return -ENOTDIR;
		if (plen)
			prefix[plen++] = '/';
		memcpy(prefix + plen, c, len);
		plen += len;
		prefix[plen] = 0;
		e->lower_positive = false;
		bool stop = false;   /* no more directories merge below */
		for (int i = 0; i < nset; i++) {
			int li = set[i];
			struct kstat st;
			const char *p = lpath(fs, li, prefix, buf);
			int err = LM(fs, li)->ops->lookup(LM(fs, li), p, &st);

			if (err == -ENOENT || err == -ENOTDIR)
				continue;
			if (err)
				return err;
			if (is_whiteout(LM(fs, li), p, &st))
				break;
			if (!found) {
				found = 1;
				e->top = li;
				e->st = st;
			} else {
				/* a lower layer has the name (ovl_lower_positive) */
				e->lower_positive = true;
				if (stop || !S_ISDIR(st.mode))
					break;
			}
			if (!S_ISDIR(st.mode)) {
				stop = true;
				continue;
			}
			newset[nnew++] = li;
			if (i + 1 < nset && is_opaque(LM(fs, li), p))
				stop = true;
		}
		if (!found)
			return -ENOENT;
		memcpy(set, newset, sizeof(int) * (size_t)nnew);
		nset = nnew;
		if (last)
			break;
		c = end + 1;
	}
	if (S_ISDIR(e->st.mode)) {
		memcpy(e->li, set, sizeof(int) * (size_t)nset);
		e->nl = nset;
	} else {
		e->li[0] = e->top;
		e->nl = 1;
	}
	return 0;
}

/* The lower identity of upper inode uino, or NULL. */
static struct ovl_origin *origin_of(struct ovl_fs *fs, uint64_t uino)
{
	for (struct ovl_origin *o = fs->origins[uino % OVL_HASH]; o; o = o->next)
		if (o->uino == uino)
			return o;
	return NULL;
}

static void origin_forget(struct ovl_fs *fs, uint64_t uino)
{
	for (struct ovl_origin **pp = &fs->origins[uino % OVL_HASH]; *pp; pp = &(*pp)->next)
		if ((*pp)->uino == uino) {
			struct ovl_origin *o = *pp;
			*pp = o->next;
			free(o);
			return;
		}
}

/* The layer filesystem's pseudo device for real device dev. */
static uint64_t pseudo_dev_of(struct ovl_fs *fs, uint64_t dev)
{
	for (int li = 0; li < fs->nlayers; li++)
		if (LM(fs, li)->dev == dev)
			return fs->layers[li].pseudo_dev;
	return dev;
}

/* (st_dev, st_ino) the overlay shows for the object of real identity
 * (dev, ino), a directory or not (ovl_map_dev_ino). */
static void map_ino(struct ovl_fs *fs, uint64_t dev, uint64_t ino, bool dir, uint64_t *odev,
		    uint64_t *oino)
{
	if (fs->samefs) {
		*odev = fs->dev;
		*oino = ino;
		return;
	}
	if (!dir) {
		*odev = pseudo_dev_of(fs, dev);
		*oino = ino;
		return;
	}
	*odev = fs->dev;
	for (struct ovl_dirino *d = fs->dirinos[ino % OVL_HASH]; d; d = d->next)
		if (d->dev == dev && d->ino == ino) {
			*oino = d->oino;
			return;
		}
	struct ovl_dirino *d = calloc(1, sizeof *d);
	*oino = ++fs->next_dirino;
	if (d) {
		d->dev = dev;
		d->ino = ino;
		d->oino = *oino;
		d->next = fs->dirinos[ino % OVL_HASH];
		fs->dirinos[ino % OVL_HASH] = d;
	}
}

/* The real identity of a layer object (its origin's once copied up). */
static void real_ident(struct ovl_fs *fs, int li, uint64_t dev, uint64_t ino, uint64_t *idev,
		       uint64_t *iino)
{
	struct ovl_origin *o = fs->has_upper && li == 0 ? origin_of(fs, ino) : NULL;

	*idev = o ? o->dev : dev;
	*iino = o ? o->ino : ino;
}

/* The stat the overlay shows for e. */
static void ovl_stat(struct ovl_fs *fs, const struct ovl_ent *e, struct kstat *st)
{
	uint64_t idev, iino;

	*st = e->st;
	real_ident(fs, e->top, e->st.dev, e->st.ino, &idev, &iino);
	map_ino(fs, idev, iino, S_ISDIR(st->mode), &st->dev, &st->ino);
	if (S_ISDIR(st->mode) && e->nl > 1)
		st->nlink = 1;   /* merged: not worth counting (ovl_getattr) */
}

static void dirname_of(const char *rel, char *buf)
{
	const char *s = strrchr(rel, '/');

	if (!s)
		buf[0] = 0;
	else {
		memcpy(buf, rel, (size_t)(s - rel));
		buf[s - rel] = 0;
	}
}

/* ---- copy-up ---- */

static int copy_data(struct mount *lm, const char *lp, struct mount *um, const char *up, uint32_t mode)
{
	struct file *in = NULL, *out = NULL;
	int err = lm->ops->open(lm, lp, O_RDONLY, 0, &in);
	char *buf;

	if (err)
		return err;
	in->nonotify = true;
	err = um->ops->open(um, up, O_WRONLY | O_CREAT | O_EXCL, mode & 07777, &out);
	if (err) {
		file_put(in);
		return err;
	}
	out->nonotify = true;
	buf = malloc(65536);
	if (!buf)
		err = -ENOMEM;
	for (int64_t ipos = 0, opos = 0; !err;) {
		ssize_t n = in->ops->read ? in->ops->read(current, in, buf, 65536, &ipos) : -EINVAL;

		if (n <= 0) {
			err = (int)n;
			break;
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = out->ops->write ? out->ops->write(current, out, buf + off, (size_t)(n - off), &opos)
						    : -EINVAL;
			if (w <= 0) {
				err = w ? (int)w : -EIO;
				break;
			}
			off += w;
		}
	}
	free(buf);
	file_put(in);
	file_put(out);
	return err;
}

static void copy_xattrs(struct mount *lm, const char *lp, struct mount *um, const char *up)
{
	char *list, *val;
	ssize_t n;

	if (!lm->ops->listxattr || !um->ops->setxattr || !lm->ops->getxattr)
		return;
	n = lm->ops->listxattr(lm, lp, NULL, 0);
	if (n <= 0 || !(list = malloc((size_t)n)))
		return;
	n = lm->ops->listxattr(lm, lp, list, (size_t)n);
	val = malloc(65536);
	for (ssize_t i = 0; val && n > 0 && i < n; i += (ssize_t)strlen(list + i) + 1) {
		const char *name = list + i;
		ssize_t vn;

		if ((is_own_xattr(name) && strncmp(name, OVL_ESC, strlen(OVL_ESC))) ||
		    !strncmp(name, "user.umk.", 9))
			continue;
		vn = lm->ops->getxattr(lm, lp, name, val, 65536);
		if (vn >= 0)
			um->ops->setxattr(um, up, name, val, (size_t)vn, 0);
	}
	free(val);
	free(list);
}

static int ovl_copy_up(struct ovl_fs *fs, const char *rel);

/* The parent directory of rel made present on the upper layer. */
static int copy_up_parent(struct ovl_fs *fs, const char *rel)
{
	char parent[PATH_MAX];

	dirname_of(rel, parent);
	return ovl_copy_up(fs, parent);
}

/*
 * ovl_copy_up - the object at rel, and its parents, present on the
 * upper layer (ovl_copy_up_one): made under the work directory, given
 * the lower one's data, xattrs, owner, mode and times, then renamed
 * into place.  0, -EROFS (no upper layer), or a layer's error.
 */
static int ovl_copy_up(struct ovl_fs *fs, const char *rel)
{
	struct ovl_ent e;
	char lb[PATH_MAX], ub[PATH_MAX], tmp[PATH_MAX], target[PATH_MAX];
	struct mount *um, *lm;
	const char *lp, *up;
	int err = ovl_resolve(fs, rel, &e);

	if (err)
		return err;
	if (!fs->has_upper)
		return -EROFS;
	if (e.top == 0)
		return 0;
	if ((err = copy_up_parent(fs, rel)))
		return err;
	um = LM(fs, 0);
	lm = LM(fs, e.top);
	lp = lpath(fs, e.top, rel, lb);
	up = lpath(fs, 0, rel, ub);
	snprintf(tmp, sizeof tmp, "%s/#%lx", fs->work, ++fs->tmpseq);
	switch (e.st.mode & S_IFMT) {
	case S_IFDIR:
		err = um->ops->mkdir ? um->ops->mkdir(um, tmp, e.st.mode & 07777) : -EPERM;
		break;
	case S_IFREG:
		err = copy_data(lm, lp, um, tmp, e.st.mode);
		break;
	case S_IFLNK: {
		int n = lm->ops->readlink ? lm->ops->readlink(lm, lp, target, sizeof target - 1) : -EINVAL;
		if (n < 0) {
			err = n;
			break;
		}
		target[n] = 0;
		err = um->ops->symlink ? um->ops->symlink(um, target, tmp) : -EPERM;
		break;
	}
	default:
		err = um->ops->mknod ? um->ops->mknod(um, tmp, e.st.mode, e.st.rdev) : -EPERM;
		break;
	}
	if (err)
		goto fail;
	copy_xattrs(lm, lp, um, tmp);
	if (um->ops->setattr) {
		struct linux_timespec ts[2] = { e.st.atime, e.st.mtime };

		um->ops->setattr(um, tmp, ATTR_OWNER, 0, e.st.uid, e.st.gid, NULL);
		if (!S_ISLNK(e.st.mode))
			um->ops->setattr(um, tmp, ATTR_MODE, e.st.mode & 07777, 0, 0, NULL);
		um->ops->setattr(um, tmp, ATTR_TIMES, 0, 0, 0, ts);
	}
	/* the parent's times stay (a copy-up changes nothing the guest
	 * made: ovl_set_timestamps of the parent's stat before) */
	char pb[PATH_MAX], ppb[PATH_MAX];
	struct kstat pst;
	dirname_of(rel, pb);
	const char *pp = lpath(fs, 0, pb, ppb);
	bool have_pst = um->ops->lookup(um, pp, &pst) == 0;
	err = um->ops->rename ? um->ops->rename(um, tmp, up, 0) : -EPERM;
	if (err)
		goto fail;
	if (have_pst && um->ops->setattr) {
		struct linux_timespec pts[2] = { pst.atime, pst.mtime };
		um->ops->setattr(um, pp, ATTR_TIMES, 0, 0, 0, pts);
	}
	struct kstat ust;
	if (!um->ops->lookup(um, up, &ust)) {
		struct ovl_origin *o = calloc(1, sizeof *o);
		uint64_t idev, iino;

		real_ident(fs, e.top, e.st.dev, e.st.ino, &idev, &iino);
		origin_forget(fs, ust.ino);
		if (o) {
			o->uino = ust.ino;
			o->dev = idev;
			o->ino = iino;
			o->next = fs->origins[ust.ino % OVL_HASH];
			fs->origins[ust.ino % OVL_HASH] = o;
		}
	}
	fs->copy_gen++;
	return 0;
fail:
	if (S_ISDIR(e.st.mode))
		um->ops->rmdir(um, tmp);
	else
		um->ops->unlink(um, tmp);
	return err;
}

/* A name about to be made at rel: its parent on the upper layer, and any
 * whiteout there taken away (*had_whiteout says so).  -EROFS without an
 * upper layer. */
static int prepare_create(struct ovl_fs *fs, const char *rel, bool *had_whiteout)
{
	char ub[PATH_MAX];
	struct kstat st;
	const char *up;
	int err;

	*had_whiteout = false;
	if (!fs->has_upper)
		return -EROFS;
	if ((err = copy_up_parent(fs, rel)))
		return err;
	up = lpath(fs, 0, rel, ub);
	if (!LM(fs, 0)->ops->lookup(LM(fs, 0), up, &st) && is_whiteout(LM(fs, 0), up, &st)) {
		if ((err = LM(fs, 0)->ops->unlink(LM(fs, 0), up)))
			return err;
		*had_whiteout = true;
	}
	return 0;
}

static int make_whiteout(struct ovl_fs *fs, const char *rel)
{
	char ub[PATH_MAX];
	struct mount *um = LM(fs, 0);
	int err = copy_up_parent(fs, rel);

	if (err)
		return err;
	return um->ops->mknod ? um->ops->mknod(um, lpath(fs, 0, rel, ub), S_IFCHR, 0) : -EPERM;
}

/* ---- merged directories ---- */

struct mdent {
	struct dir_entry d;
	int order;                    /* layer position, top first */
	size_t idx;
	bool whiteout;
};

static int mdent_cmp_name(const void *a, const void *b)
{
	const struct mdent *x = a, *y = b;
	int c = strcmp(x->d.name, y->d.name);

	if (c)
		return c;
	return x->order != y->order ? x->order - y->order : (x->idx < y->idx ? -1 : x->idx > y->idx);
}

static int mdent_cmp_pos(const void *a, const void *b)
{
	const struct mdent *x = a, *y = b;

	if (x->order != y->order)
		return x->order - y->order;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* The entries of one layer's directory p (no "." or ".."). */
static int layer_readdir(struct mount *lm, const char *p, struct dir_entry **ents, size_t *n)
{
	struct file *df;
	int err = lm->ops->open(lm, p, O_RDONLY | O_DIRECTORY | O_NOATIME, 0, &df);

	*ents = NULL;
	*n = 0;
	if (err)
		return err;
	df->nonotify = true;
	err = df->ops->readdir ? df->ops->readdir(df, ents, n) : -ENOTDIR;
	file_put(df);
	return err;
}

/*
 * merge_dir - the merged entries of directory e (at rel): each name once,
 * from the highest layer having it, whiteouts and what they hide left
 * out; upper entries first, in each layer's order (ovl_iterate).  With
 * raw_upper set, also the upper layer's whiteouts' names (for rmdir's
 * cleanup), in *wo.
 */
static int merge_dir(struct ovl_fs *fs, const char *rel, const struct ovl_ent *e,
		     struct dir_entry **out, size_t *nout)
{
	struct mdent *all = NULL;
	size_t n = 0, cap = 0;
	char buf[PATH_MAX], cbuf[PATH_MAX + 260];
	int err = 0;

	*out = NULL;
	*nout = 0;
	for (int k = 0; k < e->nl && !err; k++) {
		int li = e->li[k];
		struct mount *lm = LM(fs, li);
		const char *p = lpath(fs, li, rel, buf);
		struct dir_entry *ents;
		size_t ne;
		char v[4];
		bool xwo = ovl_getx(lm, p, "whiteouts", v, sizeof v) >= 0 ||
			   (ovl_getx(lm, p, "opaque", v, sizeof v) == 1 && v[0] == 'x');

		if ((err = layer_readdir(lm, p, &ents, &ne)))
			break;
		for (size_t i = 0; i < ne; i++) {
			struct mdent *m;

			if (!strcmp(ents[i].name, ".") || !strcmp(ents[i].name, ".."))
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				struct mdent *na = realloc(all, cap * sizeof *all);
				if (!na) {
					err = -ENOMEM;
					break;
				}
				all = na;
			}
			m = &all[n];
			m->d = ents[i];
			m->order = k;
			m->idx = n++;
			m->whiteout = false;
			if (ents[i].type == DT_CHR || ents[i].type == DT_UNKNOWN ||
			    (xwo && ents[i].type == DT_REG)) {
				struct kstat st;
				snprintf(cbuf, sizeof cbuf, "%s%s%s", p, *p ? "/" : "", ents[i].name);
				if (!lm->ops->lookup(lm, cbuf, &st)) {
					m->whiteout = is_whiteout(lm, cbuf, &st);
					if (m->d.type == DT_UNKNOWN)
						m->d.type = mode_to_dtype(st.mode);
				}
			}
			/* d_ino as st_ino shows it */
			uint64_t idev, iino;
			real_ident(fs, li, lm->dev, m->d.ino, &idev, &iino);
			map_ino(fs, idev, iino, m->d.type == DT_DIR, &idev, &m->d.ino);
		}
		free(ents);
	}
	if (err) {
		free(all);
		return err;
	}
	if (n)
		qsort(all, n, sizeof *all, mdent_cmp_name);
	size_t keep = 0;
	for (size_t i = 0; i < n; i++) {
		if (i && !strcmp(all[i].d.name, all[i - 1].d.name))
			continue;
		if (all[i].whiteout)
			continue;
		all[keep++] = all[i];
	}
	if (keep)
		qsort(all, keep, sizeof *all, mdent_cmp_pos);
	struct dir_entry *res = keep ? malloc(keep * sizeof *res) : NULL;
	if (keep && !res) {
		free(all);
		return -ENOMEM;
	}
	for (size_t i = 0; i < keep; i++)
		res[i] = all[i].d;
	free(all);
	*out = res;
	*nout = keep;
	return 0;
}

/* rmdir's cleanup: the whiteouts in the upper directory up go. */
static int clear_whiteouts(struct ovl_fs *fs, const char *up)
{
	struct mount *um = LM(fs, 0);
	struct dir_entry *ents;
	size_t ne;
	char cbuf[PATH_MAX + 260];
	int err = layer_readdir(um, up, &ents, &ne);

	for (size_t i = 0; !err && i < ne; i++) {
		struct kstat st;

		if (!strcmp(ents[i].name, ".") || !strcmp(ents[i].name, ".."))
			continue;
		snprintf(cbuf, sizeof cbuf, "%s%s%s", up, *up ? "/" : "", ents[i].name);
		if (!um->ops->lookup(um, cbuf, &st) && is_whiteout(um, cbuf, &st))
			err = um->ops->unlink(um, cbuf);
	}
	free(ents);
	return err;
}

/* The merged directory e at rel is empty (whiteouts aside): 0 or -ENOTEMPTY. */
static int dir_empty(struct ovl_fs *fs, const char *rel, const struct ovl_ent *e)
{
	struct dir_entry *ents;
	size_t n;
	int err = merge_dir(fs, rel, e, &ents, &n);

	free(ents);
	return err ? err : n ? -ENOTEMPTY : 0;
}

/* ---- files: a file of the overlay stacks on a file of a layer ---- */

struct ovl_file {
	struct ovl_fs *fs;
	struct mount *m;              /* the overlay mount it was opened on */
	struct file *real;
	int layer;
	uint64_t gen;                 /* fs->copy_gen when real was checked */
	uint64_t dev, ino;            /* what fstat shows */
	bool merged;
};

static const struct file_ops ovl_file_ops;

/* A real file of layer li for overlay path rel: named by the layer's
 * guest path, it makes its own events (Linux 6.5's "ovl: enable fsnotify
 * events on underlying real files"): watches on the layers hear of opens,
 * reads, writes and closes made through the overlay. */
static void real_name(struct ovl_fs *fs, int li, const char *rel, struct file *real)
{
	const char *a = fs->layers[li].abs;
	size_t l = (a ? strlen(a) : 0) + strlen(rel) + 2;
	char *p = a ? malloc(l) : NULL;

	if (p) {
		snprintf(p, l, "%s%s%s", a, *rel && strcmp(a, "/") ? "/" : "", rel);
		free(real->path);
		real->path = p;
	}
	real->nonotify = false;
}

/* The overlay path of open file f: from its guest path, or for an open
 * the kernel made (a stacked overlay's layer) the rel it was opened at. */
static const char *ovl_file_rel(struct file *f, char *buf)
{
	struct ovl_file *of = f->priv;

	if (!f->path)
		return NULL;
	return f->path[0] == '/' ? mnt_rel(of->m, f->path, buf) : f->path;
}

/* f's real file, reopened on the upper layer if its object was copied
 * up since (ovl_real_fdget). */
static struct file *ovl_real(struct file *f)
{
	struct ovl_file *of = f->priv;
	struct ovl_fs *fs = of->fs;

	if (fs->has_upper && of->layer != 0 && of->gen != fs->copy_gen && f->path) {
		char rb[PATH_MAX], ub[PATH_MAX];
		const char *rel = ovl_file_rel(f, rb);
		struct ovl_ent e;
		struct kstat st;
		struct file *nf;

		of->gen = fs->copy_gen;
		if (!ovl_resolve(fs, rel, &e) && e.top == 0) {
			ovl_stat(fs, &e, &st);
			if (st.ino == of->ino &&
			    !LM(fs, 0)->ops->open(LM(fs, 0), lpath(fs, 0, rel, ub),
						  (of->real->flags & ~(O_CREAT | O_EXCL | O_TRUNC)) |
						  (S_ISDIR(st.mode) ? O_DIRECTORY : 0), 0, &nf)) {
				real_name(fs, 0, rel, nf);
				nf->pos = of->real->pos;
				file_put(of->real);
				of->real = nf;
				of->layer = 0;
			}
		}
	}
	/* the status flags fcntl(F_SETFL) changed are the overlay file's */
	of->real->flags = (of->real->flags & ~(O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME)) |
			  (f->flags & (O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME));
	return of->real;
}

static ssize_t of_read(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	struct file *r = ovl_real(f);
	ssize_t res = r->ops->read ? r->ops->read(t, r, buf, n, pos) : -EINVAL;

	if (res > 0)
		fsnotify_file(r, IN_ACCESS_);
	return res;
}

static ssize_t of_write(struct task *t, struct file *f, const void *buf, size_t n, int64_t *pos)
{
	struct file *r = ovl_real(f);
	ssize_t res = r->ops->write ? r->ops->write(t, r, buf, n, pos) : -EINVAL;

	if (res > 0)
		fsnotify_file(r, IN_MODIFY_);
	return res;
}

static int of_fstat(struct file *f, struct kstat *st)
{
	struct ovl_file *of = f->priv;
	struct file *r = ovl_real(f);
	int err = r->ops->fstat ? r->ops->fstat(r, st) : -EINVAL;

	if (err)
		return err;
	st->dev = of->dev;
	st->ino = of->ino;
	if (S_ISDIR(st->mode) && of->merged)
		st->nlink = 1;
	return 0;
}

static int of_readdir(struct file *f, struct dir_entry **ents, size_t *n)
{
	struct ovl_file *of = f->priv;
	struct file *r = ovl_real(f);
	char rb[PATH_MAX];
	struct ovl_ent e;

	if (f->path) {
		const char *rel = ovl_file_rel(f, rb);
		struct kstat st;

		if (!ovl_resolve(of->fs, rel, &e) && S_ISDIR(e.st.mode)) {
			ovl_stat(of->fs, &e, &st);
			if (st.ino == of->ino)
				return merge_dir(of->fs, rel, &e, ents, n);
		}
	}
	return r->ops->readdir ? r->ops->readdir(r, ents, n) : -ENOTDIR;
}

static long of_ioctl(struct task *t, struct file *f, unsigned int cmd, uint64_t arg)
{
	struct file *r = ovl_real(f);

	return r->ops->ioctl ? r->ops->ioctl(t, r, cmd, arg) : -ENOTTY;
}

static short of_poll(struct file *f, struct poll_table *pt)
{
	struct file *r = ovl_real(f);

	return r->ops->poll ? r->ops->poll(r, pt) : (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM);
}

static int of_truncate(struct file *f, uint64_t len)
{
	struct file *r = ovl_real(f);

	return r->ops->truncate ? r->ops->truncate(r, len) : -EINVAL;
}

static int of_fsync(struct file *f)
{
	struct file *r = ovl_real(f);

	return r->ops->fsync ? r->ops->fsync(r) : 0;
}

static int ovl_setattr(struct mount *m, const char *rel, int what, uint32_t mode, uint32_t uid,
		       uint32_t gid, const struct linux_timespec *ts);

/* fchmod, fchown, futimens: the object is copied up as chmod's is. */
static int of_setattr(struct file *f, int what, uint32_t mode, uint32_t uid, uint32_t gid,
		      const struct linux_timespec *ts)
{
	struct ovl_file *of = f->priv;
	char rb[PATH_MAX];
	struct ovl_ent e;
	struct kstat st;

	if (f->path) {
		const char *rel = ovl_file_rel(f, rb);

		if (!ovl_resolve(of->fs, rel, &e)) {
			ovl_stat(of->fs, &e, &st);
			if (st.ino == of->ino)
				return ovl_setattr(of->m, rel, what, mode, uid, gid, ts);
		}
	}
	struct file *r = ovl_real(f);   /* unlinked: its real file alone */
	return r->ops->setattr ? r->ops->setattr(r, what, mode, uid, gid, ts) : -EPERM;
}

static int of_host_fd(struct file *f)
{
	struct file *r = ovl_real(f);

	return r->ops->host_fd ? r->ops->host_fd(r) : -ENODEV;
}

static void of_vm_open(struct file *f)
{
	struct ovl_file *of = f->priv;

	if (of->real->ops->vm_open)
		of->real->ops->vm_open(of->real);
}

static void of_vm_close(struct file *f)
{
	struct ovl_file *of = f->priv;

	if (of->real->ops->vm_close)
		of->real->ops->vm_close(of->real);
}

static int64_t of_llseek(struct file *f, int64_t off, int whence)
{
	struct file *r = ovl_real(f);
	int64_t res;

	if (!r->ops->llseek)
		return -EOPNOTSUPP;
	r->pos = f->pos;
	res = r->ops->llseek(r, off, whence);
	if (res >= 0)
		f->pos = res;
	return res;
}

static int of_fallocate(struct file *f, int mode, uint64_t off, uint64_t len)
{
	struct file *r = ovl_real(f);

	if (r->ops->fallocate)
		return r->ops->fallocate(r, mode, off, len);
	/* sys_fallocate's own way with a host fd (a tmpfs file counts its
	 * pages) */
	int hfd = r->ops->host_fd ? r->ops->host_fd(r) : -ENODEV, err;
	if (hfd < 0)
		return -EOPNOTSUPP;
	if (!(mode & 0x02 /* FALLOC_FL_PUNCH_HOLE */) &&
	    ((err = tmpfs_file_reserve(r, off + len)) || (err = tmpfs_file_fits(r, off, len))))
		return err;
	if (fallocate(hfd, mode, (off_t)off, (off_t)len) < 0)
		return -errno;
	tmpfs_file_touch(r);
	return 0;
}

/* The page cache is the real file's (readahead, RWF_NOWAIT, mincore,
 * read_bytes, the mmap16 write fault): Linux's backing file. */
static struct pcache_inode *of_pcache(struct file *f)
{
	struct file *r = ovl_real(f);

	return r && r->ops->pcache ? r->ops->pcache(r) : NULL;
}

static int of_page_mkwrite(struct file *f, uint64_t pgoff)
{
	struct file *r = ovl_real(f);

	return r && r->ops->page_mkwrite ? r->ops->page_mkwrite(r, pgoff) : 0;
}

static void of_release(struct file *f)
{
	struct ovl_file *of = f->priv;

	if (of) {
		file_put(of->real);
		free(of);
	}
	f->priv = NULL;
}

static const struct file_ops ovl_file_ops = {
	.read = of_read,
	.write = of_write,
	.fstat = of_fstat,
	.readdir = of_readdir,
	.ioctl = of_ioctl,
	.poll = of_poll,
	.truncate = of_truncate,
	.fsync = of_fsync,
	.setattr = of_setattr,
	.host_fd = of_host_fd,
	.vm_open = of_vm_open,
	.vm_close = of_vm_close,
	.llseek = of_llseek,
	.fallocate = of_fallocate,
	.pcache = of_pcache,
	.page_mkwrite = of_page_mkwrite,
	.release = of_release,
	.seekable = true,
};

/* ---- the filesystem's ops ---- */

static int ovl_lookup(struct mount *m, const char *rel, struct kstat *st)
{
	struct ovl_ent e;
	int err = ovl_resolve(OFS(m), rel, &e);

	if (!err)
		ovl_stat(OFS(m), &e, st);
	return err;
}

static int ovl_readlink(struct mount *m, const char *rel, char *buf, size_t len)
{
	struct ovl_fs *fs = OFS(m);
	struct ovl_ent e;
	char lb[PATH_MAX];
	int err = ovl_resolve(fs, rel, &e);

	if (err)
		return err;
	if (!LM(fs, e.top)->ops->readlink)
		return -EINVAL;
	return LM(fs, e.top)->ops->readlink(LM(fs, e.top), lpath(fs, e.top, rel, lb), buf, len);
}

static int ovl_open(struct mount *m, const char *rel, int flags, uint32_t mode, struct file **out)
{
	struct ovl_fs *fs = OFS(m);
	struct ovl_ent e;
	struct ovl_file *of;
	struct file *real = NULL, *f;
	char lb[PATH_MAX];
	struct kstat st;
	int acc = flags & O_ACCMODE;
	int err = ovl_resolve(fs, rel, &e);

	if (err == -ENOENT && (flags & O_CREAT)) {
		bool wo;

		if ((err = prepare_create(fs, rel, &wo)))
			return err;
		err = LM(fs, 0)->ops->open(LM(fs, 0), lpath(fs, 0, rel, lb), flags, mode, &real);
		if (err)
			return err;
		err = ovl_resolve(fs, rel, &e);
	} else if (!err) {
		if (S_ISREG(e.st.mode) && e.top != 0 && (acc != O_RDONLY || (flags & O_TRUNC))) {
			if ((err = ovl_copy_up(fs, rel)) || (err = ovl_resolve(fs, rel, &e)))
				return err;
		}
		err = LM(fs, e.top)->ops->open(LM(fs, e.top), lpath(fs, e.top, rel, lb),
					       flags & ~(O_CREAT | O_EXCL), 0, &real);
	}
	if (err) {
		if (real)
			file_put(real);
		return err;
	}
	real->nonotify = true;
	of = calloc(1, sizeof *of);
	if (of && !fs_quiet_open) {
		real_name(fs, e.top, rel, real);
		fsnotify_file(real, IN_OPEN_);
	}
	f = of ? file_alloc(&ovl_file_ops, flags, rel) : NULL;
	if (!f) {
		free(of);
		file_put(real);
		return -ENOMEM;
	}
	ovl_stat(fs, &e, &st);
	of->fs = fs;
	of->m = m;
	of->real = real;
	of->layer = e.top;
	of->gen = fs->copy_gen;
	of->dev = st.dev;
	of->ino = st.ino;
	of->merged = S_ISDIR(e.st.mode) && e.nl > 1;
	f->priv = of;
	f->mnt = m;
	*out = f;
	return 0;
}

/* mkdir, mknod, symlink: made on the upper layer (a directory over a
 * whiteout opaque, so that what the whiteout hid stays hidden). */
static int ovl_mkdir(struct mount *m, const char *rel, uint32_t mode)
{
	struct ovl_fs *fs = OFS(m);
	char ub[PATH_MAX];
	bool wo;
	int err = prepare_create(fs, rel, &wo);
	const char *up = lpath(fs, 0, rel, ub);

	if (err)
		return err;
	if ((err = LM(fs, 0)->ops->mkdir(LM(fs, 0), up, mode)))
		return err;
	if (wo && (err = ovl_setx(LM(fs, 0), up, "opaque", "y"))) {
		LM(fs, 0)->ops->rmdir(LM(fs, 0), up);
		make_whiteout(fs, rel);
	}
	return err;
}

static int ovl_mknod(struct mount *m, const char *rel, uint32_t mode, uint64_t dev)
{
	struct ovl_fs *fs = OFS(m);
	char ub[PATH_MAX];
	bool wo;
	int err = prepare_create(fs, rel, &wo);

	if (err)
		return err;
	if (!LM(fs, 0)->ops->mknod)
		return -EPERM;
	return LM(fs, 0)->ops->mknod(LM(fs, 0), lpath(fs, 0, rel, ub), mode, dev);
}

static int ovl_symlink(struct mount *m, const char *target, const char *rel)
{
	struct ovl_fs *fs = OFS(m);
	char ub[PATH_MAX];
	bool wo;
	int err = prepare_create(fs, rel, &wo);

	if (err)
		return err;
	if (!LM(fs, 0)->ops->symlink)
		return -EPERM;
	return LM(fs, 0)->ops->symlink(LM(fs, 0), target, lpath(fs, 0, rel, ub));
}

static int ovl_link(struct mount *m, const char *old, const char *new_)
{
	struct ovl_fs *fs = OFS(m);
	char ob[PATH_MAX], nb[PATH_MAX];
	bool wo;
	int err;

	if ((err = ovl_copy_up(fs, old)) || (err = prepare_create(fs, new_, &wo)))
		return err;
	if (!LM(fs, 0)->ops->link)
		return -EPERM;
	return LM(fs, 0)->ops->link(LM(fs, 0), lpath(fs, 0, old, ob), lpath(fs, 0, new_, nb));
}

static int ovl_unlink(struct mount *m, const char *rel)
{
	struct ovl_fs *fs = OFS(m);
	struct ovl_ent e;
	char ub[PATH_MAX];
	int err = ovl_resolve(fs, rel, &e);

	if (err)
		return err;
	if (!fs->has_upper)
		return -EROFS;
	if (e.top == 0) {
		if ((err = LM(fs, 0)->ops->unlink(LM(fs, 0), lpath(fs, 0, rel, ub))))
			return err;
		if (e.st.nlink <= 1)
			origin_forget(fs, e.st.ino);
		if (!e.lower_positive)
			return 0;
	}
	return make_whiteout(fs, rel);
}

static int ovl_rmdir(struct mount *m, const char *rel)
{
	struct ovl_fs *fs = OFS(m);
	struct ovl_ent e;
	char ub[PATH_MAX];
	int err = ovl_resolve(fs, rel, &e);
	bool lower = false;

	if (err)
		return err;
	if (!S_ISDIR(e.st.mode))
		return -ENOTDIR;
	if (!fs->has_upper)
		return -EROFS;
	if ((err = dir_empty(fs, rel, &e)))
		return err;
	for (int k = 0; k < e.nl; k++)
		if (e.li[k] != 0)
			lower = true;
	lower = lower || e.lower_positive;
	if (e.top == 0) {
		const char *up = lpath(fs, 0, rel, ub);

		if ((err = clear_whiteouts(fs, up)) || (err = LM(fs, 0)->ops->rmdir(LM(fs, 0), up)))
			return err;
		origin_forget(fs, e.st.ino);
		if (!lower)
			return 0;
	}
	return make_whiteout(fs, rel);
}

/*
 * rename: the object copied up and renamed on the upper layer; its old
 * name whited out if a lower layer has it.  A directory that is merged
 * or lower gives EXDEV (redirect_dir off), as RENAME_WHITEOUT gives
 * EINVAL; a non-empty directory target ENOTEMPTY.
 */
static int ovl_rename(struct mount *m, const char *old, const char *new_, unsigned flags)
{
	struct ovl_fs *fs = OFS(m);
	struct ovl_ent o, n;
	char ob[PATH_MAX], nb[PATH_MAX];
	const char *oup, *nup;
	bool nexists, wo;
	int err = ovl_resolve(fs, old, &o);

	if (err)
		return err;
	if (!fs->has_upper)
		return -EROFS;
	if (flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE))
		return -EINVAL;
	err = ovl_resolve(fs, new_, &n);
	if (err && err != -ENOENT)
		return err;
	nexists = !err;
	if (S_ISDIR(o.st.mode) && (o.top != 0 || o.nl > 1))
		return -EXDEV;
	if ((flags & RENAME_EXCHANGE) && nexists && S_ISDIR(n.st.mode) && (n.top != 0 || n.nl > 1))
		return -EXDEV;
	if ((err = ovl_copy_up(fs, old)))
		return err;
	oup = lpath(fs, 0, old, ob);
	nup = lpath(fs, 0, new_, nb);
	if (flags & RENAME_EXCHANGE) {
		if (!nexists)
			return -ENOENT;
		if ((err = ovl_copy_up(fs, new_)))
			return err;
		return LM(fs, 0)->ops->rename(LM(fs, 0), oup, nup, flags);
	}
	if (nexists && S_ISDIR(n.st.mode)) {
		if ((err = dir_empty(fs, new_, &n)))
			return err;
		if (n.top == 0 && (err = clear_whiteouts(fs, nup)))
			return err;
	}
	/* the target's parent on the upper layer; a whiteout there goes
	 * first if a directory is to take its place */
	if ((err = copy_up_parent(fs, new_)))
		return err;
	if (S_ISDIR(o.st.mode) && (err = prepare_create(fs, new_, &wo)))
		return err;
	if (nexists && S_ISDIR(n.st.mode) && n.top != 0) {
		/* a lower directory replaced: nothing of it on the upper
		 * layer to replace */
	}
	if ((err = LM(fs, 0)->ops->rename(LM(fs, 0), oup, nup, 0)))
		return err;
	if (nexists && n.top == 0 && n.st.nlink <= 1)
		origin_forget(fs, n.st.ino);
	if (S_ISDIR(o.st.mode) && nexists && (n.top != 0 || n.nl > 1 || n.lower_positive))
		ovl_setx(LM(fs, 0), nup, "opaque", "y");
	else if (S_ISDIR(o.st.mode) && !nexists) {
		/* a whiteout may have hidden a lower name there */
		struct ovl_ent chk;
		if (!ovl_resolve(fs, new_, &chk) && chk.lower_positive)
			ovl_setx(LM(fs, 0), nup, "opaque", "y");
	}
	if (o.lower_positive || o.top != 0)
		return make_whiteout(fs, old);
	return 0;
}

static int ovl_setattr(struct mount *m, const char *rel, int what, uint32_t mode, uint32_t uid,
		       uint32_t gid, const struct linux_timespec *ts)
{
	struct ovl_fs *fs = OFS(m);
	char ub[PATH_MAX];
	int err = ovl_copy_up(fs, rel);

	if (err)
		return err;
	if (!LM(fs, 0)->ops->setattr)
		return -EPERM;
	return LM(fs, 0)->ops->setattr(LM(fs, 0), lpath(fs, 0, rel, ub), what, mode, uid, gid, ts);
}

static int ovl_truncate(struct mount *m, const char *rel, uint64_t len)
{
	struct ovl_fs *fs = OFS(m);
	char ub[PATH_MAX];
	int err = ovl_copy_up(fs, rel);

	if (err)
		return err;
	if (!LM(fs, 0)->ops->truncate)
		return -EPERM;
	return LM(fs, 0)->ops->truncate(LM(fs, 0), lpath(fs, 0, rel, ub), len);
}

/* statfs: the upper layer's (the top lower's without one), as overlayfs's
 * magic (ovl_statfs). */
static int ovl_statfs(struct mount *m, struct linux_statfs *st)
{
	struct ovl_fs *fs = OFS(m);
	struct mount *lm = LM(fs, 0);
	int err = lm->ops->statfs ? lm->ops->statfs(lm, st) : -ENOSYS;

	if (err)
		return err;
	st->f_type = OVERLAYFS_SUPER_MAGIC;
	st->f_fsid[0] = (int32_t)fs->dev;
	st->f_fsid[1] = 0;
	return 0;
}

static ssize_t ovl_getxattr(struct mount *m, const char *rel, const char *name, void *buf, size_t n)
{
	struct ovl_fs *fs = OFS(m);
	struct ovl_ent e;
	char lb[PATH_MAX];
	int err = ovl_resolve(fs, rel, &e);

	if (err)
		return err;
	char xb[300];
	if (!LM(fs, e.top)->ops->getxattr)
		return -EOPNOTSUPP;
	return LM(fs, e.top)->ops->getxattr(LM(fs, e.top), lpath(fs, e.top, rel, lb),
					    esc_xattr(name, xb, sizeof xb), buf, n);
}

static ssize_t ovl_listxattr(struct mount *m, const char *rel, char *buf, size_t n)
{
	struct ovl_fs *fs = OFS(m);
	struct ovl_ent e;
	char lb[PATH_MAX], *tmp;
	ssize_t len, out = 0;
	int err = ovl_resolve(fs, rel, &e);

	if (err)
		return err;
	if (!LM(fs, e.top)->ops->listxattr)
		return 0;
	const char *p = lpath(fs, e.top, rel, lb);
	len = LM(fs, e.top)->ops->listxattr(LM(fs, e.top), p, NULL, 0);
	if (len <= 0)
		return len;
	if (!(tmp = malloc((size_t)len)))
		return -ENOMEM;
	len = LM(fs, e.top)->ops->listxattr(LM(fs, e.top), p, tmp, (size_t)len);
	for (ssize_t i = 0; len > 0 && i < len; i += (ssize_t)strlen(tmp + i) + 1) {
		const char *name = tmp + i;
		char nb[300];

		if (!strncmp(name, OVL_ESC, strlen(OVL_ESC))) {
			snprintf(nb, sizeof nb, OVL_XATTR "%s", name + strlen(OVL_ESC));
			name = nb;
		} else if (is_own_xattr(name))
			continue;
		size_t l = strlen(name) + 1;
		if (n) {
			if ((size_t)out + l > n) {
				free(tmp);
				return -ERANGE;
			}
			memcpy(buf + out, name, l);
		}
		out += (ssize_t)l;
	}
	free(tmp);
	return len < 0 ? len : out;
}

static int ovl_setxattr(struct mount *m, const char *rel, const char *name, const void *v, size_t n,
			int flags)
{
	struct ovl_fs *fs = OFS(m);
	char ub[PATH_MAX], xb[300];
	int err;

	if ((err = ovl_copy_up(fs, rel)))
		return err;
	if (!LM(fs, 0)->ops->setxattr)
		return -EOPNOTSUPP;
	return LM(fs, 0)->ops->setxattr(LM(fs, 0), lpath(fs, 0, rel, ub), esc_xattr(name, xb, sizeof xb),
					v, n, flags);
}

static int ovl_removexattr(struct mount *m, const char *rel, const char *name)
{
	struct ovl_fs *fs = OFS(m);
	char ub[PATH_MAX], xb[300];
	int err;

	if ((err = ovl_copy_up(fs, rel)))
		return err;
	if (!LM(fs, 0)->ops->removexattr)
		return -EOPNOTSUPP;
	return LM(fs, 0)->ops->removexattr(LM(fs, 0), lpath(fs, 0, rel, ub), esc_xattr(name, xb, sizeof xb));
}

static int ovl_permission(struct mount *m, const char *rel, int mask)
{
	struct ovl_fs *fs = OFS(m);
	struct ovl_ent e;
	char lb[PATH_MAX];
	int err = ovl_resolve(fs, rel, &e);

	if (err)
		return err;
	if (!LM(fs, e.top)->ops->permission || ((mask & 2 /* W_OK */) && e.top != 0))
		return 0;
	return LM(fs, e.top)->ops->permission(LM(fs, e.top), lpath(fs, e.top, rel, lb), mask);
}

static int ovl_sync_fs(struct mount *m)
{
	struct ovl_fs *fs = OFS(m);

	if (fs->has_upper && LM(fs, 0)->ops->sync_fs)
		return LM(fs, 0)->ops->sync_fs(LM(fs, 0));
	return 0;
}

static const struct fs_ops ovl_ops = {
	.name = "overlay",
	.lookup = ovl_lookup,
	.readlink = ovl_readlink,
	.open = ovl_open,
	.mkdir = ovl_mkdir,
	.mknod = ovl_mknod,
	.rmdir = ovl_rmdir,
	.unlink = ovl_unlink,
	.symlink = ovl_symlink,
	.link = ovl_link,
	.rename = ovl_rename,
	.setattr = ovl_setattr,
	.truncate = ovl_truncate,
	.statfs = ovl_statfs,
	.getxattr = ovl_getxattr,
	.setxattr = ovl_setxattr,
	.listxattr = ovl_listxattr,
	.removexattr = ovl_removexattr,
	.permission = ovl_permission,
	.sync_fs = ovl_sync_fs,
};

/* ---- mount ---- */

static void ovl_kill(void *priv)
{
	struct ovl_fs *fs = priv;

	if (!fs)
		return;
	for (int li = 0; li < fs->nlayers; li++) {
		if (fs->layers[li].mnt)
			mnt_put(fs->layers[li].mnt);
		free(fs->layers[li].root);
		free(fs->layers[li].abs);
	}
	if (fs->workmnt)
		mnt_put(fs->workmnt);
	free(fs->work);
	for (int h = 0; h < OVL_HASH; h++) {
		while (fs->origins[h]) {
			struct ovl_origin *o = fs->origins[h];
			fs->origins[h] = o->next;
			free(o);
		}
		while (fs->dirinos[h]) {
			struct ovl_dirino *d = fs->dirinos[h];
			fs->dirinos[h] = d->next;
			free(d);
		}
	}
	free(fs);
}

/* Layer directory path (the caller's namespace, cwd and root) into a
 * private clone of its mount and its place there. */
static int layer_get(struct task *t, const char *path, struct mount **mnt, char **root,
		     struct super_block **sb, char **abs)
{
	struct nameidata *nd = malloc(sizeof *nd);
	int err;

	if (!nd)
		return -ENOMEM;
	err = *path ? vfs_walk(t, AT_FDCWD, path, WALK_FOLLOW, nd) : -ENOENT;
	if (!err && !nd->exists)
		err = -ENOENT;
	if (!err && !S_ISDIR(nd->st.mode))
		err = -EINVAL;   /* as Linux 6.x reports a layer that is no directory */
	if (!err && nd->magic)
		err = -EINVAL;
	if (!err) {
		*sb = nd->mnt->sb;
		*mnt = mnt_new_detached(nd->mnt->sb, nd->mnt->root, nd->mnt->mflags);
		*root = strdup(nd->rel);
		if (abs)
			*abs = strdup(nd->abs);
		if (!*mnt || !*root || (abs && !*abs))
			err = -ENOMEM;
		if (!err && (nd->mnt->mflags & MS_RDONLY))
			(*mnt)->mflags |= MS_RDONLY;
	}
	nd_release(nd);
	free(nd);
	return err;
}

/* One option value up to an unescaped sep, its escapes ("\\x") undone;
 * *s moves past it. */
static char *next_part(const char **s, char sep)
{
	const char *p = *s;
	char *out = malloc(strlen(p) + 1), *o = out;

	if (!out)
		return NULL;
	while (*p && *p != sep) {
		if (*p == '\\' && p[1])
			p++;
		*o++ = *p++;
	}
	*o = 0;
	*s = *p ? p + 1 : p;
	return out;
}

/* Whether sb-relative directory a is b or under it. */
static bool path_within(const char *a, const char *b)
{
	size_t n = strlen(b);

	if (!n)
		return true;
	return !strncmp(a, b, n) && (a[n] == 0 || a[n] == '/');
}

/*
 * The overlay type's mount: data is "lowerdir=L1:L2...,upperdir=U,workdir=W"
 * (Linux's options; redirect_dir, index, xino, metacopy, uuid, nfs_export,
 * volatile, userxattr and default_permissions are accepted and kept as
 * their defaults).  -EINVAL: no lowerdir, an upperdir without workdir, one
 * lowerdir alone, an unknown option, upper and work on different
 * filesystems or one inside the other, an upper layer that is read-only or
 * an overlay; -ELOOP: a lower layer overlapping the upper or work one;
 * -ENOENT/-ENOTDIR for a layer path.  Mirrors ovl_fill_super.
 */
static int ovl_type_mount(struct task *t, const char *source, int flags, const char *data,
			  struct super_block **out)
{
	char *lower = NULL, *upper = NULL, *work = NULL, *extra = NULL;
	char *lowers[OVL_MAX_LAYERS];
	int nlower = 0, err = 0;
	const char *s = data ? data : "";
	struct super_block *lsb[OVL_MAX_LAYERS], *wsb = NULL;
	struct ovl_fs *fs;
	size_t extralen = 0;

	(void)flags;
	while (*s && !err) {
		char *opt = next_part(&s, ',');
		char *v;

		if (!opt)
			return -ENOMEM;
		v = strchr(opt, '=');
		if (v)
			*v++ = 0;
		if (!*opt) {
			free(opt);
			continue;
		}
		if (v && !strcmp(opt, "lowerdir")) {
			free(lower);
			lower = strdup(v);
		} else if (v && !strcmp(opt, "upperdir")) {
			free(upper);
			upper = strdup(v);
		} else if (v && !strcmp(opt, "workdir")) {
			free(work);
			work = strdup(v);
		} else if ((v && (!strcmp(opt, "redirect_dir") || !strcmp(opt, "index") ||
				  !strcmp(opt, "xino") || !strcmp(opt, "metacopy") ||
				  !strcmp(opt, "uuid") || !strcmp(opt, "nfs_export") ||
				  !strcmp(opt, "verity"))) ||
			   (!v && (!strcmp(opt, "volatile") || !strcmp(opt, "userxattr") ||
				   !strcmp(opt, "default_permissions")))) {
			size_t l = strlen(opt) + (v ? strlen(v) + 1 : 0) + 2;
			char *ne = realloc(extra, extralen + l);
			if (!ne)
				err = -ENOMEM;
			else {
				extra = ne;
				extralen += (size_t)snprintf(extra + extralen, l, ",%s%s%s", opt,
							     v ? "=" : "", v ? v : "");
			}
		} else
			err = -EINVAL;
		free(opt);
	}
	if (!err && (!lower || !*lower))
		err = -EINVAL;
	if (!err && upper && !work)
		err = -EINVAL;   /* "missing 'workdir'" */
	if (!err && !upper) {
		free(work);
		work = NULL;
	}
	if (!err) {
		const char *p = lower;
		while (*p && !err) {
			char *part = next_part(&p, ':');
			if (!part)
				err = -ENOMEM;
			else if (!*part)
				free(part);   /* data-only layers ("::") are not supported: skipped */
			else if (nlower + 1 >= OVL_MAX_LAYERS) {
				free(part);
				err = -EINVAL;
			} else
				lowers[nlower++] = part;
		}
	}
	if (!err && !nlower)
		err = -EINVAL;
	if (!err && !upper && nlower < 2)
		err = -EINVAL;   /* "at least 2 lowerdir are needed while upperdir nonexistent" */
	fs = err ? NULL : calloc(1, sizeof *fs);
	if (!err && !fs)
		err = -ENOMEM;
	if (!err && upper) {
		err = layer_get(t, upper, &fs->layers[0].mnt, &fs->layers[0].root, &lsb[0],
				&fs->layers[0].abs);
		fs->nlayers = 1;
		fs->has_upper = true;
		if (!err && (lsb[0]->ops == &ovl_ops || mnt_want_write(fs->layers[0].mnt)))
			err = -EINVAL;   /* "upper fs is r/o" / "not supported as upperdir" */
		char *wroot = NULL;
		if (!err)
			err = layer_get(t, work, &fs->workmnt, &wroot, &wsb, NULL);
		if (!err && wsb != lsb[0])
			err = -EINVAL;   /* "workdir and upperdir must reside under the same mount" */
		if (!err && (path_within(wroot, fs->layers[0].root) ||
			     path_within(fs->layers[0].root, wroot)))
			err = -EINVAL;   /* "workdir and upperdir must be separate subtrees" */
		if (!err) {
			size_t l = strlen(wroot) + 6;
			fs->work = malloc(l);
			if (!fs->work)
				err = -ENOMEM;
			else
				snprintf(fs->work, l, "%s%swork", wroot, *wroot ? "/" : "");
		}
		free(wroot);
	}
	for (int i = 0; !err && i < nlower; i++) {
		int li = fs->nlayers;
		err = layer_get(t, lowers[i], &fs->layers[li].mnt, &fs->layers[li].root, &lsb[li],
				&fs->layers[li].abs);
		fs->nlayers++;
		if (!err && fs->has_upper && lsb[li] == lsb[0] &&
		    (path_within(fs->layers[li].root, fs->layers[0].root) ||
		     path_within(fs->layers[0].root, fs->layers[li].root)))
			err = -ELOOP;   /* overlapping upperdir path */
	}
	if (!err && fs->has_upper) {
		/* workdir/work: made afresh, as Linux's ovl_workdir_create */
		struct mount *um = fs->workmnt;
		struct kstat st;
		if (um->ops->lookup(um, fs->work, &st) == 0) {
			if (S_ISDIR(st.mode)) {
				struct dir_entry *ents;
				size_t ne;
				char cb[PATH_MAX + 260];
				if (!layer_readdir(um, fs->work, &ents, &ne)) {
					for (size_t i = 0; i < ne; i++) {
						snprintf(cb, sizeof cb, "%s/%s", fs->work, ents[i].name);
						if (ents[i].type == DT_DIR)
							um->ops->rmdir(um, cb);
						else if (strcmp(ents[i].name, ".") && strcmp(ents[i].name, ".."))
							um->ops->unlink(um, cb);
					}
					free(ents);
				}
			} else
				err = -EINVAL;
		} else
			err = um->ops->mkdir ? um->ops->mkdir(um, fs->work, 0) : -EPERM;
	}
	if (!err) {
		fs->samefs = true;
		for (int li = 1; li < fs->nlayers; li++)
			if (lsb[li] != lsb[0])
				fs->samefs = false;
		*out = sb_new(&ovl_ops, fs, "overlay", source, ovl_kill);
		if (!*out)
			err = -ENOMEM;
	}
	if (!err) {
		fs->dev = (*out)->dev;
		if (!fs->samefs)
			for (int li = 0; li < fs->nlayers; li++) {
				int same = -1;
				for (int k = 0; k < li; k++)
					if (lsb[k] == lsb[li])
						same = k;
				fs->layers[li].pseudo_dev = same >= 0 ? fs->layers[same].pseudo_dev
								      : anon_dev_alloc();
			}
		/* /proc/mounts: ovl_show_options (as given, escapes undone) */
		size_t l = strlen(lower) + (upper ? strlen(upper) + strlen(work) : 0) + extralen + 64;
		char *o = malloc(l);
		if (o) {
			int k = snprintf(o, l, "lowerdir=%s", lower);
			if (upper)
				snprintf(o + k, l - (size_t)k, ",upperdir=%s,workdir=%s%s,uuid=on", upper,
					 work, extra ? extra : "");
			else
				snprintf(o + k, l - (size_t)k, "%s,redirect_dir=on", extra ? extra : "");
		}
		(*out)->options = o;
		if (!upper)
			(*out)->flags |= MS_RDONLY;
	} else
		ovl_kill(fs);
	for (int i = 0; i < nlower; i++)
		free(lowers[i]);
	free(lower);
	free(upper);
	free(work);
	free(extra);
	return err;
}

/* overlayfs_register - makes "overlay" a type mount(2) knows (start-up). */
void overlayfs_register(void)
{
	static struct fs_type overlay_type = {
		.name = "overlay", .flags = FS_USERNS_MOUNT, .mount = ovl_type_mount,
	};

	register_filesystem(&overlay_type);
}
