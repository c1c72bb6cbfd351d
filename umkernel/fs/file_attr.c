/*
 * file_attr.c - an inode's attribute flags: file_getattr(2) and
 * file_setattr(2) (struct file_attr), and the FS_IOC_FSGETXATTR and
 * FS_IOC_FSSETXATTR ioctls (Linux's fs/file_attr.c).
 *
 * In a nutshell: a filesystem that keeps flags offers fs_ops.fileattr_get
 * and fileattr_set (FS_XFLAG_* bits); only regular files and directories
 * have them, as in Linux, where special files and symlinks carry inode
 * operations without fileattr.  The generic checks are Linux's
 * vfs_fileattr_set and fileattr_set_prepare: the owner or CAP_FOWNER,
 * CAP_LINUX_IMMUTABLE to change IMMUTABLE or APPEND, extent-size hints
 * only on files that can have them; then the filesystem says what it
 * keeps (tmpfs: NOATIME and NODUMP; the XFS-only fields, project ids
 * and extent sizes: EOPNOTSUPP, as Linux's tmpfs).  umk does not
 * enforce IMMUTABLE or APPEND, so no filesystem accepts them
 * (EOPNOTSUPP) rather than pretend.
 *
 * Lock: klock, held by the caller.
 */
#include "../kernel.h"
#include "fs.h"
#include "../kernel/task.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FILE_ATTR_SIZE_VER0 24
#ifndef ENOIOCTLCMD
#define ENOIOCTLCMD 515       /* kernel-internal: "not my ioctl" (as sys_file.c) */
#endif
#define AT_SYMLINK_NOFOLLOW_ 0x100
#define AT_EMPTY_PATH_ 0x1000

/* FS_XFLAG_* (include/uapi/linux/fs.h) */
#define XF_IMMUTABLE    0x00000008
#define XF_APPEND       0x00000010
#define XF_SYNC         0x00000020
#define XF_NOATIME      0x00000040
#define XF_NODUMP       0x00000080
#define XF_EXTSIZE      0x00000800
#define XF_EXTSZINHERIT 0x00001000
#define XF_DAX          0x00008000
#define XF_COWEXTSIZE   0x00010000
#define XF_HASATTR      0x80000000U
#define XF_MASK         0x8001fffbULL     /* FS_XFLAGS_MASK */
#define XF_COMMON       (XF_SYNC | XF_IMMUTABLE | XF_APPEND | XF_NODUMP | XF_NOATIME | XF_DAX)

#define FS_IOC_FSGETXATTR_ 0x801c581f
#define FS_IOC_FSSETXATTR_ 0x401c5820

struct file_attr {
	uint64_t fa_xflags;
	uint32_t fa_extsize, fa_nextents, fa_projid, fa_cowextsize;
};

struct fsxattr {
	uint32_t fsx_xflags, fsx_extsize, fsx_nextents, fsx_projid, fsx_cowextsize;
	unsigned char fsx_pad[8];
};

/* The inode nd names: its filesystem's flags.  -EOPNOTSUPP where there
 * are none (procfs, sysfs, special files, symlinks...). */
static int fa_get(struct mount *m, const char *rel, const struct kstat *st, uint32_t *x)
{
	if (!m || !m->ops->fileattr_get || !(S_ISREG(st->mode) || S_ISDIR(st->mode)))
		return -EOPNOTSUPP;
	*x = 0;
	return m->ops->fileattr_get(m, rel, x);
}

/* vfs_fileattr_set: the generic checks, then the filesystem.  fsx says
 * whether the XFS fields (extsize, projid, cowextsize) were given. */
static int fa_set(struct task *t, struct mount *m, const char *rel, const struct kstat *st,
		  uint32_t x, bool fsx, uint32_t extsize, uint32_t projid, uint32_t cowextsize)
{
	uint32_t old;
	int err;

	if (m && (err = mnt_want_write(m)))
		return err;          /* before the filesystem is asked, as Linux */
	if (!m || !m->ops->fileattr_set || !(S_ISREG(st->mode) || S_ISDIR(st->mode)))
		return -EOPNOTSUPP;
	if (st->uid != t->cred.fsuid && !capable(t, CAP_FOWNER))
		return -EPERM;
	err = fa_get(m, rel, st, &old);
	if (err)
		return err;
	if (((old ^ x) & (XF_IMMUTABLE | XF_APPEND)) && !capable(t, 9 /* CAP_LINUX_IMMUTABLE */))
		return -EPERM;
	if (t->user_ns && t->user_ns != &init_user_ns && projid)
		return -EINVAL;      /* project ids only from the initial user namespace */
	if ((x & XF_EXTSIZE) && !S_ISREG(st->mode))
		return -EINVAL;
	if ((x & XF_EXTSZINHERIT) && !S_ISDIR(st->mode))
		return -EINVAL;
	if (!extsize)
		x &= ~(XF_EXTSIZE | XF_EXTSZINHERIT);
	if (!cowextsize)
		x &= ~XF_COWEXTSIZE;
	if (fsx && ((x & ~XF_COMMON) || extsize || projid || cowextsize))
		return -EOPNOTSUPP;
	if (x & ~XF_COMMON)
		return -EOPNOTSUPP;
	return m->ops->fileattr_set(m, rel, x);
}

