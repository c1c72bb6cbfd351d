/*
 * tty_jobctrl.c - terminal job control: the ioctls behind tcgetpgrp,
 * tcsetpgrp, tcgetsid and the controlling-terminal calls, on files whose
 * host fd is a terminal.
 *
 * In a nutshell: the host terminal's own foreground group is umk's; the
 * guest's job control lives here.  A session's foreground process group
 * is kept in tty_fg_pgrp of every thread group of the session (set on all
 * of them at once, so it survives the exit of any one); 0 means "not set
 * yet", read as the session's id (the session leader's group).  Every
 * session is taken to have the terminal as its controlling terminal, so
 * TIOCSCTTY and TIOCNOTTY are accepted and do nothing.  Other terminal
 * ioctls (TCGETS, window size...) are the host fd's business: tty_ioctl
 * returns -ENOIOCTLCMD for them, and for every call on a pseudo-terminal
 * (pty.c has per-terminal sessions and foreground groups).
 *
 * Locking: runs under klock, held by the caller.
 */
#include "../kernel.h"
#include "tty.h"

#include <signal.h>
#include <unistd.h>

#ifndef ENOIOCTLCMD
#define ENOIOCTLCMD 515
#endif

#define L_TIOCSCTTY 0x540E
#define L_TIOCGPGRP 0x540F
#define L_TIOCSPGRP 0x5410
#define L_TIOCNOTTY 0x5422
#define L_TIOCGSID  0x5429

/* The session's foreground group: ours, another member's, or the sid. */
static int tty_fg(struct task *t)
{
	struct list_head *p;

	if (t->tg->tty_fg_pgrp > 0)
		return t->tg->tty_fg_pgrp;
	for (p = all_tasks.next; p != &all_tasks; p = p->next) {
		struct task *o = list_entry(p, struct task, all);

		if (o->tg && o->tg->sid == t->tg->sid && o->tg->tty_fg_pgrp > 0)
			return o->tg->tty_fg_pgrp;
	}
	return t->tg->sid;
}

static void tty_set_fg(struct task *t, int pgrp)
{
	struct list_head *p;

	for (p = all_tasks.next; p != &all_tasks; p = p->next) {
		struct task *o = list_entry(p, struct task, all);

		if (o->tg && o->tg->sid == t->tg->sid)
			o->tg->tty_fg_pgrp = pgrp;
	}
	t->tg->tty_fg_pgrp = pgrp;
}

/* The session of process group pgrp, or 0 if no process is in it. */
static int pgrp_session(int pgrp)
{
	struct list_head *p;

	for (p = all_tasks.next; p != &all_tasks; p = p->next) {
		struct task *o = list_entry(p, struct task, all);

		if (o->tg && o->tg->pgid == pgrp && o->state != TASK_ZOMBIE && o->state != TASK_DEAD)
			return o->tg->sid;
	}
	return 0;
}

/*
 * Linux's tty_check_change for SIGTTOU: a background group changing the
 * terminal is sent SIGTTOU (the call restarts once it is continued),
 * unless it blocks or ignores SIGTTOU.
 */
static int tty_check_change(struct task *t)
{
	int fg = tty_fg(t);

	if (!fg || t->tg->pgid == fg)
		return 0;
	if ((t->blocked & SIGBIT(SIGTTOU)) || sig_ignored(t, SIGTTOU))
		return 0;
	kill_pid_info(t, -t->tg->pgid, SIGTTOU);
	return -ERESTARTSYS;
}

/*
 * tty_ioctl - job-control ioctls on f: TIOCGPGRP (int *out), TIOCSPGRP
 * (const int *: -EINVAL if negative, -ESRCH if no such group, -EPERM if
 * it is in another session; SIGTTOU and -ERESTARTSYS from a background
 * group), TIOCGSID (int *out), TIOCSCTTY and TIOCNOTTY (accepted).
 * -ENOTTY if f is no terminal, -EFAULT, and -ENOIOCTLCMD for any other
 * cmd so that the file's own ioctl handles it.
 */
long tty_ioctl(struct task *t, struct file *f, unsigned int cmd, uint64_t arg)
{
	int v, err;

	switch (cmd) {
	case L_TIOCGPGRP:
	case L_TIOCSPGRP:
	case L_TIOCGSID:
	case L_TIOCSCTTY:
	case L_TIOCNOTTY:
		break;
	default:
		return -ENOIOCTLCMD;
	}
	if (file_is_pty(f))
		return -ENOIOCTLCMD;      /* pty.c keeps its own job control */
	if (f->hostfd < 0 || !isatty(f->hostfd))
		return -ENOTTY;

	switch (cmd) {
	case L_TIOCGPGRP:
		v = global_vnr(t, tty_fg(t));   /* ids of the caller's pid namespace */
		return copy_to_user(t, arg, &v, sizeof(v)) ? -EFAULT : 0;
	case L_TIOCGSID:
		v = global_vnr(t, t->tg->sid);
		return copy_to_user(t, arg, &v, sizeof(v)) ? -EFAULT : 0;
	case L_TIOCSPGRP:
		err = tty_check_change(t);
		if (err)
			return err;
		if (copy_from_user(t, &v, arg, sizeof(v)))
			return -EFAULT;
		if (v < 0)
			return -EINVAL;
		v = vnr_to_global(t, v);
		err = v ? pgrp_session(v) : 0;
		if (!err)
			return -ESRCH;
		if (err != t->tg->sid)
			return -EPERM;
		tty_set_fg(t, v);
		return 0;
	case L_TIOCSCTTY:
	case L_TIOCNOTTY:
		return 0;
	}
	return -ENOIOCTLCMD;
}
