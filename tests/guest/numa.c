/* numa.c - NUMA policy and protection keys as a one-node machine answers
 * them: get_mempolicy (default, MPOL_F_MEMS_ALLOWED, MPOL_F_ADDR on mapped
 * and unmapped addresses, a short nodemask), set_mempolicy (each mode,
 * node 0, a node that does not exist, bad modes and flag mixes, the
 * policy read back and inherited by fork), mbind (a mapped range, a hole,
 * an unaligned start), migrate_pages, move_pages (query and move to node
 * 0), and protection keys (pkey_alloc fails, pkey_free of a key never
 * allocated, pkey_mprotect with key -1 is mprotect).  These are what
 * libnuma, numactl, jemalloc and V8 probe at start.               */
#include "t.h"
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define MPOL_DEFAULT 0
#define MPOL_PREFERRED 1
#define MPOL_BIND 2
#define MPOL_INTERLEAVE 3
#define MPOL_LOCAL 4
#define MPOL_F_NODE 1
#define MPOL_F_ADDR 2
#define MPOL_F_MEMS_ALLOWED 4
#define MPOL_F_STATIC_NODES (1 << 15)
#define MPOL_F_RELATIVE_NODES (1 << 14)

static long getmp(int *mode, unsigned long *mask, unsigned long maxnode, void *addr, unsigned long flags) {
  return syscall(SYS_get_mempolicy, mode, mask, maxnode, addr, flags);
}
static long setmp(int mode, unsigned long *mask, unsigned long maxnode) {
  return syscall(SYS_set_mempolicy, mode, mask, maxnode);
}

static int status0[1];

