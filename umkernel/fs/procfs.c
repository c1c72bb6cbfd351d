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
 * Times are in clock ticks of 100 Hz, counted from the boot the guest's
 * CLOCK_BOOTTIME counts from (the host's: guests read it from the host's
 * vDSO), as are /proc/uptime and /proc/stat's btime, so that they agree
 * with clock_gettime(CLOCK_BOOTTIME) as Linux's do.
 *
 * Locking: everything runs under klock, held by the caller; tasks are
 * looked up again by tid on every access, so a file held open across a
 * task's exit reads as -ESRCH instead of touching freed memory.
 */
#include "../kernel.h"
#include <ctype.h>
#include <poll.h>
#include "../mm/mm.h"
#include "fs.h"
#include "../tty/tty.h"
#include "../net/net.h"
#include "../ipc/ipc.h"
#include "../security/keys.h"
#include "tmpfs.h"
#include "blkdev.h"
#include "../kernel/ptrace.h"
#include "../debug/debug.h"
#include "../cgroup/cgroup.h"

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
#include <sys/sysinfo.h>
#include <sys/random.h>
#include <limits.h>
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

struct pent;
struct pctx {
	int tid;                      /* target task, 0 for global entries */
	bool thread;                  /* under PID/task/TID: the thread's view */
	int fd;                       /* fd/N, fdinfo/N */
	const struct pent *e;         /* the entry itself (its sysctl value) */
	struct pid_namespace *ns;     /* the mount's pid namespace: numbers shown and looked up */
	bool opener_show;             /* opener_view entries: the opener may see kernel addresses */
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
	bool lazy;                    /* rendered at the first read, not at open (a read error) */
	long *ctl;                    /* a /proc/sys integer (kernel/sysctl.c) */
	long min, max;                /* its range for writes */
	int nstype;                   /* ns/NAME: NS_* + 1 (0: not a namespace link) */
	/* shows kernel addresses to whom kallsyms_show_value lets see them
	 * when the file is opened (Linux looks at the file's f_cred) */
	bool opener_view;
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

/* A global id as the proc mount's namespace numbers it (0: not visible). */
static int vnr(const struct pctx *c, int global)
{
	return global_nr_ns(global, c->ns ? c->ns : &init_pid_ns);
}

static int ppid_of(struct task *tk, const struct pctx *c)
{
	struct task *l = tk->tg && tk->tg->leader ? tk->tg->leader : tk;
	struct task *p = l->parent ? l->parent : tk->parent;

	return p && p->tg ? vnr(c, p->tg->tgid) : 0;
}

/* Linux's task state letter (ps, /proc/PID/stat); also the control
 * socket's `ps` (debug/control.c).  A thread parked by `umk ctl freeze`
 * is D, as Linux shows a frozen task. */
char task_state_char(struct task *tk)
{
	if (tk->state == TASK_ZOMBIE)
		return 'Z';
	if (tk->state == TASK_DEAD)
		return 'X';
	if (ptrace_is_stopped(tk))
		return 't';
	if (tk->tg && tk->tg->stop_state)
		return 'T';
	if (tk->frozen)
		return 'D';
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
	case 't': return "t (tracing stop)";
	case 'S': return "S (sleeping)";
	case 'D': return "D (disk sleep)";
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
	uint64_t shared;                        /* pages of rss that are files' or shared memory */
};

static void vm_stats(struct task *tk, struct vmstats *vs)
{
	struct list_head *p;
	char path[64];
	FILE *f;
	unsigned long sz, res, shared;

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
			/* its shared pages too: the guest's file mappings are the
			 * stub's mappings of the host's files, its MAP_SHARED
			 * memory shmem (statm's third field: RssFile + RssShmem) */
			if (fscanf(f, "%lu %lu %lu", &sz, &res, &shared) == 3) {
				vs->rss = res;
				vs->shared = shared <= res ? shared : 0;
			}
			fclose(f);
		}
	}
}

/* status' split of vs's resident pages into files' and shared memory's
 * (the stub's own RssFile and RssShmem), pages; 0 and 0 if unreadable */
static void rss_split(struct task *tk, const struct vmstats *vs, uint64_t *file, uint64_t *shmem)
{
	char path[64], line[128];
	unsigned long kb;
	FILE *f;

	*file = *shmem = 0;
	if (!tk->host || !platform || !platform->host_tid)
		return;
	snprintf(path, sizeof(path), "/proc/%d/status", platform->host_tid(tk->host));
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "RssFile: %lu", &kb) == 1)
			*file = kb / 4;
		else if (sscanf(line, "RssShmem: %lu", &kb) == 1)
			*shmem = kb / 4;
	}
	fclose(f);
	if (*file + *shmem > vs->rss)
		*file = *shmem = 0;
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

/* The CLOCK_MONOTONIC instant (ns, <= 0 after a suspend) of the boot
 * CLOCK_BOOTTIME counts from: turns a task's start time into boottime. */
static int64_t boot_mono_ns(void)
{
	return (int64_t)now_ns(CLOCK_MONOTONIC) - (int64_t)now_ns(CLOCK_BOOTTIME);
}

/* Wall-clock seconds of the boot (realtime now less CLOCK_BOOTTIME). */
static int64_t boot_wall_sec(void)
{
	int64_t up = (int64_t)now_ns(CLOCK_BOOTTIME);

	return (int64_t)(now_ns(CLOCK_REALTIME) / 1000000000ULL) - up / 1000000000LL;
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

/* The host's /proc/meminfo, with umk's huge page pool (mm/hugetlb.c) for
 * the host's, and SwapTotal and SwapFree the guest's swapon areas
 * (mm/swapfile.c), SwapCached 0, CommitLimit and Committed_AS the
 * guest's (mm/commit.c: the bound enforced, or the strict mode's limit
 * when there is none); under --memory its totals are the guest's:
 * MemTotal the limit, MemFree and MemAvailable what is left (at most the host's),
 * the host's caches 0 and Cached the page cache umk keeps for ext2/3/4
 * files (mm/pagecache.c). */
static int show_host_meminfo(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)tk, (void)c;
	FILE *f = fopen("/proc/meminfo", "re");
	char hp[512];
	bool hp_done = false;
	char line[256];
	uint64_t left = vm_commit_limit > vm_committed ? vm_commit_limit - vm_committed : 0;
	uint64_t swap_total, swap_free;

	swap_totals(&swap_total, &swap_free);

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char key[64];
		unsigned long long kb;
		uint64_t v;

		if (!strncmp(line, "HugePages_Total:", 16)) {
			hugetlb_meminfo(hp, sizeof hp);   /* umk's own pool (mm/hugetlb.c) */
			sb_printf(sb, "%s", hp);
			hp_done = true;
			continue;
		}
		if (!strncmp(line, "HugePages_", 10) || !strncmp(line, "Hugepagesize:", 13) ||
		    !strncmp(line, "Hugetlb:", 8))
			continue;
		if (sscanf(line, "%63[^:]: %llu", key, &kb) != 2) {
			sb_printf(sb, "%s", line);
			continue;
		}
		if (!strcmp(key, "SwapTotal") || !strcmp(key, "SwapFree"))
			v = (!strcmp(key, "SwapTotal") ? swap_total : swap_free) * 4;   /* the guest's swapon */
		else if (!strcmp(key, "SwapCached"))
			v = 0;
		else if (!strcmp(key, "CommitLimit")) {
			/* the bound enforced, else Linux's formula (mm/commit.c) */
			uint64_t b = vm_commit_bound();
			v = (b != UINT64_MAX ? b : vm_commit_limit_shown()) / 1024;
		} else if (!strcmp(key, "Committed_AS")) {
			if (!vm_commit_counting())
				vm_commit_resync_all();   /* not counted as it goes */
			v = vm_committed / 1024;
		} else if (!vm_commit_limit) {
			sb_printf(sb, "%s", line);
			continue;
		} else if (!strcmp(key, "MemTotal"))
			v = vm_commit_limit / 1024;
		else if (!strcmp(key, "MemFree") || !strcmp(key, "MemAvailable"))
			v = left / 1024 < kb ? left / 1024 : kb;
		else if (!strcmp(key, "Cached"))
			v = pcache_nr_pages() * (GUEST_PAGE_SIZE / 1024);   /* ext2/3/4's (mm/pagecache.c) */
		else if (!strcmp(key, "Buffers") || !strcmp(key, "SwapCached") ||
			 !strcmp(key, "SReclaimable") || !strcmp(key, "Shmem"))
			v = 0;   /* the host's caches are not the guest's: used = total - free */
		else {
			sb_printf(sb, "%s", line);
			continue;
		}
		sb_printf(sb, "%-16s%8llu kB\n", strcat(key, ":"), (unsigned long long)v);
	}
	if (!hp_done) {
		hugetlb_meminfo(hp, sizeof hp);
		sb_printf(sb, "%s", hp);
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
		  /* moved by the reader's time namespace (show_stat's timens_sub_boottime) */
		  (long long)(boot_wall_sec() - timens_offset_ns(current, CLOCK_BOOTTIME) / 1000000000LL),
		  last, running ? running : 1);
	return 0;
}

static int show_uptime(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	int64_t base = (int64_t)now_ns(CLOCK_BOOTTIME);
	/* CLOCK_BOOTTIME, moved by the reader's time namespace (not the idle
	 * time: uptime_proc_show); timens_offsets refuses an offset that
	 * would take it below zero */
	int64_t up = base + timens_offset_ns(current, CLOCK_BOOTTIME);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int64_t idle = base * (ncpu > 0 ? ncpu : 1);

	if (up < 0)
		up = 0;

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

/* The types mount(2) knows (all "nodev": no block devices), then the
 * root's, which only umk mounts. */
static int show_aio_nr(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)tk, (void)c;
	sb_printf(sb, "%ld\n", aio_nr_now());
	return 0;
}

static int show_filesystems(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	const char *name;

	(void)tk, (void)c;
	for (int i = 0; (name = filesystem_name(i)); i++) {
		struct fs_type *ft = get_fs_type(name);

		sb_printf(sb, "%s\t%s\n", ft && (ft->flags & FS_REQUIRES_DEV) ? "" : "nodev", name);
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

/* kernel/kallsyms.c: the addresses as the reader may see them */
static int show_kallsyms(struct task *tk, const struct pctx *c, struct sbuf *sb);

static int show_kcmdline(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)tk, (void)c;
	sb_printf(sb, "umk\n");
	return 0;
}

/* kernel.hostname and domainname are the reader's UTS namespace's. */
static struct uts_namespace *reader_uts(void)
{
	return current && current->nsproxy ? current->nsproxy->uts_ns : &init_uts_ns;
}

static int show_hostname(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)tk, (void)c;
	sb_printf(sb, "%s\n", reader_uts()->nodename);
	return 0;
}

static int show_domainname(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)tk, (void)c;
	sb_printf(sb, "%s\n", reader_uts()->domainname[0] ? reader_uts()->domainname : "(none)");
	return 0;
}

/* Linux's proc_dostring for the uts names: up to 64 bytes, one line. */
static int write_uts(char *dst, const char *buf, size_t n)
{
	if (current && !ns_capable(current, reader_uts()->user_ns, CAP_SYS_ADMIN))
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
	return write_uts(reader_uts()->nodename, buf, n);
}

static int write_domainname(struct task *tk, const struct pctx *c, const char *buf, size_t n)
{
	(void)tk, (void)c;
	return write_uts(reader_uts()->domainname, buf, n);
}

/* kernel.core_pattern: kept by debug/coredump.c; root may set it. */
static int show_core_pattern(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)tk, (void)c;
	sb_printf(sb, "%s\n", coredump_pattern());
	return 0;
}

static int write_core_pattern(struct task *tk, const struct pctx *c, const char *buf, size_t n)
{
	(void)tk, (void)c;
	if (current && current->cred.euid != 0)
		return -EPERM;
	return coredump_set_pattern(buf, n);
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
/* /proc/devices: the character majors of the devices umk's devfs makes
 * (mem's null, zero, full, random, urandom, kmsg; tty, console, ptmx;
 * pts), as fs/proc/devices.c lists them; no block devices. */
CONST_SHOW(show_devices, "Character devices:\n  1 mem\n  5 /dev/tty\n  5 /dev/console\n"
			 "  5 /dev/ptmx\n136 pts\n\nBlock devices:\n  7 loop\n259 blkext\n")
CONST_SHOW(show_ostype, "Linux\n")
CONST_SHOW(show_kversion, "#1 SMP PREEMPT_DYNAMIC umk\n")
CONST_SHOW(show_ngroups_max, "65536\n")
CONST_SHOW(show_cap_last_cap, "40\n")
/* pipe-max-size: Linux's proc_dopipe_max_size, the value rounded up to a
 * power-of-two number of pages (round_pipe_size); 0 or past 2 GiB EINVAL */
static int write_pipe_max_size(struct task *tk, const struct pctx *c, const char *buf, size_t n)
{
	long v, size;
	int err = sysctl_parse_long(buf, n, 0, LONG_MAX, &v);

	(void)tk, (void)c;
	if (err)
		return err;
	if (v <= 0 || v > (1L << 31))
		return -EINVAL;
	for (size = 4096; size < v; size <<= 1)
		;
	sysctl_pipe_max_size = size;
	return 0;
}

static int show_pipe_max_size(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)tk, (void)c;
	sb_printf(sb, "%ld\n", sysctl_pipe_max_size);
	return 0;
}
/* /proc/PID/cgroup: the v2 line, the path as the reader's cgroup
 * namespace shows it (proc_cgroup_show) */
/* /proc/PID/cpuset: the task's cgroup path, as Linux prints it for the
 * cpuset controller on the cgroup2 hierarchy (proc_cpuset_show) */
static int show_cpuset(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	char line[4200];
	const char *path;

	(void)c;
	cgroup_proc_show(current, tk, line, sizeof line);
	path = strstr(line, "::");
	sb_printf(sb, "%s", path ? path + 2 : "/\n");
	return 0;
}

/* /proc/PID/autogroup: "/autogroup-ID nice N" of the session's group,
 * nothing for the root group (proc_sched_autogroup_show_task).  A write
 * sets the group's nice, -20..19 (EINVAL), lower than 0 only within
 * RLIMIT_NICE or with CAP_SYS_NICE (EPERM), never the root group's
 * (EINVAL: sched_group_set_shares of the root). */
static int show_autogroup(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	struct autogroup *ag = tk->tg ? tk->tg->autogroup : NULL;

	(void)c;
	if (ag)
		sb_printf(sb, "/autogroup-%ld nice %d\n", ag->id, ag->nice);
	return 0;
}

static int write_autogroup(struct task *tk, const struct pctx *c, const char *buf, size_t n)
{
	struct autogroup *ag = tk->tg ? tk->tg->autogroup : NULL;
	long v;
	int err = sysctl_parse_long(buf, n, -20, 19, &v);

	(void)c;
	if (err)
		return err;
	if (v < 0 && current && 20 - v > (long)rlim_cur(current, RLIMIT_NICE) &&
	    !capable(current, CAP_SYS_NICE))
		return -EPERM;
	if (!ag)
		return -EINVAL;
	ag->nice = (int)v;
	return 0;
}

/* /proc/PID/syscall: the syscall the task is in (number, six arguments,
 * stack pointer, instruction pointer, as Linux's proc_pid_syscall); a
 * task in user mode: "running" if it runs, else -1, sp and pc */
static int show_syscall(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	const struct linux_regs *r = &tk->regs;

	(void)c;
	if (tk->syscall_nr >= 0)
		sb_printf(sb, "%d 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx\n",
			  tk->syscall_nr, (unsigned long long)r->rdi, (unsigned long long)r->rsi,
			  (unsigned long long)r->rdx, (unsigned long long)r->r10,
			  (unsigned long long)r->r8, (unsigned long long)r->r9,
			  (unsigned long long)r->rsp, (unsigned long long)r->rip);
	else if (task_state_char(tk) == 'R')
		sb_printf(sb, "running\n");
	else
		sb_printf(sb, "-1 0x%llx 0x%llx\n", (unsigned long long)r->rsp,
			  (unsigned long long)r->rip);
	return 0;
}

/* /proc/PID/timers: each POSIX timer, newest first, as Linux's show_timer */
struct timers_show { struct sbuf *sb; const struct pctx *c; };

static void timers_line(void *arg, const struct ptimer_info *in)
{
	struct timers_show *ts = arg;
	static const char *const nstr[] = { "signal", "none", "thread" };
	int kind = in->notify & ~4;

	sb_printf(ts->sb, "ID: %d\nsignal: %d/%016llx\nnotify: %s/%s.%d\nClockID: %d\n", in->id,
		  in->signo, (unsigned long long)in->sigval, kind >= 0 && kind < 3 ? nstr[kind] : "?",
		  in->notify & 4 ? "tid" : "pid", vnr(ts->c, in->pid), in->clock);
}

static int show_timers(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	struct timers_show ts = { sb, c };

	if (tk->tg)
		posix_timers_each(tk->tg, timers_line, &ts);
	return 0;
}

/* a file with no read op: root may open it for reading (its mode does
 * not stop CAP_DAC_OVERRIDE), the read fails as vfs_read's does */
static int show_no_read(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)tk, (void)c, (void)sb;
	return -EINVAL;
}

/* /proc/PID/clear_refs: 1 clears the referenced bits of every page, 2
 * of anonymous ones, 3 of file ones, 4 the soft-dirty bits, 5 resets
 * the peak RSS (fs/proc/task_mmu.c clear_refs_write): the guest's pages
 * are its stub's, so the request goes to the stub's own clear_refs (the
 * bits pagemap shows are the stub's).  EINVAL for another number. */
