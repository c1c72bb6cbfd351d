/*
 * fs/posix_acl.c - POSIX access control lists, as Linux's fs/posix_acl.c
 * (man 5 acl): the xattrs system.posix_acl_access and
 * system.posix_acl_default in Linux's xattr format (a 4-byte version 2
 * header, then 8-byte entries: tag, perm, id; little-endian), validated
 * as posix_acl_from_xattr and posix_acl_valid, with the mode kept in
 * sync (posix_acl_update_mode, posix_acl_chmod), default ACLs inherited
 * at create (posix_acl_create) and access checks by the ACL
 * (posix_acl_permission).
 *
 * The VFS does the work here; a filesystem only stores the two xattrs
 * (in kernel ids, the format Linux's filesystems keep on disk: ext4's
 * translation is libext2fs's), fills kstat.acl at lookup from the access
 * ACL (posix_acl_stat) and applies a chmod to it (posix_acl_chmod_xattr).
 * A filesystem supports ACLs when its getxattr of system.posix_acl_access
 * answers something other than EOPNOTSUPP.
 *
 * Lock: klock, as the rest of the VFS.
 */
#include "fs.h"
#include "tmpfs.h"
#include "posix_acl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define ACL_USER_OBJ  0x01
#define ACL_USER      0x02
#define ACL_GROUP_OBJ 0x04
#define ACL_GROUP     0x08
#define ACL_MASK      0x10
#define ACL_OTHER     0x20
#define ACL_UNDEFINED_ID 0xffffffffu
#define ACL_XATTR_VERSION 2
#define ACL_HDR 4
#define ACL_ENT 8
#define CAP_FSETID_ 4
#define ACL_XATTR_MAX 65536

/* An ACL in memory: entries in the xattr's order, kernel ids. */
struct acl {
	size_t count;
	struct kacl_entry e[];
};

/* posix_acl_type: 0 access, 1 default, -1 another name. */
int posix_acl_type(const char *name)
{
	if (!strcmp(name, XATTR_NAME_ACL_ACCESS))
		return 0;
	if (!strcmp(name, XATTR_NAME_ACL_DEFAULT))
		return 1;
	return -1;
}

