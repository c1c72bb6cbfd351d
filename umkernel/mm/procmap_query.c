/*
 * procmap_query.c - the PROCMAP_QUERY ioctl of /proc/PID/maps (Linux's
 * fs/proc/task_mmu.c, 6.11): one VMA by address, without parsing text.
 *
 * In a nutshell: struct procmap_query names an address and what the
 * VMA must be (readable, writable, executable, shared, file-backed);
 * the VMA covering the address, or with COVERING_OR_NEXT_VMA the first
 * from there on that qualifies, comes back with its range, flags, page
 * size, file offset, device and inode, and on request its name (what
 * maps shows: the file's path, "[heap]", "[stack]"...) and the ELF
 * build ID of the file mapped (its NT_GNU_BUILD_ID note, read from the
 * file's start as Linux's build_id_parse).  The range and the fields
 * agree with /proc/PID/maps (mm_print_maps), the stub's region aside.
 *
 * Lock: klock, held by the caller.
 */
#include "mm.h"
#include "../kernel/task.h"
#include "../fs/fs.h"

#include <elf.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define Q_READABLE   0x01
#define Q_WRITABLE   0x02
#define Q_EXECUTABLE 0x04
#define Q_SHARED     0x08
#define Q_COVERING_OR_NEXT_VMA 0x10
#define Q_FILE_BACKED_VMA      0x20
#define Q_VALID (Q_READABLE | Q_WRITABLE | Q_EXECUTABLE | Q_SHARED | Q_COVERING_OR_NEXT_VMA | \
		 Q_FILE_BACKED_VMA)
#define BUILD_ID_SIZE_MAX 20

struct procmap_query {
	uint64_t size, query_flags, query_addr;
	uint64_t vma_start, vma_end, vma_flags, vma_page_size, vma_offset, inode;
	uint32_t dev_major, dev_minor;
	uint32_t vma_name_size, build_id_size;
	uint64_t vma_name_addr, build_id_addr;
};

static uint64_t vma_qflags(const struct vma *v)
{
	uint64_t f = 0;
	if (v->prot & PROT_READ) f |= Q_READABLE;
	if (v->prot & PROT_WRITE) f |= Q_WRITABLE;
	if (v->prot & PROT_EXEC) f |= Q_EXECUTABLE;
	if ((v->flags & MAP_TYPE) == MAP_SHARED) f |= Q_SHARED;
	return f;
}

/* Shared anonymous memory is a shmem file of Linux's (maps agrees). */
static bool vma_file_backed(const struct vma *v)
{
	return v->file || v->shm_id;
}

/* query_matching_vma: the VMA at addr (or the next, with
 * COVERING_OR_NEXT_VMA) that has every property asked; NULL: -ENOENT. */
static struct vma *match(struct mm *mm, uint64_t addr, uint64_t fl)
{
	uint64_t want = fl & (Q_READABLE | Q_WRITABLE | Q_EXECUTABLE | Q_SHARED);
	for_each_vma(mm, v) {
		if (v->end <= addr)
			continue;
		if (v->start > addr && !(fl & Q_COVERING_OR_NEXT_VMA))
			return NULL;
		if ((fl & Q_FILE_BACKED_VMA) && !vma_file_backed(v))
			goto next;
		if ((vma_qflags(v) & want) != want)
			goto next;
		return v;
next:
		if (!(fl & Q_COVERING_OR_NEXT_VMA))
			return NULL;
	}
	return NULL;
}

/* The NT_GNU_BUILD_ID of the ELF file behind host fd hfd: its length
 * (up to 20 bytes in id), or -1 if it has none. */
static int elf_build_id(int hfd, unsigned char *id)
{
	Elf64_Ehdr eh;
	if (pread(hfd, &eh, sizeof eh, 0) != (ssize_t)sizeof eh || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > 256)
		return -1;
	for (int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		if (pread(hfd, &ph, sizeof ph, (off_t)(eh.e_phoff + (uint64_t)i * sizeof ph)) != (ssize_t)sizeof ph)
			return -1;
		if (ph.p_type != PT_NOTE || ph.p_filesz > 4096)
			continue;
		unsigned char notes[4096];
		if (pread(hfd, notes, ph.p_filesz, (off_t)ph.p_offset) != (ssize_t)ph.p_filesz)
			return -1;
		for (size_t off = 0; off + sizeof(Elf64_Nhdr) <= ph.p_filesz;) {
			Elf64_Nhdr nh;
			memcpy(&nh, notes + off, sizeof nh);
			size_t name = off + sizeof nh, desc = name + ((nh.n_namesz + 3) & ~3u);
			size_t end = desc + ((nh.n_descsz + 3) & ~3u);
			if (end > ph.p_filesz)
				break;
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    !memcmp(notes + name, "GNU", 4) && nh.n_descsz && nh.n_descsz <= BUILD_ID_SIZE_MAX) {
				memcpy(id, notes + desc, nh.n_descsz);
				return (int)nh.n_descsz;
			}
			off = end;
		}
	}
	return -1;
}

