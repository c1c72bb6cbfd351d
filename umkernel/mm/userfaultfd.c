/*
 * userfaultfd.c - userfaultfd(2), /dev/userfaultfd and the UFFDIO_*
 * ioctls (Linux's fs/userfaultfd.c and mm/userfaultfd.c).
 *
 * In a nutshell: a guest's page faults are taken by the host kernel, in
 * the stub, and never reach umk (DESIGN.md decision 2).  To see the faults
 * userfaultfd must report, umk makes them host faults that it does see:
 * a page a registration must trap gets a host protection narrower than
 * its VMA's (a "trap span", kept per mm here, not in the VMAs, so that
 * splits, merges and the VMA code are untouched):
 *
 *   MISSING  not populated, range registered MODE_MISSING   host PROT_NONE
 *   MINOR    shmem page in the page cache but not mapped    host PROT_NONE
 *            here, range registered MODE_MINOR
 *   WP       UFFDIO_WRITEPROTECT'ed page                    prot & ~PROT_WRITE
 *   POISON   UFFDIO_POISON: SIGBUS on access                host PROT_NONE
 *   FILLED   written by UFFDIO_COPY from another mm, whose  host PROT_NONE
 *            host thread umk may not mprotect
 *
 * A guest access then stops the thread with a host SIGSEGV (both
 * platforms report it as EV_FAULT); kernel/task.c asks uffd_handle_fault
 * first, which queues a struct uffd_msg, sleeps the faulting task on the
 * context until UFFDIO_COPY/ZEROPAGE/CONTINUE/WRITEPROTECT/WAKE (or the
 * context's release) wakes it, and lets the instruction run again.  A
 * span whose registration is gone (unregistered, uffd closed, a forked
 * child, mremap'ed) is "stale": the next fault on it restores the VMA's
 * protection and the access proceeds as Linux's would (zero page, file
 * page).  Populating writes through /proc/PID/mem of the stub (FOLL_FORCE
 * writes a PROT_NONE private page whole, so no other thread sees half a
 * page), or the shmem file's host fd, then sets the VMA's protection.
 * Whether a page is populated comes from the stub's /proc/PID/pagemap
 * and, for shmem, mincore of the file.
 *
 * umk's own accesses to guest memory (read(2) into a trapped page...)
 * run under klock with state the caller keeps, so they do not sleep for
 * a userfault: they fail with EFAULT, as Linux answers a kernel access in
 * a UFFD_USER_MODE_ONLY context (usercopy.c first resolves stale spans).
 * Under the ptrace platform a fault's error code is unknown, so
 * UFFD_PAGEFAULT_FLAG_WRITE is reported only for WP faults there.
 *
 * A handler in another process (the fd passed or inherited) may COPY,
 * ZEROPAGE, WAKE, POISON, CONTINUE and clear write protection: the data
 * is written through /proc/PID/mem or the file, the page left FILLED
 * for the faulting thread to map; only the mm's own threads may edit its
 * host mappings, so REGISTER, UNREGISTER, setting WP and MOVE from
 * there are EPERM.
 *
 * Not implemented: the non-cooperative events (EVENT_FORK, REMAP, REMOVE,
 * UNMAP: not offered by UFFDIO_API), hugetlbfs, WP_UNPOPULATED/WP_ASYNC.
 *
 * Lock: klock guards every context, mm's uffd state and trap span.
 */
#include "../kernel.h"
#include "mm.h"
#include "../fs/fs.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

/* newer than the host's uapi header may be */
#ifndef UFFD_FEATURE_POISON
#define UFFD_FEATURE_POISON (1 << 14)
#endif
#ifndef UFFD_FEATURE_MOVE
#define UFFD_FEATURE_MOVE (1 << 16)
#endif
#define UFFD_USER_MODE_ONLY_ 1
#define UFFDIO_MOVE_NR_ 0x05
#define UFFDIO_POISON_NR_ 0x08
#define UFFDIO_MOVE_ _IOWR(UFFDIO, UFFDIO_MOVE_NR_, struct uffdio_move_)
#define UFFDIO_POISON_ _IOWR(UFFDIO, UFFDIO_POISON_NR_, struct uffdio_poison_)
#define UFFDIO_MOVE_MODE_DONTWAKE_ 1
#define UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES_ 2
#define UFFDIO_POISON_MODE_DONTWAKE_ 1
struct uffdio_move_ { uint64_t dst, src, len, mode; int64_t move; };
struct uffdio_poison_ { struct uffdio_range range; uint64_t mode; int64_t updated; };

#define PG GUEST_PAGE_SIZE
#define UFFD_FEATURES_ (UFFD_FEATURE_PAGEFAULT_FLAG_WP | UFFD_FEATURE_MISSING_SHMEM | \
			UFFD_FEATURE_SIGBUS | UFFD_FEATURE_THREAD_ID | UFFD_FEATURE_MINOR_SHMEM | \
			UFFD_FEATURE_EXACT_ADDRESS | UFFD_FEATURE_POISON | UFFD_FEATURE_MOVE)
#define UFFD_REG_MODES_ (UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP | \
			 UFFDIO_REGISTER_MODE_MINOR)

long sysctl_unprivileged_userfaultfd = 0;   /* vm.unprivileged_userfaultfd */

enum { T_NONE, T_MISSING, T_MINOR, T_WP, T_POISON, T_FILLED };

/* A sorted array of disjoint ranges: registrations (ctx, mode) or trap
 * spans (state). */
struct span {
	uint64_t start, end;
	int state;                    /* trap spans: T_* */
	int mode;                     /* registrations: UFFDIO_REGISTER_MODE_* */
	struct uffd_ctx *ctx;         /* registrations */
};
struct spanset {
	struct span *v;
	int n;
};

struct uffd_ctx {
	int refs;                     /* the file, and each faulting task asleep on it */
	struct mm *mm;                /* its address space; NULL once that is gone */
	struct list_head mm_link;     /* mm->uffd->ctxs */
	uint64_t features;            /* negotiated by UFFDIO_API */
	bool api_done;
	bool user_mode_only;
	bool released;                /* the file is closed */
	struct list_head faults;      /* struct uffd_fault, oldest first */
	struct wait_queue fd_wq;      /* readers and pollers */
	struct wait_queue fault_wq;   /* faulting tasks */
};

/* One pending fault, on the faulting task's kernel stack. */
struct uffd_fault {
	struct list_head link;        /* ctx->faults while queued */
	uint64_t addr;                /* page */
	struct uffd_msg msg;
	bool queued, read, woken;
};

struct uffd_mm {
	struct list_head ctxs;        /* contexts made for this mm */
	struct spanset regs, traps;
};

/* ---- span sets ---- */

static bool span_same(const struct span *a, const struct span *b)
{
	return a->end == b->start && a->state == b->state && a->mode == b->mode && a->ctx == b->ctx;
}

