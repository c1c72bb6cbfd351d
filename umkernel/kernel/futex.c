/*
 * futex.c - futex(2): wait and wake, requeue, bitsets, WAKE_OP, PI
 * futexes, the robust list walked at thread exit, and futex_waitv(2).
 *
 * Futexes are keyed as Linux keys them (kernel/futex/core.c get_futex_key).
 *
 * Lock: klock, held; the futex wait list is guarded by it.
 */
#include "../kernel.h"
#include "task.h"
#include "../mm/mm.h"
#include <linux/futex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* ---- futex ----
 * A futex is keyed as Linux's get_futex_key: private ones (FUTEX_PRIVATE_FLAG,
 * or any address in a private mapping) by (mm, address); shared ones by the
 * memory behind them, (inode, offset) or (shared-anon object, offset), so
 * that processes sharing a mapping wake each other. */

struct futex_key { uint64_t k[3]; };

struct futex_waiter {
	struct list_head link;
	struct task *task;
	struct futex_key key;
	uint32_t bitset;
	bool woken;
};
static struct list_head futex_waiters = LIST_HEAD_INIT(futex_waiters);

static int futex_key(struct task *t, uint64_t uaddr, bool private_, struct futex_key *key)
{
	if (uaddr & 3)
		return -EINVAL;
	/* a shared key faults the page in first (get_user_pages_fast) */
	if (!private_ && mm_fault_check(t->mm, uaddr))
		return -EFAULT;
	if (!private_ && !mm_shared_key(t->mm, uaddr, key->k))
		return 0;
	if (!mm_find_vma(t->mm, uaddr))
		return -EFAULT;
	key->k[0] = 0;
	key->k[1] = (uint64_t)(uintptr_t)t->mm;
	key->k[2] = uaddr;
	return 0;
}

static bool key_eq(const struct futex_key *a, const struct futex_key *b)
{
	return !memcmp(a, b, sizeof *a);
}

static long futex_wake_key(const struct futex_key *key, int n, uint32_t bitset)
{
	int woken = 0;
	struct list_head *p, *nx;
	list_for_each_safe(p, nx, &futex_waiters) {
		struct futex_waiter *w = list_entry(p, struct futex_waiter, link);
		if (woken >= n)
			break;
		if (key_eq(&w->key, key) && (w->bitset & bitset) && !w->woken) {
			w->woken = true;
			list_del(&w->link);
			task_wake(w->task);
			woken++;
		}
	}
	return woken;
}

static long futex_wake(struct task *t, uint64_t uaddr, bool private_, int n, uint32_t bitset)
{
	struct futex_key key;
	int err = futex_key(t, uaddr, private_, &key);
	return err ? err : futex_wake_key(&key, n, bitset);
}

/*
 * exit_robust_list - at a thread's exit, every robust futex it still holds
 * gets FUTEX_OWNER_DIED and one waiter is woken (kernel/futex/core.c
 * exit_robust_list; the list layout is struct robust_list_head).  Bounded
 * walk; a bad pointer ends it.
 */
