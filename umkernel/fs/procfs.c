/*
 * procfs.c - procfs, mounted at /proc: processes and kernel state as
 * generated text files, directories and symlinks.
 *
 * In a nutshell: the tree is described by static tables of `struct pent`
 * (name, kind, mode, a show function that renders a file's text or a
 * link's target); a directory may also have dynamic children (the
 * processes, a process's threads, its open fds).  A path ("12/fd/3") is
 * resolved to a node: the entry plus a context (target tid, thread view,
 * fd).  Opening a file renders its whole text into a buffer that read
 * serves; a read at offset 0 renders it again, as seq_file does after
 * lseek(0), so top-style readers that keep the fd see fresh numbers.
 * /proc/PID/fd/N are magic links: opening one gives the open file itself.
 * "self" and "thread-self" resolve through `current` (the task the
 * calling kernel thread serves), since fs ops are not given the task.
 * Times are in clock ticks of 100 Hz, counted from boot_time_ns (umk's
 * start), and /proc/stat's btime agrees with that.
 *
 * Locking: everything runs under klock, held by the caller; tasks are
 * looked up again by tid on every access, so a file held open across a
 * task's exit reads as -ESRCH instead of touching freed memory.
 */
#include "../kernel.h"
#include "../mm/mm.h"
#include "fs.h"
#include "../tty/tty.h"
#include "tmpfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define PROC_SUPER_MAGIC 0x9fa0
#define HZ               100
#define NS_PER_TICK      (1000000000LL / HZ)
#define PROC_MAX_ARGS    (1 << 20)      /* cmdline/environ read at most this */

/* ---- text buffers ---- */

struct sbuf {
	char *buf;
	size_t len, cap;
	bool oom;
};

static void sb_grow(struct sbuf *sb, size_t need)
{
	size_t nc;
	char *nb;

	if (sb->oom || sb->len + need + 1 <= sb->cap)
		return;
	for (nc = sb->cap ? sb->cap : 1024; nc < sb->len + need + 1; nc *= 2)
		;
	nb = realloc(sb->buf, nc);
	if (!nb) {
		sb->oom = true;
		return;
	}
	sb->buf = nb;
	sb->cap = nc;
}

static void sb_put(struct sbuf *sb, const void *d, size_t n)
{
	sb_grow(sb, n);
	if (sb->oom)
		return;
	memcpy(sb->buf + sb->len, d, n);
	sb->len += n;
	sb->buf[sb->len] = 0;
}

static void __attribute__((format(printf, 2, 3))) sb_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	sb_grow(sb, n);
	if (sb->oom)
		return;
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, n + 1, fmt, ap);
	va_end(ap);
	sb->len += n;
}

/* A path with the mount-table escapes of Linux's seq_path (\040 etc.). */
static void sb_escaped(struct sbuf *sb, const char *s)
{
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\\')
			sb_printf(sb, "\\%03o", (unsigned char)*s);
		else
			sb_put(sb, s, 1);
	}
}

/* Appends the text of a host file (the host's /proc/meminfo...). */
static int sb_host_file(struct sbuf *sb, const char *path)
{
	char buf[4096];
	size_t n;
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_put(sb, buf, n);
	fclose(f);
	return 0;
}

/* ---- the tree ---- */

enum { PK_DIR, PK_FILE, PK_LINK };
enum { DYN_NONE, DYN_PIDS, DYN_TASKS, DYN_FDS, DYN_FDINFO };

struct pctx {
	int tid;                      /* target task, 0 for global entries */
	bool thread;                  /* under PID/task/TID: the thread's view */
	int fd;                       /* fd/N, fdinfo/N */
};

struct pent {
	const char *name;
	int kind;
	uint32_t perm;
	/* files: the text; links: the target.  tk is the target task or NULL. */
	int (*show)(struct task *tk, const struct pctx *c, struct sbuf *sb);
	int (*write)(struct task *tk, const struct pctx *c, const char *buf, size_t n);
	const struct pent *sub;       /* directories: fixed entries, name NULL ends */
	int dyn;                      /* directories: dynamic entries */
	bool priv;                    /* needs ptrace-like access to the target */
};

struct pnode {
	const struct pent *e;
	struct pctx c;
};

static const struct pent root_ent, pid_dir_ent, tid_dir_ent, fd_link_ent, fdinfo_ent;

/* ---- helpers on tasks ---- */

static bool task_alive(struct task *tk)
{
	return tk->state != TASK_ZOMBIE && tk->state != TASK_DEAD;
}

/* Linux's ptrace_may_access(PTRACE_MODE_READ_FSCREDS), without capabilities
 * beyond "euid 0 may". */
static bool may_access(struct task *tk)
{
	const struct cred *me, *it;

	if (!current || current == tk || current->tg == tk->tg)
		return true;
	me = &current->cred;
	it = &tk->cred;
	if (me->euid == 0)
		return true;
	return me->fsuid == it->uid && me->fsuid == it->euid && me->fsuid == it->suid &&
	       me->fsgid == it->gid && me->fsgid == it->egid && me->fsgid == it->sgid;
}

static int ppid_of(struct task *tk)
{
	struct task *l = tk->tg && tk->tg->leader ? tk->tg->leader : tk;
	struct task *p = l->parent ? l->parent : tk->parent;

	return p && p->tg ? p->tg->tgid : 0;
}

static char state_char(struct task *tk)
{
	if (tk->state == TASK_ZOMBIE)
		return 'Z';
	if (tk->state == TASK_DEAD)
		return 'X';
	if (tk->tg && tk->tg->stop_state)
		return 'T';
	if (tk->state == TASK_SLEEPING)
		return 'S';
	return 'R';
}

static const char *state_name(char c)
{
	switch (c) {
	case 'Z': return "Z (zombie)";
	case 'X': return "X (dead)";
	case 'T': return "T (stopped)";
	case 'S': return "S (sleeping)";
	}
	return "R (running)";
}

/* CPU time of one thread, or of its whole group (plus nothing reaped). */
static void cpu_times(struct task *tk, bool whole, int64_t *u, int64_t *s)
{
	struct list_head *p;
	int64_t tu, ts;

	if (!whole) {
		task_cpu_times(tk, u, s);
		return;
	}
	*u = *s = 0;
	for (p = all_tasks.next; p != &all_tasks; p = p->next) {
		struct task *o = list_entry(p, struct task, all);

		if (o->tg != tk->tg)
			continue;
		task_cpu_times(o, &tu, &ts);
		*u += tu;
		*s += ts;
	}
}

struct vmstats {
	uint64_t size, exe, stk, data, lib;     /* bytes */
	uint64_t rss;                           /* pages */
};

