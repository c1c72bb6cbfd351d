/*
 * inode_flags.c - inode flags, chattr(1)'s attributes: FS_IOC_GETFLAGS,
 * FS_IOC_SETFLAGS, FS_IOC_FSGETXATTR and FS_IOC_FSSETXATTR (Linux's
 * fs/ioctl.c and fs/file_attr.c), and the VFS checks that enforce the two
 * flags the VFS itself obeys, FS_IMMUTABLE_FL and FS_APPEND_FL (Linux's
 * IS_IMMUTABLE and IS_APPEND tests in fs/namei.c, fs/open.c, fs/attr.c,
 * fs/xattr.c and fs/fcntl.c).
 *
 * In a nutshell: a filesystem has inode flags if its fs_ops has getflags
 * and setflags.  One that keeps them itself (ext2, on disk) points them at
 * its own functions; tmpfs and hostfs use the table here, keyed by inode
 * (st_dev, st_ino), whose entry goes with the inode's last name.  The
 * checks below are what every syscall that changes an inode or a name
 * asks first; each returns 0 or -EPERM, even to root, as Linux does.
 * While no inode of a table-backed filesystem is immutable or
 * append-only, they return at once without a lookup.
 *
 * Lock: klock, held by every caller.
 */
#include "../kernel.h"
#include "fs.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CAP_LINUX_IMMUTABLE_ 9
#ifndef ENOIOCTLCMD
#define ENOIOCTLCMD 515   /* kernel-internal: "not my ioctl" */
#endif

#define FS_IOC_GETFLAGS_   0x80086601u
#define FS_IOC_SETFLAGS_   0x40086602u
#define FS_IOC_FSGETXATTR_ 0x801c581fu
#define FS_IOC_FSSETXATTR_ 0x401c5820u

/* FS_XFLAG_* of struct fsxattr's fsx_xflags (include/uapi/linux/fs.h) */
#define FS_XFLAG_IMMUTABLE_ 0x00000008u
#define FS_XFLAG_APPEND_    0x00000010u
#define FS_XFLAG_SYNC_      0x00000020u
#define FS_XFLAG_NOATIME_   0x00000040u
#define FS_XFLAG_NODUMP_    0x00000080u
#define FS_XFLAG_DAX_       0x00008000u

struct fsxattr_ {
	uint32_t fsx_xflags, fsx_extsize, fsx_nextents, fsx_projid, fsx_cowextsize;
	unsigned char fsx_pad[8];
};

/* ---- the table of tmpfs and hostfs ---- */
struct iflags_ent {
	struct iflags_ent *next;
	uint64_t dev, ino;
	uint32_t flags;
};
#define IFLAGS_HASH 64
static struct iflags_ent *iflags_tab[IFLAGS_HASH];
static int iflags_enforcing;   /* entries with FS_IMMUTABLE_FL or FS_APPEND_FL */
static int iflags_entries;     /* all entries (inode_flags_lookup's fast path) */

static struct iflags_ent **iflags_slot(uint64_t dev, uint64_t ino)
{
	struct iflags_ent **pp = &iflags_tab[(ino ^ dev * 31) % IFLAGS_HASH];

	for (; *pp; pp = &(*pp)->next)
		if ((*pp)->dev == dev && (*pp)->ino == ino)
			break;
	return pp;
}

int inode_flags_table_get(struct mount *m, const char *rel, const struct kstat *st,
			  uint32_t *flags)
{
	struct iflags_ent *e = *iflags_slot(st->dev, st->ino);

	(void)m;
	(void)rel;
	*flags = e ? e->flags : 0;
	return 0;
}

