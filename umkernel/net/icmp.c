/*
 * icmp.c - ICMP on the guest's own network: "ping" sockets
 * (socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP) and the ICMPv6 twin, for a
 * group in net.ipv4.ping_group_range) and raw IP sockets
 * (socket(AF_INET or AF_INET6, SOCK_RAW, protocol), with CAP_NET_RAW),
 * with the echo service the kernel gives: `ping 127.0.0.1` and `ping ::1`
 * work, as do raw-socket tools on the loopback (Linux's net/ipv4/ping.c,
 * raw.c, icmp.c, net/ipv6/raw.c, icmp.c; man 7 raw, man 7 icmp).
 *
 * In a nutshell: a packet sent to one of the namespace's own addresses
 * is "received" at once (icmp_input): every raw socket of its protocol
 * (bound address, connected peer and ICMP_FILTER / ICMP6_FILTER
 * allowing) gets a copy, an IPv4 one with the IP header Linux would
 * build in front; an echo request is answered by an echo reply, which
 * goes through the same input (raw sockets see both, as on lo) and to
 * the ping socket whose identifier it carries.  A ping socket's sends
 * must be echo requests (-EINVAL otherwise); the kernel puts the
 * socket's identifier (its "port", picked at the first send or bind) and
 * the checksum in.  IP_HDRINCL (and IPPROTO_RAW) sends carry their own
 * IPv4 header, checked as raw_send_hdrinc checks it.
 *
 * Not done: packets to other hosts are dropped (umk has no ICMP out of
 * the guest: a ping of another address gets no answer), ICMP errors
 * (port unreachable for UDP, IP_RECVERR's error queue), fragmentation,
 * IP options, /proc/net/icmp and raw listings.  In host mode (--net=host)
 * raw sockets are -EPERM and ping sockets -EACCES (the host's network
 * is not the guest's to probe).
 *
 * Locking: klock, held by the caller.
 */
#include "netfilter.h"

#include <arpa/inet.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#define CAP_NET_RAW_      13
#define IPPROTO_ICMP_     1
#define IPPROTO_ICMPV6_   58
#define IPPROTO_RAW_      255
#define SOL_RAW_          255
#define ICMP_FILTER_      1
#define ICMP6_FILTER_     1
#define IP_TOS_           1
#define IP_TTL_           2
#define IP_HDRINCL_       3
#define IP_PKTINFO_       8
#define IP_MTU_DISCOVER_  10
#define IP_RECVERR_       11
#define IP_RECVTTL_       12
#define IP_RECVTOS_       13
#define IPV6_2292HOPLIMIT_ 8
#define IPV6_CHECKSUM_    7
#define IPV6_HDRINCL_     36
#define IPV6_UNICAST_HOPS_ 16
#define IPV6_V6ONLY_      26
#define IPV6_RECVPKTINFO_ 49
#define IPV6_RECVHOPLIMIT_ 51
#define IPV6_HOPLIMIT_    52
#define IPV6_RECVERR_     25
#define IPV6_MTU_DISCOVER_ 23
#define IPV6_TCLASS_      67
#define SIN_LEN           16
#define SIN6_LEN          24          /* SIN6_LEN_RFC2133: without the scope id */
#define IP_MAXPACKET      65535

struct icmp_pkt {
	struct list_head link;        /* the socket's rxq */
	struct inet_ep from;          /* the sender's address (port 0) */
	int ttl;
	size_t len, truesize;
	char data[];
};

struct icmp_sock {
	struct socket sk;             /* first: the file's priv */
	struct net_namespace *net;    /* referenced */
	bool raw, bound, connected;
	struct inet_ep local, remote; /* local.port: a ping socket's identifier */
	bool hdrincl, recverr, recvttl, recvtos, pktinfo, v6only;
	bool recv2292hops;            /* IPV6_2292HOPLIMIT: RFC 2292's hop limit message */
	int ttl, tos, pmtudisc, shutdown;
	uint32_t filter;              /* ICMP_FILTER: the ICMP types (< 32) not wanted */
	uint32_t filter6[8];          /* ICMP6_FILTER: bit set = type blocked */
	int checksum;                 /* IPV6_CHECKSUM offset, -1 none */
	struct sock_sol sol;          /* buffers, SO_ERROR, timeouts */
	uint64_t bind_seq;            /* ping: when it was bound (the latest gets a reply) */
	size_t rmem;
	struct list_head rxq;         /* struct icmp_pkt */
	struct list_head all_link;    /* icmp_all */
	struct wait_queue wq;
};

static const struct proto_ops icmp_ops;
static struct list_head icmp_all = LIST_HEAD_INIT(icmp_all);

static struct icmp_sock *icmp_sk(struct file *f)
{
	return (struct icmp_sock *)f->priv;
}

