/*
 * seccomp.c - seccomp(2) for guests: strict mode, classic-BPF filters run
 * by umk at syscall entry, and the USER_NOTIF listener.  Mirrors Linux's
 * kernel/seccomp.c and the classic-BPF checker of net/core/filter.c
 * (bpf_check_classic, check_load_and_stores).
 *
 * In a nutshell: a task's filters are a chain, newest first, shared with
 * the tasks it forks and kept across execve.  syscall_trace_enter (after
 * ptrace's entry stop) calls seccomp_syscall_enter(), which runs every
 * filter of the chain on the syscall's seccomp_data in umk's own
 * interpreter; the most restrictive action wins (the lowest action value,
 * signed: KILL_PROCESS first), and the newest filter giving it supplies
 * the data and the listener.  These filters are the guest's only: the
 * platforms' own filters on their stubs are host filters that nothing
 * here can see or widen.
 *
 * Lock: klock guards all of it (filters, listeners, notifications).
 */
#include "../kernel.h"
#include "task.h"
#include "ptrace.h"
#include "../fs/fs.h"
#include <poll.h>
#include <stdlib.h>
#include <string.h>

/* classic BPF (linux/filter.h, linux/bpf_common.h) */
#define BPF_CLASS(c) ((c) & 0x07)
#define BPF_LD   0x00
#define BPF_LDX  0x01
#define BPF_ST   0x02
#define BPF_STX  0x03
#define BPF_ALU  0x04
#define BPF_JMP  0x05
#define BPF_RET  0x06
#define BPF_MISC 0x07
#define BPF_W    0x00
#define BPF_H    0x08
#define BPF_B    0x10
#define BPF_IMM  0x00
#define BPF_ABS  0x20
#define BPF_IND  0x40
#define BPF_MEM  0x60
#define BPF_LEN  0x80
#define BPF_MSH  0xa0
#define BPF_ADD  0x00
#define BPF_SUB  0x10
#define BPF_MUL  0x20
#define BPF_DIV  0x30
#define BPF_OR   0x40
#define BPF_AND  0x50
#define BPF_LSH  0x60
#define BPF_RSH  0x70
#define BPF_NEG  0x80
#define BPF_MOD  0x90
#define BPF_XOR  0xa0
#define BPF_JA   0x00
#define BPF_JEQ  0x10
#define BPF_JGT  0x20
#define BPF_JGE  0x30
#define BPF_JSET 0x40
#define BPF_K    0x00
#define BPF_X    0x08
#define BPF_A    0x10
#define BPF_TAX  0x00
#define BPF_TXA  0x80

#define MAX_INSNS_PER_PATH 32768   /* Linux: all filters of a chain, each costing len + 4 */
#define MAX_ERRNO 4095

struct notif;

struct seccomp_filter {
	int refs;                      /* tasks and newer filters pointing here, plus a listener file */
	int users;                     /* tasks and newer filters: none left = the listener hangs up */
	struct seccomp_filter *prev;
	struct linux_sock_filter *insns;
	int len;
	bool log;                      /* SECCOMP_FILTER_FLAG_LOG */
	bool wait_killable_recv;       /* SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV */
	struct notif *notif;           /* the USER_NOTIF listener, or NULL */
};

/* A listener: its notifications and the wait queue of its pollers. */
struct notif {
	struct seccomp_filter *filter; /* NULL once the listener file is closed */
	struct list_head reqs;         /* struct knotif */
	uint64_t next_id;
	struct wait_queue wq;          /* RECV and poll */
};

enum { NOTIFY_INIT, NOTIFY_SENT, NOTIFY_REPLIED };

/* One syscall waiting for the supervisor (on the notifying task's stack). */
struct knotif {
	struct list_head link;
	struct task *task;
	uint64_t id;
	int state;
	struct linux_seccomp_data data;
	int64_t val;
	int error;
	unsigned flags;
};

static bool is_root(struct task *t) { return capable(t, CAP_SYS_ADMIN); }

/* ---- filters: lifetime ---- */

static void filter_free(struct seccomp_filter *f)
{
	while (f && --f->refs == 0) {
		struct seccomp_filter *prev = f->prev;
		free(f->insns);
		free(f);
		f = prev;
	}
}

/* A task or a newer filter stops using f. */
static void filter_unuse(struct seccomp_filter *f)
{
	for (struct seccomp_filter *p = f; p; p = p->prev) {
		if (--p->users)
			break;
		if (p->notif)
			wake_up(&p->notif->wq);   /* its listener hangs up */
	}
	filter_free(f);
}

static void filter_use(struct seccomp_filter *f)
{
	if (f) {
		f->refs++;
		f->users++;
	}
}

void seccomp_fork(struct task *t, struct task *c)
{
	c->no_new_privs = t->no_new_privs;
	c->seccomp_mode = t->seccomp_mode;
	c->seccomp_filter = t->seccomp_filter;
	filter_use(c->seccomp_filter);
	if (t->seccomp_mode)
		c->syscall_work |= SW_SECCOMP;
}

