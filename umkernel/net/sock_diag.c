/*
 * sock_diag.c - NETLINK_SOCK_DIAG: the socket listing ss(8) and other
 * monitoring tools ask the kernel for (Linux's net/core/sock_diag.c,
 * net/ipv4/inet_diag.c, tcp_diag.c, udp_diag.c, net/unix/diag.c; man 7
 * sock_diag).
 *
 * In a nutshell: a request (SOCK_DIAG_BY_FAMILY with struct
 * inet_diag_req_v2 or struct unix_diag_req, or the older TCPDIAG_GETSOCK
 * with struct inet_diag_req) is answered at once from the socket tables
 * of the asker's network namespace: inet.c and unix.c describe their
 * sockets (struct sock_diag_info), this file packs them into
 * inet_diag_msg and unix_diag_msg messages with the attributes asked for
 * (idiag_ext, udiag_show) in Linux's order.  A dump filters by state
 * (idiag_states, udiag_states) and by the request's ports where set, as
 * inet_diag_dump_icsk does; a single lookup finds one socket by its
 * addresses (inet) or inode (unix), checks the cookie (a socket's cookie
 * is its inode number here) and answers without NLM_F_MULTI.
 *
 * Not done: the filter bytecode of INET_DIAG_REQ_BYTECODE is accepted
 * and not run (ss filters again itself), SOCK_DESTROY is -EOPNOTSUPP (a
 * kernel without CONFIG_INET_DIAG_DESTROY), UDP-Lite and raw sockets
 * list nothing (umk has none), netlink and packet sockets have no
 * handler (-ENOENT, as Linux without netlink_diag and packet_diag),
 * TCP timers, retransmits and congestion state are an idle loopback
 * connection's (tcp_info carries the state only, as getsockopt
 * TCP_INFO), and there is no cgroup id.  In host mode (--net=host)
 * inet requests go to the host's own sock_diag (netlink.c relays them,
 * as /proc/net/tcp is the host's file there); unix ones stay ours.
 *
 * Locking: klock, held by the caller.
 */
#include "netlink.h"

#define SOCK_DIAG_BY_FAMILY_  20
#define TCPDIAG_GETSOCK_      18
#define DCCPDIAG_GETSOCK_     19
#define INET_DIAG_NOCOOKIE_   (~0U)
#define L_IPPROTO_RAW         255

/* inet_diag attributes (include/uapi/linux/inet_diag.h) */
enum { INET_DIAG_MEMINFO_ = 1, INET_DIAG_INFO_, INET_DIAG_VEGASINFO_, INET_DIAG_CONG_,
       INET_DIAG_TOS_, INET_DIAG_TCLASS_, INET_DIAG_SKMEMINFO_, INET_DIAG_SHUTDOWN_,
       INET_DIAG_SKV6ONLY_ = 11, INET_DIAG_CLASS_ID_ = 17, INET_DIAG_SOCKOPT_ = 22 };
/* unix_diag's udiag_show bits and attributes (include/uapi/linux/unix_diag.h) */
enum { UDIAG_SHOW_NAME_ = 1, UDIAG_SHOW_VFS_ = 2, UDIAG_SHOW_PEER_ = 4, UDIAG_SHOW_ICONS_ = 8,
       UDIAG_SHOW_RQLEN_ = 16, UDIAG_SHOW_MEMINFO_ = 32, UDIAG_SHOW_UID_ = 64 };
enum { UNIX_DIAG_NAME_, UNIX_DIAG_VFS_, UNIX_DIAG_PEER_, UNIX_DIAG_ICONS_, UNIX_DIAG_RQLEN_,
       UNIX_DIAG_MEMINFO_, UNIX_DIAG_SHUTDOWN_, UNIX_DIAG_UID_ };

struct inet_diag_sockid_ {
	uint16_t sport, dport;        /* network order */
	uint32_t src[4], dst[4];      /* network order */
	uint32_t ifindex;
	uint32_t cookie[2];
};
struct inet_diag_req_v2_ {
	uint8_t family, protocol, ext, pad;
	uint32_t states;
	struct inet_diag_sockid_ id;
};
struct inet_diag_req_v1_ {            /* struct inet_diag_req (TCPDIAG_GETSOCK) */
	uint8_t family, src_len, dst_len, ext;
	struct inet_diag_sockid_ id;
	uint32_t states, dbs;
};
struct inet_diag_msg_ {
	uint8_t family, state, timer, retrans;
	struct inet_diag_sockid_ id;
	uint32_t expires, rqueue, wqueue, uid, inode;
};
struct unix_diag_req_ {
	uint8_t family, protocol;
	uint16_t pad;
	uint32_t states, ino, show;
	uint32_t cookie[2];
};
struct unix_diag_msg_ {
	uint8_t family, type, state, pad;
	uint32_t ino;
	uint32_t cookie[2];
};

