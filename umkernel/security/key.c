/*
 * key.c - key objects (Linux's security/keys/key.c, user_defined.c,
 * proc.c): the key types umk offers ("keyring", "user", "logon"), serial
 * numbers, reference counting, the per-user quota of keys and bytes
 * (/proc/sys/kernel/keys/{maxkeys,maxbytes,root_maxkeys,root_maxbytes}),
 * revocation and invalidation, and the /proc files that show them.
 *
 * A key's serial is a random positive 31-bit number (>= 3), as Linux's.
 * The bytes charged to its owner are its description plus one, then its
 * payload (a keyring: 4 bytes a link), as Linux's key_alloc and
 * key_payload_reserve count them.
 *
 * Lock: klock, held by every caller.
 */
#include "keys.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

long key_quota_maxkeys = 200;
long key_quota_maxbytes = 20000;
long key_quota_root_maxkeys = 1000000;
long key_quota_root_maxbytes = 25000000;
long key_gc_delay = 5 * 60;
long key_persistent_expiry = 3 * 24 * 3600;

#define KEY_HASH_SIZE 1024
static struct key *key_hash[KEY_HASH_SIZE];
static struct key_user *key_users;
static int nr_keys;

/* ---- types ---- */

static int keyring_preparse(const void *data, size_t len)
{
	(void)data;
	return len ? -EINVAL : 0;
}

/* user_preparse: 1..32767 bytes (Linux's user_defined.c) */
static int user_preparse(const void *data, size_t len)
{
	if (len == 0 || len > 32767 || !data)
		return -EINVAL;
	return 0;
}

/* logon_vet_description: "service:" prefix required */
static int logon_vet_description(const char *desc)
{
	const char *p = strchr(desc, ':');
	return !p || p == desc ? -EINVAL : 0;
}

const struct key_type key_type_keyring = {
	.name = "keyring", .is_keyring = true, .can_read = true, .preparse = keyring_preparse,
};
static const struct key_type key_type_user = {
	.name = "user", .can_read = true, .can_update = true, .preparse = user_preparse,
};
static const struct key_type key_type_logon = {
	.name = "logon", .can_update = true, .preparse = user_preparse,
	.vet_description = logon_vet_description,
};
static const struct key_type *const key_types[] = { &key_type_keyring, &key_type_user, &key_type_logon };

/* key_type_lookup: a registered type, or NULL (Linux: -ENOKEY) */
const struct key_type *key_type_lookup(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(key_types); i++)
		if (!strcmp(key_types[i]->name, name))
			return key_types[i];
	return NULL;
}

/* ---- users and quota ---- */

bool key_is_root_user(uint32_t uid)
{
	return uid == 0;
}

/* key_user_lookup: uid's record, made on first use (NULL: out of memory) */
struct key_user *key_user_lookup(uint32_t uid)
{
	struct key_user *u;
	for (u = key_users; u; u = u->next)
		if (u->uid == uid)
			return u;
	u = calloc(1, sizeof *u);
	if (!u)
		return NULL;
	u->uid = uid;
	/* kept sorted by uid, as Linux's rb-tree shows them */
	struct key_user **pp = &key_users;
	while (*pp && (*pp)->uid < uid)
		pp = &(*pp)->next;
	u->next = *pp;
	*pp = u;
	return u;
}

static long maxkeys_of(uint32_t uid)
{
	return key_is_root_user(uid) ? key_quota_root_maxkeys : key_quota_maxkeys;
}

static long maxbytes_of(uint32_t uid)
{
	return key_is_root_user(uid) ? key_quota_root_maxbytes : key_quota_maxbytes;
}

/*
 * key_payload_reserve - sets what key's payload is charged (Linux's
 * key_payload_reserve): -EDQUOT if growing it passes the owner's byte
 * quota (keys outside the quota are never refused).
 */
int key_payload_reserve(struct key *key, size_t datalen)
{
	if (key->flags & KEY_FLAG_IN_QUOTA) {
		struct key_user *u = key->user;
		if (datalen > key->datalen) {
			size_t delta = datalen - key->datalen;
			if (u->qnbytes + delta > (size_t)maxbytes_of(u->uid))
				return -EDQUOT;
			u->qnbytes += delta;
		} else {
			u->qnbytes -= key->datalen - datalen;
		}
	}
	key->datalen = datalen;
	return 0;
}

