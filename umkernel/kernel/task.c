/*
 * task.c - tasks, their kernel threads, wait queues and sleeping.
 *
 * In a nutshell: each guest thread is served by one host thread (its
 * kernel thread) running task_main(), a visible state machine:
 *
 *     [return to user: do_signal]  ->  platform->run()  ->  event
 *          ^                                                  |
 *          +-- syscall_enter / force_sig_fault / interrupt <--+
 *
 * The kernel thread holds klock except inside platform->run() and
 * task_sleep().  A sleeping task waits on its own eventfd (plus at most
 * one host fd); task_wake() writes to that eventfd.  A task running guest
 * code is woken by platform->kick().
 *
 * Lock: klock guards every field of every task, all lists here and the
 * pid counter.
 */
#include "../kernel.h"
#include <sys/utsname.h>
#include "task.h"
#include "../mm/mm.h"
#include "../fs/fs.h"
#include "../security/landlock.h"
#include "../debug/debug.h"
#include "../debug/fault.h"
#include "../cgroup/cgroup.h"
#include <poll.h>
#include <setjmp.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#define UNW_LOCAL_ONLY
#include <libunwind.h>

/* An adaptive mutex: a thread that finds it held spins a little before
 * sleeping, which pays when the holder runs on another CPU (many tasks
 * making syscalls at once: hackbench's 400 tasks over UNIX sockets took
 * 0.84 of the time a plain mutex gave, median of 10 alternated pairs);
 * uncontended it costs what a plain one does. */
pthread_mutex_t klock = PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP;
struct list_head all_tasks = LIST_HEAD_INIT(all_tasks);
struct task *init_task;
__thread struct task *current;
uint64_t boot_time_ns;
struct linux_rlimit host_rlimits[LINUX_RLIM_NLIMITS];
static int nr_cpus = 1;
static int next_cpu;

