/*
 * sockopt.c - the SOL_SOCKET options every socket family accepts the same
 * way, whose effect umk has no use for: timestamps, busy polling, marks,
 * the filter lock, device binding to the guest's one device (lo)...
 * Linux's sk_setsockopt (net/core/sock.c) checks each value and stores
 * it; here the value is checked exactly so (the errno a guest sees is
 * Linux's) and dropped.  Options that would change what umk does
 * (SO_PEEK_OFF to an offset, SO_PASSPIDFD on, a socket filter) stay
 * -ENOPROTOOPT rather than be accepted and ignored.
 *
 * Found by fuzzing: trinity retries setsockopt on each new AF_UNIX
 * socket until one succeeds, and with these options missing it retried
 * long enough to hit its own out-of-bounds read (see tests/fuzz/trinity.sh).
 *
 * Locking: klock, held by the caller.
 */
#include "../kernel.h"
#include "../fs/fs.h"
#include "net.h"
#include <string.h>

/* asm-generic/socket.h (the names net.h does not have) */
enum {
	SO_ATTACH_FILTER_ = 26, SO_DETACH_FILTER_ = 27, SO_TIMESTAMPING_OLD_ = 37,
	SO_WIFI_STATUS_ = 41, SO_NOFCS_ = 43, SO_LOCK_FILTER_ = 44, SO_SELECT_ERR_QUEUE_ = 45,
	SO_MAX_PACING_RATE_ = 47, SO_ATTACH_BPF_ = 50, SO_ATTACH_REUSEPORT_CBPF_ = 51,
	SO_ATTACH_REUSEPORT_EBPF_ = 52, SO_CNX_ADVICE_ = 53, SO_TXTIME_ = 61, SO_BINDTOIFINDEX_ = 62,
	SO_TIMESTAMPING_NEW_ = 65, SO_DETACH_REUSEPORT_BPF_ = 68, SO_PREFER_BUSY_POLL_ = 69,
	SO_BUSY_POLL_BUDGET_ = 70, SO_BUF_LOCK_ = 72, SO_RESERVE_MEM_ = 73, SO_TXREHASH_ = 74,
	SO_RCVMARK_ = 75, SO_PASSPIDFD_ = 76,
};

/* linux/net_tstamp.h: SOF_TIMESTAMPING_* */
#define SOF_OPT_ID        (1 << 7)
#define SOF_OPT_TSONLY    (1 << 11)
#define SOF_OPT_STATS     (1 << 12)
#define SOF_BIND_PHC      (1 << 15)
#define SOF_OPT_ID_TCP    (1 << 16)
#define SOF_MASK          ((1 << 19) - 1)
#define IFNAMSIZ          16
#define LOOPBACK_IFINDEX  1

/*
 * sock_bindtodevice - SO_BINDTODEVICE: val holds up to IFNAMSIZ-1 bytes
 * of an interface name (NULL: not readable).  The guest's one device is
 * "lo"; "" unbinds.  -EINVAL for a negative len, -EFAULT, -ENODEV.
 * Mirrors sock_setbindtodevice.
 */
int sock_bindtodevice(const void *val, int len)
{
	char name[IFNAMSIZ] = { 0 };

	if (len < 0)
		return -EINVAL;
	if (len > IFNAMSIZ - 1)
		len = IFNAMSIZ - 1;
	if (len && !val)
		return -EFAULT;
	memcpy(name, val ? val : "", len);
	if (name[0] && strcmp(name, "lo"))
		return -ENODEV;
	return 0;
}

/*
 * sock_setsockopt_common - the SOL_SOCKET options above, for a family's
 * setsockopt once it has found the option is none of its own.  v: the
 * first int of val; val/len: the whole value (len >= sizeof(int), val
 * readable).  Returns 0, the errno Linux gives for the value, or
 * -ENOPROTOOPT for an option not listed.
 */
