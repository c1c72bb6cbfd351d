/*
 * hugetlbfs.c - the hugetlbfs filesystem type (Linux's fs/hugetlbfs/inode.c,
 * mount side): a tmpfs instance whose files are hugetlb files
 * (tmpfs.c's hpage_size; the pool and the mapping rules are
 * mm/hugetlb.c's).  statfs gives HUGETLBFS_MAGIC and huge-page blocks.
 *
 * Options as Linux's hugetlbfs_parse_param: uid=, gid=, mode= (octal),
 * pagesize= (2M only: umk's one size; EINVAL for another), size= (bytes
 * with a K/M/G... suffix, or N% of the pool: the most huge pages the
 * mount's files may hold, ENOMEM past it), min_size= (checked against
 * size=, not reserved), nr_inodes= (accepted, not enforced).
 *
 * Lock: klock, held by every caller.
 */
#include "../kernel.h"
#include "fs.h"
#include "tmpfs.h"
#include "../mm/mm.h"

#include <stdlib.h>
#include <string.h>

/* A size (memparse: bytes, K/M/G/T/P/E suffixes) or N% of the pool's
 * pages * page size; -1 if malformed. */
static int64_t hsize_opt(const char *v)
{
	char *end;
	unsigned long long n;

	if (!v || !*v)
		return -1;
	n = strtoull(v, &end, 0);
	if (*end == '%') {
		if (end[1])
			return -1;
		return (int64_t)(hugetlb_sysfs_value(0) * HPAGE_SIZE * n / 100);
	}
	switch (*end) {
	case 'e': case 'E': n <<= 10; /* fall through */
	case 'p': case 'P': n <<= 10; /* fall through */
	case 't': case 'T': n <<= 10; /* fall through */
	case 'g': case 'G': n <<= 10; /* fall through */
	case 'm': case 'M': n <<= 10; /* fall through */
	case 'k': case 'K': n <<= 10; end++; break;
	case 0: break;
	default: return -1;
	}
	if (*end)
		return -1;
	return n > INT64_MAX ? INT64_MAX : (int64_t)n;
}

static int hugetlbfs_type_mount(struct task *t, const char *source, int flags, const char *data,
				struct super_block **out)
{
	uint32_t mode = 0755, uid = t->cred.fsuid, gid = t->cred.fsgid;
	int64_t size = -1, min_size = -1;
	char *opts = data ? strdup(data) : NULL, *save = NULL;
	int err = 0;

	(void)flags;
	if (data && !opts)
		return -ENOMEM;
	for (char *o = opts ? strtok_r(opts, ",", &save) : NULL; o && !err;
	     o = strtok_r(NULL, ",", &save)) {
		char *v = strchr(o, '=');

		if (v)
			*v++ = 0;
		if (!strcmp(o, "mode") && v) {
			mode = (uint32_t)strtoul(v, NULL, 8) & 01777;
		} else if (!strcmp(o, "uid") && v) {
			uid = make_kuid(t->user_ns, (uint32_t)strtoul(v, NULL, 10));
		} else if (!strcmp(o, "gid") && v) {
			gid = make_kgid(t->user_ns, (uint32_t)strtoul(v, NULL, 10));
		} else if (!strcmp(o, "pagesize")) {
			if (hsize_opt(v) != (int64_t)HPAGE_SIZE)
				err = -EINVAL;   /* "Unsupported page size" */
		} else if (!strcmp(o, "size")) {
			if ((size = hsize_opt(v)) < 0)
				err = -EINVAL;
		} else if (!strcmp(o, "min_size")) {
			if ((min_size = hsize_opt(v)) < 0)
				err = -EINVAL;
		} else if (!strcmp(o, "nr_inodes")) {
			if (hsize_opt(v) < 0)
				err = -EINVAL;
		} else if (*o) {
			err = -EINVAL;
		}
	}
	free(opts);
	if (err)
		return err;
	if (uid == (uint32_t)-1 || gid == (uint32_t)-1)
		return -EINVAL;
	if (size >= 0 && min_size > size)
		return -EINVAL;   /* "Minimum size can not be greater than maximum size" */
	void *fs = tmpfs_new_owned(mode, uid, gid);
	if (!fs)
		return -ENOMEM;
	struct tmpfs_acct *a = ((struct tmpfs *)fs)->root->acct;
	if (a) {
		a->hpage_size = HPAGE_SIZE;
		/* size=0 is no limit, as Linux's (-1 internally) */
		a->hp_max = size > 0 ? (uint64_t)size / HPAGE_SIZE : 0;
	}
	*out = sb_new(&tmpfs_ops, fs, "hugetlbfs", source, tmpfs_free);
	if (!*out) {
		tmpfs_free(fs);
		return -ENOMEM;
	}
	/* /proc/mounts: hugetlbfs_show_options */
	char shown[160];
	int n = 0;
	if (uid)
		n += snprintf(shown + n, sizeof shown - n, "uid=%u,", from_kuid_munged(t->user_ns, uid));
	if (gid)
		n += snprintf(shown + n, sizeof shown - n, "gid=%u,", from_kgid_munged(t->user_ns, gid));
	if (mode != 0755)
		n += snprintf(shown + n, sizeof shown - n, "mode=%o,", mode);
	n += snprintf(shown + n, sizeof shown - n, "pagesize=2M");
	if (a && a->hp_max)
		n += snprintf(shown + n, sizeof shown - n, ",size=%llu",
			      (unsigned long long)(a->hp_max * HPAGE_SIZE));
	if (min_size >= 0)
		snprintf(shown + n, sizeof shown - n, ",min_size=%llu",
			 (unsigned long long)((uint64_t)min_size / HPAGE_SIZE * HPAGE_SIZE));
	(*out)->options = strdup(shown);
	return 0;
}

/* hugetlbfs_register - makes "hugetlbfs" a type mount(2) knows. */
void hugetlbfs_register(void)
{
	static struct fs_type hugetlbfs_type = {
		.name = "hugetlbfs", .flags = 0, .mount = hugetlbfs_type_mount,
	};

	register_filesystem(&hugetlbfs_type);
}
