/*
 * security/keys.h - the key retention service's interface (Linux's
 * security/keys, keyrings(7)): keys and keyrings kept per guest, the
 * add_key/request_key/keyctl syscalls (keyctl.c), the keyrings of a
 * task (process_keys.c: thread, process, session, and the per-user
 * keyrings), key objects with their serials, permissions and quotas
 * (key.c), keyring links and searches (keyring.c), and /proc/keys,
 * /proc/key-users and /proc/sys/kernel/keys.
 *
 * In a nutshell: a key has a type ("keyring", "user" or "logon"), a
 * description, an owner, a 32-bit permission mask (possessor, user,
 * group, other: view read write search link setattr), an optional
 * expiry, and a payload (a keyring's payload is its links).  Keys live
 * while referenced: by a keyring's link, a task's thread or session
 * keyring, a thread group's process keyring, or a user's two keyrings;
 * the last reference gone, the key goes at once (Linux's garbage
 * collector does the same a little later) and gives its quota back.  A
 * key reachable from the caller's own keyrings through searchable
 * keyrings is "possessed" and gets the possessor permissions too.
 *
 * Hooks other subsystems call: keys_fork() from clone, keys_exec() from
 * execve, keys_exit() when a task goes, keys_proc_read/write for
 * fs/procfs.c.
 *
 * Lock: klock, held by every caller.
 */
#ifndef UMK_SECURITY_KEYS_H
#define UMK_SECURITY_KEYS_H

#include "../kernel.h"

/* Linux's numbers (include/uapi/linux/keyctl.h, include/linux/key.h) */
#define KEY_SPEC_THREAD_KEYRING       -1
#define KEY_SPEC_PROCESS_KEYRING      -2
#define KEY_SPEC_SESSION_KEYRING      -3
#define KEY_SPEC_USER_KEYRING         -4
#define KEY_SPEC_USER_SESSION_KEYRING -5
#define KEY_SPEC_GROUP_KEYRING        -6
#define KEY_SPEC_REQKEY_AUTH_KEY      -7
#define KEY_SPEC_REQUESTOR_KEYRING    -8

#define KEY_REQKEY_DEFL_NO_CHANGE          -1
#define KEY_REQKEY_DEFL_DEFAULT            0
#define KEY_REQKEY_DEFL_THREAD_KEYRING     1
#define KEY_REQKEY_DEFL_PROCESS_KEYRING    2
#define KEY_REQKEY_DEFL_SESSION_KEYRING    3
#define KEY_REQKEY_DEFL_USER_KEYRING       4
#define KEY_REQKEY_DEFL_USER_SESSION_KEYRING 5
#define KEY_REQKEY_DEFL_GROUP_KEYRING      6
#define KEY_REQKEY_DEFL_REQUESTOR_KEYRING  7

#define KEY_POS_VIEW    0x01000000
#define KEY_POS_READ    0x02000000
#define KEY_POS_WRITE   0x04000000
#define KEY_POS_SEARCH  0x08000000
#define KEY_POS_LINK    0x10000000
#define KEY_POS_SETATTR 0x20000000
#define KEY_POS_ALL     0x3f000000
#define KEY_USR_VIEW    0x00010000
#define KEY_USR_READ    0x00020000
#define KEY_USR_WRITE   0x00040000
#define KEY_USR_SEARCH  0x00080000
#define KEY_USR_LINK    0x00100000
#define KEY_USR_SETATTR 0x00200000
#define KEY_USR_ALL     0x003f0000
#define KEY_GRP_ALL     0x00003f00
#define KEY_OTH_ALL     0x0000003f
/* what an operation needs (one bit of a 6-bit group) */
#define KEY_NEED_VIEW    0x01
#define KEY_NEED_READ    0x02
#define KEY_NEED_WRITE   0x04
#define KEY_NEED_SEARCH  0x08
#define KEY_NEED_LINK    0x10
#define KEY_NEED_SETATTR 0x20

/* key flags */
#define KEY_FLAG_REVOKED     0x01
#define KEY_FLAG_INVALIDATED 0x02
#define KEY_FLAG_IN_QUOTA    0x04
#define KEY_FLAG_UID_KEYRING 0x08   /* a user's keyring or user session keyring */
#define KEY_FLAG_RESTRICTED  0x10   /* KEYCTL_RESTRICT_KEYRING with no type: no more links */
#define KEY_FLAG_PUBLISHED   0x20   /* a named keyring that join_session_keyring finds */

#define KEYQUOTA_LINK_BYTES  4      /* a link in a keyring is worth 4 bytes */
#define KEY_NEGATIVE_TIMEOUT 60     /* seconds a negative key lasts (key_negative_timeout) */
#define KEYRING_SEARCH_MAX_DEPTH 6

struct key;
struct key_user;

/* A key type: "keyring", "user", "logon" (Linux's struct key_type). */
struct key_type {
	const char *name;
	bool is_keyring;
	bool can_read;
	bool can_update;
	/* 0 or -EINVAL: the description as this type accepts it */
	int (*vet_description)(const char *desc);
	/* 0 or -EINVAL: the payload as this type accepts it */
	int (*preparse)(const void *data, size_t len);
};

struct key {
	int32_t serial;
	int refs;
	const struct key_type *type;
	char *description;
	uint32_t uid, gid;            /* kernel ids */
	uint32_t perm;
	unsigned flags;
	int state;                    /* 0 positive, < 0 negative (its error) */
	int64_t expiry;               /* CLOCK_REALTIME seconds, 0: none */
	struct key_user *user;        /* charged for it */
	size_t quotalen;              /* charged at allocation: description + 1 */
	size_t datalen;               /* charged for the payload (a keyring: 4 per link) */
	void *payload;                /* user, logon */
	size_t plen;
	struct key **links;           /* keyring: its keys */
	int nlinks, maxlinks;
	struct key *hnext;            /* serial hash chain */
};

