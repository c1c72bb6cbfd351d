/*
 * signalfd.c - signalfd(2), signalfd4(2): pending signals read as a file.
 *
 * In a nutshell (Linux's fs/signalfd.c): a signalfd holds only a signal
 * mask.  read dequeues the reader's own pending signals in that mask
 * (its thread's queue, then its thread group's: signal_dequeue_masked)
 * and returns one 128-byte struct signalfd_siginfo for each, as many as
 * fit; it blocks on the thread group's signal_wait queue while none is
 * pending.  poll reports POLLIN while a signal in the mask is pending for
 * the polling task.  The signals are typically blocked, so they stay
 * pending for the signalfd instead of being delivered.  SIGKILL and
 * SIGSTOP are silently dropped from the mask.
 *
 * Locking: everything runs under klock, held by the caller; task_sleep
 * drops it while a reader waits.
 */
#include "../kernel.h"
#include "fs.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SFD_CLOEXEC_   O_CLOEXEC
#define SFD_NONBLOCK_  O_NONBLOCK
#define SI_USER_   0
#define SI_KERNEL_ 0x80
#define SI_TIMER_  (-2)
#define SI_SIGIO_  (-5)

struct signalfd_ctx {
	linux_sigset_t mask;
};

struct linux_signalfd_siginfo {       /* <linux/signalfd.h>, 128 bytes */
	uint32_t ssi_signo;
	int32_t ssi_errno;
	int32_t ssi_code;
	uint32_t ssi_pid;
	uint32_t ssi_uid;
	int32_t ssi_fd;
	uint32_t ssi_tid;
	uint32_t ssi_band;
	uint32_t ssi_overrun;
	uint32_t ssi_trapno;
	int32_t ssi_status;
	int32_t ssi_int;
	uint64_t ssi_ptr;
	uint64_t ssi_utime;
	uint64_t ssi_stime;
	uint64_t ssi_addr;
	uint16_t ssi_addr_lsb;
	uint16_t pad2;
	int32_t ssi_syscall;
	uint64_t ssi_call_addr;
	uint32_t ssi_arch;
	uint8_t pad[28];
};
_Static_assert(sizeof(struct linux_signalfd_siginfo) == 128, "signalfd_siginfo is 128 bytes");

/* Linux's signalfd_copyinfo, by siginfo_layout(). */
static void siginfo_to_ssi(const linux_siginfo_t *si, struct linux_signalfd_siginfo *s)
{
	int sig = si->si_signo, code = si->si_code;

	memset(s, 0, sizeof(*s));
	s->ssi_signo = sig;
	s->ssi_errno = si->si_errno;
	s->ssi_code = code;
	if (code > SI_USER_ && code < SI_KERNEL_) {
		switch (sig) {
		case SIGILL: case SIGFPE: case SIGSEGV: case SIGBUS: case SIGTRAP:
			s->ssi_addr = si->u.fault.addr;
			s->ssi_addr_lsb = si->u.fault.addr_lsb;
			return;
		case SIGCHLD:
			s->ssi_pid = si->u.chld.pid;
			s->ssi_uid = si->u.chld.uid;
			s->ssi_status = si->u.chld.status;
			s->ssi_utime = si->u.chld.utime;
			s->ssi_stime = si->u.chld.stime;
			return;
		case SIGPOLL:
			s->ssi_band = si->u.poll.band;
			s->ssi_fd = si->u.poll.fd;
			return;
		case SIGSYS:
			s->ssi_call_addr = si->u.sys.call_addr;
			s->ssi_syscall = si->u.sys.syscall;
			s->ssi_arch = si->u.sys.arch;
			return;
		}
	}
	if (code == SI_TIMER_) {
		s->ssi_tid = si->u.timer.tid;
		s->ssi_overrun = si->u.timer.overrun;
		s->ssi_ptr = si->u.timer.sigval;
		s->ssi_int = (int32_t)si->u.timer.sigval;
	} else if (code == SI_SIGIO_) {
		s->ssi_band = si->u.poll.band;
		s->ssi_fd = si->u.poll.fd;
	} else if (code < 0) {
		s->ssi_pid = si->u.rt.pid;
		s->ssi_uid = si->u.rt.uid;
		s->ssi_ptr = si->u.rt.sigval;
		s->ssi_int = (int32_t)si->u.rt.sigval;
	} else {
		s->ssi_pid = si->u.kill.pid;
		s->ssi_uid = si->u.kill.uid;
	}
}

