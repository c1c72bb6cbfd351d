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

/* ring_write - appends up to n bytes of src; returns how many fit. */
static inline size_t ring_write(struct pipe_ring *r, const void *src, size_t n)
{
	size_t tail, first;

	if (n > ring_space(r))
		n = ring_space(r);
	if (!n)
		return 0;
	tail = (r->head + r->len) % r->cap;
	first = r->cap - tail;
	if (first > n)
		first = n;
	memcpy(r->buf + tail, src, first);
	memcpy(r->buf, (const char *)src + first, n - first);
	r->len += n;
	return n;
}

/* ring_read - removes up to n of the oldest bytes into dst; returns how many. */
static inline size_t ring_read(struct pipe_ring *r, void *dst, size_t n)
{
	size_t first;

	if (n > r->len)
		n = r->len;
	if (!n)
		return 0;
	first = r->cap - r->head;
	if (first > n)
		first = n;
	memcpy(dst, r->buf + r->head, first);
	memcpy((char *)dst + first, r->buf, n - first);
	r->head = (r->head + n) % r->cap;
	r->len -= n;
	if (!r->len)
		r->head = 0;
	return n;
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
