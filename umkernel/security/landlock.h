/*
 * security/landlock.h - Landlock, Linux's unprivileged sandboxing LSM
 * (Documentation/userspace-api/landlock.rst, landlock(7)): the three
 * syscalls (landlock.c), the filesystem access checks (landlock_fs.c) and
 * the network and scope checks (landlock_net.c).
 *
 * In a nutshell: a ruleset (an anonymous-inode fd) names the access
 * rights it handles (filesystem, TCP ports, scopes) and holds rules that
 * grant some of them beneath a directory or file, or on a port.
 * landlock_restrict_self freezes a copy of it as a new layer on top of
 * the calling thread's domain.  A domain is a chain of immutable layers
 * (struct landlock_domain, each pointing to the one below), shared by
 * reference across fork and clone and kept by execve.  An access is
 * allowed when every layer that handles it has a rule granting it on the
 * object or one of its ancestors: the check walks the object's absolute
 * path up to the namespace's root, one component at a time, through
 * mounts as Linux's path walk does (a mount's root, then the directory
 * above its mount point), matching rules by the (st_dev, st_ino) of each
 * ancestor.  Layer n of two domains is the same when it is the same
 * struct landlock_domain: scopes compare domains that way.
 *
 * Hooks other subsystems call (each returns at once for a task that has
 * no domain): the fs hooks from fs/vfs.c, fs/sys_path.c, fs/sys_file.c,
 * fs/namespace.c and kernel/exec.c; the socket hooks from net/socket.c
 * and net/unix.c; the signal hook from kernel/signal.c; the ptrace hook
 * from kernel/ptrace.c; landlock_fork/landlock_release from the task's
 * life.  Errors as Linux's: -EACCES for a denied access, -EXDEV for a
 * rename or link that would give a file more access, -EPERM for scopes,
 * ptrace and mount changes.
 *
 * Lock: klock, held by every caller.
 */
#ifndef UMK_SECURITY_LANDLOCK_H
#define UMK_SECURITY_LANDLOCK_H

#include "../kernel.h"

/* Linux's numbers (include/uapi/linux/landlock.h) */
#define LANDLOCK_CREATE_RULESET_VERSION  (1U << 0)
#define LANDLOCK_CREATE_RULESET_ERRATA   (1U << 1)
#define LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF  (1U << 0)
#define LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON    (1U << 1)
#define LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF (1U << 2)
#define LANDLOCK_RULE_PATH_BENEATH 1
#define LANDLOCK_RULE_NET_PORT     2

#define LL_FS_EXECUTE     (1ULL << 0)
#define LL_FS_WRITE_FILE  (1ULL << 1)
#define LL_FS_READ_FILE   (1ULL << 2)
#define LL_FS_READ_DIR    (1ULL << 3)
#define LL_FS_REMOVE_DIR  (1ULL << 4)
#define LL_FS_REMOVE_FILE (1ULL << 5)
#define LL_FS_MAKE_CHAR   (1ULL << 6)
#define LL_FS_MAKE_DIR    (1ULL << 7)
#define LL_FS_MAKE_REG    (1ULL << 8)
#define LL_FS_MAKE_SOCK   (1ULL << 9)
#define LL_FS_MAKE_FIFO   (1ULL << 10)
#define LL_FS_MAKE_BLOCK  (1ULL << 11)
#define LL_FS_MAKE_SYM    (1ULL << 12)
#define LL_FS_REFER       (1ULL << 13)
#define LL_FS_TRUNCATE    (1ULL << 14)
#define LL_FS_IOCTL_DEV   (1ULL << 15)
#define LL_NUM_FS         16
#define LL_MASK_FS        ((1ULL << LL_NUM_FS) - 1)
/* the rights a rule on a non-directory may grant */
#define LL_FS_FILE (LL_FS_EXECUTE | LL_FS_WRITE_FILE | LL_FS_READ_FILE | LL_FS_TRUNCATE | \
		    LL_FS_IOCTL_DEV)

#define LL_NET_BIND_TCP    (1ULL << 0)
#define LL_NET_CONNECT_TCP (1ULL << 1)
#define LL_MASK_NET        3ULL

#define LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define LL_SCOPE_SIGNAL               (1ULL << 1)
#define LL_MASK_SCOPE                 3ULL

#define LL_MAX_LAYERS 16
/* The ABI version and errata landlock_create_ruleset reports (Linux 6.15+:
 * version 7 adds only the audit-log flags of restrict_self). */
#define LL_ABI_VERSION 7
#define LL_ERRATA      7

