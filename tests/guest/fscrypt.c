/* fscrypt.c - ext4 encryption (fscrypt) on a loop device: the policy and
 * key ioctls and their errors, encrypted contents, names and symlinks
 * with the key, and what a reader without it sees (no-key names, ENOKEY).
 * Run natively (root, a loop device, a mount namespace of its own) and
 * under umk by tests/run-ext2-tests.sh, which compares the outputs.
 *
 * Modes (IMG: an ext4 image made with -O encrypt; PLAIN: one without):
 *   fscrypt --errno IMG PLAIN  ioctls, errors, I/O with and without keys
 *   fscrypt --write IMG        encrypted directories (a v1 policy with a
 *                              logon key, a v2 one with an added key)
 *   fscrypt --read IMG         adds the keys and lists every file: names,
 *                              sizes, contents' sums, symlinks' targets
 *   fscrypt --nokey IMG        the same listing without the keys (no-key
 *                              names), and open's ENOKEY
 *   fscrypt --more IMG         names added to and removed from v1/many,
 *                              which the host's --write made an htree
 * --write on one kernel and --read/--nokey on the other is the
 * cross-check of the on-disk format.  */
#include "t.h"
#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/keyctl.h>
#include <linux/loop.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define MNT "/tmp/fscmnt"

struct policy_v1 { uint8_t version, contents, filenames, flags, desc[8]; };
struct policy_v2 { uint8_t version, contents, filenames, flags, reserved[4], id[16]; };
struct key_spec { uint32_t type, reserved; uint8_t u[32]; };
struct add_key_arg { struct key_spec spec; uint32_t raw_size, key_id, reserved[8]; uint8_t raw[64]; };
struct remove_key_arg { struct key_spec spec; uint32_t flags, reserved[5]; };
struct status_arg { struct key_spec spec; uint32_t reserved[6], status, flags, users, out[13]; };
struct v1_key { uint32_t mode; uint8_t raw[64]; uint32_t size; };

#define SET_POLICY   0x800c6613u
#define GET_PWSALT   0x40106614u
#define GET_POLICY   0x400c6615u
#define GET_POLICY_EX 0xc0096616u
#define ADD_KEY      0xc0506617u
#define REMOVE_KEY   0xc0406618u
#define REMOVE_ALL   0xc0406619u
#define KEY_STATUS   0xc080661au
#define GET_NONCE    0x8010661bu

static const uint8_t desc1[8] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };
static uint8_t key1[64], key2[64], id2[16];
static int loopfd = -1;

static void res(const char *what, long r) {
  if (r < 0)
    printf("%s: %s\n", what, en(errno));
  else
    printf("%s: %ld\n", what, r);
}

static int attach(const char *img) {
  char dev[32];
  int ctl = open("/dev/loop-control", O_RDWR);
  int nr = ioctl(ctl, LOOP_CTL_GET_FREE);
  close(ctl);
  if (nr < 0) return -1;
  snprintf(dev, sizeof dev, "/dev/loop%d", nr);
  int d = open(dev, O_RDWR), f = open(img, O_RDWR);
  if (d < 0 || f < 0 || ioctl(d, LOOP_SET_FD, f)) return -1;
  close(f);
  loopfd = d;
  mkdir(MNT, 0755);
  if (mount(dev, MNT, "ext4", 0, NULL)) {
    printf("mount: %s\n", en(errno));
    exit(1);
  }
  return 0;
}

static void detach(void) {
  if (umount(MNT)) printf("umount: %s\n", en(errno));
  ioctl(loopfd, LOOP_CLR_FD);
  close(loopfd);
}

static void keys_init(void) {
  for (int i = 0; i < 64; i++) key1[i] = (uint8_t)i, key2[i] = (uint8_t)(i * 7 + 3);
  /* a session keyring of our own */
  syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL);
}

static long add_v1_logon(const char *prefix) {
  struct v1_key k = { 0 };
  char d[64];
  k.mode = 1;
  memcpy(k.raw, key1, 64);
  k.size = 64;
  snprintf(d, sizeof d, "%s0123456789abcdef", prefix);
  return syscall(SYS_add_key, "logon", d, &k, sizeof k, KEY_SPEC_SESSION_KEYRING);
}

