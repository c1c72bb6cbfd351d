/*
 * sys_process.c - process-family syscalls: fork, vfork, clone, exit,
 * ids, process groups and sessions, credentials, rlimits, prctl.
 * Handlers decode arguments; process.c and exec.c do the work.
 *
 * Lock: klock, held.
 */
#include "../kernel.h"
#include "../fs/fs.h"
#include "task.h"
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
	if (size < 64 || size > 4096)
		return -EINVAL;
	memset(&ca, 0, sizeof ca);
	if (copy_from_user(t, &ca, a->a[0], size < sizeof ca ? size : sizeof ca))
		return -EFAULT;
	if (ca.exit_signal > 64 || (ca.flags & 0xff))
		return -EINVAL;
	uint64_t sp = ca.stack ? ca.stack + ca.stack_size : 0;
	return do_fork(t, ca.flags | ca.exit_signal, sp, ca.parent_tid, ca.child_tid, ca.tls);
}

long sys_exit(struct task *t, struct sysargs *a)
{
	do_exit(t, (arg_int(a, 0) & 0xff) << 8);
}

long sys_exit_group(struct task *t, struct sysargs *a)
{
	do_group_exit(t, (arg_int(a, 0) & 0xff) << 8);
}

long sys_getpid(struct task *t, struct sysargs *a) { (void)a; return t->tg->tgid; }
long sys_gettid(struct task *t, struct sysargs *a) { (void)a; return t->tid; }

long sys_getppid(struct task *t, struct sysargs *a)
{
	(void)a;
	struct task *p = t->tg->leader->parent;
	return p ? p->tg->tgid : 0;
}

long sys_set_tid_address(struct task *t, struct sysargs *a)
{
	t->clear_child_tid = arg_ptr(a, 0);
	return t->tid;
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
	struct task *o = arg_int(a, 0) ? task_find(arg_int(a, 0)) : t;
	if (!o)
		return -ESRCH;
	uint64_t head = o->robust_list, len = 24;
	if (copy_to_user(t, a->a[1], &head, 8) || copy_to_user(t, a->a[2], &len, 8))
		return -EFAULT;
	return 0;
}

/* ---- process groups and sessions (kernel/sys.c) ---- */

static struct task *find_process(int pid)
{
	struct task *p = task_find(pid);
	return p && p->tg->leader == p && p->state != TASK_DEAD ? p : NULL;
}

