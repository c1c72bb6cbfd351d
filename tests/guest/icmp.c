/* ICMP on the loopback: ping sockets (ping_group_range, identifiers,
 * echo replies, errors) and raw IPv4/IPv6 sockets (copies of what lo
 * receives with the IPv4 header, ICMP_FILTER, IP_HDRINCL, ICMPv6
 * checksums), in a network namespace of the test's own (so that a
 * native run sees no other traffic). */
#include "t.h"
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#ifndef ICMP_FILTER
#define ICMP_FILTER 1          /* linux/icmp.h */
#endif

static uint16_t cksum(const void *b, size_t n, uint32_t sum)
{
	const uint8_t *p = b;

	for (; n > 1; p += 2, n -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (n)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static uint32_t pseudo6(const struct in6_addr *s, const struct in6_addr *d, size_t len)
{
	uint32_t sum = 0;

	for (int i = 0; i < 16; i += 2)
		sum += (uint32_t)s->s6_addr[i] << 8 | s->s6_addr[i + 1];
	for (int i = 0; i < 16; i += 2)
		sum += (uint32_t)d->s6_addr[i] << 8 | d->s6_addr[i + 1];
	return sum + len + IPPROTO_ICMPV6;
}

static void lo_up(void)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		printf("SIOCGIFFLAGS: %s\n", strerror(errno));
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		printf("SIOCSIFFLAGS: %s\n", strerror(errno));
	close(s);
}

static void echo(uint8_t *b, int type, uint16_t id, uint16_t seq, const char *data)
{
	memset(b, 0, 8);
	b[0] = type;
	b[4] = id >> 8;
	b[5] = id;
	b[6] = seq >> 8;
	b[7] = seq;
	strcpy((char *)b + 8, data);
}

/* prints what a call returned, its errno read after it (not as an
 * argument beside it: the order those are evaluated in is unspecified) */
#define TRY(label, expr)                                                              \
	do {                                                                          \
		long r_;                                                              \
		errno = 0;                                                            \
		r_ = (long)(expr);                                                    \
		printf("%s: %ld %s\n", label, r_, r_ < 0 ? strerror(errno) : "ok");   \
	} while (0)

static const struct sockaddr_in lo4 = { .sin_family = AF_INET, .sin_addr = { 0x0100007f } };
static const struct sockaddr_in6 lo6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };

static void recv_one(int s, const char *what)
{
	uint8_t b[256];
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	ssize_t n = recvfrom(s, b, sizeof(b), MSG_DONTWAIT, (void *)&from, &fl);
	char a[64] = "?";

	if (n < 0) {
		printf("  %s: recv: %s\n", what, strerror(errno));
		return;
	}
	if (from.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&from)->sin_addr, a, sizeof(a));
	else
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&from)->sin6_addr, a, sizeof(a));
	printf("  %s: %zd bytes from %s (port %d, len %u)", what, n, a,
	       ntohs(((struct sockaddr_in *)&from)->sin_port), fl);
	if (b[0] == 0x45 && n >= 28) {           /* an IPv4 header first */
		struct iphdr *ip = (void *)b;

		printf(" ip: tot %d ttl %d proto %d sum-ok %d; icmp type %d code %d seq %d sum-ok %d \"%s\"",
		       ntohs(ip->tot_len), ip->ttl, ip->protocol, cksum(b, 20, 0) == 0, b[20], b[21],
		       b[26] << 8 | b[27], cksum(b + 20, n - 20, 0) == 0, (char *)b + 28);
	} else {
		printf(" icmp type %d code %d seq %d \"%s\"", b[0], b[1], b[6] << 8 | b[7],
		       n > 8 ? (char *)b + 8 : "");
	}
	printf("\n");
}