int inode_flags_table_set(struct mount *m, const char *rel, const struct kstat *st,
			  uint32_t flags)
{
	struct iflags_ent **pp = iflags_slot(st->dev, st->ino), *e = *pp;

	(void)m;
	(void)rel;
	/* what Linux's shmem keeps (SHMEM_FL_USER_MODIFIABLE); the rest EOPNOTSUPP */
	if (flags & ~(FS_IMMUTABLE_FL_ | FS_APPEND_FL_ | FS_NODUMP_FL_ | FS_NOATIME_FL_))
		return -EOPNOTSUPP;
	if (!e && !flags)
		return 0;
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e)
			return -ENOMEM;
		e->dev = st->dev;
		e->ino = st->ino;
		*pp = e;
		iflags_entries++;
	}
	if (e->flags & IFLAGS_ENFORCED_)
		iflags_enforcing--;
	e->flags = flags;
	if (flags & IFLAGS_ENFORCED_)
		iflags_enforcing++;
	if (!flags) {
		*pp = e->next;
		free(e);
		iflags_entries--;
	}
	return 0;
}

/* inode_flags_lookup - the table's flags of inode (dev, ino), 0 if none:
 * for a filesystem that needs one (tmpfs's FS_NOATIME_FL on every read)
 * without a name or a stat; nothing to walk while the table is empty. */
uint32_t inode_flags_lookup(uint64_t dev, uint64_t ino)
{
	struct iflags_ent *e;

	if (!iflags_entries)
		return 0;
	e = *iflags_slot(dev, ino);
	return e ? e->flags : 0;
}

void inode_flags_forget(const struct kstat *st)
{
	struct iflags_ent **pp, *e;

	if (!st || (!S_ISDIR(st->mode) && st->nlink > 1))
		return;
	pp = iflags_slot(st->dev, st->ino);
	if (!(e = *pp))
		return;
	if (e->flags & IFLAGS_ENFORCED_)
		iflags_enforcing--;
	*pp = e->next;
	free(e);
	iflags_entries--;
}

/* ---- looking flags up ---- */

bool inode_flags_enforcing(const struct mount *m)
{
	if (!m || !m->ops || !m->ops->getflags)
		return false;
	return m->ops->getflags != inode_flags_table_get || iflags_enforcing > 0;
}

uint32_t inode_flags(struct mount *m, const char *rel, const struct kstat *st)
{
	uint32_t fl = 0;

	if (!m || !m->ops || !m->ops->getflags || !st)
		return 0;
	if (m->ops->getflags(m, rel ? rel : "", st, &fl))
		return 0;
	return fl;
}

/* The mount and path in it of open file f (its name now): the mount, or
 * NULL for a file of no filesystem with flags. */
static struct mount *file_where(struct file *f, const char **rel, char *buf)
{
	struct mount *m;

	if (!f->mnt || !f->path || f->path[0] != '/' || !f->mnt->ops || !f->mnt->ops->getflags)
		return NULL;
	m = vfs_find_mount_ns(file_mnt_ns(f), f->path, rel, buf);
	return m == f->mnt ? m : NULL;
}

uint32_t file_inode_flags(struct file *f)
{
	char buf[4096];
	const char *rel;
	struct kstat st;
	struct mount *m;

	if (!f || !inode_flags_enforcing(f->mnt) || !f->ops->fstat || f->ops->fstat(f, &st))
		return 0;
	m = file_where(f, &rel, buf);
	if (m && m->ops->getflags != inode_flags_table_get)
		return inode_flags(m, rel, &st);
	/* the table needs no name: an unlinked file keeps its flags */
	return f->mnt->ops->getflags == inode_flags_table_get ? inode_flags(f->mnt, "", &st) : 0;
}

/* ---- the checks ---- */

int inode_may_write(struct mount *m, const char *rel, const struct kstat *st)
{
	if (!inode_flags_enforcing(m))
		return 0;
	return inode_flags(m, rel, st) & FS_IMMUTABLE_FL_ ? -EPERM : 0;
}

