/*
 * netfilter.c - iptables on umk's own network: the x_tables tables of
 * each network namespace (filter, mangle, nat, raw), the IPT_SO_* socket
 * options that iptables-legacy uses to read and replace them, Linux's
 * checks of a new table, /proc/net/ip_tables_{names,matches,targets},
 * and the tables' verdicts on the packets umk's loopback carries
 * (Linux's net/ipv4/netfilter/ip_tables.c, net/netfilter/x_tables.c and
 * the xt_* extensions named below; man 8 iptables-extensions).
 *
 * In a nutshell: a table is kept as the guest gave it, a blob of struct
 * ipt_entry with their matches and target, checked once at
 * IPT_SO_SET_REPLACE as translate_table checks it (entry sizes and
 * offsets, hook entry points and underflows, mark_source_chains' loop
 * detection, each match's and target's name, revision, size, table,
 * hooks and protocol); the packet and byte counters live in the blob's
 * own counter fields.  A namespace's tables appear on first use, as
 * Linux's templates instantiate them.  umk's loopback carries no IP
 * packets, so the stack describes the packets Linux would have sent
 * (struct nf_pkt: a TCP SYN, SYN-ACK or RST at connect(2), a UDP
 * datagram, an ICMP message) and nf_local_out walks them through the
 * hooks; what is found (DROP, REJECT) is what the sockets then do.
 *
 * Only extensions whose rules umk can decide are known: the standard
 * target (ACCEPT, DROP, QUEUE taken as DROP, RETURN, jumps and gotos),
 * ERROR, REJECT; the matches tcp, udp, icmp, multiport (revision 1),
 * state and comment.  Any other name is -ENOENT, as on a Linux without
 * its module.  IPv6 (ip6_tables), arptables and ebtables are not built:
 * their options are -ENOPROTOOPT.  In host mode the initial namespace's
 * sockets are the host's, whose filter is not the guest's: -ENOPROTOOPT.
 *
 * Locking: klock, held by the caller.
 */
#include "netfilter.h"
#include "netdev.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---- the guest ABI (linux/netfilter_ipv4/ip_tables.h, x_tables.h) ---- */

#define IPT_SO_SET_REPLACE        64
#define IPT_SO_SET_ADD_COUNTERS   65
#define IPT_SO_GET_INFO           64
#define IPT_SO_GET_ENTRIES        65
#define IPT_SO_GET_REVISION_MATCH 66
#define IPT_SO_GET_REVISION_TARGET 67
#define TABLE_NAMELEN  32                /* XT_TABLE_MAXNAMELEN */
#define EXT_NAMELEN    29                /* XT_EXTENSION_MAXNAMELEN */
#define NUMHOOKS       5                 /* NF_INET_NUMHOOKS */
enum { H_PRE, H_IN, H_FWD, H_OUT, H_POST };
#define XT_ALIGN(n)    (((n) + 7u) & ~7u)
#define IPT_F_FRAG     0x01
#define IPT_F_GOTO     0x02
#define IPT_F_MASK     0x03
#define IPT_INV_VIA_IN 0x01
#define IPT_INV_VIA_OUT 0x02
#define IPT_INV_SRCIP  0x08
#define IPT_INV_DSTIP  0x10
#define IPT_INV_FRAG   0x20
#define IPT_INV_PROTO  0x40
#define IPT_INV_MASK   0x7f
#define NF_DROP_       0
#define NF_ACCEPT_     1
#define NF_QUEUE_      3
#define XT_RETURN_     (-5)              /* -NF_REPEAT - 1 */
#define CAP_NET_ADMIN_ 12
#define TABLE_MAX      (16u << 20)       /* umk's cap on one table's blob (Linux: 512 MiB) */

/* packed: a guest's offsets need not be aligned (Linux reads them as x86 lets it) */
struct __attribute__((packed)) ipt_ip_ {
	uint32_t src, dst, smsk, dmsk;    /* network order */
	char iniface[16], outiface[16];
	uint8_t iniface_mask[16], outiface_mask[16];
	uint16_t proto;
	uint8_t flags, invflags;
};

struct __attribute__((packed)) ipt_entry_ {
	struct ipt_ip_ ip;
	uint32_t nfcache;
	uint16_t target_offset, next_offset;
	uint32_t comefrom;
	uint64_t pcnt, bcnt;              /* struct xt_counters */
	unsigned char elems[];
};

/* struct xt_entry_match and xt_entry_target's user view: 32 bytes */
struct __attribute__((packed)) xt_obj_ {
	uint16_t size;
	char name[EXT_NAMELEN];
	uint8_t revision;
	unsigned char data[];
};

struct ipt_replace_ {
	char name[TABLE_NAMELEN];
	uint32_t valid_hooks, num_entries, size;
	uint32_t hook_entry[NUMHOOKS], underflow[NUMHOOKS];
	uint32_t num_counters;
	uint64_t counters;                /* struct xt_counters * */
};

struct ipt_getinfo_ {
	char name[TABLE_NAMELEN];
	uint32_t valid_hooks;
	uint32_t hook_entry[NUMHOOKS], underflow[NUMHOOKS];
	uint32_t num_entries, size;
};

struct ipt_get_entries_ {
	char name[TABLE_NAMELEN];
	uint32_t size;
	uint32_t pad;                     /* the entry table starts 8-aligned */
};

struct xt_counters_info_ {
	char name[TABLE_NAMELEN];
	uint32_t num_counters;
	uint32_t pad;
};

struct xt_get_revision_ {
	char name[EXT_NAMELEN];
	uint8_t revision;
};

_Static_assert(sizeof(struct ipt_entry_) == 112, "ipt_entry");
_Static_assert(sizeof(struct xt_obj_) == 32, "xt_entry_match");
_Static_assert(sizeof(struct ipt_replace_) == 96, "ipt_replace");
_Static_assert(sizeof(struct ipt_getinfo_) == 84, "ipt_getinfo");
_Static_assert(sizeof(struct ipt_get_entries_) == 40, "ipt_get_entries");
_Static_assert(sizeof(struct xt_counters_info_) == 40, "xt_counters_info");
_Static_assert(sizeof(struct xt_get_revision_) == 30, "xt_get_revision");

/* ---- the extensions umk knows ---- */

/* the extension data (xt_tcpudp.h, ipt_REJECT.h, xt_multiport.h...) */
struct xt_tcp_ { uint16_t spts[2], dpts[2]; uint8_t option, flg_mask, flg_cmp, invflags; };
struct xt_udp_ { uint16_t spts[2], dpts[2]; uint8_t invflags; };
struct ipt_icmp_ { uint8_t type, code[2], invflags; };
struct xt_multiport_v1_ { uint8_t flags, count; uint16_t ports[15]; uint8_t pflags[15]; uint8_t invert; };
struct xt_state_info_ { unsigned int statemask; };
enum { REJ_NET_UNREACH, REJ_HOST_UNREACH, REJ_PROT_UNREACH, REJ_PORT_UNREACH, REJ_ECHOREPLY,
       REJ_NET_PROHIBITED, REJ_HOST_PROHIBITED, REJ_TCP_RESET, REJ_ADMIN_PROHIBITED };

