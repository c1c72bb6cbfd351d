/*
 * strace.c - one line per guest syscall, in strace's format:
 *     [pid 3] openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3
 *     [pid 3] read(3, 0x7ffff000, 4096) = -1 EBADF (Bad file descriptor)
 * Arguments are decoded by the kinds in guest-abi/syscalls.def.
 *
 * Lock: klock, held (lines of different tasks never interleave).
 */
#include "../kernel.h"
#include "debug.h"
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

FILE *strace_out;

struct flagname { uint64_t v; const char *n; };
#define F(x) { x, #x }

static const struct flagname oflags[] = {
	F(O_WRONLY), F(O_RDWR), F(O_CREAT), F(O_EXCL), F(O_NOCTTY), F(O_TRUNC), F(O_APPEND),
	F(O_NONBLOCK), F(O_DSYNC), F(O_ASYNC), F(O_DIRECT), F(O_LARGEFILE), F(O_DIRECTORY),
	F(O_NOFOLLOW), F(O_NOATIME), F(O_CLOEXEC), F(O_PATH), { 0, NULL } };
static const struct flagname prot[] = { F(PROT_READ), F(PROT_WRITE), F(PROT_EXEC), { 0, NULL } };
static const struct flagname mmflags[] = {
	F(MAP_SHARED), F(MAP_PRIVATE), F(MAP_FIXED), F(MAP_ANONYMOUS), F(MAP_GROWSDOWN),
	F(MAP_DENYWRITE), F(MAP_NORESERVE), F(MAP_POPULATE), F(MAP_STACK),
	F(MAP_FIXED_NOREPLACE), { 0, NULL } };
static const struct flagname atflags[] = {
	F(AT_SYMLINK_NOFOLLOW), F(AT_REMOVEDIR), F(AT_SYMLINK_FOLLOW), F(AT_NO_AUTOMOUNT),
	F(AT_EMPTY_PATH), F(AT_EACCESS), { 0, NULL } };
static const struct flagname amode[] = { F(R_OK), F(W_OK), F(X_OK), { 0, NULL } };
static const struct flagname cloneflags[] = {
	F(CLONE_VM), F(CLONE_FS), F(CLONE_FILES), F(CLONE_SIGHAND), F(CLONE_PTRACE),
	F(CLONE_VFORK), F(CLONE_PARENT), F(CLONE_THREAD), F(CLONE_NEWNS), F(CLONE_SYSVSEM),
	F(CLONE_SETTLS), F(CLONE_PARENT_SETTID), F(CLONE_CHILD_CLEARTID), F(CLONE_DETACHED),
	F(CLONE_UNTRACED), F(CLONE_CHILD_SETTID), { 0, NULL } };

static void print_flags(FILE *o, uint64_t v, const struct flagname *t, const char *zero)
{
	bool any = false;
	if (zero) {
		fputs(zero, o);
		any = true;
	}
	for (; t->n; t++) {
		if (t->v && (v & t->v) == t->v) {
			fprintf(o, "%s%s", any ? "|" : "", t->n);
			v &= ~t->v;
			any = true;
		}
	}
	if (v || !any)
		fprintf(o, "%s%#lx", any ? "|" : "", (unsigned long)v);
}

static void print_str(FILE *o, struct task *t, uint64_t p, long maxlen)
{
	if (!p) {
		fputs("NULL", o);
		return;
	}
	char buf[4097];
	long n = strncpy_from_user(t, buf, p, maxlen < 4096 ? maxlen : 4096);
	if (n == -EFAULT) {
		fprintf(o, "%#lx", (unsigned long)p);
		return;
	}
	if (n < 0)
		n = maxlen < 4096 ? maxlen : 4096;
	bool cut = n > 32 && maxlen != 4096;
	fputc('"', o);
	for (long i = 0; i < (cut ? 32 : n); i++) {
		unsigned char c = buf[i];
		switch (c) {
		case '"': fputs("\\\"", o); break;
		case '\\': fputs("\\\\", o); break;
		case '\n': fputs("\\n", o); break;
		case '\t': fputs("\\t", o); break;
		default:
			if (c < 32 || c >= 127)
				fprintf(o, "\\%o", c);
			else
				fputc(c, o);
		}
	}
	fputc('"', o);
	if (cut)
		fputs("...", o);
}

