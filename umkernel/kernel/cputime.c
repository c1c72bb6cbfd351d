/*
 * cputime.c - a guest's CPU time and resource usage, read from the host
 * processes that run it: the CPU-time clocks (CLOCK_PROCESS_CPUTIME_ID,
 * CLOCK_THREAD_CPUTIME_ID and the clock ids clock_getcpuclockid and
 * pthread_getcpuclockid make for other processes and threads), the
 * ITIMER_VIRTUAL and ITIMER_PROF interval timers, and the getrusage
 * fields Linux fills (maxrss, minflt, majflt, nvcsw, nivcsw).
 *
 * In a nutshell (Linux's kernel/time/posix-cpu-timers.c and
 * kernel/time/itimer.c): a guest thread is a host thread of its stub
 * process, so its CPU time is that host thread's and a process's is the
 * stub process's (the host's process CPU clocks, readable by umk, and
 * /proc/PID/task/TID for single threads, which the host keeps to their
 * own process).  A process with an armed CPU itimer is looked at by one
 * kernel timer, again when the earliest timer could be due (the time
 * left divided among the CPUs its threads may use, 1 to 50 ms), which
 * sends SIGVTALRM or SIGPROF as Linux's check_cpu_itimer does.
 *
 * Lock: klock guards the itimer fields of every thread group; the ktimer
 * function runs under klock on the timer thread.
 */
#include "../kernel.h"
#include "task.h"
#include "../mm/mm.h"
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define NSEC 1000000000ULL
/* Linux's clock id encoding for CPU clocks (include/linux/posix-timers.h) */
#define CPUCLOCK_PID(c)       ((int)~((c) >> 3))
#define CPUCLOCK_PERTHREAD(c) (((c) & 4) != 0)
#define CPUCLOCK_WHICH(c)     ((c) & 3)
#define CPUCLOCK_PROF  0
#define CPUCLOCK_VIRT  1
#define CPUCLOCK_SCHED 2
#define MAKE_PROCESS_CPUCLOCK(pid, which) ((clockid_t)((~(unsigned)(pid) << 3) | (which)))

/* A live thread of tg with a host thread (for its stub's pid), or NULL. */
static struct task *live_thread(struct thread_group *tg)
{
	struct list_head *p;
	for (p = tg->threads.next; p != &tg->threads; p = p->next) {
		struct task *o = list_entry(p, struct task, thread_node);
		if (o->host && o->state != TASK_DEAD && o->state != TASK_ZOMBIE)
			return o;
	}
	return NULL;
}

/* A host process clock (PROF, VIRT or SCHED) of tg's stub, in ns; -1 if
 * there is none any more. */
static int64_t process_clock(struct thread_group *tg, int which)
{
	struct task *o = live_thread(tg);
	struct timespec ts;
	if (!o || !platform->host_pid)
		return -1;
	if (clock_gettime(MAKE_PROCESS_CPUCLOCK(platform->host_pid(o->host), which), &ts))
		return -1;
	return (int64_t)ts.tv_sec * (int64_t)NSEC + ts.tv_nsec;
}

/* Reads /proc/PID[/task/TID]/FILE of the host into buf. */
static int host_proc_read(struct task *t, bool thread, const char *file, char *buf, size_t len)
{
	char path[96];
	if (!t->host || !platform->host_pid || !host_proc_is_ours())
		return -1;
	int pid = platform->host_pid(t->host), tid = platform->host_tid(t->host);
	if (thread)
		snprintf(path, sizeof path, "/proc/%d/task/%d/%s", pid, tid, file);
	else
		snprintf(path, sizeof path, "/proc/%d/%s", pid, file);
	/* (open/read, not stdio: every exit reads two of these files) */
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t n = 0;
	ssize_t r;
	while (n < len - 1 && (r = read(fd, buf + n, len - 1 - n)) > 0)
		n += r;
	close(fd);
	buf[n] = 0;
	return 0;
}

