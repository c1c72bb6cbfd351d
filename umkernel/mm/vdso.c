/*
 * vdso.c - the host's vDSO as guests see it, once the guest's wall clock
 * is its own.
 *
 * In a nutshell: every guest address space keeps the host's vDSO
 * (mm_add_vdso), so guests read the host's clocks without a syscall.
 * When the guest first sets its clock (kernel/timekeeping.c), the clock
 * entry points (__vdso_clock_gettime, __vdso_gettimeofday, __vdso_time,
 * found in the vDSO's dynamic symbol table with libelf) of every live
 * address space are overwritten, as a debugger plants a breakpoint (the
 * page becomes the process's private copy), with
 *     mov $NR, %eax; syscall; ret
 * so that the call traps into umk, which answers from the guest's clock.
 * The arguments are already where the syscall wants them.  Address
 * spaces made later are forks of patched ones, and execve keeps its host
 * process and so its vDSO.  clock_getres and getcpu stay the host's: a
 * set changes neither.
 *
 * A process in a time namespace whose offsets are not zero gets the same
 * patch, alone (vdso_patch_clocks_task), as Linux gives it the namespace's
 * vvar page.
 *
 * The image is read from umk's own vDSO (the host kernel gives every
 * 64-bit process the same one) and each patch first checks that the
 * guest's bytes are the image's (or the patch already).
 *
 * Lock: klock (callers hold it).
 */
#include "../kernel.h"
#include "mm.h"
#include "../kernel/task.h"
#include "../debug/debug.h"
#include "../../tracer/platform.h"
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

#define VDSO_PATCH_LEN 8

static const struct { const char *name; int nr; } vdso_clock_fns[] = {
	{ "__vdso_clock_gettime", 228 },
	{ "__vdso_gettimeofday", 96 },
	{ "__vdso_time", 201 },
};
#define NFNS (sizeof vdso_clock_fns / sizeof vdso_clock_fns[0])

static bool clocks_patched;          /* vdso_patch_clocks_all ran */
static int vdso_found;               /* 0: not looked, 1: found, -1: not there */
static uint64_t fn_off[NFNS];        /* offset of each entry point in the image */
static uint8_t fn_orig[NFNS][VDSO_PATCH_LEN];

/* The size of the ELF image at p: its program and section headers' reach. */
static size_t image_size(const unsigned char *p)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)p;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(p + eh->e_phoff);
	size_t n = eh->e_shoff + (size_t)eh->e_shnum * eh->e_shentsize;

	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_offset + ph[i].p_filesz > n)
			n = ph[i].p_offset + ph[i].p_filesz;
	return n;
}

/* Finds the clock entry points in umk's own vDSO.  0 or -ENOENT. */
static int vdso_lookup(void)
{
	const unsigned char *img = (const unsigned char *)getauxval(AT_SYSINFO_EHDR);
	size_t size, found = 0;
	Elf_Scn *scn = NULL;
	uint64_t load = 0;
	char *copy;
	Elf *e;

	if (vdso_found)
		return vdso_found > 0 ? 0 : -ENOENT;
	vdso_found = -1;
	if (!img || memcmp(img, ELFMAG, SELFMAG) || elf_version(EV_CURRENT) == EV_NONE)
		return -ENOENT;
	size = image_size(img);
	copy = malloc(size);
	if (!copy)
		return -ENOENT;
	memcpy(copy, img, size);
	e = elf_memory(copy, size);
	if (!e)
		goto out;
	size_t nph;
	if (!elf_getphdrnum(e, &nph))
		for (size_t i = 0; i < nph; i++) {
			GElf_Phdr ph;
			if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_LOAD) {
				load = ph.p_vaddr - ph.p_offset;
				break;
			}
		}
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNSYM || !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *name;

			if (!gelf_getsym(d, (int)i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC)
				continue;
			name = elf_strptr(e, sh.sh_link, sym.st_name);
			for (size_t k = 0; name && k < NFNS; k++) {
				uint64_t off = sym.st_value - load;
				if (strcmp(name, vdso_clock_fns[k].name) || off + VDSO_PATCH_LEN > size ||
				    fn_off[k])
					continue;
				fn_off[k] = off;
				memcpy(fn_orig[k], img + off, VDSO_PATCH_LEN);
				found++;
			}
		}
	}
	elf_end(e);
	if (found == NFNS)
		vdso_found = 1;