enum { FAM_IPV4, FAM_UNSPEC };

struct xt_ext {
	const char *name;
	uint8_t revision;
	bool target;
	int family;                       /* FAM_IPV4 first, then FAM_UNSPEC, as xt_find_match */
	unsigned int size;                /* matchsize / targetsize */
	const char *table;                /* only in this table (NULL: any) */
	unsigned int hooks;               /* only from these hooks (0: any) */
	uint16_t proto;                   /* only for this protocol (0: any) */
	/* checkentry: 0 or -errno */
	int (*check)(const struct ipt_entry_ *e, const void *data);
	/* a match's verdict on p */
	bool (*match)(const struct nf_pkt *p, const void *data);
};

static int tcp_check(const struct ipt_entry_ *e, const void *data)
{
	(void)e;
	return ((const struct xt_tcp_ *)data)->invflags & ~0x0f ? -EINVAL : 0;
}

static int udp_check(const struct ipt_entry_ *e, const void *data)
{
	(void)e;
	return ((const struct xt_udp_ *)data)->invflags & ~0x03 ? -EINVAL : 0;
}

static int icmp_check(const struct ipt_entry_ *e, const void *data)
{
	(void)e;
	return ((const struct ipt_icmp_ *)data)->invflags & ~0x01 ? -EINVAL : 0;
}

/* xt_multiport.c's check(): a port protocol, not inverted, a known mode,
 * <= 15 ports, and no range that starts at the last port */
static int multiport_check(const struct ipt_entry_ *e, const void *data)
{
	const struct xt_multiport_v1_ *m = data;
	int p = e->ip.proto;

	if ((p == 6 || p == 17 || p == 136 || p == 132 || p == 33) &&
	    !(e->ip.invflags & IPT_INV_PROTO) && m->flags <= 2 && m->count <= 15 &&
	    !(m->count && m->pflags[m->count - 1]))
		return 0;
	return -EINVAL;
}

/* ipt_REJECT.c's reject_tg_check */
static int reject_check(const struct ipt_entry_ *e, const void *data)
{
	uint32_t with;

	memcpy(&with, data, sizeof(with));
	if (with == REJ_ECHOREPLY)
		return -EINVAL;
	if (with == REJ_TCP_RESET && (e->ip.proto != 6 || (e->ip.invflags & IPT_INV_PROTO)))
		return -EINVAL;
	return 0;
}

static bool port_in(uint16_t lo, uint16_t hi, uint16_t port, bool inv)
{
	return (port >= lo && port <= hi) ^ inv;
}

static bool tcp_mt(const struct nf_pkt *p, const void *data)
{
	const struct xt_tcp_ *m = data;

	if (!port_in(m->spts[0], m->spts[1], p->sport, m->invflags & 1) ||
	    !port_in(m->dpts[0], m->dpts[1], p->dport, m->invflags & 2))
		return false;
	if (!(((p->tcp_flags & m->flg_mask) == m->flg_cmp) ^ !!(m->invflags & 4)))
		return false;
	if (m->option) {
		/* Linux's SYN and SYN-ACK carry MSS 2, SACK_PERM 4, TS 8, WS 3 */
		bool has = p->tcp_opts && (m->option == 2 || m->option == 4 || m->option == 8 ||
					   m->option == 3);

		if (!(has ^ !!(m->invflags & 8)))
			return false;
	}
	return true;
}

static bool udp_mt(const struct nf_pkt *p, const void *data)
{
	const struct xt_udp_ *m = data;

	return port_in(m->spts[0], m->spts[1], p->sport, m->invflags & 1) &&
	       port_in(m->dpts[0], m->dpts[1], p->dport, m->invflags & 2);
}

static bool icmp_mt(const struct nf_pkt *p, const void *data)
{
	const struct ipt_icmp_ *m = data;

	return (m->type == 0xff || (p->icmp_type == m->type && p->icmp_code >= m->code[0] &&
				    p->icmp_code <= m->code[1])) ^ !!(m->invflags & 1);
}

/* xt_multiport.c's ports_match_v1 */
static bool multiport_mt(const struct nf_pkt *p, const void *data)
{
	const struct xt_multiport_v1_ *m = data;

	for (int i = 0; i < m->count && i < 15; i++) {
		uint16_t s = m->ports[i], e = s;

		if (m->pflags[i] && i + 1 < 15)
			e = m->ports[++i];
		switch (m->flags) {
		case 0:
			if (p->sport >= s && p->sport <= e)
				return !m->invert;
			break;
		case 1:
			if (p->dport >= s && p->dport <= e)
				return !m->invert;
			break;
		case 2:
			if ((p->dport >= s && p->dport <= e) || (p->sport >= s && p->sport <= e))
				return !m->invert;
			break;
		}
	}
	return m->invert;
}

static bool state_mt(const struct nf_pkt *p, const void *data)
{
	return ((const struct xt_state_info_ *)data)->statemask & p->ctstate;
}

static bool comment_mt(const struct nf_pkt *p, const void *data)
{
	(void)p;
	(void)data;
	return true;
}

#define HOOKS_FILTER ((1u << H_IN) | (1u << H_FWD) | (1u << H_OUT))

static const struct xt_ext exts[] = {
	/* IPv4 ones */
	{ .name = "", .target = true, .size = 4 },                         /* XT_STANDARD_TARGET */
	{ .name = "ERROR", .target = true, .size = 32 },
	{ .name = "REJECT", .target = true, .size = 4, .table = "filter", .hooks = HOOKS_FILTER,
	  .check = reject_check },
	{ .name = "tcp", .size = sizeof(struct xt_tcp_), .proto = 6, .check = tcp_check, .match = tcp_mt },
	{ .name = "udp", .size = sizeof(struct xt_udp_), .proto = 17, .check = udp_check, .match = udp_mt },
	{ .name = "icmp", .size = sizeof(struct ipt_icmp_), .proto = 1, .check = icmp_check,
	  .match = icmp_mt },
	{ .name = "multiport", .revision = 1, .size = sizeof(struct xt_multiport_v1_),
	  .check = multiport_check, .match = multiport_mt },
	/* family-independent ones */
	{ .name = "state", .family = FAM_UNSPEC, .size = sizeof(struct xt_state_info_),
	  .match = state_mt },
	{ .name = "comment", .family = FAM_UNSPEC, .size = 256, .match = comment_mt },
};
#define NEXTS (sizeof(exts) / sizeof(exts[0]))
#define EXT_DATA_MAX 256              /* the largest size above (comment's) */

