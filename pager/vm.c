/*
 * The VM core's global state, address spaces, and the page-level steps
 * (map a page with its back-link, drop it) that faults, forks and unmaps
 * are made of. Only these steps pair an mmu change with an rmap change.
 */
#include <stdlib.h>
#include <string.h>
#include "vm_impl.h"

struct vm_state vm;

void vm_init(const struct mmu_ops *mmu, unsigned faultaround)
{
	/* Starting over forgets any space left from before (host tests). */
	rmap_reset();
	vm_objects_reset();
	memset(&vm, 0, sizeof(vm));
	vm.mmu = *mmu;
	vm.faultaround = faultaround > 16 ? 16 : faultaround;
}

void vm_note_bug(const char *why)
{
	if (!vm.bug)
		vm.bug = why;
}

const struct vm_counters *vm_counters(void)
{
	return &vm.cnt;
}

const char *vm_fault_reason(int result)
{
	switch (result) {
	case VM_FAULT_MAPPED:
		return "mapped";
	case VM_FAULT_NOREGION:
		return "no mapping at this address";
	case VM_FAULT_PROT:
		return "write to a read-only page, or an access its region forbids";
	case VM_FAULT_NOMEM:
		return "out of memory";
	default:
		return "unknown fault result";
	}
}

const struct region_ops *vm_ops_of(enum vm_region_kind kind)
{
	switch (kind) {
	case VM_ANON:
		return &vm_anon_ops;
	case VM_IMAGE:
		return &vm_image_ops;
	case VM_SHARED:
		return &vm_shared_ops;
	case VM_STACK:
		return &vm_stack_ops;
	}
	return NULL;
}

/* Give r its page array; -1 if memory is short. */
int vm_region_ensure_pages(struct vm_region *r)
{
	if (!r->pages)
		r->pages = calloc(region_pages(r), sizeof(*r->pages));
	return r->pages ? 0 : -1;
}

/* A private page shared after fork is mapped without W until broken. */
unsigned vm_page_perm(const struct vm_region *r, uint64_t pa)
{
	if (r->ops->priv && vm_mapcount(pa) > 1)
		return r->perm & ~(unsigned)VM_W;
	return r->perm;
}

/* Map pa at page i of r in s and record it (page array, rmap); 0 or
 * VM_FAULT_NOMEM, with nothing changed on failure. */
int vm_page_map(struct vm_space *s, struct vm_region *r, uint64_t i, uint64_t pa, unsigned perm)
{
	uint64_t va = r->start + i * VM_PAGE;

	if (vm_region_ensure_pages(r) < 0 || rmap_reserve(1) < 0 ||
	    vm.mmu.map(vm.mmu.ctx, s->as, va, pa, perm) < 0)
		return VM_FAULT_NOMEM;
	rmap_add(pa, s, va);
	r->pages[i] = pa_pfn(pa) | ((r->perm & ~perm & VM_W) ? PAGE_COW : 0);
	return 0;
}

/* Unmap page i of r in s, drop its back-link, and let the kind decide
 * whether the frame goes. */
void vm_page_drop(struct vm_space *s, struct vm_region *r, uint64_t i)
{
	uint64_t pa = region_frame(r, i), va = r->start + i * VM_PAGE;

	if (!pa)
		return;
	vm.mmu.unmap(vm.mmu.ctx, s->as, va);
	rmap_remove(pa, s, va);
	r->pages[i] = 0;
	r->ops->page_gone(r, i, pa);
}

void vm_pages_drop(struct vm_space *s, struct vm_region *r, uint64_t from, uint64_t to)
{
	for (uint64_t i = from; r->pages && i < to; i++)
		vm_page_drop(s, r, i);
}

struct vm_space *vm_space_create(int as, uint32_t pid)
{
	struct vm_space *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->as = as;
	s->pid = pid;
	s->next = vm.spaces;
	if (vm.spaces)
		vm.spaces->prev = s;
	vm.spaces = s;
	return s;
}

void vm_space_destroy(struct vm_space *s)
{
	if (!s)
		return;
	while (s->regions)
		vm_region_remove(s, s->regions);
	if (s->prev)
		s->prev->next = s->next;
	else
		vm.spaces = s->next;
	if (s->next)
		s->next->prev = s->prev;
	free(s);
}

uint64_t vm_lookup(const struct vm_space *s, uint64_t va)
{
	const struct vm_region *r = vm_region_find(s, va);

	return r ? region_frame(r, (va - r->start) / VM_PAGE) : 0;
}

void vm_space_info(const struct vm_space *s, struct vm_space_info *out)
{
	memset(out, 0, sizeof(*out));
	out->pid = s->pid;
	for (const struct vm_region *r = s->regions; r; r = r->next) {
		out->regions++;
		for (uint64_t i = 0; r->pages && i < region_pages(r); i++) {
			uint64_t pa = region_frame(r, i);
			out->resident += pa != 0;
			out->shared += pa && vm_mapcount(pa) > 1;
		}
	}
}
