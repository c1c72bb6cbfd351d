/* check_ipc.c - the SysV IPC id tables and permission rules of
 * ipc/util.c: ids are index plus sequence number, indexes are given
 * cyclically (a removed object's id is not given again soon), the
 * sequence number moves on when the index wraps, the highest index in
 * use is tracked, and ipcperms/ipcctl_obtain_check decide as Linux's. */
#include <check.h>
#include "unit_task.h"
#include "../../umkernel/ipc/ipc.h"

static struct kern_ipc_perm objs[200];

static struct ipc_ids fresh_ids(void)
{
	struct ipc_ids ids;

	memset(&ids, 0, sizeof(ids));
	ids.last_idx = -1;
	ids.max_idx = -1;
	return ids;
}

START_TEST(ids_cyclic)
{
	struct task *t = unit_task();
	struct ipc_ids ids = fresh_ids();

	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(ipc_addid(t, &ids, &objs[i], 1000), i);
	ck_assert_int_eq(objs[0].id, 0);
	ck_assert_int_eq(objs[2].id, 2);
	ck_assert_int_eq(ipc_get_maxidx(&ids), 2);
	ipc_rmid(&ids, &objs[1]);
	ck_assert(objs[1].deleted);
	ck_assert_ptr_null(ipc_obtain_check(&ids, 1));
	/* the next index is 3, not the freed 1 */
	ck_assert_int_eq(ipc_addid(t, &ids, &objs[3], 1000), 3);
	ck_assert_int_eq(objs[3].id, 3);
	ipc_rmid(&ids, &objs[3]);
	ck_assert_int_eq(ipc_get_maxidx(&ids), 2);
	/* with few objects in use the cycle is 64 slots: up to its end, then
	 * from the start again with the next sequence number */
	for (int i = 4; i < 64; i++) {
		ck_assert_int_eq(ipc_addid(t, &ids, &objs[i], 1000), i);
		ipc_rmid(&ids, &objs[i]);
	}
	ck_assert_int_eq(ipc_addid(t, &ids, &objs[64], 1000), 1);
	ck_assert_int_eq(objs[64].seq, 1);
	ck_assert_int_eq(objs[64].id, IPCMNI + 1);
	ck_assert_ptr_eq(ipc_obtain_check(&ids, IPCMNI + 1), &objs[64]);
	ck_assert_ptr_null(ipc_obtain_check(&ids, 1));      /* old sequence number */
	ck_assert_ptr_eq(ipc_obtain_idx(&ids, 1), &objs[64]);
	ck_assert_ptr_null(ipc_obtain_check(&ids, -5));
	/* many objects in use: the cycle is half as long again as their count */
	for (int i = 65; i < 130; i++)
		ck_assert_int_ge(ipc_addid(t, &ids, &objs[i], 1000), 0);
	ck_assert_int_eq(ids.in_use, 68);
	ck_assert_int_eq(ipc_get_maxidx(&ids), 67);
}
END_TEST

START_TEST(ids_limit)
{
	struct task *t = unit_task();
	struct ipc_ids ids = fresh_ids();

	for (int i = 0; i < 5; i++)
		ck_assert_int_ge(ipc_addid(t, &ids, &objs[i], 5), 0);
	ck_assert_int_eq(ipc_addid(t, &ids, &objs[5], 5), -ENOSPC);
	ck_assert_int_eq(ids.in_use, 5);
}
END_TEST

START_TEST(perms)
{
	struct task *t = unit_task();
	struct kern_ipc_perm p = { .uid = 10, .gid = 20, .cuid = 30, .cgid = 40, .mode = 0640 };
	struct kern_ipc_perm *out;
	struct ipc_ids ids = fresh_ids();

	t->cred.euid = t->cred.fsuid = 10;
	t->cred.fsgid = 99;
	ck_assert_int_eq(ipcperms(t, &p, 0666), 0);           /* owner: rw */
	t->cred.euid = 30;
	ck_assert_int_eq(ipcperms(t, &p, 0222), 0);           /* creator counts as owner */
	t->cred.euid = 50;
	t->cred.fsgid = 40;
	ck_assert_int_eq(ipcperms(t, &p, 0444), 0);           /* creator's group: r */
	ck_assert_int_eq(ipcperms(t, &p, 0222), -1);
	t->cred.fsgid = 99;
	ck_assert_int_eq(ipcperms(t, &p, 0444), -1);          /* others: nothing */
	ck_assert_int_eq(ipcperms(t, &p, 0), 0);
	ck_assert_int_ge(ipc_addid(t, &ids, &p, 10), 0);
	/* ipc_addid made t the owner and creator */
	ck_assert_uint_eq(p.cuid, 50);
	ck_assert_uint_eq(p.uid, 50);
	p.uid = 10;
	p.cuid = 30;
	ck_assert_int_eq(ipcctl_obtain_check(t, &ids, p.id, &out), -EPERM);
	ck_assert_int_eq(ipcctl_obtain_check(t, &ids, p.id + 1, &out), -EINVAL);
	t->cred.euid = p.uid;
	ck_assert_int_eq(ipcctl_obtain_check(t, &ids, p.id, &out), 0);
	ck_assert_ptr_eq(out, &p);
	t->cred.euid = 77;
	t->cred.cap_effective = 1ULL << CAP_SYS_ADMIN;      /* neither owner nor creator */
	ck_assert_int_eq(ipcctl_obtain_check(t, &ids, p.id, &out), 0);
	t->cred.cap_effective = 1ULL << CAP_IPC_OWNER;
	ck_assert_int_eq(ipcperms(t, &p, 0666), 0);
}
END_TEST

Suite *ipc_suite(void)
{
	Suite *s = suite_create("ipc");
	TCase *tc = tcase_create("ids");

	tcase_add_test(tc, ids_cyclic);
	tcase_add_test(tc, ids_limit);
	tcase_add_test(tc, perms);
	suite_add_tcase(s, tc);
	return s;
}