/* SK_MEMINFO_*: rmem_alloc, rcvbuf, wmem_alloc, sndbuf, fwd_alloc, wmem_queued, optmem,
 * backlog, drops (sock_diag_put_meminfo). */
static void put_meminfo(struct nlbuf *nb, uint16_t type, const struct sock_diag_info *d)
{
	uint32_t m[9] = { d->rmem, d->rcvbuf, d->wmem, d->sndbuf, 0, d->wmem, 0, 0, 0 };

	put_attr(nb, type, m, sizeof(m));
}

static void put_addr(uint32_t out[4], const uint8_t addr[16], int family)
{
	if (family == L_AF_INET)
		memcpy(&out[0], addr + 12, 4);
	else
		memcpy(out, addr, 16);
}

/* One inet_diag_msg for d (inet_sk_diag_fill and inet_diag_msg_attrs_fill). */
static void inet_fill(struct nlbuf *nb, const struct sock_diag_info *d, uint16_t type,
		      uint16_t flags, uint32_t seq, uint32_t portid, uint8_t ext)
{
	struct inet_diag_msg_ r;
	size_t off;

	memset(&r, 0, sizeof(r));
	r.family = d->family;
	r.state = d->state;
	r.id.sport = __builtin_bswap16(d->sport);
	r.id.dport = __builtin_bswap16(d->dport);
	put_addr(r.id.src, d->src, d->family);
	put_addr(r.id.dst, d->dst, d->family);
	r.id.cookie[0] = (uint32_t)d->ino;
	r.id.cookie[1] = (uint32_t)(d->ino >> 32);
	r.rqueue = d->rqueue;
	r.wqueue = d->wqueue;
	r.uid = d->uid;
	r.inode = (uint32_t)d->ino;
	off = msg_begin(nb, type, flags, seq, portid, &r, sizeof(r));
	put_u8(nb, INET_DIAG_SHUTDOWN_, (uint8_t)d->shutdown);
	if (ext & (1 << (INET_DIAG_TOS_ - 1)))
		put_u8(nb, INET_DIAG_TOS_, d->tos);
	if (d->family == L_AF_INET6) {
		if (ext & (1 << (INET_DIAG_TCLASS_ - 1)))
			put_u8(nb, INET_DIAG_TCLASS_, d->tclass);
		if (d->state == 10 || d->state == 7)    /* TCPF_LISTEN | TCPF_CLOSE */
			put_u8(nb, INET_DIAG_SKV6ONLY_, d->v6only);
	}
	if (ext & ((1 << (INET_DIAG_CLASS_ID_ - 1)) | (1 << (INET_DIAG_TCLASS_ - 1))))
		put_u32(nb, INET_DIAG_CLASS_ID_, 0);
	{
		uint8_t so[2] = {
			(uint8_t)(d->recverr | (d->protocol == L_IPPROTO_TCP) << 1 | d->freebind << 2 |
				  d->mc_loop << 4 | d->transparent << 5 | d->mc_all << 6 |
				  d->nodefrag << 7),
			(uint8_t)d->bind_no_port,
		};

		put_attr(nb, INET_DIAG_SOCKOPT_, so, sizeof(so));
	}
	if (ext & (1 << (INET_DIAG_MEMINFO_ - 1))) {
		uint32_t mi[4] = { d->rmem, d->wmem, 0, d->wmem };

		put_attr(nb, INET_DIAG_MEMINFO_, mi, sizeof(mi));
	}
	if (ext & (1 << (INET_DIAG_SKMEMINFO_ - 1)))
		put_meminfo(nb, INET_DIAG_SKMEMINFO_, d);
	if (d->protocol == L_IPPROTO_TCP) {
		if (ext & (1 << (INET_DIAG_INFO_ - 1))) {
			uint8_t info[232] = { 0 };   /* struct tcp_info: the state, as TCP_INFO */

			info[0] = (uint8_t)d->state;
			put_attr(nb, INET_DIAG_INFO_, info, sizeof(info));
		}
		if (ext & (1 << (INET_DIAG_CONG_ - 1)))
			put_attr(nb, INET_DIAG_CONG_, d->cong, strlen(d->cong) + 1);
	}
	msg_end(nb, off);
}

static bool addr_is(const uint8_t a[16], const uint32_t want[4], int family)
{
	uint32_t v[4] = { 0 };

	put_addr(v, a, family);
	return !memcmp(v, want, family == L_AF_INET ? 4 : 16);
}

