/* inotify.c - inotify: inotify_init1 flags, inotify_add_watch (mask
 * checks, IN_ONLYDIR, IN_DONT_FOLLOW, IN_MASK_ADD, IN_MASK_CREATE,
 * IN_ONESHOT, IN_EXCL_UNLINK, permissions), inotify_rm_watch and
 * IN_IGNORED, the events of every kind of change (open, read, write,
 * close, chmod, utimes, truncate, create, mkdir, symlink, mknod, link,
 * rename with cookies and IN_MOVE_SELF, unlink and rmdir with
 * IN_DELETE_SELF, at the last close for a file unlinked while open,
 * readdir) to a directory's watch (with names) and a file's own, events
 * made by another process, merging of identical events, IN_Q_OVERFLOW,
 * read(2) sizes, FIONREAD, poll and epoll readiness, a blocking read
 * woken by another process, /proc/sys/fs/inotify, the watches in
 * /proc/self/fdinfo, and hostile arguments.  Works in a fresh directory
 * under /tmp.                                                          */
#include "t.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static const struct { uint32_t bit; const char *name; } names[] = {
  {IN_ACCESS, "ACCESS"}, {IN_MODIFY, "MODIFY"}, {IN_ATTRIB, "ATTRIB"}, {IN_CLOSE_WRITE, "CLOSE_WRITE"},
  {IN_CLOSE_NOWRITE, "CLOSE_NOWRITE"}, {IN_OPEN, "OPEN"}, {IN_MOVED_FROM, "MOVED_FROM"},
  {IN_MOVED_TO, "MOVED_TO"}, {IN_CREATE, "CREATE"}, {IN_DELETE, "DELETE"}, {IN_DELETE_SELF, "DELETE_SELF"},
  {IN_MOVE_SELF, "MOVE_SELF"}, {IN_UNMOUNT, "UNMOUNT"}, {IN_Q_OVERFLOW, "Q_OVERFLOW"},
  {IN_IGNORED, "IGNORED"}, {IN_ISDIR, "ISDIR"},
};

static uint32_t cookies[64];
static int ncookies;

/* prints every queued event (non-blocking fd), cookies as C1, C2... */
static void drain(const char *what, int fd) {
  char buf[8192] __attribute__((aligned(8)));
  printf("%s:\n", what);
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) {
      if (n < 0 && errno != EAGAIN) printf("  read: %s\n", en(errno));
      break;
    }
    for (char *p = buf; p < buf + n;) {
      struct inotify_event *e = (struct inotify_event *)p;
      printf("  wd %d", e->wd);
      const char *sep = " ";
      for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (e->mask & names[i].bit) printf("%s%s", sep, names[i].name), sep = "|";
      if (e->cookie) {
        int c = 0;
        while (c < ncookies && cookies[c] != e->cookie) c++;
        if (c == ncookies && ncookies < 64) cookies[ncookies++] = e->cookie;
        printf(" cookie C%d", c + 1);
      }
      if (e->len) printf(" '%s' (len %u)", e->name, e->len);
      printf("\n");
      p += sizeof *e + e->len;
    }
  }
}

static void put(const char *path, const char *s) {
  int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
  write(fd, s, strlen(s));
  close(fd);
}

