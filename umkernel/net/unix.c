/*
 * unix.c - AF_UNIX sockets: stream, datagram and seqpacket, as Linux's
 * net/unix/af_unix.c behaves.
 *
 * In a nutshell: a struct unix_sock is the socket (its struct socket
 * first: socket.c's files dispatch to unix_ops); its file holds one
 * reference, and so do a connected peer's pointer to it, every
 * message it sent that still sits in some receive queue (its address and
 * its send-buffer charge), and a listener's queue while it is an embryo
 * waiting for accept.  A sender appends a struct skb to the receiver's
 * queue and charges its own wmem; the reader frees the skb, which
 * uncharges the sender and wakes it.  Streams read across skbs, datagrams
 * and seqpackets one skb at a time.  A listener's queue holds one skb per
 * connection not yet accepted (skb->embryo): connect() makes the server
 * side socket at once, as Linux does, so data may flow before accept().
 * Names: abstract names (a leading NUL) live in a table keyed by type and
 * bytes, as Linux's hash per type; path names are S_IFSOCK nodes made
 * with the mount's mknod and found again by (st_dev, st_ino).  Messages
 * carry SCM_RIGHTS file references (file_get) and the sender's
 * credentials, kept as the kernel's values (global pid, kernel ids) and
 * translated to the reader's pid and user namespaces when read.  Files
 * passed in a cycle of sockets are not collected (Linux has a garbage
 * collector for that; umk leaks them).  Data is copied between the skbs
 * and the sock_iter of the call, so send and receive copy straight from
 * and to guest memory.
 *
 * Each socket has one wait queue, woken for anything a sleeper on it may
 * wait for: data or a connection arrived, its sends were consumed (wmem
 * went down), its queue was drained (datagram senders to it), shutdown,
 * or the peer closed.  Sleepers re-check their condition.
 *
 * Locking: everything runs under klock, held by the caller; task_sleep
 * drops it while a task waits, so every condition is re-checked after a
 * sleep and sockets used across a sleep are held by a reference.
 */
#include "net.h"
#include "../fs/fs.h"
#include "../fs/tmpfs.h"     /* vfs_permission */
#include "../fs/posix_acl.h"
#include "../security/landlock.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define SKB_OVERHEAD     576          /* ~ sizeof(sk_buff) + shared info: truesize - len */
#define SK_WMEM_DEFAULT  212992       /* net.core.wmem_default */
#define SK_WMEM_MAX      212992       /* net.core.wmem_max */
#define SK_RMEM_MAX      212992
#define SOCK_MIN_SNDBUF  4608
#define SOCK_MIN_RCVBUF  2304
#define MAX_DGRAM_QLEN   10           /* net.unix.max_dgram_qlen */
#define OVERFLOW_ID      65534        /* from_kuid_munged() of no id */
#define SO_ACCEPTCON     0x10000      /* /proc/net/unix's flag of a listener */

enum { SS_CLOSE, SS_LISTEN, SS_ESTABLISHED };

struct unix_sock;

struct skb {
	struct list_head link;        /* receiver's rcvq */
	struct unix_sock *from;       /* sender, referenced (NULL for an embryo) */
	struct unix_sock *embryo;     /* listener queue: the connection to accept */
	size_t len, off;              /* data[off..len) not yet read (streams) */
	size_t charge;                /* charged to from->wmem */
	bool has_cred;
	struct linux_ucred cred;
	struct file **fps;            /* SCM_RIGHTS: references */
	int nfp;
	char data[];
};

struct unix_sock {
	struct socket sk;             /* first: the file's priv */
	int refs;
	int type;                     /* L_SOCK_STREAM, _DGRAM, _SEQPACKET */
	int state;                    /* SS_* */
	bool dead;                    /* closed (or an embryo dropped) */
	bool embryo;                  /* made by connect, not yet accepted */
	int shutdown;                 /* RCV_SHUTDOWN | SEND_SHUTDOWN */
	int err;                      /* pending error (SO_ERROR), positive */
	struct unix_sock *peer;       /* referenced */
	struct sock_addr addr;        /* len 0: unbound */
	bool bound;                   /* in unix_bound */
	bool path_bound;              /* keyed by (bdev, bino) */
	uint64_t bdev, bino;
	uint64_t vfs_dev, vfs_ino;    /* accepted: the listener's node (Linux's path), for unix_diag */
	struct list_head bound_link;
	struct net_namespace *net;    /* its network namespace (referenced): abstract names */
	struct list_head rcvq;        /* struct skb */
	int qlen;
	size_t wmem;                  /* bytes charged by our skbs in flight */
	int sndbuf, rcvbuf, backlog, rcvlowat;
	bool passcred, reuseaddr, keepalive, broadcast, dontroute, oobinline, reuseport,
	     passsec;
	int priority;
	uint64_t rcvtimeo, sndtimeo;  /* ns, 0: none */
	bool has_peercred;
	struct linux_ucred peercred;  /* SO_PEERCRED */
	struct wait_queue wq;
	struct list_head all_link;    /* unix_all, for /proc/net/unix */
	struct landlock_domain *landlock;  /* its maker's Landlock domain (Linux's f_cred) */
};

static const struct proto_ops unix_ops;
static struct list_head unix_bound = LIST_HEAD_INIT(unix_bound);
static struct list_head unix_all = LIST_HEAD_INIT(unix_all);
static unsigned int unix_autobind_next;

/* ---- objects ---- */

static struct unix_sock *sock_alloc(int type)
{
	struct unix_sock *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->refs = 1;
	u->type = type;
	u->state = SS_CLOSE;
	list_init(&u->rcvq);
	list_init(&u->bound_link);
	waitq_init(&u->wq);
	u->sndbuf = SK_WMEM_DEFAULT;
	u->rcvbuf = SK_WMEM_DEFAULT;
	u->rcvlowat = 1;
	u->backlog = MAX_DGRAM_QLEN;    /* a datagram socket's queue limit */
	u->sk.ino = sock_alloc_ino();
	u->net = current_net();       /* abstract names live in it (referenced) */
	u->net->refs++;
	u->landlock = landlock_get(current ? current->landlock : NULL);
	list_add_tail(&u->all_link, &unix_all);
	/* An unconnected socket reports pid 0 and uid/gid -1 (cred_to_ucred). */
	u->peercred = (struct linux_ucred){ 0, (uint32_t)-1, (uint32_t)-1 };
	return u;
}

static struct unix_sock *sock_hold(struct unix_sock *u)
{
	if (u)
		u->refs++;
	return u;
}

static void sock_put(struct unix_sock *u)
{
	if (!u || --u->refs > 0)
		return;
	if (u->refs < 0 || !list_empty(&u->rcvq))
		oops("unix sock_put: bad refcount or queue on ino %llu", (unsigned long long)u->sk.ino);
	list_del(&u->all_link);
	put_net_ns(u->net);
	landlock_put(u->landlock);
	free(u);
}

/* The current process as SCM_CREDENTIALS (real ids) or SO_PEERCRED (effective). */
static struct linux_ucred task_ucred(struct task *t, bool effective)
{
	if (!t)
		return (struct linux_ucred){ 0, 0, 0 };
	return (struct linux_ucred){ t->tg->tgid, effective ? t->cred.euid : t->cred.uid,
				     effective ? t->cred.egid : t->cred.gid };
}

/* Credentials as kept (the global pid, kernel ids) as reader t sees them
 * (Linux's cred_to_ucred and scm_recv): the pid in t's pid namespace (0
 * if not there), the ids in t's user namespace (overflow ids if not
 * mapped there). */
static struct linux_ucred ucred_for(const struct task *t, const struct linux_ucred *k)
{
	if (!t)
		return *k;
	return (struct linux_ucred){ (uint32_t)global_nr_ns((int)k->pid, task_active_pid_ns(t)),
				     from_kuid_munged(t->user_ns, k->uid),
				     from_kgid_munged(t->user_ns, k->gid) };
}

static struct skb *skb_alloc(size_t len)
{
	struct skb *s = calloc(1, sizeof(*s) + len);

