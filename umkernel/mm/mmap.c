/*
 * mmap.c - guest address spaces: the VMA list and the operations on it.
 *
 * In a nutshell: guest memory is host memory inside the stub (DESIGN.md
 * decision 2).  The kernel decides every address, asks the platform to
 * make the host mapping (always MAP_FIXED), and keeps its own sorted VMA
 * list for /proc/PID/maps, brk, mremap and argument checks.  Page faults
 * never come here: the host handles them natively.  The stub's reserved
 * region [STUB_START, STUB_END) is not the guest's and cannot be mapped,
 * unmapped or protected.
 *
 * Lock: klock guards every mm and VMA.
 */
#include "../kernel.h"
#include "mm.h"
#include "../fs/fs.h"
#include "../fs/tmpfs.h"
#include "../cgroup/cgroup.h"
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

/* A VMA's reference to its file, with the file's vm_open/vm_close. */
static struct file *vma_file_get(struct file *f)
{
	file_get(f);
	if (f->ops->vm_open)
		f->ops->vm_open(f);
	return f;
}

static void vma_file_put(struct file *f)
{
	if (f->ops->vm_close)
		f->ops->vm_close(f);
	file_put(f);
}

static struct vma *vma_dup(const struct vma *v)
{
	struct vma *n = malloc(sizeof *n);
	*n = *v;
	if (n->file)
		vma_file_get(n->file);
	return n;
}

static void vma_free(struct mm *mm, struct vma *v)
{
	if (mm->vma_hint == v)
		mm->vma_hint = NULL;
	list_del(&v->link);
	if (v->file)
		vma_file_put(v->file);
	free(v);
}

/*
 * vma_lower_bound - the first VMA of mm that ends after addr (Linux's
 * find_vma), or NULL.  The walk starts at mm->vma_hint, the VMA last
 * found, and goes back or on from there (the list is sorted, and so are
 * the VMAs' ends): a program that maps, unmaps and protects near where it
 * last did (most do, and LTP's munmap04 maps 65530 regions one after
 * another) pays a step or two, not a walk of the whole list.
 */
static struct vma *vma_lower_bound(struct mm *mm, uint64_t addr)
{
	struct list_head *head = &mm->vmas, *p = mm->vma_hint ? &mm->vma_hint->link : head->next;

	if (p != head && list_entry(p, struct vma, link)->end > addr) {
		while (p->prev != head && list_entry(p->prev, struct vma, link)->end > addr)
			p = p->prev;
	} else {
		while (p != head && list_entry(p, struct vma, link)->end <= addr)
			p = p->next;
	}
	if (p == head)
		return NULL;
	mm->vma_hint = list_entry(p, struct vma, link);
	return mm->vma_hint;
}

/*
 * mm_commit_range - what mm's VMAs inside [start, end) commit now, and
 * in *acct what of it Linux charges (no VMA_NORESERVE mapping): bytes.
 * Walks only the VMAs there (commit.c's checks on every mmap).
 */
uint64_t mm_commit_range(struct mm *mm, uint64_t start, uint64_t end, uint64_t *acct)
{
	uint64_t sum = 0, charged = 0;

	for (struct vma *v = vma_lower_bound(mm, start); v && v->start < end; v = vma_next(mm, v)) {
		uint64_t s = v->start > start ? v->start : start;
		uint64_t e = v->end < end ? v->end : end;
		uint64_t c = vma_commit_of(v->prot, v->flags, e - s);

		sum += c;
		if (!(v->flags & VMA_NORESERVE))
			charged += c;
	}
	if (acct)
		*acct = charged;
	return sum;
}

static void vma_insert(struct mm *mm, struct vma *nv)
{
	struct vma *v = vma_lower_bound(mm, nv->start);

	/* nv overlaps nothing: v, if any, is the first VMA after it */
	list_add_tail(&nv->link, v ? &v->link : &mm->vmas);
}

struct mm *mm_new(void)
{
	struct mm *mm = calloc(1, sizeof *mm);
	mm->refs = 1;
	list_init(&mm->vmas);
	mm->mmap_top = GUEST_MMAP_TOP;
	return mm;
}

struct mm *mm_fork(struct mm *old)
{
	/* the child commits what the parent does: do_fork checked --memory */
	struct mm *mm = mm_new();
	for_each_vma(old, v) {
		struct vma *n = vma_dup(v);

		n->flags &= ~(VM_LOCKED_ | VM_LOCKONFAULT_);   /* locks stay with the parent */
		/* anon_vma_fork: a private VMA that may hold anonymous pages
		 * (writable, or inherited so) gets an anon_vma of its own */
		static uint64_t anon_fork_seq;
		n->anon_fork = !(v->flags & MAP_SHARED) && ((v->prot & PROT_WRITE) || v->anon_fork) ?
			       ++anon_fork_seq : 0;
		n->anon_fork_held = false;
		list_add_tail(&n->link, &mm->vmas);
	}
	mm->start_brk = old->start_brk;
	mm->brk = old->brk;
	mm->start_stack = old->start_stack;
	mm->arg_start = old->arg_start;
	mm->arg_end = old->arg_end;
	mm->env_start = old->env_start;
	mm->env_end = old->env_end;
	mm->start_code = old->start_code;
	mm->end_code = old->end_code;
	mm->start_data = old->start_data;
	mm->end_data = old->end_data;
	mm->exe = old->exe ? file_get(old->exe) : NULL;
	file_deny_write(mm->exe, false);   /* fs/lease.c: ETXTBSY while it runs */
	memcpy(mm->patch_hits, old->patch_hits, sizeof mm->patch_hits);
	if (old->npatched) {
		mm->patched = malloc(old->npatched * sizeof *mm->patched);
		if (mm->patched) {
			memcpy(mm->patched, old->patched, old->npatched * sizeof *mm->patched);
			mm->npatched = mm->patched_cap = old->npatched;
		}
	}
	memcpy(mm->saved_auxv, old->saved_auxv, sizeof mm->saved_auxv);
	mm->saved_auxv_len = old->saved_auxv_len;
	mm->membarrier_registered = old->membarrier_registered;   /* dup_mm copies the state */
	mm->sealed_any = old->sealed_any;
	mm->uffd = uffd_mm_fork(old);   /* userfaultfd.c */
	mm_commit_sync(mm);
	return mm;
}

static void drop_vmas(struct mm *mm)
{
	for_each_vma(mm, v)
		vma_free(mm, v);
}

void mm_put(struct mm *mm)
{
	if (--mm->refs)
		return;
	aio_mm_release(mm);
	uffd_mm_release(mm);
	drop_vmas(mm);
	mm_commit_release(mm);
	if (mm->exe) {
		file_allow_write(mm->exe);
		file_put(mm->exe);
	}
	free(mm->patched);
	free(mm);
}

#define VMA_NOMAYWRITE 0x20000000 /* shared, of a file not open for writing (no VM_MAYWRITE) */

/* Records the platform's vDSO mappings as VMAs of mm. */
void mm_add_vdso(struct mm *mm)
{
	const struct platform_vdso *v = platform->vdso ? platform->vdso() : NULL;
	if (!v)
		return;
	for (int i = 0; i < v->n; i++) {
		struct vma *n = calloc(1, sizeof *n);
		n->start = v->map[i].start;
		n->end = v->map[i].end;
		n->prot = v->map[i].prot;
		n->flags = MAP_PRIVATE | VMA_SPECIAL;
		snprintf(n->name, sizeof n->name, "%s", v->map[i].name);
		vma_insert(mm, n);
	}
}

