/*
 * exec.c - execve(2): ELF images (via libelf), #! scripts, the initial
 * stack and auxv.
 *
 * In a nutshell: everything that can fail is checked before the point of
 * no return (file type, permissions, ELF headers of the program and its
 * interpreter, argument sizes).  Then the old address space is emptied,
 * the PT_LOAD segments are mapped from the file (the platform passes the
 * host fd into the stub, so pages are shared with the page cache), the
 * stack is built as fs/binfmt_elf.c builds it, and the task's registers
 * are set to the entry point.  No ASLR: runs are reproducible.
 *
 * Lock: klock, held by the caller.
 */
#include "../kernel.h"
#include <sys/mount.h>
#include "task.h"
#include "../mm/mm.h"
#include "../fs/fs.h"
#include "../security/keys.h"
#include "../security/landlock.h"
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_ARG_STRLEN (32 * 4096)
#define MAX_ARG_TOTAL  (2 * 1024 * 1024)   /* a quarter of the 8 MiB stack */
#define STACK_SIZE     (8UL << 20)

struct elf_image {
	struct file *file;
	int fd;
	GElf_Ehdr eh;
	GElf_Phdr *ph;
	size_t phnum;
	char interp[4096];
	bool has_interp;
};

static void image_free(struct elf_image *im)
{
	free(im->ph);
	if (im->file)
		file_put(im->file);
	memset(im, 0, sizeof *im);
}

/* Reads and checks ELF headers.  -ENOEXEC if not a loadable x86-64 ELF. */
static int image_load(struct elf_image *im, struct file *f)
{
	im->file = f;
	im->fd = f->ops->host_fd ? f->ops->host_fd(f) : -1;
	if (im->fd < 0)
		return -EACCES;
	Elf *e = elf_begin(im->fd, ELF_C_READ, NULL);
	if (!e)
		return -ENOEXEC;
	int err = -ENOEXEC;
	if (elf_kind(e) != ELF_K_ELF || gelf_getclass(e) != ELFCLASS64 || !gelf_getehdr(e, &im->eh))
		goto out;
	if (im->eh.e_machine != EM_X86_64 || (im->eh.e_type != ET_EXEC && im->eh.e_type != ET_DYN))
		goto out;
	if (elf_getphdrnum(e, &im->phnum) || im->phnum == 0 || im->phnum > 128)
		goto out;
	im->ph = calloc(im->phnum, sizeof *im->ph);
	for (size_t i = 0; i < im->phnum; i++)
		if (!gelf_getphdr(e, (int)i, &im->ph[i]))
			goto out;
	for (size_t i = 0; i < im->phnum; i++) {
		GElf_Phdr *p = &im->ph[i];
		if (p->p_type == PT_INTERP) {
			if (p->p_filesz < 2 || p->p_filesz > sizeof im->interp)
				goto out;
			if (pread(im->fd, im->interp, p->p_filesz, p->p_offset) != (ssize_t)p->p_filesz)
				goto out;
			im->interp[p->p_filesz - 1] = 0;
			im->has_interp = true;
		}
		if (p->p_type == PT_LOAD && (p->p_filesz > p->p_memsz ||
		    (p->p_vaddr & (GUEST_PAGE_SIZE - 1)) != (p->p_offset & (GUEST_PAGE_SIZE - 1))))
			goto out;
	}
	err = 0;
out:
	elf_end(e);
	return err;
}

static int seg_prot(uint32_t pf)
{
	return (pf & PF_R ? PROT_READ : 0) | (pf & PF_W ? PROT_WRITE : 0) | (pf & PF_X ? PROT_EXEC : 0);
}

/* Maps the PT_LOAD segments; bias chosen for ET_DYN.  Returns the bias or
 * -errno.  *end_out: end of the highest segment (for brk). */
