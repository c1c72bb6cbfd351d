/*
 * sys_process.c - process-family syscalls: fork, vfork, clone, exit,
 * ids, process groups and sessions, rlimits, prctl (credentials: cred.c).
 * Handlers decode arguments; process.c and exec.c do the work.
 *
 * Lock: klock, held.
 */
#include "../kernel.h"
#include "../fs/fs.h"
#include "task.h"
#include "ptrace.h"
#include <linux/sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <string.h>

long sys_fork(struct task *t, struct sysargs *a)
{
	(void)a;
	return do_fork(t, SIGCHLD, 0, 0, 0, 0);
}

long sys_vfork(struct task *t, struct sysargs *a)
{
	(void)a;
	return do_fork(t, CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0);
}

/* clone(flags, newsp, parent_tid, child_tid, tls): x86-64 argument order */
long sys_clone(struct task *t, struct sysargs *a)
{
	return do_fork(t, a->a[0], a->a[1], a->a[2], a->a[3], a->a[4]);
}

long sys_clone3(struct task *t, struct sysargs *a)
{
	struct clone_args ca;
	size_t size = a->a[1];
	/* copy_clone_args_from_user and clone3_args_valid, in their order */
	if (size > 4096)
		return -E2BIG;
	if (size < 64)
		return -EINVAL;
	memset(&ca, 0, sizeof ca);
	if (copy_from_user(t, &ca, a->a[0], size < sizeof ca ? size : sizeof ca))
		return -EFAULT;
	for (size_t off = sizeof ca; off < size; off++) {   /* a newer struct: zeros only */
		char c;
		if (copy_from_user(t, &c, a->a[0] + off, 1))
			return -EFAULT;
		if (c)
			return -E2BIG;
	}
	if (ca.set_tid_size > 32 || (!ca.set_tid && ca.set_tid_size) || (ca.set_tid && !ca.set_tid_size))
		return -EINVAL;
	if ((ca.flags & CLONE_INTO_CGROUP) && (ca.cgroup > INT32_MAX || size < CLONE_ARGS_SIZE_VER2))
		return -EINVAL;
	/* clone3_args_valid: the legacy flags, CLONE_CLEAR_SIGHAND and
	 * CLONE_INTO_CGROUP only */
	if (ca.flags & ~(0xffffffffULL | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP))
		return -EINVAL;
	if ((ca.flags & (CLONE_SIGHAND | CLONE_CLEAR_SIGHAND)) == (CLONE_SIGHAND | CLONE_CLEAR_SIGHAND))
		return -EINVAL;
	/* the CSIGNAL bits are free in clone3's flags: CLONE_NEWTIME is one */
	if (ca.exit_signal > 64 || (ca.flags & 0xff & ~(uint64_t)CLONE_NEWTIME) ||
	    (ca.flags & 0x00400000 /* CLONE_DETACHED */))
		return -EINVAL;
	if ((ca.flags & (CLONE_THREAD | CLONE_PARENT)) && ca.exit_signal)
		return -EINVAL;
	if (ca.stack ? !ca.stack_size : ca.stack_size)
		return -EINVAL;
	if (ca.set_tid_size) {
		/* each pid chosen needs CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE
		 * over its namespace; choosing pids is not supported here */
		if ((ca.flags & (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET |
				 CLONE_NEWCGROUP | CLONE_NEWTIME)) && !ns_capable(t, t->user_ns, CAP_SYS_ADMIN))
			return -EPERM;   /* the namespaces come first (copy_namespaces) */
		struct pid_namespace *pns = (ca.flags & CLONE_NEWPID) ? NULL : task_active_pid_ns(t);
		const struct user_namespace *owner = pns ? pns->user_ns : t->user_ns;
		if (!ns_capable(t, owner, CAP_SYS_ADMIN) && !ns_capable(t, owner, 40 /* CAP_CHECKPOINT_RESTORE */))
			return -EPERM;
		return -EOPNOTSUPP;
	}
	uint64_t sp = ca.stack ? ca.stack + ca.stack_size : 0;
	struct clone_req r = { .flags = (ca.flags & ~(uint64_t)CLONE_NEWTIME) | ca.exit_signal,
			       .newsp = sp, .ptid = ca.parent_tid, .ctid = ca.child_tid, .tls = ca.tls,
			       .pidfd = ca.pidfd, .newtime = ca.flags & CLONE_NEWTIME,
			       .into_cgroup = ca.flags & CLONE_INTO_CGROUP, .cgroup_fd = ca.cgroup };
	r.flags &= ~(uint64_t)CLONE_INTO_CGROUP;
	return kernel_clone(t, &r);
}

