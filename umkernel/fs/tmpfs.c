/*
 * tmpfs.c - tmpfs: a filesystem kept in the kernel's memory.
 *
 * A tree of tnodes (tmpfs.h): directories hold a list of named entries,
 * regular files keep their bytes in a memfd so that guests can mmap them
 * (file_ops->host_fd) and reads and writes are host pread/pwrite, symlinks
 * hold their target, fifos are served by pipe.c (fifo_open) and device
 * nodes are inert records that never reach a host device (opening one
 * gives ENXIO, as a node without a driver does on Linux).  The same nodes
 * are the overlay's upper layer (hostfs.c), which also uses whiteout
 * entries and opaque directories.
 *
 * Locking: everything here runs under klock.
 */
#include "../kernel.h"
#include "fs.h"
#include "tmpfs.h"
#include "posix_acl.h"
#include "../mm/mm.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMPFS_MAGIC 0x01021994
#define HUGETLBFS_MAGIC 0x958458f6
#define XATTR_CREATE  1
#define XATTR_REPLACE 2

static uint64_t next_ino = 1ULL << 40;

/* ---- size accounting (--tmpfs-size, --memory) ---- */

uint64_t tmpfs_size_limit = UINT64_MAX / 2;

struct tmpfs_acct *tmpfs_acct_new(void)
{
	struct tmpfs_acct *a = calloc(1, sizeof(*a));

	if (a)
		a->limit = tmpfs_size_limit;
	return a;
}

#define PAGEUP(x) (((x) + 4095) & ~(uint64_t)4095)

/* The most bytes n's memfd may come to hold now. */
static uint64_t tnode_room(struct tnode *n)
{
	uint64_t room = UINT64_MAX / 4;

	if (n->acct)
		room = n->acct->limit > n->acct->used ? n->acct->limit - n->acct->used : 0;
	uint64_t bound = vm_commit_bound();   /* --memory, strict overcommit (mm/commit.c) */
	if (bound != UINT64_MAX) {
		uint64_t m = bound > vm_committed ? bound - vm_committed : 0;
		room = m < room ? m : room;
	}
	return n->charged + (room & ~(uint64_t)4095);
}

/*
 * tnode_charge - n's memfd is to hold size bytes: the pages past what it
 * holds already are charged to its filesystem's --tmpfs-size and to
 * --memory.  -ENOSPC past either (as a full tmpfs; a sparse region
 * counts whole: the memfd's size is what is bounded, since a guest's
 * shared mapping fills pages without a syscall).  Mirrors shmem's
 * shmem_inode_acct_blocks.
 */
int tnode_charge(struct tnode *n, uint64_t size)
{
	uint64_t want = PAGEUP(size);

	if (!S_ISREG(n->mode) || want <= n->charged)
		return 0;
	if (want > tnode_room(n))
		return -ENOSPC;
	if (vm_commit_charge(want - n->charged, 0))
		return -ENOSPC;
	if (n->acct)
		n->acct->used += want - n->charged;
	n->charged = want;
	return 0;
}

/* n's memfd was cut to size bytes: the pages past it are free again. */
static void tnode_uncharge_to(struct tnode *n, uint64_t size)
{
	uint64_t want = PAGEUP(size);

	if (want >= n->charged)
		return;
	if (n->acct)
		n->acct->used -= n->charged - want;
	vm_commit_uncharge(n->charged - want);
	n->charged = want;
}

/*
 * A mount's size= counts the pages its files hold (st_blocks of the
 * memfds), not their sizes: a sparse file costs what was written, as in
 * shmem.  tnode_alloc_room says how much of a write fits; tnode_alloc_sync
 * re-reads a file's allocation after a change.  (Shared mappings fill
 * pages unseen; --tmpfs-size's bound on the memfds' sizes still holds.)
 */
static bool has_size_opt(const struct tnode *n)
{
	return n->acct && n->acct->size_opt && S_ISREG(n->mode) && n->memfd >= 0;
}

static void tnode_alloc_sync(struct tnode *n)
{
	struct stat st;
	uint64_t now;

	if (!has_size_opt(n) || fstat(n->memfd, &st))
		return;
	now = (uint64_t)st.st_blocks * 512;
	n->acct->alloc = n->acct->alloc - n->alloc + now;
	n->alloc = now;
}

/* How many pages of n's memfd in [off, off + len) it holds, written or
 * fallocated (the host's cachestat(2), Linux 6.5; mincore and SEEK_DATA
 * do not see fallocated shmem pages); -1 if the host cannot tell. */
static int64_t held_pages(struct tnode *n, uint64_t off, uint64_t len)
{
	struct { uint64_t off, len; } range = { off, len };
	struct { uint64_t cache, dirty, writeback, evicted, recently_evicted; } cs;

	if (syscall(451 /* cachestat */, n->memfd, &range, &cs, 0) < 0)
		return -1;
	return (int64_t)cs.cache;
}

/* The bytes of a write of len at pos that fit n's mount's size=: len, or
 * fewer up to the first new page that does not fit (0: none).  Asked of
 * the host only when the write might not fit. */
static uint64_t tnode_alloc_room(struct tnode *n, uint64_t pos, uint64_t len)
{
	uint64_t left, first, last;
	int64_t held;

	if (!has_size_opt(n) || !len)
		return len;
	left = n->acct->size_opt > n->acct->alloc ? n->acct->size_opt - n->acct->alloc : 0;
	first = pos & ~(uint64_t)4095;
	last = PAGEUP(pos + len);
	if (last - first <= left)
		return len;               /* even if every page is new */
	held = held_pages(n, first, last - first);
	if (held >= 0 && (last - first) / 4096 - (uint64_t)held <= left / 4096)
		return len;               /* the new pages fit */
	/* page by page up to the first new one that does not fit */
	left &= ~(uint64_t)4095;
	for (uint64_t p = first; p < last; p += 4096) {
		if (held >= 0 && held_pages(n, p, 4096) > 0)
			continue;
		if (!left)
			return p > pos ? p - pos : 0;
		left -= 4096;
	}
	return len;
}

uint64_t tnode_next_ino(void)
{
	return next_ino++;
}

/*
 * tnode_new - a node of type and permissions mode, one reference, owned
 * by current's fsuid/fsgid, times now.  Regular files get an empty memfd.
 * NULL on ENOMEM or when no memfd can be made.
 */
struct tnode *tnode_new(uint32_t mode)
{
	struct tnode *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->refs = 1;
	n->mode = mode;
	n->uid = cur_fsuid();
	n->gid = cur_fsgid();
	n->ino = tnode_next_ino();
	n->nlink = S_ISDIR(mode) ? 1 : 0;   /* tdir_add adds the name's link */
	n->atime = n->mtime = n->ctime = ts_now();
	n->memfd = -1;
	list_init(&n->children);
	if (S_ISREG(mode)) {
		/* one host fd per regular file: within the host-fd budget
		 * (errno ENFILE past it) */
		n->memfd = host_fd_admit(memfd_create("umk-tmpfs", MFD_CLOEXEC));
		if (n->memfd < 0) {
			errno = -n->memfd;
			free(n);
			return NULL;
		}
	}
	return n;
}

