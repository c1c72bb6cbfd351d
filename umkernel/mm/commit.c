/*
 * commit.c - committed guest memory, bounded by `umk run --memory=SIZE`.
 *
 * In a nutshell: accounted as Linux's strict overcommit accounts it
 * (vm.overcommit_memory=2; mm/util.c __vm_enough_memory): a private
 * writable mapping commits its whole length when it is made (anonymous
 * or a file's copy-on-write pages: data, bss, heap, stacks), a shared
 * anonymous mapping its length, and tmpfs files the pages they hold.
 * Read-only and shared file mappings commit nothing: their pages are the
 * file's.  Past the limit mmap, brk, mprotect, mremap and fork fail with
 * ENOMEM and tmpfs writes with ENOSPC; the limit is the guest's MemTotal.
 *
 * Differences from Linux, all on the safe side: the main stack commits
 * its full 8 MiB at execve (umk maps it whole; Linux charges it as it
 * grows); a shared anonymous mapping is charged in each process that
 * maps it (Linux charges the object once); a mapping that loses
 * PROT_WRITE stops being charged, and is charged again if it regains it
 * (Linux keeps the charge).
 *
 * Each mm keeps the bytes its VMAs commit (mm->committed), resynced by
 * walking its VMAs after every change (mm_commit_sync); vm_committed is
 * the sum over all mms plus tmpfs; without --memory nothing is counted
 * (no walk of the VMAs on every mmap).  Lock: klock.
 */
#include "../kernel.h"
#include "mm.h"
#include <sys/mman.h>

uint64_t vm_commit_limit;   /* bytes; 0: no limit */
uint64_t vm_committed;      /* bytes */

/* The bytes a mapping of these prot/flags and length commits. */
uint64_t vma_commit_of(int prot, int flags, uint64_t len)
{
	if (flags & VMA_SPECIAL)
		return 0;
	if ((flags & MAP_TYPE) == MAP_PRIVATE)
		return (prot & PROT_WRITE) ? len : 0;
	return (flags & MAP_ANONYMOUS) ? len : 0;
}

static uint64_t vma_commit(const struct vma *v)
{
	return vma_commit_of(v->prot, v->flags, v->end - v->start);
}

/* What mm's VMAs inside [start, end) commit now. */
uint64_t mm_commit_range(struct mm *mm, uint64_t start, uint64_t end)
{
	uint64_t sum = 0;
	for_each_vma(mm, v) {
		uint64_t s = v->start > start ? v->start : start;
		uint64_t e = v->end < end ? v->end : end;
		if (s < e)
			sum += vma_commit_of(v->prot, v->flags, e - s);
	}
	return sum;
}

/*
 * vm_commit_check - may `more` bytes be committed?  0, or -ENOMEM past
 * --memory.  Mirrors __vm_enough_memory's strict branch.
 */
int vm_commit_check(int64_t more)
{
	if (!vm_commit_limit || more <= 0)
		return 0;
	return vm_committed + (uint64_t)more > vm_commit_limit ? -ENOMEM : 0;
}

/* Charges bytes (tmpfs pages) if they fit: 0 or -ENOMEM. */
int vm_commit_charge(uint64_t bytes)
{
	int err = vm_commit_check((int64_t)bytes);
	if (!err)
		vm_committed += bytes;
	return err;
}

void vm_commit_uncharge(uint64_t bytes)
{
	vm_committed = bytes > vm_committed ? 0 : vm_committed - bytes;
}

/* Recounts what mm commits after a change to its VMAs. */
void mm_commit_sync(struct mm *mm)
{
	uint64_t now = 0;
	if (!vm_commit_limit)
		return;   /* nothing bounded: no walk on every mmap */
	for_each_vma(mm, v)
		now += vma_commit(v);
	vm_committed += now;
	vm_commit_uncharge(mm->committed);
	mm->committed = now;
}

/* The mm is gone: its VMAs commit nothing any more. */
void mm_commit_release(struct mm *mm)
{
	vm_commit_uncharge(mm->committed);
	mm->committed = 0;
}
