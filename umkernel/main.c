/*
 * main.c - umk's command line, boot and shutdown.
 *
 *   umk run [OPTIONS] [--] PROGRAM [ARGS...]    run a guest
 *   umk ctl SOCKET COMMAND [ARGS...]             ask a running umk (--control)
 *   umk syscalls                                 the compatibility table
 *
 * Boot: choose the platform, mount the root (a confined host directory,
 * under an in-memory overlay unless --rw), /dev and /proc, then start the
 * first guest process as pid 1 and wait for the guest to finish.  Host
 * terminal signals (SIGINT, SIGTERM, ...) are forwarded to the guest's
 * foreground process group.  umk's exit status is the guest's, or 128+N
 * if it died of signal N.
 */
#include "kernel.h"
#include "kernel/task.h"
#include "fs/fs.h"
#include "ipc/ipc.h"
#include "debug/debug.h"
#include "fs/tmpfs.h"
#include "mm/mm.h"
#include "net/net.h"
#include "cgroup/cgroup.h"
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define UMK_VERSION "0.1.0"

/* The command line. */
struct umk_config {
	const char *rootfs;
	const char *platform;
	const char *stub_addr;      /* --stub-addr, else UMK_STUB_ADDR */
	bool rw;
	bool verbose;
	const char *strace_path;
	const char *control;          /* debugging: debug/debug.h */
	const char *stats_path;
	bool stats;
	const char *oops_log;
	const char *oops_mode;
	const char *debug_oops;
	bool crash_backtrace;
	bool gdb;
	const char *hostname;
	const char *cwd;
	char **env;
	int nenv;
	bool env_clear;               /* --env-clear: the defaults alone, no host variables */
	const char *log_path;         /* --log=FILE: umk's log */
	char **argv;
	const char *tmpfs_size, *memory;   /* --tmpfs-size, --memory */
};
static struct umk_config cfg;

/*
 * parse_size - SIZE of --tmpfs-size and --memory, as tmpfs's size=: bytes
 * with an optional k, m, g or t suffix (powers of 1024), or N% of the
 * host's RAM.  0 on success, -1 for anything else (or a size below one
 * page).
 */
static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return -1;
	uint64_t ram = (uint64_t)sysconf(_SC_PHYS_PAGES) * (uint64_t)sysconf(_SC_PAGESIZE);
	int shift = 0;
	switch (*end) {
	case 0: break;
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	case '%':
		if (end[1] || v == 0 || v > 100)
			return -1;
		*out = ram / 100 * v;
		return 0;
	default: return -1;
	}
	if (*end || (shift && v > (UINT64_MAX >> shift)) || (v << shift) < 4096)
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

#ifdef __SANITIZE_ADDRESS__
/* make asan: no LeakSanitizer at exit (umk frees lazily at exit, and an
 * umk nested in a guest, started with --env-clear, cannot ptrace itself
 * as LSan would); ASAN_OPTIONS still overrides.  Leaks are measured by
 * tests/run-limits-tests.sh instead. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0:allow_user_segv_handler=1";   /* umk's oops handler stays */
}
#endif

