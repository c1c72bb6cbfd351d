/*
 * sys_file.c - descriptor-based file syscalls: read/write and their
 * positional and vectored forms, lseek, close, dup*, fcntl, fstat,
 * getdents, ftruncate, fchmod/fchown, fchdir, fstatfs, sendfile, ioctl,
 * flock (locks.c does the locking), fallocate, memfd_create.
 *
 * Handlers decode arguments, move guest data through a kernel bounce
 * buffer (copy_from_user/copy_to_user) and call the file's ops.  Reads
 * transfer at most IO_CHUNK per call (a short read, as Linux allows)
 * except on regular files, which give the whole count as Linux's;
 * writes loop until done, a short count or an error after some progress.
 *
 * Locking: everything here runs under klock (the file ops drop it only
 * inside task_sleep).
 */
#include "../kernel.h"
#include "fs.h"
#include "../tty/tty.h"
#include <sys/mman.h>
#include "tmpfs.h"
#include "../mm/mm.h"
#include "../security/landlock.h"

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#define IO_CHUNK   (1 << 20)
#define MAX_RW_COUNT_ 0x7ffff000L   /* Linux's INT_MAX & PAGE_MASK */
#define IOV_MAX_   1024
#define L_FIOCLEX  0x5451
#define L_FIONCLEX 0x5450
#define L_FICLONE        0x40049409
#define L_FICLONERANGE   0x4020940d
#define L_FIDEDUPERANGE  0xc0189436
#define L_FIONBIO  0x5421
#define L_FIONREAD_ 0x541B
#define L_FIOASYNC 0x5452
#define F_CREATED_QUERY_ 1028   /* F_LINUX_SPECIFIC_BASE + 4 */
#define MFD_NOEXEC_SEAL_ 0x0008U
#define MFD_EXEC_        0x0010U
#define F_SEAL_EXEC_     0x0020
#ifndef ENOIOCTLCMD
#define ENOIOCTLCMD 515
#endif

static int rw_check(struct file *f, bool write)
{
	int acc = f->flags & O_ACCMODE;

	if (f->flags & O_PATH)
		return -EBADF;
	if (write ? acc == O_RDONLY : acc == O_WRONLY)
		return -EBADF;
	/* rw_verify_area's FAN_ACCESS_PERM: a fanotify listener may deny it */
	return write ? 0 : fsnotify_access_perm(f);
}

/* /proc/PID/io's counters of the read and write calls and the bytes
 * they moved (Linux's inc_syscr/add_rchar in vfs_read, vfs_write...). */
static void io_account(struct task *t, bool write, long r)
{
	struct thread_group *tg = t->tg;

	if (!tg)
		return;
	if (write) {
		tg->io_syscw++;
		if (r > 0)
			tg->io_wchar += r;
	} else {
		tg->io_syscr++;
		if (r > 0)
			tg->io_rchar += r;
	}
}

/* Reads up to min(n, IO_CHUNK) bytes at *pos (NULL: the file offset)
 * into guest buf. */
static long do_read_chunk(struct task *t, struct file *f, uint64_t buf, size_t n, int64_t *pos)
{
	int64_t *p = pos ? pos : &f->pos;
	char *kb;
	ssize_t r;

	if (!f->ops->read)
		return -EINVAL;
	if (buf + n < buf || buf + n > STUB_START)
		return -EFAULT;   /* access_ok() on the whole count, as Linux */
	if (n > IO_CHUNK)
		n = IO_CHUNK;
	if (n == 0) {
		char dummy;

		/* the file decides (eventfd: EINVAL); a host fd would wait */
		return f->ops == &hostfd_file_ops ? 0 : f->ops->read(t, f, &dummy, 0, p);
	}
	if (!user_range_ok(t, buf, n, PROT_WRITE))
		return -EFAULT;   /* refuse before consuming anything */
	if (f->ops->read_user)
		return f->ops->read_user(t, f, buf, n, p);
	kb = malloc(n);
	if (!kb)
		return -ENOMEM;
	r = file_read(t, f, kb, n, p);
	if (r > 0 && copy_to_user(t, buf, kb, r))
		r = -EFAULT;
	free(kb);
	return r;
}

/* A regular file gives the whole count in one read, as Linux's (up to
 * MAX_RW_COUNT): chunk by chunk until a short one; other files give at
 * most a chunk (a short read, as Linux allows). */
static long do_read(struct task *t, struct file *f, uint64_t buf, size_t n, int64_t *pos)
{
	struct kstat st;
	long r, done = 0;

	if (n > MAX_RW_COUNT_)
		n = MAX_RW_COUNT_;
	r = do_read_chunk(t, f, buf, n, pos);
	if (r < IO_CHUNK || n <= IO_CHUNK || !f->ops->fstat || f->ops->fstat(f, &st) ||
	    !S_ISREG(st.mode))
		return r;
	for (done = r; (size_t)done < n; done += r) {
		r = do_read_chunk(t, f, buf + done, n - done, pos);
		if (r <= 0)
			break;
		if (r < IO_CHUNK)
			return done + r;
	}
	return done;
}

/* Writes n bytes from kernel buffer kb at *p (O_APPEND: at the end). */
static long write_kbuf(struct task *t, struct file *f, const char *kb, size_t n, int64_t *p,
		       bool positional)
{
	if (!positional && (f->flags & O_APPEND) && f->ops->fstat && file_seekable(f)) {
		struct kstat st;

		if (f->ops->fstat(f, &st) == 0)
			f->pos = st.size;
	}
	return file_write(t, f, kb, n, p);
}

/* RLIMIT_FSIZE for a write of *n bytes to f at *p (pos NULL: the file
 * position, which O_APPEND moves to the end): on a regular file *n is cut
 * to fit, or -EFBIG with SIGXFSZ (vfs.c fsize_limit).  0 otherwise. */
static int write_fsize_limit(struct task *t, struct file *f, int64_t *pos, int64_t *p, size_t *n)
{
	struct kstat st;

	if (t->tg->rlim[1].rlim_cur == LINUX_RLIM_INFINITY || !file_seekable(f) ||
	    !f->ops->fstat || f->ops->fstat(f, &st) || !S_ISREG(st.mode))
		return 0;
	return fsize_limit(t, (!pos && (f->flags & O_APPEND)) ? (int64_t)st.size : *p, n);
}

