/*
 * stub_layout.h - fixed addresses inside the stub's reserved region.
 *
 * The stub binary (stub.c, linked by stub.ld at STUB_START) begins with a
 * table of 16-byte entry points that the platform jumps to when it needs
 * the stub to do something on the kernel's behalf.  Each entry ends in
 * int3, which stops the stub and hands control back to the tracer.
 */
#ifndef UMK_STUB_LAYOUT_H
#define UMK_STUB_LAYOUT_H

#include "../guest-abi/abi.h"

#define STUB_ENTRY_SYSCALL  (STUB_START + 0x00) /* syscall; int3 (rax, args in regs) */
#define STUB_ENTRY_MMAP_FD  (STUB_START + 0x10) /* receive fd on fd 3, mmap it, close it */
#define STUB_ENTRY_FORK     (STUB_START + 0x20) /* fork; child stops itself with SIGSTOP */
#define STUB_ENTRY_START    (STUB_START + 0x30) /* first code run after the host exec */
#define STUB_CTL_FD         3                   /* the stub's end of the fd-passing socket */
#define STUB_STACK_SIZE     0x10000

#endif
