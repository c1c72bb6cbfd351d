/*
 * seccomp.c - the seccomp platform: guest syscalls trap to a signal
 * handler in the stub, which hands them to umk through shared memory.
 *
 * In a nutshell: a guest address space is a host process made by fork +
 * exec of the embedded stub (stub.c, started with an argument; no
 * ptrace).  The stub installs a seccomp filter that lets through only the
 * few syscalls its own code makes (checked by instruction pointer and
 * number) and turns every other one into SIGSYS (SECCOMP_RET_TRAP).  The
 * handler of SIGSYS, of the synchronous faults and of the kick signal
 * runs on a private alternate stack and talks to umk through its thread's
 * slot (struct sc_slot, stub_layout.h): one page of a memfd that is
 * mapped at SC_SHARED_BASE in the stub and anywhere in umk, one memfd per
 * stub process.  It copies the saved registers and the siginfo into the
 * slot, sets slot->state to SC_ST_EVENT and wakes umk's thread (FUTEX_WAKE
 * on the state word, only if that thread sleeps); umk reads the event,
 * runs the syscall, writes the registers back and sets SC_ST_RESUME; the
 * handler copies them into its signal frame and returns through
 * rt_sigreturn.  Both sides spin (adaptively, on the TSC) before sleeping
 * in FUTEX_WAIT, and wake the other only if it sleeps; spinning pays only
 * across CPUs, so by default a stub thread is pinned to the CPU next to
 * its kernel thread's while there are few guest threads, and to its
 * kernel thread's own CPU, without spinning, once there are more (see
 * place(); UMK_SECCOMP_CPU=same|other|none fixes it, UMK_SECCOMP_SPIN
 * in TSC cycles).  Only rax is written back when only rax changed.
 *
 * While the stub thread waits in its handler, umk can set SC_ST_REQ to
 * have it run host syscalls on its behalf: the mm edits, receiving an fd
 * to map (each stub process has its own fd-passing socket), fork (the
 * child maps a fresh memfd over the slots before it reports), clone of a
 * new thread (with its own slot and altstack), exit, and reading or
 * writing the FXSAVE image of the signal frame.
 *
 * Shared and hostile: the guest can write its slots.  umk copies each
 * event out of the slot once and never follows a pointer found there; the
 * worst a guest gets by scribbling is a wrong view of its own registers.
 * A stub process whose only thread waits in its handler is killed
 * without waiting for its death.
 *
 * Liveness: umk's waits time out every SC_POLL_MS and look at the
 * thread's tid word (cleared by the host at thread exit) and the stub's
 * pidfd; the stub's waits time out every second and poll a pidfd of umk,
 * as does a one-second SIGALRM for threads that never trap.
 *
 * Threads: a stub process has room for SC_MAX_THREADS (stub_layout.h),
 * umk's default guest-wide task cap; slot indexes are kept in bitmaps
 * (struct sc_slotmap), whose first word is all that a process of up to
 * 64 threads ever looks at.
 *
 * Locking: a host_thread is touched only by its owner, except `kicked`.
 * sc_mm.lock guards the slot bitmap and serialises the fd-passing socket.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <linux/futex.h>
#include "platform.h"
#include "stub_layout.h"
#include "host.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#define SC_POLL_MS 100
#define SC_VSYSCALL_START 0xffffffffff600000UL

/* A set of slot indexes (bit i: slot i). */
#define SC_MAP_WORDS (SC_MAX_THREADS / 64)
struct sc_slotmap { uint64_t w[SC_MAP_WORDS]; };

static bool slotmap_has(const struct sc_slotmap *m, int i)
{
	return m->w[i / 64] & (1ULL << (i % 64));
}

static void slotmap_set(struct sc_slotmap *m, int i)
{
	m->w[i / 64] |= 1ULL << (i % 64);
}

static void slotmap_clear(struct sc_slotmap *m, int i)
{
	m->w[i / 64] &= ~(1ULL << (i % 64));
}

/* The lowest index not in m, or -1 if all are. */
static int slotmap_first_free(const struct sc_slotmap *m)
{
	for (int k = 0; k < SC_MAP_WORDS; k++)
		if (m->w[k] != ~0ULL)
			return k * 64 + __builtin_ctzll(~m->w[k]);
	return -1;
}

/* The next index in m from i on, or -1. */
static int slotmap_next(const struct sc_slotmap *m, int i)
{
	for (int k = i / 64; k < SC_MAP_WORDS; k++) {
		uint64_t w = m->w[k] & (k == i / 64 ? ~0ULL << (i % 64) : ~0ULL);
		if (w)
			return k * 64 + __builtin_ctzll(w);
	}
	return -1;
}

#define for_each_slot(i, m) for (int i = slotmap_next((m), 0); i >= 0; i = slotmap_next((m), i + 1))

/* One stub process: its shared slots, its pidfd, umk's end of its socket. */
struct sc_mm {
	atomic_int refs;
	pid_t pid;
	int pidfd;
	int memfd_proc;                /* /proc/PID/mem for patching: -1 not opened, -2 refused */
	int ctl;                       /* umk's end of the fd-passing socket */
	bool is_child;                 /* umk's own child: reap it */
	struct sc_slot *slots;         /* umk's mapping of the memfd */
	int memfd;                     /* that memfd */
	struct sc_slotmap ever_used;   /* slots some thread had (atomic ors) */
	pthread_mutex_t lock;
	struct sc_slotmap used;        /* slots in use */
	int nused;
	bool deferred;                 /* killed; its death need not be waited for */
	/* teardown: umk's end of the lifeline of the stub's tree (life_arm,
	 * shared with the stubs forked from it), and the stub's end until
	 * the stub holds it and it is armed */
	struct sc_life *life;
	int life_stub;
};

/* umk's end of a lifeline; one per stub made by mm_new, shared by every
 * stub forked from it (and from those), which are all in its process
 * group and inherit its end. */
struct sc_life {
	atomic_int refs;
	int fd;
};

struct host_thread {
	struct sc_mm *mm;
	int idx;                       /* slot and altstack index */
	pid_t tid;
	struct sc_slot *s;
	struct linux_regs host_regs;   /* what the stub thread holds */
	bool regs_valid;
	uint64_t spin;                 /* TSC cycles of the next spin */
	atomic_int kicked;
	int cpu;                       /* its kernel thread's CPU, -1 none */
	bool counted;                  /* in sc_nlive */
	int placed;                    /* the stub thread's pinned CPU, -2 unknown */
	uint64_t allowed;              /* CPUs it may run on (sched_setaffinity); 0: any */
	uint64_t nonce;                /* a forked child not yet verified: its mark */
	/* mm edits queued between batch_begin and batch_end (sc_batch_*) */
	bool batching;
	int nbatch, nbfds, batch_err;
	int64_t bops[SC_BATCH_MAX][7];
	int bfds[SC_BATCH_FDS];        /* umk's host fds (not owned) the ops map */
	/* the guest's debug registers (sc_debugreg): DR0-3, DR6 (Linux's
	 * virtual_dr6, reserved bits flipped), DR7, and a host perf
	 * breakpoint event (fd + 1, 0: none) for each enabled slot */
	uint64_t dr[8];
	int bp_fd[4];
};

static int stub_memfd = -1;
static int umk_pidfd = -1;
static int pin_mode;                   /* 0 same CPU, 1 another CPU, 2 none */
static uint32_t spin_cycles;           /* TSC cycles to spin before FUTEX_WAIT */
static int ncpus = 1;
static int loadavg_fd = -1;          /* /proc/loadavg, for host_busy() */
static struct platform_vdso vdso_info;
/* Load: live host threads, and until when (CLOCK_MONOTONIC_COARSE ns)
 * the platform stays in "crowded" mode after they were too many. */
static atomic_int sc_nlive;
static _Atomic uint64_t crowded_until;
#define SC_CROWDED_HOLD_NS 50000000ULL
static bool vdso_known;
static pthread_mutex_t vdso_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---- syscall-site patching (stub_layout.h) ---- */

/* The two trampoline zones: memfds every stub maps executable, mapped
 * writable here.  Entries are never changed once written, so stubs of
 * any process share them; tramp_lock guards allocation. */
struct tramp_zone { uint64_t base; int fd; uint8_t *mem; int used; };
static struct tramp_zone zones[2] = { { 0, -1, NULL, 1 }, { SC_TRAMP_LOW, -1, NULL, 1 } };
static bool tramp_on;
static pthread_mutex_t tramp_lock = PTHREAD_MUTEX_INITIALIZER;
#define TRAMP_HASH 4096
static struct tramp_key { uint64_t ret; uint8_t insn[5]; int zone, entry; } tramp_hash[TRAMP_HASH];

