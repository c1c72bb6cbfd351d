/*
 * hugetlb.c - huge pages, emulated (Linux's mm/hugetlb.c and the mapping
 * half of fs/hugetlbfs/inode.c).
 *
 * In a nutshell: umk has one huge page size, 2 MiB, and a pool of such
 * pages the guest sizes through /proc/sys/vm/nr_hugepages (and
 * nr_overcommit_hugepages for surplus pages).  The pages are not the
 * host's huge pages: a hugetlb file (a file on a hugetlbfs mount, a
 * memfd made with MFD_HUGETLB, the file behind a MAP_HUGETLB mapping or
 * a SHM_HUGETLB segment) keeps its bytes in an ordinary memfd as tmpfs
 * does.  What the guest sees is Linux's: lengths and offsets in huge
 * pages (EINVAL when unaligned), VMAs that split only at huge page
 * boundaries, write(2) refused (EINVAL), st_blksize the huge page size,
 * and the pool's accounting: a mapping takes the file's pages from the
 * pool when it is made (ENOMEM when the pool cannot give them, as
 * Linux's reservation at mmap time), and they go back when the file
 * shrinks or goes.  Pages taken count as in use at once (Linux counts
 * them reserved until first touched, which umk cannot see): HugePages_Rsvd
 * stays 0.  A file's pages are counted from its start to the end of its
 * furthest mapping (a mapping far into a file takes the pages before it).
 *
 * Lock: klock, held by every caller.
 */
#include "../kernel.h"
#include "mm.h"
#include "../fs/fs.h"
#include "../fs/tmpfs.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define HUGE_SHIFT_    26             /* MAP_HUGE_SHIFT, MFD_HUGE_SHIFT, SHM_HUGE_SHIFT */
#define HUGE_MASK_     0x3f

/* The pool (Linux's struct hstate for the one size). */
static struct {
	uint64_t persistent;          /* nr_hugepages: the pool's own pages */
	uint64_t surplus;             /* pages past it, from nr_overcommit_hugepages */
	uint64_t used;                /* pages files hold */
	uint64_t overcommit;          /* nr_overcommit_hugepages */
} hs;

static uint64_t total(void) { return hs.persistent + hs.surplus; }
static uint64_t nfree(void) { return total() - hs.used; }

/* The most pages the pool may hold: half the host's memory, as a pool
 * Linux could not fill stops short of what was asked. */
static uint64_t pool_max(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);

	if (pages <= 0 || psz <= 0)
		return 1024;
	return (uint64_t)pages * (uint64_t)psz / 2 / HPAGE_SIZE;
}


/*
 * hugetlb_take - pages more huge pages into use: from the free pool, then
 * as surplus up to nr_overcommit_hugepages.  0 or -ENOMEM (Linux's
 * hugetlb_acct_memory/gather_surplus_pages).
 */
int hugetlb_take(uint64_t pages)
{
	if (!pages)
		return 0;
	if (nfree() < pages) {
		uint64_t extra = pages - nfree();

		if (hs.surplus + extra > hs.overcommit || total() + extra > pool_max())
			return -ENOMEM;
		hs.surplus += extra;
	}
	hs.used += pages;
	sysfs_hugetlb_sync();
	return 0;
}

/* hugetlb_give - pages go back to the pool; surplus pages left free go. */
void hugetlb_give(uint64_t pages)
{
	uint64_t s;

	hs.used -= pages < hs.used ? pages : hs.used;
	s = hs.surplus < nfree() ? hs.surplus : nfree();
	hs.surplus -= s;
	sysfs_hugetlb_sync();
}

/* nr_hugepages = want (Linux's set_max_huge_pages): surplus pages become
 * the pool's first; lowering frees free pages, and pages in use past the
 * new size become surplus. */
static void set_nr(uint64_t want)
{
	uint64_t max = pool_max();

	if (want > max)
		want = max;
	if (want > hs.persistent) {
		uint64_t d = want - hs.persistent < hs.surplus ? want - hs.persistent : hs.surplus;

		hs.surplus -= d;
		hs.persistent = want;
	} else {
		uint64_t drop = hs.persistent - want, f = nfree();
		uint64_t freed = drop < f ? drop : f;

		hs.persistent -= freed;
		drop -= freed;
		hs.persistent -= drop;   /* in use: now surplus */
		hs.surplus += drop;
	}
	sysfs_hugetlb_sync();
}

