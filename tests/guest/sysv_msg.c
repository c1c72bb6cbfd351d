/* sysv_msg.c - SysV message queues: msgget, msgsnd/msgrcv with message
 * types (first, by type, MSG_EXCEPT, lowest type up to |type|),
 * MSG_NOERROR and E2BIG, MSG_COPY (by index, IPC_NOWAIT required),
 * IPC_NOWAIT on a full or empty queue, a receiver sleeping until a
 * sender hands it a message, a sender sleeping until there is room,
 * E2BIG to a sleeping receiver whose buffer is too small, EIDRM to
 * sleepers on removal, EINTR, msgctl (IPC_STAT, MSG_STAT, MSG_STAT_ANY,
 * IPC_SET with msg_qbytes, IPC_INFO, MSG_INFO), permissions for another
 * user, /proc/sysvipc/msg and /proc/sys/kernel/msg*, and hostile
 * arguments.  Runs in a new IPC namespace natively (unshare; ignored
 * under umk).                                                          */
#include "t.h"
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef MSG_COPY
#define MSG_COPY 040000
#endif

struct mbuf { long mtype; char mtext[256]; };

static int snd(int id, long type, const char *text, int flg) {
  struct mbuf m = {.mtype = type};
  strcpy(m.mtext, text);
  return msgsnd(id, &m, strlen(text) + 1, flg);
}

/* receives and prints one message */
static void rcv(const char *name, int id, size_t sz, long type, int flg) {
  struct mbuf m;
  memset(&m, 0, sizeof m);
  errno = 0;
  long n = msgrcv(id, &m, sz, type, flg);
  if (n < 0) printf("%s: -1 %s\n", name, en(errno));
  else printf("%s: %ld bytes, type %ld, '%.*s'\n", name, n, m.mtype, (int)n, m.mtext);
}

static unsigned long qnum(int id) {
  struct msqid_ds ds;
  return msgctl(id, IPC_STAT, &ds) ? 999 : ds.msg_qnum;
}

/* fork_blocking: forks a child that runs fn(arg) (which should block in
 * the kernel) and returns once the child is asleep there: it tells us
 * through a pipe just before the call, and /proc/PID/stat then shows it
 * sleeping (S). */
static pid_t fork_blocking(void (*fn)(int), int arg) {
  int pfd[2];
  char ch;
  if (pipe(pfd)) return -1;
  pid_t c = fork();
  if (c == 0) {
    close(pfd[0]);
    write(pfd[1], "x", 1);
    close(pfd[1]);
    fn(arg);
    _exit(0);
  }
  close(pfd[1]);
  read(pfd[0], &ch, 1);
  close(pfd[0]);
  char path[64], st[512];
  snprintf(path, sizeof path, "/proc/%d/stat", c);
  for (int i = 0; i < 500; i++) {
    usleep(10000);
    int fd = open(path, O_RDONLY);
    ssize_t n = fd < 0 ? -1 : read(fd, st, sizeof st - 1);
    if (fd >= 0) close(fd);
    if (n <= 0) break;
    st[n] = 0;
    char *rp = strrchr(st, ')');
    if (rp && rp[1] == ' ' && rp[2] == 'S') break;
  }
  usleep(20000);
  return c;
}

static void child_rcv_type4(int id) { rcv("child waited for type 4", id, 256, 4, 0); }
static void child_rcv_small(int id) { rcv("child with a 3-byte buffer", id, 3, 0, 0); }
static void child_rcv_removed(int id) { rcv("child on a removed queue", id, 256, 0, 0); }
static void child_snd_late(int id) { printf("child: blocked send -> %d\n", snd(id, 1, "late", 0)); }

static void on_alarm(int s) { (void)s; }

