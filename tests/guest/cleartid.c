/* cleartid.c - CLONE_CHILD_CLEARTID at exit, as Linux's mm_release does
 * it: the tid word is zeroed and its futex woken only while another task
 * still uses the exiting task's mm (a thread, a CLONE_VM child); the last
 * user of an mm leaves it alone, even in MAP_SHARED memory another
 * process sees.  Also a plain fork loop whose children exit at once (as
 * LTP's fork13 does, a million times), checking the pid and status of
 * each.                                                                */
#include "t.h"
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static int vm_child(void *a) {
  (void)a;
  syscall(SYS_exit, 0);
  return 0;
}

int main(void) {
  int *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  OK("mmap shared", w != MAP_FAILED);
  *w = 77;
  pid_t p = syscall(SYS_clone, CLONE_CHILD_CLEARTID | SIGCHLD, 0, 0, w, 0);
  if (p == 0)
    _exit(0);
  int st;
  OK("fork with CLONE_CHILD_CLEARTID", p > 0 && waitpid(p, &st, 0) == p && WIFEXITED(st));
  OK("a process's own mm: its tid word left alone", *w == 77);

  static int tw = 55;
  char *stk = malloc(65536);
  p = clone(vm_child, stk + 65536, CLONE_VM | CLONE_CHILD_CLEARTID | SIGCHLD, NULL, NULL, NULL, &tw);
  OK("clone(CLONE_VM | CLONE_CHILD_CLEARTID)", p > 0);
  while (__atomic_load_n(&tw, __ATOMIC_ACQUIRE) == 55)
    syscall(SYS_futex, &tw, FUTEX_WAIT, 55, NULL, NULL, 0);
  OK("a shared mm: tid word cleared and woken", tw == 0);
  OK("CLONE_VM child reaped", waitpid(p, &st, 0) == p && WIFEXITED(st));

  int bad = 0;
  for (int i = 0; i < 300; i++) {
    p = fork();
    if (p == 0)
      _exit(i % 256);
    if (p < 0 || waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st) != i % 256)
      bad++;
  }
  OK("300 forks: each child's pid and exit status", bad == 0);
  return t_failed != 0;
}
