/*
 * fs/fs.h - the fs subsystem's interface: open files and their ops, fd
 * tables, the VFS (mounts, path walk) and the filesystems mounted at
 * boot, pipes, poll tables, and the hooks the last file_put runs.
 *
 * Lock: klock guards all of it.
 */
#ifndef UMK_FS_H
#define UMK_FS_H

#include "../kernel.h"
#include "../debug/fault.h"

/* ---- files: file.c ---- */
/* POSIX ACLs (posix_acl.c): an inode's access ACL as its filesystem's
 * lookup found it, kernel ids, in the xattr's order (count 0: none; a
 * longer ACL keeps its first KACL_MAX entries here, sets overflow, and
 * names the whole, kept in posix_acl.c's table, by big) */
#define KACL_MAX 32
struct kacl_entry { uint16_t tag, perm; uint32_t id; };
struct kacl {
	uint16_t count;
	bool overflow;
	uint64_t big;                  /* overflow: the whole ACL's id (0: none kept) */
	struct kacl_entry e[KACL_MAX];
};

struct kstat {
	uint64_t dev, ino, nlink, rdev, size, blocks;
	uint32_t mode, uid, gid, blksize;
	struct linux_timespec atime, mtime, ctime;
	/* statx's extras, zero unless the filesystem fills them (ext2.c) */
	uint32_t xmask;                      /* STATX_BTIME: btime is there */
	struct linux_timespec btime;
	uint64_t attributes, attributes_mask; /* STATX_ATTR_* */
	uint32_t dio_mem_align, dio_offset_align; /* with xmask's STATX_DIOALIGN */
	struct kacl acl;                     /* POSIX ACLs: the access ACL */
};
struct poll_table;     /* poll.c */
struct dir_entry { uint64_t ino; uint8_t type; char name[256]; };

struct file_ops {
	/* buf is a kernel buffer; pos is the file offset to use and update */
	ssize_t (*read)(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos);
	ssize_t (*write)(struct task *t, struct file *f, const void *buf, size_t n, int64_t *pos);
	/* Optional: read/write straight between the file and guest memory
	 * at buf (t's), sparing the kernel buffer's copy; the caller checked
	 * the range.  -EFAULT if nothing could be copied. */
	ssize_t (*read_user)(struct task *t, struct file *f, uint64_t buf, size_t n, int64_t *pos);
	ssize_t (*write_user)(struct task *t, struct file *f, uint64_t buf, size_t n, int64_t *pos);
	int (*fstat)(struct file *f, struct kstat *st);
	/* Fills entries (a snapshot) for a directory; *n set to count. */
	int (*readdir)(struct file *f, struct dir_entry **ents, size_t *n);
	long (*ioctl)(struct task *t, struct file *f, unsigned int cmd, uint64_t arg);
	/* Readiness mask (POLLIN...) now; registers pt's waiter if pt != NULL */
	short (*poll)(struct file *f, struct poll_table *pt);
	int (*truncate)(struct file *f, uint64_t len);
	int (*fsync)(struct file *f);
	int (*setattr)(struct file *f, int what, uint32_t mode, uint32_t uid, uint32_t gid,
		       const struct linux_timespec *ts);
	int (*host_fd)(struct file *f);  /* host fd for mmap; -ENODEV if none */
	/* Optional: a VMA mapping f was made (mmap, or a copy of one by
	 * fork, a split or mremap) or is gone (munmap, exit, execve), as
	 * Linux's vm_ops open/close.  SysV shm counts attaches with them;
	 * VMAs of such a file are never merged. */
	void (*vm_open)(struct file *f);
	void (*vm_close)(struct file *f);
	/* Optional: a descriptor of f is being closed by t (close, dup2
	 * over it, close_range, execve's close-on-exec, exit), before its
	 * reference goes: Linux's f_op->flush (mq_notify's owner goes). */
	void (*flush)(struct task *t, struct file *f);
	/* Optional: seek where the offset is not f->pos (a host fd shared
	 * with host processes).  Returns the new offset or -errno;
	 * -EOPNOTSUPP means "seek f->pos as usual". */
	int64_t (*llseek)(struct file *f, int64_t off, int whence);
	/* Optional: fallocate(2) of [off, off + len) by a filesystem that
	 * keeps its own blocks (ext2.c), after sys_fallocate's checks (mode
	 * valid, open for writing, not immutable, a regular file, no
	 * overflow); without it the host fd's fallocate serves. */
	int (*fallocate)(struct file *f, int mode, uint64_t off, uint64_t len);
	void (*release)(struct file *f);
	/* Optional: the page-cache state of a regular file whose pages umk
	 * reads from a block device itself (mm/pagecache.c; ext2), made if
	 * none yet; NULL: none */
	struct pcache_inode *(*pcache)(struct file *f);
	/* Optional: the first write through a shared mapping to page pgoff
	 * of f, which umk write-protected for it (mm/pagecache.c): give the
	 * page's bytes inside the file their blocks, as Linux's
	 * page_mkwrite; 0, or -ENOSPC/-EDQUOT/-EIO (the writer gets SIGBUS) */
	int (*page_mkwrite)(struct file *f, uint64_t pgoff);
	/* Optional: mmap(2) of len bytes of f with MAP_SHARED/MAP_PRIVATE
	 * type and prot is about to be made: 0 (and VM_* bits OR-ed into
	 * *vflags for the new VMA), or the -errno mmap fails with (Linux's
	 * f_op->mmap refusing it; secretmem) */
	int (*mmap_prepare)(struct file *f, int type, int prot, uint64_t len, int *vflags);
	/* Optional: the xattrs of f's own inode, as the mount ops of the same
	 * names (tmpfs): what f{get,set,list,remove}xattr use when f's path
	 * no longer names its inode (unlinked, O_TMPFILE), Linux's going by
	 * the inode */
	ssize_t (*getxattr)(struct file *f, const char *name, void *buf, size_t n);
	int (*setxattr)(struct file *f, const char *name, const void *v, size_t n, int flags);
	ssize_t (*listxattr)(struct file *f, char *buf, size_t n);
	int (*removexattr)(struct file *f, const char *name);
	/* Optional: the lines of /proc/PID/fdinfo/N after the common ones
	 * (Linux's f_op->show_fdinfo), written into buf (len bytes at most,
	 * NUL-terminated); returns their length. */
	int (*show_fdinfo)(struct file *f, char *buf, size_t len);
	bool seekable;
	bool write_empty;             /* write(2) of 0 bytes reaches write (tun: EINVAL), not 0 */
};
enum { ATTR_MODE = 1, ATTR_OWNER = 2, ATTR_TIMES = 4,
       ATTR_TOUCH = 8 /* with ATTR_TIMES: both "now" (utimes(NULL)), which an append-only file takes */ };

