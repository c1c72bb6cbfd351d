/* memfd_secret(2) and noexec mounts' mappings, compared with a native run.
 *
 * The secret file: flags (O_CLOEXEC only), fstat, F_GETFL, its /proc link,
 * read/write/lseek/fallocate/fsync refused, ftruncate once, MAP_PRIVATE
 * refused, PROT_EXEC refused (EPERM) and never added (EACCES), mappings
 * locked (VmLck) with MADV_DONTNEED refused, mlock ENOMEM and munlock a
 * no-op, msync(MS_SYNC) EINVAL, the owner's own syscalls reading it,
 * get_user_pages' users refused (process_vm_readv EFAULT, ptrace PEEKDATA
 * and /proc/PID/mem EIO), shared with a child across fork, SIGBUS past
 * its size.  Then a file of a noexec tmpfs: mmap PROT_EXEC EPERM,
 * mprotect to PROT_EXEC EACCES.  And memfd_create's F_GETFL.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define R(x) do { long r_ = (long)(x); printf("%-44s = %ld %s\n", #x, r_ < 0 ? -1L : r_, r_ < 0 ? strerrorname_np(errno) : ""); } while (0)
#define M(x) ((x) == MAP_FAILED ? -1 : 0)

static int memfd_secret(unsigned int flags)
{
	return syscall(SYS_memfd_secret, flags);
}

static long vmlck_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "VmLck:", 6))
			kb = atol(line + 6);
	if (f)
		fclose(f);
	return kb;
}

static void secret(void)
{
	char buf[64], path[64];
	struct stat st;
	int fd = memfd_secret(0);

	if (fd < 0 && errno == ENOSYS) {
		printf("memfd_secret: ENOSYS\n");   /* a host kernel without it */
		return;
	}
	R(memfd_secret(1));
	R(memfd_secret(O_NONBLOCK));
	int cfd = memfd_secret(O_CLOEXEC);
	R(fcntl(cfd, F_GETFD));
	close(cfd);
	fstat(fd, &st);
	printf("mode %o size %ld nlink %ld blksize %ld blocks %ld same-uid %d\n", st.st_mode,
	       (long)st.st_size, (long)st.st_nlink, (long)st.st_blksize, (long)st.st_blocks,
	       st.st_uid == geteuid());
	R(fcntl(fd, F_GETFL));
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = 0;
	printf("link %s\n", buf);
	R(read(fd, buf, 1));
	R(write(fd, "x", 1));
	R(pread(fd, buf, 1, 0));
	R(lseek(fd, 0, SEEK_END));
	R(fsync(fd));
	R(M(mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)));   /* size 0: allowed */
	R(ftruncate(fd, 8192));
	R(ftruncate(fd, 4096));
	R(ftruncate(fd, 8192));
	fstat(fd, &st);
	printf("size %ld\n", (long)st.st_size);
	R(fallocate(fd, 0, 0, 4096));
	R(M(mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0)));
	R(M(mmap(0, 4096, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0)));
	R(M(mmap(0, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0)));

	long lck0 = vmlck_kb();
	char *p = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		printf("mmap: %s\n", strerrorname_np(errno));
		return;
	}
	printf("first byte %d, VmLck grew by %ld kB\n", p[0], vmlck_kb() - lck0);
	strcpy(p, "secret");
	FILE *f = fopen("/proc/self/maps", "r");
	char line[256];
	int nmaps = 0;
	while (fgets(line, sizeof line, f))
		if (strstr(line, "/secretmem (deleted)"))
			nmaps++;
	fclose(f);
	printf("maps lines %d\n", nmaps);
	R(mprotect(p, 4096, PROT_READ | PROT_EXEC));
	R(madvise(p, 4096, MADV_DONTNEED));
	R(munlock(p, 8192));
	printf("VmLck after munlock: %ld kB more than before\n", vmlck_kb() - lck0);
	R(mlock(p, 4096));
	R(msync(p, 4096, MS_SYNC));
	R(msync(p, 4096, MS_ASYNC));
	unsigned char vec[2];
	R(mincore(p, 4096, vec));
	/* the owner's syscalls reach it (copy_from_user) */
	int pfd[2];
	pipe(pfd);
	R(write(pfd[1], p, 6));
	memset(buf, 0, sizeof buf);
	R(read(pfd[0], buf, 6));
	printf("through a pipe: %s\n", buf);
	R(read(pfd[0] + 0 * write(pfd[1], "SECRET", 6), p + 100, 6));
	printf("read into it: %.6s\n", p + 100);
	struct iovec l = { buf, 6 }, r = { p, 6 };
	R(process_vm_readv(getpid(), &l, 1, &r, 1, 0));
	/* the local side may be secret: it is the caller's own copy */
	char plain[8] = "plain";
	struct iovec l2 = { p + 200, 5 }, r2 = { plain, 5 };
	R(process_vm_readv(getpid(), &l2, 1, &r2, 1, 0));
	printf("local side secret: %.5s\n", p + 200);

	/* plain memory right before a secret page: copies stop at it */
	char *a = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	R(M(mmap(a + 4096, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0)));
	struct iovec r3 = { a + 4092, 8 };
	R(process_vm_readv(getpid(), &l, 1, &r3, 1, 0));

	pid_t c = fork();
	if (c == 0) {
		printf("child sees %.6s\n", p);
		fflush(stdout);
		raise(SIGSTOP);
		_exit(0);
	}
	waitpid(c, NULL, WUNTRACED);
	R(process_vm_readv(c, &l, 1, &r, 1, 0));
	R(ptrace(PTRACE_ATTACH, c, 0, 0));
	waitpid(c, NULL, 0);
	errno = 0;
	long w = ptrace(PTRACE_PEEKDATA, c, p, 0);
	printf("PEEKDATA %ld %s\n", w, strerrorname_np(errno));
	R(ptrace(PTRACE_POKEDATA, c, p, 0x41));
	snprintf(path, sizeof path, "/proc/%d/mem", c);
	int mfd = open(path, O_RDWR);
	R(pread(mfd, buf, 6, (off_t)(unsigned long)p));
	R(pwrite(mfd, "x", 1, (off_t)(unsigned long)p));
	/* a read that starts before it stops at it */
	R(pread(mfd, buf, 8, (off_t)(unsigned long)(a + 4092)));
	R(process_vm_readv(c, &l, 1, &r3, 1, 0));
	close(mfd);
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
	printf("parent still has %.6s\n", p);

	/* past its size: SIGBUS */
	int fd2 = memfd_secret(0);
	char *z = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0);
	int status;
	c = fork();
	if (c == 0) {
		z[0] = 1;
		_exit(0);
	}
	waitpid(c, &status, 0);
	printf("touch past its size: %s\n", WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "no signal");
}

