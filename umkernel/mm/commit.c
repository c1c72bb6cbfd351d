/*
 * commit.c - committed guest memory: vm.overcommit_memory, _ratio and
 * _kbytes as Linux means them (mm/util.c __vm_enough_memory,
 * Documentation/mm/overcommit-accounting.rst), and `umk run
 * --memory=SIZE`.
 *
 * In a nutshell: memory is accounted as Linux's strict overcommit
 * accounts it: a private writable mapping commits its whole length when
 * it is made (anonymous or a file's copy-on-write pages: data, bss,
 * heap, stacks), a shared anonymous mapping its length, and tmpfs files
 * the pages they hold.  Read-only and shared file mappings commit
 * nothing: their pages are the file's.  The policy (vm_commit_check):
 *  - overcommit_memory 0 (heuristic, the default): only a single
 *    request larger than RAM plus swap (/proc/meminfo's MemTotal and
 *    SwapTotal) fails; a MAP_NORESERVE mapping is not charged;
 *  - 1: nothing fails;
 *  - 2 (strict): the committed bytes may not pass the commit limit,
 *    swap + (RAM - huge page pool) * overcommit_ratio / 100, or swap +
 *    overcommit_kbytes when that is not 0 (less root's and the user's
 *    reserves as Linux), MAP_NORESERVE or not;
 *  - --memory bounds the committed bytes in every mode (the tighter of
 *    the two in strict mode), and is the guest's MemTotal.
 * Past them mmap, brk, mprotect, mremap and fork fail with ENOMEM and
 * tmpfs writes with ENOSPC.
 *
 * Differences from Linux, all on the safe side: the main stack commits
 * its full 8 MiB at execve (umk maps it whole; Linux charges it as it
 * grows); a shared anonymous mapping is charged in each process that
 * maps it (Linux charges the object once); a mapping that loses
 * PROT_WRITE stops being charged, and is charged again if it regains it
 * (Linux keeps the charge); the count (Committed_AS, --memory, strict
 * mode) includes MAP_NORESERVE mappings, which Linux leaves out when
 * they were made outside strict mode.
 *
 * Each mm keeps the bytes its VMAs commit (mm->committed), resynced by
 * walking its VMAs after every change (mm_commit_sync); vm_committed is
 * the sum over all mms plus tmpfs.  Only under --memory or strict mode
 * is this counted as it goes: otherwise nothing walks the VMAs on mmap
 * (the heuristic needs only the request), and the mms are recounted
 * when /proc/meminfo is read or strict mode starts
 * (vm_commit_resync_all).  Lock: klock.
 */
#include "../kernel.h"
#include "mm.h"
#include <sys/mman.h>
#include <sys/sysinfo.h>

uint64_t vm_commit_limit;   /* bytes; 0: no limit */
uint64_t vm_committed;      /* bytes */
long sysctl_overcommit_kbytes;               /* vm.overcommit_kbytes; 0: the ratio counts */
long sysctl_admin_reserve_kbytes = 8192;     /* vm.admin_reserve_kbytes (vm_commit_init) */
long sysctl_user_reserve_kbytes = 131072;    /* vm.user_reserve_kbytes */

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

/* The host's RAM in bytes (sysinfo's totalram: the MemTotal umk shows
 * without --memory), read once. */
static uint64_t host_ram(void)
{
	static uint64_t ram;
	struct sysinfo si;

	if (!ram)
		ram = sysinfo(&si) == 0 && si.mem_unit ? (uint64_t)si.totalram * si.mem_unit : 1ULL << 30;
	return ram;
}

/* vm_total_ram - the guest's RAM, bytes: MemTotal of /proc/meminfo
 * (--memory, or the host's). */
uint64_t vm_total_ram(void)
{
	return vm_commit_limit ? vm_commit_limit : host_ram();
}

static uint64_t swap_bytes(void)
{
	uint64_t total, free_pages;

	swap_totals(&total, &free_pages);
	return total * 4096;
}

/*
 * vm_commit_limit_shown - Linux's vm_commit_limit() (mm/util.c), bytes:
 * overcommit_kbytes, or (RAM less the huge page pool) * overcommit_ratio
 * / 100, in whole pages, plus swap.  /proc/meminfo's CommitLimit.
 */
uint64_t vm_commit_limit_shown(void)
{
	uint64_t pages;

	if (sysctl_overcommit_kbytes)
		pages = (uint64_t)sysctl_overcommit_kbytes / (GUEST_PAGE_SIZE / 1024);
	else {
		uint64_t ram = vm_total_ram() / GUEST_PAGE_SIZE, huge = hugetlb_total_bytes() / GUEST_PAGE_SIZE;

		pages = (ram > huge ? ram - huge : 0) * (uint64_t)sysctl_overcommit_ratio / 100;
	}
	return pages * GUEST_PAGE_SIZE + swap_bytes();
}

/* vm_commit_bound - what may be committed in all now, bytes: --memory,
 * in strict mode the commit limit if tighter; UINT64_MAX for no bound. */
