/*
 * vfs.c - the mount table, path walking and opening.
 *
 * In a nutshell: names are guest path strings.  The current task's mount
 * namespace (namespace.c) maps an absolute path to the mount that owns
 * it, whose filesystem then sees only the path inside itself ("rel").
 * vfs_walk turns any guest path into an absolute, normalised path free of
 * "." and ".." and of symlinks (the last component's excepted when not
 * followed), one component at a time: every component is looked up,
 * without following, through the mount that owns it, and symlinks are
 * expanded here, never by a host.  ".." never climbs above the task's
 * root.  That walk is what confines a guest to its filesystems.
 *
 * Locking: everything here runs under klock, which guards the mount tree.
 */
#include "../kernel.h"
#include "fs.h"
#include "blkdev.h"
#include "tmpfs.h"
#include "posix_acl.h"
#include "../mm/mm.h"
#include "../security/landlock.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/mount.h>
#define MS_NODEV_ MS_NODEV

/* The mount and in-filesystem path of abs (rel into abs or buf, PATH_MAX
 * bytes), and its stat. */
static int lookup_abs(struct mnt_namespace *ns, const char *abs, struct mount **mp,
		      const char **rel, char *buf, struct kstat *st)
{
	struct mount *m = vfs_find_mount_ns(ns, abs, rel, buf);

	if (!m)
		return -ENOENT;
	*mp = m;
	memset(st, 0, sizeof *st);   /* (the fields a filesystem leaves are zero) */
	return m->ops->lookup(m, *rel, st);
}

/* file_set_mnt - f was opened on mount m: f keeps m referenced (a
 * lazily unmounted mount lives on while files are open in it). */
void file_set_mnt(struct file *f, struct mount *m)
{
	struct mount *old = f->mnt_held ? f->mnt : NULL;

	f->mnt = mnt_get(m);
	f->mnt_held = m != NULL;
	mnt_put(old);
}

/*
 * vfs_permission - Linux's generic_permission for the task's fsuid: root
 * may read and write anything and execute what has an x bit (directories:
 * search always); others by the file's POSIX ACL if it has one (st->acl,
 * posix_acl.c).  Returns 0 or -EACCES.
 */
int vfs_permission(struct task *t, const struct kstat *st, int mask)
{
	uint32_t fsuid = t ? t->cred.fsuid : 0, bits;

	mask &= 7;
	/* root, or a user namespace's root over files whose owner it maps
	 * (Linux's capable_wrt_inode_uidgid(CAP_DAC_OVERRIDE)) */
	if (fsuid == 0 || (t && t->user_ns && t->user_ns != &init_user_ns &&
			   ns_capable(t, t->user_ns, CAP_DAC_OVERRIDE) &&
			   from_kuid(t->user_ns, st->uid) != (uint32_t)-1 &&
			   from_kgid(t->user_ns, st->gid) != (uint32_t)-1)) {
		if ((mask & X_OK) && !S_ISDIR(st->mode) && !(st->mode & 0111))
			return -EACCES;
		return 0;
	}
	if (st->uid == fsuid) {
		bits = (st->mode >> 6) & 7;
	} else if (st->acl.count && (st->mode & 070)) {
		/* acl_permission_check: an ACL decides for all but the owner */
		return posix_acl_permission(t, st, mask);
	} else {
		bits = in_group_p(t, st->gid) ? (st->mode >> 3) & 7 : st->mode & 7;
	}
	return (bits & mask) == (uint32_t)mask ? 0 : -EACCES;
}

#define CAP_FSETID_ 4

/*
 * setattr_prepare - what Linux's chown_common and setattr_prepare allow
 * t to do to an inode with attributes st.  chown (ATTR_OWNER; -1 keeps
 * an id): a new uid needs CAP_CHOWN; a new gid needs CAP_CHOWN, or t
 * owning the file and being in that group; and a non-directory loses
 * S_ISUID, and S_ISGID if group-executable or t is outside its group
 * (even for root): *what gains ATTR_MODE and *mode the new mode.  chmod
 * (ATTR_MODE): t must own the file or have CAP_FOWNER, and S_ISGID is
 * dropped from *mode unless t is in the file's group or has CAP_FSETID.
 * Returns 0 or -EPERM.
 */
int setattr_prepare(struct task *t, const struct kstat *st, int *what, uint32_t *mode, uint32_t uid,
		    uint32_t gid)
{
	bool owner = st->uid == t->cred.fsuid;

	if (*what & ATTR_OWNER) {
		if (uid != (uint32_t)-1 && !((owner && uid == st->uid) || capable(t, CAP_CHOWN)))
			return -EPERM;
		if (gid != (uint32_t)-1 &&
		    !((owner && (gid == st->gid || in_group_p(t, gid))) || capable(t, CAP_CHOWN)))
			return -EPERM;
	}
	if (*what & ATTR_MODE) {
		uint32_t g = (*what & ATTR_OWNER) && gid != (uint32_t)-1 ? gid : st->gid;

		if (!owner && !capable(t, CAP_FOWNER))
			return -EPERM;
		if (!in_group_p(t, g) && !capable(t, CAP_FSETID_))
			*mode &= ~S_ISGID;
	} else if ((*what & ATTR_OWNER) && !S_ISDIR(st->mode) && !S_ISLNK(st->mode)) {
		uint32_t m = st->mode & 07777;

		m &= ~S_ISUID;
		if ((m & S_ISGID) &&
		    ((m & S_IXGRP) || !(in_group_p(t, st->gid) || capable(t, CAP_FSETID_))))
			m &= ~S_ISGID;
		if (m != (st->mode & 07777)) {
			*what |= ATTR_MODE;
			*mode = m;
		}
	}
	return 0;
}

