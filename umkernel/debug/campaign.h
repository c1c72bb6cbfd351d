/*
 * debug/campaign.h - what the two halves of `umk campaign` share:
 * campaign.c (the plan, the golden run, running and classing runs) and
 * campaign_report.c (results.jsonl, summary.md, summary.svg).
 */
#ifndef UMK_CAMPAIGN_H
#define UMK_CAMPAIGN_H

#include "fault_impl.h"
#include <ctype.h>

enum { CL_OK, CL_DETECTED, CL_WRONG, CL_CRASH, CL_HANG, CL_KERNEL, NCLASSES };
extern const char *const camp_classes[NCLASSES];

/* A plan (see campaign.c and the README), paths made absolute. */
struct plan {
	json_t *json;
	char *dir;                     /* the plan file's directory */
	char *name;
	char **argv;
	int argc;
	char *rootfs, *platform, *stdin_path;
	char **env;
	int nenv;
	double timeout;                /* seconds */
	char *expect;                  /* workload.expect's stdout */
	size_t expect_len;
	bool has_expect;
	char *checker;
	uint64_t seed;
	long runs;
	char **faults;                 /* templates; several options joined by '\n' */
	int nfaults;
	char *sweep;                   /* --inject=... of a fail-nth sweep */
};

/* What the golden run gave. */
struct golden {
	int code;
	char sha[65];
	json_t *tasks;                 /* its fault log's exit records */
};

/* Loads and checks PLAN (resolved: written by plan_save, paths already
 * absolute); dies with one line on any error. */
struct plan *plan_load(const char *file, bool resolved);
/* A template with its placeholders filled for run id ({syscall}: 1..the
 * golden run's syscalls of the task it names; {int:A..B}; {pick:a|b}). */
char *expand_template(const char *tmpl, json_t *golden_tasks, uint64_t seed, long id,
		      const char *where);
uint64_t campaign_rand(uint64_t seed, uint64_t a, uint64_t b, uint64_t c);
/* `umk campaign report [-o OUT] DIR...` (argv[0] is "report"). */
int campaign_report(int argc, char **argv);
char *camp_path(const char *dir, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void camp_die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#endif
