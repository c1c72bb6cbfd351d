/* check_overlay.c - the in-memory overlay over a host directory: lower
 * reads, create, copy-up on write (host untouched), whiteouts, opaque
 * directories, merged readdir, EXDEV for lower directories, and
 * confinement of ".." and absolute symlinks. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include "unit_task.h"

static struct task *t;
static char host[64];

static void put_file(const char *rel, const char *content)
{
	char p[256];
	FILE *fp;

	snprintf(p, sizeof(p), "%s/%s", host, rel);
	fp = fopen(p, "w");
	fputs(content, fp);
	fclose(fp);
}

static void host_read(const char *rel, char *buf, size_t n)
{
	char p[256];
	FILE *fp;
	size_t r;

	snprintf(p, sizeof(p), "%s/%s", host, rel);
	fp = fopen(p, "r");
	ck_assert_ptr_nonnull(fp);
	r = fread(buf, 1, n - 1, fp);
	buf[r] = 0;
	fclose(fp);
}

static void setup(void)
{
	char p[256];

	snprintf(host, sizeof(host), "/tmp/umk-ovl.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(host));
	snprintf(p, sizeof(p), "%s/d", host);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/d/sub", host);
	mkdir(p, 0755);
	put_file("f", "lower\n");
	put_file("d/x", "x\n");
	put_file("d/y", "y\n");
	snprintf(p, sizeof(p), "%s/esc", host);
	symlink("/../../../etc", p);
	t = unit_task();
	ck_assert_int_eq(hostfs_mount("/", host, true), 0);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", host);
	ck_assert_int_eq(system(cmd), 0);
}

static int names(const char *dir, char *out, size_t n)
{
	struct file *f;
	size_t i;
	int err = vfs_open(t, AT_FDCWD, dir, O_RDONLY | O_DIRECTORY, 0, &f);

	if (err)
		return err;
	err = file_getdents(f);
	out[0] = 0;
	/* entries are unordered: report a sorted-independent membership string */
	for (i = 0; i < f->ndents; i++) {
		strncat(out, f->dents[i].name, n - strlen(out) - 2);
		strcat(out, " ");
	}
	file_put(f);
	return err;
}

static bool has(const char *list, const char *name)
{
	char pat[300], buf[1100];

	snprintf(pat, sizeof(pat), " %.200s ", name);
	snprintf(buf, sizeof(buf), " %.1024s", list);
	return strstr(buf, pat) != NULL;
}

START_TEST(read_lower_and_copy_up)
{
	struct file *f;
	struct kstat st, st2;
	struct nameidata nd;
	char buf[256];
	int64_t pos = 0;

	ck_assert_int_eq(vfs_walk(t, AT_FDCWD, "/f", 0, &nd), 0);
	st = nd.st;
	ck_assert_int_eq(vfs_open(t, AT_FDCWD, "/f", O_RDONLY, 0, &f), 0);
	ck_assert_int_eq(f->ops->read(t, f, buf, sizeof(buf), &pos), 6);
	file_put(f);
	ck_assert_int_eq(vfs_open(t, AT_FDCWD, "/f", O_WRONLY | O_TRUNC, 0, &f), 0);
	pos = 0;
	ck_assert_int_eq(f->ops->write(t, f, "upper", 5, &pos), 5);
	ck_assert_int_eq(f->ops->fstat(f, &st2), 0);
	ck_assert_uint_eq(st2.ino, st.ino);       /* copy-up keeps the inode number */
	file_put(f);
	host_read("f", buf, sizeof(buf));
	ck_assert_str_eq(buf, "lower\n");          /* host untouched */
	ck_assert_int_eq(vfs_open(t, AT_FDCWD, "/f", O_RDONLY, 0, &f), 0);
	pos = 0;
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(f->ops->read(t, f, buf, sizeof(buf), &pos), 5);
	ck_assert_str_eq(buf, "upper");
	file_put(f);
	/* chmod of a lower file in a lower dir copies up file and parent */
	ck_assert_int_eq(vfs_walk(t, AT_FDCWD, "/d/x", 0, &nd), 0);
	ck_assert_int_eq(nd.mnt->ops->setattr(nd.mnt, nd.rel, ATTR_MODE, 0600, 0, 0, NULL), 0);
	ck_assert_int_eq(vfs_walk(t, AT_FDCWD, "/d/x", 0, &nd), 0);
	ck_assert_uint_eq(nd.st.mode & 07777, 0600);
	struct stat hs;
	snprintf(buf, sizeof(buf), "%s/d/x", host);
	stat(buf, &hs);
	ck_assert_uint_eq(hs.st_mode & 07777, 0644);
}
END_TEST

