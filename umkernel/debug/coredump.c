/*
 * coredump.c - when a guest dies of a fatal signal: Linux's one-line
 * report ("segfault at ADDR ip IP sp SP error E in prog[...]", in umk's
 * log: --log, stderr with -v), the guest backtrace (--crash-backtrace),
 * and an ELF core file for a core-dumping signal, as Linux's
 * fs/coredump.c and fs/binfmt_elf.c write them.
 *
 * In a nutshell: the thread that takes the fatal signal becomes the
 * dumper (do_coredump).  It marks its thread group as exiting with a
 * core_state and wakes the other threads; each of them, in do_exit,
 * hands over its registers and FPU state (coredump_task_exit: only a
 * thread's own kernel thread may read them from the platform) and waits.
 * The dumper then writes, with libelf, an ET_CORE file into a host memfd:
 * a PT_NOTE with NT_PRSTATUS, NT_PRPSINFO, NT_SIGINFO, NT_AUXV, NT_FILE
 * and NT_FPREGSET for itself, NT_PRSTATUS and NT_FPREGSET for every other
 * thread (Linux's order), and one PT_LOAD per VMA whose contents follow
 * Linux's default coredump_filter (0x33): anonymous and written private
 * memory in full, the first page of a read-only file mapping that starts
 * with an ELF header (for build ids), nothing of other file mappings,
 * which gdb reads from the files.  The memfd's bytes are then written
 * through the VFS to the file that core_pattern names (%p %P %i %I %u %g
 * %s %t %h %e %E %c %%; "core" by default), relative to the dumping
 * task's cwd, with mode 0600, at most RLIMIT_CORE bytes (no core below
 * one page, as Linux).  A pattern starting with '|' (a helper program)
 * is not supported: no core is written and -v says so.  The wait status
 * gets WCOREDUMP (0x80).
 *
 * Lock: klock, held; the dumper waits for the other threads on a
 * condition variable with klock (their do_exit needs it).
 */
#include "../kernel.h"
#include "../kernel/task.h"
#include "../mm/mm.h"
#include "../fs/fs.h"
#include "debug.h"
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

bool crash_backtrace;

static char core_pattern[128] = "core";

const char *coredump_pattern(void)
{
	return core_pattern;
}

/* Linux's proc_dostring: one line, at most 127 bytes (CORENAME_MAX_SIZE). */
int coredump_set_pattern(const char *buf, size_t n)
{
	if (n >= sizeof core_pattern)
		return -EINVAL;
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == 0))
		n--;
	memcpy(core_pattern, buf, n);
	core_pattern[n] = 0;
	return 0;
}

/* ---- the threads of a dump ---- */

struct core_thread {
	struct core_thread *next;
	struct task *t;               /* valid until the dump is done */
	struct linux_regs regs;
	struct linux_fpregs fp;
	bool fp_ok;
};

struct core_state {
	struct task *dumper;
	int nr_waiting;               /* threads that handed over */
	int refs;                     /* the dumper and each waiter */
	bool done;
	pthread_cond_t cv;            /* with klock: both directions */
	struct core_thread *threads;  /* the others, as they came */
};

static void core_state_put(struct core_state *cs)
{
	if (--cs->refs)
		return;
	while (cs->threads) {
		struct core_thread *ct = cs->threads;
		cs->threads = ct->next;
		free(ct);
	}
	pthread_cond_destroy(&cs->cv);
	free(cs);
}

static void snapshot(struct task *t, struct core_thread *ct)
{
	ct->t = t;
	ct->regs = t->regs;
	ct->fp_ok = t->host && platform->get_fpregs(t->host, &ct->fp) == 0;
}

void coredump_task_exit(struct task *t)
{
	struct core_state *cs = t->tg->core_state;
	if (!cs || cs->dumper == t)
		return;
	struct core_thread *ct = calloc(1, sizeof *ct);
	if (ct) {
		snapshot(t, ct);
		ct->next = cs->threads;
		cs->threads = ct;
	}
	cs->nr_waiting++;
	cs->refs++;
	pthread_cond_broadcast(&cs->cv);
	while (!cs->done)
		pthread_cond_wait(&cs->cv, &klock);
	core_state_put(cs);
}

