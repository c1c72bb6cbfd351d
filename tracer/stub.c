/*
 * stub.c - the program every guest address space starts as.
 *
 * Built without libc and linked at STUB_START (stub.ld).  It never runs on
 * its own initiative: the tracer points a stopped thread at one of the
 * entry points below, lets it run, and takes it back at the int3.  Guest
 * code that jumps here is still under PTRACE_SYSEMU, so its syscalls are
 * trapped like any other.  Mirrors UML's arch/um/kernel/skas/stub.c.
 */
#include <stddef.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <signal.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/mman.h>
#include <poll.h>
#include <linux/futex.h>
#include "stub_layout.h"

static char stub_stack[STUB_STACK_SIZE] __attribute__((aligned(16), used));
/* struct pollfd { STUB_CTL_FD, no events (hang-up and errors only) } */
struct { int fd; short events, revents; } stub_park_pfd __attribute__((used)) = { STUB_CTL_FD, 0, 0 };

static inline long sys6(long nr, long a, long b, long c, long d, long e, long f)
{
	long ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	__asm__ volatile("syscall" : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

/* Entry table: 16 bytes per entry, in the order of stub_layout.h. */
__asm__(
	".section .text.entry,\"ax\"\n"
	".globl stub_entries\n"
	"stub_entries:\n"
	/* +0x00 SYSCALL */
	"	syscall\n"
	"	int3\n"
	"	.balign 16, 0xcc\n"
	/* +0x10 MMAP_FD: rdi addr, rsi len, rdx prot, r10 flags, r8 offset */
	"	mov %r10, %rcx\n"
	"	call stub_mmap_fd\n"
	"	int3\n"
	"	.balign 16, 0xcc\n"
	/* +0x20 FORK */
	"	mov $57, %eax\n"            /* fork */
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jz stub_park\n"
	"	int3\n"
	"	.balign 16, 0xcc\n"
	/* +0x30 START: first instructions after the host execve */
	".globl stub_start\n"
	"stub_start:\n"
	"	lea stub_stack+65536(%rip), %rsp\n"
	"	call stub_init\n"
	"	int3\n"
	"	.balign 16, 0xcc\n"
	/* +0x40 THREAD: clone(CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM, same sp) */
	"	mov $56, %eax\n"
	"	mov $0x50f00, %edi\n"
	"	xor %esi, %esi\n"
	"	xor %edx, %edx\n"
	"	xor %r10d, %r10d\n"
	"	xor %r8d, %r8d\n"
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jz stub_park\n"
	"	int3\n"
	"	.balign 16, 0xcc\n"
	/* +0x60 CMPXCHG: the guest's futex word, atomically (PI futexes) */
	"	.org stub_entries + 0x60, 0xcc\n"
	"	mov %esi, %eax\n"
	"	lock cmpxchg %edx, (%rdi)\n"
	"	int3\n"
	"	.balign 16, 0xcc\n"

	/* A new host thread or forked process waits here until its own
	 * kernel thread seizes and interrupts it.  It polls the fd-passing
	 * socket for nothing but a hang-up: if umk dies before the adoption,
	 * the stub exits instead of waiting forever (ptrace platform). */
	"stub_park:\n"
	"	lea stub_park_pfd(%rip), %rdi\n"
	"	mov $1, %esi\n"
	"	mov $-1, %edx\n"
	"	mov $7, %eax\n"             /* poll */
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jle stub_park\n"
	"	mov $137, %edi\n"
	"	mov $231, %eax\n"           /* exit_group */
	"	syscall\n"
	"	jmp stub_park\n"
	/* +0x100 FAST (seccomp): from a trampoline, eax = nr, rcx = the
	 * return address, r11 free, everything else the guest's.  No guest
	 * memory is touched but 16 scratch bytes below the red zone (as a
	 * signal frame would be).  The thread's altstack is found through a
	 * tid table (gettid); flags are kept (no flag-setting instruction
	 * before pushfq, jrcxz for the test); sc_fast hands the syscall to
	 * umk.  sc_handler knows every label here: a signal inside is
	 * delivered as if at the syscall site or at its return. */
	"	.org stub_entries + 0x100, 0xcc\n"
	".globl stub_fast_entry, stub_fast_b, stub_fast_in, stub_fast_last, stub_fast_jmp\n"
	".globl stub_fast_full, stub_fast_slow, stub_fast_end\n"
	"stub_fast_entry:\n"
	"	mov %rax, -136(%rsp)\n"
	"	mov %rcx, -144(%rsp)\n"
	"stub_fast_b:\n"                  /* nr and return address in the scratch */
	"	mov $186, %eax\n"             /* gettid */
	"	syscall\n"
	"	movzwl %ax, %ecx\n"
	"	lea stub_entries+0x50000(%rip), %r11\n" /* SC_TIDTAB */
	"	mov (%r11,%rcx,4), %r11d\n"
	"	mov $16, %ecx\n"
	"	shrx %rcx, %rax, %rax\n"      /* our tid >> 16 */
	"	shrx %rcx, %r11, %rcx\n"      /* the entry's (tid >> 16) + 1 */
	"	not %rax\n"
	"	lea (%rcx,%rax), %rcx\n"      /* its tid's high bits - ours, without touching flags */
	"	jrcxz 1f\n"
	"	jmp stub_fast_slow\n"
	"1:	movzwl %r11w, %ecx\n"         /* thread index + 1 */
	"	mov $14, %r11d\n"
	"	shlx %r11, %rcx, %rcx\n"      /* (index + 1) * SC_ALTSTACK_SIZE */
	"	lea stub_entries+0x500000-0x4000(%rip), %r11\n" /* SC_ALTSTACK_BASE - SC_ALTSTACK_SIZE */
	"	lea (%r11,%rcx), %r11\n"      /* this thread's sc_priv */
	"	movq $1, 24(%r11)\n"          /* fast_state = SC_FAST_IN */
	"stub_fast_in:\n"
	"	mov %rsp, 32(%r11)\n"         /* fast_rsp */
	"	lea 0x4000(%r11), %rsp\n"     /* the top of the altstack */
	"	mov 32(%r11), %rcx\n"
	"	mov -136(%rcx), %rax\n"
	"	mov -144(%rcx), %rcx\n"
	"	pushfq\n"
	"	push %rax\n push %rbx\n push %rcx\n push %rdx\n push %rsi\n push %rdi\n push %rbp\n"
	"	push %r8\n push %r9\n push %r10\n push %r11\n push %r12\n push %r13\n push %r14\n"
	"	push %r15\n"
	"	mov %rsp, %rdi\n"
	"	call sc_fast\n"
	"	test %eax, %eax\n"
	"	jnz stub_fast_full\n"
	"	pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %r11\n pop %r10\n pop %r9\n"
	"	pop %r8\n pop %rbp\n pop %rdi\n pop %rsi\n pop %rdx\n pop %rcx\n pop %rbx\n"
	"	pop %rax\n"
	"	popfq\n"
	"	mov 32(%r11), %rsp\n"
	"	movq $0, 24(%r11)\n"          /* SC_FAST_OUT */
	"stub_fast_last:\n"
	"	mov 0x4000-8(%r11), %r11\n"   /* r11 = rflags, as after syscall */
	"stub_fast_jmp:\n"
	"	jmp *%rcx\n"
	"stub_fast_full:\n"               /* registers from umk, or a kick: sc_handler */
	"	int3\n"
	"	int3\n"                        /* (so that full + 1 is not stub_fast_slow) */
	"stub_fast_slow:\n"               /* not a thread we know: the patched site's syscall */
	"	mov -136(%rsp), %rax\n"
	"	mov -144(%rsp), %rcx\n"
	"	lea -2(%rcx), %rcx\n"
	"	jmp *%rcx\n"
	"stub_fast_end:\n"
	"	.balign 16, 0xcc\n"
	".text\n");

struct k_sigaction { unsigned long handler, flags, restorer, mask; };

/*
 * A seccomp filter as a second wall.  Under PTRACE_SYSEMU no guest
 * syscall reaches seccomp, but the host kernel's vsyscall emulation runs
 * time()/gettimeofday()/getcpu() itself when code calls into the vsyscall
 * page, consulting only seccomp: those calls are trapped (SIGSYS, which the
 * platform turns into the SIGSEGV of a kernel without vsyscall).  32-bit
 * entries are killed.  Everything else is allowed: the stub's own calls.
 */
static struct sock_filter filter[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer) + 4),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xffffffff, 0, 3),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer)),
	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0xff600000, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};

