/* mounts.c MAJ:MIN MARKER... - mounts and namespaces must not reach the
 * host.  Each MARKER is a host absolute path of a file outside the guest
 * root whose content starts with "UMK-HOST-SECRET"; MAJ:MIN is the host
 * disk holding the test root.  Tries: bind mounts of the marker's path,
 * of "/.." and of symlinks pointing out; mounts of host device paths and
 * of the host disk by a device node (every filesystem type umk knows and
 * a few it does not); a new proc, devtmpfs and sysfs looked through for
 * host things; pivot_root into a tmpfs, then every climb out of it;
 * MS_MOVE of the root; a dirfd kept across unshare(CLONE_NEWNS) and
 * pivot_root; the same in a new user namespace.  Any read of a marker or
 * of the disk is an escape.                                            */
#include "esc.h"
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

static const char secret[] = "UMK-HOST-SECRET";
static char up[256];

static void try_open(int dirfd, const char *what, const char *path) {
  char buf[64] = {0};
  int fd = openat(dirfd, path, O_RDONLY);
  if (fd < 0) { verdict(0, "%s (%s)", what, strerrorname_np(errno)); return; }
  int n = read(fd, buf, sizeof buf - 1);
  close(fd);
  int got = n > 0 && !strncmp(buf, secret, strlen(secret));
  verdict(got, "%s (opened, %s)", what, got ? "read the host marker" : "not the marker");
}

static void try_mount(const char *what, const char *src, const char *dst, const char *type,
                      unsigned long flags, const char *data) {
  errno = 0;
  int r = mount(src, dst, type, flags, data);
  printf("  %s: %s\n", what, r ? strerrorname_np(errno) : "mounted");
}

/* what a directory holds: a host root has "etc", "proc" and the marker's
 * own directory; reading the marker through dir is the escape */
static void look_in(const char *what, const char *dir, const char *marker) {
  char p[4096];
  snprintf(p, sizeof p, "%s/%s", dir, marker + (marker[0] == '/'));
  try_open(AT_FDCWD, what, p);
  snprintf(p, sizeof p, "%s/%s%s", dir, up, marker + (marker[0] == '/'));
  try_open(AT_FDCWD, what, p);
}

static void try_dev(const char *what, const char *path) {
  char buf[512];
  int fd = open(path, O_RDONLY);
  if (fd < 0) { verdict(0, "%s: open %s", what, strerrorname_np(errno)); return; }
  long n = read(fd, buf, sizeof buf);
  close(fd);
  verdict(n > 0, "%s: opened, read %s", what, n > 0 ? "data" : n == 0 ? "nothing" : strerrorname_np(errno));
}

