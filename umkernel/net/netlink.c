/*
 * netlink.c - AF_NETLINK sockets of protocol NETLINK_ROUTE, read-only
 * (and NETLINK_SOCK_DIAG, whose requests sock_diag.c answers):
 * enough rtnetlink for glibc's getifaddrs() and if_nameindex(), and for
 * iproute2's `ip addr`, `ip link` and `ip route` (Linux's af_netlink.c
 * and rtnetlink.c; man 7 netlink, man 7 rtnetlink).
 *
 * In a nutshell: a request (sendmsg) is answered at once into the
 * socket's receive queue, as the kernel answers a dump: RTM_GETLINK,
 * RTM_GETADDR and RTM_GETROUTE dumps (and single RTM_GETLINK, RTM_GETROUTE
 * lookups) built from netdev.c's table, packed into messages of at most
 * NLMSG_GOODSIZE with NLM_F_MULTI and ended by NLMSG_DONE; other dumps
 * that a tool may ask for (neighbours, rules, qdiscs...) are empty; any
 * change (RTM_NEW*, RTM_DEL*, RTM_SET*) is -EPERM and an unknown type
 * -EOPNOTSUPP, as NLMSG_ERROR answers.  In a network namespace the guest
 * made (CLONE_NEWNET), where lo is the only interface, its root may bring
 * lo up or down and give it its loopback addresses (RTM_NEWLINK,
 * RTM_NEWADDR, RTM_DELADDR: `ip link set lo up`, bwrap's loopback set-up);
 * port ids are per namespace.  In host mode the GET requests
 * are relayed to a host NETLINK_ROUTE socket of umk's, and its answers
 * (port ids rewritten) queued for the guest: the host's interfaces, still
 * read-only.  Each socket has a port id (the tgid for a process's first,
 * then negative numbers, as netlink_autobind).  Changes to the
 * interfaces of a guest-made namespace (a device made or gone, up or
 * down, an address given or taken) are multicast to its NETLINK_ROUTE
 * sockets in RTNLGRP_LINK and RTNLGRP_IPV4/IPV6_IFADDR, as rtnl_notify
 * (`ip monitor`, network managers); the initial namespace's interfaces
 * never change.
 *
 * Locking: klock, held by the caller.
 */
#include "netdev.h"
#include "netlink.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NETLINK_ROUTE_   0
#define NETLINK_SOCK_DIAG_ 4
#define NETLINK_GENERIC_ 16
#define NLMSG_NOOP_      1
#define NLMSG_ERROR_     2
#define NLMSG_DONE_      3
#define NLMSG_MIN_TYPE_  0x10
#define NLM_F_REQUEST_   0x1
#define NLM_F_MULTI_     0x2
#define NLM_F_ACK_       0x4
#define NLM_F_DUMP_      0x300
#define NLM_F_CAPPED_    0x100
#define RTM_BASE_        16
#define RTM_MAX_         127
#define RTM_GETLINK_     18
#define RTM_GETADDR_     22
#define RTM_GETROUTE_    26
#define NL_GOODSIZE      3776        /* NLMSG_GOODSIZE on 4 KiB pages */
#define NL_RCVBUF        212992
#define SOL_NETLINK_     270
#define NL_SOCKADDR_LEN  12          /* sizeof(struct sockaddr_nl) */


struct nl_skb {
	struct list_head link;
	size_t len;
	char data[];
};

struct nl_sock {
	struct socket sk;             /* first: the file's priv */
	struct net_namespace *net;    /* referenced: its port ids, the interfaces it sees */
	uint32_t portid, groups, dst_portid, dst_groups;
	bool bound;
	struct list_head bound_link;
	struct list_head rxq;         /* struct nl_skb */
	size_t rmem;
	struct sock_sol sol;          /* buffers, SO_ERROR, SO_PASSCRED, timeouts */
	bool pktinfo, broadcast_error, no_enobufs, listen_all_nsid, cap_ack, ext_ack, strict_chk;
	int hostfd;                   /* host mode: the relay to the host's rtnetlink */
	struct wait_queue wq;
};

static const struct proto_ops netlink_ops;
static struct list_head nl_bound = LIST_HEAD_INIT(nl_bound);
static int32_t nl_rover = -4096;

static struct nl_sock *nl_sk(struct file *f)
{
	return (struct nl_sock *)f->priv;
}

/* ---- messages ---- */

/* RTM_NEWLINK for d (rtnl_fill_ifinfo's attributes, in its order). */
static void link_msg(struct nlbuf *nb, const struct nd_if *d, uint16_t flags, uint32_t seq,
		     uint32_t pid)
{
	struct { uint8_t family, pad; uint16_t type; int32_t index; uint32_t flags, change; } ifi =
		{ 0, 0, (uint16_t)d->type, d->index, d->flags, 0 };
	uint64_t st64[25] = { 0 };
	uint32_t st32[24] = { 0 };
	uint8_t map[32] = { 0 };
	uint16_t xdp[4] = { 5, 2, 0, 0 };   /* IFLA_XDP_ATTACHED: XDP_ATTACHED_NONE */
	size_t off = msg_begin(nb, RTM_BASE_, flags, seq, pid, &ifi, sizeof(ifi));
	bool lo = d->type == 772;

	put_attr(nb, 3, d->name, strlen(d->name) + 1);     /* IFLA_IFNAME */
	put_u32(nb, 13, d->txqlen);                        /* IFLA_TXQLEN */
	put_u8(nb, 16, d->operstate);                      /* IFLA_OPERSTATE */
	put_u8(nb, 17, 0);                                 /* IFLA_LINKMODE */
	put_u32(nb, 4, d->mtu);                            /* IFLA_MTU */
	put_u32(nb, 50, lo ? 0 : 68);                      /* IFLA_MIN_MTU */
	put_u32(nb, 51, lo ? 0 : 65535);                   /* IFLA_MAX_MTU */
	put_u32(nb, 27, 0);                                /* IFLA_GROUP */
	put_u32(nb, 30, 0);                                /* IFLA_PROMISCUITY */
	put_u32(nb, 61, 0);                                /* IFLA_ALLMULTI */
	put_u32(nb, 31, 1);                                /* IFLA_NUM_TX_QUEUES */
	put_u32(nb, 40, 65535);                            /* IFLA_GSO_MAX_SEGS */
	put_u32(nb, 41, 65536);                            /* IFLA_GSO_MAX_SIZE */
	put_u32(nb, 58, 65536);                            /* IFLA_GRO_MAX_SIZE */
	put_u32(nb, 59, 524280);                           /* IFLA_TSO_MAX_SIZE */
	put_u32(nb, 60, 65535);                            /* IFLA_TSO_MAX_SEGS */
	put_u32(nb, 32, 1);                                /* IFLA_NUM_RX_QUEUES */
	put_u8(nb, 33, 1);                                 /* IFLA_CARRIER */
	put_u32(nb, 35, 0);                                /* IFLA_CARRIER_CHANGES */
	put_u32(nb, 47, 0);                                /* IFLA_CARRIER_UP_COUNT */
	put_u32(nb, 48, 0);                                /* IFLA_CARRIER_DOWN_COUNT */
	put_u8(nb, 39, 0);                                 /* IFLA_PROTO_DOWN */
	put_attr(nb, 14, map, sizeof(map));                /* IFLA_MAP */
	if (d->type != 65534) {                            /* ARPHRD_NONE: no address */
		put_attr(nb, 1, d->mac, 6);                /* IFLA_ADDRESS */
		put_attr(nb, 2, lo ? d->mac : d->brd, 6);  /* IFLA_BROADCAST */
	}
	st64[0] = st64[1] = d->rx_packets;
	st64[2] = st64[3] = d->rx_bytes;
	if (d->tx_apart) {
		st64[1] = d->tx_packets;
		st64[3] = d->tx_bytes;
	}
	for (int i = 0; i < 4; i++)
		st32[i] = (uint32_t)st64[i];
	put_attr(nb, 23, st64, sizeof(st64));              /* IFLA_STATS64 */
	put_attr(nb, 7, st32, sizeof(st32));               /* IFLA_STATS */
	put_attr(nb, 43, xdp, sizeof(xdp));                /* IFLA_XDP */
	put_attr(nb, 6, d->qdisc, strlen(d->qdisc) + 1);   /* IFLA_QDISC */
	msg_end(nb, off);
}

