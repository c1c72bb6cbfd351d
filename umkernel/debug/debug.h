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

#endif
