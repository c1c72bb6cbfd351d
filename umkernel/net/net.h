/*
 * net.h - the net subsystem's interface: the socket layer (socket.c) and
 * the families behind it, AF_UNIX (unix.c), AF_INET and AF_INET6
 * (inet.c, inet_stream.c, inet_dgram.c, hostsock.c), AF_NETLINK
 * (netlink.c), the guest's interfaces (netdev.c), port forwards
 * (forward.c) and /proc/net (proc_net.c).
 *
 * In a nutshell: a socket is a file whose ops are socket.c's
 * socket_file_ops and whose priv is a struct socket, the first member of
 * each family's own socket; socket.ops (Linux's proto_ops) is what the
 * syscalls dispatch to.  Handlers copy guest sockaddrs and control
 * messages in and out; data moves through a struct sock_iter, straight
 * between guest memory and the socket's buffers where the family can.
 * The guest never holds a host fd (DESIGN decision 3): host sockets are
 * fields of kernel objects, reached only through these ops.
 *
 * Networking modes (umk run --net=MODE): NET_PRIVATE (the guest's own
 * loopback, umk's; other destinations through host sockets umk opens;
 * 10.0.2.2 is the host's loopback), NET_HOST (every AF_INET/AF_INET6
 * socket is a host socket), NET_NONE (the guest's loopback only).
 *
 * Every function returns a negative errno on failure, -ERESTARTSYS
 * included.  Locking: klock, held by the caller.
 */
#ifndef UMK_NET_H
#define UMK_NET_H

#include "../fs/fs.h"
#include "../debug/fault.h"

/* Linux's flags and numbers, as the x86-64 guest sees them. */
#define L_AF_UNSPEC        0
#define L_AF_UNIX          1
#define L_AF_INET          2
#define L_AF_INET6         10
#define L_AF_NETLINK       16
#define L_AF_PACKET        17
#define L_AF_MAX           46
#define L_SOCK_STREAM      1
#define L_SOCK_DGRAM       2
#define L_SOCK_RAW         3
#define L_SOCK_SEQPACKET   5
#define L_SOCK_MAX         11
#define L_SOCK_NONBLOCK    04000
#define L_SOCK_CLOEXEC     02000000
#define L_MSG_OOB          0x1
#define L_MSG_PEEK         0x2
#define L_MSG_DONTROUTE    0x4
#define L_MSG_CTRUNC       0x8
#define L_MSG_TRUNC        0x20
#define L_MSG_DONTWAIT     0x40
#define L_MSG_EOR          0x80
#define L_MSG_WAITALL      0x100
#define L_MSG_CONFIRM      0x800
#define L_MSG_ERRQUEUE     0x2000
#define L_MSG_NOSIGNAL     0x4000
#define L_MSG_MORE         0x8000
#define L_MSG_WAITFORONE   0x10000
#define L_MSG_CMSG_CLOEXEC 0x40000000
#define L_SOL_SOCKET       1
#define L_SOL_IP           0
#define L_SOL_TCP          6
#define L_SOL_UDP          17
#define L_SOL_IPV6         41
#define L_SOL_NETLINK      270
#define L_IPPROTO_TCP      6
#define L_IPPROTO_UDP      17
#define L_IPPROTO_UDPLITE  136
#define L_SOL_UDPLITE      136
#define L_SCM_RIGHTS       1
#define L_SCM_CREDENTIALS  2
#define L_SCM_MAX_FD       253
#define L_SUN_PATH_OFF     2          /* offsetof(struct sockaddr_un, sun_path) */
#define L_SOCKADDR_UN_LEN  110        /* sizeof(struct sockaddr_un) */
#define L_SOCKADDR_MAX     128        /* sizeof(struct sockaddr_storage) */
#define L_FIONREAD         0x541B     /* SIOCINQ */
#define L_TIOCOUTQ         0x5411     /* SIOCOUTQ */
#define RCV_SHUTDOWN       1
#define SEND_SHUTDOWN      2
#define SHUTDOWN_MASK      3
#define SOCKFS_DEV         8          /* st_dev of sockets */
#ifndef ENOIOCTLCMD
#define ENOIOCTLCMD        515        /* kernel-internal: "not my ioctl" (never reaches a guest) */
#endif