/* RTM_NEWADDR messages of d for family (2 or 10). */
static void addr_msgs(struct nlbuf *nb, const struct nd_if *d, int family, uint16_t flags,
		      uint32_t seq, uint32_t pid)
{
	uint32_t ci[4] = { 0xffffffff, 0xffffffff, 100, 100 };  /* IFA_CACHEINFO: forever */
	size_t off;

	if (family == 2 && d->v4) {
		struct { uint8_t family, prefixlen, flags, scope; uint32_t index; } ifa =
			{ 2, (uint8_t)d->v4prefix, 0x80, (uint8_t)d->v4scope, (uint32_t)d->index };

		off = msg_begin(nb, 20, flags, seq, pid, &ifa, sizeof(ifa));
		put_be32(nb, 1, d->v4);                     /* IFA_ADDRESS */
		put_be32(nb, 2, d->v4);                     /* IFA_LOCAL */
		if (d->v4bcast)
			put_be32(nb, 4, d->v4bcast);        /* IFA_BROADCAST */
		put_attr(nb, 3, d->name, strlen(d->name) + 1);   /* IFA_LABEL */
		put_u32(nb, 8, 0x80);                       /* IFA_FLAGS: permanent */
		put_attr(nb, 6, ci, sizeof(ci));
		msg_end(nb, off);
	}
	if (family == 10 && d->has_v6) {
		struct { uint8_t family, prefixlen, flags, scope; uint32_t index; } ifa =
			{ 10, (uint8_t)d->v6prefix, (uint8_t)d->v6flags, (uint8_t)d->v6scope,
			  (uint32_t)d->index };

		off = msg_begin(nb, 20, flags, seq, pid, &ifa, sizeof(ifa));
		put_attr(nb, 1, d->v6, 16);
		put_attr(nb, 6, ci, sizeof(ci));
		put_u32(nb, 8, d->v6flags);
		put_u8(nb, 11, 1);                          /* IFA_PROTO: kernel_lo */
		msg_end(nb, off);
	}
}

/* RTM_NEWROUTE for r (fib_dump_info's attributes, in its order). */
static void route_msg(struct nlbuf *nb, const struct nd_route *r, uint16_t flags, uint32_t seq,
		      uint32_t pid)
{
	struct { uint8_t family, dst_len, src_len, tos, table, protocol, scope, type; uint32_t flags; }
		rtm = { (uint8_t)r->family, (uint8_t)r->dst_len, 0, 0, (uint8_t)r->table,
			(uint8_t)r->protocol, (uint8_t)r->scope, (uint8_t)r->type, 0 };
	size_t off = msg_begin(nb, 24, flags, seq, pid, &rtm, sizeof(rtm));

	put_u32(nb, 15, r->table);                          /* RTA_TABLE */
	if (r->family == 2) {
		if (r->dst_len)
			put_be32(nb, 1, r->dst);            /* RTA_DST */
		if (r->priority)
			put_u32(nb, 6, r->priority);        /* RTA_PRIORITY */
		if (r->prefsrc)
			put_be32(nb, 7, r->prefsrc);        /* RTA_PREFSRC */
		if (r->gw)
			put_be32(nb, 5, r->gw);             /* RTA_GATEWAY */
		put_u32(nb, 4, r->oif);                     /* RTA_OIF */
	} else {
		uint8_t ci[32] = { 0 };

		put_attr(nb, 1, r->dst6, 16);
		put_u32(nb, 6, r->priority);
		put_u32(nb, 4, r->oif);
		put_attr(nb, 12, ci, sizeof(ci));           /* RTA_CACHEINFO */
		put_u8(nb, 20, 0);                          /* RTA_PREF: medium */
	}
	msg_end(nb, off);
}

/*
 * The answer to `ip route get ADDR` (inet_rtm_getroute): the route the
 * guest's table gives to dst (IPv4 in host order, or IPv6 when v6), as a
 * cloned RTM_NEWROUTE; -ENETUNREACH when there is none.
 */
