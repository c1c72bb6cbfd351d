/*
 * mempolicy.c - NUMA memory policy and protection keys, as Linux answers
 * them on a machine with one memory node (node 0) and a kernel built
 * without memory protection keys: get_mempolicy(2), set_mempolicy(2),
 * mbind(2), migrate_pages(2), move_pages(2), set_mempolicy_home_node(2),
 * pkey_alloc(2), pkey_free(2), pkey_mprotect(2).
 *
 * In a nutshell (Linux's mm/mempolicy.c, mm/migrate.c, mm/mprotect.c):
 * every mode is checked as Linux checks it and a task's own policy
 * (set_mempolicy) is kept and reported, so programs that probe NUMA
 * support (numactl, libnuma, jemalloc, V8) see a one-node machine; with
 * one node there is nothing to place or migrate.  Policies of address
 * ranges (mbind) are kept in their VMAs (split and merged with them) and
 * reported by get_mempolicy(MPOL_F_ADDR).  Protection keys: pkey_alloc fails with ENOSPC,
 * pkey_free with EINVAL, and pkey_mprotect is mprotect for key -1 (and 0,
 * the default key).
 *
 * Lock: klock, held.
 */
#include "../kernel.h"
#include "mm.h"
#include "../kernel/ptrace.h"
#include <string.h>
#include <sys/mman.h>

enum { MPOL_DEFAULT_, MPOL_PREFERRED_, MPOL_BIND_, MPOL_INTERLEAVE_, MPOL_LOCAL_,
       MPOL_PREFERRED_MANY_, MPOL_WEIGHTED_INTERLEAVE_, MPOL_MAX_ };
#define MPOL_F_NUMA_BALANCING (1 << 13)
#define MPOL_F_RELATIVE_NODES (1 << 14)
#define MPOL_F_STATIC_NODES   (1 << 15)
#define MPOL_MODE_FLAGS (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES | MPOL_F_NUMA_BALANCING)
#define MPOL_F_NODE          1
#define MPOL_F_ADDR          2
#define MPOL_F_MEMS_ALLOWED  4
#define MPOL_MF_STRICT       1
#define MPOL_MF_MOVE         2
#define MPOL_MF_MOVE_ALL     4
#define MAX_NUMNODES         1024   /* Debian's CONFIG_NODES_SHIFT=10 */
#define NR_NODE_IDS          1

/*
 * get_nodes - reads a nodemask of maxnode bits (Linux keeps maxnode - 1
 * of them): the nodes below 64 in *mask.  -EINVAL for too long a mask or
 * a bit set past MAX_NUMNODES, -EFAULT.
 */
static int get_nodes(struct task *t, uint64_t umask, uint64_t maxnode, uint64_t *mask)
{
	*mask = 0;
	if (maxnode > 0)
		maxnode--;
	if (!maxnode || !umask)
		return 0;
	if (maxnode > GUEST_PAGE_SIZE * 8)
		return -EINVAL;
	uint64_t words = (maxnode + 63) / 64, w;
	for (uint64_t i = 0; i < words; i++) {
		if (copy_from_user(t, &w, umask + i * 8, 8))
			return -EFAULT;
		if (i == words - 1 && maxnode % 64)
			w &= (1ULL << (maxnode % 64)) - 1;
		if (i == 0)
			*mask = w;
		else if (i * 64 >= MAX_NUMNODES && w)
			return -EINVAL;
	}
	return 0;
}

/* Writes mask as maxnode - 1 bits (zero past the node ids); -EINVAL if
 * maxnode is below the node count or the copy would pass a page. */
static int put_nodes(struct task *t, uint64_t umask, uint64_t maxnode, uint64_t mask)
{
	if (!umask)
		return 0;
	uint64_t copy = ((maxnode - 1 + 63) / 64) * 8;
	if (maxnode < NR_NODE_IDS + 0 || copy > GUEST_PAGE_SIZE)
		return -EINVAL;
	uint64_t zero = 0;
	for (uint64_t off = 0; off < copy; off += 8)
		if (copy_to_user(t, umask + off, off ? &zero : &mask, 8))
			return -EFAULT;
	return 0;
}

/* Linux's mpol_new and its nodemask rules on a one-node machine. */
static int check_mode(int mode, unsigned int mflags, uint64_t nodes)
{
	if (mode < 0 || mode >= MPOL_MAX_)
		return -EINVAL;
	if ((mflags & MPOL_F_STATIC_NODES) && (mflags & MPOL_F_RELATIVE_NODES))
		return -EINVAL;
	if ((mflags & MPOL_F_NUMA_BALANCING) && mode != MPOL_BIND_ && mode != MPOL_PREFERRED_MANY_)
		return -EINVAL;
	switch (mode) {
	case MPOL_DEFAULT_:
		return nodes ? -EINVAL : 0;
	case MPOL_LOCAL_:
		return nodes || mflags ? -EINVAL : 0;
	case MPOL_PREFERRED_:
		if (!nodes)
			return mflags & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES) ? -EINVAL : 0;
		break;
	default:
		if (!nodes)
			return -EINVAL;
	}
	/* the nodes asked for, within the one online node */
	if (!(mflags & MPOL_F_RELATIVE_NODES) && !(nodes & 1))
		return -EINVAL;
	return 0;
}

