/*
 * fault_mem.c - bit flips in guest memory and registers (--inject-mem,
 * --inject-reg), as UMLinux's memory and register faults.
 *
 * In a nutshell: a flip needs the thread stopped, and only its own
 * kernel thread may touch it (platform.h), so every flip is done by that
 * kernel thread at one of two points:
 *   - at=syscall=N: at the end of the task's Nth syscall, once its result
 *     is in rax (fault_syscall calls mr_at_syscall);
 *   - at=time=T, at=every=T: a kernel timer picks a task, marks it and
 *     kicks it (platform->kick, from the timer thread); the platform
 *     stops the thread wherever it is in guest code and its kernel thread
 *     gets EV_INTERRUPT with the registers as the guest left them
 *     (fault_interrupt).  A thread blocked in a syscall takes the fault
 *     when that syscall returns.
 * A memory flip reads the byte through the guest-memory copy functions
 * and writes it back changed: copy_to_user where the mapping is
 * writable, platform->poke_mem (a debugger's write, into a private copy)
 * in read-only private mappings such as text.  Shared read-only mappings
 * are never written: that would change a file.  A register flip edits
 * task->regs (the platform writes them back before the guest runs on) or
 * the FXSAVE image for xmm registers.
 *
 * Lock: klock; timers run under it on the timer thread.
 */
#include "fault_impl.h"
#include "../mm/mm.h"
#include "../fs/fs.h"
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* The syscall whose end a flip is made at (mr_at_syscall), or -1 (a
 * timer stopped the thread in guest code): for the log. */
static long at_syscall = -1;

static const char *region_names[] = { [MR_HEAP] = "heap", [MR_STACK] = "stack", [MR_TEXT] = "text",
				      [MR_DATA] = "data", [MR_ANON] = "anon", [MR_FILE] = "file",
				      [MR_RANGE] = "range" };

/* ---- choosing the bytes ---- */

static bool vma_special(const struct vma *v)
{
	return !strncmp(v->name, "[v", 2);   /* [vdso], [vvar], [vvar_vclock]: the host's */
}

/* The anonymous mapping right after a file's writable private mapping:
 * that object's bss. */
static bool vma_is_bss(struct mm *mm, struct vma *v)
{
	if (v->file || v->name[0])
		return false;
	for_each_vma(mm, p) {
		struct vma *nx = vma_next(mm, p);
		if (nx == v)
			return p->file && p->end == v->start && (p->prot & PROT_WRITE) &&
			       (p->flags & MAP_TYPE) == MAP_PRIVATE;
	}
	return false;
}

/* The part of v that region m covers for task t: [*s, *e), or false. */
static bool vma_in_region(struct task *t, const struct mr_spec *m, struct vma *v, uint64_t *s,
			  uint64_t *e)
{
	struct mm *mm = t->mm;
	bool priv = (v->flags & MAP_TYPE) == MAP_PRIVATE;
	*s = v->start;
	*e = v->end;
	if (!(v->prot & PROT_READ) || vma_special(v))
		return false;
	if (!priv && !(v->prot & PROT_WRITE))
		return false;      /* writing would change a file */
	switch (m->region) {
	case MR_HEAP:
		return !strcmp(v->name, "[heap]");
	case MR_STACK:
		if (strcmp(v->name, "[stack]"))
			return false;
		/* the live part: from just below the stack pointer (its red
		 * zone) to the top */
		if (t->regs.rsp >= v->start + 128 && t->regs.rsp < v->end)
			*s = (t->regs.rsp - 128) & ~7UL;
		return true;
	case MR_TEXT:
		return (v->prot & PROT_EXEC) && v->file;
	case MR_DATA:
		return !(v->prot & PROT_EXEC) && (v->prot & PROT_WRITE) && priv &&
		       (v->file || vma_is_bss(mm, v));
	case MR_ANON:
		return !v->file && !v->name[0] && (v->prot & PROT_WRITE) && !vma_is_bss(mm, v);
	case MR_FILE:
		return v->file && v->file->path && fault_glob_match(m->glob, v->file->path);
	case MR_RANGE:
		if (v->end <= m->start || v->start >= m->end)
			return false;
		*s = v->start > m->start ? v->start : m->start;
		*e = v->end < m->end ? v->end : m->end;
		return true;
	}
	return false;
}