static void print_buf(FILE *o, struct task *t, uint64_t p, long len)
{
	if (len < 0 || !p) {
		fprintf(o, p ? "%#lx" : "NULL", (unsigned long)p);
		return;
	}
	char buf[33];
	long n = len > 32 ? 32 : len;
	if (copy_from_user(t, buf, p, n)) {
		fprintf(o, "%#lx", (unsigned long)p);
		return;
	}
	fputc('"', o);
	for (long i = 0; i < n; i++) {
		unsigned char c = buf[i];
		if (c == '\n') fputs("\\n", o);
		else if (c == '"') fputs("\\\"", o);
		else if (c == '\\') fputs("\\\\", o);
		else if (c < 32 || c >= 127) fprintf(o, "\\%o", c);
		else fputc(c, o);
	}
	fputc('"', o);
	if (len > 32)
		fputs("...", o);
}

static void print_strv(FILE *o, struct task *t, uint64_t p)
{
	if (!p) {
		fputs("NULL", o);
		return;
	}
	fputc('[', o);
	for (int i = 0; i < 32; i++) {
		uint64_t s;
		if (copy_from_user(t, &s, p + i * 8, 8)) {
			fprintf(o, "%#lx", (unsigned long)p);
			break;
		}
		if (!s)
			break;
		if (i)
			fputs(", ", o);
		print_str(o, t, s, 4096);
	}
	fputc(']', o);
}

static void print_envp(FILE *o, struct task *t, uint64_t p)
{
	int n = 0;
	uint64_t s;
	while (n < 4096 && !copy_from_user(t, &s, p + n * 8, 8) && s)
		n++;
	fprintf(o, "%#lx /* %d var%s */", (unsigned long)p, n, n == 1 ? "" : "s");
}

static void print_sig(FILE *o, int sig)
{
	const char *n = sig > 0 && sig < 32 ? sigabbrev_np(sig) : NULL;
	if (n)
		fprintf(o, "SIG%s", n);
	else
		fprintf(o, "%d", sig);
}

