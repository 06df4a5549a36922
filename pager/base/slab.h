/*
 * Objects of one size in pages of their own, apart from malloc's heap:
 * for what the pager keeps per process by the thousand (region records,
 * page-array chunks). A page whose objects are all free can go back to
 * the frame pool (slab_trim), where memory freed into malloc's heap stays
 * the pager's for good: picolibc's nano-malloc (1.8) never lowers its
 * break and has no malloc_trim, so a line that raised it kept those
 * frames after it ended.
 *
 * Pages come from the source set here and go back to it. Like the heap's
 * frame source (heap.h), the source only takes a page or says there is
 * none: no reclaim, no free.
 */
#ifndef PAGER_BASE_SLAB_H
#define PAGER_BASE_SLAB_H

#include <stddef.h>
#include <stdint.h>
#include "kernel/abi/vm.h"

struct slab_page;

/* A cache of objects of one size. Its pages with objects both free and
 * in use are `partial`, those with none in use `empty` (kept until
 * slab_trim); pages with none free are on no list. */
struct slab_cache {
	size_t size;			/* of an object, as declared */
	struct slab_page *partial, *empty;
	uint64_t pages, nempty;		/* pages it holds; of them, empty */
	struct slab_cache *next;	/* in slab_trim's list, */
	int listed;			/* from its first page on */
};
/* A cache of objects of type, for a static's initializer. */
#define SLAB_CACHE(type) { .size = sizeof(type) }

/* A page-aligned page of PAGE_SIZE bytes, whatever it holds (a frame's
 * old contents: the page's record and free list are written as it is
 * taken, and slab_alloc zeroes each object as it hands it out), or NULL
 * if none may be had now; and one given back (all its objects free). */
typedef void *slab_page_fn(void);
typedef void slab_unpage_fn(void *page);
/* Where pages come from from now on; until then slab_alloc fails. */
void slab_set_page_source(slab_page_fn *take, slab_unpage_fn *give);

/* A zeroed object of c, or NULL if c has no free one and the source no
 * page. Objects of a partial page are handed out first, then an empty
 * page's, so that pages fill before any is taken. */
void *slab_alloc(struct slab_cache *c);
/* obj (slab_alloc's, of c) is free again. Its page, once empty, stays
 * c's until slab_trim: a free may come where a page cannot go back (the
 * frame pool holds frees while unmaps are held). */
void slab_free(struct slab_cache *c, void *obj);
/* Give back every empty page but one per cache (kept, so that an object
 * made and freed by each request does not take a page each time); how
 * many went. Cheap when there are none. */
uint64_t slab_trim(void);

/* The bytes a page's record takes before its first object (slab.c checks
 * it), and so the largest object a page holds: each cache's file asserts
 * its type fits, since one that did not would never be had. */
#define SLAB_RECORD 32
#define SLAB_OBJECT_MAX (PAGE_SIZE - SLAB_RECORD)

/* What one object of c takes of its page's bytes: what a budget of such
 * objects is charged (a page of 1,040-byte chunks holds three, not four). */
uint64_t slab_object_bytes(const struct slab_cache *c);

#endif
