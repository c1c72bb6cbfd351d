/*
 * fault_spec.c - parses the fault-injection options of `umk run`.
 *
 *   --inject=SET:error=ERRNO|retval=N[:signal=SIG][:delay_enter=DELAY]
 *            [:delay_exit=DELAY][:when=FIRST[..LAST][+[STEP]]]
 *            [:probability=P][:interval=N][:times=N][:task=COMM|PID]
 *            [:path=GLOB][:fail_nth=N]
 *       strace's -e inject= (man 1 strace) with Linux's fault-injection
 *       attributes (Documentation/fault-injection/fault-injection.rst).
 *       SET is strace's: names, numbers, %class, /regex, ?optional,
 *       all, none, a leading ! inverting the whole set; the names and
 *       classes come from the one table (guest-abi/syscalls.def).
 *   --inject-mem=REGION[:bits=N][:at=TRIGGER][:task=COMM|PID]
 *   --inject-reg=REG[:bit=B][:at=TRIGGER][:task=COMM|PID]
 *   --inject-io=GLOB[:op=OPS][:fault=eio|enospc|short|corrupt|delay=T]
 *            [:when=...][:probability=P][:interval=N][:times=N][:task=...]
 *   --inject-net=[PORT|HOST:PORT|[V6]:PORT]:fault=refuse|reset|drop|
 *            delay=T|corrupt|short[:op=connect,send,recv][:when=...]...
 *
 * Every error is one line naming the part that is wrong; nothing here
 * runs once the guest has started.
 */
#include "fault_impl.h"
#include <arpa/inet.h>
#include <ctype.h>
#include <fnmatch.h>
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
	return -1;
}

/* A whole decimal (or 0x hex) unsigned number; -1 if s is not one. */
static int parse_u64(const char *s, uint64_t *v)
{
	if (!*s || !isdigit((unsigned char)*s))
		return -1;
	char *end;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 0);
	if (errno || *end)
		return -1;
	*v = x;
	return 0;
}

int parse_delay(const char *s, uint64_t *ns)
{
	char *end;
	if (!*s || !(isdigit((unsigned char)*s) || *s == '.'))
		return -1;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || v < 0 || !isfinite(v))
		return -1;
	double mul;
	if (!*end || !strcmp(end, "us"))
		mul = 1e3;
	else if (!strcmp(end, "ns"))
		mul = 1;
	else if (!strcmp(end, "ms"))
		mul = 1e6;
	else if (!strcmp(end, "s"))
		mul = 1e9;
	else
		return -1;
	if (v * mul > 1e18)
		return -1;
	*ns = (uint64_t)llround(v * mul);
	return 0;
}

int parse_errno_name(const char *s)
{
	uint64_t v;
	if (!parse_u64(s, &v))
		return v >= 1 && v <= 4095 ? (int)v : -1;
	for (int e = 1; e < 4096; e++) {
		const char *n = strerrorname_np(e);
		if (n && !strcmp(n, s))
			return e;
	}
	return -1;
}

const char *signal_name(int sig)
{
	static __thread char buf[24];
	const char *a = sig > 0 && sig < 32 ? sigabbrev_np(sig) : NULL;
	if (a)
		snprintf(buf, sizeof buf, "SIG%s", a);
	else if (sig >= 32 && sig <= LINUX_NSIG)
		snprintf(buf, sizeof buf, "SIGRTMIN+%d", sig - 32);
	else
		snprintf(buf, sizeof buf, "%d", sig);
	return buf;
}

int parse_signal_name(const char *s)
{
	uint64_t v;
	if (!parse_u64(s, &v))
		return v >= 1 && v <= LINUX_NSIG ? (int)v : -1;
	if (!strncmp(s, "SIG", 3))
		s += 3;
	for (int sig = 1; sig < 32; sig++) {
		const char *a = sigabbrev_np(sig);
		if (a && !strcmp(a, s))
			return sig;
	}
	if (!strncmp(s, "RTMIN", 5)) {
		if (!s[5])
			return 32;
		if (s[5] == '+' && !parse_u64(s + 6, &v) && v <= 32)
			return 32 + (int)v;
	}
	if (!strncmp(s, "RTMAX", 5)) {
		if (!s[5])
			return 64;
		if (s[5] == '-' && !parse_u64(s + 6, &v) && v <= 32)
			return 64 - (int)v;
	}
	return -1;
}