uint64_t now_ns(int clockid)
{
	struct timespec ts;
	clock_gettime(clockid, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec + (uint64_t)clock_offset_ns(clockid);
}

/* ---- wait queues ---- */

void waitq_init(struct wait_queue *wq)
{
	list_init(&wq->waiters);
}

void waitq_add(struct wait_queue *wq, struct waiter *w, struct task *t)
{
	w->task = t;
	w->func = NULL;
	w->exclusive = false;
	list_add_tail(&w->link, &wq->waiters);
}

void waitq_add_func(struct wait_queue *wq, struct waiter *w, void (*func)(struct waiter *), void *data)
{
	w->task = NULL;
	w->func = func;
	w->data = data;
	w->exclusive = false;
	list_add_tail(&w->link, &wq->waiters);
}

void waitq_del(struct waiter *w)
{
	list_del(&w->link);
}

void wake_up(struct wait_queue *wq)
{
	struct list_head *p, *n;
	bool exclusive_woken = false;   /* __wake_up's nr_exclusive of 1 */
	list_for_each_safe(p, n, &wq->waiters) {
		struct waiter *w = list_entry(p, struct waiter, link);
		if (w->exclusive && exclusive_woken)
			continue;
		w->took = !w->func;
		if (w->func)
			w->func(w);
		else
			task_wake(w->task);
		if (w->exclusive && w->took)
			exclusive_woken = true;
	}
}

/* Wakes t from task_sleep (or makes its next task_sleep return at once). */
void task_wake(struct task *t)
{
	t->woken = true;
	if (t->state == TASK_SLEEPING && t->wakefd >= 0) {
		uint64_t one = 1;
		if (write(t->wakefd, &one, sizeof one) < 0) {
			/* eventfd full: it is already readable */
		}
	}
}

static int sleep_common(struct task *t, uint64_t deadline, int hostfd, short events,
			uint64_t spin, bool nosig);

int task_sleep(struct task *t, uint64_t deadline, int hostfd, short events)
{
	t->wchan = __builtin_return_address(0);
	return sleep_common(t, deadline, hostfd, events, 0, false);
}

/* The sleep of a stopped task (group stop, ptrace stop): only task_wake
 * ends it; pending signals do not (the caller looks at SIGKILL). */
void task_sleep_stopped(struct task *t)
{
	t->wchan = __builtin_return_address(0);
	sleep_common(t, 0, -1, 0, 0, true);
}

/* A sleep that pending signals do not end, only a wake-up or the
 * deadline (Linux's TASK_KILLABLE): the caller checks its condition and
 * tg->group_exit.  Found by fuzzing: where task_sleep's -EINTR was
 * ignored in a loop (a vfork parent, an execve waiting for the other
 * threads), a handled signal pending made the loop spin holding klock,
 * hanging the whole kernel. */
int task_sleep_nosig(struct task *t, uint64_t deadline)
{
	t->wchan = __builtin_return_address(0);
	return sleep_common(t, deadline, -1, 0, 0, true);
}

/* A wait that the other side usually ends within microseconds (a pipe's
 * reader or writer): spin that long for the wake-up first, since waking
 * a kernel thread whose vCPU went idle costs tens of microseconds. */
#define SLEEP_SPIN_CYCLES 100000  /* ~40 us at 2.4 GHz */
int task_sleep_short(struct task *t)
{
	t->wchan = __builtin_return_address(0);
	return sleep_common(t, 0, -1, 0, nr_cpus > 1 ? SLEEP_SPIN_CYCLES : 0, false);
}

static int sleep_common(struct task *t, uint64_t deadline, int hostfd, short events,
			uint64_t spin, bool nosig)
{
	if (!nosig && signal_pending(t))
		return -EINTR;
	if (t->woken) {
		t->woken = false;
		return 0;
	}
	struct pollfd pfd[2] = { { t->wakefd, POLLIN, 0 }, { hostfd, events, 0 } };
	int timeout = -1;
	if (deadline) {
		uint64_t now = now_ns(CLOCK_MONOTONIC);
		if (now >= deadline)
			return -ETIMEDOUT;
		uint64_t ms = (deadline - now + 999999) / 1000000;
		timeout = ms > 1000000 ? 1000000 : (int)ms;
	}
	enum task_state old = t->state;
	t->state = TASK_SLEEPING;
	unw_context_t ctx;             /* where this kernel thread sleeps: kstack */
	kstack_save(&ctx);
	t->sleep_ctx = &ctx;
	pthread_mutex_unlock(&klock);
	if (spin) {
		uint64_t t0 = __builtin_ia32_rdtsc();
		while (!__atomic_load_n(&t->woken, __ATOMIC_ACQUIRE) &&
		       __builtin_ia32_rdtsc() - t0 < spin)
			;
	}
	int r = poll(pfd, hostfd >= 0 ? 2 : 1, timeout);
	pthread_mutex_lock(&klock);
	t->state = old;
	t->sleep_ctx = NULL;
	uint64_t v;
	if (pfd[0].revents & POLLIN && read(t->wakefd, &v, sizeof v) < 0) {
		/* nothing to drain */
	}
	t->woken = false;
	if (!nosig && signal_pending(t))
		return -EINTR;
	if (r == 0 && deadline && now_ns(CLOCK_MONOTONIC) >= deadline)
		return -ETIMEDOUT;
	return 0;
}

/* ---- task lifetime ---- */

/* The wake eventfds of released tasks, kept for the next task_alloc:
 * every guest fork made one and every exit closed it (two host syscalls
 * and an allocation each way); a kept one is drained once. */
#define WAKEFD_CACHE 32
static int wakefd_cache[WAKEFD_CACHE], nwakefd_cache;
static pthread_mutex_t wakefd_lock = PTHREAD_MUTEX_INITIALIZER;

static int wakefd_get(void)
{
	int fd = -1;
	pthread_mutex_lock(&wakefd_lock);
	if (nwakefd_cache)
		fd = wakefd_cache[--nwakefd_cache];
	pthread_mutex_unlock(&wakefd_lock);
	if (fd >= 0) {
		uint64_t v;
		if (read(fd, &v, sizeof v) < 0) {
			/* EAGAIN: it held nothing */
		}
		return fd;
	}
	return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

static void wakefd_put(int fd)
{
	pthread_mutex_lock(&wakefd_lock);
	if (nwakefd_cache < WAKEFD_CACHE) {
		wakefd_cache[nwakefd_cache++] = fd;
		fd = -1;
	}
	pthread_mutex_unlock(&wakefd_lock);
	if (fd >= 0)
		close(fd);
}

struct task *task_alloc(void)
{
	struct task *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	list_init(&t->children);
	list_init(&t->sibling);
	list_init(&t->thread_node);
	list_init(&t->pending.queue);
	list_init(&t->ptraced);
	list_init(&t->ptrace_entry);
	t->wakefd = wakefd_get();
	t->state = TASK_NEW;
	t->exit_signal = SIGCHLD;
	t->start_time_ns = now_ns(CLOCK_MONOTONIC);
	t->cpu = -1;
	t->fault_err = -1;
	list_add_tail(&t->all, &all_tasks);
	return t;
}

/* Frees a reaped task (its kernel thread is gone or going). */
void release_task(struct task *t)
{
	/* a dead thread a tracer has just reaped may be the last task
	 * holding an exited group whose leader waits for it (process_exit) */
	struct thread_group *held = t->tg && t->tg->leader != t && t->tg->refs > 1 ? t->tg : NULL;
	ptrace_release(t);
	list_del(&t->all);
	list_del(&t->sibling);
	cgroup_release(t);   /* cgroup/cgroup.c */
	struct list_head *p, *n;
	list_for_each_safe(p, n, &t->pending.queue) {
		list_del(p);
		sigqueue_free(list_entry(p, struct sigqueue, link));
	}
	if (t->tg && --t->tg->refs == 0) {
		list_for_each_safe(p, n, &t->tg->shared_pending.queue) {
			list_del(p);
			sigqueue_free(list_entry(p, struct sigqueue, link));
		}
		detach_pid(t->tg->pgrp);
		detach_pid(t->tg->session);
		autogroup_put(t->tg->autogroup);
		free(t->tg);
	}
	if (t->pid) {
		/* pidfds of a reaped process see it gone, and its exit status */
		t->pid->task = NULL;
		t->pid->reaped = true;
		t->pid->exit_code = t->exit_code;
		pid_notify(t->pid);
		detach_pid(t->pid);
	}
	put_user_ns(t->user_ns);
	put_nsproxy(t->nsproxy);
	landlock_release(t);
	if (t->wakefd >= 0)
		wakefd_put(t->wakefd);
	free(t);
	if (held && held->refs == 1 && held->nr_threads == 0 && held->leader->state == TASK_ZOMBIE)
		process_exit_notify(held->leader);
}

void task_cpu_times(struct task *t, int64_t *utime_ns, int64_t *stime_ns)
{
	*utime_ns = t->utime_ns;
	*stime_ns = t->stime_ns;
	if (t->state == TASK_ZOMBIE || t->state == TASK_DEAD || !t->host)
		return;
	pid_t tid = platform->host_tid(t->host);
	/* The CPU clocks of the stub process (process-wide, as the /proc
	 * file below): PROF is user+system, VIRT user only.  Readable for
	 * a thread group leader only; others read /proc. */
	clockid_t base = (clockid_t)(~(unsigned)tid << 3);
	struct timespec prof, virt;
	if (!clock_gettime(base | 0, &prof) && !clock_gettime(base | 1, &virt)) {
		*utime_ns = (int64_t)virt.tv_sec * 1000000000LL + virt.tv_nsec;
		*stime_ns = (int64_t)prof.tv_sec * 1000000000LL + prof.tv_nsec - *utime_ns;
		return;
	}
	if (!host_proc_is_ours())
		return;
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", tid);
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	unsigned long ut, st;
	if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) == 2) {
		long hz = sysconf(_SC_CLK_TCK);
		*utime_ns = (int64_t)ut * (1000000000LL / hz);
		*stime_ns = (int64_t)st * (1000000000LL / hz);
	}
}