static void vm_stats(struct task *tk, struct vmstats *vs)
{
	struct list_head *p;
	char path[64];
	FILE *f;
	unsigned long sz, res;

	memset(vs, 0, sizeof(*vs));
	if (!tk->mm)
		return;
	for (p = tk->mm->vmas.next; p != &tk->mm->vmas; p = p->next) {
		struct vma *v = list_entry(p, struct vma, link);
		uint64_t len = v->end - v->start;

		vs->size += len;
		if (!strcmp(v->name, "[stack]") || (v->flags & MAP_GROWSDOWN))
			vs->stk += len;
		else if ((v->prot & PROT_WRITE) && (v->flags & MAP_TYPE) != MAP_SHARED)
			vs->data += len;
		if (v->file && (v->prot & PROT_EXEC) && tk->mm->exe && v->file != tk->mm->exe)
			vs->lib += len;
	}
	if (tk->mm->end_code > tk->mm->start_code)
		vs->exe = tk->mm->end_code - tk->mm->start_code;
	/* Pages live in the host stub: its resident set is the guest's. */
	if (tk->host && platform && platform->host_tid) {
		snprintf(path, sizeof(path), "/proc/%d/statm", platform->host_tid(tk->host));
		f = fopen(path, "re");
		if (f) {
			if (fscanf(f, "%lu %lu", &sz, &res) == 2)
				vs->rss = res;
			fclose(f);
		}
	}
}

static linux_sigset_t sig_with(struct task *tk, bool ign)
{
	linux_sigset_t set = 0;

	if (!tk->sighand)
		return 0;
	for (int i = 0; i < LINUX_NSIG; i++) {
		uint64_t h = tk->sighand->action[i].handler;

		if (ign ? h == 1 : h > 1)
			set |= 1ULL << i;
	}
	return set;
}

static uint64_t rlim_cur(struct task *tk, int r)
{
	return tk->tg ? tk->tg->rlim[r].rlim_cur : LINUX_RLIM_INFINITY;
}

/* Wall-clock seconds of umk's boot. */
static int64_t boot_wall_sec(void)
{
	struct timespec rt;
	int64_t up = now_ns(CLOCK_MONOTONIC) - boot_time_ns;

	clock_gettime(CLOCK_REALTIME, &rt);
	return rt.tv_sec - up / 1000000000LL;
}

static unsigned long ticks(int64_t ns)
{
	return ns > 0 ? (unsigned long)(ns / NS_PER_TICK) : 0;
}

static void host_release(char *buf, size_t len)
{
	struct utsname u;

	if (uname(&u) == 0)
		snprintf(buf, len, "%s", u.release);
	else
		snprintf(buf, len, "6.1.0");
}

/* ---- global files ---- */

/* The host's /proc/meminfo; under --memory its totals are the guest's:
 * MemTotal and CommitLimit the limit, Committed_AS what is committed,
 * MemFree and MemAvailable what is left (at most the host's), the host's
 * caches 0. */
static int show_host_meminfo(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)tk, (void)c;
	if (!vm_commit_limit)
		return sb_host_file(sb, "/proc/meminfo");
	FILE *f = fopen("/proc/meminfo", "re");
	char line[256];
	uint64_t left = vm_commit_limit > vm_committed ? vm_commit_limit - vm_committed : 0;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char key[64];
		unsigned long long kb;
		uint64_t v;

		if (sscanf(line, "%63[^:]: %llu", key, &kb) != 2) {
			sb_printf(sb, "%s", line);
			continue;
		}
		if (!strcmp(key, "MemTotal") || !strcmp(key, "CommitLimit"))
			v = vm_commit_limit / 1024;
		else if (!strcmp(key, "Committed_AS"))
			v = vm_committed / 1024;
		else if (!strcmp(key, "MemFree") || !strcmp(key, "MemAvailable"))
			v = left / 1024 < kb ? left / 1024 : kb;
		else if (!strcmp(key, "Buffers") || !strcmp(key, "Cached") || !strcmp(key, "SwapCached") ||
			 !strcmp(key, "SReclaimable") || !strcmp(key, "Shmem"))
			v = 0;   /* the host's caches are not the guest's: used = total - free */
		else {
			sb_printf(sb, "%s", line);
			continue;
		}
		sb_printf(sb, "%-16s%8llu kB\n", strcat(key, ":"), (unsigned long long)v);
	}
	fclose(f);
	return 0;
}

static int show_host_cpuinfo(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)tk, (void)c;
	return sb_host_file(sb, "/proc/cpuinfo");
}

static void count_tasks(int *running, int *total, int *last)
{
	struct list_head *p;

	*running = *total = *last = 0;
	for (p = all_tasks.next; p != &all_tasks; p = p->next) {
		struct task *o = list_entry(p, struct task, all);

		if (!task_alive(o))
			continue;
		(*total)++;
		if (o->state != TASK_SLEEPING && !(o->tg && o->tg->stop_state))
			(*running)++;
		if (o->tid > *last)
			*last = o->tid;
	}
}

/* The host's cpu lines; our own boot time and process counts. */
static int show_stat(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	struct sbuf host = { 0 };
	char *line, *save;
	int running, total, last;

	(void)tk, (void)c;
	if (sb_host_file(&host, "/proc/stat") == 0 && host.buf) {
		for (line = strtok_r(host.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			if (!strncmp(line, "cpu", 3))
				sb_printf(sb, "%s\n", line);
	}
	free(host.buf);
	count_tasks(&running, &total, &last);
	sb_printf(sb, "intr 0\nctxt 0\nbtime %lld\nprocesses %d\nprocs_running %d\n"
		  "procs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n",
		  (long long)boot_wall_sec(), last, running ? running : 1);
	return 0;
}

static int show_uptime(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	int64_t up = now_ns(CLOCK_MONOTONIC) - boot_time_ns;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int64_t idle = up * (ncpu > 0 ? ncpu : 1);

	(void)tk, (void)c;
	sb_printf(sb, "%lld.%02lld %lld.%02lld\n", (long long)(up / 1000000000),
		  (long long)(up / 10000000 % 100), (long long)(idle / 1000000000),
		  (long long)(idle / 10000000 % 100));
	return 0;
}

static int show_loadavg(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	double l[3] = { 0, 0, 0 };
	int running, total, last;

	(void)tk, (void)c;
	if (getloadavg(l, 3) < 0)
		l[0] = l[1] = l[2] = 0;
	count_tasks(&running, &total, &last);
	sb_printf(sb, "%.2f %.2f %.2f %d/%d %d\n", l[0], l[1], l[2], running ? running : 1, total,
		  last);
	return 0;
}

static int show_filesystems(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	static const char *const nodev[] = { "proc", "tmpfs", "devtmpfs", "pipefs" };
	struct list_head *p;

	(void)tk, (void)c;
	for (size_t i = 0; i < ARRAY_SIZE(nodev); i++)
		sb_printf(sb, "nodev\t%s\n", nodev[i]);
	for (p = mounts.next; p != &mounts; p = p->next) {
		struct mount *m = list_entry(p, struct mount, link);
		bool seen = false;

		if (!m->fstype)
			continue;
		for (size_t i = 0; i < ARRAY_SIZE(nodev); i++)
			seen |= !strcmp(nodev[i], m->fstype);
		if (!seen && sb->buf && strstr(sb->buf, m->fstype))
			seen = true;
		if (!seen)
			sb_printf(sb, "\t%s\n", m->fstype);
	}
	return 0;
}

static int show_version(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	char rel[65];

	(void)tk, (void)c;
	host_release(rel, sizeof(rel));
	sb_printf(sb, "Linux version %s (umk@umk) (gcc) #1 SMP PREEMPT_DYNAMIC umk\n", rel);
	return 0;
}

static int show_kcmdline(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)tk, (void)c;
	sb_printf(sb, "umk\n");
	return 0;
}

static int show_hostname(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)tk, (void)c;
	sb_printf(sb, "%s\n", guest_hostname);
	return 0;
}

