/* seccomp.c - seccomp(2) with raw classic-BPF programs, natively and under
 * umk: the checker's verdicts on bad programs, strict mode, every filter
 * action (ERRNO, TRAP with its siginfo, KILL_PROCESS, KILL_THREAD, LOG,
 * TRACE with and without a tracer, USER_NOTIF with a supervisor that
 * answers, adds fds and lets calls continue), stacking (the most
 * restrictive action wins), inheritance by fork, survival of execve,
 * TSYNC, prctl and /proc/PID/status.  Each case runs in a child, since
 * a filter cannot be removed. */
#include "t.h"
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <linux/ptrace.h>

#define LD_NR BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr))
#define ON(nr, ret) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), BPF_STMT(BPF_RET | BPF_K, (ret))
#define ALLOW BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

static char *self_exe;

static long sc(unsigned op, unsigned flags, void *args)
{
	return syscall(SYS_seccomp, op, flags, args);
}

static long install(unsigned flags, struct sock_filter *f, unsigned short n)
{
	struct sock_fprog p = { n, f };
	return sc(SECCOMP_SET_MODE_FILTER, flags, &p);
}
#define INSTALL(flags, ...) ({ struct sock_filter f_[] = { __VA_ARGS__ }; \
	install(flags, f_, sizeof f_ / sizeof f_[0]); })

/* runs fn in a child; prints how it ended */
static void child(const char *name, void (*fn)(void))
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
	else if (WIFSIGNALED(st))
		printf("%s: killed by %s\n", name, sigabbrev_np(WTERMSIG(st)));
}

/* ---- the checker ---- */

static void bad_programs(void)
{
	struct sock_filter big[BPF_MAXINSNS + 1];
	for (int i = 0; i < BPF_MAXINSNS + 1; i++)
		big[i] = (struct sock_filter)ALLOW;
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	ERR("len 0", install(0, big, 0), EINVAL);
	ERR("len 4097", install(0, big, BPF_MAXINSNS + 1), EINVAL);
	OK("len 4096", install(0, big, BPF_MAXINSNS) == 0);
	ERR("byte load", INSTALL(0, BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0), ALLOW), EINVAL);
	ERR("indirect load", INSTALL(0, BPF_STMT(BPF_LD | BPF_W | BPF_IND, 0), ALLOW), EINVAL);
	ERR("load past seccomp_data", INSTALL(0, BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 64), ALLOW), EINVAL);
	ERR("unaligned load", INSTALL(0, BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 2), ALLOW), EINVAL);
	ERR("no ret at end", INSTALL(0, ALLOW, LD_NR), EINVAL);
	ERR("jump out", INSTALL(0, LD_NR, BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 5, 0), ALLOW), EINVAL);
	ERR("ja out", INSTALL(0, BPF_STMT(BPF_JMP | BPF_JA, 1), ALLOW), EINVAL);
	ERR("div by 0", INSTALL(0, BPF_STMT(BPF_ALU | BPF_DIV | BPF_K, 0), ALLOW), EINVAL);
	ERR("mod (socket filters only)", INSTALL(0, BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, 3), ALLOW), EINVAL);
	ERR("shift 32", INSTALL(0, BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 32), ALLOW), EINVAL);
	ERR("mem cell 16", INSTALL(0, BPF_STMT(BPF_ST, 16), ALLOW), EINVAL);
	ERR("read unwritten cell", INSTALL(0, BPF_STMT(BPF_LD | BPF_MEM, 3), ALLOW), EINVAL);
	ERR("cell written on one path", INSTALL(0, LD_NR,
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1), BPF_STMT(BPF_ST, 2),
		BPF_STMT(BPF_LD | BPF_MEM, 2), ALLOW), EINVAL);
	OK("cell written on both paths", INSTALL(0, LD_NR,
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 2), BPF_STMT(BPF_ST, 2), BPF_JUMP(BPF_JMP | BPF_JA, 1, 0, 0),
		BPF_STMT(BPF_ST, 2), BPF_STMT(BPF_LD | BPF_MEM, 2), ALLOW) == 0);
	ERR("unknown code", INSTALL(0, BPF_STMT(0xff, 0), ALLOW), EINVAL);
	ERR("bad flags", INSTALL(0x10000, ALLOW), EINVAL);
	ERR("prog efault", sc(SECCOMP_SET_MODE_FILTER, 0, (void *)8), EFAULT);
	struct sock_fprog p = { 1, (void *)8 };
	ERR("insns efault", sc(SECCOMP_SET_MODE_FILTER, 0, &p), EFAULT);
	ERR("strict with args", sc(SECCOMP_SET_MODE_STRICT, 0, (void *)1), EINVAL);
	ERR("strict after filter", sc(SECCOMP_SET_MODE_STRICT, 0, NULL), EINVAL);
	ERR("bad op", sc(77, 0, NULL), EINVAL);
	/* a length load is the size of seccomp_data */
	OK("len load", INSTALL(0, BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 64, 1, 0), BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		ALLOW) == 0);
	printf("getpid still works: %d\n", syscall(SYS_getpid) == getpid());
}

