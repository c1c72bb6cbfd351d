/*
 * devfs.c - devfs, mounted at /dev: the device files a guest may use,
 * all implemented in the kernel.
 *
 * null, zero, full (ENOSPC on write), random and urandom (host
 * getrandom) are kernel objects, kmsg the kernel log (kernel/printk.c); tty is the host's controlling terminal
 * when host fd 0 is a tty (a dup of it, else ENXIO) and console is a dup
 * of host fd 1: those two reuse fds the kernel already holds.  No host
 * device node is ever opened.  fd, stdin, stdout, stderr are symlinks
 * into /proc/self/fd; shm is an empty directory (mount a tmpfs on
 * /dev/shm for POSIX shm).  ptmx and the pts directory are the
 * pseudo-terminals of pty.c: names under pts/ are looked up, opened and
 * listed there, and tty is the caller's session's pty when it has one.
 * loop-control and loop0..7 are the loop block devices of loop.c, and
 * loopNpM their partitions while a partition scan has found them.
 * The set is fixed: creating or removing names fails with EPERM.
 *
 * Locking: everything here runs under klock; the table is constant.
 */
#include "../kernel.h"
#include "fs.h"
#include "blkdev.h"
#include "../tty/tty.h"
#include "tmpfs.h"
#include "../mm/mm.h"
#include "../net/net.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

enum { D_NULL, D_ZERO, D_FULL, D_RANDOM, D_URANDOM, D_KMSG, D_TTY, D_CONSOLE, D_PTMX, D_PTS, D_LOOPCTL,
       D_LOOP, D_OTHER, D_UFFD, D_TUN };

#define DEV_PTS (-1000)          /* dev_find: a name inside pts/ (no errno) */

struct devent {
	const char *name;
	uint32_t mode;
	int kind;
	unsigned major, minor;
	const char *target;         /* symlinks */
};

static const struct devent devtab[] = {
	{ "null", S_IFCHR | 0666, D_NULL, 1, 3, NULL },
	{ "zero", S_IFCHR | 0666, D_ZERO, 1, 5, NULL },
	{ "full", S_IFCHR | 0666, D_FULL, 1, 7, NULL },
	{ "random", S_IFCHR | 0666, D_RANDOM, 1, 8, NULL },
	{ "urandom", S_IFCHR | 0666, D_URANDOM, 1, 9, NULL },
	{ "kmsg", S_IFCHR | 0644, D_KMSG, 1, 11, NULL },
	{ "tty", S_IFCHR | 0666, D_TTY, 5, 0, NULL },
	{ "console", S_IFCHR | 0600, D_CONSOLE, 5, 1, NULL },
	{ "ptmx", S_IFCHR | 0666, D_PTMX, 5, 2, NULL },
	{ "loop-control", S_IFCHR | 0660, D_LOOPCTL, 10, 237, NULL }, /* loop.c */
	{ "userfaultfd", S_IFCHR | 0600, D_UFFD, 10, 126, NULL }, /* mm/userfaultfd.c */
	{ "loop0", S_IFBLK | 0660, D_LOOP, 7, 0, NULL },
	{ "loop1", S_IFBLK | 0660, D_LOOP, 7, 1, NULL },
	{ "loop2", S_IFBLK | 0660, D_LOOP, 7, 2, NULL },
	{ "loop3", S_IFBLK | 0660, D_LOOP, 7, 3, NULL },
	{ "loop4", S_IFBLK | 0660, D_LOOP, 7, 4, NULL },
	{ "loop5", S_IFBLK | 0660, D_LOOP, 7, 5, NULL },
	{ "loop6", S_IFBLK | 0660, D_LOOP, 7, 6, NULL },
	{ "loop7", S_IFBLK | 0660, D_LOOP, 7, 7, NULL },
	{ "fd", S_IFLNK | 0777, D_OTHER, 0, 0, "/proc/self/fd" },
	{ "stdin", S_IFLNK | 0777, D_OTHER, 0, 0, "/proc/self/fd/0" },
	{ "stdout", S_IFLNK | 0777, D_OTHER, 0, 0, "/proc/self/fd/1" },
	{ "stderr", S_IFLNK | 0777, D_OTHER, 0, 0, "/proc/self/fd/2" },
	{ "pts", S_IFDIR | 0755, D_PTS, 0, 0, NULL },
	{ "shm", S_IFDIR | 01777, D_OTHER, 0, 0, NULL },
	{ "mqueue", S_IFDIR | 01777, D_OTHER, 0, 0, NULL },   /* mount point (ipc/mqueue.c) */
	{ "net", S_IFDIR | 0755, D_OTHER, 0, 0, NULL },
	{ "net/tun", S_IFCHR | 0666, D_TUN, 10, 200, NULL },   /* net/tun.c */
};