static int route_get(struct nlbuf *nb, bool v6, uint32_t dst, const uint8_t *dst6, uint32_t seq,
		     uint32_t pid)
{
	static const uint8_t one[16] = { [15] = 1 };
	struct { uint8_t family, dst_len, src_len, tos, table, protocol, scope, type; uint32_t flags; }
		rtm = { (uint8_t)(v6 ? 10 : 2), (uint8_t)(v6 ? 128 : 32), 0, 0, 254, 0, 0, 1, 0x200 };
	uint32_t ci[8] = { 2 }, uid = current ? current->cred.uid : 0, src, gw = 0, oif;
	size_t off;

	if (v6) {
		static const uint8_t any[16];

		/* IPv6 answers with the route itself (the local table's ::1) */
		if (memcmp(dst6, one, 16))
			return -ENETUNREACH;
		rtm.src_len = 128;
		rtm.table = 255;
		rtm.protocol = 2;        /* RTPROT_KERNEL */
		rtm.type = 2;            /* RTN_LOCAL */
		rtm.flags = 0;
		off = msg_begin(nb, 24, 0, seq, pid, &rtm, sizeof(rtm));
		put_u32(nb, 15, 255);                   /* RTA_TABLE */
		put_attr(nb, 1, dst6, 16);              /* RTA_DST */
		put_attr(nb, 2, any, 16);               /* RTA_SRC */
		put_attr(nb, 7, one, 16);               /* RTA_PREFSRC */
		put_u32(nb, 6, 0);                      /* RTA_PRIORITY */
		put_u32(nb, 4, 1);                      /* RTA_OIF */
		put_attr(nb, 12, ci, sizeof(ci));       /* RTA_CACHEINFO */
		put_u8(nb, 20, 0);                      /* RTA_PREF */
		msg_end(nb, off);
		return 0;
	}
	if (net_mode == NET_PRIVATE && dst == 0x0a0002ff) {
		rtm.type = 3;            /* RTN_BROADCAST */
		rtm.flags = 0x90000200;  /* RTCF_LOCAL | RTCF_BROADCAST | RTM_F_CLONED */
		oif = 2;
		src = 0x0a00020f;
	} else if ((dst >> 24) == 127 || !dst) {
		rtm.type = 2;
		rtm.flags = 0x80000200;
		oif = 1;
		src = !dst ? 0x7f000001 : (dst >> 24) == 127 ? 0x7f000001 : dst;
	} else if (net_mode == NET_PRIVATE && dst == 0x0a00020f) {
		rtm.type = 2;
		rtm.flags = 0x80000200;
		oif = 1;
		src = dst;
	} else if (net_mode == NET_PRIVATE) {
		oif = 2;
		src = 0x0a00020f;
		if ((dst & 0xffffff00) != 0x0a000200)
			gw = 0x0a000202;
	} else {
		return -ENETUNREACH;
	}
	off = msg_begin(nb, 24, 0, seq, pid, &rtm, sizeof(rtm));
	put_u32(nb, 15, 254);                           /* RTA_TABLE */
	put_be32(nb, 1, dst);                           /* RTA_DST */
	put_u32(nb, 4, oif);                            /* RTA_OIF */
	put_be32(nb, 7, src);                           /* RTA_PREFSRC */
	if (gw)
		put_be32(nb, 5, gw);                    /* RTA_GATEWAY */
	put_u32(nb, 25, uid);                           /* RTA_UID */
	put_attr(nb, 12, ci, sizeof(ci));               /* RTA_CACHEINFO */
	msg_end(nb, off);
	return 0;
}

/* ---- the receive queue ---- */

static int queue_skb(struct nl_sock *n, const char *data, size_t len)
{
	struct nl_skb *s = malloc(sizeof(*s) + len);

	if (!s)
		return -ENOMEM;
	s->len = len;
	memcpy(s->data, data, len);
	list_add_tail(&s->link, &n->rxq);
	n->rmem += len;
	wake_up(&n->wq);
	return 0;
}

/* netlink_kernel_send - a datagram from the kernel, not a reply, to
 * netlink socket f (Linux's netlink_sendskb; mq_notify's SIGEV_THREAD
 * cookies, ipc/mqueue.c): 0, -EINVAL if f is no netlink socket, -ENOMEM. */
int netlink_kernel_send(struct file *f, const void *data, size_t len)
{
	if (!file_is_socket(f) || file_socket(f)->family != L_AF_NETLINK)
		return -EINVAL;
	return queue_skb(nl_sk(f), data, len);
}

static void queue_msgs(struct nl_sock *n, struct nlbuf *nb, bool dump, uint32_t seq);

/* ---- rtnetlink notifications (Linux's rtnl_notify) ---- */

#define RTNLGRP_LINK_        1
#define RTNLGRP_IPV4_IFADDR_ 5
#define RTNLGRP_IPV6_IFADDR_ 9

/* The messages of nb to every NETLINK_ROUTE socket of ns in group. */
static void rtnl_multicast(struct net_namespace *ns, struct nlbuf *nb, unsigned int group)
{
	struct list_head *p, *q;

	if (nb->oom || !nb->len)
		return;
	list_for_each_safe(p, q, &nl_bound) {
		struct nl_sock *o = list_entry(p, struct nl_sock, bound_link);

		if (o->net == ns && o->sk.protocol == NETLINK_ROUTE_ && (o->groups & (1U << (group - 1))))
			queue_msgs(o, nb, false, 0);
	}
}

/*
 * rtnl_notify_link - RTM_NEWLINK (or RTM_DELLINK, del) for interface d of
 * namespace ns to the sockets in RTNLGRP_LINK: a device made or gone,
 * its flags changed (rtmsg_ifinfo).
 */
void rtnl_notify_link(struct net_namespace *ns, const struct nd_if *d, bool del)
{
	struct nlbuf nb = { 0 };

	link_msg(&nb, d, 0, 0, 0);
	if (del && !nb.oom && nb.len >= sizeof(struct nlhdr))
		((struct nlhdr *)nb.b)->type = RTM_BASE_ + 1;   /* RTM_DELLINK */
	rtnl_multicast(ns, &nb, RTNLGRP_LINK_);
	free(nb.b);
}

/* RTM_NEWADDR (or RTM_DELADDR, del) of d's family address as d has it
 * now (for a removal: before it goes), to RTNLGRP_IPV4/IPV6_IFADDR. */
static void rtnl_notify_addr(struct net_namespace *ns, const struct nd_if *d, int family, bool del)
{
	struct nlbuf nb = { 0 };

	addr_msgs(&nb, d, family, 0, 0, 0);
	if (del && !nb.oom && nb.len >= sizeof(struct nlhdr))
		((struct nlhdr *)nb.b)->type = 21;                 /* RTM_DELADDR */
	rtnl_multicast(ns, &nb, family == 2 ? RTNLGRP_IPV4_IFADDR_ : RTNLGRP_IPV6_IFADDR_);
	free(nb.b);
}

