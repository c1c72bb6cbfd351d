/*
 * stack.c - the user-space backtrace of a guest thread (`umk ctl SOCK
 * stack TID`, --crash-backtrace), and the symbols of any backtrace.
 *
 * In a nutshell: libunwind's remote unwinding, with accessors of our own
 * in the manner of libunwind-ptrace's: registers come from the task
 * (t->regs, valid while the thread is not running guest code), memory
 * through the guest-memory copy functions (copy_from_user: the platform's
 * process_vm_readv into the stub), and the unwind tables from the
 * guest's own memory: the ELF header and program headers at the start
 * of the mapping of each file, its PT_GNU_EH_FRAME binary-search table,
 * searched by libunwind's dwarf_search_unwind_table (what
 * libunwind-ptrace's find_proc_info calls).  Frames are then symbolised
 * with libdw (elfutils) from the ELF files the guest mapped (the host fd
 * behind each file): function+offset and, where DWARF line tables are
 * present, file:line.  The vDSO is named but not symbolised.
 *
 * Kernel-side backtraces (kstack, oops) unwind locally in kstack.c and
 * are symbolised here too, from umk's own ELF file.
 *
 * Lock: klock held by callers of guest_backtrace (the VMA list, the
 * task); the self-symboliser has a mutex of its own.
 */
#include "../kernel.h"
#include "../mm/mm.h"
#include "../fs/fs.h"
#include "debug.h"
#include <elf.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <libunwind.h>

/* libunwind's search of a binary-search unwind table (exported, and what
 * libunwind-ptrace's _UPT_find_proc_info uses; not in its headers). */
#define dwarf_search_unwind_table UNW_OBJ(dwarf_search_unwind_table)
extern int dwarf_search_unwind_table(unw_addr_space_t as, unw_word_t ip, unw_dyn_info_t *di,
				     unw_proc_info_t *pi, int need_unwind_info, void *arg);

#define DW_EH_PE_udata4  0x03
#define DW_EH_PE_sdata4  0x0b
#define DW_EH_PE_pcrel   0x10
#define DW_EH_PE_datarel 0x30

/*
 * The unwind table of one ELF image of the guest: its PT_GNU_EH_FRAME
 * binary-search table in guest memory, or, for a file linked without
 * one (gcc -static leaves it out), a table of the same shape built here
 * from the file's .eh_frame section and served to libunwind from a
 * made-up address above the user address space (access_mem).
 */
struct unwind_module {
	uint64_t lo, hi;               /* its executable range */
	uint64_t segbase;              /* table offsets are relative to this */
	uint64_t table;                /* the table's address for access_mem */
	uint32_t count;                /* entries */
	int32_t (*local)[2];           /* a table built here, or NULL */
};
#define FAKE_TABLES   0xffff900000000000ULL   /* above any user address */
#define FAKE_STRIDE   0x100000000ULL
#define MAX_MODULES   32

struct unwind_arg {
	struct task *t;
	struct linux_regs regs;
	struct unwind_module mod[MAX_MODULES];
	int nmod;
};

/* The start of the mapping of v's ELF file (its offset-0 VMA), or 0. */
static uint64_t elf_base(struct mm *mm, struct vma *v)
{
	if (!v->file)
		return strcmp(v->name, "[vdso]") ? 0 : v->start;
	uint64_t base = 0;
	for_each_vma(mm, o)
		if (o->file == v->file && o->pgoff == 0 && o->start <= v->start && (!base || o->start > base))
			base = o->start;
	return base;
}

/* Reads the ELF header and program headers of the image mapped at base
 * (phdrs: room for 64).  Returns the load bias, or -1 if not an ELF. */