int main(void) {
  long pg = sysconf(_SC_PAGESIZE);
  char dir[] = "/tmp/inotify-test-XXXXXX";
  if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
  if (chdir(dir)) { perror("chdir"); return 1; }
  chmod(".", 0755);

  /* init */
  ERR("inotify_init1 with a bad flag", inotify_init1(1), EINVAL);
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  OK("inotify_init1", fd >= 0);
  OK("IN_CLOEXEC", fcntl(fd, F_GETFD) == FD_CLOEXEC);
  OK("IN_NONBLOCK", fcntl(fd, F_GETFL) & O_NONBLOCK);
  char tmp[4096];
  ERR("empty, non-blocking", read(fd, tmp, sizeof tmp), EAGAIN);
  char lpath[64];
  snprintf(lpath, sizeof lpath, "/proc/self/fd/%d", fd);
  ssize_t ln = readlink(lpath, tmp, sizeof tmp);
  printf("fd link: %.*s\n", (int)(ln > 0 ? ln : 0), tmp);

  /* add_watch checks */
  put("f", "hello\n");
  mkdir("d", 0755);
  symlink("f", "lnk");
  ERR("mask 0", inotify_add_watch(fd, ".", 0), EINVAL);
  ERR("unknown mask bit", inotify_add_watch(fd, ".", IN_MODIFY | 0x1000), EINVAL);
  ERR("IN_MASK_ADD with IN_MASK_CREATE", inotify_add_watch(fd, ".", IN_MODIFY | IN_MASK_ADD | IN_MASK_CREATE), EINVAL);
  ERR("bad fd", inotify_add_watch(999, ".", IN_MODIFY), EBADF);
  ERR("not an inotify fd", inotify_add_watch(0, ".", IN_MODIFY), EINVAL);
  ERR("no such path", inotify_add_watch(fd, "nosuch", IN_MODIFY), ENOENT);
  ERR("IN_ONLYDIR on a file", inotify_add_watch(fd, "f", IN_MODIFY | IN_ONLYDIR), ENOTDIR);
  ERR("path from a bad pointer", inotify_add_watch(fd, (char *)8, IN_MODIFY), EFAULT);
  ERR("rm_watch of no watch", inotify_rm_watch(fd, 77), EINVAL);
  ERR("rm_watch on a bad fd", inotify_rm_watch(999, 1), EBADF);
  ERR("rm_watch on a non-inotify fd", inotify_rm_watch(1, 1), EINVAL);

  int wd_dir = inotify_add_watch(fd, ".", IN_ALL_EVENTS);
  int wd_f = inotify_add_watch(fd, "f", IN_ALL_EVENTS);
  printf("wds %d %d\n", wd_dir, wd_f);
  RES("the same file by another name (the symlink)", inotify_add_watch(fd, "lnk", IN_ALL_EVENTS));
  ERR("IN_MASK_CREATE on a watched inode", inotify_add_watch(fd, "f", IN_MODIFY | IN_MASK_CREATE), EEXIST);
  int wd_lnk = inotify_add_watch(fd, "lnk", IN_ATTRIB | IN_DONT_FOLLOW);
  printf("IN_DONT_FOLLOW watches the link itself: new wd %d\n", wd_lnk);
  drain("no events from adding watches", fd);

  /* a new file: create, open, write, close */
  int a = open("a", O_CREAT | O_WRONLY, 0644);
  write(a, "x", 1);
  close(a);
  drain("create and write a", fd);

  /* read the watched file */
  a = open("f", O_RDONLY);
  read(a, tmp, sizeof tmp);
  read(a, tmp, sizeof tmp);   /* at EOF: no event */
  close(a);
  drain("read f", fd);

  /* attributes */
  chmod("f", 0600);
  drain("chmod f", fd);
  struct timespec ts[2] = {{1, 0}, {2, 0}};
  utimensat(AT_FDCWD, "f", ts, 0);
  drain("utimensat both", fd);
  ts[0].tv_nsec = UTIME_OMIT;
  utimensat(AT_FDCWD, "f", ts, 0);
  drain("utimensat mtime only", fd);
  ts[0].tv_nsec = 0;
  ts[1].tv_nsec = UTIME_OMIT;
  utimensat(AT_FDCWD, "f", ts, 0);
  drain("utimensat atime only", fd);
  truncate("f", 2);
  drain("truncate f", fd);
  a = open("f", O_WRONLY | O_TRUNC);
  close(a);
  drain("open f O_TRUNC", fd);
  a = open("f", O_RDWR);
  fchmod(a, 0644);
  ftruncate(a, 1);
  pwrite(a, "ab", 2, 0);
  pwrite(a, "cd", 2, 0);   /* merged with the one before */
  pread(a, tmp, 2, 0);
  close(a);
  drain("fchmod, ftruncate, two pwrites, pread", fd);
  a = open("f", O_PATH);
  close(a);
  drain("an O_PATH open makes no events", fd);

  /* names */
  mkdir("sub", 0755);
  symlink("target", "sym");
  mknod("fifo", S_IFIFO | 0644, 0);
  link("a", "a2");
  drain("mkdir, symlink, mknod, link", fd);
  int wd_a = inotify_add_watch(fd, "a", IN_ALL_EVENTS);
  rename("a", "b");
  drain("rename a b (a watched)", fd);
  rename("b", "f");   /* replaces f, whose only link goes */
  drain("rename b over f", fd);
  (void)wd_a;
  int wd_sub = inotify_add_watch(fd, "sub", IN_ALL_EVENTS);
  put("sub/inner", "i");
  rename("sub/inner", "moved-out");
  drain("a file made in sub and moved out of it", fd);
  rmdir("sub");
  drain("rmdir sub (watched)", fd);
  mkdir("dx", 0755);
  mkdir("dy", 0755);
  mkdir("dz", 0755);
  int wd_dx = inotify_add_watch(fd, "dx", IN_ALL_EVENTS), wd_dy = inotify_add_watch(fd, "dy", IN_ALL_EVENTS);
  drain("made dx dy dz", fd);
  chmod("dx", 0700);
  rename("dx", "dx2");
  rename("dz", "dy");
  drain("chmod dx, rename dx dx2, rename dz over dy (both watched)", fd);
  rmdir("dx2");
  rmdir("dy");
  drain("rmdir both", fd);
  (void)wd_dx, (void)wd_dy;
  (void)wd_sub;
  unlink("a2");
  unlink("sym");
  unlink("fifo");
  drain("unlink a2 (f has the other link), sym, fifo", fd);
  int h = open("h", O_CREAT | O_RDWR, 0644);
  int wd_h = inotify_add_watch(fd, "h", IN_ALL_EVENTS);
  drain("made h", fd);
  unlink("h");
  drain("unlink h while open", fd);
  write(h, "z", 1);
  close(h);
  drain("write to and close the unlinked h", fd);
  (void)wd_h;
  /* readdir */
  int dfd = open(".", O_RDONLY | O_DIRECTORY);
  syscall(SYS_getdents64, dfd, tmp, sizeof tmp);
  close(dfd);
  drain("readdir of the watched directory", fd);

  /* a fifo, a failed O_EXCL, a directory opened below a watched one, a
   * link from another directory, writes through it */
  mknod("ff", S_IFIFO | 0644, 0);
  mkdir("other", 0755);
  drain("made ff and other", fd);
  a = open("ff", O_RDWR);
  write(a, "p", 1);
  read(a, tmp, 1);
  close(a);
  drain("fifo opened, written, read, closed", fd);
  ERR("O_EXCL on an existing file", open("ff", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
  drain("nothing for the failed open", fd);
  dfd = open("other", O_RDONLY | O_DIRECTORY);
  close(dfd);
  drain("other opened and closed", fd);
  link("ff", "other/ff-link");
  drain("linked from other (an ATTRIB? the fifo is not watched)", fd);
  put("other/x", "x");
  link("other/x", "x-here");
  a = open("other/x", O_WRONLY);
  write(a, "y", 1);
  close(a);
  a = open("x-here", O_WRONLY);
  write(a, "z", 1);
  close(a);
  drain("written through its name in other, then through its name here", fd);
  unlink("other/x");
  unlink("other/ff-link");
  rmdir("other");
  unlink("x-here");
  unlink("ff");
  drain("cleaned", fd);

  /* an open file and a working directory follow a rename, as their
   * dentries do in Linux: events, /proc/self/fd and getcwd say the new name */
  mkdir("rd", 0755);
  int rf = open("rd/r1", O_CREAT | O_WRONLY, 0644);
  int rdw = inotify_add_watch(fd, "rd", IN_MODIFY | IN_MOVED_FROM | IN_MOVED_TO);
  rename("rd/r1", "rd/r2");
  write(rf, "w", 1);
  drain("write after the file's rename", fd);
  rename("rd", "rd2");
  write(rf, "w", 1);
  drain("write after its directory's rename", fd);
  snprintf(lpath, sizeof lpath, "/proc/self/fd/%d", rf);
  ln = readlink(lpath, tmp, sizeof tmp - 1);
  tmp[ln > 0 ? ln : 0] = 0;
  printf("fd link ends in: %s\n", ln > 0 && strrchr(tmp, '/') ? strstr(tmp, "rd2/") ? "rd2/r2" : tmp : "?");
  close(rf);
  chdir("rd2");
  rename("../rd2", "../rd3");
  char cwd[512];
  printf("getcwd after a rename of the cwd: %s\n", getcwd(cwd, sizeof cwd) && strstr(cwd, "/rd3") ? "new name" : "other");
  chdir("..");
  unlink("rd3/r2");
  rmdir("rd3");
  inotify_rm_watch(fd, rdw);
  drain("cleaned", fd);

  /* mask updates, IN_ONESHOT, rm_watch */
  put("m", "m");
  drain("made m", fd);
  int wm = inotify_add_watch(fd, "m", IN_ATTRIB);
  RES("IN_MASK_ADD keeps the wd", inotify_add_watch(fd, "m", IN_MODIFY | IN_MASK_ADD) - wm);
  inotify_rm_watch(fd, wd_dir);
  drain("rm_watch of the directory", fd);
  a = open("m", O_WRONLY);
  write(a, "1", 1);
  fchmod(a, 0600);
  close(a);
  drain("m: ATTRIB and MODIFY wanted", fd);
  inotify_add_watch(fd, "m", IN_CLOSE_WRITE);
  a = open("m", O_WRONLY);
  write(a, "1", 1);
  close(a);
  drain("m: mask replaced by CLOSE_WRITE", fd);
  inotify_add_watch(fd, "m", IN_MODIFY | IN_ONESHOT);
  a = open("m", O_WRONLY);
  write(a, "1", 1);
  write(a, "2", 1);
  close(a);
  drain("IN_ONESHOT", fd);
  ERR("the one-shot watch is gone", inotify_rm_watch(fd, wm), EINVAL);

  /* IN_EXCL_UNLINK */
  mkdir("ex", 0755);
  int fd2 = inotify_init1(IN_NONBLOCK);
  inotify_add_watch(fd2, "ex", IN_MODIFY | IN_EXCL_UNLINK);
  int wd_plain = inotify_add_watch(fd, "ex", IN_MODIFY);
  a = open("ex/u", O_CREAT | O_RDWR, 0644);
  write(a, "1", 1);
  unlink("ex/u");
  write(a, "2", 1);
  close(a);
  drain("IN_EXCL_UNLINK: only the write before the unlink", fd2);
  drain("without it: both", fd);
  inotify_rm_watch(fd, wd_plain);
  drain("rm", fd);

  /* another process makes the events; a blocking read waits for them */
  int bfd = inotify_init1(0);
  inotify_add_watch(bfd, ".", IN_CREATE | IN_DELETE);
  int sync[2];
  pipe(sync);
  pid_t c = fork();
  if (c == 0) {
    usleep(100000);
    put("from-child", "c");
    read(sync[0], tmp, 1);   /* the parent has read the CREATE */
    unlink("from-child");
    _exit(0);
  }
  ssize_t n = read(bfd, tmp, sizeof tmp);
  struct inotify_event *e = (struct inotify_event *)tmp;
  printf("blocking read: %zd bytes first mask %s name '%s'\n", n, e->mask == IN_CREATE ? "CREATE" : "other", e->name);
  write(sync[1], "x", 1);
  waitpid(c, NULL, 0);
  struct pollfd pf = {bfd, POLLIN, 0};
  for (int i = 0; i < 100 && poll(&pf, 1, 0) == 0; i++) usleep(10000);
  printf("poll: %s\n", pf.revents & POLLIN ? "POLLIN" : "nothing");
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN}, out;
  epoll_ctl(ep, EPOLL_CTL_ADD, bfd, &ev);
  printf("epoll_wait: %d\n", epoll_wait(ep, &out, 1, 1000));
  int avail = -1;
  ioctl(bfd, FIONREAD, &avail);
  printf("FIONREAD %d\n", avail);
  ERR("read into a buffer smaller than the event", read(bfd, tmp, 16), EINVAL);
  n = read(bfd, tmp, sizeof(struct inotify_event) + 16);
  printf("read sized for one event: %zd\n", n);
  ioctl(bfd, FIONREAD, &avail);
  printf("FIONREAD %d\n", avail);
  put("another", "a");
  ERR("read into a bad pointer", syscall(SYS_read, bfd, 8L, 4096L), EFAULT);
  unlink("another");
  close(ep);
  close(bfd);

  /* IN_Q_OVERFLOW: max_queued_events plus a few, alternating so nothing merges */
  int qfd = inotify_init1(IN_NONBLOCK);
  char buf[64];
  int pfd = open("/proc/sys/fs/inotify/max_queued_events", O_RDONLY);
  n = read(pfd, buf, sizeof buf - 1);
  buf[n > 0 ? n : 0] = 0;
  close(pfd);
  int maxq = atoi(buf);
  printf("max_queued_events %s", buf);
  put("q", "q");
  inotify_add_watch(qfd, "q", IN_ACCESS | IN_MODIFY);
  a = open("q", O_RDWR);
  for (int i = 0; i < maxq + 10; i++) {
    if (i & 1) pread(a, tmp, 1, 0);
    else pwrite(a, "q", 1, 0);
  }
  close(a);
  int total = 0, overflow = 0, last_overflow = 0;
  char *big = malloc(1 << 20);
  for (;;) {
    n = read(qfd, big, 1 << 20);
    if (n <= 0) break;
    for (char *p = big; p < big + n;) {
      e = (struct inotify_event *)p;
      total++;
      if (e->mask & IN_Q_OVERFLOW) overflow++, last_overflow = e->wd == -1 && total == maxq + 1;
      p += sizeof *e + e->len;
    }
  }
  free(big);
  printf("queued %d events (max + %d), %d overflow, last and wd -1: %d\n", total, total - maxq, overflow, last_overflow);
  close(qfd);

  /* permissions */
  put("secret", "s");
  chmod("secret", 0600);
  c = fork();
  if (c == 0) {
    if (setgid(1000) || setuid(1000)) _exit(1);
    int ufd = inotify_init1(0);
    ERR("other user: watch an unreadable file", inotify_add_watch(ufd, "secret", IN_MODIFY), EACCES);
    OK("other user: watch a readable one", inotify_add_watch(ufd, ".", IN_MODIFY) > 0);
    _exit(t_failed);
  }
  int st;
  waitpid(c, &st, 0);
  OK("other-user child passed", WIFEXITED(st) && WEXITSTATUS(st) == 0);

  /* /proc/sys/fs/inotify: readable */
  const char *lims[] = {"max_user_instances", "max_user_watches", "max_queued_events"};
  for (int i = 0; i < 3; i++) {
    char path[128];
    snprintf(path, sizeof path, "/proc/sys/fs/inotify/%s", lims[i]);
    pfd = open(path, O_RDONLY);
    n = pfd < 0 ? -1 : read(pfd, buf, sizeof buf - 1);
    if (pfd >= 0) close(pfd);
    printf("%s: %s\n", lims[i], n > 1 && atol(buf) > 0 ? "a positive number" : "missing");
  }

  /* hostile */
  char *edge = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(edge + pg, pg);
  memcpy(edge + pg - 2, "m", 2);
  OK("path that ends exactly at an unmapped page", inotify_add_watch(fd, edge + pg - 2, IN_MODIFY) > 0);
  memcpy(edge + pg - 1, "m", 1);
  ERR("path running into an unmapped page", inotify_add_watch(fd, edge + pg - 1, IN_MODIFY), EFAULT);
  OK("upper 32 bits of the fd ignored", syscall(SYS_inotify_add_watch, 0xabcd00000000L | fd, "m", IN_MODIFY) > 0);
  ERR("FIONREAD into a bad pointer", ioctl(fd, FIONREAD, (void *)8), EFAULT);
  ERR("unknown ioctl", ioctl(fd, 0x1234, 0), ENOTTY);
  close(fd);
  close(fd2);

  /* IN_UNMOUNT: the watched filesystem goes (in a mount namespace of our own) */
  if (unshare(CLONE_NEWNS) == 0 && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
      mkdir("mnt", 0755) == 0 && mount("tmpfs", "mnt", "tmpfs", 0, NULL) == 0) {
    int ufd = inotify_init1(IN_NONBLOCK);
    mkdir("mnt/sub", 0755);
    inotify_add_watch(ufd, "mnt/sub", IN_ALL_EVENTS);
    put("mnt/sub/file", "u");
    drain("in the tmpfs", ufd);
    OK("umount", umount("mnt") == 0);
    drain("after its umount", ufd);
    close(ufd);
    rmdir("mnt");
  } else {
    printf("no mount namespace: %s\n", en(errno));
  }

  /* clean up */
  const char *files[] = {"f", "lnk", "moved-out", "m", "q", "secret", "ex", "d", NULL};
  for (int i = 0; files[i]; i++) if (unlink(files[i])) rmdir(files[i]);
  chdir("/");
  OK("directory cleaned", rmdir(dir) == 0);
  {
    int in = inotify_init1(0);
    int wd = inotify_add_watch(in, "/tmp", IN_CREATE | IN_ONESHOT);
    char p[64], line[512];
    snprintf(p, sizeof p, "/proc/self/fdinfo/%d", in);
    FILE *fi = fopen(p, "r");
    unsigned w = 0, mask = 0;
    int found = 0;
    while (fi && fgets(line, sizeof line, fi))
      if (sscanf(line, "inotify wd:%x ino:%*x sdev:%*x mask:%x", &w, &mask) == 2) found++;
    if (fi) fclose(fi);
    OK("fdinfo lists the watch with its wd and mask", found == 1 && (int)w == wd && mask == (IN_CREATE | IN_ONESHOT));
    close(in);
  }
  return t_done();
}
