/* threads_many.c - hundreds of threads of one process alive at once, as
 * JVMs, thread pools and LTP's float_* tests make them (float_bessel:
 * 5 functions x 20 threads).  On the seccomp platform each thread of a
 * stub process has a slot page and an altstack of its own; a process
 * could once have 64 threads, and the 65th pthread_create failed with
 * EAGAIN (now 1024).  Here 300 threads meet at a barrier, each takes a
 * tgkill of its own, a few syscalls and a second barrier; one of the
 * last forks a child (a stub forked from a thread of a high slot); then
 * 1000 threads are alive together, twice, reusing the slots.           */
#include "t.h"
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#define N1 300
#define N2 1000

static pthread_barrier_t b1, b2;
static pid_t tids[N1];
static volatile sig_atomic_t got[N1];
static __thread int my_idx = -1;
static int bad;

static void on_usr1(int sig) {
  (void)sig;
  if (my_idx >= 0)
    got[my_idx]++;
}

static void *worker(void *arg) {
  int i = (int)(intptr_t)arg;
  my_idx = i;
  tids[i] = (pid_t)syscall(SYS_gettid);
  if (getpid() != (pid_t)syscall(SYS_getpid) || tids[i] == getpid())
    __atomic_fetch_add(&bad, 1, __ATOMIC_RELAXED);
  pthread_barrier_wait(&b1);
  /* SIGUSR1 is blocked (the mask main had): wait for our own */
  sigset_t none;
  sigemptyset(&none);
  while (!got[i])
    sigsuspend(&none);
  pthread_barrier_wait(&b2);
  struct timespec ts = { 0, 1000000 };
  nanosleep(&ts, NULL);
  sched_yield();
  if (i == N1 - 7) {
    /* a fork from a thread far past the 64th */
    pid_t c = fork();
    if (c == 0) {
      if (getppid() <= 0)
        _exit(1);
      _exit(7);
    }
    int st = 0;
    if (c < 0 || waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st) != 7)
      __atomic_fetch_add(&bad, 1, __ATOMIC_RELAXED);
  }
  return (void *)(intptr_t)(i * 3 + 1);
}

static pthread_barrier_t b3;

static void *sleeper(void *arg) {
  pthread_barrier_wait(&b3);
  return arg;
}

/* "Threads:" of /proc/self/status */
static int nthreads(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  int n = -1;
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "Threads: %d", &n) == 1)
      break;
  if (f)
    fclose(f);
  return n;
}

static int many(int n) {
  pthread_t *th = calloc(n, sizeof *th);
  pthread_attr_t a;
  pthread_attr_init(&a);
  pthread_attr_setstacksize(&a, 64 << 10);
  pthread_barrier_init(&b3, NULL, n + 1);
  int made = 0, ok = 1;
  for (; made < n; made++)
    if (pthread_create(&th[made], &a, sleeper, (void *)(intptr_t)made)) {
      printf("pthread_create %d: %s\n", made, strerror(errno));
      break;
    }
  if (made == n) {
    ok &= nthreads() >= n + 1;   /* (the last round's may still be exiting) */
    pthread_barrier_wait(&b3);
  }
  for (int i = 0; i < made; i++) {
    void *r;
    ok &= pthread_join(th[i], &r) == 0 && r == (void *)(intptr_t)i;
  }
  free(th);
  pthread_barrier_destroy(&b3);
  return ok && made == n;
}

int main(void) {
  struct sigaction sa = { .sa_handler = on_usr1 };
  sigaction(SIGUSR1, &sa, NULL);
  sigset_t usr1;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  sigprocmask(SIG_BLOCK, &usr1, NULL);

  pthread_barrier_init(&b1, NULL, N1 + 1);
  pthread_barrier_init(&b2, NULL, N1 + 1);
  pthread_attr_t a;
  pthread_attr_init(&a);
  pthread_attr_setstacksize(&a, 64 << 10);
  pthread_t th[N1];
  int made = 0;
  for (; made < N1; made++)
    if (pthread_create(&th[made], &a, worker, (void *)(intptr_t)made)) {
      printf("pthread_create %d: %s\n", made, strerror(errno));
      return 1;
    }
  OK("300 threads made", made == N1);
  pthread_barrier_wait(&b1);
  OK("all alive together", nthreads() == N1 + 1);
  int sent = 0;
  for (int i = 0; i < N1; i++)
    sent += syscall(SYS_tgkill, getpid(), tids[i], SIGUSR1) == 0;
  OK("a tgkill to each", sent == N1);
  pthread_barrier_wait(&b2);
  int joined = 0;
  for (int i = 0; i < N1; i++) {
    void *r;
    joined += pthread_join(th[i], &r) == 0 && r == (void *)(intptr_t)(i * 3 + 1);
  }
  OK("all joined with their results", joined == N1);
  int once = 1;
  for (int i = 0; i < N1; i++)
    once &= got[i] == 1;
  OK("each took its own signal once", once);
  OK("tids and fork", bad == 0);
  OK("1000 threads alive together", many(N2));
  OK("and again", many(N2));
  return t_done();
}
