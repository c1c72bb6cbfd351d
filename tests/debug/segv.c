/*
 * segv.c - dies of SIGSEGV in a known call chain (main -> crash_a ->
 * crash_b, a write through NULL), after starting two threads that sleep
 * (a core has one NT_PRSTATUS per thread).  "fork" instead forks a child
 * that does so and prints the wait status (signal, WCOREDUMP), then a
 * second one's waitid si_code and status and the SIGCHLD's si_code
 * (CLD_DUMPED, 3, for a core; CLD_KILLED, 2, without).
 */
#include <signal.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

volatile int *volatile target;

__attribute__((noinline)) void crash_b(void)
{
	*target = 42;
}

__attribute__((noinline)) void crash_a(void)
{
	crash_b();
	target++;
}

static volatile int chld_code;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	chld_code = si->si_code;
}

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "fork")) {
		pid_t pid = fork();
		if (pid == 0) {
			crash_a();
			_exit(0);
		}
		int st;
		if (waitpid(pid, &st, 0) != pid)
			return 1;
		printf("signaled %d signal %d core %d\n", WIFSIGNALED(st), WTERMSIG(st), WCOREDUMP(st) ? 1 : 0);
		struct sigaction sa = { .sa_sigaction = on_chld, .sa_flags = SA_SIGINFO };
		sigaction(SIGCHLD, &sa, NULL);
		pid = fork();
		if (pid == 0) {
			crash_a();
			_exit(0);
		}
		siginfo_t si;
		memset(&si, 0, sizeof si);
		while (waitid(P_PID, pid, &si, WEXITED) < 0)
			;
		printf("waitid code %d status %d sigchld code %d\n", si.si_code, si.si_status, chld_code);
		return 0;
	}
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, sleeper, NULL);
	usleep(100000);
	crash_a();
	return 0;
}
