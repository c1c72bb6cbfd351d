/* iflags.c - inode flags (chattr): FS_IOC_GETFLAGS/SETFLAGS and
 * FS_IOC_FSGETXATTR on a tmpfs this test mounts and on the filesystem of
 * its working directory; what the immutable and append-only flags refuse,
 * even to root (open for writing, O_TRUNC, write without O_APPEND, unlink,
 * rmdir, rename either way, link, chmod, chown, utimes, truncate,
 * ftruncate, xattrs, F_SETFL clearing O_APPEND, names made in an immutable
 * directory) and what they allow (reads, appends, utimes to now of an
 * append-only file); statx's attributes; the flags a tmpfs refuses
 * (EOPNOTSUPP); CAP_LINUX_IMMUTABLE; a file of a filesystem without flags
 * (ENOTTY); bad pointers (EFAULT).  Every flag is cleared again at the end.
 * Skips natively without root or a tmpfs mount.  */
#include "t.h"
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <linux/capability.h>

static int getfl(const char *p) {
  int fd = open(p, O_RDONLY | O_NONBLOCK), v = -1;
  if (fd < 0) return -1;
  if (ioctl(fd, FS_IOC_GETFLAGS, &v) < 0) v = -1;
  close(fd);
  return v;
}

static int setfl(const char *p, int v) {
  int fd = open(p, O_RDONLY | O_NONBLOCK), r;
  if (fd < 0) return -1;
  r = ioctl(fd, FS_IOC_SETFLAGS, &v);
  int e = errno;
  close(fd);
  errno = e;
  return r;
}

static void statx_attrs(const char *name, const char *p) {
  struct statx sx;
  if (statx(AT_FDCWD, p, 0, 0, &sx)) {
    printf("%s statx failed %s\n", name, en(errno));
    return;
  }
  uint64_t m = STATX_ATTR_IMMUTABLE | STATX_ATTR_APPEND | STATX_ATTR_NODUMP;
  printf("%s attributes %llx mask %llx\n", name, (unsigned long long)(sx.stx_attributes & m),
         (unsigned long long)(sx.stx_attributes_mask & m));
}