int sock_setsockopt_common(int name, int v, const void *val, int len)
{
	switch (name) {
	case SO_NO_CHECK_:
	case SO_BSDCOMPAT_:
	case SO_TIMESTAMP_OLD_:
	case SO_TIMESTAMPNS_OLD_:
	case SO_TIMESTAMP_NEW_:
	case SO_TIMESTAMPNS_NEW_:
	case SO_MARK_:            /* CAP_NET_ADMIN: the guest is root */
	case SO_RCVMARK_:
	case SO_RXQ_OVFL_:
	case SO_WIFI_STATUS_:
	case SO_NOFCS_:
	case SO_LOCK_FILTER_:     /* unlocking needs a lock set before: none kept */
	case SO_SELECT_ERR_QUEUE_:
	case SO_MAX_PACING_RATE_:
	case SO_INCOMING_CPU_:
	case SO_CNX_ADVICE_:
	case SO_PREFER_BUSY_POLL_:
		return 0;
	case SO_TIMESTAMPING_OLD_:
	case SO_TIMESTAMPING_NEW_:
		if (v & ~SOF_MASK)
			return -EINVAL;
		if ((v & SOF_OPT_ID_TCP) && !(v & SOF_OPT_ID))
			return -EINVAL;
		if ((v & SOF_OPT_STATS) && !(v & SOF_OPT_TSONLY))
			return -EINVAL;
		if (v & SOF_BIND_PHC)
			return -EOPNOTSUPP;   /* no PTP clock behind the socket */
		return 0;
	case SO_BUSY_POLL_:
		return v < 0 ? -EINVAL : 0;
	case SO_BUSY_POLL_BUDGET_:
		return v < 0 || v > 0xffff ? -EINVAL : 0;
	case SO_BUF_LOCK_:
		return v & ~3 ? -EINVAL : 0;
	case SO_BINDTOIFINDEX_:
		if (v < 0)
			return -EINVAL;
		return v == 0 || v == LOOPBACK_IFINDEX ? 0 : -ENODEV;
	case SO_ATTACH_FILTER_:
	case SO_ATTACH_REUSEPORT_CBPF_: {
		/* a struct sock_fprog {u16 len; filter *}: an empty one is
		 * EINVAL; umk runs no socket filters */
		uint16_t n;

		if (len != 16 || name == SO_ATTACH_REUSEPORT_CBPF_)
			return -EINVAL;
		memcpy(&n, val, sizeof(n));
		return n ? -ENOPROTOOPT : -EINVAL;
	}
	case SO_ATTACH_BPF_:
	case SO_ATTACH_REUSEPORT_EBPF_: {
		/* a bpf program's fd: umk has none, so any open fd is not one */
		struct file *f = v < 0 ? NULL : fd_get(current, v);

		if (!f)
			return -EBADF;
		file_put(f);
		return -EINVAL;
	}
	case SO_DETACH_FILTER_:
		return -ENOENT;
	case SO_DETACH_REUSEPORT_BPF_:
		return -EINVAL;
	case SO_ZEROCOPY_:
	case SO_TXREHASH_:
		return -EOPNOTSUPP;       /* inet sockets only */
	case SO_RESERVE_MEM_:
		return v < 0 ? -EINVAL : -EOPNOTSUPP;
	case SO_TXTIME_: {
		struct { int32_t clockid; uint32_t flags; } tt;

		if (len != (int)sizeof(tt))
			return -EINVAL;
		memcpy(&tt, val, sizeof(tt));
		if (tt.flags & ~3u)
			return -EINVAL;
		/* CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_TAI */
		return tt.clockid == 0 || tt.clockid == 1 || tt.clockid == 11 ? 0 : -EINVAL;
	}
	case SO_PEEK_OFF_:        /* only "off", what umk does anyway */
	case SO_PASSPIDFD_:
		return v < 0 || (name == SO_PASSPIDFD_ && !v) ? 0 : -ENOPROTOOPT;
	}
	return -ENOPROTOOPT;
}

/*
 * sock_sol_setsockopt - setsockopt(2) at SOL_SOCKET on socket sk, of a
 * family whose sockets live wholly in umk (packet, netlink, icmp), its
 * state in so: the buffer sizes
 * (SO_SNDBUF/SO_RCVBUF doubled and clamped to net.core.[wr]mem_max as
 * sk_setsockopt does; the *FORCE variants unclamped), the timeouts,
 * SO_PASSCRED (netlink only: -EOPNOTSUPP elsewhere, as Linux 6.16's
 * sk_may_scm_recv), the options whose value changes nothing here, and then
 * sock_setsockopt_common.  val/len: the guest's value, copied in (NULL
 * when unreadable).  Returns 0, -EFAULT, -EINVAL (short value), -EDOM (a
 * bad timeout) or what sock_setsockopt_common returns.
 */
