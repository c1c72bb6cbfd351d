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
 * umk has no filesystem that lives on a block device (ext4, xfs...):
 * mount(2) of one gives ENODEV as Linux does for an unknown type, so a
 * loop device carries data, never a mounted filesystem.
 *
 * All I/O of a device goes through loop_io, which counts it in the
 * disk's statistics (/sys/block/loopN/stat, /proc/diskstats).  With
 * LO_FLAGS_PARTSCAN, the primary partitions of an MBR become loopNpM
 * (block 259:M, /dev/loopNpM; loop_scan_parts).  sysfs_block.c shows
 * the state loop_blk_info gives (blkdev.h).
 *
 * Not done: extended, logical and GPT partitions, encryption
 * (lo_encrypt_type must be 0), direct I/O beyond the flag, removal
 * (LOOP_CTL_REMOVE of a free device succeeds and the node stays).
 *
 * Locking: klock, held by the caller.
 */
#include "../kernel.h"
#include "fs.h"
#include "blkdev.h"
#include "tmpfs.h"

#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

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

struct loop_device;
/* A partition found by the partition scan: sectors start..start+sects. */
struct loop_part {
	struct loop_device *lo;
	int partno;                    /* 1..BLK_MAX_PARTS: the MBR slot */
	uint64_t start, sects;
	struct blk_stats stats;
	bool swap;                     /* an active swap area (S_SWAPFILE) */
	int opens;                     /* its open files */
};

struct loop_device {
	struct file *backing;          /* referenced; NULL: unbound */
	uint64_t offset, sizelimit;    /* bytes */
	uint32_t flags;                /* LO_FLAGS_* */
	uint32_t block_size;           /* logical block size: 512..4096 */
	char file_name[LO_NAME_SIZE];
	int opens;                     /* open files of the device */
	bool ro_set;                   /* BLKROSET */
	bool rundown;                  /* LOOP_CLR_FD done: unbound at the last close */
	struct blk_stats stats;        /* the disk's I/O, kept across binds as Linux keeps it */
	bool swap;                     /* an active swap area (S_SWAPFILE) */
	int nparts;
	struct loop_part parts[BLK_MAX_PARTS];
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

/* One open of a device or partition: f->priv. */
struct loop_file {
	struct loop_device *lo;
	struct loop_part *pt;          /* a partition's; NULL: the whole device */
	bool has_node;
	struct kstat node;             /* the node it was opened by: fstat shows it */
};

static struct loop_device *LO(struct file *f)
{
	return ((struct loop_file *)f->priv)->lo;
}

/* A new open of lo (pt: of its partition) as path: NULL if out of memory. */
static struct file *loop_file_new(const struct file_ops *ops, struct loop_device *lo,
				  struct loop_part *pt, int flags, const char *path, struct mount *m)
{
	struct loop_file *lf = calloc(1, sizeof(*lf));
	struct file *f = lf ? file_alloc(ops, flags, path) : NULL;

