/*
 * ext2.c - ext2, ext3 and ext4 on a loop device (Linux's fs/ext2 and
 * fs/ext4; man 5 ext4).
 *
 * In a nutshell: the on-disk format is libext2fs's business (e2fsprogs'
 * library, as fuse2fs uses it); the VFS semantics are ours.  A mount
 * opens the loop device named by its source (loop_bdev_open: a block
 * device node of a bound loop device, ENOTBLK/ENXIO otherwise) and hands
 * libext2fs an io_manager of our own (ext2_io.c: a write-back block
 * cache, written back at the sync points below) whose block I/O is
 * the device's (loop_bdev_rw, the path read(2)/write(2) of /dev/loopN
 * take): nothing of the host is opened by name.  Paths come from the VFS
 * already resolved but for the last component; they are looked up with
 * ext2fs_namei from the root on each call (no dentry cache).
 *
 * Files: a regular file's bytes are read and written through
 * ext2fs_file_*, so a full filesystem gives ENOSPC at write(2) time.
 * mmap needs a host fd: the first one made of an inode loads the file
 * into a memfd (its page cache) that read and write then keep coherent,
 * and that is written back to the image by fsync, fdatasync, msync
 * (MS_SYNC), sync, syncfs and the last close.  Which pages Linux would
 * have cached is mm/pagecache.c's (e2_pcache: reads and writes report
 * their ranges; a mapping pins the inode's pages; e2_page_dirty tells
 * a memfd page that differs from the image), and a write fault into a
 * page grown past by ftruncate gets its blocks from e2_page_mkwrite
 * (ext3/ext4; SIGBUS when full).  Inodes that are open keep
 * an e2node (open count, fifo, memfd); one whose last link goes while it
 * is open is freed at its last close (Linux's orphan, kept in memory
 * only).  Allocation bitmaps, group descriptors and the superblock are
 * written by ext2fs_flush at fsync/sync/syncfs, at a remount read-only
 * and at the umount (ext2fs_close): after a umount `e2fsck -fn` finds the
 * image clean.
 *
 * Not done: the journal of ext3/ext4 is neither replayed nor written
 * (changes go straight to their blocks, so a crash of umk in the middle
 * may leave the image for e2fsck; an image whose journal needs recovery
 * mounts only read-only), quotas, casefolding (EOPNOTSUPP), atime
 * updates but for directories'.  POSIX ACLs are the VFS's (posix_acl.c):
 * here only stored, read at lookup and changed by chmod.
 *
 * Encryption (the encrypt feature; fscrypt.c holds the crypto and the
 * ioctls, as Linux's fs/crypto/): a context is the xattr "c" of index 9
 * with EXT4_ENCRYPT_FL; an encrypted directory's names are ciphertext,
 * looked up by encrypting the name (or by no-key name without the key:
 * a linear scan, no dcache); an encrypted file's blocks are read and
 * written whole, decrypted and encrypted here; an encrypted symlink holds
 * fscrypt_symlink_data.  A ciphertext name with a NUL byte is linked by
 * libext2fs under a stand-in name then rewritten in place (in an htree
 * directory it then sits in the stand-in's hash bucket).
 * fallocate as ext4's for files with extents (EOPNOTSUPP for ext2/ext3's
 * block-mapped ones), SEEK_DATA/SEEK_HOLE from the block map.
 *
 * ext2 refuses images with features Linux's ext2 lacks (extents,
 * 64bit, flex_bg...: EINVAL); ext3 also takes a journal; ext4 takes what
 * libext2fs supports.
 *
 * Locking: klock, held by every caller; libext2fs is never entered
 * concurrently (block I/O keeps klock).  The image is guest data: every
 * libext2fs error becomes an errno (EUCLEAN for corruption, EIO...).
 */
#include "../kernel.h"
#include "fs.h"
#include "tmpfs.h"
#include "blkdev.h"
#include "ext2_io.h"
#include "../mm/mm.h"
#include "fscrypt.h"
#include "posix_acl.h"

#include <ext2fs/ext2_fs.h>
#include <ext2fs/ext2fs.h>
#include <et/com_err.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define EXT2_SUPER_MAGIC_  0xEF53
#define L_XATTR_CREATE     1
#define L_XATTR_REPLACE    2
#define L_FS_IOC_GETFLAGS    0x80086601
#define L_FS_IOC_SETFLAGS    0x40086602
#define L_FS_IOC_GETVERSION  0x80087601
#define L_CAP_LINUX_IMMUTABLE 9
#define STATX_ATTR_COMPRESSED_ 0x04

/* One open inode. */
struct e2node {
	struct list_head link;        /* e2fs.nodes */
	ext2_ino_t ino;
	int opens;                    /* open files */
	void *fifo;                   /* fifo: pipe.c's object */
	int memfd;                    /* page cache for mmap, or -1 */
	bool orphan;                  /* no link left: freed at the last close */
	bool has_key;                 /* an encrypted file's key, taken at open */
	struct fscrypt_fkey fkey;
};

/* One mounted image (shared by the mounts of one device). */
struct e2fs {
	struct list_head link;        /* all_fs */
	int refs;                     /* 1: the super_block's */
	struct super_block *sb;       /* its one super_block (shared by its mounts) */
	int writers;                  /* files open for writing (a remount ro: EBUSY) */
	struct dcdir *dcache;         /* the name cache (directories' names) */
	size_t dc_names;
	ext2_filsys fs;
	struct file *bdev;            /* the loop device, open */
	int nr;                       /* N of /dev/loopN */
	bool ro;                      /* opened read-only (device or recovery) */
	struct list_head nodes;       /* struct e2node */
	uint32_t generation;
	bool aborted;                 /* remount's "abort": shut down, errors no longer reported */
	struct fscrypt_keyring *fskeys; /* fscrypt's master keys (the encrypt feature) */
};

static struct list_head all_fs = { &all_fs, &all_fs };

static struct e2fs *E(struct mount *m)
{
	return m->priv;
}

/* ---- errors ---- */

/* A libext2fs error as a negative errno. */
static int e2err(errcode_t err)
{
	if (!err)
		return 0;
	if (err > 0 && err < 256)
		return -(int)err;
	switch (err) {
	case EXT2_ET_NO_MEMORY:
		return -ENOMEM;
	case EXT2_ET_BLOCK_ALLOC_FAIL:
	case EXT2_ET_INODE_ALLOC_FAIL:
	case EXT2_ET_DIR_NO_SPACE:
	case EXT2_ET_EA_NO_SPACE:
	case EXT2_ET_DIR_NO_SPACE_FOR_CSUM:
	case EXT2_ET_INLINE_DATA_NO_SPACE:
	case EXT2_ET_TOOSMALL:
		return -ENOSPC;
	case EXT2_ET_FILE_NOT_FOUND:
		return -ENOENT;
	case EXT2_ET_DIR_EXISTS:
		return -EEXIST;
	case EXT2_ET_NO_DIRECTORY:
		return -ENOTDIR;
	case EXT2_ET_RO_FILSYS:
	case EXT2_ET_FILE_RO:
		return -EROFS;
	case EXT2_ET_FILE_TOO_BIG:
		return -EFBIG;
	case EXT2_ET_EA_KEY_NOT_FOUND:
		return -ENODATA;
	case EXT2_ET_EA_BAD_NAME_LEN:
	case EXT2_ET_EA_BAD_VALUE_SIZE:
		return -ERANGE;
	case EXT2_ET_SYMLINK_LOOP:
		return -ELOOP;
	case EXT2_ET_UNIMPLEMENTED:
	case EXT2_ET_OP_NOT_SUPPORTED:
		return -EOPNOTSUPP;
	case EXT2_ET_SHORT_READ:
	case EXT2_ET_SHORT_WRITE:
		return -EIO;
	case EXT2_ET_BAD_CRC:
	case EXT2_ET_INODE_CSUM_INVALID:
	case EXT2_ET_DIR_CSUM_INVALID:
	case EXT2_ET_EXT_ATTR_CSUM_INVALID:
	case EXT2_ET_EXTENT_CSUM_INVALID:
	case EXT2_ET_BLOCK_BITMAP_CSUM_INVALID:
	case EXT2_ET_INODE_BITMAP_CSUM_INVALID:
		return -EBADMSG;         /* Linux's EFSBADCRC */
	}
	return -EUCLEAN;                 /* Linux's EFSCORRUPTED */
}

/* ---- inodes ---- */

static int rd_inode(struct e2fs *e, ext2_ino_t ino, struct ext2_inode_large *in)
{
	memset(in, 0, sizeof *in);
	if (ino < 1 || ino > e->fs->super->s_inodes_count)
		return -EUCLEAN;
	return e2err(ext2fs_read_inode_full(e->fs, ino, (struct ext2_inode *)in, sizeof *in));
}

static int wr_inode(struct e2fs *e, ext2_ino_t ino, struct ext2_inode_large *in)
{
	return e2err(ext2fs_write_inode_full(e->fs, ino, (struct ext2_inode *)in, sizeof *in));
}

/* Whether the inode holds field (an _extra timestamp) of this size. */
#define FITS(e, in, field) \
	(EXT2_INODE_SIZE((e)->fs->super) > EXT2_GOOD_OLD_INODE_SIZE && \
	 (size_t)EXT2_GOOD_OLD_INODE_SIZE + (in)->i_extra_isize >= \
	 offsetof(struct ext2_inode_large, field) + sizeof((in)->field))

static struct linux_timespec xtime_get(uint32_t sec, uint32_t extra, bool fits)
{
	struct linux_timespec ts = { .tv_sec = (int32_t)sec, .tv_nsec = 0 };

	if (fits) {
		ts.tv_sec += (int64_t)(extra & EXT4_EPOCH_MASK) << 32;
		ts.tv_nsec = extra >> EXT4_EPOCH_BITS;
		if (ts.tv_nsec >= 1000000000)
			ts.tv_nsec = 0;
	}
	return ts;
}

static void xtime_set(uint32_t *sec, uint32_t *extra, struct linux_timespec ts, bool fits)
{
	*sec = (uint32_t)ts.tv_sec;
	if (fits)
		*extra = (uint32_t)(((ts.tv_sec - (int32_t)ts.tv_sec) >> 32) & EXT4_EPOCH_MASK) |
			 (uint32_t)(ts.tv_nsec << EXT4_EPOCH_BITS);
}

