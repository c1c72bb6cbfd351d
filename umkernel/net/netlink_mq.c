/*
 * netlink_mq.c - the kernel side of mq_notify(SIGEV_THREAD) on a
 * netlink socket: glibc (and musl) open socket(AF_NETLINK, SOCK_RAW, 0)
 * and have a helper thread recv() the 32-byte cookie that ipc/mqueue.c
 * sends there when a queue's notification fires (NOTIFY_WOKENUP) or goes
 * (NOTIFY_REMOVED); glibc then calls the function in a new thread.
 * Mirrors the netlink_getsockbyfilp and netlink_sendskb uses of Linux's
 * ipc/mqueue.c.
 *
 * Lock: klock, held by the caller.
 */
#include "net.h"
#include "../ipc/ipc.h"

/* 0 for a netlink socket; -ENOTSOCK for no socket, -EINVAL for another family. */
int netlink_mq_check(struct file *f)
{
	if (!file_is_socket(f))
		return -ENOTSOCK;
	return file_socket(f)->family == L_AF_NETLINK ? 0 : -EINVAL;
}

void netlink_mq_deliver(struct file *f, const void *data, size_t len)
{
	netlink_kernel_send(f, data, len);
}
