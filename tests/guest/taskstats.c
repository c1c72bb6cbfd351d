/* Generic netlink's controller and the TASKSTATS family, compared with a
 * native run (as root): family lookups by name and id and the dump, the
 * errors (unknown family, no pid, no such pid, not CAP_NET_ADMIN), and
 * the record of this process, a thread of it, a forked child that never
 * exec'd, and the process as a whole (what iotop and getdelays read).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/acct.h>
#include <linux/taskstats.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int sk;
static unsigned seq;
static char rbuf[65536];

/* sends one request of family fam, cmd, with one attribute (type 0: none) */
static void req(int fam, int cmd, int flags, int atype, const void *a, int alen)
{
	struct {
		struct nlmsghdr n;
		struct genlmsghdr g;
		char attrs[256];
	} m;
	memset(&m, 0, sizeof m);
	m.n.nlmsg_type = fam;
	m.n.nlmsg_flags = NLM_F_REQUEST | flags;
	m.n.nlmsg_seq = ++seq;
	m.g.cmd = cmd;
	m.g.version = 1;
	int len = NLMSG_LENGTH(GENL_HDRLEN);
	if (atype) {
		struct nlattr *na = (struct nlattr *)((char *)&m + len);
		na->nla_type = atype;
		na->nla_len = NLA_HDRLEN + alen;
		memcpy((char *)na + NLA_HDRLEN, a, alen);
		len += NLA_ALIGN(na->nla_len);
	}
	m.n.nlmsg_len = len;
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	if (sendto(sk, &m, len, 0, (struct sockaddr *)&to, sizeof to) != len)
		printf("sendto: %s\n", strerrorname_np(errno));
}

/* receives one datagram; returns its first message, or NULL with the
 * error printed (an NLMSG_ERROR) */
static struct nlmsghdr *recv1(const char *what, ssize_t *len)
{
	*len = recv(sk, rbuf, sizeof rbuf, 0);
	struct nlmsghdr *n = (struct nlmsghdr *)rbuf;
	if (*len < (ssize_t)sizeof *n) {
		printf("%s: recv %s\n", what, strerrorname_np(errno));
		return NULL;
	}
	if (n->nlmsg_type == NLMSG_ERROR) {
		struct nlmsgerr *e = NLMSG_DATA(n);
		printf("%s: error %s\n", what, e->error ? strerrorname_np(-e->error) : "0 (ack)");
		return NULL;
	}
	return n;
}

/* the attribute of type t among [p, p+len) */
static struct nlattr *attr(void *p, int len, int t)
{
	for (struct nlattr *a = p; len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len;
	     len -= NLA_ALIGN(a->nla_len), a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len)))
		if ((a->nla_type & NLA_TYPE_MASK) == t)
			return a;
	return NULL;
}
#define ADATA(a) ((void *)((char *)(a) + NLA_HDRLEN))
#define GATTRS(n) ((char *)NLMSG_DATA(n) + GENL_HDRLEN)
#define GLEN(n) ((int)((n)->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN)))