void exit_robust_list(struct task *t)
{
	struct { uint64_t next; int64_t offset; uint64_t pending; } head;
	if (!t->robust_list || copy_from_user(t, &head, t->robust_list, sizeof head))
		return;
	uint64_t entry = head.next, pending = head.pending;
	for (int limit = 0; limit < 2048; limit++) {
		bool last = entry == t->robust_list;
		uint64_t e = last ? pending : entry;
		if (!e)
			break;
		uint64_t uaddr = e + head.offset, next = 0;
		uint32_t word;
		if (!last && copy_from_user(t, &next, entry, 8))
			break;
		if (!copy_from_user(t, &word, uaddr, 4) && (word & FUTEX_TID_MASK) == (uint32_t)task_pid_vnr(t, t)) {
			uint32_t nw = (word & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
			if (!copy_to_user(t, uaddr, &nw, 4) && (word & FUTEX_WAITERS))
				futex_wake(t, uaddr, false, 1, FUTEX_BITSET_MATCH_ANY);
		}
		if (last)
			break;
		if (next == pending)
			pending = 0;   /* the pending entry is on the list: once is enough */
		entry = next;
	}
}

long futex_wake_addr(struct task *t, uint64_t uaddr, int n)
{
	return futex_wake(t, uaddr, false, n, FUTEX_BITSET_MATCH_ANY);
}

/* deadline: CLOCK_MONOTONIC ns (0: none), or with rt an absolute
 * CLOCK_REALTIME one, looked at again when a set of the guest's clock
 * wakes the sleep (kernel/timekeeping.c) */
static long futex_wait(struct task *t, uint64_t uaddr, bool private_, uint32_t val,
		       uint64_t deadline, uint32_t bitset, bool rt)
{
	struct futex_waiter w = { .task = t, .bitset = bitset };
	int err = futex_key(t, uaddr, private_, &w.key);
	if (err)
		return err;
	uint32_t cur;
	if (copy_from_user(t, &cur, uaddr, 4))
		return -EFAULT;
	if (cur != val)
		return -EAGAIN;
	list_add_tail(&w.link, &futex_waiters);
	long ret = 0;
	for (;;) {
		uint64_t mono = deadline;
		if (rt) {
			uint64_t now = now_ns(CLOCK_REALTIME), mn = now_ns(CLOCK_MONOTONIC);
			mono = deadline > now ? mn + (deadline - now) : mn;
			mono = mono ? mono : 1;
		}
		t->rt_abs_sleep = rt;
		int r = task_sleep(t, mono, -1, 0);
		t->rt_abs_sleep = false;
		if (w.woken)
			break;
		if (r == -ETIMEDOUT && rt && now_ns(CLOCK_REALTIME) < deadline)
			continue;     /* the clock was set back */
		if (r == -ETIMEDOUT) {
			ret = -ETIMEDOUT;
			break;
		}
		if (r == -EINTR) {
			ret = -ERESTARTSYS;
			break;
		}
	}
	if (!w.woken)
		list_del(&w.link);
	return ret;
}

/* ---- PI futexes: the word holds the owner's tid (kernel/futex/pi.c) ----
 * Every change of a PI word is an atomic compare-and-exchange run by the
 * stub (platform->cmpxchg32), so it is atomic against the guest's own
 * lock cmpxchg fast paths.  Unlock hands the lock to the first waiter. */

static long pi_cmpxchg(struct task *t, uint64_t uaddr, uint32_t old, uint32_t new_)
{
	if (!user_range_ok(t, uaddr, 4, PROT_READ | PROT_WRITE))
		return -EFAULT;
	return platform->cmpxchg32(t->host, uaddr, old, new_);
}

static bool pi_has_waiters(const struct futex_key *key, struct futex_waiter *except)
{
	struct list_head *p, *n;
	list_for_each_safe(p, n, &futex_waiters) {
		struct futex_waiter *w = list_entry(p, struct futex_waiter, link);
		if (w != except && key_eq(&w->key, key) && !w->woken)
			return true;
	}
	return false;
}

/* FUTEX_LOCK_PI(2)/TRYLOCK_PI: 0 when t owns the lock, -EDEADLK if it
 * already does, -EWOULDBLOCK (trylock), -ETIMEDOUT, -ESRCH (an owner tid
 * that is no task), -ERESTARTNOINTR on a signal (Linux restarts it). */
static long futex_lock_pi(struct task *t, uint64_t uaddr, bool private_, uint64_t deadline,
			  bool trylock)
{
	struct futex_waiter w = { .task = t, .bitset = FUTEX_BITSET_MATCH_ANY };
	int err = futex_key(t, uaddr, private_, &w.key);
	if (err)
		return err;
	bool queued = false;
	long ret;
	for (;;) {
		uint32_t v;
		if (copy_from_user(t, &v, uaddr, 4)) {
			ret = -EFAULT;
			break;
		}
		uint32_t owner = v & FUTEX_TID_MASK;
		/* futex words hold tids of the tasks' own pid namespace */
		if (owner == (uint32_t)task_pid_vnr(t, t)) {
			ret = queued ? 0 : -EDEADLK;   /* handed over by unlock */
			break;
		}
		if (!owner) {
			/* free (or its owner died): take it, keeping OWNER_DIED for
			 * user space and WAITERS if others still wait */
			uint32_t nv = (uint32_t)task_pid_vnr(t, t) | (v & FUTEX_OWNER_DIED) |
				      (pi_has_waiters(&w.key, &w) ? FUTEX_WAITERS : 0);
			long cur = pi_cmpxchg(t, uaddr, v, nv);
			if (cur < 0) {
				ret = cur;
				break;
			}
			if ((uint32_t)cur == v) {
				ret = 0;
				break;
			}
			continue;
		}
		if (trylock) {
			ret = -EWOULDBLOCK;
			break;
		}
		struct task *o = find_task_by_vpid(t, (int)owner);
		if (!(v & FUTEX_OWNER_DIED) && (!o || o->state == TASK_DEAD || o->state == TASK_ZOMBIE)) {
			ret = -ESRCH;
			break;
		}
		if (!(v & FUTEX_WAITERS)) {
			long cur = pi_cmpxchg(t, uaddr, v, v | FUTEX_WAITERS);
			if (cur < 0) {
				ret = cur;
				break;
			}
			if ((uint32_t)cur != v)
				continue;
		}
		if (!queued) {
			list_add_tail(&w.link, &futex_waiters);
			queued = true;
		}
		w.woken = false;
		int r = task_sleep(t, deadline, -1, 0);
		if (w.woken) {
			list_add_tail(&w.link, &futex_waiters); /* unlock took it off */
			continue;   /* re-read: the unlocker wrote our tid */
		}
		if (r == -ETIMEDOUT) {
			ret = -ETIMEDOUT;
			break;
		}
		if (r == -EINTR) {
			ret = -ERESTARTNOINTR;
			break;
		}
	}
	if (queued)
		list_del(&w.link);   /* queued again after every hand-over wake */
	return ret;
}

/* FUTEX_UNLOCK_PI: the owner gives the lock to the first waiter (its tid,
 * plus WAITERS if more wait), or frees it.  -EPERM if t is not the owner. */
static long futex_unlock_pi(struct task *t, uint64_t uaddr, bool private_)
{
	struct futex_key key;
	int err = futex_key(t, uaddr, private_, &key);
	if (err)
		return err;
	for (;;) {
		uint32_t v;
		if (copy_from_user(t, &v, uaddr, 4))
			return -EFAULT;
		if ((v & FUTEX_TID_MASK) != (uint32_t)task_pid_vnr(t, t))
			return -EPERM;
		struct futex_waiter *next = NULL;
		struct list_head *p, *n;
		list_for_each_safe(p, n, &futex_waiters) {
			struct futex_waiter *w = list_entry(p, struct futex_waiter, link);
			if (key_eq(&w->key, &key) && !w->woken) {
				next = w;
				break;
			}
		}
		uint32_t nv = 0;
		if (next)
			nv = (uint32_t)task_pid_vnr(next->task, next->task) |
			     (pi_has_waiters(&key, next) ? FUTEX_WAITERS : 0);
		long cur = pi_cmpxchg(t, uaddr, v, nv);
		if (cur < 0)
			return cur;
		if ((uint32_t)cur != v)
			continue;   /* user space set WAITERS meanwhile: again */
		if (next) {
			next->woken = true;
			list_del(&next->link);
			task_wake(next->task);
		}
		return 0;
	}
}

/*
 * FUTEX_WAKE_OP: wakes up to n on uaddr; atomically applies the encoded
 * operation to the u32 at uaddr2 (a cmpxchg loop run by the stub); then,
 * if the old value passes the encoded comparison, wakes up to n2 there.
 * Returns the total woken.  Mirrors kernel/futex/waitwake.c.
 */
static long futex_wake_op(struct task *t, uint64_t uaddr, uint64_t uaddr2, bool private_, int n,
			  int n2, uint32_t encoded)
{
	struct futex_key k1, k2;
	int err = futex_key(t, uaddr, private_, &k1);
	if (!err)
		err = futex_key(t, uaddr2, private_, &k2);
	if (err)
		return err;
	int op = (encoded >> 28) & 7, cmp = (encoded >> 24) & 15;
	uint32_t oparg = (encoded >> 12) & 0xfff, cmparg = encoded & 0xfff;
	if (encoded & (8u << 28)) {      /* FUTEX_OP_OPARG_SHIFT */
		if (oparg > 31)
			return -EINVAL;
		oparg = 1u << oparg;
	}
	if (op > 4 || cmp > 5)
		return -ENOSYS;
	uint32_t old;
	for (;;) {
		if (copy_from_user(t, &old, uaddr2, 4))
			return -EFAULT;
		uint32_t nv = op == 0 ? oparg : op == 1 ? old + oparg : op == 2 ? old | oparg :
			      op == 3 ? old & ~oparg : old ^ oparg;
		long cur = pi_cmpxchg(t, uaddr2, old, nv);
		if (cur < 0)
			return cur;
		if ((uint32_t)cur == old)
			break;
	}
	/* the comparison arguments are sign-extended 12-bit values */
	int32_t o = (int32_t)old, c = ((int32_t)(cmparg << 20)) >> 20;
	bool hit = cmp == 0 ? o == c : cmp == 1 ? o != c : cmp == 2 ? o < c :
		   cmp == 3 ? o <= c : cmp == 4 ? o > c : o >= c;
	long woken = futex_wake_key(&k1, n, FUTEX_BITSET_MATCH_ANY);
	if (hit)
		woken += futex_wake_key(&k2, n2, FUTEX_BITSET_MATCH_ANY);
	return woken;
}

long sys_futex(struct task *t, struct sysargs *a)
{
	uint64_t uaddr = a->a[0];
	int op = arg_int(a, 1);
	int cmd = op & FUTEX_CMD_MASK;
	uint32_t val = (uint32_t)a->a[2];
	bool private_ = op & FUTEX_PRIVATE_FLAG;
	if (uaddr & 3)
		return -EINVAL;
	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET: {
		uint64_t deadline = 0;
		bool rt = false;
		uint32_t bitset = cmd == FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : (uint32_t)a->a[5];
		if (!bitset)
			return -EINVAL;
		if (a->a[3]) {
			struct linux_timespec ts;
			if (copy_from_user(t, &ts, a->a[3], sizeof ts))
				return -EFAULT;
			if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
				return -EINVAL;
			uint64_t ns = ts.tv_sec * 1000000000ULL + ts.tv_nsec;
			if (cmd == FUTEX_WAIT) {
				deadline = now_ns(CLOCK_MONOTONIC) + ns;
			} else if (op & FUTEX_CLOCK_REALTIME) {
				deadline = ns;             /* futex_wait converts it */
				rt = true;
			} else {
				/* futex_init_timeout: the caller's time namespace's */
				deadline = timens_to_host(t, CLOCK_MONOTONIC, ns);
			}
			if (!deadline)
				deadline = 1;
		}
		return futex_wait(t, uaddr, private_, val, deadline, bitset, rt);
	}
	case FUTEX_LOCK_PI:
	case FUTEX_LOCK_PI2:
	case FUTEX_TRYLOCK_PI: {
		uint64_t deadline = 0;
		if (cmd != FUTEX_TRYLOCK_PI && a->a[3]) {
			struct linux_timespec ts;
			if (copy_from_user(t, &ts, a->a[3], sizeof ts))
				return -EFAULT;
			if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
				return -EINVAL;
			/* absolute: CLOCK_REALTIME for LOCK_PI, else the flag says */
			uint64_t ns = ts.tv_sec * 1000000000ULL + ts.tv_nsec;
			bool rt = cmd == FUTEX_LOCK_PI || (op & FUTEX_CLOCK_REALTIME);
			if (!rt)
				ns = timens_to_host(t, CLOCK_MONOTONIC, ns);
			uint64_t now = now_ns(rt ? CLOCK_REALTIME : CLOCK_MONOTONIC), mono = now_ns(CLOCK_MONOTONIC);
			deadline = ns > now ? mono + (ns - now) : mono;
			if (!deadline)
				deadline = 1;
		}
		return futex_lock_pi(t, uaddr, private_, deadline, cmd == FUTEX_TRYLOCK_PI);
	}
	case FUTEX_UNLOCK_PI:
		return futex_unlock_pi(t, uaddr, private_);
	case FUTEX_WAKE_OP:
		return futex_wake_op(t, uaddr, a->a[4], private_, (int)val, (int)a->a[3],
				     (uint32_t)a->a[5]);
	case FUTEX_WAKE:
		return futex_wake(t, uaddr, private_, (int)val, FUTEX_BITSET_MATCH_ANY);
	case FUTEX_WAKE_BITSET:
		if (!(uint32_t)a->a[5])
			return -EINVAL;
		return futex_wake(t, uaddr, private_, (int)val, (uint32_t)a->a[5]);
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE: {
		/* futex_requeue's order: counts, both keys, then the value */
		if ((int)val < 0 || (int)a->a[3] < 0)
			return -EINVAL;
		struct futex_key from, to;
		int err = futex_key(t, uaddr, private_, &from);
		if (!err)
			err = futex_key(t, a->a[4], private_, &to);
		if (err)
			return err;
		if (cmd == FUTEX_CMP_REQUEUE) {
			uint32_t cur;
			if (copy_from_user(t, &cur, uaddr, 4))
				return -EFAULT;
			if (cur != (uint32_t)a->a[5])
				return -EAGAIN;
		}
		long n = futex_wake_key(&from, (int)val, FUTEX_BITSET_MATCH_ANY);
		int req = (int)a->a[3], moved = 0;
		struct list_head *p, *nx;
		list_for_each_safe(p, nx, &futex_waiters) {
			struct futex_waiter *w = list_entry(p, struct futex_waiter, link);
			if (moved >= req)
				break;
			if (key_eq(&w->key, &from)) {
				w->key = to;
				moved++;
			}
		}
		return n + moved;
	}
	}
	return -ENOSYS;
}

