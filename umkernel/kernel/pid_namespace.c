/*
 * pid_namespace.c - pid namespaces: creation, the namespace's init
 * (child reaper), and its end.
 *
 * In a nutshell (Linux's kernel/pid_namespace.c): unshare(CLONE_NEWPID)
 * or clone(CLONE_NEWPID) makes a child of the caller's active namespace;
 * the first process born in it is its pid 1 and reaps its orphans.  When
 * that init exits, every other process of the namespace is killed
 * (zap_pid_ns_processes) and no process may be born in it any more.
 * Namespaces nest 32 deep.
 *
 * Lock: klock guards everything here.
 */
#include "../kernel.h"
#include "task.h"
#include <stdlib.h>

#define PIDNS_MAX_LEVEL 32

struct pid_namespace *get_pid_ns(struct pid_namespace *ns)
{
	if (ns)
		ns->refs++;
	return ns;
}

void put_pid_ns(struct pid_namespace *ns)
{
	while (ns && ns != &init_pid_ns && --ns->refs == 0) {
		struct pid_namespace *parent = ns->parent;
		put_user_ns(ns->user_ns);
		free(ns);
		ns = parent;
	}
}

/*
 * create_pid_ns - a new pid namespace below parent, owned by user_ns.
 * -ENOSPC past 32 levels (Linux: max_pid_namespaces / MAX_PID_NS_LEVEL),
 * -ENOMEM.  One reference for the caller.
 */
struct pid_namespace *create_pid_ns(struct pid_namespace *parent, struct user_namespace *user_ns,
				    int *err)
{
	if (parent->level + 1 >= PIDNS_MAX_LEVEL) {
		*err = -ENOSPC;
		return NULL;
	}
	struct pid_namespace *ns = calloc(1, sizeof *ns);
	if (!ns) {
		*err = -ENOMEM;
		return NULL;
	}
	ns->refs = 1;
	ns->level = parent->level + 1;
	ns->parent = get_pid_ns(parent);
	ns->user_ns = get_user_ns(user_ns);
	ns->pid_max = 4194304;   /* PID_MAX_LIMIT, not the parent's: Linux 6.14 on */
	ns->memfd_noexec_scope = parent->memfd_noexec_scope;
	ns->inum = ns_alloc_inum();
	return ns;
}

/* Whether ns is ancestor (or itself) of the namespace of pid. */
bool pid_ns_sees(const struct pid_namespace *ns, const struct pid *pid)
{
	return pid && pid_nr_ns(pid, ns) != 0;
}

/*
 * zap_pid_ns_processes - the init of ns exited: no process may join ns
 * any more and every other one in it is killed.  Mirrors Linux's
 * zap_pid_ns_processes (without its wait: the killed tasks are reaped by
 * their parents or the reaper above).
 */
void zap_pid_ns_processes(struct pid_namespace *ns)
{
	struct list_head *p, *n;
	ns->dead = true;
	ns->child_reaper = NULL;
	list_for_each_safe(p, n, &all_tasks) {
		struct task *o = list_entry(p, struct task, all);
		if (o->tg && o->tg->leader == o && o->state != TASK_ZOMBIE &&
		    o->state != TASK_DEAD && pid_ns_sees(ns, o->pid))
			send_signal(o, SIGKILL, NULL, true);
	}
}
