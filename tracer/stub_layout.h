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
#define STUB_ENTRY_FORK     (STUB_START + 0x20) /* fork; the child parks */
#define STUB_ENTRY_START    (STUB_START + 0x30) /* first code run after the host exec */
#define STUB_ENTRY_THREAD   (STUB_START + 0x40) /* clone a host thread; it parks */
#define STUB_ENTRY_FAST     (STUB_START + 0x100) /* seccomp: a patched syscall site's way in */
#define STUB_ENTRY_CMPXCHG  (STUB_START + 0x60) /* eax = lock cmpxchg(rdi, esi -> edx) */
#define STUB_CTL_FD         3                   /* the stub's end of the fd-passing socket */
#define STUB_STACK_SIZE     0x10000

/*
 * The seccomp platform (seccomp.c).  Above the stub binary lie, per
 * thread of the stub process (at most SC_MAX_THREADS), one page shared
 * with umk (a memfd mapped here and in umk: struct sc_slot) and one
 * private alternate signal stack whose lowest bytes hold struct sc_priv.
 * Thread i uses slot i and altstack i; its handler finds i from its own
 * stack pointer.  The guest can write the shared pages: umk copies what
 * it reads there once and trusts none of it.
 *
 * SC_MAX_THREADS bounds the threads of one guest process (the 1025th
 * clone gets EAGAIN, as at Linux's threads-max; the guest-wide cap is
 * kernel/process.c's).  What bounds it is nesting: the region of every
 * level of umk-in-umk lies between the top of user space and the host's
 * vDSO, which the stubs of every level share, 128 MiB lower (the host's
 * mmap_base without ASLR); at 22 MiB a region (20 of them the slots and
 * altstacks) four levels fit (host.c host_stub_choose).  The slots' memfd is sparse
 * (pages exist once a thread touches its slot); the altstacks are
 * private memory, mapped SC_ALTSTACK_CHUNK at a time: the first chunk at
 * the stub's start, each further one by the clone request of the first
 * thread that needs it (MAP_FIXED_NOREPLACE, so a chunk a forked stub
 * inherited stays), so a process of a few threads costs what it did.
 */
#define SC_MAX_THREADS      1024
#define SC_SLOT_SIZE        0x1000
#define SC_SHARED_OFF       0x100000
#define SC_SHARED_BASE      (STUB_START + SC_SHARED_OFF)
#define SC_SHARED_SIZE      ((uint64_t)SC_MAX_THREADS * SC_SLOT_SIZE)   /* 4 MiB */
#define SC_ALTSTACK_SIZE    0x4000
#define SC_ALTSTACK_OFF     0x500000    /* SC_SHARED_OFF + SC_SHARED_SIZE (the asm uses it) */
#define SC_ALTSTACK_BASE    (STUB_START + SC_ALTSTACK_OFF)
#define SC_ALTSTACK_END     (SC_ALTSTACK_BASE + (uint64_t)SC_MAX_THREADS * SC_ALTSTACK_SIZE)
#define SC_ALTSTACK_CHUNK   64          /* altstacks mapped at once (1 MiB) */
#define SC_UMK_PIDFD        5   /* a pidfd of umk: the stub exits when it is readable */
#define SC_MEMFD            6   /* the shared memfd, at exec only */
#define SC_KICK_SIGNAL      12  /* SIGUSR2: the handler reports SC_EV_SIGNAL */

/* sc_slot.state, the futex word both sides wait on */
enum { SC_ST_IDLE = 0, SC_ST_EVENT, SC_ST_RESUME, SC_ST_REQ };
/* sc_slot.event: what the stub thread reports with SC_ST_EVENT */
enum { SC_EV_SIGNAL = 1, SC_EV_READY, SC_EV_DONE, SC_EV_FAST /* a patched site's syscall */ };
/* sc_slot.req: what umk asks with SC_ST_REQ */
enum {
	SC_REQ_SYSCALL = 1, /* arg[0] nr (mmap, munmap, mprotect, mremap, madvise), arg[1..6] */
	SC_REQ_MMAP_FD,     /* receive an fd on the ctl socket, mmap(arg[1..4], fd, arg[6]), close */
	SC_REQ_FORK,        /* receive (memfd, ctl socket), fork; the child maps the memfd */
	SC_REQ_CLONE,       /* a new thread using slot arg[0] */
	SC_REQ_EXIT,        /* this thread exits */
	SC_REQ_GET_FP,      /* the signal frame's FXSAVE image -> fp */
	SC_REQ_SET_FP,      /* fp -> the signal frame's FXSAVE image */
	SC_REQ_CMPXCHG,     /* atomic cmpxchg of the u32 at arg[0]: arg[1] -> arg[2]; result: value found */
	SC_REQ_BATCH,       /* receive arg[1] fds, run the arg[0] ops of batch[]; result: the
			     * last op's, or the first failure's */
	SC_REQ_RUSAGE,      /* getrusage(RUSAGE_SELF) into batch[0..], (RUSAGE_THREAD) into
			     * SC_RUSAGE_THREAD_OFF int64s further; result: 0 or -errno */
};
#define SC_RUSAGE_THREAD_OFF 21  /* 3 rows of batch[]: past the 144 bytes of a struct rusage */
/* batch[i][0]: mmap, munmap or mprotect, or SC_BATCH_MMAP_FD: mmap of
 * the received fd whose index is batch[i][5]; batch[i][1..6]: arguments */
