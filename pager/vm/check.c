/*
 * The VM core's consistency checker (MINIX's SANITYCHECK): every present
 * page has its rmap entry and every entry its page, mapcounts and counters
 * are exact, shared objects and frames point at each other, and swapped
 * entries name a slot (no two of one space the same), are never mapped
 * and are counted exactly.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/vmstat.h"
#include "vm/internal.h"
#include "vm/region_find.h"
#include "vm/swapcache.h"

static char why[256];

/* What the walk finds, to hold against the counters. */
struct seen {
	uint64_t rmap_entries, frames_mapped, frames_shared, swap_copies, swap_entries;
	uint64_t unmapped;	/* frames unmapped for their write-out */
};

/* What the first broken invariant concerns: a frame, a space and an
 * address in it, and one more number, by name; 0 or NULL where it is not
 * about that. */
struct found {
	uint64_t frame;
	const struct vm_space *space;
	uint64_t va;
	const char *name;
	uint64_t value;
};

/* Append to why, as printf would, if there is room. */
static void say(size_t *n, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (*n >= sizeof(why))
		return;
	va_start(ap, fmt);
	k = vsnprintf(why + *n, sizeof(why) - *n, fmt, ap);
	va_end(ap);
	*n += k > 0 ? (size_t)k : 0;
}

/* Record what is broken and what it concerns: "what: frame 0x.., pid N,
 * address 0x.., name N". Returns -1. */
static int fail(const char *what, struct found f)
{
	size_t n = 0;

	say(&n, "%s", what);
	if (f.frame)
		say(&n, ": frame 0x%lx", (unsigned long)f.frame);
	if (f.space)
		say(&n, "%s pid %lu, address 0x%lx", f.frame ? "," : ":",
		    (unsigned long)f.space->pid, (unsigned long)f.va);
	if (f.name)
		say(&n, "%s %lu", f.name, (unsigned long)f.value);
	return -1;
}

static int space_live(const struct vm_space *s)
{
	for (const struct vm_space *t = vm.spaces; t; t = t->next)
		if (t == s)
			return 1;
	return 0;
}

/* Page i of r in s, entry e: a process frame with the right back-links. */
static int check_page(const struct vm_space *s, const struct vm_region *r, uint64_t i,
		      uint32_t e)
{
	uint64_t pa = entry_frame(e), va = r->start + i * VM_PAGE;
	const struct frame *f = frame_desc(pa);
	const struct found at = { .frame = pa, .space = s, .va = va };

	if (!f || f->state != FRAME_ANON)
		return fail("mapped page is not an anonymous frame", at);
	if (!rmap_has(pa, s, va))
		return fail("mapped page has no rmap entry", at);
	if (r->ops->priv && f->obj)
		return fail("private page belongs to a shared object", at);
	if (!r->ops->priv && (f->obj != r->obj->id || r->pgoff + i >= r->obj->npages ||
			      pv_get(&r->obj->pages, r->pgoff + i) != pa_pfn(pa)))
		return fail("shared page is not its object's", at);
	if (r->ops->priv && (r->perm & VM_W) && f->mapcount > 1 && !(e & PAGE_COW))
		return fail("private page mapped more than once is writable", at);
	if ((e & PAGE_COW) && (!r->ops->priv || !(r->perm & VM_W)))
		return fail("copy-on-write mark on a page that cannot have one", at);
	/* Where image_unchanged (evict.c) would let the file fill the page. */
	if (image_refills(r, f->file_copy) && !f->image_map)
		return fail("a program segment maps a frame not marked so (image_map)", at);
	return 0;
}

/* Page i of r names a swap slot: a valid one, in a private region (a shared
 * region's pages are swapped in its object), with no other mark. Its having
 * no rmap entry is check_entry's: an entry at its address finds no frame. */