struct mount;
struct file {
	int refs;
	const struct file_ops *ops;
	int flags;                    /* O_* status flags (O_APPEND, O_NONBLOCK...) + access mode */
	int64_t pos;
	struct mount *mnt;            /* where it was opened, or NULL */
	char *path;                   /* guest absolute path, or "pipe:[N]" */
	void *priv;                   /* the filesystem's or object's */
	int hostfd;                   /* a host fd behind it, or -1 */
	struct dir_entry *dents;      /* directory snapshot for getdents */
	size_t ndents;
	uint32_t lock_owner;          /* flock: owning pid, 0 none */
	/* mounts (fs/namespace.c) */
	bool mnt_held;                /* f->mnt is a reference (file_set_mnt) */
	unsigned int repath_gen;      /* pivot_root/MS_MOVE rewrote path in this pass */
	/* signal-driven I/O and leases (fs/fasync.c, fs/lease.c) */
	struct fown *fown;            /* F_SETOWN, F_SETSIG, O_ASYNC; NULL until used */
	struct lease_inode *lease_ino; /* a regular file's open counts and leases */
	bool created;                 /* this open made the file (F_CREATED_QUERY) */
	bool nonotify;                /* fanotify's event file: makes no events (FMODE_NONOTIFY) */
	bool fsnotify_hsm;            /* watched for pre-content events when opened (FMODE_NOTIFY_HSM) */
	/* Landlock (security/landlock.h): rights its open lacked (TRUNCATE, IOCTL_DEV) */
	uint16_t landlock_denied;
};
struct file *file_alloc(const struct file_ops *ops, int flags, const char *path);
/* Host fds made for guest objects stay below host_fd_budget (set by
 * main.c): fd or -errno, -ENFILE past it (file.c). */
extern int host_fd_budget;
int host_fd_admit(int fd);
struct file *file_get(struct file *f);
void file_put(struct file *f);
/* A file around a host fd that the kernel owns (stdin, host files). */
struct file *file_from_hostfd(int hostfd, int flags, const char *path, struct mount *mnt);
/* The same for an fd umk inherited (stdin...): its offset is shared with
 * host processes, so I/O and lseek use the host's offset. */
struct file *file_from_host_stdio(int hostfd, int flags, const char *path);
extern const struct file_ops hostfd_file_ops;
/* fstat of an anon_inode file (eventfd, timerfd, signalfd, epoll): mode
 * 0600 with no file type, owned by the caller, as Linux reports them. */
int anon_inode_fstat(struct file *f, struct kstat *st);

/* ---- file I/O through the ops, with --inject-io applied: io_fault.c ---- */
ssize_t file_read_faulty(struct task *t, struct file *f, void *kb, size_t n, int64_t *pos);
ssize_t file_write_faulty(struct task *t, struct file *f, const void *kb, size_t n, int64_t *pos);
int file_fsync_faulty(struct task *t, struct file *f);
/* vfs_open's check after its walk: 0, or the injected error. */
int file_open_fault(struct task *t, const char *abs);
/* f->ops->read/write/fsync (the op must exist), unless an I/O fault
 * applies.  kb is a kernel buffer, pos the offset to use and update. */