static long add_v2(int fd) {
  struct add_key_arg a;
  memset(&a, 0, sizeof a);
  a.spec.type = 2;
  a.raw_size = 64;
  memcpy(a.raw, key2, 64);
  long r = ioctl(fd, ADD_KEY, &a);
  if (!r) memcpy(id2, a.spec.u, 16);
  return r;
}

static int set_v1(const char *p, uint8_t flags) {
  struct policy_v1 pol = { 0, 1, 4, flags, { 0 } };
  memcpy(pol.desc, desc1, 8);
  int fd = open(p, O_RDONLY);
  int r = ioctl(fd, SET_POLICY, &pol);
  int e = errno;
  close(fd);
  errno = e;
  return r;
}

static int set_v2(const char *p, uint8_t flags) {
  struct policy_v2 pol = { 2, 1, 4, flags, { 0 }, { 0 } };
  memcpy(pol.id, id2, 16);
  int fd = open(p, O_RDONLY);
  int r = ioctl(fd, SET_POLICY, &pol);
  int e = errno;
  close(fd);
  errno = e;
  return r;
}

static void spew(const char *p, const char *s, size_t n) {
  int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || write(fd, s, n) != (ssize_t)n) printf("write %s: %s\n", p, en(errno));
  close(fd);
}

/* the same files in d (a v1 or v2 directory) */
static void populate(const char *d) {
  char p[512], q[512], big[20000], lname[201];
  for (size_t i = 0; i < sizeof big; i++) big[i] = (char)('a' + i % 26 + (i / 4096) % 3);
  snprintf(p, sizeof p, "%s/small.txt", d), spew(p, "hello fscrypt\n", 14);
  snprintf(p, sizeof p, "%s/empty", d), spew(p, "", 0);
  snprintf(p, sizeof p, "%s/block", d), spew(p, big, 4096);
  snprintf(p, sizeof p, "%s/big", d), spew(p, big, 10000);
  if (truncate(p, 9000)) printf("truncate: %s\n", en(errno));
  {
    int fd = open(p, O_WRONLY);
    if (pwrite(fd, "0123456789", 10, 20000) != 10) printf("pwrite: %s\n", en(errno));
    if (pwrite(fd, "XY", 2, 4095) != 2) printf("pwrite: %s\n", en(errno));
    close(fd);
  }
  snprintf(p, sizeof p, "%s/sub", d), mkdir(p, 0755);
  snprintf(p, sizeof p, "%s/sub/inner", d), spew(p, "inner file\n", 11);
  snprintf(p, sizeof p, "%s/ln_short", d);
  if (symlink("small.txt", p)) printf("symlink: %s\n", en(errno));
  snprintf(p, sizeof p, "%s/ln_long", d);
  memset(lname, 'T', 100), lname[100] = 0;
  if (symlink(lname, p)) printf("symlink long: %s\n", en(errno));
  memset(lname, 'L', 200), lname[200] = 0;
  snprintf(p, sizeof p, "%s/%s", d, lname), spew(p, "long name\n", 10);
  snprintf(p, sizeof p, "%s/small.txt", d), snprintf(q, sizeof q, "%s/small.hard", d);
  if (link(p, q)) printf("link: %s\n", en(errno));
  snprintf(p, sizeof p, "%s/before", d), spew(p, "renamed\n", 8);
  snprintf(q, sizeof q, "%s/after", d);
  if (rename(p, q)) printf("rename: %s\n", en(errno));
  snprintf(p, sizeof p, "%s/pipe", d);
  if (mkfifo(p, 0644)) printf("mkfifo: %s\n", en(errno));
  snprintf(p, sizeof p, "%s/gone", d), spew(p, "x", 1);
  if (unlink(p)) printf("unlink: %s\n", en(errno));
  for (int i = 0; i < 30; i++) {
    snprintf(p, sizeof p, "%s/sub/f%02d", d, i);
    spew(p, p, strlen(p));
  }
}

