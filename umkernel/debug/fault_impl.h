/*
 * debug/fault_impl.h - what the fault-injection files share among
 * themselves: the parsed specs, the per-task counters, the generator and
 * the log.  Not for the rest of umk (that is debug/fault.h).
 *
 * Lock: klock guards the counters of every spec and task, the log and
 * the replay list once the guest runs; the specs themselves are written
 * only before it starts.
 */
#ifndef UMK_FAULT_IMPL_H
#define UMK_FAULT_IMPL_H

#include "fault.h"
#include <jansson.h>

#define FAULT_MAX_SPECS 64

/* Linux's fault_attr (Documentation/fault-injection) plus strace's when=
 * and umk's path= and fail_nth=: when a spec that matches a call fires. */
struct fault_attr {
	uint32_t first, last, step;   /* when=FIRST..LAST+STEP; default 1..max+1 */
	bool when_given;
	uint32_t prob_ppm;            /* probability=, parts per million (100% = 1e6) */
	uint64_t interval;            /* interval=: every Nth call that passes the filters */
	int64_t times;                /* times=: injections left, -1 unlimited */
	uint64_t fail_nth;            /* fail_nth=: the task's Nth matching call; 0 none */
	char task_comm[16];           /* task=COMM, or "" */
	int task_pid;                 /* task=PID, or 0 */
	char *path;                   /* path=GLOB, or NULL */
	uint64_t count;               /* calls that reached the interval test (runtime) */
};

/* --inject=SET:... */
struct sys_spec {
	char *text;                   /* the option as given, for the log */
	uint8_t set[SYSCALL_NR_MAX / 8];
	bool has_error, has_retval;
	int error;                    /* errno for error= */
	long retval;
	int signal;                   /* signal=, 0 none */
	uint64_t delay_enter_ns, delay_exit_ns;
	struct fault_attr attr;
};

/* Where a memory or register fault comes from. */
enum trig_kind { TRIG_SYSCALL = 1, TRIG_TIME, TRIG_EVERY };
struct trigger {
	int kind;
	uint64_t n;                   /* TRIG_SYSCALL: the task's Nth syscall */
	uint64_t ns;                  /* TRIG_TIME/TRIG_EVERY: after start / period */
};

enum mem_region { MR_HEAP = 1, MR_STACK, MR_TEXT, MR_DATA, MR_ANON, MR_FILE, MR_RANGE };
enum { REG_GPR = 1, REG_XMM };

/* --inject-mem=... and --inject-reg=... (one struct: both stop a thread) */
struct mr_spec {
	char *text;
	bool is_reg;
	/* memory */
	int region;                   /* enum mem_region */
	char *glob;                   /* MR_FILE */
	uint64_t start, end;          /* MR_RANGE */
	int bits;                     /* bits= */
	/* register */
	int reg_kind;                 /* REG_GPR or REG_XMM */
	int reg;                      /* offset in linux_regs / 8, or xmm number */
	const char *reg_name;
	int bit;                      /* bit=, -1 random */
	/* both */
	struct trigger at;
	char task_comm[16];
	int task_pid;
	bool fired;                   /* TRIG_SYSCALL/TRIG_TIME: done (runtime) */
	uint64_t nfired;              /* how many times (runtime) */
	struct ktimer timer;          /* TRIG_TIME/TRIG_EVERY (runtime) */
	int index;                    /* its place in mr_specs[] */
};

/* --inject-io=GLOB:op=...:fault=... */
struct io_spec {
	char *text;
	char *glob;
	int ops;                      /* FIO_* bits */
	int fault;                    /* FIOF_* */
	uint64_t delay_ns;
	struct fault_attr attr;
};

/* --inject-net=[PORT|HOST:PORT|[V6]:PORT]:fault=...:op=... */
struct net_spec {
	char *text;
	bool any;                     /* no address: every AF_INET/AF_INET6 socket */
	bool host_given;              /* HOST:PORT: the remote end; PORT: either end */
	uint8_t addr[16];             /* IPv6, IPv4 ones IPv4-mapped */
	uint16_t port;
	int ops;                      /* FNET_* bits */
	int fault;                    /* FNETF_* */
	uint64_t delay_ns;
	struct fault_attr attr;
};

/* What umk keeps per task (task->fault), made at its first syscall. */
struct fault_task {
	uint64_t nsys;                /* syscalls so far: the index of the one in flight */
	bool injected;                /* that one got an injected result */
	uint64_t mr_pending;          /* mr_specs (bits) a timer stopped this task for */
	uint32_t *when;               /* [nsys_specs][SYSCALL_NR_MAX]: when= counts */
	uint64_t matched[FAULT_MAX_SPECS];   /* per sys_spec: calls that passed the filters */
	uint64_t io_when[FAULT_MAX_SPECS];   /* per io_spec: when= counts */
	uint64_t net_when[FAULT_MAX_SPECS];  /* per net_spec: when= counts */
};

