/* check_net.c - pieces of umkernel/net/ on their own: the -p forward
 * syntax, the socket iterator over a kernel buffer, bind's conflicts
 * between IPv4, IPv6 and dual-stack names in the port table, and a
 * netlink link dump and refused change.  No guest runs: the calls get a
 * NULL task, as kernel-internal callers may. */
#define _GNU_SOURCE
#include <check.h>
#include <string.h>
#include <arpa/inet.h>
#include "../../umkernel/net/net.h"
#include "../../umkernel/net/netdev.h"

START_TEST(forward_specs)
{
	char err[160];

	ck_assert_int_eq(net_add_forward("8080:80", err, sizeof err), 0);
	ck_assert_int_eq(net_add_forward("127.0.0.1:8081:81/tcp", err, sizeof err), 0);
	ck_assert_int_eq(net_add_forward("0.0.0.0:5353:53/udp", err, sizeof err), 0);
	ck_assert_int_eq(net_add_forward("65535:1", err, sizeof err), 0);
	static const char *bad[] = { "", "80", ":80", "80:", "0:80", "80:0", "65536:80", "80:x",
				     "-1:80", "+8:80", "8080:80/sctp", "8080:80/", "1.2.3:80:80",
				     "300.1.1.1:80:80", "a:b:c:d" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = 0;
		ck_assert_msg(net_add_forward(bad[i], err, sizeof err) == -EINVAL, "%s accepted", bad[i]);
		ck_assert_msg(strstr(err, bad[i]) != NULL, "message for %s: %s", bad[i], err);
	}
}
END_TEST

START_TEST(iter_kbuf)
{
	char src[10] = "0123456789", dst[10];
	struct sock_iter it;

	iter_init_kbuf(&it, src, 10);
	ck_assert_int_eq(iter_from(&it, dst, 4), 4);
	ck_assert_int_eq(iter_from(&it, dst + 4, 100), 6);   /* only what is left */
	ck_assert_mem_eq(dst, src, 10);
	ck_assert_uint_eq(it.count, 0);
	ck_assert_uint_eq(it.done, 10);
	ck_assert_int_eq(iter_from(&it, dst, 1), 0);
}
END_TEST

/* a socket of family/type bound to text:port; the bind's result in *r */
static struct file *bound(int family, int type, const char *text, int port, bool reuse, bool v6only,
			  int *r)
{
	struct file *f;
	struct sock_addr a = { 0 };
	int one = 1;

	ck_assert_int_eq(inet_create(family, type, 0, 0, &f), 0);
	if (reuse)
		ck_assert_int_eq(file_socket(f)->ops->setsockopt(NULL, f, L_SOL_SOCKET, SO_REUSEADDR_,
								 &one, 4), 0);
	if (v6only)
		ck_assert_int_eq(file_socket(f)->ops->setsockopt(NULL, f, L_SOL_IPV6, 26, &one, 4), 0);
	if (family == L_AF_INET) {
		struct sockaddr_in in = { AF_INET, htons(port), { 0 }, { 0 } };

		inet_pton(AF_INET, text, &in.sin_addr);
		memcpy(a.name, &in, sizeof in);
		a.len = sizeof in;
	} else {
		struct sockaddr_in6 in6 = { AF_INET6, htons(port), 0, IN6ADDR_ANY_INIT, 0 };

		inet_pton(AF_INET6, text, &in6.sin6_addr);
		memcpy(a.name, &in6, sizeof in6);
		a.len = sizeof in6;
	}
	*r = file_socket(f)->ops->bind(NULL, f, &a);
	return f;
}

