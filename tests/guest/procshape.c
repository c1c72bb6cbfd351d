/* procshape.c - the /proc files tests/survey/procsurvey.sh found missing
 * or different, checked by shape against the native run: which exist,
 * their modes, whether they open and read, whether a /proc/sys file opens
 * for writing (never written: natively these are the host's), and the
 * format of their text (field names, number and kind of fields), never
 * the host's numbers.  Covers /proc/pressure, /proc/tty/drivers,
 * /proc/cgroups, /proc/execdomains, /proc/locks, /proc/slabinfo,
 * /proc/softirqs, /proc/net/{psched,
 * netstat,snmp6,arp,dev_mcast}, PID/{cpuset,schedstat,mountstats},
 * the fdinfo lines of eventfd, epoll, signalfd, timerfd, inotify and
 * fanotify,
 * PID/syscall, PID/autogroup, PID/timers, PID/clear_refs (soft-dirty bits), task/TID/children and
 * which entries the thread view lacks, status's
 * field names and its Groups: line, the /proc/sys settings added, and
 * vm.memfd_noexec's effect on memfd_create in a new pid namespace, and
 * sysctl writes past the start (ignored for a number, appended for a
 * string). */
#include "t.h"
#include <ctype.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <stdint.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#define MFD_EXEC 0x0010U
#endif

static char buf[65536];

/* reads a whole file into buf; length or -errno */
static long rd(const char *path) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -errno;
  long n = 0, r;
  while ((r = read(fd, buf + n, sizeof buf - 1 - n)) > 0) n += r;
  int e = errno;
  close(fd);
  if (r < 0) return -e;
  buf[n] = 0;
  return n;
}

/* path, type, mode, open/read result */
static void entry(const char *path) {
  struct stat st;
  if (lstat(path, &st) < 0) {
    printf("%s: %s\n", path, en(errno));
    return;
  }
  long n = S_ISDIR(st.st_mode) ? 0 : rd(path);
  printf("%s: %s %04o %s\n", path, S_ISDIR(st.st_mode) ? "dir" : "file",
         (unsigned)(st.st_mode & 07777), n < 0 ? en((int)-n) : n == 0 ? "empty" : "text");
}

/* the shape of a text: each token a number (N), a decimal (D) or itself */
static void shape(const char *s, char *out, size_t cap) {
  size_t o = 0;
  while (*s && o + 4 < cap) {
    if (isdigit((unsigned char)*s) || (*s == '-' && isdigit((unsigned char)s[1]))) {
      int dot = 0;
      s++;
      while (isdigit((unsigned char)*s) || (*s == '.' && !dot++)) s++;
      out[o++] = dot ? 'D' : 'N';
    } else {
      out[o++] = *s++;
    }
  }
  out[o] = 0;
}

static void print_shape(const char *path) {
  static char sh[65536];
  long n = rd(path);
  if (n < 0) {
    printf("%s: %s\n", path, en((int)-n));
    return;
  }
  shape(buf, sh, sizeof sh);
  printf("%s shape:\n%s", path, sh);
}

/* a /proc/sys file: mode, read, its value's shape, O_WRONLY open */
static void sysctl(const char *name) {
  char path[256], sh[256];
  snprintf(path, sizeof path, "/proc/sys/%s", name);
  struct stat st;
  if (stat(path, &st) < 0) {
    printf("%s: %s\n", name, en(errno));
    return;
  }
  long n = rd(path);
  if (n >= 0) shape(buf, sh, sizeof sh);
  int w = open(path, O_WRONLY);
  int we = errno;
  if (w >= 0) close(w);
  char *nl = n >= 0 ? strchr(sh, '\n') : NULL;
  if (nl) *nl = 0;
  printf("%s: %04o read=%s [%s] wropen=%s\n", name, (unsigned)(st.st_mode & 07777),
         n < 0 ? en((int)-n) : "ok", n >= 0 ? sh : "", w >= 0 ? "ok" : en(we));
}