/* Host-side set-up: children of the stub are reaped by the host; the
 * seccomp wall above.  Returns 0 or -errno. */
long stub_init(void)
{
	struct k_sigaction ign = { .handler = 1 /* SIG_IGN */ };
	struct sock_fprog prog = { sizeof filter / sizeof filter[0], filter };
	long r = sys6(SYS_rt_sigaction, SIGCHLD, (long)&ign, 0, 8, 0, 0);
	if (r < 0)
		return r;
	r = sys6(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0);
	if (r < 0)
		return r;
	return sys6(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, (long)&prog, 0, 0, 0);
}

/* Receives one fd from the kernel on STUB_CTL_FD, maps it, closes it. */
long stub_mmap_fd(long addr, long len, long prot, long flags, long off)
{
	char byte;
	union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } cm;
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { 0 };
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cm.buf;
	msg.msg_controllen = sizeof cm.buf;
	long r = sys6(SYS_recvmsg, STUB_CTL_FD, (long)&msg, MSG_CMSG_CLOEXEC, 0, 0, 0);
	if (r < 0)
		return r;
	if (msg.msg_controllen < sizeof(struct cmsghdr) || cm.h.cmsg_type != SCM_RIGHTS)
		return -9; /* EBADF */
	int fd = *(int *)CMSG_DATA(&cm.h);
	r = sys6(SYS_mmap, addr, len, prot, flags, fd, off);
	sys6(SYS_close, fd, 0, 0, 0, 0, 0);
	return r;
}

/*
 * ---- The seccomp platform's side (seccomp.c has the whole story) ----
 *
 * Started by exec with an argument (argc >= 2): the stub maps its shared
 * slots (SC_MEMFD) and private altstacks, installs the signal handlers
 * and a filter that traps every syscall not made from the stub's own code
 * (and, from it, allows only the few below), then reports SC_EV_READY
 * from slot 0.  From then on every guest syscall (SIGSYS), fault and kick
 * lands in sc_handler on the thread's altstack, which posts the registers
 * to its slot, wakes umk and serves umk's requests until told to resume.
 */
#define SC_THREAD_FLAGS 0x50f00 /* CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM */

extern char __stub_text_end[];
static int sc_ctl_fd = STUB_CTL_FD;
static int sc_life_fd = SC_LIFE_FD;   /* kept open: umk arms it (seccomp.c life_arm) */

