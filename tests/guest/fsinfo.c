/* fsinfo.c - sysfs(2) agrees with /proc/filesystems (count, names by
 * index, index by name) and ustat(2) answers for the root's device;
 * both with their errors. */
#include "t.h"
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

struct ustat_ { int f_tfree; unsigned long f_tinode; char f_fname[6], f_fpack[6]; };

int main(void) {
  char names[64][64];
  int n = 0;
  FILE *f = fopen("/proc/filesystems", "r");
  char line[256];
  while (f && n < 64 && fgets(line, sizeof line, f)) {
    char *tab = strchr(line, '\t');
    if (!tab) continue;
    tab[strcspn(tab, "\n")] = 0;
    snprintf(names[n++], sizeof names[0], "%s", tab + 1);
  }
  if (f) fclose(f);
  OK("proc filesystems read", n > 3);
  OK("sysfs count", syscall(SYS_sysfs, 3) == n);
  int bad = 0;
  for (int i = 0; i < n; i++) {
    char buf[64] = "";
    if (syscall(SYS_sysfs, 2, i, buf) != 0 || strcmp(buf, names[i])) bad++;
    if (syscall(SYS_sysfs, 1, names[i]) != i) bad++;
  }
  OK("sysfs names and indexes", bad == 0);
  OK("sysfs proc", syscall(SYS_sysfs, 1, "proc") >= 0);
  ERR("sysfs unknown name", syscall(SYS_sysfs, 1, "nosuchfs"), EINVAL);
  ERR("sysfs index past end", syscall(SYS_sysfs, 2, n, line), EINVAL);
  ERR("sysfs negative index", syscall(SYS_sysfs, 2, -1L, line), EINVAL);
  ERR("sysfs bad option", syscall(SYS_sysfs, 4), EINVAL);
  ERR("sysfs bad name pointer", syscall(SYS_sysfs, 1, (char *)8), EFAULT);
  ERR("sysfs bad buffer", syscall(SYS_sysfs, 2, 0, (char *)8), EFAULT);

  struct stat st;
  struct ustat_ u;
  stat("/", &st);
  OK("ustat root", syscall(SYS_ustat, (unsigned)st.st_dev, &u) == 0);
  OK("ustat fname empty", u.f_fname[0] == 0 && u.f_fpack[0] == 0);
  ERR("ustat no such device", syscall(SYS_ustat, (unsigned)makedev(250, 250), &u), EINVAL);
  ERR("ustat bad buffer", syscall(SYS_ustat, (unsigned)st.st_dev, (void *)8), EFAULT);
  return t_done();
}
