/*
 * pty.c - Unix98 pseudo-terminals: /dev/ptmx (a new master per open),
 * the devpts directory /dev/pts (one node per live pair) and a line
 * discipline modelled on Linux's drivers/tty/pty.c and n_tty.c.
 *
 * In a nutshell: a struct pty is one master/slave pair.  Bytes written
 * to the master go through input processing (ICRNL/INLCR/IGNCR, ISIG,
 * canonical line editing with VERASE/VKILL/VWERASE/VEOF, echo) into the
 * slave's input buffer `ib`; bytes written to the slave (and echoes) go
 * through output processing (OPOST, ONLCR...) into `ob`, which the
 * master reads.  Each byte of `ib` has a flag byte: F_EOL marks the end
 * of a complete line, F_EOF an end-of-file mark (a VEOF, never copied
 * out).  In canonical mode the first `icanon` bytes of `ib` are complete
 * lines and the rest is the line being edited.  There is one termios
 * (the slave's; TCGETS on the master reads it, as on Linux) and one
 * window size.
 *
 * Job control: a pty may be the controlling terminal of one session
 * (`session`, identified by the leader's pid and start time so that a
 * dead session is noticed lazily) and has a foreground process group
 * `pgrp`.  A session acquires it with TIOCSCTTY or by a session leader
 * opening the slave without O_NOCTTY.  Closing the master hangs the
 * slave up: it reads EOF, writes and ioctls fail with EIO, polls
 * POLLHUP|POLLERR, and the session leader gets SIGHUP and SIGCONT.
 * Closing every slave makes the master read EIO (after draining) and
 * poll POLLHUP.  The host terminal stays tty_jobctrl.c's business.
 *
 * Locking: everything runs under klock, held by the caller; task_sleep
 * drops it while a task waits, so every condition is re-checked after a
 * sleep.  One wait queue per pair is woken on every state change.
 */
#include "../kernel.h"
#include "../fs/fs.h"
#include "tty.h"
#include "../fs/tmpfs.h"

#include <ctype.h>
#include <dirent.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>

#define PTY_MAX       256
#define IBUF          4096          /* N_TTY_BUF_SIZE */
#define OBUF          16384         /* slave output not yet read by the master */
#define PTS_MAJOR     136
#define PTS_INO_BASE  0x1000        /* devpts inode numbers: base + index */
#define PTMX_INO      0x0fff
#define INIT_SID      1             /* the session umk started: it has the host tty */

#define F_EOL 1
#define F_EOF 2

#define L_TCGETS      0x5401
#define L_TCSETS      0x5402
#define L_TCSETSW     0x5403
#define L_TCSETSF     0x5404
#define L_TCSBRK      0x5409
#define L_TCXONC      0x540A
#define L_TCFLSH      0x540B
#define L_TIOCEXCL    0x540C
#define L_TIOCNXCL    0x540D
#define L_TIOCSCTTY   0x540E
#define L_TIOCGPGRP   0x540F
#define L_TIOCSPGRP   0x5410
#define L_TIOCOUTQ    0x5411
#define L_TIOCSTI     0x5412
#define L_TIOCGWINSZ  0x5413
#define L_TIOCSWINSZ  0x5414
#define L_FIONREAD    0x541B
#define L_TIOCPKT     0x5420
#define L_TIOCNOTTY   0x5422
#define L_TIOCSETD    0x5423
#define L_TIOCGETD    0x5424
#define L_TCSBRKP     0x5425
#define L_TIOCGSID    0x5429
#define L_TIOCGPTN    0x80045430
#define L_TIOCSPTLCK  0x40045431
#define L_TIOCGDEV    0x80045432
#define L_TIOCGPKT    0x80045438
#define L_TIOCGPTLCK  0x80045439
#define L_TIOCGPTPEER 0x5441
#define L_TIOCGLCKTRMIOS 0x5456
#define L_TIOCSLCKTRMIOS 0x5457

/* packet-mode status bits (TIOCPKT_* of <asm-generic/ioctls.h>) */
#define L_TIOCPKT_DATA       0x00
#define L_TIOCPKT_FLUSHREAD  0x01
#define L_TIOCPKT_FLUSHWRITE 0x02
#define L_TIOCPKT_NOSTOP     0x10
#define L_TIOCPKT_DOSTOP     0x20
#define L_TIOCPKT_IOCTL      0x40

/* struct termios of <asm/termbits.h>: the kernel's 36-byte layout. */
struct pty_termios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[19];
};
_Static_assert(sizeof(struct pty_termios) == 36, "kernel termios is 36 bytes");

struct pty {
	int index;
	int refs;                     /* the master while open + open slave files */
	bool master_open;
	int slaves;                   /* open slave files */
	bool other_closed;            /* the last slave was closed: master reads EIO */
	bool locked;                  /* TIOCSPTLCK: slave opens fail with EIO */
	bool lnext;                   /* VLNEXT seen: the next byte is literal */
	bool packet;                  /* TIOCPKT: master reads carry a status byte */
	uint8_t pktstatus;            /* TIOCPKT_* events the master has not read */
	struct pty_termios tio;
	struct pty_termios tio_locked; /* TIOCSLCKTRMIOS: bits set here keep their value */
	struct linux_winsize ws;
	unsigned char ib[IBUF];       /* slave input */
	uint8_t ifl[IBUF];
	size_t ilen, icanon;
	unsigned char ob[OBUF];       /* slave output, for the master */
	size_t olen;
	int column;                   /* output column, for XTABS/ONOCR and erasing */
	int session, pgrp;            /* controlling terminal of session; foreground group */
	uint64_t sess_start;          /* the session leader's start_time_ns */
	uint32_t uid, gid;
	struct linux_timespec ctime;
	struct wait_queue wq;
};

/* priv of a pty file */
struct ptyf {
	struct pty *p;
	bool master;
	bool has_node;                /* fstat shows node (/dev/ptmx, /dev/tty) */
	struct kstat node;
};

static struct pty *ptys[PTY_MAX];

/* dev.tty.legacy_tiocsti: 1 (CONFIG_LEGACY_TIOCSTI), 0 keeps TIOCSTI to
 * CAP_SYS_ADMIN */
long sysctl_legacy_tiocsti = 1;