/*
 * mode_strip_sgid - the mode a new file in directory dir (attributes
 * dst) gets: a group-executable non-directory loses S_ISGID when dir is
 * setgid and t is outside dir's group without CAP_FSETID (Linux's
 * mode_strip_sgid; the file takes dir's group).
 */
uint32_t mode_strip_sgid(struct task *t, const struct kstat *dst, uint32_t mode)
{
	if ((mode & (S_ISGID | S_IXGRP)) != (S_ISGID | S_IXGRP))
		return mode;
	if (S_ISDIR(mode) || !dst || !(dst->mode & S_ISGID))
		return mode;
	if (!t || in_group_p(t, dst->gid) || capable(t, CAP_FSETID_))
		return mode;
	return mode & ~S_ISGID;
}

long sysctl_protected_symlinks = 0, sysctl_protected_hardlinks = 0;   /* Linux's defaults */
long sysctl_protected_fifos = 0, sysctl_protected_regular = 0;

/*
 * may_follow_link - fs.protected_symlinks (Linux's may_follow_link): a
 * symlink in a sticky world-writable directory is followed only by its
 * owner, or when the directory's owner owns it too; else -EACCES.  Root
 * is not exempt.
 */
static int may_follow_link(struct task *t, const struct kstat *dir, const struct kstat *link)
{
	if (!sysctl_protected_symlinks || !t)
		return 0;
	if (link->uid == t->cred.fsuid)
		return 0;
	if ((dir->mode & (S_ISVTX | S_IWOTH)) != (S_ISVTX | S_IWOTH))
		return 0;
	if (dir->uid == link->uid)
		return 0;
	return -EACCES;
}

/*
 * may_linkat - fs.protected_hardlinks (Linux's may_linkat): a hard link
 * to st is made by its owner (or with CAP_FOWNER), or when st is a safe
 * source: a regular file, not set-user-ID, not executable set-group-ID,
 * that the caller may read and write.  0 or -EPERM.
 */
int may_linkat(struct task *t, const struct kstat *st)
{
	if (!sysctl_protected_hardlinks)
		return 0;
	if (st->uid == t->cred.fsuid || capable(t, CAP_FOWNER))
		return 0;
	if (S_ISREG(st->mode) && !(st->mode & S_ISUID) &&
	    (st->mode & (S_ISGID | S_IXGRP)) != (S_ISGID | S_IXGRP) &&
	    !vfs_permission(t, st, R_OK | W_OK))
		return 0;
	return -EPERM;
}

/* Removes the last component of abs (never above root). */
static void pop_component(char *abs, const char *root)
{
	size_t rl = strlen(root);
	char *s;

	if (!strcmp(abs, root) || !strcmp(abs, "/"))
		return;
	if (rl > 1 && strlen(abs) <= rl)
		return;
	s = strrchr(abs, '/');
	if (s == abs)
		abs[1] = 0;
	else
		*s = 0;
	if (rl > 1 && strlen(abs) < rl)
		strcpy(abs, root);
}

/*
 * vfs_walk - resolves path for task t relative to dirfd (AT_FDCWD: the
 * cwd).  flags: WALK_FOLLOW follows a final symlink (a trailing slash
 * always does), WALK_DIRECTORY requires a directory, WALK_EMPTY_OK
 * accepts "" as dirfd's own file (nd->magic).  On success nd->abs, mnt,
 * rel and st describe the result; nd->exists is false (and 0 returned)
 * when only the last component is missing.  Errors as Linux's
 * path_lookupat: -ENOENT, -ENOTDIR, -ELOOP (over 40 links),
 * -ENAMETOOLONG, -EACCES (search permission), -EBADF, -EFAULT never.
 * The caller must nd_release(nd).
 */
