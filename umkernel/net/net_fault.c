/*
 * net_fault.c - the socket layer's side of --inject-net: a failing
 * network on the way to a port or an address, for AF_INET and AF_INET6
 * sockets in every networking mode (the guest's loopback, host sockets).
 *
 * In a nutshell: sock_connect(), sock_sendmsg() and sock_recvmsg()
 * (net.h) call the family's ops unless a network fault is configured;
 * then they come here with the socket's two endpoints (getname, or the
 * address connect and sendto name), ask debug/fault_net.c whether this
 * call fails, and apply the answer: ECONNREFUSED instead of a connection
 * (or a datagram), a reset of the connection (inet_abort: the peer sees
 * the reset; this call ECONNRESET, later ones a closed connection), data
 * reported sent that never arrives (drop), half the bytes asked (short),
 * one flipped bit in the data sent or received (corrupt: on a copy; the
 * guest's buffer is never changed by a send), or a delay before the call.
 * Other families (AF_UNIX, netlink) are never touched.
 *
 * Lock: klock (fault_delay drops it while it sleeps).
 */
#include "inet.h"
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

/* A guest sockaddr_in/in6 as an endpoint (IPv4 mapped); invalid if neither. */
static void ep_of(const struct sock_addr *a, struct fnet_ep *e)
{
	uint16_t fam, port;
	memset(e, 0, sizeof *e);
	if (a->len < 8)
		return;
	memcpy(&fam, a->name, 2);
	memcpy(&port, a->name + 2, 2);
	if (fam == L_AF_INET) {
		e->addr[10] = e->addr[11] = 0xff;
		memcpy(e->addr + 12, a->name + 4, 4);
	} else if (fam == L_AF_INET6 && a->len >= 24) {
		memcpy(e->addr, a->name + 8, 16);
	} else {
		return;
	}
	e->port = ntohs(port);
	e->valid = true;
}

static void ep_text(const struct fnet_ep *e, char *buf, size_t n)
{
	char a[INET6_ADDRSTRLEN];
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	if (!e->valid) {
		snprintf(buf, n, "-");
	} else if (!memcmp(e->addr, mapped, 12)) {
		inet_ntop(AF_INET, e->addr + 12, a, sizeof a);
		snprintf(buf, n, "%s:%u", a, e->port);
	} else {
		inet_ntop(AF_INET6, e->addr, a, sizeof a);
		snprintf(buf, n, "[%s]:%u", a, e->port);
	}
}

/* Is f an inet socket?  Then its endpoints (dst, if given, as remote). */
static bool inet_eps(struct file *f, const struct sock_addr *dst, struct fnet_ep *local,
		     struct fnet_ep *remote, struct fnet_hit *hit)
{
	struct socket *sk = file_socket(f);
	struct sock_addr a;
	if (sk->family != L_AF_INET && sk->family != L_AF_INET6)
		return false;
	memset(local, 0, sizeof *local);
	memset(remote, 0, sizeof *remote);
	if (sk->ops->getname && !sk->ops->getname(f, false, &a))
		ep_of(&a, local);
	if (dst && dst->len)
		ep_of(dst, remote);
	else if (sk->ops->getname && !sk->ops->getname(f, true, &a))
		ep_of(&a, remote);
	memset(hit, 0, sizeof *hit);
	ep_text(local, hit->local, sizeof hit->local);
	ep_text(remote, hit->remote, sizeof hit->remote);
	return true;
}

int sock_connect_faulty(struct task *t, struct file *f, const struct sock_addr *a)
{
	struct fnet_ep local, remote;
	struct fnet_hit h;
	const struct proto_ops *ops = file_socket(f)->ops;
	if (!inet_eps(f, a, &local, &remote, &h) ||
	    !fault_net_check(t, FNET_CONNECT, file_socket(f)->type == L_SOCK_STREAM, &local, &remote, 0, &h))
		return ops->connect(t, f, a);
	if (h.fault == FNETF_REFUSE)
		return -ECONNREFUSED;
	if (h.fault == FNETF_DELAY)
		fault_delay(t, h.delay_ns);
	return ops->connect(t, f, a);
}

