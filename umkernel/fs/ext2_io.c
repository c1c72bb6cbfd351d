/*
 * ext2_io.c - the io_manager ext2.c gives libext2fs: a loop device's
 * blocks through a write-back buffer cache (Linux's fs/buffer.c and the
 * block layer's plugging, in miniature).
 *
 * In a nutshell: a channel is the device (loop_bdev_rw, the path
 * read(2)/write(2) of /dev/loopN take: nothing of the host is opened by
 * name) and a direct-mapped cache of its blocks (slot = block number mod
 * IO_SLOTS).  Reads are served from the cache where it holds the block
 * and fill it otherwise, so the directory, inode-table and extent blocks
 * libext2fs reads again and again are not each a read of the backing
 * file; a reader that misses block after block (a file read through,
 * a block at a time by ext2fs_file_read) gets the next IO_RA_BYTES read
 * ahead in one read of the device.  Writes land in the cache and are marked dirty: the inode-table
 * block that a run of writes to one file updates each time, the zeros
 * ext2fs_alloc_block writes before the data over them, and the data
 * blocks themselves are written to the device once, later, in runs of
 * consecutive blocks (one write of the backing file per run):
 *   - when a dirty block's slot is wanted by another block (the run of
 *     dirty consecutive blocks around it goes with it);
 *   - at io_channel_flush, which ext2fs_flush ends with (ext2.c calls it
 *     at fsync, fdatasync, sync, syncfs, O_SYNC and O_DIRECT writes, a
 *     read-only remount and the umount);
 *   - at the channel's close (ext2fs_close, umk's exit);
 *   - when the oldest has been dirty IO_EXPIRE_SEC (ext2.c's writes
 *     check ext2_io_expired and call ext2fs_flush: Linux's flusher
 *     thread, run from the write path instead of a timer).
 * A write of many blocks at once (IO_DIRECT_MIN and more) goes straight
 * to the device, updating the cached copies it overlaps.  Byte-granular
 * writes (the superblock's) first write back the dirty blocks they
 * overlap, then go to the device and drop those blocks from the cache.
 *
 * What a crash of umk itself (SIGKILL) leaves: the blocks still dirty are
 * lost, as a power cut loses Linux's dirty buffers; e2fsck repairs the
 * image (no journal is written: see ext2.c).  A guest killed, and umk
 * exiting normally, unmounts and so writes everything.
 *
 * Locking: klock, held by every caller (ext2.c's).
 */
#include "../kernel.h"
#include "fs.h"
#include "ext2_io.h"

#include <stdlib.h>
#include <string.h>

#define IO_SLOTS      8192          /* blocks cached (32 MiB of 4 KiB blocks) */
#define IO_DIRECT_MIN 256           /* a write of this many blocks bypasses the cache */
#define IO_RA_BYTES   (128 * 1024)  /* readahead of a sequential reader (read_ahead_kb) */
#define IO_EXPIRE_SEC 30            /* dirty_expire_centisecs, in seconds */

struct ext2_io {
	struct file *bdev;
	uint64_t tag[IO_SLOTS];       /* block number + 1; 0: empty */
	uint8_t dirty[IO_SLOTS];      /* 1: differs from the device */
	unsigned long ndirty;
	char *data;                   /* IO_SLOTS blocks of the channel's size */
	uint64_t dirty_since;         /* CLOCK_MONOTONIC ns of the oldest dirty block */
	uint64_t ra_next;             /* the block after the last read missed */
	char *ra_buf;                 /* IO_RA_BYTES, for readahead */
};

static struct file *pending_bdev;   /* the device ext2fs_open2 is opening */
static struct struct_io_manager ext2_io_ops;

io_manager ext2_io_manager(struct file *bdev)
{
	pending_bdev = bdev;
	return &ext2_io_ops;
}

static struct ext2_io *IO(io_channel io)
{
	return io->private_data;
}

unsigned long ext2_io_dirty(io_channel io)
{
	return io && io->manager == &ext2_io_ops ? IO(io)->ndirty : 0;
}

