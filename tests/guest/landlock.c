/* landlock.c - Landlock (landlock(7)): the ABI query, rulesets and the
 * errno of bad arguments to landlock_create_ruleset, landlock_add_rule
 * and landlock_restrict_self; then, each in a child of its own, the
 * filesystem rights (open for read, write and directory listing, create
 * of each file type, remove, rename and link with REFER and EXDEV,
 * truncate and ftruncate, execute, a rule on a file), stacked layers,
 * a domain kept across fork and execve, the mount ban, TCP bind and
 * connect port rules, the abstract-UNIX-socket and signal scopes, and
 * the ptrace rule (only into its own or a nested domain).
 * Works in a fresh directory under /tmp; prints no path or port.  A host
 * without Landlock ABI 7 prints "SKIP ..." (run-guest-tests.sh skips).  */
#include "t.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#define FS_EXECUTE (1ULL << 0)
#define FS_WRITE_FILE (1ULL << 1)
#define FS_READ_FILE (1ULL << 2)
#define FS_READ_DIR (1ULL << 3)
#define FS_REMOVE_DIR (1ULL << 4)
#define FS_REMOVE_FILE (1ULL << 5)
#define FS_MAKE_CHAR (1ULL << 6)
#define FS_MAKE_DIR (1ULL << 7)
#define FS_MAKE_REG (1ULL << 8)
#define FS_MAKE_SOCK (1ULL << 9)
#define FS_MAKE_FIFO (1ULL << 10)
#define FS_MAKE_BLOCK (1ULL << 11)
#define FS_MAKE_SYM (1ULL << 12)
#define FS_REFER (1ULL << 13)
#define FS_TRUNCATE (1ULL << 14)
#define FS_IOCTL_DEV (1ULL << 15)
#define FS_ALL ((1ULL << 16) - 1)
#define FS_ALL_V1 ((1ULL << 13) - 1)   /* ABI 1: no REFER, TRUNCATE, IOCTL_DEV */
#define NET_BIND (1ULL << 0)
#define NET_CONNECT (1ULL << 1)
#define SCOPE_UNIX (1ULL << 0)
#define SCOPE_SIGNAL (1ULL << 1)

struct rs_attr { uint64_t fs, net, scoped; };
struct path_attr { uint64_t access; int32_t fd; } __attribute__((packed));
struct port_attr { uint64_t access, port; };

static long ll_create(const void *attr, size_t size, unsigned flags)
{ return syscall(SYS_landlock_create_ruleset, attr, size, flags); }
static long ll_add(int fd, int type, const void *attr, unsigned flags)
{ return syscall(SYS_landlock_add_rule, fd, type, attr, flags); }
static long ll_restrict(int fd, unsigned flags)
{ return syscall(SYS_landlock_restrict_self, fd, flags); }

static char base[64];
static int mounted;   /* base/m/sub is a bind mount */
static char pbuf[8][256];
/* base/rel, in one of a few rotating buffers */
static const char *P(const char *rel)
{
  static int i;
  char *b = pbuf[i++ % 8];
  snprintf(b, 256, "%s/%s", base, rel);
  return b;
}

static int ruleset(uint64_t fs, uint64_t net, uint64_t scoped)
{
  struct rs_attr a = { fs, net, scoped };
  int fd = ll_create(&a, sizeof a, 0);
  if (fd < 0) { printf("FAIL create_ruleset: %s\n", en(errno)); exit(1); }
  return fd;
}
static void rule(int rs, const char *path, uint64_t access)
{
  struct path_attr a = { access, open(path, O_PATH | O_CLOEXEC) };
  if (a.fd < 0 || ll_add(rs, 1, &a, 0)) { printf("FAIL add_rule %s: %s\n", path + strlen(base), en(errno)); exit(1); }
  close(a.fd);
}
static void port_rule(int rs, int port, uint64_t access)
{
  struct port_attr a = { access, port };
  if (ll_add(rs, 2, &a, 0)) { printf("FAIL add_rule port %s\n", en(errno)); exit(1); }
}
static void enforce(int rs)
{
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || ll_restrict(rs, 0)) {
    printf("FAIL restrict_self %s\n", en(errno));
    exit(1);
  }
  close(rs);
}
/* open(path, flags) as "ok" or the errno, closing what opened */
static int try_open(const char *path, int flags)
{
  int fd = open(path, flags, 0644);
  if (fd < 0) return -errno;
  close(fd);
  return 0;
}
#define OPEN(name, path, flags, want) do { int r_ = try_open(path, flags); \
    if (r_ == -(want)) printf("ok %s%s%s\n", name, want ? ": " : "", want ? en(want) : ""); \
    else { printf("FAIL %s: got %s want %s (line %d)\n", name, r_ ? en(-r_) : "ok", want ? en(want) : "ok", __LINE__); t_failed++; } } while (0)
