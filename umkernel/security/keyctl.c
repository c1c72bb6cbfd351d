/*
 * keyctl.c - add_key(2), request_key(2) and keyctl(2) (Linux's
 * security/keys/keyctl.c and request_key.c): decode and check the
 * arguments in Linux's order, find the keys (process_keys.c), act.
 *
 * umk has no request-key upcall (no /sbin/request-key run by the
 * kernel): a request_key with callout information for a key nobody has
 * makes a negative key, linked where the key would have gone, and fails
 * with ENOKEY, as when the helper declines.  KEYCTL_INSTANTIATE, NEGATE
 * and REJECT therefore never have the authorisation they need (EPERM).
 *
 * Lock: klock, held by every caller.
 */
#include "keys.h"
#include <stdlib.h>
#include <string.h>

#define KEY_MAX_DESC_SIZE 4096
#define KEY_MAX_PAYLOAD   (1024 * 1024 - 1)

enum {
	KEYCTL_GET_KEYRING_ID = 0, KEYCTL_JOIN_SESSION_KEYRING = 1, KEYCTL_UPDATE = 2,
	KEYCTL_REVOKE = 3, KEYCTL_CHOWN = 4, KEYCTL_SETPERM = 5, KEYCTL_DESCRIBE = 6,
	KEYCTL_CLEAR = 7, KEYCTL_LINK = 8, KEYCTL_UNLINK = 9, KEYCTL_SEARCH = 10,
	KEYCTL_READ = 11, KEYCTL_INSTANTIATE = 12, KEYCTL_NEGATE = 13,
	KEYCTL_SET_REQKEY_KEYRING = 14, KEYCTL_SET_TIMEOUT = 15, KEYCTL_ASSUME_AUTHORITY = 16,
	KEYCTL_GET_SECURITY = 17, KEYCTL_SESSION_TO_PARENT = 18, KEYCTL_REJECT = 19,
	KEYCTL_INSTANTIATE_IOV = 20, KEYCTL_INVALIDATE = 21, KEYCTL_GET_PERSISTENT = 22,
	KEYCTL_RESTRICT_KEYRING = 29, KEYCTL_MOVE = 30, KEYCTL_CAPABILITIES = 31,
};
#define KEYCTL_MOVE_EXCL 0x01
/* KEYCTL_CAPABILITIES bits (Linux's KEYCTL_CAPS0_*, KEYCTL_CAPS1_*) */
#define KEYCTL_CAPS0_CAPABILITIES     0x01
#define KEYCTL_CAPS0_INVALIDATE       0x20
#define KEYCTL_CAPS0_RESTRICT_KEYRING 0x40
#define KEYCTL_CAPS0_MOVE             0x80

/* key_get_type_from_user: 1..31 characters, not starting with '.' */
static int get_type(struct task *t, char type[32], uint64_t utype)
{
	long n = strncpy_from_user(t, type, utype, 32);
	if (n == -ENAMETOOLONG || n == 0)
		return -EINVAL;
	if (n < 0)
		return (int)n;
	if (type[0] == '.')
		return -EPERM;
	return 0;
}

/* strndup_user(s, KEY_MAX_DESC_SIZE): -EFAULT, -EINVAL (too long), -ENOMEM */
static char *dup_user_string(struct task *t, uint64_t us, int *err)
{
	char *buf = malloc(KEY_MAX_DESC_SIZE);
	if (!buf) {
		*err = -ENOMEM;
		return NULL;
	}
	long n = strncpy_from_user(t, buf, us, KEY_MAX_DESC_SIZE);
	if (n < 0) {
		free(buf);
		*err = n == -ENAMETOOLONG ? -EINVAL : (int)n;
		return NULL;
	}
	return buf;
}

/* a payload of len bytes (none if len is 0): -EFAULT, -ENOMEM */
static void *get_payload(struct task *t, uint64_t up, size_t len, int *err)
{
	void *p = malloc(len ? len : 1);
	if (!p) {
		*err = -ENOMEM;
		return NULL;
	}
	if (len && copy_from_user(t, p, up, len)) {
		free(p);
		*err = -EFAULT;
		return NULL;
	}
	return p;
}

/* Copies what a read or describe produced: all of it if buflen allows,
 * else nothing (Linux's keyctl_read_key); returns len. */
static long copy_out(struct task *t, uint64_t ubuf, size_t buflen, const void *data, size_t len)
{
	if (ubuf && buflen && len <= buflen && len && copy_to_user(t, ubuf, data, len))
		return -EFAULT;
	return (long)len;
}