static int cmpstr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* every file under d, sorted: name, type, size, and a sum of its bytes or its target */
static void list(const char *d, bool names) {
  DIR *dir = opendir(d);
  char *ents[256];
  int n = 0;
  if (!dir) {
    printf("opendir %s: %s\n", d, en(errno));
    return;
  }
  for (struct dirent *de; (de = readdir(dir)) && n < 256;)
    if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) ents[n++] = strdup(de->d_name);
  closedir(dir);
  qsort(ents, n, sizeof *ents, cmpstr);
  printf("%s: %d entries\n", d + strlen(MNT), n);
  for (int i = 0; i < n; i++) {
    char p[1024];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", d, ents[i]);
    const char *shown = names ? ents[i] : "?";
    if (lstat(p, &st)) {
      printf("  %s: lstat %s\n", shown, en(errno));
      continue;
    }
    if (S_ISREG(st.st_mode)) {
      int fd = open(p, O_RDONLY);
      if (fd < 0) {
        printf("  %.60s file %lld open %s\n", shown, (long long)st.st_size, en(errno));
        continue;
      }
      static char buf[65536];
      unsigned long sum = 0;
      ssize_t k, tot = 0;
      while ((k = read(fd, buf, sizeof buf)) > 0) {
        for (ssize_t j = 0; j < k; j++) sum = sum * 31 + (unsigned char)buf[j];
        tot += k;
      }
      close(fd);
      printf("  %.60s file %lld read %zd sum %lx nlink %ld\n", shown, (long long)st.st_size, tot, sum,
             (long)st.st_nlink);
    } else if (S_ISLNK(st.st_mode)) {
      char t[4096];
      ssize_t k = readlink(p, t, sizeof t - 1);
      if (k >= 0) t[k] = 0;
      printf("  %.60s symlink %lld -> %.40s (%zd)\n", shown, (long long)st.st_size, names ? t : "?", k);
    } else if (S_ISDIR(st.st_mode)) {
      printf("  %.60s dir\n", shown);
      list(p, names);
    } else {
      printf("  %.60s other %o\n", shown, st.st_mode & S_IFMT);
    }
    free(ents[i]);
  }
}

static int write_main(const char *img) {
  keys_init();
  attach(img);
  mkdir(MNT "/v1", 0755), mkdir(MNT "/v2", 0755), mkdir(MNT "/plain", 0755);
  int root = open(MNT, O_RDONLY);
  res("add v1 logon key", add_v1_logon("fscrypt:") > 0 ? 0 : -1);
  res("add v2 key", add_v2(root));
  res("set v1 policy", set_v1(MNT "/v1", 0));
  res("set v2 policy (pad 32)", set_v2(MNT "/v2", 3));
  populate(MNT "/v1");
  populate(MNT "/v2");
  /* a directory of several blocks (Linux's ext4 indexes it: htree) */
  mkdir(MNT "/v1/many", 0755);
  for (int i = 0; i < 150; i++) {
    char p[128];
    snprintf(p, sizeof p, MNT "/v1/many/m-%03d-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", i);
    spew(p, p + 12, 5);
  }
  spew(MNT "/plain/f", "plain\n", 6);
  list(MNT, true);
  close(root);
  detach();
  return 0;
}

/* --more IMG: with the keys, 60 names added to and 20 removed from
 * v1/many (the host made it an htree directory) */
static int more_main(const char *img) {
  keys_init();
  attach(img);
  int root = open(MNT, O_RDONLY);
  res("add v1 logon key", add_v1_logon("fscrypt:") > 0 ? 0 : -1);
  for (int i = 0; i < 60; i++) {
    char p[128];
    snprintf(p, sizeof p, MNT "/v1/many/new-%02d", i);
    spew(p, p, strlen(p));
  }
  for (int i = 0; i < 20; i++) {
    char p[128];
    snprintf(p, sizeof p, MNT "/v1/many/m-%03d-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", i * 3);
    if (unlink(p)) printf("unlink %d: %s\n", i, en(errno));
  }
  res("rename in many", rename(MNT "/v1/many/new-00", MNT "/v1/many/renamed-00"));
  list(MNT "/v1/many", true);
  close(root);
  detach();
  return 0;
}

