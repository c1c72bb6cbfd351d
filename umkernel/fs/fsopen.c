/*
 * fsopen.c - the new mount API (Linux's fs/fsopen.c and the fsmount,
 * open_tree, move_mount and mount_setattr parts of fs/namespace.c):
 * fsopen(2) makes a filesystem context of a type, fsconfig(2) gives it a
 * source and options and creates the filesystem, fsmount(2) makes a
 * detached mount of it, open_tree(2) opens a path or clones its mount
 * (detached), move_mount(2) attaches a detached mount or moves an
 * attached one, fspick(2) makes a context to reconfigure a mounted
 * filesystem, mount_setattr(2) changes per-mount attributes.
 *
 * In a nutshell: a context is an anonymous file ("anon_inode:[fscontext]")
 * whose priv is a struct fs_context; its options accumulate as mount(2)'s
 * data string ("key=value,flag") and FSCONFIG_CMD_CREATE calls the
 * type's mount function with them (namespace.c's registry), so the
 * filesystems and their options are mount(2)'s.  A detached mount is a
 * file whose priv is a struct mount in no namespace; move_mount grafts
 * it (namespace.c).  The clone of open_tree(AT_RECURSIVE) takes the
 * source's top mount only (the mounts below it are not copied).  A
 * detached mount's file is not a directory to walk from: paths relative
 * to it resolve from its namespace's root.
 *
 * Locking: klock, held by the caller.
 */
#include "../kernel.h"
#include "fs.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#define L_FSOPEN_CLOEXEC       0x1
#define L_FSMOUNT_CLOEXEC      0x1
#define L_FSPICK_CLOEXEC       0x1
#define L_FSPICK_SYMLINK_NOFOLLOW 0x2
#define L_FSPICK_NO_AUTOMOUNT  0x4
#define L_FSPICK_EMPTY_PATH    0x8
#define L_OPEN_TREE_CLONE      0x1
#define L_OPEN_TREE_CLOEXEC    O_CLOEXEC
#define L_AT_SYMLINK_NOFOLLOW  0x100
#define L_AT_NO_AUTOMOUNT      0x800
#define L_AT_EMPTY_PATH        0x1000
#define L_AT_RECURSIVE         0x8000
#define L_MOVE_MOUNT_F_SYMLINKS   0x01
#define L_MOVE_MOUNT_F_AUTOMOUNTS 0x02
#define L_MOVE_MOUNT_F_EMPTY_PATH 0x04
#define L_MOVE_MOUNT_T_SYMLINKS   0x10
#define L_MOVE_MOUNT_T_AUTOMOUNTS 0x20
#define L_MOVE_MOUNT_T_EMPTY_PATH 0x40
#define L_MOVE_MOUNT_SET_GROUP    0x100
#define L_MOVE_MOUNT_BENEATH      0x200

enum { FSCONFIG_SET_FLAG_, FSCONFIG_SET_STRING_, FSCONFIG_SET_BINARY_, FSCONFIG_SET_PATH_,
       FSCONFIG_SET_PATH_EMPTY_, FSCONFIG_SET_FD_, FSCONFIG_CMD_CREATE_, FSCONFIG_CMD_RECONFIGURE_,
       FSCONFIG_CMD_CREATE_EXCL_ };

/* mount_attr bits (include/uapi/linux/mount.h) */
#define MA_RDONLY      0x000001
#define MA_NOSUID      0x000002
#define MA_NODEV       0x000004
#define MA_NOEXEC      0x000008
#define MA__ATIME      0x000070
#define MA_RELATIME    0x000000
#define MA_NOATIME     0x000010
#define MA_STRICTATIME 0x000020
#define MA_NODIRATIME  0x000080
#define MA_IDMAP       0x100000
#define MA_NOSYMFOLLOW 0x200000
#define MA_KNOWN (MA_RDONLY | MA_NOSUID | MA_NODEV | MA_NOEXEC | MA__ATIME | MA_NODIRATIME | \
		  MA_IDMAP | MA_NOSYMFOLLOW)
