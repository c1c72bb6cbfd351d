/*
 * host.h - host-side helpers both platforms share: what the host left in
 * a freshly exec'd stub (the parts to unmap, the vDSO pages to keep), and
 * copies between umk and a stub's memory.  Host types stay in tracer/.
 */
#ifndef UMK_HOST_H
#define UMK_HOST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "platform.h"

#define HOST_LAYOUT_MAX 32

/*
 * host_stub_choose - where this umk's stubs go (sets umk_stub_start).
 * want: an address the user asked for ("0x7ffff0000000"), or NULL: the
 * default, unless umk itself runs inside an umk whose "[umk-stub]" region
 * (in /proc/self/maps) is there, and then the region ends 10 MiB below
 * the lowest such region (under the guest stack the outer umk gives), or
 * lower, below whatever umk has mapped in the way.  The region must be 2 MiB aligned, at or above 4 GiB, below the
 * end of user space, and clear of those regions.  0 or -EINVAL.
 */
int host_stub_choose(const char *want);
/* Does umk run inside an umk (a "[umk-stub]" region in its own maps)? */
bool host_nested(void);
/*
 * host_stub_image - the embedded stub binary, its program headers moved
 * to umk_stub_start (the code is position-independent).  Returns a
 * malloc'd copy and its length, or NULL.
 */
void *host_stub_image(size_t *len);

/*
 * host_layout_read - parses /proc/PID/maps of a new stub.  Fills v with
 * the [vdso]/[vvar*] mappings (kept) and unmap[] with every other mapping
 * that is not the stub binary itself (the host stack included, wherever it
 * is) and not the vsyscall page.  Returns how many ranges to unmap, or
 * -errno if the maps cannot be read.
 */
int host_layout_read(pid_t pid, struct platform_vdso *v, uint64_t unmap[][2]);

/*
 * host_read_mem/host_write_mem - process_vm_readv/writev between umk and
 * the guest memory of host process (or thread) pid.  Returns bytes copied,
 * fewer at the first unmapped page, or -EFAULT if not one byte could be,
 * or if the range touches the stub's reserved region (not the guest's).
 */
long host_read_mem(pid_t pid, void *dst, uint64_t src, size_t len);
long host_write_mem(pid_t pid, uint64_t dst, const void *src, size_t len);

/*
 * host_access_mem_force - the same through the host's /proc/PID/mem, which
 * writes through read-only private mappings and reads unreadable ones
 * (FOLL_FORCE), for a guest debugger's PEEK/POKE.  Returns bytes copied,
 * or -EFAULT / -EIO (also when the host's /proc is not umk's own).
 */
long host_access_mem_force(pid_t pid, uint64_t addr, void *buf, size_t len, bool write);

/*
 * host_child_wait - waits for umk's host child pid (-1: any child) to
 * end, as waitpid(2), retrying EINTR; nohang: 0 at once if none has.
 * Returns the pid reaped, 0, or -errno; then *exited says whether it
 * exited (its status in *code) rather than being killed by a signal.
 * For the helper programs umk runs itself (campaign workers, gnuplot),
 * so that the wait header stays here.
 */
pid_t host_child_wait(pid_t pid, bool nohang, bool *exited, int *code);

#endif
