/*
 * debug/debug.h - the debug subsystem's interface: the strace printer
 * (strace.c), fault injection (fault.h), the per-task syscall ring and
 * the syscall statistics (ring.c), the control socket (control.c),
 * freezing guest threads (freeze.c), guest and kernel backtraces
 * (stack.c, kstack.c), guest core files (coredump.c), oops reports
 * (oops.c) and umk's own log (notes.c).  Logging and oops(), which every
 * subsystem uses, are declared in kernel.h (debug/log.c, oops.c).
 *
 * In a nutshell: debugging is read-only introspection of the kernel's
 * plain structs.  The only work on the syscall path is the ring (a few
 * stores per syscall, always) and, when asked for, the statistics; the
 * rest runs when a developer asks (the control socket, `umk ctl`), when
 * a guest dies of a core-dumping signal, or when umk itself faults.
 *
 * Lock: klock, held by every caller unless a comment says otherwise.
 */
#ifndef UMK_DEBUG_H
#define UMK_DEBUG_H

#include "../kernel.h"
#include "fault.h"
#include <string.h>

/* ---- the strace printer: strace.c ---- */
/* The strace printer's output (--strace, `trace on`), or NULL when off. */
extern FILE *strace_out;
void strace_syscall(struct task *t, const struct sysargs *a, long ret, const char *pre);
/* How strace_print_call decodes arguments. */
enum strace_mode {
	STRACE_EXIT,     /* the call returned ret: out-buffers are printed */
	STRACE_ENTRY,    /* in flight: out-buffers as pointers */
	STRACE_NOMEM,    /* guest memory is not read: pointers only (oops, ring) */
};
/* Prints "name(arg, ...)" as strace does, for t's syscall a. */
void strace_print_call(FILE *o, struct task *t, const struct sysargs *a, long ret,
		       enum strace_mode mode);
/* Prints strace's " = RESULT" tail (without the newline). */
void strace_print_ret(FILE *o, struct task *t, const struct sysargs *a, long ret);
/* `trace on|off [SET]`: SET is strace's -e trace= list (names, %file,
 * %desc, %memory, %process, %signal, %network, %ipc), NULL for every
 * syscall.  0, or -EINVAL naming no syscall (*bad: the word). */
int strace_set(bool on, const char *set, const char **bad);
/* --strace[=FILE] at start-up: where `trace on` prints. */
void strace_set_file(FILE *f);
void strace_close(void);               /* at exit: flush and close FILE */
bool strace_wanted(int nr);            /* the `trace` filter lets nr through */

/* ---- the syscall ring and statistics: ring.c ---- */
/*
 * Called by kernel/syscall.c: begin when a syscall enters (statistics,
 * --debug-oops), end with its result, injected or not (the ring:
 * always; statistics).  The ring costs a few stores; the statistics a
 * clock read on each side, only when asked for.
 */
extern bool debug_syscall_hooks;       /* statistics or --debug-oops are on */
uint64_t debug_syscall_begin_slow(struct task *t, const struct sysargs *a);
void debug_syscall_end_slow(struct task *t, const struct sysargs *a, long ret);
static inline void debug_syscall_begin(struct task *t, const struct sysargs *a)
{
	if (__builtin_expect(debug_syscall_hooks, 0))
		t->syscall_t0 = debug_syscall_begin_slow(t, a);
}
static inline void debug_syscall_end(struct task *t, const struct sysargs *a, long ret)
{
	struct syscall_ring_entry *e = &t->sysring.e[t->sysring.head++ % SYSCALL_RING_SIZE];
	e->nr = a->nr;
	e->ret = ret;
	memcpy(e->a, a->a, sizeof e->a);
	if (__builtin_expect(t->syscall_t0 != 0, 0))
		debug_syscall_end_slow(t, a, ret);
}
/* Statistics from now on (--control, --syscall-stats). */
void syscall_stats_enable(void);
void syscall_stats_reset(void);
/* strace -c's table (or a JSON array) of the statistics so far. */
void syscall_stats_print(FILE *o, bool json);
/* --debug-oops=SYSCALL: that syscall's handler faults.  -EINVAL if no
 * syscall has the name or it has no handler. */
int debug_oops_set(const char *name);
/* The last n syscalls of t, oldest first, in strace's form without
 * reading guest memory; returns how many were printed. */
int syscall_ring_print(FILE *o, struct task *t, int n, const char *indent);

/* ---- freezing guest threads: freeze.c ---- */
/*
 * A frozen thread parks on its way back to user mode (task_loop calls
 * debug_freeze_point); a thread asleep in the kernel stays asleep and
 * parks if it wakes.  /proc and `ps` show a parked thread as D.
 */