/* kernel.pty.nr: how many pseudo-terminals are allocated now */
int pty_count(void)
{
	int n = 0;

	for (int i = 0; i < PTY_MAX; i++)
		n += ptys[i] != NULL;
	return n;
}
static const struct file_ops pty_master_ops, pty_slave_ops;

#define CC(p, x) ((p)->tio.c_cc[x])
#define I(p, f)  ((p)->tio.c_iflag & (f))
#define O(p, f)  ((p)->tio.c_oflag & (f))
#define L(p, f)  ((p)->tio.c_lflag & (f))

static struct pty *PTY(struct file *f)
{
	return ((struct ptyf *)f->priv)->p;
}

static bool is_master(struct file *f)
{
	return ((struct ptyf *)f->priv)->master;
}

/* file_is_pty - whether f is either end of a pseudo-terminal. */
bool file_is_pty(struct file *f)
{
	return f && (f->ops == &pty_master_ops || f->ops == &pty_slave_ops);
}

/* Linux's tty_std_termios with the pty slave's c_cflag. */
static void termios_init(struct pty_termios *t)
{
	static const uint8_t cc[19] = "\003\034\177\025\004\0\1\0\021\023\032\0\022\017\027\026\0";

	memset(t, 0, sizeof(*t));
	t->c_iflag = ICRNL | IXON;
	t->c_oflag = OPOST | ONLCR;
	t->c_cflag = B38400 | CS8 | CREAD;
	t->c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
	memcpy(t->c_cc, cc, sizeof(cc));
}

/* ---- sessions and process groups ---- */

/* Whether p's session is still there; forgets it if not. */
static bool session_alive(struct pty *p)
{
	struct task *l;

	if (!p->session)
		return false;
	l = task_find(p->session);
	if (l && l->tg && l->tg->tgid == p->session && l->tg->sid == p->session &&
	    l->start_time_ns == p->sess_start && l->state != TASK_ZOMBIE && l->state != TASK_DEAD)
		return true;
	p->session = 0;
	p->pgrp = 0;
	return false;
}

/* The pty that is t's session's controlling terminal, or NULL. */
static struct pty *ctty_of(struct task *t)
{
	int i;

	for (i = 0; i < PTY_MAX; i++)
		if (ptys[i] && ptys[i]->master_open && ptys[i]->session == t->tg->sid &&
		    session_alive(ptys[i]))
			return ptys[i];
	return NULL;
}

static bool is_ctty(struct task *t, struct pty *p)
{
	return t && p->session == t->tg->sid && session_alive(p);
}

static bool is_session_leader(struct task *t)
{
	return t->tg->sid == t->tg->tgid;
}

static void set_ctty(struct pty *p, struct task *t)
{
	p->session = t->tg->sid;
	p->sess_start = t->tg->leader ? t->tg->leader->start_time_ns : t->start_time_ns;
	p->pgrp = t->tg->pgid;
}

/* A kernel signal (SI_KERNEL) to every process of group pgrp. */
static void pgrp_signal(int pgrp, int sig)
{
	struct list_head *l, *n;

	if (pgrp <= 0)
		return;
	list_for_each_safe(l, n, &all_tasks) {
		struct task *o = list_entry(l, struct task, all);

		if (o->tg && o->tg->leader == o && o->tg->pgid == pgrp &&
		    o->state != TASK_ZOMBIE && o->state != TASK_DEAD)
			send_signal(o, sig, NULL, true);
	}
}

/* Whether process group pgrp has a live member; its session in *sid. */
static bool pgrp_exists(int pgrp, int *sid)
{
	struct list_head *l;

	for (l = all_tasks.next; l != &all_tasks; l = l->next) {
		struct task *o = list_entry(l, struct task, all);

		if (o->tg && o->tg->pgid == pgrp && o->state != TASK_ZOMBIE && o->state != TASK_DEAD) {
			*sid = o->tg->sid;
			return true;
		}
	}
	return false;
}

/*
 * Linux's __tty_check_change: a background process group of the
 * terminal's session touching it gets sig (SIGTTIN for reads, SIGTTOU for
 * writes with TOSTOP and for termios changes) and the call restarts once
 * it is continued.  An ignored or blocked SIGTTIN makes the read fail
 * with EIO; an ignored or blocked SIGTTOU lets the call through.
 */
static int check_change(struct task *t, struct pty *p, int sig)
{
	if (!t || !is_ctty(t, p) || !p->pgrp || t->tg->pgid == p->pgrp)
		return 0;
	if ((t->blocked & SIGBIT(sig)) || sig_ignored(t, sig))
		return sig == SIGTTIN ? -EIO : 0;
	pgrp_signal(t->tg->pgid, sig);
	return -ERESTARTSYS;
}

/* ---- output processing: slave -> master ---- */

static size_t ob_space(struct pty *p)
{
	return OBUF - p->olen;
}

static void ob_put(struct pty *p, const char *s, size_t n)
{
	if (n > ob_space(p))
		n = ob_space(p);
	memcpy(p->ob + p->olen, s, n);
	p->olen += n;
}

/*
 * Linux's do_output_char: the bytes c becomes on output (at most 8, for
 * a tab under XTABS); 0 bytes when it is dropped (ONOCR).  Updates the
 * column only when commit is set.
 */
static size_t out_char(struct pty *p, unsigned char c, char *o, bool commit)
{
	int col = p->column;
	size_t n = 0;

	if (!O(p, OPOST)) {
		o[0] = c;
		return 1;
	}
	switch (c) {
	case '\n':
		if (O(p, ONLRET))
			col = 0;
		if (O(p, ONLCR)) {
			o[n++] = '\r';
			col = 0;
		}
		o[n++] = c;
		break;
	case '\r':
		if (O(p, ONOCR) && col == 0)
			break;
		if (O(p, OCRNL)) {
			c = '\n';
			if (O(p, ONLRET))
				col = 0;
		} else {
			col = 0;
		}
		o[n++] = c;
		break;
	case '\t':
		if ((p->tio.c_oflag & TABDLY) == XTABS) {
			do
				o[n++] = ' ';
			while (++col & 7);
		} else {
			col = (col | 7) + 1;
			o[n++] = c;
		}
		break;
	case '\b':
		if (col > 0)
			col--;
		o[n++] = c;
		break;
	default:
		if (O(p, OLCUC))
			c = toupper(c);
		if (!iscntrl(c) && (c & 0xc0) != 0x80)
			col++;
		o[n++] = c;
	}
	if (commit)
		p->column = col;
	return n;
}