/* ---- the file's name: core_pattern ---- */

static int core_name(struct task *t, int sig, char *out, size_t len)
{
	size_t o = 0;
	char tmp[256];
	for (const char *p = core_pattern; *p && o + 1 < len; p++) {
		const char *add = tmp;
		if (*p != '%') {
			tmp[0] = *p;
			tmp[1] = 0;
		} else {
			switch (*++p) {
			case 0: p--; continue;
			case '%': add = "%"; break;
			case 'p': case 'P': snprintf(tmp, sizeof tmp, "%d", t->tg->tgid); break;
			case 'i': case 'I': snprintf(tmp, sizeof tmp, "%d", t->tid); break;
			case 'u': snprintf(tmp, sizeof tmp, "%u", t->cred.uid); break;
			case 'g': snprintf(tmp, sizeof tmp, "%u", t->cred.gid); break;
			case 's': snprintf(tmp, sizeof tmp, "%d", sig); break;
			case 't': snprintf(tmp, sizeof tmp, "%lld", (long long)time(NULL)); break;
			case 'h': snprintf(tmp, sizeof tmp, "%s", guest_hostname); break;
			case 'e': snprintf(tmp, sizeof tmp, "%s", t->comm); break;
			case 'c': {
				uint64_t c = t->tg->rlim[RLIMIT_CORE].rlim_cur;
				snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)c);
				break;
			}
			case 'E':
				snprintf(tmp, sizeof tmp, "%s", t->mm && t->mm->exe && t->mm->exe->path ?
					 t->mm->exe->path : t->comm);
				for (char *c = tmp; *c; c++)
					if (*c == '/')
						*c = '!';
				break;
			default: tmp[0] = 0; break;   /* unknown: dropped, as Linux */
			}
			/* a name from the guest (comm, hostname) adds no directory */
			if (*p == 'e' || *p == 'h')
				for (char *c = tmp; *c; c++)
					if (*c == '/')
						*c = '!';
		}
		for (; *add && o + 1 < len; add++)
			out[o++] = *add;
	}
	out[o] = 0;
	return o ? 0 : -EINVAL;
}

/* ---- notes ---- */

#define NT_PRSTATUS_  1
#define NT_FPREGSET_  2
#define NT_PRPSINFO_  3
#define NT_AUXV_      6
#define NT_SIGINFO_   0x53494749
#define NT_FILE_      0x46494c45

/* struct elf_prstatus and elf_prpsinfo of x86-64 Linux */
struct linux_elf_prstatus {
	int32_t si_signo, si_code, si_errno;
	int16_t pr_cursig;
	uint16_t pad0;
	uint64_t pr_sigpend, pr_sighold;
	int32_t pr_pid, pr_ppid, pr_pgrp, pr_sid;
	struct linux_timeval pr_utime, pr_stime, pr_cutime, pr_cstime;
	struct linux_regs pr_reg;
	int32_t pr_fpvalid;
	int32_t pad1;
};
_Static_assert(sizeof(struct linux_elf_prstatus) == 336, "elf_prstatus");
struct linux_elf_prpsinfo {
	char pr_state, pr_sname, pr_zomb, pr_nice;
	uint32_t pad0;
	uint64_t pr_flag;
	uint32_t pr_uid, pr_gid;
	int32_t pr_pid, pr_ppid, pr_pgrp, pr_sid;
	char pr_fname[16];
	char pr_psargs[80];
};
_Static_assert(sizeof(struct linux_elf_prpsinfo) == 136, "elf_prpsinfo");

struct notebuf {
	char *buf;
	size_t len, cap;
	bool oom;
};

