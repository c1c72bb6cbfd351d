/* paths.c MARKER... - path tricks must not reach host files outside the
 * guest root.  Each MARKER is a host absolute path of a file (made by the
 * runner, outside the rootfs) whose content starts with "UMK-HOST-SECRET".
 * Tries: the path itself, "/../../..", symlinks to "/" and to "../..",
 * an absolute symlink to the marker, chdir("..") past the root, openat on
 * "/" with "..", the classic chroot-and-climb breakout, /proc/self/root
 * and /proc/self/cwd, and hard links.  Also /etc/shadow, absent from the
 * guest root but present on the host.                                  */
#include "esc.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

static const char secret[] = "UMK-HOST-SECRET";

/* open path (relative to dirfd) and say whether the host marker was read */
static void try_open(int dirfd, const char *what, const char *path) {
  char buf[64] = {0};
  int fd = openat(dirfd, path, O_RDONLY);
  if (fd < 0) { verdict(0, "%s (%s)", what, strerrorname_np(errno)); return; }
  int n = read(fd, buf, sizeof buf - 1);
  close(fd);
  int got = n > 0 && !strncmp(buf, secret, strlen(secret));
  verdict(got, "%s (opened, %s)", what, got ? "read the host marker" : "not the marker");
}

static void try_path(const char *what, const char *path) { try_open(AT_FDCWD, what, path); }

int main(int argc, char **argv) {
  char p[4096], up[256] = "";
  struct stat a, b;
  for (int i = 0; i < 16; i++) strcat(up, "../");

  /* /etc/shadow exists on the host, not in the guest root */
  int fd = open("/../../../../etc/shadow", O_RDONLY);
  verdict(fd >= 0, "open /../../../../etc/shadow (%s)", fd >= 0 ? "opened" : strerrorname_np(errno));
  if (fd >= 0) close(fd);
  verdict(!(stat("/", &a) == 0 && stat("/..", &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev),
          "/.. is / (stat)");

  mkdir("/tmp", 01777);
  unlink("/tmp/esc-root"), unlink("/tmp/esc-up"), unlink("/tmp/esc-abs"), unlink("/tmp/esc-hard");
  symlink("/", "/tmp/esc-root");
  symlink(up, "/tmp/esc-up");

  for (int i = 1; i < argc; i++) {
    const char *m = argv[i], *rel = m + (m[0] == '/');
    printf("marker %d\n", i);
    try_path("absolute path", m);
    snprintf(p, sizeof p, "/%s%s", up, rel);
    try_path("/../../.. prefix", p);
    snprintf(p, sizeof p, "/tmp/esc-root/%s%s", up, rel);
    try_path("symlink to / then ..", p);
    snprintf(p, sizeof p, "/tmp/esc-up/%s", rel);
    try_path("symlink to ../../..", p);
    unlink("/tmp/esc-abs");
    symlink(m, "/tmp/esc-abs");
    try_path("absolute symlink to the marker", "/tmp/esc-abs");
    int r = stat(m, &a);
    verdict(r == 0, "stat of the marker (%s)", r ? strerrorname_np(errno) : "found");
    r = link(m, "/tmp/esc-hard");
    verdict(r == 0, "hard link to the marker (%s)", r ? strerrorname_np(errno) : "linked");
    unlink("/tmp/esc-hard");
    int root = open("/", O_RDONLY | O_DIRECTORY);
    snprintf(p, sizeof p, "%s%s", up, rel);
    try_open(root, "openat(\"/\", ../..)", p);
    close(root);
    chdir("/");
    for (int k = 0; k < 20; k++) chdir("..");
    try_path("chdir(..) x20 then relative", rel);
    chdir("/");
    snprintf(p, sizeof p, "/proc/self/root/%s%s", up, rel);
    try_path("/proc/self/root/..", p);
    snprintf(p, sizeof p, "/proc/self/cwd/%s%s", up, rel);
    try_path("/proc/self/cwd/..", p);
    snprintf(p, sizeof p, "/proc/1/root%s", m);
    try_path("/proc/1/root + path", p);

    /* classic breakout: chroot into a subdirectory, keep cwd outside it, climb */
    if (fork() == 0) {
      mkdir("/tmp/esc-jail", 0755);
      chdir("/");
      errno = 0;
      int r = chroot("/tmp/esc-jail");
      printf("  chroot into a subdirectory: %s\n", r ? strerrorname_np(errno) : "ok");
      for (int k = 0; k < 20; k++) chdir("..");
      chroot(".");
      try_path("chroot, climb with .., chroot(.)", m);
      _exit(escapes);
    }
    int st;
    wait(&st);
    if (st) escapes++;
  }
  return esc_done();
}