static bool is_v6(const struct icmp_sock *s)
{
	return s->sk.family == L_AF_INET6;
}

/* The Internet checksum (RFC 1071) of b, folded, starting from sum. */
static uint16_t csum(const void *b, size_t n, uint32_t sum)
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

/* ICMPv6's pseudo-header sum (RFC 8200 8.1), unfolded. */
static uint32_t pseudo6(const struct inet_ep *src, const struct inet_ep *dst, size_t len)
{
	uint32_t sum = 0;

	for (int i = 0; i < 16; i += 2)
		sum += (uint32_t)src->addr[i] << 8 | src->addr[i + 1];
	for (int i = 0; i < 16; i += 2)
		sum += (uint32_t)dst->addr[i] << 8 | dst->addr[i + 1];
	return sum + (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff) + IPPROTO_ICMPV6_;
}

/* ---- net.ipv4.ping_group_range ---- */

static bool ping_allowed(const struct task *t)
{
	const int *r = netdev_ping_group_range();

	if (!t || !r)
		return false;
	if (t->cred.egid >= (uint32_t)r[0] && t->cred.egid <= (uint32_t)r[1])
		return true;
	for (uint32_t i = 0; i < t->cred.ngroups && i < NGROUPS_UMK; i++)
		if (t->cred.groups[i] >= (uint32_t)r[0] && t->cred.groups[i] <= (uint32_t)r[1])
			return true;
	return false;
}

/*
 * icmp_create - see inet.h.
 */
