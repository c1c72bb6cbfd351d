/* unimpl.c - makes two syscalls umk does not implement (quotactl_fd
 * twice, bpf once) and prints their errnos: the guest sees
 * ENOSYS and nothing else; umk's note goes to its log (--log, -v). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
  syscall(443, -1, 0, 0, 0);   /* quotactl_fd */
  long r = syscall(443, -1, 0, 0, 0);
  int e1 = errno;
  long r2 = syscall(321, 0, 0, 0); /* bpf */
  int e2 = errno;
  printf("%s %s\n", r == -1 ? strerrorname_np(e1) : "ok", r2 == -1 ? strerrorname_np(e2) : "ok");
  return 0;
}
