/*
 * fault.c - fault injection at syscall entry and exit, the generator,
 * the fault log and replay.
 *
 * In a nutshell: with any fault option given, syscall_enter() hands
 * every syscall to fault_syscall(), which counts it (the task's syscall
 * index, strace's per-syscall when= counts, Linux's per-spec counters),
 * decides from the --inject specs and the --replay log whether to inject
 * (the first spec whose filters, when=, interval=, probability= and
 * times= all pass, as Linux's should_fail()), sleeps delay_enter, either
 * runs the syscall or returns the injected error or value, sleeps
 * delay_exit, queues signal=, and last fires the memory and register
 * faults that wait for this syscall (fault_mem.c).
 *
 * Every random choice is fault_rand(keys): a hash of --seed and of where
 * the choice is made (spec, task, per-task index), not the next number
 * of a shared stream, so that the order in which the guest's tasks run
 * does not change which faults a task gets.
 *
 * The log (--fault-log=FILE) is JSON lines, one object per record, made
 * with jansson: a "start" record (seed, options), one "fault" record per
 * injected fault, "miss" records for faults that found nothing to hit,
 * an "exit" record per task (its syscall count, the calls each --inject
 * spec matched: fail_nth sweeps size themselves from it) and an "end"
 * record with the guest's status.
 *
 * Lock: klock (see fault.h).
 */
#include "fault_impl.h"
#include "../kernel/task.h"
#include "../fs/fs.h"
#include "debug.h"
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

bool fault_enabled;
bool fault_io_enabled;
bool fault_net_enabled;
struct sys_spec *sys_specs[FAULT_MAX_SPECS];
int nsys_specs;
struct mr_spec *mr_specs[FAULT_MAX_SPECS];
int nmr_specs;
struct io_spec *io_specs[FAULT_MAX_SPECS];
int nio_specs;
struct net_spec *net_specs[FAULT_MAX_SPECS];
int nnet_specs;
uint64_t fault_seed;
static bool seed_given;
struct replay_rec *replay_recs;
size_t nreplay;
bool mr_syscall_triggers;
bool mr_time_triggers;
static uint64_t start_ns;                     /* fault_start: time triggers count from here */

static uint8_t any_set[SYSCALL_NR_MAX / 8];   /* union of the --inject sets */
static char *log_path;
static FILE *log_out;
static char *replay_path;
static json_t *opts_given;                    /* for the start record */

/* ---- set-up ---- */

static void note_opt(const char *name, const char *spec)
{
	if (!opts_given)
		opts_given = json_object();
	json_t *a = json_object_get(opts_given, name);
	if (!a) {
		a = json_array();
		json_object_set_new(opts_given, name, a);
	}
	json_array_append_new(a, json_string(spec));
}

int fault_add(enum fault_opt opt, const char *spec, char *err, size_t n)
{
	static const char *names[] = { "inject", "inject-mem", "inject-reg", "inject-io", "inject-net" };
	if ((opt == FOPT_INJECT && nsys_specs == FAULT_MAX_SPECS) ||
	    ((opt == FOPT_MEM || opt == FOPT_REG) && nmr_specs == FAULT_MAX_SPECS) ||
	    (opt == FOPT_IO && nio_specs == FAULT_MAX_SPECS) ||
	    (opt == FOPT_NET && nnet_specs == FAULT_MAX_SPECS)) {
		snprintf(err, n, "more than %d such options", FAULT_MAX_SPECS);
		return -1;
	}
	switch (opt) {
	case FOPT_INJECT: {
		struct sys_spec *s = parse_sys_spec(spec, err, n);
		if (!s)
			return -1;
		for (int i = 0; i < SYSCALL_NR_MAX / 8; i++)
			any_set[i] |= s->set[i];
		sys_specs[nsys_specs++] = s;
		break;
	}
	case FOPT_MEM:
	case FOPT_REG: {
		struct mr_spec *m = parse_mr_spec(spec, opt == FOPT_REG, err, n);
		if (!m)
			return -1;
		m->index = nmr_specs;
		mr_specs[nmr_specs++] = m;
		if (m->at.kind == TRIG_SYSCALL)
			mr_syscall_triggers = true;
		else
			mr_time_triggers = true;
		break;
	}
	case FOPT_IO: {
		struct io_spec *s = parse_io_spec(spec, err, n);
		if (!s)
			return -1;
		io_specs[nio_specs++] = s;
		fault_io_enabled = true;
		break;
	}
	case FOPT_NET: {
		struct net_spec *s = parse_net_spec(spec, err, n);
		if (!s)
			return -1;
		net_specs[nnet_specs++] = s;
		fault_net_enabled = true;
		break;
	}
	}
	note_opt(names[opt], spec);
	fault_enabled = true;
	return 0;
}