long sys_exit(struct task *t, struct sysargs *a)
{
	do_exit(t, (arg_int(a, 0) & 0xff) << 8);
}

long sys_exit_group(struct task *t, struct sysargs *a)
{
	do_group_exit(t, (arg_int(a, 0) & 0xff) << 8);
}

/* Ids are numbers of the caller's pid namespace: a namespace's init is
 * 1 and its parent, outside, is 0. */
long sys_getpid(struct task *t, struct sysargs *a) { (void)a; return task_tgid_vnr(t, t); }
long sys_gettid(struct task *t, struct sysargs *a) { (void)a; return task_pid_vnr(t, t); }

long sys_getppid(struct task *t, struct sysargs *a)
{
	(void)a;
	struct task *p = t->tg->leader->parent;
	return p ? task_tgid_vnr(t, p) : 0;
}

long sys_set_tid_address(struct task *t, struct sysargs *a)
{
	t->clear_child_tid = arg_ptr(a, 0);
	return task_pid_vnr(t, t);
}

long sys_set_robust_list(struct task *t, struct sysargs *a)
{
	if (a->a[1] != 24)
		return -EINVAL;
	t->robust_list = arg_ptr(a, 0);
	return 0;
}

long sys_get_robust_list(struct task *t, struct sysargs *a)
{
	struct task *o = arg_int(a, 0) ? find_task_by_vpid(t, arg_int(a, 0)) : t;
	if (!o)
		return -ESRCH;
	if (o != t && !ptrace_may_access(t, o, PTRACE_MODE_READ))
		return -EPERM;   /* as Linux's PTRACE_MODE_READ_REALCREDS check */
	uint64_t head = o->robust_list, len = 24;
	if (copy_to_user(t, a->a[2], &len, 8) || copy_to_user(t, a->a[1], &head, 8))
		return -EFAULT;
	return 0;
}

/* ---- process groups and sessions (kernel/sys.c) ---- */

static struct task *find_process(struct task *t, int pid)
{
	struct task *p = find_task_by_vpid(t, pid);
	return p && p->tg->leader == p && p->state != TASK_DEAD ? p : NULL;
}

long sys_setpgid(struct task *t, struct sysargs *a)
{
	int pid = arg_int(a, 0), pgid = arg_int(a, 1);
	if (pgid < 0)
		return -EINVAL;
	struct task *p = pid ? find_process(t, pid) : t->tg->leader;
	if (!p)
		return -ESRCH;
	if (!pgid)
		pgid = p->tg->tgid;
	else if (!(pgid = vnr_to_global(t, pgid)))
		return -EPERM;   /* no such group in the caller's namespace */
	if (p != t->tg->leader) {
		if (p->parent != t->tg->leader)
			return -ESRCH;
		if (p->tg->sid != t->tg->sid)
			return -EPERM;
		if (p->did_exec)
			return -EACCES;   /* a child that has called execve */
	}
	if (p->tg->sid == p->tg->tgid)
		return -EPERM;   /* a session leader */
	if (pgid != p->tg->tgid) {
		bool ok = false;
		struct list_head *l, *n;
		list_for_each_safe(l, n, &all_tasks) {
			struct task *o = list_entry(l, struct task, all);
			if (o->tg->pgid == pgid && o->tg->sid == t->tg->sid && o->state != TASK_ZOMBIE)
				ok = true;
		}
		if (!ok)
			return -EPERM;
	}
	tg_set_pgid(p->tg, pgid);
	return 0;
}

long sys_getpgid(struct task *t, struct sysargs *a)
{
	int pid = arg_int(a, 0);
	struct task *p = pid ? find_process(t, pid) : t;
	return p ? global_vnr(t, p->tg->pgid) : -ESRCH;
}

long sys_getpgrp(struct task *t, struct sysargs *a) { (void)a; return global_vnr(t, t->tg->pgid); }

