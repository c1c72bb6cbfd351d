/* blkdev.c - a loop device as the rest of the system sees it: its sysfs
 * directory (/sys/block/loopN: size, ro, dev, removable, uevent, queue/
 * block sizes; loop/ only while bound, with backing_file, offset,
 * sizelimit, autoclear, partscan, dio), its I/O counters in stat moving
 * with reads and writes, /proc/partitions; LO_FLAGS_PARTSCAN over an MBR
 * (/dev/loopNp1, /sys/block/loopN/loopNp1, its size and I/O); a mknod'ed
 * block node 7:N opening the loop device (fstat shows the node; xattrs
 * ENODATA); swapon(2)/swapoff(2): errors (EINVAL without a signature or
 * on tmpfs, a directory EISDIR, a char device EINVAL, bad flags, EBUSY,
 * ENOENT, EFAULT, EPERM without CAP_SYS_ADMIN), /proc/swaps and
 * SwapTotal/sysinfo with an area active, swapoff's EINVAL when inactive.
 *
 * Run under umk against tests/guest/blkdev.expected, not natively: a
 * native run binds one of the host's loop devices and activates a 1 MiB
 * swap area on it (it agrees with Linux 6.18 run so by hand as root on a
 * host with no swap active; that host's kernel has no MSDOS_PARTITION, so
 * the partition lines are those of a Linux that has it).  */
#include "t.h"
#include <fcntl.h>
#include <stdarg.h>
#include <linux/fs.h>
#include <linux/loop.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#define MIB (1024 * 1024)

static char buf[4 * MIB];
static int nr;

/* The text of a sysfs (or proc) file, trailing newline dropped; "" if absent. */
static const char *rd(const char *fmt, ...) {
  static char bufs[8][4096];
  static int next;
  char *out = bufs[next++ % 8], path[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(path, sizeof path, fmt, ap);
  va_end(ap);
  out[0] = 0;
  int fd = open(path, O_RDONLY);
  if (fd < 0) return out;
  ssize_t n = read(fd, out, 4095);
  close(fd);
  out[n > 0 ? n : 0] = 0;
  if (n > 0 && out[n - 1] == '\n') out[n - 1] = 0;
  return out;
}

/* field i (0-based) of /sys/block/loopN[/sub]/stat */
static unsigned long long stat_field(const char *sub, int i) {
  unsigned long long v[17] = { 0 };
  const char *s = sub ? rd("/sys/block/loop%d/%s/stat", nr, sub) : rd("/sys/block/loop%d/stat", nr);
  sscanf(s, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
         &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10], &v[11], &v[12], &v[13], &v[14],
         &v[15], &v[16]);
  return v[i];
}

