/* ext2fs.c - ext2/ext3/ext4 on a loop device: mount(2) of an image,
 * files, directories, symlinks (fast and slow), hard links, fifos and
 * device nodes, write and read, mmap writes seen by read and kept,
 * rename (replace, RENAME_NOREPLACE, RENAME_EXCHANGE, a directory to
 * another parent and its ".."), rmdir/unlink errors, xattrs, the
 * immutable and append-only flags (FS_IOC_SETFLAGS), utimensat, statfs,
 * a full filesystem (ENOSPC, and the space back after unlink), an
 * unlinked file open, umount (EBUSY while a file is open), a read-only
 * remount, a second mount that finds everything again, and mount errors
 * (ENOTBLK, ENXIO, a bad superblock: EINVAL).
 *
 * Modes:
 *   ext2fs                 makes its own image with the root's mke2fs
 *                          (busybox: ext2) and runs the whole test
 *   ext2fs IMG TYPE        runs it on IMG (made on the host by
 *                          tests/run-ext2-tests.sh, which then runs
 *                          `e2fsck -fn IMG`), mounted as TYPE
 *   ext2fs --walk IMG TYPE mounts a corrupted image and walks it: every
 *                          call may fail, nothing may crash ("walk done")
 *   ext2fs --mount IMG TYPE ro|rw   prints one mount's result
 *   ext2fs --falloc IMG TYPE  fallocate and SEEK_DATA/SEEK_HOLE, compared
 *                          with the same run on the host's own ext4 driver
 *
 * Run under umk against tests/guest/ext2fs.expected, not natively (it
 * binds loop devices and mounts: Linux 6.x as root gives the same).  */
#include "t.h"
#include <stdbool.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/fiemap.h>
#include <linux/loop.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#define MNT "/tmp/ext2mnt"

static char buf[1 << 16];

static int attach(const char *img, char *dev, size_t len) {
  int ctl = open("/dev/loop-control", O_RDWR);
  int nr = ioctl(ctl, LOOP_CTL_GET_FREE);
  close(ctl);
  if (nr < 0) return -1;
  snprintf(dev, len, "/dev/loop%d", nr);
  int d = open(dev, O_RDWR), f = open(img, O_RDWR);
  if (d < 0 || f < 0 || ioctl(d, LOOP_SET_FD, f)) return -1;
  close(f);
  return d;
}

static void detach(int d) {
  ioctl(d, LOOP_CLR_FD);
  close(d);
}

static int spew(const char *path, const char *s) {
  int f = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (f < 0) return -1;
  int r = write(f, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -1;
  close(f);
  return r;
}

static int slurp(const char *path, char *out, size_t n) {
  int f = open(path, O_RDONLY);
  if (f < 0) return -1;
  ssize_t r = read(f, out, n - 1);
  close(f);
  if (r < 0) return -1;
  out[r] = 0;
  return (int)r;
}

static unsigned sum(const char *p, size_t n) {
  unsigned s = 0;
  for (size_t i = 0; i < n; i++) s = s * 31 + (unsigned char)p[i];
  return s;
}

/* ---- the corrupted-image walk ---- */

static int walked;

static void walk(const char *dir, int depth) {
  DIR *d = opendir(dir);
  struct dirent *e;
  char p[4096], t[256];
  if (!d || depth > 6) {
    if (d) closedir(d);
    return;
  }
  while ((e = readdir(d)) && walked < 2000) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    walked++;
    snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
    struct stat st;
    if (lstat(p, &st)) continue;
    readlink(p, t, sizeof t);
    getxattr(p, "user.x", t, sizeof t);
    listxattr(p, t, sizeof t);
    if (S_ISDIR(st.st_mode)) {
      walk(p, depth + 1);
    } else if (S_ISREG(st.st_mode)) {
      int f = open(p, O_RDWR);
      if (f < 0) f = open(p, O_RDONLY);
      if (f >= 0) {
        while (read(f, buf, sizeof buf) > 0) ;
        pwrite(f, "x", 1, 3);
        void *m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, f, 0);
        if (m != MAP_FAILED) munmap(m, 4096);
        close(f);
      }
      rename(p, p);
    }
  }
  closedir(d);
  snprintf(p, sizeof p, "%s/new", dir);
  spew(p, "new");
  unlink(p);
  mkdir(p, 0755);
  rmdir(p);
}

static int walk_main(const char *img, const char *type) {
  char dev[32];
  int d = attach(img, dev, sizeof dev);
  OK("attach", d >= 0);
  mkdir(MNT, 0755);
  if (mount(dev, MNT, type, 0, NULL) == 0) {
    walk(MNT, 0);
    struct statfs sf;
    statfs(MNT, &sf);
    sync();
    umount(MNT);
  }
  /* and read-only */
  if (mount(dev, MNT, type, MS_RDONLY, NULL) == 0) {
    walk(MNT, 0);
    umount(MNT);
  }
  detach(d);
  printf("walk done\n");
  return t_done();
}

/* ---- the whole test ---- */

static uint16_t sb_u16(const char *img, off_t off) {
  uint16_t v = 0;
  int f = open(img, O_RDONLY);
  pread(f, &v, 2, 1024 + off);
  close(f);
  return v;
}

static uint32_t sb_u32(const char *img, off_t off) {
  uint32_t v = 0;
  int f = open(img, O_RDONLY);
  pread(f, &v, 4, 1024 + off);
  close(f);
  return v;
}

