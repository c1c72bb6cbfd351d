/*
 * check_debug.c - the debug subsystem's pieces that need no guest: the
 * syscall ring and its strace-style printing, the statistics table, the
 * `trace` filter, core_pattern, JSON strings, and the control socket's
 * command parser (unknown, empty, oversized and --json requests).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "unit_task.h"
#include "../../umkernel/debug/debug.h"

/* the text f(o) writes, malloc'd */
#define CAPTURE(var, stmt)                                  \
	do {                                                \
		size_t n_;                                  \
		FILE *o = open_memstream(&(var), &n_);      \
		stmt;                                       \
		fclose(o);                                  \
	} while (0)

static void ring_call(struct task *t, int nr, uint64_t a0, long ret)
{
	struct sysargs a = { .a = { a0 }, .nr = nr };
	debug_syscall_end(t, &a, ret);
}

START_TEST(ring_keeps_last_32_oldest_first)
{
	struct task *t = unit_task();
	for (int i = 0; i < 40; i++)
		ring_call(t, 3 /* close */, (uint64_t)i, i == 39 ? -EBADF : 0);
	char *text;
	int n;
	CAPTURE(text, n = syscall_ring_print(o, t, SYSCALL_RING_SIZE, "> "));
	ck_assert_int_eq(n, 32);
	/* the first shown is the 9th call (close(8)), the last close(39) */
	ck_assert_msg(!strncmp(text, "> close(8) = 0\n", 15), "got: %s", text);
	ck_assert_ptr_nonnull(strstr(text, "> close(39) = -1 EBADF (Bad file descriptor)\n"));
	ck_assert_ptr_null(strstr(text, "close(7)"));
	free(text);
	CAPTURE(text, n = syscall_ring_print(o, t, 2, ""));
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(text, "close(38) = 0\nclose(39) = -1 EBADF (Bad file descriptor)\n");
	free(text);
}
END_TEST

START_TEST(ring_prints_no_guest_memory)
{
	struct task *t = unit_task();
	struct sysargs a = { .a = { (uint64_t)-100, 0x1234, O_RDONLY }, .nr = 257 };
	debug_syscall_end(t, &a, 3);
	char *text;
	CAPTURE(text, syscall_ring_print(o, t, 1, ""));
	ck_assert_str_eq(text, "openat(AT_FDCWD, 0x1234, O_RDONLY) = 3\n");
	free(text);
}
END_TEST

START_TEST(stats_count_calls_and_errors)
{
	struct task *t = unit_task();
	syscall_stats_enable();
	syscall_stats_reset();
	for (int i = 0; i < 5; i++) {
		struct sysargs a = { .nr = 110 /* getppid */ };
		debug_syscall_begin(t, &a);
		ck_assert(t->syscall_t0 != 0);
		debug_syscall_end(t, &a, 1);
		ck_assert(t->syscall_t0 == 0);
	}
	for (int i = 0; i < 3; i++) {
		struct sysargs a = { .a = { (uint64_t)-1 }, .nr = 3 };
		debug_syscall_begin(t, &a);
		debug_syscall_end(t, &a, -EBADF);
	}
	char *text;
	CAPTURE(text, syscall_stats_print(o, false));
	ck_assert_ptr_nonnull(strstr(text, "% time     seconds  usecs/call     calls    errors  worst us syscall\n"));
	char *row = strstr(text, " getppid\n");
	ck_assert_ptr_nonnull(row);
	while (row > text && row[-1] != '\n')
		row--;
	unsigned long long calls;
	ck_assert_int_eq(sscanf(row, "%*f %*f %*u %llu", &calls), 1);
	ck_assert_int_eq(calls, 5);
	ck_assert_ptr_nonnull(strstr(text, " total\n"));
	free(text);
	CAPTURE(text, syscall_stats_print(o, true));
	ck_assert_ptr_nonnull(strstr(text, "{\"syscall\":\"close\",\"nr\":3,\"calls\":3,\"errors\":3,"));
	ck_assert_ptr_nonnull(strstr(text, "{\"syscall\":\"getppid\",\"nr\":110,\"calls\":5,\"errors\":0,"));
	free(text);
	syscall_stats_reset();
	CAPTURE(text, syscall_stats_print(o, true));
	ck_assert_str_eq(text, "[]\n");
	free(text);
}
END_TEST

