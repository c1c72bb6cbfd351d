/*
 * check_seccomp.c - the classic-BPF checker and interpreter of guest
 * seccomp filters (umkernel/kernel/seccomp.c): every ALU operation and
 * jump against hand-computed results, loads of seccomp_data, scratch
 * memory, and the programs Linux's verifier refuses.
 */
#include <check.h>
#include <stddef.h>
#include <string.h>
#include "../../umkernel/kernel/ptrace.h"

#define S(c, k) { (uint16_t)(c), 0, 0, (uint32_t)(k) }
#define J(c, k, t, f) { (uint16_t)(c), (uint8_t)(t), (uint8_t)(f), (uint32_t)(k) }
enum { LD = 0x00, LDX = 0x01, ST = 0x02, STX = 0x03, ALU = 0x04, JMP = 0x05, RET = 0x06, MISC = 0x07,
       W = 0x00, H = 0x08, B = 0x10, IMM = 0x00, ABS = 0x20, IND = 0x40, MEM = 0x60, LEN = 0x80,
       ADD = 0x00, SUB = 0x10, MUL = 0x20, DIV = 0x30, OR = 0x40, AND = 0x50, LSH = 0x60,
       RSH = 0x70, NEG = 0x80, MOD = 0x90, XOR = 0xa0, JA = 0x00, JEQ = 0x10, JGT = 0x20,
       JGE = 0x30, JSET = 0x40, K = 0x00, X = 0x08, A = 0x10, TAX = 0x00, TXA = 0x80 };

static struct linux_seccomp_data data(int nr, uint64_t a0)
{
	struct linux_seccomp_data d;
	memset(&d, 0, sizeof d);
	d.nr = nr;
	d.arch = LINUX_AUDIT_ARCH_X86_64;
	d.instruction_pointer = 0x401000;
	d.args[0] = a0;
	d.args[1] = 0x123456789abcdef0ULL;
	return d;
}

/* checks and runs prog; the verdict */
static uint32_t run(struct linux_sock_filter *p, int n, const struct linux_seccomp_data *d)
{
	ck_assert_int_eq(seccomp_check_prog(p, n), 0);
	return seccomp_run_prog(p, n, d);
}

START_TEST(alu_k_and_x)
{
	struct linux_seccomp_data d = data(39, 7);
	/* A = ((args[0] + 3) * 5 - 2) / 4 = (10 * 5 - 2) / 4 = 12 */
	struct linux_sock_filter p1[] = {
		S(LD | W | ABS, offsetof(struct linux_seccomp_data, args[0])),
		S(ALU | ADD | K, 3), S(ALU | MUL | K, 5), S(ALU | SUB | K, 2), S(ALU | DIV | K, 4),
		S(RET | A, 0),
	};
	ck_assert_uint_eq(run(p1, 6, &d), 12);
	/* the same with X */
	struct linux_sock_filter p2[] = {
		S(LD | W | ABS, offsetof(struct linux_seccomp_data, args[0])),
		S(LDX | IMM, 3), S(ALU | ADD | X, 0), S(LDX | IMM, 5), S(ALU | MUL | X, 0),
		S(LDX | IMM, 2), S(ALU | SUB | X, 0), S(LDX | IMM, 4), S(ALU | DIV | X, 0),
		S(RET | A, 0),
	};
	ck_assert_uint_eq(run(p2, 10, &d), 12);
	/* bit operations, shifts, negation, TAX/TXA */
	struct linux_sock_filter p3[] = {
		S(LD | IMM, 0xf0f0), S(ALU | AND | K, 0xff00), S(ALU | OR | K, 0x1), S(ALU | XOR | K, 0x3),
		S(ALU | LSH | K, 4), S(ALU | RSH | K, 8), S(MISC | TAX, 0), S(LD | IMM, 0),
		S(MISC | TXA, 0), S(ALU | NEG, 0), S(RET | A, 0),
	};
	/* ((0xf0f0 & 0xff00) | 1) ^ 3 = 0xf002; << 4 = 0xf0020; >> 8 = 0xf00; -0xf00 */
	ck_assert_uint_eq(run(p3, 11, &d), (uint32_t)-0xf00);
	/* a division by X == 0 gives 0, as Linux's */
	struct linux_sock_filter p4[] = { S(LD | IMM, 9), S(LDX | IMM, 0), S(ALU | DIV | X, 0), S(RET | A, 0) };
	ck_assert_uint_eq(run(p4, 4, &d), 0);
	/* shifts by X of 32 or more give 0 */
	struct linux_sock_filter p5[] = { S(LD | IMM, 9), S(LDX | IMM, 40), S(ALU | LSH | X, 0), S(RET | A, 0) };
	ck_assert_uint_eq(run(p5, 4, &d), 0);
}
END_TEST

