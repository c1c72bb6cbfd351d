/*
 * sysctl.c - the tunables of /proc/sys that umk keeps (Linux's
 * kernel/sysctl.c): their values, ranges, and the parsing Linux's
 * proc_dointvec_minmax and proc_doulongvec_minmax do.  fs/procfs.c shows
 * them; the kernel reads them where they matter (fork at threads-max,
 * RLIMIT_NOFILE at nr_open, unshare at max_user_namespaces, pid numbers
 * at pid_max...).  Values are guest-wide except where Linux keeps them
 * per namespace (hostname and domainname: the UTS namespace; pid_max and
 * ns_last_pid: the pid namespace), which procfs handles itself.
 *
 * Lock: klock, held by every reader and writer.
 */
#include "../kernel.h"
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

long sysctl_threads_max = -1;   /* -1: umk's own task cap (kernel/process.c) */
long sysctl_overcommit_memory = 0;
long sysctl_overcommit_ratio = 50;
long sysctl_max_map_count = 65530;
long sysctl_swappiness = 60;
long sysctl_nr_open = 1048576;
long sysctl_file_max = LONG_MAX;
long sysctl_somaxconn = 4096;
long sysctl_yama_ptrace_scope = 1;
long sysctl_overflowuid = 65534;
long sysctl_overflowgid = 65534;
long sysctl_max_user_namespaces = 63000;
long sysctl_max_ns = 63000;   /* max_{pid,uts,ipc,mnt,net,cgroup}_namespaces */
long sysctl_core_uses_pid = 0;
long sysctl_perf_event_paranoid = 2;

/*
 * sysctl_parse_long - Linux's proc_dointvec_minmax for one value: optional
 * blanks, an optional sign, decimal digits, then only blanks or a
 * newline.  -EINVAL for anything else or a value outside [min, max].
 */
int sysctl_parse_long(const char *buf, size_t n, long min, long max, long *out)
{
	char tmp[32];
	if (n >= sizeof tmp)
		return -EINVAL;
	memcpy(tmp, buf, n);
	tmp[n] = 0;
	char *p = tmp, *end;
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (!*p)
		return -EINVAL;
	errno = 0;
	long v = strtol(p, &end, 10);
	if (end == p || errno)
		return -EINVAL;
	while (*end == ' ' || *end == '\t' || *end == '\n')
		end++;
	if (*end)
		return -EINVAL;
	if (v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/*
 * sysctl_parse_vec - up to max whitespace-separated integers of buf[0..n)
 * as proc_dointvec/proc_doulongvec read them (kernel/sysctl.c
 * __do_proc_dointvec): magnitudes in v[], signs in neg[], how many in
 * *got (what follows the max-th is ignored, as Linux does).  0, or
 * -EINVAL for no number or anything but digits, a sign and blanks.
 */
int sysctl_parse_vec(const char *buf, size_t n, int max, uint64_t *v, bool *neg, int *got)
{
	char tmp[256], *p, *end;

	if (n >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, buf, n);
	tmp[n] = 0;
	p = tmp;
	*got = 0;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		if (*got == max)
			break;          /* Linux ignores what follows the table */
		neg[*got] = *p == '-';
		if (*p == '-' || *p == '+')
			p++;
		if (*p < '0' || *p > '9')
			return -EINVAL;
		errno = 0;
		v[*got] = strtoull(p, &end, 10);
		if (errno)
			return -EINVAL;
		if (*end && *end != ' ' && *end != '\t' && *end != '\n')
			return -EINVAL;
		(*got)++;
		p = end;
	}
	return *got ? 0 : -EINVAL;
}

/*
 * sysctl_parse_intvec - as sysctl_parse_vec, into ints: a value outside
 * int's range is -EINVAL (proc_dointvec).  out[] keeps what it held past
 * *got, so a short write changes only the leading entries.
 */
int sysctl_parse_intvec(const char *buf, size_t n, int max, int *out, int *got)
{
	uint64_t v[8];
	bool neg[8];
	int err;

	if (max > 8)
		return -EINVAL;
	err = sysctl_parse_vec(buf, n, max, v, neg, got);
	if (err)
		return err;
	for (int i = 0; i < *got; i++)
		if (v[i] > (uint64_t)INT32_MAX + (neg[i] ? 1 : 0))
			return -EINVAL;
	for (int i = 0; i < *got; i++)
		out[i] = neg[i] ? (int)-(int64_t)v[i] : (int)v[i];
	return 0;
}

/*
 * sysctl_table_read/write - a file of tbl (n entries; name relative to
 * /proc/sys, e.g. "fs/inotify/max_user_watches") read as "VALUE\n" into a
 * malloc'd *text, or written with sysctl_parse_long's rules and [0,
 * INT_MAX] as proc_dointvec_minmax gives these limits.  -ENOENT for a
 * name not in tbl, -EINVAL, -ENOMEM.
 */
void sysctl_table_host_init(const struct sysctl_long *tbl, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char path[128];
		FILE *f;
		long v;

		*tbl[i].val = tbl[i].def;
		snprintf(path, sizeof path, "/proc/sys/%s", tbl[i].name);
		if (!(f = fopen(path, "re")))
			continue;
		if (fscanf(f, "%ld", &v) == 1 && v >= 0)
			*tbl[i].val = v;
		fclose(f);
	}
}

int sysctl_table_read(const struct sysctl_long *tbl, size_t n, const char *name, char **text)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(name, tbl[i].name))
			return asprintf(text, "%ld\n", *tbl[i].val) < 0 ? -ENOMEM : 0;
	return -ENOENT;
}

int sysctl_table_write(const struct sysctl_long *tbl, size_t n, const char *name, const char *buf,
		       size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(name, tbl[i].name))
			return sysctl_parse_long(buf, len, 0, INT_MAX, tbl[i].val);
	return -ENOENT;
}
