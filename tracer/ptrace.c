/*
 * ptrace.c - the ptrace platform: PTRACE_SYSEMU on stub processes.
 *
 * In a nutshell: a guest address space is a host process created by
 * fork + exec of the embedded stub binary (stub.c).  The kernel thread
 * that owns a guest thread is its ptrace tracer; it resumes the guest
 * with PTRACE_SYSEMU, so every guest syscall stops before the host runs
 * it and is skipped.  Address-space edits are host syscalls that the
 * tracer makes the stub run: it points the stopped thread at one of the
 * stub's entry points, resumes it with PTRACE_CONT, and waits for the
 * int3 at the end.  A fork is a host fork done by the stub, a guest
 * thread a host clone(CLONE_THREAD) done by the stub; the new thread
 * parks in a pause() loop until its own kernel thread seizes it and
 * interrupts it (PTRACE_SEIZE + PTRACE_INTERRUPT).
 *
 * Registers are cached: run() writes them back only if the kernel
 * changed them.  Locking: a host_thread is touched only by its owner,
 * except `kicked`, which kick() sets from any thread.  fdpass_lock
 * serialises the one fd-passing socket that all stubs share.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/ptrace.h>
#include "platform.h"
#include "stub_layout.h"
#include "host.h"

#define KICK_SIGNAL SIGUSR2

struct host_thread {
	pid_t tid;                     /* host tid of the guest thread */
	pid_t pid;                     /* host pid of the stub process */
	struct linux_regs host_regs;   /* what the host has for this thread */
	atomic_int kicked;
};

static int stub_memfd = -1;
static int fdpass_sock[2] = { -1, -1 };
static pthread_mutex_t fdpass_lock = PTHREAD_MUTEX_INITIALIZER;

static int pt_init(void)
{
	stub_memfd = memfd_create("umk-stub", MFD_CLOEXEC);
	if (stub_memfd < 0)
		return -errno;
	size_t len;
	void *img = host_stub_image(&len);   /* moved to STUB_START */
	if (!img)
		return -ENOMEM;
	ssize_t w = write(stub_memfd, img, len);
	free(img);
	if (w != (ssize_t)len)
		return -EIO;
	/* Connection-oriented, so that every stub sees POLLHUP on its end
	 * when umk dies: a forked stub not yet adopted exits then. */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fdpass_sock) < 0)
		return -errno;
	/* Keep these above the fds a stub child rearranges (0-4). */
	int *fds[] = { &stub_memfd, &fdpass_sock[0], &fdpass_sock[1] };
	for (int i = 0; i < 3; i++) {
		int hi = fcntl(*fds[i], F_DUPFD_CLOEXEC, 64);
		if (hi < 0)
			return -errno;
		close(*fds[i]);
		*fds[i] = hi;
	}
	/* The kick signal must stop the tracee, never umk itself. */
	signal(KICK_SIGNAL, SIG_IGN);
	return 0;
}

static void pin(pid_t tid, int cpu)
{
	if (cpu < 0)
		return;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(tid, sizeof set, &set);
}

static int getregs(struct host_thread *th, struct linux_regs *r)
{
	if (ptrace(PTRACE_GETREGS, th->tid, 0, r) < 0)
		return -errno;
	th->host_regs = *r;
	return 0;
}

static int setregs(struct host_thread *th, const struct linux_regs *r)
{
	if (ptrace(PTRACE_SETREGS, th->tid, 0, r) < 0)
		return -errno;
	th->host_regs = *r;
	return 0;
}

