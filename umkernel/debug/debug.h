/*
 * debug/debug.h - the debug subsystem's interface: the strace printer
 * (strace.c) and fault injection (fault.h).  Logging and oops, which
 * every subsystem uses, are declared in kernel.h (debug/log.c).
 *
 * Lock: klock, held by callers of strace_syscall.
 */
#ifndef UMK_DEBUG_H
#define UMK_DEBUG_H

#include "../kernel.h"
#include "fault.h"

/* The strace printer's output (--strace), or NULL when it is off. */
extern FILE *strace_out;
void strace_syscall(struct task *t, const struct sysargs *a, long ret, const char *pre);

/* umk's log (notes.c): --log=FILE, stderr with -v; never the guest's output */
extern FILE *umk_log_file;
void umk_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void syscall_unimplemented(struct task *t, int nr);   /* counted; noted once */
void unimplemented_summary(void);                     /* at exit, with -v or --log */

#endif