static void sc_copy(void *dst, const void *src, unsigned long n)
{
	__asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

static void sc_zero(void *dst, unsigned long n)
{
	__asm__ volatile("rep stosb" : "+D"(dst), "+c"(n) : "a"(0) : "memory");
}

static struct sc_slot *sc_slot(long i)
{
	return (struct sc_slot *)(SC_SHARED_BASE + i * SC_SLOT_SIZE);
}

static struct sc_priv *sc_priv(long i)
{
	return (struct sc_priv *)(SC_ALTSTACK_BASE + i * SC_ALTSTACK_SIZE);
}

static __attribute__((noreturn)) void sc_die(int code)
{
	for (;;)
		sys6(SYS_exit_group, code, 0, 0, 0, 0, 0);
}

/* Exits if umk is gone (its pidfd readable, or closed by the guest). */
static void sc_check_umk(void)
{
	struct pollfd p = { SC_UMK_PIDFD, POLLIN, 0 };
	if (sys6(SYS_poll, (long)&p, 1, 0, 0, 0, 0) != 0)
		sc_die(137);
}

/* Waits while s->state == busy: a spin, then FUTEX_WAIT with a one
 * second timeout that checks umk is alive.  Adaptive: the spin lasts
 * s->spin TSC cycles if the last wait took at most that long, else half
 * the last spin (p->spin).  No pause: in a VM it may exit to the host. */
static void sc_wait(struct sc_slot *s, struct sc_priv *p, uint32_t busy)
{
	/* a thread whose rdtsc faults (the guest's PR_TSC_SIGSEGV) spins a
	 * count of loads instead, about as long */
	int tsc = !p->notsc;
	uint64_t max = __atomic_load_n(&s->spin, __ATOMIC_RELAXED);
	uint64_t t0 = tsc ? __builtin_ia32_rdtsc() : 0, n = p->spin < max ? p->spin : max, k = 0;
	if (n) {
		do {
			if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != busy) {
				p->spin = max;
				return;
			}
		} while (tsc ? __builtin_ia32_rdtsc() - t0 < n : ++k < n / 8);
	}
	for (;;) {
		__atomic_store_n(&s->swait, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&s->state, __ATOMIC_SEQ_CST) != busy)
			break;
		long ts[2] = { 1, 0 };
		long r = sys6(SYS_futex, (long)&s->state, FUTEX_WAIT, busy, (long)ts, 0, 0);
		if (r == -110 /* ETIMEDOUT */)
			sc_check_umk();
	}
	__atomic_store_n(&s->swait, 0, __ATOMIC_RELAXED);
	p->spin = !tsc || __builtin_ia32_rdtsc() - t0 <= max ? max : n / 2;
}

/* Publishes an event and wakes umk if it sleeps. */
static void sc_post(struct sc_slot *s, uint32_t ev)
{
	s->event = ev;
	__atomic_store_n(&s->state, SC_ST_EVENT, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&s->kwait, __ATOMIC_SEQ_CST))
		sys6(SYS_futex, (long)&s->state, FUTEX_WAKE, 1, 0, 0, 0);
}

/* Receives up to n fds from umk on the ctl socket; returns how many. */
static long sc_recv_fds(int *fds, int n)
{
	char byte;
	union { struct cmsghdr h; char buf[CMSG_SPACE(SC_BATCH_FDS * sizeof(int))]; } cm;
	struct iovec iov = { &byte, 1 };
	struct msghdr msg;
	sc_zero(&msg, sizeof msg);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cm.buf;
	msg.msg_controllen = CMSG_SPACE(n * sizeof(int));
	long r = sys6(SYS_recvmsg, sc_ctl_fd, (long)&msg, MSG_CMSG_CLOEXEC, 0, 0, 0);
	if (r < 0)
		return r;
	if (msg.msg_controllen < sizeof(struct cmsghdr) || cm.h.cmsg_type != SCM_RIGHTS)
		return -9; /* EBADF */
	long got = (cm.h.cmsg_len - CMSG_LEN(0)) / sizeof(int);
	if (got > SC_BATCH_FDS)
		got = SC_BATCH_FDS;
	int all[SC_BATCH_FDS];
	sc_copy(all, CMSG_DATA(&cm.h), got * sizeof(int));
	for (long k = n; k < got; k++)
		sys6(SYS_close, all[k], 0, 0, 0, 0, 0); /* more than asked for */
	if (got > n)
		got = n;
	sc_copy(fds, all, got * sizeof(int));
	return got;
}

static void sc_start_watchdog(void)
{
	long it[4] = { 1, 0, 1, 0 }; /* struct itimerval: every second */
	sys6(SYS_setitimer, 0 /* ITIMER_REAL */, (long)it, 0, 0, 0, 0);
}

/* clone(SC_THREAD_FLAGS) onto stack; the child runs sc_thread_start(i). */
long stub_sc_clone(long flags, long stack, long i);
__asm__(
	".text\n"
	"stub_sc_clone:\n"
	"	push %r12\n"
	"	mov %rdx, %r12\n"
	"	xor %edx, %edx\n"
	"	xor %r10d, %r10d\n"
	"	xor %r8d, %r8d\n"
	"	mov $56, %eax\n"
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jz 1f\n"
	"	pop %r12\n"
	"	ret\n"
	"1:	mov %r12, %rdi\n"
	"	and $-16, %rsp\n"
	"	call sc_thread_start\n"
	"	ud2\n"
	/* the restorer of every handler */
	"stub_sc_restorer:\n"
	"	mov $15, %eax\n"
	"	syscall\n"
	"	ud2\n");
extern char stub_sc_restorer[];

_Static_assert(SC_ALTSTACK_OFF == 0x500000 && SC_ALTSTACK_SIZE == 0x4000 && SC_TIDTAB_OFF == 0x50000,
	       "constants in the fast path's asm");
_Static_assert(SC_MAX_THREADS < 0xffff && SC_MAX_THREADS % SC_ALTSTACK_CHUNK == 0,
	       "a thread index + 1 in a tid table entry's 16 bits; whole chunks");
_Static_assert(__builtin_offsetof(struct sc_priv, fast_state) == SC_PRIV_STATE &&
	       __builtin_offsetof(struct sc_priv, fast_rsp) == SC_PRIV_RSP &&
	       sizeof(struct sc_priv) <= SC_PRIV_SIZE, "sc_priv as the asm sees it");
_Static_assert(SC_TRAMP_HIGH_OFF + SC_TRAMP_SIZE <= SC_TIDTAB_OFF &&
	       SC_TIDTAB_OFF + SC_TIDTAB_SIZE <= SC_SHARED_OFF &&
	       SC_SHARED_OFF + SC_SHARED_SIZE == SC_ALTSTACK_OFF &&
	       SC_ALTSTACK_OFF + (uint64_t)SC_MAX_THREADS * SC_ALTSTACK_SIZE <= STUB_SIZE,
	       "the stub region's layout");

extern char stub_fast_entry[], stub_fast_b[], stub_fast_in[], stub_fast_last[], stub_fast_jmp[];
extern char stub_fast_full[], stub_fast_slow[], stub_fast_end[];

