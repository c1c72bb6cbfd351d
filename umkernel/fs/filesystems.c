/*
 * filesystems.c - the filesystem types as a list (Linux's
 * fs/filesystems.c): /proc/filesystems, sysfs(2), and ustat(2).
 *
 * The list is the types mount(2) knows, then pipefs, then the root's own
 * type when only umk mounts it (hostfs); an index into it is the line of
 * /proc/filesystems, as in Linux.
 *
 * Lock: klock, held.
 */
#include "../kernel.h"
#include "fs.h"
#include <string.h>

/* The name of filesystem type i (0-based) of the list above, or NULL past
 * its end. */
const char *filesystem_name(int i)
{
	struct mnt_namespace *ns = &init_mnt_ns;
	struct fs_type *ft;

	for (ft = fs_type_next(NULL); ft; ft = fs_type_next(ft))
		if (i-- == 0)
			return ft->name;
	if (i-- == 0)
		return "pipefs";
	if (ns->root && ns->root->fstype && !get_fs_type(ns->root->fstype) && i == 0)
		return ns->root->fstype;
	return NULL;
}

/*
 * sysfs(option, arg1, arg2) (obsolete; man 2 sysfs): option 1: the index
 * of the type named by the string at arg1; 2: copies the name of type
 * arg1 to the buffer at arg2 (no size: as Linux, the name and its NUL);
 * 3: the number of types.  -EINVAL (unknown option, name or index),
 * -EFAULT (bad pointers), -ENAMETOOLONG (name).
 */
long sys_sysfs(struct task *t, struct sysargs *a)
{
	int option = arg_int(a, 0), i;
	const char *name;

	switch (option) {
	case 1: {
		char want[256];
		long n = strncpy_from_user(t, want, a->a[1], sizeof want);

		if (n < 0)
			return n == -ENAMETOOLONG ? -EINVAL : n;
		for (i = 0; (name = filesystem_name(i)); i++)
			if (!strcmp(name, want))
				return i;
		return -EINVAL;
	}
	case 2:
		if (a->a[1] > (uint64_t)INT32_MAX || !(name = filesystem_name((int)a->a[1])))
			return -EINVAL;
		return copy_to_user(t, a->a[2], name, strlen(name) + 1);
	case 3:
		for (i = 0; filesystem_name(i); i++)
			;
		return i;
	}
	return -EINVAL;
}

struct linux_ustat {
	int32_t f_tfree;
	uint64_t f_tinode;
	char f_fname[6];
	char f_fpack[6];
};

/*
 * ustat(dev, ubuf) (obsolete; man 2 ustat): free blocks and inodes of the
 * mounted filesystem whose device number (as stat's st_dev gives it) is
 * dev, found among the caller's mount namespace's mounts.  -EINVAL (no
 * filesystem mounted with that device), -EFAULT (bad ubuf).  Mirrors
 * Linux's ustat and vfs_ustat.
 */
long sys_ustat(struct task *t, struct sysargs *a)
{
	uint32_t dev = (uint32_t)a->a[0];
	struct mnt_namespace *ns = current_mnt_ns();
	struct list_head *p;

	for (p = ns->mounts.next; p != &ns->mounts; p = p->next) {
		struct mount *m = list_entry(p, struct mount, link);
		struct linux_statfs st;
		struct linux_ustat u;

		if ((uint32_t)m->dev != dev || !m->ops->statfs)
			continue;
		memset(&st, 0, sizeof st);
		int err = m->ops->statfs(m, &st);
		if (err)
			return err;
		memset(&u, 0, sizeof u);
		u.f_tfree = (int32_t)st.f_bfree;
		u.f_tinode = st.f_ffree;
		return copy_to_user(t, a->a[1], &u, sizeof u);
	}
	return -EINVAL;
}