/* a syscall expression that must succeed (want 0) or fail with want */
#define RET(name, expr, want) do { if (want) ERR(name, expr, want); else { errno = 0; long r__ = (long)(expr); \
    if (r__ >= 0) printf("ok %s\n", name); else { printf("FAIL %s: %s (line %d)\n", name, en(errno), __LINE__); t_failed++; } } } while (0)

/* runs fn in a child; its failures count here */
static void child(void (*fn)(void))
{
  fflush(stdout);
  pid_t p = fork();
  if (p == 0) {
    t_failed = 0;
    fn();
    _exit(t_failed ? 1 : 0);
  }
  int st;
  waitpid(p, &st, 0);
  if (!WIFEXITED(st) || WEXITSTATUS(st)) {
    printf("FAIL child exit %#x\n", st);
    t_failed++;
  }
}

static void touch(const char *p) { int fd = open(p, O_CREAT | O_WRONLY, 0755); if (fd >= 0) { if (write(fd, "data", 4) < 0) {} close(fd); } }

/* ---- argument checks ---- */

static void args(void)
{
  struct rs_attr a = { FS_READ_FILE, 0, 0 };
  char big[8192] = { 0 };
  int pfd[2];

  ERR("create flags", ll_create(&a, sizeof a, 4), EINVAL);
  ERR("create version with attr", ll_create(&a, 0, 1), EINVAL);
  ERR("create version with size", ll_create(NULL, 8, 1), EINVAL);
  ERR("create size 7", ll_create(&a, 7, 0), EINVAL);
  ERR("create size page+1", ll_create(big, 4097, 0), E2BIG);
  memcpy(big, &a, sizeof a);
  big[100] = 1;
  ERR("create nonzero tail", ll_create(big, 200, 0), E2BIG);
  big[100] = 0;
  RES("create zero tail", ll_create(big, 200, 0) >= 0);
  ERR("create NULL", ll_create(NULL, sizeof a, 0), EFAULT);
  void *un = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ERR("create unmapped", ll_create(un, sizeof a, 0), EFAULT);
  struct rs_attr bad = { 1ULL << 16, 0, 0 };
  ERR("create unknown fs", ll_create(&bad, sizeof bad, 0), EINVAL);
  bad = (struct rs_attr){ 0, 4, 0 };
  ERR("create unknown net", ll_create(&bad, sizeof bad, 0), EINVAL);
  bad = (struct rs_attr){ 0, 0, 4 };
  ERR("create unknown scope", ll_create(&bad, sizeof bad, 0), EINVAL);
  bad = (struct rs_attr){ 0, 0, 0 };
  ERR("create empty", ll_create(&bad, sizeof bad, 0), ENOMSG);
  ERR("create empty v1 size", ll_create(&bad, 8, 0), ENOMSG);

  int rs = ll_create(&a, sizeof a, 0);
  OK("ruleset fd", rs >= 0);
  OK("ruleset cloexec", fcntl(rs, F_GETFD) == FD_CLOEXEC);
  RES("ruleset accmode", fcntl(rs, F_GETFL) & O_ACCMODE);
  char link[64], tgt[128] = "";
  snprintf(link, sizeof link, "/proc/self/fd/%d", rs);
  ssize_t n = readlink(link, tgt, sizeof tgt - 1);
  if (n > 0) tgt[n] = 0;
  printf("ruleset link %s\n", tgt);
  ERR("ruleset read", read(rs, big, 8), EINVAL);
  ERR("ruleset write", write(rs, big, 8), EINVAL);

  struct path_attr pa = { FS_READ_FILE, open("/tmp", O_PATH) };
  ERR("add flags", ll_add(rs, 1, &pa, 1), EINVAL);
  ERR("add flags before fd", ll_add(-1, 1, &pa, 1), EINVAL);
  ERR("add bad fd", ll_add(-1, 1, &pa, 0), EBADF);
  ERR("add O_PATH as ruleset", ll_add(pa.fd, 1, &pa, 0), EBADF);
  int plain = open("/tmp", O_RDONLY);
  ERR("add not ruleset", ll_add(plain, 1, &pa, 0), EBADFD);
  close(plain);
  ERR("add type 0", ll_add(rs, 0, &pa, 0), EINVAL);
  ERR("add type 3", ll_add(rs, 3, &pa, 0), EINVAL);
  ERR("add NULL", ll_add(rs, 1, NULL, 0), EFAULT);
  ERR("add unmapped", ll_add(rs, 1, un, 0), EFAULT);
  struct path_attr pz = { 0, pa.fd };
  ERR("add empty", ll_add(rs, 1, &pz, 0), ENOMSG);
  struct path_attr pu = { FS_WRITE_FILE, pa.fd };
  ERR("add unhandled", ll_add(rs, 1, &pu, 0), EINVAL);
  struct path_attr pm = { FS_READ_FILE, -1 };
  ERR("add parent -1", ll_add(rs, 1, &pm, 0), EBADF);
  pm.fd = rs;
  ERR("add parent ruleset", ll_add(rs, 1, &pm, 0), EBADFD);
  if (pipe(pfd) == 0) {
    pm.fd = pfd[0];
    ERR("add parent pipe", ll_add(rs, 1, &pm, 0), EBADFD);
    close(pfd[0]);
    close(pfd[1]);
  }
  RET("add O_PATH dir", ll_add(rs, 1, &pa, 0), 0);
  int rd = open("/tmp", O_RDONLY | O_DIRECTORY);
  pm.fd = rd;
  RET("add plain fd", ll_add(rs, 1, &pm, 0), 0);
  close(rd);
  struct port_attr na = { NET_BIND, 80 };
  ERR("add port unhandled", ll_add(rs, 2, &na, 0), EINVAL);
  int rsd = ruleset(FS_READ_FILE | FS_READ_DIR, NET_BIND, 0);
  struct path_attr pd = { FS_READ_DIR, open(P("f"), O_PATH) };
  ERR("add dir right on file", ll_add(rsd, 1, &pd, 0), EINVAL);
  pd.access = FS_READ_FILE;
  RET("add file right on file", ll_add(rsd, 1, &pd, 0), 0);
  close(pd.fd);
  na.port = 65536;
  ERR("add port 65536", ll_add(rsd, 2, &na, 0), EINVAL);
  na.port = 65535;
  RET("add port 65535", ll_add(rsd, 2, &na, 0), 0);
  na.access = 0;
  ERR("add port empty", ll_add(rsd, 2, &na, 0), ENOMSG);
  na.access = NET_CONNECT;
  ERR("add port not handled", ll_add(rsd, 2, &na, 0), EINVAL);
  close(rsd);
  close(pa.fd);

  ERR("restrict bad flags", ll_restrict(rs, 8), EINVAL);
  ERR("restrict bad fd", ll_restrict(-1, 0), EBADF);
  int tmp = open("/tmp", O_RDONLY);
  ERR("restrict not ruleset", ll_restrict(tmp, 0), EBADFD);
  close(tmp);
  RET("restrict -1 subdomains off", ll_restrict(-1, 4), 0);
  ERR("restrict -1 other flags", ll_restrict(-1, 5), EBADF);
  close(rs);
}

