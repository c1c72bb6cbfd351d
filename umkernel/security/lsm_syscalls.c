/*
 * lsm_syscalls.c - the LSM syscalls: lsm_list_modules(2),
 * lsm_get_self_attr(2), lsm_set_self_attr(2) (Linux's
 * security/lsm_syscalls.c and security.c), and the list
 * /sys/kernel/security/lsm shows.
 *
 * In a nutshell: umk's security modules are capability (the
 * capability checks), Landlock (security/landlock*.c) and Yama
 * (kernel.yama.ptrace_scope, kernel/ptrace.c), in that order in both
 * places.  None of them has process attributes (LSM_ATTR_CURRENT...:
 * SELinux, AppArmor and Smack's), so getting and setting them give
 * EOPNOTSUPP, as Linux with only these modules.
 *
 * Lock: klock, held by the caller (nothing here changes state).
 */
#include "../kernel.h"

#include <string.h>

#define LSM_ID_CAPABILITY 100
#define LSM_ID_YAMA       105
#define LSM_ID_LANDLOCK   110
#define LSM_ATTR_UNDEF    0
#define LSM_FLAG_SINGLE   1

static const struct { uint64_t id; const char *name; } lsms[] = {
	{ LSM_ID_CAPABILITY, "capability" },
	{ LSM_ID_LANDLOCK, "landlock" },
	{ LSM_ID_YAMA, "yama" },
};
#define NR_LSMS (sizeof lsms / sizeof lsms[0])

/* lsm_names_text - /sys/kernel/security/lsm: the modules' names, comma
 * separated, no newline (Linux's lsm_read). */
const char *lsm_names_text(void)
{
	return "capability,landlock,yama";
}

/*
 * sys_lsm_list_modules - lsm_list_modules(ids, size, flags): the ids of
 * the active modules into ids; *size gets the bytes they take.  The
 * count, or -EINVAL (flags), -EFAULT, -E2BIG (*size too small: *size
 * says how much is needed).
 */
long sys_lsm_list_modules(struct task *t, struct sysargs *a)
{
	uint64_t uids = arg_ptr(a, 0), usizep = arg_ptr(a, 1);
	uint32_t usize, total = NR_LSMS * sizeof(uint64_t);

	if (arg_uint(a, 2))
		return -EINVAL;
	if (copy_from_user(t, &usize, usizep, sizeof usize) ||
	    copy_to_user(t, usizep, &total, sizeof total))
		return -EFAULT;
	if (usize < total)
		return -E2BIG;
	for (size_t i = 0; i < NR_LSMS; i++)
		if (copy_to_user(t, uids + i * sizeof(uint64_t), &lsms[i].id, sizeof lsms[i].id))
			return -EFAULT;
	return NR_LSMS;
}

/*
 * sys_lsm_get_self_attr - lsm_get_self_attr(attr, ctx, size, flags):
 * the calling task's attribute attr from each module that has one;
 * none of umk's does: *size 0, then -EOPNOTSUPP as Linux's
 * security_getselfattr when no module answers.  -EINVAL (attr
 * LSM_ATTR_UNDEF, size NULL, flags other than LSM_FLAG_SINGLE, SINGLE
 * without a context or naming LSM_ID_UNDEF), -EFAULT.
 */
long sys_lsm_get_self_attr(struct task *t, struct sysargs *a)
{
	unsigned int attr = arg_uint(a, 0), flags = arg_uint(a, 3);
	uint64_t uctx = arg_ptr(a, 1), usizep = arg_ptr(a, 2);
	uint32_t left, total = 0;

	if (attr == LSM_ATTR_UNDEF || !usizep)
		return -EINVAL;
	if (copy_from_user(t, &left, usizep, sizeof left))
		return -EFAULT;
	if (flags) {
		uint64_t id;          /* struct lsm_ctx starts with its id */
		if (flags != LSM_FLAG_SINGLE || !uctx)
			return -EINVAL;
		if (copy_from_user(t, &id, uctx, sizeof id))
			return -EFAULT;
		if (id == 0)          /* LSM_ID_UNDEF */
			return -EINVAL;
	}
	if (copy_to_user(t, usizep, &total, sizeof total))
		return -EFAULT;
	return -EOPNOTSUPP;
}

/*
 * sys_lsm_set_self_attr - lsm_set_self_attr(attr, ctx, size, flags):
 * sets attribute attr of the module ctx names; none of umk's has one:
 * -EOPNOTSUPP after Linux's checks of the context (-EINVAL for flags or
 * inconsistent lengths, -E2BIG past a page, -EFAULT).
 */
long sys_lsm_set_self_attr(struct task *t, struct sysargs *a)
{
	uint64_t uctx = arg_ptr(a, 1);
	uint32_t size = arg_uint(a, 2);
	struct { uint64_t id, flags, len, ctx_len; } lctx;   /* struct lsm_ctx's head */

	if (arg_uint(a, 3))
		return -EINVAL;
	if (size < sizeof lctx)
		return -EINVAL;
	if (size > 4096)
		return -E2BIG;
	if (copy_from_user(t, &lctx, uctx, sizeof lctx))
		return -EFAULT;
	for (uint32_t off = sizeof lctx; off < size; off += 64) {
		char tail[64];
		uint32_t n = size - off < 64 ? size - off : 64;
		if (copy_from_user(t, tail, uctx + off, n))
			return -EFAULT;
	}
	if (size < lctx.len || size < lctx.ctx_len + sizeof lctx || lctx.len < lctx.ctx_len + sizeof lctx)
		return -EINVAL;
	return -EOPNOTSUPP;
}