static void no_nnp(void)
{
	if (setuid(65534))
		_exit(3);
	ERR("filter without no_new_privs", INSTALL(0, ALLOW), EACCES);
	OK("nnp", prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 && prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1);
	OK("filter with no_new_privs", INSTALL(0, ALLOW) == 0);
}

static void actions_avail(void)
{
	uint32_t acts[] = { SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD, SECCOMP_RET_TRAP,
			    SECCOMP_RET_ERRNO, SECCOMP_RET_USER_NOTIF, SECCOMP_RET_TRACE,
			    SECCOMP_RET_LOG, SECCOMP_RET_ALLOW, 0x00010000, 0x7ff80000 };
	for (unsigned i = 0; i < sizeof acts / sizeof acts[0]; i++)
		RES("action avail", sc(SECCOMP_GET_ACTION_AVAIL, 0, &acts[i]));
	ERR("action avail flags", sc(SECCOMP_GET_ACTION_AVAIL, 1, &acts[0]), EINVAL);
	struct seccomp_notif_sizes sz;
	OK("notif sizes", sc(SECCOMP_GET_NOTIF_SIZES, 0, &sz) == 0 && sz.seccomp_notif == 80 &&
	   sz.seccomp_notif_resp == 24 && sz.seccomp_data == 64);
	ERR("notif sizes efault", sc(SECCOMP_GET_NOTIF_SIZES, 0, (void *)8), EFAULT);
}

/* ---- strict mode ---- */

static void strict(void)
{
	printf("prctl get before: %d\n", prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0))
		_exit(2);
	const char m[] = "write allowed in strict mode\n";
	syscall(SYS_write, 1, m, sizeof m - 1);
	syscall(SYS_getpid);     /* SIGKILL */
	syscall(SYS_write, 1, "not reached\n", 12);
}

/* ---- actions ---- */

static void errno_action(void)
{
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	OK("errno filter", INSTALL(0, LD_NR, ON(SYS_getpid, SECCOMP_RET_ERRNO | 13),
		ON(SYS_getuid, SECCOMP_RET_ERRNO | 5000), ON(SYS_getgid, SECCOMP_RET_ERRNO | 0), ALLOW) == 0);
	RES("getpid", syscall(SYS_getpid));
	errno = 0;
	long r = syscall(SYS_getuid);
	printf("getuid = %ld errno %d\n", r, errno);
	RES("getgid (errno 0)", syscall(SYS_getgid));
	RES("getppid allowed", syscall(SYS_getppid) == getppid());
	printf("prctl get: %d\n", prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "Seccomp", 7) || !strncmp(line, "NoNewPrivs", 10))
			fputs(line, stdout);
	if (f)
		fclose(f);
}

static volatile siginfo_t trap_si;
static volatile long trap_rax;
static void on_sys(int sig, siginfo_t *si, void *ucv)
{
	(void)sig;
	ucontext_t *uc = ucv;
	memcpy((void *)&trap_si, si, sizeof *si);
	trap_rax = uc->uc_mcontext.gregs[REG_RAX];
	uc->uc_mcontext.gregs[REG_RAX] = 777;   /* what the syscall "returns" */
}
extern char trap_site_end[];

static void trap_action(void)
{
	struct sigaction sa = { .sa_sigaction = on_sys, .sa_flags = SA_SIGINFO };
	sigaction(SIGSYS, &sa, NULL);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	INSTALL(0, LD_NR, ON(SYS_getpid, SECCOMP_RET_TRAP | 0x42), ALLOW);
	long r;
	__asm__ volatile("mov $39, %%eax\n syscall\ntrap_site_end:" : "=a"(r) : : "rcx", "r11", "memory");
	printf("trap: ret %ld signo %d code %d errno %#x syscall %d arch %#x call_addr ok %d rax %ld\n", r,
	       trap_si.si_signo, trap_si.si_code, trap_si.si_errno, trap_si.si_syscall, trap_si.si_arch,
	       trap_si.si_call_addr == trap_site_end, trap_rax);
	/* SIGSYS blocked: the trap is forced through, killing */
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGSYS);
	sigprocmask(SIG_BLOCK, &s, NULL);
	syscall(SYS_getpid);
	printf("not reached\n");
}