int fault_set_seed(const char *text, char *err, size_t n)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 0);
	if (!*text || *end || errno || *text == '-' || v > INT64_MAX) {
		snprintf(err, n, "expected a number from 0 to %lld", (long long)INT64_MAX);
		return -1;
	}
	fault_seed = v;
	seed_given = true;
	return 0;
}

int fault_set_log(const char *path, char *err, size_t n)
{
	(void)err;
	(void)n;
	free(log_path);
	log_path = strdup(path);
	fault_enabled = true;
	return 0;
}

static int replay_cmp(const void *a, const void *b)
{
	const struct replay_rec *x = a, *y = b;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	return 0;
}

int fault_set_replay(const char *path, char *err, size_t n)
{
	FILE *f = fopen(path, "re");
	if (!f) {
		snprintf(err, n, "%s", strerror(errno));
		return -1;
	}
	char *line = NULL;
	size_t cap = 0, alloc = 0;
	int lineno = 0;
	bool seed_seen = false;
	while (getline(&line, &cap, f) > 0) {
		lineno++;
		json_error_t je;
		json_t *r = json_loads(line, 0, &je);
		if (!r || !json_is_object(r)) {
			snprintf(err, n, "line %d: not a JSON object: %s", lineno, r ? "" : je.text);
			json_decref(r);
			goto bad;
		}
		const char *ev = json_string_value(json_object_get(r, "event"));
		if (ev && !strcmp(ev, "start") && !seed_given && json_is_integer(json_object_get(r, "seed"))) {
			fault_seed = (uint64_t)json_integer_value(json_object_get(r, "seed"));
			seed_seen = true;
		}
		if (!ev || strcmp(ev, "fault")) {
			json_decref(r);
			continue;
		}
		json_t *tid = json_object_get(r, "tid"), *idx = json_object_get(r, "index");
		const char *kind = json_string_value(json_object_get(r, "kind"));
		if (!json_is_integer(tid) || !json_is_integer(idx) || !kind ||
		    (strcmp(kind, "syscall") && strcmp(kind, "mem") && strcmp(kind, "reg") && strcmp(kind, "io") &&
		     strcmp(kind, "net"))) {
			snprintf(err, n, "line %d: a fault record needs tid, index and kind", lineno);
			json_decref(r);
			goto bad;
		}
		if (nreplay == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			replay_recs = realloc(replay_recs, alloc * sizeof *replay_recs);
		}
		replay_recs[nreplay++] = (struct replay_rec){ (int)json_integer_value(tid),
							      (uint64_t)json_integer_value(idx), r, false };
		if (!strcmp(kind, "io"))
			fault_io_enabled = true;
		if (!strcmp(kind, "net"))
			fault_net_enabled = true;
	}
	free(line);
	fclose(f);
	(void)seed_seen;
	/* stable: records of one task and index keep the log's order */
	for (size_t i = 1; i < nreplay; i++)
		for (size_t j = i; j > 0 && replay_cmp(&replay_recs[j - 1], &replay_recs[j]) > 0; j--) {
			struct replay_rec tmp = replay_recs[j];
			replay_recs[j] = replay_recs[j - 1];
			replay_recs[j - 1] = tmp;
		}
	free(replay_path);
	replay_path = strdup(path);
	fault_enabled = true;
	return 0;
bad:
	free(line);
	fclose(f);
	return -1;
}

