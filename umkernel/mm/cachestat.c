/*
 * cachestat.c - cachestat(2): the page cache state of a file's range
 * (Linux's mm/filemap.c, SYSCALL cachestat).
 *
 * In a nutshell: a file's pages live in the host's page cache (hostfs),
 * in a memfd (tmpfs), or in ext2's per-inode cache and its device;
 * umk keeps no per-page residency, so every page of the range that lies
 * inside a regular file is reported cached, none dirty, under writeback
 * or evicted (a file just written and fsynced, as Linux would show it).
 * Other files (pipes, sockets, devices, directories) have no pages: all
 * zeros.
 *
 * Lock: klock, held.
 */
#include "../kernel.h"
#include "../fs/fs.h"
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

struct linux_cachestat_range { uint64_t off, len; };
struct linux_cachestat {
	uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted;
};

/*
 * cachestat(fd, cstat_range, cstat, flags): -EBADF (fd), -EPERM (a file
 * the caller may not write, does not own and has no CAP_FOWNER over:
 * can_do_cachestat), -EINVAL (flags), -EFAULT (either pointer).
 */
long sys_cachestat(struct task *t, struct sysargs *a)
{
	struct file *f = fd_get(t, arg_int(a, 0));
	struct linux_cachestat_range r;
	struct linux_cachestat cs = { 0 };
	struct kstat st;
	long err;

	if (!f)
		return -EBADF;
	memset(&st, 0, sizeof st);
	if (f->ops->fstat && f->ops->fstat(f, &st))
		memset(&st, 0, sizeof st);
	err = -EPERM;
	if (!(f->flags & (O_WRONLY | O_RDWR)) && st.uid != t->cred.fsuid && !capable(t, CAP_FOWNER))
		goto out;
	err = -EINVAL;
	if (arg_uint(a, 3))
		goto out;
	err = -EFAULT;
	if (copy_from_user(t, &r, a->a[1], sizeof r))
		goto out;
	if (S_ISREG(st.mode) && st.size && r.off < st.size) {
		uint64_t first = r.off / 4096, end = st.size;
		if (r.len && r.len <= st.size - r.off)
			end = r.off + r.len;
		cs.nr_cache = (end + 4095) / 4096 - first;
	}
	err = copy_to_user(t, a->a[2], &cs, sizeof cs) ? -EFAULT : 0;
out:
	file_put(f);
	return err;
}
