/*
 * loop.c - loop block devices: /dev/loop-control and /dev/loop0..7, each
 * a block device whose bytes are those of a file of the guest's (Linux's
 * drivers/block/loop.c; man 4 loop).  Test suites (LTP's tst_device.c)
 * and image tools attach a file with LOOP_SET_FD or LOOP_CONFIGURE, read
 * and write the device, and detach it with LOOP_CLR_FD.
 *
 * In a nutshell: a loop_device holds a reference on its backing file
 * (any file of the guest: tmpfs, the root, ...); reads and writes of the
 * device go to that file at lo_offset, within the device's size (the
 * file's size less the offset, capped by lo_sizelimit, in whole 512-byte
 * sectors, recomputed at every access as LOOP_SET_CAPACITY would).  The
 * devices are the guest's alone: nothing of the host's /dev is opened.
 * ext2, ext3 and ext4 (fs/ext2.c) mount a loop device through the
 * loop_bdev_* block at the end; other block filesystems (xfs, btrfs...)
 * give ENODEV as Linux does for an unknown type.
 *
 * Not done: partitions (LO_FLAGS_PARTSCAN is kept and reported, no
 * loopNpM appears), encryption (lo_encrypt_type must be 0), direct I/O
 * beyond the flag, removal (LOOP_CTL_REMOVE of a free device succeeds
 * and the node stays).
 *
 * Locking: klock, held by the caller.
 */
#include "../kernel.h"
#include "fs.h"
#include "tmpfs.h"

#include <linux/loop.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#define LOOP_MAJOR   7
#define NR_LOOP      8
#define SECTOR       512ULL

/* block device ioctls (include/uapi/linux/fs.h) */
#define L_BLKROSET        0x125D
#define L_BLKROGET        0x125E
#define L_BLKRRPART       0x125F
#define L_BLKGETSIZE      0x1260
#define L_BLKFLSBUF       0x1261
#define L_BLKSSZGET       0x1268
#define L_BLKIOMIN        0x1278
#define L_BLKIOOPT        0x1279
#define L_BLKALIGNOFF     0x127A
#define L_BLKPBSZGET      0x127B
#define L_BLKROTATIONAL   0x127E
#define L_BLKBSZGET       0x80081270
#define L_BLKGETSIZE64    0x80081272

struct loop_device {
	struct file *backing;          /* referenced; NULL: unbound */
	uint64_t offset, sizelimit;    /* bytes */
	uint32_t flags;                /* LO_FLAGS_* */
	uint32_t block_size;           /* logical block size: 512..4096 */
	char file_name[LO_NAME_SIZE];
	int opens;                     /* open files of the device */
	bool ro_set;                   /* BLKROSET */
	bool rundown;                  /* LOOP_CLR_FD done: unbound at the last close */
};

static struct loop_device loops[NR_LOOP];

/* The device's size in bytes: the backing file's from the offset, capped
 * by sizelimit, whole sectors (Linux's get_loop_size). */
static uint64_t loop_size(struct loop_device *lo)
{
	struct kstat st;
	uint64_t size;

	if (!lo->backing || !lo->backing->ops->fstat || lo->backing->ops->fstat(lo->backing, &st))
		return 0;
	size = (uint64_t)st.size > lo->offset ? (uint64_t)st.size - lo->offset : 0;
	if (lo->sizelimit && lo->sizelimit < size)
		size = lo->sizelimit;
	return size & ~(SECTOR - 1);
}

static struct loop_device *LO(struct file *f)
{
	return f->priv;
}

static int loop_nr(struct loop_device *lo)
{
	return (int)(lo - loops);
}

static bool loop_ro(struct loop_device *lo)
{
	return lo->ro_set || (lo->flags & LO_FLAGS_READ_ONLY);
}

static ssize_t loop_read(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	struct loop_device *lo = LO(f);
	uint64_t size = loop_size(lo);
	int64_t p;
	ssize_t r;

	if (!lo->backing || (uint64_t)*pos >= size || !n)
		return 0;
	if (n > size - (uint64_t)*pos)
		n = size - (uint64_t)*pos;
	p = (int64_t)lo->offset + *pos;
	r = file_read(t, lo->backing, buf, n, &p);
	if (r > 0)
		*pos += r;
	return r;
}

