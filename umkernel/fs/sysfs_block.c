/*
 * sysfs_block.c - the block devices in sysfs: /sys/devices/virtual/block/
 * loopN for each loop device, with the links Linux makes to it
 * (/sys/block/loopN, /sys/class/block/loopN, /sys/dev/block/7:N), its
 * attributes (block/genhd.c: size, ro, removable, dev, stat, inflight,
 * uevent...; block/blk-sysfs.c: queue/), its loop/ directory while bound
 * (drivers/block/loop.c: backing_file, offset, sizelimit, autoclear,
 * partscan, dio) and its partitions (block/partitions/core.c: loopNpM
 * with dev, start, size, partition, stat...).
 *
 * In a nutshell: the tree is sysfs's tmpfs (sysfs.c); the directories,
 * links and (empty) attribute files are made at boot and, for loop/ and
 * the partitions, again by sysfs_block_changed each time loop.c binds,
 * unbinds or scans a device.  An attribute's text is made when it is
 * opened (sysfs_ops's open), from loop_blk_info: so it is live, as a
 * sysfs read is.  The mount is read-only: the tunables of queue/ are
 * shown, never set.
 *
 * Locking: klock, held by every caller.
 */
#include "../kernel.h"
#include "fs.h"
#include "blkdev.h"
#include "tmpfs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define BLK_DIR "devices/virtual/block/"

static struct mount *sysfs_mnt;     /* the boot mount (referenced): its tree */

/* ---- the text of the attributes ---- */

/* A disk's or partition's stat file (part_stat_show), 17 fields. */
static int stat_text(const struct blk_stats *s, char *buf, size_t len)
{
	return snprintf(buf, len,
			"%8llu %8llu %8llu %8llu %8llu %8llu %8llu %8llu %8u %8llu %8llu "
			"%8llu %8llu %8llu %8llu %8llu %8llu\n",
			(unsigned long long)s->ios[0], 0ULL, (unsigned long long)s->sectors[0],
			(unsigned long long)s->ticks[0], (unsigned long long)s->ios[1], 0ULL,
			(unsigned long long)s->sectors[1], (unsigned long long)s->ticks[1], 0u,
			(unsigned long long)s->io_ticks,
			(unsigned long long)(s->ticks[0] + s->ticks[1]), 0ULL, 0ULL, 0ULL, 0ULL,
			(unsigned long long)s->flush_ios, 0ULL);
}

/* queue/ of a loop device (blk-sysfs.c) as Linux 6.18 shows an idle one;
 * the block sizes are the device's (see queue_text). */
static const struct { const char *name, *text; uint32_t mode; } queue_attrs[] = {
	{ "add_random", "0\n", 0644 }, { "chunk_sectors", "0\n", 0444 }, { "dax", "0\n", 0444 },
	{ "discard_granularity", "4096\n", 0444 }, { "discard_max_bytes", "4294966784\n", 0644 },
	{ "discard_max_hw_bytes", "4294966784\n", 0444 }, { "discard_zeroes_data", "0\n", 0444 },
	{ "dma_alignment", "511\n", 0444 }, { "fua", "0\n", 0444 }, { "hw_sector_size", NULL, 0444 },
	{ "io_poll", "0\n", 0644 }, { "io_poll_delay", "-1\n", 0644 }, { "iostats", "1\n", 0644 },
	{ "logical_block_size", NULL, 0444 }, { "max_discard_segments", "1\n", 0444 },
	{ "max_hw_sectors_kb", "1280\n", 0444 }, { "max_integrity_segments", "0\n", 0444 },
	{ "max_sectors_kb", "1280\n", 0644 }, { "max_segment_size", "65536\n", 0444 },
	{ "max_segments", "128\n", 0444 }, { "minimum_io_size", NULL, 0444 },
	{ "nomerges", "0\n", 0644 }, { "nr_requests", "128\n", 0644 }, { "nr_zones", "0\n", 0444 },
	{ "optimal_io_size", "0\n", 0444 }, { "physical_block_size", NULL, 0444 },
	{ "read_ahead_kb", "128\n", 0644 }, { "rotational", "0\n", 0644 },
	{ "rq_affinity", "1\n", 0644 }, { "scheduler", "[none] mq-deadline\n", 0644 },
	{ "stable_writes", "0\n", 0644 }, { "virt_boundary_mask", "0\n", 0444 },
	{ "wbt_lat_usec", "0\n", 0644 }, { "write_cache", "write back\n", 0644 },
	{ "write_same_max_bytes", "0\n", 0444 }, { "write_zeroes_max_bytes", "4294966784\n", 0444 },
	{ "zone_append_max_bytes", "0\n", 0444 }, { "zone_write_granularity", "0\n", 0444 },
	{ "zoned", "none\n", 0444 },
};