/* A thread's CPU clock: sched runtime from schedstat, PROF/VIRT from stat. */
static int64_t thread_clock(struct task *t, int which)
{
	char buf[1024];
	if (which == CPUCLOCK_SCHED) {
		/* a single-threaded stub: its process clock is the thread's */
		if (t->tg->nr_threads == 1) {
			int64_t v = process_clock(t->tg, CPUCLOCK_SCHED);
			if (v >= 0)
				return v;
		}
		if (host_proc_read(t, true, "schedstat", buf, sizeof buf))
			return -1;
		return strtoll(buf, NULL, 10);
	}
	if (host_proc_read(t, true, "stat", buf, sizeof buf))
		return -1;
	char *p = strrchr(buf, ')');
	unsigned long ut, st;
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	long hz = sysconf(_SC_CLK_TCK);
	int64_t tick = (int64_t)NSEC / (hz > 0 ? hz : 100);
	return which == CPUCLOCK_VIRT ? (int64_t)ut * tick : (int64_t)(ut + st) * tick;
}

/* process_cpu_times - the user and system time of the whole process
 * (all its threads, those gone too): the stub process's clocks. */
void process_cpu_times(struct thread_group *tg, int64_t *u, int64_t *s)
{
	int64_t virt = process_clock(tg, CPUCLOCK_VIRT), prof = process_clock(tg, CPUCLOCK_PROF);
	if (virt >= 0 && prof >= 0) {
		*u = virt;
		*s = prof > virt ? prof - virt : 0;
		return;
	}
	task_cpu_times(tg->leader, u, s);
}

/*
 * cpu_clock_get - clock_gettime of a CPU-time clock id for caller t:
 * CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID, or an id made by
 * clock_getcpuclockid/pthread_getcpuclockid (a pid of t's namespace, 0:
 * t's own; a thread only of t's own process).  0 and *ns, or -EINVAL for
 * an id naming nothing.  Mirrors posix_cpu_clock_get.
 */
int cpu_clock_get(struct task *t, int clk, int64_t *ns)
{
	struct task *tk;
	bool thread;
	int which, err = cpu_clock_resolve(t, clk, &tk, &thread, &which);
	if (err)
		return err;
	*ns = cpu_clock_read(tk, thread, which);
	return 0;
}

/*
 * cpu_clock_resolve - what a CPU-time clock id names for caller t: the
 * task (*tk: the thread, or a thread of the process), whether it is a
 * thread clock, and which of CPUCLOCK_PROF/VIRT/SCHED.  0, or -EINVAL
 * for an id naming nothing (posix_cpu_clock_get's checks).
 */