START_TEST(loads_and_memory)
{
	struct linux_seccomp_data d = data(231, 0);
	struct linux_sock_filter p[] = {
		S(LD | W | ABS, offsetof(struct linux_seccomp_data, args[1]) + 4),  /* high half */
		S(ST, 3),
		S(LD | W | ABS, offsetof(struct linux_seccomp_data, args[1])),      /* low half */
		S(LDX | MEM, 3),
		S(ALU | XOR | X, 0),
		S(RET | A, 0),
	};
	ck_assert_uint_eq(run(p, 6, &d), 0x12345678u ^ 0x9abcdef0u);
	/* a length load is sizeof(struct seccomp_data) */
	struct linux_sock_filter l[] = { S(LD | W | LEN, 0), S(RET | A, 0) };
	ck_assert_uint_eq(run(l, 2, &d), 64);
	struct linux_sock_filter lx[] = { S(LDX | W | LEN, 0), S(MISC | TXA, 0), S(RET | A, 0) };
	ck_assert_uint_eq(run(lx, 3, &d), 64);
	struct linux_sock_filter arch[] = { S(LD | W | ABS, offsetof(struct linux_seccomp_data, arch)), S(RET | A, 0) };
	ck_assert_uint_eq(run(arch, 2, &d), LINUX_AUDIT_ARCH_X86_64);
}
END_TEST

START_TEST(jumps)
{
	/* nr == 39 ? (args[0] > 5 ? 1 : 2) : (args[0] & 4 ? 3 : 4), then JA */
	struct linux_sock_filter p[] = {
		S(LD | W | ABS, 0),
		J(JMP | JEQ | K, 39, 0, 4),
		S(LD | W | ABS, offsetof(struct linux_seccomp_data, args[0])),
		J(JMP | JGT | K, 5, 0, 1),
		S(RET | K, 1),
		S(RET | K, 2),
		S(LD | W | ABS, offsetof(struct linux_seccomp_data, args[0])),
		J(JMP | JSET | K, 4, 0, 2),
		S(JMP | JA, 2),
		S(RET | K, 99),
		S(RET | K, 4),
		S(LDX | IMM, 3),
		J(JMP | JGE | X, 0, 0, 1),
		S(RET | K, 3),
		S(RET | K, 5),
	};
	int n = sizeof p / sizeof p[0];
	struct linux_seccomp_data d;
	d = data(39, 6); ck_assert_uint_eq(run(p, n, &d), 1);
	d = data(39, 5); ck_assert_uint_eq(run(p, n, &d), 2);
	d = data(40, 4); ck_assert_uint_eq(run(p, n, &d), 3);   /* JSET, JA, A = 4 >= X = 3 */
	d = data(40, 3); ck_assert_uint_eq(run(p, n, &d), 4);
}
END_TEST

START_TEST(refused)
{
	struct { const char *what; struct linux_sock_filter p[4]; int n; } bad[] = {
		{ "no ret at the end", { S(LD | IMM, 0) }, 1 },
		{ "byte load", { S(LD | B | ABS, 0), S(RET | A, 0) }, 2 },
		{ "half load", { S(LD | H | ABS, 0), S(RET | A, 0) }, 2 },
		{ "indirect load", { S(LD | W | IND, 0), S(RET | A, 0) }, 2 },
		{ "msh", { S(LDX | B | 0xa0, 0), S(RET | A, 0) }, 2 },
		{ "load past the data", { S(LD | W | ABS, 64), S(RET | A, 0) }, 2 },
		{ "unaligned load", { S(LD | W | ABS, 6), S(RET | A, 0) }, 2 },
		{ "mod", { S(ALU | MOD | K, 2), S(RET | A, 0) }, 2 },
		{ "division by 0", { S(ALU | DIV | K, 0), S(RET | A, 0) }, 2 },
		{ "shift by 32", { S(ALU | RSH | K, 32), S(RET | A, 0) }, 2 },
		{ "cell 16", { S(LD | IMM, 0), S(ST, 16), S(RET | A, 0) }, 3 },
		{ "cell read unwritten", { S(LD | MEM, 0), S(RET | A, 0) }, 2 },
		{ "jump past the end", { J(JMP | JEQ | K, 0, 3, 0), S(RET | A, 0) }, 2 },
		{ "ja past the end", { S(JMP | JA, 1), S(RET | A, 0) }, 2 },
		{ "unknown class code", { S(0xffff, 0), S(RET | A, 0) }, 2 },
		{ "empty", { S(RET | A, 0) }, 0 },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(seccomp_check_prog(bad[i].p, bad[i].n) == -EINVAL, "accepted: %s", bad[i].what);
	/* a cell written on every path to its read is fine */
	struct linux_sock_filter ok[] = {
		S(LD | W | ABS, 0), J(JMP | JEQ | K, 1, 0, 2), S(ST, 2), S(JMP | JA, 1), S(ST, 2),
		S(LD | MEM, 2), S(RET | A, 0),
	};
	ck_assert_int_eq(seccomp_check_prog(ok, 7), 0);
}
END_TEST

Suite *seccomp_suite(void)
{
	Suite *s = suite_create("seccomp");
	TCase *tc = tcase_create("bpf");
	tcase_add_test(tc, alu_k_and_x);
	tcase_add_test(tc, loads_and_memory);
	tcase_add_test(tc, jumps);
	tcase_add_test(tc, refused);
	suite_add_tcase(s, tc);
	return s;
}
