/*
 * sigorder - which pending signal is delivered first, and syscalls that
 * signals keep landing on.
 *   order: pairs of signals made pending while blocked, then unblocked
 *       together (each handler blocks the others, so handlers run in
 *       delivery order): Linux's next_signal takes a synchronous one
 *       (SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGSYS) before the
 *       rest, whatever the numbers, then the lowest number.
 *   storm: a child sends the parent SIGUSR1 again and again while the
 *       parent makes syscalls whose results it checks (getpid, a write
 *       of a known length, close of a bad fd).  Every result must be
 *       right.  Nested, under a seccomp-platform umk inside another
 *       umk, the signal's kick used to be taken before the trapped
 *       syscall's SIGSYS, and the syscall then ran with the handler's
 *       arguments or not at all: a shell's close of a pipe's end was
 *       lost, and the pipeline hung (tests/run-nest-tests.sh runs this
 *       program at two levels).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define STORM_SIGNALS 3000

static int order[8], norder;

static void record(int sig)
{
	if (norder < 8)
		order[norder++] = sig;
}

static const int test_sigs[] = { SIGSYS, SIGUSR2, SIGTRAP, SIGHUP, SIGBUS, SIGINT, SIGSEGV, SIGQUIT,
				 SIGFPE, SIGTERM, SIGUSR1, SIGALRM };

static void pair(int a, int b)
{
	sigset_t both, old;
	sigemptyset(&both);
	sigaddset(&both, a);
	sigaddset(&both, b);
	sigprocmask(SIG_BLOCK, &both, &old);
	norder = 0;
	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), a);
	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), b);
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("%s and %s pending:", strsignal(a), strsignal(b));
	for (int i = 0; i < norder; i++)
		printf(" %s", strsignal(order[i]));
	printf("\n");
}

static volatile sig_atomic_t usr1s;

static void on_usr1(int sig)
{
	(void)sig;
	usr1s++;
}

static void storm(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	int p[2];
	if (pipe2(p, O_NONBLOCK))   /* a write that did not happen: EAGAIN, not a hang */
		return;
	pid_t me = getpid();
	pid_t c = fork();
	if (c == 0) {
		for (int i = 0; i < STORM_SIGNALS; i++) {
			kill(me, SIGUSR1);
			if (i % 8 == 0)
				sched_yield();
		}
		_exit(0);
	}
	long calls = 0, wrong = 0;
	char buf[3] = "abc", rd[3];
	int st;
	while (waitpid(c, &st, WNOHANG) == 0 || calls < 1000) {
		long r = syscall(SYS_getpid);
		wrong += r != me;
		r = syscall(SYS_write, p[1], buf, 3);
		wrong += r != 3;
		r = syscall(SYS_read, p[0], rd, 3);
		wrong += r != 3 || memcmp(rd, buf, 3);
		r = syscall(SYS_close, 1000);
		wrong += r != -1 || errno != EBADF;
		calls += 4;
	}
	/* the count of handled signals is not fixed (they merge): only that
	 * some came, and that no syscall result was wrong */
	printf("storm: signals handled: %s, syscalls with a wrong result: %ld\n",
	       usr1s > 0 ? "some" : "none", wrong);
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = record;
	for (unsigned i = 0; i < sizeof test_sigs / sizeof test_sigs[0]; i++)
		sigaddset(&sa.sa_mask, test_sigs[i]);
	for (unsigned i = 0; i < sizeof test_sigs / sizeof test_sigs[0]; i++)
		sigaction(test_sigs[i], &sa, NULL);
	pair(SIGSYS, SIGUSR2);
	pair(SIGTRAP, SIGHUP);
	pair(SIGBUS, SIGINT);
	pair(SIGSEGV, SIGQUIT);
	pair(SIGFPE, SIGTERM);
	pair(SIGUSR1, SIGALRM);
	pair(SIGSYS, SIGSEGV);
	fflush(stdout);
	storm();
	return 0;
}