int cpu_clock_resolve(struct task *t, int clk, struct task **tkp, bool *threadp, int *whichp)
{
	int which, pid;
	bool thread;
	if (clk == CLOCK_PROCESS_CPUTIME_ID) {
		which = CPUCLOCK_SCHED, pid = 0, thread = false;
	} else if (clk == CLOCK_THREAD_CPUTIME_ID) {
		which = CPUCLOCK_SCHED, pid = 0, thread = true;
	} else if (clk < 0) {
		which = CPUCLOCK_WHICH(clk), pid = CPUCLOCK_PID(clk), thread = CPUCLOCK_PERTHREAD(clk);
		if (which > CPUCLOCK_SCHED)
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	struct task *tk = t;
	if (pid) {
		tk = find_task_by_vpid(t, pid);
		if (!tk || tk->state == TASK_DEAD)
			return -EINVAL;
		if (thread && tk->tg != t->tg)
			return -EINVAL;
		/* a process clock: pid must name a process (or the caller) */
		if (!thread && tk->tg->leader != tk && tk != t)
			return -EINVAL;
	}
	*tkp = tk;
	*threadp = thread;
	*whichp = which;
	return 0;
}

/* cpu_clock_read - the CPU time (ns) of a resolved clock (see above). */
int64_t cpu_clock_read(struct task *tk, bool thread, int which)
{
	int64_t v = thread ? thread_clock(tk, which) : process_clock(tk->tg, which);
	if (v < 0) {
		/* gone from the host (a zombie): what was counted at exit */
		int64_t u, s;
		task_cpu_times(thread ? tk : tk->tg->leader, &u, &s);
		v = which == CPUCLOCK_VIRT ? u : u + s;
	}
	return v;
}

/* Whether clk is a CPU-time clock id (valid or not). */
bool is_cpu_clock(int clk)
{
	return clk < 0 || clk == CLOCK_PROCESS_CPUTIME_ID || clk == CLOCK_THREAD_CPUTIME_ID;
}

/* ---- ITIMER_VIRTUAL and ITIMER_PROF ---- */

static struct ktimer cpu_itimer_kt;

static int64_t itimer_clock(struct thread_group *tg, int which)
{
	return process_clock(tg, which == ITIMER_VIRTUAL ? CPUCLOCK_VIRT : CPUCLOCK_PROF);
}

/*
 * RLIMIT_CPU of leader's process (check_cpu_rlimit in Linux's
 * kernel/time/posix-cpu-timers.c): at the hard limit of CPU seconds
 * SIGKILL; at the soft limit SIGXCPU, and the soft limit moves one second
 * on (up to the hard one), so it comes again each second.  Returns how
 * long until it should be looked at again (ns), or 0 if not limited.
 */
static uint64_t cpu_rlimit_check(struct task *leader, long ncpu)
{
	struct thread_group *tg = leader->tg;
	struct linux_rlimit *r = &tg->rlim[RLIMIT_CPU];
	if (r->rlim_cur == LINUX_RLIM_INFINITY)
		return 0;
	int64_t now = process_clock(tg, CPUCLOCK_PROF);
	if (now < 0)
		return 0;
	if (r->rlim_max != LINUX_RLIM_INFINITY && (uint64_t)now >= r->rlim_max * NSEC) {
		send_signal(leader, SIGKILL, NULL, true);
		return 0;
	}
	if ((uint64_t)now >= r->rlim_cur * NSEC) {
		if (r->rlim_cur < r->rlim_max)
			r->rlim_cur++;
		send_signal(leader, SIGXCPU, NULL, true);
	}
	uint64_t due = r->rlim_cur * NSEC;
	if (r->rlim_cur == LINUX_RLIM_INFINITY || due <= (uint64_t)now)
		return 10000000;
	long par = tg->nr_threads < ncpu ? tg->nr_threads : ncpu;
	uint64_t wait = (due - (uint64_t)now) / (uint64_t)(par > 0 ? par : 1);
	return wait < 1000000 ? 1000000 : wait > 50000000 ? 50000000 : wait;
}

/* The timer function: every armed CPU itimer that is due sends its
 * signal and reloads, RLIMIT_CPU is checked; then when to look again. */
static void cpu_itimer_fire(struct ktimer *kt)
{
	struct list_head *p;
	uint64_t next = 0;
	(void)kt;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	for (p = all_tasks.next; p != &all_tasks; p = p->next) {
		struct task *l = list_entry(p, struct task, all);
		struct thread_group *tg = l->tg;
		if (!tg || tg->leader != l || tg->group_exit)
			continue;
		for (int k = 0; k < 2; k++) {
			struct cpu_itimer *it = &tg->cpu_itimer[k];
			if (!it->expires)
				continue;
			int which = k ? ITIMER_PROF : ITIMER_VIRTUAL;
			int64_t now = itimer_clock(tg, which);
			if (now < 0)
				continue;
			if ((uint64_t)now >= it->expires) {
				it->expires = it->incr ? it->expires + it->incr : 0;
				if (it->expires && it->expires <= (uint64_t)now)
					it->expires = (uint64_t)now + it->incr;   /* overrun */
				send_signal(l, k ? SIGPROF : SIGVTALRM, NULL, true);
			}
			if (!it->expires)
				continue;
			/* CPU time grows at most as fast as the CPUs the
			 * process's threads run on */
			long par = tg->nr_threads < ncpu ? tg->nr_threads : ncpu;
			uint64_t wait = (it->expires - (uint64_t)now) / (uint64_t)(par > 0 ? par : 1);
			if (wait < 1000000)
				wait = 1000000;
			if (wait > 50000000)
				wait = 50000000;
			if (!next || wait < next)
				next = wait;
		}
		uint64_t wait = cpu_rlimit_check(l, ncpu);
		if (wait && (!next || wait < next))
			next = wait;
	}
	if (next)
		ktimer_arm(&cpu_itimer_kt, now_ns(CLOCK_MONOTONIC) + next, cpu_itimer_fire);
}

/* getitimer(ITIMER_VIRTUAL/PROF): the CPU time left and the interval. */
void cpu_itimer_get(struct thread_group *tg, int which, struct linux_itimerval *out)
{
	struct cpu_itimer *it = &tg->cpu_itimer[which == ITIMER_PROF];
	uint64_t left = 0;
	memset(out, 0, sizeof *out);
	if (it->expires) {
		int64_t now = itimer_clock(tg, which);
		/* due but not yet sent: one tick, as Linux's get_cpu_itimer */
		left = now < 0 || (uint64_t)now >= it->expires ? NSEC / 100 : it->expires - (uint64_t)now;
	}
	out->it_value.tv_sec = left / NSEC;
	out->it_value.tv_usec = (left % NSEC) / 1000;
	out->it_interval.tv_sec = it->incr / NSEC;
	out->it_interval.tv_usec = (it->incr % NSEC) / 1000;
}

/* setitimer(ITIMER_VIRTUAL/PROF): value and interval in ns (value 0 disarms). */
void cpu_itimer_set(struct thread_group *tg, int which, uint64_t value, uint64_t interval)
{
	struct cpu_itimer *it = &tg->cpu_itimer[which == ITIMER_PROF];
	int64_t now = value ? itimer_clock(tg, which) : 0;
	it->incr = interval;
	it->expires = value && now >= 0 ? (uint64_t)now + value : 0;
	if (it->expires)
		ktimer_arm(&cpu_itimer_kt, 0, cpu_itimer_fire);   /* recompute at once */
}

void cpu_rlimit_changed(struct thread_group *tg)
{
	if (tg->rlim[RLIMIT_CPU].rlim_cur != LINUX_RLIM_INFINITY)
		ktimer_arm(&cpu_itimer_kt, 0, cpu_itimer_fire);   /* recompute at once */
}

/* ---- getrusage ---- */

static long status_field(const char *buf, const char *name)
{
	const char *p = strstr(buf, name);
	return p ? strtol(p + strlen(name), NULL, 10) : 0;
}

/* Adds one host thread's or process's counters (stat and status) to r. */
static void add_proc(struct task *t, bool thread, struct host_rusage *r)
{
	char buf[4096];
	if (!host_proc_read(t, thread, "stat", buf, sizeof buf)) {
		char *p = strrchr(buf, ')');
		unsigned long minflt, majflt;
		if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %lu %*u %lu", &minflt, &majflt) == 2) {
			r->minflt += (long)minflt;
			r->majflt += (long)majflt;
		}
	}
	if (!host_proc_read(t, thread, "status", buf, sizeof buf)) {
		long hwm = status_field(buf, "VmHWM:");
		if (hwm > r->maxrss_kb)
			r->maxrss_kb = hwm;
		r->nvcsw += status_field(buf, "voluntary_ctxt_switches:");
		r->nivcsw += status_field(buf, "nonvoluntary_ctxt_switches:");
	}
}

