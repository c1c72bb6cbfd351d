/*
 * posix_acl.c - POSIX ACLs (man 5 acl) through the xattrs
 * system.posix_acl_access and system.posix_acl_default, on the current
 * directory's filesystem (natively a host disk; under umk the overlay
 * root), on an overlayfs mount over a tmpfs (a mount namespace of its
 * own) and on /dev/shm (tmpfs): set, get (short buffer: ERANGE), the
 * mode kept in sync both ways (an equivalent ACL only sets the mode;
 * chmod rewrites the owner, mask and other entries), hostile values
 * (bad version, ragged sizes, unknown tags and perms, a missing mask,
 * entries out of order, duplicates), default ACLs (directories only,
 * inherited by new files and directories, the umask ignored), removal,
 * and access checks by the ACL for non-root ids (named user, named
 * group, the mask, search permission, access(2) with real ids and
 * faccessat2's AT_EACCESS), a 44-entry ACL, and ids seen and set from a
 * user namespace (unmapped ones read as -1, setting one is EINVAL).  Run
 * natively and under umk; the output must match.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#define A "system.posix_acl_access"
#define D "system.posix_acl_default"
enum { UO = 1, U = 2, GO = 4, G = 8, M = 0x10, O = 0x20 };

struct ent { uint16_t tag, perm; uint32_t id; };
static unsigned char vbuf[4 + 64 * 8];

/* Builds an ACL xattr of n entries (version v) into vbuf: its size. */
static size_t mk(uint32_t v, const struct ent *e, int n)
{
	memcpy(vbuf, &v, 4);
	memcpy(vbuf + 4, e, (size_t)n * 8);
	return 4 + (size_t)n * 8;
}

#define ACL(...) (struct ent[]){ __VA_ARGS__ }, (int)(sizeof((struct ent[]){ __VA_ARGS__ }) / 8)

static const char *en(long r)
{
	static char b[32];

	if (r >= 0) {
		snprintf(b, sizeof b, "%ld", r);
		return b;
	}
	return strerrorname_np(errno) ? strerrorname_np(errno) : "E?";
}

static int setacl(const char *p, const char *name, uint32_t v, struct ent *e, int n)
{
	return setxattr(p, name, vbuf, mk(v, e, n), 0);
}

static void show_mode(const char *what, const char *p)
{
	struct stat st;

	if (stat(p, &st))
		printf("%s: stat %s\n", what, en(-1));
	else
		printf("%s: mode %04o\n", what, st.st_mode & 07777);
}

static void show_acl(const char *what, const char *p, const char *name)
{
	unsigned char b[1024];
	ssize_t n = getxattr(p, name, b, sizeof b);
	uint32_t v;

	printf("%s: ", what);
	if (n < 0) {
		printf("%s\n", en(-1));
		return;
	}
	memcpy(&v, b, 4);
	printf("v%u", v);
	for (ssize_t i = 4; i + 8 <= n; i += 8) {
		struct ent e;

		memcpy(&e, b + i, 8);
		if (e.tag == U || e.tag == G)
			printf(" %x:%u:%o", e.tag, e.id, e.perm);
		else
			printf(" %x:%o%s", e.tag, e.perm, e.id == 0xffffffffu ? "" : "(id!)");
	}
	printf("\n");
}

static void show_list(const char *what, const char *p)
{
	char b[1024];
	ssize_t n = listxattr(p, b, sizeof b);

	printf("%s:", what);
	if (n < 0)
		printf(" %s", en(-1));
	for (ssize_t i = 0; i < n; i += (ssize_t)strlen(b + i) + 1)
		if (!strncmp(b + i, "system.posix_acl", 16))
			printf(" %s", b + i);
	printf("\n");
}

/* A child with the given ids runs fn; its status is printed. */
static void as_user(const char *what, uid_t ruid, uid_t euid, gid_t gid, int ng, const gid_t *groups,
		    void (*fn)(const char *), const char *dir)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		/* relative names from here: the runner's temp dir above is 0700 */
		if (chdir(dir)) {
			printf("%s: chdir %s\n", what, en(-1));
			_exit(1);
		}
		if (setgroups((size_t)ng, groups) || setresgid(gid, gid, gid) ||
		    setresuid(ruid, euid, euid)) {
			printf("%s: ids %s\n", what, en(-1));
			_exit(1);
		}
		printf("%s:\n", what);
		fn(".");
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		printf("%s: child status %x\n", what, st);
}

