/*
 * oops.c - when umk itself faults: the oops report, then a clean end or
 * a wait for a debugger.
 *
 * In a nutshell: SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT in any umk
 * thread, and oops() (a kernel assertion), print a report, as Linux's
 * oops does, on stderr and in --oops-log=FILE:
 *   - what happened (the signal and address, or the message);
 *   - the kernel thread's backtrace from the faulting instruction, with
 *     function names and file:line (libunwind, libdw);
 *   - the guest task this thread serves, the syscall in flight decoded
 *     by the strace printer, and the last 32 syscalls of that task from
 *     its ring (debug/ring.c);
 *   - the locks held (klock, and by which thread).
 * Then, with --oops=exit (the default), every stub is killed and umk
 * exits with status 70; with --oops=freeze the guest's threads are
 * stopped and umk prints the `gdb -p PID` line and waits for a debugger.
 * --debug-oops=SYSCALL makes that syscall's handler fault on purpose
 * (debug_oops_fault: the handler is called with a NULL task and NULL
 * arguments), so this path is tested.
 *
 * A fault inside the report itself ends umk at once (status 70); a fault
 * in a second thread while the first reports waits for the first.
 *
 * Lock: the faulting thread may hold klock, or not; after the report it
 * takes klock if it can within a second, and walks the task list (to
 * kill the stubs, or to stop the guest: it then keeps klock, so every
 * other kernel thread stops at its next need of it) only if it holds it.
 */
#include "../kernel.h"
#include "debug.h"
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static enum oops_mode mode = OOPS_EXIT;
static FILE *oops_log;
static atomic_int oops_tid;                    /* the thread reporting, 0 none */
static const struct syscall_desc *debug_oops_desc;

static const char *sig_name(int sig)
{
	const char *n = sigabbrev_np(sig);
	static char buf[16];
	snprintf(buf, sizeof buf, "SIG%s", n ? n : "?");
	return buf;
}

/* Who holds klock: glibc records the owner's tid in every mutex. */
static int klock_owner(void)
{
	return klock.__data.__owner;
}

static void report_task(FILE *o, struct task *t)
{
	fprintf(o, "guest task: tid %d pid %d (%s)", t->tid, t->tg ? t->tg->tgid : t->tid, t->comm);
	if (t->syscall_nr >= 0) {
		struct sysargs a = { .nr = t->syscall_nr,
				     .a = { t->regs.rdi, t->regs.rsi, t->regs.rdx, t->regs.r10,
					    t->regs.r8, t->regs.r9 } };
		fputs(", syscall in flight:\n  ", o);
		strace_print_call(o, t, &a, 0, STRACE_ENTRY);
		fputc('\n', o);
	} else {
		fputs(", no syscall in flight\n", o);
	}
	fprintf(o, "  rip %016llx rsp %016llx rbp %016llx\n", (unsigned long long)t->regs.rip,
		(unsigned long long)t->regs.rsp, (unsigned long long)t->regs.rbp);
	int have = t->sysring.head < SYSCALL_RING_SIZE ? (int)t->sysring.head : SYSCALL_RING_SIZE;
	fprintf(o, "last %d syscalls of tid %d (oldest first):\n", have, t->tid);
	syscall_ring_print(o, t, SYSCALL_RING_SIZE, "  ");
}

/* Writes the report to stderr and the log. */
static void emit(const char *text, size_t len)
{
	if (write(2, text, len) < 0) {
		/* nowhere else to say it */
	}
	if (oops_log) {
		fwrite(text, 1, len, oops_log);
		fflush(oops_log);
	}
}

/* Is host process pid one of our stubs (its comm is the stub's)?  The
 * task list of a kernel in trouble is not trusted to name only stubs. */
static bool is_stub(int pid)
{
	char path[64], comm[32] = "";
	snprintf(path, sizeof path, "/proc/%d/comm", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, comm, sizeof comm - 1);
	close(fd);
	return n > 0 && !strncmp(comm, "memfd:umk-stub\n", (size_t)n);
}

/* Kills every stub (with klock held: the list is stable then); the
 * platforms end any left when umk exits. */
