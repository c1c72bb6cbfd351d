/*
 * campaign.c - fault-injection campaigns: `umk campaign PLAN`, a driver
 * around `umk run` as UMLinux's experiment driver was around its runs.
 *
 * In a nutshell: the PLAN (JSON, read with jansson) names a workload and
 * how to judge a run, a seed, and either fault templates to sample from
 * (one per run, placeholders filled from the run's own generator) or an
 * exhaustive sweep (Linux's fail-nth method: run N fails the Nth call
 * of the set, for N = 1..the number of calls the golden run made).
 * First a golden run without faults; then every run is one `umk run`
 * (this binary) with its faults, --seed and --fault-log, and is classed
 *   ok        exit status and output as golden (or the checker agrees)
 *   detected  another exit status: the program noticed
 *   wrong     golden's exit status but other output: silent corruption
 *   crash     the guest died of a signal
 *   hang      the time limit passed
 *   kernel    umk itself failed (an oops, or no end record in the log):
 *             a bug to fix, never an outcome to accept
 * Every run's record goes to DIR/runs/ID.json, independent of the order
 * runs finish in, so -j N gives the results -j 1 gives; the wall time of
 * a run, the one thing that differs between two campaigns with the same
 * seed, goes to DIR/runs/ID.time instead.  campaign_report.c merges
 * them into results.jsonl, summary.md and summary.svg.
 *
 * Beyond one machine: --emit-jobs FILE does the golden run and writes
 * one command per run (`umk campaign run-one DIR --id N`) for GNU
 * parallel, or with --slurm an sbatch array script; each job writes its
 * own record, and `umk campaign report DIR...` merges the directories.
 *
 * Nothing here runs inside the kernel: no klock, no guest.
 */
#include "campaign.h"
#include "../../tracer/host.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <nettle/sha2.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char *const camp_classes[NCLASSES] = { "ok", "detected", "wrong", "crash", "hang", "kernel" };

void camp_die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("umk: campaign: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

char *camp_path(const char *dir, const char *fmt, ...)
{
	char rel[PATH_MAX], *out;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rel, sizeof rel, fmt, ap);
	va_end(ap);
	if (asprintf(&out, "%s/%s", dir, rel) < 0)
		camp_die("out of memory");
	return out;
}

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the plan ---- */

/* A path of the plan, relative to the plan file's directory. */
static char *plan_abs(const char *dir, const char *p)
{
	if (p[0] == '/')
		return strdup(p);
	char *a = camp_path(dir, "%s", p), *r = realpath(a, NULL);
	if (r) {
		free(a);
		return r;
	}
	return a;
}

static const char *opt_kinds[] = { "--inject=", "--inject-mem=", "--inject-reg=", "--inject-io=",
				   "--inject-net=" };

/* Checks one fault option (placeholders filled with sample values): its
 * kind, and that umk would accept it. */
static void check_option(const char *where, const char *opt)
{
	char err[512];
	for (int k = 0; k < 5; k++) {
		size_t l = strlen(opt_kinds[k]);
		if (strncmp(opt, opt_kinds[k], l))
			continue;
		bool okk;
		switch (k) {
		case 0: {
			struct sys_spec *s = parse_sys_spec(opt + l, err, sizeof err);
			okk = s != NULL;
			sys_spec_free(s);
			break;
		}
		case 1:
		case 2: {
			struct mr_spec *m = parse_mr_spec(opt + l, k == 2, err, sizeof err);
			okk = m != NULL;
			mr_spec_free(m);
			break;
		}
		case 3: {
			struct io_spec *s = parse_io_spec(opt + l, err, sizeof err);
			okk = s != NULL;
			io_spec_free(s);
			break;
		}
		default: {
			struct net_spec *s = parse_net_spec(opt + l, err, sizeof err);
			okk = s != NULL;
			net_spec_free(s);
		}
		}
		if (!okk)
			camp_die("%s: %s: %s", where, opt, err);
		return;
	}
	camp_die("%s: '%s': expected --inject=, --inject-mem=, --inject-reg=, --inject-io= or --inject-net=",
		 where, opt);
}

