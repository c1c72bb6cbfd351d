/*
 * hostfs.c - a host directory as a guest filesystem, confined, either
 * read-write (--rw) or as the read-only lower layer of an in-memory
 * overlay (the default).
 *
 * Confinement: the host directory is opened once (O_PATH) and every host
 * access goes through openat2() relative to it with RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS, then
 * *at(fd, "", AT_EMPTY_PATH) or parent-fd + final-name calls that do not
 * follow symlinks.  The VFS has already expanded every symlink itself, so
 * the host never follows one; no "..", symlink or hard link reaches out.
 * Host device nodes are never opened (EACCES); sockets likewise.  Host
 * fifos are served by pipe.c, keyed by inode.  Files are reopened from
 * their O_PATH fd through /proc/self/fd, so what is opened is exactly
 * what was checked.
 *
 * Ownership: the host user maps to guest root (uid/gid 0).  In --rw mode
 * the guest ownership and modes the host cannot store are kept in xattrs
 * user.umk.uid, user.umk.gid and user.umk.mode, applied by lookup/fstat.
 *
 * Overlay: the host directory is never modified.  Changes go to an upper
 * tree of tmpfs nodes (tmpfs.h): lookups try upper first (a whiteout hides
 * the lower entry, an opaque directory all of the lower one), anything
 * that changes a lower file copies it up first (content into a memfd,
 * parents as merged directories with the lower's metadata and inode
 * number), unlink/rmdir of a lower entry leaves a whiteout, readdir merges
 * both layers, and renaming a directory that has lower content fails with
 * EXDEV as overlayfs without redirect_dir does.
 *
 * Locking: everything here runs under klock.
 */
#include "../kernel.h"
#include "fs.h"
#include "tmpfs.h"
#include "posix_acl.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#define OVERLAYFS_SUPER_MAGIC 0x794c7630

struct hostfifo {
	struct hostfifo *next;
	uint64_t ino;
	void *slot;
};

/* A cached lstat of the lower layer: its result, or the errno. */
struct lcache_ent {
	struct lcache_ent *next;
	int err;
	struct kstat st;
	char rel[];
};
#define LCACHE_BUCKETS 4096
#define LCACHE_MAX 32768
#define LOBJ_BUCKETS 256

struct hostfs {
	int rootfd;                 /* O_PATH of the host directory */
	bool overlay;
	/* overlay: lstat results of the lower layer, which umk never
	 * changes (every write goes to the upper layer); as gVisor's
	 * default exclusive file access, it assumes nobody else changes
	 * the host directory while the guest runs */
	struct lcache_ent **lcache;
	size_t lcache_n;
	struct tnode *upper;        /* overlay: root of the upper tree */
	struct hostfifo *fifos;     /* host fifos in use by guests */
	/* overlay: the objects of lower files open read-only (struct lobj) */
	struct lobj *lobjs[LOBJ_BUCKETS];
};

static uid_t host_uid;
static gid_t host_gid;

static struct hostfs *H(struct mount *m)
{
	return m->priv;
}

/* ---- confined host access ---- */

static int h_open(struct hostfs *h, const char *rel, int flags)
{
	struct open_how how = {
		.flags = flags | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV |
			   RESOLVE_NO_SYMLINKS,
	};
	long fd;

	if (flags & O_CREAT)
		how.mode = 0600;
	fd = syscall(SYS_openat2, h->rootfd, *rel ? rel : ".", &how, sizeof(how));
	return fd < 0 ? -errno : (int)fd;
}

/* O_PATH fd of rel itself (a final symlink not followed). */
static int h_path(struct hostfs *h, const char *rel)
{
	return h_open(h, rel, O_PATH | O_NOFOLLOW);
}

/* O_PATH fd of rel's parent directory; *name = last component. */
static int h_parent(struct hostfs *h, const char *rel, const char **name)
{
	const char *slash = strrchr(rel, '/');
	char *dir;
	int fd;

	if (!*rel)
		return -EBUSY;
	if (!slash) {
		*name = rel;
		return h_open(h, "", O_PATH | O_DIRECTORY);
	}
	dir = strndup(rel, slash - rel);
	if (!dir)
		return -ENOMEM;
	fd = h_open(h, dir, O_PATH | O_DIRECTORY);
	free(dir);
	*name = slash + 1;
	return fd;
}

static void proc_fd_path(char *buf, size_t len, int fd)
{
	snprintf(buf, len, "/proc/self/fd/%d", fd);
}

/* Applies the uid mapping and user.umk.* xattrs to a host stat of fd. */
static void h_fix_stat(int fd, struct kstat *st, uint64_t dev)
{
	char p[64], list[256], v[32];
	ssize_t n;

	st->dev = dev;
	if (st->uid == host_uid)
		st->uid = 0;
	if (st->gid == host_gid)
		st->gid = 0;
	if (!S_ISREG(st->mode) && !S_ISDIR(st->mode))
		return;
	proc_fd_path(p, sizeof(p), fd);
	n = listxattr(p, list, sizeof(list));
	if (n > 0 && memmem(list, n, XATTR_NAME_ACL_ACCESS, sizeof(XATTR_NAME_ACL_ACCESS))) {
		/* the host file's own access ACL (POSIX ACLs, posix_acl.c) */
		ssize_t an = getxattr(p, XATTR_NAME_ACL_ACCESS, NULL, 0);
		void *acl = an > 0 && an <= 65536 ? malloc((size_t)an) : NULL;

		if (acl)
			posix_acl_stat(st, acl, getxattr(p, XATTR_NAME_ACL_ACCESS, acl, (size_t)an));
		free(acl);
	}
	if (n <= 0 || !memmem(list, n, "user.umk.", 9))
		return;
	if ((n = getxattr(p, "user.umk.uid", v, sizeof(v) - 1)) > 0) {
		v[n] = 0;
		st->uid = strtoul(v, NULL, 10);
	}
	if ((n = getxattr(p, "user.umk.gid", v, sizeof(v) - 1)) > 0) {
		v[n] = 0;
		st->gid = strtoul(v, NULL, 10);
	}
	if ((n = getxattr(p, "user.umk.mode", v, sizeof(v) - 1)) > 0) {
		v[n] = 0;
		st->mode = (st->mode & S_IFMT) | (strtoul(v, NULL, 8) & 07777);
	}
}

static int h_fdstat(int fd, struct kstat *st, uint64_t dev)
{
	struct stat hs;

	if (fstat(fd, &hs) < 0)
		return -errno;
	host_stat_to_kstat(&hs, st);
	h_fix_stat(fd, st, dev);
	return 0;
}

static int h_lstat_host(struct hostfs *h, const char *rel, struct kstat *st, uint64_t dev)
{
	int fd = h_path(h, rel), err;

	if (fd < 0)
		return fd == -ELOOP ? -ENOENT : fd;
	err = h_fdstat(fd, st, dev);
	close(fd);
	return err;
}

static uint32_t lcache_hash(const char *s)
{
	uint32_t x = 2166136261u;
	while (*s)
		x = (x ^ (unsigned char)*s++) * 16777619u;
	return x % LCACHE_BUCKETS;
}

static void lcache_clear(struct hostfs *h)
{
	for (size_t i = 0; h->lcache && i < LCACHE_BUCKETS; i++) {
		while (h->lcache[i]) {
			struct lcache_ent *e = h->lcache[i];
			h->lcache[i] = e->next;
			free(e);
		}
	}
	h->lcache_n = 0;
}

/* lstat of rel in the host directory: 0 with *st, -ENOENT, -ENOTDIR,
 * -EACCES...  Cached for the (never written) lower layer of an overlay;
 * callers hold klock. */
static int h_lstat(struct hostfs *h, const char *rel, struct kstat *st, uint64_t dev)
{
	if (!h->overlay)
		return h_lstat_host(h, rel, st, dev);
	if (!h->lcache && !(h->lcache = calloc(LCACHE_BUCKETS, sizeof *h->lcache)))
		return h_lstat_host(h, rel, st, dev);
	uint32_t b = lcache_hash(rel);
	for (struct lcache_ent *e = h->lcache[b]; e; e = e->next) {
		if (!strcmp(e->rel, rel)) {
			if (!e->err) {
				*st = e->st;
				st->dev = dev;
			}
			return e->err;
		}
	}
	int err = h_lstat_host(h, rel, st, dev);
	if (err && err != -ENOENT && err != -ENOTDIR)
		return err; /* not a stable answer (EMFILE, ENOMEM...) */
	if (h->lcache_n >= LCACHE_MAX)
		lcache_clear(h);
	size_t len = strlen(rel);
	struct lcache_ent *e = malloc(sizeof *e + len + 1);
	if (e) {
		e->err = err;
		if (!err)
			e->st = *st;
		memcpy(e->rel, rel, len + 1);
		e->next = h->lcache[b];
		h->lcache[b] = e;
		h->lcache_n++;
	}
	return err;
}