int vfs_walk(struct task *t, int dirfd, const char *path, int flags, struct nameidata *nd)
{
	const char *root = t->fs && t->fs->root ? t->fs->root : "/";
	char *rest = NULL, *tgt = NULL;
	char base[4096];              /* WALK_BENEATH / WALK_IN_ROOT: the starting directory */
	struct kstat dir_st;
	struct mount *cur_m = NULL;   /* WALK_NO_XDEV: the mount the walk is in */
	struct kstat st;
	struct mount *m;
	const char *rel;
	char relbuf[PATH_MAX];
	size_t pos = 0, len;
	int links = 0, err = 0;
	bool have_st = false;

	memset(nd, 0, offsetof(struct nameidata, relbuf));
	nd->relbuf[0] = 0;
	if (!*path) {
		struct file *f;

		if (!(flags & WALK_EMPTY_OK))
			return -ENOENT;
		if (dirfd == AT_FDCWD) {
			path = ".";
		} else {
			f = fd_get(t, dirfd);
			if (!f)
				return -EBADF;
			nd->magic = f;
			nd->exists = true;
			snprintf(nd->abs, sizeof(nd->abs), "%s", f->path);
			nd->rel = nd->abs;
			nd->mnt = f->mnt;
			if (f->ops->fstat)
				return f->ops->fstat(f, &nd->st);
			return 0;
		}
	}
	if (strlen(path) >= PATH_MAX)
		return -ENAMETOOLONG;

	nd->ns = current_mnt_ns();
	if (path[0] == '/' && (flags & WALK_BENEATH))
		return -EXDEV;   /* nd_jump_root */
	if (path[0] == '/' && !(flags & WALK_IN_ROOT)) {
		snprintf(nd->abs, sizeof(nd->abs), "%s", root);
	} else if (dirfd == AT_FDCWD) {
		snprintf(nd->abs, sizeof(nd->abs), "%s", t->fs && t->fs->cwd ? t->fs->cwd : "/");
	} else {
		struct file *f = fd_get(t, dirfd);
		struct kstat fst;

		if (!f)
			return -EBADF;
		err = f->ops->fstat ? f->ops->fstat(f, &fst) : -ENOTDIR;
		if (!err && (!S_ISDIR(fst.mode) || f->path[0] != '/'))
			err = -ENOTDIR;
		if (!err) {
			snprintf(nd->abs, sizeof(nd->abs), "%s", f->path);
			nd->ns = file_mnt_ns(f);   /* the dirfd's own tree */
		}
		file_put(f);
		if (err)
			return err;
	}
	err = lookup_abs(nd->ns, nd->abs, &m, &rel, relbuf, &st);
	if (err)
		goto out;
	if (!S_ISDIR(st.mode)) {
		err = -ENOTDIR;
		goto out;
	}
	have_st = true;
	cur_m = m;
	snprintf(base, sizeof(base), "%s", nd->abs);
	if (flags & WALK_IN_ROOT)
		root = base;   /* dirfd is the root: "/", ".." and absolute links stay in it */

	rest = strdup(path);
	if (!rest) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		const char *comp;
		size_t clen, next;
		bool last, trailing;

		while (rest[pos] == '/')
			pos++;
		if (!rest[pos])
			break;
		comp = rest + pos;
		clen = strcspn(comp, "/");
		next = pos + clen;
		while (rest[next] == '/')
			next++;
		last = !rest[next];
		trailing = last && next > pos + clen;
		pos = next;
		if (clen > 255) {
			err = -ENAMETOOLONG;
			goto out;
		}
		/* the directory we are in must be searchable */
		if (have_st && (err = vfs_permission(t, &st, X_OK)))
			goto out;
		if (clen == 1 && comp[0] == '.') {
			if (last && !have_st)
				break;
			continue;
		}
		if (clen == 2 && comp[0] == '.' && comp[1] == '.') {
			if ((flags & WALK_BENEATH) && !strcmp(nd->abs, base)) {
				err = -EXDEV;   /* would climb out of the starting point */
				goto out;
			}
			pop_component(nd->abs, root);
			err = lookup_abs(nd->ns, nd->abs, &m, &rel, relbuf, &st);
			if (err)
				goto out;
			if ((flags & WALK_NO_XDEV) && m != cur_m) {
				err = -EXDEV;
				goto out;
			}
			have_st = true;
			continue;
		}
		dir_st = st;   /* the directory the component is in (protected_symlinks) */
		len = strlen(nd->abs);
		if (len + 1 + clen >= sizeof(nd->abs)) {
			err = -ENAMETOOLONG;
			goto out;
		}
		if (len > 1)
			nd->abs[len++] = '/';
		memcpy(nd->abs + len, comp, clen);
		nd->abs[len + clen] = 0;

		err = lookup_abs(nd->ns, nd->abs, &m, &rel, relbuf, &st);
		if (err == -ENOENT && last) {
			nd->exists = false;
			err = 0;
			goto out;   /* mnt and rel are set below */
		}
		if (err)
			goto out;
		if ((flags & WALK_NO_XDEV) && m != cur_m) {
			err = -EXDEV;   /* a mount point crossed */
			goto out;
		}
		if (S_ISLNK(st.mode) && (!last || trailing || (flags & WALK_FOLLOW))) {
			struct file *mf = m->ops->magic ? m->ops->magic(m, rel) : NULL;
			char *nrest;
			ssize_t n;

			/* magic links: procfs's links below /proc/PID (exe, cwd, fd/N,
			 * ns/...); /proc/self and /proc/mounts are plain ones */
			bool magic = mf || (m->ops->magic && strchr(rel[0] == '/' ? rel + 1 : rel, '/'));

			if (magic && (flags & (WALK_NO_MAGICLINKS | WALK_NO_SYMLINKS | WALK_BENEATH |
					    WALK_IN_ROOT))) {
				/* nd_jump_link: ELOOP, or EXDEV for a scoped walk */
				file_put(mf);
				err = (flags & (WALK_NO_MAGICLINKS | WALK_NO_SYMLINKS)) ? -ELOOP : -EXDEV;
				goto out;
			}
			if (flags & WALK_NO_SYMLINKS) {
				file_put(mf);
				err = -ELOOP;
				goto out;
			}
			if ((err = may_follow_link(t, &dir_st, &st))) {
				file_put(mf);
				goto out;
			}
			/* over 40 links, or a mount with MS_NOSYMFOLLOW (pick_link) */
			if (++links > 40 || (m->mflags & 256 /* MS_NOSYMFOLLOW */)) {
				file_put(mf);
				err = -ELOOP;
				goto out;
			}
			free(tgt);
			tgt = malloc(PATH_MAX);
			if (!tgt) {
				file_put(mf);
				err = -ENOMEM;
				goto out;
			}
			if (mf) {
				if (last) {
					/* /proc/PID/fd/N: the open file itself */
					nd->magic = mf;
					nd->exists = true;
					nd->mnt = mf->mnt;
					snprintf(nd->abs, sizeof(nd->abs), "%s", mf->path);
					nd->rel = nd->abs;
					err = mf->ops->fstat ? mf->ops->fstat(mf, &nd->st) : 0;
					goto out_magic;
				}
				snprintf(tgt, PATH_MAX, "%s", mf->path);
				file_put(mf);
				if (tgt[0] != '/') {
					err = -ENOTDIR;
					goto out;
				}
				n = strlen(tgt);
			} else {
				n = m->ops->readlink ? m->ops->readlink(m, rel, tgt, PATH_MAX - 1) : -EINVAL;
				if (n < 0) {
					err = n;
					goto out;
				}
				tgt[n] = 0;
			}
			if (n == 0) {
				err = -ENOENT;
				goto out;
			}
			if (asprintf(&nrest, "%s%s%s", tgt, rest[pos] || trailing ? "/" : "",
				     rest + pos) < 0) {
				err = -ENOMEM;
				goto out;
			}
			if (strlen(nrest) >= PATH_MAX) {
				free(nrest);
				err = -ENAMETOOLONG;
				goto out;
			}
			free(rest);
			rest = nrest;
			pos = 0;
			pop_component(nd->abs, root);
			if (tgt[0] == '/') {
				if (flags & WALK_BENEATH) {
					err = -EXDEV;
					goto out;
				}
				snprintf(nd->abs, sizeof(nd->abs), "%s", root);
				if (!(flags & WALK_IN_ROOT))
					nd->ns = current_mnt_ns();
			}
			err = lookup_abs(nd->ns, nd->abs, &m, &rel, relbuf, &st);
			if (err)
				goto out;
			if ((flags & WALK_NO_XDEV) && m != cur_m) {
				err = -EXDEV;
				goto out;
			}
			continue;
		}
		if ((!last || trailing) && !S_ISDIR(st.mode)) {
			err = -ENOTDIR;
			goto out;
		}
	}
	nd->exists = true;
	nd->mnt = vfs_find_mount_ns(nd->ns, nd->abs, &nd->rel, nd->relbuf);
	nd->st = st;
	if (nd->mnt && !(flags & WALK_KEEP_EXPIRY))
		nd->mnt->expiry_mark = false;   /* used: umount2(MNT_EXPIRE) starts over */
	if ((flags & WALK_DIRECTORY) && !S_ISDIR(st.mode))
		err = -ENOTDIR;
