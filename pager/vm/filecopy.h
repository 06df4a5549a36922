/*
 * vm_frame_dirtied (filecopy.c's): a write was seen on a frame, so the clean
 * copies it held (its program file's, its slot's) are stale. Apart from
 * internal.h because its inline check reads the swap cache's flags, and
 * swapcache.c includes internal.h.
 */
#ifndef PAGER_VM_FILECOPY_H
#define PAGER_VM_FILECOPY_H

#include <stdint.h>
#include "vm/frames.h"
#include "vm/swapcache.h"

void vm_frame_forget_copies(uint64_t pa);

/* Whether a dirty bit seen on f is news: it holds a clean copy, or has
 * swap state that may. */
static inline int vm_frame_may_hold_copy(const struct frame *f)
{
	return f->file_copy || swapcache_frame_flags(f);
}

/* Inline: every harvested dirty bit and write fault asks, and most frames
 * (a first touch's) hold no copy, with no swap state: no call for those. */
static inline void vm_frame_dirtied(uint64_t pa)
{
	const struct frame *f = frame_desc(pa);

	if (f && vm_frame_may_hold_copy(f))
		vm_frame_forget_copies(pa);
}

#endif
