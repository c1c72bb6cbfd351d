/*
 * tun.c - /dev/net/tun (char 10:200): TUN and TAP devices of umk's own,
 * as Linux's drivers/net/tun.c makes them.
 *
 * In a nutshell: an open of /dev/net/tun is a queue file, attached to
 * nothing until TUNSETIFF names or makes a device (IFF_TUN or IFF_TAP,
 * "%d" names, IFF_NO_PI, IFF_VNET_HDR, IFF_MULTI_QUEUE, IFF_NAPI...).
 * The device is an interface of the caller's network namespace
 * (netdev.c's table: SIOCGIF*, SIOCSIFFLAGS, rtnetlink and `ip link`
 * see it, brought up and down as any) and goes with the last queue's
 * close unless TUNSETPERSIST kept it.  TUNGETIFF, TUNSETOWNER/GROUP
 * (who may attach without CAP_NET_ADMIN), TUNSETLINK, TUNGET/SETSNDBUF,
 * TUNGET/SETVNETHDRSZ, TUNGETFEATURES as Linux 6.18 answers them.
 *
 * Only a network namespace of the guest's own making may hold one (the
 * initial namespace's interfaces are fixed: EPERM there, as every
 * change to them is): a device is never a host interface, and no host
 * TUN device is ever opened, so nothing a guest writes to one leaves
 * umk.  Frames sent out the device (packet sockets bound to it,
 * packet.c: tun_xmit) wait in its queue for a reader, with the PI
 * header unless IFF_NO_PI, up to txqlen of them.  umk's network stack
 * works at the socket level and has no IP packet layer, so nothing is
 * routed to the device by address; a packet written to the queue is
 * checked as Linux's tun_get_user checks it (PI header, IP version,
 * Ethernet header length, vnet header), counted in the interface's rx
 * statistics and given to the packet sockets bound to the device (or to
 * every device) for its protocol (packet.c: packet_rcv), which is all
 * of the stack that takes it: no IP socket receives it.
 *
 * Locking: klock, held by the callers (file ops and ioctls).
 */
#include "../kernel.h"
#include "net.h"
#include "netdev.h"
#include "../fs/fs.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>


#define TUN_FEATURES_ (IFF_NO_PI | IFF_ONE_QUEUE | IFF_VNET_HDR | IFF_MULTI_QUEUE | IFF_NAPI | \
		       IFF_NAPI_FRAGS)
#define TUNGETFEATURES_VAL (IFF_TUN | IFF_TAP | IFF_NO_CARRIER | TUN_FEATURES_)
#define IFREQ_LEN 40
#define ARPHRD_NONE_ 65534
#define ARPHRD_ETHER_ 1
#define ND_IFF_POINTOPOINT 0x10
#define ND_IFF_NOARP 0x80

/* A frame sent out the device, waiting for a reader. */
struct tun_pkt {
	struct tun_pkt *next;
	uint16_t proto;               /* ethertype, network order */
	size_t len;
	unsigned char data[];
};

/* A device (the interface's tun pointer). */
struct tun_dev {
	struct tun_pkt *head, **tail; /* the frames sent out, for the queues' readers */
	int qlen;
	struct wait_queue wq;         /* the queues' readers and pollers */
	struct net_namespace *ns;     /* the namespace it lives in (no reference) */
	int index;                    /* its interface */
	unsigned int flags;           /* IFF_TUN or IFF_TAP, TUN_FEATURES_, IFF_PERSIST */
	int queues;                   /* files attached */
	int64_t owner, group;         /* -1: none */
	int sndbuf, vnet_hdr_sz;
};

/* An open /dev/net/tun. */
struct tun_file {
	struct net_namespace *ns;     /* the opener's (a reference) */
	struct tun_dev *dev;          /* attached to, or NULL */
	struct kstat node;
};

static struct nd_if *dev_if(struct tun_dev *d)
{
	return netdev_find(d->ns, d->index);
}

/* The device goes: its interface leaves the table. */
static void tun_free(struct tun_dev *d)
{
	netdev_del(d->ns, d->index);
	tun_dev_free(d);
}

/* tun_dev_free - the namespace holding the device goes (netdev.c): a
 * persistent device with no queue left (a queue holds the namespace). */
void tun_dev_free(void *tun)
{
	struct tun_dev *d = tun;

	while (d->head) {
		struct tun_pkt *k = d->head;

		d->head = k->next;
		free(k);
	}
	free(d);
}