/* The address that is byte number off of region m in t's memory. */
static bool region_addr(struct task *t, const struct mr_spec *m, uint64_t off, uint64_t *addr,
			uint64_t *total)
{
	uint64_t sum = 0;
	for_each_vma(t->mm, v) {
		uint64_t s, e;
		if (vma_in_region(t, m, v, &s, &e))
			sum += e - s;
	}
	*total = sum;
	if (!sum)
		return false;
	off %= sum;
	for_each_vma(t->mm, v) {
		uint64_t s, e;
		if (!vma_in_region(t, m, v, &s, &e))
			continue;
		if (off < e - s) {
			*addr = s + off;
			return true;
		}
		off -= e - s;
	}
	return false;
}

static const char *vma_label(struct vma *v)
{
	if (v->file && v->file->path)
		return v->file->path;
	return v->name[0] ? v->name : "anon";
}

/* Flips bit of the byte at addr in t's memory; fills old/new.  0 or -errno. */
static int flip_byte(struct task *t, uint64_t addr, int bit, uint8_t *old, uint8_t *new_,
		     const char **label)
{
	struct vma *v = mm_find_vma(t->mm, addr);
	if (!v || addr < v->start)
		return -EFAULT;
	*label = vma_label(v);
	uint8_t b;
	if (copy_from_user(t, &b, addr, 1))
		return -EFAULT;
	*old = b;
	b ^= (uint8_t)(1u << bit);
	*new_ = b;
	if (v->prot & PROT_WRITE)
		return copy_to_user(t, addr, &b, 1);
	if ((v->flags & MAP_TYPE) != MAP_PRIVATE || !platform->poke_mem)
		return -EACCES;
	return platform->poke_mem(t->host, addr, &b, 1) == 1 ? 0 : -EFAULT;
}

static void log_miss(struct task *t, const struct mr_spec *m, const char *trigger, const char *why)
{
	json_t *r = log_record("miss", t);
	json_object_set_new(r, "kind", json_string(m->is_reg ? "reg" : "mem"));
	json_object_set_new(r, "spec", json_string(m->text));
	json_object_set_new(r, "trigger", json_string(trigger));
	json_object_set_new(r, "reason", json_string(why));
	log_emit(r);
}

static void log_mem(struct task *t, const char *region, const char *spec, const char *trigger,
		    uint64_t addr, int bit, uint8_t old, uint8_t new_, const char *label)
{
	char h[20];
	json_t *r = log_record("fault", t);
	json_object_set_new(r, "kind", json_string("mem"));
	log_syscall(r, at_syscall);
	if (spec)
		json_object_set_new(r, "spec", json_string(spec));
	if (trigger)
		json_object_set_new(r, "trigger", json_string(trigger));
	if (region)
		json_object_set_new(r, "region", json_string(region));
	json_object_set_new(r, "addr", json_string(hex64(addr, h)));
	json_object_set_new(r, "bit", json_integer(bit));
	json_object_set_new(r, "old", json_string(hex64(old, h)));
	json_object_set_new(r, "new", json_string(hex64(new_, h)));
	json_object_set_new(r, "mapping", json_string(label));
	log_emit(r);
}

static void mem_flip(struct task *t, struct mr_spec *m, const char *trigger)
{
	if (!t->mm || !t->host) {
		log_miss(t, m, trigger, "no address space");
		return;
	}
	for (int i = 0; i < m->bits; i++) {
		uint64_t draw = fault_rand(0x6d656d, (uint64_t)m->index, m->nfired, (uint64_t)i);
		uint64_t addr, total;
		if (!region_addr(t, m, draw >> 3, &addr, &total)) {
			log_miss(t, m, trigger, "the region has no mapping in this process");
			return;
		}
		int bit = (int)(draw & 7);
		uint8_t old, new_;
		const char *label = "";
		int err = flip_byte(t, addr, bit, &old, &new_, &label);
		if (err) {
			char why[96];
			snprintf(why, sizeof why, "cannot write %#lx: %s", (unsigned long)addr, strerror(-err));
			log_miss(t, m, trigger, why);
			continue;
		}
		log_mem(t, region_names[m->region], m->text, trigger, addr, bit, old, new_, label);
	}
}

/* ---- registers ---- */

static const char *gpr_name(int off)
{
	static const struct { const char *n; int off; } names[] = {
#define R(x) { #x, offsetof(struct linux_regs, x) / 8 }
		R(rax), R(rbx), R(rcx), R(rdx), R(rsi), R(rdi), R(rbp), R(rsp), R(r8), R(r9),
		R(r10), R(r11), R(r12), R(r13), R(r14), R(r15), R(rip),
		{ "rflags", offsetof(struct linux_regs, eflags) / 8 },
#undef R
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].off == off)
			return names[i].n;
	return "?";
}

static int gpr_lookup(const char *name)
{
	for (int off = 0; off < (int)(sizeof(struct linux_regs) / 8); off++)
		if (!strcmp(gpr_name(off), name))
			return off;
	return -1;
}

