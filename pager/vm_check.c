/*
 * The VM core's consistency checker (MINIX's SANITYCHECK): every present
 * page has its rmap entry and every entry its page, mapcounts and counters
 * are exact, shared objects and frames point at each other, and swapped
 * entries name a slot, are never mapped and are counted exactly.
 */
#include <string.h>
#include "vm_impl.h"

static char why[160];

/* Record "what [0x<a>, 0x<b>]", what naming a and b; returns -1. */
static int fail(const char *what, uint64_t pa, uint64_t va)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	const char *parts[] = { " [0x", ", 0x" };
	uint64_t vals[] = { pa, va };

	while (*what && n < 110)
		why[n++] = *what++;
	for (int k = 0; k < 2; k++) {
		for (const char *p = parts[k]; *p; p++)
			why[n++] = *p;
		for (int sh = 60; sh >= 0; sh -= 4)
			why[n++] = hex[(vals[k] >> sh) & 15];
	}
	why[n++] = ']';
	why[n] = 0;
	return -1;
}

static int space_live(const struct vm_space *s)
{
	for (const struct vm_space *t = vm.spaces; t; t = t->next)
		if (t == s)
			return 1;
	return 0;
}

/* Page i of r in s: a process frame with the right back-links. */
static int check_page(const struct vm_space *s, const struct vm_region *r, uint64_t i)
{
	uint64_t pa = region_frame(r, i), va = r->start + i * VM_PAGE;
	const struct frame *f = frame_desc(pa);

	if (!f || f->state != FRAME_ANON)
		return fail("mapped page is not an anonymous frame [pa, va]", pa, va);
	if (!rmap_has(pa, s, va))
		return fail("mapped page has no rmap entry [pa, va]", pa, va);
	if (r->ops->priv && f->obj)
		return fail("private page belongs to a shared object [pa, va]", pa, va);
	if (!r->ops->priv && (f->obj != r->obj->id || r->pgoff + i >= r->obj->npages ||
			      pv_get(&r->obj->pages, r->pgoff + i) != pa_pfn(pa)))
		return fail("shared page is not its object's [pa, va]", pa, va);
	if (r->ops->priv && (r->perm & VM_W) && f->mapcount > 1 && !region_page_cow(r, i))
		return fail("private page mapped more than once is writable [pa, va]", pa, va);
	if (region_page_cow(r, i) && (!r->ops->priv || !(r->perm & VM_W)))
		return fail("copy-on-write mark on a page that cannot have one [pa, va]", pa, va);
	return 0;
}

/* Page i of r names a swap slot: a valid one, in a private region (a shared
 * region's pages are swapped in its object), with no other mark. Its having
 * no rmap entry is check_entry's: an entry at its address finds no frame. */
static int check_swapped(const struct vm_region *r, uint64_t i)
{
	uint32_t e = region_entry(r, i);
	uint64_t va = r->start + i * VM_PAGE;

	if (!entry_slot(e) || (e & PAGE_COW))
		return fail("swapped page has no slot, or a copy-on-write mark [entry, va]", e, va);
	if (!r->ops->priv)
		return fail("shared region's page names a slot, not its object [slot, va]",
			    entry_slot(e), va);
	return 0;
}

/* Regions sorted, aligned, apart; each page checked. Adds present and
 * swapped pages. */
static int check_space(const struct vm_space *s, uint64_t *present, uint64_t *swapped)
{
	uint64_t prev_end = 0;

	for (const struct vm_region *r = s->regions; r; r = r->next) {
		if (r->ops != vm_ops_of(r->kind) || r->start >= r->end ||
		    ((r->start | r->end) & (VM_PAGE - 1)) ||
		    r->start - r->ops->guard * VM_PAGE < prev_end)
			return fail("region misplaced or malformed [-, start]", 0, r->start);
		if (!r->ops->priv && (!r->obj || vm_object_by_id(r->obj->id) != r->obj ||
				      r->pgoff + region_pages(r) > r->obj->npages))
			return fail("shared region without its object [-, start]", 0, r->start);
		for (uint64_t i = region_next(r, 0); i < region_pages(r); i = region_next(r, i + 1)) {
			if (region_entry(r, i) & PAGE_SWAP) {
				if (check_swapped(r, i) < 0)
					return -1;
				(*swapped)++;
				continue;
			}
			if (check_page(s, r, i) < 0)
				return -1;
			(*present)++;
		}
		prev_end = r->end;
	}
	return 0;
}

struct frame_walk {
	uint64_t pa;
	int bad;
	uint64_t bad_va;
};

/* Each rmap entry names a live space whose page at va is this frame. */
static void check_entry(void *ctx, struct vm_space *s, uint64_t va)
{
	struct frame_walk *w = ctx;
	const struct vm_region *r;

	if (w->bad)
		return;
	r = space_live(s) ? vm_region_find(s, va) : NULL;
	if (!r || region_frame(r, (va - r->start) / VM_PAGE) != w->pa) {
		w->bad = 1;
		w->bad_va = va;
	}
}