static ssize_t loop_write(struct task *t, struct file *f, const void *buf, size_t n, int64_t *pos)
{
	struct loop_device *lo = LO(f);
	uint64_t size = loop_size(lo);
	int64_t p;
	ssize_t r;

	if (!n)
		return 0;
	if (loop_ro(lo))
		return -EPERM;
	/* past the end of a block device: ENOSPC (blkdev_write_iter) */
	if (!lo->backing || (uint64_t)*pos >= size)
		return -ENOSPC;
	if (n > size - (uint64_t)*pos)
		n = size - (uint64_t)*pos;
	p = (int64_t)lo->offset + *pos;
	r = file_write(t, lo->backing, buf, n, &p);
	if (r > 0)
		*pos += r;
	return r;
}

static int loop_fstat(struct file *f, struct kstat *st)
{
	memset(st, 0, sizeof(*st));
	if (f->mnt)
		st->dev = f->mnt->dev;
	st->ino = 100 + loop_nr(LO(f));
	st->nlink = 1;
	st->atime = st->mtime = st->ctime = ts_now();
	st->mode = S_IFBLK | 0660;
	st->rdev = makedev(LOOP_MAJOR, loop_nr(LO(f)));
	st->blksize = 4096;
	return 0;
}

/* SEEK_END is from the device's size (st_size of a block device is 0). */
static int64_t loop_llseek(struct file *f, int64_t off, int whence)
{
	int64_t end;

	if (whence != SEEK_END)
		return -EOPNOTSUPP;
	end = (int64_t)loop_size(LO(f)) + off;
	if (end < 0)
		return -EINVAL;
	f->pos = end;
	return end;
}

static int loop_fsync(struct file *f)
{
	struct loop_device *lo = LO(f);

	return lo->backing && lo->backing->ops->fsync ? lo->backing->ops->fsync(lo->backing) : 0;
}

static void loop_unbind(struct loop_device *lo)
{
	file_put(lo->backing);
	lo->backing = NULL;
	lo->offset = lo->sizelimit = 0;
	lo->flags = 0;
	lo->block_size = SECTOR;
	lo->ro_set = false;
	lo->rundown = false;
	memset(lo->file_name, 0, sizeof(lo->file_name));
}

/* Bound and not running down (Linux's Lo_bound). */
static bool loop_bound(struct loop_device *lo)
{
	return lo->backing && !lo->rundown;
}

static void loop_release(struct file *f)
{
	struct loop_device *lo = LO(f);

	/* the last close of a device with LO_FLAGS_AUTOCLEAR detaches it */
	if (--lo->opens == 0 && lo->backing && (lo->rundown || (lo->flags & LO_FLAGS_AUTOCLEAR)))
		loop_unbind(lo);
}

/* Validates and applies the settable part of a loop_info64 (Linux's
 * loop_set_status_from_info): 0 or -EINVAL. */
static int apply_info(struct loop_device *lo, const struct loop_info64 *info, bool configure)
{
	const uint32_t settable = LO_FLAGS_AUTOCLEAR | LO_FLAGS_PARTSCAN | (configure ? LO_FLAGS_READ_ONLY | LO_FLAGS_DIRECT_IO : 0);

	if (info->lo_encrypt_type || info->lo_encrypt_key_size)
		return -EINVAL;
	if (info->lo_offset > INT64_MAX || info->lo_sizelimit > INT64_MAX)
		return -EOVERFLOW;
	lo->offset = info->lo_offset;
	lo->sizelimit = info->lo_sizelimit;
	if (configure) {
		lo->flags = (lo->flags & LO_FLAGS_READ_ONLY) | (info->lo_flags & settable);
	} else {
		/* LOOP_SET_STATUS sets AUTOCLEAR and PARTSCAN, clears AUTOCLEAR */
		lo->flags |= info->lo_flags & (LO_FLAGS_AUTOCLEAR | LO_FLAGS_PARTSCAN);
		if (!(info->lo_flags & LO_FLAGS_AUTOCLEAR))
			lo->flags &= ~LO_FLAGS_AUTOCLEAR;
	}
	memcpy(lo->file_name, info->lo_file_name, LO_NAME_SIZE);
	lo->file_name[LO_NAME_SIZE - 1] = 0;
	return 0;
}

