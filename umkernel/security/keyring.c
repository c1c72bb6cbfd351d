/*
 * keyring.c - keyrings (Linux's security/keys/keyring.c and
 * permission.c): links from a keyring to keys (one per type and
 * description: a new link replaces the old), cycle checks, the
 * depth-first search of nested keyrings that request_key, KEYCTL_SEARCH
 * and the possession test use, and the permission check every keyctl
 * makes.
 *
 * Lock: klock, held by every caller.
 */
#include "keys.h"
#include <stdlib.h>
#include <string.h>

/*
 * key_task_permission - Linux's key_task_permission: the owner gets the
 * user bits, a member of the key's group the group bits, others the
 * other bits; a possessor adds the possessor bits.  Root gets nothing
 * more.  need: KEY_NEED_* bits.  0 or -EACCES.
 */
int key_task_permission(struct task *t, const struct key *key, bool possessed, unsigned need)
{
	unsigned kperm;
	if (key->uid == t->cred.fsuid)
		kperm = key->perm >> 16;
	else if (key->gid != (uint32_t)-1 && (key->perm & KEY_GRP_ALL) && in_group_p(t, key->gid))
		kperm = key->perm >> 8;
	else
		kperm = key->perm;
	if (possessed)
		kperm |= key->perm >> 24;
	kperm &= need & 0x3f;
	return kperm == need ? 0 : -EACCES;
}

struct key *keyring_find(struct key *keyring, const struct key_type *type, const char *desc)
{
	for (int i = 0; i < keyring->nlinks; i++) {
		struct key *k = keyring->links[i];
		if (k->type == type && !strcmp(k->description, desc))
			return k;
	}
	return NULL;
}

/* Is `target` reachable from `from` (itself included)?  -EDEADLK if so,
 * -ELOOP if the nesting goes deeper than Linux searches, else 0. */
static int reachable(const struct key *from, const struct key *target, int depth)
{
	if (from == target)
		return -EDEADLK;
	if (depth >= KEYRING_SEARCH_MAX_DEPTH)
		return -ELOOP;
	for (int i = 0; i < from->nlinks; i++) {
		const struct key *k = from->links[i];
		if (!k->type->is_keyring)
			continue;
		int err = reachable(k, target, depth + 1);
		if (err)
			return err;
	}
	return 0;
}

int key_link(struct key *keyring, struct key *key)
{
	if (!keyring->type->is_keyring)
		return -ENOTDIR;
	if (keyring->flags & (KEY_FLAG_REVOKED | KEY_FLAG_INVALIDATED))
		return -EKEYREVOKED;
	if (key->flags & KEY_FLAG_INVALIDATED)
		return -ENOKEY;
	if (keyring->flags & KEY_FLAG_RESTRICTED)
		return -EPERM;
	if (key->type->is_keyring) {
		/* keyring must not be reachable from key (Linux's
		 * keyring_detect_cycle) */
		int err = reachable(key, keyring, 0);
		if (err)
			return err;
	}
	for (int i = 0; i < keyring->nlinks; i++) {
		struct key *old = keyring->links[i];
		if (old->type == key->type && !strcmp(old->description, key->description)) {
			/* replaced in place: no more quota */
			keyring->links[i] = key_get(key);
			key_put(old);
			return 0;
		}
	}
	if (keyring->nlinks == keyring->maxlinks) {
		int cap = keyring->maxlinks ? keyring->maxlinks * 2 : 8;
		if (cap > 65534)
			return -ENFILE;
		struct key **v = realloc(keyring->links, cap * sizeof *v);
		if (!v)
			return -ENOMEM;
		keyring->links = v;
		keyring->maxlinks = cap;
	}
	int err = key_payload_reserve(keyring, keyring->datalen + KEYQUOTA_LINK_BYTES);
	if (err)
		return err;
	keyring->links[keyring->nlinks++] = key_get(key);
	return 0;
}

int key_unlink(struct key *keyring, struct key *key)
{
	if (!keyring->type->is_keyring)
		return -ENOTDIR;
	for (int i = 0; i < keyring->nlinks; i++)
		if (keyring->links[i] == key) {
			memmove(&keyring->links[i], &keyring->links[i + 1],
				(keyring->nlinks - i - 1) * sizeof *keyring->links);
			keyring->nlinks--;
			key_payload_reserve(keyring, keyring->datalen >= KEYQUOTA_LINK_BYTES
							     ? keyring->datalen - KEYQUOTA_LINK_BYTES : 0);
			key_put(key);
			return 0;
		}
	return -ENOENT;
}

