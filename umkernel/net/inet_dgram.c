/*
 * inet_dgram.c - UDP sockets of private and none modes: datagrams
 * between the guest's own sockets through the port table, and (private
 * mode) datagrams to other destinations through a host socket umk opens
 * for the guest socket (10.0.2.2 standing for the host's loopback).
 *
 * In a nutshell: a send looks up the receiving socket as Linux's
 * __udp4_lib_lookup scores them (a connected socket takes only its
 * peer's datagrams; an exact name beats a wildcard) and queues a copy of
 * the datagram with the sender's address on it, charged to the
 * receiver's SO_RCVBUF (over it, the datagram is dropped and counted in
 * /proc/net/udp's drops).  Nobody there is an ICMP port unreachable: a
 * connected sender gets ECONNREFUSED from its next call, an unconnected
 * one nothing (Linux without IP_RECVERR).  A socket that talked to the
 * host has a host socket too (s->hostfd) and reads from both.  A
 * datagram carries what the receiver may ask for as control messages
 * (SO_TIMESTAMP, IP_PKTINFO, IP_TTL, IP_TOS, IP_ORIGDSTADDR and their
 * IPv6 twins, RFC 3542): its time, destination, hop limit and traffic
 * class, the last two from the sender's options or its own control
 * messages (IP_TTL, IP_TOS, IPV6_HOPLIMIT, IPV6_TCLASS; IP_PKTINFO and
 * IPV6_PKTINFO choose the source address).
 *
 * Locking: klock, held by the caller.
 */
#include "netfilter.h"

#include <arpa/inet.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SIN_LEN          16
#define SIN6_LEN_RFC2133 24
#define UDP4_MAX         65507         /* 65535 - IP and UDP headers */
#define UDP6_MAX         65527

struct dgram {
	struct list_head link;        /* the receiver's dgq */
	struct inet_ep from, to;      /* to: the destination it was sent to */
	int hops, tclass;             /* TTL / hop limit, TOS / traffic class */
	struct linux_timespec stamp;  /* when it arrived */
	size_t len, truesize;
	char data[];
};

/* What a sender's control messages ask of one datagram. */
struct tx_ctl {
	int hops, tclass;             /* -1: the socket's */
	bool src_set;
	struct inet_ep src;
};

/* A datagram's charge to the receive buffer (~ the skb's truesize). */
static size_t dgram_truesize(size_t len)
{
	return 768 + ((len + 63) & ~(size_t)63);
}

static void dgram_queue(struct inet_sock *r, struct dgram *d)
{
	if (r->rmem > (size_t)r->o.rcvbuf) {
		r->drops++;
		free(d);
		return;
	}
	r->rmem += d->truesize;
	list_add_tail(&d->link, &r->dgq);
	wake_up(&r->wq);
}

/* udp_deliver - see inet.h. */
void udp_deliver(struct inet_sock *s, const struct inet_ep *from, const void *buf, size_t len)
{
	struct dgram *d = malloc(sizeof(*d) + len);

	if (!d)
		return;
	d->from = *from;
	d->to = s->local;
	if (ep_any(&d->to))
		ep_set_v4(&d->to, htonl(0x0a00020f), s->local.port);
	d->hops = 64;
	d->tclass = 0;
	d->stamp = sock_now();
	d->len = len;
	d->truesize = dgram_truesize(len);
	memcpy(d->data, buf, len);
	dgram_queue(s, d);
}

/*
 * A sender's control messages (Linux's ip_cmsg_send and
 * ip6_datagram_send_ctl): at SOL_IP, IP_TTL (an int, 1-255), IP_TOS (an
 * int or a byte, 0-255), IP_PKTINFO (a struct in_pktinfo; its spec_dst
 * the source); at SOL_IPV6 (IPv6 sockets), IPV6_HOPLIMIT and IPV6_TCLASS
 * (ints, -1-255), IPV6_PKTINFO (a struct in6_pktinfo).  -EINVAL for a
 * wrong length, a value out of range or another type at those levels;
 * other levels are not ours.
 */