static uint32_t default_perm(const struct key_type *type)
{
	uint32_t perm = KEY_POS_VIEW | KEY_POS_SEARCH | KEY_POS_LINK | KEY_POS_SETATTR | KEY_USR_VIEW;
	if (type->can_read)
		perm |= KEY_POS_READ;
	if (type->is_keyring || type->can_update)
		perm |= KEY_POS_WRITE;
	return perm;
}

/* Linux's key_create_or_update, for add_key(2) */
static long key_create_or_update(struct task *t, struct key *keyring, bool possessed, const char *tname,
				 const char *desc, const void *payload, size_t plen)
{
	const struct key_type *type = key_type_lookup(tname);
	int err;
	if (!type)
		return -ENODEV;
	if (!keyring->type->is_keyring)
		return -ENOTDIR;
	err = type->preparse(plen ? payload : NULL, plen);
	if (err)
		return err;
	if (!desc)
		return -EINVAL;
	if (type->can_update) {
		/* a key of that type and description in the keyring is updated */
		struct key *old = keyring_find(keyring, type, desc);
		if (old && !(old->flags & (KEY_FLAG_REVOKED | KEY_FLAG_INVALIDATED))) {
			err = key_task_permission(t, old, possessed, KEY_NEED_WRITE);
			if (err)
				return err;
			err = key_set_payload(old, payload, plen);
			return err ? err : old->serial;
		}
	}
	if (type->vet_description && (err = type->vet_description(desc)))
		return err;
	struct key *k = key_alloc(type, desc, t->cred.fsuid, t->cred.fsgid, default_perm(type), false, &err);
	if (!k)
		return err;
	if (!type->is_keyring && (err = key_set_payload(k, payload, plen))) {
		key_put(k);
		return err;
	}
	err = key_link(keyring, k);
	long ret = err ? err : k->serial;
	key_put(k);
	return ret;
}

/*
 * sys_add_key - add_key(2): type, description, payload, plen, keyring.
 * Returns the new (or updated) key's serial.  Errors as Linux's:
 * EINVAL, EFAULT, EPERM (type or keyring name starting with '.'),
 * ENODEV (no such type), ENOKEY/EKEYREVOKED/EKEYEXPIRED/EACCES (the
 * keyring), ENOTDIR, EDQUOT.
 */
long sys_add_key(struct task *t, struct sysargs *a)
{
	char type[32];
	size_t plen = a->a[3];
	int err;
	if (plen > KEY_MAX_PAYLOAD)
		return -EINVAL;
	if ((err = get_type(t, type, a->a[0])))
		return err;
	char *desc = NULL;
	if (a->a[1]) {
		desc = dup_user_string(t, a->a[1], &err);
		if (!desc)
			return err;
		if (!*desc) {
			free(desc);
			desc = NULL;
		} else if (desc[0] == '.' && !strncmp(type, "keyring", 7)) {
			free(desc);
			return -EPERM;
		}
	}
	long ret;
	void *payload = get_payload(t, a->a[2], plen, &err);
	if (!payload) {
		ret = err;
		goto out;
	}
	bool possessed;
	struct key *keyring = lookup_user_key(t, arg_int(a, 4), KEY_LOOKUP_CREATE, KEY_NEED_WRITE, &possessed, &err);
	if (!keyring) {
		ret = err;
		goto out;
	}
	ret = key_create_or_update(t, keyring, possessed, type, desc, payload, plen);
	key_put(keyring);
out:
	free(payload);
	free(desc);
	return ret;
}

/* Linux's construct_key_and_link, with no helper to run: a negative key
 * in the destination keyring, and ENOKEY. */
static long construct_negative(struct task *t, const struct key_type *type, const char *desc, struct key *dest)
{
	int err;
	if (type->is_keyring)
		return -EPERM;
	if (!dest)
		dest = default_dest_keyring(t);
	if (dest && (err = key_task_permission(t, dest, true, KEY_NEED_WRITE)))
		return err;
	struct key *k = key_alloc(type, desc, t->cred.fsuid, t->cred.fsgid, default_perm(type), false, &err);
	if (!k)
		return err;
	if (dest && (err = key_link(dest, k))) {
		key_put(k);
		return err;
	}
	k->state = -ENOKEY;
	k->expiry = key_now() + KEY_NEGATIVE_TIMEOUT;
	key_put(k);
	return -ENOKEY;
}

