/*
 * process_keys.c - the keyrings of a task (Linux's
 * security/keys/process_keys.c): its thread keyring ("_tid", its own),
 * its process keyring ("_pid", its thread group's), its session keyring
 * (inherited by fork and execve; "_ses" when made anonymously), and the
 * two keyrings of its real user ("_uid.N", "_uid_ses.N", the latter
 * standing in for a session keyring it has not got); how a syscall's key
 * id (KEY_SPEC_* or a serial) becomes a key; and the fork, execve and
 * exit rules for them.
 *
 * A new thread gets a thread keyring of its own if its creator had one;
 * a new process has neither thread nor process keyring; execve drops
 * both (Linux's copy_creds and prepare_exec_creds).
 *
 * Lock: klock, held by every caller.
 */
#include "keys.h"
#include <stdio.h>
#include <string.h>

static struct key *keyring_alloc(const char *desc, uint32_t uid, uint32_t gid, uint32_t perm,
				 bool overrun, int *err)
{
	return key_alloc(&key_type_keyring, desc, uid, gid, perm, overrun, err);
}

int install_thread_keyring(struct task *t)
{
	int err;
	if (t->thread_keyring)
		return 0;
	struct key *k = keyring_alloc("_tid", t->cred.uid, t->cred.gid, KEY_POS_ALL | KEY_USR_VIEW, true, &err);
	if (!k)
		return err;
	t->thread_keyring = k;
	return 0;
}

int install_process_keyring(struct task *t)
{
	int err;
	if (t->tg->process_keyring)
		return 0;
	struct key *k = keyring_alloc("_pid", t->cred.uid, t->cred.gid, KEY_POS_ALL | KEY_USR_VIEW, true, &err);
	if (!k)
		return err;
	t->tg->process_keyring = k;
	return 0;
}

/* user_keyring: t's real user's keyring or user session keyring, made on
 * first use (Linux's look_up_user_keyrings); a borrowed pointer. */
struct key *user_keyring(struct task *t, bool session, int *err)
{
	uint32_t uid = t->cred.uid;
	struct key_user *u = key_user_lookup(uid);
	if (!u) {
		*err = -ENOMEM;
		return NULL;
	}
	const uint32_t perm = (KEY_POS_ALL & ~KEY_POS_SETATTR) | KEY_USR_ALL;
	struct user_namespace *ns = t->user_ns ? t->user_ns : &init_user_ns;
	char name[32];
	if (!u->uid_keyring) {
		snprintf(name, sizeof name, "_uid.%u", from_kuid_munged(ns, uid));
		struct key *k = keyring_alloc(name, uid, (uint32_t)-1, perm, false, err);
		if (!k)
			return NULL;
		k->flags |= KEY_FLAG_UID_KEYRING;
		u->uid_keyring = k;
	}
	if (!u->session_keyring) {
		snprintf(name, sizeof name, "_uid_ses.%u", from_kuid_munged(ns, uid));
		struct key *k = keyring_alloc(name, uid, (uint32_t)-1, perm, false, err);
		if (!k)
			return NULL;
		k->flags |= KEY_FLAG_UID_KEYRING;
		u->session_keyring = k;
		key_link(u->uid_keyring, k);
	}
	return session ? u->session_keyring : u->uid_keyring;
}

static void install_session_keyring(struct task *t, struct key *k)
{
	key_put(t->session_keyring);
	t->session_keyring = k;
}

/*
 * join_session_keyring - KEYCTL_JOIN_SESSION_KEYRING: name NULL makes and
 * joins an anonymous "_ses" keyring; otherwise the named keyring t may
 * search is joined, or made (Linux's join_session_keyring).  Returns its
 * serial, 0 if it is already t's session keyring, or -errno.
 */
long join_session_keyring(struct task *t, const char *name)
{
	int err;
	struct key *k;
	if (!name) {
		k = keyring_alloc("_ses", t->cred.uid, t->cred.gid, KEY_POS_ALL | KEY_USR_VIEW | KEY_USR_READ,
				  true, &err);
		if (!k)
			return err;
		install_session_keyring(t, k);
		return k->serial;
	}
	k = find_keyring_by_name(t, name);
	if (!k) {
		k = keyring_alloc(name, t->cred.uid, t->cred.gid,
				  KEY_POS_ALL | KEY_USR_VIEW | KEY_USR_READ | KEY_USR_LINK, false, &err);
		if (!k)
			return err;
		k->flags |= KEY_FLAG_PUBLISHED;
	} else if (k == t->session_keyring) {
		return 0;
	} else {
		key_get(k);
	}
	install_session_keyring(t, k);
	return k->serial;
}

struct key *search_process_keyrings(struct task *t, const struct key_type *type, const char *desc,
				    const struct key *want, unsigned flags, int *err)
{
	struct key *rings[3] = { t->thread_keyring, t->tg->process_keyring, t->session_keyring };
	if (!rings[2]) {
		/* no session keyring: the user session keyring, if made */
		struct key_user *u = key_user_lookup(t->cred.uid);
		rings[2] = u ? u->session_keyring : NULL;
	}
	int ret = 0, other = 0, e;
	for (int i = 0; i < 3; i++) {
		if (!rings[i])
			continue;
		struct key *k = keyring_search(t, rings[i], true, type, desc, want, flags, &e);
		if (k)
			return k;
		if (e == -EAGAIN) {
			if (!ret)
				ret = e;
		} else if (e == -ENOKEY) {
			ret = e;
		} else {
			other = e;
		}
	}
	*err = ret ? ret : other ? other : -EAGAIN;
	return NULL;
}

