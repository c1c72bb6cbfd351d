/* sysv_shm.c - SysV shared memory: shmget (keys, IPC_CREAT/IPC_EXCL,
 * sizes, limits), shmat (kernel-chosen and fixed addresses, SHM_RND,
 * SHM_REMAP, SHM_RDONLY), memory shared with a forked child, attach
 * counts across fork, exit, exec and partial munmap, IPC_RMID while
 * attached, shmdt of split attaches, shmctl (IPC_STAT, SHM_STAT,
 * SHM_STAT_ANY, IPC_SET, IPC_INFO, SHM_INFO, SHM_LOCK), permissions for
 * another user, /proc/sysvipc/shm and /proc/sys/kernel/shm*, and hostile
 * arguments (bad pointers, negative ids, garbage in the upper 32 bits).
 * Runs in a new IPC namespace natively (unshare; ignored under umk,
 * whose guest has one of its own), so ids start from 0.              */
#include "t.h"
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static sigjmp_buf jb;
static void on_segv(int sig) { (void)sig; siglongjmp(jb, 1); }

static int nattch(int id) {
  struct shmid_ds ds;
  return shmctl(id, IPC_STAT, &ds) ? -1 : (int)ds.shm_nattch;
}

static void print_proc(const char *path, int keep_cols) {
  /* the file with time and pid columns blanked: cols 1..keep_cols, then uid... */
  FILE *f = fopen(path, "r");
  char line[512];
  if (!f) { printf("%s: %s\n", path, en(errno)); return; }
  while (fgets(line, sizeof line, f)) {
    char *tok[32]; int n = 0;
    for (char *s = strtok(line, " \n"); s && n < 32; s = strtok(NULL, " \n")) tok[n++] = s;
    printf("  ");
    for (int i = 0; i < n && i < keep_cols; i++) printf("%s ", tok[i]);
    printf("(%d columns)\n", n);
  }
  fclose(f);
}

static long raw(long nr, long a, long b, long c) { return syscall(nr, a, b, c); }

