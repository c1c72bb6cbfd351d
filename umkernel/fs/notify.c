/*
 * notify.c - filesystem change notification: the hooks the VFS and the
 * file syscalls call after every change (Linux's fs/notify/fsnotify.c
 * and include/linux/fsnotify.h), and the marks (watches) they report to.
 *
 * In a nutshell: a mark watches one inode, (st_dev, st_ino).  A hook
 * finds the inode it is about (by fstat of the open file, or from the
 * kstat the VFS had before the change) and its directory (by looking up
 * the path's parent), and sends each mark that wants the event its
 * share: a directory's marks hear of what happens to the names in it
 * (with the name), an inode's marks of what happens to the inode.  As in
 * Linux, a directory's mark hears first, and the inode's own after.
 * IN_DELETE_SELF follows an inode's last unlink, or its last close if it
 * was still open then.  Only changes made through umk's VFS are seen.
 *
 * Lock: klock, held by every caller.
 */
#include "../kernel.h"
#include "fs.h"
#include "../mm/mm.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int fsnotify_nr_marks;
struct fsnotify_mark *fsnotify_marks;
#define marks fsnotify_marks
static uint32_t move_cookie;

void fsnotify_add_mark(struct fsnotify_mark *m)
{
	m->next = marks;
	marks = m;
	fsnotify_nr_marks++;
}

struct fsnotify_mark *fsnotify_find_mark(struct inotify_group *g, uint64_t dev, uint64_t ino)
{
	for (struct fsnotify_mark *m = marks; m; m = m->next)
		if (m->group == g && m->dev == dev && m->ino == ino)
			return m;
	return NULL;
}

void fsnotify_destroy_mark(struct fsnotify_mark *m, bool ignored)
{
	struct fsnotify_mark **pp;

	for (pp = &marks; *pp; pp = &(*pp)->next)
		if (*pp == m) {
			*pp = m->next;
			fsnotify_nr_marks--;
			break;
		}
	if (ignored)
		inotify_queue_event(m->group, m->wd, IN_IGNORED_, 0, NULL);
	inotify_mark_gone(m->group);
	free(m);
}

static bool has_marks(uint64_t dev, uint64_t ino)
{
	for (struct fsnotify_mark *m = marks; m; m = m->next)
		if (m->dev == dev && m->ino == ino)
			return true;
	return false;
}

void fsnotify_clear_group(struct inotify_group *g)
{
	struct fsnotify_mark *m, *next;

	for (m = marks; m; m = next) {
		next = m->next;
		if (m->group == g)
			fsnotify_destroy_mark(m, false);
	}
}

/* Whether a directory on device dev is watched (else no parent lookup). */
static bool dir_marks_on(uint64_t dev)
{
	for (struct fsnotify_mark *m = marks; m; m = m->next)
		if (m->isdir && m->dev == dev)
			return true;
	return false;
}

/* Sends one event to mark m; an IN_ONESHOT mark goes after it. */
static void send(struct fsnotify_mark *m, uint32_t mask, uint32_t cookie, const char *name)
{
	inotify_queue_event(m->group, m->wd, mask, cookie, name);
	if (m->flags & IN_ONESHOT_)
		fsnotify_destroy_mark(m, true);
}

/* The inode at absolute path abs: 0 and st, or -errno. */
static int lookup_path(const char *abs, struct kstat *st)
{
	const char *rel;
	char buf[4096];
	struct mount *mnt = vfs_find_mount(abs, &rel, buf);

	return mnt ? mnt->ops->lookup(mnt, rel, st) : -ENOENT;
}

/* abs's directory (none for "/" or a mount's root, which are their own
 * parents in Linux's dcache): 0 and its kstat, else -ENOENT. */
static int parent_of(const char *abs, struct kstat *pst, const char **name)
{
	char dir[4096], buf[4096], *s;
	const char *rel;

	if (abs[0] != '/' || !abs[1])
		return -ENOENT;
	if (!vfs_find_mount(abs, &rel, buf) || !*rel)
		return -ENOENT;
	snprintf(dir, sizeof(dir), "%s", abs);
	s = strrchr(dir, '/');
	if (!s)
		return -ENOENT;
	*name = abs + (s - dir) + 1;
	if (s == dir)
		s[1] = 0;
	else
		*s = 0;
	return lookup_path(dir, pst);
}

/*
 * notify - the event mask (IN_ISDIR added for a directory) about inode
 * (dev, ino) at abs: to the marks of its directory that want it, with
 * the name, if to_parent; then to the inode's own marks.  unlinked is
 * what IN_EXCL_UNLINK marks skip: -1 unknown (looked up if needed).
 */