#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

enum fc_phase { FC_CREATING, FC_AWAITING_MOUNT, FC_MOUNTED, FC_RECONFIGURE, FC_FAILED };

struct fs_context {
	struct fs_type *type;
	enum fc_phase phase;
	char *source;
	char *opts;                    /* mount(2)'s data: "key=value,flag" */
	int sb_flags;                  /* MS_RDONLY from "ro"/"rw" */
	struct super_block *sb;        /* made by FSCONFIG_CMD_CREATE */
	struct mount *pick;            /* fspick's mount (referenced) */
};

/* ---- filesystem contexts ---- */

static ssize_t fc_read(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	(void)t, (void)f, (void)buf, (void)n, (void)pos;
	return -ENODATA;               /* no messages kept */
}

static ssize_t fc_write(struct task *t, struct file *f, const void *buf, size_t n, int64_t *pos)
{
	(void)t, (void)f, (void)buf, (void)n, (void)pos;
	return -EINVAL;
}

static void fc_release(struct file *f)
{
	struct fs_context *fc = f->priv;

	if (fc->sb)
		mnt_sb_put(fc->sb);
	mnt_put(fc->pick);
	free(fc->source);
	free(fc->opts);
	free(fc);
}

static const struct file_ops fscontext_ops = {
	.read = fc_read,
	.write = fc_write,
	.fstat = anon_inode_fstat,
	.release = fc_release,
};

/* Whether f is an fsopen/fspick file (epoll_ctl refuses it: no poll). */
bool file_is_fs_context(const struct file *f)
{
	return f->ops == &fscontext_ops;
}

static int install(struct task *t, struct file *f, bool cloexec)
{
	int fd = fd_install(t, 0, f, cloexec);
	return fd;
}

/* fsopen(fs_name, flags): a context for a new filesystem of that type:
 * -EINVAL (flags), -EPERM (no CAP_SYS_ADMIN over the mount namespace),
 * -EFAULT, -ENODEV (no such type), -EMFILE. */
long sys_fsopen(struct task *t, struct sysargs *a)
{
	unsigned flags = arg_uint(a, 1);
	char name[64];
	struct fs_context *fc;
	struct file *f;
	long n;

	if (flags & ~L_FSOPEN_CLOEXEC)
		return -EINVAL;
	if (mnt_may_mount(t))
		return -EPERM;
	n = strncpy_from_user(t, name, arg_ptr(a, 0), sizeof name);
	if (n < 0)
		return n == -ENAMETOOLONG ? -ENODEV : n;
	fc = calloc(1, sizeof *fc);
	if (!fc)
		return -ENOMEM;
	fc->type = get_fs_type(name);
	if (!fc->type) {
		free(fc);
		return -ENODEV;
	}
	f = file_alloc(&fscontext_ops, O_RDWR, "anon_inode:[fscontext]");
	if (!f) {
		free(fc);
		return -ENOMEM;
	}
	f->priv = fc;
	return install(t, f, flags & L_FSOPEN_CLOEXEC);
}

/* The superblock flags every filesystem takes (common_set_sb_flag and
 * common_clear_sb_flag); ro and rw are kept, the others change nothing. */
static bool is_sb_flag(const char *key)
{
	static const char *const flags[] = { "dirsync", "lazytime", "mand", "posixacl", "ro", "sync",
					     "async", "nolazytime", "nomand", "rw" };

	for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
		if (!strcmp(key, flags[i]))
			return true;
	return false;
}

/* Appends "key" or "key=value" to the context's options: -EINVAL past a
 * page of them (legacy_parse_param's bound). */
static int add_opt(struct fs_context *fc, const char *key, const char *value)
{
	size_t old = fc->opts ? strlen(fc->opts) : 0;
	size_t add = strlen(key) + (value ? strlen(value) + 1 : 0) + 2;
	char *o;

	if (old + add > 4096 - 2)
		return -EINVAL;
	o = realloc(fc->opts, old + add);
	if (!o)
		return -ENOMEM;
	snprintf(o + old, add, "%s%s%s%s", old ? "," : "", key, value ? "=" : "", value ? value : "");
	fc->opts = o;
	return 0;
}