static int64_t read_elf(struct task *t, uint64_t base, Elf64_Ehdr *eh, Elf64_Phdr *ph, int *nph)
{
	if (copy_from_user(t, eh, base, sizeof *eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_phentsize != sizeof *ph ||
	    eh->e_phnum == 0 || eh->e_phnum > 64 || eh->e_phoff > GUEST_PAGE_SIZE)
		return -1;
	if (copy_from_user(t, ph, base + eh->e_phoff, eh->e_phnum * sizeof *ph))
		return -1;
	*nph = eh->e_phnum;
	if (eh->e_type == ET_EXEC)
		return 0;
	uint64_t lowest = UINT64_MAX;
	for (int i = 0; i < *nph; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr - ph[i].p_offset < lowest)
			lowest = ph[i].p_vaddr - ph[i].p_offset;
	if (lowest == UINT64_MAX)
		return -1;
	return (int64_t)(base - (lowest & ~(GUEST_PAGE_SIZE - 1)));
}

/* ---- .eh_frame, for files without a PT_GNU_EH_FRAME table ---- */

static uint64_t uleb(const uint8_t **p, const uint8_t *end)
{
	uint64_t v = 0;
	for (int sh = 0; *p < end && sh < 64; sh += 7) {
		uint8_t b = *(*p)++;
		v |= (uint64_t)(b & 0x7f) << sh;
		if (!(b & 0x80))
			break;
	}
	return v;
}

/* A pointer in DWARF EH encoding enc at *p (whose address is addr);
 * false if the encoding is not one gcc emits for code addresses. */
static bool eh_pointer(const uint8_t **p, const uint8_t *end, uint8_t enc, uint64_t addr,
		       uint64_t *out)
{
	uint64_t v;
	const uint8_t *q = *p;
	switch (enc & 0x0f) {
	case 0x00: if (end - q < 8) return false; memcpy(&v, q, 8); q += 8; break;   /* absptr */
	case 0x03: { uint32_t u; if (end - q < 4) return false; memcpy(&u, q, 4); v = u; q += 4; break; }
	case 0x0b: { int32_t i; if (end - q < 4) return false; memcpy(&i, q, 4); v = (uint64_t)(int64_t)i; q += 4; break; }
	case 0x04: case 0x0c: if (end - q < 8) return false; memcpy(&v, q, 8); q += 8; break;
	default: return false;
	}
	switch (enc & 0x70) {
	case 0x00: break;
	case 0x10: v += addr; break;                    /* pcrel */
	default: return false;
	}
	*p = q;
	*out = v;
	return true;
}

/* The FDE pointer encoding of the CIE at offset off of .eh_frame. */
static int cie_encoding(const uint8_t *sec, const uint8_t *end, uint64_t off, uint8_t *enc)
{
	const uint8_t *p = sec + off;
	uint32_t len32, id;
	if (end - p < 9)
		return -1;
	memcpy(&len32, p, 4);
	memcpy(&id, p + 4, 4);
	const uint8_t *q = p + 8, *next = p + 4 + len32;
	if (id != 0 || len32 < 5 || next > end)
		return -1;
	*enc = 0;
	uint8_t version = *q++;
	const char *aug = (const char *)q;
	q += strnlen(aug, next - q) + 1;
	uleb(&q, next);            /* code alignment */
	uleb(&q, next);            /* data alignment (a sleb: skipped alike) */
	if (version == 1)
		q++;
	else
		uleb(&q, next);    /* return address register */
	if (aug[0] != 'z')
		return 0;
	uleb(&q, next);
	for (const char *a = aug + 1; *a && q < next; a++) {
		if (*a == 'R') {
			*enc = *q++;
			return 0;
		} else if (*a == 'L') {
			q++;
		} else if (*a == 'P') {
			uint8_t penc = *q++;
			uint64_t dummy;
			if (!eh_pointer(&q, next, penc & 0x7f, 0, &dummy))
				return -1;
		}
	}
	return 0;
}

static int by_start(const void *x, const void *y)
{
	const int32_t *a = x, *b = y;
	return a[0] < b[0] ? -1 : a[0] > b[0];
}

/* Builds m's table from the .eh_frame of file (host fd), loaded with
 * bias.  0, or -1 if the file has no usable .eh_frame. */
static int build_eh_table(struct unwind_module *m, struct file *file, int64_t bias)
{
	if (!file || !file->ops || !file->ops->host_fd)
		return -1;
	int fd = file->ops->host_fd(file);
	if (fd < 0 || elf_version(EV_CURRENT) == EV_NONE)
		return -1;
	Elf *e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	size_t shstr;
	if (!e || elf_getshdrstrndx(e, &shstr)) {
		if (e)
			elf_end(e);
		return -1;
	}
	int ret = -1;
	for (Elf_Scn *scn = elf_nextscn(e, NULL); scn; scn = elf_nextscn(e, scn)) {
		GElf_Shdr sh;
		const char *name;
		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(e, shstr, sh.sh_name)) ||
		    strcmp(name, ".eh_frame") || sh.sh_type != SHT_PROGBITS)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		if (!d || !d->d_buf)
			break;
		const uint8_t *sec = d->d_buf, *end = sec + d->d_size;
		uint64_t secaddr = sh.sh_addr + bias;
		size_t cap = 1024, n = 0;
		int32_t (*tab)[2] = malloc(cap * sizeof *tab);
		/* the FDE pointer encoding of the last CIE looked at (FDEs may
		 * point back to any CIE: ld merges identical ones) */
		uint64_t cie_at = UINT64_MAX;
		uint8_t fde_enc = 0;
		const uint8_t *p = sec;
		while (tab && end - p >= 4) {
			uint32_t len32;
			memcpy(&len32, p, 4);
			if (len32 == 0 || len32 == 0xffffffff)
				break;          /* the terminator (64-bit entries: not from gcc) */
			const uint8_t *ent = p, *q = p + 4, *next = q + len32;
			if (next > end || len32 < 8)
				break;
			uint32_t id;
			memcpy(&id, q, 4);
			uint64_t cie = (uint64_t)(q - sec) - id;
			q += 4;
			if (id != 0 && cie < (uint64_t)(end - sec) && (cie == cie_at || cie_encoding(sec, end, cie, &fde_enc) == 0)) {
				cie_at = cie;
				/* an FDE: its initial location */
				uint64_t pc;
				const uint8_t *f = q;
				if (eh_pointer(&f, next, fde_enc, secaddr + (q - sec), &pc) &&
				    pc >= m->lo && pc < m->hi) {
					if (n == cap) {
						void *nt = realloc(tab, 2 * cap * sizeof *tab);
						if (!nt)
							break;
						tab = nt;
						cap *= 2;
					}
					tab[n][0] = (int32_t)(int64_t)(pc - secaddr);
					tab[n][1] = (int32_t)(int64_t)(ent - sec);
					n++;
				}
			}
			p = next;
		}
		if (tab && n) {
			qsort(tab, n, sizeof *tab, by_start);
			m->local = tab;
			m->count = (uint32_t)n;
			m->segbase = secaddr;
			ret = 0;
		} else {
			free(tab);
		}
		break;
	}
	elf_end(e);
	return ret;
}

