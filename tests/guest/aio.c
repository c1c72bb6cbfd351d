/* aio.c - Linux native AIO (io_setup, io_submit, io_getevents,
 * io_pgetevents, io_cancel, io_destroy): reads and writes of a file,
 * vectored forms, fsync, an eventfd signalled at completion, a pipe read
 * with RWF_NOWAIT, the argument errors, and a forked child without the
 * parent's contexts. */
#include "t.h"
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>

static long io_setup(unsigned n, aio_context_t *c) { return syscall(SYS_io_setup, n, c); }
static long io_destroy(aio_context_t c) { return syscall(SYS_io_destroy, c); }
static long io_submit(aio_context_t c, long n, struct iocb **p) { return syscall(SYS_io_submit, c, n, p); }
static long io_getevents(aio_context_t c, long mn, long n, struct io_event *e, struct timespec *ts) {
  return syscall(SYS_io_getevents, c, mn, n, e, ts);
}

int main(void) {
  aio_context_t ctx = 0;
  OK("io_setup", io_setup(8, &ctx) == 0 && ctx != 0);
  aio_context_t again = ctx;
  ERR("io_setup nonzero ctx", io_setup(8, &again), EINVAL);
  aio_context_t z = 0;
  ERR("io_setup zero events", io_setup(0, &z), EINVAL);
  ERR("io_setup bad pointer", io_setup(8, (void *)8), EFAULT);

  int fd = open("/tmp/aio-test", O_RDWR | O_CREAT | O_TRUNC, 0600);
  char wbuf[64] = "hello, asynchronous world", rbuf[64] = "";
  struct iocb w = {.aio_data = 11, .aio_lio_opcode = IOCB_CMD_PWRITE, .aio_fildes = fd,
                   .aio_buf = (uintptr_t)wbuf, .aio_nbytes = 26, .aio_offset = 100};
  struct iocb *list[2] = {&w};
  RES("submit write", io_submit(ctx, 1, list));
  struct io_event ev[4];
  struct timespec ts = {1, 0};
  RES("getevents write", io_getevents(ctx, 1, 4, ev, &ts));
  printf("event data %llu obj ok %d res %lld res2 %lld\n", (unsigned long long)ev[0].data,
         ev[0].obj == (uintptr_t)&w, (long long)ev[0].res, (long long)ev[0].res2);

  int efd = eventfd(0, EFD_NONBLOCK);
  struct iocb r = {.aio_data = 22, .aio_lio_opcode = IOCB_CMD_PREAD, .aio_fildes = fd,
                   .aio_buf = (uintptr_t)rbuf, .aio_nbytes = 64, .aio_offset = 100,
                   .aio_flags = IOCB_FLAG_RESFD, .aio_resfd = efd};
  struct iocb s = {.aio_data = 33, .aio_lio_opcode = IOCB_CMD_FSYNC, .aio_fildes = fd};
  list[0] = &r;
  list[1] = &s;
  RES("submit read+fsync", io_submit(ctx, 2, list));
  uint64_t cnt = 0;
  read(efd, &cnt, 8);
  printf("eventfd count %llu\n", (unsigned long long)cnt);
  RES("getevents two", io_getevents(ctx, 2, 4, ev, NULL));
  printf("read data %llu res %lld text '%s'; fsync data %llu res %lld\n", (unsigned long long)ev[0].data,
         (long long)ev[0].res, rbuf, (unsigned long long)ev[1].data, (long long)ev[1].res);
  struct timespec zero = {0, 0};
  RES("getevents none ready", io_getevents(ctx, 0, 4, ev, &zero));
  struct timespec shortt = {0, 20000000};
  RES("getevents timeout", io_getevents(ctx, 1, 4, ev, &shortt));

  struct iovec iov[2] = {{rbuf, 5}, {rbuf + 5, 2}};
  memset(rbuf, 0, sizeof rbuf);
  struct iocb rv = {.aio_lio_opcode = IOCB_CMD_PREADV, .aio_fildes = fd, .aio_buf = (uintptr_t)iov,
                    .aio_nbytes = 2, .aio_offset = 100};
  list[0] = &rv;
  io_submit(ctx, 1, list);
  io_getevents(ctx, 1, 1, ev, NULL);
  printf("preadv res %lld '%s'\n", (long long)ev[0].res, rbuf);

  int p[2];
  pipe(p);
  struct iocb pr = {.aio_lio_opcode = IOCB_CMD_PREAD, .aio_fildes = p[0], .aio_buf = (uintptr_t)rbuf,
                    .aio_nbytes = 8, .aio_rw_flags = RWF_NOWAIT};
  list[0] = &pr;
  RES("submit pipe nowait", io_submit(ctx, 1, list));
  io_getevents(ctx, 1, 1, ev, NULL);
  printf("pipe nowait res %s\n", ev[0].res < 0 ? en((int)-ev[0].res) : "data");
  write(p[1], "pipedata", 8);
  pr.aio_rw_flags = 0;
  pr.aio_offset = 12345;   /* ignored by a pipe */
  io_submit(ctx, 1, list);
  io_getevents(ctx, 1, 1, ev, NULL);
  printf("pipe read res %lld\n", (long long)ev[0].res);

  struct iocb bad = w;
  list[0] = &bad;
  bad.aio_fildes = 999;
  ERR("submit bad fd", io_submit(ctx, 1, list), EBADF);
  bad = w;
  bad.aio_lio_opcode = 99;
  ERR("submit bad opcode", io_submit(ctx, 1, list), EINVAL);
  bad = w;
  bad.aio_reserved2 = 1;
  ERR("submit reserved", io_submit(ctx, 1, list), EINVAL);
  bad = w;
  bad.aio_flags = IOCB_FLAG_RESFD;
  bad.aio_resfd = fd;
  ERR("submit resfd not eventfd", io_submit(ctx, 1, list), EINVAL);
  int ro = open("/tmp/aio-test", O_RDONLY);
  bad = w;
  bad.aio_fildes = ro;
  ERR("submit write to read-only fd", io_submit(ctx, 1, list), EBADF);
  ERR("submit bad ctx", io_submit(12345, 1, list), EINVAL);
  ERR("submit negative", io_submit(ctx, -1, list), EINVAL);
  ERR("submit bad array", io_submit(ctx, 1, (void *)8), EFAULT);
  ERR("getevents min > nr", io_getevents(ctx, 2, 1, ev, NULL), EINVAL);
  ERR("getevents bad ctx", io_getevents(12345, 0, 1, ev, NULL), EINVAL);
  ERR("cancel done", syscall(SYS_io_cancel, ctx, &w, ev), EINVAL);
  ERR("cancel bad iocb", syscall(SYS_io_cancel, ctx, NULL, ev), EFAULT);

  pid_t c = fork();
  if (c == 0) {
    list[0] = &w;
    _exit(io_submit(ctx, 1, list) == -1 && errno == EINVAL ? 0 : 1);
  }
  int st;
  waitpid(c, &st, 0);
  OK("child has no contexts", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  OK("io_destroy", io_destroy(ctx) == 0);
  ERR("io_destroy again", io_destroy(ctx), EINVAL);
  unlink("/tmp/aio-test");
  return t_done();
}
