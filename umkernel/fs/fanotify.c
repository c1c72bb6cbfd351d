/*
 * fanotify.c - fanotify(7): fanotify_init, fanotify_mark, the group's
 * file (read, write of responses, poll, FIONREAD, fdinfo) and the limits
 * under /proc/sys/fs/fanotify (Linux's fs/notify/fanotify/fanotify.c and
 * fanotify_user.c).
 *
 * In a nutshell: a group is an anonymous file with a queue of events and
 * a set of marks.  A mark watches an inode (dev, ino), a mount (its
 * struct mount, compared and never followed) or a filesystem (its dev),
 * with a mask of events wanted and an ignore mask.  notify.c's file hooks
 * (open, read, write, close) call fanotify_event(); the open and read
 * paths call fanotify_perm() first for the permission events.  For each
 * group, highest class first (PRE_CONTENT, CONTENT, NOTIF), the masks of
 * its marks on the file, its directory (with FAN_EVENT_ON_CHILD), its
 * mount and its filesystem are combined as Linux's
 * fanotify_group_event_mask does; an event left over is queued, merged
 * into an unread one on the same object by the same process (Linux's
 * fanotify_merge), or past max_queued_events stands for the lost ones as
 * a single FAN_Q_OVERFLOW.  Each event holds a file of its own, opened
 * at once with the group's event_f_flags (Linux pins the path), that
 * makes no events itself (FMODE_NONOTIFY); read(2) installs it in the
 * reader's fd table.  A permission event's opener sleeps (killable only)
 * until a response is written for the fd the reader got, or the group
 * goes (FAN_ALLOW); FAN_DENY makes the open or read fail with EPERM.
 *
 * FID groups (FAN_REPORT_FID, DIR_FID, NAME, TARGET_FID) report no fd
 * but info records: the object's (or its directory's) file handle, as
 * name_to_handle_at gives it (fhandle_encode), with the fsid statfs
 * gives, and the name in the directory; they also hear of the events
 * notify.c's name hooks make (FAN_ATTRIB, FAN_CREATE, FAN_DELETE,
 * FAN_MOVED_*, FAN_RENAME, FAN_DELETE_SELF, FAN_MOVE_SELF) and merge
 * events whose records are the same.  FAN_REPORT_PIDFD adds a pidfd
 * record made at read time (FAN_NOPIDFD once the process is gone);
 * FAN_REPORT_FD_ERROR reports an fd or pidfd that could not be made as
 * -errno.
 *
 * Pre-content groups hear FAN_PRE_ACCESS before a read, write or mmap
 * of a file opened while they watched it (ext2/3/4 only: Linux's
 * SB_I_ALLOW_HSM), with a range record, and may answer with an errno
 * (FAN_DENY_ERRNO).  FAN_FS_ERROR comes from ext3/ext4's error reports
 * (fanotify_fs_error).  Evictable marks go at drop_caches (evict.c).
 *
 * Not done: FAN_REPORT_MNT and mount events; pre-content events before
 * readv/writev, splice or a page fault; a file unlinked while open has
 * no FAN_DELETE_SELF at its last close.  Only changes made through umk
 * are seen.
 *
 * Lock: klock, held by every caller; a permission event's opener drops
 * it while it sleeps, holding a reference to the group.
 */
#include "../kernel.h"
#include "fs.h"
#include "../kernel/task.h"
#include "tmpfs.h"

#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

/* include/uapi/linux/fanotify.h */
#define FAN_ACCESS_          0x00000001u
#define FAN_MODIFY_          0x00000002u
#define FAN_ATTRIB_          0x00000004u
#define FAN_CLOSE_WRITE_     0x00000008u
#define FAN_CLOSE_NOWRITE_   0x00000010u
#define FAN_OPEN_            0x00000020u
#define FAN_MOVED_FROM_      0x00000040u
#define FAN_MOVED_TO_        0x00000080u
#define FAN_CREATE_          0x00000100u
#define FAN_DELETE_          0x00000200u
#define FAN_DELETE_SELF_     0x00000400u
#define FAN_MOVE_SELF_       0x00000800u
#define FAN_OPEN_EXEC_       0x00001000u
#define FAN_Q_OVERFLOW_      0x00004000u
#define FAN_FS_ERROR_        0x00008000u
#define FAN_OPEN_PERM_       0x00010000u
#define FAN_ACCESS_PERM_     0x00020000u
#define FAN_OPEN_EXEC_PERM_  0x00040000u
#define FAN_PRE_ACCESS_      0x00100000u   /* pre-content: ext2/3/4 files have them */
#define FAN_EVENT_ON_CHILD_  0x08000000u
#define FAN_DIRENT_EVENTS    (FAN_MOVED_FROM_ | FAN_MOVED_TO_ | FAN_CREATE_ | FAN_DELETE_ | FAN_RENAME_)
#define FAN_RENAME_          0x10000000u
#define FAN_ONDIR_           0x40000000u

#define FAN_FD_EVENTS    (FAN_ACCESS_ | FAN_MODIFY_ | FAN_CLOSE_WRITE_ | FAN_CLOSE_NOWRITE_ | \
			  FAN_OPEN_ | FAN_OPEN_EXEC_)
#define FAN_INODE_EVENTS (FAN_ATTRIB_ | FAN_MOVED_FROM_ | FAN_MOVED_TO_ | FAN_CREATE_ | \
			  FAN_DELETE_ | FAN_DELETE_SELF_ | FAN_MOVE_SELF_ | FAN_RENAME_ | FAN_FS_ERROR_)
#define FAN_PERM_EVENTS  (FAN_OPEN_PERM_ | FAN_ACCESS_PERM_ | FAN_OPEN_EXEC_PERM_ | FAN_PRE_ACCESS_)
#define FAN_EVENT_FLAGS  (FAN_ONDIR_ | FAN_EVENT_ON_CHILD_)
#define FAN_ALL_EVENTS_BITS (FAN_FD_EVENTS | FAN_INODE_EVENTS | FAN_PERM_EVENTS)

/* fanotify_init flags */
#define FAN_CLOEXEC_            0x00000001u
#define FAN_NONBLOCK_           0x00000002u
#define FAN_CLASS_NOTIF_        0x00000000u
#define FAN_CLASS_CONTENT_      0x00000004u
#define FAN_CLASS_PRE_CONTENT_  0x00000008u
#define FAN_CLASS_BITS          0x0000000cu
#define FAN_UNLIMITED_QUEUE_    0x00000010u
#define FAN_UNLIMITED_MARKS_    0x00000020u
#define FAN_ENABLE_AUDIT_       0x00000040u
#define FAN_REPORT_PIDFD_       0x00000080u
#define FAN_REPORT_TID_         0x00000100u
#define FAN_REPORT_FID_         0x00000200u
#define FAN_REPORT_DIR_FID_     0x00000400u
#define FAN_REPORT_NAME_        0x00000800u
#define FAN_REPORT_TARGET_FID_  0x00001000u
#define FAN_REPORT_FD_ERROR_    0x00002000u
#define FAN_REPORT_MNT_         0x00004000u
#define FAN_FID_BITS   (FAN_REPORT_FID_ | FAN_REPORT_DIR_FID_ | FAN_REPORT_NAME_ | \
			FAN_REPORT_TARGET_FID_)
#define FAN_ADMIN_INIT_FLAGS (FAN_CLASS_CONTENT_ | FAN_CLASS_PRE_CONTENT_ | FAN_UNLIMITED_QUEUE_ | \
			      FAN_UNLIMITED_MARKS_ | FAN_REPORT_PIDFD_ | FAN_REPORT_TID_)
#define FAN_USER_INIT_FLAGS  (FAN_FID_BITS | FAN_CLOEXEC_ | FAN_NONBLOCK_ | \
			      FAN_REPORT_FD_ERROR_ | FAN_REPORT_MNT_)
#define FAN_REPORT_DFID_NAME_FID_ (FAN_REPORT_FID_ | FAN_REPORT_DIR_FID_ | FAN_REPORT_NAME_)
/* what umk implements of them (FAN_ENABLE_AUDIT: no audit) */
#define FAN_INIT_DONE  (FAN_CLOEXEC_ | FAN_NONBLOCK_ | FAN_CLASS_BITS | FAN_UNLIMITED_QUEUE_ | \
			FAN_UNLIMITED_MARKS_ | FAN_REPORT_TID_ | FAN_FID_BITS | FAN_REPORT_PIDFD_ | \
			FAN_REPORT_FD_ERROR_)

/* info records (struct fanotify_event_info_header's info_type) */
#define FAN_EVENT_INFO_TYPE_FID_           1
#define FAN_EVENT_INFO_TYPE_DFID_NAME_     2
#define FAN_EVENT_INFO_TYPE_DFID_          3
#define FAN_EVENT_INFO_TYPE_PIDFD_         4
#define FAN_EVENT_INFO_TYPE_OLD_DFID_NAME_ 10
#define FAN_EVENT_INFO_TYPE_NEW_DFID_NAME_ 12
#define FAN_EVENT_INFO_TYPE_ERROR_         5
#define FILEID_INVALID_ 0xff
#define FAN_EVENT_INFO_TYPE_RANGE_         6
#define FAN_NOPIDFD_  (-1)
#define FAN_EPIDFD_   (-2)
#define FAN_INFO_MAX  2048

/* fanotify_mark flags */
#define FAN_MARK_ADD_                 0x001u
#define FAN_MARK_REMOVE_              0x002u
#define FAN_MARK_DONT_FOLLOW_         0x004u
#define FAN_MARK_ONLYDIR_             0x008u
#define FAN_MARK_MOUNT_               0x010u
#define FAN_MARK_IGNORED_MASK_        0x020u
#define FAN_MARK_IGNORED_SURV_MODIFY_ 0x040u
#define FAN_MARK_FLUSH_               0x080u
#define FAN_MARK_FILESYSTEM_          0x100u
#define FAN_MARK_EVICTABLE_           0x200u
#define FAN_MARK_IGNORE_              0x400u
#define FAN_MARK_TYPE_BITS            (FAN_MARK_MOUNT_ | FAN_MARK_FILESYSTEM_)
#define FAN_MARK_IGNORE_BITS          (FAN_MARK_IGNORED_MASK_ | FAN_MARK_IGNORE_)
#define FAN_MARK_VALID   0x7ffu

