/*
 * notes.c - umk's log: notices that are umk's business, not the guest's
 * (an unimplemented syscall a guest tried), kept out of the guest's
 * output.  They go to the --log=FILE file, and to stderr only with -v;
 * with -v umk also prints, at exit, the unimplemented syscalls guests
 * made and how often (as gVisor keeps them in its debug log).
 *
 * Lock: klock, held by callers of syscall_unimplemented; umk_note takes
 * nothing (one fprintf per note).
 */
#include "../kernel.h"
#include "debug.h"
#include <stdarg.h>
#include <string.h>

FILE *umk_log_file;
static unsigned long unimpl_calls[SYSCALL_NR_MAX];

/* umk_note - one line "umk: ..." in the log file (if --log) and on
 * stderr with -v. */
void umk_note(const char *fmt, ...)
{
	va_list ap;
	if (umk_log_file) {
		va_start(ap, fmt);
		fputs("umk: ", umk_log_file);
		vfprintf(umk_log_file, fmt, ap);
		fputc('\n', umk_log_file);
		fflush(umk_log_file);
		va_end(ap);
	}
	if (umk_verbose) {
		va_start(ap, fmt);
		fputs("umk: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		va_end(ap);
	}
}

/* A guest called syscall nr, which umk does not implement (it gets
 * ENOSYS): noted the first time, counted always. */
void syscall_unimplemented(struct task *t, int nr)
{
	if (nr < 0 || nr >= SYSCALL_NR_MAX)
		return;
	if (unimpl_calls[nr]++ == 0)
		umk_note("unimplemented syscall %s (nr %d), first by pid %d (%.16s)",
			 syscall_table[nr].name ? syscall_table[nr].name : "?", nr, t->tid, t->comm);
}

/* With -v (or --log): the unimplemented syscalls the guest made. */
void unimplemented_summary(void)
{
	char line[1024];
	size_t off = 0;
	int n = 0;
	if (!umk_verbose && !umk_log_file)
		return;
	for (int nr = 0; nr < SYSCALL_NR_MAX; nr++) {
		if (!unimpl_calls[nr])
			continue;
		int k = snprintf(line + off, sizeof line - off, "%s%s (%lu)", n ? ", " : "",
				 syscall_table[nr].name ? syscall_table[nr].name : "?", unimpl_calls[nr]);
		if (k < 0 || (size_t)k >= sizeof line - off)
			break;
		off += k;
		n++;
	}
	if (n)
		umk_note("unimplemented syscalls the guest made: %s", line);
}
