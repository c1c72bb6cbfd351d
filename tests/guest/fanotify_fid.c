/* fanotify_fid.c - fanotify groups that report file identifiers and
 * pidfds: fanotify_init's rules for FAN_REPORT_FID, DIR_FID, NAME,
 * TARGET_FID, PIDFD; fanotify_mark's for the events only FID groups have
 * (EINVAL without FID or on a mount mark, FAN_RENAME without NAME,
 * ENOTDIR for directory events on a file with TARGET_FID, a mount mark
 * on a pipe); the events of creating, writing, chmod, renaming (within
 * and across directories), mkdir, rmdir and unlink as each group kind
 * reports them, with every info record checked against
 * name_to_handle_at(2) and statfs(2) and its name printed; merging;
 * FIONREAD; pidfd records (valid for a live process, FAN_NOPIDFD or
 * -ESRCH with FAN_REPORT_FD_ERROR for a reaped one); an unprivileged
 * group (pid 0 for others' events).  On a tmpfs the
 * test mounts; skips natively without root.  */
#include "t.h"
#include <fcntl.h>
#include <sys/fanotify.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>

#ifndef FAN_REPORT_TARGET_FID
#define FAN_REPORT_TARGET_FID 0x00001000
#endif
#ifndef FAN_REPORT_FD_ERROR
#define FAN_REPORT_FD_ERROR 0x00002000
#endif
#ifndef FAN_RENAME
#define FAN_RENAME 0x10000000
#endif
#ifndef FAN_EVENT_INFO_TYPE_OLD_DFID_NAME
#define FAN_EVENT_INFO_TYPE_OLD_DFID_NAME 10
#define FAN_EVENT_INFO_TYPE_NEW_DFID_NAME 12
#endif
#ifndef FAN_EVENT_INFO_TYPE_PIDFD
#define FAN_EVENT_INFO_TYPE_PIDFD 4
struct fanotify_event_info_pidfd { struct fanotify_event_info_header hdr; int pidfd; };
#endif

static char root[64];
static fsid_t fsid;

/* the objects whose handles events may carry */
struct obj { const char *name; struct { struct file_handle fh; char b[128]; } h; int ok; };
static struct obj objs[8];
static int nobjs;

static void remember(const char *label, const char *path) {
  struct obj *o = &objs[nobjs++];
  int mnt;
  o->name = label;
  o->h.fh.handle_bytes = 128;
  o->ok = name_to_handle_at(AT_FDCWD, path, &o->h.fh, &mnt, 0) == 0;
}

static const char *which(struct file_handle *fh) {
  for (int i = nobjs - 1; i >= 0; i--)
    if (objs[i].ok && objs[i].h.fh.handle_bytes == fh->handle_bytes &&
        objs[i].h.fh.handle_type == fh->handle_type &&
        !memcmp(objs[i].h.fh.f_handle, fh->f_handle, fh->handle_bytes))
      return objs[i].name;
  return "?";
}

