/*
 * taskstats.c - the TASKSTATS generic netlink family: per-task and
 * per-process accounting records (Linux's kernel/taskstats.c with
 * kernel/tsacct.c and kernel/delayacct.c; Documentation/accounting/
 * taskstats.rst, uapi/linux/taskstats.h).  iotop and getdelays read it.
 *
 * In a nutshell: TASKSTATS_CMD_GET with TASKSTATS_CMD_ATTR_PID (a thread,
 * in the asker's pid namespace) or TASKSTATS_CMD_ATTR_TGID (a process)
 * answers TASKSTATS_CMD_NEW carrying TASKSTATS_TYPE_AGGR_PID/AGGR_TGID,
 * which nests the id and a struct taskstats (this build's
 * TASKSTATS_VERSION).  A thread's record fills what bacct_add_tsk and
 * xacct_add_tsk do: command, ids, nice, policy, elapsed and CPU times,
 * faults and context switches (the host's counts for the stub thread),
 * the I/O counters of /proc/PID/io rounded down to KiB, the peak RSS; a
 * process's record sums elapsed and CPU times and context switches over
 * its threads, as fill_stats_for_tgid.
 *
 * Not done: delay accounting (kernel.task_delayacct is 0: the delay
 * counts and totals stay 0, as there); coremem/virtmem (integrals of
 * memory over CPU time) stay 0, hiwater_vm is the present size; the
 * I/O counters are the process's, for a thread too; the records of
 * exiting tasks (TASKSTATS_CMD_ATTR_REGISTER_CPUMASK) are not sent:
 * registering is -EOPNOTSUPP, so `getdelays -l` fails at once rather
 * than wait for nothing.
 *
 * Locking: klock, held.
 */
#include "../kernel.h"
#include "task.h"
#include "../mm/mm.h"
#include "../net/netlink.h"
#include <linux/taskstats.h>

#define NSEC 1000000000ULL
#define KB_MASK (~1023ULL)
#define AFORK_  0x01

static bool alive(const struct task *tk)
{
	return tk->state != TASK_ZOMBIE && tk->state != TASK_DEAD;
}

static uint64_t us_of(int64_t ns)
{
	return ns > 0 ? (uint64_t)ns / 1000 : 0;
}

/* bacct_add_tsk + xacct_add_tsk for thread tk, as viewer's pid
 * namespace and user namespace see it */
static void fill_stats(struct task *viewer, struct task *tk, struct taskstats *st)
{
	struct pid_namespace *ns = task_active_pid_ns(viewer);
	struct thread_group *tg = tk->tg;
	struct task *leader = tg && tg->leader ? tg->leader : tk;
	struct task *parent = leader->parent ? leader->parent : tk->parent;
	struct host_rusage ru = { 0 };
	int64_t u = 0, s = 0;
	uint64_t now = now_ns(CLOCK_MONOTONIC);
	uint64_t delta = now > tk->start_time_ns ? (now - tk->start_time_ns) / 1000 : 0;
	int64_t btime = (int64_t)(now_ns(CLOCK_REALTIME) / NSEC) - (int64_t)(delta / 1000000);

	memset(st, 0, sizeof *st);
	st->version = TASKSTATS_VERSION;
	task_cpu_times(tk, &u, &s);
	task_host_rusage(tk, RU_THREAD, &ru);
	st->ac_etime = delta;
	st->ac_btime = (uint32_t)(btime < 0 ? 0 : btime);
	st->ac_btime64 = (uint64_t)btime;
	if (leader == tk && !tk->did_exec)
		st->ac_flag |= AFORK_;
	st->ac_nice = (uint8_t)tk->nice;
	st->ac_sched = (uint8_t)tk->sched_policy;
	st->ac_pid = (uint32_t)task_pid_nr_ns(tk, ns);
	st->ac_tgid = (uint32_t)task_tgid_nr_ns(tk, ns);
	st->ac_ppid = parent && parent->tg ? (uint32_t)task_tgid_nr_ns(parent, ns) : 0;
	st->ac_uid = from_kuid_munged(viewer->user_ns, tk->cred.uid);
	st->ac_gid = from_kgid_munged(viewer->user_ns, tk->cred.gid);
	st->ac_utime = st->ac_utimescaled = us_of(u);
	st->ac_stime = st->ac_stimescaled = us_of(s);
	st->cpu_run_real_total = st->cpu_scaled_run_real_total = (uint64_t)(u + s > 0 ? u + s : 0);
	st->cpu_run_virtual_total = st->cpu_run_real_total;
	st->ac_minflt = (uint64_t)(ru.minflt > 0 ? ru.minflt : 0);
	st->ac_majflt = (uint64_t)(ru.majflt > 0 ? ru.majflt : 0);
	st->nvcsw = (uint64_t)(ru.nvcsw > 0 ? ru.nvcsw : 0);
	st->nivcsw = (uint64_t)(ru.nivcsw > 0 ? ru.nivcsw : 0);
	memcpy(st->ac_comm, tk->comm, sizeof tk->comm < sizeof st->ac_comm ? sizeof tk->comm
									   : sizeof st->ac_comm);
	st->ac_comm[sizeof st->ac_comm - 1] = 0;
	if (tk->mm) {
		struct host_rusage pr = { 0 };
		uint64_t vm = 0;

		task_host_rusage(tk, RU_PROCESS, &pr);
		st->hiwater_rss = (uint64_t)(pr.maxrss_kb > 0 ? pr.maxrss_kb : 0);
		for_each_vma(tk->mm, v)
			vm += v->end - v->start;
		st->hiwater_vm = vm / 1024;
	}
	if (tg) {
		st->read_char = tg->io_rchar & KB_MASK;
		st->write_char = tg->io_wchar & KB_MASK;
		st->read_syscalls = tg->io_syscr & KB_MASK;
		st->write_syscalls = tg->io_syscw & KB_MASK;
		st->read_bytes = tg->io_read_bytes & KB_MASK;
	}
}

