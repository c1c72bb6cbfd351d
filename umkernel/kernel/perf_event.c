/*
 * perf_event.c - perf_event_open(2): counting events of the caller's own
 * threads, as Linux's kernel/events/core.c counts them.
 *
 * In a nutshell: a guest thread is a host thread of its stub process, so
 * what it costs is what the host counts for that thread.  Software
 * events come from umk's own accounting of it (kernel/cputime.c):
 * task-clock and cpu-clock are its CPU time (ns), page-faults,
 * minor-faults, major-faults and context-switches the host's counts for
 * it (context switches are the kernel's: none with exclude_kernel, as
 * Linux's perf_swevent_match leaves them out); cpu-migrations,
 * alignment-faults, emulation-faults and dummy count nothing.  Hardware
 * events (PERF_TYPE_HARDWARE, HW_CACHE, RAW) are asked of the host's
 * perf_event_open for that host thread alone, with an attr umk builds
 * (type, config, the exclude_* bits; never inherit, sampling or a ring)
 * and an fd umk keeps: read and ENABLE/DISABLE/RESET go to it.  So a
 * guest measures itself and nothing else: pid is 0 or a thread of its
 * own process, cpu -1.
 *
 * An event is a file with Linux's read formats (TOTAL_TIME_ENABLED,
 * TOTAL_TIME_RUNNING, ID, GROUP of one) and ioctls (ENABLE, DISABLE,
 * RESET, ID; PERIOD and REFRESH are EINVAL on a counting event).
 * The counted task is the caller, another of its threads, or any task
 * the caller may ptrace (PTRACE_MODE_READ, as Linux's perf_event_open
 * checks): `perf stat CMD` counts the child it forked.  A software event
 * counts a list of members: the task, and with inherit every task
 * created later by a member (Linux's inherited child events, whose
 * counts are added to the parent event when they exit); a member's last
 * reading is taken when it exits (perf_event_task_exit), so the count
 * survives it, as `perf stat` reads after wait4.
 * Not done: sampling (sample_period/sample_freq: EOPNOTSUPP) and its mmap
 * ring, groups (a group_fd that is an event: EINVAL), inherit of
 * hardware events (the host counts the first thread alone), CPU-wide
 * events (pid -1: EACCES, as for a user without CAP_PERFMON; a cpu other
 * than -1: EINVAL), tracepoint, breakpoint and other PMUs (ENOENT).
 *
 * Lock: klock guards the events (file ops, the syscall and the fork and
 * exit hooks).
 */
#include "../kernel.h"
#include "task.h"
#include "ptrace.h"
#include "../fs/fs.h"
#include "../../tracer/platform.h"

#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define ATTR_SIZE_VER0 64
#define ATTR_SIZE_KNOWN 136            /* PERF_ATTR_SIZE_VER8, Linux 6.18's */
#define PAGE 4096
#define FORMAT_MASK (PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING | \
		     PERF_FORMAT_ID | PERF_FORMAT_GROUP | PERF_FORMAT_LOST)
#define CPUCLOCK_SCHED 2
#define CAP_PERFMON 38
#define FLAG_MASK (PERF_FLAG_FD_NO_GROUP | PERF_FLAG_FD_OUTPUT | PERF_FLAG_PID_CGROUP | \
		   PERF_FLAG_FD_CLOEXEC)

/* A counted task of a software event (the first, or one inherited). */
struct perf_member {
	int tid;                      /* the counted thread (global id) */
	uint64_t start_ns;            /* its start time: the same thread */
	uint64_t base;                /* the source when enabled */
	uint64_t last;                /* the source's last reading (final once gone) */
	bool gone;                    /* exited: last is final */
};

struct perf_event {
	struct list_head link;        /* in all_events */
	uint32_t type;
	uint64_t config, read_format, id;
	bool exclude_kernel;
	bool inherit;                 /* tasks the members create are counted too */
	int hostfd;                   /* a hardware event's host fd, or -1 */
	bool enabled;
	uint64_t count;               /* counted up to the members' bases */
	struct perf_member *m;        /* members; m[0] the task opened for */
	size_t nm, cap;
	uint64_t t_enabled, since;    /* ns enabled, and since when */
};