/* restrict_self without no_new_privs nor CAP_SYS_ADMIN; and 16 layers */
static void no_privs(void)
{
  struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct d[2] = { { 0 } };
  int rs = ruleset(FS_EXECUTE, 0, 0);
  RET("drop caps", syscall(SYS_capset, &h, d), 0);
  ERR("restrict without privs", ll_restrict(rs, 0), EPERM);
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  for (int i = 0; i < 16; i++)
    if (ll_restrict(rs, 0)) { printf("FAIL layer %d %s\n", i, en(errno)); t_failed++; }
  ERR("restrict 17th layer", ll_restrict(rs, 0), E2BIG);
}

/* ---- filesystem ---- */

static void fs_basic(void)
{
  int rs = ruleset(FS_ALL, 0, 0);
  rule(rs, P("a"), FS_ALL);
  rule(rs, P("b"), FS_READ_FILE | FS_READ_DIR);
  rule(rs, P("c"), FS_READ_FILE | FS_WRITE_FILE);
  rule(rs, P("m/sub"), FS_READ_FILE | FS_READ_DIR);   /* a mount's root (under umk and natively) */
  enforce(rs);

  OPEN("read a/f", P("a/f"), O_RDONLY, 0);
  OPEN("write a/f", P("a/f"), O_WRONLY, 0);
  OPEN("read a/d/g", P("a/d/g"), O_RDONLY, 0);
  OPEN("list a", P("a"), O_RDONLY | O_DIRECTORY, 0);
  OPEN("read b/f", P("b/f"), O_RDONLY, 0);
  OPEN("write b/f", P("b/f"), O_WRONLY, EACCES);
  OPEN("rdwr b/f", P("b/f"), O_RDWR, EACCES);
  OPEN("read outside", P("f"), O_RDONLY, EACCES);
  OPEN("list base", base, O_RDONLY | O_DIRECTORY, EACCES);
  OPEN("list /", "/", O_RDONLY | O_DIRECTORY, EACCES);
  OPEN("O_PATH outside", P("f"), O_PATH, 0);
  OPEN("list c", P("c"), O_RDONLY | O_DIRECTORY, EACCES);
  OPEN("create in a", P("a/new"), O_CREAT | O_WRONLY, 0);
  OPEN("create in b", P("b/new"), O_CREAT | O_WRONLY, EACCES);
  OPEN("create in c", P("c/new"), O_CREAT | O_WRONLY, EACCES);
  OPEN("O_TRUNC in a", P("a/f"), O_WRONLY | O_TRUNC, 0);
  OPEN("O_TRUNC in c", P("c/f"), O_WRONLY | O_TRUNC, EACCES);
  int fd = open(P("c/f"), O_WRONLY);
  OK("open c/f for write", fd >= 0);
  ERR("ftruncate c/f", ftruncate(fd, 0), EACCES);
  close(fd);
  fd = open(P("a/f"), O_WRONLY);
  RET("ftruncate a/f", ftruncate(fd, 1), 0);
  close(fd);
  RET("truncate a/f", truncate(P("a/f"), 0), 0);
  ERR("truncate c/f", truncate(P("c/f"), 0), EACCES);
  RET("mkdir in a", mkdir(P("a/nd"), 0755), 0);
  ERR("mkdir in b", mkdir(P("b/nd"), 0755), EACCES);
  RET("mkfifo in a", mknod(P("a/fifo"), S_IFIFO | 0644, 0), 0);
  ERR("mkfifo in b", mknod(P("b/fifo"), S_IFIFO | 0644, 0), EACCES);
  ERR("mknod reg in b", mknod(P("b/reg"), S_IFREG | 0644, 0), EACCES);
  ERR("mksock in b", mknod(P("b/sock"), S_IFSOCK | 0644, 0), EACCES);
  RET("symlink in a", symlink("f", P("a/sl")), 0);
  ERR("symlink in b", symlink("f", P("b/sl")), EACCES);
  OPEN("read through a/sl", P("a/sl"), O_RDONLY, 0);
  RET("unlink in a", unlink(P("a/sl")), 0);
  ERR("unlink in b", unlink(P("b/f")), EACCES);
  RET("rmdir in a", rmdir(P("a/nd")), 0);
  ERR("rmdir in b", rmdir(P("b/d")), EACCES);
  ERR("rmdir outside", rmdir(P("e")), EACCES);
  RET("rename in a", rename(P("a/new"), P("a/new2")), 0);
  ERR("rename b to a", rename(P("b/f"), P("a/fb")), EACCES);
  ERR("rename a to b", rename(P("a/new2"), P("b/n")), EACCES);
  RET("rename a/d to a/d2", rename(P("a/d"), P("a/d2")), 0);
  RET("rename a/d2 back", rename(P("a/d2"), P("a/d")), 0);
  RET("link in a", link(P("a/f"), P("a/f.l")), 0);
  ERR("link a into b", link(P("a/f"), P("b/f.l")), EACCES);
  OPEN("read m/sub/f", P("m/sub/f"), O_RDONLY, 0);
  OPEN("read m/f", P("m/f"), O_RDONLY, EACCES);
  ERR("mount", mount("none", P("a"), "tmpfs", 0, NULL), EPERM);
  if (mounted) ERR("umount", umount2(P("m/sub"), MNT_DETACH), EPERM);
  ERR("umount of no mount point", umount2(P("m"), MNT_DETACH), EINVAL);
  ERR("mount on a missing path", mount("none", P("nothere"), "tmpfs", 0, NULL), ENOENT);
  ERR("pivot_root", syscall(SYS_pivot_root, P("a"), P("a/d")), EPERM);
}