/*
 * rtnl_notify_updown - d of ns is about to go up (up) or down: the
 * addresses that come or go with it (lo's), then the link, in the order
 * Linux sends them.  Call with d as it is before the change, then
 * rtnl_notify_updown_done after it.
 */
void rtnl_notify_updown(struct net_namespace *ns, const struct nd_if *d, bool up)
{
	if (!up) {
		if (d->has_v6)
			rtnl_notify_addr(ns, d, 10, true);
	}
}

void rtnl_notify_updown_done(struct net_namespace *ns, const struct nd_if *d, bool up,
			     bool had_v4, bool had_v6)
{
	if (up) {
		if (d->v4 && !had_v4)
			rtnl_notify_addr(ns, d, 2, false);
		if (d->has_v6 && !had_v6)
			rtnl_notify_addr(ns, d, 10, false);
	}
	rtnl_notify_link(ns, d, false);
}

/* Queues the messages of nb in skbs of at most NL_GOODSIZE, then (dump)
 * NLMSG_DONE in one of its own. */
static void queue_msgs(struct nl_sock *n, struct nlbuf *nb, bool dump, uint32_t seq)
{
	size_t off = 0, start = 0;

	while (off < nb->len) {
		struct nlhdr *h = (struct nlhdr *)(nb->b + off);
		size_t l = (h->len + 3) & ~3U;

		if (off > start && off + l - start > NL_GOODSIZE) {
			queue_skb(n, nb->b + start, off - start);
			start = off;
		}
		off += l;
	}
	if (off > start)
		queue_skb(n, nb->b + start, off - start);
	if (dump) {
		struct { struct nlhdr h; int32_t v; } done = { { 20, NLMSG_DONE_, NLM_F_MULTI_, seq,
								 n->portid }, 0 };

		queue_skb(n, (const char *)&done, sizeof(done));
	}
}

/* NLMSG_ERROR for request h (error 0: an ACK), with the request echoed
 * (all of it on an error, unless NETLINK_CAP_ACK: netlink_ack). */
static void queue_ack(struct nl_sock *n, const struct nlhdr *h, int error)
{
	size_t payload = error && !n->cap_ack ? h->len : sizeof(*h);
	struct nlbuf nb = { 0 };
	int32_t e = error;
	size_t off = msg_begin(&nb, NLMSG_ERROR_, error && !n->cap_ack ? 0 : NLM_F_CAPPED_, h->seq,
			       n->portid, &e, sizeof(e));
	void *p = nb_room(&nb, payload);

	if (p)
		memcpy(p, h, payload);
	msg_end(&nb, off);
	if (!nb.oom)
		queue_skb(n, nb.b, nb.len);
	free(nb.b);
}

/* ---- requests ---- */

/* An attribute of a request, or NULL (after hdrlen bytes of family header). */
const char *nl_attr(const struct nlhdr *h, size_t hdrlen, uint16_t type, size_t *len)
{
	size_t off = sizeof(*h) + ((hdrlen + 3) & ~(size_t)3);

	while (off + 4 <= h->len) {
		uint16_t al, at;

		memcpy(&al, (const char *)h + off, 2);
		memcpy(&at, (const char *)h + off + 2, 2);
		if (al < 4 || off + al > h->len)
			break;
		if ((at & 0x3fff) == type) {
			*len = al - 4;
			return (const char *)h + off + 4;
		}
		off += (al + 3) & ~3U;
	}
	return NULL;
}

#define RTM_NEWLINK_     16
#define RTM_NEWADDR_     20
#define RTM_DELADDR_     21
#define NLM_F_EXCL_      0x200

/*
 * A change in a namespace of the guest's making (rtnl_newlink's flags,
 * inet_rtm_newaddr, inet6_rtm_newaddr and their deletes, for lo): up or
 * down; 127.0.0.0/8 addresses and ::1.  -EPERM without CAP_NET_ADMIN
 * over the namespace, -ENODEV for another interface, -EEXIST (NLM_F_EXCL)
 * for an address lo has, -EADDRNOTAVAIL deleting one it lacks,
 * -EOPNOTSUPP for anything else (other addresses included: lo carries
 * only the loopback's in umk).  ACKed when asked.
 */
static int rtm_change(struct nl_sock *n, const struct nlhdr *h)
{
	struct nd_if *lo = netdev_lo(n->net);
	const char *body = (const char *)h + sizeof(*h);
	size_t blen = h->len - sizeof(*h), al;
	const char *a;

	if (!lo)
		return -ENOMEM;
	if (!current || !ns_capable(current, n->net->user_ns, CAP_NET_ADMIN))
		return -EPERM;
	if (h->type == RTM_NEWLINK_) {
		struct { uint8_t family, pad; uint16_t type; int32_t index; uint32_t flags, change; } ifi;
		unsigned int flags;

		if (blen < sizeof(ifi))
			return -EINVAL;
		memcpy(&ifi, body, sizeof(ifi));
		if (ifi.index > 0) {
			lo = netdev_find(n->net, ifi.index);       /* lo or a TUN/TAP device */
		} else {
			char nm[17] = { 0 };

			a = nl_attr(h, sizeof(ifi), 3, &al);            /* IFLA_IFNAME */
			if (!a)
				return -EINVAL;
			memcpy(nm, a, al < 16 ? al : 16);
			lo = netdev_find_name(n->net, nm);
		}
		if (!lo)
			return -ENODEV;
		/* rtnl_dev_combine_flags: ifi_change 0 stands for every flag */
		flags = ifi.change ? (ifi.flags & ifi.change) | (lo->flags & ~ifi.change) : ifi.flags;
		netdev_set_up(n->net, lo, flags & ND_IFF_UP);
	} else if (h->type == RTM_NEWADDR_ || h->type == RTM_DELADDR_) {
		struct { uint8_t family, prefixlen, flags, scope; uint32_t index; } ifa;
		bool add = h->type == RTM_NEWADDR_;

		if (blen < sizeof(ifa))
			return -EINVAL;
		memcpy(&ifa, body, sizeof(ifa));
		if ((int)ifa.index != lo->index)
			return -ENODEV;
		if (ifa.family == 2) {
			uint32_t addr;

			a = nl_attr(h, sizeof(ifa), 2, &al);            /* IFA_LOCAL */
			if (!a)
				a = nl_attr(h, sizeof(ifa), 1, &al);    /* IFA_ADDRESS */
			if (!a || al != 4 || ifa.prefixlen > 32)
				return -EINVAL;
			memcpy(&addr, a, 4);
			addr = __builtin_bswap32(addr);
			if (add) {
				if ((addr >> 24) != 127)
					return -EOPNOTSUPP;
				if (lo->v4 == addr && (h->flags & NLM_F_EXCL_))
					return -EEXIST;
				lo->v4 = addr;
				lo->v4prefix = ifa.prefixlen;
				lo->v4scope = 254;
				rtnl_notify_addr(n->net, lo, 2, false);
			} else {
				if (lo->v4 != addr)
					return -EADDRNOTAVAIL;
				rtnl_notify_addr(n->net, lo, 2, true);
				lo->v4 = 0;
			}
		} else if (ifa.family == 10) {
			static const uint8_t one[16] = { [15] = 1 };

			a = nl_attr(h, sizeof(ifa), 2, &al);
			if (!a)
				a = nl_attr(h, sizeof(ifa), 1, &al);
			if (!a || al != 16)
				return -EINVAL;
			if (memcmp(a, one, 16))
				return add ? -EOPNOTSUPP : -EADDRNOTAVAIL;
			if (add && lo->has_v6 && (h->flags & NLM_F_EXCL_))
				return -EEXIST;
			if (!add && !lo->has_v6)
				return -EADDRNOTAVAIL;
			if (!add)
				rtnl_notify_addr(n->net, lo, 10, true);
			lo->has_v6 = add;
			memcpy(lo->v6, one, 16);
			lo->v6prefix = 128;
			lo->v6scope = 254;
			lo->v6flags = 0x80;
			if (add)
				rtnl_notify_addr(n->net, lo, 10, false);
		} else {
			return -EAFNOSUPPORT;
		}
	} else {
		return -EOPNOTSUPP;
	}
	if (h->flags & NLM_F_ACK_)
		queue_ack(n, h, 0);
	return 0;
}