out:
	free(copy);
	return vdso_found > 0 ? 0 : -ENOENT;
}

/* Patches the clock entry points of the vDSO at base in t's address
 * space.  0 or -errno (the bytes there are neither the image's nor the
 * patch: left alone). */
static int vdso_patch_one(struct task *t, uint64_t base)
{
	for (size_t k = 0; k < NFNS; k++) {
		uint8_t code[VDSO_PATCH_LEN] = { 0xb8, 0, 0, 0, 0, 0x0f, 0x05, 0xc3 };
		uint8_t cur[VDSO_PATCH_LEN];
		uint64_t at = base + fn_off[k];
		int32_t nr = vdso_clock_fns[k].nr;

		memcpy(code + 1, &nr, 4);
		if (platform->access_mem_force(t->host, at, cur, sizeof cur, false) != sizeof cur)
			return -EFAULT;
		/* patched already: ours, or its mov made a jump to the
		 * platform's fast path since (kernel/syscall.c) */
		if (!memcmp(cur + 5, code + 5, 3) && (cur[0] == 0xb8 || cur[0] == 0xe9))
			continue;
		if (memcmp(cur, fn_orig[k], sizeof cur))
			return -EINVAL;
		if (platform->access_mem_force(t->host, at, code, sizeof code, true) != sizeof code)
			return -EFAULT;
	}
	return 0;
}

/*
 * vdso_patch_clocks_all - from now on every guest address space's vDSO
 * clock calls are syscalls (under klock).  An address space whose vDSO
 * cannot be patched keeps reading the host's clock (noted in the log).
 */
void vdso_patch_clocks_all(void)
{
	struct list_head *p, *n;
	struct mm **done = NULL;
	size_t ndone = 0, cap = 0;

	clocks_patched = true;
	if (!platform->access_mem_force || vdso_lookup()) {
		umk_note("vdso: the guest's clock is set but the vDSO cannot be patched: "
			 "vDSO readers see the host's time");
		return;
	}
	list_for_each_safe(p, n, &all_tasks) {
		struct task *t = list_entry(p, struct task, all);
		uint64_t base;
		size_t i;

		if (!t->mm || !t->host || t->state == TASK_ZOMBIE)
			continue;
		for (i = 0; i < ndone && done[i] != t->mm; i++)
			;
		if (i < ndone)
			continue;
		if (ndone == cap) {
			struct mm **n = realloc(done, (cap = cap ? 2 * cap : 16) * sizeof *n);
			if (!n)
				break;
			done = n;
		}
		done[ndone++] = t->mm;
		base = mm_vdso_base(t->mm);
		if (base && vdso_patch_one(t, base))
			umk_note("vdso: a guest vDSO could not be patched: that process "
				 "reads the host's time");
	}
	free(done);
}

/*
 * vdso_patch_clocks_task - t has just taken its host thread (a fork's
 * child, under klock), or entered a time namespace whose offsets move
 * its clocks: if the clocks are patched, its address space may be a
 * copy of one made before, so it is patched too; in such a time
 * namespace (kernel/time_namespace.c) it is patched whatever the wall
 * clock did.
 */
void vdso_patch_clocks_task(struct task *t)
{
	uint64_t base;

	if (!t->mm || !t->host)
		return;
	if (!clocks_patched) {
		if (!timens_offset_ns(t, CLOCK_MONOTONIC) && !timens_offset_ns(t, CLOCK_BOOTTIME))
			return;
		if (!platform->access_mem_force || vdso_lookup()) {
			umk_note("vdso: a time namespace moves the clocks but the vDSO cannot be "
				 "patched: vDSO readers see the host's time");
			return;
		}
	}
	if (vdso_found <= 0)
		return;
	base = mm_vdso_base(t->mm);
	if (base && vdso_patch_one(t, base))
		umk_note("vdso: a guest vDSO could not be patched: that process reads the host's time");
}
