/*
 * swapfile.c - swapon(2) and swapoff(2) as bookkeeping (Linux's
 * mm/swapfile.c; man 2 swapon).  umk never swaps a guest page out (the
 * host pages its own memory), but a guest may activate swap areas as on
 * Linux: the same checks (CAP_SYS_ADMIN, a swap signature "SWAPSPACE2"
 * of version 1 as mkswap writes, a size no larger than the file's, no
 * holes, a filesystem that can hold swap, EBUSY when already active, at
 * most MAX_SWAPFILES areas: EPERM past it), the same priorities
 * (SWAP_FLAG_PREFER, or -2, -3... in order of activation), and the same
 * accounts: /proc/swaps, SwapTotal/SwapFree in /proc/meminfo and
 * sysinfo's totalswap/freeswap show the active areas, all free.
 *
 * An area is a regular file on a filesystem that lives on a block
 * device (ext2/3/4, xfs, btrfs, vfat: tmpfs, the root's overlay and
 * the other virtual filesystems give EINVAL as on Linux, whose swapon
 * needs a read_folio and bmap they lack) or a loop block device.  The
 * area holds its file open (O_RDWR) until swapoff.
 *
 * Writes to an active swap device give ETXTBSY as on Linux.  Not done:
 * writes to an active swap file are not refused (Linux: ETXTBSY), nor
 * its truncation; discard flags are accepted and ignored.
 *
 * Locking: klock, held by the callers.
 */
#include "../kernel.h"
#include "mm.h"
#include "../fs/fs.h"
#include "../fs/blkdev.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* include/linux/swap.h: 32 types less migration (3) and PTE-marker (1)
 * entries, the configuration umk's /proc/config.gz describes (no
 * DEVICE_PRIVATE, no MEMORY_FAILURE) */
#define MAX_SWAPFILES        28
#define SWAP_FLAG_PREFER     0x8000
#define SWAP_FLAG_PRIO_MASK  0x7fff
#define SWAP_FLAG_DISCARD    0x10000
#define SWAP_FLAG_DISCARD_ONCE 0x20000
#define SWAP_FLAG_DISCARD_PAGES 0x40000
#define SWAP_FLAGS_VALID     (SWAP_FLAG_PRIO_MASK | SWAP_FLAG_PREFER | SWAP_FLAG_DISCARD | \
			      SWAP_FLAG_DISCARD_ONCE | SWAP_FLAG_DISCARD_PAGES)
#define MAX_SWAP_BADPAGES    ((4096 - 1536) / 4)   /* the slots of union swap_header */
#define PAGE                 4096

struct swap_area {
	bool used;
	struct file *file;            /* open O_RDWR, referenced */
	bool blk;                     /* a block device ("partition") */
	uint64_t dev, ino, rdev;      /* its identity: st_dev/st_ino, or rdev */
	uint64_t pages;               /* usable pages: the header's less page 0 */
	int prio;
};

static struct swap_area swap_info[MAX_SWAPFILES];
static int least_priority = -1;

/* Filesystems whose files Linux can swap to (they have bmap or
 * swap_activate); the names umk's mounts carry. */
static bool fs_can_swap(const struct file *f)
{
	static const char *const ok[] = { "ext2", "ext3", "ext4", "xfs", "btrfs", "vfat", "f2fs" };
	const char *type = f->mnt ? (f->mnt->sb ? f->mnt->sb->fstype : f->mnt->fstype) : NULL;

	for (size_t i = 0; type && i < ARRAY_SIZE(ok); i++)
		if (!strcmp(type, ok[i]))
			return true;
	return false;
}

static uint32_t swab32(uint32_t v)
{
	return __builtin_bswap32(v);
}

/*
 * read_swap_header - Linux's read_swap_header on the first page of the
 * area (size bytes long): the usable pages, or 0 (EINVAL) when there is
 * no signature, another version, a last page past the end or bad pages
 * in a regular file.
 */