static struct linux_timespec dev_time;

static void dev_stat(struct mount *m, int i, struct kstat *st)
{
	memset(st, 0, sizeof(*st));
	if (!dev_time.tv_sec)
		dev_time = ts_now();
	st->dev = m ? m->dev : 0;
	st->blksize = 4096;
	st->atime = st->mtime = st->ctime = dev_time;
	if (i < 0) {
		st->ino = 1;
		st->mode = S_IFDIR | 0755;
		st->nlink = 4;
		st->size = 4096;
		return;
	}
	st->ino = i + 2;
	st->mode = devtab[i].mode;
	st->nlink = S_ISDIR(devtab[i].mode) ? 2 : 1;
	st->rdev = makedev(devtab[i].major, devtab[i].minor);
	if (S_ISLNK(devtab[i].mode))
		st->size = strlen(devtab[i].target);
}

/* -1 for the root, the table index, DEV_PTS for "pts/NAME" (NAME has no
 * slash), or -ENOENT / -ENOTDIR */
static int dev_find(const char *rel)
{
	const char *slash;
	size_t i;

	if (!*rel)
		return -1;
	slash = strchr(rel, '/');
	for (i = 0; i < ARRAY_SIZE(devtab); i++) {
		size_t l = strlen(devtab[i].name);

		if (strncmp(rel, devtab[i].name, l) || (rel[l] && rel[l] != '/'))
			continue;
		if (!rel[l])
			return i;
		if (!strncmp(rel + l + 1, "tun", 3) && !strcmp(devtab[i].name, "net"))
			continue;           /* net/tun: its own entry */
		if (devtab[i].kind == D_PTS && slash[1] && !strchr(slash + 1, '/'))
			return DEV_PTS;
		return S_ISDIR(devtab[i].mode) ? -ENOENT : -ENOTDIR;
	}
	return -ENOENT;
}

/* "loopNpM", a partition loop.c's scan found: 0 with its number and
 * node in *st, else -ENOENT. */
static int part_find(struct mount *m, const char *rel, int *nr, int *part, struct kstat *st)
{
	struct blk_info bi;
	int n = 0;

	if (sscanf(rel, "loop%dp%d%n", nr, part, &n) != 2 || rel[n] || loop_blk_info(*nr, &bi))
		return -ENOENT;
	for (int i = 0; i < bi.nparts; i++) {
		if (bi.parts[i].partno != *part)
			continue;
		dev_stat(m, -1, st);
		st->ino = 1000 + bi.parts[i].minor;
		st->mode = S_IFBLK | 0660;
		st->nlink = 1;
		st->size = 0;
		st->rdev = makedev(bi.parts[i].major, bi.parts[i].minor);
		return 0;
	}
	return -ENOENT;
}

static int devfs_lookup(struct mount *m, const char *rel, struct kstat *st)
{
	int i = dev_find(rel), nr, part;

	if (i == DEV_PTS)
		return devpts_lookup(m->dev, strchr(rel, '/') + 1, st);
	if (i == -ENOENT)
		return part_find(m, rel, &nr, &part, st);
	if (i < -1)
		return i;
	dev_stat(m, i, st);
	return 0;
}

