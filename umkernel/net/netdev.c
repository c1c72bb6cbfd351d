/*
 * netdev.c - the guest's network interfaces: the table netlink.c dumps
 * (links, addresses, routes), the SIOCGIF* ioctls every socket answers
 * (Linux's dev_ioctl, dev_ifconf), and /proc/net/dev, if_inet6 and
 * route in Linux's formats.
 *
 * In a nutshell: none mode has the loopback only (lo, 127.0.0.1/8 and
 * ::1/128, as a fresh network namespace with lo up); private mode adds
 * eth0, 10.0.2.15/24 with the gateway 10.0.2.2 (QEMU's and slirp's
 * user-mode network), whose traffic leaves through host sockets.  In
 * host mode the interfaces are the host's: the get ioctls go to a host
 * socket of umk's and /proc/net files are the host's (proc_net.c).
 * Nothing in the initial namespace can be changed: the set ioctls are
 * -EPERM there (a namespace of the guest's making: see ifr_set).  lo's counters
 * count the bytes sent on the guest's loopback.
 *
 * A network namespace made with CLONE_NEWNET (kernel/nsproxy.c) has
 * interfaces of its own, whatever the mode: lo alone, down and without
 * addresses, as Linux's loopback_net_init leaves it, until rtnetlink
 * brings it up (netdev_lo_set_up: 127.0.0.1/8 and ::1 come with it, as
 * inetdev_event and addrconf add them) or gives it an address; its
 * sockets reach nothing but that loopback (net_mode_of: NET_NONE).
 *
 * Locking: klock, held by the caller.
 */
#include "netdev.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static struct nd_if ifs[] = {
	{ .index = 1, .name = "lo", .flags = ND_IFF_UP | ND_IFF_LOOPBACK | ND_IFF_RUNNING |
					     ND_IFF_LOWER_UP,
	  .mtu = 65536, .type = 772, .qdisc = "noqueue", .txqlen = 1000, .operstate = 0,
	  .v4 = 0x7f000001, .v4prefix = 8, .v4scope = 254,
	  .has_v6 = true, .v6 = { [15] = 1 }, .v6prefix = 128, .v6scope = 254, .v6flags = 0x80 },
	{ .index = 2, .name = "eth0", .flags = ND_IFF_UP | ND_IFF_BROADCAST | ND_IFF_RUNNING |
					       ND_IFF_MULTICAST | ND_IFF_LOWER_UP,
	  .mtu = 1500, .type = 1, .mac = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 },
	  .brd = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, .qdisc = "noqueue", .txqlen = 1000,
	  .operstate = 6, .v4 = 0x0a00020f, .v4prefix = 24, .v4bcast = 0x0a0002ff, .v4scope = 0 },
};

/* ---- network namespaces ---- */

/* What a namespace of the guest's own making holds (its net pointer). */
struct netns_state {
	struct nd_if ifs[ND_MAX_IFS]; /* [0] lo, then TUN/TAP devices (tun.c) */
	int nif, next_index;
	int conf_tag[3];              /* /proc/sys/net/ipv4/conf/{all,default,lo}/tag */
	int ping_group[2];            /* /proc/sys/net/ipv4/ping_group_range */
};

static int init_conf_tag[3];          /* the initial namespace's */
static int init_ping_group[2] = { 1, 0 };

struct net_namespace *current_net(void)
{
	return current && current->nsproxy && current->nsproxy->net_ns ? current->nsproxy->net_ns
									 : &init_net_ns;
}

enum net_mode net_mode_of(const struct net_namespace *ns)
{
	return !ns || ns == &init_net_ns ? net_mode : NET_NONE;
}

/* ns's state, made on first use: lo down, no address (NULL: ENOMEM). */
static struct netns_state *ns_state(struct net_namespace *ns)
{
	struct netns_state *st = ns->net;

	if (st)
		return st;
	st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	st->ifs[0] = ifs[0];
	st->ifs[0].flags = ND_IFF_LOOPBACK;
	st->ifs[0].qdisc = "noop";
	st->ifs[0].operstate = 2;      /* IF_OPER_DOWN */
	st->ifs[0].v4 = 0;
	st->ifs[0].v4prefix = 0;
	st->ifs[0].has_v6 = false;
	st->ifs[0].rx_bytes = st->ifs[0].rx_packets = 0;
	st->nif = 1;
	st->next_index = 2;
	/* devinet_init_net: all and default copied from the initial
	 * namespace's (devconf_inherit_init_net 0), lo from default */
	st->conf_tag[0] = init_conf_tag[0];
	st->conf_tag[1] = st->conf_tag[2] = init_conf_tag[1];
	st->ping_group[0] = 1;         /* ipv4_sysctl_init_net: "1 0" in each */
	ns->net = st;
	return st;
}