static int write_clear_refs(struct task *tk, const struct pctx *c, const char *buf, size_t n)
{
	char path[64];
	long v;
	int err = sysctl_parse_long(buf, n, 1, 5, &v), fd;

	(void)c;
	if (err)
		return err;
	if (!tk->host || !platform || !platform->host_pid || !host_proc_is_ours())
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/clear_refs", platform->host_pid(tk->host));
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	snprintf(path, sizeof(path), "%ld\n", v);
	if (write(fd, path, strlen(path)) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* /proc/PID/task/TID/children: the processes whose parent it is, each
 * number followed by a space (get_children_pid); umk records a child's
 * parent as the forking process's leader, so a child of any thread is
 * listed under the leader */
static int show_children(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	struct list_head *p;

	for (p = all_tasks.next; p != &all_tasks; p = p->next) {
		struct task *o = list_entry(p, struct task, all);

		if (o->parent == tk && o->tg && o->tg->leader == o && vnr(c, o->tg->tgid))
			sb_printf(sb, "%d ", vnr(c, o->tg->tgid));
	}
	return 0;
}

/* /proc/PID/schedstat: time on a CPU (ns), time waiting for one (ns: not
 * measured, 0) and the number of timeslices (the context switches) */
static int show_schedstat(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	struct host_rusage hr;
	int64_t u, s;

	cpu_times(tk, !c->thread, &u, &s);
	task_host_rusage(tk, !c->thread ? RU_PROCESS : RU_THREAD, &hr);
	sb_printf(sb, "%lld 0 %ld\n", (long long)(u + s), hr.nvcsw + hr.nivcsw);
	return 0;
}

static int show_cgroup(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	char line[4200];

	(void)c;
	cgroup_proc_show(current, tk, line, sizeof line);
	sb_printf(sb, "%s", line);
	return 0;
}
/* wchan: "0" with no newline, as Linux prints for a task it names no wait
 * channel of (proc_pid_wchan); ps -l printed "0\n" and broke its line */
CONST_SHOW(show_wchan, "0")
CONST_SHOW(show_mmap_min_addr, "65536\n")

/* kernel.randomize_va_space: 0, as umk lays every address space out the
 * same way (runs replay; tests/fault's --replay relies on it).  Writing
 * 0 is accepted; asking for randomization (any other value: Linux takes
 * any int, 2 and up meaning full randomization) is EINVAL rather than a
 * setting kept and not honoured. */
static long sysctl_randomize_va_space;
CONST_SHOW(show_entropy, "256\n")
CONST_SHOW(show_tainted, "0\n")

/* ---- /proc/sys integers kept in kernel/sysctl.c ---- */

static int show_ctl(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)tk;
	sb_printf(sb, "%ld\n", *c->e->ctl);
	return 0;
}

/* Linux's proc_dointvec_minmax write: one value in [min, max]. */
static int write_ctl(struct task *tk, const struct pctx *c, const char *buf, size_t n)
{
	long v;
	int err = sysctl_parse_long(buf, n, c->e->min, c->e->max, &v);

	(void)tk;
	if (err)
		return err;
	*c->e->ctl = v;
	return 0;
}

/* Linux's proc_dointvec_minmax_sysadmin (kernel.kptr_restrict): a
 * write needs CAP_SYS_ADMIN (EPERM), then the range. */
static int write_ctl_sysadmin(struct task *tk, const struct pctx *c, const char *buf, size_t n)
{
	if (current && !capable(current, CAP_SYS_ADMIN))
		return -EPERM;
	return write_ctl(tk, c, buf, n);
}

/* threads-max: umk's own task cap until a guest writes another */
static int show_threads_max(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)tk, (void)c;
	sb_printf(sb, "%ld\n", sysctl_threads_max > 0 ? sysctl_threads_max : (long)task_limit());
	return 0;
}

/* Yama: 0..3, and 3 can never be lowered again; CAP_SYS_PTRACE to write. */
static int write_yama(struct task *tk, const struct pctx *c, const char *buf, size_t n)
{
	long v;
	int err = sysctl_parse_long(buf, n, 0, 3, &v);

	(void)tk, (void)c;
	if (err)
		return err;
	if (current && !capable(current, CAP_SYS_PTRACE))
		return -EPERM;
	if (sysctl_yama_ptrace_scope == 3 && v != 3)
		return -EINVAL;
	sysctl_yama_ptrace_scope = v;
	return 0;
}

/* vm.memfd_noexec (Linux's pid_mfd_noexec_dointvec_minmax): the reader's
 * pid namespace's, at least its ancestors'; 0..2 but never below the
 * parent namespace's (EINVAL), CAP_SYS_ADMIN over the namespace to
 * write (EPERM) */
static int ns_memfd_scope(struct pid_namespace *ns)
{
	int scope = 0;

	for (; ns; ns = ns->parent)
		if (ns->memfd_noexec_scope > scope)
			scope = ns->memfd_noexec_scope;
	return scope;
}

static int show_memfd_noexec(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)tk, (void)c;
	sb_printf(sb, "%d\n", ns_memfd_scope(current ? task_active_pid_ns(current) : &init_pid_ns));
	return 0;
}

static int write_memfd_noexec(struct task *tk, const struct pctx *c, const char *buf, size_t n)
{
	struct pid_namespace *ns = current ? task_active_pid_ns(current) : &init_pid_ns;
	long v;
	int err;

	(void)tk, (void)c;
	if (current && !ns_capable(current, ns->user_ns, CAP_SYS_ADMIN))
		return -EPERM;
	err = sysctl_parse_long(buf, n, ns_memfd_scope(ns->parent), 2, &v);
	if (err)
		return err;
	ns->memfd_noexec_scope = (int)v;
	return 0;
}

/* pid_max and ns_last_pid are per pid namespace (the reader's). */
static int show_pid_max(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)tk, (void)c;
	sb_printf(sb, "%d\n", task_active_pid_ns(current)->pid_max);
	return 0;
}

static int write_pid_max(struct task *tk, const struct pctx *c, const char *buf, size_t n)
{
	long v;
	int err = sysctl_parse_long(buf, n, 301, 4194304, &v);

	(void)tk, (void)c;
	if (err)
		return err;
	task_active_pid_ns(current)->pid_max = (int)v;
	return 0;
}

static int show_ns_last_pid(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)tk, (void)c;
	sb_printf(sb, "%d\n", task_active_pid_ns(current)->last_pid);
	return 0;
}

/* CRIU's way to choose the next pid: CAP_SYS_ADMIN over the namespace. */
static int write_ns_last_pid(struct task *tk, const struct pctx *c, const char *buf, size_t n)
{
	struct pid_namespace *ns = task_active_pid_ns(current);
	long v;
	int err = sysctl_parse_long(buf, n, 0, ns->pid_max, &v);

	(void)tk, (void)c;
	if (err)
		return err;
	/* checkpoint_restore_ns_capable: CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE (40) */
	if (current && !ns_capable(current, ns->user_ns, CAP_SYS_ADMIN) &&
	    !ns_capable(current, ns->user_ns, 40))
		return -EPERM;
	ns->last_pid = (int)v;
	return 0;
}

static int show_file_nr(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)tk, (void)c;
	sb_printf(sb, "%d\t0\t%ld\n", 0, sysctl_file_max);
	return 0;
}

/* kernel.random.boot_id: one UUID for the guest's life; uuid: a new one
 * at every read (Linux's proc_do_uuid). */
static void uuid_text(char *out)
{
	unsigned char u[16];

	if (getrandom(u, sizeof(u), 0) != sizeof(u))
		memset(u, 0x42, sizeof(u));
	u[6] = (u[6] & 0x0f) | 0x40;
	u[8] = (u[8] & 0x3f) | 0x80;
	sprintf(out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
		u[13], u[14], u[15]);
}

static int show_boot_id(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	static char id[40];

	(void)tk, (void)c;
	if (!id[0])
		uuid_text(id);
	sb_printf(sb, "%s\n", id);
	return 0;
}

static int show_uuid(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	char id[40];

	(void)tk, (void)c;
	uuid_text(id);
	sb_printf(sb, "%s\n", id);
	return 0;
}

/* /proc/config.gz: umk's configuration, gzip-compressed (kernel/configs.c). */
static int show_config_gz(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	void *gz;
	size_t n;
	int err = ikconfig_gz(&gz, &n);

	(void)tk, (void)c;
	if (err)
		return err;
	sb_put(sb, gz, n);
	free(gz);
	return 0;
}

/* ---- oom_score_adj, oom_adj, oom_score (Linux's fs/proc/base.c) ---- */

#define OOM_SCORE_ADJ_MIN (-1000)
#define OOM_SCORE_ADJ_MAX 1000
#define OOM_DISABLE       (-17)
#define OOM_ADJUST_MAX    15

static int show_oom_score_adj(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)c;
	sb_printf(sb, "%d\n", tk->tg ? tk->tg->oom_score_adj : 0);
	return 0;
}

static int show_oom_adj(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	int adj = tk->tg ? tk->tg->oom_score_adj : 0;

	(void)c;
	sb_printf(sb, "%d\n", adj == OOM_SCORE_ADJ_MAX ? OOM_ADJUST_MAX : adj * -OOM_DISABLE / OOM_SCORE_ADJ_MAX);
	return 0;
}

/* Parses an int as kstrtoint(strstrip(buf), 0) does (at most 12 bytes). */
static int parse_oom(const char *buf, size_t n, long *v)
{
	char tmp[13], *p, *end;

	if (n > sizeof(tmp) - 1)
		n = sizeof(tmp) - 1;
	memcpy(tmp, buf, n);
	tmp[n] = 0;
	for (p = tmp; *p == ' ' || *p == '\t' || *p == '\n'; p++)
		;
	end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n'))
		*--end = 0;
	if (!*p)
		return -EINVAL;
	errno = 0;
	*v = strtol(p, &end, 0);
	if (*end || errno || *v < INT32_MIN || *v > INT32_MAX)
		return -EINVAL;
	return 0;
}

/*
 * Sets the process's oom_score_adj (the whole thread group).  Going
 * below the lowest value set with CAP_SYS_RESOURCE (through oom_adj:
 * below the current value) needs it (EACCES); a privileged write of
 * oom_score_adj moves that floor.  Mirrors __set_oom_adj.
 */
static int set_oom(struct task *tk, int adj, bool legacy)
{
	struct thread_group *tg = tk->tg;
	bool priv = current && ns_capable(current, &init_user_ns, CAP_SYS_RESOURCE);

	if (!tg)
		return -ESRCH;
	/* oom_adj may not go below the current value, oom_score_adj below
	 * the floor */
	if (adj < (legacy ? tg->oom_score_adj : tg->oom_score_adj_min) && !priv)
		return -EACCES;
	tg->oom_score_adj = adj;
	if (!legacy && priv)
		tg->oom_score_adj_min = adj;
	return 0;
}

static int write_oom_score_adj(struct task *tk, const struct pctx *c, const char *buf, size_t n)
{
	long v;
	int err = parse_oom(buf, n, &v);

	(void)c;
	if (err)
		return err;
	if (v < OOM_SCORE_ADJ_MIN || v > OOM_SCORE_ADJ_MAX)
		return -EINVAL;
	return set_oom(tk, (int)v, false);
}

static int write_oom_adj(struct task *tk, const struct pctx *c, const char *buf, size_t n)
{
	long v;
	int err = parse_oom(buf, n, &v);

	(void)c;
	if (err)
		return err;
	if ((v < OOM_DISABLE || v > OOM_ADJUST_MAX) && v != OOM_DISABLE)
		return -EINVAL;
	/* the legacy scale: 15 is the maximum, -17 disables */
	return set_oom(tk, v == OOM_ADJUST_MAX ? OOM_SCORE_ADJ_MAX : (int)(v * OOM_SCORE_ADJ_MAX / -OOM_DISABLE),
		       true);
}

static int show_oom_score(struct task *tk, const struct pctx *c, struct sbuf *sb);


/* ---- files whose text another subsystem makes: the IPC limits and
 * /proc/sysvipc (ipc/ipc.h), the inotify limits (fs/notify.c) ---- */

static int ext_show(int (*rd)(struct task *, const char *, char **), const char *key,
		    struct sbuf *sb)
{
	char *s;
	int err = rd(current, key, &s);

	if (err)
		return err;
	sb_put(sb, s, strlen(s));
	free(s);
	return 0;
}

static int show_kallsyms(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	char *text;
	int err = kallsyms_text(c->opener_show, &text);

	(void)tk;
	if (err)
		return err;
	sb_put(sb, text, strlen(text));
	free(text);
	return 0;
}

#define EXT_FILE(fn, rd, wr, key)                                                              \
	static int fn##_show(struct task *tk, const struct pctx *c, struct sbuf *sb)           \
	{                                                                                      \
		(void)tk, (void)c;                                                             \
		return ext_show(rd, key, sb);                                                  \
	}                                                                                      \
	static __attribute__((unused)) int fn##_write(struct task *tk, const struct pctx *c,  \
						      const char *buf, size_t n)               \
	{                                                                                      \
		(void)tk, (void)c;                                                             \
		return wr(current, key, buf, n);                                               \
	}
EXT_FILE(ipc_shmmax, ipc_proc_read, ipc_proc_write, "kernel/shmmax")
EXT_FILE(ipc_shmall, ipc_proc_read, ipc_proc_write, "kernel/shmall")
EXT_FILE(ipc_shmmni, ipc_proc_read, ipc_proc_write, "kernel/shmmni")
EXT_FILE(ipc_shm_rmid_forced, ipc_proc_read, ipc_proc_write, "kernel/shm_rmid_forced")
EXT_FILE(ipc_shm_next_id, ipc_proc_read, ipc_proc_write, "kernel/shm_next_id")
EXT_FILE(ipc_msg_next_id, ipc_proc_read, ipc_proc_write, "kernel/msg_next_id")
EXT_FILE(ipc_sem_next_id, ipc_proc_read, ipc_proc_write, "kernel/sem_next_id")
EXT_FILE(ipc_sem, ipc_proc_read, ipc_proc_write, "kernel/sem")
EXT_FILE(kern_printk, printk_proc_read, printk_proc_write, "kernel/printk")
EXT_FILE(sched_rr_timeslice, sched_proc_read, sched_proc_write, "kernel/sched_rr_timeslice_ms")
EXT_FILE(sched_rt_period, sched_proc_read, sched_proc_write, "kernel/sched_rt_period_us")
EXT_FILE(sched_rt_runtime, sched_proc_read, sched_proc_write, "kernel/sched_rt_runtime_us")
EXT_FILE(ipc_msgmax, ipc_proc_read, ipc_proc_write, "kernel/msgmax")
EXT_FILE(ipc_msgmnb, ipc_proc_read, ipc_proc_write, "kernel/msgmnb")
EXT_FILE(ipc_msgmni, ipc_proc_read, ipc_proc_write, "kernel/msgmni")
EXT_FILE(mq_msg_max, ipc_proc_read, ipc_proc_write, "fs/mqueue/msg_max")
EXT_FILE(mq_msgsize_max, ipc_proc_read, ipc_proc_write, "fs/mqueue/msgsize_max")
EXT_FILE(mq_msg_default, ipc_proc_read, ipc_proc_write, "fs/mqueue/msg_default")
EXT_FILE(mq_msgsize_default, ipc_proc_read, ipc_proc_write, "fs/mqueue/msgsize_default")
EXT_FILE(mq_queues_max, ipc_proc_read, ipc_proc_write, "fs/mqueue/queues_max")
EXT_FILE(proc_sysvipc_shm, ipc_proc_read, ipc_proc_write, "sysvipc/shm")
EXT_FILE(proc_sysvipc_sem, ipc_proc_read, ipc_proc_write, "sysvipc/sem")
EXT_FILE(proc_sysvipc_msg, ipc_proc_read, ipc_proc_write, "sysvipc/msg")
EXT_FILE(in_max_user_instances, inotify_proc_read, inotify_proc_write, "fs/inotify/max_user_instances")
EXT_FILE(in_max_user_watches, inotify_proc_read, inotify_proc_write, "fs/inotify/max_user_watches")
EXT_FILE(in_max_queued_events, inotify_proc_read, inotify_proc_write, "fs/inotify/max_queued_events")
EXT_FILE(fan_max_queued_events, fanotify_proc_read, fanotify_proc_write, "fs/fanotify/max_queued_events")
EXT_FILE(fan_max_user_groups, fanotify_proc_read, fanotify_proc_write, "fs/fanotify/max_user_groups")
EXT_FILE(fan_max_user_marks, fanotify_proc_read, fanotify_proc_write, "fs/fanotify/max_user_marks")
EXT_FILE(hugetlb_nr, hugetlb_proc_read, hugetlb_proc_write, "vm/nr_hugepages")
EXT_FILE(hugetlb_overcommit, hugetlb_proc_read, hugetlb_proc_write, "vm/nr_overcommit_hugepages")
EXT_FILE(keys_keys, keys_proc_read, keys_proc_write, "keys")
EXT_FILE(keys_key_users, keys_proc_read, keys_proc_write, "key-users")
EXT_FILE(keys_maxkeys, keys_proc_read, keys_proc_write, "sys/kernel/keys/maxkeys")
EXT_FILE(keys_maxbytes, keys_proc_read, keys_proc_write, "sys/kernel/keys/maxbytes")
EXT_FILE(keys_root_maxkeys, keys_proc_read, keys_proc_write, "sys/kernel/keys/root_maxkeys")
EXT_FILE(keys_root_maxbytes, keys_proc_read, keys_proc_write, "sys/kernel/keys/root_maxbytes")
EXT_FILE(keys_gc_delay, keys_proc_read, keys_proc_write, "sys/kernel/keys/gc_delay")
EXT_FILE(keys_persistent_expiry, keys_proc_read, keys_proc_write, "sys/kernel/keys/persistent_keyring_expiry")
#define EXT_ENT(n, fn, p) { .name = n, .kind = PK_FILE, .perm = p, .show = fn##_show, .write = fn##_write }