static uint16_t get16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put16(unsigned char *p, uint16_t v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

static void put32(unsigned char *p, uint32_t v)
{
	put16(p, v & 0xffff);
	put16(p + 2, v >> 16);
}

/*
 * acl_from_xattr - Linux's posix_acl_from_xattr: value (size bytes) as an
 * ACL, ids mapped from ns (NULL: already kernel ids).  *out NULL for an
 * ACL of no entries.  -EINVAL (short, ragged, an unknown tag, an unmapped
 * id), -EOPNOTSUPP (a version other than 2), -ENOMEM.
 */
static int acl_from_xattr(const struct user_namespace *ns, const void *value, size_t size,
			  struct acl **out)
{
	const unsigned char *p = value;
	struct acl *a;
	size_t n, i;

	*out = NULL;
	if (size < ACL_HDR)
		return -EINVAL;
	if (get32(p) != ACL_XATTR_VERSION)
		return -EOPNOTSUPP;
	if ((size - ACL_HDR) % ACL_ENT)
		return -EINVAL;
	n = (size - ACL_HDR) / ACL_ENT;
	if (!n)
		return 0;
	a = malloc(sizeof(*a) + n * sizeof(a->e[0]));
	if (!a)
		return -ENOMEM;
	a->count = n;
	for (i = 0; i < n; i++) {
		const unsigned char *q = p + ACL_HDR + i * ACL_ENT;
		struct kacl_entry *e = &a->e[i];
		uint32_t id = get32(q + 4);

		e->tag = get16(q);
		e->perm = get16(q + 2);
		e->id = ACL_UNDEFINED_ID;
		switch (e->tag) {
		case ACL_USER_OBJ:
		case ACL_GROUP_OBJ:
		case ACL_MASK:
		case ACL_OTHER:
			break;
		case ACL_USER:
			e->id = ns ? make_kuid(ns, id) : id;
			break;
		case ACL_GROUP:
			e->id = ns ? make_kgid(ns, id) : id;
			break;
		default:
			free(a);
			return -EINVAL;
		}
		if ((e->tag == ACL_USER || e->tag == ACL_GROUP) && e->id == ACL_UNDEFINED_ID) {
			free(a);
			return -EINVAL;
		}
	}
	*out = a;
	return 0;
}

/* acl_to_xattr - Linux's posix_acl_to_xattr into buf (4 + 8 * count
 * bytes), ids mapped into ns (NULL: kernel ids; unmapped: -1, as
 * Linux 6.x's from_kuid, not the overflow id). */
static size_t acl_to_xattr(const struct user_namespace *ns, const struct kacl_entry *e, size_t n,
			   void *buf)
{
	unsigned char *p = buf;
	size_t i;

	put32(p, ACL_XATTR_VERSION);
	for (i = 0; i < n; i++) {
		unsigned char *q = p + ACL_HDR + i * ACL_ENT;
		uint32_t id = e[i].id;

		if (ns && e[i].tag == ACL_USER)
			id = from_kuid(ns, id);
		else if (ns && e[i].tag == ACL_GROUP)
			id = from_kgid(ns, id);
		else if (e[i].tag != ACL_USER && e[i].tag != ACL_GROUP)
			id = ACL_UNDEFINED_ID;
		put16(q, e[i].tag);
		put16(q + 2, e[i].perm);
		put32(q + 4, id);
	}
	return ACL_HDR + n * ACL_ENT;
}

/* acl_valid - Linux's posix_acl_valid: one USER_OBJ, USERs, one
 * GROUP_OBJ, GROUPs, a MASK (needed with named entries), one OTHER, in
 * that order; perms rwx only.  0 or -EINVAL. */
static int acl_valid(const struct acl *a)
{
	int state = ACL_USER_OBJ, needs_mask = 0;
	size_t i;

	for (i = 0; i < a->count; i++) {
		const struct kacl_entry *e = &a->e[i];

		if (e->perm & ~7)
			return -EINVAL;
		switch (e->tag) {
		case ACL_USER_OBJ:
			if (state != ACL_USER_OBJ)
				return -EINVAL;
			state = ACL_USER;
			break;
		case ACL_USER:
			if (state != ACL_USER)
				return -EINVAL;
			needs_mask = 1;
			break;
		case ACL_GROUP_OBJ:
			if (state != ACL_USER)
				return -EINVAL;
			state = ACL_GROUP;
			break;
		case ACL_GROUP:
			if (state != ACL_GROUP)
				return -EINVAL;
			needs_mask = 1;
			break;
		case ACL_MASK:
			if (state != ACL_GROUP)
				return -EINVAL;
			state = ACL_OTHER;
			break;
		case ACL_OTHER:
			if (state == ACL_OTHER || (state == ACL_GROUP && !needs_mask)) {
				state = 0;
				break;
			}
			return -EINVAL;
		default:
			return -EINVAL;
		}
	}
	return state == 0 ? 0 : -EINVAL;
}

/* acl_equiv_mode - Linux's posix_acl_equiv_mode: the permission bits
 * the ACL gives *mode; 0 if the mode says it all, 1 if not. */
static int acl_equiv_mode(const struct acl *a, uint32_t *mode)
{
	uint32_t m = 0;
	int not_equiv = 0;
	size_t i;

	for (i = 0; i < a->count; i++) {
		const struct kacl_entry *e = &a->e[i];

		switch (e->tag) {
		case ACL_USER_OBJ:
			m |= (e->perm & 7u) << 6;
			break;
		case ACL_GROUP_OBJ:
			m |= (e->perm & 7u) << 3;
			break;
		case ACL_OTHER:
			m |= e->perm & 7u;
			break;
		case ACL_MASK:
			m = (m & ~070u) | (e->perm & 7u) << 3;
			not_equiv = 1;
			break;
		default:
			not_equiv = 1;
			break;
		}
	}
	*mode = (*mode & ~0777u) | m;
	return not_equiv;
}

/* acl_create_masq - Linux's posix_acl_create_masq: a new inode's access
 * ACL from its directory's default ACL and the mode asked for (*mode,
 * narrowed to what the ACL grants).  0 if equivalent to the mode, 1 if
 * not, -EIO for an ACL without GROUP_OBJ or MASK. */
static int acl_create_masq(struct acl *a, uint32_t *mode_p)
{
	struct kacl_entry *group_obj = NULL, *mask_obj = NULL;
	uint32_t mode = *mode_p;
	int not_equiv = 0;
	size_t i;

	for (i = 0; i < a->count; i++) {
		struct kacl_entry *e = &a->e[i];

		switch (e->tag) {
		case ACL_USER_OBJ:
			e->perm &= (mode >> 6) | ~7u;
			mode &= ((uint32_t)e->perm << 6) | ~0700u;
			break;
		case ACL_USER:
		case ACL_GROUP:
			not_equiv = 1;
			break;
		case ACL_GROUP_OBJ:
			group_obj = e;
			break;
		case ACL_OTHER:
			e->perm &= mode | ~7u;
			mode &= e->perm | ~7u;
			break;
		case ACL_MASK:
			mask_obj = e;
			not_equiv = 1;
			break;
		default:
			return -EIO;
		}
	}
	if (!mask_obj)
		mask_obj = group_obj;
	if (!mask_obj)
		return -EIO;
	mask_obj->perm &= (mode >> 3) | ~7u;
	mode &= ((uint32_t)mask_obj->perm << 3) | ~070u;
	*mode_p = (*mode_p & ~0777u) | mode;
	return not_equiv;
}

/* acl_chmod_masq - Linux's __posix_acl_chmod: USER_OBJ, MASK (or
 * GROUP_OBJ without one) and OTHER take the new mode's bits. */
static void acl_chmod_masq(struct kacl_entry *e, size_t n, uint32_t mode)
{
	struct kacl_entry *group_obj = NULL, *mask_obj = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		switch (e[i].tag) {
		case ACL_USER_OBJ:
			e[i].perm = (mode >> 6) & 7;
			break;
		case ACL_GROUP_OBJ:
			group_obj = &e[i];
			break;
		case ACL_MASK:
			mask_obj = &e[i];
			break;
		case ACL_OTHER:
			e[i].perm = mode & 7;
			break;
		}
	}
	if (!mask_obj)
		mask_obj = group_obj;
	if (mask_obj)
		mask_obj->perm = (mode >> 3) & 7;
}

