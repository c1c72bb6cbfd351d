/*
 * check_fault.c - the fault-injection spec parser and decisions
 * (umkernel/debug/fault_spec.c, fault.c): strace's syscall sets and
 * classes from the one table, when=, DELAY, errno and signal names,
 * Linux's attributes (times, interval, probability) and the other
 * options' syntax, with their error messages.
 */
#include <check.h>
#include <string.h>
#include "../../umkernel/debug/fault_impl.h"
#include "../../umkernel/debug/campaign.h"
#include "unit_task.h"

static bool in(const struct sys_spec *s, const char *name)
{
	int nr = syscall_lookup(name);
	ck_assert_int_ge(nr, 0);
	return s->set[nr / 8] & (1 << (nr % 8));
}

static struct sys_spec *ok_spec(const char *text)
{
	char err[256] = "";
	struct sys_spec *s = parse_sys_spec(text, err, sizeof err);
	ck_assert_msg(s != NULL, "%s: %s", text, err);
	return s;
}

static void bad_spec(const char *text, const char *part)
{
	char err[256] = "";
	ck_assert_msg(parse_sys_spec(text, err, sizeof err) == NULL, "%s accepted", text);
	ck_assert_msg(strstr(err, part), "%s: message '%s' does not name '%s'", text, err, part);
}

START_TEST(classes_from_the_table)
{
	struct sys_spec *s = ok_spec("%creds:error=EPERM");
	ck_assert(in(s, "getuid") && in(s, "setresuid") && in(s, "capset") && !in(s, "openat"));
	s = ok_spec("%clock:error=EPERM");
	ck_assert(in(s, "clock_gettime") && in(s, "settimeofday") && !in(s, "nanosleep"));
	s = ok_spec("%%stat:error=EPERM");
	ck_assert(in(s, "stat") && in(s, "lstat") && in(s, "fstat") && in(s, "newfstatat") && in(s, "statx"));
	s = ok_spec("%stat:error=EPERM");
	ck_assert(in(s, "stat") && !in(s, "lstat") && !in(s, "fstat"));
	s = ok_spec("%fs:error=EPERM");
	ck_assert(in(s, "mount") && in(s, "statfs") && in(s, "sync") && !in(s, "openat"));
	s = ok_spec("%ipc:error=EPERM");
	ck_assert(in(s, "shmget") && in(s, "semop") && !in(s, "pipe"));
	s = ok_spec("%net:error=EPERM");
	ck_assert(in(s, "socket") && in(s, "connect"));
	s = ok_spec("%file,%desc:error=EPERM");
	ck_assert(in(s, "openat") && in(s, "read") && in(s, "unlink") && !in(s, "getpid"));
	s = ok_spec("%pure:retval=1");
	ck_assert(in(s, "getpid") && in(s, "getppid") && !in(s, "kill"));
}
END_TEST

START_TEST(set_syntax)
{
	struct sys_spec *s = ok_spec("!%file:error=EIO");
	ck_assert(!in(s, "openat") && in(s, "getpid"));
	s = ok_spec("all:error=EIO");
	ck_assert(in(s, "openat") && in(s, "getpid"));
	s = ok_spec("none:error=EIO");
	ck_assert(!in(s, "openat"));
	s = ok_spec("/^get.*id$:error=EIO");
	ck_assert(in(s, "getpid") && in(s, "getuid") && !in(s, "openat"));
	s = ok_spec("?nosuchcall,openat,2:error=EIO");
	ck_assert(in(s, "openat") && in(s, "open"));
	bad_spec("nosuchcall:error=EIO", "unknown syscall 'nosuchcall'");
	bad_spec("%nosuch:error=EIO", "unknown syscall class '%nosuch'");
	bad_spec("/^zzz:error=EIO", "matches no syscall");
	bad_spec("999:error=EIO", "no syscall has number 999");
	bad_spec(":error=EIO", "empty syscall set");
	bad_spec("open,,close:error=EIO", "empty name");
}
END_TEST

START_TEST(actions)
{
	struct sys_spec *s = ok_spec("openat:error=ENOENT:signal=SIGUSR1:delay_enter=20ms:delay_exit=1.5s");
	ck_assert(s->has_error && s->error == ENOENT && s->signal == SIGUSR1);
	ck_assert_uint_eq(s->delay_enter_ns, 20000000);
	ck_assert_uint_eq(s->delay_exit_ns, 1500000000);
	s = ok_spec("read:retval=42");
	ck_assert(s->has_retval && s->retval == 42);
	s = ok_spec("read:error=5");
	ck_assert_int_eq(s->error, EIO);
	s = ok_spec("read:delay_enter=300");
	ck_assert_uint_eq(s->delay_enter_ns, 300000);   /* strace: microseconds by default */
	bad_spec("read", "nothing to inject");
	bad_spec("read:error=ENOENT:retval=1", "exclude each other");
	bad_spec("read:error=ENOPE", "error=ENOPE");
	bad_spec("read:error=0", "error=0");
	bad_spec("read:error=4096", "error=4096");
	bad_spec("read:retval=-1", "retval=-1");
	bad_spec("read:signal=SIGNOPE", "signal=SIGNOPE");
	bad_spec("read:signal=65", "signal=65");
	bad_spec("read:delay_exit=1y", "delay_exit=1y");
	bad_spec("read:syscall=getpid", "syscall=");
	bad_spec("read:error=EIO:colour=red", "unknown key 'colour'");
	bad_spec("read:errorEIO", "expected KEY=VALUE");
}
END_TEST