static int family(const char *name, int show)
{
	ssize_t len;
	req(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0, CTRL_ATTR_FAMILY_NAME, name, strlen(name) + 1);
	struct nlmsghdr *n = recv1(name, &len);
	if (!n)
		return -1;
	struct genlmsghdr *g = NLMSG_DATA(n);
	struct nlattr *id = attr(GATTRS(n), GLEN(n), CTRL_ATTR_FAMILY_ID);
	struct nlattr *nm = attr(GATTRS(n), GLEN(n), CTRL_ATTR_FAMILY_NAME);
	struct nlattr *ver = attr(GATTRS(n), GLEN(n), CTRL_ATTR_VERSION);
	struct nlattr *hs = attr(GATTRS(n), GLEN(n), CTRL_ATTR_HDRSIZE);
	struct nlattr *ops = attr(GATTRS(n), GLEN(n), CTRL_ATTR_OPS);
	int fid = id ? *(uint16_t *)ADATA(id) : -1;
	if (show) {
		printf("%s: type %d cmd %d, name %s, version %u, hdrsize %u, seq ok %d\n", name,
		       n->nlmsg_type, g->cmd, nm ? (char *)ADATA(nm) : "-", ver ? *(uint32_t *)ADATA(ver) : 99,
		       hs ? *(uint32_t *)ADATA(hs) : 99, n->nlmsg_seq == seq);
		/* its GET op (cmd 1 for TASKSTATS, 3 for nlctrl) and whether it needs CAP_NET_ADMIN */
		int want = fid == GENL_ID_CTRL ? CTRL_CMD_GETFAMILY : TASKSTATS_CMD_GET;
		for (int i = 1; ops && i < 16; i++) {
			struct nlattr *op = attr(ADATA(ops), ops->nla_len - NLA_HDRLEN, i);
			if (!op)
				break;
			struct nlattr *oid = attr(ADATA(op), op->nla_len - NLA_HDRLEN, CTRL_ATTR_OP_ID);
			struct nlattr *ofl = attr(ADATA(op), op->nla_len - NLA_HDRLEN, CTRL_ATTR_OP_FLAGS);
			if (oid && ofl && *(uint32_t *)ADATA(oid) == (uint32_t)want)
				printf("  op %d: admin %d do %d\n", want, !!(*(uint32_t *)ADATA(ofl) & GENL_ADMIN_PERM),
				       !!(*(uint32_t *)ADATA(ofl) & GENL_CMD_CAP_DO));
		}
	}
	return fid;
}

static int ts_family;

/* the taskstats record of id (a pid, or with tgid a process) */
static int get_stats(int id, int tgid, struct taskstats *out, const char *what)
{
	ssize_t len;
	uint32_t v = id;
	req(ts_family, TASKSTATS_CMD_GET, 0, tgid ? TASKSTATS_CMD_ATTR_TGID : TASKSTATS_CMD_ATTR_PID, &v, 4);
	struct nlmsghdr *n = recv1(what, &len);
	if (!n)
		return -1;
	struct genlmsghdr *g = NLMSG_DATA(n);
	struct nlattr *aggr = attr(GATTRS(n), GLEN(n), tgid ? TASKSTATS_TYPE_AGGR_TGID : TASKSTATS_TYPE_AGGR_PID);
	if (n->nlmsg_type != ts_family || g->cmd != TASKSTATS_CMD_NEW || !aggr || (aggr->nla_type & NLA_F_NESTED)) {
		printf("%s: bad reply (type %d cmd %d aggr %p)\n", what, n->nlmsg_type, g->cmd, (void *)aggr);
		return -1;
	}
	struct nlattr *pid = attr(ADATA(aggr), aggr->nla_len - NLA_HDRLEN, tgid ? TASKSTATS_TYPE_TGID : TASKSTATS_TYPE_PID);
	struct nlattr *st = attr(ADATA(aggr), aggr->nla_len - NLA_HDRLEN, TASKSTATS_TYPE_STATS);
	if (!pid || !st || st->nla_len - NLA_HDRLEN < 328) {
		printf("%s: no id or short stats\n", what);
		return -1;
	}
	memset(out, 0, sizeof *out);
	memcpy(out, ADATA(st), sizeof *out);
	printf("%s: id ok %d, version >= 13 %d\n", what, *(uint32_t *)ADATA(pid) == (uint32_t)id, out->version >= 13);
	return 0;
}

