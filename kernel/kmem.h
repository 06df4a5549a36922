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
 * free goes back to the pool, but for one kept per cache, so that one
 * object made and freed over and over does not take and zero a page each
 * time: what a process's objects held is the pool's again once it ends. */
struct kcache {
	const char *name;
	size_t size;		/* rounded up to 16 */
	struct kslab *partial;	/* its pages with a free object */
	struct kslab *spare;	/* an empty page kept, or NULL */
	uint64_t in_use;	/* objects */
};
void *kcache_alloc(struct kcache *c);	/* zeroed, or NULL */
/* What one object of size bytes takes of a cache's page. */
static inline size_t kcache_size_of(size_t size)
{
	return (size + 15) & ~(size_t)15;
}
/* What one object of c takes of its page (what a budget is charged). */
static inline size_t kcache_object_size(const struct kcache *c)
{
	return kcache_size_of(c->size);
}
void kcache_free(struct kcache *c, void *obj);

#endif