/* Thread i has host tid tid: the fast path finds its altstack by it. */
static void sc_tid_register(long i, uint32_t tid)
{
	if (tid < 0xffff0000u)
		((uint32_t *)SC_TIDTAB)[tid & 0xffff] = ((tid >> 16) + 1) << 16 | (uint32_t)(i + 1);
}

/* A thread's set-up, then SC_EV_READY from its slot (the int3). */
__attribute__((noreturn, used)) void sc_thread_start(long i)
{
	struct sc_slot *s = sc_slot(i);
	long ss[3] = { SC_ALTSTACK_BASE + i * SC_ALTSTACK_SIZE + SC_PRIV_SIZE, 0,
		       SC_ALTSTACK_SIZE - SC_PRIV_SIZE };
	if (sys6(SYS_sigaltstack, (long)ss, 0, 0, 0, 0, 0) < 0)
		sc_die(127);
	s->tid = (uint32_t)sys6(SYS_set_tid_address, (long)&s->tid, 0, 0, 0, 0, 0);
	sc_tid_register(i, s->tid);
	struct sc_priv *p = sc_priv(i);
	p->fast_state = SC_FAST_OUT; /* the slot's last thread may have left on the fast path */
	p->kick_pending = 0;
	uint64_t none = 0;
	sys6(SYS_rt_sigprocmask, SIG_SETMASK, (long)&none, 0, 8, 0, 0);
	__asm__ volatile("int3" ::: "memory");
	sc_die(127); /* resumed without registers */
}

static void sc_regs_out(struct linux_regs *r, const struct linux_sigcontext *mc,
			const struct sc_priv *p)
{
	r->r15 = mc->r15; r->r14 = mc->r14; r->r13 = mc->r13; r->r12 = mc->r12;
	r->rbp = mc->rbp; r->rbx = mc->rbx; r->r11 = mc->r11; r->r10 = mc->r10;
	r->r9 = mc->r9; r->r8 = mc->r8; r->rax = mc->rax; r->rcx = mc->rcx;
	r->rdx = mc->rdx; r->rsi = mc->rsi; r->rdi = mc->rdi; r->orig_rax = -1;
	r->rip = mc->rip; r->cs = 0x33; r->eflags = mc->eflags; r->rsp = mc->rsp;
	r->ss = 0x2b; r->fs_base = p->fs_base; r->gs_base = p->gs_base;
	r->ds = r->es = r->fs = r->gs = 0;
}

static void sc_regs_in(struct linux_sigcontext *mc, const struct linux_regs *r,
		       struct sc_priv *p)
{
	mc->r15 = r->r15; mc->r14 = r->r14; mc->r13 = r->r13; mc->r12 = r->r12;
	mc->rbp = r->rbp; mc->rbx = r->rbx; mc->r11 = r->r11; mc->r10 = r->r10;
	mc->r9 = r->r9; mc->r8 = r->r8; mc->rax = r->rax; mc->rcx = r->rcx;
	mc->rdx = r->rdx; mc->rsi = r->rsi; mc->rdi = r->rdi;
	mc->rip = r->rip; mc->eflags = r->eflags; mc->rsp = r->rsp;
	uint64_t fs = r->fs_base, gs = r->gs_base;
	if (fs != p->fs_base && sys6(SYS_arch_prctl, 0x1002 /* ARCH_SET_FS */, fs, 0, 0, 0, 0) == 0)
		p->fs_base = fs;
	if (gs != p->gs_base && sys6(SYS_arch_prctl, 0x1001 /* ARCH_SET_GS */, gs, 0, 0, 0, 0) == 0)
		p->gs_base = gs;
}

/* getrusage(RUSAGE_SELF) and (RUSAGE_THREAD) into the slot's batch[]
 * (SC_REQ_RUSAGE's answer); 0 or -errno. */
static long sc_rusage_fill(struct sc_slot *s)
{
	long r = sys6(SYS_getrusage, 0 /* RUSAGE_SELF */, (long)s->batch, 0, 0, 0, 0);
	if (r == 0)
		r = sys6(SYS_getrusage, 1 /* RUSAGE_THREAD */,
			 (long)((int64_t *)s->batch + SC_RUSAGE_THREAD_OFF), 0, 0, 0, 0);
	return r;
}

/* Before an event is posted: a guest's exit or exit_group comes with
 * the usage counters umk keeps at a process's exit (seccomp.c
 * sc_rusage), so that the exit needs no request; any other event clears
 * the mark. */
static void sc_exit_rusage(struct sc_slot *s, long nr)
{
	uint32_t ready = (nr == SYS_exit || nr == SYS_exit_group) && sc_rusage_fill(s) == 0;
	__atomic_store_n(&s->ru_ready, ready, __ATOMIC_RELAXED);
}

