/*
 * inet.c - AF_INET and AF_INET6 sockets: socket(2) for TCP and UDP,
 * their addresses, the port tables, socket options, getsockname and
 * getpeername, and /proc/net/{tcp,tcp6,udp,udp6}; Linux's net/ipv4/
 * af_inet.c, inet_connection_sock.c, ip_sockglue.c and their IPv6 twins
 * as a guest sees them.
 *
 * In a nutshell: in host mode a socket is a host socket from the start
 * (hostsock.c's inet_host_ops; this file only makes it).  In private and
 * none modes it is umk's own struct inet_sock (inet.h) with inet_ops:
 * bound names live in one port table per protocol, and a destination
 * the guest owns (its loopback, 127.0.0.0/8 and ::1, and in private
 * mode its interface address 10.0.2.15) is reached through them, by
 * inet_stream.c (TCP) and inet_dgram.c (UDP), with no packets at all.
 * Any other destination is the host's, in private mode: connect(2)
 * turns the socket into a host socket (hostsock.c) connected there,
 * 10.0.2.2 standing for the host's 127.0.0.1; in none mode it is
 * ENETUNREACH.  Addresses are kept IPv6, IPv4 ones mapped
 * (::ffff:a.b.c.d), so an IPv6 socket bound to :: sees IPv4 peers as
 * Linux's dual-stack sockets do (IPV6_V6ONLY turns that off).
 *
 * A socket keeps the network namespace it was made in (s->net): ports,
 * listeners and peers are found within it only, and one made with
 * CLONE_NEWNET sees the mode as NET_NONE (net_mode_of): its own loopback,
 * once lo is up there, and nothing else.
 *
 * Bind conflicts follow inet_csk_bind_conflict and udp_lib_lport_inuse:
 * two sockets on one port conflict when their addresses overlap (equal,
 * or a wildcard covering the other) unless both set SO_REUSEADDR (for
 * TCP: and the other is not listening) or both set SO_REUSEPORT.  Ports
 * 0 pick a free ephemeral port (32768-60999).  Closed TCP connections
 * leave no TIME_WAIT behind: a port is free again at once.
 *
 * Locking: klock, held by the caller.
 */
#include "netdev.h"

#include <arpa/inet.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PORT_HASH        4096
#define SOCK_MIN_SNDBUF  4608
#define SOCK_MIN_RCVBUF  2304
#define SK_MEM_MAX       212992       /* wmem_max, rmem_max */
#define IPPROTO_MAX_     263
#define IPPROTO_ICMP_    1
#define IPPROTO_ICMPV6_  58
#define SIN_LEN          16           /* sizeof(struct sockaddr_in) */
#define SIN6_LEN         28           /* sizeof(struct sockaddr_in6) */
#define SIN6_LEN_RFC2133 24

static const struct proto_ops inet_ops;
static struct list_head tcp_ports[PORT_HASH], udp_ports[PORT_HASH], udplite_ports[PORT_HASH];
static struct list_head inet_all = LIST_HEAD_INIT(inet_all);
static bool ports_ready;
static uint32_t port_rand = 0x9e3779b9;

/* ---- objects ---- */

static void ports_init(void)
{
	if (ports_ready)
		return;
	for (int i = 0; i < PORT_HASH; i++) {
		list_init(&tcp_ports[i]);
		list_init(&udp_ports[i]);
		list_init(&udplite_ports[i]);
	}
	ports_ready = true;
}

/* inet_sock_alloc - a new socket with Linux's defaults, one reference. */
struct inet_sock *inet_sock_alloc(int family, int type, int protocol)
{
	struct inet_sock *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	ports_init();
	s->refs = 1;
	s->net = current_net();
	s->net->refs++;
	s->sk.family = family;
	s->sk.type = type;
	s->sk.protocol = protocol;
	s->sk.ino = sock_alloc_ino();
	s->state = TCP_CLOSE;
	s->ss = SS_UNCONNECTED;
	s->hostfd = -1;
	s->local.addr[10] = s->local.addr[11] = family == L_AF_INET ? 0xff : 0;
	s->remote = s->local;
	list_init(&s->port_link);
	list_init(&s->q_link);
	list_init(&s->acceptq);
	list_init(&s->synq);
	list_init(&s->dgq);
	waitq_init(&s->wq);
	list_add_tail(&s->all_link, &inet_all);
	s->o.sndbuf = type == L_SOCK_STREAM ? TCP_WMEM_DEFAULT : UDP_MEM_DEFAULT;
	s->o.rcvbuf = type == L_SOCK_STREAM ? TCP_RMEM_DEFAULT : UDP_MEM_DEFAULT;
	s->o.rcvlowat = 1;
	s->o.ttl = -1;
	s->o.mc_ttl = 1;
	s->o.mc_loop = true;
	s->o.mtu_discover = 1;        /* IP_PMTUDISC_WANT */
	s->o.hops = -1;
	s->o.mc_hops = 1;
	s->o.v6_mc_loop = true;
	s->o.v6_mtu_discover = 1;
	s->o.tclass = 0;
	s->o.keepidle = 7200;
	s->o.keepintvl = 75;
	s->o.keepcnt = 9;
	s->o.syncnt = 6;
	s->o.linger2 = 60;
	s->o.notsent_lowat = -1;
	s->o.quickack = true;
	s->o.v6_autoflowlabel = true;
	strcpy(s->o.congestion, "cubic");
	return s;
}

void inet_hold(struct inet_sock *s)
{
	s->refs++;
}

/* inet_put - drops a reference; the last frees the socket. */
void inet_put(struct inet_sock *s)
{
	if (!s || --s->refs > 0)
		return;
	if (s->refs < 0 || s->peer || !list_empty(&s->acceptq) || !list_empty(&s->synq))
		oops("inet_put: socket %llu freed while in use", (unsigned long long)s->sk.ino);
	inet_unbind(s);
	if (s->hostfd >= 0)
		close(s->hostfd);
	ring_free(&s->rx);
	udp_free(s);
	for (int i = 0; i < 4; i++)
		free(s->v6_ext[i]);
	free(s->cork_buf);
	list_del(&s->all_link);
	put_net_ns(s->net);
	free(s);
}

void inet_set_net(struct inet_sock *s, struct net_namespace *net)
{
	net->refs++;
	put_net_ns(s->net);
	s->net = net;
}

/* inet_file - s's file (flags: L_SOCK_NONBLOCK), owning s's reference. */
struct file *inet_file(struct inet_sock *s, int flags)
{
	return sock_file_alloc(&s->sk, s->hostfd >= 0 && net_mode == NET_HOST ? &inet_host_ops
								 : &inet_ops,
			       s->sk.family, s->sk.type, s->sk.protocol, flags);
}

/*
 * inet_create - socket(2) for AF_INET and AF_INET6 (Linux's inet_create,
 * inet6_create): SOCK_STREAM with protocol 0 or IPPROTO_TCP, SOCK_DGRAM
 * with 0, IPPROTO_UDP or IPPROTO_UDPLITE (UDP-Lite: UDP with a checksum
 * that may cover part of the datagram, which on the loopback behaves as
 * UDP, with ports of its own).  -EINVAL for a protocol out of range,
 * -EPROTONOSUPPORT for another protocol, -ESOCKTNOSUPPORT for another
 * type; SOCK_RAW and ICMP datagram ("ping") sockets are icmp.c's
 * (icmp_create: -EPERM, -EACCES as Linux decides them).  In host
 * mode the socket is a host socket (-EMFILE...: the host's error).
 */
int inet_create(int family, int type, int protocol, int flags, struct file **out)
{
	struct inet_sock *s;
	int err;

	*out = NULL;
	if (protocol < 0 || protocol >= IPPROTO_MAX_)
		return -EINVAL;
	switch (type) {
	case L_SOCK_STREAM:
		if (protocol && protocol != L_IPPROTO_TCP)
			return -EPROTONOSUPPORT;
		protocol = L_IPPROTO_TCP;
		break;
	case L_SOCK_DGRAM:
		if (protocol == IPPROTO_ICMP_ || protocol == IPPROTO_ICMPV6_)
			return icmp_create(family, type, protocol, flags, out);
		if (protocol && protocol != L_IPPROTO_UDP && protocol != L_IPPROTO_UDPLITE)
			return -EPROTONOSUPPORT;
		if (!protocol)
			protocol = L_IPPROTO_UDP;
		break;
	case L_SOCK_RAW:
		/* protocol 0 matches no raw protocol (inet_create's wildcard
		 * rule): EPROTONOSUPPORT before the privilege check */
		if (!protocol)
			return -EPROTONOSUPPORT;
		return icmp_create(family, type, protocol, flags, out);
	default:
		return -ESOCKTNOSUPPORT;
	}
	s = inet_sock_alloc(family, type, protocol);
	if (!s)
		return -ENOMEM;
	if (net_mode_of(s->net) == NET_HOST) {
		err = hostsock_open(s);
		if (err) {
			inet_put(s);
			return err;
		}
	}
	*out = inet_file(s, flags);
	if (!*out) {
		inet_put(s);
		return -ENOMEM;
	}
	return 0;
}

/* ---- addresses ---- */

static const uint8_t v4mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

bool ep_v4(const struct inet_ep *e)
{
	return !memcmp(e->addr, v4mapped_prefix, 12);
}

uint32_t ep_v4_addr(const struct inet_ep *e)
{
	uint32_t a;

	memcpy(&a, e->addr + 12, 4);
	return a;
}