static uint64_t read_swap_header(const unsigned char *page, uint64_t size, bool blk)
{
	uint32_t version, last_page, nr_bad;
	uint64_t maxpages, filepages = size / PAGE;

	if (memcmp(page + PAGE - 10, "SWAPSPACE2", 10))
		return 0;
	memcpy(&version, page + 1024, 4);
	memcpy(&last_page, page + 1028, 4);
	memcpy(&nr_bad, page + 1032, 4);
	if (swab32(version) == 1) {          /* made on the other endianness */
		version = 1;
		last_page = swab32(last_page);
		nr_bad = swab32(nr_bad);
	}
	if (version != 1 || !last_page)
		return 0;
	maxpages = (uint64_t)last_page + 1;
	if (filepages && maxpages > filepages)
		return 0;                    /* "Swap area shorter than signature indicates" */
	if (nr_bad && !blk)
		return 0;
	if (nr_bad > MAX_SWAP_BADPAGES)
		return 0;
	return maxpages - 1 - nr_bad;        /* page 0 is the header */
}

/* Opens the area named by the guest's string upath for swapon/swapoff
 * (file_open_name with O_RDWR): 0 and *f with its stat, or -errno. */
static int open_area(struct task *t, uint64_t upath, struct file **f, struct kstat *st)
{
	char *path = malloc(4096);
	long n;
	int err;

	if (!path)
		return -ENOMEM;
	n = strncpy_from_user(t, path, upath, 4096);
	err = n < 0 ? (int)n : n >= 4096 ? -ENAMETOOLONG : n == 0 ? -ENOENT : 0;
	if (!err)
		err = vfs_open(t, AT_FDCWD, path, O_RDWR | O_LARGEFILE, 0, f);
	free(path);
	if (!err && (!(*f)->ops->fstat || (*f)->ops->fstat(*f, st))) {
		file_put(*f);
		err = -EINVAL;
	}
	return err;
}

static bool same_area(const struct swap_area *a, const struct kstat *st)
{
	return S_ISBLK(st->mode) ? a->blk && a->rdev == st->rdev
				 : !a->blk && a->dev == st->dev && a->ino == st->ino;
}

long sys_swapon(struct task *t, struct sysargs *a)
{
	int flags = arg_int(a, 1), type, err;
	unsigned char *page = NULL;
	struct file *f = NULL;
	struct kstat st;
	uint64_t size = 0, pages, rdev;
	int64_t pos = 0;
	ssize_t r;

	if (flags & ~SWAP_FLAGS_VALID)
		return -EINVAL;
	if (!capable(t, CAP_SYS_ADMIN))
		return -EPERM;
	/* alloc_swap_info: the first free type, EPERM past the last */
	for (type = 0; type < MAX_SWAPFILES && swap_info[type].used; type++)
		;
	if (type >= MAX_SWAPFILES)
		return -EPERM;
	err = open_area(t, arg_ptr(a, 0), &f, &st);
	if (err)
		return err;
	/* claim_swapfile */
	for (int i = 0; i < MAX_SWAPFILES; i++)
		if (swap_info[i].used && same_area(&swap_info[i], &st)) {
			err = -EBUSY;
			goto out;
		}
	if (S_ISBLK(st.mode)) {
		if (!file_is_loop(f, &rdev) || !f->ops->ioctl) {
			err = -EINVAL;
			goto out;
		}
		/* the device's size, as bdev_nr_bytes */
		if (f->ops->llseek && (int64_t)(size = (uint64_t)f->ops->llseek(f, 0, SEEK_END)) < 0)
			size = 0;
		f->pos = 0;
	} else if (S_ISREG(st.mode)) {
		if (!fs_can_swap(f)) {
			err = -EINVAL;            /* no read_folio/bmap: tmpfs, overlay... */
			goto out;
		}
		size = (uint64_t)st.size;
	} else {
		err = -EINVAL;
		goto out;
	}
	page = calloc(1, PAGE);
	if (!page) {
		err = -ENOMEM;
		goto out;
	}
	r = size ? file_read(t, f, page, PAGE, &pos) : 0;
	if (r < 0) {
		err = (int)r;
		goto out;
	}
	pages = read_swap_header(page, size, S_ISBLK(st.mode));
	if (!pages) {
		err = -EINVAL;
		goto out;
	}
	/* a swap file has no holes (generic_swapfile_activate's bmap walk) */
	if (S_ISREG(st.mode) && f->ops->llseek) {
		int64_t hole = f->ops->llseek(f, 0, SEEK_HOLE);

		if (hole >= 0 && (uint64_t)hole < size) {
			err = -EINVAL;
			goto out;
		}
	}
	swap_info[type] = (struct swap_area){
		.used = true, .file = f, .blk = S_ISBLK(st.mode), .dev = st.dev, .ino = st.ino,
		.rdev = st.rdev, .pages = pages,
		.prio = flags & SWAP_FLAG_PREFER ? flags & SWAP_FLAG_PRIO_MASK : --least_priority,
	};
	loop_set_swap(f, true);
	f = NULL;
out:
	free(page);
	if (f)
		file_put(f);
	return err;
}