bool fault_glob_match(const char *pattern, const char *path)
{
	if (!strchr(pattern, '/')) {
		const char *b = strrchr(path, '/');
		return !fnmatch(pattern, b ? b + 1 : path, 0);
	}
	return !fnmatch(pattern, path, 0);
}

/* ---- strace's syscall sets ---- */

static void set_bit(uint8_t *set, int nr) { set[nr / 8] |= 1 << (nr % 8); }

/* SET (strace's qualify syntax) into set; 0, or -1 with err. */
static int parse_set(const char *text, uint8_t *set, char *err, size_t n)
{
	bool invert = false;
	const char *s = text;
	if (*s == '!') {
		invert = true;
		s++;
	}
	if (!*s)
		return fail(err, n, "empty syscall set");
	memset(set, 0, SYSCALL_NR_MAX / 8);
	char *copy = strdup(s), *rest = copy, *tok;
	int r = 0;
	while (!r && (tok = strsep(&rest, ","))) {
		bool optional = *tok == '?';
		if (optional)
			tok++;
		uint64_t v;
		if (!strcmp(tok, "all")) {
			for (int i = 0; i < SYSCALL_NR_MAX; i++)
				if (syscall_table[i].name)
					set_bit(set, i);
		} else if (!strcmp(tok, "none")) {
			/* nothing */
		} else if (*tok == '%') {
			uint32_t bit = syscall_class_lookup(tok + 1);
			if (!bit) {
				r = fail(err, n, "unknown syscall class '%s'", tok);
				break;
			}
			for (int i = 0; i < SYSCALL_NR_MAX; i++)
				if (syscall_table[i].name && (syscall_table[i].class & bit))
					set_bit(set, i);
		} else if (*tok == '/') {
			regex_t re;
			int e = regcomp(&re, tok + 1, REG_EXTENDED | REG_NOSUB);
			if (e) {
				char m[128];
				regerror(e, &re, m, sizeof m);
				r = fail(err, n, "bad regular expression '%s': %s", tok, m);
				break;
			}
			int hits = 0;
			for (int i = 0; i < SYSCALL_NR_MAX; i++)
				if (syscall_table[i].name && !regexec(&re, syscall_table[i].name, 0, NULL, 0)) {
					set_bit(set, i);
					hits++;
				}
			regfree(&re);
			if (!hits && !optional)
				r = fail(err, n, "regular expression '%s' matches no syscall", tok);
		} else if (!parse_u64(tok, &v)) {
			if (v >= SYSCALL_NR_MAX || !syscall_table[v].name) {
				if (!optional)
					r = fail(err, n, "no syscall has number %s", tok);
				continue;
			}
			set_bit(set, (int)v);
		} else if (!*tok) {
			r = fail(err, n, "empty name in syscall set '%s'", text);
		} else {
			int nr = syscall_lookup(tok);
			if (nr < 0) {
				if (!optional)
					r = fail(err, n, "unknown syscall '%s'", tok);
				continue;
			}
			set_bit(set, nr);
		}
	}
	free(copy);
	if (!r && invert)
		for (int i = 0; i < SYSCALL_NR_MAX; i++)
			if (syscall_table[i].name)
				set[i / 8] ^= 1 << (i % 8);
	return r;
}

/* ---- Linux's attributes and strace's when= ---- */

