/*
 * The kernel page pool and the object caches built on it. The pool is a
 * free list of pages; a cache takes a whole page when it runs dry, splits
 * it into objects of one size, and gives it back once they are all free.
 */
#include "kmem.h"
#include "klib.h"
#include "arch.h"

#define PAGE 4096UL

/* A pool page cut into objects: its free ones and how many are in use.
 * Kept apart from the page (slabs[], at the pool's start), so a page holds
 * as many objects as it did before pages could be given back. */
struct kslab {
	struct kslab *next, *prev;	/* in its cache's partial list */
	void *free;			/* linked through their first word */
	uint32_t used;
};

static void *free_pages;	/* linked through the first word of each page */
static uint64_t total, nfree;
static uint64_t pool_pa;	/* where the pages slabs[] describes start */
static struct kslab *slabs;	/* one per page from pool_pa on */

void kmem_init(uint64_t base_pa, uint64_t end_pa)
{
	uint64_t n = (end_pa - base_pa) / PAGE;
	uint64_t meta = ALIGN_UP(n * sizeof(struct kslab), PAGE) / PAGE;

	slabs = pa_to_kva(base_pa);
	memset(slabs, 0, meta * PAGE);
	pool_pa = base_pa + meta * PAGE;
	for (uint64_t pa = end_pa; pa >= pool_pa + PAGE; pa -= PAGE) {
		void **page = pa_to_kva(pa - PAGE);
		*page = free_pages;
		free_pages = page;
		total++;
		nfree++;
	}
}

void *kmem_page_alloc(void)
{
	void **page = free_pages;

	if (!page)
		return NULL;
	free_pages = *page;
	nfree--;
	memset(page, 0, PAGE);	/* klib's: unrolled for a page */
	return page;
}

void kmem_page_free(void *page)
{
	*(void **)page = free_pages;
	free_pages = page;
	nfree++;
}

uint64_t kmem_pages_total(void)
{
	return total;
}

uint64_t kmem_pages_free(void)
{
	return nfree;
}

static struct kslab *slab_of(const void *obj)
{
	return &slabs[(kva_to_pa(obj) - pool_pa) / PAGE];
}

static uint8_t *page_of(const struct kslab *s)
{
	return pa_to_kva(pool_pa + (uint64_t)(s - slabs) * PAGE);
}

static void partial_push(struct kcache *c, struct kslab *s)
{
	s->prev = NULL;
	s->next = c->partial;
	if (s->next)
		s->next->prev = s;
	c->partial = s;
}

static void partial_unlink(struct kcache *c, struct kslab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		c->partial = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

/* A page for c, cut into objects (16-byte aligned): the spare if it has
 * one. */
static struct kslab *kcache_grow(struct kcache *c)
{
	size_t size = ALIGN_UP(c->size, 16);
	struct kslab *s = c->spare;
	uint8_t *page;

	if (s) {
		c->spare = NULL;
		return s;
	}
	if (!(page = kmem_page_alloc()))
		return NULL;
	s = slab_of(page);
	s->free = NULL;
	s->used = 0;
	for (size_t off = 0; off + size <= PAGE; off += size) {
		void **obj = (void **)(page + off);
		*obj = s->free;
		s->free = obj;
	}
	return s;
}

void *kcache_alloc(struct kcache *c)
{
	struct kslab *s = c->partial;
	void **obj;

	if (!s) {
		if (!(s = kcache_grow(c)))
			return NULL;
		partial_push(c, s);
	}
	obj = s->free;
	s->free = *obj;
	s->used++;
	if (!s->free)
		partial_unlink(c, s);
	c->in_use++;
	memset(obj, 0, c->size);
	return obj;
}

/* An empty page: kept as the spare (0), or the pool's again (1). */
static int kcache_release(struct kcache *c, struct kslab *s)
{
	partial_unlink(c, s);
	if (!c->spare && !c->no_spare) {
		c->spare = s;
		return 0;
	}
	kmem_page_free(page_of(s));
	return 1;
}

int kcache_free(struct kcache *c, void *obj)
{
	struct kslab *s = slab_of(obj);
	int was_full = s->free == NULL;

	*(void **)obj = s->free;
	s->free = obj;
	s->used--;
	c->in_use--;
	if (was_full)
		partial_push(c, s);
	return s->used == 0 && kcache_release(c, s);
}