/* The values of the sysfs files, in hugetlb_sysfs_names order. */
const char *const hugetlb_sysfs_names[HUGETLB_SYSFS_N] = {
	"nr_hugepages", "free_hugepages", "resv_hugepages", "surplus_hugepages",
	"nr_overcommit_hugepages",
};

uint64_t hugetlb_sysfs_value(int i)
{
	switch (i) {
	case 0: return total();   /* nr_huge_pages: surplus included */
	case 1: return nfree();
	case 2: return 0;
	case 3: return hs.surplus;
	default: return hs.overcommit;
	}
}

/*
 * hugetlb_proc_read / hugetlb_proc_write - /proc/sys/vm/nr_hugepages,
 * nr_hugepages_mempolicy (the same pool: one node) and
 * nr_overcommit_hugepages; name is the path below /proc/sys.  Writes
 * parse as Linux's proc_doulongvec_minmax: -EINVAL for a malformed value.
 */
int hugetlb_proc_read(struct task *t, const char *name, char **text)
{
	uint64_t v = !strcmp(name, "vm/nr_overcommit_hugepages") ? hs.overcommit : hs.persistent;

	(void)t;
	return asprintf(text, "%llu\n", (unsigned long long)v) < 0 ? -ENOMEM : 0;
}

int hugetlb_proc_write(struct task *t, const char *name, const char *buf, size_t n)
{
	long v;
	int err = sysctl_parse_long(buf, n, 0, LONG_MAX, &v);

	(void)t;
	if (err)
		return err;
	if (!strcmp(name, "vm/nr_overcommit_hugepages")) {
		hs.overcommit = (uint64_t)v;
		sysfs_hugetlb_sync();
	} else {
		set_nr((uint64_t)v);
	}
	return 0;
}

/* /proc/meminfo's lines for the pool (Linux's hugetlb_report_meminfo). */
/* The pool's pages in bytes (Linux's hugetlb_total_pages, for the
 * commit limit of mm/commit.c). */
uint64_t hugetlb_total_bytes(void)
{
	return total() * HPAGE_SIZE;
}

void hugetlb_meminfo(char *buf, size_t len)
{
	snprintf(buf, len,
		 "HugePages_Total: %5llu\nHugePages_Free:  %5llu\nHugePages_Rsvd:  %5llu\n"
		 "HugePages_Surp:  %5llu\nHugepagesize:   %8llu kB\nHugetlb:        %8llu kB\n",
		 (unsigned long long)total(), (unsigned long long)nfree(), 0ULL,
		 (unsigned long long)hs.surplus, (unsigned long long)(HPAGE_SIZE >> 10),
		 (unsigned long long)(total() * (HPAGE_SIZE >> 10)));
}

/*
 * hugetlb_size_ok - a size log2 from MAP_HUGE_*, MFD_HUGE_*, SHM_HUGE_*
 * (flags >> 26 & 0x3f): 0 (the default) or 21 (2 MiB) is umk's size.
 */
bool hugetlb_size_ok(unsigned int flags)
{
	unsigned int log = (flags >> HUGE_SHIFT_) & HUGE_MASK_;

	return log == 0 || log == HPAGE_SHIFT;
}

/* Set by the first hugetlb mapping: until then munmap and mprotect skip
 * the walk of hugetlb_split_check (a process with 65530 VMAs unmaps them
 * one by one). */
static bool hugetlb_mapped;

/* Whether v maps a hugetlb file. */
static bool vma_huge(const struct vma *v)
{
	return v->file && tmpfs_file_huge(v->file);
}

/*
 * hugetlb_split_check - munmap/mprotect of [addr, addr+len) in mm: -EINVAL
 * if it would split a hugetlb VMA off a huge page boundary (Linux's
 * hugetlb_vm_op_split), else 0.
 */
