/*
 * printk.c - the kernel log the guest reads: syslog(2) (dmesg's old
 * way) and /dev/kmsg (util-linux dmesg, journald), as Linux's
 * kernel/printk/printk.c.
 *
 * In a nutshell: a ring of records (sequence number, time since boot,
 * facility and level, text).  umk logs what Linux logs that a guest can
 * see happening to itself: the boot banner, the init process it runs,
 * and the "segfault at" lines of processes killed by an unhandled fault
 * (debug/coredump.c).  Guests add records by writing /dev/kmsg.  The
 * oldest records go when the ring holds more than LOG_BUF_LEN bytes of
 * text; a /dev/kmsg reader that fell behind gets EPIPE once, as Linux's.
 * syslog(2) READ consumes records (its own position, syslog_seq); CLEAR
 * moves the position READ_ALL starts from (clear_seq).  Access is
 * restricted as with Linux's kernel.dmesg_restrict = 1 (Debian's
 * default): CAP_SYSLOG (or CAP_SYS_ADMIN) for everything.
 *
 * Lock: klock, held by every caller.
 */
#include "../kernel.h"
#include "../fs/fs.h"

#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define LOG_BUF_LEN   (128 * 1024)   /* text kept, as CONFIG_LOG_BUF_SHIFT=17 */
#define CAP_SYSLOG    34
#define LOG_USER_FAC  1

/* console_loglevel, default_message_loglevel, minimum_console_loglevel,
 * default_console_loglevel (Linux's console_printk[]): umk has no
 * console, so they are kept and read back; a /dev/kmsg record without
 * a <N> prefix takes default_message_loglevel, as Linux's. */
static int console_printk[4] = { 4, 4, 1, 7 };
static int saved_console_loglevel = -1;   /* CONSOLE_OFF's, for CONSOLE_ON */
#define DEFAULT_MSG_LEVEL (console_printk[1])

struct printk_rec {
	uint64_t seq, ts_ns;
	uint8_t facility, level;
	char *text;                   /* without a trailing newline */
	size_t len;
};

static struct printk_rec *ring;       /* [first_seq .. next_seq), circular */
static size_t ring_cap, ring_bytes;
static uint64_t first_seq, next_seq, syslog_seq, clear_seq;
static struct wait_queue log_wait = { LIST_HEAD_INIT(log_wait.waiters) };

static struct printk_rec *rec_at(uint64_t seq)
{
	return &ring[seq % ring_cap];
}

static void drop_oldest(void)
{
	struct printk_rec *r = rec_at(first_seq);

	ring_bytes -= r->len;
	free(r->text);
	r->text = NULL;
	first_seq++;
	if (syslog_seq < first_seq)
		syslog_seq = first_seq;
	if (clear_seq < first_seq)
		clear_seq = first_seq;
}

/* Appends one record (text of len bytes, one line); drops the oldest
 * while the ring is over its size or full. */
static void log_store(int facility, int level, const char *text, size_t len)
{
	struct printk_rec *r;
	char *copy;

	while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		len--;
	if (len > 1024 - 48)
		len = 1024 - 48;      /* Linux's PRINTKRB_RECORD_MAX-ish line limit */
	if (!ring) {
		ring_cap = 4096;
		ring = calloc(ring_cap, sizeof(*ring));
		if (!ring)
			return;
	}
	copy = malloc(len + 1);
	if (!copy)
		return;
	memcpy(copy, text, len);
	copy[len] = 0;
	while (first_seq < next_seq && (next_seq - first_seq >= ring_cap || ring_bytes + len > LOG_BUF_LEN))
		drop_oldest();
	r = rec_at(next_seq);
	r->seq = next_seq++;
	r->ts_ns = now_ns(CLOCK_MONOTONIC) - boot_time_ns;
	r->facility = (uint8_t)facility;
	r->level = (uint8_t)(level & 7);
	r->text = copy;
	r->len = len;
	ring_bytes += len;
	wake_up(&log_wait);
}

