/*
 * pagecache.c - which pages of a file are in the page cache, for the
 * filesystems whose file data umk reads from a block device itself
 * (ext2/3/4 over a loop device; Linux's mm/filemap.c, mm/readahead.c,
 * fs/drop_caches.c, fs/proc/page.c).
 *
 * In a nutshell: an ext2 file's bytes are in the image, read through
 * libext2fs on each read(2), and a mapped file's in a host memfd; neither
 * says what Linux's page cache would hold.  This file keeps that state:
 * per inode (struct pcache_inode, keyed by the filesystem's object and
 * the inode number, outliving the file's opens as Linux's address_space
 * does) a bitmap of the pages cached.  A read brings the pages it touches
 * in, counting each one that was not cached as block I/O
 * (/proc/PID/io's read_bytes, task_io_account_read); a write caches the
 * pages it writes; readahead(2), fadvise(WILLNEED), madvise(WILLNEED) and
 * MAP_POPULATE bring a range in; fadvise(DONTNEED) and
 * `echo 1 > /proc/sys/vm/drop_caches` drop clean pages of inodes no VMA
 * maps (the filesystem pins a mapped inode; invalidate_mapping_pages
 * skips mapped and dirty pages).  preadv2(RWF_NOWAIT) reads only what is cached (EAGAIN if
 * nothing), mincore(2) and /proc/meminfo's Cached report it.
 *
 * Page frame numbers: each cached inode owns a block of 2^24 PFNs from
 * PCACHE_PFN_BASE (pfn = base + id << 24 + page index), which
 * /proc/PID/pagemap shows for its mapped pages (to CAP_SYS_ADMIN, as
 * Linux) and /proc/kpageflags describes (KPF_UPTODATE, KPF_LRU,
 * KPF_MMAP, and KPF_DIRTY as the filesystem says: a mapped page whose
 * bytes differ from the image's).  Any other PFN reads as KPF_NOPAGE.
 *
 * Lock: klock, held by every caller.
 */
#include "mm.h"
#include "../fs/fs.h"

#include <sys/mman.h>

#include <stdlib.h>
#include <string.h>

#define PCACHE_PFN_BASE  0x100000ULL
#define PCACHE_PFN_SHIFT 24

static struct list_head pcache_all = { &pcache_all, &pcache_all };
#define PCACHE_HASH 1024
static struct list_head pcache_hash[PCACHE_HASH];   /* by (owner, ino); zeroed: empty */
static uint32_t pcache_next_id = 1, pcache_max_id;
static uint64_t pcache_pages;   /* pages cached, all inodes */

static bool bit_test(const struct pcache_inode *pi, uint64_t pg)
{
	return pg < pi->nwords * 64 && (pi->bits[pg / 64] >> (pg % 64) & 1);
}

/* Sets page pg (growing the bitmap): 1 if it was not cached, 0 if it
 * was, -ENOMEM. */
static int bit_set(struct pcache_inode *pi, uint64_t pg)
{
	if (pg >= pi->nwords * 64) {
		uint64_t nw = pi->nwords ? pi->nwords : 4;
		while (nw * 64 <= pg)
			nw *= 2;
		uint64_t *b = realloc(pi->bits, nw * sizeof *b);
		if (!b)
			return -ENOMEM;
		memset(b + pi->nwords, 0, (nw - pi->nwords) * sizeof *b);
		pi->bits = b;
		pi->nwords = nw;
	}
	if (pi->bits[pg / 64] >> (pg % 64) & 1)
		return 0;
	pi->bits[pg / 64] |= 1ULL << (pg % 64);
	pi->nr++;
	pcache_pages++;
	return 1;
}

static void bit_clear(struct pcache_inode *pi, uint64_t pg)
{
	if (!bit_test(pi, pg))
		return;
	pi->bits[pg / 64] &= ~(1ULL << (pg % 64));
	pi->nr--;
	pcache_pages--;
}

static struct list_head *bucket(const void *owner, uint64_t ino)
{
	uint64_t h = ((uintptr_t)owner >> 4) * 0x9e3779b97f4a7c15ULL ^ ino * 0xc2b2ae3d27d4eb4fULL;
	struct list_head *b = &pcache_hash[(h >> 32) % PCACHE_HASH];

	if (!b->next)
		b->next = b->prev = b;
	return b;
}

struct pcache_inode *pcache_find(const void *owner, uint64_t ino)
{
	struct list_head *b = bucket(owner, ino), *p;

	for (p = b->next; p != b; p = p->next) {
		struct pcache_inode *pi = list_entry(p, struct pcache_inode, hlink);
		if (pi->owner == owner && pi->ino == ino)
			return pi;
	}
	return NULL;
}

