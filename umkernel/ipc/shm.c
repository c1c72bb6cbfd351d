/*
 * shm.c - SysV shared memory: shmget, shmat, shmdt, shmctl (Linux's
 * ipc/shm.c; shmget(2), shmop(2), shmctl(2)).
 *
 * In a nutshell: a segment's memory is a host memfd held by the kernel.
 * shmat makes a file around it (one per attach, as Linux's
 * alloc_file_clone) and maps that file MAP_SHARED into the guest's mm
 * like any file mapping: the stub maps the memfd, so every process that
 * attaches, and every child of a fork, sees the same pages.  The file's
 * vm_open/vm_close run whenever a VMA of it is made or goes (fork, split,
 * munmap, exit, execve), and count the attaches (shm_nattch), as Linux's
 * shm_open/shm_close; a segment removed with IPC_RMID is destroyed when
 * its last VMA goes.
 *
 * Lock: klock, held by every caller.
 */
#include "ipc.h"
#include "../mm/mm.h"
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define SHMMIN      1
#define SHMLBA      GUEST_PAGE_SIZE
#define SHM_DEV     1          /* st_dev of the segments' files (Linux's shm mount is 0:1) */

struct shmid_kernel {
	struct kern_ipc_perm perm;    /* first: the id table holds &perm */
	struct ipc_namespace *ns;
	int memfd;                    /* the memory; -1 once destroyed */
	uint64_t segsz;
	int64_t atim, dtim, ctim;
	int cprid, lprid;
	uint64_t nattch;              /* VMAs mapping it */
	uint64_t hpages;              /* SHM_HUGETLB: huge pages taken from the pool */
	uint64_t mapsz;               /* what shmat maps: segsz, in whole huge pages for SHM_HUGETLB */
	uint64_t charged;             /* bytes committed for it (mm/commit.c), till it is destroyed */
	int refs;                     /* the id table's and one per attach file */
};

/* What an attach file points to (Linux's struct shm_file_data). */
struct shm_file_data {
	struct shmid_kernel *shp;
	struct ipc_namespace *ns;
};

static struct ipc_ids *shm_ids(struct ipc_namespace *ns)
{
	return &ns->ids[IPC_SHM_IDS];
}

static struct shmid_kernel *shp_of(struct kern_ipc_perm *p)
{
	return (struct shmid_kernel *)p;
}

static int cur_tgid(void)
{
	return current && current->tg ? current->tg->tgid : 0;
}

static void shp_put(struct shmid_kernel *shp)
{
	if (--shp->refs > 0)
		return;
	if (shp->memfd >= 0)
		close(shp->memfd);
	free(shp);
}

/* shm_destroy: the segment leaves the table and its memory goes (the
 * memfd; mappings still made hold their own host references). */
static void shm_destroy(struct ipc_namespace *ns, struct shmid_kernel *shp)
{
	ns->shm_tot -= (shp->segsz + GUEST_PAGE_SIZE - 1) / GUEST_PAGE_SIZE;
	if (!shp->perm.deleted)
		ipc_rmid(shm_ids(ns), &shp->perm);
	if (shp->memfd >= 0)
		close(shp->memfd);
	shp->memfd = -1;
	hugetlb_give(shp->hpages);
	shp->hpages = 0;
	vm_commit_uncharge(shp->charged);
	shp->charged = 0;
	shp_put(shp);
}

static bool shm_may_destroy(struct shmid_kernel *shp)
{
	return shp->nattch == 0 && (shp->ns->shm_rmid_forced || (shp->perm.mode & L_SHM_DEST));
}

/* ---- the attach files ---- */

static int shmf_host_fd(struct file *f)
{
	struct shm_file_data *sfd = f->priv;

	return sfd->shp->memfd >= 0 ? sfd->shp->memfd : -ENODEV;
}

static int shmf_fstat(struct file *f, struct kstat *st)
{
	struct shmid_kernel *shp = ((struct shm_file_data *)f->priv)->shp;

	memset(st, 0, sizeof(*st));
	st->dev = SHM_DEV;
	st->ino = (uint32_t)shp->perm.id;
	st->nlink = 0;
	st->mode = S_IFREG | (shp->perm.mode & 0777);
	st->uid = shp->perm.uid;
	st->gid = shp->perm.gid;
	st->size = shp->segsz;
	st->blksize = GUEST_PAGE_SIZE;
	return 0;
}