/* rtnetlink's answer to request h: 0, or -errno for NLMSG_ERROR. */
/*
 * A change asked of the initial namespace, whose interfaces are
 * read-only: 0 (ACKed) for an RTM_NEWLINK that changes nothing (`ip link
 * set lo up` with lo up: its flags, by index or IFLA_IFNAME, and no
 * other attribute) from a task with CAP_NET_ADMIN, outside host mode;
 * -EPERM for everything else.
 */
static int rtm_noop(struct nl_sock *n, const struct nlhdr *h)
{
	struct { uint8_t family, pad; uint16_t type; int32_t index; uint32_t flags, change; } ifi;
	size_t off = sizeof(*h) + sizeof(ifi), al;
	char nm[17] = { 0 };
	struct nd_if *d;
	unsigned int flags;
	const char *a;

	if (h->type != RTM_NEWLINK_ || net_mode == NET_HOST || !current ||
	    !ns_capable(current, n->net->user_ns, CAP_NET_ADMIN) || h->len < off)
		return -EPERM;
	memcpy(&ifi, (const char *)h + sizeof(*h), sizeof(ifi));
	while (off + 4 <= h->len) {     /* IFLA_IFNAME only */
		uint16_t l, at;

		memcpy(&l, (const char *)h + off, 2);
		memcpy(&at, (const char *)h + off + 2, 2);
		if (l < 4 || off + l > h->len || (at & 0x3fff) != 3)
			return -EPERM;
		off += (l + 3) & ~3U;
	}
	if (ifi.index > 0) {
		d = netdev_by_index(ifi.index);
	} else {
		a = nl_attr(h, sizeof(ifi), 3, &al);
		if (!a)
			return -EPERM;
		memcpy(nm, a, al < 16 ? al : 16);
		d = netdev_by_name(nm);
	}
	if (!d)
		return -ENODEV;
	flags = ifi.change ? (ifi.flags & ifi.change) | (d->flags & ~ifi.change) : ifi.flags;
	if ((flags ^ d->flags) & 0xffff)
		return -EPERM;
	if (h->flags & NLM_F_ACK_)
		queue_ack(n, h, 0);
	return 0;
}

