/* fanotify_ext2.c - fanotify on an ext4 image (given by
 * tests/run-ext2-tests.sh, made on the host with mkfs.ext4 -O
 * ^metadata_csum): evictable marks (FAN_MARK_EVICTABLE) and what
 * `echo 3 > /proc/sys/vm/drop_caches` does to them (the mark of an
 * unused inode goes with it; a mark on a directory with an open file
 * below it, on an open file, on the cwd, on the mount's root, or next to
 * a mark that is not evictable, stays), the upgrade of an evictable mark
 * and no downgrade (EEXIST); and FAN_FS_ERROR (LTP fanotify22): the
 * remount option abort (ESHUTDOWN, no inode), the lookup of an inode of
 * no file type and of an entry naming a reserved inode (EUCLEAN, the
 * inode's or the directory's file handle), errors counted in one unread
 * event.  The corruption is made by this program with the filesystem
 * unmounted (an inode's mode, a directory entry's inode number).  And
 * pre-content events (LTP fanotify24): FAN_PRE_ACCESS before mmap,
 * pwrite and pread with the pages' range, FAN_DENY_ERRNO's errno (and
 * EINVAL for one outside Linux's list), the exec of a file open for
 * writing (ETXTBSY unless pre-content events watch it).
 *
 * tests/run-ext2-tests.sh runs it under umk against
 * tests/guest/fanotify_ext2.want, not natively (it binds a loop device,
 * mounts and drops the host's caches); Linux 6.18 as root gives the same
 * output.  Without arguments (run-guest-tests.sh) it skips.
 *   fanotify_ext2 IMG TYPE   */
#include "t.h"
#include <fcntl.h>
#include <linux/loop.h>
#include <poll.h>
#include <sys/fanotify.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/mman.h>
#include <sys/wait.h>

#ifndef FAN_MARK_EVICTABLE
#define FAN_MARK_EVICTABLE 0x00000200
#endif
#ifndef FAN_FS_ERROR
#define FAN_FS_ERROR 0x00008000
#endif
#ifndef FAN_EVENT_INFO_TYPE_ERROR
#define FAN_EVENT_INFO_TYPE_ERROR 5
struct fanotify_event_info_error { struct fanotify_event_info_header hdr; int error; unsigned error_count; };
#endif

#define MNT "/tmp/fanext2mnt"

static char dev[32];
static int devfd = -1;

static int attach(const char *img) {
  int ctl = open("/dev/loop-control", O_RDWR);
  int nr = ioctl(ctl, LOOP_CTL_GET_FREE);
  close(ctl);
  if (nr < 0) return -1;
  snprintf(dev, sizeof dev, "/dev/loop%d", nr);
  int d = open(dev, O_RDWR), f = open(img, O_RDWR);
  if (d < 0 || f < 0 || ioctl(d, LOOP_SET_FD, f)) return -1;
  close(f);
  devfd = d;
  return 0;
}

static void detach(void) {
  ioctl(devfd, LOOP_CLR_FD);
  close(devfd);
  devfd = -1;
}

static void drop_caches(void) {
  int f = open("/proc/sys/vm/drop_caches", O_WRONLY);
  OK("write 3 to drop_caches", f >= 0 && write(f, "3", 1) == 1);
  close(f);
}

static void spew(const char *path) {
  int f = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (f >= 0) close(f);
}

/* FAN_MARK_REMOVE of FAN_ACCESS from name's mark: is it still there? */
static void mark_left(int fd, const char *name) {
  char p[128];
  snprintf(p, sizeof p, MNT "/%s", name);
  errno = 0;
  int r = fanotify_mark(fd, FAN_MARK_REMOVE, FAN_ACCESS, AT_FDCWD, p);
  printf("mark on %s after drop_caches: %s\n", name, r == 0 ? "still there" : errno == ENOENT ? "evicted" : en(errno));
}