static void pin_self(int cpu)
{
	if (cpu < 0)
		return;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static void affinity_apply(struct task *t);

/* The state machine of one guest thread; never returns. */
static void task_loop(struct task *t)
{
	struct platform_ev ev;
	unw_context_t base;            /* the kernel thread's frames below here: kstack */
	kstack_save(&base);
	t->loop_ctx = &base;
	for (;;) {
		if (t->affinity_changed)
			affinity_apply(t);
		debug_freeze_point(t);         /* `umk ctl freeze`, `stack` (debug/freeze.c) */
		do_signal(t, t->in_syscall ? (long)t->regs.rax : 0);
		t->in_syscall = false;
		t->state = TASK_RUNNING_USER;
		pthread_mutex_unlock(&klock);
		int err = platform->run(t->host, &t->regs, &ev);
		pthread_mutex_lock(&klock);
		t->state = TASK_IN_KERNEL;
		if (err) {
			/* a group exit by another thread may have ended the
			 * whole stub already: not worth a word then */
			if (!t->tg->group_exit)
				umk_log("pid %d: platform: %s", t->tid, strerror(-err));
			do_group_exit(t, SIGKILL);
		}
		switch (ev.kind) {
		case EV_SYSCALL:
			if (ev.legacy_syscall) {
				/* 32-bit syscalls are refused as by a kernel built
				 * without IA32_EMULATION: #GP -> SIGSEGV. */
				linux_siginfo_t si = { .si_signo = SIGSEGV, .si_code = 0x80 /* SI_KERNEL */ };
				force_sig_fault(t, &si);
				break;
			}
			if (ev.trapped)
				syscall_site_trapped(t);
			syscall_enter(t);
			t->in_syscall = true;
			break;
		case EV_FAULT:
			/* a page userfaultfd traps (mm/userfaultfd.c) */
			if (t->mm && t->mm->uffd) {
				int u = uffd_handle_fault(t, ev.info.u.fault.addr, ev.fault_err, &ev.info);
				if (u == 0)
					break;
				if (u == 1) {
					force_sig_fault(t, &ev.info);
					break;
				}
			}
			/* the first write to a page umk write-protected in a
			 * shared file mapping (mm/pagecache.c) */
			if (t->mm) {
				int w = pcache_wp_fault(t, ev.info.u.fault.addr, ev.fault_err, &ev.info);
				if (w == 0)
					break;
				if (w == 1) {
					force_sig_fault(t, &ev.info);
					break;
				}
			}
			/* an access below a MAP_GROWSDOWN mapping grows it
			 * (the stack), and the instruction runs again */
			if (ev.info.si_signo == SIGSEGV && ev.info.si_code == 1 /* SEGV_MAPERR */ &&
			    t->mm && t->tg &&
			    !mm_expand_stack(t->mm, ev.info.u.fault.addr, t->tg->rlim[RLIMIT_STACK].rlim_cur))
				break;
			t->fault_err = ev.fault_err;
			t->fault_trapno = ev.fault_trapno;
			force_sig_fault(t, &ev.info);
			break;
		case EV_INTERRUPT:
			if (t->fault)
				fault_interrupt(t);   /* a timer's memory or register fault */
			break;
		case EV_EXIT:
			do_group_exit(t, SIGKILL);
		}
	}
}

/*
 * Kernel threads are kept for the next task: a task's thread that ends
 * (do_exit -> kthread_exit) parks in idle_workers, and task_start hands
 * the next new task to a parked one instead of creating a thread (which
 * costs a clone, a stack, and at its end a madvise of that stack with a
 * TLB shootdown across umk's CPUs).  A worker's stack unwinds to
 * worker_main with longjmp, as pthread_exit would unwind it.
 */
struct kworker {
	struct kworker *next;
	pthread_cond_t cv;
	struct task *task;             /* the task to run next; NULL while idle */
	int cpu;                       /* the CPU it is pinned to, -1 none */
	jmp_buf done;
};
#define MAX_IDLE_WORKERS 16
static struct kworker *idle_workers;
static int nr_idle_workers;
static __thread struct kworker *self_worker;

int task_pick_cpu(void)
{
	/* where the worker task_start will take sits already */
	if (idle_workers && idle_workers->cpu >= 0)
		return idle_workers->cpu;
	return next_cpu++ % nr_cpus;
}

/* task_pick_cpu within the CPUs of mask (sched_setaffinity's, inherited). */
int task_pick_cpu_in(uint64_t mask)
{
	int cpu = task_pick_cpu();
	if (!mask || cpu >= 64 || (mask & (1ULL << cpu)))
		return cpu;
	for (int k = 1; k <= nr_cpus; k++) {
		int c = (cpu + k) % nr_cpus;
		if (c < 64 && (mask & (1ULL << c)))
			return c;
	}
	return cpu;
}

/*
 * affinity_apply - sched_setaffinity took effect: t's kernel thread and
 * its guest thread move to a CPU of t->cpus_allowed (the one they are on
 * if it is allowed).  Run by t's own kernel thread (only it may touch its
 * host thread), before it resumes the guest.
 */
static void affinity_apply(struct task *t)
{
	uint64_t online = cpus_online_mask(), mask = t->cpus_allowed & online;
	t->affinity_changed = false;
	if (!mask)
		mask = online;
	if (t->cpu < 0 || t->cpu >= 64 || !(mask & (1ULL << t->cpu)))
		t->cpu = __builtin_ctzll(mask);
	pin_self(t->cpu);
	if (self_worker)
		self_worker->cpu = t->cpu;
	if (t->host && platform->set_cpu)
		platform->set_cpu(t->host, t->cpu, mask == online ? 0 : mask);
}

static void task_main(struct task *t);

static void *worker_main(void *arg)
{
	struct kworker *w = arg;
	self_worker = w;
	if (setjmp(w->done)) {
		/* the task ended: wait for the next, under klock */
		if (nr_idle_workers >= MAX_IDLE_WORKERS) {
			pthread_mutex_unlock(&klock);
			pthread_cond_destroy(&w->cv);
			free(w);
			return NULL;
		}
		w->task = NULL;
		w->next = idle_workers;
		idle_workers = w;
		nr_idle_workers++;
		while (!w->task)
			pthread_cond_wait(&w->cv, &klock);
		pthread_mutex_unlock(&klock);
	}
	task_main(w->task);
	return NULL;
}

/* Ends the calling kernel thread's task; called with klock held, which
 * is released.  Never returns. */
void kthread_exit(void)
{
	current = NULL;
	if (self_worker)
		longjmp(self_worker->done, 1);
	/* the first task's thread: it just stops (pthread_exit would load
	 * libgcc_s to unwind, a millisecond at every umk exit) */
	pthread_mutex_unlock(&klock);
	for (;;)
		pause();
}

static void task_main(struct task *t)
{
	current = t;
	if (!self_worker || self_worker->cpu != t->cpu) {
		pin_self(t->cpu);
		if (self_worker)
			self_worker->cpu = t->cpu;
	}
	/* The new host thread reports to the platform alone: no need to
	 * hold klock (its parent's kernel thread may still have it). */
	long token = t->fork_token;
	struct host_thread *host = NULL;
	int err = token ? platform->adopt(token, &host, t->cpu) : 0;
	pthread_mutex_lock(&klock);
	if (token) {
		t->fork_token = 0;
		if (err) {
			/* A group exit that came while the thread was being
			 * made kills its new host thread (the whole stub goes):
			 * a program that exits while it makes threads (Go's
			 * runtime does) is no failure to report. */
			if (!t->tg->group_exit)
				umk_log("pid %d: cannot adopt its host thread: %s", t->tid,
					strerror(-err));
			do_exit(t, SIGKILL);
		}
		t->host = host;
		vdso_patch_clocks_task(t);   /* a copy of an mm made before the clock was set */
		if (t->set_child_tid) {
			int tid = task_pid_vnr(t, t);   /* its own namespace's number */
			copy_to_user(t, t->set_child_tid, &tid, sizeof tid);
			t->set_child_tid = 0;
		}
	}
	task_loop(t);
}

void task_start(struct task *t)
{
	if (t->cpu < 0)
		t->cpu = task_pick_cpu();
	struct kworker *w = idle_workers;
	if (w) {
		idle_workers = w->next;
		nr_idle_workers--;
		w->task = t;
		pthread_cond_signal(&w->cv);
		return;
	}
	w = calloc(1, sizeof *w);
	if (!w)
		oops("cannot create a kernel thread");
	pthread_cond_init(&w->cv, NULL);
	w->cpu = -1;
	w->task = t;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 1 << 20);
	pthread_t kt;
	if (pthread_create(&kt, &attr, worker_main, w))
		oops("cannot create a kernel thread");
	pthread_attr_destroy(&attr);
}

