/*
 * fdtable.c - per-process file descriptor tables (Linux's files_struct).
 *
 * A table maps small ints to struct file references plus a close-on-exec
 * bit.  Tables are shared by CLONE_FILES tasks (refs) and copied by fork.
 * New descriptors take the lowest free slot at or above a minimum, below
 * RLIMIT_NOFILE (EMFILE otherwise), found from next_fd (every fd below
 * it is open) so that a process with many fds does not scan them all on
 * each open.  The slot arrays grow on demand.
 *
 * Locking: everything here runs under klock.
 */
#include "../kernel.h"
#include "fs.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define NR_OPEN_MAX (1 << 20)   /* Linux's fs.nr_open default */

/* fdtable_new - an empty table with one reference; NULL on ENOMEM. */
struct fdtable *fdtable_new(void)
{
	struct fdtable *ft = calloc(1, sizeof(*ft));

	if (!ft)
		return NULL;
	ft->refs = 1;
	return ft;
}

static int fdtable_grow(struct fdtable *ft, int need)
{
	int n = ft->nfds ? ft->nfds : 64;
	struct file **files;
	uint8_t *ce;

	if (need <= ft->nfds)
		return 0;
	while (n < need)
		n *= 2;
	files = realloc(ft->files, n * sizeof(*files));
	if (!files)
		return -ENOMEM;
	ft->files = files;
	ce = realloc(ft->cloexec, n);
	if (!ce)
		return -ENOMEM;
	ft->cloexec = ce;
	memset(ft->files + ft->nfds, 0, (n - ft->nfds) * sizeof(*files));
	memset(ft->cloexec + ft->nfds, 0, n - ft->nfds);
	ft->nfds = n;
	return 0;
}

/*
 * fdtable_dup_check - whether a copy of ft may be made under fs.nr_open:
 * -EMFILE when its open fds reach past the embedded 64 slots and past
 * nr_open (a lowered fs.nr_open, as Linux's dup_fd -> alloc_fdtable),
 * else 0.
 */
int fdtable_dup_check(const struct fdtable *ft)
{
	long open_files = 0;

	for (int i = ft->nfds - 1; i >= 0; i--)
		if (ft->files[i]) {
			open_files = i + 1;
			break;
		}
	open_files = (open_files + 63) & ~63L;   /* sane_fdtable_size: whole words */
	return open_files > 64 && open_files > sysctl_nr_open ? -EMFILE : 0;
}

/* fdtable_dup - fork's copy: every open fd shares its file; NULL on ENOMEM. */
struct fdtable *fdtable_dup(struct fdtable *old)
{
	struct fdtable *ft = fdtable_new();
	int i;

	if (!ft)
		return NULL;
	if (fdtable_grow(ft, old->nfds)) {
		fdtable_put(ft);
		return NULL;
	}
	for (i = 0; i < old->nfds; i++) {
		ft->files[i] = file_get(old->files[i]);
		ft->cloexec[i] = old->cloexec[i];
	}
	ft->next_fd = old->next_fd;
	return ft;
}

/* filp_close: a descriptor of table ft's reference to f goes (the file's
 * flush op first, and ft's dnotify watches on f). */
static void filp_close(const struct fdtable *ft, struct file *f)
{
	if (f && dnotify_nr)
		dnotify_flush(f, ft);
	if (f && f->ops && f->ops->flush)
		f->ops->flush(current, f);
	file_put(f);
}

/* fdtable_put - drops a reference; the last closes every descriptor. */
void fdtable_put(struct fdtable *ft)
{
	int i;

	if (!ft || --ft->refs > 0)
		return;
	for (i = 0; i < ft->nfds; i++)
		filp_close(ft, ft->files[i]);
	free(ft->files);
	free(ft->cloexec);
	free(ft);
}

static int nofile_limit(struct task *t)
{
	uint64_t lim = FD_MAX;

	if (t->tg && t->tg->rlim[RLIMIT_NOFILE].rlim_cur)
		lim = t->tg->rlim[RLIMIT_NOFILE].rlim_cur;
	return lim > NR_OPEN_MAX ? NR_OPEN_MAX : (int)lim;
}

/* fd_get - a new reference to the file at fd, or NULL (EBADF). */
struct file *fd_get(struct task *t, int fd)
{
	struct fdtable *ft = t->files;

	if (!ft || fd < 0 || fd >= ft->nfds)
		return NULL;
	return file_get(ft->files[fd]);
}

/*
 * fd_install - puts f at the lowest free fd >= minfd.  Always consumes
 * the caller's reference to f (it is dropped on failure).  Returns the fd,
 * -EMFILE past RLIMIT_NOFILE (as open/dup do), -EINVAL if minfd is past
 * it (as F_DUPFD does), -ENOMEM.
 */
int fd_install(struct task *t, int minfd, struct file *f, bool cloexec)
{
	struct fdtable *ft = t->files;
	int lim = nofile_limit(t), fd, err;

	if (minfd < 0 || minfd >= lim) {
		err = -EINVAL;
		goto fail;
	}
	for (fd = minfd > ft->next_fd ? minfd : ft->next_fd; fd < ft->nfds && ft->files[fd]; fd++)
		;
	if (fd >= lim) {
		err = -EMFILE;
		goto fail;
	}
	err = fdtable_grow(ft, fd + 1);
	if (err)
		goto fail;
	ft->files[fd] = f;
	ft->cloexec[fd] = cloexec;
	if (minfd <= ft->next_fd)
		ft->next_fd = fd + 1;
	return fd;
fail:
	file_put(f);
	return err;
}

/*
 * fd_install_at - puts f at exactly fd, closing what was there (dup2).
 * Always consumes the reference to f.  -EBADF if fd is negative or past
 * RLIMIT_NOFILE (dup2's errno), -ENOMEM.
 */
int fd_install_at(struct task *t, int fd, struct file *f, bool cloexec)
{
	struct fdtable *ft = t->files;
	struct file *old;
	int err;

	if (fd < 0 || fd >= nofile_limit(t)) {
		err = -EBADF;
		goto fail;
	}
	err = fdtable_grow(ft, fd + 1);
	if (err)
		goto fail;
	old = ft->files[fd];
	ft->files[fd] = f;
	ft->cloexec[fd] = cloexec;
	filp_close(ft, old);
	return fd;
fail:
	file_put(f);
	return err;
}

/* fd_close - closes fd: 0 or -EBADF. */
int fd_close(struct task *t, int fd)
{
	struct fdtable *ft = t->files;
	struct file *f;

	if (!ft || fd < 0 || fd >= ft->nfds || !ft->files[fd])
		return -EBADF;
	f = ft->files[fd];
	ft->files[fd] = NULL;
	ft->cloexec[fd] = 0;
	if (fd < ft->next_fd)
		ft->next_fd = fd;
	filp_close(ft, f);
	return 0;
}

/* fd_close_on_exec - execve: closes every fd marked close-on-exec. */
void fd_close_on_exec(struct fdtable *ft)
{
	int i;

	for (i = 0; i < ft->nfds; i++) {
		if (ft->files[i] && ft->cloexec[i]) {
			struct file *f = ft->files[i];

			ft->files[i] = NULL;
			ft->cloexec[i] = 0;
			if (i < ft->next_fd)
				ft->next_fd = i;
			filp_close(ft, f);
		}
	}
}