static void kill_stubs(void)
{
	for (struct list_head *p = all_tasks.next; p != &all_tasks; p = p->next) {
		struct task *t = list_entry(p, struct task, all);
		if (!t->host || t->state == TASK_ZOMBIE || t->state == TASK_DEAD)
			continue;
		int pid = platform->host_tid(t->host);
		if (pid > 0 && is_stub(pid))
			kill(pid, SIGKILL);
	}
}

/* Takes klock if this thread can within a second (the oops may have
 * come while another thread holds it, or in the middle of locking). */
static bool take_klock(void)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 1;
	return pthread_mutex_timedlock(&klock, &until) == 0;
}

/* Stops every guest thread running guest code (klock held). */
static void stop_guest(void)
{
	for (struct list_head *p = all_tasks.next; p != &all_tasks; p = p->next) {
		struct task *t = list_entry(p, struct task, all);
		if (t->state == TASK_RUNNING_USER && t->host)
			platform->kick(t->host);
	}
}

static void __attribute__((noreturn)) oops_report(const char *what, void *uc)
{
	int me = (int)syscall(SYS_gettid), none = 0;
	if (!atomic_compare_exchange_strong(&oops_tid, &none, me)) {
		if (none == me)
			_exit(70);      /* faulted while reporting */
		for (;;)
			pause();        /* another thread reports; umk ends with it */
	}
	char *text = NULL;
	size_t len = 0;
	FILE *o = open_memstream(&text, &len);
	if (!o)
		o = stderr;
	fprintf(o, "umk: oops: %s in kernel thread %d\n", what, me);
	if (debug_oops_desc)
		fprintf(o, "handler: sys_%s (faulted on purpose: --debug-oops=%s)\n",
			debug_oops_desc->name, debug_oops_desc->name);
	static struct debug_frame fr[48];
	int n = kernel_backtrace(uc, uc != NULL, fr, ARRAY_SIZE(fr));
	fprintf(o, "kernel backtrace:\n");
	for (int i = 0; i < n; i++)
		debug_frame_print(o, i, &fr[i]);
	int owner = klock_owner();
	bool mine = owner == me;
	if (current)
		report_task(o, current);
	else
		fputs("guest task: none (not a guest task's kernel thread)\n", o);
	if (owner)
		fprintf(o, "locks held: klock (by kernel thread %d%s)\n", owner, mine ? ", this one" : "");
	else
		fputs("locks held: none\n", o);
	if (o != stderr) {
		fclose(o);
		emit(text, len);
		free(text);
	}
	char tail[160];
	if (!mine)
		mine = take_klock();
	if (mode == OOPS_FREEZE) {
		/* this thread keeps klock: every kernel thread stops at its
		 * next need of it, and those running guest code are kicked */
		if (mine)
			stop_guest();
		int k = snprintf(tail, sizeof tail,
				 "umk: oops: frozen for a debugger; attach with: gdb -p %d\n", (int)getpid());
		emit(tail, k);
		for (;;)
			pause();
	}
	if (mine)
		kill_stubs();
	int k = snprintf(tail, sizeof tail, "umk: oops: every stub killed; exiting with status 70\n");
	emit(tail, k);
	_exit(70);
}

static void oops_signal(int sig, siginfo_t *si, void *uc)
{
	char what[96];
	if (sig == SIGABRT)
		snprintf(what, sizeof what, "%s", sig_name(sig));
	else
		snprintf(what, sizeof what, "%s at address %p", sig_name(sig), si->si_addr);
	oops_report(what, uc);
}

void oops_init(enum oops_mode m, FILE *log)
{
	mode = m;
	oops_log = log;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = oops_signal;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
}

/* A kernel bug found by the kernel itself. */
void oops(const char *fmt, ...)
{
	char what[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	oops_report(what, NULL);
}

typedef long (*handler_fn)(struct task *, struct sysargs *);

void debug_oops_fault(const struct syscall_desc *d)
{
	debug_oops_desc = d;
	/* every handler reads its task or its arguments: both are NULL */
	((handler_fn)d->handler)(NULL, NULL);
	oops("--debug-oops=%s: sys_%s returned without touching its task or arguments", d->name,
	     d->name);
}
