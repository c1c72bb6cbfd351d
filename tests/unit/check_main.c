/*
 * check_main.c - runs every Check suite of tests/unit in one binary.
 * Suites are declared weak: a suite whose file is absent is skipped.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#define SUITES(X) X(syscalls) X(strace) X(vfs) X(overlay) X(fdtable) X(pipe) X(mm) X(fault) X(debug) X(net) X(ipc) \
	X(notify) X(seccomp) X(landlock) X(cgroup)
#define DECL(n) Suite *n##_suite(void) __attribute__((weak));
SUITES(DECL)

int main(void)
{
	SRunner *sr = NULL;
#define ADD(n) \
	if (n##_suite) { \
		if (!sr) \
			sr = srunner_create(n##_suite()); \
		else \
			srunner_add_suite(sr, n##_suite()); \
	}
	SUITES(ADD)
	if (!sr) {
		fprintf(stderr, "no suites\n");
		return 1;
	}
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