static void print_arg(FILE *o, struct task *t, int kind, uint64_t v, uint64_t next, long ret,
		      enum strace_mode mode)
{
	/* without guest memory (or before an out-buffer is filled), what
	 * would be read is shown as the pointer */
	if (mode == STRACE_NOMEM || !t || !t->host) {
		if (kind == PATH || kind == STR || kind == STRV || kind == ENVP || kind == BUF_IN ||
		    kind == BUF_OUT)
			kind = PTR;
	} else if (mode == STRACE_ENTRY && kind == BUF_OUT) {
		kind = PTR;
	}
	switch (kind) {
	case INT: case FD: case PID: fprintf(o, "%d", (int)v); break;
	case UINT: fprintf(o, "%u", (unsigned)v); break;
	case LONG: fprintf(o, "%ld", (long)v); break;
	case SIZE: fprintf(o, "%lu", (unsigned long)v); break;
	case PTR: fprintf(o, v ? "%#lx" : "NULL", (unsigned long)v); break;
	case ATFD:
		if ((int)v == AT_FDCWD)
			fputs("AT_FDCWD", o);
		else
			fprintf(o, "%d", (int)v);
		break;
	case PATH: print_str(o, t, v, 4096); break;
	case STR: print_str(o, t, v, 256); break;
	case STRV: print_strv(o, t, v); break;
	case ENVP:
		if (!v)
			fputs("NULL", o);
		else
			print_envp(o, t, v);
		break;
	case BUF_IN: print_buf(o, t, v, (long)next); break;
	case BUF_OUT: print_buf(o, t, v, ret); break;
	case OFLAGS: {
		int acc = v & O_ACCMODE;
		print_flags(o, v & ~(uint64_t)O_ACCMODE, oflags,
			    acc == O_RDONLY ? "O_RDONLY" : acc == O_WRONLY ? "O_WRONLY" : acc == O_RDWR ? "O_RDWR" : "3");
		break;
	}
	case MODE: fprintf(o, "0%lo", (unsigned long)v); break;
	case AMODE:
		if (!v)
			fputs("F_OK", o);
		else
			print_flags(o, v, amode, NULL);
		break;
	case ATFLAGS:
		if (!v)
			fputs("0", o);
		else
			print_flags(o, v, atflags, NULL);
		break;
	case PROT:
		if (!v)
			fputs("PROT_NONE", o);
		else
			print_flags(o, v, prot, NULL);
		break;
	case MMFLAGS: print_flags(o, v, mmflags, NULL); break;
	case SIG: print_sig(o, (int)v); break;
	case SIGHOW: {
		static const char *h[] = { "SIG_BLOCK", "SIG_UNBLOCK", "SIG_SETMASK" };
		if ((int)v >= 0 && (int)v < 3)
			fputs(h[(int)v], o);
		else
			fprintf(o, "%d", (int)v);
		break;
	}
	case WHENCE: {
		static const char *w[] = { "SEEK_SET", "SEEK_CUR", "SEEK_END", "SEEK_DATA", "SEEK_HOLE" };
		if ((int)v >= 0 && (int)v < 5)
			fputs(w[(int)v], o);
		else
			fprintf(o, "%d", (int)v);
		break;
	}
	case FCNTL: {
		static const char *c[] = { "F_DUPFD", "F_GETFD", "F_SETFD", "F_GETFL", "F_SETFL",
					   "F_GETLK", "F_SETLK", "F_SETLKW" };
		if ((int)v >= 0 && (int)v < 8)
			fputs(c[(int)v], o);
		else if ((int)v == F_DUPFD_CLOEXEC)
			fputs("F_DUPFD_CLOEXEC", o);
		else
			fprintf(o, "%#x", (unsigned)v);
		break;
	}
	case CLONEFLAGS:
		print_flags(o, v & ~0xffUL, cloneflags, NULL);
		if (v & 0xff) {
			fputc('|', o);
			print_sig(o, v & 0xff);
		}
		break;
	default: fprintf(o, "%#lx", (unsigned long)v); break;
	}
}

void strace_print_call(FILE *o, struct task *t, const struct sysargs *a, long ret,
		       enum strace_mode mode)
{
	const struct syscall_desc *d = a->nr >= 0 && a->nr < SYSCALL_NR_MAX ? &syscall_table[a->nr] : NULL;
	if (d && d->name)
		fprintf(o, "%s(", d->name);
	else
		fprintf(o, "syscall_%#x(", a->nr);
	int nargs = d && d->name ? d->nargs : 6;
	for (int i = 0; i < nargs; i++) {
		/* open modes only matter, and only print, with O_CREAT/O_TMPFILE */
		if (i && d && d->kind[i] == MODE && d->kind[i - 1] == OFLAGS &&
		    !(a->a[i - 1] & (O_CREAT | __O_TMPFILE)))
			break;
		if (i)
			fputs(", ", o);
		print_arg(o, t, d && d->name ? d->kind[i] : HEX, a->a[i], i < 5 ? a->a[i + 1] : 0, ret,
			  mode);
	}
	fputs(")", o);
}