/* the events queued, one line each */
static void drain(const char *what, int fd) {
  char buf[4096] __attribute__((aligned(8)));
  ssize_t n = read(fd, buf, sizeof buf);
  printf("%s:", what);
  if (n < 0) printf(" %s", en(errno));
  for (struct fanotify_event_metadata *m = (void *)buf; n > 0 && FAN_EVENT_OK(m, n); m = FAN_EVENT_NEXT(m, n))
    printf(" mask %llx", (unsigned long long)m->mask);
  printf("\n");
}

static void evictable(void) {
  printf("-- evictable marks\n");
  mkdir(MNT "/d", 0755);
  mkdir(MNT "/cwd", 0755);
  spew(MNT "/g");
  spew(MNT "/d/h");
  spew(MNT "/f");
  int fd = fanotify_init(FAN_CLASS_NOTIF | FAN_REPORT_FID | FAN_NONBLOCK, O_RDONLY);
  OK("FID group", fd >= 0);
  /* upgrade, no downgrade */
  OK("evictable mark on f", fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_EVICTABLE, FAN_ACCESS, AT_FDCWD, MNT "/f") == 0);
  OK("f's mark made not evictable", fanotify_mark(fd, FAN_MARK_ADD, FAN_ACCESS, AT_FDCWD, MNT "/f") == 0);
  ERR("f's mark made evictable again",
      fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_EVICTABLE, FAN_ACCESS, AT_FDCWD, MNT "/f"), EEXIST);
  ERR("evictable filesystem mark",
      fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_EVICTABLE | FAN_MARK_FILESYSTEM, FAN_ACCESS, AT_FDCWD, MNT), EINVAL);
  /* an evictable ignore mark hides g's chmod from the filesystem mark */
  OK("filesystem mark", fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, FAN_ATTRIB, AT_FDCWD, MNT) == 0);
  OK("evictable ignore mark on g",
     fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_EVICTABLE | FAN_MARK_IGNORED_MASK | FAN_MARK_IGNORED_SURV_MODIFY,
                   FAN_ATTRIB, AT_FDCWD, MNT "/g") == 0);
  chmod(MNT "/g", 0600);
  drain("chmod g, ignored", fd);
  /* marks on inodes something pins */
  const char *names[] = {"g", "d", "d/h", "cwd", "f", ""};
  for (int i = 0; i < 6; i++) {
    char p[128];
    snprintf(p, sizeof p, MNT "/%s", names[i]);
    fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_EVICTABLE, FAN_ACCESS, AT_FDCWD, p);
  }
  int h = open(MNT "/d/h", O_RDONLY);
  OK("chdir into cwd", chdir(MNT "/cwd") == 0);
  sync();   /* a dirty inode is not evicted */
  drop_caches();
  drop_caches();
  OK("chdir back", chdir("/") == 0);
  mark_left(fd, "g");
  mark_left(fd, "d");
  mark_left(fd, "d/h");
  mark_left(fd, "cwd");
  mark_left(fd, "f");
  mark_left(fd, "");
  close(h);
  /* g's ignore mask went with it */
  chmod(MNT "/g", 0644);
  drain("chmod g after drop_caches", fd);
  close(fd);
}

/* ---- corruption of the unmounted image ---- */

static int img_fd;
static unsigned bs, ipg, isz, first_data;

static int rd(void *p, size_t n, off_t off) { return pread(img_fd, p, n, off) == (ssize_t)n ? 0 : -1; }
static int wr(const void *p, size_t n, off_t off) { return pwrite(img_fd, p, n, off) == (ssize_t)n ? 0 : -1; }

/* the byte offset of inode ino in the image */
static off_t inode_off(unsigned ino) {
  unsigned g = (ino - 1) / ipg, i = (ino - 1) % ipg, dsz = 32;
  unsigned char sb[1024];
  rd(sb, sizeof sb, 1024);
  unsigned incompat = *(unsigned *)(sb + 0x60);
  if (incompat & 0x80) dsz = *(unsigned short *)(sb + 0xFE);   /* 64bit: s_desc_size */
  unsigned lo;
  rd(&lo, 4, (off_t)(first_data + 1) * bs + (off_t)g * dsz + 8);   /* bg_inode_table_lo */
  return (off_t)lo * bs + (off_t)i * isz;
}