/* xt_request_find_match/target: -EINVAL for a name filling its field,
 * -ENOENT; -EPROTOTYPE when only another revision exists, if that is a
 * family-independent one (xt_find_match's answer is its last search's,
 * the NFPROTO_UNSPEC list's). */
static const struct xt_ext *ext_find(bool target, const char *name, int rev, int *err)
{
	if (strnlen(name, EXT_NAMELEN) == EXT_NAMELEN) {
		*err = -EINVAL;
		return NULL;
	}
	for (int fam = FAM_IPV4; fam <= FAM_UNSPEC; fam++) {
		*err = -ENOENT;
		for (size_t i = 0; i < NEXTS; i++) {
			if (exts[i].target != target || exts[i].family != fam || strcmp(exts[i].name, name))
				continue;
			if (exts[i].revision == rev)
				return &exts[i];
			*err = -EPROTOTYPE;
		}
	}
	return NULL;
}

/* xt_find_revision: the best revision (>= 0), -EPROTONOSUPPORT, -ENOENT */
static int ext_revision(bool target, const char *name, int rev)
{
	int best = -1;
	bool have = false;

	for (int fam = FAM_IPV4; fam <= FAM_UNSPEC && !have; fam++)
		for (size_t i = 0; i < NEXTS; i++) {
			if (exts[i].target != target || exts[i].family != fam || strcmp(exts[i].name, name))
				continue;
			if (exts[i].revision > best)
				best = exts[i].revision;
			if (exts[i].revision == rev)
				have = true;
		}
	if (best < 0)
		return -ENOENT;
	return have ? best : -EPROTONOSUPPORT;
}

/* ---- tables ---- */

static const struct table_def {
	const char *name;
	unsigned int valid_hooks;
} table_defs[] = {
	{ "filter", HOOKS_FILTER },
	{ "mangle", 0x1f },
	{ "nat", (1u << H_PRE) | (1u << H_IN) | (1u << H_OUT) | (1u << H_POST) },
	{ "raw", (1u << H_PRE) | (1u << H_OUT) },
};
enum { T_FILTER, T_MANGLE, T_NAT, T_RAW, NTABLES };

struct xt_tbl {
	const struct table_def *def;
	char *entries;                    /* the blob: size bytes (and 8 zero bytes after) */
	unsigned int size, number, initial;
	unsigned int hook_entry[NUMHOOKS], underflow[NUMHOOKS];
	unsigned int stacksize;           /* user chains: ERROR entries */
	unsigned int *stack;              /* the jump stack for a walk */
};

/* A tracked UDP flow (nf_conntrack's, reduced to what state needs). */
struct nf_flow {
	uint32_t a, b;                    /* the original direction's source and destination */
	uint16_t ap, bp;
	bool replied, used;
	uint64_t expires;                 /* CLOCK_MONOTONIC ns */
};
#define NF_FLOWS 64

/* A namespace's netfilter state (net_namespace.nf). */
struct nf_net {
	struct xt_tbl *tables[NTABLES];   /* NULL until first used */
	int order[NTABLES], norder;       /* in the order they appeared */
	struct nf_flow flows[NF_FLOWS];
};

static struct nf_net *nf_of(struct net_namespace *ns, bool make)
{
	if (!ns->nf && make)
		ns->nf = calloc(1, sizeof(struct nf_net));
	return ns->nf;
}

static void tbl_free(struct xt_tbl *t)
{
	if (!t)
		return;
	free(t->entries);
	free(t->stack);
	free(t);
}

/* nf_net_release - see net.h. */
void nf_net_release(struct net_namespace *ns)
{
	struct nf_net *n = ns->nf;

	if (!n)
		return;
	for (int i = 0; i < NTABLES; i++)
		tbl_free(n->tables[i]);
	free(n);
	ns->nf = NULL;
}

static struct ipt_entry_ *entry_at(const char *base, unsigned int off)
{
	return (struct ipt_entry_ *)(base + off);
}

static struct xt_obj_ *target_of(const struct ipt_entry_ *e)
{
	return (struct xt_obj_ *)((char *)e + e->target_offset);
}

static int verdict_of(const struct xt_obj_ *t)
{
	int v;

	memcpy(&v, t->data, sizeof(v));
	return v;
}

/* unconditional(): no match and an all-zero ipt_ip */
static bool unconditional(const struct ipt_entry_ *e)
{
	static const struct ipt_ip_ zero;

	return e->target_offset == sizeof(struct ipt_entry_) && !memcmp(&e->ip, &zero, sizeof(zero));
}

static bool ip_checkentry(const struct ipt_ip_ *ip)
{
	return !(ip->flags & ~IPT_F_MASK) && !(ip->invflags & ~IPT_INV_MASK);
}

static bool verdict_ok(int v)
{
	if (v > 0)
		return true;
	if (v < 0)
		return v == XT_RETURN_ || -v - 1 == NF_ACCEPT_ || -v - 1 == NF_DROP_ ||
		       -v - 1 == NF_QUEUE_;
	return false;
}

/* xt_check_entry_offsets and xt_check_entry_match */
static int check_entry_offsets(const struct ipt_entry_ *e)
{
	unsigned int to = e->target_offset, no = e->next_offset;
	const struct xt_obj_ *t;
	int length;
	const char *pos;

	if (to < sizeof(struct ipt_entry_) || to + sizeof(*t) > no)
		return -EINVAL;
	t = target_of(e);
	if (t->size < sizeof(*t) || to + t->size > no)
		return -EINVAL;
	if (!strncmp(t->name, "", EXT_NAMELEN)) {
		if (XT_ALIGN(to + sizeof(*t) + sizeof(int)) != no || !verdict_ok(verdict_of(t)))
			return -EINVAL;
	} else if (!strncmp(t->name, "ERROR", EXT_NAMELEN)) {
		if (t->size != sizeof(*t) + 32 || strnlen((const char *)t->data, 32) >= 32)
			return -EINVAL;
	}
	length = (int)to - (int)sizeof(struct ipt_entry_);
	pos = (const char *)e->elems;
	while (length > 0) {
		const struct xt_obj_ *m = (const struct xt_obj_ *)pos;

		if ((pos - (const char *)e) % 8 || length < (int)sizeof(*m) || m->size < sizeof(*m) ||
		    m->size > length)
			return -EINVAL;
		length -= m->size;
		pos += m->size;
	}
	return 0;
}