/* Writes n bytes of guest buf at *pos (NULL: the file offset, O_APPEND). */
static long do_write(struct task *t, struct file *f, uint64_t buf, size_t n, int64_t *pos)
{
	int64_t *p = pos ? pos : &f->pos;
	size_t done = 0;
	char *kb;
	long r = 0;

	if (!f->ops->write)
		return -EINVAL;
	if (n == 0)
		return f->ops->write_empty ? f->ops->write(t, f, "", 0, p) : 0;
	r = write_fsize_limit(t, f, pos, p, &n);
	if (r)
		return r;
	if (f->ops->write_user && !(f->flags & O_APPEND)) {
		if (buf + n < buf || buf + n > STUB_START)
			return -EFAULT;
		return f->ops->write_user(t, f, buf, n, p);
	}
	kb = malloc(n < IO_CHUNK ? n : IO_CHUNK);
	if (!kb)
		return -ENOMEM;
	while (done < n) {
		size_t c = n - done < IO_CHUNK ? n - done : IO_CHUNK;
		ssize_t w;

		if (copy_from_user(t, kb, buf + done, c)) {
			r = -EFAULT;
			break;
		}
		w = write_kbuf(t, f, kb, c, p, pos != NULL);
		if (w < 0) {
			r = w;
			break;
		}
		done += w;
		if ((size_t)w < c)
			break;
	}
	free(kb);
	return done ? (long)done : r;
}

long sys_read(struct task *t, struct sysargs *a)
{
	struct file *f = fd_get(t, arg_int(a, 0));
	long r;

	if (!f)
		return -EBADF;
	r = rw_check(f, false);
	if (!r)
		r = fsnotify_pre_access(f, (uint64_t)f->pos, arg_long(a, 2) > 0 ? (uint64_t)arg_long(a, 2) : 0);
	if (!r) {
		r = do_read(t, f, arg_ptr(a, 1), arg_long(a, 2), NULL);
		io_account(t, false, r);
	}
	if (r > 0)
		fsnotify_file(f, IN_ACCESS_);
	file_put(f);
	return r;
}

long sys_write(struct task *t, struct sysargs *a)
{
	struct file *f = fd_get(t, arg_int(a, 0));
	long r;

	if (!f)
		return -EBADF;
	r = rw_check(f, true);
	if (!r)
		r = fsnotify_pre_access(f, (uint64_t)f->pos, arg_long(a, 2) > 0 ? (uint64_t)arg_long(a, 2) : 0);
	if (!r) {
		r = do_write(t, f, arg_ptr(a, 1), arg_long(a, 2), NULL);
		io_account(t, true, r);
	}
	if (r > 0)
		fsnotify_file(f, IN_MODIFY_);
	file_put(f);
	return r;
}

static void append_pos(struct file *f, int64_t *pos);

static long do_prw(struct task *t, struct sysargs *a, bool write)
{
	int64_t pos = arg_long(a, 3);
	struct file *f;
	long r;

	/* ksys_pread64's order: the offset, the fd, FMODE_PREAD, then access */
	if (pos < 0)
		return -EINVAL;
	f = fd_get(t, arg_int(a, 0));
	if (!f || (f->flags & O_PATH)) {
		file_put(f);
		return -EBADF;
	}
	r = file_seekable(f) ? rw_check(f, write) : -ESPIPE;
	if (!r && write)
		append_pos(f, &pos);
	if (!r)
		r = fsnotify_pre_access(f, (uint64_t)pos, arg_long(a, 2) > 0 ? (uint64_t)arg_long(a, 2) : 0);
	if (!r) {
		r = write ? do_write(t, f, arg_ptr(a, 1), arg_long(a, 2), &pos)
			  : do_read(t, f, arg_ptr(a, 1), arg_long(a, 2), &pos);
		io_account(t, write, r);
	}
	if (r > 0)
		fsnotify_file(f, write ? IN_MODIFY_ : IN_ACCESS_);
	file_put(f);
	return r;
}

long sys_pread64(struct task *t, struct sysargs *a)
{
	return do_prw(t, a, false);
}

long sys_pwrite64(struct task *t, struct sysargs *a)
{
	return do_prw(t, a, true);
}

/* A positional write to an O_APPEND file appends all the same, as
 * Linux's generic_write_checks (the documented pwrite bug). */
static void append_pos(struct file *f, int64_t *pos)
{
	struct kstat st;
	if ((f->flags & O_APPEND) && f->ops->fstat && f->ops->fstat(f, &st) == 0)
		*pos = st.size;
}

/* Vectored I/O: each segment in turn, stopping at a short transfer.
 * nowait: preadv2's RWF_NOWAIT, a read of only what the page cache holds
 * (mm/pagecache.c: -EAGAIN if none of it). */
static long do_rwv_flags(struct task *t, int fd, uint64_t uiov, int cnt, int64_t off, bool write,
			 bool positional, bool nowait)
{
	struct linux_iovec *iov = NULL;
	struct file *f;
	int64_t pos = off;
	long total = 0, r = 0;
	uint64_t sum = 0;
	int i;

	/* do_preadv's order: the offset, the fd, FMODE_PREAD, then access */
	if (positional && pos < 0)
		return -EINVAL;
	f = fd_get(t, fd);
	if (!f || (f->flags & O_PATH)) {
		file_put(f);
		return -EBADF;
	}
	if (positional && !file_seekable(f)) {
		r = -ESPIPE;
		goto out;
	}
	r = rw_check(f, write);
	if (r)
		goto out;
	if (cnt < 0 || cnt > IOV_MAX_) {
		r = -EINVAL;
		goto out;
	}
	if (positional && write)
		append_pos(f, &pos);
	if (cnt == 0)
		goto out;
	iov = malloc(cnt * sizeof(*iov));
	if (!iov) {
		r = -ENOMEM;
		goto out;
	}
	if (copy_from_user(t, iov, uiov, cnt * sizeof(*iov))) {
		r = -EFAULT;
		goto out;
	}
	for (i = 0; i < cnt; i++) {
		if ((int64_t)iov[i].iov_len < 0 || (sum += iov[i].iov_len) > INT64_MAX) {
			r = -EINVAL;
			goto out;
		}
	}
	if (nowait && !write && sum) {
		/* filemap_read with IOCB_NOWAIT: the cached pages from the
		 * offset on, EAGAIN if the first is not */
		int64_t lim = pcache_nowait_limit(t, f, (uint64_t)(positional ? pos : f->pos), sum);
		if (lim == -EAGAIN) {
			r = -EAGAIN;
			goto out;
		}
		for (i = 0; lim >= 0 && i < cnt; i++) {
			if (iov[i].iov_len > (uint64_t)lim)
				iov[i].iov_len = (uint64_t)lim;
			lim -= (int64_t)iov[i].iov_len;
		}
	}
	if (write && sum <= IO_CHUNK && f->ops->write) {
		/* Gather the segments first: one write, atomic on a pipe as
		 * Linux's, and a bad segment fails the call before anything
		 * is written. */
		char *kb = malloc(sum ? sum : 1);
		size_t off = 0;
		if (!kb) {
			r = -ENOMEM;
			goto out;
		}
		for (i = 0; i < cnt; i++) {
			if (copy_from_user(t, kb + off, iov[i].iov_base, iov[i].iov_len)) {
				free(kb);
				r = -EFAULT;
				goto out;
			}
			off += iov[i].iov_len;
		}
		size_t n = sum;
		r = n ? write_fsize_limit(t, f, positional ? &pos : NULL, positional ? &pos : &f->pos, &n) : 0;
		if (!r)
			r = n ? write_kbuf(t, f, kb, n, positional ? &pos : &f->pos, positional) : 0;
		free(kb);
		goto out;
	}
	for (i = 0; i < cnt; i++) {
		if (!iov[i].iov_len)
			continue;
		if (write)
			r = do_write(t, f, iov[i].iov_base, iov[i].iov_len, positional ? &pos : NULL);
		else
			r = do_read(t, f, iov[i].iov_base, iov[i].iov_len, positional ? &pos : NULL);
		if (r < 0)
			break;
		total += r;
		if ((uint64_t)r < iov[i].iov_len)
			break;
	}
	if (total)
		r = total;
	else if (r > 0)
		r = 0;
out:
	if (r != -EBADF)
		io_account(t, write, r);
	if (r > 0)
		fsnotify_file(f, write ? IN_MODIFY_ : IN_ACCESS_);
	free(iov);
	file_put(f);
	return r;
}