static int tx_ctl_parse(struct inet_sock *s, const struct sock_msg *m, bool v4, struct tx_ctl *c)
{
	struct linux_cmsghdr h;
	size_t off = 0;
	int v;

	c->hops = c->tclass = -1;
	c->src_set = false;
	while (m && off + sizeof(h) <= m->ctllen) {
		const char *d;
		size_t dl;

		memcpy(&h, m->ctl + off, sizeof(h));
		d = m->ctl + off + sizeof(h);
		dl = h.cmsg_len - sizeof(h);
		off += LINUX_CMSG_ALIGN(h.cmsg_len);
		if (h.cmsg_level == L_SOL_IP && (v4 || s->sk.family == L_AF_INET)) {
			switch (h.cmsg_type) {
			case 2:  /* IP_TTL */
				if (dl != sizeof(int))
					return -EINVAL;
				memcpy(&v, d, sizeof(v));
				if (v < 1 || v > 255)
					return -EINVAL;
				c->hops = v;
				break;
			case 1:  /* IP_TOS */
				if (dl == sizeof(int))
					memcpy(&v, d, sizeof(v));
				else if (dl == 1)
					v = *(const uint8_t *)d;
				else
					return -EINVAL;
				if (v < 0 || v > 255)
					return -EINVAL;
				c->tclass = v;
				break;
			case 8: { /* IP_PKTINFO */
				uint32_t a;

				if (dl != 12)
					return -EINVAL;
				memcpy(&a, d + 4, 4);
				if (a) {
					ep_set_v4(&c->src, a, s->local.port);
					c->src_set = true;
				}
				break;
			}
			case 4:  /* IP_RETOPTS */
				break;
			default:
				return -EINVAL;
			}
		} else if (h.cmsg_level == L_SOL_IPV6 && s->sk.family == L_AF_INET6) {
			switch (h.cmsg_type) {
			case 52: /* IPV6_HOPLIMIT */
			case 67: /* IPV6_TCLASS */
				if (dl != sizeof(int))
					return -EINVAL;
				memcpy(&v, d, sizeof(v));
				if (v < -1 || v > 255)
					return -EINVAL;
				if (h.cmsg_type == 52)
					c->hops = v;
				else
					c->tclass = v;
				break;
			case 50: { /* IPV6_PKTINFO */
				static const uint8_t zero[16];

				if (dl != 20)
					return -EINVAL;
				if (memcmp(d, zero, 16)) {
					memcpy(c->src.addr, d, 16);
					c->src.port = s->local.port;
					if (!inet_addr_local(s->net, &c->src))
						return -EINVAL;
					c->src_set = true;
				}
				break;
			}
			case 62: /* IPV6_DONTFRAG */
			case 11: /* IPV6_FLOWINFO */
				break;
			default:
				return -EINVAL;
			}
		}
	}
	return 0;
}

/* Appends one control message to a growing buffer. */
static void put_cm(char **buf, size_t *len, int level, int type, const void *data, size_t n)
{
	struct linux_cmsghdr h = { LINUX_CMSG_LEN(n), level, type };
	size_t space = LINUX_CMSG_SPACE(n);
	char *nb = realloc(*buf, *len + space);

	if (!nb)
		return;
	memset(nb + *len, 0, space);
	memcpy(nb + *len, &h, sizeof(h));
	memcpy(nb + *len + sizeof(h), data, n);
	*buf = nb;
	*len += space;
}

/* The interface a loopback or eth0 address is on (IP_PKTINFO's ifindex). */
static int ifindex_of(const struct inet_ep *e)
{
	return ep_v4(e) && (ntohl(ep_v4_addr(e)) & 0xffffff00) == 0x0a000200 ? 2 : 1;
}

/*
 * The control messages receiver s asked for, of datagram d (Linux's
 * sock_recv_cmsgs, then ip_cmsg_recv_offset for IPv4 datagrams or
 * ip6_datagram_recv_ctl for IPv6 ones, in their order).
 */