/* when=FIRST[..LAST][+[STEP]] */
static int parse_when(const char *v, struct fault_attr *a, char *err, size_t n)
{
	char *end;
	const char *s = v;
	if (!isdigit((unsigned char)*s))
		return fail(err, n, "when=%s: FIRST must be a number", v);
	errno = 0;
	unsigned long first = strtoul(s, &end, 10), last, step = 1;
	if (errno || first < 1 || first >= UINT32_MAX)
		return fail(err, n, "when=%s: FIRST must be 1 or more", v);
	last = first;
	s = end;
	if (!strncmp(s, "..", 2)) {
		s += 2;
		if (!isdigit((unsigned char)*s))
			return fail(err, n, "when=%s: LAST must be a number", v);
		last = strtoul(s, &end, 10);
		if (errno || last >= UINT32_MAX)
			return fail(err, n, "when=%s: LAST is too large", v);
		if (last < first)
			return fail(err, n, "when=%s: LAST is below FIRST", v);
		s = end;
		if (*s == '+') {
			s++;
			if (*s) {
				step = strtoul(s, &end, 10);
				if (!isdigit((unsigned char)*s) || *end || step < 1 || step >= UINT32_MAX)
					return fail(err, n, "when=%s: STEP must be 1 or more", v);
				s = end;
			}
		}
	} else if (*s == '+') {
		s++;
		last = UINT32_MAX;
		if (*s) {
			step = strtoul(s, &end, 10);
			if (!isdigit((unsigned char)*s) || *end || step < 1 || step >= UINT32_MAX)
				return fail(err, n, "when=%s: STEP must be 1 or more", v);
			s = end;
		}
	}
	if (*s)
		return fail(err, n, "when=%s: expected FIRST[..LAST][+[STEP]]", v);
	a->first = (uint32_t)first;
	a->last = (uint32_t)last;
	a->step = (uint32_t)step;
	a->when_given = true;
	return 0;
}

static void attr_init(struct fault_attr *a)
{
	memset(a, 0, sizeof *a);
	a->first = 1;
	a->last = UINT32_MAX;
	a->step = 1;
	a->prob_ppm = 1000000;
	a->interval = 1;
	a->times = -1;
}

static int parse_task(const char *key, const char *v, char comm[16], int *pid, char *err, size_t n)
{
	uint64_t x;
	if (!*v)
		return fail(err, n, "%s=: expected a command name or a pid", key);
	if (!parse_u64(v, &x)) {
		if (x < 1 || x > 4194304)
			return fail(err, n, "%s=%s: no such pid can exist", key, v);
		*pid = (int)x;
		return 0;
	}
	if (strlen(v) > 15)
		return fail(err, n, "%s=%s: a command name (comm) has at most 15 characters", key, v);
	snprintf(comm, 16, "%s", v);
	return 0;
}

/* One key=value of Linux's attributes (and when=, path=, fail_nth=):
 * 1 if it was one, 0 if not, -1 bad. */
static int parse_attr(const char *key, const char *v, struct fault_attr *a, bool allow_path,
		      char *err, size_t n)
{
	uint64_t x;
	if (!strcmp(key, "when"))
		return parse_when(v, a, err, n) ? -1 : 1;
	if (!strcmp(key, "probability")) {
		char *end;
		errno = 0;
		double p = strtod(v, &end);
		if (!*v || *end || errno || !(p >= 0 && p <= 100))
			return fail(err, n, "probability=%s: a percentage from 0 to 100", v);
		a->prob_ppm = (uint32_t)llround(p * 10000);
		return 1;
	}
	if (!strcmp(key, "interval")) {
		if (parse_u64(v, &x) || x < 1)
			return fail(err, n, "interval=%s: a number, 1 or more", v);
		a->interval = x;
		return 1;
	}
	if (!strcmp(key, "times")) {
		if (!strcmp(v, "-1"))
			a->times = -1;
		else if (parse_u64(v, &x) || x > INT64_MAX)
			return fail(err, n, "times=%s: a number, or -1 for no limit", v);
		else
			a->times = (int64_t)x;
		return 1;
	}
	if (!strcmp(key, "fail_nth")) {
		if (parse_u64(v, &x) || x < 1)
			return fail(err, n, "fail_nth=%s: a number, 1 or more", v);
		a->fail_nth = x;
		return 1;
	}
	if (!strcmp(key, "task"))
		return parse_task(key, v, a->task_comm, &a->task_pid, err, n) ? -1 : 1;
	if (allow_path && !strcmp(key, "path")) {
		if (!*v)
			return fail(err, n, "path=: expected a pattern");
		a->path = strdup(v);
		return 1;
	}
	return 0;
}