/* shm_open: a VMA of the segment was made (attach, fork, split, mremap). */
static void shmf_vm_open(struct file *f)
{
	struct shmid_kernel *shp = ((struct shm_file_data *)f->priv)->shp;

	shp->atim = ipc_now();
	shp->lprid = cur_tgid();
	shp->nattch++;
}

/* shm_close: a VMA of the segment went (shmdt, munmap, exit, execve). */
static void shmf_vm_close(struct file *f)
{
	struct shm_file_data *sfd = f->priv;
	struct shmid_kernel *shp = sfd->shp;

	shp->lprid = cur_tgid();
	shp->dtim = ipc_now();
	shp->nattch--;
	if (shp->memfd >= 0 && shm_may_destroy(shp))
		shm_destroy(sfd->ns, shp);
}

static void shmf_release(struct file *f)
{
	struct shm_file_data *sfd = f->priv;

	shp_put(sfd->shp);
	put_ipc_ns(sfd->ns);
	free(sfd);
}

static const struct file_ops shm_file_ops = {
	.fstat = shmf_fstat,
	.host_fd = shmf_host_fd,
	.vm_open = shmf_vm_open,
	.vm_close = shmf_vm_close,
	.release = shmf_release,
};

/* ---- shmget ---- */

static int newseg(struct task *t, struct ipc_namespace *ns, int32_t key, int shmflg, uint64_t size)
{
	uint64_t numpages = (size + GUEST_PAGE_SIZE - 1) / GUEST_PAGE_SIZE;
	struct shmid_kernel *shp;
	char name[16];
	int err;

	if (size < SHMMIN || size > ns->shm_ctlmax)
		return -EINVAL;
	if (numpages * GUEST_PAGE_SIZE < size)
		return -ENOSPC;
	if (ns->shm_tot + numpages < ns->shm_tot || ns->shm_tot + numpages > ns->shm_ctlall)
		return -ENOSPC;
	uint64_t hpages = 0, memsize = size, charged = 0;
	if (shmflg & L_SHM_HUGETLB) {
		/* huge pages (mm/hugetlb.c): hstate_sizelog's EINVAL for a
		 * size umk has not, can_do_hugetlb_shm's EPERM, the pool's
		 * ENOMEM (unless SHM_NORESERVE); the memory is ordinary */
		if (!hugetlb_size_ok((unsigned)shmflg))
			return -EINVAL;
		if (t && !capable(t, CAP_IPC_LOCK))
			return -EPERM;
		hpages = (size + HPAGE_SIZE - 1) / HPAGE_SIZE;
		memsize = hpages * HPAGE_SIZE;
		if (shmflg & L_SHM_NORESERVE)
			hpages = 0;
		else if (hugetlb_take(hpages))
			return -ENOMEM;
	} else if (!(shmflg & L_SHM_NORESERVE)) {
		/* shmem_acct_size: the segment commits its pages as a
		 * mapping would (mm/commit.c: the heuristic, strict mode,
		 * --memory) until it is destroyed */
		if (vm_commit_charge(numpages * GUEST_PAGE_SIZE, numpages * GUEST_PAGE_SIZE))
			return -ENOMEM;
		charged = numpages * GUEST_PAGE_SIZE;
	}
	shp = calloc(1, sizeof(*shp));
	if (!shp) {
		hugetlb_give(hpages);
		vm_commit_uncharge(charged);
		return -ENOMEM;
	}
	shp->perm.key = key;
	shp->perm.mode = shmflg & 0777;
	snprintf(name, sizeof(name), "SYSV%08x", (uint32_t)key);
	shp->memfd = memfd_create(name, MFD_CLOEXEC);
	if (shp->memfd < 0 || ftruncate(shp->memfd, memsize) < 0) {
		err = errno == EFBIG || errno == EINVAL ? -ENOMEM : -errno;
		if (shp->memfd >= 0)
			close(shp->memfd);
		free(shp);
		hugetlb_give(hpages);
		vm_commit_uncharge(charged);
		return err;
	}
	shp->hpages = hpages;
	shp->charged = charged;
	shp->mapsz = memsize;
	shp->cprid = t ? t->tg->tgid : 0;
	shp->ctim = ipc_now();
	shp->segsz = size;
	shp->ns = ns;
	shp->refs = 1;
	err = ipc_addid(t, shm_ids(ns), &shp->perm, ns->shm_ctlmni);
	if (err < 0) {
		close(shp->memfd);
		free(shp);
		hugetlb_give(hpages);
		vm_commit_uncharge(charged);
		return err;
	}
	ns->shm_tot += numpages;
	return shp->perm.id;
}