int icmp_create(int family, int type, int protocol, int flags, struct file **out)
{
	struct net_namespace *net = current_net();
	struct icmp_sock *s;

	*out = NULL;
	if (type == L_SOCK_RAW) {
		if (!current || net_mode_of(net) == NET_HOST ||
		    !ns_capable(current, net->user_ns, CAP_NET_RAW_))
			return -EPERM;
	} else {
		if (protocol != (family == L_AF_INET6 ? IPPROTO_ICMPV6_ : IPPROTO_ICMP_))
			return -EPROTONOSUPPORT;
		if (net_mode_of(net) == NET_HOST || !ping_allowed(current))
			return -EACCES;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->raw = type == L_SOCK_RAW;
	s->net = net;
	net->refs++;
	s->ttl = -1;
	s->checksum = family == L_AF_INET6 && protocol == IPPROTO_ICMPV6_ ? 2 : -1;
	s->hdrincl = s->raw && protocol == IPPROTO_RAW_;
	s->sol.rcvbuf = s->sol.sndbuf = SOCK_MEM_MAX;
	list_init(&s->rxq);
	waitq_init(&s->wq);
	if (family == L_AF_INET)
		ep_set_v4(&s->local, 0, 0);
	list_add_tail(&s->all_link, &icmp_all);
	*out = sock_file_alloc(&s->sk, &icmp_ops, family, type, protocol, flags);
	if (!*out) {
		list_del(&s->all_link);
		put_net_ns(net);
		free(s);
		return -ENOMEM;
	}
	return 0;
}

/* ---- addresses ---- */

/* A sockaddr for socket s: 0, -EINVAL (short), -EAFNOSUPPORT (another
 * family; AF_UNSPEC passes as s's, as raw_sendmsg lets it). */
static int sa_to_ep(const struct icmp_sock *s, const struct sock_addr *a, struct inet_ep *e)
{
	uint16_t fam;

	if (a->len < 2)
		return -EINVAL;
	memcpy(&fam, a->name, 2);
	if (!is_v6(s)) {
		uint32_t v4;

		if (a->len < SIN_LEN)
			return -EINVAL;
		if (fam != L_AF_INET && fam != L_AF_UNSPEC)
			return -EAFNOSUPPORT;
		memcpy(&v4, a->name + 4, 4);
		ep_set_v4(e, v4, 0);
		memcpy(&e->port, a->name + 2, 2);
		e->port = ntohs(e->port);
		return 0;
	}
	if (a->len < SIN6_LEN)
		return -EINVAL;
	if (fam != L_AF_INET6 && fam != L_AF_UNSPEC)
		return -EAFNOSUPPORT;
	memcpy(e->addr, a->name + 8, 16);
	memcpy(&e->port, a->name + 2, 2);
	e->port = ntohs(e->port);
	return 0;
}

/* ---- input: what the namespace's own addresses receive ---- */

static void queue_pkt(struct icmp_sock *s, const struct inet_ep *from, int ttl, const void *hdr,
		      size_t hlen, const void *data, size_t len)
{
	size_t truesize = 768 + ((hlen + len + 63) & ~(size_t)63);
	struct icmp_pkt *p;

	if (s->rmem + truesize > (size_t)s->sol.rcvbuf || (s->shutdown & RCV_SHUTDOWN))
		return;                  /* dropped, as sock_queue_rcv_skb over the buffer */
	p = malloc(sizeof(*p) + hlen + len);
	if (!p)
		return;
	p->from = *from;
	p->from.port = 0;
	p->ttl = ttl;
	p->len = hlen + len;
	p->truesize = truesize;
	if (hlen)
		memcpy(p->data, hdr, hlen);
	memcpy(p->data + hlen, data, len);
	list_add_tail(&p->link, &s->rxq);
	s->rmem += truesize;
	wake_up(&s->wq);
}

/* An IPv4 header as Linux's output would make it (no options). */
static void ip_header(uint8_t h[20], size_t total, int tos, int ttl, int proto,
		      const struct inet_ep *src, const struct inet_ep *dst)
{
	static uint16_t ident;
	uint32_t a;

	memset(h, 0, 20);
	h[0] = 0x45;
	h[1] = (uint8_t)tos;
	h[2] = (uint8_t)(total >> 8);
	h[3] = (uint8_t)total;
	ident++;
	h[4] = (uint8_t)(ident >> 8);
	h[5] = (uint8_t)ident;
	h[6] = 0x40;                     /* DF: the loopback's path MTU is known */
	h[8] = (uint8_t)ttl;
	h[9] = (uint8_t)proto;
	a = ep_v4_addr(src);
	memcpy(h + 12, &a, 4);
	a = ep_v4_addr(dst);
	memcpy(h + 16, &a, 4);
	memcpy(h + 10, &(uint16_t){ csum(h, 20, 0) }, 2);
}

static void icmp_input(struct net_namespace *net, bool v6, int proto, const struct inet_ep *src,
		       const struct inet_ep *dst, int ttl, int tos, const uint8_t *data, size_t len);

/* The kernel's echo reply to request data (icmp_echo, icmpv6_echo_reply). */
static void echo_reply(struct net_namespace *net, bool v6, const struct inet_ep *req_src,
		       const struct inet_ep *req_dst, const uint8_t *data, size_t len)
{
	uint8_t *r = malloc(len);
	uint16_t c;

	if (!r)
		return;
	memcpy(r, data, len);
	r[0] = v6 ? 129 : 0;            /* ICMPV6_ECHO_REPLY, ICMP_ECHOREPLY */
	r[2] = r[3] = 0;
	c = v6 ? csum(r, len, pseudo6(req_dst, req_src, len)) : csum(r, len, 0);
	memcpy(r + 2, &c, 2);
	icmp_input(net, v6, v6 ? IPPROTO_ICMPV6_ : IPPROTO_ICMP_, req_dst, req_src, 64, 0, r, len);
	free(r);
}

/* A packet of protocol proto from src to dst (one of net's addresses),
 * data its payload (the ICMP message for ICMP): raw sockets' copies,
 * the echo service, the ping socket an echo reply is for. */
static void icmp_input(struct net_namespace *net, bool v6, int proto, const struct inet_ep *src,
		       const struct inet_ep *dst, int ttl, int tos, const uint8_t *data, size_t len)
{
	bool icmp = proto == (v6 ? IPPROTO_ICMPV6_ : IPPROTO_ICMP_);
	int type = icmp && len ? data[0] : -1;
	uint16_t id = icmp && len >= 8 ? (uint16_t)(data[4] << 8 | data[5]) : 0;
	struct list_head *p, *q;
	uint8_t iph[20];

	if (!v6 && nf_active(net)) {
		/* iptables (netfilter.c): an ICMP echo is NEW, its reply
		 * ESTABLISHED, an error RELATED; what is dropped or rejected
		 * reaches nobody (the rejection's own ICMP error is not sent) */
		struct nf_pkt np = { .saddr = ep_v4_addr(src), .daddr = ep_v4_addr(dst),
				     .proto = (uint8_t)proto, .len = 20 + (uint32_t)len,
				     .ctstate = NF_CT_NEW };

		if (icmp && len >= 2) {
			np.icmp_type = data[0];
			np.icmp_code = data[1];
			if (type == 0 || type == 14 || type == 16 || type == 18)
				np.ctstate = NF_CT_ESTABLISHED;
			else if (type == 3 || type == 4 || type == 5 || type == 11 || type == 12)
				np.ctstate = NF_CT_RELATED;
		} else if ((proto == L_IPPROTO_TCP || proto == L_IPPROTO_UDP) && len >= 4) {
			np.sport = (uint16_t)(data[0] << 8 | data[1]);
			np.dport = (uint16_t)(data[2] << 8 | data[3]);
			if (proto == L_IPPROTO_TCP && len >= 14)
				np.tcp_flags = data[13];
		}
		if (nf_local_out(net, &np, NULL))
			return;
	}
	if (!v6)
		ip_header(iph, 20 + len, tos, ttl, proto, src, dst);
	list_for_each_safe(p, q, &icmp_all) {
		struct icmp_sock *s = list_entry(p, struct icmp_sock, all_link);

		if (!s->raw || s->net != net || is_v6(s) != v6 || s->sk.protocol != proto ||
		    proto == IPPROTO_RAW_)
			continue;
		if (!ep_any(&s->local) && !ep_equal_addr(&s->local, dst))
			continue;
		if (s->connected && !ep_equal_addr(&s->remote, src))
			continue;
		if (icmp && type >= 0 && !v6 && type < 32 && (s->filter & (1U << type)))
			continue;
		if (icmp && type >= 0 && v6 && (s->filter6[type >> 5] & (1U << (type & 31))))
			continue;
		queue_pkt(s, src, ttl, v6 ? NULL : iph, v6 ? 0 : 20, data, len);
	}
	if (!icmp || len < 8)
		return;
	if (type == (v6 ? 128 : 8) && data[1] == 0) {          /* echo request */
		echo_reply(net, v6, src, dst, data, len);
		return;
	}
	if (type != (v6 ? 129 : 0))
		return;
	{
		struct icmp_sock *to = NULL;

		list_for_each_safe(p, q, &icmp_all) {           /* ping_lookup */
			struct icmp_sock *s = list_entry(p, struct icmp_sock, all_link);

			if (s->raw || s->net != net || is_v6(s) != v6 || !s->bound ||
			    s->local.port != id)
				continue;
			if (!ep_any(&s->local) && !ep_equal_addr(&s->local, dst))
				continue;
			if (!to || s->bind_seq > to->bind_seq)
				to = s;
		}
		if (to)
			queue_pkt(to, src, ttl, NULL, 0, data, len);
	}
}

/* ---- socket calls ---- */

static bool ident_used(const struct icmp_sock *me, uint16_t id)
{
	struct list_head *p, *q;

	list_for_each_safe(p, q, &icmp_all) {
		struct icmp_sock *s = list_entry(p, struct icmp_sock, all_link);

		if (s != me && !s->raw && s->bound && s->net == me->net && is_v6(s) == is_v6(me) &&
		    s->local.port == id &&
		    (ep_any(&s->local) || ep_any(&me->local) || ep_equal_addr(&s->local, &me->local)))
			return true;
	}
	return false;
}

/* ping_get_port: the identifier asked for (Linux lets a second socket
 * bind one in use: the last bound gets the replies), or the next free
 * one from a rover. */
static int ping_bind_ident(struct icmp_sock *s, uint16_t want)
{
	static uint16_t rover = 1;
	static uint64_t seq;

	s->bind_seq = ++seq;
	if (want) {
		s->local.port = want;
	} else {
		for (int i = 0; i < 65535; i++, rover = rover == 65535 ? 1 : rover + 1) {
			if (!ident_used(s, rover)) {
				s->local.port = rover++;
				break;
			}
			if (i == 65534)
				return -EAGAIN;
		}
	}
	s->bound = true;
	return 0;
}

/* bind(2) (ping_bind, raw_bind, rawv6_bind): an address of the
 * namespace's own (-EADDRNOTAVAIL), once for a ping socket (-EINVAL),
 * whose port is its identifier (0: one picked). */
static int icmp_bind(struct task *t, struct file *f, const struct sock_addr *a)
{
	struct icmp_sock *s = icmp_sk(f);
	struct inet_ep e;
	int err = sa_to_ep(s, a, &e);

	(void)t;
	if (err)
		return err;
	if (s->bound && !s->raw)
		return -EINVAL;
	if (!inet_addr_local(s->net, &e))
		return -EADDRNOTAVAIL;
	if (s->raw) {
		s->local = e;
		s->local.port = 0;
		return 0;
	}
	s->local = e;
	err = ping_bind_ident(s, e.port);
	if (err) {
		memset(&s->local, 0, sizeof(s->local));
		if (!is_v6(s))
			ep_set_v4(&s->local, 0, 0);
	}
	return err;
}

/* connect(2): a datagram socket's default peer; AF_UNSPEC drops it. */
static int icmp_connect(struct task *t, struct file *f, const struct sock_addr *a)
{
	struct icmp_sock *s = icmp_sk(f);
	struct inet_ep e;
	uint16_t fam = 0;
	int err;

	(void)t;
	if (a->len >= 2)
		memcpy(&fam, a->name, 2);
	if (fam == L_AF_UNSPEC) {
		s->connected = false;
		return 0;
	}
	err = sa_to_ep(s, a, &e);
	if (err)
		return err;
	s->remote = e;
	s->remote.port = 0;
	s->connected = true;
	return 0;
}

/*
 * sendmsg(2) (ping_v4_sendmsg, ping_v6_sendmsg, raw_sendmsg,
 * rawv6_sendmsg): to the address given or the connected one
 * (-EDESTADDRREQ); a ping socket's message must be an echo request of at
 * least 8 bytes (-EINVAL); at most 64 KiB (-EMSGSIZE); -EFAULT.  Sent to
 * one of the namespace's addresses it is received at once; elsewhere it
 * is dropped (-ENETUNREACH in a namespace of the guest's own, which has
 * no route out).
 */
static ssize_t icmp_sendmsg(struct task *t, struct file *f, struct sock_iter *it, int flags,
			    struct sock_msg *m)
{
	struct icmp_sock *s = icmp_sk(f);
	bool v6 = is_v6(s);
	size_t len = it->count, off = 0;
	struct inet_ep dst, src;
	int proto = s->sk.protocol, err, tos = s->tos;
	uint8_t *buf;

	(void)t;
	if (flags & L_MSG_OOB)
		return -EOPNOTSUPP;
	if (m && m->addr.len) {
		err = sa_to_ep(s, &m->addr, &dst);
		if (err)
			return err;
	} else if (s->connected) {
		dst = s->remote;
	} else {
		return -EDESTADDRREQ;
	}
	if (s->shutdown & SEND_SHUTDOWN)
		return -EPIPE;
	if (len > IP_MAXPACKET)
		return -EMSGSIZE;
	if (!s->raw && len < 8)
		return -EINVAL;
	buf = malloc(len ? len : 1);
	if (!buf)
		return -ENOMEM;
	if (len && iter_from(it, buf, len) != (ssize_t)len) {
		free(buf);
		return -EFAULT;
	}
	if (!s->raw) {
		if (buf[0] != (v6 ? 128 : 8) || buf[1] != 0) {
			free(buf);
			return -EINVAL;
		}
		if (!s->bound && (err = ping_bind_ident(s, 0))) {
			free(buf);
			return err;
		}
		buf[4] = (uint8_t)(s->local.port >> 8);
		buf[5] = (uint8_t)s->local.port;
	}
	src = s->local;
	if (ep_any(&src))
		inet_route_src(&dst, &src);
	src.port = 0;
	if (!v6 && s->hdrincl) {                   /* raw_send_hdrinc */
		size_t ihl;

		if (len < 20 || (ihl = (size_t)(buf[0] & 15) * 4) > len || ihl < 20) {
			free(buf);
			return -EINVAL;
		}
		proto = buf[9];
		tos = buf[1];
		if (memcmp(buf + 12, "\0\0\0\0", 4))
			memcpy(src.addr + 12, buf + 12, 4);
		off = ihl;
	} else if (s->raw && v6 && s->checksum >= 0) {   /* IPV6_CHECKSUM (always, ICMPv6) */
		uint16_t c;

		if ((size_t)s->checksum + 2 > len) {
			free(buf);
			return -EINVAL;
		}
		buf[s->checksum] = buf[s->checksum + 1] = 0;
		c = csum(buf, len, pseudo6(&src, &dst, len));
		memcpy(buf + s->checksum, &c, 2);
	}
	if (!s->raw) {
		uint16_t c;

		buf[2] = buf[3] = 0;
		c = v6 ? csum(buf, len, pseudo6(&src, &dst, len)) : csum(buf, len, 0);
		memcpy(buf + 2, &c, 2);
	}
	if (inet_addr_local(s->net, &dst)) {
		if (ep_any(&dst))
			inet_route_src(&dst, &dst);
		icmp_input(s->net, v6, proto, &src, &dst, s->ttl < 0 ? 64 : s->ttl, tos, buf + off,
			   len - off);
	} else if (net_mode_of(s->net) == NET_NONE) {
		free(buf);
		return -ENETUNREACH;
	}
	free(buf);
	return len;
}

static void put_cm(struct sock_msg *m, int level, int type, int v)
{
	struct linux_cmsghdr h = { LINUX_CMSG_LEN(sizeof(v)), level, type };
	size_t space = LINUX_CMSG_SPACE(sizeof(v));
	char *nb = realloc(m->ctl_out, m->ctl_out_len + space);

	if (!nb)
		return;
	memset(nb + m->ctl_out_len, 0, space);
	memcpy(nb + m->ctl_out_len, &h, sizeof(h));
	memcpy(nb + m->ctl_out_len + sizeof(h), &v, sizeof(v));
	m->ctl_out = nb;
	m->ctl_out_len += space;
}

/* recvmsg(2): the next packet (the rest of a long one lost, MSG_TRUNC),
 * its sender's address (port 0); IP_TTL / IPV6_HOPLIMIT control
 * messages when asked for.  -EAGAIN (nonblocking, or the error queue:
 * no ICMP errors are kept), the pending error, sock_wait's errors. */
static ssize_t icmp_recvmsg(struct task *t, struct file *f, struct sock_iter *it, int flags,
			    struct sock_msg *m)
{
	struct icmp_sock *s = icmp_sk(f);
	bool nonblock = (flags & L_MSG_DONTWAIT) || (f->flags & O_NONBLOCK);
	uint64_t deadline = sock_deadline(s->sol.rcvtimeo);
	int err;

	if (flags & L_MSG_OOB)
		return -EOPNOTSUPP;
	if (flags & L_MSG_ERRQUEUE)
		return -EAGAIN;
	for (;;) {
		if (s->sol.err) {
			err = -s->sol.err;
			s->sol.err = 0;
			return err;
		}
		if (!list_empty(&s->rxq)) {
			struct icmp_pkt *p = list_entry(s->rxq.next, struct icmp_pkt, link);
			size_t n = p->len < it->count ? p->len : it->count;
			ssize_t r;

			if (n && iter_to(it, p->data, n) != (ssize_t)n)
				return -EFAULT;
			if (m) {
				if (p->len > n)
					m->oflags |= L_MSG_TRUNC;
				inet_ep_to_sockaddr(s->sk.family, &p->from, &m->addr);
				if (s->recvttl)
					put_cm(m, is_v6(s) ? L_SOL_IPV6 : L_SOL_IP,
					       is_v6(s) ? IPV6_HOPLIMIT_ : IP_TTL_, p->ttl);
				if (s->recv2292hops && is_v6(s))
					put_cm(m, L_SOL_IPV6, IPV6_2292HOPLIMIT_, p->ttl);
			}
			r = (flags & L_MSG_TRUNC) ? (ssize_t)p->len : (ssize_t)n;
			if (!(flags & L_MSG_PEEK)) {
				list_del(&p->link);
				s->rmem -= p->truesize;
				free(p);
			}
			return r;
		}
		if (s->shutdown & RCV_SHUTDOWN)
			return 0;
		if (nonblock)
			return -EAGAIN;
		err = sock_wait(t, &s->wq, deadline);
		if (err)
			return err;
	}
}

static int icmp_shutdown(struct task *t, struct file *f, int how)
{
	struct icmp_sock *s = icmp_sk(f);

	(void)t;
	if (how < 0 || how > 2)
		return -EINVAL;
	if (!s->connected)
		return -ENOTCONN;
	s->shutdown |= how + 1;
	wake_up(&s->wq);
	return 0;
}

/* getsockname/getpeername: a ping socket's port is its identifier, a raw
 * socket's its protocol (inet_num, as Linux shows it). */
static int icmp_getname(struct file *f, bool peer, struct sock_addr *out)
{
	struct icmp_sock *s = icmp_sk(f);
	struct inet_ep e;

	if (peer) {
		if (!s->connected)
			return -ENOTCONN;
		e = s->remote;
	} else {
		e = s->local;
		e.port = s->raw ? (uint16_t)s->sk.protocol : s->local.port;
	}
	inet_ep_to_sockaddr(s->sk.family, &e, out);
	return 0;
}

static int get_int(const void *val, int len, int *v)
{
	if (len < (int)sizeof(int))
		return -EINVAL;
	if (!val)
		return -EFAULT;
	memcpy(v, val, sizeof(int));
	return 0;
}

/*
 * setsockopt(2): SOL_SOCKET's buffers, timeouts and the common options;
 * SOL_IP: IP_TTL (1..255, -1 the default), IP_TOS, IP_HDRINCL (raw
 * only, else -ENOPROTOOPT), IP_RECVERR, IP_RECVTTL, IP_RECVTOS,
 * IP_PKTINFO, IP_MTU_DISCOVER kept; SOL_RAW ICMP_FILTER (raw ICMP only,
 * -EOPNOTSUPP otherwise), and for IPv6 raw sockets IPV6_CHECKSUM and
 * IPV6_HDRINCL; SOL_IPV6 IPV6_UNICAST_HOPS, IPV6_RECVHOPLIMIT (and RFC
 * 2292's IPV6_2292HOPLIMIT),
 * IPV6_CHECKSUM (-EINVAL on ICMPv6, whose checksum the kernel makes),
 * IPV6_V6ONLY and the rest of the flags; SOL_ICMPV6 ICMP6_FILTER.
 */
static int icmp_setsockopt(struct task *t, struct file *f, int level, int name, const void *val,
			   int len)
{
	struct icmp_sock *s = icmp_sk(f);
	int v = 0, err;

	(void)t;
	if (level == L_SOL_SOCKET)
		return sock_sol_setsockopt(&s->sol, &s->sk, name, val, len);
	if (level == SOL_RAW_ && is_v6(s) && s->raw && (name == IPV6_CHECKSUM_ || name == IPV6_HDRINCL_)) {
		if ((err = get_int(val, len, &v)))
			return err;
		if (name == IPV6_HDRINCL_) {
			s->hdrincl = v != 0;
			return 0;
		}
		if (v > 0 && (v & 1))
			return -EINVAL;
		s->checksum = v < 0 ? -1 : v;   /* at SOL_RAW even ICMPv6's may move */
		return 0;
	}
	if (level == SOL_RAW_ && !is_v6(s)) {
		if (name != ICMP_FILTER_ || !s->raw)
			return -ENOPROTOOPT;
		if (s->sk.protocol != IPPROTO_ICMP_)
			return -EOPNOTSUPP;
		if (len > 4)
			len = 4;
		if (len < 0)
			return -EINVAL;
		if (len && !val)
			return -EFAULT;
		memcpy(&s->filter, val, len);
		return 0;
	}
	if (level == IPPROTO_ICMPV6_ && is_v6(s)) {
		if (name != ICMP6_FILTER_ || !s->raw || s->sk.protocol != IPPROTO_ICMPV6_)
			return -ENOPROTOOPT;
		if (len > 32)
			len = 32;
		if (len < 0)
			return -EINVAL;
		if (len && !val)
			return -EFAULT;
		memcpy(s->filter6, val, len);
		return 0;
	}
	if (level == L_SOL_IP && !is_v6(s)) {
		if ((err = get_int(val, len, &v)))
			return err;
		switch (name) {
		case IP_TTL_:
			if (v != -1 && (v < 1 || v > 255))
				return -EINVAL;
			s->ttl = v;
			return 0;
		case IP_TOS_: s->tos = v & 0xff & ~3; return 0;
		case IP_HDRINCL_:
			if (!s->raw)
				return -ENOPROTOOPT;
			s->hdrincl = v != 0;
			return 0;
		case IP_RECVERR_: s->recverr = v != 0; return 0;
		case IP_RECVTTL_: s->recvttl = v != 0; return 0;
		case IP_RECVTOS_: s->recvtos = v != 0; return 0;
		case IP_PKTINFO_: s->pktinfo = v != 0; return 0;
		case IP_MTU_DISCOVER_:
			if (v < 0 || v > 5)
				return -EINVAL;
			s->pmtudisc = v;
			return 0;
		}
		return -ENOPROTOOPT;
	}
	if (level == L_SOL_IPV6 && is_v6(s)) {
		if ((err = get_int(val, len, &v)))
			return err;
		switch (name) {
		case IPV6_UNICAST_HOPS_:
			if (v != -1 && (v < 0 || v > 255))
				return -EINVAL;
			s->ttl = v;
			return 0;
		case IPV6_RECVHOPLIMIT_: s->recvttl = v != 0; return 0;
		case IPV6_2292HOPLIMIT_: s->recv2292hops = v != 0; return 0;
		case IPV6_RECVPKTINFO_: s->pktinfo = v != 0; return 0;
		case IPV6_RECVERR_: s->recverr = v != 0; return 0;
		case IPV6_V6ONLY_: s->v6only = v != 0; return 0;
		case IPV6_TCLASS_:
			if (v < -1 || v > 255)
				return -EINVAL;
			s->tos = v < 0 ? 0 : v;
			return 0;
		case IPV6_MTU_DISCOVER_:
			if (v < 0 || v > 5)
				return -EINVAL;
			s->pmtudisc = v;
			return 0;
		case IPV6_CHECKSUM_:
			if (!s->raw)
				return -ENOPROTOOPT;
			if (s->sk.protocol == IPPROTO_ICMPV6_)
				return -EINVAL;
			if (v > 0 && (v & 1))
				return -EINVAL;
			s->checksum = v < 0 ? -1 : v;
			return 0;
		}
		return -ENOPROTOOPT;
	}
	return -ENOPROTOOPT;
}

static int icmp_getsockopt(struct task *t, struct file *f, int level, int name, void *val,
			   int *len)
{
	struct icmp_sock *s = icmp_sk(f);
	int v;

	(void)t;
	if (level == L_SOL_SOCKET) {
		return sock_sol_getsockopt(&s->sol, &s->sk, name, val, len);
	} else if (level == SOL_RAW_ && !is_v6(s)) {
		if (name != ICMP_FILTER_ || !s->raw)
			return -ENOPROTOOPT;
		if (s->sk.protocol != IPPROTO_ICMP_)
			return -EOPNOTSUPP;
		if (*len < 0)
			return -EINVAL;
		if (*len > 4)
			*len = 4;
		memcpy(val, &s->filter, *len);
		return 0;
	} else if (level == IPPROTO_ICMPV6_ && is_v6(s)) {
		if (name != ICMP6_FILTER_ || !s->raw || s->sk.protocol != IPPROTO_ICMPV6_)
			return -ENOPROTOOPT;
		if (*len < 0)
			return -EINVAL;
		if (*len > 32)
			*len = 32;
		memcpy(val, s->filter6, *len);
		return 0;
	} else if (level == L_SOL_IP && !is_v6(s)) {
		switch (name) {
		case IP_TTL_: v = s->ttl < 0 ? 64 : s->ttl; break;
		case IP_TOS_: v = s->tos; break;
		case IP_HDRINCL_: v = s->hdrincl; break;
		case IP_RECVERR_: v = s->recverr; break;
		case IP_RECVTTL_: v = s->recvttl; break;
		case IP_RECVTOS_: v = s->recvtos; break;
		case IP_PKTINFO_: v = s->pktinfo; break;
		case IP_MTU_DISCOVER_: v = s->pmtudisc; break;
		default: return -ENOPROTOOPT;
		}
	} else if (level == L_SOL_IPV6 && is_v6(s)) {
		switch (name) {
		case IPV6_UNICAST_HOPS_: v = s->ttl < 0 ? 64 : s->ttl; break;
		case IPV6_RECVHOPLIMIT_: v = s->recvttl; break;
		case IPV6_2292HOPLIMIT_: v = s->recv2292hops; break;
		case IPV6_RECVPKTINFO_: v = s->pktinfo; break;
		case IPV6_RECVERR_: v = s->recverr; break;
		case IPV6_V6ONLY_: v = s->v6only; break;
		case IPV6_TCLASS_: v = s->tos; break;
		case IPV6_MTU_DISCOVER_: v = s->pmtudisc; break;
		case IPV6_CHECKSUM_:
			if (!s->raw)
				return -ENOPROTOOPT;
			v = s->checksum;
			break;
		default: return -ENOPROTOOPT;
		}
	} else {
		return -ENOPROTOOPT;
	}
	if (*len < 0)
		return -EINVAL;
	if (*len > (int)sizeof(v))
		*len = sizeof(v);
	memcpy(val, &v, *len);
	return 0;
}

/* Raw sockets: FIONREAD (SIOCINQ) the next packet's length, SIOCOUTQ 0
 * (raw_ioctl); ping sockets have none (-ENOIOCTLCMD: the interface
 * ioctls, then ENOTTY). */
static long icmp_ioctl(struct task *t, struct file *f, unsigned int cmd, uint64_t arg)
{
	struct icmp_sock *s = icmp_sk(f);
	int v = 0;

	if (!s->raw)
		return -ENOIOCTLCMD;     /* ping_prot has no ioctl */
	if (cmd == L_FIONREAD) {
		if (!list_empty(&s->rxq))
			v = (int)list_entry(s->rxq.next, struct icmp_pkt, link)->len;
	} else if (cmd != L_TIOCOUTQ) {
		return -ENOIOCTLCMD;
	}
	return copy_to_user(t, arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static short icmp_poll(struct file *f, struct poll_table *pt)
{
	struct icmp_sock *s = icmp_sk(f);
	short mask = POLLOUT | POLLWRNORM | POLLWRBAND;

	poll_wait(pt, &s->wq);
	if (s->sol.err)
		mask |= POLLERR;
	if (!list_empty(&s->rxq))
		mask |= POLLIN | POLLRDNORM;
	if (s->shutdown & RCV_SHUTDOWN)
		mask |= POLLIN | POLLRDNORM | POLLRDHUP;
	if (s->shutdown == SHUTDOWN_MASK)
		mask |= POLLHUP;
	return mask;
}

static void icmp_release(struct file *f)
{
	struct icmp_sock *s = icmp_sk(f);

	while (!list_empty(&s->rxq)) {
		struct icmp_pkt *p = list_entry(s->rxq.next, struct icmp_pkt, link);

		list_del(&p->link);
		free(p);
	}
	list_del(&s->all_link);
	put_net_ns(s->net);
	free(s);
}

static int icmp_listen(struct task *t, struct file *f, int backlog)
{
	(void)t, (void)f, (void)backlog;
	return -EOPNOTSUPP;
}

static int icmp_accept(struct task *t, struct file *f, int flags, struct file **out,
		       struct sock_addr *peer)
{
	(void)t, (void)f, (void)flags, (void)out, (void)peer;
	return -EOPNOTSUPP;
}

static const struct proto_ops icmp_ops = {
	.bind = icmp_bind,
	.connect = icmp_connect,
	.listen = icmp_listen,
	.accept = icmp_accept,
	.sendmsg = icmp_sendmsg,
	.recvmsg = icmp_recvmsg,
	.shutdown = icmp_shutdown,
	.getname = icmp_getname,
	.setsockopt = icmp_setsockopt,
	.getsockopt = icmp_getsockopt,
	.ioctl = icmp_ioctl,
	.poll = icmp_poll,
	.release = icmp_release,
};

/* icmp_file_net - see net.h. */
struct net_namespace *icmp_file_net(struct file *f)
{
	return file_socket(f)->ops == &icmp_ops ? icmp_sk(f)->net : NULL;
}