static bool addr_any(const uint8_t a[16], int family)
{
	static const uint8_t zero[16];

	if (family == L_AF_INET)
		return !memcmp(a + 12, zero, 4);
	return !memcmp(a, zero, 16) || (a[10] == 0xff && a[11] == 0xff && !memcmp(a + 12, zero, 4) &&
					!memcmp(a, zero, 10));
}

/* The socket a single inet request names (inet_diag_find_one_icsk,
 * udp_dump_one: for UDP the request's src and dst are swapped), best
 * match first: a connection, then a listener or an unconnected socket. */
static const struct sock_diag_info *inet_find(const struct sock_diag_info *v, int n,
					      const struct inet_diag_sockid_ *id, bool udp)
{
	uint16_t lport = __builtin_bswap16(udp ? id->dport : id->sport);
	uint16_t rport = __builtin_bswap16(udp ? id->sport : id->dport);
	const uint32_t *laddr = udp ? id->dst : id->src, *raddr = udp ? id->src : id->dst;
	const struct sock_diag_info *best = NULL;

	for (int i = 0; i < n; i++) {
		const struct sock_diag_info *d = &v[i];

		if (d->sport != lport || !d->ino)
			continue;
		if (d->dport) {
			if (d->dport == rport && addr_is(d->src, laddr, d->family) &&
			    addr_is(d->dst, raddr, d->family))
				return d;
			continue;
		}
		if ((d->state == 10 || udp) && !best &&
		    (addr_any(d->src, d->family) || addr_is(d->src, laddr, d->family)))
			best = d;
	}
	return best;
}

static bool cookie_ok(const uint32_t cookie[2], uint64_t ino)
{
	if (cookie[0] == INET_DIAG_NOCOOKIE_ && cookie[1] == INET_DIAG_NOCOOKIE_)
		return true;
	return cookie[0] == (uint32_t)ino && cookie[1] == (uint32_t)(ino >> 32);
}

static int inet_request(struct net_namespace *net, const struct nlhdr *h, int family, int protocol,
			uint8_t ext, uint32_t states, const struct inet_diag_sockid_ *id,
			uint32_t portid, struct nlbuf *nb, bool dump)
{
	uint16_t type = h->type == TCPDIAG_GETSOCK_ ? TCPDIAG_GETSOCK_ : SOCK_DIAG_BY_FAMILY_;
	struct sock_diag_info *v;
	int n, err;

	if (family != L_AF_INET && family != L_AF_INET6)
		return -EINVAL;
	if (protocol == L_IPPROTO_UDPLITE || protocol == L_IPPROTO_RAW)
		return dump ? 0 : -ENOENT;
	if (protocol != L_IPPROTO_TCP && protocol != L_IPPROTO_UDP)
		return -ENOENT;
	err = inet_diag_list(net, family, protocol, &v, &n);
	if (err)
		return err;
	if (!dump) {
		const struct sock_diag_info *d = inet_find(v, n, id, protocol == L_IPPROTO_UDP);

		if (!d)
			err = -ENOENT;
		else if (!cookie_ok(id->cookie, d->ino))
			err = -ESTALE;
		else
			inet_fill(nb, d, type, 0, h->seq, portid, ext);
		free(v);
		return err;
	}
	for (int i = 0; i < n; i++) {
		const struct sock_diag_info *d = &v[i];

		if (!(states & (1U << d->state)))
			continue;
		if ((id->sport && __builtin_bswap16(id->sport) != d->sport) ||
		    (id->dport && __builtin_bswap16(id->dport) != d->dport))
			continue;
		inet_fill(nb, d, type, 0x2 /* NLM_F_MULTI */, h->seq, portid, ext);
	}
	free(v);
	return 0;
}