/* Splits text at ':' into parts (at most max); returns the count. */
static int split(char *text, char **parts, int max)
{
	int n = 0;
	char *s = text;
	while (n < max) {
		parts[n++] = s;
		char *c = strchr(s, ':');
		if (!c)
			break;
		*c = 0;
		s = c + 1;
	}
	return n;
}

/* One KEY=VALUE part of a spec: the '=' becomes the key's end and *val
 * the value.  0, or -1 with err set ("expected KEY=VALUE"). */
static int split_kv(char *part, char **val, char *err, size_t n)
{
	char *v = strchr(part, '=');

	if (!v)
		return fail(err, n, "'%s': expected KEY=VALUE", part);
	*v++ = 0;
	*val = v;
	return 0;
}

/* op=A,B|C: the bits of the names listed (names[i].name has bit
 * names[i].bit), ORed into *ops; what is listed in known (for the
 * message).  0, or -1 with err set for an unknown name. */
struct op_name { const char *name; int bit; };
static int parse_ops(const char *v, const struct op_name *names, int count, const char *known, int *ops,
		     char *err, size_t n)
{
	char *save = NULL, *list = strdup(v);
	int rc = 0;

	for (char *o = strtok_r(list, ",|", &save); o && !rc; o = strtok_r(NULL, ",|", &save)) {
		int bit = 0;

		for (int i = 0; i < count && !bit; i++)
			if (!strcmp(o, names[i].name))
				bit = names[i].bit;
		if (!bit)
			rc = fail(err, n, "op=%s: unknown operation '%s' (%s)", v, o, known);
		*ops |= bit;
	}
	free(list);
	return rc;
}

struct sys_spec *parse_sys_spec(const char *text, char *err, size_t n)
{
	struct sys_spec *s = calloc(1, sizeof *s);
	char *copy = strdup(text), *parts[32];
	int np = split(copy, parts, 32);
	attr_init(&s->attr);
	s->text = strdup(text);
	if (parse_set(parts[0], s->set, err, n))
		goto bad;
	for (int i = 1; i < np; i++) {
		char *key = parts[i], *v = NULL;
		if (split_kv(key, &v, err, n))
			goto bad;
		int r = parse_attr(key, v, &s->attr, true, err, n);
		if (r < 0)
			goto bad;
		if (r)
			continue;
		if (!strcmp(key, "error")) {
			s->error = parse_errno_name(v);
			if (s->error < 0) {
				fail(err, n, "error=%s: unknown error (an errno name such as ENOENT, or 1-4095)", v);
				goto bad;
			}
			s->has_error = true;
		} else if (!strcmp(key, "retval")) {
			char *end;
			errno = 0;
			long r2 = strtol(v, &end, 0);
			if (!*v || *end || errno || r2 < 0) {
				fail(err, n, "retval=%s: a number, 0 or more", v);
				goto bad;
			}
			s->retval = r2;
			s->has_retval = true;
		} else if (!strcmp(key, "signal")) {
			s->signal = parse_signal_name(v);
			if (s->signal < 0) {
				fail(err, n, "signal=%s: unknown signal", v);
				goto bad;
			}
		} else if (!strcmp(key, "delay_enter") || !strcmp(key, "delay_exit")) {
			uint64_t *d = key[6] == 'e' && key[7] == 'n' ? &s->delay_enter_ns : &s->delay_exit_ns;
			if (parse_delay(v, d)) {
				fail(err, n, "%s=%s: a delay such as 500 (us), 20ms or 1s", key, v);
				goto bad;
			}
		} else if (!strcmp(key, "syscall") || !strncmp(key, "poke_", 5)) {
			fail(err, n, "%s=: strace's %s= is not supported by umk", key, key);
			goto bad;
		} else {
			fail(err, n, "unknown key '%s'", key);
			goto bad;
		}
	}
	if (s->has_error && s->has_retval) {
		fail(err, n, "error= and retval= exclude each other");
		goto bad;
	}
	if (!s->has_error && !s->has_retval && !s->signal && !s->delay_enter_ns && !s->delay_exit_ns) {
		fail(err, n, "nothing to inject: give error=, retval=, signal=, delay_enter= or delay_exit=");
		goto bad;
	}
	free(copy);
	return s;
bad:
	free(copy);
	free(s->text);
	free(s->attr.path);
	free(s);
	return NULL;
}

