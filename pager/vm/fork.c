/*
 * fork's address space: the child gets a copy of every region, and each
 * kind of memory gives the copy its pages (private ones copy-on-write in
 * both, shared ones the same frames).
 */
#include "vm/internal.h"

/* Every region of parent copied into child, in order. */
static int fork_regions(struct vm_space *parent, struct vm_space *child)
{
	struct vm_region **tail = &child->regions;

	for (struct vm_region *p = parent->regions; p; p = p->next) {
		struct vm_region *c = vm_region_record();
		if (!c)
			return VM_FAULT_NOMEM;
		*c = *p;
		c->next = NULL;
		c->pages = (struct pagevec){ .budget = child->budget };
		*tail = c;	/* linked first, so destroying a half-made child frees it */
		tail = &c->next;
		vm_region_counted(child, c);
		if (p->ops->fork(parent, p, child, c) < 0)
			return VM_FAULT_NOMEM;
		/* The fork's own allocations may reclaim, and reclaim may drop
		 * an unlocked page of p the child had not taken yet: the child
		 * lost it too, and its lock must say so. A page it had taken is
		 * shared, which no drop takes (discard.c's droppable); one of c
		 * dropped meanwhile has set c's own mark. */
		c->discarded |= p->discarded;
	}
	return 0;
}

/* A chunk the budget refused is this fork's failure, VM_FAULT_NOMEM as
 * for memory short (the server says ENOMEM for both). */
int vm_fork(struct vm_space *parent, struct vm_space *child)
{
	if (child->regions || child == parent)
		return -1;
	return fork_regions(parent, child);
}
