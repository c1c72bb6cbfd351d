/* mounts.c - mount(2), umount2(2) and pivot_root(2) inside a new mount
 * namespace: tmpfs with options, bind and recursive bind mounts, bind
 * remounts read-only, propagation types, MS_MOVE, a new proc, busy and
 * lazy unmounts, pivot_root and the old root's lazy unmount, the new
 * mount API (fsopen, fsconfig, fsmount, move_mount, open_tree, fspick,
 * mount_setattr), and the
 * errors Linux gives for bad flags, bad paths and bad pointers; poll
 * and epoll of /proc/self/mounts (EPOLLPRI once per change).
 * Everything runs in children that first unshare(CLONE_NEWNS) and make
 * the whole tree private, so a native run on the host changes nothing
 * outside them (each child stops at once if that fails).          */
#include "t.h"
#include <fcntl.h>
#include <sched.h>
#include <sys/epoll.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

static int pivot_root(const char *n, const char *o) { return syscall(SYS_pivot_root, n, o); }

static void put(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    write(fd, text, strlen(text));
    close(fd);
  }
}

static int get(const char *path, char *buf, size_t len) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, len - 1);
  close(fd);
  buf[n > 0 ? n : 0] = 0;
  return n;
}

/* the mountinfo line of mount point mp: fields 4 (root), 6 (options),
 * the optional fields, and the type; 0 if found */
struct mi { char root[256], opts[256], optional[256], type[64]; };
static const char *mi_path = "/proc/self/mountinfo";
static int mountinfo(const char *mp, struct mi *out) {
  static char buf[65536];
  int fd = open(mi_path, O_RDONLY), n = 0, r;
  if (fd < 0) return -1;
  while ((r = read(fd, buf + n, sizeof buf - 1 - n)) > 0) n += r;
  close(fd);
  buf[n] = 0;
  int found = -1;
  for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
    char root[256], point[256], opts[256], rest[1024];
    if (sscanf(line, "%*d %*d %*s %255s %255s %255s %1023[^\n]", root, point, opts, rest) != 4) continue;
    if (strcmp(point, mp)) continue;
    /* the last one wins: the topmost mount */
    snprintf(out->root, sizeof out->root, "%s", root);
    snprintf(out->opts, sizeof out->opts, "%s", opts);
    char *dash = strstr(rest, " - ");
    if (!dash && !strncmp(rest, "- ", 2)) dash = rest - 1;
    out->optional[0] = 0;
    if (dash && dash > rest) snprintf(out->optional, sizeof out->optional, "%.*s", (int)(dash - rest), rest);
    if (dash) sscanf(dash + 3, "%63s", out->type);
    found = 0;
  }
  return found;
}

/* a child in a private mount namespace; returns its exit status */
static int in_mount_ns(void (*fn)(void)) {
  fflush(stdout);
  pid_t c = fork();
  if (c == 0) {
    if (unshare(CLONE_NEWNS) || mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
      printf("FAIL cannot make a private mount namespace (%s)\n", en(errno));
      _exit(2);
    }
    /* a tmpfs over /tmp first: nothing below lands in the real /tmp */
    if (mount("tmpfs", "/tmp", "tmpfs", 0, NULL)) {
      printf("FAIL cannot mount a tmpfs on /tmp (%s)\n", en(errno));
      _exit(2);
    }
    fn();
    _exit(t_failed ? 1 : 0);
  }
  int st;
  waitpid(c, &st, 0);
  if (!WIFEXITED(st) || WEXITSTATUS(st)) t_failed++;
  return st;
}