out:
	if (!err && !nd->exists)
		nd->mnt = vfs_find_mount_ns(nd->ns, nd->abs, &nd->rel, nd->relbuf);
out_magic:
	free(rest);
	free(tgt);
	if (err)
		nd_release(nd);
	return err;
}

/* vfs_is_mountpoint - whether nd names the root of its mount (rmdir,
 * unlink and rename of it are EBUSY). */
bool vfs_is_mountpoint(const struct nameidata *nd)
{
	return nd->mnt && !nd->magic && !strcmp(nd->mnt->path, nd->abs);
}

/* nd_release - drops what a walk holds (a magic link's file). */
void nd_release(struct nameidata *nd)
{
	file_put(nd->magic);
	nd->magic = NULL;
}

/* ---- O_PATH files: only fstat, fchdir, dup, close work on them ---- */

struct opath_priv {
	struct kstat st;
	/* a regular file's open, kept as Linux's O_PATH fd keeps its
	 * inode: execveat(fd, "", AT_EMPTY_PATH) runs it once unlinked */
	struct file *pin;
};

static int opath_fstat(struct file *f, struct kstat *st)
{
	struct mount *m;
	const char *rel;
	char buf[PATH_MAX];

	/* follow renames of nothing: re-lookup by name, else the snapshot */
	if (f->path[0] == '/' && lookup_abs(file_mnt_ns(f), f->path, &m, &rel, buf, st) == 0)
		return 0;
	struct opath_priv *p = f->priv;
	if (p->pin && p->pin->ops->fstat && p->pin->ops->fstat(p->pin, st) == 0)
		return 0;   /* unlinked: the inode itself */
	*st = p->st;
	return 0;
}

static void opath_release(struct file *f)
{
	struct opath_priv *p = f->priv;

	if (p)
		file_put(p->pin);
	free(p);
}


static const struct file_ops opath_file_ops = {
	.fstat = opath_fstat,
	.release = opath_release,
};

__thread bool fs_quiet_open;

/* opath_pinned - the open regular file an O_PATH file f keeps, or NULL
 * (f is no O_PATH file, or names no regular file). */
