/* fsresolve.c - openat2(2)'s resolve flags (RESOLVE_NO_XDEV, _NO_MAGICLINKS,
 * _NO_SYMLINKS, _BENEATH, _IN_ROOT) and its open_how size rules;
 * name_to_handle_at(2) and open_by_handle_at(2); EMFILE (not ENFILE) at
 * RLIMIT_NOFILE, for pipes and files; all with their errors.  The same
 * program runs natively (as root) and under umk. */
#include "t.h"
#include <fcntl.h>
#include <stdint.h>
#include <linux/openat2.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/utsname.h>

static long oa2(int dfd, const char *p, uint64_t flags, uint64_t resolve)
{
  struct open_how how = { .flags = flags, .resolve = resolve };
  long fd = syscall(SYS_openat2, dfd, p, &how, sizeof how);
  if (fd >= 0) close(fd);
  return fd >= 0 ? 0 : -1;
}

static void openat2_resolve(void)
{
  char dir[] = "/tmp/fsresolveXXXXXX";
  OK("mkdtemp", mkdtemp(dir));
  int dfd = open(dir, O_DIRECTORY | O_RDONLY);
  OK("open dir", dfd >= 0);
  OK("mkdir sub", mkdirat(dfd, "sub", 0755) == 0);
  int f = openat(dfd, "sub/file", O_CREAT | O_WRONLY, 0644);
  OK("create file", f >= 0);
  close(f);
  OK("symlink rel", symlinkat("sub/file", dfd, "rel") == 0);
  OK("symlink abs", symlinkat("/proc/version", dfd, "abs") == 0);
  OK("symlink up", symlinkat("../x", dfd, "up") == 0);
  OK("symlink root-abs", symlinkat("/sub/file", dfd, "rootabs") == 0);

  OK("plain /proc/version", oa2(AT_FDCWD, "/proc/version", O_RDONLY, 0) == 0);
  ERR("no-xdev /proc/version", oa2(AT_FDCWD, "/proc/version", O_RDONLY, RESOLVE_NO_XDEV), EXDEV);
  ERR("no-xdev via link", oa2(dfd, "abs", O_RDONLY, RESOLVE_NO_XDEV), EXDEV);
  OK("no-xdev same mount", oa2(dfd, "sub/file", O_RDONLY, RESOLVE_NO_XDEV) == 0);
  OK("no-xdev creat same mount", oa2(dfd, "sub/new", O_RDWR | O_CREAT, RESOLVE_NO_XDEV) == 0);
  ERR("no-magiclinks exe", oa2(AT_FDCWD, "/proc/self/exe", O_RDONLY, RESOLVE_NO_MAGICLINKS), ELOOP);
  ERR("no-magiclinks fd", oa2(AT_FDCWD, "/proc/self/fd/0", O_RDONLY, RESOLVE_NO_MAGICLINKS), ELOOP);
  OK("no-magiclinks /proc/self/status", oa2(AT_FDCWD, "/proc/self/status", O_RDONLY, RESOLVE_NO_MAGICLINKS) == 0);
  ERR("no-symlinks rel", oa2(dfd, "rel", O_RDONLY, RESOLVE_NO_SYMLINKS), ELOOP);
  ERR("no-symlinks exe", oa2(AT_FDCWD, "/proc/self/exe", O_RDONLY, RESOLVE_NO_SYMLINKS), ELOOP);
  OK("no-symlinks O_PATH|O_NOFOLLOW", oa2(dfd, "rel", O_PATH | O_NOFOLLOW, RESOLVE_NO_SYMLINKS) == 0);
  OK("no-symlinks plain", oa2(dfd, "sub/file", O_RDONLY, RESOLVE_NO_SYMLINKS) == 0);
  ERR("beneath absolute", oa2(dfd, "/proc/version", O_RDONLY, RESOLVE_BENEATH), EXDEV);
  ERR("beneath ..", oa2(dfd, "../x", O_RDONLY, RESOLVE_BENEATH), EXDEV);
  ERR("beneath sub/../..", oa2(dfd, "sub/../../x", O_RDONLY, RESOLVE_BENEATH), EXDEV);
  OK("beneath sub/..", oa2(dfd, "sub/../sub/file", O_RDONLY, RESOLVE_BENEATH) == 0);
  OK("beneath rel link", oa2(dfd, "rel", O_RDONLY, RESOLVE_BENEATH) == 0);
  ERR("beneath abs link", oa2(dfd, "abs", O_RDONLY, RESOLVE_BENEATH), EXDEV);
  ERR("beneath up link", oa2(dfd, "up", O_RDONLY, RESOLVE_BENEATH), EXDEV);
  ERR("beneath magic link", oa2(AT_FDCWD, "/proc/self/exe", O_RDONLY, RESOLVE_BENEATH), EXDEV);
  ERR("in-root /proc/version", oa2(dfd, "/proc/version", O_RDONLY, RESOLVE_IN_ROOT), ENOENT);
  OK("in-root /sub/file", oa2(dfd, "/sub/file", O_RDONLY, RESOLVE_IN_ROOT) == 0);
  OK("in-root ../../sub/file", oa2(dfd, "../../sub/file", O_RDONLY, RESOLVE_IN_ROOT) == 0);
  OK("in-root abs link", oa2(dfd, "rootabs", O_RDONLY, RESOLVE_IN_ROOT) == 0);
  ERR("in-root abs link outside", oa2(dfd, "abs", O_RDONLY, RESOLVE_IN_ROOT), ENOENT);
  ERR("beneath|in-root", oa2(dfd, "sub/file", O_RDONLY, RESOLVE_BENEATH | RESOLVE_IN_ROOT), EINVAL);
  ERR("unknown resolve", oa2(dfd, "sub/file", O_RDONLY, 1 << 20), EINVAL);
  ERR("unknown flag", oa2(dfd, "sub/file", O_RDONLY | (1 << 28), 0), EINVAL);
  ERR("O_PATH|O_RDWR", oa2(dfd, "sub/file", O_PATH | O_RDWR, 0), EINVAL);
  ERR("cached creat", oa2(dfd, "sub/file", O_RDWR | O_CREAT, RESOLVE_CACHED), EAGAIN);

  /* open_how sizes: a bigger struct's tail must be zero (E2BIG), and readable */
  long pg = sysconf(_SC_PAGESIZE);
  char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(m + pg, pg);
  struct open_how *h = (struct open_how *)(m + pg - sizeof *h);
  memset(h, 0, sizeof *h);
  h->flags = O_RDONLY;
  OK("size exact", syscall(SYS_openat2, dfd, "sub/file", h, sizeof *h) >= 0);
  ERR("size +1 unreadable", syscall(SYS_openat2, dfd, "sub/file", h, sizeof *h + 1), EFAULT);
  h = (struct open_how *)(m + pg - sizeof *h - 8);
  memset(h, 0, sizeof *h + 8);
  h->flags = O_RDONLY;
  OK("size +8 zero tail", syscall(SYS_openat2, dfd, "sub/file", h, sizeof *h + 8) >= 0);
  ((char *)h)[sizeof *h + 3] = 1;
  ERR("size +8 nonzero tail", syscall(SYS_openat2, dfd, "sub/file", h, sizeof *h + 8), E2BIG);
  ERR("size small", syscall(SYS_openat2, dfd, "sub/file", h, sizeof *h - 1), EINVAL);
  ERR("size page+1", syscall(SYS_openat2, dfd, "sub/file", h, pg + 1), E2BIG);
}

