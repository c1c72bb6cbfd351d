/*
 * log.c - the kernel's messages: one-line notices and the oops path.
 *
 * An oops is a kernel bug: it prints the message, the task and syscall in
 * flight and a libunwind backtrace of the kernel thread, then ends umk;
 * every stub dies with it (PTRACE_O_EXITKILL), so none is left behind.
 */
#include "../kernel.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#define UNW_LOCAL_ONLY
#include <libunwind.h>

int umk_verbose;

void umk_log(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("umk: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void backtrace_kernel(void)
{
	unw_context_t uc;
	unw_cursor_t cur;
	unw_getcontext(&uc);
	unw_init_local(&cur, &uc);
	for (int i = 0; i < 32 && unw_step(&cur) > 0; i++) {
		char name[256];
		unw_word_t off, ip;
		unw_get_reg(&cur, UNW_REG_IP, &ip);
		if (unw_get_proc_name(&cur, name, sizeof name, &off))
			strcpy(name, "?");
		fprintf(stderr, "  #%d 0x%lx %s+0x%lx\n", i, (unsigned long)ip, name, (unsigned long)off);
	}
}

/* A kernel bug.  Every stub dies with umk (PTRACE_O_EXITKILL). */
void oops(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("umk: oops: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	if (current)
		fprintf(stderr, "  task %d (%s), syscall %d\n", current->tid, current->comm,
			current->syscall_nr);
	backtrace_kernel();
	_exit(70);
}