static int show_domainname(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)tk, (void)c;
	sb_printf(sb, "%s\n", guest_domainname[0] ? guest_domainname : "(none)");
	return 0;
}

/* Linux's proc_dostring for the uts names: up to 64 bytes, one line. */
static int write_uts(char *dst, const char *buf, size_t n)
{
	if (current && current->cred.euid != 0)
		return -EPERM;
	if (n > 64)
		n = 64;
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == 0))
		n--;
	memcpy(dst, buf, n);
	dst[n] = 0;
	return 0;
}

static int write_hostname(struct task *tk, const struct pctx *c, const char *buf, size_t n)
{
	(void)tk, (void)c;
	return write_uts(guest_hostname, buf, n);
}

static int write_domainname(struct task *tk, const struct pctx *c, const char *buf, size_t n)
{
	(void)tk, (void)c;
	return write_uts(guest_domainname, buf, n);
}

static int show_osrelease(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	char rel[65];

	(void)tk, (void)c;
	host_release(rel, sizeof(rel));
	sb_printf(sb, "%s\n", rel);
	return 0;
}

#define CONST_SHOW(fn, text)                                                        \
	static int fn(struct task *tk, const struct pctx *c, struct sbuf *sb)       \
	{                                                                           \
		(void)tk, (void)c;                                                  \
		sb_printf(sb, "%s", text);                                          \
		return 0;                                                           \
	}
CONST_SHOW(show_ostype, "Linux\n")
CONST_SHOW(show_kversion, "#1 SMP PREEMPT_DYNAMIC umk\n")
CONST_SHOW(show_pid_max, "4194304\n")
CONST_SHOW(show_ngroups_max, "65536\n")
CONST_SHOW(show_threads_max, "65536\n")
CONST_SHOW(show_cap_last_cap, "40\n")
CONST_SHOW(show_overcommit, "0\n")
CONST_SHOW(show_max_map_count, "65530\n")
CONST_SHOW(show_nr_open, "1048576\n")
CONST_SHOW(show_file_max, "9223372036854775807\n")
CONST_SHOW(show_pipe_max_size, "1048576\n")
CONST_SHOW(show_cgroup, "0::/\n")
CONST_SHOW(show_zero_nl, "0\n")
CONST_SHOW(show_loginuid, "4294967295")

/* ---- links ---- */

static int show_self(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)tk, (void)c;
	if (!current)
		return -ENOENT;
	sb_printf(sb, "%d", current->tg->tgid);
	return 0;
}

static int show_thread_self(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)tk, (void)c;
	if (!current)
		return -ENOENT;
	sb_printf(sb, "%d/task/%d", current->tg->tgid, current->tid);
	return 0;
}

CONST_SHOW(show_mounts_link, "self/mounts")

static int show_cwd(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)c;
	if (!tk->fs || !tk->fs->cwd)
		return -ENOENT;
	sb_printf(sb, "%s", tk->fs->cwd);
	return 0;
}

static int show_root(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)c;
	if (!tk->fs || !tk->fs->root)
		return -ENOENT;
	sb_printf(sb, "%s", tk->fs->root);
	return 0;
}

static int show_exe(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)c;
	if (!tk->mm || !tk->mm->exe || !tk->mm->exe->path)
		return -ENOENT;
	sb_printf(sb, "%s", tk->mm->exe->path);
	return 0;
}

static struct file *task_fd(struct task *tk, int fd)
{
	if (!tk->files || fd < 0 || fd >= tk->files->nfds)
		return NULL;
	return tk->files->files[fd];
}

static int show_fd_link(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	struct file *f = task_fd(tk, c->fd);

	if (!f)
		return -ENOENT;
	sb_printf(sb, "%s", f->path && f->path[0] ? f->path : "anon_inode:[unknown]");
	return 0;
}

/* ---- per-process files ---- */

static int show_comm(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)c;
	sb_printf(sb, "%.16s\n", tk->comm);
	return 0;
}

/* Linux lets a thread group rename its own threads this way. */
static int write_comm(struct task *tk, const struct pctx *c, const char *buf, size_t n)
{
	(void)c;
	if (!current || current->tg != tk->tg)
		return -EINVAL;
	if (n > sizeof(tk->comm) - 1)
		n = sizeof(tk->comm) - 1;
	while (n && buf[n - 1] == '\n')
		n--;
	memset(tk->comm, 0, sizeof(tk->comm));
	memcpy(tk->comm, buf, n);
	return 0;
}

/* The guest memory [start, end) of tk, NULs and all (cmdline, environ). */
static int show_user_range(struct task *tk, uint64_t start, uint64_t end, struct sbuf *sb)
{
	size_t len;
	char *buf;

	if (!tk->mm || !task_alive(tk) || end <= start)
		return 0;
	len = end - start;
	if (len > PROC_MAX_ARGS)
		len = PROC_MAX_ARGS;
	buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	if (copy_from_user(tk, buf, start, len) == 0)
		sb_put(sb, buf, len);
	free(buf);
	return 0;
}

static int show_cmdline(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)c;
	if (!tk->mm)
		return 0;
	return show_user_range(tk, tk->mm->arg_start, tk->mm->arg_end, sb);
}

static int show_environ(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)c;
	if (!tk->mm)
		return 0;
	return show_user_range(tk, tk->mm->env_start, tk->mm->env_end, sb);
}

static int show_maps(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	size_t len = 65536;
	char *buf = NULL, *nb;
	int n = 0;

	(void)c;
	if (!tk->mm)
		return 0;
	/* mm_print_maps stops at a line that would not fit: grow until it
	 * leaves more room than any line takes. */
	for (;;) {
		nb = realloc(buf, len);
		if (!nb) {
			free(buf);
			return -ENOMEM;
		}
		buf = nb;
		n = mm_print_maps(tk->mm, buf, len);
		if (n < 0 || (size_t)n + 8192 < len || len >= (64u << 20))
			break;
		len *= 4;
	}
	if (n > 0)
		sb_put(sb, buf, n);
	free(buf);
	return 0;
}