void ep_set_v4(struct inet_ep *e, uint32_t addr_be, uint16_t port)
{
	memcpy(e->addr, v4mapped_prefix, 12);
	memcpy(e->addr + 12, &addr_be, 4);
	e->port = port;
}

bool ep_any(const struct inet_ep *e)
{
	static const uint8_t zero[16];

	return !memcmp(e->addr, zero, 16) || (ep_v4(e) && !ep_v4_addr(e));
}

bool ep_equal_addr(const struct inet_ep *a, const struct inet_ep *b)
{
	return !memcmp(a->addr, b->addr, 16);
}

static bool ep_v6_loopback(const struct inet_ep *e)
{
	static const uint8_t one[16] = { [15] = 1 };

	return !memcmp(e->addr, one, 16);
}

static bool v4_loopback(uint32_t a_be)
{
	return (ntohl(a_be) >> 24) == 127;
}

#define GUEST_ADDR   0x0a00020f        /* 10.0.2.15: the guest's eth0 in private mode */
#define GUEST_BCAST  0x0a0002ff

/* inet_addr_local - see inet.h (the wildcards count as the guest's).  A
 * namespace of the guest's making has its loopback's addresses only
 * while lo has them (brought up). */
bool inet_addr_local(const struct net_namespace *net, const struct inet_ep *e)
{
	if (net && net != &init_net_ns) {
		struct nd_if *lo = netdev_lo((struct net_namespace *)net);
		bool up = lo && (lo->flags & ND_IFF_UP);

		if (ep_any(e))
			return true;
		if (ep_v4(e))
			return up && lo->v4 && v4_loopback(ep_v4_addr(e));
		return up && lo->has_v6 && ep_v6_loopback(e);
	}
	if (ep_v4(e)) {
		uint32_t a = ntohl(ep_v4_addr(e));

		return !a || v4_loopback(htonl(a)) || (net_mode == NET_PRIVATE && a == GUEST_ADDR);
	}
	return ep_any(e) || ep_v6_loopback(e);
}

/* Addresses bind(2) accepts: the local ones, and for datagrams broadcast
 * and multicast ones (Linux's RTN_BROADCAST, RTN_MULTICAST). */
static bool addr_bindable(const struct net_namespace *net, const struct inet_ep *e)
{
	if (inet_addr_local(net, e))
		return true;
	if (net && net != &init_net_ns && ep_v4(e)) {
		/* Linux's inet_addr_type without a local table yet (lo
		 * never had an IPv4 address): any; the loopback's always */
		struct nd_if *lo = netdev_lo((struct net_namespace *)net);

		if (v4_loopback(ep_v4_addr(e)) || (lo && !lo->v4))
			return true;
	}
	if (ep_v4(e)) {
		uint32_t a = ntohl(ep_v4_addr(e));

		return (a >> 28) == 0xe || a == 0xffffffff || a == 0x7fffffff ||
		       (net_mode_of(net) == NET_PRIVATE && a == GUEST_BCAST);
	}
	return e->addr[0] == 0xff;    /* IPv6 multicast */
}

/* inet_route_src - see inet.h: 127.0.0.1 for the loopback, 10.0.2.15 for
 * the guest's own address and (private mode) everything else; ::1. */
void inet_route_src(const struct inet_ep *dst, struct inet_ep *src)
{
	uint16_t port = src->port;

	if (ep_v4(dst)) {
		uint32_t a = ntohl(ep_v4_addr(dst));

		if (!a || v4_loopback(htonl(a)))
			ep_set_v4(src, htonl(0x7f000001), port);
		else
			ep_set_v4(src, htonl(GUEST_ADDR), port);
		return;
	}
	memset(src->addr, 0, 16);
	if (ep_any(dst) || ep_v6_loopback(dst))
		src->addr[15] = 1;
	src->port = port;
}

/* inet_ep_to_sockaddr - a sockaddr_in (16 bytes) for an AF_INET socket,
 * a sockaddr_in6 (28, flow label and scope 0) for an AF_INET6 one. */
void inet_ep_to_sockaddr(int family, const struct inet_ep *e, struct sock_addr *out)
{
	uint16_t port = htons(e->port);

	memset(out, 0, sizeof(*out));
	if (family == L_AF_INET) {
		uint16_t fam = L_AF_INET;
		uint32_t a = ep_v4_addr(e);

		memcpy(out->name, &fam, 2);
		memcpy(out->name + 2, &port, 2);
		memcpy(out->name + 4, &a, 4);
		out->len = SIN_LEN;
	} else {
		uint16_t fam = L_AF_INET6;

		memcpy(out->name, &fam, 2);
		memcpy(out->name + 2, &port, 2);
		memcpy(out->name + 8, e->addr, 16);
		out->len = SIN6_LEN;
	}
}

static uint16_t sa_family(const struct sock_addr *a)
{
	uint16_t f;

	memcpy(&f, a->name, 2);
	return f;
}

static void sa_v4(const struct sock_addr *a, struct inet_ep *e)
{
	uint16_t port;
	uint32_t addr;

	memcpy(&port, a->name + 2, 2);
	memcpy(&addr, a->name + 4, 4);
	ep_set_v4(e, addr, ntohs(port));
}

static void sa_v6(const struct sock_addr *a, struct inet_ep *e)
{
	uint16_t port;

	memcpy(&port, a->name + 2, 2);
	memcpy(e->addr, a->name + 8, 16);
	e->port = ntohs(port);
}

/*
 * inet_sockaddr_to_ep - a destination for connect(2) (after its AF_UNSPEC
 * check): an AF_INET socket takes a sockaddr_in (-EINVAL under 16 bytes,
 * -EAFNOSUPPORT for another family), an AF_INET6 one a sockaddr_in6
 * (-EINVAL under 24, -EAFNOSUPPORT) or, for UDP, a sockaddr_in.  The
 * unspecified address means the loopback (Linux routes 0.0.0.0 and ::
 * there); a mapped address on an IPV6_V6ONLY socket is -ENETUNREACH.
 */
int inet_sockaddr_to_ep(struct inet_sock *s, const struct sock_addr *a, struct inet_ep *e)
{
	uint16_t fam = sa_family(a);

	if (s->sk.family == L_AF_INET || (s->sk.type == L_SOCK_DGRAM && fam == L_AF_INET)) {
		if (s->sk.family == L_AF_INET6 && s->o.v6only)
			return -EAFNOSUPPORT;
		if (a->len < SIN_LEN)
			return -EINVAL;
		if (fam != L_AF_INET)
			return -EAFNOSUPPORT;
		sa_v4(a, e);
		if (!ep_v4_addr(e))
			ep_set_v4(e, htonl(0x7f000001), e->port);
		return 0;
	}
	if (a->len < SIN6_LEN_RFC2133)
		return -EINVAL;
	if (fam != L_AF_INET6)
		return -EAFNOSUPPORT;
	sa_v6(a, e);
	if (ep_any(e)) {
		if (ep_v4(&s->local) && s->bound)
			ep_set_v4(e, htonl(0x7f000001), e->port);
		else
			inet_route_src(e, e);
	}
	if (ep_v4(e) && s->o.v6only)
		return -ENETUNREACH;
	if (e->addr[0] == 0xff && s->sk.type == L_SOCK_STREAM)
		return -ENETUNREACH;
	return 0;
}

/* ---- port tables ---- */

/* The chain for port in the table of protocol (TCP, UDP, UDP-Lite). */
static struct list_head *port_chain(int proto, uint16_t port)
{
	return (proto == L_IPPROTO_TCP ? tcp_ports : proto == L_IPPROTO_UDP ? udp_ports : udplite_ports) +
	       (port & (PORT_HASH - 1));
}

/* Whether s's name takes in every IPv4, every IPv6 address. */
static bool wild_v4(const struct inet_sock *s)
{
	if (!ep_any(&s->local))
		return false;
	return ep_v4(&s->local) || !s->o.v6only;
}

static bool wild_v6(const struct inet_sock *s)
{
	return ep_any(&s->local) && !ep_v4(&s->local);
}

/* Does s's name take in address e (of a destination)? */
static bool name_takes(const struct inet_sock *s, const struct inet_ep *e)
{
	if (!ep_any(&s->local))
		return ep_equal_addr(&s->local, e);
	return ep_v4(e) ? wild_v4(s) : wild_v6(s);
}

/* Linux's inet_rcv_saddr_equal: do the names of a and b overlap? */
static bool names_overlap(const struct inet_sock *a, const struct inet_sock *b)
{
	if (!ep_any(&a->local))
		return name_takes(b, &a->local);
	if (!ep_any(&b->local))
		return name_takes(a, &b->local);
	return (wild_v4(a) && wild_v4(b)) || (wild_v6(a) && wild_v6(b));
}

/* Would s, named s->local, conflict with another socket on its port? */
static bool bind_conflict(const struct inet_sock *s)
{
	struct list_head *chain = port_chain(s->sk.protocol, s->local.port), *p, *n;

	list_for_each_safe(p, n, chain) {
		struct inet_sock *o = list_entry(p, struct inet_sock, port_link);

		if (o == s || o->net != s->net || o->local.port != s->local.port ||
		    !names_overlap(s, o))
			continue;
		if (s->o.reuseaddr && o->o.reuseaddr &&
		    (s->sk.type == L_SOCK_DGRAM || o->state != TCP_LISTEN))
			continue;
		if (s->o.reuseport && o->o.reuseport && s->sk.uid == o->sk.uid)
			continue;
		return true;
	}
	return false;
}