/*
 * task_host_rusage - what the host counted for t's thread (RU_THREAD) or
 * its whole process (RU_PROCESS: faults of the process, context switches
 * of every thread, plus what exited threads had): the getrusage fields
 * Linux fills besides the times.  Zeros where the host's /proc is not
 * umk's own (umk in a pid namespace of its own).
 */
void task_host_rusage(struct task *t, int who, struct host_rusage *r)
{
	memset(r, 0, sizeof *r);
	if (!t->tg)
		return;
	if (who == RU_THREAD) {
		add_proc(t, true, r);
		return;
	}
	struct task *o = live_thread(t->tg);
	if (!o) {
		*r = t->tg->ru_final;
		return;
	}
	char buf[4096];
	if (!host_proc_read(o, false, "stat", buf, sizeof buf)) {
		char *p = strrchr(buf, ')');
		unsigned long minflt, majflt;
		if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %lu %*u %lu", &minflt, &majflt) == 2) {
			r->minflt = (long)minflt;
			r->majflt = (long)majflt;
		}
	}
	if (!host_proc_read(o, false, "status", buf, sizeof buf)) {
		r->maxrss_kb = status_field(buf, "VmHWM:");
		/* one thread, the stub's leader: the process's status is the
		 * thread's (its context switches), so no second read */
		if (t->tg->nr_threads == 1 && o->host &&
		    platform->host_tid(o->host) == platform->host_pid(o->host)) {
			r->nvcsw = status_field(buf, "voluntary_ctxt_switches:") + t->tg->ru_exited.nvcsw;
			r->nivcsw = status_field(buf, "nonvoluntary_ctxt_switches:") +
				    t->tg->ru_exited.nivcsw;
			return;
		}
	}
	struct list_head *p;
	for (p = t->tg->threads.next; p != &t->tg->threads; p = p->next) {
		struct task *th = list_entry(p, struct task, thread_node);
		struct host_rusage one = { 0 };
		if (!th->host || th->state == TASK_DEAD)
			continue;
		add_proc(th, true, &one);
		r->nvcsw += one.nvcsw;
		r->nivcsw += one.nivcsw;
	}
	r->nvcsw += t->tg->ru_exited.nvcsw;
	r->nivcsw += t->tg->ru_exited.nivcsw;
}