/* The unwind table of the image holding ip, found or made once. */
static struct unwind_module *unwind_module(struct unwind_arg *ua, uint64_t ip)
{
	struct task *t = ua->t;
	for (int i = 0; i < ua->nmod; i++)
		if (ip >= ua->mod[i].lo && ip < ua->mod[i].hi)
			return ua->mod[i].count ? &ua->mod[i] : NULL;
	struct vma *v = t->mm ? mm_find_vma(t->mm, ip) : NULL;
	if (!v || v->start > ip || !(v->prot & PROT_EXEC) || ua->nmod == MAX_MODULES)
		return NULL;
	uint64_t base = elf_base(t->mm, v);
	Elf64_Ehdr eh;
	Elf64_Phdr ph[64];
	int nph;
	int64_t bias = base ? read_elf(t, base, &eh, ph, &nph) : -1;
	if (bias < 0)
		return NULL;
	struct unwind_module *m = &ua->mod[ua->nmod];
	memset(m, 0, sizeof *m);
	m->lo = UINT64_MAX;
	uint64_t hdr = 0;
	for (int i = 0; i < nph; i++) {
		if (ph[i].p_type == PT_GNU_EH_FRAME)
			hdr = bias + ph[i].p_vaddr;
		if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_X)) {
			if (bias + ph[i].p_vaddr < m->lo)
				m->lo = bias + ph[i].p_vaddr;
			if (bias + ph[i].p_vaddr + ph[i].p_memsz > m->hi)
				m->hi = bias + ph[i].p_vaddr + ph[i].p_memsz;
		}
	}
	if (ip < m->lo || ip >= m->hi)
		return NULL;
	ua->nmod++;
	/* .eh_frame_hdr: version 1, then the encodings of eh_frame_ptr,
	 * fde_count and the table; the table must be datarel sdata4 pairs */
	uint8_t h[12];
	if (hdr && copy_from_user(t, h, hdr, sizeof h) == 0 && h[0] == 1 &&
	    (h[1] & 0x0f) == DW_EH_PE_sdata4 && h[2] == DW_EH_PE_udata4 &&
	    h[3] == (DW_EH_PE_datarel | DW_EH_PE_sdata4)) {
		memcpy(&m->count, h + 8, 4);
		m->segbase = hdr;
		m->table = hdr + 12;
	} else if (build_eh_table(m, v->file, bias) == 0) {
		m->table = FAKE_TABLES + (uint64_t)(ua->nmod - 1) * FAKE_STRIDE;
	}
	return m->count ? m : NULL;
}

