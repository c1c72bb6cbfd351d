/* fprobe.c - a guest program for the fault-injection tests
 * (tests/run-fault-tests.sh): each subcommand does one thing whose
 * outcome shows which fault umk injected, and prints it in lines the
 * runner compares with the fault log or with an exact expectation.
 *
 *   getppid N          N raw getppid calls (run as the guest's pid 1:
 *                      the real result is 0): how many returned 0,
 *                      another value or an error, and a hash of which
 *                      calls returned what
 *   signal             a SIGUSR1 handler, then one getppid: its result
 *                      and whether the handler ran
 *   delay              one raw clock_gettime: was the time it returns
 *                      taken after a delay (delay_enter) or before one
 *                      (delay_exit)?
 *   memflip ADDR N     a 64 KiB pattern mapped at ADDR, N getppid calls,
 *                      then every bit that changed
 *   memspin ADDR MS    the same, but waiting MS ms in guest code (no
 *                      syscall) instead of making calls
 *   maps N             a heap, an anonymous mapping and /proc/self/maps,
 *                      then N getppid calls
 *   regloop N          a loop of N getppid calls counted in r12 (and
 *                      xmm8 counting along): iterations and xmm8
 *   spin [N]           a getppid, then a loop of N (2^28) iterations
 *                      without syscalls, counted in r12: how many ran
 *   flags              clc; getppid; setc, and rsp before and after
 *   pattern FILE N     write N bytes of the test pattern to FILE
 *   ioread FILE CHUNK  read FILE in CHUNK reads: each result, then every
 *                      byte that differs from the test pattern
 *   iowrite FILE N     write N pattern bytes in 4 KiB writes, fsync,
 *                      read back: each result and every difference
 *   ioopen FILE        open FILE: the result
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static const char *en(int e)
{
	const char *s = strerrorname_np(e);
	return s ? s : "E?";
}

static long raw0(long nr)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(nr) : "rcx", "r11", "memory");
	return r;
}

static uint8_t pattern_byte(uint64_t i)
{
	return (uint8_t)((i * 7 + (i >> 8) * 13) % 251);
}

static volatile sig_atomic_t got_sig;
static void on_usr1(int s)
{
	(void)s;
	got_sig++;
}

static int cmd_getppid(long n)
{
	long zero = 0, other = 0, errs = 0, firstval = 0;
	uint64_t hash = 1469598103934665603ULL;
	for (long i = 1; i <= n; i++) {
		long r = raw0(SYS_getppid);   /* 0: the guest's first process has no parent */
		if (r == 0) {
			zero++;
			continue;
		}
		if (!other && !errs)
			firstval = r;
		if (r < 0 && r > -4096)
			errs++;
		else
			other++;
		hash = (hash ^ (uint64_t)i) * 1099511628211ULL;
		hash = (hash ^ (uint64_t)r) * 1099511628211ULL;
	}
	printf("calls %ld zero %ld other %ld errors %ld first %ld hash %016lx\n", n, zero, other, errs,
	       firstval, (unsigned long)hash);
	return 0;
}

static int cmd_signal(void)
{
	signal(SIGUSR1, on_usr1);
	long r = raw0(SYS_getppid);
	printf("getppid returned %ld, SIGUSR1 handled %d time(s)\n", r, (int)got_sig);
	return 0;
}

static int64_t ns(const struct timespec *t) { return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec; }

static int cmd_delay(void)
{
	struct timespec a, b, c;
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &a);
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &b);   /* the second call is the one injected */
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &c);
	int64_t before = ns(&b) - ns(&a), after = ns(&c) - ns(&b);
	printf("delayed before the call: %s\n", before >= 150000000 ? "yes" : "no");
	printf("delayed after the call: %s\n", after >= 150000000 ? "yes" : "no");
	return 0;
}

