/*
 * kcmp.c - kcmp(2): whether two processes share a kernel resource.
 *
 * kcmp(pid1, pid2, type, idx1, idx2) compares what the two tasks hold of
 * one kind (Linux's kernel/kcmp.c): 0 when it is the same object, 1 or 2
 * when it is not (an order that stays the same for a pair of objects, so
 * that programs such as CRIU can sort them; Linux obfuscates the pointers
 * it compares, umk compares its own object addresses, which the guest
 * cannot see either).
 *
 * Lock: klock, held.
 */
#include "../kernel.h"
#include "task.h"
#include "ptrace.h"
#include "../fs/fs.h"

enum {
	KCMP_FILE_, KCMP_VM_, KCMP_FILES_, KCMP_FS_, KCMP_SIGHAND_, KCMP_IO_,
	KCMP_SYSVSEM_, KCMP_EPOLL_TFD_, KCMP_TYPES_
};

struct kcmp_epoll_slot_ {
	uint32_t efd, tfd, toff;
};

/* 0 if a == b, else 1 (a < b) or 2 (a > b): Linux's kcmp_ptr. */
static long kcmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;

	return (x < y) | ((x > y) << 1);
}

/* The file at fd in tk's table, not referenced; NULL if none. */
static struct file *task_file(struct task *tk, uint32_t fd)
{
	if (!tk->files || fd >= (uint32_t)tk->files->nfds)
		return NULL;
	return tk->files->files[fd];
}

/*
 * kcmp(pid1, pid2, type, idx1, idx2): compares the type's resource of the
 * tasks pid1 and pid2 (thread ids of the caller's pid namespace):
 * KCMP_FILE (the files of fds idx1 and idx2), KCMP_VM, KCMP_FILES,
 * KCMP_FS, KCMP_SIGHAND, KCMP_IO, KCMP_SYSVSEM, and KCMP_EPOLL_TFD (the
 * file of idx1 in pid1 against the target tfd, toff-th of that fd, of
 * pid2's epoll instance efd; idx2 points at struct kcmp_epoll_slot).
 * Returns 0 (same), 1 or 2 (different, ordered).  -ESRCH (no such task),
 * -EPERM (the caller may not read either with ptrace's READ check),
 * -EBADF (no such fd), -EFAULT (bad slot), -EINVAL (unknown type, efd not
 * an epoll instance), -ENOENT (no such target in it).
 */
long sys_kcmp(struct task *t, struct sysargs *a)
{
	struct task *t1 = find_task_by_vpid(t, arg_int(a, 0));
	struct task *t2 = find_task_by_vpid(t, arg_int(a, 1));
	int type = arg_int(a, 2);
	uint32_t idx1 = (uint32_t)a->a[3];   /* fds are unsigned int, as Linux's */
	uint64_t idx2 = a->a[4];

	if (!t1 || !t2 || t1->state == TASK_DEAD || t2->state == TASK_DEAD)
		return -ESRCH;
	if (!ptrace_may_access(t, t1, PTRACE_MODE_READ) || !ptrace_may_access(t, t2, PTRACE_MODE_READ))
		return -EPERM;
	switch (type) {
	case KCMP_FILE_: {
		struct file *f1 = task_file(t1, idx1), *f2 = task_file(t2, (uint32_t)idx2);

		if (!f1 || !f2)
			return -EBADF;
		return kcmp_ptr(f1, f2);
	}
	case KCMP_VM_:
		return kcmp_ptr(t1->mm, t2->mm);
	case KCMP_FILES_:
		return kcmp_ptr(t1->files, t2->files);
	case KCMP_FS_:
		return kcmp_ptr(t1->fs, t2->fs);
	case KCMP_SIGHAND_:
		return kcmp_ptr(t1->sighand, t2->sighand);
	case KCMP_IO_:
		/* no I/O contexts: as two Linux tasks that never made one */
		return 0;
	case KCMP_SYSVSEM_:
		return kcmp_ptr(t1->sysvsem_undo, t2->sysvsem_undo);
	case KCMP_EPOLL_TFD_: {
		struct kcmp_epoll_slot_ slot;
		struct file *f1 = task_file(t1, idx1), *ep, *target;

		if (!f1)
			return -EBADF;
		if (copy_from_user(t, &slot, idx2, sizeof slot))
			return -EFAULT;
		ep = task_file(t2, slot.efd);
		if (!ep)
			return -EBADF;
		long err = epoll_target_file(ep, slot.tfd, slot.toff, &target);
		if (err)
			return err;
		return kcmp_ptr(f1, target);
	}
	}
	return -EINVAL;
}
