/* check_pipe.c - the pipe's byte ring (umkernel/pipe_ring.h): fill and
 * drain, wrap-around, partial writes when full, resize keeping data and
 * refusing to shrink below it. */
#include <check.h>
#include <stdint.h>
#include "../../umkernel/fs/pipe_ring.h"

START_TEST(ring_fill_and_drain)
{
	struct pipe_ring r;
	char in[100], out[100];

	ck_assert_int_eq(ring_init(&r, 64), 0);
	for (int i = 0; i < 100; i++)
		in[i] = (char)i;
	ck_assert_uint_eq(ring_space(&r), 64);
	ck_assert_uint_eq(ring_write(&r, in, 100), 64);      /* only what fits */
	ck_assert_uint_eq(ring_space(&r), 0);
	ck_assert_uint_eq(ring_write(&r, in, 1), 0);
	ck_assert_uint_eq(ring_read(&r, out, 10), 10);
	ck_assert_mem_eq(out, in, 10);
	ck_assert_uint_eq(ring_read(&r, out, 100), 54);
	ck_assert_mem_eq(out, in + 10, 54);
	ck_assert_uint_eq(ring_read(&r, out, 1), 0);
	ring_free(&r);
}
END_TEST

START_TEST(ring_wraps)
{
	struct pipe_ring r;
	unsigned char in[48], out[48];
	unsigned next_in = 0, next_out = 0;

	ck_assert_int_eq(ring_init(&r, 64), 0);
	/* interleave writes and reads of odd sizes so head goes round often */
	for (int round = 0; round < 200; round++) {
		size_t w = 1 + round * 7 % 47, rd = 1 + round * 5 % 43, got;

		for (size_t i = 0; i < w; i++)
			in[i] = (unsigned char)(next_in + i);
		got = ring_write(&r, in, w);
		next_in += got;
		got = ring_read(&r, out, rd);
		for (size_t i = 0; i < got; i++)
			ck_assert_uint_eq(out[i], (unsigned char)(next_out + i));
		next_out += got;
		ck_assert_uint_eq(r.len, next_in - next_out);
		ck_assert(r.len <= r.cap);
	}
	ring_free(&r);
}
END_TEST

START_TEST(ring_resize_keeps_data)
{
	struct pipe_ring r;
	char buf[64], out[64];

	ck_assert_int_eq(ring_init(&r, 16), 0);
	memset(buf, 'a', 10);
	ring_write(&r, buf, 10);
	ring_read(&r, out, 8);           /* head moves to 8 */
	memcpy(buf, "0123456789ab", 12);
	ck_assert_uint_eq(ring_write(&r, buf, 12), 12);     /* wraps */
	ck_assert_int_eq(ring_resize(&r, 8), -EBUSY);       /* 14 bytes held */
	ck_assert_int_eq(ring_resize(&r, 32), 0);
	ck_assert_uint_eq(r.cap, 32);
	ck_assert_uint_eq(ring_space(&r), 18);
	ck_assert_uint_eq(ring_read(&r, out, 64), 14);
	ck_assert_mem_eq(out, "aa0123456789ab", 14);
	ring_free(&r);
}
END_TEST

Suite *pipe_suite(void)
{
	Suite *s = suite_create("pipe");
	TCase *tc = tcase_create("ring");

	tcase_add_test(tc, ring_fill_and_drain);
	tcase_add_test(tc, ring_wraps);
	tcase_add_test(tc, ring_resize_keeps_data);
	suite_add_tcase(s, tc);
	return s;
}