int hugetlb_split_check(struct mm *mm, uint64_t addr, uint64_t len)
{
	uint64_t end = addr + PAGE_ALIGN(len);

	if (!hugetlb_mapped || end < addr)
		return 0;   /* no hugetlb mapping was ever made: no walk */
	for_each_vma(mm, v) {
		if (v->start >= end)
			break;
		if (v->end <= addr || !vma_huge(v))
			continue;
		if ((addr > v->start && (addr & (HPAGE_SIZE - 1))) ||
		    (end < v->end && (end & (HPAGE_SIZE - 1))))
			return -EINVAL;
	}
	return 0;
}

/*
 * hugetlb_mmap - mmap(2) of a hugetlb file f, or MAP_HUGETLB anonymous
 * memory (f NULL: a new unnamed hugetlb file behind it, as Linux's
 * hugetlb_file_setup).  Length rounds up to huge pages; the address of
 * a fixed mapping and the offset must be aligned (-EINVAL), a free
 * address is aligned; the file's pages to the mapping's end are taken
 * from the pool (-ENOMEM; MAP_NORESERVE maps without them when the pool
 * is short), -EOVERFLOW for an offset whose end passes 2^63, -ENOMEM
 * for a length past the address space.  MAP_HUGETLB with a size umk has
 * not, or on another file: -EINVAL.  Else mm_mmap's result.
 */
long hugetlb_mmap(struct mm *mm, uint64_t addr, uint64_t len, int prot, int flags,
		  struct file *f, uint64_t off)
{
	struct file *anon = NULL;
	long r;

	if (!f && !hugetlb_size_ok(flags))
		return -EINVAL;
	if (f && !tmpfs_file_huge(f))
		return -EINVAL;   /* MAP_HUGETLB on another file */
	if (!len)
		return -EINVAL;
	uint64_t hlen = (len + HPAGE_SIZE - 1) & ~(uint64_t)(HPAGE_SIZE - 1);
	if (hlen < len || hlen > GUEST_TASK_SIZE)
		return -ENOMEM;   /* do_mmap: longer than the address space */
	/* the order of Linux's checks: the fixed address (get_unmapped_area),
	 * then the file's (hugetlbfs_file_mmap: offset, overflow) */
	if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && (addr & (HPAGE_SIZE - 1)))
		return -EINVAL;
	if (f && (off & (HPAGE_SIZE - 1)))
		return -EINVAL;
	if (f && off + hlen > (uint64_t)INT64_MAX)
		return -EOVERFLOW;
	if (!f) {
		r = hugetlb_anon_file(hlen, &anon);
		if (r)
			return r;
		f = anon;
		off = 0;
		flags &= ~MAP_ANONYMOUS;
	}
	if (!(flags & (MAP_FIXED | MAP_FIXED_NOREPLACE))) {
		/* a free range one huge page longer, aligned inside it */
		long a = mm_mmap(mm, 0, hlen + HPAGE_SIZE, PROT_NONE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, NULL, 0);

		if (a < 0) {
			r = a;
			goto out;
		}
		mm_munmap(mm, (uint64_t)a, hlen + HPAGE_SIZE);
		addr = ((uint64_t)a + HPAGE_SIZE - 1) & ~(uint64_t)(HPAGE_SIZE - 1);
		flags |= MAP_FIXED;
	}
	r = tmpfs_huge_reserve(f, off + hlen);
	if (r && !(flags & MAP_NORESERVE))
		goto out;
	/* hugetlbfs_file_mmap: a writable mapping extends the file to its end */
	struct kstat st;
	if ((prot & PROT_WRITE) && f->ops->fstat && !f->ops->fstat(f, &st) &&
	    st.size < off + hlen && (r = f->ops->truncate(f, off + hlen)))
		goto out;
	hugetlb_mapped = true;
	r = mm_mmap(mm, addr, hlen, prot, flags & ~MAP_HUGETLB, f, off);
out:
	file_put(anon);
	return r;
}

/*
 * hugetlb_anon_file - the unnamed hugetlb file of len bytes behind a
 * MAP_HUGETLB mapping or a SHM_HUGETLB segment.  0 or -ENOMEM.
 */
int hugetlb_anon_file(uint64_t len, struct file **out)
{
	int err = tmpfs_anon_file("/anon_hugepage (deleted)", 0600, false, 0, out);

	if (err)
		return err;
	tmpfs_file_make_huge(*out);
	err = (*out)->ops->truncate((*out), len);
	if (err) {
		file_put(*out);
		*out = NULL;
	}
	return err;
}
