/* atime.c - when a read or a readdir moves atime (Linux's touch_atime)
 * on tmpfs mounts of each kind: relatime (the default: only an atime not
 * after mtime/ctime moves), strictatime, noatime, nodiratime, read-only;
 * O_NOATIME and FS_XFLAG_NOATIME; and a --x file that runs for a user
 * who cannot read it (execve asks MAY_EXEC only), on a nosuid mount.
 * Times are set with utimensat rather than waited for.  In a private
 * mount namespace (mounts.c's way: a native run changes nothing). */
#include "t.h"
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

static time_t atime_of(const char *p) {
  struct stat st;
  return stat(p, &st) ? -1 : st.st_atime;
}
static void set_atime(const char *p, time_t t) {
  struct timespec ts[2] = { { t, 0 }, { 0, UTIME_OMIT } };
  utimensat(AT_FDCWD, p, ts, 0);
}
static void read_it(const char *p, int flags) {
  char b[16];
  int fd = open(p, O_RDONLY | flags);
  read(fd, b, sizeof b);
  close(fd);
}
static void list_it(const char *p) {
  DIR *d = opendir(p);
  while (d && readdir(d)) {}
  if (d) closedir(d);
}
static void remount(const char *opts, unsigned long fl) {
  umount("/tmp/m");
  mount("tmpfs", "/tmp/m", "tmpfs", fl, opts);
  int fd = open("/tmp/m/f", O_CREAT | O_WRONLY, 0644);
  write(fd, "hello", 5);
  close(fd);
  mkdir("/tmp/m/d", 0755);
}

static void body(void) {
  time_t now = time(NULL), past = now - 1000, future = now + 1000;
  mkdir("/tmp/m", 0755);
  remount(NULL, 0);
  set_atime("/tmp/m/f", past);
  read_it("/tmp/m/f", 0);
  OK("relatime: an old atime moves on a read", atime_of("/tmp/m/f") >= now);
  set_atime("/tmp/m/f", future);
  read_it("/tmp/m/f", 0);
  OK("relatime: an atime after mtime and ctime stays", atime_of("/tmp/m/f") == future);
  set_atime("/tmp/m/d", past);
  list_it("/tmp/m/d");
  OK("relatime: readdir moves an old directory atime", atime_of("/tmp/m/d") >= now);
  set_atime("/tmp/m/f", past);
  read_it("/tmp/m/f", O_NOATIME);
  OK("O_NOATIME: the owner's read leaves it", atime_of("/tmp/m/f") == past);
  struct { uint64_t x; uint32_t e, n, p, c; } fa = { 0x40, 0, 0, 0, 0 };
  OK("FS_XFLAG_NOATIME set", syscall(469, AT_FDCWD, "/tmp/m/f", &fa, sizeof fa, 0) == 0);
  read_it("/tmp/m/f", 0);
  OK("FS_XFLAG_NOATIME: a read leaves it", atime_of("/tmp/m/f") == past);

  remount(NULL, MS_STRICTATIME);
  set_atime("/tmp/m/f", future);
  read_it("/tmp/m/f", 0);
  OK("strictatime: every read moves it", atime_of("/tmp/m/f") < future && atime_of("/tmp/m/f") >= now);
  set_atime("/tmp/m/d", future);
  list_it("/tmp/m/d");
  OK("strictatime: every readdir too", atime_of("/tmp/m/d") < future);

  remount(NULL, MS_NOATIME);
  set_atime("/tmp/m/f", past);
  read_it("/tmp/m/f", 0);
  OK("noatime: a read leaves it", atime_of("/tmp/m/f") == past);
  set_atime("/tmp/m/d", past);
  list_it("/tmp/m/d");
  OK("noatime: a readdir leaves it", atime_of("/tmp/m/d") == past);

  remount(NULL, MS_NODIRATIME);
  set_atime("/tmp/m/f", past);
  set_atime("/tmp/m/d", past);
  read_it("/tmp/m/f", 0);
  list_it("/tmp/m/d");
  OK("nodiratime: a file's moves", atime_of("/tmp/m/f") >= now);
  OK("nodiratime: a directory's stays", atime_of("/tmp/m/d") == past);

  remount(NULL, 0);
  set_atime("/tmp/m/f", past);
  OK("remount read-only", mount("none", "/tmp/m", NULL, MS_REMOUNT | MS_RDONLY, NULL) == 0);
  read_it("/tmp/m/f", 0);
  OK("read-only: a read leaves it", atime_of("/tmp/m/f") == past);

  /* a --x copy of this program, run by nobody from a nosuid tmpfs */
  remount(NULL, MS_NOSUID);
  int in = open("/proc/self/exe", O_RDONLY), out = open("/tmp/m/x", O_CREAT | O_WRONLY, 0711);
  char buf[65536];
  ssize_t n;
  while ((n = read(in, buf, sizeof buf)) > 0) write(out, buf, n);
  close(in);
  close(out);
  chmod("/tmp/m/x", 04711);
  int p[2];
  pipe(p);
  pid_t c = fork();
  if (c == 0) {
    dup2(p[1], 1);
    if (setgid(65534) || setuid(65534)) _exit(3);
    if (open("/tmp/m/x", O_RDONLY) >= 0 || errno != EACCES) _exit(4);
    execl("/tmp/m/x", "x", "child", NULL);
    _exit(5);
  }
  close(p[1]);
  n = read(p[0], buf, sizeof buf - 1);
  buf[n > 0 ? n : 0] = 0;
  int st;
  waitpid(c, &st, 0);
  OK("nobody runs a --x set-uid file it cannot read, without the set-uid",
     WIFEXITED(st) && WEXITSTATUS(st) == 0 && !strcmp(buf, "euid 65534\n"));
  umount("/tmp/m");
}

int main(int argc, char **argv) {
  if (argc > 1) {
    printf("euid %d\n", (int)geteuid());
    return 0;
  }
  pid_t c = fork();
  if (c == 0) {
    if (unshare(CLONE_NEWNS) || mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
      printf("FAIL cannot make a private mount namespace (%s)\n", en(errno));
      _exit(2);
    }
    /* a tmpfs over /tmp first: nothing lands in the real /tmp */
    if (mount("tmpfs", "/tmp", "tmpfs", 0, NULL)) {
      printf("FAIL cannot mount a tmpfs on /tmp (%s)\n", en(errno));
      _exit(2);
    }
    body();
    _exit(t_failed ? 1 : 0);
  }
  int st;
  waitpid(c, &st, 0);
  if (!WIFEXITED(st) || WEXITSTATUS(st)) t_failed++;
  return t_done();
}
