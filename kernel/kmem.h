/*
 * Kernel memory: a pool of pages fixed at boot, used for page tables and for
 * kernel objects (processes, threads, endpoints, notifications). Nothing in
 * it is ever swapped; when it is exhausted, calls fail with -ERR_NOMEM.
 */
#ifndef KERNEL_KMEM_H
#define KERNEL_KMEM_H

#include <stddef.h>
#include <stdint.h>

void kmem_init(uint64_t base_pa, uint64_t end_pa);
/* A zeroed page (kernel address), or NULL when the pool is empty. */
void *kmem_page_alloc(void);
void kmem_page_free(void *page);
uint64_t kmem_pages_total(void);
uint64_t kmem_pages_free(void);

/* Fixed-size objects carved from pool pages; freed objects are reused. */
struct kcache {
	const char *name;
	size_t size;		/* rounded up to 16 */
	void *free;		/* free objects, linked through their first word */
	uint64_t in_use;
};
void *kcache_alloc(struct kcache *c);	/* zeroed, or NULL */
void kcache_free(struct kcache *c, void *obj);

#endif