/* One frame: rmap list and mapcount agree, object link holds, no leak. */
static int check_frame(uint64_t pa, struct vm_counters *seen)
{
	const struct frame *f = frame_desc(pa);
	struct frame_walk w = { pa, 0, 0 };
	size_t n = vm_rmap_walk(pa, check_entry, &w);
	const struct vm_object *o = f->obj ? vm_object_by_id(f->obj) : NULL;

	if (w.bad)
		return fail("rmap entry without its page [pa, va]", pa, w.bad_va);
	if (n != f->mapcount || (n == 0) != (f->rmap == 0))
		return fail("mapcount differs from the rmap list [pa, entries]", pa, n);
	if (f->state != FRAME_ANON && (n || f->obj || (f->flags & ~FRAME_F_DETACHED)))
		return fail("frame that is not anonymous is mapped or written out [pa, -]", pa, 0);
	if (f->obj && (!o || f->obj_page >= o->npages ||
		       pv_get(&o->pages, f->obj_page) != pa_pfn(pa)))
		return fail("frame's shared object does not hold it [pa, object]", pa, f->obj);
	if ((f->flags & FRAME_F_SLOT_HELD) && (!n || f->obj || !vm_frame_tied(pa)))
		return fail("frame holds a slot but is unmapped or not tied to it [pa, slot]", pa,
			    f->swap);
	if ((f->flags & FRAME_F_DETACHED) && (n || f->obj))
		return fail("detached frame is still mapped or in an object [pa, -]", pa, 0);
	/* Parked: kept for the entries naming the slot the swap cache ties it to. */
	if (f->state == FRAME_ANON && !n && !f->obj && !(f->flags & FRAME_F_DETACHED) &&
	    !vm_frame_tied(pa))
		return fail("anonymous frame leaked: no mapping, no object [pa, -]", pa, 0);
	seen->rmap_entries += n;
	seen->frames_mapped += n > 0;
	seen->swap_copies += (f->flags & FRAME_F_SLOT_HELD) != 0;
	seen->frames_shared += n > 1;
	return 0;
}

/* Regions in any space that point at o. */
static uint64_t object_regions(const struct vm_object *o)
{
	uint64_t n = 0;

	for (const struct vm_space *s = vm.spaces; s; s = s->next)
		for (const struct vm_region *r = s->regions; r; r = r->next)
			n += r->obj == o;
	return n;
}

/* Every object's pages link back or name a slot, and its references are
 * its regions. Adds swapped pages. */
static int check_objects(uint64_t *swapped)
{
	for (uint32_t id = 1; id < vm_object_count(); id++) {
		const struct vm_object *o = vm_object_by_id(id);
		if (!o)
			continue;
		if (o->id != id || object_regions(o) != o->refs)
			return fail("shared object's references are not its regions [id, refs]", id,
				    o->refs);
		for (uint64_t j = pv_next(&o->pages, 0, o->npages); j < o->npages;
		     j = pv_next(&o->pages, j + 1, o->npages)) {
			uint32_t e = pv_get(&o->pages, j);
			uint64_t pa = entry_frame(e);
			const struct frame *f = pa ? frame_desc(pa) : NULL;
			if (e & PAGE_COW)
				return fail("object page has a copy-on-write mark [entry, page]", e, j);
			if ((e & PAGE_SWAP) && !entry_slot(e))
				return fail("object page is swapped to no slot [entry, page]", e, j);
			*swapped += (e & PAGE_SWAP) != 0;
			if (pa && (!f || f->obj != id || f->obj_page != j))
				return fail("object page's frame does not point back [pa, page]",
					    pa, j);
		}
	}
	return 0;
}

/* What the walk counted against the counters and the rmap pool. */
static int check_counters(const struct vm_counters *seen, uint64_t present)
{
	const struct vm_counters *c = &vm.cnt;

	if (seen->rmap_entries != present)
		return fail("rmap entries and present pages differ [entries, pages]",
			    seen->rmap_entries, present);
	if (seen->rmap_entries != c->rmap_entries || seen->rmap_entries != rmap_pool_used())
		return fail("rmap_entries counter is wrong [seen, counter]", seen->rmap_entries,
			    c->rmap_entries);
	if (seen->frames_mapped != c->frames_mapped)
		return fail("frames_mapped counter is wrong [seen, counter]", seen->frames_mapped,
			    c->frames_mapped);
	if (seen->frames_shared != c->frames_shared)
		return fail("frames_shared counter is wrong [seen, counter]", seen->frames_shared,
			    c->frames_shared);
	if (seen->swap_copies != c->swap_copies)
		return fail("swap_copies counter is wrong [seen, counter]", seen->swap_copies,
			    c->swap_copies);
	if (seen->swap_entries != c->swap_entries)
		return fail("swap_entries counter is wrong [seen, counter]", seen->swap_entries,
			    c->swap_entries);
	return 0;
}

int vm_check(void)
{
	struct vm_counters seen;
	uint64_t present = 0;

	memset(&seen, 0, sizeof(seen));
	why[0] = 0;
	if (vm.bug)
		return fail(vm.bug, 0, 0);
	if (frames_check() < 0)
		return fail(frames_error(), 0, 0);
	for (const struct vm_space *s = vm.spaces; s; s = s->next)
		if (check_space(s, &present, &seen.swap_entries) < 0)
			return -1;
	for (uint64_t pa = frames_ram_base(); pa < frames_ram_end(); pa += VM_PAGE)
		if (check_frame(pa, &seen) < 0)
			return -1;
	if (check_objects(&seen.swap_entries) < 0)
		return -1;
	return check_counters(&seen, present);
}

const char *vm_check_error(void)
{
	return why[0] ? why : NULL;
}
