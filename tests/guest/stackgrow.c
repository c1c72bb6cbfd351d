/* stackgrow.c - stacks that grow: a MAP_GROWSDOWN mapping extended by an
 * access below it (a thread stack, as LTP's mmap18 makes it), refused
 * with SIGSEGV within the guard gap of a mapping below it or past
 * RLIMIT_STACK, and the main stack growing past its first 8 MiB once
 * RLIMIT_STACK allows it (umk maps the first 8 MiB at execve, so a limit
 * lowered below that is not checked there).  Each case runs in a child; the parent prints
 * how it ended. */
#include "t.h"
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

static long pg;

/* Touches one byte every 256 bytes from the top of the stack down to
 * limit, recursing so that the stack itself grows. */
static __attribute__((noinline)) uintptr_t deep(uintptr_t limit) {
  volatile char pad[256];
  pad[0] = 1;
  if ((uintptr_t)pad < limit)
    return (uintptr_t)pad + pad[0];
  return deep(limit) + pad[0];
}

static void *thread_fn(void *limit) { return (void *)deep((uintptr_t)limit); }

/* A thread stack of size bytes whose top mapped bytes are a
 * MAP_GROWSDOWN mapping; with block, a page is mapped at its bottom. */
static void grow_thread(size_t size, size_t mapped, int block) {
  size_t reserved = 256 * pg + size;
  char *start = mmap(NULL, reserved, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(start, reserved);
  if (mmap(start + reserved - mapped, mapped, PROT_READ | PROT_WRITE,
           MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0) == MAP_FAILED)
    _exit(3);
  char *bottom = start + reserved - size;
  if (block && mmap(bottom, pg, PROT_READ | PROT_WRITE, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED)
    _exit(4);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstack(&attr, bottom, size);
  pthread_t th;
  if (pthread_create(&th, &attr, thread_fn, bottom + pg))
    _exit(5);
  pthread_join(th, NULL);
  _exit(0);
}

static void report(const char *what, pid_t pid) {
  int st;
  waitpid(pid, &st, 0);
  if (WIFEXITED(st))
    printf("%s: exit %d\n", what, WEXITSTATUS(st));
  else
    printf("%s: killed by signal %d\n", what, WTERMSIG(st));
}

int main(void) {
  pg = sysconf(_SC_PAGESIZE);
  size_t small = 16384, size = 8 * small;
  pid_t c;
  if ((c = fork()) == 0)
    grow_thread(size, small, 0);
  report("growsdown stack grows (1/8 mapped)", c);
  if ((c = fork()) == 0)
    grow_thread(size, size / 2, 0);
  report("growsdown stack grows (1/2 mapped)", c);
  if ((c = fork()) == 0)
    grow_thread(size, small, 1);
  report("growsdown stack meets a mapping's guard gap", c);
  if ((c = fork()) == 0) {
    struct rlimit rl = { 64 * 1024, 64 * 1024 };
    setrlimit(RLIMIT_STACK, &rl);
    grow_thread(size, small, 0);
  }
  report("growsdown stack past RLIMIT_STACK", c);
  if ((c = fork()) == 0) {
    struct rlimit rl = { 32 << 20, 32 << 20 };
    setrlimit(RLIMIT_STACK, &rl);
    char here;
    deep((uintptr_t)&here - (12 << 20));
    _exit(0);
  }
  report("main stack grows to 12 MiB under a 32 MiB limit", c);
  return t_done();
}
