/* kallsyms.c - /proc/kallsyms as Linux shows it (kernel/kallsyms.c):
 * "ADDRESS TYPE NAME[\t[module]]" lines, 16 hex digits, the core
 * kernel's in ascending order; the syscall entry points as Linux names
 * them (__x64_sys_read, __x64_sys_newstat...) and the symbols programs
 * look for (_stext, _text, _etext, entry_SYSCALL_64...) as text between
 * _stext and _etext in the kernel half; real addresses for root (who has
 * CAP_SYSLOG; kptr_restrict 0 or 1, perf_event_paranoid 2), zeros for
 * another user, decided when the file is opened.  kernel.kptr_restrict:
 * a write needs CAP_SYS_ADMIN (EPERM) and a value 0..2 (EINVAL).  Runs
 * natively too: the host's kptr_restrict is only rewritten with the
 * value it has, and its perf_event_paranoid is expected to be 2 or more
 * (Debian's and Linux's default). */
#include "t.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>

struct sym { unsigned long addr; char type; };

static const char *const wanted[] = {
  "_stext", "_text", "_etext", "entry_SYSCALL_64", "do_syscall_64", "x64_sys_call",
  "__x64_sys_read", "__x64_sys_write", "__x64_sys_newstat", "__x64_sys_newuname",
  "__x64_sys_umount", "__x64_sys_ni_syscall", "__x64_sys_openat", "__x64_sys_exit_group",
};
#define NW (sizeof wanted / sizeof wanted[0])

struct scan {
  long lines, bad, unsorted, nonzero;
  struct sym found[NW];
  int seen[NW];
};

/* reads fd to its end, checking every line */
static void scan_fd(int fd, struct scan *s) {
  FILE *f = fdopen(fd, "r");
  char line[512];
  unsigned long prev = 0;
  memset(s, 0, sizeof *s);
  while (f && fgets(line, sizeof line, f)) {
    s->lines++;
    size_t n = strlen(line);
    int ok = n > 20 && line[n - 1] == '\n' && line[16] == ' ' && line[18] == ' ' &&
             ((line[17] >= 'a' && line[17] <= 'z') || (line[17] >= 'A' && line[17] <= 'Z'));
    for (int i = 0; ok && i < 16; i++)
      ok = (line[i] >= '0' && line[i] <= '9') || (line[i] >= 'a' && line[i] <= 'f');
    if (!ok) {
      s->bad++;
      continue;
    }
    line[n - 1] = 0;
    char *name = line + 19, *mod = strchr(name, '\t');
    if (mod) {
      /* "\t[module]" */
      if (mod[1] != '[' || line[n - 2] != ']')
        s->bad++;
      *mod = 0;
    }
    if (!*name || strchr(name, ' '))
      s->bad++;
    unsigned long a = strtoul(line, NULL, 16);
    if (a)
      s->nonzero++;
    if (!mod) {
      if (a < prev)
        s->unsorted++;
      prev = a;
      for (size_t i = 0; i < NW; i++)
        if (!s->seen[i] && !strcmp(name, wanted[i])) {
          s->seen[i] = 1;
          s->found[i].addr = a;
          s->found[i].type = line[17];
        }
    }
  }
  if (f)
    fclose(f);
}

static struct scan sc;