int inode_may_open(struct mount *m, const char *rel, const struct kstat *st, int flags)
{
	uint32_t fl;
	bool writes = (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);

	if (!writes || !inode_flags_enforcing(m))
		return 0;
	fl = inode_flags(m, rel, st);
	if (fl & FS_IMMUTABLE_FL_)
		return -EPERM;
	/* may_open: an append-only file opens for writing with O_APPEND only, never O_TRUNC */
	if ((fl & FS_APPEND_FL_) &&
	    (((flags & O_ACCMODE) != O_RDONLY && !(flags & O_APPEND)) || (flags & O_TRUNC)))
		return -EPERM;
	return 0;
}

int inode_may_change(struct mount *m, const char *rel, const struct kstat *st)
{
	if (!inode_flags_enforcing(m))
		return 0;
	return inode_flags(m, rel, st) & IFLAGS_ENFORCED_ ? -EPERM : 0;
}

int inode_may_delete(struct mount *m, const char *rel, const struct kstat *st)
{
	char prel[4096], *s;
	struct kstat pst;

	if (!inode_flags_enforcing(m))
		return 0;
	if (inode_flags(m, rel, st) & IFLAGS_ENFORCED_)
		return -EPERM;
	/* the directory: append-only keeps its names, immutable all of it */
	snprintf(prel, sizeof(prel), "%s", rel ? rel : "");
	s = strrchr(prel, '/');
	if (s)
		*s = 0;
	else
		prel[0] = 0;
	if (m->ops->lookup(m, prel, &pst) == 0 && (inode_flags(m, prel, &pst) & IFLAGS_ENFORCED_))
		return -EPERM;
	return 0;
}

int file_may_change(struct file *f)
{
	return file_inode_flags(f) & IFLAGS_ENFORCED_ ? -EPERM : 0;
}

int file_may_setfl(struct file *f, int newflags)
{
	if (!((newflags ^ f->flags) & O_APPEND))
		return 0;
	return file_inode_flags(f) & FS_APPEND_FL_ ? -EPERM : 0;
}

void inode_flags_statx(struct mount *m, const char *rel, const struct kstat *st,
		       uint64_t *attributes, uint64_t *mask)
{
	uint32_t fl;

	if (!m || !m->ops || !m->ops->getflags)
		return;
	fl = inode_flags(m, rel, st);
	*mask |= STATX_ATTR_IMMUTABLE_ | STATX_ATTR_APPEND_ | STATX_ATTR_NODUMP_;
	if (fl & FS_IMMUTABLE_FL_)
		*attributes |= STATX_ATTR_IMMUTABLE_;
	if (fl & FS_APPEND_FL_)
		*attributes |= STATX_ATTR_APPEND_;
	if (fl & FS_NODUMP_FL_)
		*attributes |= STATX_ATTR_NODUMP_;
}

/* ---- the ioctls ---- */

/* Linux's fileattr_fill_flags / fileattr_fill_xflags, for the flags we keep */
static uint32_t flags_to_xflags(uint32_t fl)
{
	return (fl & FS_IMMUTABLE_FL_ ? FS_XFLAG_IMMUTABLE_ : 0) |
	       (fl & FS_APPEND_FL_ ? FS_XFLAG_APPEND_ : 0) |
	       (fl & FS_SYNC_FL_ ? FS_XFLAG_SYNC_ : 0) |
	       (fl & FS_NOATIME_FL_ ? FS_XFLAG_NOATIME_ : 0) |
	       (fl & FS_NODUMP_FL_ ? FS_XFLAG_NODUMP_ : 0);
}

static uint32_t xflags_to_flags(uint32_t x)
{
	return (x & FS_XFLAG_IMMUTABLE_ ? FS_IMMUTABLE_FL_ : 0) |
	       (x & FS_XFLAG_APPEND_ ? FS_APPEND_FL_ : 0) |
	       (x & FS_XFLAG_SYNC_ ? FS_SYNC_FL_ : 0) |
	       (x & FS_XFLAG_NOATIME_ ? FS_NOATIME_FL_ : 0) |
	       (x & FS_XFLAG_NODUMP_ ? FS_NODUMP_FL_ : 0);
}

