/*
 * host_layout.c - reads what the host left in a freshly exec'd stub (see
 * host_layout.h).  No state; called once per stub created by exec.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include "host_layout.h"

int host_layout_read(pid_t pid, struct platform_vdso *v, uint64_t unmap[][2])
{
	char path[64], line[512];
	int n = 0;
	memset(v, 0, sizeof *v);
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