/* A thread of t's process is about to leave its host thread: keep its
 * context switches (and, for the last one, the process's whole usage). */
void cputime_thread_exit(struct task *t)
{
	struct host_rusage one;
	if (!t->tg || !t->host)
		return;
	if (t->tg->nr_threads == 1) {
		/* the last thread: the platform may ask the stub itself (what
		 * task_host_rusage reads from /proc, at a fraction of its cost),
		 * unless another process shares the address space (CLONE_VM),
		 * whose code could write the answer's memory meanwhile */
		struct platform_rusage pr;
		if (platform->rusage && t->mm && t->mm->refs == 1 &&
		    !platform->rusage(t->host, &pr)) {
			struct host_rusage *r = &t->tg->ru_final;
			r->maxrss_kb = pr.maxrss_kb;
			r->minflt = pr.minflt;
			r->majflt = pr.majflt;
			r->nvcsw = pr.nvcsw + t->tg->ru_exited.nvcsw;
			r->nivcsw = pr.nivcsw + t->tg->ru_exited.nivcsw;
			return;
		}
		task_host_rusage(t, RU_PROCESS, &t->tg->ru_final);
		return;
	}
	task_host_rusage(t, RU_THREAD, &one);
	t->tg->ru_exited.nvcsw += one.nvcsw;
	t->tg->ru_exited.nivcsw += one.nivcsw;
}

/* A reaped child's usage goes to its parent's children totals. */
void cputime_reap(struct thread_group *parent, struct thread_group *child)
{
	struct host_rusage *c = &parent->ru_children;
	const struct host_rusage *a = &child->ru_final, *b = &child->ru_children;
	c->minflt += a->minflt + b->minflt;
	c->majflt += a->majflt + b->majflt;
	c->nvcsw += a->nvcsw + b->nvcsw;
	c->nivcsw += a->nivcsw + b->nivcsw;
	if (a->maxrss_kb > c->maxrss_kb)
		c->maxrss_kb = a->maxrss_kb;
	if (b->maxrss_kb > c->maxrss_kb)
		c->maxrss_kb = b->maxrss_kb;
}
