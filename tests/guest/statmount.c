/* statmount.c - statmount(2), listmount(2), statx's mount ids and
 * NS_GET_MNTNS_ID, in a private mount namespace (as mounts.c: a native
 * run changes nothing outside it): the fields of a tmpfs mount and of
 * bind mounts with each propagation type, the string area, listing
 * forwards, backwards, in pages, below one mount and in another
 * namespace; and the errors for bad requests, sizes, flags, fds and
 * pointers, and EPERM outside a chroot once privileges are dropped. */
#include "t.h"
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <sys/wait.h>

struct mnt_id_req { uint32_t size, mnt_ns_fd; uint64_t mnt_id, param, mnt_ns_id; };
struct sm {
  uint32_t size, mnt_opts; uint64_t mask; uint32_t sb_dev_major, sb_dev_minor; uint64_t sb_magic;
  uint32_t sb_flags, fs_type; uint64_t mnt_id, mnt_parent_id; uint32_t mnt_id_old, mnt_parent_id_old;
  uint64_t mnt_attr, mnt_propagation, mnt_peer_group, mnt_master, propagate_from;
  uint32_t mnt_root, mnt_point; uint64_t mnt_ns_id; uint32_t fs_subtype, sb_source, opt_num, opt_array,
  opt_sec_num, opt_sec_array; uint64_t supported_mask; uint32_t mnt_uidmap_num, mnt_uidmap,
  mnt_gidmap_num, mnt_gidmap; uint64_t spare[43]; char str[];
};
#define LSMT_ROOT UINT64_MAX
#define NS_GET_MNTNS_ID _IOR(0xb7, 5, uint64_t)
#define SM_ALL 0x7fffULL

static long statmount_(uint64_t id, uint64_t mask, void *buf, size_t n, unsigned fl) {
  struct mnt_id_req r = { 24, 0, id, mask, 0 };
  return syscall(457, &r, buf, n, fl);
}
static long listmount_(uint64_t id, uint64_t last, uint64_t *ids, size_t n, unsigned fl) {
  struct mnt_id_req r = { 24, 0, id, last, 0 };
  return syscall(458, &r, ids, n, fl);
}
static uint64_t uid_of(const char *p) {
  struct statx sx;
  if (statx(AT_FDCWD, p, 0, 0x4000, &sx) || !(sx.stx_mask & 0x4000)) return 0;
  return sx.stx_mnt_id;
}
static uint64_t old_of(const char *p) {
  struct statx sx;
  if (statx(AT_FDCWD, p, 0, 0x1000, &sx) || !(sx.stx_mask & 0x1000)) return 0;
  return sx.stx_mnt_id;
}
/* mountinfo's id and shared:/master: of mount point mp (the topmost) */
static int mi(const char *mp, int *id, int *shared, int *master) {
  static char buf[65536];
  int fd = open("/proc/self/mountinfo", O_RDONLY), n = 0, r, found = -1;
  if (fd < 0) return -1;
  while ((r = read(fd, buf + n, sizeof buf - 1 - n)) > 0) n += r;
  close(fd);
  buf[n] = 0;
  for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n")) {
    char point[256];
    int i;
    if (sscanf(l, "%d %*d %*s %*s %255s", &i, point) != 2 || strcmp(point, mp)) continue;
    *id = i;
    char *s = strstr(l, "shared:"), *m = strstr(l, "master:"), *d = strstr(l, " - ");
    *shared = s && s < d ? atoi(s + 7) : 0;
    *master = m && m < d ? atoi(m + 7) : 0;
    found = 0;
  }
  return found;
}

static char big[8192];
static struct sm *S = (struct sm *)big;

