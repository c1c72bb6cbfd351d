/*
 * inet_stream.c - TCP on the guest's own loopback: connect, listen,
 * accept, send, receive, shutdown, close and poll between two umk
 * sockets, with what Linux's TCP shows a program (states, errors,
 * readiness) and no segments.
 *
 * In a nutshell: connection set-up is AF_UNIX's (unix.c): connect(2)
 * finds the listener through the port table, makes the server-side
 * socket at once (an embryo, data may flow before accept) and queues it
 * on the listener's accept queue; with that queue over the backlog
 * (Linux keeps backlog + 1) the connector waits on the listener's synq
 * until accept makes room (Linux's client would retransmit its SYN;
 * here it gets in as soon as there is room).  Each end owns a byte ring
 * (pipe_ring.h) that its peer writes into straight from guest memory and
 * that it reads straight into guest memory: one copy each way, as the
 * host's TCP makes.  A FIN is rx_fin on the peer; a reset is an error on
 * the peer (ECONNRESET, EPIPE in CLOSE_WAIT) with both halves shut; a
 * socket closed with unread data, or with SO_LINGER {1, 0}, resets its
 * peer instead of closing gracefully; data sent to a peer that closed
 * is answered by a reset, as Linux's TCP answers it.  Wake-ups: a writer
 * wakes its peer's queue, a reader its peer's (room in the ring), state
 * changes both.
 *
 * Locking: klock, held by the caller; sleeps re-check everything.
 */
#include "netfilter.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define L_SIOCATMARK   0x8905
#define L_SIOCOUTQNSD  0x894B

static void refuse(struct inet_sock *c, int err);

/* ---- the rings ---- */

/* Copies n bytes between it and a ring's buffer buf (cap bytes) from
 * offset pos on, wrapping at the end; to_iter: out of the ring.  How
 * many, or -EFAULT if none.  Touches nothing of the ring but its bytes,
 * so copy_in/copy_out run it with klock dropped. */
static ssize_t ring_copy(char *buf, size_t cap, size_t pos, size_t n, struct sock_iter *it, bool to_iter)
{
	size_t done = 0;
	ssize_t got = 0;

	while (done < n) {
		size_t at = (pos + done) % cap, piece = cap - at;

		if (piece > n - done)
			piece = n - done;
		got = to_iter ? iter_to(it, buf + at, piece) : iter_from(it, buf + at, piece);
		if (got <= 0)
			break;
		done += got;
		if ((size_t)got < piece)
			break;
	}
	return done ? (ssize_t)done : got;
}

/* Drops n read bytes from the front of s's ring (re-based to 0 when it
 * empties, unless a writer copies into it unlocked). */
static void ring_consume(struct inet_sock *s, size_t n)
{
	struct pipe_ring *r = &s->rx;

	r->head = (r->head + n) % r->cap;
	r->len -= n;
	if (!r->len && !s->rx_writer)
		r->head = 0;
}

/* Copies up to n bytes of it into r's free space: how many, or -EFAULT. */
static ssize_t ring_from_iter(struct pipe_ring *r, struct sock_iter *it, size_t n)
{
	ssize_t got;

	if (n > ring_space(r))
		n = ring_space(r);
	got = ring_copy(r->buf, r->cap, (r->head + r->len) % r->cap, n, it, false);
	if (got > 0)
		r->len += got;
	return got;
}

/* Copies n bytes from offset off of r's data to it (none if nocopy),
 * dropping them from r if consume: how many, or -EFAULT. */
static ssize_t ring_to_iter(struct inet_sock *s, size_t off, size_t n, struct sock_iter *it,
			    bool consume, bool nocopy)
{
	struct pipe_ring *r = &s->rx;
	ssize_t done;

	if (off >= r->len)
		return 0;
	if (n > r->len - off)
		n = r->len - off;
	done = nocopy ? (ssize_t)n : ring_copy(r->buf, r->cap, (r->head + off) % r->cap, n, it, true);
	if (done > 0 && consume)
		ring_consume(s, (size_t)done);
	return done;
}

/*
 * The copies of bulk data run with klock dropped, so that a writer
 * filling its peer's ring and the reader draining it copy at the same
 * time on two CPUs instead of taking turns on the big lock (a 64 KiB
 * copy through process_vm_readv/writev is ~10 us; with it under klock,
 * a loopback stream's two sides spent a fifth of their time waiting for
 * the lock and waking each other).  Linux's TCP copies under the socket's
 * own lock, not a global one, for the same reason.  Below COPY_UNLOCKED_MIN
 * bytes, or for a kernel buffer, the copy stays under klock: dropping
 * and retaking it costs more.
 *
 * While a copy runs unlocked: the writer's region of the ring lies past
 * rx.len (readers never look there) and the reader's is below it
 * (writers never touch it); the ring is not resized (ring_room) nor
 * re-based to 0 when it empties (ring_to_iter); other writers to the
 * same ring, and other readers of it, wait on the socket's queue until
 * the copy is accounted (Linux's lock_sock serialises them as well); a
 * reference keeps the socket; a disconnect meanwhile (rx_gen) drops what
 * was copied.
 */
#define COPY_UNLOCKED_MIN (16 * 1024)

static bool copy_unlocked(const struct sock_iter *it, size_t n)
{
	return !it->kbuf && it->t && n >= COPY_UNLOCKED_MIN;
}

/* Waits on wq for an unlocked copy to finish (*waits tells it someone
 * does): 0, or sock_wait's error. */
