/*
 * landlock_net.c - Landlock's TCP port rules, its scopes and its ptrace
 * rule (Linux's security/landlock/net.c, task.c).
 *
 * In a nutshell: bind(2) and connect(2) of a TCP socket need, from every
 * layer handling BIND_TCP or CONNECT_TCP, a rule on the port.  A layer
 * with a scope keeps its tasks from reaching out of it: from connecting or
 * sending to an abstract UNIX socket made outside the layer, or from
 * signalling a process outside it.  A task may ptrace only tasks in its
 * own domain or one nested in it.  "Outside" compares layers by identity
 * (struct landlock_domain), as Linux compares its hierarchy nodes.
 *
 * Lock: klock, held by every caller.
 */
#include "landlock.h"
#include "../net/net.h"

#include <errno.h>
#include <string.h>

/* ---- TCP ports ---- */

static int check_socket(struct task *t, const struct socket *s, const struct sock_addr *a,
			uint64_t access)
{
	const struct landlock_domain *d;
	uint64_t handled = 0;
	uint16_t family, port;

	if (!t || !t->landlock)
		return 0;
	for (d = t->landlock; d; d = d->parent)
		handled |= d->rs->handled_net;
	if (!(handled & access))
		return 0;
	/* TCP sockets only (erratum 1: not MPTCP or others of SOCK_STREAM) */
	if ((s->family != L_AF_INET && s->family != L_AF_INET6) || s->type != L_SOCK_STREAM ||
	    s->protocol != L_IPPROTO_TCP)
		return 0;
	if (a->len < 2)
		return -EINVAL;
	memcpy(&family, a->name, 2);
	switch (family) {
	case L_AF_UNSPEC:
		if (access == LL_NET_CONNECT_TCP)
			return 0;   /* dissolving an association is always allowed */
		if (s->family != L_AF_INET)
			return -EINVAL;
		if (a->len < 16)
			return -EINVAL;
		{
			uint32_t addr;
			memcpy(&addr, a->name + 4, 4);
			if (addr != 0)   /* INADDR_ANY only, as __inet_bind maps it */
				return -EAFNOSUPPORT;
		}
		/* fall through */
	case L_AF_INET:
		if (a->len < 16)
			return -EINVAL;
		break;
	case L_AF_INET6:
		if (a->len < 24)   /* SIN6_LEN_RFC2133 */
			return -EINVAL;
		break;
	default:
		return 0;
	}
	memcpy(&port, a->name + 2, 2);
	port = (uint16_t)((port >> 8) | (port << 8));   /* network to host order */
	/* every layer handling access must have a rule granting it on port */
	for (d = t->landlock; d; d = d->parent) {
		const struct landlock_ruleset *rs = d->rs;
		if (!(rs->handled_net & access))
			continue;
		bool granted = false;
		for (size_t k = 0; k < rs->nnet && !granted; k++)
			granted = rs->net[k].key1 == port && (rs->net[k].access & access);
		if (!granted)
			return -EACCES;
	}
	return 0;
}

int landlock_socket_bind(struct task *t, const struct socket *s, const struct sock_addr *a)
{
	return check_socket(t, s, a, LL_NET_BIND_TCP);
}

int landlock_socket_connect(struct task *t, const struct socket *s, const struct sock_addr *a)
{
	return check_socket(t, s, a, LL_NET_CONNECT_TCP);
}

/* ---- scopes ---- */

/* The layer of d at level (NULL if d is shallower). */
static const struct landlock_domain *layer_at(const struct landlock_domain *d, int level)
{
	while (d && d->level > level)
		d = d->parent;
	return d && d->level == level ? d : NULL;
}

/* Whether client's topmost layer with a scope in scope is not one of
 * server's layers (Linux's domain_is_scoped). */
static bool domain_is_scoped(const struct landlock_domain *client,
			     const struct landlock_domain *server, uint64_t scope)
{
	for (const struct landlock_domain *c = client; c; c = c->parent) {
		if (!(c->rs->scoped & scope))
			continue;
		return layer_at(server, c->level) != c;
	}
	return false;
}

int landlock_unix_abstract(struct task *t, const struct landlock_domain *server)
{
	if (!t || !t->landlock)
		return 0;
	return domain_is_scoped(t->landlock, server, LL_SCOPE_ABSTRACT_UNIX_SOCKET) ? -EPERM : 0;
}

int landlock_task_kill(struct task *sender, struct task *target)
{
	if (!sender || !sender->landlock || sender->tg == target->tg)
		return 0;   /* the threads of a process always may (erratum 2) */
	return domain_is_scoped(sender->landlock, target->landlock, LL_SCOPE_SIGNAL) ? -EPERM : 0;
}

void landlock_fown_set(struct task *t, struct landlock_domain **slot, struct task *owner)
{
	struct landlock_domain *d = NULL;

	if (t && t->landlock && (!owner || owner->tg != t->tg)) {
		for (const struct landlock_domain *l = t->landlock; l; l = l->parent)
			if (l->rs->scoped & LL_SCOPE_SIGNAL)
				d = t->landlock;
	}
	landlock_put(*slot);
	*slot = landlock_get(d);
}

bool landlock_sigio_scoped(const struct landlock_domain *setter, struct task *p)
{
	return setter && domain_is_scoped(setter, p->landlock, LL_SCOPE_SIGNAL);
}

/* ---- ptrace ---- */

int landlock_ptrace(struct task *tracer, struct task *tracee)
{
	if (!tracer || !tracer->landlock)
		return 0;
	/* tracer's domain must be tracee's or one of its ancestors */
	return layer_at(tracee->landlock, tracer->landlock->level) == tracer->landlock ? 0 : -EPERM;
}
