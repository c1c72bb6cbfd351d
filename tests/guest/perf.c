/* perf.c - perf_event_open(2) counting events of the calling thread:
 * software events (task-clock, cpu-clock, page-faults, context-switches,
 * the ones that count nothing here), ENABLE/DISABLE/RESET/ID ioctls, the
 * read formats (times enabled and running, id, group), disabled events
 * standing still, and the errors: the attr's size (E2BIG and the size
 * written back), flags, pid -1 with cpu -1, an unknown type or config,
 * a pid that does not exist, a bad group fd, a short read, ioctls a
 * counting event refuses.  Hardware events give whatever the host's
 * kernel gives (ENOENT on a machine without a PMU).  Runs as root. */
#include "t.h"
#include <linux/perf_event.h>
#include <sched.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

static struct perf_event_attr attr;

static long peo(struct perf_event_attr *a, int pid, int cpu, int group, unsigned long flags)
{
  return syscall(SYS_perf_event_open, a, pid, cpu, group, flags);
}

static void setup(int type, unsigned long long config, unsigned long long fmt)
{
  memset(&attr, 0, sizeof attr);
  attr.size = sizeof attr;
  attr.type = type;
  attr.config = config;
  attr.disabled = 1;
  attr.exclude_kernel = 1;
  attr.exclude_hv = 1;
  attr.read_format = fmt;
}

static volatile unsigned long sink;

static void work(void)
{
  for (unsigned long i = 0; i < 20000000; i++)
    sink += i;
}

static uint64_t value(int fd)
{
  uint64_t v = (uint64_t)-1;
  if (read(fd, &v, sizeof v) != sizeof v)
    return (uint64_t)-1;
  return v;
}

/* one counting software event through its life */
static void software(const char *name, unsigned long long config)
{
  char n[128];
  setup(PERF_TYPE_SOFTWARE, config, 0);
  /* a context switch happens in the kernel: exclude_kernel would count none */
  attr.exclude_kernel = config != PERF_COUNT_SW_CONTEXT_SWITCHES;
  int fd = peo(&attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
  snprintf(n, sizeof n, "%s: open", name);
  OK(n, fd >= 0);
  snprintf(n, sizeof n, "%s: 0 while disabled", name);
  work();
  OK(n, value(fd) == 0);
  snprintf(n, sizeof n, "%s: RESET, ENABLE", name);
  OK(n, ioctl(fd, PERF_EVENT_IOC_RESET, 0) == 0 && ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) == 0);
  if (config == PERF_COUNT_SW_PAGE_FAULTS || config == PERF_COUNT_SW_PAGE_FAULTS_MIN) {
    char *m = mmap(NULL, 200 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < 200; i++)
      m[i * 4096] = 1;
    munmap(m, 200 * 4096);
  } else if (config == PERF_COUNT_SW_CONTEXT_SWITCHES) {
    for (int i = 0; i < 20; i++)
      usleep(1000);
  } else {
    work();
  }
  snprintf(n, sizeof n, "%s: DISABLE", name);
  OK(n, ioctl(fd, PERF_EVENT_IOC_DISABLE, 0) == 0);
  uint64_t v = value(fd);
  int want_some = config <= PERF_COUNT_SW_PAGE_FAULTS_MIN && config != PERF_COUNT_SW_CPU_MIGRATIONS;
  uint64_t floor = config == PERF_COUNT_SW_PAGE_FAULTS || config == PERF_COUNT_SW_PAGE_FAULTS_MIN ? 200 :
                   config == PERF_COUNT_SW_CONTEXT_SWITCHES ? 20 : 1000000;
  if (want_some) {
    snprintf(n, sizeof n, "%s: counted (at least %llu)", name, (unsigned long long)floor);
    OK(n, v != (uint64_t)-1 && v >= floor);
  } else {
    printf("%s: counted %s\n", name, v == (uint64_t)-1 ? "error" : "a number");
  }
  work();
  snprintf(n, sizeof n, "%s: stands still while disabled", name);
  OK(n, value(fd) == v);
  snprintf(n, sizeof n, "%s: RESET gives 0", name);
  OK(n, ioctl(fd, PERF_EVENT_IOC_RESET, 0) == 0 && value(fd) == 0);
  close(fd);
}