/* Linux's do_task_stat: 52 fields, times in ticks. */
static int show_stat_pid(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	struct thread_group *tg = tk->tg;
	struct mm *mm = tk->mm;
	struct vmstats vs;
	int64_t u, s;
	char st = state_char(tk);
	linux_sigset_t pend;

	cpu_times(tk, !c->thread, &u, &s);
	vm_stats(tk, &vs);
	int tpgid, tty_nr = pty_ctty_nr(tk, &tpgid);
	pend = tk->pending.set | (tg ? tg->shared_pending.set : 0);
	sb_printf(sb, "%d (%.16s) %c %d %d %d %d %d %u %lu %lu %lu %lu %lu %lu %ld %ld %ld %ld "
		  "%d %d %llu %llu %ld %llu ",
		  c->tid, tk->comm, st, ppid_of(tk), tg ? tg->pgid : 0, tg ? tg->sid : 0,
		  tty_nr, tpgid, 0x400000u /* PF_RANDOMIZE */, 0UL, 0UL, 0UL, 0UL,
		  ticks(u), ticks(s), (long)ticks(tg && !c->thread ? tg->cutime_ns : 0),
		  (long)ticks(tg && !c->thread ? tg->cstime_ns : 0), 20L + tk->nice, (long)tk->nice,
		  tg ? tg->nr_threads : 1, 0,
		  (unsigned long long)ticks(tk->start_time_ns - boot_time_ns),
		  (unsigned long long)vs.size, (long)vs.rss,
		  (unsigned long long)rlim_cur(tk, RLIMIT_RSS));
	sb_printf(sb, "%llu %llu %llu %lu %lu %llu %llu %llu %llu %lu %lu %lu %d %d %u %u %llu "
		  "%lu %ld %llu %llu %llu %llu %llu %llu %llu %d\n",
		  (unsigned long long)(mm ? mm->start_code : 0),
		  (unsigned long long)(mm ? mm->end_code : 0),
		  (unsigned long long)(mm ? mm->start_stack : 0), 0UL, 0UL,
		  (unsigned long long)pend, (unsigned long long)tk->blocked,
		  (unsigned long long)sig_with(tk, true), (unsigned long long)sig_with(tk, false),
		  0UL, 0UL, 0UL, tk->exit_signal, tk->cpu > 0 ? tk->cpu : 0, 0u, 0u, 0ULL, 0UL, 0L,
		  (unsigned long long)(mm ? mm->start_data : 0),
		  (unsigned long long)(mm ? mm->end_data : 0),
		  (unsigned long long)(mm ? mm->start_brk : 0),
		  (unsigned long long)(mm ? mm->arg_start : 0),
		  (unsigned long long)(mm ? mm->arg_end : 0),
		  (unsigned long long)(mm ? mm->env_start : 0),
		  (unsigned long long)(mm ? mm->env_end : 0),
		  st == 'Z' ? tk->exit_code : 0);
	return 0;
}

static int show_statm(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	struct vmstats vs;

	(void)c;
	vm_stats(tk, &vs);
	sb_printf(sb, "%llu %llu 0 %llu 0 %llu 0\n", (unsigned long long)vs.size / 4096,
		  (unsigned long long)vs.rss, (unsigned long long)vs.exe / 4096,
		  (unsigned long long)(vs.data + vs.stk) / 4096);
	return 0;
}

/* Linux's proc_pid_status, fields in its order. */
static int show_status(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	struct thread_group *tg = tk->tg;
	const struct cred *cr = &tk->cred;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t cap = cr->euid == 0 ? 0x1ffffffffffULL : 0;
	struct vmstats vs;
	char st = state_char(tk);
	int tgid = tg ? tg->tgid : tk->tid;

	(void)c;
	if (ncpu < 1)
		ncpu = 1;
	sb_printf(sb, "Name:\t%.16s\n", tk->comm);
	if (tk->fs)
		sb_printf(sb, "Umask:\t%04o\n", tk->fs->umask);
	sb_printf(sb, "State:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n",
		  state_name(st), tgid, c->tid, ppid_of(tk));
	sb_printf(sb, "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n", cr->uid, cr->euid, cr->suid,
		  cr->fsuid, cr->gid, cr->egid, cr->sgid, cr->fsgid);
	sb_printf(sb, "FDSize:\t%d\nGroups:\t", tk->files ? (tk->files->nfds + 63) / 64 * 64 : 0);
	for (uint32_t i = 0; i < cr->ngroups && i < ARRAY_SIZE(cr->groups); i++)
		sb_printf(sb, "%u ", cr->groups[i]);
	sb_printf(sb, "\nNStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n", tgid, c->tid,
		  tg ? tg->pgid : 0, tg ? tg->sid : 0);
	if (tk->mm && st != 'Z') {
		vm_stats(tk, &vs);
		sb_printf(sb, "VmPeak:\t%8llu kB\nVmSize:\t%8llu kB\nVmLck:\t       0 kB\n"
			  "VmPin:\t       0 kB\nVmHWM:\t%8llu kB\nVmRSS:\t%8llu kB\n"
			  "RssAnon:\t%8llu kB\nRssFile:\t       0 kB\nRssShmem:\t       0 kB\n"
			  "VmData:\t%8llu kB\nVmStk:\t%8llu kB\nVmExe:\t%8llu kB\nVmLib:\t%8llu kB\n"
			  "VmPTE:\t       0 kB\nVmSwap:\t       0 kB\nHugetlbPages:\t       0 kB\n"
			  "CoreDumping:\t0\nTHP_enabled:\t1\n",
			  (unsigned long long)vs.size / 1024, (unsigned long long)vs.size / 1024,
			  (unsigned long long)vs.rss * 4, (unsigned long long)vs.rss * 4,
			  (unsigned long long)vs.rss * 4, (unsigned long long)vs.data / 1024,
			  (unsigned long long)vs.stk / 1024, (unsigned long long)vs.exe / 1024,
			  (unsigned long long)vs.lib / 1024);
	}
	sb_printf(sb, "Threads:\t%d\nSigQ:\t0/%llu\nSigPnd:\t%016llx\nShdPnd:\t%016llx\n"
		  "SigBlk:\t%016llx\nSigIgn:\t%016llx\nSigCgt:\t%016llx\n",
		  tg ? tg->nr_threads : 1, (unsigned long long)rlim_cur(tk, RLIMIT_SIGPENDING),
		  (unsigned long long)tk->pending.set,
		  (unsigned long long)(tg ? tg->shared_pending.set : 0),
		  (unsigned long long)tk->blocked, (unsigned long long)sig_with(tk, true),
		  (unsigned long long)sig_with(tk, false));
	sb_printf(sb, "CapInh:\t0000000000000000\nCapPrm:\t%016llx\nCapEff:\t%016llx\n"
		  "CapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\nNoNewPrivs:\t0\n"
		  "Seccomp:\t0\nSeccomp_filters:\t0\n"
		  "Speculation_Store_Bypass:\tthread vulnerable\n"
		  "SpeculationIndirectBranch:\tconditional enabled\n",
		  (unsigned long long)cap, (unsigned long long)cap);
	sb_printf(sb, "Cpus_allowed:\t%llx\nCpus_allowed_list:\t0",
		  ncpu >= 64 ? ~0ULL : (1ULL << ncpu) - 1);
	if (ncpu > 1)
		sb_printf(sb, "-%ld", ncpu - 1);
	sb_printf(sb, "\nMems_allowed:\t00000000,00000001\nMems_allowed_list:\t0\n"
		  "voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n");
	return 0;
}

