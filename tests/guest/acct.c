/* acct.c - BSD process accounting: acct(2)'s errors (a directory, a
 * device, a missing path, a file used as a directory, a bad pointer, a
 * path too long, no CAP_SYS_PACCT), and the struct acct_v3 records two
 * children leave (one exiting with 3, one killed by SIGKILL): command
 * name, exit status, AFORK/AXSIG flags, version, ids, times.  Records of
 * other processes (the host's, natively) are skipped by pid. */
#include "t.h"
#include <fcntl.h>
#include <limits.h>
#include <linux/acct.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

static long acct_(const char *p) { return syscall(SYS_acct, p); }

static void show(const char *what, pid_t pid) {
  int fd = open("acct.log", O_RDONLY);
  struct acct_v3 a;
  int found = 0;
  while (read(fd, &a, sizeof a) == sizeof a) {
    if ((pid_t)a.ac_pid != pid)
      continue;
    found++;
    printf("%s: comm %s exitcode %#x AFORK %d AXSIG %d version %d uid ok %d gid ok %d ppid ok %d\n", what,
           a.ac_comm, a.ac_exitcode, !!(a.ac_flag & AFORK), !!(a.ac_flag & AXSIG), a.ac_version,
           a.ac_uid == getuid(), a.ac_gid == getgid(), a.ac_ppid == (unsigned)getpid());
    long now = time(NULL);
    /* time(2) reads the coarse clock, up to a tick behind the one the
     * record's btime came from: a second's slack at a second's edge */
    OK("ac_btime within a minute", a.ac_btime <= now + 1 && now - (long)a.ac_btime < 60);
    OK("ac_etime below 60 s", a.ac_etime >= 0 && a.ac_etime < 60 * 100);
  }
  printf("%s: %d record(s)\n", what, found);
  close(fd);
}

int main(void) {
  ERR("acct of a directory", acct_("."), EISDIR);
  ERR("acct of /dev/null", acct_("/dev/null"), EACCES);
  ERR("acct of a missing path", acct_("/no/such/acct"), ENOENT);
  int fd = open("acct.log", O_CREAT | O_RDWR | O_TRUNC, 0644);
  close(fd);
  ERR("acct of a file as a directory", acct_("acct.log/"), ENOTDIR);
  char *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ERR("acct of a bad pointer", acct_(none), EFAULT);
  static char longname[PATH_MAX + 2];
  memset(longname, 'a', PATH_MAX + 1);
  ERR("acct of a path too long", acct_(longname), ENAMETOOLONG);
  if (seteuid(65534) == 0) {
    ERR("acct without CAP_SYS_PACCT", acct_("acct.log"), EPERM);
    ERR("acct(NULL) without CAP_SYS_PACCT", acct_(NULL), EPERM);
    OK("seteuid back", seteuid(0) == 0);
  }
  OK("acct(NULL) when off", acct_(NULL) == 0);

  OK("acct on", acct_("acct.log") == 0);
  pid_t a = fork();
  if (a == 0) {
    prctl(PR_SET_NAME, "acctkid");
    _exit(3);
  }
  waitpid(a, NULL, 0);
  int ready[2];
  OK("pipe", pipe(ready) == 0);
  pid_t b = fork();
  if (b == 0) {
    prctl(PR_SET_NAME, "acctkilled");
    if (write(ready[1], "r", 1) != 1)
      _exit(1);
    pause();
    _exit(0);
  }
  char r;
  OK("killed child ready", read(ready[0], &r, 1) == 1);
  kill(b, SIGKILL);
  waitpid(b, NULL, 0);
  OK("acct off", acct_(NULL) == 0);
  pid_t c = fork();
  if (c == 0)
    _exit(0);
  waitpid(c, NULL, 0);
  show("exit 3", a);
  show("SIGKILL", b);
  show("after acct(NULL)", c);
  struct stat st;
  OK("records of 64 bytes", stat("acct.log", &st) == 0 && st.st_size % 64 == 0);
  unlink("acct.log");
  return t_done();
}
