/*
 * Objects the kernel reads where they lie only if they lie within one page
 * (a harvest batch's entries, a service thread's messages): each placed at
 * a power-of-two boundary inside a plain static buffer with slack, so no
 * link layout, nor a global added before it, can make it cross a page.
 */
#ifndef PAGER_BASE_PLACED_H
#define PAGER_BASE_PLACED_H

#include <stddef.h>
#include <stdint.h>
#include "kernel/abi/vm.h"

/* Storage for an array of count objects of type, each size <= align (a
 * power of two dividing the page) and, if more than one, exactly align
 * (the type so aligned), so each lies in one page. A buffer of chars, not
 * an aligned static: alignment that large in the pager's data costs the
 * linker's gp-relative reach everywhere (measured aligned to 1,024: 620 ->
 * 537 gp-relative accesses, +7 a faultaround=0 fault); nor heap pages,
 * which shift every process's frames (the fork rows +170 for two pages).
 * A declaration: "PLACED_SPACE(name, type, align, count);". */
#define PLACED_SPACE(name, type, align, count)                                         \
	static char name[((count) - 1) * (size_t)(align) + sizeof(type) + (align) - 1]; \
	_Static_assert(((align) & ((align) - 1)) == 0 && sizeof(type) <= (size_t)(align) && \
			       (align) <= PAGE_SIZE &&                                 \
			       ((count) == 1 || sizeof(type) == (size_t)(align)),        \
		       #type " is placed within one page")

/* The first align boundary in space: where PLACED_SPACE's objects start. */
static inline void *placed(void *space, size_t align)
{
	return (void *)(((uintptr_t)space + align - 1) & ~(uintptr_t)(align - 1));
}

#endif
