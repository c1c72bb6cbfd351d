/*
 * kstack.c - backtraces of umk's own threads (libunwind, local): the
 * kernel thread of a sleeping task from the context it saved when it
 * went to sleep (`umk ctl SOCK kstack TID`, as Linux's /proc/PID/stack
 * reads a sleeping task's saved kernel stack), and the faulting thread
 * in an oops.  Symbols come from stack.c (libdw on umk's own file).
 *
 * Lock: a saved context is unwound under klock, which its thread needs
 * before it can leave the place where it saved it.
 */
#include "../kernel.h"
#include "debug.h"
#include <stddef.h>
#include <string.h>
#include <ucontext.h>
#define UNW_LOCAL_ONLY
#include <libunwind.h>

/*
 * kstack_save - what unw_getcontext saves that an unwinder needs: the
 * callee-saved registers, rsp and rip (the caller's, after the return),
 * into an unw_context_t (a ucontext_t on x86-64), without the x87
 * environment and MXCSR, whose fnstenv costs ~100 ns: task_sleep calls
 * this every time a task sleeps.
 */
_Static_assert(sizeof(unw_context_t) == sizeof(ucontext_t), "unw_context_t is a ucontext_t");
#define GREG(r) (offsetof(ucontext_t, uc_mcontext.gregs) + 8 * (r))
_Static_assert(GREG(REG_R12) == 0x48 && GREG(REG_R13) == 0x50 && GREG(REG_R14) == 0x58 &&
	       GREG(REG_R15) == 0x60 && GREG(REG_RBP) == 0x78 && GREG(REG_RBX) == 0x80 &&
	       GREG(REG_RSP) == 0xa0 && GREG(REG_RIP) == 0xa8, "ucontext_t layout");
__attribute__((naked)) void kstack_save(void *ctx __attribute__((unused)))
{
	__asm__("mov %r12, 0x48(%rdi)\n\t"
		"mov %r13, 0x50(%rdi)\n\t"
		"mov %r14, 0x58(%rdi)\n\t"
		"mov %r15, 0x60(%rdi)\n\t"
		"mov %rbp, 0x78(%rdi)\n\t"
		"mov %rbx, 0x80(%rdi)\n\t"
		"lea 8(%rsp), %rax\n\t"
		"mov %rax, 0xa0(%rdi)\n\t"
		"mov (%rsp), %rax\n\t"
		"mov %rax, 0xa8(%rdi)\n\t"
		"ret");
}

int kernel_backtrace(void *ctx, bool signal_frame, struct debug_frame *fr, int max)
{
	unw_context_t here;
	unw_cursor_t cur;
	int n = 0;
	if (!ctx) {
		unw_getcontext(&here);
		ctx = &here;
	}
	if (unw_init_local2(&cur, ctx, signal_frame ? UNW_INIT_SIGNAL_FRAME : 0) < 0)
		return 0;
	do {
		unw_word_t ip = 0;
		if (unw_get_reg(&cur, UNW_REG_IP, &ip) < 0 || ip == 0)
			break;
		memset(&fr[n], 0, sizeof fr[n]);
		fr[n].ip = ip;
		fr[n].signal_frame = unw_is_signal_frame(&cur) > 0;
		n++;
	} while (n < max && unw_step(&cur) > 0);
	kernel_symbolise(fr, n);
	return n;
}