/* The vDSO's address if mm still has it mapped, else 0 (no AT_SYSINFO_EHDR). */
uint64_t mm_vdso_base(struct mm *mm)
{
	for_each_vma(mm, v)
		if ((v->flags & VMA_SPECIAL) && !strcmp(v->name, "[vdso]"))
			return v->start;
	return 0;
}

void mm_reset(struct mm *mm)
{
	aio_mm_release(mm);   /* execve: the old image's AIO contexts go */
	mm->membarrier_registered = 0;
	mm->sealed_any = false;
	uffd_mm_release(mm);
	/* unmap everything but the vDSO pages, gap by gap (below
	 * GUEST_MIN_ADDR is the platform's) */
	uint64_t from = GUEST_MIN_ADDR;
	for_each_vma(mm, v) {
		if (!(v->flags & VMA_SPECIAL))
			continue;
		if (v->start > from)
			platform->munmap(current->host, from, v->start - from);
		from = v->end;
	}
	platform->munmap(current->host, from, STUB_START - from);
	for_each_vma(mm, v)
		if (!(v->flags & VMA_SPECIAL))
			vma_free(mm, v);
	if (mm->exe) {
		file_allow_write(mm->exe);
		file_put(mm->exe);
	}
	mm->exe = NULL;
	mm->start_brk = mm->brk = 0;
	mm->mmap_top = GUEST_MMAP_TOP;
	memset(mm->patch_hits, 0, sizeof mm->patch_hits);
	mm->npatched = 0;
	mm_commit_sync(mm);
}

struct vma *mm_find_vma(struct mm *mm, uint64_t addr)
{
	struct vma *v = vma_lower_bound(mm, addr);

	return v && v->start <= addr ? v : NULL;
}

/* Splits so that no VMA straddles addr. */
static void split_at(struct mm *mm, uint64_t addr)
{
	mm_split_at(mm, addr);
}

void mm_split_at(struct mm *mm, uint64_t addr)
{
	struct vma *v = mm_find_vma(mm, addr);
	if (!v || v->start == addr)
		return;
	struct vma *n = vma_dup(v);
	n->start = addr;
	if (n->file || n->shm_id)
		n->pgoff += addr - v->start;
	v->end = addr;
	list_add_tail(&n->link, v->link.next);
}

/* Drops the bookkeeping for [start, end). */
static void vma_remove_range(struct mm *mm, uint64_t start, uint64_t end)
{
	struct vma *v;

	split_at(mm, start);
	split_at(mm, end);
	while ((v = vma_lower_bound(mm, start)) && v->start < end)
		vma_free(mm, v);
	if (mm->uffd)
		uffd_unmap(mm, start, end);
}

static bool range_free(struct mm *mm, uint64_t start, uint64_t end)
{
	struct vma *v = vma_lower_bound(mm, start);

	return !v || v->start >= end;
}

/* Merges v with its neighbours where nothing distinguishes them. */
static void vma_merge(struct mm *mm)
{
	mm_merge(mm);
}

/* Whether a VMA a child inherited over fork (anon_fork) still holds
 * pages it may share with its parent's anon_vma: Linux's
 * vma_had_uncowed_parents.  Asked once, the first time it keeps a merge
 * from happening: one with no page had no anon_vma to inherit (the parent
 * never wrote it; fork copied no page table), so it is an ordinary VMA
 * from then on. */
static bool anon_fork_held(struct mm *mm, struct vma *v)
{
	if (!v->anon_fork || v->anon_fork_held)
		return v->anon_fork != 0;
	if (current && current->mm == mm && !mm_range_has_pages(current, v->start, v->end))
		v->anon_fork = 0;
	else
		v->anon_fork_held = true;
	return v->anon_fork != 0;
}

/* Whether n, v's successor, can join v: adjacent, and nothing tells them
 * apart (anon_vma: is_mergeable_anon_vma's rules after fork). */
static bool vma_mergeable(struct mm *mm, struct vma *v, struct vma *n)
{
	return n && v->end == n->start && v->prot == n->prot && v->flags == n->flags &&
	       v->file == n->file && v->shm_id == n->shm_id && !strcmp(v->name, n->name) &&
	       v->mpol_mode == n->mpol_mode && v->mpol_nodes == n->mpol_nodes &&
	       !(v->file && v->file->ops->vm_close) &&
	       ((!v->file && !v->shm_id) || v->pgoff + (v->end - v->start) == n->pgoff) &&
	       (v->anon_fork == n->anon_fork ||
		(anon_fork_held(mm, v), anon_fork_held(mm, n), v->anon_fork == n->anon_fork));
}

void mm_merge(struct mm *mm)
{
	struct vma *v = vma_first(mm);

	while (v) {
		struct vma *n = vma_next(mm, v);

		if (vma_mergeable(mm, v, n)) {
			v->end = n->end;    /* and v may join its new successor too */
			vma_free(mm, n);
		} else {
			v = n;
		}
	}
}

/* mm_merge for the boundaries in [start, end] alone: after a change to
 * that range, the only VMAs that may have become mergeable. */
static void vma_merge_range(struct mm *mm, uint64_t start, uint64_t end)
{
	struct vma *v = vma_lower_bound(mm, start ? start - 1 : 0);

	while (v && v->end <= end) {
		struct vma *n = vma_next(mm, v);

		if (vma_mergeable(mm, v, n)) {
			v->end = n->end;
			vma_free(mm, n);
		} else {
			v = n;
		}
	}
}

/* Top-down search for a free range of len bytes below mmap_top: the
 * VMAs from the highest down (the list is sorted by start), as many as
 * there are (Linux allows vm.max_map_count, 65530). */
static uint64_t find_free(struct mm *mm, uint64_t len)
{
	uint64_t top = mm->mmap_top;
	struct list_head *p;

	for (p = mm->vmas.prev; p != &mm->vmas; p = p->prev) {
		struct vma *v = list_entry(p, struct vma, link);

		if (v->start >= top)
			continue;
		if (v->end <= top && top - v->end >= len)
			return top - len;
		top = v->start;
	}
	if (top >= GUEST_MIN_ADDR + len)
		return top - len;
	return 0;
}

static bool valid_range(uint64_t addr, uint64_t len)
{
	return addr + len >= addr && addr + len <= STUB_START;
}

/* A stack VMA (Linux's VM_STACK): not data, and not counted against
 * RLIMIT_AS here, as umk maps the whole 8 MiB that Linux grows into. */
static bool vma_is_stack(const struct vma *v)
{
	return (v->flags & MAP_GROWSDOWN) || !strcmp(v->name, "[stack]");
}

/*
 * may_expand_vm - whether the calling process's RLIMIT_AS and RLIMIT_DATA
 * let mm map [start, end) (replacing what is mapped there) with the given
 * prot and MAP_* type: the address space's size (Linux's total_vm), and
 * for a private writable mapping the data size (data_vm), may not pass
 * them.  RLIMIT_DATA 0 lets data grow up to its hard limit, as Linux.
 * Mirrors mm/mmap.c may_expand_vm and is_data_mapping.
 */