/* SOL_SOCKET option names (asm-generic/socket.h) */
enum {
	SO_DEBUG_ = 1, SO_REUSEADDR_ = 2, SO_TYPE_ = 3, SO_ERROR_ = 4, SO_DONTROUTE_ = 5,
	SO_BROADCAST_ = 6, SO_SNDBUF_ = 7, SO_RCVBUF_ = 8, SO_KEEPALIVE_ = 9,
	SO_OOBINLINE_ = 10, SO_NO_CHECK_ = 11, SO_PRIORITY_ = 12, SO_LINGER_ = 13,
	SO_BSDCOMPAT_ = 14, SO_REUSEPORT_ = 15, SO_PASSCRED_ = 16, SO_PEERCRED_ = 17,
	SO_RCVLOWAT_ = 18, SO_SNDLOWAT_ = 19, SO_RCVTIMEO_OLD_ = 20, SO_SNDTIMEO_OLD_ = 21,
	SO_BINDTODEVICE_ = 25, SO_TIMESTAMP_OLD_ = 29, SO_ACCEPTCONN_ = 30,
	SO_SNDBUFFORCE_ = 32, SO_RCVBUFFORCE_ = 33, SO_PASSSEC_ = 34, SO_TIMESTAMPNS_OLD_ = 35,
	SO_MARK_ = 36, SO_PROTOCOL_ = 38, SO_DOMAIN_ = 39, SO_RXQ_OVFL_ = 40,
	SO_PEEK_OFF_ = 42, SO_BUSY_POLL_ = 46, SO_INCOMING_CPU_ = 49, SO_ZEROCOPY_ = 60,
	SO_TIMESTAMP_NEW_ = 63, SO_TIMESTAMPNS_NEW_ = 64, SO_RCVTIMEO_NEW_ = 66,
	SO_SNDTIMEO_NEW_ = 67,
};

/* A socket address as bytes, as the guest gave it: len of them (0: none). */
struct sock_addr {
	int len;
	char name[L_SOCKADDR_MAX + 1]; /* room for a NUL after a full sun_path */
};

/* What travels beside the data of one sendmsg/recvmsg. */
struct sock_msg {
	struct sock_addr addr;        /* send: destination (len 0: none); recv: the sender's */
	struct file **fds;            /* AF_UNIX SCM_RIGHTS: send: borrowed; recv: references, caller's */
	int nfds;
	bool cred_set;                /* AF_UNIX: send: SCM_CREDENTIALS given; recv: report cred */
	struct linux_ucred cred;
	int oflags;                   /* recv: MSG_TRUNC, MSG_CTRUNC... for msg_flags */
	const char *ctl;              /* send, other families: the control messages, checked */
	size_t ctllen;
	char *ctl_out;                /* recv, other families: control messages made (malloc'd, */
	size_t ctl_out_len;           /* the caller frees), copied as they are to the guest */
	size_t ctl_room;              /* recv: the guest's control buffer size */
};

/*
 * Where a send's bytes come from or a receive's go: a kernel buffer, or
 * guest iovecs of t (copied straight to or from the socket's buffers).
 * iter_from/iter_to move the next n bytes and advance; they return how
 * many moved (n, or fewer when a guest range faulted after some), or
 * -EFAULT when none could be.
 */
struct sock_iter {
	struct task *t;
	char *kbuf;                   /* non-NULL: kernel buffer */
	const struct linux_iovec *iov; /* else: guest iovecs */
	uint64_t nr_segs;
	uint64_t seg;                 /* current iovec, and the offset in it */
	size_t seg_off;
	size_t count;                 /* bytes not yet moved */
	size_t done;                  /* bytes moved */
};
void iter_init_kbuf(struct sock_iter *it, void *buf, size_t len);
void iter_init_user(struct sock_iter *it, struct task *t, const struct linux_iovec *iov,
		    uint64_t nr, size_t len);
ssize_t iter_from(struct sock_iter *it, void *dst, size_t n);
ssize_t iter_to(struct sock_iter *it, const void *src, size_t n);

/* Linux's proto_ops: what a family does for each socket call.  f is the
 * socket's file (O_NONBLOCK in f->flags).  Optional ones may be NULL. */
