/*
 * mseal.c - mseal(2): sealing a range of the address space (Linux's
 * mm/mseal.c).
 *
 * In a nutshell: the VMAs of a sealed range carry VM_SEALED_ for the rest
 * of the address space's life (kept by fork, gone at execve with the
 * mm).  A sealed VMA refuses with EPERM: munmap, mprotect and
 * pkey_mprotect, mremap from or onto it, mmap(MAP_FIXED) over it, and
 * madvise advice that discards pages of read-only anonymous memory
 * (mmap.c makes those checks through mm_range_sealed).
 *
 * Lock: klock, held.
 */
#include "../kernel.h"
#include "mm.h"
#include <sys/mman.h>

bool mm_range_sealed(struct mm *mm, uint64_t start, uint64_t end)
{
	if (!mm->sealed_any)
		return false;   /* the common case costs nothing */
	for_each_vma(mm, v) {
		if (v->start >= end)
			break;
		if (v->end > start && (v->flags & VM_SEALED_))
			return true;
	}
	return false;
}

/*
 * mseal(addr, len, flags): flags must be 0 and addr page-aligned
 * (-EINVAL); len is rounded up to pages (-EINVAL if that overflows);
 * every page of the range must be mapped (-ENOMEM, nothing sealed then).
 * 0 for an empty range.
 */
long sys_mseal(struct task *t, struct sysargs *a)
{
	uint64_t start = a->a[0], len_in = a->a[1];
	if (a->a[2])
		return -EINVAL;
	if (start & (GUEST_PAGE_SIZE - 1))
		return -EINVAL;
	uint64_t len = PAGE_ALIGN(len_in);
	if (len_in && !len)
		return -EINVAL;   /* rounded up from a small negative to 0 */
	uint64_t end = start + len;
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	/* check_mm_seal: the range is mapped without holes */
	uint64_t at = start;
	for_each_vma(t->mm, v) {
		if (v->end <= at)
			continue;
		if (v->start > at)
			break;
		at = v->end;
		if (at >= end)
			break;
	}
	if (at < end)
		return -ENOMEM;
	t->mm->sealed_any = true;
	mm_split_at(t->mm, start);
	mm_split_at(t->mm, end);
	for_each_vma(t->mm, v)
		if (v->start >= start && v->end <= end)
			v->flags |= VM_SEALED_;
	mm_merge(t->mm);
	return 0;
}