/* ---- links ---- */

static int show_self(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)tk, (void)c;
	if (!current)
		return -ENOENT;
	if (!vnr(c, current->tg->tgid))
		return -ENOENT;
	sb_printf(sb, "%d", vnr(c, current->tg->tgid));
	return 0;
}

static int show_thread_self(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)tk, (void)c;
	if (!current)
		return -ENOENT;
	if (!vnr(c, current->tid))
		return -ENOENT;
	sb_printf(sb, "%d/task/%d", vnr(c, current->tg->tgid), vnr(c, current->tid));
	return 0;
}

CONST_SHOW(show_mounts_link, "self/mounts")
CONST_SHOW(show_net_link, "self/net")

/* /proc/PID/net: the files of net/proc_net.c (the guest's network is one
 * namespace, so every process sees the same). */
static int show_net(const char *name, struct sbuf *sb)
{
	char *buf;
	size_t len;
	int err = net_proc_show(name, &buf, &len);

	if (err)
		return err;
	sb_put(sb, buf, len);
	free(buf);
	return 0;
}
#define NET_SHOW(fn, name) \
	static int fn(struct task *tk, const struct pctx *c, struct sbuf *sb) \
	{ (void)tk, (void)c; return show_net(name, sb); }
NET_SHOW(show_net_dev, "dev")
NET_SHOW(show_net_if_inet6, "if_inet6")
NET_SHOW(show_net_ipt_matches, "ip_tables_matches")
NET_SHOW(show_net_ipt_names, "ip_tables_names")
NET_SHOW(show_net_ipt_targets, "ip_tables_targets")
NET_SHOW(show_net_raw, "raw")
NET_SHOW(show_net_raw6, "raw6")
NET_SHOW(show_net_route, "route")
NET_SHOW(show_net_snmp, "snmp")
NET_SHOW(show_net_sockstat, "sockstat")
NET_SHOW(show_net_sockstat6, "sockstat6")
NET_SHOW(show_net_tcp, "tcp")
NET_SHOW(show_net_tcp6, "tcp6")
NET_SHOW(show_net_udp, "udp")
NET_SHOW(show_net_udp6, "udp6")
NET_SHOW(show_net_udplite, "udplite")
NET_SHOW(show_net_udplite6, "udplite6")
NET_SHOW(show_net_unix, "unix")
NET_SHOW(show_net_psched, "psched")
NET_SHOW(show_net_netstat, "netstat")
NET_SHOW(show_net_snmp6, "snmp6")
NET_SHOW(show_net_arp, "arp")
NET_SHOW(show_net_dev_mcast, "dev_mcast")

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
	/* comm_write keeps what was written, newline and all (`echo x >
	 * /proc/self/comm` names the task "x\n"), up to TASK_COMM_LEN - 1 */
	if (n > sizeof(tk->comm) - 1)
		n = sizeof(tk->comm) - 1;
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

/* /proc/PID/auxv: the auxv execve gave (the copy Linux keeps too) */
static int show_auxv(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)c;
	if (!tk->mm || !task_alive(tk))
		return 0;
	sb_put(sb, tk->mm->saved_auxv, (size_t)tk->mm->saved_auxv_len * 8);
	return 0;
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
	char st = task_state_char(tk);
	linux_sigset_t pend;

	cpu_times(tk, !c->thread, &u, &s);
	vm_stats(tk, &vs);
	int tpgid, tty_nr = pty_ctty_nr(tk, &tpgid);
	pend = tk->pending.set | (tg ? tg->shared_pending.set : 0);
	sb_printf(sb, "%d (%.16s) %c %d %d %d %d %d %u %lu %lu %lu %lu %lu %lu %ld %ld %ld %ld "
		  "%d %d %llu %llu %ld %llu ",
		  vnr(c, c->tid), tk->comm, st, ppid_of(tk, c), tg ? vnr(c, tg->pgid) : 0,
		  tg ? vnr(c, tg->sid) : 0, tty_nr, tpgid > 0 ? vnr(c, tpgid) : tpgid,
		  0x400000u /* PF_RANDOMIZE */, 0UL, 0UL, 0UL, 0UL,
		  ticks(u), ticks(s), (long)ticks(tg && !c->thread ? tg->cutime_ns : 0),
		  (long)ticks(tg && !c->thread ? tg->cstime_ns : 0), 20L + tk->nice, (long)tk->nice,
		  tg ? tg->nr_threads : 1, 0,
		  (unsigned long long)ticks((int64_t)tk->start_time_ns - boot_mono_ns() +
					    timens_offset_ns(current, CLOCK_BOOTTIME)),
		  (unsigned long long)vs.size, (long)vs.rss,
		  (unsigned long long)rlim_cur(tk, RLIMIT_RSS));
	sb_printf(sb, "%llu %llu %llu %lu %lu %llu %llu %llu %llu %lu %lu %lu %d %d %u %u %llu "
		  "%lu %ld %llu %llu %llu %llu %llu %llu %llu %d\n",
		  (unsigned long long)(mm ? mm->start_code : 0),
		  (unsigned long long)(mm ? mm->end_code : 0),
		  (unsigned long long)(mm ? mm->start_stack : 0), 0UL, 0UL,
		  (unsigned long long)pend, (unsigned long long)tk->blocked,
		  (unsigned long long)sig_with(tk, true), (unsigned long long)sig_with(tk, false),
		  0UL, 0UL, 0UL, tk->exit_signal, tk->cpu > 0 ? tk->cpu : 0, tk->sched_priority, (unsigned)tk->sched_policy, 0ULL, 0UL, 0L,
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
	sb_printf(sb, "%llu %llu %llu %llu 0 %llu 0\n", (unsigned long long)vs.size / 4096,
		  (unsigned long long)vs.rss, (unsigned long long)vs.shared,
		  (unsigned long long)vs.exe / 4096,
		  (unsigned long long)(vs.data + vs.stk) / 4096);
	return 0;
}

/* Linux's proc_oom_score: the badness (resident pages plus
 * oom_score_adj in thousandths of memory) scaled into 0..2000 * 2/3;
 * 0 for an unkillable task (oom_score_adj -1000). */
static int show_oom_score(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	struct sysinfo si;
	struct vmstats vs;
	long total, badness, points = 0;
	int adj = tk->tg ? tk->tg->oom_score_adj : 0;

	(void)c;
	if (sysinfo(&si))
		si.totalram = si.totalswap = 0, si.mem_unit = 1;
	total = (long)((si.totalram + si.totalswap) * si.mem_unit / 4096);
	if (total < 1)
		total = 1;
	if (adj != OOM_SCORE_ADJ_MIN && task_alive(tk)) {
		vm_stats(tk, &vs);
		badness = (long)vs.rss + adj * (total / 1000);
		points = (1000 + badness * 1000 / total) * 2 / 3;
		if (points < 0)
			points = 0;
	}
	sb_printf(sb, "%ld\n", points);
	return 0;
}

/* Whether the host's own /proc/self/status has a line starting FIELD
 * ("Kthread:" from Linux 6.4 on, "untag_mask:" with address masking
 * built in): umk reports the host's kernel release, so its status has
 * the fields that release prints.  Read once. */
static bool host_status_has(const char *field)
{
	static char *text;
	static bool done;

	if (!done) {
		struct sbuf hs = { 0 };

		done = true;
		if (sb_host_file(&hs, "/proc/self/status") == 0 && !hs.oom) {
			sb_put(&hs, "", 1);
			text = hs.buf;
		} else {
			free(hs.buf);
		}
	}
	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, field, strlen(field)))
			return true;
	return false;
}

/* Linux's proc_pid_status, fields in its order. */
static int show_status(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	struct thread_group *tg = tk->tg;
	const struct cred *cr = &tk->cred;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct vmstats vs;
	char st = task_state_char(tk);
	int tgid = vnr(c, tg ? tg->tgid : tk->tid);
	struct user_namespace *uns = current && current->user_ns ? current->user_ns : &init_user_ns;

	if (ncpu < 1)
		ncpu = 1;
	sb_printf(sb, "Name:\t%.16s\n", tk->comm);
	if (tk->fs)
		sb_printf(sb, "Umask:\t%04o\n", tk->fs->umask);
	sb_printf(sb, "State:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t%d\n",
		  state_name(st), tgid, vnr(c, c->tid), ppid_of(tk, c), ptrace_tracer_pid(tk));
	/* ids as the reader's user namespace sees them */
	sb_printf(sb, "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n",
		  from_kuid_munged(uns, cr->uid), from_kuid_munged(uns, cr->euid),
		  from_kuid_munged(uns, cr->suid), from_kuid_munged(uns, cr->fsuid),
		  from_kgid_munged(uns, cr->gid), from_kgid_munged(uns, cr->egid),
		  from_kgid_munged(uns, cr->sgid), from_kgid_munged(uns, cr->fsgid));
	sb_printf(sb, "FDSize:\t%d\nGroups:\t", tk->files ? (tk->files->nfds + 63) / 64 * 64 : 0);
	for (uint32_t i = 0; i < cr->ngroups && i < ARRAY_SIZE(cr->groups); i++)
		sb_printf(sb, "%u ", from_kgid_munged(uns, cr->groups[i]));
	/* Linux ends the list with a space even when it is empty */
	if (!cr->ngroups)
		sb_printf(sb, " ");
	/* NS*: the number in the proc mount's namespace and each one below */
	struct pid *ids[4] = { task_tgid(tk), tk->pid, tg ? tg->pgrp : NULL, tg ? tg->session : NULL };
	static const char *const nsnames[4] = { "NStgid", "NSpid", "NSpgid", "NSsid" };
	unsigned int lvl = c->ns ? c->ns->level : 0;
	sb_printf(sb, "\n");
	for (int k = 0; k < 4; k++) {
		sb_printf(sb, "%s:", nsnames[k]);
		if (ids[k] && pid_nr_ns(ids[k], c->ns ? c->ns : &init_pid_ns))
			for (unsigned int l = lvl; l <= ids[k]->level; l++)
				sb_printf(sb, "\t%d", ids[k]->numbers[l].nr);
		else
			sb_printf(sb, "\t0");
		sb_printf(sb, "\n");
	}
	if (host_status_has("Kthread:"))
		sb_printf(sb, "Kthread:\t0\n");
	if (tk->mm && st != 'Z') {
		uint64_t file, shmem;

		vm_stats(tk, &vs);
		rss_split(tk, &vs, &file, &shmem);
		sb_printf(sb, "VmPeak:\t%8llu kB\nVmSize:\t%8llu kB\nVmLck:\t%8llu kB\n"
			  "VmPin:\t       0 kB\nVmHWM:\t%8llu kB\nVmRSS:\t%8llu kB\n"
			  "RssAnon:\t%8llu kB\nRssFile:\t%8llu kB\nRssShmem:\t%8llu kB\n"
			  "VmData:\t%8llu kB\nVmStk:\t%8llu kB\nVmExe:\t%8llu kB\nVmLib:\t%8llu kB\n"
			  "VmPTE:\t       0 kB\nVmSwap:\t       0 kB\nHugetlbPages:\t       0 kB\n"
			  "CoreDumping:\t0\nTHP_enabled:\t1\n",
			  (unsigned long long)vs.size / 1024, (unsigned long long)vs.size / 1024,
			  (unsigned long long)mm_locked_bytes(tk->mm) / 1024,
			  (unsigned long long)vs.rss * 4, (unsigned long long)vs.rss * 4,
			  (unsigned long long)(vs.rss - file - shmem) * 4,
			  (unsigned long long)file * 4, (unsigned long long)shmem * 4,
			  (unsigned long long)vs.data / 1024,
			  (unsigned long long)vs.stk / 1024, (unsigned long long)vs.exe / 1024,
			  (unsigned long long)vs.lib / 1024);
		/* no linear address masking for guests: every bit kept */
		if (host_status_has("untag_mask:"))
			sb_printf(sb, "untag_mask:\t%#llx\n", ~0ULL);
	}
	sb_printf(sb, "Threads:\t%d\nSigQ:\t0/%llu\nSigPnd:\t%016llx\nShdPnd:\t%016llx\n"
		  "SigBlk:\t%016llx\nSigIgn:\t%016llx\nSigCgt:\t%016llx\n",
		  tg ? tg->nr_threads : 1, (unsigned long long)rlim_cur(tk, RLIMIT_SIGPENDING),
		  (unsigned long long)tk->pending.set,
		  (unsigned long long)(tg ? tg->shared_pending.set : 0),
		  (unsigned long long)tk->blocked, (unsigned long long)sig_with(tk, true),
		  (unsigned long long)sig_with(tk, false));
	sb_printf(sb, "CapInh:\t%016llx\nCapPrm:\t%016llx\nCapEff:\t%016llx\n"
		  "CapBnd:\t%016llx\nCapAmb:\t%016llx\nNoNewPrivs:\t%d\n"
		  "Seccomp:\t%d\nSeccomp_filters:\t%d\n"
		  "Speculation_Store_Bypass:\tthread vulnerable\n"
		  "SpeculationIndirectBranch:\tconditional enabled\n",
		  (unsigned long long)cr->cap_inheritable, (unsigned long long)cr->cap_permitted,
		  (unsigned long long)cr->cap_effective, (unsigned long long)cr->cap_bset,
		  (unsigned long long)cr->cap_ambient, tk->no_new_privs, tk->seccomp_mode,
		  seccomp_filter_count(tk));
	/* sched_setaffinity's mask, as a hex mask and a list of ranges */
	uint64_t allowed = tk->cpus_allowed & cpus_online_mask();
	if (!allowed)
		allowed = cpus_online_mask();
	sb_printf(sb, "Cpus_allowed:\t%llx\nCpus_allowed_list:\t", (unsigned long long)allowed);
	for (int cpu = 0, first = 1; cpu < 64 && cpu < ncpu; cpu++) {
		int end = cpu;
		if (!(allowed & (1ULL << cpu)))
			continue;
		while (end + 1 < 64 && (allowed & (1ULL << (end + 1))))
			end++;
		sb_printf(sb, end > cpu ? "%s%d-%d" : "%s%d", first ? "" : ",", cpu, end);
		first = 0;
		cpu = end;
	}
	struct host_rusage hr;
	task_host_rusage(tk, !c->thread ? RU_PROCESS : RU_THREAD, &hr);
	sb_printf(sb, "\nMems_allowed:\t00000000,00000001\nMems_allowed_list:\t0\n"
		  "voluntary_ctxt_switches:\t%ld\nnonvoluntary_ctxt_switches:\t%ld\n",
		  hr.nvcsw, hr.nivcsw);
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
	static char buf[80];
	bool ro = (m->mflags & MS_RDONLY) || (m->sb && (m->sb->flags & MS_RDONLY));

	/* show_vfsmnt and show_mnt_opts: relatime unless noatime or strictatime */
	snprintf(buf, sizeof(buf), "%s%s%s%s%s%s%s%s", ro ? "ro" : "rw",
		 m->mflags & MS_NOSUID ? ",nosuid" : "", m->mflags & MS_NODEV ? ",nodev" : "",
		 m->mflags & MS_NOEXEC ? ",noexec" : "",
		 m->mflags & MS_NOATIME ? ",noatime" : "",
		 m->mflags & MS_NODIRATIME ? ",nodiratime" : "",
		 m->mflags & (MS_NOATIME | MS_STRICTATIME) ? "" : ",relatime",
		 m->mflags & 256 /* MS_NOSYMFOLLOW */ ? ",nosymfollow" : "");
	return buf;
}

/* The filesystem's own options (mountinfo's last field). */
static void sb_opts(struct sbuf *sb, struct mount *m)
{
	sb_printf(sb, "%s", m->sb && (m->sb->flags & MS_RDONLY) ? "ro" : "rw");
	if (m->sb && m->sb->options && *m->sb->options)
		sb_printf(sb, ",%s", m->sb->options);
}

static struct mnt_namespace *task_mnt_ns(struct task *tk)
{
	return tk->nsproxy && tk->nsproxy->mnt_ns ? tk->nsproxy->mnt_ns : &init_mnt_ns;
}

/* The next mount of tk's namespace after *pos (NULL: the first) that its
 * root sees, with *mp its path from there; NULL after the last.  What
 * /proc/PID/mounts, mountinfo and mountstats list. */
static struct mount *seen_mount_next(struct task *tk, struct list_head **pos, const char **mp)
{
	const char *root = tk->fs && tk->fs->root ? tk->fs->root : "/";
	struct mnt_namespace *ns = task_mnt_ns(tk);

	for (*pos = *pos ? (*pos)->next : ns->mounts.next; *pos != &ns->mounts; *pos = (*pos)->next) {
		struct mount *m = list_entry(*pos, struct mount, link);

		if ((*mp = mount_rel_to_root(m->path, root)))
			return m;
	}
	return NULL;
}

/* /proc/PID/mounts: tk's namespace's mounts, as its root sees them. */
static int show_mounts(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	struct list_head *pos = NULL;
	const char *mp;

	(void)c;
	for (struct mount *m; (m = seen_mount_next(tk, &pos, &mp));) {
		sb_escaped(sb, m->source ? m->source : "none");
		sb_put(sb, " ", 1);
		sb_escaped(sb, mp);
		sb_printf(sb, " %s %s", m->fstype ? m->fstype : "none", mount_opts(m));
		if (m->sb && m->sb->options && *m->sb->options)
			sb_printf(sb, ",%s", m->sb->options);
		sb_printf(sb, " 0 0\n");
	}
	return 0;
}

/*
 * /proc/PID/mountinfo (Linux's show_mountinfo): id, parent id, st_dev,
 * the directory of the filesystem mounted (a bind mount's), the mount
 * point, per-mount options, the propagation fields (shared:N, master:N,
 * unbindable), "-", type, source, the filesystem's options.
 */