static void rx_ctl(struct inet_sock *s, const struct dgram *d, struct sock_msg *m)
{
	char *b = NULL;
	size_t n = 0;
	bool v4 = ep_v4(&d->to);

	if (s->o.timestamp) {
		struct linux_timeval tv = { d->stamp.tv_sec, d->stamp.tv_nsec / 1000 };

		put_cm(&b, &n, L_SOL_SOCKET, SO_TIMESTAMP_OLD_, &tv, sizeof(tv));
	} else if (s->o.timestampns) {
		put_cm(&b, &n, L_SOL_SOCKET, SO_TIMESTAMPNS_OLD_, &d->stamp, sizeof(d->stamp));
	}
	if (s->o.rxq_ovfl)
		put_cm(&b, &n, L_SOL_SOCKET, SO_RXQ_OVFL_, &s->drops, sizeof(s->drops));
	if (s->sk.family == L_AF_INET6 && s->o.v6_pktinfo) {
		struct { uint8_t addr[16]; int32_t ifindex; } pi;

		memcpy(pi.addr, d->to.addr, 16);
		pi.ifindex = ifindex_of(&d->to);
		put_cm(&b, &n, L_SOL_IPV6, 50, &pi, sizeof(pi));
	}
	if (v4) {
		if (s->o.pktinfo) {
			struct { int32_t ifindex; uint32_t spec_dst, addr; } pi =
				{ ifindex_of(&d->to), ep_v4_addr(&d->to), ep_v4_addr(&d->to) };

			put_cm(&b, &n, L_SOL_IP, 8, &pi, sizeof(pi));
		}
		if (s->o.recvttl)
			put_cm(&b, &n, L_SOL_IP, 2, &d->hops, sizeof(int));
		if (s->o.recvtos) {
			uint8_t tos = d->tclass;

			put_cm(&b, &n, L_SOL_IP, 1, &tos, 1);
		}
		if (s->o.origdstaddr) {
			struct sock_addr a;

			inet_ep_to_sockaddr(L_AF_INET, &d->to, &a);
			put_cm(&b, &n, L_SOL_IP, 20, a.name, a.len);
		}
	} else {
		if (s->o.v6_recvhoplimit)
			put_cm(&b, &n, L_SOL_IPV6, 52, &d->hops, sizeof(int));
		if (s->o.v6_recvtclass)
			put_cm(&b, &n, L_SOL_IPV6, 67, &d->tclass, sizeof(int));
		if (s->o.v6_recvorigdstaddr) {
			struct sock_addr a;

			inet_ep_to_sockaddr(L_AF_INET6, &d->to, &a);
			put_cm(&b, &n, L_SOL_IPV6, 74, a.name, a.len);
		}
	}
	if (n) {
		free(m->ctl_out);
		m->ctl_out = b;
		m->ctl_out_len = n;
	}
}

/* udp_free - drops every queued datagram, and the corked one. */
void udp_free(struct inet_sock *s)
{
	struct list_head *p, *n;

	free(s->cork);
	s->cork = NULL;
	list_for_each_safe(p, n, &s->dgq) {
		list_del(p);
		free(list_entry(p, struct dgram, link));
	}
	s->rmem = 0;
}

static uint16_t sa_fam(const struct sock_addr *a)
{
	uint16_t f;

	memcpy(&f, a->name, 2);
	return f;
}

/*
 * The destination of a sendto (udp_sendmsg, udpv6_sendmsg): an IPv4
 * socket takes a sockaddr_in (-EINVAL under 16 bytes; AF_UNSPEC counts
 * as AF_INET; another family -EAFNOSUPPORT); an IPv6 one a sockaddr_in6
 * (-EINVAL under 24), a sockaddr_in, or AF_UNSPEC for none (*none set);
 * other families -EINVAL.  Port 0: -EINVAL.  The unspecified address is
 * the loopback.
 */