static int check_swapped(const struct vm_space *s, const struct vm_region *r, uint64_t i,
			 uint32_t e)
{
	uint64_t va = r->start + i * VM_PAGE;

	if (!entry_slot(e) || (e & PAGE_COW))
		return fail("swapped page has no slot, or a copy-on-write mark",
			    (struct found){ .space = s, .va = va, .name = ", entry", .value = e });
	if (!r->ops->priv)
		return fail("shared region's page names a slot, not its object",
			    (struct found){ .space = s, .va = va, .name = ", slot", .value = entry_slot(e) });
	return 0;
}

/* For each slot of the swap cache's table, the stamp of the space walked
 * last that named it: no two entries of one space name the same slot
 * (vm.h: read_many). Stamps run 1..255 and the table is cleared when
 * they start again, so a stamp met is this space's. NULL: no swap (no
 * entry may name a slot then). */
static uint8_t *slot_stamp;
static uint32_t stamp_last;	/* the table's last slot */
static uint8_t stamp;		/* the space being walked */

/* A stamp for the next space, the table made ready for it (sized as the
 * swap cache's). 0, or VM_CHECK_CANNOT: no memory for the table. */
static int stamp_next_space(void)
{
	uint32_t last = swapcache_last_slot();

	if (last != stamp_last) {
		free(slot_stamp);
		slot_stamp = last ? calloc((size_t)last + 1, 1) : NULL;
		stamp_last = slot_stamp ? last : 0;
		stamp = 0;
		if (last && !slot_stamp) {
			fail("no memory for the walk's table of slots (no two pages of a space "
			     "may name one)", (struct found){ .name = ", slots", .value = last });
			return VM_CHECK_CANNOT;
		}
	}
	if (slot_stamp && ++stamp == 0) {
		memset(slot_stamp, 0, (size_t)stamp_last + 1);
		stamp = 1;
	}
	return 0;
}

/* Page i of r names slot, one of the swap cache's table (a slot past it
 * names no swap the pager has) that no page of its space met before
 * names. */
static int check_slot_once(const struct vm_space *s, const struct vm_region *r, uint64_t i,
			   uint32_t slot)
{
	const struct found at = { .space = s, .va = r->start + i * VM_PAGE, .name = ", slot",
				  .value = slot };

	if (slot > stamp_last)
		return fail("page names a slot past the swap cache's table", at);
	if (slot_stamp[slot] == stamp)
		return fail("two pages of one space name the same slot", at);
	slot_stamp[slot] = stamp;
	return 0;
}

struct page_walk {
	const struct vm_space *s;
	const struct vm_region *r;
	uint64_t *present, *swapped;
};

/* One entry of a region, present or swapped (pv_each); -1 if broken. */
static int check_page_entry(void *ctx, uint64_t i, uint32_t e)
{
	struct page_walk *w = ctx;

	if (e & PAGE_SWAP) {
		(*w->swapped)++;
		if (check_swapped(w->s, w->r, i, e) < 0)
			return -1;
		return check_slot_once(w->s, w->r, i, entry_slot(e));
	}
	(*w->present)++;
	return check_page(w->s, w->r, i, e);
}

/* Whether r's guard page may lie in prev: prev is a piece of the same
 * guarded region (a stack) ending where r starts, left by a munmap whose
 * second cut was refused (vm_unmap_range: the first cut stays, the same
 * pages in two regions). Nothing else puts a guarded region's start
 * against another's end: vm_region_add keeps the guard free. */
static int same_cut(const struct vm_region *prev, const struct vm_region *r)
{
	return prev && prev->kind == r->kind && prev->end == r->start;
}

/* Regions sorted, aligned, apart; each page checked. Adds present and
 * swapped pages, and unlocked regions. */