bool ext2_io_expired(io_channel io)
{
	return ext2_io_dirty(io) &&
	       now_ns(CLOCK_MONOTONIC) - IO(io)->dirty_since > IO_EXPIRE_SEC * 1000000000ULL;
}

static size_t bsize(io_channel io)
{
	return (size_t)io->block_size;
}

static char *slot_data(io_channel io, size_t s)
{
	return IO(io)->data + s * bsize(io);
}

/* The device's bytes [off, off + n) to or from buf: 0, or a libext2fs
 * error (a short read's tail is zeroed). */
static errcode_t dev_rw(io_channel io, void *buf, size_t n, uint64_t off, bool write)
{
	ssize_t r = loop_bdev_rw(IO(io)->bdev, buf, n, off, write);

	if (r == (ssize_t)n)
		return 0;
	if (r == -EPERM)
		return EXT2_ET_RO_FILSYS;
	if (write)
		return EXT2_ET_SHORT_WRITE;
	memset((char *)buf + (r > 0 ? r : 0), 0, n - (size_t)(r > 0 ? r : 0));
	return EXT2_ET_SHORT_READ;
}

/* Writes back the dirty slot s with the dirty slots next to it that hold
 * the blocks just before and after its own (one write of the device). */
static errcode_t writeback_run(io_channel io, size_t s)
{
	struct ext2_io *l = IO(io);
	size_t a = s, b = s + 1;
	errcode_t err;

	while (a > 0 && l->dirty[a - 1] && l->tag[a - 1] + 1 == l->tag[a])
		a--;
	while (b < IO_SLOTS && l->dirty[b] && l->tag[b] == l->tag[b - 1] + 1)
		b++;
	err = dev_rw(io, slot_data(io, a), (b - a) * bsize(io), (l->tag[a] - 1) * bsize(io), true);
	if (err)
		return err;
	for (size_t i = a; i < b; i++)
		l->dirty[i] = 0;
	l->ndirty -= b - a;
	return 0;
}

/* Writes back every dirty block, in runs. */
static errcode_t writeback_all(io_channel io)
{
	struct ext2_io *l = IO(io);
	errcode_t err = 0, e;

	for (size_t s = 0; s < IO_SLOTS && l->ndirty; s++)
		if (l->dirty[s] && (e = writeback_run(io, s)) && !err)
			err = e;
	return err;
}

/* Writes back the dirty blocks overlapping bytes [off, off + n). */
static errcode_t writeback_bytes(io_channel io, uint64_t off, size_t n)
{
	struct ext2_io *l = IO(io);
	uint64_t bs = bsize(io);
	errcode_t err;

	if (!l->ndirty)
		return 0;
	for (uint64_t b = off / bs; b * bs < off + n; b++)
		if (l->tag[b % IO_SLOTS] == b + 1 && l->dirty[b % IO_SLOTS] &&
		    (err = writeback_run(io, b % IO_SLOTS)))
			return err;
	return 0;
}

/* Drops the (clean) cached blocks overlapping bytes [off, off + n). */
static void forget_bytes(io_channel io, uint64_t off, size_t n)
{
	struct ext2_io *l = IO(io);
	uint64_t bs = bsize(io);

	for (uint64_t b = off / bs; b * bs < off + n; b++)
		if (l->tag[b % IO_SLOTS] == b + 1 && !l->dirty[b % IO_SLOTS])
			l->tag[b % IO_SLOTS] = 0;
}

static errcode_t io_open(const char *name, int flags, io_channel *out)
{
	io_channel io;
	struct ext2_io *l;

	(void)flags;
	if (!pending_bdev)
		return EXT2_ET_BAD_DEVICE_NAME;
	io = calloc(1, sizeof *io);
	l = calloc(1, sizeof *l);
	if (!io || !l) {
		free(io);
		free(l);
		return EXT2_ET_NO_MEMORY;
	}
	io->magic = EXT2_ET_MAGIC_IO_CHANNEL;
	io->manager = &ext2_io_ops;
	io->name = strdup(name);
	io->block_size = 1024;
	io->refcount = 1;
	l->bdev = pending_bdev;
	pending_bdev = NULL;
	l->data = malloc((size_t)IO_SLOTS * 1024);
	io->private_data = l;
	if (!io->name || !l->data) {
		free(io->name);
		free(l->data);
		free(l);
		free(io);
		return EXT2_ET_NO_MEMORY;
	}
	*out = io;
	return 0;
}