/* /proc/PID/mountstats: "device SRC mounted on DIR with fstype TYPE" per
 * mount (show_vfsstat; no per-fs statistics: umk has no NFS) */
static int show_mountstats(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	struct list_head *pos = NULL;
	const char *mp;

	(void)c;
	for (struct mount *m; (m = seen_mount_next(tk, &pos, &mp));) {
		if (m->source) {
			sb_printf(sb, "device ");
			sb_escaped(sb, m->source);
		} else {
			sb_printf(sb, "no device");
		}
		sb_printf(sb, " mounted on ");
		sb_escaped(sb, mp);
		sb_printf(sb, " with fstype %s\n", m->fstype ? m->fstype : "none");
	}
	return 0;
}

static int show_mountinfo(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	struct list_head *pos = NULL;
	const char *mp;

	(void)c;
	for (struct mount *m; (m = seen_mount_next(tk, &pos, &mp));) {
		char cgroot[4200];
		sb_printf(sb, "%d %d %u:%u ", m->id, m->parent ? m->parent->id : m->id,
			  major(m->dev), minor(m->dev));
		if (cgroup_mount_root(current, m, cgroot, sizeof cgroot)) {
			sb_escaped(sb, cgroot);   /* cgroup2: as the reader's cgroup namespace sees it */
		} else {
			sb_put(sb, "/", 1);
			sb_escaped(sb, m->root ? m->root : "");
		}
		sb_put(sb, " ", 1);
		sb_escaped(sb, mp);
		sb_printf(sb, " %s", mount_opts(m));
		if (m->propagation == MS_SHARED && m->group)
			sb_printf(sb, " shared:%d", m->group);
		if (m->master)
			sb_printf(sb, " master:%d", m->master);
		if (m->propagation == MS_UNBINDABLE)
			sb_printf(sb, " unbindable");
		sb_printf(sb, " - %s ", m->fstype ? m->fstype : "none");
		sb_escaped(sb, m->source ? m->source : "none");
		sb_put(sb, " ", 1);
		sb_opts(sb, m);
		sb_put(sb, "\n", 1);
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
	char ib[4096];
	if (inotify_fdinfo(f, ib, sizeof ib) > 0 || fanotify_fdinfo(f, ib, sizeof ib) > 0 ||
	    (f->ops && f->ops->show_fdinfo && f->ops->show_fdinfo(f, ib, sizeof ib) > 0))
		sb_printf(sb, "%s", ib);
	if (file_is_pidfd(f)) {
		/* pidfd_show_fdinfo: the pid in the reader's namespace, -1 once gone */
		struct pid *p = pidfd_pid(f);
		int nr = p && pidfd_task(f) ? pid_nr_ns(p, task_active_pid_ns(current)) : -1;

		sb_printf(sb, "Pid:\t%d\nNSpid:\t%d\n", nr ? nr : -1, nr ? nr : -1);
	}
	return 0;
}

/* ---- /proc/PID/ns and the user namespace files ---- */

static int show_ns_link(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	char buf[64];
	int err = ns_link_text(tk, c->e->nstype - 1, buf, sizeof(buf));

	if (err)
		return err;
	sb_printf(sb, "%s", buf);
	return 0;
}

static struct user_namespace *task_userns(struct task *tk)
{
	return tk->user_ns ? tk->user_ns : &init_user_ns;
}

static int show_map(struct task *tk, bool gid, struct sbuf *sb)
{
	char buf[340 * 40];
	struct user_namespace *viewer = current ? task_userns(current) : &init_user_ns;
	int n = userns_show_map(task_userns(tk), viewer, gid, buf, sizeof(buf));

	if (n > 0)
		sb_put(sb, buf, n);
	return 0;
}

static int show_uid_map(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)c;
	return show_map(tk, false, sb);
}

static int show_gid_map(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)c;
	return show_map(tk, true, sb);
}

static int write_uid_map(struct task *tk, const struct pctx *c, const char *buf, size_t n)
{
	long r = current ? userns_write_map(current, task_userns(tk), false, buf, n) : -EPERM;

	(void)c;
	return r < 0 ? (int)r : 0;
}

static int write_gid_map(struct task *tk, const struct pctx *c, const char *buf, size_t n)
{
	long r = current ? userns_write_map(current, task_userns(tk), true, buf, n) : -EPERM;

	(void)c;
	return r < 0 ? (int)r : 0;
}

static int show_setgroups(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)c;
	sb_printf(sb, "%s\n", task_userns(tk)->setgroups_denied ? "deny" : "allow");
	return 0;
}

static int write_setgroups(struct task *tk, const struct pctx *c, const char *buf, size_t n)
{
	long r = current ? userns_write_setgroups(current, task_userns(tk), buf, n) : -EPERM;

	(void)c;
	return r < 0 ? (int)r : 0;
}

/* ---- the tables ---- */

/* ---- per-process files programs read or write: audit ids, timer
 * slack, the core-dump filter, LSM attributes, I/O counters, smaps ---- */

#define AUDIT_UNSET       ((uint32_t)-1)
#define CAP_AUDIT_CONTROL 30

/* kstrtoull(strim-less buf, base): digits and one trailing newline. */
static int parse_ull(const char *buf, size_t n, int base, unsigned long long *v)
{
	char tmp[32], *end;

	if (n && buf[n - 1] == '\n')
		n--;
	if (!n || n >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, buf, n);
	tmp[n] = 0;
	if (tmp[0] == '-' || tmp[0] == '+' || tmp[0] == ' ')
		return -EINVAL;
	errno = 0;
	*v = strtoull(tmp, &end, base);
	if (*end)
		return -EINVAL;
	return errno ? -ERANGE : 0;
}

static int show_loginuid(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)c;
	sb_printf(sb, "%u", tk->loginuid);
	return 0;
}

/* Linux's proc_loginuid_write and audit_set_loginuid: a task sets its
 * own; once set, changing it needs CAP_AUDIT_CONTROL; a new loginuid
 * starts a new audit session. */
/* /proc/PID/timens_offsets: kernel/time_namespace.c */
static int show_timens_offsets(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	char buf[128];
	int n = timens_show_offsets(tk, buf, sizeof buf);

	(void)c;
	if (n < 0)
		return n;
	sb_printf(sb, "%s", buf);
	return 0;
}

static int write_timens_offsets(struct task *tk, const struct pctx *c, const char *buf, size_t n)
{
	long r = timens_write_offsets(current, tk, buf, n);

	(void)c;
	return r < 0 ? (int)r : 0;
}

static int write_loginuid(struct task *tk, const struct pctx *c, const char *buf, size_t n)
{
	static uint32_t session_id;
	unsigned long long v;
	int err;

	(void)c;
	if (current != tk)
		return -EPERM;
	err = parse_ull(buf, n, 10, &v);
	if (err)
		return err;
	if (v > UINT32_MAX)
		return -ERANGE;
	if (tk->loginuid != AUDIT_UNSET && !capable(current, CAP_AUDIT_CONTROL))
		return -EPERM;
	tk->loginuid = (uint32_t)v;
	if (tk->loginuid == AUDIT_UNSET) {
		tk->sessionid = AUDIT_UNSET;
	} else {
		if (++session_id == AUDIT_UNSET)
			++session_id;
		tk->sessionid = session_id;
	}
	return 0;
}

static int show_sessionid(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)c;
	sb_printf(sb, "%u", tk->sessionid);
	return 0;
}

/* Another task's slack needs CAP_SYS_NICE, to read it too. */
static int show_timerslack(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)c;
	if (current != tk && !ns_capable(current, tk->user_ns, CAP_SYS_NICE))
		return -EPERM;
	sb_printf(sb, "%llu\n", (unsigned long long)tk->timer_slack_ns);
	return 0;
}

/* 0 restores the slack the task was created with (prctl's rule). */
static int write_timerslack(struct task *tk, const struct pctx *c, const char *buf, size_t n)
{
	unsigned long long v;
	int err = parse_ull(buf, n, 10, &v);

	(void)c;
	if (err)
		return err;
	if (current != tk && !ns_capable(current, tk->user_ns, CAP_SYS_NICE))
		return -EPERM;
	tk->timer_slack_ns = v ? v : tk->default_timer_slack_ns;
	return 0;
}

static int show_coredump_filter(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)c;
	if (!tk->tg || !tk->mm)
		return 0;
	sb_printf(sb, "%08x\n", tk->tg->coredump_filter);
	return 0;
}

/* Any base kstrtouint takes; the 9 MMF_DUMP_FILTER bits are kept. */
static int write_coredump_filter(struct task *tk, const struct pctx *c, const char *buf, size_t n)
{
	unsigned long long v;
	int err = parse_ull(buf, n, 0, &v);

	(void)c;
	if (err)
		return err;
	if (v > UINT32_MAX)
		return -ERANGE;
	if (!tk->tg || !tk->mm)
		return -ESRCH;
	tk->tg->coredump_filter = (uint32_t)v & 0x1ff;
	return 0;
}

static int show_personality(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)c;
	sb_printf(sb, "%08x\n", tk->personality);
	return 0;
}

/* attr/: with no LSM Linux answers EINVAL to reads and to writes of a
 * task's own attributes (EACCES for another task's). */
static int show_lsm_attr(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)tk, (void)c, (void)sb;
	return -EINVAL;
}

static int write_lsm_attr(struct task *tk, const struct pctx *c, const char *buf, size_t n)
{
	(void)c, (void)buf, (void)n;
	return current && current->tg == tk->tg ? -EINVAL : -EACCES;
}

/* The read and write calls and the bytes they moved (sys_file.c);
 * read_bytes: the page-cache misses read from a block device (ext2 over
 * a loop device, mm/pagecache.c); writes go to the host's files, so no
 * write_bytes. */
static int show_io(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	struct thread_group *tg = tk->tg;

	(void)c;
	sb_printf(sb, "rchar: %llu\nwchar: %llu\nsyscr: %llu\nsyscw: %llu\n"
		  "read_bytes: %llu\nwrite_bytes: 0\ncancelled_write_bytes: 0\n",
		  (unsigned long long)(tg ? tg->io_rchar : 0), (unsigned long long)(tg ? tg->io_wchar : 0),
		  (unsigned long long)(tg ? tg->io_syscr : 0), (unsigned long long)(tg ? tg->io_syscw : 0),
		  (unsigned long long)(tg ? tg->io_read_bytes : 0));
	return 0;
}

/* The host's /proc/<stub>/FILE for tk's stub (its pages are the guest's),
 * or -1 with nothing read. */
static int stub_proc_text(struct task *tk, const char *file, struct sbuf *out)
{
	char path[64];

	if (!tk->host || !platform || !platform->host_tid || !host_proc_is_ours())
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/%s", platform->host_tid(tk->host), file);
	return sb_host_file(out, path) ? -1 : 0;
}

/* /proc/PID/{arch_status,ksm_stat,ksm_merging_pages}: the stub's own
 * (its thread ran the guest's code: AVX-512 use; its pages are the
 * guest's: KSM merging); where the stub's cannot be read, Linux's
 * figures for a task that used neither. */
static int show_stub_mirror(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	size_t len = sb->len;

	if (stub_proc_text(tk, c->e->name, sb) == 0 && sb->len > len)
		return 0;
	sb->len = len;
	if (!strcmp(c->e->name, "arch_status"))
		sb_printf(sb, "AVX512_elapsed_ms:\t-1\n");
	else if (!strcmp(c->e->name, "ksm_merging_pages"))
		sb_printf(sb, "0\n");
	else
		sb_printf(sb, "ksm_rmap_items 0\nksm_zero_pages 0\nksm_merging_pages 0\n"
			  "ksm_process_profit 0\nksm_merge_any: no\nksm_mergeable: no\n");
	return 0;
}

/* One entry of the host's smaps: its range and the text after its header. */
struct hsmap {
	uint64_t start, end;
	const char *body, *body_end;
};

/* "START-END " at p (hex, as a maps line begins), not past end: the
 * length of that prefix, or 0.  sscanf would strlen the whole rest of a
 * text at every line (a process with many VMAs made smaps quadratic). */
static size_t parse_range(const char *p, const char *end, uint64_t *s, uint64_t *e)
{
	const char *q = p;
	uint64_t v[2] = { 0, 0 };

	for (int i = 0; i < 2; i++) {
		const char *d = q;
		for (; q < end && isxdigit((unsigned char)*q); q++)
			v[i] = v[i] << 4 | (uint64_t)(isdigit((unsigned char)*q) ? *q - '0' : (*q | 0x20) - 'a' + 10);
		if (q == d || q == end || *q != (i ? ' ' : '-'))
			return 0;
		q++;
	}
	*s = v[0];
	*e = v[1];
	return q - p;
}

static size_t parse_host_smaps(char *text, size_t len, struct hsmap **out)
{
	struct hsmap *v = NULL, *nv;
	size_t n = 0, cap = 0;
	char *p = text, *end = text + len;

	while (p < end) {
		char *nl = memchr(p, '\n', end - p);
		uint64_t s, e;

		if (parse_range(p, nl ? nl : end, &s, &e)) {
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				nv = realloc(v, cap * sizeof(*v));
				if (!nv)
					break;
				v = nv;
			}
			if (n)
				v[n - 1].body_end = p;
			v[n++] = (struct hsmap){ s, e, nl ? nl + 1 : end, end };
		}
		p = nl ? nl + 1 : end;
	}
	*out = v;
	return v ? n : 0;
}

/* The value lines of an smaps entry for the guest VMA [s, e): "Key: N kB"
 * summed over the host entries it overlaps (a share of an entry larger
 * than it), other lines (THPeligible, VmFlags) from the first.  lock:
 * the VMA's flags (VM_LOCKED_, VMA_NORESERVE...). */
static void smaps_body(struct sbuf *sb, uint64_t s, uint64_t e, const struct hsmap *hm, size_t nh,
		       int lock)
{
	char keys[40][24];
	unsigned long long val[40];
	char other[8][160];
	int nk = 0, no = 0;

	/* the host's entries are sorted: the first that ends past s */
	size_t i = 0, top = nh;
	while (i < top) {
		size_t mid = i + (top - i) / 2;
		if (hm[mid].end <= s)
			i = mid + 1;
		else
			top = mid;
	}
	for (; i < nh && hm[i].start < e; i++) {
		uint64_t lo = hm[i].start > s ? hm[i].start : s, hi = hm[i].end < e ? hm[i].end : e;
		bool first = !nk && !no;
		const char *p = hm[i].body;

		if (lo >= hi)
			continue;
		while (p < hm[i].body_end) {
			const char *nl = memchr(p, '\n', hm[i].body_end - p);
			size_t ll = (nl ? nl : hm[i].body_end) - p;
			char line[160], key[24];
			unsigned long long kb;
			int j;

			if (ll >= sizeof(line))
				ll = sizeof(line) - 1;
			memcpy(line, p, ll);
			line[ll] = 0;
			p = nl ? nl + 1 : hm[i].body_end;
			if (sscanf(line, "%23[^:]: %llu kB", key, &kb) == 2 && strstr(line, " kB")) {
				if (!strcmp(key, "KernelPageSize") || !strcmp(key, "MMUPageSize"))
					kb = first ? kb : 0;
				else if (strcmp(key, "Size"))
					kb = kb * (hi - lo) / (hm[i].end - hm[i].start);
				for (j = 0; j < nk && strcmp(keys[j], key); j++)
					;
				if (j == nk && nk < 40) {
					snprintf(keys[nk], sizeof(keys[nk]), "%s", key);
					val[nk++] = 0;
				}
				if (j < nk)
					val[j] += kb;
			} else if (first && no < 8) {
				snprintf(other[no++], sizeof(other[0]), "%s", line);
			}
		}
	}
	if (!nk) {
		sb_printf(sb, "Size:           %8llu kB\nKernelPageSize:        4 kB\nMMUPageSize:           4 kB\n"
			  "Rss:                   0 kB\nPss:                   0 kB\n",
			  (unsigned long long)((e - s) >> 10));
		return;
	}
	unsigned long long pss = 0;
	for (int j = 0; j < nk; j++)
		if (!strcmp(keys[j], "Pss"))
			pss = val[j];
	for (int j = 0; j < nk; j++) {
		if (!strcmp(keys[j], "Size"))
			val[j] = (e - s) >> 10;
		/* mlocked in the guest (mm/mlock.c): Linux counts its Pss, all
		 * of it unless locked on fault (mlock faulted every page in) */
		if (!strcmp(keys[j], "Locked") && (lock & VM_LOCKED_))
			val[j] = (lock & VM_LOCKONFAULT_) ? pss : (e - s) >> 10;
		sb_printf(sb, "%-16s%8llu kB\n", strcat(strcpy((char[32]){ 0 }, keys[j]), ":"), val[j]);
	}
	for (int j = 0; j < no; j++) {
		/* umk maps guest memory MAP_NORESERVE on the host (mm/mmap.c):
		 * "nr" is the guest's only for a VMA_NORESERVE mapping */
		char *nr = !strncmp(other[j], "VmFlags:", 8) ? strstr(other[j], " nr") : NULL;
		if (nr && (nr[3] == ' ' || !nr[3]) && !(lock & VMA_NORESERVE))
			memmove(nr, nr + 3, strlen(nr + 3) + 1);
		sb_printf(sb, "%s\n", other[j]);
	}
}

/* Linux's show_smap: each VMA's maps line, then its memory as the host
 * counted it in the stub that holds the guest's pages. */
