/* perf.c - perf_event_open must let a guest measure guest tasks only:
 * never a CPU (pid -1), a host process (argv[1]: a host pid the runner
 * passes, no guest's), another guest process's hardware counters, the
 * kernel's tracepoints or breakpoints, or a sampling ring that could
 * carry another's data.  (A guest process's software counts, from umk's
 * own accounting, are open to whoever may ptrace it, as on Linux:
 * tests/guest/perf_inherit.)  Natively (as root) most of these work:
 * that is what "ESCAPED" shows. */
#include "esc.h"
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static long peo(struct perf_event_attr *a, int pid, int cpu) {
  return syscall(SYS_perf_event_open, a, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

static void attr_of(struct perf_event_attr *a, int type, unsigned long long config) {
  memset(a, 0, sizeof *a);
  a->size = sizeof *a;
  a->type = type;
  a->config = config;
  a->exclude_kernel = 1;
}

static void try(const char *what, struct perf_event_attr *a, int pid, int cpu) {
  long fd = peo(a, pid, cpu);
  verdict(fd >= 0, "%s (%s)", what, fd >= 0 ? "opened" : strerror(errno));
  if (fd >= 0)
    close((int)fd);
}

int main(int argc, char **argv) {
  struct perf_event_attr a;
  int hostpid = argc > 1 ? atoi(argv[1]) : 0;

  attr_of(&a, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK);
  try("task-clock of CPU 0 (pid -1)", &a, -1, 0);
  attr_of(&a, PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS);
  try("instructions of CPU 0 (pid -1)", &a, -1, 0);
  pid_t child = fork();
  if (child == 0) {
    pause();
    _exit(0);
  }
  attr_of(&a, PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS);
  try("instructions of another guest process", &a, child, -1);
  kill(child, 9);
  waitpid(child, NULL, 0);
  if (hostpid > 0 && kill(hostpid, 0) != 0) {   /* not a guest's pid */
    attr_of(&a, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK);
    try("task-clock of a host process", &a, hostpid, -1);
    attr_of(&a, PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES);
    try("cycles of a host process", &a, hostpid, -1);
  }
  attr_of(&a, PERF_TYPE_TRACEPOINT, 1);
  try("a kernel tracepoint", &a, 0, -1);
  attr_of(&a, PERF_TYPE_BREAKPOINT, 0);
  a.bp_type = 1;
  a.bp_addr = (unsigned long)&a;
  a.bp_len = 8;
  try("a hardware breakpoint", &a, 0, -1);
  attr_of(&a, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK);
  a.sample_period = 100000;
  a.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_CALLCHAIN;
  try("a sampling event", &a, 0, -1);
  return esc_done();
}
