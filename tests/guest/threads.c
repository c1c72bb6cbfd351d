/* threads.c - POSIX threads on guest CLONE_THREAD: creation and join,
 * mutexes and condition variables (futexes), thread-local storage, a
 * signal to one thread (pthread_kill), a thread's exit while others go
 * on, /proc/self/task, exit_group from a thread, and execve from a
 * threaded process.                                                   */
#include "t.h"
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <semaphore.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

static __thread int tls_value;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int counter, ready;
static volatile sig_atomic_t got_sig;
static volatile pid_t handler_tid;

static void *adder(void *arg) {
  tls_value = (int)(long)arg;
  for (int i = 0; i < 10000; i++) {
    pthread_mutex_lock(&mu);
    counter++;
    pthread_mutex_unlock(&mu);
  }
  return (void *)(long)(tls_value * 2);
}

static void *waiter(void *arg) {
  (void)arg;
  pthread_mutex_lock(&mu);
  while (!ready) pthread_cond_wait(&cv, &mu);
  pthread_mutex_unlock(&mu);
  return (void *)7;
}

static void on_usr1(int sig) { got_sig = sig; handler_tid = syscall(SYS_gettid); }

static void *sleeper(void *arg) {
  pid_t *me = arg;
  *me = syscall(SYS_gettid);
  while (!got_sig) usleep(1000);
  return NULL;
}

static int count_tasks(void) {
  DIR *d = opendir("/proc/self/task");
  if (!d) return -1;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d))) if (e->d_name[0] != '.') n++;
  closedir(d);
  return n;
}

/* A joined thread's tid is cleared (and join returns) before the kernel
 * has unhashed it from /proc/self/task, natively too: wait for the count
 * to reach want, up to a second. */
static int count_tasks_settled(int want) {
  int n = count_tasks();
  for (int i = 0; i < 1000 && n != want; i++) { usleep(1000); n = count_tasks(); }
  return n;
}

static pthread_mutex_t pim;
static long pi_counter;
static void *pi_worker(void *arg) {
  (void)arg;
  for (int i = 0; i < 2000; i++) {
    pthread_mutex_lock(&pim);
    pi_counter++;
    if (i % 500 == 0) usleep(100); /* contention: waiters sleep in the kernel */
    pthread_mutex_unlock(&pim);
  }
  return NULL;
}