static int show_smaps(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	struct sbuf maps = { 0 }, host = { 0 };
	struct hsmap *hm = NULL;
	size_t nh = 0;
	int err = show_maps(tk, c, &maps);

	if (err || maps.oom) {
		free(maps.buf);
		return err ? err : -ENOMEM;
	}
	if (stub_proc_text(tk, "smaps", &host) == 0 && !host.oom)
		nh = parse_host_smaps(host.buf, host.len, &hm);
	for (char *p = maps.buf, *end = maps.buf + maps.len; p && p < end;) {
		char *nl = memchr(p, '\n', end - p);
		uint64_t s, e;

		if (!nl)
			break;
		sb_put(sb, p, nl + 1 - p);
		if (parse_range(p, nl, &s, &e)) {
			struct vma *v = tk->mm ? mm_find_vma(tk->mm, s) : NULL;
			smaps_body(sb, s, e, hm, nh, v && v->start <= s ? v->flags : 0);
		}
		p = nl + 1;
	}
	free(hm);
	free(host.buf);
	free(maps.buf);
	return 0;
}

/* smaps_rollup: one header over all the VMAs, then the host's sums for
 * the stub (which include the stub's own few pages). */
static int show_smaps_rollup(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	struct sbuf host = { 0 };
	struct list_head *first, *last;
	const char *body;
	int n;

	(void)c;
	if (!tk->mm || list_empty(&tk->mm->vmas))
		return 0;
	first = tk->mm->vmas.next;
	last = tk->mm->vmas.prev;
	n = snprintf(NULL, 0, "%08lx-%08lx ---p 00000000 00:00 0",
		     (unsigned long)list_entry(first, struct vma, link)->start,
		     (unsigned long)list_entry(last, struct vma, link)->end);
	sb_printf(sb, "%08lx-%08lx ---p 00000000 00:00 0%*s [rollup]\n",
		  (unsigned long)list_entry(first, struct vma, link)->start,
		  (unsigned long)list_entry(last, struct vma, link)->end, n < 72 ? 72 - n : 0, "");
	if (stub_proc_text(tk, "smaps_rollup", &host) == 0 && host.buf &&
	    (body = memchr(host.buf, '\n', host.len)) != NULL)
		sb_put(sb, body + 1, host.buf + host.len - body - 1);
	else
		sb_printf(sb, "Rss:                   0 kB\nPss:                   0 kB\n");
	free(host.buf);
	return 0;
}

static const struct pent attr_ents[] = {
	{ .name = "current", .kind = PK_FILE, .perm = 0666, .show = show_lsm_attr, .write = write_lsm_attr, .lazy = true },
	{ .name = "exec", .kind = PK_FILE, .perm = 0666, .show = show_lsm_attr, .write = write_lsm_attr, .lazy = true },
	{ .name = "fscreate", .kind = PK_FILE, .perm = 0666, .show = show_lsm_attr, .write = write_lsm_attr, .lazy = true },
	{ .name = "keycreate", .kind = PK_FILE, .perm = 0666, .show = show_lsm_attr, .write = write_lsm_attr, .lazy = true },
	{ .name = "prev", .kind = PK_FILE, .perm = 0444, .show = show_lsm_attr, .lazy = true },
	{ .name = "sockcreate", .kind = PK_FILE, .perm = 0666, .show = show_lsm_attr, .write = write_lsm_attr, .lazy = true },
	{ NULL },
};

/* /proc/vmstat: the host's, as /proc/meminfo is */
static int show_host_vmstat(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)tk, (void)c;
	return sb_host_file(sb, "/proc/vmstat");
}

/* /proc/swaps: the guest's swapon areas (mm/swapfile.c), not the host's */
static int show_swaps(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	char *text = swaps_text();

	(void)tk, (void)c;
	if (!text)
		return -ENOMEM;
	sb_printf(sb, "%s", text);
	free(text);
	return 0;
}

/* /proc/partitions (show_partition): the loop devices with a size and
 * their partitions; blocks of 1 KiB */
static int show_partitions(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	struct blk_info bi;

	(void)tk, (void)c;
	sb_printf(sb, "major minor  #blocks  name\n\n");
	for (int nr = 0; nr < loop_count(); nr++) {
		if (loop_blk_info(nr, &bi) || !bi.sectors)
			continue;
		sb_printf(sb, "%4u  %7u %10llu %s\n", bi.major, bi.minor,
			  (unsigned long long)bi.sectors >> 1, bi.name);
		for (int p = 0; p < bi.nparts; p++)
			sb_printf(sb, "%4u  %7u %10llu %s\n", bi.parts[p].major, bi.parts[p].minor,
				  (unsigned long long)bi.parts[p].sectors >> 1, bi.parts[p].name);
	}
	return 0;
}

/* One line of /proc/diskstats (diskstats_show). */
static void diskstats_line(struct sbuf *sb, unsigned int major, unsigned int minor, const char *name,
			   const struct blk_stats *s)
{
	sb_printf(sb, "%4u %7u %s %llu 0 %llu %llu %llu 0 %llu %llu 0 %llu %llu 0 0 0 0 %llu 0\n",
		  major, minor, name, (unsigned long long)s->ios[0], (unsigned long long)s->sectors[0],
		  (unsigned long long)s->ticks[0], (unsigned long long)s->ios[1],
		  (unsigned long long)s->sectors[1], (unsigned long long)s->ticks[1],
		  (unsigned long long)s->io_ticks, (unsigned long long)(s->ticks[0] + s->ticks[1]),
		  (unsigned long long)s->flush_ios);
}

/* /proc/diskstats: every loop device, and the partitions with a size */
static int show_diskstats(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	struct blk_info bi;

	(void)tk, (void)c;
	for (int nr = 0; nr < loop_count(); nr++) {
		if (loop_blk_info(nr, &bi))
			continue;
		diskstats_line(sb, bi.major, bi.minor, bi.name, &bi.stats);
		for (int p = 0; p < bi.nparts; p++)
			if (bi.parts[p].sectors)
				diskstats_line(sb, bi.parts[p].major, bi.parts[p].minor, bi.parts[p].name,
					       &bi.parts[p].stats);
	}
	return 0;
}


#define DIR_ENT(n, s, d, pr) { .name = n, .kind = PK_DIR, .perm = 0555, .sub = s, .dyn = d, .priv = pr }
#define FILE_ENT(n, fn) { .name = n, .kind = PK_FILE, .perm = 0444, .show = fn }
#define LINK_ENT(n, fn) { .name = n, .kind = PK_LINK, .perm = 0777, .show = fn }

static const struct pent empty_ents[] = { { NULL } };

/* /proc/pressure/{cpu,io,memory}: the host's stall figures (umk's tasks
 * are host threads: they stall on what the host's do), all zero where
 * the host has no PSI.  "some" and "full" lines as Linux's psi_show.
 * The directory is there only if the host's is (ent_hidden).
 * Trigger writes ("some 150000 1000000") are EOPNOTSUPP, what Linux
 * answers with PSI disabled: umk has no triggers to poll. */
static int show_pressure(const char *res, struct sbuf *sb)
{
	char path[64];
	size_t len = sb->len;

	snprintf(path, sizeof(path), "/proc/pressure/%s", res);
	if (sb_host_file(sb, path) == 0 && sb->len > len)
		return 0;
	sb->len = len;
	sb_printf(sb, "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
		  "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
	return 0;
}
#define PRESSURE(fn, res)                                                                   \
	static int fn##_show(struct task *tk, const struct pctx *c, struct sbuf *sb)       \
	{                                                                                  \
		(void)tk, (void)c;                                                         \
		return show_pressure(res, sb);                                             \
	}                                                                                  \
	static int fn##_write(struct task *tk, const struct pctx *c, const char *b, size_t n) \
	{                                                                                  \
		(void)tk, (void)c, (void)b, (void)n;                                       \
		return -EOPNOTSUPP;                                                        \
	}
PRESSURE(pressure_cpu, "cpu")
PRESSURE(pressure_io, "io")
PRESSURE(pressure_memory, "memory")
static const struct pent pressure_ents[] = {
	{ .name = "cpu", .kind = PK_FILE, .perm = 0666, .show = pressure_cpu_show, .write = pressure_cpu_write },
	{ .name = "io", .kind = PK_FILE, .perm = 0666, .show = pressure_io_show, .write = pressure_io_write },
	{ .name = "memory", .kind = PK_FILE, .perm = 0666, .show = pressure_memory_show,
	  .write = pressure_memory_write },
	{ NULL },
};

/* /proc/tty/drivers: the tty drivers umk has (tty/), in Linux's
 * show_tty_driver format; procps maps a process's tty_nr to a name with
 * it.  The virtual console and serial lines are listed as Linux lists
 * them even without the hardware. */
CONST_SHOW(show_tty_drivers,
	   "/dev/tty             /dev/tty        5       0 system:/dev/tty\n"
	   "/dev/console         /dev/console    5       1 system:console\n"
	   "/dev/ptmx            /dev/ptmx       5       2 system\n"
	   "/dev/vc/0            /dev/vc/0       4       0 system:vtmaster\n"
	   "serial               /dev/ttyS       4      64 serial\n"
	   "pty_slave            /dev/pts      136 0-1048575 pty:slave\n"
	   "pty_master           /dev/ptm      128 0-1048575 pty:master\n"
	   "unknown              /dev/tty        4 1-63 console\n")
CONST_SHOW(show_tty_ldiscs, "n_tty       0\n")
static const struct pent tty_ents[] = {
	FILE_ENT("drivers", show_tty_drivers),
	FILE_ENT("ldiscs", show_tty_ldiscs),
	{ NULL },
};

/* /proc/locks (locks.c), pids as the reader's pid namespace numbers them */
static int locks_pidnr(int tgid)
{
	struct task *t = task_find(tgid);
	struct pid_namespace *ns = current ? task_active_pid_ns(current) : &init_pid_ns;

	return t && t->pid ? pid_nr_ns(t->pid, ns) : 0;
}

static int show_locks(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	char *text;
	int err = locks_proc_show(locks_pidnr, &text);

	(void)tk, (void)c;
	if (err)
		return err;
	sb_put(sb, text, strlen(text));
	free(text);
	return 0;
}

/* /proc/slabinfo: the header of Linux's slab_show with no caches (umk
 * has no slab allocator to describe); vmstat -m and slabtop read it */
CONST_SHOW(show_slabinfo,
	   "slabinfo - version: 2.1\n"
	   "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>"
	   " : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs>"
	   " <num_slabs> <sharedavail>\n")

/* /proc/softirqs: the softirq counts per CPU, in Linux's show_softirqs
 * layout; 0 like /proc/stat's softirq line (umk's work runs in no
 * softirq) */
static int show_softirqs(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	static const char *const names[] = { "HI", "TIMER", "NET_TX", "NET_RX", "BLOCK",
					     "IRQ_POLL", "TASKLET", "SCHED", "HRTIMER", "RCU" };
	long n = sysconf(_SC_NPROCESSORS_CONF);

	(void)tk, (void)c;
	if (n < 1)
		n = 1;
	sb_printf(sb, "                    ");
	for (long i = 0; i < n; i++)
		sb_printf(sb, "CPU%-8ld", i);
	sb_printf(sb, "\n");
	for (size_t k = 0; k < ARRAY_SIZE(names); k++) {
		sb_printf(sb, "%12s:", names[k]);
		for (long i = 0; i < n; i++)
			sb_printf(sb, " %10u", 0u);
		sb_printf(sb, "\n");
	}
	return 0;
}

/*
 * /proc/interrupts in Linux's layout (show_interrupts, arch_show_interrupts):
 * the CPU header and the architecture's summary lines (NMI, LOC, RES...)
 * the host's kernel prints, every count 0, and no numbered lines: umk has
 * no devices that raise interrupts and takes none itself (its timers run
 * in threads), as lsirq and irqtop then show.
 */
static int show_interrupts(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	struct sbuf host = { 0 };
	char *line, *save;
	long n = sysconf(_SC_NPROCESSORS_CONF);

	(void)tk, (void)c;
	if (n < 1)
		n = 1;
	sb_printf(sb, "%11s", "");
	for (long i = 0; i < n; i++)
		sb_printf(sb, "CPU%-8ld", i);
	sb_printf(sb, "\n");
	if (sb_host_file(&host, "/proc/interrupts") == 0 && host.buf) {
		for (line = strtok_r(host.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char *p = line, *colon = strchr(line, ':');
			int counts = 0;

			while (*p == ' ')
				p++;
			if (!colon || p == colon || (*p >= '0' && *p <= '9'))
				continue;   /* the header, or a numbered (device) line */
			/* the counts after the label, then the description */
			for (p = colon + 1;;) {
				char *q = p;
				while (*q == ' ')
					q++;
				if (*q < '0' || *q > '9')
					break;
				while (*q >= '0' && *q <= '9')
					q++;
				counts++;
				p = q;
			}
			sb_printf(sb, "%.*s", (int)(colon + 1 - line), line);
			for (int i = 0; i < counts; i++)
				sb_printf(sb, " %10u", 0u);
			sb_printf(sb, "%s\n", p);
		}
	}
	free(host.buf);
	return 0;
}

/* /proc/execdomains: the one personality domain Linux still lists */
CONST_SHOW(show_execdomains, "0-0\tLinux           \t[kernel]\n")

/* /proc/cgroups: umk's controllers, all on the cgroup2 hierarchy (0),
 * each counting every cgroup (proc_cgroupstats_show). */
static int show_proc_cgroups(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	static const char *const names[] = { "cpu", "memory", "pids" };
	int n = cgroup_count();

	(void)tk, (void)c;
	sb_printf(sb, "#subsys_name\thierarchy\tnum_cgroups\tenabled\n");
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		sb_printf(sb, "%s\t0\t%d\t1\n", names[i], n);
	return 0;
}

/* a /proc/sys integer with its range (kernel/sysctl.c) */
#define CTL_ENT(n, var, lo, hi) { .name = n, .kind = PK_FILE, .perm = 0644, .show = show_ctl, \
				  .write = write_ctl, .ctl = &(var), .min = (lo), .max = (hi) }
#define RW_CTL_ENT(n, var, lo, hi, wr) { .name = n, .kind = PK_FILE, .perm = 0644, .show = show_ctl, \
					 .write = wr, .ctl = &(var), .min = (lo), .max = (hi) }
#define RW_ENT(n, sh, wr) { .name = n, .kind = PK_FILE, .perm = 0644, .show = sh, .write = wr }

/* A setting umk applies but cannot change (its value is how umk's
 * network, memory or task code works): writing back the value it shows
 * succeeds, as `sysctl -p` of a saved configuration does, any other
 * value is EINVAL rather than a setting kept and not honoured (as
 * randomize_va_space).  The numbers written are compared with the ones
 * shown, blanks between them free (or, for a word, the word). */
static int write_fixed(struct task *tk, const struct pctx *c, const char *buf, size_t n)
{
	struct sbuf cur = { 0 };
	uint64_t a[8], b[8];
	bool na[8], nb[8];
	int ga, gb, err;

	err = c->e->show(tk, c, &cur);
	if (!err && cur.oom)
		err = -ENOMEM;
	if (!err && sysctl_parse_vec(cur.buf, cur.len, 8, a, na, &ga)) {
		/* a word ("cubic"): the same word, blanks around it free */
		const char *w = buf, *cw = cur.buf;
		size_t wn = n, cn = cur.len;

		while (wn && isspace((unsigned char)*w))
			w++, wn--;
		while (wn && isspace((unsigned char)w[wn - 1]))
			wn--;
		while (cn && isspace((unsigned char)cw[cn - 1]))
			cn--;
		err = wn == cn && !memcmp(w, cw, cn) ? 0 : -EINVAL;
		free(cur.buf);
		return err;
	}
	free(cur.buf);
	if (err)
		return err;
	err = sysctl_parse_vec(buf, n, 8, b, nb, &gb);
	if (err)
		return err;
	if (ga != gb)
		return -EINVAL;
	for (int i = 0; i < ga; i++)
		if (a[i] != b[i] || (a[i] && na[i] != nb[i]))
			return -EINVAL;
	return 0;
}
#define FIXED_ENT(n, sh) { .name = n, .kind = PK_FILE, .perm = 0644, .show = sh, .write = write_fixed }

/* Settings Linux has that nothing in umk consults (writeback, lockup
 * detectors, printk rate limits, OOM reporting...): kept and read back,
 * with Linux's defaults and write ranges (kernel/sysctl.c, mm/), so
 * programs and `sysctl -p` that set them work. */
static long ks_dmesg_restrict, ks_kptr_restrict, ks_panic, ks_panic_on_oops, ks_panic_on_warn;
static long ks_writes_strict = 1, ks_printk_ratelimit = 5, ks_printk_ratelimit_burst = 10;
static long ks_max_lock_depth = 1024, ks_autogroup = 1, ks_numa_balancing, ks_task_delayacct;
static long ks_unpriv_bpf = 2, ks_core_pipe_limit, ks_hung_task_timeout = 120;
static long ks_perf_max_sample_rate = 100000, ks_perf_mlock_kb = 516, ks_perf_max_stack = 127;
static long ks_perf_cpu_time_max_percent = 25, ks_pty_max = 4096, ks_pty_reserve = 1024;
static long ks_urandom_min_reseed = 60, ks_write_wakeup_threshold = 256;
static long vs_dirty_background_ratio = 10, vs_dirty_ratio = 20, vs_dirty_background_bytes;
static long vs_dirty_bytes, vs_dirty_expire = 3000, vs_dirty_writeback = 500;
static long vs_dirtytime_expire = 43200, vs_admin_reserve = 8192, vs_user_reserve = 131072;
static long vs_panic_on_oom, vs_oom_kill_allocating, vs_oom_dump_tasks = 1, vs_page_cluster = 3;
static long vs_laptop_mode, vs_zone_reclaim_mode, vs_stat_interval = 1;
static long vs_watermark_scale_factor = 10, vs_extfrag_threshold = 500;
static long vs_compaction_proactiveness = 20, vs_compact_unevictable = 1;
static long vs_min_unmapped_ratio = 1, vs_min_slab_ratio = 5;
static long fs_suid_dumpable, fs_mount_max = 100000;