/* ---- --inject-mem and --inject-reg ---- */

static const struct { const char *name; int off; } gprs[] = {
#define R(x) { #x, offsetof(struct linux_regs, x) / 8 }
	R(rax), R(rbx), R(rcx), R(rdx), R(rsi), R(rdi), R(rbp), R(rsp), R(r8), R(r9), R(r10),
	R(r11), R(r12), R(r13), R(r14), R(r15), R(rip), { "rflags", offsetof(struct linux_regs, eflags) / 8 },
	{ "eflags", offsetof(struct linux_regs, eflags) / 8 },
#undef R
};

/* TRIGGER: syscall=N, time=T, every=T */
static int parse_trigger(const char *v, struct trigger *tr, char *err, size_t n)
{
	const char *eq = strchr(v, '=');
	if (!eq)
		return fail(err, n, "at=%s: expected syscall=N, time=T or every=T", v);
	if (!strncmp(v, "syscall=", 8)) {
		if (parse_u64(eq + 1, &tr->n) || tr->n < 1)
			return fail(err, n, "at=%s: N must be 1 or more", v);
		tr->kind = TRIG_SYSCALL;
		return 0;
	}
	bool every = !strncmp(v, "every=", 6);
	if (!every && strncmp(v, "time=", 5))
		return fail(err, n, "at=%s: expected syscall=N, time=T or every=T", v);
	if (parse_delay(eq + 1, &tr->ns))
		return fail(err, n, "at=%s: T is a time such as 50ms, 2s or 300 (us)", v);
	if (every && tr->ns < 1000000)
		return fail(err, n, "at=%s: every= needs a period of 1ms or more", v);
	tr->kind = every ? TRIG_EVERY : TRIG_TIME;
	return 0;
}

static int parse_region(const char *v, struct mr_spec *m, char *err, size_t n)
{
	static const char *names[] = { [MR_HEAP] = "heap", [MR_STACK] = "stack", [MR_TEXT] = "text",
				       [MR_DATA] = "data", [MR_ANON] = "anon" };
	for (int i = MR_HEAP; i <= MR_ANON; i++)
		if (!strcmp(v, names[i])) {
			m->region = i;
			return 0;
		}
	if (!strncmp(v, "file=", 5)) {
		if (!v[5])
			return fail(err, n, "file=: expected a file name pattern");
		m->region = MR_FILE;
		m->glob = strdup(v + 5);
		return 0;
	}
	if (!strncmp(v, "0x", 2) || !strncmp(v, "0X", 2)) {
		char *end;
		errno = 0;
		unsigned long long a = strtoull(v, &end, 16), b;
		if (errno || *end != '-')
			return fail(err, n, "'%s': expected 0xSTART-0xEND", v);
		const char *s2 = end + 1;
		b = strtoull(s2, &end, 16);
		if (errno || *end || strncmp(s2, "0x", 2))
			return fail(err, n, "'%s': expected 0xSTART-0xEND", v);
		if (a >= b)
			return fail(err, n, "'%s': START must be below END", v);
		if (a >= STUB_START)
			return fail(err, n, "'%s': matches nothing: guest memory ends at %#lx", v, STUB_START);
		m->region = MR_RANGE;
		m->start = a;
		m->end = b < STUB_START ? b : STUB_START;
		return 0;
	}
	return fail(err, n, "unknown region '%s' (heap, stack, text, data, anon, file=GLOB or 0xSTART-0xEND)", v);
}