/* Sets [start, end) to tmpl's value (tmpl NULL: clears it). */
static void ss_set(struct spanset *s, uint64_t start, uint64_t end, const struct span *tmpl)
{
	struct span *out = malloc((size_t)(s->n + 3) * sizeof *out);
	int k = 0;
	bool ins = !tmpl;
	struct span t;

	if (!out)
		return;
	if (tmpl) {
		t = *tmpl;
		t.start = start;
		t.end = end;
	}
	for (int i = 0; i < s->n; i++) {
		struct span x = s->v[i], y;

		if (x.end <= start) {
			out[k++] = x;
			continue;
		}
		if (x.start >= end) {
			if (!ins) {
				out[k++] = t;
				ins = true;
			}
			out[k++] = x;
			continue;
		}
		if (x.start < start) {
			y = x;
			y.end = start;
			out[k++] = y;
		}
		if (!ins) {
			out[k++] = t;
			ins = true;
		}
		if (x.end > end) {
			y = x;
			y.start = end;
			out[k++] = y;
		}
	}
	if (!ins)
		out[k++] = t;
	int m = 0;
	for (int i = 0; i < k; i++) {
		if (m && span_same(&out[m - 1], &out[i]))
			out[m - 1].end = out[i].end;
		else
			out[m++] = out[i];
	}
	free(s->v);
	s->v = out;
	s->n = m;
}

static struct span *ss_find(struct spanset *s, uint64_t addr)
{
	int lo = 0, hi = s->n;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (s->v[mid].end <= addr)
			lo = mid + 1;
		else if (s->v[mid].start > addr)
			hi = mid;
		else
			return &s->v[mid];
	}
	return NULL;
}

/* ---- host protection ---- */

/* Whether t's kernel thread may edit mm's host address space. */
static bool owns(struct task *t, struct mm *mm)
{
	return t && t == current && t->mm == mm && t->host;
}

/* Any task's host thread in mm (for /proc/PID/mem and pagemap), or NULL. */
static struct host_thread *mm_any_host(struct mm *mm)
{
	if (current && current->mm == mm && current->host)
		return current->host;
	for (struct list_head *p = all_tasks.next; p != &all_tasks; p = p->next) {
		struct task *o = list_entry(p, struct task, all);
		if (o->mm == mm && o->host)
			return o->host;
	}
	return NULL;
}

static int trap_prot(int state, int vprot)
{
	return state == T_WP ? vprot & ~PROT_WRITE : PROT_NONE;
}

/* Gives [start, end) the host protection its VMAs and trap spans call
 * for; t owns mm (owns()). */
static void set_host_prot(struct task *t, struct mm *mm, uint64_t start, uint64_t end)
{
	struct uffd_mm *um = mm->uffd;

	for_each_vma(mm, v) {
		if (v->end <= start)
			continue;
		if (v->start >= end)
			break;
		uint64_t a = v->start > start ? v->start : start, e = v->end < end ? v->end : end;
		while (a < e) {
			struct span *s = um ? ss_find(&um->traps, a) : NULL;
			uint64_t b = e;
			int prot = v->prot;

			if (s) {
				b = s->end < e ? s->end : e;
				prot = trap_prot(s->state, v->prot);
			} else if (um) {
				for (int i = 0; i < um->traps.n; i++)
					if (um->traps.v[i].start > a) {
						if (um->traps.v[i].start < b)
							b = um->traps.v[i].start;
						break;
					}
			}
			platform->mprotect(t->host, a, b - a, prot);
			a = b;
		}
	}
}

static struct uffd_mm *um_get(struct mm *mm)
{
	if (!mm->uffd) {
		mm->uffd = calloc(1, sizeof *mm->uffd);
		if (mm->uffd)
			list_init(&mm->uffd->ctxs);
	}
	return mm->uffd;
}

/* ---- what is populated ---- */

static bool vma_is_shmem(struct vma *v, int *hostfd)
{
	*hostfd = -1;
	if (v->shm_id)
		return true;
	if (!v->file || !v->file->ops->host_fd)
		return false;
	int fd = v->file->ops->host_fd(v->file);
	struct statfs sf;
	if (fd < 0 || fstatfs(fd, &sf) || sf.f_type != 0x01021994 /* TMPFS_MAGIC */)
		return false;
	*hostfd = fd;
	return true;
}

/* Whether a VMA may be registered (vma_can_userfault): anonymous or
 * shmem memory; MINOR needs shmem. */
static bool vma_can_userfault(struct vma *v, int mode)
{
	int fd;
	if (v->flags & VMA_SPECIAL)
		return false;
	if (vma_is_shmem(v, &fd))
		return true;
	if (v->file)
		return false;
	return !(mode & UFFDIO_REGISTER_MODE_MINOR);
}

/* For n pages of v from addr: present[i] (mapped in the stub's page
 * tables) and cached[i] (shmem: in the file's page cache; else =
 * present).  Without a view of the host every page counts as present. */
static void page_states(struct mm *mm, struct vma *v, uint64_t addr, size_t n, unsigned char *present,
			unsigned char *cached)
{
	struct host_thread *h = mm_any_host(mm);
	int fd = -1, hfd;
	char path[64];

	memset(present, 1, n);
	if (h && platform->host_pid && host_proc_is_ours()) {
		snprintf(path, sizeof path, "/proc/%d/pagemap", platform->host_pid(h));
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd >= 0) {
		uint64_t ent[512];
		for (size_t done = 0; done < n;) {
			size_t k = n - done < 512 ? n - done : 512;
			ssize_t r = pread(fd, ent, k * 8, (off_t)((addr / PG + done) * 8));
			if (r <= 0)
				break;
			for (size_t i = 0; i < (size_t)r / 8; i++)
				present[done + i] = (ent[i] >> 62) & 3 ? 1 : 0;
			done += (size_t)r / 8;
		}
		close(fd);
	}
	memcpy(cached, present, n);
	if (vma_is_shmem(v, &hfd) && hfd >= 0) {
		struct stat st;
		uint64_t off = v->pgoff + (addr - v->start);
		memset(cached, 0, n);
		if (fstat(hfd, &st) || (uint64_t)st.st_size <= off)
			return;
		size_t fn = (PAGE_ALIGN((uint64_t)st.st_size) - off) / PG;
		if (fn > n)
			fn = n;
		void *m = mmap(NULL, fn * PG, PROT_READ, MAP_SHARED, hfd, (off_t)off);
		if (m == MAP_FAILED)
			return;
		mincore(m, fn * PG, cached);
		munmap(m, fn * PG);
		for (size_t i = 0; i < fn; i++)
			cached[i] &= 1;
	}
}

/* Traps the pages of [start, end) that registration mode must see
 * faults on (MISSING: not populated; MINOR: cached but not mapped),
 * where no trap is already; t owns mm. */