/*
 * procmap_query - the PROCMAP_QUERY ioctl on a maps file of mm, for
 * caller t, with the struct at uarg.  0, or -EFAULT, -E2BIG (a struct
 * past a page, or non-zero bytes past what umk knows), -EINVAL (too
 * small, unknown flags, an address without a size or the reverse),
 * -ENOENT (no VMA qualifies), -ENAMETOOLONG (a name or build ID larger
 * than the buffer given).
 */
long procmap_query(struct task *t, struct mm *mm, uint64_t uarg)
{
	struct procmap_query q;
	uint64_t usize;
	unsigned char bid[BUILD_ID_SIZE_MAX];
	char name[4200];
	size_t name_sz = 0;

	if (copy_from_user(t, &usize, uarg, sizeof usize))
		return -EFAULT;
	if (usize > 4096)
		return -E2BIG;
	if (usize < offsetof(struct procmap_query, query_addr) + 8)
		return -EINVAL;
	memset(&q, 0, sizeof q);
	if (copy_from_user(t, &q, uarg, usize < sizeof q ? usize : sizeof q))
		return -EFAULT;
	for (uint64_t off = sizeof q; off < usize; off++) {
		uint8_t b;
		if (copy_from_user(t, &b, uarg + off, 1))
			return -EFAULT;
		if (b)
			return -E2BIG;
	}
	if (q.query_flags & ~(uint64_t)Q_VALID)
		return -EINVAL;
	if (!!q.vma_name_size != !!q.vma_name_addr || !!q.build_id_size != !!q.build_id_addr)
		return -EINVAL;
	if (!mm)
		return -ESRCH;
	struct vma *v = match(mm, q.query_addr, q.query_flags);
	if (!v)
		return -ENOENT;

	struct kstat st = { 0 };
	if (v->file && v->file->ops && v->file->ops->fstat && v->file->ops->fstat(v->file, &st))
		memset(&st, 0, sizeof st);
	if (!v->file && v->shm_id) {
		st.dev = makedev(0, 1);
		st.ino = v->shm_id;
	}
	q.vma_start = v->start;
	q.vma_end = v->end;
	q.vma_flags = vma_qflags(v);
	q.vma_page_size = 4096;
	q.vma_offset = vma_file_backed(v) ? v->pgoff : 0;
	q.dev_major = major(st.dev);
	q.dev_minor = minor(st.dev);
	q.inode = st.ino;
	if (q.build_id_size) {
		int hfd = v->file && v->file->ops->host_fd ? v->file->ops->host_fd(v->file) : -1;
		int n = hfd >= 0 ? elf_build_id(hfd, bid) : -1;
		if (n < 0)
			q.build_id_size = 0;
		else if (q.build_id_size < (uint32_t)n)
			return -ENAMETOOLONG;
		else
			q.build_id_size = (uint32_t)n;
	}
	if (q.vma_name_size) {
		const char *nm = v->name;
		size_t buf_sz = q.vma_name_size < 4096 ? q.vma_name_size : 4096;
		if (!*nm && v->file && v->file->path)
			nm = v->file->path;
		if (!*nm && !v->file && v->shm_id)
			nm = "/dev/zero (deleted)";
		if (*nm) {
			snprintf(name, sizeof name, "%s", nm);
			name_sz = strlen(name) + 1;
			if (name_sz > buf_sz)
				return -ENAMETOOLONG;
		}
		q.vma_name_size = (uint32_t)name_sz;
	}
	if (q.vma_name_size && copy_to_user(t, q.vma_name_addr, name, q.vma_name_size))
		return -EFAULT;
	if (q.build_id_size && copy_to_user(t, q.build_id_addr, bid, q.build_id_size))
		return -EFAULT;
	return copy_to_user(t, uarg, &q, usize < sizeof q ? usize : sizeof q) ? -EFAULT : 0;
}
