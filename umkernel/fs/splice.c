/*
 * splice.c - moving data between files inside the kernel: splice(2),
 * tee(2), vmsplice(2) and copy_file_range(2).
 *
 * In a nutshell: data moves through a kernel bounce buffer, at most
 * SPLICE_CHUNK bytes per splice/tee call (Linux moves at most a pipe's
 * worth too).  A pipe's data is peeked first and consumed only once the
 * other side has taken it (pipe.c's pipe_peek/pipe_consume), so a write
 * that fails or falls short loses nothing; a file read past what the pipe
 * accepted is undone by moving the offset back.  copy_file_range loops
 * over the whole length between regular files.  SPLICE_F_NONBLOCK makes
 * the pipe side not wait (the file side may still block), as in Linux.
 *
 * Locking: everything runs under klock, held by the caller; the pipe and
 * file ops drop it only inside task_sleep.
 */
#include "../kernel.h"
#include "fs.h"
#include "tmpfs.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SPLICE_CHUNK   65536
#define MAX_RW_COUNT   0x7ffff000L
#define SPLICE_F_ALL   (SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | SPLICE_F_GIFT)

static bool can_read(struct file *f)
{
	return !(f->flags & O_PATH) && (f->flags & O_ACCMODE) != O_WRONLY;
}

static bool can_write(struct file *f)
{
	return !(f->flags & O_PATH) && (f->flags & O_ACCMODE) != O_RDONLY;
}

/* Reads a guest loff_t (uoff != 0): -EFAULT, -EINVAL if negative. */
static int get_off(struct task *t, uint64_t uoff, int64_t *off)
{
	if (copy_from_user(t, off, uoff, sizeof(*off)))
		return -EFAULT;
	return *off < 0 ? -EINVAL : 0;
}

/* pipe -> file or pipe: peek, write, consume what was written. */
static long splice_from_pipe(struct task *t, struct file *in, struct file *out, int64_t *opos,
			     size_t len, bool nonblock, char *buf)
{
	ssize_t n, w;

	n = pipe_peek(t, in, buf, len, nonblock);
	if (n <= 0)
		return n;
	if (file_is_pipe(out))
		w = pipe_write_nb(t, out, buf, n, nonblock);
	else
		w = out->ops->write ? file_write(t, out, buf, n, opos) : -EINVAL;
	if (w > 0)
		pipe_consume(in, w);
	return w;
}

/* file -> pipe: read at *ipos, write into the pipe, undo the unwritten. */
static long splice_to_pipe(struct task *t, struct file *in, int64_t *ipos, struct file *out,
			   size_t len, bool nonblock, char *buf)
{
	ssize_t n, w;
	struct kstat st;

	/* a directory has no splice_read: EINVAL (do_splice_read) */
	if (!in->ops->read || (in->ops->fstat && !in->ops->fstat(in, &st) && S_ISDIR(st.mode)))
		return -EINVAL;
	n = file_read(t, in, buf, len, ipos);
	if (n <= 0)
		return n;
	w = pipe_write_nb(t, out, buf, n, nonblock);
	if (w < n)
		*ipos -= n - (w > 0 ? w : 0);
	return w;
}

/*
 * sys_splice(fd_in, off_in, fd_out, off_out, len, flags) - moves up to
 * len bytes where one side at least is a pipe; off_in/off_out (non-pipe
 * sides only) give the file offset to use and update instead of the
 * file's own.  Returns the bytes moved, 0 at EOF.  -EINVAL (no pipe,
 * unknown flags, the same pipe both sides, an O_APPEND output file),
 * -ESPIPE (an offset for a pipe or an unseekable file), -EBADF, -EFAULT,
 * -EAGAIN, -ERESTARTSYS.
 */
