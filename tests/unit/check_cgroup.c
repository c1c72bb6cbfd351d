/* check_cgroup.c - the cgroup v2 pieces of cgroup/cgroup.c that need no
 * guest: "max"-or-number values as Linux parses them (memparse suffixes
 * for bytes, no negatives), and a cgroup's path as seen from a cgroup
 * namespace root ("/" for the root itself, "/.." per level above it, as
 * /proc/PID/cgroup and mountinfo show it). */
#include <check.h>
#include <string.h>
#include "../../umkernel/cgroup/cgroup.h"

START_TEST(parse_max)
{
	int64_t v;

	ck_assert_int_eq(cg_parse_max("max", true, &v), 0);
	ck_assert(v == CG_MAX);
	ck_assert_int_eq(cg_parse_max("12345", true, &v), 0);
	ck_assert(v == 12345);
	ck_assert_int_eq(cg_parse_max("64M", true, &v), 0);
	ck_assert(v == 64LL << 20);
	ck_assert_int_eq(cg_parse_max("1G", true, &v), 0);
	ck_assert(v == 1LL << 30);
	ck_assert_int_eq(cg_parse_max("1G", false, &v), -EINVAL);   /* a count has no suffix */
	ck_assert_int_eq(cg_parse_max("-1", true, &v), -EINVAL);
	ck_assert_int_eq(cg_parse_max("", true, &v), -EINVAL);
	ck_assert_int_eq(cg_parse_max("12x", true, &v), -EINVAL);
	ck_assert_int_eq(cg_parse_max("maxx", true, &v), -EINVAL);
	/* past 2^63: "max" */
	ck_assert_int_eq(cg_parse_max("99999999999999999999", false, &v), 0);
	ck_assert(v == CG_MAX);
	ck_assert_int_eq(cg_parse_max("9000000000T", true, &v), 0);
	ck_assert(v == CG_MAX);
}
END_TEST

START_TEST(path_from)
{
	static struct cgroup r, a, b, c, d;
	char buf[256];

	strcpy(a.name, "a"), a.parent = &r;
	strcpy(b.name, "b"), b.parent = &a;
	strcpy(c.name, "c"), c.parent = &r;
	strcpy(d.name, "d"), d.parent = &b;
	cgroup_path_from(&r, &r, buf, sizeof buf);
	ck_assert_str_eq(buf, "/");
	cgroup_path_from(&r, &b, buf, sizeof buf);
	ck_assert_str_eq(buf, "/a/b");
	cgroup_path_from(&b, &b, buf, sizeof buf);
	ck_assert_str_eq(buf, "/");
	cgroup_path_from(&b, &d, buf, sizeof buf);
	ck_assert_str_eq(buf, "/d");
	cgroup_path_from(&b, &r, buf, sizeof buf);
	ck_assert_str_eq(buf, "/../..");
	cgroup_path_from(&b, &c, buf, sizeof buf);
	ck_assert_str_eq(buf, "/../../c");
	/* a short buffer is cut, never overrun */
	char small[6];
	memset(small, 'x', sizeof small);
	cgroup_path_from(&b, &c, small, sizeof small);
	ck_assert_int_lt(strlen(small), sizeof small);
}
END_TEST

Suite *cgroup_suite(void)
{
	Suite *s = suite_create("cgroup");
	TCase *tc = tcase_create("cgroup");

	tcase_add_test(tc, parse_max);
	tcase_add_test(tc, path_from);
	suite_add_tcase(s, tc);
	return s;
}
