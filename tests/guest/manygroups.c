/* More supplementary groups than umk once kept (32): setgroups of 100,
 * getgroups and /proc/self/status's Groups, and permission checks
 * through the 90th group after dropping to an unprivileged uid (file
 * modes, and a SysV message queue's), compared with a native run. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define N 100

int main(void)
{
	gid_t g[N], back[N + 1];
	char dir[] = "/dev/shm/mg-XXXXXX", f1[64], f2[64], line[4096];

	setvbuf(stdout, NULL, _IONBF, 0);
	for (int i = 0; i < N; i++)
		g[i] = 2000 + i;
	if (setgroups(N, g)) {
		printf("setgroups(%d): %s\n", N, strerrorname_np(errno));
		return 1;
	}
	int n = getgroups(N + 1, back);
	printf("getgroups: %d, last %d\n", n, n > 0 ? (int)back[n - 1] : -1);
	int r = getgroups(1, back);
	printf("getgroups(1): %d %s\n", r, strerrorname_np(errno));
	FILE *st = fopen("/proc/self/status", "r");
	while (fgets(line, sizeof line, st))
		if (!strncmp(line, "Groups:", 7)) {
			int count = 0;
			for (char *p = strtok(line + 7, " \t\n"); p; p = strtok(NULL, " \t\n"))
				count++;
			printf("status Groups: %d entries\n", count);
		}
	fclose(st);
	if (!mkdtemp(dir) || chmod(dir, 0755))
		return 1;
	snprintf(f1, sizeof f1, "%s/g2090", dir);
	snprintf(f2, sizeof f2, "%s/g3000", dir);
	close(open(f1, O_CREAT | O_WRONLY, 0040));
	close(open(f2, O_CREAT | O_WRONLY, 0040));
	chown(f1, 0, 2090);
	chown(f2, 0, 3000);
	chmod(f1, 0040);
	chmod(f2, 0040);
	int q = msgget(IPC_PRIVATE, 0620 | IPC_CREAT);
	struct msqid_ds ds;
	msgctl(q, IPC_STAT, &ds);
	ds.msg_perm.uid = 0;
	ds.msg_perm.gid = 2095;
	msgctl(q, IPC_SET, &ds);
	pid_t c = fork();
	if (c == 0) {
		if (setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000)) {
			printf("drop: %s\n", strerrorname_np(errno));
			_exit(1);
		}
		int fd = open(f1, O_RDONLY);
		printf("read a file of group 2090: %s\n", fd >= 0 ? "ok" : strerrorname_np(errno));
		fd = open(f2, O_RDONLY);
		printf("read a file of group 3000: %s\n", fd >= 0 ? "ok" : strerrorname_np(errno));
		struct { long type; char t[4]; } m = { 1, "hi" };
		printf("msgsnd to a queue of group 2095 (mode 0620): %s\n",
		       msgsnd(q, &m, 3, IPC_NOWAIT) ? strerrorname_np(errno) : "ok");
		printf("chown of root's file to group 2099 (a member, not the owner): %s\n",
		       chown(f1, -1, 2099) ? strerrorname_np(errno) : "ok");
		_exit(0);
	}
	waitpid(c, NULL, 0);
	msgctl(q, IPC_RMID, NULL);
	unlink(f1);
	unlink(f2);
	rmdir(dir);
	return 0;
}
