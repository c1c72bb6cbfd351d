/*
 * control.c - live inspection of a running umk: `umk run --control=SOCK`
 * serves commands on a UNIX socket, `umk ctl SOCK COMMAND` asks them.
 *
 *   ps                 every guest thread: pid, tid, ppid, state (R S D T
 *                      Z), comm, the kernel function it sleeps in (wchan)
 *                      and the syscall in flight, decoded by the strace
 *                      printer
 *   task TID           registers, signal masks and pending signals,
 *                      credentials, cwd and root, rlimits
 *   fds PID            each fd: type, path or peer, flags, offset
 *   maps PID           /proc/PID/maps (the same code)
 *   mounts             /proc/mounts (the same code)
 *   stack TID          the guest thread's user backtrace (stack.c)
 *   kstack TID         its kernel thread's backtrace (kstack.c)
 *   stats [--reset]    strace -c's table since start or the last reset
 *   trace on [SET]|off the strace printer at run time (SET: -e trace=)
 *   freeze, thaw       stop and resume every guest thread (freeze.c)
 *   help
 * Every command takes --json.
 *
 * In a nutshell: one thread accepts connections one at a time.  A
 * request is one line (at most CTL_MAX_REQ bytes, read within two
 * seconds); the reply is a status line, "OK" or "ERR", then the text.
 * Only the host user umk runs as may ask: the socket is mode 0600 and
 * the server checks the peer's uid (SO_PEERCRED) as well.  Commands walk
 * the kernel's structures under klock, the way /proc does, and share
 * /proc's rendering (fs/procfs.c: procfs_render, task_state_char).
 *
 * Lock: klock, taken by the server thread around each command.
 */
#include "../kernel.h"
#include "../mm/mm.h"
#include "../fs/fs.h"
#include "../net/net.h"
#include "debug.h"
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define CTL_MAX_REQ   4096
#define CTL_MAX_ARGS  16
#define CTL_MAX_FRAMES 64

static int listen_fd = -1;
static char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];

/* ---- output helpers ---- */

void json_str(FILE *o, const char *s)
{
	fputc('"', o);
	for (; s && *s; s++) {
		unsigned char c = *s;
		if (c == '"' || c == '\\')
			fprintf(o, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", o);
		else if (c == '\t')
			fputs("\\t", o);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(o, "\\u%04x", c);
		else
			fputc(c, o);
	}
	fputc('"', o);
}

/* The syscall t is in, decoded (malloc'd), or NULL. */
static char *syscall_text(struct task *t)
{
	if (t->syscall_nr < 0 || t->state == TASK_ZOMBIE || t->state == TASK_DEAD)
		return NULL;
	struct sysargs a = { .nr = t->syscall_nr,
			     .a = { t->regs.rdi, t->regs.rsi, t->regs.rdx, t->regs.r10, t->regs.r8,
				    t->regs.r9 } };
	char *s = NULL;
	size_t n;
	FILE *o = open_memstream(&s, &n);
	if (!o)
		return NULL;
	strace_print_call(o, t, &a, 0, STRACE_ENTRY);
	fclose(o);
	return s;
}

/* The kernel function a sleeping or parked thread waits in, or NULL. */
static const char *wchan_of(struct task *t, char *buf, size_t len)
{
	if (t->frozen)
		return "freezer";
	if (t->state != TASK_SLEEPING || !t->wchan)
		return NULL;
	return kernel_symbol((uint64_t)(uintptr_t)t->wchan, buf, len);
}

static int ppid_of(struct task *t)
{
	struct task *l = t->tg && t->tg->leader ? t->tg->leader : t;
	struct task *p = l->parent ? l->parent : t->parent;
	return p && p->tg ? p->tg->tgid : 0;
}

static bool listed(struct task *t)
{
	return t->tg && t->state != TASK_DEAD;
}

static int by_pid(const void *x, const void *y)
{
	struct task *a = *(struct task *const *)x, *b = *(struct task *const *)y;
	if (a->tg->tgid != b->tg->tgid)
		return a->tg->tgid < b->tg->tgid ? -1 : 1;
	return a->tid < b->tid ? -1 : a->tid > b->tid;
}

/* ---- commands ---- */

struct req {
	int argc;
	char *argv[CTL_MAX_ARGS];
	bool json;
	FILE *o;
	char err[256];
};

static int fail(struct req *r, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct req *r, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err, sizeof r->err, fmt, ap);
	va_end(ap);
	return err;
}

/* The task named by argv[1] (a decimal tid). */
static struct task *arg_task(struct req *r, int *err)
{
	if (r->argc != 2) {
		*err = fail(r, -EINVAL, "%s: expected one TID", r->argv[0]);
		return NULL;
	}
	char *end;
	long tid = strtol(r->argv[1], &end, 10);
	struct task *t = *end || tid <= 0 || tid > 0x7fffffff ? NULL : task_find((int)tid);
	if (!t || !listed(t)) {
		*err = fail(r, -ESRCH, "%s: no task %s", r->argv[0], r->argv[1]);
		return NULL;
	}
	*err = 0;
	return t;
}

