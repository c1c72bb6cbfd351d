/* aio.c - Linux native AIO by raw syscalls: io_setup's checks (ctx not
 * 0, nr_events 0 or over aio-max-nr), pwrite/pread/preadv/fsync requests
 * and their completion events (data, obj, res), an eventfd signalled by
 * a completion, RWF_NOWAIT on an empty pipe (-EAGAIN in the event),
 * io_submit's errors (bad fd, wrong access, bad opcode, reserved field),
 * io_getevents's timeout and argument checks, io_cancel of a finished
 * request, io_destroy, and a forked child not seeing the parent's
 * context.                                                               */
#include "t.h"
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <signal.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>

static long setup(unsigned n, aio_context_t *c) { return syscall(SYS_io_setup, n, c); }
static long submit(aio_context_t c, long n, struct iocb **v) { return syscall(SYS_io_submit, c, n, v); }
static long getev(aio_context_t c, long mn, long n, struct io_event *e, struct timespec *to) {
  return syscall(SYS_io_getevents, c, mn, n, e, to);
}

static void prep(struct iocb *cb, int op, int fd, void *buf, size_t n, long long off, uint64_t data) {
  memset(cb, 0, sizeof *cb);
  cb->aio_lio_opcode = op;
  cb->aio_fildes = fd;
  cb->aio_buf = (uint64_t)(uintptr_t)buf;
  cb->aio_nbytes = n;
  cb->aio_offset = off;
  cb->aio_data = data;
}

