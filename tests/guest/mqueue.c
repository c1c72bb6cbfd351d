/* mqueue.c - POSIX message queues: mq_open (names, O_CREAT/O_EXCL,
 * attributes and their limits, access modes, permissions for another
 * user, RLIMIT_MSGQUEUE), mq_send/mq_receive by priority, O_NONBLOCK,
 * EMSGSIZE, timeouts, a receiver and a sender that sleep until another
 * process acts, mq_getattr/mq_setattr, mq_notify (SIGEV_SIGNAL with its
 * siginfo, SIGEV_NONE, EBUSY, removal by a close of the owner, one shot),
 * poll readiness, the queue's file on an mqueue mount (QSIZE, NOTIFY...;
 * listing, stat, unlink), /proc/sys/fs/mqueue, and hostile arguments.
 * Natively it runs in new IPC and mount namespaces with an mqueue mount
 * of its own; under umk the guest's /dev/mqueue serves.                */
#include "t.h"
#include <dirent.h>
#include <fcntl.h>
#include <mqueue.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

static long raw_open(const char *name, int flags, int mode, void *attr) {
  return syscall(SYS_mq_open, name, flags, mode, attr);
}

static void show_attr(const char *what, mqd_t q) {
  struct mq_attr a;
  if (mq_getattr(q, &a)) { printf("%s: getattr %s\n", what, en(errno)); return; }
  printf("%s: flags %s maxmsg %ld msgsize %ld curmsgs %ld\n", what,
         a.mq_flags & O_NONBLOCK ? "O_NONBLOCK" : "0", a.mq_maxmsg, a.mq_msgsize, a.mq_curmsgs);
}

static void recv1(const char *what, mqd_t q, size_t len) {
  char buf[9000];
  unsigned prio = 99;
  errno = 0;
  ssize_t n = mq_receive(q, buf, len, &prio);
  if (n < 0) printf("%s: -1 %s\n", what, en(errno));
  else printf("%s: %zd bytes prio %u '%.*s'\n", what, n, prio, (int)n, buf);
}

static const char *mqdir = "/dev/mqueue";

static void show_file(const char *name) {
  char path[300], buf[200];
  snprintf(path, sizeof path, "%s/%s", mqdir, name);
  int fd = open(path, O_RDONLY);
  if (fd < 0) { printf("file %s: %s\n", name, en(errno)); return; }
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  buf[n > 0 ? n : 0] = 0;
  /* NOTIFY_PID is a pid: say whether it is set */
  char *p = strstr(buf, "NOTIFY_PID:");
  if (p) { int pid = atoi(p + 11); sprintf(p, "NOTIFY_PID:%s", pid ? "set" : "0"); }
  printf("file %s: %s\n", name, buf);
}

