/*
 * packet.c - AF_PACKET sockets on the guest's own interfaces (Linux's
 * net/packet/af_packet.c, as far as a network without frames allows).
 *
 * In a nutshell: the guest's loopback carries no link-layer frames
 * (inet_stream.c and inet_dgram.c move bytes from socket to socket), so
 * a packet socket sees no traffic: what it sends is checked as Linux's
 * packet_snd checks it (the device, up, the MTU), counted on lo and
 * dropped; it never has anything to receive.  What it has is Linux's
 * control surface, exactly: creation (CAP_NET_RAW over the network
 * namespace), bind to a device of the namespace, getsockname's
 * sockaddr_ll, SOL_PACKET options (PACKET_VERSION, PACKET_RESERVE,
 * PACKET_VNET_HDR, the RX and TX rings with packet_set_ring's checks,
 * the flag options, PACKET_STATISTICS) and the interface
 * ioctls every socket answers.  A ring is checked and recorded, not
 * allocated: mmap of a packet socket is ENODEV.  In host mode's initial
 * namespace the interfaces are the host's: creation is EPERM there (a
 * guest must not see the host's frames).
 *
 * Locking: klock, held by the caller.
 */
#include "../kernel.h"
#include "../fs/fs.h"
#include "net.h"
#include "netdev.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>

#define CAP_NET_RAW_      13
#define SOCKADDR_LL_LEN   20          /* struct sockaddr_ll */
#define SLL_ADDR_OFF      12          /* offsetof(struct sockaddr_ll, sll_addr) */
#define ETH_HLEN_         14          /* lo's hard_header_len */
#define VLAN_HLEN_        4

/* linux/if_packet.h */
enum {
	PACKET_ADD_MEMBERSHIP_ = 1, PACKET_DROP_MEMBERSHIP_ = 2, PACKET_RX_RING_ = 5,
	PACKET_STATISTICS_ = 6, PACKET_COPY_THRESH_ = 7, PACKET_AUXDATA_ = 8,
	PACKET_ORIGDEV_ = 9, PACKET_VERSION_ = 10, PACKET_HDRLEN_ = 11, PACKET_RESERVE_ = 12,
	PACKET_TX_RING_ = 13, PACKET_LOSS_ = 14, PACKET_VNET_HDR_ = 15,
	PACKET_TX_TIMESTAMP_ = 16, PACKET_TIMESTAMP_ = 17, PACKET_FANOUT_ = 18,
	PACKET_TX_HAS_OFF_ = 19, PACKET_QDISC_BYPASS_ = 20, PACKET_IGNORE_OUTGOING_ = 23,
	PACKET_VNET_HDR_SZ_ = 24,
};
enum { TPACKET_V1_ = 0, TPACKET_V2_ = 1, TPACKET_V3_ = 2 };
#define SOL_PACKET_       263
#define TPACKET_ALIGNMENT 16
#define BLK_HDR_LEN       48          /* ALIGN(sizeof(struct tpacket_block_desc), 8) */
#define VIRTIO_NET_HDR    10
#define RING_MAX_BYTES    (16ULL << 30) /* past this, alloc_pg_vec's ENOMEM */

/* struct tpacket_req3 (tpacket_req is its first four fields) */
struct tp_req {
	uint32_t block_size, block_nr, frame_size, frame_nr;
	uint32_t retire_blk_tov, sizeof_priv, feature_req_word;
};

struct packet_sock {
	struct socket sk;             /* first: the file's priv */
	struct net_namespace *net;    /* referenced */
	uint16_t num;                 /* protocol, network order */
	int ifindex;                  /* bound device, 0: any */
	int version, reserve, vnet_hdr_sz;
	bool rx_ring, tx_ring;        /* a ring was set up (never allocated) */
	int flags[PACKET_VNET_HDR_SZ_ + 1];  /* the plain int options, as set */
	struct sock_sol sol;          /* buffers, SO_ERROR, timeouts */
	struct wait_queue wq;
};

static const struct proto_ops packet_ops;

static struct packet_sock *pkt_sk(struct file *f)
{
	return (struct packet_sock *)f->priv;
}

/* A device of the socket's namespace by index (NULL: none). */
static struct nd_if *pkt_dev(struct packet_sock *p, int ifindex)
{
	int n;
	struct nd_if *t;

