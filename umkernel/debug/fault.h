/*
 * debug/fault.h - fault injection: what the rest of umk calls.
 *
 * In a nutshell: `umk run --inject=SPEC` (strace's -e inject= syntax plus
 * Linux's fault-injection attributes), --inject-mem, --inject-reg and
 * --inject-io are parsed before the guest starts (fault_spec.c) and act
 * at three places, as DESIGN.md says:
 *   - syscall entry and exit: syscall_enter() hands the whole syscall to
 *     fault_syscall() when fault_enabled is set (one predictable branch
 *     when it is not); decisions come before dispatch, delays and
 *     signals after (fault.c);
 *   - the memory and register path: a thread is stopped through the
 *     platform (at a syscall, or kicked out of guest code by a timer:
 *     EV_INTERRUPT) and a bit of its memory or of a register is flipped
 *     (fault_mem.c);
 *   - the file layer: reads, writes, fsyncs and opens of files under a
 *     path fail, come up short, are corrupted or delayed (fault_io.c,
 *     called from fs/io_fault.c).
 * One seeded generator decides every random choice (each draw is a hash
 * of the seed and of where it is made, so the order in which tasks run
 * does not change it), and one JSON-lines log (--fault-log) records
 * every fault, which --replay injects again.
 *
 * Lock: klock, held by every caller except the set-up calls (made by
 * main.c before the guest starts) and fault_finish.
 */
#ifndef UMK_FAULT_H
#define UMK_FAULT_H

#include "../kernel.h"

/* ---- set-up: main.c, before the guest starts ---- */
enum fault_opt { FOPT_INJECT, FOPT_MEM, FOPT_REG, FOPT_IO, FOPT_NET };
/* Parses one option's SPEC (the text after --inject=, --inject-mem=...).
 * 0, or -1 with a one-line message in err naming the part that is wrong. */
int fault_add(enum fault_opt opt, const char *spec, char *err, size_t errlen);
int fault_set_seed(const char *text, char *err, size_t errlen);
int fault_set_log(const char *path, char *err, size_t errlen);
int fault_set_replay(const char *path, char *err, size_t errlen);
/* After every option: checks what needs the guest's root (file= regions
 * must name a file there), opens the log and writes its first record.
 * argv: the guest's command line, for the log.  0 or -1 with err. */
int fault_start(const char *rootdir, const char *platform_name, char *const argv[],
		char *err, size_t errlen);
/* The guest is done (status: a wait status): the log's last record. */
void fault_finish(int status);

/* ---- syscall path: kernel/syscall.c, kernel/task.c, kernel/process.c ---- */
/* Any --inject*, --fault-log or --replay given: syscalls go through
 * fault_syscall.  Set before the guest starts, never changed after. */
extern bool fault_enabled;
/* Runs t's syscall (args a) with the faults that apply: maybe a delay,
 * an injected error or return value instead of the call, then its result
 * into rax (syscall_exit), a delay, a signal and memory or register
 * flips after it.  Replaces syscall_enter's own dispatch and exit. */
void fault_syscall(struct task *t, struct sysargs *a);
/* The task loop got EV_INTERRUPT for t (t->fault set): a timer may have
 * stopped t for a memory or register flip. */
void fault_interrupt(struct task *t);
/* t is exiting with wait status: the log's exit record; frees t->fault. */
void fault_task_exit(struct task *t, int status);
/* Did the syscall t has in flight get an injected result?  (strace) */
bool fault_injected(struct task *t);
/* Sleeps ns nanoseconds with klock dropped, cut short if t's thread
 * group is exiting (delay_enter=, delay_exit=, fault=delay=). */
void fault_delay(struct task *t, uint64_t ns);

/* ---- the file layer: fs/io_fault.c ---- */
enum fio_op { FIO_READ = 1, FIO_WRITE = 2, FIO_FSYNC = 4, FIO_OPEN = 8 };
enum fio_fault { FIOF_EIO = 1, FIOF_ENOSPC, FIOF_SHORT, FIOF_CORRUPT, FIOF_DELAY };
struct fio_hit {
	int fault;                    /* enum fio_fault */
	uint64_t delay_ns;            /* FIOF_DELAY */
	size_t n;                     /* FIOF_SHORT: the count to use instead */
	uint64_t key;                 /* FIOF_CORRUPT: where the flipped bit goes */
	bool fixed;                   /* FIOF_CORRUPT replayed: byte and bit given */
	size_t byte;
	int bit;
	int64_t off;                  /* file offset of the operation, -1 unknown */
	const char *path;
	const char *spec;             /* the option (or replayed spec), for the log */
	int op;
};
/* Any --inject-io (or an I/O fault to replay): the file layer asks. */
extern bool fault_io_enabled;
/* Should op (FIO_*) of n bytes at file offset off on the file at guest
 * path (absolute) by t fail?  Fills hit and logs the fault (corrupt:
 * fault_io_corrupt logs where) when it should. */
bool fault_io_check(struct task *t, const char *path, int op, size_t n, int64_t off,
		    struct fio_hit *hit);
/* FIOF_CORRUPT: flips one bit of buf[0..len) (the data read or about to
 * be written) and logs which. */
void fault_io_corrupt(struct task *t, const struct fio_hit *hit, void *buf, size_t len);

/* ---- the socket layer: net/net_fault.c ---- */
enum fnet_op { FNET_CONNECT = 1, FNET_SEND = 2, FNET_RECV = 4 };
enum fnet_fault { FNETF_REFUSE = 1, FNETF_RESET, FNETF_DROP, FNETF_DELAY, FNETF_CORRUPT, FNETF_SHORT };
/* An AF_INET/AF_INET6 endpoint: IPv6, IPv4 ones IPv4-mapped. */
struct fnet_ep {
	bool valid;
	uint8_t addr[16];
	uint16_t port;                /* host order */
};
struct fnet_hit {
	int fault;                    /* enum fnet_fault */
	int op;                       /* enum fnet_op */
	uint64_t delay_ns;            /* FNETF_DELAY */
	size_t n;                     /* FNETF_SHORT: the count to use instead */
	uint64_t key;                 /* FNETF_CORRUPT: where the flipped bit goes */
	bool fixed;                   /* FNETF_CORRUPT replayed: byte and bit given */
	size_t byte;
	int bit;
	const char *spec;
	char local[64], remote[64];   /* the endpoints as text, for the log */
};
/* Any --inject-net (or a network fault to replay): the socket layer asks. */
extern bool fault_net_enabled;
/* Should op (FNET_*) of n bytes on a TCP (stream) or UDP socket with
 * these endpoints fail?  Fills hit and logs the fault (corrupt:
 * fault_net_corrupt logs where) when it should. */
bool fault_net_check(struct task *t, int op, bool stream, const struct fnet_ep *local,
		     const struct fnet_ep *remote, size_t n, struct fnet_hit *hit);
/* FNETF_CORRUPT: flips one bit of buf[0..len) and logs which. */
void fault_net_corrupt(struct task *t, const struct fnet_hit *hit, void *buf, size_t len);

/* ---- campaigns: campaign.c (umk campaign ...) ---- */
int cmd_campaign(int argc, char **argv);

#endif