struct tnode *tnode_get(struct tnode *n)
{
	if (n)
		n->refs++;
	return n;
}

void tnode_put(struct tnode *n)
{
	struct list_head *p, *q;
	struct txattr *x, *nx;

	if (!n || --n->refs > 0)
		return;
	list_for_each_safe(p, q, &n->children) {
		struct tdirent *d = list_entry(p, struct tdirent, link);

		list_del(&d->link);
		tnode_put(d->node);
		free(d);
	}
	free(n->index);
	for (x = n->xattrs; x; x = nx) {
		nx = x->next;
		free(x->name);
		free(x->value);
		free(x);
	}
	if (has_size_opt(n))
		n->acct->alloc -= n->alloc;
	if (n->memfd >= 0)
		close(n->memfd);
	if (n->hpages) {
		n->acct->hp_used -= n->hpages;
		hugetlb_give(n->hpages);
	}
	tnode_uncharge_to(n, 0);
	free(n->target);
	free(n);
}

void tnode_touch(struct tnode *n, bool m, bool c)
{
	struct linux_timespec now = ts_now();

	if (m)
		n->mtime = now;
	if (c)
		n->ctime = now;
}

static int ts_cmp(struct linux_timespec a, struct linux_timespec b)
{
	if (a.tv_sec != b.tv_sec)
		return a.tv_sec < b.tv_sec ? -1 : 1;
	return a.tv_nsec < b.tv_nsec ? -1 : a.tv_nsec > b.tv_nsec;
}

/*
 * tnode_accessed - a read or a readdir of n through mount m: atime moves
 * to now as Linux's touch_atime decides (atime_needs_update): never with
 * FS_NOATIME_FL (chattr +A, FS_XFLAG_NOATIME), on a noatime or read-only mount, or for a directory
 * on a nodiratime one; with relatime (the default) only if atime is not
 * after mtime or ctime, or a day old; with strictatime always.
 */
static void tnode_accessed(struct tnode *n, const struct mount *m)
{
	if (!m || (inode_flags_lookup(m->dev, n->ino) & 0x80 /* FS_NOATIME_FL */) ||
	    (m->mflags & (MS_NOATIME | MS_RDONLY)) ||
	    (m->sb && (m->sb->flags & MS_RDONLY)))
		return;
	if ((m->mflags & MS_NODIRATIME) && S_ISDIR(n->mode))
		return;
	struct linux_timespec now = ts_now();
	if (!(m->mflags & MS_STRICTATIME) && ts_cmp(n->mtime, n->atime) < 0 &&
	    ts_cmp(n->ctime, n->atime) < 0 && now.tv_sec - n->atime.tv_sec < 24 * 60 * 60)
		return;
	n->atime = now;
}

static struct txattr *tnode_find_xattr(struct tnode *n, const char *name)
{
	struct txattr *x;

	for (x = n->xattrs; x; x = x->next)
		if (!strcmp(x->name, name))
			return x;
	return NULL;
}

/* The node's access ACL into st (POSIX ACLs, posix_acl.c). */
static void tnode_acl_stat(struct tnode *n, struct kstat *st)
{
	struct txattr *x = n->xattrs ? tnode_find_xattr(n, XATTR_NAME_ACL_ACCESS) : NULL;

	if (x)
		posix_acl_stat(st, x->value, (ssize_t)x->len);
}

void tnode_stat(struct tnode *n, struct kstat *st, uint64_t dev)
{
	struct stat hs;

	memset(st, 0, sizeof(*st));
	st->dev = dev;
	st->ino = n->ino;
	st->nlink = n->nlink;
	st->mode = n->mode;
	st->uid = n->uid;
	st->gid = n->gid;
	st->rdev = n->rdev;
	st->blksize = n->acct && n->acct->hpage_size ? n->acct->hpage_size : 4096;
	st->atime = n->atime;
	st->mtime = n->mtime;
	st->ctime = n->ctime;
	if (S_ISREG(n->mode) && fstat(n->memfd, &hs) == 0) {
		st->size = hs.st_size;
		st->blocks = hs.st_blocks;
	} else if (S_ISLNK(n->mode)) {
		st->size = strlen(n->target);
	} else if (S_ISDIR(n->mode)) {
		st->size = 4096;
		st->blocks = 8;
	}
	tnode_acl_stat(n, st);
}

/*
 * tnode_setattr - chmod (ATTR_MODE keeps the type bits), chown
 * (ATTR_OWNER; (uint32_t)-1 leaves one unchanged) and utimens
 * (ATTR_TIMES: ts[0] atime, ts[1] mtime; tv_nsec UTIME_OMIT skips one).
 * ctime becomes now.  Returns 0.
 */
int tnode_setattr(struct tnode *n, int what, uint32_t mode, uint32_t uid, uint32_t gid,
		  const struct linux_timespec *ts)
{
	if (what & ATTR_MODE) {
		struct txattr *x = n->xattrs ? tnode_find_xattr(n, XATTR_NAME_ACL_ACCESS) : NULL;

		n->mode = (n->mode & S_IFMT) | (mode & 07777);
		if (x)   /* posix_acl_chmod */
			posix_acl_chmod_xattr(x->value, x->len, mode);
	}
	if (what & ATTR_OWNER) {
		if (uid != (uint32_t)-1)
			n->uid = uid;
		if (gid != (uint32_t)-1)
			n->gid = gid;
	}
	if ((what & ATTR_TIMES) && ts) {
		if (ts[0].tv_nsec != UTIME_OMIT)
			n->atime = ts[0];
		if (ts[1].tv_nsec != UTIME_OMIT)
			n->mtime = ts[1];
	}
	tnode_touch(n, false, true);
	return 0;
}

/* tnode_truncate - sets a regular file's size: -EISDIR, -EINVAL otherwise. */
int tnode_truncate(struct tnode *n, uint64_t len)
{
	if (S_ISDIR(n->mode))
		return -EISDIR;
	if (!S_ISREG(n->mode))
		return -EINVAL;
	if (len > (uint64_t)INT64_MAX)
		return -EINVAL;
	bool huge = n->acct && n->acct->hpage_size;
	if (huge && (len & (n->acct->hpage_size - 1)))
		return -EINVAL;   /* hugetlbfs_setattr: whole huge pages */
	int err = tnode_charge(n, len);
	if (err)
		return err;
	if (ftruncate(n->memfd, len) < 0)
		return -errno;
	if (huge && n->hpages > len / n->acct->hpage_size) {
		uint64_t give = n->hpages - len / n->acct->hpage_size;

		n->hpages -= give;
		n->acct->hp_used -= give;
		hugetlb_give(give);
	}
	tnode_uncharge_to(n, len);
	tnode_alloc_sync(n);
	tnode_touch(n, true, true);
	return 0;
}

