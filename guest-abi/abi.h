/*
 * abi.h - the Linux x86-64 user ABI as the guest sees it.
 *
 * Guest types carry a linux_ prefix and never come from glibc: a guest
 * sigset is 64 bits (glibc's sigset_t is 1024), the kernel's sigaction
 * layout differs from glibc's, and so on.  Numeric constants (errno, O_*,
 * S_IF*, AT_*, signal numbers) are the same on an x86-64 Linux host and
 * are taken from the host's headers; tests/unit checks the ones that matter.
 */
#ifndef UMK_ABI_H
#define UMK_ABI_H

#include <stdint.h>

/* ---- address-space layout of a guest mm (no ASLR: runs replay) ----
 * The stub's region (STUB_SIZE bytes at STUB_START: its code, data,
 * stacks, the seccomp platform's shared pages) is the top of the guest's
 * address space; by default it ends where user space ends.  An umk that
 * runs inside another umk (whose own region, "[umk-stub]" in
 * /proc/self/maps, sits there) puts its stubs lower (tracer/host.c
 * host_stub_choose): STUB_START is then a variable, and the guest stack
 * and mmap area move down with it.  The stub itself finds its region
 * from its own code's address. */
#define GUEST_TASK_SIZE   0x7ffffffff000UL   /* end of user space */
/* 22 MiB, most of it the seccomp platform's per-thread slots and
 * altstacks (tracer/stub_layout.h), reserved but mapped only as used */
#define STUB_DEFAULT_START 0x7ffffea00000UL  /* the stub region's place when umk runs alone */
#define STUB_SIZE         (GUEST_TASK_SIZE - STUB_DEFAULT_START)
#ifdef UMK_STUB_BUILD
extern char stub_entries[];
#define STUB_START        ((uint64_t)stub_entries)   /* the stub's own code begins it */
#else
extern uint64_t umk_stub_start;              /* tracer/host.c */
#define STUB_START        umk_stub_start     /* reserved: stub code, data, stack */
#endif
#define STUB_END          (STUB_START + STUB_SIZE)
#define GUEST_STACK_TOP   (STUB_START - 0x2000UL)     /* guest main stack grows down */
#define GUEST_MMAP_TOP    (STUB_START - 0x7e01000UL)  /* top-down mmap area */
#define GUEST_PIE_BASE    0x555555554000UL   /* ET_DYN executables */
#define GUEST_MIN_ADDR    0x20000UL          /* vm.mmap_min_addr; below: the seccomp stub's syscall trampolines */
#define GUEST_PAGE_SIZE   4096UL

/* ---- registers: struct user_regs_struct of <sys/user.h> ---- */
struct linux_regs {
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
	uint64_t rax, rcx, rdx, rsi, rdi, orig_rax, rip, cs, eflags, rsp, ss;
	uint64_t fs_base, gs_base, ds, es, fs, gs;
};

/* FXSAVE image, struct user_fpregs_struct / struct _fpstate_64 */
struct linux_fpregs {
	uint16_t cwd, swd, ftw, fop;
	uint64_t rip, rdp;
	uint32_t mxcsr, mxcsr_mask;
	uint32_t st_space[32];
	uint32_t xmm_space[64];
	uint32_t padding[24];
};

/* ---- signals ---- */
#define LINUX_NSIG 64
typedef uint64_t linux_sigset_t;
#define SIGBIT(sig) (1ULL << ((sig) - 1))

struct linux_sigaction {       /* the kernel's struct sigaction on x86-64 */
	uint64_t handler;          /* SIG_DFL 0, SIG_IGN 1, or an address */
	uint64_t flags;
	uint64_t restorer;
	linux_sigset_t mask;
};
#define LINUX_SA_RESTORER 0x04000000

typedef struct {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
} linux_stack_t;

typedef struct {               /* 128 bytes */
	int32_t si_signo, si_errno, si_code, pad0;
	union {
		struct { int32_t pid; uint32_t uid; } kill;
		struct { int32_t tid, overrun; uint64_t sigval; } timer;
		struct { int32_t pid; uint32_t uid; uint64_t sigval; } rt;
		struct { int32_t pid; uint32_t uid; int32_t status; int32_t pad; int64_t utime, stime; } chld;
		struct { uint64_t addr; uint16_t addr_lsb; } fault;
		struct { int64_t band; int32_t fd; } poll;
		struct { uint64_t call_addr; int32_t syscall; uint32_t arch; } sys;
		uint8_t raw[112];
	} u;
} linux_siginfo_t;