static void attempts(int argc, char **argv, unsigned maj, unsigned min) {
  mkdir("/tmp", 01777);
  mkdir("/tmp/esc-mnt", 0755);
  mkdir("/tmp/esc-b", 0755);
  for (int i = 2; i < argc; i++) {
    const char *m = argv[i];
    printf("marker %d\n", i - 1);
    /* the marker's own path, as a bind source */
    mkdir("/tmp/esc-f", 0755);
    int fd = open("/tmp/esc-file", O_CREAT | O_WRONLY, 0644);
    close(fd);
    try_mount("bind the marker's path", m, "/tmp/esc-file", NULL, MS_BIND, NULL);
    try_open(AT_FDCWD, "the file bound over", "/tmp/esc-file");
    umount2("/tmp/esc-file", MNT_DETACH);
    /* "/.." and friends as bind sources */
    char p[4096];
    snprintf(p, sizeof p, "/%s", up);
    try_mount("bind /../../..", p, "/tmp/esc-b", NULL, MS_BIND | MS_REC, NULL);
    look_in("bind of /..: marker through it", "/tmp/esc-b", m);
    umount2("/tmp/esc-b", MNT_DETACH);
    unlink("/tmp/esc-link");
    symlink(m, "/tmp/esc-link");
    try_mount("bind a symlink to the marker", "/tmp/esc-link", "/tmp/esc-file", NULL, MS_BIND, NULL);
    try_open(AT_FDCWD, "the symlink bound over", "/tmp/esc-file");
    umount2("/tmp/esc-file", MNT_DETACH);
    unlink("/tmp/esc-link");
    symlink(up, "/tmp/esc-link");
    try_mount("bind a symlink to ../../..", "/tmp/esc-link", "/tmp/esc-b", NULL, MS_BIND, NULL);
    look_in("bind of a symlink climbing out", "/tmp/esc-b", m);
    umount2("/tmp/esc-b", MNT_DETACH);
  }

  /* host devices: by path, by node, every type */
  static const char *types[] = { "ext4", "ext2", "xfs", "btrfs", "vfat", "iso9660", "overlay", "9p", "fuse",
                                 "nfs", "cgroup2", "bpf", "tmpfs", "proc", "sysfs", "devtmpfs", "devpts" };
  static const char *devs[] = { "/dev/sda", "/dev/vda", "/dev/sda1", "/dev/vda1", "/dev/nvme0n1", "/dev/loop0" };
  for (unsigned d = 0; d < sizeof devs / sizeof *devs; d++)
    for (unsigned k = 0; k < 4; k++) {
      char what[96];
      snprintf(what, sizeof what, "mount -t %s %s", types[k], devs[d]);
      try_mount(what, devs[d], "/tmp/esc-mnt", types[k], MS_RDONLY, NULL);
      look_in("... then the marker through it", "/tmp/esc-mnt", argv[argc > 2 ? 2 : 1]);
      umount2("/tmp/esc-mnt", MNT_DETACH);
    }
  unlink("/tmp/esc-disk");
  errno = 0;
  int r = mknod("/tmp/esc-disk", S_IFBLK | 0600, makedev(maj, min));
  printf("  mknod of the host disk: %s\n", r ? strerrorname_np(errno) : "ok");
  for (unsigned k = 0; k < sizeof types / sizeof *types; k++) {
    char what[96];
    snprintf(what, sizeof what, "mount -t %s of the disk node", types[k]);
    try_mount(what, "/tmp/esc-disk", "/tmp/esc-mnt", types[k], MS_RDONLY, NULL);
    for (int i = 2; i < argc; i++) look_in("... the marker through it", "/tmp/esc-mnt", argv[i]);
    umount2("/tmp/esc-mnt", MNT_DETACH);
  }
  /* a devtmpfs of our own: no host disks in it */
  try_mount("mount devtmpfs", "none", "/tmp/esc-mnt", "devtmpfs", 0, NULL);
  try_dev("devtmpfs: sda", "/tmp/esc-mnt/sda");
  try_dev("devtmpfs: vda", "/tmp/esc-mnt/vda");
  try_dev("devtmpfs: mem", "/tmp/esc-mnt/mem");
  umount2("/tmp/esc-mnt", MNT_DETACH);
  /* a proc of our own: its roots are the guest's */
  try_mount("mount proc", "proc", "/tmp/esc-mnt", "proc", 0, NULL);
  for (int i = 2; i < argc; i++) {
    char p[4096];
    snprintf(p, sizeof p, "/tmp/esc-mnt/1/root/%s%s", up, argv[i] + 1);
    try_open(AT_FDCWD, "new proc: /proc/1/root/..", p);
    snprintf(p, sizeof p, "/tmp/esc-mnt/self/cwd/%s%s", up, argv[i] + 1);
    try_open(AT_FDCWD, "new proc: /proc/self/cwd/..", p);
  }
  umount2("/tmp/esc-mnt", MNT_DETACH);
  errno = 0;
  r = mount("/", "/tmp/esc-mnt", NULL, MS_MOVE, NULL);
  verdict(0, "MS_MOVE of the root: %s", r ? strerrorname_np(errno) : "moved");

  /* pivot_root into a tmpfs, keeping a dirfd of the old root */
  int olddir = open("/", O_DIRECTORY | O_RDONLY);
  try_mount("tmpfs for a new root", "tmpfs", "/tmp/esc-mnt", "tmpfs", 0, NULL);
  mkdir("/tmp/esc-mnt/old", 0755);
  errno = 0;
  r = syscall(SYS_pivot_root, "/tmp/esc-mnt", "/tmp/esc-mnt/old");
  printf("  pivot_root: %s\n", r ? strerrorname_np(errno) : "ok");
  chdir("/");
  for (int k = 0; k < 20; k++) chdir("..");
  for (int i = 2; i < argc; i++) {
    char p[4096];
    try_open(AT_FDCWD, "after pivot_root: the absolute path", argv[i]);
    snprintf(p, sizeof p, "/old/%s%s", up, argv[i] + 1);
    try_open(AT_FDCWD, "after pivot_root: /old/../..", p);
    snprintf(p, sizeof p, "%s%s", up, argv[i] + 1);
    try_open(olddir, "after pivot_root: the old root's dirfd, ../..", p);
    try_open(AT_FDCWD, "after pivot_root: cwd ../..", p);
  }
  umount2("/old", MNT_DETACH);
  for (int i = 2; i < argc; i++) {
    char p[4096];
    snprintf(p, sizeof p, "%s%s", up, argv[i] + 1);
    try_open(olddir, "old root unmounted: its dirfd, ../..", p);
  }
  close(olddir);
}

int main(int argc, char **argv) {
  unsigned maj = 0, min = 0;
  for (int i = 0; i < 16; i++) strcat(up, "../");
  if (argc < 2 || sscanf(argv[1], "%u:%u", &maj, &min) != 2) {
    printf("usage: mounts MAJ:MIN MARKER...\n");
    return 2;
  }
  /* as root, in new mount namespaces: plain, then inside a user namespace */
  pid_t c = fork();
  if (c == 0) {
    if (unshare(CLONE_NEWNS) || mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL))
      printf("  no mount namespace: %s\n", strerrorname_np(errno));
    attempts(argc, argv, maj, min);
    _exit(escapes);
  }
  int st;
  waitpid(c, &st, 0);
  if (st) escapes++;
  c = fork();
  if (c == 0) {
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS))
      printf("  no user namespace: %s\n", strerrorname_np(errno));
    int fd = open("/proc/self/uid_map", O_WRONLY);
    if (fd >= 0) { write(fd, "0 0 1", 5); close(fd); }
    attempts(argc, argv, maj, min);
    _exit(escapes);
  }
  waitpid(c, &st, 0);
  if (st) escapes++;
  return esc_done();
}