/* LOOP_SET_FD / LOOP_CONFIGURE: binds the file of the guest's fd. */
static int loop_bind(struct task *t, struct file *dev, struct loop_device *lo, int fd,
		     const struct loop_config *cfg)
{
	struct file *f;
	struct kstat st;
	int err;

	if (lo->backing)
		return -EBUSY;
	f = fd_get(t, fd);
	if (!f)
		return -EBADF;
	if (!f->ops->fstat || f->ops->fstat(f, &st) || (!S_ISREG(st.mode) && !S_ISBLK(st.mode)) ||
	    !f->ops->read) {
		file_put(f);
		return -EINVAL;
	}
	if (f->ops == dev->ops && LO(f) == lo) {
		file_put(f);
		return -EINVAL;          /* itself */
	}
	if (cfg && cfg->block_size && (cfg->block_size < 512 || cfg->block_size > 4096 ||
				       (cfg->block_size & (cfg->block_size - 1)))) {
		file_put(f);
		return -EINVAL;
	}
	lo->backing = f;
	lo->flags = 0;
	lo->block_size = cfg && cfg->block_size ? cfg->block_size : SECTOR;
	/* read-only when the file or the device is open read-only */
	if ((f->flags & O_ACCMODE) == O_RDONLY || (dev->flags & O_ACCMODE) == O_RDONLY || !f->ops->write)
		lo->flags |= LO_FLAGS_READ_ONLY;
	memset(lo->file_name, 0, sizeof(lo->file_name));   /* LOOP_SET_STATUS names it */
	if (cfg) {
		err = apply_info(lo, &cfg->info, true);
		if (err) {
			loop_unbind(lo);
			return err;
		}
	}
	return 0;
}

static void fill_info(struct loop_device *lo, struct loop_info64 *info)
{
	struct kstat st;

	memset(info, 0, sizeof(*info));
	if (lo->backing->ops->fstat && !lo->backing->ops->fstat(lo->backing, &st)) {
		info->lo_device = st.dev;
		info->lo_inode = st.ino;
		info->lo_rdevice = st.rdev;
	}
	info->lo_offset = lo->offset;
	info->lo_sizelimit = lo->sizelimit;
	info->lo_number = (uint32_t)loop_nr(lo);
	info->lo_flags = lo->flags;
	memcpy(info->lo_file_name, lo->file_name, LO_NAME_SIZE);
}

static int put_int(struct task *t, uint64_t arg, int v)
{
	return copy_to_user(t, arg, &v, sizeof v) ? -EFAULT : 0;
}

static int put_u64(struct task *t, uint64_t arg, uint64_t v)
{
	return copy_to_user(t, arg, &v, sizeof v) ? -EFAULT : 0;
}

/* ---- read-ahead of the devices: BLKRAGET/BLKRASET, BLKFRAGET/BLKFRASET ----
 * In pages, as the disk's bdi keeps it (blkdev_common_ioctl); reported
 * in 512-byte sectors.  Advice only: nothing reads ahead. */
static unsigned long loop_ra_pages[NR_LOOP] = { [0 ... NR_LOOP - 1] = 32 };   /* 128 KiB */

static long loop_ra_ioctl(struct task *t, int nr, unsigned int cmd, uint64_t arg)
{
	switch (cmd) {
	case 0x1263:             /* BLKRAGET */
	case 0x1265:             /* BLKFRAGET */
		if (!arg)
			return -EINVAL;
		return put_u64(t, arg, loop_ra_pages[nr] * 4096 / SECTOR);
	case 0x1262:             /* BLKRASET */
	case 0x1264:             /* BLKFRASET */
		if (!capable(t, CAP_SYS_ADMIN))
			return -EACCES;
		loop_ra_pages[nr] = arg * SECTOR / 4096;
		return 0;
	}
	return -ENOTTY;
}