int keyring_clear(struct key *keyring)
{
	if (!keyring->type->is_keyring)
		return -ENOTDIR;
	struct key **links = keyring->links;
	int n = keyring->nlinks;
	keyring->links = NULL;
	keyring->nlinks = keyring->maxlinks = 0;
	key_payload_reserve(keyring, 0);
	for (int i = 0; i < n; i++)
		key_put(links[i]);
	free(links);
	return 0;
}

struct search_ctx {
	struct task *t;
	const struct key_type *type;
	const char *desc;
	const struct key *want;       /* a possession test: this very key */
	unsigned flags;               /* KEYRING_SEARCH_* */
	int64_t now;
	int err;                      /* what was skipped last */
};

/* One candidate of the right type and description (Linux's
 * keyring_search_iterator): 1 found, 0 skipped. */
static int search_candidate(struct search_ctx *c, struct key *k, bool possessed)
{
	if (c->want && k != c->want)
		return 0;
	if (c->flags & KEYRING_SEARCH_DO_STATE_CHECK) {
		if (k->flags & (KEY_FLAG_INVALIDATED | KEY_FLAG_REVOKED)) {
			c->err = -EKEYREVOKED;
			return 0;
		}
		if (k->expiry && c->now >= k->expiry) {
			if (!(c->flags & KEYRING_SEARCH_SKIP_EXPIRED))
				c->err = -EKEYEXPIRED;
			return 0;
		}
	}
	if (key_task_permission(c->t, k, possessed, KEY_NEED_SEARCH)) {
		c->err = -EACCES;
		return 0;
	}
	if ((c->flags & KEYRING_SEARCH_DO_STATE_CHECK) && k->state < 0) {
		c->err = k->state;
		return 0;
	}
	return 1;
}

static struct key *search_nested(struct search_ctx *c, struct key *keyring, bool possessed, int depth)
{
	if (keyring->flags & (KEY_FLAG_INVALIDATED | KEY_FLAG_REVOKED))
		return NULL;
	for (int i = 0; i < keyring->nlinks; i++) {
		struct key *k = keyring->links[i];
		if (k->type == c->type && !strcmp(k->description, c->desc) && search_candidate(c, k, possessed))
			return k;
	}
	if (depth + 1 >= KEYRING_SEARCH_MAX_DEPTH)
		return NULL;
	for (int i = 0; i < keyring->nlinks; i++) {
		struct key *k = keyring->links[i];
		if (!k->type->is_keyring || key_task_permission(c->t, k, possessed, KEY_NEED_SEARCH))
			continue;
		struct key *found = search_nested(c, k, possessed, depth + 1);
		if (found)
			return found;
	}
	return NULL;
}

struct key *keyring_search(struct task *t, struct key *keyring, bool possessed,
			   const struct key_type *type, const char *desc, const struct key *want,
			   unsigned flags, int *err)
{
	struct search_ctx c = { .t = t, .type = type, .desc = desc, .want = want,
				.flags = flags, .now = key_now(), .err = -EAGAIN };
	if (!keyring->type->is_keyring) {
		*err = -ENOTDIR;
		return NULL;
	}
	int e = key_task_permission(t, keyring, possessed, KEY_NEED_SEARCH);
	if (e) {
		*err = e;
		return NULL;
	}
	/* the keyring itself is a candidate (a keyring looked up by name) */
	if (keyring->type == type && !strcmp(keyring->description, desc) && (!want || keyring == want)) {
		if (search_candidate(&c, keyring, possessed))
			return keyring;
		*err = c.err;
		return NULL;
	}
	struct key *k = search_nested(&c, keyring, possessed, 0);
	if (!k)
		*err = c.err;
	return k;
}

struct name_ctx { struct task *t; const char *name; struct key *found; };

static void match_name(struct key *k, void *arg)
{
	struct name_ctx *c = arg;
	if (c->found || !(k->flags & KEY_FLAG_PUBLISHED) || (k->flags & (KEY_FLAG_REVOKED | KEY_FLAG_INVALIDATED)) ||
	    strcmp(k->description, c->name))
		return;
	if (key_task_permission(c->t, k, false, KEY_NEED_SEARCH))
		return;
	c->found = k;
}

/* find_keyring_by_name: a named keyring t may search, not a user's own
 * keyring (Linux's find_keyring_by_name with uid_keyring false) */
struct key *find_keyring_by_name(struct task *t, const char *name)
{
	struct name_ctx c = { t, name, NULL };
	key_for_each(match_name, &c);
	return c.found;
}
