/*
 * mlock.c - mlock(2), mlock2(2), munlock(2), mlockall(2), munlockall(2).
 *
 * A locked VMA carries VM_LOCKED_ (and VM_LOCKONFAULT_ for mlock2's
 * MLOCK_ONFAULT and MCL_ONFAULT) in vma->flags, as Linux's vm_flags:
 * /proc/PID/status counts it as VmLck and smaps as Locked, madvise
 * refuses to drop its pages, fork does not pass it on, and
 * mlockall(MCL_FUTURE) puts it on every later mapping (mm->def_lock).
 * Locking faults the pages in on the host (MADV_POPULATE_*), unless
 * ON_FAULT; nothing is pinned in the host's RAM: the host may still swap
 * the stub's pages out.  RLIMIT_MEMLOCK and CAP_IPC_LOCK are checked as
 * Linux's can_do_mlock and mlock_future_ok.  Mirrors mm/mlock.c.
 *
 * Lock: klock, held.
 */
#include "mm.h"
#include "../kernel/task.h"
#include "../fs/fs.h"
#include <sys/mman.h>
#include <sys/resource.h>

#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 0x01
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ  22
#define MADV_POPULATE_WRITE 23
#endif

/* Bytes of mm in locked VMAs (Linux's mm->locked_vm, in bytes). */
uint64_t mm_locked_bytes(struct mm *mm)
{
	uint64_t n = 0;

	for_each_vma(mm, v)
		if (v->flags & VM_LOCKED_)
			n += v->end - v->start;
	return n;
}

/* Faults [start, end) of v in on the host, as mlock's populate does;
 * errors (PROT_NONE, a file shorter than the mapping) are ignored as
 * Linux's __mm_populate ignores them for mlock. */
void mm_populate_locked(struct task *t, struct vma *v, uint64_t start, uint64_t end)
{
	if ((v->flags & VM_LOCKONFAULT_) || !(v->prot & (PROT_READ | PROT_WRITE)) || !t->host)
		return;
	platform->madvise(t->host, start, end - start,
			  (v->prot & PROT_WRITE) ? MADV_POPULATE_WRITE : MADV_POPULATE_READ);
}

/*
 * mlock_future_ok - whether t may lock more bytes (a new locked mapping):
 * CAP_IPC_LOCK, or its locked bytes plus more within RLIMIT_MEMLOCK.
 * Mirrors mm/mmap.c mlock_future_ok.
 */
bool mlock_future_ok(struct task *t, uint64_t more)
{
	uint64_t limit = t->tg->rlim[RLIMIT_MEMLOCK].rlim_cur;

	return capable(t, CAP_IPC_LOCK) || limit == LINUX_RLIM_INFINITY ||
	       mm_locked_bytes(t->mm) + more <= limit;
}

static bool can_do_mlock(struct task *t)
{
	return t->tg->rlim[RLIMIT_MEMLOCK].rlim_cur != 0 || capable(t, CAP_IPC_LOCK);
}

/* Bytes of [start, end) already locked. */
static uint64_t locked_in(struct mm *mm, uint64_t start, uint64_t end)
{
	uint64_t n = 0;

	for_each_vma(mm, v)
		if ((v->flags & VM_LOCKED_) && v->start < end && v->end > start)
			n += (v->end < end ? v->end : end) - (v->start > start ? v->start : start);
	return n;
}

/*
 * Sets the lock bits of [start, end) to lock (0 unlocks): -ENOMEM if part
 * of the range is not mapped (the mapped parts still change, as Linux's
 * apply_vma_lock_flags stops at the first hole).
 */
static int apply_lock(struct task *t, uint64_t start, uint64_t end, int lock)
{
	struct mm *mm = t->mm;
	uint64_t at = start;
	struct vma *v = mm_find_vma(mm, start);
	bool secret = false;

	if (!v || v->start > start)
		return -ENOMEM;
	mm_split_at(mm, start);
	mm_split_at(mm, end);
	for_each_vma(mm, w) {
		if (w->end <= start)
			continue;
		if (w->start >= end)
			break;
		if (w->start != at)
			return -ENOMEM;   /* a hole */
		if (w->flags & VM_SECRETMEM_) {
			/* mlock_fixup leaves a secret mapping as it is (locked
			 * for good), and populating it, which get_user_pages
			 * cannot, fails mlock with ENOMEM */
			if (lock)
				secret = true;
		} else {
			w->flags = (w->flags & ~(VM_LOCKED_ | VM_LOCKONFAULT_)) | lock;
			if (lock)
				mm_populate_locked(t, w, w->start, w->end);
		}
		at = w->end;
	}
	return at < end || secret ? -ENOMEM : 0;
}

