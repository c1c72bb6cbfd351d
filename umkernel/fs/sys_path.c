/*
 * sys_path.c - path-based file syscalls: open family, the stat family,
 * access, mkdir/rmdir/unlink/rename/link/symlink/readlink, chmod/chown,
 * truncate, utimes family, mknod, chdir/getcwd/chroot, statfs, xattrs.
 *
 * Handlers copy the path in (strncpy_from_user: EFAULT, ENAMETOOLONG),
 * resolve it with vfs_walk and do the checks Linux does in the VFS
 * (existence, type, same mount, permissions for a non-root fsuid) before
 * calling the filesystem.  umask lives in t->fs.
 *
 * Locking: everything here runs under klock.
 */
#include "../kernel.h"
#include "fs.h"
#include "tmpfs.h"
#include "posix_acl.h"
#include "blkdev.h"
#include "../security/landlock.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define XATTR_SIZE_MAX 65536
#define XATTR_NAME_MAX 255

int file_setattr_checked(struct task *t, struct file *f, int what, uint32_t mode,
			 uint32_t uid, uint32_t gid);

/* Copies a guest path into a new PATH_MAX buffer (*out freed by caller). */
static int get_path(struct task *t, uint64_t uptr, char **out)
{
	char *p = malloc(PATH_MAX);
	long r;

	if (!p)
		return -ENOMEM;
	r = strncpy_from_user(t, p, uptr, PATH_MAX);
	if (r < 0) {
		free(p);
		return r;
	}
	*out = p;
	return 0;
}

/* Walks a guest path; nd released by the caller on success. */
static int walk_user(struct task *t, int dirfd, uint64_t uptr, int flags, struct nameidata *nd)
{
	char *p = NULL;
	int err = get_path(t, uptr, &p);

	if (err)
		return err;
	err = vfs_walk(t, dirfd, p, flags, nd);
	free(p);
	return err;
}

static int nd_flags_check(const struct nameidata *nd, bool write_only);

static uint32_t cur_umask(struct task *t)
{
	return t->fs ? t->fs->umask : 022;
}

/* Write permission on the directory that holds nd's last component. */
/* The attributes of nd's directory: 0 or -errno. */
static int parent_stat(const struct nameidata *nd, struct kstat *st)
{
	char parent[4096], buf[4096], *s;
	struct mount *m;
	const char *rel;

	snprintf(parent, sizeof(parent), "%s", nd->abs);
	s = strrchr(parent, '/');
	if (s == parent)
		s[1] = 0;
	else if (s)
		*s = 0;
	m = vfs_find_mount_ns(nd->ns, parent, &rel, buf);
	return m ? m->ops->lookup(m, rel, st) : -ENOENT;
}

static int parent_perm(struct task *t, const struct nameidata *nd)
{
	const char *abs = nd->abs;
	char parent[4096], buf[4096], *s;
	struct mount *m;
	const char *rel;
	struct kstat st;
	int err;

	if (t->cred.fsuid == 0 && !inode_flags_enforcing(nd->mnt))
		return 0;
	snprintf(parent, sizeof(parent), "%s", abs);
	s = strrchr(parent, '/');
	if (s == parent)
		s[1] = 0;
	else if (s)
		*s = 0;
	m = vfs_find_mount_ns(nd->ns, parent, &rel, buf);
	if (!m)
		return -ENOENT;
	/* an immutable directory's names stay as they are, even for root
	 * (inode_permission's MAY_WRITE) */
	if ((err = m->ops->lookup(m, rel, &st)) || (err = inode_may_write(m, rel, &st)))
		return err;
	return t->cred.fsuid == 0 ? 0 : vfs_permission(t, &st, W_OK | X_OK);
}

/* may_delete: write and search permission on the parent, and in a sticky
 * directory only the file's or the directory's owner (or CAP_FOWNER) may
 * remove an entry: -EPERM (Linux's check_sticky). */
static int may_delete(struct task *t, const struct nameidata *nd)
{
	int err = parent_perm(t, nd);
	if (!err && !nd->magic)
		err = inode_may_delete(nd->mnt, nd->rel, &nd->st);   /* immutable, append-only */
	if (err || t->cred.fsuid == 0)
		return err;
	char parent[4096], buf[4096], *s;
	const char *rel;
	struct kstat st;
	snprintf(parent, sizeof(parent), "%s", nd->abs);
	s = strrchr(parent, '/');
	if (s == parent)
		s[1] = 0;
	else if (s)
		*s = 0;
	struct mount *m = vfs_find_mount_ns(nd->ns, parent, &rel, buf);
	if (!m || m->ops->lookup(m, rel, &st))
		return 0;
	if ((st.mode & S_ISVTX) && nd->st.uid != t->cred.fsuid && st.uid != t->cred.fsuid &&
	    !capable(t, CAP_FOWNER))
		return -EPERM;
	return 0;
}

/* ---- open ---- */

/*
 * open(O_TMPFILE): an unnamed regular file in directory path, through the
 * mount's tmpfile op (Linux's do_tmpfile).  -EINVAL without write access
 * or with O_CREAT, -ENOENT, -ENOTDIR, -EACCES (no write and search on the
 * directory), -EROFS, -EOPNOTSUPP where the filesystem cannot.
 */
static int do_tmpfile(struct task *t, int dirfd, const char *path, int flags, uint32_t mode,
		      struct file **out)
{
	int acc = flags & O_ACCMODE;
	struct nameidata nd;
	struct kstat st;
	uint16_t lldenied = 0;
	char *fp;
	int err;

	if ((flags & (__O_TMPFILE | O_CREAT)) != __O_TMPFILE || (acc != O_WRONLY && acc != O_RDWR))
		return -EINVAL;
	err = vfs_walk(t, dirfd, path, WALK_FOLLOW | WALK_DIRECTORY, &nd);
	if (err)
		return err;
	if (!nd.exists)
		err = -ENOENT;
	else if (!S_ISDIR(nd.st.mode) || nd.magic)
		err = -ENOTDIR;
	else if (!(err = vfs_permission(t, &nd.st, W_OK | X_OK))) {
		if ((err = mnt_want_write(nd.mnt)))
			;
		else if (!nd.mnt->ops->tmpfile)
			err = -EOPNOTSUPP;
		else if (!(err = landlock_path_open(t, nd.ns, nd.abs, S_IFREG, flags, false,
						    &lldenied)))
		{
			/* the umask, or the directory's default ACL (posix_acl_create) */
			struct acl_create ac;
			char crel[4200];

			snprintf(crel, sizeof crel, "%s/#tmpfile", nd.rel);
			mode = posix_acl_create(nd.mnt, crel, S_IFREG | (mode & 07777), cur_umask(t), &ac);
			err = nd.mnt->ops->tmpfile(nd.mnt, nd.rel, flags, mode & 07777, out);
			if (!err && ac.access)
				tmpfs_file_acl_init(*out, ac.access, ac.alen);
			posix_acl_create_done(NULL, NULL, &ac, err);
		}
	}
	if (!err) {
		(*out)->landlock_denied = lldenied;
		st.ino = 0;
		if ((*out)->ops->fstat)
			(*out)->ops->fstat(*out, &st);
		if (asprintf(&fp, "%s%s#%llu (deleted)", nd.abs, strcmp(nd.abs, "/") ? "/" : "",
			     (unsigned long long)st.ino) >= 0) {
			free((*out)->path);
			(*out)->path = fp;
		}
		(*out)->mnt = nd.mnt;
		(*out)->flags = (flags & (O_ACCMODE | O_APPEND | O_NONBLOCK | O_DSYNC | O_SYNC |
					  O_DIRECT | O_NOATIME)) | O_LARGEFILE;
	}
	nd_release(&nd);
	return err;
}

static long do_open(struct task *t, int dirfd, uint64_t upath, int flags, uint32_t mode,
		    int walk_flags)
{
	struct file *f;
	char *p = NULL;
	int err = get_path(t, upath, &p);

	if (err)
		return err;
	if (flags & __O_TMPFILE & ~O_DIRECTORY)
		err = do_tmpfile(t, dirfd, p, flags, mode, &f);
	else   /* a guest's 040 is no exec open (Linux's VALID_OPEN_FLAGS drop it) */
		err = vfs_open_resolve(t, dirfd, p, flags & ~FMODE_EXEC_, mode, walk_flags, &f);
	free(p);
	if (err)
		return err;
	return fd_install(t, 0, f, flags & O_CLOEXEC);
}

