/*
 * signal_race - short timers and signals racing with sleeps and
 * wake-ups, ROUNDS rounds of each kind (timer delays of 0 to 2 ms):
 *   posix timer + sigsuspend: coreutils timeout's shape: SIGALRM and
 *       SIGCHLD blocked, a child in a 30 s nanosleep, a CLOCK_REALTIME
 *       timer, waitpid(WNOHANG) and sigsuspend until the child is gone;
 *       the SIGALRM handler SIGKILLs the child, which must die of it.
 *   itimer + ppoll: ITIMER_REAL with SIGALRM blocked, then a 30 s ppoll
 *       that unblocks it: EINTR.
 *   timer SIGTERM to its own clock_nanosleep: a child whose timer sends
 *       it SIGTERM while it sleeps 30 s must die of it.
 *   kill of a sleeping sibling: busybox timeout's shape, a process that
 *       waits 0-2 ms, then SIGTERMs one in a 30 s nanosleep.
 *   two timers + ppoll: two timers 50 us apart, both signals taken.
 *   pipe read/poll vs the writer's SIGCHLD: a child writes a byte and
 *       exits; the parent (a SIGCHLD handler without SA_RESTART) must
 *       get the byte from read or POLLIN from poll, never EINTR, since
 *       the signal came after the data (Linux looks at the pipe first).
 * "lost" counts rounds where the sleeper was not interrupted (the sleep
 * ran out) or, for the pipe, an EINTR with data there.  A timer expiry
 * was once seen lost under load (`timeout -s KILL 0.2 sleep 5` ran to
 * the end); the pipe's EINTR was found by this test (kill rounds).
 * Nothing here measures time: only how each round ended.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 200
#define LONG_SLEEP 30

static volatile pid_t victim;
static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
	if (victim > 0)
		kill(victim, SIGKILL);
}

static void on_chld(int sig)
{
	(void)sig;
}

static long short_ns(unsigned r)
{
	/* 0, 1 us ... 2 ms: spread over the window where arming, the timer
	 * thread and the sleep race */
	static const long ns[] = { 0, 1000, 20000, 100000, 500000, 1000000, 2000000 };
	return ns[r % (sizeof ns / sizeof ns[0])];
}

static int posix_round(unsigned r)
{
	sigset_t block, orig;
	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &orig);
	pid_t c = fork();
	if (c < 0)
		return -1;
	if (c == 0) {
		sigprocmask(SIG_SETMASK, &orig, NULL);
		struct timespec ts = { LONG_SLEEP, 0 };
		nanosleep(&ts, NULL);
		_exit(0);
	}
	victim = c;
	timer_t id;
	struct sigevent ev;
	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGALRM;
	if (timer_create(CLOCK_REALTIME, &ev, &id))
		return -1;
	long ns = short_ns(r) ? short_ns(r) : 1;
	struct itimerspec its = { { 0, 0 }, { 0, ns } };
	if (timer_settime(id, 0, &its, NULL))
		return -1;
	int st = 0;
	pid_t w;
	while ((w = waitpid(c, &st, WNOHANG)) == 0)
		sigsuspend(&orig);
	victim = 0;
	timer_delete(id);
	sigprocmask(SIG_SETMASK, &orig, NULL);
	if (w != c)
		return -1;
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL ? 0 : 1;
}

/* ITIMER_REAL with SIGALRM blocked, then a ppoll that unblocks it
 * (atomically, so an early expiry cannot slip by): EINTR, not the 30 s
 * timeout. */
static int itimer_round(unsigned r)
{
	sigset_t block, orig;
	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	sigprocmask(SIG_BLOCK, &block, &orig);
	long ns = short_ns(r);
	struct itimerval it = { { 0, 0 }, { 0, ns / 1000 ? ns / 1000 : 1 } };
	int a0 = alarms;
	if (setitimer(ITIMER_REAL, &it, NULL))
		return -1;
	struct timespec ts = { LONG_SLEEP, 0 };
	int rc = ppoll(NULL, 0, &ts, &orig);
	int e = errno;
	sigprocmask(SIG_SETMASK, &orig, NULL);
	if (rc == 0)
		return 1;
	return e == EINTR && alarms > a0 ? 0 : -1;
}

/* A child whose own timer sends it SIGTERM (default action) while it
 * is in clock_nanosleep: it must die of it. */
static int sleeper_round(unsigned r)
{
	pid_t c = fork();
	if (c < 0)
		return -1;
	if (c == 0) {
		signal(SIGALRM, SIG_DFL);
		timer_t id;
		struct sigevent ev;
		memset(&ev, 0, sizeof ev);
		ev.sigev_notify = SIGEV_SIGNAL;
		ev.sigev_signo = SIGTERM;
		if (timer_create(r & 1 ? CLOCK_MONOTONIC : CLOCK_REALTIME, &ev, &id))
			_exit(2);
		long ns = short_ns(r) ? short_ns(r) : 1;
		struct itimerspec its = { { 0, 0 }, { 0, ns } };
		if (timer_settime(id, 0, &its, NULL))
			_exit(2);
		struct timespec ts = { LONG_SLEEP, 0 };
		clock_nanosleep(r & 2 ? CLOCK_MONOTONIC : CLOCK_REALTIME, 0, &ts, NULL);
		_exit(1);
	}
	int st;
	if (waitpid(c, &st, 0) != c)
		return -1;
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM)
		return 0;
	return WIFEXITED(st) && WEXITSTATUS(st) == 1 ? 1 : -1;
}