static void noexec(void)
{
	pid_t c = fork();
	if (c == 0) {
		char dir[] = "nx-XXXXXX";
		if (!mkdtemp(dir) ||
		    ((unshare(CLONE_NEWNS) && unshare(CLONE_NEWUSER | CLONE_NEWNS)) ||
		     mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		     mount("none", dir, "tmpfs", MS_NOEXEC, NULL))) {
			printf("FAIL cannot mount a noexec tmpfs (%s)\n", strerrorname_np(errno));
			_exit(1);
		}
		char file[64];
		snprintf(file, sizeof file, "%s/f", dir);
		int fd = open(file, O_RDWR | O_CREAT, 0755);
		ftruncate(fd, 4096);
		R(M(mmap(0, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0)));
		R(M(mmap(0, 4096, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0)));
		char *p = mmap(0, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
		R(mprotect(p, 4096, PROT_READ | PROT_EXEC));
		R(mprotect(p, 4096, PROT_READ | PROT_WRITE));
		R(mprotect(p, 4096, PROT_READ | PROT_WRITE | PROT_EXEC));
		/* anonymous memory is no file of the mount */
		char *a = mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		R(mprotect(a, 4096, PROT_READ | PROT_EXEC));
		_exit(0);
	}
	waitpid(c, NULL, 0);
	/* the same file where exec is allowed */
	int fd = open("plain-file", O_RDWR | O_CREAT, 0755);
	ftruncate(fd, 4096);
	char *p = mmap(0, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	R(mprotect(p, 4096, PROT_READ | PROT_EXEC));
	unlink("plain-file");
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	int mfd = memfd_create("m", 0);
	R(fcntl(mfd, F_GETFL));
	secret();
	noexec();
	return 0;
}
