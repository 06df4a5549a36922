/*
 * Objects of one size in pages of their own (slab.h). Each page starts
 * with its record; its objects follow, the free ones linked through their
 * first word. An object's page is its address rounded down.
 */
#include <string.h>
#include "base/slab.h"
#include "kernel/abi/vm.h"

/* Host tests under ASan: a free object is poisoned, so a use after
 * slab_free or past an object's end is reported as malloc's would be (the
 * pages are taken whole, so ASan sees only the page). Only this file
 * touches a free object: its free-list word, unpoisoned before it is read. */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

struct slab_page {
	struct slab_page *next, *prev;	/* in its cache's partial or empty list */
	void *free;			/* its free objects */
	uint32_t used;			/* objects in use */
};

#define ALIGN 16	/* as malloc's: any object's fields */
#define ROUND(n) (((n) + ALIGN - 1) & ~(size_t)(ALIGN - 1))
#define FIRST ROUND(sizeof(struct slab_page))	/* the first object's offset */
_Static_assert(FIRST == SLAB_RECORD, "slab.h's SLAB_RECORD is the page record's size");

static slab_page_fn *take_page;
static slab_unpage_fn *give_page;
static struct slab_cache *caches;	/* those that have had a page */
/* Whether a cache has come to hold more than its one kept empty page
 * since the last trim: slab_trim runs at the end of every request, a
 * fault's included, and walking the caches there for nothing cost each
 * fault ~19 instructions (scripts/bench, first touch, faultaround=0). */
static int trim_due;

void slab_set_page_source(slab_page_fn *take, slab_unpage_fn *give)
{
	take_page = take;
	give_page = give;
}

static size_t stride(const struct slab_cache *c)
{
	return ROUND(c->size);
}

static size_t per_page(const struct slab_cache *c)
{
	return (PAGE_SIZE - FIRST) / stride(c);
}

uint64_t slab_object_bytes(const struct slab_cache *c)
{
	return PAGE_SIZE / per_page(c);
}

static struct slab_page *page_of(const void *obj)
{
	return (struct slab_page *)((uintptr_t)obj & ~(uintptr_t)(PAGE_SIZE - 1));
}

static void push(struct slab_page **list, struct slab_page *p)
{
	p->prev = NULL;
	p->next = *list;
	if (p->next)
		p->next->prev = p;
	*list = p;
}

static void unlink_page(struct slab_page **list, struct slab_page *p)
{
	if (p->prev)
		p->prev->next = p->next;
	else
		*list = p->next;
	if (p->next)
		p->next->prev = p->prev;
	p->next = p->prev = NULL;
}

/* A new page for c, its objects all free, on c's empty list; NULL if the
 * source has none. */
static struct slab_page *grow(struct slab_cache *c)
{
	struct slab_page *p = take_page && per_page(c) ? take_page() : NULL;
	uint8_t *obj;

	if (!p)
		return NULL;
	*p = (struct slab_page){ 0 };
	obj = (uint8_t *)p + FIRST + (per_page(c) - 1) * stride(c);
	for (; obj >= (uint8_t *)p + FIRST; obj -= stride(c)) {
		*(void **)obj = p->free;
		p->free = obj;
		POISON(obj, stride(c));
	}
	if (!c->listed) {
		c->listed = 1;
		c->next = caches;
		caches = c;
	}
	c->pages++;
	c->nempty++;
	push(&c->empty, p);
	return p;
}

void *slab_alloc(struct slab_cache *c)
{
	struct slab_page *p = c->partial;
	void **obj;

	if (!p && !(p = c->empty) && !(p = grow(c)))
		return NULL;
	if (!p->used) {
		unlink_page(&c->empty, p);
		c->nempty--;
		push(&c->partial, p);
	}
	obj = p->free;
	UNPOISON(obj, c->size > sizeof(void *) ? c->size : sizeof(void *));
	p->free = *obj;
	if (++p->used == per_page(c))
		unlink_page(&c->partial, p);
	memset(obj, 0, c->size);	/* its page came as it was (slab.h) */
	return obj;
}

void slab_free(struct slab_cache *c, void *obj)
{
	struct slab_page *p = page_of(obj);

	if (p->used == per_page(c))
		push(&c->partial, p);
	*(void **)obj = p->free;
	p->free = obj;
	POISON(obj, stride(c));
	if (--p->used)
		return;
	unlink_page(&c->partial, p);
	push(&c->empty, p);
	if (++c->nempty > 1)
		trim_due = 1;
}

uint64_t slab_trim(void)
{
	uint64_t n = 0;

	if (!trim_due)
		return 0;
	trim_due = 0;
	for (struct slab_cache *c = caches; c; c = c->next) {
		while (c->nempty > 1) {
			struct slab_page *p = c->empty;
			unlink_page(&c->empty, p);
			c->nempty--;
			c->pages--;
			UNPOISON(p, PAGE_SIZE);	/* the frame is another's now */
			give_page(p);
			n++;
		}
	}
	return n;
}