void seccomp_release(struct task *t)
{
	if (t->seccomp_filter)
		filter_unuse(t->seccomp_filter);
	t->seccomp_filter = NULL;
}

int seccomp_filter_count(struct task *t)
{
	int n = 0;
	for (struct seccomp_filter *f = t->seccomp_filter; f; f = f->prev)
		n++;
	return n;
}

/* ---- the checker: Linux's bpf_check_classic + seccomp_check_filter ---- */

static bool is_cond_jump(uint16_t code)
{
	return BPF_CLASS(code) == BPF_JMP && (code & 0xf0) != BPF_JA;
}

/* The codes seccomp accepts (seccomp_check_filter's list); the loads of
 * bytes, halves, packet-relative and the extensions of socket filters
 * are not among them. */
static bool code_allowed(uint16_t code)
{
	switch (code) {
	case BPF_LD | BPF_W | BPF_ABS:
	case BPF_LD | BPF_W | BPF_LEN:
	case BPF_LDX | BPF_W | BPF_LEN:
	case BPF_RET | BPF_K:
	case BPF_RET | BPF_A:
	case BPF_ALU | BPF_ADD | BPF_K: case BPF_ALU | BPF_ADD | BPF_X:
	case BPF_ALU | BPF_SUB | BPF_K: case BPF_ALU | BPF_SUB | BPF_X:
	case BPF_ALU | BPF_MUL | BPF_K: case BPF_ALU | BPF_MUL | BPF_X:
	case BPF_ALU | BPF_DIV | BPF_K: case BPF_ALU | BPF_DIV | BPF_X:
	case BPF_ALU | BPF_AND | BPF_K: case BPF_ALU | BPF_AND | BPF_X:
	case BPF_ALU | BPF_OR | BPF_K: case BPF_ALU | BPF_OR | BPF_X:
	case BPF_ALU | BPF_XOR | BPF_K: case BPF_ALU | BPF_XOR | BPF_X:
	case BPF_ALU | BPF_LSH | BPF_K: case BPF_ALU | BPF_LSH | BPF_X:
	case BPF_ALU | BPF_RSH | BPF_K: case BPF_ALU | BPF_RSH | BPF_X:
	case BPF_ALU | BPF_NEG:
	case BPF_LD | BPF_IMM:
	case BPF_LDX | BPF_IMM:
	case BPF_MISC | BPF_TAX:
	case BPF_MISC | BPF_TXA:
	case BPF_LD | BPF_MEM:
	case BPF_LDX | BPF_MEM:
	case BPF_ST:
	case BPF_STX:
	case BPF_JMP | BPF_JA:
	case BPF_JMP | BPF_JEQ | BPF_K: case BPF_JMP | BPF_JEQ | BPF_X:
	case BPF_JMP | BPF_JGE | BPF_K: case BPF_JMP | BPF_JGE | BPF_X:
	case BPF_JMP | BPF_JGT | BPF_K: case BPF_JMP | BPF_JGT | BPF_X:
	case BPF_JMP | BPF_JSET | BPF_K: case BPF_JMP | BPF_JSET | BPF_X:
		return true;
	}
	return false;
}

/* Every code classic BPF knows (chk_code_allowed): these pass the first
 * check and may then be refused by seccomp's own list. */
static bool code_known(uint16_t code)
{
	if (code_allowed(code))
		return true;
	switch (code) {
	case BPF_ALU | BPF_MOD | BPF_K: case BPF_ALU | BPF_MOD | BPF_X:
	case BPF_LD | BPF_H | BPF_ABS: case BPF_LD | BPF_B | BPF_ABS:
	case BPF_LD | BPF_W | BPF_IND: case BPF_LD | BPF_H | BPF_IND: case BPF_LD | BPF_B | BPF_IND:
	case BPF_LDX | BPF_B | BPF_MSH:
		return true;
	}
	return false;
}

/*
 * Checks a classic-BPF program for seccomp, as Linux does: 1..4096
 * instructions of known codes, conditional jumps inside the program, no
 * division by a constant 0, shifts by less than 32, scratch memory cells
 * below 16 and never read before written on every path, a RET at the
 * end, and only the loads and operations seccomp allows (32-bit loads of
 * aligned offsets inside struct seccomp_data).  Rewrites the length loads
 * into immediates.  Returns 0 or -EINVAL.
 */
