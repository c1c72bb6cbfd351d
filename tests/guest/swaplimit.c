/* swaplimit.c - swapon(2)'s limit: MAX_SWAPFILES areas (28 on a kernel
 * configured as umk's /proc/config.gz says: no DEVICE_PRIVATE, no
 * MEMORY_FAILURE), then EPERM (LTP swapon03); a freed slot is used
 * again; /proc/swaps lists them all with priorities -2, -3, ... and
 * swapoff moves the lower ones up.  The areas are the partitions of
 * eight loop devices over one image with four MBR partitions, each with
 * a swap header.
 *
 * Run under umk against tests/guest/swaplimit.expected, not natively: it
 * needs every loop device of the machine and partition support (Linux
 * with MSDOS_PARTITION gives the same; LTP's swapon03 finds the 28 on
 * the host's kernel).  */
#include "t.h"
#include <fcntl.h>
#include <linux/loop.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/swap.h>

#define MIB (1024 * 1024)

static char img[8 * MIB];

static int swaps_lines(void) {
  char b[16384];
  int fd = open("/proc/swaps", O_RDONLY), n = 0;
  ssize_t r = read(fd, b, sizeof b - 1);
  close(fd);
  for (ssize_t i = 0; i < r; i++) n += b[i] == '\n';
  return n - 1;
}

int main(void) {
  char path[64];
  /* four 1 MiB partitions at 1, 2, 3 and 4 MiB, each a 256-page swap area */
  for (int i = 0; i < 4; i++) {
    unsigned char *e = (unsigned char *)img + 446 + 16 * i;
    unsigned start = 2048 * (i + 1), sects = 2048, v = 1, last = 255;
    e[4] = 0x82;
    memcpy(e + 8, &start, 4);
    memcpy(e + 12, &sects, 4);
    char *h = img + (size_t)start * 512;
    memcpy(h + 1024, &v, 4);
    memcpy(h + 1028, &last, 4);
    memcpy(h + 4096 - 10, "SWAPSPACE2", 10);
  }
  img[510] = 0x55, img[511] = (char)0xAA;
  int f = open("/tmp/swaplimit.img", O_RDWR | O_CREAT | O_TRUNC, 0600);
  OK("image", write(f, img, sizeof img) == (ssize_t)sizeof img);
  int devs[8];
  for (int d = 0; d < 8; d++) {
    struct loop_config cfg = { .fd = (unsigned)f, .info.lo_flags = LO_FLAGS_PARTSCAN };
    snprintf(path, sizeof path, "/dev/loop%d", d);
    devs[d] = open(path, O_RDWR);
    if (ioctl(devs[d], LOOP_CONFIGURE, &cfg)) printf("FAIL LOOP_CONFIGURE loop%d: %s\n", d, en(errno));
  }
  OK("no areas", swaps_lines() == 0);
  int n = 0, err = 0;
  for (int d = 0; d < 8 && !err; d++)
    for (int p = 1; p <= 4 && !err; p++) {
      snprintf(path, sizeof path, "/dev/loop%dp%d", d, p);
      if (swapon(path, 0) == 0)
        n++;
      else
        err = errno;
    }
  printf("areas activated %d, then %s\n", n, en(err));
  printf("/proc/swaps lines %d\n", swaps_lines());
  ERR("swapon of an active area at the limit", swapon("/dev/loop0p1", 0), EPERM);
  OK("swapoff loop0p2", swapoff("/dev/loop0p2") == 0);
  OK("its slot is used again", swapon(path, SWAP_FLAG_PREFER | 3) == 0);
  /* priorities: loop0p1 -2, loop0p3 -3 after loop0p2's -3 went, ... */
  char b[16384];
  int fd = open("/proc/swaps", O_RDONLY);
  ssize_t r = read(fd, b, sizeof b - 1);
  close(fd);
  b[r > 0 ? r : 0] = 0;
  char *l = strtok(b, "\n");
  for (int i = 0; l; l = strtok(NULL, "\n"), i++) {
    char name[64];
    int prio = 0;
    if (i && sscanf(l, "%63s %*s %*s %*s %d", name, &prio) == 2) printf("%s %d\n", name, prio);
  }
  for (int d = 0; d < 8; d++)
    for (int p = 1; p <= 4; p++) {
      snprintf(path, sizeof path, "/dev/loop%dp%d", d, p);
      swapoff(path);
    }
  OK("all off", swaps_lines() == 0);
  for (int d = 0; d < 8; d++) {
    ioctl(devs[d], LOOP_CLR_FD, 0);
    close(devs[d]);
  }
  unlink("/tmp/swaplimit.img");
  return t_done();
}
