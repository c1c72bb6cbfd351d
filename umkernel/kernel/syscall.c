/*
 * syscall.c - syscall entry: decode, dispatch through the one table,
 * trace.
 *
 * In a nutshell: syscall_enter() reads the number and the six argument
 * registers, looks the syscall up in syscall_table[] (guest-abi), and
 * calls its handler.  Rows without a handler return -ENOSYS and are
 * noted in umk's log (debug/notes.c); SYS_ERRNO rows fail on purpose.  This
 * is the one hook point on the syscall path: strace output; fault
 * injection, which takes the whole syscall (fault_syscall) when any fault
 * option is given and costs one predictable branch when none is; and for
 * a task with syscall_work (ptrace, seccomp) syscall_trace_enter/exit
 * (ptrace.c).
 *
 * Lock: klock, held.
 */
#include "../kernel.h"
#include "task.h"
#include "../mm/mm.h"
#include "../debug/debug.h"
#include "../debug/fault.h"
#include "../cgroup/cgroup.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

typedef long (*syscall_fn)(struct task *, struct sysargs *);

/*
 * A syscall that trapped from a site of a program's own text (a private,
 * read-only, executable file mapping, or the vDSO umk rewrote) whose 5-byte instruction before
 * the `syscall` may run elsewhere is counted; at its MM_PATCH_AFTER-th
 * trap the platform rewrites the site so that it enters umk without a
 * signal (tracer/stub_layout.h).  Only while one task uses the address
 * space (no other thread, no CLONE_VM process): none can be running the
 * bytes being rewritten.
 */
void syscall_site_trapped(struct task *t)
{
	struct mm *mm = t->mm;
	uint64_t nr = t->regs.orig_rax, site = t->regs.rip - 7;
	if (!mm || mm->refs != 1 || t->tg->nr_threads != 1 || nr >= SYSCALL_NR_MAX || t->regs.rip < 7)
		return;
	if (t->ptracer)
		return;   /* a debugger sees and steps the program's own code */
	unsigned h = (unsigned)((site >> 1) ^ (site >> 9)) % 64;
	if (mm->patch_hits[h].site != site) {
		mm->patch_hits[h].site = site;
		mm->patch_hits[h].hits = 0;
	}
	if (mm->patch_hits[h].hits == UINT32_MAX || ++mm->patch_hits[h].hits < MM_PATCH_AFTER)
		return;
	mm->patch_hits[h].hits = UINT32_MAX; /* one try per site */
	uint8_t b[7];
	uint32_t imm = (uint32_t)nr;
	/* the instruction before the syscall runs in the trampoline: only
	 * ones that mean the same anywhere, whole, and no jump target (the
	 * mov of a syscall number; the load of the 6th argument in glibc's
	 * syscall(2)) */
	static const uint8_t mov_r9[5] = { 0x4c, 0x8b, 0x4c, 0x24, 0x08 }; /* mov 8(%rsp),%r9 */
	if (copy_from_user(t, b, site, sizeof b) || b[5] != 0x0f || b[6] != 0x05 ||
	    !((b[0] == 0xb8 && !memcmp(b + 1, &imm, 4)) || !memcmp(b, mov_r9, 5)))
		return;
	struct vma *v = mm_find_vma(mm, site);
	/* a file's text, or the vDSO's clock entry points once the guest's
	 * clock is set (mm/vdso.c rewrote them into `mov; syscall; ret`) */
	bool vdso = (v && (v->flags & VMA_SPECIAL) && !strcmp(v->name, "[vdso]"));
	if (!v || site + 7 > v->end || (!v->file && !vdso) || (v->flags & MAP_TYPE) != MAP_PRIVATE ||
	    !(v->prot & PROT_EXEC) || (v->prot & PROT_WRITE))
		return;
	if (platform->patch_syscall(t->host, site, b))
		return;
	/* remember the site's own bytes, for a tracer (mm_unpatch_syscalls) */
	if (mm->npatched == mm->patched_cap) {
		int cap = mm->patched_cap ? 2 * mm->patched_cap : 16;
		struct mm_patch *n = realloc(mm->patched, cap * sizeof *n);
		if (!n)
			return;
		mm->patched = n;
		mm->patched_cap = cap;
	}
	struct mm_patch *p = &mm->patched[mm->npatched];
	p->site = site;
	memcpy(p->orig, b, 5);
	if (!copy_from_user(t, p->code, site, 5))
		mm->npatched++;
}