static errcode_t io_close(io_channel io)
{
	struct ext2_io *l = IO(io);
	errcode_t err;

	if (--io->refcount > 0)
		return 0;
	err = writeback_all(io);
	free(l->ra_buf);
	free(l->data);
	free(l);
	free(io->name);
	free(io);
	return err;
}

static errcode_t io_set_blksize(io_channel io, int blksize)
{
	struct ext2_io *l = IO(io);
	errcode_t err;
	char *d;

	if (blksize < 512 || blksize > 65536)
		return EXT2_ET_INVALID_ARGUMENT;
	if (blksize != io->block_size) {
		if ((err = writeback_all(io)))
			return err;
		d = malloc((size_t)IO_SLOTS * (size_t)blksize);
		if (!d)
			return EXT2_ET_NO_MEMORY;
		free(l->data);
		l->data = d;
		memset(l->tag, 0, sizeof l->tag);
	}
	io->block_size = blksize;
	return 0;
}

/* A read of block that missed the cache, right after the last read that
 * missed: the reader is sequential, and the blocks after it (up to
 * IO_RA_BYTES, not past the device's end) are read too, in the same read
 * of the device, into the slots that hold nothing dirty (Linux's
 * readahead).  Whether block is now cached. */
static bool read_ahead(io_channel io, uint64_t block)
{
	struct ext2_io *l = IO(io);
	size_t bs = bsize(io);
	uint64_t n = IO_RA_BYTES / bs, end = loop_bdev_size(l->bdev) / bs;

	if (block != l->ra_next || n < 2 || block >= end)
		return false;
	if (n > end - block)
		n = end - block;
	if (!l->ra_buf && !(l->ra_buf = malloc(IO_RA_BYTES)))
		return false;
	if (dev_rw(io, l->ra_buf, n * bs, block * bs, false))
		return false;
	for (uint64_t i = 0; i < n; i++) {
		size_t s = (block + i) % IO_SLOTS;

		if (l->tag[s] == block + i + 1 || l->dirty[s])
			continue;   /* the cache's copy is the newer, or another block's to write */
		memcpy(slot_data(io, s), l->ra_buf + i * bs, bs);
		l->tag[s] = block + i + 1;
	}
	l->ra_next = block + n;
	return l->tag[block % IO_SLOTS] == block + 1;
}

static errcode_t io_read(io_channel io, unsigned long long block, int count, void *data)
{
	struct ext2_io *l = IO(io);
	size_t bs = bsize(io), n;
	bool hit = count > 0;
	errcode_t err;

	if (block > UINT64_MAX / bs / 2)
		return EXT2_ET_LLSEEK_FAILED;
	if (count < 0) {   /* a byte count: from the device, dirty blocks first */
		n = (size_t)-(int64_t)count;
		if ((err = writeback_bytes(io, block * bs, n)))
			return err;
		return dev_rw(io, data, n, block * bs, false);
	}
	for (uint64_t i = 0; hit && i < (uint64_t)count; i++)
		hit = l->tag[(block + i) % IO_SLOTS] == block + i + 1;
	if (!hit && count == 1)
		hit = read_ahead(io, block);
	if (!hit) {
		l->ra_next = block + (uint64_t)count;
		err = dev_rw(io, data, (size_t)count * bs, block * bs, false);
		if (err && err != EXT2_ET_SHORT_READ)
			return err;
		for (uint64_t i = 0; i < (uint64_t)count; i++) {
			size_t s = (block + i) % IO_SLOTS;

			if (l->tag[s] == block + i + 1)   /* the cache's copy is the newer */
				memcpy((char *)data + i * bs, slot_data(io, s), bs);
			else if (!err && !l->dirty[s]) {
				memcpy(slot_data(io, s), (char *)data + i * bs, bs);
				l->tag[s] = block + i + 1;
			}
		}
		return err;
	}
	for (uint64_t i = 0; i < (uint64_t)count; i++)
		memcpy((char *)data + i * bs, slot_data(io, (block + i) % IO_SLOTS), bs);
	return 0;
}

