/*
 * genetlink.c - NETLINK_GENERIC: the generic netlink bus and its
 * controller, nlctrl (Linux's net/netlink/genetlink.c; man 7 netlink,
 * include/uapi/linux/genetlink.h).
 *
 * In a nutshell: a request carries a family id in nlmsg_type and a
 * genlmsghdr (cmd, version); the controller (GENL_ID_CTRL) answers
 * CTRL_CMD_GETFAMILY by name or id, or as a dump of every family, with
 * the attributes ctrl_fill_info gives (name, id, version, header size,
 * max attribute, ops with their flags, multicast groups).  The families
 * umk has: nlctrl and TASKSTATS (kernel/taskstats.c, what iotop and
 * getdelays ask for).  Any other name is -ENOENT, as on a kernel built
 * without that family (ethtool and iw then fall back or say so).  An op
 * marked GENL_ADMIN_PERM needs CAP_NET_ADMIN in the initial user
 * namespace (netlink_capable).
 *
 * Locking: klock, held by the caller.
 */
#include "netlink.h"
#include "../kernel/task.h"

#define NLM_F_ACK_         0x4
#define NLM_F_DUMP_        0x300
#define GENL_HDRLEN_       4
#define GENL_ID_CTRL_      0x10
#define GENL_ADMIN_PERM_   0x01
#define GENL_CMD_CAP_DO_   0x02
#define GENL_CMD_CAP_DUMP_ 0x04

/* the controller's commands and attributes (uapi/linux/genetlink.h) */
enum { CTRL_CMD_NEWFAMILY_ = 1, CTRL_CMD_GETFAMILY_ = 3 };
enum { CTRL_ATTR_FAMILY_ID_ = 1, CTRL_ATTR_FAMILY_NAME_, CTRL_ATTR_VERSION_, CTRL_ATTR_HDRSIZE_,
       CTRL_ATTR_MAXATTR_, CTRL_ATTR_OPS_, CTRL_ATTR_MCAST_GROUPS_ };
enum { CTRL_ATTR_OP_ID_ = 1, CTRL_ATTR_OP_FLAGS_ };
enum { CTRL_ATTR_MCAST_GRP_NAME_ = 1, CTRL_ATTR_MCAST_GRP_ID_ };

struct genl_op { uint8_t cmd; uint32_t flags; };

struct genl_family {
	const char *name;
	uint16_t id;
	uint32_t version, hdrsize, maxattr;
	const struct genl_op *ops;
	int nops;
	const char *mcgrp;            /* its one multicast group, or NULL */
	uint32_t mcgrp_id;
	/* a request's handler: answers into nb (port portid) */
	int (*doit)(struct task *t, const struct nlhdr *h, uint8_t cmd, uint32_t portid,
		    struct nlbuf *nb);
};

static int ctrl_doit(struct task *t, const struct nlhdr *h, uint8_t cmd, uint32_t portid,
		     struct nlbuf *nb);

static const struct genl_op ctrl_ops[] = {
	{ CTRL_CMD_GETFAMILY_, GENL_CMD_CAP_DO_ | GENL_CMD_CAP_DUMP_ },
};
static const struct genl_op taskstats_ops[] = {
	{ TASKSTATS_CMD_GET_, GENL_ADMIN_PERM_ | GENL_CMD_CAP_DO_ },
};

static const struct genl_family families[] = {
	{ "nlctrl", GENL_ID_CTRL_, 2, 0, 10 /* CTRL_ATTR_MAX: CTRL_ATTR_OP */, ctrl_ops, 1, "notify", GENL_ID_CTRL_,
	  ctrl_doit },
	{ "TASKSTATS", TASKSTATS_GENL_ID, TASKSTATS_GENL_VERSION_, 0, TASKSTATS_CMD_ATTR_MAX_,
	  taskstats_ops, 1, NULL, 0, taskstats_doit },
};

static const struct genl_family *family_by_id(uint16_t id)
{
	for (size_t i = 0; i < ARRAY_SIZE(families); i++)
		if (families[i].id == id)
			return &families[i];
	return NULL;
}

/* genlmsg_put: a message of family fam with cmd; its offset */
size_t genl_msg_begin(struct nlbuf *nb, uint16_t family, uint8_t cmd, uint8_t version,
		      uint16_t flags, uint32_t seq, uint32_t portid)
{
	uint8_t g[GENL_HDRLEN_] = { cmd, version, 0, 0 };

	return msg_begin(nb, family, flags, seq, portid, g, sizeof g);
}

/* Starts a nested attribute; its offset (nest_end patches the length).
 * No NLA_F_NESTED on it: nla_nest_start_noflag, as the controller and
 * taskstats put theirs. */
size_t nest_begin(struct nlbuf *nb, uint16_t type)
{
	size_t off = nb->len;

	put_attr(nb, type, NULL, 0);
	return off;
}

void nest_end(struct nlbuf *nb, size_t off)
{
	if (!nb->oom)
		*(uint16_t *)(nb->b + off) = (uint16_t)(nb->len - off);
}