/* An echo: output-processed into ob, dropped when ob is full. */
static void echo_raw(struct pty *p, unsigned char c)
{
	char o[8];
	size_t n = out_char(p, c, o, false);

	if (n <= ob_space(p)) {
		out_char(p, c, o, true);
		ob_put(p, o, n);
	}
}

static void echo_str(struct pty *p, const char *s)
{
	while (*s)
		echo_raw(p, (unsigned char)*s++);
}

/* Linux's echo_char: control characters as ^X under ECHOCTL. */
static void echo_char(struct pty *p, unsigned char c)
{
	if (L(p, ECHOCTL) && iscntrl(c) && c != '\t' && c != '\n') {
		echo_raw(p, '^');
		echo_raw(p, c ^ 0100);
	} else {
		echo_raw(p, c);
	}
}

/* ---- input processing: master -> slave ---- */

static void ib_put(struct pty *p, unsigned char c, uint8_t fl)
{
	if (p->ilen >= IBUF)
		return;
	p->ib[p->ilen] = c;
	p->ifl[p->ilen++] = fl;
	if (fl && L(p, ICANON))
		p->icanon = p->ilen;
}

static void ib_drop(struct pty *p, size_t n)
{
	memmove(p->ib, p->ib + n, p->ilen - n);
	memmove(p->ifl, p->ifl + n, p->ilen - n);
	p->ilen -= n;
	p->icanon = p->icanon > n ? p->icanon - n : 0;
}

static void flush_input(struct pty *p)
{
	p->ilen = p->icanon = 0;
	p->lnext = false;
}

/* A packet-mode event for the master (Linux's ctrl.pktstatus): the
 * master's next read returns it as one byte, and poll says POLLPRI. */
static void pkt_event(struct pty *p, uint8_t ev)
{
	if (!p->packet)
		return;
	p->pktstatus |= ev;
	wake_up(&p->wq);
}

/*
 * The slave flushes its input (FLUSHREAD) or its output (FLUSHWRITE):
 * n_tty_packet_mode_flush, pty_flush_buffer.  Linux's flush of the
 * slave's output reaches only the master's flip buffer, which the
 * receive work empties into the master's read buffer at once, so what
 * the slave wrote stays readable: here `ob` is that read buffer and is
 * kept.
 */
static void slave_flush(struct pty *p, bool in, bool out)
{
	if (in) {
		flush_input(p);
		pkt_event(p, L_TIOCPKT_FLUSHREAD);
	}
	if (out)
		pkt_event(p, L_TIOCPKT_FLUSHWRITE);
}

/* Erases one character of the line being edited, visually if echo is on. */
static void erase_one(struct pty *p)
{
	unsigned char c;

	if (p->ilen <= p->icanon)
		return;
	c = p->ib[--p->ilen];
	if (!L(p, ECHO))
		return;
	echo_str(p, "\b \b");
	if (L(p, ECHOCTL) && iscntrl(c) && c != '\t')
		echo_str(p, "\b \b");
}

/* Linux's eraser for VERASE, VWERASE and VKILL. */
static void eraser(struct pty *p, unsigned char c)
{
	if (p->ilen <= p->icanon)
		return;
	if (c == CC(p, VERASE)) {
		if (L(p, ECHO) && !L(p, ECHOE)) {
			p->ilen--;
			echo_char(p, c);
			return;
		}
		erase_one(p);
		return;
	}
	if (c == CC(p, VKILL)) {
		if (L(p, ECHO) && !(L(p, ECHOK) && L(p, ECHOKE) && L(p, ECHOE))) {
			p->ilen = p->icanon;
			echo_char(p, c);
			if (L(p, ECHOK))
				echo_raw(p, '\n');
			return;
		}
		while (p->ilen > p->icanon)
			erase_one(p);
		return;
	}
	/* VWERASE: blanks, then a word */
	while (p->ilen > p->icanon && isspace(p->ib[p->ilen - 1]))
		erase_one(p);
	while (p->ilen > p->icanon && !isspace(p->ib[p->ilen - 1]))
		erase_one(p);
}

/* Linux's isig: the signal to the foreground group, the flushes, the echo. */
static void isig(struct pty *p, int sig, unsigned char c)
{
	if (p->pgrp && session_alive(p))
		pgrp_signal(p->pgrp, sig);
	if (!L(p, NOFLSH))
		slave_flush(p, true, true);
	if (L(p, ECHO))
		echo_char(p, c);
}

static bool is_cc(struct pty *p, unsigned char c, int idx)
{
	return CC(p, idx) != 0 && c == CC(p, idx);
}

/*
 * Whether one more byte fits: the last slot is kept for a line
 * terminator in canonical mode (Linux's n_tty does the same).
 */
static bool ib_room(struct pty *p)
{
	return p->ilen < IBUF - 1;
}

