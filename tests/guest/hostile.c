/* hostile.c - bad arguments must give the errno native Linux gives, never a
 * crash or a hang: NULL, tiny, non-canonical and kernel-half pointers,
 * buffers and strings that run into an unmapped page, garbage in the upper
 * 32 bits of int arguments, out-of-range counts and flags, unknown syscall
 * numbers.  Calls go through syscall() where glibc would check or crash. */
#include "t.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>

#define KERNEL_PTR ((void *)0xffffffff81000000UL)
#define NONCANON ((void *)0xffffffffffffUL)
#define VSYSCALL ((void *)0xffffffffff600000UL)
#define HI(x) (0xffffffff00000000UL | (unsigned)(x)) /* int argument with garbage on top */

int main(void) {
  long pg = sysconf(_SC_PAGESIZE);
  int p[2];
  char buf[256];
  OK("pipe", pipe(p) == 0);

  /* reading into / writing from bad buffers */
  write(p[1], "data", 4);
  ERR("read into (void*)1", syscall(SYS_read, p[0], (void *)1, 4), EFAULT);
  ERR("read into kernel address", syscall(SYS_read, p[0], KERNEL_PTR, 4), EFAULT);
  ERR("write from NULL", syscall(SYS_write, p[1], NULL, 10), EFAULT);
  ERR("write from non-canonical", syscall(SYS_write, p[1], NONCANON, 1), EFAULT);
  ERR("write from vsyscall page", syscall(SYS_write, p[1], VSYSCALL, 8), EFAULT);
  RES("write count 0 from NULL", syscall(SYS_write, p[1], NULL, 0));
  struct iovec bad_iov[2] = {{buf, 1}, {(void *)8, 1}};
  ERR("writev iov array NULL", syscall(SYS_writev, p[1], NULL, 1), EFAULT);
  ERR("writev iovcnt -1", syscall(SYS_writev, p[1], bad_iov, -1), EINVAL);
  ERR("writev iovcnt 1025", syscall(SYS_writev, p[1], bad_iov, 1025), EINVAL);
  RES("writev with a bad second iov", syscall(SYS_writev, p[1], bad_iov, 2));
  ERR("read on fd -1", syscall(SYS_read, -1, buf, 1), EBADF);

  /* a page followed by a hole: buffers and strings that run into it */
  char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  OK("mmap+munmap next page", m != MAP_FAILED && munmap(m + pg, pg) == 0);
  char *end = m + pg;
  memcpy(end - 5, "/tmp", 5);   /* NUL is the last mapped byte */
  OK("path ending at the page end works", syscall(SYS_access, end - 5, F_OK) == 0);
  memcpy(end - 4, "/tmp", 4);   /* no NUL before the hole */
  ERR("path running into the hole", syscall(SYS_access, end - 4, F_OK), EFAULT);
  ERR("open path 0xffffffffffff", syscall(SYS_open, NONCANON, O_RDONLY), EFAULT);
  ERR("open NULL path", syscall(SYS_open, NULL, O_RDONLY), EFAULT);
  ERR("stat into kernel address", syscall(SYS_stat, "/", KERNEL_PTR), EFAULT);
  ERR("stat into a buffer running into the hole", syscall(SYS_stat, "/", end - 16), EFAULT);
  ERR("fstat into NULL", syscall(SYS_fstat, 0, NULL), EFAULT);
  ERR("clock_gettime into the hole", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, end - 8), EFAULT);
  ERR("gettimeofday into kernel", syscall(SYS_gettimeofday, KERNEL_PTR, NULL), EFAULT);
  ERR("uname NULL", syscall(SYS_uname, NULL), EFAULT);
  write(p[1], "0123456789abcdef", 16);
  RES("read 16 into 8 mapped bytes", syscall(SYS_read, p[0], end - 8, 16));
  RES("write 16 from 8 mapped bytes", syscall(SYS_write, p[1], end - 8, 16));
  fcntl(p[0], F_SETFL, O_NONBLOCK);
  RES("left in the pipe after the failed read", read(p[0], buf, sizeof buf));
  ERR("pipe into NULL", syscall(SYS_pipe, NULL), EFAULT);
  ERR("pipe2 into the hole", syscall(SYS_pipe2, end - 4, 0), EFAULT);
  int probe = dup(0);
  close(probe);
  OK("failed pipe2 leaked no fd", dup(0) == probe && close(probe) == 0);

  /* getcwd */
  ERR("getcwd size 1", syscall(SYS_getcwd, buf, 1), ERANGE);
  ERR("getcwd size 0", syscall(SYS_getcwd, buf, 0), ERANGE);
  ERR("getcwd NULL buffer", syscall(SYS_getcwd, NULL, 200), EFAULT);
  OK("chdir /", chdir("/") == 0);
  RES("getcwd of / returns length", syscall(SYS_getcwd, buf, sizeof buf));

  /* int arguments carry garbage in the upper half: Linux ignores it */
  int fd = dup(p[1]);
  OK("close with garbage upper bits", syscall(SYS_close, HI(fd)) == 0);
  ERR("fd is really closed", fcntl(fd, F_GETFD), EBADF);
  OK("dup2 with garbage upper bits", syscall(SYS_dup2, HI(p[1]), HI(fd)) == fd && close(fd) == 0);
  fd = open("/", O_RDONLY | O_DIRECTORY);
  RES("lseek whence SEEK_CUR with garbage", syscall(SYS_lseek, fd, 0, HI(SEEK_CUR)));
  close(fd);
  fd = syscall(SYS_openat, HI(AT_FDCWD), "/", HI(O_RDONLY | O_DIRECTORY), 0);
  OK("openat with garbage in dirfd and flags", fd >= 0 && close(fd) == 0);
  ERR("kill with garbage in sig is still checked", syscall(SYS_kill, getpid(), HI(0) | 0x100), EINVAL);
  OK("kill sig 0 with garbage upper bits", syscall(SYS_kill, getpid(), HI(0)) == 0);
  ERR("close of -1 in 32 bits", syscall(SYS_close, 0xffffffffUL), EBADF);

  /* flags, counts and numbers out of range */
  ERR("unknown syscall 1000", syscall(1000), ENOSYS);
  ERR("syscall -1", syscall(-1L), ENOSYS);
  ERR("syscall 0x40000000 + getpid (x32 bit)", syscall(0x40000000 | SYS_getpid), ENOSYS);
  RES("poll nfds 1<<40 is truncated to 0", syscall(SYS_poll, buf, 1UL << 40, 0));
  ERR("poll nfds over RLIMIT_NOFILE", syscall(SYS_poll, buf, 0x7fffffffUL, 0), EINVAL);
  ERR("poll fds in the hole", syscall(SYS_poll, end - 4, 1, 0), EFAULT);
  ERR("rt_sigaction act pointer bad", syscall(SYS_rt_sigaction, SIGUSR1, (void *)8, NULL, 8), EFAULT);
  ERR("rt_sigprocmask set in kernel", syscall(SYS_rt_sigprocmask, SIG_BLOCK, KERNEL_PTR, NULL, 8), EFAULT);
  ERR("nanosleep bad pointer", syscall(SYS_nanosleep, (void *)16, NULL), EFAULT);
  ERR("execve bad path", syscall(SYS_execve, (void *)16, NULL, NULL), EFAULT);
  char *argv_bad[] = {"x", (char *)16, NULL};
  ERR("execve bad argv string", syscall(SYS_execve, "/bin/sh", argv_bad, NULL), EFAULT);
  ERR("mmap huge length", syscall(SYS_mmap, NULL, -4096UL, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), ENOMEM);
  ERR("munmap kernel range", syscall(SYS_munmap, KERNEL_PTR, pg), EINVAL);
  ERR("mprotect kernel range", syscall(SYS_mprotect, KERNEL_PTR, pg, PROT_READ), ENOMEM);
  ERR("mmap MAP_FIXED into kernel half", syscall(SYS_mmap, KERNEL_PTR, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), ENOMEM);
  ERR("read count -1 (buffer range wraps)", syscall(SYS_read, p[0], buf, -1UL), EFAULT);
  ERR("read count SSIZE_MAX+1", syscall(SYS_read, p[0], buf, 1UL << 63), EFAULT);
  OK("still alive", 1);
  return t_done();
}
