/* ptrace.c - a tracer and its tracees, natively and under umk: stops as
 * wait4 reports them, syscall-stops that change and skip calls, register
 * and memory access (POKETEXT into read-only text), single-stepping,
 * signal injection and suppression, fork/clone/exec/exit events, seize,
 * interrupt and listen, the permission rules, and hostile arguments.
 * Everything printed is the same natively (addresses and pids are
 * printed relative to something or not at all). */
#include "t.h"
#include <elf.h>
#include <fcntl.h>
#include <stdbool.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <linux/ptrace.h>

#define REG(f) offsetof(struct user_regs_struct, f)
#define DR(n) (offsetof(struct user, u_debugreg) + (n) * 8)

static char *self_exe;

/* waits for pid; prints nothing; returns the status */
static int wait_for(pid_t pid)
{
	int st;
	pid_t r;
	do
		r = waitpid(pid, &st, __WALL);
	while (r < 0 && errno == EINTR);
	if (r != pid) {
		printf("FAIL waitpid(%d) = %d %s\n", pid, r, en(errno));
		t_failed++;
		return -1;
	}
	return st;
}

static const char *sname(int sig)
{
	static char buf[16];
	const char *s = sigabbrev_np(sig & 0x7f);
	snprintf(buf, sizeof buf, "%s%s", s ? s : "?", (sig & 0x80) ? "|0x80" : "");
	return buf;
}

