/* fsize_devseek.c - two things stress-ng's fsize and full stressors
 * check: fallocate that would make a file larger than RLIMIT_FSIZE fails
 * with EFBIG and SIGXFSZ (inode_newsize_ok), and lseek on /dev/null,
 * /dev/zero and /dev/full succeeds at any offset and leaves the position
 * at 0 (mem.c's null_lseek; /dev/urandom's noop_llseek keeps it).  umk
 * let fallocate pass the limit and refused negative device offsets. */
#include "t.h"
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/stat.h>

static volatile int xfsz;
static void on_xfsz(int sig) { (void)sig; xfsz++; }

int main(void)
{
  signal(SIGXFSZ, on_xfsz);
  int fd = open("fsize_devseek.tmp", O_RDWR | O_CREAT | O_TRUNC, 0600);
  OK("open", fd >= 0);
  unlink("fsize_devseek.tmp");
  struct rlimit rl = { 65536, 65536 };
  OK("RLIMIT_FSIZE 64 KiB", setrlimit(RLIMIT_FSIZE, &rl) == 0);
  OK("fallocate to the limit", fallocate(fd, 0, 0, 65536) == 0 && xfsz == 0);
  errno = 0;
  OK("fallocate one byte past it: EFBIG", fallocate(fd, 0, 65536, 1) == -1 && errno == EFBIG);
  printf("SIGXFSZ: %d\n", xfsz);
  errno = 0;
  OK("fallocate far past it: EFBIG", fallocate(fd, 0, 1 << 20, 4096) == -1 && errno == EFBIG);
  printf("SIGXFSZ: %d\n", xfsz);
  OK("fallocate inside the file", fallocate(fd, 0, 4096, 4096) == 0);
  OK("KEEP_SIZE past the limit", fallocate(fd, FALLOC_FL_KEEP_SIZE, 1 << 20, 4096) == 0);
  printf("SIGXFSZ: %d\n", xfsz);
  struct stat st;
  OK("size unchanged", fstat(fd, &st) == 0 && st.st_size == 65536);
  rl.rlim_cur = rl.rlim_max = RLIM_INFINITY;
  setrlimit(RLIMIT_FSIZE, &rl);

  const char *devs[] = { "/dev/null", "/dev/zero", "/dev/full" };
  for (int i = 0; i < 3; i++) {
    int d = open(devs[i], O_RDWR);
    char name[80];
    snprintf(name, sizeof name, "%s: lseek anywhere gives 0", devs[i]);
    OK(name, d >= 0 && lseek(d, 12345, SEEK_SET) == 0 && lseek(d, -7, SEEK_CUR) == 0 &&
       lseek(d, INT64_MIN / 2, SEEK_END) == 0 && lseek(d, -1, SEEK_DATA) == 0 && lseek(d, 5, SEEK_HOLE) == 0);
    errno = 0;
    snprintf(name, sizeof name, "%s: bad whence EINVAL", devs[i]);
    OK(name, lseek(d, 0, 17) == -1 && errno == EINVAL);
    close(d);
  }
  int u = open("/dev/urandom", O_RDONLY);
  char b[16];
  OK("/dev/urandom: lseek keeps the position",
     u >= 0 && read(u, b, sizeof b) == sizeof b && lseek(u, -100, SEEK_CUR) == 0 && lseek(u, 999, SEEK_SET) == 0);
  return t_failed != 0;
}
