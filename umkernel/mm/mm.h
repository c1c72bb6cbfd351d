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
	/* fork and Linux's anon_vma (is_mergeable_anon_vma): a child's
	 * private writable VMA gets a number of its own at fork, kept by its
	 * pieces, and merges only with them while it may hold its parent's
	 * pages (vma_had_uncowed_parents); anon_fork_held: it was seen to
	 * hold pages (mmap.c, checked once, when a merge waits on it) */
	uint64_t anon_fork;
	bool anon_fork_held;
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
	uint64_t committed;           /* bytes its VMAs commit, while counted (commit.c) */
	uint64_t total_vm;            /* bytes mapped, while counted (Linux's total_vm) */
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
	/* cgroup v2 (cgroup/memcontrol.c): drop the MAP_DROPPABLE pages at
	 * the next syscall of one of its tasks */
	bool cg_reclaim;
};
/* mlock (mlock.c): vma->flags bits above MAP_*'s, as Linux's vm_flags */
#define VM_LOCKED_      (1 << 24)
#define VM_LOCKONFAULT_ (1 << 25)
#define VM_DONTDUMP_    (1 << 26)   /* madvise(MADV_DONTDUMP): left out of core dumps */
#define VM_SEALED_      (1 << 27)   /* mseal(2) (mseal.c): not to be changed or unmapped */
#define VM_DROPPABLE_   (1 << 28)   /* MAP_DROPPABLE: memory cgroups drop it under pressure */
#define VM_SECRETMEM_   (1 << 23)   /* memfd_secret's (secretmem.c): get_user_pages refuses it */
#define VMA_NOMAYEXEC   (1 << 22)   /* of a noexec mount's file: PROT_EXEC never (no VM_MAYEXEC) */
/* Bytes of [addr, addr+len) in mm before the first secret page (secretmem.c). */
uint64_t mm_gup_span(struct mm *mm, uint64_t addr, uint64_t len);
struct task;
/* Whether t may lock more bytes: RLIMIT_MEMLOCK or CAP_IPC_LOCK (mlock.c). */
bool mlock_future_ok(struct task *t, uint64_t more);
/* Whether any VMA meeting [start, end) is sealed (mseal.c). */
bool mm_range_sealed(struct mm *mm, uint64_t start, uint64_t end);
uint64_t mm_locked_bytes(struct mm *mm);       /* VmLck, bytes */
struct task;
void mm_populate_locked(struct task *t, struct vma *v, uint64_t start, uint64_t end);
void mm_split_at(struct mm *mm, uint64_t addr); /* no VMA straddles addr after */
/* Whether t's address space has a page present or swapped in [start, end)
 * (its host pagemap; true when that cannot be read): pagemap.c */
bool mm_range_has_pages(struct task *t, uint64_t start, uint64_t end);
void mm_merge(struct mm *mm);                   /* joins neighbours nothing tells apart */
void aio_mm_release(struct mm *mm);             /* fs/aio.c: mm's AIO contexts end */
#define MM_PATCH_AFTER 8
#define VMA_SPECIAL 0x40000000   /* vma->flags: host vDSO pages, kept across execve */

/* ---- committed memory, vm.overcommit_* and --memory: commit.c ---- */
#define VMA_NORESERVE 0x4000     /* vma->flags: MAP_NORESERVE outside strict mode (VM_NORESERVE) */
extern uint64_t vm_commit_limit;   /* bytes; 0: no limit */
extern uint64_t vm_committed;      /* bytes, all mms and tmpfs */
extern long sysctl_overcommit_kbytes, sysctl_admin_reserve_kbytes, sysctl_user_reserve_kbytes;
/* Whether every change to a VMA is counted now: --memory or strict mode. */
#define vm_commit_counting() (vm_commit_limit || sysctl_overcommit_memory == 2)
uint64_t vma_commit_of(int prot, int flags, uint64_t len);
uint64_t mm_commit_range(struct mm *mm, uint64_t start, uint64_t end, uint64_t *acct);
int vm_commit_check(int64_t more, int64_t acct); /* 0 or -ENOMEM */
int vm_commit_charge(uint64_t bytes, uint64_t acct); /* tmpfs, SysV shm: 0 or -ENOMEM */
void vm_commit_uncharge(uint64_t bytes);
void mm_commit_sync(struct mm *mm);          /* after any change to mm's VMAs */
void mm_commit_release(struct mm *mm);
void vm_commit_resync_all(void);             /* every mm recounted (meminfo, mode 2) */
uint64_t vm_commit_bound(void);              /* the limit enforced now, bytes; UINT64_MAX: none */
uint64_t vm_commit_limit_shown(void);        /* /proc/meminfo's CommitLimit, bytes */
uint64_t vm_total_ram(void);                 /* MemTotal, bytes */
void vm_commit_init(void);                   /* the reserves' defaults, after --memory */
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
struct file_ops;
struct kstat;
/* A /proc/PID file over a task's mm, /proc/PID/mem's and pagemap's
 * (pagemap.c; the ptrace access mode checked at open) */
int proc_mm_open(struct task *t, struct task *c, int mode, const struct file_ops *ops, int flags,
		 struct file **out);