/* Waits for the next stop of th; returns the wait status or -errno. */
static int wait_stop(struct host_thread *th)
{
	int st;
	for (;;) {
		pid_t r = waitpid(th->tid, &st, __WALL);
		if (r == th->tid)
			return st;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

/*
 * Runs stub code at `entry` with the given argument registers and returns
 * the stub's rax.  Stray signals (kicks) met on the way are remembered and
 * suppressed.  The guest's registers are restored lazily by run().
 */
static long stub_call(struct host_thread *th, uint64_t entry, uint64_t nr, uint64_t a0,
		      uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct linux_regs r = th->host_regs;
	r.rax = nr;
	r.rdi = a0; r.rsi = a1; r.rdx = a2; r.r10 = a3; r.r8 = a4; r.r9 = a5;
	r.rip = entry;
	r.rsp = STUB_START + 0x1000 + STUB_STACK_SIZE - 64; /* stub_stack, in .bss */
	r.orig_rax = (uint64_t)-1;
	r.eflags &= ~0x100UL; /* no single-step */
	int err = setregs(th, &r);
	if (err)
		return err;
	for (;;) {
		if (ptrace(PTRACE_CONT, th->tid, 0, 0) < 0)
			return -errno;
		int st = wait_stop(th);
		if (st < 0)
			return st;
		if (!WIFSTOPPED(st))
			return -ESRCH;
		if (WSTOPSIG(st) == SIGTRAP)
			break;
		if (WSTOPSIG(st) == KICK_SIGNAL)
			atomic_store(&th->kicked, 1);
		/* anything else (a stray host signal) is dropped */
	}
	err = getregs(th, &r);
	return err ? err : (long)r.rax;
}

/* Reaps th after it was told to die. */
static void reap(struct host_thread *th)
{
	int st;
	for (;;) {
		pid_t r = waitpid(th->tid, &st, __WALL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || WIFEXITED(st) || WIFSIGNALED(st))
			break;
		/* a stop on the way out (a pending kick): let it go on */
		ptrace(PTRACE_CONT, th->tid, 0, 0);
	}
}

static void pt_destroy(struct host_thread *th)
{
	if (!th)
		return;
	kill(th->pid, SIGKILL);
	reap(th);
	free(th);
}

static void pt_thread_exit(struct host_thread *th)
{
	/* exit(0) run by this thread alone; the others go on */
	long r = stub_call(th, STUB_ENTRY_SYSCALL, SYS_exit, 0, 0, 0, 0, 0, 0);
	if (r != -ESRCH)
		syscall(SYS_tgkill, th->pid, th->tid, SIGKILL); /* cannot happen */
	reap(th);
	free(th);
}

static struct platform_vdso vdso_info;
static bool vdso_known;

static const struct platform_vdso *pt_vdso(void)
{
	return vdso_known && vdso_info.base ? &vdso_info : NULL;
}

/*
 * Unmaps every host mapping outside the stub region (the host stack)
 * except the vDSO and its data pages, which guests may use.  Stubs are
 * exec'd without ASLR, so the vDSO sits at the same place in all of them;
 * the first stub's layout is recorded for pt_vdso().
 */
static int clear_host_mappings(struct host_thread *th)
{
	uint64_t ranges[HOST_LAYOUT_MAX][2];
	struct platform_vdso v;
	int n = host_layout_read(th->pid, &v, ranges);
	if (n < 0)
		return n;
	if (!vdso_known) {
		vdso_info = v;
		vdso_known = true;
	} else if (memcmp(&v, &vdso_info, sizeof v)) {
		return -EINVAL; /* cannot happen without ASLR */
	}
	for (int i = 0; i < n; i++) {
		long r = stub_call(th, STUB_ENTRY_SYSCALL, SYS_munmap, ranges[i][0],
				   ranges[i][1] - ranges[i][0], 0, 0, 0, 0);
		if (r < 0)
			return (int)r;
	}
	return 0;
}

static int pt_mm_new(struct host_thread **out, int cpu)
{
	struct host_thread *th = calloc(1, sizeof *th);
	if (!th)
		return -ENOMEM;
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		free(th);
		return -errno;
	}
	if (pid == 0) {
		/* Child: only async-signal-safe calls from here on. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		setsid(); /* terminal signals go to umk, not to stubs */
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL); /* kicks must get through */
		signal(KICK_SIGNAL, SIG_DFL);
		if (dup2(fdpass_sock[1], STUB_CTL_FD) < 0)
			_exit(127);
		int exe = STUB_CTL_FD + 1;
		if (dup2(stub_memfd, exe) < 0 || fcntl(exe, F_SETFD, FD_CLOEXEC) < 0)
			_exit(127);
		close(0); close(1); close(2);
		syscall(SYS_close_range, exe + 1, ~0U, 0);
		pin(0, cpu);
		personality(ADDR_NO_RANDOMIZE); /* the same layout in every stub */
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		char *argv[] = { "umk-stub", NULL }, *envp[] = { NULL };
		syscall(SYS_execveat, exe, "", argv, envp, AT_EMPTY_PATH);
		_exit(127);
	}
	th->pid = th->tid = pid;
	int st = wait_stop(th);
	if (st < 0 || !WIFSTOPPED(st) || WSTOPSIG(st) != SIGTRAP) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, __WALL);
		free(th);
		return -ECHILD;
	}
	int err = -errno;
	if (ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL) < 0)
		goto fail;
	struct linux_regs r;
	if ((err = getregs(th, &r)))
		goto fail;
	/* Run the stub's own set-up, then clear the host's leftovers. */
	if ((err = (int)stub_call(th, STUB_ENTRY_START, 0, 0, 0, 0, 0, 0, 0)) < 0)
		goto fail;
	if ((err = clear_host_mappings(th)) < 0)
		goto fail;
	*out = th;
	return 0;
