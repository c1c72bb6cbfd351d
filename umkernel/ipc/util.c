/*
 * util.c - what the SysV IPC kinds share (Linux's ipc/util.c and
 * ipc/namespace.c): IPC namespaces, the id tables, key lookup,
 * permission checks, the fork and exit hooks, and the /proc/sys and
 * /proc/sysvipc texts.
 *
 * Ids: an object gets the lowest free index at or after the one after
 * the last index given (cyclic, within max(3/2 of the objects in use, 64)
 * slots), and the table's sequence number moves on whenever the index
 * does not grow; its id is seq * IPCMNI + index, so a removed object's
 * id is not soon given again, as Linux's ipc_idr_alloc.
 *
 * Lock: klock, held by every caller.
 */
#include "ipc.h"
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Linux's defaults (include/uapi/linux/shm.h, sem.h, msg.h, mqueue.c) */
#define SHMMAX       (UINT64_MAX - (1ULL << 24))
#define SHMALL       (UINT64_MAX - (1ULL << 24))
#define SHMMNI       4096
#define SEMMSL       32000
#define SEMMNI       32000
#define SEMMNS       (SEMMNI * SEMMSL)
#define SEMOPM       500
#define MSGMAX       8192
#define MSGMNB       16384
#define MSGMNI       32000
#define IPC_MIN_CYCLE 64      /* RADIX_TREE_MAP_SIZE */

/* The initial namespace: kernel/nsproxy.c's where it is linked in. */
__attribute__((weak)) struct ipc_namespace init_ipc_ns = {
	.refs = 2, .user_ns = &init_user_ns, .inum = NS_INIT_INO_IPC,
};

/* The limits of a fresh namespace (Linux's sem_init_ns, msg_init_ns,
 * shm_init_ns, mq_init_ns); no objects yet. */
static void ipc_ns_ready(struct ipc_namespace *ns)
{
	if (ns->ready)
		return;
	ns->ready = true;
	memset(ns->ids, 0, sizeof(ns->ids));
	for (int i = 0; i < 3; i++) {
		ns->ids[i].last_idx = -1;
		ns->ids[i].max_idx = -1;
		ns->ids[i].next_id = -1;
	}
	ns->sc_semmsl = SEMMSL;
	ns->sc_semmns = SEMMNS;
	ns->sc_semopm = SEMOPM;
	ns->sc_semmni = SEMMNI;
	ns->msg_ctlmax = MSGMAX;
	ns->msg_ctlmnb = MSGMNB;
	ns->msg_ctlmni = MSGMNI;
	ns->shm_ctlmax = SHMMAX;
	ns->shm_ctlall = SHMALL;
	ns->shm_ctlmni = SHMMNI;
	ns->mq_queues_max = 256;
	ns->mq_msg_max = 10;
	ns->mq_msgsize_max = 8192;
	ns->mq_msg_default = 10;
	ns->mq_msgsize_default = 8192;
}

struct ipc_namespace *task_ipc_ns(struct task *t)
{
	struct ipc_namespace *ns = t && t->nsproxy && t->nsproxy->ipc_ns ? t->nsproxy->ipc_ns
									   : &init_ipc_ns;

	ipc_ns_ready(ns);
	return ns;
}

/* Linux's free_ipc_ns: every object goes (segments still attached stay
 * mapped: their memory lives in the memfds the mappings hold, and each
 * attach holds a reference to the namespace anyway). */
void ipc_ns_release(struct ipc_namespace *ns)
{
	if (!ns->ready)
		return;
	sem_exit_ns(ns);
	msg_exit_ns(ns);
	shm_exit_ns(ns);
	mq_exit_ns(ns);
	for (int i = 0; i < 3; i++)
		free(ns->ids[i].slots);
	ns->ready = false;
}

/* kernel/nsproxy.c's where it is linked in. */
__attribute__((weak)) void put_ipc_ns(struct ipc_namespace *ns)
{
	if (ns && ns != &init_ipc_ns && --ns->refs == 0) {
		ipc_ns_release(ns);
		put_user_ns(ns->user_ns);
		free(ns);
	}
}

