/* yama.c - Yama's ptrace_scope 1 as the guest sees it (no native twin:
 * the host may have no Yama).  As an ordinary user, a process may trace
 * its child but not its sibling, nor open its /proc/PID/mem or read it
 * with process_vm_readv.  Prints what it got; run-debug-tests.sh checks. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *res(long r, int e) { return r < 0 ? strerrorname_np(e) : "0"; }
static int word = 42;

int main(void)
{
	char buf[16] = "";
	int fd = open("/proc/sys/kernel/yama/ptrace_scope", O_RDONLY);
	if (fd >= 0 && read(fd, buf, sizeof buf - 1) > 0)
		printf("ptrace_scope %s", buf);
	setvbuf(stdout, NULL, _IONBF, 0);
	if (setgid(1000) || setuid(1000))
		return 1;
	int pfd[2];
	if (pipe(pfd))
		return 1;
	pid_t a = fork();
	if (!a) {
		char c;
		close(pfd[1]);
		while (read(pfd[0], &c, 1) == 1)
			;
		_exit(0);
	}
	pid_t b = fork();
	if (!b) {
		char path[64];
		long r = ptrace(PTRACE_ATTACH, a, 0, 0);
		printf("sibling: %s\n", res(r, errno));
		snprintf(path, sizeof path, "/proc/%d/mem", a);
		r = open(path, O_RDONLY);
		printf("sibling mem: %s\n", res(r, errno));
		int v;
		struct iovec l = { &v, 4 }, rv = { &word, 4 };
		r = process_vm_readv(a, &l, 1, &rv, 1, 0);
		printf("sibling process_vm_readv: %s\n", res(r, errno));
		_exit(0);
	}
	waitpid(b, NULL, 0);
	long r = ptrace(PTRACE_ATTACH, a, 0, 0);
	printf("child: %s\n", res(r, errno));
	if (!r) {
		waitpid(a, NULL, __WALL);
		char path[64];
		snprintf(path, sizeof path, "/proc/%d/mem", a);
		r = open(path, O_RDONLY);
		printf("child mem: %s\n", res(r, errno));
		ptrace(PTRACE_DETACH, a, 0, 0);
	}
	close(pfd[1]);
	waitpid(a, NULL, 0);
	return 0;
}
