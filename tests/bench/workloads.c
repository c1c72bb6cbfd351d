/*
 * workloads.c - the benchmark's workloads, one per subcommand, for
 * tests/bench/bench.sh.  Built static, so the same binary runs natively,
 * under umk and under the peers; each subcommand prints one line
 * "NAME VALUE UNIT".
 *
 *   getppid N     N getppid(2) calls: one syscall round trip, us/op
 *   file N DIR    N times open + fstat + read 4 KiB + close of one file
 *                 in DIR, us/op
 *   spawn N       N times fork + execve of this program ("nop") + wait,
 *                 us/op
 *   fork N        N times fork + _exit + wait, us/op
 *   pipe MB       MB mebibytes written in 64 KiB writes by a child into a
 *                 pipe and read by the parent, MB/s
 *   mmap MB       first touch of every page of an MB-mebibyte anonymous
 *                 private mapping (mmap and munmap included), us/page
 *   tcp MB        MB mebibytes written in 64 KiB writes by a child over a
 *                 TCP connection on 127.0.0.1 and read by the parent, MB/s
 *   connect N     N times a child's connect + the parent's accept + both
 *                 closes over 127.0.0.1, us/op (a rate: 1e6 / us/op per
 *                 second)
 *   nop           exit 0 at once (spawn's child)
 *
 * Times come from CLOCK_MONOTONIC around the loop only; setup (creating
 * the file, the pipe, the listening socket) is outside it.  Network
 * workloads use the loopback only, on an ephemeral port.  Exit status 1 on any failure, with
 * a line on stderr; 2 for a bad command line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *self_path;

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int fail(const char *what)
{
	fprintf(stderr, "workloads: %s: %s\n", what, strerror(errno));
	return 1;
}

/* raw syscall, so no libc caching can skip the round trip */
static int w_getppid(long n)
{
	double t0 = seconds();
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	printf("getppid %.3f us/op\n", (seconds() - t0) * 1e6 / (double)n);
	return 0;
}

static int w_file(long n, const char *dir)
{
	static char block[4096];
	char path[4096];
	snprintf(path, sizeof path, "%s/workloads-file.%d", dir, (int)getpid());
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return fail(path);
	memset(block, 'f', sizeof block);
	ssize_t w = write(fd, block, sizeof block);
	close(fd);
	if (w != (ssize_t)sizeof block)
		return fail("write");
	double t0 = seconds();
	for (long i = 0; i < n; i++) {
		struct stat st;
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return fail("open");
		if (fstat(fd, &st) || read(fd, block, sizeof block) != (ssize_t)sizeof block)
			return fail("fstat/read");
		close(fd);
	}
	double t1 = seconds();
	unlink(path);
	printf("open_fstat_read_close %.3f us/op\n", (t1 - t0) * 1e6 / (double)n);
	return 0;
}

/* fork + (exec of nop, if exec_self) + wait, n times: us per iteration */
static int fork_loop(long n, int exec_self, const char *name)
{
	double t0 = seconds();
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0)
			return fail("fork");
		if (pid == 0) {
			if (exec_self)
				execl(self_path, self_path, "nop", (char *)NULL);
			_exit(exec_self ? 127 : 0);
		}
		int status;
		if (waitpid(pid, &status, 0) != pid)
			return fail("waitpid");
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "workloads: child status %#x\n", status);
			return 1;
		}
	}
	printf("%s %.1f us/op\n", name, (seconds() - t0) * 1e6 / (double)n);
	return 0;
}

static int w_pipe(long mb)
{
	static char chunk[65536];
	long chunks = mb * 16, want = chunks * (long)sizeof chunk, got = 0;
	int p[2];
	if (pipe(p))
		return fail("pipe");
	double t0 = seconds();
	pid_t pid = fork();
	if (pid < 0)
		return fail("fork");
	if (pid == 0) {
		close(p[0]);
		for (long i = 0; i < chunks; i++)
			if (write(p[1], chunk, sizeof chunk) != (ssize_t)sizeof chunk)
				_exit(1);
		_exit(0);
	}
	close(p[1]);
	for (;;) {
		ssize_t r = read(p[0], chunk, sizeof chunk);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += r;
	}
	waitpid(pid, NULL, 0);
	if (got != want) {
		fprintf(stderr, "workloads: pipe moved %ld of %ld bytes\n", got, want);
		return 1;
	}
	printf("pipe_throughput %.1f MB/s\n", (double)mb / (seconds() - t0));
	return 0;
}