#define SET_TIME(e, in, X, ts) \
	xtime_set(&(in)->i_##X##time, &(in)->i_##X##time_extra, ts, FITS(e, in, i_##X##time_extra))

/* mtime and/or ctime of in become now. */
static void touch(struct e2fs *e, struct ext2_inode_large *in, bool m, bool c)
{
	struct linux_timespec now = ts_now();

	if (m)
		SET_TIME(e, in, m, now);
	if (c)
		SET_TIME(e, in, c, now);
}

static int touch_ino(struct e2fs *e, ext2_ino_t ino, bool m, bool c)
{
	struct ext2_inode_large in;
	int err = rd_inode(e, ino, &in);

	if (err)
		return err;
	touch(e, &in, m, c);
	return wr_inode(e, ino, &in);
}

static uint32_t i_uid(const struct ext2_inode_large *in)
{
	return in->i_uid | (uint32_t)in->osd2.linux2.l_i_uid_high << 16;
}

static uint32_t i_gid(const struct ext2_inode_large *in)
{
	return in->i_gid | (uint32_t)in->osd2.linux2.l_i_gid_high << 16;
}

static void set_owner(struct ext2_inode_large *in, uint32_t uid, uint32_t gid)
{
	if (uid != (uint32_t)-1) {
		in->i_uid = (uint16_t)uid;
		in->osd2.linux2.l_i_uid_high = (uint16_t)(uid >> 16);
	}
	if (gid != (uint32_t)-1) {
		in->i_gid = (uint16_t)gid;
		in->osd2.linux2.l_i_gid_high = (uint16_t)(gid >> 16);
	}
}

/* A device node's number: old 16-bit encoding in i_block[0], else the
 * new one in i_block[1] (ext4_encode_dev). */
static uint64_t i_rdev(const struct ext2_inode_large *in)
{
	uint32_t d;

	if (in->i_block[0]) {
		d = in->i_block[0];
		return makedev((d >> 8) & 0xff, d & 0xff);
	}
	d = in->i_block[1];
	return makedev((d & 0xfff00) >> 8, (d & 0xff) | ((d >> 12) & 0xfff00));
}

static void set_rdev(struct ext2_inode_large *in, uint64_t rdev)
{
	uint32_t ma = major(rdev), mi = minor(rdev);

	if (ma < 256 && mi < 256) {
		in->i_block[0] = ma << 8 | mi;
		in->i_block[1] = 0;
	} else {
		in->i_block[0] = 0;
		in->i_block[1] = (mi & 0xff) | (ma << 8) | ((mi & ~0xffU) << 12);
	}
}

static void fill_stat(struct e2fs *e, ext2_ino_t ino, struct ext2_inode_large *in, uint64_t dev,
		      struct kstat *st)
{
	memset(st, 0, sizeof *st);
	st->dev = dev;
	st->ino = ino;
	st->mode = in->i_mode;
	st->nlink = in->i_links_count;
	st->uid = i_uid(in);
	st->gid = i_gid(in);
	st->size = EXT2_I_SIZE(in);
	st->blocks = ext2fs_get_stat_i_blocks(e->fs, (struct ext2_inode *)in);
	st->blksize = e->fs->blocksize;
	if (S_ISCHR(in->i_mode) || S_ISBLK(in->i_mode))
		st->rdev = i_rdev(in);
	st->atime = xtime_get(in->i_atime, in->i_atime_extra, FITS(e, in, i_atime_extra));
	st->mtime = xtime_get(in->i_mtime, in->i_mtime_extra, FITS(e, in, i_mtime_extra));
	st->ctime = xtime_get(in->i_ctime, in->i_ctime_extra, FITS(e, in, i_ctime_extra));
	/* statx: the creation time where the inode holds one, and the
	 * attributes its flags give (ext4_getattr) */
	if (FITS(e, in, i_crtime_extra)) {
		st->xmask |= 0x800;              /* STATX_BTIME */
		st->btime = xtime_get(in->i_crtime, in->i_crtime_extra, true);
	}
	st->attributes_mask = STATX_ATTR_COMPRESSED_ | STATX_ATTR_IMMUTABLE_ | STATX_ATTR_APPEND_ |
			      STATX_ATTR_NODUMP_ | 0x800 /* STATX_ATTR_ENCRYPTED */;
	if (in->i_flags & EXT2_COMPR_FL)
		st->attributes |= STATX_ATTR_COMPRESSED_;
	if (in->i_flags & EXT2_IMMUTABLE_FL)
		st->attributes |= STATX_ATTR_IMMUTABLE_;
	if (in->i_flags & EXT2_APPEND_FL)
		st->attributes |= STATX_ATTR_APPEND_;
	if (in->i_flags & EXT2_NODUMP_FL)
		st->attributes |= STATX_ATTR_NODUMP_;
	if (in->i_flags & EXT4_ENCRYPT_FL)
		st->attributes |= 0x800;         /* STATX_ATTR_ENCRYPTED */
	/* O_DIRECT's alignment on a regular file (ext4_getattr with
	 * ext4_dio_alignment 1: iomap's defaults, the device's DMA alignment
	 * + 1 for memory and its logical block size for offsets) */
	if (S_ISREG(in->i_mode)) {
		struct blk_info bi;

		st->xmask |= STATX_DIOALIGN_;
		st->dio_mem_align = 512;         /* loop's dma_alignment 511, + 1 */
		st->dio_offset_align = loop_blk_info(e->nr, &bi) == 0 ? bi.lbs : 512;
	}
}

static struct e2node *node_find(struct e2fs *e, ext2_ino_t ino)
{
	struct list_head *p;

	for (p = e->nodes.next; p != &e->nodes; p = p->next) {
		struct e2node *n = list_entry(p, struct e2node, link);

		if (n->ino == ino)
			return n;
	}
	return NULL;
}

static struct e2node *node_get(struct e2fs *e, ext2_ino_t ino)
{
	struct e2node *n = node_find(e, ino);

	if (n)
		return n;
	n = calloc(1, sizeof *n);
	if (!n)
		return NULL;
	n->ino = ino;
	n->memfd = -1;
	list_add_tail(&n->link, &e->nodes);
	return n;
}

static void dc_drop(struct e2fs *e, ext2_ino_t dir);

struct release_ctx { blk64_t last_cluster; };

/* Frees one block of an inode being freed, a cluster once (bigalloc);
 * a number outside the filesystem (a corrupted map) is skipped. */
static int release_blk(ext2_filsys fs, blk64_t *blk, e2_blkcnt_t cnt, blk64_t ref_blk, int ref_off,
		       void *priv)
{
	struct release_ctx *c = priv;
	blk64_t cl = EXT2FS_B2C(fs, *blk);

	(void)cnt, (void)ref_blk, (void)ref_off;
	if (*blk < fs->super->s_first_data_block || *blk >= ext2fs_blocks_count(fs->super))
		return 0;
	if (c->last_cluster && cl == c->last_cluster)
		return 0;
	c->last_cluster = cl;
	ext2fs_block_alloc_stats2(fs, *blk, -1);
	return 0;
}

/* Frees inode ino (no link left, not open): its xattrs, blocks, and
 * the inode itself (fuse2fs's remove_inode, as ext4_evict_inode).  The
 * blocks go by ext2fs_block_iterate3, as debugfs's kill_file: the
 * ext2fs_punch of e2fsprogs 1.47.0 refuses an extent that ends at the
 * filesystem's last block. */
static int free_inode(struct e2fs *e, ext2_ino_t ino)
{
	struct ext2_inode_large in;
	struct release_ctx c = { 0 };
	int err = rd_inode(e, ino, &in);

	if (err)
		return err;
	in.i_links_count = 0;
	err = e2err(ext2fs_free_ext_attr(e->fs, ino, &in));
	if (err)
		return err;
	in.i_dtime = (uint32_t)ts_now().tv_sec;
	err = wr_inode(e, ino, &in);
	if (err)
		return err;
	if (ext2fs_inode_has_valid_blocks2(e->fs, (struct ext2_inode *)&in) &&
	    !(in.i_flags & EXT4_INLINE_DATA_FL))
		err = e2err(ext2fs_block_iterate3(e->fs, ino, BLOCK_FLAG_READ_ONLY, NULL, release_blk, &c));
	ext2fs_inode_alloc_stats2(e->fs, ino, -1, LINUX_S_ISDIR(in.i_mode));
	pcache_forget(e, ino);
	if (LINUX_S_ISDIR(in.i_mode))
		dc_drop(e, ino);
	return err;
}

/* One link of ino went: drops i_links_count (dirs: to 0 at once) and
 * frees it when no link and no open is left. */
static int drop_link(struct e2fs *e, ext2_ino_t ino)
{
	struct ext2_inode_large in;
	struct e2node *n;
	int err = rd_inode(e, ino, &in);

	if (err)
		return err;
	if (LINUX_S_ISDIR(in.i_mode))
		in.i_links_count = 0;
	else if (in.i_links_count)
		in.i_links_count--;
	touch(e, &in, false, true);
	err = wr_inode(e, ino, &in);
	if (err || in.i_links_count)
		return err;
	n = node_find(e, ino);
	if (n && n->opens) {
		n->orphan = true;
		return 0;
	}
	return free_inode(e, ino);
}

/* ---- the name cache: a directory's names, read once ----
 * libext2fs looks names up by reading the whole directory; a directory
 * looked up in gets a hash table of its names (built by one pass, kept
 * up to date by the creates and removals made here, dropped by anything
 * else that changes it: renames), so that lookups, and the misses every
 * create starts with, cost no pass.  Bounded: past DC_MAX names in all,
 * everything is dropped. */
#define DC_MAX 200000

struct dcent { struct dcent *next; ext2_ino_t ino; char name[]; };
struct dcdir {
	struct dcdir *next;
	ext2_ino_t dir;
	size_t n, nb;                 /* names, buckets (a power of 2) */
	struct dcent **b;
};

static uint32_t dc_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	while (len--)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

static void dcdir_free(struct dcdir *d)
{
	for (size_t i = 0; i < d->nb; i++)
		for (struct dcent *x = d->b[i], *nx; x; x = nx) {
			nx = x->next;
			free(x);
		}
	free(d->b);
	free(d);
}

static void dc_drop(struct e2fs *e, ext2_ino_t dir)
{
	for (struct dcdir **pp = &e->dcache; *pp; pp = &(*pp)->next)
		if ((*pp)->dir == dir) {
			struct dcdir *d = *pp;

			*pp = d->next;
			e->dc_names -= d->n;
			dcdir_free(d);
			return;
		}
}

static void dc_drop_all(struct e2fs *e)
{
	while (e->dcache)
		dc_drop(e, e->dcache->dir);
}

static struct dcdir *dc_find(struct e2fs *e, ext2_ino_t dir)
{
	for (struct dcdir *d = e->dcache; d; d = d->next)
		if (d->dir == dir)
			return d;
	return NULL;
}

static int dc_put(struct e2fs *e, struct dcdir *d, const char *name, size_t len, ext2_ino_t ino)
{
	struct dcent *x, **pp;

	if (d->n >= d->nb) {
		size_t nb = d->nb ? d->nb * 2 : 64;
		struct dcent **b = calloc(nb, sizeof *b);

		if (!b)
			return -ENOMEM;
		for (size_t i = 0; i < d->nb; i++)
			while ((x = d->b[i])) {
				d->b[i] = x->next;
				pp = &b[dc_hash(x->name, strlen(x->name)) & (nb - 1)];
				x->next = *pp;
				*pp = x;
			}
		free(d->b);
		d->b = b;
		d->nb = nb;
	}
	pp = &d->b[dc_hash(name, len) & (d->nb - 1)];
	for (x = *pp; x; x = x->next)
		if (!strncmp(x->name, name, len) && !x->name[len]) {
			x->ino = ino;
			return 0;
		}
	x = malloc(sizeof *x + len + 1);
	if (!x)
		return -ENOMEM;
	memcpy(x->name, name, len);
	x->name[len] = 0;
	x->ino = ino;
	x->next = *pp;
	*pp = x;
	d->n++;
	e->dc_names++;
	return 0;
}

struct dcbuild { struct e2fs *e; struct dcdir *d; int err; };

static int dc_build_cb(ext2_ino_t dir, int entry, struct ext2_dir_entry *de, int offset, int blocksize,
		       char *buf, void *priv)
{
	struct dcbuild *c = priv;
	int len = ext2fs_dirent_name_len(de);

	(void)dir, (void)entry, (void)offset, (void)blocksize, (void)buf;
	if (!de->inode || (len == 1 && de->name[0] == '.') ||
	    (len == 2 && de->name[0] == '.' && de->name[1] == '.'))
		return 0;
	if ((c->err = dc_put(c->e, c->d, de->name, (size_t)len, de->inode)))
		return DIRENT_ABORT;
	return 0;
}

/* The cached names of dir, read now if not yet; NULL if they cannot be
 * (no memory, an unreadable directory: the caller asks libext2fs). */
static struct dcdir *dc_get(struct e2fs *e, ext2_ino_t dir)
{
	struct dcdir *d = dc_find(e, dir);
	struct dcbuild c;

	if (d)
		return d;
	if (e->dc_names > DC_MAX)
		dc_drop_all(e);
	d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->dir = dir;
	c = (struct dcbuild){ e, d, 0 };
	if (ext2fs_dir_iterate2(e->fs, dir, 0, NULL, dc_build_cb, &c) || c.err) {
		e->dc_names -= d->n;
		dcdir_free(d);
		return NULL;
	}
	d->next = e->dcache;
	e->dcache = d;
	return d;
}

/* A name added to (ino) or gone from (0) a directory, as made here. */
static void dc_set(struct e2fs *e, ext2_ino_t dir, const char *name, ext2_ino_t ino)
{
	struct dcdir *d = dc_find(e, dir);
	size_t len = strlen(name);

	if (!d)
		return;
	if (ino) {
		if (dc_put(e, d, name, len, ino))
			dc_drop(e, dir);
		return;
	}
	for (struct dcent **pp = &d->b[dc_hash(name, len) & (d->nb - 1)]; d->nb && *pp; pp = &(*pp)->next)
		if (!strcmp((*pp)->name, name)) {
			struct dcent *x = *pp;

			*pp = x->next;
			free(x);
			d->n--;
			e->dc_names--;
			return;
		}
}

/* name's inode in dir: 0, -ENOENT, or another error. */
static bool encrypted(const struct ext2_inode_large *in)
{
	return in->i_flags & EXT4_ENCRYPT_FL;
}

static int enc_lookup(struct e2fs *e, ext2_ino_t dir, const struct ext2_inode_large *din, const char *name,
		      ext2_ino_t *ino);

static int dir_lookup(struct e2fs *e, ext2_ino_t dir, const char *name, ext2_ino_t *ino)
{
	struct dcdir *d;
	size_t len = strlen(name);
	struct ext2_inode_large din;

	/* an encrypted directory's names are ciphertext: looked up by
	 * their encryption, or by no-key name (fscrypt_setup_filename) */
	if (!rd_inode(e, dir, &din) && encrypted(&din) && strcmp(name, ".") && strcmp(name, ".."))
		return enc_lookup(e, dir, &din, name, ino);
	d = dc_get(e, dir);
	if (!d)
		return e2err(ext2fs_lookup(e->fs, dir, name, (int)len, NULL, ino));
	for (struct dcent *x = d->nb ? d->b[dc_hash(name, len) & (d->nb - 1)] : NULL; x; x = x->next)
		if (!strcmp(x->name, name)) {
			*ino = x->ino;
			return 0;
		}
	return -ENOENT;
}

/* ---- encryption: keys, names, contents (fscrypt.c does the crypto) ---- */

static int ctx_get(struct e2fs *e, ext2_ino_t ino, void *buf, size_t n);
static int ctx_set(struct e2fs *e, ext2_ino_t ino, const void *ctx, size_t len);

/* The key of encrypted inode ino (in: its inode): its contents' for a
 * regular file, its names' or target's otherwise; an open file's is the
 * one taken at open.  0, 1 (not encrypted), -ENOKEY, -EINVAL (no valid
 * context), -ENOPKG. */
static int ino_fkey(struct e2fs *e, ext2_ino_t ino, const struct ext2_inode_large *in, struct fscrypt_fkey *k)
{
	uint8_t ctx[FSCRYPT_CONTEXT_MAX];
	struct e2node *n;
	int len;

	if (!encrypted(in))
		return 1;
	if ((n = node_find(e, ino)) && n->has_key) {
		*k = n->fkey;
		return 0;
	}
	len = ctx_get(e, ino, ctx, sizeof ctx);
	if (len < 0)
		return len == -ENODATA || len == -ERANGE ? -EINVAL : len;
	return fscrypt_get_fkey(current, e->fskeys, ctx, (size_t)len, LINUX_S_ISREG(in->i_mode), k);
}

struct enc_find {
	const uint8_t *ct;            /* the name's ciphertext, or */
	const char *nokey;            /* its no-key name */
	size_t len;
	ext2_ino_t ino;
};

static int enc_find_cb(ext2_ino_t dir, int entry, struct ext2_dir_entry *d, int offset, int blocksize,
		       char *buf, void *priv)
{
	struct enc_find *c = priv;
	size_t len = (size_t)ext2fs_dirent_name_len(d);

	(void)dir, (void)entry, (void)offset, (void)blocksize, (void)buf;
	if (!d->inode)
		return 0;
	if (c->nokey ? !fscrypt_nokey_match(c->nokey, (const uint8_t *)d->name, len)
		     : len != c->len || memcmp(d->name, c->ct, len))
		return 0;
	c->ino = d->inode;
	return DIRENT_ABORT;
}

/* The on-disk name of a name in directory dir: itself, or in an
 * encrypted directory its ciphertext (the directory's key needed).
 * lname is a C string of the same length for libext2fs's calls that
 * take one (a ciphertext's NUL bytes as 0x01), fixed up afterwards. */
struct dname {
	uint8_t b[EXT2_NAME_LEN + 1];
	char lname[EXT2_NAME_LEN + 1];
	size_t len;
	bool enc, fix;
	uint8_t ctx[FSCRYPT_CONTEXT_MAX];   /* enc: the directory's context */
	int ctxlen;
};

static int disk_name(struct e2fs *e, ext2_ino_t dir, const char *name, struct dname *dn)
{
	struct ext2_inode_large din;
	struct fscrypt_fkey k;
	int err, n;

	memset(dn, 0, sizeof *dn);
	dn->len = strlen(name);
	memcpy(dn->b, name, dn->len);
	memcpy(dn->lname, name, dn->len);
	if ((err = rd_inode(e, dir, &din)))
		return err;
	if (!encrypted(&din))
		return 0;
	/* fscrypt_prepare_new_inode / fscrypt_setup_filename: the key */
	if ((err = ino_fkey(e, dir, &din, &k)))
		return err == 1 ? -EIO : err;
	if ((dn->ctxlen = ctx_get(e, dir, dn->ctx, sizeof dn->ctx)) < 0)
		return -EINVAL;
	n = fscrypt_fname_encrypt(&k, name, dn->len, dn->b, EXT2_NAME_LEN);
	if (n < 0)
		return n;
	dn->len = (size_t)n;
	dn->enc = true;
	for (size_t i = 0; i < dn->len; i++) {
		dn->lname[i] = dn->b[i] ? (char)dn->b[i] : 1;
		dn->fix |= !dn->b[i];
	}
	dn->lname[dn->len] = 0;
	return 0;
}

/* One entry of a directory being rewritten. */
struct dent { ext2_ino_t ino; uint8_t type, len; char name[EXT2_NAME_LEN]; };
struct collect_ctx { struct dent *v; size_t n, cap; ext2_ino_t parent; int err; };

static int collect_cb(ext2_ino_t dir, int entry, struct ext2_dir_entry *d, int offset, int blocksize,
		      char *buf, void *priv)
{
	struct collect_ctx *c = priv;
	int len = ext2fs_dirent_name_len(d);

	(void)dir, (void)entry, (void)offset, (void)blocksize, (void)buf;
	if (!d->inode || (len == 1 && d->name[0] == '.'))
		return 0;
	if (len == 2 && d->name[0] == '.' && d->name[1] == '.') {
		c->parent = d->inode;
		return 0;
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 64;
		struct dent *v = realloc(c->v, cap * sizeof *v);

		if (!v) {
			c->err = -ENOMEM;
			return DIRENT_ABORT;
		}
		c->v = v, c->cap = cap;
	}
	c->v[c->n].ino = d->inode;
	c->v[c->n].type = (uint8_t)ext2fs_dirent_file_type(d);
	c->v[c->n].len = (uint8_t)len;
	memcpy(c->v[c->n].name, d->name, (size_t)len);
	c->n++;
	return 0;
}

/* An htree directory made linear: its entries rewritten in order over
 * its blocks (the index blocks become entry blocks, with their
 * checksum tails), EXT2_INDEX_FL cleared.  For a ciphertext name that
 * libext2fs's htree insertion cannot hash (a NUL byte in it); e2fsck
 * takes a linear directory of any size. */
static int dir_unindex(struct e2fs *e, ext2_ino_t dir)
{
	struct collect_ctx c = { 0 };
	struct ext2_inode_large in;
	size_t bs = e->fs->blocksize, next = 0;
	size_t tail = ext2fs_has_feature_metadata_csum(e->fs->super) ? sizeof(struct ext2_dir_entry_tail) : 0;
	bool ft = ext2fs_has_feature_filetype(e->fs->super);
	char *b = NULL;
	int err;

	if ((err = e2err(ext2fs_dir_iterate2(e->fs, dir, 0, NULL, collect_cb, &c))) || (err = c.err) ||
	    (err = rd_inode(e, dir, &in)))
		goto out;
	if (!(b = malloc(bs))) {
		err = -ENOMEM;
		goto out;
	}
	for (uint64_t lblk = 0; lblk < EXT2_I_SIZE(&in) / bs; lblk++) {
		size_t pos = 0, limit = bs - tail;
		struct ext2_dir_entry *last = NULL;
		blk64_t p = 0;

		memset(b, 0, bs);
		for (int i = lblk ? 2 : 0; i < 2 || next < c.n; i++) {
			struct dent dot = { dir, EXT2_FT_DIR, 1, "." }, dotdot = { c.parent, EXT2_FT_DIR, 2, ".." };
			const struct dent *x = i == 0 ? &dot : i == 1 ? &dotdot : &c.v[next];
			size_t rl = (size_t)((8 + x->len + 3) & ~3);
			struct ext2_dir_entry *d = (struct ext2_dir_entry *)(b + pos);

			if (pos + rl > limit)
				break;
			d->inode = x->ino;
			ext2fs_dirent_set_name_len(d, x->len);
			ext2fs_dirent_set_file_type(d, ft ? x->type : 0);
			memcpy(d->name, x->name, x->len);
			ext2fs_set_rec_len(e->fs, (unsigned)rl, d);
			last = d;
			pos += rl;
			if (i >= 2)
				next++;
		}
		if (!last)
			last = (struct ext2_dir_entry *)b;
		ext2fs_set_rec_len(e->fs, (unsigned)(limit - ((char *)last - b)), last);
		if (tail)
			ext2fs_initialize_dirent_tail(e->fs, EXT2_DIRENT_TAIL(b, bs));
		if ((err = e2err(ext2fs_bmap2(e->fs, dir, NULL, NULL, 0, lblk, NULL, &p))))
			goto out;
		if (!p) {
			err = -EUCLEAN;
			goto out;
		}
		if ((err = e2err(ext2fs_write_dir_block4(e->fs, p, b, 0, dir))))
			goto out;
	}
	if (next < c.n) {
		err = -EUCLEAN;
		goto out;
	}
	if ((err = rd_inode(e, dir, &in)))
		goto out;
	in.i_flags &= ~EXT2_INDEX_FL;
	err = wr_inode(e, dir, &in);
	dc_drop(e, dir);
out:
	free(b);
	free(c.v);
	return err;
}

struct fix_ctx { const struct dname *dn; ext2_ino_t ino; bool done; };

static int fix_cb(ext2_ino_t dir, int entry, struct ext2_dir_entry *d, int offset, int blocksize,
		  char *buf, void *priv)
{
	struct fix_ctx *c = priv;

	(void)dir, (void)entry, (void)offset, (void)blocksize, (void)buf;
	if (d->inode != c->ino || (size_t)ext2fs_dirent_name_len(d) != c->dn->len ||
	    memcmp(d->name, c->dn->lname, c->dn->len))
		return 0;
	memcpy(d->name, c->dn->b, c->dn->len);
	c->done = true;
	return DIRENT_CHANGED | DIRENT_ABORT;
}

/* After libext2fs linked dn->lname to ino: the entry gets the
 * ciphertext's own bytes (an htree directory, where the entry sits in
 * lname's hash bucket, is made linear first). */
static int dname_fix(struct e2fs *e, ext2_ino_t dir, const struct dname *dn, ext2_ino_t ino)
{
	struct fix_ctx c = { dn, ino, false };
	struct ext2_inode_large din;
	int err;

	if (!dn->fix)
		return 0;
	if ((err = rd_inode(e, dir, &din)))
		return err;
	if ((din.i_flags & EXT2_INDEX_FL) && (err = dir_unindex(e, dir)))
		return err;
	err = e2err(ext2fs_dir_iterate2(e->fs, dir, 0, NULL, fix_cb, &c));
	return err ? err : c.done ? 0 : -EIO;
}

/* A new inode of an encrypted directory (regular, directory, symlink)
 * gets the directory's policy with a nonce of its own. */
static int enc_inherit(struct e2fs *e, const struct dname *dn, ext2_ino_t ino)
{
	uint8_t ctx[FSCRYPT_CONTEXT_MAX];
	size_t len = fscrypt_inherit_context(dn->ctx, (size_t)dn->ctxlen, ctx);

	return len ? ctx_set(e, ino, ctx, len) : -EINVAL;
}

/* Whether inode ino may live in encrypted directory dir (din): the same
 * policy (fscrypt_has_permitted_context).  0 or -EXDEV. */
static int enc_permitted(struct e2fs *e, ext2_ino_t dir, const struct ext2_inode_large *din, ext2_ino_t ino,
			 const struct ext2_inode_large *in)
{
	uint8_t a[FSCRYPT_CONTEXT_MAX], b[FSCRYPT_CONTEXT_MAX];
	int al, bl;

	if (!encrypted(din))
		return 0;
	if (!LINUX_S_ISREG(in->i_mode) && !LINUX_S_ISDIR(in->i_mode) && !LINUX_S_ISLNK(in->i_mode))
		return 0;
	if (!encrypted(in))
		return -EXDEV;
	al = ctx_get(e, dir, a, sizeof a);
	bl = ctx_get(e, ino, b, sizeof b);
	return al > 0 && bl > 0 && fscrypt_same_policy(a, (size_t)al, b, (size_t)bl) ? 0 : -EXDEV;
}

static int enc_lookup(struct e2fs *e, ext2_ino_t dir, const struct ext2_inode_large *din, const char *name,
		      ext2_ino_t *ino)
{
	struct fscrypt_fkey k;
	uint8_t ct[FSCRYPT_NAME_MAX];
	struct enc_find c = { 0 };
	int err = ino_fkey(e, dir, din, &k), n;

	if (err == -ENOKEY) {
		if (!fscrypt_nokey_valid(name))
			return -ENOENT;
		c.nokey = name;
	} else if (err) {
		return err == 1 ? -EIO : err;
	} else {
		if ((n = fscrypt_fname_encrypt(&k, name, strlen(name), ct, EXT2_NAME_LEN)) < 0)
			return n;
		c.ct = ct;
		c.len = (size_t)n;
	}
	if ((err = e2err(ext2fs_dir_iterate2(e->fs, dir, 0, NULL, enc_find_cb, &c))))
		return err;
	if (!c.ino)
		return -ENOENT;
	*ino = c.ino;
	return 0;
}

/* The name a reader sees of ciphertext ct (len bytes) of directory dir
 * (din): its plaintext with key k (NULL: none), else its no-key name
 * with the htree hash ext4's dx readdir gives (every directory of one
 * block, or indexed, of a dir_index filesystem).  0 or -EUCLEAN. */
static int enc_user_name(struct e2fs *e, const struct ext2_inode_large *din, const struct fscrypt_fkey *k,
			 const uint8_t *ct, size_t len, char *out)
{
	uint32_t hash = 0, minor = 0;

	if (k)
		return fscrypt_fname_decrypt(k, ct, len, out) > 0 ? 0 : -EUCLEAN;
	if (ext2fs_has_feature_dir_index(e->fs->super) &&
	    ((din->i_flags & EXT2_INDEX_FL) || EXT2_I_SIZE(din) == e->fs->blocksize)) {
		int v = e->fs->super->s_def_hash_version;
		ext2_dirhash_t h = 0, m = 0;

		if (e->fs->super->s_flags & EXT2_FLAGS_UNSIGNED_HASH)
			v += 3;
		if (!ext2fs_dirhash2(v, (const char *)ct, (int)len, NULL, 0, e->fs->super->s_hash_seed, &h, &m))
			hash = h, minor = m;
	}
	fscrypt_nokey_name(ct, len, hash, minor, out);
	return 0;
}

/* Encrypted regular files: their data units (blocks) are read whole
 * from the device and decrypted (a hole or an unwritten extent reads
 * as zeros), and written read-modify-write, encrypted. */
static int enc_read_block(struct e2fs *e, ext2_ino_t ino, const struct fscrypt_fkey *k, uint64_t lblk, char *b)
{
	blk64_t p = 0;
	int flags = 0, err = e2err(ext2fs_bmap2(e->fs, ino, NULL, NULL, 0, lblk, &flags, &p));

	if (err)
		return err;
	if (!p || (flags & BMAP_RET_UNINIT)) {
		memset(b, 0, e->fs->blocksize);
		return 0;
	}
	if ((err = e2err(io_channel_read_blk64(e->fs->io, p, 1, b))))
		return err;
	return fscrypt_crypt_block(k, lblk, b, e->fs->blocksize, false);
}

/* 1: not an encrypted regular file; 0 with its key; -ENOKEY... */
static int data_key(struct e2fs *e, ext2_ino_t ino, struct fscrypt_fkey *k, uint64_t *size)
{
	struct ext2_inode_large in;
	int err = rd_inode(e, ino, &in);

	if (err)
		return err;
	*size = EXT2_I_SIZE(&in);
	if (!LINUX_S_ISREG(in.i_mode))
		return 1;
	if (encrypted(&in) && (in.i_flags & EXT4_INLINE_DATA_FL))
		return -EOPNOTSUPP;      /* not done: encrypted inline data */
	return ino_fkey(e, ino, &in, k);
}

static ssize_t enc_read(struct e2fs *e, ext2_ino_t ino, const struct fscrypt_fkey *k, uint64_t size, void *buf,
			size_t n, uint64_t pos)
{
	size_t bs = e->fs->blocksize, done = 0;
	char *b;
	int err = 0;

	if (pos >= size)
		return 0;
	if (n > size - pos)
		n = size - pos;
	if (!(b = malloc(bs)))
		return -ENOMEM;
	while (done < n) {
		uint64_t at = pos + done, lblk = at / bs;
		size_t off = at % bs, c = bs - off < n - done ? bs - off : n - done;

		if ((err = enc_read_block(e, ino, k, lblk, b)))
			break;
		memcpy((char *)buf + done, b + off, c);
		done += c;
	}
	free(b);
	return done ? (ssize_t)done : err;
}

static ssize_t enc_write(struct e2fs *e, ext2_ino_t ino, const struct fscrypt_fkey *k, uint64_t size,
			 const void *buf, size_t n, uint64_t pos)
{
	size_t bs = e->fs->blocksize, done = 0;
	ext2_file_t fh;
	unsigned int put;
	char *b;
	int err;

	if (!(b = malloc(bs)))
		return -ENOMEM;
	if ((err = e2err(ext2fs_file_open2(e->fs, ino, NULL, EXT2_FILE_WRITE, &fh)))) {
		free(b);
		return err;
	}
	while (done < n) {
		uint64_t at = pos + done, lblk = at / bs;
		size_t off = at % bs, c = bs - off < n - done ? bs - off : n - done;

		if (off || c < bs) {
			if ((err = enc_read_block(e, ino, k, lblk, b)))
				break;
			/* past the end, a block's plaintext is zeros */
			if (lblk * bs + bs > size && size > lblk * bs)
				memset(b + (size - lblk * bs), 0, bs - (size - lblk * bs));
			else if (lblk * bs >= size)
				memset(b, 0, bs);
		}
		memcpy(b + off, (const char *)buf + done, c);
		if ((err = fscrypt_crypt_block(k, lblk, b, bs, true)) ||
		    (err = e2err(ext2fs_file_llseek(fh, lblk * bs, EXT2_SEEK_SET, NULL))) ||
		    (err = e2err(ext2fs_file_write(fh, b, (unsigned int)bs, &put))) ||
		    (err = e2err(ext2fs_file_flush(fh))))
			break;
		if (put < bs)
			break;
		done += c;
	}
	{
		int cerr = e2err(ext2fs_file_close(fh));

		if (!err)
			err = cerr;
	}
	free(b);
	/* ext2fs_file_write counted whole blocks: the size is the bytes'
	 * (set in the inode, not through set_size, which would zero the
	 * ciphertext past it) */
	{
		struct ext2_inode_large in;
		uint64_t want = pos + done > size ? pos + done : size;

		if (!rd_inode(e, ino, &in) && EXT2_I_SIZE(&in) != want) {
			ext2fs_inode_size_set(e->fs, (struct ext2_inode *)&in, want);
			int werr = wr_inode(e, ino, &in);

			if (!err)
				err = werr;
		}
	}
	return done ? (ssize_t)done : err;
}

/* An encrypted file's size set to len: the data unit holding len keeps
 * its plaintext up to len, zeros after (ext4_block_truncate_page). */
static int enc_truncate(struct e2fs *e, ext2_ino_t ino, const struct fscrypt_fkey *k, uint64_t len)
{
	size_t bs = e->fs->blocksize;
	uint64_t lblk = len / bs;
	char *b = NULL;
	ext2_file_t fh;
	blk64_t p = 0;
	int err, flags = 0;

	if (len % bs) {
		if (!(b = malloc(bs)))
			return -ENOMEM;
		if ((err = enc_read_block(e, ino, k, lblk, b))) {
			free(b);
			return err;
		}
		memset(b + len % bs, 0, bs - len % bs);
	}
	if (!(err = e2err(ext2fs_file_open2(e->fs, ino, NULL, EXT2_FILE_WRITE, &fh)))) {
		err = e2err(ext2fs_file_set_size2(fh, len));
		int cerr = e2err(ext2fs_file_close(fh));

		if (!err)
			err = cerr;
	}
	if (!err && b && !(err = e2err(ext2fs_bmap2(e->fs, ino, NULL, NULL, 0, lblk, &flags, &p))) && p &&
	    !(flags & BMAP_RET_UNINIT) && !(err = fscrypt_crypt_block(k, lblk, b, bs, true)))
		err = e2err(io_channel_write_blk64(e->fs->io, p, 1, b));
	free(b);
	return err;
}

/* ---- errors the ext4 driver reports (ext4_error) ---- */

/* Whether Linux's ext4 driver serves this filesystem (ext3 and ext4:
 * it checks inode modes and reports errors; ext2's driver does not). */
static bool ext4_driver(const struct e2fs *e)
{
	return e->sb && e->sb->fstype && strcmp(e->sb->fstype, "ext2");
}

/* ext4_error_inode: corruption (EUCLEAN) or another error about inode
 * ino named rel (NULL: about no inode) goes to fanotify's FAN_FS_ERROR
 * listeners (fsnotify_sb_error). */
static void fs_error(struct e2fs *e, const char *rel, ext2_ino_t ino, int error)
{
	if (ext4_driver(e) && !e->aborted)
		fanotify_fs_error(e->sb, rel, ino, error);
}

/* ext4_valid_inum: a directory entry may name the root or an inode from
 * the first non-reserved one to the last. */
static bool valid_inum(const struct e2fs *e, ext2_ino_t ino)
{
	return ino == EXT2_ROOT_INO ||
	       (ino >= EXT2_FIRST_INO(e->fs->super) && ino <= e->fs->super->s_inodes_count);
}

/* ext4_iget's check of the mode: one of the seven file types. */
static bool valid_mode(uint32_t mode)
{
	return LINUX_S_ISREG(mode) || LINUX_S_ISDIR(mode) || LINUX_S_ISLNK(mode) || LINUX_S_ISCHR(mode) ||
	       LINUX_S_ISBLK(mode) || LINUX_S_ISFIFO(mode) || LINUX_S_ISSOCK(mode);
}

/* ---- paths ---- */

/* rel's inode, component by component from the root (the VFS left no
 * symlink in the directory part, and the last is not followed). */
static int namei(struct e2fs *e, const char *rel, ext2_ino_t *ino)
{
	ext2_ino_t cur = EXT2_ROOT_INO;
	char name[EXT2_NAME_LEN + 1];
	const char *p = rel, *q;
	int err;

	while (*p) {
		struct ext2_inode_large in;
		size_t len;

		q = strchr(p, '/');
		len = q ? (size_t)(q - p) : strlen(p);
		if (len > EXT2_NAME_LEN)
			return -ENAMETOOLONG;
		if ((err = rd_inode(e, cur, &in)))
			return err;
		if (!LINUX_S_ISDIR(in.i_mode))
			return -ENOTDIR;
		memcpy(name, p, len);
		name[len] = 0;
		{
			ext2_ino_t dir = cur;

			if (!len || (err = dir_lookup(e, cur, name, &cur)))
				return len ? err : -ENOENT;
			/* ext4_lookup: an entry naming a reserved or absent
			 * inode is the directory's corruption */
			if (ext4_driver(e) && !valid_inum(e, cur)) {
				char dirrel[4096];
				size_t dl = p > rel ? (size_t)(p - rel - 1) : 0;

				snprintf(dirrel, sizeof dirrel, "%.*s", (int)dl, rel);
				fs_error(e, dirrel, dir, EUCLEAN);
				return -EUCLEAN;
			}
		}
		p = q ? q + 1 : p + len;
	}
	*ino = cur;
	return 0;
}

/* The directory holding rel's last component and that component. */
static int namei_parent(struct e2fs *e, const char *rel, ext2_ino_t *dir, const char **name)
{
	const char *s = strrchr(rel, '/');
	char buf[4096];
	int err;

	if (!*rel)
		return -EBUSY;          /* the root has no parent here */
	*name = s ? s + 1 : rel;
	if (strlen(*name) > EXT2_NAME_LEN)
		return -ENAMETOOLONG;
	if (!s) {
		*dir = EXT2_ROOT_INO;
		return 0;
	}
	if ((size_t)(s - rel) >= sizeof buf)
		return -ENAMETOOLONG;
	memcpy(buf, rel, (size_t)(s - rel));
	buf[s - rel] = 0;
	err = namei(e, buf, dir);
	if (err)
		return err;
	{
		struct ext2_inode_large in;

		err = rd_inode(e, *dir, &in);
		if (!err && !LINUX_S_ISDIR(in.i_mode))
			err = -ENOTDIR;
	}
	return err;
}

static int ftype(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return EXT2_FT_REG_FILE;
	case S_IFDIR: return EXT2_FT_DIR;
	case S_IFLNK: return EXT2_FT_SYMLINK;
	case S_IFCHR: return EXT2_FT_CHRDEV;
	case S_IFBLK: return EXT2_FT_BLKDEV;
	case S_IFIFO: return EXT2_FT_FIFO;
	case S_IFSOCK: return EXT2_FT_SOCK;
	}
	return EXT2_FT_UNKNOWN;
}