static void fields(void) {
  struct statx sx;
  struct statfs sf;
  int id, sh, ms;
  OK("mount tmpfs on /tmp nosuid,nodev", mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, NULL) == 0);
  uint64_t tid = uid_of("/tmp"), rid = uid_of("/");
  OK("statx STATX_MNT_ID_UNIQUE: past 2^31", tid > (1ULL << 31) && rid > (1ULL << 31) && tid != rid);
  OK("statx STATX_MNT_ID: mountinfo's id", mi("/tmp", &id, &sh, &ms) == 0 && old_of("/tmp") == (uint64_t)id);
  memset(big, 0xff, sizeof big);
  long r = statmount_(tid, SM_ALL, big, sizeof big, 0);
  OK("statmount everything", r == 0);
  OK("mask: SB/MNT basic, propagate_from, root, point, type, ns id, source, supported",
     (S->mask & 0x127f) == 0x127f);
  OK("no subtype, no security options, no idmaps", !(S->mask & (0x100 | 0x800 | 0x2000 | 0x4000)));
  OK("supported_mask", S->supported_mask == 0x7fff);
  OK("size: 512 plus the strings", S->size > 512 && S->size < sizeof big);
  OK("the string area starts with an empty string", S->str[0] == 0);
  statx(AT_FDCWD, "/tmp", 0, 0x7ff, &sx);
  statfs("/tmp", &sf);
  OK("sb_dev is statx's", S->sb_dev_major == sx.stx_dev_major && S->sb_dev_minor == sx.stx_dev_minor);
  OK("sb_magic is statfs's f_type", S->sb_magic == (uint64_t)sf.f_type && S->sb_magic == 0x01021994);
  OK("sb_flags 0", S->sb_flags == 0);
  OK("mnt_id and parent", S->mnt_id == tid && S->mnt_parent_id == rid);
  OK("old ids", S->mnt_id_old == (uint32_t)id && S->mnt_parent_id_old == old_of("/"));
  OK("mnt_attr nosuid|nodev", S->mnt_attr == 6);
  OK("private", S->mnt_propagation == MS_PRIVATE && !S->mnt_peer_group && !S->mnt_master && !S->propagate_from);
  OK("fs_type tmpfs", !strcmp(S->str + S->fs_type, "tmpfs"));
  OK("mnt_root /", !strcmp(S->str + S->mnt_root, "/"));
  OK("mnt_point /tmp", !strcmp(S->str + S->mnt_point, "/tmp"));
  OK("sb_source tmpfs", !strcmp(S->str + S->sb_source, "tmpfs"));
  int nsfd = open("/proc/self/ns/mnt", O_RDONLY);
  uint64_t nsid = 0;
  OK("NS_GET_MNTNS_ID", ioctl(nsfd, NS_GET_MNTNS_ID, &nsid) == 0 && nsid);
  OK("mnt_ns_id is it", S->mnt_ns_id == nsid);
  ERR("NS_GET_MNTNS_ID on a uts ns file", ({ int u = open("/proc/self/ns/uts", O_RDONLY);
      long x = ioctl(u, NS_GET_MNTNS_ID, &nsid); int e = errno; close(u); errno = e; x; }), EINVAL);

  /* options: the string and the array agree */
  OK("remount with size=1m", mount("tmpfs", "/tmp", "tmpfs", MS_REMOUNT | MS_NOSUID | MS_NODEV, "size=1m") == 0);
  OK("statmount MNT_OPTS|OPT_ARRAY", statmount_(tid, 0x480, big, sizeof big, 0) == 0 && S->mask == 0x480);
  OK("opts mention size=", !strncmp(S->str + S->mnt_opts, "size=", 5));
  OK("one option in the array, the same", S->opt_num == 1 && !strcmp(S->str + S->opt_array, S->str + S->mnt_opts));

  /* only what is asked: unknown bits ignored */
  memset(big, 0, sizeof big);
  OK("statmount SB_BASIC alone", statmount_(tid, 1 | (1ULL << 40), big, sizeof big, 0) == 0 && S->mask == 1 && S->size == 512);
  OK("a 16-byte buffer: the head only", statmount_(tid, 1, big, 16, 0) == 0 && S->size == 16);
  OK("a 0-byte buffer", statmount_(tid, 1, big, 0, 0) == 0);
  ERR("strings into exactly 512 bytes", statmount_(tid, 0x20, big, 512, 0), EOVERFLOW);
  ERR("strings into 515 bytes", statmount_(tid, 0x20, big, 515, 0), EOVERFLOW);
  ERR("strings into 518 bytes (NUL, tmpfs, no room for its NUL)", statmount_(tid, 0x20, big, 518, 0), EOVERFLOW);
  OK("strings into 519 bytes", statmount_(tid, 0x20, big, 519, 0) == 0 && S->size == 519);
  ERR("flags 1", statmount_(tid, 1, big, sizeof big, 1), EINVAL);
  ERR("mnt_id 0", statmount_(0, 1, big, sizeof big, 0), EINVAL);
  ERR("mnt_id 2^31", statmount_(1ULL << 31, 1, big, sizeof big, 0), EINVAL);
  ERR("an old id", statmount_((uint64_t)id, 1, big, sizeof big, 0), EINVAL);
  ERR("no such mount", statmount_(LSMT_ROOT - 1, 1, big, sizeof big, 0), ENOENT);
  ERR("NULL buffer", statmount_(tid, 1, NULL, sizeof big, 0), EFAULT);
  ERR("NULL request", syscall(457, NULL, big, sizeof big, 0), EFAULT);
  struct { struct mnt_id_req r; uint64_t extra; } x = { { 40, 0, tid, 1, 0 }, 0 };
  OK("a 40-byte request, zero tail", syscall(457, &x, big, sizeof big, 0) == 0);
  x.extra = 1;
  ERR("a 40-byte request, nonzero tail", syscall(457, &x, big, sizeof big, 0), E2BIG);
  x.r.size = 4097;
  ERR("size 4097", syscall(457, &x, big, sizeof big, 0), E2BIG);
  x.r.size = 23;
  ERR("size 23", syscall(457, &x, big, sizeof big, 0), EINVAL);
  struct mnt_id_req q = { 32, (uint32_t)nsfd, tid, 2, nsid };
  ERR("both ns fd and ns id", syscall(457, &q, big, sizeof big, 0), EINVAL);
  q.mnt_ns_id = 0;
  OK("by ns fd", syscall(457, &q, big, sizeof big, 0) == 0 && S->mnt_id == tid);
  q.mnt_ns_fd = (uint32_t)-1;
  ERR("ns fd -1", syscall(457, &q, big, sizeof big, 0), EBADF);
  q.mnt_ns_fd = 1;
  ERR("ns fd of a non-ns file", syscall(457, &q, big, sizeof big, 0), EINVAL);
  q.mnt_ns_fd = 0;
  q.mnt_ns_id = nsid;
  OK("by ns id", syscall(457, &q, big, sizeof big, 0) == 0);
  q.mnt_ns_id = nsid + 1000000;
  ERR("no such ns id", syscall(457, &q, big, sizeof big, 0), ENOENT);
  close(nsfd);

  /* bind mounts and propagation */
  mkdir("/tmp/a", 0755);
  mkdir("/tmp/b", 0755);
  mkdir("/tmp/c", 0755);
  OK("bind /tmp/a on /tmp/b", mount("/tmp/a", "/tmp/b", NULL, MS_BIND, NULL) == 0);
  uint64_t bid = uid_of("/tmp/b");
  OK("statmount of the bind", statmount_(bid, SM_ALL, big, sizeof big, 0) == 0);
  OK("its root is /a", !strcmp(S->str + S->mnt_root, "/a"));
  OK("its point is /tmp/b", !strcmp(S->str + S->mnt_point, "/tmp/b"));
  OK("its parent is /tmp", S->mnt_parent_id == tid);
  OK("make /tmp/b shared", mount("none", "/tmp/b", NULL, MS_SHARED, NULL) == 0);
  OK("bind /tmp/b on /tmp/c", mount("/tmp/b", "/tmp/c", NULL, MS_BIND, NULL) == 0);
  OK("make /tmp/c a slave", mount("none", "/tmp/c", NULL, MS_SLAVE, NULL) == 0);
  mi("/tmp/b", &id, &sh, &ms);
  OK("statmount shared /tmp/b", statmount_(bid, 2, big, sizeof big, 0) == 0 &&
     S->mnt_propagation == MS_SHARED && S->mnt_peer_group == (uint64_t)sh && sh && !S->mnt_master);
  uint64_t cid = uid_of("/tmp/c");
  OK("statmount slave /tmp/c", statmount_(cid, 6, big, sizeof big, 0) == 0 &&
     S->mnt_propagation == MS_SLAVE && S->mnt_master == (uint64_t)sh && !S->mnt_peer_group);
  OK("propagate_from: the master's group", S->propagate_from == (uint64_t)sh);
  OK("make /tmp/c unbindable", mount("none", "/tmp/c", NULL, MS_UNBINDABLE, NULL) == 0);
  OK("statmount unbindable", statmount_(cid, 2, big, sizeof big, 0) == 0 && S->mnt_propagation == MS_UNBINDABLE);
  OK("remount /tmp/c ro,noexec", mount("none", "/tmp/c", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOEXEC, NULL) == 0);
  OK("mnt_attr ro|noexec", statmount_(cid, 2, big, sizeof big, 0) == 0 && S->mnt_attr == 9);

  /* listmount */
  uint64_t ids[256], rev[256], one[4];
  long n = listmount_(LSMT_ROOT, 0, ids, 256, 0);
  OK("listmount LSMT_ROOT", n >= 4);
  int seen = 0, sorted = 1;
  for (long i = 0; i < n; i++) {
    seen += ids[i] == rid || ids[i] == tid || ids[i] == bid || ids[i] == cid;
    if (i && ids[i] <= ids[i - 1]) sorted = 0;
  }
  OK("it has /, /tmp and the binds, in id order", seen == 4 && sorted);
  OK("reversed", listmount_(LSMT_ROOT, 0, rev, 256, 1) == n && rev[0] == ids[n - 1] && rev[n - 1] == ids[0]);
  OK("a page of 1 after the first", listmount_(LSMT_ROOT, ids[0], one, 1, 0) == 1 && one[0] == ids[1]);
  OK("reversed from the last", listmount_(LSMT_ROOT, ids[n - 1], one, 1, 1) == 1 && one[0] == ids[n - 2]);
  OK("nothing after the last", listmount_(LSMT_ROOT, ids[n - 1], one, 4, 0) == 0);
  OK("below /tmp: its two binds", listmount_(tid, 0, one, 4, 0) == 2 && one[0] == bid && one[1] == cid);
  OK("below /tmp/c: none", listmount_(cid, 0, one, 4, 0) == 0);
  OK("nr 0", listmount_(LSMT_ROOT, 0, NULL, 0, 0) == 0);
  ERR("nr past a million", listmount_(LSMT_ROOT, 0, ids, 1000001, 0), EOVERFLOW);
  ERR("flags 2", listmount_(LSMT_ROOT, 0, ids, 4, 2), EINVAL);
  ERR("last id 5", listmount_(LSMT_ROOT, 5, ids, 4, 0), EINVAL);
  ERR("mnt_id 0", listmount_(0, 0, ids, 4, 0), EINVAL);
  ERR("no such mount", listmount_(LSMT_ROOT - 1, 0, ids, 4, 0), ENOENT);
  ERR("NULL ids", listmount_(LSMT_ROOT, 0, NULL, 4, 0), EFAULT);
  ERR("NULL request", syscall(458, NULL, ids, 4, 0), EFAULT);

  /* another namespace: listed by id from here, ids differ */
  int p[2];
  pipe(p);
  pid_t c = fork();
  if (c == 0) {
    uint64_t cns = 0;
    int ok = unshare(CLONE_NEWNS) == 0;
    int f = open("/proc/self/ns/mnt", O_RDONLY);
    ok = ok && ioctl(f, NS_GET_MNTNS_ID, &cns) == 0 && cns != nsid;
    ok = ok && umount("/tmp/c") == 0;
    write(p[1], &cns, sizeof cns);
    write(p[1], &ok, sizeof ok);
    pause();
    _exit(0);
  }
  uint64_t cns = 0;
  int ok = 0;
  read(p[0], &cns, sizeof cns);
  read(p[0], &ok, sizeof ok);
  OK("a child's new namespace has another id", ok);
  struct mnt_id_req lq = { 32, 0, LSMT_ROOT, 0, cns };
  uint64_t cids[256];
  long cn = syscall(458, &lq, cids, 256, 0);
  OK("listmount of the child's namespace: one mount fewer", cn == n - 1);
  lq.mnt_id = cids[0];
  lq.param = 0x42;
  OK("statmount in it: its ns id", syscall(457, &lq, big, sizeof big, 0) == 0 && S->mnt_ns_id == cns && S->mnt_id != ids[0]);
  kill(c, SIGKILL);
  waitpid(c, NULL, 0);

  /* EPERM once the mount is out of a chroot and privileges are gone */
  c = fork();
  if (c == 0) {
    t_failed = 0;
    if (chroot("/tmp/a") || setgid(65534) || setuid(65534)) _exit(3);
    ERR("statmount of / from a chroot, unprivileged", statmount_(rid, 1, big, sizeof big, 0), EPERM);
    ERR("listmount below / from a chroot, unprivileged", listmount_(rid, 0, ids, 4, 0), EPERM);
    OK("listmount LSMT_ROOT from the chroot: nothing", listmount_(LSMT_ROOT, 0, ids, 4, 0) == 0);
    _exit(t_failed ? 1 : 0);
  }
  int st;
  waitpid(c, &st, 0);
  OK("the unprivileged child", WIFEXITED(st) && WEXITSTATUS(st) == 0);

  /* chrooted at a mount (LTP's listmount01): LSMT_ROOT lists it alone */
  c = fork();
  if (c == 0) {
    t_failed = 0;
    if (chroot("/tmp/b") || chdir("/")) _exit(3);
    OK("chrooted at /tmp/b: statx of / is its mount", uid_of("/") == bid);
    OK("listmount LSMT_ROOT: that mount alone", listmount_(LSMT_ROOT, 0, ids, 4, 0) == 1 && ids[0] == bid);
    OK("statmount: its point is / from here", statmount_(bid, 0x10, big, sizeof big, 0) == 0 &&
       !strcmp(S->str + S->mnt_point, "/"));
    _exit(t_failed ? 1 : 0);
  }
  waitpid(c, &st, 0);
  OK("the chrooted child", WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* move_mount(2) with MOVE_MOUNT_BENEATH: a clone goes under the top
 * mount of a path, which stays on top; unmounting it shows the clone */
static int exists(const char *p) { return access(p, F_OK) == 0; }
static void beneath(void) {
  mkdir("/tmp/x", 0755);
  mkdir("/tmp/y", 0755);
  OK("beneath: tmpfs on /tmp/x and /tmp/y", mount("a", "/tmp/x", "tmpfs", 0, NULL) == 0 &&
     mount("b", "/tmp/y", "tmpfs", 0, NULL) == 0);
  close(open("/tmp/x/A", O_CREAT | O_WRONLY, 0644));
  close(open("/tmp/y/B", O_CREAT | O_WRONLY, 0644));
  mkdir("/tmp/x/sub", 0755);
  uint64_t yid = uid_of("/tmp/y"), tid = uid_of("/tmp");
  int fda = syscall(SYS_open_tree, AT_FDCWD, "/tmp/x", 1 /* OPEN_TREE_CLONE */ | O_CLOEXEC);
  int fdb = open("/tmp/y", O_PATH);
  OK("open_tree clone of /tmp/x", fda >= 0 && fdb >= 0);
  ERR("beneath with SET_GROUP", syscall(SYS_move_mount, fda, "", fdb, "", 0x344), EINVAL);
  ERR("beneath a directory that is no mount's root",
      syscall(SYS_move_mount, fda, "", AT_FDCWD, "/tmp/x/sub", 0x204), EINVAL);
  ERR("beneath /", syscall(SYS_move_mount, fda, "", AT_FDCWD, "/", 0x204), EINVAL);
  ERR("beneath a file", syscall(SYS_move_mount, fda, "", AT_FDCWD, "/tmp/y/B", 0x204), EINVAL);
  OK("move_mount BENEATH", syscall(SYS_move_mount, fda, "", fdb, "", 0x244) == 0);
  OK("the top mount still shows", exists("/tmp/y/B") && !exists("/tmp/y/A") && uid_of("/tmp/y") == yid);
  OK("statmount: the top's parent is the new mount", statmount_(yid, 2, big, sizeof big, 0) == 0 &&
     S->mnt_parent_id != tid);
  uint64_t nid = S->mnt_parent_id;
  OK("the new mount's parent is /tmp", statmount_(nid, 0x12, big, sizeof big, 0) == 0 && S->mnt_parent_id == tid &&
     !strcmp(S->str + S->mnt_point, "/tmp/y"));
  uint64_t ids[8];
  OK("listmount below it: the top", listmount_(nid, 0, ids, 8, 0) == 1 && ids[0] == yid);
  close(fda);
  close(fdb);
  OK("unmount the top", umount("/tmp/y") == 0);
  OK("the clone shows", exists("/tmp/y/A") && !exists("/tmp/y/B") && uid_of("/tmp/y") == nid);
  OK("unmount it", umount("/tmp/y") == 0 && !exists("/tmp/y/A"));
  /* an attached mount beneath another */
  OK("tmpfs c on /tmp/y", mount("c", "/tmp/y", "tmpfs", 0, NULL) == 0);
  close(open("/tmp/y/C", O_CREAT | O_WRONLY, 0644));
  mkdir("/tmp/z", 0755);
  OK("bind /tmp/x on /tmp/z", mount("/tmp/x", "/tmp/z", NULL, MS_BIND, NULL) == 0);
  OK("move /tmp/z beneath /tmp/y", syscall(SYS_move_mount, AT_FDCWD, "/tmp/z", AT_FDCWD, "/tmp/y", 0x200) == 0);
  OK("/tmp/z is a plain directory again", !exists("/tmp/z/A") && exists("/tmp/y/C"));
  OK("unmount /tmp/y's top: the moved bind", umount("/tmp/y") == 0 && exists("/tmp/y/A"));
  umount("/tmp/y");
  umount("/tmp/x");
}

int main(void) {
  fflush(stdout);
  pid_t c = fork();
  if (c == 0) {
    if (unshare(CLONE_NEWNS) || mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
      printf("FAIL cannot make a private mount namespace (%s)\n", en(errno));
      _exit(2);
    }
    fields();
    beneath();
    _exit(t_failed ? 1 : 0);
  }
  int st;
  waitpid(c, &st, 0);
  if (!WIFEXITED(st) || WEXITSTATUS(st)) t_failed++;
  return t_done();
}
