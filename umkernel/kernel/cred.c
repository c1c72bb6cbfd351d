/*
 * cred.c - credentials: the uid/gid syscalls, supplementary groups, and
 * capabilities (capget/capset, and how setuid and execve change them).
 *
 * In a nutshell: a task's ids are kernel ids; the syscalls take and give
 * ids of the caller's user namespace (kernel/user_namespace.c maps them;
 * an unmapped id reads as 65534 and cannot be set: EINVAL).  Privilege is
 * a capability held in the namespace concerned: CAP_SETUID/CAP_SETGID in
 * the caller's own.  Capabilities follow Linux's rules (security/
 * commoncap.c): root (uid 0 of the task's namespace) gets the bounding
 * set at execve, everyone else the ambient set; leaving every root uid
 * drops the permitted and effective sets (unless PR_SET_KEEPCAPS), and
 * a euid change to or from root switches the effective set.  The guest
 * is root without the host being root: none of this reaches the host.
 *
 * Lock: klock, held.
 */
#include "../kernel.h"
#include <sys/mman.h>
#include "task.h"
#include <string.h>

#define SECBIT_KEEP_CAPS 0x10
#define NONE ((uint32_t)-1)
/* capabilities tied to the fs uid (Linux's CAP_FS_MASK) */
#define CAP_FS_MASK ((1ULL << CAP_CHOWN) | (1ULL << CAP_DAC_OVERRIDE) | (1ULL << CAP_DAC_READ_SEARCH) | \
		     (1ULL << CAP_FOWNER) | (1ULL << 4 /* FSETID */) | (1ULL << 9 /* LINUX_IMMUTABLE */) | \
		     (1ULL << CAP_MKNOD) | (1ULL << 32 /* MAC_OVERRIDE */))

static struct user_namespace *uns(const struct task *t)
{
	return t->user_ns ? t->user_ns : &init_user_ns;
}

long sys_getuid(struct task *t, struct sysargs *a) { (void)a; return from_kuid_munged(uns(t), t->cred.uid); }
long sys_geteuid(struct task *t, struct sysargs *a) { (void)a; return from_kuid_munged(uns(t), t->cred.euid); }
long sys_getgid(struct task *t, struct sysargs *a) { (void)a; return from_kgid_munged(uns(t), t->cred.gid); }
long sys_getegid(struct task *t, struct sysargs *a) { (void)a; return from_kgid_munged(uns(t), t->cred.egid); }

/* commoncap.c cap_emulate_setxuid / the LSM_SETID_FS case. */
static void fix_caps_after_setuid(struct task *t, const struct cred *old)
{
	uint32_t root = make_kuid(uns(t), 0);
	struct cred *n = &t->cred;
	bool old_root = old->uid == root || old->euid == root || old->suid == root;
	bool new_root = n->uid == root || n->euid == root || n->suid == root;
	if (old_root && !new_root) {
		if (!(n->securebits & SECBIT_KEEP_CAPS))
			n->cap_permitted = n->cap_effective = 0;
		n->cap_ambient = 0;
	}
	if (old->euid == root && n->euid != root)
		n->cap_effective = 0;
	if (old->euid != root && n->euid == root)
		n->cap_effective = n->cap_permitted;
	if (old->fsuid == root && n->fsuid != root)
		n->cap_effective &= ~CAP_FS_MASK;
	if (old->fsuid != root && n->fsuid == root)
		n->cap_effective |= n->cap_permitted & CAP_FS_MASK;
}

/* Linux's commit_creds: a change of the effective or filesystem ids
 * clears the parent-death signal (a privileged process is not signalled
 * by a parent it no longer trusts). */
static void creds_changed(struct task *t, const struct cred *old)
{
	const struct cred *n = &t->cred;
	if (old->euid != n->euid || old->egid != n->egid || old->fsuid != n->fsuid ||
	    old->fsgid != n->fsgid)
		t->pdeath_signal = 0;
}

/* An id the caller passed: -1 stays "unchanged"; -EINVAL if unmapped. */
static int to_kuid(struct task *t, uint32_t id, uint32_t *k)
{
	if (id == NONE) {
		*k = NONE;
		return 0;
	}
	*k = make_kuid(uns(t), id);
	return *k == NONE ? -EINVAL : 0;
}