/* ---- directories ----
 * A directory's entries are a list in creation order (what readdir
 * shows); past TDIR_INDEX_MIN of them a hash of their names finds one
 * without a walk of the list, as Linux's dcache hash does (a directory
 * of 16,000 files took seconds a lookup at a time). */

#define TDIR_INDEX_MIN 32

struct tdir_index {
	uint32_t nbuckets;            /* a power of two */
	struct tdirent *b[];
};

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;     /* FNV-1a */

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

static void index_insert(struct tdir_index *ix, struct tdirent *d)
{
	struct tdirent **b = &ix->b[d->hash & (ix->nbuckets - 1)];

	d->hnext = *b;
	*b = d;
}

/* dir's index anew with nbuckets buckets; on ENOMEM the old one (or
 * none: lookups walk the list) stays. */
static void index_build(struct tnode *dir, uint32_t nbuckets)
{
	struct tdir_index *ix = calloc(1, sizeof(*ix) + nbuckets * sizeof(ix->b[0]));
	struct list_head *p;

	if (!ix)
		return;
	ix->nbuckets = nbuckets;
	for (p = dir->children.next; p != &dir->children; p = p->next)
		index_insert(ix, list_entry(p, struct tdirent, link));
	free(dir->index);
	dir->index = ix;
}

struct tdirent *tdir_find(struct tnode *dir, const char *name)
{
	struct list_head *p, *q;

	if (dir->index) {
		uint32_t h = name_hash(name);
		struct tdirent *d;

		for (d = dir->index->b[h & (dir->index->nbuckets - 1)]; d; d = d->hnext)
			if (d->hash == h && !strcmp(d->name, name))
				return d;
		return NULL;
	}
	list_for_each_safe(p, q, &dir->children) {
		struct tdirent *d = list_entry(p, struct tdirent, link);

		if (!strcmp(d->name, name))
			return d;
	}
	return NULL;
}

/* tdir_add - links n into dir as name (a new reference); -ENOMEM. */
int tdir_add(struct tnode *dir, const char *name, struct tnode *n)
{
	size_t len = strlen(name);
	struct tdirent *d = malloc(sizeof(*d) + len + 1);

	if (!d)
		return -ENOMEM;
	memcpy(d->name, name, len + 1);
	d->node = tnode_get(n);
	d->hash = name_hash(name);
	list_add_tail(&d->link, &dir->children);
	dir->nchildren++;
	if (dir->index && dir->nchildren > 2 * dir->index->nbuckets)
		index_build(dir, 4 * dir->index->nbuckets);
	else if (dir->index)
		index_insert(dir->index, d);
	else if (dir->nchildren > TDIR_INDEX_MIN)
		index_build(dir, 64);
	if (!n->acct && dir->acct) {
		/* a node takes its filesystem's --tmpfs-size from its first name */
		n->acct = dir->acct;
		n->acct->used += n->charged;
	}
	if (!n->whiteout) {
		n->nlink++;
		if (S_ISDIR(n->mode))
			dir->nlink++;
	}
	tnode_touch(dir, true, true);
	return 0;
}

/* tdir_remove - unlinks entry d from dir and drops its reference. */
void tdir_remove(struct tnode *dir, struct tdirent *d)
{
	struct tnode *n = d->node;

	if (dir->index) {
		struct tdirent **pp = &dir->index->b[d->hash & (dir->index->nbuckets - 1)];

		while (*pp && *pp != d)
			pp = &(*pp)->hnext;
		if (*pp)
			*pp = d->hnext;
	}
	dir->nchildren--;
	list_del(&d->link);
	free(d);
	if (!n->whiteout) {
		if (n->nlink)
			n->nlink--;
		if (S_ISDIR(n->mode)) {
			n->nlink = 0;
			dir->nlink--;
		}
		tnode_touch(n, false, true);
	}
	tnode_touch(dir, true, true);
	tnode_put(n);
}

bool tdir_empty(struct tnode *dir)
{
	struct list_head *p, *q;

	list_for_each_safe(p, q, &dir->children) {
		struct tdirent *d = list_entry(p, struct tdirent, link);

		if (!d->node->whiteout)
			return false;
	}
	return true;
}

/*
 * tmpfs_resolve - the node at rel under root, not referenced.  A whiteout
 * counts as absent.  -ENOENT, -ENOTDIR (a non-directory in the middle).
 */
int tmpfs_resolve(struct tnode *root, const char *rel, struct tnode **out)
{
	struct tnode *n = root;
	char name[256];

	while (*rel) {
		size_t len = strcspn(rel, "/");
		struct tdirent *d;

		if (!S_ISDIR(n->mode))
			return -ENOTDIR;
		if (len > 255)
			return -ENAMETOOLONG;
		memcpy(name, rel, len);
		name[len] = 0;
		d = tdir_find(n, name);
		if (!d || d->node->whiteout)
			return -ENOENT;
		n = d->node;
		rel += len;
		while (*rel == '/')
			rel++;
	}
	*out = n;
	return 0;
}

/*
 * tmpfs_resolve_parent - the directory that holds rel's last component;
 * *name points at that component inside rel.  -EBUSY for the root itself,
 * -ENOENT, -ENOTDIR.
 */
int tmpfs_resolve_parent(struct tnode *root, const char *rel, struct tnode **dir,
			 const char **name)
{
	const char *slash = strrchr(rel, '/');
	char *parent;
	int err;

	if (!*rel)
		return -EBUSY;
	if (!slash) {
		*dir = root;
		*name = rel;
		return S_ISDIR(root->mode) ? 0 : -ENOTDIR;
	}
	parent = strndup(rel, slash - rel);
	if (!parent)
		return -ENOMEM;
	err = tmpfs_resolve(root, parent, dir);
	free(parent);
	if (err)
		return err;
	if (!S_ISDIR((*dir)->mode))
		return -ENOTDIR;
	*name = slash + 1;
	return 0;
}

/* ---- open files ---- */

static struct tnode *F(struct file *f)
{
	return f->priv;
}

static ssize_t treg_read(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	ssize_t r;

	(void)t;
	r = pread(F(f)->memfd, buf, n, *pos);
	if (r < 0)
		return -errno;
	*pos += r;
	if (n && !(f->flags & O_NOATIME))
		tnode_accessed(F(f), f->mnt);
	return r;
}