static long do_rwv(struct task *t, int fd, uint64_t uiov, int cnt, int64_t off, bool write,
		   bool positional)
{
	return do_rwv_flags(t, fd, uiov, cnt, off, write, positional, false);
}

long sys_readv(struct task *t, struct sysargs *a)
{
	return do_rwv(t, arg_int(a, 0), arg_ptr(a, 1), arg_int(a, 2), 0, false, false);
}

long sys_writev(struct task *t, struct sysargs *a)
{
	return do_rwv(t, arg_int(a, 0), arg_ptr(a, 1), arg_int(a, 2), 0, true, false);
}

long sys_preadv(struct task *t, struct sysargs *a)
{
	return do_rwv(t, arg_int(a, 0), arg_ptr(a, 1), arg_int(a, 2), arg_long(a, 3), false, true);
}

long sys_pwritev(struct task *t, struct sysargs *a)
{
	return do_rwv(t, arg_int(a, 0), arg_ptr(a, 1), arg_int(a, 2), arg_long(a, 3), true, true);
}

long sys_lseek(struct task *t, struct sysargs *a)
{
	struct file *f = fd_get(t, arg_int(a, 0));
	int64_t off = arg_long(a, 1), npos;
	int whence = arg_int(a, 2), hfd;
	struct kstat st;
	long r = 0;

	if (!f)
		return -EBADF;
	if ((f->flags & O_PATH)) {
		r = -EBADF;
		goto out;
	}
	if (!file_seekable(f)) {
		r = -ESPIPE;
		goto out;
	}
	if (f->ops->llseek && (r = f->ops->llseek(f, off, whence)) != -EOPNOTSUPP)
		goto out;
	r = 0;
	switch (whence) {
	case SEEK_SET:
		npos = off;
		break;
	case SEEK_CUR:
		npos = f->pos + off;
		break;
	case SEEK_END:
	case SEEK_DATA:
	case SEEK_HOLE:
		if (!f->ops->fstat || (r = f->ops->fstat(f, &st)))
			goto out;
		if (whence == SEEK_END) {
			npos = st.size + off;
		} else if (S_ISREG(st.mode) && f->ops->host_fd && (hfd = f->ops->host_fd(f)) >= 0) {
			/* a file held in a host fd (the root's, a tmpfs memfd):
			 * the host's own data and holes; its offset is restored,
			 * umk keeps the guest's in f->pos */
			int64_t keep = lseek(hfd, 0, SEEK_CUR);

			npos = lseek(hfd, off, whence);
			if (npos < 0)
				r = -errno;
			if (keep >= 0)
				lseek(hfd, keep, SEEK_SET);
			if (r)
				goto out;
		} else {
			if (off < 0 || off >= (int64_t)st.size) {
				r = -ENXIO;
				goto out;
			}
			npos = whence == SEEK_DATA ? off : (int64_t)st.size;
		}
		break;
	default:
		r = -EINVAL;
		goto out;
	}
	if (npos < 0) {
		r = -EINVAL;
		goto out;
	}
	if (f->dents && npos == 0) {
		/* rewinddir: a fresh snapshot */
		free(f->dents);
		f->dents = NULL;
		f->ndents = 0;
	}
	f->pos = npos;
	r = npos;
out:
	file_put(f);
	return r;
}

/* Closing fd (close, dup2 over it, close_range): t's process drops its
 * POSIX locks on the file's inode first, as Linux's filp_close. */
static int close_fd(struct task *t, int fd)
{
	struct file *f = fd_get(t, fd);

	if (!f)
		return -EBADF;
	locks_remove_posix(t, f);
	file_put(f);
	return fd_close(t, fd);
}

long sys_close(struct task *t, struct sysargs *a)
{
	return close_fd(t, arg_int(a, 0));
}

long sys_close_range(struct task *t, struct sysargs *a)
{
	unsigned first = arg_uint(a, 0), last = arg_uint(a, 1), flags = arg_uint(a, 2);
	struct fdtable *ft = t->files;
	unsigned fd;

	if (flags & ~(4u /* CLOSE_RANGE_CLOEXEC */ | 2u /* CLOSE_RANGE_UNSHARE */))
		return -EINVAL;
	if (first > last)
		return -EINVAL;
	/* CLOSE_RANGE_UNSHARE: a shared table is copied first, so the
	 * others sharing it keep their fds (Linux's unshare_fd) */
	if ((flags & 2u) && ft->refs > 1) {
		struct fdtable *nfd = fdtable_dup(ft);
		if (!nfd)
			return -ENOMEM;
		fdtable_put(ft);
		t->files = ft = nfd;
	}
	for (fd = first; fd < (unsigned)ft->nfds && fd <= last; fd++) {
		if (!ft->files[fd])
			continue;
		if (flags & 4)
			ft->cloexec[fd] = 1;
		else
			close_fd(t, fd);
	}
	return 0;
}

long sys_dup(struct task *t, struct sysargs *a)
{
	struct file *f = fd_get(t, arg_int(a, 0));

	if (!f)
		return -EBADF;
	return fd_install(t, 0, f, false);
}

static long do_dup3(struct task *t, int oldfd, int newfd, int flags)
{
	struct file *f;

	/* Linux's ksys_dup3: the flags, then oldfd == newfd, then the fd */
	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	if (oldfd == newfd)
		return -EINVAL;
	f = fd_get(t, oldfd);
	if (!f)
		return -EBADF;
	if (newfd >= 0 && newfd < t->files->nfds && t->files->files[newfd])
		locks_remove_posix(t, t->files->files[newfd]);
	return fd_install_at(t, newfd, f, flags & O_CLOEXEC);
}

long sys_dup2(struct task *t, struct sysargs *a)
{
	int oldfd = arg_int(a, 0), newfd = arg_int(a, 1);
	struct file *f;

	if (oldfd == newfd) {
		f = fd_get(t, oldfd);
		if (!f)
			return -EBADF;
		file_put(f);
		return newfd;
	}
	return do_dup3(t, oldfd, newfd, 0);
}

long sys_dup3(struct task *t, struct sysargs *a)
{
	return do_dup3(t, arg_int(a, 0), arg_int(a, 1), arg_int(a, 2));
}

