/* dnotify.c - directory notification, fcntl(F_NOTIFY): the signal (SIGIO
 * with SI_KERNEL by default, the F_SETSIG signal with si_code POLL_MSG,
 * si_fd and si_band), each DN_* event (create, mkdir, delete, rename
 * within the directory and across directories, modify, access, attrib of
 * a child and of the directory itself), one-shot watches and
 * DN_MULTISHOT, masks added up by a second F_NOTIFY, removal by a mask
 * of nothing and by closing an fd of the file (also a dup of it), a
 * forked child's close that does not remove the parent's watch, a watch
 * per directory, errors (ENOTDIR, EBADF), and the dir-notify-enable
 * sysctl's value.  Works in a fresh directory under the cwd.  */
#include "t.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define SIG (SIGRTMIN + 1)

struct rec { int signo, code, fd; long band; };
static volatile int nrec;
static struct rec recs[64];

static void handler(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  if (nrec < 64) {
    recs[nrec].signo = sig;
    recs[nrec].code = si->si_code;
    recs[nrec].fd = sig == SIGIO ? -1 : si->si_fd;
    recs[nrec].band = sig == SIGIO ? 0 : si->si_band;
    nrec++;
  }
}

/* prints what arrived since the last call, after step */
static void show(const char *step) {
  printf("%s:", step);
  if (!nrec) printf(" none");
  for (int i = 0; i < nrec; i++) {
    if (recs[i].signo == SIGIO)
      printf(" SIGIO code %d", recs[i].code);
    else
      printf(" SIG+%d code %d fd %d band %lx", recs[i].signo - SIGRTMIN, recs[i].code, recs[i].fd,
             recs[i].band);
  }
  printf("\n");
  nrec = 0;
}

static void touch(const char *p) { close(open(p, O_CREAT | O_WRONLY, 0644)); }

int main(void) {
  char d[] = "dnotify.XXXXXX", sub[64], f[64], g[64], h[64], k[64];
  if (!mkdtemp(d)) return 1;
  snprintf(sub, sizeof sub, "%s/sub", d);
  snprintf(f, sizeof f, "%s/f", d);
  snprintf(g, sizeof g, "%s/g", d);
  snprintf(h, sizeof h, "%s/sub/h", d);
  snprintf(k, sizeof k, "%s/k", d);
  mkdir(sub, 0755);

  struct sigaction sa = {0};
  sa.sa_sigaction = handler;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigaction(SIGIO, &sa, NULL);
  sigaction(SIG, &sa, NULL);

  /* errors */
  int rf = open(f, O_CREAT | O_RDWR, 0644);
  ERR("regular file", fcntl(rf, F_NOTIFY, DN_CREATE), ENOTDIR);
  OK("regular file remove", fcntl(rf, F_NOTIFY, 0) == 0);
  OK("regular file remove multishot", fcntl(rf, F_NOTIFY, DN_MULTISHOT) == 0);
  ERR("bad fd", fcntl(999, F_NOTIFY, DN_CREATE), EBADF);
  close(rf);
  show("setup");

  /* one-shot, SIGIO */
  int dfd = open(d, O_RDONLY | O_DIRECTORY);
  OK("notify create", fcntl(dfd, F_NOTIFY, DN_CREATE) == 0);
  printf("owner is self %d\n", fcntl(dfd, F_GETOWN) == getpid());
  touch(g);
  show("create sigio");
  touch(k);
  show("create again (one-shot)");

  /* F_SETSIG and DN_MULTISHOT, each event */
  OK("setsig", fcntl(dfd, F_SETSIG, SIG) == 0);
  OK("notify all", fcntl(dfd, F_NOTIFY, DN_CREATE | DN_DELETE | DN_RENAME | DN_MODIFY | DN_ACCESS |
                                            DN_ATTRIB | DN_MULTISHOT) == 0);
  int fd = open(f, O_RDWR);
  show("open");
  OK("write", write(fd, "x", 1) == 1);
  show("modify");
  char c;
  OK("read", pread(fd, &c, 1, 0) == 1);
  show("access");
  OK("fchmod", fchmod(fd, 0600) == 0);
  show("attrib child");
  close(fd);
  show("close");
  OK("chmod dir", chmod(d, 0755) == 0);
  show("attrib dir itself");
  OK("unlink", unlink(g) == 0);
  show("delete");
  OK("rename within", rename(k, g) == 0);
  show("rename within");
  OK("rename out", rename(g, h) == 0);
  show("rename out");
  OK("rename in", rename(h, g) == 0);
  show("rename in");
  OK("mkdir", mkdir(k, 0755) == 0 && rmdir(k) == 0);
  show("mkdir rmdir");
  OK("chmod sub", chmod(sub, 0700) == 0);
  show("attrib subdir");
  touch(h);
  show("create in subdir (not watched)");

  /* masks add up; a mask of nothing removes */
  OK("notify remove", fcntl(dfd, F_NOTIFY, 0) == 0);
  touch(k);
  show("after removal");
  OK("notify attrib", fcntl(dfd, F_NOTIFY, DN_ATTRIB | DN_MULTISHOT) == 0);
  OK("notify delete", fcntl(dfd, F_NOTIFY, DN_DELETE) == 0);
  OK("unlink k", unlink(k) == 0);
  show("delete added");
  OK("chmod f", chmod(f, 0644) == 0);
  show("attrib kept");

  /* the subdirectory watched too: each fd hears of its own */
  int sfd = open(sub, O_RDONLY | O_DIRECTORY);
  OK("sub setsig", fcntl(sfd, F_SETSIG, SIG) == 0);
  OK("sub notify", fcntl(sfd, F_NOTIFY, DN_ATTRIB | DN_DELETE | DN_MULTISHOT) == 0);
  OK("chmod sub 2", chmod(sub, 0755) == 0);
  show("attrib subdir, both watching");
  OK("unlink h", unlink(h) == 0);
  show("delete in subdir");

  /* a forked child's close does not remove the parent's watch */
  pid_t p = fork();
  if (p == 0) {
    close(dfd);
    _exit(0);
  }
  waitpid(p, NULL, 0);
  OK("chmod f 2", chmod(f, 0600) == 0);
  show("after child closed its copy");

  /* closing a dup removes the watch of the file */
  int dup_fd = dup(dfd);
  close(dup_fd);
  OK("chmod f 3", chmod(f, 0644) == 0);
  show("after closing a dup");
  close(dfd);
  close(sfd);
  OK("chmod sub 3", chmod(sub, 0700) == 0);
  show("after close");

  /* the sysctl */
  char buf[16] = {0};
  int sc = open("/proc/sys/fs/dir-notify-enable", O_RDONLY);
  OK("sysctl read", sc >= 0 && read(sc, buf, sizeof buf - 1) > 0);
  printf("dir-notify-enable %s", buf);
  close(sc);

  unlink(f);
  rmdir(sub);
  rmdir(d);
  return t_done();
}