	if (s)
		list_init(&s->link);
	return s;
}

static void sock_release(struct unix_sock *u, bool embrion);

/* Frees an skb taken off its queue: drops its files, uncharges the sender. */
static void skb_free(struct skb *s)
{
	for (int i = 0; i < s->nfp; i++)
		file_put(s->fps[i]);
	free(s->fps);
	if (s->from) {
		s->from->wmem -= s->charge;
		wake_up(&s->from->wq);
		sock_put(s->from);
	}
	if (s->embryo) {
		sock_release(s->embryo, true);
		sock_put(s->embryo);
	}
	free(s);
}

static void skb_unlink(struct unix_sock *u, struct skb *s)
{
	list_del(&s->link);
	u->qlen--;
}

/* Charges a new skb of len data bytes to u and queues it on other. */
static void skb_queue(struct unix_sock *u, struct unix_sock *other, struct skb *s, size_t len)
{
	s->len = len;
	s->charge = len + SKB_OVERHEAD;
	s->from = sock_hold(u);
	u->wmem += s->charge;
	list_add_tail(&s->link, &other->rcvq);
	other->qlen++;
	wake_up(&other->wq);
}

static void sock_purge(struct unix_sock *u)
{
	struct list_head q, *p, *n;

	/* Detach first: freeing may release embryos and files, and re-enter. */
	list_init(&q);
	if (!list_empty(&u->rcvq)) {
		q.next = u->rcvq.next;
		q.prev = u->rcvq.prev;
		q.next->prev = &q;
		q.prev->next = &q;
		list_init(&u->rcvq);
	}
	u->qlen = 0;
	list_for_each_safe(p, n, &q) {
		list_del(p);
		skb_free(list_entry(p, struct skb, link));
	}
}

static void sock_unbind(struct unix_sock *u)
{
	if (u->bound) {
		list_del(&u->bound_link);
		u->bound = false;
	}
}

/*
 * Linux's unix_release_sock: the socket is gone.  A connected stream or
 * seqpacket peer sees both directions shut down, and ECONNRESET if we
 * die with unread data or as an embryo never accepted.  Queued messages
 * and embryos are dropped.
 */
static void sock_release(struct unix_sock *u, bool embrion)
{
	struct unix_sock *peer = u->peer;

	u->dead = true;
	u->state = SS_CLOSE;
	u->shutdown = SHUTDOWN_MASK;
	sock_unbind(u);
	u->peer = NULL;
	if (peer) {
		if (u->type != L_SOCK_DGRAM) {
			peer->shutdown = SHUTDOWN_MASK;
			if (!list_empty(&u->rcvq) || embrion)
				peer->err = ECONNRESET;
		}
		wake_up(&peer->wq);
		sock_put(peer);
	}
	sock_purge(u);
	wake_up(&u->wq);
}

static struct unix_sock *file_sock(struct file *f)
{
	return (struct unix_sock *)f->priv;
}

static struct file *sock_file(struct unix_sock *u, int flags)
{
	return sock_file_alloc(&u->sk, &unix_ops, L_AF_UNIX, u->type, 0, flags);
}

#define timeo_deadline sock_deadline

static int sock_error(struct unix_sock *u)
{
	int e = u->err;

	u->err = 0;
	return -e;
}

/* ---- names ---- */

/*
 * Linux's unix_validate_addr: -EINVAL unless the family is AF_UNIX and
 * the length is at least the family and at most a sockaddr_un.
 */
static int addr_validate(const struct sock_addr *a)
{
	uint16_t fam;

	if (a->len < L_SUN_PATH_OFF || a->len > L_SOCKADDR_UN_LEN)
		return -EINVAL;
	memcpy(&fam, a->name, sizeof(fam));
	return fam == L_AF_UNIX ? 0 : -EINVAL;
}

static bool addr_abstract(const struct sock_addr *a)
{
	return a->name[L_SUN_PATH_OFF] == 0;
}

static struct unix_sock *find_abstract(const struct net_namespace *net, const struct sock_addr *a,
				       int type)
{
	struct list_head *p, *n;

	list_for_each_safe(p, n, &unix_bound) {
		struct unix_sock *u = list_entry(p, struct unix_sock, bound_link);

		if (!u->path_bound && u->type == type && u->addr.len == a->len &&
		    u->net == net && !memcmp(u->addr.name, a->name, a->len))
			return u;
	}
	return NULL;
}

static struct unix_sock *find_node(uint64_t dev, uint64_t ino)
{
	struct list_head *p, *n;

	list_for_each_safe(p, n, &unix_bound) {
		struct unix_sock *u = list_entry(p, struct unix_sock, bound_link);

		if (u->path_bound && u->bdev == dev && u->bino == ino)
			return u;
	}
	return NULL;
}

/* The path of a path address, NUL-terminated (in a copy of the address). */
static const char *addr_path(struct sock_addr *a)
{
	a->name[a->len] = 0;
	return a->name + L_SUN_PATH_OFF;
}

/*
 * Linux's unix_find_other: the socket bound to a, which must be of type.
 * Path names: the walk's error (ENOENT...), EACCES without write
 * permission on the node, ECONNREFUSED if the node is
 * not a socket or nobody is bound to it, EPROTOTYPE for another type.
 * Abstract names: ECONNREFUSED when no socket of this type has it.
 */
static int find_other(struct task *t, const struct unix_sock *self, const struct sock_addr *addr,
		      struct unix_sock **out)
{
	int type = self->type;
	struct sock_addr a = *addr;
	struct nameidata nd;
	struct unix_sock *u;
	int err;

	*out = NULL;
	if (addr_abstract(&a)) {
		u = find_abstract(self->net, &a, type);
		if (!u)
			return -ECONNREFUSED;
		/* Landlock's LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET */
		if ((err = landlock_unix_abstract(t, u->landlock)))
			return err;
		*out = u;
		return 0;
	}
	err = vfs_walk(t, AT_FDCWD, addr_path(&a), WALK_FOLLOW, &nd);
	if (err)
		return err;
	if (!nd.exists) {
		err = -ENOENT;
	} else if ((err = vfs_permission(t, &nd.st, W_OK))) {
		/* unix_find_bsd: connecting or sending needs write permission */
	} else if (!S_ISSOCK(nd.st.mode)) {
		err = -ECONNREFUSED;
	} else {
		u = find_node(nd.st.dev, nd.st.ino);
		if (!u || u->dead)
			err = -ECONNREFUSED;
		else if (u->type != type)
			err = -EPROTOTYPE;
		else
			*out = u;
	}
	nd_release(&nd);
	return err;
}

static void bind_abstract(struct unix_sock *u, const struct sock_addr *a)
{
	u->addr = *a;
	u->bound = true;
	u->path_bound = false;
	list_add_tail(&u->bound_link, &unix_bound);
}

/* Linux's unix_autobind: an abstract name of five hex digits. 0 if already bound. */
static int sock_autobind(struct unix_sock *u)
{
	struct sock_addr a;
	uint16_t fam = L_AF_UNIX;

	if (u->addr.len)
		return 0;
	for (unsigned int tries = 0; tries <= 0xfffff; tries++) {
		memset(&a, 0, sizeof(a));
		memcpy(a.name, &fam, sizeof(fam));
		snprintf(a.name + L_SUN_PATH_OFF + 1, 6, "%05x", unix_autobind_next++ & 0xfffff);
		a.len = L_SUN_PATH_OFF + 6;
		if (!find_abstract(u->net, &a, u->type)) {
			bind_abstract(u, &a);
			return 0;
		}
	}
	return -ENOSPC;
}