int main(void) {
  /* global files */
  static const char *const globals[] = {
      "/proc/pressure", "/proc/pressure/cpu", "/proc/pressure/io", "/proc/pressure/memory",
      "/proc/tty", "/proc/tty/drivers", "/proc/cgroups", "/proc/execdomains", NULL};
  for (int i = 0; globals[i]; i++) entry(globals[i]);
  if (access("/proc/pressure/cpu", F_OK) == 0) {
    /* "some avg10=D avg60=D avg300=D total=N" and a "full" line */
    print_shape("/proc/pressure/memory");
    print_shape("/proc/pressure/io");
    int fd = open("/proc/pressure/cpu", O_RDWR);
    printf("pressure cpu O_RDWR: %s\n", fd >= 0 ? "ok" : en(errno));
    if (fd >= 0) close(fd);
  }
  rd("/proc/tty/drivers");
  printf("tty/drivers pty_slave: %s\n",
         strstr(buf, "pty_slave            /dev/pts      136 0-1048575 pty:slave\n") ? "yes" : "no");
  printf("tty/drivers /dev/tty: %s\n",
         strstr(buf, "/dev/tty             /dev/tty        5       0 system:/dev/tty\n") ? "yes" : "no");
  rd("/proc/cgroups");
  static const char hdr[] = "#subsys_name\thierarchy\tnum_cgroups\tenabled\n";
  int rows = 0, rows_ok = 1;
  for (char *l = strchr(buf, '\n'); l && l[1]; l = strchr(l + 1, '\n')) {
    char name[64];
    int h, n, e, k;
    rows++;
    if (sscanf(l + 1, "%63[a-z_]\t%d\t%d\t%d%n", name, &h, &n, &e, &k) != 4 || l[1 + k] != '\n')
      rows_ok = 0;
  }
  printf("cgroups header: %s, rows: %s, formatted: %s\n",
         !strncmp(buf, hdr, strlen(hdr)) ? "yes" : "no", rows > 0 ? "some" : "none",
         rows_ok ? "yes" : "no");
  entry("/proc/softirqs");
  if (rd("/proc/softirqs") > 0) {   /* names, one column per CPU, widths */
    int ok = 1, lines = 0;
    size_t hdr = strcspn(buf, "\n");
    for (char *l = buf + hdr + 1, *nl; (nl = strchr(l, '\n')); l = nl + 1, lines++) {
      /* "%12s:" then " %10u" per CPU: the header's width */
      if ((size_t)(nl - l) != 13 + (hdr - 20) / 11 * 11 || l[12] != ':') ok = 0;
      printf("softirq %.*s\n", 12, l);
    }
    printf("softirqs: header %s, %d rows as wide as it: %s\n",
           !strncmp(buf, "                    CPU0       ", 31) ? "ok" : "bad", lines, ok ? "yes" : "no");
  }
  entry("/proc/slabinfo");
  if (rd("/proc/slabinfo") > 0) {   /* the header; the caches are the host's natively */
    char *e = strchr(buf, '\n');
    e = e ? strchr(e + 1, '\n') : NULL;
    printf("slabinfo header: %.*s\n", e ? (int)(e - buf) : 0, buf);
  }
  rd("/proc/execdomains");
  printf("execdomains: %s", buf);

  /* /proc/locks: a flock, a POSIX range to EOF, a bounded one and an OFD
   * lock on four files here, each line with its id, our pid and the
   * file's device and inode replaced by names; sorted (Linux lists the
   * newest first, an order no program can rely on) */
  {
    static const char *const names[] = {"lk_flock", "lk_posix", "lk_range", "lk_ofd"};
    char ids[4][64], lines[8][160];
    int fds[4], nl = 0;
    for (int i = 0; i < 4; i++) {
      struct stat st;
      fds[i] = open(names[i], O_RDWR | O_CREAT | O_TRUNC, 0644);
      fstat(fds[i], &st);
      snprintf(ids[i], sizeof ids[i], "%02x:%02x:%lu", major(st.st_dev), minor(st.st_dev),
               (unsigned long)st.st_ino);
    }
    flock(fds[0], LOCK_EX);
    struct flock fl = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    fcntl(fds[1], F_SETLK, &fl);
    fl = (struct flock){.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 10, .l_len = 5};
    fcntl(fds[2], F_SETLK, &fl);
    fl = (struct flock){.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 3, .l_len = 4};
    printf("OFD lock: %s\n", fcntl(fds[3], F_OFD_SETLK, &fl) == 0 ? "ok" : en(errno));
    entry("/proc/locks");
    rd("/proc/locks");
    char pid[16];
    snprintf(pid, sizeof pid, "%d", getpid());
    for (char *l = buf, *e; *l && (e = strchr(l, '\n')) && nl < 8; l = e + 1) {
      char tmp[160], out[160] = "";
      snprintf(tmp, sizeof tmp, "%.*s", (int)(e - l), l);
      int mine = -1;
      for (int i = 0; i < 4; i++)
        if (strstr(tmp, ids[i])) mine = i;
      if (mine < 0) continue;   /* another process's lock (natively) */
      /* "ID: KIND ADVISORY  RW PID DEV:INO START END" with words replaced */
      char *rest = strchr(tmp, ' ') + 1, *w;
      strcpy(out, "ID:");
      while ((w = strsep(&rest, " "))) {   /* keeps the runs of blanks */
        const char *word = w;
        if (!strcmp(w, pid)) word = "PID";
        if (!strcmp(w, ids[mine])) word = names[mine];
        strncat(out, " ", sizeof out - strlen(out) - 1);
        strncat(out, word, sizeof out - strlen(out) - 1);
      }
      snprintf(lines[nl++], sizeof lines[0], "%s", out);
    }
    for (int i = 0; i < nl; i++)
      for (int j = i + 1; j < nl; j++)
        if (strcmp(lines[i], lines[j]) > 0) {
          char t[160];
          strcpy(t, lines[i]), strcpy(lines[i], lines[j]), strcpy(lines[j], t);
        }
    for (int i = 0; i < nl; i++) printf("lock %s\n", lines[i]);
    for (int i = 0; i < 4; i++) close(fds[i]), unlink(names[i]);
  }

  /* /proc/net: psched (tc), netstat and snmp6 (nstat, netstat -s: the
   * host's field names, counts by shape only), arp, dev_mcast */
  static const char *const netents[] = {"/proc/net/psched", "/proc/net/netstat",
      "/proc/net/snmp6", "/proc/net/arp", NULL};
  for (int i = 0; netents[i]; i++) entry(netents[i]);
  /* its lines are the host's NICs' natively */
  printf("dev_mcast readable: %s\n", rd("/proc/net/dev_mcast") >= 0 ? "yes" : "no");
  if (rd("/proc/net/psched") > 0) printf("psched: %s", buf);
  if (rd("/proc/net/arp") > 0) printf("arp header: %.*s\n", (int)strcspn(buf, "\n"), buf);
  print_shape("/proc/net/netstat");
  print_shape("/proc/net/snmp6");

  /* a process's files */
  static const char *const self[] = {
      "/proc/self/cpuset", "/proc/self/schedstat", "/proc/self/mountstats",
      "/proc/self/personality", "/proc/self/fdinfo", "/proc/self/children",
      "/proc/self/status", NULL};
  for (int i = 0; self[i]; i++) entry(self[i]);
  /* the host kernel's (the stub's): AVX-512 use, KSM merging */
  static const char *const mirrored[] = {"/proc/self/arch_status", "/proc/self/ksm_stat",
                                         "/proc/self/ksm_merging_pages", NULL};
  for (int i = 0; mirrored[i]; i++) {
    entry(mirrored[i]);
    if (access(mirrored[i], F_OK) == 0) print_shape(mirrored[i]);
  }
  rd("/proc/self/cpuset");
  printf("cpuset starts with /: %s\n", buf[0] == '/' ? "yes" : "no");
  print_shape("/proc/self/schedstat");
  /* mountstats: one "device X mounted on Y with fstype Z" per mounts line */
  int nmounts = 0, nstats = 0, good = 1;
  rd("/proc/self/mounts");
  for (char *p = buf; *p; p++) nmounts += *p == '\n';
  rd("/proc/self/mountstats");
  for (char *l = buf; *l; l = strchr(l, '\n') + 1) {
    nstats++;
    if ((strncmp(l, "device ", 7) && strncmp(l, "no device ", 10)) || !strstr(l, " mounted on ") ||
        !strstr(l, " with fstype "))
      good = 0;
    if (!strchr(l, '\n')) break;
  }
  printf("mountstats lines match mounts: %s, format ok: %s\n", nstats == nmounts ? "yes" : "no",
         good ? "yes" : "no");

  /* timers: three POSIX timers, newest first, our pid and tid replaced */
  {
    timer_t t1, t2, t3;
    struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1};
    ev.sigev_value.sival_ptr = (void *)0x1234;
    timer_create(CLOCK_MONOTONIC, &ev, &t1);
    ev = (struct sigevent){.sigev_notify = SIGEV_NONE};
    ev.sigev_value.sival_ptr = (void *)0xabc;
    timer_create(CLOCK_REALTIME, &ev, &t2);
    ev = (struct sigevent){.sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGUSR2};
    ev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
    timer_create(CLOCK_BOOTTIME, &ev, &t3);
    entry("/proc/self/timers");
    rd("/proc/self/timers");
    char me[32];
    snprintf(me, sizeof me, ".%d\n", getpid());
    for (char *l = buf, *e; (e = strchr(l, '\n')); l = e + 1) {
      char *p = strstr(l, me);
      if (p && p < e)
        printf("timers: %.*s.ME\n", (int)(p - l), l);
      else
        printf("timers: %.*s\n", (int)(e - l), l);
    }
    timer_delete(t1), timer_delete(t2), timer_delete(t3);
    rd("/proc/self/timers");
    printf("timers after delete: [%s]\n", buf);
  }

  /* clear_refs: write-only; 4 clears the soft-dirty bits pagemap shows */
  {
    entry("/proc/self/clear_refs");
    int fd = open("/proc/self/clear_refs", O_WRONLY);
    printf("clear_refs 0: %s\n", write(fd, "0", 1) < 0 ? en(errno) : "ok");
    printf("clear_refs 6: %s\n", write(fd, "6", 1) < 0 ? en(errno) : "ok");
    static char page[4096] __attribute__((aligned(4096)));
    page[0] = 1;
    int pm = open("/proc/self/pagemap", O_RDONLY);
    uint64_t ent = 0;
    pread(pm, &ent, 8, (off_t)((uintptr_t)page / 4096 * 8));
    int before = (int)(ent >> 55 & 1);
    printf("clear_refs 4: %s\n", write(fd, "4", 1) < 0 ? en(errno) : "ok");
    pread(pm, &ent, 8, (off_t)((uintptr_t)page / 4096 * 8));
    int cleared = (int)(ent >> 55 & 1);
    page[0] = 2;
    pread(pm, &ent, 8, (off_t)((uintptr_t)page / 4096 * 8));
    printf("soft-dirty: written %d, after clear %d, written again %d\n", before, cleared,
           (int)(ent >> 55 & 1));
    close(pm);
    close(fd);
  }

  /* status: field names in order, Groups: ends with a space */
  rd("/proc/self/status");
  printf("status fields:");
  for (char *l = buf; *l;) {
    char *c = strchr(l, ':');
    if (!c) break;
    if (!strncmp(l, "Groups:", 7)) {
      char *e = strchr(l, '\n');
      printf(" Groups(%s)", e && e[-1] == ' ' ? "space" : "nospace");
    } else {
      printf(" %.*s", (int)(c - l), l);
    }
    l = strchr(l, '\n');
    if (!l) break;
    l++;
  }
  printf("\n");

  /* fdinfo of eventfd, epoll, signalfd and timerfd: their own lines
   * (lsfd, CRIU), inode and device checked against fstat */
  {
    int e = eventfd(3, EFD_SEMAPHORE), ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.u64 = 0x1234567};
    epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev);
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    sigaddset(&m, SIGRTMIN + 1);
    int sf = signalfd(-1, &m, 0);
    int tf = timerfd_create(CLOCK_MONOTONIC, 0);
    struct itimerspec its = {{1, 500}, {50, 0}};
    timerfd_settime(tf, 0, &its, NULL);
    int fds[4] = {e, ep, sf, tf};
    struct stat est;
    fstat(e, &est);
    char ino[32], sdev[32];
    snprintf(ino, sizeof ino, "ino:%lx ", (unsigned long)est.st_ino);
    snprintf(sdev, sizeof sdev, "sdev:%x\n", major(est.st_dev) << 20 | minor(est.st_dev));
    for (int i = 0; i < 4; i++) {
      char path[64];
      snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fds[i]);
      rd(path);
      /* the lines after pos, flags, mnt_id and ino */
      for (char *l = buf, *nl; (nl = strchr(l, '\n')); l = nl + 1) {
        if (!strncmp(l, "pos:", 4) || !strncmp(l, "flags:", 6) || !strncmp(l, "mnt_id:", 7) ||
            !strncmp(l, "ino:", 4))
          continue;
        char line[256], sh[256];
        snprintf(line, sizeof line, "%.*s", (int)(nl - l + 1), l);
        char *p = strstr(line, " ino:");
        if (p && !strncmp(p + 1, ino, strlen(ino)) && strstr(p, sdev)) strcpy(p, " ino/sdev of the eventfd\n");
        if (!strncmp(line, "eventfd-id:", 11) || !strncmp(line, "it_value:", 9)) {
          shape(line, sh, sizeof sh);
          printf("fdinfo %d: %s", i, sh);
        } else {
          printf("fdinfo %d: %s", i, line);
        }
      }
    }
    for (int i = 0; i < 4; i++) close(fds[i]);
  }

  /* inotify and fanotify marks: the fields of their fdinfo lines, and
   * f_handle the handle name_to_handle_at gives for the inode */
  {
    struct {
      struct file_handle h;
      unsigned char d[128];
    } fh = {.h.handle_bytes = 128};
    int mid;
    char want[300] = "f_handle:";
    if (name_to_handle_at(AT_FDCWD, ".", &fh.h, &mid, 0) == 0)
      for (unsigned i = 0; i < fh.h.handle_bytes; i++)
        snprintf(want + strlen(want), sizeof want - strlen(want), "%02x", fh.h.f_handle[i]);
    int in = inotify_init1(0), fa = fanotify_init(FAN_CLASS_NOTIF, 0);
    inotify_add_watch(in, ".", IN_CREATE);
    if (fa >= 0) fanotify_mark(fa, FAN_MARK_ADD, FAN_OPEN, AT_FDCWD, ".");
    int fds[2] = {in, fa};
    for (int i = 0; i < 2; i++) {
      char path[64];
      if (fds[i] < 0) continue;
      snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fds[i]);
      rd(path);
      for (char *l = buf, *nl; (nl = strchr(l, '\n')); l = nl + 1) {
        if (strncmp(l, "inotify wd:", 11) && strncmp(l, "fanotify ino:", 13)) continue;
        *nl = 0;
        printf("%s fields:", i ? "fanotify" : "inotify");
        for (char *w = l; w; w = strchr(w, ' ') ? strchr(w, ' ') + 1 : NULL)
          printf(" %.*s", (int)(strchr(w, ':') ? strchr(w, ':') - w : 0), w);
        printf(", f_handle as name_to_handle_at's: %s\n", strstr(l, want) ? "yes" : "no");
        *nl = '\n';
      }
      close(fds[i]);
    }
  }

  /* syscall: our own read (number 0, the fd first), and a child's pause */
  {
    int fd = open("/proc/self/syscall", O_RDONLY);
    char b[256] = "";
    long n = read(fd, b, sizeof b - 1);
    close(fd);
    b[n > 0 ? n : 0] = 0;
    int nr = -2, fields = 0;
    unsigned long a0 = 0;
    sscanf(b, "%d 0x%lx", &nr, &a0);
    for (char *p = b; *p; p++) fields += (p == b || p[-1] == ' ') && *p != ' ' && *p != '\n';
    printf("syscall: nr %d, first argument the fd: %s, fields %d\n", nr, a0 == (unsigned long)fd ? "yes" : "no",
           fields);
    pid_t k = fork();
    if (k == 0) {
      pause();
      _exit(0);
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/syscall", k);
    int in_pause = 0;
    for (int i = 0; i < 200 && !in_pause; i++) {
      rd(path);
      in_pause = atoi(buf) == SYS_pause;
      if (!in_pause) usleep(10000);
    }
    printf("child in pause: %s\n", in_pause ? "yes" : "no");
    kill(k, SIGKILL);
    waitpid(k, NULL, 0);
  }

  /* autogroup: none shown for init's root group; setsid makes one,
   * children share it, its nice is written (in a session of our own) */
  {
    rd("/proc/1/autogroup");
    printf("autogroup of pid 1: [%s]\n", buf);
    {
      pid_t k = fork();
      if (k == 0) {
        setsid();
        char a[128] = "", b2[128] = "";
        if (rd("/proc/self/autogroup") > 0) snprintf(a, sizeof a, "%.127s", buf);
        int fd = open("/proc/self/autogroup", O_WRONLY);
        printf("autogroup nice 5: %s\n", write(fd, "5", 1) == 1 ? "ok" : en(errno));
        close(fd);
        fd = open("/proc/self/autogroup", O_WRONLY);
        printf("autogroup nice 20: %s\n", write(fd, "20", 2) == 2 ? "ok" : en(errno));
        close(fd);
        rd("/proc/self/autogroup");
        char sh[128];
        shape(buf, sh, sizeof sh);
        printf("autogroup after: %s", sh);
        pid_t g = fork();
        if (g == 0) {
          rd("/proc/self/autogroup");
          /* the same "/autogroup-ID" as the parent's, nice now 5 */
          _exit(strncmp(buf, a, strcspn(a, " ")) ? 3 : 0);
        }
        int st;
        waitpid(g, &st, 0);
        snprintf(b2, sizeof b2, "%s", WEXITSTATUS(st) == 0 ? "same group" : "other");
        printf("child's autogroup: %s\n", b2);
        _exit(0);
      }
      waitpid(k, NULL, 0);
    }
  }

  /* the resident set's split: the three parts add up to VmRSS, the
   * program's own text is file-backed, statm's third field counts it */
  {
    unsigned long rss = 0, anon = 0, file = 0, shmem = 0, st[7] = {0};
    rd("/proc/self/status");
    char *p;
    if ((p = strstr(buf, "VmRSS:"))) sscanf(p, "VmRSS: %lu", &rss);
    if ((p = strstr(buf, "RssAnon:"))) sscanf(p, "RssAnon: %lu", &anon);
    if ((p = strstr(buf, "RssFile:"))) sscanf(p, "RssFile: %lu", &file);
    if ((p = strstr(buf, "RssShmem:"))) sscanf(p, "RssShmem: %lu", &shmem);
    rd("/proc/self/statm");
    sscanf(buf, "%lu %lu %lu %lu %lu %lu %lu", &st[0], &st[1], &st[2], &st[3], &st[4], &st[5], &st[6]);
    printf("rss parts add up: %s, file-backed: %s, statm shared: %s\n",
           anon + file + shmem == rss ? "yes" : "no", file > 0 ? "yes" : "no",
           st[2] > 0 && st[2] <= st[1] ? "yes" : "no");
  }

  /* task/TID: children lists a forked child; entries only the process has */
  char path[128];
  pid_t kid = fork();
  if (kid == 0) {
    pause();
    _exit(0);
  }
  snprintf(path, sizeof path, "/proc/self/task/%ld/children", (long)syscall(SYS_gettid));
  rd(path);
  char want[32];
  snprintf(want, sizeof want, "%d ", kid);
  printf("children has the child: %s\n", !strcmp(buf, want) ? "yes" : "no");
  kill(kid, SIGKILL);
  waitpid(kid, NULL, 0);
  static const char *const tidless[] = {"mountstats", "coredump_filter", "timens_offsets",
                                        "timerslack_ns", "task", "children", "schedstat",
                                        "timers", "clear_refs", "syscall", "autogroup", NULL};
  for (int i = 0; tidless[i]; i++) {
    char a[128], b[128];
    snprintf(a, sizeof a, "/proc/self/%s", tidless[i]);
    snprintf(b, sizeof b, "/proc/self/task/%ld/%s", (long)syscall(SYS_gettid), tidless[i]);
    printf("%s: process %s, thread %s\n", tidless[i], access(a, F_OK) ? "no" : "yes",
           access(b, F_OK) ? "no" : "yes");
  }

  /* sysfs: the host's transparent huge page settings (the JVM and Go's
   * runtime read them) and CPU state, as the host's own files */
  static const char *const sysents[] = {
      "/sys/kernel/mm/transparent_hugepage", "/sys/kernel/mm/transparent_hugepage/enabled",
      "/sys/kernel/mm/transparent_hugepage/defrag",
      "/sys/kernel/mm/transparent_hugepage/hpage_pmd_size",
      "/sys/kernel/mm/transparent_hugepage/shmem_enabled",
      "/sys/devices/system/cpu/offline", "/sys/devices/system/cpu/isolated",
      "/sys/devices/system/cpu/vulnerabilities", "/sys/devices/system/cpu/vulnerabilities/meltdown",
      "/sys/devices/system/cpu/vulnerabilities/spectre_v2", "/sys/devices/system/cpu/smt/active",
      "/sys/devices/system/cpu/cpu0/online", NULL};
  for (int i = 0; sysents[i]; i++) entry(sysents[i]);
  if (rd("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size") > 0) printf("hpage_pmd_size: %s", buf);
  if (rd("/sys/kernel/mm/transparent_hugepage/enabled") > 0) printf("thp enabled: %s", buf);
  if (rd("/sys/devices/system/cpu/offline") >= 0) printf("offline: [%s]\n", buf);

  /* vm.memfd_noexec, per pid namespace: set only in a child's new one
   * (natively too, the host's stays as it is) */
  if (unshare(CLONE_NEWPID) == 0) {
    pid_t k = fork();
    if (k == 0) {
      int fd;
      printf("memfd_noexec in a new pid namespace: %s", rd("/proc/sys/vm/memfd_noexec") > 0 ? buf : "?\n");
      fd = open("/proc/sys/vm/memfd_noexec", O_WRONLY);
      printf("set 1: %s\n", write(fd, "1", 1) == 1 ? "ok" : en(errno));
      int m = memfd_create("x", 0);
      struct stat mst;
      fstat(m, &mst);
      printf("memfd by default: mode %o, seals %#x\n", mst.st_mode & 0777, fcntl(m, F_GET_SEALS));
      /* F_SEAL_EXEC alone: the file stays writable */
      printf("write %zd, ftruncate %d\n", write(m, "hello", 5), ftruncate(m, 4096));
      void *mp = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, m, 0);
      printf("shared writable mapping: %s\n", mp != MAP_FAILED ? "ok" : en(errno));
      close(m);
      /* a second write on the fd is past the start: ignored (strict) */
      printf("set 0 at offset 1: %s, ", write(fd, "0", 1) == 1 ? "ok" : en(errno));
      printf("now %s", rd("/proc/sys/vm/memfd_noexec") > 0 ? buf : "?\n");
      lseek(fd, 0, SEEK_SET);
      printf("set 0: %s, ", write(fd, "0", 1) == 1 ? "ok" : en(errno));
      printf("now %s", rd("/proc/sys/vm/memfd_noexec") > 0 ? buf : "?\n");
      lseek(fd, 0, SEEK_SET);
      printf("set 2: %s\n", write(fd, "2", 1) == 1 ? "ok" : en(errno));
      close(fd);
      m = memfd_create("x", 0);
      printf("memfd_create(0): %s\n", m >= 0 ? "ok" : en(errno));
      m = memfd_create("x", MFD_EXEC);
      printf("memfd_create(MFD_EXEC): %s\n", m >= 0 ? "ok" : en(errno));
      m = memfd_create("x", MFD_NOEXEC_SEAL);
      printf("memfd_create(MFD_NOEXEC_SEAL): %s\n", m >= 0 ? "ok" : en(errno));
      /* a string sysctl goes on at the offset: two writes make one name
       * (in a UTS namespace of this child's own) */
      if (unshare(CLONE_NEWUTS) == 0) {
        fd = open("/proc/sys/kernel/hostname", O_WRONLY);
        ssize_t w1 = write(fd, "ab", 2), w2 = write(fd, "cd\n", 3);
        close(fd);
        printf("hostname writes %zd %zd: %s", w1, w2, rd("/proc/sys/kernel/hostname") > 0 ? buf : "?\n");
      }
      _exit(0);
    }
    waitpid(k, NULL, 0);
  } else {
    printf("unshare(CLONE_NEWPID): %s\n", en(errno));
  }

  /* /proc/sys: present, readable, value shape, open for writing */
  static const char *const ctls[] = {
      "kernel/arch", "kernel/ctrl-alt-del", "kernel/tainted", "kernel/dmesg_restrict", "kernel/kptr_restrict",
      "kernel/panic", "kernel/panic_on_oops", "kernel/sysctl_writes_strict",
      "kernel/printk_ratelimit", "kernel/printk_ratelimit_burst", "kernel/max_lock_depth",
      "kernel/task_delayacct", "kernel/unprivileged_bpf_disabled", "kernel/core_pipe_limit",
      "kernel/perf_event_max_sample_rate", "kernel/perf_event_max_stack",
      "kernel/perf_cpu_time_max_percent", "kernel/pty/max", "kernel/pty/nr", "kernel/pty/reserve",
      "kernel/seccomp/actions_avail", "kernel/seccomp/actions_logged",
      "kernel/random/urandom_min_reseed_secs", "kernel/random/write_wakeup_threshold",
      "vm/mmap_min_addr", "vm/dirty_ratio", "vm/dirty_background_ratio", "vm/dirty_bytes",
      "vm/dirty_background_bytes", "vm/dirty_expire_centisecs", "vm/dirty_writeback_centisecs",
      "vm/dirtytime_expire_seconds", "vm/admin_reserve_kbytes", "vm/user_reserve_kbytes",
      "vm/panic_on_oom", "vm/oom_kill_allocating_task", "vm/oom_dump_tasks", "vm/page-cluster",
      "vm/laptop_mode", "vm/stat_interval", "vm/watermark_scale_factor",
      "vm/extfrag_threshold", "vm/compaction_proactiveness", "vm/min_unmapped_ratio",
      "fs/suid_dumpable", "fs/mount-max", "fs/overflowuid", "fs/overflowgid",
      "fs/dentry-state", "fs/inode-nr", "fs/inode-state",
      "net/core/rmem_max", "net/core/wmem_default", "net/ipv4/ip_local_port_range",
      "net/ipv4/tcp_rmem", "net/ipv4/tcp_wmem", "net/ipv4/ip_forward",
      "net/ipv4/ip_unprivileged_port_start", "net/ipv4/tcp_keepalive_time",
      "net/ipv4/tcp_keepalive_intvl", "net/ipv4/tcp_keepalive_probes",
      "net/ipv6/bindv6only", "net/ipv6/conf/all/disable_ipv6",
      "net/ipv6/conf/default/disable_ipv6", "net/ipv6/conf/lo/disable_ipv6",
      "net/unix/max_dgram_qlen", "net/ipv4/ip_default_ttl", "dev/tty/legacy_tiocsti",
      "dev/tty/ldisc_autoload", NULL};
  for (int i = 0; ctls[i]; i++) sysctl(ctls[i]);
  /* the host's choice of congestion control may differ: every name in
   * the available list, and the current one among them */
  char cur[64] = "", avail[256] = "";
  if (rd("/proc/sys/net/ipv4/tcp_congestion_control") > 0) snprintf(cur, sizeof cur, "%.63s", buf);
  if (rd("/proc/sys/net/ipv4/tcp_available_congestion_control") > 0)
    snprintf(avail, sizeof avail, " %.250s", buf);
  cur[strcspn(cur, "\n")] = 0;
  avail[strcspn(avail, "\n")] = ' ';
  char word[70];
  snprintf(word, sizeof word, " %s ", cur);
  printf("congestion control listed: %s, reno and cubic: %s\n", *cur && strstr(avail, word) ? "yes" : "no",
         strstr(avail, " reno ") && strstr(avail, " cubic ") ? "yes" : "no");
  return 0;
}