#define FAN_ALLOW_  0x01u
#define FAN_DENY_   0x02u
#define FAN_AUDIT_  0x10u
#define FAN_ERRNO_BITS 0xff000000u   /* FAN_DENY_ERRNO(e): e << 24 */
#define FAN_NOFD_   (-1)
#define FAN_METADATA_LEN 24
#define FAN_MAX_MERGE    128   /* FANOTIFY_MAX_MERGE_EVENTS */
#define L_FIONREAD  0x541B

struct linux_fanotify_event_metadata {
	uint32_t event_len;
	uint8_t vers, reserved;
	uint16_t metadata_len;
	uint64_t mask;
	int32_t fd, pid;
} __attribute__((packed, aligned(8)));
_Static_assert(sizeof(struct linux_fanotify_event_metadata) == FAN_METADATA_LEN, "metadata");

enum { MARK_INODE, MARK_MOUNT, MARK_SB };
/* which object of the event a mark is on (Linux's fsnotify_iter_type) */
enum { ON_INODE, ON_PARENT, ON_MOUNT, ON_SB, ON_INODE2 };
/* a permission event's life */
enum { EV_QUEUED, EV_REPORTED, EV_ANSWERED, EV_CANCELED };

struct fan_group {
	struct list_head link;        /* all groups */
	struct list_head events;      /* struct fan_event, oldest first */
	struct list_head access;      /* permission events read, awaiting a response */
	int q_len;
	unsigned int max_events;
	bool overflow_queued;
	struct wait_queue wq;         /* readers and pollers */
	struct wait_queue access_wq;  /* openers waiting for a response */
	unsigned int flags;           /* fanotify_init's flags */
	unsigned int f_flags;         /* event_f_flags */
	int priority;                 /* 0 NOTIF, 1 CONTENT, 2 PRE_CONTENT */
	unsigned int fid_mode;        /* FAN_REPORT_FID, DIR_FID, NAME, TARGET_FID */
	int refs;                     /* the file's, and each sleeping opener's */
	int eager;                    /* events holding a file opened with them */
	bool released;                /* the file went: permission events are allowed */
	bool unpriv;                  /* made without CAP_SYS_ADMIN (Linux's FANOTIFY_UNPRIV) */
	struct ucounts *ucounts;      /* the user charged with it and its marks */
};

struct fan_mark {
	struct fan_mark *next;        /* all marks, newest first */
	struct fan_group *group;
	int type;                     /* MARK_* */
	uint64_t dev, ino;            /* inode: both; filesystem: dev */
	unsigned char fh[16];         /* inode marks: its file handle (fdinfo) */
	int fh_len, fh_type;
	const struct mount *mnt;      /* mount marks: compared, never followed */
	int mnt_id;
	uint32_t mask, ignore_mask;
	uint32_t mflags;              /* FAN_MARK_IGNORED_SURV_MODIFY, EVICTABLE, IGNORE */
	/* an evictable inode mark on a filesystem that evicts: where the
	 * inode is (drop_caches evicts it when nothing pins it), else NULL */
	const struct super_block *sb;
	char *rel;
};

struct fan_event {
	struct list_head link;        /* in the group's events or access list */
	uint32_t mask;
	bool isdir;
	uint64_t dev, ino;
	const struct mount *mnt;
	struct pid *pid;              /* tgid's, or the thread's with FAN_REPORT_TID */
	struct file *file;            /* what read(2) installs, or NULL */
	bool eager;                   /* file was opened with the event (counted in g->eager) */
	char *path;                   /* else the name to open at read time, or NULL */
	int open_err;                 /* why the file could not be opened (FAN_REPORT_FD_ERROR) */
	unsigned char *info;          /* FID groups: the info records, built at once */
	size_t info_len;
	struct fan_group *group;
	/* permission events */
	int state;
	int fd;                       /* the reader's fd, once reported */
	uint32_t response;
};

static struct list_head groups = { &groups, &groups };
int fanotify_fid_groups;   /* groups with a fid_mode: events look up names for them */
static struct fan_mark *fan_marks;
int fanotify_nr_marks;
static long max_user_groups = -1, max_user_marks, max_queued_events;

static const struct file_ops fanotify_file_ops;

/* Linux sizes max_user_marks from memory: take the host's figures. */
static const struct sysctl_long fanotify_limits[] = {
	{ "fs/fanotify/max_user_groups", &max_user_groups, 128 },
	{ "fs/fanotify/max_user_marks", &max_user_marks, 8192 },
	{ "fs/fanotify/max_queued_events", &max_queued_events, 16384 },
};

static void limits_init(void)
{
	if (max_user_groups < 0)
		sysctl_table_host_init(fanotify_limits, 3);
}

static void event_free(struct fan_event *e)
{
	if (e->eager && e->group)
		e->group->eager--;
	free(e->path);
	free(e->info);
	if (e->file)
		file_put(e->file);
	if (e->pid)
		put_pid(e->pid);
	free(e);
}

static void group_put(struct fan_group *g)
{
	if (--g->refs > 0)
		return;
	free(g);
}

/* ---- marks ---- */

static void mark_destroy(struct fan_mark *m)
{
	struct fan_mark **pp;

	for (pp = &fan_marks; *pp; pp = &(*pp)->next)
		if (*pp == m) {
			*pp = m->next;
			fanotify_nr_marks--;
			break;
		}
	if (m->group->ucounts && !(m->group->flags & FAN_UNLIMITED_MARKS_))
		ucounts_dec(m->group->ucounts, UCOUNT_FANOTIFY_MARKS);
	free(m->rel);
	free(m);
}

/* Whether a queued or reported event of some group holds a file on
 * inode (dev, ino) or below it (Linux's events pin their path). */
static bool event_pins(const struct fan_mark *m)
{
	for (struct list_head *gp = groups.next; gp != &groups; gp = gp->next) {
		struct fan_group *g = list_entry(gp, struct fan_group, link);
		struct list_head *lists[2] = { &g->events, &g->access };

		for (int i = 0; i < 2; i++)
			for (struct list_head *p = lists[i]->next; p != lists[i]; p = p->next) {
				struct fan_event *e = list_entry(p, struct fan_event, link);
				struct kstat st;

				if (!e->file && !e->path)
					continue;
				if (e->dev == m->dev && e->ino == m->ino)
					return true;
				if (e->file && e->file->mnt && e->file->mnt->sb == m->sb && e->file->ops->fstat &&
				    !e->file->ops->fstat(e->file, &st) && st.dev == m->dev) {
					/* below it: its name inside the filesystem */
					static __thread char buf[PATH_MAX];
					const char *rel;
					struct mount *mm = vfs_find_mount_ns(file_mnt_ns(e->file), e->file->path,
									     &rel, buf);
					size_t n = strlen(m->rel);

					if (mm && mm->sb == m->sb &&
					    (!n || (!strncmp(rel, m->rel, n) && (rel[n] == '/' || !rel[n]))))
						return true;
				}
			}
	}
	return false;
}

void fanotify_evict_marks(void)
{
	struct fan_mark *m, *next;

	for (m = fan_marks; m; m = next) {
		bool pinned = false;

		next = m->next;
		if (m->type != MARK_INODE || !(m->mflags & FAN_MARK_EVICTABLE_) || !m->sb || !m->rel)
			continue;
		/* a mark that is not evictable (any group's) pins the inode */
		for (struct fan_mark *o = fan_marks; o && !pinned; o = o->next)
			pinned = o->type == MARK_INODE && o->dev == m->dev && o->ino == m->ino &&
				 !(o->mflags & FAN_MARK_EVICTABLE_);
		if (pinned || event_pins(m) || inode_pinned(m->sb, m->rel, m->dev, m->ino))
			continue;
		/* the inode goes, and every evictable mark on it: next may be one */
		for (struct fan_mark *o = fan_marks, *on; o; o = on) {
			on = o->next;
			if (o != m && o->type == MARK_INODE && o->dev == m->dev && o->ino == m->ino) {
				if (o == next)
					next = on;
				mark_destroy(o);
			}
		}
		mark_destroy(m);
	}
}

/* Every mark of g of type type (or all with type -1) goes. */
static void marks_flush(struct fan_group *g, int type)
{
	struct fan_mark *m, *next;

	for (m = fan_marks; m; m = next) {
		next = m->next;
		if (m->group == g && (type < 0 || m->type == type))
			mark_destroy(m);
	}
}

static struct fan_mark *mark_find(struct fan_group *g, int type, uint64_t dev, uint64_t ino,
				  const struct mount *mnt)
{
	for (struct fan_mark *m = fan_marks; m; m = m->next) {
		if (m->group != g || m->type != type)
			continue;
		if ((type == MARK_INODE && m->dev == dev && m->ino == ino) ||
		    (type == MARK_MOUNT && m->mnt == mnt) || (type == MARK_SB && m->dev == dev))
			return m;
	}
	return NULL;
}

/* The last mount of mnt's filesystem goes, and the filesystem with it:
 * the marks on the mount, on the filesystem and on its inodes go too
 * (Linux's fsnotify_sb_delete; a new mount of the same device is a new
 * superblock, which they do not watch). */
void fanotify_unmount(const struct mount *mnt)
{
	struct fan_mark *m, *next;

	for (m = fan_marks; m; m = next) {
		next = m->next;
		if ((m->type == MARK_MOUNT && m->mnt == mnt) || (m->type != MARK_MOUNT && m->dev == mnt->dev))
			mark_destroy(m);
	}
}

/* ---- events ---- */

/* Linux's fsnotify_mask_applicable: an event on a directory wants
 * FAN_ONDIR, one on a child (a parent's mark) FAN_EVENT_ON_CHILD. */
static bool mask_applicable(uint32_t mask, bool isdir, int on)
{
	if (isdir && !(mask & FAN_ONDIR_))
		return false;
	if (on == ON_PARENT && !(mask & FAN_EVENT_ON_CHILD_))
		return false;
	return true;
}