/* ---- the first process ---- */

struct init_args {
	const char *path;
	char **argv, **envp;
	int status;            /* set if it never started */
};
static struct init_args init_args;
static pthread_cond_t guest_done = PTHREAD_COND_INITIALIZER;
static bool init_gone;

/* Called by exit code when the last task is gone, under klock. */
void guest_finished(int status)
{
	init_args.status = status;
	init_gone = true;
	pthread_cond_broadcast(&guest_done);
}

static void strace_first_exec(struct task *t, const char *path);

/* Runs PROGRAM as the shell would: a name without '/' is looked up in
 * the guest's PATH.  Returns 0 after a successful execve, or prints one
 * line and returns the shell's status (127 not found, 126 not runnable). */
/* The kernel log's first lines, as Linux's boot and its "Run PATH as
 * init process" (kernel/printk.c). */
static void boot_log(const char *init)
{
	struct utsname u;
	if (uname(&u) == 0)
		printk(5, "Linux version %s (umk@umk) (gcc) #1 SMP PREEMPT_DYNAMIC umk", u.release);
	printk(6, "Run %s as init process", init);
}

static int exec_init(struct task *t)
{
	const char *prog = init_args.path;
	if (strchr(prog, '/')) {
		int err = do_execve(t, prog, init_args.argv, init_args.envp);
		if (!err) {
			boot_log(prog);
			strace_first_exec(t, prog);
			return 0;
		}
		fprintf(stderr, "umk: %s: %s\n", prog, strerror(-err));
		return err == -ENOENT ? 127 : 126;
	}
	const char *pathvar = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (char **e = init_args.envp; *e; e++)
		if (!strncmp(*e, "PATH=", 5))
			pathvar = *e + 5;
	int first_err = -ENOENT;
	const char *p = pathvar;
	for (;;) {
		const char *colon = strchr(p, ':');
		size_t len = colon ? (size_t)(colon - p) : strlen(p);
		char buf[4096];
		snprintf(buf, sizeof buf, "%.*s%s%s", (int)len, p, len ? "/" : "", prog);
		int err = do_execve(t, buf, init_args.argv, init_args.envp);
		if (!err) {
			boot_log(buf);
			strace_first_exec(t, buf);
			return 0;
		}
		if (err != -ENOENT && err != -ENOTDIR && first_err == -ENOENT)
			first_err = err;
		if (!colon)
			break;
		p = colon + 1;
	}
	if (first_err == -ENOENT) {
		fprintf(stderr, "umk: %s: command not found\n", prog);
		return 127;
	}
	fprintf(stderr, "umk: %s: %s\n", prog, strerror(-first_err));
	return 126;
}