static long map_image(struct mm *mm, struct elf_image *im, bool is_interp, uint64_t *end_out)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	for (size_t i = 0; i < im->phnum; i++) {
		GElf_Phdr *p = &im->ph[i];
		if (p->p_type != PT_LOAD)
			continue;
		if (p->p_vaddr < lo)
			lo = p->p_vaddr;
		if (p->p_vaddr + p->p_memsz > hi)
			hi = p->p_vaddr + p->p_memsz;
	}
	if (lo == UINT64_MAX)
		return -ENOEXEC;
	lo &= ~(GUEST_PAGE_SIZE - 1);
	uint64_t bias = 0;
	if (im->eh.e_type == ET_DYN) {
		if (is_interp) {
			long base = mm_mmap(mm, 0, hi - lo, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0);
			if (base < 0)
				return base;
			bias = (uint64_t)base - lo;
		} else {
			bias = GUEST_PIE_BASE - lo;
		}
	}
	for (size_t i = 0; i < im->phnum; i++) {
		GElf_Phdr *p = &im->ph[i];
		if (p->p_type != PT_LOAD || !p->p_memsz)
			continue;
		uint64_t start = bias + p->p_vaddr;
		uint64_t mstart = start & ~(GUEST_PAGE_SIZE - 1);
		uint64_t fileend = start + p->p_filesz;
		uint64_t memend = start + p->p_memsz;
		int prot = seg_prot(p->p_flags);
		long r;
		if (p->p_filesz) {
			/* the tail of the last file page is zeroed (padzero)
			 * when bss follows: only then map it writable first */
			uint64_t pgend = PAGE_ALIGN(fileend);
			bool padzero = memend > fileend && pgend > fileend;
			r = mm_mmap(mm, mstart, fileend - mstart, prot | (padzero ? PROT_WRITE : 0),
				    MAP_PRIVATE | MAP_FIXED, im->file,
				    p->p_offset & ~(GUEST_PAGE_SIZE - 1));
			if (r < 0)
				return r;
			if (padzero) {
				static const char zeros[4096];
				if (copy_to_user(current, fileend, zeros, pgend - fileend))
					return -EFAULT;
				if (!(prot & PROT_WRITE))
					mm_mprotect(mm, mstart, fileend - mstart, prot);
			}
		}
		uint64_t bss = PAGE_ALIGN(fileend);
		if (!p->p_filesz)
			bss = mstart;
		if (memend > bss) {
			r = mm_mmap(mm, bss, memend - bss, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
				    NULL, 0);
			if (r < 0)
				return r;
		}
		if (!is_interp) {
			if ((p->p_flags & PF_X) && !mm->start_code) {
				mm->start_code = start;
				mm->end_code = start + p->p_filesz;
			}
			if (p->p_flags & PF_W) {
				mm->start_data = start;
				mm->end_data = fileend;
			}
		}
	}
	*end_out = bias + hi;
	return (long)bias;
}

/* Copies a NULL-terminated vector of user strings into kernel memory.
 * The pointers are read a batch at a time (up to the end of their page,
 * so a vector that ends just before an unmapped page still reads), each
 * string through one scratch buffer. */
static int copy_strings_from_user(struct task *t, uint64_t uvec, char ***out, size_t *total)
{
	size_t n = 0, cap = 16;
	char **v = calloc(cap + 1, sizeof *v);
	if (!uvec) {
		*out = v;
		return 0;
	}
	char *s = malloc(MAX_ARG_STRLEN);
	if (!s) {
		free(v);
		return -ENOMEM;
	}
	uint64_t batch[64];
	size_t have = 0, used = 0;
	for (;;) {
		if (used == have) {
			uint64_t at = uvec + n * 8;
			size_t room = (GUEST_PAGE_SIZE - (at & (GUEST_PAGE_SIZE - 1))) / 8;
			have = room < 64 ? (room ? room : 1) : 64;
			used = 0;
			if (copy_from_user(t, batch, at, have * 8)) {
				have = 1;
				if (copy_from_user(t, batch, at, 8))
					goto fault;
			}
		}
		uint64_t p = batch[used++];
		if (!p)
			break;
		long len = strncpy_from_user(t, s, p, MAX_ARG_STRLEN);
		if (len < 0) {
			free(s);
			if (len == -ENAMETOOLONG)
				len = -E2BIG;
			for (size_t i = 0; i < n; i++)
				free(v[i]);
			free(v);
			return (int)len;
		}
		*total += len + 1 + 8;
		if (*total > MAX_ARG_TOTAL) {
			free(s);
			for (size_t i = 0; i < n; i++)
				free(v[i]);
			free(v);
			return -E2BIG;
		}
		v[n++] = strndup(s, len);
		if (n == cap) {
			cap *= 2;
			v = realloc(v, (cap + 1) * sizeof *v);
		}
		v[n] = NULL;
	}
	free(s);
	*out = v;
	return 0;
fault:
	free(s);
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return -EFAULT;
}