static int rtm_request(struct nl_sock *n, const struct nlhdr *h)
{
	bool dump = (h->flags & NLM_F_DUMP_) == NLM_F_DUMP_;
	uint8_t family = h->len > sizeof(*h) ? *((const uint8_t *)h + sizeof(*h)) : 0;
	struct nlbuf nb = { 0 };
	int nif, nrt;
	struct nd_if *ifs = netdev_ifs(&nif);
	struct nd_route *rts = netdev_routes(&nrt);
	uint16_t mflags = dump ? NLM_F_MULTI_ : 0;

	if (h->type > RTM_MAX_)
		return -EOPNOTSUPP;
	if ((h->type - RTM_BASE_) % 4 != 2) {
		if (n->net != &init_net_ns)
			return rtm_change(n, h);
		return rtm_noop(n, h);  /* a change: needs CAP_NET_ADMIN in the host's eyes */
	}
	switch (h->type) {
	case RTM_GETLINK_:
		if (dump) {
			for (int i = 0; i < nif; i++)
				link_msg(&nb, &ifs[i], mflags, h->seq, n->portid);
		} else {
			struct nd_if *d = NULL;
			int32_t index = 0;
			const char *name;
			size_t nl;

			if (h->len >= sizeof(*h) + 16)
				memcpy(&index, (const char *)h + sizeof(*h) + 4, 4);
			if (index > 0) {
				d = netdev_by_index(index);
			} else if ((name = nl_attr(h, 16, 3, &nl)) && nl) {
				char nm[17] = { 0 };

				memcpy(nm, name, nl < 16 ? nl : 16);
				d = netdev_by_name(nm);
			} else {
				return -EINVAL;
			}
			if (!d)
				return -ENODEV;
			link_msg(&nb, d, 0, h->seq, n->portid);
		}
		break;
	case RTM_GETADDR_:
		if (!dump)
			return -EOPNOTSUPP;
		for (int f = 2; f <= 10; f += 8) {
			if (family && family != f)
				continue;
			for (int i = 0; i < nif; i++)
				addr_msgs(&nb, &ifs[i], f, mflags, h->seq, n->portid);
		}
		break;
	case RTM_GETROUTE_:
		if (!dump) {
			const char *d;
			size_t dl;
			uint32_t v4 = 0;
			int err;

			d = nl_attr(h, 12, 1, &dl);    /* RTA_DST */
			if (family == 10) {
				static const uint8_t any[16];

				err = route_get(&nb, true, 0, d && dl == 16 ? (const uint8_t *)d : any,
						h->seq, n->portid);
			} else {
				if (d && dl == 4)
					memcpy(&v4, d, 4);
				err = route_get(&nb, false, __builtin_bswap32(v4), NULL, h->seq,
						n->portid);
			}
			if (err) {
				free(nb.b);
				return err;
			}
			break;
		}
		for (int i = 0; i < nrt; i++)
			if (!family || family == rts[i].family)
				route_msg(&nb, &rts[i], mflags, h->seq, n->portid);
		break;
	case 30: /* RTM_GETNEIGH */
	case 34: /* RTM_GETRULE */
	case 38: /* RTM_GETQDISC */
	case 42: /* RTM_GETTCLASS */
	case 46: /* RTM_GETTFILTER */
	case 58: /* RTM_GETMULTICAST */
	case 62: /* RTM_GETANYCAST */
	case 66: /* RTM_GETNEIGHTBL */
	case 74: /* RTM_GETADDRLABEL */
	case 82: /* RTM_GETNETCONF */
	case 94: /* RTM_GETSTATS */
	case 106: /* RTM_GETNEXTHOP */
		if (!dump)
			return -EOPNOTSUPP;
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (nb.oom) {
		free(nb.b);
		return -ENOBUFS;
	}
	queue_msgs(n, &nb, dump, h->seq);
	free(nb.b);
	if (!dump && (h->flags & NLM_F_ACK_))
		queue_ack(n, h, 0);
	return 0;
}

/* Host mode: relays GET request h to the host's rtnetlink and queues its
 * answers (port ids rewritten to ours). */
static int relay_request(struct nl_sock *n, const struct nlhdr *h)
{
	static char buf[65536];
	ssize_t r;

	if (n->sk.protocol == NETLINK_SOCK_DIAG_) {
		/* the listing requests only: never SOCK_DESTROY of a host socket */
		if (h->type != 18 && h->type != 20)
			return h->type == 21 ? -EPERM : -EINVAL;
	} else if (h->type > RTM_MAX_) {
		return -EOPNOTSUPP;
	} else if ((h->type - RTM_BASE_) % 4 != 2) {
		return -EPERM;
	}
	if (n->hostfd < 0) {
		n->hostfd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, n->sk.protocol);
		if (n->hostfd < 0)
			return -errno;
	}
	if (send(n->hostfd, h, h->len, 0) < 0)
		return -errno;
	/* The host answers within send (a dump's first part) and each recv
	 * (its next part): read until nothing is left or the answer ends. */
	for (int parts = 0; parts < 4096; parts++) {
		r = recv(n->hostfd, buf, sizeof(buf), MSG_DONTWAIT);
		if (r < 0)
			break;
		for (size_t off = 0; off + sizeof(struct nlhdr) <= (size_t)r;) {
			struct nlhdr *m = (struct nlhdr *)(buf + off);

			if (m->len < sizeof(*m) || off + m->len > (size_t)r)
				break;
			m->pid = n->portid;
			off += (m->len + 3) & ~3U;
		}
		queue_skb(n, buf, r);
		if (r >= (ssize_t)sizeof(struct nlhdr)) {
			struct nlhdr *last = NULL;

			for (size_t off = 0; off + sizeof(struct nlhdr) <= (size_t)r;) {
				struct nlhdr *m = (struct nlhdr *)(buf + off);

				if (m->len < sizeof(*m))
					break;
				last = m;
				off += (m->len + 3) & ~3U;
			}
			if (last && (last->type == NLMSG_DONE_ || last->type == NLMSG_ERROR_ ||
				     !(last->flags & NLM_F_MULTI_)))
				break;
		}
	}
	return 0;
}

/* A NETLINK_SOCK_DIAG request (sock_diag.c): inet requests in host mode
 * go to the host's sock_diag, as /proc/net/tcp is the host's there. */
/* Queues the answer to request h built in nb (a dump: NLMSG_DONE after
 * it; else an ACK when asked, as netlink_rcv_skb) and frees nb; err (or
 * -ENOBUFS if nb ran out of memory) is returned for an NLMSG_ERROR
 * instead. */
static int answer(struct nl_sock *n, const struct nlhdr *h, int err, struct nlbuf *nb, bool dump)
{
	if (!err && nb->oom)
		err = -ENOBUFS;
	if (!err) {
		queue_msgs(n, nb, dump, h->seq);
		if (!dump && (h->flags & NLM_F_ACK_))
			queue_ack(n, h, 0);
	}
	free(nb->b);
	return err;
}

static int diag_request(struct nl_sock *n, const struct nlhdr *h)
{
	uint8_t family = h->len > sizeof(*h) ? *((const uint8_t *)h + sizeof(*h)) : 0;
	struct nlbuf nb = { 0 };
	bool dump;
	int err;

	if (net_mode_of(n->net) == NET_HOST && h->type != 21 &&
	    (h->type == 18 || family == L_AF_INET || family == L_AF_INET6))
		return relay_request(n, h);
	err = sock_diag_request(n->net, h, n->portid, &nb, &dump);
	return answer(n, h, err, &nb, dump);
}

/* NETLINK_GENERIC: genetlink.c answers */
static int generic_request(struct task *t, struct nl_sock *n, const struct nlhdr *h)
{
	struct nlbuf nb = { 0 };
	bool dump;
	int err = genl_request(t, h, n->portid, &nb, &dump);

	return answer(n, h, err, &nb, dump);
}

/* ---- socket calls ---- */

static bool portid_used(const struct net_namespace *net, uint32_t id)
{
	struct list_head *p, *q;

	list_for_each_safe(p, q, &nl_bound) {
		struct nl_sock *o = list_entry(p, struct nl_sock, bound_link);

		if (o->portid == id && o->net == net)
			return true;
	}
	return false;
}

/* netlink_autobind: the tgid (as the caller's pid namespace numbers it)
 * if free, else a negative id. */
static void autobind(struct nl_sock *n)
{
	uint32_t id = current ? (uint32_t)task_tgid_vnr(current, current) : 1;

	if (n->bound)
		return;
	while (portid_used(n->net, id))
		id = (uint32_t)nl_rover--;
	n->portid = id;
	n->bound = true;
	list_add_tail(&n->bound_link, &nl_bound);
}

