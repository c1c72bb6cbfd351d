/*
 * fuzz.c - umk's own syscall fuzzer, a static guest program.
 *
 *   fuzz SEED COUNT [WORKERS]     run COUNT syscalls in all, from SEED
 *   fuzz -1 SEED [CALLS]          one worker of that seed in the foreground,
 *                                 each call printed before it is made
 *
 * The calls come from guest-abi/syscalls.def (linked in as syscall_table.c):
 * every row with a name, its arguments drawn by their kind: pointers into
 * mapped memory, at the edge of a guard page, into a read-only page, an
 * unmapped hole, NULL, kernel, non-canonical and stub-region addresses;
 * sizes 0, 1, page +-1, huge, negative, garbage in the upper 32 bits of an
 * int; open fds of every kind umk has, closed, negative and huge fds;
 * valid, mixed and garbage flags; paths that exist, do not, loop, are too
 * long or end at a guard page.  Half the workers run two more threads:
 * one fuzzing the same fds and buffers, one closing, replacing, unmapping
 * and re-protecting them meanwhile (and scribbling over the seccomp
 * platform's shared slot pages, which a guest may write).
 *
 * The parent (meant to be the guest's pid 1) forks WORKERS workers at a
 * time, each with its own seed (SEED, worker number, generation), counts
 * their calls through a shared page, SIGKILLs a worker that makes no
 * progress for 2 s, and replaces workers that end until COUNT calls are
 * made.  A worker's fork-like calls that return 0 exit at once (no stack
 * is touched: a clone child may have a garbage one).  At the end the
 * parent checks that the kernel still works (files, pipes, fork, wait)
 * and prints one summary line; exit status 0 if it does.
 *
 * What is judged is umk, not the calls' results: umk must not oops, hang,
 * leak stubs or trip a sanitizer (tests/fuzz/run.sh checks).  A run is
 * replayed by its seed; with threads, timing varies the details.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sched.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "../../guest-abi/syscall_table.h"
#include "../../tracer/stub_layout.h"

/* abi.h's STUB_START is umk's variable (an umk inside an umk moves its
 * stubs down); the fuzzer runs under one umk, whose stubs sit at the
 * default place. */
uint64_t umk_stub_start = STUB_DEFAULT_START;

#define PAGE 4096UL
#define MAX_WORKERS 16
#define CALLS_PER_WORKER 2000
#define NFD 40
#define NSTR 24

/* ---- per-thread PRNG (xorshift64*) ---- */
static __thread uint64_t rs;
static uint64_t rnd(void) {
  rs ^= rs >> 12;
  rs ^= rs << 25;
  rs ^= rs >> 27;
  return rs * 0x2545F4914F6CDD1DULL;
}
static uint64_t below(uint64_t n) { return n ? rnd() % n : 0; }
static int one_in(int n) { return below(n) == 0; }
static uint64_t mix(uint64_t a, uint64_t b) {
  uint64_t x = a * 0x9E3779B97F4A7C15ULL ^ (b + 0x632BE59BD9B4E019ULL);
  x ^= x >> 31;
  x *= 0xBF58476D1CE4E5B9ULL;
  return (x ^ x >> 29) | 1;
}

/* ---- shared with the parent ---- */
struct wslot {
  volatile uint64_t calls;     /* made so far */
  volatile long nr;            /* in flight, -1 none */
  volatile uint64_t args[6];
  volatile uint64_t seed;
};
static struct wslot *slots;    /* MAP_SHARED, one per worker */
static int verbose;            /* -1: print each call */

/* ---- the pools a worker draws arguments from ---- */
static int fds[NFD];
static int nfds;
static char *region;           /* [rw page][rw page][guard][ro page][hole] */
static char *guard, *ropage, *hole;
static char *strs[NSTR];
static int nstrs;
static char *const *argvs[8];
static char dir[64];
static pid_t worker_pids[MAX_WORKERS];