long sys_open(struct task *t, struct sysargs *a)
{
	return do_open(t, AT_FDCWD, arg_ptr(a, 0), arg_int(a, 1), arg_uint(a, 2), 0);
}

long sys_openat(struct task *t, struct sysargs *a)
{
	return do_open(t, arg_int(a, 0), arg_ptr(a, 1), arg_int(a, 2), arg_uint(a, 3), 0);
}

long sys_creat(struct task *t, struct sysargs *a)
{
	return do_open(t, AT_FDCWD, arg_ptr(a, 0), O_CREAT | O_WRONLY | O_TRUNC, arg_uint(a, 1), 0);
}

/*
 * openat2(2): struct open_how copied as copy_struct_from_user does (size
 * past a page E2BIG, below version 0 EINVAL, a longer struct's tail must
 * be zero: E2BIG, EFAULT if unreadable); flags checked as Linux's
 * build_open_flags; resolve flags applied to the walk (vfs_walk).
 */
long sys_openat2(struct task *t, struct sysargs *a)
{
	struct open_how how;
	size_t size = arg_long(a, 3);
	uint64_t uhow = arg_ptr(a, 2);
	int wf = 0;

	if (size < sizeof(how))
		return -EINVAL;
	if (size > 4096)
		return -E2BIG;
	for (size_t off = sizeof(how); off < size; off++) {   /* a newer struct: zeros only */
		char c;

		if (copy_from_user(t, &c, uhow + off, 1))
			return -EFAULT;
		if (c)
			return -E2BIG;
	}
	memset(&how, 0, sizeof(how));
	if (copy_from_user(t, &how, uhow, sizeof(how)))
		return -EFAULT;
	if (how.flags & ~(uint64_t)(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND |
				    O_NONBLOCK | O_DSYNC | O_ASYNC | O_DIRECT | LINUX_O_LARGEFILE |
				    O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_SYNC |
				    O_PATH | __O_TMPFILE))
		return -EINVAL;
	if (how.resolve & ~(uint64_t)(RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS |
				      RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH | RESOLVE_IN_ROOT |
				      RESOLVE_CACHED))
		return -EINVAL;
	if ((how.resolve & RESOLVE_BENEATH) && (how.resolve & RESOLVE_IN_ROOT))
		return -EINVAL;
	if (how.mode & ~07777ULL || (how.mode && !(how.flags & (O_CREAT | __O_TMPFILE))))
		return -EINVAL;
	if ((how.flags & O_PATH) && (how.flags & ~(uint64_t)(O_PATH | O_DIRECTORY | O_NOFOLLOW |
							       O_CLOEXEC)))
		return -EINVAL;
	if ((how.resolve & RESOLVE_CACHED) && (how.flags & (O_TRUNC | O_CREAT | __O_TMPFILE)))
		return -EAGAIN;
	if (how.resolve & RESOLVE_NO_XDEV)
		wf |= WALK_NO_XDEV;
	if (how.resolve & RESOLVE_NO_MAGICLINKS)
		wf |= WALK_NO_MAGICLINKS;
	if (how.resolve & RESOLVE_NO_SYMLINKS)
		wf |= WALK_NO_SYMLINKS;
	if (how.resolve & RESOLVE_BENEATH)
		wf |= WALK_BENEATH;
	if (how.resolve & RESOLVE_IN_ROOT)
		wf |= WALK_IN_ROOT;
	return do_open(t, arg_int(a, 0), arg_ptr(a, 1), (int)how.flags, how.mode, wf);
}

/* ---- stat family ---- */

/* do_stat, also giving the old id of the mount the file is on (statx's
 * mount ids) in *mnt_id unless NULL. */
static int do_stat_mnt(struct task *t, int dirfd, uint64_t upath, int flags, struct kstat *st,
		       int *mnt_id);
static int do_stat(struct task *t, int dirfd, uint64_t upath, int flags, struct kstat *st)
{
	return do_stat_mnt(t, dirfd, upath, flags, st, NULL);
}

static int do_stat_mnt(struct task *t, int dirfd, uint64_t upath, int flags, struct kstat *st,
		       int *mnt_id)
{
	struct nameidata nd;
	int wf = 0, err;

	if (!(flags & AT_SYMLINK_NOFOLLOW))
		wf |= WALK_FOLLOW;
	if (flags & AT_EMPTY_PATH)
		wf |= WALK_EMPTY_OK;
	err = walk_user(t, dirfd, upath, wf, &nd);
	if (err)
		return err;
	if (!nd.exists)
		err = -ENOENT;
	else
		*st = nd.st;
	if (mnt_id) {
		struct mount *m = nd.magic && nd.magic->mnt ? nd.magic->mnt : nd.mnt;
		*mnt_id = m ? m->id : 0;
	}
	nd_release(&nd);
	return err;
}

static long stat_out(struct task *t, uint64_t ubuf, int err, struct kstat *st)
{
	struct linux_stat ls;

	if (err)
		return err;
	kstat_to_stat(st, &ls);
	return copy_to_user(t, ubuf, &ls, sizeof(ls));
}

long sys_stat(struct task *t, struct sysargs *a)
{
	struct kstat st;

	return stat_out(t, arg_ptr(a, 1), do_stat(t, AT_FDCWD, arg_ptr(a, 0), 0, &st), &st);
}

long sys_lstat(struct task *t, struct sysargs *a)
{
	struct kstat st;

	return stat_out(t, arg_ptr(a, 1),
			do_stat(t, AT_FDCWD, arg_ptr(a, 0), AT_SYMLINK_NOFOLLOW, &st), &st);
}

long sys_newfstatat(struct task *t, struct sysargs *a)
{
	int flags = arg_int(a, 3);
	struct kstat st;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	return stat_out(t, arg_ptr(a, 2), do_stat(t, arg_int(a, 0), arg_ptr(a, 1), flags, &st), &st);
}

/* do_stat for statx, which also reports the inode flags (attributes). */
static int do_statx_walk(struct task *t, int dirfd, uint64_t upath, int flags, struct kstat *st,
			 struct linux_statx *sx, int *mnt_id)
{
	struct nameidata nd;
	int wf = 0, err;

	if (!(flags & AT_SYMLINK_NOFOLLOW))
		wf |= WALK_FOLLOW;
	if (flags & AT_EMPTY_PATH)
		wf |= WALK_EMPTY_OK;
	err = walk_user(t, dirfd, upath, wf, &nd);
	if (err)
		return err;
	if (!nd.exists) {
		err = -ENOENT;
	} else {
		*st = nd.st;
		/* the root of its mount, on every filesystem (vfs_statx_path) */
		sx->stx_attributes_mask |= STATX_ATTR_MOUNT_ROOT_;
		if (nd.magic ? nd.magic->mnt && !strcmp(nd.magic->mnt->path, nd.magic->path)
			     : vfs_is_mountpoint(&nd))
			sx->stx_attributes |= STATX_ATTR_MOUNT_ROOT_;
		if (nd.magic) {
			uint32_t fl = file_inode_flags(nd.magic);

			if (nd.magic->mnt && nd.magic->mnt->ops && nd.magic->mnt->ops->getflags)
				sx->stx_attributes_mask |= STATX_ATTR_IMMUTABLE_ | STATX_ATTR_APPEND_ |
							   STATX_ATTR_NODUMP_;
			sx->stx_attributes |= (fl & FS_IMMUTABLE_FL_ ? STATX_ATTR_IMMUTABLE_ : 0) |
					      (fl & FS_APPEND_FL_ ? STATX_ATTR_APPEND_ : 0) |
					      (fl & FS_NODUMP_FL_ ? STATX_ATTR_NODUMP_ : 0);
		} else {
			inode_flags_statx(nd.mnt, nd.rel, &nd.st, &sx->stx_attributes,
					  &sx->stx_attributes_mask);
		}
	}
	if (mnt_id) {
		struct mount *m = nd.magic && nd.magic->mnt ? nd.magic->mnt : nd.mnt;
		*mnt_id = m ? m->id : 0;
	}
	nd_release(&nd);
	return err;
}

/* bdev_statx's STATX_DIOALIGN: a loop device's (or its partition's) DMA
 * alignment + 1 and logical block size; false for no such device. */