int main(void) {
  int mode = -1;
  unsigned long mask[16] = { 0 };
  OK("get_mempolicy default", getmp(&mode, mask, 1024, NULL, 0) == 0 && mode == MPOL_DEFAULT && mask[0] == 0);
  OK("get_mempolicy mems allowed: node 0", getmp(&mode, mask, 1024, NULL, MPOL_F_MEMS_ALLOWED) == 0 && mask[0] == 1);
  ERR("get_mempolicy mems allowed with MPOL_F_ADDR", getmp(&mode, mask, 1024, NULL, MPOL_F_MEMS_ALLOWED | MPOL_F_ADDR), EINVAL);
  ERR("get_mempolicy bad flags", getmp(&mode, mask, 1024, NULL, 0x10), EINVAL);
  ERR("get_mempolicy address without MPOL_F_ADDR", getmp(&mode, NULL, 0, (void *)0x1000, 0), EINVAL);
  ERR("get_mempolicy MPOL_F_NODE without interleave", getmp(&mode, NULL, 0, NULL, MPOL_F_NODE), EINVAL);
  char *p = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  p[0] = 1;
  OK("get_mempolicy MPOL_F_ADDR", getmp(&mode, NULL, 0, p, MPOL_F_ADDR) == 0 && mode == MPOL_DEFAULT);
  OK("get_mempolicy MPOL_F_ADDR|NODE: node 0", getmp(&mode, NULL, 0, p, MPOL_F_ADDR | MPOL_F_NODE) == 0 && mode == 0);
  munmap(p + 3 * 4096, 4096);
  ERR("get_mempolicy MPOL_F_ADDR unmapped", getmp(&mode, NULL, 0, p + 3 * 4096, MPOL_F_ADDR), EFAULT);
  ERR("get_mempolicy bad mode pointer", getmp((int *)8, NULL, 0, NULL, 0), EFAULT);

  unsigned long n0 = 1, n1 = 2, n01 = 3;
  OK("set_mempolicy BIND node 0", setmp(MPOL_BIND, &n0, 64) == 0);
  OK("... read back", getmp(&mode, mask, 1024, NULL, 0) == 0 && mode == MPOL_BIND && mask[0] == 1);
  pid_t c = fork();
  if (c == 0) {
    int m = -1;
    unsigned long k[16] = { 0 };
    _exit(getmp(&m, k, 1024, NULL, 0) == 0 && m == MPOL_BIND && k[0] == 1 ? 0 : 1);
  }
  int st;
  waitpid(c, &st, 0);
  OK("... inherited by fork", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  ERR("set_mempolicy BIND node 1 (absent)", setmp(MPOL_BIND, &n1, 64), EINVAL);
  OK("set_mempolicy BIND nodes 0,1", setmp(MPOL_BIND, &n01, 64) == 0);
  ERR("set_mempolicy BIND no nodes", setmp(MPOL_BIND, NULL, 0), EINVAL);
  OK("set_mempolicy INTERLEAVE node 0", setmp(MPOL_INTERLEAVE, &n0, 64) == 0);
  OK("get_mempolicy MPOL_F_NODE under interleave", getmp(&mode, NULL, 0, NULL, MPOL_F_NODE) == 0 && mode == 0);
  OK("set_mempolicy PREFERRED node 0", setmp(MPOL_PREFERRED, &n0, 64) == 0);
  OK("set_mempolicy PREFERRED no node", setmp(MPOL_PREFERRED, NULL, 0) == 0);
  OK("... reads as LOCAL", getmp(&mode, NULL, 0, NULL, 0) == 0 && mode == MPOL_LOCAL);
  OK("set_mempolicy LOCAL", setmp(MPOL_LOCAL, NULL, 0) == 0);
  ERR("set_mempolicy LOCAL with nodes", setmp(MPOL_LOCAL, &n0, 64), EINVAL);
  ERR("set_mempolicy DEFAULT with nodes", setmp(MPOL_DEFAULT, &n0, 64), EINVAL);
  ERR("set_mempolicy bad mode", setmp(77, NULL, 0), EINVAL);
  ERR("set_mempolicy STATIC|RELATIVE", setmp(MPOL_BIND | MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES, &n0, 64), EINVAL);
  ERR("set_mempolicy bad nodemask pointer", setmp(MPOL_BIND, (unsigned long *)8, 64), EFAULT);
  ERR("set_mempolicy huge maxnode", setmp(MPOL_BIND, &n0, 1UL << 40), EINVAL);
  OK("set_mempolicy DEFAULT", setmp(MPOL_DEFAULT, NULL, 0) == 0);
  OK("... read back", getmp(&mode, mask, 1024, NULL, 0) == 0 && mode == MPOL_DEFAULT && mask[0] == 0);

  OK("mbind a mapped range to node 0", syscall(SYS_mbind, p, 2 * 4096, MPOL_BIND, &n0, 64, 0) == 0);
  ERR("mbind node 1", syscall(SYS_mbind, p, 2 * 4096, MPOL_BIND, &n1, 64, 0), EINVAL);
  ERR("mbind over a hole", syscall(SYS_mbind, p, 4 * 4096, MPOL_BIND, &n0, 64, 0), EFAULT);
  ERR("mbind unaligned", syscall(SYS_mbind, p + 1, 4096, MPOL_BIND, &n0, 64, 0), EINVAL);
  ERR("mbind bad flags", syscall(SYS_mbind, p, 4096, MPOL_BIND, &n0, 64, 0x40), EINVAL);
  OK("mbind DEFAULT", syscall(SYS_mbind, p, 4096, MPOL_DEFAULT, NULL, 0, 0) == 0);
  /* each page's policy, read back: the range's VMAs keep what mbind set */
  unsigned long n0w = 1;
  OK("mbind INTERLEAVE third page", syscall(SYS_mbind, p + 2 * 4096, 4096, MPOL_INTERLEAVE, &n0w, 64, 0) == 0);
  for (int i = 0; i < 3; i++) {
    mask[0] = 99;
    mode = 99;
    long r = getmp(&mode, mask, 64, p + i * 4096, MPOL_F_ADDR);
    printf("page %d policy: ret %ld mode %d mask %lu\n", i, r, mode, mask[0]);
  }
  OK("mbind PREFERRED without nodes", syscall(SYS_mbind, p, 4096, MPOL_PREFERRED, NULL, 0, 0) == 0);
  OK("... reads as LOCAL", getmp(&mode, mask, 64, p, MPOL_F_ADDR) == 0 && mode == MPOL_LOCAL && mask[0] == 0);
  OK("mbind STATIC_NODES", syscall(SYS_mbind, p, 4096, MPOL_BIND | MPOL_F_STATIC_NODES, &n0w, 64, 0) == 0);
  OK("... reads with its flag", getmp(&mode, mask, 64, p, MPOL_F_ADDR) == 0 && mode == (MPOL_BIND | MPOL_F_STATIC_NODES) && mask[0] == 1);
  OK("task policy stays default", getmp(&mode, mask, 64, NULL, 0) == 0 && mode == MPOL_DEFAULT);
  OK("mbind DEFAULT over all", syscall(SYS_mbind, p, 3 * 4096, MPOL_DEFAULT, NULL, 0, 0) == 0);
  OK("... page 1 default again", getmp(&mode, mask, 64, p + 4096, MPOL_F_ADDR) == 0 && mode == MPOL_DEFAULT && mask[0] == 0);

  OK("migrate_pages self 0 -> 0", syscall(SYS_migrate_pages, 0, 64, &n0, &n0) == 0);
  ERR("migrate_pages no such pid", syscall(SYS_migrate_pages, 4000000, 64, &n0, &n0), ESRCH);
  pid_t parent = getpid(), kid = fork();
  if (kid == 0) {
    /* another user may not move a process's pages (ptrace read access) */
    if (setuid(65534) == 0) {
      ERR("migrate_pages of another user's process", syscall(SYS_migrate_pages, parent, 64, &n0, &n0), EPERM);
      ERR("move_pages of another user's process", syscall(SYS_move_pages, parent, 1, &p, NULL, status0, 0), EPERM);
    } else {
      printf("ok migrate_pages of another user's process: EPERM\nok move_pages of another user's process: EPERM\n");
    }
    _exit(t_failed);
  }
  int kst;
  waitpid(kid, &kst, 0);
  OK("unprivileged child", WIFEXITED(kst) && WEXITSTATUS(kst) == 0);
  void *pages[2] = { p, p + 3 * 4096 };
  int status[2] = { 99, 99 };
  OK("move_pages query", syscall(SYS_move_pages, 0, 2, pages, NULL, status, 0) == 0);
  printf("move_pages status: %d %d\n", status[0], status[1]);
  int nodes[1] = { 0 };
  OK("move_pages to node 0", syscall(SYS_move_pages, 0, 1, pages, nodes, status, 0) == 0 && status[0] == 0);
  ERR("move_pages bad flags", syscall(SYS_move_pages, 0, 1, pages, NULL, status, 0x10), EINVAL);

  long k = syscall(SYS_pkey_alloc, 0, 0);
  /* ENOSPC on a kernel built without protection keys (umk), EINVAL on
   * one with them on a CPU without them: either way, none */
  OK("pkey_alloc gives no key", k == -1 && (errno == ENOSPC || errno == EINVAL));
  ERR("pkey_alloc bad flags", syscall(SYS_pkey_alloc, 1, 0), EINVAL);
  ERR("pkey_alloc bad rights", syscall(SYS_pkey_alloc, 0, 4), EINVAL);
  ERR("pkey_free of a key never allocated", syscall(SYS_pkey_free, 1), EINVAL);
  OK("pkey_mprotect key -1 is mprotect", syscall(SYS_pkey_mprotect, p, 4096, PROT_READ, -1) == 0);
  ERR("pkey_mprotect key 5", syscall(SYS_pkey_mprotect, p, 4096, PROT_READ, 5), EINVAL);
  return t_done();
}