static uint32_t wo1, wo2 = 5;
static void *wo_waiter(void *arg) {
  (void)arg;
  syscall(SYS_futex, &wo1, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
  return (void *)1;
}

static void *blocker(void *arg) { (void)arg; pause(); return NULL; }
static void *exiter(void *arg) { (void)arg; usleep(20000); exit(42); }

static void *leader_gone_worker(void *arg) {
  int fd = *(int *)arg;
  usleep(100000); /* the leader is gone by now */
  char msg[32];
  snprintf(msg, sizeof msg, "worker %s", "done");
  if (write(fd, msg, strlen(msg)) < 0)
    _exit(1);
  syscall(SYS_exit_group, 5);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "exec-child")) {
    printf("exec'd from a threaded process, pid same: %s\n", atoi(argv[2]) == getpid() ? "yes" : "no");
    return 0;
  }
  pthread_t th[4];
  for (long i = 0; i < 4; i++) OK("pthread_create", pthread_create(&th[i], NULL, adder, (void *)(i + 1)) == 0);
  long sum = 0;
  for (int i = 0; i < 4; i++) { void *r; pthread_join(th[i], &r); sum += (long)r; }
  OK("mutex counter 40000", counter == 40000);
  OK("return values and TLS", sum == 20);
  OK("main TLS untouched", tls_value == 0);

  pthread_t w;
  pthread_create(&w, NULL, waiter, NULL);
  usleep(10000);
  pthread_mutex_lock(&mu); ready = 1; pthread_cond_broadcast(&cv); pthread_mutex_unlock(&mu);
  void *wr;
  pthread_join(w, &wr);
  OK("condvar wakes waiter", (long)wr == 7);

  signal(SIGUSR1, on_usr1);
  pid_t stid = 0;
  pthread_t s;
  pthread_create(&s, NULL, sleeper, &stid);
  while (!stid) usleep(1000);
  OK("threads have distinct tids", stid != getpid());
  OK("gettid of main is pid", syscall(SYS_gettid) == getpid());
  pthread_t b;
  pthread_create(&b, NULL, blocker, NULL);
  usleep(10000);
  OK("/proc/self/task counts threads", count_tasks() == 3);
  pthread_kill(s, SIGUSR1);
  pthread_join(s, NULL);
  OK("pthread_kill runs handler in that thread", got_sig == SIGUSR1 && handler_tid == stid);
  OK("a thread's exit leaves the others", count_tasks_settled(2) == 2);

  pid_t c = fork();
  if (c == 0) {
    pthread_t e;
    pthread_create(&e, NULL, exiter, NULL);
    pause();
    _exit(1);
  }
  int st;
  waitpid(c, &st, 0);
  OK("exit() in a thread ends the process", WIFEXITED(st) && WEXITSTATUS(st) == 42);

  c = fork();
  if (c == 0) {
    pthread_t e;
    pthread_create(&e, NULL, blocker, NULL);
    usleep(10000);
    char pid[16];
    snprintf(pid, sizeof pid, "%d", getpid());
    execl(argv[0], argv[0], "exec-child", pid, (char *)0);
    _exit(99);
  }
  waitpid(c, &st, 0);
  OK("execve from a threaded process", WIFEXITED(st) && WEXITSTATUS(st) == 0);

  c = fork();
  if (c == 0) {
    pthread_t e;
    pthread_create(&e, NULL, blocker, NULL);
    usleep(10000);
    raise(SIGTERM);
    _exit(1);
  }
  waitpid(c, &st, 0);
  OK("fatal signal kills all threads", WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);

  /* a shared futex in MAP_SHARED anonymous memory wakes across processes */
  int *word = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  *word = 0;
  c = fork();
  if (c == 0) {
    struct timespec to = { 5, 0 };
    long r = syscall(SYS_futex, word, FUTEX_WAIT, 0, &to, NULL, 0);
    _exit(r == 0 || (r == -1 && errno == EAGAIN) ? 0 : 1);
  }
  usleep(20000);
  *word = 1;
  syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0);
  waitpid(c, &st, 0);
  OK("shared futex wakes another process", WIFEXITED(st) && WEXITSTATUS(st) == 0);

  /* a named semaphore: two processes map /dev/shm/sem.NAME separately */
  sem_unlink("/umk-threads-test");
  sem_t *sem = sem_open("/umk-threads-test", O_CREAT | O_EXCL, 0600, 0);
  OK("sem_open", sem != SEM_FAILED);
  c = fork();
  if (c == 0) {
    sem_t *s2 = sem_open("/umk-threads-test", 0);
    struct timespec to;
    clock_gettime(CLOCK_REALTIME, &to);
    to.tv_sec += 5;
    _exit(s2 != SEM_FAILED && sem_timedwait(s2, &to) == 0 ? 0 : 1);
  }
  usleep(20000);
  sem_post(sem);
  waitpid(c, &st, 0);
  OK("named semaphore posts across processes", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  sem_unlink("/umk-threads-test");

  /* FUTEX_WAKE_OP: wake on one word, atomically change another, wake
   * there if its old value passes the comparison */
  pthread_t wt;
  pthread_create(&wt, NULL, wo_waiter, NULL);
  usleep(20000);
  long wr1 = syscall(SYS_futex, &wo1, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1, &wo2,
                     FUTEX_OP(FUTEX_OP_ADD, 3, FUTEX_OP_CMP_GT, 4));
  pthread_join(wt, NULL);
  OK("FUTEX_WAKE_OP wakes and adds", wr1 == 1 && wo2 == 8);
  long wr2 = syscall(SYS_futex, &wo1, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1, &wo2,
                     FUTEX_OP((FUTEX_OP_SET | FUTEX_OP_OPARG_SHIFT), 4, FUTEX_OP_CMP_EQ, 8));
  OK("FUTEX_WAKE_OP shifted set, comparison on the old value", wr2 == 0 && wo2 == 16);

  /* priority-inheritance mutexes: FUTEX_LOCK_PI / UNLOCK_PI / TRYLOCK_PI */
  pthread_mutexattr_t pa;
  pthread_mutexattr_init(&pa);
  OK("PI mutex init", pthread_mutexattr_setprotocol(&pa, PTHREAD_PRIO_INHERIT) == 0 &&
     pthread_mutex_init(&pim, &pa) == 0);
  pthread_t pt[4];
  for (int i = 0; i < 4; i++) pthread_create(&pt[i], NULL, pi_worker, NULL);
  for (int i = 0; i < 4; i++) pthread_join(pt[i], NULL);
  OK("PI mutex counts 8000 under contention", pi_counter == 8000);
  pthread_mutex_lock(&pim);
  OK("PI trylock of a held mutex: EBUSY", pthread_mutex_trylock(&pim) == EBUSY);
  pthread_mutex_unlock(&pim);

  /* a robust mutex whose owner died holding it: the next locker gets
   * EOWNERDEAD (the kernel walked the dead thread's robust list) */
  pthread_mutex_t *rm = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  pthread_mutexattr_t ra;
  pthread_mutexattr_init(&ra);
  pthread_mutexattr_setrobust(&ra, PTHREAD_MUTEX_ROBUST);
  pthread_mutexattr_setpshared(&ra, PTHREAD_PROCESS_SHARED);
  pthread_mutex_init(rm, &ra);
  c = fork();
  if (c == 0) {
    pthread_mutex_lock(rm);
    _exit(0);
  }
  waitpid(c, &st, 0);
  int lr = pthread_mutex_lock(rm);
  OK("robust mutex: EOWNERDEAD after the owner died", lr == EOWNERDEAD);
  OK("robust mutex: made consistent and unlocked",
     pthread_mutex_consistent(rm) == 0 && pthread_mutex_unlock(rm) == 0);

  /* The leader exits alone (exit, not exit_group) while a thread works
   * on: the thread keeps its memory, and the parent's wait returns only
   * after the thread is gone too, with the thread's exit code. */
  int lp[2];
  if (pipe(lp))
    return 1;
  c = fork();
  if (c == 0) {
    pthread_t lt;
    close(lp[0]);
    pthread_create(&lt, NULL, leader_gone_worker, &lp[1]);
    syscall(SYS_exit, 0);
  }
  close(lp[1]);
  char lbuf[64] = "";
  ssize_t ln = read(lp[0], lbuf, sizeof lbuf - 1);
  close(lp[0]);
  int reaped = waitpid(c, &st, 0) == c;
  OK("after the leader's exit a thread still reads and writes its memory",
     ln > 0 && !strcmp(lbuf, "worker done"));
  OK("the process is reaped after its last thread, with that thread's code",
     reaped && WIFEXITED(st) && WEXITSTATUS(st) == 5);
  return t_done();
}