static bool bdev_dio_align(uint64_t rdev, uint32_t *mem, uint32_t *off)
{
	struct blk_info bi;

	for (int nr = 0; nr < loop_count(); nr++) {
		bool hit = major(rdev) == LOOP_MAJOR && minor(rdev) == (unsigned int)nr;

		if (loop_blk_info(nr, &bi))
			break;
		for (int i = 0; !hit && i < bi.nparts; i++)
			hit = major(rdev) == bi.parts[i].major && minor(rdev) == bi.parts[i].minor;
		if (hit) {
			*mem = 512;              /* loop's dma_alignment 511, + 1 */
			*off = bi.lbs;
			return true;
		}
	}
	return false;
}

long sys_statx(struct task *t, struct sysargs *a)
{
	int flags = arg_int(a, 2);
	struct linux_statx sx;
	struct kstat st;
	int err, mnt_id = 0;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE))
		return -EINVAL;
	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	if (arg_uint(a, 3) & 0x80000000U)       /* STATX__RESERVED */
		return -EINVAL;
	memset(&sx, 0, sizeof(sx));
	err = do_statx_walk(t, arg_int(a, 0), arg_ptr(a, 1), flags, &st, &sx, &mnt_id);
	if (err)
		return err;
	sx.stx_mask = 0x7ff;                    /* STATX_BASIC_STATS */
	/* the mount's id: the 64-bit unique one if asked for, else the old
	 * one mountinfo shows (always reported, as Linux's vfs_statx) */
	if (arg_uint(a, 3) & 0x4000U) {         /* STATX_MNT_ID_UNIQUE */
		sx.stx_mask |= 0x4000U;
		sx.stx_mnt_id = MNT_UNIQUE_ID_OFFSET + (uint64_t)mnt_id;
	} else if (mnt_id) {
		sx.stx_mask |= 0x1000U;         /* STATX_MNT_ID */
		sx.stx_mnt_id = (uint64_t)mnt_id;
	}
	sx.stx_blksize = st.blksize ? st.blksize : 4096;
	sx.stx_nlink = st.nlink;
	sx.stx_uid = from_kuid_munged(t->user_ns, st.uid);
	sx.stx_gid = from_kgid_munged(t->user_ns, st.gid);
	sx.stx_mode = st.mode;
	sx.stx_ino = st.ino;
	sx.stx_size = st.size;
	sx.stx_blocks = st.blocks;
	sx.stx_atime = (struct linux_statx_timestamp){ st.atime.tv_sec, st.atime.tv_nsec, 0 };
	sx.stx_mtime = (struct linux_statx_timestamp){ st.mtime.tv_sec, st.mtime.tv_nsec, 0 };
	sx.stx_ctime = (struct linux_statx_timestamp){ st.ctime.tv_sec, st.ctime.tv_nsec, 0 };
	sx.stx_rdev_major = major(st.rdev);
	sx.stx_rdev_minor = minor(st.rdev);
	sx.stx_dev_major = major(st.dev);
	sx.stx_dev_minor = minor(st.dev);
	/* what the filesystem adds: btime, attributes (ext2's flags) */
	sx.stx_mask |= st.xmask & ~STATX_DIOALIGN_;
	/* O_DIRECT's alignments, only when asked (ext4_getattr, bdev_statx) */
	if (arg_uint(a, 3) & STATX_DIOALIGN_) {
		if (st.xmask & STATX_DIOALIGN_) {
			sx.stx_mask |= STATX_DIOALIGN_;
			sx.stx_dio_mem_align = st.dio_mem_align;
			sx.stx_dio_offset_align = st.dio_offset_align;
		} else if (S_ISBLK(st.mode) &&
			   bdev_dio_align(st.rdev, &sx.stx_dio_mem_align, &sx.stx_dio_offset_align)) {
			sx.stx_mask |= STATX_DIOALIGN_;
		}
	}
	if (st.xmask & 0x800)                   /* STATX_BTIME */
		sx.stx_btime = (struct linux_statx_timestamp){ st.btime.tv_sec, st.btime.tv_nsec, 0 };
	sx.stx_attributes |= st.attributes;     /* and do_statx_walk's inode flags */
	sx.stx_attributes_mask |= st.attributes_mask;
	return copy_to_user(t, arg_ptr(a, 4), &sx, sizeof(sx));
}

/* ---- access ---- */

static long do_access(struct task *t, int dirfd, uint64_t upath, int mode, int flags)
{
	uint32_t fsuid = t->cred.fsuid, fsgid = t->cred.fsgid;
	struct nameidata nd;
	int err;

	if (mode & ~7)
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (!(flags & AT_EACCESS)) {
		/* access(2) checks with the real ids */
		t->cred.fsuid = t->cred.uid;
		t->cred.fsgid = t->cred.gid;
	}
	err = walk_user(t, dirfd, upath, (flags & AT_SYMLINK_NOFOLLOW ? 0 : WALK_FOLLOW) |
			(flags & AT_EMPTY_PATH ? WALK_EMPTY_OK : 0), &nd);
	if (!err) {
		if (!nd.exists)
			err = -ENOENT;
		else if (mode)
			err = vfs_permission(t, &nd.st, mode);
		if (!err && (mode & W_OK) && nd.mnt && mnt_want_write(nd.mnt))
			err = -EROFS;
		if (!err && (mode & W_OK))
			err = nd_flags_check(&nd, true);   /* immutable: EPERM */
		/* what the filesystem itself refuses whoever asks (/proc/sys) */
		if (!err && mode && nd.mnt && !nd.magic && nd.mnt->ops->permission)
			err = nd.mnt->ops->permission(nd.mnt, nd.rel, mode);
		nd_release(&nd);
	}
	t->cred.fsuid = fsuid;
	t->cred.fsgid = fsgid;
	return err;
}

long sys_access(struct task *t, struct sysargs *a)
{
	return do_access(t, AT_FDCWD, arg_ptr(a, 0), arg_int(a, 1), 0);
}

long sys_faccessat(struct task *t, struct sysargs *a)
{
	return do_access(t, arg_int(a, 0), arg_ptr(a, 1), arg_int(a, 2), 0);
}

long sys_faccessat2(struct task *t, struct sysargs *a)
{
	return do_access(t, arg_int(a, 0), arg_ptr(a, 1), arg_int(a, 2), arg_int(a, 3));
}

/* ---- creating and removing names ---- */

/* Walks to a name that must not exist yet; fills nd (released by caller). */
static int walk_new(struct task *t, int dirfd, uint64_t upath, struct nameidata *nd)
{
	int err = walk_user(t, dirfd, upath, 0, nd);

	if (err)
		return err;
	if (nd->exists) {
		nd_release(nd);
		return -EEXIST;
	}
	err = parent_perm(t, nd);
	if (!err)
		err = mnt_want_write(nd->mnt);
	if (err)
		nd_release(nd);
	return err;
}

static long do_mkdir(struct task *t, int dirfd, uint64_t upath, uint32_t mode)
{
	struct nameidata nd;
	int err = walk_new(t, dirfd, upath, &nd);

	if (err)
		return err;
	err = landlock_path_mknod(t, &nd, S_IFDIR);
	if (!err) {
		struct acl_create ac;

		/* the umask, or the directory's default ACL (posix_acl_create) */
		mode = posix_acl_create(nd.mnt, nd.rel, S_IFDIR | (mode & 07777), cur_umask(t), &ac);
		err = nd.mnt->ops->mkdir ? nd.mnt->ops->mkdir(nd.mnt, nd.rel, mode & 07777) : -EPERM;
		posix_acl_create_done(nd.mnt, nd.rel, &ac, err);
	}
	if (!err)
		fsnotify_create(nd.abs, S_IFDIR);
	nd_release(&nd);
	return err;
}

long sys_mkdir(struct task *t, struct sysargs *a)
{
	return do_mkdir(t, AT_FDCWD, arg_ptr(a, 0), arg_uint(a, 1));
}

long sys_mkdirat(struct task *t, struct sysargs *a)
{
	return do_mkdir(t, arg_int(a, 0), arg_ptr(a, 1), arg_uint(a, 2));
}

