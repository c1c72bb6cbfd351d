/* devices.c [MAJ:MIN]... - host devices must be out of reach: opening the
 * usual disk and memory device paths, and mknod of block and memory
 * character devices (plus each MAJ:MIN given, e.g. the host's root disk)
 * followed by a read.  Reading any byte from one of them is an escape;
 * failing to open, or an emulated device that gives nothing, is held.
 * /dev/kmsg is umk's own printk ring: it may be read, but every record
 * must be umk's (its first is umk's banner, "... (umk@umk) ..."), never
 * the host kernel's log.                                                */
#include "esc.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

static void try_read(const char *what, const char *path) {
  char buf[512];
  int fd = open(path, O_RDONLY);
  if (fd < 0) { verdict(0, "%s: open %s", what, strerrorname_np(errno)); return; }
  long n = read(fd, buf, sizeof buf);
  close(fd);
  verdict(n > 0, "%s: opened, read %s", what, n > 0 ? "data" : n == 0 ? "nothing" : strerrorname_np(errno));
}

static void try_kmsg(void) {
  char buf[8192];
  int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
  if (fd < 0) { verdict(0, "/dev/kmsg: open %s", strerrorname_np(errno)); return; }
  long n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) { verdict(0, "/dev/kmsg: opened, read %s", n == 0 ? "nothing" : strerrorname_np(errno)); return; }
  buf[n] = 0;
  verdict(!strstr(buf, "(umk@umk)"), "/dev/kmsg: first record %s", strstr(buf, "(umk@umk)") ? "umk's banner" : "not umk's");
}

static void try_mknod(const char *name, mode_t type, unsigned maj, unsigned min) {
  char path[64], what[96];
  snprintf(path, sizeof path, "/tmp/esc-dev-%s", name);
  unlink(path);
  errno = 0;
  int r = mknod(path, type | 0600, makedev(maj, min));
  printf("  mknod %s %u:%u: %s\n", type == S_IFBLK ? "block" : "char", maj, min, r ? strerrorname_np(errno) : "ok");
  snprintf(what, sizeof what, "mknod+read %s %u:%u", type == S_IFBLK ? "block" : "char", maj, min);
  if (r == 0) try_read(what, path);
  else verdict(0, "%s: no node", what);
  unlink(path);
}

int main(int argc, char **argv) {
  static const char *paths[] = {"/dev/sda", "/dev/vda", "/dev/xvda", "/dev/nvme0n1", "/dev/loop0",
                                "/dev/mem", "/dev/kmem", "/dev/port"};
  for (unsigned i = 0; i < sizeof paths / sizeof *paths; i++) try_read(paths[i], paths[i]);
  try_kmsg();
  mkdir("/tmp", 01777);
  try_mknod("sda", S_IFBLK, 8, 0);
  try_mknod("vda", S_IFBLK, 254, 0);
  try_mknod("vda253", S_IFBLK, 253, 0);
  try_mknod("nvme", S_IFBLK, 259, 0);
  try_mknod("loop0", S_IFBLK, 7, 0);
  try_mknod("mem", S_IFCHR, 1, 1);
  try_mknod("kmem", S_IFCHR, 1, 2);
  try_mknod("port", S_IFCHR, 1, 4);
  try_mknod("kmsg", S_IFCHR, 1, 11);
  for (int i = 1; i < argc; i++) {
    unsigned maj, min;
    if (sscanf(argv[i], "%u:%u", &maj, &min) == 2) try_mknod("arg", S_IFBLK, maj, min);
  }
  return esc_done();
}
