/*
 * Whether a frame's page can be dropped and filled from its program file
 * again (evict.c's answer): the descriptor's answer inline, the look at a
 * program page's regions out of line.
 */
#ifndef PAGER_VM_EVICT_H
#define PAGER_VM_EVICT_H

#include <stdint.h>
#include "vm/frames.h"

/* vm_frame_refillable for a mapped frame a program segment may map
 * (frame.image_map): every mapping in a program segment whose page the
 * file still holds, tied to no slot, not in the swap code's hands, in no
 * pinned space. Only from vm_frame_refillable: pa must be a frame. */
int vm_image_refillable(uint64_t pa);

/* 1 if pa is a program-image page that still holds what the program file
 * holds (every mapping in a program segment, and either every segment
 * read-only or no write seen since the file filled it: harvest.c), tied to
 * no slot and not in the swap code's hands (bar a seal for this drop):
 * dropping it costs no I/O. Reclaim asks it of every victim (twice), most of
 * them plainly anonymous: those the descriptor answers here, inline (no
 * program segment maps them); the rest are asked of vm_image_refillable. */
static inline int vm_frame_refillable(uint64_t pa)
{
	const struct frame *f = frame_desc(pa);

	if (!f || f->state != FRAME_ANON || !f->image_map || !f->mapcount || f->obj)
		return 0;
	return vm_image_refillable(pa);
}

#endif
