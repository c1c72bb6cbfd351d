/* forkslot.c - a guest that forges the result of its own fork request.
 * On the seccomp platform the stub returns the pid of a forked host
 * process through the thread's slot, a page the guest can write.  A
 * second thread writes a host pid (the runner's sentinel) over that
 * result again and again while the first thread forks: umk must never
 * take the forged pid for its new stub (and so signal, read or write
 * that process).  On a platform without the slot the writes fault and
 * the thread stops.  Each fork must still give a child that runs or
 * dies; the sentinel's survival is checked by the runner.
 * Usage: forkslot SENTINEL-PID; run it in a pid namespace. */
#include "esc.h"
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>

#define SC_SLOT0 0x7ffffeb00000UL    /* tracer/stub_layout.h SC_SHARED_BASE */
#define SC_RESULT_OFF 96             /* offsetof(struct sc_slot, result) */

static volatile long sentinel;
static volatile int stop, writes;
static sigjmp_buf fault_jmp;

static void on_segv(int sig) {
  (void)sig;
  siglongjmp(fault_jmp, 1);
}

static void *scribbler(void *arg) {
  (void)arg;
  signal(SIGSEGV, on_segv);
  if (sigsetjmp(fault_jmp, 1))
    return NULL; /* no writable slot here */
  volatile int64_t *result = (volatile int64_t *)(SC_SLOT0 + SC_RESULT_OFF);
  while (!stop) {
    *result = sentinel;
    writes++;
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: forkslot SENTINEL-PID\n");
    return 2;
  }
  sentinel = atol(argv[1]);
  pthread_t th;
  pthread_create(&th, NULL, scribbler, NULL);
  int ran = 0, killed = 0;
  for (int i = 0; i < 300; i++) {
    pid_t p = fork();
    if (p == 0)
      _exit(7);
    if (p < 0)
      continue;
    int st;
    if (waitpid(p, &st, 0) != p)
      continue;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 7)
      ran++;
    else if (WIFSIGNALED(st))
      killed++;
  }
  stop = 1;
  pthread_join(th, NULL);
  printf("forks: %d ran, %d killed; %d slot writes\n", ran, killed, writes);
  verdict(ran + killed != 300, "every fork gave a child that ran or was killed");
  return esc_done();
}
