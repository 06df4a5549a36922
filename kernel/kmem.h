/*
 * Kernel memory: a pool of pages fixed at boot, used for page tables and for
 * kernel objects (processes, threads, endpoints, notifications). Nothing in
 * it is ever swapped; when it is exhausted, calls fail with -ERR_NOMEM.
 */
#ifndef KERNEL_KMEM_H
#define KERNEL_KMEM_H

#include <stddef.h>
#include <stdint.h>

/* The pool is [base_pa, end_pa); its first pages hold the records of the
 * pages cut into objects. */
void kmem_init(uint64_t base_pa, uint64_t end_pa);
/* A zeroed page (kernel address), or NULL when the pool is empty. */
void *kmem_page_alloc(void);
void kmem_page_free(void *page);
uint64_t kmem_pages_total(void);
uint64_t kmem_pages_free(void);

struct kslab;

/* Fixed-size objects carved from pool pages. A page whose objects are all
 * free goes back to the pool, but for one kept per cache (unless no_spare),
 * so that one object made and freed over and over does not take and zero
 * a page each time: what a process's objects held is the pool's again
 * once it ends. */
struct kcache {
	const char *name;
	size_t size;		/* rounded up to 16 */
	struct kslab *partial;	/* its pages with a free object */
	struct kslab *spare;	/* an empty page kept, or NULL */
	uint64_t in_use;	/* objects */
	/* 1: an emptied page goes back at once, none kept: for a cache whose
	 * pages someone pays for (kernel/budget.h), who should pay for pages
	 * that hold something. */
	uint8_t no_spare;
};
void *kcache_alloc(struct kcache *c);	/* zeroed, or NULL */
/* Whether c's next kcache_alloc takes a page from the pool (it has no
 * free object left, and no spare): the caller may pay for it first. */
static inline int kcache_needs_page(const struct kcache *c)
{
	return !c->partial && !c->spare;
}
/* obj back to c, which it came from: 1 if its page went back to the pool
 * with it, else 0. */
int kcache_free(struct kcache *c, void *obj);

#endif