static int show_limits(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	static const struct { const char *name, *unit; } lim[LINUX_RLIM_NLIMITS] = {
		{ "Max cpu time", "seconds" }, { "Max file size", "bytes" },
		{ "Max data size", "bytes" }, { "Max stack size", "bytes" },
		{ "Max core file size", "bytes" }, { "Max resident set", "bytes" },
		{ "Max processes", "processes" }, { "Max open files", "files" },
		{ "Max locked memory", "bytes" }, { "Max address space", "bytes" },
		{ "Max file locks", "locks" }, { "Max pending signals", "signals" },
		{ "Max msgqueue size", "bytes" }, { "Max nice priority", NULL },
		{ "Max realtime priority", NULL }, { "Max realtime timeout", "us" },
	};

	(void)c;
	sb_printf(sb, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit", "Units");
	for (int i = 0; i < LINUX_RLIM_NLIMITS; i++) {
		struct linux_rlimit r = tk->tg ? tk->tg->rlim[i] :
			(struct linux_rlimit){ LINUX_RLIM_INFINITY, LINUX_RLIM_INFINITY };

		if (r.rlim_cur == LINUX_RLIM_INFINITY)
			sb_printf(sb, "%-25s %-20s ", lim[i].name, "unlimited");
		else
			sb_printf(sb, "%-25s %-20llu ", lim[i].name, (unsigned long long)r.rlim_cur);
		if (r.rlim_max == LINUX_RLIM_INFINITY)
			sb_printf(sb, "%-20s ", "unlimited");
		else
			sb_printf(sb, "%-20llu ", (unsigned long long)r.rlim_max);
		if (lim[i].unit)
			sb_printf(sb, "%-10s\n", lim[i].unit);
		else
			sb_printf(sb, "\n");
	}
	return 0;
}

/* A mount point as seen from root (chroot), or NULL if outside it. */
static const char *mount_rel_to_root(const char *path, const char *root)
{
	size_t n = strlen(root);

	if (!strcmp(root, "/"))
		return path;
	if (!strcmp(path, root))
		return "/";
	if (!strncmp(path, root, n) && path[n] == '/')
		return path + n;
	return NULL;
}

static const char *mount_opts(struct mount *m)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "%s%s%s%s,relatime", m->mflags & MS_RDONLY ? "ro" : "rw",
		 m->mflags & MS_NOSUID ? ",nosuid" : "", m->mflags & MS_NODEV ? ",nodev" : "",
		 m->mflags & MS_NOEXEC ? ",noexec" : "");
	return buf;
}

static int show_mounts(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	const char *root = tk->fs && tk->fs->root ? tk->fs->root : "/";
	struct list_head *p;

	(void)c;
	for (p = mounts.next; p != &mounts; p = p->next) {
		struct mount *m = list_entry(p, struct mount, link);
		const char *mp = mount_rel_to_root(m->path, root);

		if (!mp)
			continue;
		sb_escaped(sb, m->source ? m->source : "none");
		sb_put(sb, " ", 1);
		sb_escaped(sb, mp);
		sb_printf(sb, " %s %s 0 0\n", m->fstype ? m->fstype : "none", mount_opts(m));
	}
	return 0;
}

/* The mount that m's mount point lies on (longest proper prefix). */
static int mount_parent_id(struct mount *m)
{
	struct list_head *p;
	struct mount *best = NULL;
	size_t bl = 0;

	for (p = mounts.next; p != &mounts; p = p->next) {
		struct mount *o = list_entry(p, struct mount, link);
		size_t n = strlen(o->path);

		if (o == m || n >= strlen(m->path) || n < bl)
			continue;
		if (strncmp(m->path, o->path, n) || (n > 1 && m->path[n] != '/'))
			continue;
		best = o;
		bl = n;
	}
	return best ? best->id : m->id;
}

static int show_mountinfo(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	const char *root = tk->fs && tk->fs->root ? tk->fs->root : "/";
	struct list_head *p;

	(void)c;
	for (p = mounts.next; p != &mounts; p = p->next) {
		struct mount *m = list_entry(p, struct mount, link);
		const char *mp = mount_rel_to_root(m->path, root);

		if (!mp)
			continue;
		sb_printf(sb, "%d %d %u:%u / ", m->id, mount_parent_id(m), major(m->dev),
			  minor(m->dev));
		sb_escaped(sb, mp);
		sb_printf(sb, " %s - %s ", mount_opts(m), m->fstype ? m->fstype : "none");
		sb_escaped(sb, m->source ? m->source : "none");
		sb_printf(sb, " %s\n", m->mflags & MS_RDONLY ? "ro" : "rw");
	}
	return 0;
}

static int show_fdinfo(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	struct file *f = task_fd(tk, c->fd);
	struct kstat st = { 0 };
	bool cloexec;

	if (!f)
		return -ENOENT;
	if (f->ops && f->ops->fstat)
		f->ops->fstat(f, &st);
	cloexec = tk->files->cloexec && tk->files->cloexec[c->fd];
	sb_printf(sb, "pos:\t%lld\nflags:\t0%o\nmnt_id:\t%d\nino:\t%llu\n", (long long)f->pos,
		  f->flags | (cloexec ? O_CLOEXEC : 0), f->mnt ? f->mnt->id : 0,
		  (unsigned long long)st.ino);
	return 0;
}

/* ---- the tables ---- */

#define DIR_ENT(n, s, d, pr) { .name = n, .kind = PK_DIR, .perm = 0555, .sub = s, .dyn = d, .priv = pr }
#define FILE_ENT(n, fn) { .name = n, .kind = PK_FILE, .perm = 0444, .show = fn }
#define LINK_ENT(n, fn) { .name = n, .kind = PK_LINK, .perm = 0777, .show = fn }

static const struct pent sys_kernel_ents[] = {
	{ .name = "hostname", .kind = PK_FILE, .perm = 0644, .show = show_hostname,
	  .write = write_hostname },
	{ .name = "domainname", .kind = PK_FILE, .perm = 0644, .show = show_domainname,
	  .write = write_domainname },
	FILE_ENT("osrelease", show_osrelease),
	FILE_ENT("ostype", show_ostype),
	FILE_ENT("version", show_kversion),
	FILE_ENT("pid_max", show_pid_max),
	FILE_ENT("ngroups_max", show_ngroups_max),
	FILE_ENT("threads-max", show_threads_max),
	FILE_ENT("cap_last_cap", show_cap_last_cap),
	{ NULL },
};