static errcode_t io_write(io_channel io, unsigned long long block, int count, const void *data)
{
	struct ext2_io *l = IO(io);
	size_t bs = bsize(io), n;
	errcode_t err;

	if (block > UINT64_MAX / bs / 2)
		return EXT2_ET_LLSEEK_FAILED;
	if (count < 0) {   /* a byte count */
		n = (size_t)-(int64_t)count;
		if ((err = writeback_bytes(io, block * bs, n)))
			return err;
		err = dev_rw(io, (void *)data, n, block * bs, true);
		forget_bytes(io, block * bs, n);
		return err;
	}
	if (count >= IO_DIRECT_MIN) {
		err = dev_rw(io, (void *)data, (size_t)count * bs, block * bs, true);
		for (uint64_t i = 0; i < (uint64_t)count; i++) {
			size_t s = (block + i) % IO_SLOTS;

			if (l->tag[s] != block + i + 1)
				continue;
			if (err) {   /* what the device holds is unknown: keep ours dirty */
				memcpy(slot_data(io, s), (const char *)data + i * bs, bs);
				l->ndirty += !l->dirty[s];
				l->dirty[s] = 1;
			} else {
				memcpy(slot_data(io, s), (const char *)data + i * bs, bs);
				l->ndirty -= l->dirty[s];
				l->dirty[s] = 0;
			}
		}
		return err;
	}
	for (uint64_t i = 0; i < (uint64_t)count; i++) {
		size_t s = (block + i) % IO_SLOTS;

		if (l->tag[s] != block + i + 1 && l->dirty[s] && (err = writeback_run(io, s)))
			return err;
		memcpy(slot_data(io, s), (const char *)data + i * bs, bs);
		l->tag[s] = block + i + 1;
		if (!l->ndirty)
			l->dirty_since = now_ns(CLOCK_MONOTONIC);
		l->ndirty += !l->dirty[s];
		l->dirty[s] = 1;
	}
	return 0;
}

static errcode_t io_read_blk(io_channel io, unsigned long block, int count, void *data)
{
	return io_read(io, block, count, data);
}

static errcode_t io_write_blk(io_channel io, unsigned long block, int count, const void *data)
{
	return io_write(io, block, count, data);
}

static errcode_t io_write_byte(io_channel io, unsigned long offset, int count, const void *data)
{
	errcode_t err;

	if (count < 0)
		return EXT2_ET_INVALID_ARGUMENT;
	if ((err = writeback_bytes(io, offset, (size_t)count)))
		return err;
	err = dev_rw(io, (void *)data, (size_t)count, offset, true);
	forget_bytes(io, offset, (size_t)count);
	return err;
}

static errcode_t io_flush(io_channel io)
{
	return writeback_all(io);
}

static errcode_t io_set_option(io_channel io, const char *option, const char *arg)
{
	(void)io, (void)option, (void)arg;
	return EXT2_ET_INVALID_ARGUMENT;
}

static struct struct_io_manager ext2_io_ops = {
	.magic = EXT2_ET_MAGIC_IO_MANAGER,
	.name = "umk loop device",
	.open = io_open,
	.close = io_close,
	.set_blksize = io_set_blksize,
	.read_blk = io_read_blk,
	.write_blk = io_write_blk,
	.flush = io_flush,
	.write_byte = io_write_byte,
	.set_option = io_set_option,
	.read_blk64 = io_read,
	.write_blk64 = io_write,
};
