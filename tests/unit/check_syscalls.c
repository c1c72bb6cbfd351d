/*
 * check_syscalls.c - the one syscall table against the host's
 * <asm/unistd_64.h>, and its internal consistency: every row that claims
 * support has a handler, every handler-less row says NONE or ERRNO.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <asm/unistd_64.h>
#include "../../guest-abi/syscall_table.h"

START_TEST(numbers_match_host)
{
	struct { int nr; const char *name; } host[] = {
#define H(n) { __NR_##n, #n },
		H(read) H(write) H(open) H(close) H(mmap) H(rt_sigreturn) H(clone) H(fork)
		H(execve) H(exit) H(wait4) H(kill) H(getdents64) H(openat) H(newfstatat)
		H(exit_group) H(statx) H(faccessat2) H(clone3) H(pidfd_open) H(rseq)
		H(futex) H(pselect6) H(ppoll) H(restart_syscall) H(arch_prctl)
		H(close_range) H(openat2) H(epoll_pwait2) H(memfd_secret)
#undef H
	};
	for (size_t i = 0; i < sizeof host / sizeof host[0]; i++) {
		ck_assert_ptr_nonnull(syscall_table[host[i].nr].name);
		ck_assert_str_eq(syscall_table[host[i].nr].name, host[i].name);
		ck_assert_int_eq(syscall_lookup(host[i].name), host[i].nr);
	}
}
END_TEST

/* Every __NR_ the host header defines is in the table under its name. */
START_TEST(every_host_syscall_present)
{
	FILE *f = fopen("/usr/include/x86_64-linux-gnu/asm/unistd_64.h", "r");
	if (!f)
		f = fopen("/usr/include/asm/unistd_64.h", "r");
	ck_assert_ptr_nonnull(f);
	char line[256], name[128];
	int nr, seen = 0;
	while (fgets(line, sizeof line, f)) {
		if (sscanf(line, "#define __NR_%127s %d", name, &nr) != 2)
			continue;
		ck_assert_int_lt(nr, SYSCALL_NR_MAX);
		ck_assert_msg(syscall_table[nr].name && !strcmp(syscall_table[nr].name, name),
			      "syscall %d: table says %s, host says %s", nr,
			      syscall_table[nr].name ? syscall_table[nr].name : "(none)", name);
		seen++;
	}
	fclose(f);
	ck_assert_int_gt(seen, 300);
}
END_TEST

START_TEST(status_matches_handlers)
{
	for (int i = 0; i < SYSCALL_NR_MAX; i++) {
		const struct syscall_desc *d = &syscall_table[i];
		if (!d->name)
			continue;
		if (d->status == SYS_FULL || d->status == SYS_PARTIAL)
			ck_assert_msg(d->handler != NULL, "%s claims support but has no handler", d->name);
		if (d->status == SYS_NONE)
			ck_assert_msg(d->handler == NULL, "%s has a handler but status NONE", d->name);
		if (d->status == SYS_PARTIAL || d->status == SYS_ERRNO)
			ck_assert_msg(d->note && *d->note, "%s: partial/errno rows need a note", d->name);
		if (d->status == SYS_ERRNO)
			ck_assert_int_gt(d->err, 0);
		ck_assert_int_le(d->nargs, 6);
	}
}
END_TEST

START_TEST(kinds_are_known)
{
	for (int i = 0; i < SYSCALL_NR_MAX; i++)
		for (int k = 0; k < 6; k++)
			ck_assert_int_lt(syscall_table[i].kind[k], SYSARG_KIND_MAX);
	ck_assert_str_eq(sysarg_kind_name(PATH), "PATH");
	ck_assert_int_eq(syscall_table[257].kind[0], ATFD);  /* openat(dirfd, ...) */
	ck_assert_int_eq(syscall_table[257].kind[1], PATH);
	ck_assert_int_eq(syscall_lookup("no_such_call"), -1);
}
END_TEST

Suite *syscalls_suite(void)
{
	Suite *s = suite_create("syscall table");
	TCase *tc = tcase_create("table");
	tcase_add_test(tc, numbers_match_host);
	tcase_add_test(tc, every_host_syscall_present);
	tcase_add_test(tc, status_matches_handlers);
	tcase_add_test(tc, kinds_are_known);
	suite_add_tcase(s, tc);
	return s;
}