static int find_proc_info(unw_addr_space_t as, unw_word_t ip, unw_proc_info_t *pi,
			  int need_unwind_info, void *arg)
{
	struct unwind_module *m = unwind_module(arg, ip);
	if (!m)
		return -UNW_ENOINFO;
	unw_dyn_info_t di;
	memset(&di, 0, sizeof di);
	di.format = UNW_INFO_FORMAT_REMOTE_TABLE;
	di.start_ip = m->lo;
	di.end_ip = m->hi;
	di.u.rti.segbase = m->segbase;
	di.u.rti.table_data = m->table;
	di.u.rti.table_len = m->count * 8 / sizeof(unw_word_t);
	return dwarf_search_unwind_table(as, ip, &di, pi, need_unwind_info, arg);
}

static void put_unwind_info(unw_addr_space_t as, unw_proc_info_t *pi, void *arg)
{
	(void)as, (void)arg;
	free(pi->unwind_info);
	pi->unwind_info = NULL;
}

static int get_dyn_info_list_addr(unw_addr_space_t as, unw_word_t *addr, void *arg)
{
	(void)as, (void)addr, (void)arg;
	return -UNW_ENOINFO;
}

static int access_mem(unw_addr_space_t as, unw_word_t addr, unw_word_t *val, int write, void *arg)
{
	struct unwind_arg *ua = arg;
	(void)as;
	if (write)
		return -UNW_EINVAL;
	if (addr >= FAKE_TABLES) {
		uint64_t i = (addr - FAKE_TABLES) / FAKE_STRIDE, off = (addr - FAKE_TABLES) % FAKE_STRIDE;
		if (i >= (uint64_t)ua->nmod || !ua->mod[i].local || off + 8 > ua->mod[i].count * 8ULL)
			return -UNW_EINVAL;
		memcpy(val, (char *)ua->mod[i].local + off, 8);
		return 0;
	}
	if (addr >= STUB_START)
		return -UNW_EINVAL;
	return copy_from_user(ua->t, val, addr, sizeof *val) ? -UNW_EINVAL : 0;
}

static int access_reg(unw_addr_space_t as, unw_regnum_t reg, unw_word_t *val, int write, void *arg)
{
	struct unwind_arg *ua = arg;
	const struct linux_regs *r = &ua->regs;
	(void)as;
	if (write)
		return -UNW_EREADONLYREG;
	switch (reg) {
	case UNW_X86_64_RAX: *val = r->rax; break;
	case UNW_X86_64_RDX: *val = r->rdx; break;
	case UNW_X86_64_RCX: *val = r->rcx; break;
	case UNW_X86_64_RBX: *val = r->rbx; break;
	case UNW_X86_64_RSI: *val = r->rsi; break;
	case UNW_X86_64_RDI: *val = r->rdi; break;
	case UNW_X86_64_RBP: *val = r->rbp; break;
	case UNW_X86_64_RSP: *val = r->rsp; break;
	case UNW_X86_64_R8: *val = r->r8; break;
	case UNW_X86_64_R9: *val = r->r9; break;
	case UNW_X86_64_R10: *val = r->r10; break;
	case UNW_X86_64_R11: *val = r->r11; break;
	case UNW_X86_64_R12: *val = r->r12; break;
	case UNW_X86_64_R13: *val = r->r13; break;
	case UNW_X86_64_R14: *val = r->r14; break;
	case UNW_X86_64_R15: *val = r->r15; break;
	case UNW_X86_64_RIP: *val = r->rip; break;
	default: return -UNW_EBADREG;
	}
	return 0;
}

