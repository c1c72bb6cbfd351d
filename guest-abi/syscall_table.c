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

uint32_t syscall_class_lookup(const char *name)
{
	static const struct { const char *name; uint32_t bit; } classes[] = {
		{ "file", C_F }, { "desc", C_D }, { "memory", C_M }, { "process", C_P },
		{ "signal", C_S }, { "network", C_N }, { "net", C_N }, { "ipc", C_I },
		{ "creds", C_C }, { "clock", C_K }, { "pure", C_PU }, { "stat", C_ST },
		{ "lstat", C_LST }, { "fstat", C_FST }, { "%stat", C_STA }, { "statfs", C_SF },
		{ "fstatfs", C_FSF }, { "%statfs", C_SFA }, { "fs", C_FS },
	};
	for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
		if (!strcmp(classes[i].name, name))
			return classes[i].bit;
	return 0;
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
