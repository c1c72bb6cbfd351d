/* ptrace.c - a guest debugger and a guest seccomp filter trying to reach
 * the host.  A tracer pokes debug registers at the stub and at the host
 * kernel, segment registers with 32-bit and kernel selectors, SETREGS with
 * kernel CS/SS, PEEK/POKE and /proc/PID/mem at the stub's region, and
 * single-steps its tracee into the stub's syscall; it attaches to pid 1,
 * to the host sentinel's pid and to its own kernel (umk's pid is not a
 * guest pid); filters return actions Linux does not know, and one filter
 * refuses every syscall.  Each attempt must fail, or stay in the guest
 * (the tracee dies, a guest task is traced); the sentinel must live.
 * Usage: ptrace SENTINEL-PID; run it in a pid namespace (run-escape-tests). */
#include "esc.h"
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>

#define STUB 0x7ffffea00000UL   /* the stub region (abi.h STUB_DEFAULT_START) */
#define REG(f) offsetof(struct user_regs_struct, f)
#define DR(n) (offsetof(struct user, u_debugreg) + (n) * 8)

static pid_t sentinel;

/* a tracee stopped at its raise(SIGSTOP) */
static pid_t tracee(void) {
  pid_t p = fork();
  if (!p) {
    ptrace(PTRACE_TRACEME, 0, 0, 0);
    raise(SIGSTOP);
    for (;;)
      syscall(SYS_getpid);
  }
  int st;
  waitpid(p, &st, 0);
  return p;
}

static void finish(pid_t p) {
  kill(p, SIGKILL);
  waitpid(p, NULL, 0);
}

/* resumes p until it stops or dies; true if it stopped */
static int run_a_bit(pid_t p, int sig) {
  int st;
  ptrace(PTRACE_CONT, p, 0, sig);
  usleep(50000);
  if (waitpid(p, &st, WNOHANG) == p && !WIFSTOPPED(st))
    return 0;
  return 1;
}

static void registers(void) {
  pid_t p = tracee();
  long r;
  /* debug registers: a watchpoint on the stub's memory or the host
   * kernel's would trap the stub's own code */
  r = ptrace(PTRACE_POKEUSER, p, DR(0), STUB + 0x1000);
  verdict(r == 0, "DR0 = the stub's region (%ld %s)", r, r ? strerrorname_np(errno) : "");
  r = ptrace(PTRACE_POKEUSER, p, DR(1), 0xffffffff81000000UL);
  verdict(r == 0, "DR1 = a kernel address (%ld %s)", r, r ? strerrorname_np(errno) : "");
  r = ptrace(PTRACE_POKEUSER, p, DR(7), 0x5UL | (3UL << 16) | (3UL << 20));
  long dr0 = ptrace(PTRACE_PEEKUSER, p, DR(0), 0);
  verdict(dr0 >= (long)STUB, "DR7 enabling DR0/DR1 left DR0 at the stub (DR7 poke %ld, DR0 %#lx)", r, dr0);
  ptrace(PTRACE_POKEUSER, p, DR(7), 0);
  /* segment registers: a 32-bit code selector, kernel selectors */
  static const struct { const char *what; size_t off; long v; } segs[] = {
    { "CS = 0x23 (32-bit user code)", REG(cs), 0x23 },
    { "CS = 0x10 (kernel code)", REG(cs), 0x10 },
    { "SS = 0x18 (kernel data)", REG(ss), 0x18 },
    { "SS = 0x2b|0x10000 (high bits)", REG(ss), 0x1002b },
    { "DS = 0x10 (kernel data)", REG(ds), 0x10 },
    { "FS = 0x63 (a TLS selector)", REG(fs), 0x63 },
    { "GS = 0x8 (the GDT's first)", REG(gs), 0x8 },
    { "fs_base = a kernel address", REG(fs_base), (long)0xffffffff81000000UL },
    { "eflags IOPL 3", REG(eflags), 0x3202 },
  };
  for (unsigned i = 0; i < sizeof segs / sizeof segs[0]; i++) {
    errno = 0;
    r = ptrace(PTRACE_POKEUSER, p, segs[i].off, segs[i].v);
    long now = ptrace(PTRACE_PEEKUSER, p, segs[i].off, 0);
    int changed = now == segs[i].v || (segs[i].off == REG(eflags) && (now & 0x3000));
    verdict(r == 0 && changed && segs[i].off != REG(fs) && segs[i].off != REG(ss),
            "POKEUSER %s (%ld %s, now %#lx)", segs[i].what, r, r ? strerrorname_np(errno) : "", now);
  }
  struct user_regs_struct regs, k;
  ptrace(PTRACE_GETREGS, p, 0, &regs);
  k = regs;
  k.cs = 0x10;
  k.ss = 0x18;
  r = ptrace(PTRACE_SETREGS, p, 0, &k);
  verdict(r == 0, "SETREGS with kernel CS/SS (%ld %s)", r, r ? strerrorname_np(errno) : "");
  k = regs;
  k.cs = 0x23;
  k.ss = 0x2b;
  r = ptrace(PTRACE_SETREGS, p, 0, &k);
  verdict(r == 0, "SETREGS with a 32-bit CS (%ld %s)", r, r ? strerrorname_np(errno) : "");
  /* the tracee still runs 64-bit code, as a guest */
  int alive = run_a_bit(p, 0);
  verdict(0, "tracee after the register pokes: %s", alive ? "runs" : "died");
  finish(p);
}