static const char *jstr(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

struct plan *plan_load(const char *file, bool resolved)
{
	json_error_t je;
	json_t *j = json_load_file(file, 0, &je);
	if (!j)
		camp_die("%s:%d: %s", file, je.line, je.text);
	if (!json_is_object(j))
		camp_die("%s: the plan must be a JSON object", file);
	struct plan *p = calloc(1, sizeof *p);
	p->json = j;
	char *dirbuf = realpath(file, NULL);
	if (!dirbuf)
		camp_die("%s: %s", file, strerror(errno));
	char *slash = strrchr(dirbuf, '/');
	*slash = 0;
	if (!*dirbuf) {
		free(dirbuf);
		dirbuf = strdup("/");
	}
	p->dir = dirbuf;
	if (resolved && jstr(j, "plan_dir")) {
		free(p->dir);
		p->dir = strdup(jstr(j, "plan_dir"));   /* the original plan's, for the checker */
	}
	const char *name = jstr(j, "name");
	p->name = strdup(name ? name : "campaign");
	for (const char *c = p->name; *c; c++)
		if (!(isalnum((unsigned char)*c) || *c == '-' || *c == '_' || *c == '.'))
			camp_die("%s: name: letters, digits, '-', '_' and '.' only", file);

	json_t *w = json_object_get(j, "workload");
	if (!json_is_object(w))
		camp_die("%s: workload: expected an object with argv (and rootfs, timeout...)", file);
	json_t *av = json_object_get(w, "argv");
	if (!json_is_array(av) || !json_array_size(av))
		camp_die("%s: workload.argv: expected a non-empty array of strings", file);
	p->argc = (int)json_array_size(av);
	p->argv = calloc(p->argc + 1, sizeof *p->argv);
	for (int i = 0; i < p->argc; i++) {
		const char *a = json_string_value(json_array_get(av, i));
		if (!a)
			camp_die("%s: workload.argv[%d]: expected a string", file, i);
		p->argv[i] = strdup(a);
	}
	const char *s;
	if ((s = jstr(w, "rootfs")))
		p->rootfs = resolved ? strdup(s) : plan_abs(p->dir, s);
	if ((s = jstr(w, "platform"))) {
		if (strcmp(s, "ptrace") && strcmp(s, "seccomp"))
			camp_die("%s: workload.platform: ptrace or seccomp, not '%s'", file, s);
		p->platform = strdup(s);
	}
	if ((s = jstr(w, "net")) && strcmp(s, "private"))
		camp_die("%s: workload.net: '%s' needs AF_INET networking, which umk does not have yet "
			 "(only \"private\" is accepted)", file, s);
	if ((s = jstr(w, "stdin")))
		p->stdin_path = resolved ? strdup(s) : plan_abs(p->dir, s);
	json_t *t = json_object_get(w, "timeout");
	p->timeout = 10;
	if (t) {
		if (!json_is_number(t) || json_number_value(t) <= 0)
			camp_die("%s: workload.timeout: a number of seconds, more than 0", file);
		p->timeout = json_number_value(t);
	}
	json_t *env = json_object_get(w, "env");
	if (env) {
		if (!json_is_array(env))
			camp_die("%s: workload.env: expected an array of \"VAR=VALUE\"", file);
		p->nenv = (int)json_array_size(env);
		p->env = calloc(p->nenv + 1, sizeof *p->env);
		for (int i = 0; i < p->nenv; i++) {
			const char *e = json_string_value(json_array_get(env, i));
			if (!e || !strchr(e, '='))
				camp_die("%s: workload.env[%d]: expected \"VAR=VALUE\"", file, i);
			p->env[i] = strdup(e);
		}
	}
	json_t *ex = json_object_get(w, "expect");
	if (ex) {
		const char *so = jstr(ex, "stdout"), *sf = jstr(ex, "stdout_file");
		if (!json_is_object(ex) || (!so && !sf))
			camp_die("%s: workload.expect: {\"stdout\": TEXT} or {\"stdout_file\": FILE}", file);
		if (so) {
			p->expect = strdup(so);
			p->expect_len = strlen(so);
		} else {
			char *f = resolved ? strdup(sf) : plan_abs(p->dir, sf);
			FILE *fp = fopen(f, "re");
			if (!fp)
				camp_die("%s: workload.expect.stdout_file: %s: %s", file, f, strerror(errno));
			size_t cap = 0;
			FILE *m = open_memstream(&p->expect, &cap);
			char buf[65536];
			size_t n;
			while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
				fwrite(buf, 1, n, m);
			fclose(fp);
			fclose(m);
			p->expect_len = cap;
			free(f);
		}
		p->has_expect = true;
	}
	if ((s = jstr(w, "checker")))
		p->checker = strdup(s);

	json_t *seed = json_object_get(j, "seed");
	if (seed && (!json_is_integer(seed) || json_integer_value(seed) < 0))
		camp_die("%s: seed: a number, 0 or more", file);
	p->seed = seed ? (uint64_t)json_integer_value(seed) : 1;
	json_t *runs = json_object_get(j, "runs");
	if (runs && (!json_is_integer(runs) || json_integer_value(runs) < 1 || json_integer_value(runs) > 1000000))
		camp_die("%s: runs: a number from 1 to 1000000", file);
	p->runs = runs ? (long)json_integer_value(runs) : 0;

	json_t *faults = json_object_get(j, "faults");
	const char *sweep = jstr(j, "sweep");
	if (faults && sweep)
		camp_die("%s: faults and sweep exclude each other", file);
	if (!faults && !sweep)
		camp_die("%s: give faults (templates to sample) or sweep (an --inject= spec to fail call by call)", file);
	if (faults) {
		if (!json_is_array(faults) || !json_array_size(faults))
			camp_die("%s: faults: expected a non-empty array of option strings", file);
		if (!p->runs)
			camp_die("%s: runs: how many runs to sample from faults", file);
		p->nfaults = (int)json_array_size(faults);
		p->faults = calloc(p->nfaults, sizeof *p->faults);
		for (int i = 0; i < p->nfaults; i++) {
			json_t *f = json_array_get(faults, i);
			char where[64];
			snprintf(where, sizeof where, "%s: faults[%d]", file, i);
			if (json_is_string(f)) {
				p->faults[i] = strdup(json_string_value(f));
			} else if (json_is_array(f) && json_array_size(f)) {
				/* several options in one run: joined by '\n' */
				size_t cap = 0;
				FILE *m = open_memstream(&p->faults[i], &cap);
				for (size_t k = 0; k < json_array_size(f); k++) {
					const char *o = json_string_value(json_array_get(f, k));
					if (!o)
						camp_die("%s[%zu]: expected a string", where, k);
					fprintf(m, "%s%s", k ? "\n" : "", o);
				}
				fclose(m);
			} else {
				camp_die("%s: expected an option string or an array of them", where);
			}
			/* check it with sample values in its placeholders */
			char *x = expand_template(p->faults[i], NULL, 0, 0, where);
			char *save = NULL;
			for (char *o = strtok_r(x, "\n", &save); o; o = strtok_r(NULL, "\n", &save))
				check_option(where, o);
			free(x);
		}
	} else {
		if (strncmp(sweep, "--inject=", 9))
			camp_die("%s: sweep: expected an --inject= spec (SET:error=... to fail call by call)", file);
		char where[64];
		snprintf(where, sizeof where, "%s: sweep", file);
		check_option(where, sweep);
		if (strstr(sweep, ":fail_nth=") || strstr(sweep, ":times="))
			camp_die("%s: sweep: fail_nth= and times= are the sweep's own", file);
		p->sweep = strdup(sweep);
	}
	return p;
}

static void plan_free(struct plan *p)
{
	json_decref(p->json);
	for (int i = 0; i < p->argc; i++)
		free(p->argv[i]);
	for (int i = 0; i < p->nenv; i++)
		free(p->env[i]);
	for (int i = 0; i < p->nfaults; i++)
		free(p->faults[i]);
	free(p->argv);
	free(p->env);
	free(p->faults);
	free(p->dir);
	free(p->name);
	free(p->rootfs);
	free(p->platform);
	free(p->stdin_path);
	free(p->expect);
	free(p->checker);
	free(p->sweep);
	free(p);
}

/* The plan as DIR/plan.json: every path absolute, for jobs run anywhere. */
static void plan_save(const struct plan *p, const char *dir)
{
	json_t *j = json_deep_copy(p->json);
	json_t *w = json_object_get(j, "workload");
	if (p->rootfs)
		json_object_set_new(w, "rootfs", json_string(p->rootfs));
	if (p->stdin_path)
		json_object_set_new(w, "stdin", json_string(p->stdin_path));
	if (p->has_expect) {
		json_t *ex = json_object();
		json_object_set_new(ex, "stdout", json_stringn(p->expect, p->expect_len));
		json_object_set_new(w, "expect", ex);
	}
	json_object_set_new(j, "name", json_string(p->name));
	json_object_set_new(j, "seed", json_integer((json_int_t)p->seed));
	json_object_set_new(j, "plan_dir", json_string(p->dir));
	char *f = camp_path(dir, "plan.json");
	if (json_dump_file(j, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER))
		camp_die("%s: cannot write", f);
	free(f);
	json_decref(j);
}

/* ---- templates ---- */

/* The golden run's syscall count of the task a template aims at (its
 * task= filter, else pid 1). */
static uint64_t golden_syscalls(json_t *tasks, const char *tmpl)
{
	const char *t = strstr(tmpl, ":task=");
	char want[32] = "";
	if (t) {
		size_t l = strcspn(t + 6, ":\n");
		snprintf(want, sizeof want, "%.*s", (int)(l < 31 ? l : 31), t + 6);
	}
	uint64_t best = 0;
	size_t i;
	json_t *r;
	json_array_foreach(tasks, i, r) {
		const char *comm = jstr(r, "comm");
		json_int_t tid = json_integer_value(json_object_get(r, "tid"));
		bool match = want[0] ? ((comm && !strcmp(comm, want)) || atoll(want) == tid) : tid == 1;
		uint64_t n = (uint64_t)json_integer_value(json_object_get(r, "syscalls"));
		if (match && n > best)
			best = n;
	}
	return best;
}

char *expand_template(const char *tmpl, json_t *golden_tasks, uint64_t seed, long id, const char *where)
{
	size_t cap = 0;
	char *out = NULL;
	FILE *m = open_memstream(&out, &cap);
	int k = 0;
	for (const char *s = tmpl; *s;) {
		if (*s != '{') {
			fputc(*s++, m);
			continue;
		}
		const char *e = strchr(s, '}');
		if (!e)
			camp_die("%s: '{' without '}'", where);
		char ph[128];
		snprintf(ph, sizeof ph, "%.*s", (int)(e - s - 1), s + 1);
		uint64_t draw = campaign_rand(seed, 0x746d706c, (uint64_t)id, (uint64_t)k++);
		long a, b;
		if (!strcmp(ph, "syscall")) {
			uint64_t n = golden_tasks ? golden_syscalls(golden_tasks, tmpl) : 100;
			if (!n)
				camp_die("%s: {syscall}: the golden run has no task its task= names", where);
			fprintf(m, "%lu", (unsigned long)(1 + draw % n));
		} else if (sscanf(ph, "int:%ld..%ld", &a, &b) == 2 && a <= b) {
			fprintf(m, "%ld", a + (long)(draw % (uint64_t)(b - a + 1)));
		} else if (!strncmp(ph, "pick:", 5) && ph[5]) {
			int n = 1;
			for (const char *c = ph + 5; *c; c++)
				n += *c == '|';
			int pick = (int)(draw % (uint64_t)n);
			const char *c = ph + 5;
			for (int i = 0; i < pick; i++)
				c = strchr(c, '|') + 1;
			fprintf(m, "%.*s", (int)strcspn(c, "|"), c);
		} else {
			camp_die("%s: unknown placeholder '{%s}' ({syscall}, {int:A..B}, {pick:a|b|c})", where, ph);
		}
		s = e + 1;
	}
	fclose(m);
	return out;
}

uint64_t campaign_rand(uint64_t seed, uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t save = fault_seed;
	fault_seed = seed;
	uint64_t r = fault_rand(0x63616d70, a, b, c);
	fault_seed = save;
	return r;
}

/* The fault options of run id (1-based), '\n'-separated; golden: id 0. */
static char *run_faults(const struct plan *p, json_t *golden_tasks, long id)
{
	char *out;
	if (p->sweep) {
		if (asprintf(&out, "%s:%s=%ld", p->sweep, id ? "fail_nth" : "times", id) < 0)
			camp_die("out of memory");
		return out;
	}
	if (!id)
		return strdup("");
	uint64_t pick = campaign_rand(p->seed, 0x706963, (uint64_t)id, 0) % (uint64_t)p->nfaults;
	char where[64];
	snprintf(where, sizeof where, "faults[%lu]", (unsigned long)pick);
	return expand_template(p->faults[pick], golden_tasks, p->seed, id, where);
}

/* ---- one run ---- */

static char *self_exe(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	if (n <= 0)
		camp_die("cannot find umk's own binary: %s", strerror(errno));
	buf[n] = 0;
	return strdup(buf);
}

struct job {
	long id;
	pid_t pid;
	double start, deadline;
	bool timed_out;
	char *faults;
};

/* Starts run id of p (faults: its options) with its files in DIR/runs. */
static void job_start(const struct plan *p, const char *dir, struct job *j)
{
	static char *exe;
	if (!exe)
		exe = self_exe();
	char *args[256];
	int n = 0;
	char seed[32], *log = camp_path(dir, "runs/%05ld.log", j->id);
	snprintf(seed, sizeof seed, "--seed=%lu",
		 (unsigned long)(campaign_rand(p->seed, 0x73656564, (uint64_t)j->id, 0) & ((1ULL << 53) - 1)));
	char *logopt;
	if (asprintf(&logopt, "--fault-log=%s", log) < 0)
		camp_die("out of memory");
	args[n++] = exe;
	args[n++] = "run";
	args[n++] = "--env-clear";   /* the same guest environment on any host */
	if (p->platform) {
		args[n++] = "--platform";
		args[n++] = p->platform;
	}
	if (p->rootfs) {
		args[n++] = "--rootfs";
		args[n++] = p->rootfs;
	}
	args[n++] = seed;
	args[n++] = logopt;
	char *fl = strdup(j->faults), *save = NULL;
	for (char *o = strtok_r(fl, "\n", &save); o && n < 200; o = strtok_r(NULL, "\n", &save))
		args[n++] = o;
	for (int i = 0; i < p->nenv && n < 230; i++) {
		args[n++] = "-e";
		args[n++] = p->env[i];
	}
	args[n++] = "--";
	for (int i = 0; i < p->argc && n < 254; i++)
		args[n++] = p->argv[i];
	args[n] = NULL;
	char *out = camp_path(dir, "runs/%05ld.out", j->id), *err = camp_path(dir, "runs/%05ld.err", j->id);
	j->start = mono();
	j->deadline = j->start + p->timeout;
	j->timed_out = false;
	pid_t pid = fork();
	if (pid < 0)
		camp_die("fork: %s", strerror(errno));
	if (!pid) {
		int in = open(p->stdin_path ? p->stdin_path : "/dev/null", O_RDONLY);
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (in < 0 || o < 0 || e < 0)
			_exit(125);
		dup2(in, 0);
		dup2(o, 1);
		dup2(e, 2);
		setpgid(0, 0);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execv(exe, args);
		_exit(126);
	}
	j->pid = pid;
	free(fl);
	free(out);
	free(err);
	free(log);
	free(logopt);
}

static void sha256_file(const char *path, char hex[65], uint64_t *bytes)
{
	struct sha256_ctx c;
	uint8_t d[SHA256_DIGEST_SIZE], buf[65536];
	sha256_init(&c);
	*bytes = 0;
	FILE *f = fopen(path, "re");
	if (f) {
		size_t n;
		while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
			sha256_update(&c, n, buf);
			*bytes += n;
		}
		fclose(f);
	}
	sha256_digest(&c, sizeof d, d);
	for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
		sprintf(hex + 2 * i, "%02x", d[i]);
}

