/*
 * How pages come and go private: a fault fills an absent page (and a few
 * after it), or breaks copy-on-write on a write; a fork makes a space's
 * private pages copy-on-write in parent and child.
 */
#include <stdlib.h>
#include <string.h>
#include "page.h"
#include "vm_impl.h"

/* Whether a region with perm allows access (an unknown access is a read). */
static int access_ok(unsigned perm, unsigned access)
{
	unsigned need = access & (VM_R | VM_W | VM_X);

	return ((need ? need : VM_R) & ~perm) == 0;
}

/* Fill absent page i of r and map it in s; 0 or VM_FAULT_NOMEM. */
static int page_fill_map(struct vm_space *s, struct vm_region *r, uint64_t i)
{
	uint64_t pa = r->ops->page_in(r, i);

	if (!pa)
		return VM_FAULT_NOMEM;
	if (vm_page_map(s, r, i, pa, vm_page_perm(r, pa)) < 0) {
		r->ops->page_gone(r, i, pa);	/* frees it unless an object holds it */
		return VM_FAULT_NOMEM;
	}
	return VM_FAULT_MAPPED;
}

/* Map up to vm.faultaround absent pages after page i, within r; the
 * fault itself is resolved, so running out of frames just stops early. */
static void fault_around(struct vm_space *s, struct vm_region *r, uint64_t i)
{
	uint64_t last = i + vm.faultaround, n = region_pages(r);

	for (uint64_t j = i + 1; j <= last && j < n; j++) {
		if (region_frame(r, j))
			continue;
		if (page_fill_map(s, r, j) < 0)
			return;
		vm.cnt.faultaround_pages++;
	}
}

/* A write to private page i, mapped read-only since a fork: the last
 * mapper takes the frame back writable; others get their own copy. */
static int cow(struct vm_space *s, struct vm_region *r, uint64_t i, uint64_t pa)
{
	uint64_t va = r->start + i * VM_PAGE, copy;

	if (!region_page_cow(r, i))
		return VM_FAULT_MAPPED;	/* already writable: another thread's fault won */
	if (vm_mapcount(pa) <= 1) {
		if (vm.mmu.protect(vm.mmu.ctx, s->as, va, r->perm) < 0)
			return VM_FAULT_NOMEM;
		r->pages[i] &= ~PAGE_COW;
		vm.cnt.cow_reuse++;
		return VM_FAULT_MAPPED;
	}
	if (rmap_reserve(1) < 0 || !(copy = frame_alloc()))
		return VM_FAULT_NOMEM;
	page_copy(frame_ptr(copy), frame_ptr(pa));
	if (vm.mmu.map(vm.mmu.ctx, s->as, va, copy, r->perm) < 0) {
		frame_free(copy);
		return VM_FAULT_NOMEM;
	}
	rmap_remove(pa, s, va);	/* others still map pa: it is not freed */
	rmap_add(copy, s, va);
	r->pages[i] = pa_pfn(copy);
	vm.cnt.cow_breaks++;
	return VM_FAULT_MAPPED;
}

int vm_fault(struct vm_space *s, uint64_t va, unsigned access)
{
	struct vm_region *r = vm_region_find(s, va);
	uint64_t i, pa;
	int res;

	vm.cnt.faults++;
	if (!r)
		return VM_FAULT_NOREGION;	/* a stack's guard page is in no region */
	if (!access_ok(r->perm, access))
		return VM_FAULT_PROT;
	i = (va - r->start) / VM_PAGE;
	pa = region_frame(r, i);
	if (!pa) {
		res = page_fill_map(s, r, i);
		if (res == VM_FAULT_MAPPED && r->ops->faultaround)
			fault_around(s, r, i);
		return res;
	}
	if ((access & VM_W) && r->ops->priv)
		return cow(s, r, i, pa);
	return VM_FAULT_MAPPED;	/* already there: another thread's fault won */
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
		c->pages = NULL;
		*tail = c;	/* linked first, so destroying a half-made child frees it */
		tail = &c->next;
		if (p->ops->fork(parent, p, child, c) < 0)
			return VM_FAULT_NOMEM;
	}
	return 0;
}
