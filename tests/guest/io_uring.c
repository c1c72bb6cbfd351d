/* io_uring.c - io_uring_setup/enter/register with the raw syscalls: ring
 * sizes and setup errors, rings mapped at Linux's offsets, NOP, WRITE,
 * READ (at an offset and at the file position), WRITEV/READV, FSYNC,
 * READ_FIXED within and outside registered buffers, errors carried in
 * CQEs, and the enter/register errors. */
#include "t.h"
#include <fcntl.h>
#include <linux/io_uring.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

static int setup(unsigned n, struct io_uring_params *p) { return syscall(__NR_io_uring_setup, n, p); }
static int enter(int fd, unsigned sub, unsigned min, unsigned fl) {
  return syscall(__NR_io_uring_enter, fd, sub, min, fl, NULL, 0);
}
static int reg(int fd, unsigned op, void *arg, unsigned nr) {
  return syscall(__NR_io_uring_register, fd, op, arg, nr);
}

static struct {
  int fd;
  unsigned *sq_head, *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
  struct io_uring_sqe *sqes;
  struct io_uring_cqe *cqes;
} R;

static void submit(int op, int fd, void *addr, unsigned len, unsigned long long off, unsigned long long ud,
                   unsigned short buf_index) {
  unsigned tail = *R.sq_tail, i = tail & *R.sq_mask;
  struct io_uring_sqe *s = &R.sqes[i];
  memset(s, 0, sizeof *s);
  s->opcode = op;
  s->fd = fd;
  s->addr = (unsigned long)addr;
  s->len = len;
  s->off = off;
  s->user_data = ud;
  s->buf_index = buf_index;
  R.sq_array[i] = i;
  __atomic_store_n(R.sq_tail, tail + 1, __ATOMIC_RELEASE);
}

/* Submits what is queued, then prints every CQE. */
static void run(const char *name, unsigned n) {
  int r = enter(R.fd, n, n, IORING_ENTER_GETEVENTS);
  printf("%s: enter %d\n", name, r);
  unsigned head = *R.cq_head;
  while (head != __atomic_load_n(R.cq_tail, __ATOMIC_ACQUIRE)) {
    struct io_uring_cqe *c = &R.cqes[head & *R.cq_mask];
    if (c->res < 0)
      printf("  cqe %llu: %s\n", (unsigned long long)c->user_data, en(-c->res));
    else
      printf("  cqe %llu: %d\n", (unsigned long long)c->user_data, c->res);
    head++;
  }
  __atomic_store_n(R.cq_head, head, __ATOMIC_RELEASE);
}