/* ---- serials ---- */

static uint64_t serial_rng;

static int32_t next_serial(void)
{
	if (!serial_rng) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		serial_rng = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ 0x9e3779b97f4a7c15ULL;
	}
	for (;;) {
		/* xorshift64*: uniform enough for ids */
		serial_rng ^= serial_rng >> 12;
		serial_rng ^= serial_rng << 25;
		serial_rng ^= serial_rng >> 27;
		int32_t s = (int32_t)((serial_rng * 0x2545F4914F6CDD1DULL) >> 33);
		if (s >= 3 && !key_lookup(s))
			return s;
	}
}

struct key *key_lookup(int32_t serial)
{
	if (serial <= 0)
		return NULL;
	for (struct key *k = key_hash[(uint32_t)serial % KEY_HASH_SIZE]; k; k = k->hnext)
		if (k->serial == serial)
			return k;
	return NULL;
}

void key_for_each(void (*fn)(struct key *, void *), void *arg)
{
	for (int i = 0; i < KEY_HASH_SIZE; i++)
		for (struct key *k = key_hash[i], *n; k; k = n) {
			n = k->hnext;
			fn(k, arg);
		}
}

/* ---- life ---- */

int64_t key_now(void)
{
	return (int64_t)(now_ns(CLOCK_REALTIME_COARSE) / 1000000000ULL);   /* the guest's clock */
}

struct key *key_alloc(const struct key_type *type, const char *desc, uint32_t uid, uint32_t gid,
		      uint32_t perm, bool quota_overrun, int *err)
{
	size_t desclen = strlen(desc);
	struct key_user *u = key_user_lookup(uid);
	if (!u) {
		*err = -ENOMEM;
		return NULL;
	}
	size_t quotalen = desclen + 1;
	if (!quota_overrun &&
	    (u->qnkeys + 1 > (unsigned long)maxkeys_of(uid) ||
	     u->qnbytes + quotalen > (size_t)maxbytes_of(uid))) {
		*err = -EDQUOT;
		return NULL;
	}
	struct key *k = calloc(1, sizeof *k);
	if (!k || !(k->description = strdup(desc))) {
		free(k);
		*err = -ENOMEM;
		return NULL;
	}
	k->serial = next_serial();
	k->refs = 1;
	k->type = type;
	k->uid = uid;
	k->gid = gid;
	k->perm = perm;
	k->user = u;
	k->quotalen = quotalen;
	k->flags = KEY_FLAG_IN_QUOTA;
	u->qnkeys++;
	u->qnbytes += quotalen;
	u->nkeys++;
	u->nikeys++;   /* every key umk makes is instantiated at once */
	struct key **slot = &key_hash[(uint32_t)k->serial % KEY_HASH_SIZE];
	k->hnext = *slot;
	*slot = k;
	nr_keys++;
	return k;
}

struct key *key_get(struct key *key)
{
	if (key)
		key->refs++;
	return key;
}

static void key_destroy(struct key *key)
{
	struct key **pp = &key_hash[(uint32_t)key->serial % KEY_HASH_SIZE];
	while (*pp != key)
		pp = &(*pp)->hnext;
	*pp = key->hnext;
	nr_keys--;
	struct key_user *u = key->user;
	if (key->flags & KEY_FLAG_IN_QUOTA) {
		u->qnkeys--;
		u->qnbytes -= key->quotalen + key->datalen;
	}
	u->nkeys--;
	u->nikeys--;
	/* a keyring's links go with it */
	for (int i = 0; i < key->nlinks; i++)
		key_put(key->links[i]);
	free(key->links);
	free(key->payload);
	free(key->description);
	free(key);
}

void key_put(struct key *key)
{
	if (key && --key->refs == 0)
		key_destroy(key);
}