/* One rule: an inode (dev, ino) or a port (key1), and what it grants. */
struct landlock_rule {
	uint64_t key1, key2;
	uint64_t access;
};
/* A ruleset: what an fd holds, and (frozen) one layer of a domain. */
struct landlock_ruleset {
	int refs;
	uint64_t handled_fs, handled_net, scoped;
	struct landlock_rule *fs, *net;
	size_t nfs, nnet, capfs, capnet;
};
/* One layer of a domain, immutable once made; level 1 is the oldest. */
struct landlock_domain {
	int refs;
	int level;
	struct landlock_domain *parent;
	struct landlock_ruleset *rs;
};

struct landlock_domain *landlock_get(struct landlock_domain *d);   /* NULL passes */
void landlock_put(struct landlock_domain *d);
/* A child task gets its parent's domain (clone, fork; execve keeps it). */
void landlock_fork(struct task *c, struct task *parent);
void landlock_release(struct task *t);   /* the task struct goes */
/* Whether any layer of d handles some filesystem right (the mount hooks). */
bool landlock_handles_fs(const struct landlock_domain *d);

/* ---- filesystem (landlock_fs.c) ---- */
struct nameidata;
struct file;
/*
 * landlock_path_open - open(2) of the file at abs (an absolute path of ns;
 * mode its type; NULL or not absolute: a file of no mount, as pipes,
 * sockets and memfds, always allowed as on Linux's internal
 * filesystems) with access mode flags (O_ACCMODE), exec: by execve
 * (EXECUTE and READ_FILE).  *denied (may be NULL) gets the rights a later
 * ftruncate or ioctl of the open file lacks (struct file's
 * landlock_denied).  0 or -EACCES (Linux's hook_file_open).
 */
int landlock_path_open(struct task *t, struct mnt_namespace *ns, const char *abs, uint32_t mode,
		       int flags, bool exec, uint16_t *denied);
/* The same for walked, existing nd; and for the file open(O_CREAT) makes
 * at nd's new name. */
int landlock_file_open(struct task *t, const struct nameidata *nd, uint32_t mode, int flags,
		       bool exec, uint16_t *denied);
int landlock_new_file_open(struct task *t, const struct nameidata *nd, int flags, uint16_t *denied);
/* execve of guest path (the program or its interpreter): EXECUTE and READ_FILE. */
int landlock_exec_path(struct task *t, const char *path);
/* Creating a file of type mode (S_IF*; 0 is regular) at nd's new name. */
int landlock_path_mknod(struct task *t, const struct nameidata *nd, uint32_t mode);
/* Removing nd (rmdir, unlink): REMOVE_DIR or REMOVE_FILE on its directory. */
int landlock_path_remove(struct task *t, const struct nameidata *nd);
/* truncate(2), open(O_TRUNC): TRUNCATE on nd. */
int landlock_path_truncate(struct task *t, const struct nameidata *nd);
/* rename (removable), RENAME_EXCHANGE (exchange) and link of o to n:
 * 0, -EACCES or -EXDEV (Linux's current_check_refer_path). */
int landlock_path_refer(struct task *t, const struct nameidata *o, const struct nameidata *n,
			bool removable, bool exchange);
/* ftruncate of f: what its open recorded. */
int landlock_file_truncate(struct file *f);
/* ioctl cmd on f: IOCTL_DEV for a device opened without it. */
int landlock_file_ioctl(struct file *f, unsigned int cmd);
/* mount, umount, pivot_root, move_mount: -EPERM in a domain that
 * handles filesystem rights. */
int landlock_sb_change(struct task *t);

/* ---- network and scopes (landlock_net.c) ---- */
struct socket;
struct sock_addr;
/* bind(2) and connect(2) of socket s to a (the guest's sockaddr bytes). */
int landlock_socket_bind(struct task *t, const struct socket *s, const struct sock_addr *a);
int landlock_socket_connect(struct task *t, const struct socket *s, const struct sock_addr *a);
/* t reaching an abstract UNIX socket created in domain server: -EPERM
 * when a layer of t scoping them is not in server. */
int landlock_unix_abstract(struct task *t, const struct landlock_domain *server);
/* sender signalling target: -EPERM when scoped out (same process always allowed). */
int landlock_task_kill(struct task *sender, struct task *target);
/* F_SETOWN by t of a file to owner (NULL: none): *slot keeps t's domain
 * when t scopes signals and owner is of another process (Linux's
 * hook_file_set_fowner); landlock_sigio_scoped: whether SIGIO or SIGURG
 * from such a file may not reach p (hook_file_send_sigiotask). */
void landlock_fown_set(struct task *t, struct landlock_domain **slot, struct task *owner);
bool landlock_sigio_scoped(const struct landlock_domain *setter, struct task *p);
/* tracer ptracing tracee: -EPERM unless tracer's domain is an ancestor
 * of (or the same as) tracee's (Linux's hook_ptrace_access_check). */
int landlock_ptrace(struct task *tracer, struct task *tracee);

#endif