static char path[4][512];
static int on_tmpfs;   /* the second pass, on /dev/shm */

static void try_open(const char *p, int flags, const char *what)
{
	int fd = open(p, flags);

	printf("  open %s %s: %s\n", p + 2, what, fd < 0 ? en(-1) : "ok");
	if (fd >= 0)
		close(fd);
}

static void checks_u1000(const char *dir)
{
	char p[600];

	snprintf(p, sizeof p, "%.400s/f", dir);
	try_open(p, O_RDONLY, "r");
	try_open(p, O_WRONLY, "w");
	printf("  access R %s\n", en(access(p, R_OK)));
	printf("  access W %s\n", en(access(p, W_OK)));
	printf("  access X %s\n", en(access(p, X_OK)));
	snprintf(p, sizeof p, "%.400s/g", dir);
	try_open(p, O_RDWR, "rw");
	snprintf(p, sizeof p, "%.400s/masked", dir);
	try_open(p, O_RDONLY, "r");
	try_open(p, O_RDWR, "rw");
	snprintf(p, sizeof p, "%.400s/named0", dir);
	try_open(p, O_RDONLY, "r");
	snprintf(p, sizeof p, "%.400s/sdir/inner", dir);
	try_open(p, O_RDONLY, "r");
	snprintf(p, sizeof p, "%.400s/sdir", dir);
	try_open(p, O_RDONLY | O_DIRECTORY, "dir");
	/* not the owner: EPERM */
	snprintf(p, sizeof p, "%.400s/f", dir);
	printf("  set acl not owner: %s\n", en(setacl(p, A, 2, ACL({UO, 6, -1}, {GO, 4, -1}, {O, 0, -1}))));
	snprintf(p, sizeof p, "%.400s/own", dir);
	printf("  set acl owner: %s\n",
	       en(setacl(p, A, 2, ACL({UO, 6, -1}, {U, 4, 1001}, {GO, 4, -1}, {M, 4, -1}, {O, 0, -1}))));
	show_acl("  own acl", p, A);
}

static void checks_u1001(const char *dir)
{
	char p[600];

	snprintf(p, sizeof p, "%.400s/f", dir);
	try_open(p, O_RDONLY, "r");
	snprintf(p, sizeof p, "%.400s/own", dir);
	try_open(p, O_RDONLY, "r");
}

/* real uid 1001, effective 1000: access(2) checks the former,
 * faccessat2(AT_EACCESS) the latter */
static void checks_split(const char *dir)
{
	char p[600];

	snprintf(p, sizeof p, "%.400s/f", dir);
	printf("  access R (real 1001) %s\n", en(access(p, R_OK)));
	printf("  faccessat2 R eaccess (1000) %s\n",
	       en(syscall(SYS_faccessat2, AT_FDCWD, p, R_OK, AT_EACCESS)));
}