struct pcache_inode *pcache_get(const void *owner, uint64_t ino, const struct pcache_ops *ops)
{
	struct pcache_inode *pi = pcache_find(owner, ino);

	if (pi)
		return pi;
	pi = calloc(1, sizeof *pi);
	if (!pi)
		return NULL;
	pi->owner = owner;
	pi->ino = ino;
	pi->ops = ops;
	pi->id = pcache_next_id++;
	if (pi->id > pcache_max_id)
		pcache_max_id = pi->id;
	if (!pcache_next_id || pcache_next_id >= (1U << 30))
		pcache_next_id = 1;   /* ids wrap: a PFN of a long-gone inode may be reused */
	list_add_tail(&pi->link, &pcache_all);
	list_add_tail(&pi->hlink, bucket(owner, ino));
	return pi;
}

static void pcache_free(struct pcache_inode *pi)
{
	pcache_pages -= pi->nr;
	list_del(&pi->link);
	list_del(&pi->hlink);
	free(pi->bits);
	free(pi);
}

void pcache_forget(const void *owner, uint64_t ino)
{
	struct pcache_inode *pi = pcache_find(owner, ino);
	if (pi)
		pcache_free(pi);
}

void pcache_forget_owner(const void *owner)
{
	struct list_head *p, *q;

	list_for_each_safe(p, q, &pcache_all) {
		struct pcache_inode *pi = list_entry(p, struct pcache_inode, link);
		if (pi->owner == owner)
			pcache_free(pi);
	}
}

/* The pages [off, off + len) as page indexes [*first, *last). */
static bool page_span(uint64_t off, uint64_t len, uint64_t *first, uint64_t *last)
{
	if (!len || off + len < off)
		return false;
	*first = off / GUEST_PAGE_SIZE;
	*last = (off + len + GUEST_PAGE_SIZE - 1) / GUEST_PAGE_SIZE;
	return true;
}

uint64_t pcache_fill(struct task *t, struct pcache_inode *pi, uint64_t off, uint64_t len)
{
	uint64_t first, last, missed = 0;

	if (!pi || !page_span(off, len, &first, &last))
		return 0;
	for (uint64_t pg = first; pg < last; pg++)
		if (bit_set(pi, pg) > 0)
			missed++;
	if (t && t->tg)
		t->tg->io_read_bytes += missed * GUEST_PAGE_SIZE;
	return missed;
}

void pcache_account_read(struct task *t, uint64_t off, uint64_t len)
{
	uint64_t first, last;

	if (t && t->tg && page_span(off, len, &first, &last))
		t->tg->io_read_bytes += (last - first) * GUEST_PAGE_SIZE;
}

void pcache_mark(struct pcache_inode *pi, uint64_t off, uint64_t len)
{
	uint64_t first, last;

	if (!pi || !page_span(off, len, &first, &last))
		return;
	for (uint64_t pg = first; pg < last; pg++)
		bit_set(pi, pg);
}

bool pcache_page_cached(const struct pcache_inode *pi, uint64_t pg)
{
	return pi && bit_test(pi, pg);
}

uint64_t pcache_cached_bytes(const struct pcache_inode *pi, uint64_t off, uint64_t end)
{
	uint64_t pg;

	if (!pi || off >= end)
		return 0;
	for (pg = off / GUEST_PAGE_SIZE; pg * GUEST_PAGE_SIZE < end && bit_test(pi, pg); pg++)
		;
	uint64_t upto = pg * GUEST_PAGE_SIZE < end ? pg * GUEST_PAGE_SIZE : end;
	return upto > off ? upto - off : 0;
}

void pcache_truncate(struct pcache_inode *pi, uint64_t size)
{
	if (!pi)
		return;
	uint64_t first = (size + GUEST_PAGE_SIZE - 1) / GUEST_PAGE_SIZE;
	for (uint64_t pg = first; pg < pi->nwords * 64; pg++)
		bit_clear(pi, pg);
}

/* pcache_truncate_range - the pages wholly inside bytes [off, off + len)
 * of pi leave the cache, mapped, dirty or not (Linux's
 * truncate_inode_pages_range, as a punched, zeroed or shifted range of
 * a file drops them); len 0 or past the end: to the end. */
void pcache_truncate_range(struct pcache_inode *pi, uint64_t off, uint64_t len)
{
	if (!pi)
		return;
	uint64_t first = (off + GUEST_PAGE_SIZE - 1) / GUEST_PAGE_SIZE;
	uint64_t last = !len || off + len < off ? UINT64_MAX : (off + len) / GUEST_PAGE_SIZE;
	if (last > pi->nwords * 64)
		last = pi->nwords * 64;
	for (uint64_t pg = first; pg < last; pg++)
		bit_clear(pi, pg);
}