static int check_filter(struct linux_sock_filter *p, int len)
{
	if (len <= 0 || len > LINUX_BPF_MAXINSNS)
		return -EINVAL;
	for (int pc = 0; pc < len; pc++) {
		struct linux_sock_filter *ins = &p[pc];
		if (!code_known(ins->code))
			return -EINVAL;
		switch (ins->code) {
		case BPF_ALU | BPF_DIV | BPF_K:
		case BPF_ALU | BPF_MOD | BPF_K:
			if (!ins->k)
				return -EINVAL;
			break;
		case BPF_ALU | BPF_LSH | BPF_K:
		case BPF_ALU | BPF_RSH | BPF_K:
			if (ins->k >= 32)
				return -EINVAL;
			break;
		case BPF_LD | BPF_MEM:
		case BPF_LDX | BPF_MEM:
		case BPF_ST:
		case BPF_STX:
			if (ins->k >= LINUX_BPF_MEMWORDS)
				return -EINVAL;
			break;
		case BPF_JMP | BPF_JA:
			if (ins->k >= (uint32_t)(len - pc - 1))
				return -EINVAL;
			break;
		default:
			if (is_cond_jump(ins->code) &&
			    (pc + ins->jt + 1 >= len || pc + ins->jf + 1 >= len))
				return -EINVAL;
		}
	}
	uint16_t last = p[len - 1].code;
	if (last != (BPF_RET | BPF_K) && last != (BPF_RET | BPF_A))
		return -EINVAL;
	/* check_load_and_stores: a cell is read only where every path to
	 * the read has written it */
	uint16_t *masks = malloc(len * sizeof *masks), valid = 0;
	if (!masks)
		return -ENOMEM;
	memset(masks, 0xff, len * sizeof *masks);
	int err = 0;
	for (int pc = 0; pc < len && !err; pc++) {
		struct linux_sock_filter *ins = &p[pc];
		valid &= masks[pc];
		switch (ins->code) {
		case BPF_ST:
		case BPF_STX:
			valid |= 1u << ins->k;
			break;
		case BPF_LD | BPF_MEM:
		case BPF_LDX | BPF_MEM:
			if (!(valid & (1u << ins->k)))
				err = -EINVAL;
			break;
		case BPF_JMP | BPF_JA:
			masks[pc + 1 + ins->k] &= valid;
			valid = 0xffff;
			break;
		default:
			if (is_cond_jump(ins->code)) {
				masks[pc + 1 + ins->jt] &= valid;
				masks[pc + 1 + ins->jf] &= valid;
				valid = 0xffff;
			}
		}
	}
	free(masks);
	if (err)
		return err;
	/* seccomp's own rules */
	for (int pc = 0; pc < len; pc++) {
		struct linux_sock_filter *ins = &p[pc];
		if (!code_allowed(ins->code))
			return -EINVAL;
		switch (ins->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (ins->k >= sizeof(struct linux_seccomp_data) || (ins->k & 3))
				return -EINVAL;
			break;
		case BPF_LD | BPF_W | BPF_LEN:
			ins->code = BPF_LD | BPF_IMM;
			ins->k = sizeof(struct linux_seccomp_data);
			break;
		case BPF_LDX | BPF_W | BPF_LEN:
			ins->code = BPF_LDX | BPF_IMM;
			ins->k = sizeof(struct linux_seccomp_data);
			break;
		}
	}
	return 0;
}

/* ---- the interpreter ---- */

/* Runs a checked program on d; returns its 32-bit verdict.  Every jump is
 * forward and in range and every load inside d (check_filter), so this
 * ends and stays in bounds. */
static uint32_t run_prog(const struct linux_sock_filter *prog, int len,
			 const struct linux_seccomp_data *d)
{
	uint32_t A = 0, X = 0, M[LINUX_BPF_MEMWORDS] = { 0 };
	const uint8_t *data = (const uint8_t *)d;
	for (int pc = 0; pc < len; pc++) {
		const struct linux_sock_filter *ins = &prog[pc];
		uint32_t k = ins->k, src = (ins->code & BPF_X) ? X : k;
		switch (ins->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			memcpy(&A, data + k, 4);
			break;
		case BPF_LD | BPF_IMM: A = k; break;
		case BPF_LDX | BPF_IMM: X = k; break;
		case BPF_LD | BPF_MEM: A = M[k]; break;
		case BPF_LDX | BPF_MEM: X = M[k]; break;
		case BPF_ST: M[k] = A; break;
		case BPF_STX: M[k] = X; break;
		case BPF_MISC | BPF_TAX: X = A; break;
		case BPF_MISC | BPF_TXA: A = X; break;
		case BPF_RET | BPF_K: return k;
		case BPF_RET | BPF_A: return A;
		case BPF_ALU | BPF_NEG: A = -A; break;
		case BPF_JMP | BPF_JA: pc += k; break;
		default:
			switch (BPF_CLASS(ins->code)) {
			case BPF_ALU:
				switch (ins->code & 0xf0) {
				case BPF_ADD: A += src; break;
				case BPF_SUB: A -= src; break;
				case BPF_MUL: A *= src; break;
				case BPF_DIV: A = src ? A / src : 0; break;   /* Linux: a division by X == 0 gives 0 */
				case BPF_AND: A &= src; break;
				case BPF_OR: A |= src; break;
				case BPF_XOR: A ^= src; break;
				case BPF_LSH: A = src < 32 ? A << src : 0; break;
				case BPF_RSH: A = src < 32 ? A >> src : 0; break;
				}
				break;
			case BPF_JMP: {
				bool c = false;
				switch (ins->code & 0xf0) {
				case BPF_JEQ: c = A == src; break;
				case BPF_JGT: c = A > src; break;
				case BPF_JGE: c = A >= src; break;
				case BPF_JSET: c = (A & src) != 0; break;
				}
				pc += c ? ins->jt : ins->jf;
				break;
			}
			}
		}
	}
	return LINUX_SECCOMP_RET_KILL_PROCESS;   /* cannot happen: the last is a RET */
}