static int cmd_ps(struct req *r)
{
	FILE *o = r->o;
	int n = 0;
	for (struct list_head *p = all_tasks.next; p != &all_tasks; p = p->next)
		n += listed(list_entry(p, struct task, all));
	struct task **v = calloc(n ? n : 1, sizeof *v);
	if (!v)
		return fail(r, -ENOMEM, "out of memory");
	n = 0;
	for (struct list_head *p = all_tasks.next; p != &all_tasks; p = p->next) {
		struct task *t = list_entry(p, struct task, all);
		if (listed(t))
			v[n++] = t;
	}
	qsort(v, n, sizeof *v, by_pid);
	if (r->json)
		fputc('[', o);
	else
		fprintf(o, "%5s %5s %5s %s %-16s %-20s %s\n", "PID", "TID", "PPID", "S", "COMM", "WCHAN",
			"SYSCALL");
	for (int i = 0; i < n; i++) {
		struct task *t = v[i];
		char wbuf[128];
		const char *wchan = wchan_of(t, wbuf, sizeof wbuf);
		char *sc = syscall_text(t);
		char st = task_state_char(t);
		if (r->json) {
			fprintf(o, "%s{\"pid\":%d,\"tid\":%d,\"ppid\":%d,\"state\":\"%c\",\"comm\":",
				i ? "," : "", t->tg->tgid, t->tid, ppid_of(t), st);
			json_str(o, t->comm);
			fputs(",\"wchan\":", o);
			if (wchan)
				json_str(o, wchan);
			else
				fputs("null", o);
			fputs(",\"syscall\":", o);
			if (sc) {
				json_str(o, sc);
				fprintf(o, ",\"syscall_nr\":%d", t->syscall_nr);
			} else {
				fputs("null,\"syscall_nr\":null", o);
			}
			fputc('}', o);
		} else {
			fprintf(o, "%5d %5d %5d %c %-16s %-20s %s\n", t->tg->tgid, t->tid, ppid_of(t), st,
				t->comm, wchan ? wchan : "-", sc ? sc : "-");
		}
		free(sc);
	}
	if (r->json)
		fputs("]\n", o);
	free(v);
	return 0;
}

static const char *const reg_names[27] = {
	"r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8", "rax", "rcx", "rdx",
	"rsi", "rdi", "orig_rax", "rip", "cs", "eflags", "rsp", "ss", "fs_base", "gs_base", "ds",
	"es", "fs", "gs",
};
/* shown in this order, as gdb's `info registers` */
static const int reg_order[27] = { 10, 5, 11, 12, 13, 14, 4, 19, 9, 8, 7, 6, 3, 2, 1, 0, 16, 18,
				   17, 20, 23, 24, 25, 26, 21, 22, 15 };

static void sigset_names(FILE *o, linux_sigset_t set)
{
	bool any = false;
	for (int s = 1; s <= LINUX_NSIG; s++) {
		if (!(set & SIGBIT(s)))
			continue;
		const char *n = s < 32 ? sigabbrev_np(s) : NULL;
		if (n)
			fprintf(o, "%sSIG%s", any ? "|" : "", n);
		else
			fprintf(o, "%sSIGRT%d", any ? "|" : "", s - 32);
		any = true;
	}
}

static void sigline(struct req *r, const char *name, linux_sigset_t set, bool last)
{
	if (r->json) {
		fprintf(r->o, "\"%s\":\"%016llx\"%s", name, (unsigned long long)set, last ? "" : ",");
		return;
	}
	fprintf(r->o, "  %-14s %016llx", name, (unsigned long long)set);
	if (set) {
		fputs("  ", r->o);
		sigset_names(r->o, set);
	}
	fputc('\n', r->o);
}