/* prints every event queued, each info record by what it names */
static void drain(const char *what, int fd) {
  char buf[8192];
  int avail = -1;
  ioctl(fd, FIONREAD, &avail);
  ssize_t n = read(fd, buf, sizeof buf);
  printf("%s: FIONREAD %d\n", what, avail);
  if (n <= 0) {
    if (n < 0) printf("  errno %s\n", en(errno));
    return;
  }
  for (struct fanotify_event_metadata *m = (void *)buf; FAN_EVENT_OK(m, n); m = FAN_EVENT_NEXT(m, n)) {
    /* lengths without the file handles, whose size is the filesystem's */
    unsigned hb = 0;
    for (char *q = (char *)(m + 1); q < (char *)m + m->event_len;) {
      struct fanotify_event_info_header *h = (void *)q;
      if (!h->len) break;
      if (h->info_type != FAN_EVENT_INFO_TYPE_PIDFD)
        hb += ((struct file_handle *)((struct fanotify_event_info_fid *)q)->handle)->handle_bytes;
      q += h->len;
    }
    printf("  mask %llx fd %s pid %s len %u+handles\n", (unsigned long long)m->mask,
           m->fd == FAN_NOFD ? "NOFD" : m->fd >= 0 ? "valid" : "error", m->pid == getpid() ? "self" : m->pid == 0 ? "0" : "other",
           m->event_len - hb);
    if (m->fd >= 0) close(m->fd);
    char *p = (char *)(m + 1), *end = (char *)m + m->event_len;
    while (p < end) {
      struct fanotify_event_info_header *h = (void *)p;
      if (h->len == 0) break;
      if (h->info_type == FAN_EVENT_INFO_TYPE_PIDFD) {
        struct fanotify_event_info_pidfd *pi = (void *)p;
        printf("    pidfd %s\n", pi->pidfd >= 0 ? "valid" : pi->pidfd == FAN_NOPIDFD ? "NOPIDFD" : en(-pi->pidfd));
        if (pi->pidfd >= 0) close(pi->pidfd);
      } else {
        struct fanotify_event_info_fid *fi = (void *)p;
        struct file_handle *fh = (void *)fi->handle;
        const char *name = (char *)fh->f_handle + fh->handle_bytes;
        int has_name = h->info_type == FAN_EVENT_INFO_TYPE_DFID_NAME ||
                       h->info_type == FAN_EVENT_INFO_TYPE_OLD_DFID_NAME ||
                       h->info_type == FAN_EVENT_INFO_TYPE_NEW_DFID_NAME;
        printf("    type %d len %u+handle fsid %s handle %s%s%s\n", h->info_type,
               (h->len - fh->handle_bytes) & ~3u,
               memcmp(&fi->fsid, &fsid, sizeof fsid) ? "differs" : "same", which(fh), has_name ? " name " : "",
               has_name ? name : "");
      }
      p += h->len;
    }
  }
}

static void errors(void) {
  int fd, pf[2];
  ERR("init content fid", fanotify_init(FAN_CLASS_CONTENT | FAN_REPORT_FID, 0), EINVAL);
  ERR("init name no dir", fanotify_init(FAN_REPORT_FID | FAN_REPORT_NAME, 0), EINVAL);
  ERR("init target no fid", fanotify_init(FAN_REPORT_TARGET_FID | FAN_REPORT_DFID_NAME, 0), EINVAL);
  ERR("init target no name", fanotify_init(FAN_REPORT_TARGET_FID | FAN_REPORT_DIR_FID | FAN_REPORT_FID, 0), EINVAL);
  ERR("init pidfd tid", fanotify_init(FAN_REPORT_PIDFD | FAN_REPORT_TID, 0), EINVAL);
  fd = fanotify_init(FAN_REPORT_PIDFD | FAN_REPORT_FID | FAN_REPORT_DFID_NAME, 0);
  OK("init pidfd fid", fd >= 0);
  close(fd);

  char file[128];
  snprintf(file, sizeof file, "%s/plain", root);
  close(open(file, O_CREAT | O_WRONLY, 0644));
  fd = fanotify_init(FAN_CLASS_NOTIF, 0);
  ERR("mark create no fid", fanotify_mark(fd, FAN_MARK_ADD, FAN_CREATE, AT_FDCWD, root), EINVAL);
  ERR("mark pipe mount", (pipe(pf), fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_MOUNT, FAN_ACCESS, pf[0], NULL)), EINVAL);
  ERR("mark pipe fs", fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, FAN_ACCESS, pf[0], NULL), EINVAL);
  close(pf[0]);
  close(pf[1]);
  close(fd);
  /* pre-content events: a PRE_CONTENT group's, and tmpfs has none */
  fd = fanotify_init(FAN_CLASS_CONTENT, 0);
  ERR("mark pre access content", fanotify_mark(fd, FAN_MARK_ADD, 0x00100000, AT_FDCWD, file), EINVAL);
  close(fd);
  fd = fanotify_init(FAN_CLASS_PRE_CONTENT, 0);
  ERR("mark pre access tmpfs", fanotify_mark(fd, FAN_MARK_ADD, 0x00100000, AT_FDCWD, file), EOPNOTSUPP);
  ERR("mark pre access tmpfs fs", fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, 0x00100000, AT_FDCWD, root),
      EOPNOTSUPP);
  close(fd);
  fd = fanotify_init(FAN_REPORT_FID, 0);
  ERR("mark create on mount", fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_MOUNT, FAN_CREATE, AT_FDCWD, root), EINVAL);
  ERR("mark rename no name", fanotify_mark(fd, FAN_MARK_ADD, FAN_RENAME, AT_FDCWD, root), EINVAL);
  OK("mark create on file ok", fanotify_mark(fd, FAN_MARK_ADD, FAN_CREATE, AT_FDCWD, file) == 0);
  close(fd);
  fd = fanotify_init(FAN_REPORT_DFID_NAME | FAN_REPORT_FID | FAN_REPORT_TARGET_FID, 0);
  OK("init target", fd >= 0);
  ERR("mark target delete file", fanotify_mark(fd, FAN_MARK_ADD, FAN_DELETE, AT_FDCWD, file), ENOTDIR);
  ERR("mark target ondir file", fanotify_mark(fd, FAN_MARK_ADD, FAN_OPEN | FAN_ONDIR, AT_FDCWD, file), ENOTDIR);
  OK("mark target delete dir", fanotify_mark(fd, FAN_MARK_ADD, FAN_DELETE, AT_FDCWD, root) == 0);
  close(fd);
  unlink(file);
}