static uint32_t run_filter(const struct seccomp_filter *f, const struct linux_seccomp_data *d)
{
	return run_prog(f->insns, f->len, d);
}

int seccomp_check_prog(struct linux_sock_filter *prog, int len)
{
	return check_filter(prog, len);
}

uint32_t seccomp_run_prog(const struct linux_sock_filter *prog, int len,
			  const struct linux_seccomp_data *d)
{
	return run_prog(prog, len, d);
}

static int32_t action_of(uint32_t ret)
{
	return (int32_t)(ret & LINUX_SECCOMP_RET_ACTION_FULL);
}

/* Runs the chain; returns the winning verdict and its filter. */
static uint32_t run_filters(struct task *t, const struct linux_seccomp_data *d,
			    struct seccomp_filter **match)
{
	uint32_t ret = LINUX_SECCOMP_RET_ALLOW;
	*match = NULL;
	for (struct seccomp_filter *f = t->seccomp_filter; f; f = f->prev) {
		uint32_t cur = run_filter(f, d);
		if (action_of(cur) < action_of(ret)) {
			ret = cur;
			*match = f;
		}
	}
	return ret;
}

static void populate_data(struct task *t, struct linux_seccomp_data *d)
{
	const struct linux_regs *r = &t->regs;
	memset(d, 0, sizeof *d);
	d->nr = (int32_t)r->orig_rax;
	d->arch = LINUX_AUDIT_ARCH_X86_64;
	d->instruction_pointer = r->rip;
	d->args[0] = r->rdi; d->args[1] = r->rsi; d->args[2] = r->rdx;
	d->args[3] = r->r10; d->args[4] = r->r8; d->args[5] = r->r9;
}

/* SIGSYS for the syscall: force_sig_seccomp (coredump: the process dies
 * of it whatever its handler, as for KILL actions). */
static void sig_seccomp(struct task *t, const struct linux_seccomp_data *d, uint32_t data,
			bool kill)
{
	linux_siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_signo = SIGSYS;
	si.si_code = 1;   /* SYS_SECCOMP */
	si.si_errno = (int32_t)data;
	si.u.sys.call_addr = t->regs.rip;
	si.u.sys.syscall = d->nr;
	si.u.sys.arch = d->arch;
	/* syscall_rollback: the handler sees rax as at the syscall */
	t->regs.rax = t->regs.orig_rax;
	if (kill) {
		t->sighand->action[SIGSYS - 1].handler = 0;   /* SIG_DFL: fatal */
		t->blocked &= ~SIGBIT(SIGSYS);
	}
	force_sig_fault(t, &si);
}

/* ---- USER_NOTIF ---- */

static bool listener_dead(struct notif *n)
{
	return !n->filter || n->filter->users == 0;
}

/* Hands the syscall to the listener of filter f and waits for its answer.
 * Returns 0 to run the syscall (FLAG_CONTINUE), -1 with rax set. */
static int user_notify(struct task *t, struct seccomp_filter *f, const struct linux_seccomp_data *d)
{
	struct notif *n = f->notif;
	if (!n) {
		t->regs.rax = (uint64_t)-ENOSYS;
		return -1;
	}
	struct knotif k = { .task = t, .id = n->next_id++, .state = NOTIFY_INIT, .data = *d };
	list_add_tail(&k.link, &n->reqs);
	wake_up(&n->wq);
	int err = 0;
	while (k.state != NOTIFY_REPLIED) {
		if (k.state == NOTIFY_SENT && f->wait_killable_recv) {
			/* received: only a fatal signal interrupts now */
			if (t->tg->group_exit || t->zapped) {
				err = -ERESTARTSYS;
				break;
			}
			task_sleep_stopped(t);
			continue;
		}
		if (task_sleep(t, 0, -1, 0) == -EINTR && k.state != NOTIFY_REPLIED) {
			err = -ERESTARTSYS;   /* the signal first; the syscall restarts */
			break;
		}
	}
	if (f->notif == n)
		list_del(&k.link);
	if (!err && (k.flags & LINUX_SECCOMP_USER_NOTIF_FLAG_CONTINUE))
		return 0;
	t->regs.rax = err ? (uint64_t)(int64_t)err : k.error ? (uint64_t)(int64_t)k.error
						: (uint64_t)k.val;
	return -1;
}

