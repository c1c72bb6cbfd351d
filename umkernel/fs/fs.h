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

/* ---- files: file.c ---- */
struct kstat {
	uint64_t dev, ino, nlink, rdev, size, blocks;
	uint32_t mode, uid, gid, blksize;
	struct linux_timespec atime, mtime, ctime;
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
	/* Optional: seek where the offset is not f->pos (a host fd shared
	 * with host processes).  Returns the new offset or -errno;
	 * -EOPNOTSUPP means "seek f->pos as usual". */
	int64_t (*llseek)(struct file *f, int64_t off, int whence);
	void (*release)(struct file *f);
	bool seekable;
};
enum { ATTR_MODE = 1, ATTR_OWNER = 2, ATTR_TIMES = 4 };

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

/* ---- fd table: fdtable.c ---- */
#define FD_MAX 1024
struct fdtable {
	int refs;
	int nfds;                     /* slots allocated */
	struct file **files;
	uint8_t *cloexec;
};
struct fdtable *fdtable_new(void);
struct fdtable *fdtable_dup(struct fdtable *old);
void fdtable_put(struct fdtable *ft);
struct file *fd_get(struct task *t, int fd);          /* new reference or NULL */
int fd_install(struct task *t, int minfd, struct file *f, bool cloexec); /* takes f's ref */
int fd_install_at(struct task *t, int fd, struct file *f, bool cloexec);
int fd_close(struct task *t, int fd);
void fd_close_on_exec(struct fdtable *ft);

/* ---- VFS: vfs.c ---- */
struct fs_ops;
struct mount {
	struct list_head link;
	char *path;                   /* guest absolute path of the mount point */
	const struct fs_ops *ops;
	void *priv;
	uint64_t dev;                 /* st_dev for this mount */
	const char *fstype, *source;
	int id;
	int mflags;                   /* MS_RDONLY... */
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
};

struct fs_struct {               /* CLONE_FS shares it */
	int refs;
	char *cwd;                    /* guest absolute path */
	char *root;                   /* "/" (chroot changes it) */
	uint32_t umask;
};

/* Result of a path walk. */
struct nameidata {
	char abs[4096];               /* absolute, normalised, symlink-free (but the last if not followed) */
	struct mount *mnt;
	const char *rel;              /* points into abs: path inside mnt */
	struct kstat st;
	bool exists;
	struct file *magic;           /* set if the path was a magic link to an open file */
};
enum { WALK_FOLLOW = 1, WALK_DIRECTORY = 2, WALK_EMPTY_OK = 4 };
/* Resolves path relative to dirfd (AT_FDCWD or an fd) for task t.
 * 0 with nd->exists false if only the last component is missing. */
int vfs_walk(struct task *t, int dirfd, const char *path, int flags, struct nameidata *nd);
void nd_release(struct nameidata *nd);
int vfs_open(struct task *t, int dirfd, const char *path, int flags, uint32_t mode, struct file **out);
int vfs_mount(const char *path, const struct fs_ops *ops, void *priv, const char *fstype,
	      const char *source);
int vfs_umount(const char *path);
struct mount *vfs_find_mount(const char *abs, const char **rel);
extern struct list_head mounts;
void kstat_to_stat(const struct kstat *k, struct linux_stat *st);
int file_getdents(struct file *f);   /* fill f->dents from readdir if not yet */

/* Filesystems */
int hostfs_mount(const char *guest_path, const char *host_dir, bool overlay);
extern const struct fs_ops tmpfs_ops;
void *tmpfs_new(uint32_t rootmode);
extern const struct fs_ops devfs_ops;
extern const struct fs_ops procfs_ops;
int sysfs_mount(const char *path);   /* fs/sysfs.c: the few /sys files userland reads */

/* ---- pipes: pipe.c ---- */
int pipe_create(struct file **rd, struct file **wr, int flags);
int fifo_open(struct task *t, void **fifo_slot, int flags, const char *path, struct file **out);
long pipe_fcntl(struct file *f, unsigned int cmd, uint64_t arg); /* F_[GS]ETPIPE_SZ; -EBADF if no pipe */
void fifo_detach(void **fifo_slot);   /* FIFO inode freed while open */

/* ---- poll: poll.c ---- */
struct poll_table {
	struct task *task;
	struct waiter w[64];
	int n;
	int hostfd;                   /* at most one host fd to wait on, or -1 */
	short hostevents;
};
void poll_wait(struct poll_table *pt, struct wait_queue *wq);
void poll_wait_host(struct poll_table *pt, int hostfd, short events);

/* ---- pipe helpers for splice(2) and tee(2): pipe.c ---- */
bool file_is_pipe(struct file *f);
/* Waits for data in read end f (unless nonblock or O_NONBLOCK) and copies
 * up to n bytes without consuming them: count, 0 at EOF, -EAGAIN,
 * -ERESTARTSYS, -EBADF. */
ssize_t pipe_peek(struct task *t, struct file *f, void *buf, size_t n, bool nonblock);
void pipe_consume(struct file *f, size_t n);   /* drops n bytes (after a peek) */
/* pipe_write with SPLICE_F_NONBLOCK: nonblock overrides O_NONBLOCK */
ssize_t pipe_write_nb(struct task *t, struct file *f, const void *buf, size_t n, bool nonblock);

/* ---- file hooks run by the last file_put before ops->release ---- */
void epoll_file_release(struct file *f);   /* epoll.c: f leaves every epoll set */
void locks_file_release(struct file *f);   /* locks.c: flock and OFD locks of f */
/* locks.c: close(2) of an fd of f by t: t's process drops its POSIX locks on f's inode */
void locks_remove_posix(struct task *t, struct file *f);
/* locks.c: every POSIX lock of process tgid (call at process exit) */
void locks_exit(int tgid);
long locks_flock(struct task *t, struct file *f, int op);
long locks_fcntl(struct task *t, struct file *f, int cmd, uint64_t arg);

#endif
