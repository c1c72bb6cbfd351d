/*
 * syscall.c - syscall entry: decode, dispatch through the one table,
 * trace.
 *
 * In a nutshell: syscall_enter() reads the number and the six argument
 * registers, looks the syscall up in syscall_table[] (guest-abi), and
 * calls its handler.  Rows without a handler return -ENOSYS and are
 * reported once; SYS_ERRNO rows fail on purpose.  This is the one hook
 * point on the syscall path: strace output today, fault injection later.
 *
 * Lock: klock, held.
 */
#include "kernel.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef long (*syscall_fn)(struct task *, struct sysargs *);
static bool reported[SYSCALL_NR_MAX];

void syscall_enter(struct task *t)
{
	struct linux_regs *r = &t->regs;
	struct sysargs a = { .a = { r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9 } };
	uint64_t nr = r->orig_rax;
	a.nr = (int)nr;
	t->syscall_nr = (int)nr;
	long ret;
	const struct syscall_desc *d = nr < SYSCALL_NR_MAX ? &syscall_table[nr] : NULL;
	if (!d || !d->name) {
		ret = -ENOSYS;
	} else if (d->status == SYS_ERRNO) {
		ret = -(long)d->err;
	} else if (!d->handler) {
		if (!reported[nr]) {
			reported[nr] = true;
			fprintf(stderr, "umk: unimplemented syscall %s\n", d->name);
		}
		ret = -ENOSYS;
	} else {
		if (strace_out && (nr == 59 || nr == 60 || nr == 231))
			strace_syscall(t, &a, 0, "pre");   /* execve, exit: print now */
		ret = ((syscall_fn)d->handler)(t, &a);
	}
	if (strace_out && !(nr == 60 || nr == 231))
		strace_syscall(t, &a, ret, NULL);
	if (ret != RET_NORESULT)
		r->rax = (uint64_t)ret;
	t->syscall_nr = -1;
}
