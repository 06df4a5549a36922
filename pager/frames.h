/*
 * The pager's frame table: one small descriptor per physical frame of RAM,
 * a free list, and per-process lists of the frames each process holds.
 * Plain C with no kernel headers. Frames are named by physical address.
 */
#ifndef PAGER_FRAMES_H
#define PAGER_FRAMES_H

#include <stdint.h>

#define FRAME_NONE UINT32_MAX

enum frame_state {
	FRAME_RESERVED = 0,	/* not the pager's: kernel, firmware, device tree */
	FRAME_FREE = 1,
	FRAME_PINNED = 2,	/* the pager's own: image, stack, this table, initrd */
	FRAME_ANON = 3		/* mapped into one process */
};

struct frame {
	uint32_t next;		/* free list, or the owner's list */
	uint32_t owner;		/* process slot for FRAME_ANON */
	uint8_t state;		/* enum frame_state */
	uint8_t pad[7];
};

struct frame_range {
	uint64_t base, end;
};

/*
 * Set up the table for RAM [ram_base, ram_end): the frames in free[] become
 * free, except those the table itself takes; `window` is where the pager
 * sees physical address 0 (its physmap). Returns 0, or -1 if the free frames
 * cannot hold the table.
 */
int frames_init(uint64_t ram_base, uint64_t ram_end, const struct frame_range *free,
		int nfree, uint8_t *window);

/* A zeroed frame owned by `owner` and pushed on *list; 0 if none is free. */
uint64_t frame_alloc(uint32_t owner, uint32_t *list);
/* Free one frame, taking it off *list. */
void frame_free(uint64_t pa, uint32_t *list);
/* Free every frame on *list; returns how many. */
uint64_t frames_free_list(uint32_t *list);

/* The frame's contents, through the physmap. */
void *frame_ptr(uint64_t pa);

uint64_t frames_total(void);	/* frames the pager manages */
uint64_t frames_free(void);
/* Bytes of descriptor per frame (printed at boot). */
unsigned frames_descriptor_size(void);

#endif