static void suite(const char *dir)
{
	char *f = path[0], *d = path[1], *x = path[2];
	unsigned char b[256];
	int fd;

	snprintf(f, sizeof path[0], "%.400s/f", dir);
	snprintf(d, sizeof path[1], "%.400s/d", dir);
	umask(022);
	fd = open(f, O_CREAT | O_WRONLY, 0640);
	close(fd);
	show_acl("fresh", f, A);
	show_list("fresh list", f);

	/* an equivalent ACL sets the mode only */
	printf("set equiv: %s\n", en(setacl(f, A, 2, ACL({UO, 7, -1}, {GO, 5, -1}, {O, 4, -1}))));
	show_mode("equiv", f);
	show_acl("equiv acl", f, A);

	/* an extended one */
	printf("set ext: %s\n", en(setacl(f, A, 2, ACL({UO, 6, -1}, {U, 4, 1000}, {GO, 4, -1},
						       {M, 6, -1}, {O, 0, -1}))));
	show_mode("ext", f);
	/* XATTR_CREATE/REPLACE do not apply to ACLs (Linux's do_set_acl) */
	printf("set ext create: %s\n", en(setxattr(f, A, vbuf, mk(2, ACL({UO, 6, -1}, {U, 4, 1000}, {GO, 4, -1},
			{M, 6, -1}, {O, 0, -1})), XATTR_CREATE)));
	printf("get size: %s\n", en(getxattr(f, A, NULL, 0)));
	printf("get short: %s\n", en(getxattr(f, A, b, 10)));
	printf("get 43: %s\n", en(getxattr(f, A, b, 43)));
	show_acl("ext acl", f, A);
	show_list("ext list", f);

	/* chmod rewrites USER_OBJ, MASK, OTHER */
	printf("chmod: %s\n", en(chmod(f, 0604)));
	show_acl("chmod acl", f, A);
	printf("chmod back: %s\n", en(chmod(f, 0640)));
	show_mode("chmod back", f);

	/* hostile values */
	printf("v1: %s\n", en(setacl(f, A, 1, ACL({UO, 6, -1}, {GO, 4, -1}, {O, 0, -1}))));
	printf("size 3: %s\n", en(setxattr(f, A, "\2\0\0", 3, 0)));
	mk(2, ACL({UO, 6, -1}, {GO, 4, -1}, {O, 0, -1}));
	printf("size 4+7: %s\n", en(setxattr(f, A, vbuf, 11, 0)));
	printf("size 4+25: %s\n", en(setxattr(f, A, vbuf, 29, 0)));
	printf("tag 0x40: %s\n", en(setacl(f, A, 2, ACL({UO, 6, -1}, {0x40, 4, -1}, {O, 0, -1}))));
	printf("perm 8: %s\n", en(setacl(f, A, 2, ACL({UO, 8, -1}, {GO, 4, -1}, {O, 0, -1}))));
	printf("no mask: %s\n", en(setacl(f, A, 2, ACL({UO, 6, -1}, {U, 4, 5}, {GO, 4, -1}, {O, 0, -1}))));
	printf("2 user_obj: %s\n", en(setacl(f, A, 2, ACL({UO, 6, -1}, {UO, 6, -1}, {GO, 4, -1}, {O, 0, -1}))));
	printf("order: %s\n", en(setacl(f, A, 2, ACL({GO, 4, -1}, {UO, 6, -1}, {O, 0, -1}))));
	printf("no other: %s\n", en(setacl(f, A, 2, ACL({UO, 6, -1}, {GO, 4, -1}))));
	printf("after other: %s\n", en(setacl(f, A, 2, ACL({UO, 6, -1}, {GO, 4, -1}, {O, 0, -1}, {O, 0, -1}))));
	printf("unmapped id: %s\n", en(setacl(f, A, 2, ACL({UO, 6, -1}, {U, 4, -1}, {GO, 4, -1}, {M, 4, -1}, {O, 0, -1}))));
	printf("user after group: %s\n", en(setacl(f, A, 2, ACL({UO, 6, -1}, {GO, 4, -1}, {U, 4, 7}, {M, 4, -1}, {O, 0, -1}))));
	printf("dup named: %s\n", en(setacl(f, A, 2, ACL({UO, 6, -1}, {U, 4, 9}, {U, 2, 9}, {GO, 4, -1}, {M, 6, -1}, {O, 0, -1}))));
	show_acl("after hostile", f, A);
	show_mode("after hostile", f);
	printf("bad name: %s\n", en(setxattr(f, "system.posix_acl_x", vbuf, mk(2, ACL({UO, 6, -1}, {GO, 4, -1}, {O, 0, -1})), 0)));

	/* removal: the mode stays */
	printf("remove: %s\n", en(removexattr(f, A)));
	show_acl("removed", f, A);
	show_mode("removed", f);
	printf("remove again: %s\n", en(removexattr(f, A)));
	printf("set ext again: %s\n", en(setacl(f, A, 2, ACL({UO, 6, -1}, {U, 4, 1000}, {GO, 4, -1}, {M, 4, -1}, {O, 0, -1}))));
	printf("header only: %s\n", en(setxattr(f, A, vbuf, 4, 0)));
	show_acl("header only", f, A);
	show_mode("header only", f);

	/* default ACLs: directories only */
	printf("default on file: %s\n", en(setacl(f, D, 2, ACL({UO, 6, -1}, {GO, 4, -1}, {O, 0, -1}))));
	printf("default removal on file: %s\n", en(removexattr(f, D)));
	printf("default empty on file: %s\n", en(setxattr(f, D, "", 0, 0)));
	mkdir(d, 0755);
	show_acl("dir default", d, D);
	printf("default on dir: %s\n", en(setacl(d, D, 2, ACL({UO, 7, -1}, {U, 7, 1000}, {GO, 5, -1},
							       {M, 7, -1}, {O, 0, -1}))));
	show_acl("dir default", d, D);
	show_mode("dir", d);
	show_list("dir list", d);
	umask(077);
	snprintf(x, sizeof path[2], "%.400s/child", d);
	fd = open(x, O_CREAT | O_WRONLY, 0666);
	close(fd);
	show_mode("child", x);
	show_acl("child acl", x, A);
	show_acl("child default", x, D);
	snprintf(x, sizeof path[2], "%.400s/sub", d);
	printf("mkdir sub: %s\n", en(mkdir(x, 0777)));
	show_mode("sub", x);
	show_acl("sub acl", x, A);
	show_acl("sub default", x, D);
	snprintf(x, sizeof path[2], "%.400s/sub/grandchild", d);
	printf("mknod: %s\n", en(mknod(x, S_IFREG | 0640, 0)));
	show_mode("grandchild", x);
	show_acl("grandchild acl", x, A);
	snprintf(x, sizeof path[2], "%.400s/fifo", d);
	printf("mkfifo: %s\n", en(mkfifo(x, 0666)));
	show_mode("fifo", x);
	show_acl("fifo acl", x, A);
	snprintf(x, sizeof path[2], "%.400s/ln", d);
	printf("symlink: %s\n", en(symlink("child", x)));
	printf("lset acl on symlink: %s\n", en(lsetxattr(x, A, vbuf, mk(2, ACL({UO, 6, -1}, {GO, 4, -1}, {O, 0, -1})), 0)));
	/* O_TMPFILE inherits too (on tmpfs: umk's ext2 has no O_TMPFILE) */
	fd = on_tmpfs ? open(d, O_TMPFILE | O_RDWR, 0666) : -2;
	if (fd == -2) {
	} else if (fd >= 0) {
		struct stat st;

		fstat(fd, &st);
		printf("tmpfile: mode %04o\n", st.st_mode & 07777);
		snprintf(x, sizeof path[2], "%.400s/tmpf", d);
		printf("tmpfile link: %s\n", en(linkat(fd, "", AT_FDCWD, x, AT_EMPTY_PATH)));
		show_acl("tmpfile acl", x, A);
		close(fd);
	} else {
		printf("tmpfile: %s\n", en(-1));
	}
	/* an equivalent default ACL: the mode it allows, no access ACL */
	printf("default equiv: %s\n", en(setacl(d, D, 2, ACL({UO, 7, -1}, {GO, 5, -1}, {O, 5, -1}))));
	snprintf(x, sizeof path[2], "%.400s/child2", d);
	fd = open(x, O_CREAT | O_WRONLY, 0666);
	close(fd);
	show_mode("child2", x);
	show_acl("child2 acl", x, A);
	printf("remove default: %s\n", en(removexattr(d, D)));
	snprintf(x, sizeof path[2], "%.400s/child3", d);
	fd = open(x, O_CREAT | O_WRONLY, 0666);
	close(fd);
	show_mode("child3 (umask 077)", x);
	umask(022);

	/* access checks by the ACL */
	chmod(dir, 0755);
	setacl(f, A, 2, ACL({UO, 6, -1}, {U, 4, 1000}, {GO, 0, -1}, {M, 6, -1}, {O, 0, -1}));
	snprintf(x, sizeof path[2], "%.400s/g", dir);
	close(open(x, O_CREAT | O_WRONLY, 0600));
	setacl(x, A, 2, ACL({UO, 6, -1}, {GO, 0, -1}, {G, 6, 3000}, {M, 6, -1}, {O, 0, -1}));
	snprintf(x, sizeof path[2], "%.400s/masked", dir);
	close(open(x, O_CREAT | O_WRONLY, 0600));
	setacl(x, A, 2, ACL({UO, 6, -1}, {U, 6, 1000}, {GO, 0, -1}, {M, 4, -1}, {O, 0, -1}));
	show_mode("masked", x);
	/* a named user entry with no rights wins over a group that has them */
	snprintf(x, sizeof path[2], "%.400s/named0", dir);
	close(open(x, O_CREAT | O_WRONLY, 0644));
	setacl(x, A, 2, ACL({UO, 6, -1}, {U, 0, 1000}, {GO, 4, -1}, {M, 4, -1}, {O, 4, -1}));
	/* search without read */
	snprintf(x, sizeof path[2], "%.400s/sdir", dir);
	mkdir(x, 0700);
	snprintf(path[3], sizeof path[3], "%.400s/sdir/inner", dir);
	close(open(path[3], O_CREAT | O_WRONLY, 0644));
	setacl(x, A, 2, ACL({UO, 7, -1}, {U, 1, 1000}, {GO, 0, -1}, {M, 1, -1}, {O, 0, -1}));
	snprintf(x, sizeof path[2], "%.400s/own", dir);
	close(open(x, O_CREAT | O_WRONLY, 0600));
	chown(x, 1000, 1000);
	{
		gid_t g3000 = 3000;

		as_user("uid 1000", 1000, 1000, 2000, 1, &g3000, checks_u1000, dir);
		as_user("uid 1001", 1001, 1001, 2000, 0, NULL, checks_u1001, dir);
		as_user("ruid 1001 euid 1000", 1001, 1000, 2000, 0, NULL, checks_split, dir);
	}
	/* S_ISGID: a setter outside the group loses it, as chmod */
	snprintf(x, sizeof path[2], "%.400s/own", dir);
	printf("chmod sgid: %s\n", en(chmod(x, 02660)));
	show_mode("own sgid", x);
	printf("root sets acl: %s\n",
	       en(setacl(x, A, 2, ACL({UO, 6, -1}, {U, 4, 7}, {GO, 6, -1}, {M, 6, -1}, {O, 0, -1}))));
	show_mode("own after root", x);
}

