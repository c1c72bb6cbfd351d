/* NETLINK_SOCK_DIAG (what ss(8) asks): inet_diag dumps and lookups of
 * TCP and UDP sockets over IPv4 and IPv6, unix_diag dumps and lookups
 * with every UDIAG_SHOW_* attribute, and the errors of bad requests.
 * Only this program's own sockets are printed (matched by inode), under
 * names of its own, so a native run on a busy host prints the same. */
#include "t.h"
#include <arpa/inet.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#define MAXS 32
static struct { unsigned long ino; char name[32]; } known[MAXS];
static int nknown;

static void name_fd(int fd, const char *name)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		printf("fstat %s: %s\n", name, strerror(errno));
		return;
	}
	known[nknown].ino = st.st_ino;
	snprintf(known[nknown].name, sizeof(known[0].name), "%s", name);
	nknown++;
}

static const char *who(unsigned long ino)
{
	for (int i = 0; i < nknown; i++)
		if (known[i].ino == ino)
			return known[i].name;
	return NULL;
}

static int nl_open(void)
{
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);

	if (s < 0)
		printf("socket(NETLINK_SOCK_DIAG): %s\n", strerror(errno));
	return s;
}

static void send_req(int s, uint16_t type, uint16_t flags, const void *req, size_t len)
{
	struct { struct nlmsghdr h; char body[256]; } m;

	memset(&m, 0, sizeof(m));
	m.h.nlmsg_len = NLMSG_LENGTH(len);
	m.h.nlmsg_type = type;
	m.h.nlmsg_flags = NLM_F_REQUEST | flags;
	m.h.nlmsg_seq = 7;
	memcpy(m.body, req, len);
	if (send(s, &m, m.h.nlmsg_len, 0) < 0)
		printf("send: %s\n", strerror(errno));
}

/* Reads the answers; calls fn for each message of type SOCK_DIAG_BY_FAMILY
 * (or another data type); returns the error of an NLMSG_ERROR, 0 at
 * NLMSG_DONE or after a single answer. */
static int recv_all(int s, void (*fn)(struct nlmsghdr *h), int *count)
{
	static char buf[65536];

	*count = 0;
	for (;;) {
		ssize_t r = recv(s, buf, sizeof(buf), 0);
		struct nlmsghdr *h;
		bool single = false;

		if (r < 0) {
			printf("recv: %s\n", strerror(errno));
			return -errno;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)r); h = NLMSG_NEXT(h, r)) {
			if (h->nlmsg_seq != 7)
				printf("bad seq %u\n", h->nlmsg_seq);
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
			(*count)++;
			fn(h);
			if (!(h->nlmsg_flags & NLM_F_MULTI))
				single = true;
		}
		if (single)
			return 0;
	}
}

static struct rtattr *attr(struct nlmsghdr *h, size_t hdr, int type)
{
	struct rtattr *a = (struct rtattr *)((char *)NLMSG_DATA(h) + NLMSG_ALIGN(hdr));
	int len = h->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(hdr));

	for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == type)
			return a;
	return NULL;
}

static uint16_t want_port[MAXS];
static const char *state_name(int st)
{
	static const char *n[] = { "?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1",
				   "FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK",
				   "LISTEN", "CLOSING" };
	return st >= 0 && st < 12 ? n[st] : "??";
}

static uint16_t port_of(const char *name)
{
	for (int i = 0; i < nknown; i++)
		if (!strcmp(known[i].name, name))
			return want_port[i];
	return 0;
}

static char lines[64][400];
static int nlines;

static void inet_msg(struct nlmsghdr *h)
{
	struct inet_diag_msg *r = NLMSG_DATA(h);
	const char *me = who(r->idiag_inode);
	struct rtattr *a;
	char addr[2][64], *l;
	int sh = -1;

	if (!me)
		return;
	for (int i = 0; i < 2; i++)
		inet_ntop(r->idiag_family, i ? (void *)r->id.idiag_dst : (void *)r->id.idiag_src,
			  addr[i], sizeof(addr[i]));
	if ((a = attr(h, sizeof(*r), INET_DIAG_SHUTDOWN)))
		sh = *(uint8_t *)RTA_DATA(a);
	l = lines[nlines++ % 64];
	snprintf(l, 400, "%s: fam %d %s src %s:%s dst %s:%s uid %u rq %u shut %d%s%s", me,
		 r->idiag_family, state_name(r->idiag_state), addr[0],
		 ntohs(r->id.idiag_sport) == port_of(me) ? "own" : "other", addr[1],
		 !r->id.idiag_dport ? "0" : "peer", r->idiag_uid, r->idiag_rqueue, sh,
		 attr(h, sizeof(*r), INET_DIAG_TOS) ? " tos" : "",
		 attr(h, sizeof(*r), INET_DIAG_SKMEMINFO) ? " skmem" : "");
}