/* key_set_payload: a user or logon key's data, charged as its payload */
int key_set_payload(struct key *key, const void *data, size_t len)
{
	void *copy = malloc(len ? len : 1);
	if (!copy)
		return -ENOMEM;
	int err = key_payload_reserve(key, len);
	if (err) {
		free(copy);
		return err;
	}
	memcpy(copy, data, len);
	free(key->payload);
	key->payload = copy;
	key->plen = len;
	key->state = 0;
	return 0;
}

int key_validate(const struct key *key)
{
	if (key->flags & KEY_FLAG_INVALIDATED)
		return -ENOKEY;
	if (key->flags & KEY_FLAG_REVOKED)
		return -EKEYREVOKED;
	if (key->expiry && key_now() >= key->expiry)
		return -EKEYEXPIRED;
	return 0;
}

/* key_revoke: the key stays (and keeps its links) but can no longer be
 * used; a user key drops its payload, as Linux's user_revoke. */
void key_revoke(struct key *key)
{
	if (key->flags & KEY_FLAG_REVOKED)
		return;
	key->flags |= KEY_FLAG_REVOKED;
	if (!key->type->is_keyring) {
		key_payload_reserve(key, 0);
		free(key->payload);
		key->payload = NULL;
		key->plen = 0;
	}
}

struct unlink_ctx { struct key *victim; };

static void unlink_from(struct key *ring, void *arg)
{
	struct unlink_ctx *c = arg;
	if (ring->type->is_keyring && ring != c->victim)
		while (key_unlink(ring, c->victim) == 0)
			;
}

/* key_invalidate: the key disappears from every keyring now (Linux's
 * garbage collector does it at once for invalidated keys). */
void key_invalidate(struct key *key)
{
	key->flags |= KEY_FLAG_INVALIDATED;
	struct unlink_ctx c = { key };
	key_get(key);
	key_for_each(unlink_from, &c);
	key_put(key);
}

/* ---- /proc ---- */

struct proc_buf { char *s; size_t len, cap; };

static void pb_printf(struct proc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void pb_printf(struct proc_buf *b, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (b->s && b->len + n < b->cap) {
			b->len += n;
			return;
		}
		size_t cap = (b->cap ? b->cap * 2 : 4096) + n;
		char *s = realloc(b->s, cap);
		if (!s)
			return;
		b->s = s;
		b->cap = cap;
	}
}

struct proc_keys_ctx { struct task *t; struct key **v; int n, cap; };

