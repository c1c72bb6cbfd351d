/* overlay.c - overlayfs (mount -t overlay) in a private mount namespace,
 * with its layers first on a tmpfs, then on the filesystem of the cwd
 * (the host's under umk: hostfs): the merged view (upper over lower,
 * lowers in order), readdir's merge and d_ino, st_dev/st_ino and
 * st_nlink as Linux's defaults give them, copy-up on write, open for
 * writing, chmod, chown, utimes, truncate, setxattr and link (data,
 * mode, owner, times, xattrs kept), whiteouts left by unlink and rmdir,
 * opaque directories made over whiteouts, rename (EXDEV for a merged
 * directory), a read-only mount of two lowers, statfs's magic, the
 * mountinfo line, inotify on an overlay file after its copy-up, and the
 * errors of bad options and layers.  Each pass runs in a child that
 * unshares its mount namespace first, so a native run changes nothing
 * outside it.                                                          */
#include "t.h"
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>


static void put(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    if (write(fd, text, strlen(text)) < 0) t_failed++;
    close(fd);
  }
}

static const char *get(const char *path) {
  static char buf[256];
  int fd = open(path, O_RDONLY);
  if (fd < 0) return "(none)";
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  buf[n > 0 ? n : 0] = 0;
  return buf;
}

/* the names of directory p, sorted, space-separated */
static const char *names(const char *p) {
  static char out[1024];
  char *v[128];
  int n = 0;
  DIR *d = opendir(p);
  out[0] = 0;
  if (!d) return "(error)";
  struct dirent *e;
  while ((e = readdir(d)) && n < 128)
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) v[n++] = strdup(e->d_name);
  closedir(d);
  for (int i = 0; i < n; i++)
    for (int j = i + 1; j < n; j++)
      if (strcmp(v[i], v[j]) > 0) { char *x = v[i]; v[i] = v[j]; v[j] = x; }
  for (int i = 0; i < n; i++) {
    strcat(out, i ? " " : "");
    strcat(out, v[i]);
    free(v[i]);
  }
  return out;
}

/* every entry's d_ino of directory p is the st_ino stat gives */
static int dino_match(const char *p) {
  DIR *d = opendir(p);
  struct dirent *e;
  char path[512];
  struct stat st;
  int ok = d != NULL, n = 0;
  while (d && (e = readdir(d))) {
    if (!strcmp(e->d_name, "..")) continue;
    snprintf(path, sizeof path, "%s/%s", p, e->d_name);
    if (lstat(path, &st) || st.st_ino != e->d_ino) ok = 0;
    n++;
  }
  if (d) closedir(d);
  return ok && n > 1;
}

static int is_whiteout(const char *p) {
  struct stat st;
  return lstat(p, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0);
}

static int opaque(const char *p) {
  char v[8];
  ssize_t n = getxattr(p, "trusted.overlay.opaque", v, sizeof v);
  return n == 1 && v[0] == 'y';
}

static int in_child(void (*fn)(const char *), const char *base) {
  fflush(stdout);
  pid_t c = fork();
  if (c == 0) {
    if (unshare(CLONE_NEWNS) || mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
      printf("FAIL cannot make a private mount namespace (%s)\n", en(errno));
      _exit(2);
    }
    fn(base);
    _exit(t_failed ? 1 : 0);
  }
  int st;
  waitpid(c, &st, 0);
  if (!WIFEXITED(st) || WEXITSTATUS(st)) t_failed++;
  return st;
}