/* A long ACL: 40 named users (Linux takes what fits the xattr). */
static void long_acl(const char *dir)
{
	struct ent e[44];
	char p[600];
	int n = 0;

	snprintf(p, sizeof p, "%.400s/long", dir);
	close(open(p, O_CREAT | O_WRONLY, 0600));
	e[n++] = (struct ent){ UO, 6, -1 };
	for (int i = 0; i < 40; i++)
		e[n++] = (struct ent){ U, (uint16_t)(i & 7), 2000 + (uint32_t)i };
	e[n++] = (struct ent){ GO, 4, -1 };
	e[n++] = (struct ent){ M, 7, -1 };
	e[n++] = (struct ent){ O, 0, -1 };
	printf("long: %s\n", en(setacl(p, A, 2, e, n)));
	printf("long size: %s\n", en(getxattr(p, A, NULL, 0)));
	show_mode("long", p);
}

/* In a user namespace (inside 0-99 = outside 1000-1099), ids in ACLs
 * are the namespace's: unmapped ones read as 65534, and setting one
 * that is unmapped is EINVAL. */
static void userns(const char *dir)
{
	char p[600], map[64];
	int go[2], done[2];
	pid_t pid;

	snprintf(p, sizeof p, "%.400s/ns", dir);
	close(open(p, O_CREAT | O_WRONLY, 0640));
	chown(p, 1000, 1000);
	setacl(p, A, 2, ACL({UO, 6, -1}, {U, 4, 1005}, {U, 4, 9}, {GO, 4, -1}, {G, 4, 1007}, {M, 6, -1}, {O, 0, -1}));
	if (pipe(go) || pipe(done))
		return;
	pid = fork();
	if (pid == 0) {
		char c;

		/* a relative name: the runner's temp dir above is 0700 */
		if (chdir(dir) || unshare(CLONE_NEWUSER)) {
			printf("unshare: %s\n", en(-1));
			_exit(1);
		}
		write(go[1], "x", 1);
		read(done[0], &c, 1);
		setresgid(0, 0, 0);
		setresuid(0, 0, 0);
		show_acl("in ns", "ns", A);
		printf("in ns set unmapped: %s\n", en(setacl("ns", A, 2, ACL({UO, 6, -1}, {U, 4, 500}, {GO, 4, -1}, {M, 4, -1}, {O, 0, -1}))));
		printf("in ns set: %s\n", en(setacl("ns", A, 2, ACL({UO, 6, -1}, {U, 4, 42}, {GO, 4, -1}, {G, 2, 7}, {M, 6, -1}, {O, 0, -1}))));
		fflush(stdout);
		_exit(0);
	} else {
		char c;
		int st, fd;

		read(go[0], &c, 1);
		snprintf(map, sizeof map, "/proc/%d/uid_map", (int)pid);
		fd = open(map, O_WRONLY);
		if (fd < 0 || write(fd, "0 1000 100\n", 11) != 11)
			printf("uid_map: %s\n", en(-1));
		close(fd);
		snprintf(map, sizeof map, "/proc/%d/gid_map", (int)pid);
		fd = open(map, O_WRONLY);
		if (fd < 0 || write(fd, "0 1000 100\n", 11) != 11)
			printf("gid_map: %s\n", en(-1));
		close(fd);
		write(done[1], "x", 1);
		waitpid(pid, &st, 0);
		printf("ns child: %x\n", st);
		show_acl("outside", p, A);
	}
}