static long do_mknod(struct task *t, int dirfd, uint64_t upath, uint32_t mode, uint64_t dev)
{
	struct nameidata nd;
	int err;

	switch (mode & S_IFMT) {
	case 0:
	case S_IFREG:
	case S_IFIFO:
	case S_IFSOCK:
		break;
	case S_IFCHR:
	case S_IFBLK:
		if (t->cred.euid != 0)
			return -EPERM;
		break;
	case S_IFDIR:
		return -EPERM;
	default:
		return -EINVAL;
	}
	err = walk_new(t, dirfd, upath, &nd);
	if (err)
		return err;
	mode = (mode & S_IFMT ? mode & S_IFMT : S_IFREG) | (mode & 07777);
	{
		/* strip before the umask, as vfs_prepare_mode */
		struct kstat pst;
		if (parent_stat(&nd, &pst) == 0)
			mode = mode_strip_sgid(t, &pst, mode);
	}
	err = landlock_path_mknod(t, &nd, mode & ~(uint32_t)cur_umask(t));
	if (!err) {
		struct acl_create ac;

		/* the umask, or the directory's default ACL (posix_acl_create) */
		mode = posix_acl_create(nd.mnt, nd.rel, mode, cur_umask(t), &ac);
		err = nd.mnt->ops->mknod ? nd.mnt->ops->mknod(nd.mnt, nd.rel, mode, dev) : -EPERM;
		posix_acl_create_done(nd.mnt, nd.rel, &ac, err);
	}
	if (!err)
		fsnotify_create(nd.abs, mode);
	nd_release(&nd);
	return err;
}

long sys_mknod(struct task *t, struct sysargs *a)
{
	return do_mknod(t, AT_FDCWD, arg_ptr(a, 0), arg_uint(a, 1), arg_uint(a, 2));
}

long sys_mknodat(struct task *t, struct sysargs *a)
{
	return do_mknod(t, arg_int(a, 0), arg_ptr(a, 1), arg_uint(a, 2), arg_uint(a, 3));
}

/* The last component of a path as given (for rmdir's "." and ".." checks). */
static const char *last_comp(const char *p, size_t *len)
{
	size_t n = strlen(p);

	while (n > 1 && p[n - 1] == '/')
		n--;
	const char *s = p + n;
	while (s > p && s[-1] != '/')
		s--;
	*len = p + n - s;
	return s;
}

static long do_rmdir(struct task *t, int dirfd, uint64_t upath)
{
	struct nameidata nd;
	const char *lc;
	size_t lcl;
	char *p = NULL;
	int err = get_path(t, upath, &p);

	if (err)
		return err;
	lc = last_comp(p, &lcl);
	if (lcl == 1 && lc[0] == '.')
		err = -EINVAL;
	else if (lcl == 2 && lc[0] == '.' && lc[1] == '.')
		err = -ENOTEMPTY;
	else
		err = vfs_walk(t, dirfd, p, 0, &nd);
	free(p);
	if (err)
		return err;
	if (!nd.exists)
		err = -ENOENT;
	else if (!S_ISDIR(nd.st.mode))
		err = -ENOTDIR;
	else if (vfs_is_mountpoint(&nd) || !strcmp(nd.abs, "/"))
		err = -EBUSY;
	else if (!(err = landlock_path_remove(t, &nd)) && !(err = may_delete(t, &nd)) &&
		 !(err = mnt_want_write(nd.mnt)))
		err = nd.mnt->ops->rmdir ? nd.mnt->ops->rmdir(nd.mnt, nd.rel) : -EPERM;
	if (!err) {
		fsnotify_delete(nd.abs, &nd.st);
		inode_flags_forget(&nd.st);
	}
	nd_release(&nd);
	return err;
}

long sys_rmdir(struct task *t, struct sysargs *a)
{
	return do_rmdir(t, AT_FDCWD, arg_ptr(a, 0));
}

static long do_unlink(struct task *t, int dirfd, uint64_t upath)
{
	struct nameidata nd;
	int err = walk_user(t, dirfd, upath, 0, &nd);

	if (err)
		return err;
	if (!nd.exists)
		err = -ENOENT;
	else if (S_ISDIR(nd.st.mode))
		err = -EISDIR;
	else if (vfs_is_mountpoint(&nd))
		err = -EBUSY;
	else if (!(err = landlock_path_remove(t, &nd)) && !(err = may_delete(t, &nd)) &&
		 !(err = mnt_want_write(nd.mnt)))
		err = nd.mnt->ops->unlink ? nd.mnt->ops->unlink(nd.mnt, nd.rel) : -EPERM;
	if (!err) {
		fsnotify_delete(nd.abs, &nd.st);
		inode_flags_forget(&nd.st);
	}
	nd_release(&nd);
	return err;
}

long sys_unlink(struct task *t, struct sysargs *a)
{
	return do_unlink(t, AT_FDCWD, arg_ptr(a, 0));
}

long sys_unlinkat(struct task *t, struct sysargs *a)
{
	int flags = arg_int(a, 2);

	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	if (flags & AT_REMOVEDIR)
		return do_rmdir(t, arg_int(a, 0), arg_ptr(a, 1));
	return do_unlink(t, arg_int(a, 0), arg_ptr(a, 1));
}

/* renameat2(RENAME_EXCHANGE) of two walked names on one mount. */
static int do_exchange(struct task *t, struct nameidata *o, struct nameidata *n)
{
	size_t nl = strlen(n->abs);
	int err;

	if (!n->exists)
		return -ENOENT;
	if (!strncmp(o->abs, n->abs, nl) && o->abs[nl] == '/')
		return -EINVAL;         /* the old name is inside the new one */
	if (!strcmp(o->abs, n->abs))
		return 0;
	if ((err = landlock_path_refer(t, o, n, true, true)) ||
	    (err = parent_perm(t, o)) || (err = parent_perm(t, n)) ||
	    (err = inode_may_delete(o->mnt, o->rel, &o->st)) ||
	    (err = inode_may_delete(n->mnt, n->rel, &n->st)) ||
	    (err = mnt_want_write(o->mnt)))
		return err;
	err = o->mnt->ops->rename ? o->mnt->ops->rename(o->mnt, o->rel, n->rel, RENAME_EXCHANGE)
				  : -EPERM;
	if (!err) {
		vfs_rename_names(o->abs, n->abs, true);
		fsnotify_move(o->abs, n->abs, &o->st, &n->st, true);
	}
	return err;
}

