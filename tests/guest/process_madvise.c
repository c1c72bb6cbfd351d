/* process_madvise(2) and process_mrelease(2) by pidfd: the caller's own
 * memory takes any advice (DONTNEED drops the pages), another process's
 * only the hints; the errors for flags, vector, fds and advice; a
 * process's memory released once it is killed, EINVAL while it lives. */
#include "t.h"
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

static long pmadv(int fd, const struct iovec *v, size_t n, int advice, unsigned flags)
{
	return syscall(SYS_process_madvise, fd, v, n, advice, flags);
}

static long mrelease(int fd, unsigned flags)
{
	return syscall(SYS_process_mrelease, fd, flags);
}

int main(void)
{
	char *m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int self = syscall(SYS_pidfd_open, getpid(), 0);
	struct iovec v[2] = { { m, 4096 }, { m + 2 * 4096, 4096 } };

	OK("pidfd_open self", self >= 0);
	memset(m, 'x', 3 * 4096);
	RES("own DONTNEED over two ranges", pmadv(self, v, 2, MADV_DONTNEED, 0));
	OK("the pages are zero again", m[0] == 0 && m[4096] == 'x' && m[2 * 4096] == 0);
	RES("own COLD", pmadv(self, v, 1, MADV_COLD, 0));
	RES("no ranges", pmadv(self, v, 0, MADV_COLD, 0));
	ERR("flags", pmadv(self, v, 1, MADV_COLD, 1), EINVAL);
	ERR("vlen over UIO_MAXIOV", pmadv(self, v, 1025, MADV_COLD, 0), EINVAL);
	ERR("vector unreadable", pmadv(self, (void *)8, 1, MADV_COLD, 0), EFAULT);
	ERR("not a pidfd", pmadv(0, v, 1, MADV_COLD, 0), EBADF);
	ERR("bad fd", pmadv(-1, v, 1, MADV_COLD, 0), EBADF);
	ERR("unknown advice", pmadv(self, v, 1, 12345, 0), EINVAL);
	struct iovec neg = { m, (size_t)-1 };
	ERR("negative length", pmadv(self, &neg, 1, MADV_COLD, 0), EINVAL);
	munmap(m + 4096, 4096);
	struct iovec hole[2] = { { m, 4096 }, { m + 4096, 4096 } };
	RES("a range not mapped: the bytes before it", pmadv(self, hole, 2, MADV_COLD, 0));
	struct iovec onlyhole = { m + 4096, 4096 };
	ERR("only a range not mapped", pmadv(self, &onlyhole, 1, MADV_COLD, 0), ENOMEM);

	int p[2];
	pipe(p);
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		close(p[1]);
		read(p[0], &c, 1);
		_exit(0);
	}
	close(p[0]);
	int child = syscall(SYS_pidfd_open, pid, 0);
	OK("pidfd_open child", child >= 0);
	RES("child COLD", pmadv(child, v, 1, MADV_COLD, 0));
	RES("child PAGEOUT", pmadv(child, v, 1, MADV_PAGEOUT, 0));
	RES("child WILLNEED", pmadv(child, v, 1, MADV_WILLNEED, 0));
	ERR("child DONTNEED", pmadv(child, v, 1, MADV_DONTNEED, 0), EINVAL);
	ERR("child a range not mapped", pmadv(child, &onlyhole, 1, MADV_COLD, 0), ENOMEM);
	ERR("mrelease of a live process", mrelease(child, 0), EINVAL);
	ERR("mrelease flags", mrelease(child, 1), EINVAL);
	ERR("mrelease of not a pidfd", mrelease(0, 0), EBADF);
	kill(pid, SIGKILL);
	siginfo_t si;
	waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
	ERR("mrelease of a zombie", mrelease(child, 0), ESRCH);
	int st;
	waitpid(pid, &st, 0);
	OK("killed", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	ERR("mrelease once reaped", mrelease(child, 0), ESRCH);
	ERR("process_madvise once reaped", pmadv(child, v, 1, MADV_COLD, 0), ESRCH);
	return t_failed != 0;
}