static int parse_reg(const char *v, struct mr_spec *m, char *err, size_t n)
{
	for (size_t i = 0; i < ARRAY_SIZE(gprs); i++)
		if (!strcmp(v, gprs[i].name)) {
			m->reg_kind = REG_GPR;
			m->reg = gprs[i].off;
			m->reg_name = gprs[i].name;
			return 0;
		}
	uint64_t x;
	if (!strncmp(v, "xmm", 3) && !parse_u64(v + 3, &x) && x < 16 && isdigit((unsigned char)v[3])) {
		m->reg_kind = REG_XMM;
		m->reg = (int)x;
		static const char *xn[16] = { "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
					      "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
					      "xmm13", "xmm14", "xmm15" };
		m->reg_name = xn[x];
		return 0;
	}
	return fail(err, n, "unknown register '%s' (rax..r15, rip, rsp, rflags, xmm0..xmm15)", v);
}

struct mr_spec *parse_mr_spec(const char *text, bool is_reg, char *err, size_t n)
{
	struct mr_spec *m = calloc(1, sizeof *m);
	char *copy = strdup(text), *parts[16];
	int np;
	m->text = strdup(text);
	m->is_reg = is_reg;
	m->bits = 1;
	m->bit = -1;
	m->at.kind = TRIG_SYSCALL;
	m->at.n = 1;
	/* file=GLOB is one part: its '=' is not an option's */
	np = split(copy, parts, 16);
	if (is_reg ? parse_reg(parts[0], m, err, n) : parse_region(parts[0], m, err, n))
		goto bad;
	for (int i = 1; i < np; i++) {
		char *key = parts[i], *v = NULL;
		if (split_kv(key, &v, err, n))
			goto bad;
		uint64_t x;
		if (!strcmp(key, "at")) {
			if (parse_trigger(v, &m->at, err, n))
				goto bad;
		} else if (!strcmp(key, "task")) {
			if (parse_task(key, v, m->task_comm, &m->task_pid, err, n))
				goto bad;
		} else if (!is_reg && !strcmp(key, "bits")) {
			if (parse_u64(v, &x) || x < 1 || x > 64) {
				fail(err, n, "bits=%s: a number from 1 to 64", v);
				goto bad;
			}
			m->bits = (int)x;
		} else if (is_reg && !strcmp(key, "bit")) {
			int max = m->reg_kind == REG_XMM ? 127 : 63;
			if (parse_u64(v, &x) || (int)x > max) {
				fail(err, n, "bit=%s: a number from 0 to %d for %s", v, max, m->reg_name);
				goto bad;
			}
			m->bit = (int)x;
		} else {
			fail(err, n, "unknown key '%s'", key);
			goto bad;
		}
	}
	free(copy);
	return m;
bad:
	free(copy);
	free(m->text);
	free(m->glob);
	free(m);
	return NULL;
}

static const char *root_prefix;
static const char *region_glob;
static int file_found(const char *fpath, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (type != FTW_F && type != FTW_SL)
		return 0;
	const char *g = fpath + strlen(root_prefix);
	return fault_glob_match(region_glob, *g ? g : "/") ? 1 : 0;
}

int check_file_region(const struct mr_spec *m, const char *rootdir, char *err, size_t n)
{
	if (m->region != MR_FILE)
		return 0;
	root_prefix = strcmp(rootdir, "/") ? rootdir : "";
	region_glob = m->glob;
	int r = nftw(rootdir, file_found, 16, FTW_PHYS);
	if (r == 1)
		return 0;
	return fail(err, n, "file=%s: matches nothing: no file of the guest's root has that name", m->glob);
}

/* ---- --inject-io ---- */