/* Makes the S_IFSOCK node of a path bind and keys u by its inode. */
static int bind_path(struct task *t, struct unix_sock *u, struct sock_addr *a)
{
	const char *path = addr_path(a);
	struct nameidata nd;
	struct unix_sock *old;
	uint32_t mode;
	int err;

	err = vfs_walk(t, AT_FDCWD, path, 0, &nd);
	if (err)
		return err;
	if (nd.exists) {
		err = -EADDRINUSE;
		goto out;
	}
	if (u->addr.len) {
		err = -EINVAL;
		goto out;
	}
	if (nd.mnt->mflags & 1) {       /* MS_RDONLY */
		err = -EROFS;
		goto out;
	}
	/* unix_bind_bsd applies the umask itself, then the filesystem's
	 * posix_acl_create narrows that by the directory's default ACL and
	 * gives the node its ACLs, as for mknod */
	mode = S_IFSOCK | (0777 & ~(t->fs ? t->fs->umask : 022));
	{
		struct acl_create ac;

		mode = posix_acl_create(nd.mnt, nd.rel, mode, 0, &ac);
		err = nd.mnt->ops->mknod ? nd.mnt->ops->mknod(nd.mnt, nd.rel, mode, 0) : -EPERM;
		posix_acl_create_done(nd.mnt, nd.rel, &ac, err);
	}
	if (err)
		goto out;
	nd_release(&nd);
	err = vfs_walk(t, AT_FDCWD, path, 0, &nd);
	if (err)
		return err;
	if (!nd.exists) {
		err = -ENOENT;
		goto out;
	}
	/* A live socket on the same key was bound to a node since unlinked. */
	old = find_node(nd.st.dev, nd.st.ino);
	if (old)
		old->path_bound = false, old->bdev = old->bino = 0;
	u->addr = *a;
	/* Linux keeps the path's own length: strlen + the NUL. */
	u->addr.len = L_SUN_PATH_OFF + strlen(path) + 1;
	u->bound = true;
	u->path_bound = true;
	u->bdev = nd.st.dev;
	u->bino = nd.st.ino;
	list_add_tail(&u->bound_link, &unix_bound);
out:
	nd_release(&nd);
	return err;
}

/*
 * unix_bind - bind(2) on f to addr.  A bare family (addr len 2) autobinds
 * an abstract name.  -EINVAL for a bad address or a socket already bound,
 * -EADDRINUSE when the name is taken (a path that exists, whatever it
 * is), the walk's errors (ENOENT, ENOTDIR...), -EROFS.
 */
static int unix_bind(struct task *t, struct file *f, const struct sock_addr *addr)
{
	struct unix_sock *u = file_sock(f);
	struct sock_addr a = *addr;
	int err = addr_validate(&a);

	if (err)
		return err;
	if (a.len == L_SUN_PATH_OFF)
		return sock_autobind(u);
	if (!addr_abstract(&a))
		return bind_path(t, u, &a);
	if (u->addr.len)
		return -EINVAL;
	if (find_abstract(u->net, &a, u->type))
		return -EADDRINUSE;
	bind_abstract(u, &a);
	return 0;
}

/*
 * unix_getname - the socket's own address (peer false) or its peer's
 * (getsockname/getpeername).  An unbound socket's is the bare family
 * (length 2).  -ENOTCONN for a peer when there is none.
 */
static int unix_getname(struct file *f, bool peer, struct sock_addr *out)
{
	struct unix_sock *u = file_sock(f);
	uint16_t fam = L_AF_UNIX;

	if (peer) {
		u = u->peer;
		if (!u)
			return -ENOTCONN;
	}
	if (u->addr.len) {
		*out = u->addr;
		return 0;
	}
	memset(out, 0, sizeof(*out));
	memcpy(out->name, &fam, sizeof(fam));
	out->len = L_SUN_PATH_OFF;
	return 0;
}

/* ---- creation, connection ---- */

/*
 * unix_create - a new unbound socket of type (L_SOCK_STREAM, _DGRAM,
 * _SEQPACKET) in a file with one reference.  flags: L_SOCK_NONBLOCK.
 * -ENOMEM.
 */
int unix_create(int type, int flags, struct file **out)
{
	struct unix_sock *u = sock_alloc(type);

	*out = NULL;
	if (!u)
		return -ENOMEM;
	*out = sock_file(u, flags);
	if (!*out) {
		sock_put(u);
		return -ENOMEM;
	}
	return 0;
}

static void connect_pair(struct task *t, struct unix_sock *a, struct unix_sock *b)
{
	a->peer = sock_hold(b);
	b->peer = sock_hold(a);
	a->state = b->state = SS_ESTABLISHED;
	a->peercred = b->peercred = task_ucred(t, true);
	a->has_peercred = b->has_peercred = true;
}

/*
 * unix_pair - socketpair(2): two connected sockets of type, one file
 * reference each in *a and *b.  Both report the caller as SO_PEERCRED.
 */
int unix_pair(int type, int flags, struct file **a, struct file **b)
{
	int err;

	err = unix_create(type, flags, a);
	if (err)
		return err;
	err = unix_create(type, flags, b);
	if (err) {
		file_put(*a);
		*a = NULL;
		return err;
	}
	connect_pair(current, file_sock(*a), file_sock(*b));
	return 0;
}

/* Linux's unix_dgram_disconnected: drop what the old peer sent us. */
static void dgram_disconnected(struct unix_sock *u, struct unix_sock *other)
{
	if (!list_empty(&u->rcvq)) {
		sock_purge(u);
		wake_up(&u->wq);
		if (!other->dead && other->peer == u)
			other->err = ECONNRESET;
	}
}

/* Linux's unix_may_send: other takes datagrams only from its peer, if any. */
static bool may_send(struct unix_sock *u, struct unix_sock *other)
{
	return !other->peer || other->peer == u;
}

/*
 * Datagram connect: set (or with AF_UNSPEC clear) the default peer.
 * -EPERM if the target is connected to another socket.
 */
static int dgram_connect(struct task *t, struct unix_sock *u, const struct sock_addr *addr)
{
	struct unix_sock *other = NULL, *old;
	uint16_t fam = 0;
	int err;

	if (addr->len < (int)sizeof(fam))
		return -EINVAL;
	memcpy(&fam, addr->name, sizeof(fam));
	if (fam == L_AF_UNSPEC) {
		old = u->peer;
		u->peer = NULL;
		u->state = SS_CLOSE;
		if (old) {
			dgram_disconnected(u, old);
			wake_up(&old->wq);
			sock_put(old);
		}
		return 0;
	}
	err = addr_validate(addr);
	if (err)
		return err;
	if (u->passcred && !u->addr.len) {
		err = sock_autobind(u);
		if (err)
			return err;
	}
	err = find_other(t, u, addr, &other);
	if (err)
		return err;
	if (!may_send(u, other))
		return -EPERM;
	old = u->peer;
	u->peer = sock_hold(other);
	u->state = SS_ESTABLISHED;
	if (old) {
		if (old != other)
			dgram_disconnected(u, old);
		wake_up(&old->wq);
		sock_put(old);
	}
	return 0;
}

/*
 * Linux's unix_stream_connect (seqpacket too): find the listener, wait
 * while its queue is over the backlog (-EAGAIN if non-blocking), make
 * the server-side socket and queue it for accept.  The client is
 * connected at once.  -ECONNREFUSED if the name is not listening,
 * -EISCONN if already connected, -EINVAL on a listener.
 */