static void kill_process(void)
{
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	signal(SIGSYS, SIG_IGN);  /* no help */
	INSTALL(0, LD_NR, ON(SYS_getpid, SECCOMP_RET_KILL_PROCESS), ALLOW);
	syscall(SYS_getpid);
	printf("not reached\n");
}

static void odd_action(void)
{
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	INSTALL(0, LD_NR, ON(SYS_getpid, 0x00010000), ALLOW);   /* no such action: a kill */
	syscall(SYS_getpid);
	printf("not reached\n");
}

static void *kt_thread(void *a)
{
	(void)a;
	syscall(SYS_getpid);      /* this thread only dies */
	return (void *)1;
}

static void kill_thread(void)
{
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	INSTALL(0, LD_NR, ON(SYS_getpid, SECCOMP_RET_KILL_THREAD), ALLOW);
	pthread_t th;
	pthread_create(&th, NULL, kt_thread, NULL);
	sleep(1);
	printf("kill_thread: main thread goes on\n");
	_exit(5);
}

static void log_action(void)
{
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	INSTALL(0, LD_NR, ON(SYS_getpid, SECCOMP_RET_LOG), ALLOW);
	printf("log: getpid works %d\n", syscall(SYS_getpid) == getpid());
}

static void trace_no_tracer(void)
{
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	INSTALL(0, LD_NR, ON(SYS_getpid, SECCOMP_RET_TRACE | 7), ALLOW);
	ERR("trace without tracer", syscall(SYS_getpid), ENOSYS);
}

/* ---- stacking, fork, exec ---- */

static void stacked(void)
{
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	INSTALL(0, LD_NR, ON(SYS_getpid, SECCOMP_RET_ERRNO | 1), ON(SYS_getuid, SECCOMP_RET_ERRNO | 1),
		ON(SYS_getgid, SECCOMP_RET_ALLOW), ALLOW);
	INSTALL(0, LD_NR, ON(SYS_getpid, SECCOMP_RET_ERRNO | 2), ON(SYS_getuid, SECCOMP_RET_TRAP),
		ON(SYS_getgid, SECCOMP_RET_ERRNO | 3), ALLOW);
	signal(SIGSYS, SIG_IGN);
	RES("stacked getpid (newest of equals)", syscall(SYS_getpid));
	RES("stacked getgid (errno beats allow)", syscall(SYS_getgid));
	pid_t p = fork();
	if (!p) {
		RES("forked child getpid", syscall(SYS_getpid));
		execl(self_exe, self_exe, "seccomp-exec", NULL);
		_exit(9);
	}
	int st;
	waitpid(p, &st, 0);
	printf("exec child: exit %d\n", WEXITSTATUS(st));
	syscall(SYS_getuid);   /* TRAP beats ERRNO; SIGSYS is ignored: forced, it kills */
	printf("not reached\n");
}

/* ---- TSYNC ---- */

static volatile int go;
static void *ts_thread(void *a)
{
	(void)a;
	while (!go)
		usleep(1000);
	errno = 0;
	long r = syscall(SYS_getpid);
	printf("tsync thread getpid = %ld %s\n", r, r < 0 ? en(errno) : "");
	return NULL;
}

static void tsync(void)
{
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	pthread_t th;
	pthread_create(&th, NULL, ts_thread, NULL);
	OK("tsync", INSTALL(SECCOMP_FILTER_FLAG_TSYNC, LD_NR, ON(SYS_getpid, SECCOMP_RET_ERRNO | 11), ALLOW) == 0);
	go = 1;
	pthread_join(th, NULL);
}

static int ts_tid;
static void *ts_own(void *a)
{
	(void)a;
	ts_tid = gettid();
	INSTALL(0, LD_NR, ON(SYS_getuid, SECCOMP_RET_ERRNO | 1), ALLOW);
	while (!go)
		usleep(1000);
	return NULL;
}

static void tsync_fail(void)
{
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	pthread_t th;
	pthread_create(&th, NULL, ts_own, NULL);
	while (!ts_tid)
		usleep(1000);
	usleep(20000);
	long r = INSTALL(SECCOMP_FILTER_FLAG_TSYNC, ALLOW);
	printf("tsync with a diverged thread: %s\n", r == ts_tid ? "its tid" : "other");
	ERR("tsync esrch", INSTALL(SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH, ALLOW), ESRCH);
	go = 1;
	pthread_join(th, NULL);
}