static void usage(FILE *o)
{
	fprintf(o,
		"usage: umk run [OPTIONS] [--] PROGRAM [ARGS...]\n"
		"       umk ctl SOCKET COMMAND [ARGS...] [--json]\n"
		"       umk syscalls\n"
		"       umk campaign PLAN [-o DIR] [-j N] [--emit-jobs FILE [--slurm]]\n"
		"       umk campaign report DIR...\n"
		"\n"
		"Runs PROGRAM, an unmodified x86-64 Linux binary, on umk, a user-mode\n"
		"Linux kernel, as pid 1 of a guest with its own root filesystem.\n"
		"\n"
		"options:\n"
		"  --rootfs DIR       guest root (default: the busybox root built with umk)\n"
		"  --platform NAME    how guest syscalls are caught: seccomp (default where the\n"
		"                     host allows it) or ptrace\n"
		"  --stub-addr ADDR   where the stubs' 22 MiB region goes (default: the top of\n"
		"                     user space, or ending 10 MiB below the region of an umk\n"
		"                     that runs this one; also UMK_STUB_ADDR)\n"
		"  --rw               write to DIR itself (default: an in-memory overlay)\n"
		"  --strace[=FILE]    one line per guest syscall, to stderr or FILE\n"
		"  --hostname NAME    the guest's hostname (default: umk)\n"
		"  --cwd DIR          the first process's working directory (default: /)\n"
		"  --tmpfs-size=SIZE  what each tmpfs and the overlay's upper layer may hold\n"
		"                     (default 50%%: half the host's RAM; k/m/g/t or N%%)\n"
		"  --memory=SIZE      the guest's committed memory, as Linux's strict\n"
		"                     overcommit counts it (default: no limit)\n"
		"  --net MODE         private (default: the guest's own loopback; other\n"
		"                     destinations through umk's host sockets, 10.0.2.2 being\n"
		"                     the host's 127.0.0.1), host (the guest's sockets are\n"
		"                     host sockets) or none (its own loopback only)\n"
		"  -p, --publish [HOSTIP:]HOSTPORT:GUESTPORT[/udp]\n"
		"                     forward HOSTIP (default 127.0.0.1):HOSTPORT on the host to\n"
		"                     the guest's GUESTPORT (private mode; repeatable)\n"
		"  -e VAR=VALUE       add to the guest environment (repeatable); the guest gets\n"
		"                     PATH, HOME=/root, TERM=linux, then the host's TERM,\n"
		"                     COLORTERM, LANG, LANGUAGE, LC_* and TZ, then these\n"
		"  --env-clear        no host variables: the defaults and -e only\n"
		"  --log=FILE         umk's log (unimplemented syscalls...); stderr with -v\n"
		"  --inject=SPEC      make syscalls fail, return a value, raise a signal or\n"
		"                     wait (strace's -e inject= syntax; repeatable):\n"
		"                     SET:error=ERRNO|retval=N[:signal=SIG][:delay_enter=D]\n"
		"                     [:delay_exit=D][:when=FIRST[..LAST][+[STEP]]]\n"
		"                     [:probability=P][:interval=N][:times=N][:task=COMM|PID]\n"
		"                     [:path=GLOB][:fail_nth=N]\n"
		"  --inject-mem=REGION[:bits=N][:at=TRIGGER][:task=COMM|PID]\n"
		"                     flip bits in guest memory: heap, stack, text, data,\n"
		"                     anon, file=GLOB or 0xSTART-0xEND\n"
		"  --inject-reg=REG[:bit=B][:at=TRIGGER][:task=COMM|PID]\n"
		"                     flip a bit of rax..r15, rip, rsp, rflags or xmm0..15;\n"
		"                     TRIGGER: syscall=N, time=T or every=T\n"
		"  --inject-io=GLOB[:op=read,write,fsync,open][:fault=eio|enospc|short|corrupt|\n"
		"                     delay=T][:when=...][:probability=P]...  failing files\n"
		"  --inject-net=[PORT|HOST:PORT]:fault=refuse|reset|drop|delay=T|corrupt|short\n"
		"                     [:op=connect,send,recv][:when=...]...  a failing network\n"
		"  --seed=N           the seed of every random choice of fault injection\n"
		"  --fault-log=FILE   one JSON object per injected fault\n"
		"  --replay=FILE      inject the faults of an earlier --fault-log again\n"
		"debugging:\n"
		"  --control=SOCKET   answer 'umk ctl SOCKET COMMAND' there (ps, task, fds, maps,\n"
		"                     mounts, stack, kstack, stats, trace, freeze, thaw)\n"
		"  --syscall-stats[=FILE]  strace -c's table of the guest's syscalls at exit\n"
		"  --oops=exit|freeze when umk faults: report, kill the stubs and exit 70\n"
		"                     (default), or report and wait for 'gdb -p'\n"
		"  --oops-log=FILE    also append oops reports to FILE\n"
		"  --debug-oops=SYSCALL  make that syscall's handler fault (tests the oops path)\n"
		"  --crash-backtrace  a guest killed by a signal: its symbolised backtrace\n"
		"  --gdb              run this umk under gdb with the umk-gdb.py helpers\n"
		"  -v, --verbose      say what umk is doing\n"
		"  -h, --help         this text\n"
		"  -V, --version      umk's version\n");
}