static int stream_connect(struct task *t, struct file *f, struct unix_sock *u,
			  const struct sock_addr *addr)
{
	uint64_t deadline = timeo_deadline(u->sndtimeo);
	struct unix_sock *other = NULL, *newsk;
	struct skb *s;
	int err;

	err = addr_validate(addr);
	if (err)
		return err;
	if (u->passcred && !u->addr.len) {
		err = sock_autobind(u);
		if (err)
			return err;
	}
	for (;;) {
		err = find_other(t, u, addr, &other);
		if (err)
			return err;
		if (other->state != SS_LISTEN)
			return -ECONNREFUSED;
		if (other->qlen <= other->backlog)
			break;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		sock_hold(other);
		err = sock_wait(t, &other->wq, deadline);
		sock_put(other);
		if (err)
			return err;
	}
	if (u->state == SS_ESTABLISHED)
		return -EISCONN;
	if (u->state != SS_CLOSE)
		return -EINVAL;
	newsk = sock_alloc(u->type);
	s = skb_alloc(0);
	if (!newsk || !s) {
		free(newsk);
		free(s);
		return -ENOMEM;
	}
	newsk->embryo = true;
	newsk->state = SS_ESTABLISHED;
	newsk->peer = sock_hold(u);
	newsk->peercred = task_ucred(t, true);
	newsk->has_peercred = true;
	newsk->addr = other->addr;      /* shares the listener's name */
	newsk->vfs_dev = other->path_bound ? other->bdev : 0;   /* and its path (unix_diag) */
	newsk->vfs_ino = other->path_bound ? other->bino : 0;
	u->peercred = other->peercred;
	u->has_peercred = other->has_peercred;
	u->state = SS_ESTABLISHED;
	u->peer = sock_hold(newsk);
	s->embryo = newsk;              /* the queue's reference */
	list_add_tail(&s->link, &other->rcvq);
	other->qlen++;
	wake_up(&other->wq);
	return 0;
}

/*
 * unix_connect - connect(2) on f to addr; see dgram_connect and
 * stream_connect for each type's rules.  Errors of the name lookup:
 * -ENOENT (no such path), -ECONNREFUSED, -EPROTOTYPE, -EINVAL.
 */
static int unix_connect(struct task *t, struct file *f, const struct sock_addr *addr)
{
	struct unix_sock *u = file_sock(f);

	if (u->type == L_SOCK_DGRAM)
		return dgram_connect(t, u, addr);
	return stream_connect(t, f, u, addr);
}

/*
 * unix_listen - listen(2): backlog clamped to somaxconn (a negative one
 * too, as an unsigned).  -EOPNOTSUPP for datagrams, -EINVAL if unbound
 * or connected.  Records the caller as the peer credentials connecting
 * clients will see.
 */
static int unix_listen(struct task *t, struct file *f, int backlog)
{
	struct unix_sock *u = file_sock(f);

	if (u->type == L_SOCK_DGRAM)
		return -EOPNOTSUPP;
	if (!u->addr.len)
		return -EINVAL;
	if (u->state != SS_CLOSE && u->state != SS_LISTEN)
		return -EINVAL;
	if ((unsigned int)backlog > (unsigned long)sysctl_somaxconn)
		backlog = (int)sysctl_somaxconn;   /* /proc/sys/net/core/somaxconn */
	if (backlog > u->backlog)
		wake_up(&u->wq);
	u->backlog = backlog;
	u->state = SS_LISTEN;
	u->peercred = task_ucred(t, true);
	u->has_peercred = true;
	return 0;
}

/*
 * unix_accept - accept(2): the next queued connection as a new file in
 * *out (flags: L_SOCK_NONBLOCK), waiting for one unless f is
 * non-blocking (-EAGAIN).  -EOPNOTSUPP for datagrams, -EINVAL unless
 * listening, -ERESTARTSYS on a signal.
 */
static int unix_accept(struct task *t, struct file *f, int flags, struct file **out,
		       struct sock_addr *peer)
{
	struct unix_sock *u = file_sock(f), *newsk;
	uint64_t deadline = timeo_deadline(u->rcvtimeo);
	struct skb *s;
	int err;

	*out = NULL;
	if (u->type == L_SOCK_DGRAM)
		return -EOPNOTSUPP;
	for (;;) {
		if (u->state != SS_LISTEN)
			return -EINVAL;
		if (!list_empty(&u->rcvq))
			break;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		err = sock_wait(t, &u->wq, deadline);
		if (err)
			return err;
	}
	s = list_entry(u->rcvq.next, struct skb, link);
	newsk = s->embryo;
	*out = sock_file(newsk, flags);
	if (!*out)
		return -ENOMEM;
	skb_unlink(u, s);
	s->embryo = NULL;               /* its reference goes to the file */
	skb_free(s);
	newsk->embryo = false;
	newsk->passcred = u->passcred;  /* unix_sock_inherit_flags */
	newsk->passsec = u->passsec;
	wake_up(&u->wq);                /* room in the backlog */
	if (peer)
		unix_getname(*out, true, peer);
	return 0;
}

/*
 * unix_shutdown - shutdown(2), how = SHUT_RD/WR/RDWR (else -EINVAL).  A
 * stream or seqpacket peer sees the matching other half shut.
 */
static int unix_shutdown(struct task *t, struct file *f, int how)
{
	(void)t;
	struct unix_sock *u = file_sock(f), *peer = u->peer;
	int mode, pmode = 0;

	if (how < 0 || how > 2)
		return -EINVAL;
	mode = how + 1;                 /* SHUT_RD -> RCV_SHUTDOWN ... */
	u->shutdown |= mode;
	wake_up(&u->wq);
	if (peer && u->type != L_SOCK_DGRAM) {
		if (mode & RCV_SHUTDOWN)
			pmode |= SEND_SHUTDOWN;
		if (mode & SEND_SHUTDOWN)
			pmode |= RCV_SHUTDOWN;
		peer->shutdown |= pmode;
		wake_up(&peer->wq);
	}
	return 0;
}

/* ---- sending ---- */

/*
 * Linux's sock_alloc_send_pskb wait: until u may charge another skb
 * (wmem under sndbuf).  0, a pending error, -EPIPE after SHUT_WR,
 * -EAGAIN, -ERESTARTSYS or -EINTR.
 */
static int wait_for_wmem(struct task *t, struct unix_sock *u, bool nonblock, uint64_t deadline)
{
	int err;

	for (;;) {
		err = sock_error(u);
		if (err)
			return err;
		if (u->shutdown & SEND_SHUTDOWN)
			return -EPIPE;
		if (u->wmem < (size_t)u->sndbuf)
			return 0;
		if (nonblock)
			return -EAGAIN;
		err = sock_wait(t, &u->wq, deadline);
		if (err)
			return err;
	}
}

/*
 * The credentials a message carries: those the sender gave, else the
 * sender's own when either side asked for them (SO_PASSCRED) or the
 * receiver is not yet accepted (unix_maybe_add_creds).
 */
static void skb_set_cred(struct task *t, struct skb *s, struct unix_sock *u,
			 struct unix_sock *other, const struct sock_msg *m)
{
	if (m && m->cred_set) {
		s->has_cred = true;
		s->cred = m->cred;
	} else if (u->passcred || other->passcred || other->embryo) {
		s->has_cred = true;
		s->cred = task_ucred(t, false);
	}
}

static int skb_set_fds(struct skb *s, const struct sock_msg *m)
{
	if (!m || !m->nfds)
		return 0;
	s->fps = calloc(m->nfds, sizeof(*s->fps));
	if (!s->fps)
		return -ENOMEM;
	for (int i = 0; i < m->nfds; i++)
		s->fps[i] = file_get(m->fds[i]);
	s->nfp = m->nfds;
	return 0;
}

/*
 * Linux's unix_stream_sendmsg: the data goes to the peer's queue in
 * skbs of at most half the send buffer, blocking while the send buffer
 * is full.  Files go with the first skb.  EPIPE (and SIGPIPE unless
 * MSG_NOSIGNAL) when the peer is gone or shut for reading or we are
 * shut for writing.  Returns the bytes sent if any, else the error.
 */