static ssize_t treg_write(struct task *t, struct file *f, const void *buf, size_t n, int64_t *pos)
{
	ssize_t r;
	uint64_t room;

	(void)t;
	if (F(f)->acct && F(f)->acct->hpage_size)
		return -EINVAL;   /* hugetlbfs has no write(2) */
	/* past --tmpfs-size or --memory: a short write, then ENOSPC */
	if (*pos >= 0 && (uint64_t)*pos + n > F(f)->charged) {
		room = tnode_room(F(f));
		if ((uint64_t)*pos >= room)
			return n ? -ENOSPC : 0;
		if ((uint64_t)*pos + n > room)
			n = room - (uint64_t)*pos;
		if (tnode_charge(F(f), (uint64_t)*pos + n))
			return -ENOSPC;
	}
	/* past the mount's size=: the same */
	if (*pos >= 0 && has_size_opt(F(f))) {
		n = tnode_alloc_room(F(f), (uint64_t)*pos, n);
		if (!n)
			return -ENOSPC;
	}
	r = pwrite(F(f)->memfd, buf, n, *pos);
	if (r < 0)
		return errno == EFBIG ? -EFBIG : -errno;
	tnode_alloc_sync(F(f));
	*pos += r;
	tnode_touch(F(f), true, true);
	return r;
}

static int tfile_fstat(struct file *f, struct kstat *st)
{
	tnode_stat(F(f), st, f->mnt ? f->mnt->dev : 0);
	return 0;
}