#define SC_BATCH_MAX        48
#define SC_BATCH_FDS        4
#define SC_BATCH_MMAP_FD    (-2)
#define SC_F_REGS           1   /* resume: load regs into the signal frame */
#define SC_F_RAX            2   /* resume: load only regs.rax (a syscall's result) */
#define SC_INFO_COPY        48  /* siginfo bytes the stub copies: up to the
				 * fault address and the seccomp fields */

struct sc_slot {
	uint32_t state;         /* SC_ST_* (futex) */
	uint32_t kwait;         /* umk's thread sleeps in FUTEX_WAIT on state */
	uint32_t swait;         /* the stub thread sleeps in FUTEX_WAIT on state */
	uint32_t tid;           /* host tid; the host clears it at thread exit */
	uint32_t event;         /* SC_EV_* */
	uint32_t flags;         /* SC_F_* */
	uint32_t spin;          /* TSC cycles to spin before sleeping */
	uint32_t ru_ready;      /* 1: the event is an exit or exit_group syscall and
				 * batch[] holds SC_REQ_RUSAGE's answer, taken just before */
	int64_t req;
	int64_t arg[7];
	int64_t result;
	struct linux_regs regs;
	uint8_t info[128];      /* the host siginfo of SC_EV_SIGNAL */
	uint64_t fault_err;     /* its sigcontext's err and trapno (a fault's) */
	uint64_t fault_trapno;
	struct linux_fpregs fp;
	uint64_t nonce;         /* umk's mark in a forked child's fresh slot */
	int64_t batch[SC_BATCH_MAX][7];
};
_Static_assert(sizeof(struct sc_slot) <= SC_SLOT_SIZE, "a slot is one page");

struct sc_priv {                /* bottom of each private altstack */
	uint64_t fs_base, gs_base;  /* as last loaded by this thread */
	uint64_t spin;              /* TSC cycles of the next spin */
	uint64_t fast_state;        /* SC_FAST_*: where the fast path is */
	uint64_t fast_rsp;          /* the guest's rsp when it entered the fast path */
	uint64_t kick_pending;      /* a kick came while umk had the syscall */
	uint64_t notsc;             /* rdtsc faults in this thread (PR_TSC_SIGSEGV) */
};
#define SC_PRIV_SIZE        128 /* the altstack proper begins above sc_priv */
#define SC_PRIV_STATE       24  /* offsetof(struct sc_priv, fast_state), for the asm */
#define SC_PRIV_RSP         32  /* offsetof(struct sc_priv, fast_rsp) */
enum { SC_FAST_OUT = 0, SC_FAST_IN, SC_FAST_EXIT };

/*
 * Syscall-site patching (seccomp platform).  umk rewrites a hot
 * `mov $nr,%eax` + `syscall` (b8 nr32 0f 05) in a private file-backed
 * text page into `jmp rel32` + the same `syscall`: the jmp goes to an
 * entry in one of two trampoline zones (memfds shared by every stub,
 * executable in the guest, written by umk only), which loads eax = nr and
 * rcx = the return address as `syscall` would and jumps to
 * STUB_ENTRY_FAST: the stub hands the syscall to umk through the slot
 * without a signal.  The `syscall` after the jmp stays for threads that
 * had already run the mov, and is the fast path's way out to the slow
 * path.  Each zone's first 8 bytes hold STUB_ENTRY_FAST.
 */
#define SC_TRAMP_HIGH_OFF   0x40000
#define SC_TRAMP_HIGH       (STUB_START + SC_TRAMP_HIGH_OFF) /* near the stub: shared libraries */
#define SC_TRAMP_LOW        0x10000UL              /* below GUEST_MIN_ADDR: non-PIE code */
#define SC_TRAMP_SIZE       0x10000
#define SC_TRAMP_ENTRY      32
#define SC_TRAMP_FD_HIGH    7   /* at exec only */
#define SC_TRAMP_FD_LOW     8
/* The stub's end of its lifeline (seccomp.c life_arm): a stream socket
 * whose other end only umk holds; no data ever flows.  At exec it is fd
 * SC_LIFE_FD; a forked stub keeps its parent's (the one armed for their
 * process group), unless the fork request brings it another. */
#define SC_LIFE_FD          9
/* tid -> thread index for the fast path: entry [tid & 0xffff] holds
 * ((tid >> 16) + 1) << 16 | (index + 1) (an empty entry matches no
 * tid); a thread whose entry another took goes the slow way.  Private
 * to each stub process, not the guest's to write. */
#define SC_TIDTAB_OFF       0x50000
#define SC_TIDTAB           (STUB_START + SC_TIDTAB_OFF)
#define SC_TIDTAB_SIZE      (0x10000 * 4)

#endif