/* the checks on directory d (a tmpfs, or the working directory's fs) */
static void run(const char *d) {
  char f[256], a[256], sub[256], x[256], y[256];
  snprintf(f, sizeof f, "%s/imm", d);
  snprintf(a, sizeof a, "%s/app", d);
  snprintf(sub, sizeof sub, "%s/idir", d);
  snprintf(x, sizeof x, "%s/x", d);
  snprintf(y, sizeof y, "%s/idir/y", d);
  int fd = open(f, O_CREAT | O_RDWR, 0644);
  OK("create imm", fd >= 0 && write(fd, "data", 4) == 4);
  close(fd);
  fd = open(a, O_CREAT | O_RDWR, 0644);
  OK("create app", fd >= 0 && write(fd, "data", 4) == 4);
  close(fd);
  OK("mkdir idir", mkdir(sub, 0755) == 0 && close(open(y, O_CREAT | O_WRONLY, 0644)) == 0);
  OK("flags 0", getfl(f) == 0);

  OK("set immutable", setfl(f, FS_IMMUTABLE_FL) == 0);
  OK("get immutable", getfl(f) == FS_IMMUTABLE_FL);
  OK("set append", setfl(a, FS_APPEND_FL) == 0);
  OK("set dir immutable", setfl(sub, FS_IMMUTABLE_FL) == 0);
  statx_attrs("imm", f);
  statx_attrs("app", a);

  /* immutable */
  ERR("imm open wr", open(f, O_WRONLY), EPERM);
  ERR("imm open rdwr append", open(f, O_RDWR | O_APPEND), EPERM);
  ERR("imm open trunc", open(f, O_RDONLY | O_TRUNC), EPERM);
  fd = open(f, O_RDONLY);
  char buf[8];
  OK("imm read", fd >= 0 && read(fd, buf, 8) == 4);
  ERR("imm fchmod", fchmod(fd, 0600), EPERM);
  ERR("imm fchown", fchown(fd, 0, 0), EPERM);
  ERR("imm fsetxattr", fsetxattr(fd, "user.a", "1", 1, 0), EPERM);
  ERR("imm futimens", futimens(fd, NULL), EPERM);
  close(fd);
  ERR("imm unlink", unlink(f), EPERM);
  ERR("imm rename from", rename(f, x), EPERM);
  ERR("imm rename onto", rename(a, f), EPERM);
  ERR("imm link", link(f, x), EPERM);
  ERR("imm chmod", chmod(f, 0600), EPERM);
  ERR("imm chown", chown(f, 0, 0), EPERM);
  ERR("imm utimes now", utimes(f, NULL), EPERM);
  struct timespec ts[2] = {{1, 0}, {2, 0}};
  ERR("imm utimensat", utimensat(AT_FDCWD, f, ts, 0), EPERM);
  ERR("imm truncate", truncate(f, 0), EPERM);
  ERR("imm setxattr", setxattr(f, "user.a", "1", 1, 0), EPERM);
  ERR("imm removexattr", removexattr(f, "user.a"), EPERM);
  ERR("imm access W_OK", access(f, W_OK), EPERM);
  OK("imm access R_OK", access(f, R_OK) == 0);

  /* an immutable directory */
  char n1[300];
  snprintf(n1, sizeof n1, "%s/new", sub);
  ERR("idir create", open(n1, O_CREAT | O_WRONLY, 0644), EPERM);
  char n2[300];
  snprintf(n2, sizeof n2, "%s/sub2", sub);
  ERR("idir mkdir", mkdir(n2, 0755), EPERM);
  ERR("idir unlink", unlink(y), EPERM);
  ERR("idir rename out", rename(y, x), EPERM);
  ERR("idir rmdir", rmdir(sub), EPERM);
  fd = open(y, O_WRONLY);
  OK("idir child writable", fd >= 0 && write(fd, "z", 1) == 1);
  close(fd);

  /* append-only */
  ERR("app open wr", open(a, O_WRONLY), EPERM);
  ERR("app open trunc", open(a, O_WRONLY | O_APPEND | O_TRUNC), EPERM);
  fd = open(a, O_WRONLY | O_APPEND);
  OK("app append", fd >= 0 && write(fd, "more", 4) == 4);
  ERR("app F_SETFL clear", fcntl(fd, F_SETFL, 0), EPERM);
  OK("app F_SETFL keep", fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK) == 0);
  ERR("app ftruncate", ftruncate(fd, 0), EPERM);
  ERR("app fallocate punch", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 1), EPERM);
  OK("app fallocate keep-size", fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 4096) == 0);
  close(fd);
  struct stat st;
  OK("app size", stat(a, &st) == 0 && st.st_size == 8);
  ERR("app unlink", unlink(a), EPERM);
  ERR("app rename", rename(a, x), EPERM);
  ERR("app link", link(a, x), EPERM);
  ERR("app chmod", chmod(a, 0600), EPERM);
  ERR("app utimensat", utimensat(AT_FDCWD, a, ts, 0), EPERM);
  OK("app utimes now", utimes(a, NULL) == 0);
  ERR("app truncate", truncate(a, 0), EPERM);
  ERR("app setxattr", setxattr(a, "user.a", "1", 1, 0), EPERM);

  /* the xattr interface of the same flags, and flags tmpfs refuses */
  struct fsxattr fx;
  fd = open(a, O_RDONLY);
  OK("fsgetxattr", fd >= 0 && ioctl(fd, FS_IOC_FSGETXATTR, &fx) == 0);
  printf("fsx_xflags %x\n", fx.fsx_xflags & (FS_XFLAG_APPEND | FS_XFLAG_IMMUTABLE | FS_XFLAG_NODUMP));
  ERR("getflags EFAULT", ioctl(fd, FS_IOC_GETFLAGS, (void *)8), EFAULT);
  ERR("setflags EFAULT", ioctl(fd, FS_IOC_SETFLAGS, (void *)8), EFAULT);
  close(fd);
  {
    int v = FS_NODUMP_FL | FS_NOATIME_FL;
    OK("set nodump noatime", setfl(f, FS_IMMUTABLE_FL | v) == 0);
    printf("flags %x\n", getfl(f));
    statx_attrs("nodump", f);
    ERR("set sync", setfl(f, FS_SYNC_FL), EOPNOTSUPP);
    ERR("set compr", setfl(f, FS_COMPR_FL), EOPNOTSUPP);
  }

  /* without CAP_LINUX_IMMUTABLE: no change of the two, others still */
  pid_t p = fork();
  if (p == 0) {
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct cd[2];
    syscall(SYS_capget, &h, cd);
    cd[0].effective &= ~(1u << CAP_LINUX_IMMUTABLE);
    syscall(SYS_capset, &h, cd);
    ERR("nocap clear immutable", setfl(f, 0), EPERM);
    ERR("nocap set append", setfl(sub, FS_IMMUTABLE_FL | FS_APPEND_FL), EPERM);
    fd = open(y, O_RDONLY);
    OK("nocap set nodump", fd >= 0 && setfl(y, FS_NODUMP_FL) == 0 && getfl(y) == FS_NODUMP_FL);
    close(fd);
    _exit(t_failed);
  }
  int status;
  waitpid(p, &status, 0);
  OK("nocap child", WIFEXITED(status) && WEXITSTATUS(status) == 0);

  /* clear: then everything goes */
  OK("clear imm", setfl(f, 0) == 0 && getfl(f) == 0);
  OK("clear app", setfl(a, 0) == 0);
  OK("clear dir", setfl(sub, 0) == 0);
  statx_attrs("cleared", f);
  OK("unlink after", unlink(f) == 0 && unlink(a) == 0 && unlink(y) == 0 && rmdir(sub) == 0);
  /* a new file in the old one's place has no flags */
  fd = open(f, O_CREAT | O_RDWR, 0644);
  OK("new file no flags", fd >= 0 && getfl(f) == 0);
  close(fd);
  unlink(f);
}

