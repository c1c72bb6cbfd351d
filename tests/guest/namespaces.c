/* namespaces.c - unshare(2), setns(2) and clone's CLONE_NEW* flags:
 * UTS (a hostname of its own, setns back through /proc/PID/ns/uts), IPC
 * and cgroup (new namespace files), PID (getpid 1 inside, the parent's
 * view of its child, getppid 0, nested forks, kill(-1) within, the init's
 * protection against signals from inside, the namespace dying with its
 * init, a second unshare(CLONE_NEWPID) refused), and USER (overflow ids
 * before the maps, uid_map/gid_map/setgroups rules, capabilities inside,
 * what the namespace's root may and may not do, files owned by unmapped
 * ids), AF_UNIX credentials and F_GETLK's pid as the reader's namespaces
 * see them, plus
 * the errors for bad flags and bad fds; ioctl_ns(2) on namespace files
 * (NS_GET_NSTYPE, NS_GET_USERNS, NS_GET_PARENT, NS_GET_OWNER_UID, and
 * the EPERM/EINVAL/ENOTTY cases).  Only relations are
 * printed (same namespace or not), never inode numbers or host pids. */
#include "t.h"
#include <fcntl.h>
#include <grp.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

static int wr(const char *path, const char *text) {
  int fd = open(path, O_WRONLY);
  if (fd < 0) return -1;
  ssize_t n = write(fd, text, strlen(text));
  int e = errno;
  close(fd);
  errno = e;
  return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int rds(const char *path, char *buf, size_t len) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, len - 1);
  close(fd);
  buf[n > 0 ? n : 0] = 0;
  return n;
}

static ino_t ns_ino(const char *pid, const char *name) {
  char path[64];
  struct stat st;
  snprintf(path, sizeof path, "/proc/%s/ns/%s", pid, name);
  return stat(path, &st) ? 0 : st.st_ino;
}

/* runs fn in a child; fails the test if the child fails */
static void child(void (*fn)(void)) {
  fflush(stdout);
  pid_t c = fork();
  if (c == 0) {
    fn();
    _exit(t_failed ? 1 : 0);
  }
  int st;
  waitpid(c, &st, 0);
  if (!WIFEXITED(st) || WEXITSTATUS(st)) {
    printf("FAIL child (status %#x)\n", st);
    t_failed++;
  }
}

static void uts(void) {
  struct utsname u0, u1;
  uname(&u0);
  ino_t before = ns_ino("self", "uts");
  char link[64] = "";
  readlink("/proc/self/ns/uts", link, sizeof link - 1);
  char want[64];
  snprintf(want, sizeof want, "uts:[%lu]", (unsigned long)before);
  OK("/proc/self/ns/uts reads uts:[its inode]", !strcmp(link, want));
  int outer = open("/proc/self/ns/uts", O_RDONLY);
  OK("unshare(CLONE_NEWUTS)", unshare(CLONE_NEWUTS) == 0);
  OK("a new uts namespace", ns_ino("self", "uts") != before);
  OK("the same names at first", uname(&u1) == 0 && !strcmp(u0.nodename, u1.nodename));
  OK("sethostname inside", sethostname("inner", 5) == 0 && uname(&u1) == 0 && !strcmp(u1.nodename, "inner"));
  char h[80];
  OK("kernel.hostname follows", rds("/proc/sys/kernel/hostname", h, sizeof h) > 0 && !strcmp(h, "inner\n"));
  OK("setdomainname inside", setdomainname("dom", 3) == 0 && uname(&u1) == 0 && !strcmp(u1.domainname, "dom"));
  ERR("setns with the wrong type", setns(outer, CLONE_NEWPID), EINVAL);
  ERR("setns of a regular file", setns(open("/proc/self/status", O_RDONLY), 0), EINVAL);
  ERR("setns of a bad fd", setns(999, 0), EBADF);
  OK("setns back to the outer one", setns(outer, CLONE_NEWUTS) == 0 && uname(&u1) == 0 &&
     !strcmp(u0.nodename, u1.nodename) && ns_ino("self", "uts") == before);
}

