/* errorder.c - which error Linux reports first, where a call could fail
 * for more than one reason: dup3 of an fd to itself (EINVAL before
 * EBADF), O_PATH fds given to socket and epoll calls (EBADF: fdget does
 * not see them), epoll_ctl on files that cannot be polled (EPERM),
 * chroot without search permission (EACCES before EPERM), clone3's
 * argument checks (sizes, set_tid, stacks), close_range's
 * CLOSE_RANGE_UNSHARE leaving a CLONE_FILES sharer's fds alone, and
 * arch_prctl's CPUID requests on a CPU without CPUID faulting;
 * MAP_SHARED_VALIDATE with an unknown flag, mprotect(PROT_WRITE) of a
 * read-only shared /dev/zero mapping, get_robust_list of another user's
 * process; pread/pwritev2's order (offset, fd, ESPIPE, access), pwrite
 * to an O_APPEND file appending, rt_sigqueueinfo's checks, readlink(""),
 * munlock of a hole, readahead of what is not a regular file, reboot's
 * checks before any action; a raw socket of protocol 0, sync_file_range
 * on /dev/null, setpgid of a child that has exec'd, setgroups of an
 * unreadable list; O_NOATIME on another's file, mmap of an O_PATH fd,
 * RLIMIT_FSIZE (a write cut to fit, then SIGXFSZ and EFBIG; truncate),
 * removing another's entry from a sticky directory; getcwd after a
 * chroot that left the cwd outside ("(unreachable)", realpath ENOENT);
 * capset's inheritable limit without CAP_SETPCAP, securebits' locks and
 * SECBIT_NO_CAP_AMBIENT_RAISE; RNDGETENTCNT agreeing with entropy_avail;
 * kill of a zombie (0: it keeps its pid until reaped).                  */
#include "t.h"
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

static int shared_fd;

static int unshare_child(void *arg) {
  (void)arg;
  if (syscall(SYS_close_range, shared_fd, shared_fd, 2 /* CLOSE_RANGE_UNSHARE */)) _exit(2);
  _exit(fcntl(shared_fd, F_GETFD) == -1 && errno == EBADF ? 0 : 1);
}