static void notify(uint64_t dev, uint64_t ino, bool isdir, const char *abs, uint32_t mask,
		   uint32_t cookie, bool to_parent, int unlinked)
{
	struct fsnotify_mark *m, *next;
	struct kstat pst, st;
	const char *name;

	if (isdir)
		mask |= IN_ISDIR_;
	if (to_parent && abs && (dnotify_nr || dir_marks_on(dev)) && parent_of(abs, &pst, &name) == 0) {
		if (dnotify_nr)
			dnotify_event(pst.dev, pst.ino, mask);
		for (m = marks; m; m = next) {
			next = m->next;
			if (m->dev != pst.dev || m->ino != pst.ino || !m->isdir ||
			    !(m->mask & mask & IN_ALL_EVENTS_))
				continue;
			if (m->flags & IN_EXCL_UNLINK_) {
				if (unlinked < 0)
					unlinked = !(lookup_path(abs, &st) == 0 && st.dev == dev &&
						     st.ino == ino);
				if (unlinked)
					continue;
			}
			send(m, mask, cookie, name);
		}
	}
	if (isdir && dnotify_nr)
		dnotify_event(dev, ino, mask);   /* a watched directory's own change */
	for (m = marks; m; m = next) {
		next = m->next;
		if (m->dev != dev || m->ino != ino || !(m->mask & mask & (IN_ALL_EVENTS_ | IN_UNMOUNT_)))
			continue;
		if ((m->flags & IN_EXCL_UNLINK_) && abs) {
			if (unlinked < 0)
				unlinked = !(lookup_path(abs, &st) == 0 && st.dev == dev && st.ino == ino);
			if (unlinked)
				continue;
		}
		send(m, mask, cookie, NULL);
	}
}

/* The inode's own marks only (Linux's fsnotify_inode). */
static void notify_inode(uint64_t dev, uint64_t ino, bool isdir, uint32_t mask)
{
	notify(dev, ino, isdir, NULL, mask, 0, false, 0);
}

/* IN_DELETE_SELF, then IN_IGNORED as every mark of the inode goes. */
static void inode_removed(uint64_t dev, uint64_t ino, bool isdir)
{
	struct fsnotify_mark *m, *next;

	notify_inode(dev, ino, isdir, IN_DELETE_SELF_);
	for (m = marks; m; m = next) {
		next = m->next;
		if (m->dev == dev && m->ino == ino)
			fsnotify_destroy_mark(m, true);
	}
}

static bool file_is(struct file *f, uint64_t dev, uint64_t ino)
{
	struct kstat st;

	return f && f->ops && f->ops->fstat && !(f->flags & O_PATH) && f->ops->fstat(f, &st) == 0 &&
	       st.dev == dev && st.ino == ino;
}

/* Whether some open file (an fd, or a mapping) still refers to the inode. */
static bool inode_in_use(uint64_t dev, uint64_t ino)
{
	struct list_head *p, *n;

	list_for_each_safe(p, n, &all_tasks) {
		struct task *t = list_entry(p, struct task, all);

		if (t->files)
			for (int fd = 0; fd < t->files->nfds; fd++)
				if (file_is(t->files->files[fd], dev, ino))
					return true;
		if (t->mm)
			for_each_vma(t->mm, v)
				if (file_is(v->file, dev, ino))
					return true;
	}
	return false;
}

bool fsnotify_open_for_write(uint64_t dev, uint64_t ino)
{
	struct list_head *p, *n;

	list_for_each_safe(p, n, &all_tasks) {
		struct task *t = list_entry(p, struct task, all);

		if (t->files)
			for (int fd = 0; fd < t->files->nfds; fd++) {
				struct file *f = t->files->files[fd];

				if (f && (f->flags & O_ACCMODE) != O_RDONLY && file_is(f, dev, ino))
					return true;
			}
		if (t->mm)
			for_each_vma(t->mm, v)
				if (v->file && (v->file->flags & O_ACCMODE) != O_RDONLY &&
				    file_is(v->file, dev, ino))
					return true;
	}
	return false;
}

/* The inode lost a name: its last one, and nobody has it open? */
static void maybe_removed(const struct kstat *st)
{
	bool isdir = S_ISDIR(st->mode);

	if (!isdir && st->nlink > 1)
		return;
	if (!has_marks(st->dev, st->ino))
		return;
	if (inode_in_use(st->dev, st->ino)) {
		for (struct fsnotify_mark *m = marks; m; m = m->next)
			if (m->dev == st->dev && m->ino == st->ino)
				m->pending_delete = true;
		return;
	}
	inode_removed(st->dev, st->ino, isdir);
}

/* ---- the hooks ---- */

int fsnotify_parent_inode(const char *abs, struct kstat *pst)
{
	const char *name;

	return parent_of(abs, pst, &name);
}