static int h_readlink(struct hostfs *h, const char *rel, char *buf, size_t len)
{
	int fd = h_path(h, rel);
	ssize_t n;

	if (fd < 0)
		return fd;
	n = readlinkat(fd, "", buf, len);
	if (n < 0)
		n = errno == ENOENT ? -EINVAL : -errno;
	close(fd);
	return n;
}

/*
 * Opens rel for I/O with flags, only if it is a regular file or a
 * directory: O_PATH first, check, then reopen that very inode.
 */
static int h_open_checked(struct hostfs *h, const char *rel, int flags, struct stat *hs)
{
	char p[64];
	int pfd = h_path(h, rel), fd;

	if (pfd < 0)
		return pfd;
	if (fstat(pfd, hs) < 0) {
		fd = -errno;
		goto out;
	}
	if (!S_ISREG(hs->st_mode) && !S_ISDIR(hs->st_mode)) {
		fd = S_ISLNK(hs->st_mode) ? -ELOOP : -EACCES;
		goto out;
	}
	proc_fd_path(p, sizeof(p), pfd);
	fd = host_fd_admit(open(p, (flags & (O_ACCMODE | O_TRUNC | O_DIRECTORY | O_NOATIME)) |
				O_CLOEXEC | O_NOCTTY));
out:
	close(pfd);
	return fd;
}

/* Stores what the host could not (--rw): ownership and mode as xattrs. */
static void h_set_owner(int fd, uint32_t uid, uint32_t gid, bool isdir)
{
	char p[64], v[32];
	uid_t hu = uid == 0 ? host_uid : uid;
	gid_t hg = gid == 0 ? host_gid : gid;

	if (fchownat(fd, "", hu, hg, AT_EMPTY_PATH) == 0)
		return;
	(void)isdir;
	proc_fd_path(p, sizeof(p), fd);
	snprintf(v, sizeof(v), "%u", uid);
	setxattr(p, "user.umk.uid", v, strlen(v), 0);
	snprintf(v, sizeof(v), "%u", gid);
	setxattr(p, "user.umk.gid", v, strlen(v), 0);
}

static void h_set_mode(int fd, uint32_t mode, bool isdir)
{
	char p[64], v[32];
	uint32_t hmode = mode & 07777;

	proc_fd_path(p, sizeof(p), fd);
	if (host_uid != 0)
		hmode |= isdir ? 0700 : 0600;  /* the kernel must keep access */
	chmod(p, hmode);
	if (hmode != (mode & 07777)) {
		snprintf(v, sizeof(v), "%o", mode & 07777);
		setxattr(p, "user.umk.mode", v, strlen(v), 0);
	} else {
		removexattr(p, "user.umk.mode");
	}
}

/* After creating rel on the host (--rw): owner and mode for the guest. */
static void h_created(struct hostfs *h, const char *rel, uint32_t mode, bool isdir)
{
	int fd = h_path(h, rel);

	if (fd < 0)
		return;
	if (cur_fsuid() != 0 || cur_fsgid() != 0)
		h_set_owner(fd, cur_fsuid(), cur_fsgid(), isdir);
	h_set_mode(fd, mode, isdir);
	close(fd);
}

/* ---- host-backed files ---- */

static int hreg_fstat(struct file *f, struct kstat *st)
{
	return h_fdstat(f->hostfd, st, f->mnt ? f->mnt->dev : 0);
}

static void hfile_release(struct file *f)
{
	if (f->hostfd >= 0)
		close(f->hostfd);
	f->hostfd = -1;
	f->priv = NULL;
}

static int hreg_host_fd(struct file *f)
{
	return f->hostfd;
}

static int hreg_truncate(struct file *f, uint64_t len)
{
	return ftruncate(f->hostfd, len) < 0 ? -errno : 0;
}

static int hfile_fsync(struct file *f)
{
	(void)f;
	return 0;
}