static int cmd_task(struct req *r)
{
	int err;
	struct task *t = arg_task(r, &err);
	if (!t)
		return err;
	FILE *o = r->o;
	const uint64_t *regs = (const uint64_t *)&t->regs;
	linux_sigset_t ign = 0, caught = 0;
	for (int s = 1; t->sighand && s <= LINUX_NSIG; s++) {
		uint64_t h = t->sighand->action[s - 1].handler;
		if (h == 1)
			ign |= SIGBIT(s);
		else if (h > 1)
			caught |= SIGBIT(s);
	}
	char wbuf[128];
	const char *wchan = wchan_of(t, wbuf, sizeof wbuf);
	char *sc = syscall_text(t);
	char rel[32], *limits = NULL;
	snprintf(rel, sizeof rel, "%d/limits", t->tid);
	procfs_render(rel, &limits, NULL);
	const struct cred *c = &t->cred;
	const char *cwd = t->fs && t->fs->cwd ? t->fs->cwd : "";
	const char *root = t->fs && t->fs->root ? t->fs->root : "";
	bool regs_live = t->state == TASK_RUNNING_USER && !t->frozen;
	if (r->json) {
		fprintf(o, "{\"tid\":%d,\"pid\":%d,\"ppid\":%d,\"pgid\":%d,\"sid\":%d,\"comm\":", t->tid,
			t->tg->tgid, ppid_of(t), t->tg->pgid, t->tg->sid);
		json_str(o, t->comm);
		fprintf(o, ",\"state\":\"%c\",\"wchan\":", task_state_char(t));
		if (wchan)
			json_str(o, wchan);
		else
			fputs("null", o);
		fputs(",\"syscall\":", o);
		if (sc)
			json_str(o, sc);
		else
			fputs("null", o);
		fprintf(o, ",\"registers_stale\":%s,\"registers\":{", regs_live ? "true" : "false");
		for (int i = 0; i < 27; i++)
			fprintf(o, "%s\"%s\":\"0x%llx\"", i ? "," : "", reg_names[reg_order[i]],
				(unsigned long long)regs[reg_order[i]]);
		fputs("},\"signals\":{", o);
		sigline(r, "blocked", t->blocked, false);
		sigline(r, "pending", t->pending.set, false);
		sigline(r, "shared_pending", t->tg->shared_pending.set, false);
		sigline(r, "ignored", ign, false);
		sigline(r, "caught", caught, true);
		fprintf(o, "},\"uid\":[%u,%u,%u,%u],\"gid\":[%u,%u,%u,%u],\"groups\":[", c->uid, c->euid,
			c->suid, c->fsuid, c->gid, c->egid, c->sgid, c->fsgid);
		for (uint32_t i = 0; i < c->ngroups && i < ARRAY_SIZE(c->groups); i++)
			fprintf(o, "%s%u", i ? "," : "", c->groups[i]);
		fputs("],\"cwd\":", o);
		json_str(o, cwd);
		fputs(",\"root\":", o);
		json_str(o, root);
		fputs(",\"rlimits\":[", o);
		for (int i = 0; i < LINUX_RLIM_NLIMITS; i++) {
			const struct linux_rlimit *l = &t->tg->rlim[i];
			fprintf(o, "%s{\"resource\":%d,", i ? "," : "", i);
			if (l->rlim_cur == LINUX_RLIM_INFINITY)
				fputs("\"soft\":\"unlimited\",", o);
			else
				fprintf(o, "\"soft\":%llu,", (unsigned long long)l->rlim_cur);
			if (l->rlim_max == LINUX_RLIM_INFINITY)
				fputs("\"hard\":\"unlimited\"}", o);
			else
				fprintf(o, "\"hard\":%llu}", (unsigned long long)l->rlim_max);
		}
		fputs("]}\n", o);
	} else {
		fprintf(o, "tid %d  pid %d  ppid %d  pgid %d  sid %d  comm %s  state %c\n", t->tid,
			t->tg->tgid, ppid_of(t), t->tg->pgid, t->tg->sid, t->comm, task_state_char(t));
		fprintf(o, "syscall: %s\nwchan: %s\n", sc ? sc : "-", wchan ? wchan : "-");
		fprintf(o, "registers%s:\n", regs_live ? " (as of its last entry into the kernel: it "
			"runs guest code now)" : "");
		for (int i = 0; i < 27; i++)
			fprintf(o, "%s%-8s 0x%016llx%s", i % 3 ? "  " : "  ", reg_names[reg_order[i]],
				(unsigned long long)regs[reg_order[i]], i % 3 == 2 || i == 26 ? "\n" : "");
		fputs("signals:\n", o);
		sigline(r, "blocked", t->blocked, false);
		sigline(r, "pending", t->pending.set, false);
		sigline(r, "shared pending", t->tg->shared_pending.set, false);
		sigline(r, "ignored", ign, false);
		sigline(r, "caught", caught, false);
		fprintf(o, "credentials:\n  uid %u %u %u %u  (real effective saved fs)\n"
			"  gid %u %u %u %u\n  groups", c->uid, c->euid, c->suid, c->fsuid, c->gid,
			c->egid, c->sgid, c->fsgid);
		for (uint32_t i = 0; i < c->ngroups && i < ARRAY_SIZE(c->groups); i++)
			fprintf(o, " %u", c->groups[i]);
		fprintf(o, "\ncwd %s\nroot %s\nrlimits:\n%s", cwd, root, limits ? limits : "");
	}
	free(sc);
	free(limits);
	return 0;
}