static int shm_more_checks(struct kern_ipc_perm *p, uint64_t size)
{
	return shp_of(p)->segsz < size ? -EINVAL : 0;
}

/* shmget(key, size, shmflg): the segment's id; -EINVAL (size out of
 * [SHMMIN, shmmax], or larger than an existing segment's), -ENOSPC
 * (shmall, shmmni), -ENOENT, -EEXIST, -EACCES, -ENOMEM. */
long sys_shmget(struct task *t, struct sysargs *a)
{
	static const struct ipc_ops ops = { .getnew = newseg, .more_checks = shm_more_checks };

	return ipcget(t, task_ipc_ns(t), IPC_SHM_IDS, &ops, arg_int(a, 0), arg_int(a, 2), a->a[1]);
}

/* ---- shmat, shmdt ---- */

static bool range_mapped(struct mm *mm, uint64_t start, uint64_t end)
{
	for_each_vma(mm, v)
		if (v->start < end && v->end > start)
			return true;
	return false;
}

/* shmat(shmid, addr, shmflg): maps the segment; its address, or -EINVAL
 * (bad id or address, SHM_REMAP without an address, a range in use
 * without SHM_REMAP), -EACCES, -EIDRM, -ENOMEM.  Mirrors do_shmat. */
long sys_shmat(struct task *t, struct sysargs *a)
{
	int shmid = arg_int(a, 0), shmflg = arg_int(a, 2);
	uint64_t addr = arg_ptr(a, 1);
	struct ipc_namespace *ns = task_ipc_ns(t);
	int flags = MAP_SHARED, prot, acc, fflags;
	struct shm_file_data *sfd;
	struct shmid_kernel *shp;
	struct kern_ipc_perm *p;
	char path[40];
	struct file *f;
	long r;

	if (shmid < 0)
		return -EINVAL;
	if (addr) {
		if (addr & (SHMLBA - 1)) {
			if (!(shmflg & L_SHM_RND))
				return -EINVAL;
			addr &= ~(uint64_t)(SHMLBA - 1);
			if (!addr && (shmflg & L_SHM_REMAP))
				return -EINVAL;
		}
		flags |= MAP_FIXED;
	} else if (shmflg & L_SHM_REMAP) {
		return -EINVAL;
	}
	if (shmflg & L_SHM_RDONLY) {
		prot = PROT_READ;
		acc = S_IRUGO;
		fflags = O_RDONLY;
	} else {
		prot = PROT_READ | PROT_WRITE;
		acc = S_IRUGO | S_IWUGO;
		fflags = O_RDWR;
	}
	if (shmflg & L_SHM_EXEC) {
		prot |= PROT_EXEC;
		acc |= S_IXUGO;
	}
	p = ipc_obtain_check(shm_ids(ns), shmid);
	if (!p)
		return -EINVAL;
	if (ipcperms(t, p, acc))
		return -EACCES;
	shp = shp_of(p);
	if (shp->memfd < 0)
		return -EIDRM;
	snprintf(path, sizeof(path), "/SYSV%08x (deleted)", (uint32_t)shp->perm.key);
	sfd = calloc(1, sizeof(*sfd));
	f = sfd ? file_alloc(&shm_file_ops, fflags, path) : NULL;
	if (!f) {
		free(sfd);
		return -ENOMEM;
	}
	sfd->shp = shp;
	sfd->ns = ns;
	shp->refs++;
	ns->refs++;
	f->priv = sfd;
	/* held across the mapping, as do_shmat's shm_nattch++ */
	shp->nattch++;
	if (addr && !(shmflg & L_SHM_REMAP) &&
	    (addr + shp->mapsz < addr || range_mapped(t->mm, addr, addr + PAGE_ALIGN(shp->mapsz))))
		r = -EINVAL;
	else
		r = mm_mmap(t->mm, addr, shp->mapsz, prot, flags, f, 0);
	file_put(f);
	shp->nattch--;
	if (shp->memfd >= 0 && shm_may_destroy(shp))
		shm_destroy(ns, shp);
	return r;
}

static bool is_shm_vma(struct vma *v, uint64_t addr)
{
	return v->file && v->file->ops == &shm_file_ops && v->start >= addr &&
	       v->start - addr == v->pgoff;
}

/* shmdt(addr): unmaps the attach that starts at addr, with the pieces
 * munmap or mprotect split off it.  0, or -EINVAL (no attach there, or
 * addr not page aligned).  Mirrors ksys_shmdt. */