static uint64_t next_id;
static struct list_head all_events = LIST_HEAD_INIT(all_events); /* every open event */

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The member's thread, if it is still the one counted. */
static struct task *target(struct perf_member *pm)
{
	struct task *tk;

	if (pm->gone)
		return NULL;
	tk = task_find(pm->tid);
	return tk && tk->start_time_ns == pm->start_ns && tk->state != TASK_DEAD ? tk : NULL;
}

/* A software event's source for member pm now (its last reading once
 * the thread is gone). */
static uint64_t member_source(struct perf_event *e, struct perf_member *pm)
{
	struct task *tk = target(pm);
	struct host_rusage r;
	int64_t v;

	if (!tk)
		return pm->last;
	switch (e->config) {
	case PERF_COUNT_SW_CPU_CLOCK: case PERF_COUNT_SW_TASK_CLOCK:
		v = cpu_clock_read(tk, true, CPUCLOCK_SCHED);
		if (v >= 0)
			pm->last = (uint64_t)v;
		break;
	case PERF_COUNT_SW_PAGE_FAULTS: case PERF_COUNT_SW_PAGE_FAULTS_MIN:
	case PERF_COUNT_SW_PAGE_FAULTS_MAJ: case PERF_COUNT_SW_CONTEXT_SWITCHES:
		if (e->config == PERF_COUNT_SW_CONTEXT_SWITCHES && e->exclude_kernel)
			return 0;
		task_host_rusage(tk, RU_THREAD, &r);
		pm->last = (uint64_t)(e->config == PERF_COUNT_SW_PAGE_FAULTS ? r.minflt + r.majflt :
				      e->config == PERF_COUNT_SW_PAGE_FAULTS_MIN ? r.minflt :
				      e->config == PERF_COUNT_SW_PAGE_FAULTS_MAJ ? r.majflt :
				      r.nvcsw + r.nivcsw);
		break;
	default:
		return 0;              /* migrations, alignment and emulation faults, dummy */
	}
	return pm->last;
}

/* What the members counted since their bases (a source never goes back:
 * a reading below the base counts nothing). */
static uint64_t members_delta(struct perf_event *e)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < e->nm; i++) {
		uint64_t v = member_source(e, &e->m[i]);

		if (v > e->m[i].base)
			sum += v - e->m[i].base;
	}
	return sum;
}

/* Every member's base is its source now (enable, reset). */
static void members_rebase(struct perf_event *e)
{
	for (size_t i = 0; i < e->nm; i++)
		e->m[i].base = member_source(e, &e->m[i]);
}

/* Adds tk as a member whose source starts at base; -ENOMEM. */
static int member_add(struct perf_event *e, struct task *tk, uint64_t base)
{
	if (e->nm == e->cap) {
		size_t nc = e->cap ? e->cap * 2 : 4;
		struct perf_member *nm = realloc(e->m, nc * sizeof(*nm));

		if (!nm)
			return -ENOMEM;
		e->m = nm;
		e->cap = nc;
	}
	e->m[e->nm++] = (struct perf_member){ .tid = tk->tid, .start_ns = tk->start_time_ns,
					      .base = base, .last = base };
	return 0;
}

/* Is tk a member of e still running? */
static struct perf_member *member_of(struct perf_event *e, struct task *tk)
{
	for (size_t i = 0; i < e->nm; i++)
		if (!e->m[i].gone && e->m[i].tid == tk->tid && e->m[i].start_ns == tk->start_time_ns)
			return &e->m[i];
	return NULL;
}

/*
 * perf_event_fork(parent, child) - from clone, before the child runs:
 * the child joins every inherit event that counts parent (Linux's
 * perf_event_init_task).  Its counters start from zero: a new host
 * thread.  Allocation failures leave the child uncounted.
 */
void perf_event_fork(struct task *parent, struct task *child)
{
	struct list_head *p;

	for (p = all_events.next; p != &all_events; p = p->next) {
		struct perf_event *e = list_entry(p, struct perf_event, link);

		if (e->inherit && e->hostfd < 0 && member_of(e, parent))
			member_add(e, child, 0);
	}
}