static const struct pent sys_vm_ents[] = {
	FILE_ENT("overcommit_memory", show_overcommit),
	FILE_ENT("max_map_count", show_max_map_count),
	{ NULL },
};

static const struct pent sys_fs_ents[] = {
	FILE_ENT("nr_open", show_nr_open),
	FILE_ENT("file-max", show_file_max),
	FILE_ENT("pipe-max-size", show_pipe_max_size),
	{ NULL },
};

static const struct pent sys_ents[] = {
	DIR_ENT("kernel", sys_kernel_ents, DYN_NONE, false),
	DIR_ENT("vm", sys_vm_ents, DYN_NONE, false),
	DIR_ENT("fs", sys_fs_ents, DYN_NONE, false),
	{ NULL },
};

static const struct pent root_ents[] = {
	LINK_ENT("self", show_self),
	LINK_ENT("thread-self", show_thread_self),
	LINK_ENT("mounts", show_mounts_link),
	FILE_ENT("meminfo", show_host_meminfo),
	FILE_ENT("cpuinfo", show_host_cpuinfo),
	FILE_ENT("stat", show_stat),
	FILE_ENT("uptime", show_uptime),
	FILE_ENT("loadavg", show_loadavg),
	FILE_ENT("filesystems", show_filesystems),
	FILE_ENT("version", show_version),
	FILE_ENT("cmdline", show_kcmdline),
	DIR_ENT("sys", sys_ents, DYN_NONE, false),
	{ NULL },
};

/* /proc/PID and /proc/PID/task/TID ("task" is skipped in the latter). */
static const struct pent pid_ents[] = {
	FILE_ENT("stat", show_stat_pid),
	FILE_ENT("status", show_status),
	FILE_ENT("statm", show_statm),
	FILE_ENT("cmdline", show_cmdline),
	{ .name = "comm", .kind = PK_FILE, .perm = 0644, .show = show_comm, .write = write_comm },
	{ .name = "environ", .kind = PK_FILE, .perm = 0400, .show = show_environ, .priv = true },
	{ .name = "maps", .kind = PK_FILE, .perm = 0444, .show = show_maps, .priv = true },
	FILE_ENT("mounts", show_mounts),
	FILE_ENT("mountinfo", show_mountinfo),
	FILE_ENT("limits", show_limits),
	FILE_ENT("cgroup", show_cgroup),
	{ .name = "oom_score_adj", .kind = PK_FILE, .perm = 0644, .show = show_zero_nl },
	FILE_ENT("oom_score", show_zero_nl),
	FILE_ENT("wchan", show_zero_nl),
	FILE_ENT("loginuid", show_loginuid),
	{ .name = "cwd", .kind = PK_LINK, .perm = 0777, .show = show_cwd, .priv = true },
	{ .name = "root", .kind = PK_LINK, .perm = 0777, .show = show_root, .priv = true },
	{ .name = "exe", .kind = PK_LINK, .perm = 0777, .show = show_exe, .priv = true },
	{ .name = "fd", .kind = PK_DIR, .perm = 0500, .dyn = DYN_FDS, .priv = true },
	{ .name = "fdinfo", .kind = PK_DIR, .perm = 0500, .dyn = DYN_FDINFO, .priv = true },
	{ .name = "task", .kind = PK_DIR, .perm = 0555, .dyn = DYN_TASKS },
	{ NULL },
};

static const struct pent root_ent = DIR_ENT("", root_ents, DYN_PIDS, false);
static const struct pent pid_dir_ent = DIR_ENT("", pid_ents, DYN_NONE, false);
static const struct pent tid_dir_ent = DIR_ENT("", pid_ents, DYN_NONE, false);
static const struct pent fd_link_ent = { .name = "", .kind = PK_LINK, .perm = 0700,
					 .show = show_fd_link, .priv = true };
static const struct pent fdinfo_ent = { .name = "", .kind = PK_FILE, .perm = 0444,
					.show = show_fdinfo, .priv = true };

/* ---- resolution ---- */

/* A canonical decimal (no sign, no leading zero), or -1. */
static int parse_num(const char *s)
{
	long v = 0;

	if (!*s || (*s == '0' && s[1]))
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > 0x7fffffff)
			return -1;
	}
	return (int)v;
}

static const struct pent *dyn_lookup(int dyn, const char *name, struct pctx *c)
{
	int n = parse_num(name);
	struct task *tk, *owner;

	if (n < 0)
		return NULL;
	switch (dyn) {
	case DYN_PIDS:
		if (!n || !task_find(n))
			return NULL;
		c->tid = n;
		c->thread = false;
		return &pid_dir_ent;
	case DYN_TASKS:
		owner = task_find(c->tid);
		tk = task_find(n);
		if (!owner || !tk || tk->tg != owner->tg)
			return NULL;
		c->tid = n;
		c->thread = true;
		return &tid_dir_ent;
	case DYN_FDS:
	case DYN_FDINFO:
		tk = task_find(c->tid);
		if (!tk || !task_fd(tk, n))
			return NULL;
		c->fd = n;
		return dyn == DYN_FDS ? &fd_link_ent : &fdinfo_ent;
	}
	return NULL;
}

static bool ent_hidden(const struct pent *e, const struct pctx *c)
{
	return c->thread && !strcmp(e->name, "task");
}

