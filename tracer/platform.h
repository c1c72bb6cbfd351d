/*
 * platform.h - the seam between the kernel and the host mechanism that
 * runs guest code.
 *
 * In a nutshell: a platform creates guest address spaces (one host stub
 * process each), runs a guest thread until something happens, and reports
 * what happened.  The kernel never calls ptrace or seccomp itself, and no
 * host type crosses this header.
 *
 *   platform->run(thread, &regs, &ev) returns one of
 *     EV_SYSCALL    the guest made a 64-bit syscall; regs.orig_rax is its
 *                   number, regs hold its arguments; nothing ran on the host
 *     EV_FAULT      the guest took a synchronous fault (SIGSEGV, SIGBUS,
 *                   SIGFPE, SIGILL, SIGTRAP); ev.info is the siginfo
 *     EV_INTERRUPT  platform->kick() was called, or a stray host signal
 *     EV_EXIT       the host side of the thread is gone (killed from outside)
 *
 * Threading: a host_thread is owned by the kernel thread that created or
 * adopted it; only that kernel thread may call anything but kick() on it
 * (ptrace's rule: the tracer is one host thread).  Address-space
 * operations run a host syscall inside the stub of that thread.  All
 * functions return a negative errno on failure.
 */
#ifndef UMK_PLATFORM_H
#define UMK_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../guest-abi/abi.h"

struct host_thread;

enum platform_event { EV_SYSCALL = 1, EV_FAULT, EV_INTERRUPT, EV_EXIT };

struct platform_ev {
	enum platform_event kind;
	linux_siginfo_t info;   /* EV_FAULT: what the host reported */
	int legacy_syscall;     /* EV_SYSCALL: 1 if made by int 0x80 (refused) */
	int trapped;            /* EV_SYSCALL: a trap the platform could patch away (patch_syscall) */
	int64_t fault_err;      /* EV_FAULT: the fault's error code and trap number as the
				 * host's sigcontext has them (err, trapno), or -1 if the
				 * platform cannot tell */
	int fault_trapno;
};

/* The host vDSO (and its data pages) left mapped in every address space
 * at the same place; guests may call it (AT_SYSINFO_EHDR). */
struct platform_vdso {
	uint64_t base;              /* the vDSO ELF image, 0 if none */
	int n;
	struct { uint64_t start, end; int prot; char name[16]; } map[4];
};

/* What the host counted for a stub process (getrusage's fields). */
struct platform_rusage {
	long maxrss_kb, minflt, majflt;   /* the process's */
	long nvcsw, nivcsw;               /* the thread's */
};

struct platform_ops {
	const char *name;

	/* Once at start-up.  -errno if the host cannot run this platform. */
	int (*init)(void);

	/* A new, empty address space (only the stub region mapped) with one
	 * thread, owned by the calling kernel thread, pinned to host CPU cpu
	 * (-1: no pinning). */
	int (*mm_new)(struct host_thread **out, int cpu);

	/* Fork: copy-on-write copy of th's address space.  Called by th's
	 * owner; returns a token (>0) that the new owner passes to adopt().
	 * cpu: the host CPU the new owner will run on (-1: unknown), so the
	 * child can start there. */
	long (*fork)(struct host_thread *th, int cpu);
	/* A new host thread in th's address space (a guest CLONE_THREAD).
	 * Called by th's owner; returns a token for adopt(). */
	long (*clone_thread)(struct host_thread *th);
	/* Take ownership of a thread made by fork() or clone_thread(). */
	int (*adopt)(long token, struct host_thread **out, int cpu);

	/* Run the guest from regs until an event; regs are updated. */
	int (*run)(struct host_thread *th, struct linux_regs *regs, struct platform_ev *ev);

	/* From any kernel thread: make run() return EV_INTERRUPT soon. */
	void (*kick)(struct host_thread *th);

	/* Kill the whole host process of th, wait for th to die, free th.
	 * Owner only; every owner of a thread of the process calls it. */
	void (*destroy)(struct host_thread *th);
	/* End only this host thread (a guest thread's exit) and free th. */
	void (*thread_exit)(struct host_thread *th);

	/* FPU/SSE state of a stopped thread. */
	int (*get_fpregs)(struct host_thread *th, struct linux_fpregs *fp);
	int (*set_fpregs)(struct host_thread *th, const struct linux_fpregs *fp);

	/* Address-space edits, done by the stub on the kernel's behalf.
	 * hostfd is a kernel-side host fd (-1 for anonymous). */
	long (*mmap)(struct host_thread *th, uint64_t addr, uint64_t len, int prot,
		     int flags, int hostfd, uint64_t off);
	int (*munmap)(struct host_thread *th, uint64_t addr, uint64_t len);
	int (*mprotect)(struct host_thread *th, uint64_t addr, uint64_t len, int prot);
	long (*mremap)(struct host_thread *th, uint64_t old, uint64_t oldlen,
		       uint64_t newlen, int flags, uint64_t newaddr);
	int (*madvise)(struct host_thread *th, uint64_t addr, uint64_t len, int advice);

