/* killall.c [HOSTPID]... - guest pids are virtual: signals, ptrace and
 * process_vm_readv aimed at host processes must fail.  Probes pids 2..400
 * and each HOSTPID given (the runner's sentinel `sleep` and umk's parent)
 * with kill(pid, 0), ptrace(PTRACE_ATTACH) and process_vm_readv, then
 * sends SIGKILL to each HOSTPID and kill(-1, SIGKILL) to everything; the
 * runner checks afterwards that its sentinel survived.  Refuses to run
 * unless it is pid 1 (the guest's first process, or init of a pid
 * namespace), since natively as root kill(-1) would end the machine.  */
#include "esc.h"
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>

static char local[64] = "guest";

static void probe(pid_t pid, int report_held) {
  int k = kill(pid, 0), ke = errno;
  long pt = ptrace(PTRACE_ATTACH, pid, 0, 0);
  int pe = errno;
  if (pt == 0) { waitpid(pid, NULL, __WALL); ptrace(PTRACE_DETACH, pid, 0, 0); }
  char buf[64];
  struct iovec l = {buf, sizeof buf}, r = {local, sizeof local};
  long vr = process_vm_readv(pid, &l, 1, &r, 1, 0);
  int ve = errno;
  int esc = k == 0 || pt == 0 || vr >= 0 || ve == EFAULT;
  if (esc || report_held)
    verdict(esc, "pid %d: kill(0) %s, PTRACE_ATTACH %s, process_vm_readv %s", (int)pid,
            k ? strerrorname_np(ke) : "ok", pt ? strerrorname_np(pe) : "ok", vr < 0 ? strerrorname_np(ve) : "ok");
}

int main(int argc, char **argv) {
  if (getpid() != 1) {
    printf("refusing to run: not pid 1 (run inside umk, or as init of a pid namespace)\n");
    return 2;
  }
  printf("getppid of pid 1: %d\n", (int)getppid());
  int found = 0;
  for (pid_t pid = 2; pid <= 400; pid++) {
    int before = escapes;
    probe(pid, 0);
    found += escapes > before;
  }
  if (!found) verdict(0, "pids 2..400: none visible");
  for (int i = 1; i < argc; i++) probe(atoi(argv[i]), 1);
  for (int i = 1; i < argc; i++) {
    int r = kill(atoi(argv[i]), SIGKILL);
    verdict(r == 0, "kill(%s, SIGKILL) (%s)", argv[i], r ? strerrorname_np(errno) : "sent");
  }
  /* kill(-1) must reach our own child, and nothing outside the guest */
  pid_t c = fork();
  if (c == 0) { for (;;) pause(); }
  errno = 0;
  int r = kill(-1, SIGKILL);
  printf("  kill(-1, SIGKILL): %s\n", r ? strerrorname_np(errno) : "sent");
  int st;
  waitpid(c, &st, 0);
  printf("  own child killed by it: %s\n", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL ? "yes" : "no");
  return esc_done();
}
