/* bigdir.c - a directory of many names (umk hashes a tmpfs directory's
 * names past a few dozen): creation, lookups of present and missing
 * names, renames within and out of it, links, removals, O_EXCL, and
 * readdir's view (names sorted: the order is the filesystem's own). */
#include "t.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#define N 1200

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void listing(const char *what)
{
  DIR *d = opendir("big");
  char *names[2 * N];
  int n = 0;
  struct dirent *e;
  unsigned long sum = 0;
  while (d && (e = readdir(d)) && n < 2 * N)
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
      names[n++] = strdup(e->d_name);
  if (d)
    closedir(d);
  qsort(names, n, sizeof names[0], cmp);
  for (int i = 0; i < n; i++) {
    for (char *c = names[i]; *c; c++)
      sum = sum * 31 + (unsigned char)*c;
    free(names[i]);
  }
  printf("%s: %d names, sum %lu\n", what, n, sum);
}

int main(void)
{
  char p[64], q[64];
  struct stat st;
  OK("mkdir big", mkdir("big", 0755) == 0);
  int made = 0;
  for (int i = 0; i < N; i++) {
    snprintf(p, sizeof p, "big/f%04d", i);
    int fd = open(p, O_CREAT | O_EXCL | O_WRONLY, 0644);
    if (fd >= 0 && write(fd, p, strlen(p)) > 0)
      made++;
    if (fd >= 0)
      close(fd);
  }
  OK("1200 files made", made == N);
  int found = 0;
  for (int i = N - 1; i >= 0; i--) {
    snprintf(p, sizeof p, "big/f%04d", i);
    found += stat(p, &st) == 0 && st.st_size == (off_t)strlen(p);
  }
  OK("each found by name", found == N);
  ERR("a missing name", stat("big/f1200", &st), ENOENT);
  ERR("a name's prefix", stat("big/f120", &st), ENOENT);
  ERR("O_EXCL of a name there", open("big/f0600", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
  listing("made");
  int moved = 0;
  for (int i = 0; i < 100; i++) {
    snprintf(p, sizeof p, "big/f%04d", i);
    snprintf(q, sizeof q, "big/r%04d", i);
    moved += rename(p, q) == 0;
  }
  OK("100 renamed within", moved == 100);
  OK("renamed out", rename("big/f0100", "out") == 0 && stat("big/f0100", &st) == -1 && stat("out", &st) == 0);
  OK("renamed back in over another", rename("out", "big/f0101") == 0 && stat("big/f0101", &st) == 0 &&
     st.st_size == 9);
  OK("a hard link", link("big/f0102", "big/l0102") == 0 && stat("big/l0102", &st) == 0 && st.st_nlink == 2);
  int gone = 0;
  for (int i = 1; i < N; i += 2) {
    snprintf(p, sizeof p, i < 100 ? "big/r%04d" : "big/f%04d", i);
    gone += unlink(p) == 0;
  }
  OK("every odd one removed", gone == N / 2);   /* f0101 is the renamed-in file */
  int left = 0;
  for (int i = 0; i < N; i++) {
    snprintf(p, sizeof p, i < 100 ? "big/r%04d" : "big/f%04d", i);
    left += stat(p, &st) == 0;
  }
  printf("left by name: %d\n", left);
  listing("after");
  OK("a subdirectory among them", mkdir("big/sub", 0755) == 0 && rmdir("big/sub") == 0);
  for (int i = 0; i < N; i++) {
    snprintf(p, sizeof p, i < 100 ? "big/r%04d" : "big/f%04d", i);
    unlink(p);
  }
  unlink("big/l0102");
  OK("emptied and removed", rmdir("big") == 0);
  return t_done();
}