/* one group kind watching dir d (an inode mark with children, or the
 * filesystem), the same changes each time */
static void scenario(const char *title, unsigned flags, unsigned mark, uint64_t mask) {
  char d[128], d2[128], f[128], f2[128], f3[128], sub[128];
  snprintf(d, sizeof d, "%s/d", root);
  snprintf(d2, sizeof d2, "%s/d2", root);
  snprintf(f, sizeof f, "%s/d/f", root);
  snprintf(f2, sizeof f2, "%s/d/g", root);
  snprintf(f3, sizeof f3, "%s/d2/h", root);
  snprintf(sub, sizeof sub, "%s/d/sub", root);
  mkdir(d, 0755);
  mkdir(d2, 0755);
  nobjs = 0;
  remember("root", root);
  remember("d", d);
  remember("d2", d2);

  printf("-- %s\n", title);
  int fd = fanotify_init(flags | FAN_NONBLOCK, O_RDONLY);
  if (fd < 0) {
    printf("init failed %s\n", en(errno));
    return;
  }
  if (fanotify_mark(fd, FAN_MARK_ADD | mark, mask, AT_FDCWD, mark ? root : d) ||
      (!mark && (mask & FAN_RENAME) && fanotify_mark(fd, FAN_MARK_ADD, mask, AT_FDCWD, d2))) {
    printf("mark failed %s\n", en(errno));
    close(fd);
    return;
  }
  int w = open(f, O_CREAT | O_WRONLY, 0644);
  remember("f", f);
  write(w, "x", 1);
  close(w);
  chmod(f, 0600);
  drain("create write chmod", fd);
  rename(f, f2);
  drain("rename within", fd);
  rename(f2, f3);
  drain("rename across", fd);
  mkdir(sub, 0755);
  remember("sub", sub);
  rmdir(sub);
  drain("mkdir rmdir", fd);
  unlink(f3);
  drain("unlink elsewhere", fd);
  truncate(d, 0);
  close(fd);
  rmdir(d);
  rmdir(d2);
}

static void pidfds(unsigned extra, const char *title) {
  char f[128];
  snprintf(f, sizeof f, "%s/p", root);
  close(open(f, O_CREAT | O_WRONLY, 0644));
  printf("-- %s\n", title);
  int fd = fanotify_init(FAN_REPORT_PIDFD | FAN_NONBLOCK | extra, O_RDONLY);
  OK("pidfd init", fd >= 0);
  OK("pidfd mark", fanotify_mark(fd, FAN_MARK_ADD, FAN_OPEN, AT_FDCWD, f) == 0);
  close(open(f, O_RDONLY));
  drain("self", fd);
  pid_t p = fork();
  if (p == 0) {
    close(open(f, O_RDONLY));
    _exit(0);
  }
  waitpid(p, NULL, 0);
  drain("reaped child", fd);
  close(fd);
  unlink(f);
}

/* A group made without CAP_SYS_ADMIN (Linux's FANOTIFY_UNPRIV): no
 * FAN_REPORT_TID or PIDFD, no mount or filesystem mark while its maker
 * is unprivileged, and an event's pid is told only when it is the
 * reader's own (0 for another process's, even to a root reader). */
