/*
 * main.c - umk's command line, boot and shutdown.
 *
 *   umk run [OPTIONS] [--] PROGRAM [ARGS...]    run a guest
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
#include "debug/debug.h"
#include "fs/tmpfs.h"
#include "mm/mm.h"
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
	bool rw;
	bool verbose;
	const char *strace_path;
	const char *hostname;
	const char *cwd;
	char **env;
	int nenv;
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

static void crash_handler(int sig)
{
	oops("kernel crashed with signal %d", sig);
}

static void usage(FILE *o)
{
	fprintf(o,
		"usage: umk run [OPTIONS] [--] PROGRAM [ARGS...]\n"
		"       umk syscalls\n"
		"\n"
		"Runs PROGRAM, an unmodified x86-64 Linux binary, on umk, a user-mode\n"
		"Linux kernel, as pid 1 of a guest with its own root filesystem.\n"
		"\n"
		"options:\n"
		"  --rootfs DIR       guest root (default: the busybox root built with umk)\n"
		"  --platform NAME    how guest syscalls are caught: seccomp (default where the\n"
		"                     host allows it) or ptrace\n"
		"  --rw               write to DIR itself (default: an in-memory overlay)\n"
		"  --strace[=FILE]    one line per guest syscall, to stderr or FILE\n"
		"  --hostname NAME    the guest's hostname (default: umk)\n"
		"  --cwd DIR          the first process's working directory (default: /)\n"
		"  -e VAR=VALUE       add to the guest environment (repeatable)\n"
		"  --tmpfs-size=SIZE  what each tmpfs and the overlay's upper layer may hold\n"
		"                     (default 50%%: half the host's RAM; k/m/g/t or N%%)\n"
		"  --memory=SIZE      the guest's committed memory, as Linux's strict\n"
		"                     overcommit counts it (default: no limit)\n"
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

static int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rootfs", required_argument, 0, 'r' },
		{ "platform", required_argument, 0, 'p' },
		{ "rw", no_argument, 0, 'w' },
		{ "strace", optional_argument, 0, 's' },
		{ "hostname", required_argument, 0, 'H' },
		{ "cwd", required_argument, 0, 'c' },
		{ "tmpfs-size", required_argument, 0, 'T' },
		{ "memory", required_argument, 0, 'M' },
		{ "verbose", no_argument, 0, 'v' },
		{ "help", no_argument, 0, 'h' },
		{ "version", no_argument, 0, 'V' },
		{ 0, 0, 0, 0 },
	};
	cfg.env = calloc(argc + 8, sizeof *cfg.env);
	int c;
	bool strace = false;
	optind = 1;
	opterr = 0; /* one line of our own instead of getopt's */
	while ((c = getopt_long(argc, argv, "+:e:vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'r': cfg.rootfs = optarg; break;
		case 'p': cfg.platform = optarg; break;
		case 'w': cfg.rw = true; break;
		case 's': strace = true; cfg.strace_path = optarg; break;
		case 'H': cfg.hostname = optarg; break;
		case 'c': cfg.cwd = optarg; break;
		case 'T': cfg.tmpfs_size = optarg; break;
		case 'M': cfg.memory = optarg; break;
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
	if (strace) {
		if (cfg.strace_path) {
			strace_out = fopen(cfg.strace_path, "we");
			if (!strace_out) {
				fprintf(stderr, "umk: --strace=%s: %s\n", cfg.strace_path, strerror(errno));
				return 2;
			}
		} else {
			strace_out = stderr;
		}
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
		nofile.rlim_cur = nofile.rlim_max;
		setrlimit(RLIMIT_NOFILE, &nofile);
		getrlimit(RLIMIT_NOFILE, &nofile);
		/* a guest's files stay below the budget; the rest (an eighth,
		 * 64 at least) is umk's own: tasks, stubs, forks (file.c) */
		uint64_t cur = nofile.rlim_cur > (1u << 30) ? (1u << 30) : nofile.rlim_cur;
		uint64_t keep = cur / 8 > 64 ? cur / 8 : 64;
		host_fd_budget = cur > keep ? (int)(cur - keep) : 0;
	}
	umask(0); /* guest modes are applied by the kernel, not the host umask */
	err = hostfs_mount("/", root, !cfg.rw);
	if (!err)
		err = vfs_mount("/dev", &devfs_ops, NULL, "devtmpfs", "devtmpfs");
	if (!err)
		err = vfs_mount("/dev/shm", &tmpfs_ops, tmpfs_new(01777), "tmpfs", "tmpfs");
	if (!err)
		err = vfs_mount("/proc", &procfs_ops, NULL, "proc", "proc");
	if (!err)
		err = sysfs_mount("/sys");
	if (err) {
		fprintf(stderr, "umk: cannot mount the root %s: %s\n", root, strerror(-err));
		return 1;
	}

	/* guest environment: a small clean default plus -e */
	char **envp = calloc(cfg.nenv + 8, sizeof *envp);
	int ne = 0;
	const char *term = getenv("TERM");
	char termvar[256];
	snprintf(termvar, sizeof termvar, "TERM=%s", term ? term : "linux");
	const char *defaults[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
				   "HOME=/root", termvar };
	for (size_t i = 0; i < ARRAY_SIZE(defaults); i++) {
		size_t kl = strchr(defaults[i], '=') - defaults[i] + 1;
		bool overridden = false;
		for (int j = 0; j < cfg.nenv; j++)
			if (!strncmp(cfg.env[j], defaults[i], kl))
				overridden = true;
		if (!overridden)
			envp[ne++] = (char *)defaults[i];
	}
	for (int j = 0; j < cfg.nenv; j++)
		envp[ne++] = cfg.env[j];
	envp[ne] = NULL;

	signal(SIGPIPE, SIG_IGN);
	/* Orphaned stubs (a guest parent died before its child) come back
	 * to umk, not to the host's init, and SIGCHLD ignored has the host
	 * reap them at once: a guest cannot pile up host zombies.  Tracers
	 * still collect their tracees' exits. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	signal(SIGCHLD, SIG_IGN);
	struct sigaction sa = { .sa_handler = crash_handler, .sa_flags = SA_RESETHAND };
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
	forward_signals();
	pthread_t fw;
	pthread_create(&fw, NULL, signal_forwarder, NULL);
	pthread_detach(fw);

	int status = run_init(cfg.argv[0], cfg.argv, envp, cfg.cwd ? cfg.cwd : "/");
	fflush(stdout);
	if (strace_out && strace_out != stderr)
		fclose(strace_out);
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