static int w_mmap(long mb)
{
	long page = sysconf(_SC_PAGESIZE), len = mb << 20;
	double t0 = seconds();
	char *m = mmap(NULL, (size_t)len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return fail("mmap");
	for (long off = 0; off < len; off += page)
		m[off] = 1;
	munmap(m, (size_t)len);
	printf("anon_page_touch %.3f us/page\n", (seconds() - t0) * 1e6 / (double)(len / page));
	return 0;
}

/* A listening TCP socket on 127.0.0.1, an ephemeral port; its address in *a. */
static int tcp_listener(struct sockaddr_in *a)
{
	socklen_t len = sizeof *a;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	memset(a, 0, sizeof *a);
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0 || bind(s, (struct sockaddr *)a, sizeof *a) || listen(s, 128) ||
	    getsockname(s, (struct sockaddr *)a, &len))
		return -1;
	return s;
}

static int w_tcp(long mb)
{
	static char chunk[65536];
	long chunks = mb * 16, want = chunks * (long)sizeof chunk, got = 0;
	struct sockaddr_in a;
	int l = tcp_listener(&a);
	if (l < 0)
		return fail("listen");
	double t0 = seconds();
	pid_t pid = fork();
	if (pid < 0)
		return fail("fork");
	if (pid == 0) {
		int c = socket(AF_INET, SOCK_STREAM, 0);
		if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof a))
			_exit(1);
		for (long i = 0; i < chunks; i++)
			if (write(c, chunk, sizeof chunk) != (ssize_t)sizeof chunk)
				_exit(1);
		_exit(0);
	}
	int s = accept(l, NULL, NULL);
	if (s < 0)
		return fail("accept");
	for (;;) {
		ssize_t r = read(s, chunk, sizeof chunk);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += r;
	}
	waitpid(pid, NULL, 0);
	if (got != want) {
		fprintf(stderr, "workloads: tcp moved %ld of %ld bytes\n", got, want);
		return 1;
	}
	printf("tcp_throughput %.1f MB/s\n", (double)mb / (seconds() - t0));
	return 0;
}

static int w_connect(long n)
{
	struct sockaddr_in a;
	int l = tcp_listener(&a);
	if (l < 0)
		return fail("listen");
	double t0 = seconds();
	pid_t pid = fork();
	if (pid < 0)
		return fail("fork");
	if (pid == 0) {
		for (long i = 0; i < n; i++) {
			int c = socket(AF_INET, SOCK_STREAM, 0);
			if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof a))
				_exit(1);
			close(c);
		}
		_exit(0);
	}
	for (long i = 0; i < n; i++) {
		int s = accept(l, NULL, NULL);
		if (s < 0)
			return fail("accept");
		close(s);
	}
	int status;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "workloads: connecting child failed\n");
		return 1;
	}
	printf("connect_accept_close %.1f us/op\n", (seconds() - t0) * 1e6 / (double)n);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: workloads getppid N | file N DIR | spawn N | fork N | pipe MB | mmap MB | "
		"tcp MB | connect N | nop\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	const char *w = argv[1];
	if (!strcmp(w, "nop"))
		return 0;
	if (argc < 3)
		return usage();
	char *end;
	long n = strtol(argv[2], &end, 10);
	if (*end || n <= 0)
		return usage();
	self_path = argv[0][0] == '/' ? argv[0] : "/proc/self/exe";
	if (!strcmp(w, "getppid"))
		return w_getppid(n);
	if (!strcmp(w, "file"))
		return w_file(n, argc > 3 ? argv[3] : "/tmp");
	if (!strcmp(w, "spawn"))
		return fork_loop(n, 1, "fork_exec_wait");
	if (!strcmp(w, "fork"))
		return fork_loop(n, 0, "fork_wait");
	if (!strcmp(w, "pipe"))
		return w_pipe(n);
	if (!strcmp(w, "mmap"))
		return w_mmap(n);
	if (!strcmp(w, "tcp"))
		return w_tcp(n);
	if (!strcmp(w, "connect"))
		return w_connect(n);
	return usage();
}
