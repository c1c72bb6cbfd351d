/*
 * campaign_report.c - `umk campaign report [-o OUT] DIR...`: merges the
 * run records of one or more campaign directories (DIR/runs/ID.json,
 * ID.time) into OUT/results.jsonl (one line per run, in id order),
 * OUT/timing.jsonl (each run's wall time, the one thing two campaigns
 * with the same seed do not share), OUT/summary.md (classes overall, per
 * fault kind, per syscall, region, register, I/O and network fault) and
 * OUT/summary.svg (a stacked bar chart drawn by gnuplot, when it is
 * installed).  The local driver (campaign.c) calls it at the end; jobs
 * run elsewhere (--emit-jobs) are merged with it afterwards.
 */
#include "campaign.h"
#include "../../tracer/host.h"
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct rec {
	long id;
	json_t *j;
	double time;
};

static int rec_cmp(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}

static const char *jstr(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

/* A breakdown: rows (first-seen order) of class counts. */
struct table {
	const char *title, *what;
	int n, cap;
	char **names;
	long (*counts)[NCLASSES];
};

static void table_add(struct table *t, const char *name, int cls)
{
	int i;
	for (i = 0; i < t->n; i++)
		if (!strcmp(t->names[i], name))
			break;
	if (i == t->n) {
		if (t->n == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 16;
			t->names = realloc(t->names, t->cap * sizeof *t->names);
			t->counts = realloc(t->counts, t->cap * sizeof *t->counts);
		}
		t->names[i] = strdup(name);
		memset(t->counts[i], 0, sizeof t->counts[i]);
		t->n++;
	}
	t->counts[i][cls]++;
}

static void table_free(struct table *t)
{
	for (int i = 0; i < t->n; i++)
		free(t->names[i]);
	free(t->names);
	free(t->counts);
}

static void table_md(FILE *f, const struct table *t)
{
	if (!t->n)
		return;
	fprintf(f, "\n## %s\n\n| %s |", t->title, t->what);
	for (int c = 0; c < NCLASSES; c++)
		fprintf(f, " %s |", camp_classes[c]);
	fprintf(f, " runs |\n|---|");
	for (int c = 0; c <= NCLASSES; c++)
		fprintf(f, "---:|");
	fputc('\n', f);
	for (int i = 0; i < t->n; i++) {
		long sum = 0;
		fprintf(f, "| %s |", t->names[i]);
		for (int c = 0; c < NCLASSES; c++) {
			fprintf(f, " %ld |", t->counts[i][c]);
			sum += t->counts[i][c];
		}
		fprintf(f, " %ld |\n", sum);
	}
}

/* The kind of fault a run got, and what it hit (syscall name, region...). */
static void run_fault(json_t *r, const char **kind, char *what, size_t n)
{
	json_t *inj = json_object_get(r, "injected"), *f;
	size_t i;
	*kind = "none";
	snprintf(what, n, "-");
	json_array_foreach(inj, i, f) {
		if (json_object_get(f, "event"))   /* a miss record */
			continue;
		*kind = jstr(f, "kind") ? jstr(f, "kind") : "?";
		if (!strcmp(*kind, "syscall"))
			snprintf(what, n, "%s", jstr(f, "syscall") ? jstr(f, "syscall") : "?");
		else if (!strcmp(*kind, "mem"))
			snprintf(what, n, "%s", jstr(f, "region") ? jstr(f, "region") : "?");
		else if (!strcmp(*kind, "reg"))
			snprintf(what, n, "%s", jstr(f, "reg") ? jstr(f, "reg") : "?");
		else if (!strcmp(*kind, "io") || !strcmp(*kind, "net"))
			snprintf(what, n, "%s %s", jstr(f, "op") ? jstr(f, "op") : "?",
				 jstr(f, "fault") ? jstr(f, "fault") : "?");
		return;
	}
}

static int class_of(json_t *r)
{
	const char *c = jstr(r, "class");
	for (int i = 0; c && i < NCLASSES; i++)
		if (!strcmp(c, camp_classes[i]))
			return i;
	return CL_KERNEL;
}

/* summary.svg: the table as stacked bars (gnuplot). */
static void chart(const char *out, const char *name, const struct table *t, long nruns)
{
	char *dat = camp_path(out, "summary.dat"), *gp = camp_path(out, "summary.gp");
	char *svg = camp_path(out, "summary.svg");
	FILE *f = fopen(dat, "we");
	if (!f)
		return;
	for (int i = 0; i < t->n; i++) {
		fprintf(f, "\"%s\"", t->names[i]);
		for (int c = 0; c < NCLASSES; c++)
			fprintf(f, " %ld", t->counts[i][c]);
		fputc('\n', f);
	}
	fclose(f);
	static const char *colours[NCLASSES] = { "#4daf4a", "#377eb8", "#ff7f00", "#e41a1c", "#984ea3", "#000000" };
	f = fopen(gp, "we");
	if (!f)
		return;
	int width = 360 + 28 * t->n;
	fprintf(f, "set terminal svg size %d,520 dynamic noenhanced font 'sans,11' background rgb 'white'\n",
		width < 640 ? 640 : width);
	fprintf(f, "set output '%s'\n", svg);
	fprintf(f, "set title \"umk campaign %s: %ld runs, classes %s\"\n", name, nruns,
		!strcmp(t->what, "kind") ? "per fault kind" : t->what[0] == 's' ? "per syscall failed" : "per target");
	fprintf(f, "set style data histograms\nset style histogram rowstacked\n"
		   "set style fill solid 0.9 border rgb 'grey30'\nset boxwidth 0.8\n"
		   "set key outside right top\nset ylabel 'runs'\nset yrange [0:*]\n"
		   "set xtics rotate by -60 scale 0 nomirror\nset bmargin 7\nset grid ytics\n");
	fprintf(f, "plot ");
	for (int c = 0; c < NCLASSES; c++)
		fprintf(f, "%s'%s' using %d%s title '%s' lc rgb '%s'", c ? ", " : "", dat, c + 2,
			c ? "" : ":xtic(1)", camp_classes[c], colours[c]);
	fputc('\n', f);
	fclose(f);
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		execlp("gnuplot", "gnuplot", gp, (char *)NULL);
		_exit(127);
	}
	bool exited = false;
	int code = 0;
	if (pid > 0 && host_child_wait(pid, false, &exited, &code) < 0)
		exited = false;
	if (!exited || code)
		fprintf(stderr, "umk: campaign: no summary.svg: gnuplot %s (apt-get install gnuplot-nox)\n",
			exited && code == 127 ? "is not installed" : "failed");
	free(dat);
	free(gp);
	free(svg);
}