/* set_mempolicy(mode | flags, nodemask, maxnode): the caller's policy. */
long sys_set_mempolicy(struct task *t, struct sysargs *a)
{
	int arg = arg_int(a, 0);
	int mode = arg & ~MPOL_MODE_FLAGS;
	unsigned int mflags = arg & MPOL_MODE_FLAGS;
	uint64_t nodes;
	int err = get_nodes(t, a->a[1], a->a[2], &nodes);
	if (err)
		return err;
	err = check_mode(mode, mflags, nodes);
	if (err)
		return err;
	t->mempolicy_mode = mode == MPOL_DEFAULT_ ? 0 : arg;
	t->mempolicy_nodes = nodes & 1;
	return 0;
}

/* get_mempolicy(mode, nodemask, maxnode, addr, flags). */
long sys_get_mempolicy(struct task *t, struct sysargs *a)
{
	unsigned long flags = a->a[4];
	uint64_t addr = a->a[3];
	int mode;
	uint64_t nodes = 0;
	if (flags & ~(unsigned long)(MPOL_F_NODE | MPOL_F_ADDR | MPOL_F_MEMS_ALLOWED))
		return -EINVAL;
	if (a->a[1] && a->a[2] < NR_NODE_IDS)
		return -EINVAL;
	if (flags & MPOL_F_MEMS_ALLOWED) {
		if (flags & (MPOL_F_NODE | MPOL_F_ADDR))
			return -EINVAL;
		mode = 0;
		nodes = 1;
	} else if (flags & MPOL_F_ADDR) {
		struct vma *v = t->mm ? mm_find_vma(t->mm, addr) : NULL;
		if (!v)
			return -EFAULT;
		/* the range's own policy, else the default (not the task's) */
		mode = v->mpol_mode;
		nodes = v->mpol_nodes;
		if (flags & MPOL_F_NODE)
			mode = 0; /* the page's node */
	} else {
		if (addr)
			return -EINVAL;
		mode = t->mempolicy_mode;
		nodes = t->mempolicy_nodes;
		if (flags & MPOL_F_NODE) {
			if ((mode & ~MPOL_MODE_FLAGS) != MPOL_INTERLEAVE_ &&
			    (mode & ~MPOL_MODE_FLAGS) != MPOL_WEIGHTED_INTERLEAVE_)
				return -EINVAL;
			mode = 0; /* the next interleave node */
		}
		if ((t->mempolicy_mode & ~MPOL_MODE_FLAGS) == MPOL_PREFERRED_ && !nodes)
			mode = MPOL_LOCAL_;   /* as Linux reports a preferred policy with no node */
	}
	if (a->a[0] && copy_to_user(t, a->a[0], &mode, sizeof mode))
		return -EFAULT;
	return put_nodes(t, a->a[1], a->a[2], nodes);
}

/* Whether [start, end) is mapped without holes. */
static bool range_mapped(struct mm *mm, uint64_t start, uint64_t end)
{
	uint64_t at = start;
	for_each_vma(mm, v) {
		if (v->end <= at)
			continue;
		if (v->start > at)
			return false;
		at = v->end;
		if (at >= end)
			return true;
	}
	return at >= end;
}

/* The policy a task or range keeps for mode | mflags and nodes (Linux's
 * mpol_new: PREFERRED without nodes is LOCAL; the nodemask kept is the
 * user's with MPOL_F_STATIC/RELATIVE_NODES, else the online nodes asked). */
static void mpol_value(int mode, unsigned int mflags, uint64_t nodes, int *out_mode, uint64_t *out_nodes)
{
	if (mode == MPOL_DEFAULT_) {
		*out_mode = 0;
		*out_nodes = 0;
		return;
	}
	if (mode == MPOL_PREFERRED_ && !nodes)
		mode = MPOL_LOCAL_;
	*out_mode = mode | (int)mflags;
	*out_nodes = mode == MPOL_LOCAL_ ? 0 :
		     (mflags & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES)) ? nodes : nodes & 1;
}

/* mbind(addr, len, mode, nodemask, maxnode, flags): the range's VMAs keep
 * the policy (MPOL_DEFAULT drops it); -EFAULT for a hole in the range. */