static ssize_t stream_send(struct task *t, struct unix_sock *u, struct sock_iter *it, size_t len,
			   int flags, bool nonblock, const struct sock_msg *m)
{
	uint64_t deadline = timeo_deadline(u->sndtimeo);
	struct unix_sock *other;
	bool fds_sent = false;
	size_t sent = 0;
	ssize_t got;
	int err = 0;

	if (flags & L_MSG_OOB)
		return -EOPNOTSUPP;
	if (m && m->addr.len)
		return u->state == SS_ESTABLISHED ? -EISCONN : -EOPNOTSUPP;
	other = u->peer;
	if (!other)
		return -ENOTCONN;
	if (u->shutdown & SEND_SHUTDOWN)
		goto pipe_err;
	sock_hold(other);
	while (sent < len) {
		size_t size = len - sent, max = u->sndbuf / 2 - 64;
		struct skb *s;

		if (size > max)
			size = max;
		err = wait_for_wmem(t, u, nonblock, deadline);
		if (err)
			break;
		if (other->dead || (other->shutdown & RCV_SHUTDOWN)) {
			sock_put(other);
			goto pipe_err;
		}
		s = skb_alloc(size);
		if (!s || (!fds_sent && skb_set_fds(s, m))) {
			free(s);
			err = -ENOMEM;
			break;
		}
		got = iter_from(it, s->data, size);
		if (got <= 0) {
			for (int i = 0; i < s->nfp; i++)
				file_put(s->fps[i]);
			free(s->fps);
			free(s);
			err = -EFAULT;
			break;
		}
		fds_sent = true;
		skb_set_cred(t, s, u, other, m);
		skb_queue(u, other, s, got);
		sent += got;
		if ((size_t)got < size) {
			err = -EFAULT;
			break;
		}
	}
	sock_put(other);
	return sent ? (ssize_t)sent : err;

pipe_err:
	if (!sent && !(flags & L_MSG_NOSIGNAL) && t)
		send_signal(t, SIGPIPE, NULL, false);
	return sent ? (ssize_t)sent : -EPIPE;
}

/*
 * Linux's unix_dgram_sendmsg (and unix_seqpacket_sendmsg): one skb to
 * the named socket or the peer.  -EMSGSIZE over the send buffer,
 * -ENOTCONN with no peer, -ECONNREFUSED when the peer has died (once;
 * the socket is disconnected), -EPERM when the target is connected
 * elsewhere, -EPIPE when it is shut for reading (no SIGPIPE), -EAGAIN
 * when its queue is full and we may not wait.
 */
static ssize_t dgram_send(struct task *t, struct unix_sock *u, struct sock_iter *it, size_t len,
			  int flags, bool nonblock, const struct sock_msg *m)
{
	uint64_t deadline = timeo_deadline(u->sndtimeo);
	bool named = m && m->addr.len;
	struct unix_sock *other;
	struct skb *s;
	int err;

	if (flags & L_MSG_OOB)
		return -EOPNOTSUPP;
	if (u->type == L_SOCK_SEQPACKET) {
		err = sock_error(u);
		if (err)
			return err;
		if (u->state != SS_ESTABLISHED)
			return -ENOTCONN;
		named = false;
	}
	if (named) {
		err = addr_validate(&m->addr);
		if (err)
			return err;
	} else if (!u->peer) {
		return -ENOTCONN;
	}
	if (u->passcred && !u->addr.len) {
		err = sock_autobind(u);
		if (err)
			return err;
	}
	if (len > (size_t)u->sndbuf - 32)
		return -EMSGSIZE;
	err = wait_for_wmem(t, u, nonblock, deadline);
	if (err)
		return err;
	s = skb_alloc(len);
	if (!s)
		return -ENOMEM;
	if (len && iter_from(it, s->data, len) != (ssize_t)len) {
		free(s);
		return -EFAULT;
	}
	for (;;) {
		if (named) {
			err = find_other(t, u, &m->addr, &other);
			if (err)
				goto out_free;
		} else {
			other = u->peer;
			if (!other) {
				err = -ENOTCONN;
				goto out_free;
			}
		}
		sock_hold(other);
		if (other->dead) {
			err = -ECONNREFUSED;
			if (u->type == L_SOCK_SEQPACKET) {
				err = -EPIPE;
			} else if (u->peer == other) {
				/* our peer reference becomes the one we drop below */
				u->peer = NULL;
				u->state = SS_CLOSE;
				dgram_disconnected(u, other);
				other->refs--;
			}
			goto out_put;
		}
		err = -EPERM;
		if (!may_send(u, other))
			goto out_put;
		err = -EPIPE;
		if (other->shutdown & RCV_SHUTDOWN)
			goto out_put;
		if (other->peer == u || other->qlen <= other->backlog)
			break;
		err = -EAGAIN;
		if (nonblock)
			goto out_put;
		err = sock_wait(t, &other->wq, deadline);
		sock_put(other);
		if (err)
			goto out_free;
	}
	err = skb_set_fds(s, m);
	if (err)
		goto out_put;
	skb_set_cred(t, s, u, other, m);
	skb_queue(u, other, s, len);
	sock_put(other);
	return len;

out_put:
	sock_put(other);
out_free:
	free(s);
	return err;
}

/*
 * unix_sendmsg - send len bytes of the kernel buffer buf on f.  flags:
 * MSG_* (MSG_DONTWAIT, MSG_NOSIGNAL...); O_NONBLOCK on f counts as
 * MSG_DONTWAIT.  m (may be NULL): destination, SCM_RIGHTS files (each
 * gets its own reference), SCM_CREDENTIALS.  Returns the bytes sent or
 * a negative errno (see stream_send and dgram_send).
 */
static ssize_t unix_sendmsg(struct task *t, struct file *f, struct sock_iter *it, int flags,
			    struct sock_msg *m)
{
	struct unix_sock *u = file_sock(f);
	bool nonblock = (flags & L_MSG_DONTWAIT) || (f->flags & O_NONBLOCK);

	if (u->type == L_SOCK_STREAM)
		return stream_send(t, u, it, it->count, flags, nonblock, m);
	return dgram_send(t, u, it, it->count, flags, nonblock, m);
}

/* ---- receiving ---- */

static bool cred_eq(const struct skb *s, bool has, const struct linux_ucred *c)
{
	if (s->has_cred != has)
		return false;
	return !has || (s->cred.pid == c->pid && s->cred.uid == c->uid && s->cred.gid == c->gid);
}

static struct linux_ucred skb_cred(const struct skb *s)
{
	if (s->has_cred)
		return s->cred;
	return (struct linux_ucred){ 0, OVERFLOW_ID, OVERFLOW_ID };
}

/* Hands s's files to m: new references when peeking, else s's own. */
static int skb_give_fds(struct skb *s, struct sock_msg *m, bool peek)
{
	if (!s->nfp || !m)
		return 0;
	if (peek) {
		m->fds = calloc(s->nfp, sizeof(*m->fds));
		if (!m->fds)
			return -ENOMEM;
		for (int i = 0; i < s->nfp; i++)
			m->fds[i] = file_get(s->fps[i]);
	} else {
		m->fds = s->fps;
		s->fps = NULL;
	}
	m->nfds = s->nfp;
	if (!peek)
		s->nfp = 0;
	return 0;
}

static void msg_set_addr(struct sock_msg *m, const struct skb *s)
{
	if (m && s->from && s->from->addr.len)
		m->addr = s->from->addr;
}

/*
 * Linux's unix_dgram_recvmsg (seqpacket too): one whole message; the
 * rest of a longer one is lost (MSG_TRUNC in the flags; with MSG_TRUNC
 * asked, the full length is returned).  EOF (0) once shut for reading;
 * a non-blocking datagram read says -EAGAIN even then, a seqpacket one 0.
 */
static ssize_t dgram_recv(struct task *t, struct unix_sock *u, struct sock_iter *it, size_t len,
			  int flags, bool nonblock, struct sock_msg *m)
{
	uint64_t deadline = timeo_deadline(u->rcvtimeo);
	bool peek = flags & L_MSG_PEEK;
	struct skb *s;
	ssize_t ret;
	size_t n;
	int err;

	if (flags & L_MSG_OOB)
		return -EOPNOTSUPP;
	if (u->type == L_SOCK_SEQPACKET && u->state != SS_ESTABLISHED)
		return -ENOTCONN;
	for (;;) {
		err = sock_error(u);
		if (err)
			return err;
		if (!list_empty(&u->rcvq))
			break;
		if (nonblock)
			return u->type == L_SOCK_SEQPACKET && (u->shutdown & RCV_SHUTDOWN) ? 0 : -EAGAIN;
		if (u->shutdown & RCV_SHUTDOWN)
			return 0;
		err = sock_wait(t, &u->wq, deadline);
		if (err)
			return err;
	}
	s = list_entry(u->rcvq.next, struct skb, link);
	n = s->len < len ? s->len : len;
	if (n && iter_to(it, s->data, n) != (ssize_t)n)
		return -EFAULT;
	if (m) {
		if (s->len > len)
			m->oflags |= L_MSG_TRUNC;
		msg_set_addr(m, s);
		if (u->passcred) {
			m->cred_set = true;
			m->cred = s->has_cred ? ucred_for(t, &s->cred) : skb_cred(s);
		}
		err = skb_give_fds(s, m, peek);
		if (err)
			return err;
	}
	ret = (flags & L_MSG_TRUNC) ? (ssize_t)s->len : (ssize_t)n;
	if (!peek) {
		skb_unlink(u, s);
		skb_free(s);
		wake_up(&u->wq);        /* senders waiting for room in our queue */
	}
	return ret;
}

