/*
 * host_layout.h - what the host left in a freshly exec'd stub: the parts
 * to unmap (the host stack, ...) and the vDSO pages to keep for guests.
 * Shared by the platforms; host types stay inside tracer/.
 */
#ifndef UMK_HOST_LAYOUT_H
#define UMK_HOST_LAYOUT_H

#include <stdint.h>
#include <sys/types.h>
#include "platform.h"

#define HOST_LAYOUT_MAX 32

/*
 * host_layout_read - parses /proc/PID/maps of a new stub.  Fills v with
 * the [vdso]/[vvar*] mappings (kept) and unmap[] with every other mapping
 * that is not the stub binary itself (the host stack included, wherever it
 * is) and not the vsyscall page.  Returns how many ranges to unmap, or
 * -errno if the maps cannot be read.
 */
int host_layout_read(pid_t pid, struct platform_vdso *v, uint64_t unmap[][2]);

#endif
