/*
 * fhandle.c - name_to_handle_at(2) and open_by_handle_at(2) (Linux's
 * fs/fhandle.c).
 *
 * umk's filesystems are reached by name, so a handle is a ticket: the
 * kernel keeps, for each (device, inode) a handle was asked for, the
 * inode's path inside its filesystem (the superblock's, so that any mount
 * of the same filesystem decodes it), and the handle carries the ticket's
 * number with the inode number and device.  Decoding looks the name up
 * again and gives ESTALE when the mount fd shows another filesystem, or
 * when the name no longer leads to that inode (the file was removed, or
 * renamed: a limit of umk's, Linux follows renames).  Tickets live as long
 * as the kernel, as a handle outlives the process that asked for it.
 *
 * Locking: everything here runs under klock.
 */
#include "../kernel.h"
#include "fs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HANDLE_SZ_ 128
#define AT_HANDLE_FID_ 0x200
#define AT_HANDLE_MNT_ID_UNIQUE_ 0x001
#define AT_HANDLE_CONNECTABLE_ 0x002
#define FILEID_INO64_GEN_ 0x81          /* a type of Linux's enum fid_type */
#define FILEID_IS_CONNECTABLE_ 0x10000
#define FILEID_IS_DIR_ 0x20000
#define FILEID_USER_FLAGS_MASK_ 0xffff0000u

struct linux_file_handle {
	uint32_t handle_bytes;
	int32_t handle_type;
};

/* What a handle holds (handle_bytes of it). */
struct umk_fid {
	uint64_t ino;
	uint32_t ticket;   /* index into tickets + 1 */
	uint32_t dev;      /* low bits of st_dev, checked against the ticket */
};

struct ticket {
	uint64_t sbdev;    /* the filesystem's (mount_dev) */
	uint64_t dev, ino;
	char *sbrel;       /* the path inside the filesystem (no leading '/') */
};

static struct ticket *tickets;
static size_t ntickets, cap_tickets;

/* The filesystem a mount shows (bind mounts of it share the number). */
static uint64_t mount_dev(const struct mount *m)
{
	return m->sb ? m->sb->dev : m->dev;
}

/* The ticket of (dev, ino) on m's filesystem, its name updated to sbrel;
 * 0 on ENOMEM. */
static uint32_t ticket_for(const struct mount *m, uint64_t dev, uint64_t ino, const char *sbrel)
{
	char *name;

	for (size_t i = 0; i < ntickets; i++) {
		struct ticket *tk = &tickets[i];

		if (tk->dev != dev || tk->ino != ino || tk->sbdev != mount_dev(m))
			continue;
		if (strcmp(tk->sbrel, sbrel) && (name = strdup(sbrel))) {
			free(tk->sbrel);
			tk->sbrel = name;
		}
		return i + 1;
	}
	if (ntickets == cap_tickets) {
		size_t nc = cap_tickets ? cap_tickets * 2 : 64;
		struct ticket *nt = realloc(tickets, nc * sizeof(*nt));

		if (!nt)
			return 0;
		tickets = nt;
		cap_tickets = nc;
	}
	name = strdup(sbrel);
	if (!name)
		return 0;
	tickets[ntickets] = (struct ticket){ .sbdev = mount_dev(m), .dev = dev, .ino = ino, .sbrel = name };
	return ++ntickets;
}

/*
 * name_to_handle_at(dirfd, path, handle, mount_id, flags): fills
 * handle->f_handle (16 bytes: see struct umk_fid) and *mount_id (an int,
 * or a u64 with AT_HANDLE_MNT_ID_UNIQUE).  Errors as Linux's: EINVAL
 * (unknown flags, AT_HANDLE_CONNECTABLE with AT_HANDLE_FID or
 * AT_EMPTY_PATH, handle_bytes over MAX_HANDLE_SZ), EOVERFLOW with
 * handle_bytes set to the size needed (mount id written too), EOPNOTSUPP
 * for procfs without AT_HANDLE_FID, EFAULT, and the walk's.
 */