	/* Atomic compare-and-exchange of the u32 at addr (mapped writable:
	 * the caller checks), done by the stub so that it is atomic against
	 * the guest's own lock cmpxchg.  Returns the value found (== old
	 * means it was replaced) or -errno.  For PI futexes. */
	long (*cmpxchg32)(struct host_thread *th, uint64_t addr, uint32_t old, uint32_t new_);

	/* Copy between kernel memory and the guest; return bytes copied or
	 * -EFAULT if not even the first byte could be. */
	long (*read_mem)(struct host_thread *th, void *dst, uint64_t src, size_t len);
	long (*write_mem)(struct host_thread *th, uint64_t dst, const void *src, size_t len);

	/* Optional: writes len bytes at dst even where the mapping is
	 * read-only, as a debugger plants a breakpoint (the page becomes a
	 * private copy).  For fault injection into text; the caller checks
	 * that the mapping is private.  Owner only, thread stopped.  Returns
	 * bytes written or -EFAULT. */
	long (*poke_mem)(struct host_thread *th, uint64_t dst, const void *src, size_t len);

	/* The vDSO layout of address spaces made by mm_new, or NULL. */
	const struct platform_vdso *(*vdso)(void);

	/* Host tid of the thread, for CPU-time accounting only. */
	int (*host_tid)(struct host_thread *th);
	/* Host pid of th's stub process (its CPU clocks, rusage). */
	int (*host_pid)(struct host_thread *th);
	/* Owner only: the guest thread is to run on host CPU cpu, within the
	 * CPUs of mask allowed (bit n: CPU n; sched_setaffinity). */
	void (*set_cpu)(struct host_thread *th, int cpu, uint64_t allowed);

	/* Optional: between batch_begin and batch_end the platform may
	 * queue mmap (MAP_FIXED), munmap and mprotect and report success at
	 * once; anything else that needs the address space runs the queue
	 * first.  batch_end runs the rest and returns the first failure
	 * (0 or -errno), after which the caller must not trust the edits. */
	void (*batch_begin)(struct host_thread *th);
	int (*batch_end)(struct host_thread *th);

	/* Optional: makes the syscall site at site (a 5-byte instruction
	 * insn that may run at another address, then `syscall`, in a private
	 * read-only text mapping checked by the caller, whose process has
	 * this one thread, stopped in that syscall) enter the kernel without
	 * a trap from now on.  0 or -errno; the site is unchanged on failure. */
	int (*patch_syscall)(struct host_thread *th, uint64_t site, const uint8_t insn[5]);

	/* Optional (guest ptrace): debug register n (0-7) of a stopped
	 * thread, read or written as the host's PTRACE_PEEKUSER/POKEUSER of
	 * u_debugreg does it (the host validates, and -EINVAL, -EIO are its
	 * answers); the caller keeps DR0-3 below the stub.  Owner only.  A
	 * hit is an EV_FAULT SIGTRAP, TRAP_HWBKPT, with DR6's bit set. */
	int (*debugreg)(struct host_thread *th, int n, uint64_t *val, bool write);
	/* Optional: copy between the guest and buf as a debugger does (the
	 * host's /proc/PID/mem: FOLL_FORCE reaches read-only and unreadable
	 * private mappings), never in the stub region.  Any kernel thread.
	 * Bytes copied, or -errno. */
	long (*access_mem_force)(struct host_thread *th, uint64_t addr, void *buf, size_t len,
				 bool write);
	/* Optional (prctl PR_SET_TSC): whether the guest thread may read
	 * the time-stamp counter (mode 1, PR_TSC_ENABLE) or gets SIGSEGV
	 * from rdtsc (2, PR_TSC_SIGSEGV): the host's prctl made by th's own
	 * host thread, inherited by the threads and processes it makes, as
	 * on Linux.  Owner only, thread stopped.  0 or -errno. */
	int (*set_tsc)(struct host_thread *th, int mode);
	/* Optional: the host's usage counters of th's process (peak RSS,
	 * faults) and of th's own host thread (context switches), as the
	 * stub's getrusage(RUSAGE_SELF) and (RUSAGE_THREAD) see them: no
	 * /proc read.  Owner only, thread stopped.  0, or -errno (the caller
	 * reads /proc then): -EOPNOTSUPP where the host's figures would not
	 * be the guest process's own. */
	int (*rusage)(struct host_thread *th, struct platform_rusage *ru);
};

extern const struct platform_ops *platform;
extern const struct platform_ops platform_ptrace;
extern const struct platform_ops platform_seccomp;

/* Chooses the platform by name ("ptrace", "seccomp"); -EINVAL if unknown. */
int platform_select(const char *name);

/* Where the stubs' region goes (STUB_START), before init: want is an
 * address ("0x7fffff600000") or NULL for the default, or below the region
 * of an umk this one runs in.  0, or -EINVAL if want is not 2 MiB
 * aligned, below 4 GiB, past user space or on such a region.
 * tracer/host.c. */
int platform_stub_place(const char *want);

/* Whether the host's /proc shows umk's own pid namespace (it does not
 * when umk runs in a new pid namespace without its own /proc): only then
 * may /proc/PID name a stub.  tracer/host.c. */
bool host_proc_is_ours(void);

#endif
