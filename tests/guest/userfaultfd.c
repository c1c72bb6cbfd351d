/* userfaultfd.c - userfaultfd(2), /dev/userfaultfd and the UFFDIO_*
 * ioctls: a faulting thread and a handler (COPY, ZEROPAGE, DONTWAKE then
 * WAKE), non-blocking read, poll and epoll, bad arguments (EINVAL,
 * EFAULT, ENOENT, EEXIST, EBUSY), UNREGISTER, close while a fault waits,
 * the SIGBUS feature, WP, POISON, MINOR on a memfd with CONTINUE, MOVE,
 * THREAD_ID and EXACT_ADDRESS, mprotect and fork of registered memory, a
 * kernel access in a UFFD_USER_MODE_ONLY context, MREMAP_DONTUNMAP, a
 * signal to a waiting thread, exit and unmap while a fault waits, and a
 * handler in another process.  The WRITE flag of a missing-page fault is
 * not printed: umk's ptrace platform cannot tell it (syscalls.def). */
#include "t.h"
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#ifndef UFFD_FEATURE_POISON
#define UFFD_FEATURE_POISON (1 << 14)
#endif
#ifndef UFFD_FEATURE_MOVE
#define UFFD_FEATURE_MOVE (1 << 16)
#endif
struct uffdio_move_ { __u64 dst, src, len, mode; __s64 move; };
struct uffdio_poison_ { struct uffdio_range range; __u64 mode; __s64 updated; };
#define UFFDIO_MOVE_ _IOWR(UFFDIO, 0x05, struct uffdio_move_)
#define UFFDIO_POISON_ _IOWR(UFFDIO, 0x08, struct uffdio_poison_)
#define OURS (UFFD_FEATURE_PAGEFAULT_FLAG_WP | UFFD_FEATURE_MISSING_SHMEM | UFFD_FEATURE_SIGBUS | \
	      UFFD_FEATURE_THREAD_ID | UFFD_FEATURE_MINOR_SHMEM | UFFD_FEATURE_EXACT_ADDRESS | \
	      UFFD_FEATURE_POISON | UFFD_FEATURE_MOVE)

static long pg;

static int new_uffd(int flags, __u64 features) {
  int fd = syscall(SYS_userfaultfd, flags);
  struct uffdio_api api = { .api = UFFD_API, .features = features };
  if (fd < 0 || ioctl(fd, UFFDIO_API, &api)) {
    printf("FAIL new_uffd: %s\n", en(errno));
    exit(1);
  }
  return fd;
}

static long reg(int fd, void *p, long len, __u64 mode) {
  struct uffdio_register r = { .range = { (unsigned long)p, len }, .mode = mode };
  long x = ioctl(fd, UFFDIO_REGISTER, &r);
  return x ? x : (long)r.ioctls;
}