struct proto_ops {
	int (*bind)(struct task *t, struct file *f, const struct sock_addr *a);
	int (*connect)(struct task *t, struct file *f, const struct sock_addr *a);
	int (*listen)(struct task *t, struct file *f, int backlog);
	/* the new connection's file (flags: L_SOCK_NONBLOCK) and its peer's name */
	int (*accept)(struct task *t, struct file *f, int flags, struct file **out,
		      struct sock_addr *peer);
	ssize_t (*sendmsg)(struct task *t, struct file *f, struct sock_iter *it, int flags,
			   struct sock_msg *m);
	/* m may be NULL (read(2)); returns the bytes (MSG_TRUNC: the real length) */
	ssize_t (*recvmsg)(struct task *t, struct file *f, struct sock_iter *it, int flags,
			   struct sock_msg *m);
	int (*shutdown)(struct task *t, struct file *f, int how);
	int (*getname)(struct file *f, bool peer, struct sock_addr *out);
	int (*setsockopt)(struct task *t, struct file *f, int level, int name, const void *val,
			  int len);
	/* val has room for SOCKOPT_MAX bytes; *len in: the guest's (>= 0), out: to copy */
	int (*getsockopt)(struct task *t, struct file *f, int level, int name, void *val, int *len);
	long (*ioctl)(struct task *t, struct file *f, unsigned int cmd, uint64_t arg);
	short (*poll)(struct file *f, struct poll_table *pt);
	int (*fstat)(struct file *f, struct kstat *st);   /* optional: the default is sockfs's */
	void (*release)(struct file *f);
};
#define SOCKOPT_MAX 2048          /* IPV6_RTHDR: up to 8 * 255 bytes */

/* The first member of every family's socket; a socket file's priv. */
struct socket {
	const struct proto_ops *ops;
	int family, type, protocol;
	uint64_t ino;
	uint32_t uid, gid;
	struct linux_timespec ctime;
};

/* ---- socket.c ---- */
bool file_is_socket(struct file *f);
static inline struct socket *file_socket(struct file *f) { return f->priv; }
/* A new sockfs inode number (one counter for every family, as Linux's). */
uint64_t sock_alloc_ino(void);
/* Fills s's common fields (ino if still 0, owner, time) and makes its file (flags:
 * L_SOCK_NONBLOCK) with one reference; NULL for -ENOMEM. */
struct file *sock_file_alloc(struct socket *s, const struct proto_ops *ops, int family,
			     int type, int protocol, int flags);
/* Sleeps on wq until woken (deadline: CLOCK_MONOTONIC ns, 0 none): 0,
 * -EAGAIN when it passed, -ERESTARTSYS on a signal (-EINTR if a deadline
 * was set, as sock_intr_errno).  Spins a little first when there is no
 * deadline (the other side is usually quick). */
int sock_wait(struct task *t, struct wait_queue *wq, uint64_t deadline);
/* The same, also woken when host fd hostfd has events. */
int sock_wait_host(struct task *t, struct wait_queue *wq, uint64_t deadline, int hostfd,
		   short events);
uint64_t sock_deadline(uint64_t timeo_ns);
struct linux_timespec sock_now(void);
/* SO_RCVTIMEO/SO_SNDTIMEO: a guest timeval (len bytes at val) to ns
 * (0 none); -EINVAL short, -EDOM bad usec. */
int sock_timeo_from(const void *val, int len, uint64_t *ns);
int sock_timeo_to(uint64_t ns, void *val);

/* ---- socket calls with --inject-net applied: net_fault.c ---- */
int sock_connect_faulty(struct task *t, struct file *f, const struct sock_addr *a);
ssize_t sock_sendmsg_faulty(struct task *t, struct file *f, struct sock_iter *it, int flags,
			    struct sock_msg *m);
ssize_t sock_recvmsg_faulty(struct task *t, struct file *f, struct sock_iter *it, int flags,
			    struct sock_msg *m);
/* The family's connect, sendmsg and recvmsg of socket file f, unless a
 * network fault applies (debug/fault.h: one predictable branch when no
 * --inject-net is given). */