static inline ssize_t file_read(struct task *t, struct file *f, void *kb, size_t n, int64_t *pos)
{
	if (__builtin_expect(fault_io_enabled, 0))
		return file_read_faulty(t, f, kb, n, pos);
	return f->ops->read(t, f, kb, n, pos);
}
static inline ssize_t file_write(struct task *t, struct file *f, const void *kb, size_t n,
				 int64_t *pos)
{
	if (__builtin_expect(fault_io_enabled, 0))
		return file_write_faulty(t, f, kb, n, pos);
	return f->ops->write(t, f, kb, n, pos);
}
static inline int file_fsync(struct task *t, struct file *f)
{
	if (__builtin_expect(fault_io_enabled, 0))
		return file_fsync_faulty(t, f);
	return f->ops->fsync(f);
}

/* ---- fd table: fdtable.c ---- */
#define FD_MAX 1024
struct fdtable {
	int refs;
	int nfds;                     /* slots allocated */
	int next_fd;                  /* every fd below it is open (Linux's next_fd) */
	struct file **files;
	uint8_t *cloexec;
};
struct fdtable *fdtable_new(void);
struct fdtable *fdtable_dup(struct fdtable *old);
int fdtable_dup_check(const struct fdtable *ft);   /* -EMFILE past fs.nr_open */
void fdtable_put(struct fdtable *ft);
struct file *fd_get(struct task *t, int fd);          /* new reference or NULL */
int fd_install(struct task *t, int minfd, struct file *f, bool cloexec); /* takes f's ref */
int fd_install_at(struct task *t, int fd, struct file *f, bool cloexec);
int fd_close(struct task *t, int fd);
void fd_close_on_exec(struct fdtable *ft);

/* ---- VFS: vfs.c; mounts and namespaces: namespace.c ---- */
struct fs_ops;
/* One filesystem instance, shown by one or more mounts (bind mounts, the
 * copies a new mount namespace makes). */
struct super_block {
	int refs;                     /* its mounts */
	const struct fs_ops *ops;
	void *priv;
	uint64_t dev;                 /* st_dev */
	const char *fstype;
	char *source;
	char *options;                /* mount(2)'s data, for /proc/mounts */
	int flags;                    /* MS_RDONLY: the filesystem itself is read-only */
	void (*kill)(void *priv);     /* frees priv once no mount shows it (or NULL) */
};
struct mnt_namespace {
	int refs;
	struct list_head mounts;      /* struct mount.link, in mount order */
	struct mount *root;           /* its root mount */
	struct user_namespace *user_ns;
	unsigned int inum;
	unsigned int seq;             /* bumped by every change (mnt_ns_changed) */
	struct wait_queue poll;       /* /proc/PID/mounts pollers: woken at each change */
	uint64_t id;                  /* statmount's mnt_ns_id, NS_GET_MNTNS_ID (never reused) */
};
/* A change to ns's mounts: seq moves on and its pollers wake (namespace.c). */
void mnt_ns_changed(struct mnt_namespace *ns);
/* Whether f, a regular file, can be polled all the same (procfs's mounts
 * files, as Linux's file_can_poll): epoll_ctl refuses the others. */
