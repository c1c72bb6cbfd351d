/*
 * fs/posix_acl.h - POSIX ACLs (posix_acl.c): the VFS side of
 * system.posix_acl_access and system.posix_acl_default, and the helpers
 * a filesystem that stores them calls.
 */
#ifndef UMK_POSIX_ACL_H
#define UMK_POSIX_ACL_H

#include "fs.h"

#define XATTR_NAME_ACL_ACCESS  "system.posix_acl_access"
#define XATTR_NAME_ACL_DEFAULT "system.posix_acl_default"

/* The ACLs posix_acl_create chose for a new inode (values in kernel ids). */
struct acl_create {
	void *access, *dflt;
	size_t alen, dlen;
};

/* An xattr call's target: m's rel, or (f set) the open file f's own
 * inode through its file ops (m then f's mount, or NULL) */
struct xattr_target {
	struct mount *m;
	const char *rel;
	struct file *f;
};

int posix_acl_type(const char *name);   /* 0 access, 1 default, -1 other */
ssize_t xt_getxattr(const struct xattr_target *xt, const char *name, void *buf, size_t n);
int xt_setxattr(const struct xattr_target *xt, const char *name, const void *v, size_t n, int flags);
ssize_t xt_listxattr(const struct xattr_target *xt, char *buf, size_t n);
int xt_removexattr(const struct xattr_target *xt, const char *name);
int posix_acl_xattr_check(struct task *t, const void *value, size_t size);
ssize_t posix_acl_vfs_get(struct task *t, const struct xattr_target *xt, const char *name,
			  void *buf, size_t size);
int posix_acl_vfs_set(struct task *t, const struct xattr_target *xt, const char *name,
		      const void *value, size_t size);
uint32_t posix_acl_create(struct mount *m, const char *rel, uint32_t mode, uint32_t umask,
			  struct acl_create *ac);
void posix_acl_create_done(struct mount *m, const char *rel, struct acl_create *ac, int err);
/* for filesystems: the access ACL into kstat, chmod applied to it */
void posix_acl_stat(struct kstat *st, const void *value, ssize_t len);
int posix_acl_chmod_xattr(void *value, size_t len, uint32_t mode);
/* for vfs_permission: the check by st->acl of t, not st's owner */
int posix_acl_permission(struct task *t, const struct kstat *st, int want);

#endif