static int semval(int id) { return semctl(id, 0, GETVAL); }

static void ipc_cgroup(void) {
  ino_t ipc = ns_ino("self", "ipc"), cg = ns_ino("self", "cgroup"), mnt = ns_ino("self", "mnt");
  /* unshare(CLONE_SYSVSEM) and a new IPC namespace apply the SEM_UNDO list, as exit does */
  int sem = semget(IPC_PRIVATE, 1, 0600);
  struct sembuf up = { 0, 2, SEM_UNDO };
  OK("semop +2 with SEM_UNDO", semop(sem, &up, 1) == 0 && semval(sem) == 2);
  OK("unshare(CLONE_SYSVSEM) undoes it", unshare(CLONE_SYSVSEM) == 0 && semval(sem) == 0);
  up.sem_op = 1;
  semop(sem, &up, 1);
  int fd = open("/proc/self/ns/ipc", O_RDONLY);
  OK("unshare(CLONE_NEWIPC|CLONE_NEWCGROUP)", unshare(CLONE_NEWIPC | CLONE_NEWCGROUP) == 0);
  OK("new ipc and cgroup namespaces", ns_ino("self", "ipc") != ipc && ns_ino("self", "cgroup") != cg);
  ERR("the old namespace's array is out of reach", semctl(sem, 0, GETVAL), EINVAL);
  OK("setns back to the old IPC namespace", setns(fd, CLONE_NEWIPC) == 0);
  OK("the new namespace undid our +1", semval(sem) == 0);
  up.sem_op = 3;
  semop(sem, &up, 1);
  OK("setns to another IPC namespace undoes too", unshare(CLONE_NEWIPC) == 0 && setns(fd, CLONE_NEWIPC) == 0 &&
     semval(sem) == 0);
  semctl(sem, 0, IPC_RMID);
  close(fd);
  OK("the mount namespace is the same", ns_ino("self", "mnt") == mnt);
  ERR("unshare of a flag it does not take", unshare(CLONE_SETTLS), EINVAL);
}

static volatile int got_term;
static void on_term(int s) { (void)s; got_term = 1; }

static void pidns_init(int report) {
  /* we are 1 here */
  printf("inner getpid %d getppid %d\n", getpid(), getppid());
  char st[4096];
  rds("/proc/self/status", st, sizeof st);
  char *ns = strstr(st, "NSpid:");
  int fields = 0;
  for (char *p = ns; p && *p && *p != '\n'; p++)
    if (*p == '\t') fields++;
  printf("inner NSpid fields %d\n", fields);
  pid_t g = fork();
  if (g == 0) {
    printf("grandchild getpid %d getppid %d\n", getpid(), getppid());
    _exit(0);
  }
  int s;
  OK("inner waitpid sees pid 2", waitpid(g, &s, 0) == 2);
  /* kill(1, ...) from inside: the init ignores what it has no handler for */
  OK("kill(1, SIGTERM) from inside returns 0", kill(1, SIGTERM) == 0);
  OK("... and the init lives on", 1);
  signal(SIGTERM, on_term);
  kill(1, SIGTERM);
  OK("a handled signal arrives", got_term);
  signal(SIGTERM, SIG_DFL);
  /* kill(-1) reaches the namespace's other processes only */
  g = fork();
  if (g == 0) { pause(); _exit(0); }
  OK("kill(-1, SIGKILL) inside", kill(-1, SIGKILL) == 0);
  OK("it killed our child", waitpid(g, &s, 0) == g && WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL);
  /* a sleeper that must die with us */
  g = fork();
  if (g == 0) {
    for (;;) pause();
  }
  write(report, "r", 1);
  close(report);
}