static void ping4(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP), s2;
	struct sockaddr_in me = { .sin_family = AF_INET };
	socklen_t ml = sizeof(me);
	uint8_t b[64];
	int fionread = -1;

	(void)fionread;

	printf("ping socket: %s\n", s >= 0 ? "ok" : strerror(errno));
	if (s < 0)
		return;
	echo(b, ICMP_ECHO, 999, 1, "hello");
	printf("sendto: %zd\n", sendto(s, b, 14, 0, (void *)&lo4, sizeof(lo4)));
	usleep(20000);
	getsockname(s, (void *)&me, &ml);
	TRY("ping FIONREAD", ioctl(s, FIONREAD, &fionread));
	printf("bound %s\n", me.sin_port ? "yes" : "no");
	{
		ssize_t n = recv(s, b, sizeof(b), MSG_DONTWAIT);

		printf("reply: %zd bytes type %d code %d id-is-ours %d seq %d sum-ok %d \"%s\"\n", n, b[0],
		       b[1], (b[4] << 8 | b[5]) == ntohs(me.sin_port), b[6] << 8 | b[7],
		       cksum(b, n, 0) == 0, (char *)b + 8);
	}
	echo(b, ICMP_TIMESTAMP, 1, 1, "x");
	TRY("timestamp request", sendto(s, b, 10, 0, (void *)&lo4, sizeof(lo4)));
	echo(b, ICMP_ECHO, 1, 1, "");
	TRY("4 bytes", sendto(s, b, 4, 0, (void *)&lo4, sizeof(lo4)));
	TRY("no address", send(s, b, 8, 0));
	TRY("v6 address", sendto(s, b, 8, 0, (void *)&lo6, sizeof(lo6)));
	{
		struct sockaddr_in far = { .sin_family = AF_INET, .sin_addr = { htonl(0xc0000201) } };

		TRY("192.0.2.1", sendto(s, b, 8, 0, (void *)&far, sizeof(far)));
	}
	s2 = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
	me.sin_port = htons(4242);
	printf("bind 4242: %d\n", bind(s2, (void *)&me, sizeof(me)));
	ml = sizeof(me);
	getsockname(s2, (void *)&me, &ml);
	printf("getsockname port %d\n", ntohs(me.sin_port));
	{
		int s3 = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);

		TRY("bind 4242 again", bind(s3, (void *)&me, sizeof(me)));
		close(s3);
	}
	echo(b, ICMP_ECHO, 1, 7, "to 4242");
	sendto(s2, b, 16, 0, (void *)&lo4, sizeof(lo4));
	usleep(20000);
	recv_one(s2, "second socket");
	printf("first socket got nothing more: %zd\n", recv(s, b, sizeof(b), MSG_DONTWAIT));
	close(s);
	close(s2);
}

static void raw4(void)
{
	int r = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	struct sockaddr_in me;
	socklen_t ml = sizeof(me);
	uint8_t b[128];
	uint32_t filt;
	uint16_t c;

	printf("raw socket: %s\n", r >= 0 ? "ok" : strerror(errno));
	if (r < 0)
		return;
	getsockname(r, (void *)&me, &ml);
	printf("raw getsockname port %d\n", ntohs(me.sin_port));
	echo(b, ICMP_ECHO, 77, 3, "raw");
	c = cksum(b, 12, 0);
	memcpy(b + 2, &c, 2);
	printf("raw sendto: %zd\n", sendto(r, b, 12, 0, (void *)&lo4, sizeof(lo4)));
	usleep(20000);
	{
		int q = -1;

		TRY("raw FIONREAD", ioctl(r, FIONREAD, &q));
		printf("raw FIONREAD %d\n", q);
	}
	recv_one(r, "raw 1st");
	recv_one(r, "raw 2nd");
	recv_one(r, "raw 3rd");
	filt = 1 << ICMP_ECHO;
	printf("ICMP_FILTER: %d\n", setsockopt(r, SOL_RAW, ICMP_FILTER, &filt, sizeof(filt)));
	sendto(r, b, 12, 0, (void *)&lo4, sizeof(lo4));
	usleep(20000);
	recv_one(r, "filtered 1st");
	recv_one(r, "filtered 2nd");
	{
		/* IP_HDRINCL: our own header (id 0, checksum 0: the kernel's) */
		int on = 1;
		struct iphdr *ip = (void *)b;

		printf("IP_HDRINCL: %d\n", setsockopt(r, SOL_IP, IP_HDRINCL, &on, sizeof(on)));
		memset(b, 0, 20);
		ip->ihl = 5;
		ip->version = 4;
		ip->ttl = 9;
		ip->protocol = IPPROTO_ICMP;
		ip->saddr = ip->daddr = htonl(0x7f000001);
		echo(b + 20, ICMP_ECHO, 5, 9, "hdrincl");
		c = cksum(b + 20, 16, 0);
		memcpy(b + 22, &c, 2);
		printf("hdrincl sendto: %zd\n", sendto(r, b, 36, 0, (void *)&lo4, sizeof(lo4)));
		usleep(20000);
		recv_one(r, "after hdrincl");
		b[0] = 0x42;                          /* ihl 2: under the header's 20 bytes */
		TRY("short ihl", sendto(r, b, 36, 0, (void *)&lo4, sizeof(lo4)));
		TRY("10 bytes", sendto(r, b, 10, 0, (void *)&lo4, sizeof(lo4)));
		b[0] = 0x4f;                          /* ihl 15: past the 36 bytes */
		TRY("long ihl", sendto(r, b, 36, 0, (void *)&lo4, sizeof(lo4)));
	}
	{
		int p = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP), v = 1;

		TRY("IP_HDRINCL on a ping socket", setsockopt(p, SOL_IP, IP_HDRINCL, &v, sizeof(v)));
		TRY("ICMP_FILTER on a ping socket", setsockopt(p, SOL_RAW, ICMP_FILTER, &v, sizeof(v)));
		close(p);
	}
	close(r);
}