/* Flips bit of register (kind, reg) of t; old/new as hex text. */
static int reg_flip(struct task *t, int kind, int reg, int bit, char *old, char *new_)
{
	if (kind == REG_GPR) {
		uint64_t *r = (uint64_t *)&t->regs + reg;
		hex64(*r, old);
		*r ^= 1ULL << bit;
		hex64(*r, new_);
		return 0;
	}
	struct linux_fpregs fp;
	int err = platform->get_fpregs(t->host, &fp);
	if (err)
		return err;
	uint32_t *x = &fp.xmm_space[reg * 4];
	snprintf(old, 40, "0x%08x%08x%08x%08x", x[3], x[2], x[1], x[0]);
	x[bit / 32] ^= 1u << (bit % 32);
	snprintf(new_, 40, "0x%08x%08x%08x%08x", x[3], x[2], x[1], x[0]);
	return platform->set_fpregs(t->host, &fp);
}

static void log_reg(struct task *t, const char *spec, const char *trigger, const char *name, int bit,
		    const char *old, const char *new_, uint64_t rip)
{
	char h[20];
	json_t *r = log_record("fault", t);
	json_object_set_new(r, "kind", json_string("reg"));
	log_syscall(r, at_syscall);
	if (spec)
		json_object_set_new(r, "spec", json_string(spec));
	if (trigger)
		json_object_set_new(r, "trigger", json_string(trigger));
	json_object_set_new(r, "reg", json_string(name));
	json_object_set_new(r, "bit", json_integer(bit));
	json_object_set_new(r, "old", json_string(old));
	json_object_set_new(r, "new", json_string(new_));
	json_object_set_new(r, "rip", json_string(hex64(rip, h)));
	log_emit(r);
}

/* rflags bits a user program can change: CF PF AF ZF SF TF DF OF */
static const int rflags_bits[] = { 0, 2, 4, 6, 7, 8, 10, 11 };

static void reg_fault(struct task *t, struct mr_spec *m, const char *trigger)
{
	if (!t->host) {
		log_miss(t, m, trigger, "no thread");
		return;
	}
	int bit = m->bit;
	if (bit < 0) {
		uint64_t draw = fault_rand(0x726567, (uint64_t)m->index, m->nfired, 0);
		if (m->reg_kind == REG_XMM)
			bit = (int)(draw % 128);
		else if (m->reg == (int)(offsetof(struct linux_regs, eflags) / 8))
			bit = rflags_bits[draw % ARRAY_SIZE(rflags_bits)];
		else
			bit = (int)(draw % 64);
	}
	char old[40], new_[40];
	uint64_t rip = t->regs.rip;
	if (reg_flip(t, m->reg_kind, m->reg, bit, old, new_)) {
		log_miss(t, m, trigger, "cannot read the thread's registers");
		return;
	}
	log_reg(t, m->text, trigger, m->reg_name, bit, old, new_, rip);
}

static void mr_fire(struct task *t, struct mr_spec *m, const char *trigger)
{
	if (m->is_reg)
		reg_fault(t, m, trigger);
	else
		mem_flip(t, m, trigger);
	m->nfired++;
}

static void trigger_text(const struct mr_spec *m, char *buf, size_t n)
{
	if (m->at.kind == TRIG_SYSCALL)
		snprintf(buf, n, "syscall=%lu", (unsigned long)m->at.n);
	else
		snprintf(buf, n, "%s=%.6gs", m->at.kind == TRIG_TIME ? "time" : "every", (double)m->at.ns / 1e9);
}

/* ---- triggers ---- */

static void mr_timer_fn(struct ktimer *kt);

/* A live task that m may hit: one running guest code if any (the point
 * of a time trigger), else any; chosen by the generator. */
static struct task *pick_task(struct mr_spec *m)
{
	struct task *best[64];
	int nbest = 0, pass;
	for (pass = 0; pass < 2 && !nbest; pass++) {
		struct list_head *p, *n;
		list_for_each_safe(p, n, &all_tasks) {
			struct task *t = list_entry(p, struct task, all);
			if (!t->host || !t->mm || t->state == TASK_NEW || t->state == TASK_ZOMBIE ||
			    t->state == TASK_DEAD || (t->tg && t->tg->group_exit))
				continue;
			if (!task_matches(t, m->task_comm, m->task_pid))
				continue;
			if (pass == 0 && t->state != TASK_RUNNING_USER)
				continue;
			if (nbest < 64)
				best[nbest++] = t;
		}
	}
	if (!nbest)
		return NULL;
	return best[fault_rand(0x7461736b, (uint64_t)m->index, m->nfired, 0) % (uint64_t)nbest];
}

