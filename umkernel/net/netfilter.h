/*
 * netfilter.h - iptables (the x_tables "legacy" interface of Linux's
 * net/ipv4/netfilter/ip_tables.c) on umk's own IPv4 stack: the tables
 * of each network namespace, set and read through the IPT_SO_* socket
 * options, and consulted where umk's loopback "sends" a packet
 * (netfilter.c).  Internal to net/.
 */
#ifndef UMK_NET_NETFILTER_H
#define UMK_NET_NETFILTER_H

#include "inet.h"

/* A packet as the filter sees it: IPv4 only (ip6_tables is not built). */
struct nf_pkt {
	uint32_t saddr, daddr;        /* network order */
	uint8_t proto;                /* IPPROTO_TCP, _UDP, _ICMP */
	uint16_t sport, dport;        /* host order (TCP, UDP) */
	uint8_t tcp_flags;            /* TCP: FIN 1, SYN 2, RST 4, PSH 8, ACK 0x10 */
	bool tcp_opts;                /* TCP: carries Linux's SYN options (MSS, SACK, TS, WS) */
	uint8_t icmp_type, icmp_code;
	uint32_t len;                 /* the IP datagram's length (counters' bytes) */
	unsigned int ctstate;         /* XT_STATE_BIT: 1 INVALID, 2 ESTABLISHED, 4 RELATED, 8 NEW */
};
#define NF_CT_ESTABLISHED 2
#define NF_CT_RELATED     4
#define NF_CT_NEW         8

/*
 * nf_local_out - packet p, sent by net to one of its own addresses,
 * through the hooks a loopback packet passes on Linux (OUTPUT,
 * POSTROUTING, then PREROUTING and INPUT on lo), each table in its
 * priority order.  0: delivered; 1: dropped (DROP, ERROR, QUEUE, a
 * REJECT whose error was dropped in turn); or a negative errno: REJECTed,
 * and the error the sender's socket learns from the ICMP error or TCP
 * reset (which went through the hooks itself).  *hard (may be NULL):
 * the error is one a UDP socket reports without IP_RECVERR (Linux's
 * icmp_err_convert fatal flag).  Counters are counted.
 */
int nf_local_out(struct net_namespace *net, struct nf_pkt *p, bool *hard);
/* The same for a packet leaving the guest (private mode, through umk's
 * host sockets): OUTPUT and POSTROUTING only, out through eth0; a
 * REJECT's error comes back over lo. */
int nf_remote_out(struct net_namespace *net, struct nf_pkt *p, bool *hard);
/* Whether net has any table loaded (the fast way out for callers). */
bool nf_active(const struct net_namespace *net);
/* The conntrack state of UDP packet p (NEW until a reply, then ESTABLISHED). */
void nf_udp_track(struct net_namespace *net, struct nf_pkt *p);
/* A TCP SYN dropped: how long connect(2) tries (Linux's 6 retries), ns. */
#define NF_SYN_TIMEOUT_NS (127ULL * 1000000000ULL)

#endif