static int copy_wait(struct task *t, bool *waits, struct wait_queue *wq, uint64_t deadline)
{
	*waits = true;
	return sock_wait(t, wq, deadline);
}

static void copy_done(bool *waits, struct wait_queue *wq)
{
	if (*waits) {
		*waits = false;
		wake_up(wq);
	}
}

/* Like ring_from_iter into the ring of s's peer p, with klock dropped
 * while it copies (the caller checked copy_unlocked and that no other
 * writer is on). */
static void fin_to(struct inet_sock *s, struct inet_sock *p);

static ssize_t copy_in(struct inet_sock *s, struct inet_sock *p, struct sock_iter *it, size_t n)
{
	struct pipe_ring *r = &p->rx;
	size_t cap = r->cap, tail = (r->head + r->len) % cap;
	char *buf = r->buf;
	uint32_t gen = p->rx_gen;
	ssize_t got;

	if (n > ring_space(r))
		n = ring_space(r);
	p->rx_writer = true;
	inet_hold(p);
	pthread_mutex_unlock(&klock);
	got = ring_copy(buf, cap, tail, n, it, false);
	pthread_mutex_lock(&klock);
	p->rx_writer = false;
	if (got > 0 && p->rx_gen == gen)
		r->len += got;
	if (s->fin_deferred) {
		/* a shutdown or close came meanwhile: its held bytes and FIN
		 * follow these (send_fin) */
		s->fin_deferred = false;
		fin_to(s, p);
	}
	copy_done(&p->rx_writer_waits, &s->wq);
	inet_put(p);
	return got;
}

/* Like ring_to_iter(s, 0, n, it, consume), with klock dropped while it
 * copies (the caller checked copy_unlocked and that no other reader is on). */
static ssize_t copy_out(struct inet_sock *s, struct sock_iter *it, size_t n)
{
	struct pipe_ring *r = &s->rx;
	size_t cap = r->cap, head = r->head;
	char *buf = r->buf;
	uint32_t gen = s->rx_gen;
	ssize_t got;

	if (n > r->len)
		n = r->len;
	s->rx_reader = true;
	inet_hold(s);
	pthread_mutex_unlock(&klock);
	got = ring_copy(buf, cap, head, n, it, true);
	pthread_mutex_lock(&klock);
	s->rx_reader = false;
	if (got > 0 && s->rx_gen == gen)
		ring_consume(s, (size_t)got);
	copy_done(&s->rx_reader_waits, &s->wq);
	inet_put(s);
	return got;
}

/* The part of the bytes in flight that the receiver's buffer holds: its
 * SO_RCVBUF if the program set one, else half the most (autotuned). */
static size_t recv_part(const struct inet_sock *p)
{
	return p->o.rcvbuf_set ? (size_t)p->o.rcvbuf : INET_RING_MAX / 2;
}

/* The bytes that may be in flight from s to its peer p: what p's receive
 * buffer and s's send buffer hold between them (a program that sets
 * SO_RCVBUF or SO_SNDBUF small makes a writer wait early, as on Linux). */
static size_t flight_limit(const struct inet_sock *s, const struct inet_sock *p)
{
	size_t w = s->o.sndbuf_set ? (size_t)s->o.sndbuf : INET_RING_MAX / 2;
	size_t l = recv_part(p) + w;

	return l < INET_RING_MAX ? l : INET_RING_MAX;
}

/* Bytes s may still send to p now. */
static size_t flight_room(const struct inet_sock *s, const struct inet_sock *p)
{
	size_t l = flight_limit(s, p), room = p->rx.len < l ? l - p->rx.len : 0;

	if (p->rx.buf && ring_space(&p->rx) < room && p->rx.cap >= l)
		room = ring_space(&p->rx);
	return room;
}

/* Linux's sk_stream_is_writeable: a third of the buffer free. */
static bool writable(struct inet_sock *s)
{
	return !s->peer || flight_room(s, s->peer) >= flight_limit(s, s->peer) / 3;
}

/*
 * Room in r for a writer with want bytes to go: a ring that cannot take
 * them grows (doubling, up to limit) rather than make the writer wait,
 * as Linux's receive buffer autotuning grows; 0 or -ENOMEM.
 */
static int ring_room(struct inet_sock *p, size_t want, size_t limit)
{
	struct pipe_ring *r = &p->rx;
	size_t cap;

	if (!r->buf)
		return ring_init(r, INET_RING_MIN);
	if (ring_space(r) >= want || r->cap >= limit || p->rx_reader || p->rx_writer)
		return 0;
	for (cap = r->cap * 2; cap < limit && cap - r->len < want; cap *= 2)
		;
	if (cap > limit)
		cap = limit;
	if (cap <= r->cap)
		return 0;
	return ring_resize(r, cap) == -ENOMEM ? -ENOMEM : 0;
}

/* ---- state changes ---- */

/* The connection's end: TCP_CLOSE, both halves shut (tcp_done). */
static void tcp_done(struct inet_sock *s)
{
	s->state = TCP_CLOSE;
	s->shutdown = SHUTDOWN_MASK;
	wake_up(&s->wq);
}

/* Breaks the pair s <-> s->peer (their references on each other). */
static void unlink_peer(struct inet_sock *s)
{
	struct inet_sock *p = s->peer;

	if (!p)
		return;
	s->peer = NULL;
	p->peer = NULL;
	inet_put(p);
	inet_put(s);
}

