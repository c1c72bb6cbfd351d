/* tramp.c - the seccomp platform's syscall trampolines are shared by
 * every guest process (one memfd, mapped executable in each stub): a
 * guest that could write them would run its code in other guest
 * processes, whatever their uid.  Tries to make the two zones writable,
 * to write them, to map over them, and to unmap them; each attempt that
 * writes runs in a child, so a SIGSEGV counts as held. */
#include "esc.h"
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define ZONE_LOW 0x10000UL           /* tracer/stub_layout.h SC_TRAMP_LOW */
#define ZONE_HIGH 0x7ffffea40000UL   /* SC_TRAMP_HIGH */

static void try_write(const char *what, uintptr_t at) {
  pid_t k = fork();
  if (k == 0) {
    *(volatile uint8_t *)(at + 0x40) = 0xc3;
    _exit(1);
  }
  int st;
  waitpid(k, &st, 0);
  verdict(WIFEXITED(st), "write into the %s zone (%s)", what,
          WIFSIGNALED(st) ? "killed by a signal" : "written");
}

int main(void) {
  static const struct { const char *name; uintptr_t at; } z[] = { { "low", ZONE_LOW }, { "high", ZONE_HIGH } };
  for (int i = 0; i < 2; i++) {
    int r = mprotect((void *)z[i].at, 0x1000, PROT_READ | PROT_WRITE | PROT_EXEC);
    verdict(r == 0, "mprotect of the %s zone writable (%s)", z[i].name, r ? "refused" : "done");
    try_write(z[i].name, z[i].at);
  }
  void *m = mmap((void *)ZONE_LOW, 0x1000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  verdict(m != MAP_FAILED, "mmap MAP_FIXED over the low zone (%s)", m == MAP_FAILED ? "refused" : "mapped");
  m = mmap((void *)ZONE_HIGH, 0x1000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  verdict(m != MAP_FAILED, "mmap MAP_FIXED over the high zone (%s)", m == MAP_FAILED ? "refused" : "mapped");
  /* unmapping is allowed to do nothing; the zones must still be there
   * for the patched sites of this process */
  munmap((void *)ZONE_LOW, 0x10000);
  long ok = 0;
  for (int i = 0; i < 50; i++)
    ok += getpid() > 0;
  verdict(ok != 50, "syscalls after munmap of the low zone (%ld of 50 worked)", ok);
  return esc_done();
}