static void nb_put(struct notebuf *nb, const void *d, size_t n)
{
	size_t pad = (n + 3) & ~3UL;
	if (nb->oom)
		return;
	if (nb->len + pad > nb->cap) {
		size_t nc = nb->cap ? nb->cap : 4096;
		while (nc < nb->len + pad)
			nc *= 2;
		char *b = realloc(nb->buf, nc);
		if (!b) {
			nb->oom = true;
			return;
		}
		nb->buf = b;
		nb->cap = nc;
	}
	memcpy(nb->buf + nb->len, d, n);
	memset(nb->buf + nb->len + n, 0, pad - n);
	nb->len += pad;
}

static void note(struct notebuf *nb, uint32_t type, const void *desc, size_t n)
{
	static const char name[] = "CORE";
	uint32_t h[3] = { sizeof name, (uint32_t)n, type };
	nb_put(nb, h, sizeof h);
	nb_put(nb, name, sizeof name);
	nb_put(nb, desc, n);
}

static struct linux_timeval tv_of(int64_t ns)
{
	return (struct linux_timeval){ ns / 1000000000LL, ns % 1000000000LL / 1000 };
}

static int ppid_of(struct task *t)
{
	struct task *l = t->tg->leader ? t->tg->leader : t;
	struct task *p = l->parent ? l->parent : t->parent;
	return p && p->tg ? p->tg->tgid : 0;
}

static void prstatus(struct notebuf *nb, struct task *t, const struct linux_regs *regs, int sig,
		     bool fp_ok)
{
	struct linux_elf_prstatus ps;
	memset(&ps, 0, sizeof ps);
	ps.si_signo = sig;
	ps.pr_cursig = (int16_t)sig;
	ps.pr_sigpend = t->pending.set;
	ps.pr_sighold = t->blocked;
	ps.pr_pid = t->tid;
	ps.pr_ppid = ppid_of(t);
	ps.pr_pgrp = t->tg->pgid;
	ps.pr_sid = t->tg->sid;
	int64_t u, s;
	task_cpu_times(t, &u, &s);
	ps.pr_utime = tv_of(u);
	ps.pr_stime = tv_of(s);
	ps.pr_cutime = tv_of(t->tg->cutime_ns);
	ps.pr_cstime = tv_of(t->tg->cstime_ns);
	ps.pr_reg = *regs;
	ps.pr_fpvalid = fp_ok;
	note(nb, NT_PRSTATUS_, &ps, sizeof ps);
}

static void prpsinfo(struct notebuf *nb, struct task *t)
{
	struct linux_elf_prpsinfo pi;
	struct mm *mm = t->mm;
	memset(&pi, 0, sizeof pi);
	pi.pr_sname = 'R';
	pi.pr_nice = (char)t->nice;
	pi.pr_uid = t->cred.uid;
	pi.pr_gid = t->cred.gid;
	pi.pr_pid = t->tg->tgid;
	pi.pr_ppid = ppid_of(t);
	pi.pr_pgrp = t->tg->pgid;
	pi.pr_sid = t->tg->sid;
	memcpy(pi.pr_fname, t->comm, sizeof pi.pr_fname);
	size_t n = mm && mm->arg_end > mm->arg_start ? mm->arg_end - mm->arg_start : 0;
	if (n > sizeof pi.pr_psargs - 1)
		n = sizeof pi.pr_psargs - 1;
	if (n && copy_from_user(t, pi.pr_psargs, mm->arg_start, n) == 0) {
		for (size_t i = 0; i < n; i++)
			if (!pi.pr_psargs[i])
				pi.pr_psargs[i] = ' ';
		while (n && pi.pr_psargs[n - 1] == ' ')
			pi.pr_psargs[--n] = 0;
	} else {
		memset(pi.pr_psargs, 0, sizeof pi.pr_psargs);
	}
	note(nb, NT_PRPSINFO_, &pi, sizeof pi);
}

