/*
 * file.c - open file objects, and files around host fds the kernel holds.
 *
 * A struct file is refcounted: fd table slots, VMAs, magic-link lookups
 * and in-flight syscalls each hold a reference; the last file_put() takes
 * the file out of every epoll set (epoll.c) and drops its flock and OFD
 * locks (locks.c), then calls ops->release, which frees what the file
 * owns (host fds included), then frees the file itself.  hostfd_file_ops serve a host fd: regular files with
 * pread/pwrite at the file offset, streams (a tty, a pipe) with a
 * poll-then-read loop that sleeps in task_sleep so that klock is never
 * held across a host call that could block.
 *
 * Locking: everything here runs under klock.
 */
#include "../kernel.h"
#include "fs.h"
#include "tmpfs.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*
 * file_alloc - a new file with one reference.  path is copied (NULL is
 * allowed and stored as "").  Returns NULL on allocation failure.
 */
struct file *file_alloc(const struct file_ops *ops, int flags, const char *path)
{
	struct file *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->path = strdup(path ? path : "");
	if (!f->path) {
		free(f);
		return NULL;
	}
	f->refs = 1;
	f->ops = ops;
	f->flags = flags;
	f->hostfd = -1;
	return f;
}

/* file_get - takes one more reference; returns f (NULL passes through). */
struct file *file_get(struct file *f)
{
	if (f)
		f->refs++;
	return f;
}

/*
 * file_put - drops a reference; the last one calls ops->release (which
 * must free priv and close any host fd it owns) and frees the file.
 */
void file_put(struct file *f)
{
	if (!f)
		return;
	if (--f->refs > 0)
		return;
	if (f->refs < 0)
		oops("file_put: refcount underflow on %s", f->path);
	fsnotify_close(f);   /* IN_CLOSE_WRITE/NOWRITE (Linux's __fput) */
	epoll_file_release(f);
	locks_file_release(f);
	fasync_file_release(f);
	lease_file_release(f);
	if (f->ops && f->ops->release)
		f->ops->release(f);
	if (f->mnt_held)
		mnt_put(f->mnt);
	free(f->dents);
	free(f->path);
	free(f);
}

/* ---- shared helpers ---- */

void host_stat_to_kstat(const void *hs, struct kstat *st)
{
	const struct stat *h = hs;

	memset(st, 0, sizeof(*st));
	st->dev = h->st_dev;
	st->ino = h->st_ino;
	st->nlink = h->st_nlink;
	st->rdev = h->st_rdev;
	st->size = h->st_size;
	st->blocks = h->st_blocks;
	st->mode = h->st_mode;
	st->uid = h->st_uid;
	st->gid = h->st_gid;
	st->blksize = h->st_blksize;
	st->atime = (struct linux_timespec){ h->st_atim.tv_sec, h->st_atim.tv_nsec };
	st->mtime = (struct linux_timespec){ h->st_mtim.tv_sec, h->st_mtim.tv_nsec };
	st->ctime = (struct linux_timespec){ h->st_ctim.tv_sec, h->st_ctim.tv_nsec };
}

struct linux_timespec ts_now(void)
{
	uint64_t ns = now_ns(CLOCK_REALTIME);   /* the guest's wall clock */

	return (struct linux_timespec){ (int64_t)(ns / 1000000000ULL), (int64_t)(ns % 1000000000ULL) };
}

uint32_t cur_fsuid(void)
{
	return current ? current->cred.fsuid : 0;
}

uint32_t cur_fsgid(void)
{
	return current ? current->cred.fsgid : 0;
}

char *path_join(const char *a, const char *b)
{
	char *s;

	if (!*b)
		return strdup(a);
	if (asprintf(&s, "%s%s%s", a, a[strlen(a) - 1] == '/' ? "" : "/", b) < 0)
		return NULL;
	return s;
}

int anon_inode_fstat(struct file *f, struct kstat *st)
{
	(void)f;
	memset(st, 0, sizeof(*st));
	st->dev = 14;           /* anon_inodefs */
	st->ino = 1;
	st->nlink = 1;
	st->mode = S_IRUSR | S_IWUSR;
	st->uid = current ? current->cred.fsuid : 0;
	st->gid = current ? current->cred.fsgid : 0;
	st->blksize = 4096;
	return 0;
}

/* ---- the host-fd budget ---- */

int host_fd_budget = 1 << 30;