bool procfs_file_pollable(struct file *f);
extern struct mnt_namespace init_mnt_ns;
struct mount {
	struct list_head link;        /* ns->mounts */
	char *path;                   /* guest absolute path of the mount point, in ns */
	const struct fs_ops *ops;     /* = sb's */
	void *priv;
	uint64_t dev;                 /* st_dev for this mount */
	const char *fstype, *source;
	int id;
	int mflags;                   /* per-mount MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC... */
	/* the tree (namespace.c) */
	int refs;                     /* its namespace, open files, walks in flight */
	struct super_block *sb;
	char *root;                   /* the directory of sb it shows: "" for its root (bind mounts) */
	struct mnt_namespace *ns;     /* NULL once detached */
	struct mount *parent;         /* NULL for the namespace's root */
	struct list_head children;    /* struct mount.child_link */
	struct list_head child_link;
	int propagation;              /* 0 (private), MS_SHARED, MS_SLAVE, MS_UNBINDABLE */
	int group, master;            /* peer group (shared), the group received from (slave) */
	bool locked;                  /* copied for a less privileged user namespace (MNT_LOCKED) */
	bool expiry_mark;             /* umount2(MNT_EXPIRE) marked it; any use (mnt_put) clears it */
};
struct fs_ops {
	const char *name;
	/* All paths are relative to the mount ("" is its root), already free
	 * of ".", "..", symlinks in the directory part and empty components. */
	int (*lookup)(struct mount *m, const char *rel, struct kstat *st);     /* no follow */
	int (*readlink)(struct mount *m, const char *rel, char *buf, size_t len);
	/* Opens (creating if O_CREAT and absent; mode already masked). */
	int (*open)(struct mount *m, const char *rel, int flags, uint32_t mode, struct file **out);
	int (*mkdir)(struct mount *m, const char *rel, uint32_t mode);
	int (*mknod)(struct mount *m, const char *rel, uint32_t mode, uint64_t dev);
	int (*rmdir)(struct mount *m, const char *rel);
	int (*unlink)(struct mount *m, const char *rel);
	int (*symlink)(struct mount *m, const char *target, const char *rel);
	int (*link)(struct mount *m, const char *old, const char *new_);
	int (*rename)(struct mount *m, const char *old, const char *new_, unsigned flags);
	int (*setattr)(struct mount *m, const char *rel, int what, uint32_t mode, uint32_t uid,
		       uint32_t gid, const struct linux_timespec *ts);
	int (*truncate)(struct mount *m, const char *rel, uint64_t len);
	int (*statfs)(struct mount *m, struct linux_statfs *st);
	/* Magic links (/proc/PID/fd/N): the open file itself, or NULL. */
	struct file *(*magic)(struct mount *m, const char *rel);
	/* xattrs (optional) */
	ssize_t (*getxattr)(struct mount *m, const char *rel, const char *name, void *buf, size_t n);
	int (*setxattr)(struct mount *m, const char *rel, const char *name, const void *v, size_t n, int flags);
	ssize_t (*listxattr)(struct mount *m, const char *rel, char *buf, size_t n);
	int (*removexattr)(struct mount *m, const char *rel, const char *name);
	/* Optional: open(O_TMPFILE) - an unnamed regular file in directory
	 * dir (mode already masked); linkable unless flags has O_EXCL. */
	int (*tmpfile)(struct mount *m, const char *dir, int flags, uint32_t mode, struct file **out);
	/* Optional: linkat(fd, "", ..., AT_EMPTY_PATH) - names open file f
	 * (opened on this mount) as new_.  -ENOENT if f cannot be linked. */
	int (*linkfile)(struct mount *m, struct file *f, const char *new_);
	/* Optional: what the filesystem refuses beyond the mode bits, even
	 * to root (mask R_OK|W_OK|X_OK): 0 or -EACCES.  access(2) asks it. */
	int (*permission)(struct mount *m, const char *rel, int mask);
	/* Optional: writes what the filesystem holds back to its device
	 * (sync, syncfs): 0 or -errno. */
	int (*sync_fs)(struct mount *m);
	/* Optional: the filesystem is to become read-only (a remount): 0
	 * once it has written back what it holds, or -EBUSY (files open for
	 * writing). */
	int (*remount_ro)(struct mount *m);
	/* Optional: a remount's options (mount(2)'s data, may be NULL),
	 * before any change: 0 or -errno (ext4's "abort") */
	int (*remount_opts)(struct mount *m, int flags, const char *data);
	/* Optional: the inode's FS_XFLAG_* flags (file_attr.c: file_getattr,
	 * FS_IOC_GETFLAGS...); set gets flags the generic checks passed and
	 * returns -EOPNOTSUPP for those it does not keep. */
	int (*fileattr_get)(struct mount *m, const char *rel, uint32_t *xflags);
	int (*fileattr_set)(struct mount *m, const char *rel, uint32_t xflags);
	/* Optional, both or neither: the inode flags (FS_*_FL) of rel, inode
	 * st, and storing new ones (-EOPNOTSUPP for flags it cannot keep);
	 * the caller checked the permissions (inode_flags.c).  Without them
	 * FS_IOC_GETFLAGS is ENOTTY.  inode_flags_table_get/set serve a
	 * filesystem that keeps flags in umk's memory. */
	int (*getflags)(struct mount *m, const char *rel, const struct kstat *st, uint32_t *flags);
	int (*setflags)(struct mount *m, const char *rel, const struct kstat *st, uint32_t flags);
};
/* file_attr.c: the FS_IOC_*FLAGS/FS*XATTR ioctls (-ENOIOCTLCMD for
 * others), and fileattr hooks for a filesystem that keeps no flags. */
long fileattr_ioctl(struct task *t, struct file *f, unsigned int cmd, uint64_t arg);
int fileattr_none_get(struct mount *m, const char *rel, uint32_t *xflags);
int fileattr_none_set(struct mount *m, const char *rel, uint32_t xflags);

struct fs_struct {               /* CLONE_FS shares it */
	int refs;
	char *cwd;                    /* guest absolute path */
	char *root;                   /* "/" (chroot changes it) */
	uint32_t umask;
	unsigned int repath_gen;      /* namespace.c: pivot_root rewrote it in this pass */
};

/* Result of a path walk. */
struct nameidata {
	char abs[4096];               /* absolute, normalised, symlink-free (but the last if not followed) */
	struct mount *mnt;
	const char *rel;              /* path inside mnt's filesystem: into abs, or relbuf */
	struct kstat st;
	bool exists;
	struct file *magic;           /* set if the path was a magic link to an open file */
	struct mnt_namespace *ns;     /* the mount namespace abs is a path of */
	char relbuf[4096];            /* rel of a bind mount showing a subdirectory (last: not
				       * cleared by vfs_walk) */
};
enum { WALK_FOLLOW = 1, WALK_DIRECTORY = 2, WALK_EMPTY_OK = 4,
       /* openat2's RESOLVE_* (Linux's LOOKUP_NO_XDEV...): */
       WALK_NO_XDEV = 8, WALK_NO_MAGICLINKS = 16, WALK_NO_SYMLINKS = 32,
       WALK_BENEATH = 64, WALK_IN_ROOT = 128,
       WALK_KEEP_EXPIRY = 256 /* umount2's walk: the mount's MNT_EXPIRE mark stays */ };
