/*
 * fork's address space: the child gets a copy of every region, and each
 * kind of memory gives the copy its pages (private ones copy-on-write in
 * both, shared ones the same frames).
 */
#include <stdlib.h>
#include "base/heap_alloc.h"
#include "vm/internal.h"

int vm_fork(struct vm_space *parent, struct vm_space *child)
{
	struct vm_region **tail = &child->regions;

	if (child->regions || child == parent)
		return -1;
	for (struct vm_region *p = parent->regions; p; p = p->next) {
		struct vm_region *c = heap_malloc(sizeof(*c));
		if (!c)
			return VM_FAULT_NOMEM;
		*c = *p;
		c->next = NULL;
		c->pages = (struct pagevec){ 0 };
		*tail = c;	/* linked first, so destroying a half-made child frees it */
		tail = &c->next;
		vm_region_counted(child, c);
		if (p->ops->fork(parent, p, child, c) < 0)
			return VM_FAULT_NOMEM;
	}
	return 0;
}