long sys_getsid(struct task *t, struct sysargs *a)
{
	int pid = arg_int(a, 0);
	struct task *p = pid ? find_process(t, pid) : t;
	return p ? global_vnr(t, p->tg->sid) : -ESRCH;
}

long sys_setsid(struct task *t, struct sysargs *a)
{
	(void)a;
	int me = t->tg->tgid;
	struct list_head *l, *n;
	list_for_each_safe(l, n, &all_tasks) {
		struct task *o = list_entry(l, struct task, all);
		if (o->tg->pgid == me && o->state != TASK_ZOMBIE)
			return -EPERM;   /* already a process group leader */
	}
	tg_set_pgid(t->tg, me);
	tg_set_sid(t->tg, me);
	t->tg->tty_fg_pgrp = 0;
	/* a new session, a new autogroup (sched_autogroup_create_attach) */
	autogroup_put(t->tg->autogroup);
	t->tg->autogroup = autogroup_new();
	return task_tgid_vnr(t, t);
}

/* ---- rlimits ---- */

static long do_prlimit(struct task *t, struct task *p, int res, uint64_t newp, uint64_t oldp)
{
	if (res < 0 || res >= LINUX_RLIM_NLIMITS)
		return -EINVAL;
	struct linux_rlimit *r = &p->tg->rlim[res], nl;
	if (newp) {
		if (copy_from_user(t, &nl, newp, sizeof nl))
			return -EFAULT;
		if (nl.rlim_cur > nl.rlim_max)
			return -EINVAL;
		if (nl.rlim_max > r->rlim_max && !capable(t, CAP_SYS_RESOURCE))
			return -EPERM;
		if (res == RLIMIT_NOFILE && nl.rlim_max > (uint64_t)sysctl_nr_open)
			return -EPERM;   /* fs.nr_open */
	}
	if (oldp && copy_to_user(t, oldp, r, sizeof *r))
		return -EFAULT;
	if (newp)
		*r = nl;
	if (newp && res == RLIMIT_CPU)
		cpu_rlimit_changed(p->tg);   /* kernel/cputime.c: SIGXCPU, SIGKILL */
	return 0;
}

long sys_getrlimit(struct task *t, struct sysargs *a)
{
	return do_prlimit(t, t, arg_int(a, 0), 0, a->a[1]);
}

long sys_setrlimit(struct task *t, struct sysargs *a)
{
	return do_prlimit(t, t, arg_int(a, 0), a->a[1], 0);
}

long sys_prlimit64(struct task *t, struct sysargs *a)
{
	int pid = arg_int(a, 0);
	struct task *p = pid ? find_process(t, pid) : t;
	if (!p)
		return -ESRCH;
	return do_prlimit(t, p, arg_int(a, 1), a->a[2], a->a[3]);
}

long sys_umask(struct task *t, struct sysargs *a)
{
	uint32_t old = t->fs->umask;
	t->fs->umask = arg_uint(a, 0) & 0777;
	return old;
}

long sys_personality(struct task *t, struct sysargs *a)
{
	uint32_t old = t->personality, p = arg_uint(a, 0);
	if (p != 0xffffffff)
		t->personality = p;
	return old;
}

