/*
 * ovl_copyup - a read-only fd of a file of the overlay root's lower layer
 * sees the file's copy-up (Linux >= 4.19's ovl_real_fdget): after another
 * fd writes it, or chmod/chown/utimes/truncate/rename/fchmod/futimens copy
 * it up, reads, pread, readv, fstat, lseek(SEEK_END) and new mmaps through
 * the old fd give the upper file; a mapping made before the copy-up keeps
 * the lower file, and so does a new mapping through the old fd (Linux's
 * ovl_mmap maps the file it opened); a copy-up through another hard link
 * (index=off) is not seen, and gives the upper file an inode number of
 * its own.  Run as `ovl_copyup --make-lower DIR` on the host first: it makes
 * the lower fixtures in DIR (the runner: DIR = the test root's
 * /tests/ovl_copyup.d); then without arguments inside the overlay (umk's
 * root, or native_run's overlay of the test root).  Found by LTP iogen01.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define D "/tests/ovl_copyup.d"
#define SZ 8192
#define MT 1000000000

static const char *names[] = { "write", "mmapold", "chmod", "chown", "utimes", "trunc", "rename",
			       "fchmod", "futimens", "h1", "unlinked", "gone", "pos" };

static int make_lower(const char *dir)
{
	char p[4096], q[4096], buf[SZ];
	struct timespec ts[2] = { { MT, 0 }, { MT, 0 } };

	mkdir(dir, 0755);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		unlink(p);
		int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			return perror(p), 1;
		memset(buf, 'l', sizeof(buf));
		memcpy(buf, "LOWER", 5);
		if (write(fd, buf, sizeof(buf)) != sizeof(buf))
			return perror(p), 1;
		fchmod(fd, 0644);
		if (fchown(fd, 0, 0))
			; /* as root: the guest's root owns them */
		close(fd);
		utimensat(AT_FDCWD, p, ts, 0);
	}
	snprintf(p, sizeof(p), "%s/h1", dir);
	snprintf(q, sizeof(q), "%s/h2", dir);
	unlink(q);
	if (link(p, q))
		return perror(q), 1;
	snprintf(p, sizeof(p), "%s/rename2", dir);
	unlink(p);
	return 0;
}

static void show_lower(void)
{
	char p[256];
	struct stat st;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), D "/%s", names[i]);
		if (lstat(p, &st))
			printf("fixture %s: %s\n", names[i], strerror(errno));
		else
			printf("fixture %s: mode %o uid %u size %lld mtime %lld nlink %lu\n", names[i],
			       st.st_mode, st.st_uid, (long long)st.st_size, (long long)st.st_mtime,
			       (unsigned long)st.st_nlink);
	}
}

static int ropen(const char *name)
{
	char p[256];
	int fd;

	snprintf(p, sizeof(p), D "/%s", name);
	fd = open(p, O_RDONLY);
	if (fd < 0) {
		printf("open %s: %s\n", name, strerror(errno));
		exit(1);
	}
	return fd;
}

/* Another fd writes "UPPER" at 0 and 4096 bytes of 'u' at SZ. */
static void write_other(const char *name)
{
	char p[256], u[4096];
	int fd;

	snprintf(p, sizeof(p), D "/%s", name);
	fd = open(p, O_WRONLY);
	if (fd < 0) {
		printf("open %s for writing: %s\n", name, strerror(errno));
		return;
	}
	memset(u, 'u', sizeof(u));
	if (pwrite(fd, "UPPER", 5, 0) != 5 || pwrite(fd, u, sizeof(u), SZ) != (ssize_t)sizeof(u))
		printf("write %s: %s\n", name, strerror(errno));
	close(fd);
}

/* What fd sees now: pread of 5 at 0, fstat size/mode/uid/mtime. */
static void show(const char *what, int fd)
{
	char b[6] = { 0 };
	struct stat st;
	ssize_t n = pread(fd, b, 5, 0);

	if (n < 0)
		snprintf(b, sizeof(b), "E%d", errno);
	fstat(fd, &st);
	printf("%s: pread '%s' size %lld mode %o uid %u gid %u mtime %s\n", what, b,
	       (long long)st.st_size, st.st_mode, st.st_uid, st.st_gid,
	       st.st_mtime == MT ? "lower's" : "changed");
}

static sigjmp_buf bus_jmp;

