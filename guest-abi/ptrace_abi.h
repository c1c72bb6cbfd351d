/*
 * ptrace_abi.h - the guest's view of ptrace(2) and seccomp(2): request
 * and option numbers, event codes, struct layouts (<linux/ptrace.h>,
 * <linux/seccomp.h>, <linux/filter.h>, <sys/user.h> on x86-64), all with
 * a linux_ / LINUX_ prefix.  The host's own ptrace and seccomp headers
 * stay in tracer/.
 */
#ifndef UMK_PTRACE_ABI_H
#define UMK_PTRACE_ABI_H

#include <stdint.h>
#include "abi.h"

/* ---- ptrace(2) requests ---- */
enum {
	LINUX_PTRACE_TRACEME = 0,
	LINUX_PTRACE_PEEKTEXT = 1,
	LINUX_PTRACE_PEEKDATA = 2,
	LINUX_PTRACE_PEEKUSR = 3,
	LINUX_PTRACE_POKETEXT = 4,
	LINUX_PTRACE_POKEDATA = 5,
	LINUX_PTRACE_POKEUSR = 6,
	LINUX_PTRACE_CONT = 7,
	LINUX_PTRACE_KILL = 8,
	LINUX_PTRACE_SINGLESTEP = 9,
	LINUX_PTRACE_GETREGS = 12,
	LINUX_PTRACE_SETREGS = 13,
	LINUX_PTRACE_GETFPREGS = 14,
	LINUX_PTRACE_SETFPREGS = 15,
	LINUX_PTRACE_ATTACH = 16,
	LINUX_PTRACE_DETACH = 17,
	LINUX_PTRACE_GETFPXREGS = 18,
	LINUX_PTRACE_SETFPXREGS = 19,
	LINUX_PTRACE_OLDSETOPTIONS = 21,   /* x86: PTRACE_SETOPTIONS's old number */
	LINUX_PTRACE_SYSCALL = 24,
	LINUX_PTRACE_GET_THREAD_AREA = 25,
	LINUX_PTRACE_SET_THREAD_AREA = 26,
	LINUX_PTRACE_ARCH_PRCTL = 30,
	LINUX_PTRACE_SYSEMU = 31,
	LINUX_PTRACE_SYSEMU_SINGLESTEP = 32,
	LINUX_PTRACE_SINGLEBLOCK = 33,
	LINUX_PTRACE_SETOPTIONS = 0x4200,
	LINUX_PTRACE_GETEVENTMSG = 0x4201,
	LINUX_PTRACE_GETSIGINFO = 0x4202,
	LINUX_PTRACE_SETSIGINFO = 0x4203,
	LINUX_PTRACE_GETREGSET = 0x4204,
	LINUX_PTRACE_SETREGSET = 0x4205,
	LINUX_PTRACE_SEIZE = 0x4206,
	LINUX_PTRACE_INTERRUPT = 0x4207,
	LINUX_PTRACE_LISTEN = 0x4208,
	LINUX_PTRACE_PEEKSIGINFO = 0x4209,
	LINUX_PTRACE_GETSIGMASK = 0x420a,
	LINUX_PTRACE_SETSIGMASK = 0x420b,
	LINUX_PTRACE_SECCOMP_GET_FILTER = 0x420c,
	LINUX_PTRACE_SECCOMP_GET_METADATA = 0x420d,
	LINUX_PTRACE_GET_SYSCALL_INFO = 0x420e,
	LINUX_PTRACE_GET_RSEQ_CONFIGURATION = 0x420f,
};

/* PTRACE_SETOPTIONS / PTRACE_SEIZE options */
#define LINUX_PTRACE_O_TRACESYSGOOD    0x00000001
#define LINUX_PTRACE_O_TRACEFORK       0x00000002
#define LINUX_PTRACE_O_TRACEVFORK      0x00000004
#define LINUX_PTRACE_O_TRACECLONE      0x00000008
#define LINUX_PTRACE_O_TRACEEXEC       0x00000010
#define LINUX_PTRACE_O_TRACEVFORKDONE  0x00000020
#define LINUX_PTRACE_O_TRACEEXIT       0x00000040
#define LINUX_PTRACE_O_TRACESECCOMP    0x00000080
#define LINUX_PTRACE_O_EXITKILL        0x00100000
#define LINUX_PTRACE_O_SUSPEND_SECCOMP 0x00200000
#define LINUX_PTRACE_O_MASK            0x003000ff

/* wait status events: status >> 16 */
enum {
	LINUX_PTRACE_EVENT_FORK = 1,
	LINUX_PTRACE_EVENT_VFORK = 2,
	LINUX_PTRACE_EVENT_CLONE = 3,
	LINUX_PTRACE_EVENT_EXEC = 4,
	LINUX_PTRACE_EVENT_VFORK_DONE = 5,
	LINUX_PTRACE_EVENT_EXIT = 6,
	LINUX_PTRACE_EVENT_SECCOMP = 7,
	LINUX_PTRACE_EVENT_STOP = 128,
};

/* PTRACE_GET_SYSCALL_INFO */
enum {
	LINUX_PTRACE_SYSCALL_INFO_NONE = 0,
	LINUX_PTRACE_SYSCALL_INFO_ENTRY = 1,
	LINUX_PTRACE_SYSCALL_INFO_EXIT = 2,
	LINUX_PTRACE_SYSCALL_INFO_SECCOMP = 3,
};
struct linux_ptrace_syscall_info {
	uint8_t op;
	uint8_t pad[3];
	uint32_t arch;
	uint64_t instruction_pointer;
	uint64_t stack_pointer;
	union {
		struct { uint64_t nr; uint64_t args[6]; } entry;
		struct { int64_t rval; uint8_t is_error; } exit;
		struct { uint64_t nr; uint64_t args[6]; uint32_t ret_data; } seccomp;
	} u;
};
#define LINUX_PTRACE_SYSCALL_INFO_ENTRY_SIZE   80   /* offsetof(..., entry.args[6]) */
#define LINUX_PTRACE_SYSCALL_INFO_EXIT_SIZE    33   /* offsetof(..., exit.is_error) + 1 */
#define LINUX_PTRACE_SYSCALL_INFO_SECCOMP_SIZE 84   /* offsetof(..., seccomp.ret_data) + 4 */