static int tramp_init(void)
{
	zones[0].base = SC_TRAMP_HIGH;
	/* An umk inside an umk finds the low zone taken by the outer one's
	 * trampolines (below mmap_min_addr nothing else may be): only its
	 * high zone, in its own stub region, is used then (tramp_entry). */
	if (host_nested())
		zones[1].base = 0;
	for (int z = 0; z < 2; z++) {
		int fd = memfd_create("umk-tramp", MFD_CLOEXEC | MFD_ALLOW_SEALING);
		if (fd < 0 || ftruncate(fd, SC_TRAMP_SIZE) < 0)
			return -errno;
		zones[z].mem = mmap(NULL, SC_TRAMP_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (zones[z].mem == MAP_FAILED)
			return -errno;
		/* umk's mapping is the only writable one there will be: a
		 * stub cannot make its executable one writable (and so reach
		 * the entries other guests run) */
		if (fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE | F_SEAL_SHRINK | F_SEAL_GROW |
			  F_SEAL_SEAL) < 0)
			return -errno;
		memset(zones[z].mem, 0xcc, SC_TRAMP_SIZE);  /* int3 */
		uint64_t entry = STUB_ENTRY_FAST;
		memcpy(zones[z].mem, &entry, sizeof entry);  /* what every entry jumps through */
		zones[z].fd = fcntl(fd, F_DUPFD_CLOEXEC, 64);
		close(fd);
		if (zones[z].fd < 0)
			return -errno;
	}
	return 0;
}

static bool rel32_ok(int64_t d)
{
	return d >= INT32_MIN + 0x10000 && d <= INT32_MAX - 0x10000;
}

/* The trampoline entry for (the 5-byte instruction insn that preceded a
 * syscall, return address ret), made if needed: its guest address, or 0
 * if no zone is in reach or room is left.  Under tramp_lock. */
static uint64_t tramp_entry(const uint8_t insn[5], uint64_t ret)
{
	uint64_t jmp_end = ret - 2; /* the patched jmp ends where the syscall begins */
	int z = rel32_ok((int64_t)(zones[0].base - jmp_end)) ? 0 :
		zones[1].base && rel32_ok((int64_t)(zones[1].base - jmp_end)) ? 1 : -1;
	if (z < 0)
		return 0;
	uint32_t h = (uint32_t)((ret * 0x9e3779b97f4a7c15ULL) >> 40);
	for (int k = 0; k < TRAMP_HASH; k++) {
		struct tramp_key *e = &tramp_hash[(h + k) % TRAMP_HASH];
		if (e->ret == ret && !memcmp(e->insn, insn, 5) && e->zone == z)
			return zones[z].base + (uint64_t)e->entry * SC_TRAMP_ENTRY;
		if (e->ret)
			continue;
		struct tramp_zone *zz = &zones[z];
		if ((zz->used + 1) * SC_TRAMP_ENTRY > SC_TRAMP_SIZE)
			return 0;
		int idx = zz->used++;
		uint64_t at = zz->base + (uint64_t)idx * SC_TRAMP_ENTRY;
		uint8_t *c = zz->mem + (size_t)idx * SC_TRAMP_ENTRY;
		int32_t lea = (int32_t)(ret - (at + 12)), jmp = (int32_t)(zz->base - (at + 18));
		memcpy(c, insn, 5);                           /* e.g. mov $nr, %eax */
		c[5] = 0x48; c[6] = 0x8d; c[7] = 0x0d;        /* lea ret(%rip), %rcx */
		memcpy(c + 8, &lea, 4);
		c[12] = 0xff; c[13] = 0x25;                   /* jmp *zone_base(%rip) */
		memcpy(c + 14, &jmp, 4);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		e->ret = ret;
		memcpy(e->insn, insn, 5);
		e->zone = z;
		e->entry = idx;
		return at;
	}
	return 0;
}

static long futex(uint32_t *w, int op, uint32_t val, const struct timespec *ts)
{
	return syscall(SYS_futex, w, op, val, ts, NULL, 0);
}

static int move_high(int fd)
{
	int hi = fcntl(fd, F_DUPFD_CLOEXEC, 64);
	close(fd);
	return hi;
}

static int sc_init(void)
{
	stub_memfd = memfd_create("umk-stub", MFD_CLOEXEC);
	if (stub_memfd < 0)
		return -errno;
	size_t len;
	void *img = host_stub_image(&len);   /* moved to STUB_START */
	if (!img)
		return -ENOMEM;
	ssize_t w = write(stub_memfd, img, len);
	free(img);
	if (w != (ssize_t)len)
		return -EIO;
	umk_pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (umk_pidfd < 0)
		return -errno;
	if ((stub_memfd = move_high(stub_memfd)) < 0 || (umk_pidfd = move_high(umk_pidfd)) < 0)
		return -errno;
	/* The host must have seccomp filters (with SECCOMP_RET_TRAP). */
	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0)
		return -errno;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	ncpus = n > 0 ? (int)n : 1;
	const char *pm = getenv("UMK_SECCOMP_CPU");
	/* Measured here (2 CPUs): a handoff costs ~3 us with the stub on
	 * the CPU next to its kernel thread and both spinning, ~10 us with
	 * both on one CPU and futex sleeps; forks and pipes between guests
	 * do a little better on one CPU.  UMK_SECCOMP_CPU=same|other|none. */
	pin_mode = pm && !strcmp(pm, "same") ? 0 : pm && !strcmp(pm, "none") ? 2 : 1;
	if (pin_mode == 1 && ncpus < 2)
		pin_mode = 0;
	/* Spinning only pays when the other side runs on another CPU.
	 * How long: waking a sleeping thread whose CPU went idle costs
	 * tens of us in a VM (the vCPU must be scheduled again), which is
	 * most of the time of a program that computes between syscalls:
	 * python3 -c pass took 33 ms with a 100k-cycle spin, 21 ms with
	 * 600k (~250 us here; native 15 ms).  The spin is only used while
	 * guest threads leave CPUs idle (sc_crowded). */
	const char *lo = getenv("UMK_SECCOMP_LOAD");
	loadavg_fd = lo && !strcmp(lo, "0") ? -1 : open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
	if (loadavg_fd >= 0 && (loadavg_fd = move_high(loadavg_fd)) < 0)
		loadavg_fd = -1;
	const char *sp = getenv("UMK_SECCOMP_SPIN");
	spin_cycles = sp ? (uint32_t)strtoul(sp, NULL, 0) : pin_mode == 0 ? 0 : 600000;
	/* Syscall-site patching: with x86's BMI2 (the fast path's shlx),
	 * unless UMK_SECCOMP_PATCH=0. */
	const char *pp = getenv("UMK_SECCOMP_PATCH");
	unsigned a, b, c, d;
	__asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(0));
	if (!(pp && !strcmp(pp, "0")) && (b & (1u << 8)) && host_proc_is_ours())
		tramp_on = tramp_init() == 0;
	/* The kick signal must interrupt the stub, never umk itself. */
	signal(SC_KICK_SIGNAL, SIG_IGN);
	return 0;
}

/* The CPU for the stub thread whose kernel thread runs on cpu. */
static int stub_cpu(int cpu)
{
	if (cpu < 0 || pin_mode == 2)
		return -1;
	return pin_mode == 1 ? (cpu + 1) % ncpus : cpu;
}

static void pin(pid_t tid, int cpu)
{
	if (cpu < 0)
		return;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(tid, sizeof set, &set);
}

static uint64_t coarse_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * Spinning and the CPU placement follow the load.  Each live guest
 * thread is two host threads that take turns (its stub thread and its
 * kernel thread).  While every such pair can have two CPUs (2 * live <=
 * ncpus), the stub sits on the CPU next to its kernel thread's and both
 * sides spin: a handoff costs ~3 us.  Once there are more (a fork, a
 * pipeline, a blocked parent and its child), spinning steals the CPU
 * from the thread that has work and every handoff across CPUs costs an
 * IPI: then the stub shares its kernel thread's CPU and nobody spins (a
 * same-CPU futex handoff, ~7 us, no CPU wasted).  "Crowded" lasts
 * SC_CROWDED_HOLD_NS after the load falls, so that a fork loop or a
 * shell does not re-pin stubs at every fork.
 */
/*
 * The host's load counts too: spinning pays only while the CPU the other
 * side runs on is free for it.  With more runnable threads on the host
 * than CPUs (other processes' busy loops, a build next door) a spinning
 * side takes the CPU from the side it waits for, or from a process that
 * had work, and every handoff waits for a timeslice anyway: then nobody
 * spins and the stub shares its kernel thread's CPU, as when crowded by
 * guest threads.  The count of runnable threads is /proc/loadavg's fourth
 * field (the reader itself and a spinning stub included), read at most
 * every SC_LOAD_NS by whichever thread asks.  UMK_SECCOMP_LOAD=0 ignores
 * the host's load.
 */
#define SC_LOAD_NS 10000000ULL
static _Atomic uint64_t load_checked;
static atomic_bool host_busy_now;

