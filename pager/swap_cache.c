/*
 * Swap cache: a pool of entries, each on two hash chains, one keyed by slot
 * and one by frame, so both lookups cost a short chain walk. The pool and
 * the bucket arrays are sized once, from the number of frames.
 */
#include <stdlib.h>
#include "swap_cache.h"

#define NIL UINT32_MAX

struct entry {
	uint64_t pa;		/* != 0 while in use */
	uint32_t slot;		/* != 0 while in use */
	uint32_t next_slot;	/* by_slot chain; the free list when unused */
	uint32_t next_frame;	/* by_frame chain */
	uint8_t state;		/* enum swap_cache_state; NONE when unused */
};

struct swap_cache {
	uint32_t max;		/* entries in the pool */
	uint32_t used;		/* entries in use: on both chains */
	uint32_t mask;		/* buckets - 1; buckets is a power of two >= max */
	uint32_t free;		/* first unused entry, NIL: full */
	uint32_t count[4];	/* entries per state; count[NONE] unused */
	struct entry *ents;	/* [max] */
	uint32_t *by_slot;	/* [mask + 1]: first entry of each chain, NIL */
	uint32_t *by_frame;
};

static uint32_t hash(uint64_t key, uint32_t mask)
{
	/* Fibonacci hashing: consecutive slots and frames spread out. */
	return (uint32_t)((key * 0x9E3779B97F4A7C15ull) >> 32) & mask;
}

static uint32_t *slot_head(const struct swap_cache *c, uint32_t slot)
{
	return &c->by_slot[hash(slot, c->mask)];
}

static uint32_t *frame_head(const struct swap_cache *c, uint64_t pa)
{
	return &c->by_frame[hash(pa >> 12, c->mask)];
}

static uint32_t *alloc_heads(uint32_t n)
{
	uint32_t *h = malloc((size_t)n * sizeof(*h));

	for (uint32_t i = 0; h && i < n; i++)
		h[i] = NIL;
	return h;
}

struct swap_cache *swap_cache_create(uint32_t max_entries)
{
	struct swap_cache *c;
	uint32_t buckets = 16;

	if (max_entries == 0 || max_entries > (1u << 30) || !(c = calloc(1, sizeof(*c))))
		return NULL;
	while (buckets < max_entries)
		buckets <<= 1;
	c->max = max_entries;
	c->mask = buckets - 1;
	c->ents = calloc(max_entries, sizeof(*c->ents));
	c->by_slot = alloc_heads(buckets);
	c->by_frame = alloc_heads(buckets);
	if (!c->ents || !c->by_slot || !c->by_frame) {
		swap_cache_destroy(c);
		return NULL;
	}
	for (uint32_t i = 0; i < max_entries; i++)
		c->ents[i].next_slot = i + 1 < max_entries ? i + 1 : NIL;
	c->free = 0;
	return c;
}

void swap_cache_destroy(struct swap_cache *c)
{
	if (!c)
		return;
	free(c->ents);
	free(c->by_slot);
	free(c->by_frame);
	free(c);
}

static uint32_t find_slot(const struct swap_cache *c, uint32_t slot)
{
	uint32_t i = *slot_head(c, slot);

	while (i != NIL && c->ents[i].slot != slot)
		i = c->ents[i].next_slot;
	return i;
}

static uint32_t find_frame(const struct swap_cache *c, uint64_t pa)
{
	uint32_t i = *frame_head(c, pa);

	while (i != NIL && c->ents[i].pa != pa)
		i = c->ents[i].next_frame;
	return i;
}

int swap_cache_add(struct swap_cache *c, uint32_t slot, uint64_t pa,
		   enum swap_cache_state state)
{
	uint32_t i = c->free, *sh, *fh;

	if ((state != SWAP_CACHE_WRITING && state != SWAP_CACHE_READING) || !slot || !pa ||
	    i == NIL || find_slot(c, slot) != NIL || find_frame(c, pa) != NIL)
		return -1;
	sh = slot_head(c, slot);
	fh = frame_head(c, pa);
	c->free = c->ents[i].next_slot;
	c->ents[i] = (struct entry){ .pa = pa, .slot = slot, .next_slot = *sh,
				     .next_frame = *fh, .state = (uint8_t)state };
	*sh = *fh = i;
	c->used++;
	c->count[state]++;
	return 0;
}