/*
 * F_ADD_SEALS, F_GET_SEALS on a tmpfs or memfd file: the seals live on
 * the host memfd behind it, so the host enforces them (writes, truncate,
 * mmap).  Files made by memfd_create without MFD_ALLOW_SEALING, and other
 * tmpfs files, carry F_SEAL_SEAL.  -EINVAL for other files or unknown
 * seals, -EPERM to add seals without write access or after F_SEAL_SEAL,
 * -EBUSY (F_SEAL_WRITE with writable shared mappings).
 */
static long memfd_fcntl(struct file *f, int cmd, unsigned int seals)
{
	int fd = tmpfs_file_memfd(f);
	int r;

	if (fd < 0)
		return -EINVAL;
	if (cmd == F_ADD_SEALS && (f->flags & O_ACCMODE) == O_RDONLY)
		return -EPERM;
	r = cmd == F_ADD_SEALS ? fcntl(fd, F_ADD_SEALS, seals) : fcntl(fd, F_GET_SEALS);
	return r < 0 ? -errno : r;
}

long sys_fcntl(struct task *t, struct sysargs *a)
{
	int fd = arg_int(a, 0), cmd = arg_int(a, 1);
	struct file *f = fd_get(t, fd);
	long r = 0;

	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC: {
		long min = arg_long(a, 2);

		if (min < 0 || min > INT32_MAX) {
			r = -EINVAL;
			break;
		}
		r = fd_install(t, (int)min, file_get(f), cmd == F_DUPFD_CLOEXEC);
		break;
	}
	case F_GETFD:
		r = t->files->cloexec[fd] ? FD_CLOEXEC : 0;
		break;
	case F_SETFD:
		t->files->cloexec[fd] = arg_int(a, 2) & FD_CLOEXEC;
		break;
	case F_GETFL:
		r = f->flags;
		break;
	case F_SETFL: {
		int keep = O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME;

		if (f->flags & O_PATH) {
			r = -EBADF;
			break;
		}
		int nfl = (f->flags & ~keep) | (arg_int(a, 2) & keep);
		if ((r = file_may_setfl(f, nfl)))
			break;   /* O_APPEND of an append-only file stays */
		if ((nfl ^ f->flags) & O_ASYNC) {
			r = fasync_set(t, f, fd, nfl & O_ASYNC);
			if (r)
				break;
		}
		f->flags = nfl;
		break;
	}
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		r = locks_fcntl(t, f, cmd, arg_ptr(a, 2));
		break;
	case F_GETPIPE_SZ:
	case F_SETPIPE_SZ:
		r = pipe_fcntl(f, cmd, arg_ptr(a, 2));
		break;
	case F_GETOWN:
	case F_SETOWN:
	case F_GETOWN_EX:
	case F_SETOWN_EX:
	case F_SETSIG:
	case F_GETSIG:
		r = fown_fcntl(t, f, cmd, arg_ptr(a, 2));
		break;
	case F_NOTIFY:
		r = fcntl_dirnotify(t, fd, f, arg_uint(a, 2));   /* dnotify.c */
		break;
	case F_SETLEASE:
	case F_GETLEASE:
		r = lease_fcntl(t, f, fd, cmd, arg_long(a, 2));
		break;
	case F_CREATED_QUERY_:
		r = f->created;
		break;
	case F_ADD_SEALS:
	case F_GET_SEALS:
		r = memfd_fcntl(f, cmd, arg_uint(a, 2));
		break;
	default:
		r = -EINVAL;
	}
	file_put(f);
	return r;
}

/* sys_flock(fd, op) - whole-file advisory locks (locks.c). */
long sys_flock(struct task *t, struct sysargs *a)
{
	struct file *f = fd_get(t, arg_int(a, 0));
	long r;

	if (!f)
		return -EBADF;
	r = locks_flock(t, f, arg_int(a, 1));
	file_put(f);
	return r;
}

/* linux/falloc.h */
#define L_FALLOC_FL_KEEP_SIZE      0x01
#define L_FALLOC_FL_PUNCH_HOLE     0x02
#define L_FALLOC_FL_COLLAPSE_RANGE 0x08
#define L_FALLOC_FL_ZERO_RANGE     0x10
#define L_FALLOC_FL_INSERT_RANGE   0x20
#define L_FALLOC_FL_UNSHARE_RANGE  0x40
#define L_FALLOC_FL_WRITE_ZEROES   0x80
#define L_FALLOC_FL_MODE_MASK      (L_FALLOC_FL_PUNCH_HOLE | L_FALLOC_FL_COLLAPSE_RANGE | \
				    L_FALLOC_FL_ZERO_RANGE | L_FALLOC_FL_INSERT_RANGE | \
				    L_FALLOC_FL_UNSHARE_RANGE | L_FALLOC_FL_WRITE_ZEROES)

