/*
 * mm/mm.h - the mm subsystem's interface: guest address spaces (struct mm),
 * their VMAs and the operations on them (mmap.c).  User copies, which
 * every subsystem uses, are declared in kernel.h (mm/usercopy.c).
 *
 * Lock: klock guards every mm and VMA.
 */
#ifndef UMK_MM_H
#define UMK_MM_H

#include "../kernel.h"

struct file;
struct vma {
	struct list_head link;        /* mm->vmas, sorted by start */
	uint64_t start, end;
	int prot;                     /* PROT_* */
	int flags;                    /* MAP_SHARED/MAP_PRIVATE/MAP_ANONYMOUS/MAP_GROWSDOWN */
	struct file *file;            /* file mapped, or NULL */
	uint64_t pgoff;               /* offset of start in file (or shared-anon object), bytes */
	uint64_t shm_id;              /* MAP_SHARED|MAP_ANONYMOUS: the object, kept by fork */
	char name[24];                /* "[heap]", "[stack]" or "" */
	/* mbind(2)'s policy of the range (mempolicy.c): mode | MPOL_F_*
	 * flags and nodes; 0: none (the default policy) */
	int mpol_mode;
	uint64_t mpol_nodes;
};
struct mm {
	int refs;                     /* tasks using it (threads) */
	struct list_head vmas;
	struct vma *vma_hint;         /* the VMA last found (mmap.c's vma_lower_bound), or NULL */
	uint64_t start_brk, brk, start_stack, mmap_top;
	uint64_t arg_start, arg_end, env_start, env_end;
	uint64_t start_code, end_code, start_data, end_data;
	struct file *exe;             /* /proc/PID/exe */
	/* syscall sites seen trapping, for platform->patch_syscall: a site
	 * is patched at its MM_PATCH_AFTER-th trap (hits ~0: done or not
	 * patchable); reset by execve */
	struct { uint64_t site; uint32_t hits; } patch_hits[64];
	uint64_t committed;           /* --memory: bytes its VMAs commit (commit.c) */
	/* the sites patched, with their own bytes: a tracer's task gets them
	 * back (kernel/syscall.c mm_unpatch_syscalls); reset by execve */
	struct mm_patch { uint64_t site; uint8_t orig[5], code[5]; } *patched;
	int npatched, patched_cap;
	/* the auxv execve gave (Linux's saved_auxv): NT_AUXV of core files */
	uint64_t saved_auxv[48];
	int saved_auxv_len;           /* in words */
	/* mlockall(MCL_FUTURE) (mlock.c): lock bits every new mapping gets */
	int def_lock;
	/* membarrier(2) (kernel/sched.c): MEMBARRIER_CMD_REGISTER_* bits
	 * this mm registered; execve clears them */
	int membarrier_registered;
	bool sealed_any;              /* mseal(2) sealed something (mseal.c): checks needed */
	/* userfaultfd (userfaultfd.c): registrations and trapped pages; NULL if none */
	struct uffd_mm *uffd;
};
/* mlock (mlock.c): vma->flags bits above MAP_*'s, as Linux's vm_flags */
#define VM_LOCKED_      (1 << 24)
#define VM_LOCKONFAULT_ (1 << 25)
#define VM_DONTDUMP_    (1 << 26)   /* madvise(MADV_DONTDUMP): left out of core dumps */
#define VM_SEALED_      (1 << 27)   /* mseal(2) (mseal.c): not to be changed or unmapped */
/* Whether any VMA meeting [start, end) is sealed (mseal.c). */
bool mm_range_sealed(struct mm *mm, uint64_t start, uint64_t end);
uint64_t mm_locked_bytes(struct mm *mm);       /* VmLck, bytes */
struct task;
void mm_populate_locked(struct task *t, struct vma *v, uint64_t start, uint64_t end);
void mm_split_at(struct mm *mm, uint64_t addr); /* no VMA straddles addr after */
void mm_merge(struct mm *mm);                   /* joins neighbours nothing tells apart */
void aio_mm_release(struct mm *mm);             /* fs/aio.c: mm's AIO contexts end */
#define MM_PATCH_AFTER 8
#define VMA_SPECIAL 0x40000000   /* vma->flags: host vDSO pages, kept across execve */