/* FSCONFIG_CMD_RECONFIGURE of fspick's context: "ro"/"rw" and the
 * options become the filesystem's, as a remount (reconfigure_super). */
static int reconfigure(struct fs_context *fc)
{
	struct super_block *sb = fc->pick->sb;

	if (fc->sb_flags & MS_RDONLY)
		sb->flags |= MS_RDONLY;
	else if (fc->sb_flags & 0x40000000)   /* "rw" given */
		sb->flags &= ~MS_RDONLY;
	if (fc->opts && *fc->opts) {
		free(sb->options);
		sb->options = strdup(fc->opts);
	}
	return 0;
}

/*
 * fsconfig(fd, cmd, key, value, aux): sets a parameter of a context or
 * runs a command on it (the checks of fs/fsopen.c's fsconfig): -EBADF,
 * -EINVAL (not a context; a key, value or aux the command does not take;
 * "source" twice), -EOPNOTSUPP (unknown command), -EBUSY (create twice,
 * or after a failure), -EFAULT, and the filesystem's own error from
 * FSCONFIG_CMD_CREATE (EINVAL for an option it does not know).
 */
long sys_fsconfig(struct task *t, struct sysargs *a)
{
	int fd = arg_int(a, 0);
	unsigned cmd = arg_uint(a, 1);
	uint64_t ukey = arg_ptr(a, 2), uvalue = arg_ptr(a, 3);
	int aux = arg_int(a, 4);
	char key[256], *value = NULL;
	struct fs_context *fc;
	struct file *f;
	long r;

	/* the shape of each command's arguments */
	switch (cmd) {
	case FSCONFIG_SET_FLAG_:
		if (!ukey || uvalue || aux)
			return -EINVAL;
		break;
	case FSCONFIG_SET_STRING_:
		if (!ukey || !uvalue || aux)
			return -EINVAL;
		break;
	case FSCONFIG_SET_BINARY_:
		if (!ukey || !uvalue || aux <= 0 || aux > 1024 * 1024)
			return -EINVAL;
		break;
	case FSCONFIG_SET_PATH_:
	case FSCONFIG_SET_PATH_EMPTY_:
		if (!ukey || !uvalue || (aux != AT_FDCWD && aux < 0))
			return -EINVAL;
		break;
	case FSCONFIG_SET_FD_:
		if (!ukey || uvalue || aux < 0)
			return -EINVAL;
		break;
	case FSCONFIG_CMD_CREATE_:
	case FSCONFIG_CMD_CREATE_EXCL_:
	case FSCONFIG_CMD_RECONFIGURE_:
		if (ukey || uvalue || aux)
			return -EINVAL;
		break;
	default:
		return -EOPNOTSUPP;
	}
	f = fd_get(t, fd);
	if (!f)
		return -EBADF;
	r = -EINVAL;
	if (f->ops != &fscontext_ops)
		goto out;
	fc = f->priv;
	if (ukey) {
		long n = strncpy_from_user(t, key, ukey, sizeof key);
		if (n < 0) {
			r = n == -ENAMETOOLONG ? -EINVAL : n;
			goto out;
		}
	}
	if (cmd == FSCONFIG_SET_STRING_ || cmd == FSCONFIG_SET_PATH_ || cmd == FSCONFIG_SET_PATH_EMPTY_) {
		value = malloc(4096);
		long n = value ? strncpy_from_user(t, value, uvalue, 4096) : -ENOMEM;
		if (n < 0) {
			r = n == -ENAMETOOLONG ? -EINVAL : n;
			goto out;
		}
	}
	switch (cmd) {
	case FSCONFIG_CMD_CREATE_:
	case FSCONFIG_CMD_CREATE_EXCL_:
		r = -EBUSY;
		if (fc->phase != FC_CREATING)
			break;
		r = fc->type->mount(t, fc->source ? fc->source : "none", fc->sb_flags & MS_RDONLY, fc->opts,
				    &fc->sb);
		if (r) {
			fc->sb = NULL;
			fc->phase = FC_FAILED;
			break;
		}
		if (fc->sb_flags & MS_RDONLY)
			fc->sb->flags |= MS_RDONLY;
		fc->phase = FC_AWAITING_MOUNT;
		break;
	case FSCONFIG_CMD_RECONFIGURE_:
		r = -EBUSY;
		if (fc->phase != FC_RECONFIGURE)
			break;
		r = reconfigure(fc);
		break;
	default:
		r = -EBUSY;
		if (fc->phase != FC_CREATING && fc->phase != FC_RECONFIGURE)
			break;
		r = -EINVAL;
		if (!key[0])
			break;
		if (is_sb_flag(key)) {
			/* the superblock flags, whatever the parameter's type
			 * (vfs_parse_sb_flag) */
			if (!strcmp(key, "ro"))
				fc->sb_flags |= MS_RDONLY;
			else if (!strcmp(key, "rw"))
				fc->sb_flags = (fc->sb_flags & ~MS_RDONLY) | 0x40000000;
			r = 0;
		} else if (!strcmp(key, "source")) {
			r = -EINVAL;
			if (cmd != FSCONFIG_SET_STRING_ || fc->source)
				break;   /* "VFS: Multiple sources" */
			fc->source = strdup(value);
			r = fc->source ? 0 : -ENOMEM;
		} else if (cmd == FSCONFIG_SET_FLAG_) {
			r = add_opt(fc, key, NULL);
		} else if (cmd == FSCONFIG_SET_STRING_) {
			r = add_opt(fc, key, value);
		} else {
			/* binary blobs, paths and fds: no filesystem of umk's takes one */
			r = -EINVAL;
		}
	}
out:
	free(value);
	file_put(f);
	return r;
}

