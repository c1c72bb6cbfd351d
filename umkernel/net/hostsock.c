/*
 * hostsock.c - sockets whose data path is a host socket that umk holds:
 * in host mode every AF_INET/AF_INET6 socket (inet_host_ops); in private
 * mode the TCP connections out of the guest, those forwarded in by -p,
 * and UDP sockets that talked to the host (inet.c, inet_dgram.c).
 *
 * In a nutshell: the host socket is a field of the kernel's struct
 * inet_sock (DESIGN decision 3: the guest never holds a host fd), always
 * non-blocking; umk makes a guest's blocking call block by sleeping in
 * task_sleep on the host fd (klock dropped), with the guest's SO_RCVTIMEO
 * and SO_SNDTIMEO, so signals interrupt it as they would a Linux socket.
 * Data goes through one kernel buffer each way (one copy through umk),
 * sent with MSG_NOSIGNAL (SIGPIPE is the guest's, sent by umk).  Socket
 * options pass to the host only from an allow-list of those whose values
 * are plain bytes: nothing that takes a pointer (socket filters, zero-copy
 * receive), changes the host's routing or firewall marks (SO_MARK,
 * IP_TRANSPARENT, IPsec policies) or repairs connections (TCP_REPAIR,
 * TCP_ULP); those are -EPERM, options umk does not know -ENOPROTOOPT.
 * Control messages pass only at the IP, IPv6, TCP and UDP levels.
 *
 * In private mode addresses are translated: the guest's 10.0.2.2 is the
 * host's 127.0.0.1 (QEMU's and slirp's gateway convention), and the
 * guest's own end of an outbound connection is 10.0.2.15.
 *
 * Locking: klock, held by the caller; dropped only while sleeping.
 */
#include "netfilter.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define HOST_CHUNK     (256 * 1024)   /* bytes moved per host call */
#define HOST_CTL_MAX   4096
#define GATEWAY        0x0a000202     /* 10.0.2.2 */
#define GUEST_ADDR     0x0a00020f     /* 10.0.2.15 */
#define SEND_FLAGS     (L_MSG_OOB | L_MSG_DONTROUTE | L_MSG_EOR | L_MSG_MORE | L_MSG_CONFIRM | \
			0x20000000 /* MSG_FASTOPEN */)
#define RECV_FLAGS     (L_MSG_OOB | L_MSG_PEEK | L_MSG_TRUNC | L_MSG_ERRQUEUE)