static bool file_contains(const char *path, const char *needle)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	char line[4096];
	bool found = false;
	while (!found && fgets(line, sizeof line, f))
		found = strstr(line, needle) != NULL;
	fclose(f);
	return found;
}

static bool same_bytes(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	char buf[65536];
	size_t off = 0, n;
	bool same = true;
	while (same && (n = fread(buf, 1, sizeof buf, f)) > 0) {
		if (off + n > len || memcmp(buf, data + off, n))
			same = false;
		off += n;
	}
	fclose(f);
	return same && off == len;
}

/* The plan's checker (sh -c CMD on the host, run's stdout, stderr and
 * exit status in UMK_STDOUT, UMK_STDERR, UMK_EXIT): did it exit 0? */
static bool run_checker(const char *cmd, const char *dir, const char *out, const char *err, int code)
{
	pid_t pid = fork();
	if (pid < 0)
		camp_die("fork: %s", strerror(errno));
	if (!pid) {
		char c[16];
		snprintf(c, sizeof c, "%d", code);
		setenv("UMK_STDOUT", out, 1);
		setenv("UMK_STDERR", err, 1);
		setenv("UMK_EXIT", c, 1);
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		if (chdir(dir))
			_exit(126);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	bool exited;
	int status;
	return host_child_wait(pid, false, &exited, &status) == pid && exited && status == 0;
}

/* The fault log of a run: its "fault" records (without their time) into
 * injected, its exit records into tasks, and the "end" record. */
static json_t *read_log(const char *path, json_t *injected, json_t *tasks)
{
	FILE *f = fopen(path, "re");
	json_t *end = NULL;
	if (!f)
		return NULL;
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		json_t *r = json_loads(line, 0, NULL);
		const char *ev = r ? jstr(r, "event") : NULL;
		if (ev && !strcmp(ev, "fault") && injected) {
			json_object_del(r, "event");
			json_object_del(r, "time");
			json_object_del(r, "spec");
			json_array_append(injected, r);
		} else if (ev && !strcmp(ev, "miss") && injected) {
			json_object_del(r, "time");
			json_object_del(r, "spec");
			json_array_append(injected, r);
		} else if (ev && !strcmp(ev, "exit") && tasks) {
			json_object_del(r, "event");
			json_object_del(r, "time");
			json_array_append(tasks, r);
		} else if (ev && !strcmp(ev, "end")) {
			json_decref(end);
			end = json_incref(r);
		}
		json_decref(r);
	}
	free(line);
	fclose(f);
	return end;
}