int fsnotify_open_perm(struct file *f, bool exec)
{
	int r = 0;

	if (!fanotify_nr_marks || !f || f->nonotify)
		return 0;
	if (exec)
		r = fanotify_perm(f, 0x00040000u);   /* FAN_OPEN_EXEC_PERM */
	return r ? r : fanotify_perm(f, 0x00010000u);   /* FAN_OPEN_PERM */
}

int fsnotify_pre_access(struct file *f, uint64_t off, uint64_t len)
{
	if (!fanotify_nr_marks || !f || f->nonotify || !f->fsnotify_hsm || !len)
		return 0;
	return fanotify_pre_access(f, off, len);
}

int fsnotify_access_perm(struct file *f)
{
	if (!fanotify_nr_marks || !f || f->nonotify)
		return 0;
	return fanotify_perm(f, 0x00020000u);   /* FAN_ACCESS_PERM */
}

void fsnotify_file(struct file *f, uint32_t mask)
{
	struct kstat st;

	if (f && f->nonotify)
		return;
	if (fanotify_nr_marks)
		fanotify_event(f, mask);
	mask &= IN_ALL_EVENTS_;   /* FAN_OPEN_EXEC is fanotify's alone */
	if ((!fsnotify_nr_marks && !dnotify_nr) || !mask || !f || (f->flags & O_PATH) || !f->ops->fstat ||
	    f->ops->fstat(f, &st))
		return;
	if (S_ISFIFO(st.mode) && (mask & (IN_ACCESS_ | IN_MODIFY_)))
		return;   /* Linux reports no reads and writes of pipes and fifos */
	notify(st.dev, st.ino, S_ISDIR(st.mode), f->path && f->path[0] == '/' ? f->path : NULL, mask,
	       0, true, -1);
}

void fsnotify_close(struct file *f)
{
	struct kstat st;
	bool pending = false;

	if (f && f->nonotify)
		return;
	if (fanotify_nr_marks && f && f->ops)
		fanotify_event(f, (f->flags & O_ACCMODE) != O_RDONLY ? IN_CLOSE_WRITE_ : IN_CLOSE_NOWRITE_);
	if (!fsnotify_nr_marks || !f || !f->ops || (f->flags & O_PATH) || !f->ops->fstat ||
	    f->ops->fstat(f, &st))
		return;
	notify(st.dev, st.ino, S_ISDIR(st.mode), f->path && f->path[0] == '/' ? f->path : NULL,
	       (f->flags & O_ACCMODE) != O_RDONLY ? IN_CLOSE_WRITE_ : IN_CLOSE_NOWRITE_, 0, true, -1);
	for (struct fsnotify_mark *m = marks; m; m = m->next)
		if (m->dev == st.dev && m->ino == st.ino && m->pending_delete)
			pending = true;
	if (pending && !inode_in_use(st.dev, st.ino))
		inode_removed(st.dev, st.ino, S_ISDIR(st.mode));
}

void fsnotify_path(const char *abs, const struct kstat *st, uint32_t mask)
{
	if (fanotify_nr_marks && fanotify_fid_groups && mask)
		fanotify_inode_event(abs, st, mask & (IN_ACCESS_ | IN_MODIFY_ | IN_ATTRIB_));
	if ((!fsnotify_nr_marks && !dnotify_nr) || !mask)
		return;
	notify(st->dev, st->ino, S_ISDIR(st->mode), abs, mask, 0, true, 0);
}

/* An event about a name in abs's directory only (Linux's fsnotify_name). */
static void notify_name(const char *abs, uint32_t mask, uint32_t cookie)
{
	struct fsnotify_mark *m, *next;
	struct kstat pst;
	const char *name;

	if (parent_of(abs, &pst, &name))
		return;
	if (dnotify_nr)
		dnotify_event(pst.dev, pst.ino, mask);
	mask &= ~DNOTIFY_RENAME_;
	for (m = marks; m; m = next) {
		next = m->next;
		if (m->dev == pst.dev && m->ino == pst.ino && m->isdir && (m->mask & mask & IN_ALL_EVENTS_))
			send(m, mask, cookie, name);
	}
}

void fsnotify_create(const char *abs, uint32_t mode)
{
	if (fanotify_nr_marks && fanotify_fid_groups)
		fanotify_dirent_event(abs, NULL, IN_CREATE_, S_ISDIR(mode));
	if (!fsnotify_nr_marks && !dnotify_nr)
		return;
	notify_name(abs, IN_CREATE_ | (S_ISDIR(mode) ? IN_ISDIR_ : 0), 0);
}