static const char *file_type(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "file";
	case S_IFDIR: return "dir";
	case S_IFIFO: return "pipe";
	case S_IFSOCK: return "socket";
	case S_IFCHR: return "chr";
	case S_IFBLK: return "blk";
	case S_IFLNK: return "link";
	}
	return "anon";
}

static void open_flags(FILE *o, int fl)
{
	static const struct { int v; const char *n; } f[] = {
		{ O_CREAT, "O_CREAT" }, { O_EXCL, "O_EXCL" }, { O_NOCTTY, "O_NOCTTY" },
		{ O_TRUNC, "O_TRUNC" }, { O_APPEND, "O_APPEND" }, { O_NONBLOCK, "O_NONBLOCK" },
		{ O_DSYNC, "O_DSYNC" }, { O_ASYNC, "O_ASYNC" }, { O_DIRECT, "O_DIRECT" },
		{ LINUX_O_LARGEFILE, "O_LARGEFILE" }, { O_DIRECTORY, "O_DIRECTORY" },
		{ O_NOFOLLOW, "O_NOFOLLOW" }, { O_NOATIME, "O_NOATIME" }, { O_CLOEXEC, "O_CLOEXEC" },
		{ O_PATH, "O_PATH" },
	};
	int acc = fl & O_ACCMODE;
	fputs(acc == O_RDONLY ? "O_RDONLY" : acc == O_WRONLY ? "O_WRONLY" : "O_RDWR", o);
	fl &= ~O_ACCMODE;
	for (size_t i = 0; i < ARRAY_SIZE(f); i++)
		if (f[i].v && (fl & f[i].v) == f[i].v) {
			fprintf(o, "|%s", f[i].n);
			fl &= ~f[i].v;
		}
	if (fl)
		fprintf(o, "|%#o", fl);
}

/* A UNIX socket's peer address ("@abstract" or a path), or "". */
static void socket_peer(struct file *f, char *buf, size_t len)
{
	struct sock_addr a;
	buf[0] = 0;
	if (!file_is_socket(f) || file_socket(f)->family != L_AF_UNIX ||
	    file_socket(f)->ops->getname(f, true, &a) || a.len <= L_SUN_PATH_OFF)
		return;
	const char *p = a.name + L_SUN_PATH_OFF;
	size_t n = a.len - L_SUN_PATH_OFF;
	if (p[0] == 0)
		snprintf(buf, len, "@%.*s", (int)(n - 1), p + 1);
	else
		snprintf(buf, len, "%.*s", (int)strnlen(p, n), p);
}

static int cmd_fds(struct req *r)
{
	int err;
	struct task *t = arg_task(r, &err);
	if (!t)
		return err;
	if (t->tg->leader && t->tg->leader != t && t->tg->tgid == t->tid)
		t = t->tg->leader;
	FILE *o = r->o;
	if (r->json)
		fprintf(o, "{\"pid\":%d,\"fds\":[", t->tg->tgid);
	else
		fprintf(o, "%4s %-6s %-28s %10s %s\n", "FD", "TYPE", "FLAGS", "OFFSET", "PATH");
	bool first = true;
	for (int fd = 0; t->files && fd < t->files->nfds; fd++) {
		struct file *f = t->files->files[fd];
		if (!f)
			continue;
		/* the link and fdinfo texts of /proc, so both agree */
		char rel[64], *link = NULL, *info = NULL;
		snprintf(rel, sizeof rel, "%d/fd/%d", t->tid, fd);
		procfs_render(rel, &link, NULL);
		snprintf(rel, sizeof rel, "%d/fdinfo/%d", t->tid, fd);
		procfs_render(rel, &info, NULL);
		long long pos = 0;
		unsigned flags = 0;
		if (!info || sscanf(info, "pos:\t%lld\nflags:\t%o", &pos, &flags) != 2)
			flags = f->flags;
		struct kstat st = { 0 };
		if (f->ops && f->ops->fstat)
			f->ops->fstat(f, &st);
		char peer[128];
		socket_peer(f, peer, sizeof peer);
		char *fl = NULL;
		size_t fln;
		FILE *fo = open_memstream(&fl, &fln);
		if (fo) {
			open_flags(fo, (int)flags);
			fclose(fo);
		}
		if (r->json) {
			fprintf(o, "%s{\"fd\":%d,\"type\":\"%s\",\"path\":", first ? "" : ",", fd,
				file_type(st.mode));
			json_str(o, link ? link : "");
			fputs(",\"peer\":", o);
			if (peer[0])
				json_str(o, peer);
			else
				fputs("null", o);
			fprintf(o, ",\"flags\":\"%s\",\"flags_octal\":\"0%o\",\"offset\":%lld}",
				fl ? fl : "", flags, pos);
		} else {
			fprintf(o, "%4d %-6s %-28s %10lld %s", fd, file_type(st.mode), fl ? fl : "", pos,
				link ? link : "?");
			if (peer[0])
				fprintf(o, " -> %s", peer);
			fputc('\n', o);
		}
		first = false;
		free(fl);
		free(link);
		free(info);
	}
	if (r->json)
		fputs("]}\n", o);
	return 0;
}