static const uint64_t ints[] = {
  0, 1, 2, 3, 7, 8, 16, 63, 64, 255, 256, 1023, 1024, 4095, 4096, 4097, 65535, 65536,
  1 << 20, INT_MAX, (uint64_t)INT_MAX + 1, UINT_MAX, (uint64_t)UINT_MAX + 1, 1ULL << 47,
  1ULL << 48, LONG_MAX, (uint64_t)LONG_MIN, (uint64_t)-1, (uint64_t)-2, (uint64_t)-4095,
  (uint64_t)-4096, 0xdeadbeef00000003ULL, 0xffffffff00000001ULL,
};

static uint64_t any_int(void) {
  switch (below(4)) {
  case 0: return rnd();
  case 1: return below(256);
  case 2: return rnd() & 0xffffffff;
  default: return ints[below(sizeof ints / sizeof ints[0])];
  }
}

/* A length: mostly what fits a buffer, sometimes anything. */
static uint64_t any_size(void) {
  if (one_in(3)) return any_int();
  static const uint64_t s[] = { 0, 1, 8, 16, 64, 100, 512, 4096, 8192, 4095, 4097 };
  return s[below(sizeof s / sizeof s[0])];
}

static uint64_t any_ptr(void) {
  switch (below(16)) {
  case 0: return 0;
  case 1: return (uint64_t)(guard - (1 << below(13)));     /* ends at the guard page */
  case 2: return (uint64_t)guard;
  case 3: return (uint64_t)ropage + below(PAGE);
  case 4: return (uint64_t)hole + below(PAGE);
  case 5: return 0xffffffff81000000ULL;                    /* kernel */
  case 6: return 0x0000800000000000ULL + below(PAGE);      /* non-canonical */
  case 7: return STUB_START + below(0x100) * 16;          /* the stub's code */
  case 8: return SC_SHARED_BASE + below(SC_MAX_THREADS) * SC_SLOT_SIZE + below(PAGE);
  case 9: return (uint64_t)region + below(2 * PAGE) + 1;   /* misaligned */
  case 10: return (uint64_t)&rs - below(256);              /* the stack's neighbourhood */
  case 11: return (uint64_t)strs[below(nstrs)];
  case 12: return rnd();
  default: return (uint64_t)region + below(2 * PAGE) / 8 * 8;
  }
}

static int any_fd(void) {
  switch (below(10)) {
  case 0: return -1;
  case 1: return (int)any_int();
  case 2: return 1023 + (int)below(4);
  default: return nfds ? fds[below(nfds)] : 0;
  }
}

static uint64_t any_flags(const uint64_t *v, int n) {
  uint64_t f = 0;
  switch (below(4)) {
  case 0: return rnd();
  case 1: return v[below(n)];
  default:
    for (int i = below(4); i >= 0; i--) f |= v[below(n)];
    if (one_in(4)) f |= 1ULL << below(64);
    return f;
  }
}

static const uint64_t oflags[] = { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_APPEND,
  O_NONBLOCK, O_DIRECTORY, O_NOFOLLOW, O_CLOEXEC, O_PATH, O_TMPFILE, O_NOCTTY, O_SYNC, O_DIRECT, O_NOATIME };
static const uint64_t atflags[] = { 0, AT_SYMLINK_NOFOLLOW, AT_REMOVEDIR, AT_SYMLINK_FOLLOW, AT_EMPTY_PATH,
  AT_NO_AUTOMOUNT, AT_EACCESS, AT_STATX_DONT_SYNC };
static const uint64_t prots[] = { PROT_NONE, PROT_READ, PROT_WRITE, PROT_EXEC, PROT_GROWSDOWN, PROT_GROWSUP };
static const uint64_t mmflags[] = { MAP_SHARED, MAP_PRIVATE, MAP_FIXED, MAP_ANONYMOUS, MAP_GROWSDOWN,
  MAP_NORESERVE, MAP_POPULATE, MAP_STACK, MAP_FIXED_NOREPLACE, MAP_SHARED_VALIDATE, MAP_HUGETLB, MAP_32BIT };
static const uint64_t cloneflags[] = { CLONE_VM, CLONE_FS, CLONE_FILES, CLONE_SIGHAND, CLONE_THREAD,
  CLONE_VFORK, CLONE_PARENT, CLONE_SETTLS, CLONE_PARENT_SETTID, CLONE_CHILD_CLEARTID, CLONE_CHILD_SETTID,
  CLONE_NEWNS, CLONE_NEWPID, CLONE_PIDFD, CLONE_SYSVSEM, SIGCHLD, 0 };
