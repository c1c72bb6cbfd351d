/*
 * netlink.h - what the netlink files of net/ share (netlink.c, the
 * socket and NETLINK_ROUTE; sock_diag.c, NETLINK_SOCK_DIAG): the message
 * header and a buffer that answers are built in, message by message,
 * with their attributes (Linux's nlmsg_put, nla_put...).
 *
 * Locking: klock, held by the caller.
 */
#ifndef UMK_NET_NETLINK_H
#define UMK_NET_NETLINK_H

#include "net.h"

#include <stdlib.h>
#include <string.h>

struct nlhdr {                        /* struct nlmsghdr */
	uint32_t len;
	uint16_t type, flags;
	uint32_t seq, pid;
};

/* A growing buffer of messages. */
struct nlbuf {
	char *b;
	size_t len, cap;
	bool oom;
};

static inline void *nb_room(struct nlbuf *nb, size_t n)
{
	size_t need = nb->len + ((n + 3) & ~(size_t)3);

	if (nb->oom)
		return NULL;
	if (need > nb->cap) {
		size_t cap = nb->cap ? nb->cap : 4096;
		char *p;

		while (cap < need)
			cap *= 2;
		p = realloc(nb->b, cap);
		if (!p) {
			nb->oom = true;
			return NULL;
		}
		nb->b = p;
		nb->cap = cap;
	}
	memset(nb->b + nb->len, 0, need - nb->len);
	nb->len = need;
	return nb->b + need - ((n + 3) & ~(size_t)3);
}

/* Starts a message; its offset (the header is patched by msg_end). */
static inline size_t msg_begin(struct nlbuf *nb, uint16_t type, uint16_t flags, uint32_t seq,
			uint32_t pid, const void *fam, size_t famlen)
{
	size_t off = nb->len;
	struct nlhdr *h = nb_room(nb, sizeof(*h));
	void *p;

	if (h)
		*h = (struct nlhdr){ 0, type, flags, seq, pid };
	p = nb_room(nb, famlen);
	if (p)
		memcpy(p, fam, famlen);
	return off;
}

static inline void msg_end(struct nlbuf *nb, size_t off)
{
	if (!nb->oom)
		((struct nlhdr *)(nb->b + off))->len = nb->len - off;
}

static inline void put_attr(struct nlbuf *nb, uint16_t type, const void *data, size_t len)
{
	uint16_t hdr[2] = { (uint16_t)(4 + len), type };
	char *p = nb_room(nb, 4 + len);

	if (!p)
		return;
	memcpy(p, hdr, 4);
	if (len)
		memcpy(p + 4, data, len);
}

static inline void put_u32(struct nlbuf *nb, uint16_t type, uint32_t v)
{
	put_attr(nb, type, &v, 4);
}

static inline void put_u8(struct nlbuf *nb, uint16_t type, uint8_t v)
{
	put_attr(nb, type, &v, 1);
}

static inline void put_be32(struct nlbuf *nb, uint16_t type, uint32_t host)
{
	uint32_t v = __builtin_bswap32(host);

	put_attr(nb, type, &v, 4);
}

/*
 * sock_diag_request - one NETLINK_SOCK_DIAG request h (Linux's
 * sock_diag_rcv_msg, inet_diag_handler_cmd, unix_diag_handler_dump):
 * SOCK_DIAG_BY_FAMILY for AF_INET/AF_INET6 (TCP, UDP; UDP-Lite and raw
 * answer nothing) and AF_UNIX, and the older TCPDIAG_GETSOCK and
 * DCCPDIAG_GETSOCK, answered from net's sockets into nb (port portid);
 * *dump set when the answer is a dump (NLMSG_DONE follows).  0, or
 * -EINVAL for a short request or a bad family, -ENOENT for a single
 * socket that is not there (or a family with no handler: netlink,
 * packet), -EOPNOTSUPP for SOCK_DESTROY and other types.
 */
int sock_diag_request(struct net_namespace *net, const struct nlhdr *h, uint32_t portid,
		      struct nlbuf *nb, bool *dump);

/* ---- NETLINK_GENERIC: genetlink.c, and its families ---- */
int genl_request(struct task *t, const struct nlhdr *h, uint32_t portid, struct nlbuf *nb,
		 bool *dump);
/* A message of a generic netlink family (genlmsghdr cmd, version); its offset. */
size_t genl_msg_begin(struct nlbuf *nb, uint16_t family, uint8_t cmd, uint8_t version,
		      uint16_t flags, uint32_t seq, uint32_t portid);
/* The attribute of the given type in request h after hdrlen bytes of
 * family header, or NULL; *len its payload's length (netlink.c). */
const char *nl_attr(const struct nlhdr *h, size_t hdrlen, uint16_t type, size_t *len);
/* ... in a generic netlink request, after its genlmsghdr */
static inline const char *genl_attr(const struct nlhdr *h, uint16_t type, size_t *len)
{
	return nl_attr(h, 4 /* GENL_HDRLEN */, type, len);
}
size_t nest_begin(struct nlbuf *nb, uint16_t type);   /* a nested attribute; nest_end closes it */
void nest_end(struct nlbuf *nb, size_t off);

/* TASKSTATS (kernel/taskstats.c; uapi/linux/taskstats.h): its family id
 * here (Linux gives one at boot) and the request handler */
#define TASKSTATS_GENL_ID        0x17
#define TASKSTATS_GENL_VERSION_  0x1
#define TASKSTATS_CMD_GET_       1
#define TASKSTATS_CMD_ATTR_MAX_  4
int taskstats_doit(struct task *t, const struct nlhdr *h, uint8_t cmd, uint32_t portid,
		   struct nlbuf *nb);

#endif