/* kernel/nsproxy.c: the namespace's last reference went. */
void net_ns_release(struct net_namespace *ns)
{
	struct netns_state *st = ns->net;

	nf_net_release(ns);
	for (int i = 0; st && i < st->nif; i++)
		if (st->ifs[i].tun)
			tun_dev_free(st->ifs[i].tun);
	free(ns->net);
	ns->net = NULL;
}

/* netdev_lo - ns's loopback (NULL on ENOMEM). */
struct nd_if *netdev_lo(struct net_namespace *ns)
{
	struct netns_state *st;

	if (!ns || ns == &init_net_ns)
		return &ifs[0];
	st = ns_state(ns);
	return st ? &st->ifs[0] : NULL;
}

/* netdev_add - see netdev.h (dev_new_index: the next index of ns). */
int netdev_add(struct net_namespace *ns, const struct nd_if *d)
{
	struct netns_state *st;

	if (!ns || ns == &init_net_ns)
		return -EPERM;
	st = ns_state(ns);
	if (!st)
		return -ENOMEM;
	if (st->nif >= ND_MAX_IFS)
		return -ENFILE;
	st->ifs[st->nif] = *d;
	st->ifs[st->nif].index = st->next_index++;
	rtnl_notify_link(ns, &st->ifs[st->nif], false);
	return st->ifs[st->nif++].index;
}

/* netdev_del - index leaves ns's table (unregister_netdevice). */
void netdev_del(struct net_namespace *ns, int index)
{
	struct netns_state *st = ns && ns != &init_net_ns ? ns->net : NULL;

	for (int i = 1; st && i < st->nif; i++)
		if (st->ifs[i].index == index) {
			rtnl_notify_link(ns, &st->ifs[i], true);
			memmove(&st->ifs[i], &st->ifs[i + 1], (size_t)(st->nif - i - 1) * sizeof(st->ifs[0]));
			st->nif--;
			return;
		}
}

/* ns's table: *n interfaces (the initial namespace's as its mode has them). */
static struct nd_if *ns_ifs(struct net_namespace *ns, int *n)
{
	struct netns_state *st;

	*n = 0;
	if (!ns || ns == &init_net_ns) {
		*n = net_mode == NET_PRIVATE ? 2 : 1;
		return ifs;
	}
	st = ns_state(ns);
	if (!st)
		return NULL;
	*n = st->nif;
	return st->ifs;
}

/* netdev_find, netdev_find_name - ns's interface by index or name. */
struct nd_if *netdev_find(struct net_namespace *ns, int index)
{
	int n;
	struct nd_if *t = ns_ifs(ns, &n);

	for (int i = 0; i < n; i++)
		if (t[i].index == index)
			return &t[i];
	return NULL;
}

struct nd_if *netdev_find_name(struct net_namespace *ns, const char *name)
{
	int n;
	struct nd_if *t = ns_ifs(ns, &n);

	for (int i = 0; i < n; i++)
		if (!strncmp(t[i].name, name, 16))
			return &t[i];
	return NULL;
}

/*
 * netdev_set_up - interface d of ns (a guest-made namespace) up or down,
 * by SIOCSIFFLAGS or RTM_NEWLINK: lo's or a TUN/TAP device's own rules,
 * and when its flags change, the rtnetlink notifications (dev_change_flags
 * then rtmsg_ifinfo).
 */
void netdev_set_up(struct net_namespace *ns, struct nd_if *d, bool up)
{
	bool had_v4 = d->v4, had_v6 = d->has_v6;
	uint32_t before = d->flags;

	if (((d->flags & ND_IFF_UP) != 0) == up)
		return;
	rtnl_notify_updown(ns, d, up);
	if (d->tun)
		tun_set_up(d, up);
	else
		netdev_lo_set_up(d, up);
	if (d->flags != before)
		rtnl_notify_updown_done(ns, d, up, had_v4, had_v6);
}

