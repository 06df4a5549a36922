/*
 * sbrk for picolibc's malloc: the pager owns every program's break and maps
 * the heap's pages. Not in the pager itself, which cannot call itself (it
 * links ulib_core and has its own sbrk).
 */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include "pager/protocol.h"
#include "sys.h"

/* Move the break by incr bytes (PAGER_SBRK). Returns the old break, or
 * (void *)-1 with errno = ENOMEM. */
void *sbrk(ptrdiff_t incr)
{
	struct msg m = { .label = PAGER_SBRK, .handle = -1 };

	m.w[0] = (uint64_t)incr;
	if (sys_call(HANDLE_PAGER, &m) < 0 || (int64_t)m.label < 0) {
		errno = ENOMEM;
		return (void *)-1;
	}
	return (void *)(uintptr_t)m.w[0];
}