/*
 * posix_acl_chmod_xattr - applies chmod's new mode (permission bits) to
 * a stored access ACL value (kernel-id xattr format, len bytes) in place,
 * as posix_acl_chmod.  0, or -EINVAL for a value that is no ACL.
 */
int posix_acl_chmod_xattr(void *value, size_t len, uint32_t mode)
{
	struct acl *a;
	int err = acl_from_xattr(NULL, value, len, &a);

	if (err || !a)
		return err ? err : -EINVAL;
	acl_chmod_masq(a->e, a->count, mode);
	acl_to_xattr(NULL, a->e, a->count, value);
	free(a);
	return 0;
}

/*
 * ACLs longer than a kstat holds (KACL_MAX entries): kept whole here,
 * each under an id of its own that the kstats filled from it carry
 * (kacl.big), so that a permission check honours every entry as Linux
 * does (its ACLs hang off the inode).  Identical ACLs share a slot; the
 * least recently used slot goes when all are taken.  A check whose ACL
 * went meanwhile (more than BIG_ACLS others looked up between a lookup
 * and its check) falls back to the first KACL_MAX entries, granting no
 * more than those do.  Lock: klock.
 */
#define BIG_ACLS 64
static struct big_acl {
	uint64_t id;                  /* 0: a free slot */
	uint64_t hash, used;
	struct acl *a;
} big_acls[BIG_ACLS];
static uint64_t big_next_id, big_clock;

