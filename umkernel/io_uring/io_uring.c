/*
 * io_uring.c - io_uring_setup, io_uring_enter, io_uring_register (Linux's
 * io_uring/; io_uring(7)), carried out synchronously.
 *
 * In a nutshell: an io_uring fd owns a host memfd that holds the rings
 * at Linux's mmap offsets: the SQ ring (head, tail, mask, entries, flags,
 * dropped, then the index array) at IORING_OFF_SQ_RING, the CQ ring
 * (head, tail, mask, entries, overflow, flags, then the CQEs) at
 * IORING_OFF_CQ_RING, the SQE array at IORING_OFF_SQES (the memfd is
 * sparse between them).  The guest maps them through the fd like any
 * file mapping (file_ops->host_fd); the kernel maps the same pages into
 * its own address space and reads the SQEs and writes the CQEs there.
 * io_uring_enter runs each submitted SQE at once, in the caller, through
 * the syscall handlers of the same operation (read/pread, readv/preadv,
 * write..., fsync, sendmsg/recvmsg), and posts its CQE before returning,
 * so IORING_ENTER_GETEVENTS never has to wait.  Not carried out: SQPOLL
 * and IOPOLL rings (EINVAL at setup), registered files (IOSQE_FIXED_FILE:
 * EBADF), linked and drained requests run in order anyway, operations
 * past the list below (EINVAL in their CQE); a request that would block
 * (a read of an empty pipe) blocks io_uring_enter.  The rings' memory is
 * Linux's layout with separate SQ and CQ mappings (no
 * IORING_FEAT_SINGLE_MMAP).
 *
 * Lock: klock, held by every caller (the handlers drop it where they
 * sleep; the ring stays referenced by the fd taken for the call).
 */
#include "../kernel.h"
#include "../fs/fs.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define IORING_OFF_SQ_RING_  0ULL
#define IORING_OFF_CQ_RING_  0x8000000ULL
#define IORING_OFF_SQES_     0x10000000ULL

#define IORING_SETUP_CQSIZE_   (1u << 3)
#define IORING_SETUP_CLAMP_    (1u << 4)
#define IORING_MAX_ENTRIES_    32768u
#define IORING_MAX_CQ_ENTRIES_ (2 * IORING_MAX_ENTRIES_)

#define IORING_FEAT_NODROP_        (1u << 1)
#define IORING_FEAT_SUBMIT_STABLE_ (1u << 2)
#define IORING_FEAT_RW_CUR_POS_    (1u << 3)

#define IORING_ENTER_GETEVENTS_ 1u
#define IORING_ENTER_KNOWN_     0x3fu   /* GETEVENTS..REGISTERED_RING, ABS_TIMER */

#define IOSQE_FIXED_FILE_ 1u
#define IORING_FSYNC_DATASYNC_ 1u

enum {
	OP_NOP = 0, OP_READV = 1, OP_WRITEV = 2, OP_FSYNC = 3, OP_READ_FIXED = 4,
	OP_WRITE_FIXED = 5, OP_SENDMSG = 9, OP_RECVMSG = 10, OP_READ = 22, OP_WRITE = 23,
	OP_SYNC_FILE_RANGE = 8, OP_FALLOCATE = 17, OP_OPENAT = 18, OP_CLOSE = 19, OP_STATX = 21, OP_FADVISE = 24, OP_MADVISE = 25,
};

enum { REG_BUFFERS = 0, UNREG_BUFFERS = 1 };

/* Ring fields at these offsets of their regions (the offsets setup reports). */
#define R_HEAD     0
#define R_TAIL     4
#define R_MASK     8
#define R_ENTRIES 12
#define R_FLAGS   16
#define R_DROPPED 20    /* SQ: dropped; CQ: overflow */
#define R_CQFLAGS 20
#define R_ARRAY   64    /* SQ: the index array; CQ: the CQEs */

struct linux_io_sqring_offsets {
	uint32_t head, tail, ring_mask, ring_entries, flags, dropped, array, resv1;
	uint64_t user_addr;
};