fail:
	pt_destroy(th);
	return err ? err : -EIO;
}

/* A new host thread's token for pt_adopt: its process and its thread
 * (never through /proc, which in a pid namespace may be another's). */
static long adopt_token(pid_t pid, pid_t tid)
{
	return (long)((uint64_t)(uint32_t)pid << 32 | (uint32_t)tid);
}

static long pt_fork(struct host_thread *th, int cpu)
{
	(void)cpu; /* pt_adopt pins it: it is stopped until then */
	long pid = stub_call(th, STUB_ENTRY_FORK, 0, 0, 0, 0, 0, 0, 0);
	if (pid <= 0)
		return pid == 0 ? -EIO : pid;
	return adopt_token((pid_t)pid, (pid_t)pid);
}

static long pt_clone_thread(struct host_thread *th)
{
	long tid = stub_call(th, STUB_ENTRY_THREAD, 0, 0, 0, 0, 0, 0, 0);
	if (tid <= 0)
		return tid == 0 ? -EIO : tid;
	return adopt_token(th->pid, (pid_t)tid);
}

static int pt_adopt(long token, struct host_thread **out, int cpu)
{
	struct host_thread *th = calloc(1, sizeof *th);
	if (!th)
		return -ENOMEM;
	th->tid = (pid_t)(uint32_t)token;
	th->pid = (pid_t)((uint64_t)token >> 32);
	int err = 0;
	if (ptrace(PTRACE_SEIZE, th->tid, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL) < 0 ||
	    ptrace(PTRACE_INTERRUPT, th->tid, 0, 0) < 0) {
		err = -errno;
		syscall(SYS_tgkill, th->pid, th->tid, SIGKILL);
		free(th);
		return err;
	}
	/* It was parked in pause(): the interrupt stops it (PTRACE_EVENT_STOP). */
	int st = wait_stop(th);
	if (st < 0 || !WIFSTOPPED(st)) {
		free(th);
		return -ECHILD;
	}
	pin(th->tid, cpu);
	struct linux_regs r;
	err = getregs(th, &r);
	if (err) {
		pt_destroy(th);
		return err;
	}
	*out = th;
	return 0;
}

static int pt_run(struct host_thread *th, struct linux_regs *regs, struct platform_ev *ev)
{
	int err;
	if (memcmp(regs, &th->host_regs, sizeof *regs) && (err = setregs(th, regs)))
		return err;
	memset(ev, 0, sizeof *ev);
	ev->fault_err = -1;   /* ptrace shows no fault's error code */
	if (atomic_exchange(&th->kicked, 0)) {
		ev->kind = EV_INTERRUPT;
		return 0;
	}
	for (;;) {
		if (ptrace(PTRACE_SYSEMU, th->tid, 0, 0) < 0) {
			ev->kind = EV_EXIT;
			return 0;
		}
		int st = wait_stop(th);
		if (st < 0 || WIFEXITED(st) || WIFSIGNALED(st)) {
			ev->kind = EV_EXIT;
			return 0;
		}
		int sig = WSTOPSIG(st);
		if (st >> 16) {
			/* PTRACE_EVENT_STOP (group-stop of a seized tracee): resume */
			continue;
		}
		if ((err = getregs(th, regs)))
			return err;
		if (sig == (SIGTRAP | 0x80)) {
			ev->kind = EV_SYSCALL;
			/* `syscall` leaves rcx == rip; int 0x80 does not. */
			ev->legacy_syscall = regs->rcx != regs->rip;
			return 0;
		}
		if (sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL ||
		    sig == SIGTRAP || sig == SIGSYS) {
			siginfo_t si;
			if (ptrace(PTRACE_GETSIGINFO, th->tid, 0, &si) < 0)
				return -errno;
			ev->kind = EV_FAULT;
			memcpy(&ev->info, &si, sizeof ev->info);
			if (sig == SIGSYS) {
				/* the stub's filter trapped a vsyscall-page call:
				 * report what a kernel without vsyscall gives */
				memset(&ev->info, 0, sizeof ev->info);
				ev->info.si_signo = SIGSEGV;
				ev->info.si_code = SEGV_MAPERR;
				ev->info.u.fault.addr = regs->rip;
			}
			return 0;
		}
		if (sig == KICK_SIGNAL)
			atomic_store(&th->kicked, 0);
		ev->kind = EV_INTERRUPT; /* a kick, or a stray host signal: dropped */
		return 0;
	}
}