static int check_space(const struct vm_space *s, uint64_t *present, uint64_t *swapped,
		       uint64_t *discardable)
{
	uint64_t prev_end = 0;
	const struct vm_region *prev = NULL;
	struct page_walk w = { s, NULL, present, swapped };

	if (stamp_next_space() < 0)
		return VM_CHECK_CANNOT;
	for (const struct vm_region *r = s->regions; r; r = r->next) {
		if (r->ops != vm_ops_of(r->kind) || r->start >= r->end ||
		    ((r->start | r->end) & (VM_PAGE - 1)) || r->start < prev_end ||
		    (r->start - r->ops->guard * VM_PAGE < prev_end && !same_cut(prev, r)))
			return fail("region misplaced or malformed", (struct found){ .space = s, .va = r->start });
		if (!r->ops->priv && (!r->obj || vm_object_by_id(r->obj->id) != r->obj ||
				      r->pgoff + region_pages(r) > r->obj->npages))
			return fail("shared region without its object", (struct found){ .space = s, .va = r->start });
		w.r = r;
		if (pv_each(&r->pages, 0, region_pages(r), check_page_entry, &w))
			return -1;
		prev_end = r->end;
		prev = r;
		*discardable += r->discardable != 0;
	}
	return 0;
}

/* pv_fn: one more present page of a space, shared or not. */
static int count_present(void *ctx, uint64_t i, uint32_t e)
{
	uint64_t *n = ctx;	/* present, shared */
	uint64_t pa = entry_frame(e);

	(void)i;
	n[0] += pa != 0;
	n[1] += pa && vm_mapcount(pa) > 1;
	return 0;
}

/* Every space's counts kept as they change (internal.h) against a walk:
 * regions, present pages (its rmap entries), shared ones. After the
 * checks that name a broken page or entry, which say more. */
static int check_space_counts(void)
{
	for (const struct vm_space *s = vm.spaces; s; s = s->next) {
		uint64_t regions = 0, n[2] = { 0, 0 };
		for (const struct vm_region *r = s->regions; r; r = r->next, regions++)
			pv_each(&r->pages, 0, region_pages(r), count_present, n);
		const struct { const char *what; uint64_t seen, kept; } c[] = {
			{ "space's region count is wrong", regions, s->nregions },
			{ "space's rmap entry count is wrong", n[0], s->rmaps },
			{ "space's shared page count is wrong", n[1], s->shared_maps },
		};
		for (size_t k = 0; k < sizeof(c) / sizeof(c[0]); k++)
			if (c[k].seen != c[k].kept)
				return fail(c[k].what, (struct found){ .space = s, .name = ", kept",
									.value = c[k].kept });
	}
	return 0;
}

/* Bytes of page arrays and holders charged to budget b: the regions of
 * the spaces that hold it, and the objects that do. */
static void budget_walk(const struct pv_budget *b, uint64_t *bytes, uint64_t *holders)
{
	*bytes = *holders = 0;
	for (const struct vm_space *s = vm.spaces; s; s = s->next) {
		if (s->budget != b)
			continue;
		++*holders;
		for (const struct vm_region *r = s->regions; r; r = r->next)
			*bytes += r->pages.budget == b ? pv_bytes(&r->pages) : 0;
	}
	for (uint32_t id = 1; id < vm_object_count(); id++) {
		const struct vm_object *o = vm_object_by_id(id);
		if (o && o->pages.budget == b) {
			++*holders;
			*bytes += pv_bytes(&o->pages);
		}
	}
}

/* Each budget a space holds is charged with its arrays, exactly, and
 * counts its holders (each budget once: at its first space). A region's
 * array charged to another budget than its space's is a bug too. */
static int check_budgets(void)
{
	for (const struct vm_space *s = vm.spaces; s; s = s->next) {
		const struct vm_space *t = vm.spaces;
		uint64_t bytes, holders;

		for (const struct vm_region *r = s->regions; r; r = r->next)
			if (r->pages.budget != s->budget)
				return fail("region's page array is charged to another budget",
					    (struct found){ .space = s, .va = r->start });
		for (; t != s && t->budget != s->budget; t = t->next)
			;
		if (!s->budget || t != s)
			continue;
		budget_walk(s->budget, &bytes, &holders);
		if (bytes != s->budget->bytes || holders != s->budget->holders)
			return fail("page-array budget's charge or holders are wrong",
				    (struct found){ .space = s, .name = ", charged",
						    .value = s->budget->bytes });
	}
	return 0;
}