/* fill_stats_for_tgid: the live threads' sums */
static void fill_stats_tgid(struct task *tk, struct taskstats *st)
{
	uint64_t now = now_ns(CLOCK_MONOTONIC);

	memset(st, 0, sizeof *st);
	st->version = TASKSTATS_VERSION;
	struct list_head *p, *n;

	list_for_each_safe(p, n, &tk->tg->threads) {
		struct task *t = list_entry(p, struct task, thread_node);
		struct host_rusage ru = { 0 };
		int64_t u = 0, s = 0;

		if (!alive(t))
			continue;
		task_cpu_times(t, &u, &s);
		task_host_rusage(t, RU_THREAD, &ru);
		st->ac_etime += now > t->start_time_ns ? (now - t->start_time_ns) / 1000 : 0;
		st->ac_utime += us_of(u);
		st->ac_stime += us_of(s);
		st->nvcsw += (uint64_t)(ru.nvcsw > 0 ? ru.nvcsw : 0);
		st->nivcsw += (uint64_t)(ru.nivcsw > 0 ? ru.nivcsw : 0);
	}
}

/*
 * taskstats_doit - TASKSTATS_CMD_GET from t (taskstats_user_cmd): the
 * record of the thread (ATTR_PID) or process (ATTR_TGID) asked for,
 * into nb (port portid).  0, -ESRCH (no such task in t's pid namespace),
 * -EINVAL (no id, or a short one), -EOPNOTSUPP (REGISTER_CPUMASK and
 * DEREGISTER_CPUMASK: no exit records here).
 */
int taskstats_doit(struct task *t, const struct nlhdr *h, uint8_t cmd, uint32_t portid,
		   struct nlbuf *nb)
{
	const char *a;
	size_t len;
	uint32_t id;
	bool tgid = false;
	struct task *tk;
	struct taskstats st;

	(void)cmd;
	if (genl_attr(h, TASKSTATS_CMD_ATTR_REGISTER_CPUMASK, &len) ||
	    genl_attr(h, TASKSTATS_CMD_ATTR_DEREGISTER_CPUMASK, &len))
		return -EOPNOTSUPP;
	if (!(a = genl_attr(h, TASKSTATS_CMD_ATTR_PID, &len))) {
		if (!(a = genl_attr(h, TASKSTATS_CMD_ATTR_TGID, &len)))
			return -EINVAL;
		tgid = true;
	}
	if (len < 4)
		return -EINVAL;
	memcpy(&id, a, 4);
	tk = find_task_by_vpid(t, (int)id);
	if (!tk || !alive(tk))
		return -ESRCH;
	if (tgid && tk->tg) {
		fill_stats_tgid(tk, &st);   /* a thread's id stands for its process, as Linux */
	} else {
		fill_stats(t, tk, &st);
	}
	size_t m = genl_msg_begin(nb, TASKSTATS_GENL_ID, TASKSTATS_CMD_NEW, TASKSTATS_GENL_VERSION_, 0,
				  h->seq, portid);
	size_t aggr = nest_begin(nb, tgid ? TASKSTATS_TYPE_AGGR_TGID : TASKSTATS_TYPE_AGGR_PID);
	put_u32(nb, tgid ? TASKSTATS_TYPE_TGID : TASKSTATS_TYPE_PID, id);
	put_attr(nb, TASKSTATS_TYPE_STATS, &st, sizeof st);
	nest_end(nb, aggr);
	msg_end(nb, m);
	return 0;
}