/* the first data block of directory inode ino (a block map or an extent leaf) */
static long dir_block(unsigned ino) {
  unsigned char in[160];
  rd(in, sizeof in, inode_off(ino));
  unsigned char *ib = in + 40;
  if (*(unsigned short *)ib == 0xF30A) {   /* an extent header, depth 0 */
    if (*(unsigned short *)(ib + 6) != 0) return -1;
    return (long)*(unsigned *)(ib + 12 + 8) | ((long)*(unsigned short *)(ib + 12 + 6) << 32);
  }
  return *(unsigned *)ib;
}

static int corrupt(const char *img, unsigned bad_ino, unsigned dir_ino, const char *entry) {
  img_fd = open(img, O_RDWR);
  unsigned char sb[1024];
  if (img_fd < 0 || rd(sb, sizeof sb, 1024)) return -1;
  bs = 1024u << *(unsigned *)(sb + 24);
  first_data = *(unsigned *)(sb + 20);
  ipg = *(unsigned *)(sb + 40);
  isz = *(unsigned *)(sb + 76) ? *(unsigned short *)(sb + 88) : 128;
  /* debugfs's `sif bad_dir mode 0xff` */
  unsigned short mode = 0xff;
  if (wr(&mode, 2, inode_off(bad_ino))) return -1;
  /* debugfs's `ln <1> entry`: the entry names inode 1 now */
  long blk = dir_block(dir_ino);
  if (blk <= 0) return -1;
  unsigned char *b = malloc(bs);
  rd(b, bs, (off_t)blk * bs);
  int done = -1;
  for (unsigned off = 0; off + 8 <= bs;) {
    unsigned short rec = *(unsigned short *)(b + off + 4);
    unsigned char nl = b[off + 6];
    if (rec < 8) break;
    if (nl == strlen(entry) && !memcmp(b + off + 8, entry, nl)) {
      unsigned one = 1;
      done = wr(&one, 4, (off_t)blk * bs + off);
      break;
    }
    off += rec;
  }
  free(b);
  fsync(img_fd);
  close(img_fd);
  return done;
}

/* ---- FAN_FS_ERROR ---- */

static fsid_t fsid;
static struct { struct file_handle fh; char b[128]; } h_bad, h_dir;

static void handle_of(const char *path, void *h) {
  struct file_handle *fh = h;
  int mnt;
  fh->handle_bytes = 128;
  if (name_to_handle_at(AT_FDCWD, path, fh, &mnt, 0)) printf("name_to_handle_at %s: %s\n", path, en(errno));
}

static const char *which(struct file_handle *fh) {
  if (fh->handle_type == 0xff && fh->handle_bytes == 0) return "FILEID_INVALID";
  if (fh->handle_bytes == h_bad.fh.handle_bytes && !memcmp(fh->f_handle, h_bad.fh.f_handle, fh->handle_bytes))
    return "bad_dir's";
  if (fh->handle_bytes == h_dir.fh.handle_bytes && !memcmp(fh->f_handle, h_dir.fh.f_handle, fh->handle_bytes))
    return "internal_dir's";
  return "another";
}

/* waits for and prints the FAN_FS_ERROR events */
static void errors_read(const char *what, int fd, int ms) {
  struct pollfd p = {.fd = fd, .events = POLLIN};
  char buf[4096] __attribute__((aligned(8)));
  printf("%s:", what);
  if (poll(&p, 1, ms) != 1) {
    printf(" no event\n");
    return;
  }
  ssize_t n = read(fd, buf, sizeof buf);
  for (struct fanotify_event_metadata *m = (void *)buf; n > 0 && FAN_EVENT_OK(m, n); m = FAN_EVENT_NEXT(m, n)) {
    printf(" mask %llx fd %d", (unsigned long long)m->mask, m->fd);
    for (char *q = (char *)(m + 1); q < (char *)m + m->event_len;) {
      struct fanotify_event_info_header *hd = (void *)q;
      if (!hd->len) break;
      if (hd->info_type == FAN_EVENT_INFO_TYPE_ERROR) {
        struct fanotify_event_info_error *e = (void *)q;
        printf(" error %s count %u", en(e->error), e->error_count);
      } else if (hd->info_type == FAN_EVENT_INFO_TYPE_FID) {
        struct fanotify_event_info_fid *fi = (void *)q;
        printf(" fsid %s handle %s", memcmp(&fi->fsid, &fsid, sizeof fsid) ? "differs" : "same",
               which((struct file_handle *)fi->handle));
      }
      q += hd->len;
    }
  }
  printf("\n");
}