/*
 * printk - a kernel message at level (0 KERN_EMERG .. 7 KERN_DEBUG),
 * printf-style, one record per line.  Caller holds klock.
 */
void printk(int level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof buf)
		n = sizeof buf - 1;
	for (char *p = buf, *end = buf + n; p < end;) {
		char *nl = memchr(p, '\n', end - p);
		size_t l = (nl ? nl : end) - p;

		log_store(0, level, p, l);
		p += l + 1;
	}
}

/* dmesg_restrict = 1: the log is for CAP_SYSLOG (CAP_SYS_ADMIN too). */
static int syslog_perm(struct task *t)
{
	return capable(t, CAP_SYSLOG) || capable(t, CAP_SYS_ADMIN) ? 0 : -EPERM;
}

/* A record as syslog(2) gives it: "<PRI>[    s.uuuuuu] text\n". */
static int syslog_text(const struct printk_rec *r, char *out, size_t cap)
{
	return snprintf(out, cap, "<%u>[%5llu.%06llu] %s\n", (unsigned)(r->facility << 3 | r->level),
			(unsigned long long)(r->ts_ns / 1000000000ULL),
			(unsigned long long)(r->ts_ns % 1000000000ULL / 1000), r->text);
}

/* Copies records from *seq on into guest buf while whole ones fit;
 * advances *seq past them.  Returns the bytes copied or -EFAULT. */