static void cleanup(const char *dir)
{
	char cmd[700];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd)) {
	}
}

static const char *host_name;

static void check_file_u(const char *dir)
{
	char q[300];

	snprintf(q, sizeof q, "%s/%.200s", dir, host_name);
	try_open(q, O_RDONLY, "r");
	try_open(q, O_WRONLY, "w");
}

/*
 * --host-set FILE: gives FILE (natively: a host file of a guest root) an
 * ACL; --host-check DIR NAME: reads DIR/NAME's ACL, checks access by it,
 * chmods it (under umk: the copy-up to the overlay's upper layer keeps
 * the ACL) and checks again; the same lines natively and under umk.
 */
static int host_mode(int argc, char **argv)
{
	char p[600];

	if (argc == 3 && !strcmp(argv[1], "--host-set"))
		return setacl(argv[2], A, 2, ACL({UO, 6, -1}, {U, 4, 1000}, {GO, 0, -1}, {M, 4, -1}, {O, 0, -1})) ? 1 : 0;
	if (argc != 4 || strcmp(argv[1], "--host-check"))
		return 2;
	snprintf(p, sizeof p, "%.300s/%.200s", argv[2], argv[3]);
	host_name = argv[3];
	show_mode("host file", p);
	show_acl("host acl", p, A);
	show_list("host list", p);
	as_user("uid 1000", 1000, 1000, 1000, 0, NULL, check_file_u, argv[2]);
	as_user("uid 1001", 1001, 1001, 1001, 0, NULL, check_file_u, argv[2]);
	printf("chmod: %s\n", en(chmod(p, 0604)));
	show_acl("chmod acl", p, A);
	as_user("uid 1000 after chmod", 1000, 1000, 1000, 0, NULL, check_file_u, argv[2]);
	printf("chmod: %s\n", en(chmod(p, 0660)));
	as_user("uid 1000 after chmod 660", 1000, 1000, 1000, 0, NULL, check_file_u, argv[2]);
	printf("remove: %s\n", en(removexattr(p, A)));
	show_acl("removed", p, A);
	show_mode("removed", p);
	return 0;
}