/* s receives a reset (Linux's tcp_reset). */
static void got_reset(struct inet_sock *s)
{
	switch (s->state) {
	case TCP_SYN_SENT:
		s->err = ECONNREFUSED;
		break;
	case TCP_CLOSE_WAIT:
		s->err = EPIPE;
		break;
	case TCP_CLOSE:
		return;
	default:
		s->err = ECONNRESET;
	}
	tcp_done(s);
}

/* s receives its peer's FIN (tcp_fin). */
static void got_fin(struct inet_sock *s)
{
	s->rx_fin = true;
	s->shutdown |= RCV_SHUTDOWN;
	if (s->state == TCP_ESTABLISHED)
		s->state = TCP_CLOSE_WAIT;
	else if (s->state == TCP_FIN_WAIT2 || s->state == TCP_FIN_WAIT1)
		tcp_done(s);            /* TIME_WAIT: the socket itself is done */
	wake_up(&s->wq);
}

/*
 * MSG_MORE: Linux's TCP holds a segment short of the MSS back (tcp_push
 * with TCP_NAGLE_CORK) until a send without MSG_MORE, a FIN, or a full
 * segment.  Here the held bytes wait in s->cork_buf (below the
 * loopback's MSS, 65483), and go into the peer's ring ahead of the next
 * send's (tcp_sendmsg), or of the FIN (cork_push).
 */
#define TCP_LO_MSS 65483

/* Holds len bytes of it back: len, or -EFAULT/-ENOMEM (nothing held). */
static ssize_t cork_hold(struct inet_sock *s, struct sock_iter *it, size_t len)
{
	if (s->cork_len + len > s->cork_cap) {
		size_t cap = s->cork_cap ? s->cork_cap : 1024;
		char *nb;

		while (cap < s->cork_len + len)
			cap *= 2;
		nb = realloc(s->cork_buf, cap);
		if (!nb)
			return -ENOMEM;
		s->cork_buf = nb;
		s->cork_cap = cap;
	}
	if (len && iter_from(it, s->cork_buf + s->cork_len, len) != (ssize_t)len)
		return -EFAULT;
	s->cork_len += len;
	return len;
}

/* The held bytes go to the peer p now, whatever its buffer's limit (a
 * FIN follows them; the ring grows as far as it can).  Never while a
 * send copies into p's ring unlocked (send_fin waits for it). */
static void cork_push(struct inet_sock *s, struct inet_sock *p)
{
	struct sock_iter kit;
	ssize_t n;

	if (s->cork_len && p && !ring_room(p, s->cork_len, INET_RING_MAX)) {
		iter_init_kbuf(&kit, s->cork_buf, s->cork_len);
		n = ring_from_iter(&p->rx, &kit, s->cork_len);
		if (n > 0) {
			netdev_lo_count(n);
			wake_up(&p->wq);
		}
	}
	s->cork_len = 0;
}

/* The held bytes, then the FIN, reach p (or the host socket). */
static void fin_to(struct inet_sock *s, struct inet_sock *p)
{
	cork_push(s, p);
	if (p)
		got_fin(p);
	else if (s->hostfd >= 0)
		shutdown(s->hostfd, SHUT_WR);
}

/* s sends its FIN (tcp_send_fin, after SHUT_WR or close).  While another
 * thread's send copies into the peer's ring unlocked, the FIN (and the
 * held MSG_MORE bytes) wait for it to land: copy_in sends them after,
 * as Linux queues a FIN behind the data sent before it. */
static void send_fin(struct inet_sock *s)
{
	struct inet_sock *p = s->peer;

	if (s->state == TCP_ESTABLISHED)
		s->state = TCP_FIN_WAIT2;
	else if (s->state == TCP_CLOSE_WAIT)
		tcp_done(s);            /* LAST_ACK, acknowledged */
	if (p && p->rx_writer) {
		s->fin_deferred = true;
		return;
	}
	fin_to(s, p);
}

/* ---- connection set-up ---- */

/* Makes the server side of c's connection to listener l and queues it. */
static int establish(struct inet_sock *l, struct inet_sock *c)
{
	struct inet_sock *e = inet_sock_alloc(l->sk.family, L_SOCK_STREAM, L_IPPROTO_TCP);

	if (!e)
		return -ENOMEM;
	inet_set_net(e, l->net);
	e->o = l->o;
	e->sk.uid = l->sk.uid;
	e->sk.gid = l->sk.gid;
	e->local = c->remote;           /* the address the client asked for */
	e->local.port = l->local.port;
	e->remote = c->local;
	e->state = TCP_ESTABLISHED;
	e->ss = SS_CONNECTED;
	e->parent = l;
	inet_hash_port(e);
	e->peer = c;
	inet_hold(c);
	c->peer = e;
	inet_hold(e);
	c->state = TCP_ESTABLISHED;
	list_add_tail(&e->q_link, &l->acceptq);   /* the queue owns e's first reference */
	l->acceptq_len++;
	wake_up(&l->wq);
	wake_up(&c->wq);
	return 0;
}

static bool acceptq_full(struct inet_sock *l)
{
	return l->acceptq_len > l->backlog;
}

/* Lets connectors waiting on l's synq in while its queue has room. */
static void admit_synq(struct inet_sock *l)
{
	while (!acceptq_full(l) && !list_empty(&l->synq)) {
		struct inet_sock *c = list_entry(l->synq.next, struct inet_sock, q_link);

		list_del(&c->q_link);
		c->pending = NULL;
		if (establish(l, c))
			refuse(c, ECONNREFUSED);
		inet_put(c);
		inet_put(l);
	}
}

