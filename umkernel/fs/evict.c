/*
 * evict.c - which inodes a reclaim may evict, and the reclaim that
 * `echo 2 > /proc/sys/vm/drop_caches` (or 3) asks for (Linux's
 * drop_slab: shrink_dcache and prune_icache_sb, fs/drop_caches.c).
 *
 * umk keeps no dentry or inode cache of its own to shrink (paths are
 * looked up by name each time, ext2.c keeps only its open inodes), so
 * what an eviction changes is what an inode carries with it in Linux:
 * its evictable fanotify marks (FAN_MARK_EVICTABLE), which go with the
 * inode.  An inode is evicted when nothing pins it, as in Linux:
 *   - no open file (fd, mapping, a queued fanotify event's file) is on
 *     it or below it (a dentry pins its parent, up to the root);
 *   - no task's cwd or root is on it or below it;
 *   - no inotify watch, and no fanotify mark that is not evictable;
 *   - it is no mount's root (the root dentry of a mount stays).
 * Only filesystems that evict in Linux do: ext2/3/4 (umk's ext2.c);
 * tmpfs cannot (its dentries are the files), and the host's root is
 * left alone (its inodes are the host's).
 *
 * Locking: klock, held by every caller.
 */
#include "../kernel.h"
#include "fs.h"
#include "../kernel/task.h"
#include "../mm/mm.h"

#include <limits.h>
#include <string.h>
#include <sys/stat.h>

/* Whether path rel (inside the filesystem) is at or below dir. */
static bool at_or_below(const char *rel, const char *dir)
{
	size_t n = strlen(dir);

	if (!n)
		return true;   /* the root is everyone's ancestor */
	return !strncmp(rel, dir, n) && (rel[n] == 0 || rel[n] == '/');
}

/* Whether the place at absolute guest path abs (in namespace ns) is on
 * superblock sb at or below rel. */
static bool path_pins(struct mnt_namespace *ns, const char *abs, const struct super_block *sb,
		      const char *rel)
{
	static __thread char buf[PATH_MAX];
	const char *prel;
	struct mount *m;

	if (!abs || abs[0] != '/')
		return false;
	m = vfs_find_mount_ns(ns, abs, &prel, buf);
	return m && m->sb == sb && at_or_below(prel, rel);
}

/* Whether open file f pins inode (dev, ino) named rel on sb. */
static bool file_pins(struct file *f, const struct super_block *sb, const char *rel, uint64_t dev,
		      uint64_t ino)
{
	struct kstat st;

	if (!f)
		return false;
	if (f->ops && f->ops->fstat && f->ops->fstat(f, &st) == 0 && st.dev == dev && st.ino == ino)
		return true;
	return f->mnt && f->mnt->sb == sb && path_pins(file_mnt_ns(f), f->path, sb, rel);
}

/*
 * inode_pinned - whether something keeps inode (dev, ino), named rel
 * inside the filesystem of sb, from eviction: an open file, a mapping,
 * a cwd or root on it or below it, an inotify watch on it, a mount
 * whose root it is (see the comment at the top).  fanotify's own pins
 * (its marks, its events' files) are fanotify_evict_marks' to check.
 */
bool inode_pinned(const struct super_block *sb, const char *rel, uint64_t dev, uint64_t ino)
{
	struct list_head *p, *pn;

	for (struct fsnotify_mark *m = fsnotify_marks; m; m = m->next)
		if (m->dev == dev && m->ino == ino)
			return true;
	list_for_each_safe(p, pn, &all_tasks) {
		struct task *t = list_entry(p, struct task, all);
		struct mnt_namespace *ns = t->nsproxy ? t->nsproxy->mnt_ns : NULL;

		if (t->state == TASK_DEAD)
			continue;
		if (t->files)
			for (int fd = 0; fd < t->files->nfds; fd++)
				if (file_pins(t->files->files[fd], sb, rel, dev, ino))
					return true;
		if (t->mm)
			for_each_vma(t->mm, v)
				if (v->file && file_pins(v->file, sb, rel, dev, ino))
					return true;
		if (t->fs && ns && (path_pins(ns, t->fs->cwd, sb, rel) || path_pins(ns, t->fs->root, sb, rel)))
			return true;
		if (ns) {
			struct list_head *q, *qn;

			list_for_each_safe(q, qn, &ns->mounts) {
				struct mount *m = list_entry(q, struct mount, link);

				if (m->sb == sb && !strcmp(m->root ? m->root : "", rel))
					return true;
			}
		}
	}
	return false;
}

/* Whether inodes of mount m's filesystem are evicted when unused. */
bool fs_evicts_inodes(const struct mount *m)
{
	return m && m->ops && m->ops->name && !strcmp(m->ops->name, "ext2") && m->sb;
}

/*
 * drop_inode_caches - what `echo 2 > /proc/sys/vm/drop_caches` (and 3)
 * does to inodes: every unused inode of a filesystem that evicts is
 * evicted, its evictable fanotify marks with it (Linux's drop_slab).
 */
void drop_inode_caches(void)
{
	fanotify_evict_marks();
}
