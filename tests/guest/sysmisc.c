/* sysmisc.c - the smaller syscalls: preadv2/pwritev2 (offset -1 and
 * hints), execveat (relative to a dirfd, and fexecve through
 * AT_EMPTY_PATH, also of an unlinked file's O_PATH fd), sched_* policy calls, ioprio, membarrier's query,
 * sync_file_range, rt_tgsigqueueinfo, process_vm_readv/writev between
 * two processes, and PR_SET_KEEPCAPS (whose other arguments Linux does
 * not look at: libcap passes garbage); sysfs(2) agreeing with
 * /proc/filesystems, ustat(2) of the root's device.  Only outcomes
 * Linux fixes are printed.                                            */
#include "t.h"
#include <sys/stat.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

static volatile int got_val;
static void on_rt(int sig, siginfo_t *si, void *uc) { (void)sig; (void)uc; got_val = si->si_value.sival_int; }

struct ustat_ { int f_tfree; unsigned long f_tinode; char f_fname[6], f_fpack[6]; };

static void fstypes(void) {
  FILE *f = fopen("/proc/filesystems", "r");
  char line[256], name[256];
  int i = 0, same = 1;
  while (f && fgets(line, sizeof line, f)) {
    char *n = strrchr(line, '\t');
    n = n ? n + 1 : line;
    n[strcspn(n, "\n")] = 0;
    memset(name, 0, sizeof name);
    if (syscall(SYS_sysfs, 2, i, name) != 0 || strcmp(name, n) || syscall(SYS_sysfs, 1, n) != i)
      same = 0;
    i++;
  }
  if (f) fclose(f);
  OK("sysfs(2) and sysfs(1) agree with /proc/filesystems", i > 2 && same);
  OK("sysfs(3) counts its lines", syscall(SYS_sysfs, 3) == i);
  ERR("sysfs(2) past the last", syscall(SYS_sysfs, 2, i, name), EINVAL);
  ERR("sysfs(1) of no type", syscall(SYS_sysfs, 1, "nosuchfs"), EINVAL);
  ERR("sysfs(1) bad pointer", syscall(SYS_sysfs, 1, (void *)8), EFAULT);
  ERR("sysfs(2) bad buffer", syscall(SYS_sysfs, 2, 0, (void *)8), EFAULT);
  ERR("sysfs(4)", syscall(SYS_sysfs, 4), EINVAL);
  struct stat st;
  struct ustat_ u;
  stat("/", &st);
  memset(&u, 0x55, sizeof u);
  OK("ustat of the root's device", syscall(SYS_ustat, (unsigned)st.st_dev, &u) == 0 && !u.f_fname[0] && !u.f_fpack[0]);
  ERR("ustat of no device", syscall(SYS_ustat, (unsigned)-1, &u), EINVAL);
  ERR("ustat bad buffer", syscall(SYS_ustat, (unsigned)st.st_dev, (void *)8), EFAULT);
}

