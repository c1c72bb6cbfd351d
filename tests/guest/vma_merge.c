/*
 * vma_merge - VMA merging as Linux's.  mbind's splits undone by an
 * MPOL_DEFAULT over the whole range leave one VMA again, however many
 * pieces join (LTP's vma02, vma04).  And the anon_vma rules across fork
 * (is_mergeable_anon_vma, vma_had_uncowed_parents): in a child, a VMA
 * inherited from a parent VMA that had anonymous pages is not merged with
 * a new neighbour (LTP's vma01), nor is the heap grown by brk, while its
 * own pieces (an mprotect split undone) merge back; in the parent nothing
 * changes.  Prints the layout of /proc/self/maps around each mapping, in
 * pages relative to it.
 */
#define _GNU_SOURCE
#include <alloca.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static long ps;

/* The VMAs of /proc/self/maps overlapping [lo, hi), relative to base. */
static void layout(const char *what, char *base, char *lo, char *hi)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");

	printf("%s:", what);
	while (f && fgets(line, sizeof(line), f)) {
		uintptr_t s, e;

		if (sscanf(line, "%lx-%lx", &s, &e) != 2 || e <= (uintptr_t)lo || s >= (uintptr_t)hi)
			continue;
		if ((char *)s < lo)
			printf(" [..,%ld)", (long)((char *)e - base) / ps);
		else
			printf(" [%ld,%ld)", (long)((char *)s - base) / ps, (long)((char *)e - base) / ps);
	}
	printf("\n");
	if (f)
		fclose(f);
}

/* A hole of 9 pages; returns its middle third. */
static char *hole(void)
{
	char *t = mmap(NULL, 9 * ps, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);

	munmap(t, 9 * ps);
	return t + 3 * ps;
}

static void child(void (*fn)(void))
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		fn();
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, &st, 0);
}

static char *t, *w, *r;

/* LTP vma01: t written by the parent, a new mapping after it in the child */
static void c_vma01(void)
{
	char *u;

	memset(t, 2, ps);
	u = mmap(t + 3 * ps, 3 * ps, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE, -1, 0);
	if (u == MAP_FAILED)
		printf("mmap: %m\n");
	memset(u, 2, ps);
	layout("child, t written by parent + new after it", t, t - ps, t + 6 * ps);
	/* its own pieces merge back */
	mprotect(t + ps, ps, PROT_READ);
	layout("child, t split", t, t - ps, t + 6 * ps);
	mprotect(t + ps, ps, PROT_READ | PROT_WRITE);
	layout("child, t split undone", t, t - ps, t + 6 * ps);
}

/* w never written by the parent: Linux merges (no anon_vma to keep) */
static void c_unwritten(void)
{
	char *u = mmap(w + 3 * ps, 2 * ps, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE, -1, 0);

	if (u == MAP_FAILED)
		printf("mmap: %m\n");
	layout("child, w unwritten + new after it", w, w - ps, w + 5 * ps);
}

/* the grandchild of a written VMA */
static void c_grand(void)
{
	child(c_vma01);
}

/* r read-only in the parent (never writable: no anon_vma) */
static void c_readonly(void)
{
	char *u = mmap(r + 3 * ps, 2 * ps, PROT_READ, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE, -1, 0);

	if (u == MAP_FAILED)
		printf("mmap: %m\n");
	layout("child, r read-only + new after it", r, r - ps, r + 5 * ps);
}

/* The [stack] lines of /proc/self/maps. */
static int stack_vmas(void)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");
	int n = 0;

	while (f && fgets(line, sizeof(line), f))
		n += strstr(line, "[stack]") != NULL;
	if (f)
		fclose(f);
	return n;
}

/* The stack grows in a child: still one VMA (expand_downwards) */
static void __attribute__((noinline)) c_stack(void)
{
	volatile char *p = alloca(2 << 20);

	for (long i = (2 << 20) - ps; i >= 0; i -= ps)
		p[i] = 1;
	printf("child, stack grown by 2 MiB: %d [stack] VMA(s)\n", stack_vmas());
}

/* the heap, written by the parent, grown by brk in the child */
static char *heap;

static void c_brk(void)
{
	if (sbrk(4 * ps) == (void *)-1)
		printf("sbrk: %m\n");
	memset(heap + 4 * ps, 3, ps);
	layout("child, heap grown by brk", heap, heap, heap + 8 * ps);
}

/* mbind(2) without libnuma: node 0 only */
static long mbind_(void *a, unsigned long len, int mode, int nodes)
{
	unsigned long mask = nodes;

	return syscall(SYS_mbind, a, len, mode, nodes ? &mask : NULL, nodes ? 64 : 0, 0);
}

static void mbinds(void)
{
	char *m = hole();

	m = mmap(m, 6 * ps, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE, -1, 0);
	if (m == MAP_FAILED) {
		printf("mmap: %m\n");
		return;
	}
	memset(m, 0, 6 * ps);
	if (mbind_(m + ps, ps, 2 /* MPOL_BIND */, 1) || mbind_(m + 3 * ps, 2 * ps, 3 /* MPOL_INTERLEAVE */, 1))
		printf("mbind: %m\n");
	layout("mbind pieces", m, m - ps, m + 6 * ps);
	if (mbind_(m, 6 * ps, 0 /* MPOL_DEFAULT */, 0))
		printf("mbind: %m\n");
	layout("mbind default again", m, m - ps, m + 6 * ps);
	munmap(m, 6 * ps);
}

int main(void)
{
	ps = sysconf(_SC_PAGESIZE);
	setvbuf(stdout, NULL, _IOLBF, 0);
	mbinds();
	t = hole();
	t = mmap(t, 3 * ps, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE, -1, 0);
	memset(t, 1, ps);
	w = hole();
	w = mmap(w, 3 * ps, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE, -1, 0);
	r = hole();
	r = mmap(r, 3 * ps, PROT_READ, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE, -1, 0);
	if (t == MAP_FAILED || w == MAP_FAILED || r == MAP_FAILED)
		return printf("mmap: %m\n"), 1;
	child(c_vma01);
	child(c_unwritten);
	child(c_grand);
	child(c_readonly);
	heap = sbrk(0);
	heap = (char *)(((uintptr_t)heap + ps - 1) & ~(uintptr_t)(ps - 1));
	if (brk(heap + 4 * ps))
		printf("brk: %m\n");
	memset(heap, 1, 4 * ps);
	layout("parent, heap", heap, heap, heap + 8 * ps);
	child(c_brk);
	child(c_stack);
	/* the parent's own: a new neighbour merges */
	{
		char *u = mmap(t + 3 * ps, ps, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE, -1, 0);

		if (u == MAP_FAILED)
			printf("mmap: %m\n");
		layout("parent, t + new after it", t, t - ps, t + 6 * ps);
	}
	return 0;
}
