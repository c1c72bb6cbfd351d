/*
 * netdev.h - the guest's interfaces and routes (netdev.c), as netlink.c
 * dumps them.  Internal to net/.  Addresses are IPv4 in host order.
 */
#ifndef UMK_NET_NETDEV_H
#define UMK_NET_NETDEV_H

#include "inet.h"

#define ND_IFF_UP        0x1
#define ND_IFF_BROADCAST 0x2
#define ND_IFF_LOOPBACK  0x8
#define ND_IFF_RUNNING   0x40
#define ND_IFF_MULTICAST 0x1000
#define ND_IFF_LOWER_UP  0x10000

struct nd_if {
	int index;
	char name[16];
	unsigned int flags;           /* IFF_* as RTM_NEWLINK carries them */
	int mtu;
	int type;                     /* ARPHRD_* */
	uint8_t mac[6], brd[6];
	const char *qdisc;
	int txqlen;
	int operstate;                /* IF_OPER_* */
	uint32_t v4, v4bcast;         /* 0: no IPv4 address */
	int v4prefix, v4scope;
	bool has_v6;
	uint8_t v6[16];
	int v6prefix, v6scope, v6flags;
	uint64_t rx_bytes, rx_packets; /* the loopback's: tx is the same */
	/* a TUN/TAP device (tun.c): its own tx count, and its state */
	bool tx_apart;
	uint64_t tx_bytes, tx_packets, rx_dropped, tx_dropped;
	void *tun;
};
#define ND_MAX_IFS 16                 /* interfaces a namespace may hold */

struct nd_route {
	int family;                   /* 2 or 10 */
	int table;                    /* 254 main, 255 local */
	uint32_t dst;                 /* IPv4 */
	int dst_len;
	uint32_t gw;
	int protocol, scope, type;    /* RTPROT_*, RT_SCOPE_*, RTN_* */
	uint32_t prefsrc;
	int oif;
	int priority;
	uint8_t dst6[16];             /* IPv6 */
};

struct nd_if *netdev_ifs(int *n);                /* the caller's namespace's */
struct nd_if *netdev_lo(struct net_namespace *ns);
void netdev_lo_set_up(struct nd_if *lo, bool up);
void netdev_set_up(struct net_namespace *ns, struct nd_if *d, bool up);
/* rtnetlink notifications of interface changes (net/netlink.c) */
void rtnl_notify_link(struct net_namespace *ns, const struct nd_if *d, bool del);
void rtnl_notify_updown(struct net_namespace *ns, const struct nd_if *d, bool up);
void rtnl_notify_updown_done(struct net_namespace *ns, const struct nd_if *d, bool up,
			     bool had_v4, bool had_v6);
struct nd_if *netdev_by_index(int index);
struct nd_if *netdev_by_name(const char *name);
struct nd_route *netdev_routes(int *n);
/* Interfaces added to a namespace of the guest's making (tun.c): 0 and
 * the new one's index, or -EPERM (the initial namespace: its interfaces
 * are fixed), -ENFILE past ND_MAX_IFS, -ENOMEM.  d is copied, its index
 * assigned.  Pointers into the table last until the next add or del. */
int netdev_add(struct net_namespace *ns, const struct nd_if *d);
void netdev_del(struct net_namespace *ns, int index);
struct nd_if *netdev_find(struct net_namespace *ns, int index);
struct nd_if *netdev_find_name(struct net_namespace *ns, const char *name);
/* tun.c: a namespace's TUN/TAP devices go with it; up/down of one */
void tun_dev_free(void *tun);
/* A frame (len bytes; proto: its ethertype, network order) sent out
 * device d: queued for d's readers (0), or dropped past its txqlen. */
int tun_xmit(struct nd_if *d, const void *frame, size_t len, uint16_t proto);
/* packet.c: a frame d received, for the packet sockets (see there). */
void packet_rcv(struct net_namespace *ns, const struct nd_if *d, uint16_t proto, int pkttype,
		const void *frame, size_t len, size_t hlen, const uint8_t *src);
void tun_set_up(struct nd_if *d, bool up);

#endif