/* netdev_lo_set_up - `ip link set lo up/down` in a namespace of the
 * guest's making: up brings 127.0.0.1/8 and ::1 (kept: an IPv4 address
 * given before), down takes ::1 away, as Linux does. */
void netdev_lo_set_up(struct nd_if *lo, bool up)
{
	if (up) {
		lo->flags |= ND_IFF_UP | ND_IFF_RUNNING | ND_IFF_LOWER_UP;
		lo->qdisc = "noqueue";
		lo->operstate = 0;     /* IF_OPER_UNKNOWN, as a running lo shows */
		if (!lo->v4) {
			lo->v4 = 0x7f000001;
			lo->v4prefix = 8;
			lo->v4scope = 254;
		}
		lo->has_v6 = true;
		memset(lo->v6, 0, 16);
		lo->v6[15] = 1;
		lo->v6prefix = 128;
		lo->v6scope = 254;
		lo->v6flags = 0x80;
	} else {
		lo->flags &= ~(ND_IFF_UP | ND_IFF_RUNNING | ND_IFF_LOWER_UP);
		lo->qdisc = "noop";
		lo->operstate = 2;
		lo->has_v6 = false;
	}
}

/* netdev_conf_tag - /proc/sys/net/ipv4/conf/DEV/tag of the caller's
 * namespace, DEV 0 all, 1 default, 2 lo (NULL on ENOMEM). */
int *netdev_conf_tag(int dev)
{
	struct net_namespace *ns = current_net();
	struct netns_state *st;

	if (ns == &init_net_ns)
		return &init_conf_tag[dev];
	st = ns_state(ns);
	return st ? &st->conf_tag[dev] : NULL;
}

/* netdev_ping_group_range - see net.h. */
int *netdev_ping_group_range(void)
{
	struct net_namespace *ns = current_net();
	struct netns_state *st;

	if (ns == &init_net_ns)
		return init_ping_group;
	st = ns_state(ns);
	return st ? st->ping_group : NULL;
}

/* netdev_ifs - the caller's namespace's interfaces (private and none
 * modes in the initial one): *n of them. */
struct nd_if *netdev_ifs(int *n)
{
	struct net_namespace *ns = current_net();

	if (ns != &init_net_ns) {
		struct nd_if *lo = netdev_lo(ns);

		*n = lo ? ((struct netns_state *)ns->net)->nif : 0;
		return lo ? lo : ifs;
	}
	*n = net_mode == NET_PRIVATE ? 2 : 1;
	return ifs;
}

struct nd_if *netdev_by_index(int index)
{
	int n;
	struct nd_if *t = netdev_ifs(&n);

	for (int i = 0; i < n; i++)
		if (t[i].index == index)
			return &t[i];
	return NULL;
}

struct nd_if *netdev_by_name(const char *name)
{
	int n;
	struct nd_if *t = netdev_ifs(&n);

	for (int i = 0; i < n; i++)
		if (!strncmp(t[i].name, name, 16))
			return &t[i];
	return NULL;
}

/* netdev_lo_count - bytes through the guest's loopback (one packet per call). */
void netdev_lo_count(size_t bytes)
{
	struct nd_if *lo = netdev_lo(current_net());

	if (lo) {
		lo->rx_bytes += bytes;
		lo->rx_packets++;
	}
}

/* netdev_mtu_for - IP_MTU toward dst: lo's for the loopback, else eth0's. */
int netdev_mtu_for(const struct inet_ep *dst)
{
	struct nd_if *lo = netdev_lo(current_net());
	int lo_mtu = lo ? lo->mtu : ifs[0].mtu;

	if (ep_v4(dst)) {
		uint32_t a = ntohl(ep_v4_addr(dst));

		if ((a >> 24) == 127 || !a || net_mode_of(current_net()) != NET_PRIVATE ||
		    a == ifs[1].v4)
			return lo_mtu;
		return ifs[1].mtu;
	}
	return lo_mtu;
}

/* ---- routes ---- */

