/* check_vfs.c - path walking against a tmpfs-backed mount table:
 * normalisation, "..", symlinks (relative, absolute, loops), ENOTDIR,
 * ENAMETOOLONG, mount crossing, and vfs_open's flag checks. */
#include <check.h>
#include <fcntl.h>
#include <sys/stat.h>
#include "unit_task.h"

static struct task *t;
static struct mount *root;

static void setup(void)
{
	struct file *f;

	t = unit_task();
	ck_assert_int_eq(vfs_mount("/", &tmpfs_ops, tmpfs_new(0755), "tmpfs", "none"), 0);
	root = vfs_find_mount("/", NULL, NULL);
	ck_assert_int_eq(root->ops->mkdir(root, "a", 0755), 0);
	ck_assert_int_eq(root->ops->mkdir(root, "a/b", 0755), 0);
	ck_assert_int_eq(root->ops->open(root, "f", O_CREAT | O_RDWR, 0644, &f), 0);
	file_put(f);
	ck_assert_int_eq(root->ops->symlink(root, "a/b", "rel"), 0);
	ck_assert_int_eq(root->ops->symlink(root, "/a", "abs"), 0);
	ck_assert_int_eq(root->ops->symlink(root, "loop", "loop"), 0);
	ck_assert_int_eq(root->ops->symlink(root, "../f", "a/up"), 0);
}

START_TEST(normalise)
{
	struct nameidata nd;

	ck_assert_int_eq(vfs_walk(t, AT_FDCWD, "/a/./b/../b//", 0, &nd), 0);
	ck_assert(nd.exists);
	ck_assert_str_eq(nd.abs, "/a/b");
	ck_assert_str_eq(nd.rel, "a/b");
	ck_assert(S_ISDIR(nd.st.mode));
	ck_assert_int_eq(vfs_walk(t, AT_FDCWD, "/../../a/..", 0, &nd), 0);
	ck_assert_str_eq(nd.abs, "/");
	ck_assert_str_eq(nd.rel, "");
	free(t->fs->cwd);
	t->fs->cwd = strdup("/a");
	ck_assert_int_eq(vfs_walk(t, AT_FDCWD, "b/new", 0, &nd), 0);
	ck_assert(!nd.exists);
	ck_assert_str_eq(nd.abs, "/a/b/new");
	ck_assert_int_eq(vfs_walk(t, AT_FDCWD, "", 0, &nd), -ENOENT);
	ck_assert_int_eq(vfs_walk(t, AT_FDCWD, "x/y", 0, &nd), -ENOENT);
}
END_TEST

START_TEST(symlinks)
{
	struct nameidata nd;

	ck_assert_int_eq(vfs_walk(t, AT_FDCWD, "/rel", 0, &nd), 0);
	ck_assert(S_ISLNK(nd.st.mode));
	ck_assert_str_eq(nd.abs, "/rel");
	ck_assert_int_eq(vfs_walk(t, AT_FDCWD, "/rel", WALK_FOLLOW, &nd), 0);
	ck_assert_str_eq(nd.abs, "/a/b");
	ck_assert_int_eq(vfs_walk(t, AT_FDCWD, "/rel/", 0, &nd), 0);   /* trailing slash follows */
	ck_assert_str_eq(nd.abs, "/a/b");
	ck_assert_int_eq(vfs_walk(t, AT_FDCWD, "/abs/b/x", 0, &nd), 0);
	ck_assert(!nd.exists);
	ck_assert_str_eq(nd.abs, "/a/b/x");
	ck_assert_int_eq(vfs_walk(t, AT_FDCWD, "/a/up", WALK_FOLLOW, &nd), 0);
	ck_assert_str_eq(nd.abs, "/f");
	ck_assert_int_eq(vfs_walk(t, AT_FDCWD, "/loop", WALK_FOLLOW, &nd), -ELOOP);
	ck_assert_int_eq(vfs_walk(t, AT_FDCWD, "/loop", 0, &nd), 0);
	ck_assert_int_eq(vfs_walk(t, AT_FDCWD, "/loop/x", 0, &nd), -ELOOP);
}
END_TEST

START_TEST(errors)
{
	struct nameidata nd;
	char longname[300];

	ck_assert_int_eq(vfs_walk(t, AT_FDCWD, "/f/x", 0, &nd), -ENOTDIR);
	ck_assert_int_eq(vfs_walk(t, AT_FDCWD, "/f/", 0, &nd), -ENOTDIR);
	ck_assert_int_eq(vfs_walk(t, AT_FDCWD, "/f", WALK_DIRECTORY, &nd), -ENOTDIR);
	memset(longname, 'x', 299);
	longname[299] = 0;
	ck_assert_int_eq(vfs_walk(t, AT_FDCWD, longname, 0, &nd), -ENAMETOOLONG);
	ck_assert_int_eq(vfs_walk(t, 42, "x", 0, &nd), -EBADF);
}
END_TEST