struct key *lookup_user_key(struct task *t, int32_t id, unsigned lflags, unsigned need,
			    bool *possessed, int *err)
{
	struct key *key;
	bool poss = true;
	int e = 0;

	switch (id) {
	case KEY_SPEC_THREAD_KEYRING:
		if (!t->thread_keyring) {
			if (!(lflags & KEY_LOOKUP_CREATE))
				e = -ENOKEY;
			else
				e = install_thread_keyring(t);
			if (e)
				goto fail;
		}
		key = t->thread_keyring;
		break;
	case KEY_SPEC_PROCESS_KEYRING:
		if (!t->tg->process_keyring) {
			if (!(lflags & KEY_LOOKUP_CREATE))
				e = -ENOKEY;
			else
				e = install_process_keyring(t);
			if (e)
				goto fail;
		}
		key = t->tg->process_keyring;
		break;
	case KEY_SPEC_SESSION_KEYRING:
		if (!t->session_keyring) {
			/* a session keyring is installed on first use: a new
			 * one when asked to create, else the user session one */
			struct key *us = user_keyring(t, true, &e);
			if (!us)
				goto fail;
			if (lflags & KEY_LOOKUP_CREATE) {
				long r = join_session_keyring(t, NULL);
				if (r < 0) {
					e = (int)r;
					goto fail;
				}
			} else {
				install_session_keyring(t, key_get(us));
			}
		} else if ((t->session_keyring->flags & KEY_FLAG_UID_KEYRING) && (lflags & KEY_LOOKUP_CREATE)) {
			long r = join_session_keyring(t, NULL);
			if (r < 0) {
				e = (int)r;
				goto fail;
			}
		}
		key = t->session_keyring;
		break;
	case KEY_SPEC_USER_KEYRING:
	case KEY_SPEC_USER_SESSION_KEYRING:
		key = user_keyring(t, id == KEY_SPEC_USER_SESSION_KEYRING, &e);
		if (!key)
			goto fail;
		break;
	case KEY_SPEC_GROUP_KEYRING:
		e = -EINVAL;
		goto fail;
	case KEY_SPEC_REQKEY_AUTH_KEY:
	case KEY_SPEC_REQUESTOR_KEYRING:
		/* no request-key upcall: never an authorisation key */
		e = -ENOKEY;
		goto fail;
	default:
		if (id < 1) {
			e = -EINVAL;
			goto fail;
		}
		key = key_lookup(id);
		if (!key) {
			e = -ENOKEY;
			goto fail;
		}
		poss = search_process_keyrings(t, key->type, key->description, key, 0, &e) != NULL;
		break;
	}
	key_get(key);
	if (lflags & KEY_LOOKUP_FOR_UNLINK)
		goto out;
	if (!(lflags & KEY_LOOKUP_PARTIAL)) {
		e = key->state < 0 ? key->state : key_validate(key);
		if (e && need != KEY_DEFER_PERM_CHECK)
			goto invalid;
	} else if (need != KEY_DEFER_PERM_CHECK) {
		e = key_validate(key);
		if (e)
			goto invalid;
	}
	if (need != KEY_DEFER_PERM_CHECK) {
		e = key_task_permission(t, key, poss, need);
		if (e)
			goto invalid;
	}
out:
	if (possessed)
		*possessed = poss;
	return key;
invalid:
	key_put(key);
fail:
	*err = e;
	return NULL;
}

/* The keyring request_key links a new key into: the one
 * KEYCTL_SET_REQKEY_KEYRING chose, or the first of thread, process,
 * session and user session keyrings (Linux's construct_get_dest_keyring);
 * a borrowed pointer. */
struct key *default_dest_keyring(struct task *t)
{
	int err;
	switch (t->jit_keyring) {
	case KEY_REQKEY_DEFL_DEFAULT:
	case KEY_REQKEY_DEFL_REQUESTOR_KEYRING:
	case KEY_REQKEY_DEFL_THREAD_KEYRING:
		if (t->thread_keyring)
			return t->thread_keyring;
		/* fall through */
	case KEY_REQKEY_DEFL_PROCESS_KEYRING:
		if (t->tg->process_keyring)
			return t->tg->process_keyring;
		/* fall through */
	case KEY_REQKEY_DEFL_SESSION_KEYRING:
		if (t->session_keyring)
			return t->session_keyring;
		/* fall through */
	case KEY_REQKEY_DEFL_USER_SESSION_KEYRING:
		return user_keyring(t, true, &err);
	case KEY_REQKEY_DEFL_USER_KEYRING:
		return user_keyring(t, false, &err);
	default:
		return NULL;
	}
}

/* ---- hooks ---- */

void keys_fork(struct task *c, struct task *p, uint64_t flags)
{
	c->session_keyring = key_get(p->session_keyring);
	c->jit_keyring = p->jit_keyring;
	c->thread_keyring = NULL;
	if (p->thread_keyring && (flags & CLONE_THREAD))
		install_thread_keyring(c);
	/* a new thread group starts with no process keyring (calloc'd) */
}

void keys_exec(struct task *t)
{
	key_put(t->thread_keyring);
	t->thread_keyring = NULL;
	key_put(t->tg->process_keyring);
	t->tg->process_keyring = NULL;
}

void keys_exit(struct task *t)
{
	key_put(t->thread_keyring);
	t->thread_keyring = NULL;
	key_put(t->session_keyring);
	t->session_keyring = NULL;
	if (t->tg->nr_threads == 1) {
		key_put(t->tg->process_keyring);
		t->tg->process_keyring = NULL;
	}
}
