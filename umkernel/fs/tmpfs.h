/*
 * tmpfs.h - the in-memory node tree shared by tmpfs (tmpfs.c) and the
 * overlay's upper layer (hostfs.c), plus a few file helpers the
 * filesystems share (file.c, vfs.c).
 *
 * A tnode is an inode: directory (children list of tdirents), regular
 * file (content in a memfd so it can be mmapped), symlink, fifo or an
 * inert device record.  Hard links are several tdirents naming one
 * tnode.  Refcounts: every tdirent and every open file holds a reference
 * on its node; nlink counts directory entries only (Linux's i_nlink).
 * Everything is guarded by klock.
 */
#ifndef UMK_TMPFS_H
#define UMK_TMPFS_H

#include "fs.h"

struct txattr {
	struct txattr *next;
	char *name;
	void *value;
	size_t len;
};

/* --tmpfs-size: what one tmpfs instance (or overlay upper layer) holds */
struct tmpfs_acct {
	uint64_t limit, used;         /* bytes, whole pages */
	/* a mount's size= (0: none), against the pages its files hold, as
	 * shmem counts them (holes are free); limit above bounds the host */
	uint64_t size_opt, alloc;
	/* hugetlbfs (mm/hugetlb.c): its huge page size (0: a tmpfs), its
	 * size= in huge pages (0: none) and the pages its files hold */
	uint64_t hpage_size, hp_max, hp_used;
};
extern uint64_t tmpfs_size_limit;   /* each new instance's limit (main.c) */
struct tmpfs_acct *tmpfs_acct_new(void);

struct tnode {
	int refs;
	uint32_t mode, uid, gid;
	uint64_t ino, nlink, rdev;
	struct linux_timespec atime, mtime, ctime;
	struct list_head children;    /* directory: struct tdirent, in creation order */
	unsigned int nchildren;       /* directory: its entries (whiteouts too) */
	struct tdir_index *index;     /* directory of many entries: a hash of their names */
	int memfd;                    /* regular file: content; -1 otherwise */
	char *target;                 /* symlink */
	void *fifo;                   /* fifo: pipe.c's object (fifo_open slot) */
	bool opaque;                  /* overlay: this directory hides the lower one */
	bool whiteout;                /* overlay: this entry hides a lower entry */
	bool linkable;                /* O_TMPFILE without O_EXCL: linkat may name it */
	struct txattr *xattrs;
	/* bounded resources: a regular file's memfd holds at most `charged`
	 * bytes (its size and preallocation, in pages), charged to its
	 * filesystem (acct, NULL for memfd_create's) and to --memory */
	struct tmpfs_acct *acct;
	uint64_t charged;
	uint64_t alloc;               /* its memfd's allocated bytes, counted in acct->alloc */
	uint64_t hpages;              /* hugetlb file: pool pages it holds (mm/hugetlb.c) */
};

struct tdirent {
	struct list_head link;
	struct tnode *node;
	struct tdirent *hnext;        /* the next in its directory's index bucket */
	uint32_t hash;                /* of name */
	char name[];
};

struct tmpfs {
	struct tnode *root;
};

/* Nodes.  tnode_new: refs 1, owner from current's fsuid/fsgid, times now. */
struct tnode *tnode_new(uint32_t mode);
struct tnode *tnode_get(struct tnode *n);
void tnode_put(struct tnode *n);
void tnode_stat(struct tnode *n, struct kstat *st, uint64_t dev);
void tnode_touch(struct tnode *n, bool m, bool c);   /* mtime/ctime = now */
int tnode_setattr(struct tnode *n, int what, uint32_t mode, uint32_t uid, uint32_t gid,
		  const struct linux_timespec *ts);
int tnode_truncate(struct tnode *n, uint64_t len);
/* A node's xattrs, as the mount ops of the same names (the root overlay's
 * removed upper directories' file ops) */
ssize_t tnode_getxattr(struct tnode *n, const char *name, void *buf, size_t len);
int tnode_setxattr(struct tnode *n, const char *name, const void *v, size_t len, int flags);
ssize_t tnode_listxattr(struct tnode *n, char *buf, size_t len);
int tnode_removexattr(struct tnode *n, const char *name);
/* Makes room for n's memfd to hold size bytes: 0 or -ENOSPC. */
int tnode_charge(struct tnode *n, uint64_t size);
/* The same for a tmpfs/overlay-upper file (fallocate); 0 for other files. */
int tmpfs_file_reserve(struct file *f, uint64_t size);
int tmpfs_file_fits(struct file *f, uint64_t off, uint64_t len); /* size= room for fallocate */
uint64_t tnode_next_ino(void);

/* Directories. */
struct tdirent *tdir_find(struct tnode *dir, const char *name);
int tdir_add(struct tnode *dir, const char *name, struct tnode *n);   /* takes a new ref */
void tdir_remove(struct tnode *dir, struct tdirent *d);
bool tdir_empty(struct tnode *dir);   /* ignoring whiteouts */