static struct knotif *find_notif(struct notif *n, uint64_t id)
{
	struct list_head *p;
	for (p = n->reqs.next; p != &n->reqs; p = p->next) {
		struct knotif *k = list_entry(p, struct knotif, link);
		if (k->id == id)
			return k;
	}
	return NULL;
}

static bool user_zeroed(struct task *t, uint64_t uaddr, size_t len)
{
	uint8_t buf[128];
	if (len > sizeof buf || copy_from_user(t, buf, uaddr, len))
		return false;
	for (size_t i = 0; i < len; i++)
		if (buf[i])
			return false;
	return true;
}

static long notif_recv(struct task *t, struct notif *n, uint64_t uarg)
{
	struct linux_seccomp_notif out;
	if (copy_from_user(t, &out, uarg, sizeof out))
		return -EFAULT;
	if (!user_zeroed(t, uarg, sizeof out))
		return -EINVAL;
	for (;;) {
		struct list_head *p;
		for (p = n->reqs.next; p != &n->reqs; p = p->next) {
			struct knotif *k = list_entry(p, struct knotif, link);
			if (k->state != NOTIFY_INIT)
				continue;
			memset(&out, 0, sizeof out);
			out.id = k->id;
			out.pid = (uint32_t)task_pid_vnr(t, k->task);
			out.data = k->data;
			if (copy_to_user(t, uarg, &out, sizeof out))
				return -EFAULT;   /* it stays to be received again */
			k->state = NOTIFY_SENT;
			wake_up(&n->wq);
			return 0;
		}
		if (listener_dead(n))
			return -ENOENT;
		struct waiter w;
		waitq_add(&n->wq, &w, t);
		int r = task_sleep(t, 0, -1, 0);
		waitq_del(&w);
		if (r == -EINTR)
			return -ERESTARTSYS;
	}
}

static long notif_send(struct task *t, struct notif *n, uint64_t uarg)
{
	struct linux_seccomp_notif_resp resp;
	if (copy_from_user(t, &resp, uarg, sizeof resp))
		return -EFAULT;
	if (resp.flags & ~LINUX_SECCOMP_USER_NOTIF_FLAG_CONTINUE)
		return -EINVAL;
	if ((resp.flags & LINUX_SECCOMP_USER_NOTIF_FLAG_CONTINUE) && (resp.error || resp.val))
		return -EINVAL;
	struct knotif *k = find_notif(n, resp.id);
	if (!k)
		return -ENOENT;
	if (k->state != NOTIFY_SENT)
		return -EINPROGRESS;
	/* error: a negative errno (0: none); Linux keeps what is given */
	k->error = resp.error;
	k->val = resp.val;
	k->flags = resp.flags;
	k->state = NOTIFY_REPLIED;
	task_wake(k->task);
	return 0;
}

static long notif_addfd(struct task *t, struct notif *n, uint64_t uarg)
{
	struct linux_seccomp_notif_addfd a;
	if (copy_from_user(t, &a, uarg, sizeof a))
		return -EFAULT;
	if (a.flags & ~(LINUX_SECCOMP_ADDFD_FLAG_SETFD | LINUX_SECCOMP_ADDFD_FLAG_SEND))
		return -EINVAL;
	if (a.newfd_flags & ~(uint32_t)O_CLOEXEC)
		return -EINVAL;
	if (a.newfd && !(a.flags & LINUX_SECCOMP_ADDFD_FLAG_SETFD))
		return -EINVAL;
	struct file *f = fd_get(t, (int)a.srcfd);
	if (!f)
		return -EBADF;
	struct knotif *k = find_notif(n, a.id);
	long r;
	if (!k) {
		r = -ENOENT;
	} else if (k->state != NOTIFY_SENT) {
		r = -EINPROGRESS;
	} else {
		bool cloexec = a.newfd_flags & O_CLOEXEC;
		if (a.flags & LINUX_SECCOMP_ADDFD_FLAG_SETFD) {
			if (a.newfd >= FD_MAX)
				r = -EBADF;
			else
				r = fd_install_at(k->task, (int)a.newfd, file_get(f), cloexec);
		} else {
			r = fd_install(k->task, 0, file_get(f), cloexec);
		}
		if (r >= 0 && (a.flags & LINUX_SECCOMP_ADDFD_FLAG_SEND)) {
			k->val = r;
			k->error = 0;
			k->flags = 0;
			k->state = NOTIFY_REPLIED;
			task_wake(k->task);
		}
	}
	file_put(f);
	return r;
}

static long notif_ioctl(struct task *t, struct file *f, unsigned cmd, uint64_t arg)
{
	struct notif *n = f->priv;
	switch (cmd) {
	case LINUX_SECCOMP_IOCTL_NOTIF_RECV:
		return notif_recv(t, n, arg);
	case LINUX_SECCOMP_IOCTL_NOTIF_SEND:
		return notif_send(t, n, arg);
	case LINUX_SECCOMP_IOCTL_NOTIF_ID_VALID: {
		uint64_t id;
		if (copy_from_user(t, &id, arg, sizeof id))
			return -EFAULT;
		struct knotif *k = find_notif(n, id);
		return k && k->state == NOTIFY_SENT ? 0 : -ENOENT;
	}
	case LINUX_SECCOMP_IOCTL_NOTIF_ADDFD:
		return notif_addfd(t, n, arg);
	}
	return -EINVAL;
}

