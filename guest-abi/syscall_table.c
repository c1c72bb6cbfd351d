/*
 * syscall_table.c - builds syscall_table[] from syscalls.def.
 *
 * Handlers are referenced weakly: a row whose sys_NAME is not linked in
 * gets a NULL handler, so the table compiles whatever is implemented, and
 * tests/unit/check_syscalls.c checks that FULL/PARTIAL rows have one.
 */
#include <string.h>
#include <errno.h>
#include "syscall_table.h"

struct task;
struct sysargs;

#define UNPAREN(...) __VA_ARGS__
/* Weak declarations of every handler. */
#define SYSCALL(nr, name, nargs, kinds, cls, status, note) \
	extern long sys_##name(struct task *, struct sysargs *) __attribute__((weak));
#include "syscalls.def"
#undef SYSCALL

#define STATUS_NONE .status = SYS_NONE
#define STATUS_FULL .status = SYS_FULL
#define STATUS_PARTIAL .status = SYS_PARTIAL
#define STATUS_ERRNO(e) .status = SYS_ERRNO, .err = e
#define STATUS(s) STATUS_##s

const struct syscall_desc syscall_table[SYSCALL_NR_MAX] = {
#define SYSCALL(nr, name_, nargs_, kinds, cls, st, note_) \
	[nr] = { .name = #name_, .nargs = nargs_, .kind = { UNPAREN kinds }, \
		 .class = cls, STATUS(st), .note = note_, \
		 .handler = (void *)sys_##name_ },
#include "syscalls.def"
#undef SYSCALL
};

int syscall_lookup(const char *name)
{
	for (int i = 0; i < SYSCALL_NR_MAX; i++)
		if (syscall_table[i].name && !strcmp(syscall_table[i].name, name))
			return i;
	return -1;
}

const char *sysarg_kind_name(int k)
{
	static const char *const names[] = {
		"NONE", "INT", "UINT", "LONG", "HEX", "SIZE", "PTR", "FD", "ATFD",
		"PID", "PATH", "STR", "STRV", "ENVP", "BUF_IN", "BUF_OUT", "OFLAGS", "MODE",
		"AMODE", "ATFLAGS", "PROT", "MMFLAGS", "SIG", "SIGHOW", "WHENCE",
		"FCNTL", "IOCTL", "CLONEFLAGS", "FUTEXOP",
	};
	return k >= 0 && k < SYSARG_KIND_MAX ? names[k] : "?";
}