/* Resets c's local name if bind(2) did not choose it (connection over). */
static void forget_name(struct inet_sock *c)
{
	if (!c->user_port)
		inet_unbind(c);
	if (!c->user_addr) {
		uint16_t port = c->local.port;

		memset(c->local.addr, 0, 16);
		if (c->sk.family == L_AF_INET)
			ep_set_v4(&c->local, 0, port);
	}
	if (!c->bound)
		c->local.port = 0;
	memset(&c->remote, 0, sizeof(c->remote));
	if (c->sk.family == L_AF_INET)
		ep_set_v4(&c->remote, 0, 0);
}

/* A connect that nobody answers (or whose listener went away). */
static void refuse(struct inet_sock *c, int err)
{
	c->err = err;
	tcp_done(c);
	if (!c->user_port)
		inet_unbind(c);
}

/* Leaves l's synq (a connect given up). */
static void leave_synq(struct inet_sock *c)
{
	struct inet_sock *l = c->pending;

	if (!l)
		return;
	list_del(&c->q_link);
	c->pending = NULL;
	inet_put(c);
	inet_put(l);
}

/*
 * The tables' verdict on a connection's handshake (netfilter.c): the
 * SYN, then the listener's SYN-ACK or, with nobody listening, the
 * closed port's RST, as Linux's TCP sends them over lo (a SYN and a
 * SYN-ACK with their options are 60 bytes, an RST 40).  0: through;
 * 1: one was dropped (connect times out; an answer rejected is lost
 * to the connector too); -errno: the SYN was rejected with it.
 */
static int nf_handshake(struct inet_sock *s, const struct inet_ep *dst, bool listening)
{
	struct nf_pkt p = { 0 };
	int v;

	if (!nf_active(s->net) || !ep_v4(dst) || !ep_v4(&s->local))
		return 0;
	p.saddr = ep_v4_addr(&s->local);
	p.daddr = ep_v4_addr(dst);
	p.proto = L_IPPROTO_TCP;
	p.sport = s->local.port;
	p.dport = dst->port;
	p.tcp_flags = 0x02;                    /* SYN */
	p.tcp_opts = true;
	p.len = 60;
	p.ctstate = NF_CT_NEW;
	v = nf_local_out(s->net, &p, NULL);
	if (v)
		return v;
	p.saddr = ep_v4_addr(dst);
	p.daddr = ep_v4_addr(&s->local);
	p.sport = dst->port;
	p.dport = s->local.port;
	p.tcp_flags = listening ? 0x12 : 0x14; /* SYN-ACK, or RST-ACK */
	p.tcp_opts = listening;
	p.len = listening ? 60 : 40;
	p.ctstate = NF_CT_ESTABLISHED;
	return nf_local_out(s->net, &p, NULL) ? 1 : 0;
}

/*
 * Waits for a connect in progress (inet_wait_for_connect): 0 once
 * connected, the socket's error (or -ECONNABORTED) if it failed,
 * -EINPROGRESS when SO_SNDTIMEO ran out, -ERESTARTSYS/-EINTR on a signal.
 */
static int wait_connect(struct task *t, struct inet_sock *s)
{
	uint64_t deadline = sock_deadline(s->o.sndtimeo), nf = s->nf_syn_deadline;
	int err;

	while (s->state == TCP_SYN_SENT) {
		err = sock_wait(t, &s->wq, nf && (!deadline || nf < deadline) ? nf : deadline);
		if (err == -EAGAIN && nf && now_ns(CLOCK_MONOTONIC) >= nf) {
			refuse(s, ETIMEDOUT);     /* the SYN's retries ran out */
			break;
		}
		if (err == -EAGAIN)
			return -EINPROGRESS;
		if (err)
			return err;
	}
	if (s->state == TCP_CLOSE) {
		err = s->err ? -s->err : -ECONNABORTED;
		s->err = 0;
		s->ss = SS_UNCONNECTED;
		s->shutdown = 0;
		forget_name(s);
		return err;
	}
	s->ss = SS_CONNECTED;
	return 0;
}

/*
 * tcp_connect_filtered - connect(2) on s whose SYN netfilter dropped (nf
 * 1: nobody answers; Linux retries the SYN 6 times, then gives up with
 * ETIMEDOUT) or rejected (nf -errno: the error it brought).  As a
 * connect that was refused, non-blocking ones return -EINPROGRESS.
 */
int tcp_connect_filtered(struct task *t, struct file *f, struct inet_sock *s, int nf)
{
	bool nonblock = f->flags & O_NONBLOCK;

	if (nf > 0) {
		s->ss = SS_CONNECTING;
		s->state = TCP_SYN_SENT;
		s->nf_syn_deadline = now_ns(CLOCK_MONOTONIC) + NF_SYN_TIMEOUT_NS;
		if (nonblock)
			return -EINPROGRESS;
		return wait_connect(t, s);
	}
	if (nonblock) {
		s->ss = SS_CONNECTING;
		refuse(s, -nf);
		return -EINPROGRESS;
	}
	forget_name(s);
	return nf;
}

