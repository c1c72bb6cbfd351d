/* fnet.c - a guest program for the network-fault tests
 * (tests/run-fault-tests.sh, --inject-net): a server child and a client
 * on the guest's own loopback, each printing what it saw.  The client
 * keeps its lines until the server is done, so the output's order does
 * not depend on scheduling.
 *
 *   tcp PORT N   the client connects to 127.0.0.1:PORT, sends N pattern
 *                bytes in 4 KiB sends, shuts its half, reads the
 *                server's answer; the server reads until EOF and answers
 *                how many bytes came and which bits differ
 *   udp PORT N   the client sends N datagrams of 100 pattern bytes and
 *                an "end"; the server counts them and their wrong bits
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char out[65536];
static size_t outlen;
static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	outlen += vsnprintf(out + outlen, sizeof out - outlen, fmt, ap);
	va_end(ap);
}

static const char *en(int e)
{
	const char *s = strerrorname_np(e);
	return s ? s : "E?";
}

static uint8_t pat(uint64_t i) { return (uint8_t)((i * 7 + (i >> 8) * 13) % 251); }

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct sockaddr_in addr_of(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static void tcp_server(int ls)
{
	int c = accept(ls, NULL, NULL);
	if (c < 0) {
		printf("server: accept: %s\n", en(errno));
		exit(1);
	}
	static uint8_t buf[1 << 20];
	long got = 0;
	for (;;) {
		ssize_t r = read(c, buf + got, sizeof buf - got);
		if (r < 0) {
			printf("server: read: %s\n", en(errno));
			break;
		}
		if (r == 0)
			break;
		got += r;
	}
	int bits = 0;
	for (long i = 0; i < got; i++)
		for (int k = 0; k < 8; k++)
			if ((buf[i] ^ pat(i)) & (1 << k)) {
				if (bits++ < 3)
					printf("server: byte %ld bit %d differs\n", i, k);
			}
	printf("server: got %ld bytes, %d bit(s) differ\n", got, bits);
	char ans[64];
	int n = snprintf(ans, sizeof ans, "got %ld", got);
	if (write(c, ans, n) < 0)
		printf("server: write: %s\n", en(errno));
	close(c);
	exit(0);
}

static int tcp(int port, long n)
{
	int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	struct sockaddr_in a = addr_of(port);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 4)) {
		printf("bind/listen: %s\n", en(errno));
		return 1;
	}
	pid_t pid = fork();
	if (pid == 0)
		tcp_server(ls);
	close(ls);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	double t0 = now();
	if (connect(s, (struct sockaddr *)&a, sizeof a)) {
		say("client: connect: %s\n", en(errno));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		fputs(out, stdout);
		return 0;
	}
	say("client: connected%s\n", now() - t0 >= 0.15 ? " (after a delay)" : "");
	uint8_t *b = malloc(n);
	for (long i = 0; i < n; i++)
		b[i] = pat(i);
	long done = 0;
	say("client: sends");
	while (done < n) {
		long c = n - done < 4096 ? n - done : 4096;
		ssize_t r = send(s, b + done, c, MSG_NOSIGNAL);
		if (r < 0) {
			say(" %s", en(errno));
			break;
		}
		say(" %zd", r);
		done += r;
	}
	say("\n");
	shutdown(s, SHUT_WR);
	char ans[64] = "";
	ssize_t r = read(s, ans, sizeof ans - 1);
	if (r < 0)
		say("client: read: %s\n", en(errno));
	else
		say("client: answer '%.*s'\n", (int)r, ans);
	close(s);
	waitpid(pid, NULL, 0);
	fputs(out, stdout);
	return 0;
}

static int udp(int port, long n)
{
	int srv = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = addr_of(port);
	if (bind(srv, (struct sockaddr *)&a, sizeof a)) {
		printf("bind: %s\n", en(errno));
		return 1;
	}
	pid_t pid = fork();
	if (pid == 0) {
		struct timeval tv = { 2, 0 };
		setsockopt(srv, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		long count = 0;
		int bits = 0;
		uint8_t buf[200];
		for (;;) {
			ssize_t r = recv(srv, buf, sizeof buf, 0);
			if (r < 0) {
				printf("server: recv: %s\n", en(errno));
				break;
			}
			if (r == 3 && !memcmp(buf, "end", 3))
				break;
			count++;
			for (ssize_t i = 0; i < r; i++)
				for (int k = 0; k < 8; k++)
					bits += ((buf[i] ^ pat(i)) >> k) & 1;
		}
		printf("server: %ld datagram(s), %d bit(s) differ\n", count, bits);
		exit(0);
	}
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	uint8_t b[100];
	for (int i = 0; i < 100; i++)
		b[i] = pat(i);
	say("client: sendto");
	for (long i = 0; i < n; i++) {
		ssize_t r = sendto(s, b, sizeof b, 0, (struct sockaddr *)&a, sizeof a);
		say(" %s", r < 0 ? en(errno) : "ok");
	}
	say("\n");
	sendto(s, "end", 3, 0, (struct sockaddr *)&a, sizeof a);
	waitpid(pid, NULL, 0);
	fputs(out, stdout);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc == 4 && !strcmp(argv[1], "tcp"))
		return tcp(atoi(argv[2]), atol(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "udp"))
		return udp(atoi(argv[2]), atol(argv[3]));
	fprintf(stderr, "usage: fnet tcp|udp PORT N\n");
	return 2;
}