/* n_tty_receive_char: one byte typed at the master. */
static void receive_char(struct pty *p, unsigned char c)
{
	if (p->lnext) {
		p->lnext = false;
		goto literal;
	}
	if (I(p, ISTRIP))
		c &= 0x7f;
	if (c == '\r') {
		if (I(p, IGNCR))
			return;
		if (I(p, ICRNL))
			c = '\n';
	} else if (c == '\n' && I(p, INLCR)) {
		c = '\r';
	}
	if (L(p, ISIG)) {
		int sig = is_cc(p, c, VINTR) ? SIGINT : is_cc(p, c, VQUIT) ? SIGQUIT :
			  is_cc(p, c, VSUSP) ? SIGTSTP : 0;

		if (sig) {
			isig(p, sig, c);
			return;
		}
	}
	if (I(p, IXON) && (is_cc(p, c, VSTART) || is_cc(p, c, VSTOP)))
		return;        /* flow control: consumed (output is never stopped) */
	if (L(p, ICANON)) {
		if (is_cc(p, c, VERASE) || is_cc(p, c, VKILL) ||
		    (is_cc(p, c, VWERASE) && L(p, IEXTEN))) {
			eraser(p, c);
			return;
		}
		if (is_cc(p, c, VLNEXT) && L(p, IEXTEN)) {
			p->lnext = true;
			if (L(p, ECHO) && L(p, ECHOCTL))
				echo_str(p, "^\b");
			return;
		}
		if (is_cc(p, c, VREPRINT) && L(p, ECHO) && L(p, IEXTEN)) {
			size_t i;

			echo_char(p, c);
			echo_raw(p, '\n');
			for (i = p->icanon; i < p->ilen; i++)
				echo_char(p, p->ib[i]);
			return;
		}
		if (c == '\n') {
			if (L(p, ECHO) || L(p, ECHONL))
				echo_raw(p, '\n');
			ib_put(p, c, F_EOL);
			return;
		}
		if (is_cc(p, c, VEOF)) {
			ib_put(p, c, F_EOF);
			return;
		}
		if (is_cc(p, c, VEOL) || (is_cc(p, c, VEOL2) && L(p, IEXTEN))) {
			if (L(p, ECHO))
				echo_char(p, c);
			ib_put(p, c, F_EOL);
			return;
		}
		if (p->ilen >= IBUF - 1)
			return;         /* full line: only a terminator still fits */
	}
literal:
	if (L(p, ECHO)) {
		if (c == '\n')
			echo_raw(p, c);
		else
			echo_char(p, c);
	}
	ib_put(p, c, 0);
}

/* Bytes a read on the slave may take now (FIONREAD; poll with min). */
static size_t input_ready(struct pty *p)
{
	size_t i, n = 0;

	if (!L(p, ICANON))
		return p->ilen;
	for (i = 0; i < p->icanon; i++)
		if (!(p->ifl[i] & F_EOF))
			n++;
	return n;
}

/* ---- the slave ---- */

static ssize_t read_canon(struct pty *p, char *buf, size_t n)
{
	size_t i, len;

	for (i = 0; i < p->icanon; i++)
		if (p->ifl[i])
			break;
	if (i == p->icanon)
		i = p->icanon - 1;
	if (p->ifl[i] & F_EOF) {
		len = i < n ? i : n;
		memcpy(buf, p->ib, len);
		ib_drop(p, len == i ? i + 1 : len);
		return len;
	}
	len = i + 1 < n ? i + 1 : n;
	memcpy(buf, p->ib, len);
	ib_drop(p, len);
	return len;
}

/*
 * Slave read: one line in canonical mode (0 at a VEOF on an empty line);
 * otherwise VMIN/VTIME as in termios(3).  EOF once the master is gone;
 * SIGTTIN for a background group.  -EAGAIN, -ERESTARTSYS, -EIO.
 */
static ssize_t slave_read(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	struct pty *p = PTY(f);
	size_t got = 0, take, want;
	uint64_t deadline = 0;
	struct waiter w;
	int err;

	(void)pos;
	if (!p->master_open)
		return 0;
	err = check_change(t, p, SIGTTIN);
	if (err)
		return err;
	if (!n)
		return 0;
	if (!L(p, ICANON) && CC(p, VMIN) == 0 && CC(p, VTIME) > 0)
		deadline = now_ns(CLOCK_MONOTONIC) + CC(p, VTIME) * 100000000ull;
	for (;;) {
		if (!p->master_open)
			return got;
		if (L(p, ICANON)) {
			if (p->icanon) {
				ssize_t r = read_canon(p, buf, n);

				wake_up(&p->wq);
				return r;
			}
		} else {
			take = p->ilen < n - got ? p->ilen : n - got;
			if (take) {
				memcpy((char *)buf + got, p->ib, take);
				ib_drop(p, take);
				got += take;
				wake_up(&p->wq);
				if (CC(p, VMIN) && CC(p, VTIME))
					deadline = now_ns(CLOCK_MONOTONIC) + CC(p, VTIME) * 100000000ull;
			}
			want = CC(p, VMIN) < n ? CC(p, VMIN) : n;
			if (got >= n || (CC(p, VMIN) == 0 && (got || !CC(p, VTIME))) ||
			    (CC(p, VMIN) && got >= want))
				return got;
		}
		if ((f->flags & O_NONBLOCK) || !t)
			return got ? (ssize_t)got : -EAGAIN;
		waitq_add(&p->wq, &w, t);
		err = task_sleep(t, deadline, -1, 0);
		waitq_del(&w);
		if (err == -ETIMEDOUT)
			return got;
		if (err == -EINTR)
			return got ? (ssize_t)got : -ERESTARTSYS;
	}
}

/* Slave write: output processing into the master's buffer; blocks while
 * it is full.  -EIO once the master is gone; SIGTTOU under TOSTOP. */
static ssize_t slave_write(struct task *t, struct file *f, const void *buf, size_t n, int64_t *pos)
{
	struct pty *p = PTY(f);
	const unsigned char *s = buf;
	size_t done = 0, k;
	struct waiter w;
	char o[8];
	int err;

	(void)pos;
	if (!p->master_open)
		return -EIO;
	if (L(p, TOSTOP)) {
		err = check_change(t, p, SIGTTOU);
		if (err)
			return err;
	}
	while (done < n) {
		if (!p->master_open)
			return done ? (ssize_t)done : -EIO;
		k = out_char(p, s[done], o, false);
		if (k <= ob_space(p)) {
			out_char(p, s[done], o, true);
			ob_put(p, o, k);
			done++;
			continue;
		}
		wake_up(&p->wq);
		if ((f->flags & O_NONBLOCK) || !t)
			return done ? (ssize_t)done : -EAGAIN;
		waitq_add(&p->wq, &w, t);
		err = task_sleep(t, 0, -1, 0);
		waitq_del(&w);
		if (err == -EINTR)
			return done ? (ssize_t)done : -ERESTARTSYS;
	}
	wake_up(&p->wq);
	return done;
}

/* After the hang-up: readable (EOF), HUP and ERR; n_tty_poll otherwise. */
static short slave_poll(struct file *f, struct poll_table *pt)
{
	struct pty *p = PTY(f);
	short mask = 0;
	size_t min = 1;

	poll_wait(pt, &p->wq);
	if (!p->master_open)
		return POLLIN | POLLERR | POLLHUP | POLLRDNORM;   /* what Linux 6 reports */
	if (!L(p, ICANON) && !CC(p, VTIME) && CC(p, VMIN))
		min = CC(p, VMIN);
	if (L(p, ICANON) ? p->icanon > 0 : p->ilen >= min)
		mask |= POLLIN | POLLRDNORM;
	if (ob_space(p) > 0)
		mask |= POLLOUT | POLLWRNORM;
	return mask;
}