static void unprivileged(void) {
  char f[128];
  snprintf(f, sizeof f, "%s/u", root);
  close(open(f, O_CREAT | O_WRONLY, 0644));
  printf("-- unprivileged group\n");
  pid_t c = fork();
  if (c == 0) {
    t_failed = 0;
    if (seteuid(65534)) _exit(3);
    ERR("unprivileged FID|TID", fanotify_init(FAN_REPORT_FID | FAN_REPORT_TID, O_RDONLY), EPERM);
    ERR("unprivileged FID|PIDFD", fanotify_init(FAN_REPORT_FID | FAN_REPORT_PIDFD, O_RDONLY), EPERM);
    ERR("unprivileged NOTIF", fanotify_init(FAN_CLASS_NOTIF, O_RDONLY), EPERM);
    int fd = fanotify_init(FAN_REPORT_FID | FAN_NONBLOCK, O_RDONLY);
    OK("unprivileged FID group", fd >= 0);
    ERR("unprivileged filesystem mark", fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, FAN_OPEN, AT_FDCWD,
                                                      root), EPERM);
    OK("unprivileged inode mark", fanotify_mark(fd, FAN_MARK_ADD, FAN_OPEN | FAN_CLOSE_NOWRITE, AT_FDCWD, f) == 0);
    close(open(f, O_RDONLY));
    drain("unprivileged group, own events", fd);
    if (seteuid(0)) _exit(4);
    /* Linux checks the marker's capability, not the group's */
    OK("unprivileged group, mount mark by root", fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_MOUNT, FAN_CLOSE_NOWRITE,
                                                               AT_FDCWD, root) == 0);
    pid_t g = fork();
    if (g == 0) {
      close(open(f, O_RDONLY));
      _exit(0);
    }
    waitpid(g, NULL, 0);
    drain("unprivileged group, a child's events read by root", fd);
    close(fd);
    _exit(t_failed);
  }
  int st = 0;
  waitpid(c, &st, 0);
  printf("unprivileged: exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
  unlink(f);
}

int main(void) {
  if (getuid() != 0) {
    printf("SKIP not root\n");
    return 0;
  }
  snprintf(root, sizeof root, "/tmp/fanfid.%d", getpid());
  mkdir(root, 0755);
  if (mount("none", root, "tmpfs", 0, "size=1m")) {
    printf("SKIP no tmpfs mount: %s\n", en(errno));
    rmdir(root);
    return 0;
  }
  struct statfs sfs;
  statfs(root, &sfs);
  fsid = sfs.f_fsid;
  OK("fsid nonzero", fsid.__val[0] || fsid.__val[1]);

  errors();
  uint64_t all = FAN_CREATE | FAN_DELETE | FAN_MOVE | FAN_ATTRIB | FAN_MODIFY | FAN_CLOSE_WRITE | FAN_DELETE_SELF |
                 FAN_MOVE_SELF | FAN_ONDIR;
  scenario("FID, inode mark on d", FAN_REPORT_FID, 0, all | FAN_EVENT_ON_CHILD);
  scenario("FID, filesystem mark", FAN_REPORT_FID, FAN_MARK_FILESYSTEM, all);
  scenario("DIR_FID, inode mark on d", FAN_REPORT_DIR_FID, 0, all | FAN_EVENT_ON_CHILD);
  scenario("DFID_NAME, filesystem mark", FAN_REPORT_DFID_NAME, FAN_MARK_FILESYSTEM, all);
  scenario("DFID_NAME FID, inode mark on d", FAN_REPORT_DFID_NAME | FAN_REPORT_FID, 0, all | FAN_EVENT_ON_CHILD);
  scenario("DFID_NAME TARGET, filesystem mark", FAN_REPORT_DFID_NAME | FAN_REPORT_FID | FAN_REPORT_TARGET_FID,
           FAN_MARK_FILESYSTEM, all);
  scenario("RENAME, inode marks on d and d2", FAN_REPORT_DFID_NAME | FAN_REPORT_FID, 0, FAN_RENAME | FAN_ONDIR);
  scenario("RENAME, filesystem mark", FAN_REPORT_DFID_NAME, FAN_MARK_FILESYSTEM, FAN_RENAME | FAN_ONDIR);
  pidfds(0, "PIDFD");
  pidfds(FAN_REPORT_FD_ERROR, "PIDFD FD_ERROR");
  unprivileged();

  umount(root);
  rmdir(root);
  return t_done();
}