static void test(const char *img, const char *type) {
  char dev[32], p[256], q[256], t[600];
  struct stat st, st2;
  struct statfs sf;
  int d = attach(img, dev, sizeof dev);
  OK("attach the image", d >= 0);
  bool big_inodes = sb_u32(img, 76) >= 1 && sb_u16(img, 88) > 128;   /* s_rev_level, s_inode_size */
  bool extents = sb_u32(img, 96) & 0x40;                            /* INCOMPAT_EXTENTS */
  uint32_t bsize = 1024u << sb_u32(img, 24);

  {
    unsigned long ra0 = 0, ra = 0;
    OK("BLKRAGET", ioctl(d, BLKRAGET, &ra0) == 0);
    OK("BLKRASET 1024 sectors reads back", ioctl(d, BLKRASET, 1024UL) == 0 && ioctl(d, BLKRAGET, &ra) == 0 &&
       ra == 1024);
    OK("BLKRASET 0 reads back", ioctl(d, BLKRASET, 0UL) == 0 && ioctl(d, BLKRAGET, &ra) == 0 && ra == 0);
    ioctl(d, BLKRASET, ra0);
  }
  mkdir(MNT, 0755);
  OK("mount", mount(dev, MNT, type, 0, NULL) == 0);
  {
    FILE *fs = fopen("/proc/filesystems", "r");
    char line[128];
    int seen = 0;
    while (fs && fgets(line, sizeof line, fs))
      if (!strcmp(line, "\text2\n") || !strcmp(line, "\text3\n") || !strcmp(line, "\text4\n")) seen++;
    if (fs) fclose(fs);
    OK("/proc/filesystems lists ext2, ext3, ext4 (not nodev)", seen == 3);
  }
  OK("statfs", statfs(MNT, &sf) == 0);
  OK("f_type is EXT2_SUPER_MAGIC", sf.f_type == 0xEF53);
  OK("f_bsize is the block size", sf.f_bsize == bsize);
  OK("f_namelen 255", sf.f_namelen == 255);
  OK("f_bavail <= f_bfree < f_blocks", sf.f_bavail <= sf.f_bfree && sf.f_bfree < sf.f_blocks);
  OK("f_ffree < f_files", sf.f_ffree < sf.f_files && sf.f_files > 0);
  fsblkcnt_t bfree0 = sf.f_bfree;
  struct stat mst;
  stat(MNT, &mst);
  OK("root is inode 2", mst.st_ino == 2);
  OK("lost+found is there", stat(MNT "/lost+found", &st) == 0 && S_ISDIR(st.st_mode));

  /* files and directories */
  OK("mkdir", mkdir(MNT "/d", 0755) == 0);
  ERR("mkdir again", mkdir(MNT "/d", 0755), EEXIST);
  OK("write a file", spew(MNT "/d/f", "hello, ext2\n") == 0);
  OK("read it back", slurp(MNT "/d/f", t, sizeof t) == 12 && !strcmp(t, "hello, ext2\n"));
  OK("stat", stat(MNT "/d/f", &st) == 0 && st.st_size == 12 && S_ISREG(st.st_mode) &&
     (st.st_mode & 07777) == 0644 && st.st_nlink == 1);
  OK("st_dev is the mount's", st.st_dev == mst.st_dev);
  OK("st_blocks counts the data block", st.st_blocks == bsize / 512);
  OK("st_blksize is the block size", st.st_blksize == (blksize_t)bsize);
  ERR("O_EXCL on it", open(MNT "/d/f", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
  ERR("open a missing file", open(MNT "/d/nope", O_RDONLY), ENOENT);
  ERR("a file as a directory", open(MNT "/d/f/x", O_RDONLY), ENOTDIR);
  OK("parent's nlink counts the subdirectory", stat(MNT, &st2) == 0 && st2.st_nlink == mst.st_nlink + 1);

  /* links */
  OK("link", link(MNT "/d/f", MNT "/d/g") == 0);
  OK("nlink 2 on both names", stat(MNT "/d/g", &st2) == 0 && st2.st_nlink == 2 && st2.st_ino == st.st_ino);
  ERR("link onto an existing name", link(MNT "/d/f", MNT "/d/g"), EEXIST);
  ERR("link of a directory", link(MNT "/d", MNT "/d2"), EPERM);
  OK("fast symlink", symlink("f", MNT "/d/s") == 0);
  memset(t, 'a', 300);
  t[300] = 0;
  OK("slow symlink (300 bytes)", symlink(t, MNT "/d/long") == 0);
  ssize_t n = readlink(MNT "/d/s", q, sizeof q);
  OK("readlink of the fast one", n == 1 && q[0] == 'f');
  n = readlink(MNT "/d/long", p, sizeof p);
  OK("readlink of the slow one, cut at the buffer", n == (ssize_t)sizeof p && p[0] == 'a');
  OK("lstat of the slow one", lstat(MNT "/d/long", &st2) == 0 && S_ISLNK(st2.st_mode) && st2.st_size == 300);
  OK("open through the symlink", slurp(MNT "/d/s", q, sizeof q) == 12);
  OK("mkfifo", mkfifo(MNT "/d/p", 0600) == 0);
  OK("it is a fifo", stat(MNT "/d/p", &st2) == 0 && S_ISFIFO(st2.st_mode));
  {
    int r = open(MNT "/d/p", O_RDONLY | O_NONBLOCK), w = open(MNT "/d/p", O_WRONLY | O_NONBLOCK);
    OK("the fifo carries data", r >= 0 && w >= 0 && write(w, "zz", 2) == 2 && read(r, q, 2) == 2);
    close(r);
    close(w);
  }
  OK("mknod c 1:3", mknod(MNT "/d/null", S_IFCHR | 0666, makedev(1, 3)) == 0);
  OK("its rdev", stat(MNT "/d/null", &st2) == 0 && S_ISCHR(st2.st_mode) && st2.st_rdev == makedev(1, 3));
  OK("mknod b 300:70000 (new encoding)", mknod(MNT "/d/blk", S_IFBLK | 0600, makedev(300, 70000)) == 0);
  OK("its rdev", stat(MNT "/d/blk", &st2) == 0 && S_ISBLK(st2.st_mode) && st2.st_rdev == makedev(300, 70000));

  /* data: a larger file, pread, truncate */
  int f = open(MNT "/big", O_RDWR | O_CREAT, 0600);
  for (size_t i = 0; i < sizeof buf; i++) buf[i] = (char)(i * 7 + i / 1000);
  unsigned s0 = sum(buf, sizeof buf);
  OK("write 64 KiB", write(f, buf, sizeof buf) == (ssize_t)sizeof buf);
  OK("write 64 KiB more at 1 MiB (a hole before)", pwrite(f, buf, sizeof buf, 1 << 20) == (ssize_t)sizeof buf);
  OK("size", fstat(f, &st2) == 0 && st2.st_size == (1 << 20) + (off_t)sizeof buf);
  OK("the hole is not allocated", st2.st_blocks < 300 * 2);
  memset(buf, 1, sizeof buf);
  OK("pread the hole: zeros", pread(f, buf, 4096, 512 * 1024) == 4096 && buf[0] == 0 && buf[4095] == 0);
  OK("pread back", pread(f, buf, sizeof buf, 0) == (ssize_t)sizeof buf && sum(buf, sizeof buf) == s0);

  /* mmap: writes through the mapping are seen by read, and reach the image */
  char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
  OK("mmap MAP_SHARED", m != MAP_FAILED);
  OK("the mapping shows the data", m != MAP_FAILED && !memcmp(m, buf, 8192));
  if (m != MAP_FAILED) {
    memcpy(m + 100, "MAPPED", 6);
    OK("read sees the mapping's write", pread(f, q, 6, 100) == 6 && !memcmp(q, "MAPPED", 6));
    OK("pwrite", pwrite(f, "WRITTEN", 7, 200) == 7);
    OK("the mapping sees the write", !memcmp(m + 200, "WRITTEN", 7));
    OK("msync", msync(m, 8192, MS_SYNC) == 0);
    munmap(m, 8192);
  }
  OK("fsync", fsync(f) == 0);
  {
    /* cachestat: the pages of the range, none dirty after the fsync */
    struct { uint64_t off, len; } cr = { 0, 3 * 4096 };
    struct { uint64_t cache, dirty, wb, evicted, revicted; } cs;
    int pp[2];
    OK("cachestat: 3 pages, none dirty", syscall(451, f, &cr, &cs, 0) == 0 && cs.cache + cs.evicted == 3 &&
       cs.dirty == 0);
    ERR("cachestat flags", syscall(451, f, &cr, &cs, 1), EINVAL);
    ERR("cachestat bad fd", syscall(451, 999, &cr, &cs, 0), EBADF);
    ERR("cachestat bad range pointer", syscall(451, f, (void *)8, &cs, 0), EFAULT);
    pipe(pp);
    OK("cachestat of a pipe: nothing", syscall(451, pp[1], &cr, &cs, 0) == 0 && cs.cache == 0 && cs.dirty == 0);
    close(pp[0]);
    close(pp[1]);
  }
  OK("fdatasync", fdatasync(f) == 0);
  OK("ftruncate down", ftruncate(f, 5000) == 0 && fstat(f, &st2) == 0 && st2.st_size == 5000);
  OK("ftruncate up", ftruncate(f, 9000) == 0 && pread(f, q, 10, 8000) == 10 && q[0] == 0 && q[9] == 0);
  OK("truncate by path", truncate(MNT "/big", 8192) == 0 && stat(MNT "/big", &st2) == 0 && st2.st_size == 8192);
  {
    int c = open(MNT "/copy", O_RDWR | O_CREAT, 0600), dfd = open(MNT "/d", O_RDONLY), pp[2];
    loff_t o = 0;
    OK("copy_file_range within it", copy_file_range(f, &o, c, NULL, 8192, 0) == 8192 &&
       pread(c, q, 6, 100) == 6 && !memcmp(q, "MAPPED", 6));
    ERR("copy_file_range to a directory (before its mode)", copy_file_range(f, NULL, dfd, NULL, 10, 0), EISDIR);
    pipe(pp);
    ERR("copy_file_range to a pipe's read end (before its mode)", copy_file_range(f, NULL, pp[0], NULL, 10, 0), EINVAL);
    close(pp[0]);
    close(pp[1]);
    close(dfd);
    close(c);
    unlink(MNT "/copy");
  }
  close(f);
  ERR("truncate a directory", truncate(MNT "/d", 0), EISDIR);

  /* FIEMAP: one extent per block written, the last flagged */
  {
    int x = open(MNT "/fie", O_RDWR | O_CREAT, 0600);
    char fb[sizeof(struct fiemap) + 4 * sizeof(struct fiemap_extent)];
    struct fiemap *fm = (struct fiemap *)fb;
    memset(fb, 0, sizeof fb);
    fm->fm_length = ~0ULL;
    fm->fm_extent_count = 4;
    fm->fm_flags = ~0U;
    ERR("FIEMAP with unknown flags", ioctl(x, FS_IOC_FIEMAP, fm), EBADR);
    fm->fm_flags = 0;
    OK("FIEMAP of an empty file: none", ioctl(x, FS_IOC_FIEMAP, fm) == 0 && fm->fm_mapped_extents == 0);
    memset(buf, 'e', bsize);
    for (int i = 0; i < 3; i++) pwrite(x, buf, bsize, 2 * i * (off_t)bsize);
    fm->fm_flags = FIEMAP_FLAG_SYNC;
    OK("FIEMAP: 3 extents", ioctl(x, FS_IOC_FIEMAP, fm) == 0 && fm->fm_mapped_extents == 3);
    OK("their offsets, lengths and flags", fm->fm_extents[1].fe_logical == 2 * bsize &&
       fm->fm_extents[2].fe_length == bsize && fm->fm_extents[0].fe_physical > 0 &&
       !(fm->fm_extents[1].fe_flags & FIEMAP_EXTENT_LAST) && (fm->fm_extents[2].fe_flags & FIEMAP_EXTENT_LAST));
    fm->fm_extent_count = 0;
    OK("FIEMAP counting only", ioctl(x, FS_IOC_FIEMAP, fm) == 0 && fm->fm_mapped_extents == 3);
    close(x);
    unlink(MNT "/fie");
  }

  /* a program on it runs, even one its user may only execute (--x) */
  {
    int in = open("/proc/self/exe", O_RDONLY), out = open(MNT "/prog", O_WRONLY | O_CREAT | O_TRUNC, 0755);
    ssize_t k;
    while ((k = read(in, buf, sizeof buf)) > 0) write(out, buf, k);
    close(in);
    close(out);
    chmod(MNT "/prog", 0111);
    pid_t pid = fork();
    if (pid == 0) {
      setgid(65534);
      setuid(65534);
      execl(MNT "/prog", "prog", "--hello", (char *)NULL);
      printf("FAIL exec: %s\n", en(errno));
      _exit(1);
    }
    int status;
    waitpid(pid, &status, 0);
    OK("the program exited 0", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    unlink(MNT "/prog");
  }

  /* O_TRUNC, O_APPEND */
  f = open(MNT "/d/f", O_WRONLY | O_TRUNC);
  OK("O_TRUNC", f >= 0 && fstat(f, &st2) == 0 && st2.st_size == 0);
  OK("the other name sees it", stat(MNT "/d/g", &st2) == 0 && st2.st_size == 0);
  write(f, "abc", 3);
  close(f);
  f = open(MNT "/d/f", O_WRONLY | O_APPEND);
  write(f, "def", 3);
  close(f);
  OK("O_APPEND", slurp(MNT "/d/g", q, sizeof q) == 6 && !strcmp(q, "abcdef"));

  /* rename */
  OK("rename", rename(MNT "/d/f", MNT "/d/h") == 0);
  ERR("the old name is gone", stat(MNT "/d/f", &st2), ENOENT);
  OK("rename onto a hard link of itself: nothing", rename(MNT "/d/h", MNT "/d/g") == 0 &&
     stat(MNT "/d/h", &st2) == 0 && stat(MNT "/d/g", &st2) == 0);
  spew(MNT "/d/victim", "v");
  stat(MNT "/d/victim", &st2);
  OK("rename over a file", rename(MNT "/d/h", MNT "/d/victim") == 0 && stat(MNT "/d/victim", &st2) == 0 &&
     st2.st_ino == st.st_ino);
  ERR("RENAME_NOREPLACE", syscall(SYS_renameat2, AT_FDCWD, MNT "/d/g", AT_FDCWD, MNT "/d/victim",
                                  RENAME_NOREPLACE), EEXIST);
  OK("mkdir a/b, c", mkdir(MNT "/a", 0755) == 0 && mkdir(MNT "/a/b", 0700) == 0 && mkdir(MNT "/c", 0755) == 0);
  struct stat sa, sc;
  stat(MNT "/a", &sa);
  stat(MNT "/c", &sc);
  OK("a directory to another parent", rename(MNT "/a/b", MNT "/c/b") == 0);
  OK("its .. is the new parent", stat(MNT "/c/b/..", &st2) == 0 && st2.st_ino == sc.st_ino);
  OK("link counts move", stat(MNT "/a", &st2) == 0 && st2.st_nlink == sa.st_nlink - 1 &&
     stat(MNT "/c", &st2) == 0 && st2.st_nlink == sc.st_nlink + 1);
  ERR("a directory over a file", rename(MNT "/c/b", MNT "/d/g"), ENOTDIR);
  ERR("a file over a directory", rename(MNT "/d/g", MNT "/c/b"), EISDIR);
  ERR("a directory into itself", rename(MNT "/c", MNT "/c/b/x"), EINVAL);
  mkdir(MNT "/c/b/full", 0755);
  ERR("over a non-empty directory", rename(MNT "/a", MNT "/c/b"), ENOTEMPTY);
  rmdir(MNT "/c/b/full");
  OK("over an empty directory", rename(MNT "/a", MNT "/c/b") == 0 && stat(MNT "/c/b", &st2) == 0 &&
     st2.st_ino == sa.st_ino && stat(MNT "/c", &st2) == 0 && st2.st_nlink == sc.st_nlink + 1);
  OK("RENAME_EXCHANGE of a directory and a file",
     syscall(SYS_renameat2, AT_FDCWD, MNT "/c/b", AT_FDCWD, MNT "/d/g", RENAME_EXCHANGE) == 0 &&
     stat(MNT "/d/g", &st2) == 0 && S_ISDIR(st2.st_mode) && stat(MNT "/c/b", &st2) == 0 && S_ISREG(st2.st_mode));
  OK("the exchanged directory's .. follows", stat(MNT "/d/g/..", &st2) == 0 && stat(MNT "/d", &sa) == 0 &&
     st2.st_ino == sa.st_ino);
  ERR("RENAME_EXCHANGE with a missing name",
      syscall(SYS_renameat2, AT_FDCWD, MNT "/c/b", AT_FDCWD, MNT "/c/nope", RENAME_EXCHANGE), ENOENT);

  /* removal */
  ERR("rmdir a non-empty directory", rmdir(MNT "/d"), ENOTEMPTY);
  ERR("unlink a directory", unlink(MNT "/c"), EISDIR);
  ERR("rmdir a file", rmdir(MNT "/d/victim"), ENOTDIR);
  ERR("rmdir a missing one", rmdir(MNT "/nope"), ENOENT);
  OK("unlink one name of two", unlink(MNT "/d/victim") == 0 && stat(MNT "/c/b", &st2) == 0 && st2.st_nlink == 1);
  spew(MNT "/d/open", "abcdef");
  f = open(MNT "/d/open", O_RDWR);
  OK("unlink an open file", unlink(MNT "/d/open") == 0);
  OK("still readable through the fd", pread(f, q, 6, 0) == 6 && !memcmp(q, "abcdef", 6) &&
     fstat(f, &st2) == 0 && st2.st_nlink == 0);
  OK("and writable", pwrite(f, "xyz", 3, 6) == 3 && fstat(f, &st2) == 0 && st2.st_size == 9);
  close(f);
  {
    DIR *dd = opendir(MNT "/d");
    int names = 0;
    struct dirent *e;
    while (dd && (e = readdir(dd))) names++;
    if (dd) closedir(dd);
    OK("readdir: . .. g s long p null blk", names == 8);
  }

  /* xattrs */
  OK("setxattr user.a", setxattr(MNT "/big", "user.a", "one", 3, 0) == 0);
  OK("getxattr", getxattr(MNT "/big", "user.a", q, sizeof q) == 3 && !memcmp(q, "one", 3));
  OK("getxattr size", getxattr(MNT "/big", "user.a", NULL, 0) == 3);
  ERR("getxattr too small", getxattr(MNT "/big", "user.a", q, 1), ERANGE);
  ERR("XATTR_CREATE of an existing one", setxattr(MNT "/big", "user.a", "x", 1, XATTR_CREATE), EEXIST);
  ERR("XATTR_REPLACE of a missing one", setxattr(MNT "/big", "user.b", "x", 1, XATTR_REPLACE), ENODATA);
  OK("trusted.t", setxattr(MNT "/big", "trusted.t", "tt", 2, 0) == 0);
  OK("listxattr", listxattr(MNT "/big", q, sizeof q) == 17);
  ERR("an unknown namespace", setxattr(MNT "/big", "foo.bar", "x", 1, 0), EOPNOTSUPP);
  OK("removexattr", removexattr(MNT "/big", "trusted.t") == 0);
  ERR("getxattr of a removed one", getxattr(MNT "/big", "trusted.t", q, sizeof q), ENODATA);
  ERR("removexattr of a missing one", removexattr(MNT "/big", "user.zz"), ENODATA);

  /* inode flags */
  spew(MNT "/imm", "imm");
  f = open(MNT "/imm", O_RDONLY);
  int fl = 0;
  OK("FS_IOC_GETFLAGS", ioctl(f, FS_IOC_GETFLAGS, &fl) == 0);
  fl |= FS_IMMUTABLE_FL;
  OK("FS_IOC_SETFLAGS immutable", ioctl(f, FS_IOC_SETFLAGS, &fl) == 0);
  fl = 0;
  OK("it reads back", ioctl(f, FS_IOC_GETFLAGS, &fl) == 0 && (fl & FS_IMMUTABLE_FL));
  ERR("open an immutable file for writing", open(MNT "/imm", O_WRONLY), EPERM);
  ERR("unlink it", unlink(MNT "/imm"), EPERM);
  ERR("rename it", rename(MNT "/imm", MNT "/imm2"), EPERM);
  ERR("chmod it", chmod(MNT "/imm", 0600), EPERM);
  ERR("link it", link(MNT "/imm", MNT "/imm2"), EPERM);
  ERR("setxattr on it", setxattr(MNT "/imm", "user.a", "x", 1, 0), EPERM);
  ERR("truncate it", truncate(MNT "/imm", 0), EPERM);
  ERR("utimensat(NULL) of an immutable file", utimensat(AT_FDCWD, MNT "/imm", NULL, 0), EPERM);
  {
    struct statx sx;
    OK("statx: STATX_ATTR_IMMUTABLE", statx(AT_FDCWD, MNT "/imm", 0, STATX_BASIC_STATS, &sx) == 0 &&
       (sx.stx_attributes & STATX_ATTR_IMMUTABLE) && (sx.stx_attributes_mask & STATX_ATTR_IMMUTABLE) &&
       !(sx.stx_attributes & STATX_ATTR_APPEND));
  }
  fl = FS_APPEND_FL;
  OK("append-only instead", ioctl(f, FS_IOC_SETFLAGS, &fl) == 0);
  OK("utimensat(NULL) of an append-only file", utimensat(AT_FDCWD, MNT "/imm", NULL, 0) == 0);
  {
    struct timespec tt[2] = { { 5, 0 }, { 0, UTIME_OMIT } };
    ERR("explicit times on it", utimensat(AT_FDCWD, MNT "/imm", tt, 0), EPERM);
    struct statx sx;
    OK("statx: STATX_ATTR_APPEND", statx(AT_FDCWD, MNT "/imm", 0, STATX_BASIC_STATS, &sx) == 0 &&
       (sx.stx_attributes & STATX_ATTR_APPEND) && !(sx.stx_attributes & STATX_ATTR_IMMUTABLE));
  }
  ERR("open it O_WRONLY", open(MNT "/imm", O_WRONLY), EPERM);
  int a = open(MNT "/imm", O_WRONLY | O_APPEND);
  OK("open it O_APPEND and append", a >= 0 && write(a, "+", 1) == 1);
  close(a);
  ERR("unlink it", unlink(MNT "/imm"), EPERM);
  fl = 0;
  OK("clear the flags", ioctl(f, FS_IOC_SETFLAGS, &fl) == 0);
  OK("now it goes", unlink(MNT "/imm") == 0);
  unsigned ver = 0;
  OK("FS_IOC_GETVERSION", ioctl(f, FS_IOC_GETVERSION, &ver) == 0);
  close(f);

  /* times */
  struct timespec ts[2] = { { 1000000000, 123456789 }, { 1200000000, 987654321 } };
  OK("utimensat", utimensat(AT_FDCWD, MNT "/big", ts, 0) == 0);
  stat(MNT "/big", &st2);
  OK("seconds kept", st2.st_atim.tv_sec == 1000000000 && st2.st_mtim.tv_sec == 1200000000);
  OK("nanoseconds kept where the inode is large enough",
     big_inodes ? st2.st_mtim.tv_nsec == 987654321 && st2.st_atim.tv_nsec == 123456789
                : st2.st_mtim.tv_nsec == 0);
  {
    struct statx sx;
    OK("statx: a birth time where the inode is large enough",
       statx(AT_FDCWD, MNT "/big", 0, STATX_BASIC_STATS | STATX_BTIME, &sx) == 0 &&
       (big_inodes ? (sx.stx_mask & STATX_BTIME) && sx.stx_btime.tv_sec > 1200000000 : !(sx.stx_mask & STATX_BTIME)));
    int rf = open(MNT "/big", O_RDONLY);
    read(rf, q, 1);
    close(rf);
    OK("a read moves an atime older than the mtime (relatime)", stat(MNT "/big", &st2) == 0 &&
       st2.st_atim.tv_sec > 1200000000);
    utimensat(AT_FDCWD, MNT "/big", ts, 0);
  }
  {
    /* STATX_DIOALIGN (ext4_getattr: a regular file's, only when asked;
     * bdev_statx: the device's dma_alignment + 1 and logical block size)
     * and STATX_ATTR_MOUNT_ROOT (the mount's root only, by path or fd) */
    struct statx sx;
    OK("statx STATX_DIOALIGN of a regular file: 512 and 512",
       statx(AT_FDCWD, MNT "/big", 0, STATX_DIOALIGN, &sx) == 0 && (sx.stx_mask & STATX_DIOALIGN) &&
       sx.stx_dio_mem_align == 512 && sx.stx_dio_offset_align == 512);
    OK("not reported when not asked for",
       statx(AT_FDCWD, MNT "/big", 0, STATX_BASIC_STATS, &sx) == 0 && !(sx.stx_mask & STATX_DIOALIGN));
    OK("nor for a directory",
       statx(AT_FDCWD, MNT, 0, STATX_DIOALIGN, &sx) == 0 && !(sx.stx_mask & STATX_DIOALIGN));
    OK("the loop device's: dma_alignment + 1 and its logical block size",
       statx(AT_FDCWD, dev, 0, STATX_DIOALIGN, &sx) == 0 && (sx.stx_mask & STATX_DIOALIGN) &&
       sx.stx_dio_mem_align == 512 && sx.stx_dio_offset_align == 512);
    OK("STATX_ATTR_MOUNT_ROOT on the mount point",
       statx(AT_FDCWD, MNT, 0, 0, &sx) == 0 && (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
       (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT));
    int mf = open(MNT "/big", O_RDONLY), md = open(MNT, O_RDONLY | O_DIRECTORY);
    OK("not on a file in it, by fd", statx(mf, "", AT_EMPTY_PATH, 0, &sx) == 0 &&
       (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && !(sx.stx_attributes & STATX_ATTR_MOUNT_ROOT));
    OK("but on the root by fd", statx(md, "", AT_EMPTY_PATH, 0, &sx) == 0 &&
       (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT));
    close(mf);
    close(md);
  }
  struct timespec ts2[2] = { { 0, UTIME_OMIT }, { 0, UTIME_NOW } };
  OK("UTIME_NOW/UTIME_OMIT", utimensat(AT_FDCWD, MNT "/big", ts2, 0) == 0 && stat(MNT "/big", &st2) == 0 &&
     st2.st_atim.tv_sec == 1000000000 && st2.st_mtim.tv_sec > 1200000000);
  OK("chmod", chmod(MNT "/big", 0640) == 0 && stat(MNT "/big", &st2) == 0 && (st2.st_mode & 07777) == 0640);
  OK("chown", chown(MNT "/big", 1234, 70000) == 0 && stat(MNT "/big", &st2) == 0 && st2.st_uid == 1234 &&
     st2.st_gid == 70000u);

  /* fill it up: ENOSPC at write(2), and the space back after unlink */
  f = open(MNT "/fill", O_WRONLY | O_CREAT, 0600);
  memset(buf, 'F', sizeof buf);
  ssize_t w;
  long long total = 0;
  while ((w = write(f, buf, sizeof buf)) > 0) total += w;
  OK("fills to ENOSPC", w == -1 && errno == ENOSPC && total > 0);
  OK("statfs: nothing left for users", statfs(MNT, &sf) == 0 && sf.f_bavail == 0);
  close(f);
  OK("unlink the filler", unlink(MNT "/fill") == 0);
  OK("the space is back", statfs(MNT, &sf) == 0 && sf.f_bfree + 40 >= bfree0 - (1 << 20) / bsize);

  /* umount, EBUSY while a file is open; a read-only remount */
  f = open(MNT "/big", O_RDONLY);
  ERR("umount while a file is open", umount(MNT), EBUSY);
  close(f);
  OK("remount read-only", mount(dev, MNT, type, MS_REMOUNT | MS_RDONLY, NULL) == 0);
  ERR("create on it", open(MNT "/ro", O_CREAT | O_WRONLY, 0600), EROFS);
  ERR("mkdir on it", mkdir(MNT "/ro", 0755), EROFS);
  OK("remount read-write", mount(dev, MNT, type, MS_REMOUNT, NULL) == 0);
  OK("writes again", spew(MNT "/rw", "rw") == 0);
  OK("sync", (sync(), 1));
  f = open(MNT, O_RDONLY | O_DIRECTORY);
  OK("syncfs", syscall(SYS_syncfs, f) == 0);
  close(f);
  OK("umount", umount(MNT) == 0);

  /* the second mount finds it all */
  OK("mount read-only", mount(dev, MNT, type, MS_RDONLY, NULL) == 0);
  OK("the file", slurp(MNT "/d/g/../s", q, sizeof q) < 0 && slurp(MNT "/c/b", q, sizeof q) == 6 &&
     !strcmp(q, "abcdef"));
  OK("the symlinks", readlink(MNT "/d/s", q, sizeof q) == 1 && readlink(MNT "/d/long", t, sizeof t) == 300);
  f = open(MNT "/big", O_RDONLY);
  OK("the mmap and pwrite data", f >= 0 && pread(f, q, 6, 100) == 6 && !memcmp(q, "MAPPED", 6) &&
     pread(f, q, 7, 200) == 7 && !memcmp(q, "WRITTEN", 7));
  OK("the xattr", getxattr(MNT "/big", "user.a", q, sizeof q) == 3);
  OK("owner and mode", fstat(f, &st2) == 0 && st2.st_uid == 1234 && (st2.st_mode & 07777) == 0640);
  close(f);
  OK("the fifo and nodes", stat(MNT "/d/p", &st2) == 0 && S_ISFIFO(st2.st_mode) &&
     stat(MNT "/d/blk", &st2) == 0 && st2.st_rdev == makedev(300, 70000));
  OK("the unlinked-while-open file is gone", stat(MNT "/d/open", &st2) == -1 && stat(MNT "/d/victim", &st2) == -1);
  ERR("write on a read-only mount", open(MNT "/big", O_WRONLY), EROFS);
  OK("umount", umount(MNT) == 0);

  /* mount(2)'s corners with a block device */
  OK("mount again", mount(dev, MNT, type, 0, NULL) == 0);
  ERR("the same device on the same place again", mount(dev, MNT, type, 0, NULL), EBUSY);
  mkdir("/tmp/ext2mnt2", 0755);
  ERR("the same device read-only elsewhere (another ro state)",
      mount(dev, "/tmp/ext2mnt2", type, MS_RDONLY, NULL), EBUSY);
  OK("the same device elsewhere: the same filesystem", mount(dev, "/tmp/ext2mnt2", type, 0, NULL) == 0 &&
     stat("/tmp/ext2mnt2/big", &st2) == 0 && stat(MNT "/big", &st) == 0 && st.st_ino == st2.st_ino &&
     st.st_dev == st2.st_dev);
  spew("/tmp/ext2mnt2/shared", "s");
  OK("a file made through one is seen through the other", stat(MNT "/shared", &st2) == 0 && unlink(MNT "/shared") == 0);
  OK("umount the second", umount("/tmp/ext2mnt2") == 0);
  rmdir("/tmp/ext2mnt2");
  f = open(MNT "/big", O_WRONLY);
  ERR("remount read-only with a file open for writing",
      mount(dev, MNT, type, MS_REMOUNT | MS_RDONLY, NULL), EBUSY);
  close(f);
  ERR("MNT_EXPIRE: marked", umount2(MNT, MNT_EXPIRE), EAGAIN);
  stat(MNT, &st2);
  ERR("MNT_EXPIRE after a use: marked again", umount2(MNT, MNT_EXPIRE), EAGAIN);
  OK("MNT_EXPIRE with no use since: unmounted", umount2(MNT, MNT_EXPIRE) == 0);
  ERR("no source", mount(NULL, MNT, type, 0, NULL), EINVAL);
  spew("/tmp/ext2file", "");
  ERR("onto a regular file", mount(dev, "/tmp/ext2file", type, 0, NULL), ENOTDIR);
  unlink("/tmp/ext2file");

  /* the types: ext2 takes no ext4 image */
  {
    int r = mount(dev, MNT, "ext2", MS_RDONLY, NULL), e = errno;
    if (r == 0) umount(MNT);
    OK("ext2 takes the image iff it has no extents (else EINVAL)", extents ? r == -1 && e == EINVAL : r == 0);
  }
  OK("ext4 mounts it", mount(dev, MNT, "ext4", MS_RDONLY, NULL) == 0 && umount(MNT) == 0);

  /* the new mount API */
  {
    int fc = syscall(SYS_fsopen, type, 0);
    OK("fsopen", fc >= 0);
    ERR("fsconfig of fd -1", syscall(SYS_fsconfig, -1, 0 /* SET_FLAG */, "user_xattr", NULL, 0), EINVAL);
    OK("fsconfig source", syscall(SYS_fsconfig, fc, 1 /* SET_STRING */, "source", dev, 0) == 0);
    OK("fsconfig ro", syscall(SYS_fsconfig, fc, 0, "ro", NULL, 0) == 0);
    OK("fsconfig create", syscall(SYS_fsconfig, fc, 6 /* CMD_CREATE */, NULL, NULL, 0) == 0);
    int mfd = syscall(SYS_fsmount, fc, 0, 0);
    OK("fsmount", mfd >= 0);
    OK("move_mount", syscall(SYS_move_mount, mfd, "", AT_FDCWD, MNT, 4 /* F_EMPTY_PATH */) == 0);
    OK("the files are there", stat(MNT "/big", &st2) == 0 && st2.st_size == 8192);
    ERR("and read-only", mkdir(MNT "/x", 0755), EROFS);
    close(mfd);
    close(fc);
    OK("umount", umount(MNT) == 0);
  }

  /* mount errors */
  ERR("a regular file as the source", mount(img, MNT, type, 0, NULL), ENOTBLK);
  ERR("a missing source", mount("/nonexistent", MNT, type, 0, NULL), ENOENT);
  detach(d);
  ERR("an unbound loop device (nothing to read)", mount(dev, MNT, type, 0, NULL), EIO);
  {
    int z = open("/tmp/zeros", O_RDWR | O_CREAT | O_TRUNC, 0600);
    ftruncate(z, 1 << 20);
    close(z);
    char zdev[32];
    int zd = attach("/tmp/zeros", zdev, sizeof zdev);
    ERR("no superblock: EINVAL", mount(zdev, MNT, type, 0, NULL), EINVAL);
    detach(zd);
    unlink("/tmp/zeros");
  }
  rmdir(MNT);
}

/* --mount IMG TYPE ro|rw: the result of one mount (and its umount) */
static int mount_main(const char *img, const char *type, const char *how) {
  char dev[32];
  int d = attach(img, dev, sizeof dev);
  mkdir(MNT, 0755);
  RES("mount", mount(dev, MNT, type, strcmp(how, "ro") ? 0 : MS_RDONLY, NULL));
  umount(MNT);
  detach(d);
  return 0;
}

/* --falloc IMG TYPE: fallocate(2) and SEEK_DATA/SEEK_HOLE on the mounted
 * image, printed so that a native run on the host's own loop device and
 * mount (tests/run-ext2-tests.sh) gives the same lines: ext4 allocates,
 * punches, zeroes, collapses and inserts; ext2 and ext3's block-mapped
 * files say EOPNOTSUPP (the host's ext4 driver serves all three, as
 * CONFIG_EXT4_USE_FOR_EXT2). */
#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE 0x01
#endif
#define FL_PUNCH 0x02
#define FL_NOHIDE 0x04
#define FL_COLLAPSE 0x08
#define FL_ZERO 0x10
#define FL_INSERT 0x20

/* blocks: whether st_blocks is printed (not after ZERO_RANGE, COLLAPSE or
 * INSERT, where Linux's count has extent-tree blocks of its own layout) */
static void fa_show(int f, const char *what, int blocks) {
  struct stat st;
  if (fstat(f, &st)) {
    printf("%s: fstat %s\n", what, en(errno));
    return;
  }
  long bs = st.st_blksize;
  printf("%s: size %lld/%ld", what, (long long)st.st_size, bs);
  if (blocks) printf(" blocks %lld/%ld", (long long)st.st_blocks * 512, bs);
  for (off_t o = 0; o < st.st_size; o += bs / 2) {
    off_t d = lseek(f, o, SEEK_DATA), h = lseek(f, o, SEEK_HOLE);
    printf(" %lld:%lld/%lld", (long long)o / (bs / 2), d < 0 ? -1LL : (long long)d / (bs / 2),
           h < 0 ? -1LL : (long long)h / (bs / 2));
  }
  errno = 0;
  off_t e1 = lseek(f, st.st_size, SEEK_DATA);
  int x1 = errno;
  errno = 0;
  off_t e2 = lseek(f, st.st_size, SEEK_HOLE);
  printf(" end %lld %s %lld %s\n", (long long)e1, en(x1), (long long)e2, en(errno));
  /* the bytes: a checksum of each half block */
  char *b = malloc(st.st_size + 1);
  ssize_t n = pread(f, b, st.st_size, 0);
  printf("  data (%zd):", n);
  for (ssize_t i = 0; i < n; i += bs / 2) {
    unsigned sum = 0;
    for (ssize_t j = i; j < n && j < i + bs / 2; j++) sum = sum * 31 + (unsigned char)b[j];
    printf(" %08x", sum);
  }
  printf("\n");
  free(b);
}

static void fa_res(const char *what, int r) {
  if (r)
    printf("%s: %s\n", what, en(errno));
  else
    printf("%s: ok\n", what);
}

/* The page cache after fallocate: the pages wholly inside a punched or
 * zeroed range, and from a collapsed or inserted range to the end, leave
 * it, mapped or not (truncate_pagecache_range), so that mincore says so
 * and the mapping reads the new bytes (zeros, the moved data). */
static void fa_mincore(const char *what, char *m, size_t len) {
  unsigned char vec[8];
  printf("%s: mincore ", what);
  if (mincore(m, len, vec)) {
    printf(" %s\n", en(errno));
    return;
  }
  for (size_t i = 0; i < len / 4096; i++) printf("%d", vec[i] & 1);
  printf(" bytes");
  for (size_t i = 0; i < len / 4096; i++) printf(" %d", m[i * 4096 + 100]);
  printf("\n");
}

static void fa_pcache(void) {
  size_t len = 4 * 4096;
  char *b = malloc(len);
  for (size_t i = 0; i < len; i++) b[i] = (char)(1 + i / 4096);
  int f = open(MNT "/pc", O_RDWR | O_CREAT | O_TRUNC, 0644);
  printf("page cache: write %zd\n", pwrite(f, b, len, 0));
  fsync(f);
  pread(f, b, len, 0);
  char *m = mmap(NULL, len, PROT_READ, MAP_SHARED, f, 0);
  if (m == MAP_FAILED) {
    printf("mmap: %s\n", en(errno));
    close(f);
    free(b);
    return;
  }
  for (size_t i = 0; i < len; i += 4096) (void)*(volatile char *)(m + i);
  fa_mincore("read and mapped", m, len);
  fa_res("punch page 1", fallocate(f, FL_PUNCH | FALLOC_FL_KEEP_SIZE, 4096, 4096));
  fa_mincore("punched", m, len);
  fa_mincore("punched, page 1 read", m, len);
  for (size_t i = 0; i < len; i += 4096) (void)*(volatile char *)(m + i);
  fa_res("zero page 2", fallocate(f, FL_ZERO | FALLOC_FL_KEEP_SIZE, 2 * 4096, 4096));
  fa_mincore("zeroed", m, len);
  for (size_t i = 0; i < len; i++) b[i] = (char)(1 + i / 4096);
  pwrite(f, b, len, 0);
  pread(f, b, len, 0);
  for (size_t i = 0; i < len; i += 4096) (void)*(volatile char *)(m + i);
  fa_res("collapse page 1", fallocate(f, FL_COLLAPSE, 4096, 4096));
  fa_mincore("collapsed", m, 3 * 4096);
  fa_res("insert page 1", fallocate(f, FL_INSERT, 4096, 4096));
  fa_mincore("inserted", m, len);
  /* a file nobody maps: read it all, punch, read again */
  munmap(m, len);
  pread(f, b, len, 0);
  fa_res("punch page 3, unmapped", fallocate(f, FL_PUNCH | FALLOC_FL_KEEP_SIZE, 3 * 4096, 4096));
  ssize_t r = pread(f, b, len, 0);
  printf("read after punch: %zd %d %d\n", r, b[3 * 4096 + 5], b[100]);
  close(f);
  unlink(MNT "/pc");
  free(b);
}

static int falloc_main(const char *img, const char *type) {
  char dev[32], path[64];
  int d = attach(img, dev, sizeof dev);
  mkdir(MNT, 0755);
  if (mount(dev, MNT, type, 0, NULL)) {
    printf("mount: %s\n", en(errno));
    return 1;
  }
  snprintf(path, sizeof path, MNT "/f");
  int f = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
  struct stat st;
  fstat(f, &st);
  long bs = st.st_blksize;
  char *pat = malloc(4 * bs);
  for (long i = 0; i < 4 * bs; i++) pat[i] = 'a' + i % 23;
  printf("write 3 blocks: %zd\n", pwrite(f, pat, 3 * bs, 0) / bs);
  fsync(f);
  fa_show(f, "written", 1);
  fa_res("allocate 4 blocks", fallocate(f, 0, 0, 4 * bs));
  fa_show(f, "allocated", 1);
  fa_res("keep-size 2 blocks past the end", fallocate(f, FALLOC_FL_KEEP_SIZE, 8 * bs, 2 * bs));
  fa_show(f, "keep-size", 1);
  fa_res("punch block 1", fallocate(f, FL_PUNCH | FALLOC_FL_KEEP_SIZE, bs, bs));
  fa_show(f, "punched", 1);
  fa_res("punch bytes inside block 2", fallocate(f, FL_PUNCH | FALLOC_FL_KEEP_SIZE, 2 * bs + 10, 20));
  fa_res("punch across blocks 2-3", fallocate(f, FL_PUNCH | FALLOC_FL_KEEP_SIZE, 2 * bs + bs / 2, bs));
  fa_show(f, "punched bytes", 1);
  /* a shared mapping sees a punch (only read through: Linux's page fault
   * for a write would allocate the page's every block) */
  char *m = mmap(NULL, 4 * bs, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
  if (m == MAP_FAILED) {
    printf("mmap: %s\n", en(errno));
  } else {
    fa_res("punch block 0 under a mapping", fallocate(f, FL_PUNCH | FALLOC_FL_KEEP_SIZE, 0, bs));
    printf("mapping: %d %d %d\n", m[0], m[bs - 1], m[3 * bs + 1]);
    munmap(m, 4 * bs);
  }
  fa_show(f, "punched under a mapping", 1);
  fa_res("zero range", fallocate(f, FL_ZERO, bs - 1, bs + 2));
  fa_show(f, "zeroed", 0);
  fa_res("zero range past the end, keep size", fallocate(f, FL_ZERO | FALLOC_FL_KEEP_SIZE, 4 * bs - 5, 2 * bs));
  fa_show(f, "zeroed past the end", 0);
  pwrite(f, pat, 4 * bs, 0);
  fa_res("collapse block 1", fallocate(f, FL_COLLAPSE, bs, bs));
  fa_show(f, "collapsed", 0);
  fa_res("insert block 1", fallocate(f, FL_INSERT, bs, bs));
  fa_show(f, "inserted", 0);
  fa_res("collapse unaligned", fallocate(f, FL_COLLAPSE, 1, bs));
  fa_res("collapse to the end", fallocate(f, FL_COLLAPSE, bs, 3 * bs));
  fa_res("insert at the end", fallocate(f, FL_INSERT, 4 * bs, bs));
  fa_res("punch without keep-size", fallocate(f, FL_PUNCH, 0, bs));
  fa_res("no-hide-stale", fallocate(f, FL_NOHIDE | FL_PUNCH | FALLOC_FL_KEEP_SIZE, 0, bs));
  fa_res("collapse with keep-size", fallocate(f, FL_COLLAPSE | FALLOC_FL_KEEP_SIZE, 0, bs));
  fa_res("len 0", fallocate(f, 0, 0, 0));
  fa_res("offset -1", fallocate(f, 0, -1, bs));
  int r = open(path, O_RDONLY);
  fa_res("read-only fd", fallocate(r, 0, 0, bs));
  close(r);
  /* a sparse file: holes the writes left */
  int g = open(MNT "/sparse", O_RDWR | O_CREAT | O_TRUNC, 0644);
  pwrite(g, pat, bs, 2 * bs);
  pwrite(g, pat, 10, 5 * bs + 3);
  fa_show(g, "sparse", 1);
  int fl0 = 0, fl;
  ioctl(g, FS_IOC_GETFLAGS, &fl0);
  fl = fl0 | FS_IMMUTABLE_FL;
  fa_res("immutable", ioctl(g, FS_IOC_SETFLAGS, &fl));
  fa_res("allocate on an immutable file", fallocate(g, 0, 0, bs));
  fl = fl0 | FS_APPEND_FL;
  fa_res("append-only", ioctl(g, FS_IOC_SETFLAGS, &fl));
  fa_res("allocate on an append-only file", fallocate(g, FALLOC_FL_KEEP_SIZE, 0, bs));
  fa_res("punch on an append-only file", fallocate(g, FL_PUNCH | FALLOC_FL_KEEP_SIZE, 0, bs));
  ioctl(g, FS_IOC_SETFLAGS, &fl0);
  fa_res("allocate again", fallocate(g, FALLOC_FL_KEEP_SIZE, 0, bs));
  fa_show(g, "sparse allocated", 1);
  close(g);
  g = open(MNT "/big", O_RDWR | O_CREAT | O_TRUNC, 0644);
  fa_res("too big for the filesystem", fallocate(g, 0, 0, 64 << 20));
  close(g);
  unlink(MNT "/big");
  close(f);
  free(pat);
  /* atime: O_NOATIME and FS_NOATIME_FL keep it, a plain read moves it
   * (relatime: it was older than mtime) */
  g = open(MNT "/at", O_RDWR | O_CREAT | O_TRUNC, 0644);
  write(g, "x", 1);
  close(g);
  struct timespec old[2] = { { 1000, 0 }, { UTIME_OMIT, 0 } };
  struct stat a0, a1;
  char c;
  utimensat(AT_FDCWD, MNT "/at", old, 0);
  g = open(MNT "/at", O_RDONLY | O_NOATIME);
  read(g, &c, 1);
  close(g);
  stat(MNT "/at", &a0);
  printf("O_NOATIME read: atime %s\n", a0.st_atime == 1000 ? "kept" : "moved");
  g = open(MNT "/at", O_RDONLY);
  fl = FS_NOATIME_FL;
  ioctl(g, FS_IOC_GETFLAGS, &fl0);
  fl = fl0 | FS_NOATIME_FL;
  ioctl(g, FS_IOC_SETFLAGS, &fl);
  read(g, &c, 1);
  stat(MNT "/at", &a0);
  printf("FS_NOATIME_FL read: atime %s\n", a0.st_atime == 1000 ? "kept" : "moved");
  ioctl(g, FS_IOC_SETFLAGS, &fl0);
  pread(g, &c, 1, 0);
  close(g);
  stat(MNT "/at", &a1);
  printf("plain read: atime %s\n", a1.st_atime == 1000 ? "kept" : "moved");
  fa_pcache();
  fa_res("umount", umount(MNT));
  detach(d);
  rmdir(MNT);
  return 0;
}

/* --bulk IMG TYPE write|crash|verify: the write path in bulk.  write:
 * files of 8 MiB written with 4 KiB and with 1 MiB writes, one of them
 * overwritten in place and then by random 4 KiB pwrites, one written
 * O_SYNC, 300 small files in 10 directories (an untar), some removed;
 * then umount, mount again and print each file's size and checksum.
 * crash: the same writes in a child, no fsync or umount, then SIGKILL of
 * the child; the parent (the guest's init) exits: umk's exit must leave
 * the image clean and whole.
 * verify: mount and print what write prints.  tests/run-ext2-tests.sh
 * compares the lines with a native run on the host's ext4 driver. */
static unsigned bulk_sum(const char *path, long long *size) {
  int f = open(path, O_RDONLY);
  unsigned sum = 0;
  ssize_t n;
  *size = 0;
  if (f < 0) return 0;
  while ((n = read(f, buf, sizeof buf)) > 0) {
    for (ssize_t i = 0; i < n; i++) sum = sum * 31 + (unsigned char)buf[i];
    *size += n;
  }
  close(f);
  return sum;
}

static void bulk_print(void) {
  static const char *big[] = { "big4k", "big1m", "bigsync" };
  char p[128];
  long long size, total = 0;
  unsigned all = 0;
  for (int i = 0; i < 3; i++) {
    snprintf(p, sizeof p, MNT "/%s", big[i]);
    unsigned sum = bulk_sum(p, &size);
    printf("%s: %lld %08x\n", big[i], size, sum);
  }
  int files = 0;
  for (int d = 0; d < 10; d++)
    for (int j = 0; j < 30; j++) {
      snprintf(p, sizeof p, MNT "/tree/d%d/f%d", d, j);
      if (access(p, F_OK)) continue;
      all = all * 31 + bulk_sum(p, &size);
      total += size;
      files++;
    }
  printf("tree: %d files %lld bytes %08x\n", files, total, all);
}

static int bulk_write(void) {
  char *big = malloc(1 << 20), p[128];
  for (int i = 0; i < 1 << 20; i++) big[i] = (char)(i * 7 + i / 4093);
  int f = open(MNT "/big4k", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  for (int i = 0; i < 2048; i++)
    if (write(f, big + (i % 256) * 4096, 4096) != 4096) return printf("write 4k: %s\n", en(errno)), 1;
  close(f);
  f = open(MNT "/big1m", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  for (int i = 0; i < 8; i++)
    if (write(f, big, 1 << 20) != 1 << 20) return printf("write 1m: %s\n", en(errno)), 1;
  lseek(f, 0, SEEK_SET);
  for (int i = 0; i < 8; i++) big[i * 100] ^= 0x55, write(f, big, 1 << 20);
  unsigned seed = 7;
  for (int i = 0; i < 1000; i++) {
    seed = seed * 1103515245 + 12345;
    if (pwrite(f, big + (seed >> 20) % 4096, 4096, (off_t)((seed >> 8) % 2048) * 4096 + (seed % 3)) != 4096)
      return printf("pwrite: %s\n", en(errno)), 1;
  }
  close(f);
  f = open(MNT "/bigsync", O_WRONLY | O_CREAT | O_TRUNC | O_SYNC, 0644);
  for (int i = 0; i < 64; i++) write(f, big + i * 1000, 4096);
  close(f);
  mkdir(MNT "/tree", 0755);
  for (int d = 0; d < 10; d++) {
    snprintf(p, sizeof p, MNT "/tree/d%d", d);
    mkdir(p, 0755);
    for (int j = 0; j < 30; j++) {
      snprintf(p, sizeof p, MNT "/tree/d%d/f%d", d, j);
      f = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
      size_t n = 100 + (size_t)((d * 30 + j) * 337 % 9000);
      if (f < 0 || write(f, big + d * 1000 + j, n) != (ssize_t)n) return printf("small: %s\n", en(errno)), 1;
      close(f);
    }
  }
  for (int j = 0; j < 30; j += 3) {
    snprintf(p, sizeof p, MNT "/tree/d4/f%d", j);
    unlink(p);
  }
  free(big);
  return 0;
}

static int bulk_main(const char *img, const char *type, const char *how) {
  char dev[32];
  if (!strcmp(how, "crash")) {
    /* the writer is killed (SIGKILL: no umount, no sync); its parent,
     * the guest's init, exits at once: umk's exit writes the image */
    pid_t c = fork();
    if (c > 0) {
      int st;
      waitpid(c, &st, 0);
      printf("writer: %s\n", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL ? "killed" : "not killed");
      return 0;
    }
  }
  int d = attach(img, dev, sizeof dev);
  mkdir(MNT, 0755);
  if (mount(dev, MNT, type, 0, NULL)) {
    printf("mount: %s\n", en(errno));
    return 1;
  }
  if (strcmp(how, "verify")) {
    if (bulk_write()) return 1;
    if (!strcmp(how, "crash")) kill(getpid(), SIGKILL);
    RES("umount", umount(MNT));
    RES("mount again", mount(dev, MNT, type, 0, NULL));
  }
  bulk_print();
  RES("umount", umount(MNT));
  detach(d);
  rmdir(MNT);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 2 && !strcmp(argv[1], "--hello")) {
    printf("ok a --x program on the filesystem runs as nobody\n");
    return 0;
  }
  if (argc == 4 && !strcmp(argv[1], "--walk")) return walk_main(argv[2], argv[3]);
  if (argc == 5 && !strcmp(argv[1], "--mount")) return mount_main(argv[2], argv[3], argv[4]);
  if (argc == 4 && !strcmp(argv[1], "--falloc")) return falloc_main(argv[2], argv[3]);
  if (argc == 5 && !strcmp(argv[1], "--bulk")) return bulk_main(argv[2], argv[3], argv[4]);
  if (argc == 3) {
    test(argv[1], argv[2]);
    return t_done();
  }
  /* no image given: make one with the root's mke2fs (busybox's) */
  const char *img = "/tmp/ext2.img";
  int f = open(img, O_RDWR | O_CREAT | O_TRUNC, 0600);
  OK("a 4 MiB image", f >= 0 && ftruncate(f, 4 << 20) == 0);
  close(f);
  char dev[32];
  int d = attach(img, dev, sizeof dev);
  pid_t pid = fork();
  if (pid == 0) {
    int nul = open("/dev/null", O_WRONLY);
    dup2(nul, 1);
    dup2(nul, 2);
    execl("/sbin/mke2fs", "mke2fs", "-F", dev, (char *)NULL);
    execl("/bin/busybox", "mke2fs", "-F", dev, (char *)NULL);
    _exit(127);
  }
  int status;
  waitpid(pid, &status, 0);
  OK("mke2fs on the loop device", WIFEXITED(status) && WEXITSTATUS(status) == 0);
  detach(d);
  test(img, "ext2");
  unlink(img);
  return t_done();
}
