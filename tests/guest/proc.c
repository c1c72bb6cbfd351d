/* proc.c - processes: fork, wait4/waitpid and status decoding, WNOHANG,
 * exit codes, getppid, process groups and sessions, execve of itself with
 * arguments and environment, vfork+exec, kill with SIGTERM/SIGKILL and
 * stop/continue, and processes that share the address space (vfork's
 * writes, clone(CLONE_VM) with both running, posix_spawn's exec error,
 * a CLONE_VM child that execs or outlives its parent).  argv[0] must be
 * a path the program can exec again (the runners pass an absolute one). */
#include "t.h"
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

/* wait for pid and print how it ended */
static int reap(const char *what, pid_t pid) {
  int st = 0;
  struct rusage ru;
  pid_t r = wait4(pid, &st, 0, &ru);
  if (r != pid) { printf("FAIL %s: wait4 %s\n", what, en(errno)); t_failed++; return -1; }
  if (WIFEXITED(st)) printf("%s: exited %d\n", what, WEXITSTATUS(st));
  else if (WIFSIGNALED(st)) printf("%s: killed by signal %d\n", what, WTERMSIG(st)); /* WCOREDUMP depends on host limits */
  else printf("%s: status %#x\n", what, st);
  return st;
}

static volatile int shared_word;
static char vm_stack[4][65536];
static int vm_write(void *a) { (void)a; shared_word = 42; return 7; }
static int vm_handshake(void *a) {
  (void)a;
  while (shared_word != 1) ;
  shared_word = 2;
  while (shared_word != 3) ;
  return 0;
}
static int vm_exec(void *a) {
  char **av = a;
  shared_word = 10;
  execve(av[0], av, av + 2);
  return 127;
}
static int vm_outlive(void *a) {
  (void)a;
  while (shared_word != 20) ;    /* its parent has gone: still its memory */
  return shared_word;
}

/* the program re-executed: "exec-child PID A B" */
static int exec_child(int argc, char **argv) {
  printf("exec child argc %d:", argc);
  for (int i = 3; i < argc; i++) printf(" [%s]", argv[i]);
  printf("\nexec child env UMK_T=%s UMK_EMPTY=[%s] HOME set: %s\n", getenv("UMK_T"), getenv("UMK_EMPTY"),
         getenv("HOME") ? "yes" : "no");
  printf("pid kept across exec: %s\n", atoi(argv[2]) == getpid() ? "yes" : "no");
  printf("fd 0..2 still open: %s\n", fcntl(0, F_GETFD) >= 0 && fcntl(1, F_GETFD) >= 0 && fcntl(2, F_GETFD) >= 0 ? "yes" : "no");
  return 42;
}

