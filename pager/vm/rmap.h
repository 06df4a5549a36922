/*
 * Whether a pinned space maps a frame (rmap.c's answer): the pinned_map
 * mark inline, the walk of the frame's reverse map out of line.
 */
#ifndef PAGER_VM_RMAP_H
#define PAGER_VM_RMAP_H

#include "vm/frames.h"

/* Whether a pinned space maps f, by a walk of its reverse map. */
int rmap_pinned_walk(const struct frame *f);
/* A pinned space may map f from now on: its mark set (frame.pinned_map),
 * for a space that becomes pinned with f mapped (an add in a pinned space
 * sets it itself). */
void rmap_mark_pinned(struct frame *f);

/* Whether a pinned space maps f. Reclaim asks it of each frame several
 * times a page swapped out, the frame already looked up; its common answer
 * (no pinned space may map f) is the mark alone, inline here: link-time
 * optimisation left it a call in swapcache_reclaimable (now
 * swapcache_desc_reclaimable), which the looks ask five times a page
 * swapped out. */
static inline int frame_pinned(const struct frame *f)
{
	return f->pinned_map && rmap_pinned_walk(f);
}

#endif
