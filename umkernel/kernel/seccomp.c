/*
 * seccomp.c - seccomp(2) for guests (placeholder while ptrace lands).
 */
#include "../kernel.h"
#include "task.h"

int seccomp_syscall_enter(struct task *t) { (void)t; return 0; }
void seccomp_fork(struct task *t, struct task *c) { c->no_new_privs = t->no_new_privs; }
void seccomp_release(struct task *t) { (void)t; }
int seccomp_filter_count(struct task *t) { (void)t; return 0; }
long seccomp_set_mode(struct task *t, unsigned op, unsigned flags, uint64_t uargs)
{ (void)t; (void)op; (void)flags; (void)uargs; return -EINVAL; }
long seccomp_get_filter(struct task *c, uint64_t index, uint64_t ubuf, struct task *t)
{ (void)c; (void)index; (void)ubuf; (void)t; return -EINVAL; }
long seccomp_get_metadata(struct task *c, uint64_t size, uint64_t umeta, struct task *t)
{ (void)c; (void)size; (void)umeta; (void)t; return -EINVAL; }