/* vfs.c: ownership rules (see their comments) */
int setattr_prepare(struct task *t, const struct kstat *st, int *what, uint32_t *mode, uint32_t uid,
		    uint32_t gid);
uint32_t mode_strip_sgid(struct task *t, const struct kstat *dst, uint32_t mode);
/* Resolves path relative to dirfd (AT_FDCWD or an fd) for task t.
 * 0 with nd->exists false if only the last component is missing. */
int vfs_walk(struct task *t, int dirfd, const char *path, int flags, struct nameidata *nd);
void nd_release(struct nameidata *nd);
bool vfs_is_mountpoint(const struct nameidata *nd);
int vfs_open(struct task *t, int dirfd, const char *path, int flags, uint32_t mode, struct file **out);
/* vfs_open with openat2's resolve flags (WALK_NO_XDEV... bits) on its walk. */
int vfs_open_resolve(struct task *t, int dirfd, const char *path, int flags, uint32_t mode,
		     int walk_flags, struct file **out);
/* vfs.c: the open regular file an O_PATH file keeps (execveat of it
 * once unlinked), or NULL */
struct file *opath_pinned(struct file *f);
/* vfs.c: set around an open the guest did not ask for (an O_PATH file's
 * pin): a filesystem that stacks on others (overlayfs) makes no events */
extern __thread bool fs_quiet_open;
/* Boot-time mounts in the initial namespace (namespace.c). */
int vfs_mount(const char *path, const struct fs_ops *ops, void *priv, const char *fstype,
	      const char *source);
int vfs_umount(const char *path);
/* The mount owning abs in the current task's namespace; *rel into abs or
 * buf (PATH_MAX bytes, may be NULL when rel is). */
struct mount *vfs_find_mount(const char *abs, const char **rel, char *buf);
/* ... in namespace ns; and the namespace a file's path belongs to (its
 * mount's: a file opened before an unshare keeps naming its own tree). */
struct mount *vfs_find_mount_ns(struct mnt_namespace *ns, const char *abs, const char **rel,
				char *buf);
struct mnt_namespace *file_mnt_ns(const struct file *f);
const char *mnt_rel(const struct mount *m, const char *abs, char *buf);
struct mnt_namespace *current_mnt_ns(void);
struct mnt_namespace *get_mnt_ns(struct mnt_namespace *ns);
void put_mnt_ns(struct mnt_namespace *ns);
struct mnt_namespace *copy_mnt_ns(struct mnt_namespace *old, struct user_namespace *user_ns,
				  int *err);
unsigned int mnt_ns_inum(const struct mnt_namespace *ns);
struct user_namespace *mnt_ns_user_ns(const struct mnt_namespace *ns);
struct mount *mnt_get(struct mount *m);
void mnt_put(struct mount *m);
int mnt_want_write(const struct mount *m);      /* -EROFS on a read-only mount */
int64_t mnt_statfs_flags(const struct mount *m);  /* statfs's f_flags */
void file_set_mnt(struct file *f, struct mount *m);   /* f->mnt = m, referenced */
void mnt_rename_tree(struct mount *m, const char *from, const char *to);
struct super_block *sb_new(const struct fs_ops *ops, void *priv, const char *fstype,
			   const char *source, void (*kill)(void *priv));
/* The filesystem types mount(2) knows.  mount makes a new instance (or
 * shows a shared one) for task t: source, MS_* flags, data (the options
 * string, NULL if none); one reference in *sb.  -errno on bad options. */
#define FS_USERNS_MOUNT 1     /* a user namespace's root may mount it */
#define FS_REQUIRES_DEV 2     /* lives on a block device (not "nodev" in /proc/filesystems) */
struct fs_type {
	const char *name;
	int flags;
	int (*mount)(struct task *t, const char *source, int flags, const char *data,
		     struct super_block **sb);
	struct fs_type *next;
};
int register_filesystem(struct fs_type *fst);   /* -EBUSY if the name is taken */
/* namespace.c, for the new mount API (fsopen.c); see their comments */
int mnt_may_mount(struct task *t);
bool file_is_fs_context(const struct file *f);
/* inode_flags.c: the table's flags of an inode; fs_ops.fileattr_get/set
 * over fs_ops.getflags/setflags (file_getattr shows what chattr set) */
uint32_t inode_flags_lookup(uint64_t dev, uint64_t ino);
int fileattr_iflags_get(struct mount *m, const char *rel, uint32_t *xflags);
int fileattr_iflags_set(struct mount *m, const char *rel, uint32_t xflags);   /* fsopen.c: an fsopen/fspick file */
void mnt_sb_put(struct super_block *sb);
bool mnt_is_root(const struct nameidata *nd);
int mnt_move(struct nameidata *old, struct nameidata *nd);
struct mount *mnt_new_detached(struct super_block *sb, const char *root, int mflags);
int mnt_attach_detached(struct mount *m, struct nameidata *nd, bool root_is_dir);
int mnt_beneath(struct task *t, struct mount *m, struct nameidata *old, struct nameidata *to,
		bool root_is_dir);