START_TEST(bind_conflicts)
{
	int r;

	net_mode = NET_NONE;
	bound(L_AF_INET, L_SOCK_STREAM, "127.0.0.1", 40001, false, false, &r);
	ck_assert_int_eq(r, 0);
	bound(L_AF_INET, L_SOCK_STREAM, "127.0.0.1", 40001, false, false, &r);
	ck_assert_int_eq(r, -EADDRINUSE);
	bound(L_AF_INET, L_SOCK_STREAM, "0.0.0.0", 40001, false, false, &r);
	ck_assert_int_eq(r, -EADDRINUSE);               /* the wildcard covers it */
	bound(L_AF_INET, L_SOCK_STREAM, "127.0.0.2", 40001, false, false, &r);
	ck_assert_int_eq(r, 0);                         /* another address */
	bound(L_AF_INET, L_SOCK_DGRAM, "127.0.0.1", 40001, false, false, &r);
	ck_assert_int_eq(r, 0);                         /* UDP has its own ports */
	bound(L_AF_INET6, L_SOCK_STREAM, "::", 40001, false, false, &r);
	ck_assert_int_eq(r, -EADDRINUSE);               /* dual-stack takes IPv4 too */
	bound(L_AF_INET6, L_SOCK_STREAM, "::", 40001, false, true, &r);
	ck_assert_int_eq(r, 0);                         /* IPv6 only */
	bound(L_AF_INET6, L_SOCK_STREAM, "::1", 40001, false, false, &r);
	ck_assert_int_eq(r, -EADDRINUSE);               /* under the v6only wildcard */
	bound(L_AF_INET, L_SOCK_DGRAM, "127.0.0.1", 40002, true, false, &r);
	ck_assert_int_eq(r, 0);
	bound(L_AF_INET, L_SOCK_DGRAM, "127.0.0.1", 40002, true, false, &r);
	ck_assert_int_eq(r, 0);                         /* both SO_REUSEADDR */
	bound(L_AF_INET, L_SOCK_DGRAM, "127.0.0.1", 40002, false, false, &r);
	ck_assert_int_eq(r, -EADDRINUSE);
	bound(L_AF_INET, L_SOCK_STREAM, "198.51.100.7", 40003, false, false, &r);
	ck_assert_int_eq(r, -EADDRNOTAVAIL);            /* not the guest's */
	/* private mode's eth0 address, as umk's interface table gives it
	 * (only bound here: nothing is sent) */
	char eth0[INET_ADDRSTRLEN];
	net_mode = NET_PRIVATE;
	struct nd_if *d = netdev_by_name("eth0");
	ck_assert_ptr_nonnull(d);
	struct in_addr ia = { htonl(d->v4) };
	ck_assert_ptr_nonnull(inet_ntop(AF_INET, &ia, eth0, sizeof eth0));
	net_mode = NET_NONE;
	bound(L_AF_INET, L_SOCK_STREAM, eth0, 40003, false, false, &r);
	ck_assert_int_eq(r, -EADDRNOTAVAIL);            /* eth0's, but none mode has no eth0 */
	net_mode = NET_PRIVATE;
	bound(L_AF_INET, L_SOCK_STREAM, eth0, 40003, false, false, &r);
	ck_assert_int_eq(r, 0);
}
END_TEST

START_TEST(netlink_dump_and_change)
{
	struct { uint32_t len; uint16_t type, flags; uint32_t seq, pid; uint8_t family, pad[15]; } req =
		{ 32, 18 /* RTM_GETLINK */, 0x301 /* REQUEST|DUMP */, 7, 0, 0, { 0 } };
	struct file *f;
	struct sock_iter it;
	char buf[8192];
	uint32_t len, type;
	ssize_t n;

	net_mode = NET_NONE;
	ck_assert_int_eq(netlink_create(L_SOCK_RAW, 0, L_SOCK_NONBLOCK, &f), 0);
	iter_init_kbuf(&it, &req, sizeof req);
	ck_assert_int_eq(file_socket(f)->ops->sendmsg(NULL, f, &it, 0, NULL), sizeof req);
	iter_init_kbuf(&it, buf, sizeof buf);
	n = file_socket(f)->ops->recvmsg(NULL, f, &it, 0, NULL);
	ck_assert_int_gt(n, 16);
	memcpy(&type, buf + 4, 2);
	ck_assert_uint_eq(type & 0xffff, 16);           /* RTM_NEWLINK */
	ck_assert_ptr_nonnull(memmem(buf, n, "lo", 3));
	iter_init_kbuf(&it, buf, sizeof buf);
	n = file_socket(f)->ops->recvmsg(NULL, f, &it, 0, NULL);
	ck_assert_int_eq(n, 20);
	memcpy(&type, buf + 4, 2);
	ck_assert_uint_eq(type & 0xffff, 3);            /* NLMSG_DONE */
	iter_init_kbuf(&it, buf, sizeof buf);
	ck_assert_int_eq(file_socket(f)->ops->recvmsg(NULL, f, &it, L_MSG_DONTWAIT, NULL), -EAGAIN);

	req.type = 20;                                  /* RTM_NEWADDR: a change */
	req.flags = 0x5;                                /* REQUEST|ACK */
	iter_init_kbuf(&it, &req, sizeof req);
	file_socket(f)->ops->sendmsg(NULL, f, &it, 0, NULL);
	iter_init_kbuf(&it, buf, sizeof buf);
	n = file_socket(f)->ops->recvmsg(NULL, f, &it, 0, NULL);
	memcpy(&type, buf + 4, 2);
	memcpy(&len, buf + 16, 4);
	ck_assert_uint_eq(type & 0xffff, 2);            /* NLMSG_ERROR */
	ck_assert_int_eq((int32_t)len, -EPERM);
	file_put(f);
}
END_TEST

Suite *net_suite(void)
{
	Suite *s = suite_create("net");
	TCase *tc = tcase_create("net");

	tcase_add_test(tc, forward_specs);
	tcase_add_test(tc, iter_kbuf);
	tcase_add_test(tc, bind_conflicts);
	tcase_add_test(tc, netlink_dump_and_change);
	suite_add_tcase(s, tc);
	return s;
}