static int exists(const char *fmt, ...) {
  char path[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(path, sizeof path, fmt, ap);
  va_end(ap);
  /* partitions appear through devtmpfs natively: give it a moment */
  for (int i = 0; i < 40; i++) {
    if (!access(path, F_OK)) return 1;
    usleep(50000);
  }
  return 0;
}

/* /proc/swaps, the device's number replaced by N ("/dev/loop3" -> "/dev/loopN"). */
static void show_swaps(void) {
  const char *s = rd("/proc/swaps");
  char num[16], line[512];
  snprintf(num, sizeof num, "loop%d", nr);
  for (const char *p = s; *p;) {
    const char *e = strchr(p, '\n');
    size_t l = e ? (size_t)(e - p) : strlen(p);
    snprintf(line, sizeof line, "%.*s", (int)l, p);
    char *at = strstr(line, num);
    if (at) {
      size_t nl = strlen(num);
      memmove(at + 5, at + nl, strlen(at + nl) + 1);
      at[4] = 'N';
    }
    printf("swaps| %s\n", line);
    p += l + (e ? 1 : 0);
  }
}

static unsigned long long meminfo_kb(const char *key) {
  const char *s = rd("/proc/meminfo"), *p = strstr(s, key);
  return p ? strtoull(p + strlen(key) + 1, NULL, 10) : ~0ULL;
}

/* A swap header as mkswap writes it: version 1, the last page. */
static void swap_header(char *page, unsigned last_page) {
  memset(page, 0, 4096);
  unsigned v = 1;
  memcpy(page + 1024, &v, 4);
  memcpy(page + 1028, &last_page, 4);
  memcpy(page + 4096 - 10, "SWAPSPACE2", 10);
}

int main(void) {
  char dir[] = "/tmp/blkdevXXXXXX", img[64], dev[32], p1[40], p2[40], mnt[64], node[80];
  OK("mkdtemp", mkdtemp(dir));
  snprintf(img, sizeof img, "%s/img", dir);
  int ctl = open("/dev/loop-control", O_RDWR);
  nr = ioctl(ctl, LOOP_CTL_GET_FREE);
  OK("LOOP_CTL_GET_FREE", nr >= 0);
  snprintf(dev, sizeof dev, "/dev/loop%d", nr);
  snprintf(p1, sizeof p1, "/dev/loop%dp1", nr);
  snprintf(p2, sizeof p2, "/dev/loop%dp2", nr);

  /* unbound */
  char want[64];
  snprintf(want, sizeof want, "%d:%d", 7, nr);
  OK("sysfs dev is 7:N", !strcmp(rd("/sys/block/loop%d/dev", nr), want));
  OK("/sys/class/block/loopN/dev too", !strcmp(rd("/sys/class/block/loop%d/dev", nr), want));
  OK("/sys/dev/block/7:N/dev too", !strcmp(rd("/sys/dev/block/7:%d/dev", nr), want));
  printf("unbound size %s ro %s removable %s\n", rd("/sys/block/loop%d/size", nr),
         rd("/sys/block/loop%d/ro", nr), rd("/sys/block/loop%d/removable", nr));
  printf("lbs %s pbs %s\n", rd("/sys/block/loop%d/queue/logical_block_size", nr),
         rd("/sys/block/loop%d/queue/physical_block_size", nr));
  char ue[256];
  snprintf(ue, sizeof ue, "MAJOR=7\nMINOR=%d\nDEVNAME=loop%d\nDEVTYPE=disk\n", nr, nr);
  OK("uevent", !strncmp(rd("/sys/block/loop%d/uevent", nr), ue, strlen(ue)));
  { char p[64]; snprintf(p, sizeof p, "/sys/block/loop%d/loop", nr); ERR("no loop/ while unbound", access(p, F_OK), ENOENT); }
  OK("stat has 17 fields", ({ int k = 0; char *s = (char *)rd("/sys/block/loop%d/stat", nr), *tok;
                              for (tok = strtok(s, " "); tok; tok = strtok(NULL, " ")) k++; k == 17; }));

  /* a 4 MiB image with an MBR: p1 sectors 2048+4096, p2 6144+2048 */
  memset(buf, 0, sizeof buf);
  unsigned char *mbr = (unsigned char *)buf;
  const unsigned parts[2][3] = { { 0x83, 2048, 4096 }, { 0x82, 6144, 2048 } };
  for (int i = 0; i < 2; i++) {
    unsigned char *e = mbr + 446 + 16 * i;
    e[4] = (unsigned char)parts[i][0];
    memcpy(e + 8, &parts[i][1], 4);
    memcpy(e + 12, &parts[i][2], 4);
  }
  mbr[510] = 0x55, mbr[511] = 0xAA;
  int f = open(img, O_RDWR | O_CREAT, 0600);
  OK("image written", write(f, buf, sizeof buf) == (ssize_t)sizeof buf && fsync(f) == 0);

  int d = open(dev, O_RDWR);
  OK("LOOP_SET_FD", ioctl(d, LOOP_SET_FD, f) == 0);
  printf("bound size %s ro %s\n", rd("/sys/block/loop%d/size", nr), rd("/sys/block/loop%d/ro", nr));
  OK("loop/backing_file is the image", !strcmp(rd("/sys/block/loop%d/loop/backing_file", nr), img));
  printf("offset %s sizelimit %s autoclear %s partscan %s dio %s\n", rd("/sys/block/loop%d/loop/offset", nr),
         rd("/sys/block/loop%d/loop/sizelimit", nr), rd("/sys/block/loop%d/loop/autoclear", nr),
         rd("/sys/block/loop%d/loop/partscan", nr), rd("/sys/block/loop%d/loop/dio", nr));
  char line[128];
  snprintf(line, sizeof line, "   7  %7d       4096 loop%d", nr, nr);
  OK("/proc/partitions lists it", strstr(rd("/proc/partitions"), line) != NULL);

  struct loop_info64 li;
  memset(&li, 0, sizeof li);
  OK("LOOP_GET_STATUS64", !ioctl(d, LOOP_GET_STATUS64, &li));
  li.lo_flags = LO_FLAGS_PARTSCAN | LO_FLAGS_AUTOCLEAR;
  li.lo_sizelimit = 3 * MIB + 512 * 1024;
  OK("LOOP_SET_STATUS64 partscan, autoclear, sizelimit", !ioctl(d, LOOP_SET_STATUS64, &li));
  printf("size %s sizelimit %s autoclear %s partscan %s\n", rd("/sys/block/loop%d/size", nr),
         rd("/sys/block/loop%d/loop/sizelimit", nr), rd("/sys/block/loop%d/loop/autoclear", nr),
         rd("/sys/block/loop%d/loop/partscan", nr));
  OK("/dev/loopNp1 appears", exists("%s", p1));
  OK("/sys/block/loopN/loopNp1 appears", exists("/sys/block/loop%d/loop%dp1", nr, nr));
  printf("p1 start %s size %s partition %s major %s\n", rd("/sys/block/loop%d/loop%dp1/start", nr, nr),
         rd("/sys/block/loop%d/loop%dp1/size", nr, nr), rd("/sys/block/loop%d/loop%dp1/partition", nr, nr),
         strtok((char *)rd("/sys/block/loop%d/loop%dp1/dev", nr, nr), ":"));
  /* p2 ends past the sizelimit: cut to the device */
  printf("p2 start %s size %s\n", rd("/sys/block/loop%d/loop%dp2/start", nr, nr),
         rd("/sys/block/loop%d/loop%dp2/size", nr, nr));
  struct stat st, st2;
  OK("p1 is a block device 259:M", !stat(p1, &st) && S_ISBLK(st.st_mode) && major(st.st_rdev) == 259);
  int pd = open(p1, O_RDWR);
  uint64_t size = 0;
  OK("BLKGETSIZE64 of p1", pd >= 0 && !ioctl(pd, BLKGETSIZE64, &size) && size == 2 * MIB);

  /* I/O counters */
  char sub[32];
  snprintf(sub, sizeof sub, "loop%dp1", nr);
  unsigned long long w0 = stat_field(NULL, 6), r0 = stat_field(NULL, 2), pw0 = stat_field(sub, 6);
  memset(buf, 'w', 65536);
  OK("64 KiB written through the device", pwrite(d, buf, 65536, 3 * MIB) == 65536 && fsync(d) == 0);
  OK("sectors written grew by 128 or more", stat_field(NULL, 6) >= w0 + 128);
  OK("write requests counted", stat_field(NULL, 4) > 0);
  OK("io_ticks moved", stat_field(NULL, 9) > 0);
  OK("64 KiB read", pread(d, buf, 65536, 2 * MIB + 65536) == 65536);
  OK("sectors read grew by 128 or more", stat_field(NULL, 2) >= r0 + 128);
  memset(buf, 'p', 4096);
  OK("4 KiB written through p1", pwrite(pd, buf, 4096, 0) == 4096 && fsync(pd) == 0);
  OK("p1's sectors written grew by 8 or more", stat_field(sub, 6) >= pw0 + 8);
  char c = 0;
  OK("p1's sector 0 is the image's sector 2048", pread(f, &c, 1, 2048 * 512) == 1 && c == 'p');
  close(pd);

  /* a block node made with mknod opens the loop device */
  snprintf(mnt, sizeof mnt, "%s/mnt", dir);
  OK("mkdir", !mkdir(mnt, 0755));
  OK("mount a tmpfs", !mount("tmpfs", mnt, "tmpfs", 0, "size=8m"));
  snprintf(node, sizeof node, "%s/blk", mnt);
  OK("mknod 7:N", !mknod(node, S_IFBLK | 0600, makedev(7, nr)));
  int nd = open(node, O_RDONLY);
  OK("open the node", nd >= 0);
  OK("fstat shows the node", !fstat(nd, &st) && !stat(node, &st2) && st.st_ino == st2.st_ino &&
     st.st_dev == st2.st_dev && S_ISBLK(st.st_mode) && st.st_rdev == makedev(7, nr));
  OK("BLKGETSIZE64 through it", !ioctl(nd, BLKGETSIZE64, &size) && size == 3 * MIB + 512 * 1024);
  char xv[8];
  ERR("fgetxattr user.x", fgetxattr(nd, "user.x", xv, sizeof xv), ENODATA);
  close(nd);

  /* swap */
  unsigned long long tot0 = meminfo_kb("SwapTotal"), free0 = meminfo_kb("SwapFree");
  struct sysinfo si0, si1;
  sysinfo(&si0);
  /* the whole device: 3.5 MiB, 896 pages (the MBR's 512 bytes stay, as
   * mkswap keeps the first 1024) */
  ERR("swapon without a signature", swapon(dev, 0), EINVAL);
  char page[4096];
  OK("read page 0", pread(d, page, 4096, 0) == 4096);
  swap_header(buf, 896);
  ERR("swapon: a header larger than the device", (pwrite(d, buf + 1024, 3072, 1024), fsync(d), swapon(dev, 0)), EINVAL);
  swap_header(buf, 895);
  memcpy(page + 1024, buf + 1024, 3072);
  OK("swap header on the device", pwrite(d, page, 4096, 0) == 4096 && fsync(d) == 0);
  ERR("swapon bad flags", swapon(dev, 0x80000), EINVAL);
  ERR("swapon \"\"", swapon("", 0), ENOENT);
  ERR("swapon bad pointer", syscall(SYS_swapon, (char *)8, 0), EFAULT);
  ERR("swapon a directory", swapon(dir, 0), EISDIR);
  ERR("swapon /dev/null", swapon("/dev/null", 0), EINVAL);
  char tf[96];
  snprintf(tf, sizeof tf, "%s/swapfile", mnt);
  int sf = open(tf, O_RDWR | O_CREAT, 0600);
  memset(buf, 0, MIB);
  swap_header(buf, 255);
  OK("a swap file on tmpfs", write(sf, buf, MIB) == MIB);
  close(sf);
  ERR("swapon of a tmpfs file", swapon(tf, 0), EINVAL);
  OK("swapon the device", swapon(dev, 0) == 0);
  ERR("write to an active swap device", pwrite(d, page, 512, 0), ETXTBSY);
  show_swaps();
  printf("SwapTotal +%llu SwapFree +%llu\n", meminfo_kb("SwapTotal") - tot0, meminfo_kb("SwapFree") - free0);
  sysinfo(&si1);
  printf("sysinfo totalswap +%llu freeswap +%llu\n",
         (unsigned long long)(si1.totalswap - si0.totalswap) * si1.mem_unit / 1024,
         (unsigned long long)(si1.freeswap - si0.freeswap) * si1.mem_unit / 1024);
  ERR("swapon the device again", swapon(dev, 0), EBUSY);
  OK("seteuid nobody", !seteuid(65534));
  ERR("swapon without CAP_SYS_ADMIN", swapon(dev, 0), EPERM);
  ERR("swapoff without CAP_SYS_ADMIN", swapoff(dev), EPERM);
  OK("seteuid root", !seteuid(0));
  ERR("swapoff of an inactive area", swapoff(img), EINVAL);
  ERR("swapoff of nothing", swapoff("/nonexistent"), ENOENT);
  OK("swapoff the device", swapoff(dev) == 0);
  ERR("swapoff the device again", swapoff(dev), EINVAL);
  OK("SwapTotal back", meminfo_kb("SwapTotal") == tot0);
  OK("writable again", pwrite(d, page, 512, 0) == 512);
  OK("swapon with SWAP_FLAG_PREFER 7", swapon(dev, SWAP_FLAG_PREFER | 7) == 0);
  show_swaps();
  OK("swapoff the device", swapoff(dev) == 0);

  /* LOOP_CLR_FD: autoclear at the last close; loop/ and the partitions go */
  OK("LOOP_CLR_FD", ioctl(d, LOOP_CLR_FD, 0) == 0);
  close(d);
  char p[96];
  snprintf(p, sizeof p, "/sys/block/loop%d/loop", nr);
  ERR("loop/ gone", access(p, F_OK), ENOENT);
  snprintf(p, sizeof p, "/sys/block/loop%d/loop%dp1", nr, nr);
  for (int i = 0; i < 40 && !access(p, F_OK); i++) usleep(50000);
  ERR("loopNp1 gone", access(p, F_OK), ENOENT);
  for (int i = 0; i < 40 && !access(p1, F_OK); i++) usleep(50000);
  ERR("/dev/loopNp1 gone", access(p1, F_OK), ENOENT);
  printf("size after %s\n", rd("/sys/block/loop%d/size", nr));
  OK("umount", !umount(mnt));
  unlink(img);
  rmdir(mnt);
  rmdir(dir);
  return t_done();
}
