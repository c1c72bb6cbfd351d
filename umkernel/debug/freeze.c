/*
 * freeze.c - stopping guest threads for a look at them: `umk ctl SOCK
 * freeze` / `thaw` (every thread, as Linux's cgroup freezer), and the
 * stop of one thread that `stack` needs to read registers that are not
 * changing under it.
 *
 * In a nutshell: a thread parks in debug_freeze_park, called by its
 * kernel thread on the way back to guest code (task_loop), while
 * `frozen_all` or its own `debug_stop` is set; it waits on a condition
 * variable with klock released, so the kernel keeps serving the others.
 * A thread running guest code is kicked out of it (platform->kick); a
 * thread asleep in a syscall stays asleep and parks when it wakes.
 * Parked threads show as D (Linux shows frozen tasks so).
 *
 * Lock: klock guards every field here and the tasks' frozen/debug_stop.
 */
#include "../kernel.h"
#include "debug.h"
#include "../cgroup/cgroup.h"
#include <time.h>
#define UNW_LOCAL_ONLY
#include <libunwind.h>

int debug_freeze_pending;              /* frozen_all + threads with debug_stop */
static bool frozen_all;
static pthread_cond_t thaw_cv;         /* CLOCK_MONOTONIC: parked threads wait here */
static pthread_cond_t parked_cv;       /* the one who asked waits here */

static void init_cvs(void)
{
	static bool done;
	if (done)
		return;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&thaw_cv, &ca);
	pthread_cond_init(&parked_cv, &ca);
	pthread_condattr_destroy(&ca);
	done = true;
}

#define FREEZE_WAIT_MS 5000     /* the longest a freeze waits for a thread to park */

/* A deadline ms from now, for pthread_cond_timedwait. */
static struct timespec after_ms(int ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

void debug_freeze_park(struct task *t)
{
	if (!frozen_all && !t->debug_stop && !cgroup_task_frozen(t))
		return;
	init_cvs();
	unw_context_t ctx;             /* kstack shows where it parks */
	kstack_save(&ctx);
	t->sleep_ctx = &ctx;
	t->frozen = true;
	pthread_cond_broadcast(&parked_cv);
	/* a group exit (SIGKILL, a fatal signal from the host) still ends
	 * a frozen thread, as Linux's freezer lets fatal signals through:
	 * looked at every 100 ms */
	while ((frozen_all || t->debug_stop || cgroup_task_frozen(t)) && !t->tg->group_exit && !t->zapped &&
	       !(signal_pending_set(t) & SIGBIT(SIGKILL))) {
		struct timespec until = after_ms(100);
		pthread_cond_timedwait(&thaw_cv, &klock, &until);
	}
	t->frozen = false;
	t->sleep_ctx = NULL;
}

/* Kicks t out of guest code; true if it is parked already. */
static bool kick_out(struct task *t)
{
	if (t->frozen)
		return true;
	if (t->state == TASK_RUNNING_USER && t->host)
		platform->kick(t->host);
	return false;
}

static bool is_guest_thread(struct task *t)
{
	return t->state != TASK_ZOMBIE && t->state != TASK_DEAD && t->tg;
}

int debug_freeze_all(void)
{
	init_cvs();
	if (!frozen_all) {
		frozen_all = true;
		debug_freeze_pending++;
	}
	/* wait for the threads running guest code: they park at once on a
	 * quiet machine; allow 5 s for a loaded one (the kick is a host
	 * signal, delivered when the stub thread next gets a CPU) */
	struct timespec until = after_ms(FREEZE_WAIT_MS);
	for (;;) {
		bool running = false;
		for (struct list_head *p = all_tasks.next; p != &all_tasks; p = p->next) {
			struct task *t = list_entry(p, struct task, all);
			if (is_guest_thread(t) && !kick_out(t) && t->state == TASK_RUNNING_USER)
				running = true;
		}
		if (!running || pthread_cond_timedwait(&parked_cv, &klock, &until) == ETIMEDOUT)
			break;
	}
	int n = 0;
	for (struct list_head *p = all_tasks.next; p != &all_tasks; p = p->next) {
		struct task *t = list_entry(p, struct task, all);
		n += is_guest_thread(t) && t->frozen;
	}
	return n;
}

/* Parked threads look again at what holds them (cgroup.freeze 0). */
void debug_freeze_recheck(void)
{
	init_cvs();
	pthread_cond_broadcast(&thaw_cv);
}

void debug_thaw_all(void)
{
	init_cvs();
	if (frozen_all) {
		frozen_all = false;
		debug_freeze_pending--;
	}
	pthread_cond_broadcast(&thaw_cv);
}

int debug_stop_task(struct task *t, int tid)
{
	init_cvs();
	if (t->debug_stop)
		return -EBUSY;
	t->debug_stop = true;
	debug_freeze_pending++;
	struct timespec until = after_ms(FREEZE_WAIT_MS);
	int err = 0;
	while (t->state == TASK_RUNNING_USER || t->state == TASK_NEW) {
		kick_out(t);
		if (pthread_cond_timedwait(&parked_cv, &klock, &until) == ETIMEDOUT) {
			err = -ETIMEDOUT;
			break;
		}
		/* klock was dropped: the task may have gone */
		if (task_find(tid) != t) {
			debug_freeze_pending--;
			return -ESRCH;
		}
	}
	return err;
}

void debug_release_task(struct task *t)
{
	if (!t->debug_stop)
		return;
	t->debug_stop = false;
	debug_freeze_pending--;
	pthread_cond_broadcast(&thaw_cv);
}
