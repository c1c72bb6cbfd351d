/*
 * inet.h - what the AF_INET/AF_INET6 files of net/ share: the socket
 * (struct inet_sock), its endpoints, the port tables and the pieces of
 * each data path.  Internal to net/ (other subsystems use net.h):
 *
 *   inet.c         socket(2) for both families, addresses and routing
 *                  decisions (which destinations are the guest's own),
 *                  the port tables, options, getname, /proc/net/tcp|udp
 *   inet_stream.c  TCP on the guest's own loopback: connection set-up,
 *                  accept queues, a byte ring per receiving end, close,
 *                  half-close and reset as Linux's TCP shows them
 *   inet_dgram.c   UDP on the guest's own loopback (and the private
 *                  mode's datagrams to the host)
 *   hostsock.c     sockets whose data path is a host socket umk holds:
 *                  every socket in host mode (its own proto_ops), and in
 *                  private mode the connections out of the guest and
 *                  those forwarded in with -p
 *   forward.c      the -p forwards and the thread that serves them
 *
 * Addresses are kept as IPv6 (IPv4 ones IPv4-mapped, ::ffff:a.b.c.d), as
 * Linux's dual-stack sockets see them; the socket's family says how a
 * name is shown.  Locking: klock, held by the caller; a socket used
 * across a sleep is held by a reference (inet_hold).
 */
#ifndef UMK_NET_INET_H
#define UMK_NET_INET_H

#include "net.h"
#include "../fs/pipe_ring.h"

/* TCP states, Linux's numbers (/proc/net/tcp shows them) */
enum {
	TCP_ESTABLISHED = 1, TCP_SYN_SENT, TCP_SYN_RECV, TCP_FIN_WAIT1, TCP_FIN_WAIT2,
	TCP_TIME_WAIT, TCP_CLOSE, TCP_CLOSE_WAIT, TCP_LAST_ACK, TCP_LISTEN, TCP_CLOSING,
};
/* struct socket's state in Linux (SS_*), for connect(2)'s answers */
enum { SS_UNCONNECTED = 1, SS_CONNECTING, SS_CONNECTED };

#define INET_RING_MIN    (64 * 1024)   /* a local TCP receiver's ring, at first */
#define INET_RING_MAX    (2048 * 1024) /* ... grown while its writer outpaces it */
#define TCP_WMEM_DEFAULT 16384         /* tcp_wmem[1]: SO_SNDBUF of a new TCP socket */
#define TCP_RMEM_DEFAULT 131072        /* tcp_rmem[1] */
#define UDP_MEM_DEFAULT  212992        /* wmem_default, rmem_default */
#define INET_MAX_MEMBERSHIPS 20      /* igmp_max_memberships */
#define EPHEMERAL_LOW    32768         /* ip_local_port_range */
#define EPHEMERAL_HIGH   60999

struct inet_ep {
	uint8_t addr[16];             /* IPv6, or IPv4-mapped */
	uint16_t port;                /* host order */
};

/* Options a socket keeps (Linux's defaults set by inet_sock_alloc). */
struct inet_opts {
	bool reuseaddr, reuseport, keepalive, broadcast, dontroute, oobinline, debug, nocheck;
	bool timestamp, timestampns, passcred, rxq_ovfl, zerocopy;
	bool nodelay, cork, quickack, udp_cork, udp_gro, fastopen_connect, thin_lto;
	bool v6only, freebind, transparent, bind_no_port, recverr, pktinfo, recvtos, recvttl,
	     recvopts, retopts, origdstaddr, mc_loop, mc_all, nodefrag;
	bool v6_recverr, v6_pktinfo, v6_recvtclass, v6_recvhoplimit, v6_mc_loop, v6_dontfrag,
	     v6_autoflowlabel, v6_recvorigdstaddr, v6_freebind;
	bool linger_on;
	int linger_secs;
	bool sndbuf_set, rcvbuf_set;  /* SO_SNDBUF/SO_RCVBUF given: no autotuning */
	int sndbuf, rcvbuf, rcvlowat, priority, mark;
	int tos, ttl, mc_ttl, mtu_discover, minttl;
	uint32_t mc_if;               /* IP_MULTICAST_IF address (network order) */
	int tclass, hops, mc_hops, v6_mtu_discover, v6_mc_if, v6_addr_prefs;
	int maxseg, keepidle, keepintvl, keepcnt, syncnt, linger2, defer_accept, window_clamp,
	    user_timeout, notsent_lowat, fastopen, udp_segment, cscov_send, cscov_recv;
	uint64_t rcvtimeo, sndtimeo;  /* ns, 0 none */
	char bindtodevice[16];
	char congestion[16];
};