/* ---- detached mounts ---- */

struct mount_file {
	struct mount *m;               /* referenced; attached once move_mount puts it */
	bool root_is_dir;
};

static ssize_t mf_read(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	(void)t, (void)f, (void)buf, (void)n, (void)pos;
	return -EBADF;
}

static ssize_t mf_write(struct task *t, struct file *f, const void *buf, size_t n, int64_t *pos)
{
	(void)t, (void)f, (void)buf, (void)n, (void)pos;
	return -EBADF;
}

static int mf_fstat(struct file *f, struct kstat *st)
{
	struct mount_file *mf = f->priv;
	int err = mf->m->ops->lookup(mf->m, mf->m->root, st);

	if (!err)
		st->dev = mf->m->dev;
	return err;
}

static void mf_release(struct file *f)
{
	struct mount_file *mf = f->priv;

	mnt_put(mf->m);
	free(mf);
}

static const struct file_ops mountfile_ops = {
	.read = mf_read,
	.write = mf_write,
	.fstat = mf_fstat,
	.release = mf_release,
};

/* A file for detached mount m (its reference taken), fd installed. */
static long mount_fd(struct task *t, struct mount *m, bool cloexec)
{
	struct mount_file *mf = calloc(1, sizeof *mf);
	struct kstat st;
	struct file *f;

	if (!mf) {
		mnt_put(m);
		return -ENOMEM;
	}
	mf->m = m;
	mf->root_is_dir = !m->ops->lookup(m, m->root, &st) && S_ISDIR(st.mode);
	f = file_alloc(&mountfile_ops, O_PATH, "/");
	if (!f) {
		mnt_put(m);
		free(mf);
		return -ENOMEM;
	}
	f->priv = mf;
	return install(t, f, cloexec);
}