/*
 * Linux's unix_stream_read_generic: bytes across skbs until len, or
 * until at least the low-water mark (all of len with MSG_WAITALL) and
 * nothing more is queued.  Stops after an skb that carried files, and
 * (SO_PASSCRED) where the writer's credentials change.  0 at EOF,
 * -EINVAL if not connected.  A signal after some data returns the data.
 */
static ssize_t stream_recv(struct task *t, struct unix_sock *u, struct sock_iter *it, size_t len,
			   int flags, bool nonblock, struct sock_msg *m)
{
	uint64_t deadline = timeo_deadline(u->rcvtimeo);
	bool peek = flags & L_MSG_PEEK, check_creds = false, have_addr = false;
	struct linux_ucred cred = { 0, 0, 0 };
	bool cred_has = false;
	size_t target, copied = 0, skip = 0;
	ssize_t got;
	int err = 0;

	if (u->state != SS_ESTABLISHED)
		return -EINVAL;
	if (flags & L_MSG_OOB)
		return -EOPNOTSUPP;
	target = (flags & L_MSG_WAITALL) ? len : ((size_t)u->rcvlowat < len ? (size_t)u->rcvlowat : len);
	if (!target)
		target = 1;
	for (;;) {
		struct list_head *p;
		struct skb *s = NULL;
		size_t sskip = skip, chunk;
		bool had_fds;

		for (p = u->rcvq.next; p != &u->rcvq; p = p->next) {
			struct skb *c = list_entry(p, struct skb, link);

			if (c->len - c->off > sskip) {
				s = c;
				break;
			}
			sskip -= c->len - c->off;
		}
		if (!s) {
			if (copied >= target)
				break;
			err = sock_error(u);
			if (err)
				break;
			if (u->shutdown & RCV_SHUTDOWN)
				break;
			if (nonblock) {
				err = -EAGAIN;
				break;
			}
			err = sock_wait(t, &u->wq, deadline);
			if (err)
				break;
			continue;
		}
		if (check_creds) {
			if (!cred_eq(s, cred_has, &cred))
				break;
		} else if (u->passcred) {
			cred_has = s->has_cred;
			cred = skb_cred(s);
			check_creds = true;
		}
		if (!have_addr) {
			msg_set_addr(m, s);
			have_addr = true;
		}
		chunk = s->len - s->off - sskip;
		if (chunk > len - copied)
			chunk = len - copied;
		got = iter_to(it, s->data + s->off + sskip, chunk);
		if (got < 0) {
			err = got;
			break;
		}
		if ((size_t)got < chunk) {
			/* a fault part way: what was copied is read, as Linux */
			chunk = got;
			len = copied + got;
		}
		copied += chunk;
		had_fds = s->nfp > 0;
		if (had_fds && !peek && (!m || skb_give_fds(s, m, false))) {
			/* read(2) has nowhere to put them: closed, as Linux's scm_destroy */
			for (int i = 0; i < s->nfp; i++)
				file_put(s->fps[i]);
			s->nfp = 0;
		} else if (had_fds && peek && m) {
			skb_give_fds(s, m, true);
		}
		if (!peek) {
			s->off += chunk;
			if (s->off < s->len)
				break;
			skb_unlink(u, s);
			skb_free(s);
			wake_up(&u->wq);
		} else {
			skip += chunk;
		}
		if (had_fds || copied == len)
			break;
	}
	if (m && u->passcred) {
		m->cred_set = true;
		m->cred = cred_has ? ucred_for(t, &cred) : cred;
	}
	return copied ? (ssize_t)copied : err;
}

/*
 * unix_recvmsg - receive into the kernel buffer buf (len bytes) from f.
 * flags: MSG_PEEK, MSG_WAITALL, MSG_TRUNC, MSG_DONTWAIT (O_NONBLOCK on f
 * too).  m (may be NULL: files received are then closed) gets the
 * sender's address, SCM_CREDENTIALS (if SO_PASSCRED) and SCM_RIGHTS
 * references, which become the caller's.  Returns the bytes received,
 * 0 at EOF, or a negative errno.
 */
static ssize_t unix_recvmsg(struct task *t, struct file *f, struct sock_iter *it, int flags,
			    struct sock_msg *m)
{
	struct unix_sock *u = file_sock(f);
	bool nonblock = (flags & L_MSG_DONTWAIT) || (f->flags & O_NONBLOCK);

	if (m)
		m->addr.len = 0;
	if (u->type == L_SOCK_STREAM)
		return stream_recv(t, u, it, it->count, flags, nonblock, m);
	return dgram_recv(t, u, it, it->count, flags, nonblock, m);
}

/* ---- options ---- */

/*
 * unix_setsockopt - setsockopt(2) at SOL_SOCKET (another level:
 * -EOPNOTSUPP, as AF_UNIX has no options of its own).  val holds len
 * bytes copied from the guest (NULL: not readable, -EFAULT once the
 * option is known to need them, as Linux reads them only then).  -EINVAL
 * for a value shorter than an int (a timeval for the timeouts), -EDOM for
 * a bad timeval, sock_setsockopt_common's answer for the options every
 * family checks alike, -ENOPROTOOPT
 * for an option Linux does not set this way.  SO_SNDBUF/SO_RCVBUF are
 * doubled and clamped as Linux does; options that only matter to IP
 * (SO_BROADCAST, SO_KEEPALIVE...) are stored and read back.
 */