static void trap_range(struct task *t, struct mm *mm, uint64_t start, uint64_t end, int mode)
{
	struct uffd_mm *um = mm->uffd;
	if (!(mode & (UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_MINOR)))
		return;
	for_each_vma(mm, v) {
		if (v->end <= start)
			continue;
		if (v->start >= end)
			break;
		uint64_t a = v->start > start ? v->start : start, e = v->end < end ? v->end : end;
		for (; a < e;) {
			size_t n = (e - a) / PG > 4096 ? 4096 : (e - a) / PG;
			unsigned char *pr = malloc(n), *ca = malloc(n);
			if (!pr || !ca) {
				free(pr);
				free(ca);
				return;
			}
			page_states(mm, v, a, n, pr, ca);
			for (size_t i = 0; i < n;) {
				uint64_t p = a + i * PG;
				int st = T_NONE;
				if (!pr[i] && !ca[i] && (mode & UFFDIO_REGISTER_MODE_MISSING))
					st = T_MISSING;
				else if (!pr[i] && ca[i] && (mode & UFFDIO_REGISTER_MODE_MINOR))
					st = T_MINOR;
				if (st == T_NONE || ss_find(&um->traps, p)) {
					i++;
					continue;
				}
				size_t j = i + 1;
				while (j < n && !ss_find(&um->traps, a + j * PG) &&
				       ((st == T_MISSING && !pr[j] && !ca[j]) || (st == T_MINOR && !pr[j] && ca[j])))
					j++;
				struct span s = { .state = st };
				ss_set(&um->traps, p, a + j * PG, &s);
				platform->mprotect(t->host, p, (j - i) * PG, PROT_NONE);
				i = j;
			}
			free(pr);
			free(ca);
			a += n * PG;
		}
	}
	(void)t;
}

/* ---- the context ---- */

static void ctx_put(struct uffd_ctx *ctx)
{
	if (--ctx->refs == 0)
		free(ctx);
}

static int reg_need(int state)
{
	switch (state) {
	case T_MISSING: return UFFDIO_REGISTER_MODE_MISSING;
	case T_MINOR: return UFFDIO_REGISTER_MODE_MINOR;
	case T_WP: return UFFDIO_REGISTER_MODE_WP;
	default: return 0;
	}
}

/* Whether the trap at addr (span s) still has a live registration. */
static bool trap_active(struct uffd_mm *um, struct span *s, uint64_t addr)
{
	if (s->state == T_POISON)
		return true;
	struct span *r = ss_find(&um->regs, addr);
	return r && r->ctx && !r->ctx->released && (r->mode & reg_need(s->state));
}

/* Wakes the faults of ctx in [start, start+len). */
static void wake_range(struct uffd_ctx *ctx, uint64_t start, uint64_t len)
{
	struct list_head *p, *n;
	bool any = false;

	list_for_each_safe(p, n, &ctx->faults) {
		struct uffd_fault *f = list_entry(p, struct uffd_fault, link);
		if (f->addr >= start && f->addr < start + len) {
			list_del(&f->link);
			f->queued = false;
			f->woken = true;
			any = true;
		}
	}
	if (any)
		wake_up(&ctx->fault_wq);
}

/* Drops stale traps in [start, end) (all but live registrations' and
 * poison) and restores the VMAs' protection there; t owns mm.  Returns
 * whether anything changed. */
static bool resolve_stale(struct task *t, struct mm *mm, uint64_t start, uint64_t end)
{
	struct uffd_mm *um = mm->uffd;
	bool changed = false;

	if (!um)
		return false;
	for (uint64_t a = start & ~(PG - 1); a < end;) {
		struct span *s = ss_find(&um->traps, a);
		if (!s) {
			uint64_t next = end;
			for (int i = 0; i < um->traps.n; i++)
				if (um->traps.v[i].start > a) {
					next = um->traps.v[i].start;
					break;
				}
			a = next;
			continue;
		}
		uint64_t b = s->end < end ? s->end : end;
		/* cut at registration boundaries, which decide liveness */
		struct span *r = ss_find(&um->regs, a);
		if (r && r->end < b)
			b = r->end;
		if (!r)
			for (int i = 0; i < um->regs.n; i++)
				if (um->regs.v[i].start > a) {
					if (um->regs.v[i].start < b)
						b = um->regs.v[i].start;
					break;
				}
		if (!trap_active(um, s, a)) {
			ss_set(&um->traps, a, b, NULL);
			set_host_prot(t, mm, a, b);
			changed = true;
		}
		a = b;
	}
	return changed;
}

/* The context leaves its mm: registrations go, waiters wake. */
static void ctx_detach(struct uffd_ctx *ctx)
{
	struct mm *mm = ctx->mm;

	wake_range(ctx, 0, UINT64_MAX);
	if (!mm)
		return;
	struct uffd_mm *um = mm->uffd;
	for (int i = 0; i < um->regs.n;) {
		if (um->regs.v[i].ctx == ctx) {
			uint64_t s = um->regs.v[i].start, e = um->regs.v[i].end;
			ss_set(&um->regs, s, e, NULL);
			if (owns(current, mm))
				resolve_stale(current, mm, s, e);
			i = 0;
			continue;
		}
		i++;
	}
	list_del(&ctx->mm_link);
	ctx->mm = NULL;
}

/* ---- faults ---- */

