/*
 * The kernel page pool and the object caches built on it. The pool is a
 * free list of pages; a cache takes a whole page when it runs dry and splits
 * it into objects of one size. Cache pages are not given back to the pool.
 */
#include "kmem.h"
#include "klib.h"
#include "arch.h"

#define PAGE 4096UL

static void *free_pages;	/* linked through the first word of each page */
static uint64_t total, nfree;

void kmem_init(uint64_t base_pa, uint64_t end_pa)
{
	for (uint64_t pa = end_pa; pa >= base_pa + PAGE; pa -= PAGE) {
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
	memset(page, 0, PAGE);
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

static int kcache_grow(struct kcache *c)
{
	uint8_t *page = kmem_page_alloc();
	size_t size = ALIGN_UP(c->size, 16);

	if (!page)
		return -1;
	for (size_t off = 0; off + size <= PAGE; off += size) {
		void **obj = (void **)(page + off);
		*obj = c->free;
		c->free = obj;
	}
	return 0;
}

void *kcache_alloc(struct kcache *c)
{
	void **obj;

	if (!c->free && kcache_grow(c) < 0)
		return NULL;
	obj = c->free;
	c->free = *obj;
	c->in_use++;
	memset(obj, 0, c->size);
	return obj;
}

void kcache_free(struct kcache *c, void *obj)
{
	*(void **)obj = c->free;
	c->free = obj;
	c->in_use--;
}