/* the status as a line: "stopped SIGTRAP event 4", "exited 3"... */
static void show(const char *what, int st)
{
	if (WIFEXITED(st))
		printf("%s: exited %d\n", what, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		printf("%s: killed %s\n", what, sname(WTERMSIG(st)));
	else if (WIFSTOPPED(st) && (st >> 16))
		printf("%s: stopped %s event %d\n", what, sname(WSTOPSIG(st)), st >> 16);
	else if (WIFSTOPPED(st))
		printf("%s: stopped %s\n", what, sname(WSTOPSIG(st)));
	else
		printf("%s: status %#x\n", what, st);
}

/* ---- 1. syscall stops: see, change and skip syscalls ---- */

static void child_syscalls(void)
{
	ptrace(PTRACE_TRACEME, 0, 0, 0);
	raise(SIGSTOP);
	long a = syscall(SYS_getpid);            /* the tracer turns it into getppid */
	long b = syscall(SYS_getuid);            /* skipped, result 42 */
	long c = syscall(SYS_dup, 12345);        /* failing call: EBADF seen at exit */
	long d = syscall(SYS_getgid);            /* result changed at exit to 77 */
	_exit((a == getppid()) + 2 * (b == 42) + 4 * (c == -1 && errno == EBADF) + 8 * (d == 77));
}

static void test_syscalls(void)
{
	pid_t pid = fork();
	if (!pid)
		child_syscalls();
	int st = wait_for(pid);
	show("traceme raise", st);
	siginfo_t si;
	OK("getsiginfo raise", ptrace(PTRACE_GETSIGINFO, pid, 0, &si) == 0 && si.si_signo == SIGSTOP &&
	   si.si_code == SI_TKILL && si.si_pid == pid);
	OK("setoptions", ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD) == 0);
	long msg = -1;
	int stops = 0;
	bool entry = true;
	for (;;) {
		if (ptrace(PTRACE_SYSCALL, pid, 0, 0)) {
			printf("FAIL PTRACE_SYSCALL %s\n", en(errno));
			t_failed++;
			break;
		}
		st = wait_for(pid);
		if (!WIFSTOPPED(st))
			break;
		if (WSTOPSIG(st) != (SIGTRAP | 0x80)) {
			show("unexpected", st);
			continue;
		}
		struct user_regs_struct r;
		ptrace(PTRACE_GETREGS, pid, 0, &r);
		struct ptrace_syscall_info info;
		long n = ptrace(PTRACE_GET_SYSCALL_INFO, pid, sizeof info, &info);
		ptrace(PTRACE_GETEVENTMSG, pid, 0, &msg);
		int nr = (int)r.orig_rax;
		if (stops++ < 1 && entry) {
			/* the first stop is the entry of whatever follows raise */
		}
		if (entry) {
			OK("entry rax -ENOSYS", (long)r.rax == -ENOSYS);
			if (nr == SYS_getpid || nr == SYS_getuid || nr == SYS_dup || nr == SYS_getgid ||
			    nr == SYS_exit_group)
				printf("entry %ld msg %ld info op %d size %ld nr %lld arg0 %lld\n",
				       (long)nr, msg, info.op, n, (long long)info.entry.nr,
				       nr == SYS_dup ? (long long)info.entry.args[0] : 0LL);
			if (nr == SYS_getpid) {
				r.orig_rax = SYS_getppid;
				OK("setregs change nr", ptrace(PTRACE_SETREGS, pid, 0, &r) == 0);
			} else if (nr == SYS_getuid) {
				OK("pokeuser skip", ptrace(PTRACE_POKEUSER, pid, REG(orig_rax), -1L) == 0);
				OK("pokeuser rax", ptrace(PTRACE_POKEUSER, pid, REG(rax), 42L) == 0);
			}
		} else {
			if (nr == SYS_getppid || nr == SYS_getuid || nr == SYS_dup || nr == SYS_getgid || nr == -1)
				printf("exit %d msg %ld info op %d size %ld rval %s%lld error %d\n", nr, msg,
				       info.op, n,
				       nr == SYS_getppid ? "ppid+" : "",
				       (long long)(nr == SYS_getppid ? info.exit.rval - getpid() : info.exit.rval),
				       info.exit.is_error);
			if (nr == SYS_getgid)
				ptrace(PTRACE_POKEUSER, pid, REG(rax), 77L);
		}
		entry = !entry;
	}
	show("syscalls child", st);
	printf("child checks %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

/* ---- 2. memory and registers ---- */

static volatile long data_word = 0x1122334455667788L;

__attribute__((noinline)) static int patched(void)
{
	__asm__ volatile("nop; nop; nop; nop; nop; nop; nop; nop; nop; nop; nop; nop; nop; nop; nop; nop");
	return 1;
}

static void test_memory(void)
{
	pid_t pid = fork();
	if (!pid) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		_exit((data_word == 0x0102030405060708L) + 2 * (patched() == 42));
	}
	wait_for(pid);
	errno = 0;
	long w = ptrace(PTRACE_PEEKDATA, pid, &data_word, 0);
	OK("peekdata", errno == 0 && w == 0x1122334455667788L);
	OK("pokedata", ptrace(PTRACE_POKEDATA, pid, &data_word, 0x0102030405060708L) == 0);
	/* code: mov $42,%eax; ret -- written into read-only text */
	unsigned char code[8] = { 0xb8, 42, 0, 0, 0, 0xc3, 0x90, 0x90 };
	long cw;
	memcpy(&cw, code, 8);
	OK("poketext read-only text", ptrace(PTRACE_POKETEXT, pid, (void *)patched, cw) == 0);
	errno = 0;
	w = ptrace(PTRACE_PEEKTEXT, pid, (void *)patched, 0);
	OK("peektext sees poke", errno == 0 && w == cw);
	ERR("peekdata unmapped", ptrace(PTRACE_PEEKDATA, pid, (void *)8, 0), EIO);
	ERR("pokedata unmapped", ptrace(PTRACE_POKEDATA, pid, (void *)8, 0), EIO);
	ERR("peekdata kernel", ptrace(PTRACE_PEEKDATA, pid, (void *)0xffffffff81000000UL, 0), EIO);
	ERR("pokedata kernel", ptrace(PTRACE_POKEDATA, pid, (void *)0xffffffff81000000UL, 0), EIO);
	/* /proc/PID/mem, as gdb reads and writes */
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/mem", pid);
	int fd = open(path, O_RDWR);
	OK("open proc mem", fd >= 0);
	long v = 0;
	OK("pread proc mem", pread(fd, &v, 8, (off_t)(uintptr_t)&data_word) == 8 && v == 0x0102030405060708L);
	ERR("pread proc mem unmapped", pread(fd, &v, 8, 4096), EIO);
	unsigned char nop = 0x90;
	OK("pwrite proc mem text", pwrite(fd, &nop, 1, (off_t)(uintptr_t)patched + 6) == 1);
	close(fd);

	struct user_regs_struct r, r2;
	OK("getregs", ptrace(PTRACE_GETREGS, pid, 0, &r) == 0);
	OK("regs selectors", r.cs == 0x33 && r.ss == 0x2b);
	errno = 0;
	OK("peekuser rip", ptrace(PTRACE_PEEKUSER, pid, REG(rip), 0) == (long)r.rip && errno == 0);
	OK("peekuser fs_base", ptrace(PTRACE_PEEKUSER, pid, REG(fs_base), 0) == (long)r.fs_base);
	r2 = r;
	r2.r12 = 0x1234;
	OK("setregs", ptrace(PTRACE_SETREGS, pid, 0, &r2) == 0);
	OK("peekuser r12", ptrace(PTRACE_PEEKUSER, pid, REG(r12), 0) == 0x1234);
	OK("setregs back", ptrace(PTRACE_SETREGS, pid, 0, &r) == 0);
	ERR("pokeuser cs 0", ptrace(PTRACE_POKEUSER, pid, REG(cs), 0), EIO);
	ERR("pokeuser cs kernel", ptrace(PTRACE_POKEUSER, pid, REG(cs), 0x10), EIO);
	ERR("pokeuser ss kernel", ptrace(PTRACE_POKEUSER, pid, REG(ss), 0x18), EIO);
	ERR("pokeuser ds kernel", ptrace(PTRACE_POKEUSER, pid, REG(ds), 0x10), EIO);
	ERR("pokeuser fs_base kernel", ptrace(PTRACE_POKEUSER, pid, REG(fs_base), 0xffffffff81000000UL), EIO);
	ERR("pokeuser unaligned", ptrace(PTRACE_POKEUSER, pid, 3, 0), EIO);
	ERR("pokeuser fpregs area", ptrace(PTRACE_POKEUSER, pid, 224, 0), EIO);
	ERR("pokeuser past end", ptrace(PTRACE_POKEUSER, pid, 4096, 0), EIO);
	ERR("peekuser past end", ptrace(PTRACE_PEEKUSER, pid, 4096, 0), EIO);
	errno = 0;
	long f = ptrace(PTRACE_PEEKUSER, pid, REG(eflags), 0);
	OK("pokeuser eflags masked", ptrace(PTRACE_POKEUSER, pid, REG(eflags), 0xffffffffL) == 0 &&
	   (ptrace(PTRACE_PEEKUSER, pid, REG(eflags), 0) & 0x3200) == 0x200);  /* IF kept, IOPL not set */
	ptrace(PTRACE_POKEUSER, pid, REG(eflags), f);
	r2 = r;
	r2.cs = 0x10;
	ERR("setregs kernel cs", ptrace(PTRACE_SETREGS, pid, 0, &r2), EIO);
	OK("setregs kernel cs left regs", ptrace(PTRACE_PEEKUSER, pid, REG(rip), 0) == (long)r.rip);
	/* debug registers: addresses checked, DR4/5 refused */
	ERR("dr0 kernel", ptrace(PTRACE_POKEUSER, pid, DR(0), 0xffffffff81000000UL), EINVAL);
	ERR("dr1 noncanonical", ptrace(PTRACE_POKEUSER, pid, DR(1), 0x800000000000UL), EINVAL);
	ERR("dr4", ptrace(PTRACE_POKEUSER, pid, DR(4), 1), EIO);
	OK("dr0 user", ptrace(PTRACE_POKEUSER, pid, DR(0), &data_word) == 0 &&
	   ptrace(PTRACE_PEEKUSER, pid, DR(0), 0) == (long)&data_word);
	OK("dr0 clear", ptrace(PTRACE_POKEUSER, pid, DR(0), 0) == 0);
	errno = 0;
	OK("dr7 reads 0", ptrace(PTRACE_PEEKUSER, pid, DR(7), 0) == 0 && errno == 0);

	struct user_fpregs_struct fp, fp2;
	OK("getfpregs", ptrace(PTRACE_GETFPREGS, pid, 0, &fp) == 0 && fp.cwd == 0x37f);
	fp2 = fp;
	fp2.xmm_space[0] = 0xdeadbeef;
	OK("setfpregs", ptrace(PTRACE_SETFPREGS, pid, 0, &fp2) == 0 &&
	   ptrace(PTRACE_GETFPREGS, pid, 0, &fp) == 0 && fp.xmm_space[0] == 0xdeadbeef);
	struct iovec iov = { &r2, sizeof r2 };
	OK("getregset prstatus", ptrace(PTRACE_GETREGSET, pid, NT_PRSTATUS, &iov) == 0 &&
	   iov.iov_len == sizeof r2 && r2.rip == r.rip);
	iov.iov_len = 8;
	OK("getregset short", ptrace(PTRACE_GETREGSET, pid, NT_PRSTATUS, &iov) == 0 && iov.iov_len == 8);
	iov = (struct iovec){ &fp, sizeof fp };
	OK("getregset prfpreg", ptrace(PTRACE_GETREGSET, pid, NT_PRFPREG, &iov) == 0 &&
	   iov.iov_len == sizeof fp && fp.xmm_space[0] == 0xdeadbeef);
	static char xs[4096];
	iov = (struct iovec){ xs, sizeof xs };
	OK("getregset xstate", ptrace(PTRACE_GETREGSET, pid, NT_X86_XSTATE, &iov) == 0 &&
	   iov.iov_len >= 576 && (*(uint64_t *)(xs + 464) & 3) == 3 &&
	   *(uint32_t *)(xs + 160) == 0xdeadbeef);
	iov = (struct iovec){ xs, sizeof xs };
	ERR("getregset bad type", ptrace(PTRACE_GETREGSET, pid, 0x999, &iov), EINVAL);
	ERR("getregs efault", ptrace(PTRACE_GETREGS, pid, 0, (void *)8), EFAULT);
	ERR("setregs efault", ptrace(PTRACE_SETREGS, pid, 0, (void *)8), EFAULT);
	ERR("getregset iov efault", ptrace(PTRACE_GETREGSET, pid, NT_PRSTATUS, (void *)8), EFAULT);
	sigset_t mask;
	ERR("getsigmask bad size", ptrace(PTRACE_GETSIGMASK, pid, 4, &mask), EINVAL);
	uint64_t m = 0;
	OK("getsigmask", ptrace(PTRACE_GETSIGMASK, pid, 8, &m) == 0 && m == 0);
	m = (1ULL << (SIGUSR1 - 1)) | (1ULL << (SIGKILL - 1));
	OK("setsigmask", ptrace(PTRACE_SETSIGMASK, pid, 8, &m) == 0 &&
	   ptrace(PTRACE_GETSIGMASK, pid, 8, &m) == 0 && m == (1ULL << (SIGUSR1 - 1)));
	ERR("setoptions bad", ptrace(PTRACE_SETOPTIONS, pid, 0, 0x80000000L), EINVAL);
	ERR("bad request", ptrace((enum __ptrace_request)0x7777, pid, 0, 0), EIO);
	ERR("cont bad signal", ptrace(PTRACE_CONT, pid, 0, 100), EIO);
	ERR("interrupt not seized", ptrace(PTRACE_INTERRUPT, pid, 0, 0), EIO);
	ERR("listen not seized", ptrace(PTRACE_LISTEN, pid, 0, 0), EIO);
	OK("cont", ptrace(PTRACE_CONT, pid, 0, 0) == 0);
	ERR("getregs running", ptrace(PTRACE_GETREGS, pid, 0, &r), ESRCH);
	int st = wait_for(pid);
	show("memory child", st);
}

/* ---- 3. single-step ---- */

extern char step_start[], step_after_nops[], step_syscall[], step_after_syscall[], step_end[];

static void child_step(void)
{
	ptrace(PTRACE_TRACEME, 0, 0, 0);
	raise(SIGSTOP);
	__asm__ volatile(
		"step_start:\n"
		"	nop\n"
		"	nop\n"
		"	inc %%rbx\n"
		"step_after_nops:\n"
		"	mov $39, %%eax\n"      /* getpid */
		"step_syscall:\n"
		"	syscall\n"
		"step_after_syscall:\n"
		"	nop\n"
		"	int3\n"
		"step_end:\n"
		::: "rax", "rbx", "rcx", "r11", "memory");
	_exit(0);
}

static void test_step(void)
{
	pid_t pid = fork();
	if (!pid)
		child_step();
	wait_for(pid);
	/* run to the int3 with PTRACE_CONT, stepping from step_start:
	 * put the tracee at step_start first */
	struct user_regs_struct r;
	ptrace(PTRACE_GETREGS, pid, 0, &r);
	r.rip = (unsigned long)step_start;
	ptrace(PTRACE_SETREGS, pid, 0, &r);
	int n = 0;
	for (;;) {
		if (ptrace(PTRACE_SINGLESTEP, pid, 0, 0))
			break;
		int st = wait_for(pid);
		if (!WIFSTOPPED(st))
			break;
		siginfo_t si;
		ptrace(PTRACE_GETSIGINFO, pid, 0, &si);
		ptrace(PTRACE_GETREGS, pid, 0, &r);
		long off = (long)(r.rip - (unsigned long)step_start);
		printf("step %d: %s code %d rip start+%ld tf %d\n", n, sname(WSTOPSIG(st)), si.si_code, off,
		       !!(r.eflags & 0x100));
		if (r.rip == (unsigned long)step_end || ++n > 20)
			break;
	}
	/* the int3 was reached: go on to the exit */
	ptrace(PTRACE_CONT, pid, 0, 0);
	show("step child", wait_for(pid));
}

/* ---- 4. signals: suppress, inject, change ---- */

static volatile int got_usr1, got_usr2;
static void on_usr1(int s) { (void)s; got_usr1++; }
static void on_usr2(int s) { (void)s; got_usr2++; }

static void test_signals(void)
{
	pid_t pid = fork();
	if (!pid) {
		signal(SIGUSR1, on_usr1);
		signal(SIGUSR2, on_usr2);
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		raise(SIGUSR1);          /* suppressed by the tracer */
		raise(SIGUSR1);          /* changed into SIGUSR2 */
		signal(SIGCHLD, SIG_IGN);
		raise(SIGCHLD);          /* ignored, but the tracer sees it */
		_exit(got_usr1 * 10 + got_usr2);
	}
	wait_for(pid);
	ptrace(PTRACE_CONT, pid, 0, 0);
	int st = wait_for(pid);
	show("signal 1", st);
	ptrace(PTRACE_CONT, pid, 0, 0);
	st = wait_for(pid);
	show("signal 2", st);
	siginfo_t si;
	ptrace(PTRACE_GETSIGINFO, pid, 0, &si);
	si.si_signo = SIGUSR2;
	OK("setsiginfo", ptrace(PTRACE_SETSIGINFO, pid, 0, &si) == 0);
	ptrace(PTRACE_CONT, pid, 0, SIGUSR2);
	st = wait_for(pid);
	show("signal 3", st);
	ptrace(PTRACE_CONT, pid, 0, 0);
	st = wait_for(pid);
	show("signals child", st);
}

/* ---- 5. events: fork, clone, exec, exit, vfork ---- */

static void *thread_fn(void *arg) { return arg; }

/* Each tracee's stops in order, printed at the end tracee by tracee
 * (the order between tracees is the scheduler's). */
struct tlog { pid_t pid; char name[16]; char text[1024]; };

static struct tlog *tlog_of(struct tlog *logs, int *n, pid_t pid)
{
	for (int i = 0; i < *n; i++)
		if (logs[i].pid == pid)
			return &logs[i];
	struct tlog *l = &logs[(*n)++];
	memset(l, 0, sizeof *l);
	l->pid = pid;
	snprintf(l->name, sizeof l->name, "unnamed");
	return l;
}

static void tlog_add(struct tlog *l, const char *fmt, int st, unsigned long msg)
{
	char line[128];
	if (WIFEXITED(st))
		snprintf(line, sizeof line, "exited %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(line, sizeof line, "killed %s", sname(WTERMSIG(st)));
	else if (st >> 16)
		snprintf(line, sizeof line, "%s event %d msg %s", sname(WSTOPSIG(st)), st >> 16, fmt);
	else
		snprintf(line, sizeof line, "%s", sname(WSTOPSIG(st)));
	(void)msg;
	size_t len = strlen(l->text);
	snprintf(l->text + len, sizeof l->text - len, "%s%s", len ? ", " : "", line);
}

static void test_events(void)
{
	pid_t pid = fork();
	if (!pid) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		pid_t c = fork();
		if (!c)
			_exit(5);
		waitpid(c, NULL, 0);
		pthread_t th;
		pthread_create(&th, NULL, thread_fn, NULL);
		pthread_join(th, NULL);
		pid_t v = vfork();
		if (!v)
			_exit(6);
		waitpid(v, NULL, 0);
		execl(self_exe, self_exe, "exec-child", NULL);
		_exit(99);
	}
	wait_for(pid);
	OK("setoptions events", ptrace(PTRACE_SETOPTIONS, pid, 0,
		PTRACE_O_TRACEFORK | PTRACE_O_TRACECLONE | PTRACE_O_TRACEVFORK | PTRACE_O_TRACEVFORKDONE |
		PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT) == 0);
	ptrace(PTRACE_CONT, pid, 0, 0);
	struct tlog logs[8];
	int nl = 0;
	snprintf(tlog_of(logs, &nl, pid)->name, 16, "parent");
	int live = 1;
	for (int i = 0; i < 60 && live > 0; i++) {
		int st;
		pid_t w = waitpid(-1, &st, __WALL);
		if (w < 0)
			break;
		struct tlog *l = tlog_of(logs, &nl, w);
		unsigned long msg = 0;
		const char *m = "-";
		if (WIFSTOPPED(st) && (st >> 16)) {
			ptrace(PTRACE_GETEVENTMSG, w, 0, &msg);
			int ev = st >> 16;
			if (ev == PTRACE_EVENT_FORK || ev == PTRACE_EVENT_CLONE || ev == PTRACE_EVENT_VFORK) {
				struct tlog *k = tlog_of(logs, &nl, (pid_t)msg);
				snprintf(k->name, 16, "%s", ev == PTRACE_EVENT_FORK ? "forked" :
					 ev == PTRACE_EVENT_CLONE ? "thread" : "vforked");
				live++;
				m = "new pid";
			} else if (ev == PTRACE_EVENT_EXEC) {
				m = msg == (unsigned long)pid ? "its pid" : "other";
			} else if (ev == PTRACE_EVENT_EXIT) {
				static char b[16];
				snprintf(b, sizeof b, "%#lx", msg);
				m = b;
			}
		}
		tlog_add(l, m, st, msg);
		if (!WIFSTOPPED(st)) {
			live--;
			continue;
		}
		int sig = WSTOPSIG(st) != SIGTRAP && WSTOPSIG(st) != SIGSTOP ? WSTOPSIG(st) : 0;
		ptrace(PTRACE_CONT, w, 0, sig);
	}
	const char *order[] = { "parent", "forked", "thread", "vforked" };
	for (int k = 0; k < 4; k++)
		for (int i = 0; i < nl; i++)
			if (!strcmp(logs[i].name, order[k]))
				printf("events of %s: %s\n", logs[i].name, logs[i].text);
	OK("no unnamed tracee", nl == 4);
}

/* ---- 6. seize, interrupt, group stop, listen ---- */

static void test_seize(void)
{
	int pfd[2];
	if (pipe(pfd))
		return;
	pid_t pid = fork();
	if (!pid) {
		char c;
		close(pfd[1]);
		while (read(pfd[0], &c, 1) == 1)
			;
		_exit(3);
	}
	close(pfd[0]);
	OK("seize", ptrace(PTRACE_SEIZE, pid, 0, PTRACE_O_TRACESYSGOOD) == 0);
	ERR("seize twice", ptrace(PTRACE_SEIZE, pid, 0, 0), EPERM);
	ERR("attach seized", ptrace(PTRACE_ATTACH, pid, 0, 0), EPERM);
	ERR("getregs not stopped", ptrace(PTRACE_GETREGS, pid, 0, NULL), ESRCH);
	OK("interrupt", ptrace(PTRACE_INTERRUPT, pid, 0, 0) == 0);
	int st = wait_for(pid);
	show("interrupt", st);
	siginfo_t si;
	OK("interrupt siginfo", ptrace(PTRACE_GETSIGINFO, pid, 0, &si) == 0 && si.si_signo == SIGTRAP &&
	   si.si_code == (SIGTRAP | PTRACE_EVENT_STOP << 8));
	OK("listen after interrupt", ptrace(PTRACE_LISTEN, pid, 0, 0) == 0);
	OK("no report while listening", waitpid(pid, &st, __WALL | WNOHANG) == 0);
	ERR("cont while listening", ptrace(PTRACE_CONT, pid, 0, 0), ESRCH);
	OK("interrupt listening", ptrace(PTRACE_INTERRUPT, pid, 0, 0) == 0);
	st = wait_for(pid);
	show("interrupt again", st);
	ptrace(PTRACE_CONT, pid, 0, 0);
	/* a group stop: signal-delivery-stop, then PTRACE_EVENT_STOP */
	kill(pid, SIGSTOP);
	st = wait_for(pid);
	show("sigstop delivery", st);
	ptrace(PTRACE_CONT, pid, 0, SIGSTOP);
	st = wait_for(pid);
	show("group stop", st);
	OK("group stop siginfo", ptrace(PTRACE_GETSIGINFO, pid, 0, &si) == 0 && si.si_signo == SIGSTOP &&
	   si.si_code == (SIGSTOP | PTRACE_EVENT_STOP << 8));
	OK("listen", ptrace(PTRACE_LISTEN, pid, 0, 0) == 0);
	OK("no report while stopped", waitpid(pid, &st, __WALL | WNOHANG) == 0);
	kill(pid, SIGCONT);
	st = wait_for(pid);
	show("after sigcont", st);
	ptrace(PTRACE_CONT, pid, 0, 0);
	st = wait_for(pid);
	show("sigcont delivery", st);
	ptrace(PTRACE_CONT, pid, 0, WSTOPSIG(st));
	close(pfd[1]);
	st = wait_for(pid);
	show("seized child", st);
}

/* ---- 7. attach, detach, permissions ---- */

static void test_attach(void)
{
	int pfd[2];
	if (pipe(pfd))
		return;
	pid_t pid = fork();
	if (!pid) {
		char c;
		close(pfd[1]);
		while (read(pfd[0], &c, 1) == 1)
			;
		_exit(4);
	}
	close(pfd[0]);
	ERR("attach self", ptrace(PTRACE_ATTACH, getpid(), 0, 0), EPERM);
	ERR("attach pid 0", ptrace(PTRACE_ATTACH, 0, 0, 0), ESRCH);
	ERR("attach no such pid", ptrace(PTRACE_ATTACH, 3999999, 0, 0), ESRCH);
	ERR("cont not traced", ptrace(PTRACE_CONT, pid, 0, 0), ESRCH);
	ERR("seize with addr", ptrace(PTRACE_SEIZE, pid, 1, 0), EIO);
	ERR("seize bad options", ptrace(PTRACE_SEIZE, pid, 0, 0x80000000L), EIO);
	OK("attach", ptrace(PTRACE_ATTACH, pid, 0, 0) == 0);
	int st = wait_for(pid);
	show("attach stop", st);
	siginfo_t si;
	OK("attach siginfo", ptrace(PTRACE_GETSIGINFO, pid, 0, &si) == 0 && si.si_signo == SIGSTOP);
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/status", pid);
	FILE *f = fopen(path, "r");
	int tracer = -1;
	char state = '?';
	while (f && fgets(line, sizeof line, f)) {
		sscanf(line, "TracerPid: %d", &tracer);
		sscanf(line, "State: %c", &state);
	}
	if (f)
		fclose(f);
	OK("status TracerPid", tracer == getpid());
	printf("status state %c\n", state);
	OK("detach", ptrace(PTRACE_DETACH, pid, 0, 0) == 0);
	ERR("getregs detached", ptrace(PTRACE_GETREGS, pid, 0, NULL), ESRCH);
	close(pfd[1]);
	st = wait_for(pid);
	show("detached child", st);

	/* another user's process: EPERM, and no /proc/PID/mem */
	if (pipe(pfd))
		return;
	pid = fork();
	if (!pid) {
		char c;
		close(pfd[1]);
		if (setuid(65534))
			_exit(1);
		while (read(pfd[0], &c, 1) == 1)
			;
		_exit(0);
	}
	close(pfd[0]);
	pid_t q = fork();
	if (!q) {
		/* an unprivileged user of another uid */
		if (setgid(65533) || setuid(65533))
			_exit(1);
		errno = 0;
		long r = ptrace(PTRACE_ATTACH, pid, 0, 0);
		int e1 = errno;
		snprintf(path, sizeof path, "/proc/%d/mem", pid);
		int fd = open(path, O_RDONLY);
		int e2 = errno;
		char b[8];
		struct iovec l = { b, 8 }, rv = { (void *)&data_word, 8 };
		long n = process_vm_readv(pid, &l, 1, &rv, 1, 0);
		int e3 = errno;
		printf("other uid: attach %ld %s, open mem %d %s, process_vm_readv %ld %s\n", r, en(e1),
		       fd, en(e2), n, en(e3));
		_exit(0);
	}
	wait_for(q);
	close(pfd[1]);
	wait_for(pid);
	/* the same uid, a descendant (made dumpable again after setuid, as
	 * Linux wants): allowed.  (Yama's scope 1 would refuse a sibling;
	 * the host may have no Yama, so that is checked by run-ptrace-tests) */
	pid = fork();
	if (!pid) {
		if (setgid(65533) || setuid(65533))
			_exit(1);
		if (pipe(pfd))
			_exit(1);
		pid_t a = fork();
		if (!a) {
			char c;
			close(pfd[1]);
			prctl(PR_SET_DUMPABLE, 1);
			while (read(pfd[0], &c, 1) == 1)
				;
			_exit(0);
		}
		close(pfd[0]);
		usleep(100000);
		errno = 0;
		long r = ptrace(PTRACE_ATTACH, a, 0, 0);
		printf("same uid child: attach %ld %s\n", r, r ? en(errno) : "");
		if (!r) {
			show("same uid child", wait_for(a));
			ptrace(PTRACE_DETACH, a, 0, 0);
		}
		close(pfd[1]);
		waitpid(a, NULL, 0);
		_exit(0);
	}
	wait_for(pid);

	/* attach to a process already in a group stop: the attach returns
	 * with it in a ptrace stop (Linux's JOBCTL_TRAPPING), so requests
	 * work at once, before any wait (LTP ptrace08) */
	pid = fork();
	if (!pid) {
		raise(SIGSTOP);
		_exit(6);
	}
	OK("group stop seen", waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st));
	OK("attach stopped", ptrace(PTRACE_ATTACH, pid, 0, 0) == 0);
	errno = 0;
	long rip = ptrace(PTRACE_PEEKUSER, pid, REG(rip), 0);
	OK("  peekuser at once", errno == 0 && rip != 0);
	OK("  dr0 poke at once", ptrace(PTRACE_POKEUSER, pid, DR(0), &data_word) == 0);
	ERR("  dr0 kernel address", ptrace(PTRACE_POKEUSER, pid, DR(0), 0xffff800000000000UL), EINVAL);
	OK("  detach", ptrace(PTRACE_DETACH, pid, 0, 0) == 0);
	kill(pid, SIGCONT);
	show("stopped then attached child", wait_for(pid));
}