struct linux_io_cqring_offsets {
	uint32_t head, tail, ring_mask, ring_entries, overflow, cqes, flags, resv1;
	uint64_t user_addr;
};

struct linux_io_uring_params {
	uint32_t sq_entries, cq_entries, flags, sq_thread_cpu, sq_thread_idle, features, wq_fd;
	uint32_t resv[3];
	struct linux_io_sqring_offsets sq_off;
	struct linux_io_cqring_offsets cq_off;
};

struct linux_io_uring_sqe {
	uint8_t opcode, flags;
	uint16_t ioprio;
	int32_t fd;
	uint64_t off, addr;
	uint32_t len, rw_flags;
	uint64_t user_data;
	uint16_t buf_index, personality;
	int32_t splice_fd_in;
	uint64_t addr3, pad2;
};

struct linux_io_uring_cqe {
	uint64_t user_data;
	int32_t res;
	uint32_t flags;
};

long sysctl_io_uring_disabled;

struct io_ring {
	int memfd;
	uint32_t sq_entries, cq_entries;
	char *sq, *cq;                         /* the kernel's views of the rings */
	struct linux_io_uring_sqe *sqes;
	size_t sq_len, cq_len, sqes_len;
	struct linux_iovec *bufs;              /* io_uring_register's buffers */
	unsigned nbufs;
};

long sys_read(struct task *t, struct sysargs *a);
long sys_write(struct task *t, struct sysargs *a);
long sys_pread64(struct task *t, struct sysargs *a);
long sys_pwrite64(struct task *t, struct sysargs *a);
long sys_readv(struct task *t, struct sysargs *a);
long sys_writev(struct task *t, struct sysargs *a);
long sys_preadv(struct task *t, struct sysargs *a);
long sys_pwritev(struct task *t, struct sysargs *a);
long sys_fsync(struct task *t, struct sysargs *a);
long sys_fdatasync(struct task *t, struct sysargs *a);
long sys_sendmsg(struct task *t, struct sysargs *a);
long sys_recvmsg(struct task *t, struct sysargs *a);
long sys_fadvise64(struct task *t, struct sysargs *a);
long sys_openat(struct task *t, struct sysargs *a);
long sys_sync_file_range(struct task *t, struct sysargs *a);
long sys_fallocate(struct task *t, struct sysargs *a);
long sys_close(struct task *t, struct sysargs *a);
long sys_statx(struct task *t, struct sysargs *a);
long sys_madvise(struct task *t, struct sysargs *a);

static _Atomic uint32_t *field(char *region, int off)
{
	return (_Atomic uint32_t *)(region + off);
}

static void ring_free(struct io_ring *r)
{
	if (r->sq)
		munmap(r->sq, r->sq_len);
	if (r->cq)
		munmap(r->cq, r->cq_len);
	if (r->sqes)
		munmap(r->sqes, r->sqes_len);
	if (r->memfd >= 0)
		close(r->memfd);
	free(r->bufs);
	free(r);
}

static void io_uring_release(struct file *f)
{
	ring_free(f->priv);
	f->priv = NULL;
}

static int io_uring_host_fd(struct file *f)
{
	return ((struct io_ring *)f->priv)->memfd;
}

static const struct file_ops io_uring_ops = {
	.fstat = anon_inode_fstat,
	.host_fd = io_uring_host_fd,
	.release = io_uring_release,
	.seekable = false,
};

static void *map_region(int fd, size_t len, uint64_t off)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)off);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * io_uring_setup(entries, params): a ring of entries SQEs (rounded up to a
 * power of two; CQ twice that, or params->cq_entries with
 * IORING_SETUP_CQSIZE), its offsets and features written back to params.
 * The fd, or -EPERM (kernel.io_uring_disabled), -EFAULT, -EINVAL
 * (entries 0 or past 32768 without
 * IORING_SETUP_CLAMP, flags umk does not carry out, nonzero resv),
 * -EMFILE, -ENOMEM.  Mirrors io_uring_create.
 */