/* Runs one request of umk; returns its result. */
static long sc_request(struct sc_slot *s, long i, struct linux_ucontext *uc)
{
	long a[7];
	sc_copy(a, (const void *)s->arg, sizeof a);
	/* uc NULL: the fast path, where the FP state is the CPU's own (the
	 * stub is built with general registers only) */
	uint8_t *fx = uc ? (uint8_t *)uc->uc_mcontext.fpstate : NULL;
	uint8_t live[512] __attribute__((aligned(16)));
	if (!uc) {
		__asm__ volatile("fxsave64 %0" : "=m"(live));
		fx = live;
	}
	int fds[3];
	long r;
	switch (__atomic_load_n(&s->req, __ATOMIC_RELAXED)) {
	case SC_REQ_SYSCALL:
		if (a[0] == SYS_prctl && a[1] == PR_SET_TSC) {
			/* the guest's PR_SET_TSC, for this thread (the filter
			 * lets no other prctl through) */
			r = sys6(SYS_prctl, PR_SET_TSC, a[2], 0, 0, 0, 0);
			if (!r)
				sc_priv(i)->notsc = a[2] == PR_TSC_SIGSEGV;
			return r;
		}
		if (a[0] != SYS_mmap && a[0] != SYS_munmap && a[0] != SYS_mprotect &&
		    a[0] != SYS_mremap && a[0] != SYS_madvise)
			return -38; /* ENOSYS */
		return sys6(a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
	case SC_REQ_MMAP_FD:
		r = sc_recv_fds(fds, 1);
		if (r < 1)
			return r < 0 ? r : -9;
		r = sys6(SYS_mmap, a[1], a[2], a[3], a[4], fds[0], a[6]);
		sys6(SYS_close, fds[0], 0, 0, 0, 0, 0);
		return r;
	case SC_REQ_FORK:
		/* the child's slot memfd, ctl socket and (if any) lifeline */
		fds[2] = -1;
		r = sc_recv_fds(fds, 3);
		if (r < 2) {
			if (r == 1)
				sys6(SYS_close, fds[0], 0, 0, 0, 0, 0);
			return r < 0 ? r : -9;
		}
		r = sys6(SYS_fork, 0, 0, 0, 0, 0, 0);
		if (r == 0 && a[0] >= 0 && a[0] < 64) {
			uint64_t mask = 1ULL << a[0];
			sys6(SYS_sched_setaffinity, 0, sizeof mask, (long)&mask, 0, 0, 0);
		}
		if (r != 0) {
			sys6(SYS_close, fds[0], 0, 0, 0, 0, 0);
			sys6(SYS_close, fds[1], 0, 0, 0, 0, 0);
			if (fds[2] >= 0)
				sys6(SYS_close, fds[2], 0, 0, 0, 0, 0);
			return r;
		}
		/* the child: its own slots, its own ctl socket, its watchdog */
		if (sys6(SYS_mmap, SC_SHARED_BASE, SC_SHARED_SIZE, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, fds[0], 0) != (long)SC_SHARED_BASE)
			sc_die(127);
		sys6(SYS_close, fds[0], 0, 0, 0, 0, 0);
		sys6(SYS_close, sc_ctl_fd, 0, 0, 0, 0, 0);
		sc_ctl_fd = fds[1];
		if (fds[2] >= 0) {
			sys6(SYS_close, sc_life_fd, 0, 0, 0, 0, 0);   /* the parent's */
			sc_life_fd = fds[2];
		}
		sc_start_watchdog();
		s->tid = (uint32_t)sys6(SYS_set_tid_address, (long)&s->tid, 0, 0, 0, 0, 0);
		sc_tid_register(i, s->tid);
		return 0;
	case SC_REQ_BATCH: {
		int bfds[SC_BATCH_FDS], nfds = (int)a[1];
		if (a[0] < 0 || a[0] > SC_BATCH_MAX || nfds < 0 || nfds > SC_BATCH_FDS)
			return -22; /* EINVAL */
		if (nfds) {
			r = sc_recv_fds(bfds, nfds);
			if (r != nfds) {
				for (long k = 0; k < r; k++)
					sys6(SYS_close, bfds[k], 0, 0, 0, 0, 0);
				return r < 0 ? r : -9;
			}
		}
		r = 0;
		for (long k = 0; k < a[0]; k++) {
			long op[7];
			sc_copy(op, (const void *)s->batch[k], sizeof op);
			if (op[0] == SC_BATCH_MMAP_FD) {
				r = op[5] >= 0 && op[5] < nfds ?
				    sys6(SYS_mmap, op[1], op[2], op[3], op[4], bfds[op[5]], op[6]) : -9;
			} else if (op[0] == SYS_mmap || op[0] == SYS_munmap || op[0] == SYS_mprotect) {
				r = sys6(op[0], op[1], op[2], op[3], op[4], op[5], op[6]);
			} else {
				r = -22;
			}
			if (r < 0 && r > -4096)
				break;
		}
		for (int k = 0; k < nfds; k++)
			sys6(SYS_close, bfds[k], 0, 0, 0, 0, 0);
		return r;
	}
	case SC_REQ_RUSAGE:
		return sc_rusage_fill(s);
	case SC_REQ_CLONE:
		if (a[0] < 0 || a[0] >= SC_MAX_THREADS || a[0] == i)
			return -22; /* EINVAL */
		if (a[0] >= SC_ALTSTACK_CHUNK) {
			/* its chunk of altstacks, unless mapped (by this stub or
			 * the one it was forked from) */
			long at = SC_ALTSTACK_BASE + a[0] / SC_ALTSTACK_CHUNK * SC_ALTSTACK_CHUNK *
				  SC_ALTSTACK_SIZE;
			r = sys6(SYS_mmap, at, SC_ALTSTACK_CHUNK * SC_ALTSTACK_SIZE,
				 PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
			if (r >= 0 && r != at) /* a kernel that took it for a hint: mapped */
				sys6(SYS_munmap, r, SC_ALTSTACK_CHUNK * SC_ALTSTACK_SIZE, 0, 0, 0, 0);
			else if (r < 0 && r != -17 /* EEXIST */)
				return r;
		}
		*sc_priv(a[0]) = *sc_priv(i);
		return stub_sc_clone(SC_THREAD_FLAGS,
				     SC_ALTSTACK_BASE + (a[0] + 1) * SC_ALTSTACK_SIZE - 64, a[0]);
	case SC_REQ_EXIT:
		for (;;)
			sys6(SYS_exit, 0, 0, 0, 0, 0, 0);
	case SC_REQ_GET_FP:
		if (!fx)
			sc_zero(&s->fp, sizeof s->fp);
		else
			sc_copy(&s->fp, fx, sizeof s->fp);
		return 0;
	case SC_REQ_CMPXCHG: {
		/* the kernel checked that the word is mapped writable */
		uint32_t expected = (uint32_t)a[1];
		__atomic_compare_exchange_n((uint32_t *)a[0], &expected, (uint32_t)a[2], 0,
					    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
		return expected;
	}
	case SC_REQ_SET_FP:
		if (!fx)
			return -14; /* EFAULT */
		{
			uint32_t mask = *(uint32_t *)(fx + 28);
			/* up to the software-reserved bytes, which stay */
			sc_copy(fx, &s->fp, offsetof(struct linux_fpregs, padding));
			*(uint32_t *)(fx + 28) = mask;
			*(uint32_t *)(fx + 24) &= mask ? mask : 0xffbf;
			if (!uc)
				__asm__ volatile("fxrstor64 %0" : : "m"(live));
			else if (*(uint32_t *)(fx + 464) == 0x46505853 /* FP_XSTATE_MAGIC1 */)
				*(uint64_t *)(fx + 512) |= 3; /* x87 and SSE state present */
		}
		return 0;
	}
	return -22;
}

/* The fast path's frame (stub_fast_entry's pushes), lowest first. */
enum { FF_R15, FF_R14, FF_R13, FF_R12, FF_R11, FF_R10, FF_R9, FF_R8, FF_RBP, FF_RDI, FF_RSI,
       FF_RDX, FF_RCX, FF_RBX, FF_RAX, FF_FLAGS, FF_N };

static uint64_t *sc_fast_frame(struct sc_priv *p)
{
	return (uint64_t *)((char *)p + SC_ALTSTACK_SIZE - FF_N * 8);
}

/* The guest's context as it is after the fast path's syscall returns. */
static void sc_fast_guest(struct linux_sigcontext *mc, struct sc_priv *p)
{
	const uint64_t *f = sc_fast_frame(p);
	mc->r15 = f[FF_R15]; mc->r14 = f[FF_R14]; mc->r13 = f[FF_R13]; mc->r12 = f[FF_R12];
	mc->r11 = f[FF_FLAGS]; mc->r10 = f[FF_R10]; mc->r9 = f[FF_R9]; mc->r8 = f[FF_R8];
	mc->rbp = f[FF_RBP]; mc->rdi = f[FF_RDI]; mc->rsi = f[FF_RSI]; mc->rdx = f[FF_RDX];
	mc->rcx = f[FF_RCX]; mc->rbx = f[FF_RBX]; mc->rax = f[FF_RAX];
	mc->eflags = f[FF_FLAGS]; mc->rip = f[FF_RCX]; mc->rsp = p->fast_rsp;
}

/*
 * The fast path's C part, on the top of the thread's altstack: posts the
 * syscall (SC_EV_FAST) with the registers a `syscall` would leave, serves
 * umk's requests, and returns 0 to resume the guest from the frame (rax
 * updated), or 1 for stub_fast_full's int3 (umk changed more than rax, or
 * a kick came meanwhile): sc_handler finishes then.
 */
__attribute__((used)) long sc_fast(uint64_t *f)
{
	long i = ((uint64_t)f - SC_ALTSTACK_BASE) / SC_ALTSTACK_SIZE;
	struct sc_slot *s = sc_slot(i);
	struct sc_priv *p = sc_priv(i);
	struct linux_regs *r = &s->regs;
	r->r15 = f[FF_R15]; r->r14 = f[FF_R14]; r->r13 = f[FF_R13]; r->r12 = f[FF_R12];
	r->rbp = f[FF_RBP]; r->rbx = f[FF_RBX]; r->r11 = f[FF_FLAGS]; r->r10 = f[FF_R10];
	r->r9 = f[FF_R9]; r->r8 = f[FF_R8]; r->rax = f[FF_RAX]; r->rcx = f[FF_RCX];
	r->rdx = f[FF_RDX]; r->rsi = f[FF_RSI]; r->rdi = f[FF_RDI]; r->orig_rax = -1;
	r->rip = f[FF_RCX]; r->cs = 0x33; r->eflags = f[FF_FLAGS]; r->rsp = p->fast_rsp;
	r->ss = 0x2b; r->fs_base = p->fs_base; r->gs_base = p->gs_base;
	r->ds = r->es = r->fs = r->gs = 0;
	sc_exit_rusage(s, (long)f[FF_RAX]);
	sc_post(s, SC_EV_FAST);
	for (;;) {
		sc_wait(s, p, SC_ST_EVENT);
		if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != SC_ST_REQ)
			break;
		s->result = sc_request(s, i, NULL);
		sc_post(s, SC_EV_DONE);
	}
	uint32_t flags = __atomic_load_n(&s->flags, __ATOMIC_RELAXED);
	if (flags & SC_F_REGS)
		return 1;
	if (flags & SC_F_RAX)
		f[FF_RAX] = s->regs.rax;
	__atomic_store_n(&p->fast_state, SC_FAST_EXIT, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&p->kick_pending, __ATOMIC_SEQ_CST)) {
		__atomic_store_n(&p->fast_state, SC_FAST_IN, __ATOMIC_SEQ_CST);
		return 1;
	}
	return 0;
}

/*
 * A signal whose context is in the stub's code while the thread may be on
 * the fast path: rewrites uc into the guest's own context (at the patched
 * site's syscall instruction when the syscall has not reached umk, or
 * just after it once umk answered).  Returns 0 to handle the signal as a
 * guest's, 1 when the handler has nothing more to do, 2 to report a kick
 * that came while umk had the syscall.
 */
static int sc_fast_fixup(int sig, struct linux_ucontext *uc, struct sc_priv *p, struct sc_slot *s)
{
	struct linux_sigcontext *mc = &uc->uc_mcontext;
	uint64_t rip = mc->rip;
	int fault = sig == SIGSEGV || sig == SIGBUS;
	if (sig == SIGTRAP && rip == (uint64_t)stub_fast_full + 1) {
		uint32_t flags = __atomic_load_n(&s->flags, __ATOMIC_RELAXED);
		if (flags & SC_F_REGS) {
			struct linux_regs r;
			sc_copy(&r, &s->regs, sizeof r);
			sc_regs_in(mc, &r, p);
		} else {
			sc_fast_guest(mc, p);
		}
		p->fast_state = SC_FAST_OUT;
		if (!__atomic_exchange_n(&p->kick_pending, 0, __ATOMIC_SEQ_CST))
			return 1;
		return 2;
	}
	if (rip >= (uint64_t)stub_fast_entry && rip < (uint64_t)stub_fast_b) {
		mc->rip = mc->rcx - 2; /* nr still in rax */
		return fault; /* a bad stack: the syscall itself goes the slow way */
	}
	if ((rip >= (uint64_t)stub_fast_b && rip < (uint64_t)stub_fast_in) ||
	    (rip >= (uint64_t)stub_fast_slow && rip < (uint64_t)stub_fast_end)) {
		const uint64_t *scratch = (const uint64_t *)(mc->rsp - 144);
		mc->rcx = scratch[0];
		mc->rax = scratch[1];
		mc->rip = mc->rcx - 2;
		p->fast_state = SC_FAST_OUT;
		return fault;
	}
	if (rip == (uint64_t)stub_fast_last) {
		mc->r11 = sc_fast_frame(p)[FF_FLAGS];
		mc->rip = mc->rcx;
		return 0;
	}
	if (rip == (uint64_t)stub_fast_jmp) {
		mc->rip = mc->rcx;
		return 0;
	}
	if (p->fast_state == SC_FAST_IN) {
		/* umk has the syscall: a kick is reported on the way out */
		if (sig == SC_KICK_SIGNAL)
			__atomic_store_n(&p->kick_pending, 1, __ATOMIC_SEQ_CST);
		return 1;
	}
	if (p->fast_state == SC_FAST_EXIT) {
		sc_fast_guest(mc, p);
		p->fast_state = SC_FAST_OUT;
	}
	return 0;
}

/* Every signal of a seccomp-platform stub thread lands here. */
__attribute__((used)) void sc_handler(int sig, siginfo_t *si, void *ucv)
{
	struct linux_ucontext *uc = ucv;
	uint64_t sp = (uint64_t)__builtin_frame_address(0);
	if (sp < SC_ALTSTACK_BASE || sp >= SC_ALTSTACK_END)
		sc_die(128 + SIGSYS); /* not on one of ours: the guest meddled */
	long i = (sp - SC_ALTSTACK_BASE) / SC_ALTSTACK_SIZE;
	struct sc_slot *s = sc_slot(i);
	struct sc_priv *p = sc_priv(i);
	if (sig == SIGALRM) {
		sc_check_umk();
		return;
	}
	uint32_t ev = SC_EV_SIGNAL;
	uint64_t rip = uc->uc_mcontext.rip;
	siginfo_t kick;
	if (rip >= STUB_START && rip <= (uint64_t)__stub_text_end) {
		int k = sc_fast_fixup(sig, uc, p, s);
		if (k == 1)
			return;
		if (k == 2) {
			sc_zero(&kick, sizeof kick);
			kick.si_signo = SC_KICK_SIGNAL;
			kick.si_code = -6; /* SI_TKILL */
			si = &kick;
			sig = SC_KICK_SIGNAL;
		}
		rip = uc->uc_mcontext.rip;
	}
	if (sig == SIGTRAP && si->si_code == 0x80 /* SI_KERNEL */ && rip - 1 >= STUB_START &&
	    rip - 1 < (uint64_t)__stub_text_end)
		ev = SC_EV_READY;
	sc_regs_out(&s->regs, &uc->uc_mcontext, p);
	sc_copy(s->info, si, SC_INFO_COPY);
	s->fault_err = uc->uc_mcontext.err;
	s->fault_trapno = uc->uc_mcontext.trapno;
	sc_exit_rusage(s, sig == SIGSYS && si->si_code == 1 /* SYS_SECCOMP */ ? si->si_syscall : -1);
	sc_post(s, ev);
	for (;;) {
		sc_wait(s, p, SC_ST_EVENT);
		uint32_t st = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
		if (st != SC_ST_REQ)
			break;
		s->result = sc_request(s, i, uc);
		sc_post(s, SC_EV_DONE);
	}
	uint32_t flags = __atomic_load_n(&s->flags, __ATOMIC_RELAXED);
	if (flags & SC_F_REGS) {
		struct linux_regs r;
		sc_copy(&r, &s->regs, sizeof r);
		sc_regs_in(&uc->uc_mcontext, &r, p);
	} else if (flags & SC_F_RAX) {
		uc->uc_mcontext.rax = s->regs.rax;
	}
}

/*
 * The filter: 64-bit syscalls from the stub's code, of the numbers below
 * (clone only with the thread flags, arch_prctl only to set fs or gs,
 * sched_setaffinity only of the calling thread; restart_syscall, which
 * the host makes to resume a futex or poll wait of the stub's that a
 * signal interrupted, only ever continues one of these),
 * run; other syscalls from the stub's code kill the process; everything
 * else (the guest's, int 0x80's, the vsyscall page's) traps to SIGSYS.
 */
static const unsigned short sc_allowed[] = {
	SYS_futex, SYS_rt_sigreturn, SYS_mmap, SYS_munmap, SYS_mprotect, SYS_mremap,
	SYS_madvise, SYS_recvmsg, SYS_close, SYS_fork, SYS_exit, SYS_exit_group,
	SYS_sigaltstack, SYS_poll, SYS_setitimer, SYS_set_tid_address, SYS_rt_sigprocmask,
	SYS_gettid, SYS_restart_syscall, SYS_getrusage,
};
#define SC_NALLOWED (sizeof sc_allowed / sizeof sc_allowed[0])

static long sc_install_filter(void)
{
	struct sock_filter f[32 + SC_NALLOWED];
	unsigned n = 0;
#define EMIT(c_, k_, t_, f_) (f[n].code = (c_), f[n].k = (k_), f[n].jt = (t_), f[n].jf = (f_), n++)
#define LD(off) EMIT(BPF_LD | BPF_W | BPF_ABS, (off), 0, 0)
#define RET(v) EMIT(BPF_RET | BPF_K, (v), 0, 0)
	LD(offsetof(struct seccomp_data, arch));
	EMIT(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 3, 0);
	EMIT(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_I386, 0, 1);
	RET(SECCOMP_RET_TRAP);
	RET(SECCOMP_RET_KILL_PROCESS);
	LD(offsetof(struct seccomp_data, instruction_pointer) + 4);
	EMIT(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(STUB_START >> 32), 1, 0);
	RET(SECCOMP_RET_TRAP);
	LD(offsetof(struct seccomp_data, instruction_pointer));
	EMIT(BPF_JMP | BPF_JGE | BPF_K, (uint32_t)STUB_START, 1, 0);
	RET(SECCOMP_RET_TRAP);
	EMIT(BPF_JMP | BPF_JGE | BPF_K, (uint32_t)(uint64_t)__stub_text_end, 0, 1);
	RET(SECCOMP_RET_TRAP);
	LD(offsetof(struct seccomp_data, nr));
	/* allow = the last instruction; laid out below */
	unsigned first = n, a = first + SC_NALLOWED; /* clone test */
	unsigned d = a + 5, g = d + 2, pr = g + 2, e = pr + 2, kill2 = e + 3, allow = kill2 + 1;
	for (unsigned k = 0; k < SC_NALLOWED; k++)
		EMIT(BPF_JMP | BPF_JEQ | BPF_K, sc_allowed[k], allow - n - 1, 0);
	EMIT(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, d - n - 1, 0);
	EMIT(BPF_JMP | BPF_JEQ | BPF_K, SYS_arch_prctl, e - n - 1, 0);
	EMIT(BPF_JMP | BPF_JEQ | BPF_K, SYS_sched_setaffinity, g - n - 1, 0);
	EMIT(BPF_JMP | BPF_JEQ | BPF_K, SYS_prctl, pr - n - 1, 0);
	RET(SECCOMP_RET_KILL_PROCESS);
	LD(offsetof(struct seccomp_data, args[0]));      /* d: clone */
	EMIT(BPF_JMP | BPF_JEQ | BPF_K, SC_THREAD_FLAGS, allow - n - 1, kill2 - n - 1);
	LD(offsetof(struct seccomp_data, args[0]));      /* g: pid 0 only */
	EMIT(BPF_JMP | BPF_JEQ | BPF_K, 0, allow - n - 1, kill2 - n - 1);
	LD(offsetof(struct seccomp_data, args[0]));      /* pr: PR_SET_TSC only */
	EMIT(BPF_JMP | BPF_JEQ | BPF_K, PR_SET_TSC, allow - n - 1, kill2 - n - 1);
	LD(offsetof(struct seccomp_data, args[0]));      /* e: arch_prctl */
	EMIT(BPF_JMP | BPF_JEQ | BPF_K, 0x1002, allow - n - 1, 0);
	EMIT(BPF_JMP | BPF_JEQ | BPF_K, 0x1001, allow - n - 1, 0);
	RET(SECCOMP_RET_KILL_PROCESS);
	RET(SECCOMP_RET_ALLOW);
#undef EMIT
#undef LD
#undef RET
	struct sock_fprog prog = { (unsigned short)n, f };
	long r = sys6(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0);
	if (r < 0)
		return r;
	return sys6(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, (long)&prog, 0, 0, 0);
}

/* The ELF entry: what a seccomp-platform stub runs after exec. */
__asm__(
	".text\n"
	".globl stub_sc_entry\n"
	"stub_sc_entry:\n"
	"	mov %rsp, %rdi\n"
	"	lea stub_stack+65536(%rip), %rsp\n"
	"	call stub_sc_main\n"
	"	ud2\n");

__attribute__((noreturn, used)) void stub_sc_main(long *sp)
{
	if (sp[0] < 2)
		sc_die(127); /* the ptrace platform never runs this */
	if (sys6(SYS_mmap, SC_ALTSTACK_BASE, SC_ALTSTACK_CHUNK * SC_ALTSTACK_SIZE,
		 PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) !=
	    (long)SC_ALTSTACK_BASE)
		sc_die(127);
	if (sys6(SYS_mmap, SC_SHARED_BASE, SC_SHARED_SIZE, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, SC_MEMFD, 0) != (long)SC_SHARED_BASE)
		sc_die(127);
	sys6(SYS_close, SC_MEMFD, 0, 0, 0, 0, 0);
	if (sys6(SYS_mmap, SC_TIDTAB, SC_TIDTAB_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != (long)SC_TIDTAB)
		sc_die(127);
	/* the trampoline zones, if umk patches syscall sites (else EBADF) */
	sys6(SYS_mmap, SC_TRAMP_HIGH, SC_TRAMP_SIZE, PROT_READ | PROT_EXEC, MAP_SHARED | MAP_FIXED,
	     SC_TRAMP_FD_HIGH, 0);
	sys6(SYS_mmap, SC_TRAMP_LOW, SC_TRAMP_SIZE, PROT_READ | PROT_EXEC, MAP_SHARED | MAP_FIXED,
	     SC_TRAMP_FD_LOW, 0);
	sys6(SYS_close, SC_TRAMP_FD_HIGH, 0, 0, 0, 0, 0);
	sys6(SYS_close, SC_TRAMP_FD_LOW, 0, 0, 0, 0, 0);
	struct k_sigaction ign = { .handler = 1 /* SIG_IGN */ };
	if (sys6(SYS_rt_sigaction, SIGCHLD, (long)&ign, 0, 8, 0, 0) < 0)
		sc_die(127);
	static const int sigs[] = { SIGSYS, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP,
				    SC_KICK_SIGNAL, SIGALRM };
	struct k_sigaction act = {
		.handler = (unsigned long)sc_handler,
		.flags = SA_SIGINFO | SA_ONSTACK | 0x04000000 /* SA_RESTORER */,
		.restorer = (unsigned long)stub_sc_restorer,
		.mask = ~0UL,
	};
	for (unsigned k = 0; k < sizeof sigs / sizeof sigs[0]; k++)
		if (sys6(SYS_rt_sigaction, sigs[k], (long)&act, 0, 8, 0, 0) < 0)
			sc_die(127);
	sc_start_watchdog();
	if (sc_install_filter() < 0)
		sc_die(127);
	sc_thread_start(0);
}