static bool check_underflow(const struct ipt_entry_ *e)
{
	const struct xt_obj_ *t = target_of(e);
	unsigned int v;

	if (!unconditional(e) || strncmp(t->name, "", EXT_NAMELEN))
		return false;
	v = -verdict_of(t) - 1;
	return v == NF_DROP_ || v == NF_ACCEPT_;
}

struct new_table {
	unsigned int size, number, stacksize;
	unsigned int hook_entry[NUMHOOKS], underflow[NUMHOOKS];
};

/* check_entry_size_and_hooks */
static int check_entry_size_and_hooks(struct ipt_entry_ *e, struct new_table *nt, const char *base,
				      const char *limit, const struct ipt_replace_ *r)
{
	unsigned int off = (unsigned int)((char *)e - base);
	int err;

	if (off % 8 || (char *)e + sizeof(*e) >= limit || (char *)e + e->next_offset > limit)
		return -EINVAL;
	if (e->next_offset < sizeof(*e) + sizeof(struct xt_obj_))
		return -EINVAL;
	if (!ip_checkentry(&e->ip))
		return -EINVAL;
	err = check_entry_offsets(e);
	if (err)
		return err;
	for (int h = 0; h < NUMHOOKS; h++) {
		if (!(r->valid_hooks & (1u << h)))
			continue;
		if (off == r->hook_entry[h])
			nt->hook_entry[h] = r->hook_entry[h];
		if (off == r->underflow[h]) {
			if (!check_underflow(e))
				return -EINVAL;
			nt->underflow[h] = r->underflow[h];
		}
	}
	e->pcnt = e->bcnt = 0;
	e->comefrom = 0;
	return 0;
}

/* xt_check_table_hooks */
static int check_table_hooks(const struct new_table *nt, unsigned int valid)
{
	unsigned int max_uflow = 0, max_entry = 0;
	bool check = false;

	for (int i = 0; i < NUMHOOKS; i++) {
		if (!(valid & (1u << i)))
			continue;
		if (nt->hook_entry[i] == 0xffffffff || nt->underflow[i] == 0xffffffff)
			return -EINVAL;
		if (check && (max_uflow >= nt->underflow[i] || max_entry >= nt->hook_entry[i]))
			return -EINVAL;
		max_entry = nt->hook_entry[i];
		max_uflow = nt->underflow[i];
		check = true;
	}
	return 0;
}

static bool find_jump_offset(const unsigned int *offsets, unsigned int target, unsigned int n)
{
	unsigned int lo = 0, hi = n;

	while (hi > lo) {
		unsigned int m = (lo + hi) / 2;

		if (offsets[m] > target)
			hi = m;
		else if (offsets[m] < target)
			lo = m + 1;
		else
			return true;
	}
	return false;
}

/* mark_source_chains: each rule's hooks in comefrom; false on a loop
 * or a jump or fall-through out of the table.  Uses pcnt as the back
 * pointer, as Linux does (cleared after). */
static bool mark_source_chains(const struct new_table *nt, unsigned int valid, char *entry0,
			       const unsigned int *offsets)
{
	for (unsigned int hook = 0; hook < NUMHOOKS; hook++) {
		unsigned int pos = nt->hook_entry[hook];
		struct ipt_entry_ *e = entry_at(entry0, pos);

		if (!(valid & (1u << hook)))
			continue;
		e->pcnt = pos;
		for (;;) {
			const struct xt_obj_ *t = target_of(e);
			bool std = !strncmp(t->name, "", EXT_NAMELEN);
			int visited = e->comefrom & (1u << hook);

			if (e->comefrom & (1u << NUMHOOKS))
				return false;
			e->comefrom |= (1u << hook) | (1u << NUMHOOKS);
			if ((unconditional(e) && std && verdict_of(t) < 0) || visited) {
				unsigned int oldpos, size;

				do {
					e->comefrom ^= 1u << NUMHOOKS;
					oldpos = pos;
					pos = (unsigned int)e->pcnt;
					e->pcnt = 0;
					if (pos == oldpos)
						goto next;
					e = entry_at(entry0, pos);
				} while (oldpos == pos + e->next_offset);
				size = e->next_offset;
				e = entry_at(entry0, pos + size);
				if (pos + size >= nt->size)
					return false;
				e->pcnt = pos;
				pos += size;
			} else {
				int newpos = verdict_of(t);

				if (std && newpos >= 0) {
					if (!find_jump_offset(offsets, (unsigned int)newpos, nt->number))
						return false;
				} else {
					newpos = (int)(pos + e->next_offset);
					if ((unsigned int)newpos >= nt->size)
						return false;
				}
				e = entry_at(entry0, (unsigned int)newpos);
				e->pcnt = pos;
				pos = (unsigned int)newpos;
			}
		}
next:		;
	}
	return true;
}

/* xt_check_match / xt_check_target for one extension use */
static int check_ext(const struct xt_ext *x, const struct xt_obj_ *o, const struct ipt_entry_ *e,
		     const char *table)
{
	if (XT_ALIGN(x->size) != o->size - sizeof(*o))
		return -EINVAL;
	if (x->table && strcmp(x->table, table))
		return -EINVAL;
	if (x->hooks && (e->comefrom & ~x->hooks))
		return -EINVAL;
	if (x->proto && (x->proto != e->ip.proto || (e->ip.invflags & IPT_INV_PROTO)))
		return -EINVAL;
	if (x->check) {
		uint64_t data[EXT_DATA_MAX / 8];   /* aligned: the guest's may not be */

		memcpy(data, o->data, x->size);
		return x->check(e, data);
	}
	return 0;
}

/* find_check_entry: the entry's matches and target exist and accept their use */
static int find_check_entry(struct ipt_entry_ *e, const char *table)
{
	const struct xt_ext *x;
	int err;

	if (!ip_checkentry(&e->ip) || e->target_offset + sizeof(struct xt_obj_) > e->next_offset ||
	    e->target_offset + target_of(e)->size > e->next_offset)
		return -EINVAL;
	for (unsigned int off = sizeof(*e); off < e->target_offset;) {
		struct xt_obj_ *m = (struct xt_obj_ *)((char *)e + off);

		x = ext_find(false, m->name, m->revision, &err);
		if (!x)
			return err;
		err = check_ext(x, m, e, table);
		if (err)
			return err;
		off += m->size;
	}
	x = ext_find(true, target_of(e)->name, target_of(e)->revision, &err);
	if (!x)
		return err;
	return check_ext(x, target_of(e), e, table);
}

/*
 * translate_table - checks blob entry0 (r->size bytes, r's hooks) as
 * Linux's translate_table does, filling nt: 0, -EINVAL (sizes, offsets,
 * hooks, underflows, an extension's use), -ELOOP (a loop, or a jump
 * outside the table), -ENOENT/-EPROTOTYPE (no such extension/revision),
 * -ENOMEM.  The blob's counters and comefrom are rewritten.
 */