/* Resolves rel; -ENOENT, -ENOTDIR, -EACCES (another user's fd directory). */
static int proc_resolve(const char *rel, struct pnode *out)
{
	const struct pent *e = &root_ent, *next;
	struct pctx c = { .tid = 0, .thread = false, .fd = -1 };
	char buf[4096], *comp, *save;
	struct task *tk;

	if (strlen(rel) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, rel);
	for (comp = strtok_r(buf, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
		if (e->kind != PK_DIR)
			return -ENOTDIR;
		if (e->priv && c.tid) {
			tk = task_find(c.tid);
			if (!tk)
				return -ENOENT;
			if (!may_access(tk))
				return -EACCES;
		}
		next = NULL;
		for (const struct pent *s = e->sub; s && s->name; s++)
			if (!strcmp(s->name, comp) && !ent_hidden(s, &c)) {
				next = s;
				break;
			}
		if (!next && e->dyn)
			next = dyn_lookup(e->dyn, comp, &c);
		if (!next)
			return -ENOENT;
		e = next;
	}
	out->e = e;
	out->c = c;
	return 0;
}

/* The target task of a node (NULL for global ones); -ESRCH if it is gone. */
static int node_task(const struct pnode *nd, struct task **tk)
{
	*tk = NULL;
	if (!nd->c.tid)
		return 0;
	*tk = task_find(nd->c.tid);
	return *tk ? 0 : -ESRCH;
}

static int node_render(const struct pnode *nd, struct sbuf *sb)
{
	struct task *tk;
	int err = node_task(nd, &tk);

	if (err)
		return err;
	if (!nd->e->show)
		return -EINVAL;
	if (tk && nd->e->priv && !may_access(tk))
		return -EACCES;
	err = nd->e->show(tk, &nd->c, sb);
	if (!err && sb->oom)
		err = -ENOMEM;
	return err;
}

static uint64_t proc_ino(const char *rel)
{
	uint64_t h = 1469598103934665603ULL;

	if (!*rel)
		return 1;
	for (; *rel; rel++)
		h = (h ^ (unsigned char)*rel) * 1099511628211ULL;
	return (h & 0x7fffffff) | 0x100;
}

static void node_stat(struct mount *m, const struct pnode *nd, const char *rel, struct kstat *st)
{
	const struct pent *e = nd->e;
	struct task *tk = NULL;
	int64_t wall;

	memset(st, 0, sizeof(*st));
	node_task(nd, &tk);
	st->dev = m->dev;
	st->ino = proc_ino(rel);
	st->blksize = 1024;
	switch (e->kind) {
	case PK_DIR:
		st->mode = S_IFDIR | e->perm;
		st->nlink = 2;
		break;
	case PK_LINK:
		st->mode = S_IFLNK | e->perm;
		st->nlink = 1;
		if (e == &fd_link_ent && tk) {
			struct file *f = task_fd(tk, nd->c.fd);
			int acc = f ? f->flags & O_ACCMODE : 0;

			st->mode = S_IFLNK;
			if (acc == O_RDONLY || acc == O_RDWR)
				st->mode |= S_IRUSR | S_IXUSR;
			if (acc == O_WRONLY || acc == O_RDWR)
				st->mode |= S_IWUSR | S_IXUSR;
			st->size = 64;
		}
		break;
	default:
		st->mode = S_IFREG | e->perm;
		st->nlink = 1;
		break;
	}
	if (tk) {
		st->uid = tk->cred.euid;
		st->gid = tk->cred.egid;
		wall = boot_wall_sec() + (int64_t)(tk->start_time_ns - boot_time_ns) / 1000000000LL;
	} else {
		wall = boot_wall_sec();
	}
	st->atime = st->mtime = st->ctime = (struct linux_timespec){ wall, 0 };
}

/* ---- open files ---- */

struct pfile {
	struct pnode nd;
	char *rel;
	struct sbuf text;
};

static void pfile_release(struct file *f)
{
	struct pfile *pf = f->priv;

	if (!pf)
		return;
	free(pf->text.buf);
	free(pf->rel);
	free(pf);
	f->priv = NULL;
}

static ssize_t pfile_read(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	struct pfile *pf = f->priv;
	struct sbuf nsb = { 0 };
	int err;

	(void)t;
	if (*pos < 0)
		return -EINVAL;
	/* Rendered again by every read at offset 0: Linux generates the
	 * text when it is read (a shell opens /proc/self/cmdline before it
	 * execs the reader). */
	if (*pos == 0) {
		err = node_render(&pf->nd, &nsb);
		if (err) {
			free(nsb.buf);
			return err;
		}
		free(pf->text.buf);
		pf->text = nsb;
	}
	if ((uint64_t)*pos >= pf->text.len)
		return 0;
	if (n > pf->text.len - *pos)
		n = pf->text.len - *pos;
	memcpy(buf, pf->text.buf + *pos, n);
	*pos += n;
	return n;
}

static ssize_t pfile_write(struct task *t, struct file *f, const void *buf, size_t n, int64_t *pos)
{
	struct pfile *pf = f->priv;
	struct task *tk;
	int err;

	(void)t;
	if (!pf->nd.e->write)
		return -EIO;
	err = node_task(&pf->nd, &tk);
	if (err)
		return err;
	err = pf->nd.e->write(tk, &pf->nd.c, buf, n);
	if (err)
		return err;
	*pos += n;
	return n;
}

static int pfile_fstat(struct file *f, struct kstat *st)
{
	struct pfile *pf = f->priv;

	node_stat(f->mnt, &pf->nd, pf->rel, st);
	if (pf->nd.e->kind == PK_FILE)
		st->size = 0;
	return 0;
}

static int dir_add(struct dir_entry **ents, size_t *n, size_t *cap, const char *dirrel,
		   const char *name, uint8_t type)
{
	char rel[4096];

	snprintf(rel, sizeof(rel), "%s%s%s", dirrel, *dirrel ? "/" : "", name);
	return dents_add(ents, n, cap, proc_ino(rel), type, name);
}

static int pfile_readdir(struct file *f, struct dir_entry **ents, size_t *n)
{
	struct pfile *pf = f->priv;
	const struct pent *e = pf->nd.e;
	size_t cap = 0;
	struct task *tk = NULL, *owner;
	struct list_head *p;
	char num[16];
	int err = 0;

	*ents = NULL;
	*n = 0;
	if (e->kind != PK_DIR)
		return -ENOTDIR;
	if (pf->nd.c.tid) {
		owner = task_find(pf->nd.c.tid);
		if (!owner)
			return -ENOENT;
		tk = owner;
	}
	for (const struct pent *s = e->sub; s && s->name && !err; s++) {
		if (ent_hidden(s, &pf->nd.c))
			continue;
		err = dir_add(ents, n, &cap, pf->rel, s->name,
			      s->kind == PK_DIR ? DT_DIR : s->kind == PK_LINK ? DT_LNK : DT_REG);
	}
	switch (e->dyn) {
	case DYN_PIDS:
	case DYN_TASKS:
		for (p = all_tasks.next; p != &all_tasks && !err; p = p->next) {
			struct task *o = list_entry(p, struct task, all);

			if (!o->tg)
				continue;
			if (e->dyn == DYN_PIDS ? o->tid != o->tg->tgid : (!tk || o->tg != tk->tg))
				continue;
			if (o->state == TASK_DEAD)
				continue;   /* an exiting thread is already gone for readdir */
			snprintf(num, sizeof(num), "%d", o->tid);
			err = dir_add(ents, n, &cap, pf->rel, num, DT_DIR);
		}
		break;
	case DYN_FDS:
	case DYN_FDINFO:
		if (!tk)
			break;
		if (!may_access(tk)) {
			err = -EACCES;
			break;
		}
		for (int fd = 0; tk->files && fd < tk->files->nfds && !err; fd++) {
			if (!tk->files->files[fd])
				continue;
			snprintf(num, sizeof(num), "%d", fd);
			err = dir_add(ents, n, &cap, pf->rel, num, e->dyn == DYN_FDS ? DT_LNK : DT_REG);
		}
		break;
	}
	if (err) {
		free(*ents);
		*ents = NULL;
		*n = 0;
	}
	return err;
}

static const struct file_ops proc_file_ops = {
	.read = pfile_read,
	.write = pfile_write,
	.fstat = pfile_fstat,
	.release = pfile_release,
	.seekable = true,
};

static ssize_t pdir_read(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	(void)t, (void)f, (void)buf, (void)n, (void)pos;
	return -EISDIR;
}

static const struct file_ops proc_dir_ops = {
	.read = pdir_read,
	.fstat = pfile_fstat,
	.readdir = pfile_readdir,
	.release = pfile_release,
	.seekable = true,
};

/* ---- fs_ops ---- */

static int proc_lookup(struct mount *m, const char *rel, struct kstat *st)
{
	struct pnode nd;
	int err = proc_resolve(rel, &nd);

	if (err)
		return err;
	node_stat(m, &nd, rel, st);
	return 0;
}

static int proc_readlink(struct mount *m, const char *rel, char *buf, size_t len)
{
	struct sbuf sb = { 0 };
	struct pnode nd;
	size_t n;
	int err;

	(void)m;
	err = proc_resolve(rel, &nd);
	if (err)
		return err;
	if (nd.e->kind != PK_LINK)
		return -EINVAL;
	err = node_render(&nd, &sb);
	if (err == -ESRCH)
		err = -ENOENT;
	if (err) {
		free(sb.buf);
		return err;
	}
	n = sb.len < len ? sb.len : len;
	memcpy(buf, sb.buf, n);
	if (n < len)
		buf[n] = 0;
	free(sb.buf);
	return n;
}

/*
 * Opens a generated file (text rendered now: -ESRCH if its process is
 * gone, -EACCES for another user's environ/maps), or a directory.
 * Writing is allowed where Linux allows it (hostname, comm...); elsewhere
 * a write fails with -EIO as in Linux.  -ENOENT for a missing name (no
 * file is ever created), -EISDIR writing a directory, -ELOOP on a link.
 */
static int proc_open(struct mount *m, const char *rel, int flags, uint32_t mode, struct file **out)
{
	struct pfile *pf;
	struct pnode nd;
	struct file *f;
	int acc = flags & O_ACCMODE;
	int err;

	(void)mode;
	*out = NULL;
	err = proc_resolve(rel, &nd);
	if (err)
		return err;
	if ((flags & O_CREAT) && (flags & O_EXCL))
		return -EEXIST;
	if (nd.e->kind == PK_LINK)
		return -ELOOP;
	if (nd.e->kind == PK_DIR && acc != O_RDONLY)
		return -EISDIR;
	if (nd.e->kind != PK_DIR && (flags & O_DIRECTORY))
		return -ENOTDIR;
	pf = calloc(1, sizeof(*pf));
	if (!pf)
		return -ENOMEM;
	pf->nd = nd;
	pf->rel = strdup(rel);
	if (!pf->rel) {
		free(pf);
		return -ENOMEM;
	}
	if (nd.e->kind == PK_FILE && acc != O_WRONLY) {
		err = node_render(&nd, &pf->text);
		if (err)
			goto fail;
	}
	f = file_alloc(nd.e->kind == PK_DIR ? &proc_dir_ops : &proc_file_ops,
		       flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC),
		       NULL);
	if (!f) {
		err = -ENOMEM;
		goto fail;
	}
	free(f->path);
	f->path = path_join(m->path, rel);
	if (!f->path) {
		f->path = strdup("");
		f->priv = pf;
		file_put(f);
		return -ENOMEM;
	}
	f->priv = pf;
	f->mnt = m;
	*out = f;
	return 0;
fail:
	free(pf->text.buf);
	free(pf->rel);
	free(pf);
	return err;
}