static inline int sock_connect(struct task *t, struct file *f, const struct sock_addr *a)
{
	if (__builtin_expect(fault_net_enabled, 0))
		return sock_connect_faulty(t, f, a);
	return file_socket(f)->ops->connect(t, f, a);
}
static inline ssize_t sock_sendmsg(struct task *t, struct file *f, struct sock_iter *it, int flags,
				   struct sock_msg *m)
{
	if (__builtin_expect(fault_net_enabled, 0))
		return sock_sendmsg_faulty(t, f, it, flags, m);
	return file_socket(f)->ops->sendmsg(t, f, it, flags, m);
}
static inline ssize_t sock_recvmsg(struct task *t, struct file *f, struct sock_iter *it, int flags,
				   struct sock_msg *m)
{
	if (__builtin_expect(fault_net_enabled, 0))
		return sock_recvmsg_faulty(t, f, it, flags, m);
	return file_socket(f)->ops->recvmsg(t, f, it, flags, m);
}

/* ---- AF_UNIX: unix.c ---- */
int unix_create(int type, int flags, struct file **out);
int unix_pair(int type, int flags, struct file **a, struct file **b);
/* sockopt.c: SOL_SOCKET options all families check alike (see there) */
int sock_bindtodevice(const void *val, int len);
int sock_setsockopt_common(int name, int v, const void *val, int len);
/* The SOL_SOCKET state of a socket kept wholly in umk (packet, netlink,
 * icmp), and the setsockopt/getsockopt of it (sockopt.c). */
#define SOCK_MEM_MAX 212992           /* net.core.wmem_max, rmem_max */
struct sock_sol {
	int sndbuf, rcvbuf;           /* as SO_SNDBUF/SO_RCVBUF report them */
	int err;                      /* pending error (SO_ERROR), positive */
	bool passcred;
	uint64_t rcvtimeo, sndtimeo;  /* ns, 0: none */
};
int sock_sol_setsockopt(struct sock_sol *so, const struct socket *sk, int name, const void *val,
			int len);
int sock_sol_getsockopt(struct sock_sol *so, const struct socket *sk, int name, void *val,
			int *len);
