/* edgeerrs.c - error edges LTP's syscalls suite checks: futex on
 * unmapped, PROT_NONE and truncated-file addresses (EFAULT) and negative
 * requeue counts (EINVAL); process_vm_readv/writev with a negative
 * iov_len (EINVAL, nothing copied); tgkill of a real-time signal past
 * RLIMIT_SIGPENDING (EAGAIN) while kill(2) still delivers; membarrier's
 * commands and registrations; mseal(2) and what a sealed mapping
 * refuses. */
#include "t.h"
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

static long fx(void *a, int op, int val, long v2, void *a2, int v3) {
  return syscall(SYS_futex, a, op, val, v2, a2, v3);
}

static void futex_edges(void) {
  long pg = sysconf(_SC_PAGESIZE);
  static unsigned word = 5;
  void *unmapped = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(unmapped, pg);
  void *none = mmap(NULL, pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  int fd = open("edgeerrs.tmp", O_CREAT | O_RDWR | O_TRUNC, 0644);
  OK("ftruncate", ftruncate(fd, pg) == 0);
  void *trunc = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  OK("ftruncate 0", ftruncate(fd, 0) == 0);
  close(fd);
  unlink("edgeerrs.tmp");

  ERR("futex wake unmapped", fx(unmapped, FUTEX_WAKE, 1, 0, NULL, 0), EFAULT);
  ERR("futex wake PROT_NONE", fx(none, FUTEX_WAKE, 1, 0, NULL, 0), EFAULT);
  ERR("futex wake truncated file", fx(trunc, FUTEX_WAKE, 1, 0, NULL, 0), EFAULT);
  RES("futex wake mapped", fx(&word, FUTEX_WAKE, 1, 0, NULL, 0));
  ERR("futex wake misaligned", fx((char *)&word + 1, FUTEX_WAKE, 1, 0, NULL, 0), EINVAL);
  ERR("cmp_requeue uaddr unmapped", fx(unmapped, FUTEX_CMP_REQUEUE, 1, 1, &word, 5), EFAULT);
  ERR("cmp_requeue uaddr2 unmapped", fx(&word, FUTEX_CMP_REQUEUE, 1, 1, unmapped, 5), EFAULT);
  ERR("cmp_requeue uaddr2 PROT_NONE", fx(&word, FUTEX_CMP_REQUEUE, 1, 1, none, 5), EFAULT);
  ERR("cmp_requeue nr_requeue -1", fx(&word, FUTEX_CMP_REQUEUE, 1, -1, &word, 5), EINVAL);
  ERR("cmp_requeue nr_wake -1", fx(&word, FUTEX_CMP_REQUEUE, -1, 1, &word, 5), EINVAL);
  ERR("cmp_requeue value differs", fx(&word, FUTEX_CMP_REQUEUE, 1, 1, &word, 6), EAGAIN);
  RES("cmp_requeue value equal", fx(&word, FUTEX_CMP_REQUEUE, 1, 1, &word, 5));
  munmap(none, pg);
  munmap(trunc, pg);
}

static void process_vm_edges(void) {
  char src[64] = "process_vm source bytes", dst[64] = { 0 };
  struct iovec l = { dst, sizeof dst }, r = { src, sizeof src };
  RES("process_vm_readv self", syscall(SYS_process_vm_readv, getpid(), &l, 1, &r, 1, 0));
  OK("process_vm_readv copied", !strcmp(dst, src));
  memset(dst, 0, sizeof dst);
  struct iovec lbad = { dst, (size_t)-1 }, rbad = { src, (size_t)-1 };
  ERR("process_vm_readv iov_len -1", syscall(SYS_process_vm_readv, getpid(), &lbad, 1, &rbad, 1, 0), EINVAL);
  ERR("process_vm_writev iov_len -1", syscall(SYS_process_vm_writev, getpid(), &lbad, 1, &rbad, 1, 0), EINVAL);
  struct iovec l2[2] = { { dst, 8 }, { dst + 8, (size_t)-1 } };
  ERR("process_vm_readv second iov_len -1", syscall(SYS_process_vm_readv, getpid(), l2, 2, &r, 1, 0), EINVAL);
  OK("process_vm_readv nothing copied", dst[0] == 0);
  ERR("process_vm_readv flags 1", syscall(SYS_process_vm_readv, getpid(), &l, 1, &r, 1, 1), EINVAL);
}

static volatile int got_rt, got_usr1;
static void on_sig(int s) { if (s == SIGUSR1) got_usr1++; else got_rt++; }

static void sigpending_edges(void) {
  /* in a child: the limit is the process's own */
  pid_t pid = fork();
  if (pid == 0) {
    signal(SIGRTMIN, on_sig);
    signal(SIGUSR1, on_sig);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    struct rlimit rl = { 0, 0 };
    OK("setrlimit SIGPENDING 0", setrlimit(RLIMIT_SIGPENDING, &rl) == 0);
    pid_t me = getpid();
    ERR("tgkill rt past limit", syscall(SYS_tgkill, me, me, SIGRTMIN), EAGAIN);
    siginfo_t si = { .si_code = SI_QUEUE, .si_pid = me, .si_uid = getuid() };
    ERR("rt_sigqueueinfo rt past limit", syscall(SYS_rt_sigqueueinfo, me, SIGRTMIN, &si), EAGAIN);
    OK("kill rt past limit still sent", kill(me, SIGRTMIN) == 0);
    OK("tgkill classic past limit sent", syscall(SYS_tgkill, me, me, SIGUSR1) == 0);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    printf("rt delivered %d, usr1 delivered %d\n", got_rt, got_usr1);
    _exit(t_failed);
  }
  int st;
  waitpid(pid, &st, 0);
  OK("child checks", WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void membarrier_cmds(void) {
  long q = syscall(SYS_membarrier, 0, 0, 0);
  printf("membarrier query has GLOBAL %d PRIVATE_EXPEDITED %d SYNC_CORE %d\n", !!(q & 1), !!(q & 8), !!(q & 32));
  RES("membarrier GLOBAL", syscall(SYS_membarrier, 1, 0, 0));
  ERR("membarrier GLOBAL flags 1", syscall(SYS_membarrier, 1, 1, 0), EINVAL);
  ERR("membarrier unknown cmd", syscall(SYS_membarrier, 1 << 20, 0, 0), EINVAL);
  RES("membarrier GLOBAL_EXPEDITED", syscall(SYS_membarrier, 2, 0, 0));
  ERR("membarrier PRIVATE_EXPEDITED unregistered", syscall(SYS_membarrier, 8, 0, 0), EPERM);
  ERR("membarrier SYNC_CORE unregistered", syscall(SYS_membarrier, 32, 0, 0), EPERM);
  RES("membarrier GET_REGISTRATIONS", syscall(SYS_membarrier, 512, 0, 0));
  RES("membarrier REGISTER_PRIVATE_EXPEDITED", syscall(SYS_membarrier, 16, 0, 0));
  RES("membarrier PRIVATE_EXPEDITED", syscall(SYS_membarrier, 8, 0, 0));
  RES("membarrier REGISTER_GLOBAL_EXPEDITED", syscall(SYS_membarrier, 4, 0, 0));
  RES("membarrier GET_REGISTRATIONS", syscall(SYS_membarrier, 512, 0, 0));
  pid_t pid = fork();
  if (pid == 0) {
    /* a child's mm starts unregistered */
    RES("child membarrier GET_REGISTRATIONS", syscall(SYS_membarrier, 512, 0, 0));
    _exit(0);
  }
  waitpid(pid, NULL, 0);
}

static long mseal_(void *a, size_t len, unsigned long flags) { return syscall(462, a, len, flags); }

static void mseal_checks(void) {
  long pg = sysconf(_SC_PAGESIZE);
  char *m = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ERR("mseal flags", mseal_(m, pg, 1), EINVAL);
  ERR("mseal unaligned", mseal_(m + 1, pg, 0), EINVAL);
  ERR("mseal length overflowing", mseal_(m, (size_t)-pg + 2, 0), EINVAL);
  munmap(m + 2 * pg, pg);
  ERR("mseal over a hole", mseal_(m + pg, 2 * pg, 0), ENOMEM);
  ERR("mseal past the end", mseal_(m, 4 * pg, 0), ENOMEM);
  RES("mseal of nothing", mseal_(m, 0, 0));
  OK("munmap after failed mseal", munmap(m, 4 * pg) == 0);
  m = mmap(NULL, 8 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  pid_t c = fork();
  if (c == 0) {
    OK("mseal one page", mseal_(m + 2 * pg, pg, 0) == 0);
    ERR("mprotect over a sealed page", mprotect(m, 8 * pg, PROT_NONE), EPERM);
    ERR("mprotect of the sealed page", mprotect(m + 2 * pg, pg, PROT_READ), EPERM);
    ERR("munmap over a sealed page", munmap(m, 8 * pg), EPERM);
    void *other = mmap(NULL, 8 * pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ERR("mremap of a sealed range", (long)mremap(m, 8 * pg, 2 * pg, MREMAP_MAYMOVE | MREMAP_FIXED, other), EPERM);
    void *other2 = mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ERR("mremap onto a sealed page", (long)mremap(other2, pg, pg, MREMAP_MAYMOVE | MREMAP_FIXED, m + 2 * pg), EPERM);
    ERR("mmap MAP_FIXED over a sealed page", (long)mmap(m, 8 * pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), EPERM);
    RES("madvise DONTNEED of writable sealed memory", madvise(m + 2 * pg, pg, MADV_DONTNEED));
    OK("mprotect beside the sealed page", mprotect(m + 4 * pg, pg, PROT_READ) == 0);
    OK("munmap beside the sealed page", munmap(m + 5 * pg, pg) == 0);
    m[2 * pg] = 7;
    OK("the sealed page is still writable", m[2 * pg] == 7);
    pid_t g = fork();
    if (g == 0)
      _exit(munmap(m + 2 * pg, pg) == -1 && errno == EPERM ? 0 : 1);
    int st;
    waitpid(g, &st, 0);
    OK("a forked child inherits the seal", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    char *ro = mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    OK("mseal a read-only page", mseal_(ro, pg, 0) == 0);
    ERR("madvise DONTNEED of read-only sealed memory", madvise(ro, pg, MADV_DONTNEED), EPERM);
    RES("madvise WILLNEED of read-only sealed memory", madvise(ro, pg, MADV_WILLNEED));
    _exit(t_failed);
  }
  int st;
  waitpid(c, &st, 0);
  OK("mseal child", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  OK("the parent's mapping is not sealed", munmap(m, 8 * pg) == 0);
}

int main(void) {
  mseal_checks();
  membarrier_cmds();
  futex_edges();
  process_vm_edges();
  sigpending_edges();
  return t_done();
}