static bool port_used(const struct net_namespace *net, int proto, uint16_t port)
{
	struct list_head *chain = port_chain(proto, port), *p, *n;

	list_for_each_safe(p, n, chain) {
		struct inet_sock *o = list_entry(p, struct inet_sock, port_link);

		if (o->local.port == port && o->net == net)
			return true;
	}
	return false;
}

/* inet_hash_port - see inet.h. */
void inet_hash_port(struct inet_sock *s)
{
	if (s->bound)
		return;
	list_add_tail(&s->port_link, port_chain(s->sk.protocol, s->local.port));
	s->bound = true;
}

/* An ephemeral port nobody holds (Linux: -EADDRINUSE when none is left). */
static int pick_port(struct inet_sock *s)
{
	unsigned int range = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;

	port_rand = port_rand * 1103515245 + 12345;
	for (unsigned int i = 0, start = (port_rand >> 8) % range; i < range; i++) {
		uint16_t port = EPHEMERAL_LOW + (start + i) % range;

		if (!port_used(s->net, s->sk.protocol, port)) {
			s->local.port = port;
			return 0;
		}
	}
	return -EADDRINUSE;
}

/* inet_autobind - see inet.h (Linux's inet_autobind: the wildcard name). */
int inet_autobind(struct inet_sock *s)
{
	int err;

	if (s->bound)
		return 0;
	err = pick_port(s);
	if (err)
		return err;
	inet_hash_port(s);
	return 0;
}

/* inet_unbind - gives s's port back. */
void inet_unbind(struct inet_sock *s)
{
	if (!s->bound)
		return;
	list_del(&s->port_link);
	s->bound = false;
}

/* inet_listen_conflict - see inet.h: another listener on an overlapping
 * name, unless both set SO_REUSEPORT (inet_csk_get_port at listen). */
int inet_listen_conflict(struct inet_sock *s)
{
	struct list_head *chain = port_chain(s->sk.protocol, s->local.port), *p, *n;

	list_for_each_safe(p, n, chain) {
		struct inet_sock *o = list_entry(p, struct inet_sock, port_link);

		if (o == s || o->net != s->net || o->local.port != s->local.port ||
		    o->state != TCP_LISTEN || !names_overlap(s, o))
			continue;
		if (s->o.reuseport && o->o.reuseport && s->sk.uid == o->sk.uid)
			continue;
		return -EADDRINUSE;
	}
	return 0;
}

/*
 * The best socket for a datagram or connection to dst from src: an
 * exact name beats a wildcard, a connected UDP socket whose peer is src
 * beats both; among a SO_REUSEPORT group the source port chooses.
 */
static struct inet_sock *lookup(const struct net_namespace *net, int proto,
				const struct inet_ep *dst, const struct inet_ep *src, bool listeners)
{
	struct list_head *chain = port_chain(proto, dst->port), *p, *n;
	struct inet_sock *best[16];
	int nbest = 0, bestscore = 0;

	list_for_each_safe(p, n, chain) {
		struct inet_sock *o = list_entry(p, struct inet_sock, port_link);
		int score;

		if (o->local.port != dst->port || o->net != net || o->dead || !name_takes(o, dst))
			continue;
		if (listeners && o->state != TCP_LISTEN)
			continue;
		score = ep_any(&o->local) ? 1 : 2;
		if (!listeners && o->state == TCP_ESTABLISHED) {
			if (!ep_equal_addr(&o->remote, src) || o->remote.port != src->port)
				continue;
			score += 4;
		}
		if (score > bestscore) {
			bestscore = score;
			nbest = 0;
		}
		if (score == bestscore && nbest < (int)ARRAY_SIZE(best) &&
		    (nbest == 0 || (o->o.reuseport && best[0]->o.reuseport)))
			best[nbest++] = o;
	}
	if (!nbest)
		return NULL;
	return best[src->port % nbest];
}

struct inet_sock *inet_lookup_listener(const struct net_namespace *net, const struct inet_ep *dst,
				       const struct inet_ep *src)
{
	return lookup(net, L_IPPROTO_TCP, dst, src, true);
}

struct inet_sock *inet_lookup_udp(const struct net_namespace *net, int proto,
				  const struct inet_ep *dst, const struct inet_ep *src)
{
	return lookup(net, proto, dst, src, false);
}

/* ---- bind, connect, listen, accept ---- */

/*
 * inet_bind - bind(2) (Linux's __inet_bind, __inet6_bind): an AF_INET
 * socket takes a sockaddr_in (-EINVAL under 16 bytes; another family
 * -EAFNOSUPPORT, except AF_UNSPEC with INADDR_ANY), an AF_INET6 one a
 * sockaddr_in6 (-EINVAL under 24 bytes, -EAFNOSUPPORT; a mapped address
 * on an IPV6_V6ONLY socket -EINVAL).  -EADDRNOTAVAIL for an address the
 * guest does not own (unless IP_FREEBIND/IP_TRANSPARENT), -EACCES for a
 * port under 1024 unless root, -EINVAL if already bound, -EADDRINUSE.
 */
static int inet_bind(struct task *t, struct file *f, const struct sock_addr *a)
{
	struct inet_sock *s = inet_sk(f);
	struct inet_ep e;
	uint16_t fam;

	if (s->sk.family == L_AF_INET) {
		if (a->len < SIN_LEN)
			return -EINVAL;
		fam = sa_family(a);
		sa_v4(a, &e);
		if (fam != L_AF_INET && (fam != L_AF_UNSPEC || ep_v4_addr(&e)))
			return -EAFNOSUPPORT;
	} else {
		if (a->len < SIN6_LEN_RFC2133)
			return -EINVAL;
		if (sa_family(a) != L_AF_INET6)
			return -EAFNOSUPPORT;
		sa_v6(a, &e);
		if (ep_v4(&e) && s->o.v6only)
			return -EINVAL;
	}
	if (!addr_bindable(s->net, &e) && !s->o.freebind && !s->o.transparent)
		return -EADDRNOTAVAIL;
	if (e.port && e.port < 1024 && t && t->cred.euid != 0)
		return -EACCES;
	if (s->state != TCP_CLOSE || s->bound || s->hostfd >= 0)
		return -EINVAL;
	s->local = e;
	if (!e.port) {
		if (pick_port(s))
			goto inuse;
	} else if (bind_conflict(s)) {
		goto inuse;
	}
	s->user_port = e.port != 0;
	s->user_addr = !ep_any(&e);
	inet_hash_port(s);
	return 0;
inuse:
	memset(&s->local, 0, sizeof(s->local));
	if (s->sk.family == L_AF_INET)
		ep_set_v4(&s->local, 0, 0);
	return -EADDRINUSE;
}

/*
 * inet_connect - connect(2): AF_UNSPEC disconnects; TCP answers EISCONN,
 * EALREADY... as __inet_stream_connect does before it looks at the
 * address.  A destination the guest owns is connected through the port
 * tables (tcp_connect, udp_connect); another one, in private mode,
 * through a host socket (hostsock_connect); in none mode -ENETUNREACH.
 */
static int inet_connect(struct task *t, struct file *f, const struct sock_addr *a)
{
	struct inet_sock *s = inet_sk(f);
	struct inet_ep dst;
	int err;

	if (a->len < 2)
		return -EINVAL;
	if (sa_family(a) == L_AF_UNSPEC)
		return s->sk.type == L_SOCK_STREAM ? tcp_disconnect(s) : udp_disconnect(s);
	if (s->sk.type == L_SOCK_STREAM) {
		if (s->outbound || s->hostfd >= 0)
			return hostsock_connect(t, f, s, NULL);
		if (s->ss == SS_CONNECTED)
			return -EISCONN;
		if (s->ss == SS_CONNECTING)
			return tcp_connect(t, f, s, NULL);
		if (s->state != TCP_CLOSE)
			return -EISCONN;
	} else if (!s->bound && s->hostfd < 0) {
		err = inet_autobind(s);
		if (err)
			return -EAGAIN;
	}
	err = inet_sockaddr_to_ep(s, a, &dst);
	if (err)
		return err;
	if (!inet_addr_local(s->net, &dst)) {
		if (net_mode_of(s->net) != NET_PRIVATE)
			return -ENETUNREACH;
		if (s->sk.type == L_SOCK_DGRAM)
			return udp_connect(s, &dst);
		return hostsock_connect(t, f, s, &dst);
	}
	if (s->sk.type == L_SOCK_DGRAM)
		return udp_connect(s, &dst);
	return tcp_connect(t, f, s, &dst);
}

/*
 * inet_abort - resets a TCP connection from outside (see net.h): on the
 * guest's loopback both ends see it (tcp_abort); a host socket is
 * disconnected with an AF_UNSPEC connect, which makes the host's TCP
 * send the reset.
 */
int inet_abort(struct file *f)
{
	struct inet_sock *s = inet_sk(f);

	if (s->sk.type != L_SOCK_STREAM)
		return -EOPNOTSUPP;
	if (s->hostfd >= 0) {
		struct sockaddr unspec = { .sa_family = AF_UNSPEC };

		return connect(s->hostfd, &unspec, sizeof(unspec)) ? -errno : 0;
	}
	return tcp_abort(s);
}