static void on_bus(int sig)
{
	(void)sig;
	siglongjmp(bus_jmp, 1);
}

/* A new mapping of fd: its first bytes, and the byte at SZ (past the
 * lower file's end: SIGBUS if the mapping is the lower file's). */
static void map_show(const char *what, int fd, int flags)
{
	char *m = mmap(NULL, SZ + 4096, PROT_READ, flags, fd, 0);

	if (m == MAP_FAILED) {
		printf("%s: mmap %s\n", what, strerror(errno));
		return;
	}
	printf("%s: '%.5s'", what, m);
	signal(SIGBUS, on_bus);
	if (sigsetjmp(bus_jmp, 1))
		printf(" [%d] SIGBUS\n", SZ);
	else
		printf(" [%d] = '%c'\n", SZ, m[SZ]);
	signal(SIGBUS, SIG_DFL);
	munmap(m, SZ + 4096);
}

int main(int argc, char **argv)
{
	char b[16], p[256], q[256];
	struct stat st, st2;
	struct iovec iov[2];
	int a, a2;

	if (argc == 3 && !strcmp(argv[1], "--make-lower"))
		return make_lower(argv[2]);
	setvbuf(stdout, NULL, _IONBF, 0);
	show_lower();

	/* write through another fd: read, pread, readv, fstat, lseek, mmap */
	a = ropen("write");
	memset(b, 0, sizeof(b));
	if (read(a, b, 3) != 3)
		printf("read: %s\n", strerror(errno));
	printf("before: read '%s'\n", b);
	fstat(a, &st);
	write_other("write");
	memset(b, 0, sizeof(b));
	if (read(a, b, 4) != 4)
		printf("read: %s\n", strerror(errno));
	printf("after: read '%s' (offset kept)\n", b);
	show("after write", a);
	fstat(a, &st2);
	printf("same ino %d, dev %d\n", st.st_ino == st2.st_ino, st.st_dev == st2.st_dev);
	memset(b, 0, sizeof(b));
	iov[0] = (struct iovec){ b, 2 };
	iov[1] = (struct iovec){ b + 2, 3 };
	lseek(a, 0, SEEK_SET);
	if (readv(a, iov, 2) != 5)
		printf("readv: %s\n", strerror(errno));
	printf("readv '%s'\n", b);
	printf("SEEK_END %lld\n", (long long)lseek(a, 0, SEEK_END));
	memset(b, 0, sizeof(b));
	printf("read at end: %zd\n", read(a, b, 4));
	{
		/* sendfile and copy_file_range read the upper file too; a
		 * reopen through /proc/self/fd names the overlay's object */
		int pf[2], o;
		off_t off = 0;
		loff_t loff = 0;
		char pb[16] = { 0 };

		if (pipe(pf) || sendfile(pf[1], a, &off, 5) != 5 || read(pf[0], pb, 5) != 5)
			printf("sendfile: %s\n", strerror(errno));
		printf("sendfile '%s'\n", pb);
		o = open("/tmp", O_TMPFILE | O_RDWR, 0600);
		memset(pb, 0, sizeof(pb));
		if (o < 0 || copy_file_range(a, &loff, o, NULL, 5, 0) != 5 || pread(o, pb, 5, 0) != 5)
			printf("copy_file_range: %s\n", strerror(errno));
		printf("copy_file_range '%s'\n", pb);
		close(o);
		close(pf[0]);
		close(pf[1]);
		snprintf(p, sizeof(p), "/proc/self/fd/%d", a);
		o = open(p, O_RDONLY);
		show("reopened by /proc/self/fd", o);
		close(o);
	}
	map_show("new MAP_SHARED", a, MAP_SHARED);
	map_show("new MAP_PRIVATE", a, MAP_PRIVATE);
	close(a);

	/* mappings made before the copy-up, untouched until after */
	a = ropen("mmapold");
	{
		char *ms = mmap(NULL, SZ, PROT_READ, MAP_SHARED, a, 0);
		char *mp = mmap(NULL, SZ, PROT_READ, MAP_PRIVATE, a, 0);

		write_other("mmapold");
		if (ms == MAP_FAILED || mp == MAP_FAILED)
			printf("mmap: %s\n", strerror(errno));
		else
			printf("old maps: shared '%.5s' private '%.5s'\n", ms, mp);
		show("mmapold fd", a);
	}
	close(a);

	/* copy-up by a change of metadata by path, then a write */
	a = ropen("chmod");
	chmod(D "/chmod", 0600);
	show("chmod", a);
	write_other("chmod");
	show("chmod+write", a);
	close(a);

	a = ropen("chown");
	if (chown(D "/chown", 1234, 2345))
		printf("chown: %s\n", strerror(errno));
	show("chown", a);
	write_other("chown");
	show("chown+write", a);
	close(a);

	a = ropen("utimes");
	{
		struct timespec ts[2] = { { 5000, 0 }, { 6000, 0 } };
		utimensat(AT_FDCWD, D "/utimes", ts, 0);
	}
	show("utimes", a);
	fstat(a, &st);
	printf("utimes: mtime %lld\n", (long long)st.st_mtime);
	close(a);

	a = ropen("trunc");
	if (truncate(D "/trunc", 100))
		printf("truncate: %s\n", strerror(errno));
	show("truncate", a);
	printf("truncate SEEK_END %lld\n", (long long)lseek(a, 0, SEEK_END));
	write_other("trunc");
	show("truncate+write", a);
	close(a);

	/* a rename copies up: the old fd follows the object */
	a = ropen("rename");
	if (rename(D "/rename", D "/rename2"))
		printf("rename: %s\n", strerror(errno));
	show("rename", a);
	write_other("rename2");
	show("rename+write", a);
	close(a);

	/* fchmod/futimens on the read-only fd itself copy up */
	a = ropen("fchmod");
	if (fchmod(a, 0640))
		printf("fchmod: %s\n", strerror(errno));
	show("fchmod", a);
	stat(D "/fchmod", &st);
	printf("fchmod: path mode %o\n", st.st_mode);
	write_other("fchmod");
	show("fchmod+write", a);
	close(a);

	a = ropen("futimens");
	{
		struct timespec ts[2] = { { 7000, 0 }, { 8000, 0 } };
		if (futimens(a, ts))
			printf("futimens: %s\n", strerror(errno));
	}
	stat(D "/futimens", &st);
	printf("futimens: path mtime %lld\n", (long long)st.st_mtime);
	show("futimens", a);
	close(a);

	/* hard links: a copy-up through h2 is not seen through h1 (index=off) */
	a = ropen("h1");
	write_other("h2");
	show("h1 fd, h2 written", a);
	a2 = ropen("h1");
	show("h1 reopened", a2);
	stat(D "/h1", &st);
	stat(D "/h2", &st2);
	printf("h1 h2: nlink %lu %lu same ino %d\n", (unsigned long)st.st_nlink,
	       (unsigned long)st2.st_nlink, st.st_ino == st2.st_ino);
	write_other("h1");
	show("h1 fd, h1 written", a);
	show("h1 fd2, h1 written", a2);
	close(a);
	close(a2);

	/* unlinked while open, then a new file of that name: not the old fd's */
	a = ropen("unlinked");
	unlink(D "/unlinked");
	snprintf(p, sizeof(p), D "/unlinked");
	a2 = open(p, O_WRONLY | O_CREAT, 0644);
	if (a2 < 0 || write(a2, "NEWFILE", 7) != 7)
		printf("create: %s\n", strerror(errno));
	close(a2);
	show("unlinked", a);
	printf("unlinked: fchmod %s\n", fchmod(a, 0600) ? strerror(errno) : "ok");
	show("unlinked+fchmod", a);
	close(a);

	/* unlinked, nothing in its place: fchmod has nothing to copy up */
	a = ropen("gone");
	unlink(D "/gone");
	printf("gone: fchmod %s\n", fchmod(a, 0600) ? strerror(errno) : "ok");
	show("gone+fchmod", a);
	printf("gone: stat %s\n", stat(D "/gone", &st) ? strerror(errno) : "exists");
	close(a);

	/* the offset survives the switch, and a dup shares it */
	a = ropen("pos");
	a2 = dup(a);
	lseek(a, 3, SEEK_SET);
	write_other("pos");
	memset(b, 0, sizeof(b));
	if (read(a2, b, 3) != 3)
		printf("read: %s\n", strerror(errno));
	printf("pos: dup read '%s' now at %lld\n", b, (long long)lseek(a, 0, SEEK_CUR));
	close(a);
	close(a2);
	(void)q;
	return 0;
}