static void print_syscalls(void)
{
	static const char *st[] = { "none", "full", "partial", "errno" };
	int counts[4] = { 0 };
	printf("%-4s %-24s %-8s %s\n", "nr", "name", "status", "note");
	for (int i = 0; i < SYSCALL_NR_MAX; i++) {
		const struct syscall_desc *d = &syscall_table[i];
		if (!d->name)
			continue;
		counts[d->status]++;
		if (d->status == SYS_ERRNO) {
			const char *en = strerrorname_np(d->err);
			printf("%-4d %-24s %-8s %s: %s\n", i, d->name, en ? en : "errno", d->note,
			       strerror(d->err));
		} else {
			printf("%-4d %-24s %-8s %s\n", i, d->name, st[d->status], d->note);
		}
	}
	printf("\n%d full, %d partial, %d fixed errno, %d not implemented (ENOSYS)\n", counts[1],
	       counts[2], counts[3], counts[0]);
}

/*
 * guest_environment - the first process's environment: PATH, HOME=/root
 * and TERM=linux; then, unless clear, the host's TERM, COLORTERM, LANG,
 * LANGUAGE, LC_* and TZ (what sudo's env_keep passes: how the terminal
 * and the user's locale and time zone are described); then the -e
 * assignments.  A later assignment replaces an earlier one of the same
 * name.  NULL if out of memory.
 */
static char **guest_environment(char **host, bool clear, char **extra, int nextra)
{
	static const char *const defaults[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root",
		"TERM=linux",
	};
	static const char *const keep[] = { "TERM", "COLORTERM", "LANG", "LANGUAGE", "TZ" };
	int nhost = 0;
	for (char **e = host; e && *e; e++)
		nhost++;
	char **env = calloc(ARRAY_SIZE(defaults) + nhost + nextra + 1, sizeof *env);
	int n = 0;
	if (!env)
		return NULL;
	/* set: add or replace VAR=VALUE */
	#define ENV_SET(v) do {                                                         \
		const char *v_ = (v);                                                   \
		size_t kl_ = strcspn(v_, "=") + 1;                                      \
		int i_;                                                                 \
		for (i_ = 0; i_ < n && strncmp(env[i_], v_, kl_); i_++)                 \
			;                                                               \
		env[i_] = (char *)v_;                                                   \
		if (i_ == n)                                                            \
			n++;                                                            \
	} while (0)
	for (size_t i = 0; i < ARRAY_SIZE(defaults); i++)
		ENV_SET(defaults[i]);
	for (char **e = host; !clear && e && *e; e++) {
		size_t kl = strcspn(*e, "=");
		bool kept = !strncmp(*e, "LC_", 3) && (*e)[kl] == '=';
		for (size_t i = 0; i < ARRAY_SIZE(keep) && !kept; i++)
			kept = kl == strlen(keep[i]) && !strncmp(*e, keep[i], kl) && (*e)[kl] == '=';
		if (kept)
			ENV_SET(*e);
	}
	for (int j = 0; j < nextra; j++)
		ENV_SET(extra[j]);
	#undef ENV_SET
	env[n] = NULL;
	return env;
}

static char *default_rootfs(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n < 0)
		return NULL;
	exe[n] = 0;
	char *dir = dirname(exe);
	char *r = malloc(PATH_MAX);
	snprintf(r, PATH_MAX, "%s/rootfs", dir);
	return r;
}

static int forward_signals(void)
{
	sigset_t set;
	sigemptyset(&set);
	int fwd[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH, SIGUSR1 };
	for (size_t i = 0; i < ARRAY_SIZE(fwd); i++)
		sigaddset(&set, fwd[i]);
	return pthread_sigmask(SIG_BLOCK, &set, NULL);
}