/* ---- the master ---- */

/* Master read: the slave's output; EIO once every slave is closed and
 * the output drained. */
static ssize_t master_read(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	struct pty *p = PTY(f);
	struct waiter w;
	size_t k;
	int err;

	(void)pos;
	if (!n)
		return 0;
	for (;;) {
		/* packet mode (n_tty_read): a pending status alone, else a
		 * L_TIOCPKT_DATA byte before the data */
		if (p->packet && p->pktstatus) {
			*(uint8_t *)buf = p->pktstatus;
			p->pktstatus = 0;
			return 1;
		}
		if (p->olen) {
			size_t hdr = p->packet ? 1 : 0;

			if (hdr)
				*(uint8_t *)buf = L_TIOCPKT_DATA;
			k = p->olen < n - hdr ? p->olen : n - hdr;
			memcpy((char *)buf + hdr, p->ob, k);
			memmove(p->ob, p->ob + k, p->olen - k);
			p->olen -= k;
			wake_up(&p->wq);
			return k + hdr;
		}
		if (p->other_closed)
			return -EIO;
		if ((f->flags & O_NONBLOCK) || !t)
			return -EAGAIN;
		waitq_add(&p->wq, &w, t);
		err = task_sleep(t, 0, -1, 0);
		waitq_del(&w);
		if (err == -EINTR)
			return -ERESTARTSYS;
	}
}

/* Master write: input processing of each byte (typing at the terminal);
 * blocks while the slave's input buffer is full. */
static ssize_t master_write(struct task *t, struct file *f, const void *buf, size_t n, int64_t *pos)
{
	struct pty *p = PTY(f);
	const unsigned char *s = buf;
	size_t done = 0;
	struct waiter w;
	int err;

	(void)pos;
	while (done < n) {
		if (ib_room(p) || (L(p, ICANON) && !p->icanon)) {
			receive_char(p, s[done++]);
			continue;
		}
		wake_up(&p->wq);
		if ((f->flags & O_NONBLOCK) || !t)
			return done ? (ssize_t)done : -EAGAIN;
		waitq_add(&p->wq, &w, t);
		err = task_sleep(t, 0, -1, 0);
		waitq_del(&w);
		if (err == -EINTR)
			return done ? (ssize_t)done : -ERESTARTSYS;
	}
	wake_up(&p->wq);
	return done;
}

static short master_poll(struct file *f, struct poll_table *pt)
{
	struct pty *p = PTY(f);
	short mask = 0;

	poll_wait(pt, &p->wq);
	if (p->olen)
		mask |= POLLIN | POLLRDNORM;
	if (p->packet && p->pktstatus)
		mask |= POLLPRI | POLLIN | POLLRDNORM;
	if (p->other_closed)
		return mask | POLLHUP;
	if (ib_room(p))
		mask |= POLLOUT | POLLWRNORM;
	return mask;
}

/* ---- stat ---- */

static void pts_stat(struct pty *p, uint64_t dev, struct kstat *st)
{
	memset(st, 0, sizeof(*st));
	st->dev = dev;
	st->ino = PTS_INO_BASE + p->index;
	st->nlink = 1;
	st->mode = S_IFCHR | 0620;
	st->uid = p->uid;
	st->gid = p->gid;
	st->rdev = makedev(PTS_MAJOR, p->index);
	st->blksize = 1024;
	st->atime = st->mtime = st->ctime = p->ctime;
}

static int pty_fstat(struct file *f, struct kstat *st)
{
	struct ptyf *pf = f->priv;

	if (pf->has_node)
		*st = pf->node;
	else
		pts_stat(pf->p, f->mnt ? f->mnt->dev : 0, st);
	return 0;
}

static int pty_host_fd(struct file *f)
{
	(void)f;
	return -ENODEV;
}

/* ---- opening and closing ---- */

static void pty_put(struct pty *p)
{
	if (--p->refs > 0)
		return;
	ptys[p->index] = NULL;
	free(p);
}

static struct file *pty_file(struct pty *p, bool master, int flags, const char *path,
			     const struct kstat *node)
{
	struct ptyf *pf = calloc(1, sizeof(*pf));
	struct file *f;

	if (!pf)
		return NULL;
	f = file_alloc(master ? &pty_master_ops : &pty_slave_ops,
		       flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC), path);
	if (!f) {
		free(pf);
		return NULL;
	}
	pf->p = p;
	pf->master = master;
	if (node) {
		pf->has_node = true;
		pf->node = *node;
	}
	f->priv = pf;
	p->refs++;
	if (master) {
		p->master_open = true;
	} else {
		p->slaves++;
		p->other_closed = false;
	}
	return f;
}

/* A session leader without a controlling terminal acquires p on open. */
static void maybe_acquire(struct task *t, struct pty *p, int flags)
{
	if (!t || (flags & O_NOCTTY) || !is_session_leader(t) || t->tg->sid == INIT_SID)
		return;
	if (session_alive(p) || ctty_of(t))
		return;
	set_ctty(p, t);
}

/* Opens the slave of p: -EIO while locked or after the hang-up. */
static int open_slave(struct task *t, struct pty *p, int flags, const char *path,
		      const struct kstat *node, struct file **out)
{
	struct file *f;

	if (p->locked || !p->master_open)
		return -EIO;
	f = pty_file(p, false, flags, path, node);
	if (!f)
		return -ENOMEM;
	maybe_acquire(t, p, flags);
	*out = f;
	return 0;
}

static void pty_release(struct file *f)
{
	struct ptyf *pf = f->priv;
	struct pty *p = pf->p;

	if (pf->master) {
		p->master_open = false;
		/* tty_vhangup of the slave: its session leader is told */
		if (session_alive(p)) {
			struct task *l = task_find(p->session);

			if (l) {
				send_signal(l, SIGHUP, NULL, true);
				send_signal(l, SIGCONT, NULL, true);
			}
		}
		p->session = p->pgrp = 0;
	} else if (--p->slaves == 0) {
		p->other_closed = true;
	}
	wake_up(&p->wq);
	free(pf);
	f->priv = NULL;
	pty_put(p);
}