START_TEST(names)
{
	ck_assert_int_eq(parse_errno_name("ENOENT"), ENOENT);
	ck_assert_int_eq(parse_errno_name("28"), ENOSPC);
	ck_assert_int_eq(parse_errno_name("ENOPE"), -1);
	ck_assert_int_eq(parse_signal_name("SIGUSR1"), SIGUSR1);
	ck_assert_int_eq(parse_signal_name("TERM"), SIGTERM);
	ck_assert_int_eq(parse_signal_name("9"), 9);
	ck_assert_int_eq(parse_signal_name("SIGRTMIN+2"), 34);
	ck_assert_int_eq(parse_signal_name("RTMAX"), 64);
	ck_assert_int_eq(parse_signal_name("0"), -1);
	ck_assert_str_eq(signal_name(SIGSEGV), "SIGSEGV");
	ck_assert_str_eq(signal_name(35), "SIGRTMIN+3");
	uint64_t ns;
	ck_assert(!parse_delay("1.5ms", &ns) && ns == 1500000);
	ck_assert(!parse_delay("7ns", &ns) && ns == 7);
	ck_assert(!parse_delay("2s", &ns) && ns == 2000000000);
	ck_assert(parse_delay("-1", &ns) && parse_delay("1 s", &ns) && parse_delay("", &ns));
	ck_assert(fault_glob_match("*.so*", "/lib/libc.so.6"));
	ck_assert(fault_glob_match("busybox", "/bin/busybox"));
	ck_assert(!fault_glob_match("/lib/*", "/usr/lib/x"));
}
END_TEST

START_TEST(when_syntax)
{
	struct sys_spec *s = ok_spec("read:error=EIO:when=3");
	ck_assert(s->attr.first == 3 && s->attr.last == 3 && s->attr.step == 1);
	s = ok_spec("read:error=EIO:when=3+");
	ck_assert(s->attr.first == 3 && s->attr.last == UINT32_MAX && s->attr.step == 1);
	s = ok_spec("read:error=EIO:when=3+4");
	ck_assert(s->attr.first == 3 && s->attr.last == UINT32_MAX && s->attr.step == 4);
	s = ok_spec("read:error=EIO:when=2..9");
	ck_assert(s->attr.first == 2 && s->attr.last == 9 && s->attr.step == 1);
	s = ok_spec("read:error=EIO:when=2..9+3");
	ck_assert(s->attr.first == 2 && s->attr.last == 9 && s->attr.step == 3);
	bad_spec("read:error=EIO:when=0", "when=0");
	bad_spec("read:error=EIO:when=5..3", "LAST is below FIRST");
	bad_spec("read:error=EIO:when=3+0", "STEP");
	bad_spec("read:error=EIO:when=x", "FIRST");
	bad_spec("read:error=EIO:when=3-4", "when=3-4");
}
END_TEST

/* Linux's should_fail() order: task filter, when=, times=, interval=,
 * probability= */