static int translate_table(struct new_table *nt, char *entry0, const struct ipt_replace_ *r)
{
	unsigned int *offsets, i = 0;
	char name[TABLE_NAMELEN];
	int err = 0;

	memset(nt, 0, sizeof(*nt));
	nt->size = r->size;
	nt->number = r->num_entries;
	for (i = 0; i < NUMHOOKS; i++)
		nt->hook_entry[i] = nt->underflow[i] = 0xffffffff;
	if (nt->number > TABLE_MAX / sizeof(unsigned int))
		return -ENOMEM;
	offsets = calloc(nt->number ? nt->number : 1, sizeof(*offsets));
	if (!offsets)
		return -ENOMEM;
	i = 0;
	for (unsigned int off = 0; off < nt->size; off += entry_at(entry0, off)->next_offset) {
		struct ipt_entry_ *e = entry_at(entry0, off);

		err = check_entry_size_and_hooks(e, nt, entry0, entry0 + r->size, r);
		if (err)
			goto out;
		if (i < r->num_entries)
			offsets[i] = off;
		i++;
		if (!strncmp(target_of(e)->name, "ERROR", EXT_NAMELEN))
			nt->stacksize++;
	}
	err = -EINVAL;
	if (i != r->num_entries)
		goto out;
	err = check_table_hooks(nt, r->valid_hooks);
	if (err)
		goto out;
	if (!mark_source_chains(nt, r->valid_hooks, entry0, offsets)) {
		err = -ELOOP;
		goto out;
	}
	memcpy(name, r->name, sizeof(name));
	name[sizeof(name) - 1] = 0;
	for (unsigned int off = 0; off < nt->size; off += entry_at(entry0, off)->next_offset) {
		struct ipt_entry_ *e = entry_at(entry0, off);

		e->pcnt = e->bcnt = 0;
		err = find_check_entry(e, name);
		if (err)
			break;
	}
out:
	free(offsets);
	return err;
}

/* Installs blob (malloc'd, taken) as t's rules. */
static int tbl_install(struct xt_tbl *t, char *blob, const struct new_table *nt)
{
	unsigned int *stack = calloc(nt->stacksize + 1, sizeof(*stack));

	if (!stack)
		return -ENOMEM;
	free(t->entries);
	free(t->stack);
	t->entries = blob;
	t->stack = stack;
	t->size = nt->size;
	t->number = nt->number;
	t->stacksize = nt->stacksize;
	memcpy(t->hook_entry, nt->hook_entry, sizeof(t->hook_entry));
	memcpy(t->underflow, nt->underflow, sizeof(t->underflow));
	return 0;
}

/* A new table of def: a policy ACCEPT rule per hook and the final
 * ERROR rule, as xt_alloc_initial_table makes it, translated. */
static struct xt_tbl *tbl_new(const struct table_def *def)
{
	unsigned int nhooks = (unsigned int)__builtin_popcount(def->valid_hooks);
	unsigned int std = sizeof(struct ipt_entry_) + XT_ALIGN(sizeof(struct xt_obj_) + 4);
	unsigned int errsz = sizeof(struct ipt_entry_) + XT_ALIGN(sizeof(struct xt_obj_) + 32);
	struct ipt_replace_ r = { .valid_hooks = def->valid_hooks, .num_entries = nhooks + 1,
				  .size = nhooks * std + errsz };
	struct xt_tbl *t = calloc(1, sizeof(*t));
	char *blob = calloc(1, r.size + 8);
	struct new_table nt;
	unsigned int off = 0;

	if (!t || !blob)
		goto fail;
	snprintf(r.name, sizeof(r.name), "%s", def->name);
	for (int h = 0; h < NUMHOOKS; h++) {
		struct ipt_entry_ *e;
		struct xt_obj_ *o;
		int v = -NF_ACCEPT_ - 1;

		if (!(def->valid_hooks & (1u << h)))
			continue;
		r.hook_entry[h] = r.underflow[h] = off;
		e = entry_at(blob, off);
		e->target_offset = sizeof(*e);
		e->next_offset = (uint16_t)std;
		o = target_of(e);
		o->size = (uint16_t)(std - sizeof(*e));
		memcpy(o->data, &v, sizeof(v));
		off += std;
	}
	{
		struct ipt_entry_ *e = entry_at(blob, off);
		struct xt_obj_ *o;

		e->target_offset = sizeof(*e);
		e->next_offset = (uint16_t)errsz;
		o = target_of(e);
		o->size = (uint16_t)(errsz - sizeof(*e));
		strcpy(o->name, "ERROR");
		strcpy((char *)o->data, "ERROR");
	}
	if (translate_table(&nt, blob, &r) || tbl_install(t, blob, &nt))
		goto fail;
	t->def = def;
	t->initial = nt.number;
	return t;
fail:
	free(blob);
	free(t);
	return NULL;
}

/* The table of net named name (made on first use, as
 * xt_request_find_table_lock instantiates a template): -ENOENT, -ENOMEM. */
static struct xt_tbl *tbl_find(struct net_namespace *net, const char *name, int *err)
{
	struct nf_net *n;

	for (int i = 0; i < NTABLES; i++) {
		if (strcmp(table_defs[i].name, name))
			continue;
		n = nf_of(net, true);
		*err = -ENOMEM;
		if (!n)
			return NULL;
		if (!n->tables[i]) {
			n->tables[i] = tbl_new(&table_defs[i]);
			if (!n->tables[i])
				return NULL;
			n->order[n->norder++] = i;
		}
		return n->tables[i];
	}
	*err = -ENOENT;
	return NULL;
}

/* ---- the socket options ---- */

/* IPT_SO_SET_REPLACE: do_replace and __do_replace */
static int do_replace(struct task *t, struct net_namespace *net, uint64_t uarg, unsigned int len)
{
	struct ipt_replace_ r;
	struct new_table nt;
	struct xt_tbl *tb;
	char *blob;
	int err;

	if (len < sizeof(r))
		return -EINVAL;
	if (copy_from_user(t, &r, uarg, sizeof(r)))
		return -EFAULT;
	if (r.num_counters >= INT32_MAX / 16)
		return -ENOMEM;
	if (r.num_counters == 0)
		return -EINVAL;
	if ((uint64_t)len < (uint64_t)r.size + sizeof(r))
		return -EINVAL;
	r.name[sizeof(r.name) - 1] = 0;
	if (r.size >= TABLE_MAX)
		return -ENOMEM;
	blob = calloc(1, (size_t)r.size + 8);
	if (!blob)
		return -ENOMEM;
	err = -EFAULT;
	if (r.size && copy_from_user(t, blob, uarg + sizeof(r), r.size))
		goto fail;
	err = translate_table(&nt, blob, &r);
	if (err)
		goto fail;
	tb = tbl_find(net, r.name, &err);
	if (!tb)
		goto fail;
	err = -EINVAL;
	if (r.valid_hooks != tb->def->valid_hooks)
		goto fail;
	err = -EAGAIN;
	if (r.num_counters != tb->number)
		goto fail;
	{
		/* the old counters go back to the guest (a failure is silent, as Linux's) */
		uint64_t *c = calloc(tb->number, 16);
		unsigned int i = 0;

		for (unsigned int off = 0; c && off < tb->size; off += entry_at(tb->entries, off)->next_offset, i++) {
			c[2 * i] = entry_at(tb->entries, off)->pcnt;
			c[2 * i + 1] = entry_at(tb->entries, off)->bcnt;
		}
		err = tbl_install(tb, blob, &nt);
		if (err) {
			free(c);
			goto fail;
		}
		if (c && r.counters)
			copy_to_user(t, r.counters, c, (size_t)r.num_counters * 16);
		free(c);
	}
	return 0;
fail:
	free(blob);
	return err;
}

