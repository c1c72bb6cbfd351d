/* lowerfd - changes made through read-only fds of files of the overlay
 * root's lower layer (fchmod, fchown, futimens, fsetxattr) copy the file
 * up, and never reach the host file (the runner compares the root's tree
 * before and after).  Each change must show in the guest, through the fd
 * and by path: else the test tested nothing. */
#include "esc.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>

static void one(const char *path)
{
  struct timespec ts[2] = { { 12345, 0 }, { 23456, 0 } };
  struct stat a, b;
  int fd = open(path, O_RDONLY);

  if (fd < 0) {
    printf("FAILED: open %s: %s\n", path, strerror(errno));
    exit(1);
  }
  if (fchmod(fd, 0604) || fchown(fd, 4321, 4322) || futimens(fd, ts) ||
      fsetxattr(fd, "user.umk-escape", "x", 1, 0)) {
    printf("FAILED: a change through the fd of %s: %s\n", path, strerror(errno));
    exit(1);
  }
  if (fstat(fd, &a) || stat(path, &b) || (a.st_mode & 07777) != 0604 || b.st_uid != 4321 ||
      a.st_gid != 4322 || b.st_mtime != 23456) {
    printf("FAILED: the change of %s does not show in the guest (mode %o uid %u mtime %lld)\n",
           path, a.st_mode, b.st_uid, (long long)b.st_mtime);
    exit(1);
  }
  verdict(0, "changes through a read-only fd of %s stay in the guest's view", path);
  close(fd);
}

int main(void)
{
  one("/etc/passwd");
  one("/escape/int80");
  return esc_done();
}
