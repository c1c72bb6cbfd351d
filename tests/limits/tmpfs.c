/* tmpfs.c - run as `umk run --tmpfs-size=4M -- /limits/tmpfs`: each tmpfs
 * and the overlay's upper layer hold at most 4 MiB.  Checks, printing
 * "ok NAME" lines and "all ok":
 *   statfs of / (the overlay) and /dev/shm (a tmpfs) shows 1024 blocks
 *     of 4 KiB, all free
 *   writing to /tmp (in the overlay) stops at 4 MiB: a short write, then
 *     ENOSPC; statfs then shows no free block
 *   ftruncate and fallocate past the room: ENOSPC
 *   /dev/shm is its own filesystem: still empty, still writable
 *   unlinking frees the room; an unlinked file still open keeps it
 *   copying up a lower file bigger than the room (opening /limits/big,
 *     6 MiB, made by the runner, for writing) fails with ENOSPC and
 *     leaves the file as it was
 *   a shared mapping of a tmpfs file within its size works  */
#include "../guest/t.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#define MB (1UL << 20)

static long blocks(const char *path, long *bfree) {
  struct statfs s;
  if (statfs(path, &s)) return -1;
  *bfree = (long)s.f_bfree;
  return s.f_bsize == 4096 ? (long)s.f_blocks : -2;
}

static long fill(const char *path) {
  static char buf[100000];
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  long total = 0;
  ssize_t w;
  for (;;) {
    w = write(fd, buf, sizeof buf);
    if (w <= 0) break;
    total += w;
  }
  if (!(w == -1 && errno == ENOSPC)) total = -total - 1;
  close(fd);
  return total;
}

int main(void) {
  long bfree;
  OK("statfs /: 1024 blocks", blocks("/", &bfree) == 1024 && bfree == 1024);
  OK("statfs /dev/shm: 1024 blocks", blocks("/dev/shm", &bfree) == 1024 && bfree == 1024);
  long n = fill("/tmp/limits-tmpfs-a");
  OK("write to /tmp stops at 4 MiB with ENOSPC", n == (long)(4 * MB));
  OK("statfs /: nothing free", blocks("/", &bfree) == 1024 && bfree == 0);
  int fd = open("/tmp/limits-tmpfs-b", O_RDWR | O_CREAT, 0600);
  ERR("ftruncate past the room", ftruncate(fd, 1 * MB), ENOSPC);
  ERR("fallocate past the room", fallocate(fd, 0, 0, 1 * MB), ENOSPC);
  ERR("fallocate KEEP_SIZE past the room", fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 1 * MB), ENOSPC);
  close(fd);
  OK("/dev/shm is its own: 4 MiB there too", fill("/dev/shm/a") == (long)(4 * MB));
  unlink("/dev/shm/a");
  int keep = open("/tmp/limits-tmpfs-a", O_RDONLY);
  unlink("/tmp/limits-tmpfs-a");
  OK("unlinked but open: still no room", fill("/tmp/limits-tmpfs-c") == 0);
  close(keep);
  OK("closed: the room is back", blocks("/", &bfree) == 1024 && bfree == 1024);
  fd = open("/tmp/limits-tmpfs-c", O_RDWR | O_CREAT | O_TRUNC, 0600);
  OK("ftruncate within the room", ftruncate(fd, 2 * MB) == 0);
  char *p = mmap(NULL, 2 * MB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  OK("shared mapping of a tmpfs file", p != MAP_FAILED);
  if (p != MAP_FAILED) {
    memset(p, 7, 2 * MB);
    munmap(p, 2 * MB);
  }
  char c = 0;
  OK("its pages were written", pread(fd, &c, 1, 2 * MB - 1) == 1 && c == 7);
  close(fd);
  unlink("/tmp/limits-tmpfs-c");
  struct stat st, st2;
  OK("the lower file is there", stat("/limits/big", &st) == 0 && st.st_size > (off_t)(4 * MB));
  ERR("copy-up past the room", open("/limits/big", O_WRONLY | O_APPEND), ENOSPC);
  OK("the lower file is as it was", stat("/limits/big", &st2) == 0 && st2.st_size == st.st_size);
  OK("room back after all", blocks("/", &bfree) == 1024 && bfree == 1024);
  return t_done();
}
