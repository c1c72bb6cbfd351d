/* overcommit.c - vm.overcommit_memory, overcommit_ratio and
 * overcommit_kbytes as Linux means them (mm/util.c __vm_enough_memory,
 * Documentation/mm/overcommit-accounting.rst): the heuristic (0) refuses
 * only a request larger than RAM + swap, and not a MAP_NORESERVE one;
 * 1 refuses nothing; strict mode (2) refuses what would take
 * Committed_AS past CommitLimit (mmap, MAP_NORESERVE included, shared
 * anonymous memory, mprotect, mremap, brk, fork), less the admin reserve
 * for a task without CAP_SYS_ADMIN.  CommitLimit follows the ratio or
 * the kbytes, and writing one zeroes the other.  Every value is put back.
 *
 * It rewrites the machine's overcommit policy, so it does not run
 * natively in make check: overcommit.expected is the output Linux's
 * rules give (worked through from mm/util.c, mm/mmap.c, mm/mprotect.c,
 * mm/mremap.c, mm/shmem.c and kernel/fork.c dup_mmap), for a root
 * guest.  Sizes leave margins of megabytes for what the program's own
 * mappings commit (umk charges the whole 8 MiB main stack, Linux what
 * was touched). */
#include "t.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define MiB (1UL << 20)
#define VM "/proc/sys/vm/"

static long meminfo(const char *key) {
  FILE *f = fopen("/proc/meminfo", "r");
  char line[256];
  long v = -1;
  while (f && fgets(line, sizeof line, f))
    if (!strncmp(line, key, strlen(key)))
      v = atol(line + strlen(key));
  if (f)
    fclose(f);
  return v;
}

static long readnum(const char *name) {
  char path[128];
  snprintf(path, sizeof path, VM "%s", name);
  FILE *f = fopen(path, "r");
  long v = -1;
  if (f && fscanf(f, "%ld", &v) != 1)
    v = -1;
  if (f)
    fclose(f);
  return v;
}

