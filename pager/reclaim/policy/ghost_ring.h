/*
 * A ring of non-resident pages for policies that remember evicted pages
 * themselves (CLOCK-Pro's pages on test): bounded, oldest out first, each
 * entry named by a sequence number a shadow word can carry back.
 */
#ifndef PAGER_RECLAIM_GHOST_RING_H
#define PAGER_RECLAIM_GHOST_RING_H

#include <stdint.h>

/* Entries first .. next - 1 are in the ring (sequence numbers, which wrap
 * at 2^32), entry first at index at and each after it at the next index,
 * modulo size: first % size would jump when first wraps, size being no
 * power of two. An entry whose page came back is dead (alive 0) but keeps
 * its place. */
struct ghost_ring {
	uint32_t size;
	uint32_t *stamp;	/* [size]: the policy's value kept per entry */
	uint8_t *alive;		/* [size] */
	uint32_t first, next;
	uint32_t at;		/* first's index, < size (0 if size is 0) */
};

/* 0, or -1 out of memory (the ring is then freed). */
int ghost_ring_alloc(struct ghost_ring *r, uint32_t size);
void ghost_ring_free(struct ghost_ring *r);
uint32_t ghost_ring_len(const struct ghost_ring *r);
/* The oldest entry's stamp; the ring must not be empty. */
uint32_t ghost_ring_oldest(const struct ghost_ring *r);
/* The oldest entry leaves: 1 if it was still alive. */
int ghost_ring_expire(struct ghost_ring *r);
/* A new entry (the oldest leaving first when full; *expired_alive says
 * whether that one was alive): its sequence number. */
uint32_t ghost_ring_add(struct ghost_ring *r, uint32_t stamp, int *expired_alive);
/* The live entry a shadow's value names (the sequence number modulo
 * 2^SHADOW_VALUE_BITS): its index, or -1. ghost_ring_kill marks it dead. */
int64_t ghost_ring_find(const struct ghost_ring *r, uint32_t value);
void ghost_ring_kill(struct ghost_ring *r, uint32_t i);

#endif
