/*
 * host.c - host-side helpers both platforms share (see host.h).  No state.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <elf.h>
#include "host.h"

uint64_t umk_stub_start = STUB_DEFAULT_START;

/* Calls fn for each line of /proc/self/maps (start, end, name); false if
 * it cannot be read. */
static bool self_maps(void (*fn)(uint64_t a, uint64_t b, const char *name, void *arg), void *arg)
{
	if (!host_proc_is_ours())
		return false;
	FILE *f = fopen("/proc/self/maps", "re");
	if (!f)
		return false;
	char line[512];
	while (fgets(line, sizeof line, f)) {
		unsigned long a, b;
		char name[256] = "";
		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %255s", &a, &b, name) >= 2)
			fn(a, b, name, arg);
	}
	fclose(f);
	return true;
}

static void lowest_umk_stub(uint64_t a, uint64_t b, const char *name, void *arg)
{
	(void)b;
	uint64_t *low = arg;
	if (!strcmp(name, "[umk-stub]") && (!*low || a < *low))
		*low = a;
}

struct range_q { uint64_t start, end; bool hit; bool stub_only; uint64_t low; };

/* Does a mapping meet [start, end)?  low: the lowest start of those that do. */
static void range_hit(uint64_t a, uint64_t b, const char *name, void *arg)
{
	struct range_q *q = arg;
	if (q->stub_only && strcmp(name, "[umk-stub]"))
		return;
	if (a < q->end && b > q->start) {
		if (!q->hit || a < q->low)
			q->low = a;
		q->hit = true;
	}
}

bool host_nested(void)
{
	struct range_q q = { 0, ~0ULL, false, true, 0 };
	self_maps(range_hit, &q);
	return q.hit;
}

int host_stub_choose(const char *want)
{
	uint64_t base = STUB_DEFAULT_START;
	struct range_q q = { 0, 0, false, true, 0 };
	if (want && *want) {
		char *e;
		base = strtoull(want, &e, 0);
		if (*e)
			return -EINVAL;
	} else {
		uint64_t low = 0;
		self_maps(lowest_umk_stub, &low);
		if (low) {
			/* 10 MiB below the outer umk's region (under the
			 * guest stack it gives every process, 8 MiB), and
			 * clear of anything mapped here (a stub process is laid
			 * out as this one is): else below what is in the way */
			uint64_t size = (STUB_SIZE + 0x1fffff) & ~0x1fffffULL;
			base = (low & ~0x1fffffULL) - 0xa00000 - size;
			for (;;) {
				q = (struct range_q){ base, base + STUB_SIZE, false, false, 0 };
				self_maps(range_hit, &q);
				if (!q.hit || base < (1ULL << 32) + size)
					break;
				base = ((q.low & ~0x1fffffULL) - size) & ~0x1fffffULL;
			}
		}
	}
	q = (struct range_q){ base, base + STUB_SIZE, false, true, 0 };
	self_maps(range_hit, &q);
	if ((base & 0x1fffff) || base < (1ULL << 32) || base + STUB_SIZE > GUEST_TASK_SIZE || q.hit)
		return -EINVAL;
	umk_stub_start = base;
	return 0;
}

int platform_stub_place(const char *want)
{
	return host_stub_choose(want);
}

extern const char stub_blob_start[], stub_blob_end[];

void *host_stub_image(size_t *len)
{
	size_t n = stub_blob_end - stub_blob_start;
	char *img = malloc(n);
	if (!img)
		return NULL;
	memcpy(img, stub_blob_start, n);
	uint64_t delta = umk_stub_start - STUB_DEFAULT_START;
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	if (n < sizeof *eh || eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > n) {
		free(img);
		return NULL;
	}
	eh->e_entry += delta;
	Elf64_Phdr *ph = (Elf64_Phdr *)(img + eh->e_phoff);
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD) {
			ph[i].p_vaddr += delta;
			ph[i].p_paddr += delta;
		}
	*len = n;
	return img;
}