int main(void) {
  ERR("dup3 of a closed fd to itself", dup3(77, 77, 0), EINVAL);
  ERR("dup3 to itself, O_CLOEXEC", dup3(0, 0, O_CLOEXEC), EINVAL);
  ERR("dup3 bad flags first", dup3(77, 77, 1), EINVAL);

  int op = open("/", O_PATH);
  ERR("accept on an O_PATH fd", accept(op, NULL, NULL), EBADF);
  ERR("getsockname on an O_PATH fd", getsockname(op, NULL, NULL), EBADF);
  int ep = epoll_create1(0);
  struct epoll_event ev = { .events = EPOLLIN };
  ERR("epoll_ctl on an O_PATH fd", epoll_ctl(ep, EPOLL_CTL_ADD, op, &ev), EBADF);
  int z = open("/dev/zero", O_RDONLY), n = open("/dev/null", O_RDONLY), u = open("/dev/urandom", O_RDONLY), r = open("/dev/random", O_RDONLY);
  ERR("epoll_ctl on /dev/zero", epoll_ctl(ep, EPOLL_CTL_ADD, z, &ev), EPERM);
  ERR("epoll_ctl on /dev/null", epoll_ctl(ep, EPOLL_CTL_ADD, n, &ev), EPERM);
  ERR("epoll_ctl on /dev/urandom", epoll_ctl(ep, EPOLL_CTL_ADD, u, &ev), EPERM);
  OK("epoll_ctl on /dev/random", epoll_ctl(ep, EPOLL_CTL_ADD, r, &ev) == 0);

  /* chroot: search permission is checked before the capability */
  mkdir("/tmp/errorder.d", 0700);
  pid_t c = fork();
  if (c == 0) {
    if (setgid(65534) || setuid(65534)) _exit(9);
    _exit(chroot("/tmp/errorder.d") == -1 && errno == EACCES ? 0 : 1);
  }
  int st;
  waitpid(c, &st, 0);
  OK("chroot without search permission: EACCES", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  c = fork();
  if (c == 0) {
    if (setgid(65534) || setuid(65534)) _exit(9);
    _exit(chroot("/tmp") == -1 && errno == EPERM ? 0 : 1);
  }
  waitpid(c, &st, 0);
  OK("chroot without CAP_SYS_CHROOT: EPERM", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  rmdir("/tmp/errorder.d");

  /* close_range(CLOSE_RANGE_UNSHARE) in a CLONE_FILES child */
  shared_fd = open("/", O_RDONLY);
  static char stack[65536] __attribute__((aligned(16)));
  c = clone(unshare_child, stack + sizeof stack, CLONE_FILES | SIGCHLD, NULL);
  waitpid(c, &st, 0);
  OK("the child's close_range(UNSHARE) closed its copy", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  OK("and the parent's fd stays open", fcntl(shared_fd, F_GETFD) >= 0);

  /* clone3's checks: nothing is created */
  char *pg = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(pg + 4096, 4096);
  struct clone_args *ca = (struct clone_args *)(pg + 4096 - sizeof *ca);
  memset(ca, 0, sizeof *ca);
  ca->exit_signal = SIGCHLD;
  ERR("clone3 size 63", syscall(SYS_clone3, ca, 63), EINVAL);
  ERR("clone3 size past a page", syscall(SYS_clone3, ca, 4097), E2BIG);
  ERR("clone3 a bigger struct ending unmapped", syscall(SYS_clone3, ca, sizeof *ca + 1), EFAULT);
  struct clone_args *cb = (struct clone_args *)pg;
  memset(pg, 0, 256);
  cb->exit_signal = SIGCHLD;
  pg[sizeof *cb] = 1;
  ERR("clone3 a bigger struct with non-zero tail", syscall(SYS_clone3, cb, sizeof *cb + 8), E2BIG);
  ca->set_tid_size = 1;
  ERR("clone3 set_tid_size without set_tid", syscall(SYS_clone3, ca, sizeof *ca), EINVAL);
  ca->set_tid_size = 0;
  ca->stack = (uint64_t)(uintptr_t)stack;
  ERR("clone3 a stack of size 0", syscall(SYS_clone3, ca, sizeof *ca), EINVAL);
  ca->stack = 0;
  ca->stack_size = 4096;
  ERR("clone3 a size with no stack", syscall(SYS_clone3, ca, sizeof *ca), EINVAL);
  ca->stack_size = 0;
  ca->flags = CLONE_PARENT;
  ERR("clone3 CLONE_PARENT with an exit signal", syscall(SYS_clone3, ca, sizeof *ca), EINVAL);

  /* arch_prctl CPUID: where the CPU cannot fault cpuid (as under umk) */
  FILE *f = fopen("/proc/cpuinfo", "r");
  char line[4096];
  int fault = 0;
  while (f && fgets(line, sizeof line, f))
    if (strstr(line, "cpuid_fault")) fault = 1;
  if (f) fclose(f);
  if (!fault) {
    OK("ARCH_GET_CPUID: 1", syscall(SYS_arch_prctl, 0x1011, 0) == 1);
    ERR("ARCH_SET_CPUID", syscall(SYS_arch_prctl, 0x1012, 0), ENODEV);
  } else {
    printf("ok ARCH_GET_CPUID: 1\nok ARCH_SET_CPUID: ENODEV\n");
  }
  /* mmap and mprotect */
  int fz = open("/tmp/errorder.f", O_RDWR | O_CREAT | O_TRUNC, 0600);
  ftruncate(fz, 4096);
  ERR("MAP_SHARED_VALIDATE with an unknown flag", (long)mmap(NULL, 4096, PROT_READ, 0x400 | MAP_SHARED_VALIDATE, fz, 0) == -1 ? -1 : 0, EOPNOTSUPP);
  OK("MAP_SHARED_VALIDATE with known flags", mmap(NULL, 4096, PROT_READ, MAP_SHARED_VALIDATE | MAP_POPULATE, fz, 0) != MAP_FAILED);
  close(fz);
  unlink("/tmp/errorder.f");
  void *zm = mmap(NULL, 4096, PROT_READ, MAP_SHARED, z, 0);
  OK("a read-only shared /dev/zero mapping", zm != MAP_FAILED);
  ERR("mprotect(PROT_WRITE) of it", mprotect(zm, 4096, PROT_READ | PROT_WRITE), EACCES);
  void *zp = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, z, 0);
  OK("a private one may become writable", mprotect(zp, 4096, PROT_READ | PROT_WRITE) == 0);

  /* get_robust_list of a process of another user */
  pid_t me = getpid();
  c = fork();
  if (c == 0) {
    if (setuid(65534)) _exit(9);
    void *h;
    size_t l;
    _exit(syscall(SYS_get_robust_list, me, &h, &l) == -1 && errno == EPERM ? 0 : 1);
  }
  waitpid(c, &st, 0);
  OK("get_robust_list of root's process as nobody: EPERM", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  /* positional I/O */
  char pb[8];
  ERR("pread with a negative offset on a bad fd", pread(999, pb, 1, -1), EINVAL);
  int pp[2];
  pipe(pp);
  struct iovec pv = { pb, 1 };
  ERR("pwritev2 at an offset on a pipe's read end", syscall(SYS_pwritev2, pp[0], &pv, 1, 0, 0, 0), ESPIPE);
  ERR("pread on a pipe's write end", pread(pp[1], pb, 1, 0), ESPIPE);
  ERR("pread on an O_PATH fd", pread(op, pb, 1, 0), EBADF);
  int af = open("/tmp/errorder.a", O_RDWR | O_CREAT | O_TRUNC | O_APPEND, 0600);
  write(af, "0123456789", 10);
  OK("pwrite at 0 to an O_APPEND file", pwrite(af, "ab", 2, 0) == 2);
  struct stat ast;
  fstat(af, &ast);
  OK("appends all the same", ast.st_size == 12 && pread(af, pb, 2, 10) == 2 && !memcmp(pb, "ab", 2));
  struct iovec av = { "cd", 2 };
  OK("pwritev at 0 appends too", pwritev(af, &av, 1, 0) == 2 && fstat(af, &ast) == 0 && ast.st_size == 14);
  close(af);
  unlink("/tmp/errorder.a");

  /* rt_sigqueueinfo */
  siginfo_t qi;
  memset(&qi, 0, sizeof qi);
  qi.si_code = SI_QUEUE;
  ERR("rt_sigqueueinfo of signal -1", syscall(SYS_rt_sigqueueinfo, getpid(), -1, &qi), EINVAL);
  ERR("rt_sigqueueinfo of signal 65", syscall(SYS_rt_sigqueueinfo, getpid(), 65, &qi), EINVAL);
  qi.si_code = SI_USER;
  signal(SIGUSR2, SIG_IGN);
  OK("rt_sigqueueinfo with SI_USER to oneself", syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR2, &qi) == 0);
  pid_t qc = fork();
  if (qc == 0) {
    pause();
    _exit(0);
  }
  ERR("rt_sigqueueinfo with SI_USER to a child", syscall(SYS_rt_sigqueueinfo, qc, SIGUSR2, &qi), EPERM);
  kill(qc, SIGKILL);
  waitpid(qc, NULL, 0);

  char lb[64];
  ERR("readlink of an empty path", readlink("", lb, sizeof lb), ENOENT);
  /* munlock/mlock ranges */
  char *hole = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(hole + 4096, 4096);
  ERR("munlock over a hole", munlock(hole, 3 * 4096), ENOMEM);
  OK("munlock of a mapped page (unaligned start)", munlock(hole + 100, 10) == 0);

  /* readahead */
  ERR("readahead of a pipe", readahead(pp[0], 0, 4096), EINVAL);
  int dd = open("/tmp", O_RDONLY | O_DIRECTORY);
  ERR("readahead of a directory", readahead(dd, 0, 4096), EINVAL);
  ERR("readahead of an O_PATH fd", readahead(op, 0, 4096), EBADF);
  close(dd);

  /* reboot: checks only (halt and restart are never tried) */
  ERR("reboot with a wrong magic", syscall(SYS_reboot, 0xfee1dead, 1, 0x01234567, NULL), EINVAL);
  ERR("reboot with an unknown command", syscall(SYS_reboot, 0xfee1dead, 672274793, 0x12345, NULL), EINVAL);
  c = fork();
  if (c == 0) {
    if (setuid(65534)) _exit(9);
    _exit(syscall(SYS_reboot, 0xfee1dead, 672274793, 0x12345, NULL) == -1 && errno == EPERM ? 0 : 1);
  }
  waitpid(c, &st, 0);
  OK("reboot without CAP_SYS_BOOT: EPERM first", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  ERR("socket(AF_INET, SOCK_RAW, 0)", socket(AF_INET, SOCK_RAW, 0), EPROTONOSUPPORT);
  ERR("sync_file_range on /dev/null", syscall(SYS_sync_file_range, n, 0, 1, 4), ESPIPE);
  ERR("setgroups of 40 from an unreadable list", syscall(SYS_setgroups, 40, (void *)8), EFAULT);
  int ep2[2];
  pipe(ep2);
  c = fork();
  if (c == 0) {
    close(ep2[0]);
    fcntl(ep2[1], F_SETFD, FD_CLOEXEC);
    execl("/bin/sleep", "sleep", "5", (char *)NULL);
    _exit(1);
  }
  close(ep2[1]);
  char eb;
  read(ep2[0], &eb, 1);   /* EOF once the exec closed it */
  ERR("setpgid of a child that has exec'd", setpgid(c, c), EACCES);
  kill(c, SIGKILL);
  waitpid(c, NULL, 0);
  /* O_NOATIME and O_PATH */
  int nf = open("/tmp/errorder.n", O_RDWR | O_CREAT | O_TRUNC, 0644);
  close(nf);
  c = fork();
  if (c == 0) {
    if (setuid(65534)) _exit(9);
    _exit(open("/tmp/errorder.n", O_RDONLY | O_NOATIME) == -1 && errno == EPERM ? 0 : 1);
  }
  waitpid(c, &st, 0);
  OK("O_NOATIME on another user's file: EPERM", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  int opf = open("/tmp/errorder.n", O_PATH);
  ERR("mmap of an O_PATH fd", mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, opf, 0) == MAP_FAILED ? -1 : 0, EBADF);
  close(opf);

  /* RLIMIT_FSIZE */
  c = fork();
  if (c == 0) {
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl = { 10, 10 };
    setrlimit(RLIMIT_FSIZE, &rl);
    int ff = open("/tmp/errorder.n", O_WRONLY | O_TRUNC);
    int r = 0;
    if (write(ff, "0123456789abc", 13) != 10) r |= 1;
    if (!(write(ff, "x", 1) == -1 && errno == EFBIG)) r |= 2;
    if (!(ftruncate(ff, 11) == -1 && errno == EFBIG)) r |= 4;
    if (ftruncate(ff, 10) != 0) r |= 8;
    if (!(truncate("/tmp/errorder.n", 20) == -1 && errno == EFBIG)) r |= 16;
    signal(SIGXFSZ, SIG_DFL);
    write(ff, "y", 1);
    _exit(r | 32);
  }
  waitpid(c, &st, 0);
  OK("RLIMIT_FSIZE: cut, EFBIG, then SIGXFSZ kills", WIFSIGNALED(st) && WTERMSIG(st) == SIGXFSZ);
  c = fork();
  if (c == 0) {
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl = { 10, 10 };
    setrlimit(RLIMIT_FSIZE, &rl);
    int ff = open("/tmp/errorder.n", O_WRONLY | O_TRUNC);
    int r = 0;
    if (write(ff, "0123456789abc", 13) != 10) r |= 1;
    if (!(write(ff, "x", 1) == -1 && errno == EFBIG)) r |= 2;
    if (!(ftruncate(ff, 11) == -1 && errno == EFBIG)) r |= 4;
    if (ftruncate(ff, 10) != 0) r |= 8;
    if (!(truncate("/tmp/errorder.n", 20) == -1 && errno == EFBIG)) r |= 16;
    _exit(r);
  }
  waitpid(c, &st, 0);
  OK("RLIMIT_FSIZE with SIGXFSZ ignored: each check", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  unlink("/tmp/errorder.n");

  /* a sticky directory */
  mkdir("/tmp/errorder.s", 01777);
  chmod("/tmp/errorder.s", 01777);
  mkdir("/tmp/errorder.s/d", 0777);
  close(open("/tmp/errorder.s/f", O_CREAT | O_WRONLY, 0666));
  c = fork();
  if (c == 0) {
    if (setuid(65534)) _exit(9);
    int r = 0;
    if (!(rmdir("/tmp/errorder.s/d") == -1 && errno == EPERM)) r |= 1;
    if (!(unlink("/tmp/errorder.s/f") == -1 && errno == EPERM)) r |= 2;
    close(open("/tmp/errorder.s/mine", O_CREAT | O_WRONLY, 0600));
    if (unlink("/tmp/errorder.s/mine")) r |= 4;
    _exit(r);
  }
  waitpid(c, &st, 0);
  OK("a sticky directory: only one's own entries go", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  rmdir("/tmp/errorder.s/d");
  unlink("/tmp/errorder.s/f");
  rmdir("/tmp/errorder.s");
  mkdir("/tmp/errorder.c", 0755);
  c = fork();
  if (c == 0) {
    char cw[4096];
    if (chroot("/tmp/errorder.c")) _exit(9);
    int r = 0;
    if (syscall(SYS_getcwd, cw, sizeof cw) <= 0 || strncmp(cw, "(unreachable)", 13)) r |= 1;
    errno = 0;
    if (realpath(".", NULL) || errno != ENOENT) r |= 2;
    _exit(r);
  }
  waitpid(c, &st, 0);
  OK("getcwd outside the root: (unreachable)", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  rmdir("/tmp/errorder.c");
  c = fork();
  if (c == 0) {
    int r = 0;
    /* securebits: NO_CAP_AMBIENT_RAISE, then lock it */
    if (prctl(PR_SET_SECUREBITS, 1 << 6 | 1 << 7, 0, 0, 0)) r |= 1;
    if (!(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_KILL, 0, 0) == -1 && errno == EPERM)) r |= 2;
    if (!(prctl(PR_SET_SECUREBITS, 1 << 7, 0, 0, 0) == -1 && errno == EPERM)) r |= 4;
    if (!(prctl(PR_SET_SECUREBITS, 1 << 6 | 1 << 7 | 1 << 12, 0, 0, 0) == -1 && errno == EPERM)) r |= 8;
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2];
    memset(d, 0, sizeof d);
    d[0].effective = d[0].permitted = d[0].inheritable = 1 << CAP_KILL;
    if (syscall(SYS_capset, &h, d)) r |= 16;
    d[0].inheritable = 1 << CAP_KILL | 1 << CAP_NET_RAW;
    if (!(syscall(SYS_capset, &h, d) == -1 && errno == EPERM)) r |= 32;
    _exit(r);
  }
  waitpid(c, &st, 0);
  OK("securebits and capset limits", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  int ent = -1, pent = -2;
  FILE *ef = fopen("/proc/sys/kernel/random/entropy_avail", "r");
  if (ef) {
    if (fscanf(ef, "%d", &pent) != 1) pent = -2;
    fclose(ef);
  }
  OK("RNDGETENTCNT on /dev/urandom is entropy_avail", ioctl(u, RNDGETENTCNT, &ent) == 0 && ent == pent);
  ERR("RNDGETENTCNT to a bad address", ioctl(u, RNDGETENTCNT, (void *)8), EFAULT);
  ERR("an unknown ioctl on /dev/urandom", ioctl(u, 0x5299, 0), EINVAL);
  ERR("an ioctl on /dev/null", ioctl(n, RNDGETENTCNT, &ent), ENOTTY);
  c = fork();
  if (c == 0) _exit(0);
  siginfo_t zi;
  waitid(P_PID, c, &zi, WEXITED | WNOWAIT);
  OK("kill(zombie, 0)", kill(c, 0) == 0);
  OK("kill(zombie, SIGTERM)", kill(c, SIGTERM) == 0);
  waitpid(c, &st, 0);
  OK("the zombie's status is untouched", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  ERR("kill once reaped", kill(c, 0), ESRCH);
  return t_done();
}
