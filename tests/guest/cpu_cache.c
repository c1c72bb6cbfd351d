/* cpu_cache.c - /sys/devices/system/cpu/cpuN/cache/indexM/: the caches
 * of the CPUs the guest runs on, as the host describes them (stress-ng's
 * l1cache and llc-affinity size their work by these files and skipped
 * under umk, which had no cache/ directory).  Prints each file, so the
 * native run and umk's agree. */
#include "t.h"
#include <fcntl.h>

static const char *const files[] = {
  "level", "type", "size", "coherency_line_size", "ways_of_associativity", "number_of_sets",
  "shared_cpu_list", "shared_cpu_map",
};

int main(void)
{
  long n = sysconf(_SC_NPROCESSORS_CONF);
  int seen = 0;
  for (long c = 0; c < n && c < 4; c++)
    for (int i = 0; i < 16; i++) {
      char path[160], buf[256];
      snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%ld/cache/index%d/level", c, i);
      if (access(path, R_OK))
        break;
      seen++;
      for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%ld/cache/index%d/%s", c, i, files[k]);
        int fd = open(path, O_RDONLY);
        ssize_t r = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
        if (fd >= 0)
          close(fd);
        buf[r > 0 ? r : 0] = 0;
        printf("cpu%ld index%d %s: %s%s", c, i, files[k], buf, r > 0 && buf[r - 1] == '\n' ? "" : "\n");
      }
    }
  if (!seen)
    printf("SKIP no cache information in /sys\n");
  return 0;
}