long sys_splice(struct task *t, struct sysargs *a)
{
	struct file *in = fd_get(t, arg_int(a, 0)), *out = fd_get(t, arg_int(a, 2));
	uint64_t uoin = arg_ptr(a, 1), uoout = arg_ptr(a, 3);
	size_t len = arg_long(a, 4);
	unsigned int flags = arg_uint(a, 5);
	bool nonblock = flags & SPLICE_F_NONBLOCK, ipipe, opipe;
	int64_t ioff = 0, ooff = 0;
	char *buf = NULL;
	long r;

	r = -EBADF;
	if (!in || !out || !can_read(in) || !can_write(out))
		goto out;
	r = -EINVAL;
	if (flags & ~SPLICE_F_ALL)
		goto out;
	ipipe = file_is_pipe(in);
	opipe = file_is_pipe(out);
	if (!ipipe && !opipe)
		goto out;
	if (ipipe && opipe && in->priv && out->priv && in->path && !strcmp(in->path, out->path))
		goto out;       /* both ends of one pipe */
	if (!opipe && (out->flags & O_APPEND))
		goto out;
	/* anon-inode files (eventfd, timerfd, signalfd, epoll, inotify,
	 * pidfd) have no splice_read/splice_write: EINVAL before any wait */
	if ((!ipipe && in->ops->fstat == anon_inode_fstat) || (!opipe && out->ops->fstat == anon_inode_fstat))
		goto out;
	r = -ESPIPE;
	if ((ipipe && uoin) || (opipe && uoout))
		goto out;
	if ((uoin && !file_seekable(in)) || (uoout && !file_seekable(out)))
		goto out;
	if (uoin && (r = get_off(t, uoin, &ioff)))
		goto out;
	if (uoout && (r = get_off(t, uoout, &ooff)))
		goto out;
	r = 0;
	if (!len)
		goto out;
	if (len > SPLICE_CHUNK)
		len = SPLICE_CHUNK;
	buf = malloc(len);
	r = -ENOMEM;
	if (!buf)
		goto out;
	if (ipipe)
		r = splice_from_pipe(t, in, out, uoout ? &ooff : &out->pos, len, nonblock, buf);
	else
		r = splice_to_pipe(t, in, uoin ? &ioff : &in->pos, out, len, nonblock, buf);
	if (r > 0 && ((uoin && copy_to_user(t, uoin, &ioff, sizeof(ioff))) ||
		      (uoout && copy_to_user(t, uoout, &ooff, sizeof(ooff)))))
		r = -EFAULT;
	if (r > 0) {
		fsnotify_file(in, IN_ACCESS_);
		fsnotify_file(out, IN_MODIFY_);
	}
out:
	free(buf);
	file_put(in);
	file_put(out);
	return r;
}

/*
 * sys_tee(fd_in, fd_out, len, flags) - copies up to len bytes from pipe
 * fd_in to pipe fd_out without consuming them.  Returns the count, 0 when
 * fd_in is empty with no writer.  -EINVAL (not two pipes, the same pipe,
 * unknown flags), -EBADF, -EAGAIN, -ERESTARTSYS.
 */
long sys_tee(struct task *t, struct sysargs *a)
{
	struct file *in = fd_get(t, arg_int(a, 0)), *out = fd_get(t, arg_int(a, 1));
	size_t len = arg_long(a, 2);
	unsigned int flags = arg_uint(a, 3);
	bool nonblock = flags & SPLICE_F_NONBLOCK;
	char *buf = NULL;
	ssize_t n;
	long r;

	r = -EBADF;
	if (!in || !out || !can_read(in) || !can_write(out))
		goto out;
	r = -EINVAL;
	if ((flags & ~SPLICE_F_ALL) || !file_is_pipe(in) || !file_is_pipe(out) ||
	    !strcmp(in->path, out->path))
		goto out;
	r = 0;
	if (!len)
		goto out;
	if (len > SPLICE_CHUNK)
		len = SPLICE_CHUNK;
	buf = malloc(len);
	r = -ENOMEM;
	if (!buf)
		goto out;
	n = pipe_peek(t, in, buf, len, nonblock);
	r = n <= 0 ? n : pipe_write_nb(t, out, buf, n, nonblock);
	if (r > 0) {
		fsnotify_file(in, IN_ACCESS_);
		fsnotify_file(out, IN_MODIFY_);
	}
out:
	free(buf);
	file_put(in);
	file_put(out);
	return r;
}

