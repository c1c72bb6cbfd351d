/*
 * io_fault.c - the file layer's side of --inject-io: a failing disk
 * under a path (UMLinux's block-device faults, Linux's fail_make_request
 * one layer up).
 *
 * In a nutshell: file_read(), file_write() and file_fsync() (fs.h) are
 * the file's own ops unless an I/O fault is configured; then they come
 * here, ask debug/fault_io.c whether this operation on this file fails,
 * and apply the answer: EIO or ENOSPC instead of the operation, half the
 * bytes asked (short), one flipped bit in the data read or written
 * (corrupt; the guest's buffer and the file's own bytes are never
 * touched, only the copy in between), or a delay before it.
 * vfs_open() asks file_open_fault() after its path walk.  Only files
 * that live on a mount and have an absolute guest path are candidates
 * (not pipes, sockets or umk's own stdio).
 *
 * Lock: klock (fault_delay drops it while it sleeps).
 */
#include "../kernel.h"
#include "fs.h"
#include <stdlib.h>
#include <string.h>

static bool io_candidate(struct file *f)
{
	return f->mnt && f->path && f->path[0] == '/';
}

ssize_t file_read_faulty(struct task *t, struct file *f, void *kb, size_t n, int64_t *pos)
{
	struct fio_hit h;
	if (!io_candidate(f) || !fault_io_check(t, f->path, FIO_READ, n, pos ? *pos : -1, &h))
		return f->ops->read(t, f, kb, n, pos);
	switch (h.fault) {
	case FIOF_EIO:
		return -EIO;
	case FIOF_ENOSPC:
		return -ENOSPC;
	case FIOF_DELAY:
		fault_delay(t, h.delay_ns);
		break;
	case FIOF_SHORT:
		n = h.n;
		break;
	case FIOF_CORRUPT: {
		ssize_t r = f->ops->read(t, f, kb, n, pos);
		if (r > 0)
			fault_io_corrupt(t, &h, kb, (size_t)r);
		return r;
	}
	}
	return f->ops->read(t, f, kb, n, pos);
}

ssize_t file_write_faulty(struct task *t, struct file *f, const void *kb, size_t n, int64_t *pos)
{
	struct fio_hit h;
	if (!io_candidate(f) || !fault_io_check(t, f->path, FIO_WRITE, n, pos ? *pos : -1, &h))
		return f->ops->write(t, f, kb, n, pos);
	switch (h.fault) {
	case FIOF_EIO:
		return -EIO;
	case FIOF_ENOSPC:
		return -ENOSPC;
	case FIOF_DELAY:
		fault_delay(t, h.delay_ns);
		break;
	case FIOF_SHORT:
		n = h.n;
		break;
	case FIOF_CORRUPT: {
		void *copy = malloc(n ? n : 1);
		if (!copy)
			return -ENOMEM;
		memcpy(copy, kb, n);
		fault_io_corrupt(t, &h, copy, n);
		ssize_t r = f->ops->write(t, f, copy, n, pos);
		free(copy);
		return r;
	}
	}
	return f->ops->write(t, f, kb, n, pos);
}

int file_fsync_faulty(struct task *t, struct file *f)
{
	struct fio_hit h;
	if (io_candidate(f) && fault_io_check(t, f->path, FIO_FSYNC, 0, -1, &h)) {
		if (h.fault == FIOF_EIO)
			return -EIO;
		if (h.fault == FIOF_ENOSPC)
			return -ENOSPC;
		if (h.fault == FIOF_DELAY)
			fault_delay(t, h.delay_ns);
	}
	return f->ops->fsync(f);
}

int file_open_fault(struct task *t, const char *abs)
{
	struct fio_hit h;
	if (!t || !fault_io_check(t, abs, FIO_OPEN, 0, -1, &h))
		return 0;
	if (h.fault == FIOF_EIO)
		return -EIO;
	if (h.fault == FIOF_ENOSPC)
		return -ENOSPC;
	if (h.fault == FIOF_DELAY)
		fault_delay(t, h.delay_ns);
	return 0;
}