static struct nd_route routes[] = {
	/* main table (private mode's eth0) */
	{ 2, 254, 0, 0, 0x0a000202, 3, 0, 1, 0, 2, 0, { 0 } },
	{ 2, 254, 0x0a000200, 24, 0, 2, 253, 1, 0x0a00020f, 2, 0, { 0 } },
	/* local table */
	{ 2, 255, 0x0a00020f, 32, 0, 2, 254, 2, 0x0a00020f, 2, 0, { 0 } },
	{ 2, 255, 0x0a0002ff, 32, 0, 2, 253, 3, 0x0a00020f, 2, 0, { 0 } },
	{ 2, 255, 0x7f000000, 8, 0, 2, 254, 2, 0x7f000001, 1, 0, { 0 } },
	{ 2, 255, 0x7f000001, 32, 0, 2, 254, 2, 0x7f000001, 1, 0, { 0 } },
	{ 2, 255, 0x7fffffff, 32, 0, 2, 253, 3, 0x7f000001, 1, 0, { 0 } },
	{ 10, 255, 0, 128, 0, 2, 0, 2, 0, 1, 0, { [15] = 1 } },          /* local ::1 */
	/* private mode: eth0 takes IPv6 multicast */
	{ 10, 255, 0, 8, 0, 2, 0, 5, 0, 2, 256, { 0xff } },               /* multicast ff00::/8 */
};

/* netdev_routes - the routing table entries (both families) of the mode. */
struct nd_route *netdev_routes(int *n)
{
	struct net_namespace *ns = current_net();

	if (ns != &init_net_ns) {
		/* the loopback's local routes once lo is up */
		struct nd_if *lo = netdev_lo(ns);

		*n = lo && (lo->flags & ND_IFF_UP) && lo->v4 ? 4 : 0;
		return routes + 4;
	}
	if (net_mode == NET_PRIVATE) {
		*n = ARRAY_SIZE(routes);
		return routes;
	}
	*n = ARRAY_SIZE(routes) - 5;
	return routes + 4;
}

/* ---- ioctls ---- */

#define L_SIOCGIFNAME    0x8910
#define L_SIOCGIFCONF    0x8912
#define L_SIOCGIFFLAGS   0x8913
#define L_SIOCGIFADDR    0x8915
#define L_SIOCGIFDSTADDR 0x8917
#define L_SIOCGIFBRDADDR 0x8919
#define L_SIOCGIFNETMASK 0x891b
#define L_SIOCGIFMETRIC  0x891d
#define L_SIOCGIFMTU     0x8921
#define L_SIOCGIFHWADDR  0x8927
#define L_SIOCGIFINDEX   0x8933
#define L_SIOCGIFTXQLEN  0x8942
#define L_SIOCGIFMAP     0x8970
#define IFREQ_SIZE       40

struct l_ifconf {
	int32_t ifc_len;
	int32_t pad;
	uint64_t ubuf;
};

static void put_sin(char *ifr, uint32_t addr_host)
{
	uint16_t fam = L_AF_INET;
	uint32_t a = htonl(addr_host);

	memset(ifr + 16, 0, 16);
	memcpy(ifr + 16, &fam, 2);
	memcpy(ifr + 20, &a, 4);
}

/* SIOCGIFCONF (dev_ifconf): one ifreq per interface with an IPv4
 * address, as many as fit; a NULL buffer asks for the size needed. */
static long ifconf(struct task *t, uint64_t arg)
{
	struct l_ifconf ic;
	char ifr[IFREQ_SIZE];
	int n, used = 0;
	struct nd_if *tab = netdev_ifs(&n);

	if (copy_from_user(t, &ic, arg, sizeof(ic)))
		return -EFAULT;
	for (int i = 0; i < n; i++) {
		if (!tab[i].v4)
			continue;
		if (ic.ubuf) {
			if (used + IFREQ_SIZE > ic.ifc_len)
				break;
			memset(ifr, 0, sizeof(ifr));
			strncpy(ifr, tab[i].name, 16);
			put_sin(ifr, tab[i].v4);
			if (copy_to_user(t, ic.ubuf + used, ifr, sizeof(ifr)))
				return -EFAULT;
		}
		used += IFREQ_SIZE;
	}
	ic.ifc_len = used;
	return copy_to_user(t, arg, &ic.ifc_len, sizeof(ic.ifc_len)) ? -EFAULT : 0;
}

