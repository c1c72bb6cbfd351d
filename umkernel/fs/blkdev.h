/*
 * blkdev.h - what the rest of the kernel sees of umk's block devices (the
 * loop devices of loop.c): their state and I/O statistics for sysfs
 * (/sys/block/loopN, sysfs.c), /proc/partitions and /proc/diskstats
 * (procfs.c), and the few calls swap (mm/swapfile.c) makes.
 *
 * Everything is guarded by klock.
 */
#ifndef UMK_BLKDEV_H
#define UMK_BLKDEV_H

#include "fs.h"

#define LOOP_MAJOR      7
#define BLKEXT_MAJOR    259      /* partitions of a loop device (Linux's BLOCK_EXT_MAJOR) */
#define BLK_MAX_PARTS   4        /* primary MBR partitions scanned */

/* One disk's or partition's I/O counts, Documentation/block/stat.rst:
 * index 0 reads, 1 writes; sectors of 512 bytes; times in ms. */
struct blk_stats {
	uint64_t ios[2], sectors[2], ticks[2];
	uint64_t io_ticks;            /* ms with I/O in flight */
	uint64_t flush_ios;
	uint64_t stamp;               /* monotonic ms of the last I/O counted in io_ticks */
};

/* A loop device as sysfs and procfs show it (loop_blk_info fills it). */
struct blk_info {
	char name[16];                /* "loop0" */
	unsigned int major, minor;
	uint64_t sectors;             /* size in 512-byte sectors (0 unbound) */
	bool ro;
	uint32_t lbs;                 /* logical block size */
	struct blk_stats stats;
	/* /sys/block/loopN/loop/, present while bound */
	bool bound;
	const char *backing;          /* the backing file's path */
	uint64_t offset, sizelimit;
	bool autoclear, partscan, dio;
	/* partitions found by a partition scan (LO_FLAGS_PARTSCAN) */
	int nparts;
	struct blk_part_info {
		char name[20];        /* "loop0p1" */
		int partno;           /* 1.. */
		unsigned int major, minor;
		uint64_t start, sectors;
		struct blk_stats stats;
	} parts[BLK_MAX_PARTS];
};

/* loop.c: how many loop devices there are, and the state of loopNR
 * (0, or -ENODEV past the last). */
int loop_count(void);
int loop_blk_info(int nr, struct blk_info *bi);
/* loop.c: opens partition part (1..) of loopNR, as /dev/loopNRpPART:
 * 0 and *out, or -ENXIO when there is no such partition. */
int loop_part_open(int nr, int part, int flags, const char *path, struct mount *m,
		   struct file **out);
/* loop.c: whether f is an open loop device or partition; its rdev. */
bool file_is_loop(struct file *f, uint64_t *rdev);

/* loop.c: marks the loop device or partition open as f as an active swap
 * area or no longer (mm/swapfile.c): writes to it give ETXTBSY. */
void loop_set_swap(struct file *f, bool on);
/* loop.c: f, just opened through a block device node, shows that node
 * (its inode, owner, mode) in fstat as Linux's block device files do;
 * vfs_open calls it.  Nothing for other files. */
void blkdev_file_node(struct file *f, const struct kstat *node);

/* sysfs.c: /sys/devices/virtual/block/loopN follows loopNR's state (its
 * loop/ directory while bound, its partitions): loop.c calls it after
 * each change. */
void sysfs_block_changed(int nr);

#endif