/*
 * sys_request_key - request_key(2): type, description, callout info,
 * destination keyring.  Searches the caller's keyrings; the key found is
 * linked into the destination.  Returns its serial or ENOKEY (none, or a
 * negative one), EKEYREVOKED, EKEYEXPIRED, EACCES, EFAULT, EINVAL, EPERM.
 */
long sys_request_key(struct task *t, struct sysargs *a)
{
	char type[32];
	int err;
	long ret;
	if ((err = get_type(t, type, a->a[0])))
		return err;
	char *desc = dup_user_string(t, a->a[1], &err), *callout = NULL;
	if (!desc)
		return err;
	if (a->a[2] && !(callout = dup_user_string(t, a->a[2], &err))) {
		ret = err;
		goto out;
	}
	struct key *dest = NULL;
	int32_t destid = arg_int(a, 3);
	if (destid && !(dest = lookup_user_key(t, destid, KEY_LOOKUP_CREATE, KEY_NEED_WRITE, NULL, &err))) {
		ret = err;
		goto out;
	}
	const struct key_type *ktype = key_type_lookup(type);
	if (!ktype) {
		ret = -ENOKEY;
		goto out_dest;
	}
	struct key *k = search_process_keyrings(t, ktype, desc, NULL,
					 KEYRING_SEARCH_DO_STATE_CHECK | KEYRING_SEARCH_SKIP_EXPIRED, &err);
	if (k) {
		ret = k->serial;
		if (dest) {
			err = key_task_permission(t, k, true, KEY_NEED_LINK);
			if (!err)
				err = key_link(dest, k);
			if (err)
				ret = err;
		}
	} else if (err != -EAGAIN) {
		ret = err;
	} else if (!callout) {
		ret = -ENOKEY;
	} else {
		ret = construct_negative(t, ktype, desc, dest);
	}
out_dest:
	key_put(dest);
out:
	free(callout);
	free(desc);
	return ret;
}

/* ---- keyctl(2) ---- */

static long keyctl_get_keyring_id(struct task *t, int32_t id, int create)
{
	int err;
	struct key *k = lookup_user_key(t, id, create ? KEY_LOOKUP_CREATE : 0, KEY_NEED_SEARCH, NULL, &err);
	if (!k)
		return err;
	long r = k->serial;
	key_put(k);
	return r;
}

static long keyctl_join(struct task *t, uint64_t uname)
{
	int err;
	if (!uname)
		return join_session_keyring(t, NULL);
	char *name = dup_user_string(t, uname, &err);
	if (!name)
		return err;
	long r = name[0] == '.' ? -EPERM : join_session_keyring(t, name);
	free(name);
	return r;
}

static long keyctl_update(struct task *t, int32_t id, uint64_t upayload, size_t plen)
{
	int err;
	if (plen > 4096)
		return -EINVAL;
	void *payload = get_payload(t, upayload, plen, &err);
	if (!payload)
		return err;
	bool possessed;
	struct key *k = lookup_user_key(t, id, 0, KEY_NEED_WRITE, &possessed, &err);
	long r;
	if (!k)
		r = err;
	else if (!k->type->can_update)
		r = -EOPNOTSUPP;
	else if ((r = k->type->preparse(plen ? payload : NULL, plen)) == 0)
		r = key_set_payload(k, payload, plen);
	key_put(k);
	free(payload);
	return r;
}

static long keyctl_revoke(struct task *t, int32_t id)
{
	int err;
	struct key *k = lookup_user_key(t, id, 0, KEY_NEED_WRITE, NULL, &err);
	if (!k && err == -EACCES)
		k = lookup_user_key(t, id, 0, KEY_NEED_SETATTR, NULL, &err);
	if (!k)
		return err;
	key_revoke(k);
	key_put(k);
	return 0;
}

static long keyctl_invalidate(struct task *t, int32_t id)
{
	int err;
	struct key *k = lookup_user_key(t, id, 0, KEY_NEED_SEARCH, NULL, &err);
	if (!k)
		return err;
	key_invalidate(k);
	key_put(k);
	return 0;
}

