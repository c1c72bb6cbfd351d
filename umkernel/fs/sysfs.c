/*
 * sysfs.c - a minimal sysfs: the few files of /sys that C libraries and
 * tools read: the CPUs (online, possible, present, each one's topology:
 * lscpu, hwloc), one NUMA node holding every CPU (libnuma, numactl), the
 * memory blocks (lsmem) and
 * the device tables (/sys/dev/block and char: lsblk), and the loop
 * block devices (sysfs_block.c), and copies of the host's CPU
 * vulnerability and SMT state and transparent huge page settings.  It
 * is a tmpfs filled at boot with
 * read-only files; nothing in it is live (a node's meminfo holds the
 * figures of boot time) but the block devices' attributes.
 *
 * Lock: called once at boot, before any guest runs.
 */
#include "../kernel.h"
#include "fs.h"
#include "tmpfs.h"
#include "../mm/mm.h"
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <unistd.h>

static int sys_file_mode(struct mount *m, const char *rel, const char *text, uint32_t mode)
{
	struct file *f;
	int err = m->ops->open(m, rel, O_CREAT | O_WRONLY | O_TRUNC, mode, &f);
	if (err)
		return err;
	int64_t pos = 0;
	ssize_t n = f->ops->write(NULL, f, text, strlen(text), &pos);
	file_put(f);
	return n < 0 ? (int)n : 0;
}

/* The start of the host's file path (one read of size - 1 bytes at most),
 * NUL-terminated in text: its length, or -1 if it cannot be read. */
static ssize_t host_text(const char *path, char *text, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	ssize_t r;

	if (fd < 0)
		return -1;
	r = read(fd, text, size - 1);
	close(fd);
	if (r < 0)
		return -1;
	text[r] = 0;
	return r;
}

static int sys_file(struct mount *m, const char *rel, const char *text)
{
	return sys_file_mode(m, rel, text, 0444);
}

/* A CPU mask as Linux's bitmap_print_to_pagebuf prints it for n CPUs:
 * hex, 32-bit groups separated by commas, the first only as wide as its
 * bits.  CPUs lo..hi are set. */
static void cpu_mask(char *buf, size_t size, long n, long lo, long hi)
{
	size_t len = 0;
	long groups = (n + 31) / 32;
	buf[0] = 0;
	for (long g = groups - 1; g >= 0 && len < size; g--) {
		uint32_t w = 0;
		for (long b = 0; b < 32; b++)
			if (g * 32 + b >= lo && g * 32 + b <= hi)
				w |= 1u << b;
		int digits = g == groups - 1 ? (int)(((n - 1) % 32 + 1 + 3) / 4) : 8;
		len += (size_t)snprintf(buf + len, size - len, "%s%0*x", g == groups - 1 ? "" : ",",
					digits, w);
	}
	if (len + 2 <= size)
		strcpy(buf + len, "\n");
}

/* A CPU list ("0", "0-3") of lo..hi. */
static void cpu_list(char *buf, size_t size, long lo, long hi)
{
	snprintf(buf, size, lo == hi ? "%ld\n" : "%ld-%ld\n", lo, hi);
}

/*
 * cpu_topology - devices/system/cpu/cpuC/topology of Linux's
 * drivers/base/topology.c for a machine of n CPUs, each a core of its
 * own in one package and die.  Returns 0 or -errno.
 */
static int cpu_topology(struct mount *m, long c, long n)
{
	char dir[64], name[128], one[160], all[160], onel[32], alll[32], id[24];
	snprintf(dir, sizeof dir, "devices/system/cpu/cpu%ld/topology", c);
	int err = m->ops->mkdir(m, dir, 0755);
	cpu_mask(one, sizeof one, n, c, c);
	cpu_mask(all, sizeof all, n, 0, n - 1);
	cpu_list(onel, sizeof onel, c, c);
	cpu_list(alll, sizeof alll, 0, n - 1);
	snprintf(id, sizeof id, "%ld\n", c);
	const struct { const char *name, *text; } files[] = {
		{ "physical_package_id", "0\n" }, { "die_id", "0\n" }, { "cluster_id", "65535\n" },
		{ "core_id", id },
		{ "thread_siblings", one }, { "thread_siblings_list", onel },
		{ "core_cpus", one }, { "core_cpus_list", onel },
		{ "cluster_cpus", one }, { "cluster_cpus_list", onel },
		{ "core_siblings", all }, { "core_siblings_list", alll },
		{ "die_cpus", all }, { "die_cpus_list", alll },
		{ "package_cpus", all }, { "package_cpus_list", alll },
	};
	for (size_t i = 0; i < ARRAY_SIZE(files) && !err; i++) {
		snprintf(name, sizeof name, "%s/%s", dir, files[i].name);
		err = sys_file(m, name, files[i].text);
	}
	return err;
}