/* ext2fs_link, growing the directory when its blocks are full. */
static int add_link(struct e2fs *e, ext2_ino_t dir, const char *name, ext2_ino_t ino, uint32_t mode)
{
	errcode_t err = ext2fs_link(e->fs, dir, name, ino, ftype(mode));

	if (err == EXT2_ET_DIR_NO_SPACE) {
		err = ext2fs_expand_dir(e->fs, dir);
		if (!err)
			err = ext2fs_link(e->fs, dir, name, ino, ftype(mode));
	}
	if (!err)
		dc_set(e, dir, name, ino);
	return e2err(err);
}

static bool inode_locked(const struct ext2_inode_large *in)
{
	return in->i_flags & (EXT2_IMMUTABLE_FL | EXT2_APPEND_FL);
}

/* A new name in a directory needs the directory writable (not
 * immutable, and for an append-only one only additions). */
static int dir_may_add(struct e2fs *e, ext2_ino_t dir)
{
	struct ext2_inode_large in;
	int err = rd_inode(e, dir, &in);

	if (err)
		return err;
	if (!LINUX_S_ISDIR(in.i_mode))
		return -ENOTDIR;
	return (in.i_flags & EXT2_IMMUTABLE_FL) ? -EPERM : 0;
}

/* Removing a name: neither the directory nor the victim immutable or
 * append-only (may_delete's IS_APPEND/IS_IMMUTABLE). */
static int may_remove(struct e2fs *e, ext2_ino_t dir, ext2_ino_t victim)
{
	struct ext2_inode_large in;
	int err = rd_inode(e, dir, &in);

	if (!err && inode_locked(&in))
		err = -EPERM;
	if (!err)
		err = rd_inode(e, victim, &in);
	if (!err && inode_locked(&in))
		err = -EPERM;
	return err;
}

/* A new encrypted symlink's target (its room, tlen bytes, made by
 * ext2fs_symlink): struct fscrypt_symlink_data, the ciphertext's length
 * (le16) and the ciphertext under the symlink's own key, in i_block (a
 * fast symlink) or its block. */
static int enc_symlink_target(struct e2fs *e, ext2_ino_t ino, const char *target, size_t tlen)
{
	struct ext2_inode_large in;
	struct fscrypt_fkey k;
	size_t bs = e->fs->blocksize;
	uint8_t *b = calloc(1, bs);
	int err = -ENOMEM, n;

	if (!b || (err = rd_inode(e, ino, &in)) || (err = ino_fkey(e, ino, &in, &k)))
		goto out;
	n = fscrypt_fname_encrypt(&k, target, strlen(target), b + 2, bs - 3);
	err = n < 0 ? n : (size_t)n + 2 != tlen ? -EIO : 0;
	if (err)
		goto out;
	b[0] = (uint8_t)n;
	b[1] = (uint8_t)(n >> 8);
	if (ext2fs_is_fast_symlink((struct ext2_inode *)&in)) {
		memset(in.i_block, 0, sizeof in.i_block);
		memcpy(in.i_block, b, tlen);
		err = wr_inode(e, ino, &in);
	} else {
		blk64_t p = 0;

		if (!(err = e2err(ext2fs_bmap2(e->fs, ino, NULL, NULL, 0, 0, NULL, &p))))
			err = p ? e2err(io_channel_write_blk64(e->fs->io, p, 1, b)) : -EIO;
	}
out:
	free(b);
	return err == 1 ? -EIO : err;
}

/*
 * Makes inode type|perm named rel: a symlink to target, a device node
 * of rdev, or an empty file, directory or fifo.  Owner: the caller's
 * fsuid and fsgid (a setgid directory's group, and its setgid bit for
 * directories).  *out = its number.  -EEXIST, -ENOSPC, -EPERM...
 */
static int create(struct e2fs *e, const char *rel, uint32_t mode, uint64_t rdev, const char *target,
		  ext2_ino_t *out)
{
	struct ext2_inode_large in, din;
	ext2_ino_t dir, ino;
	const char *name, *target_plain = target;
	uint32_t gid = cur_fsgid();
	int err = namei_parent(e, rel, &dir, &name);

	if (err)
		return err == -EBUSY ? -EEXIST : err;
	err = dir_lookup(e, dir, name, &ino);
	if (!err)
		return -EEXIST;
	if (err != -ENOENT)
		return err;
	if ((err = dir_may_add(e, dir)) || (err = rd_inode(e, dir, &din)))
		return err;
	if (din.i_mode & S_ISGID) {
		gid = i_gid(&din);
		if (S_ISDIR(mode))
			mode |= S_ISGID;
	}
	if (!din.i_links_count)
		return -ENOENT;           /* a removed directory */
	/* an encrypted directory: the name's ciphertext (its key needed),
	 * and a symlink's target room for its own */
	struct dname dn;
	char *dummy = NULL;
	size_t tlen = 0;

	if ((err = disk_name(e, dir, name, &dn)))
		return err;
	if (dn.enc && S_ISLNK(mode)) {
		struct fscrypt_fkey dk;
		uint8_t *ct = malloc(e->fs->blocksize);
		int n = -ENOMEM;

		if (ct && !(n = ino_fkey(e, dir, &din, &dk)))
			n = fscrypt_fname_encrypt(&dk, target, strlen(target), ct, e->fs->blocksize - 3);
		free(ct);
		if (n < 0)
			return n;
		tlen = 2 + (size_t)n;
		if (!(dummy = malloc(tlen + 1)))
			return -ENOMEM;
		memset(dummy, 'x', tlen);
		dummy[tlen] = 0;
		target = dummy;
	}
	name = dn.lname;
	if (S_ISDIR(mode) && din.i_links_count >= (ext2fs_has_feature_dir_nlink(e->fs->super) ? 65000 : 32000) &&
	    !ext2fs_has_feature_dir_nlink(e->fs->super))
		return -EMLINK;
	if (S_ISDIR(mode)) {
		errcode_t r = ext2fs_mkdir(e->fs, dir, 0, name);

		if (r == EXT2_ET_DIR_NO_SPACE) {
			r = ext2fs_expand_dir(e->fs, dir);
			if (!r)
				r = ext2fs_mkdir(e->fs, dir, 0, name);
		}
		if ((err = e2err(r)) ||
		    (err = e2err(ext2fs_lookup(e->fs, dir, name, (int)strlen(name), NULL, &ino))))
			return err;
		if (!dn.enc)
			dc_set(e, dir, name, ino);
	} else if (S_ISLNK(mode)) {
		errcode_t r = ext2fs_symlink(e->fs, dir, 0, name, target);

		if (r == EXT2_ET_DIR_NO_SPACE) {
			r = ext2fs_expand_dir(e->fs, dir);
			if (!r)
				r = ext2fs_symlink(e->fs, dir, 0, name, target);
		}
		free(dummy);
		if ((err = e2err(r)) ||
		    (err = e2err(ext2fs_lookup(e->fs, dir, name, (int)strlen(name), NULL, &ino))))
			return err;
		if (!dn.enc)
			dc_set(e, dir, name, ino);
	} else {
		err = e2err(ext2fs_new_inode(e->fs, dir, (int)mode, NULL, &ino));
		if (err)
			return err;
		memset(&in, 0, sizeof in);
		in.i_mode = (uint16_t)mode;
		in.i_links_count = 1;
		in.i_extra_isize = sizeof(struct ext2_inode_large) - EXT2_GOOD_OLD_INODE_SIZE;
		if (S_ISCHR(mode) || S_ISBLK(mode))
			set_rdev(&in, rdev);
		else if (S_ISREG(mode) && ext2fs_has_feature_extents(e->fs->super)) {
			ext2_extent_handle_t h;

			if (!ext2fs_extent_open2(e->fs, ino, (struct ext2_inode *)&in, &h))
				ext2fs_extent_free(h);
		}
		err = e2err(ext2fs_write_new_inode(e->fs, ino, (struct ext2_inode *)&in));
		if (err)
			return err;
		err = add_link(e, dir, name, ino, mode);
		if (err)
			return err;   /* (the inode was never counted as used) */
		ext2fs_inode_alloc_stats2(e->fs, ino, +1, 0);
	}
	if ((err = dname_fix(e, dir, &dn, ino)))
		return err;
	err = rd_inode(e, ino, &in);
	if (err)
		return err;
	in.i_mode = (uint16_t)((in.i_mode & S_IFMT) | (mode & 07777));
	set_owner(&in, cur_fsuid(), gid);
	/* (a directory keeps mkdir's: its first block's checksum has it) */
	if (!S_ISDIR(mode))
		in.i_generation = ++e->generation;
	{
		struct linux_timespec now = ts_now();

		SET_TIME(e, &in, a, now);
		SET_TIME(e, &in, m, now);
		SET_TIME(e, &in, c, now);
		if (FITS(e, &in, i_crtime_extra))
			xtime_set(&in.i_crtime, &in.i_crtime_extra, now, true);
	}
	err = wr_inode(e, ino, &in);
	if (!err && dn.enc && (S_ISREG(mode) || S_ISDIR(mode) || S_ISLNK(mode)))
		err = enc_inherit(e, &dn, ino);
	if (!err && dn.enc && S_ISLNK(mode))
		err = enc_symlink_target(e, ino, target_plain, tlen);
	if (!err)
		err = touch_ino(e, dir, true, true);
	*out = ino;
	return err;
}

/* ---- regular file data ---- */

static int file_open_ino(struct e2fs *e, ext2_ino_t ino, bool write, ext2_file_t *out)
{
	return e2err(ext2fs_file_open2(e->fs, ino, NULL, write ? EXT2_FILE_WRITE : 0, out));
}