static void pidns(void) {
  pid_t me = getpid();
  OK("unshare(CLONE_NEWPID)", unshare(CLONE_NEWPID) == 0);
  OK("our own pid is unchanged", getpid() == me);
  ERR("a second unshare(CLONE_NEWPID) before forking", unshare(CLONE_NEWPID), EINVAL);
  ino_t mine = ns_ino("self", "pid");
  OK("pid_for_children has no init yet: no link", mine && ns_ino("self", "pid_for_children") == 0);
  int p[2], q[2];
  pipe(p);
  pipe(q);
  fflush(stdout);
  pid_t c = fork();
  if (c == 0) {
    close(p[0]);
    close(q[1]);
    pidns_init(p[1]);
    char b;
    read(q[0], &b, 1);   /* wait for the parent's SIGTERM test */
    _exit(t_failed ? 1 : 7);
  }
  close(p[1]);
  close(q[0]);
  char b;
  OK("the init reported", read(p[0], &b, 1) == 1);
  OK("the parent sees a normal pid", c > 1);
  /* from outside (the parent namespace): SIGTERM without a handler is
   * still ignored by the init, SIGKILL is not */
  OK("kill(child, SIGTERM) from outside", kill(c, SIGTERM) == 0);
  usleep(100000);
  OK("the init is still alive", waitpid(c, NULL, WNOHANG) == 0);
  write(q[1], "go", 1);
  int s = 0;
  pid_t w = waitpid(c, &s, 0);
  OK("it exits 7", w == c && WIFEXITED(s) && WEXITSTATUS(s) == 7);
  if (w != c || !WIFEXITED(s) || WEXITSTATUS(s) != 7) printf("status %#x\n", s);
  OK("the sleeper inside died with its init", read(p[0], &b, 1) == 0);
  /* the namespace is dead: no more children there */
  ERR("fork into a dead namespace", fork(), ENOMEM);
  /* CLONE_NEWPID through clone */
  c = syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
  if (c == 0) _exit(0);
  ERR("CLONE_NEWPID with CLONE_THREAD", syscall(SYS_clone, CLONE_NEWPID | CLONE_THREAD | CLONE_SIGHAND | CLONE_VM, 0, 0, 0, 0), EINVAL);
}

static void pidns_clone(void) {
  pid_t c = syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
  if (c == 0) _exit(getpid() == 1 && getppid() == 0 ? 0 : 1);
  int s;
  OK("clone(CLONE_NEWPID): the child is 1", c > 0 && waitpid(c, &s, 0) == c && WIFEXITED(s) && WEXITSTATUS(s) == 0);
  OK("the parent's own pid namespace is unchanged", ns_ino("self", "pid") == ns_ino("self", "pid_for_children"));
}

static volatile int got_usr1;
static void on_usr1(int s) { (void)s; got_usr1++; }

static void pidns_blocked(void) {
  /* a pid namespace's init: a signal blocked when it comes is queued
   * (a handler may come before the unblock), one still unhandled at the
   * unblock goes, and a fault with no handler kills it */
  int ready[2], go[2];
  pipe(ready);
  pipe(go);
  fflush(stdout);
  pid_t c = syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
  if (c == 0) {
    sigset_t set;
    char b;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, NULL);
    write(ready[1], "r", 1);
    read(go[0], &b, 1);   /* the parent sent SIGUSR1 and SIGUSR2 */
    sigset_t pend;
    sigpending(&pend);
    int queued = sigismember(&pend, SIGUSR1) && sigismember(&pend, SIGUSR2);
    signal(SIGUSR1, on_usr1);
    sigprocmask(SIG_UNBLOCK, &set, NULL);   /* SIGUSR2 still SIG_DFL: dropped */
    if (!queued || got_usr1 != 1)
      _exit(1);
    write(ready[1], "r", 1);
    read(go[0], &b, 1);
    *(volatile int *)8 = 1;   /* SIGSEGV, no handler */
    _exit(2);
  }
  char b;
  close(ready[1]);
  close(go[0]);
  OK("init blocked its signals", read(ready[0], &b, 1) == 1);
  OK("kill SIGUSR1 and SIGUSR2 from outside", kill(c, SIGUSR1) == 0 && kill(c, SIGUSR2) == 0);
  write(go[1], "g", 1);
  OK("both were queued; the handled one arrived, the unhandled one went",
     read(ready[0], &b, 1) == 1);
  write(go[1], "g", 1);
  int st = 0;
  OK("a fault without a handler kills the init",
     waitpid(c, &st, 0) == c && WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
}