/* maps and mounts: /proc's own text; --json splits its lines. */
static int cmd_maps(struct req *r)
{
	int err;
	struct task *t = arg_task(r, &err);
	if (!t)
		return err;
	char rel[32], *text = NULL;
	snprintf(rel, sizeof rel, "%d/maps", t->tid);
	err = procfs_render(rel, &text, NULL);
	if (err)
		return fail(r, err, "maps: %s", strerror(-err));
	if (!r->json) {
		fputs(text, r->o);
		free(text);
		return 0;
	}
	fprintf(r->o, "{\"pid\":%d,\"maps\":[", t->tg->tgid);
	char *save, *line;
	bool first = true;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long start, end, off, ino;
		unsigned maj, min;
		char perms[5];
		int n = 0;
		if (sscanf(line, "%lx-%lx %4s %lx %x:%x %lu %n", &start, &end, perms, &off, &maj, &min,
			   &ino, &n) < 7)
			continue;
		fprintf(r->o, "%s{\"start\":\"0x%lx\",\"end\":\"0x%lx\",\"perms\":\"%s\",\"offset\":%lu,"
			"\"dev\":\"%02x:%02x\",\"inode\":%lu,\"path\":", first ? "" : ",", start, end,
			perms, off, maj, min, ino);
		json_str(r->o, line + n);
		fputc('}', r->o);
		first = false;
	}
	fputs("]}\n", r->o);
	free(text);
	return 0;
}

static int cmd_mounts(struct req *r)
{
	if (r->argc != 1)
		return fail(r, -EINVAL, "mounts: takes no argument");
	struct task *any = NULL;
	for (struct list_head *p = all_tasks.next; p != &all_tasks && !any; p = p->next) {
		struct task *t = list_entry(p, struct task, all);
		if (listed(t) && t->state != TASK_ZOMBIE)
			any = t;
	}
	if (!any)
		return fail(r, -ESRCH, "mounts: no live task");
	char rel[32], *text = NULL;
	snprintf(rel, sizeof rel, "%d/mounts", any->tid);
	int err = procfs_render(rel, &text, NULL);
	if (err)
		return fail(r, err, "mounts: %s", strerror(-err));
	if (!r->json) {
		fputs(text, r->o);
		free(text);
		return 0;
	}
	fputc('[', r->o);
	char *save, *line;
	bool first = true;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[4], *s2;
		int k = 0;
		for (char *w = strtok_r(line, " ", &s2); w && k < 4; w = strtok_r(NULL, " ", &s2))
			f[k++] = w;
		if (k < 4)
			continue;
		fprintf(r->o, "%s{\"source\":", first ? "" : ",");
		json_str(r->o, f[0]);
		fputs(",\"target\":", r->o);
		json_str(r->o, f[1]);
		fputs(",\"fstype\":", r->o);
		json_str(r->o, f[2]);
		fputs(",\"options\":", r->o);
		json_str(r->o, f[3]);
		fputc('}', r->o);
		first = false;
	}
	fputs("]\n", r->o);
	free(text);
	return 0;
}

static void frames_out(struct req *r, const char *head, struct debug_frame *fr, int n)
{
	FILE *o = r->o;
	if (!r->json) {
		if (head)
			fprintf(o, "%s\n", head);
		for (int i = 0; i < n; i++)
			debug_frame_print(o, i, &fr[i]);
		return;
	}
	fputs("{\"note\":", o);
	if (head)
		json_str(o, head);
	else
		fputs("null", o);
	fputs(",\"frames\":[", o);
	for (int i = 0; i < n; i++) {
		fprintf(o, "%s{\"ip\":\"0x%llx\",\"function\":", i ? "," : "",
			(unsigned long long)fr[i].ip);
		if (fr[i].func[0])
			json_str(o, fr[i].func);
		else
			fputs("null", o);
		fprintf(o, ",\"offset\":%llu,\"file\":", (unsigned long long)fr[i].off);
		if (fr[i].file[0])
			json_str(o, fr[i].file);
		else
			fputs("null", o);
		fprintf(o, ",\"line\":%d,\"object\":", fr[i].line);
		json_str(o, fr[i].object);
		fprintf(o, ",\"signal_frame\":%s}", fr[i].signal_frame ? "true" : "false");
	}
	fputs("]}\n", o);
}

