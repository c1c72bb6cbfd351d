/*
 * cachestat.c - cachestat(2) (Linux's mm/filemap.c): the page cache state
 * of a file over a byte range.
 *
 * A file umk keeps in a host file or memfd (hostfs and overlay files,
 * tmpfs files, memfds) has its pages in the host's page cache, so the
 * host's cachestat on that fd is the answer, as Linux's would be: the
 * pages present, dirty, under writeback, evicted.  Files with no host
 * file behind them (pipes, sockets, procfs) hold no page cache: zeros.
 * A host kernel without cachestat (before 6.5): every page of the range
 * inside the file counts as cached.
 *
 * Lock: klock, held (the host call does not block).
 */
#include "../kernel.h"
#include "mm.h"
#include "../fs/fs.h"
#include "../fs/tmpfs.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NR_CACHESTAT 451

struct linux_cachestat_range {
	uint64_t off, len;
};

struct linux_cachestat {
	uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted;
};

/* Every page of [off, off+len) inside a file of size bytes (len 0: to
 * the end; an end that wraps: nothing), Linux's first/last index rule. */
static uint64_t pages_inside(uint64_t size, uint64_t off, uint64_t len)
{
	uint64_t first = off >> 12, last = len ? (off + len - 1) >> 12 : UINT64_MAX;
	uint64_t end = size ? (size - 1) >> 12 : 0;

	if (!size || first > end || last < first)
		return 0;
	return (last < end ? last : end) - first + 1;
}

/*
 * cachestat(fd, range, cstat, flags): 0 and *cstat, or -EBADF, -EFAULT
 * (range unreadable), -EOPNOTSUPP (a hugetlb file), -EINVAL (flags not
 * 0), -EFAULT (cstat unwritable) in that order, as Linux checks them.
 */
long sys_cachestat(struct task *t, struct sysargs *a)
{
	struct file *f = fd_get(t, arg_int(a, 0));
	struct linux_cachestat_range r;
	struct linux_cachestat cs;
	struct kstat st;
	long err = 0;

	if (!f || (f->flags & O_PATH)) {   /* fdget() does not see O_PATH files */
		file_put(f);
		return -EBADF;
	}
	if (copy_from_user(t, &r, a->a[1], sizeof r)) {
		err = -EFAULT;
		goto out;
	}
	if (tmpfs_file_huge(f)) {
		err = -EOPNOTSUPP;
		goto out;
	}
	if (arg_uint(a, 3)) {
		err = -EINVAL;
		goto out;
	}
	memset(&cs, 0, sizeof cs);
	if (f->ops->fstat && !f->ops->fstat(f, &st) && S_ISREG(st.mode)) {
		int hfd = f->ops->host_fd ? f->ops->host_fd(f) : -1;

		if (hfd < 0 || syscall(NR_CACHESTAT, hfd, &r, &cs, 0) < 0) {
			memset(&cs, 0, sizeof cs);
			if (hfd >= 0)
				cs.nr_cache = pages_inside(st.size, r.off, r.len);
		}
	}
	if (copy_to_user(t, a->a[2], &cs, sizeof cs))
		err = -EFAULT;
out:
	file_put(f);
	return err;
}