/* ---- committed memory, bounded by --memory: commit.c ---- */
extern uint64_t vm_commit_limit;   /* bytes; 0: no limit */
extern uint64_t vm_committed;      /* bytes, all mms and tmpfs */
uint64_t vma_commit_of(int prot, int flags, uint64_t len);
uint64_t mm_commit_range(struct mm *mm, uint64_t start, uint64_t end);
int vm_commit_check(int64_t more);           /* 0 or -ENOMEM */
int vm_commit_charge(uint64_t bytes);        /* tmpfs pages: 0 or -ENOMEM */
void vm_commit_uncharge(uint64_t bytes);
void mm_commit_sync(struct mm *mm);          /* after any change to mm's VMAs */
void mm_commit_release(struct mm *mm);
struct mm *mm_new(void);
struct mm *mm_fork(struct mm *old);
void mm_put(struct mm *mm);
void mm_reset(struct mm *mm);                 /* drop every VMA but the vDSO (execve) */
void mm_add_vdso(struct mm *mm);              /* the platform's vDSO pages as VMAs */
uint64_t mm_vdso_base(struct mm *mm);         /* AT_SYSINFO_EHDR, or 0 */
void vdso_patch_clocks_all(void);             /* vdso.c: vDSO clocks become syscalls */
void vdso_patch_clocks_task(struct task *t);   /* ... in a fork's child too */
long mm_mmap(struct mm *mm, uint64_t addr, uint64_t len, int prot, int flags,
	     struct file *f, uint64_t off);
int mm_munmap(struct mm *mm, uint64_t addr, uint64_t len);
int mm_mprotect(struct mm *mm, uint64_t addr, uint64_t len, int prot);
/* madvise(2) on mm through host (the caller's host thread, in mm's host
 * process), or, host NULL, another process's mm: hints only (mmap.c). */
struct host_thread;
int mm_madvise(struct mm *mm, struct host_thread *host, uint64_t addr, uint64_t len, int advice);
long mm_mremap(struct mm *mm, uint64_t old, uint64_t oldlen, uint64_t newlen, int flags,
	       uint64_t newaddr);
long mm_brk(struct mm *mm, uint64_t brk);
struct vma *mm_find_vma(struct mm *mm, uint64_t addr);
/* The identity of the memory behind a shared mapping at addr (futex keys):
 * 0 and {object, offset} filled, or -EFAULT if unmapped, -EINVAL if the
 * mapping is private. */
int mm_shared_key(struct mm *mm, uint64_t addr, uint64_t key[3]);
/* Whether a fault at addr would be served (get_user_pages' view, as a
 * shared futex key takes it): 0, or -EFAULT when nothing is mapped there,
 * the mapping is PROT_NONE, or it maps a regular file's page past EOF. */
int mm_fault_check(struct mm *mm, uint64_t addr);
/* A fault at addr just below a MAP_GROWSDOWN mapping grows it down to
 * addr's page (Linux's expand_downwards), by the running task's stub:
 * 0, -EFAULT (no such mapping), or -ENOMEM (past limit bytes, the
 * RLIMIT_STACK, or within the guard gap of the mapping below). */
int mm_expand_stack(struct mm *mm, uint64_t addr, uint64_t limit);
/* ---- userfaultfd: userfaultfd.c ---- */
/* A host fault of t at addr (err: the x86 error code, -1 unknown) on a
 * page userfaultfd traps: 0 (handled or waited for: run the access
 * again), 1 (deliver *info, made a SIGBUS), -EFAULT (not a userfault). */