/* NT_FILE: count, page size, {start, end, page offset} each, then names */
static void file_note(struct notebuf *nb, struct mm *mm)
{
	uint64_t count = 0;
	size_t names = 0;
	for_each_vma(mm, v)
		if (v->file && v->file->path) {
			count++;
			names += strlen(v->file->path) + 1;
		}
	size_t n = 16 + count * 24 + names;
	uint64_t *d = calloc(1, n);
	if (!d) {
		nb->oom = true;
		return;
	}
	d[0] = count;
	d[1] = GUEST_PAGE_SIZE;
	uint64_t *e = d + 2;
	char *s = (char *)(d + 2 + count * 3);
	for_each_vma(mm, v) {
		if (!v->file || !v->file->path)
			continue;
		*e++ = v->start;
		*e++ = v->end;
		*e++ = v->pgoff / GUEST_PAGE_SIZE;
		size_t l = strlen(v->file->path) + 1;
		memcpy(s, v->file->path, l);
		s += l;
	}
	note(nb, NT_FILE_, d, n);
	free(d);
}

/* ---- memory ---- */

/* How much of v goes into the core (Linux's vma_dump_size, filter 0x33). */
static uint64_t dump_size(struct task *t, struct vma *v)
{
	if (!(v->prot & PROT_READ) || !strcmp(v->name, "[vvar]") || (v->flags & VM_DONTDUMP_))
		return 0;
	if (!v->file || (v->prot & PROT_WRITE) || (v->flags & MAP_TYPE) == MAP_SHARED ||
	    !strcmp(v->name, "[vdso]"))
		return v->end - v->start;
	/* read-only file mapping: its first page if it holds an ELF header */
	uint8_t magic[4];
	if (v->pgoff == 0 && copy_from_user(t, magic, v->start, 4) == 0 &&
	    !memcmp(magic, "\177ELF", 4))
		return GUEST_PAGE_SIZE;
	return 0;
}

/* Copies [addr, addr+len) of guest memory to fd at off; pages that
 * cannot be read (past the end of a file, PROT_NONE inside) stay zero. */
static int dump_memory(struct task *t, int fd, uint64_t off, uint64_t addr, uint64_t len)
{
	static char buf[1 << 16];
	while (len) {
		size_t n = len < sizeof buf ? len : sizeof buf;
		if (copy_from_user(t, buf, addr, n)) {
			for (size_t p = 0; p < n; p += GUEST_PAGE_SIZE)
				if (copy_from_user(t, buf + p, addr + p, GUEST_PAGE_SIZE))
					memset(buf + p, 0, GUEST_PAGE_SIZE);
		}
		if (pwrite(fd, buf, n, (off_t)off) != (ssize_t)n)
			return -EIO;
		off += n;
		addr += n;
		len -= n;
	}
	return 0;
}