/* inet_listen - listen(2): -EOPNOTSUPP for UDP, -EINVAL unless unconnected. */
static int inet_listen(struct task *t, struct file *f, int backlog)
{
	struct inet_sock *s = inet_sk(f);

	(void)t;
	if (s->sk.type != L_SOCK_STREAM)
		return -EOPNOTSUPP;
	if (s->ss != SS_UNCONNECTED || s->hostfd >= 0 ||
	    (s->state != TCP_CLOSE && s->state != TCP_LISTEN))
		return -EINVAL;
	return tcp_listen(s, backlog);
}

static int inet_accept(struct task *t, struct file *f, int flags, struct file **out,
		       struct sock_addr *peer)
{
	struct inet_sock *s = inet_sk(f);

	if (s->sk.type != L_SOCK_STREAM)
		return -EOPNOTSUPP;
	return tcp_accept(t, f, s, flags, out, peer);
}

/* ---- data ---- */

static ssize_t inet_sendmsg(struct task *t, struct file *f, struct sock_iter *it, int flags,
			    struct sock_msg *m)
{
	struct inet_sock *s = inet_sk(f);

	if (s->sk.type == L_SOCK_DGRAM)
		return udp_sendmsg(t, f, s, it, flags, m);
	if (s->outbound)
		return hostsock_send(t, f, s, it, flags, NULL, m);
	return tcp_sendmsg(t, f, s, it, flags);
}

static ssize_t inet_recvmsg(struct task *t, struct file *f, struct sock_iter *it, int flags,
			    struct sock_msg *m)
{
	struct inet_sock *s = inet_sk(f);

	if (m)
		m->addr.len = 0;
	if (s->sk.type == L_SOCK_DGRAM)
		return udp_recvmsg(t, f, s, it, flags, m);
	if (s->outbound)
		return hostsock_recv(t, f, s, it, flags, NULL, m,
				     (flags & L_MSG_DONTWAIT) || (f->flags & O_NONBLOCK));
	return tcp_recvmsg(t, f, s, it, flags);
}

/*
 * inet_shutdown - shutdown(2) (Linux's inet_shutdown): -EINVAL for a bad
 * how; -ENOTCONN for a socket that is not connected (the halves are shut
 * all the same, as Linux does); a listener shut for reading stops
 * listening.
 */
static int inet_shutdown(struct task *t, struct file *f, int how)
{
	struct inet_sock *s = inet_sk(f);
	int mode = how + 1, err = 0;

	(void)t;
	if (how < 0 || how > 2)
		return -EINVAL;
	if (s->outbound)
		return hostsock_shutdown(s, how);
	if (s->sk.type == L_SOCK_STREAM)
		return tcp_shutdown(s, mode);
	if (s->state != TCP_ESTABLISHED)
		err = -ENOTCONN;
	s->shutdown |= mode;
	wake_up(&s->wq);
	return err;
}

/* inet_getname - the bound name (the wildcard and port 0 before bind),
 * or the peer's (-ENOTCONN without one). */
static int inet_getname(struct file *f, bool peer, struct sock_addr *out)
{
	struct inet_sock *s = inet_sk(f);
	const struct inet_ep *e = peer ? &s->remote : &s->local;

	if (s->outbound)
		hostsock_sync(s);
	/* inet_getname: no peer port, or closed, or still connecting */
	if (peer && (!s->remote.port || s->state == TCP_CLOSE || s->state == TCP_SYN_SENT))
		return -ENOTCONN;
	inet_ep_to_sockaddr(s->sk.family, e, out);
	return 0;
}

/* ---- options ---- */

static int opt_int(const void *val, int len, int *v)
{
	if (len < (int)sizeof(int))
		return -EINVAL;
	if (!val)
		return -EFAULT;
	memcpy(v, val, sizeof(int));
	return 0;
}

/* IP options take an int, or a single byte (do_ip_setsockopt). */
static int opt_ip_int(const void *val, int len, int *v)
{
	if (len >= (int)sizeof(int))
		return opt_int(val, len, v);
	if (len < 1)
		return -EINVAL;
	if (!val)
		return -EFAULT;
	*v = *(const unsigned char *)val;
	return 0;
}

static bool task_root(void)
{
	return !current || current->cred.euid == 0;
}

/* Linux's sock_setsockopt for an inet socket. */
static int sol_socket_set(struct inet_sock *s, int name, const void *val, int len)
{
	uint32_t uv;
	int v, err;

	switch (name) {
	case SO_RCVTIMEO_OLD_:
	case SO_RCVTIMEO_NEW_:
		if (!val)
			return -EFAULT;
		return sock_timeo_from(val, len, &s->o.rcvtimeo);
	case SO_SNDTIMEO_OLD_:
	case SO_SNDTIMEO_NEW_:
		if (!val)
			return -EFAULT;
		return sock_timeo_from(val, len, &s->o.sndtimeo);
	case SO_BINDTODEVICE_: {
		char name[17] = { 0 };

		if (len < 0)
			return -EINVAL;
		if (!val)
			return -EFAULT;
		memcpy(name, val, len < 16 ? len : 16);
		if (name[0] && strcmp(name, "lo") &&
		    !(net_mode_of(s->net) == NET_PRIVATE && !strcmp(name, "eth0")))
			return -ENODEV;
		memcpy(s->o.bindtodevice, name, 16);
		return 0;
	}
	case SO_LINGER_: {
		int lg[2];

		if (len < (int)sizeof(lg))
			return -EINVAL;
		if (!val)
			return -EFAULT;
		memcpy(lg, val, sizeof(lg));
		s->o.linger_on = lg[0] != 0;
		s->o.linger_secs = lg[1] < 0 ? 0 : lg[1];
		return 0;
	}
	}
	err = opt_int(val, len, &v);
	if (err)
		return err;
	switch (name) {
	case SO_DEBUG_: s->o.debug = v; return 0;
	case SO_REUSEADDR_: s->o.reuseaddr = v; return 0;
	case SO_REUSEPORT_: s->o.reuseport = v; return 0;
	case SO_KEEPALIVE_: s->o.keepalive = v; return 0;
	case SO_BROADCAST_: s->o.broadcast = v; return 0;
	case SO_DONTROUTE_: s->o.dontroute = v; return 0;
	case SO_OOBINLINE_: s->o.oobinline = v; return 0;
	case SO_NO_CHECK_: s->o.nocheck = v; return 0;
	case SO_PASSCRED_: s->o.passcred = v; return 0;
	case SO_RXQ_OVFL_: s->o.rxq_ovfl = v; return 0;
	case SO_ZEROCOPY_: s->o.zerocopy = v; return 0;
	case SO_TIMESTAMP_OLD_:
	case SO_TIMESTAMP_NEW_: s->o.timestamp = v; return 0;
	case SO_TIMESTAMPNS_OLD_:
	case SO_TIMESTAMPNS_NEW_: s->o.timestampns = v; return 0;
	case SO_BUSY_POLL_:
	case SO_INCOMING_CPU_:
		return v < 0 ? -EINVAL : 0;
	case SO_PRIORITY_:
		if ((v < 0 || v > 6) && !task_root())
			return -EPERM;
		s->o.priority = v;
		return 0;
	case SO_MARK_:
		if (!task_root())
			return -EPERM;
		s->o.mark = v;
		return 0;
	case SO_RCVLOWAT_:
		if (v < 0)
			v = INT32_MAX;
		s->o.rcvlowat = v ? v : 1;
		wake_up(&s->wq);
		return 0;
	case SO_SNDBUF_:
	case SO_SNDBUFFORCE_:
		if (name == SO_SNDBUFFORCE_ && !task_root())
			return -EPERM;
		uv = (uint32_t)v;
		if (uv > SK_MEM_MAX && name == SO_SNDBUF_)
			uv = SK_MEM_MAX;
		if (uv > INT32_MAX / 2)
			uv = INT32_MAX / 2;
		s->o.sndbuf = (int)uv * 2 > SOCK_MIN_SNDBUF ? (int)uv * 2 : SOCK_MIN_SNDBUF;
		s->o.sndbuf_set = true;
		wake_up(&s->wq);
		return 0;
	case SO_RCVBUF_:
	case SO_RCVBUFFORCE_:
		if (name == SO_RCVBUFFORCE_ && !task_root())
			return -EPERM;
		uv = (uint32_t)v;
		if (uv > SK_MEM_MAX && name == SO_RCVBUF_)
			uv = SK_MEM_MAX;
		if (uv > INT32_MAX / 2)
			uv = INT32_MAX / 2;
		s->o.rcvbuf = (int)uv * 2 > SOCK_MIN_RCVBUF ? (int)uv * 2 : SOCK_MIN_RCVBUF;
		s->o.rcvbuf_set = true;
		return 0;
	case SO_PEEK_OFF_:
		return s->sk.type == L_SOCK_STREAM ? -EOPNOTSUPP : 0;
	}
	return -ENOPROTOOPT;
}

/*
 * An IPv4 multicast group joined or left (Linux's ip_mc_join_group and
 * ip_mc_leave_group; group in network order, ifindex 0: any device):
 * -EINVAL for a group outside 224.0.0.0/4, -ENODEV for an interface the
 * namespace lacks, -EADDRINUSE joining twice, -ENOBUFS past
 * igmp_max_memberships, -EADDRNOTAVAIL leaving a group not joined.
 */