/* One user's keys and quota (Linux's struct key_user), and its keyrings. */
struct key_user {
	struct key_user *next;
	uint32_t uid;
	int nkeys, nikeys;            /* keys, instantiated keys */
	unsigned qnkeys;              /* keys charged */
	size_t qnbytes;               /* bytes charged */
	struct key *uid_keyring, *session_keyring;   /* "_uid.N", "_uid_ses.N" */
};

/* /proc/sys/kernel/keys (Linux's defaults) */
extern long key_quota_maxkeys, key_quota_maxbytes, key_quota_root_maxkeys,
	key_quota_root_maxbytes, key_gc_delay, key_persistent_expiry;

/* ---- key.c: objects, serials, quota ---- */
const struct key_type *key_type_lookup(const char *name);
extern const struct key_type key_type_keyring;
/* key_alloc - a new key with one reference, charged to uid (EDQUOT unless
 * overrun is allowed); not linked anywhere.  Returns the key or NULL with
 * *err set. */
struct key *key_alloc(const struct key_type *type, const char *desc, uint32_t uid, uint32_t gid,
		      uint32_t perm, bool quota_overrun, int *err);
struct key *key_get(struct key *key);
void key_put(struct key *key);              /* the last reference frees it */
struct key *key_lookup(int32_t serial);     /* NULL if there is none */
int key_payload_reserve(struct key *key, size_t datalen);   /* 0 or -EDQUOT */
int key_set_payload(struct key *key, const void *data, size_t len);   /* user/logon */
int key_validate(const struct key *key);    /* 0, -ENOKEY, -EKEYREVOKED, -EKEYEXPIRED */
void key_revoke(struct key *key);
void key_invalidate(struct key *key);
int64_t key_now(void);                      /* CLOCK_REALTIME seconds */
struct key_user *key_user_lookup(uint32_t uid);
bool key_is_root_user(uint32_t uid);
void key_for_each(void (*fn)(struct key *, void *), void *arg);

/* ---- keyring.c: links and searches ---- */
/* keyring's link to key (replacing one of the same type and
 * description): 0, -ENOTDIR, -EKEYREVOKED, -EDEADLK (a cycle), -ELOOP,
 * -EPERM (restricted), -EDQUOT */
int key_link(struct key *keyring, struct key *key);
int key_unlink(struct key *keyring, struct key *key);   /* 0, -ENOTDIR, -ENOENT */
int keyring_clear(struct key *keyring);                  /* 0, -ENOTDIR */
/* a keyring's key of that type and description, or NULL */
struct key *keyring_find(struct key *keyring, const struct key_type *type, const char *desc);
/* Searches keyring and the keyrings it links to (those t may search):
 * the key of that type and description that t may search, or NULL with
 * *err: -ENOKEY (none, or a negative one), -EKEYREVOKED, -EKEYEXPIRED,
 * -EACCES (what was skipped last), -EAGAIN (nothing matched).  flags:
 * KEYRING_SEARCH_DO_STATE_CHECK skips revoked, expired and negative keys
 * (a possession check finds any), KEYRING_SEARCH_SKIP_EXPIRED skips
 * expired ones silently (request_key). */
#define KEYRING_SEARCH_DO_STATE_CHECK 0x1
#define KEYRING_SEARCH_SKIP_EXPIRED   0x2
struct key *keyring_search(struct task *t, struct key *keyring, bool possessed,
			   const struct key_type *type, const char *desc, const struct key *want,
			   unsigned flags, int *err);
/* key_task_permission: 0 or -EACCES for t needing `need` (KEY_NEED_*) */
int key_task_permission(struct task *t, const struct key *key, bool possessed, unsigned need);
struct key *find_keyring_by_name(struct task *t, const char *name);

/* ---- process_keys.c: a task's keyrings ---- */
#define KEY_LOOKUP_CREATE     0x01
#define KEY_LOOKUP_PARTIAL    0x02
#define KEY_LOOKUP_FOR_UNLINK 0x04
#define KEY_DEFER_PERM_CHECK  0x100   /* need: look it up, check later */
/* lookup_user_key - a key id as a syscall names it (a serial or a
 * KEY_SPEC_* id), with a reference, checked for `need` (KEY_NEED_*).
 * *possessed tells whether t possesses it.  NULL with *err on failure. */
struct key *lookup_user_key(struct task *t, int32_t id, unsigned lflags, unsigned need,
			    bool *possessed, int *err);
/* Searches t's thread, process and session keyrings (request_key's
 * order).  NULL with *err as keyring_search. */
struct key *search_process_keyrings(struct task *t, const struct key_type *type, const char *desc,
				    const struct key *want, unsigned flags, int *err);
int install_thread_keyring(struct task *t);
int install_process_keyring(struct task *t);
long join_session_keyring(struct task *t, const char *name);   /* serial or -errno */
struct key *user_keyring(struct task *t, bool session, int *err);
/* the keyring request_key links a new key into (t's jit_keyring), or NULL */
struct key *default_dest_keyring(struct task *t);

/* ---- hooks ---- */
void keys_fork(struct task *c, struct task *p, uint64_t flags);
void keys_exec(struct task *t);
void keys_exit(struct task *t);   /* before t leaves its thread group */
/* /proc/keys, /proc/key-users, /proc/sys/kernel/keys/NAME: *text malloc'd;
 * -ENOENT for a name not ours */
int keys_proc_read(struct task *t, const char *name, char **text);
int keys_proc_write(struct task *t, const char *name, const char *buf, size_t n);

#endif