static void userns_unpriv(void) {
  /* an ordinary user makes a user namespace and becomes its root */
  setgroups(0, NULL);
  setgid(1000);
  setuid(1000);
  prctl(PR_SET_DUMPABLE, 1);   /* /proc/self stays ours after setuid */
  ino_t before = ns_ino("self", "user");
  OK("unshare(CLONE_NEWUSER) as uid 1000", unshare(CLONE_NEWUSER) == 0);
  OK("a new user namespace", ns_ino("self", "user") != before);
  OK("before the maps: overflow ids", getuid() == 65534 && getgid() == 65534 && geteuid() == 65534);
  char buf[128];
  OK("uid_map empty", rds("/proc/self/uid_map", buf, sizeof buf) == 0);
  ERR("uid_map: mapping someone else", wr("/proc/self/uid_map", "0 0 1\n"), EPERM);
  ERR("uid_map: bad text", wr("/proc/self/uid_map", "zero 1000 1\n"), EINVAL);
  OK("uid_map: its own uid", wr("/proc/self/uid_map", "0 1000 1\n") == 0);
  ERR("uid_map is written once", wr("/proc/self/uid_map", "0 1000 1\n"), EPERM);
  OK("uid_map reads back", rds("/proc/self/uid_map", buf, sizeof buf) > 0 &&
     !strcmp(buf, "         0       1000          1\n"));
  ERR("gid_map before setgroups deny", wr("/proc/self/gid_map", "0 1000 1\n"), EPERM);
  OK("setgroups reads allow", rds("/proc/self/setgroups", buf, sizeof buf) > 0 && !strcmp(buf, "allow\n"));
  ERR("setgroups: bad word", wr("/proc/self/setgroups", "maybe"), EINVAL);
  OK("setgroups deny", wr("/proc/self/setgroups", "deny") == 0);
  OK("gid_map: its own gid", wr("/proc/self/gid_map", "0 1000 1\n") == 0);
  ERR("setgroups allow after deny", wr("/proc/self/setgroups", "allow"), EPERM);
  OK("now root inside", getuid() == 0 && geteuid() == 0 && getgid() == 0);
  struct __user_cap_header_struct { unsigned version; int pid; } h = { 0x20080522, 0 };
  struct { unsigned eff, prm, inh; } d[2];
  OK("with every capability", syscall(SYS_capget, &h, d) == 0 && d[0].eff == 0xffffffff && (d[1].eff & 0x1ff) == 0x1ff);
  gid_t g = 0;
  ERR("setgroups(2) is denied", setgroups(1, &g), EPERM);
  struct stat st;
  OK("files of unmapped ids read as 65534", stat("/", &st) == 0 && st.st_uid == 65534 && st.st_gid == 65534);
  ERR("sethostname: the uts namespace belongs to the parent", sethostname("x", 1), EPERM);
  OK("its own uts namespace", unshare(CLONE_NEWUTS) == 0 && sethostname("x", 1) == 0);
  OK("its own mount namespace", unshare(CLONE_NEWNS) == 0);
  OK("mount a tmpfs there", mount("tmpfs", "/tmp", "tmpfs", 0, NULL) == 0);
  OK("the tmpfs is root's", stat("/tmp", &st) == 0 && st.st_uid == 0);
  ERR("setuid to an unmapped id", setuid(5), EINVAL);
  OK("setuid(0) is fine", setuid(0) == 0);
  /* a nested one: the owner of a child namespace holds every capability in it */
  OK("a nested user namespace", unshare(CLONE_NEWUSER) == 0 && getuid() == 65534);
  OK("maps its root to ours", wr("/proc/self/uid_map", "0 0 1\n") == 0 && getuid() == 0);
}