/* KEYCTL_CHOWN: moves the key's quota to its new owner (Linux's keyctl_chown_key) */
static long keyctl_chown(struct task *t, int32_t id, uint32_t user, uint32_t group)
{
	struct user_namespace *ns = t->user_ns ? t->user_ns : &init_user_ns;
	uint32_t uid = make_kuid(ns, user), gid = make_kgid(ns, group);
	int err;
	if ((user != (uint32_t)-1 && uid == (uint32_t)-1) || (group != (uint32_t)-1 && gid == (uint32_t)-1))
		return -EINVAL;
	if (user == (uint32_t)-1 && group == (uint32_t)-1)
		return 0;
	struct key *k = lookup_user_key(t, id, KEY_LOOKUP_CREATE | KEY_LOOKUP_PARTIAL, KEY_NEED_SETATTR, NULL, &err);
	if (!k)
		return err;
	long r = -EACCES;
	if (!capable(t, CAP_SYS_ADMIN)) {
		if (user != (uint32_t)-1 && k->uid != uid)
			goto out;
		if (group != (uint32_t)-1 && gid != k->gid && !in_group_p(t, gid))
			goto out;
	}
	if (user != (uint32_t)-1 && uid != k->uid) {
		struct key_user *nu = key_user_lookup(uid), *ou = k->user;
		size_t bytes = k->quotalen + k->datalen;
		r = -ENOMEM;
		if (!nu)
			goto out;
		if (k->flags & KEY_FLAG_IN_QUOTA) {
			long maxkeys = key_is_root_user(uid) ? key_quota_root_maxkeys : key_quota_maxkeys;
			long maxbytes = key_is_root_user(uid) ? key_quota_root_maxbytes : key_quota_maxbytes;
			r = -EDQUOT;
			if (nu->qnkeys + 1 > (unsigned long)maxkeys || nu->qnbytes + bytes > (size_t)maxbytes)
				goto out;
			nu->qnkeys++;
			nu->qnbytes += bytes;
			ou->qnkeys--;
			ou->qnbytes -= bytes;
		}
		ou->nkeys--;
		ou->nikeys--;
		nu->nkeys++;
		nu->nikeys++;
		k->user = nu;
		k->uid = uid;
	}
	if (group != (uint32_t)-1)
		k->gid = gid;
	r = 0;
out:
	key_put(k);
	return r;
}

static long keyctl_setperm(struct task *t, int32_t id, uint32_t perm)
{
	int err;
	if (perm & ~(uint32_t)(KEY_POS_ALL | KEY_USR_ALL | KEY_GRP_ALL | KEY_OTH_ALL))
		return -EINVAL;
	struct key *k = lookup_user_key(t, id, KEY_LOOKUP_CREATE | KEY_LOOKUP_PARTIAL, KEY_NEED_SETATTR, NULL, &err);
	if (!k)
		return err;
	long r = -EACCES;
	if (k->uid == t->cred.fsuid || capable(t, CAP_SYS_ADMIN)) {
		k->perm = perm;
		r = 0;
	}
	key_put(k);
	return r;
}

static long keyctl_describe(struct task *t, int32_t id, uint64_t ubuf, size_t buflen)
{
	int err;
	struct key *k = lookup_user_key(t, id, KEY_LOOKUP_PARTIAL, KEY_NEED_VIEW, NULL, &err);
	if (!k)
		return err;
	struct user_namespace *ns = t->user_ns ? t->user_ns : &init_user_ns;
	char *s = NULL;
	int n = asprintf(&s, "%s;%d;%d;%08x;%s", k->type->name, (int)from_kuid_munged(ns, k->uid),
			 (int)from_kgid_munged(ns, k->gid), k->perm, k->description);
	key_put(k);
	if (n < 0)
		return -ENOMEM;
	long r = copy_out(t, ubuf, buflen, s, (size_t)n + 1);   /* with its NUL */
	free(s);
	return r;
}

static long keyctl_clear(struct task *t, int32_t id)
{
	int err;
	struct key *k = lookup_user_key(t, id, KEY_LOOKUP_CREATE, KEY_NEED_WRITE, NULL, &err);
	if (!k)
		return err;
	long r = keyring_clear(k);
	key_put(k);
	return r;
}

static long keyctl_link(struct task *t, int32_t id, int32_t ringid)
{
	int err;
	struct key *ring = lookup_user_key(t, ringid, KEY_LOOKUP_CREATE, KEY_NEED_WRITE, NULL, &err);
	if (!ring)
		return err;
	struct key *k = lookup_user_key(t, id, KEY_LOOKUP_CREATE, KEY_NEED_LINK, NULL, &err);
	long r = k ? key_link(ring, k) : err;
	key_put(k);
	key_put(ring);
	return r;
}