long sys_prctl(struct task *t, struct sysargs *a)
{
	int op = arg_int(a, 0);
	switch (op) {
	case PR_SET_NAME: {
		char name[16];
		long n = strncpy_from_user(t, name, a->a[1], sizeof name);
		if (n == -EFAULT)
			return -EFAULT;
		name[15] = 0;
		memcpy(t->comm, name, sizeof name);
		return 0;
	}
	case PR_GET_NAME:
		return copy_to_user(t, a->a[1], t->comm, 16) ? -EFAULT : 0;
	case PR_SET_PDEATHSIG:
		/* sent when the parent process exits (Linux: the parent thread) */
		if (a->a[1] > LINUX_NSIG)
			return -EINVAL;
		t->pdeath_signal = (int)a->a[1];
		return 0;
	case PR_GET_PDEATHSIG:
		return copy_to_user(t, a->a[1], &t->pdeath_signal, 4) ? -EFAULT : 0;
	case PR_SET_CHILD_SUBREAPER:
		t->tg->is_child_subreaper = a->a[1] != 0;
		return 0;
	case PR_GET_CHILD_SUBREAPER: {
		int v = t->tg->is_child_subreaper;
		return copy_to_user(t, a->a[1], &v, 4) ? -EFAULT : 0;
	}
	case PR_GET_DUMPABLE:
		return 1;
	case PR_SET_DUMPABLE:
		return a->a[1] > 1 ? -EINVAL : 0;
	case PR_SET_NO_NEW_PRIVS:
		if (a->a[1] != 1 || a->a[2] || a->a[3] || a->a[4])
			return -EINVAL;
		t->no_new_privs = true;
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		if (a->a[1] || a->a[2] || a->a[3] || a->a[4])
			return -EINVAL;
		return t->no_new_privs;
	case PR_SET_SECCOMP:
	case PR_GET_SECCOMP:
	case PR_SET_PTRACER:
		return prctl_ptrace_seccomp(t, op, a->a[1], a->a[2]);   /* ptrace.c */
	case PR_SET_MM:
		return -EINVAL;
	case PR_CAPBSET_READ:
	case PR_CAPBSET_DROP:
	case PR_GET_KEEPCAPS:
	case PR_SET_KEEPCAPS:
	case PR_GET_SECUREBITS:
	case PR_SET_SECUREBITS:
	case PR_CAP_AMBIENT:
		return cred_prctl(t, op, a->a[1], a->a[2], a->a[3], a->a[4]);
	case PR_GET_TSC: {
		int v = t->notsc ? PR_TSC_SIGSEGV : PR_TSC_ENABLE;
		return copy_to_user(t, a->a[1], &v, 4) ? -EFAULT : 0;
	}
	case PR_SET_TSC: {
		/* the calling thread's own host thread makes the host's prctl
		 * (the platform runs it there): its rdtsc then raises the host
		 * #GP, a SIGSEGV (SI_KERNEL) that comes back as the guest's
		 * fault; inherited at fork and clone, kept across execve, as
		 * Linux's TIF_NOTSC */
		uint64_t mode = a->a[1];
		if (mode != PR_TSC_ENABLE && mode != PR_TSC_SIGSEGV)
			return -EINVAL;
		if (!platform->set_tsc)
			return mode == PR_TSC_ENABLE ? 0 : -EINVAL;
		int err = platform->set_tsc(t->host, (int)mode);
		if (err)
			return err;
		t->notsc = mode == PR_TSC_SIGSEGV;
		return 0;
	}
	case 59: /* PR_SET_SYSCALL_USER_DISPATCH */
		return sud_set(t, a->a[1], a->a[2], a->a[3], a->a[4]);
	case PR_GET_TIMERSLACK:
		return (long)t->timer_slack_ns;
	case PR_SET_TIMERSLACK:
		/* 0 restores the slack inherited at fork */
		t->timer_slack_ns = a->a[1] ? a->a[1] : t->default_timer_slack_ns;
		return 0;
	}
	return -EINVAL;
}

long sys_arch_prctl(struct task *t, struct sysargs *a)
{
	int code = arg_int(a, 0);
	uint64_t addr = a->a[1];
	switch (code) {
	case 0x1002: /* ARCH_SET_FS */
		if (addr >= GUEST_TASK_SIZE)
			return -EPERM;
		t->regs.fs_base = addr;
		return 0;
	case 0x1001: /* ARCH_SET_GS */
		if (addr >= GUEST_TASK_SIZE)
			return -EPERM;
		t->regs.gs_base = addr;
		return 0;
	case 0x1003: /* ARCH_GET_FS */
		return copy_to_user(t, addr, &t->regs.fs_base, 8) ? -EFAULT : 0;
	case 0x1004: /* ARCH_GET_GS */
		return copy_to_user(t, addr, &t->regs.gs_base, 8) ? -EFAULT : 0;
	case 0x1011: /* ARCH_GET_CPUID: cpuid never faults in a guest */
		return 1;
	case 0x1012: /* ARCH_SET_CPUID: as a CPU without CPUID faulting */
		return -ENODEV;
	case 0x3001: /* ARCH_CET_STATUS */
	case 0x1021: /* ARCH_GET_XCOMP_SUPP */
	case 0x1022:
	case 0x1023:
	case 0x1024:
	case 0x1025:
		return -EINVAL;
	}
	return -EINVAL;
}