static bool host_busy(void)
{
	uint64_t now = coarse_ns(), last = atomic_load_explicit(&load_checked, memory_order_relaxed);
	if (loadavg_fd == -1 || (last && now - last < SC_LOAD_NS) ||
	    !atomic_compare_exchange_strong(&load_checked, &last, now))
		return atomic_load_explicit(&host_busy_now, memory_order_relaxed);
	char buf[128];
	ssize_t n = loadavg_fd >= 0 ? pread(loadavg_fd, buf, sizeof buf - 1, 0) : -1;
	if (n > 0) {
		buf[n] = 0;
		/* "0.50 0.40 0.30 R/T LASTPID" */
		unsigned running = 0;
		if (sscanf(buf, "%*s %*s %*s %u/", &running) == 1)
			atomic_store_explicit(&host_busy_now, (int)running > ncpus, memory_order_relaxed);
	}
	return atomic_load_explicit(&host_busy_now, memory_order_relaxed);
}

static bool sc_crowded(void)
{
	if (pin_mode != 1)
		return false;
	if (2 * atomic_load_explicit(&sc_nlive, memory_order_relaxed) > ncpus)
		return true;
	if (host_busy())
		return true;
	uint64_t until = atomic_load_explicit(&crowded_until, memory_order_relaxed);
	return until && coarse_ns() < until;
}

static void live_add(int d)
{
	int n = atomic_fetch_add(&sc_nlive, d) + d;
	if (d < 0 && 2 * (n + 1) > ncpus)
		atomic_store_explicit(&crowded_until, coarse_ns() + SC_CROWDED_HOLD_NS,
				      memory_order_relaxed);
}

/* Pins th's stub thread for the current load; returns the spin budget. */
static uint32_t place(struct host_thread *th)
{
	if (pin_mode != 1 || th->cpu < 0 || th->tid <= 0)
		return spin_cycles;
	bool crowded = sc_crowded();
	int want = crowded ? th->cpu : (th->cpu + 1) % ncpus;
	/* the next CPU the guest thread may use (its own if none other) */
	if (th->allowed && !crowded) {
		want = th->cpu;
		for (int k = 1; k < ncpus && k < 64; k++)
			if (th->allowed & (1ULL << ((th->cpu + k) % ncpus))) {
				want = (th->cpu + k) % ncpus;
				break;
			}
	}
	if (th->placed != want) {
		pin(th->tid, want);
		th->placed = want;
	}
	return crowded ? 0 : spin_cycles;
}

/* ---- stub processes ---- */

/* The resources of a new stub process: a memfd of slots mapped in umk
 * and an fd-passing socket pair.  (A helper thread that made them ahead
 * and tore dead stubs down cost more than it saved once kernel threads
 * were reused: its wake-ups took the CPU from the forking pair; fork+wait
 * 400 -> 351 us/op without it, shell workload 838 -> 801 ms.) */
struct sc_res { int memfd, ctl, stub_end; struct sc_slot *slots; };

static int res_make(struct sc_res *r)
{
	int sv[2];
	r->memfd = memfd_create("umk-slots", MFD_CLOEXEC);
	if (r->memfd < 0)
		return -errno;
	if (ftruncate(r->memfd, SC_SHARED_SIZE) < 0)
		goto fail;
	r->slots = mmap(NULL, SC_SHARED_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, r->memfd, 0);
	if (r->slots == MAP_FAILED)
		goto fail;
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) < 0) {
		munmap(r->slots, SC_SHARED_SIZE);
		goto fail;
	}
	r->ctl = sv[0];
	r->stub_end = sv[1];
	return 0;
fail:
	close(r->memfd);
	return -ENOMEM;
}

/*
 * Slot memfds of dead stubs, kept for the next fork: a new one costs a
 * memfd_create, ftruncate and mmap, its first touch a page fault, and its
 * end a munmap with a TLB shootdown across umk's CPUs.  One is reused
 * only once its process is dead (its pidfd readable): then nothing maps
 * it but umk (a child forked from that stub maps its own before it runs
 * anything), and the slots its threads used are cleared.
 */
#define SLOT_CACHE 8
static struct slot_cache { int memfd, pidfd; struct sc_slot *slots; struct sc_slotmap used; } slot_cache[SLOT_CACHE];
static int nslot_cache;
static pthread_mutex_t slot_cache_lock = PTHREAD_MUTEX_INITIALIZER;

static bool slot_cache_put(int memfd, int pidfd, struct sc_slot *slots,
			   const struct sc_slotmap *used)
{
	bool ok = false;
	pthread_mutex_lock(&slot_cache_lock);
	if (nslot_cache < SLOT_CACHE) {
		slot_cache[nslot_cache++] = (struct slot_cache){ memfd, pidfd, slots, *used };
		ok = true;
	}
	pthread_mutex_unlock(&slot_cache_lock);
	return ok;
}

static bool slot_cache_get(struct sc_res *r)
{
	bool got = false;
	pthread_mutex_lock(&slot_cache_lock);
	for (int k = 0; k < nslot_cache && !got; k++) {
		struct pollfd p = { slot_cache[k].pidfd, POLLIN, 0 };
		if (poll(&p, 1, 0) <= 0)
			continue; /* not dead yet */
		struct slot_cache *e = &slot_cache[k];
		close(e->pidfd);
		for_each_slot(i, &e->used)
			memset((char *)e->slots + (size_t)i * SC_SLOT_SIZE, 0, SC_SLOT_SIZE);
		r->memfd = e->memfd;
		r->slots = e->slots;
		*e = slot_cache[--nslot_cache];
		got = true;
	}
	pthread_mutex_unlock(&slot_cache_lock);
	return got;
}

/* The last of an sc_mm: the process is dead or killed. */
static void sc_mm_free(struct sc_mm *mm)
{
	bool cached = false;
	if (mm->pidfd >= 0) {
		if (mm->is_child) {
			siginfo_t si;
			while (waitid(P_PIDFD, mm->pidfd, &si, WEXITED | __WALL) < 0 && errno == EINTR)
				;
		}
		cached = mm->memfd >= 0 && mm->pid > 0 &&
			 slot_cache_put(mm->memfd, mm->pidfd, mm->slots, &mm->ever_used);
		if (!cached)
			close(mm->pidfd);
	}
	close(mm->ctl);
	if (mm->life && atomic_fetch_sub(&mm->life->refs, 1) == 1) {
		close(mm->life->fd);
		free(mm->life);
	}
	if (mm->life_stub >= 0)
		close(mm->life_stub);
	if (mm->memfd_proc >= 0)
		close(mm->memfd_proc);
	if (!cached) {
		munmap(mm->slots, SC_SHARED_SIZE);
		if (mm->memfd >= 0)
			close(mm->memfd);
	}
	pthread_mutex_destroy(&mm->lock);
	free(mm);
}

/*
 * life_arm - once the stub process pid (made by mm_new, the leader of
 * its own session and process group) holds its end of the lifeline,
 * that end (one open file shared with umk's mm->life_stub) is set to
 * signal its owner, the stub's process group, with SIGKILL when it
 * becomes readable: when umk's end closes, which happens only when umk
 * dies, killed or not (umk closes it itself only after every stub of
 * the group is dead).  So a stub dies within a scheduling delay of
 * umk's death, not at its next one-second check of umk's pidfd, however
 * many stubs there are (Linux's fcntl F_SETOWN, F_SETSIG and O_ASYNC;
 * stream sockets signal POLL_HUP on the peer's close).  Stubs forked
 * from it stay in its process group (no guest can call setpgid or
 * setsid through the stub's filter) and keep the same end: one lifeline
 * serves the whole tree, and a fork makes none (a socket pair and three
 * fcntls each, ~50 us here, were a sixth of what umk added to a guest
 * fork).  umk does the fcntls: the stub's seccomp filter never lets a
 * guest name the owner.
 */
static void life_arm(struct sc_mm *mm, pid_t pid)
{
	if (mm->life_stub < 0)
		return;
	if (fcntl(mm->life_stub, F_SETOWN, -pid) == 0 && fcntl(mm->life_stub, F_SETSIG, SIGKILL) == 0)
		fcntl(mm->life_stub, F_SETFL, O_ASYNC);
	close(mm->life_stub);
	mm->life_stub = -1;
}

/* A new sc_mm with its slot memfd (mm->memfd, kept for slot_cache) and
 * socket pair (the stub's end in *stub_end, the caller's to close), and
 * the lifeline `share` (a forked stub's: its parent's) or a new one. */
static struct sc_mm *sc_mm_alloc(int *stub_end, struct sc_life *share)
{
	struct sc_mm *mm = calloc(1, sizeof *mm);
	struct sc_res r = { -1, -1, -1, NULL };
	int sv[2];
	if (!mm)
		return NULL;
	if (slot_cache_get(&r)) {
		if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) < 0) {
			munmap(r.slots, SC_SHARED_SIZE);
			close(r.memfd);
			free(mm);
			return NULL;
		}
		r.ctl = sv[0];
		r.stub_end = sv[1];
	} else if (res_make(&r) < 0) {
		free(mm);
		return NULL;
	}
	mm->memfd = r.memfd;
	mm->memfd_proc = -1;
	int lv[2];
	mm->life_stub = -1;
	if (share) {
		atomic_fetch_add(&share->refs, 1);
		mm->life = share;
	} else if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, lv) == 0) {
		/* the stub's end goes above the fds sc_mm_new's child dup2s
		 * onto (3..SC_LIFE_FD): a low number freed by a guest's closed
		 * file would be overwritten there before it is moved to
		 * SC_LIFE_FD, as the other fds the child passes on are moved */
		lv[1] = move_high(lv[1]);
		mm->life = lv[1] >= 0 ? malloc(sizeof *mm->life) : NULL;
		if (mm->life) {
			atomic_init(&mm->life->refs, 1);
			mm->life->fd = lv[0];
			mm->life_stub = lv[1];
		} else {
			close(lv[0]);
			if (lv[1] >= 0)
				close(lv[1]);
		}
	}   /* else no lifeline: the stub's 1 s check remains */
	*stub_end = r.stub_end;
	mm->slots = r.slots;
	mm->ctl = r.ctl;
	mm->pidfd = -1;
	atomic_init(&mm->refs, 1);
	pthread_mutex_init(&mm->lock, NULL);
	return mm;
}