int main(void) {
  struct io_uring_params p;
  memset(&p, 0, sizeof p);
  ERR("setup 0 entries", setup(0, &p), EINVAL);
  ERR("setup 65536 entries", setup(65536, &p), EINVAL);
  ERR("setup NULL params", setup(4, NULL), EFAULT);
  p.resv[1] = 1;
  ERR("setup resv set", setup(4, &p), EINVAL);
  memset(&p, 0, sizeof p);
  p.flags = IORING_SETUP_CLAMP;
  int cfd = setup(65536, &p);
  OK("setup CLAMP", cfd >= 0);
  printf("clamped: sq %u cq %u\n", p.sq_entries, p.cq_entries);
  close(cfd);
  memset(&p, 0, sizeof p);
  p.flags = IORING_SETUP_CQSIZE;
  p.cq_entries = 2;
  ERR("CQSIZE below the SQ", setup(4, &p), EINVAL);
  memset(&p, 0, sizeof p);
  R.fd = setup(3, &p);
  OK("setup 3", R.fd >= 0);
  printf("sq %u cq %u features %x cloexec %d\n", p.sq_entries, p.cq_entries,
         p.features & (IORING_FEAT_NODROP | IORING_FEAT_SUBMIT_STABLE | IORING_FEAT_RW_CUR_POS),
         (fcntl(R.fd, F_GETFD) & FD_CLOEXEC) != 0);

  char *sq = mmap(NULL, p.sq_off.array + p.sq_entries * 4, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                  R.fd, IORING_OFF_SQ_RING);
  char *cq = mmap(NULL, p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe), PROT_READ | PROT_WRITE,
                  MAP_SHARED | MAP_POPULATE, R.fd, IORING_OFF_CQ_RING);
  R.sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                R.fd, IORING_OFF_SQES);
  OK("rings mapped", sq != MAP_FAILED && cq != MAP_FAILED && R.sqes != MAP_FAILED);
  R.sq_head = (unsigned *)(sq + p.sq_off.head);
  R.sq_tail = (unsigned *)(sq + p.sq_off.tail);
  R.sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
  R.sq_array = (unsigned *)(sq + p.sq_off.array);
  R.cq_head = (unsigned *)(cq + p.cq_off.head);
  R.cq_tail = (unsigned *)(cq + p.cq_off.tail);
  R.cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
  R.cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
  printf("masks sq %u cq %u entries %u %u\n", *R.sq_mask, *R.cq_mask, *(unsigned *)(sq + p.sq_off.ring_entries),
         *(unsigned *)(cq + p.cq_off.ring_entries));

  char path[] = "/tmp/umk-io_uring.XXXXXX";
  int fd = mkstemp(path);
  static char wbuf[8192], rbuf[8192];
  for (int i = 0; i < (int)sizeof wbuf; i++)
    wbuf[i] = 'a' + i % 26;

  submit(IORING_OP_NOP, -1, NULL, 0, 0, 1, 0);
  run("nop", 1);
  run("nothing queued", 1);
  submit(IORING_OP_WRITE, fd, wbuf, 4096, 0, 2, 0);
  submit(IORING_OP_WRITE, fd, wbuf + 4096, 4096, 4096, 3, 0);
  run("two writes", 2);
  submit(IORING_OP_READ, fd, rbuf, 100, 4000, 4, 0);
  run("read at 4000", 1);
  OK("read data", !memcmp(rbuf, wbuf + 4000, 100));
  lseek(fd, 10, SEEK_SET);
  submit(IORING_OP_READ, fd, rbuf, 5, -1ULL, 5, 0);
  run("read at the position", 1);
  OK("position advanced", lseek(fd, 0, SEEK_CUR) == 15 && !memcmp(rbuf, wbuf + 10, 5));
  struct iovec iov[2] = { { rbuf, 3 }, { rbuf + 100, 4 } };
  submit(IORING_OP_READV, fd, iov, 2, 26, 6, 0);
  run("readv", 1);
  OK("readv data", !memcmp(rbuf, wbuf + 26, 3) && !memcmp(rbuf + 100, wbuf + 29, 4));
  struct iovec wv[2] = { { "XY", 2 }, { "Z", 1 } };
  submit(IORING_OP_WRITEV, fd, wv, 2, 8190, 7, 0);
  submit(IORING_OP_FSYNC, fd, NULL, 0, 0, 8, 0);
  run("writev then fsync", 2);
  OK("file size", lseek(fd, 0, SEEK_END) == 8193);
  submit(IORING_OP_READ, 12345, rbuf, 10, 0, 9, 0);
  submit(IORING_OP_READ, fd, (void *)8, 10, 0, 10, 0);
  int ro = open(path, O_RDONLY);
  submit(IORING_OP_WRITE, ro, wbuf, 10, 0, 11, 0);
  run("errors in CQEs", 3);

  /* registered buffers */
  struct iovec bufs[1] = { { rbuf, 4096 } };
  OK("register buffers", reg(R.fd, IORING_REGISTER_BUFFERS, bufs, 1) == 0);
  ERR("register again", reg(R.fd, IORING_REGISTER_BUFFERS, bufs, 1), EBUSY);
  submit(IORING_OP_READ_FIXED, fd, rbuf + 100, 50, 0, 12, 0);
  submit(IORING_OP_READ_FIXED, fd, rbuf + 4090, 50, 0, 13, 0);
  submit(IORING_OP_READ_FIXED, fd, rbuf, 50, 0, 14, 1);
  run("fixed reads", 3);
  OK("fixed read data", !memcmp(rbuf + 100, wbuf, 50));
  ERR("unregister with arg", reg(R.fd, IORING_UNREGISTER_BUFFERS, bufs, 0), EINVAL);
  OK("unregister", reg(R.fd, IORING_UNREGISTER_BUFFERS, NULL, 0) == 0);
  ERR("unregister again", reg(R.fd, IORING_UNREGISTER_BUFFERS, NULL, 0), ENXIO);
  ERR("register 0 buffers", reg(R.fd, IORING_REGISTER_BUFFERS, bufs, 0), EINVAL);
  ERR("register unreadable iovecs", reg(R.fd, IORING_REGISTER_BUFFERS, (void *)8, 1), EFAULT);

  ERR("enter on a file", enter(fd, 1, 0, 0), EOPNOTSUPP);
  ERR("enter bad fd", enter(-1, 1, 0, 0), EBADF);
  ERR("register on a file", reg(fd, IORING_UNREGISTER_BUFFERS, NULL, 0), EOPNOTSUPP);
  /* a forked child shares the ring */
  if (fork() == 0) {
    submit(IORING_OP_NOP, -1, NULL, 0, 0, 15, 0);
    enter(R.fd, 1, 0, 0);
    _exit(0);
  }
  wait(NULL);
  run("child's NOP", 0);

  /* IORING_OP_FADVISE and IORING_OP_MADVISE (stress-ng's io-uring) */
  char *pgm = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  struct { int op, fd; void *addr; unsigned len, adv; unsigned short bi; } adv[] = {
    { IORING_OP_FADVISE, fd, NULL, 4096, POSIX_FADV_DONTNEED, 0 },
    { IORING_OP_FADVISE, fd, NULL, 0, POSIX_FADV_SEQUENTIAL, 0 },
    { IORING_OP_FADVISE, fd, NULL, 4096, 99, 0 },
    { IORING_OP_FADVISE, 999, NULL, 4096, POSIX_FADV_NORMAL, 0 },
    { IORING_OP_FADVISE, fd, NULL, 4096, POSIX_FADV_NORMAL, 1 },
    { IORING_OP_MADVISE, -1, pgm, 4096, MADV_WILLNEED, 0 },
    { IORING_OP_MADVISE, -1, pgm, 4096, 12345, 0 },
    { IORING_OP_MADVISE, -1, pgm + 1, 4096, MADV_NORMAL, 0 },
  };
  for (unsigned i = 0; i < sizeof adv / sizeof adv[0]; i++) {
    submit(adv[i].op, adv[i].fd, adv[i].addr, adv[i].len, 0, 20 + i, adv[i].bi);
    R.sqes[(*R.sq_tail - 1) & *R.sq_mask].fadvise_advice = adv[i].adv;
    run(adv[i].op == IORING_OP_FADVISE ? "fadvise" : "madvise", 1);
  }

  /* IORING_OP_FALLOCATE (offset in off, length in addr, mode in len)
   * and IORING_OP_SYNC_FILE_RANGE */
  submit(IORING_OP_FALLOCATE, fd, (void *)100, 0, 9000, 40, 0);
  run("fallocate", 1);
  OK("fallocate grew the file", lseek(fd, 0, SEEK_END) == 9100);
  submit(IORING_OP_FALLOCATE, fd, (void *)100, 0, 9000, 41, 0);
  R.sqes[(*R.sq_tail - 1) & *R.sq_mask].rw_flags = 1;
  run("fallocate with rw_flags", 1);
  submit(IORING_OP_SYNC_FILE_RANGE, fd, NULL, 4096, 0, 42, 0);
  run("sync_file_range", 1);
  submit(IORING_OP_SYNC_FILE_RANGE, fd, NULL, 4096, 0, 43, 0);
  R.sqes[(*R.sq_tail - 1) & *R.sq_mask].sync_range_flags = 0x100;
  run("sync_file_range with a bad flag", 1);
  submit(IORING_OP_SYNC_FILE_RANGE, fd, (void *)8, 4096, 0, 44, 0);
  run("sync_file_range with addr", 1);

  /* IORING_OP_OPENAT, STATX and CLOSE */
  submit(IORING_OP_OPENAT, AT_FDCWD, path, 0, 0, 30, 0);
  R.sqes[(*R.sq_tail - 1) & *R.sq_mask].open_flags = O_RDONLY | O_CLOEXEC;
  int head0 = *R.cq_head;
  enter(R.fd, 1, 1, IORING_ENTER_GETEVENTS);
  int ofd = R.cqes[head0 & *R.cq_mask].res;
  __atomic_store_n(R.cq_head, head0 + 1, __ATOMIC_RELEASE);
  OK("openat gives an fd", ofd >= 0 && fcntl(ofd, F_GETFD) == FD_CLOEXEC);
  static struct statx stx;
  submit(IORING_OP_STATX, AT_FDCWD, path, STATX_SIZE, (unsigned long)&stx, 31, 0);
  run("statx", 1);
  OK("statx size", stx.stx_size == 9100 && (stx.stx_mask & STATX_SIZE));
  submit(IORING_OP_STATX, AT_FDCWD, "/nonexistent/x", STATX_SIZE, (unsigned long)&stx, 32, 0);
  run("statx of a missing file", 1);
  submit(IORING_OP_OPENAT, AT_FDCWD, "/nonexistent/x", 0, 0, 33, 0);
  run("openat of a missing file", 1);
  submit(IORING_OP_CLOSE, ofd, NULL, 0, 0, 34, 0);
  run("close", 1);
  OK("the fd is closed", fcntl(ofd, F_GETFD) == -1 && errno == EBADF);
  submit(IORING_OP_CLOSE, ofd, NULL, 0, 0, 35, 0);
  run("close again", 1);
  submit(IORING_OP_CLOSE, R.fd, NULL, 0, 0, 36, 0);
  run("close the ring itself", 1);
  submit(IORING_OP_CLOSE, fd, NULL, 1, 0, 37, 0);
  run("close with a length", 1);
  unlink(path);
  return t_done();
}
