/* check_landlock.c - Landlock's path walk against a tmpfs mount table:
 * a rule on a mount's root or above it covers files in the mount, a rule
 * on the directory a mount hides does not (Linux's follow_up), layers
 * combine, and rename's REFER rule gives EXDEV or EACCES. */
#include <check.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <sys/stat.h>
#include "unit_task.h"
#include "../../umkernel/security/landlock.h"

static struct task *t;
static struct kstat hidden;   /* /m before the mount hid it */

static void setup(void)
{
	struct file *f;
	struct mount *root, *m;

	t = unit_task();
	ck_assert_int_eq(vfs_mount("/", &tmpfs_ops, tmpfs_new(0755), "tmpfs", "none"), 0);
	root = vfs_find_mount("/", NULL, NULL);
	ck_assert_int_eq(root->ops->mkdir(root, "a", 0755), 0);
	ck_assert_int_eq(root->ops->mkdir(root, "a/b", 0755), 0);
	ck_assert_int_eq(root->ops->mkdir(root, "c", 0755), 0);
	ck_assert_int_eq(root->ops->mkdir(root, "m", 0755), 0);
	ck_assert_int_eq(root->ops->open(root, "a/b/f", O_CREAT | O_RDWR, 0644, &f), 0);
	file_put(f);
	ck_assert_int_eq(root->ops->lookup(root, "m", &hidden), 0);
	ck_assert_int_eq(vfs_mount("/m", &tmpfs_ops, tmpfs_new(0755), "tmpfs", "none"), 0);
	m = vfs_find_mount("/m", NULL, NULL);
	ck_assert_int_eq(m->ops->open(m, "x", O_CREAT | O_RDWR, 0644, &f), 0);
	file_put(f);
}

static void teardown(void)
{
	landlock_release(t);
	vfs_umount("/m");
	vfs_umount("/");
}

/* Stacks a layer handling fs on t; rules: (path, access) pairs, NULL-ended. */
static void layer(uint64_t fs, ...)
{
	struct landlock_domain *d = calloc(1, sizeof(*d));
	struct landlock_ruleset *rs = calloc(1, sizeof(*rs));
	va_list ap;
	const char *p;

	rs->refs = 1;
	rs->handled_fs = fs;
	rs->fs = calloc(8, sizeof(*rs->fs));
	va_start(ap, fs);
	while ((p = va_arg(ap, const char *))) {
		uint64_t acc = va_arg(ap, uint64_t);
		struct kstat st;
		if (!strcmp(p, "hidden")) {
			st = hidden;
		} else {
			const char *rel;
			static char buf[PATH_MAX];
			struct mount *m = vfs_find_mount(p, &rel, buf);
			ck_assert_int_eq(m->ops->lookup(m, rel, &st), 0);
		}
		rs->fs[rs->nfs++] = (struct landlock_rule){ st.dev, st.ino, acc };
	}
	va_end(ap);
	d->refs = 1;
	d->rs = rs;
	d->parent = t->landlock;
	d->level = d->parent ? d->parent->level + 1 : 1;
	t->landlock = d;
}

static int open_check(const char *abs, int flags)
{
	struct nameidata nd;
	int err = vfs_walk(t, AT_FDCWD, abs, 0, &nd);

	ck_assert_int_eq(err, 0);
	err = landlock_file_open(t, &nd, nd.st.mode, flags, false, NULL);
	nd_release(&nd);
	return err;
}

START_TEST(mount_root_covers)
{
	layer(LL_FS_READ_FILE, "/m", LL_FS_READ_FILE, NULL);
	ck_assert_int_eq(open_check("/m/x", O_RDONLY), 0);
	ck_assert_int_eq(open_check("/a/b/f", O_RDONLY), -EACCES);
}
END_TEST

START_TEST(above_mount_covers)
{
	layer(LL_FS_READ_FILE | LL_FS_WRITE_FILE, "/", LL_FS_READ_FILE, NULL);
	ck_assert_int_eq(open_check("/m/x", O_RDONLY), 0);
	ck_assert_int_eq(open_check("/m/x", O_RDWR), -EACCES);
}
END_TEST

START_TEST(hidden_dir_does_not)
{
	layer(LL_FS_READ_FILE, "hidden", LL_FS_READ_FILE, NULL);
	ck_assert_int_eq(open_check("/m/x", O_RDONLY), -EACCES);
}
END_TEST

START_TEST(layers_combine)
{
	layer(LL_FS_READ_FILE | LL_FS_WRITE_FILE, "/a", LL_FS_READ_FILE | LL_FS_WRITE_FILE, NULL);
	ck_assert_int_eq(open_check("/a/b/f", O_RDWR), 0);
	layer(LL_FS_WRITE_FILE, "/m", LL_FS_WRITE_FILE, NULL);
	ck_assert_int_eq(open_check("/a/b/f", O_RDONLY), 0);
	ck_assert_int_eq(open_check("/a/b/f", O_WRONLY), -EACCES);
	ck_assert_int_eq(t->landlock->level, 2);
}
END_TEST

static int refer(const char *from, const char *to)
{
	struct nameidata o, n;

	ck_assert_int_eq(vfs_walk(t, AT_FDCWD, from, 0, &o), 0);
	ck_assert_int_eq(vfs_walk(t, AT_FDCWD, to, 0, &n), 0);
	int err = landlock_path_refer(t, &o, &n, true, false);
	nd_release(&o);
	nd_release(&n);
	return err;
}

START_TEST(refer_rules)
{
	layer(LL_MASK_FS, "/a", LL_MASK_FS, "/c", LL_MASK_FS & ~LL_FS_REFER, NULL);
	ck_assert_int_eq(refer("/a/b/f", "/a/g"), 0);           /* REFER granted on both */
	ck_assert_int_eq(refer("/a/b/f", "/c/g"), -EXDEV);      /* no REFER on /c */
	ck_assert_int_eq(refer("/a/b/f", "/a/b/g"), 0);         /* same directory */
	ck_assert_int_eq(refer("/a/b/f", "/g"), -EACCES);       /* nothing granted there */
}
END_TEST

Suite *landlock_suite(void)
{
	Suite *s = suite_create("landlock");
	TCase *tc = tcase_create("walk");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, mount_root_covers);
	tcase_add_test(tc, above_mount_covers);
	tcase_add_test(tc, hidden_dir_does_not);
	tcase_add_test(tc, layers_combine);
	tcase_add_test(tc, refer_rules);
	suite_add_tcase(s, tc);
	return s;
}