/* A fault read back from a --replay log. */
struct replay_rec {
	int tid;
	uint64_t index;               /* the task's syscall index */
	json_t *rec;                  /* the record (kind, and what to redo) */
	bool done;
};

/* ---- shared state (fault.c) ---- */
extern struct sys_spec *sys_specs[FAULT_MAX_SPECS];
extern int nsys_specs;
extern struct mr_spec *mr_specs[FAULT_MAX_SPECS];
extern int nmr_specs;
extern struct io_spec *io_specs[FAULT_MAX_SPECS];
extern int nio_specs;
extern struct net_spec *net_specs[FAULT_MAX_SPECS];
extern int nnet_specs;
extern uint64_t fault_seed;
extern struct replay_rec *replay_recs;
extern size_t nreplay;
extern bool mr_syscall_triggers;   /* some mr_spec fires at a syscall index */
extern bool mr_time_triggers;      /* some mr_spec fires at a time */

/* ---- fault_spec.c: parsing ---- */
/* Each returns the new spec, or NULL with err filled. */
struct sys_spec *parse_sys_spec(const char *text, char *err, size_t errlen);
struct mr_spec *parse_mr_spec(const char *text, bool is_reg, char *err, size_t errlen);
struct io_spec *parse_io_spec(const char *text, char *err, size_t errlen);
struct net_spec *parse_net_spec(const char *text, char *err, size_t errlen);
/* Frees a spec that was only checked (campaign plans); NULL is fine. */
void sys_spec_free(struct sys_spec *s);
void mr_spec_free(struct mr_spec *m);
void io_spec_free(struct io_spec *s);
void net_spec_free(struct net_spec *s);
/* strace's DELAY: a number with an optional s, ms, us (default), ns. */
int parse_delay(const char *s, uint64_t *ns);
int parse_errno_name(const char *s);          /* ENOENT or 2; -1 if neither */
int parse_signal_name(const char *s);         /* SIGUSR1, USR1 or 10; -1 */
const char *signal_name(int sig);             /* "SIGUSR1", "SIGRTMIN+3" */
/* A file= region names a file of the root (rootdir on the host)?  0 or
 * -1 with err. */
int check_file_region(const struct mr_spec *m, const char *rootdir, char *err, size_t errlen);
/* Does pattern match path (fnmatch; a pattern without '/' matches the last
 * component)? */
bool fault_glob_match(const char *pattern, const char *path);

/* ---- fault.c: decisions, generator, log ---- */
/* A 64-bit draw that depends only on the seed and the four keys. */
uint64_t fault_rand(uint64_t a, uint64_t b, uint64_t c, uint64_t d);
struct fault_task *fault_task_get(struct task *t);
/* Filters, when=, interval=, probability=, times= of attr for a call by
 * t; cnt: the task's when= count of this call (already counted), key: a
 * unique key of this decision for probability=.  Mirrors Linux's
 * should_fail(). */
bool attr_fires(struct fault_attr *attr, struct task *t, uint64_t cnt, uint64_t key1,
		uint64_t key2);
bool task_matches(struct task *t, const char *comm, int pid);
/* A new log record with the common fields (event, time, pid, tid, comm,
 * index) for t (NULL: none); the caller adds its own and passes it to
 * log_emit, which writes and frees it (no-op without --fault-log). */
json_t *log_record(const char *event, struct task *t);
void log_emit(json_t *rec);
/* Adds the "syscall" and "nr" of syscall nr to a record (nr < 0: none). */
void log_syscall(json_t *r, long nr);
bool fault_logging(void);
char *hex64(uint64_t v, char *buf);           /* "0x..." into buf[19] */
/* Replay: the next not-done record of kind for (tid, index), or NULL. */
struct replay_rec *replay_find(int tid, uint64_t index, const char *kind);

/* ---- fault_mem.c: memory and register flips ---- */
void mr_start_timers(uint64_t t0);
/* After t's syscall number ft->nsys: fire syscall-triggered specs. */
void mr_at_syscall(struct task *t, struct fault_task *ft);
/* Replay a mem or reg record on t now. */
void mr_replay(struct task *t, json_t *rec);

/* ---- fault_io.c ---- */
/* The log record of an I/O fault (n: the count asked). */
void fault_io_log(struct task *t, const struct fio_hit *hit, size_t n);

#endif
