/*
 * Allocation from the pager's heap that reclaims when it must, but never
 * inside malloc. malloc's frame source takes only what is free (heap.h
 * says why it may not reclaim); when it has none to give, malloc fails,
 * and these ask the refill hook (reclaim's) to free memory, after malloc
 * has returned, then try again. For code that may reclaim where it
 * allocates: the VM core between its steps, whose holds are made for that
 * (vm/fault.c's page_fill_map). Code that runs before any request (swap
 * start, the policies' tables) calls malloc itself.
 */
#ifndef PAGER_BASE_HEAP_ALLOC_H
#define PAGER_BASE_HEAP_ALLOC_H

#include <stddef.h>

/* Free memory for the heap after an allocation failed; 1 if it is worth
 * trying again (a frame the failed allocation could not have is free
 * now), 0 if not. Lock held. */
typedef int heap_refill_fn(void);
/* The hook from now on; until then a failed allocation is not retried. */
void heap_set_refill(heap_refill_fn *fn);

/* malloc, calloc and realloc, retried while the refill hook says so. An
 * allocation the hook makes itself (reclaim's) is not retried: the hook
 * does not run inside itself. NULL if memory is short even so (realloc's
 * p is then untouched). */
void *heap_malloc(size_t n);
void *heap_calloc(size_t n, size_t size);
void *heap_realloc(void *p, size_t n);
/* slab_alloc (base/slab.h), retried alike. */
struct slab_cache;
void *heap_slab_alloc(struct slab_cache *c);

#endif