START_TEST(trace_filter)
{
	const char *bad = NULL;
	ck_assert_int_eq(strace_set(true, "openat,%signal", &bad), 0);
	ck_assert(strace_wanted(257));
	ck_assert(strace_wanted(62));    /* kill: %signal */
	ck_assert(!strace_wanted(0));    /* read */
	ck_assert_int_eq(strace_set(true, "openat,nonesuch", &bad), -EINVAL);
	ck_assert_str_eq(bad, "nonesuch");
	ck_assert_int_eq(strace_set(true, "read,,write", &bad), -EINVAL);
	ck_assert_int_eq(strace_set(true, NULL, &bad), 0);
	ck_assert(strace_wanted(0));
	ck_assert_ptr_eq(strace_out, stderr);
	ck_assert_int_eq(strace_set(false, NULL, &bad), 0);
	ck_assert_ptr_null(strace_out);
}
END_TEST

START_TEST(core_pattern_is_one_line)
{
	ck_assert_str_eq(coredump_pattern(), "core");
	ck_assert_int_eq(coredump_set_pattern("/tmp/core.%e.%p\n", 16), 0);
	ck_assert_str_eq(coredump_pattern(), "/tmp/core.%e.%p");
	char big[200];
	memset(big, 'x', sizeof big);
	ck_assert_int_eq(coredump_set_pattern(big, sizeof big), -EINVAL);
	ck_assert_str_eq(coredump_pattern(), "/tmp/core.%e.%p");
	ck_assert_int_eq(coredump_set_pattern("core", 4), 0);
}
END_TEST

START_TEST(json_strings)
{
	char *text;
	CAPTURE(text, json_str(o, "a\"b\\c\nd\te\x01\xff"));
	ck_assert_str_eq(text, "\"a\\\"b\\\\c\\nd\\te\\u0001\\u00ff\"");
	free(text);
}
END_TEST

START_TEST(control_requests)
{
	char *text;
	bool json;
	int err;
	CAPTURE(text, err = control_command("frobnicate now", o, &json));
	ck_assert_int_eq(err, -EINVAL);
	ck_assert_str_eq(text, "unknown command 'frobnicate' (try 'help')\n");
	free(text);
	CAPTURE(text, err = control_command("frobnicate --json", o, &json));
	ck_assert(json);
	ck_assert_str_eq(text, "{\"error\":\"unknown command 'frobnicate' (try 'help')\"}\n");
	free(text);
	CAPTURE(text, err = control_command("   ", o, &json));
	ck_assert_int_eq(err, -EINVAL);
	free(text);
	CAPTURE(text, err = control_command("ps a b c d e f g h i j k l m n o p q", o, &json));
	ck_assert_int_eq(err, -E2BIG);
	free(text);
	CAPTURE(text, err = control_command("help --json", o, &json));
	ck_assert_int_eq(err, 0);
	ck_assert_msg(text[0] == '[' && strstr(text, "\"stack TID\""), "got %s", text);
	free(text);
	CAPTURE(text, err = control_command("stack 12x", o, &json));
	ck_assert_int_eq(err, -ESRCH);
	ck_assert_str_eq(text, "stack: no task 12x\n");
	free(text);
	CAPTURE(text, err = control_command("maps", o, &json));
	ck_assert_int_eq(err, -EINVAL);
	free(text);
	CAPTURE(text, err = control_command("trace sideways", o, &json));
	ck_assert_int_eq(err, -EINVAL);
	free(text);
	/* no guest: an empty process list */
	CAPTURE(text, err = control_command("ps --json", o, &json));
	ck_assert_int_eq(err, 0);
	ck_assert_str_eq(text, "[]\n");
	free(text);
}
END_TEST

Suite *debug_suite(void)
{
	Suite *s = suite_create("debug");
	TCase *tc = tcase_create("debug");
	tcase_add_test(tc, ring_keeps_last_32_oldest_first);
	tcase_add_test(tc, ring_prints_no_guest_memory);
	tcase_add_test(tc, stats_count_calls_and_errors);
	tcase_add_test(tc, trace_filter);
	tcase_add_test(tc, core_pattern_is_one_line);
	tcase_add_test(tc, json_strings);
	tcase_add_test(tc, control_requests);
	suite_add_tcase(s, tc);
	return s;
}