struct dgram;

struct inet_sock {
	struct socket sk;             /* first: the file's priv (family, type, protocol) */
	int refs;                     /* the file, a peer, a listener's queue, sleepers */
	struct net_namespace *net;    /* its network namespace (referenced): ports, peers */
	int state;                    /* TCP_*; UDP: TCP_ESTABLISHED when connected */
	int ss;                       /* SS_*: what connect(2) has been told */
	int shutdown;                 /* RCV_SHUTDOWN | SEND_SHUTDOWN */
	int err;                      /* pending error (SO_ERROR), positive */
	bool dead;                    /* its file is closed */
	struct inet_ep local, remote;
	bool bound;                   /* local.port is held in the port table */
	bool user_port, user_addr;    /* bind(2) chose them (SOCK_BIND*_LOCK) */
	struct list_head port_link;   /* port table chain */
	struct list_head all_link;    /* inet_all, for /proc/net */
	struct inet_opts o;
	/* multicast groups joined (IP_ADD_MEMBERSHIP, MCAST_JOIN_GROUP) and
	 * IPv6 extension headers set (IPV6_HOPOPTS, RTHDRDSTOPTS, RTHDR,
	 * DSTOPTS; malloc'd): a socket's own, not inherited by accept */
	struct { uint32_t group; int ifindex; } mc[INET_MAX_MEMBERSHIPS];
	int nmc;
	uint8_t *v6_ext[4];

	/* a host socket carrying the data (-1: none) */
	int hostfd;
	bool outbound;                /* private mode: connected out through hostfd */
	bool host_connecting;         /* its connect is in progress on the host */

	/* TCP on the loopback */
	struct inet_sock *peer;       /* the other end, referenced */
	struct pipe_ring rx;          /* bytes the peer sent, not yet read */
	/* A large copy between rx and guest memory runs with klock dropped
	 * (inet_stream.c, copy_in/copy_out): while one does, rx is neither
	 * resized nor re-based, and other writers or readers wait. */
	bool rx_writer, rx_reader;    /* the peer's writer / our reader copies unlocked */
	bool rx_writer_waits, rx_reader_waits; /* another one waits for it to finish */
	uint32_t rx_gen;              /* bumped when rx is emptied by a disconnect */
	bool rx_fin;                  /* the peer will send no more (SOCK_DONE) */
	bool fin_read;                /* the EOF has been read (rx_queue stops counting it) */
	bool fin_deferred;            /* our FIN waits for a send copying into the peer unlocked */
	bool peer_closed;             /* the peer closed: data we send is answered by a reset */
	struct inet_sock *parent;     /* embryo: the listener whose queue holds it */
	struct inet_sock *pending;    /* connecting: the listener we wait for room on */
	struct list_head q_link;      /* on a listener's acceptq or synq */
	struct list_head acceptq;     /* listener: connections to accept (embryos) */
	struct list_head synq;        /* listener: connectors waiting for room */
	uint64_t nf_syn_deadline;     /* netfilter dropped its SYN: when connect gives up (0: no) */
	int acceptq_len, backlog;
	char *cork_buf;               /* MSG_MORE: bytes held back (inet_stream.c's cork_hold) */
	size_t cork_len, cork_cap;

	/* UDP on the loopback */
	struct list_head dgq;         /* struct dgram */
	size_t rmem;                  /* receive buffer charge */
	uint32_t drops;
	struct dgram *cork;           /* UDP_CORK/MSG_MORE: the datagram being built */