struct task *proc_mm_task(struct file *f);
int proc_mm_fstat(struct file *f, struct kstat *st, uint32_t mode);
int64_t proc_mm_llseek(struct file *f, int64_t off, int whence);
void proc_mm_release(struct file *f);
struct host_thread;
int mm_madvise(struct mm *mm, struct host_thread *host, uint64_t addr, uint64_t len, int advice);
long mm_dup_shared(struct mm *mm, struct vma *v, uint64_t old, uint64_t newlen, int flags, uint64_t newaddr);
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
uint64_t hugetlb_total_bytes(void);            /* the pool, bytes */
void hugetlb_meminfo(char *buf, size_t len);   /* /proc/meminfo's HugePages_* lines */
int hugetlb_proc_read(struct task *t, const char *name, char **text);
int hugetlb_proc_write(struct task *t, const char *name, const char *buf, size_t n);
extern const char *const hugetlb_sysfs_names[HUGETLB_SYSFS_N];
uint64_t hugetlb_sysfs_value(int i);
void sysfs_hugetlb_sync(void);            /* fs/sysfs.c: rewrites hugepages-2048kB/ */

/* ---- pagecache.c: which pages of a block-backed file are cached ---- */
struct pcache_inode;
struct pcache_ops {
	/* Optional: page pg's bytes differ from the filesystem's (KPF_DIRTY) */
	bool (*page_dirty)(struct pcache_inode *pi, uint64_t pg);
};
struct pcache_inode {
	struct list_head link;        /* all cached inodes */
	struct list_head hlink;       /* its hash bucket (owner, ino) */
	const void *owner;            /* the filesystem's object (an ext2 image) */
	uint64_t ino;
	uint32_t id;                  /* its block of PFNs */
	uint64_t *bits, nwords;       /* the cached pages */
	uint64_t nr;                  /* how many */
	int pins;                     /* VMAs mapping it: drop_caches keeps its pages */
	bool may_dirty;               /* the filesystem holds bytes not yet written back (ask page_dirty) */
	const struct pcache_ops *ops;
};
/* pcache_get: owner's inode ino's cache (made empty if none; NULL: no
 * memory); pcache_find: the same, NULL if none; pcache_forget(_owner):
 * the inode (every inode of owner) is gone: its pages go. */
struct pcache_inode *pcache_get(const void *owner, uint64_t ino, const struct pcache_ops *ops);
struct pcache_inode *pcache_find(const void *owner, uint64_t ino);
void pcache_forget(const void *owner, uint64_t ino);
void pcache_forget_owner(const void *owner);
/* pcache_fill: bytes [off, off+len) are read (or read ahead): their pages
 * are cached, each that was not counted as block I/O to t's
 * /proc/PID/io read_bytes; returns the pages missed.  pcache_account_read:
 * the same I/O counted without caching (O_DIRECT).  pcache_mark: written
 * pages are cached (no I/O).  pcache_cached_bytes: how many bytes from
 * off (before end, the file size) are cached contiguously. */
uint64_t pcache_fill(struct task *t, struct pcache_inode *pi, uint64_t off, uint64_t len);
void pcache_account_read(struct task *t, uint64_t off, uint64_t len);
void pcache_mark(struct pcache_inode *pi, uint64_t off, uint64_t len);
bool pcache_page_cached(const struct pcache_inode *pi, uint64_t pg);
uint64_t pcache_cached_bytes(const struct pcache_inode *pi, uint64_t off, uint64_t end);
/* pcache_truncate: pages past size go; pcache_invalidate: the clean
 * pages wholly inside [off, off+len) go (len 0: to the end; fadvise
 * DONTNEED); pcache_drop_caches: every clean page of an unpinned inode
 * goes (vm.drop_caches bit 1). */
void pcache_truncate(struct pcache_inode *pi, uint64_t size);
void pcache_invalidate(struct pcache_inode *pi, uint64_t off, uint64_t len);
/* pcache_truncate_range: the pages wholly inside [off, off+len) go, mapped
 * or not (a punched or shifted range: truncate_inode_pages_range) */
void pcache_truncate_range(struct pcache_inode *pi, uint64_t off, uint64_t len);
void pcache_drop_caches(void);
uint64_t pcache_nr_pages(void);
/* pcache_pfn: the frame number of page pg of pi (0: none), which
 * /proc/kpageflags describes; proc_kpageflags_open opens that file. */
uint64_t pcache_pfn(struct pcache_inode *pi, uint64_t pg);
int proc_kpageflags_open(struct task *t, int flags, struct file **out);
/* For the VFS and mm: pcache_of_file, f's state (NULL: f has none);
 * pcache_willneed: readahead(2), fadvise WILLNEED, madvise WILLNEED and
 * MAP_POPULATE read [off, off+len) of f in (len 0: to EOF), counted to t;
 * pcache_dontneed: fadvise DONTNEED; pcache_nowait_limit: how many bytes
 * a RWF_NOWAIT read of len bytes at pos may return without I/O (-1: no
 * limit, the file has no such state or pos is at EOF; -EAGAIN: none, and
 * the range is read in for the next try, as Linux starts readahead). */
struct pcache_inode *pcache_of_file(struct file *f);
/* pcache_wrprotect: page pg of pi, in t's writable shared mappings of
 * it, is made read-only on the host so that the next write through them
 * faults into pcache_wp_fault (pagecache_isize_extended: a file grown
 * past a page it had only partly).  pcache_wp_fault: a host write fault
 * of t at addr: 0 (the file's page_mkwrite gave the page its blocks and
 * the mapping is writable again: run the access again), 1 (deliver
 * *info, made a SIGBUS: no space), -EFAULT (not such a fault). */
void pcache_wrprotect(struct task *t, struct pcache_inode *pi, uint64_t pg);
int pcache_wp_fault(struct task *t, uint64_t addr, int64_t err, linux_siginfo_t *info);
void pcache_willneed(struct task *t, struct file *f, uint64_t off, uint64_t len);
void pcache_dontneed(struct file *f, uint64_t off, uint64_t len);
int64_t pcache_nowait_limit(struct task *t, struct file *f, uint64_t pos, uint64_t len);

#endif