/* vfs_fallocate's check of mode: 0 or -EOPNOTSUPP. */
static int falloc_mode_ok(int mode)
{
	if (mode & ~(L_FALLOC_FL_MODE_MASK | L_FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	switch (mode & L_FALLOC_FL_MODE_MASK) {
	case 0:
	case L_FALLOC_FL_UNSHARE_RANGE:
	case L_FALLOC_FL_ZERO_RANGE:
		return 0;
	case L_FALLOC_FL_PUNCH_HOLE:
		return mode & L_FALLOC_FL_KEEP_SIZE ? 0 : -EOPNOTSUPP;
	case L_FALLOC_FL_COLLAPSE_RANGE:
	case L_FALLOC_FL_INSERT_RANGE:
	case L_FALLOC_FL_WRITE_ZEROES:
		return mode & L_FALLOC_FL_KEEP_SIZE ? -EOPNOTSUPP : 0;
	}
	return -EOPNOTSUPP;
}

/*
 * sys_fallocate(fd, mode, offset, len) - in the checks' order of Linux's
 * vfs_fallocate: -EINVAL for offset < 0 or len <= 0, -EOPNOTSUPP for a
 * mode no filesystem takes (PUNCH_HOLE without KEEP_SIZE, COLLAPSE or
 * INSERT with it, unknown bits), -EBADF unless open for writing, -EPERM
 * for an immutable file or, but for KEEP_SIZE alone, an append-only one,
 * -ESPIPE (a pipe), -EISDIR, -ENODEV (not a regular file), -EFBIG.  Then
 * the file's own fallocate (ext2.c) or the host fd behind the file (a
 * tmpfs memfd, a --rw host file), so that every mode the host supports
 * works; -EOPNOTSUPP with neither, the filesystem's errno otherwise.
 */
long sys_fallocate(struct task *t, struct sysargs *a)
{
	struct file *f = fd_get(t, arg_int(a, 0));
	int mode = arg_int(a, 1), hfd;
	int64_t off = arg_long(a, 2), len = arg_long(a, 3);
	struct kstat st;
	uint32_t iflags;
	long r;

	if (!f)
		return -EBADF;
	r = -EINVAL;
	if (off < 0 || len <= 0)
		goto out;
	if ((r = falloc_mode_ok(mode)))
		goto out;
	r = -EBADF;
	if ((f->flags & O_PATH) || (f->flags & O_ACCMODE) == O_RDONLY)
		goto out;
	iflags = file_inode_flags(f);
	r = -EPERM;
	if ((iflags & FS_IMMUTABLE_FL_) || ((mode & ~L_FALLOC_FL_KEEP_SIZE) && (iflags & FS_APPEND_FL_)))
		goto out;
	r = -ENODEV;
	if (!f->ops->fstat || f->ops->fstat(f, &st))
		goto out;
	if (S_ISFIFO(st.mode)) {
		r = -ESPIPE;
		goto out;
	}
	if (S_ISDIR(st.mode)) {
		r = -EISDIR;
		goto out;
	}
	if (!S_ISREG(st.mode))
		goto out;
	r = -EFBIG;
	int64_t end;
	/* Linux's off + len < 0 wraps (the kernel builds with
	 * -fno-strict-overflow); here it is checked (UBSan, tests/fuzz/) */
	if (__builtin_add_overflow(off, len, &end))
		goto out;
	/* a file it makes larger: RLIMIT_FSIZE (inode_newsize_ok: SIGXFSZ
	 * and -EFBIG past it) */
	if (!(mode & (L_FALLOC_FL_KEEP_SIZE | L_FALLOC_FL_PUNCH_HOLE | L_FALLOC_FL_COLLAPSE_RANGE |
		      L_FALLOC_FL_INSERT_RANGE)) && end > (int64_t)st.size &&
	    (r = fsize_limit(t, end, NULL)))
		goto out;
	if (f->ops->fallocate) {
		r = f->ops->fallocate(f, mode, (uint64_t)off, (uint64_t)len);
	} else {
		hfd = f->ops->host_fd ? f->ops->host_fd(f) : -ENODEV;
		r = -EOPNOTSUPP;
		if (hfd < 0)
			goto out;
		/* a tmpfs file's preallocated pages count (--tmpfs-size, --memory) */
		if (!(mode & L_FALLOC_FL_PUNCH_HOLE) &&
		    ((r = tmpfs_file_reserve(f, (uint64_t)(off + len))) ||
		     (r = tmpfs_file_fits(f, (uint64_t)off, (uint64_t)len))))
			goto out;
		r = fallocate(hfd, mode, off, len) < 0 ? -errno : 0;
		if (!r)
			tmpfs_file_touch(f);
	}
	if (!r)
		fsnotify_file(f, IN_MODIFY_);
out:
	file_put(f);
	return r;
}

/*
 * sys_memfd_create(name, flags) - an anonymous tmpfs file (a host memfd,
 * so it can be mapped MAP_SHARED and is shared across fork), mode 0777,
 * shown as "/memfd:NAME (deleted)".  flags: MFD_CLOEXEC,
 * MFD_ALLOW_SEALING, MFD_NOEXEC_SEAL (0666 and F_SEAL_EXEC), MFD_EXEC,
 * MFD_HUGETLB (a hugetlb file, mm/hugetlb.c: -ENODEV for an MFD_HUGE_*
 * size but 2 MiB); others -EINVAL.  Neither MFD_EXEC nor MFD_NOEXEC_SEAL:
 * vm.memfd_noexec picks (procfs.c).  -EINVAL for a name over 249 bytes,
 * -EACCES without MFD_NOEXEC_SEAL where vm.memfd_noexec is 2, -EFAULT,
 * -EMFILE, -ENOMEM.
 */
long sys_memfd_create(struct task *t, struct sysargs *a)
{
	unsigned int flags = arg_uint(a, 1);
	char name[250], path[300];
	struct file *f;
	long r;

	const unsigned mfd_all = MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL_ | MFD_EXEC_ |
				 MFD_HUGETLB;
	/* MFD_HUGETLB may carry a size (MFD_HUGE_*: bits 26-31) */
	if (flags & ~(mfd_all | ((flags & MFD_HUGETLB) ? 0xfc000000u : 0)))
		return -EINVAL;
	if ((flags & MFD_NOEXEC_SEAL_) && (flags & MFD_EXEC_))
		return -EINVAL;
	/* vm.memfd_noexec of the caller's pid namespace (Linux's
	 * check_sysctl_memfd_noexec): the default when neither is asked for,
	 * and at 2 only MFD_NOEXEC_SEAL is allowed */
	int scope = 0;
	for (struct pid_namespace *ns = task_active_pid_ns(t); ns; ns = ns->parent)
		if (ns->memfd_noexec_scope > scope)
			scope = ns->memfd_noexec_scope;
	if (!(flags & (MFD_EXEC_ | MFD_NOEXEC_SEAL_)))
		flags |= scope >= 1 ? MFD_NOEXEC_SEAL_ : MFD_EXEC_;
	if (!(flags & MFD_NOEXEC_SEAL_) && scope >= 2)
		return -EACCES;
	r = strncpy_from_user(t, name, arg_ptr(a, 0), sizeof(name));
	if (r == -ENAMETOOLONG)
		return -EINVAL;
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "/memfd:%s (deleted)", name);
	r = tmpfs_anon_file(path, flags & MFD_NOEXEC_SEAL_ ? 0666 : 0777,
			    flags & (MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL_),
			    flags & MFD_NOEXEC_SEAL_ ? F_SEAL_EXEC_ : 0, &f);
	if (r)
		return r;
	if (flags & MFD_HUGETLB) {
		/* a hugetlb file (mm/hugetlb.c); hugetlb_file_setup's ENODEV
		 * for a size umk has not */
		if (!hugetlb_size_ok(flags)) {
			file_put(f);
			return -ENODEV;
		}
		tmpfs_file_make_huge(f);
	}
	return fd_install(t, 0, f, flags & MFD_CLOEXEC);
}

static long do_fsync(struct task *t, int fd)
{
	struct file *f = fd_get(t, fd);
	long r;

	if (!f)
		return -EBADF;
	r = (f->flags & O_PATH) ? -EBADF : f->ops->fsync ? file_fsync(t, f) : -EINVAL;
	file_put(f);
	return r;
}

long sys_fsync(struct task *t, struct sysargs *a)
{
	return do_fsync(t, arg_int(a, 0));
}

long sys_fdatasync(struct task *t, struct sysargs *a)
{
	return do_fsync(t, arg_int(a, 0));
}

long sys_ftruncate(struct task *t, struct sysargs *a)
{
	struct file *f = fd_get(t, arg_int(a, 0));
	int64_t len = arg_long(a, 1);
	struct kstat st;
	long r;

	if (!f)
		return -EBADF;
	if (f->flags & O_PATH)
		r = -EBADF;
	else if (len < 0)
		r = -EINVAL;
	else if ((f->flags & O_ACCMODE) == O_RDONLY)
		r = -EINVAL;
	else if (f->ops->fstat && f->ops->fstat(f, &st) == 0 && S_ISDIR(st.mode))
		r = -EINVAL;
	else if (!f->ops->truncate)
		r = -EINVAL;
	else if (file_inode_flags(f) & FS_APPEND_FL_)
		r = -EPERM;   /* do_ftruncate: an append-only file keeps its length */
	else if (!(r = landlock_file_truncate(f)) && !(r = fsize_limit(t, len, NULL)))
		r = f->ops->truncate(f, len);
	if (!r)
		fsnotify_file(f, IN_MODIFY_);
	file_put(f);
	return r;
}

long sys_fstat(struct task *t, struct sysargs *a)
{
	struct file *f = fd_get(t, arg_int(a, 0));
	struct linux_stat ls;
	struct kstat st;
	long r;

	if (!f)
		return -EBADF;
	memset(&st, 0, sizeof(st));
	r = f->ops->fstat ? f->ops->fstat(f, &st) : -EINVAL;
	file_put(f);
	if (r)
		return r;
	kstat_to_stat(&st, &ls);
	return copy_to_user(t, arg_ptr(a, 1), &ls, sizeof(ls));
}

/* getdents64 (wide) or getdents (old struct linux_dirent, type at the end). */
static long do_getdents(struct task *t, int fd, uint64_t ubuf, unsigned count, bool wide)
{
	struct file *f = fd_get(t, fd);
	char *kb = NULL;
	size_t used = 0;
	long r;

	if (!f)
		return -EBADF;
	if (f->flags & O_PATH) {
		r = -EBADF;
		goto out;
	}
	r = file_getdents(f);
	if (r)
		goto out;
	if (count > IO_CHUNK)
		count = IO_CHUNK;
	kb = malloc(count ? count : 1);
	if (!kb) {
		r = -ENOMEM;
		goto out;
	}
	while (f->pos >= 0 && (size_t)f->pos < f->ndents) {
		struct dir_entry *e = &f->dents[f->pos];
		size_t nl = strlen(e->name), rec;

		if (wide) {
			struct linux_dirent64 *d = (void *)(kb + used);

			rec = (offsetof(struct linux_dirent64, d_name) + nl + 1 + 7) & ~7UL;
			if (used + rec > count)
				break;
			memset(d, 0, rec);
			d->d_ino = e->ino;
			d->d_off = f->pos + 1;
			d->d_reclen = rec;
			d->d_type = e->type;
			memcpy(d->d_name, e->name, nl);
		} else {
			/* unsigned long d_ino, d_off; unsigned short reclen; name; pad; type */
			char *d = kb + used;
			uint64_t ino = e->ino, off = f->pos + 1;
			uint16_t reclen;

			rec = (8 + 8 + 2 + nl + 2 + 7) & ~7UL;
			if (used + rec > count)
				break;
			memset(d, 0, rec);
			reclen = rec;
			memcpy(d, &ino, 8);
			memcpy(d + 8, &off, 8);
			memcpy(d + 16, &reclen, 2);
			memcpy(d + 18, e->name, nl);
			d[rec - 1] = e->type;
		}
		used += rec;
		f->pos++;
	}
	if (!used && f->pos >= 0 && (size_t)f->pos < f->ndents) {
		r = -EINVAL;    /* buffer too small for one entry */
		goto out;
	}
	r = copy_to_user(t, ubuf, kb, used);
	if (!r)
		r = used;
	if (r >= 0)
		fsnotify_file(f, IN_ACCESS_);   /* iterate_dir */
out:
	free(kb);
	file_put(f);
	return r;
}

long sys_getdents64(struct task *t, struct sysargs *a)
{
	return do_getdents(t, arg_int(a, 0), arg_ptr(a, 1), arg_uint(a, 2), true);
}

long sys_getdents(struct task *t, struct sysargs *a)
{
	return do_getdents(t, arg_int(a, 0), arg_ptr(a, 1), arg_uint(a, 2), false);
}

/* chmod/chown on an open file: permission as Linux's chmod_common/chown_common. */
int file_setattr_checked(struct task *t, struct file *f, int what, uint32_t mode,
			 uint32_t uid, uint32_t gid)
{
	struct kstat st;
	int r;

	if (!f->ops->fstat || (r = f->ops->fstat(f, &st)))
		return -EBADF;
	if (f->mnt && mnt_want_write(f->mnt))
		return -EROFS;
	if ((r = file_may_change(f)))
		return r;   /* immutable or append-only (may_setattr) */
	r = setattr_prepare(t, &st, &what, &mode, uid, gid);
	if (r)
		return r;
	if (!f->ops->setattr)
		return -EPERM;
	/* a chown's loss of the set-id bits is in what and mode (setattr_prepare) */
	return f->ops->setattr(f, what, mode, uid, gid, NULL);
}

long sys_fchmod(struct task *t, struct sysargs *a)
{
	struct file *f = fd_get(t, arg_int(a, 0));
	long r;

	if (!f)
		return -EBADF;
	r = (f->flags & O_PATH) ? -EBADF : file_setattr_checked(t, f, ATTR_MODE, arg_uint(a, 1), 0, 0);
	if (!r)
		fsnotify_file(f, IN_ATTRIB_);
	file_put(f);
	return r;
}

long sys_fchown(struct task *t, struct sysargs *a)
{
	struct file *f = fd_get(t, arg_int(a, 0));
	long r;

	if (!f)
		return -EBADF;
	uint32_t uid = arg_uint(a, 1), gid = arg_uint(a, 2);
	if (uid != (uint32_t)-1)
		uid = make_kuid(t->user_ns, uid);
	if (gid != (uint32_t)-1)
		gid = make_kgid(t->user_ns, gid);
	r = (f->flags & O_PATH) ? -EBADF :
		(uid == (uint32_t)-1 && arg_uint(a, 1) != (uint32_t)-1) ||
		(gid == (uint32_t)-1 && arg_uint(a, 2) != (uint32_t)-1) ? -EINVAL :
		file_setattr_checked(t, f, ATTR_OWNER, 0, uid, gid);
	if (!r)
		fsnotify_file(f, IN_ATTRIB_);
	file_put(f);
	return r;
}

long sys_fchdir(struct task *t, struct sysargs *a)
{
	struct file *f = fd_get(t, arg_int(a, 0));
	struct kstat st;
	char *p;
	long r;

	if (!f)
		return -EBADF;
	r = f->ops->fstat ? f->ops->fstat(f, &st) : -ENOTDIR;
	if (!r && (!S_ISDIR(st.mode) || f->path[0] != '/'))
		r = -ENOTDIR;
	if (!r)
		r = vfs_permission(t, &st, X_OK);
	if (!r) {
		p = strdup(f->path);
		if (!p) {
			r = -ENOMEM;
		} else {
			free(t->fs->cwd);
			t->fs->cwd = p;
		}
	}
	file_put(f);
	return r;
}

long sys_fstatfs(struct task *t, struct sysargs *a)
{
	struct file *f = fd_get(t, arg_int(a, 0));
	struct linux_statfs st;
	long r;

	if (!f)
		return -EBADF;
	memset(&st, 0, sizeof(st));
	if (f->mnt && f->mnt->ops->statfs) {
		r = f->mnt->ops->statfs(f->mnt, &st);
		st.f_flags = mnt_statfs_flags(f->mnt);
	} else {
		st.f_type = 0x50495045;         /* PIPEFS_MAGIC, anon files */
		st.f_bsize = st.f_frsize = 4096;
		st.f_namelen = 255;
		r = 0;
	}
	file_put(f);
	if (r)
		return r;
	return copy_to_user(t, arg_ptr(a, 1), &st, sizeof(st));
}

long sys_sendfile(struct task *t, struct sysargs *a)
{
	struct file *out = fd_get(t, arg_int(a, 0)), *in = fd_get(t, arg_int(a, 1));
	uint64_t uoff = arg_ptr(a, 2);
	size_t count = arg_long(a, 3), done = 0;
	int64_t off = 0, *pos;
	char *kb = NULL;
	long r = 0;

	if (!out || !in) {
		r = -EBADF;
		goto out;
	}
	if (rw_check(in, false) || rw_check(out, true)) {
		r = -EBADF;
		goto out;
	}
	if ((out->flags & O_APPEND)) {
		r = -EINVAL;
		goto out;
	}
	if (uoff) {
		if (copy_from_user(t, &off, uoff, sizeof(off))) {
			r = -EFAULT;
			goto out;
		}
		if (off < 0) {
			r = -EINVAL;
			goto out;
		}
		if (!file_seekable(in)) {
			r = -ESPIPE;
			goto out;
		}
	}
	pos = uoff ? &off : &in->pos;
	if (!in->ops->read || !out->ops->write) {
		r = -EINVAL;
		goto out;
	}
	kb = malloc(65536);
	if (!kb) {
		r = -ENOMEM;
		goto out;
	}
	while (done < count) {
		size_t c = count - done < 65536 ? count - done : 65536;
		int64_t save = *pos;
		ssize_t n = file_read(t, in, kb, c, pos), w;

		if (n <= 0) {
			r = n;
			break;
		}
		w = file_write(t, out, kb, n, &out->pos);
		if (w < 0) {
			*pos = save;
			r = w;
			break;
		}
		done += w;
		if (w < n) {
			*pos = save + w;
			break;
		}
		if ((size_t)n < c)
			break;
	}
	if (uoff && copy_to_user(t, uoff, &off, sizeof(off)) && !done)
		r = -EFAULT;
	if (done) {
		r = done;
		fsnotify_file(in, IN_ACCESS_);
		fsnotify_file(out, IN_MODIFY_);
	}
out:
	free(kb);
	file_put(out);
	file_put(in);
	return r;
}

/*
 * FICLONE, FICLONERANGE, FIDEDUPERANGE (ioctl_file_clone and
 * ioctl_file_dedupe_range, vfs_clone_file_prep): no filesystem of umk's
 * shares extents, so once the arguments pass Linux's checks the answer
 * is EOPNOTSUPP, as from a filesystem without remap_file_range (ext4,
 * tmpfs): EBADF for a bad source fd or a destination not open for
 * writing, EFAULT for a bad argument, EISDIR for directories, EINVAL for
 * other non-regular files.
 */
static long clone_ioctl(struct task *t, struct file *dst, unsigned cmd, uint64_t arg)
{
	struct file *src = NULL;
	struct kstat ss, ds;
	long r;
	int64_t sfd;

	if (cmd == L_FIDEDUPERANGE) {
		uint16_t count;
		if (copy_from_user(t, &count, arg + 16, sizeof count))
			return -EFAULT;
		src = file_get(dst);
	} else if (cmd == L_FICLONE) {
		sfd = (int64_t)(int)arg;
		src = fd_get(t, (int)sfd);
	} else {
		if (copy_from_user(t, &sfd, arg, sizeof sfd))
			return -EFAULT;
		src = fd_get(t, (int)sfd);
	}
	if (!src)
		return -EBADF;
	if ((src->flags & O_PATH) || (src->flags & O_ACCMODE) == O_WRONLY ||
	    (cmd != L_FIDEDUPERANGE && (dst->flags & O_ACCMODE) == O_RDONLY)) {
		r = -EBADF;
		goto out;
	}
	if (!src->ops->fstat || !dst->ops->fstat || src->ops->fstat(src, &ss) || dst->ops->fstat(dst, &ds)) {
		r = -EINVAL;
		goto out;
	}
	if (S_ISDIR(ss.mode) || S_ISDIR(ds.mode))
		r = -EISDIR;
	else if (!S_ISREG(ss.mode) || !S_ISREG(ds.mode))
		r = -EINVAL;
	else if (ss.dev != ds.dev)
		r = -EXDEV;
	else
		r = -EOPNOTSUPP;
out:
	file_put(src);
	return r;
}

long sys_ioctl(struct task *t, struct sysargs *a)
{
	int fd = arg_int(a, 0);
	unsigned cmd = arg_uint(a, 1);
	struct file *f = fd_get(t, fd);
	long r;
	int v;

	if (!f)
		return -EBADF;
	if (f->flags & O_PATH) {
		r = -EBADF;
		goto out;
	}
	if ((r = landlock_file_ioctl(f, cmd)))
		goto out;
	/* FIONREAD of a regular file: the bytes from the offset to the end
	 * (Linux's do_vfs_ioctl); other files answer it themselves */
	if (cmd == L_FIONREAD_) {
		struct kstat st;
		if (f->ops->fstat && !f->ops->fstat(f, &st) && S_ISREG(st.mode)) {
			v = (int)((int64_t)st.size - f->pos);
			r = copy_to_user(t, arg_ptr(a, 2), &v, sizeof(v));
			goto out;
		}
	}
	/* chattr's flags, on a filesystem that has them (inode_flags.c) */
	if ((r = inode_flags_ioctl(t, f, cmd, arg_ptr(a, 2))) != -ENOIOCTLCMD)
		goto out;
	switch (cmd) {
	case L_FIOCLEX:
		t->files->cloexec[fd] = 1;
		r = 0;
		break;
	case L_FIONCLEX:
		t->files->cloexec[fd] = 0;
		r = 0;
		break;
	case L_FIONBIO:
		r = copy_from_user(t, &v, arg_ptr(a, 2), sizeof(v));
		if (!r) {
			if (v)
				f->flags |= O_NONBLOCK;
			else
				f->flags &= ~O_NONBLOCK;
		}
		break;
	case L_FIOASYNC:
		r = copy_from_user(t, &v, arg_ptr(a, 2), sizeof(v));
		if (r)
			break;
		if (!!v != !!(f->flags & O_ASYNC)) {
			r = fasync_set(t, f, fd, v);
			if (!r)
				f->flags = v ? f->flags | O_ASYNC : f->flags & ~O_ASYNC;
		}
		break;
	case L_FICLONE:
	case L_FICLONERANGE:
	case L_FIDEDUPERANGE:
		r = clone_ioctl(t, f, cmd, arg_ptr(a, 2));
		break;
	default:
		/* inode flags (FS_IOC_GETFLAGS...: file_attr.c), job control
		 * (tty/tty_jobctrl.c), then the file's own */
		r = fileattr_ioctl(t, f, cmd, arg_ptr(a, 2));
		if (r == -ENOIOCTLCMD || r == -ENOTTY)
			r = tty_ioctl(t, f, cmd, arg_ptr(a, 2));
		if (r == -ENOIOCTLCMD)
			r = f->ops->ioctl ? f->ops->ioctl(t, f, cmd, arg_ptr(a, 2)) : -ENOTTY;
	}
out:
	file_put(f);
	return r;
}

/* sync(2), syncfs(2): guest data lives in host files and memfds, which
 * the host writes back; there is nothing of the kernel's own to flush. */
/* sync(2): the filesystems that hold data of their own (ext2's
 * sync_fs) write it back; the others have nothing to write. */
long sys_sync(struct task *t, struct sysargs *a)
{
	struct mnt_namespace *ns = current_mnt_ns();
	struct list_head *p;

	(void)t;
	(void)a;
	for (p = ns->mounts.next; p != &ns->mounts; p = p->next) {
		struct mount *m = list_entry(p, struct mount, link);

		if (m->ops->sync_fs)
			m->ops->sync_fs(m);
	}
	return 0;
}

long sys_syncfs(struct task *t, struct sysargs *a)
{
	struct file *f = fd_get(t, arg_int(a, 0));
	long r = 0;

	if (!f)
		return -EBADF;
	if (f->mnt && f->mnt->ops->sync_fs)
		r = f->mnt->ops->sync_fs(f->mnt);
	file_put(f);
	return r;
}

/* fadvise64(2), readahead(2): checked; WILLNEED and readahead read the
 * range into the page cache and DONTNEED drops its clean pages where umk
 * keeps one (ext2: mm/pagecache.c), other advice is a hint. */
long sys_fadvise64(struct task *t, struct sysargs *a)
{
	int advice = arg_int(a, 3);
	struct file *f = fd_get(t, arg_int(a, 0));
	if (!f)
		return -EBADF;
	bool pipe = f->path && !strncmp(f->path, "pipe:", 5);
	long r = 0;
	if (pipe)
		r = -ESPIPE;
	else if (advice < 0 || advice > 5 || (long)a->a[2] < 0)
		r = -EINVAL;
	else if (advice == 3 /* POSIX_FADV_WILLNEED */ && arg_long(a, 1) >= 0)
		pcache_willneed(t, f, (uint64_t)arg_long(a, 1), a->a[2]);
	else if (advice == 4 /* POSIX_FADV_DONTNEED */ && arg_long(a, 1) >= 0)
		pcache_dontneed(f, (uint64_t)arg_long(a, 1), a->a[2]);
	file_put(f);
	return r;
}

long sys_readahead(struct task *t, struct sysargs *a)
{
	/* ksys_readahead: an fd open for reading, of a regular file */
	struct file *f = fd_get(t, arg_int(a, 0));
	struct kstat st;
	if (!f || (f->flags & O_PATH) || (f->flags & O_ACCMODE) == O_WRONLY) {
		file_put(f);
		return -EBADF;
	}
	bool ok = f->ops->seekable && f->ops->fstat && !f->ops->fstat(f, &st) && S_ISREG(st.mode);
	if (ok && arg_long(a, 1) >= 0 && a->a[2])
		pcache_willneed(t, f, (uint64_t)arg_long(a, 1), a->a[2]);
	file_put(f);
	return ok ? 0 : -EINVAL;
}

/* preadv2(2)/pwritev2(2): as preadv/pwritev; offset -1 means the file
 * offset (as readv/writev).  The RWF_* hints are accepted; RWF_NOWAIT
 * reads of a file whose page cache umk keeps (ext2: mm/pagecache.c) stop
 * where the cached pages do, EAGAIN if the first is not; unknown flags
 * EOPNOTSUPP. */
static long do_rwv2(struct task *t, struct sysargs *a, bool write)
{
	int flags = arg_int(a, 5);
	if (flags & ~(0x1 | 0x2 | 0x4 | 0x8 | 0x10)) /* HIPRI DSYNC SYNC NOWAIT APPEND */
		return -EOPNOTSUPP;
	if (flags & 0x8) {
		/* RWF_NOWAIT needs FMODE_NOWAIT, which shmem files (tmpfs,
		 * memfd) lack in Linux: EOPNOTSUPP (kiocb_set_rw_flags) */
		struct file *f = fd_get(t, arg_int(a, 0));
		bool shmem = f && tmpfs_file_memfd(f) >= 0;
		file_put(f);
		if (shmem)
			return -EOPNOTSUPP;
	}
	int64_t off = arg_long(a, 3);
	bool nowait = flags & 0x8;
	if (off == -1)
		return do_rwv_flags(t, arg_int(a, 0), arg_ptr(a, 1), arg_int(a, 2), 0, write, false, nowait);
	return do_rwv_flags(t, arg_int(a, 0), arg_ptr(a, 1), arg_int(a, 2), off, write, true, nowait);
}

long sys_preadv2(struct task *t, struct sysargs *a)
{
	return do_rwv2(t, a, false);
}

long sys_pwritev2(struct task *t, struct sysargs *a)
{
	return do_rwv2(t, a, true);
}

/* sync_file_range(2): data reaches the host's page cache with every write,
 * so there is nothing to start; the arguments are checked as Linux does. */
long sys_sync_file_range(struct task *t, struct sysargs *a)
{
	int64_t off = arg_long(a, 1), n = arg_long(a, 2);
	unsigned flags = arg_uint(a, 3);
	int64_t end;
	if (flags & ~7U || off < 0 || n < 0 || __builtin_add_overflow(off, n, &end))
		return -EINVAL;
	struct file *f = fd_get(t, arg_int(a, 0));
	struct kstat st;
	if (!f || (f->flags & O_PATH)) {
		file_put(f);
		return -EBADF;
	}
	/* regular files, block devices, directories and symlinks only */
	bool ok = f->ops->fstat && !f->ops->fstat(f, &st) &&
		  (S_ISREG(st.mode) || S_ISBLK(st.mode) || S_ISDIR(st.mode) || S_ISLNK(st.mode));
	file_put(f);
	return ok ? 0 : -ESPIPE;
}

/*
 * vhangup(2) (Linux's fs/open.c): -EPERM without CAP_SYS_ADMIN, else 0.
 * umk does not hang up the caller's controlling terminal (its other
 * users keep it); a caller without one (after setsid) sees Linux's result.
 */
long sys_vhangup(struct task *t, struct sysargs *a)
{
	(void)a;
	return capable(t, CAP_SYS_ADMIN) ? 0 : -EPERM;
}