START_TEST(mounts_crossed)
{
	struct nameidata nd;
	struct mount *m2;

	ck_assert_int_eq(root->ops->mkdir(root, "a/mnt", 0755), 0);
	ck_assert_int_eq(vfs_mount("/a/mnt", &tmpfs_ops, tmpfs_new(01777), "tmpfs", "none"), 0);
	m2 = vfs_find_mount("/a/mnt/z", NULL, NULL);
	ck_assert_ptr_ne(m2, root);
	ck_assert_ptr_eq(vfs_find_mount("/a/mntx", NULL, NULL), root);
	ck_assert_int_eq(m2->ops->mkdir(m2, "z", 0755), 0);
	ck_assert_int_eq(vfs_walk(t, AT_FDCWD, "/a/mnt/z/../z", 0, &nd), 0);
	ck_assert_ptr_eq(nd.mnt, m2);
	ck_assert_str_eq(nd.rel, "z");
	ck_assert_int_eq(vfs_walk(t, AT_FDCWD, "/a/mnt/..", 0, &nd), 0);
	ck_assert_str_eq(nd.abs, "/a");
	ck_assert_int_eq(vfs_walk(t, AT_FDCWD, "/a/mnt", 0, &nd), 0);
	ck_assert_str_eq(nd.rel, "");
	ck_assert_uint_eq(nd.st.mode & 07777, 01777);
	ck_assert_int_eq(vfs_umount("/a/mnt"), 0);
	ck_assert_int_eq(vfs_walk(t, AT_FDCWD, "/a/mnt/z", 0, &nd), 0);
	ck_assert(!nd.exists);
}
END_TEST

START_TEST(open_flags)
{
	struct file *f;

	ck_assert_int_eq(vfs_open(t, AT_FDCWD, "/f", O_CREAT | O_EXCL | O_RDWR, 0600, &f), -EEXIST);
	ck_assert_int_eq(vfs_open(t, AT_FDCWD, "/f", O_RDONLY | O_DIRECTORY, 0, &f), -ENOTDIR);
	ck_assert_int_eq(vfs_open(t, AT_FDCWD, "/a", O_WRONLY, 0, &f), -EISDIR);
	ck_assert_int_eq(vfs_open(t, AT_FDCWD, "/rel", O_RDONLY | O_NOFOLLOW, 0, &f), -ELOOP);
	ck_assert_int_eq(vfs_open(t, AT_FDCWD, "/nope", O_RDONLY, 0, &f), -ENOENT);
	ck_assert_int_eq(vfs_open(t, AT_FDCWD, "/nodir/x", O_CREAT | O_RDWR, 0644, &f), -ENOENT);
	ck_assert_int_eq(vfs_open(t, AT_FDCWD, "/a/b/new", O_CREAT | O_RDWR, 0666, &f), 0);
	ck_assert_str_eq(f->path, "/a/b/new");
	int64_t pos = 0;
	ck_assert_int_eq(f->ops->write(t, f, "hello", 5, &pos), 5);
	struct kstat st;
	ck_assert_int_eq(f->ops->fstat(f, &st), 0);
	ck_assert_uint_eq(st.mode, S_IFREG | 0644);
	ck_assert_uint_eq(st.size, 5);
	file_put(f);
	ck_assert_int_eq(vfs_open(t, AT_FDCWD, "/a/b/new", O_RDWR | O_TRUNC, 0, &f), 0);
	ck_assert_int_eq(f->ops->fstat(f, &st), 0);
	ck_assert_uint_eq(st.size, 0);
	file_put(f);
	ck_assert_int_eq(vfs_open(t, AT_FDCWD, "/a", O_RDONLY, 0, &f), 0);
	ck_assert_int_eq(file_getdents(f), 0);
	ck_assert_uint_eq(f->ndents, 4);      /* . .. b up */
	file_put(f);
}
END_TEST

Suite *vfs_suite(void)
{
	Suite *s = suite_create("vfs");
	TCase *tc = tcase_create("walk");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, normalise);
	tcase_add_test(tc, symlinks);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, mounts_crossed);
	tcase_add_test(tc, open_flags);
	suite_add_tcase(s, tc);
	return s;
}