/* Linux's fsnotify_ignore_mask: an ignore mask set with FAN_MARK_IGNORE
 * carries its own FAN_ONDIR and FAN_EVENT_ON_CHILD; a legacy one always
 * applies to directories, and to children if the mark's mask watches
 * them. */
static uint32_t ignore_flags(const struct fan_mark *m)
{
	uint32_t im = m->ignore_mask;

	if (!im || (m->mflags & FAN_MARK_IGNORE_))
		return im;
	return (im & ~FAN_EVENT_ON_CHILD_) | FAN_ONDIR_ | (m->mask & FAN_EVENT_ON_CHILD_);
}

/* Linux's fsnotify_effective_ignore_mask. */
static uint32_t effective_ignore(const struct fan_mark *m, bool isdir, int on)
{
	uint32_t im = ignore_flags(m);

	if (!im)
		return 0;
	if (!isdir && on != ON_PARENT)
		return im;
	return mask_applicable(im, isdir, on) ? im & FAN_ALL_EVENTS_BITS : 0;
}

/* Whether a directory's mark takes part in an event on a child (Linux's
 * fsnotify_iter_select_report_types): it watches children with its mask
 * or its ignore mask; one that does not neither hears nor ignores the
 * event, nor has its ignore mask cleared by a FAN_MODIFY of the child. */
static bool mark_watches_children(const struct fan_mark *m)
{
	return (m->mask | ignore_flags(m)) & FAN_EVENT_ON_CHILD_;
}

struct fan_object {
	uint64_t dev, ino;            /* the inode whose marks hear (a dirent event's directory) */
	bool isdir;                   /* FAN_ONDIR: the object, or a dirent event's child */
	const struct mount *mnt;
	bool has_parent;              /* a mark of the directory watches children */
	uint64_t pdev, pino;
	/* for the FID records */
	bool obj_isdir;               /* the inode (dev, ino) is a directory */
	const char *path;             /* its absolute name, or NULL */
	bool dir_known;               /* pdev/pino is the directory of path (self events: not) */
	const char *name;             /* a dirent event's child name */
	bool has_child;               /* a dirent event's child inode */
	uint64_t cdev, cino;
	const char *new_path;         /* FAN_RENAME: the new name (old is path/name) */
	uint64_t ndev, nino;          /* and its directory */
	bool has_inode2;              /* FAN_RENAME: the new directory's marks hear too */
	bool has_range;               /* FAN_PRE_ACCESS: the bytes to be accessed */
	uint64_t range_off, range_len;
};

static int mark_on(const struct fan_mark *m, const struct fan_object *o)
{
	switch (m->type) {
	case MARK_INODE:
		if (m->dev == o->dev && m->ino == o->ino)
			return ON_INODE;
		if (o->has_inode2 && m->dev == o->ndev && m->ino == o->nino)
			return ON_INODE2;
		if (o->has_parent && m->dev == o->pdev && m->ino == o->pino && mark_watches_children(m))
			return ON_PARENT;
		return -1;
	case MARK_MOUNT:
		return o->mnt && m->mnt == o->mnt ? ON_MOUNT : -1;
	default:
		return m->dev == o->dev ? ON_SB : -1;
	}
}

/* The events of mask group g is to hear of (fanotify_group_event_mask);
 * a FAN_MODIFY clears the ignore masks that do not survive it. */
static uint32_t group_event_mask(struct fan_group *g, const struct fan_object *o, uint32_t mask,
				 unsigned int *match)
{
	uint32_t marks_mask = 0, ignore = 0;
	bool any = false;

	for (struct fan_mark *m = fan_marks; m; m = m->next) {
		int on;

		if (m->group != g || (on = mark_on(m, o)) < 0)
			continue;
		any = true;
		ignore |= effective_ignore(m, o->isdir, on);
		if (mask_applicable(m->mask, o->isdir, on)) {
			marks_mask |= m->mask;
			*match |= 1u << on;   /* the kinds of mark that matched */
			/* a rename within one watched directory: old and new */
			if (on == ON_INODE && o->has_inode2 && m->dev == o->ndev && m->ino == o->nino)
				*match |= 1u << ON_INODE2;
		}
	}
	if (!any)
		return 0;
	if (mask & FAN_MODIFY_)
		for (struct fan_mark *m = fan_marks; m; m = m->next)
			if (m->group == g && mark_on(m, o) >= 0 &&
			    !(m->mflags & FAN_MARK_IGNORED_SURV_MODIFY_))
				m->ignore_mask = 0;
	if (!g->fid_mode)
		return mask & marks_mask & ~ignore & (FAN_FD_EVENTS | FAN_PERM_EVENTS);
	/* FID groups are told FAN_ONDIR, never an event flag alone */
	uint32_t test = (mask | (o->isdir ? FAN_ONDIR_ : 0)) & marks_mask & ~ignore;
	return test & FAN_ALL_EVENTS_BITS ? test & (FAN_ALL_EVENTS_BITS | FAN_ONDIR_) : 0;
}

/* ---- FID records ---- */

/* One struct fanotify_event_info_fid of inode (dev, ino) named path:
 * header, fsid (statfs's), the file handle, and name if given, padded to
 * 4 bytes, at out (room: FAN_INFO_MAX - used).  Its length, 0 if the
 * inode is on no filesystem that can name it. */
static size_t fid_record_mnt(unsigned char *out, size_t room, int type, struct mount *m, const char *rel,
			     uint64_t dev, uint64_t ino, const char *name)
{
	unsigned char fh[32];
	struct linux_statfs sfs;
	int htype, hlen;
	size_t nl = name ? strlen(name) + 1 : 0, len;

	if (rel) {
		hlen = fhandle_encode(m, rel, dev, ino, fh, &htype);
		if (!hlen)
			return 0;
	} else {
		hlen = 0;            /* no inode: FILEID_INVALID, an empty handle */
		htype = FILEID_INVALID_;
	}
	len = (4 + 8 + 8 + (size_t)hlen + nl + 3) & ~(size_t)3;
	if (len > room || len > 0xffff)
		return 0;
	memset(&sfs, 0, sizeof(sfs));
	if (m->ops->statfs)
		m->ops->statfs(m, &sfs);
	memset(out, 0, len);
	out[0] = (unsigned char)type;
	out[2] = (unsigned char)(len & 0xff);
	out[3] = (unsigned char)(len >> 8);
	memcpy(out + 4, sfs.f_fsid, 8);
	uint32_t hb = (uint32_t)hlen;
	int32_t ht = htype;
	memcpy(out + 12, &hb, 4);
	memcpy(out + 16, &ht, 4);
	memcpy(out + 20, fh, (size_t)hlen);
	if (name)
		memcpy(out + 20 + hlen, name, nl);
	return len;
}

static size_t fid_record(unsigned char *out, size_t room, int type, const char *path, uint64_t dev,
			 uint64_t ino, const char *name)
{
	static __thread char buf[PATH_MAX];
	const char *rel;
	struct mount *m;

	if (!path || path[0] != '/' || !(m = vfs_find_mount(path, &rel, buf)))
		return 0;
	return fid_record_mnt(out, room, type, m, rel, dev, ino, name);
}

/* The directory part of absolute path p into d (size n): "/" for a
 * name in the root; its last component in *last. */
static void split_path(const char *p, char *d, size_t n, const char **last)
{
	const char *s = strrchr(p, '/');

	*last = s ? s + 1 : p;
	if (!s || s == p)
		snprintf(d, n, "/");
	else
		snprintf(d, n, "%.*s", (int)(s - p), p);
}

/* The records of an event with mask for FID group g (Linux's
 * fanotify_alloc_event and copy_info_records_to_user): a malloc'd buffer
 * and its length, or NULL. */
static unsigned char *build_info(struct fan_group *g, const struct fan_object *o, uint32_t mask,
				 unsigned int match, size_t *len)
{
	/* FAN_RENAME names the old and the new entry each only if a mark
	 * on its directory, or on the mount or filesystem, matched */
	const unsigned int wide = (1u << ON_MOUNT) | (1u << ON_SB);
	bool rename = mask & FAN_RENAME_;
	bool old_rec = !rename || (match & (wide | (1u << ON_INODE)));
	bool new_rec = rename && (match & (wide | (1u << ON_INODE2)));
	unsigned char buf[FAN_INFO_MAX], *r;
	char dir[PATH_MAX], child[PATH_MAX];
	const char *last = NULL;
	bool dirent = mask & FAN_DIRENT_EVENTS, names = g->fid_mode & FAN_REPORT_NAME_;
	size_t n = 0;

	if (!(g->fid_mode & FAN_REPORT_DIR_FID_)) {
		/* FAN_REPORT_FID alone: the object, a dirent event's directory */
		n += fid_record(buf, sizeof(buf), FAN_EVENT_INFO_TYPE_FID_, o->path, o->dev, o->ino, NULL);
	} else {
		int type = names ? ((mask & FAN_RENAME_) ? FAN_EVENT_INFO_TYPE_OLD_DFID_NAME_
							 : FAN_EVENT_INFO_TYPE_DFID_NAME_)
				 : FAN_EVENT_INFO_TYPE_DFID_;
		bool child_fid;

		if (!old_rec) {
			;
		} else if (dirent || o->obj_isdir) {
			/* the directory is the object; a directory's own events say "." */
			n += fid_record(buf, sizeof(buf), type, o->path, o->dev, o->ino,
					names ? (dirent ? o->name : ".") : NULL);
		} else if (o->path && o->dir_known) {
			split_path(o->path, dir, sizeof(dir), &last);
			n += fid_record(buf, sizeof(buf), type, dir, o->pdev, o->pino, names ? last : NULL);
		}
		if (new_rec && names && o->new_path) {
			split_path(o->new_path, dir, sizeof(dir), &last);
			n += fid_record(buf + n, sizeof(buf) - n, FAN_EVENT_INFO_TYPE_NEW_DFID_NAME_, dir,
					o->ndev, o->nino, last);
		}
		child_fid = dirent ? (g->fid_mode & FAN_REPORT_TARGET_FID_) && o->has_child
				   : (g->fid_mode & FAN_REPORT_FID_) && !o->obj_isdir;
		if (child_fid && dirent && o->path && o->name) {
			snprintf(child, sizeof(child), "%s%s%s", o->path, strcmp(o->path, "/") ? "/" : "",
				 o->name);
			n += fid_record(buf + n, sizeof(buf) - n, FAN_EVENT_INFO_TYPE_FID_, child, o->cdev,
					o->cino, NULL);
		} else if (child_fid && !dirent) {
			n += fid_record(buf + n, sizeof(buf) - n, FAN_EVENT_INFO_TYPE_FID_, o->path, o->dev,
					o->ino, NULL);
		}
	}
	*len = n;
	if (!n || !(r = malloc(n)))
		return NULL;
	memcpy(r, buf, n);
	return r;
}