/* tun_xmit - see netdev.h (tun_net_xmit: dropped, as Linux drops, when
 * no queue is attached or txqlen frames wait). */
int tun_xmit(struct nd_if *nd, const void *frame, size_t len, uint16_t proto)
{
	struct tun_dev *d = nd->tun;
	struct tun_pkt *k;

	if (!d->queues || d->qlen >= nd->txqlen) {
		nd->tx_dropped++;
		return 0;
	}
	k = malloc(sizeof(*k) + len);
	if (!k)
		return -ENOBUFS;
	k->next = NULL;
	k->proto = proto;
	k->len = len;
	memcpy(k->data, frame, len);
	*d->tail = k;
	d->tail = &k->next;
	d->qlen++;
	nd->tx_packets++;
	nd->tx_bytes += len;
	wake_up(&d->wq);
	return 0;
}

/* tun_set_up - SIOCSIFFLAGS / RTM_NEWLINK's IFF_UP on a device. */
void tun_set_up(struct nd_if *d, bool up)
{
	if (up) {
		d->flags |= ND_IFF_UP | ND_IFF_RUNNING | ND_IFF_LOWER_UP;
		d->qdisc = "pfifo_fast";
		d->operstate = 0;      /* IF_OPER_UNKNOWN, as a tun shows */
	} else {
		d->flags &= ~(ND_IFF_UP | ND_IFF_RUNNING | ND_IFF_LOWER_UP);
		d->qdisc = "noop";
		d->operstate = 2;      /* IF_OPER_DOWN */
	}
}

