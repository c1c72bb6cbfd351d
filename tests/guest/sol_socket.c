/* SOL_SOCKET options on the socket families umk keeps wholly in itself
 * (packet, netlink, raw and ping ICMP): what a new socket reports, the
 * buffer sizes as sk_setsockopt doubles and floors them, the timeouts,
 * SO_PASSCRED (AF_NETLINK only since Linux 6.16), the options whose
 * value changes nothing, and the errors for short or bad values.  In a
 * network namespace of the test's own (raw sockets need CAP_NET_RAW). */
#include "t.h"
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/time.h>

static void geti(int s, const char *what, int name)
{
	int v = -1;
	socklen_t l = sizeof(v);

	if (getsockopt(s, SOL_SOCKET, name, &v, &l) < 0)
		printf("  get %s: %s\n", what, en(errno));
	else
		printf("  get %s = %d (len %u)\n", what, v, (unsigned)l);
}

static void seti(int s, const char *what, int name, int v)
{
	if (setsockopt(s, SOL_SOCKET, name, &v, sizeof(v)) < 0)
		printf("  set %s %d: %s\n", what, v, en(errno));
	else
		printf("  set %s %d: ok\n", what, v);
}

static void one(const char *kind, int s)
{
	struct timeval tv = { 1, 500000 }, got;
	socklen_t l;
	short sh = 1;
	char small[2];

	printf("%s\n", kind);
	if (s < 0) {
		printf("  socket: %s\n", en(errno));
		return;
	}
	geti(s, "SO_TYPE", SO_TYPE);
	geti(s, "SO_PROTOCOL", SO_PROTOCOL);
	geti(s, "SO_DOMAIN", SO_DOMAIN);
	geti(s, "SO_ERROR", SO_ERROR);
	geti(s, "SO_ACCEPTCONN", SO_ACCEPTCONN);
	geti(s, "SO_SNDBUF", SO_SNDBUF);
	geti(s, "SO_RCVBUF", SO_RCVBUF);
	seti(s, "SO_SNDBUF", SO_SNDBUF, 1000);
	geti(s, "SO_SNDBUF", SO_SNDBUF);
	seti(s, "SO_SNDBUF", SO_SNDBUF, 100000);
	geti(s, "SO_SNDBUF", SO_SNDBUF);
	seti(s, "SO_RCVBUF", SO_RCVBUF, 0);
	geti(s, "SO_RCVBUF", SO_RCVBUF);
	seti(s, "SO_RCVBUFFORCE", SO_RCVBUFFORCE, 300000);
	geti(s, "SO_RCVBUF", SO_RCVBUF);
	seti(s, "SO_SNDBUFFORCE", SO_SNDBUFFORCE, -5);
	geti(s, "SO_SNDBUF", SO_SNDBUF);
	seti(s, "SO_PASSCRED", SO_PASSCRED, 1);
	geti(s, "SO_PASSCRED", SO_PASSCRED);
	seti(s, "SO_BROADCAST", SO_BROADCAST, 1);
	seti(s, "SO_DONTROUTE", SO_DONTROUTE, 1);
	seti(s, "SO_KEEPALIVE", SO_KEEPALIVE, 1);
	seti(s, "SO_TIMESTAMP", SO_TIMESTAMP, 1);
	seti(s, "SO_BUSY_POLL", SO_BUSY_POLL, -1);
	seti(s, "unknown 999", 999, 1);
	if (setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		printf("  set SO_RCVTIMEO: %s\n", en(errno));
	l = sizeof(got);
	memset(&got, 0, sizeof(got));
	if (getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &got, &l) < 0)
		printf("  get SO_RCVTIMEO: %s\n", en(errno));
	else
		printf("  get SO_RCVTIMEO = %ld.%06ld (len %u)\n", (long)got.tv_sec, (long)got.tv_usec,
		       (unsigned)l);
	l = sizeof(got);
	if (getsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &got, &l) < 0)
		printf("  get SO_SNDTIMEO: %s\n", en(errno));
	else
		printf("  get SO_SNDTIMEO = %ld.%06ld\n", (long)got.tv_sec, (long)got.tv_usec);
	tv.tv_usec = 2000000;
	ERR("SO_SNDTIMEO usec 2000000", setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)), EDOM);
	ERR("SO_SNDTIMEO short", setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, 4), EINVAL);
	ERR("SO_SNDBUF short", setsockopt(s, SOL_SOCKET, SO_SNDBUF, &sh, sizeof(sh)), EINVAL);
	ERR("SO_SNDBUF NULL", setsockopt(s, SOL_SOCKET, SO_SNDBUF, NULL, 4), EFAULT);
	ERR("SO_SNDBUF bad pointer", setsockopt(s, SOL_SOCKET, SO_SNDBUF, (void *)8, 4), EFAULT);
	l = sizeof(small);
	memset(small, 0x55, sizeof(small));
	if (getsockopt(s, SOL_SOCKET, SO_TYPE, small, &l) < 0)
		printf("  get SO_TYPE into 2 bytes: %s\n", en(errno));
	else
		printf("  get SO_TYPE into 2 bytes: len %u %02x%02x\n", (unsigned)l,
		       (unsigned char)small[0], (unsigned char)small[1]);
	close(s);
}

int main(void)
{
	if (unshare(CLONE_NEWNET) < 0) {
		printf("SKIP unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return 0;
	}
	one("packet raw", socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)));
	one("packet dgram", socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP)));
	one("netlink route", socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
	one("netlink sock_diag", socket(AF_NETLINK, SOCK_DGRAM, NETLINK_SOCK_DIAG));
	one("icmp raw", socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
	one("icmpv6 raw", socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6));
	return t_failed != 0;
}