/* MOUNT_ATTR_* to per-mount MS_* flags. */
static int attr_to_ms(uint64_t attr)
{
	int ms = 0;

	if (attr & MA_RDONLY)
		ms |= MS_RDONLY;
	if (attr & MA_NOSUID)
		ms |= MS_NOSUID;
	if (attr & MA_NODEV)
		ms |= MS_NODEV;
	if (attr & MA_NOEXEC)
		ms |= MS_NOEXEC;
	if ((attr & MA__ATIME) == MA_NOATIME)
		ms |= MS_NOATIME;
	if ((attr & MA__ATIME) == MA_STRICTATIME)
		ms |= MS_STRICTATIME;
	if (attr & MA_NODIRATIME)
		ms |= MS_NODIRATIME;
	if (attr & MA_NOSYMFOLLOW)
		ms |= MS_NOSYMFOLLOW;
	return ms;
}

/* fsmount(fd, flags, attr_flags): a detached mount of the context's new
 * filesystem, as an O_PATH fd: -EINVAL (flags, attributes, a context not
 * created), -EBADF, -EPERM, -EBUSY (mounted already), -ENOMEM. */
long sys_fsmount(struct task *t, struct sysargs *a)
{
	unsigned flags = arg_uint(a, 1), attr = arg_uint(a, 2);
	struct fs_context *fc;
	struct mount *m;
	struct file *f;
	long r;

	if (flags & ~L_FSMOUNT_CLOEXEC)
		return -EINVAL;
	if (attr & ~(MA_KNOWN & ~MA_IDMAP))
		return -EINVAL;
	if ((attr & MA__ATIME) != MA_RELATIME && (attr & MA__ATIME) != MA_NOATIME &&
	    (attr & MA__ATIME) != MA_STRICTATIME)
		return -EINVAL;
	if (mnt_may_mount(t))
		return -EPERM;
	f = fd_get(t, arg_int(a, 0));
	if (!f)
		return -EBADF;
	r = -EINVAL;
	if (f->ops != &fscontext_ops)
		goto out;
	fc = f->priv;
	r = fc->phase == FC_MOUNTED ? -EBUSY : -EINVAL;
	if (fc->phase != FC_AWAITING_MOUNT)
		goto out;
	m = mnt_new_detached(fc->sb, "", attr_to_ms(attr));
	r = -ENOMEM;
	if (!m)
		goto out;
	fc->phase = FC_MOUNTED;
	r = mount_fd(t, m, flags & L_FSMOUNT_CLOEXEC);
out:
	file_put(f);
	return r;
}

/* Resolves (dfd, upath) with AT_EMPTY_PATH-style flags into nd, which
 * must exist: 0, or -ENOENT, -EFAULT, -EBADF... */
static int walk_at(struct task *t, int dfd, uint64_t upath, bool empty_ok, bool follow,
		   struct nameidata *nd)
{
	char *p = malloc(PATH_MAX);
	long n;
	int err;

	if (!p)
		return -ENOMEM;
	n = strncpy_from_user(t, p, upath, PATH_MAX);
	err = n < 0 ? (int)n : 0;
	if (!err && !p[0] && !empty_ok)
		err = -ENOENT;
	if (!err)
		err = vfs_walk(t, dfd, p, (follow ? WALK_FOLLOW : 0) | (empty_ok ? WALK_EMPTY_OK : 0), nd);
	free(p);
	if (!err && !nd->exists) {
		nd_release(nd);
		err = -ENOENT;
	}
	return err;
}

/*
 * open_tree(dfd, path, flags): without OPEN_TREE_CLONE, an O_PATH fd of
 * the path; with it, a detached copy of the mount there (a bind of it;
 * AT_RECURSIVE: see the file's comment).  -EINVAL (flags; AT_RECURSIVE
 * without OPEN_TREE_CLONE; an unbindable mount or one of another
 * namespace), -EPERM (clone without CAP_SYS_ADMIN), -ENOENT, -EBADF,
 * -EFAULT.
 */
