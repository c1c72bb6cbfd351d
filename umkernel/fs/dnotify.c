/*
 * dnotify.c - directory notification, fcntl(F_NOTIFY) (Linux's
 * fs/notify/dnotify/dnotify.c; fcntl(2), "File and directory change
 * notification"): a process asks to be signalled when something in a
 * directory it has open changes.
 *
 * In a nutshell: fcntl(fd, F_NOTIFY, DN_*) on a directory adds a watch
 * (the directory's inode, the open file, the fd and the fd table that
 * made it: Linux's dnotify_struct).  The hooks of notify.c tell
 * dnotify_event of each change to a directory's names or children
 * (DN_CREATE, DN_DELETE, DN_RENAME, DN_MODIFY, DN_ACCESS, DN_ATTRIB) and
 * to the directory itself; each watch that wants it sends the file's
 * owner (the watcher's process unless F_SETOWN chose another) SIGIO, or
 * the F_SETSIG signal with si_code POLL_MSG and si_fd, through fasync.c.
 * A watch without DN_MULTISHOT goes after one signal; every watch of a
 * file goes when the fd table that made it closes one of its fds on it
 * (close, dup2 over it, execve's close-on-exec, exit).
 *
 * Lock: klock, held by every caller.
 */
#include "../kernel.h"
#include "fs.h"

#include <stdlib.h>
#include <sys/stat.h>

#define DN_ACCESS_    0x00000001u
#define DN_MODIFY_    0x00000002u
#define DN_CREATE_    0x00000004u
#define DN_DELETE_    0x00000008u
#define DN_RENAME_    0x00000010u
#define DN_ATTRIB_    0x00000020u
#define DN_MULTISHOT_ 0x80000000u
#define POLL_MSG_     3

struct dnotify_struct {
	struct dnotify_struct *next;
	uint64_t dev, ino;            /* the directory watched */
	uint32_t mask;                /* DN_* wanted, DN_MULTISHOT */
	int fd;                       /* si_fd */
	struct file *filp;            /* not a reference: goes at the fd's close */
	const struct fdtable *owner;  /* the fd table of the F_NOTIFY caller */
};

static struct dnotify_struct *watches;
int dnotify_nr;
long sysctl_dir_notify_enable = 1;   /* /proc/sys/fs/dir-notify-enable */

void dnotify_flush(struct file *f, const struct fdtable *owner)
{
	struct dnotify_struct **pp = &watches, *dn;

	while ((dn = *pp)) {
		if (dn->filp == f && dn->owner == owner) {
			*pp = dn->next;
			free(dn);
			dnotify_nr--;
		} else {
			pp = &dn->next;
		}
	}
}

long fcntl_dirnotify(struct task *t, int fd, struct file *f, uint32_t arg)
{
	struct dnotify_struct *dn;
	struct kstat st;

	if (!sysctl_dir_notify_enable)
		return -EINVAL;
	/* a mask of nothing removes the caller's watch on this file */
	if (!(arg & ~DN_MULTISHOT_)) {
		dnotify_flush(f, t->files);
		return 0;
	}
	if (!f->ops->fstat || f->ops->fstat(f, &st) || !S_ISDIR(st.mode))
		return -ENOTDIR;
	for (dn = watches; dn; dn = dn->next)
		if (dn->filp == f && dn->owner == t->files) {
			dn->fd = fd;        /* attach_dn: more events on the same watch */
			dn->mask |= arg;
			goto owner;
		}
	dn = calloc(1, sizeof(*dn));
	if (!dn)
		return -ENOMEM;
	dn->dev = st.dev;
	dn->ino = st.ino;
	dn->mask = arg;
	dn->fd = fd;
	dn->filp = f;
	dn->owner = t->files;
	dn->next = watches;
	watches = dn;
	dnotify_nr++;
owner:
	fown_default(t, f);   /* the caller's process, unless F_SETOWN chose */
	return 0;
}

/* What an inotify event mask means to dnotify (Linux's convert_arg, read
 * backwards). */
static uint32_t dn_mask_of(uint32_t in_mask)
{
	uint32_t dn = 0;

	if (in_mask & IN_ACCESS_)
		dn |= DN_ACCESS_;
	if (in_mask & IN_MODIFY_)
		dn |= DN_MODIFY_;
	if (in_mask & IN_ATTRIB_)
		dn |= DN_ATTRIB_;
	if (in_mask & (IN_CREATE_ | IN_MOVED_TO_))
		dn |= DN_CREATE_;
	if (in_mask & (IN_DELETE_ | IN_MOVED_FROM_))
		dn |= DN_DELETE_;
	if (in_mask & DNOTIFY_RENAME_)
		dn |= DN_RENAME_;
	return dn;
}

void dnotify_event(uint64_t dev, uint64_t ino, uint32_t in_mask)
{
	struct dnotify_struct **pp = &watches, *dn;
	uint32_t want = dn_mask_of(in_mask);

	if (!want)
		return;
	while ((dn = *pp)) {
		if (dn->dev != dev || dn->ino != ino || !(dn->mask & want)) {
			pp = &dn->next;
			continue;
		}
		send_sigio(dn->filp, dn->fd, POLL_MSG_);
		if (dn->mask & DN_MULTISHOT_) {
			pp = &dn->next;
		} else {
			*pp = dn->next;
			free(dn);
			dnotify_nr--;
		}
	}
}
