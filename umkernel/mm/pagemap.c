/*
 * pagemap.c - /proc/PID/pagemap: one 64-bit entry per virtual page of
 * the task's address space, in Linux's format
 * (Documentation/admin-guide/mm/pagemap.rst, fs/proc/task_mmu.c):
 *
 *   bit 63 present, 62 swapped, 61 file page or shared anonymous,
 *   57 userfaultfd write-protected, 56 mapped exclusively, 55 soft-dirty,
 *   bits 0-54 the page frame number (or swap type and offset).
 *
 * In a nutshell: the guest's pages live in its stub process, so the
 * stub's own host pagemap tells which are present, swapped, exclusive or
 * soft-dirty.  The host's frame numbers and swap locations are never
 * shown (host physical addresses are not the guest's to see): a page of
 * a file whose page cache umk keeps (ext2) shows umk's own frame number
 * for it (mm/pagecache.c, which /proc/kpageflags describes) to an opener
 * with CAP_SYS_ADMIN, as Linux's pm->show_pfn; every other frame is 0
 * (what Linux shows readers without CAP_SYS_ADMIN).
 * Addresses outside the guest's VMAs (holes, the stub's region) read as
 * 0, as Linux's pagemap_pte_hole.
 *
 * Lock: klock, held.
 */
#include "../kernel.h"
#include "mm.h"
#include "../fs/fs.h"
#include "../kernel/ptrace.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PM_ENTRY_BYTES 8
#define PM_KEPT_BITS   ((1ULL << 63) | (1ULL << 62) | (1ULL << 61) | (1ULL << 57) | \
			(1ULL << 56) | (1ULL << 55))

/* ---- a /proc/PID file over a task's mm: mem (kernel/ptrace.c) and
 * pagemap (below), as Linux's proc_mem_open serves both ---- */

struct proc_mm_file { int tid; struct mm *mm; bool show_pfn; };

/*
 * proc_mm_open - a file of ops over c's mm for t, if t has ptrace access
 * mode (PTRACE_MODE_* | PTRACE_MODE_FSCREDS) to c; the file's priv is a
 * struct proc_mm_file (show_pfn: t may see frame numbers).  flags: open's
 * (the creation flags dropped).  0 and *out; -EACCES (no mm, no access),
 * -ENOMEM.  Mirrors fs/proc/base.c's proc_mem_open.
 */
int proc_mm_open(struct task *t, struct task *c, int mode, const struct file_ops *ops, int flags,
		 struct file **out)
{
	if (!c->mm || !c->host)
		return -EACCES;
	if (!ptrace_may_access(t, c, mode))
		return -EACCES;
	struct proc_mm_file *pm = calloc(1, sizeof *pm);
	if (!pm)
		return -ENOMEM;
	pm->tid = c->tid;
	pm->mm = c->mm;
	pm->show_pfn = capable(t, CAP_SYS_ADMIN);
	struct file *f = file_alloc(ops, flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC), NULL);
	if (!f) {
		free(pm);
		return -ENOMEM;
	}
	f->priv = pm;
	*out = f;
	return 0;
}

/* The task whose mm the file shows, NULL once it is gone or has another
 * mm (after an execve). */
struct task *proc_mm_task(struct file *f)
{
	struct proc_mm_file *pm = f->priv;
	struct task *c = task_find(pm->tid);
	if (!c || c->mm != pm->mm || !c->host)
		return NULL;
	return c;
}

/* fstat: a regular file of mode (0600, 0400...) owned by the task's
 * effective ids. */
int proc_mm_fstat(struct file *f, struct kstat *st, uint32_t mode)
{
	struct proc_mm_file *pm = f->priv;
	struct task *c = task_find(pm->tid);
	memset(st, 0, sizeof *st);
	st->mode = 0100000 | mode;
	st->nlink = 1;
	st->blksize = 1024;
	if (c) {
		st->uid = c->cred.euid;
		st->gid = c->cred.egid;
	}
	return 0;
}

/* Offsets are addresses (mem) or page numbers times 8 (pagemap): any
 * value SEEK_SET and SEEK_CUR make, SEEK_END -EINVAL (mem_lseek). */
int64_t proc_mm_llseek(struct file *f, int64_t off, int whence)
{
	switch (whence) {
	case 0: f->pos = off; return off;
	case 1: f->pos += off; return f->pos;
	}
	return -EINVAL;
}

void proc_mm_release(struct file *f)
{
	free(f->priv);
	f->priv = NULL;
}

/* ---- /proc/PID/pagemap ---- */

/* Entries for n pages from virtual page vpn into out[]: the host's bits
 * that Linux would show an unprivileged reader, 0 outside the VMAs. */