/* Drops a reference.  The last one kills the process; unless the owner
 * already killed it and need not see it dead (mm->deferred), it waits
 * for the death here; then frees the rest. */
static void sc_mm_put(struct sc_mm *mm)
{
	if (atomic_fetch_sub(&mm->refs, 1) != 1)
		return;
	if (mm->pidfd >= 0 && !mm->deferred) {
		struct pollfd p = { mm->pidfd, POLLIN, 0 };
		syscall(SYS_pidfd_send_signal, mm->pidfd, SIGKILL, NULL, 0);
		while (poll(&p, 1, -1) < 0 && errno == EINTR)
			;
	}
	sc_mm_free(mm);
}

static bool proc_dead(struct sc_mm *mm)
{
	struct pollfd p = { mm->pidfd, POLLIN, 0 };
	return poll(&p, 1, 0) > 0;
}

/* Has th's host thread ended (or its whole process)? */
static bool thread_dead(struct host_thread *th)
{
	if (proc_dead(th->mm))
		return true;
	if (!th->tid)
		return false; /* not started yet: only its process can tell */
	if (__atomic_load_n(&th->s->tid, __ATOMIC_ACQUIRE) == 0)
		return true;
	return syscall(SYS_tgkill, th->mm->pid, th->tid, 0) < 0 && errno == ESRCH;
}

/* Hands the slot to the stub thread with the given state. */
static void sc_release(struct sc_slot *s, uint32_t state)
{
	__atomic_store_n(&s->state, state, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&s->swait, __ATOMIC_SEQ_CST))
		futex(&s->state, FUTEX_WAKE, 1, NULL);
}

/* Waits until the stub thread posts an event; -ESRCH if it died. */
static int sc_wait_event(struct host_thread *th)
{
	struct sc_slot *s = th->s;
	/* Adaptive: spin spin_cycles if the last wait took at most that
	 * long, else half the last spin.  No pause: in a VM it may exit. */
	uint64_t t0 = __builtin_ia32_rdtsc(), n = th->spin < s->spin ? th->spin : s->spin;
	if (n) {
		do {
			if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) == SC_ST_EVENT) {
				th->spin = spin_cycles;
				return 0;
			}
		} while (__builtin_ia32_rdtsc() - t0 < n);
	}
	struct timespec ts = { 0, SC_POLL_MS * 1000000L };
	for (;;) {
		__atomic_store_n(&s->kwait, 1, __ATOMIC_SEQ_CST);
		uint32_t st = __atomic_load_n(&s->state, __ATOMIC_SEQ_CST);
		if (st == SC_ST_EVENT)
			break;
		long r = futex(&s->state, FUTEX_WAIT, st, &ts);
		if (r < 0 && errno == ETIMEDOUT && thread_dead(th)) {
			__atomic_store_n(&s->kwait, 0, __ATOMIC_RELAXED);
			return -ESRCH;
		}
	}
	__atomic_store_n(&s->kwait, 0, __ATOMIC_RELAXED);
	th->spin = __builtin_ia32_rdtsc() - t0 <= spin_cycles ? spin_cycles : n / 2;
	return 0;
}

static int batch_flush(struct host_thread *th);

/* Runs a request in the stub thread (stopped in its handler); returns
 * the stub's result. */
static long sc_request(struct host_thread *th, int req, int64_t a0, int64_t a1, int64_t a2,
		       int64_t a3, int64_t a4, int64_t a5, int64_t a6)
{
	struct sc_slot *s = th->s;
	if (th->nbatch && req != SC_REQ_BATCH)
		batch_flush(th); /* queued edits go first */
	s->req = req;
	s->arg[0] = a0; s->arg[1] = a1; s->arg[2] = a2; s->arg[3] = a3;
	s->arg[4] = a4; s->arg[5] = a5; s->arg[6] = a6;
	s->spin = place(th);
	sc_release(s, SC_ST_REQ);
	int err = sc_wait_event(th);
	if (err)
		return err;
	if (__atomic_load_n(&s->event, __ATOMIC_ACQUIRE) != SC_EV_DONE)
		return -EIO;
	return __atomic_load_n(&s->result, __ATOMIC_RELAXED);
}

static long sc_syscall(struct host_thread *th, long nr, int64_t a1, int64_t a2, int64_t a3,
		       int64_t a4, int64_t a5, int64_t a6)
{
	return sc_request(th, SC_REQ_SYSCALL, nr, a1, a2, a3, a4, a5, a6);
}

/* Sends fds to the stub over mm's socket.  Caller holds mm->lock. */
static int send_fds(struct sc_mm *mm, const int *fds, int n)
{
	char byte = 0;
	union { struct cmsghdr h; char buf[CMSG_SPACE(SC_BATCH_FDS * sizeof(int))]; } cm;
	memset(&cm, 0, sizeof cm);
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cm.buf, .msg_controllen = CMSG_SPACE(n * sizeof(int)) };
	cm.h.cmsg_level = SOL_SOCKET;
	cm.h.cmsg_type = SCM_RIGHTS;
	cm.h.cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(&cm.h), fds, n * sizeof(int));
	return sendmsg(mm->ctl, &msg, 0) < 0 ? -errno : 0;
}

static struct sc_slot *slot_at(struct sc_mm *mm, int i)
{
	return (struct sc_slot *)((char *)mm->slots + (size_t)i * SC_SLOT_SIZE);
}

/* A host_thread for slot idx of mm (one more reference to mm). */
static struct host_thread *thread_new(struct sc_mm *mm, int idx)
{
	struct host_thread *th = calloc(1, sizeof *th);
	if (!th)
		return NULL;
	th->mm = mm;
	th->idx = idx;
	th->s = slot_at(mm, idx);
	__atomic_fetch_or(&mm->ever_used.w[idx / 64], 1ULL << (idx % 64), __ATOMIC_RELAXED);
	memset(th->s, 0, sizeof *th->s);
	th->s->spin = 0; /* a new thread's first wait sleeps: it may share a CPU */
	th->spin = spin_cycles;
	th->cpu = -1;
	th->placed = -2;
	return th;
}

static void bp_close_all(struct host_thread *th);

static void thread_free(struct host_thread *th)
{
	struct sc_mm *mm = th->mm;
	bp_close_all(th);
	if (th->counted)
		live_add(-1);
	pthread_mutex_lock(&mm->lock);
	slotmap_clear(&mm->used, th->idx);
	mm->nused--;
	pthread_mutex_unlock(&mm->lock);
	free(th);
	sc_mm_put(mm);
}

/* Waits for a new thread's first report (SC_EV_READY, or SC_EV_DONE of a
 * forked child) and records its tid. */
static int wait_ready(struct host_thread *th)
{
	int err = sc_wait_event(th);
	if (err)
		return err;
	uint32_t ev = __atomic_load_n(&th->s->event, __ATOMIC_ACQUIRE);
	if (ev != SC_EV_READY && ev != SC_EV_DONE)
		return -EIO;
	th->tid = (pid_t)__atomic_load_n(&th->s->tid, __ATOMIC_ACQUIRE);
	if (!th->nonce)
		th->regs_valid = false; /* a forked child holds its parent's (sc_fork) */
	return th->tid > 0 ? 0 : -EIO;
}

/* Unmaps every host mapping outside the stub region but the vDSO (the
 * stack, with ASLR off, sits inside it); the first stub's vDSO layout is
 * recorded for sc_vdso(). */
static int clear_host_mappings(struct host_thread *th)
{
	uint64_t ranges[HOST_LAYOUT_MAX][2];
	struct platform_vdso v;
	int n = host_layout_read(th->mm->pid, &v, ranges);
	if (n < 0)
		return n;
	pthread_mutex_lock(&vdso_lock);
	int err = 0;
	if (!vdso_known) {
		vdso_info = v;
		vdso_known = true;
	} else if (memcmp(&v, &vdso_info, sizeof v)) {
		err = -EINVAL; /* cannot happen without ASLR */
	}
	pthread_mutex_unlock(&vdso_lock);
	for (int i = 0; i < n && !err; i++) {
		long r = sc_syscall(th, SYS_munmap, ranges[i][0], ranges[i][1] - ranges[i][0],
				    0, 0, 0, 0);
		if (r < 0)
			err = (int)r;
	}
	return err;
}

