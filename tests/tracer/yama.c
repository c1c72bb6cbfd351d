/* yama.c - Yama's ptrace_scope as the guest sees it (no native twin: the
 * host may have no Yama, or another scope).  For each scope the guest's
 * root sets, an ordinary user tries to trace its child and its sibling,
 * to open the sibling's /proc/PID/mem and read it with process_vm_readv;
 * root tries to trace its own child and PTRACE_TRACEME.  Prints what it
 * got; run-tracer-tests.sh compares with Linux's rules. */
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

static const char *set_scope(const char *v)
{
	int fd = open("/proc/sys/kernel/yama/ptrace_scope", O_WRONLY);
	if (fd < 0)
		return strerrorname_np(errno);
	long r = write(fd, v, strlen(v));
	int e = errno;
	close(fd);
	return res(r, e);
}

/* Attach to c, wait for its stop and let it go. */
static long attach(pid_t c)
{
	long r = ptrace(PTRACE_ATTACH, c, 0, 0);
	int e = errno;
	if (!r) {
		waitpid(c, NULL, __WALL);
		ptrace(PTRACE_DETACH, c, 0, 0);
	}
	errno = e;
	return r;
}

/* A child that lives until its pipe closes. */
static pid_t sleeper(int pfd[2])
{
	if (pipe(pfd))
		return -1;
	pid_t a = fork();
	if (!a) {
		char c;
		close(pfd[1]);
		while (read(pfd[0], &c, 1) == 1)
			;
		_exit(0);
	}
	close(pfd[0]);
	return a;
}

static void as_user(void)
{
	pid_t u = fork();
	if (u) {
		waitpid(u, NULL, 0);
		return;
	}
	if (setgid(1000) || setuid(1000))
		_exit(1);
	int pfd[2];
	pid_t a = sleeper(pfd);
	pid_t b = fork();
	if (!b) {
		char path[64];
		long r = attach(a);
		printf(" sibling %s", res(r, errno));
		snprintf(path, sizeof path, "/proc/%d/mem", a);
		r = open(path, O_RDONLY);
		printf(" mem %s", res(r, errno));
		int v;
		struct iovec l = { &v, 4 }, rv = { &word, 4 };
		r = process_vm_readv(a, &l, 1, &rv, 1, 0);
		printf(" vm_readv %s", res(r, errno));
		_exit(0);
	}
	waitpid(b, NULL, 0);
	long r = attach(a);
	printf(" child %s", res(r, errno));
	close(pfd[1]);
	waitpid(a, NULL, 0);
	_exit(0);
}

static void as_root(void)
{
	int pfd[2];
	pid_t a = sleeper(pfd);
	long r = attach(a);
	printf(" root-child %s", res(r, errno));
	close(pfd[1]);
	waitpid(a, NULL, 0);
	a = fork();
	if (!a)
		_exit(ptrace(PTRACE_TRACEME, 0, 0, 0) ? 1 : 0);
	int st;
	waitpid(a, &st, 0);
	printf(" traceme %s\n", WEXITSTATUS(st) ? "EPERM" : "0");
}

int main(void)
{
	char buf[16] = "";
	int fd = open("/proc/sys/kernel/yama/ptrace_scope", O_RDONLY);
	if (fd >= 0 && read(fd, buf, sizeof buf - 1) > 0)
		printf("ptrace_scope %s", buf);
	setvbuf(stdout, NULL, _IONBF, 0);
	const char *scopes[] = { "1", "0", "2", "3" };
	for (int i = 0; i < 4; i++) {
		const char *w = i ? set_scope(scopes[i]) : "0";
		printf("scope %s (%s):", scopes[i], w);
		as_user();
		as_root();
	}
	printf("lower from 3: %s\n", set_scope("1"));
	return 0;
}