static int mc_join_leave(struct inet_sock *s, bool join, uint32_t group, int ifindex)
{
	int i;

	if (join && (ntohl(group) >> 28) != 0xe)
		return -EINVAL;
	if (ifindex && !netdev_by_index(ifindex))
		return join ? -ENODEV : -EADDRNOTAVAIL;
	for (i = 0; i < s->nmc; i++)
		if (s->mc[i].group == group && (!ifindex || !s->mc[i].ifindex ||
						s->mc[i].ifindex == ifindex))
			break;
	if (join) {
		if (i < s->nmc)
			return -EADDRINUSE;
		if (s->nmc >= INET_MAX_MEMBERSHIPS)
			return -ENOBUFS;
		s->mc[s->nmc].group = group;
		s->mc[s->nmc++].ifindex = ifindex;
		return 0;
	}
	if (i == s->nmc)
		return -EADDRNOTAVAIL;
	s->mc[i] = s->mc[--s->nmc];
	return 0;
}

/* Linux's do_ip_setsockopt (on IPv6 sockets too). */
static int sol_ip_set(struct inet_sock *s, int name, const void *val, int len)
{
	int v = 0, err;

	switch (name) {
	case 4:  /* IP_OPTIONS */
		return len > 40 ? -EINVAL : 0;
	case 32: /* IP_MULTICAST_IF */
		if (len < 4)
			return -EINVAL;
		if (!val)
			return -EFAULT;
		memcpy(&s->o.mc_if, len >= 8 ? (const char *)val + 4 : val, 4);
		return 0;
	case 35: /* IP_ADD_MEMBERSHIP */
	case 36: { /* IP_DROP_MEMBERSHIP: struct ip_mreq, or ip_mreqn with an ifindex */
		uint32_t grp;
		int ifindex = 0;

		if (len < 8)
			return -EINVAL;
		if (!val)
			return -EFAULT;
		memcpy(&grp, val, 4);
		if (len >= 12)
			memcpy(&ifindex, (const char *)val + 8, 4);
		return mc_join_leave(s, name == 35, grp, ifindex);
	}
	case 42: /* MCAST_JOIN_GROUP */
	case 45: { /* MCAST_LEAVE_GROUP: struct group_req */
		uint32_t ifindex, grp;
		uint16_t fam;

		if (len < 136)
			return -EINVAL;
		if (!val)
			return -EFAULT;
		memcpy(&ifindex, val, 4);
		memcpy(&fam, (const char *)val + 8, 2);
		if (fam != L_AF_INET)
			return -EADDRNOTAVAIL;
		memcpy(&grp, (const char *)val + 12, 4);
		return mc_join_leave(s, name == 42, grp, (int)ifindex);
	}
	case 14: /* IP_MTU: get only */
	case 3:  /* IP_HDRINCL: raw sockets only */
		return -ENOPROTOOPT;
	}
	switch (name) {
	case 1: case 2: case 6: case 7: case 8: case 10: case 11: case 12: case 13: case 15:
	case 19: case 20: case 21: case 22: case 24: case 33: case 34: case 49:
		break;          /* the int-valued ones */
	default:
		return -ENOPROTOOPT;
	}
	err = opt_ip_int(val, len, &v);
	if (err)
		return err;
	switch (name) {
	case 1:  /* IP_TOS */
		s->o.tos = v & 0xff & ~3;
		return 0;
	case 2:  /* IP_TTL */
		if (v != -1 && (v < 1 || v > 255))
			return -EINVAL;
		s->o.ttl = v;
		return 0;
	case 33: /* IP_MULTICAST_TTL */
		if (s->sk.type == L_SOCK_STREAM)
			return -EINVAL;
		if (len == 1 || (v >= -1 && v <= 255)) {
			s->o.mc_ttl = v == -1 ? 1 : v;
			return 0;
		}
		return -EINVAL;
	case 34: s->o.mc_loop = v; return 0;      /* IP_MULTICAST_LOOP */
	case 49: s->o.mc_all = v; return 0;       /* IP_MULTICAST_ALL */
	case 10: /* IP_MTU_DISCOVER */
		if (v < 0 || v > 5)
			return -EINVAL;
		s->o.mtu_discover = v;
		return 0;
	case 11: s->o.recverr = v; return 0;      /* IP_RECVERR */
	case 8:  s->o.pktinfo = v; return 0;      /* IP_PKTINFO */
	case 13: s->o.recvtos = v; return 0;      /* IP_RECVTOS */
	case 12: s->o.recvttl = v; return 0;      /* IP_RECVTTL */
	case 6:  s->o.recvopts = v; return 0;     /* IP_RECVOPTS */
	case 7:  s->o.retopts = v; return 0;      /* IP_RETOPTS */
	case 15: s->o.freebind = v; return 0;     /* IP_FREEBIND */
	case 19: /* IP_TRANSPARENT */
		if (!task_root())
			return -EPERM;
		s->o.transparent = v;
		return 0;
	case 24: s->o.bind_no_port = v; return 0; /* IP_BIND_ADDRESS_NO_PORT */
	case 20: s->o.origdstaddr = v; return 0;  /* IP_RECVORIGDSTADDR */
	case 21: /* IP_MINTTL */
		if (v < 0 || v > 255)
			return -EINVAL;
		s->o.minttl = v;
		return 0;
	case 22: s->o.nodefrag = v; return 0;     /* IP_NODEFRAG */
	}
	return -ENOPROTOOPT;
}

/* The slot in v6_ext of IPV6_HOPOPTS, RTHDRDSTOPTS, RTHDR, DSTOPTS; -1 for another option. */
static int v6_ext_slot(int name)
{
	switch (name) {
	case 54: return 0;
	case 55: return 1;
	case 57: return 2;
	case 59: return 3;
	}
	return -1;
}

/* Linux's seg6_validate_srh (not reduced): a type 4 routing header of len bytes. */
static bool srh_valid(const uint8_t *h, int len)
{
	int hdrlen = h[1], segleft = h[3], first = h[4], trailing, off;

	if (h[2] != 4 || ((hdrlen + 1) << 3) != len || segleft > first || first > hdrlen / 2 - 1)
		return false;
	off = 8 + ((first + 1) << 4);
	for (trailing = len - off; trailing; ) {
		int tlv;

		if (trailing < 2)
			return false;
		tlv = 2 + h[off + 1];
		trailing -= tlv;
		if (trailing < 0)
			return false;
		off += tlv;
	}
	return true;
}

/*
 * IPV6_HOPOPTS, IPV6_RTHDRDSTOPTS, IPV6_RTHDR, IPV6_DSTOPTS (Linux's
 * ipv6_set_opt_hdr): a sticky extension header, kept and read back
 * (the loopback sends no packets to carry it); len 0 removes it.
 * -EPERM without CAP_NET_RAW but for IPV6_RTHDR; -EINVAL for a length
 * not a multiple of 8 in 8..2040 or short of the header's own, and for
 * a routing header but a valid type 2 (MIP6) or 4 (segment routing).
 */
static int v6_ext_set(struct inet_sock *s, int name, const void *val, int len)
{
	int slot = v6_ext_slot(name);
	const uint8_t *h = val;
	uint8_t *copy = NULL;

	if (name != 57 && !task_root())
		return -EPERM;
	if (len > 0) {
		if (len < 8 || (len & 7) || len > 8 * 255)
			return -EINVAL;
		if (!val)
			return -EFAULT;
		if (((h[1] + 1) << 3) > len)
			return -EINVAL;
		if (name == 57 && !(h[2] == 2 && h[1] == 2 && h[3] == 1) &&
		    !(h[2] == 4 && srh_valid(h, len)))
			return -EINVAL;
		copy = malloc(len);
		if (!copy)
			return -ENOMEM;
		memcpy(copy, val, len);
	}
	free(s->v6_ext[slot]);
	s->v6_ext[slot] = copy;
	return 0;
}

/* Linux's do_ipv6_setsockopt. */
static int sol_ipv6_set(struct inet_sock *s, int name, const void *val, int len)
{
	int v, err;

	if (v6_ext_slot(name) >= 0)
		return v6_ext_set(s, name, val, len);
	switch (name) {
	case 64: /* IP6T_SO_SET_REPLACE */
	case 65: /* IP6T_SO_SET_ADD_COUNTERS: no netfilter (nf_setsockopt's answer without it) */
		return -ENOPROTOOPT;
	case 20: /* IPV6_JOIN_GROUP */
	case 21: /* IPV6_LEAVE_GROUP */
		if (len < 20)
			return -EINVAL;
		if (!val)
			return -EFAULT;
		return ((const uint8_t *)val)[0] == 0xff ? 0 : -EINVAL;
	case 24: /* IPV6_MTU: settable, checked */
		break;
	}
	err = opt_int(val, len, &v);
	if (err)
		return err;
	switch (name) {
	case 26: /* IPV6_V6ONLY */
		if (s->bound)
			return -EINVAL;
		s->o.v6only = v;
		return 0;
	case 16: /* IPV6_UNICAST_HOPS */
		if (v > 255 || v < -1)
			return -EINVAL;
		s->o.hops = v;
		return 0;
	case 18: /* IPV6_MULTICAST_HOPS */
		if (s->sk.type == L_SOCK_STREAM)
			return 0;
		if (v > 255 || v < -1)
			return -EINVAL;
		s->o.mc_hops = v == -1 ? 1 : v;
		return 0;
	case 19: /* IPV6_MULTICAST_LOOP */
		if (v != (v != 0))
			return -EINVAL;
		s->o.v6_mc_loop = v;
		return 0;
	case 17: s->o.v6_mc_if = v; return 0;        /* IPV6_MULTICAST_IF */
	case 67: /* IPV6_TCLASS */
		if (v < -1 || v > 0xff)
			return -EINVAL;
		s->o.tclass = v == -1 ? 0 : v;
		return 0;
	case 49: s->o.v6_pktinfo = v; return 0;      /* IPV6_RECVPKTINFO */
	case 66: s->o.v6_recvtclass = v; return 0;   /* IPV6_RECVTCLASS */
	case 51: s->o.v6_recvhoplimit = v; return 0; /* IPV6_RECVHOPLIMIT */
	case 25: s->o.v6_recverr = v; return 0;      /* IPV6_RECVERR */
	case 23: /* IPV6_MTU_DISCOVER */
		if (v < 0 || v > 5)
			return -EINVAL;
		s->o.v6_mtu_discover = v;
		return 0;
	case 24: /* IPV6_MTU */
		if (v && v < 1280)
			return -EINVAL;
		return 0;
	case 62: s->o.v6_dontfrag = v; return 0;     /* IPV6_DONTFRAG */
	case 70: s->o.v6_autoflowlabel = v; return 0; /* IPV6_AUTOFLOWLABEL */
	case 72: s->o.v6_addr_prefs = v; return 0;   /* IPV6_ADDR_PREFERENCES */
	case 74: s->o.v6_recvorigdstaddr = v; return 0; /* IPV6_RECVORIGDSTADDR */
	case 78: s->o.v6_freebind = v; return 0;     /* IPV6_FREEBIND */
	}
	return -ENOPROTOOPT;
}