static int cmd_stack(struct req *r)
{
	int err;
	struct task *t = arg_task(r, &err);
	if (!t)
		return err;
	if (t->state == TASK_ZOMBIE)
		return fail(r, -ESRCH, "stack: task %d is a zombie", t->tid);
	int tid = t->tid;
	bool stopped = false;
	if (t->state == TASK_RUNNING_USER || t->state == TASK_NEW) {
		err = debug_stop_task(t, tid);
		if (err == -ESRCH)
			return fail(r, err, "stack: task %d went away", tid);
		stopped = true;
		if (err) {
			debug_release_task(t);
			return fail(r, err, "stack: task %d did not stop: %s", tid, strerror(-err));
		}
	}
	struct debug_frame *fr = calloc(CTL_MAX_FRAMES, sizeof *fr);
	int n = fr ? guest_backtrace(t, fr, CTL_MAX_FRAMES) : -ENOMEM;
	if (stopped)
		debug_release_task(t);
	if (n < 0) {
		free(fr);
		return fail(r, n, "stack: %s", strerror(-n));
	}
	frames_out(r, NULL, fr, n);
	free(fr);
	return 0;
}

static int cmd_kstack(struct req *r)
{
	int err;
	struct task *t = arg_task(r, &err);
	if (!t)
		return err;
	void *ctx = t->sleep_ctx;
	const char *head = NULL;
	if (!ctx && (t->state == TASK_RUNNING_USER || t->state == TASK_NEW)) {
		ctx = t->loop_ctx;
		head = "running guest code: the kernel thread waits in platform->run, called from";
	}
	if (!ctx || t->state == TASK_ZOMBIE)
		return fail(r, -EAGAIN, "kstack: task %d is not at a point where its kernel stack can be "
			    "read (%s)", t->tid, t->state == TASK_ZOMBIE ? "a zombie" : "in the kernel");
	struct debug_frame *fr = calloc(CTL_MAX_FRAMES, sizeof *fr);
	if (!fr)
		return fail(r, -ENOMEM, "out of memory");
	int n = kernel_backtrace(ctx, false, fr, CTL_MAX_FRAMES);
	frames_out(r, head, fr, n);
	free(fr);
	return 0;
}

static int cmd_stats(struct req *r)
{
	bool reset = r->argc == 2 && !strcmp(r->argv[1], "--reset");
	if (r->argc > 2 || (r->argc == 2 && !reset))
		return fail(r, -EINVAL, "stats: usage: stats [--reset]");
	syscall_stats_print(r->o, r->json);
	if (reset)
		syscall_stats_reset();
	return 0;
}

static int cmd_trace(struct req *r)
{
	bool on = r->argc >= 2 && !strcmp(r->argv[1], "on");
	bool off = r->argc == 2 && !strcmp(r->argv[1], "off");
	if ((!on && !off) || r->argc > 3)
		return fail(r, -EINVAL, "trace: usage: trace on [SET] | trace off");
	const char *bad = NULL;
	const char *set = r->argc == 3 ? r->argv[2] : NULL;
	if (set && !strncmp(set, "trace=", 6))
		set += 6;
	if (strace_set(on, set, &bad))
		return fail(r, -EINVAL, "trace: invalid syscall or class '%s'", bad ? bad : "");
	if (r->json)
		fprintf(r->o, "{\"trace\":%s}\n", on ? "true" : "false");
	else
		fprintf(r->o, "trace %s\n", on ? "on" : "off");
	return 0;
}

static int cmd_freeze(struct req *r)
{
	if (r->argc != 1)
		return fail(r, -EINVAL, "%s: takes no argument", r->argv[0]);
	if (!strcmp(r->argv[0], "thaw")) {
		debug_thaw_all();
		fprintf(r->o, r->json ? "{\"frozen\":false}\n" : "thawed\n");
		return 0;
	}
	int n = debug_freeze_all();
	if (r->json)
		fprintf(r->o, "{\"frozen\":true,\"parked\":%d}\n", n);
	else
		fprintf(r->o, "frozen (%d thread%s parked; threads asleep in the kernel park when they "
			"wake)\n", n, n == 1 ? "" : "s");
	return 0;
}

static const struct ctl_cmd {
	const char *name, *usage;
	int (*fn)(struct req *r);
} cmds[] = {
	{ "ps", "ps", cmd_ps },
	{ "task", "task TID", cmd_task },
	{ "fds", "fds PID", cmd_fds },
	{ "maps", "maps PID", cmd_maps },
	{ "mounts", "mounts", cmd_mounts },
	{ "stack", "stack TID", cmd_stack },
	{ "kstack", "kstack TID", cmd_kstack },
	{ "stats", "stats [--reset]", cmd_stats },
	{ "trace", "trace on [SET] | trace off", cmd_trace },
	{ "freeze", "freeze", cmd_freeze },
	{ "thaw", "thaw", cmd_freeze },
};

