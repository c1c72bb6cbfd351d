/* files.c - file and directory syscalls: open/openat/creat, read/write and
 * their p/v variants, lseek, the stat family, access, getdents64, links,
 * rename, chmod, truncate, utimensat, dup*, fcntl, O_APPEND/O_EXCL and the
 * errno of common failures.  Works in a scratch directory under /tmp that
 * it creates and removes; prints no host-specific values.              */
#include "t.h"
#include <dirent.h>
#include <fcntl.h>
#include <linux/stat.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>

static int cmpstr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* list a directory with getdents64, sorted, "name:type" */
static void list_dir(const char *path) {
  struct linux_dirent64 { unsigned long ino; long off; unsigned short reclen; unsigned char type; char name[]; };
  char buf[512], *names[64];
  int n = 0, fd = open(path, O_RDONLY | O_DIRECTORY);
  long r;
  OK("open dir", fd >= 0);
  /* small buffer: forces several getdents64 calls */
  while ((r = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0)
    for (long off = 0; off < r;) {
      struct linux_dirent64 *d = (void *)(buf + off);
      if (n < 64 && asprintf(&names[n], "%s:%s", d->name,
                             d->type == DT_DIR ? "dir" : d->type == DT_REG ? "reg" : d->type == DT_LNK ? "lnk" : "other") > 0)
        n++;
      off += d->reclen;
    }
  OK("getdents64 end", r == 0);
  qsort(names, n, sizeof *names, cmpstr);
  printf("%s:", path[0] == '/' ? "scratch" : path);
  for (int i = 0; i < n; i++) printf(" %s", names[i]), free(names[i]);
  printf("\n");
  close(fd);
  fd = open("f", O_RDONLY);
  ERR("getdents64 on a file fd", syscall(SYS_getdents64, fd, buf, sizeof buf), ENOTDIR);
  close(fd);
}

int main(void) {
  char dir[] = "/tmp/umk-files.XXXXXX", buf[256];
  struct stat st;
  OK("mkdtemp", mkdtemp(dir) != NULL);
  OK("chdir scratch", chdir(dir) == 0);
  umask(022);

  /* open, write, read, lseek */
  int fd = open("f", O_CREAT | O_RDWR | O_TRUNC, 0644);
  OK("open O_CREAT", fd >= 0);
  OK("write", write(fd, "hello world\n", 12) == 12);
  OK("lseek SEEK_CUR", lseek(fd, 0, SEEK_CUR) == 12);
  OK("lseek SEEK_SET", lseek(fd, 6, SEEK_SET) == 6);
  memset(buf, 0, sizeof buf);
  OK("read", read(fd, buf, sizeof buf) == 6 && !strcmp(buf, "world\n"));
  OK("read at EOF", read(fd, buf, sizeof buf) == 0);
  {
    /* a regular file gives the whole count in one read (past 1 MiB) */
    size_t big = 3 * 1024 * 1024 + 5;
    char *b = calloc(1, big + 100);
    int bf = open("big", O_CREAT | O_RDWR | O_TRUNC, 0644);
    for (size_t i = 0; i < big; i++)
      b[i] = (char)(i * 7);
    OK("big write", write(bf, b, big) == (ssize_t)big);
    memset(b, 0, big);
    OK("big read whole", pread(bf, b, big + 100, 0) == (ssize_t)big && b[big - 1] == (char)((big - 1) * 7));
    lseek(bf, 1, SEEK_SET);
    OK("big read from offset", read(bf, b, big) == (ssize_t)big - 1 && lseek(bf, 0, SEEK_CUR) == (off_t)big);
    close(bf);
    unlink("big");
    free(b);
  }
  OK("lseek SEEK_END", lseek(fd, -1, SEEK_END) == 11);
  ERR("lseek negative", lseek(fd, -100, SEEK_SET), EINVAL);
  OK("pwrite", pwrite(fd, "HELLO", 5, 0) == 5);
  OK("pwrite keeps offset", lseek(fd, 0, SEEK_CUR) == 11);
  memset(buf, 0, sizeof buf);
  OK("pread", pread(fd, buf, 5, 0) == 5 && !strcmp(buf, "HELLO"));
  /* sparse write past EOF reads back zeros */
  OK("pwrite past EOF", pwrite(fd, "Z", 1, 20) == 1);
  OK("hole reads zeros", pread(fd, buf, 9, 12) == 9 && !memcmp(buf, "\0\0\0\0\0\0\0\0Z", 9));

  /* readv / writev */
  struct iovec iov[3] = {{"ab", 2}, {"", 0}, {"cdef", 4}};
  OK("writev", lseek(fd, 0, SEEK_SET) == 0 && writev(fd, iov, 3) == 6);
  char a[3] = {0}, b[4] = {0};
  struct iovec riov[2] = {{a, 2}, {b, 3}};
  OK("readv", lseek(fd, 0, SEEK_SET) == 0 && readv(fd, riov, 2) == 5 && !strcmp(a, "ab") && !strcmp(b, "cde"));

  /* fstat / stat / lstat / newfstatat / statx */
  OK("fstat", fstat(fd, &st) == 0);
  printf("fstat size %ld mode %o reg %d nlink %ld\n", (long)st.st_size, st.st_mode & 07777, S_ISREG(st.st_mode), (long)st.st_nlink);
  printf("owner is euid: %s\n", st.st_uid == geteuid() ? "yes" : "no");
  struct stat st2;
  OK("stat same inode as fstat", stat("f", &st2) == 0 && st2.st_ino == st.st_ino && st2.st_dev == st.st_dev);
  OK("newfstatat", syscall(SYS_newfstatat, AT_FDCWD, "f", &st2, 0) == 0 && st2.st_size == 21);
  OK("newfstatat AT_EMPTY_PATH", syscall(SYS_newfstatat, fd, "", &st2, AT_EMPTY_PATH) == 0 && st2.st_ino == st.st_ino);
  struct statx sx;
  OK("statx", syscall(SYS_statx, AT_FDCWD, "f", 0, STATX_BASIC_STATS, &sx) == 0);
  printf("statx basic mask %s size %llu mode %o ino matches %s\n",
         (sx.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS ? "yes" : "no",
         (unsigned long long)sx.stx_size, sx.stx_mode & 07777, sx.stx_ino == st.st_ino ? "yes" : "no");
  /* STATX_ATTR_MOUNT_ROOT: in the mask on every filesystem, set on a
   * mount's root (by path and by fd) only */
  {
    static const char *const mp[] = { "/", "/proc", "/proc/self/status", "f" };
    for (unsigned i = 0; i < sizeof mp / sizeof *mp; i++) {
      int mfd = open(mp[i], O_RDONLY);
      struct statx px, fx;
      int r1 = statx(AT_FDCWD, mp[i], 0, 0, &px), r2 = statx(mfd, "", AT_EMPTY_PATH, 0, &fx);
      printf("statx %s: mount root mask %d set %d, by fd %d %d (%d %d)\n", mp[i],
             !!(px.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT), !!(px.stx_attributes & STATX_ATTR_MOUNT_ROOT),
             !!(fx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT), !!(fx.stx_attributes & STATX_ATTR_MOUNT_ROOT),
             r1, r2);
      close(mfd);
    }
    int pfd[2];
    OK("pipe for statx", pipe(pfd) == 0);
    OK("a pipe is no mount's root", statx(pfd[0], "", AT_EMPTY_PATH, 0, &sx) == 0 &&
       (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && !(sx.stx_attributes & STATX_ATTR_MOUNT_ROOT));
    close(pfd[0]);
    close(pfd[1]);
  }

  /* access / faccessat / faccessat2 */
  OK("access F_OK", access("f", F_OK) == 0);
  OK("access R_OK|W_OK", access("f", R_OK | W_OK) == 0);
  ERR("access X_OK on 0644", access("f", X_OK), EACCES);
  ERR("access missing", access("nope", F_OK), ENOENT);
  OK("faccessat2 AT_EACCESS", syscall(SYS_faccessat2, AT_FDCWD, "f", R_OK, AT_EACCESS) == 0);
  ERR("faccessat2 bad flags", syscall(SYS_faccessat2, AT_FDCWD, "f", R_OK, 0x1000000), EINVAL);

  /* O_APPEND, O_EXCL, creat */
  int fa = open("f", O_WRONLY | O_APPEND);
  OK("O_APPEND write", fa >= 0 && lseek(fa, 0, SEEK_SET) == 0 && write(fa, "!", 1) == 1);
  OK("O_APPEND wrote at end", fstat(fa, &st) == 0 && st.st_size == 22 && lseek(fa, 0, SEEK_CUR) == 22);
  close(fa);
  ERR("O_EXCL on existing", open("f", O_CREAT | O_EXCL | O_WRONLY, 0600), EEXIST);
  int fc = creat("c", 0600);
  OK("creat", fc >= 0 && fstat(fc, &st) == 0 && (st.st_mode & 0777) == 0600);
  ERR("read on O_WRONLY fd", read(fc, buf, 1), EBADF);
  close(fc);

  /* openat relative to a directory fd */
  OK("mkdir", mkdir("d", 0755) == 0);
  ERR("mkdir existing", mkdir("d", 0755), EEXIST);
  int dfd = open("d", O_RDONLY | O_DIRECTORY);
  OK("open O_DIRECTORY", dfd >= 0);
  int fo = openat(dfd, "inner", O_CREAT | O_WRONLY, 0640);
  OK("openat", fo >= 0 && write(fo, "x", 1) == 1);
  close(fo);
  OK("fstatat relative to dirfd", fstatat(dfd, "inner", &st, 0) == 0 && st.st_size == 1 && (st.st_mode & 0777) == 0640);
  ERR("open O_DIRECTORY on file", open("f", O_RDONLY | O_DIRECTORY), ENOTDIR);
  ERR("open dir for writing", open("d", O_WRONLY), EISDIR);
  ERR("path through a file", open("f/x", O_RDONLY), ENOTDIR);
  ERR("open missing", open("missing", O_RDONLY), ENOENT);
  ERR("open missing dir component", open("nodir/x", O_CREAT | O_WRONLY, 0644), ENOENT);
  ERR("rmdir non-empty", rmdir("d"), ENOTEMPTY);
  ERR("unlink a directory", unlink("d"), EISDIR);
  ERR("rmdir a file", rmdir("f"), ENOTDIR);

  /* links, symlinks, rename */
  OK("link", link("f", "hard") == 0);
  OK("link count 2", stat("f", &st) == 0 && st.st_nlink == 2);
  ERR("link to existing", link("f", "hard"), EEXIST);
  OK("symlink", symlink("f", "sym") == 0);
  OK("symlink dangling", symlink("nowhere", "dangle") == 0);
  ssize_t n = readlink("sym", buf, sizeof buf);
  printf("readlink sym -> %.*s (%zd)\n", (int)(n > 0 ? n : 0), buf, n);
  ERR("readlink on a file", readlink("f", buf, sizeof buf), EINVAL);
  OK("lstat sees link", lstat("sym", &st) == 0 && S_ISLNK(st.st_mode) && st.st_size == 1);
  OK("stat follows link", stat("sym", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 22);
  ERR("stat dangling", stat("dangle", &st), ENOENT);
  ERR("O_NOFOLLOW on link", open("sym", O_RDONLY | O_NOFOLLOW), ELOOP);
  OK("rename", rename("hard", "hard2") == 0);
  ERR("old name gone", access("hard", F_OK), ENOENT);
  OK("rename over existing", rename("c", "hard2") == 0 && stat("hard2", &st) == 0 && st.st_size == 0);
  OK("nlink back to 1", stat("f", &st) == 0 && st.st_nlink == 1);
  ERR("rename file over dir", rename("f", "d"), EISDIR);
  OK("mkdir e", mkdir("e", 0700) == 0);
  ERR("rename dir over non-empty dir", rename("e", "d"), ENOTEMPTY);
  OK("rename dir into dir", rename("e", "d/e") == 0);
  ERR("rename dir into itself", rename("d", "d/e/x"), EINVAL);

  /* chmod, truncate, ftruncate, utimensat */
  OK("chmod", chmod("f", 0600) == 0 && stat("f", &st) == 0 && (st.st_mode & 07777) == 0600);
  OK("fchmod", fchmod(fd, 0640) == 0 && fstat(fd, &st) == 0 && (st.st_mode & 07777) == 0640);
  OK("truncate shrink", truncate("f", 5) == 0 && stat("f", &st) == 0 && st.st_size == 5);
  OK("ftruncate grow", ftruncate(fd, 4096) == 0 && fstat(fd, &st) == 0 && st.st_size == 4096);
  OK("grown part is zero", pread(fd, buf, 4, 5) == 4 && !memcmp(buf, "\0\0\0\0", 4));
  ERR("truncate negative", truncate("f", -1), EINVAL);
  ERR("ftruncate on O_RDONLY", ftruncate(open("f", O_RDONLY), 0), EINVAL);
  struct timespec ts[2] = {{1000000000, 123456789}, {1234567890, 5000}};
  OK("utimensat", utimensat(AT_FDCWD, "f", ts, 0) == 0 && stat("f", &st) == 0);
  printf("atime %ld.%09ld mtime %ld.%09ld\n", (long)st.st_atim.tv_sec, st.st_atim.tv_nsec, (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
  struct timespec omit[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
  OK("utimensat UTIME_OMIT/NOW", utimensat(AT_FDCWD, "f", omit, 0) == 0 && stat("f", &st) == 0 &&
                                     st.st_atim.tv_sec == 1000000000 && st.st_mtim.tv_sec > 1234567890);

  /* dup, dup2, dup3, fcntl */
  int d1 = dup(fd);
  OK("dup shares offset", d1 > fd && lseek(fd, 7, SEEK_SET) == 7 && lseek(d1, 0, SEEK_CUR) == 7);
  OK("dup2", dup2(fd, 50) == 50);
  OK("dup2 same fd", dup2(50, 50) == 50);
  ERR("dup3 same fd", dup3(50, 50, 0), EINVAL);
  OK("dup3 O_CLOEXEC", dup3(fd, 51, O_CLOEXEC) == 51 && fcntl(51, F_GETFD) == FD_CLOEXEC);
  OK("dup2 clears CLOEXEC", dup2(fd, 51) == 51 && fcntl(51, F_GETFD) == 0);
  OK("F_DUPFD lowest >= 40", fcntl(fd, F_DUPFD, 40) == 40);
  OK("F_DUPFD_CLOEXEC", fcntl(fd, F_DUPFD_CLOEXEC, 40) == 41 && fcntl(41, F_GETFD) == FD_CLOEXEC);
  OK("F_SETFD", fcntl(40, F_SETFD, FD_CLOEXEC) == 0 && fcntl(40, F_GETFD) == FD_CLOEXEC);
  int fl = fcntl(fd, F_GETFL);
  printf("F_GETFL accmode O_RDWR %s append %s\n", (fl & O_ACCMODE) == O_RDWR ? "yes" : "no", fl & O_APPEND ? "yes" : "no");
  OK("F_SETFL O_APPEND", fcntl(fd, F_SETFL, fl | O_APPEND) == 0 && (fcntl(d1, F_GETFL) & O_APPEND));
  OK("F_SETFL cannot change accmode", fcntl(fd, F_SETFL, O_RDONLY) == 0 && (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR);
  OK("open O_CLOEXEC", (fa = open("f", O_RDONLY | O_CLOEXEC)) >= 0 && fcntl(fa, F_GETFD) == FD_CLOEXEC);
  ERR("close bad fd", close(999), EBADF);
  ERR("dup bad fd", dup(999), EBADF);
  ERR("fcntl bad fd", fcntl(999, F_GETFL), EBADF);
  ERR("read closed fd", (close(50), read(50, buf, 1)), EBADF);
  ERR("F_DUPFD negative", fcntl(fd, F_DUPFD, -1), EINVAL);
  ERR("lseek on dir fd invalid whence", lseek(dfd, 0, 42), EINVAL);

  /* directory listing, then remove everything */
  list_dir(dir);
  list_dir("d");
  OK("unlink symlink", unlink("sym") == 0 && unlink("dangle") == 0 && access("f", F_OK) == 0);
  OK("unlink", unlink("f") == 0 && unlink("hard2") == 0);
  OK("unlinked file still open", fstat(fd, &st) == 0 && st.st_nlink == 0 && st.st_size == 4096);
  OK("rmdir", unlink("d/inner") == 0 && rmdir("d/e") == 0 && rmdir("d") == 0);
  ERR("rmdir .", rmdir("."), EINVAL);
  OK("rmdir scratch", chdir("/") == 0 && rmdir(dir) == 0);
  ERR("scratch gone", access(dir, F_OK), ENOENT);
  return t_done();
}