static int cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void flush_lines(void)
{
	qsort(lines, nlines, sizeof(lines[0]), cmp);
	for (int i = 0; i < nlines; i++)
		printf("  %s\n", lines[i]);
	nlines = 0;
}

static void inet_dump(int family, int proto, uint32_t states, uint8_t ext)
{
	struct inet_diag_req_v2 req = { .sdiag_family = family, .sdiag_protocol = proto,
					.idiag_ext = ext, .idiag_states = states };
	int s = nl_open(), n, e;

	send_req(s, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP, &req, sizeof(req));
	e = recv_all(s, inet_msg, &n);
	printf("dump fam %d proto %d states %#x: %s\n", family, proto, states, e ? strerror(-e) : "ok");
	flush_lines();
	close(s);
}

static void unix_msg(struct nlmsghdr *h)
{
	struct unix_diag_msg *r = NLMSG_DATA(h);
	const char *me = who(r->udiag_ino), *peer = NULL;
	struct rtattr *a;
	char name[120] = "-", icons[100] = "", *l;
	int sh = -1;
	unsigned rq = 0, wq = 0, uid = 99;
	bool vfs_ok = false;

	if (!me)
		return;
	if ((a = attr(h, sizeof(*r), UNIX_DIAG_NAME))) {
		int len = RTA_PAYLOAD(a);
		char *p = RTA_DATA(a);

		for (int i = 0; i < len && i < 100; i++)
			name[i] = p[i] ? p[i] : '@';
		name[len < 100 ? len : 100] = 0;
	}
	if ((a = attr(h, sizeof(*r), UNIX_DIAG_PEER)))
		peer = who(*(uint32_t *)RTA_DATA(a));
	if ((a = attr(h, sizeof(*r), UNIX_DIAG_ICONS))) {
		uint32_t *v = RTA_DATA(a);

		for (size_t i = 0; i < RTA_PAYLOAD(a) / 4; i++) {
			const char *w = who(v[i]);

			strcat(icons, w ? w : "?");
			strcat(icons, ",");
		}
	}
	if ((a = attr(h, sizeof(*r), UNIX_DIAG_VFS))) {
		struct unix_diag_vfs *v = RTA_DATA(a);
		struct stat st;

		/* Linux reports the inode number cut to 32 bits */
		vfs_ok = stat("sd.sock", &st) == 0 && (uint32_t)st.st_ino == v->udiag_vfs_ino;
	}
	if ((a = attr(h, sizeof(*r), UNIX_DIAG_RQLEN))) {
		struct unix_diag_rqlen *q = RTA_DATA(a);

		rq = q->udiag_rqueue;
		wq = q->udiag_wqueue;
	}
	if ((a = attr(h, sizeof(*r), UNIX_DIAG_SHUTDOWN)))
		sh = *(uint8_t *)RTA_DATA(a);
	if ((a = attr(h, sizeof(*r), UNIX_DIAG_UID)))
		uid = *(uint32_t *)RTA_DATA(a);
	l = lines[nlines++ % 64];
	snprintf(l, 400, "%s: type %d %s name %s peer %s icons %s vfs %d rq %u wq %u shut %d uid %u%s",
		 me, r->udiag_type, state_name(r->udiag_state), name, peer ? peer : "-", icons, vfs_ok,
		 rq, r->udiag_state == 10 ? wq : 0, sh, uid,
		 attr(h, sizeof(*r), UNIX_DIAG_MEMINFO) ? " mem" : "");
}

static void unix_dump(uint32_t states, uint32_t show)
{
	struct unix_diag_req req = { .sdiag_family = AF_UNIX, .udiag_states = states,
				     .udiag_show = show };
	int s = nl_open(), n, e;

	send_req(s, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP, &req, sizeof(req));
	e = recv_all(s, unix_msg, &n);
	printf("unix dump states %#x show %#x: %s\n", states, show, e ? strerror(-e) : "ok");
	flush_lines();
	close(s);
}