int uffd_handle_fault(struct task *t, uint64_t addr, int64_t err, linux_siginfo_t *info)
{
	struct mm *mm = t->mm;
	struct uffd_mm *um = mm ? mm->uffd : NULL;
	uint64_t page = addr & ~(PG - 1);

	if (!um || info->si_signo != SIGSEGV)
		return -EFAULT;
	struct span *s = ss_find(&um->traps, page);
	struct vma *v = mm_find_vma(mm, page);
	if (!s || !v)
		return -EFAULT;
	bool write = err >= 0 && (err & 2);
	if (v->prot == PROT_NONE || ((write || s->state == T_WP) && !(v->prot & PROT_WRITE)))
		return -EFAULT;   /* the VMA forbids it: SIGSEGV as always */
	if (s->state == T_POISON) {
		memset(info, 0, sizeof *info);
		info->si_signo = SIGBUS;
		info->si_code = 2;   /* BUS_ADRERR, as Linux 6.18 reports a poison marker */
		info->u.fault.addr = addr;
		return 1;
	}
	if (!trap_active(um, s, page)) {
		if (!owns(t, mm))
			return -EFAULT;
		resolve_stale(t, mm, page, page + PG);
		return 0;
	}
	struct uffd_ctx *ctx = ss_find(&um->regs, page)->ctx;
	if (ctx->features & UFFD_FEATURE_SIGBUS) {
		memset(info, 0, sizeof *info);
		info->si_signo = SIGBUS;
		info->si_code = 2;   /* BUS_ADRERR: VM_FAULT_SIGBUS */
		info->u.fault.addr = addr;
		return 1;
	}
	struct uffd_fault f;
	struct waiter w;
	memset(&f, 0, sizeof f);
	f.addr = page;
	f.msg.event = UFFD_EVENT_PAGEFAULT;
	f.msg.arg.pagefault.address = (ctx->features & UFFD_FEATURE_EXACT_ADDRESS) ? addr : page;
	if (s->state == T_WP)
		f.msg.arg.pagefault.flags = UFFD_PAGEFAULT_FLAG_WP | UFFD_PAGEFAULT_FLAG_WRITE;
	else if (s->state == T_MINOR)
		f.msg.arg.pagefault.flags = UFFD_PAGEFAULT_FLAG_MINOR | (write ? UFFD_PAGEFAULT_FLAG_WRITE : 0);
	else
		f.msg.arg.pagefault.flags = write ? UFFD_PAGEFAULT_FLAG_WRITE : 0;
	if (ctx->features & UFFD_FEATURE_THREAD_ID)
		f.msg.arg.pagefault.feat.ptid = (uint32_t)task_pid_vnr(t, t);
	list_add_tail(&f.link, &ctx->faults);
	f.queued = true;
	ctx->refs++;
	wake_up(&ctx->fd_wq);
	while (!f.woken && !ctx->released) {
		waitq_add(&ctx->fault_wq, &w, t);
		int r = task_sleep(t, 0, -1, 0);
		waitq_del(&w);
		if (r == -EINTR)
			break;   /* the signal is handled, then the access faults again */
	}
	if (f.queued)
		list_del(&f.link);
	ctx_put(ctx);
	/* COPY by another mm left the page FILLED: map it now */
	if (mm == t->mm && mm->uffd && owns(t, mm))
		resolve_stale(t, mm, page, page + PG);
	return 0;
}

bool uffd_fixup_user(struct task *t, uint64_t addr, uint64_t len)
{
	if (!t->mm || !t->mm->uffd || !owns(t, t->mm) || !len || addr + len < addr)
		return false;
	return resolve_stale(t, t->mm, addr, PAGE_ALIGN(addr + len));
}

/* ---- mm hooks (mmap.c) ---- */

void uffd_mm_release(struct mm *mm)
{
	struct uffd_mm *um = mm->uffd;
	if (!um)
		return;
	while (!list_empty(&um->ctxs)) {
		struct uffd_ctx *ctx = list_entry(um->ctxs.next, struct uffd_ctx, mm_link);
		wake_range(ctx, 0, UINT64_MAX);
		list_del(&ctx->mm_link);
		ctx->mm = NULL;
	}
	free(um->regs.v);
	free(um->traps.v);
	free(um);
	mm->uffd = NULL;
}

struct uffd_mm *uffd_mm_fork(struct mm *old)
{
	/* no UFFD_FEATURE_EVENT_FORK: the child's VMAs are not registered,
	 * so every trap it inherits is stale but poison (copy_nonpresent_pte
	 * keeps poison markers) */
	struct uffd_mm *o = old->uffd, *n;
	if (!o || !o->traps.n || !(n = calloc(1, sizeof *n)))
		return NULL;
	list_init(&n->ctxs);
	n->traps.v = malloc((size_t)o->traps.n * sizeof *n->traps.v);
	if (!n->traps.v) {
		free(n);
		return NULL;
	}
	memcpy(n->traps.v, o->traps.v, (size_t)o->traps.n * sizeof *n->traps.v);
	n->traps.n = o->traps.n;
	return n;
}

void uffd_unmap(struct mm *mm, uint64_t start, uint64_t end)
{
	ss_set(&mm->uffd->regs, start, end, NULL);
	ss_set(&mm->uffd->traps, start, end, NULL);
}

void uffd_reprotect(struct mm *mm, uint64_t start, uint64_t end)
{
	struct uffd_mm *um = mm->uffd;
	if (!owns(current, mm))
		return;
	for (int i = 0; i < um->traps.n; i++) {
		struct span *s = &um->traps.v[i];
		uint64_t a = s->start > start ? s->start : start, b = s->end < end ? s->end : end;
		if (a < b)
			set_host_prot(current, mm, a, b);
	}
}

void uffd_mremap(struct mm *mm, uint64_t start, uint64_t end, bool dontunmap)
{
	/* no UFFD_FEATURE_EVENT_REMAP: the moved VMA is unregistered
	 * (mremap_userfaultfd_prep), so the traps go before the host moves
	 * the pages (one host mapping: the range must have one protection).
	 * MREMAP_DONTUNMAP keeps the old VMA and its registration
	 * (mmap.c then traps its pages again with uffd_zap). */
	if (!owns(current, mm))
		return;
	if (!dontunmap)
		ss_set(&mm->uffd->regs, start, end, NULL);
	ss_set(&mm->uffd->traps, start, end, NULL);
	set_host_prot(current, mm, start, end);
}

void uffd_zap(struct mm *mm, uint64_t start, uint64_t end)
{
	struct uffd_mm *um = mm->uffd;
	if (!owns(current, mm))
		return;
	/* the pages are gone: so are their traps; what the registrations
	 * see now (missing, minor) is trapped again */
	ss_set(&um->traps, start, end, NULL);
	set_host_prot(current, mm, start, end);
	for (int i = 0; i < um->regs.n; i++) {
		struct span *r = &um->regs.v[i];
		uint64_t a = r->start > start ? r->start : start, b = r->end < end ? r->end : end;
		if (a < b)
			trap_range(current, mm, a, b, r->mode);
	}
}

/* ---- read, poll, release ---- */

static ssize_t uffd_read(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	struct uffd_ctx *ctx = f->priv;
	size_t done = 0;
	struct waiter w;

	(void)pos;
	if (!ctx->api_done || n < sizeof(struct uffd_msg))
		return -EINVAL;
	for (;;) {
		for (struct list_head *p = ctx->faults.next; p != &ctx->faults && n - done >= sizeof(struct uffd_msg);
		     p = p->next) {
			struct uffd_fault *ft = list_entry(p, struct uffd_fault, link);
			if (ft->read)
				continue;
			ft->read = true;
			memcpy((char *)buf + done, &ft->msg, sizeof ft->msg);
			done += sizeof ft->msg;
		}
		if (done)
			return (ssize_t)done;
		if ((f->flags & O_NONBLOCK) || !t)
			return -EAGAIN;
		waitq_add(&ctx->fd_wq, &w, t);
		int r = task_sleep(t, 0, -1, 0);
		waitq_del(&w);
		if (r == -EINTR)
			return -ERESTARTSYS;
	}
}