int swap_cache_io_done(struct swap_cache *c, uint32_t slot)
{
	uint32_t i = find_slot(c, slot);

	if (i == NIL || c->ents[i].state == SWAP_CACHE_CLEAN)
		return -1;
	c->count[c->ents[i].state]--;
	c->ents[i].state = SWAP_CACHE_CLEAN;
	c->count[SWAP_CACHE_CLEAN]++;
	return 0;
}

/* Take entry i off a chain that starts at *link, following next_slot or
 * next_frame. */
static void unlink_from(struct swap_cache *c, uint32_t *link, uint32_t i, int by_slot)
{
	while (*link != i)
		link = by_slot ? &c->ents[*link].next_slot : &c->ents[*link].next_frame;
	*link = by_slot ? c->ents[i].next_slot : c->ents[i].next_frame;
}

int swap_cache_remove(struct swap_cache *c, uint32_t slot)
{
	uint32_t i = find_slot(c, slot);

	if (i == NIL)
		return -1;
	unlink_from(c, slot_head(c, slot), i, 1);
	unlink_from(c, frame_head(c, c->ents[i].pa), i, 0);
	c->count[c->ents[i].state]--;
	c->used--;
	c->ents[i] = (struct entry){ .next_slot = c->free, .next_frame = NIL };
	c->free = i;
	return 0;
}

static enum swap_cache_state report(const struct swap_cache *c, uint32_t i,
				    struct swap_cache_entry *e)
{
	if (i == NIL)
		return SWAP_CACHE_NONE;
	if (e)
		*e = (struct swap_cache_entry){ c->ents[i].slot, c->ents[i].pa,
						(enum swap_cache_state)c->ents[i].state };
	return (enum swap_cache_state)c->ents[i].state;
}

enum swap_cache_state swap_cache_find_slot(const struct swap_cache *c, uint32_t slot,
					   struct swap_cache_entry *e)
{
	return report(c, slot ? find_slot(c, slot) : NIL, e);
}

enum swap_cache_state swap_cache_find_frame(const struct swap_cache *c, uint64_t pa,
					    struct swap_cache_entry *e)
{
	return report(c, pa ? find_frame(c, pa) : NIL, e);
}

uint32_t swap_cache_count(const struct swap_cache *c, enum swap_cache_state state)
{
	if (state == SWAP_CACHE_NONE)
		return c->used;
	return (unsigned)state < 4 ? c->count[state] : 0;
}

/* Entries on all chains of one kind, or UINT32_MAX if a chain is longer
 * than the pool (a loop) or holds an entry in the wrong bucket. */
static uint32_t chain_total(const struct swap_cache *c, int by_slot)
{
	uint32_t n = 0;

	for (uint32_t b = 0; b <= c->mask; b++) {
		uint32_t i = by_slot ? c->by_slot[b] : c->by_frame[b];

		for (; i != NIL; i = by_slot ? c->ents[i].next_slot : c->ents[i].next_frame) {
			const struct entry *e;

			if (i >= c->max || ++n > c->max)
				return UINT32_MAX;
			e = &c->ents[i];
			if (e->state == SWAP_CACHE_NONE ||
			    (by_slot ? hash(e->slot, c->mask) : hash(e->pa >> 12, c->mask)) != b)
				return UINT32_MAX;
		}
	}
	return n;
}

int swap_cache_check(const struct swap_cache *c)
{
	uint32_t per_state[4] = { 0 };

	if (chain_total(c, 1) != c->used || chain_total(c, 0) != c->used)
		return -1;
	for (uint32_t i = 0; i < c->max; i++) {
		const struct entry *e = &c->ents[i];

		if (e->state == SWAP_CACHE_NONE)
			continue;
		if (e->state > SWAP_CACHE_CLEAN || find_slot(c, e->slot) != i ||
		    find_frame(c, e->pa) != i)
			return -1;
		per_state[e->state]++;
	}
	for (int s = 1; s < 4; s++)
		if (per_state[s] != c->count[s])
			return -1;
	return 0;
}