struct file *opath_pinned(struct file *f)
{
	return f->ops == &opath_file_ops && f->priv ? ((struct opath_priv *)f->priv)->pin : NULL;
}

/* Linux's f_flags: what F_GETFL reports (O_LARGEFILE is forced on x86-64). */
#define KEPT_FLAGS (O_ACCMODE | O_APPEND | O_NONBLOCK | O_DSYNC | O_SYNC | O_DIRECT | \
		    O_NOATIME | O_PATH | O_DIRECTORY | O_NOFOLLOW | O_ASYNC)

/*
 * vfs_open - open(2)'s work: walks path from dirfd, creates with
 * mode & ~umask if O_CREAT and absent, applies O_EXCL, O_DIRECTORY,
 * O_NOFOLLOW, O_TRUNC, O_PATH and access checks.  *out gets a new file
 * (f->path the absolute guest path).  Errors as Linux's do_filp_open:
 * -ENOENT, -EEXIST, -ENOTDIR, -EISDIR, -ELOOP, -EACCES, -EINVAL, fs errors.
 */
static __thread int open_resolve;   /* vfs_open_resolve's walk flags for vfs_open */

/* vfs_open_resolve - vfs_open whose walk also has walk_flags (WALK_NO_XDEV,
 * WALK_NO_MAGICLINKS, WALK_NO_SYMLINKS, WALK_BENEATH, WALK_IN_ROOT):
 * openat2(2)'s resolve flags.  Errors as vfs_open's, and -EXDEV, -ELOOP
 * as Linux's path walk gives them for those flags. */
int vfs_open_resolve(struct task *t, int dirfd, const char *path, int flags, uint32_t mode,
		     int walk_flags, struct file **out)
{
	int err;

	open_resolve = walk_flags;
	err = vfs_open(t, dirfd, path, flags, mode, out);
	open_resolve = 0;
	return err;
}

int vfs_open(struct task *t, int dirfd, const char *path, int flags, uint32_t mode,
	     struct file **out)
{
	struct nameidata nd;
	struct file *f = NULL;
	int acc = flags & O_ACCMODE, wflags = 0, err;
	bool creat = flags & O_CREAT, truncated = false, exec = flags & FMODE_EXEC_;
	uint16_t lldenied = 0;

	flags &= ~FMODE_EXEC_;   /* execve's alone (open(2) drops unknown bits) */

