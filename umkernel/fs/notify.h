/*
 * fs/notify.h - filesystem change notification (notify.c, Linux's
 * fsnotify) and inotify on top of it (inotify.c): the hooks the VFS and
 * the file syscalls call after each change, one call per change, and
 * what inotify needs of the core.
 *
 * An object is an inode: (st_dev, st_ino) of its kstat.  Every hook
 * returns at once while no watch exists.  Only changes made through
 * umk's VFS are seen; a host process changing the root is not.
 *
 * Lock: klock, held by every caller.
 */
#ifndef UMK_FS_NOTIFY_H
#define UMK_FS_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct file;
struct kstat;
struct mount;
struct task;

/* The event bits of inotify(7) (include/uapi/linux/inotify.h). */
#define IN_ACCESS_        0x00000001u
#define IN_MODIFY_        0x00000002u
#define IN_ATTRIB_        0x00000004u
#define IN_CLOSE_WRITE_   0x00000008u
#define IN_CLOSE_NOWRITE_ 0x00000010u
#define IN_OPEN_          0x00000020u
#define IN_MOVED_FROM_    0x00000040u
#define IN_MOVED_TO_      0x00000080u
#define IN_CREATE_        0x00000100u
#define IN_DELETE_        0x00000200u
#define IN_DELETE_SELF_   0x00000400u
#define IN_MOVE_SELF_     0x00000800u
#define IN_UNMOUNT_       0x00002000u
#define IN_Q_OVERFLOW_    0x00004000u
#define IN_IGNORED_       0x00008000u
#define IN_ONLYDIR_       0x01000000u
#define IN_DONT_FOLLOW_   0x02000000u
#define IN_EXCL_UNLINK_   0x04000000u
#define IN_MASK_CREATE_   0x10000000u
#define IN_MASK_ADD_      0x20000000u
#define IN_ISDIR_         0x40000000u
#define IN_ONESHOT_       0x80000000u
#define IN_ALL_EVENTS_    0x00000fffu

/* ---- the hooks (notify.c) ---- */
/* f was read (IN_ACCESS), written (IN_MODIFY), had its attributes
 * changed (IN_ATTRIB) or opened (IN_OPEN): its watches and those of its
 * directory hear of it.  O_PATH files make no events. */
void fsnotify_file(struct file *f, uint32_t mask);
/* The last reference to f went (file_put): IN_CLOSE_WRITE or
 * IN_CLOSE_NOWRITE, and a deferred IN_DELETE_SELF if f was the last
 * user of an unlinked inode. */
void fsnotify_close(struct file *f);
/* The object at absolute path abs (inode st, before the change) changed
 * by name: IN_ATTRIB (chmod, chown, utimes, xattrs), IN_MODIFY
 * (truncate, utimes of mtime alone), IN_ACCESS (utimes of atime alone). */
void fsnotify_path(const char *abs, const struct kstat *st, uint32_t mask);
/* abs was made (open O_CREAT, mkdir, mknod, symlink): IN_CREATE to its
 * directory, with IN_ISDIR if mode is a directory's. */
void fsnotify_create(const char *abs, uint32_t mode);
/* abs is a new hard link to inode st: IN_ATTRIB to it, IN_CREATE to its directory. */
void fsnotify_link(const char *abs, const struct kstat *st);
/* abs (inode st, as it was before) was unlinked or removed: IN_ATTRIB
 * (unlink), IN_DELETE_SELF and IN_IGNORED if that was its last name (at
 * the last close if still open), IN_DELETE to its directory. */
void fsnotify_delete(const char *abs, const struct kstat *st);
/* old (inode src) was renamed to new_ (replacing inode target, or NULL;
 * exchange: the two swapped): IN_MOVED_FROM/IN_MOVED_TO with one cookie,
 * IN_MOVE_SELF, and the replaced inode's IN_ATTRIB and IN_DELETE_SELF. */
void fsnotify_move(const char *old, const char *new_, const struct kstat *src,
		   const struct kstat *target, bool exchange);