long sys_io_uring_setup(struct task *t, struct sysargs *a)
{
	uint32_t entries = arg_uint(a, 0);
	struct linux_io_uring_params p;
	struct io_ring *r;
	struct file *f;

	/* kernel.io_uring_disabled: 2 none, 1 CAP_SYS_ADMIN only (no
	 * io_uring_group here) */
	if (sysctl_io_uring_disabled == 2 ||
	    (sysctl_io_uring_disabled == 1 && !capable(t, CAP_SYS_ADMIN)))
		return -EPERM;
	if (copy_from_user(t, &p, a->a[1], sizeof p))
		return -EFAULT;
	for (int i = 0; i < 3; i++)
		if (p.resv[i])
			return -EINVAL;
	if (p.flags & ~(IORING_SETUP_CQSIZE_ | IORING_SETUP_CLAMP_))
		return -EINVAL;   /* SQPOLL, IOPOLL, ...: not carried out */
	if (!entries)
		return -EINVAL;
	if (entries > IORING_MAX_ENTRIES_) {
		if (!(p.flags & IORING_SETUP_CLAMP_))
			return -EINVAL;
		entries = IORING_MAX_ENTRIES_;
	}
	uint32_t sq = 1;
	while (sq < entries)
		sq <<= 1;
	uint32_t cq = 2 * sq;
	if (p.flags & IORING_SETUP_CQSIZE_) {
		if (!p.cq_entries)
			return -EINVAL;
		if (p.cq_entries > IORING_MAX_CQ_ENTRIES_) {
			if (!(p.flags & IORING_SETUP_CLAMP_))
				return -EINVAL;
			p.cq_entries = IORING_MAX_CQ_ENTRIES_;
		}
		cq = 1;
		while (cq < p.cq_entries)
			cq <<= 1;
		if (cq < sq)
			return -EINVAL;
	}
	r = calloc(1, sizeof *r);
	if (!r)
		return -ENOMEM;
	r->sq_entries = sq;
	r->cq_entries = cq;
	r->sq_len = PAGE_ALIGN(R_ARRAY + 4ULL * sq);
	r->cq_len = PAGE_ALIGN(R_ARRAY + sizeof(struct linux_io_uring_cqe) * (uint64_t)cq);
	r->sqes_len = PAGE_ALIGN(sizeof(struct linux_io_uring_sqe) * (uint64_t)sq);
	r->memfd = host_fd_admit(memfd_create("umk-io_uring", MFD_CLOEXEC));
	if (r->memfd < 0 || ftruncate(r->memfd, IORING_OFF_SQES_ + r->sqes_len) < 0 ||
	    !(r->sq = map_region(r->memfd, r->sq_len, IORING_OFF_SQ_RING_)) ||
	    !(r->cq = map_region(r->memfd, r->cq_len, IORING_OFF_CQ_RING_)) ||
	    !(r->sqes = map_region(r->memfd, r->sqes_len, IORING_OFF_SQES_))) {
		long err = r->memfd == -EMFILE || r->memfd == -ENFILE ? r->memfd : -ENOMEM;

		ring_free(r);
		return err;
	}
	*field(r->sq, R_MASK) = sq - 1;
	*field(r->sq, R_ENTRIES) = sq;
	*field(r->cq, R_MASK) = cq - 1;
	*field(r->cq, R_ENTRIES) = cq;

	memset(&p.sq_off, 0, sizeof p.sq_off);
	memset(&p.cq_off, 0, sizeof p.cq_off);
	p.sq_entries = sq;
	p.cq_entries = cq;
	p.features = IORING_FEAT_NODROP_ | IORING_FEAT_SUBMIT_STABLE_ | IORING_FEAT_RW_CUR_POS_;
	p.sq_off = (struct linux_io_sqring_offsets){ .head = R_HEAD, .tail = R_TAIL, .ring_mask = R_MASK,
		.ring_entries = R_ENTRIES, .flags = R_FLAGS, .dropped = R_DROPPED, .array = R_ARRAY };
	p.cq_off = (struct linux_io_cqring_offsets){ .head = R_HEAD, .tail = R_TAIL, .ring_mask = R_MASK,
		.ring_entries = R_ENTRIES, .overflow = R_DROPPED, .cqes = R_ARRAY, .flags = R_CQFLAGS + 4 };
	if (copy_to_user(t, a->a[1], &p, sizeof p)) {
		ring_free(r);
		return -EFAULT;
	}
	f = file_alloc(&io_uring_ops, O_RDWR, "anon_inode:[io_uring]");
	if (!f) {
		ring_free(r);
		return -ENOMEM;
	}
	f->priv = r;
	return fd_install(t, 0, f, true);   /* io_uring fds are O_CLOEXEC */
}