static pid_t wait_sleeping(pid_t c) {
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

static int thread_pipe[2];
static void notify_fn(union sigval v) {
  char msg[64];
  int n = snprintf(msg, sizeof msg, "%d", v.sival_int);
  write(thread_pipe[1], msg, n);
}

static volatile siginfo_t got;
static volatile int ngot;
static void on_sig(int s, siginfo_t *si, void *uc) { (void)s; (void)uc; got = *si; ngot++; }

int main(void) {
  long pg = sysconf(_SC_PAGESIZE);
  if (unshare(CLONE_NEWIPC | CLONE_NEWNS) == 0 && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0) {
    mkdir("mqd", 0755);
    if (mount("mqueue", "mqd", "mqueue", 0, NULL) == 0) mqdir = "mqd";
  }
  umask(022);

  /* names */
  ERR("empty name", raw_open("", O_CREAT | O_RDWR, 0600, NULL), ENOENT);
  ERR("name with a slash", raw_open("a/b", O_CREAT | O_RDWR, 0600, NULL), EACCES);
  ERR("name '.'", raw_open(".", O_CREAT | O_RDWR, 0600, NULL), EACCES);
  ERR("name '..'", raw_open("..", O_CREAT | O_RDWR, 0600, NULL), EACCES);
  char longname[300];
  memset(longname, 'x', 299);
  longname[299] = 0;
  ERR("name of 299 bytes", raw_open(longname, O_CREAT | O_RDWR, 0600, NULL), ENAMETOOLONG);
  longname[255] = 0;
  long fd255 = raw_open(longname, O_CREAT | O_RDWR, 0600, NULL);
  OK("name of 255 bytes", fd255 >= 0);
  close(fd255);
  OK("unlink it", syscall(SYS_mq_unlink, longname) == 0);
  ERR("name from a bad pointer", raw_open((char *)8, O_RDWR, 0, NULL), EFAULT);
  ERR("glibc wants a leading slash", (long)mq_open("noslash", O_RDWR), EINVAL);
  ERR("no such queue", (long)mq_open("/nosuch", O_RDWR), ENOENT);
  ERR("unlink no such queue", mq_unlink("/nosuch"), ENOENT);

  /* attributes */
  struct mq_attr at = {0, 4, 64, 0};
  mqd_t q = mq_open("/q1", O_CREAT | O_EXCL | O_RDWR, 0640, &at);
  OK("create /q1", q >= 0);
  show_attr("q1", q);
  ERR("O_EXCL on existing", (long)mq_open("/q1", O_CREAT | O_EXCL | O_RDWR, 0600, &at), EEXIST);
  ERR("O_WRONLY|O_RDWR on existing", raw_open("q1", O_WRONLY | O_RDWR, 0, NULL), EINVAL);
  struct mq_attr bad = {0, 0, 64, 0};
  ERR("maxmsg 0", (long)mq_open("/qb", O_CREAT | O_RDWR, 0600, &bad), EINVAL);
  bad.mq_maxmsg = 4;
  bad.mq_msgsize = -1;
  ERR("msgsize -1", (long)mq_open("/qb", O_CREAT | O_RDWR, 0600, &bad), EINVAL);
  bad.mq_msgsize = 64;
  ERR("attr from a bad pointer", raw_open("qb", O_CREAT | O_RDWR, 0600, (void *)8), EFAULT);
  mqd_t qd = mq_open("/qdef", O_CREAT | O_RDWR, 0600, NULL);
  show_attr("default attributes", qd);
  mq_close(qd);
  mq_unlink("/qdef");

  /* send and receive by priority */
  OK("send a/1", mq_send(q, "a", 1, 1) == 0);
  OK("send b/5", mq_send(q, "bb", 2, 5) == 0);
  OK("send c/1", mq_send(q, "ccc", 3, 1) == 0);
  OK("send d/5", mq_send(q, "dddd", 4, 5) == 0);
  show_attr("four queued", q);
  show_file("q1");
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  struct timespec soon = {now.tv_sec, now.tv_nsec};
  soon.tv_nsec += 50000000;
  if (soon.tv_nsec >= 1000000000) { soon.tv_sec++; soon.tv_nsec -= 1000000000; }
  ERR("full: timed send times out", mq_timedsend(q, "e", 1, 0, &soon), ETIMEDOUT);
  ERR("message over msgsize", mq_send(q, longname, 65, 0), EMSGSIZE);
  ERR("priority 32768", mq_send(q, "x", 1, 32768), EINVAL);
  recv1("buffer under msgsize", q, 63);
  recv1("1st", q, 64);
  recv1("2nd", q, 64);
  recv1("3rd", q, 64);
  recv1("4th", q, 64);
  struct timespec past = {1, 0};
  ERR("empty: timed receive with a past deadline", mq_timedreceive(q, longname, 64, NULL, &past), ETIMEDOUT);
  struct timespec badts = {now.tv_sec + 1, 1000000000};
  ERR("invalid timeout", mq_timedreceive(q, longname, 64, NULL, &badts), EINVAL);
  ERR("invalid timeout, even on a bad fd", mq_timedreceive(999, longname, 64, NULL, &badts), EINVAL);

  /* O_NONBLOCK via mq_setattr */
  struct mq_attr na = {O_NONBLOCK, 0, 0, 0}, old;
  OK("mq_setattr O_NONBLOCK", mq_setattr(q, &na, &old) == 0 && !(old.mq_flags & O_NONBLOCK));
  show_attr("after setattr", q);
  recv1("empty, O_NONBLOCK", q, 64);
  na.mq_flags = O_NONBLOCK | O_APPEND;
  ERR("mq_setattr other flags", mq_setattr(q, &na, NULL), EINVAL);
  na.mq_flags = 0;
  mq_setattr(q, &na, NULL);

  /* poll */
  struct pollfd pf = {q, POLLIN | POLLOUT, 0};
  poll(&pf, 1, 0);
  printf("poll empty: %s%s\n", pf.revents & POLLIN ? "IN " : "", pf.revents & POLLOUT ? "OUT" : "");
  for (int i = 0; i < 4; i++) mq_send(q, "f", 1, 0);
  poll(&pf, 1, 0);
  printf("poll full: %s%s\n", pf.revents & POLLIN ? "IN " : "", pf.revents & POLLOUT ? "OUT" : "");

  /* a sender sleeps until a receiver makes room */
  pid_t c = fork();
  if (c == 0) {
    int r = mq_send(q, "late", 4, 9);
    printf("child: blocked send -> %d\n", r);
    _exit(0);
  }
  wait_sleeping(c);
  char tmp[64];
  mq_receive(q, tmp, 64, NULL);
  waitpid(c, NULL, 0);
  recv1("the sleeper's message is first (priority 9)", q, 64);
  while (mq_getattr(q, &old) == 0 && old.mq_curmsgs) mq_receive(q, tmp, 64, NULL);

  /* a receiver sleeps until a sender hands it a message */
  c = fork();
  if (c == 0) {
    recv1("child: blocked receive", q, 64);
    _exit(0);
  }
  wait_sleeping(c);
  mq_send(q, "handed", 6, 3);
  waitpid(c, NULL, 0);
  show_attr("nothing queued", q);

  /* access modes */
  mqd_t ro = mq_open("/q1", O_RDONLY);
  ERR("send on a read-only descriptor", mq_send(ro, "x", 1, 0), EBADF);
  mqd_t wo = mq_open("/q1", O_WRONLY | O_NONBLOCK);
  show_attr("O_WRONLY|O_NONBLOCK open", wo);
  ERR("receive on a write-only descriptor", mq_receive(wo, tmp, 64, NULL), EBADF);
  ERR("send on a regular fd", mq_send(0, "x", 1, 0), EBADF);
  ERR("getattr on a regular fd", mq_getattr(1, &old), EBADF);

  /* notification */
  struct sigaction sa = {0};
  sa.sa_sigaction = on_sig;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGUSR1, &sa, NULL);
  struct sigevent ev = {0};
  ev.sigev_notify = SIGEV_SIGNAL;
  ev.sigev_signo = SIGUSR1;
  ev.sigev_value.sival_int = 4242;
  OK("mq_notify SIGEV_SIGNAL", mq_notify(q, &ev) == 0);
  show_file("q1");   /* its close, by the owner process, removed the registration */
  OK("mq_notify after the owner closed a descriptor of the queue", mq_notify(q, &ev) == 0);
  ERR("mq_notify again", mq_notify(q, &ev), EBUSY);
  c = fork();
  if (c == 0) {
    ERR("child: mq_notify while the parent holds it", mq_notify(q, &ev), EBUSY);
    OK("child: mq_notify(NULL) by a non-owner is ignored", mq_notify(q, NULL) == 0);
    OK("child: send", mq_send(q, "ping", 4, 0) == 0);
    _exit(0);
  }
  while (waitpid(c, NULL, 0) < 0 && errno == EINTR)   /* SIGUSR1 may interrupt it */
    ;
  for (int i = 0; i < 100 && !ngot; i++) usleep(10000);
  printf("signals %d: signo %d code %s value %d pid-is-child %d uid %d\n", ngot, got.si_signo,
         got.si_code == SI_MESGQ ? "SI_MESGQ" : "other", got.si_value.sival_int, got.si_pid == c, got.si_uid);
  show_file("q1");
  OK("registration went after it fired", mq_notify(q, &ev) == 0);
  mq_send(wo, "second", 6, 0);   /* queue not empty before: no signal */
  usleep(50000);
  printf("signals after a send to a non-empty queue: %d\n", ngot);
  while (mq_getattr(q, &old) == 0 && old.mq_curmsgs) mq_receive(q, tmp, 64, NULL);
  mq_send(wo, "third", 5, 0);
  for (int i = 0; i < 100 && ngot < 2; i++) usleep(10000);
  printf("signals after a send to the empty queue: %d\n", ngot);
  mq_receive(q, tmp, 64, NULL);
  ev.sigev_notify = SIGEV_NONE;
  OK("mq_notify SIGEV_NONE", mq_notify(q, &ev) == 0);
  show_file("q1");
  mq_close(ro);     /* a close by the owner removes it */
  show_file("q1");
  ev.sigev_notify = 77;
  ERR("mq_notify bad sigev_notify", mq_notify(q, &ev), EINVAL);
  ev.sigev_notify = SIGEV_SIGNAL;
  ev.sigev_signo = 65;
  ERR("mq_notify signal 65", mq_notify(q, &ev), EINVAL);
  struct { long val; int signo, notify; long pad[6]; } th = {(long)tmp, 1, SIGEV_THREAD};
  ERR("SIGEV_THREAD with a non-socket", syscall(SYS_mq_notify, q, &th), ENOTSOCK);
  int sv[2];
  socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
  th.signo = sv[0];
  ERR("SIGEV_THREAD with an AF_UNIX socket", syscall(SYS_mq_notify, q, &th), EINVAL);
  th.val = 8;
  ERR("SIGEV_THREAD with a bad cookie pointer", syscall(SYS_mq_notify, q, &th), EFAULT);
  ERR("mq_notify from a bad pointer", syscall(SYS_mq_notify, q, (void *)8), EFAULT);

  /* SIGEV_THREAD as glibc does it: a netlink socket that a helper thread
   * reads the cookie from, then the function runs in a new thread */
  pipe(thread_pipe);
  struct sigevent tev = {0};
  tev.sigev_notify = SIGEV_THREAD;
  tev.sigev_notify_function = notify_fn;
  tev.sigev_value.sival_int = 777;
  while (mq_getattr(q, &old) == 0 && old.mq_curmsgs) mq_receive(q, tmp, 64, NULL);
  OK("mq_notify SIGEV_THREAD", mq_notify(q, &tev) == 0);
  c = fork();
  if (c == 0) {   /* the file read by another process: a close by the owner would remove it */
    show_file("q1");
    _exit(0);
  }
  waitpid(c, NULL, 0);
  mq_send(wo, "wake", 4, 0);
  struct pollfd tp = {thread_pipe[0], POLLIN, 0};
  char tbuf[64] = "";
  if (poll(&tp, 1, 5000) == 1) {
    ssize_t tn = read(thread_pipe[0], tbuf, sizeof tbuf - 1);
    tbuf[tn > 0 ? tn : 0] = 0;
  }
  printf("the notification thread ran with value '%s'\n", tbuf);
  show_file("q1");
  mq_receive(q, tmp, 64, NULL);
  OK("SIGEV_THREAD again", mq_notify(q, &tev) == 0);
  OK("and removed", mq_notify(q, NULL) == 0);
  show_file("q1");
  int nl = socket(AF_NETLINK, SOCK_RAW, 0);
  th.val = (long)tmp;
  th.signo = nl;
  OK("SIGEV_THREAD on a netlink socket of our own", syscall(SYS_mq_notify, q, &th) == 0);
  mq_send(wo, "cookie", 6, 0);
  memset(tmp, 0, 32);
  strcpy(tmp, "cookie-data");
  char ck[64];
  ssize_t ckn = recv(nl, ck, sizeof ck, MSG_DONTWAIT);
  printf("the cookie: %zd bytes, last byte %d (NOTIFY_WOKENUP)\n", ckn, ckn == 32 ? ck[31] : -1);
  close(nl);
  mq_receive(q, tmp, 64, NULL);
  ERR("mq_notify on a regular fd", syscall(SYS_mq_notify, 0, NULL), EBADF);

  /* the filesystem view */
  struct stat st;
  char path[300];
  snprintf(path, sizeof path, "%s/q1", mqdir);
  OK("stat of the queue file", stat(path, &st) == 0);
  printf("stat: mode %o size %ld nlink %ld\n", st.st_mode, (long)st.st_size, (long)st.st_nlink);
  OK("stat of the directory", stat(mqdir, &st) == 0);
  printf("dir: mode %o\n", st.st_mode);
  mq_close(mq_open("/q2", O_CREAT | O_RDWR, 0600, &at));
  DIR *d = opendir(mqdir);
  int names = 0;
  struct dirent *de;
  while (d && (de = readdir(d)))
    if (de->d_name[0] != '.') printf("listed %s\n", de->d_name), names++;
  if (d) closedir(d);
  snprintf(path, sizeof path, "%s/q2", mqdir);
  OK("unlink through the filesystem", unlink(path) == 0);
  ERR("gone", (long)mq_open("/q2", O_RDWR), ENOENT);
  snprintf(path, sizeof path, "%s/sub", mqdir);
  ERR("mkdir on the filesystem", mkdir(path, 0755), EPERM);
  snprintf(path, sizeof path, "%s/viaopen", mqdir);
  int vf = open(path, O_CREAT | O_RDWR, 0600);
  OK("open(O_CREAT) makes a queue", vf >= 0);
  show_attr("made by open()", vf);
  OK("and it is a message queue", mq_send(vf, "x", 1, 0) == 0);
  close(vf);
  mq_unlink("/viaopen");

  /* another user */
  c = fork();
  if (c == 0) {
    if (setgid(1000) || setuid(1000)) _exit(1);
    ERR("other user: open 0640 for writing", (long)mq_open("/q1", O_WRONLY), EACCES);
    ERR("other user: unlink root's queue", mq_unlink("/q1"), EACCES);
    struct mq_attr big = {0, 11, 64, 0};
    ERR("other user: maxmsg over msg_max", (long)mq_open("/q3", O_CREAT | O_RDWR, 0600, &big), EINVAL);
    _exit(t_failed);
  }
  int status;
  waitpid(c, &status, 0);
  OK("other-user child passed", WIFEXITED(status) && WEXITSTATUS(status) == 0);

  /* limits */
  char buf[64];
  int fd = open("/proc/sys/fs/mqueue/msg_max", O_RDONLY);
  ssize_t n = read(fd, buf, sizeof buf - 1);
  buf[n > 0 ? n : 0] = 0;
  close(fd);
  printf("msg_max %s", buf);
  fd = open("/proc/sys/fs/mqueue/queues_max", O_WRONLY);
  OK("queues_max 3", write(fd, "3", 1) == 1);
  close(fd);
  fd = open("/proc/sys/fs/mqueue/msg_max", O_WRONLY);
  ERR("msg_max 0", write(fd, "0", 1), EINVAL);
  close(fd);
  c = fork();
  if (c == 0) {
    if (setgid(1000) || setuid(1000)) _exit(1);
    mqd_t a1 = mq_open("/u1", O_CREAT | O_RDWR, 0600, &at);
    mqd_t a2 = mq_open("/u2", O_CREAT | O_RDWR, 0600, &at);
    OK("other user: two more queues", a1 >= 0 && a2 >= 0);
    ERR("other user: past queues_max", (long)mq_open("/u3", O_CREAT | O_RDWR, 0600, &at), ENOSPC);
    mq_unlink("/u1");
    mq_unlink("/u2");
    ERR("other user: unlinked but open queues still count", (long)mq_open("/u3", O_CREAT | O_RDWR, 0600, &at), ENOSPC);
    mq_close(a1);
    mq_close(a2);
    struct rlimit rl = {100000, 100000};
    setrlimit(RLIMIT_MSGQUEUE, &rl);
    mqd_t b1 = mq_open("/v1", O_CREAT | O_RDWR, 0600, NULL);
    OK("other user: one default queue within 100000 bytes", b1 >= 0);
    ERR("other user: a second over RLIMIT_MSGQUEUE", (long)mq_open("/v2", O_CREAT | O_RDWR, 0600, NULL), EMFILE);
    mq_unlink("/v1");
    _exit(t_failed);
  }
  waitpid(c, &status, 0);
  OK("limits child passed", WIFEXITED(status) && WEXITSTATUS(status) == 0);

  /* hostile arguments */
  char *edge = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(edge + pg, pg);
  ERR("send from a buffer into an unmapped page", mq_send(q, edge + pg - 8, 16, 0), EFAULT);
  mq_send(q, "0123456789abcdef", 16, 0);
  ERR("receive into a buffer into an unmapped page", mq_receive(q, edge + pg - 8, 64, NULL), EFAULT);
  show_attr("the message is lost", q);
  mq_send(q, "x", 1, 0);
  ERR("priority to a bad pointer", mq_receive(q, tmp, 64, (unsigned *)8), EFAULT);
  ERR("timeout from a bad pointer", mq_timedsend(q, "x", 1, 0, (void *)8), EFAULT);
  ERR("getattr into a bad pointer", mq_getattr(q, (void *)8), EFAULT);
  OK("upper 32 bits of the fd ignored", syscall(SYS_mq_getsetattr, 0x777700000000L | q, NULL, &old) == 0);
  OK("mq_unlink /q1", mq_unlink("/q1") == 0);
  OK("an open queue works after unlink", mq_send(q, "y", 1, 0) == 0);

  /* a mount of an IPC namespace's queues outlives the namespace: its
   * queues stay visible, nothing new can be made there */
  if (mqdir) {
    mkdir("mqd2", 0755);
    fflush(stdout);
    pid_t k = fork();
    if (k == 0) {
      if (unshare(CLONE_NEWIPC))
        _exit(1);
      mqd_t kq = mq_open("/kept", O_CREAT | O_RDWR, 0600, NULL);
      _exit(kq >= 0 && mq_close(kq) == 0 && mount("mqueue", "mqd2", "mqueue", 0, NULL) == 0 ? 0 : 2);
    }
    waitpid(k, &status, 0);
    OK("a child in a new IPC namespace made a queue and mounted its queues",
       WIFEXITED(status) && WEXITSTATUS(status) == 0);
    OK("its queue is still there once the namespace is gone", access("mqd2/kept", F_OK) == 0);
    ERR("no new queue in a gone namespace", open("mqd2/new", O_CREAT | O_RDWR, 0600), EACCES);
    OK("umount it", umount("mqd2") == 0);
    OK("the directory is empty again", access("mqd2/kept", F_OK) == -1 && errno == ENOENT);
  }
  return t_done();
}