/* ---- USER_NOTIF ---- */

static int send_fd(int sock, int fd)
{
	char c = 0;
	struct iovec iov = { &c, 1 };
	union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int))]; } u;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof u.b };
	u.h.cmsg_level = SOL_SOCKET;
	u.h.cmsg_type = SCM_RIGHTS;
	u.h.cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(&u.h), &fd, sizeof fd);
	return sendmsg(sock, &m, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char c;
	struct iovec iov = { &c, 1 };
	union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int))]; } u;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof u.b };
	if (recvmsg(sock, &m, 0) != 1)
		return -1;
	int fd;
	memcpy(&fd, CMSG_DATA(&u.h), sizeof fd);
	return fd;
}

/* the notified child's results, printed once the supervisor is done */
static char notes[1024];
#define NOTE(name, expr) do { errno = 0; long r_ = (long)(expr); size_t l_ = strlen(notes); \
	snprintf(notes + l_, sizeof notes - l_, "%s = %ld%s%s\n", name, r_, r_ == -1 ? " " : "", \
		 r_ == -1 ? en(errno) : ""); } while (0)

static void user_notif(void)
{
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pid_t p = fork();
	if (!p) {
		close(sv[0]);
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		int lfd = INSTALL(SECCOMP_FILTER_FLAG_NEW_LISTENER, LD_NR,
				  ON(SYS_getppid, SECCOMP_RET_USER_NOTIF), ON(SYS_getuid, SECCOMP_RET_USER_NOTIF),
				  ON(SYS_getgid, SECCOMP_RET_USER_NOTIF), ON(SYS_dup, SECCOMP_RET_USER_NOTIF),
				  ON(SYS_getegid, SECCOMP_RET_USER_NOTIF), ALLOW);
		NOTE("listener fd ok", lfd > 2 && (fcntl(lfd, F_GETFD) & FD_CLOEXEC));
		NOTE("second listener", INSTALL(SECCOMP_FILTER_FLAG_NEW_LISTENER, ALLOW));
		send_fd(sv[1], lfd);
		close(lfd);
		NOTE("getppid answered", syscall(SYS_getppid));
		NOTE("getuid answered with error", syscall(SYS_getuid));
		NOTE("getgid continued", syscall(SYS_getgid));
		long fd = syscall(SYS_dup, 0);   /* the supervisor installs a pipe end */
		char buf[16] = "";
		NOTE("dup answered with an added fd: read", read((int)fd, buf, sizeof buf - 1));
		NOTE(buf, 0);
		char c;
		if (read(sv[1], &c, 1) != 1)   /* the supervisor closes its listener */
			_exit(4);
		NOTE("after the listener closed", syscall(SYS_getegid));
		fputs(notes, stdout);
		_exit(0);
	}
	close(sv[1]);
	int lfd = recv_fd(sv[0]);
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	int pfd[2];
	pipe(pfd);
	write(pfd[1], "from supervisor", 15);
	close(pfd[1]);
	for (int i = 0; i < 4; i++) {   /* getppid, getuid, getgid, dup */
		struct pollfd pf = { lfd, POLLIN, 0 };
		poll(&pf, 1, 5000);
		printf("poll: in %d\n", !!(pf.revents & POLLIN));
		memset(&req, 0xff, sizeof req);
		ERR("recv not zeroed", ioctl(lfd, SECCOMP_IOCTL_NOTIF_RECV, &req), EINVAL);
		memset(&req, 0, sizeof req);
		if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_RECV, &req)) {
			printf("FAIL recv %s\n", en(errno));
			t_failed++;
			break;
		}
		printf("notification: nr %d arch %#x pid ok %d\n", req.data.nr, req.data.arch, req.pid == (uint32_t)p);
		OK("id valid", ioctl(lfd, SECCOMP_IOCTL_NOTIF_ID_VALID, &req.id) == 0);
		uint64_t bogus = req.id + 1000;
		ERR("id not valid", ioctl(lfd, SECCOMP_IOCTL_NOTIF_ID_VALID, &bogus), ENOENT);
		memset(&resp, 0, sizeof resp);
		resp.id = bogus;
		ERR("send bogus id", ioctl(lfd, SECCOMP_IOCTL_NOTIF_SEND, &resp), ENOENT);
		resp.id = req.id;
		resp.flags = 8;
		ERR("send bad flags", ioctl(lfd, SECCOMP_IOCTL_NOTIF_SEND, &resp), EINVAL);
		resp.flags = 0;
		if (req.data.nr == SYS_getppid) {
			resp.val = 4242;
		} else if (req.data.nr == SYS_getuid) {
			resp.error = -EROFS;
		} else if (req.data.nr == SYS_getgid) {
			resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
			resp.val = 1;
			ERR("continue with a value", ioctl(lfd, SECCOMP_IOCTL_NOTIF_SEND, &resp), EINVAL);
			resp.val = 0;
		} else if (req.data.nr == SYS_dup) {
			struct seccomp_notif_addfd af = { .id = req.id, .flags = SECCOMP_ADDFD_FLAG_SEND,
							  .srcfd = (uint32_t)pfd[0] };
			af.newfd_flags = 1;
			ERR("addfd bad newfd_flags", ioctl(lfd, SECCOMP_IOCTL_NOTIF_ADDFD, &af), EINVAL);
			af.newfd_flags = 0;
			af.srcfd = 999;
			ERR("addfd bad srcfd", ioctl(lfd, SECCOMP_IOCTL_NOTIF_ADDFD, &af), EBADF);
			af.srcfd = (uint32_t)pfd[0];
			long fd = ioctl(lfd, SECCOMP_IOCTL_NOTIF_ADDFD, &af);
			printf("addfd+send: ok %d\n", fd > 2);
			continue;
		}
		OK("send", ioctl(lfd, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0);
	}
	close(lfd);
	write(sv[0], "x", 1);
	int st;
	waitpid(p, &st, 0);
	printf("notified child: exit %d\n", WEXITSTATUS(st));
}