/* REFER: reparenting needs it, and must not give a file more rights */
static void fs_refer(void)
{
  int rs = ruleset(FS_ALL, 0, 0);
  rule(rs, P("r1"), FS_ALL);
  rule(rs, P("r2"), FS_ALL);
  rule(rs, P("r3"), FS_ALL & ~FS_REFER);
  rule(rs, P("r4"), FS_READ_FILE | FS_REFER | FS_MAKE_REG | FS_REMOVE_FILE);
  enforce(rs);
  RET("refer r1 to r2", rename(P("r1/f"), P("r2/f")), 0);
  RET("refer back", rename(P("r2/f"), P("r1/f")), 0);
  ERR("refer r1 to r3 (no REFER)", rename(P("r1/f"), P("r3/f")), EXDEV);
  ERR("link r1 to r3 (no REFER)", link(P("r1/f"), P("r3/fl")), EXDEV);
  RET("link r1 to r2", link(P("r1/f"), P("r2/fl")), 0);
  ERR("r4 to r1 would gain rights", rename(P("r4/f"), P("r1/f4")), EXDEV);
  ERR("r1 to missing dir", rename(P("r1/f"), P("r4/x/f")), ENOENT);
  RET("r2 to r4 loses rights", rename(P("r2/fl"), P("r4/g")), 0);
  ERR("r4 to r3", rename(P("r4/g"), P("r3/g")), EXDEV);
  ERR("exchange r1 r4", syscall(SYS_renameat2, AT_FDCWD, P("r1/f"), AT_FDCWD, P("r4/f"), 2), EXDEV);
  RET("exchange r1 r2", syscall(SYS_renameat2, AT_FDCWD, P("r1/f"), AT_FDCWD, P("r2/h"), 2), 0);
  ERR("refer dir r1/d to r4 (no MAKE_DIR)", rename(P("r1/d"), P("r4/d")), EACCES);
  RET("r1 to r4 over a file", rename(P("r1/f"), P("r4/g")), 0);
}