#ifndef AT_HANDLE_FID
#define AT_HANDLE_FID 0x200
#endif
#ifndef AT_HANDLE_CONNECTABLE
#define AT_HANDLE_CONNECTABLE 0x002
#endif

static void handles(void)
{
  char dir[] = "/tmp/fshandleXXXXXX";
  OK("mkdtemp", mkdtemp(dir));
  int dfd = open(dir, O_DIRECTORY | O_RDONLY);
  int f = openat(dfd, "file", O_CREAT | O_RDWR, 0600);
  OK("create", f >= 0 && write(f, "hello", 5) == 5);
  OK("symlink", symlinkat("file", dfd, "link") == 0);
  struct stat fst, st;
  fstat(f, &fst);

  struct file_handle fh0 = { .handle_bytes = 0 };
  int mid = -1, mid2 = -1;
  ERR("size probe", name_to_handle_at(dfd, "file", &fh0, &mid, 0), EOVERFLOW);
  OK("size given", fh0.handle_bytes > 0 && fh0.handle_bytes <= MAX_HANDLE_SZ && mid >= 0);
  struct file_handle *fh = malloc(sizeof *fh + MAX_HANDLE_SZ);
  fh->handle_bytes = fh0.handle_bytes;
  OK("name_to_handle_at", name_to_handle_at(dfd, "file", fh, &mid2, 0) == 0 && mid2 == mid);
  struct file_handle *fe = malloc(sizeof *fe + MAX_HANDLE_SZ);
  fe->handle_bytes = MAX_HANDLE_SZ;
  OK("AT_EMPTY_PATH", name_to_handle_at(f, "", fe, &mid2, AT_EMPTY_PATH) == 0 &&
     fe->handle_bytes == fh->handle_bytes && !memcmp(fe->f_handle, fh->f_handle, fh->handle_bytes));
  fe->handle_bytes = MAX_HANDLE_SZ;
  OK("follow link = file", name_to_handle_at(dfd, "link", fe, &mid2, AT_SYMLINK_FOLLOW) == 0 &&
     !memcmp(fe->f_handle, fh->f_handle, fh->handle_bytes));
  struct file_handle *fl = malloc(sizeof *fl + MAX_HANDLE_SZ);
  fl->handle_bytes = MAX_HANDLE_SZ;
  OK("link itself", name_to_handle_at(dfd, "link", fl, &mid2, 0) == 0 &&
     memcmp(fl->f_handle, fh->f_handle, fh->handle_bytes));
  fe->handle_bytes = MAX_HANDLE_SZ;
  OK("AT_HANDLE_FID procfs", name_to_handle_at(AT_FDCWD, "/proc/filesystems", fe, &mid2, AT_HANDLE_FID) == 0);
  fe->handle_bytes = MAX_HANDLE_SZ;
  ERR("procfs not exportable", name_to_handle_at(AT_FDCWD, "/proc/filesystems", fe, &mid2, 0), EOPNOTSUPP);
  fe->handle_bytes = MAX_HANDLE_SZ;
  OK("connectable dir", name_to_handle_at(AT_FDCWD, dir, fe, &mid2, AT_HANDLE_CONNECTABLE) == 0 &&
     (fe->handle_type & 0x30000) == 0x30000);
  ERR("FID|CONNECTABLE", name_to_handle_at(dfd, "file", fe, &mid2, AT_HANDLE_FID | AT_HANDLE_CONNECTABLE), EINVAL);
  ERR("bad flags", name_to_handle_at(dfd, "file", fe, &mid2, -1), EINVAL);
  ERR("bad dirfd", name_to_handle_at(-1, "file", fe, &mid2, 0), EBADF);
  ERR("dirfd not a dir", name_to_handle_at(f, "x", fe, &mid2, 0), ENOTDIR);
  ERR("bad path", name_to_handle_at(dfd, (char *)8, fe, &mid2, 0), EFAULT);
  ERR("bad handle", name_to_handle_at(dfd, "file", (void *)8, &mid2, 0), EFAULT);
  ERR("bad mount id", name_to_handle_at(dfd, "file", fe, (void *)8, 0), EFAULT);
  fe->handle_bytes = MAX_HANDLE_SZ + 1;
  ERR("handle_bytes too big", name_to_handle_at(dfd, "file", fe, &mid2, 0), EINVAL);
  ERR("empty path", name_to_handle_at(dfd, "", fe, &mid2, 0), ENOENT);
  ERR("missing", name_to_handle_at(dfd, "nope", fe, &mid2, 0), ENOENT);

  int o = open_by_handle_at(dfd, fh, O_RDONLY);
  char buf[8] = "";
  OK("open_by_handle_at", o >= 0 && fstat(o, &st) == 0 && st.st_ino == fst.st_ino &&
     read(o, buf, 5) == 5 && !memcmp(buf, "hello", 5));
  close(o);
  o = open_by_handle_at(AT_FDCWD, fh, O_WRONLY | O_CLOEXEC);
  OK("open_by_handle_at AT_FDCWD", o >= 0 && (fcntl(o, F_GETFD) & FD_CLOEXEC) && (fcntl(o, F_GETFL) & O_ACCMODE) == O_WRONLY);
  close(o);
  o = open_by_handle_at(f, fh, O_PATH);
  OK("open_by_handle_at O_PATH", o >= 0);
  close(o);
  o = open_by_handle_at(dfd, fl, O_PATH);
  OK("link O_PATH", o >= 0 && fstat(o, &st) == 0 && S_ISLNK(st.st_mode));
  close(o);
  ERR("link O_RDWR", open_by_handle_at(dfd, fl, O_RDWR), ELOOP);
  ERR("bad mount fd", open_by_handle_at(-1, fh, O_RDONLY), EBADF);
  int pfd = open("/proc/version", O_RDONLY);
  ERR("other filesystem", open_by_handle_at(pfd, fh, O_RDONLY), ESTALE);
  close(pfd);
  ERR("bad handle ptr", open_by_handle_at(dfd, (void *)8, O_RDONLY), EFAULT);
  struct file_handle z = { .handle_bytes = 0 };
  ERR("zero size", open_by_handle_at(dfd, &z, O_RDONLY), EINVAL);
  z.handle_bytes = MAX_HANDLE_SZ + 1;
  ERR("too big", open_by_handle_at(dfd, &z, O_RDONLY), EINVAL);
  pid_t pid = fork();
  if (pid == 0) {
    setresuid(65534, 65534, 65534);
    int r = open_by_handle_at(dfd, fh, O_RDONLY);
    _exit(r == -1 && errno == EPERM ? 0 : 1);
  }
  int ws;
  waitpid(pid, &ws, 0);
  OK("EPERM without CAP_DAC_READ_SEARCH", WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
  close(f);   /* a removed file stays decodable while open */
  OK("unlink", unlinkat(dfd, "file", 0) == 0);
  ERR("removed: ESTALE", open_by_handle_at(dfd, fh, O_RDONLY), ESTALE);
}

/* RLIMIT_NOFILE reached: EMFILE, for pipe (one slot left: no fd leaks) and open */
static void nofile(void)
{
  pid_t pid = fork();
  if (pid == 0) {
    struct rlimit rl = { 64, 64 };
    for (int i = 3; i < 1024; i++) close(i);   /* whatever the runner left open */
    setrlimit(RLIMIT_NOFILE, &rl);
    int fds[2], n = 0, last = -1;
    while (pipe(fds) == 0) {
      n += 2;
      last = fds[1];
    }
    int e = errno;
    printf("pipes until %s, last fd %d\n", en(e), last);
    int one = open("/proc/version", O_RDONLY);   /* the single slot left, if any */
    printf("open: %d\n", one >= 0 ? 1 : -errno);
    if (pipe(fds) == -1) printf("pipe with %s\n", en(errno));
    if (open("/proc/version", O_RDONLY) == -1) printf("open with %s\n", en(errno));
    for (int i = 3; i < 64; i++) close(i);
    printf("pipe after close: %d\n", pipe(fds));
    _exit(e == EMFILE && n > 0 ? 0 : 1);
  }
  int ws;
  waitpid(pid, &ws, 0);
  OK("EMFILE at RLIMIT_NOFILE", WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
}

static long read_ctl(const char *path)
{
  char b[32] = "";
  int fd = open(path, O_RDONLY);
  long n = fd >= 0 ? read(fd, b, sizeof b - 1) : -1;
  if (fd >= 0) close(fd);
  return n > 0 ? atol(b) : -1;
}

static void write_ctl(const char *path, long v)
{
  char b[32];
  int fd = open(path, O_WRONLY);
  int n = snprintf(b, sizeof b, "%ld", v);
  if (fd >= 0 && write(fd, b, n) != n) printf("write %s failed\n", path);
  if (fd >= 0) close(fd);
}

/* One pass of the protected_symlinks / protected_hardlinks rules with the
 * values now set: 1 if what happened is what the values say. */
static int protected_pass(const char *d)
{
  long sym = read_ctl("/proc/sys/fs/protected_symlinks");
  long hard = read_ctl("/proc/sys/fs/protected_hardlinks");
  char file[256], lnk[256], hl[256];
  snprintf(file, sizeof file, "%s/file", d);
  snprintf(lnk, sizeof lnk, "%s/link", d);
  snprintf(hl, sizeof hl, "%s/hl", d);
  int fd = open(file, O_CREAT | O_RDWR, 0600);
  close(fd);
  symlink(file, lnk);
  lchown(lnk, 65534, 65534);   /* another user's link in root's sticky o+w dir */
  errno = 0;
  fd = open(lnk, O_RDONLY);
  int ok = sym ? (fd == -1 && errno == EACCES) : fd >= 0;
  if (fd >= 0) close(fd);
  fd = open(lnk, O_RDONLY | O_NOFOLLOW | O_PATH);   /* not followed: always fine */
  ok &= fd >= 0;
  if (fd >= 0) close(fd);
  pid_t pid = fork();
  if (pid == 0) {
    setresgid(65534, 65534, 65534);
    setresuid(65534, 65534, 65534);
    errno = 0;
    int r = link(file, hl);   /* root's 0600 file: not a safe source */
    _exit(hard ? (r == -1 && errno == EPERM) : r == 0);
  }
  int ws;
  waitpid(pid, &ws, 0);
  ok &= WIFEXITED(ws) && WEXITSTATUS(ws) == 1;
  unlink(hl);
  unlink(lnk);
  unlink(file);
  if (!ok) printf("protected_symlinks=%ld protected_hardlinks=%ld broken\n", sym, hard);
  return ok;
}

/* fs.protected_symlinks and fs.protected_hardlinks as Linux applies them;
 * under umk both values of each are tried (natively only the host's, which
 * this test must not change), the output is the same. */
static void protected_links(void)
{
  char d[] = "/tmp/fsprotXXXXXX";
  OK("mkdtemp", mkdtemp(d));
  chmod(d, 01777);
  struct utsname u;
  uname(&u);
  int umk = strstr(u.version, "umk") != NULL;
  int ok = protected_pass(d);
  if (umk) {
    long s0 = read_ctl("/proc/sys/fs/protected_symlinks");
    long h0 = read_ctl("/proc/sys/fs/protected_hardlinks");
    for (int v = 0; v < 4; v++) {
      write_ctl("/proc/sys/fs/protected_symlinks", v & 1);
      write_ctl("/proc/sys/fs/protected_hardlinks", v >> 1);
      ok &= protected_pass(d);
    }
    write_ctl("/proc/sys/fs/protected_symlinks", s0);
    write_ctl("/proc/sys/fs/protected_hardlinks", h0);
    /* pipe-max-size: rounded up to a power-of-two number of pages */
    long pm = read_ctl("/proc/sys/fs/pipe-max-size");
    write_ctl("/proc/sys/fs/pipe-max-size", 5000);
    ok &= read_ctl("/proc/sys/fs/pipe-max-size") == 8192;
    int fd = open("/proc/sys/fs/pipe-max-size", O_WRONLY);
    ok &= fd >= 0 && write(fd, "0", 1) == -1 && errno == EINVAL;
    close(fd);
    write_ctl("/proc/sys/fs/pipe-max-size", pm);
    ok &= read_ctl("/proc/sys/fs/pipe-max-size") == pm;
  }
  OK("protected links follow the sysctls (and pipe-max-size)", ok);
  rmdir(d);
  OK("pipe-user-pages-soft readable", read_ctl("/proc/sys/fs/pipe-user-pages-soft") >= 0);
  OK("protected_fifos readable", read_ctl("/proc/sys/fs/protected_fifos") >= 0);
  OK("protected_regular readable", read_ctl("/proc/sys/fs/protected_regular") >= 0);
}

/* O_DIRECTORY | O_NOFOLLOW on a symlink to a directory: ENOTDIR; pipe2(O_DIRECT) */
static void misc_open(void)
{
  char d[] = "/tmp/fsmiscXXXXXX", l[64];
  OK("mkdtemp", mkdtemp(d));
  snprintf(l, sizeof l, "%s/l", d);
  symlink(d, l);
  ERR("O_DIRECTORY|O_NOFOLLOW on link", open(l, O_DIRECTORY | O_NOFOLLOW), ENOTDIR);
  ERR("O_NOFOLLOW on link", open(l, O_RDONLY | O_NOFOLLOW), ELOOP);
  ERR("O_CREAT of a directory", open(d, O_RDONLY | O_CREAT, 0644), EISDIR);
  ERR("O_CREAT of a link to a directory", open(l, O_RDONLY | O_CREAT, 0644), EISDIR);
  int fd = open(l, O_DIRECTORY);
  OK("O_DIRECTORY follows", fd >= 0);
  close(fd);
  unlink(l);
  rmdir(d);
  int p[2];
  OK("pipe2 O_DIRECT", pipe2(p, O_DIRECT) == 0 && (fcntl(p[1], F_GETFL) & O_DIRECT));
  close(p[0]);
  close(p[1]);
  ERR("pipe2 bad flag", pipe2(p, O_APPEND), EINVAL);
}

/* vhangup(2): 0 for root (no controlling terminal here), EPERM without
 * CAP_SYS_ADMIN */
static void vhangup_(void)
{
  pid_t pid = fork();
  if (pid == 0) {
    setsid();
    int r0 = syscall(SYS_vhangup);
    setresuid(65534, 65534, 65534);
    int r1 = syscall(SYS_vhangup);
    _exit(r0 == 0 && r1 == -1 && errno == EPERM ? 0 : 1);
  }
  int ws;
  waitpid(pid, &ws, 0);
  OK("vhangup: root 0, others EPERM", WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
}

/* ETXTBSY: a running program is not opened for writing nor truncated; a
 * file open for writing is not run; both end with their cause */
static void txtbsy(void)
{
  char exe[] = "/tmp/fstxtXXXXXX";
  int out = mkstemp(exe), in = open("/proc/self/exe", O_RDONLY);
  char buf[65536];
  ssize_t n;
  while ((n = read(in, buf, sizeof buf)) > 0) write(out, buf, n);
  close(in);
  fchmod(out, 0755);
  close(out);
  int p[2];
  pipe(p);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(p[1], 3);
    execl(exe, exe, "--ready-and-wait", (char *)NULL);
    _exit(127);
  }
  close(p[1]);
  char c;
  OK("copy runs", read(p[0], &c, 1) == 1);
  ERR("open O_WRONLY of a running program", open(exe, O_WRONLY), ETXTBSY);
  ERR("creat of a running program", creat(exe, 0755), ETXTBSY);
  ERR("truncate of a running program", truncate(exe, 0), ETXTBSY);
  int fd = open(exe, O_RDONLY);
  OK("open O_RDONLY of it", fd >= 0);
  close(fd);
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
  close(p[0]);
  fd = open(exe, O_WRONLY);
  OK("writable once it is gone", fd >= 0);
  pid = fork();
  if (pid == 0) {
    execl(exe, exe, "--ready-and-wait", (char *)NULL);
    _exit(errno == ETXTBSY ? 42 : 43);
  }
  int ws;
  waitpid(pid, &ws, 0);
  OK("exec of a file open for writing: ETXTBSY", WIFEXITED(ws) && WEXITSTATUS(ws) == 42);
  close(fd);
  unlink(exe);
}

/* msync: MS_INVALIDATE on a locked mapping EBUSY, a hole ENOMEM; open of
 * /proc/self/fd/N with O_TRUNC truncates (a memfd's F_SEAL_SHRINK: EPERM) */
static void msync_and_trunc(void)
{
  long pg = sysconf(_SC_PAGESIZE);
  char *m = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  OK("msync", msync(m, 3 * pg, MS_SYNC) == 0);
  OK("mlock", mlock(m, pg) == 0);
  ERR("msync MS_INVALIDATE locked", msync(m, pg, MS_INVALIDATE), EBUSY);
  OK("msync MS_ASYNC locked", msync(m, pg, MS_ASYNC) == 0);
  munmap(m + pg, pg);
  ERR("msync over a hole", msync(m, 3 * pg, MS_SYNC), ENOMEM);
  ERR("msync unmapped", msync(m + pg, pg, MS_SYNC), ENOMEM);
  ERR("msync unaligned", msync(m + 1, pg, MS_SYNC), EINVAL);
  ERR("msync wraps", msync(m, -pg, MS_SYNC), ENOMEM);
  munmap(m, 3 * pg);

  int fd = memfd_create("t", MFD_ALLOW_SEALING);
  char p[64];
  struct stat st;
  ftruncate(fd, 8192);
  snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
  int fd2 = open(p, O_RDWR | O_TRUNC);
  OK("O_TRUNC through /proc/self/fd", fd2 >= 0 && fstat(fd, &st) == 0 && st.st_size == 0);
  close(fd2);
  ftruncate(fd, 8192);
  fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK);
  ERR("O_TRUNC of a shrink-sealed memfd", open(p, O_RDWR | O_TRUNC), EPERM);
  OK("size kept", fstat(fd, &st) == 0 && st.st_size == 8192);
  close(fd);
}

/* lseek SEEK_DATA / SEEK_HOLE: data at [0,1M) and [3M,4M), a hole between
 * (a filesystem without holes reports one data extent: allowed too) */
static void seek_holes(void)
{
  char f[] = "/tmp/fsholeXXXXXX";
  int fd = mkstemp(f);
  static char mb[1 << 20];
  memset(mb, 'x', sizeof mb);
  OK("write [0,1M)", pwrite(fd, mb, sizeof mb, 0) == (ssize_t)sizeof mb);
  OK("write [3M,4M)", pwrite(fd, mb, sizeof mb, 3 << 20) == (ssize_t)sizeof mb);
  fsync(fd);
  off_t h = lseek(fd, 0, SEEK_HOLE), d = lseek(fd, 1 << 20, SEEK_DATA);
  OK("SEEK_HOLE and SEEK_DATA", (h == 1 << 20 && d == 3 << 20) || (h == 4 << 20 && d == 1 << 20));
  OK("SEEK_DATA at 0", lseek(fd, 0, SEEK_DATA) == 0);
  OK("SEEK_HOLE in the last extent: EOF", lseek(fd, (3 << 20) + 5, SEEK_HOLE) == 4 << 20);
  ERR("SEEK_DATA at EOF", lseek(fd, 4 << 20, SEEK_DATA), ENXIO);
  ERR("SEEK_HOLE past EOF", lseek(fd, 5 << 20, SEEK_HOLE), ENXIO);
  ERR("SEEK_DATA negative", lseek(fd, -1, SEEK_DATA), ENXIO);
  lseek(fd, 7, SEEK_SET);
  char c;
  OK("reads go on from SEEK_SET", read(fd, &c, 1) == 1 && c == 'x' && lseek(fd, 0, SEEK_CUR) == 8);
  close(fd);
  unlink(f);
}

int main(int argc, char **argv)
{
  if (argc > 1 && !strcmp(argv[1], "--ready-and-wait")) {
    write(3, "r", 1);
    pause();
    return 0;
  }
  txtbsy();
  seek_holes();
  msync_and_trunc();
  vhangup_();
  protected_links();
  misc_open();
  openat2_resolve();
  handles();
  nofile();
  return t_done();
}