int main(int argc, char **argv) {
  if (argc > 2 && !strcmp(argv[1], "exec-child")) return exec_child(argc, argv);
  if (argc > 1 && !strcmp(argv[1], "vfork-child")) return 5;
  const char *self = argv[0];
  pid_t me = getpid(), c;
  int p[2];

  /* fork: child sees parent as ppid, gets its own pid */
  c = fork();
  if (c == 0) _exit(getppid() == me && getpid() != me ? 7 : 1);
  printf("child pid differs from parent: %s\n", c > 0 && c != me ? "yes" : "no");
  reap("fork child (7 = ppid ok)", c);

  /* exit codes are taken modulo 256 */
  if ((c = fork()) == 0) exit(300);
  reap("exit(300)", c);
  if ((c = fork()) == 0) _exit(255);
  reap("_exit(255)", c);
  if ((c = fork()) == 0) { raise(SIGABRT); _exit(0); }
  reap("raise(SIGABRT)", c);

  /* WNOHANG on a running child, then a real wait */
  OK("pipe", pipe(p) == 0);
  if ((c = fork()) == 0) { char ch; close(p[1]); _exit(read(p[0], &ch, 1) == 1 ? ch : 99); }
  close(p[0]);
  int st;
  OK("waitpid WNOHANG on running child returns 0", waitpid(c, &st, WNOHANG) == 0);
  OK("release child", write(p[1], "\x09", 1) == 1);
  close(p[1]);
  reap("child that read a byte", c);
  ERR("waitpid with no children", waitpid(-1, &st, WNOHANG), ECHILD);
  ERR("wait4 on a non-child", wait4(me, &st, 0, NULL), ECHILD);

  /* several children, waited for with -1 */
  for (int i = 0; i < 3; i++)
    if (fork() == 0) _exit(10 + i);
  int sum = 0;
  for (int i = 0; i < 3; i++)
    if (wait(&st) > 0 && WIFEXITED(st)) sum += WEXITSTATUS(st);
  printf("sum of 3 exit codes: %d\n", sum);

  /* process groups and sessions */
  if ((c = fork()) == 0) {
    int ok = setpgid(0, 0) == 0 && getpgid(0) == getpid() && getpgrp() == getpid();
    ok = ok && setsid() == -1 && errno == EPERM;   /* a group leader cannot */
    _exit(ok ? 0 : 1);
  }
  reap("setpgid(0,0) + setsid EPERM", c);
  if ((c = fork()) == 0) {
    pid_t s = setsid();
    int ok = s == getpid() && getsid(0) == s && getpgid(0) == s && getsid(getppid()) != s;
    _exit(ok ? 0 : 1);
  }
  reap("setsid", c);
  OK("pipe", pipe(p) == 0);
  if ((c = fork()) == 0) { char ch; close(p[1]); read(p[0], &ch, 1); _exit(0); }
  close(p[0]);
  OK("setpgid(child, child) from parent", setpgid(c, c) == 0 && getpgid(c) == c);
  OK("child's group differs from ours", getpgid(c) != getpgid(0));
  ERR("setpgid of a non-child", setpgid(1 == me ? 2 : 1, 0), ESRCH);
  ERR("getpgid of a missing pid", getpgid(0x3ffffff), ESRCH);
  write(p[1], "x", 1);
  close(p[1]);
  reap("pgrp child", c);

  /* execve of itself with arguments and environment */
  if ((c = fork()) == 0) {
    char pid[16];
    snprintf(pid, sizeof pid, "%d", getpid());
    char *av[] = {(char *)self, "exec-child", pid, "a b", "", "c", NULL};
    char *ev[] = {"UMK_T=hello", "UMK_EMPTY=", NULL};
    execve(self, av, ev);
    printf("FAIL execve: %s\n", en(errno));
    _exit(1);
  }
  reap("execve child", c);
  if ((c = fork()) == 0) {
    char *av[] = {"x", NULL};
    execve("/nonexistent/prog", av, av + 1);
    _exit(errno == ENOENT ? 3 : 4);
  }
  reap("execve missing file (3 = ENOENT)", c);

  /* vfork + exec: parent is suspended until the child execs */
  c = vfork();
  if (c == 0) {
    char *av[] = {(char *)self, "vfork-child", NULL};
    execve(self, av, av + 2);
    _exit(127);
  }
  reap("vfork+exec child", c);

  /* the address space shared: vfork, clone(CLONE_VM), posix_spawn */
  shared_word = 0;
  c = vfork();
  if (c == 0) { shared_word = 5; _exit(0); }
  printf("vfork child's write seen by the parent: %d\n", shared_word);
  reap("vfork child", c);
  c = clone(vm_write, vm_stack[0] + sizeof vm_stack[0], CLONE_VM | SIGCHLD, NULL);
  reap("CLONE_VM child", c);
  printf("CLONE_VM child's write seen: %d\n", shared_word);
  shared_word = 0;
  c = clone(vm_handshake, vm_stack[1] + sizeof vm_stack[1], CLONE_VM | SIGCHLD, NULL);
  shared_word = 1;
  for (long i = 0; i < 2000000000L && shared_word != 2; i++) ;
  printf("CLONE_VM handshake while both run: %d\n", shared_word);
  shared_word = 3;
  reap("CLONE_VM handshake child", c);
  pid_t sp;
  char *nav[] = {"/nonexistent/prog", NULL};
  int r = posix_spawn(&sp, "/nonexistent/prog", NULL, NULL, nav, nav + 1);
  printf("posix_spawn of a missing program: %s\n", r ? en(r) : "succeeded");
  char *sav[] = {(char *)self, "vfork-child", NULL};
  r = posix_spawn(&sp, self, NULL, NULL, sav, sav + 2);
  OK("posix_spawn", r == 0);
  if (!r) reap("posix_spawn child", sp);
  shared_word = 0;
  c = clone(vm_exec, vm_stack[2] + sizeof vm_stack[2], CLONE_VM | CLONE_VFORK | SIGCHLD, sav);
  printf("CLONE_VM|CLONE_VFORK child's write before its exec: %d\n", shared_word);
  shared_word = 11;   /* our memory is ours still after its exec */
  reap("CLONE_VM child that exec'd", c);
  OK("memory intact after the child's exec", shared_word == 11);
  if ((c = fork()) == 0) {
    /* a CLONE_VM child outlives its parent (this forked process) */
    shared_word = 0;
    pid_t g = clone(vm_outlive, vm_stack[3] + sizeof vm_stack[3], CLONE_VM | SIGCHLD, NULL);
    shared_word = 20;
    _exit(g > 0 ? 0 : 1);
  }
  reap("parent of a CLONE_VM child", c);

  /* kill a child with SIGTERM, SIGKILL; stop and continue one */
  for (int sig = SIGTERM; sig; sig = sig == SIGTERM ? SIGKILL : 0) {
    if ((c = fork()) == 0) { for (;;) pause(); }
    OK("kill child", kill(c, sig) == 0);
    reap(sig == SIGTERM ? "SIGTERM child" : "SIGKILL child", c);
  }
  if ((c = fork()) == 0) { for (;;) pause(); }
  OK("SIGSTOP", kill(c, SIGSTOP) == 0 && waitpid(c, &st, WUNTRACED) == c && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);
  OK("SIGCONT", kill(c, SIGCONT) == 0 && waitpid(c, &st, WCONTINUED) == c && WIFCONTINUED(st));
  OK("kill 0 probes", kill(c, 0) == 0);
  kill(c, SIGKILL);
  reap("stopped+continued child", c);
  ERR("kill of a reaped child", kill(c, 0), ESRCH);
  ERR("kill with bad signal", kill(me, 65), EINVAL);
  return t_done();
}