	if (!f) {
		free(lf);
		return NULL;
	}
	lf->lo = lo;
	lf->pt = pt;
	f->priv = lf;
	f->mnt = m;
	lo->opens++;
	return f;
}

/* blkdev_file_node - see blkdev.h. */
void blkdev_file_node(struct file *f, const struct kstat *node)
{
	uint64_t rdev;
	struct loop_file *lf;

	if (!file_is_loop(f, &rdev))
		return;
	lf = f->priv;
	lf->node = *node;
	lf->has_node = true;
}

static int loop_nr(struct loop_device *lo)
{
	return (int)(lo - loops);
}

static bool loop_ro(struct loop_device *lo)
{
	return lo->ro_set || (lo->flags & LO_FLAGS_READ_ONLY);
}

/* One transfer's counts in st (blk_account_io_done): a request, its
 * sectors (rounded up) and the time it took, ms, ending at end (ms).
 * io_ticks grows by that time, and by at least one tick for a request
 * in a tick none was counted in (update_io_ticks: a device that did
 * I/O never shows 0). */
static void blk_account(struct blk_stats *st, bool write, size_t bytes, uint64_t ms, uint64_t end)
{
	st->ios[write]++;
	st->sectors[write] += (bytes + SECTOR - 1) / SECTOR;
	st->ticks[write] += ms;
	if (end != st->stamp)
		st->io_ticks += ms ? ms : 1;
	st->stamp = end;
}

/*
 * loop_io - every transfer of a loop device goes through here (read(2)
 * and write(2) of the node or a partition, the partition scan, a
 * filesystem's block I/O): n bytes at byte off of the device (lo_offset
 * is added here) from or to the backing file, counted in the disk's
 * statistics and in partition pt's (NULL: none) as the block layer
 * counts a request.  The count moved, or -errno.  The caller has checked
 * the bounds and that lo is bound.
 */
static ssize_t loop_io(struct task *t, struct loop_device *lo, struct loop_part *pt, bool write,
		       void *buf, size_t n, uint64_t off)
{
	uint64_t t0 = now_ns(CLOCK_MONOTONIC), t1, ms;
	int64_t p = (int64_t)(lo->offset + off);
	ssize_t r = write ? file_write(t, lo->backing, buf, n, &p) : file_read(t, lo->backing, buf, n, &p);

	if (r > 0) {
		t1 = now_ns(CLOCK_MONOTONIC);
		ms = (t1 - t0) / 1000000;
		blk_account(&lo->stats, write, (size_t)r, ms, t1 / 1000000);
		if (pt)
			blk_account(&pt->stats, write, (size_t)r, ms, t1 / 1000000);
	}
	return r;
}

/* A partition's size in bytes: its sectors, within the device's. */
static uint64_t part_size(struct loop_part *pt)
{
	uint64_t size = loop_size(pt->lo), start = pt->start * SECTOR;

	if (start >= size)
		return 0;
	return size - start < pt->sects * SECTOR ? size - start : pt->sects * SECTOR;
}

/* read(2) and write(2) of the device (pt NULL) or of partition pt: within
 * its size, at *pos (advanced).  Reads past the end give 0, writes
 * ENOSPC (blkdev_write_iter); writes of a read-only device EPERM. */
static ssize_t loop_rw(struct task *t, struct loop_device *lo, struct loop_part *pt, bool write,
		       void *buf, size_t n, int64_t *pos)
{
	uint64_t size = pt ? part_size(pt) : loop_size(lo), base = pt ? pt->start * SECTOR : 0;
	ssize_t r;

	if (!n)
		return 0;
	if (write && loop_ro(lo))
		return -EPERM;
	if (write && (pt ? pt->swap : lo->swap))
		return -ETXTBSY;             /* an active swap area (blkdev_write_iter) */
	if (!lo->backing || (uint64_t)*pos >= size)
		return write ? -ENOSPC : 0;
	if (n > size - (uint64_t)*pos)
		n = size - (uint64_t)*pos;
	r = loop_io(t, lo, pt, write, buf, n, base + (uint64_t)*pos);
	if (r > 0)
		*pos += r;
	return r;
}

static ssize_t loop_read(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	return loop_rw(t, LO(f), NULL, false, buf, n, pos);
}

static ssize_t loop_write(struct task *t, struct file *f, const void *buf, size_t n, int64_t *pos)
{
	return loop_rw(t, LO(f), NULL, true, (void *)buf, n, pos);
}

static int loop_fstat(struct file *f, struct kstat *st)
{
	struct loop_file *lf = f->priv;

	if (lf->has_node) {
		*st = lf->node;
		return 0;
	}
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

	lo->stats.flush_ios++;
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
	lo->nparts = 0;
	lo->swap = false;
	sysfs_block_changed(loop_nr(lo));
}

/* Bound and not running down (Linux's Lo_bound). */
static bool loop_bound(struct loop_device *lo)
{
	return lo->backing && !lo->rundown;
}

static uint32_t get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * loop_scan_parts - the partition scan of a device with LO_FLAGS_PARTSCAN
 * (Linux's bdev_disk_changed with block/partitions/msdos.c): the primary
 * partitions of an MBR (0x55 0xAA at byte 510) become loopNpM, M the
 * slot (1-4), sized within the device.  Extended partitions, their
 * logical ones and GPT are not read.  Without the flag, or unbound, the
 * device has none.  sysfs follows.  0, or -EBUSY while a partition is
 * open (nothing changes).
 */
static int loop_scan_parts(struct task *t, struct loop_device *lo)
{
	unsigned char mbr[512];
	uint64_t dev_sects = loop_size(lo) / SECTOR;

	for (int i = 0; i < lo->nparts; i++)
		if (lo->parts[i].opens)
			return -EBUSY;       /* bdev_disk_changed: a partition is open */
	lo->nparts = 0;
	if (loop_bound(lo) && (lo->flags & LO_FLAGS_PARTSCAN) && dev_sects &&
	    loop_io(t, lo, NULL, false, mbr, sizeof mbr, 0) == (ssize_t)sizeof mbr &&
	    mbr[510] == 0x55 && mbr[511] == 0xAA) {
		for (int i = 0; i < 4; i++) {
			const unsigned char *e = mbr + 446 + 16 * i;
			uint8_t type = e[4];
			uint64_t start = get_le32(e + 8), sects = get_le32(e + 12);

			if (!type || !sects || type == 0x05 || type == 0x0f || type == 0x85 ||
			    type == 0xee || start >= dev_sects)
				continue;
			if (sects > dev_sects - start)
				sects = dev_sects - start;
			lo->parts[lo->nparts] = (struct loop_part){ .lo = lo, .partno = i + 1,
								    .start = start, .sects = sects };
			lo->nparts++;
		}
	}
	sysfs_block_changed(loop_nr(lo));
	return 0;
}

static void loop_release(struct file *f)
{
	struct loop_device *lo = LO(f);

	free(f->priv);
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
	loop_scan_parts(t, lo);
	return 0;
}

/* LOOP_SET_STATUS(64): a partition scan follows when it sets
 * LO_FLAGS_PARTSCAN (loop_set_status's loop_reread_partitions). */
static int set_status(struct task *t, struct loop_device *lo, const struct loop_info64 *info)
{
	bool scan = !(lo->flags & LO_FLAGS_PARTSCAN) && (info->lo_flags & LO_FLAGS_PARTSCAN);
	int err = apply_info(lo, info, false);

	if (!err && scan)
		loop_scan_parts(t, lo);   /* its failure is not the call's (loop_reread_partitions) */
	return err;
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
		return set_status(t, lo, &info);
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
		return set_status(t, lo, &info);
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
		if (!loop_bound(lo) || !(lo->flags & LO_FLAGS_PARTSCAN))
			return -EINVAL;
		return loop_scan_parts(t, lo);
	}
	return -ENOTTY;
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
	f = loop_file_new(&loop_ops, &loops[nr], NULL, flags, path, m);
	if (!f)
		return -ENOMEM;
	if (!loops[nr].block_size)
		loops[nr].block_size = SECTOR;
	*out = f;
	return 0;
}

/* ---- partitions: /dev/loopNpM ---- */

static struct loop_part *PT(struct file *f)
{
	return ((struct loop_file *)f->priv)->pt;
}

static ssize_t part_read(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	return loop_rw(t, PT(f)->lo, PT(f), false, buf, n, pos);
}

static ssize_t part_write(struct task *t, struct file *f, const void *buf, size_t n, int64_t *pos)
{
	return loop_rw(t, PT(f)->lo, PT(f), true, (void *)buf, n, pos);
}

static int part_fstat(struct file *f, struct kstat *st)
{
	struct loop_part *pt = PT(f);

	if (((struct loop_file *)f->priv)->has_node)
		return loop_fstat(f, st);
	loop_fstat(f, st);
	st->ino = 200 + loop_nr(pt->lo) * BLK_MAX_PARTS + pt->partno;
	st->rdev = makedev(BLKEXT_MAJOR, loop_nr(pt->lo) * BLK_MAX_PARTS + pt->partno - 1);
	return 0;
}

static int64_t part_llseek(struct file *f, int64_t off, int whence)
{
	int64_t end;

	if (whence != SEEK_END)
		return -EOPNOTSUPP;
	end = (int64_t)part_size(PT(f)) + off;
	if (end < 0)
		return -EINVAL;
	f->pos = end;
	return end;
}

/* blkdev_ioctl on a partition: its size, the disk's block sizes. */
static long part_ioctl(struct task *t, struct file *f, unsigned int cmd, uint64_t arg)
{
	struct loop_device *lo = PT(f)->lo;

	switch (cmd) {
	case L_BLKGETSIZE64:
		return put_u64(t, arg, part_size(PT(f)));
	case L_BLKGETSIZE:
		return put_u64(t, arg, part_size(PT(f)) / SECTOR);
	case L_BLKSSZGET:
	case L_BLKPBSZGET:
	case L_BLKIOMIN:
		return put_int(t, arg, (int)lo->block_size);
	case L_BLKBSZGET:
		return put_int(t, arg, 4096);
	case L_BLKROGET:
		return put_int(t, arg, loop_ro(lo));
	case L_BLKFLSBUF:
		return capable(t, CAP_SYS_ADMIN) ? 0 : -EACCES;
	case L_BLKRRPART:
		return -EINVAL;
	}
	return -ENOTTY;
}

static int part_fsync(struct file *f)
{
	struct loop_device *lo = PT(f)->lo;

	lo->stats.flush_ios++;
	PT(f)->stats.flush_ios++;
	return lo->backing && lo->backing->ops->fsync ? lo->backing->ops->fsync(lo->backing) : 0;
}

static void part_release(struct file *f)
{
	struct loop_device *lo = PT(f)->lo;

	PT(f)->opens--;
	free(f->priv);
	if (--lo->opens == 0 && lo->backing && (lo->rundown || (lo->flags & LO_FLAGS_AUTOCLEAR)))
		loop_unbind(lo);
}

static const struct file_ops loop_part_ops = {
	.read = part_read,
	.write = part_write,
	.fstat = part_fstat,
	.ioctl = part_ioctl,
	.fsync = part_fsync,
	.llseek = part_llseek,
	.release = part_release,
	.seekable = true,
};

/* loop_part_open - an open of /dev/loopNRpPART (blkdev.h). */
int loop_part_open(int nr, int part, int flags, const char *path, struct mount *m,
		   struct file **out)
{
	struct loop_device *lo;
	struct file *f;