static char *map_anon(int n) {
  return mmap(NULL, n * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/* a thread touching one byte: read (val = what it saw) or write */
struct touch { volatile char *addr; int write; char wval; char val; pid_t tid; };
static void *toucher(void *arg) {
  struct touch *t = arg;
  t->tid = gettid();
  if (t->write)
    *t->addr = t->wval;
  else
    t->val = *t->addr;
  return NULL;
}
static pthread_t touch_bg(struct touch *t) {
  pthread_t th;
  pthread_create(&th, NULL, toucher, t);
  return th;
}

/* waits for and reads one message */
static int get_msg(int fd, struct uffd_msg *m) {
  struct pollfd p = { .fd = fd, .events = POLLIN };
  if (poll(&p, 1, 5000) != 1)
    return -1;
  return read(fd, m, sizeof *m) == sizeof *m ? 0 : -1;
}

static void print_msg(const char *what, struct uffd_msg *m, char *base) {
  printf("%s: event %#x page %ld off %ld flags %#llx\n", what, m->event,
         (long)((char *)(unsigned long)m->arg.pagefault.address - base) / pg,
         (long)(m->arg.pagefault.address & (pg - 1)),
         (unsigned long long)(m->arg.pagefault.flags & ~(__u64)UFFD_PAGEFAULT_FLAG_WRITE));
}

static volatile int usr1_seen;
static void on_usr1(int sig) { (void)sig; usr1_seen++; }

static sigjmp_buf jb;
static volatile int bus_code;
static void on_bus(int sig, siginfo_t *si, void *uc) {
  (void)sig, (void)uc;
  bus_code = si->si_code;
  siglongjmp(jb, 1);
}

int main(void) {
  pg = sysconf(_SC_PAGESIZE);
  struct sigaction sa = { .sa_sigaction = on_bus, .sa_flags = SA_SIGINFO };
  sigaction(SIGBUS, &sa, NULL);

  /* creation */
  ERR("userfaultfd bad flags", syscall(SYS_userfaultfd, 0x10), EINVAL);
  int dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
  OK("open /dev/userfaultfd", dev >= 0);
  struct stat st;
  OK("/dev/userfaultfd char 10", fstat(dev, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 10);
  ERR("dev ioctl bad cmd", ioctl(dev, _IO(0xAA, 1), 0), EINVAL);
  ERR("dev IOC_NEW bad flags", ioctl(dev, USERFAULTFD_IOC_NEW, 0x10), EINVAL);
  int u2 = ioctl(dev, USERFAULTFD_IOC_NEW, O_CLOEXEC | O_NONBLOCK);
  OK("dev IOC_NEW", u2 >= 0 && (fcntl(u2, F_GETFD) & FD_CLOEXEC) && (fcntl(u2, F_GETFL) & O_NONBLOCK));
  close(u2);
  close(dev);

  /* before UFFDIO_API */
  int u = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
  OK("userfaultfd", u >= 0);
  char *p = map_anon(8);
  struct uffd_msg m;
  ERR("register before api", reg(u, p, pg, UFFDIO_REGISTER_MODE_MISSING), EINVAL);
  ERR("read before api", read(u, &m, sizeof m), EINVAL);
  struct pollfd pf = { .fd = u, .events = POLLIN };
  RES("poll before api", poll(&pf, 1, 0));
  printf("revents %#x\n", pf.revents);

  /* UFFDIO_API */
  struct uffdio_api api = { .api = 0x55, .features = 0 };
  ERR("api bad version", ioctl(u, UFFDIO_API, &api), EINVAL);
  printf("after bad api: features %#llx ioctls %#llx\n", (unsigned long long)api.features,
         (unsigned long long)api.ioctls);
  api = (struct uffdio_api){ .api = UFFD_API, .features = 1ULL << 40 };
  ERR("api unknown feature", ioctl(u, UFFDIO_API, &api), EINVAL);
  ERR("api bad pointer", ioctl(u, UFFDIO_API, (void *)8), EFAULT);
  api = (struct uffdio_api){ .api = UFFD_API };
  OK("api", ioctl(u, UFFDIO_API, &api) == 0);
  printf("features ours %#llx ioctls %#llx\n", (unsigned long long)(api.features & OURS),
         (unsigned long long)api.ioctls);
  ERR("api twice", ioctl(u, UFFDIO_API, &api), EINVAL);

  /* UFFDIO_REGISTER */
  ERR("register unaligned", reg(u, p + 1, pg, UFFDIO_REGISTER_MODE_MISSING), EINVAL);
  ERR("register len 0", reg(u, p, 0, UFFDIO_REGISTER_MODE_MISSING), EINVAL);
  ERR("register len unaligned", reg(u, p, 100, UFFDIO_REGISTER_MODE_MISSING), EINVAL);
  ERR("register mode 0", reg(u, p, pg, 0), EINVAL);
  ERR("register mode 8", reg(u, p, pg, 8), EINVAL);
  ERR("register low address", reg(u, (void *)0x1000, pg, UFFDIO_REGISTER_MODE_MISSING), EINVAL);
  ERR("register bad pointer", ioctl(u, UFFDIO_REGISTER, (void *)8), EFAULT);
  char *hole = map_anon(1);
  munmap(hole, pg);
  ERR("register unmapped", reg(u, hole, pg, UFFDIO_REGISTER_MODE_MISSING), EINVAL);
  int exe = open("/proc/self/exe", O_RDONLY);
  char *fm = mmap(NULL, pg, PROT_READ, MAP_PRIVATE, exe, 0);
  ERR("register file mapping", reg(u, fm, pg, UFFDIO_REGISTER_MODE_MISSING), EINVAL);
  ERR("register to the end of user space (vDSO)", reg(u, p, 0x7ffffffff000UL - (unsigned long)p,
      UFFDIO_REGISTER_MODE_MISSING), EINVAL);
  ERR("register past user space", reg(u, p, 0x800000000000UL - (unsigned long)p, UFFDIO_REGISTER_MODE_MISSING), EINVAL);
  ERR("register minor on anon", reg(u, p, pg, UFFDIO_REGISTER_MODE_MINOR), EINVAL);
  p[5 * pg] = 'P';   /* populated before registration: no fault */
  long ioc = reg(u, p, 6 * pg, UFFDIO_REGISTER_MODE_MISSING);
  printf("register ioctls %#lx\n", ioc);
  int other = new_uffd(O_NONBLOCK, 0);
  ERR("register taken", reg(other, p, pg, UFFDIO_REGISTER_MODE_MISSING), EBUSY);
  close(other);

  ERR("read empty nonblock", read(u, &m, sizeof m), EAGAIN);
  ERR("read short", read(u, &m, 8), EINVAL);
  RES("poll empty", poll(&pf, 1, 0));
  printf("populated page %c\n", p[5 * pg]);

  /* fault 1: COPY */
  char *src = map_anon(1);
  memset(src, 'A', pg);
  struct touch t1 = { .addr = p + 0x10 };
  int ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = { .events = EPOLLIN };
  OK("epoll add", epoll_ctl(ep, EPOLL_CTL_ADD, u, &ev) == 0);
  RES("epoll before the fault", epoll_wait(ep, &ev, 1, 0));
  pthread_t th = touch_bg(&t1);
  RES("epoll on the fault", epoll_wait(ep, &ev, 1, 5000));
  printf("epoll events %#x\n", ev.events);
  OK("msg 1", get_msg(u, &m) == 0);
  RES("epoll after the read", epoll_wait(ep, &ev, 1, 0));
  close(ep);
  print_msg("msg 1", &m, p);
  RES("poll after read", poll(&pf, 1, 0));
  struct uffdio_copy cp = { .dst = (unsigned long)p, .src = (unsigned long)src, .len = pg };
  OK("copy", ioctl(u, UFFDIO_COPY, &cp) == 0);
  printf("copy.copy %lld\n", (long long)cp.copy);
  pthread_join(th, NULL);
  printf("thread 1 saw %c\n", t1.val);

  /* fault 2: ZEROPAGE */
  struct touch t2 = { .addr = p + pg + 5 };
  th = touch_bg(&t2);
  OK("msg 2", get_msg(u, &m) == 0);
  print_msg("msg 2", &m, p);
  struct uffdio_zeropage zp = { .range = { (unsigned long)(p + pg), pg } };
  OK("zeropage", ioctl(u, UFFDIO_ZEROPAGE, &zp) == 0);
  printf("zeropage.zeropage %lld\n", (long long)zp.zeropage);
  pthread_join(th, NULL);
  printf("thread 2 saw %d\n", t2.val);

  /* fault 3: a write, COPY with DONTWAKE, then WAKE */
  struct touch t3 = { .addr = p + 2 * pg + 7, .write = 1, .wval = 'W' };
  th = touch_bg(&t3);
  OK("msg 3", get_msg(u, &m) == 0);
  print_msg("msg 3", &m, p);
  memset(src, 'B', pg);
  cp = (struct uffdio_copy){ .dst = (unsigned long)(p + 2 * pg), .src = (unsigned long)src, .len = pg,
                             .mode = UFFDIO_COPY_MODE_DONTWAKE };
  OK("copy dontwake", ioctl(u, UFFDIO_COPY, &cp) == 0);
  usleep(50000);
  struct uffdio_range wr = { (unsigned long)(p + 2 * pg), pg };
  OK("wake", ioctl(u, UFFDIO_WAKE, &wr) == 0);
  pthread_join(th, NULL);
  printf("page 2: %c %c\n", p[2 * pg], p[2 * pg + 7]);

  /* bad COPY/ZEROPAGE/WAKE arguments */
  cp = (struct uffdio_copy){ .dst = (unsigned long)p, .src = (unsigned long)src, .len = pg };
  ERR("copy over populated", ioctl(u, UFFDIO_COPY, &cp), EEXIST);
  printf("copy.copy %lld\n", (long long)cp.copy);
  cp.dst = (unsigned long)p + 8;
  ERR("copy dst unaligned", ioctl(u, UFFDIO_COPY, &cp), EINVAL);
  cp = (struct uffdio_copy){ .dst = (unsigned long)(p + 3 * pg), .src = (unsigned long)src, .len = 0 };
  ERR("copy len 0", ioctl(u, UFFDIO_COPY, &cp), EINVAL);
  cp = (struct uffdio_copy){ .dst = (unsigned long)(p + 3 * pg), .src = (unsigned long)src, .len = pg, .mode = 4 };
  ERR("copy bad mode", ioctl(u, UFFDIO_COPY, &cp), EINVAL);
  cp = (struct uffdio_copy){ .dst = (unsigned long)(p + 7 * pg), .src = (unsigned long)src, .len = pg };
  ERR("copy unregistered", ioctl(u, UFFDIO_COPY, &cp), ENOENT);
  cp = (struct uffdio_copy){ .dst = (unsigned long)(p + 3 * pg), .src = 0x1000, .len = pg };
  ERR("copy src unmapped", ioctl(u, UFFDIO_COPY, &cp), EFAULT);
  printf("copy.copy %lld\n", (long long)cp.copy);
  ERR("copy bad pointer", ioctl(u, UFFDIO_COPY, (void *)8), EFAULT);
  zp = (struct uffdio_zeropage){ .range = { (unsigned long)p, pg } };
  ERR("zeropage over populated", ioctl(u, UFFDIO_ZEROPAGE, &zp), EEXIST);
  zp = (struct uffdio_zeropage){ .range = { (unsigned long)(p + 3 * pg), pg }, .mode = 2 };
  ERR("zeropage bad mode", ioctl(u, UFFDIO_ZEROPAGE, &zp), EINVAL);
  wr = (struct uffdio_range){ (unsigned long)p + 1, pg };
  ERR("wake unaligned", ioctl(u, UFFDIO_WAKE, &wr), EINVAL);
  ERR("unknown ioctl", ioctl(u, _IOWR(UFFDIO, 0x30, struct uffdio_range), &wr), EINVAL);

  /* mprotect keeps the trap; a forked child is not registered */
  OK("mprotect ro", mprotect(p + 3 * pg, pg, PROT_READ) == 0);
  OK("mprotect rw", mprotect(p + 3 * pg, pg, PROT_READ | PROT_WRITE) == 0);
  pid_t kid = fork();
  if (kid == 0)
    _exit(p[3 * pg] == 0 && p[4 * pg] == 0 && p[0] == 'A' ? 7 : 1);
  int ws;
  waitpid(kid, &ws, 0);
  printf("child: exit %d\n", WEXITSTATUS(ws));
  ERR("no msg from the child", read(u, &m, sizeof m), EAGAIN);
  struct touch t4 = { .addr = p + 3 * pg };
  th = touch_bg(&t4);
  OK("msg 4 after mprotect", get_msg(u, &m) == 0);
  print_msg("msg 4", &m, p);
  memset(src, 'C', pg);
  cp = (struct uffdio_copy){ .dst = (unsigned long)(p + 3 * pg), .src = (unsigned long)src, .len = pg };
  OK("copy 4", ioctl(u, UFFDIO_COPY, &cp) == 0);
  pthread_join(th, NULL);
  printf("thread 4 saw %c\n", t4.val);

  /* UNREGISTER: page 4 is then an ordinary page */
  wr = (struct uffdio_range){ (unsigned long)p + 1, pg };
  ERR("unregister unaligned", ioctl(u, UFFDIO_UNREGISTER, &wr), EINVAL);
  wr = (struct uffdio_range){ (unsigned long)(p + 4 * pg), pg };
  OK("unregister", ioctl(u, UFFDIO_UNREGISTER, &wr) == 0);
  printf("page 4 after unregister: %d\n", p[4 * pg]);
  ERR("copy after unregister", ioctl(u, UFFDIO_COPY, &(struct uffdio_copy){ .dst = (unsigned long)(p + 4 * pg),
      .src = (unsigned long)src, .len = pg }), ENOENT);

  /* close while a fault waits: the thread retries and sees a zero page */
  char *q = map_anon(2);
  int uc = new_uffd(O_NONBLOCK, 0);
  reg(uc, q, 2 * pg, UFFDIO_REGISTER_MODE_MISSING);
  struct touch t5 = { .addr = q + 9 };
  th = touch_bg(&t5);
  OK("msg 5", get_msg(uc, &m) == 0);
  close(uc);
  pthread_join(th, NULL);
  printf("thread 5 after close saw %d\n", t5.val);
  q[pg] = 'x';
  printf("after close: %c\n", q[pg]);

  /* THREAD_ID and EXACT_ADDRESS */
  char *r = map_anon(1);
  int ut = new_uffd(O_NONBLOCK, UFFD_FEATURE_THREAD_ID | UFFD_FEATURE_EXACT_ADDRESS);
  reg(ut, r, pg, UFFDIO_REGISTER_MODE_MISSING);
  struct touch t6 = { .addr = r + 123 };
  th = touch_bg(&t6);
  OK("msg 6", get_msg(ut, &m) == 0);
  usleep(20000);
  printf("exact address %d, ptid is the thread %d\n", m.arg.pagefault.address == (unsigned long)(r + 123),
         (pid_t)m.arg.pagefault.feat.ptid == t6.tid);
  zp = (struct uffdio_zeropage){ .range = { (unsigned long)r, pg } };
  OK("zeropage 6", ioctl(ut, UFFDIO_ZEROPAGE, &zp) == 0);
  pthread_join(th, NULL);
  close(ut);

  /* UFFD_FEATURE_SIGBUS */
  char *s = map_anon(1);
  int us = new_uffd(O_NONBLOCK, UFFD_FEATURE_SIGBUS);
  reg(us, s, pg, UFFDIO_REGISTER_MODE_MISSING);
  bus_code = 0;
  if (!sigsetjmp(jb, 1))
    (void)*(volatile char *)s;
  printf("sigbus feature: si_code %d\n", bus_code);
  ERR("sigbus: no msg", read(us, &m, sizeof m), EAGAIN);
  close(us);

  /* a kernel access in a UFFD_USER_MODE_ONLY context: EFAULT */
  char *k = map_anon(1);
  int uk = new_uffd(O_NONBLOCK | UFFD_USER_MODE_ONLY, 0);
  reg(uk, k, pg, UFFDIO_REGISTER_MODE_MISSING);
  int zero = open("/dev/zero", O_RDONLY);
  ERR("kernel write to a missing page", read(zero, k, 16), EFAULT);
  close(zero);
  close(uk);

  /* WP */
  char *w = map_anon(1);
  w[0] = 'o';
  int uw = new_uffd(O_NONBLOCK, UFFD_FEATURE_PAGEFAULT_FLAG_WP);
  printf("register wp ioctls %#lx\n", reg(uw, w, pg, UFFDIO_REGISTER_MODE_WP));
  struct uffdio_writeprotect wp = { .range = { (unsigned long)w, pg },
                                    .mode = UFFDIO_WRITEPROTECT_MODE_WP | UFFDIO_WRITEPROTECT_MODE_DONTWAKE };
  ERR("writeprotect wp|dontwake", ioctl(uw, UFFDIO_WRITEPROTECT, &wp), EINVAL);
  wp = (struct uffdio_writeprotect){ .range = { (unsigned long)p, pg }, .mode = UFFDIO_WRITEPROTECT_MODE_WP };
  ERR("writeprotect unregistered", ioctl(uw, UFFDIO_WRITEPROTECT, &wp), ENOENT);
  wp = (struct uffdio_writeprotect){ .range = { (unsigned long)w, pg }, .mode = UFFDIO_WRITEPROTECT_MODE_WP };
  OK("writeprotect", ioctl(uw, UFFDIO_WRITEPROTECT, &wp) == 0);
  printf("read under wp: %c\n", w[0]);
  struct touch t7 = { .addr = w, .write = 1, .wval = 'n' };
  th = touch_bg(&t7);
  OK("msg 7", get_msg(uw, &m) == 0);
  printf("wp msg: flags %#llx, page unchanged %d\n", (unsigned long long)m.arg.pagefault.flags, w[0] == 'o');
  wp.mode = 0;
  OK("un-writeprotect", ioctl(uw, UFFDIO_WRITEPROTECT, &wp) == 0);
  pthread_join(th, NULL);
  printf("after wp: %c\n", w[0]);
  close(uw);

  /* POISON */
  char *po = map_anon(1);
  int up = new_uffd(O_NONBLOCK, UFFD_FEATURE_POISON);
  reg(up, po, pg, UFFDIO_REGISTER_MODE_MISSING);
  struct uffdio_poison_ pz = { .range = { (unsigned long)po, pg } };
  OK("poison", ioctl(up, UFFDIO_POISON_, &pz) == 0);
  printf("poison.updated %lld\n", (long long)pz.updated);
  ERR("poison twice", ioctl(up, UFFDIO_POISON_, &pz), EEXIST);
  bus_code = 0;
  if (!sigsetjmp(jb, 1))
    (void)*(volatile char *)po;
  printf("poisoned page: si_code %d\n", bus_code);
  close(up);

  /* MINOR on a memfd, CONTINUE */
  int mfd = memfd_create("uffd", 0);
  ftruncate(mfd, pg);
  pwrite(mfd, "a", 1, 0);
  char *mm = mmap(NULL, pg, PROT_READ, MAP_SHARED, mfd, 0);
  int um = new_uffd(O_NONBLOCK, UFFD_FEATURE_MINOR_SHMEM);
  printf("register minor ioctls %#lx\n", reg(um, mm, pg, UFFDIO_REGISTER_MODE_MINOR));
  madvise(mm, pg, MADV_DONTNEED);
  struct touch t8 = { .addr = mm };
  th = touch_bg(&t8);
  OK("msg 8", get_msg(um, &m) == 0);
  printf("minor msg: flags %#llx\n", (unsigned long long)m.arg.pagefault.flags);
  pwrite(mfd, "z", 1, 0);
  struct uffdio_continue cn = { .range = { (unsigned long)mm, pg } };
  OK("continue", ioctl(um, UFFDIO_CONTINUE, &cn) == 0);
  printf("continue.mapped %lld\n", (long long)cn.mapped);
  pthread_join(th, NULL);
  printf("minor thread saw %c\n", t8.val);
  ERR("continue twice", ioctl(um, UFFDIO_CONTINUE, &cn), EEXIST);
  cn = (struct uffdio_continue){ .range = { (unsigned long)mm, pg }, .mode = 8 };
  ERR("continue bad mode", ioctl(um, UFFDIO_CONTINUE, &cn), EINVAL);
  close(um);

  /* MOVE */
  char *md = map_anon(1), *ms = map_anon(1);
  memset(ms, 'M', pg);
  int uv = new_uffd(O_NONBLOCK, UFFD_FEATURE_MOVE);
  reg(uv, md, pg, UFFDIO_REGISTER_MODE_MISSING);
  struct touch t9 = { .addr = md + 1 };
  th = touch_bg(&t9);
  OK("msg 9", get_msg(uv, &m) == 0);
  struct uffdio_move_ mv = { .dst = (unsigned long)md, .src = (unsigned long)ms, .len = pg };
  OK("move", ioctl(uv, UFFDIO_MOVE_, &mv) == 0);
  printf("move.move %lld\n", (long long)mv.move);
  pthread_join(th, NULL);
  printf("move: dst %c src %d\n", t9.val, ms[0]);
  mv = (struct uffdio_move_){ .dst = (unsigned long)md, .src = (unsigned long)ms, .len = pg, .mode = 8 };
  ERR("move bad mode", ioctl(uv, UFFDIO_MOVE_, &mv), EINVAL);
  close(uv);

  /* mremap(MREMAP_DONTUNMAP): the pages move, the old range stays
   * mapped (and registered): empty for private anonymous memory, the
   * file's pages for a shared mapping */
  char *da = map_anon(2);
  memcpy(da, "ABCD", 5);
  ERR("dontunmap without maymove", mremap(da, pg, pg, MREMAP_DONTUNMAP, NULL), EINVAL);
  ERR("dontunmap other size", mremap(da, pg, 2 * pg, MREMAP_DONTUNMAP | MREMAP_MAYMOVE, NULL), EINVAL);
  int ud = new_uffd(O_NONBLOCK, 0);
  reg(ud, da, pg, UFFDIO_REGISTER_MODE_MISSING);
  char *nb = mremap(da, pg, pg, MREMAP_DONTUNMAP | MREMAP_MAYMOVE, NULL);
  OK("dontunmap", nb != MAP_FAILED && nb != da);
  printf("moved: %s\n", nb);
  struct touch t10 = { .addr = da };
  th = touch_bg(&t10);
  OK("msg 10 on the old range", get_msg(ud, &m) == 0);
  print_msg("msg 10", &m, da);
  memset(src, 'D', pg);
  cp = (struct uffdio_copy){ .dst = (unsigned long)da, .src = (unsigned long)src, .len = pg };
  OK("copy 10", ioctl(ud, UFFDIO_COPY, &cp) == 0);
  pthread_join(th, NULL);
  printf("old range now %c, new %c\n", t10.val, nb[0]);
  close(ud);
  char *sm = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
  sm[0] = 's';
  char *sn = mremap(sm, pg, pg, MREMAP_DONTUNMAP | MREMAP_MAYMOVE, NULL);
  OK("dontunmap shared memfd", sn != MAP_FAILED);
  sn[1] = 't';
  printf("shared: old %c%c new %c%c\n", sm[0], sm[1], sn[0], sn[1]);
  ERR("dontunmap unaligned hint", mremap(sm, pg, pg, MREMAP_DONTUNMAP | MREMAP_MAYMOVE, sm + 1), EINVAL);
  char *shan = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  RES("dontunmap shared anon", mremap(shan, pg, pg, MREMAP_DONTUNMAP | MREMAP_MAYMOVE, NULL) == MAP_FAILED ? -1 : 0);
  RES("dontunmap file private", mremap(fm, pg, pg, MREMAP_DONTUNMAP | MREMAP_MAYMOVE, NULL) == MAP_FAILED ? -1 : 0);
  char *tv = map_anon(2);
  mprotect(tv + pg, pg, PROT_NONE);
  ERR("dontunmap two vmas", mremap(tv, 2 * pg, 2 * pg, MREMAP_DONTUNMAP | MREMAP_MAYMOVE, NULL), EFAULT);

  /* a signal to a thread waiting on a userfault: its handler runs, the
   * access faults again (a second message) */
  char *sg = map_anon(1);
  int ug = new_uffd(O_NONBLOCK, 0);
  reg(ug, sg, pg, UFFDIO_REGISTER_MODE_MISSING);
  struct sigaction su = { .sa_handler = on_usr1 };
  sigaction(SIGUSR1, &su, NULL);
  struct touch t11 = { .addr = sg + 3 };
  th = touch_bg(&t11);
  OK("msg 11", get_msg(ug, &m) == 0);
  pthread_kill(th, SIGUSR1);
  OK("msg 11 again after the signal", get_msg(ug, &m) == 0);
  printf("handler ran %d\n", usr1_seen);
  memset(src, 'S', pg);
  cp = (struct uffdio_copy){ .dst = (unsigned long)sg, .src = (unsigned long)src, .len = pg };
  OK("copy 11", ioctl(ug, UFFDIO_COPY, &cp) == 0);
  pthread_join(th, NULL);
  printf("thread 11 saw %c\n", t11.val);
  close(ug);

  /* a process exits while its thread waits on a userfault nobody serves */
  kid = fork();
  if (kid == 0) {
    char *x = map_anon(1);
    int ux = new_uffd(O_NONBLOCK, 0);
    reg(ux, x, pg, UFFDIO_REGISTER_MODE_MISSING);
    struct touch tx = { .addr = x };
    touch_bg(&tx);
    get_msg(ux, &m);
    _exit(5);
  }
  waitpid(kid, &ws, 0);
  printf("child with a waiting fault: exit %d\n", WEXITSTATUS(ws));

  /* the range is unmapped while a fault waits: COPY finds nothing */
  char *um_ = map_anon(1);
  int uu = new_uffd(O_NONBLOCK, 0);
  reg(uu, um_, pg, UFFDIO_REGISTER_MODE_MISSING);
  struct touch t12 = { .addr = um_ };
  th = touch_bg(&t12);
  OK("msg 12", get_msg(uu, &m) == 0);
  cp = (struct uffdio_copy){ .dst = (unsigned long)um_, .src = (unsigned long)src, .len = pg };
  OK("remap over it", mmap(um_, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == um_);
  ERR("copy after the remap", ioctl(uu, UFFDIO_COPY, &cp), ENOENT);
  wr = (struct uffdio_range){ (unsigned long)um_, pg };
  OK("wake 12", ioctl(uu, UFFDIO_WAKE, &wr) == 0);
  pthread_join(th, NULL);
  printf("thread 12 saw %d\n", t12.val);
  close(uu);

  /* the handler is another process (a forked child holding the fd):
   * COPY and un-write-protect reach the parent's memory */
  char *xp = map_anon(2);
  xp[pg] = 'o';
  int ux = new_uffd(O_NONBLOCK, UFFD_FEATURE_PAGEFAULT_FLAG_WP);
  reg(ux, xp, pg, UFFDIO_REGISTER_MODE_MISSING);
  reg(ux, xp + pg, pg, UFFDIO_REGISTER_MODE_WP);
  wp = (struct uffdio_writeprotect){ .range = { (unsigned long)(xp + pg), pg }, .mode = UFFDIO_WRITEPROTECT_MODE_WP };
  OK("writeprotect x", ioctl(ux, UFFDIO_WRITEPROTECT, &wp) == 0);
  kid = fork();
  if (kid == 0) {
    char *h = map_anon(1);
    memset(h, 'H', pg);
    for (int n = 0; n < 2; n++) {
      if (get_msg(ux, &m))
        _exit(1);
      unsigned long a = m.arg.pagefault.address & ~(pg - 1);
      if (a == (unsigned long)xp) {
        struct uffdio_copy c = { .dst = a, .src = (unsigned long)h, .len = pg };
        if (ioctl(ux, UFFDIO_COPY, &c))
          _exit(2);
      } else {
        struct uffdio_writeprotect w = { .range = { a, pg } };
        if (ioctl(ux, UFFDIO_WRITEPROTECT, &w))
          _exit(3);
      }
    }
    _exit(0);
  }
  struct touch t13 = { .addr = xp + 2 };
  th = touch_bg(&t13);
  pthread_join(th, NULL);
  struct touch t14 = { .addr = xp + pg, .write = 1, .wval = 'w' };
  th = touch_bg(&t14);
  pthread_join(th, NULL);
  waitpid(kid, &ws, 0);
  printf("handler process: exit %d; missing page %c, write-protected page %c\n", WEXITSTATUS(ws), t13.val,
         xp[pg]);
  close(ux);

  /* a blocking uffd polls as an error */
  int ub = new_uffd(0, 0);
  pf = (struct pollfd){ .fd = ub, .events = POLLIN };
  RES("poll blocking uffd", poll(&pf, 1, 0));
  printf("revents %#x\n", pf.revents);
  close(ub);
  close(u);
  return t_done();
}