/* A file of the event's own on the object at absolute path abs (in
 * mount namespace ns, or the caller's if NULL), opened with the group's
 * event_f_flags, that makes no events; NULL if it cannot be opened or
 * the name leads to another inode now. */
static struct file *open_object(struct fan_group *g, struct mnt_namespace *ns, const char *abs,
				bool isdir, uint64_t dev, uint64_t ino, int *err)
{
	static __thread char buf[PATH_MAX];
	const char *rel;
	struct mount *mnt;
	struct file *nf = NULL;
	struct kstat st;
	int flags = (int)(g->f_flags & ~(O_CLOEXEC | LINUX_O_LARGEFILE));

	if (!abs || abs[0] != '/')
		return NULL;
	mnt = ns ? vfs_find_mount_ns(ns, abs, &rel, buf) : vfs_find_mount(abs, &rel, buf);
	if (!mnt || !mnt->ops->open)
		return NULL;
	if (!isdir && mnt->ops->lookup && (mnt->ops->lookup(mnt, rel, &st) || !S_ISREG(st.mode)))
		flags |= O_NONBLOCK;   /* a fifo's open must not wait here */
	if ((flags & O_ACCMODE) != O_RDONLY && mnt_want_write(mnt)) {
		if (err)
			*err = -EROFS;   /* dentry_open's: no write access on a read-only mount */
		return NULL;
	}
	if (mnt->ops->open(mnt, rel, flags & ~(O_CREAT | O_EXCL | O_TRUNC), 0, &nf))
		return NULL;
	nf->nonotify = true;
	if (!nf->ops->fstat || nf->ops->fstat(nf, &st) || st.dev != dev || st.ino != ino) {
		file_put(nf);
		return NULL;
	}
	free(nf->path);
	nf->path = strdup(abs);
	file_set_mnt(nf, mnt);
	nf->flags = (flags & (O_ACCMODE | O_APPEND | O_NONBLOCK | O_DSYNC | O_SYNC | O_NOATIME)) |
		    O_LARGEFILE;
	return nf;
}

/* The event's object: a file opened now for a permission event and for
 * the first EAGER_FILES queued events of a group (Linux pins the path,
 * so an unlinked file still has its fd), else its name, opened at read
 * time: a queue of thousands does not hold as many host fds. */
#define EAGER_FILES 64
static void event_object(struct fan_group *g, struct fan_event *e, struct file *f, bool perm)
{
	if (perm || g->eager < EAGER_FILES) {
		e->file = open_object(g, file_mnt_ns(f), f->path, e->isdir, e->dev, e->ino, &e->open_err);
		if (e->file) {
			e->eager = true;
			g->eager++;
			return;
		}
	}
	if (f->path && f->path[0] == '/')
		e->path = strdup(f->path);
}

/* Queues e (Linux's fsnotify_insert_event with fanotify_merge): true if
 * e itself was queued, false if merged or lost to an overflow (e is
 * freed then, unless it is a permission event, which the caller owns). */
static bool queue_event(struct fan_group *g, struct fan_event *e, bool perm)
{
	struct list_head *p;
	int n = 0;

	if (g->q_len >= (int)g->max_events) {
		if (!g->overflow_queued) {
			struct fan_event *o = calloc(1, sizeof(*o));

			if (o) {
				o->mask = FAN_Q_OVERFLOW_;
				list_add_tail(&o->link, &g->events);
				g->q_len++;
				g->overflow_queued = true;
				wake_up(&g->wq);
			}
		}
		if (!perm)
			event_free(e);
		return false;
	}
	if (!perm) {
		for (p = g->events.prev; p != &g->events && n < FAN_MAX_MERGE; p = p->prev, n++) {
			struct fan_event *old = list_entry(p, struct fan_event, link);

			/* a FID event is what its records name (fanotify_should_merge) */
			if ((old->mask & (FAN_PERM_EVENTS | FAN_Q_OVERFLOW_)) || old->pid != e->pid ||
			    old->isdir != e->isdir ||
			    (!g->fid_mode && (old->dev != e->dev || old->ino != e->ino || old->mnt != e->mnt)))
				continue;
			if (g->fid_mode && ((old->mask | e->mask) & FAN_RENAME_))
				continue;
			if (g->fid_mode && (old->info_len != e->info_len ||
					    (e->info_len && memcmp(old->info, e->info, e->info_len))))
				continue;
			old->mask |= e->mask;
			event_free(e);
			return false;
		}
	}
	list_add_tail(&e->link, &g->events);
	g->q_len++;
	wake_up(&g->wq);
	return true;
}

/* Waits, killable only, for the answer to e (Linux's
 * fanotify_get_response): 0 allowed, -EPERM denied, -EINTR killed. */
static int get_response(struct task *t, struct fan_group *g, struct fan_event *e, bool *owned)
{
	struct waiter w;
	int r;

	g->refs++;
	while (e->state != EV_ANSWERED && !g->released) {
		if (!t || (t->tg && t->tg->group_exit)) {
			/* killed: an unread event goes; a reported one stays
			 * for its answer, which frees it (FAN_EVENT_CANCELED) */
			if (e->state == EV_QUEUED) {
				list_del(&e->link);
				g->q_len--;
			} else {
				e->state = EV_CANCELED;
				*owned = false;
			}
			group_put(g);
			return -EINTR;
		}
		waitq_add(&g->access_wq, &w, t);
		task_sleep_nosig(t, 0);
		waitq_del(&w);
	}
	if (e->state != EV_ANSWERED) {   /* the group went while it waited */
		list_del(&e->link);
		if (e->state == EV_QUEUED)
			g->q_len--;
		e->response = FAN_ALLOW_;
	}
	r = (e->response & (FAN_ALLOW_ | FAN_DENY_)) == FAN_ALLOW_ ? 0
	    : (e->response >> 24) ? -(int)(e->response >> 24) : -EPERM;
	group_put(g);
	return r;
}

/* Whether a mark of directory (dev, ino) watches its children (then an
 * event on a child is its to hear of too). */
static bool dir_watches_children(uint64_t dev, uint64_t ino)
{
	for (struct fan_mark *m = fan_marks; m; m = m->next)
		if (m->type == MARK_INODE && m->dev == dev && m->ino == ino && mark_watches_children(m))
			return true;
	return false;
}

/* Fills o's directory from its name: the parent's marks count if one of
 * them watches children (child events only); FID groups want the
 * directory all the same. */
static void object_parent(struct fan_object *o, bool child_event)
{
	struct kstat pst;

	if (!o->path || o->path[0] != '/' || fsnotify_parent_inode(o->path, &pst))
		return;
	if (pst.dev == o->dev && pst.ino == o->ino)
		return;   /* the root is its own parent */
	o->pdev = pst.dev;
	o->pino = pst.ino;
	o->dir_known = true;
	if (child_event && dir_watches_children(pst.dev, pst.ino))
		o->has_parent = true;
}

/* One object's event to every group that wants it, highest class first;
 * a permission event waits for each answer in turn (the first denial
 * ends it): 0 or -EPERM (-EINTR if the opener was killed).  f is the
 * file the event is about, or NULL for an event by name (FID groups
 * only hear of those). */
static int deliver(struct fan_object *o, uint32_t mask, struct file *f)
{
	struct task *t = current;
	bool perm = mask & FAN_PERM_EVENTS;
	/* the groups, held: a permission event's wait lets others change the list */
	struct list_head *p;
	struct fan_group **gs;
	int ng = 0, r = 0;

	for (p = groups.next; p != &groups; p = p->next)
		ng++;
	gs = calloc((size_t)ng + 1, sizeof(*gs));
	if (!gs)
		return 0;
	ng = 0;
	for (p = groups.next; p != &groups; p = p->next) {
		gs[ng] = list_entry(p, struct fan_group, link);
		gs[ng++]->refs++;
	}
	for (int prio = 2; prio >= 0 && !r; prio--) {
		for (int i = 0; i < ng && !r; i++) {
			struct fan_group *g = gs[i];
			struct fan_event *e;
			uint32_t m;

			if (g->priority != prio || g->released || (!f && !g->fid_mode))
				continue;
			unsigned int match = 0;

			m = group_event_mask(g, o, mask, &match);
			if (!m)
				continue;
			e = calloc(1, sizeof(*e));
			if (!e)
				continue;
			e->mask = m;
			e->isdir = o->isdir;
			e->dev = o->dev;
			e->ino = o->ino;
			e->mnt = o->mnt;
			e->fd = FAN_NOFD_;
			if (t)
				e->pid = get_pid((g->flags & FAN_REPORT_TID_) ? t->pid : task_tgid(t));
			e->group = g;
			if (g->fid_mode) {
				e->info = build_info(g, o, m, match, &e->info_len);
				/* nothing to name it by (a non-directory's own event
				 * in a group that reports directories only) */
				if (!e->info) {
					event_free(e);
					continue;
				}
			} else {
				event_object(g, e, f, perm);
				if ((m & FAN_PRE_ACCESS_) && o->has_range && (e->info = malloc(24))) {
					/* struct fanotify_event_info_range: header, pad, offset, count */
					memset(e->info, 0, 24);
					e->info[0] = FAN_EVENT_INFO_TYPE_RANGE_;
					e->info[2] = 24;
					memcpy(e->info + 8, &o->range_off, 8);
					memcpy(e->info + 16, &o->range_len, 8);
					e->info_len = 24;
				}
			}
			if (!perm) {
				queue_event(g, e, false);
				continue;
			}
			if (!queue_event(g, e, true)) {   /* lost to an overflow: allowed */
				event_free(e);
				continue;
			}
			bool owned = true;

			r = get_response(t, g, e, &owned);
			if (owned)
				event_free(e);
		}
	}
	for (int i = 0; i < ng; i++)
		group_put(gs[i]);
	free(gs);
	return r;
}

