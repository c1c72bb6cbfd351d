/*
 * sysfs.c - a minimal sysfs: the few files of /sys that C libraries and
 * procps read (the online CPUs).  It is a tmpfs filled at boot with
 * read-only files; nothing in it is live.
 *
 * Lock: called once at boot, before any guest runs.
 */
#include "../kernel.h"
#include "fs.h"
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int sys_file(struct mount *m, const char *rel, const char *text)
{
	struct file *f;
	int err = m->ops->open(m, rel, O_CREAT | O_WRONLY | O_TRUNC, 0444, &f);
	if (err)
		return err;
	int64_t pos = 0;
	ssize_t n = f->ops->write(NULL, f, text, strlen(text), &pos);
	file_put(f);
	return n < 0 ? (int)n : 0;
}

/*
 * sysfs_mount - mounts the /sys tree at path.  Returns 0 or -errno.
 * Mirrors the files of drivers/base/cpu.c that userland reads:
 * devices/system/cpu/{online,possible,present,kernel_max,cpuN/}.
 */
int sysfs_mount(const char *path)
{
	void *priv = tmpfs_new(0555);
	int err = vfs_mount(path, &tmpfs_ops, priv, "sysfs", "sysfs");
	if (err)
		return err;
	struct mount *m = vfs_find_mount(path, NULL, NULL);
	long n = sysconf(_SC_NPROCESSORS_CONF);
	if (n < 1)
		n = 1;
	char range[32], name[64];
	snprintf(range, sizeof range, n > 1 ? "0-%ld\n" : "0\n", n - 1);
	static const char *const dirs[] = {
		"block", "bus", "class", "dev", "devices", "devices/system", "devices/system/cpu",
		"firmware", "fs", "fs/cgroup", "kernel", "kernel/mm", "module", "power",
	};
	for (size_t i = 0; i < ARRAY_SIZE(dirs) && !err; i++)
		err = m->ops->mkdir(m, dirs[i], 0755);
	for (long c = 0; c < n && !err; c++) {
		snprintf(name, sizeof name, "devices/system/cpu/cpu%ld", c);
		err = m->ops->mkdir(m, name, 0755);
		if (!err) {
			snprintf(name, sizeof name, "devices/system/cpu/cpu%ld/online", c);
			err = sys_file(m, name, "1\n");
		}
	}
	if (!err)
		err = sys_file(m, "devices/system/cpu/online", range);
	if (!err)
		err = sys_file(m, "devices/system/cpu/possible", range);
	if (!err)
		err = sys_file(m, "devices/system/cpu/present", range);
	if (!err)
		err = sys_file(m, "devices/system/cpu/kernel_max", "8191\n");
	m->mflags |= 1; /* MS_RDONLY: writes give EROFS */
	m->sb->flags |= 1;
	return err;
}