int uffd_handle_fault(struct task *t, uint64_t addr, int64_t err, linux_siginfo_t *info);
/* A kernel access to [addr, addr+len) of t (current) failed: resolves
 * traps that no registration wants any more; whether anything changed. */
bool uffd_fixup_user(struct task *t, uint64_t addr, uint64_t len);
/* mmap.c's calls, only when mm->uffd is set: */
void uffd_mm_release(struct mm *mm);                              /* exit, execve */
struct uffd_mm *uffd_mm_fork(struct mm *old);                     /* the child's state, or NULL */
void uffd_unmap(struct mm *mm, uint64_t start, uint64_t end);     /* the range is unmapped */
void uffd_reprotect(struct mm *mm, uint64_t start, uint64_t end); /* after mprotect */
void uffd_mremap(struct mm *mm, uint64_t start, uint64_t end, bool dontunmap); /* before a move */
void uffd_zap(struct mm *mm, uint64_t start, uint64_t end);       /* after MADV_DONTNEED */
struct kstat;
int uffd_dev_open(int flags, const char *path, const struct kstat *st, struct file **out); /* /dev/userfaultfd */
extern long sysctl_unprivileged_userfaultfd;

/* /proc/PID/pagemap (pagemap.c): opens c's for t; 0 and *out, or -errno. */
struct file;
int proc_pagemap_open(struct task *t, struct task *c, int flags, struct file **out);
int mm_print_maps(struct mm *mm, char *buf, size_t len);
/* PROCMAP_QUERY on a maps file of mm (procmap_query.c) */
long procmap_query(struct task *t, struct mm *mm, uint64_t uarg);

/* swapfile.c: the guest's swap areas (swapon bookkeeping): their pages
 * (4096 bytes; all free), and the text of /proc/swaps (malloc'd, or NULL). */
void swap_totals(uint64_t *total, uint64_t *free_pages);
char *swaps_text(void);

/* Walks mm's VMAs in address order; v may be unlinked inside the loop. */
static inline struct vma *vma_next(struct mm *mm, struct vma *v)
{
	return v->link.next == &mm->vmas ? NULL : list_entry(v->link.next, struct vma, link);
}
static inline struct vma *vma_first(struct mm *mm)
{
	return list_empty(&mm->vmas) ? NULL : list_entry(mm->vmas.next, struct vma, link);
}
#define for_each_vma(mm, v) for (struct vma *v = vma_first(mm), *v##_n = v ? vma_next(mm, v) : NULL; v; v = v##_n, v##_n = v ? vma_next(mm, v) : NULL)

/* ---- hugetlb.c: huge pages, emulated with ordinary memory ---- */
#define HPAGE_SHIFT 21
#define HPAGE_SIZE  (1ULL << HPAGE_SHIFT)
#define HUGETLB_SYSFS_N 5
int hugetlb_take(uint64_t pages);        /* from the pool: 0 or -ENOMEM */
void hugetlb_give(uint64_t pages);
bool hugetlb_size_ok(unsigned int flags);   /* MAP_/MFD_/SHM_HUGE_* size bits */
int hugetlb_split_check(struct mm *mm, uint64_t addr, uint64_t len);
long hugetlb_mmap(struct mm *mm, uint64_t addr, uint64_t len, int prot, int flags,
		  struct file *f, uint64_t off);
int hugetlb_anon_file(uint64_t len, struct file **out);
void hugetlb_meminfo(char *buf, size_t len);   /* /proc/meminfo's HugePages_* lines */
int hugetlb_proc_read(struct task *t, const char *name, char **text);
int hugetlb_proc_write(struct task *t, const char *name, const char *buf, size_t n);
extern const char *const hugetlb_sysfs_names[HUGETLB_SYSFS_N];
uint64_t hugetlb_sysfs_value(int i);
void sysfs_hugetlb_sync(void);            /* fs/sysfs.c: rewrites hugepages-2048kB/ */

#endif
