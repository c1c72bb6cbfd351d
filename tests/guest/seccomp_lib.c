/* seccomp_lib.c - filters built with libseccomp (the library the project
 * uses for filters), natively and under umk: argument comparisons, ERRNO,
 * TRAP, KILL and a default action, the API level libseccomp probes, and
 * the program it generates, loaded through seccomp(2). */
/* link: -lseccomp */
#include "t.h"
#include <seccomp.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

static volatile int sys_sig, sys_nr;
static void on_sys(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	sys_sig = sig;
	sys_nr = si->si_syscall;
}

static void run(const char *name, void (*fn)(void))
{
	pid_t p = fork();
	if (!p) {
		fn();
		_exit(0);
	}
	int st;
	waitpid(p, &st, 0);
	if (WIFEXITED(st))
		printf("%s: exit %d\n", name, WEXITSTATUS(st));
	else
		printf("%s: killed by %s\n", name, sigabbrev_np(WTERMSIG(st)));
}

static void rules(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	OK("init", ctx != NULL);
	OK("uname errno", seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(uname), 0) == 0);
	OK("dup 99 errno", seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOTTY), SCMP_SYS(dup), 1,
					     SCMP_A0(SCMP_CMP_EQ, 99)) == 0);
	OK("lseek whence > 2", seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EDOM), SCMP_SYS(lseek), 1,
						 SCMP_A2(SCMP_CMP_GT, 2)) == 0);
	OK("kill masked", seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EXDEV), SCMP_SYS(kill), 1,
					    SCMP_A1(SCMP_CMP_MASKED_EQ, 0xff, 0x3f)) == 0);
	OK("getcwd trap", seccomp_rule_add(ctx, SCMP_ACT_TRAP, SCMP_SYS(getcwd), 0) == 0);
	OK("load", seccomp_load(ctx) == 0);
	struct utsname u;
	ERR("uname", uname(&u), EPERM);
	ERR("dup(99)", syscall(SYS_dup, 99), ENOTTY);
	ERR("dup(98) as usual", syscall(SYS_dup, 98), EBADF);
	ERR("dup(99 + 2^32): a 64-bit compare", syscall(SYS_dup, 99 + (1L << 32)), EBADF);
	ERR("lseek whence 3", lseek(0, 0, 3), EDOM);
	OK("lseek whence 0", lseek(0, 0, 0) == 0 || errno == ESPIPE);
	ERR("kill sig 0x13f & 0xff", syscall(SYS_kill, 0, 0x13f), EXDEV);
	struct sigaction sa = { .sa_sigaction = on_sys, .sa_flags = SA_SIGINFO };
	sigaction(SIGSYS, &sa, NULL);
	char buf[64];
	syscall(SYS_getcwd, buf, sizeof buf);
	printf("trap: sig %d nr %d\n", sys_sig, sys_nr);
	seccomp_release(ctx);
}

static void default_kill(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	const int ok[] = { SCMP_SYS(write), SCMP_SYS(exit_group), SCMP_SYS(getpid) };
	for (unsigned i = 0; i < sizeof ok / sizeof ok[0]; i++)
		seccomp_rule_add(ctx, SCMP_ACT_ALLOW, ok[i], 0);
	if (seccomp_load(ctx))
		_exit(2);
	printf("allowed write\n");
	syscall(SYS_getppid);   /* not allowed: the default action */
	printf("not reached\n");
}

int main(void)
{
	printf("api level >= 3: %d\n", seccomp_api_get() >= 3);
	printf("native arch x86_64: %d\n", seccomp_arch_native() == SCMP_ARCH_X86_64);
	run("rules", rules);
	run("default kill", default_kill);
	return t_done();
}