START_TEST(create_whiteout_merge)
{
	struct nameidata nd;
	struct mount *m;
	struct file *f;
	char list[1024];

	ck_assert_int_eq(vfs_open(t, AT_FDCWD, "/d/new", O_CREAT | O_WRONLY, 0644, &f), 0);
	file_put(f);
	m = vfs_find_mount("/", NULL, NULL);
	ck_assert_int_eq(m->ops->unlink(m, "d/x"), 0);
	ck_assert_int_eq(vfs_walk(t, AT_FDCWD, "/d/x", 0, &nd), 0);
	ck_assert(!nd.exists);
	ck_assert_int_eq(names("/d", list, sizeof(list)), 0);
	ck_assert(has(list, "new"));
	ck_assert(has(list, "y"));
	ck_assert(has(list, "sub"));
	ck_assert(!has(list, "x"));
	ck_assert(has(list, "."));
	/* host still has x */
	snprintf(list, sizeof(list), "%s/d/x", host);
	ck_assert_int_eq(access(list, F_OK), 0);
	/* rmdir non-empty merged dir, then empty it */
	ck_assert_int_eq(m->ops->rmdir(m, "d"), -ENOTEMPTY);
	ck_assert_int_eq(m->ops->unlink(m, "d/y"), 0);
	ck_assert_int_eq(m->ops->unlink(m, "d/new"), 0);
	ck_assert_int_eq(m->ops->rmdir(m, "d/sub"), 0);
	ck_assert_int_eq(m->ops->rmdir(m, "d"), 0);
	ck_assert_int_eq(vfs_walk(t, AT_FDCWD, "/d", 0, &nd), 0);
	ck_assert(!nd.exists);
	/* a directory made over the whiteout is opaque: empty */
	ck_assert_int_eq(m->ops->mkdir(m, "d", 0700), 0);
	ck_assert_int_eq(names("/d", list, sizeof(list)), 0);
	ck_assert_str_eq(list, ". .. ");
	snprintf(list, sizeof(list), "%s/d/y", host);
	ck_assert_int_eq(access(list, F_OK), 0);
}
END_TEST

START_TEST(rename_rules)
{
	struct mount *m = vfs_find_mount("/", NULL, NULL);
	struct nameidata nd;

	ck_assert_int_eq(m->ops->rename(m, "d", "d2", 0), -EXDEV);
	ck_assert_int_eq(m->ops->rename(m, "f", "d/f2", 0), 0);
	ck_assert_int_eq(vfs_walk(t, AT_FDCWD, "/f", 0, &nd), 0);
	ck_assert(!nd.exists);
	ck_assert_int_eq(vfs_walk(t, AT_FDCWD, "/d/f2", 0, &nd), 0);
	ck_assert(nd.exists);
	ck_assert_uint_eq(nd.st.size, 6);
	ck_assert_int_eq(m->ops->mkdir(m, "new", 0755), 0);
	ck_assert_int_eq(m->ops->rename(m, "new", "new2", 0), 0);   /* upper-only dir moves */
	ck_assert_int_eq(m->ops->rename(m, "d/y", "d/x", 1 /* RENAME_NOREPLACE */), -EEXIST);
}
END_TEST

START_TEST(confined)
{
	struct nameidata nd;

	ck_assert_int_eq(vfs_walk(t, AT_FDCWD, "/../../..", 0, &nd), 0);
	ck_assert_str_eq(nd.abs, "/");
	/* /esc -> /../../../etc resolves inside the root: no etc there */
	ck_assert_int_eq(vfs_walk(t, AT_FDCWD, "/esc/passwd", 0, &nd), -ENOENT);
}
END_TEST

Suite *overlay_suite(void)
{
	Suite *s = suite_create("overlay");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, read_lower_and_copy_up);
	tcase_add_test(tc, create_whiteout_merge);
	tcase_add_test(tc, rename_rules);
	tcase_add_test(tc, confined);
	suite_add_tcase(s, tc);
	return s;
}