static int to_kgid(struct task *t, uint32_t id, uint32_t *k)
{
	if (id == NONE) {
		*k = NONE;
		return 0;
	}
	*k = make_kgid(uns(t), id);
	return *k == NONE ? -EINVAL : 0;
}

static bool uid_ok(struct task *t, uint32_t k)
{
	return k == t->cred.uid || k == t->cred.euid || k == t->cred.suid;
}

static bool gid_ok(struct task *t, uint32_t k)
{
	return k == t->cred.gid || k == t->cred.egid || k == t->cred.sgid;
}

/* setuid(2): with CAP_SETUID all three ids (and fsuid), else the
 * effective one to the real or saved id.  -EINVAL unmapped, -EPERM. */
long sys_setuid(struct task *t, struct sysargs *a)
{
	uint32_t k;
	if (arg_uint(a, 0) == NONE || to_kuid(t, arg_uint(a, 0), &k))
		return -EINVAL;
	struct cred old = t->cred;
	if (ns_capable(t, uns(t), CAP_SETUID))
		t->cred.uid = t->cred.suid = t->cred.euid = t->cred.fsuid = k;
	else if (k == t->cred.uid || k == t->cred.suid)
		t->cred.euid = t->cred.fsuid = k;
	else
		return -EPERM;
	fix_caps_after_setuid(t, &old);
	creds_changed(t, &old);
	return 0;
}

long sys_setgid(struct task *t, struct sysargs *a)
{
	uint32_t k;
	if (arg_uint(a, 0) == NONE || to_kgid(t, arg_uint(a, 0), &k))
		return -EINVAL;
	struct cred old = t->cred;
	if (ns_capable(t, uns(t), CAP_SETGID))
		t->cred.gid = t->cred.sgid = t->cred.egid = t->cred.fsgid = k;
	else if (k == t->cred.gid || k == t->cred.sgid)
		t->cred.egid = t->cred.fsgid = k;
	else
		return -EPERM;
	creds_changed(t, &old);
	return 0;
}

long sys_setresuid(struct task *t, struct sysargs *a)
{
	uint32_t r, e, s;
	if (to_kuid(t, arg_uint(a, 0), &r) || to_kuid(t, arg_uint(a, 1), &e) ||
	    to_kuid(t, arg_uint(a, 2), &s))
		return -EINVAL;
	if (!ns_capable(t, uns(t), CAP_SETUID) &&
	    ((r != NONE && !uid_ok(t, r)) || (e != NONE && !uid_ok(t, e)) || (s != NONE && !uid_ok(t, s))))
		return -EPERM;
	struct cred old = t->cred;
	if (r != NONE) t->cred.uid = r;
	if (e != NONE) t->cred.euid = e;
	if (s != NONE) t->cred.suid = s;
	t->cred.fsuid = t->cred.euid;
	fix_caps_after_setuid(t, &old);
	creds_changed(t, &old);
	return 0;
}

long sys_setresgid(struct task *t, struct sysargs *a)
{
	uint32_t r, e, s;
	if (to_kgid(t, arg_uint(a, 0), &r) || to_kgid(t, arg_uint(a, 1), &e) ||
	    to_kgid(t, arg_uint(a, 2), &s))
		return -EINVAL;
	if (!ns_capable(t, uns(t), CAP_SETGID) &&
	    ((r != NONE && !gid_ok(t, r)) || (e != NONE && !gid_ok(t, e)) || (s != NONE && !gid_ok(t, s))))
		return -EPERM;
	struct cred old = t->cred;
	if (r != NONE) t->cred.gid = r;
	if (e != NONE) t->cred.egid = e;
	if (s != NONE) t->cred.sgid = s;
	t->cred.fsgid = t->cred.egid;
	creds_changed(t, &old);
	return 0;
}

long sys_setreuid(struct task *t, struct sysargs *a)
{
	uint32_t r, e;
	if (to_kuid(t, arg_uint(a, 0), &r) || to_kuid(t, arg_uint(a, 1), &e))
		return -EINVAL;
	bool cap = ns_capable(t, uns(t), CAP_SETUID);
	if ((r != NONE && !cap && r != t->cred.uid && r != t->cred.euid) ||
	    (e != NONE && !cap && !uid_ok(t, e)))
		return -EPERM;
	struct cred old = t->cred;
	if (r != NONE) t->cred.uid = r;
	if (e != NONE) t->cred.euid = e;
	if (r != NONE || (e != NONE && e != old.uid))
		t->cred.suid = t->cred.euid;
	t->cred.fsuid = t->cred.euid;
	fix_caps_after_setuid(t, &old);
	creds_changed(t, &old);
	return 0;
}