void strace_print_ret(FILE *o, struct task *t, const struct sysargs *a, long ret)
{
	const struct syscall_desc *d = a->nr >= 0 && a->nr < SYSCALL_NR_MAX ? &syscall_table[a->nr] : NULL;
	if (ret == RET_NORESULT) {
		fprintf(o, " = %ld", a->nr == 15 && t ? (long)t->regs.rax : 0L);
	} else if (ret < 0 && ret >= -4095) {
		int e = (int)-ret;
		const char *name = strerrorname_np(e);
		if (e == ERESTARTSYS) fputs(" = ? ERESTARTSYS (To be restarted if SA_RESTART is set)", o);
		else if (e == ERESTARTNOHAND) fputs(" = ? ERESTARTNOHAND (To be restarted if no handler)", o);
		else if (e == ERESTARTNOINTR) fputs(" = ? ERESTARTNOINTR (To be restarted)", o);
		else if (e == ERESTART_RESTARTBLOCK) fputs(" = ? ERESTART_RESTARTBLOCK (Interrupted by signal)", o);
		else fprintf(o, " = -1 %s (%s)", name ? name : "E?", strerror(e));
	} else if (d && d->kind[0] && (a->nr == 9 || a->nr == 12 || a->nr == 25)) {
		fprintf(o, " = %#lx", (unsigned long)ret);
	} else {
		fprintf(o, " = %ld", ret);
	}
}

/* ---- run-time control: `trace on|off [SET]` ---- */

static FILE *strace_file;              /* --strace's output, kept while off */
static bool filter_on;                 /* only the syscalls in filter[] */
static bool filter[SYSCALL_NR_MAX];

void strace_set_file(FILE *f)
{
	strace_file = f;
	strace_out = f;
}

void strace_close(void)
{
	if (strace_file && strace_file != stderr)
		fclose(strace_file);
	else if (strace_file)
		fflush(strace_file);
	strace_file = strace_out = NULL;
}

bool strace_wanted(int nr)
{
	return !filter_on || (nr >= 0 && nr < SYSCALL_NR_MAX && filter[nr]);
}

int strace_set(bool on, const char *set, const char **bad)
{
	static const struct { const char *name; int class; } classes[] = {
		{ "%file", C_F }, { "%desc", C_D }, { "%memory", C_M }, { "%process", C_P },
		{ "%signal", C_S }, { "%network", C_N }, { "%net", C_N }, { "%ipc", C_I },
	};
	static char word[64];
	if (!on) {
		if (strace_out)
			fflush(strace_out);
		strace_out = NULL;
		return 0;
	}
	bool want[SYSCALL_NR_MAX] = { false };
	if (set) {
		const char *p = set;
		while (*p) {
			size_t n = strcspn(p, ",");
			if (n == 0 || n >= sizeof word) {
				snprintf(word, sizeof word, "%.*s", (int)(n < sizeof word ? n : sizeof word - 1), p);
				*bad = word;
				return -EINVAL;
			}
			memcpy(word, p, n);
			word[n] = 0;
			int nr = syscall_lookup(word);
			bool found = nr >= 0;
			if (found)
				want[nr] = true;
			for (size_t c = 0; c < ARRAY_SIZE(classes) && !found; c++) {
				if (strcmp(word, classes[c].name))
					continue;
				found = true;
				for (int i = 0; i < SYSCALL_NR_MAX; i++)
					if (syscall_table[i].name && (syscall_table[i].class & classes[c].class))
						want[i] = true;
			}
			if (!found) {
				*bad = word;
				return -EINVAL;
			}
			p += n;
			if (*p == ',')
				p++;
		}
	}
	memcpy(filter, want, sizeof filter);
	filter_on = set != NULL;
	strace_out = strace_file ? strace_file : stderr;
	return 0;
}

void strace_syscall(struct task *t, const struct sysargs *a, long ret, const char *pre)
{
	FILE *o = strace_out;
	if (filter_on && !strace_wanted(a->nr))
		return;
	if (pre || a->nr != 59) {
		fprintf(o, "[pid %d] ", t->tid);
		strace_print_call(o, t, a, ret, pre ? STRACE_ENTRY : STRACE_EXIT);
	}
	if (pre) {
		if (a->nr != 59)
			fputs(" = ?\n", o);
		fflush(o);
		return;
	}
	strace_print_ret(o, t, a, ret);
	/* as strace marks a result it injected (--inject) */
	fputs(fault_injected(t) ? " (INJECTED)\n" : "\n", o);
	fflush(o);
}
