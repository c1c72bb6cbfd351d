/*
 * process_vm_access.c - process_vm_readv(2) and process_vm_writev(2)
 * between guest processes (Linux's mm/process_vm_access.c).
 *
 * Lock: klock, held.
 */
#include "../kernel.h"
#include "mm.h"
#include "../kernel/ptrace.h"
#include <stdlib.h>

/*
 * process_vm_readv/writev(2) between guest processes (debuggers, nested
 * guests): the target is a guest pid; the copy goes through a kernel
 * buffer.  Permission as Linux's: ptrace_may_access(PTRACE_MODE_ATTACH_REALCREDS),
 * Yama's scope 1 included (kernel/ptrace.c).
 * Returns bytes copied (partial at the first fault), or -errno.
 */
static long process_vm(struct task *t, struct sysargs *a, bool write)
{
	int pid = arg_int(a, 0);
	unsigned long lcnt = a->a[2], rcnt = a->a[4];
	if (a->a[5])
		return -EINVAL;
	if (lcnt > 1024 || rcnt > 1024)
		return -EINVAL;
	struct task *o = find_task_by_vpid(t, pid);
	if (!o || o->state == TASK_ZOMBIE || o->state == TASK_DEAD)
		return -ESRCH;
	if (!ptrace_may_access(t, o, PTRACE_MODE_ATTACH))
		return -EPERM;
	if (!o->host)
		return -ESRCH;   /* a new child whose address space is not its own yet */
	struct linux_iovec *lv = calloc(lcnt + 1, sizeof *lv), *rv = calloc(rcnt + 1, sizeof *rv);
	long done = 0, err = 0;
	if (!lv || !rv) {
		err = -ENOMEM;
		goto out;
	}
	if (copy_from_user(t, lv, a->a[1], lcnt * sizeof *lv) ||
	    copy_from_user(t, rv, a->a[3], rcnt * sizeof *rv)) {
		err = -EFAULT;
		goto out;
	}
	/* import_iovec/iovec_from_user: a length that is negative as a
	 * ssize_t, or a sum past it, is EINVAL before anything is copied */
	uint64_t lsum = 0, rsum = 0;
	for (unsigned long i = 0; i < lcnt; i++) {
		if ((int64_t)lv[i].iov_len < 0 || (int64_t)(lsum += lv[i].iov_len) < 0) {
			err = -EINVAL;
			goto out;
		}
	}
	for (unsigned long i = 0; i < rcnt; i++) {
		if ((int64_t)rv[i].iov_len < 0 || (int64_t)(rsum += rv[i].iov_len) < 0) {
			err = -EINVAL;
			goto out;
		}
	}
	char buf[4096];
	unsigned long li = 0, ri = 0;
	uint64_t loff = 0, roff = 0;
	while (li < lcnt && ri < rcnt) {
		uint64_t n = lv[li].iov_len - loff;
		if (rv[ri].iov_len - roff < n)
			n = rv[ri].iov_len - roff;
		if (n > sizeof buf)
			n = sizeof buf;
		if (n) {
			struct task *src = write ? t : o, *dst = write ? o : t;
			uint64_t s = write ? lv[li].iov_base + loff : rv[ri].iov_base + roff;
			uint64_t d = write ? rv[ri].iov_base + roff : lv[li].iov_base + loff;
			/* the remote side goes through get_user_pages, which
			 * does not reach a secret mapping (memfd_secret) */
			uint64_t span = mm_gup_span(o->mm, rv[ri].iov_base + roff, n);
			if (span < n) {
				if (!span) {
					err = -EFAULT;
					break;
				}
				n = span;
			}
			if (copy_from_user(src, buf, s, n)) {
				err = write ? -EFAULT : -EFAULT;
				break;
			}
			if (copy_to_user(dst, d, buf, n)) {
				err = -EFAULT;
				break;
			}
			done += n;
			loff += n;
			roff += n;
		}
		if (loff == lv[li].iov_len) {
			li++;
			loff = 0;
		}
		if (roff == rv[ri].iov_len) {
			ri++;
			roff = 0;
		}
	}
out:
	free(lv);
	free(rv);
	return done ? done : err;
}

long sys_process_vm_readv(struct task *t, struct sysargs *a)
{
	return process_vm(t, a, false);
}

long sys_process_vm_writev(struct task *t, struct sysargs *a)
{
	return process_vm(t, a, true);
}
