/*
 * syscall_table.h - the Linux x86-64 syscall table as data.
 *
 * In a nutshell: guest-abi/syscalls.def lists every syscall once; this
 * header turns it into `syscall_table[]`, indexed by syscall number, with
 * each entry's name, argument kinds (for decoding and printing), strace
 * class flags and support status.  Nothing here depends on the kernel.
 */
#ifndef UMK_SYSCALL_TABLE_H
#define UMK_SYSCALL_TABLE_H

#include <stdint.h>

/* How an argument is decoded and printed. */
enum sysarg_kind {
	NONE = 0,
	INT,        /* int: truncated to 32 bits, signed */
	UINT,       /* unsigned int */
	LONG,       /* long, signed decimal */
	HEX,        /* unsigned long printed in hex */
	SIZE,       /* size_t, decimal */
	PTR,        /* user pointer, printed as 0x... or NULL */
	FD,         /* file descriptor (int) */
	ATFD,       /* dirfd: AT_FDCWD or a descriptor */
	PID,        /* pid_t */
	PATH,       /* NUL-terminated user string naming a file */
	STR,        /* other NUL-terminated user string */
	STRV,       /* NULL-terminated array of user strings (argv) */
	ENVP,       /* the same for an environment: printed as a count */
	BUF_IN,     /* user buffer whose length is the next argument */
	BUF_OUT,    /* user buffer filled by the call; length = return value */
	OFLAGS,     /* open(2) flags */
	MODE,       /* file mode, octal */
	AMODE,      /* access(2) mode: F_OK, R_OK|W_OK... */
	ATFLAGS,    /* AT_* flags */
	PROT,       /* PROT_* */
	MMFLAGS,    /* MAP_* */
	SIG,        /* signal number */
	SIGHOW,     /* SIG_BLOCK... */
	WHENCE,     /* SEEK_* */
	FCNTL,      /* F_* command */
	IOCTL,      /* ioctl request */
	CLONEFLAGS, /* CLONE_* | exit signal */
	FUTEXOP,    /* FUTEX_* */
	SYSARG_KIND_MAX
};

/* strace's syscall classes (strace -e trace=%file, %desc, ...), plus
 * umk's %fs.  syscall_class_lookup() maps the names to these bits. */
enum {
	C_F = 1 << 0,    /* %file: takes a file name */
	C_D = 1 << 1,    /* %desc: takes or returns a file descriptor */
	C_M = 1 << 2,    /* %memory: memory mapping */
	C_P = 1 << 3,    /* %process: process management */
	C_S = 1 << 4,    /* %signal: signals */
	C_N = 1 << 5,    /* %network (%net): network */
	C_I = 1 << 6,    /* %ipc: SysV IPC */
	C_C = 1 << 7,    /* %creds: read or change credentials */
	C_K = 1 << 8,    /* %clock: read or change system clocks */
	C_PU = 1 << 9,   /* %pure: no arguments, always succeed */
	C_ST = 1 << 10,  /* %stat: stat(2) */
	C_LST = 1 << 11, /* %lstat: lstat(2) */
	C_FST = 1 << 12, /* %fstat: fstat(2), newfstatat(2), statx(2) */
	C_STA = 1 << 13, /* %%stat: every stat variant */
	C_SF = 1 << 14,  /* %statfs: statfs(2) */
	C_FSF = 1 << 15, /* %fstatfs: fstatfs(2) */
	C_SFA = 1 << 16, /* %%statfs: every statfs variant */
	C_FS = 1 << 17,  /* %fs (umk's, not strace's): on file systems rather
			  * than files: mount, umount2, pivot_root, chroot,
			  * statfs, sync, syncfs, swapon, quotactl... */
};

enum sys_status {
	SYS_NONE = 0, /* not implemented: -ENOSYS, reported once */
	SYS_FULL,     /* as Linux */
	SYS_PARTIAL,  /* implemented; note says what is missing */
	SYS_ERRNO,    /* fails on purpose with -errno; note says why */
};

struct syscall_desc {
	const char *name;          /* NULL for numbers no syscall uses */
	uint8_t nargs;
	uint8_t kind[6];           /* enum sysarg_kind */
	uint32_t class;            /* C_* */
	uint8_t status;            /* enum sys_status */
	uint16_t err;              /* errno for SYS_ERRNO */
	const char *note;
	void *handler;             /* the kernel's sys_NAME, or NULL */
};

#define SYSCALL_NR_MAX 512
extern const struct syscall_desc syscall_table[SYSCALL_NR_MAX];

/* Returns the syscall's number, or -1 if NAME is not in the table. */
int syscall_lookup(const char *name);

/* The class bit (C_*) of a class name without its '%' ("file",
 * "%stat", "net"...), or 0 if there is no such class. */
uint32_t syscall_class_lookup(const char *name);

/* The name of a sysarg_kind, for tables and tests. */
const char *sysarg_kind_name(int kind);

#endif