static int unix_setsockopt(struct task *t, struct file *f, int level, int name, const void *val,
			   int len)
{
	struct unix_sock *u = file_sock(f);
	struct linux_timeval tv;
	uint32_t uv;
	int v;

	(void)t;
	if (level != L_SOL_SOCKET)
		return -EOPNOTSUPP;
	if (name == 25 /* SO_BINDTODEVICE: a name, not an int */)
		return sock_bindtodevice(val, len);
	if (len < (int)sizeof(int))
		return -EINVAL;
	if (!val)
		return -EFAULT;
	switch (name) {
	case SO_RCVTIMEO_OLD_:
	case SO_SNDTIMEO_OLD_:
	case SO_RCVTIMEO_NEW_:
	case SO_SNDTIMEO_NEW_: {
		uint64_t ns;

		if (len < (int)sizeof(tv))
			return -EINVAL;
		memcpy(&tv, val, sizeof(tv));
		if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
			return -EDOM;
		if (tv.tv_sec < 0)
			ns = 1;                 /* already expired */
		else if (tv.tv_sec > (int64_t)(UINT64_MAX / 2000000000ULL))
			ns = 0;
		else
			ns = tv.tv_sec * 1000000000ULL + tv.tv_usec * 1000ULL;
		if (name == SO_RCVTIMEO_OLD_ || name == SO_RCVTIMEO_NEW_)
			u->rcvtimeo = ns;
		else
			u->sndtimeo = ns;
		return 0;
	}
	}
	if (len < (int)sizeof(int))
		return -EINVAL;
	memcpy(&v, val, sizeof(v));
	switch (name) {
	case SO_DEBUG_:
		return 0;
	case SO_REUSEADDR_:
		u->reuseaddr = v != 0;
		return 0;
	case SO_REUSEPORT_:
		if (v)
			return -EOPNOTSUPP;     /* inet sockets only */
		u->reuseport = false;
		return 0;
	case SO_KEEPALIVE_:
		u->keepalive = v != 0;
		return 0;
	case SO_BROADCAST_:
		u->broadcast = v != 0;
		return 0;
	case SO_DONTROUTE_:
		u->dontroute = v != 0;
		return 0;
	case SO_OOBINLINE_:
		u->oobinline = v != 0;
		return 0;
	case SO_PASSSEC_:
		u->passsec = v != 0;
		return 0;
	case SO_PASSCRED_:
		u->passcred = v != 0;
		return 0;
	case SO_PRIORITY_:
		u->priority = v;
		return 0;
	case SO_RCVLOWAT_:
		if (v < 0)
			v = INT32_MAX;
		u->rcvlowat = v ? v : 1;
		return 0;
	case SO_LINGER_:
		return len < 8 ? -EINVAL : 0;
	case SO_SNDBUF_:
	case SO_SNDBUFFORCE_:
		uv = (uint32_t)v;
		if (uv > SK_WMEM_MAX && name == SO_SNDBUF_)
			uv = SK_WMEM_MAX;
		if (uv > INT32_MAX / 2)
			uv = INT32_MAX / 2;
		u->sndbuf = (int)uv * 2 > SOCK_MIN_SNDBUF ? (int)uv * 2 : SOCK_MIN_SNDBUF;
		wake_up(&u->wq);
		return 0;
	case SO_RCVBUF_:
	case SO_RCVBUFFORCE_:
		uv = (uint32_t)v;
		if (uv > SK_RMEM_MAX && name == SO_RCVBUF_)
			uv = SK_RMEM_MAX;
		if (uv > INT32_MAX / 2)
			uv = INT32_MAX / 2;
		u->rcvbuf = (int)uv * 2 > SOCK_MIN_RCVBUF ? (int)uv * 2 : SOCK_MIN_RCVBUF;
		return 0;
	}
	return sock_setsockopt_common(name, v, val, len);
}

/*
 * unix_getsockopt - getsockopt(2) at SOL_SOCKET into val (room for 16
 * bytes); *len: in, the guest's length (>= 0); out, the bytes to copy
 * (never more than the option's size, as Linux).  -EOPNOTSUPP for
 * another level, -ENOPROTOOPT for an unknown option.  SO_ERROR clears
 * the pending error; SO_PEERCRED is the peer's pid and effective ids at
 * connect/socketpair/listen time (pid 0, ids -1 with none).
 */
static int unix_getsockopt(struct task *t, struct file *f, int level, int name, void *val,
			   int *len)
{
	struct unix_sock *u = file_sock(f);
	int v = 0, lv = sizeof(int);

	(void)t;
	if (level != L_SOL_SOCKET)
		return -EOPNOTSUPP;
	switch (name) {
	case SO_TYPE_:
		v = u->type;
		break;
	case SO_DOMAIN_:
		v = L_AF_UNIX;
		break;
	case SO_PROTOCOL_:
		v = 0;
		break;
	case SO_ERROR_:
		v = -sock_error(u);
		break;
	case SO_ACCEPTCONN_:
		v = u->state == SS_LISTEN;
		break;
	case SO_DEBUG_:
		v = 0;
		break;
	case SO_REUSEADDR_:
		v = u->reuseaddr;
		break;
	case SO_REUSEPORT_:
		v = u->reuseport;
		break;
	case SO_KEEPALIVE_:
		v = u->keepalive;
		break;
	case SO_BROADCAST_:
		v = u->broadcast;
		break;
	case SO_DONTROUTE_:
		v = u->dontroute;
		break;
	case SO_OOBINLINE_:
		v = u->oobinline;
		break;
	case SO_PASSSEC_:
		v = u->passsec;
		break;
	case SO_PASSCRED_:
		v = u->passcred;
		break;
	case SO_PRIORITY_:
		v = u->priority;
		break;
	case SO_RCVLOWAT_:
		v = u->rcvlowat;
		break;
	case SO_SNDLOWAT_:
		v = 1;
		break;
	case SO_SNDBUF_:
		v = u->sndbuf;
		break;
	case SO_RCVBUF_:
		v = u->rcvbuf;
		break;
	case SO_PEERCRED_: {
		struct linux_ucred c = u->has_peercred ? ucred_for(current, &u->peercred) : u->peercred;

		lv = sizeof(c);
		memcpy(val, &c, lv);
	}
		goto out;
	case SO_LINGER_:
		lv = 8;
		memset(val, 0, lv);
		goto out;
	case SO_RCVTIMEO_OLD_:
	case SO_SNDTIMEO_OLD_:
	case SO_RCVTIMEO_NEW_:
	case SO_SNDTIMEO_NEW_: {
		uint64_t ns = (name == SO_RCVTIMEO_OLD_ || name == SO_RCVTIMEO_NEW_) ?
			      u->rcvtimeo : u->sndtimeo;
		struct linux_timeval tv = { ns / 1000000000ULL, ns % 1000000000ULL / 1000 };

		lv = sizeof(tv);
		memcpy(val, &tv, lv);
		goto out;
	}
	default:
		return -ENOPROTOOPT;
	}
	memcpy(val, &v, sizeof(v));
out:
	if (*len > lv)
		*len = lv;
	return 0;
}

/*
 * unix_check_creds - may t send SCM_CREDENTIALS c (in t's namespaces)?
 * Linux's scm_check_creds and __scm_send: the pid must be t's own unless
 * t has CAP_SYS_ADMIN over its pid namespace, the ids among its real,
 * effective and saved ones unless it has CAP_SETUID (CAP_SETGID) in its
 * user namespace; -EINVAL for an id not mapped there, -EPERM otherwise,
 * -ESRCH for a pid nobody has there.  On success c holds what the kernel
 * keeps: the global pid and kernel ids.
 */
int unix_check_creds(struct task *t, struct linux_ucred *c)
{
	const struct cred *cr = &t->cred;
	uint32_t kuid = make_kuid(t->user_ns, c->uid), kgid = make_kgid(t->user_ns, c->gid);
	int own = task_tgid_vnr(t, t), gpid;

	if (kuid == (uint32_t)-1 || kgid == (uint32_t)-1)
		return -EINVAL;
	if (!((c->pid == (uint32_t)own ||
	       ns_capable(t, task_active_pid_ns(t)->user_ns, CAP_SYS_ADMIN)) &&
	      (kuid == cr->uid || kuid == cr->euid || kuid == cr->suid ||
	       ns_capable(t, t->user_ns, CAP_SETUID)) &&
	      (kgid == cr->gid || kgid == cr->egid || kgid == cr->sgid ||
	       ns_capable(t, t->user_ns, CAP_SETGID))))
		return -EPERM;
	gpid = vnr_to_global(t, (int)c->pid);
	if (!gpid || !task_find(gpid))
		return -ESRCH;
	*c = (struct linux_ucred){ (uint32_t)gpid, kuid, kgid };
	return 0;
}

/* ---- file operations ---- */

/*
 * FIONREAD/SIOCINQ: bytes queued (streams and seqpackets: all of them;
 * datagrams: the next one's size); -EINVAL on a listener.  SIOCOUTQ:
 * the send buffer in use.  -ENOIOCTLCMD for anything else (the socket
 * layer tries the interface ioctls).
 */
static long unix_ioctl(struct task *t, struct file *f, unsigned int cmd, uint64_t arg)
{
	struct unix_sock *u = file_sock(f);
	struct list_head *p;
	int n = 0;

	switch (cmd) {
	case L_FIONREAD:
		if (u->state == SS_LISTEN)
			return -EINVAL;
		for (p = u->rcvq.next; p != &u->rcvq; p = p->next) {
			struct skb *s = list_entry(p, struct skb, link);

			n += s->len - s->off;
			if (u->type == L_SOCK_DGRAM)
				break;
		}
		return copy_to_user(t, arg, &n, sizeof(n)) ? -EFAULT : 0;
	case L_TIOCOUTQ:
		n = (int)u->wmem;
		return copy_to_user(t, arg, &n, sizeof(n)) ? -EFAULT : 0;
	}
	return -ENOIOCTLCMD;
}