static bool may_expand_vm(struct mm *mm, uint64_t start, uint64_t end, int prot, int type)
{
	if (!current || !current->tg)
		return true;
	const struct linux_rlimit *as = &current->tg->rlim[RLIMIT_AS];
	const struct linux_rlimit *data = &current->tg->rlim[RLIMIT_DATA];
	bool is_data = (prot & PROT_WRITE) && type == MAP_PRIVATE;
	if (as->rlim_cur == LINUX_RLIM_INFINITY && (!is_data || data->rlim_cur == LINUX_RLIM_INFINITY))
		return true;
	uint64_t total = 0, datasz = 0;
	for_each_vma(mm, v) {
		uint64_t lo = v->start > start ? v->start : start, hi = v->end < end ? v->end : end;
		uint64_t len = (v->end - v->start) - (lo < hi ? hi - lo : 0);
		if (vma_is_stack(v))
			continue;
		total += len;
		if ((v->prot & PROT_WRITE) && (v->flags & MAP_TYPE) == MAP_PRIVATE)
			datasz += len;
	}
	uint64_t add = end - start;
	if (as->rlim_cur != LINUX_RLIM_INFINITY && total + add > as->rlim_cur)
		return false;
	if (is_data && data->rlim_cur != LINUX_RLIM_INFINITY && datasz + add > data->rlim_cur &&
	    !(data->rlim_cur == 0 && datasz + add <= data->rlim_max))
		return false;
	return true;
}

/*
 * mm_mmap - mmap(2).  f: the file for a file mapping (NULL for anonymous).
 * Returns the address or -EINVAL (bad alignment/length/flags), -ENOMEM
 * (no room, or a fixed range over the reserved region), -EEXIST
 * (MAP_FIXED_NOREPLACE), -EACCES, -ENODEV (file cannot be mapped).
 * Mirrors mm/mmap.c do_mmap.
 */
long mm_mmap(struct mm *mm, uint64_t addr, uint64_t len, int prot, int flags,
	     struct file *f, uint64_t off)
{
	if (!len)
		return -EINVAL;
	uint64_t plen = PAGE_ALIGN(len);
	if (!plen || plen < len)
		return -ENOMEM;
	if (off & (GUEST_PAGE_SIZE - 1))
		return -EINVAL;
	int type = flags & MAP_TYPE;
	/* Linux's do_mmap: MAP_SHARED_VALIDATE refuses flags outside
	 * LEGACY_MAP_MASK for files (EOPNOTSUPP; no MAP_SYNC: no DAX file
	 * here) and is no type for anonymous memory; MAP_DROPPABLE
	 * (anonymous only) is private memory the kernel may drop: a memory
	 * cgroup over its memory.max does (cgroup/memcontrol.c) */
	const int legacy_mask = MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE |
				MAP_EXECUTABLE | 0x4000000 /* MAP_UNINITIALIZED */ | MAP_GROWSDOWN |
				MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK |
				MAP_HUGETLB | (int)0xfc000000 /* MAP_HUGE_* sizes */;
	if (type == MAP_SHARED_VALIDATE && !(flags & MAP_ANONYMOUS) && (flags & ~legacy_mask))
		return -EOPNOTSUPP;
	bool droppable = type == 0x08 /* MAP_DROPPABLE */ && (flags & MAP_ANONYMOUS);
	if (droppable)
		type = MAP_PRIVATE;   /* marked VM_DROPPABLE_: memcontrol.c drops it under pressure */
	if (type != MAP_SHARED && type != MAP_PRIVATE &&
	    !(type == MAP_SHARED_VALIDATE && !(flags & MAP_ANONYMOUS)))
		return -EINVAL;
	if (type == MAP_SHARED_VALIDATE)
		type = MAP_SHARED;
	/* a shared mapping of a file not open for writing can never be
	 * made writable (Linux clears VM_MAYWRITE) */
	bool nomaywrite = type == MAP_SHARED && !(flags & MAP_ANONYMOUS) && f &&
			  (f->flags & O_ACCMODE) != O_RDWR;
	int hostfd = -1;
	bool dev_zero = false;
	if (!(flags & MAP_ANONYMOUS)) {
		if (!f)
			return -EBADF;
		if ((f->flags & O_ACCMODE) == O_WRONLY)
			return -EACCES;
		if (type == MAP_SHARED && (prot & PROT_WRITE) && (f->flags & O_ACCMODE) != O_RDWR)
			return -EACCES;
		if (file_is_dev_zero(f)) {
			/* Linux's mmap_zero: anonymous memory, shared or private */
			dev_zero = true;
			flags |= MAP_ANONYMOUS;
			f = NULL;
			off = 0;
		} else if (!f->ops->host_fd || (hostfd = f->ops->host_fd(f)) < 0) {
			return -ENODEV;
		}
	}
	/* do_mmap: a noexec mount's file is never mapped executable, now
	 * (EPERM) or by a later mprotect (no VM_MAYEXEC: EACCES); then the
	 * file's own mmap may refuse or mark the mapping (secretmem) */
	int vflags = 0;
	if (f && f->mnt && (f->mnt->mflags & MS_NOEXEC)) {
		if (prot & PROT_EXEC)
			return -EPERM;
		vflags |= VMA_NOMAYEXEC;
	}
	if (f && f->ops->mmap_prepare) {
		int err = f->ops->mmap_prepare(f, type, prot, plen, &vflags);
		if (err)
			return err;
	}
	bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	if (fixed) {
		if (addr & (GUEST_PAGE_SIZE - 1))
			return -EINVAL;
		if (!valid_range(addr, plen))
			return -ENOMEM;
		if (addr < GUEST_MIN_ADDR)
			return -EPERM;
		if ((flags & MAP_FIXED_NOREPLACE) && !(flags & MAP_FIXED) &&
		    !range_free(mm, addr, addr + plen))
			return -EEXIST;
		if (mm_range_sealed(mm, addr, addr + plen))
			return -EPERM;   /* mseal: a sealed mapping is not replaced */
	} else {
		addr &= ~(GUEST_PAGE_SIZE - 1);
		if (!addr || addr < GUEST_MIN_ADDR || !valid_range(addr, plen) ||
		    !range_free(mm, addr, addr + plen))
			addr = find_free(mm, plen);
		if (!addr)
			return -ENOMEM;
	}
	if (!(flags & MAP_GROWSDOWN) && !may_expand_vm(mm, addr, addr + plen, prot, type))
		return -ENOMEM;
	/* what the new mapping commits, less what it replaces (commit.c:
	 * --memory, vm.overcommit_memory); MAP_NORESERVE leaves it
	 * uncharged but in strict mode (Linux's VM_NORESERVE) */
	bool noreserve = (flags & MAP_NORESERVE) && sysctl_overcommit_memory != 2;
	uint64_t was_acct, was = mm_commit_range(mm, addr, addr + plen, &was_acct);
	uint64_t now = vma_commit_of(prot, type | (flags & MAP_ANONYMOUS), plen);
	if (vm_commit_check((int64_t)now - (int64_t)was, noreserve ? 0 : (int64_t)now - (int64_t)was_acct))
		return -ENOMEM;
	/* umk accounts the guest's memory itself: the host is not to
	 * refuse what the guest's policy allows (MAP_NORESERVE) */
	int hflags = type | MAP_FIXED | MAP_NORESERVE | (flags & (MAP_ANONYMOUS | MAP_POPULATE));
	/* MAP_POPULATE is a hint: an anonymous mapping that commits nothing
	 * (read-only) would only fill host page tables with the zero page,
	 * unbounded by --memory */
	if ((flags & MAP_ANONYMOUS) && !vma_commit_of(prot, type | MAP_ANONYMOUS, plen))
		hflags &= ~MAP_POPULATE;
	int lock = mm->def_lock | ((flags & MAP_LOCKED) ? VM_LOCKED_ : 0);
	if ((lock & VM_LOCKED_) && !(lock & VM_LOCKONFAULT_))
		hflags |= MAP_POPULATE;   /* a locked mapping is faulted in */
	long r = platform->mmap(current->host, addr, plen, prot, hflags, hostfd, off);
	if (r < 0)
		return r;
	vma_remove_range(mm, addr, addr + plen);
	struct vma *v = calloc(1, sizeof *v);
	v->start = addr;
	v->end = addr + plen;
	v->prot = prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
	v->flags = type | (flags & (MAP_ANONYMOUS | MAP_GROWSDOWN)) | lock | (nomaywrite ? VMA_NOMAYWRITE : 0) |
		   (droppable ? VM_DROPPABLE_ : 0) | (noreserve ? VMA_NORESERVE : 0) | vflags;
	if (!(flags & MAP_ANONYMOUS)) {
		v->file = vma_file_get(f);
		v->pgoff = off;
		if (hflags & MAP_POPULATE)
			pcache_willneed(current, f, off, plen);   /* populate_vma_page_range reads it in */
	} else if (type == MAP_SHARED) {
		static uint64_t next_shm_id;
		v->shm_id = ++next_shm_id;
	} else if (dev_zero) {
		strcpy(v->name, "/dev/zero");
	}
	vma_insert(mm, v);
	vma_merge_range(mm, addr, addr + plen);
	mm_commit_sync(mm);
	return (long)addr;
}