/* fileattr_iflags_get/set - fs_ops.fileattr_get/set (file_getattr,
 * file_setattr: file_attr.c, which made the generic checks) over the
 * filesystem's inode flags, so the two interfaces show one set of flags. */
int fileattr_iflags_get(struct mount *m, const char *rel, uint32_t *xflags)
{
	struct kstat st;
	uint32_t fl = 0;
	int err = m->ops->lookup(m, rel, &st);

	if (!err)
		err = m->ops->getflags(m, rel, &st, &fl);
	*xflags = err ? 0 : flags_to_xflags(fl);
	return err;
}

int fileattr_iflags_set(struct mount *m, const char *rel, uint32_t xflags)
{
	struct kstat st;
	uint32_t fl = 0;
	int err = m->ops->lookup(m, rel, &st);

	if (!err)
		err = m->ops->getflags(m, rel, &st, &fl);
	if (err)
		return err;
	if (xflags & ~(FS_XFLAG_IMMUTABLE_ | FS_XFLAG_APPEND_ | FS_XFLAG_SYNC_ | FS_XFLAG_NOATIME_ |
		       FS_XFLAG_NODUMP_))
		return -EOPNOTSUPP;
	return m->ops->setflags(m, rel, &st, (fl & ~xflags_to_flags(~0u)) | xflags_to_flags(xflags));
}

/* vfs_fileattr_set's checks, then the filesystem's setflags. */
static int set_flags(struct task *t, struct file *f, struct mount *m, const char *rel,
		     const struct kstat *st, uint32_t old, uint32_t nfl)
{
	int err;

	if ((err = mnt_want_write(f->mnt)))
		return err;
	if (st->uid != t->cred.fsuid && !capable(t, CAP_FOWNER))
		return -EPERM;   /* inode_owner_or_capable */
	if (((old ^ nfl) & IFLAGS_ENFORCED_) && !capable(t, CAP_LINUX_IMMUTABLE_))
		return -EPERM;   /* fileattr_set_prepare */
	if (!m->ops->setflags)
		return -EOPNOTSUPP;
	err = m->ops->setflags(m, rel, st, nfl);
	if (!err)
		fsnotify_file(f, IN_ATTRIB_);   /* the ctime change Linux makes */
	return err;
}

long inode_flags_ioctl(struct task *t, struct file *f, unsigned int cmd, uint64_t arg)
{
	char buf[4096];
	const char *rel = "";
	struct kstat st;
	struct mount *m;
	uint32_t fl;
	int v;

	/* FS_IOC_FSGETXATTR/FSSETXATTR are file_attr.c's (fileattr_ioctl,
	 * with the fsx fields' checks), over the same flags */
	if (cmd != FS_IOC_GETFLAGS_ && cmd != FS_IOC_SETFLAGS_)
		return -ENOIOCTLCMD;
	if (!f->mnt || !f->mnt->ops || !f->mnt->ops->getflags || !f->ops->fstat ||
	    f->ops->fstat(f, &st))
		return -ENOIOCTLCMD;   /* the file's own ioctl: ENOTTY */
	m = file_where(f, &rel, buf);
	if (!m) {
		if (f->mnt->ops->getflags != inode_flags_table_get)
			return -ENOTTY;
		m = f->mnt;   /* an unlinked file of the table: no name needed */
		rel = "";
	}
	if (m->ops->getflags(m, rel, &st, &fl))
		fl = 0;
	switch (cmd) {
	case FS_IOC_GETFLAGS_:
		v = (int)fl;
		return copy_to_user(t, arg, &v, sizeof(v)) ? -EFAULT : 0;
	default:   /* FS_IOC_SETFLAGS */
		if (copy_from_user(t, &v, arg, sizeof(v)))
			return -EFAULT;
		return set_flags(t, f, m, rel, &st, fl, (uint32_t)v);
	}
}