static void *thread_fn(void *arg)
{
	pause();
	return arg;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	sk = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (sk < 0) {
		printf("socket: %s\n", strerrorname_np(errno));
		return 1;
	}
	int id = family("nlctrl", 1);
	printf("nlctrl id %d\n", id);
	ts_family = family("TASKSTATS", 1);
	printf("TASKSTATS id above 16: %d\n", ts_family > GENL_ID_CTRL);
	family("no-such-family", 1);
	uint16_t byid = ts_family;
	ssize_t len;
	req(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0, CTRL_ATTR_FAMILY_ID, &byid, 2);
	struct nlmsghdr *n = recv1("by id", &len);
	struct nlattr *nm = n ? attr(GATTRS(n), GLEN(n), CTRL_ATTR_FAMILY_NAME) : NULL;
	printf("family %d by id: %s\n", 0, nm ? (char *)ADATA(nm) : "-");
	/* the dump names both (among others natively) */
	req(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, NLM_F_DUMP, 0, NULL, 0);
	int seen_ctrl = 0, seen_ts = 0, done = 0;
	while (!done) {
		len = recv(sk, rbuf, sizeof rbuf, 0);
		if (len <= 0)
			break;
		for (n = (struct nlmsghdr *)rbuf; NLMSG_OK(n, len); n = NLMSG_NEXT(n, len)) {
			if (n->nlmsg_type == NLMSG_DONE) {
				done = 1;
				break;
			}
			nm = attr(GATTRS(n), GLEN(n), CTRL_ATTR_FAMILY_NAME);
			if (nm && !strcmp(ADATA(nm), "nlctrl"))
				seen_ctrl = !!(n->nlmsg_flags & NLM_F_MULTI);
			if (nm && !strcmp(ADATA(nm), "TASKSTATS"))
				seen_ts = !!(n->nlmsg_flags & NLM_F_MULTI);
		}
	}
	printf("dump: nlctrl %d, TASKSTATS %d, done %d\n", seen_ctrl, seen_ts, done);
	if (ts_family < 0)
		return 1;

	/* errors */
	req(ts_family, TASKSTATS_CMD_GET, 0, 0, NULL, 0);
	recv1("no pid", &len);
	struct taskstats st;
	get_stats(4000000, 0, &st, "no such pid");
	get_stats(4000000, 1, &st, "no such tgid");

	/* this process, after reading 10 KiB */
	int z = open("/dev/zero", O_RDONLY);
	char buf[10240];
	read(z, buf, sizeof buf);
	close(z);
	if (get_stats(getpid(), 0, &st, "self") == 0) {
		time_t now = time(NULL);
		long bt = (long)now - (long)(st.ac_etime / 1000000);
		printf("  pid %d tgid %d ppid %d uid %d gid %d comm %s nice %d sched %d afork %d\n",
		       st.ac_pid == (uint32_t)getpid(), st.ac_tgid == (uint32_t)getpid(),
		       st.ac_ppid == (uint32_t)getppid(), st.ac_uid == getuid(), st.ac_gid == getgid(),
		       st.ac_comm, st.ac_nice, st.ac_sched, st.ac_flag & AFORK);
		printf("  etime > 0 %d, btime ok %d, read_char >= 10 KiB %d, KiB multiple %d, utime+stime <= run_real %d\n",
		       st.ac_etime > 0, labs((long)st.ac_btime - bt) <= 2, st.read_char >= 10240,
		       st.read_char % 1024 == 0,
		       (st.ac_utime + st.ac_stime) * 1000 <= st.cpu_run_real_total + 2000000);
	}
	/* a thread of it */
	pthread_t th;
	pthread_create(&th, NULL, thread_fn, NULL);
	usleep(100000);
	/* its tid: the newest entry of /proc/self/task */
	int tid = 0;
	for (int i = getpid() + 1; i < getpid() + 100 && !tid; i++) {
		char p[64];
		snprintf(p, sizeof p, "/proc/self/task/%d", i);
		if (access(p, F_OK) == 0)
			tid = i;
	}
	if (tid && get_stats(tid, 0, &st, "thread") == 0)
		printf("  pid is the tid %d, tgid is the process %d\n", st.ac_pid == (uint32_t)tid,
		       st.ac_tgid == (uint32_t)getpid());
	/* the process as a whole */
	if (get_stats(getpid(), 1, &st, "process") == 0)
		printf("  etime sums both threads %d, no pid fields %d\n",
		       st.ac_etime > 100000, st.ac_pid == 0 && st.ac_uid == 0 && st.ac_comm[0] == 0);
	/* a forked child that did not exec */
	pid_t c = fork();
	if (c == 0) {
		pause();
		_exit(0);
	}
	usleep(100000);
	if (get_stats(c, 0, &st, "child") == 0)
		printf("  afork %d, ppid is us %d, comm %s\n", st.ac_flag & AFORK, st.ac_ppid == (uint32_t)getpid(), st.ac_comm);
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);

	/* without CAP_NET_ADMIN */
	c = fork();
	if (c == 0) {
		if (setuid(65534))
			_exit(1);
		get_stats(getppid(), 0, &st, "as nobody");
		family("TASKSTATS", 0);
		printf("as nobody: the family resolves\n");
		_exit(0);
	}
	waitpid(c, NULL, 0);
	return 0;
}