/*
 * pty_open_ptmx - open(2) of /dev/ptmx: a new pair, its master as *out
 * (path "/dev/ptmx"-like as given, fstat showing node).  The slave starts
 * locked.  -ENOSPC when every index is taken, -ENOMEM.  Linux's ptmx_open.
 */
int pty_open_ptmx(int flags, const char *path, const struct kstat *node, struct file **out)
{
	struct pty *p;
	int i;

	for (i = 0; i < PTY_MAX && ptys[i]; i++)
		;
	if (i == PTY_MAX)
		return -ENOSPC;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->index = i;
	p->locked = true;
	termios_init(&p->tio);
	p->uid = cur_fsuid();
	p->gid = cur_fsgid();
	p->ctime = ts_now();
	waitq_init(&p->wq);
	*out = pty_file(p, true, flags, path, node);
	if (!*out) {
		free(p);
		return -ENOMEM;
	}
	ptys[i] = p;
	return 0;
}

/* "N" (decimal, no leading zero) as a live pair, or NULL */
/*
 * pty_ctty_nr - /proc/PID/stat's tty_nr for t: the encoded device number
 * (major 136, minor N, as new_encode_dev) of its session's controlling
 * pty, or 0 if it has none; *tpgid gets that terminal's foreground
 * process group, or -1.
 */
int pty_ctty_nr(struct task *t, int *tpgid)
{
	struct pty *p = t->tg ? ctty_of(t) : NULL;
	*tpgid = -1;
	if (!p)
		return 0;
	*tpgid = p->pgrp ? p->pgrp : -1;
	unsigned minor = (unsigned)p->index, major = 136;
	return (int)((minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12));
}

static struct pty *pts_find(const char *name)
{
	char *end;
	long i;

	if (!isdigit((unsigned char)name[0]) || (name[0] == '0' && name[1]))
		return NULL;
	i = strtol(name, &end, 10);
	if (*end || i < 0 || i >= PTY_MAX || !ptys[i] || !ptys[i]->master_open)
		return NULL;
	return ptys[i];
}

/*
 * devpts_lookup - stat of name inside /dev/pts ("ptmx" or "N" for a live
 * pair: S_IFCHR 0620, rdev 136:N).  dev: st_dev to report.  -ENOENT.
 */
int devpts_lookup(uint64_t dev, const char *name, struct kstat *st)
{
	struct pty *p;

	if (!strcmp(name, "ptmx")) {
		memset(st, 0, sizeof(*st));
		st->dev = dev;
		st->ino = PTMX_INO;
		st->nlink = 1;
		st->mode = S_IFCHR;     /* devpts' default ptmxmode=000 */
		st->rdev = makedev(5, 2);
		st->blksize = 1024;
		st->atime = st->mtime = st->ctime = ts_now();
		return 0;
	}
	p = pts_find(name);
	if (!p)
		return -ENOENT;
	pts_stat(p, dev, st);
	return 0;
}

/*
 * devpts_open - open(2) of /dev/pts/NAME for t: "ptmx" is a new master,
 * "N" the slave of pair N (-EIO while locked).  Opening the slave without
 * O_NOCTTY makes it the controlling terminal of a session leader that has
 * none.  -ENOENT for no such pair.
 */
int devpts_open(struct task *t, uint64_t dev, const char *name, int flags, struct file **out)
{
	struct kstat st;
	char path[64];
	struct pty *p;
	int err;

	err = devpts_lookup(dev, name, &st);
	if (err)
		return err;
	snprintf(path, sizeof(path), "/dev/pts/%s", name);
	if (!strcmp(name, "ptmx"))
		return pty_open_ptmx(flags, path, &st, out);
	p = pts_find(name);
	return open_slave(t, p, flags, path, NULL, out);
}

/* devpts_readdir - the entries of /dev/pts: ptmx and every live slave. */
int devpts_readdir(struct dir_entry **ents, size_t *n)
{
	size_t cap = 0;
	char name[16];
	int i;

	*ents = NULL;
	*n = 0;
	if (dents_add(ents, n, &cap, PTMX_INO, DT_CHR, "ptmx"))
		goto fail;
	for (i = 0; i < PTY_MAX; i++) {
		if (!ptys[i] || !ptys[i]->master_open)
			continue;
		snprintf(name, sizeof(name), "%d", i);
		if (dents_add(ents, n, &cap, PTS_INO_BASE + i, DT_CHR, name))
			goto fail;
	}
	return 0;
fail:
	free(*ents);
	*ents = NULL;
	return -ENOMEM;
}

/*
 * pty_open_ctty - open(2) of /dev/tty when t's session has a pty as its
 * controlling terminal: that slave, fstat showing node.  -ENXIO when the
 * session has none (the caller then falls back to the host terminal).
 */
int pty_open_ctty(struct task *t, int flags, const char *path, const struct kstat *node,
		  struct file **out)
{
	struct pty *p = t ? ctty_of(t) : NULL;
	struct file *f;

	if (!p)
		return -ENXIO;
	f = pty_file(p, false, flags, path, node);
	if (!f)
		return -ENOMEM;
	*out = f;
	return 0;
}

/* ---- ioctl ---- */

static long put_int(struct task *t, uint64_t arg, int v)
{
	return copy_to_user(t, arg, &v, sizeof(v)) ? -EFAULT : 0;
}

/* Whether t has the ^S/^Q flow control a packet-mode master reports. */
static bool std_flow(const struct pty_termios *t)
{
	return (t->c_iflag & IXON) && t->c_cc[VSTOP] == '\023' && t->c_cc[VSTART] == '\021';
}