int mm_munmap(struct mm *mm, uint64_t addr, uint64_t len)
{
	if ((addr & (GUEST_PAGE_SIZE - 1)) || !len)
		return -EINVAL;
	uint64_t plen = PAGE_ALIGN(len);
	if (!plen || addr + plen < addr || addr + plen > GUEST_TASK_SIZE)
		return -EINVAL;
	if (addr + plen > STUB_START)
		return -EINVAL;   /* the stub region is not the guest's */
	if (addr < GUEST_MIN_ADDR) {
		/* nothing of the guest's is mapped there (the platform's is) */
		if (addr + plen <= GUEST_MIN_ADDR)
			return 0;
		plen -= GUEST_MIN_ADDR - addr;
		addr = GUEST_MIN_ADDR;
	}
	if (mm_range_sealed(mm, addr, addr + plen))
		return -EPERM;
	int r = platform->munmap(current->host, addr, plen);
	if (r < 0)
		return r;
	vma_remove_range(mm, addr, addr + plen);
	mm_commit_sync(mm);
	return 0;
}

int mm_mprotect(struct mm *mm, uint64_t addr, uint64_t len, int prot)
{
	if (addr & (GUEST_PAGE_SIZE - 1))
		return -EINVAL;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if (!len)
		return 0;
	uint64_t plen = PAGE_ALIGN(len);
	if (!plen || addr + plen < addr)
		return -ENOMEM;
	if (addr + plen > STUB_START)
		return -ENOMEM;
	/* every page must be mapped */
	uint64_t cur = addr;
	for (struct vma *v = vma_lower_bound(mm, addr); v; v = vma_next(mm, v)) {
		if (v->start > cur)
			break;
		cur = v->end;
		if (cur >= addr + plen)
			break;
	}
	if (cur < addr + plen)
		return -ENOMEM;
	if (mm_range_sealed(mm, addr, addr + plen))
		return -EPERM;
	prot &= PROT_READ | PROT_WRITE | PROT_EXEC;
	for (struct vma *v = vma_lower_bound(mm, addr); v && v->start < addr + plen;
	     v = vma_next(mm, v)) {
		if ((prot & PROT_WRITE) && (v->flags & MAP_TYPE) == MAP_SHARED &&
		    ((v->flags & VMA_NOMAYWRITE) || (v->file && (v->file->flags & O_ACCMODE) != O_RDWR)))
			return -EACCES;
		if ((prot & PROT_EXEC) && (v->flags & VMA_NOMAYEXEC))
			return -EACCES;
	}
	/* private pages made writable commit (commit.c), those of a
	 * MAP_NORESERVE mapping uncharged but in strict mode */
	uint64_t was_acct, was = mm_commit_range(mm, addr, addr + plen, &was_acct), now = 0, now_acct = 0;
	for (struct vma *v = vma_lower_bound(mm, addr); v && v->start < addr + plen; v = vma_next(mm, v)) {
		uint64_t s = v->start > addr ? v->start : addr;
		uint64_t e = v->end < addr + plen ? v->end : addr + plen;
		uint64_t c = vma_commit_of(prot, v->flags, e - s);

		now += c;
		if (!(v->flags & VMA_NORESERVE))
			now_acct += c;
	}
	if (vm_commit_check((int64_t)now - (int64_t)was, (int64_t)now_acct - (int64_t)was_acct))
		return -ENOMEM;
	int r = platform->mprotect(current->host, addr, plen, prot);
	if (r < 0)
		return r;
	split_at(mm, addr);
	split_at(mm, addr + plen);
	for (struct vma *v = vma_lower_bound(mm, addr); v && v->start < addr + plen;
	     v = vma_next(mm, v))
		v->prot = prot;
	vma_merge_range(mm, addr, addr + plen);
	mm_commit_sync(mm);
	if (mm->uffd)
		uffd_reprotect(mm, addr, addr + plen);   /* trapped pages keep their trap */
	return 0;
}

/*
 * vma_place_copy - maps a copy of tmpl at [start, start+len), replacing
 * the VMAs there (mremap's move and mm_dup_shared).  The copy takes over
 * the file reference the caller took while tmpl's own VMA still held one
 * (the ranges removed may include that VMA).
 */
static void vma_place_copy(struct mm *mm, const struct vma *tmpl, uint64_t start, uint64_t len)
{
	struct vma *n = calloc(1, sizeof *n);

	vma_remove_range(mm, start, start + len);
	*n = *tmpl;
	n->start = start;
	n->end = start + len;
	vma_insert(mm, n);
}

/*
 * mm_dup_shared - mremap(old, 0, newlen, flags, newaddr): a second mapping
 * of the pages of the shared mapping v from old on (the same file or
 * shared anonymous object, from the same offset), newlen bytes, at
 * newaddr (MREMAP_FIXED: what was there goes) or anywhere (MAYMOVE).
 * The host duplicates its own shared mapping the same way.  Returns the
 * new address; -EINVAL for a private mapping or DONTUNMAP, -ENOMEM
 * without MREMAP_MAYMOVE (nothing to grow in place) or no room.  As
 * Linux's mremap with old_len 0.
 */