static const struct platform_vdso *sc_vdso(void)
{
	return vdso_known && vdso_info.base ? &vdso_info : NULL;
}

static void sc_destroy(struct host_thread *th);

static int sc_mm_new(struct host_thread **out, int cpu)
{
	int stub_end;
	struct sc_mm *mm = sc_mm_alloc(&stub_end, NULL);
	if (!mm)
		return -ENOMEM;
	/* Out of the way of the child's dup2s onto fds 3-8 (other kernel
	 * threads make fds at any time, so these may be anywhere). */
	mm->memfd = move_high(mm->memfd);
	stub_end = move_high(stub_end);
	if (mm->memfd < 0 || stub_end < 0) {
		if (stub_end >= 0)
			close(stub_end);
		sc_mm_put(mm);
		return -EMFILE;
	}
	slotmap_set(&mm->used, 0);
	mm->nused = 1;
	struct host_thread *th = thread_new(mm, 0);
	if (!th) {
		close(stub_end);
		sc_mm_put(mm);
		return -ENOMEM;
	}
	/* Where place() will want it: on a crowded or busy host, its
	 * kernel thread's CPU.  (Started on the other CPU, a new stub's exec
	 * and set-up waited there for a busy process's timeslice, and again
	 * when place() moved it: python3 -c pass with one busy loop per CPU
	 * took 0.79 of the time once it starts where it stays, as fast as
	 * under ptrace.) */
	int scpu = pin_mode == 1 && sc_crowded() ? cpu : stub_cpu(cpu);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		int err = -errno;
		close(stub_end);
		free(th);
		sc_mm_put(mm);
		return err;
	}
	if (pid == 0) {
		/* Child: only async-signal-safe calls from here on.  fds 3-8
		 * are the stub's (stub_layout.h); all above are closed. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		setsid(); /* terminal signals go to umk, not to stubs */
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SC_KICK_SIGNAL, SIG_DFL);
		int exe = STUB_CTL_FD + 1;
		if (dup2(stub_end, STUB_CTL_FD) < 0 || dup2(stub_memfd, exe) < 0 ||
		    fcntl(exe, F_SETFD, FD_CLOEXEC) < 0 || dup2(umk_pidfd, SC_UMK_PIDFD) < 0 ||
		    dup2(mm->memfd, SC_MEMFD) < 0)
			_exit(127);
		if (tramp_on && (dup2(zones[0].fd, SC_TRAMP_FD_HIGH) < 0 ||
				 dup2(zones[1].fd, SC_TRAMP_FD_LOW) < 0))
			_exit(127);
		if (mm->life_stub >= 0 && dup2(mm->life_stub, SC_LIFE_FD) < 0)
			_exit(127);
		close(0); close(1); close(2);
		if (!tramp_on)
			syscall(SYS_close_range, SC_MEMFD + 1, SC_TRAMP_FD_LOW, 0);
		syscall(SYS_close_range, SC_LIFE_FD + 1, ~0U, 0);
		pin(0, scpu);
		personality(ADDR_NO_RANDOMIZE); /* the same layout in every stub */
		char *argv[] = { "umk-stub", "seccomp", NULL }, *envp[] = { NULL };
		syscall(SYS_execveat, exe, "", argv, envp, AT_EMPTY_PATH);
		_exit(127);
	}
	close(stub_end);
	mm->pid = pid;
	mm->is_child = true;
	mm->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int err = mm->pidfd < 0 ? -errno : 0;
	if (!err)
		err = wait_ready(th);
	if (!err)
		life_arm(mm, pid);   /* its process group exists once it runs (setsid) */
	if (!err)
		err = clear_host_mappings(th);
	if (err) {
		sc_destroy(th);
		return err == -ESRCH ? -ECHILD : err;
	}
	th->cpu = cpu;
	th->placed = scpu;
	th->counted = true;
	live_add(1);
	*out = th;
	return 0;
}

/* A mark for a forked child's fresh slot: unique among umk's stubs, and
 * not guessable from outside (a random base). */
static uint64_t nonce_base;
static _Atomic uint64_t nonce_ctr;
static pthread_once_t nonce_once = PTHREAD_ONCE_INIT;

static void nonce_seed(void)
{
	if (getrandom(&nonce_base, sizeof nonce_base, 0) != sizeof nonce_base)
		nonce_base = coarse_ns() * 0x9e3779b97f4a7c15ULL;
}

static uint64_t next_nonce(void)
{
	pthread_once(&nonce_once, nonce_seed);
	return nonce_base ^ (atomic_fetch_add(&nonce_ctr, 1) + 1) * 0xbf58476d1ce4e5b9ULL;
}

/*
 * Is the forked child th (its first report read) the process we made?
 * Its tid came from its fresh slot, which only umk and the child (that
 * has run no guest code yet) map: it is right.  The pid the parent stub
 * returned (mm->pid, whose pidfd is mm->pidfd) came through the parent's
 * slot, which the parent's guest can write: it must equal the tid, and
 * the process of that pid must still hold th's mark at its slot, which
 * proves it is the child and was alive when the pidfd was opened (pids
 * are not reused under a live process).
 */
static bool has_mark(struct host_thread *th)
{
	uint64_t mark = 0;
	struct iovec local = { &mark, sizeof mark };
	struct iovec remote = { (void *)(SC_SHARED_BASE + (uint64_t)th->idx * SC_SLOT_SIZE +
					 offsetof(struct sc_slot, nonce)), sizeof mark };
	return th->tid > 0 && process_vm_readv(th->tid, &local, 1, &remote, 1, 0) == sizeof mark &&
	       mark == th->nonce;
}

static bool fork_child_verified(struct host_thread *th)
{
	return th->tid == th->mm->pid && th->mm->pidfd >= 0 && has_mark(th);
}

/* A forked child that failed verification: the parent's pidfd may name
 * another process; kill the child through its own report if it holds
 * the mark. */
static void fork_child_reject(struct host_thread *th)
{
	struct sc_mm *mm = th->mm;
	close(mm->pidfd);
	mm->pid = 0;
	mm->pidfd = th->tid > 0 ? (int)syscall(SYS_pidfd_open, th->tid, 0) : -1;
	if (mm->pidfd >= 0 && has_mark(th)) {
		syscall(SYS_pidfd_send_signal, mm->pidfd, SIGKILL, NULL, 0);
		mm->deferred = true;
	} else if (mm->pidfd >= 0) {
		close(mm->pidfd);
		mm->pidfd = -1;
	}
}

static long sc_fork(struct host_thread *th, int cpu)
{
	int stub_end;
	struct sc_mm *nm = sc_mm_alloc(&stub_end, th->mm->life);
	if (!nm)
		return -ENOMEM;
	slotmap_set(&nm->used, th->idx);
	nm->nused = 1;
	struct host_thread *c = thread_new(nm, th->idx);
	if (!c) {
		close(stub_end);
		sc_mm_put(nm);
		return -ENOMEM;
	}
	c->nonce = next_nonce();
	c->s->nonce = c->nonce;
	/* the child's stub thread resumes with the parent's registers: its
	 * first run then writes only rax, with no full restore */
	c->host_regs = th->host_regs;
	c->regs_valid = th->regs_valid;
	int fds[2] = { nm->memfd, stub_end };   /* it keeps its parent's lifeline */
	pthread_mutex_lock(&th->mm->lock);
	long pid = send_fds(th->mm, fds, 2);
	/* The child pins itself at once where its kernel thread will want
	 * it (place(); the child makes the load heavier), not on the parent
	 * stub's CPU, where it would wait for the parent to block. */
	int want = -1;
	if (cpu >= 0 && pin_mode != 2 && cpu < 64) {
		bool crowded = pin_mode == 0 || sc_crowded() ||
			       2 * (atomic_load(&sc_nlive) + 1) > ncpus;
		want = pin_mode == 1 && !crowded ? (cpu + 1) % ncpus : cpu;
	}
	if (!pid)
		pid = sc_request(th, SC_REQ_FORK, want, 0, 0, 0, 0, 0, 0);
	pthread_mutex_unlock(&th->mm->lock);
	close(stub_end);
	if (pid <= 0) {
		free(c);
		sc_mm_put(nm);
		return pid ? pid : -EIO;
	}
	/* The result came through the slot, which the guest can write:
	 * sc_adopt checks it against the child's own report before umk
	 * touches the process (fork_child_verified). */
	nm->pidfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
	if (nm->pidfd < 0) {
		free(c);
		sc_mm_put(nm);
		return -EIO;
	}
	nm->pid = (pid_t)pid;
	c->placed = want >= 0 ? want : th->placed; /* else the host fork copied the affinity */
	return (long)(uintptr_t)c;
}