long sys_setregid(struct task *t, struct sysargs *a)
{
	uint32_t r, e;
	if (to_kgid(t, arg_uint(a, 0), &r) || to_kgid(t, arg_uint(a, 1), &e))
		return -EINVAL;
	bool cap = ns_capable(t, uns(t), CAP_SETGID);
	if ((r != NONE && !cap && r != t->cred.gid && r != t->cred.egid) ||
	    (e != NONE && !cap && !gid_ok(t, e)))
		return -EPERM;
	struct cred old = t->cred;
	if (r != NONE) t->cred.gid = r;
	if (e != NONE) t->cred.egid = e;
	if (r != NONE || (e != NONE && e != old.gid))
		t->cred.sgid = t->cred.egid;
	t->cred.fsgid = t->cred.egid;
	creds_changed(t, &old);
	return 0;
}

static long put_ids(struct task *t, struct sysargs *a, const uint32_t k[3], bool gid)
{
	for (int i = 0; i < 3; i++) {
		uint32_t v = gid ? from_kgid_munged(uns(t), k[i]) : from_kuid_munged(uns(t), k[i]);
		if (copy_to_user(t, a->a[i], &v, 4))
			return -EFAULT;
	}
	return 0;
}

long sys_getresuid(struct task *t, struct sysargs *a)
{
	uint32_t k[3] = { t->cred.uid, t->cred.euid, t->cred.suid };
	return put_ids(t, a, k, false);
}

long sys_getresgid(struct task *t, struct sysargs *a)
{
	uint32_t k[3] = { t->cred.gid, t->cred.egid, t->cred.sgid };
	return put_ids(t, a, k, true);
}

/* setfsuid(2): returns the old fsuid, whether or not it changed. */
long sys_setfsuid(struct task *t, struct sysargs *a)
{
	uint32_t old = from_kuid_munged(uns(t), t->cred.fsuid), k = make_kuid(uns(t), arg_uint(a, 0));
	if (k == NONE)
		return old;
	if (ns_capable(t, uns(t), CAP_SETUID) || uid_ok(t, k) || k == t->cred.fsuid) {
		struct cred oc = t->cred;
		t->cred.fsuid = k;
		fix_caps_after_setuid(t, &oc);
		creds_changed(t, &oc);
	}
	return old;
}

long sys_setfsgid(struct task *t, struct sysargs *a)
{
	uint32_t old = from_kgid_munged(uns(t), t->cred.fsgid), k = make_kgid(uns(t), arg_uint(a, 0));
	if (k == NONE)
		return old;
	if (ns_capable(t, uns(t), CAP_SETGID) || gid_ok(t, k) || k == t->cred.fsgid) {
		struct cred oc = t->cred;
		t->cred.fsgid = k;
		creds_changed(t, &oc);
	}
	return old;
}

long sys_getgroups(struct task *t, struct sysargs *a)
{
	int size = arg_int(a, 0);
	if (size < 0)
		return -EINVAL;
	if (size == 0)
		return t->cred.ngroups;
	if ((uint32_t)size < t->cred.ngroups)
		return -EINVAL;
	uint32_t g[ARRAY_SIZE(t->cred.groups)];
	for (uint32_t i = 0; i < t->cred.ngroups; i++)
		g[i] = from_kgid_munged(uns(t), t->cred.groups[i]);
	if (copy_to_user(t, a->a[1], g, t->cred.ngroups * 4))
		return -EFAULT;
	return t->cred.ngroups;
}