static int dest_of(struct inet_sock *s, const struct sock_addr *a, struct inet_ep *e, bool *none)
{
	uint16_t fam = a->len >= 2 ? sa_fam(a) : 0, port;
	uint32_t v4;

	*none = false;
	if (s->sk.family == L_AF_INET6) {
		if (a->len < 2)
			return -EINVAL;
		if (fam == L_AF_UNSPEC) {
			*none = true;
			return 0;
		}
		if (fam == L_AF_INET6) {
			if (a->len < SIN6_LEN_RFC2133)
				return -EINVAL;
			memcpy(&port, a->name + 2, 2);
			memcpy(e->addr, a->name + 8, 16);
			e->port = ntohs(port);
			if (ep_any(e)) {
				if (ep_v4(&s->local) && s->bound)
					ep_set_v4(e, htonl(0x7f000001), e->port);
				else
					inet_route_src(e, e);
			}
			if (ep_v4(e) && s->o.v6only)
				return -ENETUNREACH;
			return e->port ? 0 : -EINVAL;
		}
		if (fam != L_AF_INET)
			return -EINVAL;
	}
	if (a->len < SIN_LEN)
		return -EINVAL;
	if (fam != L_AF_INET && fam != L_AF_UNSPEC)
		return -EAFNOSUPPORT;
	memcpy(&port, a->name + 2, 2);
	memcpy(&v4, a->name + 4, 4);
	ep_set_v4(e, v4 ? v4 : htonl(0x7f000001), ntohs(port));
	return e->port ? 0 : -EINVAL;
}

static bool is_broadcast(const struct inet_ep *e)
{
	uint32_t a;

	if (!ep_v4(e))
		return false;
	a = ntohl(ep_v4_addr(e));
	return a == 0xffffffff || a == 0x7fffffff || a == 0x0a0002ff;
}

/* Does dst stay in s's namespace (its own addresses, broadcast, multicast)? */
static bool dest_local(const struct inet_sock *s, const struct inet_ep *dst)
{
	if (inet_addr_local(s->net, dst) || is_broadcast(dst))
		return true;
	if (ep_v4(dst))
		return (ntohl(ep_v4_addr(dst)) >> 28) == 0xe;
	return dst->addr[0] == 0xff;
}

/* The host socket for datagrams out of the guest (private mode). */
static int need_host(struct inet_sock *s)
{
	return s->hostfd >= 0 ? 0 : hostsock_open(s);
}

/*
 * udp_connect - connect(2) of a UDP socket (ip4_datagram_connect): sets
 * the default destination (only its datagrams are received from then
 * on) and, unless bound to one, the local address.  A destination that
 * is not the guest's own connects the host socket too.
 */
int udp_connect(struct inet_sock *s, const struct inet_ep *dst)
{
	int err;

	if (!dest_local(s, dst)) {
		char ss[128];
		socklen_t len;

		err = need_host(s);
		if (err)
			return err;
		len = hostsock_sockaddr(s, dst, ss);
		if (connect(s->hostfd, (struct sockaddr *)ss, len) < 0)
			return -errno;
		s->outbound = false;
	} else if (s->hostfd >= 0) {
		struct sockaddr un = { .sa_family = AF_UNSPEC };

		connect(s->hostfd, &un, sizeof(un));
	}
	if (!s->user_addr) {
		uint16_t port = s->local.port;

		inet_route_src(dst, &s->local);
		s->local.port = port;
	}
	s->remote = *dst;
	s->state = TCP_ESTABLISHED;
	return 0;
}

/* udp_disconnect - connect(2) with AF_UNSPEC (udp_disconnect): no peer;
 * the name is dropped unless bind(2) chose it. */
int udp_disconnect(struct inet_sock *s)
{
	s->state = TCP_CLOSE;
	memset(&s->remote, 0, sizeof(s->remote));
	if (s->sk.family == L_AF_INET)
		ep_set_v4(&s->remote, 0, 0);
	if (!s->user_addr) {
		uint16_t port = s->local.port;

		memset(s->local.addr, 0, 16);
		if (s->sk.family == L_AF_INET)
			ep_set_v4(&s->local, 0, port);
	}
	if (!s->user_port) {
		inet_unbind(s);
		s->local.port = 0;
	}
	if (s->hostfd >= 0) {
		struct sockaddr un = { .sa_family = AF_UNSPEC };

		connect(s->hostfd, &un, sizeof(un));
	}
	return 0;
}

/*
 * The tables' verdict on IPv4 datagram d from s (netfilter.c): true if
 * it was dropped or rejected (d is freed).  A rejection's ICMP error
 * reaches s as Linux's __udp4_lib_err lets it: with IP_RECVERR, or
 * when s is connected and the error is a "hard" one (port unreachable
 * and the prohibited kinds, not net or host unreachable).
 */