/* An event on open file f (open, read, write, close, exec, fchmod...);
 * range: the bytes a FAN_PRE_ACCESS is about, or NULL. */
static int send_event_range(struct file *f, uint32_t mask, const uint64_t *range)
{
	struct fan_object o = { 0 };
	struct kstat st;

	if (!fanotify_nr_marks || !mask || !f || f->nonotify || (f->flags & O_PATH) || !f->ops ||
	    !f->ops->fstat || f->ops->fstat(f, &st))
		return 0;
	o.dev = st.dev;
	o.ino = st.ino;
	o.isdir = o.obj_isdir = S_ISDIR(st.mode);
	o.mnt = f->mnt;
	o.path = f->path && f->path[0] == '/' ? f->path : NULL;
	object_parent(&o, true);
	if (range) {
		o.has_range = true;
		o.range_off = range[0];
		o.range_len = range[1];
	}
	return deliver(&o, mask, f);
}

static int send_event(struct file *f, uint32_t mask)
{
	return send_event_range(f, mask, NULL);
}

#define PAGE_SZ 4096u
int fanotify_pre_access(struct file *f, uint64_t off, uint64_t len)
{
	/* the pages the access touches, as the page cache asks */
	uint64_t end = off + len < off ? UINT64_MAX : off + len;
	uint64_t range[2];

	range[0] = off & ~(uint64_t)(PAGE_SZ - 1);
	end = end > UINT64_MAX - PAGE_SZ ? end : (end + PAGE_SZ - 1) & ~(uint64_t)(PAGE_SZ - 1);
	range[1] = end - range[0];
	return send_event_range(f, FAN_PRE_ACCESS_, range);
}

/* Whether a PRE_CONTENT group's mark wanting FAN_PRE_ACCESS covers f:
 * on its inode, on its directory watching children, its mount or its
 * filesystem (Linux's fsnotify_file_object_watched at open). */
bool fanotify_hsm_watched(struct file *f)
{
	struct fan_object o = { 0 };
	struct kstat st;
	bool any = false;

	for (struct fan_mark *m = fan_marks; m && !any; m = m->next)
		any = (m->mask & FAN_PRE_ACCESS_) && m->group->priority == 2;
	if (!any || !f || (f->flags & O_PATH) || !f->ops || !f->ops->fstat || f->ops->fstat(f, &st) ||
	    !S_ISREG(st.mode))
		return false;
	o.dev = st.dev;
	o.ino = st.ino;
	o.mnt = f->mnt;
	o.path = f->path && f->path[0] == '/' ? f->path : NULL;
	object_parent(&o, true);
	for (struct fan_mark *m = fan_marks; m; m = m->next)
		if ((m->mask & FAN_PRE_ACCESS_) && m->group->priority == 2 && !m->group->released &&
		    mark_on(m, &o) >= 0)
			return true;
	return false;
}

/* The mount a name is on (for mount marks), or NULL. */
static const struct mount *mount_of(const char *abs)
{
	static __thread char buf[PATH_MAX];
	const char *rel;

	return abs && abs[0] == '/' ? vfs_find_mount(abs, &rel, buf) : NULL;
}

void fanotify_inode_event(const char *abs, const struct kstat *st, uint32_t mask)
{
	struct fan_object o = { 0 };
	bool self = mask & (FAN_DELETE_SELF_ | FAN_MOVE_SELF_ | FAN_INODE_ONLY_);

	mask &= ~FAN_INODE_ONLY_;
	if (!fanotify_nr_marks || !fanotify_fid_groups || !st || !mask)
		return;
	o.dev = st->dev;
	o.ino = st->ino;
	o.isdir = o.obj_isdir = S_ISDIR(st->mode);
	o.mnt = mount_of(abs);
	o.path = abs;
	/* an event on the inode itself (fsnotify_inode) reaches no parent,
	 * and names none for a non-directory */
	if (!self)
		object_parent(&o, true);
	deliver(&o, mask, NULL);
}

void fanotify_dirent_event(const char *abs, const struct kstat *child, uint32_t mask, bool isdir)
{
	struct fan_object o = { 0 };
	char dir[PATH_MAX];
	const char *last;
	struct kstat dst, cst;

	if (!fanotify_nr_marks || !fanotify_fid_groups || !abs || abs[0] != '/')
		return;
	split_path(abs, dir, sizeof(dir), &last);
	if (fsnotify_parent_inode(abs, &dst))
		return;
	o.dev = dst.dev;
	o.ino = dst.ino;
	o.isdir = isdir;
	o.obj_isdir = true;
	o.mnt = mount_of(abs);
	o.path = dir;
	o.name = last;
	if (!child && (mask & (FAN_CREATE_ | FAN_MOVED_TO_))) {
		/* a new name: its inode now */
		static __thread char buf[PATH_MAX];
		const char *rel;
		struct mount *m = vfs_find_mount(abs, &rel, buf);

		if (m && !m->ops->lookup(m, rel, &cst))
			child = &cst;
	}
	if (child) {
		o.has_child = true;
		o.cdev = child->dev;
		o.cino = child->ino;
	}
	deliver(&o, mask, NULL);
}

void fanotify_rename_event(const char *old, const char *new_, const struct kstat *st)
{
	struct fan_object o = { 0 };
	char dir[PATH_MAX];
	const char *last;
	struct kstat dst, nst;

	if (!fanotify_nr_marks || !fanotify_fid_groups || !old || !new_ || fsnotify_parent_inode(old, &dst) ||
	    fsnotify_parent_inode(new_, &nst))
		return;
	split_path(old, dir, sizeof(dir), &last);
	o.dev = dst.dev;
	o.ino = dst.ino;
	o.isdir = S_ISDIR(st->mode);
	o.obj_isdir = true;
	o.mnt = mount_of(old);
	o.path = dir;
	o.name = last;
	o.new_path = new_;
	o.ndev = nst.dev;
	o.nino = nst.ino;
	o.has_child = true;
	o.cdev = st->dev;
	o.cino = st->ino;
	/* the new directory's marks hear of it too (Linux's inode2) */
	o.has_inode2 = true;
	deliver(&o, FAN_RENAME_, NULL);
}

/*
 * fanotify_fs_error - filesystem sb found an error (a positive errno:
 * EUCLEAN for corruption, ESHUTDOWN for an abort) about inode ino named
 * rel inside it, or about no inode (rel NULL): a FAN_FS_ERROR event to
 * each group with a filesystem mark on sb that wants it, with an error
 * record (the error, a count) and the inode's FID record (an empty
 * FILEID_INVALID handle for no inode).  While a group's event is unread,
 * further errors only count in it (Linux's fanotify_handle_error_event:
 * one error event per group, its first error and inode kept).
 */
void fanotify_fs_error(const struct super_block *sb, const char *rel, uint64_t ino, int error)
{
	struct mount *m = NULL;
	struct list_head *p, *q;
	struct mnt_namespace *ns = current_mnt_ns();

	if (!fanotify_nr_marks || !sb || !ns)
		return;
	list_for_each_safe(p, q, &ns->mounts) {
		struct mount *mm = list_entry(p, struct mount, link);

		if (mm->sb == sb) {
			m = mm;
			break;
		}
	}
	if (!m)
		return;
	for (p = groups.next; p != &groups; p = p->next) {
		struct fan_group *g = list_entry(p, struct fan_group, link);
		struct fan_event *e;
		bool wants = false;

		if (g->released || !g->fid_mode)
			continue;
		for (struct fan_mark *k = fan_marks; k && !wants; k = k->next)
			wants = k->group == g && k->type == MARK_SB && k->dev == sb->dev &&
				(k->mask & FAN_FS_ERROR_) && !(k->ignore_mask & FAN_FS_ERROR_);
		if (!wants)
			continue;
		for (q = g->events.next; q != &g->events; q = q->next) {
			e = list_entry(q, struct fan_event, link);
			if ((e->mask & FAN_FS_ERROR_) && e->dev == sb->dev && e->info_len >= 12) {
				unsigned char *rec = e->info + e->info_len - 12;   /* the error record */
				uint32_t count;

				memcpy(&count, rec + 8, 4);
				count++;
				memcpy(rec + 8, &count, 4);
				break;
			}
		}
		if (q != &g->events)
			continue;
		e = calloc(1, sizeof(*e));
		if (!e)
			continue;
		e->info = malloc(FAN_INFO_MAX);
		if (!e->info) {
			free(e);
			continue;
		}
		e->mask = FAN_FS_ERROR_;
		e->dev = sb->dev;
		e->ino = ino;
		e->fd = FAN_NOFD_;
		e->group = g;
		if (current)
			e->pid = get_pid(task_tgid(current));
		/* the FID record, then struct fanotify_event_info_error:
		 * header, error, error_count (copy_info_records_to_user) */
		e->info_len = fid_record_mnt(e->info, FAN_INFO_MAX - 12, FAN_EVENT_INFO_TYPE_FID_, m, rel,
					     sb->dev, ino, NULL);
		{
			unsigned char *rec = e->info + e->info_len;
			int32_t err = error;
			uint32_t count = 1;

			memset(rec, 0, 12);
			rec[0] = FAN_EVENT_INFO_TYPE_ERROR_;
			rec[2] = 12;
			memcpy(rec + 4, &err, 4);
			memcpy(rec + 8, &count, 4);
			e->info_len += 12;
		}
		queue_event(g, e, false);
	}
}

void fanotify_event(struct file *f, uint32_t mask)
{
	send_event(f, mask & (FAN_FD_EVENTS | (fanotify_fid_groups ? FAN_ATTRIB_ : 0)));
}

int fanotify_perm(struct file *f, uint32_t mask)
{
	return send_event(f, mask & FAN_PERM_EVENTS);
}