/* One unix_diag_msg for d (net/unix/diag.c sk_diag_fill). */
static void unix_fill(struct nlbuf *nb, const struct sock_diag_info *d, uint16_t flags,
		      uint32_t seq, uint32_t portid, uint32_t show)
{
	struct unix_diag_msg_ r = { (uint8_t)L_AF_UNIX, (uint8_t)d->type, (uint8_t)d->state, 0,
				    (uint32_t)d->ino, { (uint32_t)d->ino, (uint32_t)(d->ino >> 32) } };
	size_t off = msg_begin(nb, SOCK_DIAG_BY_FAMILY_, flags, seq, portid, &r, sizeof(r));

	if ((show & UDIAG_SHOW_NAME_) && d->namelen)
		put_attr(nb, UNIX_DIAG_NAME_, d->name, d->namelen);
	if ((show & UDIAG_SHOW_VFS_) && d->vfs_ino) {
		uint32_t vfs[2] = { (uint32_t)d->vfs_ino, (uint32_t)d->vfs_dev };

		put_attr(nb, UNIX_DIAG_VFS_, vfs, sizeof(vfs));
	}
	if ((show & UDIAG_SHOW_PEER_) && d->peer_ino)
		put_u32(nb, UNIX_DIAG_PEER_, (uint32_t)d->peer_ino);
	if ((show & UDIAG_SHOW_ICONS_) && d->state == 10) {
		uint32_t *ic = calloc(d->nicons ? d->nicons : 1, 4);

		if (!ic) {
			nb->oom = true;
		} else {
			for (int i = 0; i < d->nicons; i++)
				ic[i] = (uint32_t)d->icons[i];
			put_attr(nb, UNIX_DIAG_ICONS_, ic, 4 * (size_t)d->nicons);
			free(ic);
		}
	}
	if (show & UDIAG_SHOW_RQLEN_) {
		uint32_t q[2] = { d->rqueue, d->wqueue };

		put_attr(nb, UNIX_DIAG_RQLEN_, q, sizeof(q));
	}
	if (show & UDIAG_SHOW_MEMINFO_)
		put_meminfo(nb, UNIX_DIAG_MEMINFO_, d);
	put_u8(nb, UNIX_DIAG_SHUTDOWN_, (uint8_t)d->shutdown);
	if (show & UDIAG_SHOW_UID_)
		put_u32(nb, UNIX_DIAG_UID_, d->uid);
	msg_end(nb, off);
}

static int unix_request(struct net_namespace *net, const struct nlhdr *h, uint32_t portid,
			struct nlbuf *nb, bool dump)
{
	struct unix_diag_req_ req;
	struct sock_diag_info *v;
	int n, err;

	if (h->len < sizeof(*h) + sizeof(req))
		return -EINVAL;
	memcpy(&req, (const char *)h + sizeof(*h), sizeof(req));
	err = unix_diag_list(net, &v, &n);
	if (err)
		return err;
	if (!dump)
		err = -ENOENT;
	for (int i = 0; i < n; i++) {
		const struct sock_diag_info *d = &v[i];

		if (dump) {
			if (req.states & (1U << d->state))
				unix_fill(nb, d, 0x2 /* NLM_F_MULTI */, h->seq, portid, req.show);
		} else if (req.ino && d->ino == req.ino) {
			err = cookie_ok(req.cookie, d->ino) ? 0 : -ESTALE;
			if (!err)
				unix_fill(nb, d, 0, h->seq, portid, req.show);
			break;
		}
	}
	for (int i = 0; i < n; i++)
		free(v[i].icons);
	free(v);
	return err;
}

/* sock_diag_request - see netlink.h. */
int sock_diag_request(struct net_namespace *net, const struct nlhdr *h, uint32_t portid,
		      struct nlbuf *nb, bool *dump)
{
	const char *body = (const char *)h + sizeof(*h);
	size_t len = h->len - sizeof(*h);

	*dump = (h->flags & 0x300) == 0x300;    /* NLM_F_DUMP */
	switch (h->type) {
	case TCPDIAG_GETSOCK_:
	case DCCPDIAG_GETSOCK_: {
		struct inet_diag_req_v1_ r;

		if (len < sizeof(r))
			return -EINVAL;
		memcpy(&r, body, sizeof(r));
		if (h->type == DCCPDIAG_GETSOCK_)
			return -ENOENT;          /* no DCCP */
		return inet_request(net, h, r.family, L_IPPROTO_TCP, r.ext, r.states, &r.id, portid, nb,
				    *dump);
	}
	case SOCK_DIAG_BY_FAMILY_: {
		struct inet_diag_req_v2_ r;

		if (len < 1)
			return -EINVAL;
		if ((uint8_t)body[0] >= L_AF_MAX)
			return -EINVAL;
		if (body[0] == L_AF_UNIX)
			return unix_request(net, h, portid, nb, *dump);
		if (body[0] != L_AF_INET && body[0] != L_AF_INET6)
			return -ENOENT;          /* no handler for the family */
		if (len < sizeof(r))
			return -EINVAL;
		memcpy(&r, body, sizeof(r));
		return inet_request(net, h, r.family, r.protocol, r.ext, r.states, &r.id, portid, nb,
				    *dump);
	}
	case 21: /* SOCK_DESTROY */
		return -EOPNOTSUPP;
	default:
		return -EINVAL;
	}
}
