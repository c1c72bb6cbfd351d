/*
 * filemap.c - cachestat(2): the page-cache state of a range of a file
 * (Linux's mm/filemap.c, 6.5).
 *
 * In a nutshell: a guest file's pages live in a host file (the host
 * root's files) or a host memfd (tmpfs, shm), so a regular file is
 * answered by the host's cachestat on the fd behind it, which knows which
 * of those pages are cached, dirty, under writeback or evicted.  Other
 * files (pipes, sockets, procfs, devices) have no pages: all zeros, as
 * Linux's empty mappings give.  umk has no hugetlbfs, so EOPNOTSUPP never
 * arises.
 *
 * Lock: klock, held by the caller.
 */
#include "mm.h"
#include "../kernel/task.h"
#include "../fs/fs.h"
#include "../fs/tmpfs.h"   /* vfs_permission */

#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

struct cachestat_range { uint64_t off, len; };
struct cachestat {
	uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted;
};

/* can_do_cachestat: opened for writing, owned (or CAP_FOWNER), or
 * writable by the caller (a read-only open of someone else's file could
 * otherwise watch what others read, a side channel Linux closed in 6.10). */
static bool may_cachestat(struct task *t, struct file *f, const struct kstat *st)
{
	if ((f->flags & O_ACCMODE) != O_RDONLY)
		return true;
	if (st->uid == t->cred.fsuid || capable(t, CAP_FOWNER))
		return true;
	return vfs_permission(t, st, 2 /* MAY_WRITE */) == 0;
}

/*
 * sys_cachestat - cachestat(fd, range, cstat, flags): the pages of
 * [range.off, range.off + range.len) (len 0: to the end) that are in
 * the page cache, dirty, under writeback, evicted and recently evicted.
 * -EBADF (no fd, an O_PATH fd), -EFAULT, -EPERM (see may_cachestat),
 * -EINVAL (flags).  Linux's mm/filemap.c, cachestat(2).
 */
long sys_cachestat(struct task *t, struct sysargs *a)
{
	struct file *f = fd_get(t, arg_int(a, 0));
	struct cachestat_range r;
	struct cachestat cs;
	struct kstat st;
	long err = 0;

	if (!f)
		return -EBADF;
	memset(&cs, 0, sizeof cs);
	memset(&st, 0, sizeof st);
	if (f->flags & O_PATH)
		err = -EBADF;
	else if (copy_from_user(t, &r, arg_ptr(a, 1), sizeof r))
		err = -EFAULT;
	else if (tmpfs_file_huge(f))
		err = -EOPNOTSUPP;   /* is_file_hugepages (mm/hugetlb.c) */
	else if (f->ops->fstat && f->ops->fstat(f, &st) == 0 && !may_cachestat(t, f, &st))
		err = -EPERM;
	else if (arg_uint(a, 3))
		err = -EINVAL;
	if (!err && S_ISREG(st.mode) && f->ops->host_fd) {
		int hfd = f->ops->host_fd(f);
		/* the host's answer for the pages behind the file; a host
		 * without cachestat leaves the zeros */
		if (hfd >= 0 && syscall(451 /* cachestat */, hfd, &r, &cs, 0) < 0)
			memset(&cs, 0, sizeof cs);
	}
	file_put(f);
	if (!err && copy_to_user(t, arg_ptr(a, 2), &cs, sizeof cs))
		err = -EFAULT;
	return err;
}