/*
 * perf_event_task_exit(t) - from exit, while t's host thread is still
 * there: the last reading of every event counting t becomes final
 * (Linux's perf_event_exit_task, which adds a child event's count to its
 * parent's).
 */
void perf_event_task_exit(struct task *t)
{
	struct list_head *p;

	for (p = all_events.next; p != &all_events; p = p->next) {
		struct perf_event *e = list_entry(p, struct perf_event, link);
		struct perf_member *pm;

		if (e->hostfd >= 0 || !(pm = member_of(e, t)))
			continue;
		member_source(e, pm);
		pm->gone = true;
	}
}

/* The count now, and the times enabled and running. */
static void current_values(struct perf_event *e, uint64_t *value, uint64_t *enabled,
			   uint64_t *running)
{
	uint64_t now = mono_ns();

	*enabled = e->t_enabled + (e->enabled ? now - e->since : 0);
	*running = *enabled;
	if (e->hostfd >= 0) {
		uint64_t hv[3] = { 0, 0, 0 };

		if (read(e->hostfd, hv, sizeof hv) == (ssize_t)sizeof hv) {
			*value = hv[0];
			*running = *enabled && hv[1] ? (uint64_t)((double)*enabled * hv[2] / hv[1]) :
						       *enabled;
		} else {
			*value = 0;
		}
		return;
	}
	*value = e->count + (e->enabled ? members_delta(e) : 0);
}

static void ev_enable(struct perf_event *e)
{
	if (e->enabled)
		return;
	e->enabled = true;
	e->since = mono_ns();
	if (e->hostfd >= 0)
		ioctl(e->hostfd, PERF_EVENT_IOC_ENABLE, 0);
	else
		members_rebase(e);
}

static void ev_disable(struct perf_event *e)
{
	if (!e->enabled)
		return;
	if (e->hostfd >= 0)
		ioctl(e->hostfd, PERF_EVENT_IOC_DISABLE, 0);
	else
		e->count += members_delta(e);
	e->t_enabled += mono_ns() - e->since;
	e->enabled = false;
}

static ssize_t perf_read(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	struct perf_event *e = f->priv;
	uint64_t out[6], value, enabled, running;
	size_t k = 0;

	(void)t, (void)pos;
	if (e->read_format & PERF_FORMAT_GROUP)
		out[k++] = 1;                   /* nr: the leader alone */
	current_values(e, &value, &enabled, &running);
	if (!(e->read_format & PERF_FORMAT_GROUP))
		out[k++] = value;
	if (e->read_format & PERF_FORMAT_TOTAL_TIME_ENABLED)
		out[k++] = enabled;
	if (e->read_format & PERF_FORMAT_TOTAL_TIME_RUNNING)
		out[k++] = running;
	if (e->read_format & PERF_FORMAT_GROUP)
		out[k++] = value;
	if (e->read_format & PERF_FORMAT_ID)
		out[k++] = e->id;
	if (e->read_format & PERF_FORMAT_LOST)
		out[k++] = 0;
	if (n < k * 8)
		return -ENOSPC;
	memcpy(buf, out, k * 8);
	return (ssize_t)(k * 8);
}

static ssize_t perf_write(struct task *t, struct file *f, const void *buf, size_t n, int64_t *pos)
{
	(void)t, (void)f, (void)buf, (void)n, (void)pos;
	return -EINVAL;
}