/* ---- the group's file ---- */

/* Moves the oldest event to the reader (Linux's copy_event_to_user): its
 * size, or -errno with the event dropped (a permission event denied). */
static ssize_t copy_event(struct task *t, struct fan_group *g, uint64_t ubuf, char *kbuf)
{
	struct fan_event *e = list_entry(g->events.next, struct fan_event, link);
	struct linux_fanotify_event_metadata md = {
		.event_len = FAN_METADATA_LEN, .vers = 3, .metadata_len = FAN_METADATA_LEN,
	};
	bool perm = e->mask & FAN_PERM_EVENTS;
	bool fd_error = g->flags & FAN_REPORT_FD_ERROR_;
	int fd = FAN_NOFD_, err = 0, pidfd = FAN_NOPIDFD_;
	struct { uint8_t type, pad; uint16_t len; int32_t pidfd; } pinfo = { FAN_EVENT_INFO_TYPE_PIDFD_, 0, 8, 0 };
	bool want_pidfd = (g->flags & FAN_REPORT_PIDFD_) && !(e->mask & FAN_Q_OVERFLOW_);

	list_del(&e->link);
	g->q_len--;
	if (e->mask & FAN_Q_OVERFLOW_)
		g->overflow_queued = false;
	md.mask = e->mask;
	md.event_len = (uint32_t)(FAN_METADATA_LEN + e->info_len + (want_pidfd ? sizeof(pinfo) : 0));
	md.pid = e->pid && t ? pid_nr_ns(e->pid, task_active_pid_ns(t)) : 0;
	/* an unprivileged listener learns its own pid only */
	if (g->unpriv && (!t || e->pid != task_tgid(t)))
		md.pid = 0;
	if (!g->fid_mode && !e->file && e->path)
		e->file = open_object(g, NULL, e->path, e->isdir, e->dev, e->ino, &e->open_err);
	if (e->file && t) {
		fd = fd_install(t, 0, file_get(e->file), g->f_flags & O_CLOEXEC);
		if (fd < 0)
			err = fd;
	} else if (!g->fid_mode && e->open_err && !(e->mask & FAN_Q_OVERFLOW_)) {
		if (fd_error)
			fd = e->open_err;   /* FAN_REPORT_FD_ERROR: the open's error */
		else
			err = e->open_err;
	}
	if (want_pidfd && !err && t) {
		/* a pidfd of the process, made now: FAN_NOPIDFD once it is gone */
		struct task *pt = e->pid ? e->pid->task : NULL;

		if (!pt || pt->state == TASK_DEAD)
			pidfd = fd_error ? -ESRCH : FAN_NOPIDFD_;
		else if ((pidfd = pidfd_create(t, e->pid, 0)) < 0)
			pidfd = fd_error ? pidfd : FAN_EPIDFD_;
		pinfo.pidfd = pidfd;
	}
	/* FAN_REPORT_FD_ERROR: no fd to give (an overflow, a FID event) is -EBADF */
	if (fd == FAN_NOFD_ && fd_error && !err)
		fd = -EBADF;
	md.fd = fd;
	if (!err) {
		size_t off = FAN_METADATA_LEN;

		if (kbuf) {
			memcpy(kbuf, &md, sizeof(md));
			if (e->info_len)
				memcpy(kbuf + off, e->info, e->info_len);
			if (want_pidfd)
				memcpy(kbuf + off + e->info_len, &pinfo, sizeof(pinfo));
		} else if (copy_to_user(t, ubuf, &md, sizeof(md)) ||
			   (e->info_len && copy_to_user(t, ubuf + off, e->info, e->info_len)) ||
			   (want_pidfd && copy_to_user(t, ubuf + off + e->info_len, &pinfo, sizeof(pinfo)))) {
			err = -EFAULT;
		}
		if (err && fd >= 0)
			fd_close(t, fd);
		if (err && pidfd >= 0)
			fd_close(t, pidfd);
	}
	if (perm) {
		if (err) {
			e->state = EV_ANSWERED;
			e->response = FAN_DENY_;
			wake_up(&g->access_wq);
		} else {
			e->state = EV_REPORTED;
			e->fd = fd;
			list_add_tail(&e->link, &g->access);
		}
	} else {
		event_free(e);
	}
	return err ? err : (ssize_t)md.event_len;
}

/* The size the oldest event takes in a read. */
static size_t event_size(const struct fan_group *g, const struct fan_event *e)
{
	bool want_pidfd = (g->flags & FAN_REPORT_PIDFD_) && !(e->mask & FAN_Q_OVERFLOW_);

	return FAN_METADATA_LEN + e->info_len + (want_pidfd ? 8 : 0);
}

static ssize_t do_fanotify_read(struct task *t, struct file *f, uint64_t ubuf, char *kbuf, size_t n)
{
	struct fan_group *g = f->priv;
	size_t done = 0;
	struct waiter w;
	ssize_t r;

	for (;;) {
		while (!list_empty(&g->events)) {
			if (n - done < event_size(g, list_entry(g->events.next, struct fan_event, link)))
				return done ? (ssize_t)done : -EINVAL;
			r = copy_event(t, g, ubuf + done, kbuf ? kbuf + done : NULL);
			if (r < 0)
				return done && r != -EFAULT ? (ssize_t)done : r;
			done += (size_t)r;
		}
		if (done)
			return (ssize_t)done;
		if ((f->flags & O_NONBLOCK) || !t)
			return -EAGAIN;
		waitq_add(&g->wq, &w, t);
		r = task_sleep(t, 0, -1, 0);
		waitq_del(&w);
		if (r == -EINTR)
			return -ERESTARTSYS;
	}
}

static ssize_t fanotify_read_user(struct task *t, struct file *f, uint64_t buf, size_t n, int64_t *pos)
{
	(void)pos;
	return do_fanotify_read(t, f, buf, NULL, n);
}

static ssize_t fanotify_read(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	(void)pos;
	return do_fanotify_read(t, f, 0, buf, n);
}

/* A response (struct fanotify_response { s32 fd; u32 response; }) to a
 * permission event read from this group (Linux's fanotify_write and
 * process_access_response): its size; -EINVAL (short, a bad response or
 * fd), -ENOENT (no event awaits an answer for that fd), -EFAULT. */
static ssize_t do_fanotify_write(struct task *t, struct file *f, uint64_t ubuf, const char *kbuf,
				 size_t n)
{
	struct fan_group *g = f->priv;
	struct { int32_t fd; uint32_t response; } resp;
	struct list_head *p;

	if (n < sizeof(resp))
		return -EINVAL;
	if (kbuf)
		memcpy(&resp, kbuf, sizeof(resp));
	else if (copy_from_user(t, &resp, ubuf, sizeof(resp)))
		return -EFAULT;
	if ((resp.response & ~(FAN_ALLOW_ | FAN_DENY_ | FAN_AUDIT_ | FAN_ERRNO_BITS)) ||
	    ((resp.response & 3) != FAN_ALLOW_ && (resp.response & 3) != FAN_DENY_) ||
	    ((resp.response & FAN_AUDIT_) && !(g->flags & FAN_ENABLE_AUDIT_)) || resp.fd < 0)
		return -EINVAL;
	/* FAN_DENY_ERRNO(e): a PRE_CONTENT group's, with an errno open,
	 * read and write may give */
	if (resp.response & FAN_ERRNO_BITS) {
		int e = (int)(resp.response >> 24);

		if ((resp.response & 3) != FAN_DENY_ || g->priority != 2 ||
		    (e != EIO && e != EPERM && e != EBUSY && e != ETXTBSY && e != EAGAIN && e != ENOSPC &&
		     e != EDQUOT))
			return -EINVAL;
	}
	for (p = g->access.next; p != &g->access; p = p->next) {
		struct fan_event *e = list_entry(p, struct fan_event, link);

		if (e->fd != resp.fd)
			continue;
		list_del(&e->link);
		if (e->state == EV_CANCELED) {   /* its opener was killed */
			event_free(e);
			return sizeof(resp);
		}
		e->state = EV_ANSWERED;
		e->response = resp.response;
		wake_up(&g->access_wq);
		return sizeof(resp);
	}
	return -ENOENT;
}

static ssize_t fanotify_write_user(struct task *t, struct file *f, uint64_t buf, size_t n,
				   int64_t *pos)
{
	(void)pos;
	return do_fanotify_write(t, f, buf, NULL, n);
}

static ssize_t fanotify_write(struct task *t, struct file *f, const void *buf, size_t n,
			      int64_t *pos)
{
	(void)pos;
	return do_fanotify_write(t, f, 0, buf, n);
}

static short fanotify_poll(struct file *f, struct poll_table *pt)
{
	struct fan_group *g = f->priv;

	if (pt)
		poll_wait(pt, &g->wq);
	return list_empty(&g->events) ? 0 : POLLIN | POLLRDNORM;
}

static long fanotify_ioctl(struct task *t, struct file *f, unsigned int cmd, uint64_t arg)
{
	struct fan_group *g = f->priv;
	int len;

	if (cmd != L_FIONREAD)
		return -ENOTTY;
	len = g->q_len * FAN_METADATA_LEN;   /* Linux counts the metadata alone */
	return copy_to_user(t, arg, &len, sizeof(len));
}

/* The group goes: its marks, its unread events, and every opener waiting
 * for an answer is let through (Linux's fanotify_release). */
static void fanotify_release(struct file *f)
{
	struct fan_group *g = f->priv;
	struct list_head *p, *n;

	marks_flush(g, -1);
	g->released = true;
	list_del(&g->link);
	list_for_each_safe(p, n, &g->access) {
		struct fan_event *e = list_entry(p, struct fan_event, link);

		list_del(&e->link);
		if (e->state == EV_CANCELED) {
			event_free(e);
			continue;
		}
		e->state = EV_ANSWERED;
		e->response = FAN_ALLOW_;
	}
	list_for_each_safe(p, n, &g->events) {
		struct fan_event *e = list_entry(p, struct fan_event, link);

		list_del(&e->link);
		g->q_len--;
		if (e->mask & FAN_PERM_EVENTS) {
			e->state = EV_ANSWERED;
			e->response = FAN_ALLOW_;
		} else {
			event_free(e);
		}
	}
	wake_up(&g->access_wq);
	wake_up(&g->wq);
	if (g->ucounts)
		ucounts_dec(g->ucounts, UCOUNT_FANOTIFY_GROUPS);
	if (g->fid_mode)
		fanotify_fid_groups--;
	group_put(g);
}