/* m is being unmounted: IN_UNMOUNT and IN_IGNORED for every watch on it. */
void fsnotify_unmount(struct mount *m);

/* vfs_open's flag for execve's opens (Linux's __FMODE_EXEC): FAN_OPEN_EXEC */
#define FMODE_EXEC_ 0x20
/* The permission hooks, before an open completes (exec: FAN_OPEN_EXEC_PERM
 * first) and before a read: 0, or -EPERM if a fanotify listener denied it
 * (-EINTR if the caller was killed while it waited). */
int fsnotify_open_perm(struct file *f, bool exec);
int fsnotify_access_perm(struct file *f);
/* FAN_PRE_ACCESS before a read, write or mmap of len bytes at off of a
 * file opened with pre-content watchers (fsnotify_file_area_perm,
 * fsnotify_mmap_perm): 0 or the listener's -errno. */
int fsnotify_pre_access(struct file *f, uint64_t off, uint64_t len);
/* Whether some fd or mapping has inode (dev, ino) open for writing
 * (Linux's inode_is_open_for_write). */
bool fsnotify_open_for_write(uint64_t dev, uint64_t ino);
/* The directory of absolute path abs: 0 and its kstat, or -ENOENT. */
int fsnotify_parent_inode(const char *abs, struct kstat *pst);

/* ---- fanotify.c ---- */
extern int fanotify_nr_marks;
extern int fanotify_fid_groups;   /* FID groups: the name hooks below matter */
void fanotify_event(struct file *f, uint32_t mask);   /* FAN_ACCESS...FAN_OPEN_EXEC, FAN_ATTRIB */
/* The events only FID groups hear of (FAN_REPORT_FID...), by name: the
 * object at abs (inode st) changed (FAN_ATTRIB, FAN_MODIFY, FAN_ACCESS,
 * FAN_DELETE_SELF, FAN_MOVE_SELF); a name in abs's directory was made or
 * removed (FAN_CREATE, FAN_DELETE, FAN_MOVED_FROM, FAN_MOVED_TO; isdir:
 * the child is a directory); old was renamed to new_ (FAN_RENAME). */
void fanotify_inode_event(const char *abs, const struct kstat *st, uint32_t mask);
/* with mask: an event on the inode alone, no directory hears of it (a
 * link count's FAN_ATTRIB: Linux's fsnotify_inode) */
#define FAN_INODE_ONLY_ 0x80000000u
void fanotify_dirent_event(const char *abs, const struct kstat *child, uint32_t mask, bool isdir);
void fanotify_rename_event(const char *old, const char *new_, const struct kstat *st);
/* fhandle.c: the handle name_to_handle_at gives for (dev, ino) named rel
 * on m: its length (16) into out, its type; 0 on ENOMEM. */
int fhandle_encode(const struct mount *m, const char *rel, uint64_t dev, uint64_t ino, void *out,
		   int *type);
int fanotify_perm(struct file *f, uint32_t mask);     /* FAN_*_PERM: 0 or -EPERM */
void fanotify_unmount(const struct mount *mnt);       /* the filesystem goes: its marks go */
/* A filesystem's error (FAN_FS_ERROR): see fanotify.c */
void fanotify_fs_error(const struct super_block *sb, const char *rel, uint64_t ino, int error);
/* drop_caches: the evictable marks of inodes nothing pins go (evict.c) */
void fanotify_evict_marks(void);
/* pre-content events (fsnotify_pre_access): FAN_PRE_ACCESS to the
 * PRE_CONTENT groups, -errno if one denies; whether f is watched for them */
int fanotify_pre_access(struct file *f, uint64_t off, uint64_t len);
bool fanotify_hsm_watched(struct file *f);

/* ---- evict.c: inode eviction (drop_caches 2 and 3) ---- */
struct super_block;
bool inode_pinned(const struct super_block *sb, const char *rel, uint64_t dev, uint64_t ino);
bool fs_evicts_inodes(const struct mount *m);
void drop_inode_caches(void);
/* /proc/sys/fs/fanotify/NAME and the lines of /proc/PID/fdinfo/N, as
 * inotify's below. */