/* The page-aligned range of (addr, len) as mlock rounds it; -EINVAL on
 * overflow. */
static int lock_range(struct sysargs *a, uint64_t *start, uint64_t *end)
{
	uint64_t addr = arg_ptr(a, 0), len = a->a[1];

	*start = addr & ~(uint64_t)(GUEST_PAGE_SIZE - 1);
	len += addr - *start;
	*end = *start + PAGE_ALIGN(len);
	if (*end < *start || (len && *end == *start))
		return -EINVAL;
	return 0;
}

static long do_mlock(struct task *t, struct sysargs *a, int lock)
{
	uint64_t start, end;
	int err = lock_range(a, &start, &end);

	if (err)
		return err;
	if (!can_do_mlock(t))
		return -EPERM;
	if (!mlock_future_ok(t, (end - start) - locked_in(t->mm, start, end)))
		return -ENOMEM;
	if (start == end)
		return 0;
	err = apply_lock(t, start, end, lock);
	mm_merge(t->mm);
	return err;
}

/*
 * mlock(addr, len): locks the pages of [addr, addr+len) (rounded out to
 * pages) and faults them in.  -ENOMEM (part not mapped, or over
 * RLIMIT_MEMLOCK without CAP_IPC_LOCK), -EPERM (RLIMIT_MEMLOCK 0 without
 * CAP_IPC_LOCK), -EINVAL (the range wraps).
 */
long sys_mlock(struct task *t, struct sysargs *a)
{
	return do_mlock(t, a, VM_LOCKED_);
}

/* mlock2(addr, len, flags): mlock, or with MLOCK_ONFAULT lock the pages
 * as they are touched (no fault-in).  -EINVAL for other flags. */
long sys_mlock2(struct task *t, struct sysargs *a)
{
	unsigned flags = arg_uint(a, 2);

	if (flags & ~MLOCK_ONFAULT)
		return -EINVAL;
	return do_mlock(t, a, VM_LOCKED_ | ((flags & MLOCK_ONFAULT) ? VM_LOCKONFAULT_ : 0));
}

/* munlock(addr, len): unlocks the range.  -ENOMEM (part not mapped),
 * -EINVAL (the range wraps). */
long sys_munlock(struct task *t, struct sysargs *a)
{
	uint64_t start, end;
	int err = lock_range(a, &start, &end);

	if (err || start == end)
		return err;
	err = apply_lock(t, start, end, 0);
	mm_merge(t->mm);
	return err;
}

/*
 * mlockall(flags): MCL_CURRENT locks every mapping now, MCL_FUTURE every
 * later one, MCL_ONFAULT with either locks on fault.  -EINVAL (no flag,
 * unknown flags, MCL_ONFAULT alone), -EPERM (RLIMIT_MEMLOCK 0 without
 * CAP_IPC_LOCK), -ENOMEM (MCL_CURRENT: the mappings exceed the limit).
 */
long sys_mlockall(struct task *t, struct sysargs *a)
{
	unsigned flags = arg_uint(a, 0);
	struct mm *mm = t->mm;
	int lock = VM_LOCKED_ | ((flags & MCL_ONFAULT) ? VM_LOCKONFAULT_ : 0);

	if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) || flags == MCL_ONFAULT)
		return -EINVAL;
	if (!can_do_mlock(t))
		return -EPERM;
	if (flags & MCL_CURRENT) {
		uint64_t total = 0, limit = t->tg->rlim[RLIMIT_MEMLOCK].rlim_cur;

		for_each_vma(mm, v)
			total += v->end - v->start;
		if (!capable(t, CAP_IPC_LOCK) && limit != LINUX_RLIM_INFINITY && total > limit)
			return -ENOMEM;
	}
	mm->def_lock = (flags & MCL_FUTURE) ? lock : 0;
	if (flags & MCL_CURRENT) {
		for_each_vma(mm, v) {
			v->flags = (v->flags & ~(VM_LOCKED_ | VM_LOCKONFAULT_)) | lock;
			mm_populate_locked(t, v, v->start, v->end);
		}
	}
	mm_merge(mm);
	return 0;
}

