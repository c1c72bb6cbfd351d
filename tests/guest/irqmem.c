/* /proc/interrupts and /sys/devices/system/memory as lsirq and lsmem read
 * them, compared with a native run by shape: the CPU header, the summary
 * lines' labels with one count per CPU (ERR and MIS: one), and the memory
 * blocks' size, attributes and whether they cover MemTotal. */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void show(const char *path)
{
	char buf[256];
	FILE *f = fopen(path, "r");

	if (!f || !fgets(buf, sizeof buf, f)) {
		printf("%s: unreadable\n", path);
	} else {
		buf[strcspn(buf, "\n")] = 0;
		printf("%s: %s\n", path, buf);
	}
	if (f)
		fclose(f);
}

int main(void)
{
	char line[4096];
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f || !fgets(line, sizeof line, f)) {
		printf("no /proc/interrupts\n");
		return 1;
	}
	printf("header: [%s", line);
	while (fgets(line, sizeof line, f)) {
		char *p = line, *colon = strchr(line, ':');
		while (*p == ' ')
			p++;
		if (!colon || isdigit((unsigned char)*p))
			continue;   /* device lines: the host's hardware */
		int counts = 0;
		for (char *q = colon + 1;;) {
			while (*q == ' ')
				q++;
			if (!isdigit((unsigned char)*q))
				break;
			while (isdigit((unsigned char)*q))
				q++;
			counts++;
		}
		printf("%.*s %s\n", (int)(colon - p), p, counts == ncpu ? "per CPU" : counts == 1 ? "one" : "other");
	}
	fclose(f);

	show("/sys/devices/system/memory/memory0/online");
	show("/sys/devices/system/memory/memory0/state");
	show("/sys/devices/system/memory/memory0/phys_index");
	show("/sys/devices/system/memory/memory0/removable");
	show("/sys/devices/system/memory/memory0/phys_device");
	unsigned long long block = 0, blocks = 0, total = 0;
	f = fopen("/sys/devices/system/memory/block_size_bytes", "r");
	if (f && fscanf(f, "%llx", &block) != 1)
		block = 0;
	if (f)
		fclose(f);
	DIR *d = opendir("/sys/devices/system/memory");
	for (struct dirent *e; d && (e = readdir(d));)
		if (!strncmp(e->d_name, "memory", 6) && isdigit((unsigned char)e->d_name[6]))
			blocks++;
	if (d)
		closedir(d);
	f = fopen("/proc/meminfo", "r");
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "MemTotal: %llu kB", &total) == 1)
			break;
	if (f)
		fclose(f);
	/* the block size is the kernel's choice (128 MiB to 2 GiB on x86) */
	printf("block size a power of two from 128 MiB to 2 GiB: %d\n",
	       block >= (128ULL << 20) && block <= (2ULL << 30) && !(block & (block - 1)));
	printf("blocks cover MemTotal: %d\n", block && blocks * block >= total * 1024);
	return 0;
}