int fanotify_proc_read(struct task *t, const char *name, char **text);
int fanotify_proc_write(struct task *t, const char *name, const char *buf, size_t n);
int fanotify_fdinfo(struct file *f, char *buf, size_t len);

/* ---- dnotify.c: fcntl(F_NOTIFY) ---- */
struct fdtable;
extern int dnotify_nr;                   /* watches: while 0 the hooks skip dnotify */
extern long sysctl_dir_notify_enable;    /* /proc/sys/fs/dir-notify-enable */
/* fcntl(fd, F_NOTIFY, arg) on f by t: 0, -EINVAL (dir-notify-enable is
 * 0), -ENOTDIR (f is no directory), -ENOMEM.  A mask without events
 * removes t's watch on f. */
long fcntl_dirnotify(struct task *t, int fd, struct file *f, uint32_t arg);
/* An fd of f in fd table owner is being closed: its watches go. */
void dnotify_flush(struct file *f, const struct fdtable *owner);
/* Directory (dev, ino) hears of event in_mask (IN_* bits, plus
 * DNOTIFY_RENAME_ for a rename within it) to itself or a name in it. */
#define DNOTIFY_RENAME_ 0x00100000u
void dnotify_event(uint64_t dev, uint64_t ino, uint32_t in_mask);

/* ---- what inotify.c uses (notify.c) ---- */
struct inotify_group;
struct fsnotify_mark {
	uint64_t dev, ino;            /* the inode watched */
	bool isdir;
	uint32_t mask;                /* IN_* events wanted */
	uint32_t flags;               /* IN_EXCL_UNLINK_, IN_ONESHOT_ */
	int wd;
	bool pending_delete;          /* unlinked while open: IN_DELETE_SELF at the last close */
	struct inotify_group *group;
	struct fsnotify_mark *next;   /* fsnotify_marks: all marks, newest first */
	/* the inode's file handle, as name_to_handle_at gives it (fdinfo's
	 * fhandle-bytes, fhandle-type, f_handle); fh_len 0 if none */
	unsigned char fh[16];
	int fh_len, fh_type;
};
/* fdinfo's " fhandle-bytes:%x fhandle-type:%x f_handle:HEX" for a handle
 * of len bytes (nothing if len is 0), appended at buf; its length. */
int fdinfo_fhandle(char *buf, size_t room, const unsigned char *fh, int len, int type);
extern struct fsnotify_mark *fsnotify_marks;
extern int fsnotify_nr_marks;
void fsnotify_add_mark(struct fsnotify_mark *m);
/* Takes m off every list; with ignored, the group gets IN_IGNORED first. */
void fsnotify_destroy_mark(struct fsnotify_mark *m, bool ignored);
struct fsnotify_mark *fsnotify_find_mark(struct inotify_group *g, uint64_t dev, uint64_t ino);
void fsnotify_clear_group(struct inotify_group *g);   /* every mark of g goes, silently */

/* ---- inotify.c ---- */
/* Queues an event for g (merged with an identical last one; IN_Q_OVERFLOW
 * past max_queued_events) and wakes its readers. */
void inotify_queue_event(struct inotify_group *g, int wd, uint32_t mask, uint32_t cookie,
			 const char *name);
void inotify_mark_gone(struct inotify_group *g);   /* a watch of g went: its user's count */
/* /proc/sys/fs/inotify/NAME: the text, or a write as proc_dointvec
 * (-EINVAL); -ENOENT for another name. */
int inotify_proc_read(struct task *t, const char *name, char **text);
int inotify_proc_write(struct task *t, const char *name, const char *buf, size_t n);
/* The "inotify wd:... mask:..." lines of an inotify file's
 * /proc/PID/fdinfo/N, one per watch, into buf (at most len); the
 * length, or -1 if f is no inotify file. */
int inotify_fdinfo(struct file *f, char *buf, size_t len);

#endif