/* the disk's own files (genhd.c's disk_attrs) */
static const struct { const char *name; uint32_t mode; } disk_attrs[] = {
	{ "alignment_offset", 0444 }, { "capability", 0444 }, { "dev", 0444 },
	{ "discard_alignment", 0444 }, { "diskseq", 0444 }, { "events", 0444 },
	{ "events_async", 0444 }, { "events_poll_msecs", 0644 }, { "ext_range", 0444 },
	{ "hidden", 0444 }, { "inflight", 0444 }, { "partscan", 0444 }, { "range", 0444 },
	{ "removable", 0444 }, { "ro", 0444 }, { "size", 0444 }, { "stat", 0444 },
	{ "uevent", 0644 },
};

static const char *const part_attrs[] = {
	"alignment_offset", "dev", "discard_alignment", "inflight", "partition", "ro", "size",
	"start", "stat", "uevent",
};

static const char *const loop_attrs[] = {
	"autoclear", "backing_file", "dio", "offset", "partscan", "sizelimit",
};

/* The text of attribute attr ("size", "queue/rotational", "loop/offset")
 * of the disk bi (pi NULL) or its partition pi: its length, or -ENOENT. */
static int attr_text(const struct blk_info *bi, const struct blk_part_info *pi, const char *attr,
		     char *buf, size_t len)
{
	unsigned long long diskseq = bi->minor + 1;

	if (pi) {
		if (!strcmp(attr, "dev"))
			return snprintf(buf, len, "%u:%u\n", pi->major, pi->minor);
		if (!strcmp(attr, "size"))
			return snprintf(buf, len, "%llu\n", (unsigned long long)pi->sectors);
		if (!strcmp(attr, "start"))
			return snprintf(buf, len, "%llu\n", (unsigned long long)pi->start);
		if (!strcmp(attr, "partition"))
			return snprintf(buf, len, "%d\n", pi->partno);
		if (!strcmp(attr, "ro"))
			return snprintf(buf, len, "%d\n", bi->ro);
		if (!strcmp(attr, "stat"))
			return stat_text(&pi->stats, buf, len);
		if (!strcmp(attr, "inflight"))
			return snprintf(buf, len, "%8u %8u\n", 0u, 0u);
		if (!strcmp(attr, "uevent"))
			return snprintf(buf, len,
					"MAJOR=%u\nMINOR=%u\nDEVNAME=%s\nDEVTYPE=partition\nDISKSEQ=%llu\n"
					"PARTN=%d\n",
					pi->major, pi->minor, pi->name, diskseq, pi->partno);
		if (!strcmp(attr, "alignment_offset") || !strcmp(attr, "discard_alignment"))
			return snprintf(buf, len, "0\n");
		return -ENOENT;
	}
	if (!strncmp(attr, "queue/", 6)) {
		for (size_t i = 0; i < ARRAY_SIZE(queue_attrs); i++) {
			if (strcmp(attr + 6, queue_attrs[i].name))
				continue;
			if (queue_attrs[i].text)
				return snprintf(buf, len, "%s", queue_attrs[i].text);
			return snprintf(buf, len, "%u\n", bi->lbs);   /* the block sizes */
		}
		return -ENOENT;
	}
	if (!strncmp(attr, "loop/", 5)) {
		attr += 5;
		if (!bi->bound)
			return -ENOENT;
		if (!strcmp(attr, "backing_file"))
			return snprintf(buf, len, "%s\n", bi->backing);
		if (!strcmp(attr, "offset"))
			return snprintf(buf, len, "%llu\n", (unsigned long long)bi->offset);
		if (!strcmp(attr, "sizelimit"))
			return snprintf(buf, len, "%llu\n", (unsigned long long)bi->sizelimit);
		if (!strcmp(attr, "autoclear"))
			return snprintf(buf, len, "%d\n", bi->autoclear);
		if (!strcmp(attr, "partscan"))
			return snprintf(buf, len, "%d\n", bi->partscan);
		if (!strcmp(attr, "dio"))
			return snprintf(buf, len, "%d\n", bi->dio);
		return -ENOENT;
	}
	if (!strcmp(attr, "dev"))
		return snprintf(buf, len, "%u:%u\n", bi->major, bi->minor);
	if (!strcmp(attr, "size"))
		return snprintf(buf, len, "%llu\n", (unsigned long long)bi->sectors);
	if (!strcmp(attr, "ro"))
		return snprintf(buf, len, "%d\n", bi->ro);
	if (!strcmp(attr, "stat"))
		return stat_text(&bi->stats, buf, len);
	if (!strcmp(attr, "inflight"))
		return snprintf(buf, len, "%8u %8u\n", 0u, 0u);
	if (!strcmp(attr, "uevent"))
		return snprintf(buf, len, "MAJOR=%u\nMINOR=%u\nDEVNAME=%s\nDEVTYPE=disk\nDISKSEQ=%llu\n",
				bi->major, bi->minor, bi->name, diskseq);
	if (!strcmp(attr, "diskseq"))
		return snprintf(buf, len, "%llu\n", diskseq);
	if (!strcmp(attr, "range"))
		return snprintf(buf, len, "1\n");
	if (!strcmp(attr, "ext_range"))
		return snprintf(buf, len, "256\n");
	if (!strcmp(attr, "partscan"))
		return snprintf(buf, len, "%d\n", bi->partscan);
	if (!strcmp(attr, "events"))
		return snprintf(buf, len, "media_change\n");
	if (!strcmp(attr, "events_async"))
		return snprintf(buf, len, "\n");
	if (!strcmp(attr, "events_poll_msecs"))
		return snprintf(buf, len, "-1\n");
	if (!strcmp(attr, "removable") || !strcmp(attr, "hidden") || !strcmp(attr, "capability") ||
	    !strcmp(attr, "alignment_offset") || !strcmp(attr, "discard_alignment"))
		return snprintf(buf, len, "0\n");
	return -ENOENT;
}