int main(void) {
  unshare(CLONE_NEWIPC);
  long pg = sysconf(_SC_PAGESIZE);

  ERR("no such key", msgget(0x3e5, 0), ENOENT);
  int id = msgget(0x3e5, IPC_CREAT | 0640);
  printf("first id %d\n", id);
  ERR("IPC_EXCL", msgget(0x3e5, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
  RES("existing key", msgget(0x3e5, 0));

  /* types */
  snd(id, 5, "five", 0);
  snd(id, 2, "two", 0);
  snd(id, 7, "seven", 0);
  snd(id, 2, "two again", 0);
  snd(id, 9, "nine", 0);
  printf("qnum %lu\n", qnum(id));
  rcv("type 2", id, 256, 2, 0);
  rcv("not type 5", id, 256, 5, MSG_EXCEPT);
  rcv("lowest type up to 8", id, 256, -8, 0);
  rcv("first", id, 256, 0, 0);
  rcv("absent type, IPC_NOWAIT", id, 256, 3, IPC_NOWAIT);
  rcv("too small, no MSG_NOERROR", id, 2, 0, 0);
  rcv("too small, MSG_NOERROR", id, 2, 0, MSG_NOERROR);
  rcv("empty, IPC_NOWAIT", id, 256, 0, IPC_NOWAIT);
  rcv("LONG_MIN type, IPC_NOWAIT", id, 256, -9223372036854775807L - 1, IPC_NOWAIT);

  /* MSG_COPY */
  snd(id, 1, "a", 0);
  snd(id, 3, "bb", 0);
  snd(id, 2, "ccc", 0);
  rcv("MSG_COPY index 1", id, 256, 1, MSG_COPY | IPC_NOWAIT);
  rcv("MSG_COPY index 5", id, 256, 5, MSG_COPY | IPC_NOWAIT);
  rcv("MSG_COPY without IPC_NOWAIT", id, 256, 0, MSG_COPY);
  rcv("MSG_COPY with MSG_EXCEPT", id, 256, 0, MSG_COPY | IPC_NOWAIT | MSG_EXCEPT);
  rcv("MSG_COPY too small", id, 1, 2, MSG_COPY | IPC_NOWAIT);
  rcv("MSG_COPY too small, MSG_NOERROR", id, 1, 2, MSG_COPY | IPC_NOWAIT | MSG_NOERROR);
  printf("qnum after copies %lu\n", qnum(id));
  while (qnum(id)) rcv("drain", id, 256, 0, 0);

  /* a receiver sleeps until a sender hands it a message */
  pid_t c = fork_blocking(child_rcv_type4, id);
  snd(id, 3, "not for the child", 0);
  snd(id, 4, "for the child", 0);
  waitpid(c, NULL, 0);
  printf("qnum %lu\n", qnum(id));
  rcv("left", id, 256, 0, 0);

  /* E2BIG to a sleeping receiver whose buffer is too small */
  c = fork_blocking(child_rcv_small, id);
  snd(id, 1, "too long for it", 0);
  waitpid(c, NULL, 0);
  printf("message kept: qnum %lu\n", qnum(id));
  rcv("kept", id, 256, 0, 0);

  /* msg_qbytes: a full queue */
  struct msqid_ds ds;
  msgctl(id, IPC_STAT, &ds);
  printf("stat: qbytes %lu cbytes %lu qnum %lu mode %o lspid-is-me %d lrpid-is-me %d stime-set %d\n",
         ds.msg_qbytes, ds.__msg_cbytes, ds.msg_qnum, ds.msg_perm.mode, ds.msg_lspid == getpid(),
         ds.msg_lrpid == getpid(), ds.msg_stime != 0);
  ds.msg_qbytes = 20;
  OK("IPC_SET qbytes 20", msgctl(id, IPC_SET, &ds) == 0);
  OK("10 bytes", snd(id, 1, "123456789", 0) == 0);
  OK("another 10", snd(id, 1, "abcdefghi", 0) == 0);
  ERR("full, IPC_NOWAIT", snd(id, 1, "x", IPC_NOWAIT), EAGAIN);
  c = fork_blocking(child_snd_late, id);
  printf("qnum while the sender sleeps %lu\n", qnum(id));
  struct mbuf room;
  long rn = msgrcv(id, &room, 256, 0, 0);
  waitpid(c, NULL, 0);
  printf("made room: %ld bytes '%s'\n", rn, room.mtext);
  while (qnum(id)) rcv("drain", id, 256, 0, 0);
  ds.msg_qbytes = 2;
  msgctl(id, IPC_SET, &ds);
  OK("1 byte", snd(id, 1, "", 0) == 0);
  OK("1 more byte", snd(id, 1, "", 0) == 0);
  ERR("third message: qbytes also counts messages", snd(id, 1, "", IPC_NOWAIT), EAGAIN);
  while (qnum(id)) rcv("drain", id, 256, 0, 0);
  ds.msg_qbytes = 16384;
  msgctl(id, IPC_SET, &ds);

  /* EINTR */
  struct sigaction sa = {0};
  sa.sa_handler = on_alarm;
  sigaction(SIGALRM, &sa, NULL);
  alarm(1);
  rcv("interrupted msgrcv", id, 256, 0, 0);

  /* EIDRM */
  int id2 = msgget(IPC_PRIVATE, 0600);
  c = fork_blocking(child_rcv_removed, id2);
  int rm = msgctl(id2, IPC_RMID, NULL);
  waitpid(c, NULL, 0);
  OK("IPC_RMID", rm == 0);

  /* stat, info */
  RES("MSG_STAT of index 0", msgctl(0, MSG_STAT, &ds));
  RES("MSG_STAT_ANY of index 0", msgctl(0, MSG_STAT_ANY, &ds));
  ERR("MSG_STAT of a free index", msgctl(1, MSG_STAT, &ds), EINVAL);
  snd(id, 1, "info", 0);
  struct msginfo mi;
  int mx = msgctl(0, IPC_INFO, (struct msqid_ds *)&mi);
  printf("IPC_INFO -> %d: msgpool %d msgmap %d msgmax %d msgmnb %d msgmni %d msgssz %d msgtql %d msgseg %d\n",
         mx, mi.msgpool, mi.msgmap, mi.msgmax, mi.msgmnb, mi.msgmni, mi.msgssz, mi.msgtql, mi.msgseg);
  mx = msgctl(0, MSG_INFO, (struct msqid_ds *)&mi);
  printf("MSG_INFO -> %d: msgpool %d msgmap %d msgtql %d\n", mx, mi.msgpool, mi.msgmap, mi.msgtql);

  /* another user */
  msgctl(id, IPC_STAT, &ds);
  ds.msg_perm.mode = 0642;
  msgctl(id, IPC_SET, &ds);
  c = fork();
  if (c == 0) {
    if (setgid(1000) || setuid(1000)) _exit(1);
    rcv("other user: msgrcv of 0642", id, 256, 0, IPC_NOWAIT);
    RES("other user: msgsnd to 0642", snd(id, 1, "from other", IPC_NOWAIT));
    ERR("other user: IPC_RMID", msgctl(id, IPC_RMID, NULL), EPERM);
    ERR("other user: IPC_STAT", msgctl(id, IPC_STAT, &ds), EACCES);
    RES("other user: MSG_STAT_ANY", msgctl(0, MSG_STAT_ANY, &ds));
    struct msqid_ds d2;
    memset(&d2, 0, sizeof d2);
    ERR("other user: IPC_SET", msgctl(id, IPC_SET, &d2), EPERM);
    _exit(t_failed);
  }
  int st;
  waitpid(c, &st, 0);
  OK("other-user child passed", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  c = fork();
  if (c == 0) {
    if (setgid(1000) || setuid(1000)) _exit(1);
    int own = msgget(IPC_PRIVATE, 0600);
    struct msqid_ds d3;
    msgctl(own, IPC_STAT, &d3);
    printf("other user's queue: uid %d cuid %d qbytes %lu\n", d3.msg_perm.uid, d3.msg_perm.cuid, d3.msg_qbytes);
    d3.msg_qbytes = 16385;
    ERR("other user: qbytes over msgmnb", msgctl(own, IPC_SET, &d3), EPERM);
    d3.msg_qbytes = 100;
    OK("other user: qbytes lowered", msgctl(own, IPC_SET, &d3) == 0);
    msgctl(own, IPC_RMID, NULL);
    _exit(t_failed);
  }
  waitpid(c, &st, 0);
  OK("other-user owner child passed", WIFEXITED(st) && WEXITSTATUS(st) == 0);

  /* /proc */
  char buf[256];
  int fd = open("/proc/sys/kernel/msgmax", O_RDONLY);
  ssize_t n = read(fd, buf, sizeof buf - 1);
  buf[n > 0 ? n : 0] = 0;
  close(fd);
  printf("msgmax %s", buf);
  fd = open("/proc/sys/kernel/msgmax", O_WRONLY);
  OK("write msgmax 100", write(fd, "100", 3) == 3);
  close(fd);
  char big[200];
  memset(big, 'x', sizeof big - 1);
  big[sizeof big - 1] = 0;
  ERR("msgsnd over msgmax", snd(id, 1, big, 0), EINVAL);
  fd = open("/proc/sys/kernel/msgmni", O_WRONLY);
  ERR("msgmni over IPCMNI", write(fd, "40000", 5), EINVAL);
  close(fd);
  FILE *pf = fopen("/proc/sysvipc/msg", "r");
  while (pf && fgets(buf, sizeof buf, pf)) {
    char k[32], i[32], m[32], cb[32], qn[32];
    if (sscanf(buf, "%31s %31s %31s %31s %31s", k, i, m, cb, qn) == 5)
      printf("  sysvipc/msg: %s %s %s %s %s\n", k, i, m, cb, qn);
  }
  if (pf) fclose(pf);

  /* hostile arguments */
  ERR("msgsnd from NULL", msgsnd(id, NULL, 1, 0), EFAULT);
  ERR("mtype 0", snd(id, 0, "x", 0), EINVAL);
  ERR("mtype negative", snd(id, -3, "x", 0), EINVAL);
  ERR("msgsz negative", msgsnd(id, &(struct mbuf){1, "x"}, (size_t)-1, 0), EINVAL);
  ERR("msgrcv msgsz negative", msgrcv(id, &(struct mbuf){0}, (size_t)-1, 0, 0), EINVAL);
  char *edge = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(edge + pg, pg);
  *(long *)(edge + pg - 12) = 1;
  ERR("msgsnd text running into an unmapped page", msgsnd(id, edge + pg - 12, 40, 0), EFAULT);
  ERR("msgsnd mtype in an unmapped page", msgsnd(id, edge + pg - 4, 1, 0), EFAULT);
  ERR("msgrcv into an unmapped page", msgrcv(id, edge + pg - 4, 64, 0, IPC_NOWAIT), EFAULT);
  RES("the message was taken and lost (qnum)", (long)qnum(id));
  ERR("MSG_COPY from an unmapped buffer", msgrcv(id, (void *)8, 64, 0, MSG_COPY | IPC_NOWAIT), EFAULT);
  ERR("IPC_STAT into a kernel address", msgctl(id, IPC_STAT, (void *)0xffffffff81000000UL), EFAULT);
  ERR("negative id", msgctl(-1, IPC_STAT, &ds), EINVAL);
  ERR("unknown command", msgctl(id, 42, &ds), EINVAL);
  OK("upper 32 bits of the id ignored", syscall(SYS_msgctl, 0x1234500000000UL | (unsigned)id, IPC_STAT, &ds) == 0);
  OK("IPC_RMID", msgctl(id, IPC_RMID, NULL) == 0);
  ERR("removed queue", snd(id, 1, "x", 0), EINVAL);
  return t_done();
}