struct io_spec *parse_io_spec(const char *text, char *err, size_t n)
{
	struct io_spec *s = calloc(1, sizeof *s);
	char *copy = strdup(text), *parts[32];
	int np = split(copy, parts, 32);
	attr_init(&s->attr);
	s->text = strdup(text);
	if (!*parts[0]) {
		fail(err, n, "expected a path pattern before the first ':'");
		goto bad;
	}
	s->glob = strdup(parts[0]);
	for (int i = 1; i < np; i++) {
		char *key = parts[i], *v = NULL;
		if (split_kv(key, &v, err, n))
			goto bad;
		int r = parse_attr(key, v, &s->attr, false, err, n);
		if (r < 0)
			goto bad;
		if (r)
			continue;
		if (!strcmp(key, "op")) {
			static const struct op_name io_ops[] = {
				{ "read", FIO_READ }, { "write", FIO_WRITE }, { "fsync", FIO_FSYNC }, { "open", FIO_OPEN },
			};
			if (parse_ops(v, io_ops, 4, "read, write, fsync, open", &s->ops, err, n))
				goto bad;
			if (!s->ops) {
				fail(err, n, "op=: expected read, write, fsync or open");
				goto bad;
			}
		} else if (!strcmp(key, "fault")) {
			if (!strcmp(v, "eio"))
				s->fault = FIOF_EIO;
			else if (!strcmp(v, "enospc"))
				s->fault = FIOF_ENOSPC;
			else if (!strcmp(v, "short"))
				s->fault = FIOF_SHORT;
			else if (!strcmp(v, "corrupt"))
				s->fault = FIOF_CORRUPT;
			else if (!strncmp(v, "delay=", 6)) {
				s->fault = FIOF_DELAY;
				if (parse_delay(v + 6, &s->delay_ns)) {
					fail(err, n, "fault=%s: a delay such as 500 (us), 20ms or 1s", v);
					goto bad;
				}
			} else {
				fail(err, n, "fault=%s: expected eio, enospc, short, corrupt or delay=T", v);
				goto bad;
			}
		} else {
			fail(err, n, "unknown key '%s'", key);
			goto bad;
		}
	}
	if (!s->fault) {
		fail(err, n, "no fault= given (eio, enospc, short, corrupt or delay=T)");
		goto bad;
	}
	int data_ops = FIO_READ | FIO_WRITE;
	if (s->fault == FIOF_SHORT || s->fault == FIOF_CORRUPT) {
		if (!s->ops)
			s->ops = data_ops;
		if (s->ops & ~data_ops) {
			fail(err, n, "fault=%s applies to op=read and op=write only",
			     s->fault == FIOF_SHORT ? "short" : "corrupt");
			goto bad;
		}
	}
	if (!s->ops)
		s->ops = FIO_READ | FIO_WRITE | FIO_FSYNC | FIO_OPEN;
	free(copy);
	return s;
bad:
	free(copy);
	free(s->text);
	free(s->glob);
	free(s);
	return NULL;
}

void sys_spec_free(struct sys_spec *s)
{
	if (!s)
		return;
	free(s->text);
	free(s->attr.path);
	free(s);
}

void mr_spec_free(struct mr_spec *m)
{
	if (!m)
		return;
	free(m->text);
	free(m->glob);
	free(m);
}

void io_spec_free(struct io_spec *s)
{
	if (!s)
		return;
	free(s->text);
	free(s->glob);
	free(s);
}

/* ---- --inject-net ---- */

/* HOST (IPv4 dotted, or IPv6 inside [...]) into addr, IPv4 mapped. */
static int parse_host(const char *h, uint8_t addr[16])
{
	struct in_addr v4;
	struct in6_addr v6;
	if (inet_pton(AF_INET, h, &v4) == 1) {
		memset(addr, 0, 16);
		addr[10] = addr[11] = 0xff;
		memcpy(addr + 12, &v4, 4);
		return 0;
	}
	if (inet_pton(AF_INET6, h, &v6) == 1) {
		memcpy(addr, &v6, 16);
		return 0;
	}
	return -1;
}

static int parse_port(const char *p, uint16_t *port)
{
	uint64_t x;
	if (parse_u64(p, &x) || x < 1 || x > 65535)
		return -1;
	*port = (uint16_t)x;
	return 0;
}