/*
 * tcp_connect - connect(2) to dst, an address of the guest's own (dst
 * NULL: a connect(2) again while one is in progress).  A blocking
 * connect returns 0 or -ECONNREFUSED; a non-blocking one -EINPROGRESS
 * (Linux's loopback connect never completes at once), then 0 once more
 * when called again after it completed, -EALREADY while it has not,
 * the error if it failed.  The local name is an ephemeral port on the
 * source address of the guest's routing, unless bound.
 */
int tcp_connect(struct task *t, struct file *f, struct inet_sock *s, const struct inet_ep *dst)
{
	bool nonblock = f->flags & O_NONBLOCK;
	struct inet_sock *l;
	int err, nf;

	if (!dst) {
		if (s->state == TCP_SYN_SENT && nonblock)
			return -EALREADY;
		/* __inet_stream_connect: SS_CONNECTING's answer is EALREADY,
		 * also once SO_SNDTIMEO runs out */
		err = wait_connect(t, s);
		return err == -EINPROGRESS ? -EALREADY : err;
	}
	if (!s->bound) {
		inet_route_src(dst, &s->local);
		err = inet_autobind(s);
		if (err)
			return err;
	} else if (ep_any(&s->local)) {
		uint16_t port = s->local.port;

		inet_route_src(dst, &s->local);
		s->local.port = port;
	}
	s->remote = *dst;
	s->err = 0;
	s->shutdown = 0;
	l = inet_lookup_listener(s->net, dst, &s->local);
	s->nf_syn_deadline = 0;
	nf = nf_handshake(s, dst, l != NULL);
	if (nf)
		return tcp_connect_filtered(t, f, s, nf);
	if (!l) {
		if (nonblock) {
			s->ss = SS_CONNECTING;
			refuse(s, ECONNREFUSED);
			return -EINPROGRESS;
		}
		forget_name(s);
		return -ECONNREFUSED;
	}
	s->ss = SS_CONNECTING;
	if (acceptq_full(l)) {
		s->state = TCP_SYN_SENT;
		s->pending = l;
		inet_hold(l);
		inet_hold(s);
		list_add_tail(&s->q_link, &l->synq);
		if (nonblock)
			return -EINPROGRESS;
		return wait_connect(t, s);
	}
	err = establish(l, s);
	if (err) {
		s->ss = SS_UNCONNECTED;
		forget_name(s);
		return err;
	}
	netdev_lo_count(0);
	if (nonblock)
		return -EINPROGRESS;
	s->ss = SS_CONNECTED;
	return 0;
}

/* Stops listening: queued connections are reset, waiting ones refused. */
static void listen_stop(struct inet_sock *l)
{
	while (!list_empty(&l->acceptq)) {
		struct inet_sock *e = list_entry(l->acceptq.next, struct inet_sock, q_link);

		list_del(&e->q_link);
		l->acceptq_len--;
		e->parent = NULL;
		e->dead = true;
		if (e->peer) {
			got_reset(e->peer);
			unlink_peer(e);
		}
		inet_unbind(e);
		e->state = TCP_CLOSE;
		inet_put(e);
	}
	while (!list_empty(&l->synq)) {
		struct inet_sock *c = list_entry(l->synq.next, struct inet_sock, q_link);

		list_del(&c->q_link);
		c->pending = NULL;
		refuse(c, ECONNREFUSED);
		inet_put(c);
		inet_put(l);
	}
	l->state = TCP_CLOSE;
	wake_up(&l->wq);
}

/*
 * tcp_listen - listen(2): takes an ephemeral port if unbound, checks
 * the port against other listeners (-EADDRINUSE), clamps the backlog to
 * somaxconn (a negative one too, as an unsigned).  Listening again only
 * changes the backlog.
 */
int tcp_listen(struct inet_sock *s, int backlog)
{
	int err;

	if ((unsigned int)backlog > (unsigned long)sysctl_somaxconn)
		backlog = (int)sysctl_somaxconn;   /* /proc/sys/net/core/somaxconn */
	if (s->state != TCP_LISTEN) {
		if (!s->bound) {
			err = inet_autobind(s);
			if (err)
				return err;
		}
		err = inet_listen_conflict(s);
		if (err)
			return err;
		s->state = TCP_LISTEN;
	}
	s->backlog = backlog;
	admit_synq(s);
	wake_up(&s->wq);
	return 0;
}

/*
 * tcp_accept - accept(2): the oldest queued connection as a new file
 * (flags: L_SOCK_NONBLOCK), its peer's name in *peer; waits unless f is
 * non-blocking (-EAGAIN), up to SO_RCVTIMEO.  -EINVAL unless listening.
 */
int tcp_accept(struct task *t, struct file *f, struct inet_sock *s, int flags, struct file **out,
	       struct sock_addr *peer)
{
	uint64_t deadline = sock_deadline(s->o.rcvtimeo);
	struct inet_sock *e;
	int err;

	*out = NULL;
	for (;;) {
		if (s->state != TCP_LISTEN)
			return -EINVAL;
		if (!list_empty(&s->acceptq))
			break;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		err = sock_wait(t, &s->wq, deadline);
		if (err)
			return err;
	}
	e = list_entry(s->acceptq.next, struct inet_sock, q_link);
	*out = inet_file(e, flags);
	if (!*out)
		return -ENOMEM;
	list_del(&e->q_link);
	s->acceptq_len--;
	e->parent = NULL;
	inet_ep_to_sockaddr(e->sk.family, &e->remote, peer);
	admit_synq(s);
	wake_up(&s->wq);
	return 0;
}

