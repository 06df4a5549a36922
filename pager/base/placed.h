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

/* The least power of two that is at least size (> 0): the alignment that
 * keeps an object of that size within one page, if it is at most one. A
 * constant expression, so an object's alignment is derived from its size,
 * not sized by hand. */
#define PLACED_ALIGN(size) (PLACED_SMEAR8_((size_t)(size) - 1) + 1)
/* x with every bit below its highest set (up to bit 15: past the page). */
#define PLACED_SMEAR1_(x) ((x) | (x) >> 1)
#define PLACED_SMEAR2_(x) (PLACED_SMEAR1_(x) | PLACED_SMEAR1_(x) >> 2)
#define PLACED_SMEAR4_(x) (PLACED_SMEAR2_(x) | PLACED_SMEAR2_(x) >> 4)
#define PLACED_SMEAR8_(x) (PLACED_SMEAR4_(x) | PLACED_SMEAR4_(x) >> 8)

/* Storage for an array of count objects of type, each size <= align (a
 * power of two dividing the page: PLACED_ALIGN(sizeof(type))), one each
 * align bytes from the first boundary (placed_nth), so each lies in one
 * page. A buffer of chars, not
 * an aligned static: alignment that large in the pager's data costs the
 * linker's gp-relative reach everywhere (measured aligned to 1,024: 620 ->
 * 537 gp-relative accesses, +7 a faultaround=0 fault); nor heap pages,
 * which shift every process's frames (the fork rows +170 for two pages).
 * A declaration: "PLACED_SPACE(name, type, align, count);". */
#define PLACED_SPACE(name, type, align, count)                                         \
	static char name[((count) - 1) * (size_t)(align) + sizeof(type) + (align) - 1]; \
	_Static_assert(((align) & ((align) - 1)) == 0 && sizeof(type) <= (size_t)(align) && \
			       (align) <= PAGE_SIZE,                                   \
		       #type " is placed within one page")

/* The first align boundary in space: where PLACED_SPACE's objects start. */
static inline void *placed(void *space, size_t align)
{
	return (void *)(((uintptr_t)space + align - 1) & ~(uintptr_t)(align - 1));
}

/* PLACED_SPACE's object k. Found at each use rather than through a pointer
 * set up once: a few instructions, and nothing to set up first. */
static inline void *placed_nth(void *space, size_t align, size_t k)
{
	return (char *)placed(space, align) + k * align;
}

#endif