long sys_name_to_handle_at(struct task *t, struct sysargs *a)
{
	int dirfd = arg_int(a, 0), flags = arg_int(a, 4);
	uint64_t uhandle = arg_ptr(a, 2), umntid = arg_ptr(a, 3);
	struct linux_file_handle fh;
	struct umk_fid fid;
	struct nameidata nd;
	char path[PATH_MAX];
	long r;
	int wf = 0;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH | AT_HANDLE_FID_ |
		      AT_HANDLE_MNT_ID_UNIQUE_ | AT_HANDLE_CONNECTABLE_))
		return -EINVAL;
	if ((flags & AT_HANDLE_CONNECTABLE_) && (flags & (AT_HANDLE_FID_ | AT_EMPTY_PATH)))
		return -EINVAL;
	r = strncpy_from_user(t, path, arg_ptr(a, 1), sizeof(path));
	if (r < 0)
		return r;
	if (r >= (long)sizeof(path))
		return -ENAMETOOLONG;
	if (flags & AT_SYMLINK_FOLLOW)
		wf |= WALK_FOLLOW;
	if (flags & AT_EMPTY_PATH)
		wf |= WALK_EMPTY_OK;
	r = vfs_walk(t, dirfd, path, wf, &nd);
	if (r)
		return r;
	if (!nd.exists || !nd.mnt) {
		r = -ENOENT;
		goto out;
	}
	/* procfs has no export operations: only a FID (fanotify's) handle */
	if (nd.mnt->ops == &procfs_ops && !(flags & AT_HANDLE_FID_)) {
		r = -EOPNOTSUPP;
		goto out;
	}
	if (copy_from_user(t, &fh, uhandle, sizeof(fh))) {
		r = -EFAULT;
		goto out;
	}
	if (fh.handle_bytes > MAX_HANDLE_SZ_) {
		r = -EINVAL;
		goto out;
	}
	memset(&fid, 0, sizeof(fid));
	fid.ino = nd.st.ino;
	fid.dev = (uint32_t)nd.st.dev;
	/* an open file's own name (AT_EMPTY_PATH, /proc/PID/fd/N) is a guest path */
	if (nd.magic) {
		const char *rel;
		char buf[PATH_MAX];
		struct mount *m = nd.magic->path[0] == '/' ?
				  vfs_find_mount_ns(file_mnt_ns(nd.magic), nd.magic->path, &rel, buf) : NULL;

		fid.ticket = m ? ticket_for(m, nd.st.dev, nd.st.ino, rel) : 0;
	} else {
		fid.ticket = ticket_for(nd.mnt, nd.st.dev, nd.st.ino, nd.rel ? nd.rel : "");
	}
	if (fh.handle_bytes < sizeof(fid)) {
		r = -EOVERFLOW;   /* the header tells the size needed */
		fh.handle_bytes = sizeof(fid);
		fh.handle_type = FILEID_INO64_GEN_;
	} else {
		r = 0;
		fh.handle_bytes = sizeof(fid);
		fh.handle_type = FILEID_INO64_GEN_;
		if (flags & AT_HANDLE_CONNECTABLE_)
			fh.handle_type |= FILEID_IS_CONNECTABLE_ |
					  (S_ISDIR(nd.st.mode) ? FILEID_IS_DIR_ : 0);
	}
	{
		struct mount *m = nd.magic && nd.magic->mnt ? nd.magic->mnt : nd.mnt;
		uint64_t id64 = m->id;
		int id = m->id;

		if ((flags & AT_HANDLE_MNT_ID_UNIQUE_) ? copy_to_user(t, umntid, &id64, sizeof(id64))
						       : copy_to_user(t, umntid, &id, sizeof(id))) {
			r = -EFAULT;
			goto out;
		}
	}
	if (copy_to_user(t, uhandle, &fh, sizeof(fh)) ||
	    (!r && copy_to_user(t, uhandle + sizeof(fh), &fid, sizeof(fid))))
		r = -EFAULT;
out:
	nd_release(&nd);
	return r;
}

/*
 * open_by_handle_at(mount_fd, handle, flags): opens the file a handle of
 * name_to_handle_at names, on the filesystem mount_fd (or the cwd, for
 * AT_FDCWD) is on; as openat otherwise (a symlink gives ELOOP unless
 * O_PATH).  Errors as Linux's: EFAULT, EINVAL (handle_bytes 0 or over
 * MAX_HANDLE_SZ, unknown handle_type flags), EBADF, EPERM without
 * CAP_DAC_READ_SEARCH, ESTALE (another filesystem, or the file is gone).
 */