static const uint64_t ioctls[] = { 0x5401 /* TCGETS */, 0x5402, 0x5413 /* TIOCGWINSZ */, 0x5414,
  0x541B /* FIONREAD */, 0x5421 /* FIONBIO */, 0x5451, 0x5450, 0x80045430 /* TIOCGPTN */, 0x40045431,
  0x540F, 0x5410, 0x5429, 0x5412, 0x5422, 0x5427 };

static __thread int cur_nr;   /* the syscall whose arguments are being drawn */

static uint64_t arg_of(int kind, uint64_t prev_ptr) {
  (void)prev_ptr;
  switch (kind) {
  case INT: case UINT: case LONG: case HEX: return any_int();
  case SIZE: return any_size();
  case PTR: case BUF_IN: case BUF_OUT: return any_ptr();
  case FD: return (uint64_t)(int64_t)any_fd();
  case ATFD: return one_in(3) ? (uint64_t)AT_FDCWD : (uint64_t)(int64_t)any_fd();
  case PID: {
    /* pid 1 (the parent) only for signals, which its init role makes it
     * ignore: process_vm_writev, prlimit and the like into it would end
     * the run as they would natively */
    static const int64_t p[] = { 0, -1, 2, 99999, INT_MIN, 1 };
    int signalling = cur_nr == SYS_kill || cur_nr == SYS_tkill || cur_nr == SYS_tgkill ||
                     cur_nr == SYS_rt_sigqueueinfo || cur_nr == SYS_rt_tgsigqueueinfo;
    if (one_in(3)) return (uint64_t)getpid();
    if (one_in(3)) return (uint64_t)worker_pids[below(MAX_WORKERS)];
    return (uint64_t)p[below(signalling ? 6 : 5)];
  }
  case PATH: case STR: return one_in(8) ? any_ptr() : (uint64_t)strs[below(nstrs)];
  case STRV: case ENVP: return one_in(4) ? any_ptr() : (uint64_t)argvs[below(8)];
  case OFLAGS: return any_flags(oflags, sizeof oflags / sizeof oflags[0]);
  case MODE: return one_in(2) ? 0644 : any_int();
  case AMODE: return below(8) | (one_in(8) ? rnd() : 0);
  case ATFLAGS: return any_flags(atflags, sizeof atflags / sizeof atflags[0]);
  case PROT: return any_flags(prots, sizeof prots / sizeof prots[0]);
  case MMFLAGS: return any_flags(mmflags, sizeof mmflags / sizeof mmflags[0]);
  case SIG: return one_in(8) ? any_int() : below(66);
  case SIGHOW: return below(4);
  case WHENCE: return below(6);
  case FCNTL: return below(8) ? below(50) : 1024 + below(20);
  case IOCTL: return one_in(4) ? any_int() : ioctls[below(sizeof ioctls / sizeof ioctls[0])];
  case CLONEFLAGS: return any_flags(cloneflags, sizeof cloneflags / sizeof cloneflags[0]);
  case FUTEXOP: return below(14) | (one_in(2) ? 128 : 0) | (one_in(8) ? 256 : 0);
  default: return any_int();
  }
}

/* The syscall, with the child of a fork-like call exiting at once, off
 * any stack (its stack pointer may be garbage). */