/* A fixed buffer's check: [addr, addr+len) inside registered buffer idx. */
static int fixed_ok(struct io_ring *r, const struct linux_io_uring_sqe *s)
{
	if (s->buf_index >= r->nbufs)
		return -EFAULT;
	const struct linux_iovec *b = &r->bufs[s->buf_index];
	if (s->addr < b->iov_base || s->addr + s->len < s->addr ||
	    s->addr + s->len > b->iov_base + b->iov_len)
		return -EFAULT;
	return 0;
}

/* Runs one SQE; its CQE's res. */
static int32_t sqe_run(struct task *t, struct io_ring *r, const struct linux_io_uring_sqe *s)
{
	struct sysargs sa = { .a = { (uint64_t)(uint32_t)s->fd, s->addr, s->len, s->off, 0, 0 } };
	bool cur = s->off == UINT64_MAX;   /* IORING_FEAT_RW_CUR_POS: the file position */
	long res;

	if (s->flags & IOSQE_FIXED_FILE_)
		return -EBADF;   /* no registered files */
	switch (s->opcode) {
	case OP_NOP:
		return 0;
	case OP_READ_FIXED:
	case OP_WRITE_FIXED:
		if ((res = fixed_ok(r, s)))
			return res;
		/* fall through */
	case OP_READ:
	case OP_WRITE:
		if (s->opcode == OP_READ || s->opcode == OP_READ_FIXED)
			res = cur ? sys_read(t, &sa) : sys_pread64(t, &sa);
		else
			res = cur ? sys_write(t, &sa) : sys_pwrite64(t, &sa);
		break;
	case OP_READV:
		res = cur ? sys_readv(t, &sa) : sys_preadv(t, &sa);
		break;
	case OP_WRITEV:
		res = cur ? sys_writev(t, &sa) : sys_pwritev(t, &sa);
		break;
	case OP_FSYNC:
		if (s->addr || s->len || s->buf_index || (s->rw_flags & ~IORING_FSYNC_DATASYNC_))
			return -EINVAL;
		res = (s->rw_flags & IORING_FSYNC_DATASYNC_) ? sys_fdatasync(t, &sa) : sys_fsync(t, &sa);
		break;
	case OP_SENDMSG:
	case OP_RECVMSG:
		sa.a[2] = s->rw_flags;   /* msg_flags */
		res = s->opcode == OP_SENDMSG ? sys_sendmsg(t, &sa) : sys_recvmsg(t, &sa);
		break;
	case OP_SYNC_FILE_RANGE:
		/* io_sfr_prep: off, len, sync_range_flags */
		if (s->addr || s->buf_index || s->splice_fd_in)
			return -EINVAL;
		sa.a[1] = s->off;
		sa.a[2] = s->len;
		sa.a[3] = s->rw_flags;
		res = sys_sync_file_range(t, &sa);
		break;
	case OP_FALLOCATE:
		/* io_fallocate_prep: offset in off, length in addr, mode in len */
		if (s->buf_index || s->rw_flags || s->splice_fd_in)
			return -EINVAL;
		sa.a[1] = s->len;
		sa.a[2] = s->off;
		sa.a[3] = s->addr;
		res = sys_fallocate(t, &sa);
		break;
	case OP_OPENAT:
		/* io_openat_prep: dfd in fd, the path in addr, flags in
		 * open_flags, mode in len; no direct (file_index) slots */
		if (s->buf_index || s->splice_fd_in)
			return s->buf_index ? -EINVAL : -ENXIO;
		sa.a[0] = (uint64_t)(int64_t)s->fd;
		sa.a[1] = s->addr;
		sa.a[2] = s->rw_flags;
		sa.a[3] = s->len;
		res = sys_openat(t, &sa);
		break;
	case OP_CLOSE: {
		/* io_close_prep: nothing but the fd; a ring's own fd is not
		 * closed this way (io_close: -EBADF) */
		if (s->off || s->addr || s->len || s->rw_flags || s->buf_index || s->splice_fd_in)
			return -EINVAL;
		struct file *cf = fd_get(t, s->fd);
		bool ring = cf && cf->ops == &io_uring_ops;
		file_put(cf);
		if (!cf || ring)
			return -EBADF;
		res = sys_close(t, &sa);
		break;
	}
	case OP_STATX:
		/* io_statx_prep: dfd in fd, path in addr, mask in len, the
		 * buffer in addr2 (off), flags in statx_flags */
		if (s->buf_index || s->splice_fd_in)
			return -EINVAL;
		sa.a[0] = (uint64_t)(int64_t)s->fd;
		sa.a[1] = s->addr;
		sa.a[2] = s->rw_flags;
		sa.a[3] = s->len;
		sa.a[4] = s->off;
		res = sys_statx(t, &sa);
		break;
	case OP_FADVISE:
		/* io_fadvise_prep: the length in addr (64 bits) or len */
		if (s->buf_index || s->splice_fd_in)
			return -EINVAL;
		sa.a[1] = s->off;
		sa.a[2] = s->addr ? s->addr : s->len;
		sa.a[3] = s->rw_flags;   /* fadvise_advice */
		res = sys_fadvise64(t, &sa);
		break;
	case OP_MADVISE:
		if (s->buf_index || s->splice_fd_in)
			return -EINVAL;
		sa.a[0] = s->addr;
		sa.a[1] = s->len;
		sa.a[2] = s->rw_flags;   /* fadvise_advice */
		res = sys_madvise(t, &sa);
		break;
	default:
		return -EINVAL;
	}
	if (res == -ERESTARTSYS || res == -ERESTARTNOINTR || res == -ERESTARTNOHAND ||
	    res == -ERESTART_RESTARTBLOCK)
		res = -EINTR;
	return (int32_t)res;
}