static void free_strings(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

/* Builds argv, envp and auxv on the new stack (fs/binfmt_elf.c
 * create_elf_tables).  Returns the initial rsp or -errno. */
static long build_stack(struct task *t, char **argv, char **envp, const char *execfn,
			struct elf_image *im, uint64_t bias, uint64_t interp_base, uint64_t entry)
{
	struct mm *mm = t->mm;
	uint64_t top = GUEST_STACK_TOP;
	long r = mm_mmap(mm, top - STACK_SIZE, STACK_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_GROWSDOWN, NULL, 0);
	if (r < 0)
		return r;
	struct vma *v = mm_find_vma(mm, top - 1);
	if (v)
		strcpy(v->name, "[stack]");

	size_t argc = 0, envc = 0, strsz = 0;
	for (; argv[argc]; argc++)
		strsz += strlen(argv[argc]) + 1;
	for (; envp[envc]; envc++)
		strsz += strlen(envp[envc]) + 1;
	size_t fnlen = strlen(execfn) + 1;
	strsz += fnlen + 7 /* "x86_64" */ + 16 /* AT_RANDOM */;

	char *area = calloc(1, strsz + 64);
	uint64_t str_base = (top - 8 - strsz) & ~15UL;
	size_t off = 0;
	uint64_t *argp = calloc(argc + 1, 8), *envpp = calloc(envc + 1, 8);
	for (size_t i = 0; i < argc; i++) {
		size_t l = strlen(argv[i]) + 1;
		memcpy(area + off, argv[i], l);
		argp[i] = str_base + off;
		off += l;
	}
	mm->arg_start = str_base;
	mm->arg_end = str_base + off;
	mm->env_start = str_base + off;
	for (size_t i = 0; i < envc; i++) {
		size_t l = strlen(envp[i]) + 1;
		memcpy(area + off, envp[i], l);
		envpp[i] = str_base + off;
		off += l;
	}
	mm->env_end = str_base + off;
	uint64_t execfn_addr = str_base + off;
	memcpy(area + off, execfn, fnlen);
	off += fnlen;
	uint64_t platform_addr = str_base + off;
	memcpy(area + off, "x86_64", 7);
	off += 7;
	uint64_t random_addr = str_base + off;
	if (getrandom(area + off, 16, 0) != 16)
		memset(area + off, 0x5a, 16);
	off += 16;

	uint64_t phdr = 0;
	for (size_t i = 0; i < im->phnum; i++)
		if (im->ph[i].p_type == PT_PHDR)
			phdr = bias + im->ph[i].p_vaddr;
	if (!phdr)
		for (size_t i = 0; i < im->phnum; i++)
			if (im->ph[i].p_type == PT_LOAD && im->ph[i].p_offset == 0)
				phdr = bias + im->ph[i].p_vaddr + im->eh.e_phoff;
	uint64_t auxv[] = {
		LINUX_AT_SYSINFO_EHDR, mm_vdso_base(mm),
		LINUX_AT_MINSIGSTKSZ, 2048,
		LINUX_AT_HWCAP, 0x178bfbff,
		LINUX_AT_PAGESZ, GUEST_PAGE_SIZE,
		LINUX_AT_CLKTCK, 100,
		LINUX_AT_PHDR, phdr,
		LINUX_AT_PHENT, sizeof(Elf64_Phdr),
		LINUX_AT_PHNUM, im->phnum,
		LINUX_AT_BASE, interp_base,
		LINUX_AT_FLAGS, 0,
		LINUX_AT_ENTRY, bias + im->eh.e_entry,
		LINUX_AT_UID, from_kuid_munged(t->user_ns, t->cred.uid),
		LINUX_AT_EUID, from_kuid_munged(t->user_ns, t->cred.euid),
		LINUX_AT_GID, from_kgid_munged(t->user_ns, t->cred.gid),
		LINUX_AT_EGID, from_kgid_munged(t->user_ns, t->cred.egid),
		LINUX_AT_SECURE, 0,
		LINUX_AT_RANDOM, random_addr,
		LINUX_AT_HWCAP2, 2,
		LINUX_AT_EXECFN, execfn_addr,
		LINUX_AT_PLATFORM, platform_addr,
		LINUX_AT_NULL, 0,
	};
	(void)entry;
	/* no AT_SYSINFO_EHDR pair when the vDSO is gone (a guest unmapped it) */
	uint64_t *aux = auxv[1] ? auxv : auxv + 2;
	size_t auxn = auxv[1] ? ARRAY_SIZE(auxv) : ARRAY_SIZE(auxv) - 2;
	_Static_assert(ARRAY_SIZE(auxv) <= ARRAY_SIZE(mm->saved_auxv), "saved_auxv too small");
	memcpy(mm->saved_auxv, aux, auxn * 8);
	mm->saved_auxv_len = (int)auxn;

	size_t words = 1 + argc + 1 + envc + 1 + auxn;
	uint64_t sp = (str_base - words * 8) & ~15UL;
	uint64_t *tbl = calloc(words, 8);
	size_t w = 0;
	tbl[w++] = argc;
	for (size_t i = 0; i < argc; i++)
		tbl[w++] = argp[i];
	tbl[w++] = 0;
	for (size_t i = 0; i < envc; i++)
		tbl[w++] = envpp[i];
	tbl[w++] = 0;
	memcpy(tbl + w, aux, auxn * 8);
	int err = copy_to_user(t, str_base, area, off);
	if (!err)
		err = copy_to_user(t, sp, tbl, words * 8);
	free(area);
	free(argp);
	free(envpp);
	free(tbl);
	mm->start_stack = sp;
	return err ? err : (long)sp;
}

/* Parses "#!interp [arg]" in buf (first bytes of the file). */
static int parse_shebang(const char *buf, size_t n, char *interp, size_t isz, char *arg, size_t asz)
{
	char line[256];
	size_t l = n < sizeof line - 1 ? n : sizeof line - 1;
	memcpy(line, buf, l);
	line[l] = 0;
	char *nl = strchr(line, '\n');
	if (nl)
		*nl = 0;
	char *p = line + 2;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return -ENOEXEC;
	char *e = p;
	while (*e && *e != ' ' && *e != '\t')
		e++;
	snprintf(interp, isz, "%.*s", (int)(e - p), p);
	while (*e == ' ' || *e == '\t')
		e++;
	char *end = e + strlen(e);
	while (end > e && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = 0;
	snprintf(arg, asz, "%s", e);
	return 0;
}

static int open_exec(struct task *t, const char *path, struct file **out)
{
	struct nameidata nd;
	int err = vfs_walk(t, AT_FDCWD, path, WALK_FOLLOW, &nd);
	if (err)
		return err;
	if (!nd.exists) {
		nd_release(&nd);
		return -ENOENT;
	}
	uint32_t mode = nd.st.mode;
	bool no_mount = nd.magic && !nd.magic->mnt;   /* a memfd's /proc/PID/fd link */
	nd_release(&nd);
	if (!S_ISREG(mode))
		return -EACCES;
	if (!(mode & 0111))
		return -EACCES;
	if (t->cred.euid != 0) {
		bool ok = nd.st.uid == t->cred.euid ? (mode & 0100) :
			  nd.st.gid == t->cred.egid ? (mode & 0010) : (mode & 0001);
		if (!ok)
			return -EACCES;
	}
	/* Landlock: EXECUTE (and READ_FILE) on the file, as Linux's FMODE_EXEC open */
	int llerr = landlock_path_open(t, nd.ns, no_mount ? NULL : nd.abs, mode, O_RDONLY, true,
				       NULL);
	if (llerr)
		return llerr;
	return vfs_open(t, AT_FDCWD, path, O_RDONLY | FMODE_EXEC_, 0, out);
}

/* An open file to run (fexecve: execveat of an fd with AT_EMPTY_PATH):
 * a regular file with an execute bit, as open_exec wants of a path. */
static int open_exec_file(struct task *t, struct file *f, struct file **out)
{
	struct kstat st;
	if (!f->ops->fstat || f->ops->fstat(f, &st))
		return -EACCES;
	if (!S_ISREG(st.mode) || !(st.mode & 0111) || (f->flags & O_ACCMODE) == O_WRONLY)
		return -EACCES;
	if (t->cred.euid != 0) {
		bool ok = st.uid == t->cred.euid ? (st.mode & 0100) :
			  st.gid == t->cred.egid ? (st.mode & 0010) : (st.mode & 0001);
		if (!ok)
			return -EACCES;
	}
	/* an O_PATH fd cannot be read: the file is opened afresh from
	 * where it is, as Linux's do_open_execat opens the fd's dentry */
	if ((f->flags & O_PATH) && opath_pinned(f))
		f = opath_pinned(f);   /* the inode it was opened on, even unlinked */
	else if ((f->flags & O_PATH) || !f->ops->read)
		return f->path && f->path[0] == '/' ? open_exec(t, f->path, out) : -EACCES;
	/* (a file of no mount, as a memfd, is on an internal filesystem:
	 * Landlock lets it be) */
	int llerr = landlock_path_open(t, file_mnt_ns(f), f->mnt ? f->path : NULL, st.mode,
				       O_RDONLY, true, NULL);
	if (llerr)
		return llerr;
	*out = file_get(f);
	return 0;
}

/* exec_depth runs this file instead of opening path (do_execve_file). */
static __thread struct file *exec_pre_opened;

static int exec_depth(struct task *t, const char *path, char **argv, char **envp, int depth)
{
	if (depth > 4)
		return -ELOOP;
	struct file *f;
	int err = depth == 0 && exec_pre_opened ? open_exec_file(t, exec_pre_opened, &f)
						 : open_exec(t, path, &f);
	if (err)
		return err;
	/* a file on a noexec mount is not run (do_open_execat's path_noexec),
	 * before the check of its writers */
	if (f->mnt && (f->mnt->mflags & MS_NOEXEC)) {
		file_put(f);
		return -EACCES;
	}
	/* a file open for writing is not run (do_open_execat's deny_write_access) */
	if ((err = file_deny_write(f, true))) {
		file_put(f);
		return err;
	}
	file_allow_write(f);
	char buf[256];
	int64_t pos = 0;
	ssize_t n = f->ops->read ? f->ops->read(t, f, buf, sizeof buf, &pos) : -EACCES;
	if (n < 0) {
		file_put(f);
		return (int)n;
	}
	if (n >= 2 && buf[0] == '#' && buf[1] == '!') {
		file_put(f);
		char interp[256], arg[256];
		err = parse_shebang(buf, n, interp, sizeof interp, arg, sizeof arg);
		if (err)
			return err;
		size_t argc = 0;
		while (argv[argc])
			argc++;
		char **nargv = calloc(argc + 4, sizeof *nargv);
		size_t k = 0;
		nargv[k++] = interp;
		if (*arg)
			nargv[k++] = arg;
		nargv[k++] = (char *)path;
		for (size_t i = 1; i < argc; i++)
			nargv[k++] = argv[i];
		nargv[k] = NULL;
		err = exec_depth(t, interp, nargv, envp, depth + 1);
		free(nargv);
		return err;
	}
	struct elf_image im = { 0 }, interp = { 0 };
	if (n < 4 || memcmp(buf, ELFMAG, SELFMAG)) {
		file_put(f);
		return -ENOEXEC;
	}
	err = image_load(&im, f);
	if (err) {
		image_free(&im);
		return err;
	}
	if (im.has_interp) {
		struct file *fi;
		err = open_exec(t, im.interp, &fi);
		if (err == -EACCES && !landlock_exec_path(t, im.interp))
			err = vfs_open(t, AT_FDCWD, im.interp, O_RDONLY, 0, &fi);
		if (!err)
			err = image_load(&interp, fi);
		if (err) {
			image_free(&im);
			image_free(&interp);
			return err == -ENOEXEC ? -ELIBBAD : err;
		}
	}

	err = de_thread(t);
	if (err) {
		image_free(&im);
		image_free(&interp);
		return err;
	}
	/* An address space shared with another process (a vfork or CLONE_VM
	 * child) stays with it: the new program gets a copy of it (the
	 * stub forked, as fork(2) would have) that it then empties. */
	struct host_thread *old_host = NULL;
	if (t->mm->refs > 1) {
		struct host_thread *nh;
		long token = platform->fork(t->host, t->cpu);
		err = token < 0 ? (int)token : platform->adopt(token, &nh, t->cpu);
		if (err) {
			image_free(&im);
			image_free(&interp);
			return err;
		}
		old_host = t->host;
		t->host = nh;
		struct mm *copy = mm_fork(t->mm);
		mm_put(t->mm);
		t->mm = copy;
	}

	/* a new mm: the process enters its time namespace for children
	 * (Linux's exec_task_namespaces; nsproxy.c) */
	err = exec_task_namespaces(t);
	if (err) {
		image_free(&im);
		image_free(&interp);
		return err;
	}

	/* ---- point of no return ---- */
	t->did_exec = true;
	t->syscall_work &= ~SW_SUD;   /* begin_new_exec: no syscall user dispatch */
	struct mm *mm = t->mm;
	/* the edits below are one stub round trip where the platform
	 * batches them (each copy_to_user sends what is queued first) */
	if (platform->batch_begin)
		platform->batch_begin(t->host);
	mm_reset(mm);
	uint64_t end = 0, iend = 0;
	long bias = map_image(mm, &im, false, &end);
	long ibias = 0;
	if (bias >= 0 && im.has_interp)
		ibias = map_image(mm, &interp, true, &iend);
	long sp = bias < 0 ? bias : ibias < 0 ? ibias : 0;
	if (!sp) {
		mm->start_brk = mm->brk = PAGE_ALIGN(end);
		sp = build_stack(t, argv, envp, path, &im, bias,
				 im.has_interp ? (uint64_t)ibias : 0, 0);
	}
	if (platform->batch_end) {
		int berr = platform->batch_end(t->host);
		if (berr && sp >= 0)
			sp = berr;
	}
	if (sp < 0) {
		/* ENOMEM is the guest's RLIMIT_AS or RLIMIT_DATA, which Linux
		 * enforces here with no word either */
		if (sp != -ENOMEM)
			umk_log("pid %d: execve %s failed after the point of no return: %s", t->tid,
				path, strerror((int)-sp));
		image_free(&im);
		image_free(&interp);
		do_group_exit(t, SIGSEGV);
	}
	mm->exe = file_get(im.file);
	file_deny_write(mm->exe, false);   /* writable opens of it: ETXTBSY while it runs */
	uint64_t entry = im.has_interp ? ibias + interp.eh.e_entry : bias + im.eh.e_entry;
	image_free(&im);
	image_free(&interp);

	uint64_t nr = t->regs.orig_rax;
	memset(&t->regs, 0, sizeof t->regs);
	t->regs.orig_rax = nr;   /* as Linux's start_thread leaves it: a tracer's exit stop sees execve */
	t->regs.rip = entry;
	t->regs.rsp = (uint64_t)sp;
	t->regs.cs = 0x33;
	t->regs.ss = 0x2b;
	t->regs.eflags = 0x202;
	struct linux_fpregs fp = { .cwd = 0x37f, .mxcsr = 0x1f80, .mxcsr_mask = 0xffff };
	platform->set_fpregs(t->host, &fp);

	fd_close_on_exec(t->files);
	posix_timers_exit(t->tg);
	flush_signal_handlers(t);
	cred_exec(t);
	keys_exec(t);   /* no thread or process keyring after execve */
	t->clear_child_tid = 0;
	t->robust_list = 0;
	const char *base = strrchr(path, '/');
	snprintf(t->comm, sizeof t->comm, "%s", base ? base + 1 : path);
	vfork_release(t);
	if (old_host) {
		/* the host thread it ran on in the shared stub ends */
		pthread_mutex_unlock(&klock);
		platform->thread_exit(old_host);
		pthread_mutex_lock(&klock);
	}
	return 0;
}

/*
 * do_execve - replaces t's program.  path: guest path; argv/envp:
 * NULL-terminated kernel vectors.  Returns 0 (regs set to the new entry)
 * or -ENOENT, -EACCES, -ENOEXEC, -ELOOP, -E2BIG, -ELIBBAD... with the old
 * program intact.  After the point of no return a failure kills t with
 * SIGSEGV, as Linux does.
 */
int do_execve(struct task *t, const char *path, char **argv, char **envp)
{
	static bool elf_ready;
	if (!elf_ready) {
		elf_version(EV_CURRENT);
		elf_ready = true;
	}
	int old_tid = t->tid;
	int err = exec_depth(t, path, argv, envp, 0);
	if (!err)
		ptrace_exec(t, old_tid);
	return err;
}

/* do_execve of the open file f (fexecve), named path (/dev/fd/N). */
static int do_execve_file(struct task *t, struct file *f, const char *path, char **argv,
			  char **envp)
{
	exec_pre_opened = f;
	int err = do_execve(t, path, argv, envp);
	exec_pre_opened = NULL;
	return err;
}

long sys_execve(struct task *t, struct sysargs *a)
{
	char *path = malloc(4096);
	long err = strncpy_from_user(t, path, a->a[0], 4096);
	if (err < 0) {
		free(path);
		return err;
	}
	if (!*path) {
		free(path);
		return -ENOENT;
	}
	char **argv = NULL, **envp = NULL;
	size_t total = 0;
	err = copy_strings_from_user(t, a->a[1], &argv, &total);
	if (!err)
		err = copy_strings_from_user(t, a->a[2], &envp, &total);
	if (!err) {
		if (!argv[0]) {
			/* Linux passes "" as argv[0] when argv is empty */
			free(argv);
			argv = calloc(2, sizeof *argv);
			argv[0] = strdup("");
		}
		err = do_execve(t, path, argv, envp);
	}
	free_strings(argv);
	free_strings(envp);
	free(path);
	return err ? err : RET_NORESULT;
}

/*
 * execveat(2): execve of path relative to dirfd, or with AT_EMPTY_PATH
 * and an empty path, of the open file dirfd itself (fexecve).  The file
 * is named by its guest path for the exec (a deleted or anonymous file
 * cannot be run: -ENOENT).  AT_SYMLINK_NOFOLLOW on a symlink: -ELOOP.
 */
long sys_execveat(struct task *t, struct sysargs *a)
{
	int dirfd = arg_int(a, 0), flags = arg_int(a, 4);
	if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	char *path = malloc(4096);
	long err = strncpy_from_user(t, path, a->a[1], 4096);
	if (err < 0)
		goto out;
	char *full = NULL;
	struct file *self = NULL;   /* AT_EMPTY_PATH: the open file itself */
	if (!*path || path[0] != '/') {
		if (!*path && !(flags & AT_EMPTY_PATH)) {
			err = -ENOENT;
			goto out;
		}
		if (!*path) {
			self = fd_get(t, dirfd);
			if (!self) {
				err = -EBADF;
				goto out;
			}
			/* named as Linux names it (bprm->filename) */
			if (asprintf(&full, "/dev/fd/%d", dirfd) < 0) {
				file_put(self);
				err = -ENOMEM;
				goto out;
			}
		} else if (dirfd != AT_FDCWD) {
			struct file *f = fd_get(t, dirfd);
			if (!f) {
				err = -EBADF;
				goto out;
			}
			if (!f->path || f->path[0] != '/') {
				file_put(f);
				err = -ENOENT;
				goto out;
			}
			if (asprintf(&full, "%s%s%s", f->path, *path ? "/" : "", path) < 0)
				full = NULL;
			file_put(f);
			if (!full) {
				err = -ENOMEM;
				goto out;
			}
		}
	}
	if ((flags & AT_SYMLINK_NOFOLLOW) && !self) {
		struct nameidata nd;
		err = vfs_walk(t, AT_FDCWD, full ? full : path, 0, &nd);
		if (!err) {
			bool link = nd.exists && S_ISLNK(nd.st.mode);
			nd_release(&nd);
			if (link) {
				err = -ELOOP;
				free(full);
				goto out;
			}
		}
	}
	char **argv = NULL, **envp = NULL;
	size_t total = 0;
	err = copy_strings_from_user(t, a->a[2], &argv, &total);
	if (!err)
		err = copy_strings_from_user(t, a->a[3], &envp, &total);
	if (!err) {
		if (!argv[0]) {
			free(argv);
			argv = calloc(2, sizeof *argv);
			argv[0] = strdup("");
		}
		err = self ? do_execve_file(t, self, full, argv, envp)
			   : do_execve(t, full ? full : path, argv, envp);
	}
	if (self)
		file_put(self);
	free_strings(argv);
	free_strings(envp);
	free(full);
	if (!err)
		err = RET_NORESULT;
out:
	free(path);
	return err;
}