/* IPT_SO_SET_ADD_COUNTERS: xt_copy_counters and do_add_counters */
static int do_add_counters(struct task *t, struct net_namespace *net, uint64_t uarg, unsigned int len)
{
	struct xt_counters_info_ ci;
	struct xt_tbl *tb;
	uint64_t *c;
	unsigned int i = 0;
	int err;

	if (len <= sizeof(ci))
		return -EINVAL;
	len -= sizeof(ci);
	if (copy_from_user(t, &ci, uarg, sizeof(ci)))
		return -EFAULT;
	ci.name[sizeof(ci.name) - 1] = 0;
	if ((uint64_t)ci.num_counters * 16 != len)
		return -EINVAL;
	if (len > TABLE_MAX)
		return -ENOMEM;
	c = malloc(len);
	if (!c)
		return -ENOMEM;
	err = -EFAULT;
	if (copy_from_user(t, c, uarg + sizeof(ci), len))
		goto out;
	tb = tbl_find(net, ci.name, &err);
	if (!tb)
		goto out;
	err = -EINVAL;
	if (tb->number != ci.num_counters)
		goto out;
	for (unsigned int off = 0; off < tb->size; off += entry_at(tb->entries, off)->next_offset, i++) {
		entry_at(tb->entries, off)->pcnt += c[2 * i];
		entry_at(tb->entries, off)->bcnt += c[2 * i + 1];
	}
	err = 0;
out:
	free(c);
	return err;
}

/* Writes an extension's user view over o (name, revision, data and its
 * padding), as xt_match_to_user/xt_target_to_user: the rest of the
 * header is left as the guest's buffer had it. */
static void ext_to_user(struct xt_obj_ *out, const struct xt_obj_ *o, bool target)
{
	int err;
	const struct xt_ext *x = ext_find(target, o->name, o->revision, &err);
	size_t n;

	if (!x)
		return;
	out->size = o->size;
	memcpy(out->name, x->name, strlen(x->name) + 1);
	out->revision = x->revision;
	memcpy(out->data, o->data, x->size);
	n = XT_ALIGN(x->size) - x->size;
	memset(out->data + x->size, 0, n);
}

/* IPT_SO_GET_ENTRIES: get_entries and copy_entries_to_user */
static int get_entries(struct task *t, struct net_namespace *net, uint64_t uarg, int len)
{
	struct ipt_get_entries_ g;
	struct xt_tbl *tb;
	char *out;
	int err;

	if (len < (int)sizeof(g))
		return -EINVAL;
	if (copy_from_user(t, &g, uarg, sizeof(g)))
		return -EFAULT;
	if ((unsigned int)len != sizeof(g) + g.size)
		return -EINVAL;
	g.name[sizeof(g.name) - 1] = 0;
	tb = tbl_find(net, g.name, &err);
	if (!tb)
		return err;
	if (g.size != tb->size)
		return -EAGAIN;
	out = malloc(tb->size ? tb->size : 1);
	if (!out)
		return -ENOMEM;
	err = -EFAULT;
	if (tb->size && copy_from_user(t, out, uarg + sizeof(g), tb->size))
		goto done;
	for (unsigned int off = 0; off < tb->size; off += entry_at(tb->entries, off)->next_offset) {
		const struct ipt_entry_ *e = entry_at(tb->entries, off);
		struct ipt_entry_ *d = entry_at(out, off);

		memcpy(d, e, sizeof(*e));
		for (unsigned int m = sizeof(*e); m < e->target_offset;
		     m += ((const struct xt_obj_ *)((const char *)e + m))->size)
			ext_to_user((struct xt_obj_ *)((char *)d + m),
				    (const struct xt_obj_ *)((const char *)e + m), false);
		ext_to_user((struct xt_obj_ *)((char *)d + e->target_offset), target_of(e), true);
	}
	err = copy_to_user(t, uarg + sizeof(g), out, tb->size) ? -EFAULT : 0;
done:
	free(out);
	return err;
}

/* IPT_SO_GET_INFO: get_info */
static int get_info(struct task *t, struct net_namespace *net, uint64_t uarg, int len)
{
	struct ipt_getinfo_ info;
	char name[TABLE_NAMELEN];
	struct xt_tbl *tb;
	int err;

	if (len != (int)sizeof(info))
		return -EINVAL;
	if (copy_from_user(t, name, uarg, sizeof(name)))
		return -EFAULT;
	name[sizeof(name) - 1] = 0;
	tb = tbl_find(net, name, &err);
	if (!tb)
		return err;
	memset(&info, 0, sizeof(info));
	info.valid_hooks = tb->def->valid_hooks;
	memcpy(info.hook_entry, tb->hook_entry, sizeof(info.hook_entry));
	memcpy(info.underflow, tb->underflow, sizeof(info.underflow));
	info.num_entries = tb->number;
	info.size = tb->size;
	strcpy(info.name, name);
	return copy_to_user(t, uarg, &info, sizeof(info)) ? -EFAULT : 0;
}

/*
 * The namespace whose tables socket file f reaches at level (nf_sockopt's
 * sock_net): an AF_INET socket of umk's own stack at SOL_IP, or an
 * AF_INET6 one (not raw) at SOL_IP, as udp/tcp's setsockopt hands
 * SOL_IP on to ip_setsockopt.  NULL otherwise (host sockets included).
 */
static struct net_namespace *nf_sock_net(struct file *f, int level)
{
	struct socket *sk = file_socket(f);
	struct net_namespace *net;

	if (level != L_SOL_IP)
		return NULL;
	if (sk->family != L_AF_INET && (sk->family != L_AF_INET6 || sk->type == L_SOCK_RAW))
		return NULL;
	net = inet_file_net(f);
	if (!net || net_mode_of(net) == NET_HOST)
		return NULL;
	return net;
}