long sys_setpgid(struct task *t, struct sysargs *a)
{
	int pid = arg_int(a, 0), pgid = arg_int(a, 1);
	if (pgid < 0)
		return -EINVAL;
	struct task *p = pid ? find_process(pid) : t->tg->leader;
	if (!p)
		return -ESRCH;
	if (!pgid)
		pgid = p->tg->tgid;
	if (p != t->tg->leader) {
		if (p->parent != t->tg->leader)
			return -ESRCH;
		if (p->tg->sid != t->tg->sid)
			return -EPERM;
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
	p->tg->pgid = pgid;
	return 0;
}

long sys_getpgid(struct task *t, struct sysargs *a)
{
	int pid = arg_int(a, 0);
	struct task *p = pid ? find_process(pid) : t;
	return p ? p->tg->pgid : -ESRCH;
}

long sys_getpgrp(struct task *t, struct sysargs *a) { (void)a; return t->tg->pgid; }

long sys_getsid(struct task *t, struct sysargs *a)
{
	int pid = arg_int(a, 0);
	struct task *p = pid ? find_process(pid) : t;
	return p ? p->tg->sid : -ESRCH;
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
	t->tg->pgid = t->tg->sid = me;
	t->tg->tty_fg_pgrp = 0;
	return me;
}

/* ---- credentials: the guest may be root without the host being root ---- */

long sys_getuid(struct task *t, struct sysargs *a) { (void)a; return t->cred.uid; }
long sys_geteuid(struct task *t, struct sysargs *a) { (void)a; return t->cred.euid; }
long sys_getgid(struct task *t, struct sysargs *a) { (void)a; return t->cred.gid; }
long sys_getegid(struct task *t, struct sysargs *a) { (void)a; return t->cred.egid; }

static bool capable(struct task *t) { return t->cred.euid == 0; }

static bool id_ok(struct task *t, uint32_t id, bool user)
{
	if (capable(t))
		return true;
	if (user)
		return id == t->cred.uid || id == t->cred.euid || id == t->cred.suid;
	return id == t->cred.gid || id == t->cred.egid || id == t->cred.sgid;
}

long sys_setuid(struct task *t, struct sysargs *a)
{
	uint32_t uid = arg_uint(a, 0);
	if (uid == (uint32_t)-1)
		return -EINVAL;
	if (capable(t)) {
		t->cred.uid = t->cred.euid = t->cred.suid = t->cred.fsuid = uid;
	} else if (uid == t->cred.uid || uid == t->cred.suid) {
		t->cred.euid = t->cred.fsuid = uid;
	} else {
		return -EPERM;
	}
	return 0;
}

long sys_setgid(struct task *t, struct sysargs *a)
{
	uint32_t gid = arg_uint(a, 0);
	if (gid == (uint32_t)-1)
		return -EINVAL;
	if (capable(t)) {
		t->cred.gid = t->cred.egid = t->cred.sgid = t->cred.fsgid = gid;
	} else if (gid == t->cred.gid || gid == t->cred.sgid) {
		t->cred.egid = t->cred.fsgid = gid;
	} else {
		return -EPERM;
	}
	return 0;
}

long sys_setresuid(struct task *t, struct sysargs *a)
{
	uint32_t r = arg_uint(a, 0), e = arg_uint(a, 1), s = arg_uint(a, 2), none = (uint32_t)-1;
	if ((r != none && !id_ok(t, r, true)) || (e != none && !id_ok(t, e, true)) ||
	    (s != none && !id_ok(t, s, true)))
		return -EPERM;
	if (r != none) t->cred.uid = r;
	if (e != none) t->cred.euid = e;
	if (s != none) t->cred.suid = s;
	t->cred.fsuid = t->cred.euid;
	return 0;
}

long sys_setresgid(struct task *t, struct sysargs *a)
{
	uint32_t r = arg_uint(a, 0), e = arg_uint(a, 1), s = arg_uint(a, 2), none = (uint32_t)-1;
	if ((r != none && !id_ok(t, r, false)) || (e != none && !id_ok(t, e, false)) ||
	    (s != none && !id_ok(t, s, false)))
		return -EPERM;
	if (r != none) t->cred.gid = r;
	if (e != none) t->cred.egid = e;
	if (s != none) t->cred.sgid = s;
	t->cred.fsgid = t->cred.egid;
	return 0;
}

long sys_setreuid(struct task *t, struct sysargs *a)
{
	uint32_t r = arg_uint(a, 0), e = arg_uint(a, 1), none = (uint32_t)-1;
	if ((r != none && !capable(t) && r != t->cred.uid && r != t->cred.euid) ||
	    (e != none && !id_ok(t, e, true)))
		return -EPERM;
	uint32_t old_ruid = t->cred.uid;
	if (r != none) t->cred.uid = r;
	if (e != none) t->cred.euid = e;
	if (r != none || (e != none && e != old_ruid))
		t->cred.suid = t->cred.euid;
	t->cred.fsuid = t->cred.euid;
	return 0;
}

long sys_setregid(struct task *t, struct sysargs *a)
{
	uint32_t r = arg_uint(a, 0), e = arg_uint(a, 1), none = (uint32_t)-1;
	if ((r != none && !capable(t) && r != t->cred.gid && r != t->cred.egid) ||
	    (e != none && !id_ok(t, e, false)))
		return -EPERM;
	uint32_t old_rgid = t->cred.gid;
	if (r != none) t->cred.gid = r;
	if (e != none) t->cred.egid = e;
	if (r != none || (e != none && e != old_rgid))
		t->cred.sgid = t->cred.egid;
	t->cred.fsgid = t->cred.egid;
	return 0;
}

long sys_getresuid(struct task *t, struct sysargs *a)
{
	if (copy_to_user(t, a->a[0], &t->cred.uid, 4) || copy_to_user(t, a->a[1], &t->cred.euid, 4) ||
	    copy_to_user(t, a->a[2], &t->cred.suid, 4))
		return -EFAULT;
	return 0;
}

long sys_getresgid(struct task *t, struct sysargs *a)
{
	if (copy_to_user(t, a->a[0], &t->cred.gid, 4) || copy_to_user(t, a->a[1], &t->cred.egid, 4) ||
	    copy_to_user(t, a->a[2], &t->cred.sgid, 4))
		return -EFAULT;
	return 0;
}

long sys_setfsuid(struct task *t, struct sysargs *a)
{
	uint32_t old = t->cred.fsuid, id = arg_uint(a, 0);
	if (id != (uint32_t)-1 && (capable(t) || id_ok(t, id, true) || id == t->cred.fsuid))
		t->cred.fsuid = id;
	return old;
}

long sys_setfsgid(struct task *t, struct sysargs *a)
{
	uint32_t old = t->cred.fsgid, id = arg_uint(a, 0);
	if (id != (uint32_t)-1 && (capable(t) || id_ok(t, id, false) || id == t->cred.fsgid))
		t->cred.fsgid = id;
	return old;
}

long sys_getgroups(struct task *t, struct sysargs *a)
{
	int size = arg_int(a, 0);
	if (size < 0)
		return -EINVAL;
	if (size == 0)
		return t->cred.ngroups;
	if ((uint32_t)size < t->cred.ngroups)
		return -EINVAL;
	if (copy_to_user(t, a->a[1], t->cred.groups, t->cred.ngroups * 4))
		return -EFAULT;
	return t->cred.ngroups;
}

long sys_setgroups(struct task *t, struct sysargs *a)
{
	int n = arg_int(a, 0);
	if (!capable(t))
		return -EPERM;
	if (n < 0 || n > 65536)
		return -EINVAL;
	if (n > (int)ARRAY_SIZE(t->cred.groups))
		return -ENOMEM;
	uint32_t g[32];
	if (copy_from_user(t, g, a->a[1], n * 4))
		return -EFAULT;
	memcpy(t->cred.groups, g, n * 4);
	t->cred.ngroups = n;
	return 0;
}

long sys_capget(struct task *t, struct sysargs *a)
{
	uint32_t hdr[2];
	if (copy_from_user(t, hdr, a->a[0], sizeof hdr))
		return -EFAULT;
	if (hdr[0] != 0x20080522 && hdr[0] != 0x20071026 && hdr[0] != 0x19980330) {
		hdr[0] = 0x20080522;
		copy_to_user(t, a->a[0], hdr, 4);
		return a->a[1] ? -EINVAL : 0;
	}
	if (!a->a[1])
		return 0;
	uint32_t full = capable(t) ? 0xffffffff : 0, hi = capable(t) ? 0x1ff : 0;
	uint32_t data[6] = { full, full, 0, hi, hi, 0 };
	return copy_to_user(t, a->a[1], data, hdr[0] == 0x19980330 ? 12 : 24) ? -EFAULT : 0;
}

long sys_capset(struct task *t, struct sysargs *a)
{
	(void)a;
	return capable(t) ? 0 : -EPERM;
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
		if (nl.rlim_max > r->rlim_max && !capable(t))
			return -EPERM;
		if (res == RLIMIT_NOFILE && nl.rlim_max > 1048576)
			return -EPERM;
	}
	if (oldp && copy_to_user(t, oldp, r, sizeof *r))
		return -EFAULT;
	if (newp)
		*r = nl;
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
	struct task *p = pid ? find_process(pid) : t;
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
		if (a->a[1] > 64)
			return -EINVAL;
		return 0;
	case PR_GET_PDEATHSIG: {
		int z = 0;
		return copy_to_user(t, a->a[1], &z, 4) ? -EFAULT : 0;
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
	case PR_SET_CHILD_SUBREAPER:
	case PR_GET_CHILD_SUBREAPER:
	case PR_SET_MM:
		return -EINVAL;
	case PR_CAPBSET_READ:
		return a->a[1] <= 40 ? 1 : -EINVAL;
	case PR_GET_KEEPCAPS:
	case PR_GET_TIMERSLACK:
		return 0;
	case PR_SET_KEEPCAPS:
	case PR_SET_TIMERSLACK:
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
	case 0x3001: /* ARCH_CET_STATUS */
	case 0x1011: /* ARCH_GET_CPUID */
	case 0x1012:
	case 0x1021: /* ARCH_GET_XCOMP_SUPP */
	case 0x1022:
	case 0x1023:
	case 0x1024:
	case 0x1025:
		return -EINVAL;
	}
	return -EINVAL;
}