static void memory(void) {
  pid_t p = tracee();
  errno = 0;
  long w = ptrace(PTRACE_PEEKTEXT, p, STUB, 0);
  verdict(errno == 0, "PEEKTEXT of the stub (%s)", errno ? strerrorname_np(errno) : "read");
  long r = ptrace(PTRACE_POKETEXT, p, STUB, 0xccccccccccccccccL);
  verdict(r == 0, "POKETEXT into the stub (%ld %s)", r, r ? strerrorname_np(errno) : "");
  r = ptrace(PTRACE_POKEDATA, p, STUB + 0x100000, 0);  /* SC_SHARED_OFF */
  verdict(r == 0, "POKEDATA into the stub's shared pages (%ld %s)", r, r ? strerrorname_np(errno) : "");
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/mem", p);
  int fd = open(path, O_RDWR);
  long n = fd >= 0 ? pwrite(fd, &w, 8, (off_t)STUB) : -1;
  verdict(n > 0, "/proc/PID/mem write into the stub (%ld)", n);
  n = fd >= 0 ? pread(fd, &w, 8, (off_t)STUB) : -1;
  verdict(n > 0, "/proc/PID/mem read of the stub (%ld)", n);
  if (fd >= 0)
    close(fd);
  struct iovec l = { &w, 8 }, rv = { (void *)STUB, 8 };
  n = process_vm_readv(p, &l, 1, &rv, 1, 0);
  verdict(n > 0, "process_vm_readv of the stub (%ld)", n);
  n = process_vm_writev(p, &l, 1, &rv, 1, 0);
  verdict(n > 0, "process_vm_writev into the stub (%ld)", n);
  /* the tracee, pointed at the stub's syscall with kill(-1, SIGKILL)
   * loaded, single-stepped and continued: it may die, the host may not */
  struct user_regs_struct regs;
  ptrace(PTRACE_GETREGS, p, 0, &regs);
  regs.rip = STUB;
  regs.rax = SYS_kill;
  regs.rdi = (unsigned long)-1;
  regs.rsi = SIGKILL;
  ptrace(PTRACE_SETREGS, p, 0, &regs);
  for (int i = 0; i < 4; i++) {
    int st;
    if (ptrace(PTRACE_SINGLESTEP, p, 0, 0) || waitpid(p, &st, 0) != p || !WIFSTOPPED(st))
      break;
  }
  run_a_bit(p, 0);
  verdict(0, "tracee stepped into the stub's syscall with kill(-1, SIGKILL)");
  finish(p);
}

static void attach(void) {
  long r = ptrace(PTRACE_ATTACH, 1, 0, 0);
  /* pid 1 is the guest's init (this test, or its parent): allowed or not,
   * it is a guest task */
  if (!r) {
    waitpid(1, NULL, __WALL);
    ptrace(PTRACE_DETACH, 1, 0, 0);
  }
  verdict(0, "ATTACH to pid 1 is the guest's init (%ld %s)", r, r ? strerrorname_np(errno) : "");
  /* the sentinel's pid names no host process here: at most a guest one
   * (the runner checks the sentinel lives) */
  r = ptrace(PTRACE_ATTACH, sentinel, 0, 0);
  verdict(0, "ATTACH to the host sentinel's pid %d (%ld %s)", sentinel, r, r ? strerrorname_np(errno) : "");
  if (!r) {
    waitpid(sentinel, NULL, __WALL);
    ptrace(PTRACE_KILL, sentinel, 0, 0);
  }
  r = ptrace(PTRACE_SEIZE, getppid() ? getppid() : 1, 0, PTRACE_O_EXITKILL);
  verdict(0, "SEIZE of the parent (%ld %s)", r, r ? strerrorname_np(errno) : "");
  if (!r)
    ptrace(PTRACE_DETACH, getppid(), 0, 0);
  char b[8];
  struct iovec l = { b, 8 }, rv = { (void *)0x400000, 8 };
  long n = process_vm_readv(sentinel, &l, 1, &rv, 1, 0);
  verdict(0, "process_vm_readv of the sentinel's pid (%ld %s)", n, n < 0 ? strerrorname_np(errno) : "");
}

