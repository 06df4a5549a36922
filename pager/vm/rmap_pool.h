/*
 * The reverse map's entries as rmap.c keeps them: a pool grown a segment
 * at a time, an entry named by its index. rmap.c alone changes them (its
 * own writable accessor); here they are only read: vm_rmap_single reads a
 * frame's only mapping inline, for the clearing. The VM core's alone: the
 * layers above ask vm_rmap_first_of (vm.h).
 */
#ifndef PAGER_VM_RMAP_POOL_H
#define PAGER_VM_RMAP_POOL_H

#include <stdint.h>
#include "vm/frames.h"

struct vm_space;

/* One mapping of a frame. Free entries are chained through next. */
struct rmap_entry {
	struct vm_space *space;	/* NULL while free */
	uint32_t vpn;		/* va / VM_PAGE */
	uint32_t next;		/* next entry of the same frame (or free entry), 0 ends */
};

#define RMAP_SEG_SHIFT 10	/* 1,024 entries (16 KiB) a segment */
#define RMAP_SEG_SIZE (1u << RMAP_SEG_SHIFT)

/* Entry e is rmap_segs[e / RMAP_SEG_SIZE][e % RMAP_SEG_SIZE] (rmap.c's,
 * written there only). */
extern struct rmap_entry **rmap_segs;

/* Entry e, read only: outside rmap.c nothing writes an entry. */
static inline const struct rmap_entry *rmap_ent_ro(uint32_t e)
{
	return &rmap_segs[e >> RMAP_SEG_SHIFT][e & (RMAP_SEG_SIZE - 1)];
}

/* f's mapping if it is its only one, else NULL. A mapcount of 1 with no
 * entry (a bug, which vm_check reports) is NULL too: entry 0 is never
 * written. Inline: the insertion rule's clearing asks it of every noted
 * frame (clear_accessed.c), where an out-of-line call cost ~25 instructions a
 * page more. */
static inline const struct rmap_entry *vm_rmap_single(const struct frame *f)
{
	return f->mapcount == 1 && f->rmap ? rmap_ent_ro(f->rmap) : NULL;
}

/* f's mapcount and, if it is mapped, its first mapping (*s, *va in pages:
 * *vpn). Inline, for callers that hold f already: the swap-out path asks
 * it of a victim several times (its look, its protection, its eviction),
 * and an out-of-line call with a second frame look-up cost more than this. */
static inline unsigned vm_rmap_first(const struct frame *f, struct vm_space **s, uint32_t *vpn)
{
	const struct rmap_entry *e;

	if (!f->rmap)
		return 0;
	e = rmap_ent_ro(f->rmap);
	*s = e->space;
	*vpn = e->vpn;
	return f->mapcount;
}

#endif