struct linux_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;          /* guest address of a struct linux_fpregs, or 0 */
	uint64_t reserved1[8];
};

struct linux_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	linux_stack_t uc_stack;
	struct linux_sigcontext uc_mcontext;
	linux_sigset_t uc_sigmask;
};

struct linux_rt_sigframe {
	uint64_t pretcode;         /* sa_restorer: the handler returns there */
	struct linux_ucontext uc;
	linux_siginfo_t info;
};

/* ---- wait(2): statuses and options, as the guest sees them ---- */
#define LINUX_WEXITSTATUS(s)  (((s) >> 8) & 0xff)
#define LINUX_WTERMSIG(s)     ((s) & 0x7f)
#define LINUX_WIFEXITED(s)    (LINUX_WTERMSIG(s) == 0)
#define LINUX_WIFSIGNALED(s)  (((signed char)(((s) & 0x7f) + 1) >> 1) > 0)
#define LINUX_WNOHANG     0x00000001
#define LINUX_WUNTRACED   0x00000002  /* also WSTOPPED */
#define LINUX_WEXITED     0x00000004
#define LINUX_WCONTINUED  0x00000008
#define LINUX_WNOWAIT     0x01000000
#define LINUX___WNOTHREAD 0x20000000
#define LINUX___WALL      0x40000000
#define LINUX___WCLONE    0x80000000
enum { LINUX_P_ALL = 0, LINUX_P_PID = 1, LINUX_P_PGID = 2, LINUX_P_PIDFD = 3 };

/* ---- time ---- */
struct linux_timespec { int64_t tv_sec, tv_nsec; };
struct linux_timeval { int64_t tv_sec, tv_usec; };
struct linux_itimerval { struct linux_timeval it_interval, it_value; };
struct linux_tms { int64_t utime, stime, cutime, cstime; };
struct linux_rusage {
	struct linux_timeval ru_utime, ru_stime;
	int64_t ru_maxrss, ru_ixrss, ru_idrss, ru_isrss, ru_minflt, ru_majflt,
		ru_nswap, ru_inblock, ru_oublock, ru_msgsnd, ru_msgrcv,
		ru_nsignals, ru_nvcsw, ru_nivcsw;
};

/* ---- files ---- */
struct linux_stat {            /* struct stat on x86-64 */
	uint64_t st_dev, st_ino, st_nlink;
	uint32_t st_mode, st_uid, st_gid, pad0;
	uint64_t st_rdev;
	int64_t st_size, st_blksize, st_blocks;
	struct linux_timespec st_atim, st_mtim, st_ctim;
	int64_t reserved[3];
};

struct linux_statx_timestamp { int64_t tv_sec; uint32_t tv_nsec; int32_t reserved; };
struct linux_statx {
	uint32_t stx_mask, stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink, stx_uid, stx_gid;
	uint16_t stx_mode, pad1;
	uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
	struct linux_statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
	uint64_t stx_mnt_id;
	uint32_t stx_dio_mem_align, stx_dio_offset_align;
	uint64_t spare[12];
};

struct linux_statfs {
	int64_t f_type, f_bsize;
	uint64_t f_blocks, f_bfree, f_bavail, f_files, f_ffree;
	int32_t f_fsid[2];
	int64_t f_namelen, f_frsize, f_flags, f_spare[4];
};

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};

struct linux_iovec { uint64_t iov_base, iov_len; };
struct linux_pollfd { int32_t fd; int16_t events, revents; };

