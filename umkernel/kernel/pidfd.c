/*
 * pidfd.c - process file descriptors: pidfd_open(2), pidfd_send_signal(2),
 * pidfd_getfd(2), and the pidfds that clone's CLONE_PIDFD and
 * waitid(P_PIDFD) use.
 *
 * In a nutshell (Linux's kernel/pid.c, kernel/signal.c, fs/pidfs.c): a
 * pidfd is an anon_inode file holding a reference to a struct pid, so it
 * names the process (or, with PIDFD_THREAD, the thread) it was opened
 * for even after the number is reused.  It polls readable once the
 * process has exited (a group leader: once its last thread is gone), and
 * readable with POLLHUP once it has been reaped.  O_NONBLOCK on it
 * (PIDFD_NONBLOCK) makes waitid(P_PIDFD) fail with EAGAIN instead of
 * waiting.
 *
 * Lock: klock, held by every caller.
 */
#include "../kernel.h"
#include "task.h"
#include "../fs/fs.h"
#include <linux/sched.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#define PIDFD_NONBLOCK_ O_NONBLOCK
#define PIDFD_THREAD_   O_EXCL
#define PIDFD_SIGNAL_THREAD        1
#define PIDFD_SIGNAL_THREAD_GROUP  2
#define PIDFD_SIGNAL_PROCESS_GROUP 4

static short pidfd_poll(struct file *f, struct poll_table *pt)
{
	struct pid *pid = f->priv;
	struct task *tk = pid->task;
	poll_wait(pt, &pid->wait_pidfd);
	if (!tk)
		return POLLIN | POLLRDNORM | POLLHUP;
	if (f->flags & PIDFD_THREAD_)
		return tk->state == TASK_ZOMBIE || tk->state == TASK_DEAD ? POLLIN | POLLRDNORM : 0;
	/* a leader that exited before its threads is not done yet
	 * (Linux's delay_group_leader) */
	if ((tk->state == TASK_ZOMBIE || tk->state == TASK_DEAD) && tk->tg->nr_threads == 0)
		return POLLIN | POLLRDNORM;
	return 0;
}

static ssize_t pidfd_read(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	(void)t, (void)f, (void)buf, (void)n, (void)pos;
	return -EINVAL;
}

static void pidfd_release(struct file *f)
{
	put_pid(f->priv);
	f->priv = NULL;
}

/* struct pidfd_info (linux/pidfd.h), 72 bytes; 64 in its first version */
struct linux_pidfd_info {
	uint64_t mask, cgroupid;
	uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
	int32_t exit_code;
	uint32_t coredump_mask, spare1;
};
#define PIDFD_INFO_PID   1
#define PIDFD_INFO_CREDS 2
#define PIDFD_INFO_EXIT  8
#define PIDFD_GET_INFO_NR 0xff0b       /* _IOWR(0xFF, 11, ...): type and number */

/*
 * PIDFD_GET_INFO on a pidfd: the process's ids and credentials as the
 * caller's namespaces see them, and with PIDFD_INFO_EXIT in the mask its
 * wait status once it was reaped.  arg's size comes from cmd (at least
 * 64: -EINVAL; a NULL arg -EINVAL); -EFAULT; -EREMOTE for a process
 * outside the caller's pid namespace; -ESRCH once reaped unless
 * PIDFD_INFO_EXIT was asked.  Mirrors pidfs_ioctl's pidfd_info.
 */