static void *signal_forwarder(void *arg)
{
	(void)arg;
	sigset_t set;
	pthread_sigmask(SIG_BLOCK, NULL, &set);
	for (;;) {
		int sig;
		sigset_t w;
		sigemptyset(&w);
		int fwd[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH, SIGUSR1 };
		for (size_t i = 0; i < ARRAY_SIZE(fwd); i++)
			sigaddset(&w, fwd[i]);
		if (sigwait(&w, &sig))
			continue;
		pthread_mutex_lock(&klock);
		if (init_task && init_task->tg) {
			int pg = init_task->tg->tty_fg_pgrp ? init_task->tg->tty_fg_pgrp : init_task->tg->pgid;
			if (kill_pid_info(init_task, -pg, sig) == -ESRCH)
				send_signal(init_task, sig, NULL, true);
		}
		pthread_mutex_unlock(&klock);
	}
	return NULL;
}

/*
 * --gdb: runs this same command line, without --gdb, under gdb, with
 * umk-gdb.py (next to the binary) loaded and the signals umk meets in
 * normal work (SIGCHLD, SIGPIPE, SIGUSR2: the seccomp kick, ignored)
 * passed to it silently.  UMK_GDB names another gdb.
 */
static int run_under_gdb(int argc, char **argv)
{
	char exe[PATH_MAX], script[PATH_MAX + 16];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n < 0) {
		fprintf(stderr, "umk: --gdb: cannot find umk's binary: %s\n", strerror(errno));
		return 1;
	}
	exe[n] = 0;
	snprintf(script, sizeof script, "%s", exe);
	char *slash = strrchr(script, '/');
	strcpy(slash ? slash + 1 : script, "umk-gdb.py");
	const char *gdb = getenv("UMK_GDB") ? getenv("UMK_GDB") : "gdb";
	char **av = calloc(argc + 32, sizeof *av);
	int k = 0;
	av[k++] = (char *)gdb;
	av[k++] = "-q";
	av[k++] = "-ex";
	av[k++] = "set startup-with-shell off";
	av[k++] = "-ex";
	av[k++] = "set print inferior-events off";
	av[k++] = "-ex";
	av[k++] = "set detach-on-fork on";
	av[k++] = "-ex";
	av[k++] = "handle SIGCHLD SIGPIPE SIGUSR2 nostop noprint pass";
	static char safe[sizeof script + 32];
	if (access(script, R_OK) == 0) {
		/* gdb loads umk-gdb.py itself with umk's symbols (the
		 * OBJFILE-gdb.py convention) once it is allowed to */
		snprintf(safe, sizeof safe, "add-auto-load-safe-path %s", script);
		av[k++] = "-iex";
		av[k++] = safe;
	} else {
		fprintf(stderr, "umk: --gdb: %s missing: the umk-* commands are not loaded\n", script);
	}
	av[k++] = "--args";
	av[k++] = exe;
	av[k++] = "run";
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--gdb") || argv + i >= cfg.argv)
			av[k++] = argv[i];
	av[k] = NULL;
	execvp(gdb, av);
	fprintf(stderr, "umk: --gdb: %s: %s\n", gdb, strerror(errno));
	return 127;
}

