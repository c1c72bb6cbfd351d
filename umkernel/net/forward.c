/*
 * forward.c - the networking mode (umk run --net=private|host|none) and
 * private mode's port forwards (-p [HOSTIP:]HOSTPORT:GUESTPORT[/udp]),
 * as `docker run -p` publishes a container's port.
 *
 * In a nutshell: each forward is a host socket umk listens on (TCP) or
 * binds (UDP), on HOSTIP (default 127.0.0.1: nothing beyond the host's
 * loopback unless asked) port HOSTPORT.  One thread of umk's (not a
 * guest task) sleeps in epoll on them; a connection it accepts is queued
 * on the guest's listener on GUESTPORT (bound to the wildcard or to
 * 10.0.2.15, else to the loopback) as a socket whose data path is that
 * host connection (tcp_queue_forwarded; hostsock.c carries it), coming
 * from 10.0.2.2 as slirp's forwarded connections do; no listener, or a
 * full queue, and the connection is closed.  A datagram is delivered to
 * the guest's UDP socket on GUESTPORT as if from 10.0.2.2:its port, and
 * the guest's replies to that address go back through the same host
 * socket (forward_udp_reply).
 *
 * Locking: the thread takes klock to deliver; the forward list is fixed
 * before the guest starts.
 */
#include "inet.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_FORWARDS  64
#define UDP_PEERS     64
#define GATEWAY       0x0a000202
#define GUEST_ADDR    0x0a00020f

enum net_mode net_mode = NET_PRIVATE;

struct forward {
	char spec[64];                /* as given, for messages */
	bool udp;
	uint32_t hostip;              /* network order */
	uint16_t hostport, guestport;
	int fd;
	struct sockaddr_in peers[UDP_PEERS];   /* UDP: the host clients seen, newest last */
	int npeers;
};

static struct forward fwds[MAX_FORWARDS];
static int nfwds;