/* ---- futex_waitv(2): one wait on up to 128 futexes (kernel/futex/waitwake.c) ---- */

#define FUTEX_WAITV_MAX_ 128
#define FUTEX2_SIZE_U32_ 0x02
#define FUTEX2_PRIVATE_  FUTEX_PRIVATE_FLAG

struct futex_waitv_ {
	uint64_t val;
	uint64_t uaddr;
	uint32_t flags;
	uint32_t reserved;
};

/*
 * futex_waitv(waiters, nr_futexes, flags, timeout, clockid): sleeps until
 * one of the futexes is woken (FUTEX_WAKE on its address) and returns
 * the index of the lowest one woken.  Every entry must be a 32-bit futex
 * (FUTEX2_SIZE_U32, optionally FUTEX2_PRIVATE, reserved 0, an aligned
 * address, a value that fits 32 bits).  timeout, if not NULL, is
 * absolute on clockid (CLOCK_MONOTONIC or CLOCK_REALTIME).  Errors:
 * -EINVAL (flags, counts, entries, clock, timespec), -EFAULT (bad
 * vector, timeout or futex word), -EAGAIN (a word already differs from
 * its val), -ETIMEDOUT, -ERESTARTSYS (a signal).  Mirrors Linux's
 * sys_futex_waitv and futex_wait_multiple.
 */