static short notif_poll(struct file *f, struct poll_table *pt)
{
	struct notif *n = f->priv;
	short mask = 0;
	poll_wait(pt, &n->wq);
	struct list_head *p;
	for (p = n->reqs.next; p != &n->reqs; p = p->next) {
		struct knotif *k = list_entry(p, struct knotif, link);
		if (k->state == NOTIFY_INIT)
			mask |= POLLIN | POLLRDNORM;
		if (k->state == NOTIFY_SENT)
			mask |= POLLOUT | POLLWRNORM;
	}
	if (listener_dead(n))
		mask |= POLLHUP;
	return mask;
}

/* The listener is closed: waiting syscalls fail with ENOSYS, later ones too. */
static void notif_release(struct file *f)
{
	struct notif *n = f->priv;
	struct list_head *p, *q;
	list_for_each_safe(p, q, &n->reqs) {
		struct knotif *k = list_entry(p, struct knotif, link);
		list_del(&k->link);
		list_init(&k->link);
		if (k->state != NOTIFY_REPLIED) {
			k->state = NOTIFY_REPLIED;
			k->error = -ENOSYS;
			k->val = 0;
			k->flags = 0;
			task_wake(k->task);
		}
	}
	if (n->filter) {
		n->filter->notif = NULL;
		filter_free(n->filter);
	}
	free(n);
	f->priv = NULL;
}

static const struct file_ops notif_ops = {
	.ioctl = notif_ioctl,
	.poll = notif_poll,
	.fstat = anon_inode_fstat,
	.release = notif_release,
};

/* ---- entry ---- */

static const int strict_allowed[] = { 0 /* read */, 1 /* write */, 60 /* exit */, 15 /* rt_sigreturn */ };

int seccomp_syscall_enter(struct task *t)
{
	struct linux_seccomp_data d;
	populate_data(t, &d);
	if (t->seccomp_mode == LINUX_SECCOMP_MODE_STRICT) {
		for (size_t i = 0; i < ARRAY_SIZE(strict_allowed); i++)
			if (d.nr == strict_allowed[i])
				return 0;
		do_exit(t, SIGKILL);
	}
	if (t->seccomp_mode != LINUX_SECCOMP_MODE_FILTER)
		return 0;
	struct seccomp_filter *match;
	bool recheck = false;
again:;
	uint32_t ret = run_filters(t, &d, &match);
	uint32_t data = ret & LINUX_SECCOMP_RET_DATA;
	switch ((uint32_t)action_of(ret)) {
	case LINUX_SECCOMP_RET_ERRNO:
		t->regs.rax = (uint64_t)-(int64_t)(data > MAX_ERRNO ? MAX_ERRNO : data);
		return -1;
	case LINUX_SECCOMP_RET_TRAP:
		sig_seccomp(t, &d, data, false);
		return -1;
	case LINUX_SECCOMP_RET_TRACE:
		if (recheck)
			return 0;
		if (!t->ptracer || !(t->pt && ptrace_seccomp_event(t, data))) {
			t->regs.rax = (uint64_t)-ENOSYS;
			return -1;
		}
		/* the tracer may have changed or skipped the call, or the task
		 * is dying: the filters run again on what it is now */
		if (t->tg->group_exit || t->zapped || (int)t->regs.orig_rax == -1)
			return -1;
		populate_data(t, &d);
		recheck = true;
		goto again;
	case LINUX_SECCOMP_RET_USER_NOTIF:
		return user_notify(t, match, &d);
	case LINUX_SECCOMP_RET_LOG:
	case LINUX_SECCOMP_RET_ALLOW:
		return 0;
	case LINUX_SECCOMP_RET_KILL_THREAD:
		if (t->tg->nr_threads > 1) {
			t->regs.rax = t->regs.orig_rax;
			do_exit(t, SIGSYS);
		}
		/* fall through - the last thread takes the process with it */
	default:   /* KILL_PROCESS, and every action Linux does not know */
		sig_seccomp(t, &d, data, true);
		return -1;
	}
}

/* ---- seccomp(2) and prctl ---- */

/* TSYNC: may every thread of t's process take t's new filter?  0, or the
 * tid of one that may not (its chain is not an ancestor of t's). */
static int tsync_check(struct task *t)
{
	struct list_head *p;
	for (p = t->tg->threads.next; p != &t->tg->threads; p = p->next) {
		struct task *o = list_entry(p, struct task, thread_node);
		if (o == t || o->state == TASK_DEAD || o->state == TASK_ZOMBIE)
			continue;
		if (o->seccomp_mode == LINUX_SECCOMP_MODE_STRICT)
			return o->tid;
		bool ok = !o->seccomp_filter;
		for (struct seccomp_filter *f = t->seccomp_filter; f && !ok; f = f->prev)
			ok = f == o->seccomp_filter;
		if (!ok)
			return o->tid;
	}
	return 0;
}