static void fs_errors(const char *img, const char *type) {
  printf("-- FAN_FS_ERROR\n");
  mkdir(MNT "/internal_dir", 0777);
  mkdir(MNT "/internal_dir/bad_dir", 0777);
  spew(MNT "/internal_dir/bad_link");
  struct stat bad, dir;
  stat(MNT "/internal_dir/bad_dir", &bad);
  stat(MNT "/internal_dir", &dir);
  handle_of(MNT "/internal_dir/bad_dir", &h_bad);
  handle_of(MNT "/internal_dir", &h_dir);
  struct statfs sfs;
  statfs(MNT, &sfs);
  fsid = sfs.f_fsid;
  OK("umount", umount(MNT) == 0);
  detach();
  OK("corrupt the image", corrupt(img, (unsigned)bad.st_ino, (unsigned)dir.st_ino, "bad_link") == 0);
  OK("attach again", attach(img) == 0);
  OK("mount again", mount(dev, MNT, type, 0, NULL) == 0);

  int fd = fanotify_init(FAN_CLASS_NOTIF | FAN_REPORT_FID | FAN_NONBLOCK, O_RDONLY);
  ERR("FS_ERROR on an inode mark", fanotify_mark(fd, FAN_MARK_ADD, FAN_FS_ERROR, AT_FDCWD, MNT), EINVAL);
  OK("FS_ERROR filesystem mark", fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, FAN_FS_ERROR, AT_FDCWD, MNT) == 0);
  ERR("open bad_dir", open(MNT "/internal_dir/bad_dir", O_RDONLY), EUCLEAN);
  errors_read("inode of no file type", fd, 5000);
  ERR("open bad_link", open(MNT "/internal_dir/bad_link", O_RDONLY), EUCLEAN);
  ERR("stat bad_dir", stat(MNT "/internal_dir/bad_dir", &bad), EUCLEAN);
  errors_read("an entry naming inode 1, then bad_dir again", fd, 5000);
  OK("remount read-only with abort", mount(dev, MNT, type, MS_REMOUNT | MS_RDONLY, "abort") == 0);
  errors_read("abort", fd, 5000);
  /* a filesystem shut down reports no more errors (__ext4_error) */
  ERR("open bad_dir once aborted", open(MNT "/internal_dir/bad_dir", O_RDONLY), EUCLEAN);
  errors_read("an error once aborted", fd, 300);
  /* a new mount is out of the error state; the marks went with the old */
  OK("umount", umount(MNT) == 0);
  OK("mount again", mount(dev, MNT, type, 0, NULL) == 0);
  ERR("open bad_dir, no mark", open(MNT "/internal_dir/bad_dir", O_RDONLY), EUCLEAN);
  errors_read("an error on the new mount, unwatched", fd, 300);
  OK("FS_ERROR filesystem mark", fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, FAN_FS_ERROR, AT_FDCWD, MNT) == 0);
  ERR("open bad_dir", open(MNT "/internal_dir/bad_dir", O_RDONLY), EUCLEAN);
  OK("remount read-only with abort", mount(dev, MNT, type, MS_REMOUNT | MS_RDONLY, "abort") == 0);
  errors_read("bad_dir, then abort", fd, 5000);
  close(fd);
}

/* ---- pre-content events ---- */

