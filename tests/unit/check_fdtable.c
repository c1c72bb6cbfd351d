/* check_fdtable.c - the fd table: lowest free fd, RLIMIT_NOFILE, dup2-style
 * installs, close-on-exec, fork's copy sharing files. */
#include <check.h>
#include <sys/resource.h>
#include "unit_task.h"

static const struct file_ops nops;

START_TEST(lowest_free)
{
	struct task *t = unit_task();

	ck_assert_int_eq(fd_install(t, 0, file_alloc(&nops, O_RDONLY, "a"), false), 0);
	ck_assert_int_eq(fd_install(t, 0, file_alloc(&nops, O_RDONLY, "b"), false), 1);
	ck_assert_int_eq(fd_install(t, 0, file_alloc(&nops, O_RDONLY, "c"), false), 2);
	ck_assert_int_eq(fd_close(t, 1), 0);
	ck_assert_int_eq(fd_close(t, 1), -EBADF);
	ck_assert_int_eq(fd_install(t, 0, file_alloc(&nops, O_RDONLY, "d"), false), 1);
	ck_assert_int_eq(fd_install(t, 10, file_alloc(&nops, O_RDONLY, "e"), true), 10);
	ck_assert_int_eq(fd_install(t, 3, file_alloc(&nops, O_RDONLY, "f"), false), 3);
	struct file *f = fd_get(t, 1);
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->path, "d");
	ck_assert_int_eq(f->refs, 2);
	file_put(f);
	ck_assert_ptr_null(fd_get(t, 4));
	ck_assert_ptr_null(fd_get(t, -1));
	ck_assert_ptr_null(fd_get(t, 100000));
}
END_TEST

START_TEST(rlimit_nofile)
{
	struct task *t = unit_task();
	int i;

	t->tg->rlim[RLIMIT_NOFILE].rlim_cur = 5;
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(fd_install(t, 0, file_alloc(&nops, 0, "x"), false), i);
	ck_assert_int_eq(fd_install(t, 0, file_alloc(&nops, 0, "x"), false), -EMFILE);
	ck_assert_int_eq(fd_install(t, 7, file_alloc(&nops, 0, "x"), false), -EINVAL);
	ck_assert_int_eq(fd_install_at(t, 5, file_alloc(&nops, 0, "x"), false), -EBADF);
	t->tg->rlim[RLIMIT_NOFILE].rlim_cur = 5000;
	ck_assert_int_eq(fd_install(t, 3000, file_alloc(&nops, 0, "x"), false), 3000);
}
END_TEST

START_TEST(install_at_and_cloexec)
{
	struct task *t = unit_task();
	struct file *a = file_alloc(&nops, 0, "a"), *b = file_alloc(&nops, 0, "b");

	ck_assert_int_eq(fd_install(t, 0, file_get(a), true), 0);
	ck_assert_int_eq(fd_install_at(t, 5, file_get(a), false), 5);
	ck_assert_int_eq(a->refs, 3);
	ck_assert_int_eq(fd_install_at(t, 5, file_get(b), true), 5);   /* replaces */
	ck_assert_int_eq(a->refs, 2);
	ck_assert_int_eq(t->files->cloexec[5], 1);

	struct fdtable *copy = fdtable_dup(t->files);
	ck_assert_int_eq(a->refs, 3);
	ck_assert_int_eq(copy->cloexec[0], 1);
	fd_close_on_exec(copy);
	ck_assert_ptr_null(copy->files[0]);
	ck_assert_ptr_null(copy->files[5]);
	ck_assert_int_eq(a->refs, 2);
	fdtable_put(copy);
	file_put(a);
	file_put(b);
	t->files->refs = 1;
	fdtable_put(t->files);
}
END_TEST

Suite *fdtable_suite(void)
{
	Suite *s = suite_create("fdtable");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, lowest_free);
	tcase_add_test(tc, rlimit_nofile);
	tcase_add_test(tc, install_at_and_cloexec);
	suite_add_tcase(s, tc);
	return s;
}
