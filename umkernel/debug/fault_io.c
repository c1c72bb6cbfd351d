/*
 * fault_io.c - the decisions of --inject-io: a failing disk under a path,
 * as UMLinux's block-device faults, at the level of the file layer.
 *
 * In a nutshell: fs/io_fault.c asks fault_io_check() before each read,
 * write, fsync or open of a file whose guest path it knows; the first
 * --inject-io spec whose pattern, operation and task match and whose
 * when=, interval=, probability= and times= let it fire decides the
 * fault (eio, enospc, short: half the bytes asked, corrupt: one bit of
 * the data read or written, delay=T), and it is logged with the file and
 * its offset.  when= counts, per task, the operations a spec matched.
 * Under --replay, the I/O faults of the log come back at the same task,
 * syscall index and operation.
 *
 * Lock: klock.
 */
#include "fault_impl.h"
#include <stdlib.h>
#include <string.h>

static const char *op_name(int op)
{
	return op == FIO_READ ? "read" : op == FIO_WRITE ? "write" : op == FIO_FSYNC ? "fsync" : "open";
}

static const char *fault_name(int f)
{
	static const char *n[] = { "", "eio", "enospc", "short", "corrupt", "delay" };
	return f >= 1 && f <= 5 ? n[f] : "?";
}

static json_t *io_record(struct task *t, const struct fio_hit *h, const char *spec)
{
	json_t *r = log_record("fault", t);
	json_object_set_new(r, "kind", json_string("io"));
	if (t->fault && t->fault->nsys)
		log_syscall(r, t->syscall_nr);   /* the call doing the I/O */
	if (spec)
		json_object_set_new(r, "spec", json_string(spec));
	json_object_set_new(r, "op", json_string(op_name(h->op)));
	json_object_set_new(r, "file", json_string(h->path));
	if (h->off >= 0)
		json_object_set_new(r, "offset", json_integer(h->off));
	json_object_set_new(r, "fault", json_string(fault_name(h->fault)));
	return r;
}

/* A replayed io record for (t, op, path) now, into hit. */
static bool io_replay(struct task *t, struct fault_task *ft, const char *path, int op, size_t n,
		      int64_t off, struct fio_hit *hit)
{
	struct replay_rec *rr = replay_find(t->tid, ft->nsys, "io");
	if (!rr)
		return false;
	json_t *rec = rr->rec;
	const char *o = json_string_value(json_object_get(rec, "op"));
	const char *file = json_string_value(json_object_get(rec, "file"));
	const char *f = json_string_value(json_object_get(rec, "fault"));
	if (!o || !file || !f || strcmp(o, op_name(op)) || strcmp(file, path))
		return false;
	memset(hit, 0, sizeof *hit);
	hit->op = op;
	hit->path = path;
	hit->off = off;
	hit->spec = json_string_value(json_object_get(rec, "spec"));
	for (int i = FIOF_EIO; i <= FIOF_DELAY; i++)
		if (!strcmp(f, fault_name(i)))
			hit->fault = i;
	if (!hit->fault)
		return false;
	if (hit->fault == FIOF_DELAY)
		hit->delay_ns = (uint64_t)json_integer_value(json_object_get(rec, "delay_us")) * 1000;
	if (hit->fault == FIOF_SHORT) {
		hit->n = (size_t)json_integer_value(json_object_get(rec, "given"));
		if (hit->n >= n || !hit->n)
			return false;
	}
	if (hit->fault == FIOF_CORRUPT) {
		hit->fixed = true;
		hit->byte = (size_t)json_integer_value(json_object_get(rec, "byte"));
		hit->bit = (int)json_integer_value(json_object_get(rec, "bit"));
	}
	rr->done = true;
	return true;
}

bool fault_io_check(struct task *t, const char *path, int op, size_t n, int64_t off,
		    struct fio_hit *hit)
{
	if (!t || !path)
		return false;
	struct fault_task *ft = fault_task_get(t);
	for (int i = 0; i < nio_specs; i++) {
		struct io_spec *s = io_specs[i];
		if (!(s->ops & op) || !fault_glob_match(s->glob, path) ||
		    !task_matches(t, s->attr.task_comm, s->attr.task_pid))
			continue;
		uint64_t c = ++ft->io_when[i];
		if (s->attr.fail_nth && c != s->attr.fail_nth)
			continue;
		if (s->fault == FIOF_SHORT && n < 2)
			continue;   /* one byte cannot come up short */
		if (!attr_fires(&s->attr, t, c, 0x10000 + (uint64_t)i, ft->nsys))
			continue;
		memset(hit, 0, sizeof *hit);
		hit->fault = s->fault;
		hit->delay_ns = s->delay_ns;
		hit->n = n / 2;
		hit->key = fault_rand(0x696f, (uint64_t)i, (uint64_t)t->tid, c);
		hit->off = off;
		hit->path = path;
		hit->op = op;
		hit->spec = s->text;
		if (hit->fault != FIOF_CORRUPT)
			fault_io_log(t, hit, n);
		return true;
	}
	if (nreplay && io_replay(t, ft, path, op, n, off, hit)) {
		if (hit->fault != FIOF_CORRUPT)
			fault_io_log(t, hit, n);
		return true;
	}
	return false;
}

void fault_io_log(struct task *t, const struct fio_hit *hit, size_t n)
{
	if (!fault_logging())
		return;
	json_t *r = io_record(t, hit, hit->spec);
	if (hit->fault == FIOF_SHORT) {
		json_object_set_new(r, "asked", json_integer((json_int_t)n));
		json_object_set_new(r, "given", json_integer((json_int_t)hit->n));
	} else if (hit->fault == FIOF_DELAY) {
		json_object_set_new(r, "delay_us", json_integer((json_int_t)(hit->delay_ns / 1000)));
	}
	log_emit(r);
}

void fault_io_corrupt(struct task *t, const struct fio_hit *hit, void *buf, size_t len)
{
	if (!len)
		return;
	size_t byte = hit->fixed ? hit->byte : (size_t)(hit->key % len);
	int bit = hit->fixed ? hit->bit : (int)((hit->key >> 40) % 8);
	if (byte >= len || bit < 0 || bit > 7)
		return;
	uint8_t *p = buf;
	uint8_t old = p[byte];
	p[byte] ^= (uint8_t)(1u << bit);
	if (!fault_logging())
		return;
	char h[20];
	json_t *r = io_record(t, hit, hit->spec);
	json_object_set_new(r, "byte", json_integer((json_int_t)byte));
	json_object_set_new(r, "bit", json_integer(bit));
	if (hit->off >= 0)
		json_object_set_new(r, "file_offset", json_integer(hit->off + (json_int_t)byte));
	json_object_set_new(r, "old", json_string(hex64(old, h)));
	json_object_set_new(r, "new", json_string(hex64(p[byte], h)));
	log_emit(r);
}
