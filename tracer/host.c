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
#include <stdlib.h>
#include <unistd.h>
#include "host.h"

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