extern int debug_freeze_pending;       /* a freeze or a stop of one thread is asked */
void debug_freeze_park(struct task *t);
void debug_freeze_recheck(void);   /* parked threads look again (a cgroup thawed) */
static inline void debug_freeze_point(struct task *t)
{
	if (__builtin_expect(debug_freeze_pending, 0))
		debug_freeze_park(t);
}
/* `freeze`: every guest thread; returns how many are parked after a
 * short wait for those running guest code. */
int debug_freeze_all(void);
void debug_thaw_all(void);
/* Stops one thread running guest code so its registers can be read
 * (waits up to a second, klock released meanwhile): 0 or -ETIMEDOUT,
 * -ESRCH if it went away (t is then stale).  Pair with
 * debug_release_task. */
int debug_stop_task(struct task *t, int tid);
void debug_release_task(struct task *t);

/* ---- backtraces: stack.c ---- */
struct debug_frame {
	uint64_t ip;
	char func[128];                /* "" if unknown */
	uint64_t off;                  /* ip - start of func */
	char file[256];                /* source file, "" if no line info */
	int line;
	char object[128];              /* the ELF file (basename) or "[vdso]" */
	bool signal_frame;             /* the frame of a signal handler's return */
};
/*
 * The user-space backtrace of guest thread t, which must not be running
 * guest code (asleep, in the kernel, parked): libunwind's remote
 * unwinding over the guest's memory and registers, symbolised with libdw
 * from the ELF files the guest mapped.  Returns the number of frames
 * (at most max), or -errno.
 */
int guest_backtrace(struct task *t, struct debug_frame *fr, int max);
/* A kernel thread's backtrace (kstack.c: libunwind inside umk), from a
 * context saved by kstack_save (a task's sleep_ctx or loop_ctx, whose
 * thread must stay where it saved it), from a signal's ucontext
 * (signal_frame: the faulting frame first), or from here (ctx NULL).
 * Symbolised; returns the number of frames. */
int kernel_backtrace(void *ctx, bool signal_frame, struct debug_frame *fr, int max);
/* Saves the registers a kernel backtrace starts from into ctx (an
 * unw_context_t), cheaply (kstack.c): task_sleep, task_loop, freeze. */
void kstack_save(void *ctx);
/* Fills the names and file:line of kernel frames (stack.c). */
void kernel_symbolise(struct debug_frame *fr, int n);
/* The name of the kernel function at address ip ("?" if unknown). */
const char *kernel_symbol(uint64_t ip, char *buf, size_t len);
void debug_frame_print(FILE *o, int i, const struct debug_frame *f);

/* ---- guest crashes and core files: coredump.c ---- */
/*
 * A guest thread group dies of fatal signal sig (info: what killed it):
 * logs Linux's "segfault at" line (-v), the guest backtrace
 * (--crash-backtrace), and writes a core file for a core-dumping signal
 * as Linux's do_coredump does.  Returns 0x80 (WCOREDUMP) if a core was
 * written, else 0.  Called by do_signal before do_group_exit.
 */
int debug_fatal_signal(struct task *t, int sig, const linux_siginfo_t *info);
/* do_exit of a thread while its group dumps core: hands its registers
 * to the dumping thread and waits for the dump to finish. */
void coredump_task_exit(struct task *t);
/* /proc/sys/kernel/core_pattern */
const char *coredump_pattern(void);
int coredump_set_pattern(const char *buf, size_t n);
extern bool crash_backtrace;           /* --crash-backtrace (the line: also -v) */

/* ---- oops: oops.c ---- */
enum oops_mode { OOPS_EXIT, OOPS_FREEZE };
/* Installs the oops handlers for SIGSEGV, SIGBUS, SIGFPE, SIGILL and
 * SIGABRT.  Not under klock. */
void oops_init(enum oops_mode mode, FILE *log);
/* --debug-oops: calls handler so that it faults (never returns). */
void debug_oops_fault(const struct syscall_desc *d) __attribute__((noreturn));

/* ---- the control socket: control.c ---- */
/* --control=PATH: listens there (mode 0600) and serves commands from a
 * thread of its own.  0, or -errno with one line on stderr.  Not under
 * klock; call before the guest starts. */
int control_start(const char *path);
void control_stop(void);               /* removes the socket (at exit) */
/* `umk ctl SOCK COMMAND...`: the client; returns the exit status. */
int control_client(int argc, char **argv);
/* Runs one request line (the server's work, also used by unit tests):
 * writes the reply to o; returns 0 or -errno (then o holds the error). */
int control_command(const char *line, FILE *o, bool *json);

/* ---- shared by the debug files ---- */
void json_str(FILE *o, const char *s);         /* a JSON string literal */

/* umk's log (notes.c): --log=FILE, stderr with -v; never the guest's output */
extern FILE *umk_log_file;
void umk_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void syscall_unimplemented(struct task *t, int nr);   /* counted; noted once */
void unimplemented_summary(void);                     /* at exit, with -v or --log */

#endif