	if (flags & O_PATH) {
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
		creat = false;
		acc = O_RDONLY;
	}
	if ((flags & __O_TMPFILE) == __O_TMPFILE)
		return -EOPNOTSUPP;
	if (creat && (flags & O_DIRECTORY))
		return -EINVAL;
	if (!(flags & O_NOFOLLOW) && !(creat && (flags & O_EXCL)))
		wflags |= WALK_FOLLOW;
	if ((flags & O_DIRECTORY) && !(flags & O_NOFOLLOW))
		wflags |= WALK_FOLLOW;
	wflags |= open_resolve;
	open_resolve = 0;   /* for this walk only */
	err = vfs_walk(t, dirfd, path, wflags, &nd);
	if (err)
		return err;
	if (__builtin_expect(fault_io_enabled, 0) && (err = file_open_fault(t, nd.abs)))
		goto out;   /* --inject-io op=open (io_fault.c) */
	if (nd.magic) {
		if (creat && (flags & O_EXCL)) {
			err = -EEXIST;
			goto out;
		}
		if ((flags & O_DIRECTORY) && !S_ISDIR(nd.st.mode)) {
			err = -ENOTDIR;
			goto out;
		}
		/* /proc/PID/fd/N is a new open of the same file, as in
		 * Linux: an O_PATH file, or one open for another access
		 * mode, is opened again by its name; else it is shared */
		struct file *mf = nd.magic;
		const char *mrel;
		static __thread char mbuf[PATH_MAX];
		/* (a file of no mount, as a memfd, has no name to reopen) */
		struct mount *mm = mf->mnt && mf->path[0] == '/' ?
				   vfs_find_mount_ns(file_mnt_ns(mf), mf->path, &mrel, mbuf) : NULL;
		if (!(flags & O_PATH) &&
		    (err = landlock_path_open(t, file_mnt_ns(mf), mf->mnt ? mf->path : NULL,
					      nd.st.mode, flags, false, &lldenied)))
			goto out;
		if (mm && mm->ops->open && !(flags & O_PATH) &&
		    ((mf->flags & O_PATH) || (mf->flags & O_ACCMODE) != acc)) {
			err = mm->ops->open(mm, mrel, flags & ~(O_CREAT | O_EXCL), 0, &f);
			if (err)
				goto out;
			f->landlock_denied = lldenied;
			goto done;
		}
		if (!mm && !mf->mnt && !(flags & O_PATH) && tmpfs_file_memfd(mf) >= 0) {
			/* a memfd: a new open of its node (Linux's seals need
			 * write access on the file used to add them) */
			err = vfs_permission(t, &nd.st, acc == O_RDONLY ? R_OK :
					     acc == O_WRONLY ? W_OK : R_OK | W_OK);
			if (!err)
				err = tmpfs_reopen(mf, flags, &f);
			if (err)
				goto out;
			f->flags = (flags & KEPT_FLAGS) | O_LARGEFILE;
			f->landlock_denied = lldenied;
			goto done;
		}
		/* O_TRUNC applies to the file reached (a memfd's seals may refuse) */
		if ((flags & O_TRUNC) && acc != O_RDONLY && S_ISREG(nd.st.mode)) {
			err = mf->ops->truncate ? mf->ops->truncate(mf, 0) : -EINVAL;
			if (err)
				goto out;
			truncated = true;
		}
		f = file_get(nd.magic);
		goto done;
	}
	if (!nd.exists) {
		struct kstat pst;
		struct mount *pm;
		const char *prel;
		char parent[4096], pbuf[PATH_MAX], *s;
		struct acl_create ac;

		if (!creat) {
			err = -ENOENT;
			goto out;
		}
		if (path[strlen(path) - 1] == '/') {
			err = -EISDIR;
			goto out;
		}
		snprintf(parent, sizeof(parent), "%s", nd.abs);
		s = strrchr(parent, '/');
		if (s == parent)
			s[1] = 0;
		else if (s)
			*s = 0;
		err = lookup_abs(nd.ns, parent, &pm, &prel, pbuf, &pst);
		if (!err)
			err = vfs_permission(t, &pst, W_OK | X_OK);
		if (!err)
			err = inode_may_write(pm, prel, &pst);   /* an immutable directory */
		if (!err)
			err = mnt_want_write(nd.mnt);
		if (err)
			goto out;
		if (!nd.mnt->ops->open) {
			err = -EACCES;
			goto out;
		}
		/* Landlock: MAKE_REG on the directory, then the open (Linux's
		 * path_mknod and file_open hooks) */
		if ((err = landlock_path_mknod(t, &nd, S_IFREG)) ||
		    (err = landlock_new_file_open(t, &nd, flags, &lldenied)))
			goto out;
		/* the setgid strip looks at the mode asked for, before the
		 * umask (vfs_prepare_mode): S_IXGRP masked off still strips */
		mode = mode_strip_sgid(t, &pst, (mode & 07777) | S_IFREG);
		/* the umask, or the directory's default ACL (posix_acl_create) */
		mode = posix_acl_create(nd.mnt, nd.rel, mode, t->fs ? t->fs->umask : 022, &ac) & 07777;
		err = nd.mnt->ops->open(nd.mnt, nd.rel, flags, mode, &f);
		posix_acl_create_done(nd.mnt, nd.rel, &ac, err);
		if (err)
			goto out;
		f->created = true;   /* F_CREATED_QUERY */
		f->landlock_denied = lldenied;
		fsnotify_create(nd.abs, S_IFREG);
		{
			struct kstat cst;
			if (f->ops->fstat && !f->ops->fstat(f, &cst) && S_ISREG(cst.mode))
				lease_file_opened(f, cst.dev, cst.ino);
		}
		goto done;
	}
	if (creat && (flags & O_EXCL)) {
		err = -EEXIST;
		goto out;
	}
	if ((flags & O_DIRECTORY) && S_ISLNK(nd.st.mode)) {
		err = -ENOTDIR;   /* O_DIRECTORY | O_NOFOLLOW on a symlink */
		goto out;
	}
	if (S_ISLNK(nd.st.mode) && !(flags & O_PATH)) {
		err = -ELOOP;
		goto out;
	}
	if ((flags & O_DIRECTORY) && !S_ISDIR(nd.st.mode)) {
		err = -ENOTDIR;
		goto out;
	}
	if (flags & O_PATH) {
		struct opath_priv *p = calloc(1, sizeof(*p));

		f = p ? file_alloc(&opath_file_ops, flags, nd.abs) : NULL;
		if (!f) {
			free(p);
			err = -ENOMEM;
			goto out;
		}
		p->st = nd.st;
		f->priv = p;
		fs_quiet_open = true;
		bool pinned = S_ISREG(nd.st.mode) && nd.mnt->ops->open &&
			      !nd.mnt->ops->open(nd.mnt, nd.rel, O_RDONLY, 0, &p->pin);
		fs_quiet_open = false;
		if (pinned) {
			char *ap = strdup(nd.abs);

			p->pin->nonotify = true;
			if (ap) {
				free(p->pin->path);
				p->pin->path = ap;
			}
			file_set_mnt(p->pin, nd.mnt);
			p->pin->flags = O_RDONLY | O_LARGEFILE;
		}
		goto done;
	}
	if (S_ISDIR(nd.st.mode) && (acc != O_RDONLY || (flags & O_TRUNC) || creat)) {
		err = -EISDIR;
		goto out;
	}
	/* execve's open asks MAY_EXEC, not MAY_READ (do_open_execat): a
	 * --x file runs though it cannot be read */
	err = vfs_permission(t, &nd.st, exec ? X_OK : (acc == O_RDONLY ? R_OK : acc == O_WRONLY ? W_OK :
					 R_OK | W_OK) | ((flags & O_TRUNC) ? W_OK : 0));
	if (!err)
		err = inode_may_open(nd.mnt, nd.rel, &nd.st, flags);   /* immutable, append-only */
	if (err)
		goto out;
	if ((acc != O_RDONLY || (flags & O_TRUNC)) && (err = mnt_want_write(nd.mnt)))
		goto out;
	/* a device node on a nodev mount (Linux's may_open) */
	if ((S_ISCHR(nd.st.mode) || S_ISBLK(nd.st.mode)) && (nd.mnt->mflags & MS_NODEV_)) {
		err = -EACCES;
		goto out;
	}
	/* O_NOATIME: the owner's or CAP_FOWNER's only (may_open) */
	if ((flags & O_NOATIME) && nd.st.uid != t->cred.fsuid && !capable(t, CAP_FOWNER)) {
		err = -EPERM;
		goto out;
	}
	if (!nd.mnt->ops->open) {
		err = -EACCES;
		goto out;
	}
	/* a running executable is not opened for writing (get_write_access) */
	if (S_ISREG(nd.st.mode) && (acc != O_RDONLY || (flags & O_TRUNC)) &&
	    (err = inode_write_denied(nd.st.dev, nd.st.ino)))
		goto out;
	/* Landlock: the open's rights, and TRUNCATE for O_TRUNC */
	if ((err = landlock_file_open(t, &nd, nd.st.mode, flags, false, &lldenied)))
		goto out;
	if ((flags & O_TRUNC) && S_ISREG(nd.st.mode) && (err = landlock_path_truncate(t, &nd)))
		goto out;
	/* leases are broken before the open goes on (Linux's do_dentry_open) */
	if (S_ISREG(nd.st.mode) && (err = break_lease(t, nd.st.dev, nd.st.ino, flags)))
		goto out;
	err = nd.mnt->ops->open(nd.mnt, nd.rel, flags & ~(O_CREAT | O_EXCL), 0, &f);
	if (err)
		goto out;
	f->landlock_denied = lldenied;
	if (S_ISREG(nd.st.mode))
		lease_file_opened(f, nd.st.dev, nd.st.ino);
	if (S_ISBLK(nd.st.mode))
		blkdev_file_node(f, &nd.st);   /* blkdev.h: fstat shows the node */
	truncated = (flags & O_TRUNC) && S_ISREG(nd.st.mode);
done:
	if (!nd.magic) {
		char *p = strdup(nd.abs);

		if (p) {
			free(f->path);
			f->path = p;
		}
		file_set_mnt(f, nd.mnt);
		f->flags = (flags & KEPT_FLAGS) | O_LARGEFILE;
	}
	/* pre-content watchers now: its reads, writes and maps ask them
	 * (file_set_fsnotify_mode) */
	f->fsnotify_hsm = fanotify_nr_marks && fanotify_hsm_watched(f);
	/* fanotify's permission events (do_dentry_open's fsnotify_open_perm):
	 * a denied open never happened, so makes no close event */
	if ((err = fsnotify_open_perm(f, exec))) {
		if (f->refs == 1)
			f->nonotify = true;
		file_put(f);
		goto out;
	}
	fsnotify_file(f, IN_OPEN_ | (exec ? 0x1000u /* FAN_OPEN_EXEC */ : 0));
	if (truncated)
		fsnotify_file(f, IN_MODIFY_);   /* handle_truncate, after the open */
	*out = f;
out:
	nd_release(&nd);
	return err;
}