long sys_shmdt(struct task *t, struct sysargs *a)
{
	uint64_t addr = arg_ptr(a, 0), size, (*ranges)[2] = NULL;
	struct mm *mm = t->mm;
	struct file *file = NULL;
	struct vma *v;
	size_t n = 0, cap = 0;

	if (addr & (GUEST_PAGE_SIZE - 1))
		return -EINVAL;
	for (v = vma_first(mm); v; v = vma_next(mm, v))
		if (v->end > addr && is_shm_vma(v, addr))
			break;
	if (!v)
		return -EINVAL;
	file = v->file;
	size = PAGE_ALIGN(((struct shm_file_data *)file->priv)->shp->mapsz);
	/* the ranges first, then the unmapping (which frees VMAs) */
	for (; v && v->end - addr <= size; v = vma_next(mm, v)) {
		if (n && !(is_shm_vma(v, addr) && v->file == file))
			continue;
		if (n == cap) {
			uint64_t (*nr)[2] = realloc(ranges, (cap = cap ? cap * 2 : 8) * sizeof(*ranges));

			if (!nr) {
				free(ranges);
				return -ENOMEM;
			}
			ranges = nr;
		}
		ranges[n][0] = v->start;
		ranges[n][1] = v->end;
		n++;
	}
	if (!n) {               /* the first piece alone is larger than the segment */
		ranges = malloc(sizeof(*ranges));
		if (!ranges)
			return -ENOMEM;
		for (v = vma_first(mm); v; v = vma_next(mm, v))
			if (v->end > addr && is_shm_vma(v, addr))
				break;
		ranges[0][0] = v->start;
		ranges[0][1] = v->end;
		n = 1;
	}
	for (size_t i = 0; i < n; i++)
		mm_munmap(mm, ranges[i][0], ranges[i][1] - ranges[i][0]);
	free(ranges);
	return 0;
}

/* ---- shmctl ---- */

static void shm_rss(struct shmid_kernel *shp, uint64_t *rss_pages)
{
	struct stat st;

	if (shp->memfd >= 0 && !fstat(shp->memfd, &st))
		*rss_pages += (uint64_t)st.st_blocks * 512 / GUEST_PAGE_SIZE;
}

static void fill_shmid(struct task *t, struct shmid_kernel *shp, struct linux_shmid64_ds *ds)
{
	memset(ds, 0, sizeof(*ds));
	kernel_to_ipc64_perm(t, &shp->perm, &ds->shm_perm);
	ds->shm_segsz = shp->segsz;
	ds->shm_atime = shp->atim;
	ds->shm_dtime = shp->dtim;
	ds->shm_ctime = shp->ctim;
	ds->shm_cpid = global_vnr(t, shp->cprid);
	ds->shm_lpid = global_vnr(t, shp->lprid);
	ds->shm_nattch = shp->nattch;
}

static long shmctl_down(struct task *t, struct ipc_namespace *ns, int shmid, int cmd,
			const struct linux_shmid64_ds *in)
{
	struct kern_ipc_perm *p;
	struct shmid_kernel *shp;
	int err = ipcctl_obtain_check(t, shm_ids(ns), shmid, &p);

	if (err)
		return err;
	shp = shp_of(p);
	if (cmd == L_IPC_RMID) {
		/* do_shm_rmid: while attached, only marked and hidden from key lookups */
		if (shp->nattch) {
			shp->perm.mode |= L_SHM_DEST;
			shp->perm.key = L_IPC_PRIVATE;
		} else {
			shm_destroy(ns, shp);
		}
		return 0;
	}
	err = ipc_update_perm(t, &in->shm_perm, &shp->perm);
	if (!err)
		shp->ctim = ipc_now();
	return err;
}

/* shmctl(shmid, cmd, buf): IPC_STAT, SHM_STAT, SHM_STAT_ANY, IPC_SET,
 * IPC_RMID, IPC_INFO, SHM_INFO, SHM_LOCK, SHM_UNLOCK; errors as
 * ksys_shmctl (-EINVAL, -EACCES, -EPERM, -EFAULT, -EIDRM). */