static void pagemap_fill(struct task *c, int hostfd, uint64_t vpn, size_t n, uint64_t *out, bool show_pfn)
{
	memset(out, 0, n * sizeof *out);
	if (hostfd < 0 || pread(hostfd, out, n * 8, (off_t)(vpn * 8)) != (ssize_t)(n * 8))
		memset(out, 0, n * sizeof *out);
	struct vma *v = NULL;
	for (size_t i = 0; i < n; i++) {
		uint64_t addr = (vpn + i) * GUEST_PAGE_SIZE;
		if (!v || addr < v->start || addr >= v->end)
			v = mm_find_vma(c->mm, addr);
		if (!v) {
			out[i] = 0;
			continue;
		}
		out[i] &= PM_KEPT_BITS;
		if (show_pfn && (out[i] >> 63) && v->file && (v->flags & MAP_TYPE) == MAP_SHARED) {
			uint64_t pfn = pcache_pfn(pcache_of_file(v->file),
						  (v->pgoff + (addr - v->start)) / GUEST_PAGE_SIZE);
			out[i] |= pfn & ((1ULL << 55) - 1);
		}
	}
}

/*
 * read(2) of pagemap: *pos and n must be multiples of 8 (-EINVAL, as
 * Linux's pagemap_read); past the end of user space is end of file.
 */
static ssize_t pagemap_read(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	(void)t;
	if ((*pos % PM_ENTRY_BYTES) || (n % PM_ENTRY_BYTES))
		return -EINVAL;
	struct task *c = proc_mm_task(f);
	if (!c)
		return 0;   /* the address space is gone */
	uint64_t vpn = (uint64_t)*pos / PM_ENTRY_BYTES, end = GUEST_TASK_SIZE / GUEST_PAGE_SIZE;
	if (*pos < 0 || vpn >= end)
		return 0;
	size_t count = n / PM_ENTRY_BYTES;
	if (count > end - vpn)
		count = end - vpn;
	if (count > (1u << 17))
		count = 1u << 17;
	int hostfd = -1;
	if (platform->host_pid && host_proc_is_ours()) {
		char path[64];
		snprintf(path, sizeof path, "/proc/%d/pagemap", platform->host_pid(c->host));
		hostfd = open(path, O_RDONLY | O_CLOEXEC);
	}
	uint64_t *out = buf;
	for (size_t done = 0; done < count;) {
		size_t k = count - done < 512 ? count - done : 512;
		pagemap_fill(c, hostfd, vpn + done, k, out + done, ((struct proc_mm_file *)f->priv)->show_pfn);
		done += k;
	}
	if (hostfd >= 0)
		close(hostfd);
	*pos += (int64_t)(count * PM_ENTRY_BYTES);
	return (ssize_t)(count * PM_ENTRY_BYTES);
}

static int pagemap_fstat(struct file *f, struct kstat *st)
{
	return proc_mm_fstat(f, st, 0400);
}

static const struct file_ops pagemap_ops = {
	.read = pagemap_read,
	.fstat = pagemap_fstat,
	.llseek = proc_mm_llseek,
	.release = proc_mm_release,
	.seekable = true,
};

/*
 * proc_pagemap_open - opens /proc/PID/pagemap of c for t, only with
 * ptrace read access (PTRACE_MODE_READ_FSCREDS, Linux's proc_mem_open for
 * pagemap; the mode, 0400, is checked by the caller's path walk); it has
 * no write.  0 and *out, or -errno.
 */
int proc_pagemap_open(struct task *t, struct task *c, int flags, struct file **out)
{
	return proc_mm_open(t, c, PTRACE_MODE_READ | PTRACE_MODE_FSCREDS, &pagemap_ops, flags, out);
}

/*
 * mm_range_has_pages - whether t's address space has a page present or
 * swapped out in [start, end), from its host's /proc/PID/pagemap (bits 63
 * and 62); true when that cannot be read.  Stops at the first page found.
 */
bool mm_range_has_pages(struct task *t, uint64_t start, uint64_t end)
{
	uint64_t ent[512];
	char path[64];
	bool found = true;
	int fd;

	if (!t || !t->host || !platform->host_pid || !host_proc_is_ours())
		return true;
	snprintf(path, sizeof path, "/proc/%d/pagemap", platform->host_pid(t->host));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;
	for (uint64_t vpn = start / GUEST_PAGE_SIZE; vpn < end / GUEST_PAGE_SIZE;) {
		size_t k = end / GUEST_PAGE_SIZE - vpn < 512 ? end / GUEST_PAGE_SIZE - vpn : 512;
		ssize_t r = pread(fd, ent, k * 8, (off_t)(vpn * 8));

		if (r != (ssize_t)(k * 8))
			goto out;
		for (size_t i = 0; i < k; i++)
			if (ent[i] >> 62)
				goto out;
		vpn += k;
	}
	found = false;
out:
	close(fd);
	return found;
}