/* Posts a CQE; false if the CQ ring is full (counted in its overflow). */
static bool cqe_post(struct io_ring *r, uint64_t user_data, int32_t res)
{
	uint32_t head = atomic_load_explicit(field(r->cq, R_HEAD), memory_order_acquire);
	uint32_t tail = atomic_load_explicit(field(r->cq, R_TAIL), memory_order_relaxed);

	if (tail - head >= r->cq_entries) {
		atomic_fetch_add(field(r->cq, R_DROPPED), 1);
		return false;
	}
	struct linux_io_uring_cqe *c = (struct linux_io_uring_cqe *)(r->cq + R_ARRAY);
	c[tail & (r->cq_entries - 1)] = (struct linux_io_uring_cqe){ .user_data = user_data, .res = res };
	atomic_store_explicit(field(r->cq, R_TAIL), tail + 1, memory_order_release);
	return true;
}

/*
 * io_uring_enter(fd, to_submit, min_complete, flags, argp, argsz): runs up
 * to to_submit SQEs from the SQ ring, posting each one's CQE.  Returns the
 * number consumed, or -EBADF, -EOPNOTSUPP (fd is no io_uring), -EINVAL
 * (unknown flags), -EBUSY (the CQ ring is full: nothing consumed).
 * Everything completes before the return, so min_complete never waits.
 */
