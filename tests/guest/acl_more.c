/* acl_more.c - POSIX ACL corners, in the current directory and on
 * /dev/shm (tmpfs):
 *  - bind(2) of an AF_UNIX socket in a directory with a default ACL:
 *    the socket inode gets the ACL (posix_acl_create) as mknod's do,
 *    the umask applied as unix_bind does;
 *  - f{get,set,list,remove}xattr on an O_TMPFILE fd, an unlinked open
 *    file and a removed directory work on the inode (user.* names and
 *    the access ACL);
 *  - access checks by an ACL of 40 named users and 40 named groups:
 *    entries past the 32nd count as the first ones do.
 * Run natively and under umk; the output must match. */
#include "t.h"
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#define A "system.posix_acl_access"
#define D "system.posix_acl_default"
enum { UO = 1, U = 2, GO = 4, G = 8, M = 0x10, O = 0x20 };
struct ent { uint16_t tag, perm; uint32_t id; };

static unsigned char vbuf[4 + 128 * 8];

static size_t mk(const struct ent *e, int n) {
  uint32_t v = 2;
  memcpy(vbuf, &v, 4);
  memcpy(vbuf + 4, e, (size_t)n * 8);
  return 4 + (size_t)n * 8;
}

#define ACL(...) (struct ent[]){__VA_ARGS__}, (int)(sizeof((struct ent[]){__VA_ARGS__}) / 8)

static const char *r2s(long r) {
  static char b[32];
  if (r >= 0) {
    snprintf(b, sizeof b, "%ld", r);
    return b;
  }
  return en(errno);
}

static void show_acl(const char *what, const char *p, int fd) {
  unsigned char b[1200];
  ssize_t n = fd >= 0 ? fgetxattr(fd, A, b, sizeof b) : getxattr(p, A, b, sizeof b);
  printf("%s acl:", what);
  if (n < 0) {
    printf(" %s\n", en(errno));
    return;
  }
  for (ssize_t i = 4; i + 8 <= n; i += 8) {
    struct ent e;
    memcpy(&e, b + i, 8);
    if (e.tag == U || e.tag == G)
      printf(" %x:%u:%o", e.tag, e.id, e.perm);
    else
      printf(" %x:%o", e.tag, e.perm);
  }
  printf("\n");
}

static void show_mode(const char *what, const char *p) {
  struct stat st;
  if (lstat(p, &st))
    printf("%s: stat %s\n", what, en(errno));
  else
    printf("%s: mode %06o\n", what, st.st_mode);
}

static void bind_at(const char *what, const char *p) {
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  snprintf(a.sun_path, sizeof a.sun_path, "%s", p);
  unlink(p);
  printf("%s bind: %s\n", what, r2s(bind(s, (void *)&a, sizeof a)));
  show_mode(what, p);
  show_acl(what, p, -1);
  close(s);
  unlink(p);
}

/* (a) bind in a directory with a default ACL */
static void bind_acl(const char *dir) {
  char d[300], p[400];
  snprintf(d, sizeof d, "%s/dacl", dir);
  mkdir(d, 0755);
  printf("default acl: %s\n",
         r2s(setxattr(d, D, vbuf, mk(ACL({UO, 7, -1}, {U, 5, 1234}, {GO, 5, -1}, {M, 7, -1}, {O, 5, -1})), 0)));
  snprintf(p, sizeof p, "%s/sock", d);
  umask(022);
  bind_at("bind umask 022", p);
  umask(077);
  bind_at("bind umask 077", p);
  umask(0);
  bind_at("bind umask 0", p);
  umask(022);
  /* mknod for comparison */
  printf("mknod fifo: %s\n", r2s(mknod(p, S_IFIFO | 0666, 0)));
  show_mode("mknod fifo", p);
  show_acl("mknod fifo", p, -1);
  unlink(p);
  /* without a default ACL: the umask */
  snprintf(p, sizeof p, "%s/sock", dir);
  bind_at("bind no default", p);
  rmdir(d);
}

static void fxattrs(const char *what, int fd) {
  char b[1024];
  ssize_t n;
  printf("%s fsetxattr: %s\n", what, r2s(fsetxattr(fd, "user.k", "val", 3, 0)));
  memset(b, 0, sizeof b);
  n = fgetxattr(fd, "user.k", b, sizeof b);
  printf("%s fgetxattr: %s %.*s\n", what, r2s(n), n > 0 ? (int)n : 0, b);
  n = flistxattr(fd, b, sizeof b);
  printf("%s flistxattr: %s", what, r2s(n));
  for (ssize_t i = 0; i < n; i += (ssize_t)strlen(b + i) + 1)
    if (!strncmp(b + i, "user.", 5) || !strncmp(b + i, "system.posix_acl", 16))
      printf(" %s", b + i);
  printf("\n");
  printf("%s fremovexattr: %s\n", what, r2s(fremovexattr(fd, "user.k")));
  printf("%s fgetxattr removed: %s\n", what, r2s(fgetxattr(fd, "user.k", b, sizeof b)));
  printf("%s fset acl: %s\n", what,
         r2s(fsetxattr(fd, A, vbuf, mk(ACL({UO, 6, -1}, {U, 4, 1234}, {GO, 4, -1}, {M, 4, -1}, {O, 0, -1})), 0)));
  show_acl(what, NULL, fd);
  struct stat st;
  if (fstat(fd, &st) == 0)
    printf("%s fstat mode %06o nlink %ld\n", what, st.st_mode, (long)st.st_nlink);
  printf("%s fremove acl: %s\n", what, r2s(fremovexattr(fd, A)));
  show_acl(what, NULL, fd);
}