int main(int argc, char **argv)
{
	char dir[256], cwd[200];


	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1)
		return host_mode(argc, argv);
	snprintf(dir, sizeof dir, "%.200s/acl.d", getcwd(cwd, sizeof cwd) ? cwd : ".");
	mkdir(dir, 0755);
	printf("== cwd\n");
	fflush(stdout);
	suite(dir);
	long_acl(dir);
	userns(dir);
	cleanup(dir);
	/* an overlayfs mount (layers on a tmpfs) in a mount namespace of its own */
	{
		pid_t pid;
		int st;

		snprintf(dir, sizeof dir, "%.200s/ovl.d", getcwd(cwd, sizeof cwd) ? cwd : ".");
		mkdir(dir, 0755);
		pid = fork();
		if (pid == 0) {
			char l[300], u[300], w[300], m[300], opts[1000];

			snprintf(l, sizeof l, "%s/l", dir);
			snprintf(u, sizeof u, "%s/u", dir);
			snprintf(w, sizeof w, "%s/w", dir);
			snprintf(m, sizeof m, "%s/m", dir);
			snprintf(opts, sizeof opts, "lowerdir=%s,upperdir=%s,workdir=%s", l, u, w);
			if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
			    mount("t", dir, "tmpfs", 0, "mode=755") || mkdir(l, 0755) ||
			    mkdir(u, 0755) || mkdir(w, 0755) || mkdir(m, 0755) ||
			    mount("overlay", m, "overlay", 0, opts)) {
				printf("overlay: %s\n", en(-1));
				_exit(1);
			}
			printf("== overlayfs\n");
			fflush(stdout);
			suite(m);
			fflush(stdout);
			_exit(0);
		}
		waitpid(pid, &st, 0);
		printf("overlay pass: %x\n", st);
		rmdir(dir);
	}
	snprintf(dir, sizeof dir, "/dev/shm/umk-acl-%d", (int)getpid());
	mkdir(dir, 0755);
	printf("== tmpfs\n");
	on_tmpfs = 1;
	fflush(stdout);
	suite(dir);
	long_acl(dir);
	userns(dir);
	cleanup(dir);
	return 0;
}