int sock_sol_setsockopt(struct sock_sol *so, const struct socket *sk, int name, const void *val,
			int len)
{
	int v;

	switch (name) {
	case SO_RCVTIMEO_OLD_:
	case SO_RCVTIMEO_NEW_:
		return val ? sock_timeo_from(val, len, &so->rcvtimeo) : -EFAULT;
	case SO_SNDTIMEO_OLD_:
	case SO_SNDTIMEO_NEW_:
		return val ? sock_timeo_from(val, len, &so->sndtimeo) : -EFAULT;
	}
	if (len < (int)sizeof(int))
		return -EINVAL;
	if (!val)
		return -EFAULT;
	memcpy(&v, val, sizeof(v));
	switch (name) {
	case SO_SNDBUF_:
	case SO_SNDBUFFORCE_:
		so->sndbuf = (unsigned)v > SOCK_MEM_MAX / 2 && name == SO_SNDBUF_ ? SOCK_MEM_MAX :
			     (v < 2304 ? 4608 : v * 2);          /* SOCK_MIN_SNDBUF */
		return 0;
	case SO_RCVBUF_:
	case SO_RCVBUFFORCE_:
		so->rcvbuf = (unsigned)v > SOCK_MEM_MAX / 2 && name == SO_RCVBUF_ ? SOCK_MEM_MAX :
			     (v < 1152 ? 2304 : v * 2);          /* SOCK_MIN_RCVBUF */
		return 0;
	case SO_PASSCRED_:
		if (sk->family != L_AF_NETLINK)
			return -EOPNOTSUPP;   /* sk_may_scm_recv: unix, netlink (6.16) */
		so->passcred = v != 0;
		return 0;
	case SO_REUSEADDR_:
	case SO_KEEPALIVE_:
	case SO_PRIORITY_:
	case SO_RCVLOWAT_:
	case SO_BROADCAST_:
	case SO_DONTROUTE_:
		return 0;
	}
	return sock_setsockopt_common(name, v, val, len);
}

/*
 * sock_sol_getsockopt - getsockopt(2) at SOL_SOCKET for the same
 * families: SO_TYPE, SO_PROTOCOL and SO_DOMAIN from sk, SO_ERROR (read
 * and cleared), the buffer sizes, SO_PASSCRED (as set), SO_ACCEPTCONN (0: none of
 * them listens) and the timeouts.  val: a kernel buffer of *len bytes
 * (*len >= 0), of which *len is set to the bytes filled.  Returns 0 or
 * -ENOPROTOOPT for an option not listed.  Mirrors sk_getsockopt.
 */
int sock_sol_getsockopt(struct sock_sol *so, const struct socket *sk, int name, void *val,
			int *len)
{
	int v;

	switch (name) {
	case SO_TYPE_: v = sk->type; break;
	case SO_PROTOCOL_: v = sk->protocol; break;
	case SO_DOMAIN_: v = sk->family; break;
	case SO_ERROR_: v = so->err; so->err = 0; break;
	case SO_SNDBUF_: v = so->sndbuf; break;
	case SO_RCVBUF_: v = so->rcvbuf; break;
	case SO_PASSCRED_:
		if (sk->family != L_AF_NETLINK)
			return -EOPNOTSUPP;
		v = so->passcred;
		break;
	case SO_ACCEPTCONN_: v = 0; break;
	case SO_RCVTIMEO_OLD_:
	case SO_RCVTIMEO_NEW_:
	case SO_SNDTIMEO_OLD_:
	case SO_SNDTIMEO_NEW_: {
		int l = sock_timeo_to(name == SO_RCVTIMEO_OLD_ || name == SO_RCVTIMEO_NEW_ ?
				      so->rcvtimeo : so->sndtimeo, val);

		if (*len > l)
			*len = l;
		return 0;
	}
	default:
		return -ENOPROTOOPT;
	}
	if (*len > (int)sizeof(v))
		*len = sizeof(v);
	memcpy(val, &v, *len);
	return 0;
}