static long keyctl_unlink(struct task *t, int32_t id, int32_t ringid)
{
	int err;
	struct key *ring = lookup_user_key(t, ringid, 0, KEY_NEED_WRITE, NULL, &err);
	if (!ring)
		return err;
	struct key *k = lookup_user_key(t, id, KEY_LOOKUP_FOR_UNLINK, 0, NULL, &err);
	long r = k ? key_unlink(ring, k) : err;
	key_put(k);
	key_put(ring);
	return r;
}

static long keyctl_move(struct task *t, int32_t id, int32_t fromid, int32_t toid, unsigned flags)
{
	int err;
	long r;
	if (flags & ~KEYCTL_MOVE_EXCL)
		return -EINVAL;
	struct key *k = lookup_user_key(t, id, KEY_LOOKUP_CREATE, KEY_NEED_LINK, NULL, &err), *from = NULL, *to = NULL;
	if (!k)
		return err;
	from = lookup_user_key(t, fromid, 0, KEY_NEED_WRITE, NULL, &err);
	if (!from) {
		r = err;
		goto out;
	}
	to = lookup_user_key(t, toid, KEY_LOOKUP_CREATE, KEY_NEED_WRITE, NULL, &err);
	if (!to) {
		r = err;
		goto out;
	}
	r = 0;
	if (from == to)
		goto out;
	if (!from->type->is_keyring || !to->type->is_keyring) {
		r = -ENOTDIR;
		goto out;
	}
	bool linked = false;
	for (int i = 0; i < from->nlinks; i++)
		linked |= from->links[i] == k;
	if (!linked) {
		r = -ENOENT;
		goto out;
	}
	if ((flags & KEYCTL_MOVE_EXCL) && keyring_find(to, k->type, k->description)) {
		r = -EEXIST;
		goto out;
	}
	r = key_link(to, k);
	if (!r)
		key_unlink(from, k);
out:
	key_put(to);
	key_put(from);
	key_put(k);
	return r;
}

static long keyctl_search(struct task *t, int32_t ringid, uint64_t utype, uint64_t udesc, int32_t destid)
{
	char type[32];
	int err;
	long r;
	if ((err = get_type(t, type, utype)))
		return err;
	char *desc = dup_user_string(t, udesc, &err);
	if (!desc)
		return err;
	bool possessed;
	struct key *ring = lookup_user_key(t, ringid, 0, KEY_NEED_SEARCH, &possessed, &err), *dest = NULL;
	if (!ring) {
		r = err;
		goto out;
	}
	if (destid && !(dest = lookup_user_key(t, destid, KEY_LOOKUP_CREATE, KEY_NEED_WRITE, NULL, &err))) {
		r = err;
		goto out;
	}
	const struct key_type *ktype = key_type_lookup(type);
	if (!ktype) {
		r = -ENOKEY;
		goto out;
	}
	struct key *k = keyring_search(t, ring, possessed, ktype, desc, NULL, KEYRING_SEARCH_DO_STATE_CHECK, &err);
	if (!k) {
		r = err == -EAGAIN ? -ENOKEY : err;
		goto out;
	}
	r = k->serial;
	if (dest) {
		err = key_task_permission(t, k, possessed, KEY_NEED_LINK);
		if (!err)
			err = key_link(dest, k);
		if (err)
			r = err;
	}
out:
	key_put(dest);
	key_put(ring);
	free(desc);
	return r;
}

static long keyctl_read(struct task *t, int32_t id, uint64_t ubuf, size_t buflen)
{
	int err;
	bool possessed;
	struct key *k = lookup_user_key(t, id, 0, KEY_DEFER_PERM_CHECK, &possessed, &err);
	if (!k)
		return -ENOKEY;
	long r;
	if (k->state < 0) {
		r = k->state;
		goto out;
	}
	r = key_task_permission(t, k, possessed, KEY_NEED_READ);
	if (r == -EACCES && possessed)
		r = 0;   /* a possessed key may be read if it is searchable */
	if (r)
		goto out;
	if (!k->type->can_read) {
		r = -EOPNOTSUPP;
		goto out;
	}
	if ((r = key_validate(k)))
		goto out;
	if (k->type->is_keyring) {
		int32_t *ids = malloc((k->nlinks ? k->nlinks : 1) * sizeof *ids);
		if (!ids) {
			r = -ENOMEM;
			goto out;
		}
		for (int i = 0; i < k->nlinks; i++)
			ids[i] = k->links[i]->serial;
		r = copy_out(t, ubuf, buflen, ids, k->nlinks * sizeof *ids);
		free(ids);
	} else {
		r = copy_out(t, ubuf, buflen, k->payload, k->plen);
	}
out:
	key_put(k);
	return r;
}