static int cmd_help(struct req *r)
{
	if (r->json) {
		fputc('[', r->o);
		for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
			fputs(i ? "," : "", r->o);
			json_str(r->o, cmds[i].usage);
		}
		fputs("]\n", r->o);
		return 0;
	}
	fputs("commands (each takes --json):\n", r->o);
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
		fprintf(r->o, "  %s\n", cmds[i].usage);
	return 0;
}

int control_command(const char *line, FILE *o, bool *json)
{
	struct req r = { .o = o };
	char buf[CTL_MAX_REQ + 1];
	snprintf(buf, sizeof buf, "%s", line);
	char *save;
	int err = 0;
	for (char *w = strtok_r(buf, " \t\r\n", &save); w; w = strtok_r(NULL, " \t\r\n", &save)) {
		if (!strcmp(w, "--json")) {
			r.json = true;
			continue;
		}
		if (r.argc == CTL_MAX_ARGS) {
			err = fail(&r, -E2BIG, "too many words in the request");
			break;
		}
		r.argv[r.argc++] = w;
	}
	*json = r.json;
	if (!err && r.argc == 0)
		err = fail(&r, -EINVAL, "empty request (try 'help')");
	if (!err) {
		const struct ctl_cmd *c = NULL;
		for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
			if (!strcmp(r.argv[0], cmds[i].name))
				c = &cmds[i];
		if (c)
			err = c->fn(&r);
		else if (!strcmp(r.argv[0], "help"))
			err = cmd_help(&r);
		else
			err = fail(&r, -EINVAL, "unknown command '%.64s' (try 'help')", r.argv[0]);
	}
	if (err) {
		if (r.json) {
			fputs("{\"error\":", o);
			json_str(o, r.err);
			fputs("}\n", o);
		} else {
			fprintf(o, "%s\n", r.err);
		}
	}
	return err;
}

/* ---- the server ---- */

static void send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w <= 0)
			return;
		p += w;
		n -= w;
	}
}

static void reply(int fd, bool ok, const char *text, size_t n)
{
	send_all(fd, ok ? "OK\n" : "ERR\n", ok ? 3 : 4);
	send_all(fd, text, n);
}

static void reply_error(int fd, const char *msg)
{
	reply(fd, false, msg, strlen(msg));
}

/* Waits until fd is readable or the deadline (CLOCK_MONOTONIC ns) passes. */
static bool recv_until(int fd, uint64_t deadline)
{
	uint64_t now = now_ns(CLOCK_MONOTONIC);
	if (now >= deadline)
		return false;
	struct pollfd p = { fd, POLLIN, 0 };
	return poll(&p, 1, (int)((deadline - now) / 1000000 + 1)) > 0;
}

/* One connection: the peer's uid, one request line, one reply. */
static void serve(int fd)
{
	struct ucred cr;
	socklen_t cl = sizeof cr;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &cl) || cr.uid != geteuid()) {
		reply_error(fd, "permission denied: only umk's own host user may use this socket\n");
		return;
	}
	struct timeval stv = { 10, 0 };
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &stv, sizeof stv);
	/* the whole request within two seconds, however it trickles in */
	static char req[CTL_MAX_REQ + 1];
	uint64_t deadline = now_ns(CLOCK_MONOTONIC) + 2000000000ULL;
	size_t n = 0;
	bool line = false;
	while (n < sizeof req - 1 && !line && recv_until(fd, deadline)) {
		ssize_t r = recv(fd, req + n, sizeof req - 1 - n, 0);
		if (r <= 0)
			break;
		line = memchr(req + n, '\n', r) != NULL;
		n += r;
	}
	req[n] = 0;
	char *nl = memchr(req, '\n', n);
	if (!nl && n == sizeof req - 1) {
		reply_error(fd, "request too long (at most 4096 bytes)\n");
		/* let the client read the answer: drain what it still sends,
		 * for a few seconds at most */
		char sink[4096];
		deadline = now_ns(CLOCK_MONOTONIC) + 3000000000ULL;
		while (recv_until(fd, deadline) && recv(fd, sink, sizeof sink, 0) > 0)
			;
		return;
	}
	size_t len = nl ? (size_t)(nl - req) : n;
	if (memchr(req, 0, len)) {
		reply_error(fd, "bad request: a NUL byte\n");
		return;
	}
	req[len] = 0;
	char *text = NULL;
	size_t tn = 0;
	FILE *o = open_memstream(&text, &tn);
	if (!o) {
		reply_error(fd, "out of memory\n");
		return;
	}
	bool json;
	pthread_mutex_lock(&klock);
	int err = control_command(req, o, &json);
	pthread_mutex_unlock(&klock);
	fclose(o);
	reply(fd, err == 0, text ? text : "", tn);
	free(text);
}

