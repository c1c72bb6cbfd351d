/*
 * Per-user counts of kernel objects, as Linux's struct ucounts
 * (kernel/ucount.c): inotify instances and watches, fanotify groups and
 * marks, queued signals (RLIMIT_SIGPENDING) and POSIX message queue
 * bytes (RLIMIT_MSGQUEUE) are each charged to a user and checked
 * against a limit when more is made.
 *
 * Linux keys ucounts by (user namespace, uid); umk keys them by the
 * guest's uid alone, which is what the limits above are checked
 * against.  A user's entry stays once made (there are few users), so a
 * pointer to it may be kept in the object that holds a charge, and the
 * charge is given back to the same entry whatever the holder's
 * credentials have become since.
 */
#include "../kernel.h"
#include <stdlib.h>

struct ucounts {
	struct ucounts *next;
	uint32_t uid;
	long count[UCOUNT_COUNTS];
};

static struct ucounts *ucounts_list;

struct ucounts *ucounts_get(uint32_t uid)
{
	struct ucounts *uc;

	for (uc = ucounts_list; uc; uc = uc->next)
		if (uc->uid == uid)
			return uc;
	uc = calloc(1, sizeof(*uc));
	if (uc) {
		uc->uid = uid;
		uc->next = ucounts_list;
		ucounts_list = uc;
	}
	return uc;
}

bool ucounts_add(struct ucounts *uc, enum ucount_type type, long n, long max)
{
	if (n < 0 || n > max || uc->count[type] > max - n)
		return false;
	uc->count[type] += n;
	return true;
}

void ucounts_sub(struct ucounts *uc, enum ucount_type type, long n)
{
	uc->count[type] = uc->count[type] > n ? uc->count[type] - n : 0;
}

bool ucounts_inc(struct ucounts *uc, enum ucount_type type, long max)
{
	return ucounts_add(uc, type, 1, max);
}

void ucounts_dec(struct ucounts *uc, enum ucount_type type)
{
	ucounts_sub(uc, type, 1);
}