/* 0, or -1 with errno */
static int writestr(const char *name, const char *text) {
  char path[128];
  snprintf(path, sizeof path, VM "%s", name);
  int fd = open(path, O_WRONLY);
  if (fd < 0)
    return -1;
  ssize_t n = write(fd, text, strlen(text));
  int e = errno;
  close(fd);
  errno = e;
  return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int writenum(const char *name, long v) {
  char buf[32];
  snprintf(buf, sizeof buf, "%ld", v);
  return writestr(name, buf);
}

/* mmap's errno, 0 when it mapped (and then it is unmapped) */
static int try_map(unsigned long len, int prot, int flags) {
  void *p = mmap(NULL, len, prot, flags, -1, 0);
  if (p == MAP_FAILED)
    return errno;
  munmap(p, len);
  return 0;
}

/* strict mode with `room` bytes left to commit now */
static void strict_with_room(unsigned long room) {
  long kb = meminfo("Committed_AS:") + (long)(room / 1024) - meminfo("SwapTotal:");
  writenum("overcommit_kbytes", kb > 4 ? kb : 4);
  writenum("overcommit_memory", 2);
}

int main(void) {
  long mode = readnum("overcommit_memory"), ratio = readnum("overcommit_ratio"),
       kbytes = readnum("overcommit_kbytes"), admin = readnum("admin_reserve_kbytes");
  if (geteuid() != 0) {
    printf("SKIP not root\n");
    return 0;
  }
  unsigned long ram = (unsigned long)meminfo("MemTotal:") * 1024, swap = (unsigned long)meminfo("SwapTotal:") * 1024;
  unsigned long huge = ram + swap + 1024 * MiB;   /* an obvious overcommit */
  int rw = PROT_READ | PROT_WRITE, priv = MAP_PRIVATE | MAP_ANONYMOUS;

  /* the tunables */
  OK("overcommit_kbytes readable", kbytes >= 0);
  OK("admin_reserve_kbytes readable", admin >= 0);
  OK("user_reserve_kbytes readable", readnum("user_reserve_kbytes") >= 0);
  OK("overcommit_memory 3: EINVAL", writenum("overcommit_memory", 3) < 0 && errno == EINVAL);
  OK("overcommit_memory still what it was", readnum("overcommit_memory") == mode);
  OK("overcommit_kbytes = 1000003", writenum("overcommit_kbytes", 1000003) == 0);
  OK("it reads back", readnum("overcommit_kbytes") == 1000003);
  OK("and zeroed overcommit_ratio", readnum("overcommit_ratio") == 0);
  OK("CommitLimit = overcommit_kbytes in pages + swap",
     meminfo("CommitLimit:") == 1000000 + meminfo("SwapTotal:"));
  OK("overcommit_ratio = 50", writenum("overcommit_ratio", 50) == 0);
  OK("and zeroed overcommit_kbytes", readnum("overcommit_kbytes") == 0);
  long pages = meminfo("MemTotal:") / 4 - (meminfo("Hugetlb:") > 0 ? meminfo("Hugetlb:") / 4 : 0);
  OK("CommitLimit = (RAM - huge pages) * 50% + swap", meminfo("CommitLimit:") == pages * 50 / 100 * 4 + meminfo("SwapTotal:"));
  OK("overcommit_ratio = 10", writenum("overcommit_ratio", 10) == 0);
  OK("CommitLimit = (RAM - huge pages) * 10% + swap", meminfo("CommitLimit:") == pages * 10 / 100 * 4 + meminfo("SwapTotal:"));
  writenum("overcommit_ratio", 50);

  /* 1: always */
  OK("mode 1", writenum("overcommit_memory", 1) == 0);
  OK("mode 1: RAM + swap + 1 GiB maps", try_map(huge, rw, priv) == 0);

  /* 0: the heuristic */
  OK("mode 0", writenum("overcommit_memory", 0) == 0);
  OK("mode 0: RAM + swap + 1 GiB: ENOMEM", try_map(huge, rw, priv) == ENOMEM);
  OK("mode 0: shared anonymous too: ENOMEM", try_map(huge, rw, MAP_SHARED | MAP_ANONYMOUS) == ENOMEM);
  OK("mode 0: with MAP_NORESERVE it maps", try_map(huge, rw, priv | MAP_NORESERVE) == 0);
  OK("mode 0: read-only, it maps", try_map(huge, PROT_READ, priv) == 0);
  OK("mode 0: half the RAM maps", try_map(ram / 2, rw, priv) == 0);
  char *p = mmap(NULL, huge, PROT_READ, priv, -1, 0);
  OK("mode 0: mprotect(PROT_WRITE) of it: ENOMEM", p != MAP_FAILED && mprotect(p, huge, rw) < 0 && errno == ENOMEM);
  OK("mode 0: 1 MiB of it made writable", p != MAP_FAILED && mprotect(p, MiB, rw) == 0);
  if (p != MAP_FAILED)
    munmap(p, huge);
  p = mmap(NULL, MiB, rw, priv, -1, 0);
  void *q = p == MAP_FAILED ? MAP_FAILED : mremap(p, MiB, huge, MREMAP_MAYMOVE);
  OK("mode 0: mremap growing to it: ENOMEM", q == MAP_FAILED && errno == ENOMEM);
  if (p != MAP_FAILED)
    munmap(p, MiB);
  p = mmap(NULL, MiB, rw, priv | MAP_NORESERVE, -1, 0);
  q = p == MAP_FAILED ? MAP_FAILED : mremap(p, MiB, huge, MREMAP_MAYMOVE);
  OK("mode 0: a MAP_NORESERVE one grows", q != MAP_FAILED);
  munmap(q != MAP_FAILED ? q : p, q != MAP_FAILED ? huge : MiB);
  int id = shmget(IPC_PRIVATE, huge, IPC_CREAT | 0600);
  OK("mode 0: shmget of it: ENOMEM", id < 0 && errno == ENOMEM);
  if (id >= 0)
    shmctl(id, IPC_RMID, NULL);
  id = shmget(IPC_PRIVATE, huge, IPC_CREAT | 0600 | SHM_NORESERVE);
  OK("mode 0: with SHM_NORESERVE it is made", id >= 0);
  if (id >= 0)
    shmctl(id, IPC_RMID, NULL);

  /* 2: strict */
  long before = meminfo("Committed_AS:");
  strict_with_room(64 * MiB);
  OK("mode 2: CommitLimit = Committed_AS + 64 MiB",
     labs(meminfo("CommitLimit:") - (before + 65536)) <= 1024);
  p = mmap(NULL, 40 * MiB, rw, priv, -1, 0);
  OK("mode 2: 40 MiB maps", p != MAP_FAILED);
  long grew = meminfo("Committed_AS:") - before;
  OK("mode 2: Committed_AS grew by 40 MiB", grew >= 32 * 1024 && grew <= 56 * 1024);
  OK("mode 2: 48 MiB more: ENOMEM", try_map(48 * MiB, rw, priv) == ENOMEM);
  OK("mode 2: MAP_NORESERVE does not help: ENOMEM", try_map(48 * MiB, rw, priv | MAP_NORESERVE) == ENOMEM);
  OK("mode 2: shared anonymous: ENOMEM", try_map(48 * MiB, rw, MAP_SHARED | MAP_ANONYMOUS) == ENOMEM);
  OK("mode 2: 16 MiB more maps", try_map(16 * MiB, rw, priv) == 0);
  OK("mode 2: read-only 1 GiB maps", try_map(1024 * MiB, PROT_READ, priv) == 0);
  q = mmap(NULL, 48 * MiB, PROT_READ, priv, -1, 0);
  OK("mode 2: mprotect(PROT_WRITE) of 48 MiB read-only: ENOMEM", q != MAP_FAILED && mprotect(q, 48 * MiB, rw) < 0 && errno == ENOMEM);
  OK("mode 2: of 8 MiB of it", q != MAP_FAILED && mprotect(q, 8 * MiB, rw) == 0);
  if (q != MAP_FAILED)
    munmap(q, 48 * MiB);
  q = p == MAP_FAILED ? MAP_FAILED : mremap(p, 40 * MiB, 80 * MiB, MREMAP_MAYMOVE);
  OK("mode 2: mremap 40 -> 80 MiB: ENOMEM", q == MAP_FAILED && errno == ENOMEM);
  unsigned long cur = syscall(SYS_brk, 0);
  OK("mode 2: brk 48 MiB up stays put", (unsigned long)syscall(SYS_brk, cur + 48 * MiB) == cur);
  id = shmget(IPC_PRIVATE, 48 * MiB, IPC_CREAT | 0600);
  OK("mode 2: shmget 48 MiB: ENOMEM", id < 0 && errno == ENOMEM);
  if (id >= 0)
    shmctl(id, IPC_RMID, NULL);
  pid_t pid = fork();
  if (pid == 0)
    _exit(0);
  OK("mode 2: fork with 40 MiB and less left: ENOMEM", pid < 0 && errno == ENOMEM);
  if (pid > 0)
    waitpid(pid, NULL, 0);
  if (p != MAP_FAILED)
    munmap(p, 40 * MiB);
  OK("mode 2: unmapped, 48 MiB maps", try_map(48 * MiB, rw, priv) == 0);
  OK("mode 2: Committed_AS back", meminfo("Committed_AS:") - before < 16 * 1024);

  /* the admin reserve: a task without CAP_SYS_ADMIN has 16 MiB less */
  writenum("admin_reserve_kbytes", 16384);
  writenum("overcommit_memory", 0);
  for (int unpriv = 0; unpriv < 2; unpriv++) {
    pid = fork();
    if (pid == 0) {
      strict_with_room(64 * MiB);
      if (unpriv && setuid(65534) < 0)
        _exit(9);
      _exit(try_map(56 * MiB, rw, priv) == 0 ? 0 : errno == ENOMEM ? 1 : 2);
    }
    int st = -1;
    waitpid(pid, &st, 0);
    printf("%s: 56 MiB of 64 MiB left: %s\n", unpriv ? "nobody" : "root",
           !WIFEXITED(st) ? "killed" : WEXITSTATUS(st) == 0 ? "maps" : WEXITSTATUS(st) == 1 ? "ENOMEM" : "?");
    writenum("overcommit_memory", 0);
  }

  writenum("overcommit_memory", mode);
  if (kbytes)
    writenum("overcommit_kbytes", kbytes);
  else
    writenum("overcommit_ratio", ratio);
  writenum("admin_reserve_kbytes", admin);
  OK("restored", readnum("overcommit_memory") == mode && readnum("overcommit_ratio") == ratio &&
                     readnum("overcommit_kbytes") == kbytes && readnum("admin_reserve_kbytes") == admin);
  return t_done();
}
