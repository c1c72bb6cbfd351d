/* lifecycle.c N MARK - process lifecycles for the leak check: N times,
 * fork a child that makes a pipe and a socketpair, passes a byte through
 * each and execs /bin/true with them open (they are not close-on-exec:
 * they end with its exit); the parent waits and checks the status.  After MARK lifecycles and
 * after N, it prints "mark I" and waits for a line on stdin, so that the
 * runner can measure umk (RSS, open fds) at both points.  Prints
 * "lifecycles N ok" at the end; exit status 0 if every one went right. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int one(void) {
  pid_t c = fork();
  if (c < 0) return 0;
  if (c == 0) {
    int p[2], s[2];
    char b = 0;
    if (pipe(p) || socketpair(AF_UNIX, SOCK_STREAM, 0, s)) _exit(1);
    if (write(p[1], "x", 1) != 1 || read(p[0], &b, 1) != 1 || b != 'x') _exit(2);
    if (write(s[0], "y", 1) != 1 || read(s[1], &b, 1) != 1 || b != 'y') _exit(3);
    execl("/bin/true", "true", (char *)NULL);   /* the pipe and sockets go with exec's image */
    _exit(4);
  }
  int st;
  return waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void mark(int i) {
  char line[16];
  printf("mark %d\n", i);
  fflush(stdout);
  if (!fgets(line, sizeof line, stdin)) exit(3);
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 10000, m = argc > 2 ? atoi(argv[2]) : 100, bad = 0;
  for (int i = 1; i <= n; i++) {
    if (!one()) bad++;
    if (i == m || i == n) mark(i);
  }
  printf("lifecycles %d %s\n", n, bad ? "FAILED" : "ok");
  return bad != 0;
}