/* The same ioctls answered by the host's interfaces (host mode). */
static long host_ioctl(struct task *t, unsigned int cmd, uint64_t arg)
{
	static int fd = -1;
	char ifr[IFREQ_SIZE];

	if (fd < 0)
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (cmd == L_SIOCGIFCONF) {
		struct l_ifconf ic;
		struct ifconf hc;
		char *buf = NULL;
		long r = 0;

		if (copy_from_user(t, &ic, arg, sizeof(ic)))
			return -EFAULT;
		if (ic.ifc_len < 0)
			ic.ifc_len = 0;
		if (ic.ifc_len > 1 << 20)
			ic.ifc_len = 1 << 20;
		if (ic.ubuf && !(buf = malloc(ic.ifc_len ? ic.ifc_len : 1)))
			return -ENOMEM;
		hc.ifc_len = ic.ifc_len;
		hc.ifc_buf = buf;
		if (ioctl(fd, SIOCGIFCONF, &hc) < 0)
			r = -errno;
		else if ((buf && hc.ifc_len && copy_to_user(t, ic.ubuf, buf, hc.ifc_len)) ||
			 copy_to_user(t, arg, &hc.ifc_len, sizeof(int32_t)))
			r = -EFAULT;
		free(buf);
		return r;
	}
	if (copy_from_user(t, ifr, arg, sizeof(ifr)))
		return -EFAULT;
	if (ioctl(fd, cmd, ifr) < 0)
		return -errno;
	return copy_to_user(t, arg, ifr, sizeof(ifr)) ? -EFAULT : 0;
}

/* dev_change_flags: the IFF_* bits a program may set (IFF_UP,
 * DEBUG, NOTRAILERS, NOARP, PROMISC, ALLMULTI, MULTICAST, PORTSEL,
 * AUTOMEDIA, DYNAMIC); the others are the device's. */
#define ND_IFF_SETTABLE  0xf3a5

/*
 * ifr_set - a set ioctl with its ifreq read (Linux's devinet_ioctl and
 * dev_ifsioc): in a network namespace of the guest's making, and with
 * CAP_NET_ADMIN over it, SIOCSIFFLAGS (IFF_UP brings lo up or down as
 * rtnetlink does; the other settable flags are kept) and SIOCSIFMTU
 * (any MTU >= 0, as lo has no bounds; -EINVAL below) on its lo;
 * -ENODEV for another name, -EOPNOTSUPP for other changes.  -EPERM in
 * the initial namespace (its interfaces are read-only: rtnetlink's rule
 * too) and without the capability.
 */
static long ifr_set(struct task *t, unsigned int cmd, char *ifr)
{
	struct net_namespace *ns = current_net();
	struct nd_if *lo;
	int16_t fl;
	int32_t mtu;

	if (ns == &init_net_ns || !ns_capable(t, ns->user_ns, CAP_NET_ADMIN))
		return -EPERM;
	lo = netdev_lo(ns);
	if (!lo)
		return -ENOMEM;
	ifr[15] = 0;
	lo = netdev_find_name(ns, ifr);         /* lo, or a TUN/TAP device */
	if (!lo)
		return -ENODEV;
	switch (cmd) {
	case 0x8914:                            /* SIOCSIFFLAGS */
		memcpy(&fl, ifr + 16, 2);
		if (lo->tun) {
			netdev_set_up(ns, lo, fl & ND_IFF_UP);
			return 0;
		}
		if ((fl ^ lo->flags) & ND_IFF_UP)
			netdev_set_up(ns, lo, fl & ND_IFF_UP);
		lo->flags = (lo->flags & ~(ND_IFF_SETTABLE & ~ND_IFF_UP)) |
			    ((uint16_t)fl & ND_IFF_SETTABLE & ~ND_IFF_UP);
		return 0;
	case 0x8922:                            /* SIOCSIFMTU */
		memcpy(&mtu, ifr + 16, 4);
		if (mtu < 0 || (lo->tun && (mtu < 68 || mtu > 65535)))
			return -EINVAL;     /* a tun's min_mtu and max_mtu */
		lo->mtu = mtu;
		return 0;
	}
	return -EOPNOTSUPP;
}

/*
 * netdev_ioctl - see net.h: SIOCGIFCONF, SIOCGIFNAME (by index), and by
 * name SIOCGIFFLAGS, SIOCGIFADDR, SIOCGIFNETMASK, SIOCGIFBRDADDR,
 * SIOCGIFDSTADDR, SIOCGIFMTU, SIOCGIFINDEX, SIOCGIFHWADDR,
 * SIOCGIFMETRIC, SIOCGIFTXQLEN, SIOCGIFMAP.  -ENODEV for an interface
 * nobody has, -EADDRNOTAVAIL for an address it lacks, -EFAULT; the
 * set ones: see ifr_set (-EFAULT first for an unreadable ifreq, as
 * Linux reads it before it checks the capability).
 */