static void set_termios(struct pty *p, const struct pty_termios *req)
{
	/* unset_locked_termios: what TIOCSLCKTRMIOS locked keeps its value */
	struct pty_termios lk = *req, *nt = &lk;
	const struct pty_termios *l = &p->tio_locked;
	nt->c_iflag = (nt->c_iflag & ~l->c_iflag) | (p->tio.c_iflag & l->c_iflag);
	nt->c_oflag = (nt->c_oflag & ~l->c_oflag) | (p->tio.c_oflag & l->c_oflag);
	nt->c_cflag = (nt->c_cflag & ~l->c_cflag) | (p->tio.c_cflag & l->c_cflag);
	nt->c_lflag = (nt->c_lflag & ~l->c_lflag) | (p->tio.c_lflag & l->c_lflag);
	if (l->c_line)
		nt->c_line = p->tio.c_line;
	for (size_t i = 0; i < sizeof(nt->c_cc); i++)
		if (l->c_cc[i])
			nt->c_cc[i] = p->tio.c_cc[i];

	bool canon_changed = (p->tio.c_lflag ^ nt->c_lflag) & ICANON;
	bool old_flow = std_flow(&p->tio), new_flow = std_flow(nt);
	bool extproc = (p->tio.c_lflag | nt->c_lflag) & EXTPROC;

	/* pty_set_termios: a packet-mode master hears of flow control
	 * turned on or off, and of every change under EXTPROC */
	if (p->packet && (old_flow != new_flow || extproc)) {
		if (old_flow != new_flow) {
			p->pktstatus &= ~(L_TIOCPKT_DOSTOP | L_TIOCPKT_NOSTOP);
			p->pktstatus |= new_flow ? L_TIOCPKT_DOSTOP : L_TIOCPKT_NOSTOP;
		}
		if (extproc)
			p->pktstatus |= L_TIOCPKT_IOCTL;
	}
	p->tio = *nt;
	if (canon_changed) {
		/* n_tty_set_termios: what is buffered becomes readable */
		p->icanon = p->ilen;
		if (p->ilen && L(p, ICANON))
			p->ifl[p->ilen - 1] |= F_EOL;
		p->lnext = false;
	}
	wake_up(&p->wq);
}

/* TIOCSCTTY (Linux's tiocsctty): arg 1 lets root steal it. */
static long do_tiocsctty(struct task *t, struct pty *p, uint64_t arg)
{
	if (is_session_leader(t) && is_ctty(t, p))
		return 0;
	if (!is_session_leader(t) || ctty_of(t))
		return -EPERM;
	if (session_alive(p)) {
		if (arg != 1 || t->cred.euid != 0)
			return -EPERM;
	}
	set_ctty(p, t);
	return 0;
}

/* TIOCNOTTY on the controlling terminal: the session leader gives it up,
 * and its foreground group gets SIGHUP and SIGCONT. */
static long do_tiocnotty(struct task *t, struct pty *p)
{
	int pg;

	if (!is_ctty(t, p))
		return -ENOTTY;
	if (!is_session_leader(t))
		return 0;
	pg = p->pgrp;
	p->session = p->pgrp = 0;
	pgrp_signal(pg, SIGHUP);
	pgrp_signal(pg, SIGCONT);
	return 0;
}

/*
 * The ioctls of both ends (Linux's tty_ioctl, tty_mode_ioctl,
 * pty_unix98_ioctl, n_tty_ioctl): termios and window size are the pair's
 * and shared; job-control calls on the slave need it to be the caller's
 * controlling terminal (-ENOTTY).  After the hang-up the slave answers
 * every ioctl with -EIO.  -ENOTTY for unknown commands.
 */