/* Takes one signal of mask, waiting for one unless nonblock. */
static int sfd_dequeue(struct task *t, linux_sigset_t mask, bool nonblock, linux_siginfo_t *info)
{
	struct waiter w;
	int sig, err;

	for (;;) {
		sig = signal_dequeue_masked(t, mask, info);
		if (sig)
			return sig;
		if (nonblock)
			return -EAGAIN;
		waitq_add(&t->tg->signal_wait, &w, t);
		err = task_sleep(t, 0, -1, 0);
		waitq_del(&w);
		if (err == -EINTR)
			return -ERESTARTSYS;
	}
}

static ssize_t sfd_read(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	struct signalfd_ctx *ctx = f->priv;
	struct linux_signalfd_siginfo ssi;
	linux_siginfo_t info;
	size_t count = n / sizeof(ssi), done = 0;
	int sig;

	(void)pos;
	if (!count)
		return -EINVAL;
	if (!t)
		return -EAGAIN;
	for (; done < count; done++) {
		sig = sfd_dequeue(t, ctx->mask, done || (f->flags & O_NONBLOCK), &info);
		if (sig < 0) {
			if (done)
				break;
			return sig;
		}
		siginfo_to_ssi(&info, &ssi);
		memcpy((char *)buf + done * sizeof(ssi), &ssi, sizeof(ssi));
	}
	return done * sizeof(ssi);
}

static short sfd_poll(struct file *f, struct poll_table *pt)
{
	struct signalfd_ctx *ctx = f->priv;
	struct task *t = current;

	if (!t)
		return 0;
	/* Only the polling task itself may sit on its group's queue: an
	 * epoll item's stand-in could outlive the thread group. */
	if (pt && pt->task == t)
		poll_wait(pt, &t->tg->signal_wait);
	return (signal_pending_set(t) & ctx->mask) ? POLLIN | POLLRDNORM : 0;
}

static void sfd_release(struct file *f)
{
	free(f->priv);
	f->priv = NULL;
}

/* signalfd_show_fdinfo: the mask, bit n-1 for signal n */
static int sfd_fdinfo(struct file *f, char *buf, size_t len)
{
	struct signalfd_ctx *ctx = f->priv;

	return snprintf(buf, len, "sigmask:\t%016llx\n", (unsigned long long)ctx->mask);
}

static const struct file_ops signalfd_ops = {
	.read = sfd_read,
	.poll = sfd_poll,
	.fstat = anon_inode_fstat,
	.release = sfd_release,
	.show_fdinfo = sfd_fdinfo,
	.seekable = false,
};

/*
 * sys_signalfd4(fd, mask, sizemask, flags) - fd -1 makes a new signalfd
 * for the signals in *mask; an existing signalfd gets its mask replaced.
 * flags: SFD_CLOEXEC, SFD_NONBLOCK (others -EINVAL).  -EINVAL unless
 * sizemask is 8 or if fd is open but no signalfd, -EBADF, -EFAULT,
 * -EMFILE, -ENOMEM.  Returns the fd.
 */
long sys_signalfd4(struct task *t, struct sysargs *a)
{
	int ufd = arg_int(a, 0), flags = arg_int(a, 3);
	struct signalfd_ctx *ctx;
	linux_sigset_t mask;
	struct file *f;

	if (flags & ~(SFD_CLOEXEC_ | SFD_NONBLOCK_))
		return -EINVAL;
	if (arg_ptr(a, 2) != sizeof(mask))
		return -EINVAL;
	if (copy_from_user(t, &mask, arg_ptr(a, 1), sizeof(mask)))
		return -EFAULT;
	mask &= ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
	if (ufd != -1) {
		f = fd_get(t, ufd);
		if (!f)
			return -EBADF;
		if (f->ops != &signalfd_ops) {
			file_put(f);
			return -EINVAL;
		}
		((struct signalfd_ctx *)f->priv)->mask = mask;
		wake_up(&t->tg->signal_wait);
		file_put(f);
		return ufd;
	}
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->mask = mask;
	f = file_alloc(&signalfd_ops, O_RDWR | (flags & SFD_NONBLOCK_), "anon_inode:[signalfd]");
	if (!f) {
		free(ctx);
		return -ENOMEM;
	}
	f->priv = ctx;
	return fd_install(t, 0, f, flags & SFD_CLOEXEC_);
}

/* sys_signalfd(fd, mask, sizemask) - signalfd4 with flags 0. */
long sys_signalfd(struct task *t, struct sysargs *a)
{
	struct sysargs b = { .a = { a->a[0], a->a[1], a->a[2], 0 }, .nr = a->nr };

	return sys_signalfd4(t, &b);
}
