/* thread_churn.c - threads made and joined as fast as a program can
 * (LTP's keyctl02 makes 80000) for three seconds.  On the seccomp
 * platform a stub thread then waits in its futex while the stub's
 * once-a-second SIGALRM, a process-wide signal, is retargeted from a
 * thread that exits: the host restarts the futex with restart_syscall,
 * which the stub's filter must let through (it used to kill the guest
 * with SIGSYS, about one run in four).                                 */
#include "t.h"
#include <pthread.h>
#include <sys/syscall.h>
#include <time.h>

static void *worker(void *arg) {
  (void)arg;
  syscall(SYS_getppid);
  return NULL;
}

int main(void) {
  struct timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  long rounds = 0;
  int ok = 1;
  do {
    pthread_t th[4];
    for (int i = 0; i < 4; i++) ok &= pthread_create(&th[i], NULL, worker, NULL) == 0;
    for (int i = 0; i < 4; i++) ok &= pthread_join(th[i], NULL) == 0;
    rounds++;
    clock_gettime(CLOCK_MONOTONIC, &t);
  } while ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) < 3000000000L);
  OK("threads made and joined", ok && rounds > 10);
  return t_done();
}