/*
 * netlink_create - socket(AF_NETLINK, SOCK_RAW or SOCK_DGRAM,
 * NETLINK_ROUTE or NETLINK_SOCK_DIAG).  -ESOCKTNOSUPPORT for another
 * type, -EPROTONOSUPPORT for another protocol.
 */
int netlink_create(int type, int protocol, int flags, struct file **out)
{
	struct nl_sock *n;

	*out = NULL;
	if (type != L_SOCK_RAW && type != L_SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;
	if (protocol != NETLINK_ROUTE_ && protocol != NETLINK_SOCK_DIAG_ && protocol != NETLINK_GENERIC_)
		return -EPROTONOSUPPORT;
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	list_init(&n->rxq);
	list_init(&n->bound_link);
	waitq_init(&n->wq);
	n->sol.rcvbuf = n->sol.sndbuf = NL_RCVBUF;
	n->hostfd = -1;
	n->net = current_net();
	n->net->refs++;
	*out = sock_file_alloc(&n->sk, &netlink_ops, L_AF_NETLINK, type, protocol, flags);
	if (!*out) {
		put_net_ns(n->net);
		free(n);
		return -ENOMEM;
	}
	return 0;
}

static int nl_addr(const struct sock_addr *a, uint32_t *pid, uint32_t *groups)
{
	uint16_t fam;

	if (a->len < NL_SOCKADDR_LEN)
		return -EINVAL;
	memcpy(&fam, a->name, 2);
	if (fam != L_AF_NETLINK)
		return -EINVAL;
	memcpy(pid, a->name + 4, 4);
	memcpy(groups, a->name + 8, 4);
	return 0;
}

/* bind(2) (netlink_bind): -EINVAL for a short or foreign address; a port
 * id of 0 takes one; another bound port id is -EADDRINUSE; groups are
 * joined. */
static int nl_bind(struct task *t, struct file *f, const struct sock_addr *a)
{
	struct nl_sock *n = nl_sk(f);
	uint32_t pid, groups;
	int err = nl_addr(a, &pid, &groups);

	(void)t;
	if (err)
		return err;
	if (n->bound) {
		if (pid && pid != n->portid)
			return -EINVAL;
	} else if (pid) {
		if (portid_used(n->net, pid))
			return -EADDRINUSE;
		n->portid = pid;
		n->bound = true;
		list_add_tail(&n->bound_link, &nl_bound);
	} else {
		autobind(n);
	}
	n->groups = groups;
	return 0;
}

/* connect(2) (netlink_connect): sets the default destination; AF_UNSPEC clears it. */
static int nl_connect(struct task *t, struct file *f, const struct sock_addr *a)
{
	struct nl_sock *n = nl_sk(f);
	uint16_t fam;
	uint32_t pid, groups;
	int err;

	(void)t;
	if (a->len < 2)
		return -EINVAL;
	memcpy(&fam, a->name, 2);
	if (fam == L_AF_UNSPEC) {
		n->dst_portid = n->dst_groups = 0;
		return 0;
	}
	err = nl_addr(a, &pid, &groups);
	if (err)
		return err;
	autobind(n);
	n->dst_portid = pid;
	n->dst_groups = groups;
	return 0;
}

static int nl_listen(struct task *t, struct file *f, int backlog)
{
	(void)t;
	(void)f;
	(void)backlog;
	return -EOPNOTSUPP;
}

static int nl_accept(struct task *t, struct file *f, int flags, struct file **out,
		     struct sock_addr *peer)
{
	(void)t;
	(void)f;
	(void)flags;
	(void)peer;
	*out = NULL;
	return -EOPNOTSUPP;
}

/*
 * sendmsg(2) (netlink_sendmsg, netlink_rcv_skb): the requests in the
 * buffer, answered in order.  -EINVAL for a destination that is not a
 * sockaddr_nl, -ECONNREFUSED for one that is not the kernel (port 0),
 * -EMSGSIZE over the send buffer, -EFAULT.
 */
static ssize_t nl_sendmsg(struct task *t, struct file *f, struct sock_iter *it, int flags,
			  struct sock_msg *m)
{
	struct nl_sock *n = nl_sk(f);
	size_t len = it->count, off = 0;
	uint32_t pid = n->dst_portid, groups = 0;
	char *buf;
	int err;

	(void)flags;
	if (m && m->addr.len) {
		err = nl_addr(&m->addr, &pid, &groups);
		if (err)
			return err;
	}
	if (pid)
		return -ECONNREFUSED;
	if (len > (size_t)n->sol.sndbuf - 32)
		return -EMSGSIZE;
	autobind(n);
	buf = malloc(len ? len : 1);
	if (!buf)
		return -ENOMEM;
	if (len && iter_from(it, buf, len) != (ssize_t)len) {
		free(buf);
		return -EFAULT;
	}
	while (off + sizeof(struct nlhdr) <= len) {
		struct nlhdr *h = (struct nlhdr *)(buf + off);

		if (h->len < sizeof(*h) || h->len > len - off)
			break;
		if ((h->flags & NLM_F_REQUEST_) && h->type >= NLMSG_MIN_TYPE_) {
			if (n->sk.protocol == NETLINK_SOCK_DIAG_)
				err = diag_request(n, h);
			else if (n->sk.protocol == NETLINK_GENERIC_)
				err = generic_request(t, n, h);
			else if (net_mode_of(n->net) == NET_HOST)
				err = relay_request(n, h);
			else
				err = rtm_request(n, h);
			if (err)
				queue_ack(n, h, err);
		} else if (h->flags & NLM_F_ACK_) {
			queue_ack(n, h, 0);
		}
		off += (h->len + 3) & ~3U;
	}
	free(buf);
	return len;
}

/* recvmsg(2) (netlink_recvmsg): one queued message buffer; the rest of a
 * longer one is lost (MSG_TRUNC; with MSG_TRUNC asked, its length). */
static ssize_t nl_recvmsg(struct task *t, struct file *f, struct sock_iter *it, int flags,
			  struct sock_msg *m)
{
	struct nl_sock *n = nl_sk(f);
	bool nonblock = (flags & L_MSG_DONTWAIT) || (f->flags & O_NONBLOCK);
	uint64_t deadline = sock_deadline(n->sol.rcvtimeo);
	struct nl_skb *s;
	size_t c;
	ssize_t r;
	int err;

	while (list_empty(&n->rxq)) {
		if (n->sol.err) {
			err = -n->sol.err;
			n->sol.err = 0;
			return err;
		}
		if (nonblock)
			return -EAGAIN;
		err = sock_wait(t, &n->wq, deadline);
		if (err)
			return err;
	}
	s = list_entry(n->rxq.next, struct nl_skb, link);
	c = s->len < it->count ? s->len : it->count;
	if (c && iter_to(it, s->data, c) != (ssize_t)c)
		return -EFAULT;
	if (m) {
		uint16_t fam = L_AF_NETLINK;

		memset(&m->addr, 0, sizeof(m->addr));
		memcpy(m->addr.name, &fam, 2);
		m->addr.len = NL_SOCKADDR_LEN;
		if (s->len > c)
			m->oflags |= L_MSG_TRUNC;
	}
	r = (flags & L_MSG_TRUNC) ? (ssize_t)s->len : (ssize_t)c;
	if (!(flags & L_MSG_PEEK)) {
		list_del(&s->link);
		n->rmem -= s->len;
		free(s);
	}
	return r;
}

static int nl_shutdown(struct task *t, struct file *f, int how)
{
	(void)t;
	(void)f;
	return how < 0 || how > 2 ? -EINVAL : 0;
}

/* getsockname: our port id and groups; getpeername: the destination. */
static int nl_getname(struct file *f, bool peer, struct sock_addr *out)
{
	struct nl_sock *n = nl_sk(f);
	uint16_t fam = L_AF_NETLINK;
	uint32_t pid = peer ? n->dst_portid : n->portid, groups = peer ? n->dst_groups : n->groups;

	memset(out, 0, sizeof(*out));
	memcpy(out->name, &fam, 2);
	memcpy(out->name + 4, &pid, 4);
	memcpy(out->name + 8, &groups, 4);
	out->len = NL_SOCKADDR_LEN;
	return 0;
}

/* setsockopt(2): SOL_SOCKET buffers and timeouts; SOL_NETLINK flags and
 * memberships (netlink_setsockopt).  Others -ENOPROTOOPT. */
static int nl_setsockopt(struct task *t, struct file *f, int level, int name, const void *val,
			 int len)
{
	struct nl_sock *n = nl_sk(f);
	int v;

	(void)t;
	if (level == L_SOL_SOCKET)
		return sock_sol_setsockopt(&n->sol, &n->sk, name, val, len);
	if (level != SOL_NETLINK_)
		return -ENOPROTOOPT;
	if (len < 4)
		return -EINVAL;
	if (!val)
		return -EFAULT;
	memcpy(&v, val, 4);
	switch (name) {
	case 1: /* NETLINK_ADD_MEMBERSHIP */
	case 2: /* NETLINK_DROP_MEMBERSHIP */
		if (v <= 0)
			return -EINVAL;
		if (v <= 32) {
			if (name == 1)
				n->groups |= 1U << (v - 1);
			else
				n->groups &= ~(1U << (v - 1));
		}
		autobind(n);
		return 0;
	case 3: n->pktinfo = v; return 0;
	case 4: n->broadcast_error = v; return 0;
	case 5: n->no_enobufs = v; return 0;
	case 8: n->listen_all_nsid = v; return 0;
	case 10: n->cap_ack = v; return 0;
	case 11: n->ext_ack = v; return 0;
	case 12: n->strict_chk = v; return 0;
	}
	return -ENOPROTOOPT;
}

static int nl_getsockopt(struct task *t, struct file *f, int level, int name, void *val, int *len)
{
	struct nl_sock *n = nl_sk(f);
	int v;

	(void)t;
	if (level == L_SOL_SOCKET) {
		return sock_sol_getsockopt(&n->sol, &n->sk, name, val, len);
	} else if (level == SOL_NETLINK_) {
		if (*len < 4)
			return -EINVAL;
		switch (name) {
		case 3: v = n->pktinfo; break;
		case 4: v = n->broadcast_error; break;
		case 5: v = n->no_enobufs; break;
		case 8: v = n->listen_all_nsid; break;
		case 9: v = n->groups; break;    /* NETLINK_LIST_MEMBERSHIPS */
		case 10: v = n->cap_ack; break;
		case 11: v = n->ext_ack; break;
		case 12: v = n->strict_chk; break;
		default: return -ENOPROTOOPT;
		}
	} else {
		return -ENOPROTOOPT;
	}
	if (*len > 4)
		*len = 4;
	memcpy(val, &v, 4);
	return 0;
}

static long nl_ioctl(struct task *t, struct file *f, unsigned int cmd, uint64_t arg)
{
	struct nl_sock *n = nl_sk(f);
	int v;

	if (cmd != L_FIONREAD)
		return -ENOIOCTLCMD;
	v = list_empty(&n->rxq) ? 0 : (int)list_entry(n->rxq.next, struct nl_skb, link)->len;
	return copy_to_user(t, arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static short nl_poll(struct file *f, struct poll_table *pt)
{
	struct nl_sock *n = nl_sk(f);
	short mask = POLLOUT | POLLWRNORM | POLLWRBAND;

	poll_wait(pt, &n->wq);
	if (!list_empty(&n->rxq))
		mask |= POLLIN | POLLRDNORM;
	if (n->sol.err)
		mask |= POLLERR;
	return mask;
}

static void nl_release(struct file *f)
{
	struct nl_sock *n = nl_sk(f);
	struct list_head *p, *q;

	list_for_each_safe(p, q, &n->rxq) {
		list_del(p);
		free(list_entry(p, struct nl_skb, link));
	}
	if (n->bound)
		list_del(&n->bound_link);
	if (n->hostfd >= 0)
		close(n->hostfd);
	wake_up(&n->wq);
	put_net_ns(n->net);
	free(n);
}

static const struct proto_ops netlink_ops = {
	.bind = nl_bind,
	.connect = nl_connect,
	.listen = nl_listen,
	.accept = nl_accept,
	.sendmsg = nl_sendmsg,
	.recvmsg = nl_recvmsg,
	.shutdown = nl_shutdown,
	.getname = nl_getname,
	.setsockopt = nl_setsockopt,
	.getsockopt = nl_getsockopt,
	.ioctl = nl_ioctl,
	.poll = nl_poll,
	.release = nl_release,
};
