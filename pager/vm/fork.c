/*
 * fork's address space: the child gets a copy of every region, and each
 * kind of memory gives the copy its pages (private ones copy-on-write in
 * both, shared ones the same frames).
 */
#include <stdlib.h>
#include "vm/internal.h"

/* The child's copy c mapped frames that a write-out had unmapped (a shared
 * object's: private ones were mapped back first, to be made copy-on-write):
 * their other mappings back too, as each frame's are all in the page
 * tables or none. Walked only while some frame is unmapped. */
static int map_back_mapped(struct vm_region *c)
{
	uint64_t n = region_pages(c);

	for (uint64_t i = pv_next(&c->pages, 0, n); frames_at.unmapped && i < n;
	     i = pv_next(&c->pages, i + 1, n)) {
		uint64_t pa = region_frame(c, i);
		if (pa && vm_frame_unmapped(pa) && vm_frame_map_back(pa) < 0)
			return VM_FAULT_NOMEM;
	}
	return 0;
}

int vm_fork(struct vm_space *parent, struct vm_space *child)
{
	struct vm_region **tail = &child->regions;

	if (child->regions || child == parent)
		return -1;
	for (struct vm_region *p = parent->regions; p; p = p->next) {
		struct vm_region *c = malloc(sizeof(*c));
		if (!c)
			return VM_FAULT_NOMEM;
		*c = *p;
		c->next = NULL;
		c->pages = (struct pagevec){ 0 };
		*tail = c;	/* linked first, so destroying a half-made child frees it */
		tail = &c->next;
		if (p->ops->fork(parent, p, child, c) < 0 || map_back_mapped(c) < 0)
			return VM_FAULT_NOMEM;
	}
	return 0;
}