long sys_open_by_handle_at(struct task *t, struct sysargs *a)
{
	int mfd = arg_int(a, 0), flags = arg_int(a, 2);
	uint64_t uhandle = arg_ptr(a, 1);
	struct linux_file_handle fh;
	struct umk_fid fid;
	struct mount *m;
	struct file *f = NULL;
	struct kstat st;
	struct ticket *tk;
	char abs[PATH_MAX];
	const char *mrel;
	size_t rootlen;
	int err;

	if (copy_from_user(t, &fh, uhandle, sizeof(fh)))
		return -EFAULT;
	if (fh.handle_bytes > MAX_HANDLE_SZ_ || fh.handle_bytes == 0)
		return -EINVAL;
	if (fh.handle_type < 0 ||
	    (fh.handle_type & FILEID_USER_FLAGS_MASK_ & ~(FILEID_IS_CONNECTABLE_ | FILEID_IS_DIR_)))
		return -EINVAL;
	/* get_path_anchor: the mount of mount_fd, or of the cwd */
	if (mfd == AT_FDCWD) {
		const char *cwd = t->fs && t->fs->cwd ? t->fs->cwd : "/";

		m = vfs_find_mount_ns(current_mnt_ns(), cwd, &mrel, abs);
		if (m)
			mnt_get(m);
	} else {
		struct file *mf = fd_get(t, mfd);

		if (!mf)
			return -EBADF;
		m = mf->mnt;
		if (m)
			mnt_get(m);
		file_put(mf);
	}
	if (!capable(t, CAP_DAC_READ_SEARCH)) {
		err = -EPERM;
		goto out;
	}
	memset(&fid, 0, sizeof(fid));
	if (copy_from_user(t, &fid, uhandle + sizeof(fh),
			   fh.handle_bytes < sizeof(fid) ? fh.handle_bytes : sizeof(fid))) {
		err = -EFAULT;
		goto out;
	}
	err = -ESTALE;
	if (!m || fh.handle_bytes != sizeof(fid) || !fid.ticket || fid.ticket > ntickets)
		goto out;
	tk = &tickets[fid.ticket - 1];
	if (tk->ino != fid.ino || (uint32_t)tk->dev != fid.dev || mount_dev(m) != tk->sbdev)
		goto out;
	if (m->ops->lookup(m, tk->sbrel, &st) || st.ino != tk->ino)
		goto out;   /* removed or renamed */
	/* its guest name through this mount: the mount shows m->root and below */
	rootlen = strlen(m->root);
	if (rootlen && (strncmp(tk->sbrel, m->root, rootlen) ||
			(tk->sbrel[rootlen] && tk->sbrel[rootlen] != '/')))
		goto out;
	{
		const char *below = tk->sbrel + rootlen;

		while (*below == '/')
			below++;
		snprintf(abs, sizeof(abs), "%s%s%s", m->path,
			 *below && strcmp(m->path, "/") ? "/" : "", below);
	}
	err = vfs_open(t, AT_FDCWD, abs, (flags & ~(O_CREAT | O_EXCL | __O_TMPFILE)) | O_NOFOLLOW,
		       0, &f);
	if (err)
		goto out;
	/* the name may lead elsewhere (a mount over it): the same inode or ESTALE */
	if (!f->ops->fstat || f->ops->fstat(f, &st) || st.ino != tk->ino || st.dev != tk->dev) {
		file_put(f);
		err = -ESTALE;
		goto out;
	}
	err = fd_install(t, 0, f, flags & O_CLOEXEC);
out:
	if (m)
		mnt_put(m);
	return err;
}

/*
 * fhandle_encode - the handle name_to_handle_at gives for inode (dev,
 * ino), named rel on mount m (or by an earlier handle's ticket, once the
 * name is gone): its 16 bytes into out (at least that big), its type in
 * *type.  Returns the length, or 0 (ENOMEM).  fanotify's FID records use
 * it, so that the two agree.
 */
int fhandle_encode(const struct mount *m, const char *rel, uint64_t dev, uint64_t ino, void *out,
		   int *type)
{
	struct umk_fid fid;

	memset(&fid, 0, sizeof(fid));
	fid.ino = ino;
	fid.dev = (uint32_t)dev;
	fid.ticket = ticket_for(m, dev, ino, rel ? rel : "");
	if (!fid.ticket)
		return 0;
	memcpy(out, &fid, sizeof(fid));
	*type = FILEID_INO64_GEN_;
	return sizeof(fid);
}