static void run_filtered(const char *what, struct sock_filter *f, unsigned short n, long nr) {
  pid_t p = fork();
  if (!p) {
    struct sock_fprog prog = { n, f };
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
      _exit(3);
    syscall(nr, -1, SIGKILL, 0);
    syscall(SYS_kill, sentinel, SIGKILL);
    _exit(0);
  }
  int st;
  waitpid(p, &st, 0);
  verdict(0, "filter %s: the child %s %d", what, WIFSIGNALED(st) ? "died of" : "exited",
          WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
}

#define LD_NR BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr))
static void filters(void) {
  static const uint32_t odd[] = { 0x00010000, 0x00020000, 0x00040000, 0x7ff80000, 0x7ffe0000,
                                  0x7fff0001, 0xffff0000, 0x80010000, 0x7fc00000 };
  for (unsigned i = 0; i < sizeof odd / sizeof odd[0]; i++) {
    struct sock_filter f[] = {
      LD_NR,
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_kill, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, odd[i]),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    char what[64];
    snprintf(what, sizeof what, "returning %#x for kill", odd[i]);
    run_filtered(what, f, 4, SYS_kill);
  }
  /* every syscall refused, rt_sigreturn and exit included: umk's own
   * work for the process (its stub's calls) goes on regardless */
  struct sock_filter all[] = { BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 1) };
  run_filtered("refusing everything", all, 1, SYS_kill);
  struct sock_filter trace[] = { BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE | 0xffff) };
  run_filtered("TRACE for everything, no tracer", trace, 1, SYS_kill);
}

/* A watchpoint on the 16 bytes below the tracee's stack, which the seccomp
 * platform's fast syscall path uses as scratch (as a signal frame would),
 * and one on a counter the tracee writes: their hits must stop the
 * tracee at its own code, never inside the stub (whose registers a
 * tracer could then rewrite). */
static volatile long counter;

static void watch_scratch(void) {
  pid_t p = fork();
  if (!p) {
    ptrace(PTRACE_TRACEME, 0, 0, 0);
    raise(SIGSTOP);
    for (;;) {
      counter++;
      getpid();   /* mov $39,%eax; syscall: a site the seccomp platform may patch */
    }
  }
  int st;
  waitpid(p, &st, 0);
  run_a_bit(p, 0);   /* its getpid loop runs */
  kill(p, SIGSTOP);
  waitpid(p, &st, 0);
  struct user_regs_struct regs;
  ptrace(PTRACE_GETREGS, p, 0, &regs);
  long r0 = ptrace(PTRACE_POKEUSER, p, DR(0), (regs.rsp - 136) & ~7UL);
  long r1 = ptrace(PTRACE_POKEUSER, p, DR(1), (regs.rsp - 144) & ~7UL);
  /* and one on its counter, which its own code writes: hits to see */
  ptrace(PTRACE_POKEUSER, p, DR(2), (unsigned long)&counter);
  long r7 = ptrace(PTRACE_POKEUSER, p, DR(7), 0x15UL | (0xbUL << 16) | (0xbUL << 20) | (0xbUL << 24));
  int hits = 0, in_stub = 0;
  for (int i = 0; i < 40; i++) {
    if (ptrace(PTRACE_CONT, p, 0, 0))
      break;
    usleep(5000);
    if (waitpid(p, &st, WNOHANG) != p) {   /* no hit yet: stop it */
      kill(p, SIGSTOP);
      if (waitpid(p, &st, 0) != p)
        break;
    }
    if (!WIFSTOPPED(st))
      break;
    ptrace(PTRACE_GETREGS, p, 0, &regs);
    hits += WSTOPSIG(st) == SIGTRAP;
    in_stub += regs.rip >= STUB;
  }
  verdict(in_stub != 0, "a watchpoint below the tracee's stack (pokes %ld %ld %ld): %d stops, %d in the stub",
          r0, r1, r7, hits, in_stub);
  finish(p);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: ptrace SENTINEL-PID\n");
    return 2;
  }
  sentinel = (pid_t)atol(argv[1]);
  registers();
  watch_scratch();
  memory();
  attach();
  filters();
  return esc_done();
}
