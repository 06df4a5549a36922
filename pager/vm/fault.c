/*
 * The fault path, the same for every kind of memory: find the region,
 * check the access, then let the region's kind fill an absent page (and
 * map a few after it), bring a swapped one back, or take a write; a page
 * being written out gets its write access back on a write.
 */
#include "base/vmstat.h"
#include "vm/internal.h"
#include "vm/filecopy.h"
#include "vm/swapcache.h"

/* Whether a region with perm allows access (an unknown access is a read). */
static int access_ok(unsigned perm, unsigned access)
{
	unsigned need = access & (VM_R | VM_W | VM_X);

	return ((need ? need : VM_R) & ~perm) == 0;
}

/* Fill absent page i of r and map it in s (how: vm_page_map's); 0,
 * VM_FAULT_NOMEM or VM_FAULT_IO (a shared object's page read back from swap). */
static int page_fill_map(struct vm_space *s, struct vm_region *r, uint64_t i, unsigned how)
{
	uint64_t pa;
	int res = r->ops->page_in(r, i, &pa);

	if (res < 0)
		return res;
	if (vm_page_map(s, r, i, pa, how) < 0) {
		if (r->ops->page_gone)	/* frees it unless an object holds it */
			r->ops->page_gone(r, i, pa);
		return VM_FAULT_NOMEM;
	}
	return VM_FAULT_MAPPED;
}

/* Map up to vm.faultaround absent pages after page i, within r; the
 * fault itself is resolved, so it stops early rather than reclaim for
 * pages nobody asked for. Swapped pages are left for their own faults.
 * The run's reverse-map entries are reserved in one step, its frames
 * taken and mapped in one step each while frames are free above the
 * reserve; below it, page by page as a fault would (vm_frame_alloc). */
static void fault_around(struct vm_space *s, struct vm_region *r, uint64_t i)
{
	uint64_t last = i + vm.faultaround, n = region_pages(r), absent[VM_FAULTAROUND_MAX];
	uint64_t pa[VM_FAULTAROUND_MAX];
	unsigned k = 0, got, m;

	for (uint64_t j = i + 1; j <= last && j < n; j++)
		if (!region_entry(r, j))
			absent[k++] = j;
	if (k == 0 || rmap_reserve(k) < 0)
		return;
	got = r->ops->page_in_run(r, absent, pa, k);
	m = vm_pages_map_run(s, r, absent, pa, got);
	vmstat_count_n(VMSTAT_FAULTAROUND_PAGES, m);
	if (m < got) {
		for (unsigned x = m; x < got; x++)
			r->ops->page_gone(r, absent[x], pa[x]);	/* unmapped: freed */
		return;
	}
	for (; m < k; m++) {
		if (frames_free() == 0 || page_fill_map(s, r, absent[m], VM_MAP_RESERVED) < 0)
			return;
		vmstat_count(VMSTAT_FAULTAROUND_PAGES);
	}
}

/* Page i names a swap slot: its kind brings it back. Only a kind whose
 * entries may name slots (private) has the step. */
static int swapped_in(struct vm_space *s, struct vm_region *r, uint64_t i)
{
	if (!r->ops->swap_in) {
		vm_note_bug("a page of a kind that is never swapped names a slot");
		return VM_FAULT_IO;
	}
	return r->ops->swap_in(s, r, i);
}

/* A write to present page i: to a copy-on-write page, the kind's step
 * first (breaking or taking back copy-on-write); a clean copy mapped
 * writable (just read back or filled from the file for this write) is
 * about to be written, so it gives its copies up now rather than at the
 * next harvest; then a frame being written out gets W back in every
 * mapping (the write-out is stale). */
static int write_fault(struct vm_space *s, struct vm_region *r, uint64_t i)
{
	uint32_t e = region_entry(r, i);
	int res = VM_FAULT_MAPPED;

	if ((e & PAGE_COW) && r->ops->write) {
		res = r->ops->write(s, r, i);
		e = region_entry(r, i);
	}
	if (res != VM_FAULT_MAPPED || !entry_frame(e) || (e & PAGE_COW))
		return res;
	if (!swapcache_writing(entry_frame(e))) {
		vm_frame_dirtied(entry_frame(e));
		return res;
	}
	return vm_frame_write_resume(entry_frame(e)) < 0 ? VM_FAULT_NOMEM : VM_FAULT_MAPPED;
}

int vm_fault(struct vm_space *s, uint64_t va, unsigned access)
{
	struct vm_region *r = vm_region_find(s, va);
	uint64_t i;
	uint32_t e;
	int res = VM_FAULT_MAPPED;	/* present: another thread's fault won */

	vmstat_count(VMSTAT_PGFAULT);
	if (!r)
		return VM_FAULT_NOREGION;	/* a stack's guard page is in no region */
	if (!access_ok(r->perm, access))
		return VM_FAULT_PROT;
	i = (va - r->start) / VM_PAGE;
	e = region_entry(r, i);
	if (entry_slot(e)) {
		res = swapped_in(s, r, i);
	} else if (!entry_frame(e)) {
		res = page_fill_map(s, r, i, 0);
		if (res == VM_FAULT_MAPPED && r->ops->faultaround)
			fault_around(s, r, i);
	}
	if (res == VM_FAULT_MAPPED && (access & VM_W))
		res = write_fault(s, r, i);
	return res;
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
	case VM_FAULT_IO:
		return "the page could not be read back from swap";
	default:
		return "unknown fault result";
	}
}
