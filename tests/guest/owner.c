/* owner.c - ownership changes as Linux checks and applies them: a chown
 * (by root too, fchown and chown(-1, -1) alike) clears S_ISUID and a
 * group-executable S_ISGID of a non-directory, keeps a directory's and
 * a symlink target's bits; an unprivileged owner may chgrp only to its
 * own groups and chown to nobody else; chmod g+s by a non-member drops
 * S_ISGID.                                                             */
#include "t.h"
#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>

static unsigned mode_of(const char *p) {
  struct stat st;
  return lstat(p, &st) ? 0xffff : st.st_mode & 07777;
}

int main(void) {
  umask(0);
  mkdir("/tmp/own", 0777);
  chdir("/tmp/own");
  close(open("f", O_CREAT | O_WRONLY, 0755));
  chmod("f", 06755);
  OK("chown to nobody", chown("f", 65534, -1) == 0);
  printf("6755 after chown: %o\n", mode_of("f"));
  chmod("f", 06755);
  OK("chown -1 -1", chown("f", -1, -1) == 0);
  printf("6755 after chown(-1, -1): %o\n", mode_of("f"));
  chmod("f", 06745);
  chown("f", 0, -1);
  printf("6745 after chown: %o\n", mode_of("f"));
  chmod("f", 04755);
  int fd = open("f", O_RDONLY);
  OK("fchown", fchown(fd, 0, 0) == 0);
  close(fd);
  printf("4755 after fchown: %o\n", mode_of("f"));
  mkdir("d", 0755);
  chmod("d", 06755);
  chown("d", 65534, 65534);
  printf("directory 6755 after chown: %o\n", mode_of("d"));
  chmod("f", 04755);
  symlink("f", "l");
  OK("lchown of a symlink", lchown("l", 65534, -1) == 0);
  printf("target after lchown of its link: %o\n", mode_of("f"));
  chmod("f", 02711);
  chown("f", 65534, 65534);
  printf("2711 after chown: %o\n", mode_of("f"));

  /* as an unprivileged owner */
  close(open("mine", O_CREAT | O_WRONLY, 0644));
  chown("mine", 65534, 65534);
  pid_t c = fork();
  if (c == 0) {
    gid_t g[1] = {65534};
    setgroups(1, g);
    if (setgid(65534) || setuid(65534)) _exit(99);
    int r = 0;
    r |= (chown("mine", 0, -1) == -1 && errno == EPERM) << 0;
    r |= (chown("mine", -1, 0) == -1 && errno == EPERM) << 1;
    r |= (chown("mine", -1, 65534) == 0) << 2;
    r |= (chown("mine", 65534, -1) == 0) << 3;
    r |= (chmod("d", 0700) == -1 && errno == EPERM) << 4;
    r |= (chown("/tmp/own/f", -1, -1) == 0) << 5;    /* f is nobody's now */
    chmod("mine", 02755);   /* nobody is in group 65534: kept */
    r |= ((mode_of("mine") & 02000) != 0) << 6;
    _exit(r);
  }
  int st;
  waitpid(c, &st, 0);
  int r = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  printf("unprivileged: chown to root EPERM %d, chgrp to root EPERM %d, chgrp own group %d, chown to self %d, chmod of root's dir EPERM %d, chown -1 -1 %d, g+s own group %d\n",
         r & 1, !!(r & 2), !!(r & 4), !!(r & 8), !!(r & 16), !!(r & 32), !!(r & 64));
  chown("mine", 65534, 0);   /* a group nobody is not in */
  c = fork();
  if (c == 0) {
    gid_t g[1] = {65534};
    setgroups(1, g);
    if (setgid(65534) || setuid(65534)) _exit(99);
    chmod("mine", 02755);
    _exit((mode_of("mine") & 02000) ? 1 : 0);
  }
  waitpid(c, &st, 0);
  OK("chmod g+s by a non-member drops S_ISGID", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  unlink("l"); unlink("f"); unlink("mine"); rmdir("d");
  return t_done();
}