/* Classes a finished run and writes its record (DIR/runs/ID.json) and
 * time (ID.time); returns the class (golden: the record itself, in *rec). */
static int job_finish(const struct plan *p, const char *dir, struct job *j, bool exited,
		      const struct golden *g, json_t **rec_out)
{
	double secs = mono() - j->start;
	char *out = camp_path(dir, "runs/%05ld.out", j->id), *err = camp_path(dir, "runs/%05ld.err", j->id);
	char *log = camp_path(dir, "runs/%05ld.log", j->id);
	json_t *injected = json_array(), *tasks = json_array();
	json_t *end = read_log(log, injected, tasks);
	char sha[65];
	uint64_t bytes;
	sha256_file(out, sha, &bytes);
	int cls, code = -1;
	const char *sig = NULL;
	if (end) {
		if (json_object_get(end, "code"))
			code = (int)json_integer_value(json_object_get(end, "code"));
		sig = jstr(end, "signal");
	}
	if (j->timed_out)
		cls = CL_HANG;
	else if (!end || file_contains(err, "umk: oops") || !exited)
		cls = CL_KERNEL;
	else if (sig)
		cls = CL_CRASH;
	else if (!g)
		cls = CL_OK;   /* the golden run itself */
	else if (code != g->code)
		cls = CL_DETECTED;
	else if (p->checker)
		cls = run_checker(p->checker, p->dir, out, err, code) ? CL_OK : CL_WRONG;
	else if (p->has_expect) {
		cls = same_bytes(out, p->expect, p->expect_len) ? CL_OK : CL_WRONG;
	} else {
		cls = !strcmp(sha, g->sha) ? CL_OK : CL_WRONG;
	}
	json_t *r = json_object();
	json_object_set_new(r, "id", json_integer(j->id));
	json_object_set_new(r, "seed", json_integer((json_int_t)(campaign_rand(p->seed, 0x73656564, (uint64_t)j->id, 0) & ((1ULL << 53) - 1))));
	json_t *fo = json_array();
	char *fl = strdup(j->faults), *save = NULL;
	for (char *o = strtok_r(fl, "\n", &save); o; o = strtok_r(NULL, "\n", &save))
		json_array_append_new(fo, json_string(o));
	free(fl);
	json_object_set_new(r, "faults", fo);
	json_object_set_new(r, "injected", injected);
	json_object_set_new(r, "class", json_string(camp_classes[cls]));
	json_object_set_new(r, "exit", code >= 0 ? json_integer(code) : json_null());
	json_object_set_new(r, "signal", sig ? json_string(sig) : json_null());
	json_object_set_new(r, "stdout_sha256", json_string(sha));
	json_object_set_new(r, "stdout_bytes", json_integer((json_int_t)bytes));
	if (!g)
		json_object_set_new(r, "tasks", json_incref(tasks));
	json_decref(tasks);
	json_decref(end);
	char *rf = camp_path(dir, "runs/%05ld.json", j->id), *tf = camp_path(dir, "runs/%05ld.time", j->id);
	if (json_dump_file(r, rf, JSON_COMPACT | JSON_PRESERVE_ORDER))
		camp_die("%s: cannot write", rf);
	FILE *tfp = fopen(tf, "we");
	if (tfp) {
		fprintf(tfp, "%.3f\n", secs);
		fclose(tfp);
	}
	/* the output of an ok run is golden's: not worth keeping */
	if (cls == CL_OK && g)
		unlink(out);
	if (rec_out)
		*rec_out = r;
	else
		json_decref(r);
	free(out);
	free(err);
	free(log);
	free(rf);
	free(tf);
	return cls;
}

