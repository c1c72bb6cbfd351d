/*
 * counts.c - makes a known number of syscalls, for `umk ctl stats` and
 * --syscall-stats: 123 getppid, 45 close(-1) (each fails with EBADF),
 * 7 getpid; then, with "wait", says so and sleeps in pause() until a
 * signal ends it.  With "children" it first forks two children that
 * sleep (stubs for the oops test to see killed) and says "forked".
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "children")) {
		for (int i = 0; i < 2; i++)
			if (fork() == 0)
				for (;;)
					pause();
		printf("forked\n");
		fflush(stdout);
		sleep(1);
	}
	for (int i = 0; i < 123; i++)
		syscall(SYS_getppid);
	for (int i = 0; i < 45; i++)
		syscall(SYS_close, -1);
	for (int i = 0; i < 7; i++)
		syscall(SYS_getpid);
	if (argc > 1 && !strcmp(argv[1], "wait")) {
		printf("ready\n");
		fflush(stdout);
		pause();
	}
	return 0;
}