static bool nf_filtered(struct inet_sock *s, struct dgram *d)
{
	struct nf_pkt p = { 0 };
	bool hard = false;
	int v;

	if (!nf_active(s->net) || !ep_v4(&d->to) || !ep_v4(&d->from))
		return false;
	p.saddr = ep_v4_addr(&d->from);
	p.daddr = ep_v4_addr(&d->to);
	p.proto = (uint8_t)s->sk.protocol;
	p.sport = d->from.port;
	p.dport = d->to.port;
	p.len = 28 + (uint32_t)d->len;
	nf_udp_track(s->net, &p);
	v = nf_local_out(s->net, &p, &hard);
	if (!v)
		return false;
	free(d);
	if (v < 0 && (s->o.recverr || (hard && s->state == TCP_ESTABLISHED))) {
		s->err = -v;
		wake_up(&s->wq);
	}
	return true;
}

/* Sends d (its data, addresses and options set) to the socket that
 * takes it, or drops it: a connected sender learns ECONNREFUSED. */
static void dgram_send(struct inet_sock *s, struct dgram *d)
{
	struct inet_sock *r;

	if (nf_filtered(s, d))
		return;
	d->stamp = sock_now();
	d->truesize = dgram_truesize(d->len);
	netdev_lo_count(d->len);
	r = inet_lookup_udp(s->net, s->sk.protocol, &d->to, &d->from);
	if (!r) {
		free(d);
		if (s->state == TCP_ESTABLISHED) {
			s->err = ECONNREFUSED;  /* the ICMP port unreachable */
			wake_up(&s->wq);
		}
		return;
	}
	dgram_queue(r, d);
}

/*
 * udp_push_pending - sends the corked datagram, if any (Linux's
 * udp_push_pending_frames): at the first send without MSG_MORE while
 * UDP_CORK is off, and when UDP_CORK is cleared.
 */
void udp_push_pending(struct inet_sock *s)
{
	struct dgram *d = s->cork;

	if (!d)
		return;
	s->cork = NULL;
	dgram_send(s, d);
}

/*
 * Appends len bytes of it to the corked datagram (Linux's
 * do_append_data: the destination and options are the first piece's,
 * whatever this call names) and sends it unless more is to come.
 * Over the largest datagram: -EMSGSIZE, and the datagram is dropped, as
 * udp_flush_pending_frames drops it; -EFAULT likewise.
 */
static ssize_t cork_append(struct inet_sock *s, struct sock_iter *it, size_t len, bool more)
{
	struct dgram *d = s->cork, *nd;
	size_t max = ep_v4(&d->to) ? UDP4_MAX : UDP6_MAX;

	if (d->len + len > max) {
		s->cork = NULL;
		free(d);
		return -EMSGSIZE;
	}
	nd = realloc(d, sizeof(*d) + d->len + len);
	if (!nd)
		return -ENOMEM;
	s->cork = d = nd;
	if (len && iter_from(it, d->data + d->len, len) != (ssize_t)len) {
		s->cork = NULL;
		free(d);
		return -EFAULT;
	}
	d->len += len;
	if (!more)
		udp_push_pending(s);
	return len;
}

/*
 * udp_sendmsg - sendto(2) and friends on a UDP socket: -EMSGSIZE over
 * 65507 bytes (IPv4) or 65527 (IPv6), -EDESTADDRREQ with no destination
 * and no peer, -EACCES to a broadcast address without SO_BROADCAST, the
 * pending error (ECONNREFUSED after a datagram nobody took), -EFAULT;
 * else the length, whether or not anybody received it.  Destinations
 * outside the guest: private mode, through the host socket; none mode,
 * -ENETUNREACH.  Corking (UDP_CORK, MSG_MORE) on the loopback: the
 * pieces make one datagram, sent by the first call without MSG_MORE
 * while UDP_CORK is off (cork_append); a socket closed corked sends
 * nothing.
 */