long sys_open_tree(struct task *t, struct sysargs *a)
{
	int dfd = arg_int(a, 0);
	unsigned flags = arg_uint(a, 2);
	bool clone = flags & L_OPEN_TREE_CLONE;
	struct nameidata nd;
	struct mount *m;
	struct file *f;
	int err;

	if (flags & ~(L_AT_EMPTY_PATH | L_AT_NO_AUTOMOUNT | L_AT_RECURSIVE | L_AT_SYMLINK_NOFOLLOW |
		      L_OPEN_TREE_CLONE | L_OPEN_TREE_CLOEXEC))
		return -EINVAL;
	if ((flags & (L_AT_RECURSIVE | L_OPEN_TREE_CLONE)) == L_AT_RECURSIVE)
		return -EINVAL;
	if (clone && mnt_may_mount(t))
		return -EPERM;
	err = walk_at(t, dfd, arg_ptr(a, 1), flags & L_AT_EMPTY_PATH, !(flags & L_AT_SYMLINK_NOFOLLOW), &nd);
	if (err)
		return err;
	if (!clone) {
		err = vfs_open(t, AT_FDCWD, nd.abs, O_PATH | O_NOFOLLOW, 0, &f);
		nd_release(&nd);
		return err ? err : install(t, f, flags & L_OPEN_TREE_CLOEXEC);
	}
	err = -EINVAL;
	if (!nd.mnt || !nd.mnt->ns || nd.mnt->ns != current_mnt_ns() || nd.mnt->propagation == MS_UNBINDABLE)
		goto out;
	m = mnt_new_detached(nd.mnt->sb, nd.rel, nd.mnt->mflags);
	err = -ENOMEM;
	if (!m)
		goto out;
	nd_release(&nd);
	return mount_fd(t, m, flags & L_OPEN_TREE_CLOEXEC);
out:
	nd_release(&nd);
	return err;
}

/*
 * move_mount(from_dfd, from_path, to_dfd, to_path, flags): attaches the
 * detached mount of from (an fd of fsmount or open_tree's clone, with
 * MOVE_MOUNT_F_EMPTY_PATH) at to, or moves the attached mount whose root
 * from names there (MS_MOVE).  -EINVAL (flags; from not a mount root;
 * attached already), -EPERM, -ENOENT, -ENOTDIR, -ELOOP, -EBADF, -EFAULT.
 */
long sys_move_mount(struct task *t, struct sysargs *a)
{
	int from_dfd = arg_int(a, 0), to_dfd = arg_int(a, 2);
	unsigned flags = arg_uint(a, 4);
	struct nameidata from, to;
	struct file *ff = NULL;
	char first = 1;
	int err;

	if (flags & ~(L_MOVE_MOUNT_F_SYMLINKS | L_MOVE_MOUNT_F_AUTOMOUNTS | L_MOVE_MOUNT_F_EMPTY_PATH |
		      L_MOVE_MOUNT_T_SYMLINKS | L_MOVE_MOUNT_T_AUTOMOUNTS | L_MOVE_MOUNT_T_EMPTY_PATH |
		      L_MOVE_MOUNT_SET_GROUP | L_MOVE_MOUNT_BENEATH))
		return -EINVAL;
	if (flags & L_MOVE_MOUNT_SET_GROUP)
		return -EINVAL;        /* not done */
	bool beneath = flags & L_MOVE_MOUNT_BENEATH;
	if (mnt_may_mount(t))
		return -EPERM;
	/* from: a detached mount's fd itself? */
	if ((flags & L_MOVE_MOUNT_F_EMPTY_PATH) && !copy_from_user(t, &first, arg_ptr(a, 1), 1) && !first) {
		ff = fd_get(t, from_dfd);
		if (!ff)
			return -EBADF;
		if (ff->ops != &mountfile_ops) {
			file_put(ff);
			ff = NULL;
		}
	}
	err = walk_at(t, to_dfd, arg_ptr(a, 3), flags & L_MOVE_MOUNT_T_EMPTY_PATH,
		      flags & L_MOVE_MOUNT_T_SYMLINKS, &to);
	if (err) {
		file_put(ff);
		return err;
	}
	if (ff) {
		struct mount_file *mf = ff->priv;
		struct mount *m = mf->m;
		if (beneath) {
			memset(&from, 0, sizeof from);
			from.mnt = m;
			from.ns = m->ns;
			from.exists = true;
			snprintf(from.abs, sizeof from.abs, "%s", m->path);
			err = m->ops->lookup(m, m->root, &from.st);
			if (!err)
				err = mnt_beneath(t, m, m->ns ? &from : NULL, &to, mf->root_is_dir);
		} else if (!m->ns) {
			err = mnt_attach_detached(m, &to, mf->root_is_dir);
		} else {
			/* attached since: a move of that mount (ELOOP onto itself) */
			memset(&from, 0, sizeof from);
			from.mnt = m;
			from.ns = m->ns;
			from.exists = true;
			snprintf(from.abs, sizeof from.abs, "%s", m->path);
			err = m->ops->lookup(m, m->root, &from.st);
			if (!err)
				err = mnt_move(&from, &to);
		}
		file_put(ff);
		nd_release(&to);
		return err;
	}
	err = walk_at(t, from_dfd, arg_ptr(a, 1), flags & L_MOVE_MOUNT_F_EMPTY_PATH,
		      flags & L_MOVE_MOUNT_F_SYMLINKS, &from);
	if (!err) {
		err = !mnt_is_root(&from) ? -EINVAL :
		      beneath ? mnt_beneath(t, from.mnt, &from, &to, true) : mnt_move(&from, &to);
		nd_release(&from);
	}
	nd_release(&to);
	return err;
}