/*
 * cpu_cache - devices/system/cpu/cpuN/cache/indexM/ (drivers/base/
 * cacheinfo.c): the host's own description of the caches the guest runs
 * on, file by file (stress-ng's cache stressors and lscpu size their
 * work by it).  None if the host shows none.  Returns 0 or -errno.
 */
static int cpu_cache(struct mount *m, long c)
{
	static const char *const files[] = {
		"coherency_line_size", "id", "level", "number_of_sets", "physical_line_partition",
		"shared_cpu_list", "shared_cpu_map", "size", "type", "ways_of_associativity",
	};
	char host[160], name[160], text[256];
	int err = 0;

	for (int i = 0; i < 16 && !err; i++) {
		snprintf(host, sizeof host, "/sys/devices/system/cpu/cpu%ld/cache/index%d", c, i);
		if (access(host, R_OK))
			break;
		if (!i) {
			snprintf(name, sizeof name, "devices/system/cpu/cpu%ld/cache", c);
			err = m->ops->mkdir(m, name, 0755);
		}
		snprintf(name, sizeof name, "devices/system/cpu/cpu%ld/cache/index%d", c, i);
		if (!err)
			err = m->ops->mkdir(m, name, 0755);
		for (size_t k = 0; k < ARRAY_SIZE(files) && !err; k++) {
			char path[200];
			snprintf(path, sizeof path, "%s/%s", host, files[k]);
			if (host_text(path, text, sizeof text) <= 0)
				continue;
			snprintf(path, sizeof path, "%s/%s", name, files[k]);
			err = sys_file(m, path, text);
		}
	}
	return err;
}

/*
 * numa_node0 - devices/system/node: node 0 with all n CPUs and the
 * machine's memory, as drivers/base/node.c shows a one-node machine
 * (umk's mempolicy has the one node too).  Returns 0 or -errno.
 */
static int numa_node0(struct mount *m, long n)
{
	char text[512];
	int err = m->ops->mkdir(m, "devices/system/node", 0755);
	if (!err)
		err = m->ops->mkdir(m, "devices/system/node/node0", 0755);
	static const char *const masks[] = { "online", "possible", "has_cpu", "has_memory",
					     "has_normal_memory" };
	for (size_t i = 0; i < ARRAY_SIZE(masks) && !err; i++) {
		char name[64];
		snprintf(name, sizeof name, "devices/system/node/%s", masks[i]);
		err = sys_file(m, name, "0\n");
	}
	if (!err) {
		cpu_list(text, sizeof text, 0, n - 1);
		err = sys_file(m, "devices/system/node/node0/cpulist", text);
	}
	if (!err) {
		cpu_mask(text, sizeof text, n, 0, n - 1);
		err = sys_file(m, "devices/system/node/node0/cpumap", text);
	}
	if (!err)
		err = sys_file(m, "devices/system/node/node0/distance", "10\n");
	if (!err) {
		struct sysinfo si;
		if (sysinfo(&si))
			memset(&si, 0, sizeof si), si.mem_unit = 1;
		unsigned long long unit = si.mem_unit, total = si.totalram * unit >> 10,
				   free = si.freeram * unit >> 10;
		snprintf(text, sizeof text,
			 "Node 0 MemTotal:       %8llu kB\n"
			 "Node 0 MemFree:        %8llu kB\n"
			 "Node 0 MemUsed:        %8llu kB\n",
			 total, free, total - free);
		err = sys_file(m, "devices/system/node/node0/meminfo", text);
	}
	return err;
}

/*
 * memory_blocks - devices/system/memory: the machine's memory as online
 * blocks of 2 GiB from address 0 (memory0, memory1...), each with
 * Linux's attributes (drivers/base/memory.c; lsmem, chmem), as a machine
 * with no memory hotplug shows them; the count rounds the host's RAM up
 * to whole blocks, as node0's meminfo reads it.  2 GiB is the block
 * size x86 Linux takes on large machines (probe_memory_block_size);
 * 128 MiB blocks made /sys ten times the files and doubled umk's
 * start-up.  Returns 0 or -errno.
 */