/* Reads up to n bytes at pos of inode ino from the image. */
static ssize_t data_read(struct e2fs *e, ext2_ino_t ino, void *buf, size_t n, uint64_t pos)
{
	ext2_file_t fh;
	unsigned int got;
	size_t done = 0;
	uint64_t size;
	struct fscrypt_fkey k;
	int err = data_key(e, ino, &k, &size);

	if (err <= 0)
		return err ? err : enc_read(e, ino, &k, size, buf, n, pos);
	err = file_open_ino(e, ino, false, &fh);

	if (err)
		return err;
	size = EXT2_I_SIZE(ext2fs_file_get_inode(fh));
	if (pos >= size)
		n = 0;
	else if (n > size - pos)
		n = size - pos;
	err = e2err(ext2fs_file_llseek(fh, pos, EXT2_SEEK_SET, NULL));
	while (!err && done < n) {
		size_t k = n - done > (1u << 20) ? (1u << 20) : n - done;

		err = e2err(ext2fs_file_read(fh, (char *)buf + done, (unsigned int)k, &got));
		if (err || !got)
			break;
		done += got;
	}
	ext2fs_file_close(fh);
	return done ? (ssize_t)done : err;
}

/* Writes n bytes at pos of inode ino to the image, a block at a time so
 * that a full filesystem gives a short count, then -ENOSPC. */
static ssize_t data_write(struct e2fs *e, ext2_ino_t ino, const void *buf, size_t n, uint64_t pos)
{
	ext2_file_t fh;
	unsigned int put;
	size_t done = 0;
	uint64_t size;
	struct fscrypt_fkey k;
	int err = data_key(e, ino, &k, &size), cerr;

	if (err <= 0)
		return err ? err : enc_write(e, ino, &k, size, buf, n, pos);
	err = file_open_ino(e, ino, true, &fh);
	if (err)
		return err;
	err = e2err(ext2fs_file_llseek(fh, pos, EXT2_SEEK_SET, NULL));
	while (!err && done < n) {
		size_t k = e->fs->blocksize - (size_t)((pos + done) % e->fs->blocksize);

		if (k > n - done)
			k = n - done;
		err = e2err(ext2fs_file_write(fh, (const char *)buf + done, (unsigned int)k, &put));
		if (!err)
			err = e2err(ext2fs_file_flush(fh));
		if (err || !put)
			break;
		done += put;
	}
	cerr = e2err(ext2fs_file_close(fh));
	if (!err)
		err = cerr;
	return done ? (ssize_t)done : err;
}

/* Sets inode ino's size (freeing blocks past it). */
static int data_truncate(struct e2fs *e, ext2_ino_t ino, uint64_t len)
{
	ext2_file_t fh;
	uint64_t size;
	struct fscrypt_fkey k;
	int err = data_key(e, ino, &k, &size), cerr;

	if (err <= 0)
		return err ? err : enc_truncate(e, ino, &k, len);
	err = file_open_ino(e, ino, true, &fh);
	if (err)
		return err;
	err = e2err(ext2fs_file_set_size2(fh, len));
	cerr = e2err(ext2fs_file_close(fh));
	return err ? err : cerr;
}

/* ---- page-cache state (mm/pagecache.c) ---- */

/* KPF_DIRTY: page pg of a mapped inode differs from the image's bytes
 * (written through a shared mapping, not yet written back). */
static bool e2_page_dirty(struct pcache_inode *pi, uint64_t pg)
{
	struct e2fs *e = (struct e2fs *)pi->owner;
	struct e2node *n = node_find(e, (ext2_ino_t)pi->ino);
	char a[4096], b[4096];
	ssize_t k, r;

	if (!n || n->memfd < 0 || n->orphan)
		return false;
	k = pread(n->memfd, a, sizeof a, (off_t)(pg * sizeof a));
	if (k <= 0)
		return false;
	r = data_read(e, n->ino, b, (size_t)k, pg * sizeof a);
	return r != k || memcmp(a, b, (size_t)k);
}

static const struct pcache_ops e2_pcache_ops = { .page_dirty = e2_page_dirty };

static struct pcache_inode *e2_pcache(struct file *f)
{
	return pcache_get(E(f->mnt), ((struct e2node *)f->priv)->ino, &e2_pcache_ops);
}

/* The first write through a shared mapping to page pg (after
 * pcache_wrprotect): the page's blocks inside i_size that are holes are
 * allocated (zeroed), as ext4_page_mkwrite's block reservation: -ENOSPC
 * when the filesystem is full, which makes the writer's SIGBUS. */
static int e2_page_mkwrite(struct file *f, uint64_t pg)
{
	struct e2fs *e = E(f->mnt);
	ext2_ino_t ino = ((struct e2node *)f->priv)->ino;
	struct ext2_inode_large in;
	uint64_t bs = e->fs->blocksize, start = pg * 4096, end;
	int err;

	if (e->ro)
		return -EROFS;
	if ((err = rd_inode(e, ino, &in)))
		return err;
	end = start + 4096 < EXT2_I_SIZE(&in) ? start + 4096 : EXT2_I_SIZE(&in);
	for (uint64_t off = start - start % bs; off < end; off += bs) {
		blk64_t phys = 0;

		err = e2err(ext2fs_bmap2(e->fs, ino, NULL, NULL, 0, off / bs, NULL, &phys));
		if (!err && !phys)
			err = e2err(ext2fs_bmap2(e->fs, ino, NULL, NULL, BMAP_ALLOC | BMAP_ZERO, off / bs,
						 NULL, &phys));
		if (err)
			return err;
	}
	return 0;
}

/* A VMA maps the file: drop_caches and fadvise DONTNEED keep its pages
 * while one does (invalidate_mapping_pages skips mapped pages). */
static void e2_vm_open(struct file *f)
{
	struct pcache_inode *pi = e2_pcache(f);

	if (pi)
		pi->pins++;
}

static void e2_vm_close(struct file *f)
{
	struct pcache_inode *pi = pcache_find(E(f->mnt), ((struct e2node *)f->priv)->ino);

	if (pi && pi->pins > 0)
		pi->pins--;
}

/* The memfd of n (made and loaded from the image if none yet). */
static int node_memfd(struct e2fs *e, struct e2node *n)
{
	char *buf;
	uint64_t pos = 0;
	ssize_t r;
	int fd;

	if (n->memfd >= 0)
		return n->memfd;
	fd = host_fd_admit(memfd_create("umk-ext2", MFD_CLOEXEC));
	if (fd < 0)
		return fd;
	buf = malloc(1 << 16);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		r = data_read(e, n->ino, buf, 1 << 16, pos);
		if (r <= 0)
			break;
		if (pwrite(fd, buf, (size_t)r, (off_t)pos) != r) {
			r = -EIO;
			break;
		}
		pos += (uint64_t)r;
	}
	free(buf);
	if (r < 0) {
		close(fd);
		return (int)r;
	}
	{
		struct ext2_inode_large in;

		if (!rd_inode(e, n->ino, &in) && ftruncate(fd, (off_t)EXT2_I_SIZE(&in)) < 0) {
			close(fd);
			return -EIO;
		}
	}
	n->memfd = fd;
	{
		/* mapped pages may now differ from the image (e2_page_dirty) */
		struct pcache_inode *pi = pcache_get(e, n->ino, &e2_pcache_ops);

		if (pi)
			pi->may_dirty = true;
	}
	return fd;
}

/* Writes n's memfd back to the image: the blocks that differ. */
static int node_writeback(struct e2fs *e, struct e2node *n)
{
	struct stat hs;
	size_t bs = e->fs->blocksize;
	char *a, *b;
	int err = 0;

	if (n->memfd < 0 || n->orphan || e->ro || fstat(n->memfd, &hs) < 0)
		return 0;
	a = malloc(bs);
	b = malloc(bs);
	if (!a || !b) {
		free(a);
		free(b);
		return -ENOMEM;
	}
	for (uint64_t pos = 0; pos < (uint64_t)hs.st_size && !err; pos += bs) {
		ssize_t k = pread(n->memfd, a, bs, (off_t)pos), r;

		if (k <= 0)
			break;
		r = data_read(e, n->ino, b, (size_t)k, pos);
		if (r == k && !memcmp(a, b, (size_t)k))
			continue;
		r = data_write(e, n->ino, a, (size_t)k, pos);
		if (r < 0)
			err = (int)r;
	}
	free(a);
	free(b);
	return err;
}

/* ---- open files ---- */

static struct e2node *N(struct file *f)
{
	return f->priv;
}

static int ts_cmp(struct linux_timespec a, struct linux_timespec b)
{
	return a.tv_sec != b.tv_sec ? (a.tv_sec < b.tv_sec ? -1 : 1) :
	       a.tv_nsec != b.tv_nsec ? (a.tv_nsec < b.tv_nsec ? -1 : 1) : 0;
}

/* A read: atime becomes now as relatime has it (Linux's default:
 * atime not after mtime or ctime, or a day old); never on a noatime or
 * read-only mount (touch_atime, relatime_need_update). */
static void file_accessed(struct e2fs *e, struct file *f)
{
	struct ext2_inode_large in;
	struct linux_timespec a, now = ts_now();
	int mf = f->mnt->mflags | f->mnt->sb->flags;

	if (e->ro || (mf & (MS_RDONLY | MS_NOATIME)) || (f->flags & O_NOATIME) ||
	    rd_inode(e, N(f)->ino, &in) || (in.i_flags & EXT2_NOATIME_FL))
		return;
	a = xtime_get(in.i_atime, in.i_atime_extra, FITS(e, &in, i_atime_extra));
	if (!(mf & MS_STRICTATIME) &&
	    ts_cmp(a, xtime_get(in.i_mtime, in.i_mtime_extra, FITS(e, &in, i_mtime_extra))) > 0 &&
	    ts_cmp(a, xtime_get(in.i_ctime, in.i_ctime_extra, FITS(e, &in, i_ctime_extra))) > 0 &&
	    now.tv_sec - a.tv_sec < 24 * 3600)
		return;
	SET_TIME(e, &in, a, now);
	wr_inode(e, N(f)->ino, &in);
}

static ssize_t e2_read(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	struct e2fs *e = E(f->mnt);
	ssize_t r;

	(void)t;
	if (*pos < 0)
		return -EINVAL;
	if (N(f)->memfd >= 0) {
		r = pread(N(f)->memfd, buf, n, *pos);
		r = r < 0 ? -errno : r;
	} else {
		r = data_read(e, N(f)->ino, buf, n, (uint64_t)*pos);
	}
	if (r > 0 && (f->flags & O_DIRECT))
		pcache_account_read(t, (uint64_t)*pos, (uint64_t)r);
	else if (r > 0)
		pcache_fill(t, e2_pcache(f), (uint64_t)*pos, (uint64_t)r);
	if (r > 0)
		*pos += r;
	if (r >= 0)
		file_accessed(e, f);
	return r;
}

static int e2_fsync(struct file *f);

/* After a write: O_SYNC and O_DSYNC make it durable as fsync does
 * (generic_write_sync); O_DIRECT's data reaches the device (the block
 * cache of ext2_io.c is written back), not the backing file's disk;
 * blocks dirty for 30 s are written back with the metadata (the
 * flusher's dirty_expire_centisecs). */
static int write_sync(struct file *f)
{
	struct e2fs *e = E(f->mnt);

	if (f->flags & O_DSYNC)   /* O_SYNC includes it */
		return e2_fsync(f);
	if (f->flags & O_DIRECT)
		return e2err(io_channel_flush(e->fs->io));
	if (ext2_io_expired(e->fs->io))
		ext2fs_flush(e->fs);   /* the periodic writeback (its error: at fsync) */
	return 0;
}

static ssize_t e2_write(struct task *t, struct file *f, const void *buf, size_t n, int64_t *pos)
{
	struct e2fs *e = E(f->mnt);
	struct ext2_inode_large in;
	ssize_t r;
	int err;

	(void)t;
	if (*pos < 0)
		return -EINVAL;
	if (!n)
		return 0;
	if (e->ro)
		return -EROFS;
	err = rd_inode(e, N(f)->ino, &in);
	if (err)
		return err;
	if (in.i_flags & EXT2_IMMUTABLE_FL)
		return -EPERM;
	r = data_write(e, N(f)->ino, buf, n, (uint64_t)*pos);
	if (r > 0 && N(f)->memfd >= 0 && pwrite(N(f)->memfd, buf, (size_t)r, *pos) != r)
		r = -EIO;
	if (r > 0) {
		if (!(f->flags & O_DIRECT))
			pcache_mark(e2_pcache(f), (uint64_t)*pos, (uint64_t)r);
		*pos += r;
		touch_ino(e, N(f)->ino, true, true);
		err = write_sync(f);
		if (err)
			r = err;
	}
	return r;
}

static int e2_fstat(struct file *f, struct kstat *st)
{
	struct e2fs *e = E(f->mnt);
	struct ext2_inode_large in;
	int err = rd_inode(e, N(f)->ino, &in);

	if (err)
		return err;
	fill_stat(e, N(f)->ino, &in, f->mnt->dev, st);
	if (N(f)->memfd >= 0) {
		struct stat hs;

		if (!fstat(N(f)->memfd, &hs))
			st->size = (uint64_t)hs.st_size;
	}
	return 0;
}

static int do_truncate(struct e2fs *e, struct e2node *n, ext2_ino_t ino, uint64_t len)
{
	struct ext2_inode_large in;
	int err;

	if (e->ro)
		return -EROFS;
	if ((err = rd_inode(e, ino, &in)))
		return err;
	if (LINUX_S_ISDIR(in.i_mode))
		return -EISDIR;
	if (!LINUX_S_ISREG(in.i_mode))
		return -EINVAL;
	if (inode_locked(&in))
		return -EPERM;
	if (len > (uint64_t)INT64_MAX)
		return -EINVAL;
	uint64_t old = EXT2_I_SIZE(&in);
	if ((err = data_truncate(e, ino, len)))
		return err;
	if (n && n->memfd >= 0 && ftruncate(n->memfd, (off_t)len) < 0)
		return -errno;
	struct pcache_inode *pi = pcache_find(e, ino);
	pcache_truncate(pi, len);
	/* pagecache_isize_extended: the page that held the old end now
	 * has bytes without blocks; a write through a mapping must fault
	 * so that e2_page_mkwrite gives them blocks (or SIGBUS); ext2's
	 * own driver has no page_mkwrite of its kind (filemap_page_mkwrite) */
	if (len > old && (old % 4096) && e->fs->blocksize < 4096 && pi && pi->pins &&
	    strcmp(e->sb->fstype, "ext2"))
		pcache_wrprotect(current, pi, old / 4096);
	return touch_ino(e, ino, true, true);
}

static int e2_ftruncate(struct file *f, uint64_t len)
{
	return do_truncate(E(f->mnt), N(f), N(f)->ino, len);
}

static int fs_sync(struct e2fs *e)
{
	struct list_head *p;
	int err = 0, r;

	if (e->ro)
		return 0;
	for (p = e->nodes.next; p != &e->nodes; p = p->next) {
		r = node_writeback(e, list_entry(p, struct e2node, link));
		err = err ? err : r;
	}
	r = e2err(ext2fs_flush(e->fs));
	err = err ? err : r;
	r = loop_bdev_sync(e->bdev);
	return err ? err : r;
}

static int e2_fsync(struct file *f)
{
	struct e2fs *e = E(f->mnt);
	int err;

	if (e->ro)
		return 0;
	err = node_writeback(e, N(f));
	if (!err)
		err = e2err(ext2fs_flush(e->fs));
	if (!err)
		err = loop_bdev_sync(e->bdev);
	return err;
}

static void e2_acl_chmod(struct e2fs *e, ext2_ino_t ino, uint32_t mode);
static void e2_acl_stat(struct e2fs *e, ext2_ino_t ino, struct kstat *st);
static bool may_have_xattrs(struct e2fs *e, ext2_ino_t ino, const struct ext2_inode_large *in);

static int do_setattr(struct e2fs *e, ext2_ino_t ino, int what, uint32_t mode, uint32_t uid,
		      uint32_t gid, const struct linux_timespec *ts)
{
	struct ext2_inode_large in;
	int err;

	if (e->ro)
		return -EROFS;
	if ((err = rd_inode(e, ino, &in)))
		return err;
	/* an immutable file takes no change, an append-only one only its
	 * times set to now (notify_change's IS_IMMUTABLE/IS_APPEND) */
	if ((in.i_flags & EXT2_IMMUTABLE_FL) ||
	    ((in.i_flags & EXT2_APPEND_FL) && what != (ATTR_TIMES | ATTR_TOUCH)))
		return -EPERM;
	if (what & ATTR_MODE)
		in.i_mode = (uint16_t)((in.i_mode & S_IFMT) | (mode & 07777));
	if (what & ATTR_OWNER)
		set_owner(&in, uid, gid);
	if ((what & ATTR_TIMES) && ts) {
		if (ts[0].tv_nsec != UTIME_OMIT)
			SET_TIME(e, &in, a, ts[0]);
		if (ts[1].tv_nsec != UTIME_OMIT)
			SET_TIME(e, &in, m, ts[1]);
	}
	touch(e, &in, false, true);
	err = wr_inode(e, ino, &in);
	if (!err && (what & ATTR_MODE))
		e2_acl_chmod(e, ino, mode);
	return err;
}

static int e2_fsetattr(struct file *f, int what, uint32_t mode, uint32_t uid, uint32_t gid,
		       const struct linux_timespec *ts)
{
	return do_setattr(E(f->mnt), N(f)->ino, what, mode, uid, gid, ts);
}

static int e2_host_fd(struct file *f)
{
	return node_memfd(E(f->mnt), N(f));
}

static int e2_dir_host_fd(struct file *f)
{
	(void)f;
	return -ENODEV;
}

static void e2_release(struct file *f)
{
	struct e2fs *e = E(f->mnt);
	struct e2node *n = N(f);

	if ((f->flags & O_ACCMODE) != O_RDONLY && e->writers > 0)
		e->writers--;
	if (--n->opens > 0)
		return;
	node_writeback(e, n);
	if (n->has_key) {
		fscrypt_fkey_release(&n->fkey);
		n->has_key = false;
	}
	if (n->memfd >= 0) {
		struct pcache_inode *pi = pcache_find(e, n->ino);

		close(n->memfd);
		n->memfd = -1;
		if (pi)
			pi->may_dirty = false;
	}
	if (n->orphan && !e->ro) {
		n->orphan = false;
		free_inode(e, n->ino);
	}
	if (!n->fifo) {
		list_del(&n->link);
		free(n);
	}
}