static long perf_ioctl(struct task *t, struct file *f, unsigned int cmd, uint64_t arg)
{
	struct perf_event *e = f->priv;

	switch (cmd) {
	case PERF_EVENT_IOC_ENABLE:
		ev_enable(e);
		return 0;
	case PERF_EVENT_IOC_DISABLE:
		ev_disable(e);
		return 0;
	case PERF_EVENT_IOC_RESET:
		if (e->hostfd >= 0)
			ioctl(e->hostfd, PERF_EVENT_IOC_RESET, 0);
		e->count = 0;
		if (e->enabled && e->hostfd < 0)
			members_rebase(e);
		return 0;
	case PERF_EVENT_IOC_ID:
		return copy_to_user(t, arg, &e->id, sizeof(e->id));
	case PERF_EVENT_IOC_PERIOD: case PERF_EVENT_IOC_REFRESH:
		return -EINVAL;                 /* not a sampling event */
	case PERF_EVENT_IOC_SET_OUTPUT:
		return (int)arg == -1 ? 0 : -EINVAL;
	case PERF_EVENT_IOC_SET_FILTER: case PERF_EVENT_IOC_SET_BPF:
	case PERF_EVENT_IOC_PAUSE_OUTPUT: case PERF_EVENT_IOC_MODIFY_ATTRIBUTES:
	case PERF_EVENT_IOC_QUERY_BPF:
		return -EINVAL;
	}
	return -ENOTTY;
}

static void perf_release(struct file *f)
{
	struct perf_event *e = f->priv;

	if (e->hostfd >= 0)
		close(e->hostfd);
	if (e->link.next)
		list_del(&e->link);
	free(e->m);
	free(e);
	f->priv = NULL;
}

static const struct file_ops perf_ops = {
	.read = perf_read,
	.write = perf_write,
	.ioctl = perf_ioctl,
	.fstat = anon_inode_fstat,
	.release = perf_release,
	.seekable = false,
};

/* The host's counter of a hardware event for tk's host thread: an fd or
 * -errno (the host's answer). */