START_TEST(attributes_decide)
{
	struct task *t = unit_task();
	snprintf(t->comm, sizeof t->comm, "cat");
	fault_seed = 42;
	struct sys_spec *s = ok_spec("read:error=EIO:times=2");
	int fired = 0;
	for (int c = 1; c <= 10; c++)
		fired += attr_fires(&s->attr, t, (uint64_t)c, 1, (uint64_t)c);
	ck_assert_int_eq(fired, 2);
	s = ok_spec("read:error=EIO:interval=3");
	bool got[10] = { 0 };
	for (int c = 1; c <= 9; c++)
		got[c] = attr_fires(&s->attr, t, (uint64_t)c, 1, (uint64_t)c);
	ck_assert(!got[1] && !got[2] && got[3] && !got[4] && got[6] && got[9]);
	s = ok_spec("read:error=EIO:when=2..6+2");
	for (int c = 1; c <= 8; c++)
		ck_assert_int_eq(attr_fires(&s->attr, t, (uint64_t)c, 1, (uint64_t)c), c == 2 || c == 4 || c == 6);
	s = ok_spec("read:error=EIO:task=ls");
	ck_assert(!attr_fires(&s->attr, t, 1, 1, 1));
	s = ok_spec("read:error=EIO:task=cat");
	ck_assert(attr_fires(&s->attr, t, 1, 1, 1));
	s = ok_spec("read:error=EIO:task=1");
	ck_assert(attr_fires(&s->attr, t, 1, 1, 1));
	s = ok_spec("read:error=EIO:probability=25");
	fired = 0;
	for (int c = 1; c <= 20000; c++)
		fired += attr_fires(&s->attr, t, (uint64_t)c, 1, (uint64_t)c);
	ck_assert_int_gt(fired, 4600);
	ck_assert_int_lt(fired, 5400);
	/* the same seed and keys: the same decisions */
	s = ok_spec("read:error=EIO:probability=25");
	int again = 0;
	for (int c = 1; c <= 20000; c++)
		again += attr_fires(&s->attr, t, (uint64_t)c, 1, (uint64_t)c);
	ck_assert_int_eq(again, fired);
	s = ok_spec("read:error=EIO:probability=0");
	ck_assert(!attr_fires(&s->attr, t, 1, 1, 1));
}
END_TEST

START_TEST(mem_reg_io_syntax)
{
	char err[256];
	struct mr_spec *m = parse_mr_spec("heap:bits=3:at=time=50ms:task=sort", false, err, sizeof err);
	ck_assert_msg(m, "%s", err);
	ck_assert(m->region == MR_HEAP && m->bits == 3 && m->at.kind == TRIG_TIME && m->at.ns == 50000000);
	ck_assert_str_eq(m->task_comm, "sort");
	m = parse_mr_spec("file=*.so*:at=every=10ms", false, err, sizeof err);
	ck_assert(m && m->region == MR_FILE && !strcmp(m->glob, "*.so*") && m->at.kind == TRIG_EVERY);
	m = parse_mr_spec("0x1000-0x2000:at=syscall=7:task=3", false, err, sizeof err);
	ck_assert(m && m->region == MR_RANGE && m->start == 0x1000 && m->end == 0x2000 && m->at.n == 7 &&
		  m->task_pid == 3);
	m = parse_mr_spec("stack", false, err, sizeof err);
	ck_assert(m && m->at.kind == TRIG_SYSCALL && m->at.n == 1 && m->bits == 1);
	ck_assert(!parse_mr_spec("0x2000-0x1000", false, err, sizeof err) && strstr(err, "START must be below END"));
	ck_assert(!parse_mr_spec("heap:at=every=10us", false, err, sizeof err) && strstr(err, "1ms"));
	ck_assert(!parse_mr_spec("heap:bit=3", false, err, sizeof err) && strstr(err, "unknown key 'bit'"));
	m = parse_mr_spec("xmm15:bit=127", true, err, sizeof err);
	ck_assert(m && m->reg_kind == REG_XMM && m->reg == 15 && m->bit == 127);
	m = parse_mr_spec("rflags", true, err, sizeof err);
	ck_assert(m && m->reg_kind == REG_GPR && m->reg == (int)(offsetof(struct linux_regs, eflags) / 8) &&
		  m->bit == -1);
	ck_assert(!parse_mr_spec("xmm16", true, err, sizeof err) && strstr(err, "xmm16"));
	ck_assert(!parse_mr_spec("r12:bit=64", true, err, sizeof err) && strstr(err, "bit=64"));
	struct io_spec *io = parse_io_spec("/data/*:op=read,write:fault=corrupt:probability=10", err, sizeof err);
	ck_assert_msg(io, "%s", err);
	ck_assert(io->ops == (FIO_READ | FIO_WRITE) && io->fault == FIOF_CORRUPT && io->attr.prob_ppm == 100000);
	io = parse_io_spec("/x:fault=delay=20ms", err, sizeof err);
	ck_assert(io && io->fault == FIOF_DELAY && io->delay_ns == 20000000 && io->ops == 15);
	io = parse_io_spec("/x:op=read|fsync:fault=eio:when=2+", err, sizeof err);
	ck_assert(io && io->ops == (FIO_READ | FIO_FSYNC) && io->attr.first == 2);
	ck_assert(!parse_io_spec("/x:op=fsync:fault=short", err, sizeof err) && strstr(err, "op=read and op=write"));
	ck_assert(!parse_io_spec("/x", err, sizeof err) && strstr(err, "no fault="));
	ck_assert(!parse_io_spec(":fault=eio", err, sizeof err) && strstr(err, "path pattern"));
}
END_TEST