/* What the syscalls name: a mount, the path in it and the attributes. */
struct fa_target {
	struct nameidata nd;          /* when walked */
	bool walked;
	struct file *f;               /* when an fd itself (a reference) */
	struct mount *m;
	const char *rel;
	struct kstat st;
	char buf[4096];
};

/* An open file's mount, path in it and attributes: -ENOTTY if it has
 * none (a pipe, a socket...). */
static int fa_of_file(struct file *f, struct mount **m, const char **rel, struct kstat *st,
		      char *buf)
{
	if (!f->mnt || !f->path || f->path[0] != '/' || !f->ops->fstat || f->ops->fstat(f, st))
		return -ENOTTY;
	*rel = mnt_rel(f->mnt, f->path, buf);
	*m = f->mnt;
	return *rel ? 0 : -ENOTTY;
}

/* dirfd and filename, or with AT_EMPTY_PATH and a NULL or empty name the
 * file dirfd itself (getname_maybe_null).  0 or the walk's errors. */
static int fa_resolve(struct task *t, int dirfd, uint64_t upath, unsigned int at_flags,
		      struct fa_target *tg)
{
	int wf = (at_flags & AT_SYMLINK_NOFOLLOW_) ? 0 : WALK_FOLLOW;
	char *p = tg->buf;
	int err;

	memset(tg, 0, offsetof(struct fa_target, buf));
	p[0] = 0;
	if (upath) {
		long n = strncpy_from_user(t, p, upath, sizeof tg->buf);
		if (n < 0)
			return (int)n;
	} else if (!(at_flags & AT_EMPTY_PATH_)) {
		return -EFAULT;
	}
	if (!p[0] && (at_flags & AT_EMPTY_PATH_) && dirfd >= 0) {
		tg->f = fd_get(t, dirfd);
		if (!tg->f)
			return -EBADF;
		if (fa_of_file(tg->f, &tg->m, &tg->rel, &tg->st, tg->buf))
			tg->m = NULL;   /* no flags: EOPNOTSUPP below */
		return 0;
	}
	if (at_flags & AT_EMPTY_PATH_)
		wf |= WALK_EMPTY_OK;
	err = vfs_walk(t, dirfd, p, wf, &tg->nd);
	if (err)
		return err;
	tg->walked = true;
	if (!tg->nd.exists)
		return -ENOENT;
	tg->m = tg->nd.mnt;
	tg->rel = tg->nd.rel;
	tg->st = tg->nd.st;
	/* /proc/PID/fd/N: the file it stands for */
	if (tg->nd.magic && fa_of_file(tg->nd.magic, &tg->m, &tg->rel, &tg->st, tg->buf))
		tg->m = NULL;
	return 0;
}

static void fa_release(struct fa_target *tg)
{
	if (tg->walked)
		nd_release(&tg->nd);
	if (tg->f)
		file_put(tg->f);
}

static int fa_check_size(size_t usize, unsigned int at_flags)
{
	if (at_flags & ~(AT_SYMLINK_NOFOLLOW_ | AT_EMPTY_PATH_))
		return -EINVAL;
	if (usize > 4096)
		return -E2BIG;
	if (usize < FILE_ATTR_SIZE_VER0)
		return -EINVAL;
	return 0;
}

/*
 * sys_file_getattr - file_getattr(dirfd, filename, ufattr, usize,
 * at_flags): the flags of the file named (struct file_attr; bytes of
 * ufattr past it are zeroed).  -EINVAL (flags, usize < 24), -E2BIG
 * (usize past a page), the walk's errors, -EOPNOTSUPP (a file without
 * flags), -EFAULT.  Linux's fs/file_attr.c.
 */
long sys_file_getattr(struct task *t, struct sysargs *a)
{
	uint64_t ufa = arg_ptr(a, 2);
	size_t usize = (size_t)arg_ptr(a, 3);
	unsigned int at_flags = arg_uint(a, 4);
	struct fa_target *tg;
	struct file_attr fa = { 0 };
	uint32_t x = 0;
	int err = fa_check_size(usize, at_flags);

	if (err)
		return err;
	tg = malloc(sizeof *tg);
	if (!tg)
		return -ENOMEM;
	err = fa_resolve(t, arg_int(a, 0), arg_ptr(a, 1), at_flags, tg);
	if (!err)
		err = fa_get(tg->m, tg->rel, &tg->st, &x);
	fa_release(tg);
	free(tg);
	if (err)
		return err;
	fa.fa_xflags = x;
	if (copy_to_user(t, ufa, &fa, sizeof fa))
		return -EFAULT;
	for (size_t off = sizeof fa; off < usize; off += 8) {
		static const uint64_t zero;
		size_t n = usize - off < 8 ? usize - off : 8;
		if (copy_to_user(t, ufa + off, &zero, n))
			return -EFAULT;
	}
	return 0;
}