static bool unix_writable(struct unix_sock *u)
{
	return u->state != SS_LISTEN && (u->wmem << 2) <= (size_t)u->sndbuf;
}

/*
 * Linux's unix_poll (streams) and unix_dgram_poll (datagrams,
 * seqpackets): POLLIN with data, a connection to accept or after
 * SHUT_RD (with POLLRDHUP); POLLHUP when shut both ways, or for an
 * unconnected stream or seqpacket; POLLERR with an error pending;
 * POLLOUT while a quarter of the send buffer is free, except for a
 * datagram socket whose peer's queue is full.
 */
static short unix_poll(struct file *f, struct poll_table *pt)
{
	struct unix_sock *u = file_sock(f), *other;
	short mask = 0;
	bool w;

	poll_wait(pt, &u->wq);
	if (u->err)
		mask |= POLLERR;
	if (u->shutdown == SHUTDOWN_MASK)
		mask |= POLLHUP;
	if (u->shutdown & RCV_SHUTDOWN)
		mask |= POLLRDHUP | POLLIN | POLLRDNORM;
	if (!list_empty(&u->rcvq))
		mask |= POLLIN | POLLRDNORM;
	if (u->type != L_SOCK_DGRAM && u->state == SS_CLOSE)
		mask |= POLLHUP;
	w = unix_writable(u);
	other = u->peer;
	if (w && u->type != L_SOCK_STREAM && other && other->peer != u &&
	    other->qlen > other->backlog) {
		poll_wait(pt, &other->wq);
		w = false;
	}
	if (w)
		mask |= POLLOUT | POLLWRNORM | POLLWRBAND;
	return mask;
}

static void unix_release(struct file *f)
{
	struct unix_sock *u = file_sock(f);

	sock_release(u, false);
	sock_put(u);
}

/*
 * unix_proc_net - /proc/net/unix as Linux's unix_seq_show prints it:
 * every socket (embryos waiting for accept too), the kernel pointer
 * hidden (zeros, as for an unprivileged reader), refcount, flags
 * (__SO_ACCEPTCON for a listener), type, socket state and inode, then
 * the name: a path, or '@' and the abstract name (NULs as '@').
 */
void unix_proc_net(struct net_text *nt)
{
	struct list_head *p, *n;

	net_printf(nt, "Num       RefCount Protocol Flags    Type St Inode Path\n");
	list_for_each_safe(p, n, &unix_all) {
		struct unix_sock *u = list_entry(p, struct unix_sock, all_link);
		int st;

		if (u->dead || u->net != current_net())
			continue;
		/* SS_UNCONNECTED 1, SS_CONNECTING 2, SS_CONNECTED 3, SS_DISCONNECTING 4 */
		if (!u->embryo)
			st = u->state == SS_ESTABLISHED ? 3 : 1;
		else
			st = u->state == SS_ESTABLISHED ? 2 : 4;
		net_printf(nt, "%016x: %08X %08X %08X %04X %02X %5llu", 0, u->refs + 1, 0,
			   u->state == SS_LISTEN ? SO_ACCEPTCON : 0, u->type, st,
			   (unsigned long long)u->sk.ino);
		if (u->addr.len > L_SUN_PATH_OFF) {
			int len = u->addr.len - L_SUN_PATH_OFF;
			const char *nm = u->addr.name + L_SUN_PATH_OFF;

			net_printf(nt, " ");
			if (u->path_bound) {
				len--;          /* the NUL Linux counts in a path's length */
				for (int i = 0; i < len && nm[i]; i++)
					net_printf(nt, "%c", nm[i]);
			} else {
				for (int i = 0; i < len; i++)
					net_printf(nt, "%c", nm[i] ? nm[i] : '@');
			}
		}
		net_printf(nt, "\n");
	}
}

static const struct proto_ops unix_ops = {
	.bind = unix_bind,
	.connect = unix_connect,
	.listen = unix_listen,
	.accept = unix_accept,
	.sendmsg = unix_sendmsg,
	.recvmsg = unix_recvmsg,
	.shutdown = unix_shutdown,
	.getname = unix_getname,
	.setsockopt = unix_setsockopt,
	.getsockopt = unix_getsockopt,
	.ioctl = unix_ioctl,
	.poll = unix_poll,
	.release = unix_release,
};

/*
 * unix_diag_list - net's AF_UNIX sockets for unix_diag (sock_diag.c;
 * Linux's unix_diag.c sk_diag_fill): every socket not yet released,
 * connections waiting to be accepted included; the state as Linux keeps
 * sk_state (LISTEN, ESTABLISHED for a connected socket of any type,
 * CLOSE); a listener's queued connections as its connectors' inodes
 * (UNIX_DIAG_ICONS), its queue length and backlog as rqueue/wqueue.
 * 0 or -ENOMEM.
 */
int unix_diag_list(struct net_namespace *net, struct sock_diag_info **out, int *n)
{
	struct sock_diag_info *v = NULL;
	struct list_head *p, *q, *r;
	int cap = 0;

	*out = NULL;
	*n = 0;
	list_for_each_safe(p, q, &unix_all) {
		struct unix_sock *u = list_entry(p, struct unix_sock, all_link);
		struct sock_diag_info *d;

		if (u->dead || u->net != net)
			continue;
		if (*n == cap) {
			struct sock_diag_info *nv = realloc(v, (cap = cap ? 2 * cap : 16) * sizeof(*v));

			if (!nv)
				goto oom;
			v = nv;
		}
		d = &v[(*n)++];
		memset(d, 0, sizeof(*d));
		d->family = L_AF_UNIX;
		d->type = u->type;
		d->state = u->state == SS_LISTEN ? 10 : u->state == SS_ESTABLISHED || u->peer ? 1 : 7;
		d->shutdown = u->shutdown;
		d->ino = u->sk.ino;
		d->uid = u->sk.uid;
		if (u->peer)
			d->peer_ino = u->peer->sk.ino;
		if (u->path_bound) {
			d->vfs_ino = u->bino;
			d->vfs_dev = u->bdev;
		} else if (u->vfs_ino) {
			d->vfs_ino = u->vfs_ino;
			d->vfs_dev = u->vfs_dev;
		}
		if (u->addr.len > L_SUN_PATH_OFF) {
			d->namelen = u->addr.len - L_SUN_PATH_OFF;
			if (d->namelen > (int)sizeof(d->name))
				d->namelen = sizeof(d->name);
			memcpy(d->name, u->addr.name + L_SUN_PATH_OFF, d->namelen);
		}
		d->rcvbuf = u->rcvbuf;
		d->sndbuf = u->sndbuf;
		d->wmem = (uint32_t)u->wmem;
		if (u->state == SS_LISTEN) {
			d->rqueue = u->qlen;
			d->wqueue = u->backlog;
			d->icons = calloc(u->qlen ? u->qlen : 1, sizeof(*d->icons));
			if (!d->icons)
				goto oom;
			for (r = u->rcvq.next; r != &u->rcvq && d->nicons < u->qlen; r = r->next) {
				struct skb *s = list_entry(r, struct skb, link);

				if (s->embryo)
					d->icons[d->nicons++] = s->embryo->peer ? s->embryo->peer->sk.ino : 0;
			}
			continue;
		}
		for (r = u->rcvq.next; r != &u->rcvq; r = r->next) {
			struct skb *s = list_entry(r, struct skb, link);

			if (u->type != L_SOCK_DGRAM || r == u->rcvq.next)
				d->rqueue += s->len - s->off;   /* FIONREAD's count */
			d->rmem += s->len;
		}
		d->wqueue = (uint32_t)u->wmem;
	}
	*out = v;
	return 0;
oom:
	for (int i = 0; i < *n; i++)
		free(v[i].icons);
	free(v);
	*n = 0;
	return -ENOMEM;
}