/* Linux's do_tcp_setsockopt. */
static int sol_tcp_set(struct inet_sock *s, int name, const void *val, int len)
{
	int v, err;

	if (name == 13) {            /* TCP_CONGESTION */
		char cc[17] = { 0 };

		if (len < 1)
			return -EINVAL;
		if (!val)
			return -EFAULT;
		memcpy(cc, val, len < 16 ? len : 16);
		if (strcmp(cc, "cubic") && strcmp(cc, "reno"))
			return -ENOENT;
		strcpy(s->o.congestion, cc);
		return 0;
	}
	err = opt_int(val, len, &v);
	if (err)
		return err;
	switch (name) {
	case 1:  s->o.nodelay = v; return 0;          /* TCP_NODELAY */
	case 3:  s->o.cork = v; return 0;             /* TCP_CORK */
	case 12: s->o.quickack = v; return 0;         /* TCP_QUICKACK */
	case 2:  /* TCP_MAXSEG */
		if (v && (v < 88 || v > 65535))
			return -EINVAL;
		s->o.maxseg = v;
		return 0;
	case 4:  /* TCP_KEEPIDLE */
	case 5:  /* TCP_KEEPINTVL */
		if (v < 1 || v > 32767)
			return -EINVAL;
		if (name == 4)
			s->o.keepidle = v;
		else
			s->o.keepintvl = v;
		return 0;
	case 6:  /* TCP_KEEPCNT */
	case 7:  /* TCP_SYNCNT */
		if (v < 1 || v > 127)
			return -EINVAL;
		if (name == 6)
			s->o.keepcnt = v;
		else
			s->o.syncnt = v;
		return 0;
	case 8:  s->o.linger2 = v; return 0;          /* TCP_LINGER2 */
	case 9:  s->o.defer_accept = v < 0 ? 0 : v; return 0; /* TCP_DEFER_ACCEPT */
	case 10: /* TCP_WINDOW_CLAMP */
		s->o.window_clamp = v < 0 ? 0 : v;
		return 0;
	case 18: /* TCP_USER_TIMEOUT */
		if (v < 0)
			return -EINVAL;
		s->o.user_timeout = v;
		return 0;
	case 25: s->o.notsent_lowat = v; return 0;    /* TCP_NOTSENT_LOWAT */
	case 23: /* TCP_FASTOPEN */
		s->o.fastopen = v;
		return 0;
	case 30: s->o.fastopen_connect = v; return 0; /* TCP_FASTOPEN_CONNECT */
	case 16: s->o.thin_lto = v; return 0;         /* TCP_THIN_LINEAR_TIMEOUTS */
	case 17: return 0;                            /* TCP_THIN_DUPACK */
	}
	return -ENOPROTOOPT;
}

/* Linux's udp_lib_setsockopt. */
static int sol_udp_set(struct inet_sock *s, int name, const void *val, int len)
{
	int v, err = opt_int(val, len, &v);

	if (err)
		return err;
	switch (name) {
	case 1:                                     /* UDP_CORK */
		s->o.udp_cork = v;
		if (!v)
			udp_push_pending(s);
		return 0;
	case 103: /* UDP_SEGMENT */
		if (v < 0 || v > 65535)
			return -EINVAL;
		s->o.udp_segment = v;
		return 0;
	case 104: s->o.udp_gro = v; return 0;       /* UDP_GRO */
	case 10:  /* UDPLITE_SEND_CSCOV */
	case 11:  /* UDPLITE_RECV_CSCOV: coverage, 0 (all) or at least the header */
		if (s->sk.protocol != L_IPPROTO_UDPLITE)
			return -ENOPROTOOPT;
		v = v != 0 && v < 8 ? 8 : v > 65535 ? 65535 : v < 0 ? 0 : v;
		if (name == 10)
			s->o.cscov_send = v;
		else
			s->o.cscov_recv = v;
		return 0;
	}
	return -ENOPROTOOPT;
}

/*
 * inet_setsockopt - setsockopt(2) at SOL_SOCKET, SOL_IP (IPv6 sockets
 * too), SOL_IPV6 (IPv6 sockets), SOL_TCP (TCP) or SOL_UDP (UDP); another
 * level, or one the socket does not have, -ENOPROTOOPT.  Values are
 * checked as Linux checks them (-EINVAL); they are kept and read back,
 * and those that matter to umk's loopback act (buffers, timeouts,
 * SO_REUSEADDR/SO_REUSEPORT, SO_LINGER, IPV6_V6ONLY...).  A socket
 * carried by a host socket passes them on (hostsock_setsockopt).
 */
static int inet_setsockopt(struct task *t, struct file *f, int level, int name, const void *val,
			   int len)
{
	struct inet_sock *s = inet_sk(f);
	int err;

	(void)t;
	switch (level) {
	case L_SOL_SOCKET:
		err = sol_socket_set(s, name, val, len);
		break;
	case L_SOL_IP:
		err = sol_ip_set(s, name, val, len);
		break;
	case L_SOL_IPV6:
		if (s->sk.family != L_AF_INET6)
			return -ENOPROTOOPT;
		err = sol_ipv6_set(s, name, val, len);
		break;
	case L_SOL_TCP:
		if (s->sk.type != L_SOCK_STREAM)
			return -ENOPROTOOPT;
		err = sol_tcp_set(s, name, val, len);
		break;
	case L_SOL_UDP:
	case L_SOL_UDPLITE:
		if (s->sk.type != L_SOCK_DGRAM)
			return -ENOPROTOOPT;
		err = sol_udp_set(s, name, val, len);
		break;
	default:
		return -ENOPROTOOPT;
	}
	if (!err && s->hostfd >= 0)
		err = hostsock_setsockopt(s, level, name, val, len);
	return err;
}

/* The value of an int option as Linux's ip_getsockopt gives it: one byte
 * when asked for less than an int and it fits. */
static int put_ip_int(int v, void *val, int *len)
{
	if (*len < (int)sizeof(int) && *len > 0 && v >= 0 && v <= 255) {
		*(unsigned char *)val = v;
		*len = 1;
		return 0;
	}
	if (*len > (int)sizeof(int))
		*len = sizeof(int);
	memcpy(val, &v, sizeof(int));
	return 0;
}

static int put_int(int v, void *val, int *len)
{
	if (*len > (int)sizeof(int))
		*len = sizeof(int);
	memcpy(val, &v, sizeof(int));
	return 0;
}

static bool connected(const struct inet_sock *s)
{
	return s->state == TCP_ESTABLISHED || s->state == TCP_CLOSE_WAIT ||
	       (s->sk.type == L_SOCK_STREAM && s->ss == SS_CONNECTED && s->state != TCP_CLOSE);
}