static long copy_records(struct task *t, uint64_t buf, size_t len, uint64_t *seq)
{
	char line[1200];
	size_t done = 0;

	for (; *seq < next_seq; (*seq)++) {
		int n = syslog_text(rec_at(*seq), line, sizeof line);

		if (n < 0 || done + (size_t)n > len)
			break;
		if (copy_to_user(t, buf + done, line, n))
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return (long)done;
}

/*
 * syslog(type, buf, len) - Linux's do_syslog: 0 CLOSE, 1 OPEN (no-ops),
 * 2 READ (waits for a record, takes what fits, consumed), 3 READ_ALL (the
 * newest that fit, from clear_seq), 4 READ_CLEAR (and CLEAR), 5 CLEAR,
 * 6 CONSOLE_OFF, 7 CONSOLE_ON, 8 CONSOLE_LEVEL (len 1..8), 9 SIZE_UNREAD,
 * 10 SIZE_BUFFER.  -EPERM without CAP_SYSLOG, -EINVAL, -EFAULT, -EINTR.
 */
long sys_syslog(struct task *t, struct sysargs *a)
{
	int type = arg_int(a, 0), len = arg_int(a, 2);
	uint64_t buf = a->a[1];
	long err;

	if (type < 0 || type > 10)
		return -EINVAL;
	err = syslog_perm(t);
	if (err)
		return err;
	switch (type) {
	case 0:
	case 1:
		return 0;
	case 2: {
		struct waiter w;

		if (!buf || len < 0)
			return -EINVAL;
		if (!len)
			return 0;
		if (!user_range_ok(t, buf, len, PROT_WRITE))
			return -EFAULT;
		while (syslog_seq >= next_seq) {
			waitq_add(&log_wait, &w, t);
			err = task_sleep(t, 0, -1, 0);
			waitq_del(&w);
			if (err == -EINTR)
				return -ERESTARTSYS;
		}
		return copy_records(t, buf, len, &syslog_seq);
	}
	case 3:
	case 4: {
		char line[1200];
		uint64_t seq = clear_seq, from;
		size_t total = 0;
		long r;

		if (!buf || len < 0)
			return -EINVAL;
		if (!len)
			return 0;
		if (!user_range_ok(t, buf, len, PROT_WRITE))
			return -EFAULT;
		/* the newest records that fit, as syslog_print_all */
		for (from = next_seq; from > seq; from--) {
			int n = syslog_text(rec_at(from - 1), line, sizeof line);

			if (total + n > (size_t)len)
				break;
			total += n;
		}
		r = copy_records(t, buf, len, &from);
		if (type == 4 && r >= 0)
			clear_seq = next_seq;
		return r;
	}
	case 5:
		clear_seq = next_seq;
		return 0;
	case 6:   /* CONSOLE_OFF: down to the minimum, the level kept */
		if (saved_console_loglevel == -1)
			saved_console_loglevel = console_printk[0];
		console_printk[0] = console_printk[2];
		return 0;
	case 7:   /* CONSOLE_ON: the kept level back */
		if (saved_console_loglevel != -1) {
			console_printk[0] = saved_console_loglevel;
			saved_console_loglevel = -1;
		}
		return 0;
	case 8:   /* CONSOLE_LEVEL: len, not below the minimum */
		if (len < 1 || len > 8)
			return -EINVAL;
		console_printk[0] = len < console_printk[2] ? console_printk[2] : len;
		saved_console_loglevel = -1;
		return 0;
	case 9: {
		char line[1200];
		long n = 0;

		for (uint64_t s = syslog_seq; s < next_seq; s++)
			n += syslog_text(rec_at(s), line, sizeof line);
		return n;
	}
	case 10:
		return LOG_BUF_LEN;
	}
	return -EINVAL;
}

/* ---- /dev/kmsg ---- */

struct kmsg_user {
	uint64_t seq;                 /* next record this open file reads */
	struct kstat node;            /* what fstat shows: devfs's node */
};

/* One record per read: "PRI,SEQ,USEC,-;text\n", non-printable bytes of
 * the text as \xNN.  -EINVAL if it does not fit, -EPIPE (then the next
 * one) if the ring overwrote records this reader had not read, -EAGAIN
 * or a wait at the end. */
static ssize_t kmsg_read(struct task *t, struct file *f, void *buf, size_t n, int64_t *pos)
{
	struct kmsg_user *u = f->priv;
	char line[4200];
	struct waiter w;
	int k, err;

	(void)pos;
	while (u->seq >= next_seq) {
		if ((f->flags & O_NONBLOCK) || !t)
			return -EAGAIN;
		waitq_add(&log_wait, &w, t);
		err = task_sleep(t, 0, -1, 0);
		waitq_del(&w);
		if (err == -EINTR)
			return -ERESTARTSYS;
	}
	if (u->seq < first_seq) {
		u->seq = first_seq;
		return -EPIPE;
	}
	const struct printk_rec *r = rec_at(u->seq);
	k = snprintf(line, sizeof line, "%u,%llu,%llu,-;", (unsigned)(r->facility << 3 | r->level),
		     (unsigned long long)r->seq, (unsigned long long)(r->ts_ns / 1000));
	for (size_t i = 0; i < r->len && k < (int)sizeof line - 8; i++) {
		unsigned char c = (unsigned char)r->text[i];

		if (c < ' ' || c >= 127 || c == '\\')
			k += snprintf(line + k, sizeof line - k, "\\x%02x", c);
		else
			line[k++] = (char)c;
	}
	line[k++] = '\n';
	if ((size_t)k > n)
		return -EINVAL;
	memcpy(buf, line, k);
	u->seq++;
	return k;
}

/* A write is one record: "<N>" sets facility and level (LOG_KERN from a
 * process becomes LOG_USER), else LOG_USER at the default level. */
static ssize_t kmsg_write(struct task *t, struct file *f, const void *buf, size_t n, int64_t *pos)
{
	const char *s = buf;
	size_t len = n;
	int facility = LOG_USER_FAC, level = DEFAULT_MSG_LEVEL;

	(void)t, (void)f, (void)pos;
	if (len > 1024 - 48)
		return -EINVAL;
	if (len >= 3 && s[0] == '<') {
		size_t i = 1;
		unsigned v = 0;

		while (i < len && i < 12 && s[i] >= '0' && s[i] <= '9')
			v = v * 10 + (unsigned)(s[i++] - '0');
		if (i > 1 && i < len && s[i] == '>') {
			level = v & 7;
			if (v >> 3)
				facility = (int)(v >> 3) & 0xff;
			s += i + 1;
			len -= i + 1;
		}
	}
	log_store(facility, level, s, len);
	return n;
}

static short kmsg_poll(struct file *f, struct poll_table *pt)
{
	struct kmsg_user *u = f->priv;

	poll_wait(pt, &log_wait);
	if (u->seq < first_seq)
		return POLLIN | POLLRDNORM | POLLERR | POLLPRI;
	return (u->seq < next_seq ? POLLIN | POLLRDNORM : 0) | POLLOUT | POLLWRNORM;
}

/* SEEK_SET 0: the oldest record; SEEK_DATA: after the last CLEAR;
 * SEEK_END: after the newest.  Any offset else: -ESPIPE / -EINVAL. */
static int64_t kmsg_llseek(struct file *f, int64_t off, int whence)
{
	struct kmsg_user *u = f->priv;

	if (off)
		return -ESPIPE;
	switch (whence) {
	case SEEK_SET:
		u->seq = first_seq;
		return 0;
	case SEEK_DATA:
		u->seq = clear_seq;
		return 0;
	case SEEK_END:
		u->seq = next_seq;
		return 0;
	}
	return -EINVAL;
}

static int kmsg_fstat(struct file *f, struct kstat *st)
{
	*st = ((struct kmsg_user *)f->priv)->node;
	return 0;
}

static void kmsg_release(struct file *f)
{
	free(f->priv);
	f->priv = NULL;
}

static const struct file_ops kmsg_ops = {
	.read = kmsg_read,
	.write = kmsg_write,
	.poll = kmsg_poll,
	.fstat = kmsg_fstat,
	.llseek = kmsg_llseek,
	.release = kmsg_release,
	.seekable = true,
};

/*
 * kmsg_open - open(2) of /dev/kmsg for t: a reader starts at the oldest
 * record.  Reading needs CAP_SYSLOG (dmesg_restrict); writing does not.
 * node: what fstat shows (devfs's).  -EPERM, -ENOMEM.
 */
int kmsg_open(struct task *t, int flags, const char *path, const struct kstat *node,
	      struct file **out)
{
	struct kmsg_user *u;
	struct file *f;

	if ((flags & O_ACCMODE) != O_WRONLY && t && syslog_perm(t))
		return -EPERM;
	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	u->seq = first_seq;
	u->node = *node;
	f = file_alloc(&kmsg_ops, flags, path);
	if (!f) {
		free(u);
		return -ENOMEM;
	}
	f->priv = u;
	*out = f;
	return 0;
}

/*
 * printk_proc_read/write - /proc/sys/kernel/printk (name "kernel/printk"):
 * the four console_printk levels as "A\tB\tC\tD\n" in a malloc'd *text;
 * a write sets the first 1..4 of them as proc_dointvec (Linux's
 * kernel/printk/sysctl.c: no range, any int).  -ENOENT (another name),
 * -EINVAL, -ENOMEM.
 */
int printk_proc_read(struct task *t, const char *name, char **text)
{
	(void)t;
	if (strcmp(name, "kernel/printk"))
		return -ENOENT;
	return asprintf(text, "%d\t%d\t%d\t%d\n", console_printk[0], console_printk[1],
			console_printk[2], console_printk[3]) < 0 ? -ENOMEM : 0;
}

int printk_proc_write(struct task *t, const char *name, const char *buf, size_t n)
{
	int v[4], got, err;

	(void)t;
	if (strcmp(name, "kernel/printk"))
		return -ENOENT;
	memcpy(v, console_printk, sizeof(v));
	err = sysctl_parse_intvec(buf, n, 4, v, &got);
	if (!err)
		memcpy(console_printk, v, sizeof(v));
	return err;
}
