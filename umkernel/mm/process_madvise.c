/*
 * process_madvise.c - process_madvise(2) and process_mrelease(2), the
 * memory calls that name a process by pidfd (Linux's mm/madvise.c and
 * mm/oom_kill.c).  Used by userspace OOM killers (systemd-oomd, lmkd):
 * advise another process's memory cold, and hurry a killed process's
 * memory back.
 *
 * umk keeps no page cache of anonymous memory and never swaps, so the
 * advice another process may be given (COLD, PAGEOUT, WILLNEED) is
 * checked and taken as a hint; the caller's own process takes any advice
 * madvise(2) takes.  A killed process's memory goes back when its host
 * process ends, so process_mrelease has only Linux's checks to make.
 *
 * Locking: klock, held by the caller.
 */
#include "../kernel.h"
#include "../fs/fs.h"
#include "mm.h"
#include "../kernel/ptrace.h"
#include <stdlib.h>
#include <sys/mman.h>

#define UIO_MAXIOV_ 1024

/* The process pidfd names: -EBADF (not a pidfd), -ESRCH (reaped). */
static int pidfd_target(struct task *t, int fd, struct task **out)
{
	struct file *f = fd_get(t, fd);
	struct task *tk = file_is_pidfd(f) ? pidfd_task(f) : NULL;
	bool is_pidfd = file_is_pidfd(f);

	file_put(f);
	if (!is_pidfd)
		return -EBADF;
	if (!tk)
		return -ESRCH;
	*out = tk;
	return 0;
}

/*
 * sys_process_madvise(pidfd, iovec, vlen, advice, flags) - madvise(2)
 * over each of the vlen ranges of iovec, in the memory of the process
 * pidfd names.  Returns the bytes of the ranges advised before the first
 * failure, or its error: -EINVAL (flags, vlen over UIO_MAXIOV, a
 * negative length, advice another process may not be given, madvise's
 * own), -EFAULT, -EBADF, -ESRCH, -EPERM (no PTRACE_MODE_READ access, or
 * no CAP_SYS_NICE for another process), -ENOMEM (a range not mapped).
 * Mirrors mm/madvise.c's process_madvise and vector_madvise.
 */
long sys_process_madvise(struct task *t, struct sysargs *a)
{
	uint64_t uvec = arg_ptr(a, 1), vlen = a->a[2];
	int advice = arg_int(a, 3);
	struct linux_iovec *iov;
	struct task *tk;
	uint64_t sum = 0, done = 0;
	long err;

	if (arg_uint(a, 4))
		return -EINVAL;
	if (vlen > UIO_MAXIOV_)
		return -EINVAL;
	iov = calloc(vlen + 1, sizeof *iov);
	if (!iov)
		return -ENOMEM;
	err = copy_from_user(t, iov, uvec, vlen * sizeof *iov) ? -EFAULT : 0;
	for (uint64_t i = 0; !err && i < vlen; i++)
		if ((int64_t)iov[i].iov_len < 0 || (int64_t)(sum += iov[i].iov_len) < 0)
			err = -EINVAL;   /* import_iovec */
	if (!err)
		err = pidfd_target(t, arg_int(a, 0), &tk);
	if (!err && (!tk->mm || tk->state == TASK_ZOMBIE || tk->state == TASK_DEAD))
		err = -ESRCH;    /* mm_access: no mm left */
	if (!err && !ptrace_may_access(t, tk, PTRACE_MODE_READ | PTRACE_MODE_FSCREDS))
		err = -EPERM;
	bool own = !err && tk->mm == t->mm;
	if (!err && !own && advice != MADV_COLD && advice != MADV_PAGEOUT && advice != MADV_WILLNEED &&
	    advice != 25 /* MADV_COLLAPSE: refused by madvise itself, no THP here */)
		err = -EINVAL;   /* process_madvise_remote_valid */
	if (!err && !own && !capable(t, CAP_SYS_NICE))
		err = -EPERM;
	for (uint64_t i = 0; !err && i < vlen; i++) {
		err = mm_madvise(tk->mm, own ? t->host : NULL, iov[i].iov_base, iov[i].iov_len, advice);
		if (!err)
			done += iov[i].iov_len;
	}
	free(iov);
	return done ? (long)done : err;
}

/*
 * sys_process_mrelease(pidfd, flags) - frees the memory of the process
 * pidfd names once it is dying: 0; -EINVAL (flags, or the process is not
 * dying: no SIGKILL pending, no group exit begun), -EBADF, -ESRCH (gone,
 * or a zombie: no memory left).  Mirrors mm/oom_kill.c's
 * process_mrelease (task_will_free_mem).
 */
long sys_process_mrelease(struct task *t, struct sysargs *a)
{
	struct task *tk;
	int err;

	if (arg_uint(a, 1))
		return -EINVAL;
	if ((err = pidfd_target(t, arg_int(a, 0), &tk)))
		return err;
	if (!tk->mm || tk->state == TASK_ZOMBIE || tk->state == TASK_DEAD)
		return -ESRCH;   /* find_lock_task_mm: no thread with memory left */
	if (tk->tg->group_exit || (tk->pending.set & SIGBIT(SIGKILL)) ||
	    (tk->tg->shared_pending.set & SIGBIT(SIGKILL)))
		return 0;        /* the host process's end frees it */
	return -EINVAL;
}