bool groups_search(const struct cred *c, uint32_t gid)
{
	for (uint32_t i = 0; i < c->ngroups && i < NGROUPS_UMK; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

bool in_group_p(const struct task *t, uint32_t gid)
{
	return t->cred.fsgid == gid || groups_search(&t->cred, gid);
}

/* setgroups(2): CAP_SETGID, and in a user namespace only once its gid map
 * is written and setgroups is allowed (Linux's may_setgroups). */
long sys_setgroups(struct task *t, struct sysargs *a)
{
	int n = arg_int(a, 0);
	if (!ns_capable(t, uns(t), CAP_SETGID) || !userns_may_setgroups(uns(t)))
		return -EPERM;
	if (n < 0 || n > 65536)
		return -EINVAL;
	/* umk keeps NGROUPS_UMK groups: more is ENOMEM, once the list has
	 * been read (Linux reads it first: an unreadable one is EFAULT) */
	if (n > (int)ARRAY_SIZE(t->cred.groups))
		return user_range_ok(t, a->a[1], (uint64_t)n * 4, PROT_READ) ? -ENOMEM : -EFAULT;
	uint32_t g[ARRAY_SIZE(t->cred.groups)];
	if (copy_from_user(t, g, a->a[1], n * 4))
		return -EFAULT;
	for (int i = 0; i < n; i++) {
		g[i] = make_kgid(uns(t), g[i]);
		if (g[i] == NONE)
			return -EINVAL;
	}
	memcpy(t->cred.groups, g, n * 4);
	t->cred.ngroups = n;
	return 0;
}

/* ---- capabilities (kernel/capability.c) ---- */

#define CAP_V1 0x19980330
#define CAP_V2 0x20071026
#define CAP_V3 0x20080522

struct cap_data { uint32_t effective, permitted, inheritable; };

/* The header's version: 1 or 2 words per set; -EINVAL (and the header
 * rewritten to v3) for an unknown one. */
static int cap_header(struct task *t, uint64_t hdrp, int *pid, int *words)
{
	uint32_t hdr[2];
	if (copy_from_user(t, hdr, hdrp, sizeof hdr))
		return -EFAULT;
	switch (hdr[0]) {
	case CAP_V1: *words = 1; break;
	case CAP_V2: case CAP_V3: *words = 2; break;
	default:
		hdr[0] = CAP_V3;
		if (copy_to_user(t, hdrp, hdr, 4))
			return -EFAULT;
		return -EINVAL;
	}
	*pid = (int)hdr[1];
	return 0;
}

/* capget(2): the sets of the caller or of process pid.  A NULL data
 * pointer only checks the version (0, or EINVAL with v3 written back). */
long sys_capget(struct task *t, struct sysargs *a)
{
	int pid, words;
	int err = cap_header(t, a->a[0], &pid, &words);
	if (err)
		return a->a[1] || err == -EFAULT ? err : 0;
	if (pid < 0)
		return -EINVAL;
	struct task *tk = pid ? find_task_by_vpid(t, pid) : t;
	if (!tk)
		return -ESRCH;
	if (!a->a[1])
		return 0;
	struct cap_data d[2];
	for (int i = 0; i < 2; i++) {
		d[i].effective = (uint32_t)(tk->cred.cap_effective >> (32 * i));
		d[i].permitted = (uint32_t)(tk->cred.cap_permitted >> (32 * i));
		d[i].inheritable = (uint32_t)(tk->cred.cap_inheritable >> (32 * i));
	}
	return copy_to_user(t, a->a[1], d, words * sizeof d[0]) ? -EFAULT : 0;
}

/* capset(2): only the caller's own sets; the new permitted set within
 * the old one, effective within the new permitted, inheritable within
 * old inheritable | bounding (or old permitted with CAP_SETPCAP).
 * Mirrors commoncap.c cap_capset. */
long sys_capset(struct task *t, struct sysargs *a)
{
	int pid, words;
	int err = cap_header(t, a->a[0], &pid, &words);
	if (err)
		return err;
	if (pid && pid != task_pid_vnr(t, t))
		return -EPERM;
	struct cap_data d[2] = { 0 };
	if (copy_from_user(t, d, a->a[1], words * sizeof d[0]))
		return -EFAULT;
	uint64_t eff = d[0].effective | (uint64_t)d[1].effective << 32;
	uint64_t prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	uint64_t inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	eff &= CAP_FULL_SET;
	prm &= CAP_FULL_SET;
	inh &= CAP_FULL_SET;
	struct cred *c = &t->cred;
	/* without CAP_SETPCAP the new inheritable set stays within the old
	 * inheritable and permitted ones (cap_inh_is_capped) */
	uint64_t inh_limit = CAP_FULL_SET;
	if (!((t->cred.cap_effective >> CAP_SETPCAP) & 1))
		inh_limit = c->cap_inheritable | c->cap_permitted;
	if ((inh & ~inh_limit) || (inh & ~(c->cap_inheritable | c->cap_bset)) ||
	    (prm & ~c->cap_permitted) || (eff & ~prm))
		return -EPERM;
	c->cap_effective = eff;
	c->cap_permitted = prm;
	c->cap_inheritable = inh;
	c->cap_ambient &= prm & inh;
	return 0;
}

/*
 * cred_exec - execve's capability rules (commoncap.c
 * cap_bprm_creds_from_file, with no file capabilities and no setuid
 * bits): root gets permitted = inheritable | bounding and a full
 * effective set when its euid is root; others keep the ambient set.
 * The saved ids become the effective ones.
 */
void cred_exec(struct task *t)
{
	struct cred *c = &t->cred;
	uint32_t root = make_kuid(uns(t), 0);
	if (root != NONE && (c->euid == root || c->uid == root)) {
		c->cap_permitted = (c->cap_inheritable | c->cap_bset) & CAP_FULL_SET;
		c->cap_effective = c->euid == root ? c->cap_permitted : 0;
		c->cap_ambient = 0;
	} else {
		c->cap_permitted = c->cap_ambient;
		c->cap_effective = c->cap_ambient;
	}
	c->suid = c->euid;
	c->sgid = c->egid;
	c->fsuid = c->euid;
	c->fsgid = c->egid;
}

/* prctl's capability operations: PR_CAPBSET_READ/DROP, PR_CAP_AMBIENT,
 * PR_GET/SET_KEEPCAPS, PR_GET/SET_SECUREBITS.  -EINVAL, -EPERM. */
long cred_prctl(struct task *t, int op, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct cred *c = &t->cred;
	switch (op) {
	case 23: /* PR_CAPBSET_READ */
		return a2 <= CAP_LAST_CAP ? (long)((c->cap_bset >> a2) & 1) : -EINVAL;
	case 24: /* PR_CAPBSET_DROP */
		if (a2 > CAP_LAST_CAP)
			return -EINVAL;
		if (!ns_capable(t, uns(t), CAP_SETPCAP))
			return -EPERM;
		c->cap_bset &= ~(1ULL << a2);
		return 0;
	case 7: /* PR_GET_KEEPCAPS */
		return (c->securebits & SECBIT_KEEP_CAPS) ? 1 : 0;
	case 8: /* PR_SET_KEEPCAPS: the other arguments are not looked at
		 * (libcap passes garbage there; iputils' ping relies on it) */
		if (a2 > 1)
			return -EINVAL;
		if (c->securebits & (1u << 5) /* SECBIT_KEEP_CAPS_LOCKED */)
			return -EPERM;
		if (a2)
			c->securebits |= SECBIT_KEEP_CAPS;
		else
			c->securebits &= ~SECBIT_KEEP_CAPS;
		return 0;
	case 27: /* PR_GET_SECUREBITS */
		return c->securebits;
	case 28: { /* PR_SET_SECUREBITS: a locked bit keeps its value and
		    * stays locked; known bits only; CAP_SETPCAP (cap_task_prctl) */
		unsigned int old = c->securebits, locks = old & 0xaa;
		if (((locks >> 1) & (old ^ a2)) || (locks & ~a2) || (a2 & ~0xffULL) ||
		    !ns_capable(t, uns(t), CAP_SETPCAP))
			return -EPERM;
		c->securebits = (unsigned int)a2;
		return 0;
	}
	case 47: /* PR_CAP_AMBIENT */
		if (a2 == 4 /* CLEAR_ALL */) {
			if (a3 || a4 || a5)
				return -EINVAL;
			c->cap_ambient = 0;
			return 0;
		}
		if (a3 > CAP_LAST_CAP || a4 || a5)
			return -EINVAL;
		if (a2 == 1 /* IS_SET */)
			return (c->cap_ambient >> a3) & 1;
		if (a2 == 3 /* LOWER */) {
			c->cap_ambient &= ~(1ULL << a3);
			return 0;
		}
		if (a2 == 2 /* RAISE */) {
			if (!((c->cap_permitted >> a3) & 1) || !((c->cap_inheritable >> a3) & 1) ||
			    (c->securebits & (1u << 6) /* SECBIT_NO_CAP_AMBIENT_RAISE */))
				return -EPERM;
			c->cap_ambient |= 1ULL << a3;
			return 0;
		}
		return -EINVAL;
	}
	return -EINVAL;
}
