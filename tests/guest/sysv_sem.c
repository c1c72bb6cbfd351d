/* sysv_sem.c - SysV semaphores: semget (nsems rules, keys), semctl
 * (GETVAL/SETVAL, GETALL/SETALL, GETPID, GETNCNT/GETZCNT, IPC_STAT,
 * SEM_STAT, SEM_STAT_ANY, IPC_SET, IPC_INFO, SEM_INFO, IPC_RMID), semop
 * (all-or-nothing arrays, IPC_NOWAIT, blocking until another process
 * changes the set, wait-for-zero), semtimedop timeouts, EIDRM to
 * sleepers on removal, EINTR from a signal, SEM_UNDO applied when the
 * process exits (not when one of its threads does) and cleared by
 * SETVAL, permissions for another user, /proc/sysvipc/sem and
 * /proc/sys/kernel/sem, and hostile arguments.  Runs in a new IPC
 * namespace natively (unshare; ignored under umk).                    */
#include "t.h"
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/sem.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

union semun { int val; struct semid_ds *buf; unsigned short *array; struct seminfo *__buf; };

static int op(int id, int num, int o, int flg) {
  struct sembuf b = {(unsigned short)num, (short)o, (short)flg};
  return semop(id, &b, 1);
}

static int val(int id, int num) { return semctl(id, num, GETVAL); }

/* waits (up to 5 s) until GETNCNT/GETZCNT of num reaches want */
static int wait_cnt(int id, int num, int cmd, int want) {
  for (int i = 0; i < 500; i++) {
    if (semctl(id, num, cmd) == want) return 1;
    usleep(10000);
  }
  return 0;
}

static int sem_id_g;
static void *undo_thread(void *arg) {
  (void)arg;
  op(sem_id_g, 0, 3, SEM_UNDO);
  return NULL;
}

static void on_alarm(int s) { (void)s; }