#ifndef FAN_PRE_ACCESS
#define FAN_PRE_ACCESS 0x00100000
#endif
#ifndef FAN_EVENT_INFO_TYPE_RANGE
#define FAN_EVENT_INFO_TYPE_RANGE 6
struct fanotify_event_info_range { struct fanotify_event_info_header hdr; unsigned pad; unsigned long long offset, count; };
#endif
#define DENY_ERRNO(e) (FAN_DENY | ((unsigned)(e) << 24))

/* reads one permission event, prints it, answers it with response */
static void answer(int fd, unsigned response) {
  char buf[256] __attribute__((aligned(8)));
  ssize_t n = read(fd, buf, sizeof buf);
  struct fanotify_event_metadata *m = (void *)buf;
  if (n < (ssize_t)sizeof *m) {
    printf("  no event: %s\n", en(errno));
    return;
  }
  printf("  mask %llx", (unsigned long long)m->mask);
  if (m->event_len >= sizeof *m + sizeof(struct fanotify_event_info_range)) {
    struct fanotify_event_info_range *r = (void *)(m + 1);
    if (r->hdr.info_type == FAN_EVENT_INFO_TYPE_RANGE) printf(" range %llu@%llu", r->count, r->offset);
  }
  struct fanotify_response resp = {.fd = m->fd, .response = response};
  printf(", answered %x\n", response);   /* before: the child goes on at once */
  if (write(fd, &resp, sizeof resp) != sizeof resp) printf("  response: %s\n", en(errno));
  if (m->fd >= 0) close(m->fd);
}