/* nf_setsockopt - see net.h. */
int nf_setsockopt(struct task *t, struct file *f, int level, int name, uint64_t uval, int len)
{
	struct net_namespace *net;

	if (name < IPT_SO_SET_REPLACE || name > IPT_SO_SET_ADD_COUNTERS || !file_is_socket(f))
		return -ENOPROTOOPT;
	net = nf_sock_net(f, level);
	if (!net)
		return -ENOPROTOOPT;
	if (!ns_capable(t, net->user_ns, CAP_NET_ADMIN_))
		return -EPERM;
	if (name == IPT_SO_SET_REPLACE)
		return do_replace(t, net, uval, (unsigned int)len);
	return do_add_counters(t, net, uval, (unsigned int)len);
}

/* nf_getsockopt - see net.h. */
int nf_getsockopt(struct task *t, struct file *f, int level, int name, uint64_t uval, int *len)
{
	struct net_namespace *net;

	if (name < IPT_SO_GET_INFO || name > IPT_SO_GET_REVISION_TARGET || !file_is_socket(f))
		return -ENOPROTOOPT;
	net = nf_sock_net(f, level);
	if (!net)
		return -ENOPROTOOPT;
	if (!ns_capable(t, net->user_ns, CAP_NET_ADMIN_))
		return -EPERM;
	switch (name) {
	case IPT_SO_GET_INFO:
		return get_info(t, net, uval, *len);
	case IPT_SO_GET_ENTRIES:
		return get_entries(t, net, uval, *len);
	default: {
		struct xt_get_revision_ rev;
		int r;

		if (*len != (int)sizeof(rev))
			return -EINVAL;
		if (copy_from_user(t, &rev, uval, sizeof(rev)))
			return -EFAULT;
		rev.name[sizeof(rev.name) - 1] = 0;
		r = ext_revision(name == IPT_SO_GET_REVISION_TARGET, rev.name, rev.revision);
		return r < 0 ? r : 0;
	}
	}
}

/* nf_proc_net - see net.h. */
void nf_proc_net(const char *name, struct net_text *nt)
{
	if (!strcmp(name, "ip_tables_names")) {
		struct nf_net *n = current_net()->nf;

		for (int i = n ? n->norder - 1 : -1; i >= 0; i--)
			net_printf(nt, "%s\n", table_defs[n->order[i]].name);
		return;
	}
	/* the IPv4 extensions, then the family-independent ones, newest first as Linux lists them */
	for (int fam = FAM_IPV4; fam <= FAM_UNSPEC; fam++)
		for (int i = (int)NEXTS - 1; i >= 0; i--)
			if (exts[i].family == fam && exts[i].name[0] &&
			    exts[i].target == !strcmp(name, "ip_tables_targets"))
				net_printf(nt, "%s\n", exts[i].name);
}

/* ---- the verdicts ---- */

/* ip_packet_match (interfaces: "lo" or none) */
static bool ifname_eq(const char *dev, const char *want, const uint8_t *mask)
{
	char d[16] = { 0 };
	unsigned int diff = 0;

	strncpy(d, dev, sizeof(d) - 1);
	for (int i = 0; i < 16; i++)
		diff |= (unsigned char)(d[i] ^ want[i]) & mask[i];
	return diff == 0;
}

static bool ip_match(const struct ipt_ip_ *ip, const struct nf_pkt *p, const char *in, const char *out)
{
#define INV(flag, cond) ((cond) ^ !!(ip->invflags & (flag)))
	if (INV(IPT_INV_SRCIP, (p->saddr & ip->smsk) != ip->src) ||
	    INV(IPT_INV_DSTIP, (p->daddr & ip->dmsk) != ip->dst))
		return false;
	if (INV(IPT_INV_VIA_IN, !ifname_eq(in, ip->iniface, ip->iniface_mask)))
		return false;
	if (INV(IPT_INV_VIA_OUT, !ifname_eq(out, ip->outiface, ip->outiface_mask)))
		return false;
	if (ip->proto && INV(IPT_INV_PROTO, p->proto != ip->proto))
		return false;
	if (INV(IPT_INV_FRAG, (ip->flags & IPT_F_FRAG) != 0))   /* no packet is a fragment */
		return false;
	return true;
#undef INV
}

enum { V_ACCEPT, V_DROP, V_REJECT };

/* ipt_do_table: t's verdict at hook on p; *with: the REJECT type */
static int tbl_do(struct xt_tbl *t, int hook, const struct nf_pkt *p, const char *in,
		  const char *out, uint32_t *with)
{
	char *base = t->entries;
	struct ipt_entry_ *e = entry_at(base, t->hook_entry[hook]);
	unsigned int sp = 0;

	for (;;) {
		const struct xt_obj_ *tg;
		bool ok = ip_match(&e->ip, p, in, out);
		int err;

		for (unsigned int m = sizeof(*e); ok && m < e->target_offset;) {
			const struct xt_obj_ *o = (const struct xt_obj_ *)((char *)e + m);
			const struct xt_ext *x = ext_find(false, o->name, o->revision, &err);
			uint64_t data[EXT_DATA_MAX / 8];

			if (x)
				memcpy(data, o->data, x->size);
			ok = x && x->match(p, data);
			m += o->size;
		}
		if (!ok) {
			e = entry_at((char *)e, e->next_offset);
			continue;
		}
		e->pcnt++;
		e->bcnt += p->len;
		tg = target_of(e);
		if (!tg->name[0]) {
			int v = verdict_of(tg);

			if (v < 0) {
				if (v != XT_RETURN_)
					return -v - 1 == NF_ACCEPT_ ? V_ACCEPT : V_DROP;  /* QUEUE: no reader */
				if (sp == 0) {
					e = entry_at(base, t->underflow[hook]);
				} else {
					sp--;
					e = entry_at(base, t->stack[sp]);
					e = entry_at((char *)e, e->next_offset);
				}
				continue;
			}
			if (base + v != (char *)e + e->next_offset && !(e->ip.flags & IPT_F_GOTO)) {
				if (sp >= t->stacksize)
					return V_DROP;
				t->stack[sp++] = (unsigned int)((char *)e - base);
			}
			e = entry_at(base, (unsigned int)v);
			continue;
		}
		if (!strcmp(tg->name, "REJECT")) {
			memcpy(with, tg->data, sizeof(*with));
			return V_REJECT;
		}
		return V_DROP;                    /* ERROR */
	}
}

bool nf_active(const struct net_namespace *net)
{
	return net->nf && ((struct nf_net *)net->nf)->norder > 0;
}

