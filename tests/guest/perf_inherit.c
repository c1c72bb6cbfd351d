/* perf_inherit.c - perf_event_open(2) for another process, as `perf stat
 * CMD` opens its events on the child it forked: allowed for a task the
 * caller may ptrace (EACCES for one of another uid); with inherit the
 * tasks the child creates are counted too, without it only the child;
 * the counts survive the child's exit and reaping (read after wait4).
 * Counts vary from run to run: the program prints only comparisons
 * (a grandchild touches 256 fresh pages, so faults at least that often). */
#include "t.h"
#include <linux/perf_event.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define PAGES 256

static int open_event(pid_t pid, uint32_t type, uint64_t config, int inherit) {
  struct perf_event_attr a;
  memset(&a, 0, sizeof(a));
  a.size = sizeof(a);
  a.type = type;
  a.config = config;
  a.exclude_kernel = 1;
  a.exclude_hv = 1;
  a.inherit = inherit;
  a.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
  return (int)syscall(SYS_perf_event_open, &a, pid, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

static uint64_t count(int fd) {
  uint64_t v[3] = {0, 0, 0};
  if (read(fd, v, sizeof(v)) != (ssize_t)sizeof(v))
    return (uint64_t)-1;
  return v[0];
}

static void touch_pages(void) {
  char *p = mmap(NULL, PAGES * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    _exit(3);
  for (int i = 0; i < PAGES; i++)
    p[i * 4096] = 1;
}

int main(void) {
  int go[2], inh, noinh, clk;
  pid_t c;
  char b;

  if (pipe(go))
    return 1;
  c = fork();
  if (c == 0) {
    /* the counted child: waits for the go, then three grandchildren */
    close(go[1]);
    if (read(go[0], &b, 1) != 1)
      _exit(2);
    for (int i = 0; i < 3; i++) {
      pid_t g = fork();
      if (g == 0) {
        touch_pages();
        _exit(0);
      }
      waitpid(g, NULL, 0);
    }
    _exit(0);
  }
  close(go[0]);
  inh = open_event(c, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS, 1);
  OK("open page-faults of the child, inherit", inh >= 0);
  noinh = open_event(c, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS, 0);
  OK("open page-faults of the child", noinh >= 0);
  clk = open_event(c, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, 1);
  OK("open task-clock of the child, inherit", clk >= 0);
  ERR("pid of no task", open_event(999999, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS, 0), ESRCH);
  if (write(go[1], "g", 1) != 1)
    return 1;
  int st;
  OK("waitpid", waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0);
  /* read after the child was reaped */
  uint64_t vi = count(inh), vn = count(noinh), vc = count(clk);
  OK("inherit counts the grandchildren's faults", vi != (uint64_t)-1 && vi >= 3 * PAGES);
  OK("without inherit, the child's own faults only", vn != (uint64_t)-1 && vn < 3 * PAGES);
  OK("inherit counts more than the child alone", vi > vn);
  OK("the child's faults are kept after its exit", vn > 0);
  OK("task-clock counted", vc != (uint64_t)-1 && vc > 0);
  /* the events go on reading the same once the child is gone */
  OK("the count stays after exit", count(inh) == vi && count(noinh) == vn);

  /* a process of another uid may not be counted: EACCES */
  c = fork();
  if (c == 0) {
    pid_t parent = getppid();
    if (setgid(65534) || setuid(65534))
      _exit(2);
    errno = 0;
    int fd = open_event(parent, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS, 0);
    printf("another uid's process: %s\n", fd >= 0 ? "opened" : en(errno));
    /* its own events remain its own */
    fd = open_event(0, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS, 0);
    printf("its own: %s\n", fd >= 0 ? "opened" : en(errno));
    _exit(0);
  }
  waitpid(c, NULL, 0);
  return t_done();
}