/* strace shows the first execve too: umk made it, so print it here. */
static void strace_first_exec(struct task *t, const char *path)
{
	if (!strace_out)
		return;
	int argc = 0, envc = 0;
	while (init_args.argv[argc])
		argc++;
	while (init_args.envp[envc])
		envc++;
	fprintf(strace_out, "[pid %d] execve(\"%s\", [", t->tid, path);
	for (int i = 0; i < argc; i++)
		fprintf(strace_out, "%s\"%s\"", i ? ", " : "", init_args.argv[i]);
	fprintf(strace_out, "], %#lx /* %d var%s */) = 0\n",
		(unsigned long)(t->regs.rsp + 8 * (argc + 2)), envc, envc == 1 ? "" : "s");
	fflush(strace_out);
}

static void *init_main(void *arg)
{
	struct task *t = arg;
	current = t;
	pin_self(t->cpu);
	pthread_mutex_lock(&klock);
	struct host_thread *host;
	int err = platform->mm_new(&host, t->cpu);
	if (err) {
		fprintf(stderr, "umk: cannot create a guest address space: %s\n", strerror(-err));
		t->exit_code = 127 << 8;
		do_exit(t, 127 << 8);
	}
	t->host = host;
	t->mm = mm_new();
	mm_add_vdso(t->mm);
	t->state = TASK_IN_KERNEL;
	task_count_live();
	t->regs.orig_rax = (uint64_t)-1;   /* not in a syscall: exec keeps orig_rax */
	int status = exec_init(t);
	if (status)
		do_exit(t, status << 8);
	task_loop(t);
	return NULL;
}