	if (nr < 0 || nr >= NR_LOOP)
		return -ENXIO;
	lo = &loops[nr];
	for (int i = 0; i < lo->nparts; i++) {
		if (lo->parts[i].partno != part)
			continue;
		f = loop_file_new(&loop_part_ops, lo, &lo->parts[i], flags, path, m);
		if (!f)
			return -ENOMEM;
		lo->parts[i].opens++;
		*out = f;
		return 0;
	}
	return -ENXIO;
}

/* file_is_loop - whether f is an open loop device or partition (*rdev
 * its number). */
bool file_is_loop(struct file *f, uint64_t *rdev)
{
	struct kstat st;

	if (f->ops != &loop_ops && f->ops != &loop_part_ops)
		return false;
	f->ops->fstat(f, &st);
	*rdev = st.rdev;
	return true;
}

/* loop_set_swap - marks the device or partition open as f as an active
 * swap area (on) or no longer (blkdev.h): its writes give ETXTBSY. */
void loop_set_swap(struct file *f, bool on)
{
	struct loop_file *lf = f->priv;
	uint64_t rdev;

	if (!file_is_loop(f, &rdev))
		return;
	if (lf->pt)
		lf->pt->swap = on;
	else
		lf->lo->swap = on;
}

/* ---- the state sysfs and procfs show (blkdev.h) ---- */

int loop_count(void)
{
	return NR_LOOP;
}

/* loop_blk_info - loopNR's state in *bi (its backing path points into the
 * backing file: valid until the next change): 0 or -ENODEV. */
int loop_blk_info(int nr, struct blk_info *bi)
{
	struct loop_device *lo;

	if (nr < 0 || nr >= NR_LOOP)
		return -ENODEV;
	lo = &loops[nr];
	memset(bi, 0, sizeof(*bi));
	snprintf(bi->name, sizeof bi->name, "loop%d", nr);
	bi->major = LOOP_MAJOR;
	bi->minor = (unsigned int)nr;
	bi->sectors = loop_size(lo) / SECTOR;
	bi->ro = loop_ro(lo);
	bi->lbs = lo->block_size ? lo->block_size : SECTOR;
	bi->stats = lo->stats;
	bi->bound = lo->backing != NULL;
	if (bi->bound) {
		bi->backing = lo->backing->path ? lo->backing->path : "";
		bi->offset = lo->offset;
		bi->sizelimit = lo->sizelimit;
		bi->autoclear = lo->flags & LO_FLAGS_AUTOCLEAR;
		bi->partscan = lo->flags & LO_FLAGS_PARTSCAN;
		bi->dio = lo->flags & LO_FLAGS_DIRECT_IO;
	}
	bi->nparts = lo->nparts;
	for (int i = 0; i < lo->nparts; i++) {
		struct loop_part *pt = &lo->parts[i];
		struct blk_part_info *pi = &bi->parts[i];

		snprintf(pi->name, sizeof pi->name, "loop%dp%d", nr, pt->partno);
		pi->partno = pt->partno;
		pi->major = BLKEXT_MAJOR;
		pi->minor = (unsigned int)(nr * BLK_MAX_PARTS + pt->partno - 1);
		pi->start = pt->start;
		pi->sectors = part_size(pt) / SECTOR;
		pi->stats = pt->stats;
	}
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