static void pt_kick(struct host_thread *th)
{
	atomic_store(&th->kicked, 1);
	syscall(SYS_tgkill, th->pid, th->tid, KICK_SIGNAL);
}

/* PTRACE_POKEDATA writes through read-only private mappings (FOLL_FORCE). */
static long pt_poke_mem(struct host_thread *th, uint64_t dst, const void *src, size_t len)
{
	if (dst >= STUB_START || dst + len > STUB_START || dst + len < dst)
		return -EFAULT;
	size_t done = 0;
	while (done < len) {
		uint64_t a = (dst + done) & ~7UL;
		size_t o = dst + done - a, c = 8 - o < len - done ? 8 - o : len - done;
		errno = 0;
		long w = ptrace(PTRACE_PEEKDATA, th->tid, a, 0);
		if (errno)
			break;
		memcpy((char *)&w + o, (const char *)src + done, c);
		if (ptrace(PTRACE_POKEDATA, th->tid, a, w) < 0)
			break;
		done += c;
	}
	return done ? (long)done : -EFAULT;
}

static int pt_get_fpregs(struct host_thread *th, struct linux_fpregs *fp)
{
	return ptrace(PTRACE_GETFPREGS, th->tid, 0, fp) < 0 ? -errno : 0;
}

static int pt_set_fpregs(struct host_thread *th, const struct linux_fpregs *fp)
{
	return ptrace(PTRACE_SETFPREGS, th->tid, 0, fp) < 0 ? -errno : 0;
}

static long pt_mmap(struct host_thread *th, uint64_t addr, uint64_t len, int prot, int flags,
		    int hostfd, uint64_t off)
{
	if (hostfd < 0)
		return stub_call(th, STUB_ENTRY_SYSCALL, SYS_mmap, addr, len, prot, flags, -1, off);
	pthread_mutex_lock(&fdpass_lock);
	char byte = 0;
	union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } cm;
	memset(&cm, 0, sizeof cm);
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cm.buf, .msg_controllen = sizeof cm.buf };
	cm.h.cmsg_level = SOL_SOCKET;
	cm.h.cmsg_type = SCM_RIGHTS;
	cm.h.cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(&cm.h), &hostfd, sizeof(int));
	long r;
	if (sendmsg(fdpass_sock[0], &msg, 0) < 0)
		r = -errno;
	else
		r = stub_call(th, STUB_ENTRY_MMAP_FD, 0, addr, len, prot, flags, off, 0);
	pthread_mutex_unlock(&fdpass_lock);
	return r;
}

static int pt_munmap(struct host_thread *th, uint64_t addr, uint64_t len)
{
	return (int)stub_call(th, STUB_ENTRY_SYSCALL, SYS_munmap, addr, len, 0, 0, 0, 0);
}

static int pt_mprotect(struct host_thread *th, uint64_t addr, uint64_t len, int prot)
{
	return (int)stub_call(th, STUB_ENTRY_SYSCALL, SYS_mprotect, addr, len, prot, 0, 0, 0);
}