int mnt_setattr(struct mount *top, int set, int clr, int propagation, bool recursive);
struct fs_type *get_fs_type(const char *name);
/* statmount.c and its callers: a mount's 64-bit unique id (statx's
 * STATX_MNT_ID_UNIQUE, statmount, listmount), past every old id as
 * Linux's MNT_UNIQUE_ID_OFFSET; the namespace of id mnt_ns_id that a
 * task still uses (NULL if none; namespace.c). */
#define MNT_UNIQUE_ID_OFFSET (1ULL << 31)
static inline uint64_t mnt_id_unique(const struct mount *m)
{
	return MNT_UNIQUE_ID_OFFSET + (uint64_t)m->id;
}
struct mnt_namespace *mnt_ns_lookup_id(uint64_t id);
struct fs_type *fs_type_next(struct fs_type *prev);   /* NULL: the first */
/* RLIMIT_FSIZE for a write from pos of *n bytes (n NULL: a truncate to
 * pos): 0 (*n cut to fit), or SIGXFSZ and -EFBIG (vfs.c) */
int fsize_limit(struct task *t, int64_t pos, size_t *n);
/* filesystems.c: type i of /proc/filesystems (and sysfs(2)), NULL past the end */
const char *filesystem_name(int i);
/* eventfd.c: whether f is an eventfd; adds n to its counter without
 * blocking (Linux's eventfd_signal: AIO's IOCB_FLAG_RESFD) */
bool file_is_eventfd(struct file *f);
extern long sysctl_aio_max_nr;   /* aio.c: /proc/sys/fs/aio-max-nr */
long aio_nr_now(void);           /* aio.c: /proc/sys/fs/aio-nr */
void eventfd_signal_file(struct file *f, uint64_t n);
void fs_register_builtin(void);                 /* tmpfs, proc, sysfs, devpts, devtmpfs */
void hugetlbfs_register(void);                  /* hugetlbfs.c */
void overlayfs_register(void);                  /* overlayfs.c: the "overlay" type */
uint64_t anon_dev_alloc(void);                  /* namespace.c: a fresh anonymous st_dev */
/* After a rename of old to new_ (absolute; exchange: swapped), open files,
 * mappings and working and root directories there take the new names. */
void vfs_rename_names(const char *old, const char *new_, bool exchange);
void kstat_to_stat(const struct kstat *k, struct linux_stat *st);
int file_getdents(struct file *f);   /* fill f->dents from readdir if not yet */

/* Filesystems */
int hostfs_mount(const char *guest_path, const char *host_dir, bool overlay);
extern const struct fs_ops tmpfs_ops;
void *tmpfs_new(uint32_t rootmode);
void *tmpfs_new_owned(uint32_t rootmode, uint32_t uid, uint32_t gid);
void tmpfs_set_size(void *fs, uint64_t bytes);   /* a mount's size= */
void tmpfs_free(void *priv);   /* the instance's tree (open files keep their nodes) */
extern const struct fs_ops devfs_ops;
/* devfs.c: a device node's open by number (null, zero, full, random, urandom) or -ENXIO */
int devfs_open_rdev(uint32_t mode, uint64_t rdev, int flags, const char *rel, struct file **out);
extern const struct fs_ops devpts_fs_ops;     /* devfs.c: /dev/pts as a mount of its own */
extern const struct fs_ops procfs_ops;
/* procfs.c, shared with the control socket (debug/control.c): the text of
 * /proc/REL, and a task's state letter (R S D T Z X) */
int procfs_render(const char *rel, char **out, size_t *len);
struct pid *procfs_dir_pid(struct file *f);   /* an open /proc/PID: its process */
char task_state_char(struct task *tk);
void ext2_register(void);   /* fs/ext2.c: the ext2, ext3 and ext4 types */
void ext2_shutdown(void);   /* fs/ext2.c: umk's exit writes every ext2 image back */
int sysfs_mount(const char *path);   /* fs/sysfs.c: the few /sys files userland reads */
/* fs/sysfs_block.c: sysfs's operations (tmpfs's, the block devices' attributes
 * live) and the block devices' part of the tree at boot */
const struct fs_ops *sysfs_fs_ops(void);
int sysfs_block_init(struct mount *m);

/* ---- pipes: pipe.c ---- */
int pipe_create(struct file **rd, struct file **wr, int flags);
int fifo_open(struct task *t, void **fifo_slot, int flags, const char *path, struct file **out);
long pipe_fcntl(struct file *f, unsigned int cmd, uint64_t arg); /* F_[GS]ETPIPE_SZ; -EBADF if no pipe */
void fifo_detach(void **fifo_slot);   /* FIFO inode freed while open */