static long sc_clone_thread(struct host_thread *th)
{
	struct sc_mm *mm = th->mm;
	pthread_mutex_lock(&mm->lock);
	int idx = slotmap_first_free(&mm->used);
	if (idx >= 0) {
		slotmap_set(&mm->used, idx);
		mm->nused++;
	}
	pthread_mutex_unlock(&mm->lock);
	if (idx < 0)
		return -EAGAIN;   /* Linux's threads-max */
	atomic_fetch_add(&mm->refs, 1);
	struct host_thread *c = thread_new(mm, idx);
	if (!c) {
		atomic_fetch_sub(&mm->refs, 1);
		pthread_mutex_lock(&mm->lock);
		slotmap_clear(&mm->used, idx);
		mm->nused--;
		pthread_mutex_unlock(&mm->lock);
		return -ENOMEM;
	}
	c->placed = th->placed;
	long tid = sc_request(th, SC_REQ_CLONE, idx, 0, 0, 0, 0, 0, 0);
	if (tid <= 0) {
		thread_free(c);
		return tid ? tid : -EIO;
	}
	return (long)(uintptr_t)c;
}

static int sc_adopt(long token, struct host_thread **out, int cpu)
{
	struct host_thread *th = (struct host_thread *)(uintptr_t)token;
	int err = wait_ready(th);
	if (!err && th->nonce && !fork_child_verified(th))
		err = -EIO;
	if (err) {
		if (th->nonce) {
			fork_child_reject(th);
		} else {
			syscall(SYS_tgkill, th->mm->pid, th->tid, SIGKILL);
		}
		thread_free(th);
		return err == -ESRCH ? -ECHILD : err;
	}
	bool forked = th->nonce != 0;
	th->nonce = 0;
	/* a new thread's tid word is the guest's to scribble on: is it a
	 * thread of the stub? */
	if (!forked && syscall(SYS_tgkill, th->mm->pid, th->tid, 0) < 0) {
		sc_destroy(th);
		return -ECHILD;
	}
	th->cpu = pin_mode == 2 ? -1 : cpu;
	th->counted = true;
	live_add(1);
	if (pin_mode == 1)
		place(th);
	else
		pin(th->tid, stub_cpu(cpu));
	*out = th;
	return 0;
}

/* Copies the event out of the slot (once) and classifies it. */
static int read_event(struct host_thread *th, struct linux_regs *regs, struct platform_ev *ev)
{
	struct sc_slot *s = th->s;
	ev->fault_err = -1;
	uint32_t kind = __atomic_load_n(&s->event, __ATOMIC_ACQUIRE);
	memcpy(regs, &s->regs, sizeof *regs);
	linux_siginfo_t si;
	memset(&si, 0, sizeof si);
	memcpy(&si, s->info, SC_INFO_COPY);
	regs->cs = 0x33;
	regs->ss = 0x2b;
	regs->orig_rax = (uint64_t)-1;
	if (kind == SC_EV_SIGNAL && si.si_signo == SIGSYS && si.si_code == 1 /* SYS_SECCOMP */) {
		if (si.u.sys.call_addr >= SC_VSYSCALL_START) {
			/* a vsyscall-page call: what a kernel without
			 * vsyscall gives is a fault at the call target */
			ev->kind = EV_FAULT;
			memset(&ev->info, 0, sizeof ev->info);
			ev->info.si_signo = SIGSEGV;
			ev->info.si_code = SEGV_MAPERR;
			ev->info.u.fault.addr = si.u.sys.call_addr;
			regs->rip = si.u.sys.call_addr;
			regs->rsp -= 8;
		} else {
			ev->kind = EV_SYSCALL;
			regs->orig_rax = (uint64_t)(uint32_t)si.u.sys.syscall;
			ev->legacy_syscall = si.u.sys.arch != AUDIT_ARCH_X86_64;
			ev->trapped = tramp_on;
		}
	} else if (kind == SC_EV_SIGNAL && si.si_code > 0 &&
		   (si.si_signo == SIGSEGV || si.si_signo == SIGBUS || si.si_signo == SIGFPE ||
		    si.si_signo == SIGILL || si.si_signo == SIGTRAP)) {
		ev->kind = EV_FAULT;
		ev->info = si;
		if (si.si_signo == SIGTRAP && si.si_code == 6 /* TRAP_PERF */) {
			/* a breakpoint of sc_debugreg's: the debug exception's
			 * TRAP_HWBKPT at the instruction pointer, DR6 says which */
			uint64_t slot;
			memcpy(&slot, (char *)&si + 24, 8);   /* si_perf_data */
			if (slot < 4)
				th->dr[6] |= 1UL << slot;
			memset(&ev->info, 0, sizeof ev->info);
			ev->info.si_signo = SIGTRAP;
			ev->info.si_code = 4; /* TRAP_HWBKPT */
			ev->info.u.fault.addr = regs->rip;
		}
		ev->fault_err = (int64_t)(__atomic_load_n(&s->fault_err, __ATOMIC_RELAXED) & 0xffff);
		ev->fault_trapno = (int)(__atomic_load_n(&s->fault_trapno, __ATOMIC_RELAXED) & 0xff);
	} else if (kind == SC_EV_FAST) {
		/* a patched site: the registers are as after `syscall` */
		ev->kind = EV_SYSCALL;
		regs->orig_rax = (uint64_t)(uint32_t)regs->rax;
	} else if (kind == SC_EV_READY) {
		/* the guest jumped onto one of the stub's int3s */
		ev->kind = EV_FAULT;
		memset(&ev->info, 0, sizeof ev->info);
		ev->info.si_signo = SIGTRAP;
		ev->info.si_code = 0x80; /* SI_KERNEL */
	} else {
		ev->kind = EV_INTERRUPT; /* a kick, or a stray host signal */
		if (si.si_signo == SC_KICK_SIGNAL)
			atomic_store(&th->kicked, 0);
	}
	th->host_regs = *regs;
	th->regs_valid = true;
	return 0;
}

static int sc_run(struct host_thread *th, struct linux_regs *regs, struct platform_ev *ev)
{
	struct sc_slot *s = th->s;
	memset(ev, 0, sizeof *ev);
	if (th->nbatch)
		batch_flush(th);
	if (atomic_exchange(&th->kicked, 0)) {
		ev->kind = EV_INTERRUPT;
		return 0;
	}
	/* Write back only what changed: usually just a syscall's rax. */
	uint64_t rax = th->host_regs.rax;
	th->host_regs.rax = regs->rax;
	if (!th->regs_valid || memcmp(regs, &th->host_regs, sizeof *regs)) {
		memcpy(&s->regs, regs, sizeof *regs);
		s->flags = SC_F_REGS;
	} else if (rax != regs->rax) {
		s->regs.rax = regs->rax;
		s->flags = SC_F_RAX;
	} else {
		s->flags = 0;
	}
	s->spin = place(th);
	sc_release(s, SC_ST_RESUME);
	if (sc_wait_event(th)) {
		ev->kind = EV_EXIT;
		return 0;
	}
	return read_event(th, regs, ev);
}

static void sc_kick(struct host_thread *th)
{
	atomic_store(&th->kicked, 1);
	syscall(SYS_tgkill, th->mm->pid, th->tid, SC_KICK_SIGNAL);
}

/* Wakes every other umk thread waiting on a slot of mm, to see that it
 * died.  Only slots in use: a futex on an untouched page would fault it in. */
static void wake_others(struct sc_mm *mm, int self)
{
	struct sc_slotmap used;
	pthread_mutex_lock(&mm->lock);
	used = mm->used;
	pthread_mutex_unlock(&mm->lock);
	slotmap_clear(&used, self);
	for_each_slot(i, &used)
		futex(&slot_at(mm, i)->state, FUTEX_WAKE, INT32_MAX, NULL);
}

static void sc_destroy(struct host_thread *th)
{
	if (!th)
		return;
	struct sc_mm *mm = th->mm;
	pthread_mutex_lock(&mm->lock);
	bool alone = mm->nused == 1 && slotmap_has(&mm->used, th->idx);
	pthread_mutex_unlock(&mm->lock);
	if (alone && th->tid > 0 && mm->pid > 0 && mm->pidfd >= 0 &&
	    syscall(SYS_pidfd_send_signal, mm->pidfd, SIGKILL, NULL, 0) == 0) {
		/* Its only thread waits in its handler (th's owner is here,
		 * not in run()): from SIGKILL on no guest code runs, so the
		 * death itself (the host tearing down the whole address
		 * space, ~100 us) need not be waited for. */
		mm->deferred = true;
		thread_free(th);
		return;
	}
	if (mm->pid > 0) {
		if (mm->pidfd >= 0) {
			syscall(SYS_pidfd_send_signal, mm->pidfd, SIGKILL, NULL, 0);
			struct pollfd p = { mm->pidfd, POLLIN, 0 };
			while (poll(&p, 1, -1) < 0 && errno == EINTR)
				;
		}
		wake_others(mm, th->idx);
	}
	thread_free(th);
}