/* lo_ioctl and blkdev_ioctl: the loop commands, then the block device's. */
static long loop_ioctl(struct task *t, struct file *f, unsigned int cmd, uint64_t arg)
{
	struct loop_device *lo = LO(f);
	struct loop_info64 info;
	struct loop_info old;
	struct loop_config cfg;
	int v;

	switch (cmd) {
	case LOOP_SET_FD:
		return loop_bind(t, f, lo, (int)arg, NULL);
	case LOOP_CONFIGURE:
		if (copy_from_user(t, &cfg, arg, sizeof cfg))
			return -EFAULT;
		for (size_t i = 0; i < ARRAY_SIZE(cfg.__reserved); i++)
			if (cfg.__reserved[i])
				return -EINVAL;
		return loop_bind(t, f, lo, (int)cfg.fd, &cfg);
	case LOOP_CLR_FD:
		if (!loop_bound(lo))
			return -ENXIO;
		/* still open elsewhere: detached at its last close; else it
		 * runs down (no status, not free) until this open is closed,
		 * as since Linux 5.19 */
		if (lo->opens > 1)
			lo->flags |= LO_FLAGS_AUTOCLEAR;
		else
			lo->rundown = true;
		return 0;
	case LOOP_SET_STATUS64:
		if (copy_from_user(t, &info, arg, sizeof info))
			return -EFAULT;
		if (!loop_bound(lo))
			return -ENXIO;
		return apply_info(lo, &info, false);
	case LOOP_GET_STATUS64:
		if (!arg)
			return -EINVAL;
		if (!loop_bound(lo))
			return -ENXIO;
		fill_info(lo, &info);
		return copy_to_user(t, arg, &info, sizeof info) ? -EFAULT : 0;
	case LOOP_SET_STATUS:
		if (copy_from_user(t, &old, arg, sizeof old))
			return -EFAULT;
		if (!loop_bound(lo))
			return -ENXIO;
		memset(&info, 0, sizeof info);
		info.lo_offset = (uint64_t)(int64_t)old.lo_offset;
		info.lo_sizelimit = lo->sizelimit;
		info.lo_encrypt_type = (uint32_t)old.lo_encrypt_type;
		info.lo_encrypt_key_size = (uint32_t)old.lo_encrypt_key_size;
		info.lo_flags = (uint32_t)old.lo_flags;
		memcpy(info.lo_file_name, old.lo_name, LO_NAME_SIZE);
		return apply_info(lo, &info, false);
	case LOOP_GET_STATUS:
		if (!arg)
			return -EINVAL;
		if (!loop_bound(lo))
			return -ENXIO;
		fill_info(lo, &info);
		memset(&old, 0, sizeof old);
		old.lo_number = (int)info.lo_number;
		old.lo_device = info.lo_device;
		old.lo_inode = info.lo_inode;
		old.lo_rdevice = info.lo_rdevice;
		if (info.lo_offset > INT32_MAX)
			return -EOVERFLOW;
		old.lo_offset = (int)info.lo_offset;
		old.lo_flags = (int)info.lo_flags;
		memcpy(old.lo_name, info.lo_file_name, LO_NAME_SIZE);
		return copy_to_user(t, arg, &old, sizeof old) ? -EFAULT : 0;
	case LOOP_CHANGE_FD: {
		struct file *nf;
		struct kstat a, b;

		if (!loop_bound(lo))
			return -ENXIO;
		if (!(lo->flags & LO_FLAGS_READ_ONLY))
			return -EINVAL;
		nf = fd_get(t, (int)arg);
		if (!nf)
			return -EBADF;
		if (!nf->ops->fstat || nf->ops->fstat(nf, &b) || !S_ISREG(b.mode) ||
		    lo->backing->ops->fstat(lo->backing, &a) || a.size != b.size) {
			file_put(nf);
			return -EINVAL;
		}
		file_put(lo->backing);
		lo->backing = nf;
		return 0;
	}
	case LOOP_SET_CAPACITY:
		return loop_bound(lo) ? 0 : -ENXIO;
	case LOOP_SET_DIRECT_IO:
		if (!loop_bound(lo))
			return -ENXIO;
		if (arg)
			lo->flags |= LO_FLAGS_DIRECT_IO;
		else
			lo->flags &= ~LO_FLAGS_DIRECT_IO;
		return 0;
	case LOOP_SET_BLOCK_SIZE:
		if (!loop_bound(lo))
			return -ENXIO;
		if (arg < 512 || arg > 4096 || (arg & (arg - 1)))
			return -EINVAL;
		lo->block_size = (uint32_t)arg;
		return 0;
	case L_BLKGETSIZE64:
		return put_u64(t, arg, loop_size(lo));
	case L_BLKGETSIZE:
		return put_u64(t, arg, loop_size(lo) / SECTOR);
	case L_BLKSSZGET:
		return put_int(t, arg, (int)lo->block_size);
	case L_BLKPBSZGET:
	case L_BLKIOMIN:
		return put_int(t, arg, (int)lo->block_size);
	case L_BLKIOOPT:
	case L_BLKALIGNOFF:
		return put_int(t, arg, 0);
	case L_BLKBSZGET:
		return put_int(t, arg, 4096);
	case L_BLKROGET:
		return put_int(t, arg, loop_ro(lo));
	case L_BLKROTATIONAL:
		return copy_to_user(t, arg, &(unsigned short){ 0 }, sizeof(unsigned short)) ? -EFAULT : 0;
	case L_BLKROSET:
		if (!capable(t, CAP_SYS_ADMIN))
			return -EACCES;
		if (copy_from_user(t, &v, arg, sizeof v))
			return -EFAULT;
		lo->ro_set = v != 0;
		return 0;
	case L_BLKFLSBUF:
		return capable(t, CAP_SYS_ADMIN) ? 0 : -EACCES;
	case L_BLKRRPART:
		if (!capable(t, CAP_SYS_ADMIN))
			return -EACCES;
		return lo->backing && (lo->flags & LO_FLAGS_PARTSCAN) ? 0 : -EINVAL;
	}
	return loop_ra_ioctl(t, loop_nr(lo), cmd, arg);
}

