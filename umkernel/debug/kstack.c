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
#include <string.h>
#define UNW_LOCAL_ONLY
#include <libunwind.h>

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