static void sc_thread_exit(struct host_thread *th)
{
	struct sc_slot *s = th->s;
	s->req = SC_REQ_EXIT;
	sc_release(s, SC_ST_REQ);
	/* the host clears the tid word (and wakes it) when the thread is gone */
	struct timespec ts = { 0, SC_POLL_MS * 1000000L };
	for (;;) {
		uint32_t tid = __atomic_load_n(&s->tid, __ATOMIC_ACQUIRE);
		if (tid == 0 || thread_dead(th))
			break;
		futex(&s->tid, FUTEX_WAIT, tid, &ts);
	}
	thread_free(th);
}

static int sc_get_fpregs(struct host_thread *th, struct linux_fpregs *fp)
{
	long r = sc_request(th, SC_REQ_GET_FP, 0, 0, 0, 0, 0, 0, 0);
	if (r < 0)
		return (int)r;
	memcpy(fp, &th->s->fp, sizeof *fp);
	return 0;
}

static int sc_set_fpregs(struct host_thread *th, const struct linux_fpregs *fp)
{
	memcpy(&th->s->fp, fp, sizeof *fp);
	return (int)sc_request(th, SC_REQ_SET_FP, 0, 0, 0, 0, 0, 0, 0);
}

/*
 * Batching: exec makes a dozen mm edits in a row (unmap the old image,
 * map each segment, bss, stack) whose results it does not look at until
 * the end.  Between batch_begin and batch_end, MAP_FIXED mmaps, munmaps
 * and mprotects are queued and sent as one SC_REQ_BATCH (with the fds
 * they map, in one message) when the batch is full, when anything else
 * needs the stub or the guest memory, or at batch_end, which returns the
 * first failure.  Mirrors UML's skas0 batching of address-space edits.
 */
static int batch_flush(struct host_thread *th)
{
	int n = th->nbatch, nfds = th->nbfds;
	if (!n)
		return th->batch_err;
	th->nbatch = th->nbfds = 0;
	memcpy(th->s->batch, th->bops, (size_t)n * sizeof th->bops[0]);
	pthread_mutex_lock(&th->mm->lock);
	long r = nfds ? send_fds(th->mm, th->bfds, nfds) : 0;
	if (!r)
		r = sc_request(th, SC_REQ_BATCH, n, nfds, 0, 0, 0, 0, 0);
	pthread_mutex_unlock(&th->mm->lock);
	if (r < 0 && r > -4096 && !th->batch_err)
		th->batch_err = (int)r;
	return th->batch_err;
}

/* Queues one edit (hostfd -1: none to map); returns 0. */
static int batch_add(struct host_thread *th, int64_t nr, int64_t a1, int64_t a2, int64_t a3,
		     int64_t a4, int hostfd, int64_t a6)
{
	int fi = -1;
	if (th->nbatch == SC_BATCH_MAX)
		batch_flush(th);
	if (hostfd >= 0) {
		for (int i = 0; i < th->nbfds && fi < 0; i++)
			if (th->bfds[i] == hostfd)
				fi = i;
		if (fi < 0) {
			if (th->nbfds == SC_BATCH_FDS)
				batch_flush(th);
			fi = th->nbfds++;
			th->bfds[fi] = hostfd;
		}
	}
	int64_t *op = th->bops[th->nbatch++];
	op[0] = fi >= 0 ? SC_BATCH_MMAP_FD : nr;
	op[1] = a1; op[2] = a2; op[3] = a3; op[4] = a4;
	op[5] = fi >= 0 ? fi : -1;
	op[6] = a6;
	return 0;
}

static void sc_batch_begin(struct host_thread *th)
{
	th->batching = true;
	th->batch_err = 0;
}

static int sc_batch_end(struct host_thread *th)
{
	int err = batch_flush(th);
	th->batching = false;
	th->batch_err = 0;
	return err;
}

static long sc_mmap(struct host_thread *th, uint64_t addr, uint64_t len, int prot, int flags,
		    int hostfd, uint64_t off)
{
	if (th->batching && (flags & MAP_FIXED)) {
		batch_add(th, SYS_mmap, addr, len, prot, flags, hostfd, off);
		return (long)addr;
	}
	if (hostfd < 0)
		return sc_syscall(th, SYS_mmap, addr, len, prot, flags, -1, off);
	pthread_mutex_lock(&th->mm->lock);
	long r = send_fds(th->mm, &hostfd, 1);
	if (!r)
		r = sc_request(th, SC_REQ_MMAP_FD, 0, addr, len, prot, flags, 0, off);
	pthread_mutex_unlock(&th->mm->lock);
	return r;
}

static int sc_munmap(struct host_thread *th, uint64_t addr, uint64_t len)
{
	if (th->batching)
		return batch_add(th, SYS_munmap, addr, len, 0, 0, -1, 0);
	return (int)sc_syscall(th, SYS_munmap, addr, len, 0, 0, 0, 0);
}

static int sc_mprotect(struct host_thread *th, uint64_t addr, uint64_t len, int prot)
{
	if (th->batching)
		return batch_add(th, SYS_mprotect, addr, len, prot, 0, -1, 0);
	return (int)sc_syscall(th, SYS_mprotect, addr, len, prot, 0, 0, 0);
}

static long sc_mremap(struct host_thread *th, uint64_t old, uint64_t oldlen, uint64_t newlen,
		      int flags, uint64_t newaddr)
{
	return sc_syscall(th, SYS_mremap, old, oldlen, newlen, flags, newaddr, 0);
}

static int sc_madvise(struct host_thread *th, uint64_t addr, uint64_t len, int advice)
{
	return (int)sc_syscall(th, SYS_madvise, addr, len, advice, 0, 0, 0);
}

/* The stub's /proc/PID/mem, opened once (writes go through read-only
 * private mappings into a private copy), or -1. */
static int proc_mem_fd(struct sc_mm *mm)
{
	pthread_mutex_lock(&mm->lock);
	if (mm->memfd_proc == -1) {
		char path[64];
		snprintf(path, sizeof path, "/proc/%d/mem", mm->pid);
		int fd = host_proc_is_ours() ? open(path, O_RDWR | O_CLOEXEC) : -1;
		mm->memfd_proc = fd < 0 ? -2 : move_high(fd);
		if (mm->memfd_proc < 0)
			mm->memfd_proc = -2;
	}
	int fd = mm->memfd_proc;
	pthread_mutex_unlock(&mm->lock);
	return fd < 0 ? -1 : fd;
}

/* Rewrites the 5-byte instruction at site (a `syscall` follows; the
 * caller knows it can run elsewhere) into a jmp to a trampoline entry
 * that runs it and enters the fast path (stub_layout.h).  The caller
 * checked the bytes and that site is in a private, read-only, executable
 * file mapping of a single-threaded guest stopped in this syscall.  0 or
 * -errno. */
/*
 * The host's usage counters of th's process and thread, read by the stub
 * (SC_REQ_RUSAGE): one request instead of reading /proc/PID/stat and
 * /proc/PID/status (~30 and ~50 us on this VM, at every guest exit).  A
 * stub umk exec'd itself (mm_new) is refused: Linux keeps the peak RSS
 * of the mm an exec replaced in signal->maxrss, and that one was umk's.
 * A forked stub starts with none (copy_signal) and never execs.
 */
static int sc_rusage(struct host_thread *th, struct platform_rusage *ru)
{
	if (th->mm->is_child)
		return -EOPNOTSUPP;
	/* a stub another thread's group exit killed: no request's timeout */
	if (proc_dead(th->mm) || !__atomic_load_n(&th->s->tid, __ATOMIC_ACQUIRE))
		return -ESRCH;
	/* an exit syscall brought them along (stub.c sc_exit_rusage): no
	 * handoff to the stub and back on the way to the parent's wait */
	if (!__atomic_load_n(&th->s->ru_ready, __ATOMIC_ACQUIRE)) {
		long r = sc_request(th, SC_REQ_RUSAGE, 0, 0, 0, 0, 0, 0, 0);
		if (r < 0)
			return (int)r;
	}
	struct rusage self, thr;
	memcpy(&self, th->s->batch, sizeof self);
	memcpy(&thr, (const int64_t *)th->s->batch + SC_RUSAGE_THREAD_OFF, sizeof thr);
	ru->maxrss_kb = self.ru_maxrss;
	ru->minflt = self.ru_minflt;
	ru->majflt = self.ru_majflt;
	ru->nvcsw = thr.ru_nvcsw;
	ru->nivcsw = thr.ru_nivcsw;
	return 0;
}

static int sc_patch_syscall(struct host_thread *th, uint64_t site, const uint8_t insn[5])
{
	if (!tramp_on)
		return -ENOSYS;
	if (site < GUEST_MIN_ADDR || site + 7 > STUB_START)
		return -EFAULT;
	pthread_mutex_lock(&tramp_lock);
	uint64_t e = tramp_entry(insn, site + 7);
	pthread_mutex_unlock(&tramp_lock);
	if (!e)
		return -ENOSPC;
	uint8_t code[5] = { 0xe9 };                     /* jmp rel32 */
	int32_t rel = (int32_t)(e - (site + 5));
	memcpy(code + 1, &rel, 4);
	int fd = proc_mem_fd(th->mm);
	if (fd < 0)
		return -EACCES;
	/* /proc/PID/mem writes through the read-only text (a private copy) */
	ssize_t n = pwrite(fd, code, sizeof code, (off_t)site);
	return n == (ssize_t)sizeof code ? 0 : -EIO;
}