static void collect_key(struct key *k, void *arg)
{
	struct proc_keys_ctx *c = arg;
	if (c->n == c->cap) {
		int cap = c->cap ? c->cap * 2 : 64;
		struct key **v = realloc(c->v, cap * sizeof *v);
		if (!v)
			return;
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = k;
}

static int cmp_serial(const void *a, const void *b)
{
	int32_t x = (*(struct key *const *)a)->serial, y = (*(struct key *const *)b)->serial;
	return x < y ? -1 : x > y;
}

/* /proc/keys: the keys the reader may view, by serial (Linux's proc_keys_show) */
static void show_proc_keys(struct task *t, struct proc_buf *b)
{
	struct proc_keys_ctx c = { .t = t };
	key_for_each(collect_key, &c);
	if (c.n)   /* qsort of NULL, 0 is undefined */
		qsort(c.v, c.n, sizeof *c.v, cmp_serial);
	struct user_namespace *ns = t->user_ns ? t->user_ns : &init_user_ns;
	int64_t now = key_now();
	for (int i = 0; i < c.n; i++) {
		struct key *k = c.v[i];
		int err;
		bool possessed = search_process_keyrings(t, k->type, k->description, k, 0, &err) != NULL;
		if (key_task_permission(t, k, possessed, KEY_NEED_VIEW))
			continue;
		char xbuf[16];
		if (!k->expiry)
			snprintf(xbuf, sizeof xbuf, "perm");
		else if (now >= k->expiry)
			snprintf(xbuf, sizeof xbuf, "expd");
		else {
			int64_t left = k->expiry - now;
			if (left < 60)
				snprintf(xbuf, sizeof xbuf, "%llds", (long long)left);
			else if (left < 3600)
				snprintf(xbuf, sizeof xbuf, "%lldm", (long long)left / 60);
			else if (left < 86400)
				snprintf(xbuf, sizeof xbuf, "%lldh", (long long)left / 3600);
			else if (left < 86400 * 7)
				snprintf(xbuf, sizeof xbuf, "%lldd", (long long)left / 86400);
			else
				snprintf(xbuf, sizeof xbuf, "%lldw", (long long)left / (86400 * 7));
		}
		pb_printf(b, "%08x %c%c%c%c%c%c%c %5d %4s %08x %5d %5d %-9.9s ", (unsigned)k->serial, 'I',
			  k->flags & KEY_FLAG_REVOKED ? 'R' : '-', '-',
			  k->flags & KEY_FLAG_IN_QUOTA ? 'Q' : '-', '-', k->state < 0 ? 'N' : '-',
			  k->flags & KEY_FLAG_INVALIDATED ? 'i' : '-', k->refs, xbuf, k->perm,
			  (int)from_kuid_munged(ns, k->uid), (int)from_kgid_munged(ns, k->gid), k->type->name);
		if (k->type->is_keyring) {
			pb_printf(b, "%s", k->description);
			if (k->state == 0) {
				if (k->nlinks)
					pb_printf(b, ": %d", k->nlinks);
				else
					pb_printf(b, ": empty");
			}
		} else {
			pb_printf(b, "%s", k->description);
			if (k->state == 0)
				pb_printf(b, ": %zu", k->datalen);
		}
		pb_printf(b, "\n");
	}
	free(c.v);
}

/* /proc/key-users (Linux's proc_key_users_show) */
static void show_key_users(struct task *t, struct proc_buf *b)
{
	struct user_namespace *ns = t->user_ns ? t->user_ns : &init_user_ns;
	for (struct key_user *u = key_users; u; u = u->next) {
		if (!u->nkeys)
			continue;
		pb_printf(b, "%5u: %5d %d/%d %u/%ld %zu/%ld\n", from_kuid_munged(ns, u->uid), u->nkeys + 1,
			  u->nkeys, u->nikeys, u->qnkeys, maxkeys_of(u->uid), u->qnbytes, maxbytes_of(u->uid));
	}
}

static long *keys_sysctl(const char *name, long *min)
{
	static const struct { const char *name; long *var; long min; } tab[] = {
		{ "sys/kernel/keys/maxkeys", &key_quota_maxkeys, 0 },
		{ "sys/kernel/keys/maxbytes", &key_quota_maxbytes, 0 },
		{ "sys/kernel/keys/root_maxkeys", &key_quota_root_maxkeys, 0 },
		{ "sys/kernel/keys/root_maxbytes", &key_quota_root_maxbytes, 0 },
		{ "sys/kernel/keys/gc_delay", &key_gc_delay, 0 },
		{ "sys/kernel/keys/persistent_keyring_expiry", &key_persistent_expiry, 0 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(tab); i++)
		if (!strcmp(tab[i].name, name)) {
			*min = tab[i].min;
			return tab[i].var;
		}
	return NULL;
}

int keys_proc_read(struct task *t, const char *name, char **text)
{
	struct proc_buf b = { 0 };
	long min, *var;
	if (!strcmp(name, "keys"))
		show_proc_keys(t, &b);
	else if (!strcmp(name, "key-users"))
		show_key_users(t, &b);
	else if ((var = keys_sysctl(name, &min)))
		pb_printf(&b, "%ld\n", *var);
	else
		return -ENOENT;
	pb_printf(&b, "%s", "");
	if (!b.s)
		return -ENOMEM;
	*text = b.s;
	return 0;
}

/* /proc/sys/kernel/keys/NAME: an int of 0..INT_MAX (Linux's
 * proc_dointvec_minmax with SYSCTL_ZERO..SYSCTL_INT_MAX); root only */
int keys_proc_write(struct task *t, const char *name, const char *buf, size_t n)
{
	long min, v, *var = keys_sysctl(name, &min);
	if (!var)
		return -EACCES;
	if (!capable(t, CAP_SYS_ADMIN))
		return -EPERM;
	int err = sysctl_parse_long(buf, n, min, 0x7fffffff, &v);
	if (err)
		return err;
	*var = v;
	return 0;
}