/* Drops the clean pages of pi in [first, last) unless it is mapped. */
static void drop_range(struct pcache_inode *pi, uint64_t first, uint64_t last)
{
	if (pi->pins)
		return;
	if (last > pi->nwords * 64)
		last = pi->nwords * 64;
	for (uint64_t pg = first; pg < last; pg++)
		if (bit_test(pi, pg) && !(pi->may_dirty && pi->ops && pi->ops->page_dirty &&
					  pi->ops->page_dirty(pi, pg)))
			bit_clear(pi, pg);
}

void pcache_invalidate(struct pcache_inode *pi, uint64_t off, uint64_t len)
{
	if (!pi)
		return;
	/* invalidate_mapping_pages: only the pages wholly inside */
	uint64_t first = (off + GUEST_PAGE_SIZE - 1) / GUEST_PAGE_SIZE;
	uint64_t last = !len || off + len < off ? UINT64_MAX : (off + len) / GUEST_PAGE_SIZE;
	if (first < last)
		drop_range(pi, first, last);
}

void pcache_drop_caches(void)
{
	struct list_head *p, *q;

	list_for_each_safe(p, q, &pcache_all) {
		struct pcache_inode *pi = list_entry(p, struct pcache_inode, link);
		drop_range(pi, 0, UINT64_MAX);
		if (!pi->nr) {
			/* the inode stays (its id, hence its PFNs, too) until
			 * the filesystem forgets it; its bitmap goes */
			free(pi->bits);
			pi->bits = NULL;
			pi->nwords = 0;
		}
	}
}

uint64_t pcache_nr_pages(void)
{
	return pcache_pages;
}

uint64_t pcache_pfn(struct pcache_inode *pi, uint64_t pg)
{
	if (!pi || pg >= (1ULL << PCACHE_PFN_SHIFT))
		return 0;
	bit_set(pi, pg);   /* a page mapped in is a page in the cache */
	return PCACHE_PFN_BASE + ((uint64_t)pi->id << PCACHE_PFN_SHIFT) + pg;
}

/* kpageflags bits (include/uapi/linux/kernel-page-flags.h) */
#define KPF_REFERENCED 2
#define KPF_UPTODATE   3
#define KPF_DIRTY      4
#define KPF_LRU        5
#define KPF_MMAP       11
#define KPF_NOPAGE     20

/* The kpageflags entry of frame pfn. */
static uint64_t pfn_flags(uint64_t pfn)
{
	struct list_head *p;

	if (pfn < PCACHE_PFN_BASE)
		return 1ULL << KPF_NOPAGE;
	uint64_t id = (pfn - PCACHE_PFN_BASE) >> PCACHE_PFN_SHIFT;
	uint64_t pg = (pfn - PCACHE_PFN_BASE) & ((1ULL << PCACHE_PFN_SHIFT) - 1);
	for (p = pcache_all.next; p != &pcache_all; p = p->next) {
		struct pcache_inode *pi = list_entry(p, struct pcache_inode, link);
		if (pi->id != id)
			continue;
		if (!bit_test(pi, pg))
			break;
		uint64_t fl = 1ULL << KPF_UPTODATE | 1ULL << KPF_LRU | 1ULL << KPF_REFERENCED;
		if (pi->pins)
			fl |= 1ULL << KPF_MMAP;
		if (pi->may_dirty && pi->ops && pi->ops->page_dirty && pi->ops->page_dirty(pi, pg))
			fl |= 1ULL << KPF_DIRTY;
		return fl;
	}
	return 1ULL << KPF_NOPAGE;
}

/* ---- /proc/kpageflags ---- */

/* read(2): 8 bytes per frame from *pos / 8; *pos and n multiples of 8
 * (-EINVAL, as kpageflags_read); the end of file is past the frames of
 * the highest id given (Linux's max_pfn). */
static ssize_t kpageflags_read(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	(void)t, (void)f;
	if (*pos < 0 || (*pos % 8) || (n % 8))
		return -EINVAL;
	uint64_t pfn = (uint64_t)*pos / 8;
	uint64_t max = PCACHE_PFN_BASE + (pcache_max_id ? (uint64_t)(pcache_max_id + 1) << PCACHE_PFN_SHIFT : 0);
	size_t count = n / 8;
	if (pfn >= max)
		return 0;
	if (count > max - pfn)
		count = max - pfn;
	if (count > 65536)
		count = 65536;
	uint64_t *out = buf;
	for (size_t i = 0; i < count; i++)
		out[i] = pfn_flags(pfn + i);
	*pos += (int64_t)(count * 8);
	return (ssize_t)(count * 8);
}