static const struct file_ops fanotify_file_ops = {
	.read = fanotify_read,
	.read_user = fanotify_read_user,
	.write = fanotify_write,
	.write_user = fanotify_write_user,
	.poll = fanotify_poll,
	.ioctl = fanotify_ioctl,
	.fstat = anon_inode_fstat,
	.release = fanotify_release,
};

/* ---- syscalls ---- */

/*
 * fanotify_init(flags, event_f_flags): a new group (fanotify_init(2)).
 * flags: a class (NOTIF, CONTENT, PRE_CONTENT), FAN_CLOEXEC,
 * FAN_NONBLOCK, FAN_UNLIMITED_QUEUE/MARKS, FAN_REPORT_TID.  Errors as
 * Linux's: -EPERM (no CAP_SYS_ADMIN: Linux lets such a caller have only
 * a FID group, which umk lacks), -EINVAL (unknown or unsupported flags,
 * a bad class or event_f_flags), -EMFILE (max_user_groups, no fd).
 */
long sys_fanotify_init(struct task *t, struct sysargs *a)
{
	unsigned int flags = arg_uint(a, 0), f_flags = arg_uint(a, 1);
	const unsigned int valid_f = O_ACCMODE | O_APPEND | O_NONBLOCK | O_DSYNC | O_SYNC | O_CLOEXEC |
				     LINUX_O_LARGEFILE | O_NOATIME;
	struct fan_group *g;
	struct ucounts *uc;
	struct file *f;
	int fd;

	if (!capable(t, CAP_SYS_ADMIN) && ((flags & FAN_ADMIN_INIT_FLAGS) || !(flags & FAN_FID_BITS)))
		return -EPERM;
	if (flags & ~(FAN_ADMIN_INIT_FLAGS | FAN_USER_INIT_FLAGS))
		return -EINVAL;
	if ((flags & FAN_REPORT_PIDFD_) && (flags & FAN_REPORT_TID_))
		return -EINVAL;
	if ((f_flags & ~valid_f) || (f_flags & O_ACCMODE) == O_ACCMODE)
		return -EINVAL;
	if ((flags & FAN_CLASS_BITS) == FAN_CLASS_BITS)
		return -EINVAL;
	/* FID reporting: a notification group's, NAME with DIR_FID, and
	 * TARGET_FID with all three */
	if ((flags & FAN_FID_BITS) && (flags & FAN_CLASS_BITS))
		return -EINVAL;
	if ((flags & FAN_REPORT_NAME_) && !(flags & FAN_REPORT_DIR_FID_))
		return -EINVAL;
	if ((flags & FAN_REPORT_TARGET_FID_) &&
	    (flags & FAN_REPORT_DFID_NAME_FID_) != FAN_REPORT_DFID_NAME_FID_)
		return -EINVAL;
	if (flags & ~FAN_INIT_DONE)
		return -EINVAL;   /* FAN_REPORT_MNT, FAN_ENABLE_AUDIT: not in umk */
	limits_init();
	uc = ucounts_get(t->cred.euid);
	if (!uc)
		return -ENOMEM;
	if (!ucounts_inc(uc, UCOUNT_FANOTIFY_GROUPS, max_user_groups))
		return -EMFILE;
	g = calloc(1, sizeof(*g));
	if (!g) {
		ucounts_dec(uc, UCOUNT_FANOTIFY_GROUPS);
		return -ENOMEM;
	}
	list_init(&g->events);
	list_init(&g->access);
	waitq_init(&g->wq);
	waitq_init(&g->access_wq);
	g->flags = flags;
	g->f_flags = f_flags | LINUX_O_LARGEFILE;   /* force_o_largefile(), as fdinfo shows */
	g->priority = (flags & FAN_CLASS_PRE_CONTENT_) ? 2 : (flags & FAN_CLASS_CONTENT_) ? 1 : 0;
	g->fid_mode = flags & FAN_FID_BITS;
	g->max_events = (flags & FAN_UNLIMITED_QUEUE_) ? INT_MAX : (unsigned int)max_queued_events;
	g->refs = 1;
	g->unpriv = !capable(t, CAP_SYS_ADMIN);
	f = file_alloc(&fanotify_file_ops, O_RDWR | ((flags & FAN_NONBLOCK_) ? O_NONBLOCK : 0),
		       "anon_inode:[fanotify]");
	if (!f) {
		free(g);
		ucounts_dec(uc, UCOUNT_FANOTIFY_GROUPS);
		return -ENOMEM;
	}
	f->priv = g;
	g->ucounts = uc;
	if (g->fid_mode)
		fanotify_fid_groups++;
	list_add_tail(&g->link, &groups);
	fd = fd_install(t, 0, f, flags & FAN_CLOEXEC_);
	return fd;
}

/* The group behind fd: -EBADF, or -EINVAL if it is no fanotify file. */
static struct file *group_file(struct task *t, int fd, int *err)
{
	struct file *f = fd_get(t, fd);

	*err = 0;
	if (!f) {
		*err = -EBADF;
		return NULL;
	}
	if (f->ops != &fanotify_file_ops) {
		file_put(f);
		*err = -EINVAL;
		return NULL;
	}
	return f;
}

/* Adds mask to m's mask or ignore mask (fanotify_mark_add_to_mask). */
static void mark_add_mask(struct fan_mark *m, uint32_t mask, unsigned int flags)
{
	if (flags & FAN_MARK_IGNORE_BITS) {
		m->ignore_mask |= mask;
		if (flags & FAN_MARK_IGNORE_)
			m->mflags |= FAN_MARK_IGNORE_;
	} else {
		m->mask |= mask;
	}
	if (flags & FAN_MARK_IGNORED_SURV_MODIFY_)
		m->mflags |= FAN_MARK_IGNORED_SURV_MODIFY_;
}

/*
 * fanotify_mark(fd, flags, mask, dirfd, pathname): adds to, removes from
 * or flushes the group's marks on an inode, a mount or a filesystem
 * (fanotify_mark(2)).  Errors in Linux's order: -EINVAL (mask bits above
 * 32 or unknown, unknown flags or mark type, not exactly one of ADD,
 * REMOVE, FLUSH, no mask, IGNORE with IGNORED_MASK, a permission event in
 * a NOTIF group, an event that needs FID reporting, a mount or
 * filesystem mark with FAN_MARK_EVICTABLE, not a fanotify fd), -EBADF,
 * -EPERM (mount and filesystem marks need CAP_SYS_ADMIN), -ENOENT,
 * -ENOTDIR (ONLYDIR, or FAN_MARK_IGNORE's directory flags on a file),
 * -EISDIR (FAN_MARK_IGNORE of a directory, mount or filesystem
 * without FAN_MARK_IGNORED_SURV_MODIFY), -EACCES (no read permission),
 * -ENOENT (REMOVE of no mark), -EEXIST (an ignore mask of the other
 * kind than the mark has), -ENOSPC
 * (max_user_marks).
 */