/*
 * tcp_queue_forwarded - see inet.h: the connection is carried by host
 * socket hostfd (a -p forward); it looks to the guest as if from peer.
 */
int tcp_queue_forwarded(struct inet_sock *l, int hostfd, const struct inet_ep *peer,
			const struct inet_ep *local)
{
	struct inet_sock *e;

	if (l->state != TCP_LISTEN || acceptq_full(l))
		return -ECONNREFUSED;
	e = inet_sock_alloc(l->sk.family, L_SOCK_STREAM, L_IPPROTO_TCP);
	if (!e)
		return -ENOMEM;
	inet_set_net(e, l->net);
	e->o = l->o;
	e->sk.uid = l->sk.uid;
	e->sk.gid = l->sk.gid;
	e->hostfd = hostfd;
	e->outbound = true;
	e->local = *local;
	e->local.port = l->local.port;
	e->remote = *peer;
	e->state = TCP_ESTABLISHED;
	e->ss = SS_CONNECTED;
	e->parent = l;
	list_add_tail(&e->q_link, &l->acceptq);
	l->acceptq_len++;
	wake_up(&l->wq);
	return 0;
}

/* ---- data ---- */

/* Linux's sk_stream_error: EPIPE (and SIGPIPE unless MSG_NOSIGNAL) or the pending error. */
static ssize_t stream_error(struct task *t, struct inet_sock *s, int flags)
{
	int err = s->err ? -s->err : -EPIPE;

	s->err = 0;
	if (err == -EPIPE && !(flags & L_MSG_NOSIGNAL) && t)
		send_signal(t, SIGPIPE, NULL, false);
	return err;
}

/*
 * tcp_sendmsg - send(2) (Linux's tcp_sendmsg_locked): bytes go straight
 * into the peer's ring; a blocking send waits for room until all is
 * sent (or SO_SNDTIMEO, or a signal after some: the count), a
 * non-blocking one sends what fits or -EAGAIN.  Not connected: -EPIPE
 * (and SIGPIPE), or the pending error; a connect in progress: waited
 * for, or -EAGAIN.  Sent to a peer that closed: accepted, then the reset
 * that answers it makes the next send -EPIPE.  MSG_MORE: held back
 * (cork_hold), and sent ahead of the next send's bytes.
 */
ssize_t tcp_sendmsg(struct task *t, struct file *f, struct inet_sock *s, struct sock_iter *it,
		    int flags)
{
	bool nonblock = (flags & L_MSG_DONTWAIT) || (f->flags & O_NONBLOCK);
	uint64_t deadline = sock_deadline(s->o.sndtimeo);
	size_t len = it->count, sent = 0;
	ssize_t n;
	int err;

	while (s->state == TCP_SYN_SENT) {
		if (nonblock)
			return -EAGAIN;
		err = sock_wait(t, &s->wq, deadline);
		if (err)
			return err;
	}
	if (s->state != TCP_ESTABLISHED && s->state != TCP_CLOSE_WAIT)
		return stream_error(t, s, flags);
	if ((flags & L_MSG_MORE) && s->peer && !s->err && !(s->shutdown & SEND_SHUTDOWN) &&
	    s->cork_len + len < TCP_LO_MSS)
		return cork_hold(s, it, len);
	if (s->cork_len) {
		/* the held bytes first, as the same send would send them */
		struct sock_iter kit;
		size_t held = s->cork_len;
		char *buf = s->cork_buf;

		s->cork_buf = NULL;
		s->cork_len = s->cork_cap = 0;
		iter_init_kbuf(&kit, buf, held);
		n = tcp_sendmsg(t, f, s, &kit, flags & ~L_MSG_MORE);
		if (n < (ssize_t)held) {
			/* not all went (non-blocking, a signal, an error): the
			 * rest stays held and this call sends none of its own */
			size_t left = held - (n > 0 ? (size_t)n : 0);

			memmove(buf, buf + held - left, left);
			s->cork_buf = buf;
			s->cork_len = left;
			s->cork_cap = held;
			return n > 0 ? -EAGAIN : n;
		}
		free(buf);
	}
	for (;;) {
		struct inet_sock *p;

		if (s->err || (s->shutdown & SEND_SHUTDOWN))
			return sent ? (ssize_t)sent : stream_error(t, s, flags);
		p = s->peer;
		if (!p) {
			/* the peer is gone: the data goes, a reset comes back */
			if (s->peer_closed)
				got_reset(s);
			return len;
		}
		if (sent == len)
			break;
		if (p->rx_writer) {
			/* another thread's send copies into the ring unlocked */
			if (nonblock)
				return sent ? (ssize_t)sent : -EAGAIN;
			err = copy_wait(t, &p->rx_writer_waits, &s->wq, deadline);
			if (err)
				return sent ? (ssize_t)sent : err;
			continue;
		}
		if (ring_room(p, len - sent, flight_limit(s, p)))
			return sent ? (ssize_t)sent : -ENOMEM;
		/* (a ring not grown while its reader copies out may be full) */
		if (!flight_room(s, p) || !ring_space(&p->rx)) {
			if (nonblock)
				return sent ? (ssize_t)sent : -EAGAIN;
			err = sock_wait(t, &s->wq, deadline);
			if (err)
				return sent ? (ssize_t)sent : err;
			continue;
		}
		size_t want = len - sent < flight_room(s, p) ? len - sent : flight_room(s, p);
		if (copy_unlocked(it, want))
			n = copy_in(s, p, it, want); /* p may be unlinked after: s->peer is looked at again */
		else
			n = ring_from_iter(&p->rx, it, want);
		if (n <= 0)
			return sent ? (ssize_t)sent : -EFAULT;
		sent += n;
		netdev_lo_count(n);
		if (s->peer == p)
			wake_up(&p->wq);
	}
	return sent;
}