static long do_rename(struct task *t, int odfd, uint64_t uold, int ndfd, uint64_t unew,
		      unsigned flags)
{
	struct nameidata o, n;
	size_t ol;
	int err;

	if (flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if ((flags & RENAME_EXCHANGE) && (flags & (RENAME_NOREPLACE | RENAME_WHITEOUT)))
		return -EINVAL;
	err = walk_user(t, odfd, uold, 0, &o);
	if (err)
		return err;
	err = walk_user(t, ndfd, unew, 0, &n);
	if (err) {
		nd_release(&o);
		return err;
	}
	ol = strlen(o.abs);
	if (!o.exists)
		err = -ENOENT;
	else if (o.mnt != n.mnt)
		err = -EXDEV;
	else if (vfs_is_mountpoint(&o) || vfs_is_mountpoint(&n))
		err = -EBUSY;
	else if (!strncmp(n.abs, o.abs, ol) && n.abs[ol] == '/')
		err = -EINVAL;
	else if (flags & RENAME_WHITEOUT)
		err = -EINVAL;
	else if (flags & RENAME_EXCHANGE)
		err = do_exchange(t, &o, &n);
	else if (n.exists && (flags & RENAME_NOREPLACE))
		err = -EEXIST;
	else if (!strcmp(o.abs, n.abs))
		err = 0;
	else if (n.exists && S_ISDIR(o.st.mode) && !S_ISDIR(n.st.mode))
		err = -ENOTDIR;
	else if (n.exists && !S_ISDIR(o.st.mode) && S_ISDIR(n.st.mode))
		err = -EISDIR;
	else if (!(err = landlock_path_refer(t, &o, &n, true, false)) &&
		 !(err = parent_perm(t, &o)) && !(err = parent_perm(t, &n)) &&
		 !(err = inode_may_delete(o.mnt, o.rel, &o.st)) &&
		 !(err = n.exists ? inode_may_delete(n.mnt, n.rel, &n.st) : 0) &&
		 !(err = mnt_want_write(o.mnt))) {
		err = o.mnt->ops->rename ? o.mnt->ops->rename(o.mnt, o.rel, n.rel, flags) : -EPERM;
		if (!err) {
			if (n.exists)
				inode_flags_forget(&n.st);
			vfs_rename_names(o.abs, n.abs, false);
			fsnotify_move(o.abs, n.abs, &o.st, n.exists ? &n.st : NULL, false);
		}
	}
	nd_release(&o);
	nd_release(&n);
	return err;
}

long sys_rename(struct task *t, struct sysargs *a)
{
	return do_rename(t, AT_FDCWD, arg_ptr(a, 0), AT_FDCWD, arg_ptr(a, 1), 0);
}

long sys_renameat(struct task *t, struct sysargs *a)
{
	return do_rename(t, arg_int(a, 0), arg_ptr(a, 1), arg_int(a, 2), arg_ptr(a, 3), 0);
}

long sys_renameat2(struct task *t, struct sysargs *a)
{
	return do_rename(t, arg_int(a, 0), arg_ptr(a, 1), arg_int(a, 2), arg_ptr(a, 3),
			 arg_uint(a, 4));
}

/*
 * linkat(fd, "", ..., AT_EMPTY_PATH) or of a /proc/PID/fd link: names the
 * open file f.  The filesystem's linkfile op does it (an O_TMPFILE file
 * included); otherwise the file's current name is linked.  -EXDEV across
 * mounts, -ENOENT for a file without a name that cannot be linked.
 */
static int link_open_file(struct file *f, struct nameidata *n)
{
	struct mount *m;
	const char *rel;
	char buf[4096];
	struct kstat st;
	int err;

	if (!f->mnt || f->mnt != n->mnt)
		return -EXDEV;
	if (n->mnt->ops->linkfile) {
		err = n->mnt->ops->linkfile(n->mnt, f, n->rel);
		if (err != -EOPNOTSUPP)
			return err;
	}
	if (f->path[0] != '/' || !(m = vfs_find_mount_ns(file_mnt_ns(f), f->path, &rel, buf)) ||
	    m != n->mnt)
		return -EXDEV;
	if (m->ops->lookup(m, rel, &st))
		return -ENOENT;
	return m->ops->link ? m->ops->link(m, rel, n->rel) : -EPERM;
}

static long do_link(struct task *t, int odfd, uint64_t uold, int ndfd, uint64_t unew, int flags)
{
	struct nameidata o, n;
	int err;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	err = walk_user(t, odfd, uold, (flags & AT_SYMLINK_FOLLOW ? WALK_FOLLOW : 0) |
			(flags & AT_EMPTY_PATH ? WALK_EMPTY_OK : 0), &o);
	if (err)
		return err;
	if (!o.exists) {
		nd_release(&o);
		return -ENOENT;
	}
	err = walk_new(t, ndfd, unew, &n);
	if (err) {
		nd_release(&o);
		return err;
	}
	if (S_ISDIR(o.st.mode))
		err = -EPERM;
	else if ((o.magic ? o.magic->mnt : o.mnt) != n.mnt)
		err = -EXDEV;
	else if ((err = landlock_path_refer(t, &o, &n, false, false)))
		;
	else if (o.magic)
		err = file_may_change(o.magic) ?: link_open_file(o.magic, &n);
	else if (o.mnt != n.mnt)
		err = -EXDEV;
	else if ((err = may_linkat(t, &o.st)) || (err = inode_may_change(o.mnt, o.rel, &o.st)))
		;
	else
		err = o.mnt->ops->link ? o.mnt->ops->link(o.mnt, o.rel, n.rel) : -EPERM;
	if (!err)
		fsnotify_link(n.abs, &o.st);
	nd_release(&o);
	nd_release(&n);
	return err;
}

long sys_link(struct task *t, struct sysargs *a)
{
	return do_link(t, AT_FDCWD, arg_ptr(a, 0), AT_FDCWD, arg_ptr(a, 1), 0);
}

long sys_linkat(struct task *t, struct sysargs *a)
{
	return do_link(t, arg_int(a, 0), arg_ptr(a, 1), arg_int(a, 2), arg_ptr(a, 3), arg_int(a, 4));
}

static long do_symlink(struct task *t, uint64_t utarget, int dirfd, uint64_t upath)
{
	struct nameidata nd;
	char *target = NULL;
	int err = get_path(t, utarget, &target);

	if (err)
		return err;
	if (!*target) {
		free(target);
		return -ENOENT;
	}
	err = walk_new(t, dirfd, upath, &nd);
	if (!err) {
		err = landlock_path_mknod(t, &nd, S_IFLNK);
		if (!err)
			err = nd.mnt->ops->symlink ? nd.mnt->ops->symlink(nd.mnt, target, nd.rel)
						   : -EPERM;
		if (!err)
			fsnotify_create(nd.abs, S_IFLNK);
		nd_release(&nd);
	}
	free(target);
	return err;
}

long sys_symlink(struct task *t, struct sysargs *a)
{
	return do_symlink(t, arg_ptr(a, 0), AT_FDCWD, arg_ptr(a, 1));
}

long sys_symlinkat(struct task *t, struct sysargs *a)
{
	return do_symlink(t, arg_ptr(a, 0), arg_int(a, 1), arg_ptr(a, 2));
}

static long do_readlink(struct task *t, int dirfd, uint64_t upath, uint64_t ubuf, int size)
{
	static __thread char lbuf[PATH_MAX];   /* a bind mount's rel (readlinkat of an fd) */
	struct nameidata nd;
	char *kb;
	long r;

	if (size <= 0)
		return -EINVAL;
	if (dirfd == AT_FDCWD) {
		/* an empty path names a dirfd's file, never the cwd: ENOENT */
		char c0;
		if (copy_from_user(t, &c0, upath, 1))
			return -EFAULT;
		if (!c0)
			return -ENOENT;
	}
	r = walk_user(t, dirfd, upath, WALK_EMPTY_OK, &nd);
	if (r)
		return r;
	if (!nd.exists)
		r = -ENOENT;
	else if (!S_ISLNK(nd.st.mode))
		r = -EINVAL;
	else if (nd.magic) {
		/* readlinkat(fd, "") of a symlink opened O_PATH|O_NOFOLLOW:
		 * the link itself, named by its path */
		const char *rel;
		nd.mnt = nd.abs[0] == '/' ? vfs_find_mount_ns(file_mnt_ns(nd.magic), nd.abs, &rel, lbuf)
					  : NULL;
		if (nd.mnt)
			nd.rel = rel;
		else
			r = -EINVAL;
	}
	if (r) {
		nd_release(&nd);
		return r;
	}
	if (size > PATH_MAX)
		size = PATH_MAX;
	kb = malloc(size);
	if (!kb) {
		nd_release(&nd);
		return -ENOMEM;
	}
	r = nd.mnt->ops->readlink ? nd.mnt->ops->readlink(nd.mnt, nd.rel, kb, size) : -EINVAL;
	if (r > 0 && copy_to_user(t, ubuf, kb, r))
		r = -EFAULT;
	free(kb);
	nd_release(&nd);
	return r;
}

long sys_readlink(struct task *t, struct sysargs *a)
{
	return do_readlink(t, AT_FDCWD, arg_ptr(a, 0), arg_ptr(a, 1), arg_int(a, 2));
}

long sys_readlinkat(struct task *t, struct sysargs *a)
{
	return do_readlink(t, arg_int(a, 0), arg_ptr(a, 1), arg_ptr(a, 2), arg_int(a, 3));
}

/* ---- attributes ---- */

/* The immutable flag (write_only) or both flags of nd's inode: 0 or -EPERM. */
static int nd_flags_check(const struct nameidata *nd, bool write_only)
{
	uint32_t fl;

	if (nd->magic) {
		fl = file_inode_flags(nd->magic);
		return fl & (write_only ? FS_IMMUTABLE_FL_ : IFLAGS_ENFORCED_) ? -EPERM : 0;
	}
	return write_only ? inode_may_write(nd->mnt, nd->rel, &nd->st)
			  : inode_may_change(nd->mnt, nd->rel, &nd->st);
}

/* chmod/chown/utimes on a walked name, with Linux's ownership checks. */
static int do_nd_setattr(struct task *t, struct nameidata *nd, int what, uint32_t mode,
			 uint32_t uid, uint32_t gid, const struct linux_timespec *ts, bool times_now)
{
	uint32_t fsuid = t->cred.fsuid;
	int err;

	if (!nd->exists)
		return -ENOENT;
	/* a read-only mount first, as Linux's mnt_want_write before the change */
	if (nd->mnt && mnt_want_write(nd->mnt))
		return -EROFS;
	/* immutable or append-only (may_setattr): times to now only the former */
	if ((err = nd_flags_check(nd, (what & ~ATTR_TOUCH) == ATTR_TIMES && times_now)))
		return err;
	if (what & (ATTR_MODE | ATTR_OWNER)) {
		err = setattr_prepare(t, &nd->st, &what, &mode, uid, gid);
		if (err)
			return err;
	} else if (fsuid != 0 && nd->st.uid != fsuid) {
		if (!times_now)
			return -EPERM;
		if (vfs_permission(t, &nd->st, W_OK))
			return -EACCES;
	}
	if (nd->magic && nd->magic->ops->setattr)
		return nd->magic->ops->setattr(nd->magic, what, mode, uid, gid, ts);
	if (nd->magic) {
		/* an O_PATH file (glibc's fchmodat(AT_SYMLINK_NOFOLLOW) goes
		 * through /proc/self/fd/N): change the file by its name */
		struct file *f = nd->magic;
		const char *rel;
		char buf[4096];
		struct mount *m = f->path && f->path[0] == '/' ?
				  vfs_find_mount_ns(file_mnt_ns(f), f->path, &rel, buf) : NULL;
		if (!m || m != f->mnt || !m->ops->setattr)
			return -EPERM;
		return m->ops->setattr(m, rel, what, mode, uid, gid, ts);
	}
	if (!nd->mnt->ops->setattr)
		return -EPERM;
	return nd->mnt->ops->setattr(nd->mnt, nd->rel, what, mode, uid, gid, ts);
}

/* The event a change of attributes makes (Linux's fsnotify_change):
 * IN_ATTRIB, but a change of atime alone is IN_ACCESS, of mtime alone
 * IN_MODIFY. */
static uint32_t setattr_event(int what, const struct linux_timespec *ts)
{
	bool at, mt;

	if (what & (ATTR_MODE | ATTR_OWNER))
		return IN_ATTRIB_;
	at = !ts || ts[0].tv_nsec != UTIME_OMIT;
	mt = !ts || ts[1].tv_nsec != UTIME_OMIT;
	return at && mt ? IN_ATTRIB_ : at ? IN_ACCESS_ : mt ? IN_MODIFY_ : 0;
}

static int nd_setattr(struct task *t, struct nameidata *nd, int what, uint32_t mode,
		      uint32_t uid, uint32_t gid, const struct linux_timespec *ts, bool times_now)
{
	int err = do_nd_setattr(t, nd, what, mode, uid, gid, ts, times_now);

	if (!err)
		fsnotify_path(nd->abs, &nd->st, setattr_event(what, ts));
	return err;
}

static long do_chmod(struct task *t, int dirfd, uint64_t upath, uint32_t mode, int flags)
{
	struct nameidata nd;
	int err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	err = walk_user(t, dirfd, upath, (flags & AT_SYMLINK_NOFOLLOW ? 0 : WALK_FOLLOW) |
			(flags & AT_EMPTY_PATH ? WALK_EMPTY_OK : 0), &nd);
	if (err)
		return err;
	if (nd.exists && S_ISLNK(nd.st.mode))
		err = -EOPNOTSUPP;
	else
		err = nd_setattr(t, &nd, ATTR_MODE, mode & 07777, 0, 0, NULL, false);
	nd_release(&nd);
	return err;
}

long sys_chmod(struct task *t, struct sysargs *a)
{
	return do_chmod(t, AT_FDCWD, arg_ptr(a, 0), arg_uint(a, 1), 0);
}

long sys_fchmodat(struct task *t, struct sysargs *a)
{
	return do_chmod(t, arg_int(a, 0), arg_ptr(a, 1), arg_uint(a, 2), 0);
}

long sys_fchmodat2(struct task *t, struct sysargs *a)
{
	return do_chmod(t, arg_int(a, 0), arg_ptr(a, 1), arg_uint(a, 2), arg_int(a, 3));
}

static long do_chown(struct task *t, int dirfd, uint64_t upath, uint32_t uid, uint32_t gid,
		     int flags)
{
	struct nameidata nd;
	int err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	err = walk_user(t, dirfd, upath, (flags & AT_SYMLINK_NOFOLLOW ? 0 : WALK_FOLLOW) |
			(flags & AT_EMPTY_PATH ? WALK_EMPTY_OK : 0), &nd);
	if (err)
		return err;
	/* ids of the caller's user namespace: kernel ids, -1 unchanged */
	if ((uid != (uint32_t)-1 && (uid = make_kuid(t->user_ns, uid)) == (uint32_t)-1) ||
	    (gid != (uint32_t)-1 && (gid = make_kgid(t->user_ns, gid)) == (uint32_t)-1)) {
		nd_release(&nd);
		return -EINVAL;
	}
	err = nd_setattr(t, &nd, ATTR_OWNER, 0, uid, gid, NULL, false);
	nd_release(&nd);
	return err;
}

long sys_chown(struct task *t, struct sysargs *a)
{
	return do_chown(t, AT_FDCWD, arg_ptr(a, 0), arg_uint(a, 1), arg_uint(a, 2), 0);
}

long sys_lchown(struct task *t, struct sysargs *a)
{
	return do_chown(t, AT_FDCWD, arg_ptr(a, 0), arg_uint(a, 1), arg_uint(a, 2),
			AT_SYMLINK_NOFOLLOW);
}

long sys_fchownat(struct task *t, struct sysargs *a)
{
	return do_chown(t, arg_int(a, 0), arg_ptr(a, 1), arg_uint(a, 2), arg_uint(a, 3),
			arg_int(a, 4));
}

long sys_truncate(struct task *t, struct sysargs *a)
{
	int64_t len = arg_long(a, 1);
	struct nameidata nd;
	int err;

	if (len < 0)
		return -EINVAL;
	err = walk_user(t, AT_FDCWD, arg_ptr(a, 0), WALK_FOLLOW, &nd);
	if (err)
		return err;
	if (!nd.exists)
		err = -ENOENT;
	else if (S_ISDIR(nd.st.mode))
		err = -EISDIR;
	else if (!S_ISREG(nd.st.mode))
		err = -EINVAL;
	else if (!(err = vfs_permission(t, &nd.st, W_OK)) && !(err = mnt_want_write(nd.mnt)) &&
		 !(err = nd_flags_check(&nd, false)) &&
		 !(err = inode_write_denied(nd.st.dev, nd.st.ino)) &&
		 !(err = landlock_path_truncate(t, &nd)) &&
		 !(err = break_lease(t, nd.st.dev, nd.st.ino, O_WRONLY)) && !(err = fsize_limit(t, len, NULL))) {
		if (nd.magic)
			err = nd.magic->ops->truncate ? nd.magic->ops->truncate(nd.magic, len) : -EINVAL;
		else
			err = nd.mnt->ops->truncate ? nd.mnt->ops->truncate(nd.mnt, nd.rel, len) : -EPERM;
		if (!err)
			fsnotify_path(nd.abs, &nd.st, IN_MODIFY_);
	}
	nd_release(&nd);
	return err;
}

/*
 * The utimes family.  ts[0]/ts[1] are atime/mtime with UTIME_NOW and
 * UTIME_OMIT in tv_nsec (NULL: both now).  upath 0 means dirfd itself.
 */
static long do_utimens(struct task *t, int dirfd, uint64_t upath, struct linux_timespec *ts,
		       int flags)
{
	struct linux_timespec now = ts_now(), tv[2];
	struct nameidata nd;
	bool all_now = !ts;
	int i, err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (ts) {
		for (i = 0; i < 2; i++) {
			if (ts[i].tv_nsec == UTIME_NOW || ts[i].tv_nsec == UTIME_OMIT)
				continue;
			if (ts[i].tv_nsec < 0 || ts[i].tv_nsec >= 1000000000)
				return -EINVAL;
		}
		all_now = (ts[0].tv_nsec == UTIME_NOW || ts[0].tv_nsec == UTIME_OMIT) &&
			  (ts[1].tv_nsec == UTIME_NOW || ts[1].tv_nsec == UTIME_OMIT);
	}
	for (i = 0; i < 2; i++) {
		tv[i] = ts ? ts[i] : now;
		if (tv[i].tv_nsec == UTIME_NOW)
			tv[i] = now;
	}
	if (upath) {
		err = walk_user(t, dirfd, upath, (flags & AT_SYMLINK_NOFOLLOW ? 0 : WALK_FOLLOW) |
				(flags & AT_EMPTY_PATH ? WALK_EMPTY_OK : 0), &nd);
	} else {
		if (dirfd != AT_FDCWD && flags)
			return -EINVAL;          /* an fd's times take no flags (do_utimes) */
		if (dirfd == AT_FDCWD)
			return -EFAULT;
		err = vfs_walk(t, dirfd, "", WALK_EMPTY_OK, &nd);
	}
	if (err)
		return err;
	if (ts && ts[0].tv_nsec == UTIME_OMIT && ts[1].tv_nsec == UTIME_OMIT)
		err = nd.exists ? 0 : -ENOENT;
	else
		err = nd_setattr(t, &nd, ATTR_TIMES | (!ts || (ts[0].tv_nsec == UTIME_NOW &&
							       ts[1].tv_nsec == UTIME_NOW) ? ATTR_TOUCH : 0),
				 0, 0, 0, tv, all_now);
	nd_release(&nd);
	return err;
}

long sys_utimensat(struct task *t, struct sysargs *a)
{
	struct linux_timespec ts[2];
	uint64_t uts = arg_ptr(a, 2);

	if (uts && copy_from_user(t, ts, uts, sizeof(ts)))
		return -EFAULT;
	return do_utimens(t, arg_int(a, 0), arg_ptr(a, 1), uts ? ts : NULL, arg_int(a, 3));
}

static long do_utimes(struct task *t, int dirfd, uint64_t upath, uint64_t utv)
{
	struct linux_timeval tv[2];
	struct linux_timespec ts[2];
	int i;

	if (!utv)
		return do_utimens(t, dirfd, upath, NULL, 0);
	if (copy_from_user(t, tv, utv, sizeof(tv)))
		return -EFAULT;
	for (i = 0; i < 2; i++) {
		if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
			return -EINVAL;
		ts[i].tv_sec = tv[i].tv_sec;
		ts[i].tv_nsec = tv[i].tv_usec * 1000;
	}
	return do_utimens(t, dirfd, upath, ts, 0);
}

long sys_utimes(struct task *t, struct sysargs *a)
{
	return do_utimes(t, AT_FDCWD, arg_ptr(a, 0), arg_ptr(a, 1));
}

long sys_futimesat(struct task *t, struct sysargs *a)
{
	return do_utimes(t, arg_int(a, 0), arg_ptr(a, 1), arg_ptr(a, 2));
}

long sys_utime(struct task *t, struct sysargs *a)
{
	int64_t ub[2];
	struct linux_timespec ts[2];
	uint64_t u = arg_ptr(a, 1);

	if (!u)
		return do_utimens(t, AT_FDCWD, arg_ptr(a, 0), NULL, 0);
	if (copy_from_user(t, ub, u, sizeof(ub)))
		return -EFAULT;
	ts[0] = (struct linux_timespec){ ub[0], 0 };
	ts[1] = (struct linux_timespec){ ub[1], 0 };
	return do_utimens(t, AT_FDCWD, arg_ptr(a, 0), ts, 0);
}

/* ---- cwd, root, statfs ---- */

long sys_chdir(struct task *t, struct sysargs *a)
{
	struct nameidata nd;
	char *p = NULL;
	int err = walk_user(t, AT_FDCWD, arg_ptr(a, 0), WALK_FOLLOW | WALK_DIRECTORY, &nd);

	if (err)
		return err;
	if (!nd.exists)
		err = -ENOENT;
	else if (nd.magic && nd.magic->path[0] != '/')
		err = -ENOTDIR;
	else if (!(err = vfs_permission(t, &nd.st, X_OK))) {
		p = strdup(nd.abs);
		if (!p) {
			err = -ENOMEM;
		} else {
			free(t->fs->cwd);
			t->fs->cwd = p;
		}
	}
	nd_release(&nd);
	return err;
}

long sys_getcwd(struct task *t, struct sysargs *a)
{
	const char *cwd = t->fs->cwd, *root = t->fs->root ? t->fs->root : "/";
	size_t size = arg_long(a, 1), rl = strlen(root), len;
	struct mount *m;
	const char *rel;
	char rbuf[4096];
	struct kstat st;
	char *buf;
	long r;

	bool unreachable = false;
	if (rl > 1) {
		if (!strncmp(cwd, root, rl) && (cwd[rl] == '/' || !cwd[rl]))
			cwd = cwd[rl] ? cwd + rl : "/";
		else
			unreachable = true;   /* outside the root (chroot without chdir) */
	}
	m = vfs_find_mount(t->fs->cwd, &rel, rbuf);
	if (!m || m->ops->lookup(m, rel, &st))
		return -ENOENT;         /* cwd was removed */
	/* Linux's getcwd names a cwd outside the root "(unreachable)/..." */
	if (asprintf(&buf, "%s%s", unreachable ? "(unreachable)" : "", cwd) < 0)
		return -ENOMEM;
	len = strlen(buf) + 1;
	if (len > size) {
		free(buf);
		return -ERANGE;
	}
	r = copy_to_user(t, arg_ptr(a, 0), buf, len);
	free(buf);
	return r ? r : (long)len;
}

long sys_chroot(struct task *t, struct sysargs *a)
{
	struct nameidata nd;
	char *p = NULL;
	int err;

	/* Linux's order: the walk, search permission, then CAP_SYS_CHROOT */
	err = walk_user(t, AT_FDCWD, arg_ptr(a, 0), WALK_FOLLOW | WALK_DIRECTORY, &nd);
	if (err)
		return err;
	if (!nd.exists) {
		err = -ENOENT;
	} else if ((err = vfs_permission(t, &nd.st, X_OK))) {
		/* -EACCES */
	} else if (!ns_capable(t, t->user_ns, CAP_SYS_CHROOT)) {
		err = -EPERM;
	} else {
		p = strdup(nd.abs);
		if (!p) {
			err = -ENOMEM;
		} else {
			free(t->fs->root);
			t->fs->root = p;
		}
	}
	nd_release(&nd);
	return err;
}

long sys_statfs(struct task *t, struct sysargs *a)
{
	struct linux_statfs st;
	struct nameidata nd;
	int err = walk_user(t, AT_FDCWD, arg_ptr(a, 0), WALK_FOLLOW, &nd);

	if (err)
		return err;
	memset(&st, 0, sizeof(st));
	if (!nd.exists)
		err = -ENOENT;
	else if (!nd.mnt || !nd.mnt->ops->statfs)
		err = -ENOSYS;
	else if (!(err = nd.mnt->ops->statfs(nd.mnt, &st)))
		st.f_flags = mnt_statfs_flags(nd.mnt);
	nd_release(&nd);
	return err ? err : copy_to_user(t, arg_ptr(a, 1), &st, sizeof(st));
}

/* ---- xattrs ---- */

/*
 * Whether an fd's xattr calls go to its file's own inode (f->ops'
 * xattr ops) rather than by its path: its path no longer names it
 * (unlinked: nlink 0, as an O_TMPFILE's; or nothing is there now).  A
 * file whose path names an inode keeps going by it (an overlay's
 * mount ops present its upper inode's xattrs their way).  m and rel:
 * the path's mount and name, m NULL if none.
 */
static bool xattr_by_file(struct file *f, struct mount *m, const char *rel)
{
	struct kstat fst, pst;

	if (!f->ops->getxattr || !f->ops->fstat || f->ops->fstat(f, &fst))
		return false;
	if (!fst.nlink || !m)
		return true;
	memset(&pst, 0, sizeof(pst));
	return m->ops->lookup(m, rel, &pst) == -ENOENT;
}

/* Resolves the target of an xattr call: path (follow or not) or an fd
 * (by its path, or its own inode: xattr_by_file). */
static int xattr_target(struct task *t, int fd, uint64_t upath, bool follow,
			struct nameidata *nd, struct xattr_target *xt)
{
	int err;

	memset(xt, 0, sizeof(*xt));
	if (fd >= 0) {
		struct file *f = fd_get(t, fd);

		memset(nd, 0, sizeof(*nd));
		if (!f)
			return -EBADF;
		nd->magic = f;
		if (f->flags & O_PATH) {
			nd_release(nd);
			return -EBADF;
		}
		snprintf(nd->abs, sizeof(nd->abs), "%s", f->path);
		xt->m = f->path[0] == '/' ? vfs_find_mount_ns(file_mnt_ns(f), nd->abs, &xt->rel, nd->relbuf)
					  : NULL;
		if (xattr_by_file(f, xt->m, xt->rel)) {
			xt->f = f;
			xt->m = f->mnt;
			xt->rel = NULL;
			return 0;
		}
		if (!xt->m) {
			nd_release(nd);
			return -EOPNOTSUPP;
		}
		return 0;
	}
	err = walk_user(t, AT_FDCWD, upath, follow ? WALK_FOLLOW : 0, nd);
	if (err)
		return err;
	if (!nd->exists) {
		nd_release(nd);
		return -ENOENT;
	}
	xt->m = nd->magic ? nd->magic->mnt : nd->mnt;
	xt->rel = nd->rel;
	if (nd->magic)
		xt->m = vfs_find_mount_ns(nd->ns, nd->abs, &xt->rel, nd->relbuf);
	if (!xt->m) {
		nd_release(nd);
		return -EOPNOTSUPP;
	}
	return 0;
}

/* fsnotify_xattr: IN_ATTRIB for the target of an xattr change. */
static void xattr_changed(struct nameidata *nd)
{
	if (nd->magic)
		fsnotify_file(nd->magic, IN_ATTRIB_);
	else
		fsnotify_path(nd->abs, &nd->st, IN_ATTRIB_);
}

static int get_xname(struct task *t, uint64_t uname, char *name)
{
	long r = strncpy_from_user(t, name, uname, XATTR_NAME_MAX + 1);

	if (r == -ENAMETOOLONG)
		return -ERANGE;
	if (r < 0)
		return r;
	if (!name[0])
		return -ERANGE;
	return 0;
}

static long do_getxattr(struct task *t, int fd, uint64_t upath, bool follow, uint64_t uname,
			uint64_t ubuf, size_t size)
{
	char name[XATTR_NAME_MAX + 1], *kb = NULL;
	struct xattr_target xt;
	struct nameidata nd;
	long r = get_xname(t, uname, name);

	if (r)
		return r;
	r = xattr_target(t, fd, upath, follow, &nd, &xt);
	if (r)
		return r;
	if (size > XATTR_SIZE_MAX)
		size = XATTR_SIZE_MAX;
	if (size && !(kb = malloc(size))) {
		r = -ENOMEM;
		goto out;
	}
	if (posix_acl_type(name) >= 0)
		r = posix_acl_vfs_get(t, &xt, name, kb, size);
	else
		r = xt_getxattr(&xt, name, kb, size);
	if (r > 0 && size && copy_to_user(t, ubuf, kb, r))
		r = -EFAULT;
out:
	free(kb);
	nd_release(&nd);
	return r;
}

long sys_getxattr(struct task *t, struct sysargs *a)
{
	return do_getxattr(t, -1, arg_ptr(a, 0), true, arg_ptr(a, 1), arg_ptr(a, 2), arg_long(a, 3));
}

long sys_lgetxattr(struct task *t, struct sysargs *a)
{
	return do_getxattr(t, -1, arg_ptr(a, 0), false, arg_ptr(a, 1), arg_ptr(a, 2), arg_long(a, 3));
}

long sys_fgetxattr(struct task *t, struct sysargs *a)
{
	int fd = arg_int(a, 0);

	if (fd < 0)
		return -EBADF;
	return do_getxattr(t, fd, 0, true, arg_ptr(a, 1), arg_ptr(a, 2), arg_long(a, 3));
}

/* xattr_permission: no xattr of an immutable or append-only inode changes. */
static int xattr_may_change(struct nameidata *nd, const struct xattr_target *xt)
{
	struct kstat st;

	if (nd->magic)
		return file_may_change(nd->magic);
	if (!xt->m->ops->getflags || xt->m->ops->lookup(xt->m, xt->rel, &st))
		return 0;
	return inode_may_change(xt->m, xt->rel, &st);
}

static long do_setxattr(struct task *t, int fd, uint64_t upath, bool follow, uint64_t uname,
			uint64_t uval, size_t size, int flags)
{
	char name[XATTR_NAME_MAX + 1], *kb = NULL;
	struct xattr_target xt;
	struct nameidata nd;
	long r;

	if (flags & ~3)
		return -EINVAL;
	r = get_xname(t, uname, name);
	if (r)
		return r;
	if (size > XATTR_SIZE_MAX)
		return -E2BIG;
	if (size) {
		kb = malloc(size);
		if (!kb)
			return -ENOMEM;
		if (copy_from_user(t, kb, uval, size)) {
			free(kb);
			return -EFAULT;
		}
	}
	r = xattr_target(t, fd, upath, follow, &nd, &xt);
	if (!r) {
		bool acl = posix_acl_type(name) >= 0;

		r = mnt_want_write(xt.m);
		if (!r && acl)
			r = posix_acl_xattr_check(t, kb, size);   /* posix_acl_from_xattr */
		if (!r)
			r = xattr_may_change(&nd, &xt);
		if (!r && acl)
			r = posix_acl_vfs_set(t, &xt, name, kb ? kb : "", size);
		else if (!r)
			r = xt_setxattr(&xt, name, kb ? kb : "", size, flags);
		if (!r)
			xattr_changed(&nd);
		nd_release(&nd);
	}
	free(kb);
	return r;
}

long sys_setxattr(struct task *t, struct sysargs *a)
{
	return do_setxattr(t, -1, arg_ptr(a, 0), true, arg_ptr(a, 1), arg_ptr(a, 2), arg_long(a, 3),
			   arg_int(a, 4));
}

long sys_lsetxattr(struct task *t, struct sysargs *a)
{
	return do_setxattr(t, -1, arg_ptr(a, 0), false, arg_ptr(a, 1), arg_ptr(a, 2), arg_long(a, 3),
			   arg_int(a, 4));
}

long sys_fsetxattr(struct task *t, struct sysargs *a)
{
	int fd = arg_int(a, 0);

	if (fd < 0)
		return -EBADF;
	return do_setxattr(t, fd, 0, true, arg_ptr(a, 1), arg_ptr(a, 2), arg_long(a, 3),
			   arg_int(a, 4));
}

static long do_listxattr(struct task *t, int fd, uint64_t upath, bool follow, uint64_t ubuf,
			 size_t size)
{
	struct xattr_target xt;
	struct nameidata nd;
	char *kb = NULL;
	long r = xattr_target(t, fd, upath, follow, &nd, &xt);

	if (r)
		return r;
	if (size > XATTR_SIZE_MAX)
		size = XATTR_SIZE_MAX;
	if (size && !(kb = malloc(size))) {
		r = -ENOMEM;
		goto out;
	}
	r = xt_listxattr(&xt, kb, size);
	if (r > 0 && size && copy_to_user(t, ubuf, kb, r))
		r = -EFAULT;
out:
	free(kb);
	nd_release(&nd);
	return r;
}

long sys_listxattr(struct task *t, struct sysargs *a)
{
	return do_listxattr(t, -1, arg_ptr(a, 0), true, arg_ptr(a, 1), arg_long(a, 2));
}

long sys_llistxattr(struct task *t, struct sysargs *a)
{
	return do_listxattr(t, -1, arg_ptr(a, 0), false, arg_ptr(a, 1), arg_long(a, 2));
}

long sys_flistxattr(struct task *t, struct sysargs *a)
{
	int fd = arg_int(a, 0);

	if (fd < 0)
		return -EBADF;
	return do_listxattr(t, fd, 0, true, arg_ptr(a, 1), arg_long(a, 2));
}

static long do_removexattr(struct task *t, int fd, uint64_t upath, bool follow, uint64_t uname)
{
	char name[XATTR_NAME_MAX + 1];
	struct xattr_target xt;
	struct nameidata nd;
	long r = get_xname(t, uname, name);

	if (r)
		return r;
	r = xattr_target(t, fd, upath, follow, &nd, &xt);
	if (r)
		return r;
	r = mnt_want_write(xt.m);
	if (!r)
		r = xattr_may_change(&nd, &xt);
	if (!r)
		r = posix_acl_type(name) >= 0 ? posix_acl_vfs_set(t, &xt, name, NULL, 0)
					      : xt_removexattr(&xt, name);
	if (!r)
		xattr_changed(&nd);
	nd_release(&nd);
	return r;
}

long sys_removexattr(struct task *t, struct sysargs *a)
{
	return do_removexattr(t, -1, arg_ptr(a, 0), true, arg_ptr(a, 1));
}

long sys_lremovexattr(struct task *t, struct sysargs *a)
{
	return do_removexattr(t, -1, arg_ptr(a, 0), false, arg_ptr(a, 1));
}

long sys_fremovexattr(struct task *t, struct sysargs *a)
{
	int fd = arg_int(a, 0);

	if (fd < 0)
		return -EBADF;
	return do_removexattr(t, fd, 0, true, arg_ptr(a, 1));
}