static long pidfd_ioctl(struct task *t, struct file *f, unsigned int cmd, uint64_t arg)
{
	struct pid *pid = f->priv;
	struct linux_pidfd_info k;
	size_t usize = (cmd >> 16) & 0x3fff;
	uint64_t mask;

	if ((cmd & 0xffff) != PIDFD_GET_INFO_NR || (cmd >> 30) != 3)
		return -ENOTTY;
	if (!arg || usize < 64)
		return -EINVAL;
	if (copy_from_user(t, &mask, arg, sizeof mask))
		return -EFAULT;
	if (pid_nr_ns(pid, task_active_pid_ns(t)) <= 0)
		return -EREMOTE;
	memset(&k, 0, sizeof k);
	if ((mask & PIDFD_INFO_EXIT) && pid->reaped) {
		k.mask |= PIDFD_INFO_EXIT;
		k.exit_code = pid->exit_code;
	}
	struct task *tk = pid->task;
	if (!tk || tk->state == TASK_DEAD) {
		if (!(mask & PIDFD_INFO_EXIT))
			return -ESRCH;
	} else {
		const struct user_namespace *ns = t->user_ns;
		k.ruid = from_kuid_munged(ns, tk->cred.uid);
		k.rgid = from_kgid_munged(ns, tk->cred.gid);
		k.euid = from_kuid_munged(ns, tk->cred.euid);
		k.egid = from_kgid_munged(ns, tk->cred.egid);
		k.suid = from_kuid_munged(ns, tk->cred.suid);
		k.sgid = from_kgid_munged(ns, tk->cred.sgid);
		k.fsuid = from_kuid_munged(ns, tk->cred.fsuid);
		k.fsgid = from_kgid_munged(ns, tk->cred.fsgid);
		k.mask |= PIDFD_INFO_CREDS;
		struct task *pp = tk->tg->leader->parent;
		k.ppid = pp ? task_tgid_vnr(t, pp) : 0;
		k.tgid = task_tgid_vnr(t, tk);
		k.pid = task_pid_vnr(t, tk);
		k.mask |= PIDFD_INFO_PID;
		if (!k.pid || !k.tgid)
			return -ESRCH;
	}
	/* copy_struct_to_user: what both know; a bigger struct's tail zeroed */
	size_t n = usize < sizeof k ? usize : sizeof k;
	if (copy_to_user(t, arg, &k, n))
		return -EFAULT;
	for (size_t off = sizeof k; off < usize; off += 8) {
		uint64_t z = 0;
		size_t c = usize - off < 8 ? usize - off : 8;
		if (copy_to_user(t, arg + off, &z, c))
			return -EFAULT;
	}
	return 0;
}

static const struct file_ops pidfd_fops = {
	.ioctl = pidfd_ioctl,
	.read = pidfd_read,
	.poll = pidfd_poll,
	.fstat = anon_inode_fstat,
	.release = pidfd_release,
};

bool file_is_pidfd(const struct file *f)
{
	return f && f->ops == &pidfd_fops;
}

struct pid *pidfd_pid(const struct file *f)
{
	return file_is_pidfd(f) ? f->priv : NULL;
}

/* The process a pidfd names (its leader), NULL once reaped. */
struct task *pidfd_task(const struct file *f)
{
	struct pid *pid = pidfd_pid(f);
	return pid ? pid->task : NULL;
}

/*
 * pidfd_create - a new close-on-exec pidfd for pid in t's fd table.
 * flags: PIDFD_NONBLOCK, PIDFD_THREAD.  Returns the fd, -EMFILE, -ENOMEM.
 */
int pidfd_create(struct task *t, struct pid *pid, int flags)
{
	struct file *f = file_alloc(&pidfd_fops, O_RDWR | (flags & (PIDFD_NONBLOCK_ | PIDFD_THREAD_)),
				    "anon_inode:[pidfd]");
	if (!f)
		return -ENOMEM;
	f->priv = get_pid(pid);
	return fd_install(t, 0, f, true);
}

/*
 * pidfd_open(pid, flags): pid in the caller's pid namespace; flags
 * PIDFD_NONBLOCK, PIDFD_THREAD.  -EINVAL (flags, pid <= 0), -ESRCH (no
 * such pid), -ENOENT (a thread without PIDFD_THREAD, or a number whose
 * task is gone).
 */
long sys_pidfd_open(struct task *t, struct sysargs *a)
{
	int nr = arg_int(a, 0);
	unsigned int flags = arg_uint(a, 1);
	if (flags & ~(unsigned)(PIDFD_NONBLOCK_ | PIDFD_THREAD_))
		return -EINVAL;
	if (nr <= 0)
		return -EINVAL;
	struct pid *pid = find_pid_ns(nr, task_active_pid_ns(t));
	if (!pid)
		return -ESRCH;
	struct task *tk = pid->task;
	if (!tk || (!(flags & PIDFD_THREAD_) && tk->tg->leader != tk))
		return -ENOENT;
	return pidfd_create(t, pid, flags);
}

/*
 * pidfd_send_signal(pidfd, sig, info, flags): kill(2) through a pidfd
 * or an open /proc/PID directory.
 * flags: at most one of PIDFD_SIGNAL_THREAD, _THREAD_GROUP,
 * _PROCESS_GROUP (default: the pidfd's own kind).  info (optional) must
 * carry sig; another process may only be sent a negative si_code other
 * than SI_TKILL.  -EBADF (not a pidfd), -EINVAL, -ESRCH (reaped), -EPERM,
 * -EFAULT.
 */
