/*
 * socket.c - the socket syscalls: socket, socketpair, bind, connect,
 * listen, accept, accept4, sendto, recvfrom, sendmsg, recvmsg,
 * sendmmsg, recvmmsg, shutdown, getsockname, getpeername, setsockopt,
 * getsockopt.
 *
 * Handlers decode arguments and move guest memory: sockaddrs (Linux's
 * move_addr_to_kernel/move_addr_to_user), iovecs gathered into and
 * scattered from one kernel buffer, and control messages (SCM_RIGHTS
 * fds looked up on send and installed on receive, SCM_CREDENTIALS) as
 * net/core/scm.c parses and builds them.  The sockets themselves are
 * unix.c's.  Only AF_UNIX exists: AF_INET, AF_INET6 and AF_NETLINK get
 * EAFNOSUPPORT until umk decides how guests reach host networking.
 *
 * Locking: everything runs under klock, held by the caller; the socket
 * layer drops it only inside task_sleep.
 */
#include "net.h"
#include "../fs/fs.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define UIO_MAXIOV    1024
#define SOCKADDR_MAX  128             /* sizeof(struct sockaddr_storage) */
#define OPTMEM_MAX    131072          /* net.core.optmem_max */
#define MSG_MAX       (1L << 30)      /* one sendmsg's payload, at most */

/* sockfd_lookup: the socket behind fd; -EBADF or -ENOTSOCK. */
static struct file *sock_get(struct task *t, int fd, int *err)
{
	struct file *f = fd_get(t, fd);