static int memory_blocks(struct mount *m)
{
	const unsigned long long block = 2ULL << 30;
	struct sysinfo si;
	char name[96], text[32];
	int err = m->ops->mkdir(m, "devices/system/memory", 0755);

	if (sysinfo(&si))
		memset(&si, 0, sizeof si), si.mem_unit = 1;
	unsigned long long total = (unsigned long long)si.totalram * si.mem_unit;
	unsigned long long n = (total + block - 1) / block;
	if (!err)
		err = sys_file(m, "devices/system/memory/block_size_bytes", "80000000\n");
	if (!err)
		err = sys_file_mode(m, "devices/system/memory/auto_online_blocks", "offline\n", 0644);
	for (unsigned long long i = 0; i < n && !err; i++) {
		static const char *const attrs[][2] = {
			{ "online", "1\n" }, { "state", "online\n" }, { "phys_device", "0\n" },
			{ "removable", "1\n" }, { "valid_zones", "Normal\n" },
		};
		snprintf(name, sizeof name, "devices/system/memory/memory%llu", i);
		err = m->ops->mkdir(m, name, 0755);
		for (size_t a = 0; a < ARRAY_SIZE(attrs) && !err; a++) {
			snprintf(name, sizeof name, "devices/system/memory/memory%llu/%s", i, attrs[a][0]);
			err = sys_file_mode(m, name, attrs[a][1],
					    !strcmp(attrs[a][0], "online") || !strcmp(attrs[a][0], "state") ? 0644 : 0444);
		}
		if (!err) {
			snprintf(name, sizeof name, "devices/system/memory/memory%llu/phys_index", i);
			snprintf(text, sizeof text, "%08llx\n", i);
			err = sys_file(m, name, text);
		}
	}
	return err;
}

/*
 * mirror_dir - makes directory rel with a copy of each readable regular
 * file of the host's directory host, as it reads at boot (a file the
 * host fails to read is left out).  Nothing if the host has no such
 * directory: these describe the host's CPU and memory manager, which
 * the guest's code runs on.  Returns 0 or -errno.
 */
