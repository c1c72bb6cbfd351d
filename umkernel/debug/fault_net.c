/*
 * fault_net.c - the decisions of --inject-net: a failing network on the
 * way to a port or an address, at the level of the socket calls.
 *
 * In a nutshell: net/net_fault.c asks fault_net_check() before each
 * connect, send and receive on an AF_INET or AF_INET6 socket, with the
 * socket's two endpoints; the first --inject-net spec whose address
 * (PORT: either end; HOST:PORT: the remote end), operation and task
 * match and whose when=, interval=, probability= and times= let it fire
 * decides the fault: refuse (ECONNREFUSED instead of the connection or
 * the datagram), reset (the connection is reset: ECONNRESET here, a
 * reset at the peer), drop (the data is reported sent and never
 * arrives), delay=T, corrupt (one bit of the data sent or received),
 * short (half the bytes asked).  It is logged with both endpoints.
 * Under --replay, network faults come back at the same task, syscall
 * index and operation.
 *
 * Lock: klock.
 */
#include "fault_impl.h"
#include <stdlib.h>
#include <string.h>

static const char *op_name(int op)
{
	return op == FNET_CONNECT ? "connect" : op == FNET_SEND ? "send" : "recv";
}

static const char *fault_name(int f)
{
	static const char *n[] = { "", "refuse", "reset", "drop", "delay", "corrupt", "short" };
	return f >= 1 && f <= 6 ? n[f] : "?";
}

static bool spec_matches(const struct net_spec *s, const struct fnet_ep *local,
			 const struct fnet_ep *remote)
{
	if (s->any)
		return true;
	if (s->host_given)
		return remote->valid && remote->port == s->port && !memcmp(remote->addr, s->addr, 16);
	return (remote->valid && remote->port == s->port) || (local->valid && local->port == s->port);
}

static json_t *net_record(struct task *t, const struct fnet_hit *h)
{
	json_t *r = log_record("fault", t);
	json_object_set_new(r, "kind", json_string("net"));
	if (t->fault && t->fault->nsys)
		log_syscall(r, t->syscall_nr);
	if (h->spec)
		json_object_set_new(r, "spec", json_string(h->spec));
	json_object_set_new(r, "op", json_string(op_name(h->op)));
	json_object_set_new(r, "local", json_string(h->local));
	json_object_set_new(r, "remote", json_string(h->remote));
	json_object_set_new(r, "fault", json_string(fault_name(h->fault)));
	return r;
}

static void net_log(struct task *t, const struct fnet_hit *h, size_t n)
{
	if (!fault_logging())
		return;
	json_t *r = net_record(t, h);
	if (h->fault == FNETF_SHORT) {
		json_object_set_new(r, "asked", json_integer((json_int_t)n));
		json_object_set_new(r, "given", json_integer((json_int_t)h->n));
	} else if (h->fault == FNETF_DELAY) {
		json_object_set_new(r, "delay_us", json_integer((json_int_t)(h->delay_ns / 1000)));
	} else if (h->fault == FNETF_DROP) {
		json_object_set_new(r, "bytes", json_integer((json_int_t)n));
	}
	log_emit(r);
}

static bool net_replay(struct task *t, struct fault_task *ft, int op, size_t n, struct fnet_hit *hit)
{
	struct replay_rec *rr = replay_find(t->tid, ft->nsys, "net");
	if (!rr)
		return false;
	const char *o = json_string_value(json_object_get(rr->rec, "op"));
	const char *f = json_string_value(json_object_get(rr->rec, "fault"));
	if (!o || !f || strcmp(o, op_name(op)))
		return false;
	int fault = 0;
	for (int i = FNETF_REFUSE; i <= FNETF_SHORT; i++)
		if (!strcmp(f, fault_name(i)))
			fault = i;
	if (!fault)
		return false;
	hit->fault = fault;
	hit->spec = json_string_value(json_object_get(rr->rec, "spec"));
	if (fault == FNETF_DELAY)
		hit->delay_ns = (uint64_t)json_integer_value(json_object_get(rr->rec, "delay_us")) * 1000;
	if (fault == FNETF_SHORT) {
		hit->n = (size_t)json_integer_value(json_object_get(rr->rec, "given"));
		if (!hit->n || hit->n >= n)
			return false;
	}
	if (fault == FNETF_CORRUPT) {
		hit->fixed = true;
		hit->byte = (size_t)json_integer_value(json_object_get(rr->rec, "byte"));
		hit->bit = (int)json_integer_value(json_object_get(rr->rec, "bit"));
	}
	rr->done = true;
	return true;
}

bool fault_net_check(struct task *t, int op, bool stream, const struct fnet_ep *local,
		     const struct fnet_ep *remote, size_t n, struct fnet_hit *hit)
{
	if (!t)
		return false;
	struct fault_task *ft = fault_task_get(t);
	for (int i = 0; i < nnet_specs; i++) {
		struct net_spec *s = net_specs[i];
		if (!(s->ops & op) || !spec_matches(s, local, remote) ||
		    !task_matches(t, s->attr.task_comm, s->attr.task_pid))
			continue;
		/* a refused connection is a TCP one; a refused send, a datagram */
		if (s->fault == FNETF_REFUSE && op == FNET_SEND && stream)
			continue;
		if (s->fault == FNETF_RESET && !stream)
			continue;
		uint64_t c = ++ft->net_when[i];
		if (s->attr.fail_nth && c != s->attr.fail_nth)
			continue;
		if (s->fault == FNETF_SHORT && n < 2)
			continue;
		if (!attr_fires(&s->attr, t, c, 0x20000 + (uint64_t)i, ft->nsys))
			continue;
		hit->fault = s->fault;
		hit->op = op;
		hit->delay_ns = s->delay_ns;
		hit->n = n / 2;
		hit->key = fault_rand(0x6e6574, (uint64_t)i, (uint64_t)t->tid, c);
		hit->fixed = false;
		hit->spec = s->text;
		if (hit->fault != FNETF_CORRUPT)
			net_log(t, hit, n);
		return true;
	}
	if (nreplay) {
		hit->op = op;
		hit->fixed = false;
		if (net_replay(t, ft, op, n, hit)) {
			if (hit->fault != FNETF_CORRUPT)
				net_log(t, hit, n);
			return true;
		}
	}
	return false;
}

void fault_net_corrupt(struct task *t, const struct fnet_hit *hit, void *buf, size_t len)
{
	if (!len)
		return;
	size_t byte = hit->fixed ? hit->byte : (size_t)(hit->key % len);
	int bit = hit->fixed ? hit->bit : (int)((hit->key >> 40) % 8);
	if (byte >= len || bit < 0 || bit > 7)
		return;
	uint8_t *p = buf, old = p[byte];
	p[byte] ^= (uint8_t)(1u << bit);
	if (!fault_logging())
		return;
	char h[20];
	json_t *r = net_record(t, hit);
	json_object_set_new(r, "byte", json_integer((json_int_t)byte));
	json_object_set_new(r, "bit", json_integer(bit));
	json_object_set_new(r, "old", json_string(hex64(old, h)));
	json_object_set_new(r, "new", json_string(hex64(p[byte], h)));
	log_emit(r);
}