struct frame_walk {
	uint64_t pa;
	const struct vm_space *bad;	/* an entry's space that does not map pa */
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
		w->bad = s;
		w->bad_va = va;
	}
}

/* A frame that holds no process page (free, the pager's, not RAM the
 * pager has): nothing may map or hold it, and it has no swap state. The
 * common case, so it is quick. */
static int check_other_frame(uint64_t pa, const struct frame *f)
{
	if (f->rmap || f->mapcount || f->obj || f->file_copy || swapcache_frame_flags(f) ||
	    f->unmapped || f->fault_kept || f->copy_keeps)
		return fail("frame that is not anonymous is mapped or has swap state",
			    (struct found){ .frame = pa, .name = ", mappings", .value = f->mapcount });
	return 0;
}

/* vm_rmap_fn: *ctx becomes 1 if a pinned space maps the frame. */
static void note_pinned(void *ctx, struct vm_space *s, uint64_t va)
{
	(void)va;
	*(int *)ctx |= s->pinned;
}

/* One frame: rmap list and mapcount agree, object link holds, no leak.
 * Each entry's page is not looked up here: every present page found its
 * entry (check_page), so entries that outnumber present pages are the
 * only way one can be wrong, and find_bad_entry then names it. */
static int check_frame(uint64_t pa, const struct frame *f, struct seen *seen)
{
	size_t n;
	const struct vm_object *o;
	const char *broken;

	int pinned = 0;

	if (f->state != FRAME_ANON)
		return check_other_frame(pa, f);
	n = vm_rmap_walk(pa, note_pinned, &pinned);
	o = f->obj ? vm_object_by_id(f->obj) : NULL;
	if (n != f->mapcount || (n == 0) != (f->rmap == 0))
		return fail("mapcount differs from the rmap list",
			    (struct found){ .frame = pa, .name = ", entries", .value = n });
	if (pinned && !f->pinned_map)
		return fail("a pinned space maps a frame not marked so (pinned_map)",
			    (struct found){ .frame = pa });
	if (f->obj && (!o || f->obj_page >= o->npages ||
		       pv_get(&o->pages, f->obj_page) != pa_pfn(pa)))
		return fail("frame's shared object does not hold it",
			    (struct found){ .frame = pa, .name = ", object", .value = f->obj });
	if ((broken = swapcache_check_frame(pa, f, n)) != NULL)
		return fail(broken, (struct found){ .frame = pa });
	/* Unmapped or kept only while written out (write_unmap.c). */
	if ((f->unmapped || f->fault_kept) && !swapcache_writing(pa))
		return fail("frame unmapped or kept for a write-out it is not in",
			    (struct found){ .frame = pa });
	/* Its last mapping gone, it is unmapped no more (frame_mapping_going, frames.c). */
	if (f->unmapped && !n)
		return fail("frame unmapped with no mapping to bring back",
			    (struct found){ .frame = pa });
	seen->rmap_entries += n;
	seen->frames_mapped += n > 0;
	seen->swap_copies += swapcache_held(pa) != 0;
	seen->unmapped += f->unmapped;
	seen->frames_shared += n > 1;
	return 0;
}

/* Every frame of RAM, in one pass over the descriptors. */
static int check_frames(struct seen *seen)
{
	uint64_t n, base = frames_ram_base();
	const struct frame *t = frames_table(&n);

	for (uint64_t i = 0; i < n; i++)
		if (check_frame(base + i * VM_PAGE, &t[i], seen) < 0)
			return -1;
	return 0;
}