/*
 * sys_file_setattr - file_setattr(dirfd, filename, ufattr, usize,
 * at_flags): sets the file's flags from ufattr.  -EINVAL (flags, size,
 * unknown xflags), -E2BIG (size, or non-zero bytes past what umk knows),
 * -EFAULT, the walk's errors, -EPERM (not the owner; IMMUTABLE/APPEND
 * without CAP_LINUX_IMMUTABLE), -EROFS, -EOPNOTSUPP (flags the
 * filesystem does not keep).  Linux's fs/file_attr.c.
 */
long sys_file_setattr(struct task *t, struct sysargs *a)
{
	uint64_t ufa = arg_ptr(a, 2);
	size_t usize = (size_t)arg_ptr(a, 3);
	unsigned int at_flags = arg_uint(a, 4);
	struct fa_target *tg;
	struct file_attr fa;
	int err = fa_check_size(usize, at_flags);

	if (err)
		return err;
	if (copy_from_user(t, &fa, ufa, sizeof fa))
		return -EFAULT;
	for (size_t off = sizeof fa; off < usize; off++) {
		uint8_t b;
		if (copy_from_user(t, &b, ufa + off, 1))
			return -EFAULT;
		if (b)
			return -E2BIG;
	}
	if (fa.fa_xflags & ~XF_MASK)
		return -EINVAL;
	tg = malloc(sizeof *tg);
	if (!tg)
		return -ENOMEM;
	err = fa_resolve(t, arg_int(a, 0), arg_ptr(a, 1), at_flags, tg);
	if (!err)
		err = fa_set(t, tg->m, tg->rel, &tg->st, (uint32_t)fa.fa_xflags & ~XF_HASATTR, true,
			     fa.fa_extsize, fa.fa_projid, fa.fa_cowextsize);
	fa_release(tg);
	free(tg);
	return err;
}

/*
 * fileattr_ioctl - FS_IOC_FSGETXATTR/FSSETXATTR on open file f (Linux's
 * do_vfs_ioctl): 0, -ENOIOCTLCMD for another cmd,
 * -ENOTTY for a file without flags, or fa_set's errors.
 */
long fileattr_ioctl(struct task *t, struct file *f, unsigned int cmd, uint64_t arg)
{
	char buf[4096];
	struct kstat st;
	uint32_t x = 0;
	int err;

	/* FS_IOC_GETFLAGS/SETFLAGS are left to ENOTTY: they are how programs
	 * (chattr, LTP's statx04) probe for IMMUTABLE and APPEND, which umk
	 * does not enforce; the FS*XATTR pair and file_getattr carry the
	 * flags umk does keep */
	if (cmd != FS_IOC_FSGETXATTR_ && cmd != FS_IOC_FSSETXATTR_)
		return -ENOIOCTLCMD;
	struct mount *m;
	const char *rel;
	err = fa_of_file(f, &m, &rel, &st, buf);
	if (err)
		return err;
	err = fa_get(m, rel, &st, &x);
	if (err)
		return err == -EOPNOTSUPP ? -ENOTTY : err;
	switch (cmd) {
	case FS_IOC_FSGETXATTR_: {
		struct fsxattr fx = { .fsx_xflags = x };
		return copy_to_user(t, arg, &fx, sizeof fx) ? -EFAULT : 0;
	}
	default: {
		struct fsxattr fx;
		if (copy_from_user(t, &fx, arg, sizeof fx))
			return -EFAULT;
		if (fx.fsx_xflags & ~(uint32_t)XF_MASK)
			return -EINVAL;
		return fa_set(t, m, rel, &st, fx.fsx_xflags & ~XF_HASATTR, true,
			      fx.fsx_extsize, fx.fsx_projid, fx.fsx_cowextsize);
	}
	}
}

/* For filesystems that keep no flags but have them all clear (hostfs):
 * reads give 0, and only clearing them succeeds. */
int fileattr_none_get(struct mount *m, const char *rel, uint32_t *xflags)
{
	(void)m, (void)rel;
	*xflags = 0;
	return 0;
}

int fileattr_none_set(struct mount *m, const char *rel, uint32_t xflags)
{
	(void)m, (void)rel;
	return xflags ? -EOPNOTSUPP : 0;
}