static void userns_root(void) {
  /* unshare -r as root: map 0 to 0 */
  OK("root: unshare(CLONE_NEWUSER)", unshare(CLONE_NEWUSER) == 0);
  OK("map 0 0 1", wr("/proc/self/uid_map", "0 0 1\n") == 0 && wr("/proc/self/setgroups", "deny") == 0 &&
     wr("/proc/self/gid_map", "0 0 1\n") == 0);
  OK("uid and gid 0", getuid() == 0 && getgid() == 0);
  struct stat st;
  OK("root's files are root's", stat("/", &st) == 0 && st.st_uid == 0);
  ERR("a mount in a namespace the parent user namespace owns", mount("tmpfs", "/tmp", "tmpfs", 0, NULL), EPERM);
  ERR("CLONE_NEWUSER with CLONE_FS", syscall(SYS_clone, CLONE_NEWUSER | CLONE_FS | SIGCHLD, 0, 0, 0, 0), EINVAL);
}

static void userns_depth(void) {
  /* user namespaces nest 33 deep below the initial one: past that,
   * ENOSPC (EUSERS before Linux 4.9) */
  int n = 0;
  for (;;) {
    char map[64];
    uid_t u = geteuid();
    gid_t g = getegid();
    if (unshare(CLONE_NEWUSER))
      break;
    n++;
    snprintf(map, sizeof map, "0 %u 1\n", u);
    if (wr("/proc/self/uid_map", map) || wr("/proc/self/setgroups", "deny"))
      break;
    snprintf(map, sizeof map, "0 %u 1\n", g);
    if (wr("/proc/self/gid_map", map))
      break;
  }
  printf("user namespaces nested %d deep, then %s\n", n, en(errno));
  OK("33 levels, then ENOSPC", n == 33 && errno == ENOSPC);
}

static void clone_all(void) {
  /* what bwrap does: one clone with many namespaces */
  ino_t u = ns_ino("self", "uts"), i = ns_ino("self", "ipc"), m = ns_ino("self", "mnt"),
        us = ns_ino("self", "user"), n = ns_ino("self", "net");
  int p[2];
  pipe(p);
  fflush(stdout);
  pid_t c = syscall(SYS_clone, CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID |
                    CLONE_NEWNET | CLONE_NEWCGROUP | SIGCHLD, 0, 0, 0, 0);
  if (c == 0) {
    char b;
    read(p[0], &b, 1);   /* the parent writes our maps */
    int ok = getpid() == 1 && getuid() == 0 && ns_ino("self", "uts") != u && ns_ino("self", "ipc") != i &&
             ns_ino("self", "mnt") != m && ns_ino("self", "user") != us && ns_ino("self", "net") != n;
    ok = ok && mount("none", "/", NULL, MS_REC | MS_SLAVE, NULL) == 0;
    _exit(ok ? 0 : 1);
  }
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/uid_map", c);
  OK("the parent writes the child's uid_map", wr(path, "0 0 1\n") == 0);
  snprintf(path, sizeof path, "/proc/%d/setgroups", c);
  wr(path, "deny");
  snprintf(path, sizeof path, "/proc/%d/gid_map", c);
  OK("and its gid_map", wr(path, "0 0 1\n") == 0);
  write(p[1], "g", 1);
  int s;
  OK("clone with every namespace", c > 0 && waitpid(c, &s, 0) == c && WIFEXITED(s) && WEXITSTATUS(s) == 0);
}

/* credentials passed over AF_UNIX sockets are translated to the reader's
 * namespaces: SO_PEERCRED and SCM_CREDENTIALS */
static int peer(int fd, struct ucred *u) {
  socklen_t l = sizeof *u;
  return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, u, &l);
}

static int send_cred(int fd, pid_t pid, uid_t uid, gid_t gid) {
  char data = 'c', cbuf[CMSG_SPACE(sizeof(struct ucred))];
  struct iovec iov = { &data, 1 };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
  struct ucred u = { pid, uid, gid };
  memset(cbuf, 0, sizeof cbuf);
  if (pid) {
    mh.msg_control = cbuf;
    mh.msg_controllen = sizeof cbuf;
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_CREDENTIALS;
    c->cmsg_len = CMSG_LEN(sizeof u);
    memcpy(CMSG_DATA(c), &u, sizeof u);
  }
  return sendmsg(fd, &mh, 0) == 1 ? 0 : -1;
}