static long keyctl_set_reqkey_keyring(struct task *t, int reqkey)
{
	int old = t->jit_keyring, err;
	switch (reqkey) {
	case KEY_REQKEY_DEFL_THREAD_KEYRING:
		if ((err = install_thread_keyring(t)))
			return err;
		break;
	case KEY_REQKEY_DEFL_PROCESS_KEYRING:
		if ((err = install_process_keyring(t)))
			return err;
		break;
	case KEY_REQKEY_DEFL_DEFAULT:
	case KEY_REQKEY_DEFL_SESSION_KEYRING:
	case KEY_REQKEY_DEFL_USER_KEYRING:
	case KEY_REQKEY_DEFL_USER_SESSION_KEYRING:
	case KEY_REQKEY_DEFL_REQUESTOR_KEYRING:
		break;
	case KEY_REQKEY_DEFL_NO_CHANGE:
		return old;
	default:
		return -EINVAL;
	}
	t->jit_keyring = reqkey;
	return old;
}

static long keyctl_set_timeout(struct task *t, int32_t id, unsigned timeout)
{
	int err;
	struct key *k = lookup_user_key(t, id, KEY_LOOKUP_CREATE | KEY_LOOKUP_PARTIAL, KEY_NEED_SETATTR, NULL, &err);
	if (!k)
		return err;
	k->expiry = timeout ? key_now() + timeout : 0;
	key_put(k);
	return 0;
}

static long keyctl_get_security(struct task *t, int32_t id, uint64_t ubuf, size_t buflen)
{
	int err;
	struct key *k = lookup_user_key(t, id, KEY_LOOKUP_PARTIAL, KEY_NEED_VIEW, NULL, &err);
	if (!k)
		return err;
	key_put(k);
	/* no security module: an empty label */
	if (ubuf && buflen && copy_to_user(t, ubuf, "", 1))
		return -EFAULT;
	return 1;
}

/* KEYCTL_SESSION_TO_PARENT: the parent process takes the caller's session
 * keyring (Linux's keyctl_session_to_parent; applied at once here). */
static long keyctl_session_to_parent(struct task *t)
{
	int err;
	struct key *ses = lookup_user_key(t, KEY_SPEC_SESSION_KEYRING, 0, KEY_NEED_LINK, NULL, &err);
	if (!ses)
		return err;
	struct task *p = t->tg->leader->parent;
	long r = -EPERM;
	if (!p || p == init_task || p->tg->nr_threads != 1 || p->state == TASK_ZOMBIE)
		goto out;
	r = 0;
	if (p->session_keyring == ses)
		goto out;
	r = -EPERM;
	if (p->cred.uid != t->cred.euid || p->cred.euid != t->cred.euid || p->cred.suid != t->cred.euid ||
	    p->cred.gid != t->cred.egid || p->cred.egid != t->cred.egid || p->cred.sgid != t->cred.egid)
		goto out;
	if (p->session_keyring && p->session_keyring->uid != t->cred.euid && t->cred.euid != 0)
		goto out;
	key_put(p->session_keyring);
	p->session_keyring = key_get(ses);
	r = 0;
out:
	key_put(ses);
	return r;
}

static long keyctl_restrict(struct task *t, int32_t id, uint64_t utype, uint64_t urestriction)
{
	int err;
	struct key *k = lookup_user_key(t, id, 0, KEY_NEED_SETATTR, NULL, &err);
	if (!k)
		return err;
	long r;
	if (!k->type->is_keyring) {
		r = -ENOTDIR;
	} else if (!utype) {
		/* no type: the keyring takes no more links */
		r = urestriction ? -EINVAL : 0;
		if (!r) {
			if (k->flags & KEY_FLAG_RESTRICTED)
				r = -EEXIST;
			else
				k->flags |= KEY_FLAG_RESTRICTED;
		}
	} else {
		char type[32];
		if ((r = get_type(t, type, utype)) == 0)
			r = key_type_lookup(type) ? -EOPNOTSUPP : -ENOENT;
	}
	key_put(k);
	return r;
}