long sys_shmctl(struct task *t, struct sysargs *a)
{
	int shmid = arg_int(a, 0), cmd = arg_int(a, 1);
	uint64_t buf = arg_ptr(a, 2);
	struct ipc_namespace *ns = task_ipc_ns(t);
	struct ipc_ids *ids = shm_ids(ns);
	struct linux_shmid64_ds ds;
	struct kern_ipc_perm *p;
	struct shmid_kernel *shp;
	int err;

	if (cmd < 0 || shmid < 0)
		return -EINVAL;
	switch (cmd) {
	case L_IPC_INFO: {
		struct linux_shminfo64 si;

		memset(&si, 0, sizeof(si));
		si.shmmni = si.shmseg = ns->shm_ctlmni;
		si.shmmax = ns->shm_ctlmax;
		si.shmall = ns->shm_ctlall;
		si.shmmin = SHMMIN;
		err = ipc_get_maxidx(ids);
		if (err < 0)
			err = 0;
		return copy_to_user(t, buf, &si, sizeof(si)) ? -EFAULT : err;
	}
	case L_SHM_INFO: {
		struct linux_shm_info si;

		memset(&si, 0, sizeof(si));
		si.used_ids = ids->in_use;
		for (int i = 0; i <= ids->max_idx; i++)
			if ((p = ipc_obtain_idx(ids, i)))
				shm_rss(shp_of(p), &si.shm_rss);
		si.shm_tot = ns->shm_tot;
		err = ipc_get_maxidx(ids);
		if (err < 0)
			err = 0;
		return copy_to_user(t, buf, &si, sizeof(si)) ? -EFAULT : err;
	}
	case L_SHM_STAT:
	case L_SHM_STAT_ANY:
	case L_IPC_STAT:
		p = cmd == L_IPC_STAT ? ipc_obtain_check(ids, shmid) : ipc_obtain_idx(ids, shmid);
		if (!p)
			return -EINVAL;
		if (cmd != L_SHM_STAT_ANY && ipcperms(t, p, S_IRUGO))
			return -EACCES;
		fill_shmid(t, shp_of(p), &ds);
		if (copy_to_user(t, buf, &ds, sizeof(ds)))
			return -EFAULT;
		return cmd == L_IPC_STAT ? 0 : p->id;
	case L_IPC_SET:
		if (copy_from_user(t, &ds, buf, sizeof(ds)))
			return -EFAULT;
		return shmctl_down(t, ns, shmid, cmd, &ds);
	case L_IPC_RMID:
		return shmctl_down(t, ns, shmid, cmd, NULL);
	case L_SHM_LOCK:
	case L_SHM_UNLOCK:
		p = ipc_obtain_check(ids, shmid);
		if (!p)
			return -EINVAL;
		shp = shp_of(p);
		if (!ipc_capable(t, CAP_IPC_LOCK)) {
			if (t->cred.euid != p->uid && t->cred.euid != p->cuid)
				return -EPERM;
			if (cmd == L_SHM_LOCK && !t->tg->rlim[RLIMIT_MEMLOCK].rlim_cur)
				return -EPERM;
		}
		if (cmd == L_SHM_LOCK)
			shp->perm.mode |= L_SHM_LOCKED;
		else
			shp->perm.mode &= ~L_SHM_LOCKED;
		return 0;
	default:
		return -EINVAL;
	}
}

/* ---- namespace teardown and /proc/sysvipc/shm ---- */

void shm_exit_ns(struct ipc_namespace *ns)
{
	struct ipc_ids *ids = shm_ids(ns);

	for (int i = 0; i <= ids->max_idx && ids->in_use; i++) {
		struct kern_ipc_perm *p = ipc_obtain_idx(ids, i);

		if (p)
			shm_destroy(ns, shp_of(p));
	}
}

void sysvipc_shm_show(struct ipc_namespace *ns, FILE *out)
{
	struct ipc_ids *ids = shm_ids(ns);

	fprintf(out, "       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap\n");
	for (int i = 0; i <= ids->max_idx; i++) {
		struct kern_ipc_perm *p = ipc_obtain_idx(ids, i);
		struct shmid_kernel *shp;
		uint64_t rss = 0;

		if (!p)
			continue;
		shp = shp_of(p);
		shm_rss(shp, &rss);
		fprintf(out, "%10d %10d  %4o %21llu %5u %5u  %5llu %5u %5u %5u %5u %10lld %10lld %10lld %21llu %21llu\n",
			p->key, p->id, p->mode, (unsigned long long)shp->segsz,
			global_vnr(current, shp->cprid), global_vnr(current, shp->lprid),
			(unsigned long long)shp->nattch, ipc_uid_vnr(current, p->uid),
			ipc_gid_vnr(current, p->gid), ipc_uid_vnr(current, p->cuid),
			ipc_gid_vnr(current, p->cgid),
			(long long)shp->atim, (long long)shp->dtim, (long long)shp->ctim,
			(unsigned long long)rss * GUEST_PAGE_SIZE, 0ULL);
	}
}