static short e2_poll(struct file *f, struct poll_table *pt)
{
	(void)f, (void)pt;
	return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

/* ---- FIEMAP ---- */

#define L_FS_IOC_FIEMAP          0xC020660B
#define L_FIEMAP_FLAG_SYNC       1
#define L_FIEMAP_FLAG_XATTR      2
#define L_FIEMAP_EXTENT_LAST     0x1
#define L_FIEMAP_EXTENT_DATA_INLINE 0x200
#define L_FIEMAP_EXTENT_NOT_ALIGNED 0x100

struct l_fiemap {
	uint64_t fm_start, fm_length;
	uint32_t fm_flags, fm_mapped_extents, fm_extent_count, fm_reserved;
};
struct l_fiemap_extent {
	uint64_t fe_logical, fe_physical, fe_length, fe_reserved64[2];
	uint32_t fe_flags, fe_reserved[3];
};

struct run { uint64_t lblk, pblk, len; };
struct runs_ctx { struct run *r; size_t n, cap; int err; };

/* Collects a file's data blocks as runs (logically and physically
 * contiguous). */
static int runs_cb(ext2_filsys fs, blk64_t *blk, e2_blkcnt_t cnt, blk64_t ref_blk, int ref_off,
		   void *priv)
{
	struct runs_ctx *c = priv;
	struct run *last = c->n ? &c->r[c->n - 1] : NULL;

	(void)fs, (void)ref_blk, (void)ref_off;
	if (cnt < 0 || !*blk)
		return 0;
	if (last && last->lblk + last->len == (uint64_t)cnt && last->pblk + last->len == *blk) {
		last->len++;
		return 0;
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct run *r = c->cap > 65536 ? NULL : realloc(c->r, cap * sizeof *r);

		if (!r) {
			c->err = -ENOMEM;
			return BLOCK_ABORT;
		}
		c->r = r;
		c->cap = cap;
	}
	c->r[c->n++] = (struct run){ (uint64_t)cnt, *blk, 1 };
	return 0;
}

/* FS_IOC_FIEMAP (Linux's ioctl_fiemap and ext4_fiemap; Documentation/
 * filesystems/fiemap.rst): the file's extents overlapping [fm_start,
 * fm_start + fm_length), FIEMAP_EXTENT_LAST on the file's last one.
 * -EBADR (unknown flags, which are written back), -EFAULT, -EINVAL. */
static long e2_fiemap(struct task *t, struct file *f, uint64_t arg)
{
	struct e2fs *e = E(f->mnt);
	struct ext2_inode_large in;
	struct l_fiemap fm;
	struct runs_ctx c = { 0 };
	uint64_t bs = e->fs->blocksize, end;
	uint32_t n = 0;
	int err;

	if (copy_from_user(t, &fm, arg, sizeof fm))
		return -EFAULT;
	if (fm.fm_flags & ~(uint32_t)(L_FIEMAP_FLAG_SYNC | L_FIEMAP_FLAG_XATTR)) {
		fm.fm_flags &= ~(uint32_t)(L_FIEMAP_FLAG_SYNC | L_FIEMAP_FLAG_XATTR);   /* the incompatible ones */
		return copy_to_user(t, arg, &fm, sizeof fm) ? -EFAULT : -EBADR;
	}
	if (!fm.fm_length)
		return -EINVAL;
	if (fm.fm_extent_count > 0x7fffffffU / sizeof(struct l_fiemap_extent))
		return -EINVAL;
	if (fm.fm_flags & L_FIEMAP_FLAG_XATTR)
		return -EBADR;           /* (ext4 maps the xattr block; not done) */
	node_writeback(e, N(f));
	if ((err = rd_inode(e, N(f)->ino, &in)))
		return err;
	end = fm.fm_start + fm.fm_length < fm.fm_start ? UINT64_MAX : fm.fm_start + fm.fm_length;
	if (in.i_flags & EXT4_INLINE_DATA_FL) {
		if (EXT2_I_SIZE(&in) && fm.fm_start < EXT2_I_SIZE(&in)) {
			struct l_fiemap_extent x = { .fe_length = EXT2_I_SIZE(&in),
				.fe_flags = L_FIEMAP_EXTENT_LAST | L_FIEMAP_EXTENT_DATA_INLINE |
					    L_FIEMAP_EXTENT_NOT_ALIGNED };

			if (fm.fm_extent_count && copy_to_user(t, arg + sizeof fm, &x, sizeof x))
				return -EFAULT;
			n = 1;
		}
	} else if (ext2fs_inode_has_valid_blocks2(e->fs, (struct ext2_inode *)&in)) {
		err = e2err(ext2fs_block_iterate3(e->fs, N(f)->ino, BLOCK_FLAG_READ_ONLY | BLOCK_FLAG_DATA_ONLY,
						  NULL, runs_cb, &c));
		if (!err)
			err = c.err;
		for (size_t i = 0; !err && i < c.n; i++) {
			struct l_fiemap_extent x = { 0 };

			if ((c.r[i].lblk + c.r[i].len) * bs <= fm.fm_start || c.r[i].lblk * bs >= end)
				continue;
			if (fm.fm_extent_count && n == fm.fm_extent_count)
				break;
			if (fm.fm_extent_count) {
				x.fe_logical = c.r[i].lblk * bs;
				x.fe_physical = c.r[i].pblk * bs;
				x.fe_length = c.r[i].len * bs;
				x.fe_flags = i == c.n - 1 ? L_FIEMAP_EXTENT_LAST : 0;
				if (copy_to_user(t, arg + sizeof fm + n * sizeof x, &x, sizeof x))
					err = -EFAULT;
			}
			n++;
		}
		free(c.r);
		if (err)
			return err;
	}
	fm.fm_mapped_extents = n;
	return copy_to_user(t, arg, &fm, sizeof fm) ? -EFAULT : 0;
}

/* ---- fallocate, SEEK_DATA and SEEK_HOLE (ext4_fallocate, ext4_llseek) ---- */

#define L_FALLOC_FL_KEEP_SIZE      0x01
#define L_FALLOC_FL_PUNCH_HOLE     0x02
#define L_FALLOC_FL_COLLAPSE_RANGE 0x08
#define L_FALLOC_FL_ZERO_RANGE     0x10
#define L_FALLOC_FL_INSERT_RANGE   0x20

/* Whether logical block lblk of ino has a block behind it (written or
 * not: SEEK_DATA finds both, as ext4's on Linux 6.x); *uninit (if not
 * NULL): an unwritten one, which reads as zeros. */
static int blk_state(struct e2fs *e, ext2_ino_t ino, uint64_t lblk, bool *mapped, bool *uninit)
{
	blk64_t p = 0;
	int flags = 0;
	int err = e2err(ext2fs_bmap2(e->fs, ino, NULL, NULL, 0, lblk, &flags, &p));

	*mapped = !err && p;
	if (uninit)
		*uninit = *mapped && (flags & BMAP_RET_UNINIT);
	return err;
}

static int blk_mapped(struct e2fs *e, ext2_ino_t ino, uint64_t lblk, bool *mapped)
{
	return blk_state(e, ino, lblk, mapped, NULL);
}

/* Sets ino's size without touching its blocks (KEEP_SIZE after a write
 * past the end, INSERT and COLLAPSE's new size). */
static int size_set(struct e2fs *e, ext2_ino_t ino, uint64_t size)
{
	struct ext2_inode_large in;
	int err = rd_inode(e, ino, &in);

	if (!err)
		err = e2err(ext2fs_inode_size_set(e->fs, (struct ext2_inode *)&in, size));
	return err ? err : wr_inode(e, ino, &in);
}

/* Writes n zero bytes at pos of ino (allocating where there is a hole):
 * 0, -ENOSPC, -EIO... */
static int zero_bytes(struct e2fs *e, ext2_ino_t ino, uint64_t pos, size_t n)
{
	char *z;
	ssize_t r;

	if (!n)
		return 0;
	if (!(z = calloc(1, n)))
		return -ENOMEM;
	r = data_write(e, ino, z, n, pos);
	free(z);
	return r < 0 ? (int)r : (size_t)r == n ? 0 : -ENOSPC;
}

/* Frees the blocks [first, first + count) of ino (ext2fs_punch's end is
 * inclusive). */
static int punch_blocks(struct e2fs *e, ext2_ino_t ino, uint64_t first, uint64_t count)
{
	if (!count)
		return 0;
	return e2err(ext2fs_punch(e->fs, ino, NULL, NULL, first, first + count - 1));
}

/* Allocates the holes of blocks [first, first + count) of ino as
 * unwritten blocks (zeros to a reader; past the end of the file too, where
 * e2fsck allows only unwritten ones), as ext4's fallocate makes unwritten
 * extents.  A block at a time: ext2fs_fallocate of a range short of the
 * extent after it grows that extent down instead, mapping blocks outside
 * the range. */
static int alloc_blocks(struct e2fs *e, ext2_ino_t ino, uint64_t first, uint64_t count)
{
	int err = 0;

	for (uint64_t b = first; !err && b < first + count; b++) {
		blk64_t p = 0;
		bool mapped;

		if (!(err = blk_mapped(e, ino, b, &mapped)) && !mapped)
			err = e2err(ext2fs_bmap2(e->fs, ino, NULL, NULL, BMAP_ALLOC | BMAP_UNINIT, b, NULL,
						 &p));
	}
	return err;
}

/* ZERO_RANGE's partial block at its edge, [pos, pos + n) in one block of
 * a file of size bytes: zeros written, or an unwritten block when the
 * block lies wholly past the end (a written one may not, to e2fsck). */
static int zero_edge(struct e2fs *e, ext2_ino_t ino, uint64_t pos, size_t n, uint64_t size)
{
	uint64_t bs = e->fs->blocksize;

	if (pos / bs * bs >= size)
		return alloc_blocks(e, ino, pos / bs, 1);
	return zero_bytes(e, ino, pos, n);
}

/* Moves block from of ino to block to (data, an unwritten block or a
 * hole, as from has), through buf (a block). */
static int move_block(struct e2fs *e, ext2_ino_t ino, uint64_t from, uint64_t to, char *buf)
{
	uint64_t bs = e->fs->blocksize;
	bool mapped, uninit;
	ssize_t r;
	int err = blk_state(e, ino, from, &mapped, &uninit);

	if (err)
		return err;
	if (!mapped || uninit) {
		err = punch_blocks(e, ino, to, 1);
		return err || !uninit ? err : alloc_blocks(e, ino, to, 1);
	}
	r = data_read(e, ino, buf, bs, from * bs);
	if (r < 0)
		return (int)r;
	memset(buf + r, 0, bs - (size_t)r);
	r = data_write(e, ino, buf, bs, to * bs);
	return r < 0 ? (int)r : r == (ssize_t)bs ? 0 : -ENOSPC;
}

/* COLLAPSE_RANGE (len blocks at first go, what follows moves down) and
 * INSERT_RANGE (a hole of len blocks at first, what follows moves up),
 * a block at a time so that holes stay holes; size is the old size. */
static int shift_blocks(struct e2fs *e, ext2_ino_t ino, uint64_t first, uint64_t len, uint64_t size,
			bool insert)
{
	uint64_t bs = e->fs->blocksize, nblk = (size + bs - 1) / bs;
	struct runs_ctx c = { 0 };
	char *buf;
	int err;

	/* blocks past the end (KEEP_SIZE's) move too, as ext4's extents do */
	err = e2err(ext2fs_block_iterate3(e->fs, ino, BLOCK_FLAG_READ_ONLY | BLOCK_FLAG_DATA_ONLY, NULL,
					  runs_cb, &c));
	if (!err)
		err = c.err;
	if (!err && c.n && c.r[c.n - 1].lblk + c.r[c.n - 1].len > nblk)
		nblk = c.r[c.n - 1].lblk + c.r[c.n - 1].len;
	free(c.r);
	if (err)
		return err;
	if (!(buf = malloc(bs)))
		return -ENOMEM;
	if (insert) {
		for (uint64_t b = nblk; !err && b-- > first;)
			err = move_block(e, ino, b, b + len, buf);
		if (!err)
			err = punch_blocks(e, ino, first, len);
		if (!err)
			err = size_set(e, ino, size + len * bs);
	} else {
		for (uint64_t b = first + len; !err && b < nblk; b++)
			err = move_block(e, ino, b, b - len, buf);
		if (!err)
			err = punch_blocks(e, ino, nblk - len, ~0ULL - (nblk - len) + 1);
		if (!err)
			err = size_set(e, ino, size - len * bs);
	}
	free(buf);
	return err;
}

/* The pages wholly inside bytes [lo, hi) of n (hi UINT64_MAX: to the end) leave
 * the page cache, mapped ones too (truncate_pagecache_range: a mapping
 * faults them in again, from the image): the page-cache state, and the
 * memfd's pages, which the stubs' mappings then fault back in. */
static void drop_pages(struct e2fs *e, struct e2node *n, uint64_t lo, uint64_t hi)
{
	uint64_t first = (lo + 4095) / 4096 * 4096;
	uint64_t last = hi >= (uint64_t)INT64_MAX ? (uint64_t)INT64_MAX / 4096 * 4096 : hi / 4096 * 4096;

	if (first >= last)
		return;
	pcache_truncate_range(pcache_find(e, n->ino), first, hi == UINT64_MAX ? 0 : last - first);
	if (n->memfd >= 0)
		fallocate(n->memfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)first,
			  (off_t)(last - first));
}

/*
 * e2_fallocate - fallocate(2) on an ext4 file (ext4_fallocate; the VFS
 * checked mode, access and flags): 0 and KEEP_SIZE allocate zeroed
 * blocks (past the end with KEEP_SIZE), PUNCH_HOLE frees the whole
 * blocks and zeroes the partial ones at its edges, ZERO_RANGE makes the
 * range allocated zeros, COLLAPSE_RANGE and INSERT_RANGE (block-aligned,
 * inside the file: else -EINVAL) move what follows.  A file without
 * extents (ext2, ext3) can only be punched, as ext4's driver does it for
 * every ext2/3/4 image (CONFIG_EXT4_USE_FOR_EXT2): -EOPNOTSUPP for any
 * other mode there, for a file with inline data, and for UNSHARE and
 * WRITE_ZEROES; -EROFS, -ENOSPC, -EFBIG.  A file with a page cache (a
 * memfd, for mmap) is written back first and reloaded after.
 */
static int e2_fallocate(struct file *f, int mode, uint64_t off, uint64_t len)
{
	struct e2fs *e = E(f->mnt);
	struct e2node *n = N(f);
	struct ext2_inode_large in;
	uint64_t bs = e->fs->blocksize, size, end = off + len;
	uint64_t first = (off + bs - 1) / bs, last = end / bs;   /* whole blocks [first, last) */
	int op = mode & ~L_FALLOC_FL_KEEP_SIZE, err;

	if (e->ro)
		return -EROFS;
	if ((err = rd_inode(e, n->ino, &in)))
		return err;
	/* vfs_fallocate's IS_IMMUTABLE and IS_APPEND (ext2's flags are its own) */
	if ((in.i_flags & EXT2_IMMUTABLE_FL) || (op && (in.i_flags & EXT2_APPEND_FL)))
		return -EPERM;
	if ((!(in.i_flags & EXT4_EXTENTS_FL) && op != L_FALLOC_FL_PUNCH_HOLE) ||
	    (in.i_flags & EXT4_INLINE_DATA_FL))
		return -EOPNOTSUPP;   /* a block-mapped file can only be punched */
	if (op && op != L_FALLOC_FL_PUNCH_HOLE && op != L_FALLOC_FL_ZERO_RANGE &&
	    op != L_FALLOC_FL_COLLAPSE_RANGE && op != L_FALLOC_FL_INSERT_RANGE)
		return -EOPNOTSUPP;
	/* ext4_fallocate: an encrypted file's blocks cannot move (their
	 * number is their IV); its zeroed bytes go through data_write's
	 * encryption */
	if (encrypted(&in) && (op == L_FALLOC_FL_COLLAPSE_RANGE || op == L_FALLOC_FL_INSERT_RANGE))
		return -EOPNOTSUPP;
	if (end > (uint64_t)e->fs->blocksize << 32)
		return -EFBIG;   /* s_maxbytes of an extent file: 2^32 blocks */
	if ((err = node_writeback(e, n)))
		return err;
	size = EXT2_I_SIZE(&in);
	if (n->memfd >= 0) {
		struct stat hs;

		if (!fstat(n->memfd, &hs))
			size = (uint64_t)hs.st_size;
	}
	switch (op) {
	case 0:
		err = alloc_blocks(e, n->ino, off / bs, (end + bs - 1) / bs - off / bs);
		if (!err && !(mode & L_FALLOC_FL_KEEP_SIZE) && end > size)
			err = size_set(e, n->ino, end);
		break;
	case L_FALLOC_FL_PUNCH_HOLE: {
		bool mapped;

		if (off >= size)
			break;
		if (end > size)
			end = size, last = (end + bs - 1) / bs;   /* the tail block goes whole */
		if (off / bs == (end - 1) / bs && (off % bs || end % bs)) {   /* inside one block */
			if (!(err = blk_mapped(e, n->ino, off / bs, &mapped)) && mapped)
				err = zero_bytes(e, n->ino, off, end - off);
			break;
		}
		if (off % bs && !(err = blk_mapped(e, n->ino, off / bs, &mapped)) && mapped)
			err = zero_bytes(e, n->ino, off, first * bs - off);
		if (!err && end % bs && last * bs < end &&
		    !(err = blk_mapped(e, n->ino, last, &mapped)) && mapped)
			err = zero_bytes(e, n->ino, last * bs, end - last * bs);
		if (!err)
			err = punch_blocks(e, n->ino, first, last - first);
		break;
	}
	case L_FALLOC_FL_ZERO_RANGE:
		if (off / bs == (end - 1) / bs && (off % bs || end % bs)) {   /* inside one block */
			err = zero_edge(e, n->ino, off, len, size);
		} else {
			err = punch_blocks(e, n->ino, first, last - first);
			if (!err)
				err = alloc_blocks(e, n->ino, first, last - first);
			if (!err && off % bs)
				err = zero_edge(e, n->ino, off, first * bs - off, size);
			if (!err && end % bs)
				err = zero_edge(e, n->ino, last * bs, end - last * bs, size);
		}
		/* the edges' writes moved the size: back to where it was, or
		 * to the range's end */
		if (!err)
			err = size_set(e, n->ino, (mode & L_FALLOC_FL_KEEP_SIZE) || end <= size ? size : end);
		break;
	case L_FALLOC_FL_COLLAPSE_RANGE:
	case L_FALLOC_FL_INSERT_RANGE:
		if (off % bs || len % bs)
			return -EINVAL;
		if (op == L_FALLOC_FL_COLLAPSE_RANGE ? end >= size : off >= size)
			return -EINVAL;
		if (op == L_FALLOC_FL_INSERT_RANGE && size + len > (uint64_t)e->fs->blocksize << 32)
			return -EFBIG;
		err = shift_blocks(e, n->ino, off / bs, len / bs, size, op == L_FALLOC_FL_INSERT_RANGE);
		break;
	}
	/* ext4_punch_hole, ext4_zero_range, ext4_collapse_range and
	 * ext4_insert_range drop the pages of what changed */
	if ((op == L_FALLOC_FL_PUNCH_HOLE || op == L_FALLOC_FL_ZERO_RANGE) && first < last)
		drop_pages(e, n, first * bs, last * bs);
	else if (op == L_FALLOC_FL_COLLAPSE_RANGE || op == L_FALLOC_FL_INSERT_RANGE)
		drop_pages(e, n, off / 4096 * 4096, UINT64_MAX);
	if (n->memfd >= 0) {
		/* the page cache again from the image (the memfd stays, so
		 * the mappings of it see the new contents) */
		int fd = n->memfd, nfd;

		n->memfd = -1;
		nfd = node_memfd(e, n);
		if (nfd >= 0) {
			struct stat hs;
			char *buf = malloc(1 << 16);
			ssize_t k;

			for (off_t p = 0; buf && (k = pread(nfd, buf, 1 << 16, p)) > 0; p += k)
				if (pwrite(fd, buf, (size_t)k, p) != k)
					break;
			free(buf);
			if (!fstat(nfd, &hs) && ftruncate(fd, hs.st_size) < 0)
				err = err ? err : -EIO;
			close(nfd);
		}
		n->memfd = fd;
	}
	if (!err)
		touch_ino(e, n->ino, true, true);
	return err;
}

/* lseek's SEEK_DATA and SEEK_HOLE over the file's blocks (ext4_llseek:
 * -ENXIO at or past the end, a hole at the end of the file); other
 * whences -EOPNOTSUPP (the VFS's). */
static int64_t e2_llseek(struct file *f, int64_t off, int whence)
{
	struct e2fs *e = E(f->mnt);
	struct e2node *n = N(f);
	struct kstat st;
	uint64_t bs = e->fs->blocksize, pos;
	bool mapped;
	int err;

	if (whence != SEEK_DATA && whence != SEEK_HOLE)
		return -EOPNOTSUPP;
	if ((err = e2_fstat(f, &st)))
		return err;
	if (off < 0 || (uint64_t)off >= st.size)
		return -ENXIO;
	node_writeback(e, n);
	for (pos = (uint64_t)off; pos < st.size; pos = (pos / bs + 1) * bs) {
		if ((err = blk_mapped(e, n->ino, pos / bs, &mapped)))
			return err;
		if (mapped == (whence == SEEK_DATA))
			break;
	}
	if (pos >= st.size) {
		if (whence == SEEK_DATA)
			return -ENXIO;
		pos = st.size;
	}
	f->pos = (int64_t)pos;
	return f->pos;
}