/* ---- TRACE with a tracer ---- */

static void trace_action(void)
{
	pid_t p = fork();
	if (!p) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		INSTALL(0, LD_NR, ON(SYS_getpid, SECCOMP_RET_TRACE | 0x42), ON(SYS_getuid, SECCOMP_RET_TRACE | 1), ALLOW);
		long a = syscall(SYS_getpid);     /* the tracer turns it into getppid */
		errno = 0;
		long b = syscall(SYS_getuid);     /* skipped by the tracer: ENOSYS... unless set */
		_exit((a == getppid()) + 2 * (b == 99));
	}
	int st;
	waitpid(p, &st, 0);
	ptrace(PTRACE_SETOPTIONS, p, 0, PTRACE_O_TRACESECCOMP);
	ptrace(PTRACE_CONT, p, 0, 0);
	for (int i = 0; i < 2; i++) {
		waitpid(p, &st, 0);
		unsigned long msg = 0;
		ptrace(PTRACE_GETEVENTMSG, p, 0, &msg);
		struct ptrace_syscall_info info;
		long n = ptrace(PTRACE_GET_SYSCALL_INFO, p, sizeof info, &info);
		struct user_regs_struct r;
		ptrace(PTRACE_GETREGS, p, 0, &r);
		printf("seccomp stop: event %d msg %#lx info op %d size %ld nr %lld data %#x rax %lld\n", st >> 16, msg,
		       info.op, n, (long long)info.seccomp.nr, info.seccomp.ret_data, (long long)r.rax);
		if (i == 0) {
			unsigned short len = (unsigned short)ptrace(PTRACE_SECCOMP_GET_FILTER, p, 0, NULL);
			printf("get_filter: %u insns\n", len);
			r.orig_rax = SYS_getppid;
		} else {
			r.orig_rax = -1;
			r.rax = 99;
		}
		ptrace(PTRACE_SETREGS, p, 0, &r);
		ptrace(PTRACE_CONT, p, 0, 0);
	}
	waitpid(p, &st, 0);
	printf("traced child: exit %d\n", WEXITSTATUS(st));
}

int main(int argc, char **argv)
{
	self_exe = argv[0];
	if (argc > 1 && !strcmp(argv[1], "seccomp-exec")) {
		RES("exec child getpid", syscall(SYS_getpid));
		return 6;
	}
	child("bad programs", bad_programs);
	child("no nnp", no_nnp);
	child("actions avail", actions_avail);
	child("strict", strict);
	child("errno", errno_action);
	child("trap", trap_action);
	child("kill process", kill_process);
	child("odd action", odd_action);
	child("kill thread", kill_thread);
	child("log", log_action);
	child("trace without tracer", trace_no_tracer);
	child("stacked", stacked);
	child("tsync", tsync);
	child("tsync fail", tsync_fail);
	child("user notif", user_notif);
	child("trace", trace_action);
	return t_done();
}