static int mirror_dir(struct mount *m, const char *host, const char *rel)
{
	DIR *d = opendir(host);
	struct dirent *de;
	char path[512], name[512], text[4096];
	int err;

	if (!d)
		return 0;
	err = m->ops->mkdir(m, rel, 0755);
	while (!err && (de = readdir(d))) {
		struct stat st;

		snprintf(path, sizeof path, "%s/%s", host, de->d_name);
		if (de->d_name[0] == '.' || stat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		if (host_text(path, text, sizeof text) <= 0)
			continue;
		snprintf(name, sizeof name, "%s/%s", rel, de->d_name);
		err = sys_file_mode(m, name, text, st.st_mode & 0777);   /* the host's mode too */
	}
	closedir(d);
	return err;
}

/* kernel/mm/hugepages/hugepages-2048kB/: the pool's figures (mm/hugetlb.c),
 * rewritten at each change (sysfs_hugetlb_sync); the nodes are held. */
static struct tnode *hp_nodes[HUGETLB_SYSFS_N];

void sysfs_hugetlb_sync(void)
{
	for (int i = 0; i < HUGETLB_SYSFS_N; i++) {
		char text[32];
		int len;

		if (!hp_nodes[i])
			continue;
		len = snprintf(text, sizeof text, "%llu\n", (unsigned long long)hugetlb_sysfs_value(i));
		if (pwrite(hp_nodes[i]->memfd, text, len, 0) == len)
			(void)!ftruncate(hp_nodes[i]->memfd, len);
	}
}

static int hugepages_dir(struct mount *m, struct tnode *root)
{
	char name[128];
	int err = m->ops->mkdir(m, "kernel/mm/hugepages", 0755);

	if (!err)
		err = m->ops->mkdir(m, "kernel/mm/hugepages/hugepages-2048kB", 0755);
	for (int i = 0; i < HUGETLB_SYSFS_N && !err; i++) {
		snprintf(name, sizeof name, "kernel/mm/hugepages/hugepages-2048kB/%s",
			 hugetlb_sysfs_names[i]);
		err = sys_file(m, name, "0\n");
		if (!err && !hp_nodes[i] && !tmpfs_resolve(root, name, &hp_nodes[i]))
			tnode_get(hp_nodes[i]);
	}
	sysfs_hugetlb_sync();
	return err;
}

/*
 * sysfs_mount - mounts the /sys tree at path.  Returns 0 or -errno.
 * Mirrors the files of drivers/base/cpu.c that userland reads:
 * devices/system/cpu/{online,possible,present,kernel_max,cpuN/}, each
 * CPU's topology/ and cache/ and node0 (above), and dev/{block,char}.
 */
int sysfs_mount(const char *path)
{
	void *priv = tmpfs_new(0555);
	int err = vfs_mount(path, sysfs_fs_ops(), priv, "sysfs", "sysfs");
	if (err)
		return err;
	struct mount *m = vfs_find_mount(path, NULL, NULL);
	long n = sysconf(_SC_NPROCESSORS_CONF);
	if (n < 1)
		n = 1;
	char range[32], name[64];
	snprintf(range, sizeof range, n > 1 ? "0-%ld\n" : "0\n", n - 1);
	static const char *const dirs[] = {
		"block", "bus", "class", "dev", "dev/block", "dev/char", "devices", "devices/system",
		"devices/system/cpu",
		"firmware", "fs", "fs/cgroup", "kernel", "kernel/mm", "kernel/security", "module", "power",
	};
	for (size_t i = 0; i < ARRAY_SIZE(dirs) && !err; i++)
		err = m->ops->mkdir(m, dirs[i], 0755);
	for (long c = 0; c < n && !err; c++) {
		char host[96];

		snprintf(name, sizeof name, "devices/system/cpu/cpu%ld", c);
		err = m->ops->mkdir(m, name, 0755);
		/* online only for the CPUs the host can unplug (x86 has none for
		 * cpu0, as Linux's cpu_is_hotpluggable) */
		snprintf(host, sizeof host, "/sys/devices/system/cpu/cpu%ld/online", c);
		if (!err && (c > 0 || !access(host, F_OK))) {
			snprintf(name, sizeof name, "devices/system/cpu/cpu%ld/online", c);
			err = sys_file_mode(m, name, "1\n", 0644);   /* Linux's mode; /sys is read-only */
		}
		if (!err)
			err = cpu_topology(m, c, n);
		if (!err)
			err = cpu_cache(m, c);
	}
	if (!err)
		err = numa_node0(m, n);
	if (!err)
		err = memory_blocks(m);
	if (!err)
		err = sys_file(m, "devices/system/cpu/online", range);
	if (!err)
		err = sys_file(m, "devices/system/cpu/possible", range);
	if (!err)
		err = sys_file(m, "devices/system/cpu/present", range);
	if (!err)
		err = sys_file(m, "devices/system/cpu/kernel_max", "8191\n");
	/* no CPU is offline or isolated from the scheduler */
	if (!err)
		err = sys_file(m, "devices/system/cpu/offline", "\n");
	if (!err)
		err = sys_file(m, "devices/system/cpu/isolated", "\n");
	/* the host's: the guest runs on its CPUs (lscpu prints these), and
	 * its transparent huge pages, which umk's anonymous memory gets as
	 * the host's does (the JVM and Go's runtime read hpage_pmd_size and
	 * enabled) */
	if (!err)
		err = mirror_dir(m, "/sys/devices/system/cpu/vulnerabilities",
				 "devices/system/cpu/vulnerabilities");
	if (!err)
		err = mirror_dir(m, "/sys/devices/system/cpu/smt", "devices/system/cpu/smt");
	if (!err)
		err = mirror_dir(m, "/sys/kernel/mm/transparent_hugepage",
				 "kernel/mm/transparent_hugepage");
	if (!err)
		err = hugepages_dir(m, ((struct tmpfs *)priv)->root);
	if (!err)   /* securityfs's list of the security modules */
		err = sys_file(m, "kernel/security/lsm", lsm_names_text());
	if (!err)
		err = sysfs_block_init(m);   /* sysfs_block.c: /sys/block/loopN... */
	m->mflags |= 1; /* MS_RDONLY: writes give EROFS */
	m->sb->flags |= 1;
	return err;
}