	struct wait_queue wq;         /* anything a sleeper on this socket waits for */
};

/* ---- icmp.c ---- */
/* icmp_create - socket(family, SOCK_RAW, protocol) (-EPERM without
 * CAP_NET_RAW over the namespace, or in host mode) and the ICMP "ping"
 * sockets socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP) and
 * socket(AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6) (-EACCES unless a group
 * of the caller is in net.ipv4.ping_group_range; -EPROTONOSUPPORT for
 * the other protocol of the family).  Linux's inet_create, ping_init_sock. */
int icmp_create(int family, int type, int protocol, int flags, struct file **out);

/* ---- inet.c ---- */
struct inet_sock *inet_sock_alloc(int family, int type, int protocol);
void inet_hold(struct inet_sock *s);
void inet_put(struct inet_sock *s);
struct file *inet_file(struct inet_sock *s, int flags);   /* takes no reference; NULL: ENOMEM */
static inline struct inet_sock *inet_sk(struct file *f) { return (struct inet_sock *)f->priv; }

bool ep_v4(const struct inet_ep *e);              /* IPv4-mapped */
bool ep_any(const struct inet_ep *e);             /* :: or ::ffff:0.0.0.0 */
bool ep_equal_addr(const struct inet_ep *a, const struct inet_ep *b);
void ep_set_v4(struct inet_ep *e, uint32_t addr_be, uint16_t port);
uint32_t ep_v4_addr(const struct inet_ep *e);    /* network order */
/* Whether namespace net owns addr (its loopback, its interface address). */
bool inet_addr_local(const struct net_namespace *net, const struct inet_ep *e);
/* The source address the guest's routing gives for destination dst. */
void inet_route_src(const struct inet_ep *dst, struct inet_ep *src);
/* The socket's name for getsockname/accept in its family. */
void inet_ep_to_sockaddr(int family, const struct inet_ep *e, struct sock_addr *out);
/* A guest sockaddr of the socket's family to an endpoint (connect, sendto) */
int inet_sockaddr_to_ep(struct inet_sock *s, const struct sock_addr *a, struct inet_ep *e);

/* Port tables (one per protocol) */
int inet_autobind(struct inet_sock *s);          /* an ephemeral port if unbound */
void inet_unbind(struct inet_sock *s);
/* Holds port s->local.port for s (an accepted or forwarded socket). */
void inet_hash_port(struct inet_sock *s);
/* The socket of namespace net a connection (a datagram) to dst from src goes to. */
struct inet_sock *inet_lookup_listener(const struct net_namespace *net, const struct inet_ep *dst,
				       const struct inet_ep *src);
/* proto: L_IPPROTO_UDP or L_IPPROTO_UDPLITE */
struct inet_sock *inet_lookup_udp(const struct net_namespace *net, int proto,
				  const struct inet_ep *dst, const struct inet_ep *src);
/* Moves s into the namespace of the socket it is made for (an accepted one). */
void inet_set_net(struct inet_sock *s, struct net_namespace *net);
/* Checks that s may listen on its port; -EADDRINUSE */
int inet_listen_conflict(struct inet_sock *s);

/* ---- inet_stream.c: TCP on the loopback ---- */
int tcp_connect(struct task *t, struct file *f, struct inet_sock *s, const struct inet_ep *dst);
/* a connect whose SYN iptables dropped (nf 1) or rejected (-errno) */
int tcp_connect_filtered(struct task *t, struct file *f, struct inet_sock *s, int nf);
int tcp_listen(struct inet_sock *s, int backlog);
int tcp_accept(struct task *t, struct file *f, struct inet_sock *s, int flags, struct file **out,
	       struct sock_addr *peer);
ssize_t tcp_sendmsg(struct task *t, struct file *f, struct inet_sock *s, struct sock_iter *it,
		    int flags);
ssize_t tcp_recvmsg(struct task *t, struct file *f, struct inet_sock *s, struct sock_iter *it,
		    int flags);