long sys_fanotify_mark(struct task *t, struct sysargs *a)
{
	unsigned int flags = arg_uint(a, 1);
	uint64_t mask64 = arg_ptr(a, 2);
	int dfd = arg_int(a, 3), err, type;
	uint64_t upath = arg_ptr(a, 4);
	unsigned int cmd = flags & (FAN_MARK_ADD_ | FAN_MARK_REMOVE_ | FAN_MARK_FLUSH_);
	unsigned int ignore = flags & FAN_MARK_IGNORE_BITS;
	uint32_t mask = (uint32_t)mask64, umask = 0;
	struct nameidata nd;
	struct fan_group *g;
	struct fan_mark *m;
	struct file *f;
	char *path;
	long r;

	if (mask64 >> 32)
		return -EINVAL;
	if (flags & ~FAN_MARK_VALID)
		return -EINVAL;
	switch (flags & FAN_MARK_TYPE_BITS) {
	case 0:
		type = MARK_INODE;
		break;
	case FAN_MARK_MOUNT_:
		type = MARK_MOUNT;
		break;
	case FAN_MARK_FILESYSTEM_:
		type = MARK_SB;
		break;
	default:
		return -EINVAL;
	}
	switch (cmd) {
	case FAN_MARK_ADD_:
	case FAN_MARK_REMOVE_:
		if (!mask)
			return -EINVAL;
		break;
	case FAN_MARK_FLUSH_:
		if (flags & ~(FAN_MARK_TYPE_BITS | FAN_MARK_FLUSH_))
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (mask & ~(FAN_ALL_EVENTS_BITS | FAN_PRE_ACCESS_ | FAN_EVENT_FLAGS))
		return -EINVAL;
	if (ignore == FAN_MARK_IGNORE_BITS)
		return -EINVAL;
	/* FAN_MARK_IGNORE on a mount or filesystem must survive modification */
	if (cmd == FAN_MARK_ADD_ && ignore == FAN_MARK_IGNORE_ && type != MARK_INODE &&
	    !(flags & FAN_MARK_IGNORED_SURV_MODIFY_))
		return -EINVAL;
	if (ignore == FAN_MARK_IGNORED_MASK_) {
		mask &= ~FAN_EVENT_FLAGS;
		umask = FAN_EVENT_FLAGS;
	}
	f = group_file(t, arg_int(a, 0), &err);
	if (!f)
		return err;
	g = f->priv;
	r = -EPERM;
	if (type != MARK_INODE && !capable(t, CAP_SYS_ADMIN))
		goto out_file;
	r = -EINVAL;
	if ((mask & (FAN_PERM_EVENTS | FAN_PRE_ACCESS_)) && g->priority < 1)
		goto out_file;
	if ((mask & FAN_PRE_ACCESS_) && g->priority < 2)
		goto out_file;   /* pre-content events: a PRE_CONTENT group's */
	if ((mask & FAN_FS_ERROR_) && type != MARK_SB)
		goto out_file;
	if ((flags & FAN_MARK_EVICTABLE_) && type != MARK_INODE)
		goto out_file;
	/* events only a FID group can report, and never on a mount mark */
	if ((mask & ~(FAN_FD_EVENTS | FAN_PERM_EVENTS | FAN_PRE_ACCESS_ | FAN_EVENT_FLAGS)) &&
	    (!g->fid_mode || type == MARK_MOUNT))
		goto out_file;
	/* FAN_RENAME's records name the old and new directory entries */
	if ((mask & FAN_RENAME_) && !(g->fid_mode & FAN_REPORT_NAME_))
		goto out_file;
	if (cmd == FAN_MARK_FLUSH_) {
		marks_flush(g, type);
		r = 0;
		goto out_file;
	}
	/* fanotify_find_path: dirfd itself without a pathname */
	path = malloc(PATH_MAX);
	if (!path) {
		r = -ENOMEM;
		goto out_file;
	}
	path[0] = 0;
	r = upath ? strncpy_from_user(t, path, upath, PATH_MAX) : 0;
	if (r >= 0 && !upath) {   /* AT_FDCWD is no fd here: -EBADF */
		struct file *df = dfd == AT_FDCWD ? NULL : fd_get(t, dfd);

		r = df ? 0 : -EBADF;
		file_put(df);
	}
	if (r >= 0)
		r = vfs_walk(t, dfd, upath ? path : "",
			     (flags & FAN_MARK_DONT_FOLLOW_ ? 0 : WALK_FOLLOW) |
			     (flags & FAN_MARK_ONLYDIR_ ? WALK_DIRECTORY : 0) | (upath ? 0 : WALK_EMPTY_OK),
			     &nd);
	free(path);
	if (r < 0)
		goto out_file;
	if (!nd.exists)
		r = -ENOENT;
	else if ((flags & FAN_MARK_ONLYDIR_) && !S_ISDIR(nd.st.mode))
		r = -ENOTDIR;
	else
		r = vfs_permission(t, &nd.st, R_OK);
	if (r)
		goto out;
	/* fanotify_events_supported: no mount or filesystem mark on a file of
	 * no mount (a pipe, a socket: Linux's internal mounts) */
	if (type != MARK_INODE && (!nd.mnt || (nd.magic && !nd.magic->mnt))) {
		r = -EINVAL;
		goto out;
	}
	/* fanotify_events_supported: the directory flags of FAN_MARK_IGNORE
	 * on a file's inode mark */
	if (cmd == FAN_MARK_ADD_ && ((flags & FAN_MARK_IGNORE_) || (g->fid_mode & FAN_REPORT_TARGET_FID_)) &&
	    type == MARK_INODE && !S_ISDIR(nd.st.mode) &&
	    (mask & (FAN_EVENT_FLAGS | FAN_DIRENT_EVENTS))) {
		r = -ENOTDIR;
		goto out;
	}
	/* pre-content events need a filesystem that allows a hierarchical
	 * storage manager (Linux's SB_I_ALLOW_HSM: ext4, xfs, btrfs...):
	 * umk's ext2/3/4; tmpfs, the host root, proc... do not, as Linux's
	 * tmpfs; and an inode mark is a file's or a directory's */
	if (cmd == FAN_MARK_ADD_ && (mask & FAN_PRE_ACCESS_)) {
		bool hsm = nd.mnt && nd.mnt->ops && nd.mnt->ops->name && !strcmp(nd.mnt->ops->name, "ext2");

		r = type == MARK_INODE && !S_ISDIR(nd.st.mode) && !S_ISREG(nd.st.mode) ? -EINVAL
		    : !hsm ? -EOPNOTSUPP : 0;
		if (r)
			goto out;
	}
	/* a FID group names objects by fsid and file handle: a filesystem
	 * without an fsid cannot (fanotify_test_fsid) */
	if (cmd == FAN_MARK_ADD_ && g->fid_mode) {
		struct linux_statfs sfs;

		memset(&sfs, 0, sizeof(sfs));
		if (!nd.mnt || !nd.mnt->ops->statfs || nd.mnt->ops->statfs(nd.mnt, &sfs) ||
		    (!sfs.f_fsid[0] && !sfs.f_fsid[1])) {
			r = -ENODEV;
			goto out;
		}
	}
	if (cmd == FAN_MARK_ADD_ && ignore == FAN_MARK_IGNORE_ &&
	    (type != MARK_INODE || S_ISDIR(nd.st.mode)) && !(flags & FAN_MARK_IGNORED_SURV_MODIFY_)) {
		r = -EISDIR;
		goto out;
	}
	if (type != MARK_INODE || !S_ISDIR(nd.st.mode)) {
		mask &= ~FAN_EVENT_ON_CHILD_;
		umask |= FAN_EVENT_ON_CHILD_;
	}
	/* an ignore mask that a writer would clear at once is not added
	 * (unless it survives modification) */
	if (cmd == FAN_MARK_ADD_ && type == MARK_INODE && ignore &&
	    !(flags & FAN_MARK_IGNORED_SURV_MODIFY_) && fsnotify_open_for_write(nd.st.dev, nd.st.ino)) {
		r = 0;
		goto out;
	}
	m = mark_find(g, type, nd.st.dev, nd.st.ino, nd.mnt);
	if (cmd == FAN_MARK_REMOVE_) {
		if (!m) {
			r = -ENOENT;
			goto out;
		}
		if (ignore)
			m->ignore_mask &= ~mask;
		else
			m->mask &= ~mask;
		if (!((m->mask | m->ignore_mask) & ~umask))
			mark_destroy(m);
		r = 0;
		goto out;
	}
	if (m) {
		/* fanotify_may_update_existing_mark */
		if (ignore && m->ignore_mask &&
		    !!(m->mflags & FAN_MARK_IGNORE_) != !!(flags & FAN_MARK_IGNORE_)) {
			r = -EEXIST;
			goto out;
		}
		/* a mark that pins its inode does not become evictable */
		if ((flags & FAN_MARK_EVICTABLE_) && !(m->mflags & FAN_MARK_EVICTABLE_)) {
			r = -EEXIST;
			goto out;
		}
		mark_add_mask(m, mask, flags);
		if (!(flags & FAN_MARK_EVICTABLE_))
			m->mflags &= ~FAN_MARK_EVICTABLE_;
		r = 0;
		goto out;
	}
	limits_init();
	bool charge = g->ucounts && !(g->flags & FAN_UNLIMITED_MARKS_);
	if (charge && !ucounts_inc(g->ucounts, UCOUNT_FANOTIFY_MARKS, max_user_marks)) {
		r = -ENOSPC;
		goto out;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		if (charge)
			ucounts_dec(g->ucounts, UCOUNT_FANOTIFY_MARKS);
		r = -ENOMEM;
		goto out;
	}
	m->group = g;
	m->type = type;
	m->dev = nd.st.dev;
	m->ino = type == MARK_INODE ? nd.st.ino : 0;
	if (type == MARK_INODE)
		m->fh_len = fhandle_encode(nd.mnt, nd.rel, nd.st.dev, nd.st.ino, m->fh, &m->fh_type);
	m->mnt = type == MARK_MOUNT ? nd.mnt : NULL;
	m->mnt_id = nd.mnt ? nd.mnt->id : 0;
	m->mflags = flags & FAN_MARK_EVICTABLE_;
	if ((flags & FAN_MARK_EVICTABLE_) && fs_evicts_inodes(nd.mnt)) {
		m->sb = nd.mnt->sb;
		m->rel = strdup(nd.rel ? nd.rel : "");
	}
	mark_add_mask(m, mask, flags);
	m->next = fan_marks;
	fan_marks = m;
	fanotify_nr_marks++;
	r = 0;
out:
	nd_release(&nd);
out_file:
	file_put(f);
	return r;
}

/* ---- /proc ---- */

int fanotify_proc_read(struct task *t, const char *name, char **text)
{
	(void)t;
	limits_init();
	return sysctl_table_read(fanotify_limits, 3, name, text);
}

int fanotify_proc_write(struct task *t, const char *name, const char *buf, size_t n)
{
	(void)t;
	limits_init();
	return sysctl_table_write(fanotify_limits, 3, name, buf, n);
}

int fanotify_fdinfo(struct file *f, char *buf, size_t len)
{
	struct fan_group *g;
	size_t n = 0;
	int w;

	if (!f || f->ops != &fanotify_file_ops || !len)
		return -1;
	g = f->priv;
	buf[0] = 0;
	w = snprintf(buf, len, "fanotify flags:%x event-flags:%x\n", g->flags, g->f_flags);
	if (w > 0)
		n += (size_t)w < len ? (size_t)w : len - 1;
	for (struct fan_mark *m = fan_marks; m; m = m->next) {
		/* sdev in the kernel's own encoding (MKDEV: major << 20) */
		unsigned int sdev = (major(m->dev) << 20) | minor(m->dev);

		if (m->group != g || n >= len - 1)
			continue;
		if (m->type == MARK_INODE) {
			w = snprintf(buf + n, len - n,
				     "fanotify ino:%llx sdev:%x mflags:%x mask:%x ignored_mask:%x",
				     (unsigned long long)m->ino, sdev, m->mflags, m->mask, m->ignore_mask);
			if (w > 0 && (size_t)w < len - n)
				w += fdinfo_fhandle(buf + n + w, len - n - w, m->fh, m->fh_len, m->fh_type);
			if (w > 0 && (size_t)w + 1 < len - n)
				buf[n + w++] = '\n', buf[n + w] = 0;
		}
		else if (m->type == MARK_MOUNT)
			w = snprintf(buf + n, len - n, "fanotify mnt_id:%x mflags:%x mask:%x ignored_mask:%x\n",
				     m->mnt_id, m->mflags, m->mask, m->ignore_mask);
		else
			w = snprintf(buf + n, len - n, "fanotify sdev:%x mflags:%x mask:%x ignored_mask:%x\n",
				     sdev, m->mflags, m->mask, m->ignore_mask);
		if (w > 0)
			n += (size_t)w < len - n ? (size_t)w : len - n - 1;
	}
	return (int)n;
}
