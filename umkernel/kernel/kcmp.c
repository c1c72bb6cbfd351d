/*
 * kcmp.c - kcmp(2): whether two processes share a kernel object (an
 * open file, the address space, the fd table, the fs_struct, the signal
 * handlers, the SysV semaphore undo list), as checkpoint/restore tools
 * and pidfd_getfd's users ask.  The answer orders the objects' addresses
 * through a per-boot random permutation, as Linux's kcmp_ptr does, so
 * it says "same" (0) or an order (1, 2) but never where they are.
 *
 * Lock: klock, held by the caller.
 */
#include "../kernel.h"
#include "../fs/fs.h"
#include "ptrace.h"

#include <sys/random.h>

enum { KCMP_FILE, KCMP_VM, KCMP_FILES, KCMP_FS, KCMP_SIGHAND, KCMP_IO, KCMP_SYSVSEM,
       KCMP_EPOLL_TFD, KCMP_TYPES };

static uint64_t cookies[KCMP_TYPES][2];

/* Linux's kptr_obfuscate: the address scrambled by a per-type cookie. */
static uint64_t obfuscate(const void *p, int type)
{
	if (!cookies[type][1]) {
		if (getrandom(cookies, sizeof cookies, 0) != (ssize_t)sizeof cookies)
			cookies[0][0] = 0x9e3779b97f4a7c15ULL;   /* no entropy: any order will do */
		for (int i = 0; i < KCMP_TYPES; i++)
			cookies[i][1] |= 1;
	}
	return ((uint64_t)(uintptr_t)p ^ cookies[type][0]) * cookies[type][1];
}

/* 0 if the same object, else 1 or 2 by the scrambled order (kcmp_ptr). */
static long kcmp_ptr(const void *a, const void *b, int type)
{
	uint64_t x = obfuscate(a, type), y = obfuscate(b, type);
	return (x > y) | ((x < y) << 1);
}

/* The file at fd of task tk (no reference: compared by address only). */
static struct file *raw_file(struct task *tk, unsigned long fd)
{
	if (!tk->files || fd >= (unsigned long)tk->files->nfds)
		return NULL;
	return tk->files->files[fd];
}

/*
 * sys_kcmp(pid1, pid2, type, idx1, idx2) - kcmp(2).  0 when the objects
 * of type are the same, 1 or 2 for an order, else -ESRCH (no such
 * process in the caller's pid namespace), -EPERM (either not readable as
 * ptrace's PTRACE_MODE_READ allows), -EBADF (KCMP_FILE: an fd not open),
 * -EINVAL (an unknown type), -EOPNOTSUPP (KCMP_EPOLL_TFD).  KCMP_IO:
 * umk keeps no I/O contexts, so every two tasks compare equal, as two
 * Linux tasks that never made one.  Mirrors kernel/kcmp.c.
 */
long sys_kcmp(struct task *t, struct sysargs *a)
{
	struct task *t1 = find_task_by_vpid(t, arg_int(a, 0));
	struct task *t2 = find_task_by_vpid(t, arg_int(a, 1));
	int type = arg_int(a, 2);
	unsigned long idx1 = arg_long(a, 3), idx2 = arg_long(a, 4);

	if (!t1 || !t2)
		return -ESRCH;
	if (!ptrace_may_access(t, t1, PTRACE_MODE_READ) || !ptrace_may_access(t, t2, PTRACE_MODE_READ))
		return -EPERM;
	switch (type) {
	case KCMP_FILE: {
		struct file *f1 = raw_file(t1, idx1), *f2 = raw_file(t2, idx2);
		return f1 && f2 ? kcmp_ptr(f1, f2, type) : -EBADF;
	}
	case KCMP_VM:
		return kcmp_ptr(t1->mm, t2->mm, type);
	case KCMP_FILES:
		return kcmp_ptr(t1->files, t2->files, type);
	case KCMP_FS:
		return kcmp_ptr(t1->fs, t2->fs, type);
	case KCMP_SIGHAND:
		return kcmp_ptr(t1->sighand, t2->sighand, type);
	case KCMP_IO:
		return kcmp_ptr(NULL, NULL, type);
	case KCMP_SYSVSEM:
		return kcmp_ptr(t1->sysvsem_undo, t2->sysvsem_undo, type);
	case KCMP_EPOLL_TFD:
		return -EOPNOTSUPP;
	}
	return -EINVAL;
}