static int host_counter(struct task *tk, const struct perf_event_attr *ga)
{
	struct perf_event_attr ha;
	int fd;

	if (!tk->host || !platform->host_tid)
		return -ESRCH;
	memset(&ha, 0, sizeof ha);
	ha.size = sizeof ha;
	ha.type = ga->type;
	ha.config = ga->config;
	if (ga->type == PERF_TYPE_RAW) {
		ha.config1 = ga->config1;
		ha.config2 = ga->config2;
	}
	ha.disabled = 1;
	ha.exclude_user = ga->exclude_user;
	ha.exclude_kernel = ga->exclude_kernel;
	ha.exclude_hv = ga->exclude_hv;
	ha.exclude_idle = ga->exclude_idle;
	ha.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
	fd = (int)syscall(SYS_perf_event_open, &ha, platform->host_tid(tk->host), -1, -1,
			  PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return -errno;
	return host_fd_admit(fd);
}

/*
 * sys_perf_event_open(attr, pid, cpu, group_fd, flags) - an event
 * counting the thread pid (0: the caller; another of its threads, or a
 * task it may ptrace), with inherit the tasks it creates later too, on
 * any CPU (cpu -1).  The attr's size as Linux checks it
 * (E2BIG past a page or with bytes set past what umk knows, and the
 * known size written back), EFAULT, EINVAL (flags, read_format, pid and
 * cpu -1, cpu not -1), ESRCH, EACCES (pid -1; a process the caller may
 * not ptrace; the kernel counted without CAP_PERFMON while
 * perf_event_paranoid > 1),
 * EBADF (group_fd), ENOENT (type or config), EOPNOTSUPP (sampling).
 */
long sys_perf_event_open(struct task *t, struct sysargs *a)
{
	uint64_t uattr = arg_ptr(a, 0);
	int pid = arg_int(a, 1), cpu = arg_int(a, 2), group = arg_int(a, 3);
	unsigned long flags = (unsigned long)arg_long(a, 4);
	struct perf_event_attr attr;
	unsigned char tail[PAGE];
	struct perf_event *e;
	struct task *tk;
	struct file *f;
	uint32_t size;
	int hostfd = -1;

	/* perf_copy_attr */
	if (copy_from_user(t, &size, uattr + 4, sizeof size))
		return -EFAULT;
	if (!size)
		size = ATTR_SIZE_VER0;
	if (size < ATTR_SIZE_VER0 || size > PAGE) {
		uint32_t known = ATTR_SIZE_KNOWN;

		copy_to_user(t, uattr + 4, &known, sizeof known);
		return -E2BIG;
	}
	memset(&attr, 0, sizeof attr);
	if (copy_from_user(t, &attr, uattr, size < sizeof attr ? size : sizeof attr))
		return -EFAULT;
	if (size > sizeof attr) {
		if (copy_from_user(t, tail, uattr + sizeof attr, size - sizeof attr))
			return -EFAULT;
		for (size_t i = 0; i < size - sizeof attr; i++)
			if (tail[i]) {
				uint32_t known = ATTR_SIZE_KNOWN;

				copy_to_user(t, uattr + 4, &known, sizeof known);
				return -E2BIG;
			}
	}
	attr.size = size;
	if (flags & ~FLAG_MASK)
		return -EINVAL;
	if (attr.read_format & ~(uint64_t)FORMAT_MASK)
		return -EINVAL;
	if (pid == -1 && cpu == -1)
		return -EINVAL;
	if (cpu < -1)
		return -EINVAL;
	if ((flags & PERF_FLAG_PID_CGROUP) && (pid == -1 || cpu == -1))
		return -EINVAL;
	/* perf_allow_kernel */
	if (!attr.exclude_kernel && sysctl_perf_event_paranoid > 1 && !capable(t, CAP_PERFMON) &&
	    !capable(t, CAP_SYS_ADMIN))
		return -EACCES;
	if (group != -1) {
		struct file *g = fd_get(t, group);

		if (!g)
			return -EBADF;
		bool is_event = g->ops == &perf_ops;
		file_put(g);
		if (!is_event)
			return -EBADF;
		return -EINVAL;                 /* no groups */
	}
	/* the PMU and event */
	switch (attr.type) {
	case PERF_TYPE_SOFTWARE:
		if (attr.config >= PERF_COUNT_SW_MAX)
			return -ENOENT;
		if (attr.config == PERF_COUNT_SW_BPF_OUTPUT || attr.config == PERF_COUNT_SW_CGROUP_SWITCHES)
			return -ENOENT;
		break;
	case PERF_TYPE_HARDWARE: case PERF_TYPE_HW_CACHE: case PERF_TYPE_RAW:
		break;
	default:
		return -ENOENT;
	}
	if (attr.sample_period || attr.mmap || attr.comm || attr.task || attr.mmap_data)
		return -EOPNOTSUPP;
	/* the task: the caller's threads, or one it may ptrace */
	if (pid == -1)
		return -EACCES;                 /* CPU-wide: CAP_PERFMON's, not a guest's */
	tk = pid ? find_task_by_vpid(t, pid) : t;
	if (!tk || tk->state == TASK_DEAD || tk->state == TASK_ZOMBIE)
		return -ESRCH;
	if (tk->tg != t->tg && !ptrace_may_access(t, tk, PTRACE_MODE_READ))
		return -EACCES;
	if (cpu != -1)
		return -EINVAL;
	if (attr.type != PERF_TYPE_SOFTWARE) {
		hostfd = host_counter(tk, &attr);
		if (hostfd < 0)
			return hostfd;
	}
	e = calloc(1, sizeof(*e));
	if (!e) {
		if (hostfd >= 0)
			close(hostfd);
		return -ENOMEM;
	}
	e->type = attr.type;
	e->config = attr.config;
	e->read_format = attr.read_format;
	e->exclude_kernel = attr.exclude_kernel;
	e->inherit = attr.inherit;
	e->id = ++next_id;
	e->hostfd = hostfd;
	if (member_add(e, tk, 0)) {
		perf_release(&(struct file){ .priv = e });
		return -ENOMEM;
	}
	f = file_alloc(&perf_ops, O_RDWR, "anon_inode:[perf_event]");
	if (!f) {
		perf_release(&(struct file){ .priv = e });
		return -ENOMEM;
	}
	f->priv = e;
	list_add_tail(&e->link, &all_events);
	/* enable_on_exec: umk's execve keeps the host thread, so it starts now */
	if (!attr.disabled || attr.enable_on_exec)
		ev_enable(e);
	return fd_install(t, 0, f, flags & PERF_FLAG_FD_CLOEXEC);
}