/* hostsock_open - see inet.h. */
int hostsock_open(struct inet_sock *s)
{
	int fd = socket(s->sk.family == L_AF_INET ? AF_INET : AF_INET6,
			(s->sk.type == L_SOCK_STREAM ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK |
				SOCK_CLOEXEC,
			s->sk.protocol);

	if (fd < 0)
		return -errno;
	s->hostfd = fd;
	return 0;
}

/* hostsock_sockaddr - see inet.h; returns the sockaddr's length. */
socklen_t hostsock_sockaddr(struct inet_sock *s, const struct inet_ep *e, void *ss)
{
	struct inet_ep h = *e;

	if (net_mode == NET_PRIVATE && ep_v4(&h) && ntohl(ep_v4_addr(&h)) == GATEWAY)
		ep_set_v4(&h, htonl(INADDR_LOOPBACK), h.port);
	if (s->sk.family == L_AF_INET) {
		struct sockaddr_in *in = ss;

		memset(in, 0, sizeof(*in));
		in->sin_family = AF_INET;
		in->sin_port = htons(h.port);
		in->sin_addr.s_addr = ep_v4_addr(&h);
		return sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = ss;

		memset(in6, 0, sizeof(*in6));
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(h.port);
		memcpy(&in6->sin6_addr, h.addr, 16);
		return sizeof(*in6);
	}
}

/* hostsock_ep - see inet.h. */
void hostsock_ep(const void *ss, struct inet_ep *e, bool peer)
{
	const struct sockaddr *sa = ss;

	memset(e, 0, sizeof(*e));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = ss;

		ep_set_v4(e, in->sin_addr.s_addr, ntohs(in->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = ss;

		memcpy(e->addr, &in6->sin6_addr, 16);
		e->port = ntohs(in6->sin6_port);
	}
	if (net_mode == NET_PRIVATE && peer && ep_v4(e) && ntohl(ep_v4_addr(e)) == INADDR_LOOPBACK)
		ep_set_v4(e, htonl(GATEWAY), e->port);
}

/* Sleeps until the host fd has events (or wq is woken, or the deadline). */
static int host_wait(struct task *t, struct inet_sock *s, short events, uint64_t deadline)
{
	return sock_wait_host(t, &s->wq, deadline, s->hostfd, events);
}

/* hostsock_sockerr - SO_ERROR of the host socket (which clears it). */
int hostsock_sockerr(struct inet_sock *s)
{
	int v = 0;
	socklen_t l = sizeof(v);

	if (s->hostfd < 0 || getsockopt(s->hostfd, SOL_SOCKET, SO_ERROR, &v, &l) < 0)
		return 0;
	return v;
}

/* ---- the data path, both modes ---- */

/*
 * One sendmsg through host socket s->hostfd: name (host form, nlen
 * bytes, or NULL) and control messages as given.  Streams send it all
 * (waiting for room unless non-blocking: then what fits, or -EAGAIN),
 * datagrams in one piece.  -EPIPE sends the guest SIGPIPE unless
 * MSG_NOSIGNAL.
 */
static ssize_t host_send(struct task *t, struct file *f, struct inet_sock *s, struct sock_iter *it,
			 int flags, const void *name, socklen_t nlen, const char *ctl, size_t ctllen)
{
	bool nonblock = (flags & L_MSG_DONTWAIT) || (f->flags & O_NONBLOCK);
	bool stream = s->sk.type == L_SOCK_STREAM;
	uint64_t deadline = sock_deadline(s->o.sndtimeo);
	size_t len = it->count, sent = 0, chunk;
	char *kb, *hctl = NULL;
	size_t hctllen = 0;
	ssize_t r = 0;

	/* the control messages the host may see */
	if (ctllen) {
		struct linux_cmsghdr h;
		size_t off = 0;

		hctl = malloc(ctllen);
		if (!hctl)
			return -ENOMEM;
		while (off + sizeof(h) <= ctllen) {
			memcpy(&h, ctl + off, sizeof(h));
			if (h.cmsg_level == L_SOL_IP || h.cmsg_level == L_SOL_IPV6 ||
			    h.cmsg_level == L_SOL_UDP || h.cmsg_level == L_SOL_TCP) {
				memcpy(hctl + hctllen, ctl + off, h.cmsg_len);
				hctllen += LINUX_CMSG_ALIGN(h.cmsg_len);
				if (hctllen > ctllen)
					hctllen = ctllen;
			}
			off += LINUX_CMSG_ALIGN(h.cmsg_len);
		}
	}
	chunk = stream ? (len < HOST_CHUNK ? len : HOST_CHUNK) : len;
	kb = malloc(chunk ? chunk : 1);
	if (!kb) {
		free(hctl);
		return -ENOMEM;
	}
	do {
		size_t n = len - sent < chunk ? len - sent : chunk;
		struct iovec v = { kb, n };
		struct msghdr mh = { (void *)name, nlen, &v, 1, hctllen ? hctl : NULL, hctllen, 0 };
		ssize_t got = n ? iter_from(it, kb, n) : 0;
		size_t done = 0;

		if (got < 0) {
			/* Linux's tcp_sendmsg looks at the connection before the
			 * data: an empty send says what it would have said */
			r = -EFAULT;
			if (stream && !sent && send(s->hostfd, kb, 0, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 &&
			    errno != EAGAIN)
				r = -errno;
			break;
		}
		v.iov_len = got;
		for (;;) {
			r = sendmsg(s->hostfd, &mh, (flags & SEND_FLAGS) | MSG_DONTWAIT | MSG_NOSIGNAL);
			if (r >= 0) {
				done += r;
				if (!stream || done == (size_t)got)
					break;
				v.iov_base = kb + done;
				v.iov_len = got - done;
				mh.msg_control = NULL;
				mh.msg_controllen = 0;
				continue;
			}
			r = -errno;
			if (r != -EAGAIN || nonblock)
				break;
			r = host_wait(t, s, POLLOUT, deadline);
			if (r)
				break;
		}
		sent += done;
		if (done < (size_t)got) {
			/* give back what the host did not take */
			it->count += got - done;
			it->done -= got - done;
			break;
		}
		if (r < 0 || (size_t)got < n)
			break;
		hctllen = 0;
	} while (stream && sent < len);
	free(kb);
	free(hctl);
	if (sent || (!stream && r >= 0))
		return stream ? (ssize_t)sent : r;
	if (r == -EPIPE && !(flags & L_MSG_NOSIGNAL) && t)
		send_signal(t, SIGPIPE, NULL, false);
	return r;
}

/*
 * One recvmsg through the host socket into it: name gets the sender's
 * host sockaddr (*nlen its length), m the control messages.  A blocking
 * call waits for data (up to SO_RCVTIMEO); MSG_WAITALL on a stream
 * gathers until the count, EOF or an error.  nonblock: one try.
 */
static ssize_t host_recv(struct task *t, struct inet_sock *s, struct sock_iter *it, int flags,
			 void *name, socklen_t *nlen, struct sock_msg *m, bool nonblock)
{
	bool stream = s->sk.type == L_SOCK_STREAM;
	uint64_t deadline = sock_deadline(s->o.rcvtimeo);
	size_t len = it->count, copied = 0, bufsz;
	char *kb, *ctl = NULL;
	size_t ctlroom = m && m->ctl_room ? (m->ctl_room < HOST_CTL_MAX ? m->ctl_room : HOST_CTL_MAX) : 0;
	ssize_t r;

	bufsz = stream ? (len < HOST_CHUNK ? len : HOST_CHUNK) : (len < 65536 ? len : 65536);
	kb = malloc(bufsz ? bufsz : 1);
	if (ctlroom)
		ctl = malloc(ctlroom);
	if (!kb || (ctlroom && !ctl)) {
		free(kb);
		free(ctl);
		return -ENOMEM;
	}
	for (;;) {
		size_t want = stream && len - copied < bufsz ? len - copied : bufsz;
		struct iovec v = { kb, want };
		struct msghdr mh = { name, name ? *nlen : 0, &v, 1, ctl, ctlroom, 0 };

		r = recvmsg(s->hostfd, &mh, (flags & RECV_FLAGS) | MSG_DONTWAIT);
		if (r >= 0) {
			size_t c = (size_t)r < want ? (size_t)r : want;
			ssize_t put = c ? iter_to(it, kb, c) : 0;

			if (put < 0) {
				r = copied ? (ssize_t)copied : put;
				break;
			}
			if (name)
				*nlen = mh.msg_namelen;
			if (m) {
				m->oflags |= mh.msg_flags & (L_MSG_TRUNC | L_MSG_CTRUNC | L_MSG_EOR | L_MSG_OOB);
				if (mh.msg_controllen && !m->ctl_out) {
					m->ctl_out = ctl;
					m->ctl_out_len = mh.msg_controllen;
					ctl = NULL;
				}
			}
			if (!stream) {
				copied = r;     /* the full length when MSG_TRUNC asked */
				break;
			}
			copied += c;
			if (!r || !(flags & L_MSG_WAITALL) || copied == len || (flags & L_MSG_PEEK)) {
				r = copied;
				break;
			}
			continue;
		}
		r = -errno;
		if (r != -EAGAIN || nonblock || (copied && t && signal_pending(t))) {
			if (copied)
				r = copied;
			break;
		}
		r = host_wait(t, s, POLLIN, deadline);
		if (r) {
			if (copied)
				r = copied;
			break;
		}
	}
	free(kb);
	free(ctl);
	if (r >= 0 && !stream)
		return copied;
	return r;
}

/* ---- private mode's helpers (inet.c, inet_dgram.c) ---- */

/* hostsock_sync - brings an outbound connect's state up to date with the host's. */
void hostsock_sync(struct inet_sock *s)
{
	struct sockaddr_storage ss;
	socklen_t l = sizeof(ss);
	struct pollfd p = { s->hostfd, POLLOUT, 0 };

	if (s->state != TCP_SYN_SENT || s->hostfd < 0)
		return;
	if (getpeername(s->hostfd, (struct sockaddr *)&ss, &l) == 0) {
		s->state = TCP_ESTABLISHED;
		l = sizeof(ss);
		if (getsockname(s->hostfd, (struct sockaddr *)&ss, &l) == 0) {
			struct inet_ep e;

			hostsock_ep(&ss, &e, false);
			s->local.port = e.port;
		}
		return;
	}
	if (poll(&p, 1, 0) > 0 && (p.revents & (POLLERR | POLLHUP)))
		s->state = TCP_CLOSE;
}

/* The guest's own end of an outbound connection: 10.0.2.15 (or the bound name). */
static void outbound_local(struct inet_sock *s)
{
	struct sockaddr_storage ss;
	socklen_t l = sizeof(ss);
	struct inet_ep e;

	if (getsockname(s->hostfd, (struct sockaddr *)&ss, &l) < 0)
		return;
	hostsock_ep(&ss, &e, false);
	if (!s->user_addr) {
		inet_route_src(&s->remote, &s->local);
		if (!ep_v4(&s->remote))
			memcpy(s->local.addr, e.addr, 16);
	}
	if (!s->user_port)
		s->local.port = e.port;
}

/*
 * hostsock_connect - connect(2) out of the guest in private mode: a host
 * socket connected to dst (10.0.2.2 meaning the host's 127.0.0.1); dst
 * NULL repeats a connect (EALREADY while in progress, 0 once it is done,
 * then EISCONN).  Blocking ones wait for the host's answer; its refusal
 * (ECONNREFUSED...) leaves the socket unconnected and reusable.
 */
/*
 * iptables' OUTPUT and POSTROUTING on the SYN of s's connection out to
 * dst (netfilter.c): 0 to go on, 1 dropped, -errno rejected.  Its source
 * port is the one the host socket will use: bound first (to port 0 when
 * unbound), which sends nothing, so a dropped SYN never leaves umk.
 */
static int nf_syn_out(struct inet_sock *s, const struct inet_ep *dst)
{
	struct sockaddr_storage a;
	socklen_t alen = sizeof(a);
	struct inet_ep src;
	struct nf_pkt p = { 0 };

	if (getsockname(s->hostfd, (struct sockaddr *)&a, &alen) == 0 &&
	    ((a.ss_family == AF_INET && !((struct sockaddr_in *)&a)->sin_port) ||
	     (a.ss_family == AF_INET6 && !((struct sockaddr_in6 *)&a)->sin6_port))) {
		struct sockaddr_storage any = { .ss_family = a.ss_family };

		bind(s->hostfd, (struct sockaddr *)&any, a.ss_family == AF_INET ?
		     sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
		alen = sizeof(a);
		getsockname(s->hostfd, (struct sockaddr *)&a, &alen);
	}
	src = s->local;
	if (ep_any(&src))
		inet_route_src(dst, &src);
	p.saddr = ep_v4_addr(&src);
	p.daddr = ep_v4_addr(dst);
	p.proto = L_IPPROTO_TCP;
	p.sport = ntohs(a.ss_family == AF_INET ? ((struct sockaddr_in *)&a)->sin_port :
			((struct sockaddr_in6 *)&a)->sin6_port);
	p.dport = dst->port;
	p.tcp_flags = 0x02;
	p.tcp_opts = true;
	p.len = 60;
	p.ctstate = NF_CT_NEW;
	return nf_remote_out(s->net, &p, NULL);
}

int hostsock_connect(struct task *t, struct file *f, struct inet_sock *s, const struct inet_ep *dst)
{
	bool nonblock = f->flags & O_NONBLOCK;
	uint64_t deadline = sock_deadline(s->o.sndtimeo);
	char ss[128];
	socklen_t len;
	int err;

	if (!dst) {
		hostsock_sync(s);
		if (s->state == TCP_SYN_SENT) {
			if (nonblock)
				return -EALREADY;
			goto wait;
		}
		if (s->ss == SS_CONNECTED)
			return -EISCONN;
		goto done;
	}
	if (s->hostfd < 0) {
		err = hostsock_open(s);
		if (err)
			return err;
	}
	if (s->sk.type == L_SOCK_STREAM && nf_active(s->net) && ep_v4(dst)) {
		err = nf_syn_out(s, dst);
		if (err) {
			close(s->hostfd);
			s->hostfd = -1;
			s->remote = *dst;
			return tcp_connect_filtered(t, f, s, err);
		}
	}
	s->remote = *dst;
	len = hostsock_sockaddr(s, dst, ss);
	if (connect(s->hostfd, (struct sockaddr *)ss, len) == 0) {
		s->state = TCP_ESTABLISHED;
		s->outbound = true;
		goto done;
	}
	err = -errno;
	if (err != -EINPROGRESS)
		goto fail;
	s->outbound = true;
	s->state = TCP_SYN_SENT;
	s->ss = SS_CONNECTING;
	if (nonblock)
		return -EINPROGRESS;
wait:
	while (s->state == TCP_SYN_SENT) {
		err = host_wait(t, s, POLLOUT, deadline);
		if (err == -EAGAIN)
			return -EINPROGRESS;
		if (err)
			return err;
		hostsock_sync(s);
	}
done:
	if (s->state != TCP_ESTABLISHED) {
		err = -hostsock_sockerr(s);
		if (!err)
			err = -ECONNABORTED;
		goto fail;
	}
	s->ss = SS_CONNECTED;
	outbound_local(s);
	return 0;
fail:
	close(s->hostfd);
	s->hostfd = -1;
	s->outbound = false;
	s->state = TCP_CLOSE;
	s->ss = SS_UNCONNECTED;
	memset(&s->remote, 0, sizeof(s->remote));
	if (s->sk.family == L_AF_INET)
		ep_set_v4(&s->remote, 0, 0);
	return err;
}

/* hostsock_send - see inet.h (dst NULL: the connected peer). */
ssize_t hostsock_send(struct task *t, struct file *f, struct inet_sock *s, struct sock_iter *it,
		      int flags, const struct inet_ep *dst, const struct sock_msg *m)
{
	char ss[128];
	socklen_t len = dst ? hostsock_sockaddr(s, dst, ss) : 0;

	if (s->sk.type == L_SOCK_STREAM)
		hostsock_sync(s);
	return host_send(t, f, s, it, flags, dst ? ss : NULL, len, m ? m->ctl : NULL,
			 m ? m->ctllen : 0);
}

/* hostsock_recv - see inet.h. */
ssize_t hostsock_recv(struct task *t, struct file *f, struct inet_sock *s, struct sock_iter *it,
		      int flags, struct inet_ep *from, struct sock_msg *m, bool nonblock)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	ssize_t r;

	(void)f;
	memset(&ss, 0, sizeof(ss));
	r = host_recv(t, s, it, flags, from ? &ss : NULL, from ? &len : NULL, m, nonblock);
	if (r >= 0 && from)
		hostsock_ep(&ss, from, true);
	return r;
}

/* hostsock_poll - the host socket's readiness; its fd is what a poller sleeps on. */
short hostsock_poll(struct inet_sock *s, struct poll_table *pt)
{
	struct pollfd p = { s->hostfd, POLLIN | POLLOUT | POLLPRI | POLLRDHUP | POLLRDNORM |
					       POLLWRNORM | POLLRDBAND | POLLWRBAND, 0 };

	if (s->hostfd < 0)
		return 0;
	/* No wait queue: only the host fd says when something changed (and
	 * epoll's edge-triggered items then follow the host's mask). */
	poll_wait_host(pt, s->hostfd, p.events);
	if (poll(&p, 1, 0) <= 0)
		return 0;
	return p.revents & ~POLLNVAL;
}

/* hostsock_shutdown - shutdown(2) of the host socket. */
int hostsock_shutdown(struct inet_sock *s, int how)
{
	if (shutdown(s->hostfd, how) < 0)
		return -errno;
	s->shutdown |= how + 1;
	return 0;
}

/* hostsock_ioctl - SIOCINQ, SIOCOUTQ, SIOCOUTQNSD, SIOCATMARK of the host socket. */
long hostsock_ioctl(struct task *t, struct inet_sock *s, unsigned int cmd, uint64_t arg)
{
	int v;

	switch (cmd) {
	case L_FIONREAD:
	case L_TIOCOUTQ:
	case 0x894B:    /* SIOCOUTQNSD */
	case 0x8905:    /* SIOCATMARK */
		if (ioctl(s->hostfd, cmd, &v) < 0)
			return -errno;
		return copy_to_user(t, arg, &v, sizeof(v)) ? -EFAULT : 0;
	}
	return -ENOIOCTLCMD;
}

/* ---- options ---- */

/* -EPERM for options refused on host sockets, -ENOPROTOOPT for unknown
 * ones, 0 for those that may pass. */
static int opt_allowed(int level, int name)
{
	switch (level) {
	case L_SOL_SOCKET:
		switch (name) {
		case SO_DEBUG_: case SO_REUSEADDR_: case SO_TYPE_: case SO_ERROR_:
		case SO_DONTROUTE_: case SO_BROADCAST_: case SO_SNDBUF_: case SO_RCVBUF_:
		case SO_KEEPALIVE_: case SO_OOBINLINE_: case SO_NO_CHECK_: case SO_PRIORITY_:
		case SO_LINGER_: case SO_REUSEPORT_: case SO_PASSCRED_: case SO_PEERCRED_:
		case SO_RCVLOWAT_: case SO_SNDLOWAT_: case SO_BINDTODEVICE_:
		case SO_TIMESTAMP_OLD_: case SO_ACCEPTCONN_: case SO_TIMESTAMPNS_OLD_:
		case SO_PROTOCOL_: case SO_DOMAIN_: case SO_RXQ_OVFL_: case SO_PEEK_OFF_:
		case SO_BUSY_POLL_: case SO_INCOMING_CPU_: case SO_TIMESTAMP_NEW_:
		case SO_TIMESTAMPNS_NEW_:
			return 0;
		case SO_SNDBUFFORCE_: case SO_RCVBUFFORCE_: case SO_MARK_: case SO_ZEROCOPY_:
		case 26: case 27: case 44: case 50: case 51: case 52: /* socket filters, BPF */
			return -EPERM;
		}
		return -ENOPROTOOPT;
	case L_SOL_IP:
		if (name == 16 || name == 17 || name == 19)  /* IPsec, XFRM, IP_TRANSPARENT */
			return -EPERM;
		return name >= 1 && name <= 52 ? 0 : -ENOPROTOOPT;
	case L_SOL_IPV6:
		if (name == 34 || name == 35 || name == 75)  /* IPsec, XFRM, IPV6_TRANSPARENT */
			return -EPERM;
		return name >= 1 && name <= 80 ? 0 : -ENOPROTOOPT;
	case L_SOL_TCP:
		if (name == 19 || name == 20 || name == 21 || name == 22 || name == 29 || name == 31 ||
		    name == 35)   /* TCP_REPAIR*, TCP_ULP, TCP_ZEROCOPY_RECEIVE */
			return -EPERM;
		return name >= 1 && name <= 37 ? 0 : -ENOPROTOOPT;
	case L_SOL_UDP:
	case L_SOL_UDPLITE:
		if (name == 100)  /* UDP_ENCAP */
			return -EPERM;
		return name == 1 || name == 10 || name == 11 || name == 101 || name == 102 ||
		       name == 103 || name == 104 ? 0 : -ENOPROTOOPT;
	}
	return -ENOPROTOOPT;
}

/* hostsock_setsockopt - passes an allowed option's value to the host. */
int hostsock_setsockopt(struct inet_sock *s, int level, int name, const void *val, int len)
{
	int err = opt_allowed(level, name);

	if (err)
		return err;
	if (level == L_SOL_SOCKET &&
	    (name == SO_RCVTIMEO_OLD_ || name == SO_SNDTIMEO_OLD_ || name == SO_RCVTIMEO_NEW_ ||
	     name == SO_SNDTIMEO_NEW_))
		return 0;
	if (!val)
		return -EFAULT;
	if (setsockopt(s->hostfd, level, name, val, len < SOCKOPT_MAX ? len : SOCKOPT_MAX) < 0)
		return -errno;
	return 0;
}

/*
 * hostsock_getsockopt - an option's value from the host, at the levels
 * an inet socket has; every name but TCP_ZEROCOPY_RECEIVE (whose "get"
 * maps memory: -EPERM) only reads, so the host answers them all, its
 * errors (ENOPROTOOPT, EOPNOTSUPP...) included.
 */
int hostsock_getsockopt(struct inet_sock *s, int level, int name, void *val, int *len)
{
	socklen_t l = *len < SOCKOPT_MAX ? *len : SOCKOPT_MAX;

	if (level == L_SOL_TCP && name == 35)
		return -EPERM;
	/* netfilter's tables (ip, arp, eb: 64-199 at SOL_IP; ip6's at
	 * SOL_IPV6) are the host's firewall, not the guest's */
	if ((level == L_SOL_IP && name >= 64 && name < 200) ||
	    (level == L_SOL_IPV6 && (name == 64 || name == 65 || name == 68 || name == 69)))
		return -ENOPROTOOPT;
	if (getsockopt(s->hostfd, level, name, val, &l) < 0)
		return -errno;
	*len = l;
	return 0;
}

/* ---- host mode: every inet socket is a host socket ---- */

/*
 * Host mode's bind(2): the address goes to the host as given (the host
 * checks it); a port under 1024 needs guest root (-EACCES).
 */
static int hm_bind(struct task *t, struct file *f, const struct sock_addr *a)
{
	struct inet_sock *s = inet_sk(f);
	uint16_t fam, port;

	if (a->len >= 4) {
		memcpy(&fam, a->name, 2);
		memcpy(&port, a->name + 2, 2);
		port = ntohs(port);
		if ((fam == AF_INET || fam == AF_INET6) && port && port < 1024 && t && t->cred.euid)
			return -EACCES;
	}
	if (bind(s->hostfd, (const struct sockaddr *)a->name, a->len) < 0)
		return -errno;
	return 0;
}

/* Host mode's connect(2): a blocking one waits for the host's answer. */
static int hm_connect(struct task *t, struct file *f, const struct sock_addr *a)
{
	struct inet_sock *s = inet_sk(f);
	uint64_t deadline = sock_deadline(s->o.sndtimeo);
	bool nonblock = f->flags & O_NONBLOCK;
	int err;

	if (connect(s->hostfd, (const struct sockaddr *)a->name, a->len) == 0)
		return 0;
	err = -errno;
	if ((err != -EINPROGRESS && err != -EALREADY) || nonblock ||
	    s->sk.type != L_SOCK_STREAM)
		return err;
	for (;;) {
		struct pollfd p = { s->hostfd, POLLOUT, 0 };

		if (poll(&p, 1, 0) > 0)
			break;
		err = host_wait(t, s, POLLOUT, deadline);
		if (err == -EAGAIN)
			return -EINPROGRESS;
		if (err)
			return err;
	}
	err = hostsock_sockerr(s);
	if (err) {
		/* a blocking connect that failed leaves the socket as new
		 * (__inet_stream_connect's disconnect), not shut down */
		struct sockaddr un = { .sa_family = AF_UNSPEC };

		connect(s->hostfd, &un, sizeof(un));
		return -err;
	}
	/* the connect(2) the guest sees complete (a repeat would say EISCONN) */
	return connect(s->hostfd, (const struct sockaddr *)a->name, a->len) == 0 || errno == EISCONN ?
		       0 : -errno;
}

static int hm_listen(struct task *t, struct file *f, int backlog)
{
	(void)t;
	if (listen(inet_sk(f)->hostfd, backlog) < 0)
		return -errno;
	return 0;
}

/* Host mode's accept(2): the host's new connection, in a new umk socket. */
static int hm_accept(struct task *t, struct file *f, int flags, struct file **out,
		     struct sock_addr *peer)
{
	struct inet_sock *s = inet_sk(f), *n;
	uint64_t deadline = sock_deadline(s->o.rcvtimeo);
	socklen_t len = sizeof(peer->name) - 1;
	int fd, err;

	*out = NULL;
	for (;;) {
		len = L_SOCKADDR_MAX;
		fd = accept4(s->hostfd, (struct sockaddr *)peer->name, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0)
			break;
		err = -errno;
		if (err != -EAGAIN || (f->flags & O_NONBLOCK))
			return err;
		err = host_wait(t, s, POLLIN, deadline);
		if (err)
			return err;
	}
	peer->len = len;
	n = inet_sock_alloc(s->sk.family, s->sk.type, s->sk.protocol);
	if (!n) {
		close(fd);
		return -ENOMEM;
	}
	n->hostfd = fd;
	n->o.rcvtimeo = s->o.rcvtimeo;
	n->o.sndtimeo = s->o.sndtimeo;
	*out = inet_file(n, flags);
	if (!*out) {
		inet_put(n);
		return -ENOMEM;
	}
	return 0;
}

static ssize_t hm_sendmsg(struct task *t, struct file *f, struct sock_iter *it, int flags,
			  struct sock_msg *m)
{
	struct inet_sock *s = inet_sk(f);

	return host_send(t, f, s, it, flags, m && m->addr.len ? m->addr.name : NULL,
			 m ? m->addr.len : 0, m ? m->ctl : NULL, m ? m->ctllen : 0);
}

static ssize_t hm_recvmsg(struct task *t, struct file *f, struct sock_iter *it, int flags,
			  struct sock_msg *m)
{
	struct inet_sock *s = inet_sk(f);
	socklen_t len = L_SOCKADDR_MAX;
	ssize_t r;

	r = host_recv(t, s, it, flags, m ? m->addr.name : NULL, m ? &len : NULL, m,
		      (flags & L_MSG_DONTWAIT) || (f->flags & O_NONBLOCK));
	if (m)
		m->addr.len = r >= 0 ? (int)len : 0;
	return r;
}

static int hm_shutdown(struct task *t, struct file *f, int how)
{
	(void)t;
	return hostsock_shutdown(inet_sk(f), how);
}

static int hm_getname(struct file *f, bool peer, struct sock_addr *out)
{
	socklen_t len = L_SOCKADDR_MAX;
	int r = peer ? getpeername(inet_sk(f)->hostfd, (struct sockaddr *)out->name, &len)
		     : getsockname(inet_sk(f)->hostfd, (struct sockaddr *)out->name, &len);

	if (r < 0)
		return -errno;
	out->len = len;
	return 0;
}

static int hm_setsockopt(struct task *t, struct file *f, int level, int name, const void *val,
			 int len)
{
	struct inet_sock *s = inet_sk(f);

	(void)t;
	if (level == L_SOL_SOCKET &&
	    (name == SO_RCVTIMEO_OLD_ || name == SO_RCVTIMEO_NEW_ || name == SO_SNDTIMEO_OLD_ ||
	     name == SO_SNDTIMEO_NEW_)) {
		if (!val)
			return -EFAULT;
		return sock_timeo_from(val, len, name == SO_RCVTIMEO_OLD_ || name == SO_RCVTIMEO_NEW_ ?
					       &s->o.rcvtimeo : &s->o.sndtimeo);
	}
	return hostsock_setsockopt(s, level, name, val, len);
}

static int hm_getsockopt(struct task *t, struct file *f, int level, int name, void *val, int *len)
{
	struct inet_sock *s = inet_sk(f);

	(void)t;
	if (level == L_SOL_SOCKET &&
	    (name == SO_RCVTIMEO_OLD_ || name == SO_RCVTIMEO_NEW_ || name == SO_SNDTIMEO_OLD_ ||
	     name == SO_SNDTIMEO_NEW_)) {
		int n = sock_timeo_to(name == SO_RCVTIMEO_OLD_ || name == SO_RCVTIMEO_NEW_ ?
				      s->o.rcvtimeo : s->o.sndtimeo, val);

		if (*len > n)
			*len = n;
		return 0;
	}
	if (level != L_SOL_SOCKET && level != L_SOL_IP && level != L_SOL_IPV6 &&
	    level != L_SOL_TCP && level != L_SOL_UDP && level != L_SOL_UDPLITE)
		return s->sk.family == L_AF_INET ? -EOPNOTSUPP : -ENOPROTOOPT;
	return hostsock_getsockopt(s, level, name, val, len);
}

static long hm_ioctl(struct task *t, struct file *f, unsigned int cmd, uint64_t arg)
{
	return hostsock_ioctl(t, inet_sk(f), cmd, arg);
}

static short hm_poll(struct file *f, struct poll_table *pt)
{
	return hostsock_poll(inet_sk(f), pt);
}

/* The host socket's inode, so /proc/net (the host's, in host mode) and
 * /proc/PID/fd agree. */
static int hm_fstat(struct file *f, struct kstat *st)
{
	struct inet_sock *s = inet_sk(f);
	struct stat hs;

	memset(st, 0, sizeof(*st));
	st->dev = SOCKFS_DEV;
	st->ino = fstat(s->hostfd, &hs) == 0 ? hs.st_ino : s->sk.ino;
	st->nlink = 1;
	st->mode = S_IFSOCK | 0777;
	st->uid = s->sk.uid;
	st->gid = s->sk.gid;
	st->blksize = 4096;
	st->atime = st->mtime = st->ctime = s->sk.ctime;
	return 0;
}

static void hm_release(struct file *f)
{
	struct inet_sock *s = inet_sk(f);

	s->dead = true;
	if (s->hostfd >= 0) {
		close(s->hostfd);
		s->hostfd = -1;
	}
	inet_put(s);
}

const struct proto_ops inet_host_ops = {
	.bind = hm_bind,
	.connect = hm_connect,
	.listen = hm_listen,
	.accept = hm_accept,
	.sendmsg = hm_sendmsg,
	.recvmsg = hm_recvmsg,
	.shutdown = hm_shutdown,
	.getname = hm_getname,
	.setsockopt = hm_setsockopt,
	.getsockopt = hm_getsockopt,
	.ioctl = hm_ioctl,
	.poll = hm_poll,
	.fstat = hm_fstat,
	.release = hm_release,
};