static void inet_tests(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	socklen_t al = sizeof(a), al6 = sizeof(a6);
	int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0), acc;
	int l6 = socket(AF_INET6, SOCK_STREAM, 0), c6 = socket(AF_INET6, SOCK_STREAM, 0), acc6;
	int u = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;

	setsockopt(l6, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	bind(l, (void *)&a, al);
	listen(l, 5);
	getsockname(l, (void *)&a, &al);
	name_fd(l, "listener");
	want_port[nknown - 1] = ntohs(a.sin_port);
	connect(c, (void *)&a, al);
	acc = accept(l, NULL, NULL);
	name_fd(c, "client");
	name_fd(acc, "accepted");
	want_port[nknown - 1] = ntohs(a.sin_port);
	if (write(c, "hello", 5) != 5)
		printf("write failed\n");
	usleep(100000);
	shutdown(acc, SHUT_WR);
	usleep(100000);
	bind(l6, (void *)&a6, al6);
	listen(l6, 5);
	getsockname(l6, (void *)&a6, &al6);
	name_fd(l6, "listener6");
	want_port[nknown - 1] = ntohs(a6.sin6_port);
	connect(c6, (void *)&a6, al6);
	acc6 = accept(l6, NULL, NULL);
	name_fd(c6, "client6");
	name_fd(acc6, "accepted6");
	want_port[nknown - 1] = ntohs(a6.sin6_port);
	a.sin_port = 0;
	bind(u, (void *)&a, sizeof(a));
	al = sizeof(a);
	getsockname(u, (void *)&a, &al);
	name_fd(u, "udp");
	want_port[nknown - 1] = ntohs(a.sin_port);
	a.sin_port = 0;
	bind(b, (void *)&a, sizeof(a));
	al = sizeof(a);
	getsockname(b, (void *)&a, &al);
	name_fd(b, "bound-only");
	want_port[nknown - 1] = ntohs(a.sin_port);

	inet_dump(AF_INET, IPPROTO_TCP, ~0U, 0);
	inet_dump(AF_INET, IPPROTO_TCP, 1 << 10, 0);                 /* LISTEN only */
	inet_dump(AF_INET, IPPROTO_TCP, ~(1U << 10), (1 << (INET_DIAG_TOS - 1)) |
		  (1 << (INET_DIAG_SKMEMINFO - 1)));
	inet_dump(AF_INET6, IPPROTO_TCP, ~0U, 0);
	inet_dump(AF_INET, IPPROTO_UDP, ~0U, 0);
	inet_dump(AF_INET6, IPPROTO_UDP, ~0U, 0);

	/* a lookup of one socket: the client, by its 4-tuple */
	{
		struct sockaddr_in me, peer;
		socklen_t ml = sizeof(me), pl = sizeof(peer);
		struct inet_diag_req_v2 req = { .sdiag_family = AF_INET, .sdiag_protocol = IPPROTO_TCP,
						.idiag_states = ~0U };
		int s = nl_open(), n, e;

		getsockname(c, (void *)&me, &ml);
		getpeername(c, (void *)&peer, &pl);
		req.id.idiag_sport = me.sin_port;
		req.id.idiag_dport = peer.sin_port;
		req.id.idiag_src[0] = me.sin_addr.s_addr;
		req.id.idiag_dst[0] = peer.sin_addr.s_addr;
		req.id.idiag_cookie[0] = req.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
		send_req(s, SOCK_DIAG_BY_FAMILY, 0, &req, sizeof(req));
		e = recv_all(s, inet_msg, &n);
		printf("lookup client: %s, %d answer(s)\n", e ? strerror(-e) : "ok", n);
		flush_lines();
		req.id.idiag_dport = htons(1);                       /* nobody's */
		send_req(s, SOCK_DIAG_BY_FAMILY, 0, &req, sizeof(req));
		e = recv_all(s, inet_msg, &n);
		printf("lookup absent: %s, %d answer(s)\n", e ? strerror(-e) : "ok", n);
		close(s);
	}
	close(l);
	close(c);
	close(acc);
	close(l6);
	close(c6);
	close(acc6);
	close(u);
	close(b);
	nknown = 0;
}