static long pt_mremap(struct host_thread *th, uint64_t old, uint64_t oldlen, uint64_t newlen,
		      int flags, uint64_t newaddr)
{
	return stub_call(th, STUB_ENTRY_SYSCALL, SYS_mremap, old, oldlen, newlen,
			 flags, newaddr, 0);
}

static int pt_madvise(struct host_thread *th, uint64_t addr, uint64_t len, int advice)
{
	return (int)stub_call(th, STUB_ENTRY_SYSCALL, SYS_madvise, addr, len, advice, 0, 0, 0);
}

static long pt_read_mem(struct host_thread *th, void *dst, uint64_t src, size_t len)
{
	return host_read_mem(th->tid, dst, src, len); /* the leader may be gone */
}

static long pt_write_mem(struct host_thread *th, uint64_t dst, const void *src, size_t len)
{
	return host_write_mem(th->tid, dst, src, len);
}

static long pt_cmpxchg32(struct host_thread *th, uint64_t addr, uint32_t old, uint32_t new_)
{
	if (addr >= STUB_START || (addr & 3))
		return -EFAULT;
	long r = stub_call(th, STUB_ENTRY_CMPXCHG, 0, addr, old, new_, 0, 0, 0);
	return r < 0 ? r : (long)(uint32_t)r;
}

static int pt_host_tid(struct host_thread *th)
{
	return th->tid;
}

/* A guest debugger's debug registers are the host's, on the guest's own
 * thread: the host checks addresses, types and lengths as for anyone. */
static int pt_debugreg(struct host_thread *th, int n, uint64_t *val, bool write)
{
	if (n < 0 || n > 7)
		return -EIO;
	long off = (long)offsetof(struct user, u_debugreg) + n * 8;
	if (write)
		return ptrace(PTRACE_POKEUSER, th->tid, off, *val) < 0 ? -errno : 0;
	errno = 0;
	long v = ptrace(PTRACE_PEEKUSER, th->tid, off, 0);
	if (errno)
		return -errno;
	*val = (uint64_t)v;
	return 0;
}

/* PR_SET_TSC, made by the guest's thread itself in the stub. */
static int pt_set_tsc(struct host_thread *th, int mode)
{
	return (int)stub_call(th, STUB_ENTRY_SYSCALL, SYS_prctl, PR_SET_TSC, mode, 0, 0, 0, 0);
}

static long pt_access_mem_force(struct host_thread *th, uint64_t addr, void *buf, size_t len,
				bool write)
{
	return host_access_mem_force(th->tid, addr, buf, len, write);
}

static int pt_host_pid(struct host_thread *th)
{
	return th->pid;
}

/* The stub thread runs where its kernel thread runs (one CPU). */
static void pt_set_cpu(struct host_thread *th, int cpu, uint64_t allowed)
{
	(void)allowed;
	pin(th->tid, cpu);
}

const struct platform_ops platform_ptrace = {
	.name = "ptrace",
	.init = pt_init,
	.mm_new = pt_mm_new,
	.fork = pt_fork,
	.clone_thread = pt_clone_thread,
	.adopt = pt_adopt,
	.run = pt_run,
	.kick = pt_kick,
	.destroy = pt_destroy,
	.thread_exit = pt_thread_exit,
	.get_fpregs = pt_get_fpregs,
	.set_fpregs = pt_set_fpregs,
	.mmap = pt_mmap,
	.munmap = pt_munmap,
	.mprotect = pt_mprotect,
	.mremap = pt_mremap,
	.madvise = pt_madvise,
	.read_mem = pt_read_mem,
	.write_mem = pt_write_mem,
	.poke_mem = pt_poke_mem,
	.host_tid = pt_host_tid,
	.host_pid = pt_host_pid,
	.set_cpu = pt_set_cpu,
	.cmpxchg32 = pt_cmpxchg32,
	.vdso = pt_vdso,
	.debugreg = pt_debugreg,
	.set_tsc = pt_set_tsc,
	.access_mem_force = pt_access_mem_force,
};

const struct platform_ops *platform;

int platform_select(const char *name)
{
	if (!strcmp(name, "ptrace")) {
		platform = &platform_ptrace;
		return 0;
	}
	if (!strcmp(name, "seccomp")) {
		platform = &platform_seccomp;
		return 0;
	}
	return -EINVAL;
}
