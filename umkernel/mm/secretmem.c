/*
 * secretmem.c - memfd_secret(2): memory only its own mappings reach
 * (Linux's mm/secretmem.c).
 *
 * In a nutshell: the file is a host memfd (so the stubs can map it
 * MAP_SHARED and fork shares it) that the guest can only size once and
 * map: read(2)/write(2) EINVAL, lseek ESPIPE, fallocate EOPNOTSUPP,
 * fsync EINVAL, MAP_PRIVATE EINVAL, PROT_EXEC EPERM (its filesystem is
 * noexec).  Its mappings are locked (VmLck, RLIMIT_MEMLOCK: EAGAIN past
 * it, as Linux's mlock_future_ok) and marked VM_SECRETMEM_, which
 * get_user_pages' users refuse: ptrace PEEK/POKE and /proc/PID/mem (EIO),
 * process_vm_readv/writev (EFAULT) - mm_gup_span.  The owner's own
 * syscalls still read and write it (copy_from_user works on it in Linux
 * too).  What Linux does beyond this - taking the pages out of the
 * kernel's direct map - has no counterpart: the pages live in a host
 * memfd that umk (and the host's root) can read.
 *
 * Lock: klock, held.
 */
#include "../kernel.h"
#include "mm.h"
#include "../fs/fs.h"
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

struct secretmem {
	uint64_t size;   /* bytes; set once by ftruncate */
	uint64_t ino;
	uint32_t uid, gid;
};

static uint64_t secretmem_dev;   /* the anonymous secretmem filesystem's st_dev */

static int secretmem_fstat(struct file *f, struct kstat *st)
{
	struct secretmem *s = f->priv;

	memset(st, 0, sizeof *st);
	st->dev = secretmem_dev;
	st->ino = s->ino;
	st->nlink = 1;
	st->mode = S_IFREG | 0600;
	st->uid = s->uid;
	st->gid = s->gid;
	st->size = s->size;
	st->blksize = GUEST_PAGE_SIZE;
	return 0;
}

/* secretmem_setattr: the size can be set while it is 0, never changed */
static int secretmem_truncate(struct file *f, uint64_t len)
{
	struct secretmem *s = f->priv;

	if (s->size)
		return -EINVAL;
	if (len && ftruncate(f->hostfd, (off_t)len) < 0)
		return -errno;
	s->size = len;
	return 0;
}

/* no f_op->fsync: fsync(2) and msync(MS_SYNC) of its mappings give
 * vfs_fsync_range's -EINVAL */
static int secretmem_fsync(struct file *f)
{
	(void)f;
	return -EINVAL;
}

static int secretmem_host_fd(struct file *f)
{
	return f->hostfd;
}

static int secretmem_fallocate(struct file *f, int mode, uint64_t off, uint64_t len)
{
	(void)f, (void)mode, (void)off, (void)len;
	return -EOPNOTSUPP;
}

static int secretmem_setattr(struct file *f, int what, uint32_t mode, uint32_t uid, uint32_t gid,
			     const struct linux_timespec *ts)
{
	struct secretmem *s = f->priv;

	(void)mode, (void)ts;
	if (what & ATTR_OWNER) {
		if (uid != (uint32_t)-1)
			s->uid = uid;
		if (gid != (uint32_t)-1)
			s->gid = gid;
	}
	return 0;
}

/*
 * secretmem_mmap_prepare - Linux's secretmem_mmap: only a shared mapping
 * (-EINVAL), within RLIMIT_MEMLOCK unless CAP_IPC_LOCK (-EAGAIN); the
 * mapping is locked, left out of core dumps and closed to
 * get_user_pages.
 */
static int secretmem_mmap_prepare(struct file *f, int type, int prot, uint64_t len, int *vflags)
{
	(void)f;
	if (prot & PROT_EXEC)
		return -EPERM;   /* its filesystem is noexec (do_mmap checks that first) */
	if (type != MAP_SHARED)
		return -EINVAL;
	if (!mlock_future_ok(current, len))
		return -EAGAIN;
	*vflags |= VM_LOCKED_ | VM_DONTDUMP_ | VM_SECRETMEM_ | VMA_NOMAYEXEC;
	return 0;
}

static void secretmem_release(struct file *f)
{
	free(f->priv);
	if (f->hostfd >= 0)
		close(f->hostfd);
	f->hostfd = -1;
}

static const struct file_ops secretmem_ops = {
	.fstat = secretmem_fstat,
	.truncate = secretmem_truncate,
	.setattr = secretmem_setattr,
	.fsync = secretmem_fsync,
	.host_fd = secretmem_host_fd,
	.fallocate = secretmem_fallocate,
	.mmap_prepare = secretmem_mmap_prepare,
	.release = secretmem_release,
};

/*
 * sys_memfd_secret(flags) - a new secret memory file (see the top),
 * O_RDWR, shown as "/secretmem (deleted)".  flags: O_CLOEXEC only, else
 * -EINVAL; -EMFILE, -ENFILE, -ENOMEM.  Mirrors mm/secretmem.c.
 */
long sys_memfd_secret(struct task *t, struct sysargs *a)
{
	unsigned int flags = arg_uint(a, 0);
	static uint64_t next_ino = 1;
	struct secretmem *s;
	struct file *f;
	int hfd;

	if (flags & ~(unsigned)O_CLOEXEC)
		return -EINVAL;
	if (!secretmem_dev)
		secretmem_dev = anon_dev_alloc();
	s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	hfd = host_fd_admit(memfd_create("umk-secretmem", MFD_CLOEXEC));
	if (hfd < 0) {
		free(s);
		return hfd == -ENFILE ? -ENFILE : -ENOMEM;
	}
	f = file_alloc(&secretmem_ops, O_RDWR | LINUX_O_LARGEFILE, "/secretmem (deleted)");
	if (!f) {
		close(hfd);
		free(s);
		return -ENOMEM;
	}
	s->ino = next_ino++;
	s->uid = t->cred.fsuid;
	s->gid = t->cred.fsgid;
	f->priv = s;
	f->hostfd = hfd;
	return fd_install(t, 0, f, flags & O_CLOEXEC);
}

/*
 * mm_gup_span - how many of the len bytes at addr in mm get_user_pages
 * would reach before the first page of a secret mapping (len if none):
 * ptrace's and /proc/PID/mem's access_remote_vm and process_vm_readv/
 * writev stop there, as Linux's GUP refuses secretmem pages.
 */
uint64_t mm_gup_span(struct mm *mm, uint64_t addr, uint64_t len)
{
	if (!mm)
		return len;
	for (struct vma *v = mm_find_vma(mm, addr); v && v->start < addr + len; v = vma_next(mm, v)) {
		if (v->flags & VM_SECRETMEM_)
			return v->start > addr ? v->start - addr : 0;
	}
	return len;
}