static void mr_timer_fn(struct ktimer *kt)
{
	struct mr_spec *m = (struct mr_spec *)((char *)kt - offsetof(struct mr_spec, timer));
	struct task *t = pick_task(m);
	if (!t) {
		/* nothing to stop yet (or now): look again in a millisecond */
		ktimer_arm(kt, now_ns(CLOCK_MONOTONIC) + 1000000, mr_timer_fn);
		return;
	}
	struct fault_task *ft = fault_task_get(t);
	ft->mr_pending |= 1ULL << m->index;
	platform->kick(t->host);
	if (m->at.kind == TRIG_EVERY)
		ktimer_arm(kt, kt->deadline + m->at.ns, mr_timer_fn);
}

/* Arms the time triggers, T after t0 (CLOCK_MONOTONIC ns, umk's start).
 * Called under klock at the guest's first syscall, not before: the
 * timer thread must be made after main.c blocked the signals it
 * forwards, or it could take them. */
void mr_start_timers(uint64_t t0)
{
	for (int i = 0; i < nmr_specs; i++) {
		struct mr_spec *m = mr_specs[i];
		if (m->at.kind == TRIG_TIME || m->at.kind == TRIG_EVERY)
			ktimer_arm(&m->timer, t0 + m->at.ns, mr_timer_fn);
	}
}

void fault_interrupt(struct task *t)
{
	struct fault_task *ft = t->fault;
	if (!ft || !ft->mr_pending)
		return;
	uint64_t pending = ft->mr_pending;
	ft->mr_pending = 0;
	for (int i = 0; i < nmr_specs; i++) {
		if (!(pending & (1ULL << i)))
			continue;
		char trig[48];
		trigger_text(mr_specs[i], trig, sizeof trig);
		mr_fire(t, mr_specs[i], trig);
	}
}

/* A replayed mem or reg record, done again on t. */
void mr_replay(struct task *t, json_t *rec)
{
	const char *kind = json_string_value(json_object_get(rec, "kind"));
	const char *spec = json_string_value(json_object_get(rec, "spec"));
	const char *trig = json_string_value(json_object_get(rec, "trigger"));
	int bit = (int)json_integer_value(json_object_get(rec, "bit"));
	if (!strcmp(kind, "mem")) {
		const char *a = json_string_value(json_object_get(rec, "addr"));
		uint64_t addr = a ? strtoull(a, NULL, 0) : 0;
		uint8_t old, new_;
		const char *label = "";
		if (bit < 0 || bit > 7 || !t->mm || flip_byte(t, addr, bit, &old, &new_, &label))
			return;
		log_mem(t, json_string_value(json_object_get(rec, "region")), spec, trig, addr, bit, old,
			new_, label);
		return;
	}
	const char *name = json_string_value(json_object_get(rec, "reg"));
	if (!name)
		return;
	int kind_r, reg;
	if (!strncmp(name, "xmm", 3)) {
		kind_r = REG_XMM;
		reg = atoi(name + 3);
		if (reg < 0 || reg > 15 || bit < 0 || bit > 127)
			return;
	} else {
		kind_r = REG_GPR;
		reg = gpr_lookup(name);
		if (reg < 0 || bit < 0 || bit > 63)
			return;
	}
	char old[40], new_[40];
	uint64_t rip = t->regs.rip;
	if (!t->host || reg_flip(t, kind_r, reg, bit, old, new_))
		return;
	log_reg(t, spec, trig, name, bit, old, new_, rip);
}

void mr_at_syscall(struct task *t, struct fault_task *ft)
{
	at_syscall = (long)t->regs.orig_rax;
	for (int i = 0; i < nmr_specs; i++) {
		struct mr_spec *m = mr_specs[i];
		if (m->at.kind != TRIG_SYSCALL || m->fired || ft->nsys != m->at.n ||
		    !task_matches(t, m->task_comm, m->task_pid))
			continue;
		m->fired = true;
		char trig[48];
		trigger_text(m, trig, sizeof trig);
		mr_fire(t, m, trig);
	}
	if (ft->mr_pending)
		fault_interrupt(t);
	if (!nreplay) {
		at_syscall = -1;
		return;
	}
	/* faults a timer brought before the task's first syscall are done
	 * again at the end of that syscall */
	for (uint64_t idx = ft->nsys == 1 ? 0 : ft->nsys; idx <= ft->nsys; idx++) {
		struct replay_rec *rr;
		while ((rr = replay_find(t->tid, idx, "mem")) || (rr = replay_find(t->tid, idx, "reg"))) {
			rr->done = true;
			mr_replay(t, rr->rec);
		}
	}
	at_syscall = -1;
}