/* (b) xattrs through fds of unlinked files */
static void unlinked(const char *dir) {
  char p[400];
  int fd = open(dir, O_TMPFILE | O_RDWR, 0640);
  if (fd < 0)
    printf("O_TMPFILE: %s\n", en(errno));
  else {
    fxattrs("tmpfile", fd);
    close(fd);
  }
  snprintf(p, sizeof p, "%s/gone", dir);
  fd = open(p, O_CREAT | O_RDWR, 0640);
  unlink(p);
  fxattrs("unlinked", fd);
  close(fd);
  /* a removed directory */
  snprintf(p, sizeof p, "%s/gonedir", dir);
  mkdir(p, 0750);
  fd = open(p, O_RDONLY | O_DIRECTORY);
  rmdir(p);
  fxattrs("removed dir", fd);
  close(fd);
  /* a file that is still linked, for comparison */
  fd = open(p, O_CREAT | O_RDWR, 0640);
  fxattrs("linked", fd);
  close(fd);
  unlink(p);
}

/* a child with the given ids opens dir/p (relative: the runner's temp
 * dir above may be 0700) */
static void try_as(const char *what, const char *dir, const char *p, uid_t uid, gid_t gid, gid_t sup) {
  pid_t pid = fork();
  int st;
  if (pid == 0) {
    if (chdir(dir) || setgroups(1, &sup) || setresgid(gid, gid, gid) || setresuid(uid, uid, uid)) {
      printf("%s: ids %s\n", what, en(errno));
      _exit(1);
    }
    int fd = open(p, O_RDONLY);
    printf("%s: open r %s", what, fd < 0 ? en(errno) : "ok");
    if (fd >= 0)
      close(fd);
    fd = open(p, O_WRONLY);
    printf(", w %s", fd < 0 ? en(errno) : "ok");
    if (fd >= 0)
      close(fd);
    printf(", access x %s\n", access(p, X_OK) ? en(errno) : "ok");
    _exit(0);
  }
  waitpid(pid, &st, 0);
  if (!WIFEXITED(st) || WEXITSTATUS(st))
    printf("%s: child status %x\n", what, st);
}

/* (c) an ACL with 40 named users and 40 named groups */
static void long_acl(const char *dir) {
  struct ent e[84];
  char p[400], d[300];
  int n = 0;
  snprintf(d, sizeof d, "%s/ldir", dir);
  mkdir(d, 0755);
  chmod(d, 0755);
  snprintf(p, sizeof p, "%s/long", d);
  close(open(p, O_CREAT | O_WRONLY, 0600));
  e[n++] = (struct ent){UO, 6, -1};
  for (int i = 0; i < 40; i++)   /* user 2000+i: perm i & 7 */
    e[n++] = (struct ent){U, (uint16_t)(i & 7), 2000 + (uint32_t)i};
  e[n++] = (struct ent){GO, 0, -1};
  for (int i = 0; i < 40; i++)   /* group 3000+i: perm i & 7 */
    e[n++] = (struct ent){G, (uint16_t)(i & 7), 3000 + (uint32_t)i};
  e[n++] = (struct ent){M, 7, -1};
  e[n++] = (struct ent){O, 0, -1};
  printf("long acl: %s\n", r2s(setxattr(p, A, vbuf, mk(e, n), 0)));
  printf("long size: %s\n", r2s(getxattr(p, A, NULL, 0)));
  show_mode("long", p);
  char w[64];
  static const int users[] = {1, 6, 31, 33, 38, 39};
  for (size_t k = 0; k < sizeof users / sizeof users[0]; k++) {
    snprintf(w, sizeof w, "user %d", 2000 + users[k]);
    try_as(w, d, "long", 2000 + users[k], 100, 100);
  }
  static const int groups[] = {4, 12, 35, 36, 38, 39};
  for (size_t k = 0; k < sizeof groups / sizeof groups[0]; k++) {
    snprintf(w, sizeof w, "group %d", 3000 + groups[k]);
    try_as(w, d, "long", 4000, 3000 + groups[k], 3000 + groups[k]);
    snprintf(w, sizeof w, "supplementary group %d", 3000 + groups[k]);
    try_as(w, d, "long", 4000, 100, 3000 + groups[k]);
  }
  try_as("user 4000 (other)", d, "long", 4000, 100, 100);
  /* the mask narrows the entries past the 32nd too */
  e[n - 2].perm = 4;
  printf("long acl mask r: %s\n", r2s(setxattr(p, A, vbuf, mk(e, n), 0)));
  try_as("user 2039 mask r", d, "long", 2039, 100, 100);
  try_as("group 3038 mask r", d, "long", 4000, 3038, 3038);
  unlink(p);
  rmdir(d);
}

static void all(const char *dir) {
  bind_acl(dir);
  unlinked(dir);
  long_acl(dir);
}

int main(void) {
  char dir[300], cwd[200];
  snprintf(dir, sizeof dir, "%.200s/aclm.d", getcwd(cwd, sizeof cwd) ? cwd : ".");
  mkdir(dir, 0755);
  chmod(dir, 0755);
  printf("== cwd\n");
  all(dir);
  rmdir(dir);
  snprintf(dir, sizeof dir, "/dev/shm/umk-aclm-%d", (int)getpid());
  mkdir(dir, 0755);
  chmod(dir, 0755);
  printf("== tmpfs\n");
  all(dir);
  rmdir(dir);
  return 0;
}