static short treg_poll(struct file *f, struct poll_table *pt)
{
	(void)f;
	(void)pt;
	return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

static int treg_truncate(struct file *f, uint64_t len)
{
	return tnode_truncate(F(f), len);
}

static int tfile_fsync(struct file *f)
{
	(void)f;
	return 0;
}

static int tfile_setattr(struct file *f, int what, uint32_t mode, uint32_t uid, uint32_t gid,
			 const struct linux_timespec *ts)
{
	return tnode_setattr(F(f), what, mode, uid, gid, ts);
}

static int treg_host_fd(struct file *f)
{
	return F(f)->memfd;
}

static void tfile_release(struct file *f)
{
	tnode_put(F(f));
}

/* SEEK_DATA and SEEK_HOLE see the memfd's holes (shmem's
 * shmem_file_llseek: fallocated pages not yet written count as holes);
 * the other whences are the VFS's. */
static int64_t treg_llseek(struct file *f, int64_t off, int whence)
{
	off_t r;

	if (whence != SEEK_DATA && whence != SEEK_HOLE)
		return -EOPNOTSUPP;
	if (off < 0)
		return -ENXIO;
	r = lseek(F(f)->memfd, (off_t)off, whence);
	if (r < 0)
		return -errno;
	f->pos = r;
	return r;
}

static ssize_t tfile_getxattr(struct file *f, const char *name, void *buf, size_t n);
static int tfile_setxattr(struct file *f, const char *name, const void *v, size_t n, int flags);
static ssize_t tfile_listxattr(struct file *f, char *buf, size_t n);
static int tfile_removexattr(struct file *f, const char *name);

static const struct file_ops tmpfs_reg_ops = {
	.llseek = treg_llseek,
	.read = treg_read,
	.write = treg_write,
	.fstat = tfile_fstat,
	.poll = treg_poll,
	.truncate = treg_truncate,
	.fsync = tfile_fsync,
	.setattr = tfile_setattr,
	.host_fd = treg_host_fd,
	.release = tfile_release,
	.getxattr = tfile_getxattr,
	.setxattr = tfile_setxattr,
	.listxattr = tfile_listxattr,
	.removexattr = tfile_removexattr,
	.seekable = true,
};

static ssize_t tdir_read(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	(void)t, (void)f, (void)buf, (void)n, (void)pos;
	return -EISDIR;
}

static ssize_t tdir_write(struct task *t, struct file *f, const void *buf, size_t n, int64_t *pos)
{
	(void)t, (void)f, (void)buf, (void)n, (void)pos;
	return -EISDIR;
}

static int tdir_readdir(struct file *f, struct dir_entry **ents, size_t *n)
{
	struct list_head *p, *q;
	size_t cap = 0;

	*ents = NULL;
	*n = 0;
	if (!F(f)->nlink)
		return -ENOENT;          /* removed (iterate_dir's IS_DEADDIR) */
	if (!(f->flags & O_NOATIME))
		tnode_accessed(F(f), f->mnt);
	list_for_each_safe(p, q, &F(f)->children) {
		struct tdirent *d = list_entry(p, struct tdirent, link);

		if (d->node->whiteout)
			continue;
		if (dents_add(ents, n, &cap, d->node->ino, mode_to_dtype(d->node->mode), d->name)) {
			free(*ents);
			return -ENOMEM;
		}
	}
	return 0;
}

static int tdir_host_fd(struct file *f)
{
	(void)f;
	return -ENODEV;
}

const struct file_ops tmpfs_dir_ops = {
	.read = tdir_read,
	.write = tdir_write,
	.fstat = tfile_fstat,
	.readdir = tdir_readdir,
	.fsync = tfile_fsync,
	.setattr = tfile_setattr,
	.host_fd = tdir_host_fd,
	.release = tfile_release,
	.getxattr = tfile_getxattr,
	.setxattr = tfile_setxattr,
	.listxattr = tfile_listxattr,
	.removexattr = tfile_removexattr,
	.seekable = true,
};

/* ---- unnamed files: memfd_create, O_TMPFILE, linkat(AT_EMPTY_PATH) ---- */

/*
 * tmpfs_anon_file - memfd_create's file: a regular node of permissions
 * perm owned by current, in no directory (nlink 0), opened O_RDWR with
 * f->path = path and no mount.  sealing: its memfd accepts seals (else
 * it carries F_SEAL_SEAL); seals are added at once.  0 or -ENOMEM.
 */
int tmpfs_anon_file(const char *path, uint32_t perm, bool sealing, int seals, struct file **out)
{
	struct tnode *n = tnode_new(S_IFREG | (perm & 07777));
	int err;

	if (!n)
		return errno == ENFILE ? -ENFILE : -ENOMEM;
	if (sealing) {
		/* F_SEAL_EXEC (0x20) as the host's MFD_NOEXEC_SEAL (0x8) sets
		 * it: added later with F_ADD_SEALS, Linux seals the writes too
		 * (memfd_add_seals), which memfd_create's does not; a host
		 * older than 6.3 has no such flag: F_ADD_SEALS then */
		int hfd = (seals & 0x20) ? memfd_create("umk-memfd", MFD_CLOEXEC | MFD_ALLOW_SEALING | 0x8)
					 : -1;

		if (hfd >= 0)
			seals &= ~0x20;
		else
			hfd = memfd_create("umk-memfd", MFD_CLOEXEC | MFD_ALLOW_SEALING);
		int fd = host_fd_admit(hfd);

		if (fd < 0) {
			tnode_put(n);
			return fd == -ENFILE ? -ENFILE : -ENOMEM;
		}
		close(n->memfd);
		n->memfd = fd;
		if (seals)
			fcntl(fd, F_ADD_SEALS, seals);
	}
	err = tnode_open(NULL, n, O_RDWR, path, out);
	tnode_put(n);
	if (!err)
		(*out)->flags = O_RDWR | LINUX_O_LARGEFILE;
	return err;
}

/* tmpfs_file_fits - fallocate of [off, off + len) on f: 0, or -ENOSPC
 * past its mount's size= (other files: 0). */
int tmpfs_file_fits(struct file *f, uint64_t off, uint64_t len)
{
	if (f->ops != &tmpfs_reg_ops)
		return 0;
	return tnode_alloc_room(F(f), off, len) == len ? 0 : -ENOSPC;
}

int tmpfs_file_reserve(struct file *f, uint64_t size)
{
	return f->ops == &tmpfs_reg_ops ? tnode_charge(F(f), size) : 0;
}

/*
 * tmpfs_reopen - open(/proc/PID/fd/N) of a file of no mount (memfd_create's,
 * an unlinked O_TMPFILE's): a new open file of the same node with flags
 * (its own offset and access mode, as Linux's reopen through the magic
 * link).  -EINVAL if mf is no such file; tnode_open's errors.
 */
int tmpfs_reopen(struct file *mf, int flags, struct file **out)
{
	if (mf->ops != &tmpfs_reg_ops || mf->mnt)
		return -EINVAL;
	return tnode_open(NULL, F(mf), flags & ~(O_CREAT | O_EXCL), mf->path, out);
}

bool tmpfs_file_huge(struct file *f)
{
	return f->ops == &tmpfs_reg_ops && F(f)->acct && F(f)->acct->hpage_size;
}

/* The files of no hugetlbfs mount (MFD_HUGETLB, MAP_HUGETLB, SHM_HUGETLB). */
static struct tmpfs_acct hugetlb_anon_acct = {
	.limit = UINT64_MAX / 4, .hpage_size = HPAGE_SIZE,
};

void tmpfs_file_make_huge(struct file *f)
{
	if (f->ops == &tmpfs_reg_ops && !F(f)->acct)
		F(f)->acct = &hugetlb_anon_acct;
}

int tmpfs_huge_reserve(struct file *f, uint64_t end)
{
	struct tnode *n = F(f);
	struct tmpfs_acct *a = n->acct;
	uint64_t pages, need;
	int err;

	if (!tmpfs_file_huge(f))
		return -EINVAL;
	pages = end / a->hpage_size + !!(end % a->hpage_size);
	if (pages <= n->hpages)
		return 0;
	need = pages - n->hpages;
	if (a->hp_max && a->hp_used + need > a->hp_max)
		return -ENOMEM;   /* the mount's size= (its subpool) */
	err = hugetlb_take(need);
	if (err)
		return err;
	n->hpages = pages;
	a->hp_used += need;
	return 0;
}

int tmpfs_file_memfd(struct file *f)
{
	return f->ops == &tmpfs_reg_ops ? F(f)->memfd : -EINVAL;
}

/* tmpfs_file_acl_init - an O_TMPFILE file's access ACL (kernel-id xattr
 * value, len bytes) as posix_acl_create chose it: tmpfs and overlay-upper
 * files only. */
void tmpfs_file_acl_init(struct file *f, const void *value, size_t len)
{
	if (f->ops == &tmpfs_reg_ops)
		tnode_xattr_set(F(f), XATTR_NAME_ACL_ACCESS, value, len, 0);
}

void tmpfs_file_touch(struct file *f)
{
	if (f->ops == &tmpfs_reg_ops) {
		tnode_touch(F(f), true, true);
		tnode_alloc_sync(F(f));   /* fallocate's pages (or a punched hole) */
	}
}

/*
 * tnode_tmpfile - O_TMPFILE's file: a regular node of permissions mode,
 * in no directory, opened with flags; it may be linked later unless
 * flags has O_EXCL.  dir (or NULL) gives its group if setgid.
 */
int tnode_tmpfile(struct mount *m, struct tnode *dir, int flags, uint32_t mode, struct file **out)
{
	struct tnode *n = tnode_new(S_IFREG | (mode & 07777));
	int err;

	if (!n)
		return errno == ENFILE ? -ENFILE : -ENOMEM;
	if (dir && (dir->mode & S_ISGID))
		n->gid = dir->gid;
	if (dir)
		n->acct = dir->acct;
	n->linkable = !(flags & O_EXCL);
	err = tnode_open(m, n, flags & ~(O_CREAT | O_EXCL | O_TRUNC), "", out);
	tnode_put(n);
	return err;
}

/*
 * tnode_linkfile - linkat(fd, "", dir, name, AT_EMPTY_PATH): names f's
 * node in dir (Linux's vfs_link: a node with no name links only if it
 * was made by O_TMPFILE without O_EXCL, and then stops being linkable).
 */
int tnode_linkfile(struct tnode *dir, const char *name, struct file *f)
{
	struct tnode *n;
	struct tdirent *d;
	int err;

	if (f->ops != &tmpfs_reg_ops)
		return -EOPNOTSUPP;
	n = F(f);
	if (!n->nlink && !n->linkable)
		return -ENOENT;
	d = tdir_find(dir, name);
	if (d && !d->node->whiteout)
		return -EEXIST;
	if (d)
		tdir_remove(dir, d);
	err = tdir_add(dir, name, n);
	if (err)
		return err;
	n->linkable = false;
	tnode_touch(n, false, true);
	return 0;
}

/*
 * tnode_open - an open file on node n.  Regular files honour O_TRUNC;
 * directories get tmpfs_dir_ops; fifos go to pipe.c; symlinks -ELOOP;
 * device nodes the kernel's own device of that number (devfs_open_rdev);
 * others and socket nodes -ENXIO (no driver: never a host device).
 */
int tnode_open(struct mount *m, struct tnode *n, int flags, const char *rel, struct file **out)
{
	struct file *f;
	char *path;
	int err;

	switch (n->mode & S_IFMT) {
	case S_IFREG:
		if ((flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY) {
			err = tnode_truncate(n, 0);
			if (err)
				return err;
		}
		f = file_alloc(&tmpfs_reg_ops, flags, rel);
		break;
	case S_IFDIR:
		f = file_alloc(&tmpfs_dir_ops, flags, rel);
		break;
	case S_IFIFO:
		path = path_join(m ? m->path : "/", rel);
		if (!path)
			return -ENOMEM;
		err = fifo_open(current, &n->fifo, flags, path, out);
		free(path);
		return err;
	case S_IFLNK:
		return -ELOOP;
	case S_IFCHR:
	case S_IFBLK:
		return devfs_open_rdev(n->mode, n->rdev, flags, rel, out);   /* the kernel's own */
	default:
		return -ENXIO;
	}
	if (!f)
		return -ENOMEM;
	f->priv = tnode_get(n);
	f->mnt = m;
	*out = f;
	return 0;
}

/* ---- xattrs on nodes ---- */

static bool xattr_ns_ok(const char *name)
{
	return !strncmp(name, "user.", 5) || !strncmp(name, "trusted.", 8) ||
	       !strncmp(name, "security.", 9) || posix_acl_type(name) >= 0;
}

ssize_t tnode_getxattr(struct tnode *n, const char *name, void *buf, size_t len)
{
	struct txattr *x;

	if (!xattr_ns_ok(name))
		return -EOPNOTSUPP;
	for (x = n->xattrs; x; x = x->next) {
		if (strcmp(x->name, name))
			continue;
		if (!len)
			return x->len;
		if (len < x->len)
			return -ERANGE;
		memcpy(buf, x->value, x->len);
		return x->len;
	}
	return -ENODATA;
}

int tnode_setxattr(struct tnode *n, const char *name, const void *v, size_t len, int flags)
{
	struct txattr *x;
	void *nv;

	if (!xattr_ns_ok(name))
		return -EOPNOTSUPP;
	if (!strncmp(name, "user.", 5) && !S_ISREG(n->mode) && !S_ISDIR(n->mode))
		return -EPERM;
	if (posix_acl_type(name) >= 0 && S_ISLNK(n->mode))
		return -EOPNOTSUPP;
	for (x = n->xattrs; x; x = x->next)
		if (!strcmp(x->name, name))
			break;
	if (x && (flags & XATTR_CREATE))
		return -EEXIST;
	if (!x && (flags & XATTR_REPLACE))
		return -ENODATA;
	nv = malloc(len ? len : 1);
	if (!nv)
		return -ENOMEM;
	memcpy(nv, v, len);
	if (!x) {
		x = calloc(1, sizeof(*x));
		if (!x || !(x->name = strdup(name))) {
			free(x);
			free(nv);
			return -ENOMEM;
		}
		x->next = n->xattrs;
		n->xattrs = x;
	}
	free(x->value);
	x->value = nv;
	x->len = len;
	tnode_touch(n, false, true);
	return 0;
}

ssize_t tnode_listxattr(struct tnode *n, char *buf, size_t len)
{
	struct txattr *x;
	size_t need = 0;

	for (x = n->xattrs; x; x = x->next)
		need += strlen(x->name) + 1;
	if (!len)
		return need;
	if (len < need)
		return -ERANGE;
	/* the ACLs first, access then default (simple_xattr_list) */
	for (int pass = 0; pass < 3; pass++)
		for (x = n->xattrs; x; x = x->next) {
			size_t l = strlen(x->name) + 1;
			int type = posix_acl_type(x->name);

			if (pass < 2 ? type != pass : type >= 0)
				continue;
			memcpy(buf, x->name, l);
			buf += l;
		}
	return need;
}

int tnode_removexattr(struct tnode *n, const char *name)
{
	struct txattr **pp, *x;

	for (pp = &n->xattrs; (x = *pp); pp = &x->next) {
		if (strcmp(x->name, name))
			continue;
		*pp = x->next;
		free(x->name);
		free(x->value);
		free(x);
		tnode_touch(n, false, true);
		return 0;
	}
	return xattr_ns_ok(name) ? -ENODATA : -EOPNOTSUPP;
}

/* The xattrs of a tmpfs file's own node (file_ops' xattr ops: an
 * unlinked or O_TMPFILE file's, or a removed directory's,
 * f{get,set,list,remove}xattr). */
static ssize_t tfile_getxattr(struct file *f, const char *name, void *buf, size_t n)
{
	return tnode_getxattr(F(f), name, buf, n);
}

static int tfile_setxattr(struct file *f, const char *name, const void *v, size_t n, int flags)
{
	return tnode_setxattr(F(f), name, v, n, flags);
}

static ssize_t tfile_listxattr(struct file *f, char *buf, size_t n)
{
	return tnode_listxattr(F(f), buf, n);
}

static int tfile_removexattr(struct file *f, const char *name)
{
	return tnode_removexattr(F(f), name);
}

/* ---- tmpfs as a mounted filesystem: priv is a struct tmpfs ---- */

static struct tnode *ROOT(struct mount *m)
{
	return ((struct tmpfs *)m->priv)->root;
}

/*
 * tmpfs_new - a tmpfs instance whose root directory has permissions
 * rootmode (e.g. 01777 for /tmp); pass it as vfs_mount's priv with
 * tmpfs_ops.  NULL on ENOMEM.
 */
void *tmpfs_new(uint32_t rootmode)
{
	struct tmpfs *fs = calloc(1, sizeof(*fs));

	if (!fs)
		return NULL;
	fs->root = tnode_new(S_IFDIR | (rootmode & 07777));
	if (!fs->root) {
		free(fs);
		return NULL;
	}
	fs->root->nlink = 2;
	fs->root->uid = fs->root->gid = 0;
	fs->root->acct = tmpfs_acct_new();
	return fs;
}

/* tmpfs_set_size - a mount's size= (bytes, whole pages): what it may hold,
 * within --tmpfs-size (shmem's max_blocks). */
void tmpfs_set_size(void *priv, uint64_t bytes)
{
	struct tmpfs *fs = priv;

	fs->root->acct->size_opt = PAGEUP(bytes);
}

/* tmpfs_new_owned - tmpfs_new with the root owned by uid:gid (kernel ids). */
void *tmpfs_new_owned(uint32_t rootmode, uint32_t uid, uint32_t gid)
{
	struct tmpfs *fs = tmpfs_new(rootmode);

	if (fs) {
		fs->root->uid = uid;
		fs->root->gid = gid;
	}
	return fs;
}

/* tmpfs_free - drops an instance made by tmpfs_new (its last mount is
 * gone); nodes still open stay until their files close. */
void tmpfs_free(void *priv)
{
	struct tmpfs *fs = priv;

	if (!fs)
		return;
	tnode_put(fs->root);
	free(fs);
}

static int tmpfs_lookup(struct mount *m, const char *rel, struct kstat *st)
{
	struct tnode *n;
	int err = tmpfs_resolve(ROOT(m), rel, &n);

	if (!err)
		tnode_stat(n, st, m->dev);
	return err;
}

static int tmpfs_readlink(struct mount *m, const char *rel, char *buf, size_t len)
{
	struct tnode *n;
	size_t l;
	int err = tmpfs_resolve(ROOT(m), rel, &n);

	if (err)
		return err;
	if (!S_ISLNK(n->mode))
		return -EINVAL;
	l = strlen(n->target);
	if (l > len)
		l = len;
	memcpy(buf, n->target, l);
	n->atime = ts_now();
	return l;
}

/* Creates a node of mode at rel (parent must exist); -EEXIST if taken. */
static int tmpfs_create(struct mount *m, const char *rel, uint32_t mode, struct tnode **out)
{
	struct tnode *dir, *n;
	struct tdirent *d;
	const char *name;
	int err = tmpfs_resolve_parent(ROOT(m), rel, &dir, &name);

	if (err)
		return err == -EBUSY ? -EEXIST : err;
	d = tdir_find(dir, name);
	if (d && !d->node->whiteout)
		return -EEXIST;
	if (d)
		tdir_remove(dir, d);
	n = tnode_new(mode);
	if (!n)
		return errno == ENFILE ? -ENFILE : -ENOMEM;   /* host-fd budget */
	if (dir->mode & S_ISGID) {     /* BSD group semantics of setgid dirs */
		n->gid = dir->gid;
		if (S_ISDIR(mode))
			n->mode |= S_ISGID;
	}
	err = tdir_add(dir, name, n);
	if (err) {
		tnode_put(n);
		return err;
	}
	*out = n;
	tnode_put(n);   /* the directory entry keeps it */
	return 0;
}

static int tmpfs_open(struct mount *m, const char *rel, int flags, uint32_t mode,
		      struct file **out)
{
	struct tnode *n;
	int err = tmpfs_resolve(ROOT(m), rel, &n);

	if (err == -ENOENT && (flags & O_CREAT))
		err = tmpfs_create(m, rel, S_IFREG | (mode & 07777), &n);
	if (err)
		return err;
	return tnode_open(m, n, flags, rel, out);
}

static int tmpfs_mkdir(struct mount *m, const char *rel, uint32_t mode)
{
	struct tnode *n;

	return tmpfs_create(m, rel, S_IFDIR | (mode & 07777), &n);
}

static int tmpfs_mknod(struct mount *m, const char *rel, uint32_t mode, uint64_t dev)
{
	struct tnode *n;
	int err;

	switch (mode & S_IFMT) {
	case 0:
		mode |= S_IFREG;
		break;
	case S_IFREG: case S_IFIFO: case S_IFCHR: case S_IFBLK: case S_IFSOCK:
		break;
	default:
		return -EINVAL;
	}
	err = tmpfs_create(m, rel, mode, &n);
	if (!err && (S_ISCHR(mode) || S_ISBLK(mode)))
		n->rdev = dev;
	return err;
}

static int tmpfs_entry(struct mount *m, const char *rel, struct tnode **dir, struct tdirent **d)
{
	const char *name;
	int err = tmpfs_resolve_parent(ROOT(m), rel, dir, &name);

	if (err)
		return err;
	*d = tdir_find(*dir, name);
	if (!*d || (*d)->node->whiteout)
		return -ENOENT;
	return 0;
}

static int tmpfs_rmdir(struct mount *m, const char *rel)
{
	struct tnode *dir;
	struct tdirent *d;
	int err = tmpfs_entry(m, rel, &dir, &d);

	if (err)
		return err;
	if (!S_ISDIR(d->node->mode))
		return -ENOTDIR;
	if (!tdir_empty(d->node))
		return -ENOTEMPTY;
	tdir_remove(dir, d);
	return 0;
}

static int tmpfs_unlink(struct mount *m, const char *rel)
{
	struct tnode *dir;
	struct tdirent *d;
	int err = tmpfs_entry(m, rel, &dir, &d);

	if (err)
		return err;
	if (S_ISDIR(d->node->mode))
		return -EISDIR;
	tdir_remove(dir, d);
	return 0;
}

static int tmpfs_symlink(struct mount *m, const char *target, const char *rel)
{
	struct tnode *n;
	char *t = strdup(target);
	int err;

	if (!t)
		return -ENOMEM;
	err = tmpfs_create(m, rel, S_IFLNK | 0777, &n);
	if (err) {
		free(t);
		return err;
	}
	n->target = t;
	return 0;
}

static int tmpfs_link(struct mount *m, const char *old, const char *new_)
{
	struct tnode *n, *dir;
	struct tdirent *d;
	const char *name;
	int err = tmpfs_resolve(ROOT(m), old, &n);

	if (err)
		return err;
	if (S_ISDIR(n->mode))
		return -EPERM;
	err = tmpfs_resolve_parent(ROOT(m), new_, &dir, &name);
	if (err)
		return err == -EBUSY ? -EEXIST : err;
	d = tdir_find(dir, name);
	if (d && !d->node->whiteout)
		return -EEXIST;
	if (d)
		tdir_remove(dir, d);
	err = tdir_add(dir, name, n);
	if (!err)
		tnode_touch(n, false, true);
	return err;
}

/*
 * RENAME_EXCHANGE: entries od (in odir) and nd (in ndir) swap their nodes.
 * -ENOENT if nd is missing; directories moving between parents move
 * their ".." link counts with them.
 */
static int tmpfs_exchange(struct tnode *odir, struct tdirent *od, struct tnode *ndir,
			  struct tdirent *nd)
{
	struct tnode *a = od->node, *b;

	if (!nd || nd->node->whiteout)
		return -ENOENT;
	b = nd->node;
	if (a == b)
		return 0;
	od->node = b;
	nd->node = a;
	if (odir != ndir) {
		if (S_ISDIR(a->mode)) {
			odir->nlink--;
			ndir->nlink++;
		}
		if (S_ISDIR(b->mode)) {
			ndir->nlink--;
			odir->nlink++;
		}
	}
	tnode_touch(a, false, true);
	tnode_touch(b, false, true);
	tnode_touch(odir, true, true);
	tnode_touch(ndir, true, true);
	return 0;
}

/*
 * Moves entry old to new_ in one tree, with rename(2)'s checks:
 * -EEXIST (RENAME_NOREPLACE), -ENOTDIR, -EISDIR, -ENOTEMPTY, -EINVAL (a
 * directory into itself, RENAME_EXCHANGE/WHITEOUT unsupported), -EBUSY.
 */
int tmpfs_rename_in(struct tnode *root, const char *old, const char *new_, unsigned flags)
{
	struct tnode *odir, *ndir, *n;
	struct tdirent *od, *nd;
	const char *oname, *nname;
	size_t ol = strlen(old);
	uint64_t nl;
	int err;

	if (flags & ~(TMPFS_RENAME_NOREPLACE | TMPFS_RENAME_EXCHANGE))
		return -EINVAL;
	err = tmpfs_resolve_parent(root, old, &odir, &oname);
	if (err)
		return err;
	od = tdir_find(odir, oname);
	if (!od || od->node->whiteout)
		return -ENOENT;
	err = tmpfs_resolve_parent(root, new_, &ndir, &nname);
	if (err)
		return err;
	n = od->node;
	if (!strncmp(new_, old, ol) && new_[ol] == '/')
		return -EINVAL;
	nd = tdir_find(ndir, nname);
	if (flags & TMPFS_RENAME_EXCHANGE)
		return tmpfs_exchange(odir, od, ndir, nd);
	if (nd && nd->node->whiteout) {
		tdir_remove(ndir, nd);
		nd = NULL;
	}
	if (nd) {
		if (flags & TMPFS_RENAME_NOREPLACE)
			return -EEXIST;
		if (nd->node == n)
			return 0;
		if (S_ISDIR(n->mode) && !S_ISDIR(nd->node->mode))
			return -ENOTDIR;
		if (!S_ISDIR(n->mode) && S_ISDIR(nd->node->mode))
			return -EISDIR;
		if (S_ISDIR(nd->node->mode) && !tdir_empty(nd->node))
			return -ENOTEMPTY;
	}
	tnode_get(n);
	nl = n->nlink;
	if (nd)
		tdir_remove(ndir, nd);
	err = tdir_add(ndir, nname, n);
	if (err) {
		tnode_put(n);
		return err;
	}
	/* the entry moved: the old one may have moved if ndir == odir */
	od = tdir_find(odir, oname);
	while (od && od->node != n)
		od = NULL;
	if (od)
		tdir_remove(odir, od);
	n->nlink = nl;
	tnode_touch(n, false, true);
	tnode_put(n);
	return 0;
}

static int tmpfs_rename(struct mount *m, const char *old, const char *new_, unsigned flags)
{
	return tmpfs_rename_in(ROOT(m), old, new_, flags);
}

static int tmpfs_tmpfile(struct mount *m, const char *dir, int flags, uint32_t mode,
			 struct file **out)
{
	struct tnode *d;
	int err = tmpfs_resolve(ROOT(m), dir, &d);

	if (err)
		return err;
	if (!S_ISDIR(d->mode))
		return -ENOTDIR;
	return tnode_tmpfile(m, d, flags, mode, out);
}

static int tmpfs_linkfile(struct mount *m, struct file *f, const char *new_)
{
	struct tnode *dir;
	const char *name;
	int err = tmpfs_resolve_parent(ROOT(m), new_, &dir, &name);

	if (err)
		return err == -EBUSY ? -EEXIST : err;
	return tnode_linkfile(dir, name, f);
}

static int tmpfs_setattr(struct mount *m, const char *rel, int what, uint32_t mode, uint32_t uid,
			 uint32_t gid, const struct linux_timespec *ts)
{
	struct tnode *n;
	int err = tmpfs_resolve(ROOT(m), rel, &n);

	return err ? err : tnode_setattr(n, what, mode, uid, gid, ts);
}

static int tmpfs_truncate(struct mount *m, const char *rel, uint64_t len)
{
	struct tnode *n;
	int err = tmpfs_resolve(ROOT(m), rel, &n);

	return err ? err : tnode_truncate(n, len);
}

static int tmpfs_statfs(struct mount *m, struct linux_statfs *st)
{
	memset(st, 0, sizeof(*st));
	struct tmpfs_acct *a = ROOT(m)->acct;

	if (a && a->hpage_size) {
		/* hugetlbfs_statfs: huge pages, the size= subpool if any */
		st->f_type = HUGETLBFS_MAGIC;
		st->f_bsize = st->f_frsize = a->hpage_size;
		st->f_blocks = a->hp_max;
		st->f_bfree = st->f_bavail = a->hp_max > a->hp_used ? a->hp_max - a->hp_used : 0;
		st->f_namelen = 255;
		return 0;
	}
	st->f_type = TMPFS_MAGIC;
	st->f_bsize = st->f_frsize = 4096;
	st->f_blocks = st->f_bfree = st->f_bavail = 1 << 20;
	if (a && a->size_opt) {
		/* its size=, and the pages its files hold */
		st->f_blocks = a->size_opt / 4096;
		st->f_bfree = st->f_bavail = a->size_opt > a->alloc ? (a->size_opt - a->alloc) / 4096 : 0;
	} else if (a) {
		/* --tmpfs-size, as df shows a tmpfs's size= */
		st->f_blocks = a->limit / 4096;
		st->f_bfree = st->f_bavail = a->limit > a->used ? (a->limit - a->used) / 4096 : 0;
	}
	st->f_files = st->f_ffree = 1 << 20;
	st->f_fsid[0] = (int32_t)m->dev;
	st->f_namelen = 255;
	return 0;
}

static ssize_t tmpfs_getxattr(struct mount *m, const char *rel, const char *name, void *buf, size_t n)
{
	struct tnode *t;
	int err = tmpfs_resolve(ROOT(m), rel, &t);

	return err ? err : tnode_getxattr(t, name, buf, n);
}

static int tmpfs_setxattr(struct mount *m, const char *rel, const char *name, const void *v,
			  size_t n, int flags)
{
	struct tnode *t;
	int err = tmpfs_resolve(ROOT(m), rel, &t);

	return err ? err : tnode_setxattr(t, name, v, n, flags);
}

static ssize_t tmpfs_listxattr(struct mount *m, const char *rel, char *buf, size_t n)
{
	struct tnode *t;
	int err = tmpfs_resolve(ROOT(m), rel, &t);

	return err ? err : tnode_listxattr(t, buf, n);
}

static int tmpfs_removexattr(struct mount *m, const char *rel, const char *name)
{
	struct tnode *t;
	int err = tmpfs_resolve(ROOT(m), rel, &t);

	return err ? err : tnode_removexattr(t, name);
}


const struct fs_ops tmpfs_ops = {
	.name = "tmpfs",
	.lookup = tmpfs_lookup,
	.readlink = tmpfs_readlink,
	.open = tmpfs_open,
	.mkdir = tmpfs_mkdir,
	.mknod = tmpfs_mknod,
	.rmdir = tmpfs_rmdir,
	.unlink = tmpfs_unlink,
	.symlink = tmpfs_symlink,
	.link = tmpfs_link,
	.rename = tmpfs_rename,
	.setattr = tmpfs_setattr,
	.truncate = tmpfs_truncate,
	.statfs = tmpfs_statfs,
	.getxattr = tmpfs_getxattr,
	.setxattr = tmpfs_setxattr,
	.listxattr = tmpfs_listxattr,
	.removexattr = tmpfs_removexattr,
	.tmpfile = tmpfs_tmpfile,
	.linkfile = tmpfs_linkfile,
	.fileattr_get = fileattr_iflags_get,
	.fileattr_set = fileattr_iflags_set,
	/* inode flags as Linux's shmem keeps them (immutable, append-only,
	 * nodump, noatime), in umk's table (inode_flags.c) */
	.getflags = inode_flags_table_get,
	.setflags = inode_flags_table_set,
};

/* Node-level xattrs for the overlay. */
ssize_t tnode_xattr_get(struct tnode *n, const char *name, void *buf, size_t len)
{
	return tnode_getxattr(n, name, buf, len);
}

int tnode_xattr_set(struct tnode *n, const char *name, const void *v, size_t len, int flags)
{
	return tnode_setxattr(n, name, v, len, flags);
}

ssize_t tnode_xattr_list(struct tnode *n, char *buf, size_t len)
{
	return tnode_listxattr(n, buf, len);
}

int tnode_xattr_remove(struct tnode *n, const char *name)
{
	return tnode_removexattr(n, name);
}