int run_init(const char *path, char **argv, char **envp, const char *cwd)
{
	boot_time_ns = now_ns(CLOCK_MONOTONIC);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	nr_cpus = n > 0 ? (int)n : 1;
	init_args.path = path;
	init_args.argv = argv;
	init_args.envp = envp;

	pthread_mutex_lock(&klock);
	struct task *t = task_alloc();
	int perr;
	cgroup_fork(t, NULL);   /* the root cgroup */
	t->pid = alloc_pid(&init_pid_ns, &perr);
	if (!t->pid)
		oops("cannot allocate the first pid");
	t->pid->task = t;
	t->tid = t->pid->numbers[0].nr;
	init_pid_ns.child_reaper = t;
	t->user_ns = get_user_ns(&init_user_ns);
	t->nsproxy = get_nsproxy(&init_nsproxy);
	t->cpus_allowed = cpus_online_mask();
	t->cred.cap_permitted = t->cred.cap_effective = t->cred.cap_bset = CAP_FULL_SET;
	t->tg = calloc(1, sizeof *t->tg);
	t->tg->refs = 1;
	t->tg->nr_threads = 1;
	t->tg->tgid = t->tid;
	t->tg->leader = t;
	list_init(&t->tg->threads);
	list_add_tail(&t->thread_node, &t->tg->threads);
	tg_set_pgid(t->tg, t->tid);
	tg_set_sid(t->tg, t->tid);
	t->tg->tty_fg_pgrp = t->tid;
	t->tg->coredump_filter = 0x33;   /* Linux's default */
	t->loginuid = t->sessionid = (uint32_t)-1;
	t->timer_slack_ns = t->default_timer_slack_ns = 50000;
	list_init(&t->tg->shared_pending.queue);
	waitq_init(&t->tg->child_wait);
	waitq_init(&t->tg->signal_wait);
	/* The first process inherits umk's own limits as the host gave them,
	 * as the program would natively (main.c saves them before raising
	 * umk's NOFILE). */
	memcpy(t->tg->rlim, host_rlimits, sizeof t->tg->rlim);
	/* and umk's nice value, as a child of its would (getpriority(2)
	 * cannot fail for the caller itself) */
	errno = 0;
	int nice = getpriority(PRIO_PROCESS, 0);
	t->nice = errno ? 0 : nice < -20 ? -20 : nice > 19 ? 19 : nice;
	t->parent = NULL;
	t->sighand = calloc(1, sizeof *t->sighand);
	t->sighand->refs = 1;
	t->fs = calloc(1, sizeof *t->fs);
	t->fs->refs = 1;
	t->fs->cwd = strdup(cwd);
	t->fs->root = strdup("/");
	t->fs->umask = 022;
	t->files = fdtable_new();
	for (int fd = 0; fd < 3; fd++) {
		int h = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		if (h < 0)
			continue;
		int fl = fcntl(h, F_GETFL);
		struct file *f = file_from_host_stdio(h, fl & ~O_NONBLOCK, fd == 0 ? "/dev/stdin" : fd == 1 ? "/dev/stdout" : "/dev/stderr");
		if (f)
			fd_install_at(t, fd, f, false);
	}
	const char *base = strrchr(path, '/');
	snprintf(t->comm, sizeof t->comm, "%s", base ? base + 1 : path);
	init_task = t;
	t->cpu = task_pick_cpu();
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t->kthread, &attr, init_main, t))
		oops("cannot create the first kernel thread");
	while (!init_gone)
		pthread_cond_wait(&guest_done, &klock);
	int status = init_args.status;
	pthread_mutex_unlock(&klock);
	return status;
}