/* ---- open attribute files: the text made at open ---- */

struct attr_file {
	struct kstat st;
	size_t len;
	char text[];
};

static ssize_t attr_read(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	struct attr_file *a = f->priv;

	(void)t;
	if (*pos < 0)
		return -EINVAL;
	if ((uint64_t)*pos >= a->len)
		return 0;
	if (n > a->len - (size_t)*pos)
		n = a->len - (size_t)*pos;
	memcpy(buf, a->text + *pos, n);
	*pos += (int64_t)n;
	return (ssize_t)n;
}

static ssize_t attr_write(struct task *t, struct file *f, const void *buf, size_t n, int64_t *pos)
{
	(void)t, (void)f, (void)buf, (void)n, (void)pos;
	return -EACCES;
}

static int attr_fstat(struct file *f, struct kstat *st)
{
	*st = ((struct attr_file *)f->priv)->st;
	return 0;
}

static void attr_release(struct file *f)
{
	free(f->priv);
}

static const struct file_ops attr_ops = {
	.read = attr_read,
	.write = attr_write,
	.fstat = attr_fstat,
	.release = attr_release,
	.seekable = true,
};

/* Opens attribute file rel (below BLK_DIR; st its node): 0 and *out, or
 * -ENOENT (no such attribute: a leftover of a device's old state). */
static int attr_open(struct mount *m, const char *rel, const char *sub, const struct kstat *st,
		     int flags, struct file **out)
{
	struct blk_info bi;
	const struct blk_part_info *pi = NULL;
	struct attr_file *a;
	char buf[512];
	int nr, n = 0, len;
	const char *attr;

	if (sscanf(sub, "loop%d/%n", &nr, &n) != 1 || !n || loop_blk_info(nr, &bi))
		return -ENOENT;
	attr = sub + n;
	for (int i = 0; i < bi.nparts; i++) {
		size_t l = strlen(bi.parts[i].name);

		if (!strncmp(attr, bi.parts[i].name, l) && attr[l] == '/') {
			pi = &bi.parts[i];
			attr += l + 1;
		}
	}
	len = attr_text(&bi, pi, attr, buf, sizeof buf);
	if (len < 0)
		return len;
	if ((size_t)len >= sizeof buf)
		len = sizeof buf - 1;
	a = malloc(sizeof(*a) + (size_t)len + 1);
	if (!a)
		return -ENOMEM;
	a->st = *st;
	a->st.size = 4096;                 /* as sysfs reports every attribute */
	a->len = (size_t)len;
	memcpy(a->text, buf, (size_t)len + 1);
	*out = file_alloc(&attr_ops, flags, rel);
	if (!*out) {
		free(a);
		return -ENOMEM;
	}
	(*out)->priv = a;
	(*out)->mnt = m;
	return 0;
}

