/*
 * configs.c - /proc/config.gz: the kernel configuration umk answers to,
 * as a UML kernel carries its own (Linux's kernel/configs.c with
 * CONFIG_IKCONFIG_PROC).  Test suites (LTP's tst_kconfig, systemd,
 * container runtimes' check-config) read it to decide what to test or
 * expect; every option below names something umk implements, and the
 * "is not set" lines what it does not (so those suites skip rather than
 * fail).  Keep it in step with guest-abi/syscalls.def.  The text is
 * gzip-compressed with zlib on each open.
 *
 * Lock: none (constant data; the buffer returned is the caller's).
 */
#include "../kernel.h"
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static const char umk_config[] =
	"#\n"
	"# Automatically generated file; DO NOT EDIT.\n"
	"# umk: the options of the Linux ABI that umk implements\n"
	"#\n"
	"CONFIG_64BIT=y\n"
	"CONFIG_X86_64=y\n"
	"CONFIG_X86=y\n"
	"CONFIG_MMU=y\n"
	"CONFIG_UML=y\n"
	"CONFIG_LOCALVERSION=\"-umk\"\n"
	"CONFIG_DEFAULT_HOSTNAME=\"umk\"\n"
	"CONFIG_SMP=y\n"
	"CONFIG_HZ_100=y\n"
	"CONFIG_HZ=100\n"
	"CONFIG_HIGH_RES_TIMERS=y\n"
	"CONFIG_POSIX_TIMERS=y\n"
	"CONFIG_TIMERFD=y\n"
	"CONFIG_EVENTFD=y\n"
	"CONFIG_SIGNALFD=y\n"
	"CONFIG_EPOLL=y\n"
	"CONFIG_FSNOTIFY=y\n"
	"CONFIG_DNOTIFY=y\n"
	"CONFIG_INOTIFY_USER=y\n"
	"CONFIG_FANOTIFY=y\n"
	"CONFIG_FANOTIFY_ACCESS_PERMISSIONS=y\n"
	"CONFIG_FUTEX=y\n"
	"CONFIG_AIO=y\n"
	"CONFIG_FUTEX_PI=y\n"
	"# CONFIG_RSEQ is not set\n"
	"CONFIG_MEMBARRIER=y\n"
	"CONFIG_MULTIUSER=y\n"
	"CONFIG_BSD_PROCESS_ACCT=y\n"
	"CONFIG_BSD_PROCESS_ACCT_V3=y\n"
	"CONFIG_SYSVIPC=y\n"
	"CONFIG_SYSVIPC_SYSCTL=y\n"
	"CONFIG_POSIX_MQUEUE=y\n"
	"CONFIG_POSIX_MQUEUE_SYSCTL=y\n"
	"CONFIG_CROSS_MEMORY_ATTACH=y\n"
	"CONFIG_FHANDLE=y\n"
	"CONFIG_NAMESPACES=y\n"
	"CONFIG_UTS_NS=y\n"
	"CONFIG_IPC_NS=y\n"
	"CONFIG_USER_NS=y\n"
	"CONFIG_PID_NS=y\n"
	"CONFIG_NET_NS=y\n"
	"CONFIG_TIME_NS=y\n"
	"CONFIG_CGROUPS=y\n"
	"CONFIG_MEMCG=y\n"
	"# CONFIG_MEMCG_V1 is not set\n"
	"CONFIG_CGROUP_PIDS=y\n"
	"CONFIG_CGROUP_SCHED=y\n"
	"CONFIG_FAIR_GROUP_SCHED=y\n"
	"# CONFIG_CGROUP_FREEZER is not set\n"
	"# CONFIG_CPUSETS is not set\n"
	"# CONFIG_BLK_CGROUP is not set\n"
	"# CONFIG_CGROUP_HUGETLB is not set\n"
	"CONFIG_CHECKPOINT_RESTORE=y\n"
	"CONFIG_PROC_FS=y\n"
	"CONFIG_SYSCTL=y\n"
	"CONFIG_PROC_SYSCTL=y\n"
	"# CONFIG_PROC_PID_CPUSET is not set\n"
	"CONFIG_IKCONFIG=y\n"
	"CONFIG_IKCONFIG_PROC=y\n"
	"CONFIG_SYSFS=y\n"
	"CONFIG_DEVTMPFS=y\n"
	"CONFIG_BLK_DEV=y\n"
	"CONFIG_BLK_DEV_LOOP=y\n"
	"CONFIG_BLK_DEV_LOOP_MIN_COUNT=8\n"
	"CONFIG_TMPFS=y\n"
	"CONFIG_TMPFS_XATTR=y\n"
	"CONFIG_TMPFS_POSIX_ACL=y\n"   /* fs/posix_acl.c */
	"CONFIG_FS_POSIX_ACL=y\n"
	"CONFIG_SHMEM=y\n"
	"CONFIG_HUGETLBFS=y\n"      /* emulated: mm/hugetlb.c */
	"CONFIG_HUGETLB_PAGE=y\n"
	"CONFIG_MEMFD_CREATE=y\n"
	"CONFIG_OVERLAY_FS=y\n"
	"CONFIG_EXT4_FS=y\n"      /* ext2, ext3 and ext4 images: fs/ext2.c */
	"CONFIG_EXT4_USE_FOR_EXT2=y\n"
	"CONFIG_EXT4_FS_POSIX_ACL=y\n"
	"CONFIG_FS_ENCRYPTION=y\n"  /* ext4's: umkernel/fs/fscrypt.c */
	"CONFIG_FILE_LOCKING=y\n"
	"CONFIG_UNIX98_PTYS=y\n"
	"CONFIG_DEVPTS_MULTIPLE_INSTANCES=y\n"
	"CONFIG_TTY=y\n"
	"CONFIG_NET=y\n"
	"CONFIG_UNIX=y\n"
	"CONFIG_TUN=y\n"      /* in guest-made network namespaces: net/tun.c */
	"CONFIG_NUMA=y\n"
	"CONFIG_NODES_SHIFT=10\n"
	"CONFIG_SECURITY=y\n"
	"CONFIG_SECURITY_YAMA=y\n"
	"CONFIG_SECURITY_LANDLOCK=y\n"
	"CONFIG_LSM=\"landlock,yama\"\n"
	"CONFIG_PTRACE=y\n"
	"CONFIG_SECCOMP=y\n"
	"CONFIG_SECCOMP_FILTER=y\n"
	"# CONFIG_X86_INTEL_MEMORY_PROTECTION_KEYS is not set\n"
	"# CONFIG_IA32_EMULATION is not set\n"
	"# CONFIG_X86_X32_ABI is not set\n"
	"# CONFIG_MODULES is not set\n"
	"CONFIG_BLOCK=y\n"
	"CONFIG_SWAP=y\n"
	"# CONFIG_QUOTA is not set\n"
	"CONFIG_IO_URING=y\n"      /* synchronous: umkernel/io_uring/ */
	"# CONFIG_BPF_SYSCALL is not set\n"
	"CONFIG_USERFAULTFD=y\n"
	"CONFIG_HAVE_ARCH_USERFAULTFD_WP=y\n"
	"CONFIG_HAVE_ARCH_USERFAULTFD_MINOR=y\n"
	"CONFIG_PTE_MARKER_UFFD_WP=y\n"
	"CONFIG_KEYS=y\n"
	"CONFIG_PERF_EVENTS=y\n"      /* counting only: kernel/perf_event.c */
	"CONFIG_KALLSYMS=y\n"         /* made-up addresses: kernel/kallsyms.c */
	"CONFIG_KALLSYMS_ALL=y\n"
	"# CONFIG_KVM is not set\n"
	"CONFIG_INET=y\n"
	"CONFIG_IPV6=y\n"
	/* iptables on umk's own stack (umkernel/net/netfilter.c): the
	 * tables and the extensions whose rules it enforces; the state
	 * match's connection tracking is umk's small own */
	"CONFIG_NETFILTER=y\n"
	"CONFIG_NETFILTER_ADVANCED=y\n"
	"CONFIG_NF_CONNTRACK=y\n"
	"CONFIG_NETFILTER_XTABLES=y\n"
	"CONFIG_NETFILTER_XTABLES_LEGACY=y\n"
	"CONFIG_NETFILTER_XT_MATCH_COMMENT=y\n"
	"CONFIG_NETFILTER_XT_MATCH_MULTIPORT=y\n"
	"CONFIG_NETFILTER_XT_MATCH_STATE=y\n"
	"# CONFIG_NETFILTER_XT_MATCH_CONNTRACK is not set\n"
	"# CONFIG_NETFILTER_XT_TARGET_LOG is not set\n"
	"# CONFIG_NETFILTER_XT_NAT is not set\n"
	"# CONFIG_NF_TABLES is not set\n"
	"CONFIG_IP_NF_IPTABLES=y\n"
	"CONFIG_IP_NF_IPTABLES_LEGACY=y\n"
	"CONFIG_IP_NF_FILTER=y\n"
	"CONFIG_IP_NF_TARGET_REJECT=y\n"
	"CONFIG_IP_NF_MANGLE=y\n"
	"CONFIG_IP_NF_RAW=y\n"
	"CONFIG_IP_NF_NAT=y\n"
	"# CONFIG_IP_NF_TARGET_MASQUERADE is not set\n"
	"# CONFIG_IP_NF_ARPTABLES is not set\n"
	"# CONFIG_IP6_NF_IPTABLES is not set\n"
	"# CONFIG_BRIDGE_NF_EBTABLES is not set\n";

/* The configuration text (not compressed), NUL-terminated. */
const char *ikconfig_text(void)
{
	return umk_config;
}

/*
 * ikconfig_gz - the configuration gzip-compressed (RFC 1952, as
 * /proc/config.gz): a malloc'd buffer in *out, its length in *len.
 * -ENOMEM or -EIO (zlib failed).
 */
int ikconfig_gz(void **out, size_t *len)
{
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	/* windowBits 15 + 16: a gzip header and trailer */
	if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -EIO;
	uLong cap = deflateBound(&zs, sizeof umk_config - 1);
	unsigned char *buf = malloc(cap);
	if (!buf) {
		deflateEnd(&zs);
		return -ENOMEM;
	}
	zs.next_in = (Bytef *)umk_config;
	zs.avail_in = sizeof umk_config - 1;
	zs.next_out = buf;
	zs.avail_out = cap;
	int r = deflate(&zs, Z_FINISH);
	size_t n = zs.total_out;
	deflateEnd(&zs);
	if (r != Z_STREAM_END) {
		free(buf);
		return -EIO;
	}
	*out = buf;
	*len = n;
	return 0;
}