/* Writes through read-only private mappings, as patching does. */
static long sc_poke_mem(struct host_thread *th, uint64_t dst, const void *src, size_t len)
{
	if (dst >= STUB_START || dst + len > STUB_START || dst + len < dst)
		return -EFAULT;
	if (th->nbatch && batch_flush(th))
		return -EFAULT;
	int fd = proc_mem_fd(th->mm);
	if (fd < 0)
		return -EFAULT;
	ssize_t n = pwrite(fd, src, len, (off_t)dst);
	return n > 0 ? n : -EFAULT;
}

static long sc_read_mem(struct host_thread *th, void *dst, uint64_t src, size_t len)
{
	if (th->nbatch && batch_flush(th))
		return -EFAULT;
	return host_read_mem(th->tid > 0 ? th->tid : th->mm->pid, dst, src, len); /* the leader may be gone */
}

static long sc_write_mem(struct host_thread *th, uint64_t dst, const void *src, size_t len)
{
	if (th->nbatch && batch_flush(th))
		return -EFAULT;
	return host_write_mem(th->tid > 0 ? th->tid : th->mm->pid, dst, src, len);
}

static int sc_host_tid(struct host_thread *th)
{
	return th->tid;
}

static long sc_access_mem_force(struct host_thread *th, uint64_t addr, void *buf, size_t len,
				bool write)
{
	if (th->nbatch && batch_flush(th))
		return -EFAULT;
	return host_access_mem_force(th->tid > 0 ? th->tid : th->mm->pid, addr, buf, len, write);
}

/*
 * Hardware breakpoints without ptrace: each breakpoint DR7 enables is a
 * host perf event (PERF_TYPE_BREAKPOINT) on the guest's host thread,
 * user space only, with sigtrap: a hit sends that thread SIGTRAP
 * (TRAP_PERF, si_perf_data the slot), which the stub reports as a fault
 * and read_event turns into the TRAP_HWBKPT a debug exception gives,
 * setting the slot's DR6 bit.  The host validates what perf_event_open
 * validates for ptrace's breakpoints (type, length, alignment, a user
 * address); an I/O breakpoint and an execute one longer than a byte are
 * refused here, as Linux's ptrace_write_dr7.  Not inherited by forks
 * (perf's inherit is off), dropped at the guest's execve (kernel/ptrace.c
 * writes DR7 0).
 */
#define DR6_RESERVED 0xffff0ff0UL

static void bp_close_all(struct host_thread *th)
{
	for (int i = 0; i < 4; i++)
		if (th->bp_fd[i]) {
			close(th->bp_fd[i] - 1);
			th->bp_fd[i] = 0;
		}
}

/* A perf breakpoint event for slot i at addr as dr7 describes it: its fd,
 * or -errno. */
static int bp_open(struct host_thread *th, int i, uint64_t addr, uint64_t dr7)
{
	unsigned rw = (dr7 >> (16 + 4 * i)) & 3, len = (dr7 >> (18 + 4 * i)) & 3;
	struct perf_event_attr a;

	memset(&a, 0, sizeof a);
	a.type = PERF_TYPE_BREAKPOINT;
	a.size = sizeof a;
	a.sample_period = 1;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	a.sigtrap = 1;
	a.remove_on_exec = 1;          /* sigtrap wants it; the stub never execs */
	a.sig_data = (uint64_t)i;
	a.bp_addr = addr;
	switch (rw) {
	case 0:                        /* execute: a one-byte length */
		if (len)
			return -EINVAL;
		a.bp_type = HW_BREAKPOINT_X;
		a.bp_len = sizeof(long);
		break;
	case 1:
		a.bp_type = HW_BREAKPOINT_W;
		break;
	case 3:
		a.bp_type = HW_BREAKPOINT_RW;
		break;
	default:                       /* I/O */
		return -EINVAL;
	}
	if (rw)
		a.bp_len = len == 0 ? 1 : len == 1 ? 2 : len == 3 ? 4 : 8;
	long fd = syscall(SYS_perf_event_open, &a, th->tid, -1, -1, PERF_FLAG_FD_CLOEXEC);
	/* a host without perf breakpoints for umk (perf_event_paranoid 3,
	 * no hardware breakpoint slots left...): EINVAL, as before the
	 * platform had them; ENOMEM stays */
	if (fd < 0)
		return errno == ENOMEM ? -ENOMEM : -EINVAL;
	return (int)fd;
}

static int sc_debugreg(struct host_thread *th, int n, uint64_t *val, bool write)
{
	if (n < 0 || n > 7 || n == 4 || n == 5)
		return -EIO;
	if (!write) {
		*val = n == 6 ? th->dr[6] ^ DR6_RESERVED : th->dr[n];
		return 0;
	}
	uint64_t v = *val;
	if (n == 6) {
		th->dr[6] = v ^ DR6_RESERVED;
		return 0;
	}
	if (n < 4) {
		/* an enabled slot moves: its event again, at the new address */
		if (th->dr[7] & (3UL << (2 * n))) {
			int fd = bp_open(th, n, v, th->dr[7]);
			if (fd < 0)
				return fd;
			if (th->bp_fd[n])
				close(th->bp_fd[n] - 1);
			th->bp_fd[n] = fd + 1;
		}
		th->dr[n] = v;
		return 0;
	}
	/* DR7: every enabled slot's event made anew; on a failure nothing
	 * changes (ptrace_write_dr7 restores the old setting) */
	int nfd[4] = { 0, 0, 0, 0 };
	for (int i = 0; i < 4; i++) {
		if (!(v & (3UL << (2 * i))))
			continue;
		int fd = bp_open(th, i, th->dr[i], v);
		if (fd < 0) {
			for (int k = 0; k < i; k++)
				if (nfd[k])
					close(nfd[k] - 1);
			return fd;
		}
		nfd[i] = fd + 1;
	}
	bp_close_all(th);
	memcpy(th->bp_fd, nfd, sizeof nfd);
	th->dr[7] = v;
	return 0;
}

/* PR_SET_TSC, made by the guest's thread itself in its SIGSYS handler
 * (which then spins without the TSC: stub.c's sc_wait). */
static int sc_set_tsc(struct host_thread *th, int mode)
{
	return (int)sc_syscall(th, SYS_prctl, PR_SET_TSC, mode, 0, 0, 0, 0);
}

static int sc_host_pid(struct host_thread *th)
{
	return th->mm->pid;
}

/* sched_setaffinity: the kernel thread moved to cpu; the stub thread
 * follows within allowed. */
static void sc_set_cpu(struct host_thread *th, int cpu, uint64_t allowed)
{
	th->allowed = allowed;
	if (pin_mode == 2) {
		/* no placement of our own: the host schedules it within the mask */
		cpu_set_t set;
		CPU_ZERO(&set);
		for (int k = 0; k < 64 && k < CPU_SETSIZE; k++)
			if (allowed & (1ULL << k))
				CPU_SET(k, &set);
		if (allowed)
			sched_setaffinity(th->tid, sizeof set, &set);
		return;
	}
	th->cpu = cpu;
	th->placed = -2;
	if (pin_mode == 1)
		place(th);
	else
		pin(th->tid, stub_cpu(cpu));
}

static long sc_cmpxchg32(struct host_thread *th, uint64_t addr, uint32_t old, uint32_t new_)
{
	if (addr >= STUB_START || (addr & 3))
		return -EFAULT;
	long r = sc_request(th, SC_REQ_CMPXCHG, (int64_t)addr, old, new_, 0, 0, 0, 0);
	return r < 0 ? r : (long)(uint32_t)r;
}

const struct platform_ops platform_seccomp = {
	.name = "seccomp",
	.init = sc_init,
	.mm_new = sc_mm_new,
	.fork = sc_fork,
	.clone_thread = sc_clone_thread,
	.adopt = sc_adopt,
	.run = sc_run,
	.kick = sc_kick,
	.destroy = sc_destroy,
	.thread_exit = sc_thread_exit,
	.cmpxchg32 = sc_cmpxchg32,
	.get_fpregs = sc_get_fpregs,
	.set_fpregs = sc_set_fpregs,
	.mmap = sc_mmap,
	.munmap = sc_munmap,
	.mprotect = sc_mprotect,
	.mremap = sc_mremap,
	.madvise = sc_madvise,
	.read_mem = sc_read_mem,
	.write_mem = sc_write_mem,
	.poke_mem = sc_poke_mem,
	.host_tid = sc_host_tid,
	.host_pid = sc_host_pid,
	.set_cpu = sc_set_cpu,
	.batch_begin = sc_batch_begin,
	.batch_end = sc_batch_end,
	.patch_syscall = sc_patch_syscall,
	.rusage = sc_rusage,
	.vdso = sc_vdso,
	.access_mem_force = sc_access_mem_force,
	.set_tsc = sc_set_tsc,
	.debugreg = sc_debugreg,
};
