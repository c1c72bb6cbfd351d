/*
 * landlock.c - Landlock's syscalls (Linux's security/landlock/syscalls.c,
 * ruleset.c, domain.c): landlock_create_ruleset(2), landlock_add_rule(2),
 * landlock_restrict_self(2), rulesets as anonymous-inode fds, and the
 * domains (stacks of frozen rulesets) tasks carry.  See landlock.h.
 *
 * Lock: klock, held by every caller.
 */
#include "landlock.h"
#include "../fs/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- rulesets ---- */

static struct landlock_ruleset *ruleset_new(void)
{
	struct landlock_ruleset *rs = calloc(1, sizeof(*rs));

	if (rs)
		rs->refs = 1;
	return rs;
}

static void ruleset_put(struct landlock_ruleset *rs)
{
	if (!rs || --rs->refs)
		return;
	free(rs->fs);
	free(rs->net);
	free(rs);
}

/* Adds access to the rule keyed (k1, k2) of the array, or a new rule. */
static int rules_add(struct landlock_rule **v, size_t *n, size_t *cap, uint64_t k1, uint64_t k2,
		     uint64_t access)
{
	for (size_t i = 0; i < *n; i++) {
		if ((*v)[i].key1 == k1 && (*v)[i].key2 == k2) {
			(*v)[i].access |= access;
			return 0;
		}
	}
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 8;
		struct landlock_rule *nv = realloc(*v, nc * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = (struct landlock_rule){ k1, k2, access };
	return 0;
}

/* A frozen copy of rs (the layer restrict_self stacks). */
static struct landlock_ruleset *ruleset_copy(const struct landlock_ruleset *rs)
{
	struct landlock_ruleset *c = ruleset_new();

	if (!c)
		return NULL;
	c->handled_fs = rs->handled_fs;
	c->handled_net = rs->handled_net;
	c->scoped = rs->scoped;
	if (rs->nfs && !(c->fs = malloc(rs->nfs * sizeof(*c->fs))))
		goto nomem;
	if (rs->nnet && !(c->net = malloc(rs->nnet * sizeof(*c->net))))
		goto nomem;
	if (rs->nfs)
		memcpy(c->fs, rs->fs, rs->nfs * sizeof(*c->fs));
	if (rs->nnet)
		memcpy(c->net, rs->net, rs->nnet * sizeof(*c->net));
	c->nfs = c->capfs = rs->nfs;
	c->nnet = c->capnet = rs->nnet;
	return c;
nomem:
	ruleset_put(c);
	return NULL;
}

/* ---- domains ---- */

struct landlock_domain *landlock_get(struct landlock_domain *d)
{
	if (d)
		d->refs++;
	return d;
}

void landlock_put(struct landlock_domain *d)
{
	while (d && --d->refs == 0) {
		struct landlock_domain *parent = d->parent;
		ruleset_put(d->rs);
		free(d);
		d = parent;
	}
}

void landlock_fork(struct task *c, struct task *parent)
{
	c->landlock = landlock_get(parent->landlock);
}

void landlock_release(struct task *t)
{
	landlock_put(t->landlock);
	t->landlock = NULL;
}

bool landlock_handles_fs(const struct landlock_domain *d)
{
	for (; d; d = d->parent)
		if (d->rs->handled_fs)
			return true;
	return false;
}

int landlock_sb_change(struct task *t)
{
	return t && landlock_handles_fs(t->landlock) ? -EPERM : 0;
}

/* ---- the ruleset file ---- */

static ssize_t ruleset_read(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	(void)t, (void)f, (void)buf, (void)n, (void)pos;
	return -EINVAL;
}

static ssize_t ruleset_write(struct task *t, struct file *f, const void *buf, size_t n,
			     int64_t *pos)
{
	(void)t, (void)f, (void)buf, (void)n, (void)pos;
	return -EINVAL;
}

static void ruleset_release(struct file *f)
{
	ruleset_put(f->priv);
	f->priv = NULL;
}

static const struct file_ops ruleset_fops = {
	.read = ruleset_read,
	.write = ruleset_write,
	.fstat = anon_inode_fstat,
	.release = ruleset_release,
	.seekable = false,
};

/* The ruleset of fd, referenced, if f is open for acc (O_RDONLY: read,
 * O_WRONLY: write): -EBADF (none, or O_PATH), -EBADFD (not a ruleset), -EPERM. */
static struct landlock_ruleset *ruleset_from_fd(struct task *t, int fd, int acc, int *err)
{
	struct file *f = fd_get(t, fd);
	struct landlock_ruleset *rs = NULL;

	if (!f || (f->flags & O_PATH)) {   /* fdget skips O_PATH files */
		file_put(f);
		*err = -EBADF;
		return NULL;
	}
	int mode = f->flags & O_ACCMODE;
	if (f->ops != &ruleset_fops)
		*err = -EBADFD;
	else if (mode != O_RDWR && mode != acc)
		*err = -EPERM;
	else {
		rs = f->priv;
		rs->refs++;
	}
	file_put(f);
	return rs;
}

/*
 * copy_min_struct_from_user - the attr of usize bytes at src into dst
 * (ksize bytes, the tail zeroed): -EFAULT for a NULL or unreadable src,
 * -EINVAL under ksize_min, -E2BIG over a page or when bytes past ksize
 * are not zero (Linux's copy_min_struct_from_user, copy_struct_from_user).
 */
static int copy_min_struct_from_user(struct task *t, void *dst, size_t ksize, size_t ksize_min,
				     uint64_t src, size_t usize)
{
	if (!src)
		return -EFAULT;
	if (usize < ksize_min)
		return -EINVAL;
	if (usize > GUEST_PAGE_SIZE)
		return -E2BIG;
	memset(dst, 0, ksize);
	if (copy_from_user(t, dst, src, usize < ksize ? usize : ksize))
		return -EFAULT;
	if (usize > ksize) {
		unsigned char tail[GUEST_PAGE_SIZE];
		size_t n = usize - ksize;
		if (copy_from_user(t, tail, src + ksize, n))
			return -EFAULT;
		for (size_t i = 0; i < n; i++)
			if (tail[i])
				return -E2BIG;
	}
	return 0;
}

/*
 * sys_landlock_create_ruleset(attr, size, flags) - a new ruleset fd
 * (O_RDWR, close-on-exec) handling attr's handled_access_fs,
 * handled_access_net and scoped; or, with flags VERSION or ERRATA and no
 * attr, the ABI version or the errata fixed.  -EINVAL for unknown flags,
 * rights or scopes or a size under 8, -E2BIG, -EFAULT, -ENOMSG when it
 * handles nothing.  Mirrors security/landlock/syscalls.c.
 */
long sys_landlock_create_ruleset(struct task *t, struct sysargs *a)
{
	uint64_t uattr = arg_ptr(a, 0);
	size_t size = arg_long(a, 1);
	uint32_t flags = arg_uint(a, 2);
	struct { uint64_t fs, net, scoped; } attr;
	struct landlock_ruleset *rs;
	struct file *f;
	int err;

	if (flags) {
		if (uattr || size)
			return -EINVAL;
		if (flags == LANDLOCK_CREATE_RULESET_VERSION)
			return LL_ABI_VERSION;
		if (flags == LANDLOCK_CREATE_RULESET_ERRATA)
			return LL_ERRATA;
		return -EINVAL;
	}
	err = copy_min_struct_from_user(t, &attr, sizeof(attr), 8, uattr, size);
	if (err)
		return err;
	if ((attr.fs | LL_MASK_FS) != LL_MASK_FS || (attr.net | LL_MASK_NET) != LL_MASK_NET ||
	    (attr.scoped | LL_MASK_SCOPE) != LL_MASK_SCOPE)
		return -EINVAL;
	if (!attr.fs && !attr.net && !attr.scoped)
		return -ENOMSG;
	rs = ruleset_new();
	if (!rs)
		return -ENOMEM;
	rs->handled_fs = attr.fs;
	rs->handled_net = attr.net;
	rs->scoped = attr.scoped;
	f = file_alloc(&ruleset_fops, O_RDWR, "anon_inode:[landlock-ruleset]");
	if (!f) {
		ruleset_put(rs);
		return -ENOMEM;
	}
	f->priv = rs;
	return fd_install(t, 0, f, true);
}

/* LANDLOCK_RULE_PATH_BENEATH: { u64 allowed_access; s32 parent_fd } packed. */
static int add_rule_path_beneath(struct task *t, struct landlock_ruleset *rs, uint64_t uattr)
{
	unsigned char raw[12];
	uint64_t access;
	int32_t fd;
	struct kstat st;
	int err;

	if (copy_from_user(t, raw, uattr, sizeof(raw)))
		return -EFAULT;
	memcpy(&access, raw, 8);
	memcpy(&fd, raw + 8, 4);
	if (!access)
		return -ENOMSG;
	if ((access | rs->handled_fs) != rs->handled_fs)
		return -EINVAL;
	struct file *f = fd_get(t, fd);
	if (!f)
		return -EBADF;
	/* the ruleset fds and files of no mountable filesystem (pipes,
	 * sockets, anonymous inodes: no absolute path) cannot be rules */
	if (f->ops == &ruleset_fops || f->path[0] != '/' || !f->mnt || !f->ops->fstat)
		err = -EBADFD;
	else
		err = f->ops->fstat(f, &st);
	file_put(f);
	if (err)
		return err;
	if (!S_ISDIR(st.mode) && (access | LL_FS_FILE) != LL_FS_FILE)
		return -EINVAL;
	return rules_add(&rs->fs, &rs->nfs, &rs->capfs, st.dev, st.ino, access);
}

/* LANDLOCK_RULE_NET_PORT: { u64 allowed_access; u64 port }. */
static int add_rule_net_port(struct task *t, struct landlock_ruleset *rs, uint64_t uattr)
{
	uint64_t attr[2];

	if (copy_from_user(t, attr, uattr, sizeof(attr)))
		return -EFAULT;
	if (!attr[0])
		return -ENOMSG;
	if ((attr[0] | rs->handled_net) != rs->handled_net)
		return -EINVAL;
	if (attr[1] > 65535)
		return -EINVAL;
	return rules_add(&rs->net, &rs->nnet, &rs->capnet, attr[1], 0, attr[0]);
}

/*
 * sys_landlock_add_rule(ruleset_fd, rule_type, rule_attr, flags) - adds a
 * path-beneath rule (by any fd of a file or directory, O_PATH included) or
 * a TCP port rule.  -EINVAL (flags, type, rights outside the handled ones,
 * directory rights on a file, port over 65535), -ENOMSG (no right),
 * -EBADF, -EBADFD, -EPERM (fd not writable), -EFAULT.
 */
long sys_landlock_add_rule(struct task *t, struct sysargs *a)
{
	int fd = arg_int(a, 0);
	int type = arg_int(a, 1);
	uint64_t uattr = arg_ptr(a, 2);
	uint32_t flags = arg_uint(a, 3);
	struct landlock_ruleset *rs;
	int err;

	if (flags)
		return -EINVAL;
	rs = ruleset_from_fd(t, fd, O_WRONLY, &err);
	if (!rs)
		return err;
	switch (type) {
	case LANDLOCK_RULE_PATH_BENEATH:
		err = add_rule_path_beneath(t, rs, uattr);
		break;
	case LANDLOCK_RULE_NET_PORT:
		err = add_rule_net_port(t, rs, uattr);
		break;
	default:
		err = -EINVAL;
	}
	ruleset_put(rs);
	return err;
}

/*
 * sys_landlock_restrict_self(ruleset_fd, flags) - stacks a frozen copy of
 * the ruleset on the calling thread's domain.  Needs no_new_privs or
 * CAP_SYS_ADMIN (-EPERM); flags are the audit-log ones (umk has no audit
 * log, so they change nothing but are checked); ruleset_fd -1 with
 * exactly LOG_SUBDOMAINS_OFF stacks nothing.  -EINVAL, -EBADF, -EBADFD,
 * -EPERM (fd not readable), -E2BIG past 16 layers.
 */
long sys_landlock_restrict_self(struct task *t, struct sysargs *a)
{
	int fd = arg_int(a, 0);
	uint32_t flags = arg_uint(a, 1);
	struct landlock_ruleset *rs;
	struct landlock_domain *d;
	int err;

	if (!t->no_new_privs && !capable(t, CAP_SYS_ADMIN))
		return -EPERM;
	if (flags & ~(LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF | LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON |
		      LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF))
		return -EINVAL;
	if (fd == -1 && flags == LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF)
		return 0;
	rs = ruleset_from_fd(t, fd, O_RDONLY, &err);
	if (!rs)
		return err;
	if (t->landlock && t->landlock->level >= LL_MAX_LAYERS) {
		ruleset_put(rs);
		return -E2BIG;
	}
	d = calloc(1, sizeof(*d));
	if (d)
		d->rs = ruleset_copy(rs);
	ruleset_put(rs);
	if (!d || !d->rs) {
		free(d);
		return -ENOMEM;
	}
	d->refs = 1;
	d->parent = t->landlock;   /* the task's reference moves to the new layer */
	d->level = d->parent ? d->parent->level + 1 : 1;
	t->landlock = d;
	return 0;
}