int main(int argc, char **argv) {
  if (argc > 1) {
    printf("execveat ran me with %s\n", argv[1]);
    return 0;
  }
  char path[] = "/tmp/sysmisc.XXXXXX";
  int fd = mkstemp(path);
  OK("pwritev2 at offset 0", ({ struct iovec v = { "hello", 5 };
     syscall(SYS_pwritev2, fd, &v, 1, 0L, 0L, 0) == 5; }));
  char buf[8] = { 0 };
  struct iovec r = { buf, 5 };
  lseek(fd, 1, SEEK_SET);
  OK("preadv2 offset -1 uses the file offset", syscall(SYS_preadv2, fd, &r, 1, -1L, 0L, 0) == 4 && !memcmp(buf, "ello", 4));
  ERR("preadv2 unknown flag", syscall(SYS_preadv2, fd, &r, 1, 0L, 0L, 0x4000), EOPNOTSUPP);
  OK("sync_file_range", syscall(SYS_sync_file_range, fd, 0L, 0L, 0) == 0);
  ERR("sync_file_range bad flags", syscall(SYS_sync_file_range, fd, 0L, 0L, 8), EINVAL);
  close(fd);
  unlink(path);

  struct sched_param sp = { 0 };
  OK("sched_setscheduler SCHED_OTHER", sched_setscheduler(0, SCHED_OTHER, &sp) == 0);
  sp.sched_priority = 5;
  ERR("sched_setscheduler OTHER with priority", sched_setscheduler(0, SCHED_OTHER, &sp), EINVAL);
  ERR("sched_setparam nonzero priority", sched_setparam(0, &sp), EINVAL);
  struct timespec ts;
  OK("sched_rr_get_interval", sched_rr_get_interval(0, &ts) == 0);
  OK("ioprio_get", syscall(SYS_ioprio_get, 1, 0) >= 0);
  ERR("ioprio_get bad which", syscall(SYS_ioprio_get, 9, 0), EINVAL);
  OK("membarrier query", syscall(SYS_membarrier, 0, 0, 0) >= 0);

  struct sigaction sa = { .sa_sigaction = on_rt, .sa_flags = SA_SIGINFO };
  sigaction(SIGRTMIN, &sa, NULL);
  siginfo_t si = { .si_code = SI_QUEUE, .si_value.sival_int = 77 };
  si.si_signo = SIGRTMIN;
  si.si_pid = getpid();
  OK("rt_tgsigqueueinfo to myself", syscall(SYS_rt_tgsigqueueinfo, getpid(), getpid(), SIGRTMIN, &si) == 0);
  OK("its value arrives", got_val == 77);
  ERR("rt_tgsigqueueinfo wrong tgid", syscall(SYS_rt_tgsigqueueinfo, getpid() + 1000, getpid(), SIGRTMIN, &si), ESRCH);

  static char secret[32] = "parent memory";
  int p[2];
  pipe(p);
  pid_t c = fork();
  if (c == 0) {
    char got[32] = { 0 };
    struct iovec l = { got, sizeof secret }, rv = { secret, sizeof secret };
    long n = syscall(SYS_process_vm_readv, getppid(), &l, 1, &rv, 1, 0);
    char w[] = "written by child";
    struct iovec l2 = { w, sizeof w }, r2 = { secret, sizeof w };
    long m = syscall(SYS_process_vm_writev, getppid(), &l2, 1, &r2, 1, 0);
    _exit(n == sizeof secret && !strcmp(got, "parent memory") && m == (long)sizeof w ? 0 : 1);
  }
  int st;
  waitpid(c, &st, 0);
  OK("process_vm_readv/writev of the parent", WIFEXITED(st) && WEXITSTATUS(st) == 0 && !strcmp(secret, "written by child"));
  ERR("process_vm_readv of no such pid", ({ struct iovec l = { buf, 1 };
      syscall(SYS_process_vm_readv, 999999, &l, 1, &l, 1, 0); }), ESRCH);

  c = fork();
  if (c == 0) {
    char *args[] = { "sysmisc", "empty-path", NULL }, *env[] = { NULL };
    int self = open(argv[0], O_RDONLY);
    syscall(SYS_execveat, self, "", args, env, AT_EMPTY_PATH);
    _exit(99);
  }
  waitpid(c, &st, 0);
  OK("execveat AT_EMPTY_PATH", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  c = fork();
  if (c == 0) {
    char *args[] = { "sysmisc", "empty-path", NULL }, *env[] = { NULL };
    int self = open(argv[0], O_PATH);
    syscall(SYS_execveat, self, "", args, env, AT_EMPTY_PATH);
    _exit(99);
  }
  waitpid(c, &st, 0);
  OK("execveat AT_EMPTY_PATH of an O_PATH fd", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  /* an O_PATH fd keeps its inode: it runs after an unlink (fstat: nlink 0) */
  {
    char copy[] = "/tmp/sysmisc-exe.XXXXXX", cb[65536];
    int out = mkstemp(copy), in = open(argv[0], O_RDONLY);
    ssize_t n;
    while (in >= 0 && out >= 0 && (n = read(in, cb, sizeof cb)) > 0)
      if (write(out, cb, n) != n) break;
    if (in >= 0) close(in);
    if (out >= 0) { fchmod(out, 0755); close(out); }
    int opath = open(copy, O_PATH);
    struct stat ost;
    OK("unlink a copy opened O_PATH", opath >= 0 && unlink(copy) == 0);
    OK("fstat of the O_PATH fd: nlink 0", fstat(opath, &ost) == 0 && ost.st_nlink == 0 && S_ISREG(ost.st_mode));
    c = fork();
    if (c == 0) {
      char *args[] = { "sysmisc", "an unlinked O_PATH fd", NULL }, *env[] = { NULL };
      syscall(SYS_execveat, opath, "", args, env, AT_EMPTY_PATH);
      _exit(99);
    }
    waitpid(c, &st, 0);
    OK("execveat AT_EMPTY_PATH of an unlinked file's O_PATH fd", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    close(opath);
  }
  c = fork();
  if (c == 0) {
    char *args[] = { "sysmisc", "a dirfd", NULL }, *env[] = { NULL };
    char dir[256];
    strcpy(dir, argv[0]);
    *strrchr(dir, '/') = 0;
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    syscall(SYS_execveat, dfd, strrchr(argv[0], '/') + 1, args, env, 0);
    _exit(99);
  }
  waitpid(c, &st, 0);
  OK("execveat relative to a dirfd", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  ERR("execveat empty path without the flag", syscall(SYS_execveat, AT_FDCWD, "", argv, NULL, 0), ENOENT);
  OK("PR_SET_KEEPCAPS with junk in the unused arguments", prctl(PR_SET_KEEPCAPS, 1, 1, 0x7fff1234, 1) == 0 &&
     prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) == 1);
  OK("PR_SET_KEEPCAPS 0", prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) == 0 && prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) == 0);
  ERR("PR_SET_KEEPCAPS 2", prctl(PR_SET_KEEPCAPS, 2, 0, 0, 0), EINVAL);
  fstypes();
  return t_done();
}