/* A port number 1-65535, or -1. */
static int parse_port(const char *s, size_t n)
{
	char buf[8];
	char *end;
	long v;

	if (!n || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = 0;
	v = strtol(buf, &end, 10);
	if (*end || v < 1 || v > 65535 || buf[0] == '+' || buf[0] == '-')
		return -1;
	return (int)v;
}

/* net_add_forward - see net.h. */
int net_add_forward(const char *spec, char *err, size_t errlen)
{
	struct forward *f = &fwds[nfwds];
	const char *proto = strchr(spec, '/'), *end = proto ? proto : spec + strlen(spec);
	const char *c2, *c1;
	int hp, gp;

	if (nfwds == MAX_FORWARDS) {
		snprintf(err, errlen, "-p %s: at most %d forwards", spec, MAX_FORWARDS);
		return -EINVAL;
	}
	memset(f, 0, sizeof(*f));
	snprintf(f->spec, sizeof(f->spec), "%s", spec);
	if (proto && strcmp(proto, "/tcp") && strcmp(proto, "/udp"))
		goto bad;
	f->udp = proto && !strcmp(proto, "/udp");
	c2 = memrchr(spec, ':', end - spec);
	if (!c2)
		goto bad;
	c1 = memrchr(spec, ':', c2 - spec);
	f->hostip = htonl(INADDR_LOOPBACK);
	if (c1) {
		char ip[32];

		if ((size_t)(c1 - spec) >= sizeof(ip))
			goto bad;
		memcpy(ip, spec, c1 - spec);
		ip[c1 - spec] = 0;
		if (inet_pton(AF_INET, ip, &f->hostip) != 1)
			goto bad;
	}
	hp = parse_port(c1 ? c1 + 1 : spec, c2 - (c1 ? c1 + 1 : spec));
	gp = parse_port(c2 + 1, end - c2 - 1);
	if (hp < 0 || gp < 0)
		goto bad;
	f->hostport = hp;
	f->guestport = gp;
	f->fd = -1;
	nfwds++;
	return 0;
bad:
	snprintf(err, errlen, "-p %s: expected [HOSTIP:]HOSTPORT:GUESTPORT[/tcp|/udp]", spec);
	return -EINVAL;
}

/* The guest's socket a forwarded connection or datagram goes to, and the
 * guest address it was sent to. */
static struct inet_sock *guest_target(struct forward *f, const struct inet_ep *from,
				      struct inet_ep *local)
{
	static const uint32_t tries[] = { GUEST_ADDR, INADDR_LOOPBACK };
	struct inet_sock *s;

	for (size_t i = 0; i < ARRAY_SIZE(tries); i++) {
		ep_set_v4(local, htonl(tries[i]), f->guestport);
		/* forwards reach the guest's initial network namespace */
		s = f->udp ? inet_lookup_udp(&init_net_ns, L_IPPROTO_UDP, local, from)
			   : inet_lookup_listener(&init_net_ns, local, from);
		if (s)
			return s;
	}
	return NULL;
}

static void serve_tcp(struct forward *f)
{
	for (;;) {
		struct sockaddr_in peer;
		socklen_t len = sizeof(peer);
		struct inet_ep from, local;
		struct inet_sock *l;
		int fd = accept4(f->fd, (struct sockaddr *)&peer, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return;
		ep_set_v4(&from, htonl(GATEWAY), ntohs(peer.sin_port));
		l = guest_target(f, &from, &local);
		if (!l || tcp_queue_forwarded(l, fd, &from, &local))
			close(fd);
	}
}

static void serve_udp(struct forward *f)
{
	static char buf[65536];

	for (;;) {
		struct sockaddr_in peer;
		socklen_t len = sizeof(peer);
		struct inet_ep from, local;
		struct inet_sock *s;
		ssize_t n = recvfrom(f->fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&peer, &len);
		int i;

		if (n < 0)
			return;
		for (i = 0; i < f->npeers; i++)
			if (f->peers[i].sin_port == peer.sin_port &&
			    f->peers[i].sin_addr.s_addr == peer.sin_addr.s_addr)
				break;
		if (i == f->npeers) {
			if (f->npeers == UDP_PEERS)
				memmove(f->peers, f->peers + 1, --f->npeers * sizeof(f->peers[0]));
			f->peers[f->npeers++] = peer;
		}
		ep_set_v4(&from, htonl(GATEWAY), ntohs(peer.sin_port));
		s = guest_target(f, &from, &local);
		if (s)
			udp_deliver(s, &from, buf, n);
	}
}

/* forward_udp_reply - see inet.h. */
ssize_t forward_udp_reply(uint16_t gport, const struct inet_ep *dst, const void *buf, size_t len)
{
	if (!ep_v4(dst) || ntohl(ep_v4_addr(dst)) != GATEWAY)
		return -ENOENT;
	for (int i = 0; i < nfwds; i++) {
		struct forward *f = &fwds[i];

		if (!f->udp || f->guestport != gport || f->fd < 0)
			continue;
		for (int j = f->npeers - 1; j >= 0; j--) {
			if (ntohs(f->peers[j].sin_port) != dst->port)
				continue;
			if (sendto(f->fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&f->peers[j],
				   sizeof(f->peers[j])) < 0)
				return -errno;
			return len;
		}
	}
	return -ENOENT;
}

static void *forward_thread(void *arg)
{
	int ep = (int)(intptr_t)arg;
	struct epoll_event ev[16];

	for (;;) {
		int n = epoll_wait(ep, ev, ARRAY_SIZE(ev), -1);

		if (n < 0)
			continue;
		pthread_mutex_lock(&klock);
		for (int i = 0; i < n; i++) {
			struct forward *f = &fwds[ev[i].data.u32];

			if (f->udp)
				serve_udp(f);
			else
				serve_tcp(f);
		}
		pthread_mutex_unlock(&klock);
	}
	return NULL;
}

/* net_start - see net.h. */
int net_start(char *err, size_t errlen)
{
	pthread_t th;
	int ep;

	if (!nfwds)
		return 0;
	if (net_mode != NET_PRIVATE) {
		snprintf(err, errlen, "-p %s: forwards need --net=private", fwds[0].spec);
		return -EINVAL;
	}
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0) {
		snprintf(err, errlen, "epoll: %s", strerror(errno));
		return -errno;
	}
	for (int i = 0; i < nfwds; i++) {
		struct forward *f = &fwds[i];
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(f->hostport),
					  .sin_addr.s_addr = f->hostip };
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = i };
		int one = 1;
		char ip[INET_ADDRSTRLEN];

		f->fd = socket(AF_INET, (f->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (f->fd < 0)
			goto fail;
		if (!f->udp)
			setsockopt(f->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(f->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
		    (!f->udp && listen(f->fd, 128) < 0) ||
		    epoll_ctl(ep, EPOLL_CTL_ADD, f->fd, &ev) < 0)
			goto fail;
		continue;
fail:
		inet_ntop(AF_INET, &f->hostip, ip, sizeof(ip));
		snprintf(err, errlen, "-p %s: cannot %s %s:%u: %s", f->spec, f->udp ? "bind" : "listen on",
			 ip, f->hostport, strerror(errno));
		return -errno;
	}
	if (pthread_create(&th, NULL, forward_thread, (void *)(intptr_t)ep)) {
		snprintf(err, errlen, "cannot start the forwarding thread");
		return -EAGAIN;
	}
	pthread_detach(th);
	return 0;
}