/* ---- running many ---- */

struct progress {
	long done, total;
	long counts[NCLASSES];
	double start;
	bool tty;
};

static void progress_show(struct progress *pg, bool last)
{
	if (!pg->tty)
		return;
	double el = mono() - pg->start, eta = pg->done ? el / pg->done * (pg->total - pg->done) : 0;
	fprintf(stderr, "\r%6ld/%ld", pg->done, pg->total);
	for (int c = 0; c < NCLASSES; c++)
		fprintf(stderr, "  %s %ld", camp_classes[c], pg->counts[c]);
	fprintf(stderr, "  eta %d:%02d \033[K%s", (int)eta / 60, (int)eta % 60, last ? "\n" : "");
	fflush(stderr);
}

/* Runs ids first..last (njobs at a time); returns the count of kernel-class runs. */
static long run_all(const struct plan *p, const char *dir, const struct golden *g, long first,
		    long last, int njobs)
{
	struct job *jobs = calloc(njobs, sizeof *jobs);
	int running = 0;
	long next = first, kernel = 0;
	struct progress pg = { .total = last - first + 1, .start = mono(), .tty = isatty(2) };
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	progress_show(&pg, false);
	while (next <= last || running) {
		while (running < njobs && next <= last) {
			struct job *j = NULL;
			for (int i = 0; i < njobs; i++)
				if (!jobs[i].pid)
					j = &jobs[i];
			j->id = next++;
			j->faults = run_faults(p, g->tasks, j->id);
			job_start(p, dir, j);
			running++;
		}
		/* wait for a child, or the next deadline */
		double now = mono(), wake = now + 1;
		for (int i = 0; i < njobs; i++)
			if (jobs[i].pid && jobs[i].deadline < wake)
				wake = jobs[i].deadline;
		bool exited = false;
		int code;
		pid_t pid = host_child_wait(-1, true, &exited, &code);
		if (pid == 0) {
			double d = wake - now;
			if (d < 0)
				d = 0;
			struct timespec ts = { (time_t)d, (long)((d - (time_t)d) * 1e9) };
			sigtimedwait(&chld, NULL, &ts);
			pid = host_child_wait(-1, true, &exited, &code);
		}
		now = mono();
		for (int i = 0; i < njobs; i++) {
			struct job *j = &jobs[i];
			if (!j->pid)
				continue;
			if (pid > 0 && j->pid == pid) {
				int cls = job_finish(p, dir, j, exited, g, NULL);
				pg.counts[cls]++;
				pg.done++;
				kernel += cls == CL_KERNEL;
				free(j->faults);
				j->pid = 0;
				running--;
				progress_show(&pg, false);
			} else if (!j->timed_out && now >= j->deadline) {
				j->timed_out = true;
				kill(-j->pid, SIGKILL);
				kill(j->pid, SIGKILL);
			}
		}
	}
	progress_show(&pg, true);
	free(jobs);
	return kernel;
}