static void install_filter(struct task *o, struct seccomp_filter *f)
{
	struct seccomp_filter *old = o->seccomp_filter;
	filter_use(f);
	o->seccomp_filter = f;
	if (old)
		filter_unuse(old);
	o->seccomp_mode = LINUX_SECCOMP_MODE_FILTER;
	o->syscall_work |= SW_SECCOMP;
}

static long set_mode_filter(struct task *t, unsigned flags, uint64_t uprog)
{
	const unsigned known = LINUX_SECCOMP_FILTER_FLAG_TSYNC | LINUX_SECCOMP_FILTER_FLAG_LOG |
			       LINUX_SECCOMP_FILTER_FLAG_SPEC_ALLOW | LINUX_SECCOMP_FILTER_FLAG_NEW_LISTENER |
			       LINUX_SECCOMP_FILTER_FLAG_TSYNC_ESRCH |
			       LINUX_SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	if (flags & ~known)
		return -EINVAL;
	if ((flags & LINUX_SECCOMP_FILTER_FLAG_TSYNC) && (flags & LINUX_SECCOMP_FILTER_FLAG_NEW_LISTENER) &&
	    !(flags & LINUX_SECCOMP_FILTER_FLAG_TSYNC_ESRCH))
		return -EINVAL;
	if ((flags & LINUX_SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) &&
	    !(flags & LINUX_SECCOMP_FILTER_FLAG_NEW_LISTENER))
		return -EINVAL;
	struct linux_sock_fprog prog;
	if (copy_from_user(t, &prog, uprog, sizeof prog))
		return -EFAULT;
	if (prog.len == 0 || prog.len > LINUX_BPF_MAXINSNS)
		return -EINVAL;
	if (!t->no_new_privs && !is_root(t))
		return -EACCES;
	struct seccomp_filter *f = calloc(1, sizeof *f);
	if (!f)
		return -ENOMEM;
	f->len = prog.len;
	f->insns = malloc(prog.len * sizeof *f->insns);
	long r;
	if (!f->insns) {
		r = -ENOMEM;
		goto fail;
	}
	if (copy_from_user(t, f->insns, prog.filter, prog.len * sizeof *f->insns)) {
		r = -EFAULT;
		goto fail;
	}
	if ((r = check_filter(f->insns, f->len)))
		goto fail;
	/* the whole chain: at most MAX_INSNS_PER_PATH, each filter costing 4 more */
	long total = f->len + 4;
	for (struct seccomp_filter *p = t->seccomp_filter; p; p = p->prev)
		total += p->len + 4;
	if (total > MAX_INSNS_PER_PATH) {
		r = -ENOMEM;
		goto fail;
	}
	if (t->seccomp_mode == LINUX_SECCOMP_MODE_STRICT) {
		r = -EINVAL;
		goto fail;
	}
	if (flags & LINUX_SECCOMP_FILTER_FLAG_NEW_LISTENER) {
		for (struct seccomp_filter *p = t->seccomp_filter; p; p = p->prev)
			if (p->notif) {
				r = -EBUSY;
				goto fail;
			}
	}
	if (flags & LINUX_SECCOMP_FILTER_FLAG_TSYNC) {
		int tid = tsync_check(t);
		if (tid) {
			r = (flags & LINUX_SECCOMP_FILTER_FLAG_TSYNC_ESRCH) ? -ESRCH : tid;
			goto fail;
		}
	}
	f->log = flags & LINUX_SECCOMP_FILTER_FLAG_LOG;
	f->wait_killable_recv = flags & LINUX_SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	r = 0;
	if (flags & LINUX_SECCOMP_FILTER_FLAG_NEW_LISTENER) {
		struct notif *n = calloc(1, sizeof *n);
		struct file *file = n ? file_alloc(&notif_ops, O_RDWR, "anon_inode:seccomp notify") : NULL;
		if (!file) {
			free(n);
			r = -ENOMEM;
			goto fail;
		}
		list_init(&n->reqs);
		waitq_init(&n->wq);
		n->next_id = 1;   /* Linux's ids are random; any unique value will do */
		n->filter = f;
		f->refs++;          /* the listener's */
		f->notif = n;
		file->priv = n;
		r = fd_install(t, 0, file, true);
		if (r < 0)
			return r;   /* its file_put ran notif_release, which freed f */
	}
	/* the new filter sits on top of the caller's chain */
	f->prev = t->seccomp_filter;
	if (f->prev) {
		f->prev->refs++;
		f->prev->users++;
	}
	if (flags & LINUX_SECCOMP_FILTER_FLAG_TSYNC) {
		struct list_head *p;
		for (p = t->tg->threads.next; p != &t->tg->threads; p = p->next) {
			struct task *o = list_entry(p, struct task, thread_node);
			if (o == t || o->state == TASK_DEAD || o->state == TASK_ZOMBIE)
				continue;
			install_filter(o, f);
			if (t->no_new_privs)
				o->no_new_privs = true;
		}
	}
	install_filter(t, f);
	return r;
fail:
	if (!f->refs) {
		free(f->insns);
		free(f);
	}
	return r;
}