int fault_start(const char *rootdir, const char *platform_name, char *const argv[], char *err,
		size_t n)
{
	if (!fault_enabled)
		return 0;
	for (int i = 0; i < nmr_specs; i++) {
		char e[256];
		if (check_file_region(mr_specs[i], rootdir, e, sizeof e)) {
			snprintf(err, n, "--inject-mem=%s: %s", mr_specs[i]->text, e);
			return -1;
		}
	}
	if (!seed_given && !replay_path) {
		if (getrandom(&fault_seed, sizeof fault_seed, 0) != sizeof fault_seed)
			fault_seed = (uint64_t)now_ns(CLOCK_REALTIME) ^ (uint64_t)getpid();
		fault_seed &= (1ULL << 53) - 1;   /* exact as a JSON number anywhere */
	}
	if (log_path) {
		log_out = strcmp(log_path, "-") ? fopen(log_path, "we") : stderr;
		if (!log_out) {
			snprintf(err, n, "--fault-log=%s: %s", log_path, strerror(errno));
			return -1;
		}
	}
	json_t *r = log_record("start", NULL);
	json_object_set_new(r, "seed", json_integer((json_int_t)fault_seed));
	json_object_set_new(r, "platform", json_string(platform_name));
	json_t *av = json_array();
	for (int i = 0; argv[i]; i++)
		json_array_append_new(av, json_string(argv[i]));
	json_object_set_new(r, "argv", av);
	if (opts_given)
		json_object_update(r, opts_given);
	if (replay_path)
		json_object_set_new(r, "replay", json_string(replay_path));
	log_emit(r);
	start_ns = now_ns(CLOCK_MONOTONIC);
	return 0;
}

void fault_finish(int status)
{
	if (!fault_enabled)
		return;
	pthread_mutex_lock(&klock);
	/* syscall triggers no task reached: say so, a campaign counts them */
	for (int i = 0; i < nmr_specs; i++) {
		struct mr_spec *m = mr_specs[i];
		if (m->at.kind != TRIG_SYSCALL || m->fired)
			continue;
		json_t *mr = log_record("miss", NULL);
		json_object_set_new(mr, "kind", json_string(m->is_reg ? "reg" : "mem"));
		json_object_set_new(mr, "spec", json_string(m->text));
		json_object_set_new(mr, "reason", json_string("no task made that many syscalls"));
		log_emit(mr);
	}
	json_t *r = log_record("end", NULL);
	if (LINUX_WIFSIGNALED(status))
		json_object_set_new(r, "signal", json_string(signal_name(LINUX_WTERMSIG(status))));
	else
		json_object_set_new(r, "code", json_integer(LINUX_WEXITSTATUS(status)));
	log_emit(r);
	if (log_out && log_out != stderr)
		fclose(log_out);
	log_out = NULL;
	pthread_mutex_unlock(&klock);
}

/* ---- the generator ---- */

static uint64_t mix64(uint64_t z)
{
	/* splitmix64's finaliser (Steele, Lea, Flood: "Fast splittable
	 * pseudorandom number generators", 2014) */
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t fault_rand(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
	uint64_t h = mix64(fault_seed + 0x9e3779b97f4a7c15ULL);
	h = mix64(h ^ a);
	h = mix64(h ^ (b + 0x9e3779b97f4a7c15ULL));
	h = mix64(h ^ (c + 0x3c6ef372fe94f82aULL));
	return mix64(h ^ (d + 0xdaa66d2c7ddf743fULL));
}

/* ---- the log ---- */

bool fault_logging(void)
{
	return log_out != NULL;
}

char *hex64(uint64_t v, char *buf)
{
	snprintf(buf, 19, "0x%lx", (unsigned long)v);
	return buf;
}

json_t *log_record(const char *event, struct task *t)
{
	json_t *r = json_object();
	json_object_set_new(r, "event", json_string(event));
	uint64_t now = now_ns(CLOCK_MONOTONIC);
	uint64_t since = boot_time_ns && now > boot_time_ns ? now - boot_time_ns : 0;
	json_object_set_new(r, "time", json_real((double)since / 1e9));
	if (t) {
		json_object_set_new(r, "pid", json_integer(t->tg ? t->tg->tgid : t->tid));
		json_object_set_new(r, "tid", json_integer(t->tid));
		json_object_set_new(r, "comm", json_string(t->comm));
		json_object_set_new(r, "index", json_integer(t->fault ? (json_int_t)t->fault->nsys : 0));
	}
	return r;
}

void log_syscall(json_t *r, long nr)
{
	if (nr >= 0 && nr < SYSCALL_NR_MAX && syscall_table[nr].name) {
		json_object_set_new(r, "syscall", json_string(syscall_table[nr].name));
		json_object_set_new(r, "nr", json_integer(nr));
	}
}

void log_emit(json_t *rec)
{
	if (log_out) {
		char *s = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(9));
		if (s) {
			fprintf(log_out, "%s\n", s);
			fflush(log_out);
			free(s);
		}
	}
	json_decref(rec);
}

