/*
 * socket.c - the socket syscalls: socket, socketpair, bind, connect,
 * listen, accept, accept4, sendto, recvfrom, sendmsg, recvmsg,
 * sendmmsg, recvmmsg, shutdown, getsockname, getpeername, setsockopt,
 * getsockopt.
 *
 * Handlers decode arguments and move guest memory: sockaddrs (Linux's
 * move_addr_to_kernel/move_addr_to_user), iovecs (a struct sock_iter
 * that the families copy through, straight to and from their buffers),
 * and control messages: for AF_UNIX, SCM_RIGHTS fds looked up on send
 * and installed on receive and SCM_CREDENTIALS, as net/core/scm.c parses
 * and builds them; other families get the checked control buffer as it
 * is and hand back the one they make.  Every call dispatches on the
 * socket's proto_ops (struct socket, net.h), set by the family that
 * made it: AF_UNIX (unix.c), AF_INET and AF_INET6 (inet.c), AF_NETLINK
 * (netlink.c).  socket_file_ops serves read, write, poll, ioctl, fstat
 * and close of every socket file the same way.
 *
 * Locking: everything runs under klock, held by the caller; the socket
 * layer drops it only inside task_sleep.
 */
#include "net.h"
#include "../fs/fs.h"
#include "../security/landlock.h"

#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>

#define UIO_MAXIOV    1024
#define OPTMEM_MAX    131072          /* net.core.optmem_max */
#define MSG_MAX       (1L << 30)      /* one sendmsg's payload, at most */
#define IPPROTO_MAX_  263             /* IPPROTO_MAX */

static const struct file_ops socket_file_ops;
static uint64_t sock_next_ino = 0x8000;

/* ---- the iterator ---- */

/* iter_init_kbuf - it moves bytes to or from the kernel buffer buf. */
void iter_init_kbuf(struct sock_iter *it, void *buf, size_t len)
{
	memset(it, 0, sizeof(*it));
	it->kbuf = buf;
	it->count = len;
}

/* iter_init_user - it moves bytes to or from t's iovecs (len bytes in all). */
void iter_init_user(struct sock_iter *it, struct task *t, const struct linux_iovec *iov,
		    uint64_t nr, size_t len)
{
	memset(it, 0, sizeof(*it));
	it->t = t;
	it->iov = iov;
	it->nr_segs = nr;
	it->count = len;
}

/* One step of a copy: the piece of the current iovec (at most n bytes). */
static ssize_t iter_copy(struct sock_iter *it, char *k, size_t n, bool to_user)
{
	size_t moved = 0;

	if (n > it->count)
		n = it->count;
	if (it->kbuf) {
		if (to_user)
			memcpy(it->kbuf + it->done, k, n);
		else
			memcpy(k, it->kbuf + it->done, n);
		it->done += n;
		it->count -= n;
		return n;
	}
	while (moved < n && it->seg < it->nr_segs) {
		const struct linux_iovec *v = &it->iov[it->seg];
		size_t c = v->iov_len - it->seg_off;
		int err;

		if (c > n - moved)
			c = n - moved;
		if (c) {
			err = to_user ? copy_to_user(it->t, v->iov_base + it->seg_off, k + moved, c)
				      : copy_from_user(it->t, k + moved, v->iov_base + it->seg_off, c);
			if (err)
				return moved ? (ssize_t)moved : -EFAULT;
		}
		moved += c;
		it->seg_off += c;
		it->done += c;
		it->count -= c;
		if (it->seg_off == v->iov_len) {
			it->seg++;
			it->seg_off = 0;
		}
	}
	return moved;
}

/* iter_from - the next n bytes of the source into dst; see net.h. */
ssize_t iter_from(struct sock_iter *it, void *dst, size_t n)
{
	return iter_copy(it, dst, n, false);
}

/* iter_to - n bytes of src to the destination's next bytes; see net.h. */
ssize_t iter_to(struct sock_iter *it, const void *src, size_t n)
{
	return iter_copy(it, (char *)src, n, true);
}

/* ---- socket files ---- */

/* file_is_socket - whether f is a socket (else ENOTSOCK). */
bool file_is_socket(struct file *f)
{
	return f && f->ops == &socket_file_ops;
}

struct linux_timespec sock_now(void)
{
	uint64_t ns = now_ns(CLOCK_REALTIME);   /* the guest's wall clock */

	return (struct linux_timespec){ (int64_t)(ns / 1000000000ULL), (int64_t)(ns % 1000000000ULL) };
}

uint64_t sock_alloc_ino(void)
{
	return sock_next_ino++;
}

/* sock_file_alloc - see net.h. */
struct file *sock_file_alloc(struct socket *s, const struct proto_ops *ops, int family,
			     int type, int protocol, int flags)
{
	char path[40];
	struct file *f;

	s->ops = ops;
	s->family = family;
	s->type = type;
	s->protocol = protocol;
	if (!s->ino)
		s->ino = sock_next_ino++;
	s->uid = current ? current->cred.fsuid : 0;
	s->gid = current ? current->cred.fsgid : 0;
	s->ctime = sock_now();
	snprintf(path, sizeof(path), "socket:[%llu]", (unsigned long long)s->ino);
	f = file_alloc(&socket_file_ops, O_RDWR | (flags & L_SOCK_NONBLOCK ? O_NONBLOCK : 0), path);
	if (f)
		f->priv = s;
	return f;
}

uint64_t sock_deadline(uint64_t timeo)
{
	return timeo ? now_ns(CLOCK_MONOTONIC) + timeo : 0;
}