long sys_mbind(struct task *t, struct sysargs *a)
{
	uint64_t start = a->a[0], len = a->a[1];
	int arg = arg_int(a, 2);
	int mode = arg & ~MPOL_MODE_FLAGS;
	unsigned int mflags = arg & MPOL_MODE_FLAGS;
	unsigned int flags = arg_uint(a, 5);
	uint64_t nodes;
	if (flags & ~(unsigned)(MPOL_MF_STRICT | MPOL_MF_MOVE | MPOL_MF_MOVE_ALL))
		return -EINVAL;
	if ((flags & MPOL_MF_MOVE_ALL) && !capable(t, CAP_SYS_NICE))
		return -EPERM;
	if (start & (GUEST_PAGE_SIZE - 1))
		return -EINVAL;
	if (mode == MPOL_DEFAULT_)
		flags &= ~MPOL_MF_STRICT;
	len = PAGE_ALIGN(len);
	if (start + len < start)
		return -EINVAL;
	int err = get_nodes(t, a->a[3], a->a[4], &nodes);
	if (err)
		return err;
	err = check_mode(mode, mflags, nodes);
	if (err)
		return err;
	if (!len)
		return 0;
	if (!t->mm || !range_mapped(t->mm, start, start + len))
		return -EFAULT;
	int pmode;
	uint64_t pnodes;
	mpol_value(mode, mflags, nodes, &pmode, &pnodes);
	mm_split_at(t->mm, start);
	mm_split_at(t->mm, start + len);
	for_each_vma(t->mm, v) {
		if (v->start >= start && v->end <= start + len) {
			v->mpol_mode = pmode;
			v->mpol_nodes = pnodes;
		}
	}
	mm_merge(t->mm);
	return 0;
}

static struct task *mm_target(struct task *t, int pid)
{
	return pid ? find_task_by_vpid(t, pid) : t;
}

/* migrate_pages(pid, maxnode, old_nodes, new_nodes): nothing to move;
 * returns the pages that could not be moved (0). */
long sys_migrate_pages(struct task *t, struct sysargs *a)
{
	uint64_t oldn, newn;
	int err = get_nodes(t, a->a[2], a->a[1], &oldn);
	if (!err)
		err = get_nodes(t, a->a[3], a->a[1], &newn);
	if (err)
		return err;
	struct task *tk = mm_target(t, arg_int(a, 0));
	if (!tk || !tk->mm)
		return -ESRCH;
	/* kernel_migrate_pages: ptrace read access to the target, and
	 * CAP_SYS_NICE to name nodes it may not use */
	if (!ptrace_may_access(t, tk, PTRACE_MODE_READ))
		return -EPERM;
	if ((newn & ~1ULL) && !capable(t, CAP_SYS_NICE))
		return -EPERM;
	if (newn & ~1ULL)
		return -EINVAL;
	return 0;
}

/* move_pages(pid, count, pages, nodes, status, flags): with nodes NULL
 * the node of each page (0, or -EFAULT where nothing is mapped); else
 * each target must be node 0. */
long sys_move_pages(struct task *t, struct sysargs *a)
{
	uint64_t count = a->a[1];
	unsigned int flags = arg_uint(a, 5);
	if (flags & ~(unsigned)(MPOL_MF_MOVE | MPOL_MF_MOVE_ALL))
		return -EINVAL;
	if ((flags & MPOL_MF_MOVE_ALL) && !capable(t, CAP_SYS_NICE))
		return -EPERM;
	struct task *tk = mm_target(t, arg_int(a, 0));
	if (!tk || !tk->mm)
		return -ESRCH;
	if (!ptrace_may_access(t, tk, PTRACE_MODE_READ))
		return -EPERM;   /* find_mm_struct */
	for (uint64_t i = 0; i < count; i++) {
		uint64_t page;
		int node = 0, st;
		if (copy_from_user(t, &page, a->a[2] + i * 8, 8))
			return -EFAULT;
		if (a->a[3]) {
			if (copy_from_user(t, &node, a->a[3] + i * 4, 4))
				return -EFAULT;
			if (node < 0 || node >= MAX_NUMNODES)
				return -ENODEV;
			if (node >= NR_NODE_IDS)
				return -ENODEV;
		}
		struct vma *v = mm_find_vma(tk->mm, page);
		st = v && page >= v->start ? 0 : -EFAULT;
		if (copy_to_user(t, a->a[4] + i * 4, &st, 4))
			return -EFAULT;
	}
	return 0;
}

/* set_mempolicy_home_node(start, len, home_node, flags): ranges keep no
 * policy, so there is none to change (Linux returns 0 for those). */
long sys_set_mempolicy_home_node(struct task *t, struct sysargs *a)
{
	uint64_t start = a->a[0], len = PAGE_ALIGN(a->a[1]);
	if (arg_uint(a, 3))
		return -EINVAL;
	if (start & (GUEST_PAGE_SIZE - 1))
		return -EINVAL;
	if (a->a[2] >= MAX_NUMNODES || a->a[2] >= NR_NODE_IDS)
		return -EINVAL;
	if (start + len < start)
		return -EINVAL;
	(void)t;
	return 0;
}

/* ---- protection keys: a kernel built without them ---- */

long sys_pkey_alloc(struct task *t, struct sysargs *a)
{
	(void)t;
	if (arg_uint(a, 0) || (arg_uint(a, 1) & ~3u))
		return -EINVAL;
	return -ENOSPC;
}

long sys_pkey_free(struct task *t, struct sysargs *a)
{
	(void)t, (void)a;
	return -EINVAL;
}

long sys_pkey_mprotect(struct task *t, struct sysargs *a)
{
	int pkey = arg_int(a, 3);
	if (pkey != -1 && pkey != 0)
		return -EINVAL;
	return mm_mprotect(t->mm, a->a[0], a->a[1], arg_int(a, 2));
}