bool host_proc_is_ours(void)
{
	static int ours = -1;
	if (ours < 0) {
		char buf[32];
		ssize_t n = readlink("/proc/self", buf, sizeof buf - 1);
		if (n > 0)
			buf[n] = 0;
		ours = n > 0 && strtol(buf, NULL, 10) == getpid();
	}
	return ours;
}

int host_layout_read(pid_t pid, struct platform_vdso *v, uint64_t unmap[][2])
{
	char path[64], line[512];
	int n = 0;
	memset(v, 0, sizeof *v);
	if (!host_proc_is_ours())
		return 0; /* /proc/PID would be another process's: keep all, no vDSO */
	snprintf(path, sizeof path, "/proc/%d/maps", pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof line, f) && n < HOST_LAYOUT_MAX) {
		unsigned long a, b;
		char perms[8], name[64] = "";
		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %63s", &a, &b, perms, name) < 3)
			continue;
		if (a >= STUB_START && b <= STUB_END && strcmp(name, "[stack]"))
			continue;   /* the stub itself */
		if (!strcmp(name, "[umk-stub]"))
			continue;   /* the stub of the umk that runs this one */
		if (a >= GUEST_TASK_SIZE)
			continue;   /* vsyscall page: not unmappable, trapped by the filter */
		if (b <= GUEST_MIN_ADDR)
			continue;   /* the stub's own (seccomp: low syscall trampolines) */
		if ((!strcmp(name, "[vdso]") || !strncmp(name, "[vvar", 5)) && v->n < 4) {
			v->map[v->n].start = a;
			v->map[v->n].end = b;
			v->map[v->n].prot = (perms[0] == 'r' ? PROT_READ : 0) |
					    (perms[2] == 'x' ? PROT_EXEC : 0);
			snprintf(v->map[v->n].name, sizeof v->map[v->n].name, "%s", name);
			if (!strcmp(name, "[vdso]"))
				v->base = a;
			v->n++;
			continue;
		}
		unmap[n][0] = a;
		unmap[n][1] = b;
		n++;
	}
	fclose(f);
	return n;
}

long host_read_mem(pid_t pid, void *dst, uint64_t src, size_t len)
{
	if (len == 0)
		return 0;
	if (src >= STUB_START || src + len > STUB_START || src + len < src)
		return -EFAULT;
	struct iovec l = { dst, len }, r = { (void *)src, len };
	ssize_t n = process_vm_readv(pid, &l, 1, &r, 1, 0);
	return n <= 0 ? -EFAULT : n;
}

long host_access_mem_force(pid_t pid, uint64_t addr, void *buf, size_t len, bool write)
{
	if (len == 0)
		return 0;
	if (addr >= STUB_START || addr + len > STUB_START || addr + len < addr)
		return -EFAULT;
	if (!host_proc_is_ours())
		return -EIO;
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/mem", pid);
	int fd = open(path, (write ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (fd < 0)
		return -EIO;
	ssize_t n = write ? pwrite(fd, buf, len, (off_t)addr) : pread(fd, buf, len, (off_t)addr);
	close(fd);
	return n <= 0 ? -EIO : n;
}

long host_write_mem(pid_t pid, uint64_t dst, const void *src, size_t len)
{
	if (len == 0)
		return 0;
	if (dst >= STUB_START || dst + len > STUB_START || dst + len < dst)
		return -EFAULT;
	struct iovec l = { (void *)src, len }, r = { (void *)dst, len };
	ssize_t n = process_vm_writev(pid, &l, 1, &r, 1, 0);
	return n <= 0 ? -EFAULT : n;
}

pid_t host_child_wait(pid_t pid, bool nohang, bool *exited, int *code)
{
	int st = 0;
	pid_t r;

	while ((r = waitpid(pid, &st, nohang ? WNOHANG : 0)) < 0 && errno == EINTR)
		;
	if (r < 0)
		return -errno;
	if (r > 0) {
		*exited = WIFEXITED(st);
		*code = WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st);
	}
	return r;
}