static int devfs_readlink(struct mount *m, const char *rel, char *buf, size_t len)
{
	int i = dev_find(rel);
	size_t l;

	(void)m;
	if (i == DEV_PTS)
		return -EINVAL;
	if (i < -1)
		return i;
	if (i < 0 || !S_ISLNK(devtab[i].mode))
		return -EINVAL;
	l = strlen(devtab[i].target);
	if (l > len)
		l = len;
	memcpy(buf, devtab[i].target, l);
	return l;
}

/* ---- device files: priv is the table index ---- */

static int IDX(struct file *f)
{
	return (int)(intptr_t)f->priv;
}

static ssize_t dev_read(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	ssize_t r;

	(void)t, (void)pos;
	switch (devtab[IDX(f)].kind) {
	case D_NULL:
		return 0;
	case D_ZERO:
	case D_FULL:
		memset(buf, 0, n);
		return n;
	case D_RANDOM:
	case D_URANDOM:
		if (n > 33554431)
			n = 33554431;
		r = getrandom(buf, n, 0);
		return r < 0 ? -errno : r;
	}
	return -EINVAL;
}

static ssize_t dev_write(struct task *t, struct file *f, const void *buf, size_t n, int64_t *pos)
{
	(void)t, (void)buf, (void)pos;
	if (devtab[IDX(f)].kind == D_FULL)
		return -ENOSPC;
	return n;
}

static int dev_fstat(struct file *f, struct kstat *st)
{
	dev_stat(f->mnt, IDX(f), st);
	return 0;
}

