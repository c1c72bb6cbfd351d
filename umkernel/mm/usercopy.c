/*
 * usercopy.c - copies between the kernel and guest memory, and the check
 * of a user range against the VMAs (Linux's access_ok plus the VMA
 * permissions).
 *
 * Guest memory is never mapped in umk: copies go through the platform's
 * read_mem/write_mem (process_vm_readv/writev into the stub), all or
 * nothing; a string is read page by page so that one ending just before
 * an unmapped page is still read.
 *
 * Lock: klock, held (the VMA list is read).
 */
#include "../kernel.h"
#include "mm.h"
#include <string.h>

/*
 * user_range_ok - would an access of len bytes at addr with prot succeed?
 * Checks the range against the user address limit (Linux's access_ok) and
 * that every byte lies in a VMA allowing prot.  Lets callers refuse before
 * they consume data (a pipe read into a bad buffer must leave the data in
 * the pipe, as Linux does).
 */
bool user_range_ok(struct task *t, uint64_t addr, uint64_t len, int prot)
{
	if (addr + len < addr || addr + len > STUB_START)
		return false;
	if (!len)
		return true;
	uint64_t cur = addr, end = addr + len;
	for_each_vma(t->mm, v) {
		if (v->end <= cur)
			continue;
		if (v->start > cur || (v->prot & prot) != prot)
			return false;
		cur = v->end;
		if (cur >= end)
			return true;
	}
	return false;
}

int copy_from_user(struct task *t, void *dst, uint64_t src, size_t len)
{
	if (!len)
		return 0;
	if (!t->host)
		return -EFAULT;
	long n = platform->read_mem(t->host, dst, src, len);
	if (n != (long)len && uffd_fixup_user(t, src, len))   /* a stale userfaultfd trap */
		n = platform->read_mem(t->host, dst, src, len);
	return n == (long)len ? 0 : -EFAULT;
}

int copy_to_user(struct task *t, uint64_t dst, const void *src, size_t len)
{
	if (!len)
		return 0;
	if (!t->host)
		return -EFAULT;
	long n = platform->write_mem(t->host, dst, src, len);
	if (n != (long)len && uffd_fixup_user(t, dst, len))   /* a stale userfaultfd trap */
		n = platform->write_mem(t->host, dst, src, len);
	return n == (long)len ? 0 : -EFAULT;
}

long strncpy_from_user(struct task *t, char *dst, uint64_t src, size_t max)
{
	size_t got = 0;
	if (!t->host)
		return -EFAULT;
	while (got < max) {
		/* read up to the end of the page so a string that ends just
		 * before an unmapped page is still read */
		size_t chunk = GUEST_PAGE_SIZE - ((src + got) & (GUEST_PAGE_SIZE - 1));
		if (chunk > max - got)
			chunk = max - got;
		long n = platform->read_mem(t->host, dst + got, src + got, chunk);
		if (n <= 0 && uffd_fixup_user(t, src + got, chunk))
			n = platform->read_mem(t->host, dst + got, src + got, chunk);
		if (n <= 0)
			return -EFAULT;
		void *nul = memchr(dst + got, 0, n);
		if (nul)
			return (char *)nul - dst;
		got += n;
	}
	return -ENAMETOOLONG;
}