static short uffd_poll(struct file *f, struct poll_table *pt)
{
	struct uffd_ctx *ctx = f->priv;

	poll_wait(pt, &ctx->fd_wq);
	if (!ctx->api_done)
		return POLLERR;
	/* "poll() never guarantees that read won't block": a blocking
	 * userfaultfd polls as an error (userfaultfd_poll) */
	if (!(f->flags & O_NONBLOCK))
		return POLLERR;
	for (struct list_head *p = ctx->faults.next; p != &ctx->faults; p = p->next)
		if (!list_entry(p, struct uffd_fault, link)->read)
			return POLLIN;
	return 0;
}

static void uffd_release(struct file *f)
{
	struct uffd_ctx *ctx = f->priv;

	ctx->released = true;
	ctx_detach(ctx);
	ctx_put(ctx);
	f->priv = NULL;
}

/* ---- ioctls ---- */

static int validate_range(uint64_t start, uint64_t len, bool aligned_start)
{
	if (aligned_start && (start & (PG - 1)))
		return -EINVAL;
	if ((len & (PG - 1)) || !len || start < GUEST_MIN_ADDR || start >= GUEST_TASK_SIZE ||
	    len > GUEST_TASK_SIZE - start)
		return -EINVAL;
	return 0;
}

static long uffd_api(struct task *t, struct uffd_ctx *ctx, uint64_t arg)
{
	struct uffdio_api a;
	if (copy_from_user(t, &a, arg, sizeof a))
		return -EFAULT;
	uint64_t want = a.features;
	long err = -EINVAL;
	if (a.api != UFFD_API)
		goto bad;
	a.features = UFFD_FEATURES_;
	a.ioctls = (1ULL << _UFFDIO_REGISTER) | (1ULL << _UFFDIO_UNREGISTER) | (1ULL << _UFFDIO_API);
	if (want & ~a.features)
		goto bad;
	if (copy_to_user(t, arg, &a, sizeof a))
		return -EFAULT;
	if (ctx->api_done)
		return -EINVAL;
	ctx->api_done = true;
	ctx->features = want;
	return 0;
bad:
	memset(&a, 0, sizeof a);
	if (copy_to_user(t, arg, &a, sizeof a))
		return -EFAULT;
	return err;
}

static uint64_t range_ioctls(int mode)
{
	uint64_t r = (1ULL << _UFFDIO_WAKE) | (1ULL << _UFFDIO_COPY) | (1ULL << _UFFDIO_ZEROPAGE) |
		     (1ULL << UFFDIO_MOVE_NR_) | (1ULL << UFFDIO_POISON_NR_);
	if (mode & UFFDIO_REGISTER_MODE_WP)
		r |= 1ULL << _UFFDIO_WRITEPROTECT;
	if (mode & UFFDIO_REGISTER_MODE_MINOR)
		r |= 1ULL << _UFFDIO_CONTINUE;
	return r;
}

static long uffd_register(struct task *t, struct uffd_ctx *ctx, uint64_t arg)
{
	struct uffdio_register r;
	struct mm *mm = ctx->mm;

	if (copy_from_user(t, &r, arg, sizeof r - sizeof r.ioctls))
		return -EFAULT;
	if ((r.mode & ~(uint64_t)UFFD_REG_MODES_) || !r.mode)
		return -EINVAL;
	long err = validate_range(r.range.start, r.range.len, true);
	if (err)
		return err;
	if (!mm)
		return -ENOMEM;
	if (!owns(t, mm))
		return -EPERM;   /* umk edits an address space only from its own threads */
	uint64_t start = r.range.start, end = start + r.range.len;
	bool found = false;
	for_each_vma(mm, v) {
		if (v->end <= start)
			continue;
		if (v->start >= end)
			break;
		found = true;
		if (!vma_can_userfault(v, (int)r.mode))
			return -EINVAL;
		if ((v->flags & MAP_TYPE) == MAP_SHARED && v->file && (v->file->flags & O_ACCMODE) != O_RDWR)
			return -EPERM;   /* no VM_MAYWRITE */
	}
	if (!found)
		return -EINVAL;
	struct uffd_mm *um = mm->uffd;
	for (int i = 0; i < um->regs.n; i++) {
		struct span *s = &um->regs.v[i];
		if (s->start < end && s->end > start && s->ctx != ctx)
			return -EBUSY;
	}
	/* the registration covers the VMAs that meet the range, whole, as
	 * Linux splits VMAs at the range's ends: only the range itself */
	for_each_vma(mm, v) {
		if (v->end <= start)
			continue;
		if (v->start >= end)
			break;
		uint64_t a = v->start > start ? v->start : start, b = v->end < end ? v->end : end;
		struct span s = { .ctx = ctx, .mode = (int)r.mode };
		ss_set(&um->regs, a, b, &s);
		trap_range(t, mm, a, b, (int)r.mode);
	}
	uint64_t ioctls = range_ioctls((int)r.mode);
	if (copy_to_user(t, arg + offsetof(struct uffdio_register, ioctls), &ioctls, sizeof ioctls))
		return -EFAULT;
	return 0;
}

static long uffd_unregister(struct task *t, struct uffd_ctx *ctx, uint64_t arg)
{
	struct uffdio_range r;
	struct mm *mm = ctx->mm;

	if (copy_from_user(t, &r, arg, sizeof r))
		return -EFAULT;
	long err = validate_range(r.start, r.len, true);
	if (err)
		return err;
	if (!mm)
		return -ENOMEM;
	if (!owns(t, mm))
		return -EPERM;
	uint64_t start = r.start, end = start + r.len;
	bool found = false;
	for_each_vma(mm, v) {
		if (v->end <= start)
			continue;
		if (v->start >= end)
			break;
		found = true;
		if (!vma_can_userfault(v, 0))
			return -EINVAL;
	}
	if (!found)
		return -EINVAL;
	struct uffd_mm *um = mm->uffd;
	for (int i = 0; i < um->regs.n; i++) {
		struct span *s = &um->regs.v[i];
		uint64_t a = s->start > start ? s->start : start, b = s->end < end ? s->end : end;
		if (a < b && s->ctx == ctx) {
			ss_set(&um->regs, a, b, NULL);
			wake_range(ctx, a, b - a);
			i = -1;
		}
	}
	resolve_stale(t, mm, start, end);
	return 0;
}

/* Whether [start, end) lies in one VMA registered with ctx (with mode
 * among its modes when mode is set): the dst_vma checks of mfill_atomic. */
static struct vma *dst_vma(struct uffd_ctx *ctx, uint64_t start, uint64_t end, int mode)
{
	struct mm *mm = ctx->mm;
	struct vma *v = mm_find_vma(mm, start);
	if (!v || v->end < end)
		return NULL;
	for (uint64_t a = start; a < end;) {
		struct span *r = ss_find(&mm->uffd->regs, a);
		if (!r || r->ctx != ctx || (mode && !(r->mode & mode)))
			return NULL;
		a = r->end;
	}
	return v;
}

/* Writes one page of data at page of v (its trap is T_MISSING or
 * T_MINOR), then maps it (owner) or leaves it FILLED.  wp: the page
 * stays write-protected.  0 or -errno. */