static int read_main(const char *img, bool keys) {
  keys_init();
  attach(img);
  int root = open(MNT, O_RDONLY);
  if (keys) {
    res("add v1 logon key", add_v1_logon("ext4:") > 0 ? 0 : -1);
    res("add v2 key", add_v2(root));
  }
  list(MNT, true);
  if (!keys) {
    res("open v1/small.txt", open(MNT "/v1/small.txt", O_RDONLY));
    res("creat in v1", open(MNT "/v1/new", O_WRONLY | O_CREAT, 0644));
    res("mkdir in v2", mkdir(MNT "/v2/newdir", 0755));
    res("symlink in v2", symlink("x", MNT "/v2/newlink"));
  }
  close(root);
  detach();
  return 0;
}

static void policy_errs(const char *plain) {
  struct policy_v1 pol = { 0, 1, 4, 0, { 0 } };
  uint8_t salt[16], salt2[16];
  int fd;

  memcpy(pol.desc, desc1, 8);
  int root = open(MNT, O_RDONLY);
  res("pwsalt", ioctl(root, GET_PWSALT, salt));
  res("pwsalt again", ioctl(root, GET_PWSALT, salt2));
  printf("salt stable: %d, nonzero: %d\n", !memcmp(salt, salt2, 16), salt[0] | salt[5] | salt[15] ? 1 : 0);
  res("pwsalt bad pointer", ioctl(root, GET_PWSALT, (void *)8));
  mkdir(MNT "/d1", 0755);
  res("set v1 on empty dir", set_v1(MNT "/d1", 0));
  res("set same again", set_v1(MNT "/d1", 0));
  res("set other flags", set_v1(MNT "/d1", 1));
  fd = open(MNT "/d1", O_RDONLY);
  struct policy_v1 got;
  res("get policy", ioctl(fd, GET_POLICY, &got));
  printf("got v1: %d %d %d %d same desc %d\n", got.version, got.contents, got.filenames, got.flags,
         !memcmp(got.desc, desc1, 8));
  struct { uint64_t size; uint8_t p[24]; } ex = { 24, { 0 } };
  res("get policy ex", ioctl(fd, GET_POLICY_EX, &ex));
  printf("ex size %llu version %d\n", (unsigned long long)ex.size, ex.p[0]);
  ex.size = 4;
  res("get policy ex, small", ioctl(fd, GET_POLICY_EX, &ex));
  uint8_t nonce[16];
  res("get nonce", ioctl(fd, GET_NONCE, nonce));
  unsigned flags = 0;
  res("getflags", ioctl(fd, FS_IOC_GETFLAGS, &flags));
  printf("encrypt flag: %d\n", !!(flags & 0x800));
  struct statx sx;
  res("statx", statx(AT_FDCWD, MNT "/d1", 0, 0, &sx));
  printf("STATX_ATTR_ENCRYPTED %d mask %d\n", !!(sx.stx_attributes & 0x800), !!(sx.stx_attributes_mask & 0x800));
  close(fd);
  res("get policy, unencrypted", ioctl(root, GET_POLICY, &got));
  res("get nonce, unencrypted", ioctl(root, GET_NONCE, nonce));
  res("set on root", ioctl(root, SET_POLICY, &pol));
  mkdir(MNT "/d2", 0755);
  spew(MNT "/d2/x", "x", 1);
  res("set on non-empty dir", set_v1(MNT "/d2", 0));
  res("set on regular file", set_v1(MNT "/d2/x", 0));
  mkdir(MNT "/d3", 0755);
  fd = open(MNT "/d3", O_RDONLY);
  struct policy_v1 bad = pol;
  bad.version = 5;
  res("bad version", ioctl(fd, SET_POLICY, &bad));
  bad = pol, bad.contents = 4;
  res("bad modes", ioctl(fd, SET_POLICY, &bad));
  bad = pol, bad.flags = 0x80;
  res("bad flags", ioctl(fd, SET_POLICY, &bad));
  res("null policy", ioctl(fd, SET_POLICY, NULL));
  struct policy_v2 p2 = { 2, 1, 4, 0, { 1, 0, 0, 0 }, { 0 } };
  res("v2 reserved nonzero", ioctl(fd, SET_POLICY, &p2));
  /* v2 without its key: root may (CAP_FOWNER) */
  p2.reserved[0] = 0;
  memset(p2.id, 0x5a, 16);
  res("v2 policy, key absent (root)", ioctl(fd, SET_POLICY, &p2));
  res("get v1 of a v2 dir", ioctl(fd, GET_POLICY, &got));
  ex.size = 12;
  res("get ex v2, 12 bytes", ioctl(fd, GET_POLICY_EX, &ex));
  ex.size = 24;
  res("get ex v2", ioctl(fd, GET_POLICY_EX, &ex));
  printf("ex size %llu version %d\n", (unsigned long long)ex.size, ex.p[0]);
  close(fd);

  /* keys */
  struct add_key_arg a;
  memset(&a, 0, sizeof a);
  a.spec.type = 2, a.raw_size = 8;
  res("add key, 8 bytes", ioctl(root, ADD_KEY, &a));
  a.raw_size = 64, a.reserved[2] = 1;
  res("add key, reserved", ioctl(root, ADD_KEY, &a));
  a.reserved[2] = 0, a.spec.type = 3;
  res("add key, bad spec", ioctl(root, ADD_KEY, &a));
  a.spec.type = 2, a.key_id = 5;
  res("add key, key_id and raw", ioctl(root, ADD_KEY, &a));
  res("add key, bad pointer", ioctl(root, ADD_KEY, (void *)16));
  res("add v2 key", add_v2(root));
  printf("identifier:");
  for (int i = 0; i < 16; i++) printf(" %02x", id2[i]);
  printf("\n");
  res("add v2 key again", add_v2(root));
  struct status_arg st;
  memset(&st, 0, sizeof st);
  st.spec.type = 2;
  memcpy(st.spec.u, id2, 16);
  res("key status", ioctl(root, KEY_STATUS, &st));
  printf("status %u flags %u users %u\n", st.status, st.flags, st.users);
  mkdir(MNT "/e2", 0755);
  res("set v2", set_v2(MNT "/e2", 0));
  spew(MNT "/e2/hello", "hello v2\n", 9);
  list(MNT "/e2", true);
  struct remove_key_arg rk;
  memset(&rk, 0, sizeof rk);
  rk.spec.type = 2;
  memcpy(rk.spec.u, id2, 16);
  int held = open(MNT "/e2/hello", O_RDONLY);
  res("remove v2 key, a file open", ioctl(root, REMOVE_KEY, &rk));
  printf("removal flags %u\n", rk.flags);
  res("key status", ioctl(root, KEY_STATUS, &st));
  printf("status %u flags %u users %u\n", st.status, st.flags, st.users);
  close(held);
  res("add v2 key back", add_v2(root));
  res("remove v2 key", ioctl(root, REMOVE_KEY, &rk));
  printf("removal flags %u\n", rk.flags);
  res("remove v2 key again", ioctl(root, REMOVE_KEY, &rk));
  res("key status", ioctl(root, KEY_STATUS, &st));
  printf("status %u flags %u users %u\n", st.status, st.flags, st.users);
  /* without the key: no-key names, ENOKEY */
  list(MNT "/e2", false);
  res("creat in e2", open(MNT "/e2/new", O_CREAT | O_WRONLY, 0644));
  res("mkdir in e2", mkdir(MNT "/e2/newd", 0755));
  res("lookup of a plain name", access(MNT "/e2/hello", F_OK));
  res("lookup of a bad no-key name", access(MNT "/e2/!!!", F_OK));
  {
    /* a no-key name: stat, rename (ENOKEY), unlink without the key */
    DIR *dd = opendir(MNT "/e2");
    char nk[512] = "";
    for (struct dirent *de; dd && (de = readdir(dd));)
      if (de->d_name[0] != '.') snprintf(nk, sizeof nk, MNT "/e2/%s", de->d_name);
    if (dd) closedir(dd);
    struct stat sb;
    res("stat a no-key name", stat(nk, &sb));
    res("rename a no-key name", rename(nk, MNT "/e2/other"));
    res("truncate a no-key name", truncate(nk, 0));
    res("unlink a no-key name", unlink(nk));
    res("rmdir e2", rmdir(MNT "/e2"));
  }
  /* descriptor keys: root's */
  memset(&a, 0, sizeof a);
  a.spec.type = 1, a.raw_size = 64;
  memcpy(a.spec.u, desc1, 8), memcpy(a.raw, key1, 64);
  res("add v1 key by ioctl", ioctl(root, ADD_KEY, &a));
  memset(&st, 0, sizeof st);
  st.spec.type = 1, memcpy(st.spec.u, desc1, 8);
  res("v1 key status", ioctl(root, KEY_STATUS, &st));
  printf("status %u flags %u users %u\n", st.status, st.flags, st.users);
  spew(MNT "/d1/file", "v1 data\n", 8);
  list(MNT "/d1", true);
  {
    /* mmap, fallocate, rename and link on encrypted files */
    int f = open(MNT "/d1/file", O_RDWR);
    res("ftruncate to 3 blocks", ftruncate(f, 12288));
    char *m = mmap(NULL, 12288, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
    if (m != MAP_FAILED) {
      memcpy(m + 4090, "mapped write", 12);
      res("msync", msync(m, 12288, MS_SYNC));
      munmap(m, 12288);
    }
    res("collapse range", fallocate(f, FALLOC_FL_COLLAPSE_RANGE, 0, 4096));
    res("insert range", fallocate(f, FALLOC_FL_INSERT_RANGE, 0, 4096));
    res("zero range", fallocate(f, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, 2, 3));
    res("punch hole", fallocate(f, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 8190, 4100));
    close(f);
    res("rename in d1", rename(MNT "/d1/file", MNT "/d1/renamed"));
    res("link in d1", link(MNT "/d1/renamed", MNT "/d1/linked"));
    res("rename to a plain dir", rename(MNT "/d1/linked", MNT "/d3/u"));
    res("link into e2 (other policy)", link(MNT "/d1/renamed", MNT "/e2/x"));
    spew(MNT "/plainfile", "p", 1);
    res("rename a plain file into d1", rename(MNT "/plainfile", MNT "/d1/p"));
    res("exchange d1 and plain", renameat2(AT_FDCWD, MNT "/d1/renamed", AT_FDCWD, MNT "/plainfile", RENAME_EXCHANGE));
    list(MNT "/d1", true);
  }
  memset(&rk, 0, sizeof rk);
  rk.spec.type = 1, memcpy(rk.spec.u, desc1, 8);
  res("remove v1 key", ioctl(root, REMOVE_KEY, &rk));
  /* as another user */
  pid_t pid = fork();
  if (pid == 0) {
    if (setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000)) _exit(9);
    int r = open(MNT, O_RDONLY);
    mkdir(MNT "/d3/u", 0755);
    res("user: set policy on root's dir", set_v1(MNT "/d2", 0));
    res("user: add descriptor key", ioctl(r, ADD_KEY, &a));
    res("user: remove all users", ioctl(r, REMOVE_ALL, &rk));
    res("user: pwsalt", ioctl(r, GET_PWSALT, salt));
    fflush(stdout);
    _exit(0);
  }
  int ws;
  waitpid(pid, &ws, 0);
  close(root);
  detach();

  /* a filesystem without the feature */
  attach(plain);
  root = open(MNT, O_RDONLY);
  mkdir(MNT "/d", 0755);
  res("no feature: set policy", set_v1(MNT "/d", 0));
  res("no feature: pwsalt", ioctl(root, GET_PWSALT, salt));
  res("no feature: add key", add_v2(root));
  res("no feature: get policy", ioctl(root, GET_POLICY, &got));
  close(root);
  detach();
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc == 4 && !strcmp(argv[1], "--errno")) {
    keys_init();
    attach(argv[2]);
    policy_errs(argv[3]);
    return 0;
  }
  if (argc == 3 && !strcmp(argv[1], "--write")) return write_main(argv[2]);
  if (argc == 3 && !strcmp(argv[1], "--read")) return read_main(argv[2], true);
  if (argc == 3 && !strcmp(argv[1], "--more")) return more_main(argv[2]);
  if (argc == 3 && !strcmp(argv[1], "--nokey")) return read_main(argv[2], false);
  if (argc == 1) {   /* run-guest-tests.sh's run: no image here */
    printf("SKIP run by tests/run-ext2-tests.sh with images\n");
    return 0;
  }
  fprintf(stderr, "usage: fscrypt --errno IMG PLAIN | --write|--read|--nokey|--more IMG\n");
  return 2;
}