CONST_SHOW(show_arch, "x86_64\n")
CONST_SHOW(show_seccomp_actions,
	   "kill_process kill_thread trap errno user_notif trace log allow\n")
CONST_SHOW(show_seccomp_logged, "kill_process kill_thread trap errno user_notif trace log\n")

/* kernel.seccomp.actions_logged: only the set it has (umk logs no
 * seccomp actions, so none can be added or dropped) */
static int write_seccomp_logged(struct task *tk, const struct pctx *c, const char *buf, size_t n)
{
	static const char want[] = "kill_process kill_thread trap errno user_notif trace log";
	size_t wn = sizeof(want) - 1;

	(void)tk, (void)c;
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	return n == wn && !memcmp(buf, want, wn) ? 0 : -EINVAL;
}

/* kernel.pty.nr: the pseudo-terminals open now (tty/pty.c) */
static int show_pty_nr(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)tk, (void)c;
	sb_printf(sb, "%d\n", pty_count());
	return 0;
}

static const struct pent sys_kernel_pty_ents[] = {
	CTL_ENT("max", ks_pty_max, 0, 1048576),
	FILE_ENT("nr", show_pty_nr),
	CTL_ENT("reserve", ks_pty_reserve, 0, 1048576),
	{ NULL },
};

static const struct pent sys_kernel_seccomp_ents[] = {
	FILE_ENT("actions_avail", show_seccomp_actions),
	RW_ENT("actions_logged", show_seccomp_logged, write_seccomp_logged),
	{ NULL },
};

/* fs.dentry-state, inode-nr, inode-state: the host's counts (umk's files
 * are the host's), zeros where it has none */
static int show_host_or(const char *path, const char *dflt, struct sbuf *sb)
{
	size_t len = sb->len;

	if (sb_host_file(sb, path) == 0 && sb->len > len)
		return 0;
	sb->len = len;
	sb_printf(sb, "%s", dflt);
	return 0;
}
#define HOST_SHOW(fn, path, dflt) \
	static int fn(struct task *tk, const struct pctx *c, struct sbuf *sb) \
	{ (void)tk, (void)c; return show_host_or(path, dflt, sb); }
HOST_SHOW(show_dentry_state, "/proc/sys/fs/dentry-state", "0\t0\t45\t0\t0\t0\n")
HOST_SHOW(show_inode_nr, "/proc/sys/fs/inode-nr", "0\t0\n")
HOST_SHOW(show_inode_state, "/proc/sys/fs/inode-state", "0\t0\t0\t0\t0\t0\t0\n")

static const struct pent sys_kernel_yama_ents[] = {
	{ .name = "ptrace_scope", .kind = PK_FILE, .perm = 0644, .show = show_ctl,
	  .write = write_yama, .ctl = &sysctl_yama_ptrace_scope },
	{ NULL },
};

static const struct pent sys_kernel_random_ents[] = {
	FILE_ENT("boot_id", show_boot_id),
	FILE_ENT("uuid", show_uuid),
	FILE_ENT("entropy_avail", show_entropy),
	FILE_ENT("poolsize", show_entropy),
	CTL_ENT("urandom_min_reseed_secs", ks_urandom_min_reseed, 0, 0x7fffffff),
	CTL_ENT("write_wakeup_threshold", ks_write_wakeup_threshold, 0, 0x7fffffff),
	{ NULL },
};

static const struct pent sys_kernel_keys_ents[] = {
	EXT_ENT("gc_delay", keys_gc_delay, 0644),
	EXT_ENT("maxbytes", keys_maxbytes, 0644),
	EXT_ENT("maxkeys", keys_maxkeys, 0644),
	EXT_ENT("persistent_keyring_expiry", keys_persistent_expiry, 0644),
	EXT_ENT("root_maxbytes", keys_root_maxbytes, 0644),
	EXT_ENT("root_maxkeys", keys_root_maxkeys, 0644),
	{ NULL },
};

static const struct pent sys_kernel_ents[] = {
	EXT_ENT("shmmax", ipc_shmmax, 0644),
	EXT_ENT("shmall", ipc_shmall, 0644),
	EXT_ENT("shmmni", ipc_shmmni, 0644),
	EXT_ENT("shm_rmid_forced", ipc_shm_rmid_forced, 0644),
	EXT_ENT("sem", ipc_sem, 0644),
	EXT_ENT("msgmax", ipc_msgmax, 0644),
	EXT_ENT("msgmnb", ipc_msgmnb, 0644),
	EXT_ENT("msgmni", ipc_msgmni, 0644),
	EXT_ENT("shm_next_id", ipc_shm_next_id, 0644),
	EXT_ENT("msg_next_id", ipc_msg_next_id, 0644),
	EXT_ENT("sem_next_id", ipc_sem_next_id, 0644),
	{ .name = "hostname", .kind = PK_FILE, .perm = 0644, .show = show_hostname,
	  .write = write_hostname },
	{ .name = "domainname", .kind = PK_FILE, .perm = 0644, .show = show_domainname,
	  .write = write_domainname },
	FILE_ENT("osrelease", show_osrelease),
	FILE_ENT("ostype", show_ostype),
	FILE_ENT("version", show_kversion),
	RW_ENT("pid_max", show_pid_max, write_pid_max),
	/* 0666, as Linux's: the write checks the capability */
	{ .name = "ns_last_pid", .kind = PK_FILE, .perm = 0666, .show = show_ns_last_pid,
	  .write = write_ns_last_pid },
	FILE_ENT("ngroups_max", show_ngroups_max),
	{ .name = "threads-max", .kind = PK_FILE, .perm = 0644, .show = show_threads_max,
	  .write = write_ctl, .ctl = &sysctl_threads_max, .min = 20, .max = 0x3fffffff },
	FILE_ENT("cap_last_cap", show_cap_last_cap),
	CTL_ENT("overflowuid", sysctl_overflowuid, 0, 65535),
	CTL_ENT("overflowgid", sysctl_overflowgid, 0, 65535),
	RW_ENT("core_pattern", show_core_pattern, write_core_pattern),
	CTL_ENT("core_uses_pid", sysctl_core_uses_pid, 0, 1),
	CTL_ENT("randomize_va_space", sysctl_randomize_va_space, 0, 0),
	CTL_ENT("perf_event_paranoid", sysctl_perf_event_paranoid, -1, 4),
	RW_CTL_ENT("kptr_restrict", sysctl_kptr_restrict, 0, 2, write_ctl_sysadmin),
	CTL_ENT("io_uring_disabled", sysctl_io_uring_disabled, 0, 2),
	EXT_ENT("printk", kern_printk, 0644),
	EXT_ENT("sched_rr_timeslice_ms", sched_rr_timeslice, 0644),
	EXT_ENT("sched_rt_period_us", sched_rt_period, 0644),
	EXT_ENT("sched_rt_runtime_us", sched_rt_runtime, 0644),
	FIXED_ENT("tainted", show_tainted),
	FILE_ENT("arch", show_arch),
	CTL_ENT("ctrl-alt-del", sysctl_ctrl_alt_del, INT_MIN, INT_MAX),
	CTL_ENT("dmesg_restrict", ks_dmesg_restrict, 0, 1),
	CTL_ENT("kptr_restrict", ks_kptr_restrict, 0, 2),
	CTL_ENT("panic", ks_panic, INT_MIN, INT_MAX),
	CTL_ENT("panic_on_oops", ks_panic_on_oops, 0, 1),
	CTL_ENT("panic_on_warn", ks_panic_on_warn, 0, 1),
	CTL_ENT("sysctl_writes_strict", ks_writes_strict, -1, 1),
	CTL_ENT("printk_ratelimit", ks_printk_ratelimit, INT_MIN, INT_MAX),
	CTL_ENT("printk_ratelimit_burst", ks_printk_ratelimit_burst, INT_MIN, INT_MAX),
	CTL_ENT("max_lock_depth", ks_max_lock_depth, INT_MIN, INT_MAX),
	CTL_ENT("sched_autogroup_enabled", ks_autogroup, 0, 1),
	CTL_ENT("numa_balancing", ks_numa_balancing, 0, 3),
	CTL_ENT("task_delayacct", ks_task_delayacct, 0, 1),
	CTL_ENT("unprivileged_bpf_disabled", ks_unpriv_bpf, 0, 2),
	CTL_ENT("core_pipe_limit", ks_core_pipe_limit, 0, INT_MAX),
	CTL_ENT("hung_task_timeout_secs", ks_hung_task_timeout, 0, LONG_MAX / 1000),
	CTL_ENT("perf_event_max_sample_rate", ks_perf_max_sample_rate, 1, INT_MAX),
	CTL_ENT("perf_event_mlock_kb", ks_perf_mlock_kb, INT_MIN, INT_MAX),
	CTL_ENT("perf_event_max_stack", ks_perf_max_stack, 0, 255),
	CTL_ENT("perf_cpu_time_max_percent", ks_perf_cpu_time_max_percent, 0, 100),
	DIR_ENT("pty", sys_kernel_pty_ents, DYN_NONE, false),
	DIR_ENT("seccomp", sys_kernel_seccomp_ents, DYN_NONE, false),
	DIR_ENT("random", sys_kernel_random_ents, DYN_NONE, false),
	DIR_ENT("yama", sys_kernel_yama_ents, DYN_NONE, false),
	DIR_ENT("keys", sys_kernel_keys_ents, DYN_NONE, false),
	{ NULL },
};

/* vm.min_free_kbytes: kept and read back (umk has no page reserve to size;
 * LTP's tst_pollute_memory reads it) */
static long sysctl_min_free_kbytes = 67584;
/* vm.vfs_cache_pressure: kept and read back (umk's dentries are path
 * strings, nothing to reclaim); vm.drop_caches: write-only (0200, even
 * root cannot read it, as Linux's sysctl_perm), from 1 up: bit 1 drops
 * the clean page cache umk keeps for ext2/3/4 files (mm/pagecache.c;
 * the host keeps the rest), bit 2 the unused inodes (fs/evict.c) */
static long sysctl_vfs_cache_pressure = 100;
static long sysctl_drop_caches;

/* vm.compact_memory: a write-only trigger (1), with nothing for umk to
 * compact */
static long sysctl_compact_memory;

static int show_write_only(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	(void)tk, (void)c, (void)sb;
	return -EACCES;
}

/* vm.drop_caches: bit 1 drops the clean page cache umk keeps for
 * block-backed files (mm/pagecache.c), bit 2 evicts the unused inodes
 * (fs/evict.c: their evictable fanotify marks go) */
static int write_drop_caches(struct task *tk, const struct pctx *c, const char *buf, size_t n)
{
	int r = write_ctl(tk, c, buf, n);

	if (r >= 0 && (sysctl_drop_caches & 1))
		pcache_drop_caches();
	if (r >= 0 && (sysctl_drop_caches & 2))
		drop_inode_caches();
	return r;
}

/* vm.overcommit_memory, _ratio, _kbytes (mm/commit.c): writing the
 * ratio zeroes the kbytes and the other way round (Linux's
 * overcommit_ratio_handler, overcommit_kbytes_handler); strict mode
 * starts from a recount of every mm, which is counted as it goes from
 * then on. */
static int write_overcommit(struct task *tk, const struct pctx *c, const char *buf, size_t n)
{
	int r = write_ctl(tk, c, buf, n);

	if (r < 0)
		return r;
	if (c->e->ctl == &sysctl_overcommit_ratio)
		sysctl_overcommit_kbytes = 0;
	else if (c->e->ctl == &sysctl_overcommit_kbytes)
		sysctl_overcommit_ratio = 0;
	else if (sysctl_overcommit_memory == 2 && !vm_commit_limit)
		vm_commit_resync_all();
	return r;
}

static const struct pent sys_vm_ents[] = {
	{ .name = "compact_memory", .kind = PK_FILE, .perm = 0200, .show = show_write_only,
	  .write = write_ctl, .ctl = &sysctl_compact_memory, .min = 1, .max = 1 },
	EXT_ENT("nr_hugepages", hugetlb_nr, 0644),
	EXT_ENT("nr_hugepages_mempolicy", hugetlb_nr, 0644),
	EXT_ENT("nr_overcommit_hugepages", hugetlb_overcommit, 0644),
	CTL_ENT("min_free_kbytes", sysctl_min_free_kbytes, 0, 0x7fffffff),
	RW_CTL_ENT("overcommit_memory", sysctl_overcommit_memory, 0, 2, write_overcommit),
	RW_CTL_ENT("overcommit_ratio", sysctl_overcommit_ratio, 0, 0x7fffffff, write_overcommit),
	RW_CTL_ENT("overcommit_kbytes", sysctl_overcommit_kbytes, 0, LONG_MAX, write_overcommit),
	CTL_ENT("admin_reserve_kbytes", sysctl_admin_reserve_kbytes, 0, LONG_MAX),
	CTL_ENT("user_reserve_kbytes", sysctl_user_reserve_kbytes, 0, LONG_MAX),
	CTL_ENT("max_map_count", sysctl_max_map_count, 0, 0x7fffffff),
	CTL_ENT("swappiness", sysctl_swappiness, 0, 200),
	CTL_ENT("vfs_cache_pressure", sysctl_vfs_cache_pressure, 0, 0x7fffffff),
	{ .name = "drop_caches", .kind = PK_FILE, .perm = 0200, .show = show_ctl, .write = write_drop_caches,
	  .ctl = &sysctl_drop_caches, .min = 1, .max = 0x7fffffff },
	CTL_ENT("unprivileged_userfaultfd", sysctl_unprivileged_userfaultfd, 0, 1), /* mm/userfaultfd.c */
	FIXED_ENT("mmap_min_addr", show_mmap_min_addr),
	RW_ENT("memfd_noexec", show_memfd_noexec, write_memfd_noexec),
	CTL_ENT("dirty_background_ratio", vs_dirty_background_ratio, 0, 100),
	CTL_ENT("dirty_ratio", vs_dirty_ratio, 0, 100),
	CTL_ENT("dirty_background_bytes", vs_dirty_background_bytes, 0, LONG_MAX),
	CTL_ENT("dirty_bytes", vs_dirty_bytes, 0, LONG_MAX),
	CTL_ENT("dirty_expire_centisecs", vs_dirty_expire, 0, INT_MAX),
	CTL_ENT("dirty_writeback_centisecs", vs_dirty_writeback, 0, INT_MAX),
	CTL_ENT("dirtytime_expire_seconds", vs_dirtytime_expire, 0, INT_MAX),
	CTL_ENT("admin_reserve_kbytes", vs_admin_reserve, 0, LONG_MAX),
	CTL_ENT("user_reserve_kbytes", vs_user_reserve, 0, LONG_MAX),
	CTL_ENT("panic_on_oom", vs_panic_on_oom, 0, 2),
	CTL_ENT("oom_kill_allocating_task", vs_oom_kill_allocating, INT_MIN, INT_MAX),
	CTL_ENT("oom_dump_tasks", vs_oom_dump_tasks, INT_MIN, INT_MAX),
	CTL_ENT("page-cluster", vs_page_cluster, 0, 31),
	CTL_ENT("laptop_mode", vs_laptop_mode, INT_MIN, INT_MAX),
	CTL_ENT("zone_reclaim_mode", vs_zone_reclaim_mode, 0, INT_MAX),
	CTL_ENT("stat_interval", vs_stat_interval, INT_MIN, INT_MAX),
	CTL_ENT("watermark_scale_factor", vs_watermark_scale_factor, 1, 3000),
	CTL_ENT("extfrag_threshold", vs_extfrag_threshold, 0, 1000),
	CTL_ENT("compaction_proactiveness", vs_compaction_proactiveness, 0, 100),
	CTL_ENT("compact_unevictable_allowed", vs_compact_unevictable, 0, 1),
	CTL_ENT("min_unmapped_ratio", vs_min_unmapped_ratio, 0, 100),
	CTL_ENT("min_slab_ratio", vs_min_slab_ratio, 0, 100),
	{ NULL },
};

static const struct pent sys_fs_mqueue_ents[] = {
	EXT_ENT("msg_default", mq_msg_default, 0644),
	EXT_ENT("msg_max", mq_msg_max, 0644),
	EXT_ENT("msgsize_default", mq_msgsize_default, 0644),
	EXT_ENT("msgsize_max", mq_msgsize_max, 0644),
	EXT_ENT("queues_max", mq_queues_max, 0644),
	{ NULL },
};

static const struct pent sys_fs_fanotify_ents[] = {
	EXT_ENT("max_queued_events", fan_max_queued_events, 0644),
	EXT_ENT("max_user_groups", fan_max_user_groups, 0644),
	EXT_ENT("max_user_marks", fan_max_user_marks, 0644),
	{ NULL },
};

static const struct pent sys_fs_inotify_ents[] = {
	EXT_ENT("max_queued_events", in_max_queued_events, 0644),
	EXT_ENT("max_user_instances", in_max_user_instances, 0644),
	EXT_ENT("max_user_watches", in_max_user_watches, 0644),
	{ NULL },
};

static const struct pent sysvipc_ents[] = {
	FILE_ENT("msg", proc_sysvipc_msg_show),
	FILE_ENT("sem", proc_sysvipc_sem_show),
	FILE_ENT("shm", proc_sysvipc_shm_show),
	{ NULL },
};