/* ---- poll: poll.c ---- */
struct poll_table {
	struct task *task;
	void (*func)(struct waiter *);   /* set: waiters run it (fs/fasync.c), data = func_data */
	void *func_data;
	struct waiter w[64];
	int n;
	int hostfd;                   /* at most one host fd to wait on, or -1 */
	short hostevents;
	bool exclusive;               /* its waiters are exclusive (EPOLLEXCLUSIVE items) */
};
void poll_wait(struct poll_table *pt, struct wait_queue *wq);
void poll_wait_host(struct poll_table *pt, int hostfd, short events);

/* ---- pipe helpers for splice(2) and tee(2): pipe.c ---- */
bool file_is_pipe(struct file *f);
bool file_is_dev_zero(struct file *f);   /* devfs.c: mmap of it is anonymous */
/* loop.c: opens of /dev/loopNR and /dev/loop-control (0 or -errno) */
int loop_open(int nr, int flags, const char *path, struct mount *m, struct file **out);
int loopctl_open(int flags, const char *path, struct mount *m, struct file **out);
/* loop.c: a loop device as the block device under a filesystem (ext2.c) */
int loop_bdev_open(struct task *t, const char *path, int flags, struct file **out);
int loop_bdev_nr(struct file *bdev);
uint64_t loop_bdev_size(struct file *bdev);
bool loop_bdev_ro(struct file *bdev);
ssize_t loop_bdev_rw(struct file *bdev, void *buf, size_t n, uint64_t off, bool write);
int loop_bdev_sync(struct file *bdev);
int kmsg_open(struct task *t, int flags, const char *path, const struct kstat *node,
	      struct file **out);   /* kernel/printk.c: /dev/kmsg */
/* Waits for data in read end f (unless nonblock or O_NONBLOCK) and copies
 * up to n bytes without consuming them: count, 0 at EOF, -EAGAIN,
 * -ERESTARTSYS, -EBADF. */
ssize_t pipe_peek(struct task *t, struct file *f, void *buf, size_t n, bool nonblock);
void pipe_consume(struct file *f, size_t n);   /* drops n bytes (after a peek) */
/* pipe_write with SPLICE_F_NONBLOCK: nonblock overrides O_NONBLOCK */
ssize_t pipe_write_nb(struct task *t, struct file *f, const void *buf, size_t n, bool nonblock);

/* ---- signal-driven I/O: fasync.c (Linux's fs/fcntl.c owner and fasync) ---- */
struct fown;
/* F_SETOWN, F_GETOWN, F_SETOWN_EX, F_GETOWN_EX, F_SETSIG, F_GETSIG */
long fown_fcntl(struct task *t, struct file *f, int cmd, uint64_t arg);
/* O_ASYNC turned on or off on f through descriptor fd (F_SETFL, FIOASYNC) */
int fasync_set(struct task *t, struct file *f, int fd, bool on);
/* Sends f's owner its I/O signal for reason POLL_IN..POLL_HUP (send_sigio) */
void send_sigio(struct file *f, int fd, int reason);
void fasync_file_release(struct file *f);
void fown_default(struct task *t, struct file *f);   /* owner = t's process, if none yet */

/* ---- leases: lease.c (Linux's fs/locks.c leases) ---- */
long lease_fcntl(struct task *t, struct file *f, int fd, int cmd, long arg);   /* F_SETLEASE, F_GETLEASE */
/* An open (flags: its O_ACCMODE) or truncate(2) of inode (dev, ino) breaks
 * the leases it conflicts with: 0, -EWOULDBLOCK (O_NONBLOCK), -ERESTARTSYS. */
int break_lease(struct task *t, uint64_t dev, uint64_t ino, int flags);
void lease_file_opened(struct file *f, uint64_t dev, uint64_t ino);   /* counts a regular file's open */
void lease_file_release(struct file *f);
/* lease.c: ETXTBSY, a running executable's write denial (see each) */
int inode_write_denied(uint64_t dev, uint64_t ino);
int file_deny_write(struct file *f, bool check);
void file_allow_write(struct file *f);
/* vfs.c: /proc/sys/fs/protected_{symlinks,hardlinks,fifos,regular}; the
 * first two are enforced (vfs_walk, may_linkat), the others stored only */
extern long sysctl_protected_symlinks, sysctl_protected_hardlinks;
extern long sysctl_protected_fifos, sysctl_protected_regular;
int may_linkat(struct task *t, const struct kstat *st);
/* pipe.c: /proc/sys/fs/pipe-user-pages-{soft,hard}, stored only */
extern long sysctl_pipe_user_pages_soft, sysctl_pipe_user_pages_hard;
extern long sysctl_pipe_max_size;   /* pipe.c: /proc/sys/fs/pipe-max-size */
extern long lease_break_time, sysctl_leases_enable;   /* /proc/sys/fs/lease-break-time (s), leases-enable */

/* ---- file hooks run by the last file_put before ops->release ---- */
void epoll_file_release(struct file *f);   /* epoll.c: f leaves every epoll set */
/* epoll.c: *target = the file of the toff-th item (in order of addition)
 * of epoll file ep registered under fd tfd, not referenced (kcmp's
 * KCMP_EPOLL_TFD; Linux's get_epoll_tfile_raw_ptr).  -EINVAL if ep is
 * not an epoll instance, -ENOENT if it has no such item. */