static int sol_socket_get(struct inet_sock *s, int name, void *val, int *len)
{
	int v;

	switch (name) {
	case SO_TYPE_: v = s->sk.type; break;
	case SO_DOMAIN_: v = s->sk.family; break;
	case SO_PROTOCOL_: v = s->sk.protocol; break;
	case SO_ERROR_:
		v = s->err;
		s->err = 0;
		if (!v && s->hostfd >= 0)
			v = hostsock_sockerr(s);
		break;
	case SO_ACCEPTCONN_: v = s->state == TCP_LISTEN; break;
	case SO_DEBUG_: v = s->o.debug; break;
	case SO_REUSEADDR_: v = s->o.reuseaddr; break;
	case SO_REUSEPORT_: v = s->o.reuseport; break;
	case SO_KEEPALIVE_: v = s->o.keepalive; break;
	case SO_BROADCAST_: v = s->o.broadcast; break;
	case SO_DONTROUTE_: v = s->o.dontroute; break;
	case SO_OOBINLINE_: v = s->o.oobinline; break;
	case SO_NO_CHECK_: v = s->o.nocheck; break;
	case SO_PASSCRED_: v = s->o.passcred; break;
	case SO_RXQ_OVFL_: v = s->o.rxq_ovfl; break;
	case SO_ZEROCOPY_: v = s->o.zerocopy; break;
	case SO_TIMESTAMP_OLD_:
	case SO_TIMESTAMP_NEW_: v = s->o.timestamp; break;
	case SO_TIMESTAMPNS_OLD_:
	case SO_TIMESTAMPNS_NEW_: v = s->o.timestampns; break;
	case SO_PRIORITY_: v = s->o.priority; break;
	case SO_MARK_: v = s->o.mark; break;
	case SO_RCVLOWAT_: v = s->o.rcvlowat; break;
	case SO_SNDLOWAT_: v = 1; break;
	case SO_SNDBUF_: v = s->o.sndbuf; break;
	case SO_RCVBUF_: v = s->o.rcvbuf; break;
	case SO_BUSY_POLL_: v = 0; break;
	case SO_INCOMING_CPU_: v = -1; break;
	case SO_PEEK_OFF_: v = -1; break;
	case SO_LINGER_: {
		int lg[2] = { s->o.linger_on, s->o.linger_secs };

		if (*len > 8)
			*len = 8;
		memcpy(val, lg, 8);
		return 0;
	}
	case SO_RCVTIMEO_OLD_:
	case SO_RCVTIMEO_NEW_:
	case SO_SNDTIMEO_OLD_:
	case SO_SNDTIMEO_NEW_: {
		int n = sock_timeo_to(name == SO_RCVTIMEO_OLD_ || name == SO_RCVTIMEO_NEW_ ?
				      s->o.rcvtimeo : s->o.sndtimeo, val);

		if (*len > n)
			*len = n;
		return 0;
	}
	case SO_BINDTODEVICE_: {
		int n = strlen(s->o.bindtodevice);

		if (!n) {
			*len = 0;
			return 0;
		}
		if (*len < n + 1)
			return -EINVAL;
		memcpy(val, s->o.bindtodevice, n + 1);
		*len = n + 1;
		return 0;
	}
	case SO_PEERCRED_: {
		struct linux_ucred c = { 0, (uint32_t)-1, (uint32_t)-1 };

		if (*len > (int)sizeof(c))
			*len = sizeof(c);
		memcpy(val, &c, sizeof(c));
		return 0;
	}
	default:
		return -ENOPROTOOPT;
	}
	if (*len > (int)sizeof(int))
		*len = sizeof(int);
	memcpy(val, &v, sizeof(int));
	return 0;
}