/* ---- per-task state ---- */

struct fault_task *fault_task_get(struct task *t)
{
	if (t->fault)
		return t->fault;
	struct fault_task *ft = calloc(1, sizeof *ft);
	if (!ft)
		oops("out of memory for fault-injection state");
	if (nsys_specs) {
		ft->when = calloc((size_t)nsys_specs * SYSCALL_NR_MAX, sizeof *ft->when);
		if (!ft->when)
			oops("out of memory for fault-injection state");
	}
	t->fault = ft;
	return ft;
}

void fault_task_exit(struct task *t, int status)
{
	struct fault_task *ft = t->fault;
	if (!ft)
		return;
	if (log_out) {
		json_t *r = log_record("exit", t);
		json_object_del(r, "index");
		json_object_set_new(r, "syscalls", json_integer((json_int_t)ft->nsys));
		if (nsys_specs) {
			json_t *m = json_array();
			for (int i = 0; i < nsys_specs; i++)
				json_array_append_new(m, json_integer((json_int_t)ft->matched[i]));
			json_object_set_new(r, "matched", m);
		}
		if (LINUX_WIFSIGNALED(status))
			json_object_set_new(r, "signal", json_string(signal_name(LINUX_WTERMSIG(status))));
		else
			json_object_set_new(r, "code", json_integer(LINUX_WEXITSTATUS(status)));
		log_emit(r);
	}
	free(ft->when);
	free(ft);
	t->fault = NULL;
}

bool fault_injected(struct task *t)
{
	return t->fault && t->fault->injected;
}

bool task_matches(struct task *t, const char *comm, int pid)
{
	if (pid)
		return t->tid == pid || (t->tg && t->tg->tgid == pid);
	if (*comm)
		return !strncmp(t->comm, comm, sizeof t->comm);
	return true;
}

void fault_delay(struct task *t, uint64_t ns)
{
	uint64_t end = now_ns(CLOCK_MONOTONIC) + ns;
	for (;;) {
		if (t->tg->group_exit || t->zapped)
			return;
		uint64_t now = now_ns(CLOCK_MONOTONIC);
		if (now >= end)
			return;
		uint64_t slice = end - now < 20000000 ? end - now : 20000000;
		struct timespec ts = { (time_t)(slice / 1000000000), (long)(slice % 1000000000) };
		pthread_mutex_unlock(&klock);
		nanosleep(&ts, NULL);
		pthread_mutex_lock(&klock);
	}
}

/* ---- decisions ---- */

bool attr_fires(struct fault_attr *a, struct task *t, uint64_t cnt, uint64_t key1, uint64_t key2)
{
	if (!task_matches(t, a->task_comm, a->task_pid))
		return false;
	if (cnt < a->first || cnt > a->last || (cnt - a->first) % a->step)
		return false;
	if (a->times == 0)
		return false;
	if (a->interval > 1 && ++a->count % a->interval)
		return false;
	if (a->prob_ppm < 1000000 && fault_rand(key1, key2, t->tid, cnt) % 1000000 >= a->prob_ppm)
		return false;
	if (a->times > 0)
		a->times--;
	return true;
}

/* The absolute guest path of a path argument at (dirfd, upath), made
 * lexically ("." and ".." folded; symlinks are not followed), for path=. */
