/* proctrunc: truncating /proc files, as pam_loginuid does before it writes
 * /proc/self/loginuid (sshd's session then fails with exit 254 when the
 * ftruncate does).  Linux's proc_setattr and proc_sys_setattr accept a
 * size change and change nothing: ftruncate and truncate return 0 and the
 * file reads as before; the usual ftruncate errors still apply. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void rd(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY);
	ssize_t r = fd < 0 ? -1 : read(fd, buf, n - 1);

	buf[r < 0 ? 0 : r] = 0;
	if (fd >= 0)
		close(fd);
}

static void one(const char *path, off_t len)
{
	char before[256], after[256];
	int fd, r, e;

	rd(path, before, sizeof before);
	fd = open(path, O_RDWR);
	if (fd < 0) {
		printf("%s: open errno %d\n", path, errno);
		return;
	}
	errno = 0;
	r = ftruncate(fd, len);
	e = errno;
	rd(path, after, sizeof after);
	printf("%s: ftruncate(%lld) = %d errno %d, unchanged %d\n", path, (long long)len, r, e,
	       !strcmp(before, after));
	errno = 0;
	r = ftruncate(fd, -1);
	printf("%s: ftruncate(-1) = %d errno %d\n", path, r, errno);
	close(fd);
	fd = open(path, O_RDONLY);
	errno = 0;
	r = ftruncate(fd, 0);
	printf("%s: ftruncate of O_RDONLY = %d errno %d\n", path, r, errno);
	close(fd);
	errno = 0;
	r = truncate(path, len);
	e = errno;
	rd(path, after, sizeof after);
	printf("%s: truncate(%lld) = %d errno %d, unchanged %d\n", path, (long long)len, r, e,
	       !strcmp(before, after));
}

int main(void)
{
	char buf[64];
	int fd, r;

	one("/proc/self/loginuid", 0);
	one("/proc/self/comm", 0);
	one("/proc/self/comm", 4096);
	one("/proc/self/oom_score_adj", 0);
	one("/proc/sys/vm/overcommit_memory", 0);
	/* pam_loginuid's sequence: read, lseek 0, ftruncate 0, write */
	fd = open("/proc/self/comm", O_RDWR | O_NOFOLLOW);
	r = read(fd, buf, sizeof buf);
	lseek(fd, 0, SEEK_SET);
	r = ftruncate(fd, 0);
	printf("seq ftruncate %d\n", r);
	r = write(fd, "renamed", 7);
	printf("seq write %d\n", r);
	close(fd);
	rd("/proc/self/comm", buf, sizeof buf);
	printf("comm now %s", buf);
	return 0;
}