static short hreg_poll(struct file *f, struct poll_table *pt)
{
	(void)f, (void)pt;
	return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

static int h_setattr_fd(int fd, int what, uint32_t mode, uint32_t uid, uint32_t gid,
			const struct linux_timespec *ts);

static int hreg_setattr(struct file *f, int what, uint32_t mode, uint32_t uid, uint32_t gid,
			const struct linux_timespec *ts)
{
	return h_setattr_fd(f->hostfd, what, mode, uid, gid, ts);
}

static const struct file_ops hostfs_reg_ops = {
	.read = hostfd_read,
	.write = hostfd_write,
	.fstat = hreg_fstat,
	.poll = hreg_poll,
	.truncate = hreg_truncate,
	.fsync = hfile_fsync,
	.setattr = hreg_setattr,
	.host_fd = hreg_host_fd,
	.release = hfile_release,
	.seekable = true,
};

/* Lists host directory fd (a readable fd) into ents, minus . and .. */
static int h_readdir_fd(int dirfd, struct dir_entry **ents, size_t *n, size_t *cap)
{
	char buf[8192];
	long r;

	lseek(dirfd, 0, SEEK_SET);
	while ((r = syscall(SYS_getdents64, dirfd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < r;) {
			struct linux_dirent64 *d = (void *)(buf + off);

			off += d->d_reclen;
			if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
				continue;
			if (dents_add(ents, n, cap, d->d_ino, d->d_type, d->d_name))
				return -ENOMEM;
		}
	}
	return r < 0 ? -errno : 0;
}

static ssize_t hdir_rw(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	(void)t, (void)f, (void)buf, (void)n, (void)pos;
	return -EISDIR;
}

static ssize_t hdir_write(struct task *t, struct file *f, const void *buf, size_t n, int64_t *pos)
{
	(void)t, (void)f, (void)buf, (void)n, (void)pos;
	return -EISDIR;
}

static int hdir_readdir(struct file *f, struct dir_entry **ents, size_t *n)
{
	size_t cap = 0;
	int err;

	*ents = NULL;
	*n = 0;
	err = h_readdir_fd(f->hostfd, ents, n, &cap);
	if (err) {
		free(*ents);
		*ents = NULL;
	}
	return err;
}

static int hdir_host_fd(struct file *f)
{
	(void)f;
	return -ENODEV;
}

static const struct file_ops hostfs_dir_ops = {
	.read = hdir_rw,
	.write = hdir_write,
	.fstat = hreg_fstat,
	.readdir = hdir_readdir,
	.fsync = hfile_fsync,
	.setattr = hreg_setattr,
	.host_fd = hdir_host_fd,
	.release = hfile_release,
	.seekable = true,
};

static void **h_fifo_slot(struct hostfs *h, uint64_t ino)
{
	struct hostfifo *ff;

	for (ff = h->fifos; ff; ff = ff->next)
		if (ff->ino == ino)
			return &ff->slot;
	ff = calloc(1, sizeof(*ff));
	if (!ff)
		return NULL;
	ff->ino = ino;
	ff->next = h->fifos;
	h->fifos = ff;
	return &ff->slot;
}

/* Opens a lower/host object rel (already known to exist) for reading. */
static int h_open_file(struct mount *m, const char *rel, int flags, struct file **out)
{
	struct hostfs *h = H(m);
	struct kstat st;
	struct stat hs;
	struct file *f;
	int fd, err;

	err = h_lstat(h, rel, &st, m->dev);
	if (err)
		return err;
	if (S_ISFIFO(st.mode)) {
		void **slot = h_fifo_slot(h, st.ino);
		char *path = path_join(m->path, rel);

		err = slot && path ? fifo_open(current, slot, flags, path, out) : -ENOMEM;
		free(path);
		return err;
	}
	if (S_ISLNK(st.mode))
		return -ELOOP;
	if (S_ISCHR(st.mode) || S_ISBLK(st.mode))
		return devfs_open_rdev(st.mode, st.rdev, flags, rel, out);   /* never a host device */
	if (!S_ISREG(st.mode) && !S_ISDIR(st.mode))
		return S_ISSOCK(st.mode) ? -ENXIO : -EACCES;   /* never a host device */
	fd = h_open_checked(h, rel, S_ISDIR(st.mode) ? O_RDONLY | O_DIRECTORY : flags, &hs);
	if (fd < 0)
		return fd;
	f = file_alloc(S_ISDIR(st.mode) ? &hostfs_dir_ops : &hostfs_reg_ops, flags, rel);
	if (!f) {
		close(fd);
		return -ENOMEM;
	}
	f->hostfd = fd;
	f->mnt = m;
	*out = f;
	return 0;
}

static int h_setattr_fd(int fd, int what, uint32_t mode, uint32_t uid, uint32_t gid,
			const struct linux_timespec *ts)
{
	struct stat hs;
	char p[64];

	if (fstat(fd, &hs) < 0)
		return -errno;
	proc_fd_path(p, sizeof(p), fd);
	if (what & ATTR_OWNER) {
		struct kstat st;

		host_stat_to_kstat(&hs, &st);
		h_fix_stat(fd, &st, 0);
		h_set_owner(fd, uid == (uint32_t)-1 ? st.uid : uid,
			    gid == (uint32_t)-1 ? st.gid : gid, S_ISDIR(hs.st_mode));
	}
	if (what & ATTR_MODE) {
		if (S_ISLNK(hs.st_mode))
			return -EOPNOTSUPP;
		h_set_mode(fd, mode, S_ISDIR(hs.st_mode));
	}
	if ((what & ATTR_TIMES) && ts) {
		struct timespec hts[2] = {
			{ ts[0].tv_sec, ts[0].tv_nsec }, { ts[1].tv_sec, ts[1].tv_nsec },
		};

		if (S_ISLNK(hs.st_mode))
			return 0;
		if (utimensat(AT_FDCWD, p, hts, 0) < 0)
			return -errno;
	}
	return 0;
}

/* ---- --rw mode: the host directory itself ---- */

static int rw_lookup(struct mount *m, const char *rel, struct kstat *st)
{
	return h_lstat(H(m), rel, st, m->dev);
}

static int rw_readlink(struct mount *m, const char *rel, char *buf, size_t len)
{
	return h_readlink(H(m), rel, buf, len);
}

static int rw_open(struct mount *m, const char *rel, int flags, uint32_t mode, struct file **out)
{
	struct hostfs *h = H(m);
	const char *name;
	int pfd, fd;

	if (flags & O_CREAT) {
		pfd = h_parent(h, rel, &name);
		if (pfd < 0)
			return pfd;
		/* reopen the parent for real: O_PATH fds cannot create */
		{
			char p[64];
			int dfd;

			proc_fd_path(p, sizeof(p), pfd);
			dfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			close(pfd);
			if (dfd < 0)
				return -errno;
			fd = openat(dfd, name, O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_WRONLY,
				    0600);
			close(dfd);
		}
		if (fd < 0 && errno != EEXIST)
			return -errno;
		if (fd >= 0) {
			close(fd);
			h_created(h, rel, mode, false);
		}
	}
	return h_open_file(m, rel, flags, out);
}

static int rw_mkdir(struct mount *m, const char *rel, uint32_t mode)
{
	const char *name;
	int pfd = h_parent(H(m), rel, &name), err = 0;

	if (pfd < 0)
		return pfd == -EBUSY ? -EEXIST : pfd;
	if (mkdirat(pfd, name, 0700) < 0)
		err = -errno;
	close(pfd);
	if (!err)
		h_created(H(m), rel, mode, true);
	return err;
}

static int rw_mknod(struct mount *m, const char *rel, uint32_t mode, uint64_t dev)
{
	const char *name;
	int pfd, err = 0;

	(void)dev;
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return -EPERM;          /* never a host device node */
	if ((mode & S_IFMT) == 0)
		mode |= S_IFREG;
	pfd = h_parent(H(m), rel, &name);
	if (pfd < 0)
		return pfd == -EBUSY ? -EEXIST : pfd;
	if (mknodat(pfd, name, (mode & S_IFMT) | 0600, 0) < 0)
		err = -errno;
	close(pfd);
	if (!err)
		h_created(H(m), rel, mode, false);
	return err;
}

/* O_TMPFILE in a host directory: the host's own unnamed file. */
static int rw_tmpfile(struct mount *m, const char *dir, int flags, uint32_t mode,
		      struct file **out)
{
	struct stat hs;
	struct file *f;
	char p[64];
	int dfd, fd, pfd = h_open(H(m), dir, O_PATH | O_DIRECTORY);

	if (pfd < 0)
		return pfd;
	proc_fd_path(p, sizeof(p), pfd);
	dfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(pfd);
	if (dfd < 0)
		return -errno;
	fd = host_fd_admit(openat(dfd, ".", (flags & (O_ACCMODE | O_EXCL)) | O_TMPFILE | O_CLOEXEC, 0600));
	close(dfd);
	if (fd < 0)
		return fd;
	if (fstat(fd, &hs) < 0 || !S_ISREG(hs.st_mode)) {
		close(fd);
		return -EIO;
	}
	if (cur_fsuid() != 0 || cur_fsgid() != 0)
		h_set_owner(fd, cur_fsuid(), cur_fsgid(), false);
	h_set_mode(fd, mode, false);
	f = file_alloc(&hostfs_reg_ops, flags, "");
	if (!f) {
		close(fd);
		return -ENOMEM;
	}
	f->hostfd = fd;
	f->mnt = m;
	*out = f;
	return 0;
}

/* linkat(AT_EMPTY_PATH) of a host file: through its /proc/self/fd link,
 * which the host allows for an O_TMPFILE file without O_EXCL. */
static int rw_linkfile(struct mount *m, struct file *f, const char *new_)
{
	const char *name;
	char p[64];
	int nfd, err = 0;

	if (f->ops != &hostfs_reg_ops || f->hostfd < 0)
		return -EOPNOTSUPP;
	nfd = h_parent(H(m), new_, &name);
	if (nfd < 0)
		return nfd == -EBUSY ? -EEXIST : nfd;
	proc_fd_path(p, sizeof(p), f->hostfd);
	if (linkat(AT_FDCWD, p, nfd, name, AT_SYMLINK_FOLLOW) < 0)
		err = -errno;
	close(nfd);
	return err;
}

static int rw_rm(struct mount *m, const char *rel, int flags)
{
	const char *name;
	int pfd = h_parent(H(m), rel, &name), err = 0;

	if (pfd < 0)
		return pfd;
	if (unlinkat(pfd, name, flags) < 0)
		err = errno == EEXIST ? -ENOTEMPTY : -errno;
	close(pfd);
	return err;
}

static int rw_rmdir(struct mount *m, const char *rel)
{
	return rw_rm(m, rel, AT_REMOVEDIR);
}

static int rw_unlink(struct mount *m, const char *rel)
{
	return rw_rm(m, rel, 0);
}

static int rw_symlink(struct mount *m, const char *target, const char *rel)
{
	const char *name;
	int pfd = h_parent(H(m), rel, &name), err = 0;

	if (pfd < 0)
		return pfd == -EBUSY ? -EEXIST : pfd;
	if (symlinkat(target, pfd, name) < 0)
		err = -errno;
	close(pfd);
	return err;
}

static int rw_link(struct mount *m, const char *old, const char *new_)
{
	const char *oname, *nname;
	int ofd, nfd, err = 0;

	ofd = h_parent(H(m), old, &oname);
	if (ofd < 0)
		return ofd;
	nfd = h_parent(H(m), new_, &nname);
	if (nfd < 0) {
		close(ofd);
		return nfd;
	}
	if (linkat(ofd, oname, nfd, nname, 0) < 0)
		err = -errno;
	close(ofd);
	close(nfd);
	return err;
}

static int rw_rename(struct mount *m, const char *old, const char *new_, unsigned flags)
{
	const char *oname, *nname;
	int ofd, nfd, err = 0;

	ofd = h_parent(H(m), old, &oname);
	if (ofd < 0)
		return ofd == -EBUSY ? -EBUSY : ofd;
	nfd = h_parent(H(m), new_, &nname);
	if (nfd < 0) {
		close(ofd);
		return nfd;
	}
	if (syscall(SYS_renameat2, ofd, oname, nfd, nname, flags) < 0)
		err = errno == EEXIST && !(flags & RENAME_NOREPLACE) ? -ENOTEMPTY : -errno;
	close(ofd);
	close(nfd);
	return err;
}

static int rw_setattr(struct mount *m, const char *rel, int what, uint32_t mode, uint32_t uid,
		      uint32_t gid, const struct linux_timespec *ts)
{
	int fd = h_path(H(m), rel), err;

	if (fd < 0)
		return fd;
	err = h_setattr_fd(fd, what, mode, uid, gid, ts);
	close(fd);
	return err;
}

static int rw_truncate(struct mount *m, const char *rel, uint64_t len)
{
	struct stat hs;
	int fd = h_open_checked(H(m), rel, O_WRONLY, &hs), err = 0;

	if (fd < 0)
		return fd == -EISDIR ? -EISDIR : fd;
	if (ftruncate(fd, len) < 0)
		err = -errno;
	close(fd);
	return err;
}

static int h_statfs(struct mount *m, struct linux_statfs *st)
{
	struct statfs hs;

	if (fstatfs(H(m)->rootfd, &hs) < 0)
		return -errno;
	memset(st, 0, sizeof(*st));
	st->f_type = H(m)->overlay ? OVERLAYFS_SUPER_MAGIC : (int64_t)hs.f_type;
	st->f_bsize = hs.f_bsize;
	st->f_blocks = hs.f_blocks;
	st->f_bfree = hs.f_bfree;
	st->f_bavail = hs.f_bavail;
	if (H(m)->overlay && H(m)->upper->acct) {
		/* an overlay's room is its upper layer's (--tmpfs-size) */
		struct tmpfs_acct *a = H(m)->upper->acct;
		st->f_bsize = 4096;
		st->f_blocks = a->limit / 4096;
		st->f_bfree = st->f_bavail = a->limit > a->used ? (a->limit - a->used) / 4096 : 0;
	}
	st->f_files = hs.f_files;
	st->f_ffree = hs.f_ffree;
	st->f_fsid[0] = (int32_t)m->dev;
	st->f_namelen = hs.f_namelen;
	st->f_frsize = hs.f_frsize;
	st->f_flags = H(m)->overlay ? 0 : hs.f_flags;
	return 0;
}

static ssize_t h_getxattr(struct hostfs *h, const char *rel, const char *name, void *buf, size_t n)
{
	char p[64];
	int fd = h_path(h, rel);
	ssize_t r;

	if (fd < 0)
		return fd;
	proc_fd_path(p, sizeof(p), fd);
	r = getxattr(p, name, buf, n);
	if (r < 0)
		r = -errno;
	close(fd);
	return r;
}

static ssize_t h_listxattr(struct hostfs *h, const char *rel, char *buf, size_t n)
{
	char p[64];
	int fd = h_path(h, rel);
	ssize_t r;

	if (fd < 0)
		return fd;
	proc_fd_path(p, sizeof(p), fd);
	r = listxattr(p, buf, n);
	if (r < 0)
		r = -errno;
	close(fd);
	return r;
}

static ssize_t rw_getxattr(struct mount *m, const char *rel, const char *name, void *buf, size_t n)
{
	return h_getxattr(H(m), rel, name, buf, n);
}

static int rw_setxattr(struct mount *m, const char *rel, const char *name, const void *v,
		       size_t n, int flags)
{
	char p[64];
	int fd = h_path(H(m), rel), r = 0;

	if (fd < 0)
		return fd;
	proc_fd_path(p, sizeof(p), fd);
	if (setxattr(p, name, v, n, flags) < 0)
		r = -errno;
	close(fd);
	return r;
}

static ssize_t rw_listxattr(struct mount *m, const char *rel, char *buf, size_t n)
{
	return h_listxattr(H(m), rel, buf, n);
}

static int rw_removexattr(struct mount *m, const char *rel, const char *name)
{
	char p[64];
	int fd = h_path(H(m), rel), r = 0;

	if (fd < 0)
		return fd;
	proc_fd_path(p, sizeof(p), fd);
	if (removexattr(p, name) < 0)
		r = -errno;
	close(fd);
	return r;
}

/*
 * Inode flags (chattr +i, +a...) of the guest's files are kept in umk's
 * memory (inode_flags.c's table), never set on the host file, in both
 * modes.  Passing FS_IOC_SETFLAGS through would reach outside the guest's
 * world: an immutable or append-only flag left on a host file outlives
 * the guest and binds every host process, root's rm included, and setting
 * it needs CAP_LINUX_IMMUTABLE on the host, which an unprivileged umk
 * lacks; in the overlay the host file is not even the guest's to change.
 * So the guest sees the flags it set, enforced by umk's VFS, until umk
 * exits, and the host's own flags on its files are not shown.
 */
static const struct fs_ops hostfs_rw_ops = {
	.name = "hostfs",
	.lookup = rw_lookup,
	.readlink = rw_readlink,
	.open = rw_open,
	.mkdir = rw_mkdir,
	.mknod = rw_mknod,
	.rmdir = rw_rmdir,
	.unlink = rw_unlink,
	.symlink = rw_symlink,
	.link = rw_link,
	.rename = rw_rename,
	.setattr = rw_setattr,
	.truncate = rw_truncate,
	.statfs = h_statfs,
	.getxattr = rw_getxattr,
	.setxattr = rw_setxattr,
	.listxattr = rw_listxattr,
	.removexattr = rw_removexattr,
	.tmpfile = rw_tmpfile,
	.linkfile = rw_linkfile,
	.fileattr_get = fileattr_iflags_get,
	.fileattr_set = fileattr_iflags_set,
	.getflags = inode_flags_table_get,
	.setflags = inode_flags_table_set,
};

/* ---- overlay ---- */

enum { OV_UPPER = 1, OV_LOWER };

struct ovres {
	int kind;
	struct tnode *node;         /* OV_UPPER */
	struct kstat st;
};

/*
 * Finds rel in the merged view: upper first (whiteouts hide), then the
 * lower unless an opaque upper directory hides it.  -ENOENT, -ENOTDIR.
 */
static int ovl_find(struct mount *m, const char *rel, struct ovres *res)
{
	struct hostfs *h = H(m);
	struct tnode *dir = h->upper;
	const char *p = rel;
	char name[256];

	memset(res, 0, sizeof(*res));
	for (;;) {
		size_t len;
		struct tdirent *d;

		if (!*p) {
			res->kind = OV_UPPER;
			res->node = dir;
			tnode_stat(dir, &res->st, m->dev);
			return 0;
		}
		len = strcspn(p, "/");
		if (len > 255)
			return -ENAMETOOLONG;
		memcpy(name, p, len);
		name[len] = 0;
		d = tdir_find(dir, name);
		if (d && d->node->whiteout)
			return -ENOENT;
		if (!d)
			break;
		p += len;
		while (*p == '/')
			p++;
		if (*p && !S_ISDIR(d->node->mode))
			return -ENOTDIR;
		if (*p && d->node->opaque) {
			/* only upper below here */
			struct tnode *n;
			int err = tmpfs_resolve(d->node, p, &n);

			if (err)
				return err;
			res->kind = OV_UPPER;
			res->node = n;
			tnode_stat(n, &res->st, m->dev);
			return 0;
		}
		dir = d->node;
	}
	/* the rest is in the lower layer only */
	res->kind = OV_LOWER;
	return h_lstat(h, rel, &res->st, m->dev);
}

/* Whether the lower layer has a visible entry at rel. */
static bool ovl_lower_visible(struct mount *m, const char *rel)
{
	struct hostfs *h = H(m);
	struct tnode *dir = h->upper;
	const char *p = rel;
	char name[256];
	struct kstat st;

	while (dir) {
		size_t len = strcspn(p, "/");
		struct tdirent *d;

		if (!p[len])
			break;          /* p is the last component */
		memcpy(name, p, len);
		name[len] = 0;
		d = tdir_find(dir, name);
		if (!d)
			break;
		if (d->node->whiteout || d->node->opaque || !S_ISDIR(d->node->mode))
			return false;
		dir = d->node;
		p += len + 1;
	}
	return h_lstat(h, rel, &st, 0) == 0;
}

/*
 * Read-only opens of lower files follow their copy-up.  Linux's overlay
 * file stands on a real file it reopens on the upper layer once its
 * object has been copied up (ovl_real_fdget, >= 4.19), so a reader sees
 * what another fd wrote, a chmod, a truncate.  Here a lower regular file
 * opened read-only keeps its host fd and names its object, a struct lobj
 * shared by every open of it: the lower inode, or for a lower file of
 * several links the inode and the name it was opened by (a copy-up
 * through another link breaks the link: Linux's index=off).  A rename
 * copies up first, so the object follows it.  ovl_copy_up gives the
 * object its upper node; each file's next read, fstat or seek opens that
 * node and goes through it from then on.  mmap keeps the lower host fd,
 * as ovl_mmap maps the real file the overlay file opened.
 */
struct lobj {
	struct lobj *next;
	int refs;                   /* lower files open on it */
	uint64_t ino;               /* its lower inode */
	char *rel;                  /* several links: the name opened; else NULL */
	struct tnode *up;           /* referenced once copied up, else NULL */
};

/* The object of lower file st opened by rel, with a new reference. */
static struct lobj *lobj_get(struct hostfs *h, const struct kstat *st, const char *rel)
{
	struct lobj **b = &h->lobjs[st->ino % LOBJ_BUCKETS], *o;
	const char *key = st->nlink > 1 ? rel : NULL;

	for (o = *b; o; o = o->next) {
		if (o->ino == st->ino && !o->up && !o->rel == !key && (!key || !strcmp(o->rel, key))) {
			o->refs++;
			return o;
		}
	}
	o = calloc(1, sizeof(*o));
	if (!o || (key && !(o->rel = strdup(key)))) {
		free(o);
		return NULL;
	}
	o->refs = 1;
	o->ino = st->ino;
	o->next = *b;
	*b = o;
	return o;
}

static void lobj_put(struct hostfs *h, struct lobj *o)
{
	struct lobj **pp;

	if (--o->refs > 0)
		return;
	for (pp = &h->lobjs[o->ino % LOBJ_BUCKETS]; *pp; pp = &(*pp)->next) {
		if (*pp == o) {
			*pp = o->next;
			break;
		}
	}
	tnode_put(o->up);
	free(o->rel);
	free(o);
}

/* Lower file st at rel has been copied up as n: its open files follow. */
static void lobj_copied(struct hostfs *h, const struct kstat *st, const char *rel, struct tnode *n)
{
	const char *key = st->nlink > 1 ? rel : NULL;

	for (struct lobj *o = h->lobjs[st->ino % LOBJ_BUCKETS]; o; o = o->next)
		if (o->ino == st->ino && !o->up && !o->rel == !key && (!key || !strcmp(o->rel, key)))
			o->up = tnode_get(n);
}

/* Copies a lower regular file's content into memfd dst. */
static int copy_content(struct hostfs *h, const char *rel, int dst)
{
	struct stat hs;
	int fd = h_open_checked(h, rel, O_RDONLY, &hs), err = 0;
	char buf[65536];
	ssize_t n;

	if (fd < 0)
		return fd;
	for (;;) {
		n = sendfile(dst, fd, NULL, 1 << 30);
		if (n > 0)
			continue;
		if (n == 0)
			goto out;
		break;          /* fall back to read/write */
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (write(dst, buf, n) != n) {
			err = -EIO;
			goto out;
		}
	}
	if (n < 0)
		err = -errno;
out:
	close(fd);
	return err;
}

/*
 * ovl_copy_up - makes rel (and its parents) exist in the upper tree,
 * copying each missing one up from the lower with its metadata and inode
 * number; returns the upper node (not referenced).
 */
/* A copy-up keeps the host file's POSIX ACLs (overlayfs copies xattrs). */
static void copy_up_acls(struct hostfs *h, const char *rel, struct tnode *n)
{
	static const char *const names[] = { XATTR_NAME_ACL_ACCESS, XATTR_NAME_ACL_DEFAULT };

	for (size_t i = 0; i < 2; i++) {
		ssize_t len = h_getxattr(h, rel, names[i], NULL, 0);
		void *v = len > 0 && len <= 65536 ? malloc((size_t)len) : NULL;

		if (v && (len = h_getxattr(h, rel, names[i], v, (size_t)len)) > 0)
			tnode_xattr_set(n, names[i], v, (size_t)len, 0);
		free(v);
	}
}

static int ovl_copy_up(struct mount *m, const char *rel, struct tnode **out)
{
	struct hostfs *h = H(m);
	struct tnode *dir = h->upper, *n;
	char prefix[4096], name[256];
	const char *p = rel;
	int err;

	while (*p) {
		size_t len = strcspn(p, "/");
		struct tdirent *d;
		struct kstat st;
		struct linux_timespec dm, dc;

		memcpy(name, p, len);
		name[len] = 0;
		snprintf(prefix, sizeof(prefix), "%.*s", (int)(p - rel + len), rel);
		p += len;
		while (*p == '/')
			p++;
		d = tdir_find(dir, name);
		if (d && !d->node->whiteout) {
			dir = d->node;
			continue;
		}
		if (d)
			return -ENOENT;
		err = h_lstat(h, prefix, &st, m->dev);
		if (err)
			return err;
		n = tnode_new(st.mode);
		if (!n)
			return errno == ENFILE ? -ENFILE : -ENOMEM;   /* host-fd budget */
		n->uid = st.uid;
		n->gid = st.gid;
		/* a file of several links copied up breaks the link (index=off),
		 * and shows its upper inode's number, as Linux's overlay does */
		if (S_ISDIR(st.mode) || st.nlink <= 1)
			n->ino = st.ino;
		n->rdev = st.rdev;
		if (S_ISREG(st.mode)) {
			n->acct = h->upper->acct;   /* --tmpfs-size: ENOSPC as a full upper */
			err = tnode_charge(n, st.size);
			if (!err)
				err = copy_content(h, prefix, n->memfd);
		} else if (S_ISLNK(st.mode)) {
			char *tgt = malloc(4096);
			int l = tgt ? h_readlink(h, prefix, tgt, 4095) : -ENOMEM;

			if (l >= 0) {
				tgt[l] = 0;
				n->target = tgt;
				err = 0;
			} else {
				free(tgt);
				err = l;
			}
		} else {
			err = 0;
		}
		if (err) {
			tnode_put(n);
			return err;
		}
		if (!S_ISLNK(st.mode))
			copy_up_acls(h, prefix, n);
		dm = dir->mtime;
		dc = dir->ctime;
		err = tdir_add(dir, name, n);
		dir->mtime = dm;
		dir->ctime = dc;
		n->atime = st.atime;
		n->mtime = st.mtime;
		n->ctime = st.ctime;
		if (S_ISDIR(st.mode))
			n->nlink = st.nlink;
		if (!err && S_ISREG(st.mode))
			lobj_copied(h, &st, prefix, n);
		tnode_put(n);
		if (err)
			return err;
		dir = n;
	}
	*out = dir;
	return 0;
}

/* Copies up rel's parent; *name is rel's last component. */
static int ovl_parent(struct mount *m, const char *rel, struct tnode **dir, const char **name)
{
	const char *slash = strrchr(rel, '/');
	char *parent;
	int err;

	if (!*rel)
		return -EBUSY;
	if (!slash) {
		*dir = H(m)->upper;
		*name = rel;
		return 0;
	}
	parent = strndup(rel, slash - rel);
	if (!parent)
		return -ENOMEM;
	err = ovl_copy_up(m, parent, dir);
	free(parent);
	if (!err && !S_ISDIR((*dir)->mode))
		err = -ENOTDIR;
	*name = slash + 1;
	return err;
}

/* Creates a new upper node at rel (absent in the merged view). */
static int ovl_create(struct mount *m, const char *rel, uint32_t mode, struct tnode **out)
{
	struct tnode *dir, *n;
	struct tdirent *d;
	const char *name;
	struct ovres r;
	int err;

	if (ovl_find(m, rel, &r) == 0)
		return -EEXIST;
	err = ovl_parent(m, rel, &dir, &name);
	if (err)
		return err == -EBUSY ? -EEXIST : err;
	d = tdir_find(dir, name);
	if (d && !d->node->whiteout)
		return -EEXIST;
	if (d)
		tdir_remove(dir, d);
	n = tnode_new(mode);
	if (!n)
		return errno == ENFILE ? -ENFILE : -ENOMEM;   /* host-fd budget */
	if (dir->mode & S_ISGID) {     /* BSD group semantics of setgid dirs */
		n->gid = dir->gid;
		if (S_ISDIR(mode))
			n->mode |= S_ISGID;
	}
	if (S_ISDIR(mode))
		n->opaque = true;       /* nothing of the lower shows through */
	err = tdir_add(dir, name, n);
	tnode_put(n);
	if (!err)
		*out = n;
	return err;
}

/* Merged listing of rel (an existing directory). */
static int ovl_list(struct mount *m, const char *rel, struct tnode *up, bool lower,
		    struct dir_entry **ents, size_t *n)
{
	struct hostfs *h = H(m);
	struct dir_entry *low = NULL;
	size_t nlow = 0, cap = 0, i;
	struct list_head *p, *q;
	int err = 0;

	*ents = NULL;
	*n = 0;
	if (up) {
		list_for_each_safe(p, q, &up->children) {
			struct tdirent *d = list_entry(p, struct tdirent, link);

			if (d->node->whiteout)
				continue;
			err = dents_add(ents, n, &cap, d->node->ino, mode_to_dtype(d->node->mode),
					d->name);
			if (err)
				goto out;
		}
	}
	if (lower) {
		struct stat hs;
		size_t lcap = 0;
		int fd = h_open_checked(h, rel, O_RDONLY | O_DIRECTORY, &hs);

		if (fd >= 0) {
			err = h_readdir_fd(fd, &low, &nlow, &lcap);
			close(fd);
			if (err)
				goto out;
		}
		for (i = 0; i < nlow; i++) {
			if (up && tdir_find(up, low[i].name))
				continue;       /* upper entry or whiteout wins */
			err = dents_add(ents, n, &cap, low[i].ino, low[i].type, low[i].name);
			if (err)
				goto out;
		}
	}
out:
	free(low);
	if (err) {
		free(*ents);
		*ents = NULL;
		*n = 0;
	}
	return err;
}

struct ovdir {
	struct mount *m;
	char *rel;                  /* for the lower part; NULL if none shows */
	struct tnode *up;           /* referenced, or NULL */
	struct kstat st;            /* lower-only: its stat */
};

static int ovdir_fstat(struct file *f, struct kstat *st)
{
	struct ovdir *d = f->priv;

	if (d->up)
		tnode_stat(d->up, st, d->m->dev);
	else
		*st = d->st;
	return 0;
}

static int ovdir_readdir(struct file *f, struct dir_entry **ents, size_t *n)
{
	struct ovdir *d = f->priv;
	struct ovres r;

	/* a lower-only directory may have been copied up since open */
	if (!d->up && d->rel && ovl_find(d->m, d->rel, &r) == 0 && r.kind == OV_UPPER)
		d->up = tnode_get(r.node);
	return ovl_list(d->m, d->rel ? d->rel : "", d->up, d->rel != NULL, ents, n);
}

static int ovdir_setattr(struct file *f, int what, uint32_t mode, uint32_t uid, uint32_t gid,
			 const struct linux_timespec *ts)
{
	struct ovdir *d = f->priv;
	struct tnode *n;
	int err;

	if (!d->up) {
		err = ovl_copy_up(d->m, d->rel, &n);
		if (err)
			return err;
		d->up = tnode_get(n);
	}
	return tnode_setattr(d->up, what, mode, uid, gid, ts);
}

static void ovdir_release(struct file *f)
{
	struct ovdir *d = f->priv;

	tnode_put(d->up);
	free(d->rel);
	free(d);
}

/* A removed upper directory's xattrs (its node's, file_ops' xattr ops;
 * one still in the tree goes by its path and the mount's ops) */
static ssize_t ovdir_getxattr(struct file *f, const char *name, void *buf, size_t n)
{
	struct ovdir *d = f->priv;

	return d->up ? tnode_getxattr(d->up, name, buf, n) : -ENOENT;
}

static int ovdir_setxattr(struct file *f, const char *name, const void *v, size_t n, int flags)
{
	struct ovdir *d = f->priv;

	return d->up ? tnode_setxattr(d->up, name, v, n, flags) : -ENOENT;
}

static ssize_t ovdir_listxattr(struct file *f, char *buf, size_t n)
{
	struct ovdir *d = f->priv;

	return d->up ? tnode_listxattr(d->up, buf, n) : -ENOENT;
}

static int ovdir_removexattr(struct file *f, const char *name)
{
	struct ovdir *d = f->priv;

	return d->up ? tnode_removexattr(d->up, name) : -ENOENT;
}

static const struct file_ops ovl_dir_ops = {
	.read = hdir_rw,
	.write = hdir_write,
	.fstat = ovdir_fstat,
	.readdir = ovdir_readdir,
	.fsync = hfile_fsync,
	.setattr = ovdir_setattr,
	.host_fd = hdir_host_fd,
	.release = ovdir_release,
	.getxattr = ovdir_getxattr,
	.setxattr = ovdir_setxattr,
	.listxattr = ovdir_listxattr,
	.removexattr = ovdir_removexattr,
	.seekable = true,
};

static int ovl_open_dir(struct mount *m, const char *rel, struct ovres *r, int flags,
			struct file **out)
{
	struct ovdir *d = calloc(1, sizeof(*d));
	struct file *f;

	if (!d)
		return -ENOMEM;
	d->m = m;
	d->st = r->st;
	if (r->kind == OV_UPPER)
		d->up = tnode_get(r->node);
	if (r->kind == OV_LOWER || (!r->node->opaque && ovl_lower_visible(m, rel)) || !*rel)
		d->rel = strdup(rel);
	f = file_alloc(&ovl_dir_ops, flags, rel);
	if (!f) {
		tnode_put(d->up);
		free(d->rel);
		free(d);
		return -ENOMEM;
	}
	f->priv = d;
	f->mnt = m;
	*out = f;
	return 0;
}

static int ovl_lookup(struct mount *m, const char *rel, struct kstat *st)
{
	struct ovres r;
	int err = ovl_find(m, rel, &r);

	if (!err)
		*st = r.st;
	return err;
}

static int ovl_readlink(struct mount *m, const char *rel, char *buf, size_t len)
{
	struct ovres r;
	size_t l;
	int err = ovl_find(m, rel, &r);

	if (err)
		return err;
	if (!S_ISLNK(r.st.mode))
		return -EINVAL;
	if (r.kind == OV_LOWER)
		return h_readlink(H(m), rel, buf, len);
	l = strlen(r.node->target);
	if (l > len)
		l = len;
	memcpy(buf, r.node->target, l);
	return l;
}

/* A lower regular file open read-only (see struct lobj). */
struct lfile {
	struct hostfs *h;
	struct lobj *obj;
	struct file *up;            /* its upper file, once opened */
	char rel[];                 /* the name it was opened by */
};

/* f's upper file if its object has been copied up, else NULL (the lower
 * host fd serves). */
static struct file *lf_upper(struct file *f)
{
	struct lfile *l = f->priv;
	struct file *u = l->up;

	if (__builtin_expect(!u && l->obj->up != NULL, 0) &&
	    !tnode_open(f->mnt, l->obj->up, f->flags & ~(O_CREAT | O_EXCL | O_TRUNC), f->path, &u))
		l->up = u;
	if (u)  /* the status flags F_SETFL changed are f's */
		u->flags = f->flags;
	return u;
}

static ssize_t lf_read(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	struct file *u = lf_upper(f);
	ssize_t r;

	if (u)
		return u->ops->read(t, u, buf, n, pos);
	r = pread(f->hostfd, buf, n, *pos);
	if (r < 0)
		return -errno;
	*pos += r;
	return r;
}

static ssize_t lf_write(struct task *t, struct file *f, const void *buf, size_t n, int64_t *pos)
{
	struct file *u = lf_upper(f);

	return u ? u->ops->write(t, u, buf, n, pos) : -EBADF;   /* opened read-only */
}

static int lf_fstat(struct file *f, struct kstat *st)
{
	struct file *u = lf_upper(f);

	return u ? u->ops->fstat(u, st) : hreg_fstat(f, st);
}

static int lf_truncate(struct file *f, uint64_t len)
{
	struct file *u = lf_upper(f);

	return u ? u->ops->truncate(u, len) : -EINVAL;   /* opened read-only */
}

/* fchmod, fchown, futimens: the object is copied up as chmod's is (the
 * lower host file is never changed). */
static int lf_setattr(struct file *f, int what, uint32_t mode, uint32_t uid, uint32_t gid,
		      const struct linux_timespec *ts)
{
	struct lfile *l = f->priv;
	struct file *u = lf_upper(f);
	struct tnode *n;
	struct ovres r;
	int err;

	if (u)
		return u->ops->setattr(u, what, mode, uid, gid, ts);
	/* still lower: its name shows it, unless it was removed (Linux's
	 * copy-up then meets the whiteout or the new file there: EEXIST) */
	err = ovl_find(f->mnt, l->rel, &r);
	if (err || r.kind != OV_LOWER || r.st.ino != l->obj->ino)
		return -EEXIST;
	err = ovl_copy_up(f->mnt, l->rel, &n);
	if (err)
		return err;
	lf_upper(f);
	return tnode_setattr(n, what, mode, uid, gid, ts);
}

/* SEEK_DATA/SEEK_HOLE of the upper file; the rest are the VFS's (SEEK_END
 * by lf_fstat; the lower's holes by its host fd). */
static int64_t lf_llseek(struct file *f, int64_t off, int whence)
{
	struct file *u = lf_upper(f);
	int64_t r;

	if (!u || !u->ops->llseek)
		return -EOPNOTSUPP;
	r = u->ops->llseek(u, off, whence);
	if (r >= 0)
		f->pos = r;
	return r;
}

static void lf_release(struct file *f)
{
	struct lfile *l = f->priv;

	if (l) {
		file_put(l->up);
		lobj_put(l->h, l->obj);
		free(l);
	}
	f->priv = NULL;
	hfile_release(f);
}

static const struct file_ops ovl_lower_ops = {
	.read = lf_read,
	.write = lf_write,
	.fstat = lf_fstat,
	.poll = hreg_poll,
	.truncate = lf_truncate,
	.fsync = hfile_fsync,
	.setattr = lf_setattr,
	.host_fd = hreg_host_fd,     /* mmap: the lower file (ovl_mmap) */
	.llseek = lf_llseek,
	.release = lf_release,
	.seekable = true,
};

/* Opens lower regular file rel (stat st) read-only (flags): a file of
 * ovl_lower_ops. */
static int ovl_open_lower(struct mount *m, const char *rel, const struct kstat *st, int flags,
			  struct file **out)
{
	struct hostfs *h = H(m);
	size_t len = strlen(rel);
	struct lfile *l = malloc(sizeof(*l) + len + 1);
	struct stat hs;
	struct file *f = NULL;
	int fd = -ENOMEM;

	if (!l || !(l->obj = lobj_get(h, st, rel)))
		goto fail;
	l->h = h;
	l->up = NULL;
	memcpy(l->rel, rel, len + 1);
	fd = h_open_checked(h, rel, flags, &hs);
	if (fd < 0)
		goto fail;
	if (!S_ISREG(hs.st_mode) || !(f = file_alloc(&ovl_lower_ops, flags, rel))) {
		close(fd);
		fd = S_ISREG(hs.st_mode) ? -ENOMEM : -EIO;
		goto fail;
	}
	f->hostfd = fd;
	f->mnt = m;
	f->priv = l;
	*out = f;
	return 0;
fail:
	if (l && l->obj)
		lobj_put(h, l->obj);
	free(l);
	return fd;
}

static int ovl_open(struct mount *m, const char *rel, int flags, uint32_t mode, struct file **out)
{
	struct ovres r;
	struct tnode *n;
	int err = ovl_find(m, rel, &r);
	bool wr = (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);

	if (err == -ENOENT && (flags & O_CREAT)) {
		err = ovl_create(m, rel, S_IFREG | (mode & 07777), &n);
		if (err)
			return err;
		return tnode_open(m, n, flags, rel, out);
	}
	if (err)
		return err;
	if (S_ISDIR(r.st.mode))
		return ovl_open_dir(m, rel, &r, flags, out);
	if (r.kind == OV_UPPER)
		return tnode_open(m, r.node, flags, rel, out);
	if (S_ISREG(r.st.mode) && wr) {
		err = ovl_copy_up(m, rel, &n);
		if (err)
			return err;
		return tnode_open(m, n, flags, rel, out);
	}
	if (S_ISREG(r.st.mode))
		return ovl_open_lower(m, rel, &r.st, flags & ~O_TRUNC, out);
	return h_open_file(m, rel, flags & ~O_TRUNC, out);
}

static int ovl_mkdir(struct mount *m, const char *rel, uint32_t mode)
{
	struct tnode *n;

	return ovl_create(m, rel, S_IFDIR | (mode & 07777), &n);
}

static int ovl_mknod(struct mount *m, const char *rel, uint32_t mode, uint64_t dev)
{
	struct tnode *n;
	int err;

	if ((mode & S_IFMT) == 0)
		mode |= S_IFREG;
	if (!S_ISREG(mode) && !S_ISFIFO(mode) && !S_ISCHR(mode) && !S_ISBLK(mode) &&
	    !S_ISSOCK(mode))
		return -EINVAL;
	err = ovl_create(m, rel, mode, &n);
	if (!err)
		n->rdev = dev;          /* an inert record: opening it gives ENXIO */
	return err;
}

/* Puts a whiteout at rel (its parent copied up; no entry there). */
static int ovl_whiteout(struct mount *m, const char *rel)
{
	struct tnode *dir, *w;
	const char *name;
	int err = ovl_parent(m, rel, &dir, &name);

	if (err)
		return err;
	w = tnode_new(S_IFCHR);
	if (!w)
		return -ENOMEM;
	w->whiteout = true;
	err = tdir_add(dir, name, w);
	tnode_put(w);
	return err;
}

/* Removes rel from the merged view (checked by the caller). */
static int ovl_remove(struct mount *m, const char *rel, struct ovres *r)
{
	bool lower = ovl_lower_visible(m, rel);
	struct tnode *dir;
	const char *name;
	int err;

	if (r->kind == OV_UPPER) {
		err = ovl_parent(m, rel, &dir, &name);
		if (err)
			return err;
		tdir_remove(dir, tdir_find(dir, name));
	}
	return lower ? ovl_whiteout(m, rel) : 0;
}

static int ovl_rmdir(struct mount *m, const char *rel)
{
	struct dir_entry *ents;
	struct ovres r;
	size_t n;
	int err = ovl_find(m, rel, &r);

	if (err)
		return err;
	if (!*rel)
		return -EBUSY;
	if (!S_ISDIR(r.st.mode))
		return -ENOTDIR;
	err = ovl_list(m, rel, r.kind == OV_UPPER ? r.node : NULL,
		       r.kind == OV_LOWER || !r.node->opaque, &ents, &n);
	if (err)
		return err;
	free(ents);
	if (n)
		return -ENOTEMPTY;
	return ovl_remove(m, rel, &r);
}

static int ovl_unlink(struct mount *m, const char *rel)
{
	struct ovres r;
	int err = ovl_find(m, rel, &r);

	if (err)
		return err;
	if (S_ISDIR(r.st.mode))
		return -EISDIR;
	return ovl_remove(m, rel, &r);
}

static int ovl_symlink(struct mount *m, const char *target, const char *rel)
{
	struct tnode *n;
	char *t = strdup(target);
	int err;

	if (!t)
		return -ENOMEM;
	err = ovl_create(m, rel, S_IFLNK | 0777, &n);
	if (err) {
		free(t);
		return err;
	}
	n->target = t;
	return 0;
}

static int ovl_link(struct mount *m, const char *old, const char *new_)
{
	struct tnode *n, *dir;
	struct tdirent *d;
	const char *name;
	struct ovres r;
	int err = ovl_find(m, old, &r);

	if (err)
		return err;
	if (S_ISDIR(r.st.mode))
		return -EPERM;
	if (ovl_find(m, new_, &r) == 0)
		return -EEXIST;
	err = ovl_copy_up(m, old, &n);
	if (err)
		return err;
	err = ovl_parent(m, new_, &dir, &name);
	if (err)
		return err;
	d = tdir_find(dir, name);
	if (d)
		tdir_remove(dir, d);    /* a whiteout */
	err = tdir_add(dir, name, n);
	if (!err)
		tnode_touch(n, false, true);
	return err;
}

/*
 * RENAME_EXCHANGE in the overlay: both entries are copied up and swap in
 * the upper tree; both names stay, so the lower entries stay hidden.  A
 * directory with lower content gives EXDEV, as rename does.
 */
static int ovl_exchange(struct mount *m, const char *old, const char *new_, struct ovres *ro)
{
	struct ovres rn;
	struct tnode *n;
	int err = ovl_find(m, new_, &rn);

	if (err)
		return err;
	if ((S_ISDIR(ro->st.mode) && (ro->kind == OV_LOWER || !ro->node->opaque)) ||
	    (S_ISDIR(rn.st.mode) && (rn.kind == OV_LOWER || !rn.node->opaque)))
		return -EXDEV;
	err = ovl_copy_up(m, old, &n);
	if (!err)
		err = ovl_copy_up(m, new_, &n);
	if (err)
		return err;
	return tmpfs_rename_in(H(m)->upper, old, new_, TMPFS_RENAME_EXCHANGE);
}

static int ovl_tmpfile(struct mount *m, const char *dir, int flags, uint32_t mode,
		       struct file **out)
{
	struct ovres r;
	int err = ovl_find(m, dir, &r);

	if (err)
		return err;
	if (!S_ISDIR(r.st.mode))
		return -ENOTDIR;
	return tnode_tmpfile(m, r.kind == OV_UPPER ? r.node : NULL, flags, mode, out);
}

static int ovl_linkfile(struct mount *m, struct file *f, const char *new_)
{
	struct tnode *dir;
	const char *name;
	struct ovres r;
	int err;

	if (ovl_find(m, new_, &r) == 0)
		return -EEXIST;
	if (tmpfs_file_memfd(f) < 0)
		return -EOPNOTSUPP;
	err = ovl_parent(m, new_, &dir, &name);
	if (err)
		return err == -EBUSY ? -EEXIST : err;
	return tnode_linkfile(dir, name, f);
}

static int ovl_rename(struct mount *m, const char *old, const char *new_, unsigned flags)
{
	struct ovres ro, rn;
	struct tnode *n, *dir;
	struct tdirent *d;
	const char *name;
	size_t ol = strlen(old);
	bool lower;
	int err;

	if (flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE))
		return -EINVAL;
	err = ovl_find(m, old, &ro);
	if (err)
		return err;
	if (flags & RENAME_EXCHANGE)
		return ovl_exchange(m, old, new_, &ro);
	if (!*old || !*new_)
		return -EBUSY;
	if (!strncmp(new_, old, ol) && new_[ol] == '/')
		return -EINVAL;
	err = ovl_find(m, new_, &rn);
	if (err && err != -ENOENT)
		return err;
	if (!err) {
		if (flags & RENAME_NOREPLACE)
			return -EEXIST;
		if (!strcmp(old, new_) || (rn.st.ino == ro.st.ino && rn.st.dev == ro.st.dev))
			return 0;
		if (S_ISDIR(ro.st.mode) && !S_ISDIR(rn.st.mode))
			return -ENOTDIR;
		if (!S_ISDIR(ro.st.mode) && S_ISDIR(rn.st.mode))
			return -EISDIR;
		if (S_ISDIR(rn.st.mode)) {
			struct dir_entry *ents;
			size_t cnt;

			err = ovl_list(m, new_, rn.kind == OV_UPPER ? rn.node : NULL,
				       rn.kind == OV_LOWER || !rn.node->opaque, &ents, &cnt);
			if (err)
				return err;
			free(ents);
			if (cnt)
				return -ENOTEMPTY;
		}
	}
	if (S_ISDIR(ro.st.mode) && (ro.kind == OV_LOWER || !ro.node->opaque))
		return -EXDEV;  /* overlayfs without redirect_dir */
	lower = ovl_lower_visible(m, old);
	err = ovl_copy_up(m, old, &n);
	if (err)
		return err;
	err = ovl_parent(m, new_, &dir, &name);
	if (err)
		return err;
	d = tdir_find(dir, name);
	if (d && S_ISDIR(d->node->mode) && !d->node->opaque) {
		/* replacing a merged empty directory: the new one hides it */
		if (S_ISDIR(n->mode))
			n->opaque = true;
	}
	err = tmpfs_rename_in(H(m)->upper, old, new_, 0);
	if (err)
		return err;
	return lower ? ovl_whiteout(m, old) : 0;
}

static int ovl_setattr(struct mount *m, const char *rel, int what, uint32_t mode, uint32_t uid,
		       uint32_t gid, const struct linux_timespec *ts)
{
	struct tnode *n;
	int err = ovl_copy_up(m, rel, &n);

	return err ? err : tnode_setattr(n, what, mode, uid, gid, ts);
}

static int ovl_truncate(struct mount *m, const char *rel, uint64_t len)
{
	struct ovres r;
	struct tnode *n;
	int err = ovl_find(m, rel, &r);

	if (err)
		return err;
	if (S_ISDIR(r.st.mode))
		return -EISDIR;
	if (!S_ISREG(r.st.mode))
		return -EINVAL;
	err = ovl_copy_up(m, rel, &n);
	return err ? err : tnode_truncate(n, len);
}

static ssize_t ovl_getxattr(struct mount *m, const char *rel, const char *name, void *buf, size_t n)
{
	struct ovres r;
	int err = ovl_find(m, rel, &r);

	if (err)
		return err;
	if (r.kind == OV_UPPER)
		return tnode_xattr_get(r.node, name, buf, n);
	return h_getxattr(H(m), rel, name, buf, n);
}

static int ovl_setxattr(struct mount *m, const char *rel, const char *name, const void *v,
			size_t n, int flags)
{
	struct tnode *t;
	int err = ovl_copy_up(m, rel, &t);

	return err ? err : tnode_xattr_set(t, name, v, n, flags);
}

static ssize_t ovl_listxattr(struct mount *m, const char *rel, char *buf, size_t n)
{
	struct ovres r;
	int err = ovl_find(m, rel, &r);

	if (err)
		return err;
	if (r.kind == OV_UPPER)
		return tnode_xattr_list(r.node, buf, n);
	return h_listxattr(H(m), rel, buf, n);
}

static int ovl_removexattr(struct mount *m, const char *rel, const char *name)
{
	struct tnode *t;
	int err = ovl_copy_up(m, rel, &t);

	return err ? err : tnode_xattr_remove(t, name);
}

static const struct fs_ops hostfs_overlay_ops = {
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
	.statfs = h_statfs,
	.getxattr = ovl_getxattr,
	.setxattr = ovl_setxattr,
	.listxattr = ovl_listxattr,
	.removexattr = ovl_removexattr,
	.tmpfile = ovl_tmpfile,
	.linkfile = ovl_linkfile,
	.fileattr_get = fileattr_iflags_get,
	.fileattr_set = fileattr_iflags_set,
	.getflags = inode_flags_table_get,
	.setflags = inode_flags_table_set,
};

/*
 * hostfs_mount - mounts host directory host_dir at guest_path: with
 * overlay, as the read-only lower layer of an in-memory overlay (fstype
 * "overlay"); else read-write ("hostfs").  Returns 0, -errno from opening
 * host_dir (-ENOTDIR...), -ENOMEM.
 */
int hostfs_mount(const char *guest_path, const char *host_dir, bool overlay)
{
	struct hostfs *h = calloc(1, sizeof(*h));
	struct kstat st;
	int err;

	if (!h)
		return -ENOMEM;
	host_uid = geteuid();
	host_gid = getegid();
	h->overlay = overlay;
	h->rootfd = open(host_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (h->rootfd < 0) {
		err = -errno;
		free(h);
		return err;
	}
	if (overlay) {
		err = h_lstat(h, "", &st, 0);
		h->upper = err ? NULL : tnode_new(st.mode);
		if (!h->upper) {
			close(h->rootfd);
			free(h);
			return err ? err : -ENOMEM;
		}
		h->upper->uid = st.uid;
		h->upper->gid = st.gid;
		h->upper->ino = st.ino;
		h->upper->nlink = st.nlink;
		h->upper->atime = st.atime;
		h->upper->mtime = st.mtime;
		h->upper->ctime = st.ctime;
		h->upper->acct = tmpfs_acct_new();
	}
	err = vfs_mount(guest_path, overlay ? &hostfs_overlay_ops : &hostfs_rw_ops, h,
			overlay ? "overlay" : "hostfs", "none");   /* the host path stays outside: /proc/mounts shows "none", as gVisor's */
	if (err) {
		tnode_put(h->upper);
		close(h->rootfd);
		free(h);
	}
	return err;
}