/* kstat_to_stat - the guest's struct stat from a kstat. */
void kstat_to_stat(const struct kstat *k, struct linux_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = k->dev;
	st->st_ino = k->ino;
	st->st_nlink = k->nlink;
	st->st_mode = k->mode;
	/* owners as the caller's user namespace sees them */
	st->st_uid = current ? from_kuid_munged(current->user_ns, k->uid) : k->uid;
	st->st_gid = current ? from_kgid_munged(current->user_ns, k->gid) : k->gid;
	st->st_rdev = k->rdev;
	st->st_size = k->size;
	st->st_blksize = k->blksize ? k->blksize : 4096;
	st->st_blocks = k->blocks;
	st->st_atim = k->atime;
	st->st_mtim = k->mtime;
	st->st_ctim = k->ctime;
}

uint8_t mode_to_dtype(uint32_t mode)
{
	return (mode & S_IFMT) >> 12;   /* DT_* are S_IFMT >> 12 */
}

int dents_add(struct dir_entry **ents, size_t *n, size_t *cap, uint64_t ino, uint8_t type,
	      const char *name)
{
	struct dir_entry *e;

	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;

		e = realloc(*ents, nc * sizeof(*e));
		if (!e)
			return -ENOMEM;
		*ents = e;
		*cap = nc;
	}
	e = &(*ents)[(*n)++];
	e->ino = ino;
	e->type = type;
	snprintf(e->name, sizeof(e->name), "%s", name);
	return 0;
}

/*
 * file_getdents - snapshots directory f into f->dents (once per rewind):
 * ".", ".." and the filesystem's entries.  -ENOTDIR if f is no directory.
 */