int main(void) {
  char d[] = "/tmp/iflags.XXXXXX";
  if (getuid() != 0) {
    printf("SKIP not root\n");
    return 0;
  }
  if (!mkdtemp(d)) return 1;
  if (mount("none", d, "tmpfs", 0, "size=1m") != 0) {
    printf("SKIP no tmpfs mount: %s\n", en(errno));
    rmdir(d);
    return 0;
  }
  printf("-- tmpfs\n");
  run(d);
  umount(d);
  rmdir(d);

  /* a filesystem without inode flags: /proc */
  int fd = open("/proc/self/status", O_RDONLY), v;
  ERR("proc getflags", ioctl(fd, FS_IOC_GETFLAGS, &v), ENOTTY);
  close(fd);
  /* a pipe */
  int pf[2];
  OK("pipe", pipe(pf) == 0);
  ERR("pipe getflags", ioctl(pf[0], FS_IOC_GETFLAGS, &v), ENOTTY);

  /* the working directory's filesystem (the guest's root under umk:
   * its flags are umk's; natively whatever the host's /tmp keeps, so
   * only the immutable flag, which every Linux filesystem with flags has) */
  char w[] = "iflagsw.XXXXXX", f[64];
  if (!mkdtemp(w)) return 1;
  printf("-- cwd\n");
  snprintf(f, sizeof f, "%s/imm", w);
  fd = open(f, O_CREAT | O_RDWR, 0644);
  OK("cwd create", fd >= 0 && write(fd, "data", 4) == 4);
  close(fd);
  OK("cwd set immutable", setfl(f, FS_IMMUTABLE_FL) == 0);
  OK("cwd get immutable", getfl(f) & FS_IMMUTABLE_FL);
  ERR("cwd open wr", open(f, O_WRONLY), EPERM);
  ERR("cwd unlink", unlink(f), EPERM);
  ERR("cwd chmod", chmod(f, 0600), EPERM);
  ERR("cwd setxattr", setxattr(f, "user.a", "1", 1, 0), EPERM);
  statx_attrs("cwd", f);
  OK("cwd clear", setfl(f, 0) == 0);
  OK("cwd unlink after", unlink(f) == 0 && rmdir(w) == 0);
  return t_done();
}
