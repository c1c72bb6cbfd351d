/* uffd.c - userfaultfd's ioctls write, move and protect guest pages on
 * the guest's behalf (through /proc/PID/mem of the stub and mprotect in
 * it): none of them may reach the stub's reserved region or the seccomp
 * platform's trampoline zones, nor may mremap(MREMAP_DONTUNMAP) move
 * them or land on them.  Tries each around a registered page next to the
 * stub region, then checks that syscalls still work (the stub is
 * intact).  Natively nothing is mapped there: every attempt fails too. */
#include "esc.h"
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define STUB_START 0x7ffffea00000UL   /* guest-abi/abi.h */
#define ZONE_LOW 0x10000UL            /* tracer/stub_layout.h SC_TRAMP_LOW */
#define ZONE_HIGH 0x7ffffea40000UL    /* SC_TRAMP_HIGH */
#define PG 4096UL
struct uffdio_move_ { uint64_t dst, src, len, mode; int64_t move; };
struct uffdio_poison_ { struct uffdio_range range; uint64_t mode; int64_t updated; };
#define UFFDIO_MOVE_ _IOWR(UFFDIO, 0x05, struct uffdio_move_)
#define UFFDIO_POISON_ _IOWR(UFFDIO, 0x08, struct uffdio_poison_)

static int u;

static void attempt(const char *what, unsigned long req, void *arg) {
  long r = ioctl(u, req, arg);
  verdict(r == 0, "%s (%s)", what, r == 0 ? "done" : strerror(errno));
}

int main(void) {
  static char src[PG] __attribute__((aligned(4096)));
  memset(src, 0xcc, sizeof src);
  u = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
  struct uffdio_api api = { .api = UFFD_API };
  if (u < 0 || ioctl(u, UFFDIO_API, &api)) {
    perror("userfaultfd");
    return 1;
  }
  /* a registered page just below the stub region, and one far from it */
  char *edge = mmap((void *)(STUB_START - PG), PG, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  struct uffdio_register reg = { .range = { (uintptr_t)p, PG },
                                 .mode = UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP };
  ioctl(u, UFFDIO_REGISTER, &reg);
  if (edge != MAP_FAILED) {
    /* a range running into the stub: at most the guest's page is registered */
    reg = (struct uffdio_register){ .range = { (uintptr_t)edge, 4 * PG }, .mode = UFFDIO_REGISTER_MODE_MISSING };
    ioctl(u, UFFDIO_REGISTER, &reg);
  }
  const struct { const char *name; uintptr_t at; } bad[] = {
    { "the stub region", STUB_START },
    { "the stub region, second page", STUB_START + PG },
    { "the high trampoline zone", ZONE_HIGH },
    { "the low trampoline zone", ZONE_LOW },
  };
  char what[128];
  for (unsigned i = 0; i < sizeof bad / sizeof *bad; i++) {
    uintptr_t a = bad[i].at;
    struct uffdio_copy c = { .dst = a, .src = (uintptr_t)src, .len = PG };
    snprintf(what, sizeof what, "UFFDIO_COPY into %s", bad[i].name);
    attempt(what, UFFDIO_COPY, &c);
    if (a >= STUB_START) {
      /* (the trampolines are the guest's to read and run: only the stub's pages are secret) */
      c = (struct uffdio_copy){ .dst = (uintptr_t)p, .src = a, .len = PG };
      snprintf(what, sizeof what, "UFFDIO_COPY out of %s", bad[i].name);
      attempt(what, UFFDIO_COPY, &c);
    }
    struct uffdio_zeropage z = { .range = { a, PG } };
    snprintf(what, sizeof what, "UFFDIO_ZEROPAGE on %s", bad[i].name);
    attempt(what, UFFDIO_ZEROPAGE, &z);
    struct uffdio_poison_ po = { .range = { a, PG } };
    snprintf(what, sizeof what, "UFFDIO_POISON on %s", bad[i].name);
    attempt(what, UFFDIO_POISON_, &po);
    struct uffdio_writeprotect w = { .range = { a, PG }, .mode = UFFDIO_WRITEPROTECT_MODE_WP };
    snprintf(what, sizeof what, "UFFDIO_WRITEPROTECT on %s", bad[i].name);
    attempt(what, UFFDIO_WRITEPROTECT, &w);
    struct uffdio_continue co = { .range = { a, PG } };
    snprintf(what, sizeof what, "UFFDIO_CONTINUE on %s", bad[i].name);
    attempt(what, UFFDIO_CONTINUE, &co);
    struct uffdio_move_ mv = { .dst = (uintptr_t)p, .src = a, .len = PG };
    snprintf(what, sizeof what, "UFFDIO_MOVE out of %s", bad[i].name);
    attempt(what, UFFDIO_MOVE_, &mv);
    mv = (struct uffdio_move_){ .dst = a, .src = (uintptr_t)src, .len = PG };
    snprintf(what, sizeof what, "UFFDIO_MOVE into %s", bad[i].name);
    attempt(what, UFFDIO_MOVE_, &mv);
    struct uffdio_range wr = { a, PG };
    ioctl(u, UFFDIO_WAKE, &wr);   /* harmless either way */
    void *m = mremap((void *)a, PG, PG, MREMAP_DONTUNMAP | MREMAP_MAYMOVE, NULL);
    verdict(m != MAP_FAILED, "mremap(MREMAP_DONTUNMAP) of %s (%s)", bad[i].name,
            m != MAP_FAILED ? "moved" : strerror(errno));
    m = mremap(p, PG, PG, MREMAP_DONTUNMAP | MREMAP_MAYMOVE, (void *)a);
    int landed = m != MAP_FAILED && (uintptr_t)m >= a && (uintptr_t)m < a + PG;
    verdict(landed, "mremap(MREMAP_DONTUNMAP) with %s as the hint (%s)", bad[i].name,
            landed ? "landed there" : "elsewhere or refused");
    if (m != MAP_FAILED && !landed)
      munmap(m, PG);
  }
  long ok = 0;
  for (int i = 0; i < 50; i++)
    ok += getppid() >= 0;
  verdict(ok != 50, "syscalls after the attempts (%ld of 50 worked)", ok);
  return esc_done();
}