static const struct file_ops loop_ops = {
	.read = loop_read,
	.write = loop_write,
	.fstat = loop_fstat,
	.ioctl = loop_ioctl,
	.fsync = loop_fsync,
	.llseek = loop_llseek,
	.release = loop_release,
	.seekable = true,
};

/* loop_open - an open of /dev/loopNR: 0 and the file in *out, or -ENOMEM. */
int loop_open(int nr, int flags, const char *path, struct mount *m, struct file **out)
{
	struct file *f;

	if (nr < 0 || nr >= NR_LOOP)
		return -ENXIO;
	f = file_alloc(&loop_ops, flags, path);
	if (!f)
		return -ENOMEM;
	f->priv = &loops[nr];
	f->mnt = m;
	if (!loops[nr].block_size)
		loops[nr].block_size = SECTOR;
	loops[nr].opens++;
	*out = f;
	return 0;
}

/* ---- /dev/loop-control (loop_control_ioctl) ---- */

static long loopctl_ioctl(struct task *t, struct file *f, unsigned int cmd, uint64_t arg)
{
	(void)t, (void)f;
	switch (cmd) {
	case LOOP_CTL_GET_FREE:
		for (int i = 0; i < NR_LOOP; i++)
			if (!loops[i].backing)
				return i;   /* (one running down still has its file) */
		return -ENOSPC;
	case LOOP_CTL_ADD:
		if ((int64_t)arg >= 0 && arg < NR_LOOP)
			return -EEXIST;
		if ((int64_t)arg < 0) {
			for (int i = 0; i < NR_LOOP; i++)
				if (!loops[i].backing)
					return -EEXIST;
		}
		return -ENOMEM;          /* a fixed set of NR_LOOP devices */
	case LOOP_CTL_REMOVE:
		if (arg >= NR_LOOP)
			return -ENODEV;
		return loops[arg].backing || loops[arg].opens ? -EBUSY : 0;
	}
	return -ENOSYS;
}

static ssize_t loopctl_rw(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	(void)t, (void)f, (void)buf, (void)n, (void)pos;
	return -EINVAL;
}

static ssize_t loopctl_write(struct task *t, struct file *f, const void *buf, size_t n, int64_t *pos)
{
	(void)t, (void)f, (void)buf, (void)n, (void)pos;
	return -EINVAL;
}