/* /proc/PID/fd/N: the open file itself. */
static struct file *proc_magic(struct mount *m, const char *rel)
{
	struct pnode nd;
	struct task *tk;

	(void)m;
	if (proc_resolve(rel, &nd) || nd.e != &fd_link_ent)
		return NULL;
	tk = task_find(nd.c.tid);
	if (!tk || !may_access(tk))
		return NULL;
	return file_get(task_fd(tk, nd.c.fd));
}

static int proc_statfs(struct mount *m, struct linux_statfs *st)
{
	(void)m;
	memset(st, 0, sizeof(*st));
	st->f_type = PROC_SUPER_MAGIC;
	st->f_bsize = 4096;
	st->f_frsize = 4096;
	st->f_namelen = 255;
	return 0;
}

/* Names cannot be made or removed: Linux's answers (as root). */
static int proc_exists_or(const char *rel, int missing, int present)
{
	struct pnode nd;

	return proc_resolve(rel, &nd) ? missing : present;
}

static int proc_mkdir(struct mount *m, const char *rel, uint32_t mode)
{
	(void)m, (void)mode;
	return proc_exists_or(rel, -ENOENT, -EEXIST);
}

static int proc_mknod(struct mount *m, const char *rel, uint32_t mode, uint64_t dev)
{
	(void)m, (void)mode, (void)dev;
	return proc_exists_or(rel, -ENOENT, -EEXIST);
}

static int proc_remove(struct mount *m, const char *rel)
{
	(void)m;
	return proc_exists_or(rel, -ENOENT, -EPERM);
}

static int proc_symlink(struct mount *m, const char *target, const char *rel)
{
	(void)m, (void)target;
	return proc_exists_or(rel, -ENOENT, -EEXIST);
}

static int proc_link(struct mount *m, const char *old, const char *new_)
{
	(void)m, (void)new_;
	return proc_exists_or(old, -ENOENT, -EPERM);
}

static int proc_rename(struct mount *m, const char *old, const char *new_, unsigned flags)
{
	(void)m, (void)new_, (void)flags;
	return proc_exists_or(old, -ENOENT, -EPERM);
}

static int proc_setattr(struct mount *m, const char *rel, int what, uint32_t mode, uint32_t uid,
			uint32_t gid, const struct linux_timespec *ts)
{
	(void)m, (void)what, (void)mode, (void)uid, (void)gid, (void)ts;
	return proc_exists_or(rel, -ENOENT, -EPERM);
}

static int proc_truncate(struct mount *m, const char *rel, uint64_t len)
{
	(void)m, (void)len;
	return proc_exists_or(rel, -ENOENT, 0);     /* Linux ignores it */
}

const struct fs_ops procfs_ops = {
	.name = "proc",
	.lookup = proc_lookup,
	.readlink = proc_readlink,
	.open = proc_open,
	.mkdir = proc_mkdir,
	.mknod = proc_mknod,
	.rmdir = proc_remove,
	.unlink = proc_remove,
	.symlink = proc_symlink,
	.link = proc_link,
	.rename = proc_rename,
	.setattr = proc_setattr,
	.truncate = proc_truncate,
	.statfs = proc_statfs,
	.magic = proc_magic,
};
