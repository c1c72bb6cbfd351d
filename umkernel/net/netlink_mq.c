/*
 * netlink_mq.c - the kernel side of mq_notify(SIGEV_THREAD) on a
 * netlink socket: glibc (and musl) open socket(AF_NETLINK, SOCK_RAW, 0)
 * and have a helper thread recv() 32-byte cookies on it that
 * ipc/mqueue.c sends when a queue's notification fires or goes
 * (Linux's netlink_getsockbyfilp and netlink_sendskb).
 *
 * Until the socket layer has AF_NETLINK sockets, no file is one: the
 * check says ENOTSOCK for a non-socket and EINVAL for another family,
 * as Linux does, and nothing is ever delivered.
 *
 * Lock: klock, held by the caller.
 */
#include "net.h"
#include "../ipc/ipc.h"

int netlink_mq_check(struct file *f)
{
	return file_is_socket(f) ? -EINVAL : -ENOTSOCK;
}

void netlink_mq_deliver(struct file *f, const void *data, size_t len)
{
	(void)f, (void)data, (void)len;
}