ssize_t udp_sendmsg(struct task *t, struct file *f, struct inet_sock *s, struct sock_iter *it,
		    int flags, struct sock_msg *m)
{
	size_t len = it->count;
	struct inet_ep dst, src;
	struct tx_ctl txc;
	bool none = true, mc;
	struct dgram *d;
	int err;

	if (len > 0xffff)
		return -EMSGSIZE;
	if (flags & L_MSG_OOB)
		return -EOPNOTSUPP;
	if (s->cork)
		return cork_append(s, it, len, s->o.udp_cork || (flags & L_MSG_MORE));
	if (m && m->addr.len) {
		err = dest_of(s, &m->addr, &dst, &none);
		if (err)
			return err;
	}
	if (none) {
		if (s->state != TCP_ESTABLISHED)
			return -EDESTADDRREQ;
		dst = s->remote;
	}
	if (len > (ep_v4(&dst) ? UDP4_MAX : UDP6_MAX))
		return -EMSGSIZE;
	if (is_broadcast(&dst) && !s->o.broadcast)
		return -EACCES;
	if (s->err) {
		err = -s->err;
		s->err = 0;
		return err;
	}
	err = tx_ctl_parse(s, m, ep_v4(&dst), &txc);
	if (err)
		return err;
	if (!dest_local(s, &dst)) {
		if (net_mode_of(s->net) != NET_PRIVATE)
			return -ENETUNREACH;
		if (!s->bound && inet_autobind(s))
			return -EAGAIN;
		if (s->local.port) {
			char *kb = malloc(len ? len : 1);
			struct sock_iter copy = *it;
			ssize_t r2;

			if (!kb)
				return -ENOMEM;
			if (len && iter_from(&copy, kb, len) != (ssize_t)len) {
				free(kb);
				return -EFAULT;
			}
			r2 = forward_udp_reply(s->local.port, &dst, kb, len);
			free(kb);
			if (r2 != -ENOENT) {
				if (r2 >= 0)
					*it = copy;
				return r2;
			}
		}
		if (nf_active(s->net) && ep_v4(&dst)) {
			/* iptables' OUTPUT and POSTROUTING (netfilter.c): a
			 * datagram dropped or rejected there is never sent */
			struct nf_pkt p = { .daddr = ep_v4_addr(&dst), .proto = (uint8_t)s->sk.protocol,
					    .sport = s->local.port, .dport = dst.port,
					    .len = 28 + (uint32_t)len };
			struct inet_ep src = s->local;
			bool hard = false;
			int v;

			if (ep_any(&src))
				inet_route_src(&dst, &src);
			p.saddr = ep_v4_addr(&src);
			nf_udp_track(s->net, &p);
			v = nf_remote_out(s->net, &p, &hard);
			if (v) {
				if (v < 0 && (s->o.recverr || (hard && s->state == TCP_ESTABLISHED)))
					s->err = -v;
				return len;
			}
		}
		err = need_host(s);
		if (err)
			return err;
		return hostsock_send(t, f, s, it, flags, none ? NULL : &dst, m);
	}
	if (!s->bound && inet_autobind(s))
		return -EAGAIN;
	src = txc.src_set ? txc.src : s->local;
	if (ep_any(&src))
		inet_route_src(&dst, &src);
	if (!ep_v4(&dst) && ep_v4(&src))
		return -ENETUNREACH;
	d = malloc(sizeof(*d) + len);
	if (!d)
		return -ENOMEM;
	if (len && iter_from(it, d->data, len) != (ssize_t)len) {
		free(d);
		return -EFAULT;
	}
	d->from = src;
	d->to = dst;
	mc = ep_v4(&dst) ? (ntohl(ep_v4_addr(&dst)) >> 28) == 0xe : dst.addr[0] == 0xff;
	if (ep_v4(&dst)) {
		d->hops = txc.hops >= 0 ? txc.hops : mc ? s->o.mc_ttl : s->o.ttl < 0 ? 64 : s->o.ttl;
		d->tclass = txc.tclass >= 0 ? txc.tclass : s->o.tos;
	} else {
		d->hops = txc.hops >= 0 ? txc.hops : mc ? s->o.mc_hops : s->o.hops < 0 ? 64 : s->o.hops;
		d->tclass = txc.tclass >= 0 ? txc.tclass : s->o.tclass;
	}
	d->len = len;
	if (s->o.udp_cork || (flags & L_MSG_MORE)) {
		s->cork = d;            /* the first piece of a corked datagram */
		return len;
	}
	dgram_send(s, d);
	return len;
}