/* The core as an ELF file in host fd: 0 or -errno. */
static int write_elf(struct task *t, int sig, const linux_siginfo_t *info,
		     const struct core_thread *self, const struct core_thread *others, int fd)
{
	struct mm *mm = t->mm;
	struct notebuf nb = { 0 };
	prstatus(&nb, t, &self->regs, sig, self->fp_ok);
	prpsinfo(&nb, t);
	note(&nb, NT_SIGINFO_, info, sizeof *info);
	note(&nb, NT_AUXV_, mm->saved_auxv, mm->saved_auxv_len * 8);
	file_note(&nb, mm);
	if (self->fp_ok)
		note(&nb, NT_FPREGSET_, &self->fp, sizeof self->fp);
	for (const struct core_thread *ct = others; ct; ct = ct->next) {
		prstatus(&nb, ct->t, &ct->regs, sig, ct->fp_ok);
		if (ct->fp_ok)
			note(&nb, NT_FPREGSET_, &ct->fp, sizeof ct->fp);
	}
	if (nb.oom) {
		free(nb.buf);
		return -ENOMEM;
	}

	int nload = 0;
	for_each_vma(mm, v)
		nload++;
	int err = -EIO;
	Elf *e = elf_begin(fd, ELF_C_WRITE, NULL);
	GElf_Ehdr eh;
	if (!e || !gelf_newehdr(e, ELFCLASS64) || !gelf_getehdr(e, &eh))
		goto out;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_OSABI] = ELFOSABI_NONE;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(Elf64_Ehdr);
	eh.e_flags = 0;
	if (!gelf_update_ehdr(e, &eh) || !gelf_newphdr(e, 1 + nload))
		goto out;
	/* the layout is ours, as Linux's: headers, notes, then the memory
	 * from the next page boundary on */
	elf_flagelf(e, ELF_C_SET, ELF_F_LAYOUT);
	uint64_t off = sizeof(Elf64_Ehdr) + (1 + nload) * sizeof(Elf64_Phdr);
	GElf_Phdr ph = { .p_type = PT_NOTE, .p_offset = off, .p_filesz = nb.len, .p_align = 4 };
	if (!gelf_update_phdr(e, 0, &ph))
		goto out;
	uint64_t notes_off = off;
	off = (off + nb.len + GUEST_PAGE_SIZE - 1) & ~(GUEST_PAGE_SIZE - 1);
	int i = 1;
	for_each_vma(mm, v) {
		uint64_t size = dump_size(t, v);
		GElf_Phdr lp = {
			.p_type = PT_LOAD, .p_offset = off, .p_vaddr = v->start,
			.p_filesz = size, .p_memsz = v->end - v->start, .p_align = GUEST_PAGE_SIZE,
			.p_flags = ((v->prot & PROT_READ) ? PF_R : 0) | ((v->prot & PROT_WRITE) ? PF_W : 0) |
				   ((v->prot & PROT_EXEC) ? PF_X : 0),
		};
		if (!gelf_update_phdr(e, i++, &lp))
			goto out;
		off += size;
	}
	if (elf_update(e, ELF_C_WRITE) < 0)
		goto out;
	elf_end(e);
	e = NULL;
	/* the contents the headers describe */
	if (pwrite(fd, nb.buf, nb.len, (off_t)notes_off) != (ssize_t)nb.len)
		goto out;
	off = (notes_off + nb.len + GUEST_PAGE_SIZE - 1) & ~(GUEST_PAGE_SIZE - 1);
	for_each_vma(mm, v) {
		uint64_t size = dump_size(t, v);
		if (size && dump_memory(t, fd, off, v->start, size))
			goto out;
		off += size;
	}
	if (ftruncate(fd, (off_t)off))
		goto out;
	err = 0;
out:
	if (e)
		elf_end(e);
	free(nb.buf);
	return err;
}