long netdev_ioctl(struct task *t, unsigned int cmd, uint64_t arg)
{
	char ifr[IFREQ_SIZE], rt[120];
	struct nd_if *d;
	int32_t v;
	int16_t fl;

	switch (cmd) {
	case 0x890B: case 0x890C:               /* SIOCADDRT, SIOCDELRT: the rtentry is read first */
		if (copy_from_user(t, rt, arg, sizeof(rt)))
			return -EFAULT;
		return -EPERM;
	case 0x8914: case 0x8916: case 0x8918: case 0x891a: case 0x891c: case 0x891e:
	case 0x8920: case 0x8922: case 0x8923: case 0x8924: case 0x8931: case 0x8932:
	case 0x8934: case 0x8936: case 0x8937: case 0x8943: case 0x8971: case 0x8990:
	case 0x8991: case 0x8992: case 0x8993: case 0x8994: case 0x8995: case 0x89a2:
	case 0x89a3:
		/* SIOCSIF*, multicast lists, bonding, bridge ports: the ifreq
		 * is read before the capability check (sock_do_ioctl) */
		if (copy_from_user(t, ifr, arg, sizeof(ifr)))
			return -EFAULT;
		return ifr_set(t, cmd, ifr);
	case 0x890D: case 0x8911: case 0x8941: case 0x8953: case 0x8955: case 0x8960:
	case 0x8962: case 0x8980: case 0x8981: case 0x89a0: case 0x89a1:
		/* SIOCRTMSG, SIOCSIFLINK, SIOCSIFBR, ARP, RARP, DLCI, VLAN,
		 * bridges: Linux wants CAP_NET_ADMIN first */
		return -EPERM;
	}
	switch (cmd) {
	case L_SIOCGIFNAME: case L_SIOCGIFCONF: case L_SIOCGIFFLAGS: case L_SIOCGIFADDR:
	case L_SIOCGIFDSTADDR: case L_SIOCGIFBRDADDR: case L_SIOCGIFNETMASK: case L_SIOCGIFMETRIC:
	case L_SIOCGIFMTU: case L_SIOCGIFHWADDR: case L_SIOCGIFINDEX: case L_SIOCGIFTXQLEN:
	case L_SIOCGIFMAP:
		break;
	default:
		return -ENOIOCTLCMD;
	}
	if (net_mode_of(current_net()) == NET_HOST)
		return host_ioctl(t, cmd, arg);
	if (cmd == L_SIOCGIFCONF)
		return ifconf(t, arg);
	if (copy_from_user(t, ifr, arg, sizeof(ifr)))
		return -EFAULT;
	if (cmd == L_SIOCGIFNAME) {
		memcpy(&v, ifr + 16, 4);
		d = netdev_by_index(v);
		if (!d)
			return -ENODEV;
		memset(ifr, 0, 16);
		strncpy(ifr, d->name, 16);
		goto out;
	}
	ifr[15] = 0;
	d = netdev_by_name(ifr);
	if (!d)
		return -ENODEV;
	memset(ifr + 16, 0, sizeof(ifr) - 16);
	switch (cmd) {
	case L_SIOCGIFFLAGS:
		fl = (int16_t)(d->flags & 0xffff);
		memcpy(ifr + 16, &fl, 2);
		break;
	case L_SIOCGIFADDR:
		if (!d->v4)
			return -EADDRNOTAVAIL;
		put_sin(ifr, d->v4);
		break;
	case L_SIOCGIFDSTADDR:
		if (!d->v4)
			return -EADDRNOTAVAIL;
		put_sin(ifr, d->v4);
		break;
	case L_SIOCGIFBRDADDR:
		if (!d->v4)
			return -EADDRNOTAVAIL;
		put_sin(ifr, d->v4bcast);
		break;
	case L_SIOCGIFNETMASK:
		if (!d->v4)
			return -EADDRNOTAVAIL;
		put_sin(ifr, d->v4prefix ? ~0U << (32 - d->v4prefix) : 0);
		break;
	case L_SIOCGIFMTU:
		memcpy(ifr + 16, &d->mtu, 4);
		break;
	case L_SIOCGIFINDEX:
		memcpy(ifr + 16, &d->index, 4);
		break;
	case L_SIOCGIFMETRIC:
		v = 0;
		memcpy(ifr + 16, &v, 4);
		break;
	case L_SIOCGIFTXQLEN:
		memcpy(ifr + 16, &d->txqlen, 4);
		break;
	case L_SIOCGIFHWADDR: {
		uint16_t fam = d->type;

		memcpy(ifr + 16, &fam, 2);
		memcpy(ifr + 18, d->mac, 6);
		break;
	}
	case L_SIOCGIFMAP:
		break;
	}
out:
	return copy_to_user(t, arg, ifr, sizeof(ifr)) ? -EFAULT : 0;
}