/* munlockall(): unlocks every mapping and ends MCL_FUTURE. */
long sys_munlockall(struct task *t, struct sysargs *a)
{
	(void)a;
	t->mm->def_lock = 0;
	for_each_vma(t->mm, v)
		v->flags &= ~(VM_LOCKED_ | VM_LOCKONFAULT_);
	mm_merge(t->mm);
	return 0;
}

/* remap_file_pages on shared anonymous memory (object id, no file of
 * umk's): the object's bytes [off, off + size) must be mapped in mm
 * somewhere (one VMA); that mapping is duplicated over [start, start +
 * size) as mremap(src, 0, ...) does, through a free spot when the two
 * overlap.  0, or -EINVAL when the pages are mapped nowhere. */
static long remap_shared_anon(struct mm *mm, uint64_t id, uint64_t start, uint64_t size, uint64_t off)
{
	struct vma *src = NULL;
	long r;

	for_each_vma(mm, w)
		if (w->shm_id == id && !w->file && w->pgoff <= off && off + size <= w->pgoff + (w->end - w->start)) {
			src = w;
			break;
		}
	if (!src)
		return -EINVAL;
	uint64_t from = src->start + (off - src->pgoff);
	if (from == start)
		return 0;
	if (from < start + size && start < from + size) {
		r = mm_dup_shared(mm, src, from, size, MREMAP_MAYMOVE, 0);
		if (r >= 0)
			r = mm_mremap(mm, (uint64_t)r, size, size, MREMAP_MAYMOVE | MREMAP_FIXED, start);
	} else {
		r = mm_dup_shared(mm, src, from, size, MREMAP_MAYMOVE | MREMAP_FIXED, start);
	}
	return r < 0 ? r : 0;
}

/*
 * remap_file_pages(start, size, prot, pgoff, flags) (deprecated; Linux
 * emulates it the same way since 4.0): maps pages pgoff.. of the file
 * behind the shared mapping at start again at [start, start+size), as
 * mmap(MAP_SHARED|MAP_FIXED) with the mapping's protection would.
 * Returns 0.  -EINVAL: prot not 0, a wrapping range or pgoff, start not in a shared file mapping, or the
 * range running past the file's mappings, or a SysV segment destroyed by
 * the remap (its last attach was the one replaced, after IPC_RMID).
 * Shared anonymous memory (a file of Linux's shmem) is remapped from
 * where its pages are mapped in the caller (remap_shared_anon).
 */
long sys_remap_file_pages(struct task *t, struct sysargs *a)
{
	uint64_t start = arg_ptr(a, 0) & ~(uint64_t)(GUEST_PAGE_SIZE - 1);
	uint64_t size = a->a[1] & ~(uint64_t)(GUEST_PAGE_SIZE - 1), pgoff = a->a[3];
	struct vma *v;

	/* flags: only MAP_NONBLOCK means anything, the rest is ignored */
	if (a->a[2] || start + size <= start ||
	    pgoff + size / GUEST_PAGE_SIZE < pgoff)
		return -EINVAL;
	v = mm_find_vma(t->mm, start);
	if (!v || v->start > start || !(v->flags & MAP_SHARED) || (!v->file && !v->shm_id))
		return -EINVAL;
	for (struct vma *w = v; w->end < start + size;) {
		struct vma *n = vma_next(t->mm, w);

		if (!n || n->start != w->end || n->file != v->file || n->shm_id != v->shm_id)
			return -EINVAL;
		w = n;
	}
	if (!v->file)
		return remap_shared_anon(t->mm, v->shm_id, start, size, pgoff * GUEST_PAGE_SIZE);
	struct file *f = file_get(v->file);
	int prot = v->prot, lock = (v->flags & VM_LOCKED_) ? MAP_LOCKED : 0;
	/* Linux's mmap_region closes the old VMAs before the file's mmap:
	 * a SysV segment removed with IPC_RMID goes with its last attach,
	 * and then cannot be mapped (shm_mmap: -EINVAL), leaving the range
	 * unmapped */
	long r = mm_munmap(t->mm, start, size);
	if (!r)
		r = mm_mmap(t->mm, start, size, prot, MAP_SHARED | MAP_FIXED | MAP_POPULATE | lock,
			    f, pgoff * GUEST_PAGE_SIZE);
	file_put(f);
	if (r == -ENODEV)
		r = -EINVAL;
	return r < 0 ? r : 0;
}