/* FS_IOC_GETFLAGS, FS_IOC_SETFLAGS (EXT2_*_FL: changing immutable or
 * append-only needs CAP_LINUX_IMMUTABLE, any change the owner or
 * CAP_FOWNER: EPERM), FS_IOC_GETVERSION (i_generation).  Mirrors
 * ext4_ioctl_setflags. */
/* ---- encryption: contexts and ioctls (fscrypt.c; ext4's fs/ext4/crypto.c) ---- */

#define EXT4_XATTR_INDEX_ENCRYPTION 9

/* ext4_get_context: the xattr "c" of index 9 (libext2fs knows no prefix
 * for that index and names it "c").  Its length, -ENODATA, -ERANGE. */
static int ctx_get(struct e2fs *e, ext2_ino_t ino, void *buf, size_t n)
{
	struct ext2_xattr_handle *h;
	void *v = NULL;
	size_t len = 0;
	int r;

	if ((r = e2err(ext2fs_xattrs_open(e->fs, ino, &h))))
		return r;
	if (!(r = e2err(ext2fs_xattrs_read(h))))
		r = e2err(ext2fs_xattr_get(h, "c", &v, &len));
	ext2fs_xattrs_close(&h);
	if (r == -ENODATA || r == -ENOENT)
		return -ENODATA;
	if (r)
		return r;
	if (len > n)
		r = -ERANGE;
	else
		memcpy(buf, v, len), r = (int)len;
	ext2fs_free_mem(&v);
	return r;
}

/* libext2fs writes a new "c" with index 0: give it index 9, in the
 * inode's body or its xattr block.  Whether it found it. */
static bool ctx_fix_index(struct ext2_ext_attr_entry *x, const char *end)
{
	while ((const char *)x + sizeof *x <= end && !EXT2_EXT_IS_LAST_ENTRY(x)) {
		if (x->e_name_len == 1 && x->e_name_index == 0 && EXT2_EXT_ATTR_NAME(x)[0] == 'c') {
			x->e_name_index = EXT4_XATTR_INDEX_ENCRYPTION;
			return true;
		}
		x = EXT2_EXT_ATTR_NEXT(x);
	}
	return false;
}

/* ext4_set_context: the xattr and EXT4_ENCRYPT_FL.  0 or -errno. */
static int ctx_set(struct e2fs *e, ext2_ino_t ino, const void *ctx, size_t len)
{
	size_t isz = EXT2_INODE_SIZE(e->fs->super);
	struct ext2_xattr_handle *h;
	char *raw;
	blk64_t blk;
	int r;

	if (ino == EXT2_ROOT_INO)
		return -EPERM;
	dc_drop(e, ino);
	if (!ext2fs_has_feature_xattr(e->fs->super)) {
		ext2fs_set_feature_xattr(e->fs->super);
		ext2fs_mark_super_dirty(e->fs);
	}
	if ((r = e2err(ext2fs_xattrs_open(e->fs, ino, &h))))
		return r;
	if (!(r = e2err(ext2fs_xattrs_read(h))))
		r = e2err(ext2fs_xattr_set(h, "c", ctx, len));
	ext2fs_xattrs_close(&h);
	if (r)
		return r;
	if (!(raw = calloc(1, isz < sizeof(struct ext2_inode_large) ? sizeof(struct ext2_inode_large) : isz)))
		return -ENOMEM;
	if ((r = e2err(ext2fs_read_inode_full(e->fs, ino, (struct ext2_inode *)raw, (int)isz))))
		goto out;
	{
		struct ext2_inode_large *in = (struct ext2_inode_large *)raw;
		size_t body = EXT2_GOOD_OLD_INODE_SIZE + in->i_extra_isize;
		uint32_t magic;
		bool done = false;

		if (isz > EXT2_GOOD_OLD_INODE_SIZE && body + 4 <= isz) {
			memcpy(&magic, raw + body, 4);
			if (magic == EXT2_EXT_ATTR_MAGIC)
				done = ctx_fix_index((struct ext2_ext_attr_entry *)(raw + body + 4), raw + isz);
		}
		in->i_flags |= EXT4_ENCRYPT_FL;
		touch(e, in, false, true);
		if ((r = e2err(ext2fs_write_inode_full(e->fs, ino, (struct ext2_inode *)raw, (int)isz))))
			goto out;
		blk = ext2fs_file_acl_block(e->fs, (struct ext2_inode *)raw);
		if (!done && blk) {
			char *b = malloc(e->fs->blocksize);

			if (!b) {
				r = -ENOMEM;
				goto out;
			}
			if (!(r = e2err(ext2fs_read_ext_attr3(e->fs, blk, b, ino))) &&
			    ctx_fix_index((struct ext2_ext_attr_entry *)(b + sizeof(struct ext2_ext_attr_header)),
					  b + e->fs->blocksize))
				r = e2err(ext2fs_write_ext_attr3(e->fs, blk, b, ino));
			free(b);
		}
	}
out:
	free(raw);
	return r;
}

static int fs_get_context(struct file *f, void *buf, size_t n)
{
	struct e2fs *e = E(f->mnt);
	struct ext2_inode_large in;
	int err;

	if ((err = rd_inode(e, N(f)->ino, &in)))
		return err;
	if (!encrypted(&in))
		return -ENODATA;
	return ctx_get(e, N(f)->ino, buf, n);
}

static int fs_set_context(struct file *f, const void *ctx, size_t len)
{
	struct e2fs *e = E(f->mnt);

	if (e->ro)
		return -EROFS;
	return ctx_set(e, N(f)->ino, ctx, len);
}

static int dir_empty(struct e2fs *e, ext2_ino_t ino);

static void fs_inode_info(struct file *f, uint32_t *mode, uint32_t *uid, bool *empty)
{
	struct e2fs *e = E(f->mnt);
	struct ext2_inode_large in;

	*mode = 0, *uid = 0, *empty = false;
	if (rd_inode(e, N(f)->ino, &in))
		return;
	*mode = in.i_mode;
	*uid = i_uid(&in);
	*empty = LINUX_S_ISDIR(in.i_mode) && in.i_links_count && dir_empty(e, N(f)->ino) == 0;
}

/* ext4_ioctl_get_encryption_pwsalt: a random (v4 UUID) salt stored in
 * the superblock the first time. */
static int fs_pw_salt(struct file *f, uint8_t salt[16])
{
	struct e2fs *e = E(f->mnt);
	uint8_t *s = e->fs->super->s_encrypt_pw_salt;
	bool zero = true;

	for (int i = 0; i < 16; i++)
		zero &= !s[i];
	if (zero) {
		if (e->ro || mnt_want_write(f->mnt))
			return -EROFS;
		if (getrandom(s, 16, 0) != 16)
			return -EIO;
		s[6] = (s[6] & 0x0f) | 0x40;
		s[8] = (s[8] & 0x3f) | 0x80;
		ext2fs_mark_super_dirty(e->fs);
	}
	memcpy(salt, s, 16);
	return 0;
}

static const struct fscrypt_operations ext4_cryptops = {
	.get_context = fs_get_context,
	.set_context = fs_set_context,
	.inode_info = fs_inode_info,
	.pw_salt = fs_pw_salt,
};

static long e2_ioctl(struct task *t, struct file *f, unsigned int cmd, uint64_t arg)
{
	struct e2fs *e = E(f->mnt);
	struct ext2_inode_large in;
	uint32_t v, mod = 0x000380FF;   /* Linux ext2's EXT2_FL_USER_MODIFIABLE: no EXTENTS_FL */
	int err;

	if (fscrypt_ioctl_cmd(cmd)) {
		/* ext4_ioctl: ext2's driver has none; EOPNOTSUPP without the feature */
		if (!ext4_driver(e))
			return -ENOTTY;
		if (!ext2fs_has_feature_encrypt(e->fs->super))
			return -EOPNOTSUPP;
		return fscrypt_ioctl(t, f, e->fskeys, &ext4_cryptops, cmd, arg);
	}

	if (cmd == L_FS_IOC_FIEMAP)
		return e2_fiemap(t, f, arg);
	if ((err = rd_inode(e, N(f)->ino, &in)))
		return err;
	switch (cmd) {
	case L_FS_IOC_GETFLAGS:
		v = in.i_flags & EXT2_FL_USER_VISIBLE;
		return copy_to_user(t, arg, &v, sizeof v) ? -EFAULT : 0;
	case L_FS_IOC_GETVERSION:
		v = in.i_generation;
		return copy_to_user(t, arg, &v, sizeof v) ? -EFAULT : 0;
	case L_FS_IOC_SETFLAGS:
		if (copy_from_user(t, &v, arg, sizeof v))
			return -EFAULT;
		if (e->ro || mnt_want_write(f->mnt))
			return -EROFS;
		if (t->cred.fsuid != i_uid(&in) && !capable(t, CAP_FOWNER))
			return -EPERM;
		if (((v ^ in.i_flags) & (EXT2_IMMUTABLE_FL | EXT2_APPEND_FL)) &&
		    !capable(t, L_CAP_LINUX_IMMUTABLE))
			return -EPERM;
		/* an immutable or append-only file takes no other change
		 * without CAP_LINUX_IMMUTABLE */
		if (inode_locked(&in) && !capable(t, L_CAP_LINUX_IMMUTABLE))
			return -EPERM;
		if (!LINUX_S_ISDIR(in.i_mode))
			mod &= ~(EXT2_DIRSYNC_FL | EXT2_TOPDIR_FL);
		in.i_flags = (in.i_flags & ~mod) | (v & mod);
		touch(e, &in, false, true);
		return wr_inode(e, N(f)->ino, &in);
	}
	return -ENOTTY;
}

struct readdir_ctx {
	struct dir_entry *ents;
	size_t n, cap;
	int err;
	/* an encrypted directory: its names decrypted with key (or no-key names) */
	struct e2fs *e;
	const struct ext2_inode_large *din;
	const struct fscrypt_fkey *key;
	bool enc;
};

static int readdir_cb(ext2_ino_t dir, int entry, struct ext2_dir_entry *d, int offset,
		      int blocksize, char *buf, void *priv)
{
	struct readdir_ctx *c = priv;
	int len = ext2fs_dirent_name_len(d);
	char name[EXT2_NAME_LEN + 1];
	static const uint8_t dt[] = { [EXT2_FT_REG_FILE] = DT_REG, [EXT2_FT_DIR] = DT_DIR,
				      [EXT2_FT_CHRDEV] = DT_CHR, [EXT2_FT_BLKDEV] = DT_BLK,
				      [EXT2_FT_FIFO] = DT_FIFO, [EXT2_FT_SOCK] = DT_SOCK,
				      [EXT2_FT_SYMLINK] = DT_LNK };
	int t = ext2fs_dirent_file_type(d);

	(void)dir, (void)entry, (void)offset, (void)blocksize, (void)buf;
	if (!d->inode || (len == 1 && d->name[0] == '.') ||
	    (len == 2 && d->name[0] == '.' && d->name[1] == '.'))
		return 0;
	if (c->enc) {
		char un[FSCRYPT_NOKEY_NAME_CHARS + EXT2_NAME_LEN + 1];

		/* (a name that decrypts to nothing is skipped) */
		if (enc_user_name(c->e, c->din, c->key, (const uint8_t *)d->name, (size_t)len, un))
			return 0;
		if (dents_add(&c->ents, &c->n, &c->cap, d->inode,
			      t > 0 && t < (int)sizeof dt ? dt[t] : DT_UNKNOWN, un)) {
			c->err = -ENOMEM;
			return DIRENT_ABORT;
		}
		return 0;
	}
	memcpy(name, d->name, (size_t)len);
	name[len] = 0;
	if (dents_add(&c->ents, &c->n, &c->cap, d->inode, t > 0 && t < (int)sizeof dt ? dt[t] : DT_UNKNOWN,
		      name)) {
		c->err = -ENOMEM;
		return DIRENT_ABORT;
	}
	return 0;
}

static int e2_readdir(struct file *f, struct dir_entry **ents, size_t *n)
{
	struct e2fs *e = E(f->mnt);
	struct readdir_ctx c = { 0 };
	struct ext2_inode_large in;
	int err = rd_inode(e, N(f)->ino, &in);

	*ents = NULL;
	*n = 0;
	if (err)
		return err;
	if (!in.i_links_count || N(f)->orphan)
		return -ENOENT;
	struct fscrypt_fkey k;

	if (encrypted(&in)) {
		err = ino_fkey(e, N(f)->ino, &in, &k);
		if (err && err != -ENOKEY)
			return err == 1 ? -EIO : err;
		c.e = e, c.din = &in, c.enc = true, c.key = err ? NULL : &k;
	}
	err = e2err(ext2fs_dir_iterate2(e->fs, N(f)->ino, 0, NULL, readdir_cb, &c));
	if (!err)
		err = c.err;
	if (err) {
		free(c.ents);
		return err;
	}
	if (!(f->mnt->mflags & MS_NODIRATIME))
		file_accessed(e, f);          /* iterate_dir's file_accessed */
	*ents = c.ents;
	*n = c.n;
	return 0;
}

static ssize_t e2_dir_rw(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	(void)t, (void)f, (void)buf, (void)n, (void)pos;
	return -EISDIR;
}

static ssize_t e2_dir_write(struct task *t, struct file *f, const void *buf, size_t n, int64_t *pos)
{
	(void)t, (void)f, (void)buf, (void)n, (void)pos;
	return -EISDIR;
}

static const struct file_ops e2_reg_ops = {
	.read = e2_read,
	.write = e2_write,
	.fstat = e2_fstat,
	.ioctl = e2_ioctl,
	.poll = e2_poll,
	.truncate = e2_ftruncate,
	.fsync = e2_fsync,
	.setattr = e2_fsetattr,
	.host_fd = e2_host_fd,
	.llseek = e2_llseek,
	.fallocate = e2_fallocate,
	.release = e2_release,
	.pcache = e2_pcache,
	.vm_open = e2_vm_open,
	.page_mkwrite = e2_page_mkwrite,
	.vm_close = e2_vm_close,
	.seekable = true,
};

static const struct file_ops e2_dir_ops = {
	.read = e2_dir_rw,
	.write = e2_dir_write,
	.fstat = e2_fstat,
	.readdir = e2_readdir,
	.ioctl = e2_ioctl,
	.fsync = e2_fsync,
	.setattr = e2_fsetattr,
	.host_fd = e2_dir_host_fd,
	.release = e2_release,
	.seekable = true,
};

/* ---- fs_ops ---- */

/* file_getattr/file_setattr and FS_IOC_FS[GS]ETXATTR (file_attr.c made
 * the permission checks): the inode's EXT2_*_FL flags as FS_XFLAG_*
 * (immutable, append, sync, noatime, nodump), as ext4_fileattr_get/set. */
static const uint32_t e2_xmap[][2] = {
	{ EXT2_IMMUTABLE_FL, 0x8 }, { EXT2_APPEND_FL, 0x10 }, { EXT2_SYNC_FL, 0x20 },
	{ EXT2_NOATIME_FL, 0x40 }, { EXT2_NODUMP_FL, 0x80 },
};

static int e2_fileattr_get(struct mount *m, const char *rel, uint32_t *xflags)
{
	struct e2fs *e = E(m);
	struct ext2_inode_large in;
	ext2_ino_t ino;
	int err = namei(e, rel, &ino);

	if (!err)
		err = rd_inode(e, ino, &in);
	*xflags = 0;
	if (err)
		return err;
	for (size_t i = 0; i < sizeof(e2_xmap) / sizeof(e2_xmap[0]); i++)
		if (in.i_flags & e2_xmap[i][0])
			*xflags |= e2_xmap[i][1];
	return 0;
}

static int e2_fileattr_set(struct mount *m, const char *rel, uint32_t xflags)
{
	struct e2fs *e = E(m);
	struct ext2_inode_large in;
	ext2_ino_t ino;
	uint32_t fl = 0, mask = 0;
	int err;

	if (e->ro)
		return -EROFS;
	if (xflags & ~(0x8u | 0x10u | 0x20u | 0x40u | 0x80u))
		return -EOPNOTSUPP;
	err = namei(e, rel, &ino);
	if (!err)
		err = rd_inode(e, ino, &in);
	if (err)
		return err;
	for (size_t i = 0; i < sizeof(e2_xmap) / sizeof(e2_xmap[0]); i++) {
		mask |= e2_xmap[i][0];
		if (xflags & e2_xmap[i][1])
			fl |= e2_xmap[i][0];
	}
	in.i_flags = (in.i_flags & ~mask) | fl;
	touch(e, &in, false, true);
	return wr_inode(e, ino, &in);
}

static int enc_read_link(struct e2fs *e, ext2_ino_t ino, const struct ext2_inode_large *in, char *buf,
			 size_t len);

static int e2_lookup(struct mount *m, const char *rel, struct kstat *st)
{
	struct e2fs *e = E(m);
	struct ext2_inode_large in;
	ext2_ino_t ino;
	int err = namei(e, rel, &ino);

	if (!err)
		err = rd_inode(e, ino, &in);
	if (err)
		return err;
	if (!in.i_links_count && !node_find(e, ino))
		return -EUCLEAN;         /* a name for a free inode */
	/* ext4_iget: an inode of no file type is corrupted */
	if (ext4_driver(e) && !valid_mode(in.i_mode)) {
		fs_error(e, rel, ino, EUCLEAN);
		return -EUCLEAN;
	}
	fill_stat(e, ino, &in, m->dev, st);
	if (may_have_xattrs(e, ino, &in))
		e2_acl_stat(e, ino, st);
	if (LINUX_S_ISLNK(in.i_mode) && encrypted(&in)) {
		/* fscrypt_symlink_getattr: the target's length as readlink gives it */
		char *t = malloc(e->fs->blocksize + FSCRYPT_NOKEY_NAME_CHARS);
		int n = t ? enc_read_link(e, ino, &in, t, e->fs->blocksize + FSCRYPT_NOKEY_NAME_CHARS) : -ENOMEM;

		free(t);
		if (n < 0)
			return n;
		st->size = (uint64_t)n;
	}
	{
		struct e2node *n = node_find(e, ino);
		struct stat hs;

		if (n && n->memfd >= 0 && !fstat(n->memfd, &hs))
			st->size = (uint64_t)hs.st_size;
	}
	return 0;
}

/* An encrypted symlink's target (fscrypt_get_symlink): its plaintext
 * with the key, else the no-key name of its ciphertext.  Its length (at
 * most len bytes copied), -EUCLEAN for a malformed one. */
static int enc_read_link(struct e2fs *e, ext2_ino_t ino, const struct ext2_inode_large *in, char *buf,
			 size_t len)
{
	size_t size = EXT2_I_SIZE(in), bs = e->fs->blocksize, cl;
	uint8_t *raw = calloc(1, bs + 1);
	char *out = malloc(bs + FSCRYPT_NOKEY_NAME_CHARS);
	struct fscrypt_fkey k;
	int err = -ENOMEM, n;

	if (!raw || !out)
		goto done;
	err = -EUCLEAN;
	if (size < 2 || size > bs)
		goto done;
	if (ext2fs_is_fast_symlink((struct ext2_inode *)in)) {
		if (size > sizeof in->i_block)
			goto done;
		memcpy(raw, in->i_block, size);
	} else {
		blk64_t p = 0;

		if ((err = e2err(ext2fs_bmap2(e->fs, ino, NULL, NULL, 0, 0, NULL, &p))))
			goto done;
		if (!p || (err = e2err(io_channel_read_blk64(e->fs->io, p, 1, raw))))
			goto done;
		err = -EUCLEAN;
	}
	cl = raw[0] | (size_t)raw[1] << 8;
	if (!cl || cl + 2 > size)
		goto done;
	if (!(err = ino_fkey(e, ino, in, &k))) {
		n = fscrypt_fname_decrypt(&k, raw + 2, cl, out);
		if (n <= 0) {
			err = -EUCLEAN;
			goto done;
		}
	} else if (err == -ENOKEY) {
		fscrypt_nokey_name(raw + 2, cl, 0, 0, out);
		n = (int)strlen(out);
	} else {
		goto done;
	}
	err = n;
	memcpy(buf, out, (size_t)n < len ? (size_t)n : len);
	if ((size_t)n > len)
		err = (int)len;
done:
	free(raw);
	free(out);
	return err == 1 ? -EIO : err;
}