static long pty_ioctl(struct task *t, struct file *f, unsigned int cmd, uint64_t arg)
{
	struct pty *p = PTY(f);
	bool master = is_master(f);
	struct pty_termios nt;
	struct linux_winsize ws;
	unsigned char ch;
	int v, sid;
	long err;

	if (!master && !p->master_open)
		return cmd == L_TIOCSPGRP ? -ENOTTY : -EIO;
	switch (cmd) {
	case L_TCGETS:
		return copy_to_user(t, arg, &p->tio, sizeof(p->tio)) ? -EFAULT : 0;
	case L_TCSETS:
	case L_TCSETSW:
	case L_TCSETSF:
		err = check_change(t, p, SIGTTOU);
		if (err)
			return err;
		if (copy_from_user(t, &nt, arg, sizeof(nt)))
			return -EFAULT;
		if (cmd == L_TCSETSF)
			flush_input(p);
		set_termios(p, &nt);
		return 0;
	case L_TIOCGLCKTRMIOS:
		/* the pair's locked termios (tty_mode_ioctl: a master's
		 * call reaches its slave's) */
		return copy_to_user(t, arg, &p->tio_locked, sizeof(p->tio_locked)) ? -EFAULT : 0;
	case L_TIOCSLCKTRMIOS:
		if (!capable(t, CAP_SYS_ADMIN))
			return -EPERM;
		if (copy_from_user(t, &nt, arg, sizeof(nt)))
			return -EFAULT;
		p->tio_locked = nt;
		return 0;
	case 0x5405: { /* TCGETA: the old struct termio (16-bit flags, 8 cc) */
		/* Linux's struct termio: 17 bytes of fields, 18 with padding */
		struct { uint16_t i, o, c, l; uint8_t line, cc[8]; } to;
		_Static_assert(sizeof to == 18, "struct termio");
		memset(&to, 0, sizeof to);
		to.i = p->tio.c_iflag;
		to.o = p->tio.c_oflag;
		to.c = p->tio.c_cflag;
		to.l = p->tio.c_lflag;
		to.line = p->tio.c_line;
		memcpy(to.cc, p->tio.c_cc, 8);
		return copy_to_user(t, arg, &to, sizeof to) ? -EFAULT : 0;
	}
	case 0x5406: case 0x5407: case 0x5408: { /* TCSETA, TCSETAW, TCSETAF */
		struct { uint16_t i, o, c, l; uint8_t line, cc[8]; } to;
		err = check_change(t, p, SIGTTOU);
		if (err)
			return err;
		if (copy_from_user(t, &to, arg, sizeof to))
			return -EFAULT;
		/* the low 16 bits of each flag word and the first 8 cc
		 * (Linux's user_termio_to_kernel_termios) */
		nt = p->tio;
		nt.c_iflag = (nt.c_iflag & 0xffff0000) | to.i;
		nt.c_oflag = (nt.c_oflag & 0xffff0000) | to.o;
		nt.c_cflag = (nt.c_cflag & 0xffff0000) | to.c;
		nt.c_lflag = (nt.c_lflag & 0xffff0000) | to.l;
		nt.c_line = to.line;
		memcpy(nt.c_cc, to.cc, 8);
		if (cmd == 0x5408)
			flush_input(p);
		set_termios(p, &nt);
		return 0;
	}
	case L_TCSBRK:
	case L_TCSBRKP:
	case L_TCXONC:
		return 0;
	case L_TCFLSH:
		err = check_change(t, p, SIGTTOU);
		if (err)
			return err;
		if (arg > TCIOFLUSH)
			return -EINVAL;
		if (master) {
			/* the master's input is the slave's output; its
			 * output flush reaches only the slave's flip buffer,
			 * already empty (see slave_flush) */
			if (arg != TCOFLUSH)
				p->olen = 0;
		} else {
			slave_flush(p, arg != TCOFLUSH, arg != TCIFLUSH);
		}
		wake_up(&p->wq);
		return 0;
	case L_TIOCEXCL:
	case L_TIOCNXCL:
		return 0;
	case L_TIOCGWINSZ:
		return copy_to_user(t, arg, &p->ws, sizeof(p->ws)) ? -EFAULT : 0;
	case L_TIOCSWINSZ:
		if (copy_from_user(t, &ws, arg, sizeof(ws)))
			return -EFAULT;
		if (memcmp(&ws, &p->ws, sizeof(ws))) {
			p->ws = ws;
			if (session_alive(p))
				pgrp_signal(p->pgrp, SIGWINCH);
		}
		return 0;
	case L_FIONREAD:
		return put_int(t, arg, master ? (int)p->olen : (int)input_ready(p));
	case L_TIOCOUTQ:
		return put_int(t, arg, 0);
	case L_TIOCSTI:
		/* dev.tty.legacy_tiocsti 0: only CAP_SYS_ADMIN may (tiocsti) */
		if (!sysctl_legacy_tiocsti && !capable(t, CAP_SYS_ADMIN))
			return -EIO;
		if (copy_from_user(t, &ch, arg, 1))
			return -EFAULT;
		if (!master && !is_ctty(t, p) && t->cred.euid != 0)
			return -EPERM;
		receive_char(p, ch);
		wake_up(&p->wq);
		return 0;
	case L_TIOCGETD:
		return put_int(t, arg, 0);   /* N_TTY */
	case L_TIOCSETD:
		if (copy_from_user(t, &v, arg, sizeof(v)))
			return -EFAULT;
		return v == 0 ? 0 : -EINVAL;
	case L_TIOCPKT:
		/* pty_set_pktmode: turning it on forgets older events */
		if (!master)
			return -ENOTTY;
		if (copy_from_user(t, &v, arg, sizeof(v)))
			return -EFAULT;
		if (v && !p->packet)
			p->pktstatus = 0;
		p->packet = v != 0;
		return 0;
	case L_TIOCGPKT:
		if (!master)
			return -ENOTTY;
		return put_int(t, arg, p->packet);
	case L_TIOCGPTN:
		if (!master)
			return -ENOTTY;
		return put_int(t, arg, p->index);
	case L_TIOCSPTLCK:
		if (!master)
			return -ENOTTY;
		if (copy_from_user(t, &v, arg, sizeof(v)))
			return -EFAULT;
		p->locked = v != 0;
		return 0;
	case L_TIOCGPTLCK:
		if (!master)
			return -ENOTTY;
		return put_int(t, arg, p->locked);
	case L_TIOCGDEV:
		return put_int(t, arg, master ? (int)makedev(5, 2) : (int)makedev(PTS_MAJOR, p->index));
	case L_TIOCGPTPEER: {
		struct file *sf;
		char path[32];

		if (!master)
			return -ENOTTY;
		if (arg & ~(uint64_t)(O_ACCMODE | O_NOCTTY | O_NONBLOCK | O_CLOEXEC))
			return -EINVAL;
		snprintf(path, sizeof(path), "/dev/pts/%d", p->index);
		err = open_slave(t, p, (int)arg, path, NULL, &sf);
		if (err)
			return err;
		{
			struct nameidata nd;

			/* the node's mount, so that fstat and stat agree */
			if (vfs_walk(t, AT_FDCWD, path, 0, &nd) == 0) {
				file_set_mnt(sf, nd.mnt);
				nd_release(&nd);
			}
		}
		return fd_install(t, 0, sf, arg & O_CLOEXEC);
	}
	case L_TIOCSCTTY:
		if (master)
			return -ENOTTY;  /* only slaves may be controlling terminals here */
		return do_tiocsctty(t, p, arg);
	case L_TIOCNOTTY:
		if (master)
			return -ENOTTY;
		return do_tiocnotty(t, p);
	case L_TIOCGPGRP:
		if (!master && !is_ctty(t, p))
			return -ENOTTY;
		session_alive(p);
		return put_int(t, arg, global_vnr(t, p->pgrp));
	case L_TIOCGSID:
		if (!master && !is_ctty(t, p))
			return -ENOTTY;
		if (!session_alive(p))
			return -ENOTTY;
		return put_int(t, arg, global_vnr(t, p->session));
	case L_TIOCSPGRP:
		err = check_change(t, p, SIGTTOU);
		if (err)
			return err;
		if (!is_ctty(t, p))
			return -ENOTTY;
		if (copy_from_user(t, &v, arg, sizeof(v)))
			return -EFAULT;
		if (v < 0)
			return -EINVAL;
		v = vnr_to_global(t, v);
		if (!v || !pgrp_exists(v, &sid))
			return -ESRCH;
		if (sid != t->tg->sid)
			return -EPERM;
		p->pgrp = v;
		return 0;
	}
	return -ENOTTY;
}

static const struct file_ops pty_master_ops = {
	.read = master_read,
	.write = master_write,
	.fstat = pty_fstat,
	.ioctl = pty_ioctl,
	.poll = master_poll,
	.host_fd = pty_host_fd,
	.release = pty_release,
	.seekable = false,
};

static const struct file_ops pty_slave_ops = {
	.read = slave_read,
	.write = slave_write,
	.fstat = pty_fstat,
	.ioctl = pty_ioctl,
	.poll = slave_poll,
	.host_fd = pty_host_fd,
	.release = pty_release,
	.seekable = false,
};