static void unix_tests(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX, .sun_path = "sd.sock" };
	struct sockaddr_un ab = { .sun_family = AF_UNIX };
	int l = socket(AF_UNIX, SOCK_STREAM, 0), c = socket(AF_UNIX, SOCK_STREAM, 0);
	int c2 = socket(AF_UNIX, SOCK_STREAM, 0), d = socket(AF_UNIX, SOCK_DGRAM, 0), acc;
	int sp[2];
	const uint32_t all = UDIAG_SHOW_NAME | UDIAG_SHOW_VFS | UDIAG_SHOW_PEER | UDIAG_SHOW_ICONS |
			     UDIAG_SHOW_RQLEN | UDIAG_SHOW_MEMINFO | UDIAG_SHOW_UID;

	unlink("sd.sock");
	if (bind(l, (void *)&a, sizeof(a)) < 0 || listen(l, 4) < 0)
		printf("bind/listen: %s\n", strerror(errno));
	name_fd(l, "ulisten");
	connect(c, (void *)&a, sizeof(a));
	connect(c2, (void *)&a, sizeof(a));
	name_fd(c, "uclient");
	name_fd(c2, "uclient2");
	acc = accept(l, NULL, NULL);
	name_fd(acc, "uaccepted");
	memcpy(ab.sun_path, "\0sdiag-abstract", 15);
	bind(d, (void *)&ab, offsetof(struct sockaddr_un, sun_path) + 15);
	name_fd(d, "udgram");
	socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp);
	name_fd(sp[0], "pair0");
	name_fd(sp[1], "pair1");
	if (write(sp[0], "abc", 3) != 3 || write(c, "12345678", 8) != 8)
		printf("write failed\n");
	shutdown(sp[1], SHUT_RD);

	unix_dump(~0U, all);
	unix_dump(1 << 10, UDIAG_SHOW_NAME | UDIAG_SHOW_ICONS | UDIAG_SHOW_RQLEN);
	unix_dump(1 << 1, 0);

	/* one socket by inode, with and without the right cookie */
	{
		struct unix_diag_req req = { .sdiag_family = AF_UNIX, .udiag_states = ~0U,
					     .udiag_show = UDIAG_SHOW_PEER,
					     .udiag_cookie = { INET_DIAG_NOCOOKIE, INET_DIAG_NOCOOKIE } };
		struct stat st;
		int s = nl_open(), n, e;

		fstat(c, &st);
		req.udiag_ino = st.st_ino;
		send_req(s, SOCK_DIAG_BY_FAMILY, 0, &req, sizeof(req));
		e = recv_all(s, unix_msg, &n);
		printf("unix lookup: %s, %d answer(s)\n", e ? strerror(-e) : "ok", n);
		flush_lines();
		req.udiag_ino = 0x7ffffff0;
		send_req(s, SOCK_DIAG_BY_FAMILY, 0, &req, sizeof(req));
		e = recv_all(s, unix_msg, &n);
		printf("unix lookup absent: %s, %d answer(s)\n", e ? strerror(-e) : "ok", n);
		close(s);
	}
	close(l);
	close(c);
	close(c2);
	close(acc);
	close(d);
	close(sp[0]);
	close(sp[1]);
	unlink("sd.sock");
	nknown = 0;
}

static void none(struct nlmsghdr *h)
{
	(void)h;
}

static void bad_requests(void)
{
	struct inet_diag_req_v2 req = { .sdiag_family = AF_INET, .sdiag_protocol = IPPROTO_TCP };
	int s = nl_open(), n, e;

	send_req(s, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP, &req, 8);        /* short */
	e = recv_all(s, none, &n);
	printf("short request: %s\n", e ? strerror(-e) : "ok");
	req.sdiag_family = AF_MAX + 3;
	send_req(s, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP, &req, sizeof(req));
	e = recv_all(s, none, &n);
	printf("family past AF_MAX: %s\n", e ? strerror(-e) : "ok");
	req.sdiag_family = AF_INET;
	send_req(s, 99, NLM_F_DUMP, &req, sizeof(req));
	e = recv_all(s, none, &n);
	printf("unknown type: %s\n", e ? strerror(-e) : "ok");
	close(s);
	s = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_SOCK_DIAG);
	printf("SOCK_DGRAM NETLINK_SOCK_DIAG: %s\n", s >= 0 ? "ok" : strerror(errno));
	if (s >= 0)
		close(s);
}

/* Whether this kernel answers a dump of family/protocol (a host without
 * the inet_diag, udp_diag or unix_diag modules answers ENOENT). */
static bool can_dump(int family, int proto)
{
	struct inet_diag_req_v2 req = { .sdiag_family = family, .sdiag_protocol = proto,
					.idiag_states = 0 };
	struct unix_diag_req ureq = { .sdiag_family = AF_UNIX };
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG), n, e;

	if (s < 0)
		return false;
	if (family == AF_UNIX)
		send_req(s, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP, &ureq, sizeof(ureq));
	else
		send_req(s, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP, &req, sizeof(req));
	e = recv_all(s, none, &n);
	close(s);
	return e == 0;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (!can_dump(AF_INET, IPPROTO_TCP) || !can_dump(AF_INET, IPPROTO_UDP) ||
	    !can_dump(AF_UNIX, 0)) {
		printf("SKIP the kernel has no inet_diag, udp_diag or unix_diag\n");
		return 0;
	}
	inet_tests();
	unix_tests();
	bad_requests();
	return 0;
}