/* dev_valid_name, with one "%d" allowed (dev_alloc_name's pattern). */
static bool valid_name(const char *name)
{
	const char *pct;

	if (!*name || strlen(name) >= 16 || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (const char *p = name; *p; p++)
		if (*p == '/' || *p == ':' || *p == ' ' || (*p >= '\t' && *p <= '\r'))
			return false;
	pct = strchr(name, '%');
	if (pct && (pct[1] != 'd' || strchr(pct + 2, '%')))
		return false;
	return true;
}

/* name with "%d" made the lowest free number (dev_alloc_name); -ENFILE. */
static int alloc_name(struct net_namespace *ns, const char *pattern, char *out)
{
	const char *pct = strchr(pattern, '%');

	if (!pct) {
		strcpy(out, pattern);
		return 0;
	}
	for (int i = 0; i < 32768; i++) {
		char nm[64];

		snprintf(nm, sizeof nm, "%.*s%d%s", (int)(pct - pattern), pattern, i, pct + 2);
		if (strlen(nm) >= 16)
			return -EINVAL;
		if (!netdev_find_name(ns, nm)) {
			strcpy(out, nm);
			return 0;
		}
	}
	return -ENFILE;
}

/* tun_not_capable: the owner, a member of the group, or CAP_NET_ADMIN. */
static bool not_capable(struct task *t, struct tun_dev *d)
{
	if ((d->owner >= 0 && t->cred.euid == (uint32_t)d->owner) ||
	    (d->group >= 0 && in_group_p(t, (uint32_t)d->group)))
		return false;
	return !ns_capable(t, d->ns->user_ns, CAP_NET_ADMIN);
}

/* TUNSETIFF (tun_set_iff): attach tf to the device named in ifr, or make it. */
static long set_iff(struct task *t, struct tun_file *tf, char *ifr)
{
	int16_t fl16;
	unsigned int fl;
	struct nd_if *d, nd;
	struct tun_dev *dev;
	char name[16];
	int idx, err;

	memcpy(&fl16, ifr + 16, 2);
	fl = (uint16_t)fl16;
	ifr[15] = 0;
	if (fl & IFF_NAPI_FRAGS) {
		if (!ns_capable(t, tf->ns->user_ns, CAP_NET_ADMIN))
			return -EPERM;
		if (!(fl & IFF_NAPI) || (fl & TUN_TYPE_MASK) != IFF_TAP)
			return -EINVAL;
	}
	d = *ifr ? netdev_find_name(tf->ns, ifr) : NULL;
	if (d) {
		if (fl & IFF_TUN_EXCL)
			return -EBUSY;
		dev = d->tun;
		if (!dev || !(((fl & IFF_TUN) && (dev->flags & IFF_TUN)) ||
			      (!(fl & IFF_TUN) && (fl & IFF_TAP) && (dev->flags & IFF_TAP))))
			return -EINVAL;
		if (!!(fl & IFF_MULTI_QUEUE) != !!(dev->flags & IFF_MULTI_QUEUE))
			return -EINVAL;
		if (not_capable(t, dev))
			return -EPERM;
		if (!(dev->flags & IFF_MULTI_QUEUE) && dev->queues >= 1)
			return -EBUSY;
		dev->queues++;
		tf->dev = dev;
		if (dev->queues == 1)
			dev->flags = (dev->flags & ~TUN_FEATURES_) | (fl & TUN_FEATURES_);
		return 0;
	}
	if (!(fl & TUN_TYPE_MASK))
		return -EINVAL;
	if (!ns_capable(t, tf->ns->user_ns, CAP_NET_ADMIN))
		return -EPERM;
	if (tf->ns == &init_net_ns)
		return -EPERM;          /* the initial namespace's interfaces are fixed */
	if (*ifr && !valid_name(ifr))
		return -EINVAL;
	err = alloc_name(tf->ns, *ifr ? ifr : (fl & IFF_TUN) ? "tun%d" : "tap%d", name);
	if (err)
		return err;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	memset(&nd, 0, sizeof(nd));
	snprintf(nd.name, sizeof nd.name, "%s", name);
	nd.mtu = 1500;
	nd.qdisc = "noop";
	nd.operstate = 2;
	nd.tx_apart = true;
	nd.tun = dev;
	if (fl & IFF_TUN) {
		nd.flags = ND_IFF_POINTOPOINT | ND_IFF_NOARP | ND_IFF_MULTICAST;
		nd.type = ARPHRD_NONE_;
		nd.txqlen = 500;
	} else {
		uint64_t r = (uint64_t)random() << 31 ^ (uint64_t)random();

		nd.flags = ND_IFF_BROADCAST | ND_IFF_MULTICAST;
		nd.type = ARPHRD_ETHER_;
		nd.txqlen = 1000;
		for (int i = 0; i < 6; i++)
			nd.mac[i] = (uint8_t)(r >> (8 * i));
		nd.mac[0] = (uint8_t)((nd.mac[0] & 0xfe) | 0x02);   /* eth_random_addr */
		memset(nd.brd, 0xff, 6);
	}
	idx = netdev_add(tf->ns, &nd);
	if (idx < 0) {
		free(dev);
		return idx;
	}
	dev->ns = tf->ns;
	dev->index = idx;
	dev->flags = (fl & IFF_TUN ? IFF_TUN : IFF_TAP) | (fl & TUN_FEATURES_);
	dev->owner = dev->group = -1;
	dev->sndbuf = 0x7fffffff;
	dev->vnet_hdr_sz = 10;          /* sizeof(struct virtio_net_hdr) */
	dev->queues = 1;
	dev->tail = &dev->head;
	waitq_init(&dev->wq);
	tf->dev = dev;
	return 0;
}

/* The queue leaves its device; the device goes with its last queue
 * unless persistent (tun_detach). */
static void detach(struct tun_file *tf)
{
	struct tun_dev *d = tf->dev;

	if (!d)
		return;
	tf->dev = NULL;
	if (--d->queues == 0 && !(d->flags & IFF_PERSIST))
		tun_free(d);
}

static int get_int(struct task *t, uint64_t arg, int *v)
{
	return copy_from_user(t, v, arg, sizeof(*v));
}

static long tun_ioctl(struct task *t, struct file *f, unsigned int cmd, uint64_t arg)
{
	struct tun_file *tf = f->priv;
	struct tun_dev *d = tf->dev;
	struct nd_if *nd;
	char ifr[IFREQ_LEN];
	unsigned int feat = TUNGETFEATURES_VAL;
	int v, err;

	switch (cmd) {
	case TUNGETFEATURES:
		return copy_to_user(t, arg, &feat, sizeof(feat));
	case TUNSETIFF:
		if (copy_from_user(t, ifr, arg, sizeof(ifr)))
			return -EFAULT;
		if (d)
			return -EEXIST;
		err = set_iff(t, tf, ifr);
		if (err)
			return err;
		nd = dev_if(tf->dev);
		memset(ifr, 0, 16);
		snprintf(ifr, 16, "%s", nd ? nd->name : "");
		return copy_to_user(t, arg, ifr, sizeof(ifr));
	case TUNSETQUEUE:
		return d ? -EINVAL : -EBADFD;   /* no IFF_ATTACH_QUEUE/DETACH_QUEUE */
	}
	if (!d)
		return -EBADFD;
	nd = dev_if(d);
	switch (cmd) {
	case TUNGETIFF: {
		/* tun_flags; Linux 6.18 shows IFF_NO_PI in it whatever was asked */
		int16_t fl = (int16_t)((d->flags & (TUN_FEATURES_ | IFF_PERSIST | TUN_TYPE_MASK)) |
				       IFF_NO_PI);

		memset(ifr, 0, sizeof(ifr));
		snprintf(ifr, 16, "%s", nd ? nd->name : "");
		memcpy(ifr + 16, &fl, 2);
		return copy_to_user(t, arg, ifr, sizeof(ifr));
	}
	case TUNSETPERSIST:
		if (arg)
			d->flags |= IFF_PERSIST;
		else
			d->flags &= ~(unsigned int)IFF_PERSIST;
		return 0;
	case TUNSETOWNER:
		if ((int64_t)arg < 0 || arg > 0xfffffffeULL)
			return -EINVAL;
		d->owner = (int64_t)arg;
		return 0;
	case TUNSETGROUP:
		if ((int64_t)arg < 0 || arg > 0xfffffffeULL)
			return -EINVAL;
		d->group = (int64_t)arg;
		return 0;
	case TUNSETNOCSUM: case TUNSETDEBUG:
		return 0;
	case TUNSETLINK:
		if (nd && (nd->flags & ND_IFF_UP))
			return -EBUSY;
		if (nd)
			nd->type = (int)(uint16_t)arg;
		return 0;
	case TUNGETSNDBUF:
		return copy_to_user(t, arg, &d->sndbuf, sizeof(int));
	case TUNSETSNDBUF:
		if (get_int(t, arg, &v))
			return -EFAULT;
		if (v <= 0)
			return -EINVAL;
		d->sndbuf = v;
		return 0;
	case TUNGETVNETHDRSZ:
		return copy_to_user(t, arg, &d->vnet_hdr_sz, sizeof(int));
	case TUNSETVNETHDRSZ:
		if (get_int(t, arg, &v))
			return -EFAULT;
		if (v < 10)
			return -EINVAL;
		d->vnet_hdr_sz = v;
		return 0;
	}
	return -EINVAL;
}

/* A packet into the device (tun_get_user): checked, counted, dropped. */
static ssize_t tun_write(struct task *t, struct file *f, const void *buf, size_t n, int64_t *pos)
{
	struct tun_file *tf = f->priv;
	struct tun_dev *d = tf->dev;
	const uint8_t *p = buf;
	struct nd_if *nd;
	size_t len = n;

	(void)t, (void)pos;
	if (!d || !(nd = dev_if(d)))
		return -EBADFD;
	if (!(nd->flags & ND_IFF_UP))
		return -EIO;
	if (!(d->flags & IFF_NO_PI)) {
		if (len < 4)
			return -EINVAL;
		p += 4;
		len -= 4;
	}
	if (d->flags & IFF_VNET_HDR) {
		if (len < (size_t)d->vnet_hdr_sz)
			return -EINVAL;
		p += d->vnet_hdr_sz;
		len -= (size_t)d->vnet_hdr_sz;
	}
	if ((d->flags & IFF_TAP) && len < 14)
		return -EINVAL;                 /* ETH_HLEN */
	if ((d->flags & IFF_TUN) && (d->flags & IFF_NO_PI)) {
		int ver = len ? p[0] >> 4 : 0;

		if (ver != 4 && ver != 6) {
			nd->rx_dropped++;
			return -EINVAL;
		}
	}
	nd->rx_packets++;
	nd->rx_bytes += len;
	/* into the stack: packet sockets see it (the IP layer is not there) */
	if (d->flags & IFF_TAP) {
		uint16_t proto;
		int pkttype = 0;                /* PACKET_HOST */

		memcpy(&proto, p + 12, 2);
		if (p[0] & 1)                   /* eth_type_trans */
			pkttype = memcmp(p, "\xff\xff\xff\xff\xff\xff", 6) ? 2 : 1;
		else if (memcmp(p, nd->mac, 6))
			pkttype = 3;            /* PACKET_OTHERHOST */
		packet_rcv(d->ns, nd, proto, pkttype, p, len, 14, p + 6);
	} else {
		uint16_t proto = htons(len && (p[0] >> 4) == 6 ? 0x86dd : 0x0800);

		if (!(d->flags & IFF_NO_PI))
			memcpy(&proto, (const uint8_t *)buf + 2, 2);   /* the PI header's */

		packet_rcv(d->ns, nd, proto, 0, p, len, 0, NULL);
	}
	return (ssize_t)n;
}

/* A frame sent out the device (tun_do_read): with the PI header (flags
 * 0, the ethertype) unless IFF_NO_PI, a zeroed vnet header with
 * IFF_VNET_HDR; cut to n, as Linux's (the rest is lost). */
static ssize_t tun_read(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	struct tun_file *tf = f->priv;
	struct tun_dev *d;
	struct tun_pkt *k;
	struct waiter w;
	size_t off = 0, c;
	int err;

	(void)pos;
	for (;;) {
		d = tf->dev;
		if (!d)
			return -EBADFD;
		if (d->head)
			break;
		if ((f->flags & O_NONBLOCK) || !t)
			return -EAGAIN;
		waitq_add(&d->wq, &w, t);
		err = task_sleep(t, 0, -1, 0);
		waitq_del(&w);
		if (err == -EINTR)
			return -ERESTARTSYS;
	}
	k = d->head;
	d->head = k->next;
	if (!d->head)
		d->tail = &d->head;
	d->qlen--;
	if (!(d->flags & IFF_NO_PI)) {
		unsigned char pi[4] = { 0, 0, (unsigned char)(k->proto & 0xff),
					(unsigned char)(k->proto >> 8) };

		if (n < sizeof pi) {
			free(k);
			return -EINVAL;
		}
		memcpy(buf, pi, sizeof pi);
		off = sizeof pi;
	}
	if (d->flags & IFF_VNET_HDR) {
		if (n - off < (size_t)d->vnet_hdr_sz) {
			free(k);
			return -EINVAL;
		}
		memset((char *)buf + off, 0, (size_t)d->vnet_hdr_sz);
		off += (size_t)d->vnet_hdr_sz;
	}
	c = k->len < n - off ? k->len : n - off;
	memcpy((char *)buf + off, k->data, c);
	free(k);
	return (ssize_t)(off + c);
}

static short tun_poll(struct file *f, struct poll_table *pt)
{
	struct tun_file *tf = f->priv;
	struct nd_if *nd;

	if (!tf->dev || !(nd = dev_if(tf->dev)))
		return POLLERR;
	poll_wait(pt, &tf->dev->wq);
	return (tf->dev->head ? POLLIN | POLLRDNORM : 0) | (nd->flags & ND_IFF_UP ? POLLOUT | POLLWRNORM : 0);
}

static int tun_fstat(struct file *f, struct kstat *st)
{
	*st = ((struct tun_file *)f->priv)->node;
	return 0;
}

static void tun_release(struct file *f)
{
	struct tun_file *tf = f->priv;

	detach(tf);
	put_net_ns(tf->ns);
	free(tf);
	f->priv = NULL;
}

static const struct file_ops tun_ops = {
	.read = tun_read,
	.write = tun_write,
	.ioctl = tun_ioctl,
	.poll = tun_poll,
	.fstat = tun_fstat,
	.release = tun_release,
	.seekable = false,
	.write_empty = true,
};

/*
 * tun_chr_open - open(2) of /dev/net/tun (node: its inode, for fstat):
 * a queue of the caller's network namespace, attached to nothing.
 * 0 and *out, or -ENOMEM.
 */
int tun_chr_open(int flags, const char *path, const struct kstat *node, struct file **out)
{
	struct tun_file *tf = calloc(1, sizeof(*tf));

	if (!tf)
		return -ENOMEM;
	tf->ns = current_net();
	tf->ns->refs++;
	tf->node = *node;
	*out = file_alloc(&tun_ops, flags & (O_ACCMODE | O_NONBLOCK), path);
	if (!*out) {
		put_net_ns(tf->ns);
		free(tf);
		return -ENOMEM;
	}
	(*out)->priv = tf;
	return 0;
}