int campaign_report(int argc, char **argv)
{
	const char *out = NULL;
	int first = 1;
	if (argc > 2 && !strcmp(argv[1], "-o")) {
		out = argv[2];
		first = 3;
	}
	if (first >= argc)
		camp_die("report: usage: umk campaign report [-o OUT] DIR...");
	if (!out)
		out = argv[first];
	if (mkdir(out, 0755) && errno != EEXIST)
		camp_die("report: %s: %s", out, strerror(errno));
	struct rec *recs = NULL;
	size_t nrec = 0, cap = 0;
	json_t *plan = NULL, *golden = NULL;
	for (int d = first; d < argc; d++) {
		const char *dir = argv[d];
		char *runs = camp_path(dir, "runs");
		DIR *dp = opendir(runs);
		if (!dp)
			camp_die("report: %s: %s", runs, strerror(errno));
		if (!plan) {
			char *pf = camp_path(dir, "plan.json"), *gf = camp_path(dir, "golden.json");
			plan = json_load_file(pf, 0, NULL);
			golden = json_load_file(gf, 0, NULL);
			if (!plan || !golden)
				camp_die("report: %s: no plan.json or golden.json: not a campaign directory", dir);
			free(pf);
			free(gf);
		}
		struct dirent *de;
		while ((de = readdir(dp))) {
			size_t l = strlen(de->d_name);
			if (l < 6 || strcmp(de->d_name + l - 5, ".json"))
				continue;
			long id = atol(de->d_name);
			if (id <= 0)
				continue;   /* 00000.json: the golden run */
			char *f = camp_path(runs, "%s", de->d_name);
			json_t *j = json_load_file(f, 0, NULL);
			if (!j) {
				fprintf(stderr, "umk: campaign: report: %s: not JSON: skipped\n", f);
				free(f);
				continue;
			}
			bool dup = false;
			for (size_t i = 0; i < nrec; i++)
				dup |= recs[i].id == id;
			if (dup) {
				fprintf(stderr, "umk: campaign: report: run %ld in more than one directory: %s skipped\n", id, f);
				json_decref(j);
				free(f);
				continue;
			}
			if (nrec == cap) {
				cap = cap ? cap * 2 : 256;
				recs = realloc(recs, cap * sizeof *recs);
			}
			double t = -1;
			char *tf = NULL;
			if (asprintf(&tf, "%.*s.time", (int)strlen(f) - 5, f) < 0)
				camp_die("out of memory");
			FILE *tp = fopen(tf, "re");
			if (tp) {
				if (fscanf(tp, "%lf", &t) != 1)
					t = -1;
				fclose(tp);
			}
			free(tf);
			recs[nrec++] = (struct rec){ id, j, t };
			free(f);
		}
		closedir(dp);
		free(runs);
	}
	qsort(recs, nrec, sizeof *recs, rec_cmp);

	char *rf = camp_path(out, "results.jsonl"), *tf = camp_path(out, "timing.jsonl");
	char *sf = camp_path(out, "summary.md");
	FILE *r = fopen(rf, "we"), *t = fopen(tf, "we"), *s = fopen(sf, "we");
	if (!r || !t || !s)
		camp_die("report: cannot write into %s: %s", out, strerror(errno));
	long counts[NCLASSES] = { 0 };
	struct table kinds = { "By fault kind", "kind", 0, 0, NULL, NULL };
	struct table sys = { "By syscall (the call made to fail)", "syscall", 0, 0, NULL, NULL };
	struct table mem = { "By memory region", "region", 0, 0, NULL, NULL };
	struct table reg = { "By register", "register", 0, 0, NULL, NULL };
	struct table io = { "By I/O fault", "operation and fault", 0, 0, NULL, NULL };
	struct table net = { "By network fault", "operation and fault", 0, 0, NULL, NULL };
	double total = 0, longest = 0;
	long timed = 0;
	for (size_t i = 0; i < nrec; i++) {
		char *line = json_dumps(recs[i].j, JSON_COMPACT | JSON_PRESERVE_ORDER);
		fprintf(r, "%s\n", line);
		free(line);
		if (recs[i].time >= 0) {
			fprintf(t, "{\"id\":%ld,\"time\":%.3f}\n", recs[i].id, recs[i].time);
			total += recs[i].time;
			longest = recs[i].time > longest ? recs[i].time : longest;
			timed++;
		}
		int c = class_of(recs[i].j);
		counts[c]++;
		const char *kind;
		char what[128];
		run_fault(recs[i].j, &kind, what, sizeof what);
		table_add(&kinds, kind, c);
		if (!strcmp(kind, "syscall"))
			table_add(&sys, what, c);
		else if (!strcmp(kind, "mem"))
			table_add(&mem, what, c);
		else if (!strcmp(kind, "reg"))
			table_add(&reg, what, c);
		else if (!strcmp(kind, "io"))
			table_add(&io, what, c);
		else if (!strcmp(kind, "net"))
			table_add(&net, what, c);
	}
	fclose(r);
	fclose(t);

	const char *name = jstr(plan, "name");
	json_t *w = json_object_get(plan, "workload"), *av = json_object_get(w, "argv"), *a;
	size_t k;
	fprintf(s, "# Campaign `%s`\n\n- workload: `", name ? name : "?");
	json_array_foreach(av, k, a)
		fprintf(s, "%s%s", k ? " " : "", json_string_value(a));
	fprintf(s, "`");
	if (jstr(w, "stdin")) {
		const char *in = strrchr(jstr(w, "stdin"), '/');
		fprintf(s, " < %s", in ? in + 1 : jstr(w, "stdin"));
	}
	if (jstr(w, "platform"))
		fprintf(s, " on the %s platform", jstr(w, "platform"));
	fprintf(s, ", seed %lld\n", (long long)json_integer_value(json_object_get(plan, "seed")));
	if (jstr(plan, "sweep"))
		fprintf(s, "- faults: a fail-nth sweep: run N is `%s:fail_nth=N`\n", jstr(plan, "sweep"));
	else
		fprintf(s, "- faults: one of %zu template(s) per run, sampled with the seed\n",
			json_array_size(json_object_get(plan, "faults")));
	fprintf(s, "- golden run: exit %lld, stdout %lld bytes (sha256 `%.16s...`)\n",
		(long long)json_integer_value(json_object_get(golden, "exit")),
		(long long)json_integer_value(json_object_get(golden, "stdout_bytes")),
		jstr(golden, "stdout_sha256") ? jstr(golden, "stdout_sha256") : "");
	fprintf(s, "- runs: %zu", nrec);
	if (timed)
		fprintf(s, "; wall time %.1f s in all, %.0f ms a run on average, %.0f ms the longest", total,
			total / timed * 1000, longest * 1000);
	fprintf(s, "\n\n## Classes\n\n| class | runs | share |\n|---|---:|---:|\n");
	for (int c = 0; c < NCLASSES; c++)
		fprintf(s, "| %s | %ld | %.1f%% |\n", camp_classes[c], counts[c],
			nrec ? 100.0 * counts[c] / nrec : 0.0);
	table_md(s, &kinds);
	table_md(s, &sys);
	table_md(s, &mem);
	table_md(s, &reg);
	table_md(s, &io);
	table_md(s, &net);
	fprintf(s, "\nok: as the golden run; detected: another exit status; wrong: the golden exit "
		   "status with other output; crash: killed by a signal; hang: over the time limit; "
		   "kernel: umk itself failed.\n");
	fclose(s);

	/* the chart shows the finest breakdown most runs have */
	const struct table *best = &kinds;
	long half = (long)nrec / 2;
	long nsys = 0, nmem = 0, nreg = 0;
	for (int i = 0; i < kinds.n; i++) {
		long sum = 0;
		for (int c = 0; c < NCLASSES; c++)
			sum += kinds.counts[i][c];
		if (!strcmp(kinds.names[i], "syscall"))
			nsys = sum;
		else if (!strcmp(kinds.names[i], "mem"))
			nmem = sum;
		else if (!strcmp(kinds.names[i], "reg"))
			nreg = sum;
	}
	if (nsys > half)
		best = &sys;
	else if (nmem > half)
		best = &mem;
	else if (nreg > half)
		best = &reg;
	chart(out, name ? name : "?", best, (long)nrec);

	printf("campaign %s: %zu runs:", name ? name : "?", nrec);
	for (int c = 0; c < NCLASSES; c++)
		printf(" %s %ld", camp_classes[c], counts[c]);
	printf("\nresults: %s, %s, %s/summary.svg\n", rf, sf, out);
	free(rf);
	free(tf);
	free(sf);
	for (size_t i = 0; i < nrec; i++)
		json_decref(recs[i].j);
	free(recs);
	table_free(&kinds);
	table_free(&sys);
	table_free(&mem);
	table_free(&reg);
	table_free(&io);
	table_free(&net);
	json_decref(plan);
	json_decref(golden);
	return 0;
}