static int read_link(struct e2fs *e, ext2_ino_t ino, char *buf, size_t len)
{
	struct ext2_inode_large in;
	uint64_t size;
	int err = rd_inode(e, ino, &in);

	if (err)
		return err;
	if (!LINUX_S_ISLNK(in.i_mode))
		return -EINVAL;
	size = EXT2_I_SIZE(&in);
	if (size >= 4096)
		return -EUCLEAN;
	if (encrypted(&in))
		return enc_read_link(e, ino, &in, buf, len);
	if (ext2fs_is_fast_symlink((struct ext2_inode *)&in)) {
		if (size > sizeof in.i_block)
			return -EUCLEAN;
		if (len > size)
			len = size;
		memcpy(buf, in.i_block, len);
		return (int)len;
	}
	{
		char tmp[4096];
		ssize_t r = data_read(e, ino, tmp, size, 0);

		if (r < 0)
			return (int)r;
		if ((size_t)r > len)
			r = (ssize_t)len;
		memcpy(buf, tmp, (size_t)r);
		return (int)r;
	}
}

static int e2_readlink(struct mount *m, const char *rel, char *buf, size_t len)
{
	ext2_ino_t ino;
	int err = namei(E(m), rel, &ino);

	return err ? err : read_link(E(m), ino, buf, len);
}

static int open_ino(struct mount *m, ext2_ino_t ino, int flags, const char *rel, struct file **out)
{
	struct e2fs *e = E(m);
	struct ext2_inode_large in;
	struct e2node *n;
	struct file *f;
	bool wr = (flags & O_ACCMODE) != O_RDONLY;
	int err = rd_inode(e, ino, &in);

	if (err)
		return err;
	switch (in.i_mode & S_IFMT) {
	case S_IFREG:
		/* may_open: no write to an immutable file, nor other than
		 * appending to an append-only one */
		if (wr || (flags & O_TRUNC)) {
			if (in.i_flags & EXT2_IMMUTABLE_FL)
				return -EPERM;
			if ((in.i_flags & EXT2_APPEND_FL) && (!(flags & O_APPEND) || (flags & O_TRUNC)))
				return -EPERM;
		}
		if (encrypted(&in)) {
			/* fscrypt_file_open: the key, held while open */
			struct fscrypt_fkey k;

			if ((err = ino_fkey(e, ino, &in, &k)))
				return err == 1 ? -EIO : err;
			if (!(n = node_get(e, ino)))
				return -ENOMEM;
			if (!n->has_key) {
				n->fkey = k;
				n->has_key = true;
				fscrypt_fkey_hold(&n->fkey);
			}
		}
		if ((flags & O_TRUNC) && wr) {
			n = node_find(e, ino);
			err = do_truncate(e, n, ino, 0);
			if (err)
				return err;
		}
		f = file_alloc(&e2_reg_ops, flags, rel);
		break;
	case S_IFDIR:
		f = file_alloc(&e2_dir_ops, flags, rel);
		break;
	case S_IFIFO: {
		char *path = path_join(m->path, rel);

		n = node_get(e, ino);
		if (!path || !n) {
			free(path);
			return -ENOMEM;
		}
		err = fifo_open(current, &n->fifo, flags, path, out);
		free(path);
		return err;
	}
	case S_IFLNK:
		return -ELOOP;
	case S_IFCHR:
		return devfs_open_rdev(in.i_mode, i_rdev(&in), flags, rel, out);
	default:
		return -ENXIO;
	}
	if (!f)
		return -ENOMEM;
	n = node_get(e, ino);
	if (!n) {
		file_put(f);
		return -ENOMEM;
	}
	n->opens++;
	if (wr)
		e->writers++;
	f->priv = n;
	f->mnt = m;
	*out = f;
	return 0;
}

static int e2_open(struct mount *m, const char *rel, int flags, uint32_t mode, struct file **out)
{
	struct e2fs *e = E(m);
	ext2_ino_t ino;
	int err = namei(e, rel, &ino);

	if (err == -ENOENT && (flags & O_CREAT)) {
		if (e->ro)
			return -EROFS;
		err = create(e, rel, S_IFREG | (mode & 07777), 0, NULL, &ino);
	}
	if (err)
		return err;
	return open_ino(m, ino, flags, rel, out);
}

static int e2_mkdir(struct mount *m, const char *rel, uint32_t mode)
{
	ext2_ino_t ino;

	if (E(m)->ro)
		return -EROFS;
	return create(E(m), rel, S_IFDIR | (mode & 07777), 0, NULL, &ino);
}

static int e2_mknod(struct mount *m, const char *rel, uint32_t mode, uint64_t dev)
{
	ext2_ino_t ino;

	if (E(m)->ro)
		return -EROFS;
	switch (mode & S_IFMT) {
	case 0:
		mode |= S_IFREG;
		break;
	case S_IFREG: case S_IFIFO: case S_IFCHR: case S_IFBLK: case S_IFSOCK:
		break;
	default:
		return -EINVAL;
	}
	return create(E(m), rel, mode, dev, NULL, &ino);
}

struct empty_ctx { bool empty; ext2_ino_t parent; };

static int empty_cb(ext2_ino_t dir, int entry, struct ext2_dir_entry *d, int offset,
		    int blocksize, char *buf, void *priv)
{
	struct empty_ctx *c = priv;
	int len = ext2fs_dirent_name_len(d);

	(void)dir, (void)entry, (void)offset, (void)blocksize, (void)buf;
	if (!d->inode || (len == 1 && d->name[0] == '.'))
		return 0;
	if (len == 2 && d->name[0] == '.' && d->name[1] == '.') {
		c->parent = d->inode;
		return 0;
	}
	c->empty = false;
	return DIRENT_ABORT;
}

static int dir_empty(struct e2fs *e, ext2_ino_t ino)
{
	struct empty_ctx c = { true, 0 };
	int err = e2err(ext2fs_dir_iterate2(e->fs, ino, 0, NULL, empty_cb, &c));

	return err ? err : c.empty ? 0 : -ENOTEMPTY;
}

/* Parent dir loses a subdirectory's ".." link. */
static int dir_nlink_add(struct e2fs *e, ext2_ino_t dir, int delta)
{
	struct ext2_inode_large in;
	int err = rd_inode(e, dir, &in);

	if (err)
		return err;
	if (delta < 0 && in.i_links_count > 1)
		in.i_links_count--;
	else if (delta > 0 && in.i_links_count < 65000 && in.i_links_count != 1)
		in.i_links_count++;
	touch(e, &in, true, true);
	return wr_inode(e, dir, &in);
}

/* Removes name from dir: the entry, the link (a directory's two and its
 * parent's ".." link). */
static int remove_entry(struct e2fs *e, ext2_ino_t dir, const char *name, ext2_ino_t ino, bool isdir)
{
	struct ext2_inode_large din;
	/* an encrypted directory's entry: found by its inode (its name is
	 * ciphertext; no key is needed to remove it) */
	bool enc = !rd_inode(e, dir, &din) && encrypted(&din);
	int err = e2err(ext2fs_unlink(e->fs, dir, enc ? NULL : name, ino, 0));

	if (!err)
		dc_set(e, dir, name, 0);
	if (!err && isdir)
		dc_drop(e, ino);
	if (!err)
		err = drop_link(e, ino);
	if (!err && isdir)
		err = dir_nlink_add(e, dir, -1);
	else if (!err)
		err = touch_ino(e, dir, true, true);
	return err;
}

/* The name rmdir or unlink removes: its directory, last component, inode
 * number and inode.  0, -EROFS, or the lookup's error. */
static int removal_victim(struct e2fs *e, const char *rel, ext2_ino_t *dir, const char **name,
			  ext2_ino_t *ino, struct ext2_inode_large *in)
{
	int err;

	if (e->ro)
		return -EROFS;
	if ((err = namei_parent(e, rel, dir, name)) || (err = dir_lookup(e, *dir, *name, ino)))
		return err;
	return rd_inode(e, *ino, in);
}

static int e2_rmdir(struct mount *m, const char *rel)
{
	struct e2fs *e = E(m);
	struct ext2_inode_large in;
	ext2_ino_t dir, ino;
	const char *name;
	int err = removal_victim(e, rel, &dir, &name, &ino, &in);

	if (err)
		return err;
	if (!LINUX_S_ISDIR(in.i_mode))
		return -ENOTDIR;
	if ((err = may_remove(e, dir, ino)) || (err = dir_empty(e, ino)))
		return err;
	return remove_entry(e, dir, name, ino, true);
}

static int e2_unlink(struct mount *m, const char *rel)
{
	struct e2fs *e = E(m);
	struct ext2_inode_large in;
	ext2_ino_t dir, ino;
	const char *name;
	int err = removal_victim(e, rel, &dir, &name, &ino, &in);

	if (err)
		return err;
	if (LINUX_S_ISDIR(in.i_mode))
		return -EISDIR;
	if ((err = may_remove(e, dir, ino)))
		return err;
	return remove_entry(e, dir, name, ino, false);
}

static int e2_symlink(struct mount *m, const char *target, const char *rel)
{
	ext2_ino_t ino;

	if (E(m)->ro)
		return -EROFS;
	if (strlen(target) >= E(m)->fs->blocksize)
		return -ENAMETOOLONG;
	return create(E(m), rel, S_IFLNK | 0777, 0, target, &ino);
}

static unsigned link_max(struct e2fs *e)
{
	return ext2fs_has_feature_dir_nlink(e->fs->super) || ext2fs_has_feature_extents(e->fs->super)
		? 65000 : 32000;
}

static int e2_link(struct mount *m, const char *old, const char *new_)
{
	struct e2fs *e = E(m);
	struct ext2_inode_large in;
	ext2_ino_t ino, dir, x;
	const char *name;
	int err;

	if (e->ro)
		return -EROFS;
	if ((err = namei(e, old, &ino)) || (err = rd_inode(e, ino, &in)))
		return err;
	if (LINUX_S_ISDIR(in.i_mode))
		return -EPERM;
	if (inode_locked(&in))
		return -EPERM;
	if (!in.i_links_count)
		return -ENOENT;
	if (in.i_links_count >= link_max(e))
		return -EMLINK;
	if ((err = namei_parent(e, new_, &dir, &name)))
		return err == -EBUSY ? -EEXIST : err;
	err = dir_lookup(e, dir, name, &x);
	if (!err)
		return -EEXIST;
	if (err != -ENOENT || (err = dir_may_add(e, dir)))
		return err;
	{
		/* fscrypt_prepare_link: the directory's key and policy */
		struct ext2_inode_large din;
		struct dname dn;

		if ((err = rd_inode(e, dir, &din)) || (err = disk_name(e, dir, name, &dn)) ||
		    (err = enc_permitted(e, dir, &din, ino, &in)))
			return err;
		if ((err = add_link(e, dir, dn.lname, ino, in.i_mode)) || (err = dname_fix(e, dir, &dn, ino)))
			return err;
	}
	if ((err = rd_inode(e, ino, &in)))
		return err;
	in.i_links_count++;
	touch(e, &in, false, true);
	if ((err = wr_inode(e, ino, &in)))
		return err;
	return touch_ino(e, dir, true, true);
}

struct setent_ctx { const char *name; int len; ext2_ino_t ino; int type; bool done; };

/* Points the entry name (or "..") at ino, of file type type. */
static int setent_cb(ext2_ino_t dir, int entry, struct ext2_dir_entry *d, int offset,
		     int blocksize, char *buf, void *priv)
{
	struct setent_ctx *c = priv;

	(void)dir, (void)entry, (void)offset, (void)blocksize, (void)buf;
	if (!d->inode || ext2fs_dirent_name_len(d) != c->len || memcmp(d->name, c->name, (size_t)c->len))
		return 0;
	d->inode = c->ino;
	if (c->type >= 0)
		ext2fs_dirent_set_file_type(d, c->type);
	c->done = true;
	return DIRENT_CHANGED | DIRENT_ABORT;
}

static int set_entry_len(struct e2fs *e, ext2_ino_t dir, const char *name, int len, ext2_ino_t ino, int type)
{
	struct setent_ctx c = { name, len, ino, type, false };
	int err = e2err(ext2fs_dir_iterate2(e->fs, dir, DIRENT_FLAG_INCLUDE_EMPTY, NULL, setent_cb, &c));

	if (!err && !c.done)
		err = -EUCLEAN;
	return err;
}

static int set_entry(struct e2fs *e, ext2_ino_t dir, const char *name, ext2_ino_t ino, int type)
{
	return set_entry_len(e, dir, name, (int)strlen(name), ino, type);
}

static int set_entry_dn(struct e2fs *e, ext2_ino_t dir, const struct dname *dn, ext2_ino_t ino, int type)
{
	return set_entry_len(e, dir, (const char *)dn->b, (int)dn->len, ino, type);
}

struct unfix_ctx { const struct dname *dn; ext2_ino_t ino; };

static int unfix_cb(ext2_ino_t dir, int entry, struct ext2_dir_entry *d, int offset, int blocksize,
		    char *buf, void *priv)
{
	struct unfix_ctx *c = priv;

	(void)dir, (void)entry, (void)offset, (void)blocksize, (void)buf;
	if (d->inode != c->ino || (size_t)ext2fs_dirent_name_len(d) != c->dn->len ||
	    memcmp(d->name, c->dn->b, c->dn->len))
		return 0;
	memcpy(d->name, c->dn->lname, c->dn->len);
	return DIRENT_CHANGED | DIRENT_ABORT;
}

/* ext2fs_unlink of the entry dn names (a ciphertext with NUL bytes
 * first gets lname's, which libext2fs can match). */
static int unlink_dn(struct e2fs *e, ext2_ino_t dir, const struct dname *dn, ext2_ino_t ino)
{
	struct unfix_ctx c = { dn, ino };
	int err = 0;

	if (dn->fix)
		err = e2err(ext2fs_dir_iterate2(e->fs, dir, 0, NULL, unfix_cb, &c));
	return err ? err : e2err(ext2fs_unlink(e->fs, dir, dn->lname, ino, 0));
}

/* Directory ino moved from parent od to nd: its "..", and the parents'
 * link counts. */
static int move_dir(struct e2fs *e, ext2_ino_t ino, ext2_ino_t od, ext2_ino_t nd)
{
	int err;

	if (od == nd)
		return 0;
	if ((err = set_entry(e, ino, "..", nd, EXT2_FT_DIR)))
		return err;
	if ((err = dir_nlink_add(e, od, -1)))
		return err;
	return dir_nlink_add(e, nd, +1);
}

static int do_rename(struct mount *m, const char *old, const char *new_, unsigned flags);

/* (the directories a rename touched drop their cached names) */
static int e2_rename(struct mount *m, const char *old, const char *new_, unsigned flags)
{
	int err = do_rename(m, old, new_, flags);

	dc_drop_all(E(m));
	return err;
}

static int do_rename(struct mount *m, const char *old, const char *new_, unsigned flags)
{
	struct e2fs *e = E(m);
	struct ext2_inode_large oin, nin;
	ext2_ino_t odir, ndir, oino, nino = 0;
	const char *oname, *nname;
	bool odir_is = false;
	int err;

	if (e->ro)
		return -EROFS;
	if (flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE))
		return -EINVAL;
	if ((err = namei_parent(e, old, &odir, &oname)) || (err = dir_lookup(e, odir, oname, &oino)) ||
	    (err = rd_inode(e, oino, &oin)))
		return err;
	if ((err = namei_parent(e, new_, &ndir, &nname)))
		return err;
	err = dir_lookup(e, ndir, nname, &nino);
	if (err && err != -ENOENT)
		return err;
	if (err)
		nino = 0;
	if (nino && (err = rd_inode(e, nino, &nin)))
		return err;
	odir_is = LINUX_S_ISDIR(oin.i_mode);
	if ((err = may_remove(e, odir, oino)) || (err = dir_may_add(e, ndir)))
		return err;
	/* encrypted directories (fscrypt_prepare_rename): their keys for
	 * the names, and a moved inode keeps to its new directory's policy */
	struct dname ond, nnd;
	struct ext2_inode_large odin, ndin;

	if ((err = disk_name(e, odir, oname, &ond)) || (err = disk_name(e, ndir, nname, &nnd)) ||
	    (err = rd_inode(e, odir, &odin)) || (err = rd_inode(e, ndir, &ndin)))
		return err;
	if (odir != ndir && (err = enc_permitted(e, ndir, &ndin, oino, &oin)))
		return err;
	if (odir != ndir && (flags & RENAME_EXCHANGE) && nino && (err = enc_permitted(e, odir, &odin, nino, &nin)))
		return err;
	if (nino && (err = may_remove(e, ndir, nino)))
		return err;
	if (flags & RENAME_EXCHANGE) {
		if (!nino)
			return -ENOENT;
		if (nino == oino)
			return 0;
		if ((err = set_entry_dn(e, odir, &ond, nino, ftype(nin.i_mode))) ||
		    (err = set_entry_dn(e, ndir, &nnd, oino, ftype(oin.i_mode))))
			return err;
		if (odir != ndir) {
			if (odir_is && (err = move_dir(e, oino, odir, ndir)))
				return err;
			if (LINUX_S_ISDIR(nin.i_mode) && (err = move_dir(e, nino, ndir, odir)))
				return err;
		}
		touch_ino(e, oino, false, true);
		touch_ino(e, nino, false, true);
		touch_ino(e, odir, true, true);
		return touch_ino(e, ndir, true, true);
	}
	if (nino) {
		if (flags & RENAME_NOREPLACE)
			return -EEXIST;
		if (nino == oino)
			return 0;
		if (odir_is && !LINUX_S_ISDIR(nin.i_mode))
			return -ENOTDIR;
		if (!odir_is && LINUX_S_ISDIR(nin.i_mode))
			return -EISDIR;
		if (LINUX_S_ISDIR(nin.i_mode) && (err = dir_empty(e, nino)))
			return err;
		/* the new name points at the old inode; the replaced one
		 * loses that link (a directory both, and ndir its "..") */
		if ((err = set_entry_dn(e, ndir, &nnd, oino, ftype(oin.i_mode))) ||
		    (err = drop_link(e, nino)))
			return err;
		if (LINUX_S_ISDIR(nin.i_mode) && (err = dir_nlink_add(e, ndir, -1)))
			return err;
	} else {
		if (odir_is && odir != ndir) {
			struct ext2_inode_large din;

			if ((err = rd_inode(e, ndir, &din)))
				return err;
			if (din.i_links_count >= link_max(e) && !ext2fs_has_feature_dir_nlink(e->fs->super))
				return -EMLINK;
		}
		if ((err = add_link(e, ndir, nnd.lname, oino, oin.i_mode)) ||
		    (err = dname_fix(e, ndir, &nnd, oino)))
			return err;
	}
	/* the old entry goes (after the add: the add may have moved entries
	 * of the same directory, so it is found by name and inode) */
	if ((err = unlink_dn(e, odir, &ond, oino)))
		return err;
	if (odir_is && (err = move_dir(e, oino, odir, ndir)))
		return err;
	touch_ino(e, oino, false, true);
	touch_ino(e, odir, true, true);
	return touch_ino(e, ndir, true, true);
}

static int e2_setattr(struct mount *m, const char *rel, int what, uint32_t mode, uint32_t uid,
		      uint32_t gid, const struct linux_timespec *ts)
{
	ext2_ino_t ino;
	int err = namei(E(m), rel, &ino);

	return err ? err : do_setattr(E(m), ino, what, mode, uid, gid, ts);
}

