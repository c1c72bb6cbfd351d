/*
 * acct.c - BSD process accounting: acct(2) and the record each process
 * leaves at exit (Linux's kernel/acct.c with CONFIG_BSD_PROCESS_ACCT_V3).
 *
 * In a nutshell: acct(path) opens path for appending (a regular file,
 * CAP_SYS_PACCT needed) and from then on every process that ends appends
 * one struct acct_v3 (64 bytes: flags, version 3, ids, start time,
 * elapsed, user and system time, average memory, page faults, command
 * name) to it; acct(NULL) stops.  One accounting file for the whole
 * guest (Linux keeps one per pid namespace); no suspension when the disk
 * fills (Linux's 2%/4% thresholds).
 *
 * Lock: klock, held.
 */
#include "../kernel.h"
#include "task.h"
#include "../mm/mm.h"
#include "../fs/fs.h"
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define CAP_SYS_PACCT_ 20
#define ACCT_PATH_MAX  4096

/* include/uapi/linux/acct.h */
struct acct_v3_ {
	char ac_flag;
	char ac_version;
	uint16_t ac_tty;
	uint32_t ac_exitcode, ac_uid, ac_gid, ac_pid, ac_ppid, ac_btime;
	float ac_etime;
	uint16_t ac_utime, ac_stime, ac_mem, ac_io, ac_rw, ac_minflt, ac_majflt, ac_swaps;
	char ac_comm[16];
};
_Static_assert(sizeof(struct acct_v3_) == 64, "struct acct_v3 is 64 bytes");
#define AFORK_ 0x01   /* forked but never exec'd */
#define ACORE_ 0x08   /* dumped core */
#define AXSIG_ 0x10   /* killed by a signal */
#define AHZ_   100

static struct file *acct_file;   /* the accounting file, or NULL: off */

/* Linux's encode_comp_t: 13-bit mantissa, 3-bit base-8 exponent. */
static uint16_t encode_comp_t(uint64_t value)
{
	int exp = 0, rnd = 0;
	while (value > 8191) {
		rnd = value & 4;
		value >>= 3;
		exp++;
	}
	if (rnd && ++value > 8191) {
		value >>= 3;
		exp++;
	}
	if (exp > 7)
		return 0xffff;
	return (uint16_t)((exp << 13) + value);
}

/*
 * acct(path) - sys_acct: CAP_SYS_PACCT (-EPERM) first; NULL turns
 * accounting off; else path is opened O_WRONLY|O_APPEND (the open's
 * errors: ENOENT, ENOTDIR, EISDIR, EACCES, ELOOP, EROFS, ENAMETOOLONG,
 * EFAULT) and must be a regular file (-EACCES).  Replaces the file in use.
 */
long sys_acct(struct task *t, struct sysargs *a)
{
	if (!capable(t, CAP_SYS_PACCT_))
		return -EPERM;
	uint64_t upath = arg_ptr(a, 0);
	if (!upath) {
		if (acct_file)
			file_put(acct_file);
		acct_file = NULL;
		return 0;
	}
	char *path = malloc(ACCT_PATH_MAX);
	if (!path)
		return -ENOMEM;
	long n = strncpy_from_user(t, path, upath, ACCT_PATH_MAX);
	long err = n < 0 ? n : n >= ACCT_PATH_MAX ? -ENAMETOOLONG : n == 0 ? -ENOENT : 0;
	struct file *f = NULL;
	if (!err)
		err = vfs_open(t, AT_FDCWD, path, O_WRONLY | O_APPEND | O_LARGEFILE, 0, &f);
	free(path);
	if (err)
		return err;
	struct kstat st;
	if (!f->ops->fstat || f->ops->fstat(f, &st) || !S_ISREG(st.mode)) {
		file_put(f);
		return -EACCES;
	}
	if (!f->ops->write) {
		file_put(f);
		return -EIO;
	}
	if (acct_file)
		file_put(acct_file);
	acct_file = f;
	return 0;
}

/*
 * acct_process - the exit record of t's process, t being its last thread
 * (Linux's acct_process at a group's death); status is the wait status.
 * Call while t's mm is still held.  Nothing happens with accounting off.
 */
void acct_process(struct task *t, int status)
{
	if (!acct_file || !t->tg)
		return;
	struct thread_group *tg = t->tg;
	struct task *leader = tg->leader;
	struct acct_v3_ ac;
	memset(&ac, 0, sizeof ac);
	memcpy(ac.ac_comm, t->comm, sizeof ac.ac_comm);
	ac.ac_comm[sizeof ac.ac_comm - 1] = 0;
	uint64_t elapsed = now_ns(CLOCK_MONOTONIC) - leader->start_time_ns;
	ac.ac_etime = (float)((double)elapsed / (1000000000.0 / AHZ_));
	ac.ac_btime = (uint32_t)(now_ns(CLOCK_REALTIME) / 1000000000ULL - elapsed / 1000000000ULL);
	int64_t u = 0, s = 0;
	process_cpu_times(tg, &u, &s);
	ac.ac_utime = encode_comp_t((uint64_t)(u > 0 ? u : 0) / (1000000000ULL / AHZ_));
	ac.ac_stime = encode_comp_t((uint64_t)(s > 0 ? s : 0) / (1000000000ULL / AHZ_));
	uint64_t vm = 0;
	if (t->mm)
		for_each_vma(t->mm, v)
			vm += v->end - v->start;
	ac.ac_mem = encode_comp_t(vm / 1024);
	struct host_rusage ru = { 0 };
	task_host_rusage(t, RU_PROCESS, &ru);
	ac.ac_minflt = encode_comp_t((uint64_t)(ru.minflt > 0 ? ru.minflt : 0));
	ac.ac_majflt = encode_comp_t((uint64_t)(ru.majflt > 0 ? ru.majflt : 0));
	ac.ac_version = 3;   /* | ACCT_BYTEORDER: 0 on little-endian */
	if (!t->did_exec && !leader->did_exec)
		ac.ac_flag |= AFORK_;
	if (status & 0x80)
		ac.ac_flag |= ACORE_;
	if (status & 0x7f)
		ac.ac_flag |= AXSIG_;
	ac.ac_exitcode = (uint32_t)status;
	ac.ac_uid = t->cred.uid;
	ac.ac_gid = t->cred.gid;
	ac.ac_pid = (uint32_t)tg->tgid;
	ac.ac_ppid = leader->parent && leader->parent->tg ? (uint32_t)leader->parent->tg->tgid : 0;
	struct kstat st;
	int64_t pos = 0;
	if (acct_file->ops->fstat && !acct_file->ops->fstat(acct_file, &st))
		pos = (int64_t)st.size;
	file_write(t, acct_file, &ac, sizeof ac, &pos);
}