static void v6(void)
{
	int s = socket(AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6), r = socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
	uint8_t b[128], cbuf[128];
	struct iovec iov = { b, sizeof(b) };
	struct sockaddr_in6 from;
	struct msghdr mh = { &from, sizeof(from), &iov, 1, cbuf, sizeof(cbuf), 0 };
	int on = 1, v = -5;
	socklen_t vl = sizeof(v);
	ssize_t n;

	printf("v6 ping socket: %s, raw: %s\n", s >= 0 ? "ok" : strerror(errno), r >= 0 ? "ok" : strerror(errno));
	if (s < 0 || r < 0)
		return;
	printf("IPV6_RECVHOPLIMIT: %d\n", setsockopt(s, SOL_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof(on)));
	getsockopt(r, SOL_IPV6, IPV6_CHECKSUM, &v, &vl);
	printf("raw ICMPv6 IPV6_CHECKSUM %d\n", v);
	v = 4;
	TRY("set IPV6_CHECKSUM at SOL_IPV6", setsockopt(r, SOL_IPV6, IPV6_CHECKSUM, &v, sizeof(v)));
	v = 3;
	TRY("set IPV6_CHECKSUM 3 at SOL_RAW", setsockopt(r, SOL_RAW, IPV6_CHECKSUM, &v, sizeof(v)));
	echo(b, ICMP6_ECHO_REQUEST, 1, 11, "six");
	printf("v6 sendto: %zd\n", sendto(s, b, 12, 0, (void *)&lo6, sizeof(lo6)));
	usleep(20000);
	n = recvmsg(s, &mh, MSG_DONTWAIT);
	printf("v6 reply: %zd type %d seq %d sum-ok %d \"%s\"", n, b[0], b[6] << 8 | b[7],
	       cksum(b, n, pseudo6(&lo6.sin6_addr, &lo6.sin6_addr, n)) == 0, (char *)b + 8);
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		printf(" cmsg %d/%d = %d", c->cmsg_level, c->cmsg_type, *(int *)CMSG_DATA(c));
	printf("\n");
	recv_one(r, "v6 raw 1st");
	recv_one(r, "v6 raw 2nd");
	recv_one(r, "v6 raw 3rd");
	{
		struct icmp6_filter f;

		ICMP6_FILTER_SETBLOCKALL(&f);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
		printf("ICMP6_FILTER: %d\n", setsockopt(r, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f)));
		/* the raw socket sends too: the kernel fills the checksum */
		echo(b, ICMP6_ECHO_REQUEST, 3, 12, "raw six");
		printf("v6 raw sendto: %zd\n", sendto(r, b, 16, 0, (void *)&lo6, sizeof(lo6)));
		usleep(20000);
		n = recv(r, b, sizeof(b), MSG_DONTWAIT);
		printf("v6 raw filtered: %zd type %d seq %d sum-ok %d\n", n, b[0], b[6] << 8 | b[7],
		       n > 0 && cksum(b, n, pseudo6(&lo6.sin6_addr, &lo6.sin6_addr, n)) == 0);
		recv_one(r, "v6 raw filtered 2nd");
	}
	close(s);
	close(r);
}

int main(void)
{
	FILE *f;
	char line[64] = "";

	setvbuf(stdout, NULL, _IONBF, 0);
	if (unshare(CLONE_NEWNET) < 0) {
		printf("SKIP unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return 0;
	}
	lo_up();
	{
		int s = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);

		printf("ping socket, default range: %s\n", s >= 0 ? "ok" : strerror(errno));
		if (s >= 0)
			close(s);
		s = socket(AF_INET6, SOCK_DGRAM, IPPROTO_ICMP);
		printf("AF_INET6 with IPPROTO_ICMP: %s\n", s >= 0 ? "ok" : strerror(errno));
	}
	f = fopen("/proc/sys/net/ipv4/ping_group_range", "r");
	if (f && fgets(line, sizeof(line), f))
		printf("ping_group_range: %s", line);
	if (f)
		fclose(f);
	f = fopen("/proc/sys/net/ipv4/ping_group_range", "w");
	if (!f || fprintf(f, "0 2147483647\n") < 0 || fclose(f))
		printf("write ping_group_range: %s\n", strerror(errno));
	f = fopen("/proc/sys/net/ipv4/ping_group_range", "r");
	if (f && fgets(line, sizeof(line), f))
		printf("ping_group_range now: %s", line);
	if (f)
		fclose(f);
	ping4();
	raw4();
	v6();
	return 0;
}