int main(void) {
  unshare(CLONE_NEWIPC);
  long pg = sysconf(_SC_PAGESIZE);

  /* semget */
  ERR("nsems < 0", semget(IPC_PRIVATE, -1, 0600), EINVAL);
  ERR("nsems 0 for a new set", semget(IPC_PRIVATE, 0, 0600), EINVAL);
  ERR("nsems over semmsl", semget(IPC_PRIVATE, 32001, 0600), EINVAL);
  int id = semget(0x5e3, 4, IPC_CREAT | 0660);
  printf("first id %d\n", id);
  RES("existing set, nsems 0", semget(0x5e3, 0, 0));
  RES("existing set, nsems 3", semget(0x5e3, 3, 0));
  ERR("existing set, nsems 5", semget(0x5e3, 5, 0), EINVAL);
  ERR("IPC_EXCL", semget(0x5e3, 4, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
  ERR("no such key", semget(0x5e4, 1, 0), ENOENT);

  /* values */
  printf("new values %d %d %d %d\n", val(id, 0), val(id, 1), val(id, 2), val(id, 3));
  OK("SETVAL", semctl(id, 0, SETVAL, (union semun){.val = 5}) == 0);
  ERR("SETVAL 32768", semctl(id, 0, SETVAL, (union semun){.val = 32768}), ERANGE);
  ERR("SETVAL -1", semctl(id, 0, SETVAL, (union semun){.val = -1}), ERANGE);
  ERR("GETVAL semnum 4", semctl(id, 4, GETVAL), EINVAL);
  ERR("GETVAL semnum -1", semctl(id, -1, GETVAL), EINVAL);
  unsigned short all[4] = {1, 2, 3, 4}, got[4] = {0};
  OK("SETALL", semctl(id, 0, SETALL, (union semun){.array = all}) == 0);
  OK("GETALL", semctl(id, 0, GETALL, (union semun){.array = got}) == 0);
  printf("GETALL %d %d %d %d\n", got[0], got[1], got[2], got[3]);
  unsigned short bad[4] = {1, 40000, 3, 4};
  ERR("SETALL with 40000", semctl(id, 0, SETALL, (union semun){.array = bad}), ERANGE);
  printf("GETPID is me: %d\n", semctl(id, 2, GETPID) == getpid());

  /* semop */
  OK("decrement", op(id, 0, -1, 0) == 0 && val(id, 0) == 0);
  ERR("decrement below zero, IPC_NOWAIT", op(id, 0, -1, IPC_NOWAIT), EAGAIN);
  ERR("wait for zero on 2, IPC_NOWAIT", op(id, 1, 0, IPC_NOWAIT), EAGAIN);
  OK("wait for zero on 0", op(id, 0, 0, 0) == 0);
  ERR("sem_num out of range", op(id, 4, 1, 0), EFBIG);
  ERR("over SEMVMX", op(id, 3, 32767, 0), ERANGE);
  struct sembuf two[3] = {{1, -1, 0}, {0, -1, IPC_NOWAIT}, {2, 1, 0}};
  ERR("array blocked on its second op", semop(id, two, 3), EAGAIN);
  printf("nothing changed: %d %d %d\n", val(id, 0), val(id, 1), val(id, 2));
  struct sembuf dup[3] = {{1, -1, 0}, {1, -1, 0}, {1, 5, 0}};
  OK("same semaphore twice in one array", semop(id, dup, 3) == 0 && val(id, 1) == 5);
  struct sembuf *many = calloc(501, sizeof *many);
  ERR("501 operations", semop(id, many, 501), E2BIG);
  ERR("0 operations", semop(id, many, 0), EINVAL);

  /* blocking: a child waits until the parent gives */
  semctl(id, 0, SETVAL, (union semun){.val = 0});
  pid_t c = fork();
  if (c == 0) {
    int r = op(id, 0, -2, 0);
    printf("child: decrement by 2 -> %d, value %d\n", r, val(id, 0));
    _exit(0);
  }
  OK("GETNCNT sees the sleeper", wait_cnt(id, 0, GETNCNT, 1));
  RES("GETZCNT", semctl(id, 0, GETZCNT));
  op(id, 0, 1, 0);
  usleep(50000);
  RES("still waiting after +1 (GETNCNT)", semctl(id, 0, GETNCNT));
  op(id, 0, 1, 0);
  waitpid(c, NULL, 0);
  printf("GETPID is the child: %d\n", semctl(id, 0, GETPID) == c);

  /* wait for zero */
  semctl(id, 1, SETVAL, (union semun){.val = 1});
  c = fork();
  if (c == 0) {
    printf("child: wait for zero -> %d\n", op(id, 1, 0, 0));
    _exit(0);
  }
  OK("GETZCNT sees the sleeper", wait_cnt(id, 1, GETZCNT, 1));
  op(id, 1, -1, 0);
  waitpid(c, NULL, 0);

  /* semtimedop */
  struct timespec ts = {0, 50 * 1000 * 1000};
  struct sembuf dec = {0, -1, 0};
  ERR("semtimedop times out", semtimedop(id, &dec, 1, &ts), EAGAIN);
  struct timespec badts = {0, 2000000000L};
  ERR("semtimedop bad timespec", semtimedop(id, &dec, 1, &badts), EINVAL);
  ERR("semtimedop timeout pointer bad", semtimedop(id, &dec, 1, (void *)16), EFAULT);
  struct sembuf inc = {0, 1, 0};
  OK("semtimedop that need not wait", semtimedop(id, &inc, 1, &ts) == 0);

  /* EINTR (never restarted) */
  struct sigaction sa = {0};
  sa.sa_handler = on_alarm;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGALRM, &sa, NULL);
  semctl(id, 2, SETVAL, (union semun){.val = 0});
  alarm(1);
  ERR("interrupted semop", op(id, 2, -1, 0), EINTR);

  /* EIDRM to sleepers */
  int id2 = semget(IPC_PRIVATE, 1, 0600);
  c = fork();
  if (c == 0) {
    errno = 0;
    int r = op(id2, 0, -1, 0);
    printf("child: semop on a removed set -> %d %s\n", r, en(errno));
    _exit(0);
  }
  OK("sleeper seen", wait_cnt(id2, 0, GETNCNT, 1));
  int rm = semctl(id2, 0, IPC_RMID);
  waitpid(c, NULL, 0);
  OK("IPC_RMID", rm == 0);
  ERR("removed set", semctl(id2, 0, GETVAL), EINVAL);

  /* SEM_UNDO */
  int u = semget(IPC_PRIVATE, 2, 0600);
  semctl(u, 0, SETVAL, (union semun){.val = 10});
  c = fork();
  if (c == 0) {
    op(u, 0, -4, SEM_UNDO);
    op(u, 1, 7, SEM_UNDO);
    printf("child: values %d %d\n", val(u, 0), val(u, 1));
    _exit(0);
  }
  waitpid(c, NULL, 0);
  printf("after the child exited: %d %d\n", val(u, 0), val(u, 1));
  c = fork();
  if (c == 0) {
    op(u, 1, 5, SEM_UNDO);
    semctl(u, 1, SETVAL, (union semun){.val = 9});   /* clears the adjustment */
    _exit(0);
  }
  waitpid(c, NULL, 0);
  printf("SETVAL cleared the undo: %d\n", val(u, 1));
  c = fork();
  if (c == 0) {
    op(u, 1, -9, SEM_UNDO);
    op(u, 1, 32767, 0);     /* the undo of +9 would pass SEMVMX: clamped */
    _exit(0);
  }
  waitpid(c, NULL, 0);
  printf("undo clamped at SEMVMX: %d\n", val(u, 1));
  semctl(u, 1, SETVAL, (union semun){.val = 0});
  OK("+32767 with SEM_UNDO", op(u, 1, 32767, SEM_UNDO) == 0);
  OK("-32767 without", op(u, 1, -32767, 0) == 0);
  ERR("adjustment out of range", op(u, 1, 32767, SEM_UNDO), ERANGE);
  printf("value unchanged by the failed op: %d\n", val(u, 1));
  sem_id_g = u;
  semctl(u, 0, SETVAL, (union semun){.val = 0});
  c = fork();
  if (c == 0) {
    pthread_t th;
    pthread_create(&th, NULL, undo_thread, NULL);
    pthread_join(th, NULL);
    printf("child: after its thread exited %d\n", val(u, 0));
    _exit(0);
  }
  waitpid(c, NULL, 0);
  printf("after the process exited: %d\n", val(u, 0));

  /* stat, info, set */
  struct semid_ds ds;
  OK("IPC_STAT", semctl(id, 0, IPC_STAT, (union semun){.buf = &ds}) == 0);
  printf("stat: key %#x nsems %lu mode %o uid %d otime-set %d ctime-set %d\n", ds.sem_perm.__key,
         ds.sem_nsems, ds.sem_perm.mode, ds.sem_perm.uid, ds.sem_otime != 0, ds.sem_ctime != 0);
  RES("SEM_STAT of index 0", semctl(0, 0, SEM_STAT, (union semun){.buf = &ds}));
  RES("SEM_STAT_ANY of index 0", semctl(0, 0, SEM_STAT_ANY, (union semun){.buf = &ds}));
  ERR("SEM_STAT of a free index", semctl(1, 0, SEM_STAT, (union semun){.buf = &ds}), EINVAL);
  struct seminfo si;
  int mx = semctl(0, 0, IPC_INFO, (union semun){.__buf = &si});
  printf("IPC_INFO -> %d: semmap %d semmni %d semmns %d semmnu %d semmsl %d semopm %d semume %d semusz %d semvmx %d semaem %d\n",
         mx, si.semmap, si.semmni, si.semmns, si.semmnu, si.semmsl, si.semopm, si.semume, si.semusz, si.semvmx, si.semaem);
  mx = semctl(0, 0, SEM_INFO, (union semun){.__buf = &si});
  printf("SEM_INFO -> %d: semusz %d semaem %d\n", mx, si.semusz, si.semaem);
  ds.sem_perm.mode = 0604;
  ds.sem_perm.uid = 12;
  OK("IPC_SET", semctl(id, 0, IPC_SET, (union semun){.buf = &ds}) == 0);
  semctl(id, 0, IPC_STAT, (union semun){.buf = &ds});
  printf("after IPC_SET: mode %o uid %d cuid %d\n", ds.sem_perm.mode, ds.sem_perm.uid, ds.sem_perm.cuid);

  /* another user */
  c = fork();
  if (c == 0) {
    if (setgid(1000) || setuid(1000)) _exit(1);
    ERR("other user: semop alter on 0604", op(id, 0, 1, 0), EACCES);
    RES("other user: wait-for-zero (read) on 0604", op(id, 3, 0, IPC_NOWAIT));
    RES("other user: GETVAL", semctl(id, 0, GETVAL));
    ERR("other user: SETVAL", semctl(id, 0, SETVAL, (union semun){.val = 1}), EACCES);
    ERR("other user: IPC_RMID", semctl(id, 0, IPC_RMID), EPERM);
    ERR("other user: semget for write", semget(0x5e3, 0, 0200), EACCES);
    _exit(t_failed);
  }
  int st;
  waitpid(c, &st, 0);
  OK("other-user child passed", WIFEXITED(st) && WEXITSTATUS(st) == 0);

  /* /proc */
  char buf[256];
  int fd = open("/proc/sys/kernel/sem", O_RDONLY);
  ssize_t n = read(fd, buf, sizeof buf - 1);
  buf[n > 0 ? n : 0] = 0;
  close(fd);
  printf("kernel/sem: %s", buf);
  fd = open("/proc/sys/kernel/sem", O_WRONLY);
  OK("write kernel/sem", write(fd, "250 32000 4 128\n", 16) == 16);
  close(fd);
  struct sembuf five[5] = {{0, 1, 0}, {0, 1, 0}, {0, 1, 0}, {0, 1, 0}, {0, 1, 0}};
  ERR("5 operations over semopm 4", semop(id, five, 5), E2BIG);
  ERR("251 semaphores over semmsl 250", semget(IPC_PRIVATE, 251, 0600), EINVAL);
  fd = open("/proc/sysvipc/sem", O_RDONLY);
  FILE *pf = fdopen(fd, "r");
  while (fgets(buf, sizeof buf, pf)) {
    char k[32], i[32], m[32], ns[32];
    if (sscanf(buf, "%31s %31s %31s %31s", k, i, m, ns) == 4) printf("  sysvipc/sem: %s %s %s %s\n", k, i, m, ns);
  }
  fclose(pf);

  /* hostile arguments */
  ERR("semop from NULL", semop(id, NULL, 1), EFAULT);
  char *edge = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(edge + pg, pg);
  ERR("sops running into an unmapped page", semop(id, (struct sembuf *)(edge + pg - 6), 2), EFAULT);
  ERR("GETALL into a bad pointer", semctl(id, 0, GETALL, (union semun){.array = (void *)8}), EFAULT);
  ERR("SETALL from a bad pointer", semctl(id, 0, SETALL, (union semun){.array = (void *)8}), EFAULT);
  ERR("IPC_STAT into a kernel address", semctl(id, 0, IPC_STAT, (union semun){.buf = (void *)0xffffffff81000000UL}), EFAULT);
  ERR("negative id", semctl(-5, 0, GETVAL), EINVAL);
  ERR("unknown command", semctl(id, 0, 77), EINVAL);
  ERR("wild id", op(0x7ffffff0, 0, 1, 0), EINVAL);
  OK("upper 32 bits of the id ignored", syscall(SYS_semctl, 0xabcd00000000UL | (unsigned)id, 0, GETVAL) >= 0);
  OK("IPC_RMID", semctl(id, 0, IPC_RMID) == 0);
  ERR("semop on the removed set", op(id, 0, 1, 0), EINVAL);
  return t_done();
}
