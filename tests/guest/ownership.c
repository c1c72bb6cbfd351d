/* ownership.c - Linux's rules for owners and set-id bits: a setgid
 * directory's group and S_ISGID passed to what is made in it (and
 * S_ISGID stripped from a new group-executable file of a creator outside
 * that group), chown clearing S_ISUID and S_ISGID even for root, chmod
 * dropping S_ISGID for a caller outside the file's group, who may chown
 * and chgrp what (EPERM), and EROFS coming before EPERM on a read-only
 * mount.  Runs as root (natively too) and drops to uid/gid 65534 in
 * children; works in a scratch directory under /tmp.                  */
#include "t.h"
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define NOBODY 65534
#define GRP 4242   /* a group nobody is not in */

static void show(const char *what, const char *path) {
  struct stat st;
  if (lstat(path, &st)) {
    printf("%s: %s\n", what, en(errno));
    return;
  }
  printf("%s: mode %o gid %s\n", what, st.st_mode & 07777,
         st.st_gid == GRP ? "GRP" : st.st_gid == NOBODY ? "nobody" : st.st_gid == 0 ? "root" : "other");
}

/* runs fn as nobody (uid and gid 65534, no supplementary groups) */
static void as_nobody(void (*fn)(void)) {
  pid_t pid = fork();
  if (pid == 0) {
    if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY)) _exit(2);
    fn();
    _exit(t_failed != 0);
  }
  int st;
  OK("child as nobody", waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void nobody_creates(void) {
  umask(0);
  OK("mkdir in a setgid dir", mkdir("sg/sub", 0777) == 0);
  show("sg/sub", "sg/sub");
  int fd = open("sg/file", O_CREAT | O_RDWR, 02755);
  OK("creat in a setgid dir", fd >= 0);
  close(fd);
  show("sg/file (g+x, creator outside the group)", "sg/file");
  fd = open("sg/file2", O_CREAT | O_RDWR, 02745);
  close(fd);
  show("sg/file2 (no g+x)", "sg/file2");
  OK("mknod a regular file", mknod("sg/node", S_IFREG | 02775, 0) == 0);
  show("sg/node", "sg/node");
  /* the strip looks at the mode asked for, before the umask takes g+x */
  umask(S_IXGRP);
  fd = open("sg/file3", O_CREAT | O_RDWR, 02755);
  close(fd);
  show("sg/file3 (g+x asked, umask takes it)", "sg/file3");
  OK("mknod with that umask", mknod("sg/node2", S_IFREG | 02775, 0) == 0);
  show("sg/node2", "sg/node2");
  umask(0);
}

static void nobody_chmods(void) {
  /* owned by nobody, group GRP: the owner may chmod, but not keep S_ISGID */
  OK("chmod own dir 02777", chmod("mine", 02777) == 0);
  show("mine after chmod 02777", "mine");
  int fd = open("mine", O_RDONLY);
  OK("fchmod own dir 03777", fchmod(fd, 03777) == 0);
  close(fd);
  show("mine after fchmod 03777", "mine");
  ERR("chmod someone else's file", chmod("rootfile", 0777), EPERM);
  ERR("chown to another user", chown("mine", 0, -1), EPERM);
  ERR("chgrp to a group not ours", chown("mine", -1, 0), EPERM);
  OK("chgrp to our own group", chown("mine", -1, NOBODY) == 0);
  OK("chown to ourselves", chown("mine", NOBODY, -1) == 0);
  ERR("chown someone else's file to its owner", chown("rootfile", 0, -1), EPERM);
}

static void nobody_on_ro(void) {
  ERR("chown on a read-only mount", chown("ro/x", NOBODY, -1), EROFS);
  ERR("chmod on a read-only mount", chmod("ro/x", 0777), EROFS);
  int fd = open("ro/x", O_RDONLY);
  ERR("fchown on a read-only mount", fchown(fd, NOBODY, -1), EROFS);
  ERR("fchmod on a read-only mount", fchmod(fd, 0777), EROFS);
  close(fd);
}

int main(void) {
  char dir[] = "/tmp/umk-own.XXXXXX";
  OK("mkdtemp", mkdtemp(dir) != NULL);
  OK("chdir", chdir(dir) == 0 && chmod(dir, 0777) == 0);
  umask(0);

  /* setgid directories */
  OK("mkdir sg", mkdir("sg", 0777) == 0 && chown("sg", 0, GRP) == 0 && chmod("sg", 02777) == 0);
  show("sg", "sg");
  as_nobody(nobody_creates);
  int fd = open("sg/rootfile", O_CREAT | O_RDWR, 02755);
  close(fd);
  show("sg/rootfile (root keeps S_ISGID)", "sg/rootfile");
  OK("root mkdir in sg", mkdir("sg/rootdir", 0700) == 0);
  show("sg/rootdir", "sg/rootdir");

  /* chown clears set-id bits, even root's */
  fd = open("suid", O_CREAT | O_RDWR, 0);
  OK("chmod 06770", fchmod(fd, 06770) == 0);
  OK("chown to the same ids", fchown(fd, -1, -1) == 0);
  show("suid after fchown(-1, -1)", "suid");
  OK("chmod 06750 again", chmod("suid", 06750) == 0 && chown("suid", NOBODY, NOBODY) == 0);
  show("suid after chown", "suid");
  OK("chmod 02740", chmod("suid", 02740) == 0 && chown("suid", 0, 0) == 0);
  show("02740 after chown (no g+x: kept)", "suid");
  OK("mkdir setgid dir", mkdir("sgdir", 02755) == 0 && chmod("sgdir", 06755) == 0 && chown("sgdir", NOBODY, -1) == 0);
  show("a directory keeps its bits across chown", "sgdir");
  close(fd);

  /* chmod by an owner outside the group */
  OK("mkdir mine", mkdir("mine", 0755) == 0 && chown("mine", NOBODY, GRP) == 0);
  fd = open("rootfile", O_CREAT | O_RDWR, 0644);
  close(fd);
  as_nobody(nobody_chmods);

  /* read-only mounts: EROFS first */
  OK("mkdir ro", mkdir("ro", 0755) == 0);
  pid_t pid = fork();
  if (pid == 0) {
    if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) _exit(2);
    if (mount("none", "ro", "tmpfs", 0, NULL)) _exit(3);
    fd = open("ro/x", O_CREAT | O_RDWR, 0644);
    close(fd);
    if (mount(NULL, "ro", NULL, MS_REMOUNT | MS_RDONLY, NULL)) _exit(4);
    as_nobody(nobody_on_ro);
    ERR("root chown on a read-only mount", chown("ro/x", 1, 1), EROFS);
    umount("ro");
    _exit(t_failed != 0);
  }
  int st;
  OK("read-only mount child", waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);

  const char *files[] = {"sg/sub", "sg/file", "sg/file2", "sg/node", "sg/rootfile", "sg/rootdir", "sg",
                         "suid", "sgdir", "mine", "rootfile", "ro"};
  for (unsigned i = 0; i < sizeof files / sizeof *files; i++)
    if (unlink(files[i])) rmdir(files[i]);
  chdir("/");
  rmdir(dir);
  return t_done();
}