void ipc_fork(struct task *c, struct task *p, uint64_t flags)
{
	/* CLONE_SYSVSEM: the child shares the SEM_UNDO list (made now if
	 * the parent has none yet, as copy_semundo's get_undo_list) */
	c->sysvsem_undo = NULL;
	if (flags & CLONE_SYSVSEM) {
		if (!p->sysvsem_undo) {
			p->sysvsem_undo = calloc(1, sizeof(*p->sysvsem_undo));
			if (!p->sysvsem_undo)
				return;
			p->sysvsem_undo->refs = 1;
			list_init(&p->sysvsem_undo->list_proc);
		}
		p->sysvsem_undo->refs++;
		c->sysvsem_undo = p->sysvsem_undo;
	}
}

void ipc_exit(struct task *t)
{
	exit_sem(t);
}

int64_t ipc_now(void)
{
	return (int64_t)(now_ns(CLOCK_REALTIME_COARSE) / 1000000000ULL);   /* the guest's clock */
}

bool ipc_capable(struct task *t, int cap)
{
	return !t || capable(t, cap);
}

/* ---- ids ---- */

static int grow(struct ipc_ids *ids, int need)
{
	int nc;
	struct kern_ipc_perm **ns;

	if (need <= ids->cap)
		return 0;
	nc = ids->cap ? ids->cap : 64;
	while (nc < need)
		nc *= 2;
	if (nc > IPCMNI)
		nc = IPCMNI;
	ns = realloc(ids->slots, nc * sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	memset(ns + ids->cap, 0, (nc - ids->cap) * sizeof(*ns));
	ids->slots = ns;
	ids->cap = nc;
	return 0;
}

/* idr_alloc_cyclic(ids, 0, end): the first free index >= next_idx and
 * < end, else the first from 0. */
static int alloc_idx(struct ipc_ids *ids, int end)
{
	int start = ids->next_idx;

	if (grow(ids, end))
		return -ENOMEM;
	for (int pass = 0; pass < 2; pass++) {
		for (int i = pass ? 0 : start; i < end; i++)
			if (!ids->slots[i])
				return i;
		if (!start)
			break;
	}
	return -ENOSPC;
}

int ipc_addid(struct task *t, struct ipc_ids *ids, struct kern_ipc_perm *new, int limit)
{
	int max, idx;

	if (limit > IPCMNI)
		limit = IPCMNI;
	if (ids->in_use >= limit)
		return -ENOSPC;
	max = ids->in_use * 3 / 2;
	if (max < IPC_MIN_CYCLE)
		max = IPC_MIN_CYCLE;
	if (max > IPCMNI)
		max = IPCMNI;
	if (ids->next_id >= 0) {
		/* *_next_id (checkpoint/restore): its sequence number, and the
		 * first free index from its index on; used once (Linux's
		 * ipc_idr_alloc with ids->next_id set) */
		int want = ids->next_id % IPCMNI;
		if (grow(ids, IPCMNI))
			return -ENOMEM;
		for (idx = want; idx < IPCMNI && ids->slots[idx]; idx++)
			;
		if (idx >= IPCMNI)
			return -ENOSPC;
		new->seq = ids->next_id / IPCMNI;
		ids->next_id = -1;
	} else {
		idx = alloc_idx(ids, max);
		if (idx < 0)
			return idx;
		ids->next_idx = idx + 1;
		if (idx <= ids->last_idx) {
			ids->seq++;
			if (ids->seq >= 65535)   /* ipcid_seq_max(): INT_MAX >> 15 */
				ids->seq = 0;
		}
		ids->last_idx = idx;
		new->seq = ids->seq;
	}
	new->id = new->seq * IPCMNI + idx;
	new->cuid = new->uid = t ? t->cred.euid : 0;
	new->cgid = new->gid = t ? t->cred.egid : 0;
	new->deleted = false;
	ids->slots[idx] = new;
	ids->in_use++;
	if (idx > ids->max_idx)
		ids->max_idx = idx;
	return idx;
}

void ipc_rmid(struct ipc_ids *ids, struct kern_ipc_perm *p)
{
	int idx = p->id % IPCMNI;

	if (idx < ids->cap && ids->slots[idx] == p)
		ids->slots[idx] = NULL;
	ids->in_use--;
	p->deleted = true;
	if (idx == ids->max_idx) {
		while (ids->max_idx >= 0 && !ids->slots[ids->max_idx])
			ids->max_idx--;
	}
}

int ipc_get_maxidx(struct ipc_ids *ids)
{
	if (ids->in_use == 0)
		return -1;
	if (ids->in_use == IPCMNI)
		return IPCMNI - 1;
	return ids->max_idx;
}

struct kern_ipc_perm *ipc_obtain_idx(struct ipc_ids *ids, int idx)
{
	if (idx < 0 || idx >= ids->cap || !ids->slots[idx])
		return NULL;
	return ids->slots[idx];
}

struct kern_ipc_perm *ipc_obtain_check(struct ipc_ids *ids, int id)
{
	struct kern_ipc_perm *p;

	if (id < 0)
		return NULL;
	p = ipc_obtain_idx(ids, id % IPCMNI);
	if (!p || p->id != id)
		return NULL;
	return p;
}

static struct kern_ipc_perm *ipc_findkey(struct ipc_ids *ids, int32_t key)
{
	for (int i = 0; i <= ids->max_idx && i < ids->cap; i++)
		if (ids->slots[i] && ids->slots[i]->key == key)
			return ids->slots[i];
	return NULL;
}

int ipcperms(struct task *t, struct kern_ipc_perm *p, int flag)
{
	int requested = (flag >> 6) | (flag >> 3) | flag;
	int granted = p->mode;

	if (!t)
		return 0;
	if (t->cred.euid == p->cuid || t->cred.euid == p->uid)
		granted >>= 6;
	else if (in_group_p(t, p->cgid) || in_group_p(t, p->gid))
		granted >>= 3;
	if ((requested & ~granted & 0007) && !ipc_capable(t, CAP_IPC_OWNER))
		return -1;
	return 0;
}

int ipcget(struct task *t, struct ipc_namespace *ns, int which, const struct ipc_ops *ops,
	   int32_t key, int flg, uint64_t arg)
{
	struct kern_ipc_perm *p;
	int err;

	if (key == L_IPC_PRIVATE)
		return ops->getnew(t, ns, key, flg, arg);
	p = ipc_findkey(&ns->ids[which], key);
	if (!p)
		return (flg & L_IPC_CREAT) ? ops->getnew(t, ns, key, flg, arg) : -ENOENT;
	if ((flg & L_IPC_CREAT) && (flg & L_IPC_EXCL))
		return -EEXIST;
	if (ops->more_checks && (err = ops->more_checks(p, arg)))
		return err;
	if (ipcperms(t, p, flg))
		return -EACCES;
	return p->id;
}

int ipcctl_obtain_check(struct task *t, struct ipc_ids *ids, int id, struct kern_ipc_perm **out)
{
	struct kern_ipc_perm *p = ipc_obtain_check(ids, id);

	if (!p)
		return -EINVAL;
	if (t->cred.euid != p->cuid && t->cred.euid != p->uid && !ipc_capable(t, CAP_SYS_ADMIN))
		return -EPERM;
	*out = p;
	return 0;
}

static const struct user_namespace *uns(const struct task *t)
{
	return t && t->user_ns ? t->user_ns : &init_user_ns;
}

int ipc_update_perm(struct task *t, const struct linux_ipc64_perm *in, struct kern_ipc_perm *out)
{
	uint32_t uid = make_kuid(uns(t), in->uid), gid = make_kgid(uns(t), in->gid);

	if (uid == (uint32_t)-1 || gid == (uint32_t)-1)
		return -EINVAL;
	out->uid = uid;
	out->gid = gid;
	out->mode = (out->mode & ~0777u) | (in->mode & 0777u);
	return 0;
}

void kernel_to_ipc64_perm(struct task *t, const struct kern_ipc_perm *in,
			  struct linux_ipc64_perm *out)
{
	out->key = in->key;
	out->uid = from_kuid_munged(uns(t), in->uid);
	out->gid = from_kgid_munged(uns(t), in->gid);
	out->cuid = from_kuid_munged(uns(t), in->cuid);
	out->cgid = from_kgid_munged(uns(t), in->cgid);
	out->mode = in->mode;
	out->seq = in->seq;
}

uint32_t ipc_uid_vnr(struct task *t, uint32_t kuid)
{
	return from_kuid_munged(uns(t), kuid);
}

uint32_t ipc_gid_vnr(struct task *t, uint32_t kgid)
{
	return from_kgid_munged(uns(t), kgid);
}

/* ---- /proc/sys and /proc/sysvipc ---- */

/* An int sysctl in [lo, hi] (proc_dointvec_minmax). */
static int write_int(const char *buf, size_t n, int lo, int hi, int *dst)
{
	uint64_t v;
	bool neg;
	int got, err = sysctl_parse_vec(buf, n, 1, &v, &neg, &got);
	long long x;

	if (err)
		return err;
	if (v > (uint64_t)INT32_MAX + (neg ? 1 : 0))
		return -EINVAL;
	x = neg ? -(long long)v : (long long)v;
	if (x < lo || x > hi)
		return -EINVAL;
	*dst = (int)x;
	return 0;
}

/* An unsigned long sysctl (proc_doulongvec_minmax, no bounds but sign). */
static int write_ulong(const char *buf, size_t n, uint64_t *dst)
{
	uint64_t v;
	bool neg;
	int got, err = sysctl_parse_vec(buf, n, 1, &v, &neg, &got);

	if (err)
		return err;
	if (neg)
		return -EINVAL;
	*dst = v;
	return 0;
}

int ipc_proc_read(struct task *t, const char *name, char **text)
{
	struct ipc_namespace *ns = task_ipc_ns(t);
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	if (!strcmp(name, "kernel/shmmax"))
		fprintf(f, "%llu\n", (unsigned long long)ns->shm_ctlmax);
	else if (!strcmp(name, "kernel/shmall"))
		fprintf(f, "%llu\n", (unsigned long long)ns->shm_ctlall);
	else if (!strcmp(name, "kernel/shmmni"))
		fprintf(f, "%d\n", ns->shm_ctlmni);
	else if (!strcmp(name, "kernel/shm_rmid_forced"))
		fprintf(f, "%d\n", ns->shm_rmid_forced);
	else if (!strcmp(name, "kernel/shm_next_id"))
		fprintf(f, "%d\n", ns->ids[IPC_SHM_IDS].next_id);
	else if (!strcmp(name, "kernel/msg_next_id"))
		fprintf(f, "%d\n", ns->ids[IPC_MSG_IDS].next_id);
	else if (!strcmp(name, "kernel/sem_next_id"))
		fprintf(f, "%d\n", ns->ids[IPC_SEM_IDS].next_id);
	else if (!strcmp(name, "kernel/sem"))
		fprintf(f, "%d\t%d\t%d\t%d\n", ns->sc_semmsl, ns->sc_semmns, ns->sc_semopm,
			ns->sc_semmni);
	else if (!strcmp(name, "kernel/msgmax"))
		fprintf(f, "%u\n", ns->msg_ctlmax);
	else if (!strcmp(name, "kernel/msgmnb"))
		fprintf(f, "%u\n", ns->msg_ctlmnb);
	else if (!strcmp(name, "kernel/msgmni"))
		fprintf(f, "%u\n", ns->msg_ctlmni);
	else if (!strcmp(name, "fs/mqueue/msg_max"))
		fprintf(f, "%d\n", ns->mq_msg_max);
	else if (!strcmp(name, "fs/mqueue/msgsize_max"))
		fprintf(f, "%d\n", ns->mq_msgsize_max);
	else if (!strcmp(name, "fs/mqueue/msg_default"))
		fprintf(f, "%d\n", ns->mq_msg_default);
	else if (!strcmp(name, "fs/mqueue/msgsize_default"))
		fprintf(f, "%d\n", ns->mq_msgsize_default);
	else if (!strcmp(name, "fs/mqueue/queues_max"))
		fprintf(f, "%d\n", ns->mq_queues_max);
	else if (!strcmp(name, "sysvipc/shm"))
		sysvipc_shm_show(ns, f);
	else if (!strcmp(name, "sysvipc/sem"))
		sysvipc_sem_show(ns, f);
	else if (!strcmp(name, "sysvipc/msg"))
		sysvipc_msg_show(ns, f);
	else {
		fclose(f);
		free(buf);
		return -ENOENT;
	}
	if (fclose(f)) {
		free(buf);
		return -ENOMEM;
	}
	*text = buf;
	return 0;
}

int ipc_proc_write(struct task *t, const char *name, const char *buf, size_t n)
{
	struct ipc_namespace *ns = task_ipc_ns(t);

	if (!strcmp(name, "kernel/shmmax"))
		return write_ulong(buf, n, &ns->shm_ctlmax);
	if (!strcmp(name, "kernel/shmall"))
		return write_ulong(buf, n, &ns->shm_ctlall);
	if (!strcmp(name, "kernel/shmmni"))
		return write_int(buf, n, 0, IPCMNI, &ns->shm_ctlmni);
	if (!strcmp(name, "kernel/shm_rmid_forced"))
		return write_int(buf, n, 0, 1, &ns->shm_rmid_forced);
	/* the *_next_id files: 0..INT_MAX (proc_dointvec_minmax) */
	if (!strcmp(name, "kernel/shm_next_id"))
		return write_int(buf, n, 0, INT32_MAX, &ns->ids[IPC_SHM_IDS].next_id);
	if (!strcmp(name, "kernel/msg_next_id"))
		return write_int(buf, n, 0, INT32_MAX, &ns->ids[IPC_MSG_IDS].next_id);
	if (!strcmp(name, "kernel/sem_next_id"))
		return write_int(buf, n, 0, INT32_MAX, &ns->ids[IPC_SEM_IDS].next_id);
	if (!strcmp(name, "kernel/sem")) {
		/* proc_ipc_sem_dointvec: four ints, semmni at most IPCMNI */
		int s[4] = { ns->sc_semmsl, ns->sc_semmns, ns->sc_semopm, ns->sc_semmni }, got;
		int err = sysctl_parse_intvec(buf, n, 4, s, &got);

		if (err)
			return err;
		if (s[3] < 0 || s[3] > IPCMNI)
			return -EINVAL;
		ns->sc_semmsl = s[0];
		ns->sc_semmns = s[1];
		ns->sc_semopm = s[2];
		ns->sc_semmni = s[3];
		return 0;
	}
	if (!strcmp(name, "kernel/msgmax"))
		return write_int(buf, n, 0, INT32_MAX, (int *)&ns->msg_ctlmax);
	if (!strcmp(name, "kernel/msgmnb"))
		return write_int(buf, n, 0, INT32_MAX, (int *)&ns->msg_ctlmnb);
	if (!strcmp(name, "kernel/msgmni"))
		return write_int(buf, n, 0, IPCMNI, (int *)&ns->msg_ctlmni);
	if (!strcmp(name, "fs/mqueue/msg_max"))
		return write_int(buf, n, 1, 65536, &ns->mq_msg_max);
	if (!strcmp(name, "fs/mqueue/msgsize_max"))
		return write_int(buf, n, 128, 16777216, &ns->mq_msgsize_max);
	if (!strcmp(name, "fs/mqueue/msg_default"))
		return write_int(buf, n, 1, 65536, &ns->mq_msg_default);
	if (!strcmp(name, "fs/mqueue/msgsize_default"))
		return write_int(buf, n, 128, 16777216, &ns->mq_msgsize_default);
	if (!strcmp(name, "fs/mqueue/queues_max"))
		return write_int(buf, n, 0, INT32_MAX, &ns->mq_queues_max);
	return -ENOENT;
}