long sys_futex_waitv(struct task *t, struct sysargs *a)
{
	uint64_t uw = a->a[0], uts = a->a[3];
	unsigned nr = arg_uint(a, 1);
	int clockid = arg_int(a, 4);
	uint64_t deadline = 0;

	if (arg_uint(a, 2))
		return -EINVAL;
	if (!uw || !nr || nr > FUTEX_WAITV_MAX_)
		return -EINVAL;
	if (uts) {
		struct linux_timespec ts;

		if (clockid != CLOCK_REALTIME && clockid != CLOCK_MONOTONIC)
			return -EINVAL;
		if (copy_from_user(t, &ts, uts, sizeof ts))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
		uint64_t ns = timens_to_host(t, clockid, ts.tv_sec * 1000000000ULL + ts.tv_nsec);
		uint64_t now = now_ns(clockid), mono = now_ns(CLOCK_MONOTONIC);
		deadline = ns > now ? mono + (ns - now) : mono;
		if (!deadline)
			deadline = 1;
	}
	struct futex_waitv_ v[FUTEX_WAITV_MAX_];
	struct futex_waiter w[FUTEX_WAITV_MAX_];

	if (copy_from_user(t, v, uw, nr * sizeof v[0]))
		return -EFAULT;
	for (unsigned i = 0; i < nr; i++) {
		if ((v[i].flags & ~(FUTEX2_SIZE_U32_ | FUTEX2_PRIVATE_)) || v[i].reserved ||
		    !(v[i].flags & FUTEX2_SIZE_U32_) || v[i].val > UINT32_MAX)
			return -EINVAL;
	}
	for (unsigned i = 0; i < nr; i++) {
		w[i] = (struct futex_waiter){ .task = t, .bitset = FUTEX_BITSET_MATCH_ANY };
		int err = futex_key(t, v[i].uaddr, v[i].flags & FUTEX2_PRIVATE_, &w[i].key);
		if (err)
			return err;
	}
	for (unsigned i = 0; i < nr; i++) {
		uint32_t cur;

		if (copy_from_user(t, &cur, v[i].uaddr, 4))
			return -EFAULT;
		if (cur != (uint32_t)v[i].val)
			return -EAGAIN;
	}
	for (unsigned i = 0; i < nr; i++)
		list_add_tail(&w[i].link, &futex_waiters);
	long ret = -1;
	while (ret == -1) {
		int r = task_sleep(t, deadline, -1, 0);

		for (unsigned i = 0; i < nr && ret == -1; i++)
			if (w[i].woken)
				ret = i;
		if (ret == -1 && r == -ETIMEDOUT)
			ret = -ETIMEDOUT;
		else if (ret == -1 && r == -EINTR)
			ret = -ERESTARTSYS;
	}
	for (unsigned i = 0; i < nr; i++)
		if (!w[i].woken)
			list_del(&w[i].link);
	return ret;
}