static int access_fpreg(unw_addr_space_t as, unw_regnum_t reg, unw_fpreg_t *val, int write,
			void *arg)
{
	(void)as, (void)reg, (void)val, (void)write, (void)arg;
	return -UNW_EBADREG;
}

static int resume(unw_addr_space_t as, unw_cursor_t *c, void *arg)
{
	(void)as, (void)c, (void)arg;
	return -UNW_EINVAL;
}

static int get_proc_name(unw_addr_space_t as, unw_word_t addr, char *buf, size_t len,
			 unw_word_t *off, void *arg)
{
	(void)as, (void)addr, (void)buf, (void)len, (void)off, (void)arg;
	return -UNW_ENOINFO;     /* symbols come from libdw */
}

static unw_accessors_t guest_accessors = {
	.find_proc_info = find_proc_info,
	.put_unwind_info = put_unwind_info,
	.get_dyn_info_list_addr = get_dyn_info_list_addr,
	.access_mem = access_mem,
	.access_reg = access_reg,
	.access_fpreg = access_fpreg,
	.resume = resume,
	.get_proc_name = get_proc_name,
};

/* ---- symbols: libdw ---- */

/* Only the file's own symbols and DWARF: no search of the host's debug
 * directories for a guest's file. */
static int no_debuginfo(Dwfl_Module *m, void **ud, const char *name, Dwarf_Addr base,
			const char *file, const char *link, GElf_Word crc, char **path)
{
	(void)m, (void)ud, (void)name, (void)base, (void)file, (void)link, (void)crc, (void)path;
	return -1;
}

static const Dwfl_Callbacks guest_cb = {
	.find_debuginfo = no_debuginfo,
	.section_address = dwfl_offline_section_address,
};