/* Moves the iterator on by n bytes (the data was taken). */
static void iter_skip(struct sock_iter *it, size_t n)
{
	char buf[4096];
	while (n) {
		size_t c = n < sizeof buf ? n : sizeof buf;
		if (iter_from(it, buf, c) <= 0)
			return;
		n -= c;
	}
}

ssize_t sock_sendmsg_faulty(struct task *t, struct file *f, struct sock_iter *it, int flags,
			    struct sock_msg *m)
{
	struct fnet_ep local, remote;
	struct fnet_hit h;
	struct socket *sk = file_socket(f);
	size_t n = it->count;
	if (!inet_eps(f, m ? &m->addr : NULL, &local, &remote, &h) ||
	    !fault_net_check(t, FNET_SEND, sk->type == L_SOCK_STREAM, &local, &remote, n, &h))
		return sk->ops->sendmsg(t, f, it, flags, m);
	switch (h.fault) {
	case FNETF_REFUSE:
		return -ECONNREFUSED;
	case FNETF_RESET:
		inet_abort(f);
		return -ECONNRESET;
	case FNETF_DELAY:
		fault_delay(t, h.delay_ns);
		break;
	case FNETF_DROP: {
		/* taken from the guest (a bad buffer still fails), never delivered */
		char *kb = malloc(n ? n : 1);
		if (!kb)
			return -ENOMEM;
		ssize_t r = iter_from(it, kb, n);
		free(kb);
		return r < 0 ? r : (ssize_t)n;
	}
	case FNETF_SHORT: {
		struct sock_iter part = *it;
		part.count = h.n;
		ssize_t r = sk->ops->sendmsg(t, f, &part, flags, m);
		if (r > 0) {
			*it = part;
			it->count = n - part.done;
		}
		return r;
	}
	case FNETF_CORRUPT: {
		char *kb = malloc(n ? n : 1);
		if (!kb)
			return -ENOMEM;
		struct sock_iter peek = *it, k;
		ssize_t r = iter_from(&peek, kb, n);
		if (r >= 0) {
			fault_net_corrupt(t, &h, kb, n);
			iter_init_kbuf(&k, kb, n);
			r = sk->ops->sendmsg(t, f, &k, flags, m);
			if (r > 0)
				iter_skip(it, (size_t)r);
		}
		free(kb);
		return r;
	}
	}
	return sk->ops->sendmsg(t, f, it, flags, m);
}

ssize_t sock_recvmsg_faulty(struct task *t, struct file *f, struct sock_iter *it, int flags,
			    struct sock_msg *m)
{
	struct fnet_ep local, remote;
	struct fnet_hit h;
	struct socket *sk = file_socket(f);
	size_t n = it->count;
	if (!inet_eps(f, NULL, &local, &remote, &h) ||
	    !fault_net_check(t, FNET_RECV, sk->type == L_SOCK_STREAM, &local, &remote, n, &h))
		return sk->ops->recvmsg(t, f, it, flags, m);
	switch (h.fault) {
	case FNETF_RESET:
		inet_abort(f);
		return -ECONNRESET;
	case FNETF_DELAY:
		fault_delay(t, h.delay_ns);
		break;
	case FNETF_SHORT: {
		struct sock_iter part = *it;
		part.count = h.n;
		ssize_t r = sk->ops->recvmsg(t, f, &part, flags, m);
		if (r > 0) {
			*it = part;
			it->count = n - part.done;
		}
		return r;
	}
	case FNETF_CORRUPT: {
		char *kb = malloc(n ? n : 1);
		if (!kb)
			return -ENOMEM;
		struct sock_iter k;
		iter_init_kbuf(&k, kb, n);
		ssize_t r = sk->ops->recvmsg(t, f, &k, flags, m);
		if (r > 0) {
			size_t got = (size_t)r < n ? (size_t)r : n;   /* MSG_TRUNC reports more */
			fault_net_corrupt(t, &h, kb, got);
			ssize_t w = iter_to(it, kb, got);
			if (w < 0)
				r = w;
		}
		free(kb);
		return r;
	}
	}
	return sk->ops->recvmsg(t, f, it, flags, m);
}