	if (p->net != &init_net_ns) {
		t = netdev_lo(p->net);
		return t && t->index == ifindex ? t : NULL;
	}
	t = netdev_ifs(&n);
	for (int i = 0; i < n; i++)
		if (t[i].index == ifindex)
			return &t[i];
	return NULL;
}

/*
 * packet_create - socket(AF_PACKET, type, protocol) (Linux's
 * packet_create): -EPERM without CAP_NET_RAW over the caller's network
 * namespace (and in host mode's initial one), -ESOCKTNOSUPPORT for a
 * type but SOCK_RAW and SOCK_DGRAM (SOCK_PACKET is not kept).
 * protocol is an ethertype in network order, as Linux takes it.
 */
int packet_create(int type, int protocol, int flags, struct file **out)
{
	struct net_namespace *net = current_net();
	struct packet_sock *p;

	*out = NULL;
	if (!current || !ns_capable(current, net->user_ns, CAP_NET_RAW_) ||
	    net_mode_of(net) == NET_HOST)
		return -EPERM;
	if (type != L_SOCK_RAW && type != L_SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->num = (uint16_t)protocol;
	p->sol.sndbuf = p->sol.rcvbuf = SOCK_MEM_MAX;
	waitq_init(&p->wq);
	p->net = net;
	net->refs++;
	/* sk_protocol stays 0 as packet_create leaves it (SO_PROTOCOL reads 0):
	 * the ethertype lives in num */
	*out = sock_file_alloc(&p->sk, &packet_ops, L_AF_PACKET, type, 0, flags);
	if (!*out) {
		put_net_ns(net);
		free(p);
		return -ENOMEM;
	}
	return 0;
}

/* bind(2) to a struct sockaddr_ll: -EINVAL short or of another family,
 * -ENODEV for a device the namespace lacks; ifindex 0: every device.  A
 * device that is down leaves ENETDOWN pending (packet_do_bind). */
static int pkt_bind(struct task *t, struct file *f, const struct sock_addr *a)
{
	struct packet_sock *p = pkt_sk(f);
	struct nd_if *d = NULL;
	uint16_t fam, proto;
	int32_t ifindex;

	(void)t;
	if (a->len < SOCKADDR_LL_LEN)
		return -EINVAL;
	memcpy(&fam, a->name, 2);
	memcpy(&proto, a->name + 2, 2);
	memcpy(&ifindex, a->name + 4, 4);
	if (fam != L_AF_PACKET)
		return -EINVAL;
	if (ifindex && !(d = pkt_dev(p, ifindex)))
		return -ENODEV;
	if (d && !(d->flags & ND_IFF_UP))
		p->sol.err = ENETDOWN;
	p->ifindex = ifindex;
	if (proto)
		p->num = proto;
	return 0;
}

static int pkt_connect(struct task *t, struct file *f, const struct sock_addr *a)
{
	(void)t, (void)f, (void)a;
	return -EOPNOTSUPP;
}

static int pkt_listen(struct task *t, struct file *f, int backlog)
{
	(void)t, (void)f, (void)backlog;
	return -EOPNOTSUPP;
}

static int pkt_accept(struct task *t, struct file *f, int flags, struct file **out,
		      struct sock_addr *peer)
{
	(void)t, (void)f, (void)flags, (void)peer;
	*out = NULL;
	return -EOPNOTSUPP;
}

/*
 * sendmsg(2) (Linux's packet_snd): to the sockaddr_ll given, else the
 * bound device.  -EINVAL for a short address, -ENXIO without a device,
 * -ENETDOWN if it is down, -EMSGSIZE past its MTU (plus the link header
 * for SOCK_RAW, and a VLAN tag's room), the pending error, -EFAULT;
 * else the length: the
 * frame is counted on the device and goes nowhere.
 */
static ssize_t pkt_sendmsg(struct task *t, struct file *f, struct sock_iter *it, int flags,
			   struct sock_msg *m)
{
	struct packet_sock *p = pkt_sk(f);
	size_t len = it->count, reserve = p->sk.type == L_SOCK_RAW ? ETH_HLEN_ : 0;
	int ifindex = p->ifindex;
	struct nd_if *d;
	char *buf;

	(void)t, (void)flags;
	if (m && m->addr.len) {
		uint8_t halen;

		if (m->addr.len < SOCKADDR_LL_LEN)
			return -EINVAL;
		halen = (uint8_t)m->addr.name[11];
		if (m->addr.len < SLL_ADDR_OFF + halen)
			return -EINVAL;
		memcpy(&ifindex, m->addr.name + 4, 4);
	}
	d = ifindex ? pkt_dev(p, ifindex) : NULL;
	if (!d)
		return -ENXIO;
	if (!(d->flags & ND_IFF_UP))
		return -ENETDOWN;
	if (len > (size_t)d->mtu + reserve + VLAN_HLEN_ + (size_t)p->vnet_hdr_sz)
		return -EMSGSIZE;
	if (p->sol.err) {               /* sock_alloc_send_skb's sock_error */
		int err = -p->sol.err;

		p->sol.err = 0;
		return err;
	}
	buf = malloc(len ? len : 1);
	if (!buf)
		return -ENOMEM;
	if (len && iter_from(it, buf, len) != (ssize_t)len) {
		free(buf);
		return -EFAULT;
	}
	free(buf);
	if (d->index == 1)
		netdev_lo_count(len);
	return len;
}

/* recvmsg(2): nothing ever arrives: the pending error, or -EAGAIN
 * non-blocking or after SO_RCVTIMEO. */
static ssize_t pkt_recvmsg(struct task *t, struct file *f, struct sock_iter *it, int flags,
			   struct sock_msg *m)
{
	struct packet_sock *p = pkt_sk(f);
	uint64_t deadline = sock_deadline(p->sol.rcvtimeo);
	int err;

	(void)it, (void)m;
	if (flags & L_MSG_ERRQUEUE)
		return -EAGAIN;
	for (;;) {
		if (p->sol.err) {
			err = -p->sol.err;
			p->sol.err = 0;
			return err;
		}
		if ((flags & L_MSG_DONTWAIT) || (f->flags & O_NONBLOCK))
			return -EAGAIN;
		err = sock_wait(t, &p->wq, deadline);
		if (err)
			return err;
	}
}

static int pkt_shutdown(struct task *t, struct file *f, int how)
{
	(void)t, (void)f, (void)how;
	return -EOPNOTSUPP;
}

/* getsockname: the sockaddr_ll of the binding (packet_getname); peer: -EOPNOTSUPP. */
static int pkt_getname(struct file *f, bool peer, struct sock_addr *out)
{
	struct packet_sock *p = pkt_sk(f);
	struct nd_if *d = p->ifindex ? pkt_dev(p, p->ifindex) : NULL;
	uint16_t fam = L_AF_PACKET, hatype = d ? (uint16_t)d->type : 0;

	if (peer)
		return -EOPNOTSUPP;
	memset(out, 0, sizeof(*out));
	memcpy(out->name, &fam, 2);
	memcpy(out->name + 2, &p->num, 2);
	memcpy(out->name + 4, &p->ifindex, 4);
	memcpy(out->name + 8, &hatype, 2);
	out->name[11] = d ? 6 : 0;
	if (d)
		memcpy(out->name + SLL_ADDR_OFF, d->mac, 6);
	out->len = SLL_ADDR_OFF + (d ? 6 : 0);
	return 0;
}

/* A frame's header for a version (TPACKET_HDRLEN, TPACKET2_HDRLEN, TPACKET3_HDRLEN). */
static int tp_hdrlen(int version)
{
	return version == TPACKET_V3_ ? 68 : 52;
}

/*
 * PACKET_RX_RING / PACKET_TX_RING (Linux's packet_set_ring): a
 * tpacket_req (V1, V2) or tpacket_req3 (V3) of len bytes.  tp_block_nr
 * 0 takes the ring down (-EINVAL if tp_frame_nr is not 0 then); else
 * -EBUSY if there is one, -EINVAL for a block size not a positive
 * multiple of the page, frames smaller than the header plus
 * PACKET_RESERVE or not 16-aligned, a V3 block too small for its
 * private area, a frame count that is not frames-per-block times
 * blocks, V3 block options on a TX ring; -ENOMEM past what could be
 * allocated.
 */
static int set_ring(struct packet_sock *p, bool tx, const void *val, int len)
{
	size_t need = p->version == TPACKET_V3_ ? 28 : 16;
	bool *ring = tx ? &p->tx_ring : &p->rx_ring;
	struct tp_req r = { 0 };
	uint64_t min_frame, fpb;

	if (len < (int)need)
		return -EINVAL;
	if (!val)
		return -EFAULT;
	memcpy(&r, val, need);
	if (!r.block_nr) {
		if (r.frame_nr)
			return -EINVAL;
		*ring = false;
		return 0;
	}
	if (*ring)
		return -EBUSY;
	if ((int)r.block_size <= 0 || r.block_size % 4096)
		return -EINVAL;
	min_frame = (uint64_t)tp_hdrlen(p->version) + (uint64_t)p->reserve;
	if (p->version == TPACKET_V3_ &&
	    r.block_size < BLK_HDR_LEN + (((uint64_t)r.sizeof_priv + 7) & ~7ULL) + min_frame)
		return -EINVAL;
	if (r.frame_size < min_frame || (r.frame_size & (TPACKET_ALIGNMENT - 1)))
		return -EINVAL;
	fpb = r.block_size / r.frame_size;
	if (!fpb || fpb > 0xffffffffULL / r.block_nr || fpb * r.block_nr != r.frame_nr)
		return -EINVAL;
	if ((uint64_t)r.block_size * r.block_nr > RING_MAX_BYTES)
		return -ENOMEM;
	if (tx && p->version == TPACKET_V3_ &&
	    (r.retire_blk_tov || r.sizeof_priv || r.feature_req_word))
		return -EINVAL;
	*ring = true;
	return 0;
}

/*
 * setsockopt(2) (Linux's packet_setsockopt): SOL_SOCKET as sock_sol_setsockopt;
 * SOL_PACKET: PACKET_VERSION (V1..V3, else -EINVAL), PACKET_RESERVE (at
 * most INT_MAX), PACKET_VNET_HDR (SOCK_RAW only) -EBUSY while a ring is
 * set up; the rings (set_ring); memberships (a packet_mreq) and the
 * flag options kept; PACKET_FANOUT and others -ENOPROTOOPT.
 */
static int pkt_setsockopt(struct task *t, struct file *f, int level, int name, const void *val,
			  int len)
{
	struct packet_sock *p = pkt_sk(f);
	bool busy = p->rx_ring || p->tx_ring;
	int v;

	(void)t;
	if (level == L_SOL_SOCKET)
		return sock_sol_setsockopt(&p->sol, &p->sk, name, val, len);
	if (level != SOL_PACKET_)
		return -ENOPROTOOPT;
	switch (name) {
	case PACKET_RX_RING_:
	case PACKET_TX_RING_:
		return set_ring(p, name == PACKET_TX_RING_, val, len);
	case PACKET_ADD_MEMBERSHIP_:
	case PACKET_DROP_MEMBERSHIP_: {
		int32_t ifindex;

		if (len < 8)            /* packet_mreq up to mr_alen */
			return -EINVAL;
		if (!val)
			return -EFAULT;
		memcpy(&ifindex, val, 4);
		return pkt_dev(p, ifindex) ? 0 : -ENODEV;
	}
	case PACKET_VERSION_:
	case PACKET_RESERVE_:
		if (len != (int)sizeof(int))
			return -EINVAL;
		break;
	case PACKET_VNET_HDR_:
	case PACKET_VNET_HDR_SZ_:
		if (p->sk.type != L_SOCK_RAW)
			return -EINVAL;
		/* fall through */
	case PACKET_COPY_THRESH_: case PACKET_AUXDATA_: case PACKET_ORIGDEV_:
	case PACKET_LOSS_: case PACKET_TX_TIMESTAMP_: case PACKET_TIMESTAMP_:
	case PACKET_TX_HAS_OFF_: case PACKET_QDISC_BYPASS_: case PACKET_IGNORE_OUTGOING_:
		if (len < (int)sizeof(int))
			return -EINVAL;
		break;
	default:
		return -ENOPROTOOPT;
	}
	if (!val)
		return -EFAULT;
	memcpy(&v, val, sizeof(v));
	switch (name) {
	case PACKET_VERSION_:
		if (v != TPACKET_V1_ && v != TPACKET_V2_ && v != TPACKET_V3_)
			return -EINVAL;
		if (busy)
			return -EBUSY;
		p->version = v;
		return 0;
	case PACKET_RESERVE_:
		if ((unsigned int)v > 0x7fffffff)
			return -EINVAL;
		if (busy)
			return -EBUSY;
		p->reserve = v;
		return 0;
	case PACKET_VNET_HDR_:
		if (busy)
			return -EBUSY;
		p->vnet_hdr_sz = v ? VIRTIO_NET_HDR : 0;
		return 0;
	case PACKET_VNET_HDR_SZ_:
		if (v != 0 && v != 10 && v != 12 && v != 20)
			return -EINVAL;
		if (busy)
			return -EBUSY;
		p->vnet_hdr_sz = v;
		return 0;
	case PACKET_TX_HAS_OFF_:
	case PACKET_LOSS_:
		if (busy)
			return -EBUSY;
		break;
	}
	p->flags[name] = v;
	return 0;
}

/* getsockopt(2): SOL_SOCKET's usual ones; SOL_PACKET's as set,
 * PACKET_STATISTICS all zero (nothing received).  PACKET_HDRLEN, which
 * reads its version from the value buffer, is -ENOPROTOOPT (the buffer
 * is not read in). */
static int pkt_getsockopt(struct task *t, struct file *f, int level, int name, void *val, int *len)
{
	struct packet_sock *p = pkt_sk(f);
	int v, lv = sizeof(int);
	uint32_t stats[3] = { 0, 0, 0 };

	(void)t;
	if (level == L_SOL_SOCKET) {
		return sock_sol_getsockopt(&p->sol, &p->sk, name, val, len);
	} else if (level != SOL_PACKET_) {
		return -ENOPROTOOPT;
	} else {
		switch (name) {
		case PACKET_STATISTICS_:
			lv = p->version == TPACKET_V3_ ? 12 : 8;
			if (*len > lv)
				*len = lv;
			memcpy(val, stats, *len);
			return 0;
		case PACKET_VERSION_: v = p->version; break;
		case PACKET_RESERVE_: v = p->reserve; break;
		case PACKET_VNET_HDR_: v = p->vnet_hdr_sz != 0; break;
		case PACKET_VNET_HDR_SZ_: v = p->vnet_hdr_sz; break;
		case PACKET_COPY_THRESH_: case PACKET_AUXDATA_: case PACKET_ORIGDEV_:
		case PACKET_LOSS_: case PACKET_TX_TIMESTAMP_: case PACKET_TIMESTAMP_:
		case PACKET_TX_HAS_OFF_: case PACKET_QDISC_BYPASS_: case PACKET_IGNORE_OUTGOING_:
			v = p->flags[name];
			break;
		default:
			return -ENOPROTOOPT;
		}
	}
	if (*len > lv)
		*len = lv;
	memcpy(val, &v, *len);
	return 0;
}

/* FIONREAD (SIOCINQ): nothing queued, ever; the interface ioctls follow. */
static long pkt_ioctl(struct task *t, struct file *f, unsigned int cmd, uint64_t arg)
{
	int v = 0;

	(void)f;
	if (cmd != L_FIONREAD)
		return -ENOIOCTLCMD;
	return copy_to_user(t, arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static short pkt_poll(struct file *f, struct poll_table *pt)
{
	struct packet_sock *p = pkt_sk(f);

	poll_wait(pt, &p->wq);
	return POLLOUT | POLLWRNORM | POLLWRBAND | (p->sol.err ? POLLERR : 0);
}

static void pkt_release(struct file *f)
{
	struct packet_sock *p = pkt_sk(f);

	wake_up(&p->wq);
	put_net_ns(p->net);
	free(p);
}

static const struct proto_ops packet_ops = {
	.bind = pkt_bind,
	.connect = pkt_connect,
	.listen = pkt_listen,
	.accept = pkt_accept,
	.sendmsg = pkt_sendmsg,
	.recvmsg = pkt_recvmsg,
	.shutdown = pkt_shutdown,
	.getname = pkt_getname,
	.setsockopt = pkt_setsockopt,
	.getsockopt = pkt_getsockopt,
	.ioctl = pkt_ioctl,
	.poll = pkt_poll,
	.release = pkt_release,
};