struct net_spec *parse_net_spec(const char *text, char *err, size_t n)
{
	struct net_spec *s = calloc(1, sizeof *s);
	char *copy = strdup(text), *parts[32], *rest = copy;
	int np;
	attr_init(&s->attr);
	s->text = strdup(text);
	/* the address: [V6]:PORT, HOST:PORT, PORT, or nothing (any socket) */
	if (*rest == '[') {
		char *close = strchr(rest, ']');
		if (!close || close[1] != ':') {
			fail(err, n, "'%s': expected [IPV6]:PORT", text);
			goto bad;
		}
		*close = 0;
		char *port = close + 2, *colon = strchr(port, ':');
		if (colon)
			*colon = 0;
		if (parse_host(rest + 1, s->addr) || parse_port(port, &s->port)) {
			fail(err, n, "'[%s]:%s': expected [IPV6]:PORT", rest + 1, port);
			goto bad;
		}
		s->host_given = true;
		rest = colon ? colon + 1 : port + strlen(port);
	} else {
		char *colon = strchr(rest, ':');
		char *first = rest;
		if (colon)
			*colon = 0;
		if (!*first || !strcmp(first, "*")) {
			s->any = true;
			rest = colon ? colon + 1 : first + strlen(first);
		} else if (strchr(first, '=')) {
			s->any = true;   /* no address: the first part is an option */
			if (colon)
				*colon = ':';
		} else if (!parse_port(first, &s->port)) {
			rest = colon ? colon + 1 : first + strlen(first);
		} else {
			char *port = colon ? colon + 1 : NULL, *c2 = port ? strchr(port, ':') : NULL;
			if (c2)
				*c2 = 0;
			if (!port || parse_host(first, s->addr) || parse_port(port, &s->port)) {
				fail(err, n, "'%s%s%s': expected PORT, HOST:PORT or [IPV6]:PORT", first,
				     port ? ":" : "", port ? port : "");
				goto bad;
			}
			s->host_given = true;
			rest = c2 ? c2 + 1 : port + strlen(port);
		}
	}
	np = *rest ? split(rest, parts, 32) : 0;
	for (int i = 0; i < np; i++) {
		char *key = parts[i], *v = NULL;
		if (split_kv(key, &v, err, n))
			goto bad;
		int r = parse_attr(key, v, &s->attr, false, err, n);
		if (r < 0)
			goto bad;
		if (r)
			continue;
		if (!strcmp(key, "op")) {
			static const struct op_name net_ops[] = {
				{ "connect", FNET_CONNECT }, { "send", FNET_SEND }, { "recv", FNET_RECV },
			};
			if (parse_ops(v, net_ops, 3, "connect, send, recv", &s->ops, err, n))
				goto bad;
		} else if (!strcmp(key, "fault")) {
			static const char *names[] = { "", "refuse", "reset", "drop", "delay", "corrupt", "short" };
			for (int f = FNETF_REFUSE; f <= FNETF_SHORT; f++)
				if (f != FNETF_DELAY && !strcmp(v, names[f]))
					s->fault = f;
			if (!strncmp(v, "delay=", 6)) {
				s->fault = FNETF_DELAY;
				if (parse_delay(v + 6, &s->delay_ns)) {
					fail(err, n, "fault=%s: a delay such as 500 (us), 20ms or 1s", v);
					goto bad;
				}
			}
			if (!s->fault) {
				fail(err, n, "fault=%s: expected refuse, reset, drop, delay=T, corrupt or short", v);
				goto bad;
			}
		} else {
			fail(err, n, "unknown key '%s'", key);
			goto bad;
		}
	}
	if (!s->fault) {
		fail(err, n, "no fault= given (refuse, reset, drop, delay=T, corrupt or short)");
		goto bad;
	}
	/* what each fault applies to, and its default */
	static const int allowed[] = { 0, FNET_CONNECT | FNET_SEND, FNET_SEND | FNET_RECV, FNET_SEND,
				       FNET_CONNECT | FNET_SEND | FNET_RECV, FNET_SEND | FNET_RECV,
				       FNET_SEND | FNET_RECV };
	static const char *const allowed_text[] = { "", "op=connect and op=send (datagrams)",
						    "op=send and op=recv", "op=send",
						    "op=connect, op=send and op=recv",
						    "op=send and op=recv", "op=send and op=recv" };
	if (!s->ops)
		s->ops = allowed[s->fault];
	if (s->ops & ~allowed[s->fault]) {
		fail(err, n, "this fault applies to %s only", allowed_text[s->fault]);
		goto bad;
	}
	free(copy);
	return s;
bad:
	free(copy);
	free(s->text);
	free(s);
	return NULL;
}

void net_spec_free(struct net_spec *s)
{
	if (!s)
		return;
	free(s->text);
	free(s);
}