/* The golden run (id 0): DIR/golden.json. */
static void golden_run(const struct plan *p, const char *dir, struct golden *g)
{
	struct job j = { .id = 0 };
	j.faults = run_faults(p, NULL, 0);
	job_start(p, dir, &j);
	bool exited = false, timed_out = false;
	int code;
	for (;;) {
		pid_t r = host_child_wait(j.pid, true, &exited, &code);
		if (r == j.pid)
			break;
		if (!timed_out && mono() >= j.deadline) {
			timed_out = j.timed_out = true;
			kill(-j.pid, SIGKILL);
			kill(j.pid, SIGKILL);
		}
		usleep(2000);
	}
	json_t *rec;
	int cls = job_finish(p, dir, &j, exited, NULL, &rec);
	if (cls != CL_OK)
		camp_die("the golden run (no faults) ended as %s%s: see %s/runs/00000.err", camp_classes[cls],
			 cls == CL_HANG ? " (raise workload.timeout?)" : "", dir);
	g->code = (int)json_integer_value(json_object_get(rec, "exit"));
	snprintf(g->sha, sizeof g->sha, "%s", jstr(rec, "stdout_sha256"));
	char *out = camp_path(dir, "runs/00000.out");
	if (p->has_expect && !same_bytes(out, p->expect, p->expect_len))
		camp_die("the golden run's output is not workload.expect's: see %s", out);
	free(out);
	g->tasks = json_incref(json_object_get(rec, "tasks"));
	char *gf = camp_path(dir, "golden.json");
	if (json_dump_file(rec, gf, JSON_INDENT(2) | JSON_PRESERVE_ORDER))
		camp_die("%s: cannot write", gf);
	free(gf);
	json_decref(rec);
	free(j.faults);
}

