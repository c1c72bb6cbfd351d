/*
 * ktimer.c - one-shot kernel timers run by a single timer thread.
 *
 * In a nutshell: a struct ktimer is armed with an absolute
 * CLOCK_MONOTONIC deadline and a function.  One host thread, started on
 * the first ktimer_arm, sleeps on a condition variable (clocked on
 * CLOCK_MONOTONIC) until the earliest deadline, disarms every timer that
 * is due and calls its function.  Users: ITIMER_REAL and alarm
 * (time.c) and timerfd (timerfd.c).  Callers on other clocks convert
 * their deadline to CLOCK_MONOTONIC when they arm.
 *
 * Locking: the timer list is guarded by klock.  ktimer_arm/cancel are
 * called with klock held; the timer thread takes klock and holds it while
 * it runs the functions (which may re-arm their own timer, send signals
 * and wake tasks), dropping it only inside pthread_cond_(timed)wait.
 */
#include "../kernel.h"

#include <time.h>

#define NSEC 1000000000ULL

static struct list_head timers = LIST_HEAD_INIT(timers);
static pthread_cond_t timer_cond;
static bool timer_started;

static void *ktimer_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&klock);
	for (;;) {
		uint64_t now = now_ns(CLOCK_MONOTONIC), next = 0;
		struct list_head *p, *n;
		bool ran = false;

		list_for_each_safe(p, n, &timers) {
			struct ktimer *kt = list_entry(p, struct ktimer, link);

			if (kt->deadline <= now) {
				list_del(&kt->link);
				kt->armed = false;
				kt->fn(kt);
				ran = true;
				break;  /* fn may have changed the list: rescan */
			}
			if (!next || kt->deadline < next)
				next = kt->deadline;
		}
		if (ran)
			continue;
		if (!next) {
			pthread_cond_wait(&timer_cond, &klock);
		} else {
			struct timespec ts = { next / NSEC, next % NSEC };

			pthread_cond_timedwait(&timer_cond, &klock, &ts);
		}
	}
	return NULL;
}

static void ktimer_kick(void)
{
	if (!timer_started) {
		pthread_condattr_t ca;
		pthread_t th;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&timer_cond, &ca);
		pthread_condattr_destroy(&ca);
		if (pthread_create(&th, NULL, ktimer_main, NULL))
			oops("ktimer: cannot start the timer thread");
		pthread_detach(th);
		timer_started = true;
	}
	pthread_cond_signal(&timer_cond);
}

/*
 * ktimer_arm - arms kt (re-arming moves it) so that the timer thread
 * calls fn(kt) under klock once CLOCK_MONOTONIC reaches deadline.  kt
 * must stay allocated until it has run or ktimer_cancel returned.
 */
void ktimer_arm(struct ktimer *kt, uint64_t deadline, void (*fn)(struct ktimer *))
{
	if (kt->armed)
		list_del(&kt->link);
	kt->deadline = deadline;
	kt->fn = fn;
	kt->armed = true;
	list_add_tail(&kt->link, &timers);
	ktimer_kick();
}

/* ktimer_cancel - disarms kt; after it returns fn will not run. */
void ktimer_cancel(struct ktimer *kt)
{
	if (!kt->armed)
		return;
	list_del(&kt->link);
	kt->armed = false;
}