/*
 * sys_copy_file_range(fd_in, off_in, fd_out, off_out, len, flags) -
 * copies len bytes (fewer at EOF) between regular files, at *off_in and
 * *off_out when given (updated), else at and moving the files' offsets.
 * Returns the bytes copied.  -EXDEV (files of two filesystems), -EINVAL (flags not 0, not regular files,
 * negative offsets, overlapping ranges of one file), -EISDIR, -EBADF
 * (input not readable, output not writable or O_APPEND), -EFAULT, -EFBIG,
 * the files' errors.
 */
long sys_copy_file_range(struct task *t, struct sysargs *a)
{
	struct file *in = fd_get(t, arg_int(a, 0)), *out = fd_get(t, arg_int(a, 2));
	uint64_t uoin = arg_ptr(a, 1), uoout = arg_ptr(a, 3);
	size_t len = arg_long(a, 4), done = 0;
	int64_t ioff, ooff, *ipos, *opos;
	struct kstat ist, ost;
	char *buf = NULL;
	long r;

	r = -EINVAL;
	if (arg_uint(a, 5))
		goto out;
	r = -EBADF;
	if (!in || !out)
		goto out;
	/* the types first, then the modes (generic_file_rw_checks) */
	r = -EINVAL;
	if (!in->ops->fstat || !out->ops->fstat || in->ops->fstat(in, &ist) ||
	    out->ops->fstat(out, &ost))
		goto out;
	if (S_ISDIR(ist.mode) || S_ISDIR(ost.mode)) {
		r = -EISDIR;
		goto out;
	}
	if (!S_ISREG(ist.mode) || !S_ISREG(ost.mode) || !in->ops->read || !out->ops->write)
		goto out;
	r = -EBADF;
	if (!can_read(in) || !can_write(out) || (out->flags & O_APPEND))
		goto out;
	r = -EXDEV;   /* files of two filesystems: Linux (since 5.19) leaves it to the caller */
	if (ist.dev != ost.dev)
		goto out;
	ioff = in->pos;
	ooff = out->pos;
	if (uoin && (r = get_off(t, uoin, &ioff)))
		goto out;
	if (uoout && (r = get_off(t, uoout, &ooff)))
		goto out;
	if (len > MAX_RW_COUNT)
		len = MAX_RW_COUNT;
	r = -EINVAL;
	if (ist.dev == ost.dev && ist.ino == ost.ino && ioff < ooff + (int64_t)len &&
	    ooff < ioff + (int64_t)len)
		goto out;
	r = -EFBIG;
	if (ooff + (int64_t)len < 0 || ioff + (int64_t)len < 0)
		goto out;
	r = 0;
	if (!len)
		goto out;
	buf = malloc(SPLICE_CHUNK);
	r = -ENOMEM;
	if (!buf)
		goto out;
	/* No offset given: use the files' own, so that a host fd whose offset
	 * the host shares (stdout redirected to a file) moves it as write(2). */
	ipos = uoin ? &ioff : &in->pos;
	opos = uoout ? &ooff : &out->pos;
	r = 0;
	while (done < len) {
		size_t c = len - done < SPLICE_CHUNK ? len - done : SPLICE_CHUNK;
		ssize_t n = file_read(t, in, buf, c, ipos), w;

		if (n <= 0) {
			r = n;
			break;
		}
		w = file_write(t, out, buf, n, opos);
		if (w < 0) {
			*ipos -= n;
			r = w;
			break;
		}
		done += w;
		if (w < n) {
			*ipos -= n - w;
			break;
		}
	}
	if (done) {
		r = done;
		fsnotify_file(in, IN_ACCESS_);
		fsnotify_file(out, IN_MODIFY_);
	}
	tmpfs_file_touch(out);
	if (uoin && copy_to_user(t, uoin, &ioff, sizeof(ioff)) && !done)
		r = -EFAULT;
	if (uoout && copy_to_user(t, uoout, &ooff, sizeof(ooff)) && !done)
		r = -EFAULT;
out:
	free(buf);
	file_put(in);
	file_put(out);
	return r;
}

#define UIO_MAXIOV_ 1024

