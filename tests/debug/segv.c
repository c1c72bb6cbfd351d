/*
 * segv.c - dies of SIGSEGV in a known call chain (main -> crash_a ->
 * crash_b, a write through NULL), after starting two threads that sleep
 * (a core has one NT_PRSTATUS per thread).  "fork" instead forks a child
 * that does so and prints the wait status: signal, WCOREDUMP.
 */
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
		return 0;
	}
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, sleeper, NULL);
	usleep(100000);
	crash_a();
	return 0;
}
