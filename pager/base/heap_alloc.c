/*
 * Allocations retried after the refill hook frees memory (heap_alloc.h).
 * The hook runs here, between malloc's calls, where malloc holds nothing.
 */
#include <stdlib.h>
#include "base/heap_alloc.h"
#include "base/slab.h"

static heap_refill_fn *refill;
static int refilling;	/* the hook is running: its own allocations are not retried */

void heap_set_refill(heap_refill_fn *fn)
{
	refill = fn;
}

/* After a failed allocation: whether to try again. */
static int refilled(void)
{
	int again;

	if (!refill || refilling)
		return 0;
	refilling = 1;
	again = refill();
	refilling = 0;
	return again;
}

void *heap_malloc(size_t n)
{
	void *p;

	while (!(p = malloc(n)) && refilled())
		;
	return p;
}

void *heap_calloc(size_t n, size_t size)
{
	void *p;

	while (!(p = calloc(n, size)) && refilled())
		;
	return p;
}

void *heap_realloc(void *p, size_t n)
{
	void *q;

	/* A realloc to 0 bytes frees p: never tried twice. */
	while (!(q = realloc(p, n)) && n && refilled())
		;
	return q;
}

void *heap_slab_alloc(struct slab_cache *c)
{
	void *p;

	while (!(p = slab_alloc(c)) && refilled())
		;
	return p;
}
