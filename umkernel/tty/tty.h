/*
 * tty/tty.h - the tty subsystem's interface: pseudo-terminals (pty.c),
 * the devpts names devfs delegates to it, and the job-control ioctls of
 * terminals (tty_jobctrl.c).
 *
 * Lock: klock, held by every caller.
 */
#ifndef UMK_TTY_H
#define UMK_TTY_H

#include "../fs/fs.h"

/* pty.c: pseudo-terminals.  /dev/ptmx opens a new master (fstat shows
 * node); /dev/pts (devfs delegates its names, "ptmx" or "N") lists live
 * slaves; /dev/tty is the session's pty when it has one (else -ENXIO). */
int pty_open_ptmx(int flags, const char *path, const struct kstat *node, struct file **out);
int devpts_lookup(uint64_t dev, const char *name, struct kstat *st);
int devpts_open(struct task *t, uint64_t dev, const char *name, int flags, struct file **out);
int devpts_readdir(struct dir_entry **ents, size_t *n);
int pty_open_ctty(struct task *t, int flags, const char *path, const struct kstat *node,
		  struct file **out);
bool file_is_pty(struct file *f);
extern long sysctl_legacy_tiocsti;   /* dev.tty.legacy_tiocsti (pty.c) */
int pty_count(void);   /* kernel.pty.nr: pseudo-terminals allocated now */
int pty_ctty_nr(struct task *t, int *tpgid);  /* /proc/PID/stat tty_nr, tpgid */
/* tty/tty_jobctrl.c: job-control ioctls of a host tty; -ENOIOCTLCMD (515) for others */
long tty_ioctl(struct task *t, struct file *f, unsigned int cmd, uint64_t arg);

#endif