/*
 * sys_keyctl - keyctl(2): cmd, then up to four arguments as each
 * command takes them (Linux's keyctl.c; keyctl(2) and its pages per
 * command).  Commands umk does not offer return EOPNOTSUPP, as a kernel
 * built without them.
 */
long sys_keyctl(struct task *t, struct sysargs *a)
{
	int cmd = arg_int(a, 0);
	uint64_t a2 = a->a[1], a3 = a->a[2], a4 = a->a[3], a5 = a->a[4];
	switch (cmd) {
	case KEYCTL_GET_KEYRING_ID:
		return keyctl_get_keyring_id(t, (int32_t)a2, (int)a3);
	case KEYCTL_JOIN_SESSION_KEYRING:
		return keyctl_join(t, a2);
	case KEYCTL_UPDATE:
		return keyctl_update(t, (int32_t)a2, a3, a4);
	case KEYCTL_REVOKE:
		return keyctl_revoke(t, (int32_t)a2);
	case KEYCTL_CHOWN:
		return keyctl_chown(t, (int32_t)a2, (uint32_t)a3, (uint32_t)a4);
	case KEYCTL_SETPERM:
		return keyctl_setperm(t, (int32_t)a2, (uint32_t)a3);
	case KEYCTL_DESCRIBE:
		return keyctl_describe(t, (int32_t)a2, a3, a4);
	case KEYCTL_CLEAR:
		return keyctl_clear(t, (int32_t)a2);
	case KEYCTL_LINK:
		return keyctl_link(t, (int32_t)a2, (int32_t)a3);
	case KEYCTL_UNLINK:
		return keyctl_unlink(t, (int32_t)a2, (int32_t)a3);
	case KEYCTL_SEARCH:
		return keyctl_search(t, (int32_t)a2, a3, a4, (int32_t)a5);
	case KEYCTL_READ:
		return keyctl_read(t, (int32_t)a2, a3, a4);
	case KEYCTL_INSTANTIATE:
	case KEYCTL_INSTANTIATE_IOV:
		/* only a request-key helper holding the authorisation key may */
		if (cmd == KEYCTL_INSTANTIATE && a4 > KEY_MAX_PAYLOAD)
			return -EINVAL;
		return -EPERM;
	case KEYCTL_NEGATE:
		return -EPERM;
	case KEYCTL_REJECT: {
		unsigned error = (unsigned)a4;
		if (error == 0 || error >= 4096 || error == ERESTARTSYS || error == ERESTARTNOINTR ||
		    error == ERESTARTNOHAND || error == ERESTART_RESTARTBLOCK)
			return -EINVAL;
		return -EPERM;
	}
	case KEYCTL_SET_REQKEY_KEYRING:
		return keyctl_set_reqkey_keyring(t, (int)a2);
	case KEYCTL_SET_TIMEOUT:
		return keyctl_set_timeout(t, (int32_t)a2, (unsigned)a3);
	case KEYCTL_ASSUME_AUTHORITY:
		if ((int32_t)a2 < 0)
			return -EINVAL;
		return (int32_t)a2 == 0 ? 0 : -ENOKEY;
	case KEYCTL_GET_SECURITY:
		return keyctl_get_security(t, (int32_t)a2, a3, a4);
	case KEYCTL_SESSION_TO_PARENT:
		return keyctl_session_to_parent(t);
	case KEYCTL_INVALIDATE:
		return keyctl_invalidate(t, (int32_t)a2);
	case KEYCTL_RESTRICT_KEYRING:
		return keyctl_restrict(t, (int32_t)a2, a3, a4);
	case KEYCTL_MOVE:
		return keyctl_move(t, (int32_t)a2, (int32_t)a3, (int32_t)a4, (unsigned)a5);
	case KEYCTL_CAPABILITIES: {
		uint8_t caps[2] = { KEYCTL_CAPS0_CAPABILITIES | KEYCTL_CAPS0_INVALIDATE |
					    KEYCTL_CAPS0_RESTRICT_KEYRING | KEYCTL_CAPS0_MOVE, 0 };
		size_t n = a3 < sizeof caps ? a3 : sizeof caps;
		if (a2 && n && copy_to_user(t, a2, caps, n))
			return -EFAULT;
		return sizeof caps;
	}
	default:
		/* GET_PERSISTENT, DH_COMPUTE, PKEY_*, WATCH_KEY, unknown */
		return -EOPNOTSUPP;
	}
}
