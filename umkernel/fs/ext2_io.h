/*
 * ext2_io.h - the io_manager ext2.c hands libext2fs: block I/O on a loop
 * device through a write-back buffer cache (ext2_io.c).
 */
#ifndef UMK_EXT2_IO_H
#define UMK_EXT2_IO_H

#include <ext2fs/ext2fs.h>
#include <stdbool.h>

struct file;

/* ext2_io_manager: the io_manager for ext2fs_open2, whose channel is the
 * loop device bdev (an open file of loop_bdev_open) given by
 * ext2_io_manager(bdev) just before the open: ext2fs_open2's name is not
 * opened.  The channel caches blocks and keeps written ones dirty until
 * io_channel_flush (ext2fs_flush ends with it), the channel's close, or
 * the eviction of their cache slot: a dirty block reaches the device
 * only then, as Linux's buffer cache writes back. */
io_manager ext2_io_manager(struct file *bdev);

/* ext2_io_dirty: how many blocks of the channel wait to be written;
 * ext2_io_expired: whether one has waited longer than Linux's
 * dirty_expire_centisecs (30 s), time for an ext2fs_flush. */
unsigned long ext2_io_dirty(io_channel io);
bool ext2_io_expired(io_channel io);

#endif