/* checks SCM_CREDENTIALS c and turns it into the kernel's values */
int unix_check_creds(struct task *t, struct linux_ucred *c);
/* /proc/net/unix, appended to *buf (malloc'd, *len bytes) */
struct net_text { char *buf; size_t len, cap; };
void net_printf(struct net_text *nt, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void unix_proc_net(struct net_text *nt);

/* ---- NETLINK_SOCK_DIAG (sock_diag.c): a socket as inet.c and unix.c
 * describe it, for inet_diag and unix_diag answers ---- */
struct sock_diag_info {
	int family, type, protocol;
	int state;                    /* Linux's sk_state: TCP_* numbers (inet.h) */
	int shutdown;                 /* RCV_SHUTDOWN | SEND_SHUTDOWN */
	uint64_t ino;
	uint32_t uid;
	uint8_t src[16], dst[16];     /* IPv6 or IPv4-mapped (inet) */
	uint16_t sport, dport;        /* host order */
	uint32_t rqueue, wqueue;      /* as Linux's idiag_rqueue/wqueue, udiag_rqueue/wqueue */
	uint32_t rmem, wmem, rcvbuf, sndbuf;
	uint8_t tos, tclass;
	bool v6only, recverr, freebind, mc_loop, transparent, mc_all, nodefrag, bind_no_port;
	char cong[16];                /* TCP_CONGESTION */
	/* AF_UNIX */
	uint64_t peer_ino;            /* 0: none */
	uint64_t vfs_ino, vfs_dev;    /* a path-bound socket's file; 0: none */
	char name[110];               /* sun_path bytes (a path's NUL included) */
	int namelen;                  /* 0: unbound */
	uint64_t *icons;              /* a listener's queued connectors (malloc'd) */
	int nicons;
};
/* The sockets of net in *out (malloc'd array of *n, icons malloc'd too):
 * inet ones of family and protocol (inet.c), or unix ones (unix.c).
 * 0 or -ENOMEM. */
int inet_diag_list(struct net_namespace *net, int family, int protocol,
		   struct sock_diag_info **out, int *n);
int unix_diag_list(struct net_namespace *net, struct sock_diag_info **out, int *n);

/* ---- the networking mode and forwards: forward.c ---- */
enum net_mode { NET_PRIVATE, NET_HOST, NET_NONE };
extern enum net_mode net_mode;
/* Network namespaces (netdev.c): the caller's (the initial one without a
 * task), and the mode a namespace sees: net_mode in the initial one,
 * NET_NONE (its own loopback, nothing else) in one made by CLONE_NEWNET.
 * Sockets keep the namespace they were made in. */
struct net_namespace *current_net(void);
enum net_mode net_mode_of(const struct net_namespace *ns);
/*
 * net_add_forward - one -p [HOSTIP:]HOSTPORT:GUESTPORT[/tcp|/udp]: 0, or
 * -EINVAL for a spec that does not parse (err gets a message).
 */
int net_add_forward(const char *spec, char *err, size_t errlen);
/* net_start - opens the forwards' host sockets and starts the thread
 * that serves them (private mode).  Before the guest runs; 0, or -errno
 * with a message in err. */
int net_start(char *err, size_t errlen);

/* ---- AF_INET, AF_INET6: inet.c ---- */
int inet_create(int family, int type, int protocol, int flags, struct file **out);
/* Resets TCP socket f's connection as if a reset came (--inject-net
 * fault=reset; Linux's tcp_abort): its peer gets the reset, f a closed
 * connection.  0, or -EOPNOTSUPP, -ENOTCONN. */
int inet_abort(struct file *f);
void inet_proc_net(const char *name, struct net_text *nt);   /* tcp, tcp6, udp, udp6 */

/* ---- AF_NETLINK: netlink.c ---- */
int netlink_create(int type, int protocol, int flags, struct file **out);
int packet_create(int type, int protocol, int flags, struct file **out);   /* packet.c */
int netlink_kernel_send(struct file *f, const void *data, size_t len);

/* ---- the guest's interfaces: netdev.c ---- */
/* SIOCGIF* and SIOCGIFCONF on any socket; -ENOIOCTLCMD if cmd is not one */
long netdev_ioctl(struct task *t, unsigned int cmd, uint64_t arg);
int *netdev_conf_tag(int dev);
/* /proc/sys/net/ipv4/ping_group_range of the caller's namespace: [lo, hi]
 * (Linux's default "1 0": nobody); NULL on ENOMEM. */
int *netdev_ping_group_range(void);    /* /proc/sys/net/ipv4/conf/{all,default,lo}/tag (0, 1, 2) */
void netdev_proc_net(const char *name, struct net_text *nt);  /* dev, if_inet6, route */

/* ---- /dev/net/tun: tun.c ---- */
int tun_chr_open(int flags, const char *path, const struct kstat *node, struct file **out);

/* ---- iptables: netfilter.c ---- */
/* setsockopt/getsockopt of netfilter's options (IPT_SO_*) on socket f
 * at level, the value at guest address uval (len bytes; for get, *len
 * in and out): as Linux's nf_setsockopt/nf_getsockopt.  -ENOPROTOOPT
 * when the option is not netfilter's, or f's stack has none (host
 * sockets): the family answers it then. */
int nf_setsockopt(struct task *t, struct file *f, int level, int name, uint64_t uval, int len);
int nf_getsockopt(struct task *t, struct file *f, int level, int name, uint64_t uval, int *len);
/* /proc/net/ip_tables_names, ip_tables_matches, ip_tables_targets */
void nf_proc_net(const char *name, struct net_text *nt);
/* a namespace's last reference went: its tables go */
void nf_net_release(struct net_namespace *ns);
/* inet.c, icmp.c: the namespace of an AF_INET/AF_INET6 socket of umk's
 * own stack (NULL: another socket, a host socket in host mode) */
struct net_namespace *inet_file_net(struct file *f);
struct net_namespace *icmp_file_net(struct file *f);

/* ---- /proc/net: proc_net.c ---- */
/* The text of /proc/net/NAME (malloc'd in *buf); -ENOENT if no such file.
 * names: the files, NULL-terminated. */
int net_proc_show(const char *name, char **buf, size_t *len);
extern const char *const net_proc_names[];

#endif