/* Copies the host memfd's bytes (at most limit) into the guest file. */
static int copy_to_guest_file(struct task *t, int memfd, const char *name, uint64_t limit)
{
	struct nameidata nd;
	/* Linux unlinks an old core first, then creates it O_EXCL */
	if (vfs_walk(t, AT_FDCWD, name, 0, &nd) == 0) {
		if (nd.exists && S_ISREG(nd.st.mode) && nd.st.uid == t->cred.fsuid &&
		    nd.mnt->ops->unlink)
			nd.mnt->ops->unlink(nd.mnt, nd.rel);
		nd_release(&nd);
	}
	struct file *f;
	int err = vfs_open(t, AT_FDCWD, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_LARGEFILE,
			   0600, &f);
	if (err)
		return err;
	if (!f->ops->write) {
		file_put(f);
		return -EINVAL;
	}
	static char buf[1 << 16];
	uint64_t off = 0;
	for (;;) {
		ssize_t n = pread(memfd, buf, sizeof buf, (off_t)off);
		if (n < 0) {
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		if (off + n > limit)
			n = (ssize_t)(limit - off);
		if (n <= 0)
			break;
		int64_t pos = (int64_t)off;
		ssize_t w = f->ops->write(t, f, buf, n, &pos);
		if (w != n) {
			err = w < 0 ? (int)w : -ENOSPC;
			break;
		}
		off += n;
	}
	f->pos = (int64_t)off;
	file_put(f);
	return err;
}

static bool sig_coredumps(int sig)
{
	switch (sig) {
	case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS: case SIGFPE:
	case SIGSEGV: case SIGXCPU: case SIGXFSZ: case SIGSYS:
		return true;
	}
	return false;
}

/* Linux's do_coredump: 0x80 if a core was written. */
static int do_coredump(struct task *t, int sig, const linux_siginfo_t *info)
{
	struct thread_group *tg = t->tg;
	uint64_t limit = tg->rlim[RLIMIT_CORE].rlim_cur;
	if (!t->mm || !t->host || tg->group_exit || tg->core_state || limit < GUEST_PAGE_SIZE)
		return 0;
	if (core_pattern[0] == '|' || !core_pattern[0]) {
		umk_note("pid %d: no core: core_pattern '%s' (a pipe to a helper) is not supported",
			 tg->tgid, core_pattern);
		return 0;
	}
	struct core_state *cs = calloc(1, sizeof *cs);
	if (!cs || elf_version(EV_CURRENT) == EV_NONE) {
		free(cs);
		return 0;
	}
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&cs->cv, &ca);
	pthread_condattr_destroy(&ca);
	cs->dumper = t;
	cs->refs = 1;
	/* the others stop (zap_threads) and hand over their registers */
	tg->core_state = cs;
	tg->group_exit = true;
	tg->exit_code = sig;
	wake_all_threads(tg, t);
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += 3;
	while (cs->nr_waiting < tg->nr_threads - 1)
		if (pthread_cond_timedwait(&cs->cv, &klock, &until) == ETIMEDOUT)
			break;

	int ret = 0;
	char name[4096];
	struct core_thread self;
	snapshot(t, &self);
	int memfd = memfd_create("umk-core", MFD_CLOEXEC);
	int err = memfd < 0 ? -errno : core_name(t, sig, name, sizeof name);
	if (!err)
		err = write_elf(t, sig, info, &self, cs->threads, memfd);
	if (!err)
		err = copy_to_guest_file(t, memfd, name, limit);
	if (memfd >= 0)
		close(memfd);
	if (err) {
		umk_note("pid %d: core not written: %s", tg->tgid, strerror(-err));
	} else {
		ret = 0x80;
		tg->exit_code |= 0x80;
	}
	tg->core_state = NULL;
	cs->done = true;
	pthread_cond_broadcast(&cs->cv);
	core_state_put(cs);
	return ret;
}

/* ---- the crash line ---- */

/* Linux's x86 page-fault error code as far as the VMAs tell it: user (4),
 * protection violation (1) if addr is mapped, then write (2) or
 * instruction fetch (0x10). */
static unsigned fault_error(struct task *t, uint64_t addr, uint64_t ip)
{
	unsigned err = 4;
	struct vma *v = t->mm ? mm_find_vma(t->mm, addr) : NULL;
	if (addr == ip)
		err |= 0x10;
	if (v && v->start <= addr) {
		err |= 1;
		if (addr != ip && (v->prot & PROT_READ))
			err |= 2;
	}
	return err;
}

/* "in prog[start+size]" for the mapping holding ip */
static void where(FILE *o, struct task *t, uint64_t ip)
{
	struct vma *v = t->mm ? mm_find_vma(t->mm, ip) : NULL;
	if (!v || v->start > ip)
		return;
	const char *p = v->file && v->file->path ? v->file->path : v->name[0] ? v->name : "[anon]";
	const char *slash = strrchr(p, '/');
	fprintf(o, " in %s[%llx+%llx]", slash ? slash + 1 : p, (unsigned long long)v->start,
		(unsigned long long)(v->end - v->start));
}

/* The line goes to umk's log (--log, stderr with -v), as Linux's goes to
 * the kernel log; --crash-backtrace shows it on stderr in any case. */
