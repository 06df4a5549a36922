/*
 * The history of pages in swap (history.c): the replacement policy's
 * shadow word for each evicted page, by slot, in a table bounded by the
 * RAM. Its size is reclaim's to choose and its bytes are reported; the
 * rest is the swap engine's own (kept at eviction, taken at a read back,
 * forgotten with the slot). Plain C.
 */
#ifndef PAGER_SWAP_HISTORY_H
#define PAGER_SWAP_HISTORY_H

#include <stddef.h>
#include <stdint.h>

/* The bytes the history of evicted pages takes (a table bounded by the
 * RAM: at most 16 per frame, whatever the swap size), and the frames it is
 * sized for; 0 while swap is off. */
size_t swap_history_bytes(uint32_t *nframes);
/* Keep entries_per_frame shadows per frame of RAM (2 unless told: a policy
 * with history of its own gets fewer); before swap_start. */
void swap_history_size(uint32_t entries_per_frame);

/* The swap engine's own. A table for the frames of RAM: 0, or -1 if
 * memory is short. */
int swap_history_init(void);
void swap_history_reset(void);
/* The policy's shadow word for the page that left memory for slot (0:
 * nothing), kept in place of any the slot had. */
void swap_history_keep(uint32_t slot, uint32_t shadow);
/* slot's contents are in a frame again: its shadow (0: none kept), taken
 * out of the table, so a later eviction to the same slot cannot meet it. */
uint32_t swap_history_take(uint32_t slot);
/* slot is free: no page is there to remember. */
void swap_history_forget(uint32_t slot);

#endif