long sys_io_uring_enter(struct task *t, struct sysargs *a)
{
	struct file *f = fd_get(t, arg_int(a, 0));
	uint32_t to_submit = arg_uint(a, 1), flags = arg_uint(a, 3), done = 0;
	long ret;

	if (!f)
		return -EBADF;
	if (f->ops != &io_uring_ops) {
		ret = -EOPNOTSUPP;
		goto out;
	}
	if (flags & ~IORING_ENTER_KNOWN_) {
		ret = -EINVAL;
		goto out;
	}
	struct io_ring *r = f->priv;
	while (done < to_submit) {
		uint32_t head = atomic_load_explicit(field(r->sq, R_HEAD), memory_order_relaxed);
		uint32_t tail = atomic_load_explicit(field(r->sq, R_TAIL), memory_order_acquire);
		uint32_t ch = atomic_load_explicit(field(r->cq, R_HEAD), memory_order_acquire);
		uint32_t ct = atomic_load_explicit(field(r->cq, R_TAIL), memory_order_relaxed);

		if (head == tail)
			break;
		if (ct - ch >= r->cq_entries) {
			if (!done) {
				ret = -EBUSY;
				goto out;
			}
			break;
		}
		uint32_t idx = ((_Atomic uint32_t *)(r->sq + R_ARRAY))[head & (r->sq_entries - 1)];
		atomic_store_explicit(field(r->sq, R_HEAD), head + 1, memory_order_release);
		done++;
		if (idx >= r->sq_entries) {
			atomic_fetch_add(field(r->sq, R_DROPPED), 1);
			continue;
		}
		struct linux_io_uring_sqe s = r->sqes[idx];   /* SUBMIT_STABLE: a copy */
		cqe_post(r, s.user_data, sqe_run(t, r, &s));
	}
	ret = done;
out:
	file_put(f);
	return ret;
}

/*
 * io_uring_register(fd, opcode, arg, nr_args): IORING_REGISTER_BUFFERS
 * (nr_args iovecs at arg, for READ_FIXED/WRITE_FIXED; -EBUSY if some are
 * registered, -EINVAL for 0 or more than 16384, -EFAULT) and
 * IORING_UNREGISTER_BUFFERS (arg NULL, nr_args 0: -EINVAL otherwise,
 * -ENXIO with none).  Other opcodes -EINVAL; -EBADF, -EOPNOTSUPP.
 */
long sys_io_uring_register(struct task *t, struct sysargs *a)
{
	struct file *f = fd_get(t, arg_int(a, 0));
	unsigned op = arg_uint(a, 1), nr = arg_uint(a, 3);
	struct io_ring *r;
	long ret = 0;

	if (!f)
		return -EBADF;
	if (f->ops != &io_uring_ops) {
		ret = -EOPNOTSUPP;
		goto out;
	}
	r = f->priv;
	switch (op) {
	case REG_BUFFERS:
		if (r->bufs) {
			ret = -EBUSY;
			break;
		}
		if (!nr || nr > 16384) {
			ret = -EINVAL;
			break;
		}
		r->bufs = calloc(nr, sizeof *r->bufs);
		if (!r->bufs) {
			ret = -ENOMEM;
			break;
		}
		if (copy_from_user(t, r->bufs, a->a[2], nr * sizeof *r->bufs)) {
			ret = -EFAULT;
		} else {
			for (unsigned i = 0; i < nr && !ret; i++)
				if (r->bufs[i].iov_len > (1ULL << 30) ||
				    (!r->bufs[i].iov_base && r->bufs[i].iov_len) ||
				    !user_range_ok(t, r->bufs[i].iov_base, r->bufs[i].iov_len, PROT_READ))
					ret = r->bufs[i].iov_len > (1ULL << 30) ? -EINVAL : -EFAULT;
		}
		if (ret) {
			free(r->bufs);
			r->bufs = NULL;
		} else {
			r->nbufs = nr;
		}
		break;
	case UNREG_BUFFERS:
		if (a->a[2] || nr)
			ret = -EINVAL;
		else if (!r->bufs)
			ret = -ENXIO;
		else {
			free(r->bufs);
			r->bufs = NULL;
			r->nbufs = 0;
		}
		break;
	default:
		ret = -EINVAL;
	}
out:
	file_put(f);
	return ret;
}