/* ctrl_fill_info: one CTRL_CMD_NEWFAMILY for f */
static void ctrl_fill_info(struct nlbuf *nb, const struct genl_family *f, uint16_t flags,
			   uint32_t seq, uint32_t portid)
{
	size_t m = genl_msg_begin(nb, GENL_ID_CTRL_, CTRL_CMD_NEWFAMILY_, 2, flags, seq, portid);
	uint16_t id = f->id;

	put_attr(nb, CTRL_ATTR_FAMILY_NAME_, f->name, strlen(f->name) + 1);
	put_attr(nb, CTRL_ATTR_FAMILY_ID_, &id, 2);
	put_u32(nb, CTRL_ATTR_VERSION_, f->version);
	put_u32(nb, CTRL_ATTR_HDRSIZE_, f->hdrsize);
	put_u32(nb, CTRL_ATTR_MAXATTR_, f->maxattr);
	size_t ops = nest_begin(nb, CTRL_ATTR_OPS_);
	for (int i = 0; i < f->nops; i++) {
		size_t op = nest_begin(nb, (uint16_t)(i + 1));
		put_u32(nb, CTRL_ATTR_OP_ID_, f->ops[i].cmd);
		put_u32(nb, CTRL_ATTR_OP_FLAGS_, f->ops[i].flags);
		nest_end(nb, op);
	}
	nest_end(nb, ops);
	if (f->mcgrp) {
		size_t groups = nest_begin(nb, CTRL_ATTR_MCAST_GROUPS_);
		size_t g = nest_begin(nb, 1);
		put_u32(nb, CTRL_ATTR_MCAST_GRP_ID_, f->mcgrp_id);
		put_attr(nb, CTRL_ATTR_MCAST_GRP_NAME_, f->mcgrp, strlen(f->mcgrp) + 1);
		nest_end(nb, g);
		nest_end(nb, groups);
	}
	msg_end(nb, m);
}

/* ctrl_getfamily and ctrl_dumpfamily */
static int ctrl_doit(struct task *t, const struct nlhdr *h, uint8_t cmd, uint32_t portid,
		     struct nlbuf *nb)
{
	const struct genl_family *f = NULL;
	const char *name;
	size_t len;

	(void)t;
	if (cmd != CTRL_CMD_GETFAMILY_)
		return -EOPNOTSUPP;
	if ((h->flags & NLM_F_DUMP_) == NLM_F_DUMP_) {
		for (size_t i = 0; i < ARRAY_SIZE(families); i++)
			ctrl_fill_info(nb, &families[i], 0x2 /* NLM_F_MULTI */, h->seq, portid);
		return 1;   /* a dump: NLMSG_DONE follows */
	}
	if ((name = genl_attr(h, CTRL_ATTR_FAMILY_NAME_, &len))) {
		for (size_t i = 0; i < ARRAY_SIZE(families); i++)
			if (len && !name[len - 1] && !strcmp(families[i].name, name))
				f = &families[i];
	} else if ((name = genl_attr(h, CTRL_ATTR_FAMILY_ID_, &len)) && len >= 2) {
		uint16_t id;
		memcpy(&id, name, 2);
		f = family_by_id(id);
	} else {
		return -EINVAL;
	}
	if (!f)
		return -ENOENT;
	ctrl_fill_info(nb, f, 0, h->seq, portid);
	return 0;
}

/*
 * genl_request - one NETLINK_GENERIC request h from t (genl_rcv_msg):
 * the family its nlmsg_type names answers into nb (port portid); *dump
 * set when the answer is a dump.  0, or -ENOENT (no such family),
 * -EINVAL (no genlmsghdr), -EOPNOTSUPP (a command the family has not),
 * -EPERM (a GENL_ADMIN_PERM op without CAP_NET_ADMIN), or the family's
 * error.
 */
int genl_request(struct task *t, const struct nlhdr *h, uint32_t portid, struct nlbuf *nb,
		 bool *dump)
{
	const struct genl_family *f = family_by_id(h->type);
	uint8_t cmd;
	int r;

	*dump = false;
	if (!f)
		return -ENOENT;
	if (h->len < sizeof(*h) + GENL_HDRLEN_)
		return -EINVAL;
	cmd = *((const uint8_t *)h + sizeof(*h));
	int i;
	for (i = 0; i < f->nops && f->ops[i].cmd != cmd; i++)
		;
	if (i == f->nops)
		return -EOPNOTSUPP;
	if ((h->flags & NLM_F_DUMP_) == NLM_F_DUMP_ && !(f->ops[i].flags & GENL_CMD_CAP_DUMP_))
		return -EOPNOTSUPP;
	if ((f->ops[i].flags & GENL_ADMIN_PERM_) && !capable(t, CAP_NET_ADMIN))
		return -EPERM;
	r = f->doit(t, h, cmd, portid, nb);
	if (r > 0) {
		*dump = true;
		r = 0;
	}
	return r;
}