static const struct pent sys_fs_ents[] = {
	DIR_ENT("fanotify", sys_fs_fanotify_ents, DYN_NONE, false),
	DIR_ENT("inotify", sys_fs_inotify_ents, DYN_NONE, false),
	DIR_ENT("mqueue", sys_fs_mqueue_ents, DYN_NONE, false),
	CTL_ENT("nr_open", sysctl_nr_open, 64, 2147483584),
	CTL_ENT("file-max", sysctl_file_max, 0, LONG_MAX),
	CTL_ENT("dir-notify-enable", sysctl_dir_notify_enable, 0, 1),
	CTL_ENT("lease-break-time", lease_break_time, 0, 0x7fffffff),
	CTL_ENT("leases-enable", sysctl_leases_enable, 0, 1),
	FILE_ENT("file-nr", show_file_nr),
	CTL_ENT("aio-max-nr", sysctl_aio_max_nr, 0, LONG_MAX),
	FILE_ENT("aio-nr", show_aio_nr),
	RW_ENT("pipe-max-size", show_pipe_max_size, write_pipe_max_size),
	CTL_ENT("pipe-user-pages-soft", sysctl_pipe_user_pages_soft, 0, LONG_MAX),
	CTL_ENT("pipe-user-pages-hard", sysctl_pipe_user_pages_hard, 0, LONG_MAX),
	CTL_ENT("protected_symlinks", sysctl_protected_symlinks, 0, 1),
	CTL_ENT("protected_hardlinks", sysctl_protected_hardlinks, 0, 1),
	CTL_ENT("protected_fifos", sysctl_protected_fifos, 0, 2),
	CTL_ENT("protected_regular", sysctl_protected_regular, 0, 2),
	CTL_ENT("suid_dumpable", fs_suid_dumpable, 0, 2),
	CTL_ENT("mount-max", fs_mount_max, 1, INT_MAX),
	CTL_ENT("overflowuid", sysctl_overflowuid, 0, 65535),
	CTL_ENT("overflowgid", sysctl_overflowgid, 0, 65535),
	FILE_ENT("dentry-state", show_dentry_state),
	FILE_ENT("inode-nr", show_inode_nr),
	FILE_ENT("inode-state", show_inode_state),
	{ NULL },
};

static const struct pent sys_user_ents[] = {
	CTL_ENT("max_user_namespaces", sysctl_max_user_namespaces, 0, 0x7fffffff),
	CTL_ENT("max_pid_namespaces", sysctl_max_ns, 0, 0x7fffffff),
	CTL_ENT("max_uts_namespaces", sysctl_max_ns, 0, 0x7fffffff),
	CTL_ENT("max_ipc_namespaces", sysctl_max_ns, 0, 0x7fffffff),
	CTL_ENT("max_mnt_namespaces", sysctl_max_ns, 0, 0x7fffffff),
	CTL_ENT("max_net_namespaces", sysctl_max_ns, 0, 0x7fffffff),
	CTL_ENT("max_cgroup_namespaces", sysctl_max_ns, 0, 0x7fffffff),
	CTL_ENT("max_time_namespaces", sysctl_max_ns, 0, 0x7fffffff),
	/* the initial user namespace's inotify and fanotify limits, which
	 * fs.inotify and fs.fanotify also set (as Linux's ucount_max) */
	EXT_ENT("max_inotify_instances", in_max_user_instances, 0644),
	EXT_ENT("max_inotify_watches", in_max_user_watches, 0644),
	EXT_ENT("max_fanotify_groups", fan_max_user_groups, 0644),
	EXT_ENT("max_fanotify_marks", fan_max_user_marks, 0644),
	{ NULL },
};

static const struct pent net_ents[] = {
	FILE_ENT("dev", show_net_dev),
	FILE_ENT("if_inet6", show_net_if_inet6),
	/* iptables (net/netfilter.c): root-only, as Linux's 0440 */
	{ .name = "ip_tables_matches", .kind = PK_FILE, .perm = 0440, .show = show_net_ipt_matches },
	{ .name = "ip_tables_names", .kind = PK_FILE, .perm = 0440, .show = show_net_ipt_names },
	{ .name = "ip_tables_targets", .kind = PK_FILE, .perm = 0440, .show = show_net_ipt_targets },
	FILE_ENT("raw", show_net_raw),
	FILE_ENT("raw6", show_net_raw6),
	FILE_ENT("route", show_net_route),
	FILE_ENT("snmp", show_net_snmp),
	FILE_ENT("sockstat", show_net_sockstat),
	FILE_ENT("sockstat6", show_net_sockstat6),
	FILE_ENT("tcp", show_net_tcp),
	FILE_ENT("tcp6", show_net_tcp6),
	FILE_ENT("udp", show_net_udp),
	FILE_ENT("udp6", show_net_udp6),
	FILE_ENT("udplite", show_net_udplite),
	FILE_ENT("udplite6", show_net_udplite6),
	FILE_ENT("unix", show_net_unix),
	FILE_ENT("psched", show_net_psched),
	FILE_ENT("netstat", show_net_netstat),
	FILE_ENT("snmp6", show_net_snmp6),
	FILE_ENT("arp", show_net_arp),
	FILE_ENT("dev_mcast", show_net_dev_mcast),
	{ NULL },
};

/* /proc/sys/net: the read-only settings programs look at (Go reads
 * somaxconn for listen's backlog), as umk's network applies them. */
CONST_SHOW(show_mem_default, "212992\n")
CONST_SHOW(show_port_range, "32768\t60999\n")
CONST_SHOW(show_tcp_rmem, "4096\t131072\t6291456\n")
CONST_SHOW(show_tcp_wmem, "4096\t16384\t4194304\n")
CONST_SHOW(show_zero_nl_net, "0\n")
/* the privileged port bound (net/inet.c: under 1024 needs root), TCP
 * keepalive defaults (net/inet.c's TCP_KEEPIDLE/KEEPINTVL/KEEPCNT) and
 * the unix datagram queue (net/unix.c) */
CONST_SHOW(show_port_1024, "1024\n")
CONST_SHOW(show_keepalive_time, "7200\n")
CONST_SHOW(show_keepalive_intvl, "75\n")
CONST_SHOW(show_keepalive_probes, "9\n")
CONST_SHOW(show_max_dgram_qlen, "10\n")
/* IP_TTL's default, and the congestion controls TCP_CONGESTION takes
 * (net/inet.c: cubic unless a socket asks for reno) */
CONST_SHOW(show_default_ttl, "64\n")
CONST_SHOW(show_tcp_cc, "cubic\n")
CONST_SHOW(show_tcp_cc_list, "reno cubic\n")
static const struct pent sys_net_core_ents[] = {
	CTL_ENT("somaxconn", sysctl_somaxconn, 0, 0x7fffffff),
	FIXED_ENT("rmem_default", show_mem_default),
	FIXED_ENT("rmem_max", show_mem_default),
	FIXED_ENT("wmem_default", show_mem_default),
	FIXED_ENT("wmem_max", show_mem_default),
	{ NULL },
};
/* /proc/sys/net/ipv4/conf/DEV/tag: per network namespace (net/netdev.c) */
#define CONF_TAG(fn, dev)                                                           \
	static int fn##_show(struct task *tk, const struct pctx *c, struct sbuf *sb) \
	{                                                                           \
		int *v = netdev_conf_tag(dev);                                      \
		(void)tk, (void)c;                                                  \
		if (!v)                                                             \
			return -ENOMEM;                                             \
		sb_printf(sb, "%d\n", *v);                                          \
		return 0;                                                           \
	}                                                                           \
	static int fn##_write(struct task *tk, const struct pctx *c, const char *buf, size_t n) \
	{                                                                           \
		int *v = netdev_conf_tag(dev);                                      \
		long l;                                                             \
		int err = sysctl_parse_long(buf, n, INT_MIN, INT_MAX, &l);          \
		(void)tk, (void)c;                                                  \
		if (!v)                                                             \
			return -ENOMEM;                                             \
		if (!err)                                                           \
			*v = (int)l;                                                \
		return err;                                                         \
	}
CONF_TAG(conf_all_tag, 0)
CONF_TAG(conf_default_tag, 1)
CONF_TAG(conf_lo_tag, 2)
static const struct pent sys_net_conf_all_ents[] = { EXT_ENT("tag", conf_all_tag, 0644), { NULL } };
static const struct pent sys_net_conf_default_ents[] = {
	EXT_ENT("tag", conf_default_tag, 0644), { NULL } };
static const struct pent sys_net_conf_lo_ents[] = { EXT_ENT("tag", conf_lo_tag, 0644), { NULL } };
static const struct pent sys_net_conf_ents[] = {
	DIR_ENT("all", sys_net_conf_all_ents, DYN_NONE, false),
	DIR_ENT("default", sys_net_conf_default_ents, DYN_NONE, false),
	DIR_ENT("lo", sys_net_conf_lo_ents, DYN_NONE, false),
	{ NULL },
};
/* /proc/sys/net/ipv4/ping_group_range: "LO\tHI" of the caller's network
 * namespace (ipv4_ping_group_range): a write takes two gids, an empty
 * range (LO > HI) allowed, -EINVAL for a gid out of range. */
static int ping_range_show(struct task *tk, const struct pctx *c, struct sbuf *sb)
{
	int *r = netdev_ping_group_range();

	(void)tk, (void)c;
	if (!r)
		return -ENOMEM;
	sb_printf(sb, "%d\t%d\n", r[0], r[1]);
	return 0;
}
static int ping_range_write(struct task *tk, const struct pctx *c, const char *buf, size_t n)
{
	int *r = netdev_ping_group_range();
	char tmp[64];
	long lo, hi;
	char *e;

	(void)tk, (void)c;
	if (!r)
		return -ENOMEM;
	if (n >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, buf, n);
	tmp[n] = 0;
	lo = strtol(tmp, &e, 10);
	if (e == tmp)
		return -EINVAL;
	hi = strtol(e, &e, 10);
	while (*e == ' ' || *e == '\t' || *e == '\n')
		e++;
	if (*e || lo < 0 || hi < 0 || lo > 0x7fffffffL || hi > 0x7fffffffL)
		return -EINVAL;
	r[0] = (int)lo;
	r[1] = (int)hi;
	return 0;
}

static const struct pent sys_net_ipv4_ents[] = {
	DIR_ENT("conf", sys_net_conf_ents, DYN_NONE, false),
	FIXED_ENT("ip_local_port_range", show_port_range),
	RW_ENT("ping_group_range", ping_range_show, ping_range_write),
	FIXED_ENT("tcp_rmem", show_tcp_rmem),
	FIXED_ENT("tcp_wmem", show_tcp_wmem),
	FIXED_ENT("ip_forward", show_zero_nl_net),
	FIXED_ENT("ip_unprivileged_port_start", show_port_1024),
	FIXED_ENT("tcp_keepalive_time", show_keepalive_time),
	FIXED_ENT("tcp_keepalive_intvl", show_keepalive_intvl),
	FIXED_ENT("tcp_keepalive_probes", show_keepalive_probes),
	FIXED_ENT("ip_default_ttl", show_default_ttl),
	FIXED_ENT("tcp_congestion_control", show_tcp_cc),
	FILE_ENT("tcp_available_congestion_control", show_tcp_cc_list),
	FIXED_ENT("tcp_allowed_congestion_control", show_tcp_cc_list),
	{ NULL },
};
/* net.ipv6.conf.{all,default,lo}.disable_ipv6: IPv6 is always on */
static const struct pent sys_net_ipv6_conf_dev_ents[] = {
	FIXED_ENT("disable_ipv6", show_zero_nl_net),
	{ NULL },
};
static const struct pent sys_net_ipv6_conf_ents[] = {
	DIR_ENT("all", sys_net_ipv6_conf_dev_ents, DYN_NONE, false),
	DIR_ENT("default", sys_net_ipv6_conf_dev_ents, DYN_NONE, false),
	DIR_ENT("lo", sys_net_ipv6_conf_dev_ents, DYN_NONE, false),
	{ NULL },
};
static const struct pent sys_net_ipv6_ents[] = {
	FIXED_ENT("bindv6only", show_zero_nl_net),
	DIR_ENT("conf", sys_net_ipv6_conf_ents, DYN_NONE, false),
	{ NULL },
};
static const struct pent sys_net_unix_ents[] = {
	FIXED_ENT("max_dgram_qlen", show_max_dgram_qlen),
	{ NULL },
};
static const struct pent sys_net_ents[] = {
	DIR_ENT("unix", sys_net_unix_ents, DYN_NONE, false),
	DIR_ENT("core", sys_net_core_ents, DYN_NONE, false),
	DIR_ENT("ipv4", sys_net_ipv4_ents, DYN_NONE, false),
	DIR_ENT("ipv6", sys_net_ipv6_ents, DYN_NONE, false),
	{ NULL },
};

/* dev.tty: TIOCSTI's gate (tty/pty.c); line disciplines are never
 * loaded (umk has N_TTY only, TIOCSETD of another is EINVAL either way) */
static long dev_ldisc_autoload = 1;
static const struct pent sys_dev_tty_ents[] = {
	CTL_ENT("legacy_tiocsti", sysctl_legacy_tiocsti, 0, 1),
	CTL_ENT("ldisc_autoload", dev_ldisc_autoload, 0, 1),
	{ NULL },
};
static const struct pent sys_dev_ents[] = {
	DIR_ENT("tty", sys_dev_tty_ents, DYN_NONE, false),
	{ NULL },
};

static const struct pent sys_ents[] = {
	DIR_ENT("dev", sys_dev_ents, DYN_NONE, false),
	DIR_ENT("kernel", sys_kernel_ents, DYN_NONE, false),
	DIR_ENT("vm", sys_vm_ents, DYN_NONE, false),
	DIR_ENT("fs", sys_fs_ents, DYN_NONE, false),
	DIR_ENT("net", sys_net_ents, DYN_NONE, false),
	DIR_ENT("user", sys_user_ents, DYN_NONE, false),
	{ NULL },
};

static const struct pent root_ents[] = {
	LINK_ENT("self", show_self),
	LINK_ENT("thread-self", show_thread_self),
	LINK_ENT("mounts", show_mounts_link),
	LINK_ENT("net", show_net_link),
	FILE_ENT("meminfo", show_host_meminfo),
	FILE_ENT("vmstat", show_host_vmstat),
	FILE_ENT("swaps", show_swaps),
	FILE_ENT("partitions", show_partitions),
	FILE_ENT("diskstats", show_diskstats),
	FILE_ENT("cpuinfo", show_host_cpuinfo),
	FILE_ENT("stat", show_stat),
	FILE_ENT("uptime", show_uptime),
	FILE_ENT("loadavg", show_loadavg),
	FILE_ENT("filesystems", show_filesystems),
	FILE_ENT("devices", show_devices),
	FILE_ENT("version", show_version),
	FILE_ENT("cmdline", show_kcmdline),
	FILE_ENT("config.gz", show_config_gz),
	{ .name = "kallsyms", .kind = PK_FILE, .perm = 0444, .show = show_kallsyms, .opener_view = true },
	FILE_ENT("execdomains", show_execdomains),
	FILE_ENT("interrupts", show_interrupts),
	FILE_ENT("locks", show_locks),
	FILE_ENT("softirqs", show_softirqs),
	{ .name = "slabinfo", .kind = PK_FILE, .perm = 0400, .show = show_slabinfo },
	FILE_ENT("cgroups", show_proc_cgroups),
	DIR_ENT("pressure", pressure_ents, DYN_NONE, false),
	DIR_ENT("tty", tty_ents, DYN_NONE, false),
	{ .name = "kpageflags", .kind = PK_FILE, .perm = 0400 }, /* proc_kpageflags_open */
	EXT_ENT("keys", keys_keys, 0444),
	EXT_ENT("key-users", keys_key_users, 0444),
	/* present as on Linux (bwrap binds them read-only), with no devices */
	DIR_ENT("bus", empty_ents, DYN_NONE, false),
	DIR_ENT("irq", empty_ents, DYN_NONE, false),
	DIR_ENT("sys", sys_ents, DYN_NONE, false),
	DIR_ENT("sysvipc", sysvipc_ents, DYN_NONE, false),
	{ NULL },
};

#define NS_ENT(n, type) { .name = n, .kind = PK_LINK, .perm = 0777, .show = show_ns_link, \
			  .priv = true, .nstype = (type) + 1 }
