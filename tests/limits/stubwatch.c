/* stubwatch.c KPID N LIMIT_MS - a host helper of run-limits-tests.sh (run
 * inside its own pid namespace with its own /proc): waits until N live
 * umk stubs exist, SIGKILLs umk (KPID), then polls /proc every
 * millisecond until no live stub is left.  Prints "stubs B, left L after
 * T ms"; exit status 0 if none was left within LIMIT_MS.  */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int live_stubs(void) {
  DIR *d = opendir("/proc");
  struct dirent *e;
  int n = 0;
  while (d && (e = readdir(d))) {
    char p[300], buf[512];
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    snprintf(p, sizeof p, "/proc/%s/stat", e->d_name);
    FILE *f = fopen(p, "r");
    if (!f) continue;
    size_t k = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[k] = 0;
    char *l = strchr(buf, '('), *r = strrchr(buf, ')');
    if (l && r && r > l && !strncmp(l + 1, "memfd:umk-stub", r - l - 1) && r[2] != 'Z' && r[2] != 'X') n++;
  }
  if (d) closedir(d);
  return n;
}

static double ms_since(const struct timespec *a) {
  struct timespec b;
  clock_gettime(CLOCK_MONOTONIC, &b);
  return (b.tv_sec - a->tv_sec) * 1e3 + (b.tv_nsec - a->tv_nsec) / 1e6;
}

int main(int argc, char **argv) {
  if (argc < 4) return 2;
  pid_t k = atoi(argv[1]);
  int want = atoi(argv[2]), before = 0, left;
  double limit = atof(argv[3]), t;
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  while ((before = live_stubs()) < want && ms_since(&t0) < 60000) usleep(20000);
  clock_gettime(CLOCK_MONOTONIC, &t0);
  kill(k, SIGKILL);
  while ((left = live_stubs()) > 0 && (t = ms_since(&t0)) < 5000) usleep(1000);
  t = ms_since(&t0);
  printf("stubs %d, left %d after %.0f ms\n", before, left, t);
  return before >= want && left == 0 && t <= limit ? 0 : 1;
}