static long raw_syscall(long nr, const uint64_t *a) {
  register uint64_t r10 __asm__("r10") = a[3], r8 __asm__("r8") = a[4], r9 __asm__("r9") = a[5];
  long ret;
  __asm__ volatile("syscall\n\t"
                   "cmp $56, %%rbx\n\t"       /* clone, fork, vfork, clone3 */
                   "jb 1f\n\t"
                   "cmp $58, %%rbx\n\t"
                   "jbe 2f\n\t"
                   "cmp $435, %%rbx\n\t"
                   "jne 1f\n"
                   "2:\n\t"
                   "test %%rax, %%rax\n\t"
                   "jnz 1f\n\t"
                   "mov $60, %%eax\n\t"       /* SYS_exit */
                   "xor %%edi, %%edi\n\t"
                   "syscall\n\t"
                   "ud2\n"
                   "1:"
                   : "=a"(ret)
                   : "a"(nr), "b"(nr), "D"(a[0]), "S"(a[1]), "d"(a[2]), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return ret;
}

static int nr_ok(int nr) {
  const struct syscall_desc *d = &syscall_table[nr];
  if (!d->name) return 0;
  /* ending the worker, or its own frame: now and then */
  if (nr == SYS_exit || nr == SYS_exit_group || nr == SYS_rt_sigreturn) return one_in(200);
  /* not implemented: ENOSYS at once; less often */
  if (d->status == SYS_NONE) return one_in(8);
  return 1;
}

/* rec: where this thread's call in flight is shown; count: the worker's counter */
static void fuzz_one(struct wslot *rec, struct wslot *count) {
  int nr;
  do nr = below(SYSCALL_NR_MAX); while (!nr_ok(nr));
  const struct syscall_desc *d = &syscall_table[nr];
  uint64_t a[6];
  cur_nr = nr;
  for (int i = 0; i < 6; i++) {
    a[i] = i < d->nargs ? arg_of(d->kind[i], i ? a[i - 1] : 0) : rnd();
    if (i > 0 && (d->kind[i - 1] == BUF_IN || d->kind[i - 1] == BUF_OUT) && d->kind[i] == SIZE && !one_in(4))
      a[i] = below(2 * PAGE + 1);   /* a buffer's length: mostly one that fits or crosses the guard */
  }
  rec->nr = nr;
  for (int i = 0; i < 6; i++) rec->args[i] = a[i];
  if (verbose)
    fprintf(stderr, "%s(%#lx, %#lx, %#lx, %#lx, %#lx, %#lx)\n", d->name, a[0], a[1], a[2], a[3], a[4], a[5]);
  raw_syscall(nr, a);
  rec->nr = -1;
  __atomic_add_fetch(&count->calls, 1, __ATOMIC_RELAXED);
}

/* ---- the worker's world ---- */
static void add_fd(int fd) {
  if (fd >= 0 && nfds < NFD) fds[nfds++] = fd;
}

static char *put_str(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = malloc(n);
  memcpy(p, s, n);
  return p;
}

static void setup_world(int wno) {
  /* memory: two rw pages, a guard, a read-only page, a hole */
  region = mmap(NULL, 5 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  guard = region + 2 * PAGE;
  ropage = region + 3 * PAGE;
  hole = region + 4 * PAGE;
  memset(region, 'A', 4 * PAGE);
  mprotect(guard, PAGE, PROT_NONE);
  mprotect(ropage, PAGE, PROT_READ);
  munmap(hole, PAGE);

  snprintf(dir, sizeof dir, "/tmp/fuzz.%d", wno);
  mkdir("/tmp", 01777);
  mkdir(dir, 0755);
  char p[128];
  snprintf(p, sizeof p, "%s/file", dir);
  add_fd(open(p, O_RDWR | O_CREAT | O_TRUNC, 0644));
  write(fds[nfds - 1], region, 3000);
  snprintf(p, sizeof p, "%s/sub", dir);
  mkdir(p, 0755);
  snprintf(p, sizeof p, "%s/loop", dir);
  symlink("loop", p);
  snprintf(p, sizeof p, "%s/link", dir);
  symlink("file", p);
  add_fd(open(dir, O_RDONLY | O_DIRECTORY));
  add_fd(open(dir, O_PATH));
  int pp[2];
  if (!pipe(pp)) { add_fd(pp[0]); add_fd(pp[1]); }
  if (!pipe2(pp, O_NONBLOCK)) { add_fd(pp[0]); add_fd(pp[1]); write(pp[1], "data", 4); }
  if (!socketpair(AF_UNIX, SOCK_STREAM, 0, pp)) { add_fd(pp[0]); add_fd(pp[1]); }
  if (!socketpair(AF_UNIX, SOCK_DGRAM, 0, pp)) { add_fd(pp[0]); add_fd(pp[1]); }
  if (!socketpair(AF_UNIX, SOCK_SEQPACKET, 0, pp)) { add_fd(pp[0]); add_fd(pp[1]); }
  int ls = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  snprintf(sa.sun_path, sizeof sa.sun_path, "%s/sock", dir);
  if (ls >= 0 && !bind(ls, (void *)&sa, sizeof sa)) listen(ls, 4);
  add_fd(ls);
  add_fd(eventfd(1, EFD_NONBLOCK));
  add_fd(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
  sigset_t ss;
  sigemptyset(&ss);
  sigaddset(&ss, SIGUSR2);
  add_fd(signalfd(-1, &ss, SFD_NONBLOCK));
  int ep = epoll_create1(0);
  if (ep >= 0) {
    struct epoll_event ev = { .events = EPOLLIN };
    for (int i = 0; i < nfds; i++) epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
  }
  add_fd(ep);
  add_fd(memfd_create("fuzz", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  add_fd(open("/dev/null", O_RDWR));
  add_fd(open("/dev/zero", O_RDONLY));
  add_fd(open("/dev/ptmx", O_RDWR | O_NOCTTY | O_NONBLOCK));
  add_fd(open("/proc/self/status", O_RDONLY));
  add_fd(open("/proc/self/maps", O_RDONLY));
  add_fd(open("/proc", O_RDONLY | O_DIRECTORY));
  add_fd(dup(0));
  int closed = dup(0);
  close(closed);
  add_fd(closed);

  /* strings and argument vectors */
  const char *names[] = { "file", "sub", "loop", "link", "new", "sock", "sub/../file", "sub/x/y" };
  for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
    snprintf(p, sizeof p, "%s/%s", dir, names[i]);
    strs[nstrs++] = put_str(p);
  }
  const char *fixed[] = { "/", ".", "..", "", "file", "/proc/self/mem", "/proc/self/fd/0", "/proc/1/maps",
    "/dev/null", "/dev/ptmx", "/nonexistent/x", "/tmp", "/bin/true" };
  for (unsigned i = 0; i < sizeof fixed / sizeof fixed[0]; i++) strs[nstrs++] = put_str(fixed[i]);
  char *longp = malloc(PATH_MAX + 64);
  memset(longp, 'a', PATH_MAX + 63);
  longp[PATH_MAX + 63] = 0;
  strs[nstrs++] = longp;
  memset(guard - 16, 'b', 16);                     /* a string that runs into the guard */
  strs[nstrs++] = guard - 16;
  static char *v0[] = { NULL }, *v1[] = { "fuzz", NULL }, *v2[] = { "sh", "-c", "exit 3", NULL };
  char **vguard = (char **)(guard - 2 * sizeof(char *));     /* no NULL before the guard */
  vguard[0] = vguard[1] = strs[0];
  argvs[0] = v0; argvs[1] = v1; argvs[2] = v2; argvs[3] = vguard;
  argvs[4] = (char **)hole; argvs[5] = (char **)ropage; argvs[6] = v1; argvs[7] = v0;
}

/* ---- racing threads ---- */
static volatile int stop_threads;

static struct wslot *this_worker;

/* a second thread fuzzing the same fds and memory */
static void *fuzz_thread(void *arg) {
  rs = (uint64_t)arg;
  struct wslot rec;
  while (!stop_threads) fuzz_one(&rec, this_worker);
  return NULL;
}

/* closes, replaces, unmaps, re-protects what the other threads use */
static void *mutator_thread(void *arg) {
  rs = (uint64_t)arg;
  while (!stop_threads) {
    switch (below(7)) {
    case 0: {
      int k = below(nfds);
      close(fds[k]);
      break;
    }
    case 1: {
      int k = below(nfds), src = fds[below(nfds)];
      dup2(src, fds[k]);
      break;
    }
    case 2:
      munmap(region + below(2) * PAGE, PAGE);
      break;
    case 3:
      mmap(region + below(2) * PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
      break;
    case 4:
      mprotect(region + below(2) * PAGE, PAGE, below(2) ? PROT_NONE : PROT_READ | PROT_WRITE);
      break;
    case 5: {
      char p[128];
      snprintf(p, sizeof p, "%s/file", dir);
      int fd = open(p, O_RDWR | O_CREAT, 0644);
      if (fd >= 0) { dup2(fd, fds[below(nfds)]); close(fd); }
      break;
    }
    default:
      /* the seccomp platform's slot pages are the guest's to write */
      if (one_in(50)) {
        volatile uint64_t *s = (uint64_t *)(SC_SHARED_BASE + below(4) * SC_SLOT_SIZE) + below(PAGE / 8);
        *s = rnd();
      }
      sched_yield();
    }
  }
  return NULL;
}

static void on_alarm(int s) { (void)s; }

static void worker(int wno, uint64_t seed, uint64_t budget) {
  struct wslot *w = &slots[wno];
  rs = seed;
  w->seed = seed;
  setup_world(wno);
  /* a blocking call ends within 50 ms (unless the fuzzing changes that:
   * then the parent's watchdog ends the worker) */
  struct sigaction sa = { .sa_handler = on_alarm };
  sigaction(SIGALRM, &sa, NULL);
  struct itimerval it = { { 0, 50000 }, { 0, 50000 } };
  setitimer(ITIMER_REAL, &it, NULL);
  signal(SIGPIPE, SIG_IGN);
  signal(SIGTTOU, SIG_IGN);
  signal(SIGTTIN, SIG_IGN);
  this_worker = w;
  if (!verbose && (seed & 2)) {
    pthread_t th;
    pthread_create(&th, NULL, mutator_thread, (void *)mix(seed, 1));
    pthread_create(&th, NULL, fuzz_thread, (void *)mix(seed, 2));
  }
  while (w->calls < budget) fuzz_one(w, w);
  _exit(0);
}

/* ---- the parent ---- */
#define CHECK(what, cond)                                                      \
  do {                                                                         \
    if (!(cond)) {                                                             \
      printf("fuzz: kernel check failed: %s (errno %d: %s)\n", what, errno, strerror(errno)); \
      return 0;                                                                \
    }                                                                          \
  } while (0)
static int kernel_still_works(void) {
  char buf[16] = { 0 };
  /* The workers are root and share pid 1's mounts: one may have remounted
   * / read-only or mounted over /tmp, as it could natively.  The check
   * works in a fresh tmpfs of a mount namespace of its own. */
  CHECK("unshare(CLONE_NEWNS)", !unshare(CLONE_NEWNS));
  mkdir("/tmp", 0777);
  CHECK("mount a tmpfs on /tmp", !mount("fuzz", "/tmp", "tmpfs", 0, "size=1m"));
  int fd = open("/tmp/fuzz-check", O_RDWR | O_CREAT | O_TRUNC, 0600);
  CHECK("open /tmp/fuzz-check", fd >= 0);
  CHECK("write", write(fd, "alive", 5) == 5);
  CHECK("pread", pread(fd, buf, 5, 0) == 5 && !strcmp(buf, "alive"));
  close(fd);
  int p[2];
  CHECK("pipe", !pipe(p));
  pid_t c = fork();
  if (c == 0) { write(p[1], "kid", 3); _exit(7); }
  CHECK("fork", c > 0);
  memset(buf, 0, sizeof buf);
  int st;
  CHECK("read from the child", read(p[0], buf, 3) == 3 && !strcmp(buf, "kid"));
  CHECK("waitpid", waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 7);
  close(p[0]);
  close(p[1]);
  return 1;
}

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  slots = mmap(NULL, 2 * MAX_WORKERS * sizeof(struct wslot) + PAGE, PROT_READ | PROT_WRITE,
               MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (argc >= 3 && !strcmp(argv[1], "-1")) {
    verbose = 1;
    worker(0, strtoull(argv[2], NULL, 0), argc > 3 ? strtoull(argv[3], NULL, 0) : CALLS_PER_WORKER);
  }
  if (argc < 3) {
    fprintf(stderr, "usage: fuzz SEED COUNT [WORKERS] | fuzz -1 WORKERSEED [CALLS]\n");
    return 2;
  }
  uint64_t seed = strtoull(argv[1], NULL, 0), count = strtoull(argv[2], NULL, 0);
  int nw = argc > 3 ? atoi(argv[3]) : 4;
  if (nw < 1 || nw > MAX_WORKERS) nw = 4;
  if (getpid() != 1)
    printf("fuzz: not pid 1: workers may signal the parent's relatives\n");
  signal(SIGPIPE, SIG_IGN);
  uint64_t done = 0, started = 0, gen = 0, died = 0, stuck = 0, last_calls[MAX_WORKERS] = { 0 };
  uint64_t last_progress[MAX_WORKERS] = { 0 }, budgets[MAX_WORKERS] = { 0 }, killed_at[MAX_WORKERS] = { 0 };
  uint64_t unkillable = 0;
  int live = 0;
  for (;;) {
    for (int i = 0; i < nw; i++) {
      if (worker_pids[i] || started >= count) continue;
      uint64_t budget = count - started < CALLS_PER_WORKER ? count - started : CALLS_PER_WORKER;
      uint64_t ws = mix(seed, (uint64_t)i << 32 | gen++);
      memset((void *)&slots[i], 0, sizeof slots[i]);
      slots[i].nr = -1;
      pid_t c = fork();
      if (c == 0) worker(i, ws, budget);
      if (c < 0) { usleep(10000); continue; }
      worker_pids[i] = c;
      budgets[i] = budget;
      started += budget;
      last_calls[i] = 0;
      last_progress[i] = now_ms();
      killed_at[i] = 0;
      live++;
    }
    if (!live) break;
    if (gen > 50 * (count / CALLS_PER_WORKER + nw) && !(gen & 63))
      started = count;   /* workers die before they make calls: stop spawning */
    int st;
    pid_t c = waitpid(-1, &st, WNOHANG | __WALL);
    if (c > 0) {
      for (int i = 0; i < nw; i++) {
        if (worker_pids[i] != c) continue;
        uint64_t n = slots[i].calls;
        if (n > budgets[i]) n = budgets[i];   /* its threads may overshoot, or it may scribble */
        done += n;
        if (WIFSIGNALED(st)) died++;
        /* the calls a worker did not make (it died first) go to another */
        started -= budgets[i] - n;
        worker_pids[i] = 0;
        live--;
      }
      continue;
    }
    usleep(20000);
    uint64_t t = now_ms();
    for (int i = 0; i < nw; i++) {
      if (!worker_pids[i]) continue;
      if (slots[i].calls != last_calls[i]) {
        last_calls[i] = slots[i].calls;
        last_progress[i] = t;
      } else if (killed_at[i] && t - killed_at[i] > 10000) {
        /* SIGKILL must end any guest process: a umk bug */
        printf("fuzz: worker %d (pid %d, seed %#lx) still there 10 s after SIGKILL\n", i, (int)worker_pids[i],
               (unsigned long)slots[i].seed);
        unkillable++;
        worker_pids[i] = 0;
        live--;
      } else if (!killed_at[i] && t - last_progress[i] > 2000) {
        long nr = slots[i].nr;
        printf("fuzz: worker %d (seed %#lx) stuck in %s(%#lx, %#lx, %#lx, ...): killed\n", i,
               (unsigned long)slots[i].seed, nr >= 0 && nr < SYSCALL_NR_MAX && syscall_table[nr].name ?
               syscall_table[nr].name : "?", (unsigned long)slots[i].args[0], (unsigned long)slots[i].args[1],
               (unsigned long)slots[i].args[2]);
        kill(worker_pids[i], SIGKILL);
        killed_at[i] = t;
        stuck++;
      }
    }
  }
  int ok = kernel_still_works() && !unkillable;
  printf("fuzz: seed %lu: %lu syscalls by %lu workers (%lu killed by a signal, %lu stuck, %lu unkillable); kernel %s\n",
         (unsigned long)seed, (unsigned long)done, (unsigned long)gen, (unsigned long)died, (unsigned long)stuck,
         (unsigned long)unkillable, ok ? "still works" : "BROKEN");
  return ok ? 0 : 1;
}
