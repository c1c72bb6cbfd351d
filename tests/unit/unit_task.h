/* unit_task.h - a minimal task for unit tests of the VFS and fd table
 * (no kernel thread, no mm): root credentials, cwd "/", an fd table. */
#ifndef UNIT_TASK_H
#define UNIT_TASK_H
#include "../../umkernel/kernel.h"
#include "../../umkernel/fs/fs.h"
#include <stdlib.h>
#include <string.h>

static inline struct task *unit_task(void)
{
	struct task *t = calloc(1, sizeof(*t));

	t->tg = calloc(1, sizeof(*t->tg));
	t->tg->tgid = t->tid = 1;
	t->fs = calloc(1, sizeof(*t->fs));
	t->fs->refs = 1;
	t->fs->cwd = strdup("/");
	t->fs->root = strdup("/");
	t->fs->umask = 022;
	t->files = fdtable_new();
	return t;
}
#endif