/*
 * host_fd_admit - fd: a host fd umk just made for a guest's object (a
 * file of the root, a tmpfs memfd, an epoll) or -1 with errno.  Returns
 * fd, or a negative errno: the host's, or -ENFILE when fd lies past
 * host_fd_budget (RLIMIT_NOFILE less what umk keeps for itself: its
 * tasks' eventfds, stubs, forks), as Linux's fs.file-max.  Fds are
 * numbered lowest first, so a guest holding its whole budget leaves
 * umk the numbers above it.
 */
int host_fd_admit(int fd)
{
	if (fd < 0)
		return -errno;
	if (fd >= host_fd_budget) {
		close(fd);
		return -ENFILE;
	}
	return fd;
}

/* ---- host fd files ---- */

/* priv caches the kind of host fd: NULL unknown, 1 stream, 2 seekable,
 * 3 inherited from umk's caller (offset shared with host processes). */
#define HOSTFD_STREAM   ((void *)1)
#define HOSTFD_SEEKABLE ((void *)2)
#define HOSTFD_SHARED   ((void *)3)

static bool hostfd_seekable(struct file *f);

/* Seekable and ours: I/O at explicit offsets with pread/pwrite.  A shared
 * host fd uses read/write on the host's offset unless pos is explicit. */
static bool hostfd_positional(struct file *f, const int64_t *pos)
{
	if (f->priv == HOSTFD_SHARED)
		return pos != &f->pos && file_seekable(f);
	return hostfd_seekable(f);
}

static bool hostfd_seekable(struct file *f)
{
	struct stat hs;

	if (f->priv == HOSTFD_SHARED)
		return false;

	if (!f->priv) {
		if (fstat(f->hostfd, &hs) == 0 && (S_ISREG(hs.st_mode) || S_ISBLK(hs.st_mode)))
			f->priv = HOSTFD_SEEKABLE;
		else
			f->priv = HOSTFD_STREAM;
	}
	return f->priv == HOSTFD_SEEKABLE;
}

bool file_seekable(struct file *f)
{
	if (f->ops == &hostfd_file_ops && f->priv == HOSTFD_SHARED)
		return lseek(f->hostfd, 0, SEEK_CUR) >= 0;
	if (f->ops == &hostfd_file_ops)
		return hostfd_seekable(f);
	return f->ops->seekable;
}

/*
 * Waits until the host fd is ready for events without holding klock.
 * 0 ready, -EAGAIN (O_NONBLOCK), -ERESTARTSYS (signal).
 */
static int hostfd_wait(struct task *t, struct file *f, short events)
{
	struct pollfd p = { .fd = f->hostfd, .events = events };

	for (;;) {
		if (poll(&p, 1, 0) > 0)
			return 0;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (!t)
			return 0;       /* no task to sleep: just block */
		if (task_sleep(t, 0, f->hostfd, events) == -EINTR)
			return -ERESTARTSYS;
	}
}

ssize_t hostfd_read(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	ssize_t r;
	int err;

	if (hostfd_positional(f, pos)) {
		r = pread(f->hostfd, buf, n, *pos);
		if (r < 0)
			return -errno;
		*pos += r;
		return r;
	}
	for (;;) {
		err = hostfd_wait(t, f, POLLIN);
		if (err)
			return err;
		r = read(f->hostfd, buf, n);
		if (r >= 0)
			return r;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
	}
}

ssize_t hostfd_write(struct task *t, struct file *f, const void *buf, size_t n, int64_t *pos)
{
	size_t done = 0;
	ssize_t r;
	int err;

	if (hostfd_positional(f, pos)) {
		r = pwrite(f->hostfd, buf, n, *pos);
		if (r < 0)
			return -errno;
		*pos += r;
		return r;
	}
	while (done < n) {
		err = hostfd_wait(t, f, POLLOUT);
		if (err)
			return done ? (ssize_t)done : err;
		r = write(f->hostfd, (const char *)buf + done, n - done);
		if (r < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return done ? (ssize_t)done : -errno;
		}
		done += r;
	}
	return done;
}

static int hostfd_fstat(struct file *f, struct kstat *st)
{
	struct stat hs;

	if (fstat(f->hostfd, &hs) < 0)
		return -errno;
	host_stat_to_kstat(&hs, st);
	return 0;
}

/* struct termios of <asm/termbits.h>: the kernel's 36-byte layout. */
struct linux_termios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[19];
};
_Static_assert(sizeof(struct linux_termios) == 36, "kernel termios is 36 bytes");