/* sock_wait_host - see net.h (hostfd -1: the wait queue only). */
int sock_wait_host(struct task *t, struct wait_queue *wq, uint64_t deadline, int hostfd,
		   short events)
{
	struct waiter w;
	int err;

	if (!t)
		return -EAGAIN;
	waitq_add(wq, &w, t);
	if (!deadline && hostfd < 0)
		err = task_sleep_short(t);
	else
		err = task_sleep(t, deadline, hostfd, events);
	waitq_del(&w);
	if (err == -EINTR)
		return deadline ? -EINTR : -ERESTARTSYS;
	if (err == -ETIMEDOUT)
		return -EAGAIN;
	return 0;
}

/* sock_wait - see net.h. */
int sock_wait(struct task *t, struct wait_queue *wq, uint64_t deadline)
{
	return sock_wait_host(t, wq, deadline, -1, 0);
}

/* sock_timeo_from - see net.h (Linux's sock_set_timeout). */
int sock_timeo_from(const void *val, int len, uint64_t *ns)
{
	struct linux_timeval tv;

	if (len < (int)sizeof(tv))
		return -EINVAL;
	memcpy(&tv, val, sizeof(tv));
	if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		return -EDOM;
	if (tv.tv_sec < 0)
		*ns = 1;                /* already expired */
	else if (tv.tv_sec > (int64_t)(UINT64_MAX / 2000000000ULL))
		*ns = 0;
	else
		*ns = tv.tv_sec * 1000000000ULL + tv.tv_usec * 1000ULL;
	return 0;
}

/* sock_timeo_to - ns (0 none) as the timeval getsockopt gives; its size. */
int sock_timeo_to(uint64_t ns, void *val)
{
	struct linux_timeval tv = { ns / 1000000000ULL, ns % 1000000000ULL / 1000 };

	memcpy(val, &tv, sizeof(tv));
	return sizeof(tv);
}