static void golden_load(const char *dir, struct golden *g)
{
	char *gf = camp_path(dir, "golden.json");
	json_error_t je;
	json_t *r = json_load_file(gf, 0, &je);
	if (!r)
		camp_die("%s: %s (run the campaign, or --emit-jobs, first)", gf, je.text);
	g->code = (int)json_integer_value(json_object_get(r, "exit"));
	snprintf(g->sha, sizeof g->sha, "%s", jstr(r, "stdout_sha256") ? jstr(r, "stdout_sha256") : "");
	g->tasks = json_incref(json_object_get(r, "tasks"));
	json_decref(r);
	free(gf);
}

/* How many runs: the plan's, or for a sweep the calls the golden run
 * made that the sweep's set matched (capped by runs when given). */
static long plan_runs(const struct plan *p, const struct golden *g)
{
	if (!p->sweep)
		return p->runs;
	long k = 0;
	size_t i;
	json_t *r;
	json_array_foreach(g->tasks, i, r) {
		json_t *m = json_array_get(json_object_get(r, "matched"), 0);
		if (json_integer_value(m) > k)
			k = (long)json_integer_value(m);
	}
	if (!k)
		camp_die("the sweep's set matched no call of the golden run");
	return p->runs && p->runs < k ? p->runs : k;
}

static void mkdirs(const char *dir)
{
	char *runs = camp_path(dir, "runs");
	if ((mkdir(dir, 0755) && errno != EEXIST) || (mkdir(runs, 0755) && errno != EEXIST))
		camp_die("%s: %s", dir, strerror(errno));
	free(runs);
}

/* A new campaign in DIR: the runs of an earlier one there go. */
static void clear_runs(const char *dir)
{
	char *runs = camp_path(dir, "runs");
	DIR *dp = opendir(runs);
	struct dirent *de;
	while (dp && (de = readdir(dp))) {
		size_t l = strlen(de->d_name);
		if (l > 6 && isdigit((unsigned char)de->d_name[0]) &&
		    (strstr(de->d_name, ".json") || strstr(de->d_name, ".time") || strstr(de->d_name, ".log") ||
		     strstr(de->d_name, ".out") || strstr(de->d_name, ".err") || strstr(de->d_name, ".txt"))) {
			char *f = camp_path(runs, "%s", de->d_name);
			unlink(f);
			free(f);
		}
	}
	if (dp)
		closedir(dp);
	free(runs);
}

static void usage(FILE *o)
{
	fprintf(o,
		"usage: umk campaign PLAN [-o DIR] [-j N] [--platform P] [--runs N]\n"
		"                                                     run a campaign\n"
		"       umk campaign PLAN [-o DIR] [--platform P] [--runs N] --emit-jobs FILE [--slurm]\n"
		"                                                     golden run, then one job per run\n"
		"       umk campaign run-one DIR --id N                one run of an emitted campaign\n"
		"       umk campaign report [-o OUT] DIR...             merge results into one summary\n"
		"\n"
		"DIR (default campaign-NAME) gets results.jsonl, summary.md, summary.svg and\n"
		"runs/ (each run's record, time, fault log, and output unless it was ok).\n"
		"--platform and --runs override the plan's (--runs caps a sweep).\n");
}

