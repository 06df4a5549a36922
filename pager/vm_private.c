/*
 * Private memory: anonymous (heap, mmap MAP_PRIVATE), stack and program
 * image. Each space has its own pages; fork shares them copy-on-write (and
 * the slots of swapped ones), and a frame goes when its last mapping does.
 */
#include <string.h>
#include "page.h"
#include "vm_impl.h"

static uint64_t fill_zero(const struct vm_region *r, uint64_t va, uint8_t *page)
{
	(void)r, (void)va, (void)page;
	return 0;	/* frame_alloc zeroed it */
}

/* Copy the file's bytes that fall in page va: [vaddr, vaddr + filesz)
 * comes from file + offset; the rest stays zero. */
static uint64_t fill_image(const struct vm_region *r, uint64_t va, uint8_t *page)
{
	const struct vm_image *m = &r->img;
	uint64_t lo = va > m->vaddr ? va : m->vaddr;
	uint64_t hi = va + VM_PAGE < m->vaddr + m->filesz ? va + VM_PAGE : m->vaddr + m->filesz;

	if (lo >= hi)
		return 0;
	bytes_copy(page + (lo - va), m->file + m->offset + (lo - m->vaddr), hi - lo);
	return hi - lo;
}

/* A new frame filled for page i (counted as a zero or an image fill). */
static int private_page_in(struct vm_region *r, uint64_t i, uint64_t *out)
{
	uint64_t pa = vm_frame_alloc();

	if (!pa)
		return VM_FAULT_NOMEM;
	if (r->ops->fill(r, r->start + i * VM_PAGE, frame_ptr(pa)))
		vm.cnt.faults_image++;
	else
		vm.cnt.faults_zero++;
	*out = pa;
	return 0;
}

static void private_page_gone(struct vm_region *r, uint64_t i, uint64_t pa)
{
	(void)r, (void)i;
	if (vm_mapcount(pa) == 0)
		vm_frame_release(pa);
}

/* Every present page of p becomes read-only in both spaces (W is given
 * back by the write fault that breaks or reuses it); a swapped page's slot
 * is named by both. */
static int private_fork(struct vm_space *ps, struct vm_region *p, struct vm_space *cs,
			struct vm_region *c)
{
	unsigned ro = p->perm & ~(unsigned)VM_W;
	uint64_t n = region_pages(p);

	if (rmap_reserve(pv_count(&p->pages, 0, n)) < 0)
		return VM_FAULT_NOMEM;
	for (uint64_t i = region_next(p, 0); i < n; i = region_next(p, i + 1)) {
		uint64_t pa = region_frame(p, i), va = p->start + i * VM_PAGE;
		uint32_t slot = region_slot(p, i);
		if (slot) {
			if (pv_set(&c->pages, i, region_entry(p, i)) < 0)
				return VM_FAULT_NOMEM;
			vm_slot_dup(slot);
		}
		if (!pa)
			continue;
		if ((p->perm & VM_W) && !region_page_cow(p, i)) {
			if (vm.mmu.protect(vm.mmu.ctx, ps->as, va, ro) < 0)
				return VM_FAULT_NOMEM;
			pv_set(&p->pages, i, region_entry(p, i) | PAGE_COW);	/* present */
		}
		if (vm_page_map(cs, c, i, pa, 1) < 0)
			return VM_FAULT_NOMEM;
	}
	return 0;
}

static void private_split(struct vm_region *r, struct vm_region *t, uint64_t at)
{
	(void)r, (void)t, (void)at;	/* the page array was cut by region.c */
}

static int private_resize(struct vm_region *r, uint64_t npages)
{
	(void)r, (void)npages;
	return 0;
}

static void private_release(struct vm_region *r)
{
	(void)r;	/* its frames went with its mappings */
}

const struct region_ops vm_anon_ops = {
	.name = "anon", .priv = 1, .faultaround = 1, .guard = 0,
	.fill = fill_zero, .page_in = private_page_in, .page_gone = private_page_gone,
	.fork = private_fork, .split = private_split, .resize = private_resize,
	.release = private_release,
};

const struct region_ops vm_stack_ops = {
	.name = "stack", .priv = 1, .faultaround = 1, .guard = 1,
	.fill = fill_zero, .page_in = private_page_in, .page_gone = private_page_gone,
	.fork = private_fork, .split = private_split, .resize = private_resize,
	.release = private_release,
};

const struct region_ops vm_image_ops = {
	.name = "image", .priv = 1, .faultaround = 1, .guard = 0,
	.fill = fill_image, .page_in = private_page_in, .page_gone = private_page_gone,
	.fork = private_fork, .split = private_split, .resize = private_resize,
	.release = private_release,
};