static int fill_page(struct task *t, struct uffd_ctx *ctx, struct vma *v, uint64_t page, const void *data,
		     bool wp)
{
	struct mm *mm = ctx->mm;
	struct uffd_mm *um = mm->uffd;
	bool own = owns(t, mm);
	int hfd;
	bool shmem = vma_is_shmem(v, &hfd);

	if (shmem && (v->flags & MAP_TYPE) == MAP_SHARED) {
		if (hfd >= 0) {
			struct stat st;
			uint64_t off = v->pgoff + (page - v->start);
			if (fstat(hfd, &st) || off >= (uint64_t)st.st_size)
				return -EFAULT;   /* past EOF: shmem_mfill_atomic_pte */
			if (pwrite(hfd, data, PG, (off_t)off) != (ssize_t)PG)
				return -ENOMEM;
		} else {
			if (!own)
				return -EINVAL;
			platform->mprotect(t->host, page, PG, PROT_READ | PROT_WRITE);
			if (platform->write_mem(t->host, page, data, PG) != (long)PG)
				return -EFAULT;
		}
	} else {
		struct host_thread *h = mm_any_host(mm);
		long n = h && platform->access_mem_force ? platform->access_mem_force(h, page, (void *)data, PG, true)
							 : -EIO;
		if (n != (long)PG) {
			if (!own)
				return -EFAULT;
			platform->mprotect(t->host, page, PG, PROT_READ | PROT_WRITE);
			if (platform->write_mem(t->host, page, data, PG) != (long)PG)
				return -EFAULT;
		}
	}
	struct span s = { .state = wp ? T_WP : T_FILLED };
	if (own && !wp)
		ss_set(&um->traps, page, page + PG, NULL);
	else
		ss_set(&um->traps, page, page + PG, &s);
	if (own)
		set_host_prot(t, mm, page, page + PG);
	return 0;
}

static int page_trap(struct mm *mm, uint64_t page)
{
	struct span *s = ss_find(&mm->uffd->traps, page);
	return s ? s->state : T_NONE;
}

/* UFFDIO_COPY (src != 0) and UFFDIO_ZEROPAGE (src == 0): returns bytes
 * done, or -errno if none. */
static long mfill(struct task *t, struct uffd_ctx *ctx, uint64_t dst, uint64_t src, uint64_t len, bool wp)
{
	struct vma *v = dst_vma(ctx, dst, dst + len, 0);
	if (!v)
		return -ENOENT;
	if (wp && !dst_vma(ctx, dst, dst + len, UFFDIO_REGISTER_MODE_WP))
		return -EINVAL;
	static char zero[PG];
	char *buf = malloc(PG);
	uint64_t done = 0;
	long err = 0;
	if (!buf)
		return -ENOMEM;
	for (; done < len; done += PG) {
		uint64_t page = dst + done;
		if (done && signal_pending(t))
			break;   /* a partial copy (-EAGAIN): klock is not held for long */
		if (page_trap(ctx->mm, page) != T_MISSING) {
			err = -EEXIST;
			break;
		}
		if (src && copy_from_user(t, buf, src + done, PG)) {
			err = -EFAULT;
			break;
		}
		if (!src && !wp && owns(t, ctx->mm) && !(v->flags & MAP_TYPE & MAP_SHARED)) {
			/* the page was never populated: opening it up gives
			 * the zero page on the next access */
			ss_set(&ctx->mm->uffd->traps, page, page + PG, NULL);
			set_host_prot(t, ctx->mm, page, page + PG);
			continue;
		}
		err = fill_page(t, ctx, v, page, src ? buf : zero, wp);
		if (err)
			break;
	}
	free(buf);
	return done ? (long)done : err;
}

/*
 * uffd_report - the end of every filling ioctl (COPY, ZEROPAGE, CONTINUE,
 * POISON, MOVE): writes the bytes done, or the error when none were, to
 * the guest's result field at res_addr; wakes the faults waiting on
 * [start, start + done) unless dontwake; returns 0 when all of len was
 * done, else -EAGAIN (a partial fill, as mfill_atomic's caller reports
 * it), or the error itself / -EFAULT when the result cannot be written.
 */
static long uffd_report(struct task *t, struct uffd_ctx *ctx, uint64_t res_addr, uint64_t start,
			uint64_t len, uint64_t done, long err, bool dontwake)
{
	int64_t res = done ? (int64_t)done : err;

	if (copy_to_user(t, res_addr, &res, sizeof res))
		return -EFAULT;
	if (res < 0)
		return res;
	if (!dontwake)
		wake_range(ctx, start, done);
	return done == len ? 0 : -EAGAIN;
}

static long uffd_copy(struct task *t, struct uffd_ctx *ctx, uint64_t arg, bool zero)
{
	uint64_t dst, src = 0, len, mode;
	size_t resoff;

	if (zero) {
		struct uffdio_zeropage z;
		if (copy_from_user(t, &z, arg, sizeof z - sizeof z.zeropage))
			return -EFAULT;
		dst = z.range.start;
		len = z.range.len;
		mode = z.mode;
		resoff = offsetof(struct uffdio_zeropage, zeropage);
		long err = validate_range(dst, len, true);
		if (err)
			return err;
		if (mode & ~(uint64_t)UFFDIO_ZEROPAGE_MODE_DONTWAKE)
			return -EINVAL;
	} else {
		struct uffdio_copy c;
		if (copy_from_user(t, &c, arg, sizeof c - sizeof c.copy))
			return -EFAULT;
		dst = c.dst;
		src = c.src;
		len = c.len;
		mode = c.mode;
		resoff = offsetof(struct uffdio_copy, copy);
		long err = validate_range(dst, len, true);
		if (err)
			return err;
		if (src + len <= src)   /* src need not be aligned */
			return -EINVAL;
		if (mode & ~(uint64_t)(UFFDIO_COPY_MODE_DONTWAKE | UFFDIO_COPY_MODE_WP))
			return -EINVAL;
	}
	if (!ctx->mm)
		return -ESRCH;
	long r = mfill(t, ctx, dst, src, len, !zero && (mode & UFFDIO_COPY_MODE_WP));
	return uffd_report(t, ctx, arg + resoff, dst, len, r > 0 ? (uint64_t)r : 0, r < 0 ? r : 0,
			   mode & 1 /* the DONTWAKE bit of both */);
}

static long uffd_wake(struct task *t, struct uffd_ctx *ctx, uint64_t arg)
{
	struct uffdio_range r;
	if (copy_from_user(t, &r, arg, sizeof r))
		return -EFAULT;
	long err = validate_range(r.start, r.len, true);
	if (err)
		return err;
	wake_range(ctx, r.start, r.len);
	return 0;
}