static bool path_arg(struct task *t, int dirfd, bool has_dirfd, uint64_t upath, char *out,
		     size_t len)
{
	char p[4096], base[4096];
	if (strncpy_from_user(t, p, upath, sizeof p) < 0)
		return false;
	if (p[0] == '/') {
		base[0] = 0;
	} else if (has_dirfd && dirfd != AT_FDCWD) {
		struct file *f = fd_get(t, dirfd);
		if (!f)
			return false;
		snprintf(base, sizeof base, "%s", f->path ? f->path : "");
		file_put(f);
	} else {
		snprintf(base, sizeof base, "%s", t->fs && t->fs->cwd ? t->fs->cwd : "/");
	}
	char full[8192];
	snprintf(full, sizeof full, "%s/%s", base, p);
	/* fold the components */
	size_t o = 0;
	char *save = NULL;
	for (char *c = strtok_r(full, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, "."))
			continue;
		if (!strcmp(c, "..")) {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			continue;
		}
		size_t cl = strlen(c);
		if (o + cl + 2 > len)
			return false;
		out[o++] = '/';
		memcpy(out + o, c, cl);
		o += cl;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = 0;
	return true;
}

/* path=GLOB: does a path argument of the call, or the file of one of its
 * fd arguments, match? */
static bool path_matches(struct task *t, const struct syscall_desc *d, const struct sysargs *a,
			 const char *glob)
{
	for (int i = 0; i < d->nargs; i++) {
		int k = d->kind[i];
		char buf[4096];
		if (k == PATH) {
			bool at = i > 0 && d->kind[i - 1] == ATFD;
			if (path_arg(t, at ? arg_int(a, i - 1) : AT_FDCWD, at, a->a[i], buf, sizeof buf) &&
			    !fnmatch(glob, buf, 0))
				return true;
		} else if (k == FD) {
			struct file *f = fd_get(t, arg_int(a, i));
			bool m = f && f->path && !fnmatch(glob, f->path, 0);
			if (f)
				file_put(f);
			if (m)
				return true;
		}
	}
	return false;
}

/* The first --inject spec that fires for t's syscall nr, or NULL. */
static struct sys_spec *sys_decide(struct task *t, struct fault_task *ft, int nr,
				   const struct sysargs *a)
{
	const struct syscall_desc *d = &syscall_table[nr];
	struct sys_spec *hit = NULL;
	for (int i = 0; i < nsys_specs; i++) {
		struct sys_spec *s = sys_specs[i];
		if (!(s->set[nr / 8] & (1 << (nr % 8))))
			continue;
		if (!task_matches(t, s->attr.task_comm, s->attr.task_pid))
			continue;
		if (s->attr.path && !path_matches(t, d, a, s->attr.path))
			continue;
		uint64_t nth = ++ft->matched[i];
		uint32_t *w = &ft->when[(size_t)i * SYSCALL_NR_MAX + nr];
		if (*w < UINT32_MAX)
			++*w;
		if (hit)
			continue;   /* counted; the first spec that fires wins */
		if (s->attr.fail_nth && nth != s->attr.fail_nth)
			continue;
		if (attr_fires(&s->attr, t, *w, 1 + (uint64_t)i, ft->nsys))
			hit = s;
	}
	return hit;
}

struct replay_rec *replay_find(int tid, uint64_t index, const char *kind)
{
	/* binary search for the first record of (tid, index) */
	size_t lo = 0, hi = nreplay;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		struct replay_rec *r = &replay_recs[mid];
		if (r->tid < tid || (r->tid == tid && r->index < index))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < nreplay && replay_recs[i].tid == tid && replay_recs[i].index == index; i++) {
		struct replay_rec *r = &replay_recs[i];
		if (!r->done && !strcmp(json_string_value(json_object_get(r->rec, "kind")), kind))
			return r;
	}
	return NULL;
}

/* What a syscall fault does, from a spec or a replayed record. */
struct sys_action {
	bool skip;              /* not carried out: ret is the result */
	long ret;
	int signal;
	uint64_t delay_enter, delay_exit;
};