static void copy_name(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

/* Fills f's func/off/file/line for address pc (ip, or ip-1 for a return
 * address) from module m. */
static void symbolise(Dwfl_Module *m, uint64_t pc, struct debug_frame *f)
{
	GElf_Off off = 0;
	GElf_Sym sym;
	const char *name = dwfl_module_addrinfo(m, pc, &off, &sym, NULL, NULL, NULL);
	if (name) {
		copy_name(f->func, sizeof f->func, name);
		f->off = off + (f->ip - pc);
	}
	Dwfl_Line *l = dwfl_module_getsrc(m, pc);
	int line = 0;
	const char *src = l ? dwfl_lineinfo(l, NULL, &line, NULL, NULL, NULL) : NULL;
	if (src && line > 0) {
		copy_name(f->file, sizeof f->file, src);
		f->line = line;
	}
}

/* The libdw module of the guest file mapped at base (reported once). */
static Dwfl_Module *guest_module(Dwfl *dwfl, struct task *t, struct vma *v, uint64_t base)
{
	Dwfl_Module *m = dwfl_addrmodule(dwfl, v->start);
	if (m)
		return m;
	if (!v->file || !v->file->ops || !v->file->ops->host_fd)
		return NULL;
	int hfd = v->file->ops->host_fd(v->file);
	if (hfd < 0)
		return NULL;
	int fd = fcntl(hfd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return NULL;
	(void)t;
	const char *path = v->file->path ? v->file->path : "?";
	dwfl_report_begin_add(dwfl);
	m = dwfl_report_elf(dwfl, path, path, fd, base, false);   /* takes fd */
	dwfl_report_end(dwfl, NULL, NULL);
	if (!m)
		close(fd);
	return m;
}

int guest_backtrace(struct task *t, struct debug_frame *fr, int max)
{
	if (!t->host || !t->mm)
		return -ESRCH;
	if (t->state == TASK_RUNNING_USER)
		return -EBUSY;
	struct unwind_arg *ua = calloc(1, sizeof *ua);
	unw_addr_space_t as = ua ? unw_create_addr_space(&guest_accessors, 0) : NULL;
	if (!as) {
		free(ua);
		return -ENOMEM;
	}
	ua->t = t;
	ua->regs = t->regs;
	unw_set_caching_policy(as, UNW_CACHE_NONE);
	unw_cursor_t cur;
	int n = 0;
	if (unw_init_remote(&cur, as, ua) == 0) {
		do {
			unw_word_t ip = 0;
			if (unw_get_reg(&cur, UNW_REG_IP, &ip) < 0 || (n && ip == 0))
				break;
			memset(&fr[n], 0, sizeof fr[n]);
			fr[n].ip = ip;
			fr[n].signal_frame = unw_is_signal_frame(&cur) > 0;
			n++;
		} while (n < max && unw_step(&cur) > 0);
	} else {
		/* no unwind info at all: the instruction pointer alone */
		memset(&fr[0], 0, sizeof fr[0]);
		fr[0].ip = t->regs.rip;
		n = 1;
	}
	unw_destroy_addr_space(as);
	for (int i = 0; i < ua->nmod; i++)
		free(ua->mod[i].local);
	free(ua);

	Dwfl *dwfl = dwfl_begin(&guest_cb);
	for (int i = 0; i < n; i++) {
		struct debug_frame *f = &fr[i];
		/* a return address points after its call: look up the call */
		uint64_t pc = f->ip - (i > 0 && !fr[i - 1].signal_frame ? 1 : 0);
		struct vma *v = mm_find_vma(t->mm, pc);
		if (!v || v->start > pc)
			continue;
		if (!v->file) {
			copy_name(f->object, sizeof f->object, v->name[0] ? v->name : "[anon]");
			continue;
		}
		const char *p = v->file->path ? v->file->path : "?";
		const char *slash = strrchr(p, '/');
		copy_name(f->object, sizeof f->object, slash ? slash + 1 : p);
		uint64_t base = elf_base(t->mm, v);
		Dwfl_Module *m = dwfl && base ? guest_module(dwfl, t, v, base) : NULL;
		if (m)
			symbolise(m, pc, f);
	}
	if (dwfl)
		dwfl_end(dwfl);
	return n;
}

/* ---- umk's own symbols ---- */

static pthread_mutex_t self_lock = PTHREAD_MUTEX_INITIALIZER;
static Dwfl *self_dwfl;

static const Dwfl_Callbacks self_cb = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
};

/* Symbolises kernel frames (umk's own addresses). */
void kernel_symbolise(struct debug_frame *fr, int n)
{
	/* timed: an oops may come while another thread is in here */
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 2;
	if (pthread_mutex_timedlock(&self_lock, &until))
		return;
	if (!self_dwfl) {
		self_dwfl = dwfl_begin(&self_cb);
		if (self_dwfl && (dwfl_linux_proc_report(self_dwfl, getpid()) ||
				  dwfl_report_end(self_dwfl, NULL, NULL))) {
			dwfl_end(self_dwfl);
			self_dwfl = NULL;
		}
	}
	for (int i = 0; self_dwfl && i < n; i++) {
		struct debug_frame *f = &fr[i];
		uint64_t pc = f->ip - (i > 0 && !fr[i - 1].signal_frame ? 1 : 0);
		Dwfl_Module *m = dwfl_addrmodule(self_dwfl, pc);
		if (!m)
			continue;
		const char *mname = dwfl_module_info(m, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
		const char *slash = mname ? strrchr(mname, '/') : NULL;
		copy_name(f->object, sizeof f->object, slash ? slash + 1 : mname);
		symbolise(m, pc, f);
	}
	pthread_mutex_unlock(&self_lock);
}

const char *kernel_symbol(uint64_t ip, char *buf, size_t len)
{
	struct debug_frame f;
	memset(&f, 0, sizeof f);
	f.ip = ip;
	kernel_symbolise(&f, 1);
	snprintf(buf, len, "%s", f.func[0] ? f.func : "?");
	return buf;
}

void debug_frame_print(FILE *o, int i, const struct debug_frame *f)
{
	fprintf(o, "  #%-2d 0x%016llx ", i, (unsigned long long)f->ip);
	if (f->func[0])
		fprintf(o, "%s+0x%llx", f->func, (unsigned long long)f->off);
	else
		fputs("?", o);
	if (f->file[0])
		fprintf(o, " (%s:%d)", f->file, f->line);
	if (f->object[0])
		fprintf(o, " [%s]", f->object);
	if (f->signal_frame)
		fputs(" <signal frame>", o);
	fputc('\n', o);
}