static long uffd_writeprotect(struct task *t, struct uffd_ctx *ctx, uint64_t arg)
{
	struct uffdio_writeprotect w;
	if (copy_from_user(t, &w, arg, sizeof w))
		return -EFAULT;
	long err = validate_range(w.range.start, w.range.len, true);
	if (err)
		return err;
	if (w.mode & ~(uint64_t)(UFFDIO_WRITEPROTECT_MODE_WP | UFFDIO_WRITEPROTECT_MODE_DONTWAKE))
		return -EINVAL;
	if ((w.mode & UFFDIO_WRITEPROTECT_MODE_WP) && (w.mode & UFFDIO_WRITEPROTECT_MODE_DONTWAKE))
		return -EINVAL;
	struct mm *mm = ctx->mm;
	if (!mm)
		return -ESRCH;
	uint64_t start = w.range.start, end = start + w.range.len;
	/* every VMA of the range must be registered for WP (mwriteprotect_range) */
	for (uint64_t a = start; a < end;) {
		struct vma *v = mm_find_vma(mm, a);
		if (!v || !dst_vma(ctx, a, v->end < end ? v->end : end, UFFDIO_REGISTER_MODE_WP))
			return -ENOENT;
		a = v->end;
	}
	bool own = owns(t, mm);
	if (!own && (w.mode & UFFDIO_WRITEPROTECT_MODE_WP))
		return -EPERM;   /* only the mm's own threads edit its host mappings */
	struct uffd_mm *um = mm->uffd;
	if (w.mode & UFFDIO_WRITEPROTECT_MODE_WP) {
		/* only populated pages take the marker (no WP_UNPOPULATED) */
		for_each_vma(mm, v) {
			if (v->end <= start)
				continue;
			if (v->start >= end)
				break;
			uint64_t a = v->start > start ? v->start : start, e = v->end < end ? v->end : end;
			size_t n = (e - a) / PG;
			unsigned char *pr = malloc(n), *ca = malloc(n);
			if (pr && ca) {
				page_states(mm, v, a, n, pr, ca);
				for (size_t i = 0; i < n; i++) {
					uint64_t p = a + i * PG;
					if ((pr[i] || ca[i]) && page_trap(mm, p) == T_NONE) {
						struct span s = { .state = T_WP };
						ss_set(&um->traps, p, p + PG, &s);
					}
				}
			}
			free(pr);
			free(ca);
		}
	} else {
		for (int i = 0; i < um->traps.n; i++) {
			struct span *s = &um->traps.v[i];
			uint64_t a = s->start > start ? s->start : start, b = s->end < end ? s->end : end;
			if (a < b && s->state == T_WP) {
				/* from another mm: the writer's own fault opens it */
				struct span f = { .state = T_FILLED };
				ss_set(&um->traps, a, b, own ? NULL : &f);
				i = -1;   /* the array was rebuilt */
			}
		}
	}
	if (own)
		set_host_prot(t, mm, start, end);
	if (!(w.mode & (UFFDIO_WRITEPROTECT_MODE_WP | UFFDIO_WRITEPROTECT_MODE_DONTWAKE)))
		wake_range(ctx, start, end - start);
	return 0;
}

static long uffd_continue(struct task *t, struct uffd_ctx *ctx, uint64_t arg)
{
	struct uffdio_continue c;
	if (copy_from_user(t, &c, arg, sizeof c - sizeof c.mapped))
		return -EFAULT;
	long err = validate_range(c.range.start, c.range.len, true);
	if (err)
		return err;
	if (c.mode & ~(uint64_t)(UFFDIO_CONTINUE_MODE_DONTWAKE | 2 /* _WP */))
		return -EINVAL;
	struct mm *mm = ctx->mm;
	if (!mm)
		return -ESRCH;
	uint64_t start = c.range.start, len = c.range.len, done = 0;
	struct vma *v = dst_vma(ctx, start, start + len, 0);
	int hfd;
	if (!v)
		err = -ENOENT;
	else if (!vma_is_shmem(v, &hfd))
		err = -EINVAL;
	else if (!owns(t, mm) && (c.mode & 2))
		err = -EPERM;   /* only the mm's own threads edit its host mappings */
	bool own = owns(t, mm);
	for (; !err && done < len; done += PG) {
		uint64_t page = start + done;
		unsigned char pr, ca;
		if (page_trap(mm, page) != T_MINOR) {
			err = -EEXIST;
			break;
		}
		page_states(mm, v, page, 1, &pr, &ca);
		if (!ca) {
			err = -EFAULT;   /* not in the page cache (SGP_NOALLOC) */
			break;
		}
		struct span s = { .state = (c.mode & 2) ? T_WP : T_FILLED };
		if (c.mode & 2 || !own)
			ss_set(&mm->uffd->traps, page, page + PG, &s);   /* FILLED: mapped at the next fault */
		else
			ss_set(&mm->uffd->traps, page, page + PG, NULL);
		if (own)
			set_host_prot(t, mm, page, page + PG);
	}
	return uffd_report(t, ctx, arg + offsetof(struct uffdio_continue, mapped), start, len, done, err,
			   c.mode & UFFDIO_CONTINUE_MODE_DONTWAKE);
}

static long uffd_poison(struct task *t, struct uffd_ctx *ctx, uint64_t arg)
{
	struct uffdio_poison_ p;
	if (copy_from_user(t, &p, arg, sizeof p - sizeof p.updated))
		return -EFAULT;
	long err = validate_range(p.range.start, p.range.len, true);
	if (err)
		return err;
	if (p.mode & ~(uint64_t)UFFDIO_POISON_MODE_DONTWAKE_)
		return -EINVAL;
	struct mm *mm = ctx->mm;
	if (!mm)
		return -ESRCH;
	uint64_t start = p.range.start, len = p.range.len, done = 0;
	if (!dst_vma(ctx, start, start + len, 0))
		err = -ENOENT;
	for (; !err && done < len; done += PG) {
		uint64_t page = start + done;
		if (page_trap(mm, page) != T_MISSING) {
			err = -EEXIST;
			break;
		}
		struct span s = { .state = T_POISON };
		ss_set(&mm->uffd->traps, page, page + PG, &s);
	}
	return uffd_report(t, ctx, arg + offsetof(struct uffdio_poison_, updated), start, len, done, err,
			   p.mode & UFFDIO_POISON_MODE_DONTWAKE_);
}