#define L_TCGETS     0x5401
#define L_TCSETS     0x5402
#define L_TCSETSW    0x5403
#define L_TCSETSF    0x5404
#define L_TIOCGWINSZ 0x5413
#define L_TIOCSWINSZ 0x5414
#define L_FIONREAD   0x541B

/*
 * hostfd_ioctl - the terminal ioctls passed through to a host tty:
 * TCGETS/TCSETS[WF], TIOC[GS]WINSZ, FIONREAD.  -ENOTTY for anything else,
 * -EFAULT for a bad guest pointer, the host's errno otherwise (ENOTTY on
 * a host fd that is no terminal).
 */
long hostfd_ioctl(struct task *t, struct file *f, unsigned int cmd, uint64_t arg)
{
	struct linux_termios tio;
	struct linux_winsize ws;
	int n;

	switch (cmd) {
	case L_TCGETS:
		if (ioctl(f->hostfd, L_TCGETS, &tio) < 0)
			return -errno;
		return copy_to_user(t, arg, &tio, sizeof(tio));
	case L_TCSETS:
	case L_TCSETSW:
	case L_TCSETSF:
		if (copy_from_user(t, &tio, arg, sizeof(tio)))
			return -EFAULT;
		if (ioctl(f->hostfd, cmd, &tio) < 0)
			return -errno;
		return 0;
	case L_TIOCGWINSZ:
		if (ioctl(f->hostfd, L_TIOCGWINSZ, &ws) < 0)
			return -errno;
		return copy_to_user(t, arg, &ws, sizeof(ws));
	case L_TIOCSWINSZ:
		if (copy_from_user(t, &ws, arg, sizeof(ws)))
			return -EFAULT;
		if (ioctl(f->hostfd, L_TIOCSWINSZ, &ws) < 0)
			return -errno;
		return 0;
	case L_FIONREAD:
		if (ioctl(f->hostfd, L_FIONREAD, &n) < 0)
			return -errno;
		return copy_to_user(t, arg, &n, sizeof(n));
	}
	return -ENOTTY;
}

static short hostfd_poll(struct file *f, struct poll_table *pt)
{
	struct pollfd p = { .fd = f->hostfd, .events = POLLIN | POLLOUT | POLLPRI };

	if (pt)
		poll_wait_host(pt, f->hostfd, POLLIN | POLLOUT | POLLPRI);
	if (poll(&p, 1, 0) < 0)
		return POLLERR;
	return p.revents;
}

static int hostfd_truncate(struct file *f, uint64_t len)
{
	return ftruncate(f->hostfd, len) < 0 ? -errno : 0;
}

static int hostfd_fsync(struct file *f)
{
	(void)f;
	return 0;       /* the guest's durability is not the host's */
}

static int hostfd_host_fd(struct file *f)
{
	return f->hostfd >= 0 ? f->hostfd : -ENODEV;
}

static void hostfd_release(struct file *f)
{
	if (f->hostfd >= 0)
		close(f->hostfd);
	f->hostfd = -1;
}

static int64_t hostfd_llseek(struct file *f, int64_t off, int whence);

const struct file_ops hostfd_file_ops = {
	.llseek = hostfd_llseek,
	.read = hostfd_read,
	.write = hostfd_write,
	.fstat = hostfd_fstat,
	.ioctl = hostfd_ioctl,
	.poll = hostfd_poll,
	.truncate = hostfd_truncate,
	.fsync = hostfd_fsync,
	.host_fd = hostfd_host_fd,
	.release = hostfd_release,
	.seekable = true,       /* file_seekable() decides per fd */
};

/*
 * file_from_hostfd - a file owning host fd hostfd (closed on release).
 * flags: the guest-visible O_* flags; mnt may be NULL.  NULL on ENOMEM
 * (hostfd is then not closed).
 */
struct file *file_from_host_stdio(int hostfd, int flags, const char *path)
{
	struct file *f = file_from_hostfd(hostfd, flags, path, NULL);

	if (f)
		f->priv = HOSTFD_SHARED;
	return f;
}

static int64_t hostfd_llseek(struct file *f, int64_t off, int whence)
{
	if (f->priv != HOSTFD_SHARED)
		return -EOPNOTSUPP;
	off_t r = lseek(f->hostfd, off, whence);
	return r < 0 ? -errno : r;
}

struct file *file_from_hostfd(int hostfd, int flags, const char *path, struct mount *mnt)
{
	struct file *f = file_alloc(&hostfd_file_ops, flags, path);

	if (!f)
		return NULL;
	f->hostfd = hostfd;
	f->mnt = mnt;
	return f;
}
