/* shmat.c - SysV shared memory is mapped into the guest like a file: an
 * attach (with SHM_REMAP, which replaces what is there) must not land on
 * the stub's reserved region or the seccomp platform's trampoline zones,
 * which would let the guest write code that runs in umk's stub or in
 * other guest processes.  Tries each, then checks that syscalls still
 * work (the stub is intact).  An attach that lands is written in a child,
 * so a SIGSEGV there counts as held. */
#include "esc.h"
#include <signal.h>
#include <stdint.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>

#define STUB_START 0x7ffffea00000UL   /* guest-abi/abi.h */
#define ZONE_LOW 0x10000UL            /* tracer/stub_layout.h SC_TRAMP_LOW */
#define ZONE_HIGH 0x7ffffea40000UL    /* SC_TRAMP_HIGH */

static void try_attach(int id, const char *what, uintptr_t at, int flags) {
  void *p = shmat(id, (void *)at, flags);
  if (p == (void *)-1) {
    verdict(0, "shmat over %s (%s)", what, strerror(errno));
    return;
  }
  pid_t k = fork();
  if (k == 0) {
    *(volatile uint8_t *)p = 0xcc;
    _exit(1);
  }
  int st;
  waitpid(k, &st, 0);
  verdict(WIFEXITED(st), "shmat over %s at %p (%s)", what, p, WIFEXITED(st) ? "written" : "not writable");
}

int main(void) {
  int id = shmget(IPC_PRIVATE, 3 * 4096, IPC_CREAT | 0600);
  if (id < 0) { perror("shmget"); return 1; }
  try_attach(id, "the stub region", STUB_START, SHM_REMAP);
  try_attach(id, "the stub region, rounded", STUB_START + 123, SHM_REMAP | SHM_RND);
  try_attach(id, "a range running into the stub region", STUB_START - 4096, SHM_REMAP);
  try_attach(id, "the high trampoline zone", ZONE_HIGH, SHM_REMAP);
  try_attach(id, "the low trampoline zone", ZONE_LOW, SHM_REMAP);
  try_attach(id, "page zero", 0x1000, SHM_REMAP);
  long ok = 0;
  for (int i = 0; i < 50; i++)
    ok += getppid() >= 0;
  verdict(ok != 50, "syscalls after the attaches (%ld of 50 worked)", ok);
  shmctl(id, IPC_RMID, NULL);
  return esc_done();
}