/*
 * seccomp_set_mode - seccomp(2): op SET_MODE_STRICT (flags 0, args NULL),
 * SET_MODE_FILTER (flags SECCOMP_FILTER_FLAG_*, args a sock_fprog),
 * GET_ACTION_AVAIL (args a u32 action), GET_NOTIF_SIZES (args the struct
 * to fill).  Returns 0, a listener fd (NEW_LISTENER), a tid (TSYNC
 * failed), or -EINVAL, -EACCES (no no_new_privs and not root), -EFAULT,
 * -ENOMEM, -EBUSY, -ESRCH, -EOPNOTSUPP (unknown action).  kernel/seccomp.c.
 */
long seccomp_set_mode(struct task *t, unsigned op, unsigned flags, uint64_t uargs)
{
	switch (op) {
	case LINUX_SECCOMP_SET_MODE_STRICT:
		if (flags || uargs)
			return -EINVAL;
		if (t->seccomp_mode == LINUX_SECCOMP_MODE_FILTER)
			return -EINVAL;
		t->seccomp_mode = LINUX_SECCOMP_MODE_STRICT;
		t->syscall_work |= SW_SECCOMP;
		return 0;
	case LINUX_SECCOMP_SET_MODE_FILTER:
		return set_mode_filter(t, flags, uargs);
	case LINUX_SECCOMP_GET_ACTION_AVAIL: {
		uint32_t action;
		if (flags)
			return -EINVAL;
		if (copy_from_user(t, &action, uargs, sizeof action))
			return -EFAULT;
		switch (action) {
		case LINUX_SECCOMP_RET_KILL_PROCESS:
		case LINUX_SECCOMP_RET_KILL_THREAD:
		case LINUX_SECCOMP_RET_TRAP:
		case LINUX_SECCOMP_RET_ERRNO:
		case LINUX_SECCOMP_RET_USER_NOTIF:
		case LINUX_SECCOMP_RET_TRACE:
		case LINUX_SECCOMP_RET_LOG:
		case LINUX_SECCOMP_RET_ALLOW:
			return 0;
		}
		return -EOPNOTSUPP;
	}
	case LINUX_SECCOMP_GET_NOTIF_SIZES: {
		struct linux_seccomp_notif_sizes s = {
			sizeof(struct linux_seccomp_notif), sizeof(struct linux_seccomp_notif_resp),
			sizeof(struct linux_seccomp_data) };
		if (flags)
			return -EINVAL;
		return copy_to_user(t, uargs, &s, sizeof s) ? -EFAULT : 0;
	}
	}
	return -EINVAL;
}

long sys_seccomp(struct task *t, struct sysargs *a)
{
	return seccomp_set_mode(t, arg_uint(a, 0), arg_uint(a, 1), arg_ptr(a, 2));
}

/* The n-th filter of c's chain, newest first. */
static struct seccomp_filter *nth_filter(struct task *c, uint64_t n)
{
	struct seccomp_filter *f = c->seccomp_filter;
	while (f && n--)
		f = f->prev;
	return f;
}

long seccomp_get_filter(struct task *c, uint64_t index, uint64_t ubuf, struct task *t)
{
	if (!is_root(t) || t->seccomp_mode != LINUX_SECCOMP_MODE_DISABLED)
		return -EACCES;
	if (c->seccomp_mode != LINUX_SECCOMP_MODE_FILTER)
		return -EINVAL;
	struct seccomp_filter *f = nth_filter(c, index);
	if (!f)
		return -ENOENT;
	if (ubuf && copy_to_user(t, ubuf, f->insns, f->len * sizeof *f->insns))
		return -EFAULT;
	return f->len;
}

long seccomp_get_metadata(struct task *c, uint64_t size, uint64_t umeta, struct task *t)
{
	struct linux_seccomp_metadata md = { 0, 0 };
	if (!is_root(t) || t->seccomp_mode != LINUX_SECCOMP_MODE_DISABLED)
		return -EACCES;
	if (size < sizeof md.filter_off)
		return -EINVAL;
	if (copy_from_user(t, &md.filter_off, umeta, sizeof md.filter_off))
		return -EFAULT;
	struct seccomp_filter *f = nth_filter(c, md.filter_off);
	if (!f)
		return -ENOENT;
	md.flags = f->log ? LINUX_SECCOMP_FILTER_FLAG_LOG : 0;
	size = size < sizeof md ? size : sizeof md;
	if (copy_to_user(t, umeta, &md, size))
		return -EFAULT;
	return (long)size;
}