static int kill_round(unsigned r)
{
	/* the child waits for the parent to be asleep only as long as the
	 * race wants: a fork, then 0-2 ms */
	int p[2];
	if (pipe(p))
		return -1;
	pid_t c = fork();
	if (c < 0)
		return -1;
	if (c == 0) {
		close(p[0]);
		pid_t sleeper = fork();
		if (sleeper == 0) {
			struct timespec ts = { LONG_SLEEP, 0 };
			nanosleep(&ts, NULL);
			_exit(0);
		}
		/* report the sleeper's pid, then race it */
		if (write(p[1], &sleeper, sizeof sleeper) != sizeof sleeper)
			_exit(2);
		long ns = short_ns(r);
		if (ns) {
			struct timespec ts = { 0, ns };
			nanosleep(&ts, NULL);
		}
		kill(sleeper, SIGTERM);
		int st;
		waitpid(sleeper, &st, 0);
		_exit(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM ? 0 : 1);
	}
	close(p[1]);
	pid_t sleeper;
	ssize_t n = read(p[0], &sleeper, sizeof sleeper);
	close(p[0]);
	int st;
	if (waitpid(c, &st, 0) != c || n != sizeof sleeper || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st) == 0 ? 0 : WEXITSTATUS(st) == 1 ? 1 : -1;
}

/* A child writes a byte to a pipe and exits: its SIGCHLD (a handler,
 * no SA_RESTART) comes with the data.  The parent's read, or its poll
 * (r & 1), must report the data, never EINTR with it unread, as Linux
 * looks at the pipe before the signal.  Returns 1 for an EINTR that
 * left the byte unread. */
static int pipe_round(unsigned r)
{
	int p[2];
	if (pipe(p))
		return -1;
	pid_t c = fork();
	if (c < 0)
		return -1;
	if (c == 0) {
		long ns = short_ns(r / 2);
		if (ns) {
			struct timespec ts = { 0, ns };
			nanosleep(&ts, NULL);
		}
		_exit(write(p[1], "x", 1) == 1 ? 0 : 1);
	}
	/* the child's SIGCHLD always comes after its byte: an EINTR is
	 * the signal taken before data that was there */
	int ret = 0;
	if (r & 1) {
		struct pollfd pfd = { p[0], POLLIN, 0 };
		int n = poll(&pfd, 1, LONG_SLEEP * 1000);
		if (n < 0 && errno == EINTR)
			ret = 1;
		else if (n != 1 || !(pfd.revents & POLLIN))
			ret = -1;
	} else {
		char b;
		ssize_t n = read(p[0], &b, 1);
		if (n < 0 && errno == EINTR)
			ret = 1;
		else if (n != 1)
			ret = -1;
	}
	waitpid(c, NULL, 0);
	close(p[0]);
	close(p[1]);
	return ret;
}

static volatile sig_atomic_t usr1s;

static void on_usr1(int sig)
{
	(void)sig;
	usr1s++;
}

/* Two timers on two clocks, due 50 us apart, with both signals blocked;
 * ppoll unblocks them until both handlers ran. */
static int two_timers_round(unsigned r)
{
	timer_t a, b;
	struct sigevent ev;
	sigset_t block, orig;
	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &orig);
	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGALRM;
	if (timer_create(CLOCK_MONOTONIC, &ev, &a))
		return -1;
	ev.sigev_signo = SIGUSR1;
	if (timer_create(CLOCK_REALTIME, &ev, &b))
		return -1;
	long ns = short_ns(r) ? short_ns(r) : 1;
	struct itimerspec ia = { { 0, 0 }, { 0, ns } }, ib = { { 0, 0 }, { 0, ns + 50000 } };
	int a0 = alarms, u0 = usr1s, lost = 0;
	timer_settime(a, 0, &ia, NULL);
	timer_settime(b, 0, &ib, NULL);
	while (alarms == a0 || usr1s == u0) {
		struct timespec ts = { LONG_SLEEP, 0 };
		int rc = ppoll(NULL, 0, &ts, &orig);
		if (rc == 0) {
			lost = 1;
			break;
		}
		if (errno != EINTR)
			return -1;
	}
	sigprocmask(SIG_SETMASK, &orig, NULL);
	timer_delete(a);
	timer_delete(b);
	return lost;
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	sa.sa_handler = on_chld;
	sigaction(SIGCHLD, &sa, NULL);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	static const struct {
		const char *name;
		int (*fn)(unsigned);
	} kinds[] = {
		{ "posix timer + sigsuspend", posix_round },
		{ "itimer + ppoll", itimer_round },
		{ "timer SIGTERM to its own clock_nanosleep", sleeper_round },
		{ "kill of a sleeping sibling", kill_round },
		{ "two timers + ppoll", two_timers_round },
		{ "pipe read/poll vs the writer's SIGCHLD", pipe_round },
	};
	int bad = 0;
	for (unsigned k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		int lost = 0, errs = 0;
		for (unsigned r = 0; r < ROUNDS; r++) {
			int v = kinds[k].fn(r);
			if (v > 0)
				lost++;
			else if (v < 0)
				errs++;
		}
		printf("%s: %d rounds, %d lost, %d errors\n", kinds[k].name, ROUNDS, lost, errs);
		bad |= lost || errs;
	}
	return bad;
}