uint64_t vm_commit_bound(void)
{
	uint64_t b = vm_commit_limit ? vm_commit_limit : UINT64_MAX;

	if (sysctl_overcommit_memory == 2) {
		uint64_t l = vm_commit_limit_shown();
		b = l < b ? l : b;
	}
	return b;
}

/*
 * vm_commit_check - may a request commit `more` bytes more (less what it
 * replaces)?  `acct` is the part of it Linux would charge: none of a
 * mapping made with MAP_NORESERVE outside strict mode (VMA_NORESERVE).
 * 0, or -ENOMEM when:
 *  - --memory is given and the committed bytes would pass it;
 *  - vm.overcommit_memory is 0 (heuristic) and acct alone is more than
 *    RAM plus swap (an obvious overcommit);
 *  - it is 2 (strict) and the committed bytes would pass the commit
 *    limit, less admin_reserve_kbytes for a task without CAP_SYS_ADMIN
 *    and less min(its mapped size / 32, user_reserve_kbytes);
 *  - never for 1 (beyond --memory).
 * Mirrors mm/util.c __vm_enough_memory (it refuses at committed +
 * request >= limit; umk past it).
 */
int vm_commit_check(int64_t more, int64_t acct)
{
	if (more > 0 && vm_commit_limit && vm_committed + (uint64_t)more > vm_commit_limit)
		return -ENOMEM;
	switch (sysctl_overcommit_memory) {
	case 1:
		return 0;
	case 2: {
		if (more <= 0)
			return 0;
		uint64_t allowed = vm_commit_limit_shown(), cut = 0;
		if (current && !capable(current, CAP_SYS_ADMIN))
			cut += (uint64_t)sysctl_admin_reserve_kbytes * 1024;
		if (current && current->mm) {
			uint64_t user = (uint64_t)sysctl_user_reserve_kbytes * 1024, part = current->mm->total_vm / 32;
			cut += part < user ? part : user;
		}
		allowed = allowed > cut ? allowed - cut : 0;
		return vm_committed + (uint64_t)more > allowed ? -ENOMEM : 0;
	}
	default:
		/* no walk, and swap read only past the RAM alone */
		if (acct <= 0 || (uint64_t)acct <= vm_total_ram())
			return 0;
		return (uint64_t)acct > vm_total_ram() + swap_bytes() ? -ENOMEM : 0;
	}
}

/*
 * vm_commit_charge - commits bytes that belong to no mapping (tmpfs
 * pages, SysV segments) if vm_commit_check lets them, acct of them
 * being what the heuristic weighs (0 for tmpfs: Linux charges a file's
 * pages one by one as they are written).  0 or -ENOMEM.
 */
int vm_commit_charge(uint64_t bytes, uint64_t acct)
{
	int err = vm_commit_check((int64_t)bytes, (int64_t)acct);
	if (!err)
		vm_committed += bytes;
	return err;
}

void vm_commit_uncharge(uint64_t bytes)
{
	vm_committed = bytes > vm_committed ? 0 : vm_committed - bytes;
}

/* Recounts what mm's VMAs commit, and its mapped size. */
static void mm_commit_walk(struct mm *mm)
{
	uint64_t now = 0, size = 0;

	for_each_vma(mm, v) {
		now += vma_commit(v);
		if (!(v->flags & VMA_SPECIAL))
			size += v->end - v->start;
	}
	vm_committed += now;
	vm_commit_uncharge(mm->committed);
	mm->committed = now;
	mm->total_vm = size;
}

/* Recounts what mm commits after a change to its VMAs. */
void mm_commit_sync(struct mm *mm)
{
	if (!vm_commit_counting())
		return;   /* nothing bounded: no walk on every mmap */
	mm_commit_walk(mm);
}

/*
 * vm_commit_resync_all - recounts every live mm (a walk of all their
 * VMAs): when /proc/meminfo's Committed_AS is read while nothing is
 * counted, and when strict mode starts.  An mm shared by several tasks
 * is walked once per task, which changes nothing the second time.
 */
void vm_commit_resync_all(void)
{
	struct list_head *p;

	for (p = all_tasks.next; p != &all_tasks; p = p->next) {
		struct task *t = list_entry(p, struct task, all);

		if (t->mm)   /* NULL once it exits: mm_put went first */
			mm_commit_walk(t->mm);
	}
}

/* vm_commit_init - admin_reserve_kbytes and user_reserve_kbytes as Linux
 * sets them at boot (mm/util.c init_admin_reserve, init_user_reserve):
 * 3% of the memory, at most 8 MiB and 128 MiB. */
void vm_commit_init(void)
{
	uint64_t three = vm_total_ram() / 1024 * 3 / 100;

	sysctl_admin_reserve_kbytes = (long)(three < 8192 ? three : 8192);
	sysctl_user_reserve_kbytes = (long)(three < 131072 ? three : 131072);
}

/* The mm is gone: its VMAs commit nothing any more. */
void mm_commit_release(struct mm *mm)
{
	vm_commit_uncharge(mm->committed);
	mm->committed = 0;
}