static void crash_line(struct task *t, int sig, const linux_siginfo_t *info)
{
	char *text = NULL;
	size_t len = 0;
	FILE *o = open_memstream(&text, &len);
	if (!o)
		return;
	const struct linux_regs *r = &t->regs;
	const char *abbr = sigabbrev_np(sig);
	fprintf(o, "%s[%d]: ", t->comm, t->tg->tgid);
	if (sig == SIGSEGV && info->si_code == 0x80 /* SI_KERNEL */)
		fprintf(o, "general protection fault ip:%llx sp:%llx error:0",
			(unsigned long long)r->rip, (unsigned long long)r->rsp);
	else if (sig == SIGSEGV && info->si_code > 0)
		fprintf(o, "segfault at %llx ip %016llx sp %016llx error %x",
			(unsigned long long)info->u.fault.addr, (unsigned long long)r->rip,
			(unsigned long long)r->rsp, fault_error(t, info->u.fault.addr, r->rip));
	else if (info->si_code > 0 && (sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP))
		fprintf(o, "trap SIG%s (code %d) at %llx ip %016llx sp %016llx", abbr ? abbr : "?",
			info->si_code, (unsigned long long)info->u.fault.addr,
			(unsigned long long)r->rip, (unsigned long long)r->rsp);
	else
		fprintf(o, "killed by SIG%s (sent by pid %d) ip %016llx sp %016llx", abbr ? abbr : "?",
			info->u.kill.pid, (unsigned long long)r->rip, (unsigned long long)r->rsp);
	where(o, t, r->rip);
	fclose(o);
	umk_note("%s", text);
	if (crash_backtrace && !umk_verbose)
		fprintf(stderr, "umk: %s\n", text);
	free(text);
}

/* What Linux's kernel log says of a process a fault killed (x86's
 * show_signal_msg, do_trap, do_general_protection), for dmesg. */
static void fault_printk(struct task *t, int sig, const linux_siginfo_t *info)
{
	const struct linux_regs *r = &t->regs;
	char where_buf[256] = "";
	int lvl = t->tg->tgid > 1 ? 6 : 0;     /* KERN_INFO, KERN_EMERG for init */
	FILE *o = fmemopen(where_buf, sizeof where_buf, "w");
	if (o) {
		where(o, t, r->rip);
		fclose(o);
	}
	if (sig == SIGSEGV && info->si_code == 0x80 /* SI_KERNEL */) {
		printk(lvl, "traps: %s[%d] general protection fault ip:%llx sp:%llx error:0%s", t->comm,
		       t->tg->tgid, (unsigned long long)r->rip, (unsigned long long)r->rsp, where_buf);
	} else if (sig == SIGSEGV && info->si_code > 0) {
		printk(lvl, "%s[%d]: segfault at %llx ip %016llx sp %016llx error %x%s likely on CPU %d (core %d, socket 0)",
		       t->comm, t->tg->tgid, (unsigned long long)info->u.fault.addr,
		       (unsigned long long)r->rip, (unsigned long long)r->rsp,
		       fault_error(t, info->u.fault.addr, r->rip), where_buf, t->cpu < 0 ? 0 : t->cpu,
		       t->cpu < 0 ? 0 : t->cpu);
	} else if (info->si_code > 0 && (sig == SIGILL || sig == SIGFPE)) {
		printk(lvl, "traps: %s[%d] trap %s ip:%llx sp:%llx error:0%s", t->comm, t->tg->tgid,
		       sig == SIGILL ? "invalid opcode" : "divide error", (unsigned long long)r->rip,
		       (unsigned long long)r->rsp, where_buf);
	}
}

int debug_fatal_signal(struct task *t, int sig, const linux_siginfo_t *info)
{
	fault_printk(t, sig, info);
	if (umk_verbose || umk_log_file || crash_backtrace)
		crash_line(t, sig, info);
	if (crash_backtrace) {
		static struct debug_frame fr[64];
		int n = guest_backtrace(t, fr, ARRAY_SIZE(fr));
		for (int i = 0; i < n; i++)
			debug_frame_print(stderr, i, &fr[i]);
	}
	return sig_coredumps(sig) ? do_coredump(t, sig, info) : 0;
}