int file_getdents(struct file *f)
{
	struct dir_entry *fs = NULL, *all = NULL;
	size_t nfs = 0, n = 0, cap = 0, i;
	struct kstat st, pst;
	int err;

	if (f->dents)
		return 0;
	if (!f->ops->readdir)
		return -ENOTDIR;
	err = f->ops->readdir(f, &fs, &nfs);
	if (err)
		return err;
	if (!(nfs && !strcmp(fs[0].name, "."))) {
		struct mount *m;
		const char *rel;
		char parent[4096], buf[PATH_MAX], *s;

		memset(&st, 0, sizeof(st));
		if (f->ops->fstat)
			f->ops->fstat(f, &st);
		pst = st;
		snprintf(parent, sizeof(parent), "%s", f->path);
		s = strrchr(parent, '/');
		if (s && s != parent) {
			*s = 0;
			if (lookup_abs(file_mnt_ns(f), parent, &m, &rel, buf, &pst))
				pst = st;
		}
		if (dents_add(&all, &n, &cap, st.ino, DT_DIR, ".") ||
		    dents_add(&all, &n, &cap, pst.ino, DT_DIR, ".."))
			goto nomem;
	}
	for (i = 0; i < nfs; i++)
		if (dents_add(&all, &n, &cap, fs[i].ino, fs[i].type, fs[i].name))
			goto nomem;
	free(fs);
	if (!all)
		all = calloc(1, sizeof(*all));   /* empty but present */
	f->dents = all;
	f->ndents = n;
	return 0;
nomem:
	free(fs);
	free(all);
	return -ENOMEM;
}

/* ---- names that follow a rename ---- */

/* The name path would have if what was at old were at new_ (old itself
 * or below it), malloc'd; NULL if path is elsewhere. */
static char *renamed(const char *path, const char *old, const char *new_)
{
	size_t ol = strlen(old);
	char *r;

	if (!path || strncmp(path, old, ol) || (path[ol] && path[ol] != '/'))
		return NULL;
	return asprintf(&r, "%s%s", new_, path + ol) < 0 ? NULL : r;
}

static int ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

/* Appends p to a growing array of pointers. */
static void ptrs_add(void ***v, size_t *n, size_t *cap, void *p)
{
	if (!p)
		return;
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		void **nv = realloc(*v, nc * sizeof(*nv));

		if (!nv)
			return;
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = p;
}

/* Gives path (a malloc'd string) its name after the rename, if it moved. */
static void rename_one(char **path, const char *old, const char *new_, bool exchange)
{
	char *r = renamed(*path, old, new_);

	if (!r && exchange)
		r = renamed(*path, new_, old);
	if (r) {
		free(*path);
		*path = r;
	}
}

/*
 * vfs_rename_names - after old was renamed to new_ (absolute paths; with
 * exchange, swapped), every open file, mapping and working or root
 * directory at or below it takes the new name, as in Linux a file and a
 * cwd follow their dentry: /proc/PID/fd, getcwd, fchdir and inotify's
 * names stay right.
 */
void vfs_rename_names(const char *old, const char *new_, bool exchange)
{
	void **files = NULL, **fss = NULL;
	size_t nf = 0, cf = 0, ns = 0, cs = 0, i;
	struct list_head *p, *n;

	list_for_each_safe(p, n, &all_tasks) {
		struct task *t = list_entry(p, struct task, all);

		if (t->files)
			for (int fd = 0; fd < t->files->nfds; fd++)
				ptrs_add(&files, &nf, &cf, t->files->files[fd]);
		if (t->mm)
			for_each_vma(t->mm, v)
				ptrs_add(&files, &nf, &cf, v->file);
		ptrs_add(&fss, &ns, &cs, t->fs);
	}
	/* each file and fs_struct once, shared as they may be */
	if (nf)   /* qsort of NULL, 0 is undefined */
		qsort(files, nf, sizeof(*files), ptr_cmp);
	for (i = 0; i < nf; i++)
		if (!i || files[i] != files[i - 1])
			rename_one(&((struct file *)files[i])->path, old, new_, exchange);
	if (ns)
		qsort(fss, ns, sizeof(*fss), ptr_cmp);
	for (i = 0; i < ns; i++)
		if (!i || fss[i] != fss[i - 1]) {
			rename_one(&((struct fs_struct *)fss[i])->cwd, old, new_, exchange);
			rename_one(&((struct fs_struct *)fss[i])->root, old, new_, exchange);
		}
	free(files);
	free(fss);
}

/*
 * fsize_limit - RLIMIT_FSIZE for a change of a regular file that reaches
 * byte end (a write ending there, or a truncate to it): 0 within the
 * limit, else SIGXFSZ to t and -EFBIG (Linux's generic_write_check_limits
 * and inode_newsize_ok).  For a write from pos, *n (if given) is cut to
 * what fits when some of it does: then 0.
 */
int fsize_limit(struct task *t, int64_t pos, size_t *n)
{
	uint64_t lim = t && t->tg ? t->tg->rlim[1 /* RLIMIT_FSIZE */].rlim_cur : LINUX_RLIM_INFINITY;
	if (lim == LINUX_RLIM_INFINITY)
		return 0;
	if (pos < 0 || (uint64_t)pos >= lim) {
		if (!n && (uint64_t)pos <= lim)
			return 0;   /* a truncate to exactly the limit */
		send_signal(t, SIGXFSZ, NULL, false);
		return -EFBIG;
	}
	if (n && *n > lim - (uint64_t)pos)
		*n = lim - (uint64_t)pos;
	return 0;
}