/* The bytes a receive waits for (sock_rcvlowat). */
static size_t rcv_target(struct inet_sock *s, int flags, size_t len)
{
	size_t v = (flags & L_MSG_WAITALL) ? len : ((size_t)s->o.rcvlowat < len ? (size_t)s->o.rcvlowat : len);

	return v ? v : 1;
}

/*
 * tcp_recvmsg - recv(2) (Linux's tcp_recvmsg_locked): what is in the
 * ring, up to the low-water mark (all with MSG_WAITALL); MSG_PEEK leaves
 * it, MSG_TRUNC drops it uncopied.  Then: 0 at EOF, the pending error
 * (ECONNRESET once after a reset), 0 after SHUT_RD, -ENOTCONN if never
 * connected, -EAGAIN non-blocking (or after SO_RCVTIMEO), -EINVAL for
 * MSG_OOB (no urgent data), -ENOTCONN on a listener.
 */
ssize_t tcp_recvmsg(struct task *t, struct file *f, struct inet_sock *s, struct sock_iter *it,
		    int flags)
{
	bool nonblock = (flags & L_MSG_DONTWAIT) || (f->flags & O_NONBLOCK);
	bool peek = flags & L_MSG_PEEK, nocopy = flags & L_MSG_TRUNC;
	uint64_t deadline = sock_deadline(s->o.rcvtimeo);
	size_t len = it->count, copied = 0, target;
	ssize_t n;
	int err;

	if (s->state == TCP_LISTEN)
		return -ENOTCONN;
	if (flags & L_MSG_OOB)
		return -EINVAL;
	if (flags & L_MSG_ERRQUEUE)
		return -EAGAIN;
	if (!len)
		return 0;
	target = rcv_target(s, flags, len);
	while (copied < len) {
		if (s->rx_reader) {
			/* another thread's receive copies out unlocked */
			if (nonblock)
				return copied ? (ssize_t)copied : -EAGAIN;
			err = copy_wait(t, &s->rx_reader_waits, &s->wq, deadline);
			if (err)
				return copied ? (ssize_t)copied : err;
			continue;
		}
		if (s->rx.len > (peek ? copied : 0)) {
			if (!peek && !nocopy && copy_unlocked(it, len - copied < s->rx.len ? len - copied : s->rx.len))
				n = copy_out(s, it, len - copied);
			else
				n = ring_to_iter(s, peek ? copied : 0, len - copied, it, !peek, nocopy);
			if (n < 0)
				return copied ? (ssize_t)copied : n;
			copied += n;
			if (!peek && s->peer)
				wake_up(&s->peer->wq);
			if (n == 0)
				break;
			continue;
		}
		if (copied >= target)
			break;
		if (copied) {
			if (s->err || s->state == TCP_CLOSE || (s->shutdown & RCV_SHUTDOWN) ||
			    s->rx_fin || nonblock || (t && signal_pending(t)))
				break;
		} else {
			if (s->rx_fin) {
				if (!peek)
					s->fin_read = true;
				break;
			}
			if (s->err) {
				err = -s->err;
				s->err = 0;
				return err;
			}
			if (s->shutdown & RCV_SHUTDOWN)
				break;
			if (s->state == TCP_CLOSE)
				return -ENOTCONN;
			if (nonblock)
				return -EAGAIN;
		}
		err = sock_wait(t, &s->wq, deadline);
		if (err)
			return copied ? (ssize_t)copied : err;
	}
	return copied;
}

/*
 * tcp_shutdown - shutdown(2) with mode RCV_SHUTDOWN/SEND_SHUTDOWN bits
 * (Linux's inet_shutdown): not connected, -ENOTCONN (the halves are shut
 * all the same); SHUT_WR sends the FIN (the peer reads EOF); SHUT_RD
 * only makes our reads end; a listener shut for reading stops listening;
 * a connect in progress is abandoned.
 */
int tcp_shutdown(struct inet_sock *s, int mode)
{
	int err = 0;

	if (s->ss == SS_CONNECTING && s->state == TCP_ESTABLISHED)
		s->ss = SS_CONNECTED;
	switch (s->state) {
	case TCP_LISTEN:
		if (mode & RCV_SHUTDOWN) {
			listen_stop(s);
			if (!s->user_port)
				inet_unbind(s);
			s->ss = SS_UNCONNECTED;
		}
		break;
	case TCP_SYN_SENT:
		leave_synq(s);
		s->state = TCP_CLOSE;
		s->ss = SS_UNCONNECTED;
		forget_name(s);
		break;
	case TCP_CLOSE:
		err = -ENOTCONN;
		/* fall through */
	default:
		if ((mode & SEND_SHUTDOWN) && !(s->shutdown & SEND_SHUTDOWN) &&
		    (s->state == TCP_ESTABLISHED || s->state == TCP_CLOSE_WAIT)) {
			s->shutdown |= mode;
			send_fin(s);
		}
		s->shutdown |= mode;
	}
	wake_up(&s->wq);
	return err;
}