static int loopctl_fstat(struct file *f, struct kstat *st)
{
	memset(st, 0, sizeof(*st));
	if (f->mnt)
		st->dev = f->mnt->dev;
	st->ino = 99;
	st->nlink = 1;
	st->mode = S_IFCHR | 0660;
	st->gid = 6;
	st->rdev = makedev(10, 237);
	st->blksize = 4096;
	st->atime = st->mtime = st->ctime = ts_now();
	return 0;
}

static const struct file_ops loopctl_ops = {
	.read = loopctl_rw,
	.write = loopctl_write,
	.fstat = loopctl_fstat,
	.ioctl = loopctl_ioctl,
};

/* loopctl_open - an open of /dev/loop-control: 0 and *out, or -ENOMEM. */
int loopctl_open(int flags, const char *path, struct mount *m, struct file **out)
{
	struct file *f = file_alloc(&loopctl_ops, flags, path);

	if (!f)
		return -ENOMEM;
	f->mnt = m;
	*out = f;
	return 0;
}

/* ---- the block device seen by a filesystem that lives on it (fs/ext2.c) ----
 * A mount holds an open of the device (so LOOP_CLR_FD only marks it for
 * autoclear until the umount), and its I/O goes through loop_read and
 * loop_write as the device node's read(2) and write(2) do. */

/*
 * loop_bdev_open - the loop device named by path (a mount's source,
 * walked for t, symlinks followed), opened with flags: 0 and the open
 * file in *out, or -ENOENT/-ENOTDIR... (the walk), -ENOTBLK (not a block
 * device node), -ENXIO (not a loop device), -EIO (a loop device with no
 * file: Linux opens it and fails to read the superblock from its zero
 * bytes), -EACCES (a nodev mount).  Mirrors lookup_bdev and
 * blkdev_get_by_path.
 */
int loop_bdev_open(struct task *t, const char *path, int flags, struct file **out)
{
	struct nameidata *nd;
	unsigned int nr;
	int err;

	if (!path || !*path)
		return -ENOENT;
	nd = malloc(sizeof *nd);
	if (!nd)
		return -ENOMEM;
	err = vfs_walk(t, AT_FDCWD, path, WALK_FOLLOW, nd);
	if (!err && !nd->exists)
		err = -ENOENT;
	if (!err && !S_ISBLK(nd->st.mode))
		err = -ENOTBLK;
	if (!err && nd->mnt && (nd->mnt->mflags & MS_NODEV))
		err = -EACCES;
	nr = minor(nd->st.rdev);
	if (!err && (major(nd->st.rdev) != LOOP_MAJOR || nr >= NR_LOOP))
		err = -ENXIO;
	if (!err && !loop_bound(&loops[nr]))
		err = -EIO;
	if (!err)
		err = loop_open((int)nr, flags, nd->abs, NULL, out);
	nd_release(nd);
	free(nd);
	return err;
}

/* loop_bdev_nr - the device number (N of loopN) of an open loop device. */
int loop_bdev_nr(struct file *bdev)
{
	return loop_nr(LO(bdev));
}

/* loop_bdev_size - its size in bytes; loop_bdev_ro - whether writes fail. */
uint64_t loop_bdev_size(struct file *bdev)
{
	return loop_size(LO(bdev));
}

bool loop_bdev_ro(struct file *bdev)
{
	return loop_ro(LO(bdev));
}

/* loop_bdev_rw - n bytes at byte offset off of the device to (write
 * false) or from buf: the count moved (short at the device's end), or
 * -errno (-EPERM read-only, -EIO...).  Through loop_read/loop_write. */
ssize_t loop_bdev_rw(struct file *bdev, void *buf, size_t n, uint64_t off, bool write)
{
	int64_t pos = (int64_t)off;
	size_t done = 0;
	ssize_t r;

	while (done < n) {
		r = write ? loop_write(current, bdev, (char *)buf + done, n - done, &pos)
			  : loop_read(current, bdev, (char *)buf + done, n - done, &pos);
		if (r < 0)
			return done ? (ssize_t)done : r;
		if (r == 0)
			break;
		done += (size_t)r;
	}
	return (ssize_t)done;
}

/* loop_bdev_sync - the backing file's fsync (the device's). */
int loop_bdev_sync(struct file *bdev)
{
	return loop_fsync(bdev);
}