static int sysfs_open(struct mount *m, const char *rel, int flags, uint32_t mode, struct file **out)
{
	struct kstat st;

	if (!strncmp(rel, BLK_DIR, strlen(BLK_DIR)) && !tmpfs_ops.lookup(m, rel, &st) &&
	    S_ISREG(st.mode))
		return attr_open(m, rel, rel + strlen(BLK_DIR), &st, flags, out);
	return tmpfs_ops.open(m, rel, flags, mode, out);
}

static int sysfs_lookup(struct mount *m, const char *rel, struct kstat *st)
{
	int err = tmpfs_ops.lookup(m, rel, st);

	if (!err && S_ISREG(st->mode) && !strncmp(rel, BLK_DIR, strlen(BLK_DIR)))
		st->size = 4096;
	return err;
}

static struct fs_ops sysfs_block_ops;

/* sysfs_fs_ops - sysfs's operations: tmpfs's, with the block devices'
 * attribute files made live (namespace.c mounts more of it). */
const struct fs_ops *sysfs_fs_ops(void)
{
	if (!sysfs_block_ops.open) {
		sysfs_block_ops = tmpfs_ops;
		sysfs_block_ops.name = "sysfs";
		sysfs_block_ops.open = sysfs_open;
		sysfs_block_ops.lookup = sysfs_lookup;
	}
	return &sysfs_block_ops;
}

/* ---- the tree ---- */

static int mk_file(struct mount *m, const char *dir, const char *name, uint32_t mode)
{
	char rel[256];

	snprintf(rel, sizeof rel, "%s/%s", dir, name);
	return tmpfs_ops.mknod(m, rel, S_IFREG | mode, 0);
}

static int mk_link(struct mount *m, const char *rel, const char *target)
{
	return tmpfs_ops.symlink(m, target, rel);
}

/* Removes rel and everything below it (a directory of the tree). */
static void rm_tree(struct mount *m, const char *rel)
{
	struct tnode *n;
	struct kstat st;
	char sub[512];

	if (tmpfs_ops.lookup(m, rel, &st))
		return;
	if (!S_ISDIR(st.mode)) {
		tmpfs_ops.unlink(m, rel);
		return;
	}
	while (!tmpfs_resolve(((struct tmpfs *)m->priv)->root, rel, &n) && !list_empty(&n->children)) {
		struct tdirent *d = list_entry(n->children.next, struct tdirent, link);

		snprintf(sub, sizeof sub, "%s/%s", rel, d->name);
		if (S_ISDIR(d->node->mode))
			rm_tree(m, sub);
		else if (tmpfs_ops.unlink(m, sub))
			return;
	}
	tmpfs_ops.rmdir(m, rel);
}

