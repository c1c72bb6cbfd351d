/* ext2bench.c - file I/O on an ext2/3/4 image mounted from a loop device,
 * timed: the same static program natively (root, the host's loop device
 * and ext4 driver, in a mount namespace of its own) and under umk
 * (tests/bench/ext2bench.sh runs both and prints ratios).
 *
 *   ext2bench IMG TYPE MNT [MB]
 *
 * Workloads (MB MiB each, default 64), one line each: "NAME ms":
 *   seq4k    a new file written with 4 KiB writes, then fsync
 *   seq1m    the same with 1 MiB writes
 *   rewrite  seq1m's file overwritten in place with 1 MiB writes, fsync
 *   rand4k   MB*64 random 4 KiB pwrites inside seq1m's file, fsync
 *   read     seq1m's file read back with 1 MiB reads (cached natively)
 *   small    1000 files of 1-8 KiB in 20 directories (an untar), syncfs
 *   unlink   those files and directories removed, syncfs
 *   umount   the umount (what is left to write back)
 * Timing only: it checks nothing but that each call succeeded. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void die(const char *what) {
  fprintf(stderr, "ext2bench: %s: %s\n", what, strerror(errno));
  exit(1);
}

static char mnt[256];
static char *buf;

static void path(char *out, size_t n, const char *rel) { snprintf(out, n, "%s/%s", mnt, rel); }

static void seq(const char *rel, size_t mb, size_t chunk) {
  char p[512];
  path(p, sizeof p, rel);
  int f = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (f < 0) die(p);
  for (size_t off = 0; off < mb << 20; off += chunk)
    if (write(f, buf, chunk) != (ssize_t)chunk) die("write");
  if (fsync(f)) die("fsync");
  close(f);
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: ext2bench IMG TYPE MNT [MB]\n");
    return 2;
  }
  size_t mb = argc > 4 ? strtoul(argv[4], NULL, 0) : 64;
  snprintf(mnt, sizeof mnt, "%s", argv[3]);
  buf = malloc(1 << 20);
  for (int i = 0; i < 1 << 20; i++) buf[i] = (char)(i * 7 + i / 4096);

  int ctl = open("/dev/loop-control", O_RDWR);
  int nr = ioctl(ctl, LOOP_CTL_GET_FREE);
  if (nr < 0) die("LOOP_CTL_GET_FREE");
  char dev[32];
  snprintf(dev, sizeof dev, "/dev/loop%d", nr);
  int d = open(dev, O_RDWR), img = open(argv[1], O_RDWR);
  if (d < 0 || img < 0 || ioctl(d, LOOP_SET_FD, img)) die("LOOP_SET_FD");
  close(img);
  mkdir(mnt, 0755);
  if (mount(dev, mnt, argv[2], 0, NULL)) die("mount");

  double t = now_ms();
  seq("seq4k", mb, 4096);
  printf("seq4k %.0f\n", now_ms() - t);
  t = now_ms();
  seq("seq1m", mb, 1 << 20);
  printf("seq1m %.0f\n", now_ms() - t);

  char p[512];
  path(p, sizeof p, "seq1m");
  t = now_ms();
  int f = open(p, O_WRONLY);
  for (size_t i = 0; i < mb; i++)
    if (write(f, buf, 1 << 20) != 1 << 20) die("rewrite");
  if (fsync(f)) die("fsync");
  close(f);
  printf("rewrite %.0f\n", now_ms() - t);

  t = now_ms();
  f = open(p, O_WRONLY);
  unsigned seed = 1;
  for (size_t i = 0; i < mb * 64; i++) {
    seed = seed * 1103515245 + 12345;
    off_t off = (off_t)((seed >> 8) % (mb * 256)) * 4096;
    if (pwrite(f, buf + (i % 256) * 4096, 4096, off) != 4096) die("pwrite");
  }
  if (fsync(f)) die("fsync");
  close(f);
  printf("rand4k %.0f\n", now_ms() - t);

  t = now_ms();
  f = open(p, O_RDONLY);
  ssize_t k;
  size_t total = 0;
  while ((k = read(f, buf, 1 << 20)) > 0) total += (size_t)k;
  if (k < 0 || total != mb << 20) die("read");
  close(f);
  printf("read %.0f\n", now_ms() - t);

  t = now_ms();
  for (int i = 0; i < 20; i++) {
    char dn[512];
    snprintf(dn, sizeof dn, "%s/d%d", mnt, i);
    if (mkdir(dn, 0755)) die("mkdir");
    for (int j = 0; j < 50; j++) {
      char fn[600];
      snprintf(fn, sizeof fn, "%s/f%d", dn, j);
      int g = open(fn, O_WRONLY | O_CREAT | O_TRUNC, 0644);
      size_t n = 1024 + (size_t)((i * 50 + j) * 331 % 7168);
      if (g < 0 || write(g, buf, n) != (ssize_t)n) die("small");
      close(g);
    }
  }
  f = open(mnt, O_RDONLY);
  if (syncfs(f)) die("syncfs");
  printf("small %.0f\n", now_ms() - t);

  t = now_ms();
  for (int i = 0; i < 20; i++) {
    char dn[512];
    snprintf(dn, sizeof dn, "%s/d%d", mnt, i);
    for (int j = 0; j < 50; j++) {
      char fn[600];
      snprintf(fn, sizeof fn, "%s/f%d", dn, j);
      if (unlink(fn)) die("unlink");
    }
    if (rmdir(dn)) die("rmdir");
  }
  if (syncfs(f)) die("syncfs");
  close(f);
  printf("unlink %.0f\n", now_ms() - t);

  t = now_ms();
  if (umount(mnt)) die("umount");
  printf("umount %.0f\n", now_ms() - t);
  ioctl(d, LOOP_CLR_FD);
  return 0;
}