static void log_sys_fault(struct task *t, int nr, const char *spec, const struct sys_action *act,
			  bool is_error)
{
	if (!log_out)
		return;
	json_t *r = log_record("fault", t);
	json_object_set_new(r, "kind", json_string("syscall"));
	json_object_set_new(r, "syscall", json_string(syscall_table[nr].name));
	json_object_set_new(r, "nr", json_integer(nr));
	if (spec)
		json_object_set_new(r, "spec", json_string(spec));
	if (act->skip && is_error) {
		const char *en = strerrorname_np((int)-act->ret);
		json_object_set_new(r, "error", en ? json_string(en) : json_integer(-act->ret));
	} else if (act->skip) {
		json_object_set_new(r, "retval", json_integer(act->ret));
	}
	if (act->signal)
		json_object_set_new(r, "signal", json_string(signal_name(act->signal)));
	if (act->delay_enter)
		json_object_set_new(r, "delay_enter_us", json_integer((json_int_t)(act->delay_enter / 1000)));
	if (act->delay_exit)
		json_object_set_new(r, "delay_exit_us", json_integer((json_int_t)(act->delay_exit / 1000)));
	log_emit(r);
}

/* A replayed syscall record into act; false if it cannot be read. */
static bool replay_action(json_t *rec, struct sys_action *act, bool *is_error)
{
	json_t *v;
	memset(act, 0, sizeof *act);
	*is_error = false;
	if ((v = json_object_get(rec, "error"))) {
		int e = json_is_integer(v) ? (int)json_integer_value(v) : parse_errno_name(json_string_value(v) ? json_string_value(v) : "");
		if (e <= 0)
			return false;
		act->skip = true;
		act->ret = -e;
		*is_error = true;
	} else if ((v = json_object_get(rec, "retval"))) {
		act->skip = true;
		act->ret = (long)json_integer_value(v);
	}
	if ((v = json_object_get(rec, "signal")) && json_string_value(v))
		act->signal = parse_signal_name(json_string_value(v));
	if (act->signal < 0)
		act->signal = 0;
	act->delay_enter = (uint64_t)json_integer_value(json_object_get(rec, "delay_enter_us")) * 1000;
	act->delay_exit = (uint64_t)json_integer_value(json_object_get(rec, "delay_exit_us")) * 1000;
	return true;
}

void fault_syscall(struct task *t, struct sysargs *a)
{
	struct fault_task *ft = fault_task_get(t);
	uint64_t nr = t->regs.orig_rax;
	struct sys_action act = { 0 };
	bool act_on = false, is_error = false;
	if (__builtin_expect(mr_time_triggers, 0)) {
		mr_time_triggers = false;
		mr_start_timers(start_ns);   /* at the guest's first syscall */
	}
	ft->nsys++;
	ft->injected = false;
	if (nr < SYSCALL_NR_MAX && (any_set[nr / 8] & (1 << (nr % 8)))) {
		struct sys_spec *s = sys_decide(t, ft, (int)nr, a);
		if (s) {
			act.skip = s->has_error || s->has_retval;
			act.ret = s->has_error ? -(long)s->error : s->retval;
			act.signal = s->signal;
			act.delay_enter = s->delay_enter_ns;
			act.delay_exit = s->delay_exit_ns;
			is_error = s->has_error;
			act_on = true;
			log_sys_fault(t, (int)nr, s->text, &act, is_error);
		}
	}
	if (nreplay && !act_on && nr < SYSCALL_NR_MAX) {
		struct replay_rec *rr = replay_find(t->tid, ft->nsys, "syscall");
		if (rr && replay_action(rr->rec, &act, &is_error)) {
			rr->done = true;
			act_on = true;
			log_sys_fault(t, (int)nr, json_string_value(json_object_get(rr->rec, "spec")), &act,
				      is_error);
		}
	}
	if (!act_on) {
		syscall_exit(t, a, syscall_dispatch(t, a));
	} else {
		if (act.delay_enter)
			fault_delay(t, act.delay_enter);
		ft->injected = act.skip;
		syscall_exit(t, a, act.skip ? act.ret : syscall_dispatch(t, a));
		ft->injected = false;
		if (act.delay_exit)
			fault_delay(t, act.delay_exit);
		if (act.signal) {
			linux_siginfo_t si = { .si_signo = act.signal, .si_code = 0x80 /* SI_KERNEL */ };
			send_signal(t, act.signal, &si, false);
		}
	}
	/* the result is in rax now: register flips see it (exit never comes
	 * back here; execve keeps t->fault) */
	if (mr_syscall_triggers || nreplay || ft->mr_pending)
		mr_at_syscall(t, ft);
}
