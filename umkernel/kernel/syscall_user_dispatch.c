/*
 * syscall_user_dispatch.c - prctl(PR_SET_SYSCALL_USER_DISPATCH), as
 * Linux's kernel/entry/syscall_user_dispatch.c: a thread asks that its
 * syscalls made from outside one address range (EXCLUSIVE_ON) or from
 * inside it (INCLUSIVE_ON) become a SIGSYS (si_code SYS_USER_DISPATCH)
 * whenever the byte at its selector reads BLOCK; ALLOW lets them run.
 * Wine uses it to catch the syscalls of Windows code; stress-ng's
 * usersyscall exercises it.  Neither fork nor execve keeps it.
 *
 * Locking: klock, held by the callers (syscall entry and prctl).
 */
#include "../kernel.h"
#include "task.h"
#include "ptrace.h"
#include <string.h>

#define PR_SYS_DISPATCH_OFF_          0
#define PR_SYS_DISPATCH_EXCLUSIVE_ON_ 1
#define PR_SYS_DISPATCH_INCLUSIVE_ON_ 2
#define SYSCALL_DISPATCH_FILTER_ALLOW_ 0
#define SYSCALL_DISPATCH_FILTER_BLOCK_ 1
#define SYS_USER_DISPATCH_            2    /* SIGSYS si_code */
#define AUDIT_ARCH_X86_64_            0xc000003eu

/*
 * sud_set - prctl(PR_SET_SYSCALL_USER_DISPATCH, mode, offset, len,
 * selector).  OFF takes no other argument (-EINVAL); the ON modes need a
 * range that does not wrap (-EINVAL) and a selector in user space
 * (-EFAULT; 0: no selector, always blocked).  Other modes -EINVAL.
 */
long sud_set(struct task *t, uint64_t mode, uint64_t off, uint64_t len, uint64_t sel)
{
	switch (mode) {
	case PR_SYS_DISPATCH_OFF_:
		if (off || len || sel)
			return -EINVAL;
		t->syscall_work &= ~SW_SUD;
		return 0;
	case PR_SYS_DISPATCH_EXCLUSIVE_ON_:
	case PR_SYS_DISPATCH_INCLUSIVE_ON_:
		if (off && off + len <= off)
			return -EINVAL;
		if (sel && sel >= GUEST_TASK_SIZE)
			return -EFAULT;   /* access_ok */
		if (mode == PR_SYS_DISPATCH_INCLUSIVE_ON_) {
			/* the range's complement, as one range that wraps */
			off += len;
			len = -len;
		}
		t->sud_offset = off;
		t->sud_len = len;
		t->sud_selector = sel;
		t->syscall_work |= SW_SUD;
		return 0;
	}
	return -EINVAL;
}

/* force_exit_sig: sig kills t whatever its handler or mask. */
static void force_exit(struct task *t, int sig)
{
	linux_siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_signo = sig;
	si.si_code = 0x80;   /* SI_KERNEL */
	t->sighand->action[sig - 1].handler = 0;   /* SIG_DFL */
	t->blocked &= ~SIGBIT(sig);
	force_sig_fault(t, &si);
}

/*
 * sud_syscall_enter - at syscall entry with SW_SUD: true if the syscall
 * is dispatched to user space (not run: rax rolled back to the number,
 * SIGSYS queued with the call's address, number and arch), false if it
 * runs.  An unreadable selector kills with SIGSEGV, a selector byte
 * neither ALLOW nor BLOCK with SIGSYS.
 */
bool sud_syscall_enter(struct task *t)
{
	struct linux_regs *r = &t->regs;
	uint8_t state;

	if (r->rip - t->sud_offset < t->sud_len)
		return false;
	if (t->sud_selector) {
		if (copy_from_user(t, &state, t->sud_selector, 1)) {
			force_exit(t, SIGSEGV);
			return true;
		}
		if (state == SYSCALL_DISPATCH_FILTER_ALLOW_)
			return false;
		if (state != SYSCALL_DISPATCH_FILTER_BLOCK_) {
			force_exit(t, SIGSYS);
			return true;
		}
	}
	linux_siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_signo = SIGSYS;
	si.si_code = SYS_USER_DISPATCH_;
	si.u.sys.call_addr = r->rip;
	si.u.sys.syscall = (int)r->orig_rax;
	si.u.sys.arch = AUDIT_ARCH_X86_64_;
	r->rax = r->orig_rax;   /* syscall_rollback */
	force_sig_fault(t, &si);
	return true;
}