int epoll_target_file(struct file *ep, uint32_t tfd, uint32_t toff, struct file **target);
void locks_file_release(struct file *f);   /* locks.c: flock and OFD locks of f */
/* locks.c: close(2) of an fd of f by t: t's process drops its POSIX locks on f's inode */
void locks_remove_posix(struct task *t, struct file *f);
/* locks.c: every POSIX lock of process tgid (call at process exit) */
void locks_exit(int tgid);
long locks_flock(struct task *t, struct file *f, int op);
int locks_proc_show(int (*pidnr)(int), char **out);   /* locks.c: /proc/locks */
long locks_fcntl(struct task *t, struct file *f, int cmd, uint64_t arg);

/* ---- change notification: notify.h (the hooks), notify.c, inotify.c ---- */
#include "notify.h"

/* timerfd.c: the guest's realtime moved by delta ns (timekeeping.c) */
void timerfd_clock_was_set(int64_t delta);

/* ---- inode flags (chattr): inode_flags.c ---- */
/* FS_*_FL of FS_IOC_GETFLAGS (include/uapi/linux/fs.h) */
#define FS_SYNC_FL_       0x00000008u
#define FS_IMMUTABLE_FL_  0x00000010u
#define FS_APPEND_FL_     0x00000020u
#define FS_NODUMP_FL_     0x00000040u
#define FS_NOATIME_FL_    0x00000080u
#define IFLAGS_ENFORCED_  (FS_IMMUTABLE_FL_ | FS_APPEND_FL_)
/* STATX_ATTR_* of statx's stx_attributes */
#define STATX_ATTR_IMMUTABLE_ 0x10u
#define STATX_ATTR_APPEND_    0x20u
#define STATX_ATTR_NODUMP_    0x40u
#define STATX_ATTR_MOUNT_ROOT_ 0x2000u
/* statx's request/result mask bits beyond the basic stats */
#define STATX_DIOALIGN_       0x2000u
/* The VFS checks of the immutable and append-only flags, for any
 * filesystem with getflags (Linux's IS_IMMUTABLE/IS_APPEND tests); each
 * returns 0 or -EPERM, to root too.  m/rel/st name the inode.
 * inode_may_write: a write to the inode (open for writing, truncate,
 *   utimes to now, a name made in or taken from a directory): immutable.
 * inode_may_open: open(2)'s flags (may_open): immutable for any write;
 *   append-only without O_APPEND or with O_TRUNC.
 * inode_may_change: chmod, chown, explicit times, xattrs, truncate, link
 *   (notify_change, xattr_permission, vfs_link): immutable or append-only.
 * inode_may_delete: unlink, rmdir, rename's source and victim (may_delete):
 *   the inode or its directory immutable or append-only. */
/* Whether any check on m can refuse: its filesystem has flags and, for
 * the table's, some inode is immutable or append-only (no lookup). */
bool inode_flags_enforcing(const struct mount *m);
int inode_may_write(struct mount *m, const char *rel, const struct kstat *st);
int inode_may_open(struct mount *m, const char *rel, const struct kstat *st, int flags);
int inode_may_change(struct mount *m, const char *rel, const struct kstat *st);
int inode_may_delete(struct mount *m, const char *rel, const struct kstat *st);
/* The same on an open file (fchmod, fchown, futimens, ftruncate,
 * fsetxattr); fcntl(F_SETFL) may not clear O_APPEND of an append-only one. */
int file_may_change(struct file *f);
int file_may_setfl(struct file *f, int newflags);
/* The flags of rel (inode st) on m, or of open file f: 0 if none. */
uint32_t inode_flags(struct mount *m, const char *rel, const struct kstat *st);
uint32_t file_inode_flags(struct file *f);
/* statx's stx_attributes and stx_attributes_mask bits (shmem_getattr). */
void inode_flags_statx(struct mount *m, const char *rel, const struct kstat *st,
		       uint64_t *attributes, uint64_t *mask);
/* FS_IOC_GETFLAGS/SETFLAGS/FSGETXATTR/FSSETXATTR on f: the result, -EFAULT,
 * -EPERM (not the owner; CAP_LINUX_IMMUTABLE for the immutable and
 * append-only flags), -EROFS, -EOPNOTSUPP; -ENOIOCTLCMD for another
 * command or a file whose filesystem has no flags (the file's own ioctl). */
long inode_flags_ioctl(struct task *t, struct file *f, unsigned int cmd, uint64_t arg);
/* umk's table of flags (tmpfs, hostfs): the getflags/setflags ops, and
 * the entry's end with the inode's last name (st as it was). */
int inode_flags_table_get(struct mount *m, const char *rel, const struct kstat *st,
			  uint32_t *flags);
int inode_flags_table_set(struct mount *m, const char *rel, const struct kstat *st,
			  uint32_t flags);
void inode_flags_forget(const struct kstat *st);

#endif