static long uffd_move(struct task *t, struct uffd_ctx *ctx, uint64_t arg)
{
	struct uffdio_move_ m;
	if (copy_from_user(t, &m, arg, sizeof m - sizeof m.move))
		return -EFAULT;
	if ((m.dst & (PG - 1)) || (m.src & (PG - 1)) || (m.len & (PG - 1)) || !m.len ||
	    m.src + m.len <= m.src || m.dst + m.len <= m.dst || m.dst + m.len > GUEST_TASK_SIZE ||
	    m.src + m.len > GUEST_TASK_SIZE || m.dst < GUEST_MIN_ADDR || m.src < GUEST_MIN_ADDR)
		return -EINVAL;
	if (m.mode & ~(uint64_t)(UFFDIO_MOVE_MODE_DONTWAKE_ | UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES_))
		return -EINVAL;
	if (m.src < m.dst + m.len && m.dst < m.src + m.len)
		return -EINVAL;   /* overlapping */
	struct mm *mm = ctx->mm;
	if (!mm)
		return -ESRCH;
	if (!owns(t, mm))
		return -EPERM;
	long err = 0;
	uint64_t done = 0;
	struct vma *dv = dst_vma(ctx, m.dst, m.dst + m.len, 0);
	struct vma *sv = mm_find_vma(mm, m.src);
	if (!dv || !sv || sv->end < m.src + m.len)
		err = -ENOENT;
	else if (dv->file || dv->shm_id || sv->file || sv->shm_id || (sv->flags & MAP_TYPE) == MAP_SHARED ||
		 (dv->flags & MAP_TYPE) == MAP_SHARED)
		err = -EINVAL;   /* private anonymous memory only */
	char *buf = malloc(PG);
	if (!buf)
		err = -ENOMEM;
	for (; !err && done < m.len; done += PG) {
		uint64_t d = m.dst + done, s = m.src + done;
		unsigned char pr, ca;
		if (page_trap(mm, d) != T_MISSING) {
			err = -EEXIST;
			break;
		}
		page_states(mm, sv, s, 1, &pr, &ca);
		if (!pr || page_trap(mm, s) != T_NONE) {
			if (m.mode & UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES_)
				continue;
			err = -ENOENT;
			break;
		}
		if (copy_from_user(t, buf, s, PG)) {
			err = -EFAULT;
			break;
		}
		err = fill_page(t, ctx, dv, d, buf, false);
		if (err)
			break;
		platform->madvise(t->host, s, PG, MADV_DONTNEED);
		if (mm->uffd)
			uffd_zap(mm, s, s + PG);
	}
	free(buf);
	return uffd_report(t, ctx, arg + offsetof(struct uffdio_move_, move), m.dst, m.len, done, err,
			   m.mode & UFFDIO_MOVE_MODE_DONTWAKE_);
}

static long uffd_ioctl(struct task *t, struct file *f, unsigned int cmd, uint64_t arg)
{
	struct uffd_ctx *ctx = f->priv;

	if (cmd == UFFDIO_API)
		return uffd_api(t, ctx, arg);
	if (!ctx->api_done)
		return -EINVAL;
	switch (cmd) {
	case UFFDIO_REGISTER: return uffd_register(t, ctx, arg);
	case UFFDIO_UNREGISTER: return uffd_unregister(t, ctx, arg);
	case UFFDIO_WAKE: return uffd_wake(t, ctx, arg);
	case UFFDIO_COPY: return uffd_copy(t, ctx, arg, false);
	case UFFDIO_ZEROPAGE: return uffd_copy(t, ctx, arg, true);
	case UFFDIO_WRITEPROTECT: return uffd_writeprotect(t, ctx, arg);
	case UFFDIO_CONTINUE: return uffd_continue(t, ctx, arg);
	case UFFDIO_POISON_: return uffd_poison(t, ctx, arg);
	case UFFDIO_MOVE_: return uffd_move(t, ctx, arg);
	}
	return -EINVAL;
}

static const struct file_ops uffd_ops = {
	.read = uffd_read,
	.poll = uffd_poll,
	.ioctl = uffd_ioctl,
	.fstat = anon_inode_fstat,
	.release = uffd_release,
	.seekable = false,
};

/* A new context for t's mm: the fd, or -EINVAL (flags), -ENOMEM, -EMFILE. */
static long uffd_new(struct task *t, int flags)
{
	if (flags & ~(O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY_))
		return -EINVAL;
	struct uffd_mm *um = t->mm ? um_get(t->mm) : NULL;
	struct uffd_ctx *ctx = calloc(1, sizeof *ctx);
	if (!um || !ctx) {
		free(ctx);
		return -ENOMEM;
	}
	ctx->refs = 1;
	ctx->mm = t->mm;
	ctx->user_mode_only = flags & UFFD_USER_MODE_ONLY_;
	list_init(&ctx->faults);
	waitq_init(&ctx->fd_wq);
	waitq_init(&ctx->fault_wq);
	struct file *f = file_alloc(&uffd_ops, O_RDONLY | (flags & O_NONBLOCK), "anon_inode:[userfaultfd]");
	if (!f) {
		free(ctx);
		return -ENOMEM;
	}
	list_add_tail(&ctx->mm_link, &um->ctxs);
	f->priv = ctx;
	return fd_install(t, 0, f, flags & O_CLOEXEC);
}

/*
 * userfaultfd(flags) - a new userfault context for the caller's mm.
 * flags: O_CLOEXEC, O_NONBLOCK, UFFD_USER_MODE_ONLY; others -EINVAL.
 * -EPERM unless UFFD_USER_MODE_ONLY, vm.unprivileged_userfaultfd or
 * CAP_SYS_PTRACE (userfaultfd_syscall_allowed).
 */
long sys_userfaultfd(struct task *t, struct sysargs *a)
{
	int flags = arg_int(a, 0);
	if (!(flags & UFFD_USER_MODE_ONLY_) && !sysctl_unprivileged_userfaultfd && !capable(t, CAP_SYS_PTRACE))
		return -EPERM;
	return uffd_new(t, flags);
}

/* /dev/userfaultfd's ioctl: USERFAULTFD_IOC_NEW(flags) makes a context
 * with no privilege check (the device's mode decides); others -EINVAL. */
static long uffd_dev_ioctl(struct task *t, struct file *f, unsigned int cmd, uint64_t arg)
{
	(void)f;
	if (cmd != USERFAULTFD_IOC_NEW)
		return -EINVAL;
	return uffd_new(t, (int)arg);
}

static int uffd_dev_fstat(struct file *f, struct kstat *st)
{
	*st = *(struct kstat *)f->priv;
	return 0;
}

static void uffd_dev_release(struct file *f)
{
	free(f->priv);
	f->priv = NULL;
}

static const struct file_ops uffd_dev_ops = {
	.ioctl = uffd_dev_ioctl,
	.fstat = uffd_dev_fstat,
	.release = uffd_dev_release,
	.seekable = false,
};

int uffd_dev_open(int flags, const char *path, const struct kstat *st, struct file **out)
{
	struct kstat *copy = malloc(sizeof *copy);
	if (!copy)
		return -ENOMEM;
	*copy = *st;
	*out = file_alloc(&uffd_dev_ops, flags & (O_ACCMODE | O_NONBLOCK), path);
	if (!*out) {
		free(copy);
		return -ENOMEM;
	}
	(*out)->priv = copy;
	return 0;
}