static int sol_ip_get(struct inet_sock *s, int name, void *val, int *len)
{
	int v;

	switch (name) {
	case 1:  v = s->o.tos; break;                         /* IP_TOS */
	case 2:  v = s->o.ttl == -1 ? 64 : s->o.ttl; break;   /* IP_TTL */
	case 3:  v = 0; break;                                /* IP_HDRINCL */
	case 33: v = s->o.mc_ttl; break;                      /* IP_MULTICAST_TTL */
	case 34: v = s->o.mc_loop; break;                     /* IP_MULTICAST_LOOP */
	case 49: v = s->o.mc_all; break;
	case 10: v = s->o.mtu_discover; break;
	case 11: v = s->o.recverr; break;
	case 8:  v = s->o.pktinfo; break;
	case 13: v = s->o.recvtos; break;
	case 12: v = s->o.recvttl; break;
	case 6:  v = s->o.recvopts; break;
	case 7:  v = s->o.retopts; break;
	case 15: v = s->o.freebind; break;
	case 19: v = s->o.transparent; break;
	case 24: v = s->o.bind_no_port; break;
	case 20: v = s->o.origdstaddr; break;
	case 21: v = s->o.minttl; break;
	case 22: v = s->o.nodefrag; break;
	case 14: /* IP_MTU */
		if (!connected(s))
			return -ENOTCONN;
		v = netdev_mtu_for(&s->remote);
		break;
	case 32: /* IP_MULTICAST_IF */
		if (*len > 4)
			*len = 4;
		memcpy(val, &s->o.mc_if, 4);
		return 0;
	case 4:  /* IP_OPTIONS */
		*len = 0;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
	return put_ip_int(v, val, len);
}

static int sol_ipv6_get(struct inet_sock *s, int name, void *val, int *len)
{
	int v, slot = v6_ext_slot(name);

	if (slot >= 0) {        /* ipv6_getsockopt_sticky: as much as fits, 0 if unset */
		const uint8_t *h = s->v6_ext[slot];
		int n = h ? (h[1] + 1) << 3 : 0;

		if (*len > n)
			*len = n;
		if (*len)
			memcpy(val, h, *len);
		return 0;
	}
	switch (name) {
	case 26: v = s->o.v6only; break;
	case 16: v = s->o.hops == -1 ? 64 : s->o.hops; break;
	case 18: v = s->o.mc_hops; break;
	case 19: v = s->o.v6_mc_loop; break;
	case 17: v = s->o.v6_mc_if; break;
	case 67: v = s->o.tclass; break;
	case 49: v = s->o.v6_pktinfo; break;
	case 66: v = s->o.v6_recvtclass; break;
	case 51: v = s->o.v6_recvhoplimit; break;
	case 25: v = s->o.v6_recverr; break;
	case 23: v = s->o.v6_mtu_discover; break;
	case 62: v = s->o.v6_dontfrag; break;
	case 70: v = s->o.v6_autoflowlabel; break;
	case 72: v = s->o.v6_addr_prefs; break;
	case 74: v = s->o.v6_recvorigdstaddr; break;
	case 78: v = s->o.v6_freebind; break;
	case 24: /* IPV6_MTU */
		if (!connected(s))
			return -ENOTCONN;
		v = netdev_mtu_for(&s->remote);
		break;
	default:
		return -ENOPROTOOPT;
	}
	return put_int(v, val, len);
}

/* struct tcp_info's first bytes: state, then zeros (no real TCP to report). */
static int tcp_info_get(struct inet_sock *s, void *val, int *len)
{
	uint8_t info[232];

	memset(info, 0, sizeof(info));
	info[0] = s->state;
	if (*len > (int)sizeof(info))
		*len = sizeof(info);
	memcpy(val, info, *len);
	return 0;
}

static int sol_tcp_get(struct inet_sock *s, int name, void *val, int *len)
{
	int v;

	switch (name) {
	case 1:  v = s->o.nodelay; break;
	case 3:  v = s->o.cork; break;
	case 12: v = s->o.quickack; break;
	case 2:  /* TCP_MAXSEG: the default before a connection, the loopback's after */
		v = s->o.maxseg ? s->o.maxseg : connected(s) ? netdev_mtu_for(&s->remote) -
			(ep_v4(&s->remote) ? 52 : 72) : 536;
		break;
	case 4:  v = s->o.keepidle; break;
	case 5:  v = s->o.keepintvl; break;
	case 6:  v = s->o.keepcnt; break;
	case 7:  v = s->o.syncnt; break;
	case 8:  v = s->o.linger2; break;
	case 9:  v = s->o.defer_accept; break;
	case 10: v = s->o.window_clamp; break;
	case 18: v = s->o.user_timeout; break;
	case 25: v = s->o.notsent_lowat; break;
	case 23: v = s->o.fastopen; break;
	case 30: v = s->o.fastopen_connect; break;
	case 16: v = s->o.thin_lto; break;
	case 17: v = 0; break;
	case 11: return tcp_info_get(s, val, len);
	case 13: /* TCP_CONGESTION */
		if (*len > 16)
			*len = 16;
		memcpy(val, s->o.congestion, 16);
		return 0;
	default:
		return -ENOPROTOOPT;
	}
	return put_int(v, val, len);
}

static int sol_udp_get(struct inet_sock *s, int name, void *val, int *len)
{
	switch (name) {
	case 1: return put_int(s->o.udp_cork, val, len);
	case 103: return put_int(s->o.udp_segment, val, len);
	case 104: return put_int(s->o.udp_gro, val, len);
	case 10:
	case 11:
		if (s->sk.protocol != L_IPPROTO_UDPLITE)
			return -ENOPROTOOPT;
		return put_int(name == 10 ? s->o.cscov_send : s->o.cscov_recv, val, len);
	}
	return -ENOPROTOOPT;
}

/*
 * inet_getsockopt - getsockopt(2) at the levels inet_setsockopt takes;
 * an unknown level is -EOPNOTSUPP on an IPv4 socket and -ENOPROTOOPT on
 * an IPv6 one, as Linux answers.  A connected host-carried socket asks
 * the host for SO_ERROR.
 */
static int inet_getsockopt(struct task *t, struct file *f, int level, int name, void *val,
			   int *len)
{
	struct inet_sock *s = inet_sk(f);
	int unknown = s->sk.family == L_AF_INET ? -EOPNOTSUPP : -ENOPROTOOPT;

	(void)t;
	switch (level) {
	case L_SOL_SOCKET:
		return sol_socket_get(s, name, val, len);
	case L_SOL_IP:
		return sol_ip_get(s, name, val, len);
	case L_SOL_IPV6:
		if (s->sk.family != L_AF_INET6)
			return unknown;
		return sol_ipv6_get(s, name, val, len);
	case L_SOL_TCP:
		if (s->sk.type != L_SOCK_STREAM)
			return unknown;
		return sol_tcp_get(s, name, val, len);
	case L_SOL_UDP:
	case L_SOL_UDPLITE:
		if (s->sk.type != L_SOCK_DGRAM)
			return unknown;
		return sol_udp_get(s, name, val, len);
	}
	return unknown;
}

/* ---- the rest of the file's life ---- */

static long inet_ioctl(struct task *t, struct file *f, unsigned int cmd, uint64_t arg)
{
	struct inet_sock *s = inet_sk(f);

	if (s->outbound)
		return hostsock_ioctl(t, s, cmd, arg);
	if (s->sk.type == L_SOCK_STREAM)
		return tcp_ioctl(t, s, cmd, arg);
	return udp_ioctl(t, s, cmd, arg);
}

static short inet_poll(struct file *f, struct poll_table *pt)
{
	struct inet_sock *s = inet_sk(f);

	if (s->outbound)
		return hostsock_poll(s, pt);
	if (s->sk.type == L_SOCK_STREAM)
		return tcp_poll(s, pt);
	return udp_poll(s, pt);
}

static void inet_release(struct file *f)
{
	struct inet_sock *s = inet_sk(f);

	s->dead = true;
	if (s->sk.type == L_SOCK_STREAM && !s->outbound)
		tcp_close(s);
	inet_unbind(s);
	if (s->hostfd >= 0) {
		close(s->hostfd);
		s->hostfd = -1;
	}
	if (s->sk.type == L_SOCK_DGRAM)
		udp_free(s);
	wake_up(&s->wq);
	inet_put(s);
}

static const struct proto_ops inet_ops = {
	.bind = inet_bind,
	.connect = inet_connect,
	.listen = inet_listen,
	.accept = inet_accept,
	.sendmsg = inet_sendmsg,
	.recvmsg = inet_recvmsg,
	.shutdown = inet_shutdown,
	.getname = inet_getname,
	.setsockopt = inet_setsockopt,
	.getsockopt = inet_getsockopt,
	.ioctl = inet_ioctl,
	.poll = inet_poll,
	.release = inet_release,
};

/* ---- /proc/net ---- */

/* An address as /proc/net prints it: each 32-bit word in host order. */
static void proc_addr(struct net_text *nt, const struct inet_ep *e, bool v6)
{
	uint32_t w[4];

	memcpy(w, e->addr, 16);
	if (v6)
		net_printf(nt, "%08X%08X%08X%08X:%04X", w[0], w[1], w[2], w[3], e->port);
	else
		net_printf(nt, "%08X:%04X", w[3], e->port);
}

/* Pads the line started at start to width (seq_setwidth, seq_pad). */
static void proc_pad(struct net_text *nt, size_t start, size_t width)
{
	size_t n = nt->len - start;

	if (n < width)
		net_printf(nt, "%*s", (int)(width - n), "");
	net_printf(nt, "\n");
}

/*
 * inet_proc_net - /proc/net/tcp, tcp6, udp, udp6 as Linux prints them
 * (tcp4_seq_show, tcp6_seq_show, udp4_format_sock...): the guest's own
 * sockets (listening and connected TCP ones, bound UDP ones, those
 * carried by host sockets included), kernel pointers hidden.  Timers,
 * retransmits and congestion figures are those of an idle loopback
 * connection.  In host mode the files are the host's (proc_net.c).
 */
void inet_proc_net(const char *name, struct net_text *nt)
{
	bool tcp = name[0] == 't', v6 = strchr(name, '6') != NULL;
	int proto = tcp ? L_IPPROTO_TCP : strncmp(name, "udplite", 7) ? L_IPPROTO_UDP : L_IPPROTO_UDPLITE;
	struct list_head *p, *n;
	int sl = 0;
	size_t start;

	start = nt->len;
	if (tcp && !v6) {
		net_printf(nt, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
			   "retrnsmt   uid  timeout inode");
		proc_pad(nt, start, 149);
	} else if (!tcp && !v6) {
		net_printf(nt, "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
			   "retrnsmt   uid  timeout inode ref pointer drops");
		proc_pad(nt, start, 127);
	} else {
		net_printf(nt, "  sl  local_address                         remote_address          "
			   "              st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode%s\n",
			   tcp ? "" : " ref pointer drops");
	}
	list_for_each_safe(p, n, &inet_all) {
		struct inet_sock *s = list_entry(p, struct inet_sock, all_link);
		int st = s->state, rxq, txq = 0;

		if (s->sk.protocol != proto ||
		    s->sk.family != (v6 ? L_AF_INET6 : L_AF_INET) || (s->dead && !s->parent) ||
		    s->net != current_net())
			continue;
		if (tcp && (st == TCP_CLOSE || (!s->bound && st != TCP_ESTABLISHED &&
						st != TCP_CLOSE_WAIT && !s->outbound)))
			continue;
		if (!tcp && !s->bound)
			continue;
		start = nt->len;
		if (tcp) {
			rxq = st == TCP_LISTEN ? s->acceptq_len : tcp_rx_queue(s);
			net_printf(nt, "%4d: ", sl++);
		} else {
			rxq = (int)s->rmem;
			net_printf(nt, "%5u: ", s->local.port & 127);
		}
		proc_addr(nt, &s->local, v6);
		net_printf(nt, " ");
		proc_addr(nt, &s->remote, v6);
		net_printf(nt, " %02X %08X:%08X %02X:%08lX %08X %5u %8d %llu ", st, txq, rxq, 0, 0UL, 0,
			   s->sk.uid, 0, (unsigned long long)s->sk.ino);
		if (tcp)
			net_printf(nt, "%d %016x %lu %lu %u %u %d", s->refs, 0,
				   st == TCP_LISTEN ? 100UL : 20UL, st == TCP_LISTEN ? 0UL : 4UL,
				   st == TCP_LISTEN ? 0 : 1, 10, st == TCP_LISTEN ? 0 : -1);
		else
			net_printf(nt, "%d %016x %u", s->refs + 1, 0, s->drops);
		if (v6)
			net_printf(nt, "\n");
		else
			proc_pad(nt, start, tcp ? 149 : 127);
	}
}

/*
 * inet_diag_list - net's sockets of family and protocol for inet_diag
 * (sock_diag.c; Linux's inet_diag_dump_icsk and udp_dump): TCP
 * listeners, connections (those waiting in a listener's queue too) and,
 * as Linux since 6.8, sockets bound but neither listening nor connected
 * (state CLOSE); UDP sockets that are bound.  0 or -ENOMEM.
 */
int inet_diag_list(struct net_namespace *net, int family, int protocol,
		   struct sock_diag_info **out, int *n)
{
	struct sock_diag_info *v = NULL;
	struct list_head *p, *q;
	int cap = 0;

	*out = NULL;
	*n = 0;
	list_for_each_safe(p, q, &inet_all) {
		struct inet_sock *s = list_entry(p, struct inet_sock, all_link);
		bool tcp = protocol == L_IPPROTO_TCP;
		struct sock_diag_info *d;

		if (s->sk.protocol != protocol || s->sk.family != family || s->net != net ||
		    (s->dead && !s->parent))
			continue;
		if (tcp ? !s->bound && s->state != TCP_ESTABLISHED && s->state != TCP_CLOSE_WAIT &&
			  !s->outbound : !s->bound)
			continue;
		if (*n == cap) {
			struct sock_diag_info *nv = realloc(v, (cap = cap ? 2 * cap : 16) * sizeof(*v));

			if (!nv) {
				free(v);
				*n = 0;
				return -ENOMEM;
			}
			v = nv;
		}
		d = &v[(*n)++];
		memset(d, 0, sizeof(*d));
		d->family = family;
		d->type = s->sk.type;
		d->protocol = protocol;
		d->state = s->state;
		if (!tcp && s->state != TCP_ESTABLISHED)
			d->state = TCP_CLOSE;
		d->shutdown = s->shutdown;
		d->ino = s->parent ? 0 : s->sk.ino;
		d->uid = s->sk.uid;
		memcpy(d->src, s->local.addr, 16);
		memcpy(d->dst, s->remote.addr, 16);
		d->sport = s->local.port;
		d->dport = s->remote.port;
		if (tcp && s->state == TCP_LISTEN) {
			d->rqueue = s->acceptq_len;
			d->wqueue = s->backlog;
		} else {
			d->rqueue = tcp ? (uint32_t)tcp_rx_queue(s) : (uint32_t)s->rmem;
			d->rmem = tcp ? (uint32_t)s->rx.len : (uint32_t)s->rmem;
		}
		d->rcvbuf = s->o.rcvbuf;
		d->sndbuf = s->o.sndbuf;
		d->tos = s->o.tos;
		d->tclass = s->o.tclass;
		d->v6only = s->o.v6only;
		d->recverr = family == L_AF_INET6 ? s->o.v6_recverr : s->o.recverr;
		d->freebind = s->o.freebind;
		d->mc_loop = s->o.mc_loop;
		d->transparent = s->o.transparent;
		d->mc_all = s->o.mc_all;
		d->nodefrag = s->o.nodefrag;
		d->bind_no_port = s->o.bind_no_port;
		snprintf(d->cong, sizeof(d->cong), "%s", s->o.congestion[0] ? s->o.congestion : "cubic");
	}
	*out = v;
	return 0;
}

/* inet_file_net - see net.h. */
struct net_namespace *inet_file_net(struct file *f)
{
	if (file_socket(f)->ops == &inet_ops)
		return inet_sk(f)->net;
	return icmp_file_net(f);
}