/* ---- 8. exit while traced: the tracer reaps, the parent still sees it ---- */

static void test_exitkill(void)
{
	/* a tracer process that seizes its sibling with EXITKILL and exits */
	int pfd[2];
	if (pipe(pfd))
		return;
	pid_t victim = fork();
	if (!victim) {
		char c;
		close(pfd[1]);
		while (read(pfd[0], &c, 1) == 1)
			;
		_exit(0);
	}
	close(pfd[0]);
	pid_t tracer = fork();
	if (!tracer) {
		long r = ptrace(PTRACE_SEIZE, victim, 0, PTRACE_O_EXITKILL);
		_exit(r == 0 ? 0 : 1);
	}
	show("exitkill tracer", wait_for(tracer));
	int st = wait_for(victim);
	show("exitkill victim", st);
	close(pfd[1]);
}

/* ---- 9. SYSEMU, SYSEMU_SINGLESTEP, PEEKSIGINFO ---- */

static void test_sysemu(void)
{
	pid_t pid = fork();
	if (!pid) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		long a = syscall(SYS_getpid);          /* emulated by the tracer: 1234 */
		long b = syscall(SYS_getppid);         /* emulated too: 5678 */
		_exit((a == 1234) + 2 * (b == 5678));
	}
	wait_for(pid);
	int emulated = 0;
	for (int i = 0; i < 8 && emulated < 2; i++) {
		if (ptrace(i & 1 ? PTRACE_SYSEMU_SINGLESTEP : PTRACE_SYSEMU, pid, 0, 0))
			break;
		int st = wait_for(pid);
		if (!WIFSTOPPED(st))
			break;
		struct user_regs_struct r;
		ptrace(PTRACE_GETREGS, pid, 0, &r);
		if (WSTOPSIG(st) != SIGTRAP)
			continue;
		siginfo_t si;
		ptrace(PTRACE_GETSIGINFO, pid, 0, &si);
		if (si.si_code != SIGTRAP || ((int)r.orig_rax != SYS_getpid && (int)r.orig_rax != SYS_getppid))
			continue;   /* a single step, or raise's own calls */
		printf("sysemu stop: nr %lld rax %lld\n", (long long)r.orig_rax, (long long)r.rax);
		r.rax = (int)r.orig_rax == SYS_getpid ? 1234 : 5678;
		ptrace(PTRACE_SETREGS, pid, 0, &r);
		emulated++;
	}
	ptrace(PTRACE_CONT, pid, 0, 0);
	show("sysemu child", wait_for(pid));

	/* PEEKSIGINFO: the queue of a stopped tracee, private and shared */
	pid = fork();
	if (!pid) {
		sigset_t all;
		sigfillset(&all);
		sigprocmask(SIG_BLOCK, &all, NULL);
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		union sigval v = { .sival_int = 7 };
		sigqueue(getpid(), SIGRTMIN, v);
		v.sival_int = 8;
		sigqueue(getpid(), SIGRTMIN + 1, v);
		syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1);
		sigprocmask(SIG_UNBLOCK, &all, NULL);   /* the stop comes first: SIGUSR1 is lowest */
		_exit(0);
	}
	int st = wait_for(pid);
	show("peeksiginfo stop", st);
	siginfo_t q[4];
	struct ptrace_peeksiginfo_args pa = { 0, PTRACE_PEEKSIGINFO_SHARED, 4 };
	long n = ptrace(PTRACE_PEEKSIGINFO, pid, &pa, q);
	printf("shared queue: %ld", n);
	for (long i = 0; i < n; i++)
		printf(" %s/%d", sname(q[i].si_signo), q[i].si_value.sival_int);
	printf("\n");
	pa.flags = 0;
	n = ptrace(PTRACE_PEEKSIGINFO, pid, &pa, q);
	printf("private queue: %ld\n", n);
	pa.off = 1;
	pa.flags = PTRACE_PEEKSIGINFO_SHARED;
	n = ptrace(PTRACE_PEEKSIGINFO, pid, &pa, q);
	printf("shared queue from 1: %ld %s\n", n, n > 0 ? sname(q[0].si_signo) : "");
	pa.flags = 8;
	ERR("peeksiginfo bad flags", ptrace(PTRACE_PEEKSIGINFO, pid, &pa, q), EINVAL);
	pa.flags = 0;
	pa.nr = -1;
	ERR("peeksiginfo negative nr", ptrace(PTRACE_PEEKSIGINFO, pid, &pa, q), EINVAL);
	kill(pid, SIGKILL);
	show("peeksiginfo child", wait_for(pid));
}

