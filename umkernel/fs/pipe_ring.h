/*
 * pipe_ring.h - the byte ring buffer behind a pipe (pipe.c).
 *
 * A plain circular buffer of cap bytes: head is the offset of the oldest
 * byte, len the number of bytes stored.  No locking and no kernel types,
 * so tests/unit/check_pipe.c can exercise it alone; pipe.c calls it under
 * klock.
 */
#ifndef UMK_PIPE_RING_H
#define UMK_PIPE_RING_H

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

struct pipe_ring {
	char *buf;
	size_t cap;                   /* bytes allocated */
	size_t head;                  /* offset of the oldest byte */
	size_t len;                   /* bytes stored */
};

/* ring_init - an empty ring of cap bytes; 0 or -ENOMEM. */
static inline int ring_init(struct pipe_ring *r, size_t cap)
{
	r->buf = malloc(cap);
	if (!r->buf)
		return -ENOMEM;
	r->cap = cap;
	r->head = r->len = 0;
	return 0;
}

static inline void ring_free(struct pipe_ring *r)
{
	free(r->buf);
	r->buf = NULL;
	r->cap = r->head = r->len = 0;
}

static inline size_t ring_space(const struct pipe_ring *r)
{
	return r->cap - r->len;
}

/* How the bytes of a read or write get to or from one contiguous piece
 * of the ring: seg, n bytes, at offset off of the caller's data.  0, or
 * nonzero if the piece could not be copied. */
typedef int (*ring_copy_fn)(void *ctx, size_t off, char *seg, size_t n);

/* ring_read_by - removes up to n of the oldest bytes, piece by piece
 * through copy: how many, or -EFAULT if the first piece failed (nothing
 * is removed).  A failed second piece ends the read after the first. */
static inline ssize_t ring_read_by(struct pipe_ring *r, size_t n, ring_copy_fn copy, void *ctx)
{
	if (n > r->len)
		n = r->len;
	if (!n)
		return 0;
	size_t first = r->cap - r->head;
	if (first > n)
		first = n;
	if (copy(ctx, 0, r->buf + r->head, first))
		return -EFAULT;
	if (n > first && copy(ctx, first, r->buf, n - first))
		n = first;
	r->head = (r->head + n) % r->cap;
	r->len -= n;
	if (!r->len)
		r->head = 0;
	return (ssize_t)n;
}

/* ring_write_by - appends up to n bytes (what fits), piece by piece
 * through copy: how many, or -EFAULT if the first piece failed. */
static inline ssize_t ring_write_by(struct pipe_ring *r, size_t n, ring_copy_fn copy, void *ctx)
{
	if (n > ring_space(r))
		n = ring_space(r);
	if (!n)
		return 0;
	size_t tail = (r->head + r->len) % r->cap, first = r->cap - tail;
	if (first > n)
		first = n;
	if (copy(ctx, 0, r->buf + tail, first))
		return -EFAULT;
	if (n > first && copy(ctx, first, r->buf, n - first))
		n = first;
	r->len += n;
	return (ssize_t)n;
}

static inline int ring_copy_out(void *dst, size_t off, char *seg, size_t n)
{
	memcpy((char *)dst + off, seg, n);
	return 0;
}

static inline int ring_copy_in(void *src, size_t off, char *seg, size_t n)
{
	memcpy(seg, (const char *)src + off, n);
	return 0;
}

/* ring_write - appends up to n bytes of src; returns how many fit. */
static inline size_t ring_write(struct pipe_ring *r, const void *src, size_t n)
{
	return (size_t)ring_write_by(r, n, ring_copy_in, (void *)src);
}

/* ring_read - removes up to n of the oldest bytes into dst; returns how many. */
static inline size_t ring_read(struct pipe_ring *r, void *dst, size_t n)
{
	return (size_t)ring_read_by(r, n, ring_copy_out, dst);
}

/*
 * ring_resize - changes the capacity to cap, keeping the bytes stored.
 * -EBUSY if they would not fit (F_SETPIPE_SZ's error), -ENOMEM.
 */
static inline int ring_resize(struct pipe_ring *r, size_t cap)
{
	char *nb;
	size_t len = r->len;

	if (len > cap)
		return -EBUSY;
	nb = malloc(cap);
	if (!nb)
		return -ENOMEM;
	ring_read(r, nb, len);
	free(r->buf);
	r->buf = nb;
	r->cap = cap;
	r->head = 0;
	r->len = len;
	return 0;
}

#endif