/* ---- /proc/net ---- */

static void pad(struct net_text *nt, size_t start, size_t width)
{
	size_t n = nt->len - start;

	if (n < width)
		net_printf(nt, "%*s", (int)(width - n), "");
	net_printf(nt, "\n");
}

/* The IPv4 word as /proc/net/route prints it (the network-order bytes as a host int). */
static uint32_t rt_word(uint32_t host_order)
{
	return htonl(host_order);
}

/*
 * netdev_proc_net - /proc/net/dev (dev_seq_show), if_inet6 (if6_seq_show)
 * and route (fib_route_seq_show, the main table's IPv4 routes) of the
 * guest's interfaces.
 */
void netdev_proc_net(const char *name, struct net_text *nt)
{
	int n, nr;
	struct nd_if *t = netdev_ifs(&n);
	struct nd_route *r = netdev_routes(&nr);
	size_t start;

	if (!strcmp(name, "dev")) {
		net_printf(nt, "Inter-|   Receive                                                |  Transmit\n"
			       " face |bytes    packets errs drop fifo frame compressed multicast|bytes    "
			       "packets errs drop fifo colls carrier compressed\n");
		for (int i = 0; i < n; i++) {
			uint64_t rb = t[i].rx_bytes, rp = t[i].rx_packets;
			uint64_t tb = t[i].tx_apart ? t[i].tx_bytes : rb;
			uint64_t tp = t[i].tx_apart ? t[i].tx_packets : rp;

			net_printf(nt, "%6s:%8llu %7llu %4llu %4llu %4llu %5llu %10llu %9llu %8llu %7llu "
				   "%4llu %4llu %4llu %5llu %7llu %10llu\n", t[i].name,
				   (unsigned long long)rb, (unsigned long long)rp, 0ULL,
				   (unsigned long long)t[i].rx_dropped, 0ULL, 0ULL,
				   0ULL, 0ULL, (unsigned long long)tb, (unsigned long long)tp, 0ULL, 0ULL,
				   0ULL, 0ULL, 0ULL, 0ULL);
		}
	} else if (!strcmp(name, "if_inet6")) {
		for (int i = 0; i < n; i++) {
			if (!t[i].has_v6)
				continue;
			for (int b = 0; b < 16; b++)
				net_printf(nt, "%02x", t[i].v6[b]);
			net_printf(nt, " %02x %02x %02x %02x %8s\n", t[i].index, t[i].v6prefix,
				   t[i].v6scope == 254 ? 0x10 : 0, t[i].v6flags, t[i].name);
		}
	} else if (!strcmp(name, "route")) {
		start = nt->len;
		net_printf(nt, "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\t"
			   "Window\tIRTT");
		pad(nt, start, 127);
		for (int i = 0; i < nr; i++) {
			struct nd_if *d = netdev_by_index(r[i].oif);

			if (r[i].family != 2 || r[i].table != 254 || !d || r[i].dst_len > 32)
				continue;
			/* (an IPv6 route's dst_len, up to 128, is never shifted by: UBSan) */
			uint32_t mask = r[i].dst_len ? ~0U << (32 - r[i].dst_len) : 0;
			start = nt->len;
			net_printf(nt, "%s\t%08X\t%08X\t%04X\t%d\t%u\t%d\t%08X\t%d\t%u\t%u", d->name,
				   rt_word(r[i].dst), rt_word(r[i].gw), r[i].gw ? 3 : 1, 0, 0,
				   r[i].priority, rt_word(mask), 0, 0, 0);
			pad(nt, start, 127);
		}
	}
}
