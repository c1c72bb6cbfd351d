/* remap.c - remap_file_pages(2) as Linux emulates it: a shared file
 * mapping shows other pages of the file in place; the argument errors. */
#include "t.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/shm.h>

int main(void) {
  long pg = sysconf(_SC_PAGESIZE);
  int fd = open("/tmp/remap-test", O_RDWR | O_CREAT | O_TRUNC, 0600);
  char buf[4096];
  for (int i = 0; i < 4; i++) {
    memset(buf, 'a' + i, sizeof buf);
    write(fd, buf, sizeof buf);
  }
  char *p = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  OK("remap page 3 at 0", remap_file_pages(p, pg, 0, 3, 0) == 0);
  printf("pages now %c%c%c%c\n", p[0], p[pg], p[2 * pg], p[3 * pg]);
  OK("remap two pages", remap_file_pages(p + 2 * pg, 2 * pg, 0, 0, 0) == 0);
  printf("pages now %c%c%c%c\n", p[0], p[pg], p[2 * pg], p[3 * pg]);
  p[0] = 'X';   /* writes reach the file page behind it */
  pread(fd, buf, 1, 3 * pg);
  printf("file page 3 starts with %c\n", buf[0]);
  ERR("remap prot", remap_file_pages(p, pg, PROT_READ, 1, 0), EINVAL);
  OK("remap flags ignored", remap_file_pages(p + pg, pg, 0, 1, MAP_SHARED) == 0);
  ERR("remap past mapping", remap_file_pages(p, 8 * pg, 0, 1, 0), EINVAL);
  char *q = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  ERR("remap private", remap_file_pages(q, pg, 0, 1, 0), EINVAL);
  char *anon = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ERR("remap anonymous", remap_file_pages(anon, pg, 0, 0, 0), EINVAL);
  ERR("remap unmapped", remap_file_pages((void *)pg, pg, 0, 0, 0), EINVAL);
  unlink("/tmp/remap-test");

  /* A SysV segment: remap works while attached; after IPC_RMID the
   * remap of its only attach closes the old mapping first, which
   * destroys the segment: EINVAL and the range left unmapped (Linux's
   * mmap_region order, LTP shmctl05) */
  int id = shmget(IPC_PRIVATE, 2 * pg, IPC_CREAT | 0600);
  char *s = shmat(id, NULL, 0);
  s[0] = 'A';
  s[pg] = 'B';
  OK("shm remap page 1 at 0", remap_file_pages(s, pg, 0, 1, 0) == 0 && s[0] == 'B');
  OK("shm remap back", remap_file_pages(s, pg, 0, 0, 0) == 0 && s[0] == 'A');
  shmctl(id, IPC_RMID, NULL);
  OK("shm remap after IPC_RMID, other page attached", remap_file_pages(s, pg, 0, 1, 0) == 0 && s[0] == 'B');
  OK("shmdt", shmdt(s) == 0);
  id = shmget(IPC_PRIVATE, pg, IPC_CREAT | 0600);
  s = shmat(id, NULL, 0);
  shmctl(id, IPC_RMID, NULL);
  ERR("shm remap of the last attach after IPC_RMID", remap_file_pages(s, pg, 0, 0, 0), EINVAL);
  ERR("shm range unmapped after", remap_file_pages(s, pg, 0, 0, 0), EINVAL);
  ERR("shmdt after", shmdt(s), EINVAL);
  OK("range free after", mmap(s, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) == s);
  return t_done();
}