	if (!f) {
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

/* move_addr_to_kernel: -EINVAL for a length over a sockaddr_storage. */
static int addr_from_user(struct task *t, uint64_t uaddr, int len, struct sock_addr *a)
{
	char buf[SOCKADDR_MAX];

	memset(a, 0, sizeof(*a));
	if (len < 0 || len > SOCKADDR_MAX)
		return -EINVAL;
	if (!len)
		return 0;
	if (copy_from_user(t, buf, uaddr, len))
		return -EFAULT;
	/* Longer than a sockaddr_un is refused by the socket (EINVAL). */
	a->len = len;
	memcpy(a->name, buf, len < L_SOCKADDR_UN_LEN ? len : L_SOCKADDR_UN_LEN);
	if (len > L_SOCKADDR_UN_LEN)
		a->len = L_SOCKADDR_UN_LEN + 1;
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
 * sys_socket(domain, type, protocol) - AF_UNIX stream, datagram (SOCK_RAW
 * too, as Linux) and seqpacket sockets; type may carry SOCK_NONBLOCK and
 * SOCK_CLOEXEC.  -EINVAL for other type flags or a type out of range,
 * -EAFNOSUPPORT for every other family (AF_INET, AF_INET6, AF_NETLINK:
 * no network yet), -ESOCKTNOSUPPORT, -EPROTONOSUPPORT.
 */
long sys_socket(struct task *t, struct sysargs *a)
{
	int domain = arg_int(a, 0), type = arg_int(a, 1), proto = arg_int(a, 2);
	int flags = type & (L_SOCK_NONBLOCK | L_SOCK_CLOEXEC);
	struct file *f;
	int err;

	type &= ~(L_SOCK_NONBLOCK | L_SOCK_CLOEXEC);
	if (type < 0 || type >= L_SOCK_MAX)
		return -EINVAL;
	if (domain < 0 || domain >= L_AF_MAX)
		return -EAFNOSUPPORT;
	if (domain != L_AF_UNIX)
		return -EAFNOSUPPORT;
	if (proto && proto != L_AF_UNIX)
		return -EPROTONOSUPPORT;
	if (type == L_SOCK_RAW)
		type = L_SOCK_DGRAM;
	if (type != L_SOCK_STREAM && type != L_SOCK_DGRAM && type != L_SOCK_SEQPACKET)
		return -ESOCKTNOSUPPORT;
	err = unix_create(type, flags, &f);
	if (err)
		return err;
	return fd_install(t, 0, f, flags & L_SOCK_CLOEXEC);
}

/*
 * sys_socketpair(domain, type, protocol, sv) - two connected AF_UNIX
 * sockets.  Other families: -EAFNOSUPPORT (Linux says EOPNOTSUPP for
 * families that exist but cannot pair; umk has none of them).  -EFAULT
 * if sv cannot be written (no fd stays open).
 */
long sys_socketpair(struct task *t, struct sysargs *a)
{
	int domain = arg_int(a, 0), type = arg_int(a, 1), proto = arg_int(a, 2);
	int flags = type & (L_SOCK_NONBLOCK | L_SOCK_CLOEXEC);
	struct file *fa, *fb;
	int fds[2], err;

	type &= ~(L_SOCK_NONBLOCK | L_SOCK_CLOEXEC);
	if (type < 0 || type >= L_SOCK_MAX)
		return -EINVAL;
	if (domain != L_AF_UNIX)
		return -EAFNOSUPPORT;
	if (proto && proto != L_AF_UNIX)
		return -EPROTONOSUPPORT;
	if (type == L_SOCK_RAW)
		type = L_SOCK_DGRAM;
	if (type != L_SOCK_STREAM && type != L_SOCK_DGRAM && type != L_SOCK_SEQPACKET)
		return -ESOCKTNOSUPPORT;
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

/* sys_bind(fd, addr, addrlen) - see unix_bind. */
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
		err = unix_bind(t, f, &sa);
	file_put(f);
	return err;
}

/* sys_connect(fd, addr, addrlen) - see unix_connect. */
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
		err = unix_connect(t, f, &sa);
	file_put(f);
	return err;
}

/* sys_listen(fd, backlog) - see unix_listen. */
long sys_listen(struct task *t, struct sysargs *a)
{
	struct file *f;
	int err;

	f = sock_get(t, arg_int(a, 0), &err);
	if (!f)
		return err;
	err = unix_listen(t, f, arg_int(a, 1));
	file_put(f);
	return err;
}

static long do_accept(struct task *t, int fd, uint64_t uaddr, uint64_t ulen, int flags)
{
	struct file *f, *nf = NULL;
	struct sock_addr sa;
	int err, nfd;

	if (flags & ~(L_SOCK_NONBLOCK | L_SOCK_CLOEXEC))
		return -EINVAL;
	f = sock_get(t, fd, &err);
	if (!f)
		return err;
	err = unix_accept(t, f, flags, &nf);
	file_put(f);
	if (err)
		return err;
	if (uaddr) {
		unix_getname(nf, true, &sa);
		err = addr_to_user(t, &sa, uaddr, ulen);
		if (err) {
			file_put(nf);
			return err;
		}
	}
	nfd = fd_install(t, 0, nf, flags & L_SOCK_CLOEXEC);
	return nfd;
}

/*
 * sys_accept4(fd, addr, addrlen, flags) - see unix_accept; addr gets the
 * client's name (bare family if unbound).  flags: SOCK_NONBLOCK,
 * SOCK_CLOEXEC, else -EINVAL.
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

/* sys_shutdown(fd, how) - see unix_shutdown. */
long sys_shutdown(struct task *t, struct sysargs *a)
{
	struct file *f;
	int err;

	f = sock_get(t, arg_int(a, 0), &err);
	if (!f)
		return err;
	err = unix_shutdown(f, arg_int(a, 1));
	file_put(f);
	return err;
}

static long do_getname(struct task *t, struct sysargs *a, bool peer)
{
	struct sock_addr sa;
	struct file *f;
	int err;

	f = sock_get(t, arg_int(a, 0), &err);
	if (!f)
		return err;
	err = unix_getname(f, peer, &sa);
	if (!err)
		err = addr_to_user(t, &sa, arg_ptr(a, 1), arg_ptr(a, 2));
	file_put(f);
	return err;
}

/* sys_getsockname(fd, addr, addrlen) - the bound name, or the bare family. */
long sys_getsockname(struct task *t, struct sysargs *a)
{
	return do_getname(t, a, false);
}

/* sys_getpeername(fd, addr, addrlen) - the peer's name; -ENOTCONN without one. */
long sys_getpeername(struct task *t, struct sysargs *a)
{
	return do_getname(t, a, true);
}

/* sys_setsockopt(fd, level, name, val, len) - see unix_setsockopt. */
long sys_setsockopt(struct task *t, struct sysargs *a)
{
	int level = arg_int(a, 1), name = arg_int(a, 2), len = arg_int(a, 4);
	char val[16] = { 0 };
	bool ok;
	struct file *f;
	int err;

	f = sock_get(t, arg_int(a, 0), &err);
	if (!f)
		return err;
	err = -EINVAL;
	if (len < 0)
		goto out;
	ok = !copy_from_user(t, val, arg_ptr(a, 3), len < (int)sizeof(val) ? len : (int)sizeof(val));
	err = unix_setsockopt(f, level, name, ok ? val : NULL, len);
out:
	file_put(f);
	return err;
}

/* sys_getsockopt(fd, level, name, val, lenp) - see unix_getsockopt. */
long sys_getsockopt(struct task *t, struct sysargs *a)
{
	uint64_t uval = arg_ptr(a, 3), ulen = arg_ptr(a, 4);
	char val[16];
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
	err = unix_getsockopt(f, arg_int(a, 1), arg_int(a, 2), val, &len);
	if (err)
		goto out;
	err = -EFAULT;
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

/* Gathers the iovec's bytes into a new kernel buffer. */
static int iov_gather(struct task *t, const struct linux_iovec *iov, uint64_t cnt, size_t total,
		      char **out)
{
	char *kb = malloc(total ? total : 1);
	size_t off = 0;

	*out = NULL;
	if (!kb)
		return -ENOMEM;
	for (uint64_t i = 0; i < cnt; i++) {
		if (iov[i].iov_len && copy_from_user(t, kb + off, iov[i].iov_base, iov[i].iov_len)) {
			free(kb);
			return -EFAULT;
		}
		off += iov[i].iov_len;
	}
	*out = kb;
	return 0;
}

static int iov_scatter(struct task *t, const struct linux_iovec *iov, uint64_t cnt,
		       const char *kb, size_t n)
{
	size_t off = 0;

	for (uint64_t i = 0; i < cnt && off < n; i++) {
		size_t c = iov[i].iov_len < n - off ? iov[i].iov_len : n - off;

		if (c && copy_to_user(t, iov[i].iov_base, kb + off, c))
			return -EFAULT;
		off += c;
	}
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
 * SCM_RIGHTS (at most SCM_MAX_FD fds in all, -EINVAL; -EBADF for a bad
 * fd; an empty one is ignored), SCM_CREDENTIALS (exactly a ucred, else
 * -EINVAL; see unix_check_creds); any other type -EINVAL.  Messages of
 * other levels are skipped.  -EINVAL for a cmsg_len that does not fit.
 * m->fds (room for SCM_MAX_FD) gets references; the caller puts them.
 */
static int cmsg_parse(struct task *t, const char *ctl, size_t len, struct sock_msg *m)
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
	return 0;
}

/* One sendmsg: mh already copied in.  Returns bytes sent or -errno. */
static long do_sendmsg(struct task *t, struct file *f, struct linux_msghdr *mh, int flags)
{
	struct file *fds[L_SCM_MAX_FD];
	struct sock_msg m = { .fds = fds };
	struct linux_iovec *iov = NULL;
	char *kb = NULL, *ctl = NULL;
	size_t total;
	long r;

	if (!mh->msg_name)
		mh->msg_namelen = 0;
	r = -EINVAL;
	if (mh->msg_namelen < 0)
		goto out;
	if (mh->msg_namelen) {
		r = addr_from_user(t, mh->msg_name, mh->msg_namelen < SOCKADDR_MAX ?
				   mh->msg_namelen : SOCKADDR_MAX, &m.addr);
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
		r = cmsg_parse(t, ctl, mh->msg_controllen, &m);
		if (r)
			goto out;
	}
	r = iov_gather(t, iov, mh->msg_iovlen, total, &kb);
	if (r)
		goto out;
	r = unix_sendmsg(t, f, kb, total, flags, &m);
out:
	put_fds(&m);
	free(ctl);
	free(kb);
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
static int put_cmsg(struct task *t, struct cmsg_out *c, int type, const void *data, size_t len)
{
	struct linux_cmsghdr h = { LINUX_CMSG_LEN(len), L_SOL_SOCKET, type };
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
	char *kb = NULL;
	size_t total;
	int32_t oflags;
	long r, err;

	r = iov_import(t, mh->msg_iov, mh->msg_iovlen, &iov, &total);
	if (r)
		goto out;
	r = -EFAULT;
	if (!iov_writable(t, iov, mh->msg_iovlen))
		goto out;
	r = -ENOMEM;
	kb = malloc(total ? total : 1);
	if (!kb)
		goto out;
	r = unix_recvmsg(t, f, kb, total, flags, &m);
	if (r < 0)
		goto out;
	err = iov_scatter(t, iov, mh->msg_iovlen, kb, (size_t)r < total ? (size_t)r : total);
	if (!err && mh->msg_name)
		err = addr_to_user(t, &m.addr, mh->msg_name,
				   umh + offsetof(struct linux_msghdr, msg_namelen));
	if (!err && m.cred_set)
		err = put_cmsg(t, &c, L_SCM_CREDENTIALS, &m.cred, sizeof(m.cred));
	if (!err && m.nfds)
		err = put_fds_cmsg(t, &c, &m, flags & L_MSG_CMSG_CLOEXEC);
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
	free(kb);
	free(iov);
	return r;
}

/*
 * sys_sendmsg(fd, msg, flags) - the iovecs gathered into one message;
 * control messages as cmsg_parse says.  -EMSGSIZE for more than 1024
 * iovecs, -ENOBUFS for a control buffer over optmem_max.
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
 * marks them close-on-exec), msg_flags (MSG_TRUNC, MSG_CTRUNC).
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
	size_t len = arg_ptr(a, 2);
	struct sock_msg m = { 0 };
	struct file *f;
	char *kb = NULL;
	int err;
	long r;

	f = sock_get(t, arg_int(a, 0), &err);
	if (!f)
		return err;
	if (len > MSG_MAX)
		len = MSG_MAX;
	if (arg_ptr(a, 4)) {
		r = addr_from_user(t, arg_ptr(a, 4), arg_int(a, 5), &m.addr);
		if (r)
			goto out;
	}
	r = -ENOMEM;
	kb = malloc(len ? len : 1);
	if (!kb)
		goto out;
	r = -EFAULT;
	if (len && copy_from_user(t, kb, arg_ptr(a, 1), len))
		goto out;
	r = unix_sendmsg(t, f, kb, len, arg_int(a, 3), &m);
out:
	free(kb);
	file_put(f);
	return r;
}

/* sys_recvfrom(fd, buf, len, flags, addr, addrlen) - one buffer; files received are closed. */
long sys_recvfrom(struct task *t, struct sysargs *a)
{
	uint64_t ubuf = arg_ptr(a, 1), uaddr = arg_ptr(a, 4);
	size_t len = arg_ptr(a, 2);
	struct sock_msg m = { 0 };
	struct file *f;
	char *kb = NULL;
	int err;
	long r;

	f = sock_get(t, arg_int(a, 0), &err);
	if (!f)
		return err;
	if (len > MSG_MAX)
		len = MSG_MAX;
	r = -EFAULT;
	if (len && !user_range_ok(t, ubuf, len, PROT_WRITE))
		goto out;
	r = -ENOMEM;
	kb = malloc(len ? len : 1);
	if (!kb)
		goto out;
	r = unix_recvmsg(t, f, kb, len, arg_int(a, 3), &m);
	if (r < 0)
		goto out;
	if (copy_to_user(t, ubuf, kb, (size_t)r < len ? (size_t)r : len))
		r = -EFAULT;
	else if (uaddr && (err = addr_to_user(t, &m.addr, uaddr, arg_ptr(a, 5))))
		r = err;
out:
	put_fds(&m);
	free(m.fds);
	free(kb);
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