/* vmsplice into a pipe: waits (unless nonblock) for room, then takes what
 * fits, as Linux's vmsplice_to_pipe (wait_for_space, then iter_to_pipe). */
static long vmsplice_to_pipe(struct task *t, struct file *f, const char *kb, size_t n, bool nonblock)
{
	ssize_t w = pipe_write_nb(t, f, kb, n, true);
	if (w != -EAGAIN || nonblock)
		return w;
	/* full: one byte blocking (it waits for room), the rest as fits */
	w = pipe_write_nb(t, f, kb, 1, false);
	if (w <= 0 || n == 1)
		return w;
	ssize_t more = pipe_write_nb(t, f, kb + 1, n - 1, true);
	return more > 0 ? w + more : w;
}

/*
 * sys_vmsplice(fd, iov, nr_segs, flags) - vmsplice(2): a pipe's write end
 * takes the user memory the iovecs name (copied here: SPLICE_F_GIFT moves
 * nothing), a pipe's read end gives its data to them.  Returns the bytes
 * moved (a write takes what fits once there is room; a read what the pipe
 * holds, 0 with no writer).  -EINVAL (unknown flags, more than 1024
 * segments, a negative length), -EBADF (not open, not a pipe, O_PATH),
 * -EFAULT, -EAGAIN with SPLICE_F_NONBLOCK, -ERESTARTSYS.  Mirrors
 * fs/splice.c's vmsplice in its checks' order.
 */
long sys_vmsplice(struct task *t, struct sysargs *a)
{
	uint64_t uiov = arg_ptr(a, 1);
	unsigned long nr = arg_long(a, 2);
	unsigned int flags = arg_uint(a, 3);
	struct linux_iovec *iov = NULL;
	struct file *f;
	char *kb = NULL;
	uint64_t sum = 0;
	long r;

	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	f = fd_get(t, arg_int(a, 0));
	if (!f)
		return -EBADF;
	bool write = can_write(f);
	r = -EBADF;
	if (!write && !can_read(f))
		goto out;
	r = -EINVAL;
	if (nr > UIO_MAXIOV_)
		goto out;
	r = 0;
	if (!nr)
		goto out;
	r = -ENOMEM;
	iov = malloc(nr * sizeof(*iov));
	if (!iov)
		goto out;
	r = -EFAULT;
	if (copy_from_user(t, iov, uiov, nr * sizeof(*iov)))
		goto out;
	for (unsigned long i = 0; i < nr; i++) {
		r = -EINVAL;
		if ((int64_t)iov[i].iov_len < 0 || (sum += iov[i].iov_len) > MAX_RW_COUNT)
			goto out;
	}
	r = 0;
	if (!sum)
		goto out;
	r = -EBADF;
	if (!file_is_pipe(f))
		goto out;
	r = -ENOMEM;
	kb = malloc(sum);
	if (!kb)
		goto out;
	if (write) {
		size_t off = 0;
		for (unsigned long i = 0; i < nr; i++) {
			r = -EFAULT;
			if (copy_from_user(t, kb + off, iov[i].iov_base, iov[i].iov_len))
				goto out;
			off += iov[i].iov_len;
		}
		r = vmsplice_to_pipe(t, f, kb, sum, flags & SPLICE_F_NONBLOCK);
	} else {
		r = pipe_peek(t, f, kb, sum, flags & SPLICE_F_NONBLOCK);
		if (r <= 0)
			goto out;
		size_t off = 0;
		for (unsigned long i = 0; i < nr && off < (size_t)r; i++) {
			size_t c = iov[i].iov_len < (size_t)r - off ? iov[i].iov_len : (size_t)r - off;
			if (c && copy_to_user(t, iov[i].iov_base, kb + off, c))
				break;
			off += c;
		}
		if (!off) {
			r = -EFAULT;
			goto out;
		}
		pipe_consume(f, off);
		r = off;
	}
	if (r > 0)
		fsnotify_file(f, write ? IN_MODIFY_ : IN_ACCESS_);
out:
	free(kb);
	free(iov);
	file_put(f);
	return r;
}