/* The first rmap entry whose space does not map its frame at its address
 * (the walk is slow: only once entries are known to outnumber pages). */
static int find_bad_entry(void)
{
	uint64_t n, base = frames_ram_base();
	const struct frame *t = frames_table(&n);

	for (uint64_t i = 0; i < n; i++) {
		struct frame_walk w = { base + i * VM_PAGE, NULL, 0 };
		if (t[i].state != FRAME_ANON)
			continue;
		vm_rmap_walk(w.pa, check_entry, &w);
		if (w.bad)
			return fail("rmap entry without its page",
				    (struct found){ .frame = w.pa, .space = w.bad, .va = w.bad_va });
	}
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

/* o's list of its regions (shared.c): each a live region on o (found in
 * its space at its start), linked back, sorted by pgoff, refs of them.
 * With refs the number of regions on o (object_regions), every region on
 * o is on the list. Read before anything walks the list. */
static int check_object_list(const struct vm_object *o)
{
	const struct vm_region *prev = NULL;
	uint64_t n = 0;

	for (const struct vm_region *r = o->regions; r; prev = r, r = r->obj_next) {
		const struct found at = { .space = r->space, .va = r->start,
					  .name = ", regions on its list before", .value = n };
		if (++n > o->refs)
			return fail("shared object's list holds more regions than its references", at);
		if (!space_live(r->space) || vm_region_find(r->space, r->start) != r)
			return fail("shared object's list holds a region no space has", at);
		if (r->obj != o || r->obj_prev != prev || (prev && prev->pgoff > r->pgoff))
			return fail("shared object's list is not linked back in order", at);
	}
	if (n != o->refs)
		return fail("shared object's list misses regions on it", (struct found){
			.name = ", regions on its list", .value = n });
	return 0;
}

/* The first page of o that no region reaches (o holds none: shared.c
 * drops each with the last region reaching it), or o->npages; a run of
 * reached pages at a time. */
static uint64_t object_unreached(const struct vm_object *o)
{
	uint64_t j = pv_next(&o->pages, 0, o->npages), next;
	struct object_reach w;

	vm_object_reach_begin(&w, o, NULL);
	while (j < o->npages && vm_object_reached(&w, j, &next))
		j = pv_next(&o->pages, next, o->npages);
	return j;
}

/* The last release's walk of o's list, if kept (o->cursor), is what a
 * walk from the head asked the same pages would be: its place on the
 * list, only regions starting below the pages asked before it, and end
 * their furthest reach (a region that left unseen would leave end too
 * far, and the next release would keep a page nothing reaches). */
static int check_object_cursor(const struct vm_object *o)
{
	const struct object_reach *c = &o->cursor;
	const struct vm_region *r = o->regions;
	uint64_t end = 0;

	if (!c->o)
		return 0;
	for (; r && r != c->at && r->pgoff < c->asked; r = r->obj_next)
		end = region_reach_end(r) > end ? region_reach_end(r) : end;
	if (c->o != o || r != c->at || end != c->end || (r && r->pgoff < c->asked))
		return fail("shared object's kept release walk is not its list's",
			    (struct found){ .name = ", its end", .value = c->end });
	return 0;
}

/* Every object's pages link back or name a slot, some region reaches each,
 * its references are its regions, and its list holds them. Adds swapped
 * pages. */
static int check_objects(uint64_t *swapped)
{
	for (uint32_t id = 1; id < vm_object_count(); id++) {
		const struct vm_object *o = vm_object_by_id(id);
		uint64_t j;
		if (!o)
			continue;
		if (o->id != id || object_regions(o) != o->refs)
			return fail("shared object's references are not its regions",
				    (struct found){ .name = ", references", .value = o->refs });
		if (check_object_list(o) < 0 || check_object_cursor(o) < 0)
			return -1;
		if ((j = object_unreached(o)) < o->npages)
			return fail("shared object holds a page no region reaches",
				    (struct found){ .frame = entry_frame(pv_get(&o->pages, j)),
						    .name = ", object page", .value = j });
		for (j = pv_next(&o->pages, 0, o->npages); j < o->npages;
		     j = pv_next(&o->pages, j + 1, o->npages)) {
			uint32_t e = pv_get(&o->pages, j);
			uint64_t pa = entry_frame(e);
			const struct frame *f = pa ? frame_desc(pa) : NULL;
			if (e & PAGE_COW)
				return fail("object page has a copy-on-write mark",
					    (struct found){ .name = ", object page", .value = j });
			if ((e & PAGE_SWAP) && !entry_slot(e))
				return fail("object page is swapped to no slot",
					    (struct found){ .name = ", object page", .value = j });
			*swapped += (e & PAGE_SWAP) != 0;
			if (pa && (!f || f->obj != id || f->obj_page != j))
				return fail("object page's frame does not point back",
					    (struct found){ .frame = pa, .name = ", object page", .value = j });
		}
	}
	return 0;
}

/* What the walk counted against the counters and the rmap pool. */
static int check_counters(const struct seen *seen, uint64_t present)
{
	const struct { const char *what; uint64_t seen; enum vmstat_item item; } c[] = {
		{ "rmap_entries counter is wrong", seen->rmap_entries, VMSTAT_RMAP_ENTRIES },
		{ "frames_mapped counter is wrong", seen->frames_mapped, VMSTAT_FRAMES_MAPPED },
		{ "frames_shared counter is wrong", seen->frames_shared, VMSTAT_FRAMES_SHARED },
		{ "swap_copies counter is wrong", seen->swap_copies, VMSTAT_SWAP_COPIES },
		{ "swap_entries counter is wrong", seen->swap_entries, VMSTAT_SWAP_ENTRIES },
	};
	char counted[64];

	if (seen->rmap_entries != present)
		return fail("rmap entries and present pages differ",
			    (struct found){ .name = ", present pages", .value = present });
	if (seen->rmap_entries != rmap_pool_used())
		return fail("rmap pool use differs from the entries",
			    (struct found){ .name = ", pool entries in use", .value = rmap_pool_used() });
	if (seen->unmapped != frames_at.unmapped)
		return fail("unmapped frames differ from their count (frames_at.unmapped)",
			    (struct found){ .name = ", counted", .value = frames_at.unmapped });
	for (size_t k = 0; k < sizeof(c) / sizeof(c[0]); k++)
		if (c[k].seen != vmstat_get(c[k].item)) {
			snprintf(counted, sizeof(counted), ", found %lu, counted",
				 (unsigned long)c[k].seen);
			return fail(c[k].what,
				    (struct found){ .name = counted, .value = vmstat_get(c[k].item) });
		}
	return 0;
}

int vm_check(void)
{
	struct seen seen;
	uint64_t present = 0, discardable = 0;

	memset(&seen, 0, sizeof(seen));
	why[0] = 0;
	if (vm.bug)
		return fail(vm.bug, (struct found){ .frame = 0 });
	if (frames_check() < 0)
		return fail(frames_error(), (struct found){ .frame = 0 });
	for (const struct vm_space *s = vm.spaces; s; s = s->next) {
		int res = check_space(s, &present, &seen.swap_entries, &discardable);

		if (res < 0)
			return res;
	}
	if (discardable != vm.discardable)
		return fail("unlocked region count is wrong (vm.discardable)",
			    (struct found){ .name = ", found", .value = discardable });
	if (check_frames(&seen) < 0)
		return -1;
	if (seen.rmap_entries != present && find_bad_entry() < 0)
		return -1;
	if (check_objects(&seen.swap_entries) < 0 || check_space_counts() < 0 || check_budgets() < 0)
		return -1;
	return check_counters(&seen, present);
}

const char *vm_check_error(void)
{
	return why[0] ? why : NULL;
}
