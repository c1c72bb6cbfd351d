/* remap_shared.c - a second mapping of shared pages: mremap(old, 0, len,
 * MREMAP_MAYMOVE[|MREMAP_FIXED], new) on a shared file or shared
 * anonymous mapping, and remap_file_pages on shared anonymous memory
 * (stress-ng's remap stressor: it reorders the pages of a
 * MAP_SHARED|MAP_ANONYMOUS area one by one).  umk answered both EINVAL.
 * (umk remaps shared anonymous pages only from where the caller still
 * maps them: object pages mapped nowhere are EINVAL there, so this test
 * stays on pages still mapped.) */
#include "t.h"
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define N 8

int main(void)
{
  long pg = sysconf(_SC_PAGESIZE);

  /* mremap with old_size 0 */
  char *a = mmap(NULL, N * pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  OK("mmap shared anonymous", a != MAP_FAILED);
  for (int i = 0; i < N; i++)
    a[i * pg] = 'a' + i;
  char *d = mremap(a + 2 * pg, 0, 3 * pg, MREMAP_MAYMOVE);
  OK("mremap(old, 0, 3 pages, MAYMOVE)", d != MAP_FAILED && d != a + 2 * pg);
  OK("the copy shows pages 2..4", d != MAP_FAILED && d[0] == 'c' && d[pg] == 'd' && d[2 * pg] == 'e');
  if (d != MAP_FAILED) {
    d[pg] = 'D';
    OK("a write through the copy is seen in the original", a[3 * pg] == 'D');
  }
  char *hole = mmap(NULL, 2 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  char *f = mremap(a, 0, 2 * pg, MREMAP_MAYMOVE | MREMAP_FIXED, hole);
  OK("mremap(old, 0, 2 pages, MAYMOVE|FIXED)", f == hole && f[0] == 'a' && f[pg] == 'b');
  errno = 0;
  OK("mremap(old, 0) without MAYMOVE: ENOMEM", mremap(a, 0, pg, 0) == MAP_FAILED && errno == ENOMEM);
  char *priv = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  errno = 0;
  OK("mremap(old, 0) of a private mapping: EINVAL", mremap(priv, 0, pg, MREMAP_MAYMOVE) == MAP_FAILED && errno == EINVAL);
  pid_t p = fork();
  if (p == 0) {
    d[0] = 'C';   /* the copy is shared with a child too */
    _exit(0);
  }
  waitpid(p, NULL, 0);
  OK("a child's write through the copy", a[2 * pg] == 'C');

  /* remap_file_pages: reverse the pages of b */
  char *b = mmap(NULL, N * pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  for (int i = 0; i < N; i++)
    b[i * pg] = '0' + i;
  OK("remap_file_pages(page 0 -> object page 5)", remap_file_pages(b, pg, 0, 5, 0) == 0 && b[0] == '5');
  OK("remap_file_pages(page 1 -> object page 5)", remap_file_pages(b + pg, pg, 0, 5, 0) == 0 && b[pg] == '5');
  b[0] = 'F';
  OK("both show object page 5", b[pg] == 'F' && b[5 * pg] == 'F');
  int ok = 1;
  char *c = mmap(NULL, N * pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  for (int i = 0; i < N; i++)
    c[i * pg] = '0' + i;
  for (int i = 0; i < N / 2; i++)
    ok &= remap_file_pages(c + i * pg, pg, 0, N - 1 - i, 0) == 0;
  OK("remap_file_pages: first half onto the second", ok);
  printf("pages:");
  for (int i = 0; i < N; i++)
    printf(" %c", c[i * pg]);
  printf("\n");
  c[0] = 'x';
  OK("a write through page 0 lands on object page 7", c[7 * pg] == 'x');
  OK("two pages at once, overlapping the source", remap_file_pages(b + 2 * pg, 2 * pg, 0, 3, 0) == 0 &&
     b[2 * pg] == '3' && b[3 * pg] == '4');
  errno = 0;
  OK("remap_file_pages of a private mapping: EINVAL", remap_file_pages(priv, pg, 0, 0, 0) == -1 && errno == EINVAL);
  return t_failed != 0;
}
