/*
 * The swap slot allocator: which pages of the swap disk are free, in use
 * (by how many page arrays) or bad. Allocation hands out the slots of one
 * cluster in order, so a stream of evictions lands on consecutive sectors.
 */
#ifndef PAGER_SWAP_SLOTS_H
#define PAGER_SWAP_SLOTS_H

#include <stdint.h>

/* Slots per cluster: one cluster of consecutive slots serves the current
 * stream of writes (1 MiB, as Linux's: 4 full 256 KiB requests). Clusters
 * are aligned: cluster c is slots c * SWAP_CLUSTER .. c * SWAP_CLUSTER +
 * SWAP_CLUSTER - 1. */
#define SWAP_CLUSTER 256u
/* References one slot can have (page arrays sharing it after forks). */
#define SWAP_SLOT_MAX_REFS 0xFFFEu

struct swap_slots;

/* An allocator over slots [first, last] (first >= 1: slot 0 is the header
 * and never valid) less the nbad slots in bad[] (any order, duplicates and
 * out-of-range entries ignored). NULL if the range is empty or malloc fails. */
struct swap_slots *swap_slots_create(uint32_t first, uint32_t last, const uint32_t *bad,
				     uint32_t nbad);
void swap_slots_destroy(struct swap_slots *s);
/* The bytes swap_slots_create(.., last, ..) takes (the swap area's budget
 * counts them before any table is made: swap/budget.h). */
uint64_t swap_slots_bytes(uint32_t last);

/* A free slot with one reference, the next one of the current cluster if it
 * can; 0 when every usable slot is in use. */
uint32_t swap_slot_alloc(struct swap_slots *s);
/* Up to want free slots that follow one another, each with one reference:
 * the first in *first, how many returned (0 when every usable slot is in
 * use, or want is 0). The run goes on where the last one ended when it
 * can; one cut short by a used slot is left for a whole free cluster if
 * there is one, so a batch written at once is one device request. A
 * shorter run returned means: call again for the rest. */
uint32_t swap_slot_alloc_run(struct swap_slots *s, uint32_t want, uint32_t *first);
/* One more reference (a fork copied a page array holding it). 0, or -1 if
 * the slot is not in use or already has SWAP_SLOT_MAX_REFS. */
int swap_slot_dup(struct swap_slots *s, uint32_t slot);
/* Drop a reference: the references left (0: the slot is free again), or -1
 * if the slot was not in use. A bad slot stays bad: 0. */
int swap_slot_put(struct swap_slots *s, uint32_t slot);
/* Writing the slot failed: never hand it out again. Its references, if any,
 * are dropped (the caller still has the page in its frame). 0, or -1 if the
 * slot is out of range. */
int swap_slot_mark_bad(struct swap_slots *s, uint32_t slot);

/* References of a slot: 0 free, > 0 in use, -1 bad or out of range. */
int swap_slot_refs(const struct swap_slots *s, uint32_t slot);
uint32_t swap_slots_total(const struct swap_slots *s);	/* usable: not bad */
uint32_t swap_slots_free(const struct swap_slots *s);
uint32_t swap_slots_bad(const struct swap_slots *s);	/* in [first, last] */

/* 0 if the per-slot map and the counters agree, else -1 (tests). */
int swap_slots_check(const struct swap_slots *s);

#endif
