/* lsm.c - lsm_list_modules(2), lsm_get_self_attr(2), lsm_set_self_attr(2):
 * the list (capability and Landlock in it, its size, the same modules as
 * /sys/kernel/security/lsm where that is mounted), no process attributes
 * (no SELinux, AppArmor or Smack here or on the host), and the errors
 * for bad flags, sizes, contexts and pointers. */
#include "t.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/syscall.h>

static const struct { uint64_t id; const char *name; } names[] = {
  { 100, "capability" }, { 101, "selinux" }, { 102, "smack" }, { 103, "tomoyo" }, { 104, "apparmor" },
  { 105, "yama" }, { 106, "loadpin" }, { 107, "safesetid" }, { 108, "lockdown" }, { 109, "bpf" },
  { 110, "landlock" }, { 111, "ima" }, { 112, "evm" }, { 113, "ipe" },
};

int main(void) {
  uint64_t ids[32];
  uint32_t size = sizeof ids;
  long n = syscall(461, ids, &size, 0);
  OK("lsm_list_modules", n > 0 && size == n * 8);
  int cap = 0, ll = 0;
  for (long i = 0; i < n; i++) cap += ids[i] == 100, ll += ids[i] == 110;
  OK("capability and landlock are listed", cap == 1 && ll == 1);
  char text[512] = "";
  int fd = open("/sys/kernel/security/lsm", O_RDONLY);
  if (fd >= 0) {
    ssize_t r = read(fd, text, sizeof text - 1);
    text[r > 0 ? r : 0] = 0;
    close(fd);
    int same = 1, count = 1;
    for (char *p = text; *p; p++) count += *p == ',';
    for (long i = 0; i < n; i++) {
      const char *nm = "?";
      for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (names[k].id == ids[i]) nm = names[k].name;
      char *at = strstr(text, nm);
      if (!at || (at != text && at[-1] != ',')) same = 0;
    }
    if (!same || count != n) printf("FAIL /sys/kernel/security/lsm \"%s\" is not the list (%ld)\n", text, n), t_failed++;
  }
  uint32_t small = 8;
  ERR("size too small", syscall(461, ids, &small, 0), E2BIG);
  OK("the size needed comes back", small == size);
  uint32_t big = 4096;
  ERR("NULL ids", syscall(461, NULL, &big, 0), EFAULT);
  ERR("NULL size", syscall(461, ids, NULL, 0), EFAULT);
  ERR("flags 1", syscall(461, ids, &big, 1), EINVAL);

  uint32_t s = 4096;
  ERR("get LSM_ATTR_CURRENT: no module has it", syscall(459, 1, NULL, &s, 0), EOPNOTSUPP);
  OK("its size is 0", s == 0);
  ERR("get LSM_ATTR_UNDEF", syscall(459, 0, NULL, &s, 0), EINVAL);
  ERR("get, NULL size", syscall(459, 1, NULL, NULL, 0), EINVAL);
  ERR("get, flags 2", syscall(459, 1, NULL, &s, 2), EINVAL);
  ERR("get SINGLE without a context", syscall(459, 1, NULL, &s, 1), EINVAL);
  uint64_t ctx[8] = { 0 };
  ERR("get SINGLE of LSM_ID_UNDEF", syscall(459, 1, ctx, &s, 1), EINVAL);
  ctx[0] = 110;
  ERR("get SINGLE of landlock", syscall(459, 1, ctx, &s, 1), EOPNOTSUPP);
  ERR("get SINGLE, unreadable context", syscall(459, 1, (void *)8, &s, 1), EFAULT);
  ctx[2] = 32;
  ERR("set for landlock", syscall(460, 1, ctx, 32, 0), EOPNOTSUPP);
  ERR("set, flags 1", syscall(460, 1, ctx, 32, 1), EINVAL);
  ERR("set, size 31", syscall(460, 1, ctx, 31, 0), EINVAL);
  ERR("set, size 4097", syscall(460, 1, ctx, 4097, 0), E2BIG);
  ctx[2] = 64;
  ERR("set, len past size", syscall(460, 1, ctx, 32, 0), EINVAL);
  ERR("set, NULL context", syscall(460, 1, NULL, 32, 0), EFAULT);
  return t_done();
}