static int cmd_memflip(uint64_t addr, long n)
{
	size_t len = 65536;
	uint8_t *p = mmap((void *)addr, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED) {
		printf("mmap: %s\n", en(errno));
		return 1;
	}
	for (size_t i = 0; i < len; i++)
		p[i] = pattern_byte(i);
	for (long i = 0; i < n; i++)
		raw0(SYS_getppid);
	uint32_t sum = 0;
	int flips = 0;
	for (size_t i = 0; i < len; i++) {
		sum = sum * 31 + p[i];
		uint8_t d = p[i] ^ pattern_byte(i);
		for (int b = 0; b < 8; b++)
			if (d & (1 << b)) {
				printf("flip %#lx bit %d\n", (unsigned long)(addr + i), b);
				flips++;
			}
	}
	printf("checksum %08x, %d bit(s) changed\n", sum, flips);
	return 0;
}

/* memspin ADDR MS: as memflip, but the wait is MS milliseconds of guest
 * code without a syscall (the clock is the vDSO's) */
static int cmd_memspin(uint64_t addr, long ms)
{
	size_t len = 65536;
	uint8_t *p = mmap((void *)addr, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED) {
		printf("mmap: %s\n", en(errno));
		return 1;
	}
	for (size_t i = 0; i < len; i++)
		p[i] = pattern_byte(i);
	raw0(SYS_getppid);   /* a mark in the log: the buffer is filled */
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	do
		clock_gettime(CLOCK_MONOTONIC, &b);
	while (ns(&b) - ns(&a) < ms * 1000000);
	int flips = 0;
	for (size_t i = 0; i < len; i++) {
		uint8_t d = p[i] ^ pattern_byte(i);
		for (int k = 0; k < 8; k++)
			if (d & (1 << k)) {
				printf("flip %#lx bit %d\n", (unsigned long)(addr + i), k);
				flips++;
			}
	}
	printf("%d bit(s) changed\n", flips);
	return 0;
}

static int cmd_maps(long n)
{
	/* small blocks come from the brk heap, a large one is mmap'd */
	for (int i = 0; i < 2048; i++) {
		char *b = malloc(240);
		memset(b, 0x5a, 240);
	}
	char *big = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(big, 0x33, 1 << 20);
	int fd = open("/proc/self/maps", O_RDONLY);
	char buf[8192];
	ssize_t r;
	while ((r = read(fd, buf, sizeof buf)) > 0)
		fwrite(buf, 1, r, stdout);
	close(fd);
	fflush(stdout);
	for (long i = 0; i < n; i++)
		raw0(SYS_getppid);
	return 0;
}

static int cmd_regloop(long n)
{
	uint64_t iters, x8;
	__asm__ volatile(
		"pxor %%xmm8, %%xmm8\n"
		"xor %%r13, %%r13\n"
		"mov %[n], %%r12\n"
		"1:\n"
		"mov $110, %%eax\n"
		"syscall\n"
		"inc %%r13\n"
		"dec %%r12\n"
		"jnz 1b\n"
		"mov %%r13, %[it]\n"
		"movq %%xmm8, %[x]\n"
		: [it] "=r"(iters), [x] "=r"(x8)
		: [n] "r"((uint64_t)n)
		: "rax", "rcx", "r11", "r12", "r13", "xmm8", "memory");
	printf("iterations %lu xmm8 %#lx\n", (unsigned long)iters, (unsigned long)x8);
	return 0;
}

static int cmd_spin(uint64_t n)
{
	uint64_t iters;
	raw0(SYS_getppid);   /* a mark in the log: the loop starts */
	__asm__ volatile(
		"xor %%r13, %%r13\n"
		"mov %[n], %%r12\n"
		"1:\n"
		"inc %%r13\n"
		"dec %%r12\n"
		"jnz 1b\n"
		"mov %%r13, %[it]\n"
		: [it] "=r"(iters)
		: [n] "r"(n)
		: "r12", "r13", "memory");
	printf("iterations %#lx\n", (unsigned long)iters);
	return 0;
}

static int cmd_flags(void)
{
	unsigned char cf;
	long delta;
	__asm__ volatile(
		"mov %%rsp, %%r12\n"
		"clc\n"
		"mov $110, %%eax\n"
		"syscall\n"
		"setc %[cf]\n"
		"mov %%rsp, %[d]\n"
		"sub %%r12, %[d]\n"
		"mov %%r12, %%rsp\n"
		: [cf] "=r"(cf), [d] "=r"(delta)
		:
		: "rax", "rcx", "r11", "r12", "memory", "cc");
	printf("carry after the syscall %d, rsp moved by %ld\n", cf, delta);
	return 0;
}