static int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rootfs", required_argument, 0, 'r' },
		{ "platform", required_argument, 0, 'P' },
		{ "stub-addr", required_argument, 0, 'A' },
		{ "rw", no_argument, 0, 'w' },
		{ "strace", optional_argument, 0, 's' },
		{ "hostname", required_argument, 0, 'H' },
		{ "cwd", required_argument, 0, 'c' },
		{ "tmpfs-size", required_argument, 0, 'T' },
		{ "memory", required_argument, 0, 'M' },
		{ "net", required_argument, 0, 'N' },
		{ "publish", required_argument, 0, 'p' },
		{ "env-clear", no_argument, 0, 'E' },
		{ "log", required_argument, 0, 'L' },
		/* debugging (debug/debug.h) */
		{ "control", required_argument, 0, 'C' },
		{ "syscall-stats", optional_argument, 0, 'S' },
		{ "oops", required_argument, 0, 'O' },
		{ "oops-log", required_argument, 0, 1200 },
		{ "debug-oops", required_argument, 0, 'D' },
		{ "crash-backtrace", no_argument, 0, 'B' },
		{ "gdb", no_argument, 0, 'G' },
		{ "verbose", no_argument, 0, 'v' },
		{ "help", no_argument, 0, 'h' },
		{ "version", no_argument, 0, 'V' },
		/* fault injection (debug/fault.h) */
		{ "inject", required_argument, 0, 1000 + FOPT_INJECT },
		{ "inject-mem", required_argument, 0, 1000 + FOPT_MEM },
		{ "inject-reg", required_argument, 0, 1000 + FOPT_REG },
		{ "inject-io", required_argument, 0, 1000 + FOPT_IO },
		{ "inject-net", required_argument, 0, 1000 + FOPT_NET },
		{ "seed", required_argument, 0, 1100 },
		{ "fault-log", required_argument, 0, 1101 },
		{ "replay", required_argument, 0, 1102 },
		{ 0, 0, 0, 0 },
	};
	char ferr[512];
	cfg.env = calloc(argc + 8, sizeof *cfg.env);
	int c;
	bool strace = false;
	optind = 1;
	opterr = 0; /* one line of our own instead of getopt's */
	char nerr[160];
	while ((c = getopt_long(argc, argv, "+:e:p:vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'r': cfg.rootfs = optarg; break;
		case 'P': cfg.platform = optarg; break;
		case 'A': cfg.stub_addr = optarg; break;
		case 'N':
			if (!strcmp(optarg, "private"))
				net_mode = NET_PRIVATE;
			else if (!strcmp(optarg, "host"))
				net_mode = NET_HOST;
			else if (!strcmp(optarg, "none"))
				net_mode = NET_NONE;
			else {
				fprintf(stderr, "umk: --net %s: expected private, host or none\n", optarg);
				return 2;
			}
			break;
		case 'p':
			if (net_add_forward(optarg, nerr, sizeof nerr)) {
				fprintf(stderr, "umk: %s\n", nerr);
				return 2;
			}
			break;
		case 'w': cfg.rw = true; break;
		case 's': strace = true; cfg.strace_path = optarg; break;
		case 'H': cfg.hostname = optarg; break;
		case 'c': cfg.cwd = optarg; break;
		case 'T': cfg.tmpfs_size = optarg; break;
		case 'M': cfg.memory = optarg; break;
		case 'E': cfg.env_clear = true; break;
		case 'L': cfg.log_path = optarg; break;
		case 'C': cfg.control = optarg; break;
		case 'S': cfg.stats = true; cfg.stats_path = optarg; break;
		case 'O': cfg.oops_mode = optarg; break;
		case 1200: cfg.oops_log = optarg; break;
		case 'D': cfg.debug_oops = optarg; break;
		case 'B': cfg.crash_backtrace = true; break;
		case 'G': cfg.gdb = true; break;
		case 'v': cfg.verbose = true; umk_verbose = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("umk %s\n", UMK_VERSION); return 0;
		case 'e':
			if (!strchr(optarg, '=')) {
				fprintf(stderr, "umk: -e %s: expected VAR=VALUE\n", optarg);
				return 2;
			}
			cfg.env[cfg.nenv++] = optarg;
			break;
		case 1000 + FOPT_INJECT:
		case 1000 + FOPT_MEM:
		case 1000 + FOPT_REG:
		case 1000 + FOPT_IO:
		case 1000 + FOPT_NET:
			if (fault_add(c - 1000, optarg, ferr, sizeof ferr)) {
				static const char *const names[] = { "inject", "inject-mem", "inject-reg",
								     "inject-io", "inject-net" };
				fprintf(stderr, "umk: --%s=%s: %s\n", names[c - 1000], optarg, ferr);
				return 2;
			}
			break;
		case 1100:
		case 1101:
		case 1102:
			if ((c == 1100 ? fault_set_seed : c == 1101 ? fault_set_log : fault_set_replay)(
				    optarg, ferr, sizeof ferr)) {
				fprintf(stderr, "umk: --%s=%s: %s\n",
					c == 1100 ? "seed" : c == 1101 ? "fault-log" : "replay", optarg, ferr);
				return 2;
			}
			break;
		case ':':
			fprintf(stderr, "umk: run: option '%s' needs an argument (try 'umk run --help')\n",
				argv[optind - 1]);
			return 2;
		default:
			fprintf(stderr, "umk: run: unknown option '%s' (try 'umk run --help')\n",
				argv[optind - 1]);
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "umk: run: no program given (try 'umk run --help')\n");
		return 2;
	}
	cfg.argv = argv + optind;
	uint64_t size;
	if (parse_size(cfg.tmpfs_size ? cfg.tmpfs_size : "50%", &size)) {
		fprintf(stderr, "umk: --tmpfs-size=%s: expected a size (4096 or more; k, m, g, t or N%%)\n",
			cfg.tmpfs_size);
		return 2;
	}
	tmpfs_size_limit = size;
	if (cfg.memory) {
		if (parse_size(cfg.memory, &size)) {
			fprintf(stderr, "umk: --memory=%s: expected a size (4096 or more; k, m, g, t or N%%)\n",
				cfg.memory);
			return 2;
		}
		vm_commit_limit = size;
	}
	vm_commit_init();   /* admin_reserve_kbytes, user_reserve_kbytes of the RAM */
	if (cfg.gdb)
		return run_under_gdb(argc, argv);
	if (cfg.oops_mode && strcmp(cfg.oops_mode, "exit") && strcmp(cfg.oops_mode, "freeze")) {
		fprintf(stderr, "umk: --oops=%s: expected exit or freeze\n", cfg.oops_mode);
		return 2;
	}
	if (cfg.debug_oops && debug_oops_set(cfg.debug_oops)) {
		fprintf(stderr, "umk: --debug-oops=%s: no implemented syscall of that name\n",
			cfg.debug_oops);
		return 2;
	}
	FILE *oops_log = NULL;
	if (cfg.oops_log && !(oops_log = fopen(cfg.oops_log, "ae"))) {
		fprintf(stderr, "umk: --oops-log=%s: %s\n", cfg.oops_log, strerror(errno));
		return 2;
	}
	FILE *stats_out = NULL;
	if (cfg.stats_path && !(stats_out = fopen(cfg.stats_path, "we"))) {
		fprintf(stderr, "umk: --syscall-stats=%s: %s\n", cfg.stats_path, strerror(errno));
		return 2;
	}
	crash_backtrace = cfg.crash_backtrace;

	if (cfg.platform && platform_select(cfg.platform)) {
		fprintf(stderr, "umk: unknown platform '%s' (available: ptrace, seccomp)\n", cfg.platform);
		return 2;
	}
	char *root = cfg.rootfs ? realpath(cfg.rootfs, NULL) : NULL;
	if (!cfg.rootfs) {
		char *def = default_rootfs();
		root = def ? realpath(def, NULL) : NULL;
		if (!root) {
			fprintf(stderr, "umk: default root %s missing: run 'make' or pass --rootfs DIR\n",
				def ? def : "rootfs");
			free(def);
			return 2;
		}
		free(def);
	}
	struct stat st;
	if (!root || stat(root, &st) || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "umk: rootfs %s: %s\n", cfg.rootfs,
			root ? "not a directory" : strerror(errno));
		return 2;
	}
	if (cfg.hostname)
		snprintf(guest_hostname, sizeof guest_hostname, "%s", cfg.hostname);
	if (cfg.log_path) {
		umk_log_file = fopen(cfg.log_path, "ae");
		if (!umk_log_file) {
			fprintf(stderr, "umk: --log=%s: %s\n", cfg.log_path, strerror(errno));
			return 2;
		}
	}
	if (strace) {
		if (cfg.strace_path) {
			FILE *f = fopen(cfg.strace_path, "we");
			if (!f) {
				fprintf(stderr, "umk: --strace=%s: %s\n", cfg.strace_path, strerror(errno));
				return 2;
			}
			strace_set_file(f);
		} else {
			strace_set_file(stderr);
		}
	}

	/* The stubs' region: asked for, the default, or below the region of
	 * an umk that runs this one (nesting). */
	const char *stub_addr = cfg.stub_addr ? cfg.stub_addr : getenv("UMK_STUB_ADDR");
	if (platform_stub_place(stub_addr)) {
		fprintf(stderr, "umk: stub address %s: not a free, 2 MiB aligned user address above 4 GiB\n",
			stub_addr ? stub_addr : "(default)");
		return 2;
	}

	/* Default: seccomp where the host allows it, else ptrace. */
	int err;
	if (!cfg.platform) {
		platform_select("seccomp");
		err = platform->init();
		if (err) {
			if (cfg.verbose)
				umk_log("platform seccomp unavailable (%s): using ptrace", strerror(-err));
			platform_select("ptrace");
			err = platform->init();
		}
	} else {
		err = platform->init();
	}
	if (err) {
		fprintf(stderr, "umk: platform %s unavailable: %s\n", platform->name, strerror(-err));
		return 1;
	}
	if (cfg.verbose)
		umk_log("platform %s, root %s%s", platform->name, root, cfg.rw ? " (read-write)" : " (overlay)");

	for (int i = 0; i < LINUX_RLIM_NLIMITS; i++) {
		struct rlimit r;
		if (getrlimit(i, &r))
			r.rlim_cur = r.rlim_max = RLIM_INFINITY;
		host_rlimits[i].rlim_cur = r.rlim_cur;
		host_rlimits[i].rlim_max = r.rlim_max;
	}
	/* Every in-memory file is a memfd: let the kernel hold many. */
	struct rlimit nofile;
	if (!getrlimit(RLIMIT_NOFILE, &nofile)) {
		/* where allowed (CAP_SYS_RESOURCE), room for umk's own fds above
		 * the guest's whole RLIMIT_NOFILE, so that a guest reaching its
		 * limit gets EMFILE as on Linux, not ENFILE from the budget */
		struct rlimit more = nofile;
		if (more.rlim_max != RLIM_INFINITY && more.rlim_max < (1u << 30)) {
			more.rlim_max += more.rlim_max / 4 + 256;   /* the budget keeps an eighth */
			more.rlim_cur = more.rlim_max;
			if (!setrlimit(RLIMIT_NOFILE, &more))
				nofile = more;
		}
		nofile.rlim_cur = nofile.rlim_max;
		setrlimit(RLIMIT_NOFILE, &nofile);
		getrlimit(RLIMIT_NOFILE, &nofile);
		/* a guest's files stay below the budget; the rest (an eighth,
		 * 64 at least) is umk's own: tasks, stubs, forks (file.c) */
		uint64_t cur = nofile.rlim_cur > (1u << 30) ? (1u << 30) : nofile.rlim_cur;
		uint64_t keep = cur / 8 > 64 ? cur / 8 : 64;
		host_fd_budget = cur > keep ? (int)(cur - keep) : 0;
		/* where umk could not make room, the guest's RLIMIT_NOFILE
		 * stops below the budget, less the low fds umk holds itself
		 * (its root, each task's stub and eventfd: a margin), so that
		 * a guest filling its fd table gets EMFILE as on Linux */
		uint64_t margin = 256 + host_fd_budget / 32;
		uint64_t room = (uint64_t)host_fd_budget > 2 * margin ? host_fd_budget - margin : 64;
		if (host_rlimits[RLIMIT_NOFILE].rlim_max > room)
			host_rlimits[RLIMIT_NOFILE].rlim_max = room;
		if (host_rlimits[RLIMIT_NOFILE].rlim_cur > room)
			host_rlimits[RLIMIT_NOFILE].rlim_cur = room;
	}
	umask(0); /* guest modes are applied by the kernel, not the host umask */
	fs_register_builtin();   /* the types mount(2) knows (fs/namespace.c) */
	mqueue_register();       /* and ipc/'s mqueue */
	ext2_register();         /* ext2/3/4 on loop devices (fs/ext2.c) */
	cgroup_register();       /* cgroup2 (cgroup/cgroup.c) */
	err = hostfs_mount("/", root, !cfg.rw);
	if (!err)
		err = vfs_mount("/dev", &devfs_ops, NULL, "devtmpfs", "devtmpfs");
	if (!err)
		err = vfs_mount("/dev/shm", &tmpfs_ops, tmpfs_new(01777), "tmpfs", "tmpfs");
	if (!err)
		err = mqueue_mount(NULL, "/dev/mqueue");   /* POSIX message queues, as systemd mounts it */
	if (!err)
		err = vfs_mount("/proc", &procfs_ops, &init_pid_ns, "proc", "proc");
	if (!err)
		err = sysfs_mount("/sys");
	if (!err)
		err = cgroup_boot_mount("/sys/fs/cgroup");   /* cgroup v2, as systemd mounts it */
	if (err) {
		fprintf(stderr, "umk: cannot mount the root %s: %s\n", root, strerror(-err));
		return 1;
	}

	err = net_start(nerr, sizeof nerr);
	if (err) {
		fprintf(stderr, "umk: %s\n", nerr);
		return err == -EINVAL ? 2 : 1;
	}

	if (fault_start(root, platform->name, cfg.argv, ferr, sizeof ferr)) {
		fprintf(stderr, "umk: %s\n", ferr);
		return 2;
	}

	char **envp = guest_environment(environ, cfg.env_clear, cfg.env, cfg.nenv);
	if (!envp) {
		fprintf(stderr, "umk: out of memory\n");
		return 1;
	}

	signal(SIGPIPE, SIG_IGN);
	/* Orphaned stubs (a guest parent died before its child) come back
	 * to umk, not to the host's init, and SIGCHLD ignored has the host
	 * reap them at once: a guest cannot pile up host zombies.  Tracers
	 * still collect their tracees' exits. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	signal(SIGCHLD, SIG_IGN);
	oops_init(cfg.oops_mode && !strcmp(cfg.oops_mode, "freeze") ? OOPS_FREEZE : OOPS_EXIT,
		  oops_log);
	if (cfg.stats)
		syscall_stats_enable();
	if (cfg.control && control_start(cfg.control))
		return 1;
	forward_signals();
	pthread_t fw;
	pthread_create(&fw, NULL, signal_forwarder, NULL);
	pthread_detach(fw);

	int status = run_init(cfg.argv[0], cfg.argv, envp, cfg.cwd ? cfg.cwd : "/");
	fault_finish(status);
	fflush(stdout);
	unimplemented_summary();
	pthread_mutex_lock(&klock);
	ext2_shutdown();   /* images the guest left mounted: written back */
	strace_close();
	if (cfg.stats) {
		syscall_stats_print(stats_out ? stats_out : stderr, false);
		if (stats_out)
			fclose(stats_out);
	}
	control_stop();
	pthread_mutex_unlock(&klock);
	if (LINUX_WIFSIGNALED(status))
		return 128 + LINUX_WTERMSIG(status);
	return LINUX_WEXITSTATUS(status);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "campaign"))
		return cmd_campaign(argc - 1, argv + 1);   /* debug/campaign.c */
	if (!strcmp(argv[1], "ctl"))
		return control_client(argc - 1, argv + 1);
	if (!strcmp(argv[1], "syscalls")) {
		print_syscalls();
		return 0;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("umk %s\n", UMK_VERSION);
		return 0;
	}
	fprintf(stderr, "umk: unknown command '%s' (try 'umk --help')\n", argv[1]);
	return 2;
}