/* The directory of a loop device, made once at boot. */
static int add_disk(struct mount *m, int nr)
{
	char dir[96], q[112], rel[96], target[96];
	int err;

	snprintf(dir, sizeof dir, BLK_DIR "loop%d", nr);
	err = tmpfs_ops.mkdir(m, dir, 0755);
	for (size_t i = 0; i < ARRAY_SIZE(disk_attrs) && !err; i++)
		err = mk_file(m, dir, disk_attrs[i].name, disk_attrs[i].mode);
	static const char *const subdirs[] = { "holders", "slaves", "power", "queue" };
	for (size_t i = 0; i < ARRAY_SIZE(subdirs) && !err; i++) {
		snprintf(q, sizeof q, "%s/%s", dir, subdirs[i]);
		err = tmpfs_ops.mkdir(m, q, 0755);
	}
	snprintf(q, sizeof q, "%s/queue", dir);
	for (size_t i = 0; i < ARRAY_SIZE(queue_attrs) && !err; i++)
		err = mk_file(m, q, queue_attrs[i].name, queue_attrs[i].mode);
	if (!err) {
		snprintf(q, sizeof q, "%s/subsystem", dir);
		err = mk_link(m, q, "../../../../class/block");
	}
	snprintf(target, sizeof target, "../devices/virtual/block/loop%d", nr);
	snprintf(rel, sizeof rel, "block/loop%d", nr);
	if (!err)
		err = mk_link(m, rel, target);
	snprintf(target, sizeof target, "../../devices/virtual/block/loop%d", nr);
	snprintf(rel, sizeof rel, "class/block/loop%d", nr);
	if (!err)
		err = mk_link(m, rel, target);
	snprintf(rel, sizeof rel, "dev/block/%d:%d", LOOP_MAJOR, nr);
	if (!err)
		err = mk_link(m, rel, target);
	return err;
}

/* sysfs_block_changed - see blkdev.h.  Errors (no memory) leave the tree
 * as it was: the devices work on without it. */
void sysfs_block_changed(int nr)
{
	struct task *saved = current;
	struct blk_info bi;
	struct kstat st;
	char dir[96], sub[128], rel[96], target[160];
	struct mount *m = sysfs_mnt;

	if (!m || loop_blk_info(nr, &bi))
		return;
	current = NULL;                    /* the nodes are root's, whoever binds */
	snprintf(dir, sizeof dir, BLK_DIR "loop%d", nr);
	/* the partitions: the old ones go, the scan's come */
	for (int p = 1; p <= BLK_MAX_PARTS; p++) {
		snprintf(sub, sizeof sub, "%s/loop%dp%d", dir, nr, p);
		rm_tree(m, sub);
		snprintf(rel, sizeof rel, "class/block/loop%dp%d", nr, p);
		tmpfs_ops.unlink(m, rel);
		snprintf(rel, sizeof rel, "dev/block/%d:%d", BLKEXT_MAJOR, nr * BLK_MAX_PARTS + p - 1);
		tmpfs_ops.unlink(m, rel);
	}
	for (int i = 0; i < bi.nparts; i++) {
		const struct blk_part_info *pi = &bi.parts[i];
		int err;

		snprintf(sub, sizeof sub, "%s/%s", dir, pi->name);
		err = tmpfs_ops.mkdir(m, sub, 0755);
		for (size_t j = 0; j < ARRAY_SIZE(part_attrs) && !err; j++)
			err = mk_file(m, sub, part_attrs[j], !strcmp(part_attrs[j], "uevent") ? 0644 : 0444);
		snprintf(target, sizeof target, "../../devices/virtual/block/loop%d/%s", nr, pi->name);
		snprintf(rel, sizeof rel, "class/block/%s", pi->name);
		if (!err)
			err = mk_link(m, rel, target);
		snprintf(rel, sizeof rel, "dev/block/%u:%u", pi->major, pi->minor);
		if (!err)
			mk_link(m, rel, target);
	}
	/* loop/ while bound */
	snprintf(sub, sizeof sub, "%s/loop", dir);
	if (bi.bound && tmpfs_ops.lookup(m, sub, &st)) {
		int err = tmpfs_ops.mkdir(m, sub, 0755);

		for (size_t j = 0; j < ARRAY_SIZE(loop_attrs) && !err; j++)
			err = mk_file(m, sub, loop_attrs[j], 0444);
	} else if (!bi.bound) {
		rm_tree(m, sub);
	}
	current = saved;
}

/* sysfs_block_init - the block devices' part of the tree of sysfs mount m
 * (sysfs_mount, at boot).  0 or -errno. */
int sysfs_block_init(struct mount *m)
{
	int err = 0;

	static const char *const dirs[] = { "devices/virtual", "devices/virtual/block",
					    "class/block" };
	for (size_t i = 0; i < ARRAY_SIZE(dirs) && !err; i++)
		err = tmpfs_ops.mkdir(m, dirs[i], 0755);
	for (int nr = 0; nr < loop_count() && !err; nr++)
		err = add_disk(m, nr);
	if (!err)
		sysfs_mnt = mnt_get(m);
	return err;
}