/*
 * mm_unpatch_syscalls - t is traced: each patched site of its mm that
 * still holds umk's jump gets its own instruction back (a write through
 * the read-only text, as a debugger's), so that the tracer reads, steps
 * and breaks in the program's own code.  Sites of a traced process are
 * not patched again (syscall_site_trapped).  A thread already past the
 * jump finishes through the trampoline, which returns after the syscall.
 */
void mm_unpatch_syscalls(struct task *t)
{
	struct mm *mm = t->mm;
	for (int i = 0; i < mm->npatched; i++) {
		struct mm_patch *p = &mm->patched[i];
		uint8_t cur[5];
		if (copy_from_user(t, cur, p->site, 5) || memcmp(cur, p->code, 5))
			continue;   /* unmapped or rewritten since */
		ptrace_access_vm(t, p->site, p->orig, 5, true);
	}
	mm->npatched = 0;
}

/* The syscall proper: its handler through the table, the row's fixed
 * errno, or -ENOSYS (reported once). */
static inline long dispatch(struct task *t, struct sysargs *a)
{
	uint64_t nr = t->regs.orig_rax;
	const struct syscall_desc *d = nr < SYSCALL_NR_MAX ? &syscall_table[nr] : NULL;
	if (!d || !d->name)
		return -ENOSYS;
	if (d->status == SYS_ERRNO)
		return -(long)d->err;
	if (!d->handler) {
		syscall_unimplemented(t, (int)nr);   /* umk's log, not the guest's stderr */
		return -ENOSYS;
	}
	if (__builtin_expect(t->mm && t->mm->cg_reclaim, 0))
		mem_cgroup_reclaim(t);   /* cgroup/memcontrol.c: drop MAP_DROPPABLE pages */
	if (strace_out && (nr == 59 || nr == 60 || nr == 231))
		strace_syscall(t, a, 0, "pre");   /* execve, exit: print now */
	return ((syscall_fn)d->handler)(t, a);
}

/* The strace line, and the result into rax. */
static inline void exit_path(struct task *t, struct sysargs *a, long ret)
{
	uint64_t nr = t->regs.orig_rax;
	if (strace_out && !(nr == 60 || nr == 231))
		strace_syscall(t, a, ret, NULL);
	if (ret != RET_NORESULT)
		t->regs.rax = (uint64_t)ret;
	debug_syscall_end(t, a, ret);      /* the ring (always), statistics (debug/ring.c) */
	t->syscall_nr = -1;
	if (t->syscall_work)
		syscall_trace_exit(t);   /* ptrace's exit stop, or a single-step's trap */
}

long syscall_dispatch(struct task *t, struct sysargs *a)
{
	return dispatch(t, a);
}

void syscall_exit(struct task *t, struct sysargs *a, long ret)
{
	exit_path(t, a, ret);
}

void syscall_enter(struct task *t)
{
	struct linux_regs *r = &t->regs;
	/* ptrace's entry stop (which may change the call) and seccomp first */
	int skip = t->syscall_work ? syscall_trace_enter(t) : 0;
	if (skip == 2)
		return;   /* PTRACE_SYSEMU: the tracer did the syscall's work */
	struct sysargs a = { .a = { r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9 } };
	a.nr = (int)r->orig_rax;
	t->syscall_nr = (int)r->orig_rax;
	if (skip || (t->syscall_work && (int)r->orig_rax == -1)) {
		/* skipped (seccomp, or the tracer): rax holds the result */
		t->syscall_nr = -1;
		syscall_trace_exit(t);
		return;
	}
	debug_syscall_begin(t, &a);        /* statistics, --debug-oops (debug/ring.c) */
	if (__builtin_expect(fault_enabled, 0)) {
		/* fault injection (debug/fault.c): decisions before the
		 * dispatch, delays, signals and flips after */
		fault_syscall(t, &a);
		return;
	}
	exit_path(t, &a, dispatch(t, &a));
}