static long parse_long(const char *s, const char *what, long min, long max)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < min || v > max)
		camp_die("%s: a number from %ld to %ld, not '%s'", what, min, max, s);
	return v;
}

int cmd_campaign(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "report"))
		return campaign_report(argc - 1, argv + 1);
	if (!strcmp(argv[1], "run-one")) {
		if (argc != 5 || strcmp(argv[3], "--id"))
			camp_die("run-one: usage: umk campaign run-one DIR --id N");
		const char *dir = argv[2];
		char *pf = camp_path(dir, "plan.json");
		struct plan *p = plan_load(pf, true);
		struct golden g;
		golden_load(dir, &g);
		long id = parse_long(argv[4], "--id", 1, plan_runs(p, &g));
		mkdirs(dir);
		long kernel = run_all(p, dir, &g, id, id, 1);
		free(pf);
		json_decref(g.tasks);
		plan_free(p);
		return kernel ? 1 : 0;
	}
	const char *planf = NULL, *dir = NULL, *emit = NULL, *platform = NULL;
	int njobs = 1;
	long runs = 0;
	bool slurm = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc)
			dir = argv[++i];
		else if (!strcmp(argv[i], "-j") && i + 1 < argc)
			njobs = (int)parse_long(argv[++i], "-j", 1, 256);
		else if (!strcmp(argv[i], "--emit-jobs") && i + 1 < argc)
			emit = argv[++i];
		else if (!strcmp(argv[i], "--slurm"))
			slurm = true;
		else if (!strcmp(argv[i], "--platform") && i + 1 < argc)
			platform = argv[++i];
		else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			runs = parse_long(argv[++i], "--runs", 1, 1000000);
		else if (argv[i][0] == '-')
			camp_die("unknown option '%s' (try 'umk campaign --help')", argv[i]);
		else if (!planf)
			planf = argv[i];
		else
			camp_die("one PLAN only ('%s' too?)", argv[i]);
	}
	if (!planf)
		camp_die("no PLAN given (try 'umk campaign --help')");
	if (slurm && !emit)
		camp_die("--slurm goes with --emit-jobs FILE");
	struct plan *p = plan_load(planf, false);
	if (platform) {
		if (strcmp(platform, "ptrace") && strcmp(platform, "seccomp"))
			camp_die("--platform: ptrace or seccomp, not '%s'", platform);
		p->platform = strdup(platform);
		json_object_set_new(json_object_get(p->json, "workload"), "platform", json_string(platform));
	}
	if (runs) {
		p->runs = runs;
		json_object_set_new(p->json, "runs", json_integer(runs));
	}
	char *defdir = NULL;
	if (!dir) {
		if (asprintf(&defdir, "campaign-%s", p->name) < 0)
			camp_die("out of memory");
		dir = defdir;
	}
	mkdirs(dir);
	char *absdir = realpath(dir, NULL);
	clear_runs(absdir);
	plan_save(p, absdir);
	struct golden g;
	golden_run(p, absdir, &g);
	long n = plan_runs(p, &g);
	if (emit) {
		char *exe = self_exe();
		FILE *f = fopen(emit, "we");
		if (!f)
			camp_die("--emit-jobs %s: %s", emit, strerror(errno));
		if (slurm) {
			fprintf(f, "#!/bin/sh\n# umk campaign %s: %ld runs (sbatch %s; then umk campaign report %s)\n",
				p->name, n, emit, absdir);
			fprintf(f, "#SBATCH --job-name=umk-%s\n#SBATCH --array=1-%ld\n#SBATCH --output=%s/runs/slurm-%%a.txt\n",
				p->name, n, absdir);
			fprintf(f, "exec '%s' campaign run-one '%s' --id \"$SLURM_ARRAY_TASK_ID\"\n", exe, absdir);
		} else {
			for (long i = 1; i <= n; i++)
				fprintf(f, "'%s' campaign run-one '%s' --id %ld\n", exe, absdir, i);
		}
		fclose(f);
		if (slurm)
			chmod(emit, 0755);
		fprintf(stderr, "umk: campaign %s: golden run done; %ld job%s in %s (%s); then: umk campaign report %s\n",
			p->name, n, n == 1 ? "" : "s", emit, slurm ? "sbatch it" : "e.g. parallel < FILE", absdir);
		free(exe);
		free(defdir);
		free(absdir);
		json_decref(g.tasks);
		plan_free(p);
		return 0;
	}
	long kernel = run_all(p, absdir, &g, 1, n, njobs);
	char *args[] = { "report", absdir, NULL };
	int r = campaign_report(2, args);
	if (kernel)
		fprintf(stderr, "umk: campaign: %ld run(s) ended in umk's own failure (class kernel): see their "
				"runs/ID.err in %s\n", kernel, absdir);
	free(defdir);
	free(absdir);
	json_decref(g.tasks);
	plan_free(p);
	return kernel ? 1 : r;
}
