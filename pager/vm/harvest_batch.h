/*
 * A batch of harvest entries (kernel/abi/vm.h) for one vm_harvest call:
 * every mapping of a frame, found through the reverse map, asks the same
 * change, and when the batch is full or done each entry's answer goes
 * back to the caller with the frame it maps. Sealing clean copies and
 * unmapping a write-out batch work this way; the insertion
 * rule's clearing (clear_accessed.c) fills the batch its own way, in runs.
 *
 * Inline, so that each caller's done becomes a direct call: measured out
 * of line, the write-out's protection (since replaced by its unmapping)
 * cost ~140 instructions a page more (scripts/bench's swap-out stream: 144
 * pages per million instructions of work, 146 inline, 147 with the two
 * loops it replaces).
 */
#ifndef PAGER_VM_HARVEST_BATCH_H
#define PAGER_VM_HARVEST_BATCH_H

#include <stddef.h>
#include <stdint.h>
#include "base/placed.h"
#include "kernel/abi/vm.h"
#include "vm/internal.h"
#include "vm/rmap_pool.h"

/* Mappings in one harvest call. Not HARVEST_MAX (1,024, the most one call
 * takes) but HARVEST_IN_PLACE, the most the kernel answers in place, read
 * and written where they lie with no copy in or out, if they lie within
 * one page. More would take the copying path on every full call; fewer,
 * more calls. So every batch lies within one page: declared with
 * VM_HARVEST_BATCH_SPACE, reached through vm_harvest_batch_start. */
#define VM_HARVEST_BATCH HARVEST_IN_PLACE

struct vm_harvest_batch {
	unsigned want;		/* every entry's request (HARVEST_*) */
	size_t n;
	struct harvest_entry e[VM_HARVEST_BATCH];
	uint64_t pa[VM_HARVEST_BATCH];	/* the frame each entry maps */
};

/* A batch's storage (base/placed.h): its start a power of two at least
 * its size, which divides the page, so wherever the linker puts it. */
#define VM_HARVEST_ALIGN PLACED_ALIGN(sizeof(struct vm_harvest_batch))
#define VM_HARVEST_BATCH_SPACE(name) \
	PLACED_SPACE(name, struct vm_harvest_batch, VM_HARVEST_ALIGN, 1)

/* The batch in space (VM_HARVEST_BATCH_SPACE), empty, each entry to ask
 * want. Placed each time rather than once: two instructions, and no
 * pointer to set up before the first use. */
static inline struct vm_harvest_batch *vm_harvest_batch_start(char *space, unsigned want)
{
	struct vm_harvest_batch *b = placed(space, VM_HARVEST_ALIGN);

	b->want = want;
	b->n = 0;
	return b;
}

/* What the caller does with each entry once harvested: its frame and
 * answer (enum harvest_bits), or failed 1 if the call failed (bits 0). */
typedef void (*vm_harvest_done)(uint64_t pa, unsigned bits, int failed);

/* Harvest what b holds in one call and hand each answer to done. A dirty
 * bit the call clears is news for the frame (vm_harvest gives its clean
 * copy up); one only read is left set for the look that clears it. */
static inline void vm_harvest_batch_flush(struct vm_harvest_batch *b, vm_harvest_done done)
{
	const uint64_t *dirty_news = (b->want & HARVEST_DIRTY) ? b->pa : NULL;
	int failed = vm_harvest(b->e, dirty_news, b->n) < 0;

	for (size_t k = 0; k < b->n; k++)
		done(b->pa[k], failed ? 0 : b->e[k].bits, failed);
	b->n = 0;
}

struct vm_harvest_adding {
	struct vm_harvest_batch *b;
	uint64_t pa;
	int bug;
};

/* vm_rmap_walk's step for vm_harvest_batch_add. */
static inline void vm_harvest_add_mapping(void *ctx, struct vm_space *s, uint64_t va)
{
	struct vm_harvest_adding *a = ctx;
	struct vm_harvest_batch *b = a->b;

	if (b->n == VM_HARVEST_BATCH) {
		if (!a->bug)
			vm_note_bug("a frame has more mappings than its mapcount");
		a->bug = 1;
	}
	if (a->bug)
		return;
	b->pa[b->n] = a->pa;
	b->e[b->n++] = (struct harvest_entry){ (uint32_t)s->as, b->want, va };
}

/* Add an entry for each mapping of pa, harvesting what b holds first
 * (answers to done) if they would not fit. 0, or -1 with nothing of pa
 * added: it has more mappings than a batch holds, or more than its
 * mapcount (a bug, noted: check.c stops on it). */
static inline int vm_harvest_batch_add(struct vm_harvest_batch *b, uint64_t pa,
				       vm_harvest_done done)
{
	struct vm_harvest_adding a = { b, pa, 0 };
	const struct frame *f = frame_desc(pa);
	struct vm_space *s;
	uint32_t vpn;
	unsigned maps = f ? vm_rmap_first(f, &s, &vpn) : 0;
	size_t before;

	if (maps > VM_HARVEST_BATCH)
		return -1;
	if (b->n + maps > VM_HARVEST_BATCH)
		vm_harvest_batch_flush(b, done);
	before = b->n;
	/* Most frames are mapped once: no walk (an indirect call) for those. */
	if (maps == 1)
		vm_harvest_add_mapping(&a, s, pfn_pa(vpn));
	else
		vm_rmap_walk(pa, vm_harvest_add_mapping, &a);
	if (!a.bug)
		return 0;
	b->n = before;
	return -1;
}

#endif