/* ---- 10. a hot syscall site, then a tracer: it sees the program's own
 * bytes (umk's seccomp platform may have patched the site) ---- */

extern char hot_site[];

static void test_hot_site(void)
{
	int pfd[2];
	if (pipe(pfd))
		return;
	pid_t pid = fork();
	if (!pid) {
		for (int i = 0; i < 200; i++)
			__asm__ volatile("hot_site: mov $110, %%eax\n syscall" ::: "rax", "rcx", "r11", "memory");
		if (write(pfd[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			__asm__ volatile("1: mov $110, %%eax\n syscall\n jmp 1b" ::: "rax", "rcx", "r11", "memory");
	}
	char c;
	if (read(pfd[0], &c, 1) != 1)
		return;
	OK("attach hot", ptrace(PTRACE_ATTACH, pid, 0, 0) == 0);
	wait_for(pid);
	errno = 0;
	long w = ptrace(PTRACE_PEEKTEXT, pid, hot_site, 0);
	unsigned char *b = (unsigned char *)&w;
	printf("hot site bytes: %02x %02x %02x %02x %02x %02x %02x\n", b[0], b[1], b[2], b[3], b[4], b[5], b[6]);
	/* stepping through it: the mov, the syscall (a trap at its end) */
	struct user_regs_struct r;
	ptrace(PTRACE_GETREGS, pid, 0, &r);
	r.rip = (unsigned long)hot_site;
	ptrace(PTRACE_SETREGS, pid, 0, &r);
	for (int i = 0; i < 2; i++) {
		ptrace(PTRACE_SINGLESTEP, pid, 0, 0);
		wait_for(pid);
		ptrace(PTRACE_GETREGS, pid, 0, &r);
		printf("hot step %d: site+%ld rax %s\n", i, (long)(r.rip - (unsigned long)hot_site),
		       (long)r.rax == getpid() ? "ppid" : (long)r.rax == 110 ? "110" : "?");
	}
	kill(pid, SIGKILL);
	wait_for(pid);
}

int main(int argc, char **argv)
{
	self_exe = argv[0];
	if (argc > 1 && !strcmp(argv[1], "exec-child"))
		return 9;
	test_syscalls();
	test_memory();
	test_step();
	test_signals();
	test_events();
	test_seize();
	test_attach();
	test_exitkill();
	test_sysemu();
	test_hot_site();
	return t_done();
}