static void basics(void) {
  int fd = -1;
  struct stat st;
  struct mi m;
  char buf[64];
  OK("mount tmpfs on /tmp, mode=0755", mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") == 0);
  OK("its root has mode 0755", stat("/tmp", &st) == 0 && (st.st_mode & 07777) == 0755);
  OK("mountinfo: /tmp is tmpfs", mountinfo("/tmp", &m) == 0 && !strcmp(m.type, "tmpfs"));
  OK("mountinfo: nosuid,nodev", strstr(m.opts, "nosuid") && strstr(m.opts, "nodev"));
  mkdir("/tmp/a", 0755);
  mkdir("/tmp/b", 0755);
  mkdir("/tmp/c", 0755);
  mkdir("/tmp/d", 0755);
  put("/tmp/a/f", "hello");
  OK("bind /tmp/a on /tmp/b", mount("/tmp/a", "/tmp/b", NULL, MS_BIND, NULL) == 0);
  OK("the file shows through", get("/tmp/b/f", buf, sizeof buf) == 5 && !strcmp(buf, "hello"));
  OK("mountinfo: the bind's root is /a", mountinfo("/tmp/b", &m) == 0 && !strcmp(m.root, "/a"));
  struct stat sa, sb;
  OK("same device and inode", stat("/tmp/a/f", &sa) == 0 && stat("/tmp/b/f", &sb) == 0 &&
     sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino);
  put("/tmp/b/g", "via b");
  OK("writes through the bind reach the source", get("/tmp/a/g", buf, sizeof buf) == 5);
  ERR("rename across the two mounts", rename("/tmp/a/f", "/tmp/b/f2"), EXDEV);
  ERR("rmdir of a mount point", rmdir("/tmp/b"), EBUSY);
  OK("remount the bind read-only", mount(NULL, "/tmp/b", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) == 0);
  ERR("creating through it: EROFS", open("/tmp/b/new", O_WRONLY | O_CREAT, 0644), EROFS);
  ERR("writing through it: EROFS", open("/tmp/b/f", O_WRONLY), EROFS);
  ERR("mkdir through it: EROFS", mkdir("/tmp/b/dir", 0755), EROFS);
  ERR("unlink through it: EROFS", unlink("/tmp/b/g"), EROFS);
  ERR("chmod through it: EROFS", chmod("/tmp/b/f", 0600), EROFS);
  OK("the source stays writable", (fd = open("/tmp/a/new", O_WRONLY | O_CREAT, 0644)) >= 0);
  close(fd);
  struct statvfs sv;
  OK("statvfs says ST_RDONLY", statvfs("/tmp/b", &sv) == 0 && (sv.f_flag & ST_RDONLY));
  OK("mountinfo says ro", mountinfo("/tmp/b", &m) == 0 && !strncmp(m.opts, "ro", 2));
  OK("remount it read-write", mount(NULL, "/tmp/b", NULL, MS_REMOUNT | MS_BIND, NULL) == 0 &&
     (fd = open("/tmp/b/new2", O_WRONLY | O_CREAT, 0644)) >= 0);
  close(fd);

  /* MS_NOEXEC: nothing there runs (EACCES), even a file open for
   * writing (the noexec check comes before ETXTBSY's) */
  mkdir("/tmp/nx", 0755);
  OK("tmpfs with MS_NOEXEC", mount("tmpfs", "/tmp/nx", "tmpfs", MS_NOEXEC, NULL) == 0);
  int xfd = open("/tmp/nx/prog", O_CREAT | O_RDWR, 0755);
  char *xargv[] = { "prog", NULL };
  ERR("exec on a noexec mount", execve("/tmp/nx/prog", xargv, xargv + 1), EACCES);
  close(xfd);
  ERR("... closed too", execve("/tmp/nx/prog", xargv, xargv + 1), EACCES);

  /* MS_NOSYMFOLLOW: symlinks on the mount are not followed (ELOOP),
   * statvfs says ST_NOSYMFOLLOW; lstat and readlink still work */
  mkdir("/tmp/ns", 0755);
  OK("tmpfs with MS_NOSYMFOLLOW", mount("tmpfs", "/tmp/ns", "tmpfs", MS_NOSYMFOLLOW, NULL) == 0);
  put("/tmp/ns/target", "t");
  OK("a symlink on it", symlink("target", "/tmp/ns/link") == 0);
  ERR("opening through it: ELOOP", open("/tmp/ns/link", O_RDONLY), ELOOP);
  OK("lstat of it", lstat("/tmp/ns/link", &st) == 0 && S_ISLNK(st.st_mode));
  OK("readlink of it", readlink("/tmp/ns/link", buf, sizeof buf) == 6);
  OK("statvfs says ST_NOSYMFOLLOW", statvfs("/tmp/ns", &sv) == 0 && (sv.f_flag & 0x2000));
  OK("a link elsewhere to it still resolves the mount's files", symlink("/tmp/ns/target", "/tmp/tl") == 0 &&
     (fd = open("/tmp/tl", O_RDONLY)) >= 0);
  close(fd);

  /* recursive and plain binds of a tree with a mount in it */
  mkdir("/tmp/a/sub", 0755);
  OK("tmpfs on /tmp/a/sub", mount("tmpfs", "/tmp/a/sub", "tmpfs", 0, NULL) == 0);
  put("/tmp/a/sub/deep", "deep");
  OK("rbind /tmp/a on /tmp/c", mount("/tmp/a", "/tmp/c", NULL, MS_BIND | MS_REC, NULL) == 0);
  OK("the submount came along", get("/tmp/c/sub/deep", buf, sizeof buf) == 4);
  OK("bind /tmp/a on /tmp/d", mount("/tmp/a", "/tmp/d", NULL, MS_BIND, NULL) == 0);
  ERR("a plain bind has no submount", access("/tmp/d/sub/deep", F_OK), ENOENT);

  /* a file on a file */
  put("/tmp/file1", "one");
  put("/tmp/file2", "two");
  OK("bind a file on a file", mount("/tmp/file1", "/tmp/file2", NULL, MS_BIND, NULL) == 0 &&
     get("/tmp/file2", buf, sizeof buf) == 3 && !strcmp(buf, "one"));
  ERR("bind a directory on a file", mount("/tmp/a", "/tmp/file1", NULL, MS_BIND, NULL), ENOTDIR);
  ERR("unlink a file mount point", unlink("/tmp/file2"), EBUSY);
  OK("umount the file bind", umount("/tmp/file2") == 0 && get("/tmp/file2", buf, sizeof buf) == 3 && !strcmp(buf, "two"));

  /* unmounting */
  ERR("umount a busy tree", umount("/tmp"), EBUSY);
  ERR("umount something not mounted", umount("/tmp/a"), EINVAL);
  ERR("umount a missing path", umount("/tmp/none"), ENOENT);
  ERR("umount2 bad flags", umount2("/tmp/b", 0x100), EINVAL);
  ERR("umount2 MNT_EXPIRE with MNT_DETACH", umount2("/tmp/b", MNT_EXPIRE | MNT_DETACH), EINVAL);
  symlink("/tmp/b", "/tmp/link");
  ERR("UMOUNT_NOFOLLOW on a symlink", umount2("/tmp/link", UMOUNT_NOFOLLOW), EINVAL);
  OK("umount through a symlink", umount("/tmp/link") == 0);
  int held = open("/tmp/c/sub/deep", O_RDONLY);
  OK("lazy unmount with an open file", umount2("/tmp/c", MNT_DETACH) == 0);
  OK("the open file still reads", read(held, buf, 4) == 4 && !memcmp(buf, "deep", 4));
  close(held);
  ERR("the tree is gone from the path", access("/tmp/c/sub/deep", F_OK), ENOENT);
  OK("lazy unmount of /tmp and all below it", umount2("/tmp", MNT_DETACH) == 0);
  ERR("its files are gone", access("/tmp/a", F_OK), ENOENT);
}

static void propagation(void) {
  struct mi m;
  mkdir("/tmp/pr", 0755);
  OK("tmpfs", mount("tmpfs", "/tmp/pr", "tmpfs", 0, NULL) == 0);
  OK("private: no optional fields", mountinfo("/tmp/pr", &m) == 0 && !strstr(m.optional, "shared"));
  OK("make-shared", mount(NULL, "/tmp/pr", NULL, MS_SHARED, NULL) == 0);
  OK("mountinfo: shared:N", mountinfo("/tmp/pr", &m) == 0 && strstr(m.optional, "shared:"));
  OK("make-slave of a shared mount without peers: private", mount(NULL, "/tmp/pr", NULL, MS_SLAVE, NULL) == 0 &&
     mountinfo("/tmp/pr", &m) == 0 && !strstr(m.optional, "master:") && !strstr(m.optional, "shared:"));
  mkdir("/tmp/prb", 0755);
  OK("shared again, with a peer (a bind)", mount(NULL, "/tmp/pr", NULL, MS_SHARED, NULL) == 0 &&
     mount("/tmp/pr", "/tmp/prb", NULL, MS_BIND, NULL) == 0 && mountinfo("/tmp/prb", &m) == 0 &&
     strstr(m.optional, "shared:"));
  OK("make-slave of it: master:N", mount(NULL, "/tmp/prb", NULL, MS_SLAVE, NULL) == 0 &&
     mountinfo("/tmp/prb", &m) == 0 && strstr(m.optional, "master:") && !strstr(m.optional, "shared:"));
  OK("make-private", mount(NULL, "/tmp/prb", NULL, MS_PRIVATE, NULL) == 0 && mountinfo("/tmp/prb", &m) == 0 &&
     !strstr(m.optional, "master:"));
  OK("umount the peer", umount("/tmp/prb") == 0);
  OK("make-unbindable", mount(NULL, "/tmp/pr", NULL, MS_UNBINDABLE, NULL) == 0 && mountinfo("/tmp/pr", &m) == 0 &&
     strstr(m.optional, "unbindable"));
  mkdir("/tmp/pr2", 0755);
  ERR("bind of an unbindable mount", mount("/tmp/pr", "/tmp/pr2", NULL, MS_BIND, NULL), EINVAL);
  ERR("two propagation types at once", mount(NULL, "/tmp/pr", NULL, MS_SHARED | MS_PRIVATE, NULL), EINVAL);
  ERR("a propagation type on a non-mount-point", mount(NULL, "/tmp/pr2", NULL, MS_PRIVATE, NULL), EINVAL);
  OK("recursive make-rprivate", mount(NULL, "/tmp/pr", NULL, MS_PRIVATE | MS_REC, NULL) == 0);

  /* a shared mount's peer (a bind of it) receives new mounts */
  mkdir("/tmp/sh", 0755);
  mkdir("/tmp/peer", 0755);
  OK("tmpfs /tmp/sh", mount("tmpfs", "/tmp/sh", "tmpfs", 0, NULL) == 0 &&
     mount(NULL, "/tmp/sh", NULL, MS_SHARED, NULL) == 0);
  OK("bind it: a peer", mount("/tmp/sh", "/tmp/peer", NULL, MS_BIND, NULL) == 0);
  mkdir("/tmp/sh/x", 0755);
  OK("a mount in one", mount("tmpfs", "/tmp/sh/x", "tmpfs", 0, NULL) == 0);
  put("/tmp/sh/x/mark", "m");
  OK("propagates to the peer", access("/tmp/peer/x/mark", F_OK) == 0);
  OK("its unmount too", umount("/tmp/sh/x") == 0 && access("/tmp/peer/x/mark", F_OK) != 0);

  /* MS_MOVE */
  mkdir("/tmp/m1", 0755);
  mkdir("/tmp/m2", 0755);
  OK("tmpfs /tmp/m1", mount("tmpfs", "/tmp/m1", "tmpfs", 0, NULL) == 0);
  put("/tmp/m1/f", "x");
  OK("MS_MOVE it to /tmp/m2", mount("/tmp/m1", "/tmp/m2", NULL, MS_MOVE, NULL) == 0);
  OK("found at the new place", access("/tmp/m2/f", F_OK) == 0 && access("/tmp/m1/f", F_OK) != 0);
  ERR("MS_MOVE of a non-mount-point", mount("/tmp/m1", "/tmp/pr2", NULL, MS_MOVE, NULL), EINVAL);

  /* a new proc and sysfs */
  mkdir("/tmp/p", 0755);
  OK("mount proc", mount("proc", "/tmp/p", "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL) == 0);
  char link[64] = "", want[64];
  snprintf(want, sizeof want, "%d", getpid());
  readlink("/tmp/p/self", link, sizeof link - 1);
  OK("its self is us", !strcmp(link, want));
  OK("mountinfo: proc", mountinfo("/tmp/p", &m) == 0 && !strcmp(m.type, "proc"));
  mkdir("/tmp/s", 0755);
  OK("mount sysfs", mount("sysfs", "/tmp/s", "sysfs", 0, NULL) == 0 && access("/tmp/s/devices/system/cpu/online", R_OK) == 0);
  mkdir("/tmp/pts", 0755);
  OK("mount devpts", mount("devpts", "/tmp/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620") == 0 &&
     access("/tmp/pts/ptmx", F_OK) == 0);

  /* errors */
  mkdir("/tmp/e", 0755);
  ERR("an unknown filesystem type", mount("x", "/tmp/e", "nosuchfs", 0, NULL), ENODEV);
  ERR("a missing target", mount("tmpfs", "/tmp/nonexistent", "tmpfs", 0, NULL), ENOENT);
  ERR("bind of a missing source", mount("/tmp/nonexistent", "/tmp/e", NULL, MS_BIND, NULL), ENOENT);
  ERR("remount of a non-mount-point", mount(NULL, "/tmp/e", NULL, MS_REMOUNT | MS_BIND, NULL), EINVAL);
  ERR("bad target pointer", mount("tmpfs", (char *)8, "tmpfs", 0, NULL), EFAULT);
  ERR("bad type pointer", mount("tmpfs", "/tmp/e", (char *)8, 0, NULL), EFAULT);
  ERR("bad umount pointer", umount((char *)8), EFAULT);
  char longp[5000];
  memset(longp, 'a', sizeof longp - 1);
  longp[0] = '/';
  longp[sizeof longp - 1] = 0;
  ERR("too long a target", mount("tmpfs", longp, "tmpfs", 0, NULL), ENAMETOOLONG);
  ERR("tmpfs with a bad option", mount("tmpfs", "/tmp/e", "tmpfs", 0, "bogus=1"), EINVAL);
  /* a non-root process may not mount */
  fflush(stdout);
  pid_t c = fork();
  if (c == 0) {
    setuid(1000);
    _exit(mount("tmpfs", "/tmp/e", "tmpfs", 0, NULL) == -1 && errno == EPERM ? 0 : 1);
  }
  int st;
  waitpid(c, &st, 0);
  OK("a non-root process: EPERM", WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* /proc/self/mounts and mountinfo report POLLPRI|POLLERR once after each
 * change (mounts_poll), and epoll takes them (epoll_wait10). */
static void mounts_poll(void) {
  int fd = open("/proc/self/mounts", O_RDONLY), mi = open("/proc/self/mountinfo", O_RDONLY);
  struct pollfd p = { fd, POLLPRI, 0 };
  int pr = poll(&p, 1, 0);
  printf("mounts poll, nothing changed: %d revents %#x\n", pr, p.revents);
  int ep = epoll_create1(0);
  struct epoll_event ev = { .events = EPOLLPRI, .data.u32 = 7 };
  OK("epoll_ctl of /proc/self/mounts", epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0);
  struct epoll_event out = { 0 };
  RES("epoll_wait, nothing changed", epoll_wait(ep, &out, 1, 0));
  mkdir("/tmp/mp", 0755);
  pid_t c = fork();
  if (c == 0)
    _exit(mount("none", "/tmp/mp", "tmpfs", 0, NULL) ? 1 : 0);
  int st;
  waitpid(c, &st, 0);
  OK("a child mounts in the same namespace", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  int n = epoll_wait(ep, &out, 1, 2000);
  printf("epoll_wait after a mount: %d events %#x data %u\n", n, out.events, out.data.u32);
  RES("epoll_wait again, no new change", epoll_wait(ep, &out, 1, 0));
  struct pollfd q = { mi, POLLPRI, 0 };
  pr = poll(&q, 1, 0);
  printf("mountinfo poll after the mount: %d revents %#x\n", pr, q.revents);
  pr = poll(&q, 1, 0);
  printf("mountinfo poll again: %d revents %#x\n", pr, q.revents);
  OK("umount", umount("/tmp/mp") == 0);
  n = epoll_wait(ep, &out, 1, 2000);
  printf("epoll_wait after umount: %d events %#x\n", n, out.events);
  int sf = open("/proc/self/status", O_RDONLY);
  ERR("epoll_ctl of another proc file", epoll_ctl(ep, EPOLL_CTL_ADD, sf, &ev), EPERM);
  close(sf);
  close(ep);
  close(fd);
  close(mi);
  rmdir("/tmp/mp");
}

static void pivot(void) {
  char buf[64];
  mkdir("/tmp/nr", 0755);
  ERR("pivot_root: new_root not a mount point", pivot_root("/tmp/nr", "/tmp/nr"), EINVAL);
  OK("bind it on itself", mount("/tmp/nr", "/tmp/nr", NULL, MS_BIND, NULL) == 0);
  mkdir("/tmp/nr/old", 0755);
  mkdir("/tmp/other", 0755);
  put("/tmp/nr/marker", "new root");
  ERR("pivot_root: put_old outside new_root", pivot_root("/tmp/nr", "/tmp/other"), EINVAL);
  ERR("pivot_root: missing put_old", pivot_root("/tmp/nr", "/tmp/nr/none"), ENOENT);
  ERR("pivot_root: new_root a file", pivot_root("/tmp/nr/marker", "/tmp/nr/old"), ENOTDIR);
  ERR("pivot_root: bad pointer", pivot_root((char *)8, "/tmp/nr/old"), EFAULT);
  int keep = open("/tmp/nr/marker", O_RDONLY);
  OK("pivot_root", pivot_root("/tmp/nr", "/tmp/nr/old") == 0);
  OK("chdir /", chdir("/") == 0);
  OK("the new root is the tmpfs", get("/marker", buf, sizeof buf) == 8 && !strcmp(buf, "new root"));
  OK("the old root is at /old", access("/old/proc", F_OK) == 0 && access("/old/tmp/nr/marker", F_OK) == 0);
  char cwd[64];
  OK("getcwd", getcwd(cwd, sizeof cwd) && !strcmp(cwd, "/"));
  OK("an open file keeps working", read(keep, buf, 3) == 3 && !memcmp(buf, "new", 3));
  struct mi m;
  mi_path = "/old/proc/self/mountinfo";
  OK("mountinfo shows the old root at /old and its /proc", mountinfo("/old", &m) == 0 && mountinfo("/old/proc", &m) == 0 &&
     !strcmp(m.type, "proc"));
  OK("... and the new root at /", mountinfo("/", &m) == 0 && !strcmp(m.type, "tmpfs") && !strcmp(m.root, "/nr"));
  OK("lazy unmount of the old root", umount2("/old", MNT_DETACH) == 0);
  ERR("nothing left of it", access("/old/proc", F_OK), ENOENT);
  OK("/old is an empty directory now", access("/old", F_OK) == 0);
  /* bwrap's second pivot: pivot_root(".", ".") then unmount the old root */
  mkdir("/inner", 0755);
  OK("bind /inner on itself", mount("/inner", "/inner", NULL, MS_BIND, NULL) == 0);
  put("/inner/im", "inner");
  int oldroot = open("/", O_DIRECTORY | O_RDONLY);
  OK("chdir /inner", chdir("/inner") == 0);
  OK("pivot_root(\".\", \".\")", pivot_root(".", ".") == 0);
  OK("fchdir to the old root", fchdir(oldroot) == 0);
  OK("umount2(\".\", MNT_DETACH)", umount2(".", MNT_DETACH) == 0);
  OK("chdir /", chdir("/") == 0);
  OK("/ is now the inner tree", get("/im", buf, sizeof buf) == 5 && access("/marker", F_OK) != 0);
  close(oldroot);
}

/* Linux's order: EBUSY (new_root or put_old on the root's own mount)
 * before the mount-point checks; a mount on an O_PATH fd of a symlink
 * (a /proc/PID/fd link itself) is ENOENT */
static void busy_and_magic(void) {
  ERR("pivot_root: new_root is the root", pivot_root("/", "/"), EBUSY);
  ERR("pivot_root: put_old on the root", pivot_root("/tmp", "/"), EBUSY);
  put("/tmp/foo", "x");
  put("/tmp/bar", "y");
  int fd = open("/tmp/foo", O_RDONLY);
  char p[64];
  snprintf(p, sizeof p, "/proc/%d/fd/%d", getpid(), fd);
  int pfd = open(p, O_PATH | O_NOFOLLOW);
  snprintf(p, sizeof p, "/proc/%d/fd/%d", getpid(), pfd);
  ERR("mount on an O_PATH symlink fd", mount("/tmp/bar", p, "", MS_BIND, NULL), ENOENT);
  close(pfd);
  close(fd);
  /* device nodes made with mknod on a tmpfs reach the kernel's devices */
  OK("mknod 1:5", mknod("/tmp/zero", S_IFCHR | 0666, makedev(1, 5)) == 0);
  OK("mknod 1:3", mknod("/tmp/null", S_IFCHR | 0666, makedev(1, 3)) == 0);
  OK("mknod 250:0", mknod("/tmp/nodrv", S_IFCHR | 0666, makedev(250, 0)) == 0);
  char z[4] = "xyz";
  fd = open("/tmp/zero", O_RDONLY);
  OK("read a zero node", fd >= 0 && read(fd, z, 3) == 3 && !z[0] && !z[2]);
  close(fd);
  fd = open("/tmp/null", O_RDWR);
  OK("null node: write all, read EOF", fd >= 0 && write(fd, "abc", 3) == 3 && read(fd, z, 3) == 0);
  close(fd);
  ERR("a node with no driver", open("/tmp/nodrv", O_RDONLY), ENXIO);
}

/* the new mount API: fsopen/fsconfig/fsmount/move_mount, open_tree's
 * clone, fspick, mount_setattr, and their errors */
static int sc_fsopen(const char *n, unsigned f) { return syscall(SYS_fsopen, n, f); }
static int sc_fsconfig(int fd, unsigned c, const char *k, const void *v, int aux) { return syscall(SYS_fsconfig, fd, c, k, v, aux); }
static int sc_fsmount(int fd, unsigned f, unsigned a) { return syscall(SYS_fsmount, fd, f, a); }
static int sc_move_mount(int fd, const char *p, int tfd, const char *tp, unsigned f) { return syscall(SYS_move_mount, fd, p, tfd, tp, f); }
static int sc_open_tree(int fd, const char *p, unsigned f) { return syscall(SYS_open_tree, fd, p, f); }
static int sc_fspick(int fd, const char *p, unsigned f) { return syscall(SYS_fspick, fd, p, f); }
struct mattr { uint64_t set, clr, prop, userns; };
static int sc_setattr(int fd, const char *p, unsigned f, struct mattr *a, size_t n) { return syscall(SYS_mount_setattr, fd, p, f, a, n); }

static void newapi(void) {
  struct mi m;
  char buf[64];
  ERR("fsopen of an unknown type", sc_fsopen("nosuchfs", 0), ENODEV);
  ERR("fsopen bad flags", sc_fsopen("tmpfs", 2), EINVAL);
  int fc = sc_fsopen("tmpfs", 1 /* FSOPEN_CLOEXEC */);
  OK("fsopen tmpfs", fc >= 0 && (fcntl(fc, F_GETFD) & FD_CLOEXEC));
  ERR("fsconfig unknown command", sc_fsconfig(fc, 99, NULL, NULL, 0), EOPNOTSUPP);
  ERR("fsconfig flag with a value", sc_fsconfig(fc, 0, "ro", "x", 0), EINVAL);
  ERR("fsconfig string without a key", sc_fsconfig(fc, 1, NULL, "x", 0), EINVAL);
  ERR("fsconfig on a non-context fd", sc_fsconfig(1, 0, "ro", NULL, 0), EINVAL);
  ERR("fsconfig on a bad fd", sc_fsconfig(999, 0, "ro", NULL, 0), EBADF);
  OK("fsconfig source", sc_fsconfig(fc, 1, "source", "mysrc", 0) == 0);
  ERR("a second source", sc_fsconfig(fc, 1, "source", "other", 0), EINVAL);
  OK("fsconfig mode=0700", sc_fsconfig(fc, 1, "mode", "0700", 0) == 0);
  ERR("fsmount before create", sc_fsmount(fc, 0, 0), EINVAL);
  OK("fsconfig create", sc_fsconfig(fc, 6 /* CMD_CREATE */, NULL, NULL, 0) == 0);
  ERR("create again", sc_fsconfig(fc, 6, NULL, NULL, 0), EBUSY);
  ERR("fsmount bad attributes", sc_fsmount(fc, 0, 0x40000000), EINVAL);
  int mfd = sc_fsmount(fc, 0, 0x2 /* NOSUID */);
  OK("fsmount", mfd >= 0);
  struct stat st;
  OK("its root is the new tmpfs (mode 0700)", fstat(mfd, &st) == 0 && (st.st_mode & 07777) == 0700);
  mkdir("/tmp/n1", 0755);
  OK("move_mount attaches it", sc_move_mount(mfd, "", AT_FDCWD, "/tmp/n1", 4 /* F_EMPTY_PATH */) == 0);
  OK("mountinfo: tmpfs, nosuid, source mysrc", mountinfo("/tmp/n1", &m) == 0 && !strcmp(m.type, "tmpfs") &&
     strstr(m.opts, "nosuid"));
  ERR("attaching it again: a move onto itself", sc_move_mount(mfd, "", AT_FDCWD, "/tmp/n1", 4), ELOOP);
  put("/tmp/n1/f", "new api");
  OK("a file in it", get("/tmp/n1/f", buf, sizeof buf) == 7);
  close(mfd);
  close(fc);
  /* open_tree: a clone of the mount, attached elsewhere */
  int ot = sc_open_tree(AT_FDCWD, "/tmp/n1", 1 /* OPEN_TREE_CLONE */);
  OK("open_tree clone", ot >= 0);
  mkdir("/tmp/n2", 0755);
  OK("attach the clone", sc_move_mount(ot, "", AT_FDCWD, "/tmp/n2", 4) == 0);
  OK("the same files show", get("/tmp/n2/f", buf, sizeof buf) == 7);
  close(ot);
  int op = sc_open_tree(AT_FDCWD, "/tmp/n1/f", 0);
  OK("open_tree without clone is O_PATH", op >= 0 && (fcntl(op, F_GETFL) & O_PATH));
  close(op);
  ERR("open_tree AT_RECURSIVE without clone", sc_open_tree(AT_FDCWD, "/tmp/n1", 0x8000), EINVAL);
  ERR("open_tree bad flags", sc_open_tree(AT_FDCWD, "/tmp/n1", 0x4), EINVAL);
  ERR("open_tree of a missing path", sc_open_tree(AT_FDCWD, "/tmp/nope", 1), ENOENT);
  /* mount_setattr: read-only, then back */
  struct mattr a = { 0x1 /* RDONLY */, 0, 0, 0 };
  OK("mount_setattr RDONLY", sc_setattr(AT_FDCWD, "/tmp/n2", 0, &a, sizeof a) == 0);
  ERR("writing there: EROFS", open("/tmp/n2/g", O_WRONLY | O_CREAT, 0644), EROFS);
  OK("the other mount stays writable", (op = open("/tmp/n1/g", O_WRONLY | O_CREAT, 0644)) >= 0);
  close(op);
  struct mattr b = { 0, 0x1, 0, 0 };
  OK("mount_setattr clears RDONLY", sc_setattr(AT_FDCWD, "/tmp/n2", 0, &b, sizeof b) == 0 &&
     (op = open("/tmp/n2/h", O_WRONLY | O_CREAT, 0644)) >= 0);
  close(op);
  struct mattr c = { 0x1, 0x1, 0, 0 };
  OK("set and clear the same: set", sc_setattr(AT_FDCWD, "/tmp/n2", 0, &c, sizeof c) == 0);
  ERR("... so read-only", open("/tmp/n2/g2", O_WRONLY | O_CREAT, 0644), EROFS);
  OK("clear it again", sc_setattr(AT_FDCWD, "/tmp/n2", 0, &b, sizeof b) == 0);
  struct mattr e = { 0x10, 0x10, 0, 0 };
  ERR("part of the atime field cleared", sc_setattr(AT_FDCWD, "/tmp/n2", 0, &e, sizeof e), EINVAL);
  ERR("a size too small", sc_setattr(AT_FDCWD, "/tmp/n2", 0, &a, 8), EINVAL);
  ERR("not a mount root", sc_setattr(AT_FDCWD, "/tmp/n2/f", 0, &a, sizeof a), EINVAL);
  struct mattr d = { 0, 0, MS_SHARED | MS_SLAVE, 0 };
  ERR("two propagation types", sc_setattr(AT_FDCWD, "/tmp/n2", 0, &d, sizeof d), EINVAL);
  /* fspick: reconfigure read-only */
  int pk = sc_fspick(AT_FDCWD, "/tmp/n1", 0);
  OK("fspick", pk >= 0);
  {
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN };
    ERR("epoll_ctl of an fspick file (no poll)", epoll_ctl(ep, EPOLL_CTL_ADD, pk, &ev), EPERM);
    close(ep);
  }
  ERR("fspick of a non-root", sc_fspick(AT_FDCWD, "/tmp/n1/f", 0), EINVAL);
  OK("reconfigure ro", sc_fsconfig(pk, 0, "ro", NULL, 0) == 0 && sc_fsconfig(pk, 7 /* RECONFIGURE */, NULL, NULL, 0) == 0);
  ERR("the filesystem is read-only now", open("/tmp/n1/i", O_WRONLY | O_CREAT, 0644), EROFS);
  ERR("so is its clone", open("/tmp/n2/i", O_WRONLY | O_CREAT, 0644), EROFS);
  close(pk);
  /* move_mount of an attached mount: as MS_MOVE */
  mkdir("/tmp/n3", 0755);
  OK("move_mount of an attached mount", sc_move_mount(AT_FDCWD, "/tmp/n2", AT_FDCWD, "/tmp/n3", 0) == 0 &&
     get("/tmp/n3/f", buf, sizeof buf) == 7 && mountinfo("/tmp/n2", &m) != 0);
  ERR("move_mount of a non-root", sc_move_mount(AT_FDCWD, "/tmp/n1/f", AT_FDCWD, "/tmp/n2", 0), EINVAL);
  ERR("move_mount bad flags", sc_move_mount(AT_FDCWD, "/tmp/n1", AT_FDCWD, "/tmp/n2", 0x8000), EINVAL);
}

int main(void) {
  in_mount_ns(busy_and_magic);
  in_mount_ns(newapi);
  in_mount_ns(basics);
  in_mount_ns(propagation);
  in_mount_ns(mounts_poll);
  in_mount_ns(pivot);
  /* the parent's namespace never saw any of it */
  struct mi m;
  OK("the parent's /tmp is no tmpfs of ours", mountinfo("/tmp/pr", &m) != 0 && access("/tmp/pr", F_OK) != 0);
  return t_done();
}