/* a domain without REFER (ABI 1): every reparenting is EXDEV */
static void fs_refer_v1(void)
{
  int rs = ruleset(FS_ALL_V1, 0, 0);
  rule(rs, P("v1"), FS_ALL_V1);
  rule(rs, P("v2"), FS_ALL_V1);
  enforce(rs);
  ERR("v1 rename to v2", rename(P("v1/f"), P("v2/g")), EXDEV);
  ERR("v1 link to v2", link(P("v1/f"), P("v2/g")), EXDEV);
  RET("v1 rename in v1", rename(P("v1/f"), P("v1/g")), 0);
  RET("v1 link in v1", link(P("v1/g"), P("v1/f")), 0);
}

static const char *self_exe;

/* runs argv[0] of path (or fd, path NULL) in a child: its exit status */
static int run_probe(const char *path, int fd)
{
  fflush(stdout);
  pid_t p = fork();
  if (p == 0) {
    char *argv[] = { "prog", "probe", base, NULL };
    if (path) execv(path, argv);
    else fexecve(fd, argv, environ);
    _exit(100 + errno);
  }
  int st;
  waitpid(p, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void fs_exec(void)
{
  /* a memfd copy of the program: no mount, so no check */
  int mfd = memfd_create("prog", 0), in = open(P("x/prog"), O_RDONLY);
  char buf[65536], mpath[64];
  ssize_t n;
  while ((n = read(in, buf, sizeof buf)) > 0)
    if (write(mfd, buf, n) != n) break;
  close(in);
  snprintf(mpath, sizeof mpath, "/proc/self/fd/%d", mfd);
  int rs = ruleset(FS_EXECUTE | FS_READ_FILE, 0, 0);
  rule(rs, P("x"), FS_EXECUTE | FS_READ_FILE);
  rule(rs, P("nx"), FS_READ_FILE);
  enforce(rs);
  fflush(stdout);
  pid_t p = fork();
  if (p == 0) {
    char *argv[] = { "prog", "probe", base, NULL };
    execv(P("x/prog"), argv);
    printf("FAIL exec x/prog %s\n", en(errno));
    _exit(1);
  }
  int st;
  waitpid(p, &st, 0);
  OK("exec x/prog ran", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  char *argv[] = { "prog", "probe", base, NULL };
  ERR("exec nx/prog", execv(P("nx/prog"), argv), EACCES);
  printf("exec memfd by /proc: %d\n", run_probe(mpath, -1));
  printf("fexecve memfd: %d\n", run_probe(NULL, mfd));
  OPEN("read nx/prog", P("nx/prog"), O_RDONLY, 0);
}

/* rules on a file; two layers: the second narrows the first */
static void fs_layers(void)
{
  int rs = ruleset(FS_READ_FILE | FS_WRITE_FILE | FS_READ_DIR | FS_TRUNCATE, 0, 0);
  rule(rs, P("a"), FS_READ_FILE | FS_WRITE_FILE | FS_READ_DIR);
  rule(rs, P("f"), FS_READ_FILE);
  int mfd = memfd_create("ll", 0), pp[2];
  char mpath[64], ppath[64];
  if (pipe(pp)) pp[0] = -1;
  snprintf(mpath, sizeof mpath, "/proc/self/fd/%d", mfd);
  snprintf(ppath, sizeof ppath, "/proc/self/fd/%d", pp[0]);
  enforce(rs);
  /* files of no mountable filesystem are not checked */
  OPEN("memfd by /proc", mpath, O_RDWR, 0);
  RET("truncate memfd by /proc", truncate(mpath, 10), 0);
  OPEN("pipe by /proc", ppath, O_RDONLY | O_NONBLOCK, 0);
  OPEN("file rule read", P("f"), O_RDONLY, 0);
  OPEN("file rule write", P("f"), O_WRONLY, EACCES);
  rs = ruleset(FS_WRITE_FILE, 0, 0);
  rule(rs, P("a/d"), FS_WRITE_FILE);
  enforce(rs);
  OPEN("layer2 write a/f", P("a/f"), O_WRONLY, EACCES);
  OPEN("layer2 write a/d/g", P("a/d/g"), O_WRONLY, 0);
  OPEN("layer2 read a/f", P("a/f"), O_RDONLY, 0);
  /* the domain stays across fork */
  fflush(stdout);
  pid_t p = fork();
  if (p == 0) _exit(try_open(P("a/f"), O_WRONLY) == -EACCES ? 0 : 1);
  int st;
  waitpid(p, &st, 0);
  OK("fork keeps domain", WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* IOCTL_DEV: a device opened without it takes only the ioctls the VFS serves */
static void fs_ioctl(void)
{
  int before = open("/dev/null", O_RDONLY), n;
  int reg = open(P("f"), O_RDONLY);
  int rs = ruleset(FS_READ_FILE | FS_IOCTL_DEV, 0, 0);
  rule(rs, "/dev", FS_READ_FILE);
  enforce(rs);
  /* a regular file is no device: FIONREAD goes on (the bytes left) */
  n = -1;
  RET("FIONREAD on a regular file", ioctl(reg, FIONREAD, &n), 0);
  printf("FIONREAD regular = %d\n", n);
  close(reg);
  int fd = open("/dev/null", O_RDONLY);
  OK("open /dev/null", fd >= 0);
  ERR("FIONREAD on /dev/null", ioctl(fd, FIONREAD, &n), EACCES);
  RET("FIOCLEX on /dev/null", ioctl(fd, FIOCLEX), 0);
  errno = 0;
  int r = ioctl(before, FIONREAD, &n);
  OK("a device opened before is not checked", !(r == -1 && errno == EACCES));
  close(fd);
}

/* a thread's domain is its own */
static void *thread_restrict(void *arg)
{
  (void)arg;
  int rs = ruleset(FS_READ_FILE, 0, 0);
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  ll_restrict(rs, 0);
  close(rs);
  return (void *)(long)try_open(P("f"), O_RDONLY);
}
static void thread_domain(void)
{
  pthread_t th;
  void *r;
  pthread_create(&th, NULL, thread_restrict, NULL);
  pthread_join(th, &r);
  OK("thread restricted", (long)r == -EACCES);
  OPEN("other thread free", P("f"), O_RDONLY, 0);
}

/* ---- network ---- */

static int tcp_port(int *listen_fd)
{
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  socklen_t l = sizeof sa;
  int s = socket(AF_INET, SOCK_STREAM, 0);
  if (bind(s, (void *)&sa, sizeof sa) || listen(s, 8) || getsockname(s, (void *)&sa, &l)) return -1;
  *listen_fd = s;
  return ntohs(sa.sin_port);
}

static int lport, lfd, bport;

static int do_net(int family, int bind_port, int connect_port)
{
  int s = socket(family, SOCK_STREAM, 0);
  int r;
  if (family == AF_INET6) {
    struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
    a.sin6_port = htons(bind_port >= 0 ? bind_port : connect_port);
    r = bind_port >= 0 ? bind(s, (void *)&a, sizeof a) : connect(s, (void *)&a, sizeof a);
  } else {
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    a.sin_port = htons(bind_port >= 0 ? bind_port : connect_port);
    r = bind_port >= 0 ? bind(s, (void *)&a, sizeof a) : connect(s, (void *)&a, sizeof a);
  }
  int e = errno;
  close(s);
  errno = e;
  return r;
}

static void net_ports(void)
{
  int rs = ruleset(0, NET_BIND | NET_CONNECT, 0);
  port_rule(rs, lport, NET_CONNECT);
  port_rule(rs, bport, NET_BIND);
  enforce(rs);
  RET("connect allowed port", do_net(AF_INET, -1, lport), 0);
  ERR("connect other port", do_net(AF_INET, -1, bport), EACCES);
  RET("bind allowed port", do_net(AF_INET, bport, -1), 0);
  ERR("bind other port", do_net(AF_INET, lport, -1), EACCES);
  ERR("bind port 0", do_net(AF_INET, 0, -1), EACCES);
  ERR("bind6 other port", do_net(AF_INET6, lport, -1), EACCES);
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr sa = { .sa_family = AF_UNSPEC };
  ERR("bind short addr", bind(s, &sa, 1), EINVAL);
  struct sockaddr_in un = { .sin_family = AF_UNSPEC, .sin_port = htons(lport), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  ERR("bind AF_UNSPEC loopback", bind(s, (void *)&un, sizeof un), EAFNOSUPPORT);
  close(s);
  s = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in ua = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  RET("udp bind unaffected", bind(s, (void *)&ua, sizeof ua), 0);
  close(s);
}

/* ---- scopes ---- */

static const char abs_name[] = "\0umk-landlock-test";
static const char dgram_name[] = "\0umk-landlock-dgram";
static int unix_connect(void)
{
  struct sockaddr_un a = { .sun_family = AF_UNIX };
  memcpy(a.sun_path, abs_name, sizeof abs_name - 1);
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  int r = connect(s, (void *)&a, offsetof(struct sockaddr_un, sun_path) + sizeof abs_name - 1);
  int e = errno;
  close(s);
  errno = e;
  return r;
}

static void scope_unix(void)
{
  RET("unscoped connect", unix_connect(), 0);
  enforce(ruleset(0, 0, SCOPE_UNIX));
  ERR("scoped connect out", unix_connect(), EPERM);
  {
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    memcpy(a.sun_path, dgram_name, sizeof dgram_name - 1);
    int d = socket(AF_UNIX, SOCK_DGRAM, 0);
    ERR("scoped sendto out", sendto(d, "x", 1, 0, (void *)&a, offsetof(struct sockaddr_un, sun_path) + sizeof dgram_name - 1), EPERM);
    close(d);
  }
  /* a path socket is not scoped */
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un a = { .sun_family = AF_UNIX };
  snprintf(a.sun_path, sizeof a.sun_path, "%s/a/sock", base);
  unlink(a.sun_path);
  RET("path bind", bind(s, (void *)&a, sizeof a), 0);
  listen(s, 4);
  int c = socket(AF_UNIX, SOCK_STREAM, 0);
  RET("path connect", connect(c, (void *)&a, sizeof a), 0);
  close(c);
  close(s);
}

static void scope_unix_inner(void)
{
  /* a server made inside the scoped domain is reachable from it */
  enforce(ruleset(0, 0, SCOPE_UNIX));
  struct sockaddr_un a = { .sun_family = AF_UNIX };
  static const char nm[] = "\0umk-landlock-inner";
  memcpy(a.sun_path, nm, sizeof nm - 1);
  socklen_t l = offsetof(struct sockaddr_un, sun_path) + sizeof nm - 1;
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  RET("inner bind", bind(s, (void *)&a, l), 0);
  listen(s, 4);
  fflush(stdout);
  pid_t p = fork();
  if (p == 0) {
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    _exit(connect(c, (void *)&a, l) == 0 ? 0 : 1);
  }
  int st;
  waitpid(p, &st, 0);
  OK("inner child connects", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  close(s);
}

static void scope_signal(void)
{
  pid_t parent = getppid();
  RET("unscoped kill parent", kill(parent, 0), 0);
  enforce(ruleset(0, 0, SCOPE_SIGNAL));
  ERR("scoped kill parent", kill(parent, 0), EPERM);
  RET("scoped kill self", kill(getpid(), 0), 0);
  fflush(stdout);
  pid_t p = fork();
  if (p == 0) { pause(); _exit(0); }
  RET("scoped kill own child", kill(p, SIGKILL), 0);
  waitpid(p, NULL, 0);
}

/* SIGIO from a file whose owner a scoped task set, to a process outside */
static volatile sig_atomic_t got_sigio;
static void on_sigio(int sig) { (void)sig; got_sigio++; }
static void scope_sigio(void)
{
  signal(SIGIO, on_sigio);
  for (int scoped = 0; scoped < 2; scoped++) {
    got_sigio = 0;
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
      int pp[2];
      if (scoped) enforce(ruleset(0, 0, SCOPE_SIGNAL));
      if (pipe(pp) || fcntl(pp[0], F_SETOWN, getppid()) || fcntl(pp[0], F_SETFL, O_ASYNC | O_NONBLOCK) ||
          write(pp[1], "x", 1) != 1)
        _exit(1);
      _exit(0);
    }
    int st;
    waitpid(p, &st, 0);
    for (int i = 0; i < 50 && !got_sigio && !scoped; i++) usleep(2000);
    usleep(20000);
    printf("sigio %s: %s\n", scoped ? "scoped" : "unscoped", got_sigio ? "delivered" : "not delivered");
    OK("sigio child", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  }
  signal(SIGIO, SIG_DFL);
}

/* ptrace: only into its own domain or a nested one */
static void ptrace_rule(void)
{
  fflush(stdout);
  pid_t outside = fork();
  if (outside == 0) { pause(); _exit(0); }
  enforce(ruleset(FS_READ_FILE, 0, 0));
  ERR("ptrace out of the domain", ptrace(PTRACE_ATTACH, outside, 0, 0), EPERM);
  pid_t inside = fork();
  if (inside == 0) { pause(); _exit(0); }
  RET("ptrace within the domain", ptrace(PTRACE_ATTACH, inside, 0, 0), 0);
  waitpid(inside, NULL, 0);
  kill(inside, SIGKILL);
  ptrace(PTRACE_DETACH, inside, 0, 0);
  waitpid(inside, NULL, 0);
  kill(outside, SIGKILL);
  waitpid(outside, NULL, 0);
}

int main(int argc, char **argv)
{
  if (argc == 3 && !strcmp(argv[1], "probe")) {
    /* run by fs_exec: the domain came through execve */
    snprintf(base, sizeof base, "%s", argv[2]);
    return try_open(P("f"), O_RDONLY) == -EACCES ? 0 : 1;
  }
  long abi = ll_create(NULL, 0, 1);
  if (abi < 7) {
    printf("SKIP landlock ABI %ld (%s): need 7\n", abi, abi < 0 ? en(errno) : "old");
    return 0;
  }
  printf("abi %ld errata %ld\n", abi, ll_create(NULL, 0, 2));
  self_exe = "/proc/self/exe";
  snprintf(base, sizeof base, "/tmp/llXXXXXX");
  if (!mkdtemp(base)) { printf("FAIL mkdtemp %s\n", en(errno)); return 1; }
  const char *dirs[] = { "a", "a/d", "b", "b/d", "c", "e", "m", "m/sub", "r1", "r1/d", "r2", "r3", "r4",
                         "x", "nx", "v1", "v2" };
  for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) mkdir(P(dirs[i]), 0755);
  const char *files[] = { "f", "a/f", "a/d/g", "b/f", "c/f", "m/f", "m/sub/f", "r1/f", "r2/h", "r4/f", "v1/f" };
  for (size_t i = 0; i < sizeof files / sizeof *files; i++) touch(P(files[i]));
  /* the test program itself, to execute */
  char buf[65536];
  int in = open(self_exe, O_RDONLY), ox = open(P("x/prog"), O_CREAT | O_WRONLY, 0755),
      onx = open(P("nx/prog"), O_CREAT | O_WRONLY, 0755);
  ssize_t n;
  while ((n = read(in, buf, sizeof buf)) > 0) {
    if (write(ox, buf, n) != n || write(onx, buf, n) != n) { printf("FAIL copy\n"); return 1; }
  }
  close(in); close(ox); close(onx);
  /* m/sub is a bind mount of b's directory d when we may mount (a mount
   * root in the walk); else a plain directory */
  mounted = unshare(CLONE_NEWNS) == 0 && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
                mount(P("b/d"), P("m/sub"), NULL, MS_BIND, NULL) == 0;
  if (mounted) touch(P("m/sub/f"));

  args();
  child(no_privs);
  child(fs_basic);
  child(fs_refer);
  child(fs_refer_v1);
  child(fs_exec);
  child(fs_layers);
  child(fs_ioctl);
  child(thread_domain);

  lport = tcp_port(&lfd);
  int tmp;
  bport = tcp_port(&tmp);
  close(tmp);
  OK("ports", lport > 0 && bport > 0);
  child(net_ports);
  close(lfd);

  int us = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un ua = { .sun_family = AF_UNIX };
  memcpy(ua.sun_path, abs_name, sizeof abs_name - 1);
  OK("abstract server", bind(us, (void *)&ua, offsetof(struct sockaddr_un, sun_path) + sizeof abs_name - 1) == 0 &&
     listen(us, 8) == 0);
  int ds = socket(AF_UNIX, SOCK_DGRAM, 0);
  struct sockaddr_un da = { .sun_family = AF_UNIX };
  memcpy(da.sun_path, dgram_name, sizeof dgram_name - 1);
  OK("abstract dgram", bind(ds, (void *)&da, offsetof(struct sockaddr_un, sun_path) + sizeof dgram_name - 1) == 0);
  child(scope_unix);
  close(ds);
  child(scope_unix_inner);
  close(us);
  child(scope_signal);
  child(ptrace_rule);
  scope_sigio();

  if (mounted) umount2(P("m/sub"), MNT_DETACH);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", base);
  if (system(cmd)) {}
  return t_done();
}