START_TEST(net_syntax)
{
	char err[256];
	struct net_spec *n = parse_net_spec("8080:fault=reset", err, sizeof err);
	ck_assert_msg(n, "%s", err);
	ck_assert(!n->any && !n->host_given && n->port == 8080 && n->fault == FNETF_RESET &&
		  n->ops == (FNET_SEND | FNET_RECV));
	n = parse_net_spec("127.0.0.1:53:fault=drop:when=2", err, sizeof err);
	ck_assert_msg(n, "%s", err);
	static const uint8_t lo4[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1 };
	ck_assert(n->host_given && n->port == 53 && !memcmp(n->addr, lo4, 16) && n->ops == FNET_SEND &&
		  n->attr.first == 2);
	n = parse_net_spec("[::1]:443:fault=delay=20ms:op=connect", err, sizeof err);
	ck_assert_msg(n, "%s", err);
	ck_assert(n->host_given && n->port == 443 && n->addr[15] == 1 && n->fault == FNETF_DELAY &&
		  n->delay_ns == 20000000 && n->ops == FNET_CONNECT);
	n = parse_net_spec("fault=corrupt:probability=5", err, sizeof err);
	ck_assert(n && n->any && n->fault == FNETF_CORRUPT && n->attr.prob_ppm == 50000);
	n = parse_net_spec("*:fault=short", err, sizeof err);
	ck_assert(n && n->any && n->fault == FNETF_SHORT);
	ck_assert(!parse_net_spec("80", err, sizeof err) && strstr(err, "no fault="));
	ck_assert(!parse_net_spec("80:fault=reset:op=connect", err, sizeof err) && strstr(err, "op=send and op=recv"));
	ck_assert(!parse_net_spec("0:fault=drop", err, sizeof err) && strstr(err, "PORT"));
	ck_assert(!parse_net_spec("host.example:80:fault=drop", err, sizeof err) && strstr(err, "HOST:PORT"));
	ck_assert(!parse_net_spec("[::1:80:fault=drop", err, sizeof err) && strstr(err, "[IPV6]:PORT"));
}
END_TEST

/* campaign templates: placeholders drawn from (seed, run), within range */
START_TEST(campaign_templates)
{
	json_t *tasks = json_loads("[{\"tid\":1,\"comm\":\"sh\",\"syscalls\":10},"
				   "{\"tid\":2,\"comm\":\"sort\",\"syscalls\":500}]", 0, NULL);
	ck_assert_ptr_nonnull(tasks);
	bool seen[3] = { false };
	int above10 = 0;
	for (long id = 1; id <= 200; id++) {
		char *a = expand_template("x={int:3..5}:y={pick:a|bb|c}", tasks, 7, id, "t");
		char *b = expand_template("x={int:3..5}:y={pick:a|bb|c}", tasks, 7, id, "t");
		ck_assert_str_eq(a, b);   /* the same seed and run: the same draw */
		int x;
		char y[8];
		ck_assert_int_eq(sscanf(a, "x=%d:y=%7s", &x, y), 2);
		ck_assert(x >= 3 && x <= 5);
		seen[x - 3] = true;
		ck_assert(!strcmp(y, "a") || !strcmp(y, "bb") || !strcmp(y, "c"));
		free(a);
		free(b);
		char *s1 = expand_template("heap:at=syscall={syscall}", tasks, 7, id, "t");
		char *s2 = expand_template("heap:at=syscall={syscall}:task=sort", tasks, 7, id, "t");
		long n1 = atol(strrchr(s1, '=') + 1), n2 = atol(strstr(s2, "syscall=") + 8);
		ck_assert(n1 >= 1 && n1 <= 10);   /* pid 1's count by default */
		ck_assert(n2 >= 1 && n2 <= 500);  /* the task it names */
		above10 += n2 > 10;
		free(s1);
		free(s2);
	}
	ck_assert(seen[0] && seen[1] && seen[2]);
	ck_assert_int_gt(above10, 150);
	char *o = expand_template("{int:1..1000000}", tasks, 7, 1, "t");
	char *p = expand_template("{int:1..1000000}", tasks, 8, 1, "t");
	ck_assert_str_ne(o, p);   /* another seed, another draw */
	free(o);
	free(p);
	json_decref(tasks);
}
END_TEST

Suite *fault_suite(void)
{
	Suite *s = suite_create("fault injection");
	TCase *tc = tcase_create("specs");
	tcase_add_test(tc, classes_from_the_table);
	tcase_add_test(tc, set_syntax);
	tcase_add_test(tc, actions);
	tcase_add_test(tc, names);
	tcase_add_test(tc, when_syntax);
	tcase_add_test(tc, attributes_decide);
	tcase_add_test(tc, mem_reg_io_syntax);
	tcase_add_test(tc, campaign_templates);
	tcase_add_test(tc, net_syntax);
	suite_add_tcase(s, tc);
	return s;
}