/* the whole of it, in directory base (made empty) */
static void layers(const char *base) {
  struct stat st, st2, lst;
  struct statfs sfs;
  char buf[512];
  printf("# layers in %s\n", base[0] == '/' ? "a tmpfs" : "the cwd's filesystem");
  OK("chdir to the base", chdir(base) == 0);
  mkdir("l1", 0755), mkdir("l2", 0755), mkdir("u", 0755), mkdir("w", 0755), mkdir("m", 0755);
  put("l1/a", "lower a\n");
  put("l1/shadow", "l1 shadow\n");
  put("l2/shadow", "l2 shadow\n");
  put("l2/b", "lower b\n");
  put("u/top", "upper only\n");
  mkdir("l1/d", 0755), put("l1/d/x", "x\n"), mkdir("l2/d", 0755), put("l2/d/y", "y\n");
  mkdir("l1/ld", 0750), put("l1/ld/f", "f\n");
  mkdir("l2/empty", 0755);
  symlink("a", "l1/sym");
  put("l1/own", "owned\n");
  OK("chown a lower file", chown("l1/own", 1234, 5678) == 0);
  struct timespec ts[2] = { { 1000000000, 0 }, { 1100000000, 0 } };
  OK("set a lower file's times", utimensat(AT_FDCWD, "l1/own", ts, 0) == 0);
  OK("set a lower dir's times", utimensat(AT_FDCWD, "l1/ld", ts, 0) == 0);
  int xa = setxattr("l1/own", "user.tag", "v1", 2, 0) == 0;
  put("l1/big", "");
  int fd = open("l1/big", O_WRONLY);
  for (int i = 0; i < 300; i++) { memset(buf, 'a' + i % 26, 512); if (write(fd, buf, 512) != 512) t_failed++; }
  close(fd);
  stat("l1/a", &lst);

  OK("mount overlay lowerdir=l1:l2,upperdir=u,workdir=w",
     mount("overlay", "m", "overlay", 0, "lowerdir=l1:l2,upperdir=u,workdir=w") == 0);
  printf("merged: %s\n", names("m"));
  printf("m/d: %s\n", names("m/d"));
  printf("a=%s", get("m/a"));
  printf("shadow=%s", get("m/shadow"));
  printf("b=%s", get("m/b"));
  printf("top=%s", get("m/top"));
  OK("readlink through the overlay", readlink("m/sym", buf, sizeof buf) == 1 && buf[0] == 'a');
  OK("workdir/work made, mode 0", stat("w/work", &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0);
  /* st_dev and st_ino: all layers on one filesystem */
  struct stat root, rootfs_dir;
  OK("stat the overlay's root", stat("m", &root) == 0 && stat(".", &rootfs_dir) == 0);
  OK("the overlay has a device of its own", root.st_dev != rootfs_dir.st_dev);
  OK("a lower file: the overlay's st_dev, the real st_ino",
     stat("m/a", &st) == 0 && st.st_dev == root.st_dev && st.st_ino == lst.st_ino);
  OK("a merged directory has st_nlink 1", stat("m/d", &st) == 0 && st.st_nlink == 1);
  OK("a lower-only directory keeps its st_nlink", stat("m/ld", &st) == 0 && st.st_nlink == 2);
  OK("d_ino is st_ino in the merged root", dino_match("m"));
  OK("statfs: overlayfs's magic", statfs("m", &sfs) == 0 && sfs.f_type == 0x794c7630);
  /* mountinfo */
  {
    FILE *f = fopen("/proc/self/mountinfo", "r");
    char line[1024];
    int found = 0;
    while (f && fgets(line, sizeof line, f))
      if (strstr(line, " - overlay overlay ") && strstr(line, "lowerdir=l1:l2") && strstr(line, "upperdir=u") &&
          strstr(line, "workdir=w"))
        found = 1;
    if (f) fclose(f);
    OK("mountinfo: overlay overlay ...lowerdir=l1:l2,upperdir=u,workdir=w", found);
  }
  /* copy-up by write: the lower file stays, the upper one has it all */
  fd = open("m/a", O_WRONLY | O_APPEND);
  OK("open a lower file for writing", fd >= 0 && write(fd, "more\n", 5) == 5);
  close(fd);
  printf("a after append=%s", get("m/a"));
  printf("l1/a=%s", get("l1/a"));
  printf("u/a=%s", get("u/a"));
  OK("copied up: same st_ino", stat("m/a", &st) == 0 && st.st_ino == lst.st_ino && st.st_dev == root.st_dev);
  /* copy-up by chmod keeps owner, times, xattrs */
  stat("m/own", &st2);
  OK("chmod a lower file", chmod("m/own", 0640) == 0);
  OK("the upper copy: mode", stat("u/own", &st) == 0 && (st.st_mode & 07777) == 0640);
  OK("the upper copy: owner", st.st_uid == 1234 && st.st_gid == 5678);
  OK("the upper copy: mtime", st.st_mtime == 1100000000);
  OK("the overlay's inode number survives the copy-up", stat("m/own", &st) == 0 && st.st_ino == st2.st_ino);
  if (xa) {
    OK("the upper copy: xattrs", getxattr("u/own", "user.tag", buf, sizeof buf) == 2 && !memcmp(buf, "v1", 2));
    OK("getxattr through the overlay", getxattr("m/own", "user.tag", buf, sizeof buf) == 2);
  } else {
    printf("ok the upper copy: xattrs\nok getxattr through the overlay\n");
  }
  OK("the lower file's mode is unchanged", stat("l1/own", &st) == 0 && (st.st_mode & 07777) == 0644);
  /* copy-up of a directory: its parents, its times */
  OK("chmod a file in a lower-only dir", chmod("m/ld/f", 0600) == 0);
  OK("its directory was copied up with its mode", stat("u/ld", &st) == 0 && (st.st_mode & 07777) == 0750);
  OK("... and its times", st.st_mtime == 1100000000);
  OK("... its lower files stay visible", !strcmp(names("m/ld"), "f"));
  /* a big file copied up whole */
  OK("truncate a lower file through the overlay", truncate("m/big", 1000) == 0 && stat("m/big", &st) == 0 &&
     st.st_size == 1000);
  OK("the lower one keeps its size", stat("l1/big", &st) == 0 && st.st_size == 300 * 512);
  fd = open("m/big", O_RDONLY);
  OK("read a copied-up file", fd >= 0 && pread(fd, buf, 10, 990) == 10 && buf[9] == 'b');
  close(fd);
  /* mmap of a lower file */
  fd = open("m/shadow", O_RDONLY);
  char *p = fd >= 0 ? mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
  OK("mmap a lower file", p != MAP_FAILED && !memcmp(p, "l1 shadow", 9));
  if (p != MAP_FAILED) munmap(p, 4096);
  close(fd);
  /* utimes, setxattr, link copy up */
  OK("utimes a lower file", utimensat(AT_FDCWD, "m/b", ts, 0) == 0 && stat("u/b", &st) == 0 &&
     st.st_mtime == 1100000000);
  OK("link a lower file", link("m/shadow", "m/shadow2") == 0 && stat("m/shadow", &st) == 0 && st.st_nlink == 2);
  OK("... both names upper", stat("u/shadow", &st) == 0 && stat("u/shadow2", &st2) == 0 && st.st_ino == st2.st_ino);
  printf("shadow2=%s", get("m/shadow2"));
  /* unlink: whiteouts */
  OK("unlink a lower file", unlink("m/b") == 0);
  ERR("it is gone", stat("m/b", &st), ENOENT);
  OK("a whiteout on the upper layer", is_whiteout("u/b"));
  OK("the lower file stays", stat("l2/b", &st) == 0);
  OK("unlink an upper-only file: no whiteout", unlink("m/top") == 0 && lstat("u/top", &st) == -1 && errno == ENOENT);
  OK("unlink a copied-up file: a whiteout", unlink("m/a") == 0 && is_whiteout("u/a"));
  printf("merged after unlinks: %s\n", names("m"));
  OK("make a file over a whiteout", (fd = open("m/a", O_CREAT | O_WRONLY | O_EXCL, 0600)) >= 0);
  close(fd);
  OK("it is a regular empty file", stat("m/a", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0);
  /* rmdir */
  ERR("rmdir a non-empty merged dir", rmdir("m/d"), ENOTEMPTY);
  OK("empty it", unlink("m/d/x") == 0 && unlink("m/d/y") == 0 && !strcmp(names("m/d"), ""));
  OK("rmdir the emptied merged dir", rmdir("m/d") == 0);
  OK("a whiteout for it", is_whiteout("u/d"));
  OK("mkdir over the whiteout", mkdir("m/d", 0700) == 0);
  OK("the new dir is opaque (trusted.overlay.opaque)", opaque("u/d"));
  OK("and empty", !strcmp(names("m/d"), ""));
  ERR("trusted.overlay.* through the overlay is the guest's own", getxattr("m/d", "trusted.overlay.opaque", buf, sizeof buf),
      ENODATA);
  OK("set trusted.overlay.foo through the overlay", setxattr("m/d", "trusted.overlay.foo", "1", 1, 0) == 0 &&
     getxattr("m/d", "trusted.overlay.foo", buf, sizeof buf) == 1 && opaque("u/d"));
  OK("... is trusted.overlay.overlay.foo on the upper layer", getxattr("u/d", "trusted.overlay.overlay.foo", buf, sizeof buf) == 1);
  OK("rmdir a lower-only empty dir", rmdir("m/empty") == 0 && is_whiteout("u/empty"));
  /* rename */
  ERR("rename a merged dir", rename("m/ld", "m/ld2"), EXDEV);
  OK("rename a lower file", rename("m/shadow2", "m/moved") == 0 && !strcmp(get("m/moved"), "l1 shadow\n"));
  OK("rename a lower-only file", rename("m/sym", "m/sym2") == 0 && is_whiteout("u/sym") &&
     readlink("m/sym2", buf, sizeof buf) == 1);
  OK("mkdir an upper dir", mkdir("m/nd", 0755) == 0 && mkdir("m/nd/sub", 0755) == 0);
  OK("rename an upper-only dir", rename("m/nd", "m/nd2") == 0 && !strcmp(names("m/nd2"), "sub"));
  OK("rename a file over a lower file", rename("m/moved", "m/own") == 0 && !strcmp(get("m/own"), "l1 shadow\n"));
  printf("merged: %s\n", names("m"));
  printf("upper: %s\n", names("u"));
  OK("d_ino is st_ino in the merged root after copy-ups", dino_match("m"));
  /* inotify on an overlay file: events through the overlay only */
  {
    put("l1/watched", "w\n");
    int in = inotify_init1(IN_NONBLOCK), n, off = 0;
    int wd = inotify_add_watch(in, "m/watched", IN_ATTRIB | IN_OPEN | IN_CLOSE_WRITE | IN_MODIFY);
    OK("inotify watch of a lower file", in >= 0 && wd >= 0);
    chmod("m/watched", 0600);
    put("m/watched", "new\n");
    put("l1/watched", "lower\n");
    put("u/watched", "upper\n");
    n = read(in, buf, sizeof buf);
    printf("events:");
    while (n > 0 && off < n) {
      struct inotify_event *ev = (void *)(buf + off);
      printf(" %x", ev->mask);
      off += sizeof *ev + ev->len;
    }
    printf("\n");
    close(in);
  }
  /* open for writing by fd then fchmod */
  OK("umount the overlay", umount("m") == 0);
  /* the upper and work dirs keep working for the next mount */
  OK("mount it again", mount("overlay", "m", "overlay", 0, "lowerdir=l1:l2,upperdir=u,workdir=w") == 0);
  printf("merged again: %s\n", names("m"));
  OK("umount", umount("m") == 0);

  /* an overlay as the lower layer of another */
  mkdir("u2", 0755), mkdir("w2", 0755), mkdir("m2", 0755);
  OK("mount the overlay again", mount("overlay", "m", "overlay", 0, "lowerdir=l1:l2,upperdir=u,workdir=w") == 0);
  OK("an overlay over it", mount("overlay", "m2", "overlay", 0, "lowerdir=m,upperdir=u2,workdir=w2") == 0);
  printf("nested: %s\n", names("m2"));
  fd = open("m2/shadow", O_WRONLY | O_APPEND);
  OK("write through the outer overlay", fd >= 0 && write(fd, "outer\n", 6) == 6);
  close(fd);
  printf("outer shadow=%s", get("m2/shadow"));
  printf("inner shadow=%s", get("m/shadow"));
  printf("outer upper: %s\n", names("u2"));
  ERR("an overlay as the upper layer", mount("overlay", "m2", "overlay", 0, "lowerdir=l2,upperdir=m/nd2,workdir=m/d"),
      EINVAL);
  OK("umount both", umount("m2") == 0 && umount("m") == 0);

  /* read-only: lowers only */
  OK("mount lowerdir=l2:l1 alone", mount("overlay", "m", "overlay", 0, "lowerdir=l2:l1") == 0);
  printf("ro merged: %s\n", names("m"));
  printf("ro shadow=%s", get("m/shadow"));
  ERR("create on a lower-only overlay", open("m/new", O_CREAT | O_WRONLY, 0644), EROFS);
  ERR("unlink on a lower-only overlay", unlink("m/shadow"), EROFS);
  OK("statfs: read-only", statfs("m", &sfs) == 0 && (sfs.f_flags & ST_RDONLY));
  OK("umount", umount("m") == 0);

  /* layers on two filesystems: directories show the overlay's st_dev,
   * other objects the real st_ino on a st_dev per layer filesystem */
  mkdir("t2", 0755);
  if (mount("tmpfs", "t2", "tmpfs", 0, NULL) == 0) {
    struct stat ovr, lowf, upf, realf, reald, d1, d2;
    mkdir("t2/l", 0755), mkdir("t2/l/sub", 0755), put("t2/l/f", "f\n"), mkdir("u3", 0755), mkdir("w3", 0755);
    put("u3/g", "g\n");
    OK("mount lower and upper on two filesystems",
       mount("overlay", "m", "overlay", 0, "lowerdir=t2/l,upperdir=u3,workdir=w3") == 0);
    OK("stat them", stat("m", &ovr) == 0 && stat("m/f", &lowf) == 0 && stat("m/g", &upf) == 0 &&
       stat("t2/l/f", &realf) == 0 && stat("t2/l/sub", &reald) == 0 && stat("m/sub", &d1) == 0 &&
       stat(".", &d2) == 0);
    OK("a directory: the overlay's st_dev", d1.st_dev == ovr.st_dev);
    OK("a lower file: not the overlay's st_dev, not its real one", lowf.st_dev != ovr.st_dev &&
       lowf.st_dev != realf.st_dev);
    OK("... its real st_ino", lowf.st_ino == realf.st_ino);
    OK("an upper file: another st_dev", upf.st_dev != lowf.st_dev && upf.st_dev != ovr.st_dev &&
       upf.st_dev != d2.st_dev);
    OK("the copy-up keeps st_dev and st_ino", chmod("m/f", 0600) == 0 && stat("m/f", &st) == 0 &&
       st.st_dev == lowf.st_dev && st.st_ino == lowf.st_ino);
    OK("umount", umount("m") == 0);
    umount("t2");
  } else {
    printf("FAIL a second tmpfs (%s)\n", en(errno));
    t_failed++;
  }

  /* errors */
  mkdir("w2", 0755), mkdir("u/w", 0755);
  ERR("no lowerdir", mount("overlay", "m", "overlay", 0, "upperdir=u,workdir=w"), EINVAL);
  ERR("upperdir without workdir", mount("overlay", "m", "overlay", 0, "lowerdir=l1,upperdir=u"), EINVAL);
  ERR("one lowerdir alone", mount("overlay", "m", "overlay", 0, "lowerdir=l1"), EINVAL);
  ERR("a missing lowerdir", mount("overlay", "m", "overlay", 0, "lowerdir=l1:nonexistent"), ENOENT);
  ERR("a lowerdir that is a file", mount("overlay", "m", "overlay", 0, "lowerdir=l1:l1/own"), EINVAL);
  ERR("an unknown option", mount("overlay", "m", "overlay", 0, "lowerdir=l1:l2,bogus=1"), EINVAL);
  ERR("workdir inside upperdir", mount("overlay", "m", "overlay", 0, "lowerdir=l1,upperdir=u,workdir=u/w"), EINVAL);
  ERR("no options", mount("overlay", "m", "overlay", 0, NULL), EINVAL);
  ERR("options at a bad address", mount("overlay", "m", "overlay", 0, (void *)8), EFAULT);
  OK("chdir back", chdir("..") == 0);
}

static void on_tmpfs(const char *base) {
  if (mount("tmpfs", base, "tmpfs", 0, NULL)) {
    printf("FAIL cannot mount a tmpfs (%s)\n", en(errno));
    t_failed++;
    return;
  }
  layers(base);
}

static void on_cwd(const char *base) {
  mkdir(base, 0755);
  layers(base);
}

int main(void) {
  if (geteuid()) {
    printf("SKIP needs root (mount)\n");
    return 0;
  }
  mkdir("/tmp/ovlt", 0755);
  in_child(on_tmpfs, "/tmp/ovlt");
  rmdir("/tmp/ovlt");
  in_child(on_cwd, "ovl-cwd");
  return t_done();
}
