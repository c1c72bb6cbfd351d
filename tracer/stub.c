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
#include "stub_layout.h"

static char stub_stack[STUB_STACK_SIZE] __attribute__((aligned(16), used));

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
	"	mov $" "57" ", %eax\n"      /* fork */
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jz stub_fork_child\n"
	"	int3\n"
	"	.balign 16, 0xcc\n"
	/* +0x30 START: first instructions after the host execve */
	".globl stub_start\n"
	"stub_start:\n"
	"	lea stub_stack+65536(%rip), %rsp\n"
	"	call stub_init\n"
	"	int3\n"
	"	.balign 16, 0xcc\n"
	"stub_fork_child:\n"
	"	mov $39, %eax\n"            /* getpid */
	"	syscall\n"
	"	mov %rax, %rdi\n"
	"	mov $19, %esi\n"            /* SIGSTOP: wait here for adoption */
	"	mov $62, %eax\n"            /* kill */
	"	syscall\n"
	"	int3\n"
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