int tcp_shutdown(struct inet_sock *s, int how);
int tcp_disconnect(struct inet_sock *s);
int tcp_abort(struct inet_sock *s);              /* a reset from outside (fault injection) */
short tcp_poll(struct inet_sock *s, struct poll_table *pt);
long tcp_ioctl(struct task *t, struct inet_sock *s, unsigned int cmd, uint64_t arg);
void tcp_close(struct inet_sock *s);
int tcp_rx_queue(struct inet_sock *s);           /* /proc/net/tcp's rx_queue */
/* Queues a connection forwarded in on host socket hostfd (peer: who it
 * seems to come from) on listener l; -ECONNREFUSED if its queue is full. */
int tcp_queue_forwarded(struct inet_sock *l, int hostfd, const struct inet_ep *peer,
			const struct inet_ep *local);

/* ---- inet_dgram.c: UDP ---- */
int udp_connect(struct inet_sock *s, const struct inet_ep *dst);
int udp_disconnect(struct inet_sock *s);
ssize_t udp_sendmsg(struct task *t, struct file *f, struct inet_sock *s, struct sock_iter *it,
		    int flags, struct sock_msg *m);
ssize_t udp_recvmsg(struct task *t, struct file *f, struct inet_sock *s, struct sock_iter *it,
		    int flags, struct sock_msg *m);
short udp_poll(struct inet_sock *s, struct poll_table *pt);
long udp_ioctl(struct task *t, struct inet_sock *s, unsigned int cmd, uint64_t arg);
void udp_free(struct inet_sock *s);
void udp_push_pending(struct inet_sock *s);       /* UDP_CORK cleared */
/* Delivers one datagram to s as if sent from from (forwarded in); drops it if s is full. */
void udp_deliver(struct inet_sock *s, const struct inet_ep *from, const void *buf, size_t len);

/* ---- hostsock.c ---- */
extern const struct proto_ops inet_host_ops;     /* host mode's sockets */
int hostsock_open(struct inet_sock *s);          /* a host socket of s's family and type */
/* The host sockaddr for guest endpoint e (10.0.2.2 -> 127.0.0.1 in private mode). */
socklen_t hostsock_sockaddr(struct inet_sock *s, const struct inet_ep *e, void *ss);
/* A host sockaddr back to a guest endpoint; peer: 127.0.0.1 shows as 10.0.2.2 */
void hostsock_ep(const void *ss, struct inet_ep *e, bool peer);
int hostsock_connect(struct task *t, struct file *f, struct inet_sock *s, const struct inet_ep *dst);
ssize_t hostsock_send(struct task *t, struct file *f, struct inet_sock *s, struct sock_iter *it,
		      int flags, const struct inet_ep *dst, const struct sock_msg *m);
/* nonblock: one try (-EAGAIN); from gets the sender (translated) */
ssize_t hostsock_recv(struct task *t, struct file *f, struct inet_sock *s, struct sock_iter *it,
		      int flags, struct inet_ep *from, struct sock_msg *m, bool nonblock);
short hostsock_poll(struct inet_sock *s, struct poll_table *pt);
int hostsock_shutdown(struct inet_sock *s, int how);
long hostsock_ioctl(struct task *t, struct inet_sock *s, unsigned int cmd, uint64_t arg);
int hostsock_setsockopt(struct inet_sock *s, int level, int name, const void *val, int len);
int hostsock_getsockopt(struct inet_sock *s, int level, int name, void *val, int *len);
int hostsock_sockerr(struct inet_sock *s);       /* the host's SO_ERROR, positive */
void hostsock_sync(struct inet_sock *s);         /* an outbound connect's state from the host */

/* ---- forward.c ---- */
/* A reply from guest port gport to dst, sent through the -p UDP forward
 * that dst's datagrams came in by; -ENOENT when there is none. */
ssize_t forward_udp_reply(uint16_t gport, const struct inet_ep *dst, const void *buf, size_t len);

/* ---- netdev.c ---- */
void netdev_lo_count(size_t bytes);              /* traffic on the guest's loopback */
int netdev_mtu_for(const struct inet_ep *dst);   /* IP_MTU of a connected socket */

#endif
