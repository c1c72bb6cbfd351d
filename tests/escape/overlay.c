/* overlay.c HOSTDIR MARKER... - overlayfs mounts must not reach the host.
 * Each MARKER is a host absolute path of a file outside the guest root
 * whose content starts with "UMK-HOST-SECRET"; HOSTDIR is a host
 * directory outside the root that must stay empty.  Tries overlays
 * whose lowerdir is the marker's directory by its host path, by "/.."
 * climbs, through a symlink pointing out and through /proc/self/root
 * and /proc/1/cwd, and looks for the marker in the merged tree; then
 * overlays whose upperdir and workdir are HOSTDIR's path (the same
 * tricks; the guest makes those paths inside its own root first, as a
 * guest could) over a lower of the guest's /etc, writes, chmods,
 * unlinks and renames through them to force copy-ups and whiteouts.
 * The runner checks HOSTDIR afterwards.  Any read of a marker is an
 * escape.  Runs as root in a new mount namespace, then inside a new
 * user namespace too.                                                  */
#include "esc.h"
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

static const char secret[] = "UMK-HOST-SECRET";
static char up[256];

static void try_open(const char *what, const char *path) {
  char buf[64] = {0};
  int fd = open(path, O_RDONLY);
  if (fd < 0) { verdict(0, "%s (%s)", what, strerrorname_np(errno)); return; }
  int n = read(fd, buf, sizeof buf - 1);
  close(fd);
  int got = n > 0 && !strncmp(buf, secret, strlen(secret));
  verdict(got, "%s (opened, %s)", what, got ? "read the host marker" : "not the marker");
}

static int try_mount(const char *what, const char *data) {
  errno = 0;
  int r = mount("overlay", "/tmp/eo-m", "overlay", 0, data);
  printf("  %s: %s\n", what, r ? strerrorname_np(errno) : "mounted");
  return r;
}

/* mkdir -p of path (inside the guest's root: as a guest would) */
static void mkpath(const char *path) {
  char p[4096];
  snprintf(p, sizeof p, "%s", path);
  for (char *s = p + 1; *s; s++)
    if (*s == '/') { *s = 0; mkdir(p, 0755); *s = '/'; }
  mkdir(p, 0755);
}

static void writes(void) {
  int fd = open("/tmp/eo-m/passwd", O_WRONLY | O_APPEND);
  if (fd >= 0) { write(fd, "x\n", 2); close(fd); }
  chmod("/tmp/eo-m/hosts", 0600);
  unlink("/tmp/eo-m/hostname");
  rename("/tmp/eo-m/group", "/tmp/eo-m/group2");
  fd = open("/tmp/eo-m/new-file", O_CREAT | O_WRONLY, 0644);
  if (fd >= 0) { write(fd, "new\n", 4); close(fd); }
  mkdir("/tmp/eo-m/new-dir", 0755);
}

static void attempts(int argc, char **argv) {
  const char *hostdir = argv[1];
  char data[9000], dir[4096], p[4096];
  mkdir("/tmp", 01777);
  mkdir("/tmp/eo-m", 0755);
  mkdir("/eo-u", 0755);
  mkdir("/eo-w", 0755);
  for (int i = 2; i < argc; i++) {
    const char *m = argv[i];
    const char *base = strrchr(m, '/') + 1;
    snprintf(dir, sizeof dir, "%.*s", (int)(base - 1 - m), m);
    printf("marker %d\n", i - 1);
    const char *lowers[] = { "%s", "/%s%s", "/proc/self/root/%s%s", "/proc/1/cwd/%s%s", "/tmp/eo-link" };
    unlink("/tmp/eo-link");
    symlink(dir, "/tmp/eo-link");
    for (unsigned k = 0; k < sizeof lowers / sizeof *lowers; k++) {
      char low[4096];
      if (k == 0) snprintf(low, sizeof low, lowers[k], dir);
      else if (k == 4) snprintf(low, sizeof low, "%s", lowers[k]);
      else snprintf(low, sizeof low, lowers[k], up, dir + 1);
      /* read-only of two lowers, and one lower under a guest upper */
      snprintf(data, sizeof data, "lowerdir=%s:/etc", low);
      if (!try_mount(low, data)) {
        snprintf(p, sizeof p, "/tmp/eo-m/%s", base);
        try_open("lowerdir: the marker through the merged tree", p);
        umount2("/tmp/eo-m", MNT_DETACH);
      }
      snprintf(data, sizeof data, "lowerdir=%s,upperdir=/eo-u,workdir=/eo-w", low);
      if (!try_mount(low, data)) {
        snprintf(p, sizeof p, "/tmp/eo-m/%s", base);
        try_open("lowerdir under an upper: the marker", p);
        /* a copy-up of it, had it been there */
        chmod(p, 0600);
        snprintf(p, sizeof p, "/eo-u/%s", base);
        try_open("the upper layer: a copied-up marker", p);
        umount2("/tmp/eo-m", MNT_DETACH);
      }
    }
  }
  /* upper and work at the host directory's path, made in the guest */
  const char *forms[] = { "%s/%s", "/%s%s/%s", "/proc/self/root/%s%s/%s" };
  for (unsigned k = 0; k < sizeof forms / sizeof *forms; k++) {
    char u[4096], w[4096];
    if (k == 0) {
      snprintf(u, sizeof u, forms[k], hostdir, "up");
      snprintf(w, sizeof w, forms[k], hostdir, "work");
    } else {
      snprintf(u, sizeof u, forms[k], up, hostdir + 1, "up");
      snprintf(w, sizeof w, forms[k], up, hostdir + 1, "work");
    }
    mkpath(u);
    mkpath(w);
    snprintf(data, sizeof data, "lowerdir=/etc,upperdir=%s,workdir=%s", u, w);
    if (!try_mount("upper and work at the host directory's path", data)) {
      writes();
      umount2("/tmp/eo-m", MNT_DETACH);
    }
  }
  /* a symlink to it */
  unlink("/tmp/eo-link");
  symlink(hostdir, "/tmp/eo-link");
  snprintf(data, sizeof data, "lowerdir=/etc,upperdir=/tmp/eo-link/up,workdir=/tmp/eo-link/work");
  if (!try_mount("upper and work through a symlink to the host directory", data)) {
    writes();
    umount2("/tmp/eo-m", MNT_DETACH);
  }
}

int main(int argc, char **argv) {
  for (int i = 0; i < 16; i++) strcat(up, "../");
  if (argc < 2 || argv[1][0] != '/') {
    printf("usage: overlay HOSTDIR MARKER...\n");
    return 2;
  }
  pid_t c = fork();
  if (c == 0) {
    if (unshare(CLONE_NEWNS) || mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL))
      printf("  no mount namespace: %s\n", strerrorname_np(errno));
    attempts(argc, argv);
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
    attempts(argc, argv);
    _exit(escapes);
  }
  waitpid(c, &st, 0);
  if (st) escapes++;
  return esc_done();
}