int main(void) {
  struct stat st;
  OK("stat /proc/kallsyms", stat("/proc/kallsyms", &st) == 0);
  OK("mode 0444, root's", st.st_mode == (S_IFREG | 0444) && st.st_uid == 0 && st.st_size == 0);
  long kr = -1, pp = -1;
  FILE *f = fopen("/proc/sys/kernel/kptr_restrict", "r");
  OK("kptr_restrict readable", f && fscanf(f, "%ld", &kr) == 1 && kr >= 0 && kr <= 2);
  if (f)
    fclose(f);
  f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
  OK("perf_event_paranoid readable", f && fscanf(f, "%ld", &pp) == 1);
  if (f)
    fclose(f);
  if (kr == 2 || pp < 2) {
    printf("SKIP kptr_restrict %ld, perf_event_paranoid %ld: not what this checks\n", kr, pp);
    return 0;
  }

  /* root */
  int fd = open("/proc/kallsyms", O_RDONLY);
  OK("root opens it", fd >= 0);
  scan_fd(fd, &sc);
  OK("lines", sc.lines > 100);
  OK("every line ADDRESS TYPE NAME", sc.bad == 0);
  OK("the core kernel's in address order", sc.unsorted == 0);
  OK("root sees addresses", sc.nonzero > 0);
  unsigned long stext = sc.found[0].addr, etext = sc.found[2].addr;
  OK("_stext in the kernel half", stext >= 0xffff800000000000UL);
  OK("_text is _stext", sc.found[1].addr == stext);
  OK("_etext past it", etext > stext);
  for (size_t i = 0; i < NW; i++) {
    char name[96];
    snprintf(name, sizeof name, "%s: T", wanted[i]);
    OK(name, sc.seen[i] && sc.found[i].type == 'T');
    if (i >= 3) {
      snprintf(name, sizeof name, "%s in the kernel's text", wanted[i]);
      OK(name, sc.found[i].addr >= stext && sc.found[i].addr < etext);
    }
  }
  OK("__x64_sys_read is not __x64_sys_write", sc.found[6].addr != sc.found[7].addr);

  /* another user: zeros; opened as root, then read as nobody: addresses */
  int pfd[2];
  if (pipe(pfd) < 0)
    return 1;
  pid_t pid = fork();
  if (pid == 0) {
    int early = open("/proc/kallsyms", O_RDONLY);
    if (setgid(65534) < 0 || setuid(65534) < 0)
      _exit(1);
    struct scan *s = malloc(2 * sizeof *s);
    scan_fd(open("/proc/kallsyms", O_RDONLY), &s[0]);
    scan_fd(early, &s[1]);
    long r[6] = { s[0].lines, s[0].bad, s[0].nonzero, s[0].seen[6], s[1].nonzero > 0, s[0].found[6].addr };
    if (write(pfd[1], r, sizeof r) != sizeof r)
      _exit(1);
    _exit(0);
  }
  long r[6] = { 0 };
  close(pfd[1]);
  int got = read(pfd[0], r, sizeof r) == sizeof r;
  waitpid(pid, NULL, 0);
  OK("nobody reads it", got && r[0] > 100 && r[1] == 0);
  OK("nobody: every address zero", got && r[2] == 0);
  OK("nobody: __x64_sys_read there, at 0", got && r[3] == 1 && r[5] == 0);
  OK("opened by root, read by nobody: addresses", got && r[4] == 1);

  /* kptr_restrict: CAP_SYS_ADMIN to write, then 0..2 */
  char cur[8];
  snprintf(cur, sizeof cur, "%ld\n", kr);
  fd = open("/proc/sys/kernel/kptr_restrict", O_WRONLY);
  OK("root writes its value back", fd >= 0 && write(fd, cur, strlen(cur)) == (ssize_t)strlen(cur));
  close(fd);
  fd = open("/proc/sys/kernel/kptr_restrict", O_WRONLY);
  ERR("kptr_restrict 3", write(fd, "3\n", 2), EINVAL);
  close(fd);
  pid = fork();
  if (pid == 0) {
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2];
    if (syscall(SYS_capget, &h, d) < 0)
      _exit(2);
    d[CAP_SYS_ADMIN / 32].effective &= ~(1u << (CAP_SYS_ADMIN % 32));
    if (syscall(SYS_capset, &h, d) < 0)
      _exit(2);
    int w = open("/proc/sys/kernel/kptr_restrict", O_WRONLY);
    if (w < 0)
      _exit(3);
    _exit(write(w, cur, strlen(cur)) < 0 && errno == EPERM ? 0 : 4);
  }
  int stt = -1;
  waitpid(pid, &stt, 0);
  OK("root without CAP_SYS_ADMIN: EPERM", WIFEXITED(stt) && WEXITSTATUS(stt) == 0);
  return t_done();
}