int main(void) {
  aio_context_t ctx = 0, bad = 1;
  ERR("io_setup with *ctxp not 0", setup(1, &bad), EINVAL);
  ERR("io_setup of 0 events", setup(0, &ctx), EINVAL);
  ERR("io_setup bad pointer", setup(1, (aio_context_t *)8), EFAULT);
  FILE *f = fopen("/proc/sys/fs/aio-max-nr", "r");
  unsigned max = 0;
  OK("aio-max-nr readable", f && fscanf(f, "%u", &max) == 1 && max > 0);
  if (f) fclose(f);
  ERR("io_setup over aio-max-nr", setup(max + 1, &ctx), EAGAIN);
  OK("io_setup(8)", setup(8, &ctx) == 0 && ctx != 0);

  int fd = open("/tmp/aio.test", O_RDWR | O_CREAT | O_TRUNC, 0600);
  char out[] = "asynchronous", in[32] = "";
  struct iocb w, r, s, *v[3] = { &w, &r, &s };
  prep(&w, IOCB_CMD_PWRITE, fd, out, 12, 100, 11);
  prep(&r, IOCB_CMD_PREAD, fd, in, 12, 100, 22);
  prep(&s, IOCB_CMD_FSYNC, fd, NULL, 0, 0, 33);
  OK("io_submit pwrite, pread, fsync", submit(ctx, 3, v) == 3);
  struct io_event ev[4];
  memset(ev, 0, sizeof ev);
  OK("io_getevents: three events", getev(ctx, 3, 4, ev, NULL) == 3);
  OK("pwrite's event: data, obj, res", ev[0].data == 11 && ev[0].obj == (uint64_t)(uintptr_t)&w && ev[0].res == 12);
  OK("pread's event: the bytes written", ev[1].data == 22 && ev[1].res == 12 && !memcmp(in, out, 12));
  OK("fsync's event", ev[2].data == 33 && ev[2].res == 0);
  OK("the file's size: offset + 12", lseek(fd, 0, SEEK_END) == 112);

  /* preadv with two segments */
  char a[5] = "", b[8] = "";
  struct iovec iov[2] = { { a, 4 }, { b, 8 } };
  prep(&r, IOCB_CMD_PREADV, fd, iov, 2, 100, 44);
  v[0] = &r;
  OK("io_submit preadv", submit(ctx, 1, v) == 1);
  OK("its event", getev(ctx, 1, 1, ev, NULL) == 1 && ev[0].res == 12 && !memcmp(a, "asyn", 4) && !memcmp(b, "chronous", 8));

  /* a completion signals an eventfd */
  int efd = eventfd(0, EFD_NONBLOCK);
  prep(&w, IOCB_CMD_PWRITE, fd, out, 4, 0, 55);
  w.aio_flags = IOCB_FLAG_RESFD;
  w.aio_resfd = efd;
  v[0] = &w;
  OK("io_submit with IOCB_FLAG_RESFD", submit(ctx, 1, v) == 1);
  uint64_t cnt = 0;
  OK("the eventfd counts it", read(efd, &cnt, 8) == 8 && cnt == 1);
  getev(ctx, 1, 1, ev, NULL);
  w.aio_resfd = fd;
  ERR("IOCB_FLAG_RESFD naming no eventfd", submit(ctx, 1, v), EINVAL);
  w.aio_flags = 0;

  /* RWF_NOWAIT on an empty pipe: the event says EAGAIN */
  int p[2];
  pipe(p);
  prep(&r, IOCB_CMD_PREAD, p[0], in, 8, 0, 66);
  r.aio_rw_flags = RWF_NOWAIT;
  v[0] = &r;
  OK("io_submit a RWF_NOWAIT read of an empty pipe", submit(ctx, 1, v) == 1);
  OK("its event: -EAGAIN", getev(ctx, 1, 1, ev, NULL) == 1 && ev[0].res == -EAGAIN);
  r.aio_rw_flags = 0;
  write(p[1], "pipe", 4);
  OK("a read of a pipe with data", submit(ctx, 1, v) == 1 && getev(ctx, 1, 1, ev, NULL) == 1 && ev[0].res == 4);
  r.aio_rw_flags = 0x10000;
  ERR("unknown RWF_ flags", submit(ctx, 1, v), EOPNOTSUPP);
  r.aio_rw_flags = 0;

  /* io_submit's errors */
  prep(&r, IOCB_CMD_PREAD, 999, in, 8, 0, 0);
  ERR("io_submit a bad fd", submit(ctx, 1, v), EBADF);
  prep(&r, IOCB_CMD_PWRITE, p[0], in, 8, 0, 0);
  ERR("io_submit a write on a read-only fd", submit(ctx, 1, v), EBADF);
  prep(&r, 77, fd, in, 8, 0, 0);
  ERR("io_submit a bad opcode", submit(ctx, 1, v), EINVAL);
  prep(&r, IOCB_CMD_PREAD, fd, in, 8, 0, 0);
  r.aio_reserved2 = 1;
  ERR("io_submit with aio_reserved2 set", submit(ctx, 1, v), EINVAL);
  ERR("io_submit nr < 0", submit(ctx, -1, v), EINVAL);
  ERR("io_submit bad iocb array", submit(ctx, 1, (struct iocb **)8), EFAULT);
  struct iocb *vb[1] = { (struct iocb *)8 };
  ERR("io_submit bad iocb", submit(ctx, 1, vb), EFAULT);
  OK("io_submit of none", submit(ctx, 0, v) == 0);
  ERR("io_submit on no context", submit(12345, 1, v), EINVAL);

  /* io_getevents */
  struct timespec to = { 0, 50000000 }, t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  OK("io_getevents waits out its timeout with no event", getev(ctx, 1, 1, ev, &to) == 0);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  OK("about 50 ms", (t1.tv_sec - t0.tv_sec) * 1000000000L + t1.tv_nsec - t0.tv_nsec >= 45000000L);
  ERR("io_getevents min_nr > nr", getev(ctx, 2, 1, ev, NULL), EINVAL);
  ERR("io_getevents min_nr < 0", getev(ctx, -1, 1, ev, NULL), EINVAL);
  ERR("io_getevents no context", getev(0, 0, 0, NULL, NULL), EINVAL);
  ERR("io_getevents bad timeout", getev(ctx, 0, 1, ev, (struct timespec *)8), EFAULT);

  /* io_cancel of a finished request, bad pointers */
  prep(&r, IOCB_CMD_PREAD, fd, in, 8, 0, 0);
  submit(ctx, 1, v);
  getev(ctx, 1, 1, ev, NULL);
  struct io_event res;
  ERR("io_cancel of a finished request", syscall(SYS_io_cancel, ctx, &r, &res), EINVAL);
  ERR("io_cancel bad iocb", syscall(SYS_io_cancel, ctx, NULL, &res), EFAULT);

  /* a child does not inherit the context */
  pid_t c = fork();
  if (c == 0)
    _exit(submit(ctx, 0, v) == -1 && errno == EINVAL ? 0 : 1);
  int st;
  waitpid(c, &st, 0);
  OK("a forked child has no such context", WIFEXITED(st) && WEXITSTATUS(st) == 0);

  OK("io_destroy", syscall(SYS_io_destroy, ctx) == 0);
  ERR("io_destroy again", syscall(SYS_io_destroy, ctx), EINVAL);
  ERR("io_getevents after io_destroy", getev(ctx, 0, 1, ev, NULL), EINVAL);
  unlink("/tmp/aio.test");
  return t_done();
}
