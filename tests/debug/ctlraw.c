/*
 * ctlraw.c - a host-side raw client of umk's control socket, for tests:
 * sends stdin's bytes as they are (NULs, no newline, megabytes...) and
 * prints the reply.  ctlraw SOCKET [stall]: with "stall", connects and
 * sends nothing, then waits for the server to give up.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", argv[1]);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		perror("connect");
		return 1;
	}
	if (argc < 3 || strcmp(argv[2], "stall")) {
		char buf[65536];
		ssize_t n;
		while ((n = read(0, buf, sizeof buf)) > 0)
			if (send(fd, buf, n, MSG_NOSIGNAL) != n)
				break;   /* the server may stop reading: fine */
		shutdown(fd, SHUT_WR);
	}
	char buf[4096];
	ssize_t n;
	while ((n = recv(fd, buf, sizeof buf, 0)) > 0)
		fwrite(buf, 1, n, stdout);
	return 0;
}