/* Walks rel ("" = root; no ".", ".." or symlinks) from root.  The node is
 * not referenced.  -ENOENT, -ENOTDIR. */
int tmpfs_resolve(struct tnode *root, const char *rel, struct tnode **out);
/* The directory holding rel's last component; *name points into rel. */
int tmpfs_resolve_parent(struct tnode *root, const char *rel, struct tnode **dir,
			 const char **name);

/* rename(2) inside one tree, with its checks (RENAME_NOREPLACE, RENAME_EXCHANGE). */
int tmpfs_rename_in(struct tnode *root, const char *old, const char *new_, unsigned flags);
/* xattrs kept on a node (namespaces user., trusted., security.). */
ssize_t tnode_xattr_get(struct tnode *n, const char *name, void *buf, size_t len);
int tnode_xattr_set(struct tnode *n, const char *name, const void *v, size_t len, int flags);
ssize_t tnode_xattr_list(struct tnode *n, char *buf, size_t len);
int tnode_xattr_remove(struct tnode *n, const char *name);

/* rename(2) flags understood by tmpfs_rename_in */
#define TMPFS_RENAME_NOREPLACE 1u
#define TMPFS_RENAME_EXCHANGE  2u

/* memfd_create(2): an unnamed regular file opened O_RDWR as path, its
 * memfd made with MFD_ALLOW_SEALING if sealing, seals added at once. */
int tmpfs_anon_file(const char *path, uint32_t perm, bool sealing, int seals, struct file **out);
/* A new open (flags) of mf, a regular file of no mount (a memfd):
 * /proc/PID/fd/N's reopen.  -EINVAL for other files. */
int tmpfs_reopen(struct file *mf, int flags, struct file **out);
/* hugetlb files (a hugetlbfs file, an MFD_HUGETLB memfd, the file of a
 * MAP_HUGETLB mapping): whether f is one; making an anonymous file one;
 * taking its pool pages up to byte end (0 or -ENOMEM: the pool, or the
 * mount's size=). */
bool tmpfs_file_huge(struct file *f);
void tmpfs_file_make_huge(struct file *f);
int tmpfs_huge_reserve(struct file *f, uint64_t end);
/* The memfd behind a tmpfs/overlay-upper regular file, or -EINVAL. */
int tmpfs_file_memfd(struct file *f);
void tmpfs_file_touch(struct file *f);       /* mtime/ctime = now, if a tmpfs file */
void tmpfs_file_acl_init(struct file *f, const void *value, size_t len);   /* O_TMPFILE's ACL */
/* O_TMPFILE: an unnamed regular file (dir: its directory for setgid
 * inheritance, or NULL), opened with flags. */
int tnode_tmpfile(struct mount *m, struct tnode *dir, int flags, uint32_t mode, struct file **out);
/* linkat(AT_EMPTY_PATH): links f's node into dir as name.  -EOPNOTSUPP if
 * f is no tmpfs file, -ENOENT if it has no name and is not linkable,
 * -EEXIST. */
int tnode_linkfile(struct tnode *dir, const char *name, struct file *f);

/* Opens node n (mount m, rel for messages) as a file. */
int tnode_open(struct mount *m, struct tnode *n, int flags, const char *rel, struct file **out);
/* Directory files: readdir is given by the caller (the overlay merges). */
extern const struct file_ops tmpfs_dir_ops;

/* ---- helpers shared by the filesystems (file.c, vfs.c) ---- */
void host_stat_to_kstat(const void *host_stat, struct kstat *st);   /* struct stat * */
/* Appends an entry to a growing dir_entry array. */
int dents_add(struct dir_entry **ents, size_t *n, size_t *cap, uint64_t ino, uint8_t type,
	      const char *name);
uint8_t mode_to_dtype(uint32_t mode);
/* Whether lseek/pread make sense on f (hostfd files decide at run time). */
bool file_seekable(struct file *f);
/* hostfd_file_ops' I/O on f->hostfd, for filesystems that build on it. */
ssize_t hostfd_read(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos);
ssize_t hostfd_write(struct task *t, struct file *f, const void *buf, size_t n, int64_t *pos);
long hostfd_ioctl(struct task *t, struct file *f, unsigned int cmd, uint64_t arg);
/* fsuid/fsgid of current (0 when no task, as in unit tests). */
uint32_t cur_fsuid(void);
uint32_t cur_fsgid(void);
struct linux_timespec ts_now(void);
/* "path" + "/" + rel as a new string (for f->path of files opened by fs). */
char *path_join(const char *a, const char *b);
/* Basic permission check of st for mask (R_OK|W_OK|X_OK) by cred fsuid. */
int vfs_permission(struct task *t, const struct kstat *st, int mask);

#endif