static int recv_cred(int fd, struct ucred *u) {
  char data, cbuf[CMSG_SPACE(sizeof(struct ucred))];
  struct iovec iov = { &data, 1 };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf };
  if (recvmsg(fd, &mh, 0) != 1) return -1;
  struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
  if (!c || c->cmsg_type != SCM_CREDENTIALS) return -1;
  memcpy(u, CMSG_DATA(c), sizeof *u);
  return 0;
}

static void creds(void) {
  int outer[2], p[2], done[2], one = 1;
  socketpair(AF_UNIX, SOCK_STREAM, 0, outer);
  setsockopt(outer[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
  pipe(p);
  pipe(done);
  /* a lock we hold: the child's F_GETLK sees no pid for us */
  char lockf[] = "/tmp/ns-lock-XXXXXX";
  int lfd = mkstemp(lockf);
  struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
  fcntl(lfd, F_SETLK, &fl);
  fflush(stdout);
  pid_t c = syscall(SYS_clone, CLONE_NEWUSER | CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
  if (c == 0) {
    char b;
    read(p[0], &b, 1);   /* the parent writes our maps: our 1000 is its 0 */
    struct ucred u;
    OK("SO_PEERCRED of a socket an invisible process made: pid 0, its uid as ours",
       peer(outer[1], &u) == 0 && u.pid == 0 && u.uid == 1000 && u.gid == 1000);
    int in[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, in);
    OK("SO_PEERCRED of our own: pid 1", peer(in[0], &u) == 0 && u.pid == 1 && u.uid == 1000 && u.gid == 1000);
    ERR("SCM_CREDENTIALS with an unmapped uid", send_cred(outer[1], 1, 5, 1000), EINVAL);
    ERR("SCM_CREDENTIALS with a pid nobody has here", send_cred(outer[1], 2, 1000, 1000), ESRCH);
    OK("SCM_CREDENTIALS as ourselves", send_cred(outer[1], 1, 1000, 1000) == 0);
    OK("implicit credentials", send_cred(outer[1], 0, 0, 0) == 0);
    struct flock q = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    int cfd = open(lockf, O_RDWR);
    OK("F_GETLK: a holder outside our pid namespace shows as pid 0",
       fcntl(cfd, F_GETLK, &q) == 0 && q.l_type == F_WRLCK && q.l_pid == 0);
    OK("a nested user namespace without maps", unshare(CLONE_NEWUSER) == 0);
    OK("there SO_PEERCRED shows the overflow ids", peer(in[0], &u) == 0 && u.pid == 1 && u.uid == 65534 && u.gid == 65534);
    fflush(stdout);
    write(done[1], "d", 1);
    _exit(t_failed ? 1 : 0);
  }
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/uid_map", c);
  wr(path, "1000 0 1\n");
  snprintf(path, sizeof path, "/proc/%d/setgroups", c);
  wr(path, "deny");
  snprintf(path, sizeof path, "/proc/%d/gid_map", c);
  wr(path, "1000 0 1\n");
  write(p[1], "g", 1);
  char b;
  read(done[0], &b, 1);   /* the child has printed its lines */
  struct ucred u;
  OK("the parent reads the child's explicit credentials in its own terms",
     recv_cred(outer[0], &u) == 0 && u.pid == c && u.uid == 0 && u.gid == 0);
  OK("and its implicit ones", recv_cred(outer[0], &u) == 0 && u.pid == c && u.uid == 0 && u.gid == 0);
  int s;
  OK("the child's checks", waitpid(c, &s, 0) == c && WIFEXITED(s) && WEXITSTATUS(s) == 0);
  unlink(lockf);
}

#define NS_GET_USERNS_ 0xb701
#define NS_GET_PARENT_ 0xb702
#define NS_GET_NSTYPE_ 0xb703
#define NS_GET_OWNER_UID_ 0xb704

static int same_ns(int fd, const char *path) {
  struct stat a, b;
  return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

static void ns_ioctls(void) {
  int uts = open("/proc/self/ns/uts", O_RDONLY), pid = open("/proc/self/ns/pid", O_RDONLY);
  int user = open("/proc/self/ns/user", O_RDONLY);
  OK("NS_GET_NSTYPE uts", ioctl(uts, NS_GET_NSTYPE_) == CLONE_NEWUTS);
  OK("NS_GET_NSTYPE pid", ioctl(pid, NS_GET_NSTYPE_) == CLONE_NEWPID);
  OK("NS_GET_NSTYPE user", ioctl(user, NS_GET_NSTYPE_) == CLONE_NEWUSER);
  int u = ioctl(uts, NS_GET_USERNS_);
  OK("NS_GET_USERNS of uts is our user namespace", u >= 0 && same_ns(u, "/proc/self/ns/user"));
  OK("... close-on-exec", u >= 0 && (fcntl(u, F_GETFD) & FD_CLOEXEC));
  close(u);
  ERR("NS_GET_PARENT of uts", ioctl(uts, NS_GET_PARENT_), EINVAL);
  ERR("NS_GET_OWNER_UID of uts", ioctl(uts, NS_GET_OWNER_UID_, &u), EINVAL);
  ERR("unknown ioctl on a namespace file", ioctl(uts, 0xb7ff), ENOTTY);
  /* a new pid namespace: its parent is ours; ours has none we may see */
  int hold[2];
  if (pipe(hold))
    return;
  int c = syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
  if (c == 0) {
    /* alive until the parent has looked at its namespace */
    char b;
    close(hold[1]);
    _exit(read(hold[0], &b, 1) == 0 ? 0 : 1);
  }
  close(hold[0]);
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/ns/pid", c);
  int cp = open(path, O_RDONLY);
  int parent = cp >= 0 ? ioctl(cp, NS_GET_PARENT_) : -1;
  OK("NS_GET_PARENT of a child pid namespace is ours", parent >= 0 && same_ns(parent, "/proc/self/ns/pid"));
  ERR("NS_GET_PARENT of our pid namespace", ioctl(parent, NS_GET_PARENT_), EPERM);
  close(hold[1]);
  waitpid(c, NULL, 0);
  close(cp);
  close(parent);
  /* a new user namespace: owner uid, parent from outside and inside */
  int go[2], back[2];
  if (pipe(go) || pipe(back))
    return;
  c = fork();
  if (c == 0) {
    char b;
    if (unshare(CLONE_NEWUSER))
      _exit(2);
    int ufd = open("/proc/self/ns/user", O_RDONLY);
    uid_t owner = 1;
    int r = ioctl(ufd, NS_GET_OWNER_UID_, &owner);
    printf("inside: NS_GET_OWNER_UID %d owner %u\n", r, owner);
    errno = 0;
    r = ioctl(ufd, NS_GET_PARENT_);
    printf("inside: NS_GET_PARENT %d %s\n", r, r < 0 ? en(errno) : "");
    errno = 0;
    r = ioctl(uts, NS_GET_USERNS_);
    printf("inside: NS_GET_USERNS of the old uts %d %s\n", r, r < 0 ? en(errno) : "");
    if (write(back[1], "r", 1) != 1 || read(go[0], &b, 1) != 1)
      _exit(3);
    _exit(0);
  }
  char b;
  if (read(back[0], &b, 1) == 1) {
    snprintf(path, sizeof path, "/proc/%d/ns/user", c);
    int cu = open(path, O_RDONLY);
    uid_t owner = 99;
    OK("outside: NS_GET_OWNER_UID of the child's", ioctl(cu, NS_GET_OWNER_UID_, &owner) == 0 && owner == getuid());
    int pu = ioctl(cu, NS_GET_PARENT_);
    OK("outside: NS_GET_PARENT of the child's is ours", pu >= 0 && same_ns(pu, "/proc/self/ns/user"));
    close(pu);
    close(cu);
  }
  if (write(go[1], "g", 1) != 1)
    return;
  int st;
  waitpid(c, &st, 0);
  OK("user namespace child", WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int main(void) {
  child(ns_ioctls);
  child(uts);
  child(ipc_cgroup);
  child(pidns);
  child(pidns_clone);
  child(pidns_blocked);
  child(userns_unpriv);
  child(userns_root);
  child(userns_depth);
  child(clone_all);
  child(creds);
  return t_done();
}