/*
 * udp_recvmsg - one datagram (Linux's udp_recvmsg): the pending error
 * first; the rest of a longer datagram is lost (MSG_TRUNC in the flags;
 * with MSG_TRUNC asked, its full length is returned); MSG_PEEK leaves
 * it.  m gets the sender's name in the socket's family.  -EAGAIN when
 * none is queued and the socket may not wait (or SO_RCVTIMEO passed).
 */
ssize_t udp_recvmsg(struct task *t, struct file *f, struct inet_sock *s, struct sock_iter *it,
		    int flags, struct sock_msg *m)
{
	bool nonblock = (flags & L_MSG_DONTWAIT) || (f->flags & O_NONBLOCK);
	uint64_t deadline = sock_deadline(s->o.rcvtimeo);
	size_t len = it->count;
	struct inet_ep from;
	ssize_t r;
	int err;

	if (flags & L_MSG_ERRQUEUE)
		return -EAGAIN;
	for (;;) {
		if (s->err) {
			err = -s->err;
			s->err = 0;
			return err;
		}
		if (!list_empty(&s->dgq)) {
			struct dgram *d = list_entry(s->dgq.next, struct dgram, link);
			size_t n = d->len < len ? d->len : len;

			if (n && iter_to(it, d->data, n) != (ssize_t)n)
				return -EFAULT;
			if (m) {
				if (d->len > len)
					m->oflags |= L_MSG_TRUNC;
				inet_ep_to_sockaddr(s->sk.family, &d->from, &m->addr);
				rx_ctl(s, d, m);
			}
			r = (flags & L_MSG_TRUNC) ? (ssize_t)d->len : (ssize_t)n;
			if (!(flags & L_MSG_PEEK)) {
				list_del(&d->link);
				s->rmem -= d->truesize;
				free(d);
			}
			return r;
		}
		if (s->hostfd >= 0) {
			r = hostsock_recv(t, f, s, it, flags, &from, m, true);
			if (r != -EAGAIN) {
				if (r >= 0 && m)
					inet_ep_to_sockaddr(s->sk.family, &from, &m->addr);
				return r;
			}
		}
		if (nonblock)
			return -EAGAIN;
		if (s->shutdown & RCV_SHUTDOWN)
			return 0;
		err = sock_wait_host(t, &s->wq, deadline, s->hostfd, POLLIN);
		if (err)
			return err;
	}
}

/* udp_poll - Linux's udp_poll/datagram_poll: POLLERR with an error
 * pending, POLLIN|POLLRDHUP once shut for reading, POLLHUP shut both
 * ways, POLLIN with a datagram queued (here or on the host socket),
 * POLLOUT always. */
short udp_poll(struct inet_sock *s, struct poll_table *pt)
{
	short mask = POLLOUT | POLLWRNORM | POLLWRBAND;

	poll_wait(pt, &s->wq);
	if (s->hostfd >= 0) {
		short hm = hostsock_poll(s, pt);

		mask |= hm & (POLLIN | POLLRDNORM | POLLERR);
	}
	if (s->err)
		mask |= POLLERR;
	if (s->shutdown & RCV_SHUTDOWN)
		mask |= POLLRDHUP | POLLIN | POLLRDNORM;
	if (s->shutdown == SHUTDOWN_MASK)
		mask |= POLLHUP;
	if (!list_empty(&s->dgq))
		mask |= POLLIN | POLLRDNORM;
	return mask;
}

/* udp_ioctl - FIONREAD: the next datagram's length (0 with none);
 * SIOCOUTQ: 0 (sent at once). */
long udp_ioctl(struct task *t, struct inet_sock *s, unsigned int cmd, uint64_t arg)
{
	int v = 0;

	switch (cmd) {
	case L_FIONREAD:
		if (!list_empty(&s->dgq))
			v = list_entry(s->dgq.next, struct dgram, link)->len;
		else if (s->hostfd >= 0)
			return hostsock_ioctl(t, s, cmd, arg);
		break;
	case L_TIOCOUTQ:
		break;
	default:
		return -ENOIOCTLCMD;
	}
	return copy_to_user(t, arg, &v, sizeof(v)) ? -EFAULT : 0;
}