/* fspick(dfd, path, flags): a context to reconfigure the filesystem
 * mounted at path (its root): -EINVAL (flags; not a mount root), -EPERM,
 * -ENOENT, -EBADF, -EFAULT. */
long sys_fspick(struct task *t, struct sysargs *a)
{
	int dfd = arg_int(a, 0);
	unsigned flags = arg_uint(a, 2);
	struct nameidata nd;
	struct fs_context *fc;
	struct file *f;
	int err;

	if (flags & ~(L_FSPICK_CLOEXEC | L_FSPICK_SYMLINK_NOFOLLOW | L_FSPICK_NO_AUTOMOUNT | L_FSPICK_EMPTY_PATH))
		return -EINVAL;
	if (mnt_may_mount(t))
		return -EPERM;
	err = walk_at(t, dfd, arg_ptr(a, 1), flags & L_FSPICK_EMPTY_PATH, !(flags & L_FSPICK_SYMLINK_NOFOLLOW), &nd);
	if (err)
		return err;
	err = -EINVAL;
	if (!mnt_is_root(&nd))
		goto out;
	err = -ENOMEM;
	fc = calloc(1, sizeof *fc);
	if (!fc)
		goto out;
	fc->type = get_fs_type(nd.mnt->fstype);
	fc->phase = FC_RECONFIGURE;
	fc->pick = mnt_get(nd.mnt);
	f = file_alloc(&fscontext_ops, O_RDWR, "anon_inode:[fscontext]");
	if (!f) {
		mnt_put(fc->pick);
		free(fc);
		goto out;
	}
	f->priv = fc;
	nd_release(&nd);
	return install(t, f, flags & L_FSPICK_CLOEXEC);
out:
	nd_release(&nd);
	return err;
}

/* mount_setattr on a detached mount: its flags and propagation type. */
static int detached_setattr(struct mount *m, int set, int clr, int propagation)
{
	m->mflags = (m->mflags & ~clr) | set;
	if (propagation)
		m->propagation = propagation == MS_PRIVATE ? 0 : propagation;
	return 0;
}

/* mount_setattr(dfd, path, flags, attr, size): per-mount attributes set
 * and cleared, and a propagation type, on the mount at path (AT_RECURSIVE:
 * and below).  -EINVAL (flags, unknown or conflicting attributes, a
 * propagation that is not one type, idmapped mounts, not a mount root),
 * -E2BIG (size over a page, or unknown nonzero tail), -EFAULT, -EPERM. */
