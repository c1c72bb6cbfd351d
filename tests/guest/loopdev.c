/* loopdev.c - loop block devices (man 4 loop): /dev/loop-control's
 * LOOP_CTL_GET_FREE, LOOP_SET_FD and LOOP_CONFIGURE, reads and writes
 * through the device landing in the file, BLKGETSIZE64 and SEEK_END,
 * LOOP_GET/SET_STATUS64 (offset, sizelimit, name, autoclear), read-only
 * binding, the end of the device (read 0, write ENOSPC), LOOP_CLR_FD
 * then ENXIO, EBUSY/EBADF/EINVAL; a tmpfs mounted with size= full at
 * that size counting held pages (sparse files, fallocate), SEEK_DATA and
 * SEEK_HOLE, FICLONE there (EOPNOTSUPP after its checks), getdents of a
 * removed directory (ENOENT); a filesystem type umk lacks gives ENODEV.
 *
 * Run under umk against tests/guest/loopdev.expected, not natively: a
 * native run would bind the host's own loop devices (it agrees with
 * Linux 6.18 run so by hand as root).  */
#include "t.h"
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/loop.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>

#define MIB (1024 * 1024)

static char buf[MIB];

int main(void) {
  char dir[] = "/tmp/loopdevXXXXXX", img[64], dev[32], mnt[64];
  OK("mkdtemp", mkdtemp(dir));
  snprintf(img, sizeof img, "%s/img", dir);
  int f = open(img, O_RDWR | O_CREAT, 0600);
  for (int i = 0; i < MIB; i++) buf[i] = (char)(i / 512);
  OK("image written", write(f, buf, MIB) == MIB);

  int ctl = open("/dev/loop-control", O_RDWR);
  OK("open /dev/loop-control", ctl >= 0);
  struct stat st;
  OK("loop-control is char 10:237", !fstat(ctl, &st) && S_ISCHR(st.st_mode) && major(st.st_rdev) == 10 &&
     minor(st.st_rdev) == 237);
  int nr = ioctl(ctl, LOOP_CTL_GET_FREE);
  OK("LOOP_CTL_GET_FREE", nr >= 0);
  snprintf(dev, sizeof dev, "/dev/loop%d", nr);
  OK("the device is a block device 7:N", !stat(dev, &st) && S_ISBLK(st.st_mode) && major(st.st_rdev) == 7 &&
     (int)minor(st.st_rdev) == nr);

  int d = open(dev, O_RDWR);
  OK("open the device", d >= 0);
  struct loop_info64 li;
  ERR("LOOP_GET_STATUS64 unbound", ioctl(d, LOOP_GET_STATUS64, &li), ENXIO);
  ERR("LOOP_CLR_FD unbound", ioctl(d, LOOP_CLR_FD, 0), ENXIO);
  ERR("LOOP_SET_FD bad fd", ioctl(d, LOOP_SET_FD, 9999), EBADF);
  int pfd[2];
  pipe(pfd);
  ERR("LOOP_SET_FD a pipe", ioctl(d, LOOP_SET_FD, pfd[0]), EINVAL);
  OK("LOOP_SET_FD", ioctl(d, LOOP_SET_FD, f) == 0);
  ERR("LOOP_SET_FD again", ioctl(d, LOOP_SET_FD, f), EBUSY);
  OK("the control gives another device now", ioctl(ctl, LOOP_CTL_GET_FREE) != nr);

  uint64_t size = 0;
  OK("BLKGETSIZE64 is the file's size", !ioctl(d, BLKGETSIZE64, &size) && size == MIB);
  int ssz = 0;
  OK("BLKSSZGET 512", !ioctl(d, BLKSSZGET, &ssz) && ssz == 512);
  OK("lseek SEEK_END is the size", lseek(d, 0, SEEK_END) == MIB);
  char b[4096];
  OK("pread of sector 3", pread(d, b, 512, 3 * 512) == 512 && b[0] == 3 && b[511] == 3);
  memset(b, 'x', sizeof b);
  OK("pwrite through the device", pwrite(d, b, 4096, 8192) == 4096);
  char c = 0;
  OK("fsync of the device", fsync(d) == 0);
  OK("lands in the file", pread(f, &c, 1, 8192 + 100) == 1 && c == 'x');
  OK("read at the end gives 0", pread(d, b, 512, MIB) == 0);
  ERR("write at the end", pwrite(d, b, 512, MIB), ENOSPC);

  OK("LOOP_GET_STATUS64", !ioctl(d, LOOP_GET_STATUS64, &li) && (int)li.lo_number == nr && li.lo_offset == 0 &&
     li.lo_inode == (uint64_t)(fstat(f, &st), st.st_ino) && li.lo_device == st.st_dev);
  OK("no name until LOOP_SET_STATUS64 gives one", !li.lo_file_name[0]);
  strcpy((char *)li.lo_file_name, "the image");
  li.lo_offset = 4096;
  li.lo_sizelimit = 64 * 1024;
  li.lo_flags = LO_FLAGS_AUTOCLEAR;
  OK("LOOP_SET_STATUS64 offset and sizelimit", ioctl(d, LOOP_SET_STATUS64, &li) == 0);
  OK("the size is the limit", !ioctl(d, BLKGETSIZE64, &size) && size == 64 * 1024);
  OK("reads start at the offset", pread(d, b, 1, 0) == 1 && b[0] == 8);
  memset(&li, 0, sizeof li);
  OK("autoclear reported", !ioctl(d, LOOP_GET_STATUS64, &li) && (li.lo_flags & LO_FLAGS_AUTOCLEAR) &&
     li.lo_offset == 4096 && li.lo_sizelimit == 64 * 1024 && !strcmp((char *)li.lo_file_name, "the image"));
  li.lo_encrypt_type = 1;
  ERR("encryption", ioctl(d, LOOP_SET_STATUS64, &li), EINVAL);
  ERR("LOOP_SET_BLOCK_SIZE 1000", ioctl(d, LOOP_SET_BLOCK_SIZE, 1000), EINVAL);
  OK("LOOP_SET_BLOCK_SIZE 4096", !ioctl(d, LOOP_SET_BLOCK_SIZE, 4096) && !ioctl(d, BLKSSZGET, &ssz) && ssz == 4096);

  /* a second open: LOOP_CLR_FD only marks it; the last close detaches */
  int d2 = open(dev, O_RDONLY);
  OK("LOOP_CLR_FD while open twice", ioctl(d, LOOP_CLR_FD, 0) == 0);
  OK("still bound", !ioctl(d2, LOOP_GET_STATUS64, &li));
  close(d);
  close(d2);
  d = open(dev, O_RDWR);
  ERR("detached at the last close", ioctl(d, LOOP_GET_STATUS64, &li), ENXIO);

  /* read-only: a file opened O_RDONLY */
  int ro = open(img, O_RDONLY);
  OK("LOOP_SET_FD read-only file", ioctl(d, LOOP_SET_FD, ro) == 0);
  int rov = 0;
  OK("BLKROGET 1", !ioctl(d, BLKROGET, &rov) && rov == 1);
  OK("LO_FLAGS_READ_ONLY", !ioctl(d, LOOP_GET_STATUS64, &li) && (li.lo_flags & LO_FLAGS_READ_ONLY));
  ERR("write to a read-only device", pwrite(d, b, 512, 0), EPERM);
  /* the last opener's LOOP_CLR_FD: the device runs down, and is free
   * again once closed (Linux 5.19's loop_clr_fd and lo_release) */
  OK("LOOP_CLR_FD", ioctl(d, LOOP_CLR_FD, 0) == 0);
  ERR("LOOP_CLR_FD again", ioctl(d, LOOP_CLR_FD, 0), ENXIO);
  ERR("LOOP_GET_STATUS64 while it runs down", ioctl(d, LOOP_GET_STATUS64, &li), ENXIO);
  ERR("LOOP_SET_FD while it runs down", ioctl(d, LOOP_SET_FD, f), EBUSY);
  OK("not free while it runs down", ioctl(ctl, LOOP_CTL_GET_FREE) != nr);
  close(d);
  OK("free once closed", ioctl(ctl, LOOP_CTL_GET_FREE) == nr);
  d = open(dev, O_RDWR);

  /* LOOP_CONFIGURE: fd, block size and status in one call */
  struct loop_config cfg = { .fd = (unsigned)f, .block_size = 1024 };
  cfg.info.lo_offset = 512;
  OK("LOOP_CONFIGURE", ioctl(d, LOOP_CONFIGURE, &cfg) == 0);
  OK("its block size and size", !ioctl(d, BLKSSZGET, &ssz) && ssz == 1024 && !ioctl(d, BLKGETSIZE64, &size) &&
     size == MIB - 512);
  OK("LOOP_CLR_FD after LOOP_CONFIGURE", ioctl(d, LOOP_CLR_FD, 0) == 0);
  close(d);

  /* tmpfs size=: full at that size, and statfs shows it */
  snprintf(mnt, sizeof mnt, "%s/mnt", dir);
  mkdir(mnt, 0755);
  OK("mount tmpfs size=64k", mount("tmpfs", mnt, "tmpfs", 0, "size=64k") == 0);
  struct statfs sf;
  OK("statfs shows 64 KiB", !statfs(mnt, &sf) && (uint64_t)sf.f_blocks * (uint64_t)sf.f_bsize == 64 * 1024);
  char path[96];
  snprintf(path, sizeof path, "%s/big", mnt);
  int g = open(path, O_WRONLY | O_CREAT, 0600);
  long w = 0, r;
  while ((r = write(g, buf, 16384)) > 0) w += r;
  OK("full at 64 KiB: ENOSPC", r == -1 && errno == ENOSPC && w == 64 * 1024);
  close(g);
  unlink(path);
  /* size= counts held pages: a sparse file costs what it holds; pages
   * fallocated beforehand take a write when the rest is full; SEEK_DATA
   * and SEEK_HOLE see the holes */
  snprintf(path, sizeof path, "%s/sparse", mnt);
  g = open(path, O_RDWR | O_CREAT, 0600);
  OK("a byte at 1 GiB on a 64 KiB tmpfs", pwrite(g, "x", 1, 1L << 30) == 1);
  OK("one at 0", pwrite(g, "y", 1, 0) == 1);
  OK("SEEK_DATA 0", lseek(g, 0, SEEK_DATA) == 0);
  OK("SEEK_HOLE 0", lseek(g, 0, SEEK_HOLE) == 4096);
  OK("SEEK_DATA 4096", lseek(g, 4096, SEEK_DATA) == 1L << 30);
  OK("SEEK_HOLE 4096", lseek(g, 4096, SEEK_HOLE) == 4096);
  ERR("SEEK_DATA past the end", lseek(g, (1L << 30) + 1, SEEK_DATA), ENXIO);
  close(g);
  unlink(path);
  snprintf(path, sizeof path, "%s/prealloc", mnt);
  g = open(path, O_RDWR | O_CREAT, 0600);
  OK("fallocate 16 KiB", fallocate(g, 0, 0, 16384) == 0);
  snprintf(path, sizeof path, "%s/fill", mnt);
  int h = open(path, O_WRONLY | O_CREAT, 0600);
  w = 0;
  while ((r = write(h, buf, 4096)) > 0) w += r;
  OK("the rest fills: 48 KiB", r == -1 && errno == ENOSPC && w == 48 * 1024);
  OK("writes into the fallocated pages", pwrite(g, buf, 16384, 0) == 16384);
  ERR("but not past them", pwrite(g, buf, 4096, 16384), ENOSPC);
  close(h);
  close(g);
  /* tmpfs shares no extents: FICLONE's answer after its checks */
  snprintf(path, sizeof path, "%s/a", mnt);
  int sa = open(path, O_RDWR | O_CREAT, 0600);
  snprintf(path, sizeof path, "%s/b", mnt);
  int sb = open(path, O_RDWR | O_CREAT, 0600);
  int sr = open(path, O_RDONLY);
  ERR("FICLONE on tmpfs", ioctl(sb, FICLONE, sa), EOPNOTSUPP);
  struct file_clone_range fcr = { .src_fd = sa };
  ERR("FICLONERANGE on tmpfs", ioctl(sb, FICLONERANGE, &fcr), EOPNOTSUPP);
  ERR("FICLONE from a bad fd", ioctl(sb, FICLONE, 9999), EBADF);
  ERR("FICLONE into a read-only fd", ioctl(sr, FICLONE, sa), EBADF);
  int md = open(mnt, O_RDONLY | O_DIRECTORY);
  ERR("FICLONE of a directory", ioctl(sb, FICLONE, md), EISDIR);
  ERR("FICLONERANGE bad pointer", ioctl(sb, FICLONERANGE, (void *)8), EFAULT);
  /* getdents of a directory removed while open: ENOENT */
  snprintf(path, sizeof path, "%s/gone", mnt);
  mkdir(path, 0700);
  int gd = open(path, O_RDONLY | O_DIRECTORY);
  rmdir(path);
  ERR("getdents64 of a removed directory", syscall(SYS_getdents64, gd, buf, 4096), ENOENT);
  close(gd); close(md); close(sr); close(sa); close(sb);
  umount(mnt);
  ERR("mount tmpfs size=12q", mount("tmpfs", mnt, "tmpfs", 0, "size=12q"), EINVAL);
  /* a filesystem type the kernel does not have: ENODEV (LTP's probe) */
  ERR("mount of an unknown type", mount(dev, mnt, "nosuchfs", 0, NULL), ENODEV);

  close(f);
  unlink(img);
  rmdir(mnt);
  rmdir(dir);
  return t_done();
}