static void *server_main(void *arg)
{
	(void)arg;
	for (;;) {
		int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				if (errno != EINTR && errno != ECONNABORTED)
					poll(NULL, 0, 100);
				continue;
			}
			umk_log("control socket: accept: %s", strerror(errno));
			return NULL;
		}
		serve(fd);
		shutdown(fd, SHUT_WR);
		close(fd);
	}
	return NULL;
}

int control_start(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof sa.sun_path) {
		fprintf(stderr, "umk: --control=%s: path too long (at most %zu bytes)\n", path,
			sizeof sa.sun_path - 1);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	struct stat st;
	if (lstat(path, &st) == 0) {
		/* a socket left by a umk that died is reused; a live one is not */
		int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		bool stale = S_ISSOCK(st.st_mode) && probe >= 0 &&
			     connect(probe, (struct sockaddr *)&sa, sizeof sa) < 0 && errno == ECONNREFUSED;
		if (probe >= 0)
			close(probe);
		if (!stale) {
			fprintf(stderr, "umk: --control=%s: %s\n", path, S_ISSOCK(st.st_mode) ?
				"in use by a running umk" : "exists and is not a socket");
			return -EEXIST;
		}
		unlink(path);
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	mode_t old = umask(077);
	int r = bind(fd, (struct sockaddr *)&sa, sizeof sa);
	umask(old);
	if (r < 0 || chmod(path, 0600) < 0 || listen(fd, 8) < 0)
		goto fail;
	listen_fd = fd;
	snprintf(sock_path, sizeof sock_path, "%s", path);
	/* the server takes no host signal: SIGTERM and friends go to the
	 * guest through main.c's forwarder */
	pthread_t th;
	pthread_attr_t attr;
	sigset_t all, oldmask;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &oldmask);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	r = pthread_create(&th, &attr, server_main, NULL);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &oldmask, NULL);
	if (r) {
		errno = r;
		goto fail;
	}
	syscall_stats_enable();
	return 0;
fail:;
	int e = errno;
	fprintf(stderr, "umk: --control=%s: %s\n", path, strerror(e));
	if (fd >= 0)
		close(fd);
	if (listen_fd >= 0)
		unlink(path);
	listen_fd = -1;
	return -e;
}

void control_stop(void)
{
	if (listen_fd >= 0 && sock_path[0])
		unlink(sock_path);
}

/* ---- the client: umk ctl SOCK COMMAND [ARGS...] ---- */

int control_client(int argc, char **argv)
{
	bool help = false;
	for (int i = 1; i < argc && i < 3; i++)
		help |= !strcmp(argv[i], "--help") || !strcmp(argv[i], "-h");
	if (argc < 3 || help) {
		FILE *o = help ? stdout : stderr;
		fprintf(o, "usage: umk ctl SOCKET COMMAND [ARGS...] [--json]\n"
			"Asks the umk started with --control=SOCKET.  Commands:\n");
		for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
			fprintf(o, "  %s\n", cmds[i].usage);
		fprintf(o, "  help\n");
		return help ? 0 : 2;
	}
	const char *path = argv[1];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof sa.sun_path) {
		fprintf(stderr, "umk: ctl: %s: path too long\n", path);
		return 2;
	}
	strcpy(sa.sun_path, path);
	size_t len = 0;
	for (int i = 2; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *line = malloc(len + 1);
	if (!line)
		return 1;
	line[0] = 0;
	for (int i = 2; i < argc; i++) {
		strcat(line, argv[i]);
		strcat(line, i + 1 < argc ? " " : "\n");
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		fprintf(stderr, "umk: ctl: %s: %s\n", path, strerror(errno));
		free(line);
		return 1;
	}
	struct timeval tv = { 30, 0 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	send_all(fd, line, strlen(line));
	free(line);
	shutdown(fd, SHUT_WR);
	char *buf = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		if (n + 4096 > cap) {
			cap = cap ? cap * 2 : 65536;
			char *nb = realloc(buf, cap);
			if (!nb)
				break;
			buf = nb;
		}
		ssize_t r = recv(fd, buf + n, cap - n, 0);
		if (r <= 0)
			break;
		n += r;
	}
	close(fd);
	int status = 1;
	if (n >= 3 && !memcmp(buf, "OK\n", 3)) {
		fwrite(buf + 3, 1, n - 3, stdout);
		status = 0;
	} else if (n >= 4 && !memcmp(buf, "ERR\n", 4)) {
		if (n > 5 && buf[4] == '{')
			fwrite(buf + 4, 1, n - 4, stdout);
		else
			fprintf(stderr, "umk: ctl: %.*s", (int)(n - 4), buf + 4);
	} else {
		fprintf(stderr, "umk: ctl: %s: no answer\n", path);
	}
	free(buf);
	return status;
}