/* ---- SysV IPC, POSIX message queues, inotify (x86-64: the IPC_64 forms) ---- */
struct linux_ipc64_perm {
	int32_t key;
	uint32_t uid, gid, cuid, cgid, mode;
	uint16_t seq, pad2;
	uint32_t pad3;
	uint64_t unused1, unused2;
};
struct linux_shmid64_ds {
	struct linux_ipc64_perm shm_perm;
	uint64_t shm_segsz;
	int64_t shm_atime, shm_dtime, shm_ctime;
	int32_t shm_cpid, shm_lpid;
	uint64_t shm_nattch, unused4, unused5;
};
struct linux_shminfo64 { uint64_t shmmax, shmmin, shmmni, shmseg, shmall, unused[4]; };
struct linux_shm_info {
	int32_t used_ids, pad;
	uint64_t shm_tot, shm_rss, shm_swp, swap_attempts, swap_successes;
};
struct linux_semid64_ds {
	struct linux_ipc64_perm sem_perm;
	int64_t sem_otime;
	uint64_t unused1;
	int64_t sem_ctime;
	uint64_t unused2, sem_nsems, unused3, unused4;
};
struct linux_seminfo {
	int32_t semmap, semmni, semmns, semmnu, semmsl, semopm, semume, semusz, semvmx, semaem;
};
struct linux_sembuf { uint16_t sem_num; int16_t sem_op, sem_flg; };
struct linux_msqid64_ds {
	struct linux_ipc64_perm msg_perm;
	int64_t msg_stime, msg_rtime, msg_ctime;
	uint64_t msg_cbytes, msg_qnum, msg_qbytes;
	int32_t msg_lspid, msg_lrpid;
	uint64_t unused4, unused5;
};
struct linux_msginfo {
	int32_t msgpool, msgmap, msgmax, msgmnb, msgmni, msgssz, msgtql;
	uint16_t msgseg, pad;
};
struct linux_mq_attr { int64_t mq_flags, mq_maxmsg, mq_msgsize, mq_curmsgs, reserved[4]; };
struct linux_inotify_event { int32_t wd; uint32_t mask, cookie, len; /* char name[len] */ };

/* ---- misc ---- */
struct linux_utsname { char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65]; };
struct linux_rlimit { uint64_t rlim_cur, rlim_max; };
/* open(2)'s O_LARGEFILE as x86-64 Linux reports it in F_GETFL (the
 * host headers define O_LARGEFILE as 0 there) */
#define LINUX_O_LARGEFILE 0100000
#define LINUX_RLIM_INFINITY (~0ULL)
#define LINUX_RLIM_NLIMITS 16
struct linux_sysinfo {
	int64_t uptime;
	uint64_t loads[3];
	uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	uint16_t procs, pad;
	uint32_t pad2;
	uint64_t totalhigh, freehigh;
	uint32_t mem_unit;
	char _f[4];
};
struct linux_winsize { uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel; };

/* auxv tags */
enum {
	LINUX_AT_NULL = 0, LINUX_AT_PHDR = 3, LINUX_AT_PHENT = 4, LINUX_AT_PHNUM = 5,
	LINUX_AT_PAGESZ = 6, LINUX_AT_BASE = 7, LINUX_AT_FLAGS = 8, LINUX_AT_ENTRY = 9,
	LINUX_AT_UID = 11, LINUX_AT_EUID = 12, LINUX_AT_GID = 13, LINUX_AT_EGID = 14,
	LINUX_AT_PLATFORM = 15, LINUX_AT_HWCAP = 16, LINUX_AT_CLKTCK = 17,
	LINUX_AT_SECURE = 23, LINUX_AT_RANDOM = 25, LINUX_AT_HWCAP2 = 26,
	LINUX_AT_EXECFN = 31, LINUX_AT_SYSINFO_EHDR = 33, LINUX_AT_MINSIGSTKSZ = 51,
};

/* sockets (x86-64 kernel layouts) */
struct linux_ucred { uint32_t pid, uid, gid; };
struct linux_msghdr {
	uint64_t msg_name;
	int32_t msg_namelen, pad0;
	uint64_t msg_iov, msg_iovlen;
	uint64_t msg_control, msg_controllen;
	int32_t msg_flags, pad1;
};
struct linux_mmsghdr { struct linux_msghdr msg_hdr; uint32_t msg_len, pad; };
struct linux_cmsghdr { uint64_t cmsg_len; int32_t cmsg_level, cmsg_type; };
#define LINUX_CMSG_ALIGN(n) (((n) + 7) & ~7UL)
#define LINUX_CMSG_LEN(n)   (sizeof(struct linux_cmsghdr) + (n))
#define LINUX_CMSG_SPACE(n) (sizeof(struct linux_cmsghdr) + LINUX_CMSG_ALIGN(n))

#endif