long sys_swapoff(struct task *t, struct sysargs *a)
{
	struct file *f;
	struct kstat st;
	int err, prio;

	if (!capable(t, CAP_SYS_ADMIN))
		return -EPERM;
	err = open_area(t, arg_ptr(a, 0), &f, &st);
	if (err)
		return err;
	file_put(f);
	for (int i = 0; i < MAX_SWAPFILES; i++) {
		struct swap_area *s = &swap_info[i];

		if (!s->used || !same_area(s, &st))
			continue;
		/* the areas of lower (automatic) priority move up one */
		prio = s->prio;
		if (prio < 0) {
			for (int j = 0; j < MAX_SWAPFILES; j++)
				if (swap_info[j].used && swap_info[j].prio < prio)
					swap_info[j].prio++;
			least_priority++;
		}
		loop_set_swap(s->file, false);
		file_put(s->file);
		memset(s, 0, sizeof(*s));
		return 0;
	}
	return -EINVAL;
}

/* swap_totals - the active areas' pages (all free): 4096-byte pages. */
void swap_totals(uint64_t *total, uint64_t *free_pages)
{
	uint64_t n = 0;

	for (int i = 0; i < MAX_SWAPFILES; i++)
		if (swap_info[i].used)
			n += swap_info[i].pages;
	*total = *free_pages = n;
}

/* swaps_text - /proc/swaps (swap_show): a malloc'd string, or NULL. */
char *swaps_text(void)
{
	size_t cap = 128 + MAX_SWAPFILES * 4200, len;
	char *buf = malloc(cap);

	if (!buf)
		return NULL;
	len = (size_t)snprintf(buf, cap, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
	for (int i = 0; i < MAX_SWAPFILES; i++) {
		const struct swap_area *s = &swap_info[i];
		unsigned long long kb = s->pages * (PAGE / 1024);
		size_t plen = 0;

		if (!s->used)
			continue;
		/* the path, with seq_file_path's escapes of " \t\n\\" */
		for (const char *p = s->file->path; *p && len + 8 < cap; p++) {
			if (strchr(" \t\n\\", *p)) {
				len += (size_t)snprintf(buf + len, cap - len, "\\%03o", (unsigned char)*p);
				plen += 4;
			} else {
				buf[len++] = *p;
				plen++;
			}
		}
		len += (size_t)snprintf(buf + len, cap - len, "%*s%s\t%llu\t%s%llu\t%s%d\n",
					plen < 40 ? (int)(40 - plen) : 1, " ",
					s->blk ? "partition" : "file", kb, kb < 10000000 ? "\t" : "", 0ULL,
					"\t", s->prio);
		if (len >= cap)
			len = cap - 1;
	}
	buf[len] = 0;
	return buf;
}
