/* check_notify.c - the fsnotify hooks and inotify's queue, driven
 * through the VFS on tmpfs mounts: a directory's watch hears of a name
 * created, opened and closed in it, an unmount ends every watch on the
 * filesystem with IN_UNMOUNT and IN_IGNORED (the guest tests cannot
 * unmount), and identical events in a row are merged. */
#include <check.h>
#include <fcntl.h>
#include <sys/stat.h>
#include "unit_task.h"

long sys_inotify_init1(struct task *t, struct sysargs *a);

static struct task *t;
static struct file *ino;

/* A watch on path's inode, added as inotify_add_watch would. */
static void watch(const char *path, int wd)
{
	struct nameidata nd;
	struct fsnotify_mark *m = calloc(1, sizeof(*m));

	ck_assert_int_eq(vfs_walk(t, AT_FDCWD, path, WALK_FOLLOW, &nd), 0);
	m->dev = nd.st.dev;
	m->ino = nd.st.ino;
	m->isdir = S_ISDIR(nd.st.mode);
	m->mask = IN_ALL_EVENTS_;
	m->wd = wd;
	m->group = ino->priv;
	fsnotify_add_mark(m);
	nd_release(&nd);
}

/* The queued events as "wd:mask[:name]" words. */
static const char *events(void)
{
	static char out[1024];
	char buf[4096];
	int64_t pos = 0;
	ssize_t n = ino->ops->read(t, ino, buf, sizeof(buf), &pos);
	size_t o = 0;

	out[0] = 0;
	for (ssize_t i = 0; i < n;) {
		struct linux_inotify_event *e = (void *)(buf + i);

		o += snprintf(out + o, sizeof(out) - o, "%s%d:%x%s%s", o ? " " : "", e->wd, e->mask,
			      e->len ? ":" : "", e->len ? buf + i + sizeof(*e) : "");
		i += sizeof(*e) + e->len;
	}
	return out;
}

static void setup(void)
{
	struct sysargs a = { .a = { O_NONBLOCK } };
	struct mount *root;
	long fd;

	t = unit_task();
	current = t;
	ck_assert_int_eq(vfs_mount("/", &tmpfs_ops, tmpfs_new(0755), "tmpfs", "none"), 0);
	root = vfs_find_mount("/", NULL, NULL);
	ck_assert_int_eq(root->ops->mkdir(root, "mnt", 0755), 0);
	ck_assert_int_eq(vfs_mount("/mnt", &tmpfs_ops, tmpfs_new(0755), "tmpfs", "none"), 0);
	fd = sys_inotify_init1(t, &a);
	ck_assert_int_ge(fd, 0);
	ino = fd_get(t, fd);
}

START_TEST(names_and_unmount)
{
	struct file *f;

	watch("/mnt", 1);
	watch("/", 2);
	ck_assert_str_eq(events(), "");
	ck_assert_int_eq(vfs_open(t, AT_FDCWD, "/mnt/f", O_CREAT | O_WRONLY, 0644, &f), 0);
	file_put(f);
	/* IN_CREATE, IN_OPEN, IN_CLOSE_WRITE for "f" to the directory's watch */
	ck_assert_str_eq(events(), "1:100:f 1:20:f 1:8:f");
	ck_assert_int_eq(vfs_umount("/mnt"), 0);
	/* IN_UNMOUNT|IN_ISDIR, then IN_IGNORED; the watch on / stays */
	ck_assert_str_eq(events(), "1:40002000 1:8000");
	ck_assert_int_eq(fsnotify_nr_marks, 1);
}
END_TEST

START_TEST(merge_and_parent_of_mount_root)
{
	struct file *f;

	watch("/", 2);
	ck_assert_int_eq(vfs_open(t, AT_FDCWD, "/g", O_CREAT | O_WRONLY, 0644, &f), 0);
	fsnotify_file(f, IN_MODIFY_);
	fsnotify_file(f, IN_MODIFY_);     /* the same as the last one: merged */
	fsnotify_file(f, IN_ATTRIB_);
	fsnotify_file(f, IN_MODIFY_);
	file_put(f);
	ck_assert_str_eq(events(), "2:100:g 2:20:g 2:2:g 2:4:g 2:2:g 2:8:g");
	/* /mnt is the root of its own mount: "/" hears nothing of its opening */
	ck_assert_int_eq(vfs_open(t, AT_FDCWD, "/mnt", O_RDONLY, 0, &f), 0);
	file_put(f);
	ck_assert_str_eq(events(), "");
}
END_TEST

Suite *notify_suite(void)
{
	Suite *s = suite_create("notify");
	TCase *tc = tcase_create("inotify");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, names_and_unmount);
	tcase_add_test(tc, merge_and_parent_of_mount_root);
	suite_add_tcase(s, tc);
	return s;
}