long sys_pidfd_send_signal(struct task *t, struct sysargs *a)
{
	int fd = arg_int(a, 0), sig = arg_int(a, 1);
	unsigned int flags = arg_uint(a, 3);
	if (flags & ~(unsigned)(PIDFD_SIGNAL_THREAD | PIDFD_SIGNAL_THREAD_GROUP |
				PIDFD_SIGNAL_PROCESS_GROUP))
		return -EINVAL;
	if (flags & (flags - 1))
		return -EINVAL;
	if (sig < 0 || sig > LINUX_NSIG)
		return -EINVAL;
	struct file *f = fd_get(t, fd);
	long err;
	/* a pidfd, or an open /proc/PID directory (Linux's tgid_pidfd_to_pid) */
	struct pid *pid = file_is_pidfd(f) ? f->priv : procfs_dir_pid(f);
	if (!pid) {
		file_put(f);
		return -EBADF;
	}
	if (!flags)
		flags = (f->flags & PIDFD_THREAD_) ? PIDFD_SIGNAL_THREAD : PIDFD_SIGNAL_THREAD_GROUP;
	/* the target must be in the caller's namespace or below it */
	if (!pid_nr_ns(pid, task_active_pid_ns(t))) {
		err = -EINVAL;
		goto out;
	}
	linux_siginfo_t si;
	if (a->a[2]) {
		if (copy_from_user(t, &si, a->a[2], sizeof si)) {
			err = -EFAULT;
			goto out;
		}
		if (si.si_signo != sig) {
			err = -EINVAL;
			goto out;
		}
		if (pid != task_tgid(t) && (si.si_code >= 0 || si.si_code == -6 /* SI_TKILL */)) {
			err = -EPERM;
			goto out;
		}
	} else {
		siginfo_kill(&si, sig, 0 /* SI_USER */, t);
	}
	struct task *tk = pid->task;
	if (!tk || tk->state == TASK_ZOMBIE || tk->state == TASK_DEAD) {
		err = -ESRCH;
		goto out;
	}
	if (flags == PIDFD_SIGNAL_PROCESS_GROUP) {
		err = kill_pgrp_info(t, tk->tg->pgid, sig, &si);
		goto out;
	}
	err = check_kill_permission(t, tk, sig);
	if (!err && sig)
		send_signal(tk, sig, &si, flags == PIDFD_SIGNAL_THREAD_GROUP);
out:
	file_put(f);
	return err;
}

/* Linux's ptrace_may_access(PTRACE_MODE_ATTACH_REALCREDS): the same
 * process, matching real ids, or CAP_SYS_PTRACE over its namespace. */
static bool may_attach(struct task *t, struct task *tk)
{
	const struct cred *c = &t->cred, *o = &tk->cred;
	if (t->tg == tk->tg)
		return true;
	if (c->uid == o->uid && c->uid == o->euid && c->uid == o->suid && c->gid == o->gid &&
	    c->gid == o->egid && c->gid == o->sgid)
		return true;
	return ns_capable(t, tk->user_ns, CAP_SYS_PTRACE);
}

/*
 * pidfd_getfd(pidfd, targetfd, flags): a close-on-exec duplicate of the
 * target process's fd targetfd.  flags must be 0.  -EBADF (not a pidfd,
 * no such fd), -ESRCH (the process is gone), -EPERM (may not ptrace it).
 */
long sys_pidfd_getfd(struct task *t, struct sysargs *a)
{
	int fd = arg_int(a, 0), target = arg_int(a, 1);
	if (arg_uint(a, 2))
		return -EINVAL;
	struct file *f = fd_get(t, fd);
	long err;
	if (!file_is_pidfd(f)) {
		file_put(f);
		return -EBADF;
	}
	struct task *tk = ((struct pid *)f->priv)->task;
	file_put(f);
	if (!tk)
		return -ESRCH;
	if (!may_attach(t, tk))
		return -EPERM;
	if (!tk->files)
		return -ESRCH;   /* exiting: its files are gone */
	struct file *tf = target >= 0 && target < tk->files->nfds ? file_get(tk->files->files[target]) : NULL;
	if (!tf)
		return -EBADF;
	err = fd_install(t, 0, tf, true);
	return err;
}

/* waitid(P_PIDFD): the pid a pidfd names, and whether it is non-blocking.
 * -EBADF (not a pidfd). */
int pidfd_get_pid(struct task *t, int fd, struct pid **pid, bool *nonblock)
{
	struct file *f = fd_get(t, fd);
	if (!file_is_pidfd(f)) {
		file_put(f);
		return -EBADF;
	}
	*pid = get_pid(f->priv);
	*nonblock = f->flags & O_NONBLOCK;
	file_put(f);
	return 0;
}