int main(void)
{
  int fd;
  uint64_t buf[16];

  /* the attr's size */
  setup(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, 0);
  attr.size = 1;
  ERR("size 1", peo(&attr, 0, -1, -1, 0), E2BIG);
  printf("size written back %u\n", attr.size);
  setup(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, 0);
  attr.size = 0;
  fd = peo(&attr, 0, -1, -1, 0);
  OK("size 0: the first version's 64 bytes", fd >= 0);
  close(fd);
  {
    char big[4096 + 8];
    memset(big, 0, sizeof big);
    memcpy(big, &attr, sizeof attr);
    ((struct perf_event_attr *)big)->size = 4096;
    fd = peo((struct perf_event_attr *)big, 0, -1, -1, 0);
    OK("size 4096, zeros past the known part", fd >= 0);
    close(fd);
    big[1000] = 1;
    ERR("size 4096, a byte set past it", peo((struct perf_event_attr *)big, 0, -1, -1, 0), E2BIG);
    ((struct perf_event_attr *)big)->size = 4097;
    ERR("size past a page", peo((struct perf_event_attr *)big, 0, -1, -1, 0), E2BIG);
  }
  ERR("attr at a bad address", peo((void *)8, 0, -1, -1, 0), EFAULT);

  /* the other arguments */
  setup(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, 0);
  ERR("unknown flags", peo(&attr, 0, -1, -1, 0x100), EINVAL);
  ERR("pid -1 and cpu -1", peo(&attr, -1, -1, -1, 0), EINVAL);
  ERR("a pid that does not exist", peo(&attr, 999999, -1, -1, 0), ESRCH);
  ERR("a group fd that is not open", peo(&attr, 0, -1, 999, 0), EBADF);
  ERR("a group fd that is not an event", peo(&attr, 0, -1, 0, 0), EBADF);
  ERR("cpu -2", peo(&attr, 0, -2, -1, 0), EINVAL);
  setup(PERF_TYPE_SOFTWARE, 1000, 0);
  ERR("an unknown software config", peo(&attr, 0, -1, -1, 0), ENOENT);
  setup(1000, 0, 0);
  ERR("an unknown type", peo(&attr, 0, -1, -1, 0), ENOENT);
  setup(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, 1 << 10);
  ERR("an unknown read_format bit", peo(&attr, 0, -1, -1, 0), EINVAL);
  setup(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, 0);
  fd = peo(&attr, getpid(), -1, -1, 0);
  OK("pid getpid() is the caller", fd >= 0);
  close(fd);

  /* the software events */
  software("task-clock", PERF_COUNT_SW_TASK_CLOCK);
  software("cpu-clock", PERF_COUNT_SW_CPU_CLOCK);
  software("page-faults", PERF_COUNT_SW_PAGE_FAULTS);
  software("minor-faults", PERF_COUNT_SW_PAGE_FAULTS_MIN);
  software("context-switches", PERF_COUNT_SW_CONTEXT_SWITCHES);
  software("major-faults", PERF_COUNT_SW_PAGE_FAULTS_MAJ);
  software("cpu-migrations", PERF_COUNT_SW_CPU_MIGRATIONS);
  software("alignment-faults", PERF_COUNT_SW_ALIGNMENT_FAULTS);
  software("emulation-faults", PERF_COUNT_SW_EMULATION_FAULTS);
  software("dummy", PERF_COUNT_SW_DUMMY);

  /* a context switch is the kernel's: none counted with exclude_kernel */
  setup(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES, 0);
  attr.disabled = 0;
  fd = peo(&attr, 0, -1, -1, 0);
  for (int i = 0; i < 5; i++)
    usleep(1000);
  OK("context-switches with exclude_kernel: 0", fd >= 0 && value(fd) == 0);
  close(fd);

  /* read formats */
  setup(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK,
        PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING | PERF_FORMAT_ID);
  attr.disabled = 0;
  fd = peo(&attr, 0, -1, -1, 0);
  OK("enabled at open", fd >= 0);
  work();
  uint64_t id = 0;
  OK("PERF_EVENT_IOC_ID", ioctl(fd, PERF_EVENT_IOC_ID, &id) == 0 && id > 0);
  ERR("a read too short", read(fd, buf, 24), ENOSPC);
  OK("read: value, enabled, running, id", read(fd, buf, sizeof buf) == 32 && buf[0] > 1000000 &&
     buf[1] > 0 && buf[2] > 0 && buf[2] <= buf[1] && buf[3] == id);
  ERR("PERF_EVENT_IOC_PERIOD on a counting event", ioctl(fd, PERF_EVENT_IOC_PERIOD, &id), EINVAL);
  ERR("PERF_EVENT_IOC_REFRESH on a counting event", ioctl(fd, PERF_EVENT_IOC_REFRESH, 1), EINVAL);
  ERR("an unknown ioctl", ioctl(fd, _IO('$', 99), 0), ENOTTY);
  ERR("write", write(fd, buf, 8), EINVAL);
  close(fd);
  setup(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, PERF_FORMAT_GROUP | PERF_FORMAT_ID);
  attr.disabled = 0;
  fd = peo(&attr, 0, -1, -1, 0);
  OK("a group leader alone", fd >= 0);
  work();
  id = 0;
  ioctl(fd, PERF_EVENT_IOC_ID, &id);
  OK("read GROUP|ID: nr 1, value, id", read(fd, buf, sizeof buf) == 24 && buf[0] == 1 && buf[1] > 1000000 &&
     buf[2] == id);
  close(fd);

  /* hardware events: the host's answer */
  setup(PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS, 0);
  fd = peo(&attr, 0, -1, -1, 0);
  if (fd < 0) {
    printf("instructions: %s\n", en(errno));
  } else {
    ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
    work();
    ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
    OK("instructions counted", value(fd) > 20000000);
    close(fd);
  }
  return t_done();
}
