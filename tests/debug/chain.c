/*
 * chain.c - a guest that stops in a known call chain for `umk ctl`:
 * main -> level1 -> level2 -> level3 -> open() of a FIFO nobody writes,
 * where it sleeps.  Before that it opens a few kinds of fds and prints
 * what its own /proc says of them (fd links, fdinfo pos and flags) and
 * its /proc/self/maps, for the test to compare with `umk ctl fds/maps`.
 * With "spin" it loops in level3 instead (a thread running guest code).
 * Built -O2 without frame pointers: the unwinder must use the CFI.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static char buf[1 << 16];
volatile int sink;

static void show_fds(void)
{
	char path[64], link[256];
	for (int fd = 0; fd < 16; fd++) {
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		ssize_t n = readlink(path, link, sizeof link - 1);
		if (n < 0)
			continue;
		link[n] = 0;
		snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
		int f = open(path, O_RDONLY);
		ssize_t m = f >= 0 ? read(f, buf, sizeof buf - 1) : -1;
		if (f >= 0)
			close(f);
		buf[m > 0 ? m : 0] = 0;
		long long pos = -1;
		unsigned flags = 0;
		sscanf(buf, "pos:\t%lld\nflags:\t%o", &pos, &flags);
		printf("fd %d %s pos %lld flags 0%o\n", fd, link, pos, flags);
	}
}

static void show_maps(void)
{
	int f = open("/proc/self/maps", O_RDONLY);
	ssize_t n = 0, r;
	while (f >= 0 && (r = read(f, buf + n, sizeof buf - 1 - n)) > 0)
		n += r;
	close(f);
	buf[n] = 0;
	fputs("maps:\n", stdout);
	fputs(buf, stdout);
	fputs("end maps\n", stdout);
}

__attribute__((noinline)) void level3(int spin)
{
	if (spin)
		for (;;)
			sink++;
	int fd = open("/tmp/dbgfifo", O_RDONLY);
	sink = fd;
}

__attribute__((noinline)) void level2(int spin)
{
	level3(spin);
	sink++;
}

__attribute__((noinline)) void level1(int spin)
{
	level2(spin);
	sink++;
}

int main(int argc, char **argv)
{
	int spin = argc > 1 && !strcmp(argv[1], "spin");
	int fd = open("/etc/passwd", O_RDONLY);
	if (fd >= 0 && read(fd, buf, 10) != 10)
		return 1;
	int fl = open("/tmp/dbg-append", O_WRONLY | O_CREAT | O_APPEND | O_NONBLOCK, 0644);
	if (fl < 0 || write(fl, "hello\n", 6) != 6)
		return 1;
	int p[2], sv[2];
	if (pipe(p) || socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return 1;
	fcntl(p[1], F_SETFD, FD_CLOEXEC);
	mkfifo("/tmp/dbgfifo", 0600);
	show_fds();
	fflush(stdout);
	show_maps();
	printf("ready %d\n", getpid());
	fflush(stdout);
	level1(spin);
	return 0;
}