long mm_dup_shared(struct mm *mm, struct vma *v, uint64_t old, uint64_t newlen, int flags, uint64_t newaddr)
{
	if ((v->flags & MAP_TYPE) != MAP_SHARED || (flags & MREMAP_DONTUNMAP) || (v->flags & VMA_SPECIAL))
		return -EINVAL;
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	if (!may_expand_vm(mm, GUEST_TASK_SIZE, GUEST_TASK_SIZE + newlen, v->prot, MAP_SHARED))
		return -ENOMEM;
	if (flags & MREMAP_FIXED) {
		if ((newaddr & (GUEST_PAGE_SIZE - 1)) || !valid_range(newaddr, newlen))
			return -EINVAL;
		if (newaddr < old && newaddr + newlen > old)
			return -EINVAL;
	} else {
		newaddr = find_free(mm, newlen);
		if (!newaddr)
			return -ENOMEM;
	}
	struct vma tmpl = *v;
	long r = platform->mremap(current->host, old, 0, newlen, MREMAP_MAYMOVE | MREMAP_FIXED, newaddr);
	if (r < 0)
		return r;
	if (mm->uffd)
		uffd_zap(mm, newaddr, newaddr + newlen);
	/* v may go with the range below (a fixed target over the source):
	 * only tmpl is used from here, and its file is held first */
	if (tmpl.file)
		vma_file_get(tmpl.file);
	tmpl.pgoff += old - tmpl.start;
	tmpl.flags &= ~(VM_LOCKED_ | VM_LOCKONFAULT_);
	vma_place_copy(mm, &tmpl, newaddr, newlen);
	vma_merge(mm);
	mm_commit_sync(mm);
	return (long)newaddr;
}

/*
 * mm_mremap - mremap(2) with MREMAP_MAYMOVE / MREMAP_FIXED.  Returns the
 * new address or -EINVAL, -ENOMEM (cannot grow in place without MAYMOVE),
 * -EFAULT (old range not one mapping).  Mirrors mm/mremap.c.
 */
long mm_mremap(struct mm *mm, uint64_t old, uint64_t oldlen, uint64_t newlen, int flags,
	       uint64_t newaddr)
{
	if (old & (GUEST_PAGE_SIZE - 1))
		return -EINVAL;
	if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	oldlen = PAGE_ALIGN(oldlen);
	newlen = PAGE_ALIGN(newlen);
	/* MREMAP_DONTUNMAP: move the pages, keep the old mapping (empty
	 * for private anonymous memory, the file's pages otherwise) */
	bool dontunmap = flags & MREMAP_DONTUNMAP;
	if (dontunmap && (!(flags & MREMAP_MAYMOVE) || oldlen != newlen))
		return -EINVAL;
	if (!newlen)
		return -EINVAL;
	/* mseal: neither the source nor a fixed target may be sealed */
	if (mm_range_sealed(mm, old, old + (oldlen ? oldlen : GUEST_PAGE_SIZE)) ||
	    ((flags & MREMAP_FIXED) && newaddr + newlen > newaddr && mm_range_sealed(mm, newaddr, newaddr + newlen)))
		return -EPERM;
	struct vma *v = mm_find_vma(mm, old);
	if (!v || old + oldlen > v->end)
		return -EFAULT;
	if (oldlen == 0)
		return mm_dup_shared(mm, v, old, newlen, flags, newaddr);
	if (dontunmap && (v->flags & VMA_SPECIAL))
		return -EINVAL;   /* VM_DONTEXPAND */
	/* (a range past every VMA: oldlen bytes more, none replaced) */
	if (dontunmap && ((!vma_is_stack(v) && !may_expand_vm(mm, GUEST_TASK_SIZE, GUEST_TASK_SIZE + oldlen,
							      v->prot, v->flags & MAP_TYPE)) ||
			  vm_commit_check((int64_t)vma_commit_of(v->prot, v->flags, oldlen),
					  (v->flags & VMA_NORESERVE) ? 0 : (int64_t)vma_commit_of(v->prot, v->flags, oldlen))))
		return -ENOMEM;   /* the old mapping stays: the new one is more */
	/* growth is checked against RLIMIT_AS/DATA (vma_to_resize); a fixed
	 * target's old contents go first */
	if (newlen > oldlen && !vma_is_stack(v) &&
	    !((flags & MREMAP_FIXED) ?
		      may_expand_vm(mm, newaddr, newaddr + newlen - oldlen, v->prot, v->flags & MAP_TYPE) :
		      may_expand_vm(mm, old + oldlen, old + newlen, v->prot, v->flags & MAP_TYPE)))
		return -ENOMEM;
	/* the growth commits as the mapping does (commit.c) */
	int64_t grow = newlen > oldlen ? (int64_t)vma_commit_of(v->prot, v->flags, newlen - oldlen) : 0;
	if (vm_commit_check(grow, (v->flags & VMA_NORESERVE) ? 0 : grow))
		return -ENOMEM;
	if (flags & MREMAP_FIXED) {
		if ((newaddr & (GUEST_PAGE_SIZE - 1)) || !valid_range(newaddr, newlen))
			return -EINVAL;
		if (newaddr < old + oldlen && newaddr + newlen > old)
			return -EINVAL;
	} else if (dontunmap) {
		/* new_addr is a hint then, and must be aligned */
		if (newaddr & (GUEST_PAGE_SIZE - 1))
			return -EINVAL;
		if (!newaddr || newaddr < GUEST_MIN_ADDR || !valid_range(newaddr, newlen) ||
		    !range_free(mm, newaddr, newaddr + newlen))
			newaddr = find_free(mm, newlen);
		if (!newaddr)
			return -ENOMEM;
	} else if (newlen <= oldlen) {
		if (newlen < oldlen) {
			int r = mm_munmap(mm, old + newlen, oldlen - newlen);
			if (r)
				return r;
		}
		return (long)old;
	} else if (range_free(mm, old + oldlen, old + newlen) && valid_range(old, newlen)) {
		long r = platform->mremap(current->host, old, oldlen, newlen, 0, 0);
		if (r < 0)
			return r;
		split_at(mm, old);
		split_at(mm, old + oldlen);
		struct vma *g = mm_find_vma(mm, old);
		g->end = old + newlen;
		vma_merge(mm);
		mm_commit_sync(mm);
		return (long)old;
	} else if (!(flags & MREMAP_MAYMOVE)) {
		return -ENOMEM;
	} else {
		newaddr = find_free(mm, newlen);
		if (!newaddr)
			return -ENOMEM;
	}
	if (mm->uffd)
		uffd_mremap(mm, old, old + oldlen, dontunmap);
	long r = platform->mremap(current->host, old, oldlen, newlen,
				  MREMAP_MAYMOVE | MREMAP_FIXED | (dontunmap ? MREMAP_DONTUNMAP : 0), newaddr);
	if (r < 0)
		return r;
	split_at(mm, old);
	split_at(mm, old + oldlen);
	struct vma tmpl = *mm_find_vma(mm, old);

	if (tmpl.file)              /* held before the old VMAs go */
		vma_file_get(tmpl.file);
	if (dontunmap) {
		/* the old mapping stays, without its locks (vm_flags_clear VM_LOCKED_MASK) */
		for_each_vma(mm, o)
			if (o->start >= old && o->end <= old + oldlen)
				o->flags &= ~(VM_LOCKED_ | VM_LOCKONFAULT_);
		if (mm->uffd)
			uffd_zap(mm, old, old + oldlen);   /* its pages are missing now */
	} else {
		vma_remove_range(mm, old, old + oldlen);
	}
	vma_place_copy(mm, &tmpl, newaddr, newlen);
	vma_merge(mm);
	mm_commit_sync(mm);
	return (long)newaddr;
}

