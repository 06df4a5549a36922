/*
 * mmap and munmap over the pager's PAGER_MMAP and PAGER_MUNMAP. Arguments
 * the pager cannot honour (files, fixed addresses) are refused here, so a
 * program learns why from errno without a round trip.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>

#include "pager_client.h"
#include "sys.h"

#define PROT_ALL (PROT_READ | PROT_WRITE | PROT_EXEC)

_Static_assert(PROT_READ == PAGER_PROT_READ && PROT_WRITE == PAGER_PROT_WRITE &&
	       PROT_EXEC == PAGER_PROT_EXEC, "prot bits pass to the pager as is");

/* The pager's map flags for POSIX flags, or 0 if they cannot be served:
 * exactly one of private and shared, always anonymous, nothing else. */
static uint64_t pager_flags(int flags)
{
	switch (flags) {
	case MAP_PRIVATE | MAP_ANONYMOUS:
		return PAGER_MAP_PRIVATE;
	case MAP_SHARED | MAP_ANONYMOUS:
		return PAGER_MAP_SHARED;
	default:
		return 0;
	}
}

/* Store a negated error in errno; returns -1 for the caller to pass on. */
static int fail(int negated)
{
	errno = -negated;
	return -1;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	struct msg m = { .label = PAGER_MMAP, .handle = -1 };
	uint64_t kind = pager_flags(flags);

	(void)addr;	/* a hint; without MAP_FIXED we may ignore it */
	if (kind == 0 || fd != -1 || off != 0 || len == 0 || (prot & ~PROT_ALL)) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	m.w[0] = len;
	m.w[1] = (uint64_t)prot;
	m.w[2] = kind;
	int r = pager_call(&m);
	if (r < 0) {
		fail(r);
		return MAP_FAILED;
	}
	return (void *)(uintptr_t)m.w[0];
}

int munmap(void *addr, size_t len)
{
	struct msg m = { .label = PAGER_MUNMAP, .handle = -1 };

	if (((uintptr_t)addr & (PAGE_SIZE - 1)) != 0 || len == 0)
		return fail(-EINVAL);
	m.w[0] = (uintptr_t)addr;
	m.w[1] = len;
	int r = pager_call(&m);
	return r < 0 ? fail(r) : 0;
}