static void pre_content(const char *self) {
  printf("-- pre-content events\n");
  char p[] = MNT "/pc";
  int w = open(p, O_RDWR | O_CREAT | O_TRUNC, 0644);
  OK("a 16 KiB file", w >= 0 && ftruncate(w, 16384) == 0);
  close(w);
  ERR("PRE_ACCESS in a CONTENT group", fanotify_mark(fanotify_init(FAN_CLASS_CONTENT, O_RDONLY), FAN_MARK_ADD,
                                                     FAN_PRE_ACCESS, AT_FDCWD, p), EINVAL);
  int fd = fanotify_init(FAN_CLASS_PRE_CONTENT, O_RDONLY);
  OK("PRE_CONTENT group", fd >= 0);
  ERR("PRE_ACCESS on a fifo", (mkfifo(MNT "/fifo", 0644), fanotify_mark(fd, FAN_MARK_ADD, FAN_PRE_ACCESS, AT_FDCWD,
                                                                         MNT "/fifo")), EINVAL);
  OK("PRE_ACCESS on a directory", fanotify_mark(fd, FAN_MARK_ADD, FAN_PRE_ACCESS, AT_FDCWD, MNT "/d") == 0);
  OK("PRE_ACCESS|OPEN_PERM on pc", fanotify_mark(fd, FAN_MARK_ADD, FAN_PRE_ACCESS | FAN_OPEN_PERM, AT_FDCWD, p) == 0);
  pid_t c = fork();
  if (c == 0) {
    char b[64];
    int f = open(p, O_RDWR);
    void *a = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, f, 4096);
    printf("child: mmap %s\n", a == MAP_FAILED ? en(errno) : "ok");
    errno = 0;
    ssize_t r = pwrite(f, "x", 1, 5000);
    printf("child: pwrite %zd %s\n", r, r < 0 ? en(errno) : "");
    r = pread(f, b, 64, 9000);
    printf("child: pread %zd %s\n", r, r < 0 ? en(errno) : "");
    r = read(f, b, 64);
    printf("child: read %zd %s\n", r, r < 0 ? en(errno) : "");
    close(f);
    r = open(p, O_RDONLY);
    printf("child: open %zd %s\n", r, r < 0 ? en(errno) : "");
    _exit(0);
  }
  answer(fd, FAN_ALLOW);                /* open */
  answer(fd, FAN_ALLOW);                /* mmap */
  answer(fd, FAN_DENY);                 /* pwrite */
  answer(fd, DENY_ERRNO(EIO));          /* pread */
  /* an errno outside the list, or on a FAN_ALLOW: EINVAL, still waiting */
  {
    char buf[256] __attribute__((aligned(8)));
    struct fanotify_event_metadata *m = (void *)buf;
    if (read(fd, buf, sizeof buf) > 0) {
      struct fanotify_response r = {.fd = m->fd, .response = DENY_ERRNO(EINVAL)};
      ERR("FAN_DENY_ERRNO(EINVAL)", write(fd, &r, sizeof r), EINVAL);
      r.response = FAN_ALLOW | (EIO << 24);
      ERR("FAN_ALLOW with an errno", write(fd, &r, sizeof r), EINVAL);
      r.response = DENY_ERRNO(EAGAIN);
      printf("answering FAN_DENY_ERRNO(EAGAIN) to read\n");
      if (write(fd, &r, sizeof r) != sizeof r) OK("FAN_DENY_ERRNO(EAGAIN) to read", 0);
      close(m->fd);
    }
  }
  answer(fd, DENY_ERRNO(EBUSY));        /* the second open */
  int st;
  waitpid(c, &st, 0);
  printf("child exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
  close(fd);
  unlink(p);
  unlink(MNT "/fifo");

  /* a file open for writing runs if pre-content events watch it */
  char prog[] = MNT "/prog";
  int in = open(self, O_RDONLY), out = open(prog, O_WRONLY | O_CREAT | O_TRUNC, 0755);
  char b[65536];
  ssize_t n;
  while ((n = read(in, b, sizeof b)) > 0) if (write(out, b, n) != n) break;
  close(in);
  close(out);
  for (int watched = 0; watched < 2; watched++) {
    fd = fanotify_init(FAN_CLASS_PRE_CONTENT | FAN_NONBLOCK, O_RDONLY);
    if (watched) fanotify_mark(fd, FAN_MARK_ADD, FAN_PRE_ACCESS, AT_FDCWD, prog);
    int wfd = open(prog, O_RDWR);
    c = fork();
    if (c == 0) {
      char *argv[] = {prog, "--exit", NULL};
      execv(prog, argv);
      _exit(errno == ETXTBSY ? 26 : 99);
    }
    /* Linux's exec reads make events too: each allowed, not printed */
    for (;;) {
      char buf[4096] __attribute__((aligned(8)));
      struct pollfd pf = {.fd = fd, .events = POLLIN};
      if (waitpid(c, &st, WNOHANG) == c) break;
      if (poll(&pf, 1, 50) == 1) {
        ssize_t r = read(fd, buf, sizeof buf);
        for (struct fanotify_event_metadata *m = (void *)buf; r > 0 && FAN_EVENT_OK(m, r); m = FAN_EVENT_NEXT(m, r)) {
          struct fanotify_response resp = {.fd = m->fd, .response = FAN_ALLOW};
          if (write(fd, &resp, sizeof resp) != sizeof resp) printf("response: %s\n", en(errno));
          if (m->fd >= 0) close(m->fd);
        }
      }
    }
    printf("exec of a file open for writing, %s: exit %d\n", watched ? "watched" : "unwatched",
           WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    close(wfd);
    close(fd);
  }
  unlink(prog);
}

int main(int argc, char **argv) {
  if (argc == 2 && !strcmp(argv[1], "--exit")) return 0;
  if (argc != 3) {   /* run-guest-tests.sh's run: no image here */
    printf("SKIP run by tests/run-ext2-tests.sh with an image\n");
    return 0;
  }
  mkdir(MNT, 0755);
  OK("attach", attach(argv[1]) == 0);
  OK("mount", mount(dev, MNT, argv[2], 0, NULL) == 0);
  evictable();
  char self[4096];
  ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
  self[sl > 0 ? sl : 0] = 0;
  pre_content(self);
  fs_errors(argv[1], argv[2]);
  umount(MNT);
  detach();
  rmdir(MNT);
  return t_done();
}
