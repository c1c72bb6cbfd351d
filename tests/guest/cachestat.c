/* cachestat.c - cachestat(2): the pages of a memfd and of a file written
 * in the working directory, whole and by range; a pipe (no pages); and
 * EBADF (a closed fd, an O_PATH fd), EFAULT, EINVAL and the EPERM of a
 * read-only open of someone else's file once privileges are dropped. */
#include "t.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

struct range { uint64_t off, len; };
struct cs { uint64_t cache, dirty, writeback, evicted, recently_evicted; };
static long cachestat_(int fd, struct range *r, struct cs *c, unsigned fl) { return syscall(451, fd, r, c, fl); }

int main(void) {
  static char page[4096];
  struct range r = { 0, 0 };
  struct cs c;
  memset(page, 'a', sizeof page);
  int m = memfd_create("cs", 0);
  for (int i = 0; i < 8; i++) write(m, page, sizeof page);
  memset(&c, 0xff, sizeof c);
  OK("memfd of 8 pages, whole", cachestat_(m, &r, &c, 0) == 0 && c.cache + c.evicted == 8 && c.writeback == 0);
  r = (struct range){ 4096, 3 * 4096 };
  OK("pages 1-3", cachestat_(m, &r, &c, 0) == 0 && c.cache + c.evicted == 3);
  r = (struct range){ 4096 * 6, 0 };
  OK("from page 6 to the end", cachestat_(m, &r, &c, 0) == 0 && c.cache + c.evicted == 2);
  r = (struct range){ 4096 * 100, 4096 };
  OK("past the end: none", cachestat_(m, &r, &c, 0) == 0 && c.cache == 0 && c.evicted == 0);
  r = (struct range){ 1, 1 };
  OK("one byte: its page", cachestat_(m, &r, &c, 0) == 0 && c.cache + c.evicted == 1);

  char name[64];
  snprintf(name, sizeof name, "cachestat.%d", getpid());
  int f = open(name, O_CREAT | O_RDWR | O_TRUNC, 0644);
  for (int i = 0; i < 4; i++) write(f, page, sizeof page);
  r = (struct range){ 0, 0 };
  OK("a file of 4 pages", cachestat_(f, &r, &c, 0) == 0 && c.cache + c.evicted == 4);
  int p[2];
  pipe(p);
  memset(&c, 0xff, sizeof c);
  OK("a pipe: no pages", cachestat_(p[0], &r, &c, 0) == 0 && !c.cache && !c.dirty && !c.writeback && !c.evicted &&
     !c.recently_evicted);
  int d = open(".", O_RDONLY | O_DIRECTORY);
  memset(&c, 0xff, sizeof c);
  OK("a directory: no pages", cachestat_(d, &r, &c, 0) == 0 && !c.cache && !c.dirty);
  int op = open(name, O_PATH);
  ERR("an O_PATH fd", cachestat_(op, &r, &c, 0), EBADF);
  ERR("fd -1", cachestat_(-1, &r, &c, 0), EBADF);
  ERR("NULL range", cachestat_(m, NULL, &c, 0), EFAULT);
  ERR("NULL result", cachestat_(m, &r, NULL, 0), EFAULT);
  ERR("flags -1", cachestat_(m, &r, &c, -1), EINVAL);
  ERR("flags 1", cachestat_(m, &r, &c, 1), EINVAL);
  pid_t k = fork();
  if (k == 0) {
    t_failed = 0;
    if (setgid(65534) || setuid(65534)) _exit(3);
    int ro = open(name, O_RDONLY);
    ERR("read-only open of another's file, unprivileged", cachestat_(ro, &r, &c, 0), EPERM);
    OK("a memfd of its own, read-only", ({ char pp[64]; snprintf(pp, sizeof pp, "/proc/self/fd/%d", m);
       int x = open(pp, O_RDONLY); cachestat_(x, &r, &c, 0) == 0; }));
    _exit(t_failed ? 1 : 0);
  }
  int st;
  waitpid(k, &st, 0);
  OK("the unprivileged child", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  unlink(name);
  return t_done();
}