static uint64_t acl_hash(const struct acl *a)
{
	const unsigned char *p = (const unsigned char *)a->e;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < a->count * sizeof(a->e[0]); i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

/* Keeps a (taking it: freed if an identical one is kept) and returns
 * the id of the slot holding it. */
static uint64_t big_acl_keep(struct acl *a)
{
	uint64_t h = acl_hash(a);
	struct big_acl *victim = &big_acls[0];

	for (int i = 0; i < BIG_ACLS; i++) {
		struct big_acl *b = &big_acls[i];

		if (b->id && b->hash == h && b->a->count == a->count &&
		    !memcmp(b->a->e, a->e, a->count * sizeof(a->e[0]))) {
			b->used = ++big_clock;
			free(a);
			return b->id;
		}
		if (!b->id || (victim->id && b->used < victim->used))
			victim = b;
	}
	free(victim->a);
	victim->a = a;
	victim->hash = h;
	victim->id = ++big_next_id;
	victim->used = ++big_clock;
	return victim->id;
}

static const struct acl *big_acl_find(uint64_t id)
{
	for (int i = 0; id && i < BIG_ACLS; i++)
		if (big_acls[i].id == id) {
			big_acls[i].used = ++big_clock;
			return big_acls[i].a;
		}
	return NULL;
}

/*
 * posix_acl_stat - fills st->acl from a stored access ACL value
 * (kernel-id xattr format, len bytes; len <= 0: none).  A value that is
 * no ACL leaves st->acl empty (the mode decides).
 */
void posix_acl_stat(struct kstat *st, const void *value, ssize_t len)
{
	struct acl *a;
	size_t n;

	st->acl.count = 0;
	st->acl.overflow = false;
	st->acl.big = 0;
	if (len <= 0 || acl_from_xattr(NULL, value, (size_t)len, &a) || !a)
		return;
	n = a->count < KACL_MAX ? a->count : KACL_MAX;
	memcpy(st->acl.e, a->e, n * sizeof(a->e[0]));
	st->acl.count = (uint16_t)n;
	st->acl.overflow = a->count > KACL_MAX;
	if (st->acl.overflow)
		st->acl.big = big_acl_keep(a);   /* takes a */
	else
		free(a);
}

/*
 * posix_acl_permission - Linux's posix_acl_permission for t (not the
 * owner: acl_permission_check handled that) on an inode with attributes
 * st and an access ACL in st->acl, for want (R_OK|W_OK|X_OK).  0 or
 * -EACCES.  An ACL longer than kstat holds is checked whole (kept by
 * posix_acl_stat); if it is no longer kept, it grants no more than its
 * first KACL_MAX entries do.
 */
int posix_acl_permission(struct task *t, const struct kstat *st, int want)
{
	const struct acl *big = st->acl.overflow ? big_acl_find(st->acl.big) : NULL;
	const struct kacl_entry *e = big ? big->e : st->acl.e, *pa = NULL;
	size_t count = big ? big->count : st->acl.count, i, j;
	bool cut = st->acl.overflow && !big;   /* entries missing: no mask seen means deny */
	int found = 0;

	want &= 7;
	for (i = 0; i < count; i++) {
		pa = &e[i];
		switch (pa->tag) {
		case ACL_USER_OBJ:
			if (st->uid == t->cred.fsuid)
				goto check_perm;
			break;
		case ACL_USER:
			if (pa->id == t->cred.fsuid)
				goto mask;
			break;
		case ACL_GROUP_OBJ:
			if (in_group_p(t, st->gid)) {
				found = 1;
				if ((pa->perm & want) == want)
					goto mask;
			}
			break;
		case ACL_GROUP:
			if (in_group_p(t, pa->id)) {
				found = 1;
				if ((pa->perm & want) == want)
					goto mask;
			}
			break;
		case ACL_MASK:
			break;
		case ACL_OTHER:
			if (found)
				return -EACCES;
			goto check_perm;
		default:
			return -EACCES;
		}
	}
	return -EACCES;
mask:
	for (j = i + 1; j < count; j++)
		if (e[j].tag == ACL_MASK)
			return (pa->perm & e[j].perm & want) == (uint32_t)want ? 0 : -EACCES;
	if (cut)
		return -EACCES;
check_perm:
	return (pa->perm & want) == (uint32_t)want ? 0 : -EACCES;
}

/*
 * xt_getxattr, xt_setxattr, xt_listxattr, xt_removexattr - the
 * filesystem's xattr ops on an xattr call's target: the file's own ops
 * (xt->f set), else the mount's on xt->rel.  As those ops; -EOPNOTSUPP
 * where there are none (a list: 0, nothing).
 */
ssize_t xt_getxattr(const struct xattr_target *xt, const char *name, void *buf, size_t n)
{
	if (xt->f)
		return xt->f->ops->getxattr ? xt->f->ops->getxattr(xt->f, name, buf, n) : -EOPNOTSUPP;
	return xt->m->ops->getxattr ? xt->m->ops->getxattr(xt->m, xt->rel, name, buf, n) : -EOPNOTSUPP;
}

int xt_setxattr(const struct xattr_target *xt, const char *name, const void *v, size_t n, int flags)
{
	if (xt->f)
		return xt->f->ops->setxattr ? xt->f->ops->setxattr(xt->f, name, v, n, flags) : -EOPNOTSUPP;
	return xt->m->ops->setxattr ? xt->m->ops->setxattr(xt->m, xt->rel, name, v, n, flags)
				    : -EOPNOTSUPP;
}

ssize_t xt_listxattr(const struct xattr_target *xt, char *buf, size_t n)
{
	if (xt->f)
		return xt->f->ops->listxattr ? xt->f->ops->listxattr(xt->f, buf, n) : 0;
	return xt->m->ops->listxattr ? xt->m->ops->listxattr(xt->m, xt->rel, buf, n) : 0;
}

int xt_removexattr(const struct xattr_target *xt, const char *name)
{
	if (xt->f)
		return xt->f->ops->removexattr ? xt->f->ops->removexattr(xt->f, name) : -EOPNOTSUPP;
	return xt->m->ops->removexattr ? xt->m->ops->removexattr(xt->m, xt->rel, name) : -EOPNOTSUPP;
}

/* The target's attributes: its file's fstat, or the mount's lookup. */
static int xt_stat(const struct xattr_target *xt, struct kstat *st)
{
	memset(st, 0, sizeof(*st));
	if (xt->f)
		return xt->f->ops->fstat ? xt->f->ops->fstat(xt->f, st) : -EOPNOTSUPP;
	return xt->m->ops->lookup(xt->m, xt->rel, st);
}

/* Reads a stored ACL xattr (kernel ids) into a new buffer: its length,
 * or -ENODATA, -EOPNOTSUPP (the filesystem keeps no ACLs), -ENOMEM. */
static ssize_t acl_read(const struct xattr_target *xt, const char *name, void **out)
{
	ssize_t n, r;
	void *buf;

	*out = NULL;
	n = xt_getxattr(xt, name, NULL, 0);
	if (n < 0)
		return n;
	if (!n)
		return -ENODATA;
	if (n > ACL_XATTR_MAX)
		return -E2BIG;
	buf = malloc((size_t)n);
	if (!buf)
		return -ENOMEM;
	r = xt_getxattr(xt, name, buf, (size_t)n);
	if (r <= 0) {
		free(buf);
		return r < 0 ? r : -ENODATA;
	}
	*out = buf;
	return r;
}

/*
 * posix_acl_vfs_get - getxattr(2) of an ACL name on the target xt for t
 * (Linux's vfs_get_acl and posix_acl_to_xattr): the value with ids in
 * t's user namespace, into buf (size 0: only its length).  Its length,
 * -ENODATA (none), -ERANGE (buf too small), -EOPNOTSUPP (no ACLs here).
 */
ssize_t posix_acl_vfs_get(struct task *t, const struct xattr_target *xt, const char *name,
			  void *buf, size_t size)
{
	struct acl *a;
	void *raw;
	ssize_t n = acl_read(xt, name, &raw), need;
	int err;

	if (n < 0)
		return n;
	err = acl_from_xattr(NULL, raw, (size_t)n, &a);
	free(raw);
	if (err == -ENOMEM)
		return err;
	if (err || !a)
		return -ENODATA;
	need = (ssize_t)(ACL_HDR + a->count * ACL_ENT);
	if (size && (size_t)need > size)
		need = -ERANGE;
	else if (size)
		acl_to_xattr(t ? t->user_ns : NULL, a->e, a->count, buf);
	free(a);
	return need;
}

/* inode_owner_or_capable: t's fsuid owns st, or t has CAP_FOWNER over it. */
static bool owner_or_capable(struct task *t, const struct kstat *st)
{
	return !t || st->uid == t->cred.fsuid || capable(t, CAP_FOWNER);
}

/*
 * posix_acl_xattr_check - the checks of posix_acl_from_xattr on a
 * setxattr value (size bytes), ids from t's user namespace: 0, -EINVAL,
 * -EOPNOTSUPP.  Linux makes them before the inode's own (immutable...).
 */
int posix_acl_xattr_check(struct task *t, const void *value, size_t size)
{
	struct acl *a;
	int err;

	if (!size)
		return 0;
	err = acl_from_xattr(t ? t->user_ns : NULL, value, size, &a);
	free(a);
	return err;
}

/* Sets the mode's permission bits (and S_ISGID) of the target to mode. */
static int acl_set_mode(const struct xattr_target *xt, const struct kstat *st, uint32_t mode)
{
	if ((mode & 07777) == (st->mode & 07777))
		return 0;
	if (xt->f)
		return xt->f->ops->setattr ? xt->f->ops->setattr(xt->f, ATTR_MODE, mode & 07777, 0, 0, NULL)
					   : -EOPNOTSUPP;
	if (!xt->m->ops->setattr)
		return -EOPNOTSUPP;
	return xt->m->ops->setattr(xt->m, xt->rel, ATTR_MODE, mode & 07777, 0, 0, NULL);
}

static int acl_remove_stored(const struct xattr_target *xt, const char *name)
{
	int err = xt_removexattr(xt, name);

	return err == -ENODATA ? 0 : err;
}

/*
 * posix_acl_vfs_set - setxattr(2) (value of size bytes; size 0 or a bare
 * header removes) or removexattr(2) (value NULL) of an ACL name on the
 * target xt (a path, or an open file's own inode) for t, after the
 * mount's and the inode's own checks (Linux's set_posix_acl and
 * simple_set_acl): -EOPNOTSUPP (no ACLs here, or a
 * symlink), -EACCES (a default ACL on a non-directory), -EPERM (neither
 * owner nor CAP_FOWNER), -EINVAL (posix_acl_valid), -ENOMEM, -ENOSPC.
 * An access ACL the mode can say sets only the mode; any other sets the
 * mode from it (S_ISGID cleared for a caller outside the group without
 * CAP_FSETID) and is stored in kernel ids.
 */
int posix_acl_vfs_set(struct task *t, const struct xattr_target *xt, const char *name,
		      const void *value, size_t size)
{
	int type = posix_acl_type(name), err;
	struct acl *a = NULL;
	struct kstat st;
	void *raw = NULL;
	uint32_t mode = 0;
	ssize_t probe;

	if (value && size) {
		err = acl_from_xattr(t ? t->user_ns : NULL, value, size, &a);
		if (err)
			return err;
	}
	err = xt_stat(xt, &st);
	if (err)
		goto out;
	probe = xt_getxattr(xt, XATTR_NAME_ACL_ACCESS, NULL, 0);
	err = -EOPNOTSUPP;
	if (probe == -EOPNOTSUPP || S_ISLNK(st.mode) ||
	    (xt->f ? !xt->f->ops->setxattr : !xt->m->ops->setxattr))
		goto out;
	if (type == 1 && !S_ISDIR(st.mode)) {
		err = a ? -EACCES : 0;
		goto out;
	}
	err = -EPERM;
	if (!owner_or_capable(t, &st))
		goto out;
	if (a && (err = acl_valid(a)))
		goto out;
	if (!a) {
		err = acl_remove_stored(xt, name);
		goto out;
	}
	if (type == 0) {
		mode = st.mode;
		if (!acl_equiv_mode(a, &mode)) {
			err = acl_remove_stored(xt, name);
			free(a);
			a = NULL;
		} else {
			err = 0;
		}
		if (!err && t && !in_group_p(t, st.gid) && !capable(t, CAP_FSETID_))
			mode &= ~(uint32_t)S_ISGID;
		if (!err && !a)
			err = acl_set_mode(xt, &st, mode);
		if (!a)
			goto out;
	}
	raw = malloc(ACL_HDR + a->count * ACL_ENT);
	err = -ENOMEM;
	if (!raw)
		goto out;
	size = acl_to_xattr(NULL, a->e, a->count, raw);
	err = xt_setxattr(xt, name, raw, size, 0);
	if (!err && type == 0)
		err = acl_set_mode(xt, &st, mode);
out:
	free(raw);
	free(a);
	return err;
}

/*
 * posix_acl_create - Linux's posix_acl_create for a new inode at m's rel
 * (its directory is rel's parent on m) asked with mode (type and
 * permission bits, S_ISGID already stripped): with no default ACL there,
 * mode & ~umask; with one, the mode it allows (the umask ignored), and
 * the ACLs to give the new inode in *ac (posix_acl_create_done stores
 * them).
 */
uint32_t posix_acl_create(struct mount *m, const char *rel, uint32_t mode, uint32_t umask,
			  struct acl_create *ac)
{
	char parent[4096];
	char *slash;
	struct acl *a;
	void *raw;
	ssize_t n;
	int r;

	memset(ac, 0, sizeof(*ac));
	if (!m || S_ISLNK(mode) || snprintf(parent, sizeof parent, "%s", rel) >= (int)sizeof parent)
		return mode & ~umask;
	slash = strrchr(parent, '/');
	if (slash)
		*slash = 0;
	else
		parent[0] = 0;
	{
		struct xattr_target pxt = { .m = m, .rel = parent };

		n = acl_read(&pxt, XATTR_NAME_ACL_DEFAULT, &raw);
	}
	if (n < 0)
		return mode & ~umask;
	if (acl_from_xattr(NULL, raw, (size_t)n, &a) || !a) {
		free(raw);
		return mode & ~umask;
	}
	r = acl_create_masq(a, &mode);
	if (r > 0) {
		ac->access = malloc(ACL_HDR + a->count * ACL_ENT);
		if (ac->access)
			ac->alen = acl_to_xattr(NULL, a->e, a->count, ac->access);
	}
	free(a);
	if (r >= 0 && S_ISDIR(mode)) {
		ac->dflt = raw;
		ac->dlen = (size_t)n;
	} else {
		free(raw);
	}
	return mode;
}

/* posix_acl_create_done - gives the inode created at m's rel the ACLs
 * posix_acl_create chose (if err is 0) and frees them. */
void posix_acl_create_done(struct mount *m, const char *rel, struct acl_create *ac, int err)
{
	if (!err && m && m->ops->setxattr) {
		if (ac->access)
			m->ops->setxattr(m, rel, XATTR_NAME_ACL_ACCESS, ac->access, ac->alen, 0);
		if (ac->dflt)
			m->ops->setxattr(m, rel, XATTR_NAME_ACL_DEFAULT, ac->dflt, ac->dlen, 0);
	}
	free(ac->access);
	free(ac->dflt);
	memset(ac, 0, sizeof(*ac));
}
