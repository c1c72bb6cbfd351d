/*
 * filesystems.c - the filesystem types as programs may list them:
 * /proc/filesystems (procfs.c), sysfs(2) and ustat(2).
 *
 * In a nutshell: the types are the registry's (namespace.c: tmpfs, proc,
 * sysfs, devpts...), then pipefs, then the root's own type when mount(2)
 * cannot make it (umk's host directory); an index is a position in that
 * list, as in Linux's fs/filesystems.c.  ustat finds a mounted
 * filesystem by its st_dev in the caller's mount namespace.
 *
 * Lock: klock, held by the callers (the registry and mount lists).
 */
#include "../kernel.h"
#include "fs.h"

#include <string.h>

/* fs_type_name_at - the name of filesystem type number i (0-based, the
 * order of /proc/filesystems), or NULL past the last. */
const char *fs_type_name_at(int i)
{
	struct mnt_namespace *ns = &init_mnt_ns;
	struct fs_type *ft;

	for (ft = fs_type_next(NULL); ft; ft = fs_type_next(ft))
		if (i-- == 0)
			return ft->name;
	if (i-- == 0)
		return "pipefs";
	if (ns->root && ns->root->fstype && !get_fs_type(ns->root->fstype) && i-- == 0)
		return ns->root->fstype;
	return NULL;
}

/*
 * sys_sysfs(option, arg1, arg2) - sysfs(2): option 1 turns the type name
 * at arg1 into its index, option 2 copies the name of index arg1 to the
 * buffer arg2, option 3 counts the types.  -EINVAL (an unknown option,
 * name or index), -EFAULT.  Mirrors fs/filesystems.c.
 */
long sys_sysfs(struct task *t, struct sysargs *a)
{
	int option = arg_int(a, 0), i;
	const char *n;
	char name[256];

	switch (option) {
	case 1: {
		long r = strncpy_from_user(t, name, arg_ptr(a, 1), sizeof name);
		if (r < 0)
			return r == -EFAULT ? -EFAULT : -EINVAL;   /* too long: no such type */
		for (i = 0; (n = fs_type_name_at(i)); i++)
			if (!strcmp(n, name))
				return i;
		return -EINVAL;
	}
	case 2:
		n = fs_type_name_at(arg_uint(a, 1));
		if (!n || (int)arg_uint(a, 1) < 0)
			return -EINVAL;
		return copy_to_user(t, arg_ptr(a, 2), n, strlen(n) + 1) ? -EFAULT : 0;
	case 3:
		for (i = 0; fs_type_name_at(i); i++)
			;
		return i;
	}
	return -EINVAL;
}

struct linux_ustat {
	int32_t f_tfree;
	uint64_t f_tinode;
	char f_fname[6], f_fpack[6];
};

/*
 * sys_ustat(dev, ubuf) - ustat(2): the free blocks and inodes of the
 * mounted filesystem whose st_dev is dev (32 bits, Linux's encoding).
 * -EINVAL if nothing mounted has it, -EFAULT.  Mirrors fs/statfs.c.
 */
long sys_ustat(struct task *t, struct sysargs *a)
{
	uint32_t dev = arg_uint(a, 0);
	struct mnt_namespace *ns = t->nsproxy && t->nsproxy->mnt_ns ? t->nsproxy->mnt_ns : &init_mnt_ns;
	struct list_head *p;
	struct mount *m = NULL;

	for (p = ns->mounts.next; p != &ns->mounts; p = p->next) {
		struct mount *c = list_entry(p, struct mount, link);
		if ((uint32_t)c->dev == dev && c->dev <= UINT32_MAX) {
			m = c;
			break;
		}
	}
	if (!m)
		return -EINVAL;
	struct linux_statfs st;
	memset(&st, 0, sizeof st);
	if (m->ops->statfs) {
		int err = m->ops->statfs(m, &st);
		if (err)
			return err;
	}
	struct linux_ustat u;
	memset(&u, 0, sizeof u);
	u.f_tfree = (int32_t)st.f_bfree;
	u.f_tinode = st.f_ffree;
	return copy_to_user(t, arg_ptr(a, 1), &u, sizeof u) ? -EFAULT : 0;
}