long sys_mount_setattr(struct task *t, struct sysargs *a)
{
	int dfd = arg_int(a, 0);
	unsigned flags = arg_uint(a, 2);
	uint64_t usize = arg_ptr(a, 4);
	struct { uint64_t attr_set, attr_clr, propagation, userns_fd; } attr = { 0, 0, 0, 0 };
	struct nameidata nd;
	int set, clr, err;

	if (flags & ~(L_AT_EMPTY_PATH | L_AT_RECURSIVE | L_AT_SYMLINK_NOFOLLOW | L_AT_NO_AUTOMOUNT))
		return -EINVAL;
	if (usize > 4096)
		return -E2BIG;
	if (usize < 32)
		return -EINVAL;
	if (copy_from_user(t, &attr, arg_ptr(a, 3), sizeof attr))
		return -EFAULT;
	for (uint64_t off = sizeof attr; off < usize; off++) {
		char c;
		if (copy_from_user(t, &c, arg_ptr(a, 3) + off, 1))
			return -EFAULT;
		if (c)
			return -E2BIG;
	}
	if ((attr.attr_set | attr.attr_clr) & ~MA_KNOWN)
		return -EINVAL;
	if (attr.propagation && attr.propagation != MS_SHARED && attr.propagation != MS_SLAVE &&
	    attr.propagation != MS_PRIVATE && attr.propagation != MS_UNBINDABLE)
		return -EINVAL;
	if ((attr.attr_set | attr.attr_clr) & MA_IDMAP)
		return -EINVAL;        /* idmapped mounts: not done */
	/* the atime field is cleared whole and then set to one value
	 * (build_mount_kattr); set and clear may otherwise overlap (set wins) */
	if ((attr.attr_clr & MA__ATIME) && (attr.attr_clr & MA__ATIME) != MA__ATIME)
		return -EINVAL;
	if ((attr.attr_clr & MA__ATIME) && (attr.attr_set & MA__ATIME) != MA_RELATIME &&
	    (attr.attr_set & MA__ATIME) != MA_NOATIME && (attr.attr_set & MA__ATIME) != MA_STRICTATIME)
		return -EINVAL;
	if (mnt_may_mount(t))
		return -EPERM;
	set = attr_to_ms(attr.attr_set & ~MA__ATIME);
	clr = attr_to_ms(attr.attr_clr & ~MA__ATIME);
	if (attr.attr_clr & MA__ATIME) {
		/* the atime field is replaced as a whole */
		clr |= MS_NOATIME | MS_STRICTATIME;
		set |= attr_to_ms(attr.attr_set & MA__ATIME);
	}
	/* a detached mount's own fd (fsmount, open_tree's clone) */
	if (flags & L_AT_EMPTY_PATH) {
		char first = 1;
		struct file *f;
		if (!copy_from_user(t, &first, arg_ptr(a, 1), 1) && !first && (f = fd_get(t, dfd))) {
			if (f->ops == &mountfile_ops) {
				struct mount *m = ((struct mount_file *)f->priv)->m;
				err = m->ns ? mnt_setattr(m, set, clr, (int)attr.propagation, flags & L_AT_RECURSIVE)
					    : detached_setattr(m, set, clr, (int)attr.propagation);
				file_put(f);
				return err;
			}
			file_put(f);
		}
	}
	err = walk_at(t, dfd, arg_ptr(a, 1), flags & L_AT_EMPTY_PATH, !(flags & L_AT_SYMLINK_NOFOLLOW), &nd);
	if (err)
		return err;
	err = -EINVAL;
	if (!mnt_is_root(&nd) || nd.mnt->ns != current_mnt_ns())
		goto out;
	err = mnt_setattr(nd.mnt, set, clr, (int)attr.propagation, flags & L_AT_RECURSIVE);
out:
	nd_release(&nd);
	return err;
}