static int e2_truncate(struct mount *m, const char *rel, uint64_t len)
{
	ext2_ino_t ino;
	int err = namei(E(m), rel, &ino);
	struct ext2_inode_large in;
	struct fscrypt_fkey k;

	/* fscrypt_prepare_setattr: a size change needs the key */
	if (!err && !(err = rd_inode(E(m), ino, &in)) && LINUX_S_ISREG(in.i_mode) &&
	    (err = ino_fkey(E(m), ino, &in, &k)) == 1)
		err = 0;
	return err ? err : do_truncate(E(m), node_find(E(m), ino), ino, len);
}

/* statfs: Linux's ext4_statfs (blocks less the reserved ones for
 * f_bavail; the overhead of metadata is not subtracted from f_blocks). */
static int e2_statfs(struct mount *m, struct linux_statfs *st)
{
	struct ext2_super_block *sb = E(m)->fs->super;
	uint64_t bfree = ext2fs_free_blocks_count(sb), r = ext2fs_r_blocks_count(sb);

	memset(st, 0, sizeof *st);
	st->f_type = EXT2_SUPER_MAGIC_;
	st->f_bsize = st->f_frsize = E(m)->fs->blocksize;
	st->f_blocks = ext2fs_blocks_count(sb) - sb->s_first_data_block;
	st->f_bfree = bfree;
	st->f_bavail = bfree > r ? bfree - r : 0;
	st->f_files = sb->s_inodes_count;
	st->f_ffree = sb->s_free_inodes_count;
	st->f_namelen = EXT2_NAME_LEN;
	{
		uint32_t u[4];

		memcpy(u, sb->s_uuid, sizeof u);
		st->f_fsid[0] = (int)(u[0] ^ u[2]);
		st->f_fsid[1] = (int)(u[1] ^ u[3]);
	}
	return 0;
}

/* ---- xattrs ---- */

static bool xattr_ns_ok(const char *name)
{
	return !strncmp(name, "user.", 5) || !strncmp(name, "trusted.", 8) ||
	       !strncmp(name, "security.", 9) || posix_acl_type(name) >= 0;
}

/* POSIX ACLs (posix_acl.c): libext2fs turns system.posix_acl_* between
 * the on-disk format (ext4_acl_entry) and Linux's xattr format.  The
 * inode's access ACL into st; chmod applied to it (posix_acl_chmod). */
static void e2_acl_stat(struct e2fs *e, ext2_ino_t ino, struct kstat *st)
{
	struct ext2_xattr_handle *h;
	void *v = NULL;
	size_t len = 0;

	if (!ext2fs_has_feature_xattr(e->fs->super) || ext2fs_xattrs_open(e->fs, ino, &h))
		return;
	if (!ext2fs_xattrs_read(h) && !ext2fs_xattr_get(h, XATTR_NAME_ACL_ACCESS, &v, &len)) {
		posix_acl_stat(st, v, (ssize_t)len);
		ext2fs_free_mem(&v);
	}
	ext2fs_xattrs_close(&h);
}

/* Whether ino (read into in) has xattrs: an xattr block, or the magic
 * of in-inode ones after i_extra_isize (ext4_xattr_ibody_get). */
static bool may_have_xattrs(struct e2fs *e, ext2_ino_t ino, const struct ext2_inode_large *in)
{
	unsigned int isize = EXT2_INODE_SIZE(e->fs->super), off;
	unsigned char buf[1024];
	uint32_t magic;

	if (in->i_file_acl)
		return true;
	off = EXT2_GOOD_OLD_INODE_SIZE + in->i_extra_isize;
	if (isize <= EXT2_GOOD_OLD_INODE_SIZE || isize > sizeof buf || off + 4 > isize)
		return false;
	if (ext2fs_read_inode_full(e->fs, ino, (struct ext2_inode *)buf, isize))
		return false;
	memcpy(&magic, buf + off, 4);
	return magic == EXT2_EXT_ATTR_MAGIC;
}

static void e2_acl_chmod(struct e2fs *e, ext2_ino_t ino, uint32_t mode)
{
	struct ext2_xattr_handle *h;
	void *v = NULL;
	size_t len = 0;

	if (!ext2fs_has_feature_xattr(e->fs->super) || ext2fs_xattrs_open(e->fs, ino, &h))
		return;
	if (!ext2fs_xattrs_read(h) && !ext2fs_xattr_get(h, XATTR_NAME_ACL_ACCESS, &v, &len)) {
		if (!posix_acl_chmod_xattr(v, len, mode))
			ext2fs_xattr_set(h, XATTR_NAME_ACL_ACCESS, v, len);
		ext2fs_free_mem(&v);
	}
	ext2fs_xattrs_close(&h);
}

static int xattrs_open(struct e2fs *e, const char *rel, struct ext2_xattr_handle **h, ext2_ino_t *pino,
		       bool set)
{
	ext2_ino_t ino;
	int err = namei(e, rel, &ino);

	if (err)
		return err;
	if (!ext2fs_has_feature_xattr(e->fs->super)) {
		/* none yet: the first set turns the feature on, as Linux's
		 * ext2_xattr_update_super_block */
		if (!set)
			return -ENODATA;
		ext2fs_set_feature_xattr(e->fs->super);
		ext2fs_mark_super_dirty(e->fs);
	}
	if ((err = e2err(ext2fs_xattrs_open(e->fs, ino, h))))
		return err;
	if ((err = e2err(ext2fs_xattrs_read(*h)))) {
		ext2fs_xattrs_close(h);
		return err;
	}
	if (pino)
		*pino = ino;
	return 0;
}

static ssize_t e2_getxattr(struct mount *m, const char *rel, const char *name, void *buf, size_t n)
{
	struct ext2_xattr_handle *h;
	void *v = NULL;
	size_t len = 0;
	ssize_t r;

	if (!xattr_ns_ok(name))
		return -EOPNOTSUPP;
	if ((r = xattrs_open(E(m), rel, &h, NULL, false)))
		return r;
	r = e2err(ext2fs_xattr_get(h, name, &v, &len));
	if (!r) {
		if (n && len > n)
			r = -ERANGE;
		else {
			if (n)
				memcpy(buf, v, len);
			r = (ssize_t)len;
		}
		ext2fs_free_mem(&v);
	}
	ext2fs_xattrs_close(&h);
	return r;
}

static int e2_setxattr(struct mount *m, const char *rel, const char *name, const void *v, size_t n,
		       int flags)
{
	struct e2fs *e = E(m);
	struct ext2_xattr_handle *h;
	struct ext2_inode_large in;
	ext2_ino_t ino;
	void *old = NULL;
	size_t olen;
	int err;

	if (!xattr_ns_ok(name))
		return -EOPNOTSUPP;
	if (e->ro)
		return -EROFS;
	if (strlen(name) > 255)
		return -ERANGE;
	if ((err = xattrs_open(e, rel, &h, &ino, true)))
		return err;
	if ((err = rd_inode(e, ino, &in)))
		goto out;
	if (inode_locked(&in)) {
		err = -EPERM;
		goto out;
	}
	err = e2err(ext2fs_xattr_get(h, name, &old, &olen));
	if (!err)
		ext2fs_free_mem(&old);
	if (!err && (flags & L_XATTR_CREATE))
		err = -EEXIST;
	else if (err == -ENODATA && !(flags & L_XATTR_REPLACE))
		err = 0;
	if (!err)
		err = e2err(ext2fs_xattr_set(h, name, v, n));
out:
	ext2fs_xattrs_close(&h);
	if (!err)
		err = touch_ino(e, ino, false, true);
	return err;
}

struct listx_ctx { char *buf; size_t n, len; };

static int listx_cb(char *name, char *value, size_t value_len, void *priv)
{
	struct listx_ctx *c = priv;
	size_t l = strlen(name) + 1;

	(void)value, (void)value_len;
	if (!xattr_ns_ok(name))
		return 0;
	if (c->n && c->len + l <= c->n)
		memcpy(c->buf + c->len, name, l);
	c->len += l;
	return 0;
}

static ssize_t e2_listxattr(struct mount *m, const char *rel, char *buf, size_t n)
{
	struct ext2_xattr_handle *h;
	struct listx_ctx c = { buf, n, 0 };
	int err;

	if ((err = xattrs_open(E(m), rel, &h, NULL, false)))
		return err == -ENODATA ? 0 : err;
	err = e2err(ext2fs_xattrs_iterate(h, listx_cb, &c));
	ext2fs_xattrs_close(&h);
	if (err)
		return err;
	if (n && c.len > n)
		return -ERANGE;
	return (ssize_t)c.len;
}

static int e2_removexattr(struct mount *m, const char *rel, const char *name)
{
	struct e2fs *e = E(m);
	struct ext2_xattr_handle *h;
	struct ext2_inode_large in;
	ext2_ino_t ino;
	void *old = NULL;
	size_t olen;
	int err;

	if (!xattr_ns_ok(name))
		return -EOPNOTSUPP;
	if (e->ro)
		return -EROFS;
	if ((err = xattrs_open(e, rel, &h, &ino, false)))
		return err;
	if ((err = rd_inode(e, ino, &in)))
		goto out;
	if (inode_locked(&in)) {
		err = -EPERM;
		goto out;
	}
	err = e2err(ext2fs_xattr_get(h, name, &old, &olen));
	if (!err) {
		ext2fs_free_mem(&old);
		err = e2err(ext2fs_xattr_remove(h, name));
	}
out:
	ext2fs_xattrs_close(&h);
	if (!err)
		err = touch_ino(e, ino, false, true);
	return err;
}

/* A remount read-only: -EBUSY while files are open for writing
 * (sb_prepare_remount_readonly), else what it holds is written back. */
static int e2_remount_ro(struct mount *m)
{
	if (E(m)->writers)
		return -EBUSY;
	return fs_sync(E(m));
}

/* A remount's options: "abort" (ext4's, for testing) makes the
 * filesystem fail as an error would (ext4_abort: ESHUTDOWN, about no
 * inode); Linux's ext2 driver knows no such option (EINVAL). */
static int e2_remount_opts(struct mount *m, int flags, const char *data)
{
	const char *p = data;

	(void)flags;
	while (p && *p) {
		size_t n = strcspn(p, ",");

		if (n == 5 && !strncmp(p, "abort", 5)) {
			if (!ext4_driver(E(m)))
				return -EINVAL;
			fs_error(E(m), NULL, 0, ESHUTDOWN);
			E(m)->aborted = true;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

static int e2_sync_fs(struct mount *m)
{
	if (m->sb->flags & MS_RDONLY)
		return 0;                /* nothing written since it went read-only */
	return fs_sync(E(m));
}

/*
 * ext2_shutdown - umk is exiting (its init is gone: the guest's last
 * process, or one killed): every image mounted read-write is written back
 * as a umount would leave it (page caches, the block cache of ext2_io.c,
 * bitmaps, group descriptors, the superblock; the inodes of files
 * unlinked while open are freed, as the last close would), then the
 * backing files are synced, so that `e2fsck -fn` finds each clean.  The
 * mounts stay (nothing runs after).  Linux's kernel_power_off syncs
 * the same way; klock held.
 */
void ext2_shutdown(void)
{
	struct list_head *p, *q;

	for (p = all_fs.next; p != &all_fs; p = p->next) {
		struct e2fs *e = list_entry(p, struct e2fs, link);

		if (e->ro || e->aborted)
			continue;
		for (q = e->nodes.next; q != &e->nodes; q = q->next) {
			struct e2node *n = list_entry(q, struct e2node, link);

			node_writeback(e, n);
			if (n->orphan) {
				free_inode(e, n->ino);
				n->orphan = false;
			}
		}
		fs_sync(e);
	}
}

static int e2_permission(struct mount *m, const char *rel, int mask)
{
	struct ext2_inode_large in;
	ext2_ino_t ino;

	if (!(mask & W_OK) || namei(E(m), rel, &ino) || rd_inode(E(m), ino, &in))
		return 0;
	return (in.i_flags & EXT2_IMMUTABLE_FL) ? -EPERM : 0;   /* inode_permission's */
}

static const struct fs_ops ext2_ops = {
	.name = "ext2",
	.lookup = e2_lookup,
	.fileattr_get = e2_fileattr_get,
	.fileattr_set = e2_fileattr_set,
	.readlink = e2_readlink,
	.open = e2_open,
	.mkdir = e2_mkdir,
	.mknod = e2_mknod,
	.rmdir = e2_rmdir,
	.unlink = e2_unlink,
	.symlink = e2_symlink,
	.link = e2_link,
	.rename = e2_rename,
	.setattr = e2_setattr,
	.truncate = e2_truncate,
	.statfs = e2_statfs,
	.getxattr = e2_getxattr,
	.setxattr = e2_setxattr,
	.listxattr = e2_listxattr,
	.removexattr = e2_removexattr,
	.permission = e2_permission,
	.sync_fs = e2_sync_fs,
	.remount_ro = e2_remount_ro,
	.remount_opts = e2_remount_opts,
};

/* ---- mount ---- */

static void e2fs_kill(void *priv)
{
	struct e2fs *e = priv;
	struct list_head *p, *q;

	if (--e->refs > 0)
		return;
	dc_drop_all(e);
	fscrypt_keyring_free(e->fskeys);
	list_for_each_safe(p, q, &e->nodes) {
		struct e2node *n = list_entry(p, struct e2node, link);

		node_writeback(e, n);
		if (n->memfd >= 0)
			close(n->memfd);
		if (n->orphan && !e->ro)
			free_inode(e, n->ino);
		if (n->fifo)
			fifo_detach(&n->fifo);
		list_del(&n->link);
		free(n);
	}
	if (!e->ro) {
		ext2fs_close2(e->fs, 0);
		loop_bdev_sync(e->bdev);
	} else {
		ext2fs_free(e->fs);
	}
	pcache_forget_owner(e);
	list_del(&e->link);
	file_put(e->bdev);
	free(e);
}

/* What each type accepts beyond what libext2fs checks (Linux's
 * ext2_feature_set_ok / ext3's): -EINVAL for an image it cannot take. */
static int features_ok(const char *type, struct ext2_super_block *sb, bool ro)
{
	uint32_t ext2_incompat = EXT2_FEATURE_INCOMPAT_FILETYPE | EXT2_FEATURE_INCOMPAT_META_BG;
	uint32_t ext2_ro = EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER | EXT2_FEATURE_RO_COMPAT_LARGE_FILE |
			   0x0004; /* BTREE_DIR */

	if (!strcmp(type, "ext4"))
		return 0;
	if (!strcmp(type, "ext3")) {
		if (!(sb->s_feature_compat & EXT3_FEATURE_COMPAT_HAS_JOURNAL))
			return -EINVAL;
		ext2_incompat |= EXT3_FEATURE_INCOMPAT_RECOVER | EXT3_FEATURE_INCOMPAT_JOURNAL_DEV;
	}
	if (sb->s_feature_incompat & ~ext2_incompat)
		return -EINVAL;
	if (!ro && (sb->s_feature_ro_compat & ~ext2_ro))
		return -EINVAL;
	return 0;
}

static int ext_type_mount(struct task *t, const char *type, const char *source, int flags,
			  struct super_block **out)
{
	struct e2fs *e;
	struct file *bdev;
	bool ro = flags & MS_RDONLY;
	errcode_t r;
	int err;
	char name[32];

	/* no source (mount(2)'s NULL becomes "none"): "No source specified" */
	if (!source || !strcmp(source, "none"))
		return -EINVAL;
	err = loop_bdev_open(t, source, ro ? O_RDONLY : O_RDWR, &bdev);
	if (err)
		return err;
	if (loop_bdev_ro(bdev) && !ro) {
		file_put(bdev);
		return -EACCES;          /* a read-only device, mounted rw */
	}
	/* a device mounted already: the same filesystem */
	{
		struct list_head *p;

		for (p = all_fs.next; p != &all_fs; p = p->next) {
			e = list_entry(p, struct e2fs, link);
			if (e->nr == loop_bdev_nr(bdev)) {
				/* one super_block per device (get_tree_bdev): not
				 * with another read-only state (EBUSY) */
				file_put(bdev);
				if (strcmp(type, "ext4") && features_ok(type, e->fs->super, ro))
					return -EINVAL;
				if (ro != !!(e->sb->flags & MS_RDONLY))
					return -EBUSY;
				e->sb->refs++;
				*out = e->sb;
				return 0;
			}
		}
	}
	e = calloc(1, sizeof *e);
	if (!e) {
		file_put(bdev);
		return -ENOMEM;
	}
	e->bdev = bdev;
	e->nr = loop_bdev_nr(bdev);
	/* opened for writing unless the device is read-only: a read-only
	 * mount is the VFS's (sb->flags), and may be remounted rw */
	e->ro = loop_bdev_ro(bdev);
	e->refs = 1;
	list_init(&e->nodes);
	snprintf(name, sizeof name, "/dev/loop%d", e->nr);
	r = ext2fs_open2(name, NULL, (e->ro ? 0 : EXT2_FLAG_RW) | EXT2_FLAG_64BITS, 0, 0,
			 ext2_io_manager(bdev), &e->fs);
	if (r) {
		/* no ext2 superblock, a bad one, unsupported features: EINVAL
		 * as Linux's "can't find ext2 filesystem" */
		err = r == EXT2_ET_NO_MEMORY ? -ENOMEM : -EINVAL;
		goto fail;
	}
	err = -EINVAL;
	if (features_ok(type, e->fs->super, ro))
		goto fail_fs;
	/* a journal to replay: umk replays none, so read-only only (and
	 * never written, not even at a remount) */
	if (ext2fs_has_feature_journal_needs_recovery(e->fs->super)) {
		if (!ro)
			goto fail_fs;
		e->ro = true;
	}
	if (ext2fs_has_feature_journal_dev(e->fs->super))
		goto fail_fs;
	r = ext2fs_read_bitmaps(e->fs);
	if (r) {
		err = e2err(r) == -ENOMEM ? -ENOMEM : -EINVAL;
		goto fail_fs;
	}
	e->generation = (uint32_t)ts_now().tv_nsec;
	if (!(e->fskeys = fscrypt_keyring_new())) {
		err = -ENOMEM;
		goto fail_fs;
	}
	*out = sb_new(&ext2_ops, e, type, source, e2fs_kill);
	if (!*out) {
		err = -ENOMEM;
		goto fail_fs;
	}
	(*out)->dev = makedev(7, (unsigned)e->nr);
	e->sb = *out;
	list_add_tail(&e->link, &all_fs);
	return 0;
fail_fs:
	fscrypt_keyring_free(e->fskeys);
	ext2fs_free(e->fs);
fail:
	file_put(bdev);
	free(e);
	return err;
}

static int ext2_type_mount(struct task *t, const char *source, int flags, const char *data,
			   struct super_block **out)
{
	(void)data;
	return ext_type_mount(t, "ext2", source, flags, out);
}

static int ext3_type_mount(struct task *t, const char *source, int flags, const char *data,
			   struct super_block **out)
{
	(void)data;
	return ext_type_mount(t, "ext3", source, flags, out);
}

static int ext4_type_mount(struct task *t, const char *source, int flags, const char *data,
			   struct super_block **out)
{
	(void)data;
	return ext_type_mount(t, "ext4", source, flags, out);
}

/* libext2fs reports some errors through com_err too: the errno the
 * caller gets is enough (a guest's image must not fill umk's stderr). */
static void quiet_com_err(const char *whoami, long code, const char *fmt, va_list args)
{
	(void)whoami, (void)code, (void)fmt, (void)args;
}

/* ext2_register - makes ext2, ext3 and ext4 mountable (start-up, once). */
void ext2_register(void)
{
	set_com_err_hook(quiet_com_err);
	static struct fs_type types[] = {
		{ .name = "ext2", .flags = FS_REQUIRES_DEV, .mount = ext2_type_mount },
		{ .name = "ext3", .flags = FS_REQUIRES_DEV, .mount = ext3_type_mount },
		{ .name = "ext4", .flags = FS_REQUIRES_DEV, .mount = ext4_type_mount },
	};

	for (size_t i = 0; i < ARRAY_SIZE(types); i++)
		register_filesystem(&types[i]);
}