/* brk(2): returns the new break, or the old one if it cannot move. */
long mm_brk(struct mm *mm, uint64_t brk)
{
	if (brk < mm->start_brk)
		return (long)mm->brk;
	uint64_t oldend = PAGE_ALIGN(mm->brk), newend = PAGE_ALIGN(brk);
	/* RLIMIT_DATA bounds the heap plus the data segment
	 * (check_data_rlimit), RLIMIT_AS/DATA its pages (do_brk_flags) */
	uint64_t dlim = current && current->tg ? current->tg->rlim[RLIMIT_DATA].rlim_cur :
						 LINUX_RLIM_INFINITY;
	if (newend > oldend && dlim != LINUX_RLIM_INFINITY &&
	    (brk - mm->start_brk) + (mm->end_data - mm->start_data) > dlim)
		return (long)mm->brk;
	if (newend > oldend) {
		if (!range_free(mm, oldend, newend) || !valid_range(oldend, newend - oldend) ||
		    newend > mm->mmap_top ||
		    !may_expand_vm(mm, oldend, newend, PROT_READ | PROT_WRITE, MAP_PRIVATE) ||
		    vm_commit_check((int64_t)(newend - oldend), (int64_t)(newend - oldend)))
			return (long)mm->brk;
		long r = platform->mmap(current->host, oldend, newend - oldend, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		if (r < 0)
			return (long)mm->brk;
		struct vma *v = calloc(1, sizeof *v);
		v->start = oldend;
		v->end = newend;
		v->prot = PROT_READ | PROT_WRITE;
		v->flags = MAP_PRIVATE | MAP_ANONYMOUS | mm->def_lock;
		strcpy(v->name, "[heap]");
		vma_insert(mm, v);
		vma_merge(mm);
	} else if (newend < oldend) {
		if (platform->munmap(current->host, newend, oldend - newend) < 0)
			return (long)mm->brk;
		vma_remove_range(mm, newend, oldend);
	}
	mm_commit_sync(mm);
	mm->brk = brk;
	return (long)brk;
}

int mm_fault_check(struct mm *mm, uint64_t addr)
{
	struct vma *v = mm_find_vma(mm, addr);
	if (!v || v->prot == PROT_NONE)
		return -EFAULT;
	struct kstat st;
	if (v->file && v->file->ops && v->file->ops->fstat && !v->file->ops->fstat(v->file, &st) &&
	    S_ISREG(st.mode) && v->pgoff + ((addr - v->start) & ~(uint64_t)(GUEST_PAGE_SIZE - 1)) >= st.size)
		return -EFAULT;   /* the page fault would be SIGBUS */
	return 0;
}

#define STACK_GUARD_GAP (256UL * GUEST_PAGE_SIZE)   /* Linux's stack_guard_gap */

int mm_expand_stack(struct mm *mm, uint64_t addr, uint64_t limit)
{
	struct vma *v = NULL, *prev = NULL;
	for_each_vma(mm, x) {
		if (x->start > addr) {
			v = x;
			break;
		}
		prev = x;
	}
	if (!v || !(v->flags & MAP_GROWSDOWN) || v->file || v->shm_id || addr < GUEST_MIN_ADDR)
		return -EFAULT;
	if (prev && prev->end > addr)
		return -EFAULT;   /* addr is mapped: not a growth */
	uint64_t start = addr & ~(uint64_t)(GUEST_PAGE_SIZE - 1);
	if (v->end - start > limit)
		return -ENOMEM;
	/* expand_downwards: keep the guard gap to an accessible mapping below */
	if (prev && !(prev->flags & MAP_GROWSDOWN) && prev->prot != PROT_NONE &&
	    start - prev->end < STACK_GUARD_GAP)
		return -ENOMEM;
	int prot = v->prot, flags = v->flags;
	char name[sizeof v->name];
	memcpy(name, v->name, sizeof name);
	int mode = v->mpol_mode;
	uint64_t nodes = v->mpol_nodes;
	uint64_t vstart = v->start;
	long r = mm_mmap(mm, start, v->start - start, prot,
			 (flags & MAP_TYPE) | MAP_ANONYMOUS | MAP_FIXED | MAP_GROWSDOWN, NULL, 0);
	if (r < 0)
		return (int)r;
	struct vma *n = mm_find_vma(mm, start);
	if (n) {
		n->flags |= flags & (VM_LOCKED_ | VM_LOCKONFAULT_ | VM_DONTDUMP_);
		memcpy(n->name, name, sizeof n->name);
		n->mpol_mode = mode;
		n->mpol_nodes = nodes;
		/* the stack grew: one VMA to Linux (expand_downwards), so the
		 * piece shares the stack's anon_vma identity across fork */
		struct vma *old = n->end == vstart ? mm_find_vma(mm, vstart) : NULL;
		if (old) {
			n->anon_fork = old->anon_fork;
			n->anon_fork_held = old->anon_fork_held;
		}
	}
	mm_merge(mm);
	return 0;
}

int mm_shared_key(struct mm *mm, uint64_t addr, uint64_t key[3])
{
	struct vma *v = mm_find_vma(mm, addr);
	if (!v)
		return -EFAULT;
	if ((v->flags & MAP_TYPE) != MAP_SHARED)
		return -EINVAL;
	uint64_t off = v->pgoff + (addr - v->start);
	if (v->shm_id) {
		key[0] = 1;
		key[1] = v->shm_id;
		key[2] = off;
		return 0;
	}
	struct kstat st;
	if (!v->file || !v->file->ops->fstat || v->file->ops->fstat(v->file, &st))
		return -EINVAL;
	key[0] = 2 + st.dev;   /* the inode, whichever open file maps it */
	key[1] = st.ino;
	key[2] = off;
	return 0;
}

int mm_print_maps(struct mm *mm, char *buf, size_t len)
{
	size_t off = 0;
	for_each_vma(mm, v) {
		const char *name = v->name;
		if (!*name && v->file && v->file->path)
			name = v->file->path;
		char line[4200];
		struct kstat st = { 0 };
		/* the mapped file's device and inode, as lsof and perf match them */
		if (v->file && v->file->ops && v->file->ops->fstat && v->file->ops->fstat(v->file, &st))
			memset(&st, 0, sizeof st);
		if (!*name && !v->file && v->shm_id) {
			/* shared anonymous memory is a shmem file of Linux's */
			name = "/dev/zero (deleted)";
			st.dev = makedev(0, 1);
			st.ino = v->shm_id;
		}
		int n = snprintf(line, sizeof line, "%08lx-%08lx %c%c%c%c %08lx %02x:%02x %lu",
				 (unsigned long)v->start, (unsigned long)v->end,
				 v->prot & PROT_READ ? 'r' : '-', v->prot & PROT_WRITE ? 'w' : '-',
				 v->prot & PROT_EXEC ? 'x' : '-',
				 (v->flags & MAP_TYPE) == MAP_SHARED ? 's' : 'p',
				 (unsigned long)v->pgoff, major(st.dev), minor(st.dev), (unsigned long)st.ino);
		if (*name) /* seq_pad to 72 columns, as fs/proc/task_mmu.c */
			n += snprintf(line + n, sizeof line - n, "%*s %s", n < 72 ? 72 - n : 0, "", name);
		line[n++] = '\n';
		if (off + n > len)
			break;
		memcpy(buf + off, line, n);
		off += n;
	}
	/* the stub's region, not the guest's: named, so that an umk running
	 * in this guest puts its own stubs elsewhere (tracer/host.c) */
	char line[128];
	int n = snprintf(line, sizeof line, "%08lx-%08lx ---p 00000000 00:00 0", (unsigned long)STUB_START,
			 (unsigned long)STUB_END);
	n += snprintf(line + n, sizeof line - n, "%*s [umk-stub]\n", n < 72 ? 72 - n : 0, "");
	if (off + n <= len) {
		memcpy(buf + off, line, n);
		off += n;
	}
	return (int)off;
}

/* ---- syscalls ---- */

long sys_brk(struct task *t, struct sysargs *a)
{
	long r = mm_brk(t->mm, arg_ptr(a, 0));
	mem_cgroup_check(t);   /* memory.max (cgroup/memcontrol.c) */
	return r;
}

long sys_mmap(struct task *t, struct sysargs *a)
{
	int flags = arg_int(a, 3);
	struct file *f = NULL;
	if (!(flags & MAP_ANONYMOUS)) {
		f = fd_get(t, arg_int(a, 4));
		if (!f || (f->flags & O_PATH)) {   /* fget() does not see O_PATH files */
			file_put(f);
			return -EBADF;
		}
	}
	long r;
	/* vm_mmap_pgoff's fsnotify_mmap_perm: pre-content watchers first */
	if (f && (r = fsnotify_pre_access(f, a->a[5], a->a[1]))) {
		file_put(f);
		return r;
	}
	if ((flags & MAP_HUGETLB) || (f && tmpfs_file_huge(f)))   /* huge pages: hugetlb.c */
		r = hugetlb_mmap(t->mm, arg_ptr(a, 0), a->a[1], arg_int(a, 2), flags, f, a->a[5]);
	else
		r = mm_mmap(t->mm, arg_ptr(a, 0), a->a[1], arg_int(a, 2), flags, f, a->a[5]);
	if (f)
		file_put(f);
	if (r >= 0)
		mem_cgroup_check(t);   /* memory.max (cgroup/memcontrol.c) */
	return r;
}

long sys_munmap(struct task *t, struct sysargs *a)
{
	int err = hugetlb_split_check(t->mm, arg_ptr(a, 0), a->a[1]);
	return err ? err : mm_munmap(t->mm, arg_ptr(a, 0), a->a[1]);
}

long sys_mprotect(struct task *t, struct sysargs *a)
{
	int err = hugetlb_split_check(t->mm, arg_ptr(a, 0), a->a[1]);
	return err ? err : mm_mprotect(t->mm, arg_ptr(a, 0), a->a[1], arg_int(a, 2));
}

long sys_mremap(struct task *t, struct sysargs *a)
{
	return mm_mremap(t->mm, arg_ptr(a, 0), a->a[1], a->a[2], arg_int(a, 3), a->a[4]);
}

/*
 * mm_madvise - madvise(addr, len, advice) on mm, whose pages host (the
 * caller's own host thread, in mm's host process) touches; host NULL: mm
 * is another process's (process_madvise), and only the hints MADV_COLD,
 * MADV_PAGEOUT and MADV_WILLNEED are taken (-EINVAL otherwise).
 * (mm/madvise.c): advice on [addr, addr+len)
 * (len rounded up to pages).  MADV_DONTNEED and MADV_FREE drop the pages
 * (the host's MADV_DONTNEED: the next touch reads zeros or the file);
 * MADV_WILLNEED, MADV_POPULATE_READ/WRITE fault in on the host;
 * MADV_DONTDUMP/DODUMP mark the VMAs for core dumps; MADV_GUARD_INSTALL/
 * REMOVE become the host's guard regions in the stub (EINVAL where the
 * host kernel predates them); the
 * others are accepted as hints (WILLNEED on anonymous memory too, as a
 * kernel with swap answers it).  Errors as Linux: -EINVAL (unaligned
 * addr, wrapping range, unknown advice; DONTNEED/FREE on a locked
 * mapping, FREE on a non-anonymous one), -ENOMEM (a hole in the range: the mapped parts still
 * get the advice), -EFAULT (POPULATE_* where the protection forbids it).
 */
int mm_madvise(struct mm *mm, struct host_thread *host, uint64_t addr, uint64_t len, int advice)
{
	if (addr & (GUEST_PAGE_SIZE - 1))
		return -EINVAL;
	uint64_t plen = PAGE_ALIGN(len);
	if ((len && !plen) || addr + plen < addr || addr + plen > STUB_START)
		return -EINVAL;
	switch (advice) {
	case MADV_NORMAL: case MADV_RANDOM: case MADV_SEQUENTIAL: case MADV_WILLNEED:
	case MADV_DONTNEED: case MADV_FREE: case MADV_HUGEPAGE: case MADV_NOHUGEPAGE:
	case MADV_DONTDUMP: case MADV_DODUMP: case MADV_COLD: case MADV_PAGEOUT:
	case MADV_DONTFORK: case MADV_DOFORK: case 22 /* MADV_POPULATE_READ */:
	case 23 /* MADV_POPULATE_WRITE */:
	case 102 /* MADV_GUARD_INSTALL */: case 103 /* MADV_GUARD_REMOVE */:
		break;
	default:
		return -EINVAL;
	}
	if (!host && advice != MADV_COLD && advice != MADV_PAGEOUT && advice != MADV_WILLNEED)
		return -EINVAL;   /* another process's: the hints alone (no host call) */
	if (!plen)
		return 0;
	uint64_t end = addr + plen, at = addr;
	int err = 0;
	for_each_vma(mm, v) {
		if (v->end <= addr)
			continue;
		if (v->start >= end)
			break;
		uint64_t lo = v->start > addr ? v->start : addr, hi = v->end < end ? v->end : end;
		if (lo > at)
			err = -ENOMEM;   /* a hole before this VMA */
		/* mseal: advice that discards pages is refused on sealed
		 * read-only anonymous memory (can_madvise_modify) */
		if ((v->flags & VM_SEALED_) && !v->file && (v->flags & MAP_TYPE) != MAP_SHARED &&
		    !(v->prot & PROT_WRITE) &&
		    (advice == MADV_DONTNEED || advice == MADV_FREE || advice == MADV_DONTFORK ||
		     advice == 24 /* MADV_DONTNEED_LOCKED */ || advice == 9 /* MADV_REMOVE */ ||
		     advice == 18 /* MADV_WIPEONFORK */ || advice == 102 /* MADV_GUARD_INSTALL */))
			return -EPERM;
		at = hi;
		switch (advice) {
		case MADV_DONTNEED:
		case MADV_FREE:
			if (v->flags & VM_LOCKED_)
				return -EINVAL;
			if (advice == MADV_FREE && (v->file || v->shm_id || !(v->flags & MAP_ANONYMOUS)))
				return -EINVAL;
			platform->madvise(host, lo, hi - lo, MADV_DONTNEED);
			if (mm->uffd)
				uffd_zap(mm, lo, hi);   /* missing again */
			break;
		case 102:
		case 103: {
			/* guard pages: the host's own (Linux 6.13) in the stub */
			if (v->flags & VM_LOCKED_)
				return -EINVAL;
			int r = platform->madvise(host, lo, hi - lo, advice);
			if (r < 0)
				return r;
			break;
		}
		case MADV_WILLNEED:
			/* madvise_willneed: a file's pages are read ahead */
			if (v->file)
				pcache_willneed(current, v->file, v->pgoff + (lo - v->start), hi - lo);   /* the caller reads */
			break;
		case MADV_DONTDUMP:
		case MADV_DODUMP:
			mm_split_at(mm, lo);
			mm_split_at(mm, hi);
			break;
		case 22:
		case 23:
			if (!(v->prot & (advice == 23 ? PROT_WRITE : PROT_READ)))
				return -EFAULT;
			if (platform->madvise(host, lo, hi - lo, advice) < 0)
				return -EFAULT;
			break;
		}
	}
	if (advice == MADV_DONTDUMP || advice == MADV_DODUMP) {
		/* split above; now mark whole VMAs */
		for_each_vma(mm, v)
			if (v->start >= addr && v->end <= end)
				v->flags = advice == MADV_DONTDUMP ? v->flags | VM_DONTDUMP_
								   : v->flags & ~VM_DONTDUMP_;
		mm_merge(mm);
	}
	return at < end ? -ENOMEM : err;
}

long sys_madvise(struct task *t, struct sysargs *a)
{
	return mm_madvise(t->mm, t->host, arg_ptr(a, 0), a->a[1], arg_int(a, 2));
}

long sys_msync(struct task *t, struct sysargs *a)
{
	uint64_t addr = arg_ptr(a, 0);
	int flags = arg_int(a, 2);
	if ((addr & (GUEST_PAGE_SIZE - 1)) || (flags & ~(MS_ASYNC | MS_SYNC | MS_INVALIDATE)) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return -EINVAL;
	uint64_t end = addr + PAGE_ALIGN(a->a[1]);
	if (end < addr)
		return -ENOMEM;
	int err = 0;
	/* Linux's msync: a locked mapping refuses MS_INVALIDATE (EBUSY, at
	 * once); a hole is ENOMEM once the rest is walked */
	for (uint64_t p = addr; p < end;) {
		struct vma *v = mm_find_vma(t->mm, p), *next = NULL;
		if (!v) {
			for_each_vma(t->mm, w)
				if (w->start > p && w->start < end && (!next || w->start < next->start))
					next = w;
			if (!next)
				return -ENOMEM;
			err = -ENOMEM;
			v = next;
		}
		if ((flags & MS_INVALIDATE) && (v->flags & VM_LOCKED_))
			return -EBUSY;
		/* MS_SYNC of a shared file mapping: the file's fsync (a
		 * filesystem with a page cache of its own, ext2's, writes
		 * the mapping's pages back; vfs_fsync_range) */
		if ((flags & MS_SYNC) && v->file && (v->flags & MAP_SHARED) && v->file->ops->fsync) {
			int r = v->file->ops->fsync(v->file);
			if (r && !err)
				err = r;
		}
		p = v->end;
	}
	return err;
}


/* Residency of n pages of v from addr into out[] (1: resident): the
 * stub's page table (/proc/PID/pagemap: present or swapped), or for a
 * file mapping the host's page cache of the file (mincore of a mapping
 * of it made here), as Linux's mincore_pte_range and mincore_page. */
static void mincore_vma(struct task *t, struct vma *v, uint64_t addr, size_t n, unsigned char *out)
{
	char path[64];
	int fd = -1;

	memset(out, 0, n);
	if (t->host && platform->host_pid && host_proc_is_ours()) {
		snprintf(path, sizeof path, "/proc/%d/pagemap", platform->host_pid(t->host));
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd >= 0) {
		uint64_t ent[512];

		for (size_t done = 0; done < n;) {
			size_t k = n - done < 512 ? n - done : 512;
			ssize_t r = pread(fd, ent, k * 8, (off_t)((addr / GUEST_PAGE_SIZE + done) * 8));

			if (r <= 0)
				break;
			for (size_t i = 0; i < (size_t)r / 8; i++)
				out[done + i] = (ent[i] >> 62) & 3 ? 1 : 0;
			done += (size_t)r / 8;
		}
		close(fd);
	} else {
		memset(out, 1, n);   /* no view of the host: everything resident */
	}
	struct pcache_inode *pi = pcache_of_file(v->file);
	if (pi) {
		/* a file whose page cache umk keeps (mm/pagecache.c) */
		for (size_t i = 0; i < n; i++)
			out[i] |= pcache_page_cached(pi, (v->pgoff + (addr - v->start)) / GUEST_PAGE_SIZE + i);
		return;
	}
	int hfd = v->file && v->file->ops->host_fd ? v->file->ops->host_fd(v->file) : -1;
	if (hfd >= 0) {
		uint64_t off = v->pgoff + (addr - v->start);
		void *m = mmap(NULL, n * GUEST_PAGE_SIZE, PROT_READ, MAP_SHARED, hfd, (off_t)off);
		unsigned char *vec = malloc(n);

		if (m != MAP_FAILED && vec && mincore(m, n * GUEST_PAGE_SIZE, vec) == 0)
			for (size_t i = 0; i < n; i++)
				out[i] |= vec[i] & 1;
		if (m != MAP_FAILED)
			munmap(m, n * GUEST_PAGE_SIZE);
		free(vec);
	}
}

/* mincore(2): which pages of [addr, addr+len) are resident (vec[i] bit
 * 0), as the host's page tables and page cache say (mincore_vma).
 * -ENOMEM for a hole or a range beyond the user space, -EINVAL for an
 * unaligned address, -EFAULT for a bad vector.  Mirrors mm/mincore.c. */
long sys_mincore(struct task *t, struct sysargs *a)
{
	uint64_t addr = arg_ptr(a, 0), len = a->a[1], vec = arg_ptr(a, 2);
	if (addr & (GUEST_PAGE_SIZE - 1))
		return -EINVAL;
	uint64_t plen = PAGE_ALIGN(len);
	if (addr + plen < addr || addr + plen > STUB_START)
		return -ENOMEM;
	for (uint64_t p = addr; p < addr + plen;) {
		struct vma *v = mm_find_vma(t->mm, p);
		if (!v || v->start > p)
			return -ENOMEM;
		p = v->end;
	}
	unsigned char buf[512];
	for (uint64_t p = addr; p < addr + plen;) {
		struct vma *v = mm_find_vma(t->mm, p);
		uint64_t end = v->end < addr + plen ? v->end : addr + plen;
		size_t n = (end - p) / GUEST_PAGE_SIZE;

		if (n > sizeof buf)
			n = sizeof buf;
		mincore_vma(t, v, p, n, buf);
		if (copy_to_user(t, vec + (p - addr) / GUEST_PAGE_SIZE, buf, n))
			return -EFAULT;
		p += n * GUEST_PAGE_SIZE;
	}
	return 0;
}