struct linux_ptrace_peeksiginfo_args {
	uint64_t off;
	uint32_t flags;            /* LINUX_PTRACE_PEEKSIGINFO_SHARED */
	int32_t nr;
};
#define LINUX_PTRACE_PEEKSIGINFO_SHARED 1

struct linux_seccomp_metadata { uint64_t filter_off, flags; };

/* PTRACE_GETREGSET note types */
#define LINUX_NT_PRSTATUS   1
#define LINUX_NT_PRFPREG    2
#define LINUX_NT_X86_XSTATE 0x202

/* struct user (sys/user.h) as PEEKUSER/POKEUSER see it */
#define LINUX_USER_REGS_SIZE  216   /* struct user_regs_struct */
#define LINUX_USER_DEBUGREG   848   /* offsetof(struct user, u_debugreg) */
#define LINUX_USER_SIZE       928   /* what Linux lets PEEKUSER read (its own struct user) */

#define LINUX_AUDIT_ARCH_X86_64 0xc000003eU
#define LINUX_AUDIT_ARCH_I386   0x40000003U

/* ---- seccomp(2) ---- */
enum {
	LINUX_SECCOMP_SET_MODE_STRICT = 0,
	LINUX_SECCOMP_SET_MODE_FILTER = 1,
	LINUX_SECCOMP_GET_ACTION_AVAIL = 2,
	LINUX_SECCOMP_GET_NOTIF_SIZES = 3,
};
#define LINUX_SECCOMP_MODE_DISABLED 0
#define LINUX_SECCOMP_MODE_STRICT   1
#define LINUX_SECCOMP_MODE_FILTER   2

#define LINUX_SECCOMP_FILTER_FLAG_TSYNC             (1u << 0)
#define LINUX_SECCOMP_FILTER_FLAG_LOG               (1u << 1)
#define LINUX_SECCOMP_FILTER_FLAG_SPEC_ALLOW        (1u << 2)
#define LINUX_SECCOMP_FILTER_FLAG_NEW_LISTENER      (1u << 3)
#define LINUX_SECCOMP_FILTER_FLAG_TSYNC_ESRCH       (1u << 4)
#define LINUX_SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1u << 5)

#define LINUX_SECCOMP_RET_KILL_PROCESS 0x80000000U
#define LINUX_SECCOMP_RET_KILL_THREAD  0x00000000U
#define LINUX_SECCOMP_RET_TRAP         0x00030000U
#define LINUX_SECCOMP_RET_ERRNO        0x00050000U
#define LINUX_SECCOMP_RET_USER_NOTIF   0x7fc00000U
#define LINUX_SECCOMP_RET_TRACE        0x7ff00000U
#define LINUX_SECCOMP_RET_LOG          0x7ffc0000U
#define LINUX_SECCOMP_RET_ALLOW        0x7fff0000U
#define LINUX_SECCOMP_RET_ACTION_FULL  0xffff0000U
#define LINUX_SECCOMP_RET_DATA         0x0000ffffU

struct linux_seccomp_data {
	int32_t nr;
	uint32_t arch;
	uint64_t instruction_pointer;
	uint64_t args[6];
};

struct linux_sock_filter { uint16_t code; uint8_t jt, jf; uint32_t k; };
struct linux_sock_fprog { uint16_t len; uint16_t pad[3]; uint64_t filter; };
#define LINUX_BPF_MAXINSNS 4096
#define LINUX_BPF_MEMWORDS 16

/* USER_NOTIF */
struct linux_seccomp_notif {
	uint64_t id;
	uint32_t pid;
	uint32_t flags;
	struct linux_seccomp_data data;
};
struct linux_seccomp_notif_resp {
	uint64_t id;
	int64_t val;
	int32_t error;
	uint32_t flags;            /* LINUX_SECCOMP_USER_NOTIF_FLAG_CONTINUE */
};
struct linux_seccomp_notif_addfd {
	uint64_t id;
	uint32_t flags;            /* LINUX_SECCOMP_ADDFD_FLAG_SETFD | _SEND */
	uint32_t srcfd, newfd, newfd_flags;
};
struct linux_seccomp_notif_sizes { uint16_t seccomp_notif, seccomp_notif_resp, seccomp_data; };
#define LINUX_SECCOMP_USER_NOTIF_FLAG_CONTINUE 1u
#define LINUX_SECCOMP_ADDFD_FLAG_SETFD 1u
#define LINUX_SECCOMP_ADDFD_FLAG_SEND  2u
/* ioctls on the listener: _IOWR('!', 0, struct seccomp_notif) etc. */
#define LINUX_SECCOMP_IOCTL_NOTIF_RECV     0xc0502100U
#define LINUX_SECCOMP_IOCTL_NOTIF_SEND     0xc0182101U
#define LINUX_SECCOMP_IOCTL_NOTIF_ID_VALID 0x40082102U
#define LINUX_SECCOMP_IOCTL_NOTIF_ADDFD    0x40182103U
#define LINUX_SECCOMP_IOCTL_NOTIF_SET_FLAGS 0x40082104U

#endif