static const struct pent ns_ents[] = {
	NS_ENT("cgroup", NS_CGROUP),
	NS_ENT("ipc", NS_IPC),
	NS_ENT("mnt", NS_MNT),
	NS_ENT("net", NS_NET),
	NS_ENT("pid", NS_PID),
	NS_ENT("pid_for_children", NS_PID_FOR_CHILDREN),
	NS_ENT("time", NS_TIME),
	NS_ENT("time_for_children", NS_TIME_FOR_CHILDREN),
	NS_ENT("user", NS_USER),
	NS_ENT("uts", NS_UTS),
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
	{ .name = "auxv", .kind = PK_FILE, .perm = 0400, .show = show_auxv, .priv = true },
	{ .name = "mem", .kind = PK_FILE, .perm = 0600, .priv = true },   /* proc_mem_open */
	{ .name = "pagemap", .kind = PK_FILE, .perm = 0400, .priv = true }, /* proc_pagemap_open */
	FILE_ENT("mounts", show_mounts),
	FILE_ENT("mountinfo", show_mountinfo),
	DIR_ENT("net", net_ents, DYN_NONE, false),
	FILE_ENT("limits", show_limits),
	FILE_ENT("cgroup", show_cgroup),
	FILE_ENT("cpuset", show_cpuset),
	FILE_ENT("schedstat", show_schedstat),
	FILE_ENT("children", show_children),
	FILE_ENT("timers", show_timers),
	RW_ENT("autogroup", show_autogroup, write_autogroup),
	{ .name = "syscall", .kind = PK_FILE, .perm = 0400, .show = show_syscall, .priv = true },
	FILE_ENT("arch_status", show_stub_mirror),
	{ .name = "ksm_stat", .kind = PK_FILE, .perm = 0400, .show = show_stub_mirror, .priv = true },
	{ .name = "ksm_merging_pages", .kind = PK_FILE, .perm = 0400, .show = show_stub_mirror,
	  .priv = true },
	{ .name = "clear_refs", .kind = PK_FILE, .perm = 0200, .show = show_no_read,
	  .write = write_clear_refs, .lazy = true },
	{ .name = "mountstats", .kind = PK_FILE, .perm = 0400, .show = show_mountstats },
	RW_ENT("oom_score_adj", show_oom_score_adj, write_oom_score_adj),
	RW_ENT("oom_adj", show_oom_adj, write_oom_adj),
	FILE_ENT("oom_score", show_oom_score),
	FILE_ENT("wchan", show_wchan),
	RW_ENT("loginuid", show_loginuid, write_loginuid),
	FILE_ENT("sessionid", show_sessionid),
	RW_ENT("timens_offsets", show_timens_offsets, write_timens_offsets),
	{ .name = "timerslack_ns", .kind = PK_FILE, .perm = 0666, .show = show_timerslack, .write = write_timerslack },
	RW_ENT("coredump_filter", show_coredump_filter, write_coredump_filter),
	{ .name = "personality", .kind = PK_FILE, .perm = 0400, .show = show_personality, .priv = true },
	{ .name = "io", .kind = PK_FILE, .perm = 0400, .show = show_io, .priv = true },
	{ .name = "smaps", .kind = PK_FILE, .perm = 0444, .show = show_smaps, .priv = true },
	{ .name = "smaps_rollup", .kind = PK_FILE, .perm = 0444, .show = show_smaps_rollup, .priv = true },
	DIR_ENT("attr", attr_ents, DYN_NONE, false),
	{ .name = "cwd", .kind = PK_LINK, .perm = 0777, .show = show_cwd, .priv = true },
	{ .name = "root", .kind = PK_LINK, .perm = 0777, .show = show_root, .priv = true },
	{ .name = "exe", .kind = PK_LINK, .perm = 0777, .show = show_exe, .priv = true },
	{ .name = "fd", .kind = PK_DIR, .perm = 0500, .dyn = DYN_FDS, .priv = true },
	{ .name = "fdinfo", .kind = PK_DIR, .perm = 0555, .dyn = DYN_FDINFO, .priv = true },
	{ .name = "task", .kind = PK_DIR, .perm = 0555, .dyn = DYN_TASKS },
	{ .name = "ns", .kind = PK_DIR, .perm = 0511, .sub = ns_ents, .priv = true },
	RW_ENT("uid_map", show_uid_map, write_uid_map),
	RW_ENT("gid_map", show_gid_map, write_gid_map),
	RW_ENT("setgroups", show_setgroups, write_setgroups),
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
	struct pid *pid;

	if (n < 0)
		return NULL;
	switch (dyn) {
	case DYN_PIDS:
		/* a number of the mount's pid namespace (threads too, unlisted) */
		pid = n ? find_pid_ns(n, c->ns) : NULL;
		if (!pid || !pid->task)
			return NULL;
		c->tid = pid->task->tid;
		c->thread = false;
		return &pid_dir_ent;
	case DYN_TASKS:
		owner = task_find(c->tid);
		pid = find_pid_ns(n, c->ns);
		tk = pid ? pid->task : NULL;
		if (!owner || !tk || tk->tg != owner->tg)
			return NULL;
		c->tid = tk->tid;
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

/* Entries one view lacks: PID/task/TID has no task, mountstats,
 * coredump_filter, timens_offsets, timerslack_ns (process-wide in
 * Linux's tgid_base_stuff only), and PID has no children (per thread,
 * tid_base_stuff only). */
static bool ent_hidden(const struct pent *e, const struct pctx *c)
{
	static const char *const tgid_only[] = { "task", "mountstats", "coredump_filter",
						 "timens_offsets", "timerslack_ns", "timers", "autogroup" };

	/* /proc/pressure only where the host kernel has PSI on (the files
	 * show its figures), as Linux creates it only then */
	if (!c->tid && !strcmp(e->name, "pressure") && e->sub == pressure_ents)
		return access("/proc/pressure", F_OK) != 0;
	if (!c->tid)
		return false;
	/* files the host kernel has only with a feature (KSM, AVX-512) */
	if (e->show == show_stub_mirror) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/self/%s", e->name);
		return access(path, F_OK) != 0;
	}
	if (!c->thread)
		return !strcmp(e->name, "children");
	for (size_t i = 0; i < ARRAY_SIZE(tgid_only); i++)
		if (!strcmp(e->name, tgid_only[i]))
			return true;
	return false;
}

/* Resolves rel; -ENOENT, -ENOTDIR, -EACCES (another user's fd directory). */
static int proc_resolve(struct mount *m, const char *rel, struct pnode *out)
{
	const struct pent *e = &root_ent, *next;
	struct pctx c = { .tid = 0, .thread = false, .fd = -1,
			  .ns = m && m->priv ? m->priv : &init_pid_ns };
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
	out->c.e = e;
	if (e->opener_view)   /* decided by who opens it (kernel/kallsyms.c) */
		out->c.opener_show = kallsyms_show_value(current);
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
	/* a task's entries are new inodes for each new task (Linux gives
	 * each its own): a pid used again does not show the old numbers */
	if (tk)
		st->ino = ((st->ino ^ (tk->start_time_ns * 0x9e3779b97f4a7c15ULL >> 33)) & 0x7fffffff) | 0x100;
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
		wall = boot_wall_sec() + ((int64_t)tk->start_time_ns - boot_mono_ns()) / 1000000000LL;
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
	struct pid *pid;              /* a /proc/PID directory: its process, held */
	/* mounts and mountinfo: the namespace shown (held) and the change
	 * last reported by poll (Linux's mounts_poll) */
	struct mnt_namespace *mnt_ns;
	unsigned int poll_seq;
};

static void pfile_release(struct file *f)
{
	struct pfile *pf = f->priv;

	if (!pf)
		return;
	free(pf->text.buf);
	free(pf->rel);
	if (pf->pid)
		put_pid(pf->pid);
	if (pf->mnt_ns)
		put_mnt_ns(pf->mnt_ns);
	free(pf);
	f->priv = NULL;
}

/* poll(2) of a proc file: always readable; a mounts file also reports
 * POLLERR|POLLPRI once after each change to its namespace's mounts. */
static short pfile_poll(struct file *f, struct poll_table *pt)
{
	struct pfile *pf = f->priv;
	short res;

	if (!pf || !pf->mnt_ns)
		return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
	poll_wait(pt, &pf->mnt_ns->poll);
	res = POLLIN | POLLRDNORM;
	if (pf->poll_seq != pf->mnt_ns->seq) {
		pf->poll_seq = pf->mnt_ns->seq;
		res |= POLLERR | POLLPRI;
	}
	return res;
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

/* The /proc/sys files whose value is a string (proc_dostring's). */
static bool sysctl_is_string(const struct pent *e)
{
	return e->write == write_hostname || e->write == write_domainname ||
	       e->write == write_core_pattern || e->write == write_seccomp_logged ||
	       !strcmp(e->name, "tcp_congestion_control") ||
	       !strcmp(e->name, "tcp_allowed_congestion_control");
}

/*
 * A write to a /proc/sys file past its start (a second write(2) on one
 * open file, or pwrite), as Linux's sysctl_writes_strict has it: at 1
 * (the default) a number's write there is ignored, yet counted as done
 * (proc_first_pos_non_zero_ignore); a string's goes on from that offset
 * of the value (_proc_do_string); at 0 or -1 a number is parsed anew.
 */
static ssize_t sysctl_write_at(struct pfile *pf, struct task *tk, const char *buf, size_t n,
			       int64_t *pos)
{
	int err = 0;

	if (sysctl_is_string(pf->nd.e)) {
		struct sbuf cur = { 0 };

		err = pf->nd.e->show(tk, &pf->nd.c, &cur);
		if (!err && cur.len && cur.buf[cur.len - 1] == '\n')
			cur.len--;
		if (!err && (uint64_t)*pos < cur.len)
			cur.len = (size_t)*pos;
		if (!err)
			sb_put(&cur, buf, n);
		if (!err && cur.oom)
			err = -ENOMEM;
		if (!err)
			err = pf->nd.e->write(tk, &pf->nd.c, cur.buf, cur.len);
		free(cur.buf);
	} else if (ks_writes_strict != 1) {
		err = pf->nd.e->write(tk, &pf->nd.c, buf, n);
	}
	if (err)
		return err;
	*pos += n;
	return n;
}

static ssize_t pfile_write(struct task *t, struct file *f, const void *buf, size_t n, int64_t *pos)
{
	struct pfile *pf = f->priv;
	struct task *tk;
	int err;

	(void)t;
	/* no write op: a process's files are seq_files (EINVAL from
	 * vfs_write), the others proc_ops without proc_write (EIO) */
	if (!pf->nd.e->write)
		return pf->nd.c.tid ? -EINVAL : -EIO;
	err = node_task(&pf->nd, &tk);
	if (err)
		return err;
	if (*pos > 0 && pf->rel && !strncmp(pf->rel, "sys/", 4))
		return sysctl_write_at(pf, tk, buf, n, pos);
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
			if (!vnr(&pf->nd.c, o->tid))
				continue;   /* not in the mount's pid namespace */
			snprintf(num, sizeof(num), "%d", vnr(&pf->nd.c, o->tid));
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

/* ioctl on a proc file: PROCMAP_QUERY on maps (mm/procmap_query.c) */
static long pfile_ioctl(struct task *t, struct file *f, unsigned int cmd, uint64_t arg)
{
	struct pfile *pf = f->priv;
	struct task *tk;

	if (cmd != 0xc0686611U /* PROCMAP_QUERY */ || !pf || strcmp(pf->nd.e->name, "maps"))
		return -ENOTTY;
	if (node_task(&pf->nd, &tk))
		return -ESRCH;
	return procmap_query(t, task_alive(tk) ? tk->mm : NULL, arg);
}

/* ftruncate of an open /proc file: Linux's proc_setattr (and
 * proc_sys_setattr) take ATTR_SIZE and change nothing, so it succeeds and
 * the file reads as before.  pam_loginuid truncates /proc/self/loginuid
 * before writing it and fails the session (sshd: exit 254) on an error. */
static int pfile_truncate(struct file *f, uint64_t len)
{
	(void)f, (void)len;
	return 0;
}

static const struct file_ops proc_file_ops = {
	.truncate = pfile_truncate,
	.ioctl = pfile_ioctl,
	.read = pfile_read,
	.write = pfile_write,
	.poll = pfile_poll,
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

bool procfs_file_pollable(struct file *f)
{
	return f->ops == &proc_file_ops && f->priv && ((struct pfile *)f->priv)->mnt_ns;
}

/* ---- fs_ops ---- */

static int proc_lookup(struct mount *m, const char *rel, struct kstat *st)
{
	struct pnode nd;
	int err = proc_resolve(m, rel, &nd);

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
	err = proc_resolve(m, rel, &nd);
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
	err = proc_resolve(m, rel, &nd);
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
	/* sysctl_perm: even root gets only the owner's bits of a /proc/sys
	 * file (vm.drop_caches, 0200, is write-only) */
	if (nd.e->kind == PK_FILE && !strncmp(rel, "sys/", 4) &&
	    ((acc != O_WRONLY && !(nd.e->perm & 0400)) || (acc != O_RDONLY && !(nd.e->perm & 0200))))
		return -EACCES;
	if (nd.e->kind == PK_FILE && !nd.e->show) {
		/* /proc/PID/mem: the address space itself (kernel/ptrace.c) */
		struct task *tk = task_find(nd.c.tid);
		if (!strcmp(nd.e->name, "kpageflags") && current)
			err = proc_kpageflags_open(current, flags, &f);
		else if (!tk || !current)
			return -ENOENT;
		else
			err = !strcmp(nd.e->name, "pagemap") ? proc_pagemap_open(current, tk, flags, &f)
							     : proc_mem_open(current, tk, flags, &f);
		if (err)
			return err;
		free(f->path);
		f->path = path_join(m->path, rel);
		if (!f->path)
			f->path = strdup("");
		f->mnt = m;
		*out = f;
		return 0;
	}
	pf = calloc(1, sizeof(*pf));
	if (!pf)
		return -ENOMEM;
	pf->nd = nd;
	pf->rel = strdup(rel);
	if (!pf->rel) {
		free(pf);
		return -ENOMEM;
	}
	if (nd.e->kind == PK_FILE && acc != O_WRONLY && !nd.e->lazy) {
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
	if (nd.e == &pid_dir_ent) {
		/* the process it names from now on, as a pidfd would */
		struct task *tk = task_find(nd.c.tid);

		if (tk)
			pf->pid = get_pid(task_tgid(tk));
	}
	if (nd.e->kind == PK_FILE && (!strcmp(nd.e->name, "mounts") || !strcmp(nd.e->name, "mountinfo"))) {
		struct task *tk = task_find(nd.c.tid);

		if (tk && tk->nsproxy && tk->nsproxy->mnt_ns) {
			pf->mnt_ns = get_mnt_ns(tk->nsproxy->mnt_ns);
			pf->poll_seq = pf->mnt_ns->seq;
		}
	}
	*out = f;
	return 0;
fail:
	free(pf->text.buf);
	free(pf->rel);
	free(pf);
	return err;
}

/*
 * procfs_dir_pid - the process an open /proc/PID directory names (the
 * one it was opened for, even once the number is reused), or NULL if f
 * is not one.  pidfd_send_signal(2) takes such an fd as a pidfd, as
 * Linux's tgid_pidfd_to_pid.
 */
struct pid *procfs_dir_pid(struct file *f)
{
	struct pfile *pf;

	if (!f || f->ops != &proc_dir_ops)
		return NULL;
	pf = f->priv;
	return pf ? pf->pid : NULL;
}

/* /proc/PID/fd/N: the open file itself. */
/* /proc/PID/fd/N: the open file itself; /proc/PID/ns/NAME: the namespace. */
static struct file *proc_magic(struct mount *m, const char *rel)
{
	struct pnode nd;
	struct task *tk;

	if (proc_resolve(m, rel, &nd) || (nd.e != &fd_link_ent && !nd.e->nstype))
		return NULL;
	tk = task_find(nd.c.tid);
	if (!tk || !may_access(tk))
		return NULL;
	if (nd.e->nstype)
		return ns_file_open(tk, nd.e->nstype - 1);
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
static int proc_exists_or(struct mount *m, const char *rel, int missing, int present)
{
	struct pnode nd;

	return proc_resolve(m, rel, &nd) ? missing : present;
}

static int proc_mkdir(struct mount *m, const char *rel, uint32_t mode)
{
	(void)m, (void)mode;
	return proc_exists_or(m, rel, -ENOENT, -EEXIST);
}

static int proc_mknod(struct mount *m, const char *rel, uint32_t mode, uint64_t dev)
{
	(void)m, (void)mode, (void)dev;
	return proc_exists_or(m, rel, -ENOENT, -EEXIST);
}

static int proc_remove(struct mount *m, const char *rel)
{
	(void)m;
	return proc_exists_or(m, rel, -ENOENT, -EPERM);
}

static int proc_symlink(struct mount *m, const char *target, const char *rel)
{
	(void)m, (void)target;
	return proc_exists_or(m, rel, -ENOENT, -EEXIST);
}

static int proc_link(struct mount *m, const char *old, const char *new_)
{
	(void)m, (void)new_;
	return proc_exists_or(m, old, -ENOENT, -EPERM);
}

static int proc_rename(struct mount *m, const char *old, const char *new_, unsigned flags)
{
	(void)m, (void)new_, (void)flags;
	return proc_exists_or(m, old, -ENOENT, -EPERM);
}

static int proc_setattr(struct mount *m, const char *rel, int what, uint32_t mode, uint32_t uid,
			uint32_t gid, const struct linux_timespec *ts)
{
	(void)m, (void)what, (void)mode, (void)uid, (void)gid, (void)ts;
	return proc_exists_or(m, rel, -ENOENT, -EPERM);
}

static int proc_truncate(struct mount *m, const char *rel, uint64_t len)
{
	(void)m, (void)len;
	return proc_exists_or(m, rel, -ENOENT, 0);     /* Linux ignores it */
}

/* Linux's proc_sys_permission: the directories of /proc/sys are never
 * writable, root's or not. */
static int proc_permission(struct mount *m, const char *rel, int mask)
{
	struct pnode nd;

	if (!(mask & W_OK) || proc_resolve(m, rel, &nd))
		return 0;
	if (nd.e->kind == PK_DIR && (!strcmp(rel, "sys") || !strncmp(rel, "sys/", 4)))
		return -EACCES;
	return 0;
}

const struct fs_ops procfs_ops = {
	.permission = proc_permission,
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

/*
 * procfs_render - the text of /proc/REL ("12/maps", "12/fd/3" for a
 * link's target) as a reader with full access sees it, for the control
 * socket (debug/control.c), so that `umk ctl` and the guest's /proc share
 * one rendering.  *out is malloc'd and NUL-terminated.  Returns 0, or
 * -ENOENT, -ESRCH, -EISDIR, -ENOMEM.  Under klock, with no guest task
 * current (the caller is not a guest's kernel thread).
 */
int procfs_render(const char *rel, char **out, size_t *len)
{
	struct pnode nd;
	struct sbuf sb = { 0 };
	int err = proc_resolve(NULL, rel, &nd);

	*out = NULL;
	if (err)
		return err;
	if (nd.e->kind == PK_DIR)
		return -EISDIR;
	err = node_render(&nd, &sb);
	if (err) {
		free(sb.buf);
		return err;
	}
	if (!sb.buf)
		sb.buf = strdup("");
	if (!sb.buf)
		return -ENOMEM;
	*out = sb.buf;
	if (len)
		*len = sb.len;
	return 0;
}