/* net_printf - appends to a growing text (/proc/net files). */
void net_printf(struct net_text *nt, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (nt->len + n + 1 > nt->cap) {
		size_t cap = nt->cap ? nt->cap : 4096;
		char *nb;

		while (cap < nt->len + n + 1)
			cap *= 2;
		nb = realloc(nt->buf, cap);
		if (!nb)
			return;
		nt->buf = nb;
		nt->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(nt->buf + nt->len, n + 1, fmt, ap);
	va_end(ap);
	nt->len += n;
}

static ssize_t sock_read_user(struct task *t, struct file *f, uint64_t buf, size_t n, int64_t *pos)
{
	struct linux_iovec v = { buf, n };
	struct sock_iter it;

	(void)pos;
	iter_init_user(&it, t, &v, 1, n);
	return sock_recvmsg(t, f, &it, 0, NULL);
}

static ssize_t sock_write_user(struct task *t, struct file *f, uint64_t buf, size_t n, int64_t *pos)
{
	struct linux_iovec v = { buf, n };
	struct sock_iter it;

	(void)pos;
	iter_init_user(&it, t, &v, 1, n);
	return sock_sendmsg(t, f, &it, 0, NULL);
}

static ssize_t sock_read(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	struct sock_iter it;

	(void)pos;
	iter_init_kbuf(&it, buf, n);
	return sock_recvmsg(t, f, &it, 0, NULL);
}

static ssize_t sock_write(struct task *t, struct file *f, const void *buf, size_t n, int64_t *pos)
{
	struct sock_iter it;

	(void)pos;
	iter_init_kbuf(&it, (void *)buf, n);
	return sock_sendmsg(t, f, &it, 0, NULL);
}

/* S_IFSOCK|0777 on the socket filesystem, owned by the creator. */
static int sock_fstat(struct file *f, struct kstat *st)
{
	struct socket *s = file_socket(f);

	if (s->ops->fstat)
		return s->ops->fstat(f, st);
	memset(st, 0, sizeof(*st));
	st->dev = SOCKFS_DEV;
	st->ino = s->ino;
	st->nlink = 1;
	st->mode = S_IFSOCK | 0777;
	st->uid = s->uid;
	st->gid = s->gid;
	st->blksize = 4096;
	st->atime = st->mtime = st->ctime = s->ctime;
	return 0;
}

/* The family's ioctls, then the interface ones (SIOCGIF*) every socket
 * answers, as Linux's sock_ioctl falls back to dev_ioctl. */
static long sock_ioctl(struct task *t, struct file *f, unsigned int cmd, uint64_t arg)
{
	struct socket *s = file_socket(f);
	long r = -ENOIOCTLCMD;

	if (s->ops->ioctl)
		r = s->ops->ioctl(t, f, cmd, arg);
	if (r == -ENOIOCTLCMD)
		r = netdev_ioctl(t, cmd, arg);
	return r == -ENOIOCTLCMD ? -ENOTTY : r;
}

static short sock_poll(struct file *f, struct poll_table *pt)
{
	return file_socket(f)->ops->poll(f, pt);
}

static void sock_release(struct file *f)
{
	struct socket *s = file_socket(f);

	if (s)
		s->ops->release(f);
	f->priv = NULL;
}

static const struct file_ops socket_file_ops = {
	.read = sock_read,
	.write = sock_write,
	.read_user = sock_read_user,
	.write_user = sock_write_user,
	.fstat = sock_fstat,
	.ioctl = sock_ioctl,
	.poll = sock_poll,
	.release = sock_release,
	.seekable = false,
};

/* ---- syscalls ---- */

/* sockfd_lookup: the socket behind fd; -EBADF or -ENOTSOCK. */
static struct file *sock_get(struct task *t, int fd, int *err)
{
	struct file *f = fd_get(t, fd);

	if (!f || (f->flags & O_PATH)) {   /* fdget() does not see O_PATH files */
		file_put(f);
		*err = -EBADF;
		return NULL;
	}
	if (!file_is_socket(f)) {
		file_put(f);
		*err = -ENOTSOCK;
		return NULL;
	}
	return f;
}

static const struct proto_ops *ops_of(struct file *f)
{
	return file_socket(f)->ops;
}

/* move_addr_to_kernel: -EINVAL for a length over a sockaddr_storage. */
static int addr_from_user(struct task *t, uint64_t uaddr, int len, struct sock_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (len < 0 || len > L_SOCKADDR_MAX)
		return -EINVAL;
	if (!len)
		return 0;
	if (copy_from_user(t, a->name, uaddr, len))
		return -EFAULT;
	a->len = len;
	return 0;
}

/* move_addr_to_user: copies min(*ulen, a->len) bytes, stores a->len in *ulen. */
static int addr_to_user(struct task *t, const struct sock_addr *a, uint64_t uaddr, uint64_t ulen)
{
	int len;

	if (copy_from_user(t, &len, ulen, sizeof(len)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	if (len > a->len)
		len = a->len;
	if (len && copy_to_user(t, uaddr, a->name, len))
		return -EFAULT;
	if (copy_to_user(t, ulen, &a->len, sizeof(a->len)))
		return -EFAULT;
	return 0;
}

/*
 * Linux's __sys_socket/__sock_create checks: flags beyond SOCK_NONBLOCK
 * and SOCK_CLOEXEC -EINVAL, a family out of range -EAFNOSUPPORT, a type
 * out of range -EINVAL.  *type loses the flags.
 */
static int socket_args(int domain, int *type, int *flags)
{
	*flags = *type & ~0xf;
	*type &= 0xf;
	if (*flags & ~(L_SOCK_NONBLOCK | L_SOCK_CLOEXEC))
		return -EINVAL;
	if (domain < 0 || domain >= L_AF_MAX)
		return -EAFNOSUPPORT;
	if (*type >= L_SOCK_MAX)
		return -EINVAL;
	return 0;
}

/* Checks AF_UNIX's protocol and type; SOCK_RAW is a datagram socket. */
static int unix_args(int *type, int proto)
{
	if (proto && proto != L_AF_UNIX)
		return -EPROTONOSUPPORT;
	if (*type == L_SOCK_RAW)
		*type = L_SOCK_DGRAM;
	if (*type != L_SOCK_STREAM && *type != L_SOCK_DGRAM && *type != L_SOCK_SEQPACKET)
		return -ESOCKTNOSUPPORT;
	return 0;
}

/*
 * sys_socket(domain, type, protocol) - AF_UNIX (stream, datagram and
 * seqpacket; SOCK_RAW is a datagram socket, as Linux), AF_INET and
 * AF_INET6 (TCP streams and UDP datagrams: inet_create), AF_NETLINK
 * (NETLINK_ROUTE: netlink_create), AF_PACKET (packet_create: no frames
 * on umk's loopback); type may carry SOCK_NONBLOCK and
 * SOCK_CLOEXEC.  -EINVAL for other type flags or a type out of range,
 * -EAFNOSUPPORT for every other family, -ESOCKTNOSUPPORT, -EPROTONOSUPPORT.
 */
long sys_socket(struct task *t, struct sysargs *a)
{
	int domain = arg_int(a, 0), type = arg_int(a, 1), proto = arg_int(a, 2), flags;
	struct file *f;
	int err;

	err = socket_args(domain, &type, &flags);
	if (err)
		return err;
	switch (domain) {
	case L_AF_UNIX:
		err = unix_args(&type, proto);
		if (!err)
			err = unix_create(type, flags, &f);
		break;
	case L_AF_INET:
	case L_AF_INET6:
		err = inet_create(domain, type, proto, flags, &f);
		break;
	case L_AF_NETLINK:
		err = netlink_create(type, proto, flags, &f);
		break;
	case L_AF_PACKET:
		err = packet_create(type, proto, flags, &f);
		break;
	default:
		err = -EAFNOSUPPORT;
	}
	if (err)
		return err;
	return fd_install(t, 0, f, flags & L_SOCK_CLOEXEC);
}

/*
 * sys_socketpair(domain, type, protocol, sv) - two connected AF_UNIX
 * sockets.  AF_INET, AF_INET6 and AF_NETLINK sockets are checked as
 * socket(2) would, then -EOPNOTSUPP (they cannot pair); other families
 * -EAFNOSUPPORT.  -EFAULT if sv cannot be written (no fd stays open).
 */
long sys_socketpair(struct task *t, struct sysargs *a)
{
	int domain = arg_int(a, 0), type = arg_int(a, 1), proto = arg_int(a, 2), flags;
	struct file *fa, *fb;
	int fds[2], err;

	err = socket_args(domain, &type, &flags);
	if (err)
		return err;
	if (domain == L_AF_INET || domain == L_AF_INET6 || domain == L_AF_NETLINK) {
		err = domain == L_AF_NETLINK ? netlink_create(type, proto, flags, &fa)
					     : inet_create(domain, type, proto, flags, &fa);
		if (err)
			return err;
		file_put(fa);
		return -EOPNOTSUPP;
	}
	if (domain != L_AF_UNIX)
		return -EAFNOSUPPORT;
	err = unix_args(&type, proto);
	if (err)
		return err;
	err = unix_pair(type, flags, &fa, &fb);
	if (err)
		return err;
	fds[0] = fd_install(t, 0, fa, flags & L_SOCK_CLOEXEC);
	if (fds[0] < 0) {
		file_put(fb);
		return fds[0];
	}
	fds[1] = fd_install(t, 0, fb, flags & L_SOCK_CLOEXEC);
	if (fds[1] < 0) {
		fd_close(t, fds[0]);
		return fds[1];
	}
	if (copy_to_user(t, arg_ptr(a, 3), fds, sizeof(fds))) {
		fd_close(t, fds[0]);
		fd_close(t, fds[1]);
		return -EFAULT;
	}
	return 0;
}

/* sys_bind(fd, addr, addrlen) - the family's bind (unix_bind, inet_bind...). */
long sys_bind(struct task *t, struct sysargs *a)
{
	struct sock_addr sa;
	struct file *f;
	int err;

	f = sock_get(t, arg_int(a, 0), &err);
	if (!f)
		return err;
	err = addr_from_user(t, arg_ptr(a, 1), arg_int(a, 2), &sa);
	if (!err)
		err = landlock_socket_bind(t, file_socket(f), &sa);
	if (!err)
		err = ops_of(f)->bind(t, f, &sa);
	file_put(f);
	return err;
}

/* sys_connect(fd, addr, addrlen) - the family's connect. */
long sys_connect(struct task *t, struct sysargs *a)
{
	struct sock_addr sa;
	struct file *f;
	int err;

	f = sock_get(t, arg_int(a, 0), &err);
	if (!f)
		return err;
	err = addr_from_user(t, arg_ptr(a, 1), arg_int(a, 2), &sa);
	if (!err)
		err = landlock_socket_connect(t, file_socket(f), &sa);
	if (!err)
		err = sock_connect(t, f, &sa);
	file_put(f);
	return err;
}

/* sys_listen(fd, backlog) - the family's listen. */
long sys_listen(struct task *t, struct sysargs *a)
{
	struct file *f;
	int err;

	f = sock_get(t, arg_int(a, 0), &err);
	if (!f)
		return err;
	err = ops_of(f)->listen(t, f, arg_int(a, 1));
	file_put(f);
	return err;
}

static long do_accept(struct task *t, int fd, uint64_t uaddr, uint64_t ulen, int flags)
{
	struct file *f, *nf = NULL;
	struct sock_addr sa = { 0 };
	int err;

	if (flags & ~(L_SOCK_NONBLOCK | L_SOCK_CLOEXEC))
		return -EINVAL;
	f = sock_get(t, fd, &err);
	if (!f)
		return err;
	err = ops_of(f)->accept(t, f, flags, &nf, &sa);
	file_put(f);
	if (err)
		return err;
	if (uaddr) {
		err = addr_to_user(t, &sa, uaddr, ulen);
		if (err) {
			file_put(nf);
			return err;
		}
	}
	return fd_install(t, 0, nf, flags & L_SOCK_CLOEXEC);
}

/*
 * sys_accept4(fd, addr, addrlen, flags) - the family's accept; addr gets
 * the peer's name.  flags: SOCK_NONBLOCK, SOCK_CLOEXEC, else -EINVAL.
 */
long sys_accept4(struct task *t, struct sysargs *a)
{
	return do_accept(t, arg_int(a, 0), arg_ptr(a, 1), arg_ptr(a, 2), arg_int(a, 3));
}

/* sys_accept(fd, addr, addrlen) - accept4 with no flags. */
long sys_accept(struct task *t, struct sysargs *a)
{
	return do_accept(t, arg_int(a, 0), arg_ptr(a, 1), arg_ptr(a, 2), 0);
}

/* sys_shutdown(fd, how) - the family's shutdown. */
long sys_shutdown(struct task *t, struct sysargs *a)
{
	struct file *f;
	int err;

	f = sock_get(t, arg_int(a, 0), &err);
	if (!f)
		return err;
	err = ops_of(f)->shutdown(t, f, arg_int(a, 1));
	file_put(f);
	return err;
}

static long do_getname(struct task *t, struct sysargs *a, bool peer)
{
	struct sock_addr sa = { 0 };
	struct file *f;
	int err;

	f = sock_get(t, arg_int(a, 0), &err);
	if (!f)
		return err;
	err = ops_of(f)->getname(f, peer, &sa);
	if (!err)
		err = addr_to_user(t, &sa, arg_ptr(a, 1), arg_ptr(a, 2));
	file_put(f);
	return err;
}

/* sys_getsockname(fd, addr, addrlen) - the bound name, or the family's empty one. */
long sys_getsockname(struct task *t, struct sysargs *a)
{
	return do_getname(t, a, false);
}

/* sys_getpeername(fd, addr, addrlen) - the peer's name; -ENOTCONN without one. */
long sys_getpeername(struct task *t, struct sysargs *a)
{
	return do_getname(t, a, true);
}

/*
 * sys_setsockopt(fd, level, name, val, len) - the family's setsockopt,
 * given at most SOCKOPT_MAX bytes of val; val is NULL when they cannot
 * be read (the family says -EFAULT once it knows the option, as Linux
 * reads the value only then).  -EINVAL for a negative len.
 */
long sys_setsockopt(struct task *t, struct sysargs *a)
{
	int level = arg_int(a, 1), name = arg_int(a, 2), len = arg_int(a, 4);
	char val[SOCKOPT_MAX] = { 0 };
	bool ok;
	struct file *f;
	int err;

	f = sock_get(t, arg_int(a, 0), &err);
	if (!f)
		return err;
	err = -EINVAL;
	if (len < 0)
		goto out;
	/* netfilter's options read the guest's value themselves (a table
	 * may be far larger than SOCKOPT_MAX) */
	err = nf_setsockopt(t, f, level, name, arg_ptr(a, 3), len);
	if (err != -ENOPROTOOPT)
		goto out;
	ok = !copy_from_user(t, val, arg_ptr(a, 3), len < SOCKOPT_MAX ? len : SOCKOPT_MAX);
	err = ops_of(f)->setsockopt(t, f, level, name, ok ? val : NULL, len);
out:
	file_put(f);
	return err;
}

/* sys_getsockopt(fd, level, name, val, lenp) - the family's getsockopt. */
long sys_getsockopt(struct task *t, struct sysargs *a)
{
	uint64_t uval = arg_ptr(a, 3), ulen = arg_ptr(a, 4);
	char val[SOCKOPT_MAX];
	struct file *f;
	int err, len;

	f = sock_get(t, arg_int(a, 0), &err);
	if (!f)
		return err;
	err = -EFAULT;
	if (copy_from_user(t, &len, ulen, sizeof(len)))
		goto out;
	err = -EINVAL;
	if (len < 0)
		goto out;
	err = nf_getsockopt(t, f, arg_int(a, 1), arg_int(a, 2), uval, &len);
	if (err != -ENOPROTOOPT) {
		if (!err && copy_to_user(t, ulen, &len, sizeof(len)))
			err = -EFAULT;
		goto out;
	}
	memset(val, 0, sizeof(val));
	err = ops_of(f)->getsockopt(t, f, arg_int(a, 1), arg_int(a, 2), val, &len);
	if (err)
		goto out;
	err = -EFAULT;
	if (len > SOCKOPT_MAX)
		len = SOCKOPT_MAX;
	if ((len && copy_to_user(t, uval, val, len)) || copy_to_user(t, ulen, &len, sizeof(len)))
		goto out;
	err = 0;
out:
	file_put(f);
	return err;
}

/* ---- data: iovecs and control messages ---- */

/* Copies in a guest iovec array; -EMSGSIZE over UIO_MAXIOV, -EINVAL for a negative length. */
static int iov_import(struct task *t, uint64_t uiov, uint64_t cnt, struct linux_iovec **out,
		      size_t *total)
{
	struct linux_iovec *iov;
	uint64_t sum = 0;

	*out = NULL;
	*total = 0;
	if (cnt > UIO_MAXIOV)
		return -EMSGSIZE;
	if (!cnt)
		return 0;
	iov = malloc(cnt * sizeof(*iov));
	if (!iov)
		return -ENOMEM;
	if (copy_from_user(t, iov, uiov, cnt * sizeof(*iov))) {
		free(iov);
		return -EFAULT;
	}
	for (uint64_t i = 0; i < cnt; i++) {
		if ((int64_t)iov[i].iov_len < 0) {
			free(iov);
			return -EINVAL;
		}
		/* Linux caps the total at MAX_RW_COUNT rather than failing. */
		if (sum + iov[i].iov_len > MSG_MAX)
			iov[i].iov_len = MSG_MAX - sum;
		sum += iov[i].iov_len;
	}
	*out = iov;
	*total = sum;
	return 0;
}

static bool iov_writable(struct task *t, const struct linux_iovec *iov, uint64_t cnt)
{
	for (uint64_t i = 0; i < cnt; i++)
		if (iov[i].iov_len && !user_range_ok(t, iov[i].iov_base, iov[i].iov_len, PROT_WRITE))
			return false;
	return true;
}

static void put_fds(struct sock_msg *m)
{
	for (int i = 0; i < m->nfds; i++)
		file_put(m->fds[i]);
	m->nfds = 0;
}

/*
 * Linux's __scm_send: walks the control messages.  SOL_SOCKET ones:
 * SCM_RIGHTS (AF_UNIX only, ignored by other families as Linux's
 * __sock_cmsg_send ignores it, as SCM_CREDENTIALS; at most SCM_MAX_FD fds in all,
 * -EINVAL; -EBADF for a bad fd; an empty one is ignored),
 * SCM_CREDENTIALS (exactly a ucred, else -EINVAL; see unix_check_creds);
 * any other type -EINVAL.  Messages of other levels are left to the
 * family.  -EINVAL for a cmsg_len that does not fit.  m->fds (room for
 * SCM_MAX_FD) gets references; the caller puts them.
 */
static int cmsg_parse(struct task *t, int family, const char *ctl, size_t len, struct sock_msg *m)
{
	struct linux_cmsghdr h;
	size_t off = 0;

	while (off + sizeof(h) <= len) {
		memcpy(&h, ctl + off, sizeof(h));
		if (h.cmsg_len < sizeof(h) || h.cmsg_len > len - off)
			return -EINVAL;
		if (h.cmsg_level == L_SOL_SOCKET) {
			const char *data = ctl + off + sizeof(h);
			size_t dlen = h.cmsg_len - sizeof(h);
			int n, fd, err;

			/* other families' __sock_cmsg_send: SCM_RIGHTS and
			 * SCM_CREDENTIALS are AF_UNIX's, ignored elsewhere */
			if (family != L_AF_UNIX &&
			    (h.cmsg_type == L_SCM_RIGHTS || h.cmsg_type == L_SCM_CREDENTIALS)) {
				off += LINUX_CMSG_ALIGN(h.cmsg_len);
				continue;
			}
			switch (h.cmsg_type) {
			case L_SCM_RIGHTS:
				n = dlen / sizeof(int);
				if (m->nfds + n > L_SCM_MAX_FD)
					return -EINVAL;
				for (int i = 0; i < n; i++) {
					memcpy(&fd, data + i * sizeof(int), sizeof(int));
					m->fds[m->nfds] = fd_get(t, fd);
					if (!m->fds[m->nfds])
						return -EBADF;
					m->nfds++;
				}
				break;
			case L_SCM_CREDENTIALS:
				if (h.cmsg_len != LINUX_CMSG_LEN(sizeof(struct linux_ucred)))
					return -EINVAL;
				memcpy(&m->cred, data, sizeof(m->cred));
				err = unix_check_creds(t, &m->cred);
				if (err)
					return err;
				m->cred_set = true;
				break;
			default:
				return -EINVAL;
			}
		}
		off += LINUX_CMSG_ALIGN(h.cmsg_len);
	}
	if (family != L_AF_UNIX) {
		m->ctl = ctl;
		m->ctllen = len;
	}
	return 0;
}

/* One sendmsg: mh already copied in.  Returns bytes sent or -errno. */
static long do_sendmsg(struct task *t, struct file *f, struct linux_msghdr *mh, int flags)
{
	struct file *fds[L_SCM_MAX_FD];
	struct sock_msg m = { .fds = fds };
	struct linux_iovec *iov = NULL;
	struct sock_iter it;
	char *ctl = NULL;
	size_t total;
	long r;

	if (!mh->msg_name)
		mh->msg_namelen = 0;
	r = -EINVAL;
	if (mh->msg_namelen < 0)
		goto out;
	if (mh->msg_namelen) {
		r = addr_from_user(t, mh->msg_name, mh->msg_namelen < L_SOCKADDR_MAX ?
				   mh->msg_namelen : L_SOCKADDR_MAX, &m.addr);
		if (r)
			goto out;
	}
	r = iov_import(t, mh->msg_iov, mh->msg_iovlen, &iov, &total);
	if (r)
		goto out;
	r = -ENOBUFS;
	if (mh->msg_controllen > INT32_MAX || mh->msg_controllen > OPTMEM_MAX)
		goto out;
	if (mh->msg_controllen) {
		ctl = malloc(mh->msg_controllen);
		r = -ENOMEM;
		if (!ctl)
			goto out;
		r = -EFAULT;
		if (copy_from_user(t, ctl, mh->msg_control, mh->msg_controllen))
			goto out;
		r = cmsg_parse(t, file_socket(f)->family, ctl, mh->msg_controllen, &m);
		if (r)
			goto out;
	}
	iter_init_user(&it, t, iov, mh->msg_iovlen, total);
	r = sock_sendmsg(t, f, &it, flags, &m);
out:
	put_fds(&m);
	free(ctl);
	free(iov);
	return r;
}

/* The guest's control buffer as put_cmsg fills it. */
struct cmsg_out {
	uint64_t ptr;                 /* next cmsghdr */
	uint64_t left;                /* bytes left */
	uint64_t used;
	int flags;                    /* MSG_CTRUNC */
};

/* Linux's put_cmsg: truncated (MSG_CTRUNC) if it does not fit. */
static int put_cmsg(struct task *t, struct cmsg_out *c, int level, int type, const void *data,
		    size_t len)
{
	struct linux_cmsghdr h = { LINUX_CMSG_LEN(len), level, type };
	uint64_t cmlen = h.cmsg_len;

	if (!c->ptr || c->left < sizeof(h)) {
		c->flags |= L_MSG_CTRUNC;
		return 0;
	}
	if (c->left < cmlen) {
		c->flags |= L_MSG_CTRUNC;
		cmlen = c->left;
		h.cmsg_len = cmlen;
	}
	if (copy_to_user(t, c->ptr, &h, sizeof(h)) ||
	    copy_to_user(t, c->ptr + sizeof(h), data, cmlen - sizeof(h)))
		return -EFAULT;
	cmlen = LINUX_CMSG_SPACE(len);
	if (c->left < cmlen)
		cmlen = c->left;
	c->ptr += cmlen;
	c->left -= cmlen;
	c->used += cmlen;
	return 0;
}

/* The control messages a family made (m->ctl_out), one put_cmsg each. */
static int put_family_cmsgs(struct task *t, struct cmsg_out *c, const struct sock_msg *m)
{
	struct linux_cmsghdr h;
	size_t off = 0;
	int err;

	while (off + sizeof(h) <= m->ctl_out_len) {
		memcpy(&h, m->ctl_out + off, sizeof(h));
		if (h.cmsg_len < sizeof(h) || h.cmsg_len > m->ctl_out_len - off)
			break;
		err = put_cmsg(t, c, h.cmsg_level, h.cmsg_type, m->ctl_out + off + sizeof(h),
			       h.cmsg_len - sizeof(h));
		if (err)
			return err;
		off += LINUX_CMSG_ALIGN(h.cmsg_len);
	}
	return 0;
}

/*
 * Linux's scm_detach_fds: installs as many received files as the control
 * buffer holds (MSG_CMSG_CLOEXEC: close-on-exec); the rest are closed
 * and MSG_CTRUNC set.
 */
static int put_fds_cmsg(struct task *t, struct cmsg_out *c, struct sock_msg *m, bool cloexec)
{
	struct linux_cmsghdr h = { 0, L_SOL_SOCKET, L_SCM_RIGHTS };
	int fdmax = c->ptr && c->left > sizeof(h) ? (c->left - sizeof(h)) / sizeof(int) : 0;
	int i, fd, err = 0;
	uint64_t cmlen;

	if (fdmax > m->nfds)
		fdmax = m->nfds;
	for (i = 0; i < fdmax; i++) {
		fd = fd_install(t, 0, file_get(m->fds[i]), cloexec);
		if (fd < 0)
			break;
		if (copy_to_user(t, c->ptr + sizeof(h) + i * sizeof(int), &fd, sizeof(fd))) {
			fd_close(t, fd);
			err = -EFAULT;
			break;
		}
	}
	if (i > 0) {
		h.cmsg_len = LINUX_CMSG_LEN(i * sizeof(int));
		if (copy_to_user(t, c->ptr, &h, sizeof(h)))
			return -EFAULT;
		cmlen = LINUX_CMSG_SPACE(i * sizeof(int));
		if (c->left < cmlen)
			cmlen = c->left;
		c->ptr += cmlen;
		c->left -= cmlen;
		c->used += cmlen;
	}
	if (i < m->nfds || (m->nfds && fdmax <= 0))
		c->flags |= L_MSG_CTRUNC;
	return err;
}

/*
 * One recvmsg: mh copied in from umh.  Writes back msg_namelen,
 * msg_controllen and msg_flags.  Returns the bytes received or -errno.
 */
static long do_recvmsg(struct task *t, struct file *f, struct linux_msghdr *mh, uint64_t umh,
		       int flags)
{
	struct sock_msg m = { 0 };
	struct linux_iovec *iov = NULL;
	struct cmsg_out c = { mh->msg_control, mh->msg_controllen, 0, 0 };
	struct sock_iter it;
	size_t total;
	int32_t oflags;
	long r, err = 0;

	r = iov_import(t, mh->msg_iov, mh->msg_iovlen, &iov, &total);
	if (r)
		goto out;
	r = -EFAULT;
	if (!iov_writable(t, iov, mh->msg_iovlen))
		goto out;
	m.ctl_room = mh->msg_controllen;
	iter_init_user(&it, t, iov, mh->msg_iovlen, total);
	r = sock_recvmsg(t, f, &it, flags, &m);
	if (r < 0)
		goto out;
	if (mh->msg_name)
		err = addr_to_user(t, &m.addr, mh->msg_name,
				   umh + offsetof(struct linux_msghdr, msg_namelen));
	if (!err && m.cred_set)
		err = put_cmsg(t, &c, L_SOL_SOCKET, L_SCM_CREDENTIALS, &m.cred, sizeof(m.cred));
	if (!err && m.nfds)
		err = put_fds_cmsg(t, &c, &m, flags & L_MSG_CMSG_CLOEXEC);
	if (!err && m.ctl_out_len)
		err = put_family_cmsgs(t, &c, &m);
	oflags = m.oflags | c.flags | (flags & L_MSG_CMSG_CLOEXEC);
	if (!err && (copy_to_user(t, umh + offsetof(struct linux_msghdr, msg_flags), &oflags,
				  sizeof(oflags)) ||
		     copy_to_user(t, umh + offsetof(struct linux_msghdr, msg_controllen), &c.used,
				  sizeof(c.used))))
		err = -EFAULT;
	if (err)
		r = err;
out:
	put_fds(&m);
	free(m.fds);
	free(m.ctl_out);
	free(iov);
	return r;
}

/*
 * sys_sendmsg(fd, msg, flags) - the iovecs as one message; control
 * messages as cmsg_parse says.  -EMSGSIZE for more than 1024 iovecs,
 * -ENOBUFS for a control buffer over optmem_max.
 */
long sys_sendmsg(struct task *t, struct sysargs *a)
{
	struct linux_msghdr mh;
	struct file *f;
	int err;
	long r;

	f = sock_get(t, arg_int(a, 0), &err);
	if (!f)
		return err;
	r = -EFAULT;
	if (!copy_from_user(t, &mh, arg_ptr(a, 1), sizeof(mh)))
		r = do_sendmsg(t, f, &mh, arg_int(a, 2));
	file_put(f);
	return r;
}

/*
 * sys_recvmsg(fd, msg, flags) - fills the iovecs, the sender's name,
 * SCM_CREDENTIALS (SO_PASSCRED) then SCM_RIGHTS (new fds; MSG_CMSG_CLOEXEC
 * marks them close-on-exec) or the family's control messages, msg_flags
 * (MSG_TRUNC, MSG_CTRUNC).
 */
long sys_recvmsg(struct task *t, struct sysargs *a)
{
	uint64_t umh = arg_ptr(a, 1);
	struct linux_msghdr mh;
	struct file *f;
	int err;
	long r;

	f = sock_get(t, arg_int(a, 0), &err);
	if (!f)
		return err;
	r = -EFAULT;
	if (!copy_from_user(t, &mh, umh, sizeof(mh)))
		r = do_recvmsg(t, f, &mh, umh, arg_int(a, 2));
	file_put(f);
	return r;
}

/* sys_sendto(fd, buf, len, flags, addr, addrlen) - one buffer, an optional name. */
long sys_sendto(struct task *t, struct sysargs *a)
{
	struct linux_iovec v = { arg_ptr(a, 1), arg_ptr(a, 2) };
	struct sock_msg m = { 0 };
	struct sock_iter it;
	struct file *f;
	int err;
	long r;

	f = sock_get(t, arg_int(a, 0), &err);
	if (!f)
		return err;
	if (v.iov_len > MSG_MAX)
		v.iov_len = MSG_MAX;
	if (arg_ptr(a, 4)) {
		r = addr_from_user(t, arg_ptr(a, 4), arg_int(a, 5), &m.addr);
		if (r)
			goto out;
	}
	iter_init_user(&it, t, &v, 1, v.iov_len);
	r = sock_sendmsg(t, f, &it, arg_int(a, 3), &m);
out:
	file_put(f);
	return r;
}

/* sys_recvfrom(fd, buf, len, flags, addr, addrlen) - one buffer; files received are closed. */
long sys_recvfrom(struct task *t, struct sysargs *a)
{
	uint64_t uaddr = arg_ptr(a, 4);
	struct linux_iovec v = { arg_ptr(a, 1), arg_ptr(a, 2) };
	struct sock_msg m = { 0 };
	struct sock_iter it;
	struct file *f;
	int err;
	long r;

	f = sock_get(t, arg_int(a, 0), &err);
	if (!f)
		return err;
	if (v.iov_len > MSG_MAX)
		v.iov_len = MSG_MAX;
	r = -EFAULT;
	if (v.iov_len && !user_range_ok(t, v.iov_base, v.iov_len, PROT_WRITE))
		goto out;
	iter_init_user(&it, t, &v, 1, v.iov_len);
	r = sock_recvmsg(t, f, &it, arg_int(a, 3), &m);
	if (r < 0)
		goto out;
	if (uaddr && (err = addr_to_user(t, &m.addr, uaddr, arg_ptr(a, 5))))
		r = err;
out:
	put_fds(&m);
	free(m.fds);
	free(m.ctl_out);
	file_put(f);
	return r;
}

/*
 * sys_sendmmsg(fd, msgvec, vlen, flags) - sendmsg for each entry (at
 * most 1024), storing msg_len.  Returns how many were sent, or the
 * first error if none was.
 */
long sys_sendmmsg(struct task *t, struct sysargs *a)
{
	uint64_t uvec = arg_ptr(a, 1);
	unsigned int vlen = arg_uint(a, 2), n = 0;
	int flags = arg_int(a, 3);
	struct linux_mmsghdr mm;
	struct file *f;
	int err;
	long r = 0;

	f = sock_get(t, arg_int(a, 0), &err);
	if (!f)
		return err;
	if (vlen > UIO_MAXIOV)
		vlen = UIO_MAXIOV;
	for (; n < vlen; n++) {
		uint64_t u = uvec + n * sizeof(mm);
		uint32_t len;

		if (copy_from_user(t, &mm, u, sizeof(mm))) {
			r = -EFAULT;
			break;
		}
		r = do_sendmsg(t, f, &mm.msg_hdr, flags);
		if (r < 0)
			break;
		len = (uint32_t)r;
		if (copy_to_user(t, u + offsetof(struct linux_mmsghdr, msg_len), &len, sizeof(len))) {
			r = -EFAULT;
			break;
		}
	}
	file_put(f);
	return n ? (long)n : r;
}

/*
 * sys_recvmmsg(fd, msgvec, vlen, flags, timeout) - recvmsg for each entry
 * (at most 1024), storing msg_len; MSG_WAITFORONE turns on MSG_DONTWAIT
 * after the first.  The timeout, as in Linux, is only checked between
 * messages; what is left of it is written back.  Returns how many were
 * received, or the error if none was.
 */
long sys_recvmmsg(struct task *t, struct sysargs *a)
{
	uint64_t uvec = arg_ptr(a, 1), uts = arg_ptr(a, 4);
	unsigned int vlen = arg_uint(a, 2), n = 0;
	int flags = arg_int(a, 3);
	struct linux_timespec ts;
	struct linux_mmsghdr mm;
	uint64_t end = 0, now;
	struct file *f;
	int err;
	long r = 0;

	if (uts) {
		if (copy_from_user(t, &ts, uts, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
		end = now_ns(CLOCK_MONOTONIC) + ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	}
	f = sock_get(t, arg_int(a, 0), &err);
	if (!f)
		return err;
	if (vlen > UIO_MAXIOV)
		vlen = UIO_MAXIOV;
	while (n < vlen) {
		uint64_t u = uvec + n * sizeof(mm);
		uint32_t len;

		if (copy_from_user(t, &mm, u, sizeof(mm))) {
			r = -EFAULT;
			break;
		}
		r = do_recvmsg(t, f, &mm.msg_hdr, u, flags);
		if (r < 0)
			break;
		len = (uint32_t)r;
		if (copy_to_user(t, u + offsetof(struct linux_mmsghdr, msg_len), &len, sizeof(len))) {
			r = -EFAULT;
			break;
		}
		n++;
		if (flags & L_MSG_WAITFORONE)
			flags |= L_MSG_DONTWAIT;
		if (uts) {
			now = now_ns(CLOCK_MONOTONIC);
			if (now >= end)
				break;
		}
	}
	file_put(f);
	if (uts && n) {
		now = now_ns(CLOCK_MONOTONIC);
		now = now < end ? end - now : 0;
		ts.tv_sec = now / 1000000000ULL;
		ts.tv_nsec = now % 1000000000ULL;
		if (copy_to_user(t, uts, &ts, sizeof(ts)))
			return -EFAULT;
	}
	return n ? (long)n : r;
}