static int cmd_pattern(const char *file, long n)
{
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return 1;
	uint8_t *b = malloc(n);
	for (long i = 0; i < n; i++)
		b[i] = pattern_byte(i);
	int r = write(fd, b, n) == n ? 0 : 1;
	close(fd);
	return r;
}

static void diffs(const uint8_t *b, long len)
{
	int n = 0;
	for (long i = 0; i < len; i++) {
		uint8_t d = b[i] ^ pattern_byte(i);
		for (int k = 0; k < 8; k++)
			if (d & (1 << k)) {
				printf("differs at offset %ld bit %d\n", i, k);
				n++;
			}
	}
	printf("%d bit(s) differ\n", n);
}

static int cmd_ioread(const char *file, long chunk)
{
	int fd = open(file, O_RDONLY);
	if (fd < 0) {
		printf("open: %s\n", en(errno));
		return 1;
	}
	uint8_t *all = malloc(1 << 20);
	long total = 0;
	int errs = 0;
	for (;;) {
		ssize_t r = read(fd, all + total, chunk);
		if (r < 0) {
			printf("read: %s\n", en(errno));
			if (++errs == 3)
				break;   /* a failing disk: give up */
			continue;
		}
		printf("read %zd\n", r);
		if (r == 0)
			break;
		total += r;
	}
	close(fd);
	printf("total %ld\n", total);
	diffs(all, total);
	return 0;
}

static int cmd_iowrite(const char *file, long n)
{
	int fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		printf("open: %s\n", en(errno));
		return 1;
	}
	uint8_t *b = malloc(n);
	for (long i = 0; i < n; i++)
		b[i] = pattern_byte(i);
	long done = 0;
	while (done < n) {
		long c = n - done < 4096 ? n - done : 4096;
		ssize_t r = write(fd, b + done, c);
		if (r < 0) {
			printf("write: %s\n", en(errno));
			break;
		}
		printf("write %zd\n", r);
		done += r;
	}
	if (fsync(fd))
		printf("fsync: %s\n", en(errno));
	else
		printf("fsync ok\n");
	memset(b, 0, n);
	ssize_t r = pread(fd, b, n, 0);
	printf("read back %zd\n", r);
	if (r > 0)
		diffs(b, r);
	close(fd);
	return 0;
}

static int cmd_ioopen(const char *file)
{
	int fd = open(file, O_RDONLY);
	printf("open: %s\n", fd < 0 ? en(errno) : "ok");
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	const char *c = argc > 1 ? argv[1] : "";
	long a2 = argc > 2 ? strtol(argv[2], NULL, 0) : 0;
	long a3 = argc > 3 ? strtol(argv[3], NULL, 0) : 0;
	if (!strcmp(c, "getppid"))
		return cmd_getppid(a2);
	if (!strcmp(c, "signal"))
		return cmd_signal();
	if (!strcmp(c, "delay"))
		return cmd_delay();
	if (!strcmp(c, "memflip"))
		return cmd_memflip(strtoull(argv[2], NULL, 0), a3);
	if (!strcmp(c, "memspin"))
		return cmd_memspin(strtoull(argv[2], NULL, 0), a3);
	if (!strcmp(c, "maps"))
		return cmd_maps(a2);
	if (!strcmp(c, "regloop"))
		return cmd_regloop(a2);
	if (!strcmp(c, "spin"))
		return cmd_spin(argc > 2 ? strtoull(argv[2], NULL, 0) : 1ULL << 28);
	if (!strcmp(c, "flags"))
		return cmd_flags();
	if (!strcmp(c, "pattern") && argc > 3)
		return cmd_pattern(argv[2], a3);
	if (!strcmp(c, "ioread") && argc > 3)
		return cmd_ioread(argv[2], a3);
	if (!strcmp(c, "iowrite") && argc > 3)
		return cmd_iowrite(argv[2], a3);
	if (!strcmp(c, "ioopen") && argc > 2)
		return cmd_ioopen(argv[2]);
	fprintf(stderr, "usage: fprobe getppid N|signal|delay|memflip ADDR N|maps N|regloop N|spin|flags|"
			"pattern FILE N|ioread FILE CHUNK|iowrite FILE N|ioopen FILE\n");
	return 2;
}
