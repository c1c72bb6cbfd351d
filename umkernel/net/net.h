/*
 * net.h - the AF_UNIX socket layer (unix.c) as its syscall handlers
 * (socket.c) see it.
 *
 * Handlers copy guest sockaddrs, iovecs and control messages in and out;
 * unix.c works on kernel buffers, a struct sock_addr (the sockaddr_un
 * bytes the guest gave, as Linux keeps them) and a struct sock_msg that
 * carries what travels beside the data: the peer address, SCM_RIGHTS
 * file references and SCM_CREDENTIALS.  Every function returns a
 * negative errno on failure, -ERESTARTSYS included.
 *
 * Locking: klock, held by the caller.
 */
#ifndef UMK_NET_H
#define UMK_NET_H

#include "../fs/fs.h"

/* Linux's flags and numbers, as the x86-64 guest sees them. */
#define L_AF_UNSPEC        0
#define L_AF_UNIX          1
#define L_AF_INET          2
#define L_AF_INET6         10
#define L_AF_NETLINK       16
#define L_AF_MAX           46
#define L_SOCK_STREAM      1
#define L_SOCK_DGRAM       2
#define L_SOCK_RAW         3
#define L_SOCK_SEQPACKET   5
#define L_SOCK_MAX         11
#define L_SOCK_NONBLOCK    04000
#define L_SOCK_CLOEXEC     02000000
#define L_MSG_OOB          0x1
#define L_MSG_PEEK         0x2
#define L_MSG_CTRUNC       0x8
#define L_MSG_TRUNC        0x20
#define L_MSG_DONTWAIT     0x40
#define L_MSG_EOR          0x80
#define L_MSG_WAITALL      0x100
#define L_MSG_NOSIGNAL     0x4000
#define L_MSG_WAITFORONE   0x10000
#define L_MSG_CMSG_CLOEXEC 0x40000000
#define L_SOL_SOCKET       1
#define L_SCM_RIGHTS       1
#define L_SCM_CREDENTIALS  2
#define L_SCM_MAX_FD       253
#define L_SUN_PATH_OFF     2          /* offsetof(struct sockaddr_un, sun_path) */
#define L_SOCKADDR_UN_LEN  110        /* sizeof(struct sockaddr_un) */

/* A sockaddr_un as bytes: len of them are valid (0: no address). */
struct sock_addr {
	int len;
	char name[L_SOCKADDR_UN_LEN + 1]; /* room for a NUL after a full sun_path */
};

/* What travels beside the data of one sendmsg/recvmsg. */
struct sock_msg {
	struct sock_addr addr;        /* send: destination (len 0: none); recv: the sender's */
	struct file **fds;            /* SCM_RIGHTS: send: borrowed; recv: references, caller's */
	int nfds;
	bool cred_set;                /* send: SCM_CREDENTIALS given; recv: report cred */
	struct linux_ucred cred;
	int oflags;                   /* recv: MSG_TRUNC, MSG_CTRUNC for msg_flags */
};

bool file_is_socket(struct file *f);
int unix_create(int type, int flags, struct file **out);
int unix_pair(int type, int flags, struct file **a, struct file **b);
int unix_bind(struct task *t, struct file *f, const struct sock_addr *addr);
int unix_connect(struct task *t, struct file *f, const struct sock_addr *addr);
int unix_listen(struct task *t, struct file *f, int backlog);
int unix_accept(struct task *t, struct file *f, int flags, struct file **out);
ssize_t unix_sendmsg(struct task *t, struct file *f, const void *buf, size_t len, int flags,
		     struct sock_msg *m);
ssize_t unix_recvmsg(struct task *t, struct file *f, void *buf, size_t len, int flags,
		     struct sock_msg *m);
int unix_shutdown(struct file *f, int how);
int unix_getname(struct file *f, bool peer, struct sock_addr *out);
int unix_setsockopt(struct file *f, int level, int name, const void *val, int len);
/* sockopt.c: SOL_SOCKET options all families check alike (see there) */
int sock_bindtodevice(const void *val, int len);
int sock_setsockopt_common(int name, int v, const void *val, int len);
int unix_getsockopt(struct file *f, int level, int name, void *val, int *len);
int unix_check_creds(struct task *t, const struct linux_ucred *c);

#endif