static short dev_poll(struct file *f, struct poll_table *pt)
{
	(void)f, (void)pt;
	return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

static int dev_host_fd(struct file *f)
{
	(void)f;
	return -ENODEV;
}

/* ioctls: random and urandom answer RNDGETENTCNT with the entropy count
 * /proc/sys/kernel/random/entropy_avail shows (256: a crng ready, as
 * Linux reports since 5.18); the pool-changing ones need CAP_SYS_ADMIN
 * and change nothing (the host keeps the pool); others on them EINVAL
 * (random_ioctl), on the other devices ENOTTY. */
static long dev_ioctl(struct task *t, struct file *f, unsigned int cmd, uint64_t arg)
{
	int kind = devtab[IDX(f)].kind;
	if (kind != D_RANDOM && kind != D_URANDOM)
		return -ENOTTY;
	switch (cmd) {
	case 0x80045200: { /* RNDGETENTCNT */
		int v = 256;
		return copy_to_user(t, arg, &v, sizeof v) ? -EFAULT : 0;
	}
	case 0x40045201: /* RNDADDTOENTCNT */
	case 0x40085203: /* RNDADDENTROPY */
	case 0x5204:     /* RNDZAPENTCNT */
	case 0x5205:     /* RNDCLEARPOOL */
	case 0x5206:     /* RNDRESEEDCRNG */
		return capable(t, CAP_SYS_ADMIN) ? 0 : -EPERM;
	}
	return -EINVAL;
}

static int dev_fsync(struct file *f)
{
	(void)f;
	return -EINVAL;
}

static const struct file_ops devfs_char_ops;

/* file_is_dev_zero - whether f is an open /dev/zero (mmap makes it
 * anonymous memory, as Linux's mmap_zero). */
bool file_is_dev_zero(struct file *f)
{
	return f && f->ops == &devfs_char_ops && devtab[IDX(f)].kind == D_ZERO;
}

/* mem.c's null_lseek (null, zero, full: any offset, the position stays
 * 0) and noop_llseek (random, urandom: the position stays); the rest
 * seek as files do. */
static int64_t dev_llseek(struct file *f, int64_t off, int whence)
{
	(void)off;
	if (whence < SEEK_SET || whence > SEEK_HOLE)
		return -EINVAL;
	switch (devtab[IDX(f)].kind) {
	case D_NULL:
	case D_ZERO:
	case D_FULL:
		return f->pos = 0;
	case D_RANDOM:
	case D_URANDOM:
		return f->pos;
	}
	return -EOPNOTSUPP;
}

static const struct file_ops devfs_char_ops = {
	.read = dev_read,
	.write = dev_write,
	.llseek = dev_llseek,
	.fstat = dev_fstat,
	.ioctl = dev_ioctl,
	.poll = dev_poll,
	.fsync = dev_fsync,
	.host_fd = dev_host_fd,
	.seekable = true,
};

static ssize_t ddir_read(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	(void)t, (void)f, (void)buf, (void)n, (void)pos;
	return -EISDIR;
}

static ssize_t ddir_write(struct task *t, struct file *f, const void *buf, size_t n, int64_t *pos)
{
	(void)t, (void)f, (void)buf, (void)n, (void)pos;
	return -EISDIR;
}

static int ddir_readdir(struct file *f, struct dir_entry **ents, size_t *n)
{
	size_t cap = 0, i;

	*ents = NULL;
	*n = 0;
	if (IDX(f) >= 0 && devtab[IDX(f)].kind == D_PTS)
		return devpts_readdir(ents, n);
	if (IDX(f) >= 0) {
		/* shm, mqueue: empty; net: the names under it */
		size_t l = strlen(devtab[IDX(f)].name);

		for (i = 0; i < ARRAY_SIZE(devtab); i++)
			if (!strncmp(devtab[i].name, devtab[IDX(f)].name, l) && devtab[i].name[l] == '/' &&
			    dents_add(ents, n, &cap, i + 2, mode_to_dtype(devtab[i].mode),
				      devtab[i].name + l + 1)) {
				free(*ents);
				return -ENOMEM;
			}
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(devtab); i++)
		if (!strchr(devtab[i].name, '/') &&
		    dents_add(ents, n, &cap, i + 2, mode_to_dtype(devtab[i].mode), devtab[i].name)) {
			free(*ents);
			return -ENOMEM;
		}
	for (int nr = 0; nr < loop_count(); nr++) {
		struct blk_info bi;

		loop_blk_info(nr, &bi);
		for (int p = 0; p < bi.nparts; p++)
			if (dents_add(ents, n, &cap, 1000 + bi.parts[p].minor, DT_BLK, bi.parts[p].name)) {
				free(*ents);
				return -ENOMEM;
			}
	}
	return 0;
}

static int ddir_fsync(struct file *f)
{
	(void)f;
	return 0;
}

static const struct file_ops devfs_dir_ops = {
	.read = ddir_read,
	.write = ddir_write,
	.fstat = dev_fstat,
	.readdir = ddir_readdir,
	.fsync = ddir_fsync,
	.host_fd = dev_host_fd,
	.seekable = true,
};

static int devfs_open(struct mount *m, const char *rel, int flags, uint32_t mode,
		      struct file **out)
{
	int i = dev_find(rel), fd, err, nr, part;
	struct kstat st;
	struct file *f;

	(void)mode;
	if (i == DEV_PTS)
		return devpts_open(current, m->dev, strchr(rel, '/') + 1, flags, out);
	if (i == -ENOENT && !part_find(m, rel, &nr, &part, &st)) {
		char ppath[48];

		snprintf(ppath, sizeof ppath, "/dev/%s", rel);
		return loop_part_open(nr, part, flags, ppath, m, out);
	}
	if (i == -ENOENT && (flags & O_CREAT))
		return -EACCES;
	if (i < -1)
		return i;
	if (i >= 0 && devtab[i].kind == D_PTMX) {
		dev_stat(m, i, &st);
		return pty_open_ptmx(flags, "/dev/ptmx", &st, out);
	}
	if (i >= 0 && devtab[i].kind == D_LOOP) {
		char lpath[32];

		snprintf(lpath, sizeof lpath, "/dev/%s", devtab[i].name);
		return loop_open((int)devtab[i].minor, flags, lpath, m, out);
	}
	if (i >= 0 && devtab[i].kind == D_LOOPCTL)
		return loopctl_open(flags, "/dev/loop-control", m, out);
	if (i >= 0 && devtab[i].kind == D_UFFD) {
		dev_stat(m, i, &st);
		err = uffd_dev_open(flags, "/dev/userfaultfd", &st, out);
		if (!err)
			(*out)->mnt = m;
		return err;
	}
	if (i >= 0 && devtab[i].kind == D_TUN) {
		dev_stat(m, i, &st);
		err = tun_chr_open(flags, "/dev/net/tun", &st, out);
		if (!err)
			(*out)->mnt = m;
		return err;
	}
	if (i >= 0 && devtab[i].kind == D_KMSG) {
		dev_stat(m, i, &st);
		err = kmsg_open(current, flags, "/dev/kmsg", &st, out);
		if (!err)
			(*out)->mnt = m;
		return err;
	}
	if (i >= 0 && devtab[i].kind == D_TTY) {
		dev_stat(m, i, &st);
		fd = pty_open_ctty(current, flags, "/dev/tty", &st, out);
		if (fd != -ENXIO)
			return fd;
	}
	if (i >= 0 && S_ISLNK(devtab[i].mode))
		return -ELOOP;
	if (i < 0 || S_ISDIR(devtab[i].mode)) {
		f = file_alloc(&devfs_dir_ops, flags, rel);
	} else if (devtab[i].kind == D_TTY || devtab[i].kind == D_CONSOLE) {
		int src = devtab[i].kind == D_TTY ? 0 : 1;

		if (devtab[i].kind == D_TTY && !isatty(0))
			return -ENXIO;
		fd = fcntl(src, F_DUPFD_CLOEXEC, 3);
		if (fd < 0)
			return -errno;
		f = file_from_hostfd(fd, flags, rel, m);
		if (!f) {
			close(fd);
			return -ENOMEM;
		}
		*out = f;
		return 0;
	} else {
		f = file_alloc(&devfs_char_ops, flags, rel);
	}
	if (!f)
		return -ENOMEM;
	f->priv = (void *)(intptr_t)i;
	f->mnt = m;
	*out = f;
	return 0;
}

/*
 * devfs_open_rdev - open(2) of a device node made elsewhere (mknod on a
 * tmpfs, the overlay or the root): the kernel's own device of that
 * number, as Linux finds a driver by number: null 1:3, zero 1:5, full
 * 1:7, random 1:8, urandom 1:9; block 7:N the loop device N (bound or
 * not, as Linux opens an unbound one), 259:M a loop partition.  -ENXIO
 * for any other number (no driver).  Never a host device.  rel: the
 * file's name.
 */
int devfs_open_rdev(uint32_t mode, uint64_t rdev, int flags, const char *rel, struct file **out)
{
	if (S_ISBLK(mode) && major(rdev) == LOOP_MAJOR)
		return loop_open((int)minor(rdev), flags, rel, NULL, out);
	if (S_ISBLK(mode) && major(rdev) == BLKEXT_MAJOR)
		return loop_part_open((int)(minor(rdev) / BLK_MAX_PARTS),
				      (int)(minor(rdev) % BLK_MAX_PARTS) + 1, flags, rel, NULL, out);
	if (!S_ISCHR(mode))
		return -ENXIO;
	if (major(rdev) == 10 && minor(rdev) == 200) {       /* a tun node made with mknod */
		struct kstat st = { .mode = mode, .rdev = rdev };

		return tun_chr_open(flags, rel, &st, out);
	}
	for (int i = 0; i < (int)(sizeof(devtab) / sizeof(devtab[0])); i++) {
		const struct devent *d = &devtab[i];
		struct file *f;

		if (!S_ISCHR(d->mode) || d->kind > D_URANDOM || major(rdev) != d->major ||
		    minor(rdev) != d->minor)
			continue;
		f = file_alloc(&devfs_char_ops, flags, rel);
		if (!f)
			return -ENOMEM;
		f->priv = (void *)(intptr_t)i;
		*out = f;
		return 0;
	}
	return -ENXIO;
}

static int devfs_eperm(void)
{
	return -EPERM;
}

static int devfs_mkdir(struct mount *m, const char *rel, uint32_t mode)
{
	(void)m, (void)rel, (void)mode;
	return devfs_eperm();
}

static int devfs_mknod(struct mount *m, const char *rel, uint32_t mode, uint64_t dev)
{
	(void)m, (void)rel, (void)mode, (void)dev;
	return devfs_eperm();
}

static int devfs_rm(struct mount *m, const char *rel)
{
	(void)m, (void)rel;
	return devfs_eperm();
}

static int devfs_symlink(struct mount *m, const char *target, const char *rel)
{
	(void)m, (void)target, (void)rel;
	return devfs_eperm();
}

static int devfs_link(struct mount *m, const char *o, const char *n)
{
	(void)m, (void)o, (void)n;
	return devfs_eperm();
}

static int devfs_rename(struct mount *m, const char *o, const char *n, unsigned flags)
{
	(void)m, (void)o, (void)n, (void)flags;
	return devfs_eperm();
}

static int devfs_setattr(struct mount *m, const char *rel, int what, uint32_t mode, uint32_t uid,
			 uint32_t gid, const struct linux_timespec *ts)
{
	(void)m, (void)rel, (void)what, (void)mode, (void)uid, (void)gid, (void)ts;
	return 0;       /* accepted, not kept (chmod of /dev/null by init scripts) */
}

static int devfs_truncate(struct mount *m, const char *rel, uint64_t len)
{
	(void)m, (void)rel, (void)len;
	return 0;       /* O_TRUNC / truncate on a device does nothing */
}

static int devfs_statfs(struct mount *m, struct linux_statfs *st)
{
	memset(st, 0, sizeof(*st));
	st->f_type = 0x01021994;        /* devtmpfs reports TMPFS_MAGIC */
	st->f_bsize = st->f_frsize = 4096;
	st->f_files = st->f_ffree = 1024;
	st->f_fsid[0] = (int32_t)m->dev;
	st->f_namelen = 255;
	return 0;
}

const struct fs_ops devfs_ops = {
	.name = "devtmpfs",
	.lookup = devfs_lookup,
	.readlink = devfs_readlink,
	.open = devfs_open,
	.mkdir = devfs_mkdir,
	.mknod = devfs_mknod,
	.rmdir = devfs_rm,
	.unlink = devfs_rm,
	.symlink = devfs_symlink,
	.link = devfs_link,
	.rename = devfs_rename,
	.setattr = devfs_setattr,
	.truncate = devfs_truncate,
	.statfs = devfs_statfs,
};

/* ---- devpts as a mount of its own: mount -t devpts (bwrap's /dev/pts) ----
 * The same pseudo-terminals as /dev/pts (one instance: newinstance and
 * ptmxmode are accepted, not honoured): "" is the directory, "ptmx" and
 * "N" its nodes, served by the pts entries of devfs above. */

static const char *pts_rel(const char *rel, char *buf, size_t len)
{
	snprintf(buf, len, "pts%s%s", *rel ? "/" : "", rel);
	return buf;
}

static int devpts_fs_lookup(struct mount *m, const char *rel, struct kstat *st)
{
	char b[4096];

	return devfs_lookup(m, pts_rel(rel, b, sizeof(b)), st);
}

static int devpts_fs_open(struct mount *m, const char *rel, int flags, uint32_t mode,
			  struct file **out)
{
	char b[4096];

	if (flags & O_CREAT)
		return *rel && devpts_fs_lookup(m, rel, &(struct kstat){ 0 }) ? -EACCES : -EEXIST;
	return devfs_open(m, pts_rel(rel, b, sizeof(b)), flags, mode, out);
}

static int devpts_fs_statfs(struct mount *m, struct linux_statfs *st)
{
	memset(st, 0, sizeof(*st));
	st->f_type = 0x1cd1;            /* DEVPTS_SUPER_MAGIC */
	st->f_bsize = st->f_frsize = 4096;
	st->f_fsid[0] = (int32_t)m->dev;
	st->f_namelen = 255;
	return 0;
}

const struct fs_ops devpts_fs_ops = {
	.name = "devpts",
	.lookup = devpts_fs_lookup,
	.open = devpts_fs_open,
	.statfs = devpts_fs_statfs,
};