/* The hooks of a loopback packet, each table in priority order (raw
 * -300, mangle -150, nat -100/100, filter 0); nat sees only a
 * connection's first packet, at OUTPUT and POSTROUTING (the NAT of the
 * lo side is then already set up). */
static const struct { int hook, table; bool new_only; const char *in, *out; } walk[] = {
	{ H_OUT, T_RAW, false, "", "lo" }, { H_OUT, T_MANGLE, false, "", "lo" },
	{ H_OUT, T_NAT, true, "", "lo" }, { H_OUT, T_FILTER, false, "", "lo" },
	{ H_POST, T_MANGLE, false, "", "lo" }, { H_POST, T_NAT, true, "", "lo" },
	{ H_PRE, T_RAW, false, "lo", "" }, { H_PRE, T_MANGLE, false, "lo", "" },
	{ H_IN, T_MANGLE, false, "lo", "" }, { H_IN, T_FILTER, false, "lo", "" },
};

/* The walk's hooks, or only OUTPUT and POSTROUTING with eth0 as the
 * way out (out_only: a packet leaving through private mode's eth0). */
static int walk_hooks(struct nf_net *n, const struct nf_pkt *p, uint32_t *with, bool out_only)
{
	for (size_t i = 0; i < sizeof(walk) / sizeof(walk[0]); i++) {
		struct xt_tbl *t = n->tables[walk[i].table];
		int v;

		if (!t || (walk[i].new_only && p->ctstate != NF_CT_NEW))
			continue;
		if (out_only && walk[i].hook != H_OUT && walk[i].hook != H_POST)
			continue;
		v = tbl_do(t, walk[i].hook, p, walk[i].in, out_only ? "eth0" : walk[i].out, with);
		if (v != V_ACCEPT)
			return v;
	}
	return V_ACCEPT;
}

/* icmp_err_convert for the REJECT types: the errno and whether it is "fatal" */
static int reject_errno(uint32_t with, bool *hard, uint8_t *code)
{
	static const struct { int err; bool hard; uint8_t code; } tab[] = {
		[REJ_NET_UNREACH] = { ENETUNREACH, false, 0 },
		[REJ_HOST_UNREACH] = { EHOSTUNREACH, false, 1 },
		[REJ_PROT_UNREACH] = { ENOPROTOOPT, true, 2 },
		[REJ_PORT_UNREACH] = { ECONNREFUSED, true, 3 },
		[REJ_ECHOREPLY] = { 0, false, 0 },
		[REJ_NET_PROHIBITED] = { ENETUNREACH, true, 9 },
		[REJ_HOST_PROHIBITED] = { EHOSTUNREACH, true, 10 },
		[REJ_TCP_RESET] = { ECONNREFUSED, true, 0 },
		[REJ_ADMIN_PROHIBITED] = { EHOSTUNREACH, true, 13 },
	};

	if (with >= sizeof(tab) / sizeof(tab[0]) || !tab[with].err)
		return 0;
	*hard = tab[with].hard;
	*code = tab[with].code;
	return tab[with].err;
}

static int nf_out(struct net_namespace *net, struct nf_pkt *p, bool *hard, bool remote);

/* nf_local_out - see netfilter.h. */
int nf_local_out(struct net_namespace *net, struct nf_pkt *p, bool *hard)
{
	return nf_out(net, p, hard, false);
}

/* nf_remote_out - see netfilter.h. */
int nf_remote_out(struct net_namespace *net, struct nf_pkt *p, bool *hard)
{
	return nf_out(net, p, hard, true);
}

static int nf_out(struct net_namespace *net, struct nf_pkt *p, bool *hard, bool remote)
{
	struct nf_net *n = net->nf;
	struct nf_pkt r;
	uint32_t with = 0;
	bool h = false;
	uint8_t code = 0;
	int v, err;

	if (!n || !n->norder)
		return 0;
	v = walk_hooks(n, p, &with, remote);
	if (v == V_ACCEPT)
		return 0;
	if (v == V_DROP)
		return 1;
	/* REJECT: its answer goes back through the hooks (and is never answered itself) */
	err = reject_errno(with, &h, &code);
	if (!err)
		return 1;
	if (with == REJ_TCP_RESET && (p->proto != 6 || (p->tcp_flags & 4)))
		return 1;
	memset(&r, 0, sizeof(r));
	r.saddr = p->daddr;
	r.daddr = p->saddr;
	if (with == REJ_TCP_RESET) {
		r.proto = 6;
		r.sport = p->dport;
		r.dport = p->sport;
		r.tcp_flags = (p->tcp_flags & 0x10) ? 4 : 4 | 0x10;
		r.len = 40;
		r.ctstate = NF_CT_ESTABLISHED;
	} else {
		if (p->proto == 1 && p->icmp_type != 8 && p->icmp_type != 0 && p->icmp_type != 13 &&
		    p->icmp_type != 15 && p->icmp_type != 17)
			return 1;                 /* no ICMP error about an ICMP error */
		r.proto = 1;
		r.icmp_type = 3;
		r.icmp_code = code;
		r.len = 28 + (p->len < 548 ? p->len : 548);
		r.ctstate = NF_CT_RELATED;
	}
	if (walk_hooks(n, &r, &with, false) != V_ACCEPT)
		return 1;
	if (hard)
		*hard = h;
	return -err;
}

/* nf_udp_track - see netfilter.h (nf_conntrack_proto_udp's timeouts: 30 s
 * unreplied, 120 s once both ways have been seen). */
void nf_udp_track(struct net_namespace *net, struct nf_pkt *p)
{
	struct nf_net *n = net->nf;
	uint64_t now = now_ns(1);
	struct nf_flow *f, *spare = NULL;

	p->ctstate = NF_CT_NEW;
	if (!n)
		return;
	for (int i = 0; i < NF_FLOWS; i++) {
		f = &n->flows[i];
		if (f->used && f->expires < now)
			f->used = false;
		if (!f->used) {
			if (!spare)
				spare = f;
			continue;
		}
		if (f->a == p->saddr && f->ap == p->sport && f->b == p->daddr && f->bp == p->dport) {
			p->ctstate = f->replied ? NF_CT_ESTABLISHED : NF_CT_NEW;
			f->expires = now + (f->replied ? 120 : 30) * 1000000000ULL;
			return;
		}
		if (f->b == p->saddr && f->bp == p->sport && f->a == p->daddr && f->ap == p->dport) {
			f->replied = true;
			p->ctstate = NF_CT_ESTABLISHED;
			f->expires = now + 120 * 1000000000ULL;
			return;
		}
	}
	if (!spare)
		spare = &n->flows[now % NF_FLOWS];
	*spare = (struct nf_flow){ .a = p->saddr, .b = p->daddr, .ap = p->sport, .bp = p->dport,
				   .used = true, .expires = now + 30 * 1000000000ULL };
}