void fsnotify_link(const char *abs, const struct kstat *st)
{
	if (fanotify_nr_marks && fanotify_fid_groups) {
		fanotify_inode_event(abs, st, IN_ATTRIB_ | FAN_INODE_ONLY_);
		fanotify_dirent_event(abs, st, IN_CREATE_, false);
	}
	if (!fsnotify_nr_marks && !dnotify_nr)
		return;
	notify_inode(st->dev, st->ino, S_ISDIR(st->mode), IN_ATTRIB_);
	notify_name(abs, IN_CREATE_, 0);
}

void fsnotify_delete(const char *abs, const struct kstat *st)
{
	bool isdir = S_ISDIR(st->mode);

	if (fanotify_nr_marks && fanotify_fid_groups) {
		/* as Linux: the link count, the inode's end, then the name's */
		if (!isdir)
			fanotify_inode_event(abs, st, IN_ATTRIB_ | FAN_INODE_ONLY_);
		if ((isdir || st->nlink <= 1) && !inode_in_use(st->dev, st->ino))
			fanotify_inode_event(abs, st, IN_DELETE_SELF_);
		fanotify_dirent_event(abs, st, IN_DELETE_, isdir);
	}
	if (!fsnotify_nr_marks && !dnotify_nr)
		return;
	if (!isdir)
		notify_inode(st->dev, st->ino, false, IN_ATTRIB_);   /* its link count */
	maybe_removed(st);
	notify_name(abs, IN_DELETE_ | (isdir ? IN_ISDIR_ : 0), 0);
}

void fsnotify_move(const char *old, const char *new_, const struct kstat *src,
		   const struct kstat *target, bool exchange)
{
	uint32_t isdir = S_ISDIR(src->mode) ? IN_ISDIR_ : 0, cookie;
	const char *os = strrchr(old, '/'), *ns = strrchr(new_, '/');
	/* dnotify's DN_RENAME: a rename within one directory */
	uint32_t same_dir = os && ns && os - old == ns - new_ && !strncmp(old, new_, os - old) ?
			    DNOTIFY_RENAME_ : 0;

	if (fanotify_nr_marks && fanotify_fid_groups) {
		fanotify_rename_event(old, new_, src);
		fanotify_dirent_event(old, src, IN_MOVED_FROM_, isdir);
		fanotify_dirent_event(new_, src, IN_MOVED_TO_, isdir);
		fanotify_inode_event(new_, src, IN_MOVE_SELF_);
		if (target && exchange) {
			fanotify_rename_event(new_, old, target);
			fanotify_dirent_event(new_, target, IN_MOVED_FROM_, S_ISDIR(target->mode));
			fanotify_dirent_event(old, target, IN_MOVED_TO_, S_ISDIR(target->mode));
			fanotify_inode_event(old, target, IN_MOVE_SELF_);
		} else if (target) {
			if (!S_ISDIR(target->mode))
				fanotify_inode_event(new_, target, IN_ATTRIB_ | FAN_INODE_ONLY_);
			if ((S_ISDIR(target->mode) || target->nlink <= 1) &&
			    !inode_in_use(target->dev, target->ino))
				fanotify_inode_event(new_, target, IN_DELETE_SELF_);
		}
	}
	if (!fsnotify_nr_marks && !dnotify_nr)
		return;
	cookie = ++move_cookie;
	if (same_dir && dnotify_nr)
		notify_name(old, same_dir, 0);   /* Linux's FS_RENAME, before the two below */
	notify_name(old, IN_MOVED_FROM_ | isdir, cookie);
	notify_name(new_, IN_MOVED_TO_ | isdir, cookie);
	if (target && !exchange)
		notify_inode(target->dev, target->ino, S_ISDIR(target->mode), IN_ATTRIB_);
	notify_inode(src->dev, src->ino, isdir, IN_MOVE_SELF_);
	if (exchange && target) {
		uint32_t tdir = S_ISDIR(target->mode) ? IN_ISDIR_ : 0;

		cookie = ++move_cookie;
		notify_name(new_, IN_MOVED_FROM_ | tdir, cookie);
		notify_name(old, IN_MOVED_TO_ | tdir, cookie);
		notify_inode(target->dev, target->ino, tdir, IN_MOVE_SELF_);
	} else if (target) {
		maybe_removed(target);
	}
}

void fsnotify_unmount(struct mount *m)
{
	struct fsnotify_mark *k, *next;

	fanotify_unmount(m);
	if (!fsnotify_nr_marks)
		return;
	for (k = marks; k; k = next) {
		next = k->next;
		if (k->dev != m->dev)
			continue;
		inotify_queue_event(k->group, k->wd, IN_UNMOUNT_ | (k->isdir ? IN_ISDIR_ : 0), 0, NULL);
		next = k->next;
		fsnotify_destroy_mark(k, true);
	}
}
