/*
 * kallsyms.c - /proc/kallsyms, as Linux's kernel/kallsyms.c shows it
 * (s_show, kallsyms_show_value): one "ADDRESS TYPE NAME" line a symbol,
 * ADDRESS 16 hex digits, in ascending order (a module's symbols would
 * follow with "\t[module]"; umk has none: CONFIG_MODULES is off).
 *
 * The addresses are made up.  umk has no kernel image in the guest's
 * address space: its symbols are umk's own syscall entry points, named as
 * Linux names them (__x64_sys_NAME, type T; "newstat" for stat and the
 * like, none for the numbers Linux answers with sys_ni_syscall), and a
 * few core symbols programs look for (_stext, _text, _etext,
 * entry_SYSCALL_64, do_syscall_64, sys_call_table, init_task, jiffies,
 * _sdata, _edata, __bss_start, _end...).  They sit where a Linux kernel
 * without KASLR puts its image, from 0xffffffff81000000 up in the kernel
 * half of the address space, an entry point at 0xffffffff81100000 + 0x100
 * * its number, and never move; nothing is mapped there for the guest.
 *
 * Who sees the addresses (kallsyms_show_value, with the opener's
 * credentials): kernel.kptr_restrict 0 and kernel.perf_event_paranoid
 * <= 1: everyone; 0 or 1: a task with CAP_SYSLOG; 2: no one.  The others
 * read zeros.  Linux's default kptr_restrict is 0 (distributions may set
 * 1 at boot), perf_event_paranoid 2: root sees addresses, other users
 * zeros.
 */
#include "../kernel.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef CAP_SYSLOG
#define CAP_SYSLOG 34
#endif

long sysctl_kptr_restrict = 0;   /* kernel.kptr_restrict: Linux's default */

#define KTEXT 0xffffffff81000000ULL
#define KSYS  0xffffffff81100000ULL   /* __x64_sys_*: + 0x100 * number */

/* The core symbols, in address order, split where the entry points go. */
static const struct ksym { uint64_t addr; char type; const char *name; } before[] = {
	{ 0, 'A', "__per_cpu_start" },
	{ 0x34000, 'A', "__per_cpu_end" },
	{ KTEXT, 'T', "_stext" },
	{ KTEXT, 'T', "_text" },
	{ KTEXT + 0x80, 'T', "entry_SYSCALL_64" },
	{ KTEXT + 0x1000, 'T', "do_syscall_64" },
	{ KTEXT + 0x1400, 'T', "x64_sys_call" },
	{ KTEXT + 0x2000, 'T', "_printk" },
	{ KTEXT + 0x3000, 'T', "schedule" },
	{ KTEXT + 0x4000, 'T', "do_exit" },
	{ KTEXT + 0x5000, 'T', "kallsyms_lookup_name" },
}, after[] = {
	{ KSYS + 0x100000, 'T', "__x64_sys_ni_syscall" },
	{ KTEXT + 0xe00000, 'T', "_etext" },
	{ KTEXT + 0x1000000, 'D', "__start_rodata" },
	{ KTEXT + 0x1000100, 'R', "linux_banner" },
	{ KTEXT + 0x1000400, 'R', "sys_call_table" },
	{ KTEXT + 0x1a00000, 'D', "_sdata" },
	{ KTEXT + 0x1a00040, 'D', "init_task" },
	{ KTEXT + 0x1a10000, 'D', "jiffies" },
	{ KTEXT + 0x1a10000, 'D', "jiffies_64" },
	{ KTEXT + 0x1c00000, 'D', "_edata" },
	{ KTEXT + 0x2000000, 'B', "__bss_start" },
	{ KTEXT + 0x2800000, 'B', "__bss_stop" },
	{ KTEXT + 0x2800000, 'B', "_end" },
	{ KTEXT + 0x2a00000, 'T', "_sinittext" },
	{ KTEXT + 0x2a01000, 'T', "startup_64" },
	{ KTEXT + 0x2a80000, 'T', "_einittext" },
};

/* The x86-64 numbers Linux's table gives sys_ni_syscall (no symbol). */
static const char *const ni_names[] = {
	"uselib", "_sysctl", "create_module", "get_kernel_syms", "query_module",
	"nfsservctl", "getpmsg", "putpmsg", "afs_syscall", "tuxcall", "security",
	"set_thread_area", "get_thread_area", "epoll_ctl_old", "epoll_wait_old",
	"vserver", "lookup_dcookie",
};

/* Linux's entry point name for a syscall of umk's table. */
static const char *linux_sys_name(const char *name)
{
	static const char *const renames[][2] = {
		{ "stat", "newstat" }, { "fstat", "newfstat" }, { "lstat", "newlstat" },
		{ "uname", "newuname" }, { "sendfile", "sendfile64" }, { "umount2", "umount" },
	};

	for (size_t i = 0; i < sizeof ni_names / sizeof ni_names[0]; i++)
		if (!strcmp(name, ni_names[i]))
			return NULL;
	for (size_t i = 0; i < sizeof renames / sizeof renames[0]; i++)
		if (!strcmp(name, renames[i][0]))
			return renames[i][1];
	return name;
}

/* kallsyms_show_value - Linux's, for task t (NULL: umk itself): may it
 * see kernel addresses (kptr_restrict, perf_event_paranoid, CAP_SYSLOG)? */
bool kallsyms_show_value(struct task *t)
{
	switch (sysctl_kptr_restrict) {
	case 0:
		if (sysctl_perf_event_paranoid <= 1)
			return true;
		/* fall through */
	case 1:
		return !t || capable(t, CAP_SYSLOG);
	default:
		return false;
	}
}

/* One line; buf holds room for every symbol (kallsyms_proc_read). */
static void put(char *buf, size_t *len, size_t cap, uint64_t addr, char type, const char *name)
{
	int n = snprintf(buf + *len, cap - *len, "%016llx %c %s\n", (unsigned long long)addr, type, name);

	if (n > 0 && (size_t)n < cap - *len)
		*len += (size_t)n;
}

/*
 * kallsyms_text - /proc/kallsyms: a malloc'd text in *text, with the
 * addresses if show (kallsyms_show_value of the opener), else zeros.
 * 0, or -ENOMEM.
 */
int kallsyms_text(bool show, char **text)
{
	/* a line is at most 16 + 3 + 64 bytes and a newline */
	size_t len = 0, cap = (sizeof before / sizeof before[0] + SYSCALL_NR_MAX + sizeof after / sizeof after[0]) * 96;
	char *buf = malloc(cap);

	if (!buf)
		return -ENOMEM;
	buf[0] = 0;
	for (size_t i = 0; i < sizeof before / sizeof before[0]; i++)
		put(buf, &len, cap, show ? before[i].addr : 0, before[i].type, before[i].name);
	for (int nr = 0; nr < SYSCALL_NR_MAX; nr++) {
		const struct syscall_desc *d = &syscall_table[nr];
		const char *lname = d->name && d->handler ? linux_sys_name(d->name) : NULL;
		char sym[64];

		if (!lname)
			continue;
		snprintf(sym, sizeof sym, "__x64_sys_%s", lname);
		put(buf, &len, cap, show ? KSYS + 0x100 * (uint64_t)nr : 0, 'T', sym);
	}
	for (size_t i = 0; i < sizeof after / sizeof after[0]; i++)
		put(buf, &len, cap, show ? after[i].addr : 0, after[i].type, after[i].name);
	*text = buf;
	return 0;
}