int main(int argc, char **argv) {
  if (argc > 2 && !strcmp(argv[1], "exec-child")) {
    /* after exec: the attach of the parent process is gone */
    printf("nattch after exec %d\n", nattch(atoi(argv[2])));
    return 0;
  }
  unshare(CLONE_NEWIPC);
  long pg = sysconf(_SC_PAGESIZE);
  signal(SIGSEGV, on_segv);

  /* shmget */
  ERR("size 0", shmget(IPC_PRIVATE, 0, 0600), EINVAL);
  ERR("no such key", shmget(0x1234, 4096, 0600), ENOENT);
  int id = shmget(0x1234, 10000, IPC_CREAT | 0640);
  printf("first id %d\n", id);
  ERR("IPC_EXCL on existing key", shmget(0x1234, 4096, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
  RES("existing key, smaller size", shmget(0x1234, 4096, 0));
  ERR("existing key, larger size", shmget(0x1234, 20000, 0), EINVAL);
  int id2 = shmget(IPC_PRIVATE, 3 * pg, 0600);
  int id3 = shmget(IPC_PRIVATE, 3 * pg, 0600);
  printf("private ids %d %d\n", id2, id3);
  ERR("huge size", shmget(IPC_PRIVATE, (size_t)-1, 0600), EINVAL);
  /* ENOMEM with hugetlbfs and no huge pages; EINVAL without hugetlbfs (umk) */
  errno = 0;
  long hr = shmget(IPC_PRIVATE, 4096, SHM_HUGETLB | 0600);
  OK("SHM_HUGETLB without huge pages fails", hr == -1 && (errno == ENOMEM || errno == EINVAL));
  ERR("4 PiB: more than memory and swap", shmget(IPC_PRIVATE, 1UL << 52, 0600), ENOMEM);
  int nores = shmget(IPC_PRIVATE, 1UL << 52, SHM_NORESERVE | 0600);
  OK("4 PiB with SHM_NORESERVE", nores >= 0);
  OK("removed", shmctl(nores, IPC_RMID, NULL) == 0);

  struct shmid_ds ds;
  OK("IPC_STAT", shmctl(id, IPC_STAT, &ds) == 0);
  printf("stat: key %#x size %zu mode %o nattch %lu cpid-is-me %d lpid %d uid %d cuid %d atime %d ctime-set %d\n",
         ds.shm_perm.__key, ds.shm_segsz, ds.shm_perm.mode, ds.shm_nattch, ds.shm_cpid == getpid(),
         ds.shm_lpid, ds.shm_perm.uid, ds.shm_perm.cuid, ds.shm_atime != 0, ds.shm_ctime != 0);

  /* attach, share with a child */
  char *p = shmat(id, NULL, 0);
  OK("shmat", p != (void *)-1);
  OK("attached memory is zero", p[0] == 0 && p[9999] == 0);
  printf("nattch %d\n", nattch(id));
  strcpy(p, "parent");
  pid_t c = fork();
  if (c == 0) {
    printf("child sees '%s', nattch %d\n", p, nattch(id));
    strcpy(p, "child wrote");
    _exit(0);
  }
  waitpid(c, NULL, 0);
  printf("parent sees '%s', nattch after child exit %d\n", p, nattch(id));
  OK("lpid is the exiting child", (shmctl(id, IPC_STAT, &ds), ds.shm_lpid == c));
  OK("atime and dtime set", ds.shm_atime != 0 && ds.shm_dtime != 0);

  /* exec drops the child's attach */
  c = fork();
  if (c == 0) {
    printf("child before exec nattch %d\n", nattch(id));
    char ids[16];
    snprintf(ids, sizeof ids, "%d", id);
    execl(argv[0], argv[0], "exec-child", ids, (char *)NULL);
    _exit(127);
  }
  waitpid(c, NULL, 0);
  printf("after exec child nattch %d\n", nattch(id));

  /* a second attach at a chosen address, SHM_RND, SHM_REMAP */
  char *q = shmat(id, p + 16 * pg, 0);
  OK("shmat at a fixed address", q == p + 16 * pg);
  OK("same memory", !strcmp(q, "child wrote"));
  printf("nattch two attaches %d\n", nattch(id));
  ERR("fixed address in use", shmat(id, q, 0), EINVAL);
  ERR("unaligned without SHM_RND", shmat(id, q + 1, 0), EINVAL);
  ERR("SHM_REMAP without address", shmat(id, NULL, SHM_REMAP), EINVAL);
  OK("SHM_REMAP over own attach", shmat(id, q, SHM_REMAP) == q);
  printf("nattch after remap %d\n", nattch(id));
  OK("SHM_RND rounds down", shmat(id3, q + 40 * pg + 123, SHM_RND) == q + 40 * pg);
  OK("shmdt rounded", shmdt(q + 40 * pg) == 0);

  /* partial munmap splits an attach: Linux counts VMAs */
  char *r = shmat(id2, NULL, 0);
  OK("munmap middle page", munmap(r + pg, pg) == 0);
  printf("nattch after split %d\n", nattch(id2));
  OK("shmdt takes both pieces", shmdt(r) == 0);
  printf("nattch after shmdt %d\n", nattch(id2));
  ERR("shmdt not attached", shmdt(r), EINVAL);
  ERR("shmdt unaligned", shmdt(p + 1), EINVAL);
  ERR("shmdt middle of attach", shmdt(p + pg), EINVAL);

  /* read-only attach */
  char *ro = shmat(id, NULL, SHM_RDONLY);
  OK("SHM_RDONLY reads", ro != (void *)-1 && !strcmp(ro, "child wrote"));
  if (sigsetjmp(jb, 1) == 0) {
    ro[0] = 'x';
    printf("write to SHM_RDONLY: no fault\n");
  } else
    printf("write to SHM_RDONLY: SIGSEGV\n");
  ERR("mprotect PROT_WRITE on SHM_RDONLY", mprotect(ro, pg, PROT_READ | PROT_WRITE), EACCES);
  OK("mprotect PROT_READ|PROT_EXEC is fine", mprotect(ro, pg, PROT_READ) == 0);
  shmdt(ro);

  /* /proc/self/maps names the segment */
  FILE *m = fopen("/proc/self/maps", "r");
  char line[512];
  int seen = 0;
  while (m && fgets(line, sizeof line, m))
    if (strstr(line, "/SYSV00001234 (deleted)") && strstr(line, "rw-s")) seen++;
  if (m) fclose(m);
  printf("maps lines for SYSV00001234: %d\n", seen);

  /* SHM_STAT, SHM_STAT_ANY, IPC_INFO, SHM_INFO */
  int sid = shmctl(id2 % 32768, SHM_STAT, &ds);
  printf("SHM_STAT of index %d -> id %d (%s)\n", id2 % 32768, sid, sid == id2 ? "matches" : "differs");
  RES("SHM_STAT_ANY of index 0", shmctl(0, SHM_STAT_ANY, &ds));
  ERR("SHM_STAT of a free index", shmctl(77, SHM_STAT, &ds), EINVAL);
  struct shminfo si;
  int maxidx = shmctl(0, IPC_INFO, (struct shmid_ds *)&si);
  printf("IPC_INFO -> %d: shmmax %lu shmmin %lu shmmni %lu shmseg %lu shmall %lu\n", maxidx,
         si.shmmax, si.shmmin, si.shmmni, si.shmseg, si.shmall);
  struct shm_info sinfo;
  maxidx = shmctl(0, SHM_INFO, (struct shmid_ds *)&sinfo);
  printf("SHM_INFO -> %d: used_ids %d shm_tot %lu\n", maxidx, sinfo.used_ids, sinfo.shm_tot);

  /* IPC_SET */
  shmctl(id3, IPC_STAT, &ds);
  ds.shm_perm.mode = 0604;
  ds.shm_perm.uid = 4321;
  ds.shm_perm.gid = 77;
  OK("IPC_SET", shmctl(id3, IPC_SET, &ds) == 0);
  shmctl(id3, IPC_STAT, &ds);
  printf("after IPC_SET: mode %o uid %d gid %d cuid %d\n", ds.shm_perm.mode, ds.shm_perm.uid,
         ds.shm_perm.gid, ds.shm_perm.cuid);
  OK("SHM_LOCK", shmctl(id3, SHM_LOCK, NULL) == 0);
  shmctl(id3, IPC_STAT, &ds);
  printf("locked mode %o\n", ds.shm_perm.mode);
  OK("SHM_UNLOCK", shmctl(id3, SHM_UNLOCK, NULL) == 0);

  /* another user */
  c = fork();
  if (c == 0) {
    if (setgid(1000) || setuid(1000)) _exit(1);
    ERR("other user: shmget 0640 key for write", shmget(0x1234, 0, 0600), EACCES);
    RES("other user: shmget with no mode bits", shmget(0x1234, 0, 0));
    ERR("other user: IPC_STAT of 0640", shmctl(id, IPC_STAT, &ds), EACCES);
    ERR("other user: shmat of 0640", (long)shmat(id, NULL, 0), EACCES);
    RES("other user: SHM_STAT_ANY", shmctl(id % 32768, SHM_STAT_ANY, &ds));
    ERR("other user: IPC_RMID", shmctl(id, IPC_RMID, NULL), EPERM);
    ERR("other user: IPC_SET", shmctl(id, IPC_SET, &ds), EPERM);
    ERR("other user: SHM_LOCK", shmctl(id, SHM_LOCK, NULL), EPERM);
    char *o = shmat(id3, NULL, SHM_RDONLY);
    OK("other user: read-only attach of 0604", o != (void *)-1);
    _exit(t_failed);
  }
  int st;
  waitpid(c, &st, 0);
  OK("other-user child passed", WIFEXITED(st) && WEXITSTATUS(st) == 0);

  /* /proc */
  printf("/proc/sysvipc/shm:\n");
  print_proc("/proc/sysvipc/shm", 3);
  char buf[128];
  int fd = open("/proc/sys/kernel/shmmni", O_RDONLY);
  ssize_t n = read(fd, buf, sizeof buf - 1);
  buf[n > 0 ? n : 0] = 0;
  close(fd);
  printf("shmmni %s", buf);
  fd = open("/proc/sys/kernel/shmmax", O_RDWR);
  OK("write shmmax", write(fd, "65536\n", 6) == 6);
  close(fd);
  ERR("shmget over the new shmmax", shmget(IPC_PRIVATE, 65537, 0600), EINVAL);
  fd = open("/proc/sys/kernel/shmmax", O_WRONLY);
  ERR("write shmmax garbage", write(fd, "abc\n", 4), EINVAL);
  close(fd);

  /* IPC_RMID while attached */
  OK("IPC_RMID while attached", shmctl(id, IPC_RMID, NULL) == 0);
  shmctl(id, IPC_STAT, &ds);
  printf("after RMID: key %#x mode %o nattch %lu\n", ds.shm_perm.__key, ds.shm_perm.mode, ds.shm_nattch);
  ERR("key no longer found", shmget(0x1234, 0, 0), ENOENT);
  char *again = shmat(id, NULL, 0);
  OK("attach by id after RMID still works", again != (void *)-1 && !strcmp(again, "child wrote"));
  printf("nattch %d\n", nattch(id));
  shmdt(again);
  shmdt(q);
  OK("memory still readable until the last detach", !strcmp(p, "child wrote"));
  shmdt(p);
  ERR("segment gone after the last detach", shmctl(id, IPC_STAT, &ds), EINVAL);
  OK("new segment with the old key", shmget(0x1234, 4096, IPC_CREAT | 0600) >= 0);

  /* hostile arguments */
  ERR("negative id", shmctl(-1, IPC_STAT, &ds), EINVAL);
  ERR("IPC_STAT to NULL", shmctl(id2, IPC_STAT, NULL), EFAULT);
  ERR("IPC_STAT to a kernel address", shmctl(id2, IPC_STAT, (void *)0xffffffff81000000UL), EFAULT);
  char *edge = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(edge + pg, pg);
  ERR("IPC_STAT into a buffer ending at an unmapped page", shmctl(id2, IPC_STAT, (void *)(edge + pg - 16)), EFAULT);
  ERR("IPC_SET from a bad pointer", shmctl(id2, IPC_SET, (void *)8), EFAULT);
  ERR("unknown command", shmctl(id2, 99, &ds), EINVAL);
  ERR("command with IPC_64", raw(SYS_shmctl, id2, IPC_STAT | 0x100, (long)&ds), EINVAL);
  ERR("negative command", shmctl(id2, -1, &ds), EINVAL);
  OK("upper 32 bits of the id are ignored", raw(SYS_shmctl, (long)(0xdead00000000UL | id2), IPC_STAT, (long)&ds) == 0);
  ERR("shmat of a removed id", (long)shmat(id, NULL, 0), EINVAL);
  ERR("shmat of a wild id", (long)shmat(0x7fffffff, NULL, 0), EINVAL);
  ERR("shmat beyond the address space", (long)shmat(id2, (void *)0x7ffffffff000UL, 0), ENOMEM);
  RES("shmget key with garbage above (the int key is 0x1234)", raw(SYS_shmget, 0x5555000000000000L | 0x1234, 4096, 0));
  return t_done();
}