/* Sends a reset to s's peer and forgets it (tcp_disconnect, abortive close). */
static void reset_peer(struct inet_sock *s)
{
	if (s->peer) {
		got_reset(s->peer);
		unlink_peer(s);
	}
}

/*
 * tcp_abort - the connection is reset from outside (--inject-net
 * fault=reset; Linux's tcp_abort for SOCK_DESTROY): the peer gets the
 * reset, s is closed with both halves shut and no error left pending
 * (the caller reports ECONNRESET).  0, or -ENOTCONN without a peer.
 */
int tcp_abort(struct inet_sock *s)
{
	if (!s->peer)
		return -ENOTCONN;
	reset_peer(s);
	got_reset(s);
	s->err = 0;
	wake_up(&s->wq);
	return 0;
}

/*
 * tcp_disconnect - connect(2) with AF_UNSPEC (Linux's tcp_disconnect):
 * a listener stops, a connection is reset, and the socket is as new
 * (its name kept only if bind(2) chose it).
 */
int tcp_disconnect(struct inet_sock *s)
{
	if (s->outbound)
		return -EOPNOTSUPP;
	if (s->state == TCP_LISTEN)
		listen_stop(s);
	leave_synq(s);
	reset_peer(s);
	s->state = TCP_CLOSE;
	s->ss = SS_UNCONNECTED;
	s->shutdown = 0;
	s->err = 0;
	s->rx_fin = s->fin_read = s->peer_closed = false;
	s->cork_len = 0;
	if (s->rx.buf) {
		s->rx.head = s->rx.len = 0;
		s->rx_gen++;
	}
	forget_name(s);
	wake_up(&s->wq);
	return 0;
}

/*
 * tcp_close - the file is closed (Linux's tcp_close): a listener resets
 * what it had queued; a connection is reset if unread data is left or
 * SO_LINGER is {1, 0}, else closed with a FIN, and the peer's later
 * data is answered with a reset.
 */
void tcp_close(struct inet_sock *s)
{
	struct inet_sock *p;

	if (s->state == TCP_LISTEN)
		listen_stop(s);
	leave_synq(s);
	p = s->peer;
	if (p) {
		if (s->rx.len || (s->o.linger_on && !s->o.linger_secs)) {
			reset_peer(s);
		} else {
			if (!(s->shutdown & SEND_SHUTDOWN))
				send_fin(s);
			if (p->state != TCP_CLOSE)
				p->peer_closed = true;
			wake_up(&p->wq);
			unlink_peer(s);
		}
	}
	s->state = TCP_CLOSE;
	s->shutdown = SHUTDOWN_MASK;
}

/* tcp_rx_queue - rcv_nxt - copied_seq: unread bytes, and a FIN not yet read. */
int tcp_rx_queue(struct inet_sock *s)
{
	return (int)s->rx.len + (s->rx_fin && !s->fin_read ? 1 : 0);
}

/*
 * tcp_poll - Linux's tcp_poll: a listener is readable with a connection
 * queued; POLLHUP when shut both ways or closed, POLLIN|POLLRDHUP once
 * shut for reading (EOF), POLLIN with data up to the low-water mark,
 * POLLOUT while a third of the peer's ring is free (or after SHUT_WR),
 * nothing of these while a connect is in progress, POLLERR with an
 * error pending.
 */
short tcp_poll(struct inet_sock *s, struct poll_table *pt)
{
	short mask = 0;

	poll_wait(pt, &s->wq);
	if (s->state == TCP_LISTEN)
		return list_empty(&s->acceptq) ? 0 : POLLIN | POLLRDNORM;
	if (s->shutdown == SHUTDOWN_MASK || s->state == TCP_CLOSE)
		mask |= POLLHUP;
	if (s->shutdown & RCV_SHUTDOWN)
		mask |= POLLIN | POLLRDNORM | POLLRDHUP;
	if (s->state != TCP_SYN_SENT) {
		if (s->rx.len >= (size_t)(s->o.rcvlowat > 0 ? s->o.rcvlowat : 1) || (s->rx.len && s->rx_fin))
			mask |= POLLIN | POLLRDNORM;
		if (!(s->shutdown & SEND_SHUTDOWN)) {
			if (writable(s))
				mask |= POLLOUT | POLLWRNORM;
		} else {
			mask |= POLLOUT | POLLWRNORM;
		}
	}
	if (s->err)
		mask |= POLLERR;
	return mask;
}

/* tcp_ioctl - SIOCINQ (unread bytes), SIOCOUTQ and SIOCOUTQNSD (what
 * the peer's receive buffer cannot hold yet), SIOCATMARK (0); -EINVAL on
 * a listener. */
long tcp_ioctl(struct task *t, struct inet_sock *s, unsigned int cmd, uint64_t arg)
{
	int v;

	switch (cmd) {
	case L_FIONREAD:
		if (s->state == TCP_LISTEN)
			return -EINVAL;
		v = (int)s->rx.len;
		break;
	case L_TIOCOUTQ:
	case L_SIOCOUTQNSD:
		if (s->state == TCP_LISTEN)
			return -EINVAL;
		/* what the peer's receive buffer does not hold yet is ours */
		v = s->peer && s->peer->rx.len > recv_part(s->peer) ?
			    (int)(s->peer->rx.len - recv_part(s->peer)) : 0;
		break;
	case L_SIOCATMARK:
		v = 0;
		break;
	default:
		return -ENOIOCTLCMD;
	}
	return copy_to_user(t, arg, &v, sizeof(v)) ? -EFAULT : 0;
}