static int kpageflags_fstat(struct file *f, struct kstat *st)
{
	(void)f;
	memset(st, 0, sizeof *st);
	st->mode = 0100400;
	st->nlink = 1;
	st->blksize = 1024;
	return 0;
}

static int64_t kpageflags_llseek(struct file *f, int64_t off, int whence)
{
	switch (whence) {
	case 0: f->pos = off; return off;
	case 1: f->pos += off; return f->pos;
	}
	return -EINVAL;
}

static const struct file_ops kpageflags_ops = {
	.read = kpageflags_read,
	.fstat = kpageflags_fstat,
	.llseek = kpageflags_llseek,
	.seekable = true,
};

int proc_kpageflags_open(struct task *t, int flags, struct file **out)
{
	(void)t;
	struct file *f = file_alloc(&kpageflags_ops, flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC), NULL);
	if (!f)
		return -ENOMEM;
	*out = f;
	return 0;
}

/* ---- helpers for the VFS and mm's callers ---- */

struct pcache_inode *pcache_of_file(struct file *f)
{
	return f && f->ops->pcache && !(f->flags & O_PATH) ? f->ops->pcache(f) : NULL;
}

/* The file's size, or 0. */
static uint64_t file_size(struct file *f)
{
	struct kstat st;

	return f->ops->fstat && !f->ops->fstat(f, &st) ? st.size : 0;
}

void pcache_willneed(struct task *t, struct file *f, uint64_t off, uint64_t len)
{
	struct pcache_inode *pi = pcache_of_file(f);

	if (!pi)
		return;
	uint64_t size = file_size(f);
	if (off >= size)
		return;
	if (!len || len > size - off)
		len = size - off;   /* read_pages stops at EOF */
	pcache_fill(t, pi, off, len);
}

void pcache_dontneed(struct file *f, uint64_t off, uint64_t len)
{
	pcache_invalidate(pcache_of_file(f), off, len);
}

int64_t pcache_nowait_limit(struct task *t, struct file *f, uint64_t pos, uint64_t len)
{
	struct pcache_inode *pi = pcache_of_file(f);

	if (!pi || (f->flags & O_DIRECT))
		return -1;
	uint64_t size = file_size(f);
	if (pos >= size)
		return -1;   /* at or past EOF: the read says 0 without I/O */
	uint64_t n = pcache_cached_bytes(pi, pos, size);
	if (n)
		return (int64_t)n;
	/* filemap_get_pages: the readahead is started all the same (it
	 * completes at once here), the read says EAGAIN */
	pcache_willneed(t, f, pos, len);
	return -EAGAIN;
}

/* ---- write faults on shared mappings (page_mkwrite) ---- */

void pcache_wrprotect(struct task *t, struct pcache_inode *pi, uint64_t pg)
{
	if (!t || !t->mm || !t->host || !pi)
		return;
	uint64_t off = pg * GUEST_PAGE_SIZE;
	for_each_vma(t->mm, v) {
		if (!v->file || (v->flags & MAP_TYPE) != MAP_SHARED || !(v->prot & PROT_WRITE) ||
		    off < v->pgoff || off >= v->pgoff + (v->end - v->start) || pcache_of_file(v->file) != pi)
			continue;
		platform->mprotect(t->host, v->start + (off - v->pgoff), GUEST_PAGE_SIZE, v->prot & ~PROT_WRITE);
	}
}

int pcache_wp_fault(struct task *t, uint64_t addr, int64_t err, linux_siginfo_t *info)
{
	uint64_t page = addr & ~(uint64_t)(GUEST_PAGE_SIZE - 1);
	struct vma *v = t->mm ? mm_find_vma(t->mm, page) : NULL;

	/* a write refused by the host in a writable shared file mapping:
	 * only pcache_wrprotect makes those */
	if (info->si_signo != SIGSEGV || info->si_code != 2 /* SEGV_ACCERR */ || (err >= 0 && !(err & 2)) ||
	    !v || !v->file || (v->flags & MAP_TYPE) != MAP_SHARED || !(v->prot & PROT_WRITE) ||
	    !v->file->ops->page_mkwrite)
		return -EFAULT;
	int r = v->file->ops->page_mkwrite(v->file, (v->pgoff + (page - v->start)) / GUEST_PAGE_SIZE);
	if (r) {
		/* VM_FAULT_SIGBUS (ext4_page_mkwrite's ENOSPC) */
		memset(info, 0, sizeof *info);
		info->si_signo = SIGBUS;
		info->si_code = 2;   /* BUS_ADRERR */
		info->u.fault.addr = addr;
		return 1;
	}
	if (platform->mprotect(t->host, page, GUEST_PAGE_SIZE, v->prot) < 0)
		return -EFAULT;
	return 0;
}
