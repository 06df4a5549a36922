/*
 * The shadow table (shadow.h): sets of SHADOW_WAYS entries, newest first,
 * chosen by a hash of the key. An entry whose shadow is 0 is empty: 0 is
 * the one word no policy stores.
 */
#include <stdlib.h>
#include "swap/shadow.h"

/*
 * A set is SHADOW_WAYS keys, then as many shadows: a lookup scans one cache
 * line of keys. Entries are packed at the front, newest first; an empty
 * slot has shadow 0 (and key 0), and every slot after it is empty too.
 */
struct shadow_table {
	uint32_t nsets;
	uint32_t ways;		/* SHADOW_WAYS, fewer for a tiny table */
	uint32_t count;
	struct shadow_counters cnt;
	uint32_t w[];		/* [nsets][2][ways]: keys, then shadows */
};

/* Sets and ways for nframes: per_frame entries per frame (no more than
 * SHADOW_PER_FRAME), rounded down to whole sets, so the bound holds; one
 * smaller set below that. */
static void geometry(uint32_t nframes, uint32_t per_frame, uint32_t *nsets, uint32_t *ways)
{
	uint64_t entries = (uint64_t)nframes *
			   (per_frame < SHADOW_PER_FRAME ? per_frame : SHADOW_PER_FRAME);

	if (entries < SHADOW_WAYS) {
		*nsets = 1;
		*ways = entries ? (uint32_t)entries : 1;
		return;
	}
	*nsets = (uint32_t)(entries / SHADOW_WAYS);
	*ways = SHADOW_WAYS;
}

size_t shadow_table_bytes(uint32_t nframes, uint32_t per_frame)
{
	uint32_t nsets, ways;

	geometry(nframes, per_frame, &nsets, &ways);
	return sizeof(struct shadow_table) + (size_t)nsets * 2 * ways * sizeof(uint32_t);
}

struct shadow_table *shadow_create(uint32_t nframes, uint32_t per_frame)
{
	struct shadow_table *t = calloc(1, shadow_table_bytes(nframes, per_frame));

	if (!t)
		return NULL;
	geometry(nframes, per_frame, &t->nsets, &t->ways);
	return t;
}

void shadow_destroy(struct shadow_table *t)
{
	free(t);
}

/* The keys of key's set (its shadows follow them): murmur3's finaliser
 * spreads keys that are runs of slots or page numbers, then multiply-shift
 * maps onto any number of sets. */
static uint32_t *set_of(struct shadow_table *t, uint32_t key)
{
	uint32_t h = key;

	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return &t->w[(size_t)(((uint64_t)h * t->nsets) >> 32) * 2 * t->ways];
}

/* key's slot in the set, or -1. An empty slot is key 0 with shadow 0 and
 * keys are unique in a set, so the keys alone say where key is: a match
 * that is no entry (key 0 meeting the first empty slot) means it is not
 * there. The first empty slot ends the search for any key, as every slot
 * after it is empty too: a key 0 is the only one whose shadow is read to
 * tell an entry (key 0 is rare: a page number 0 in pagesim; slot 0 is the
 * swap header), so a step is one load, not two (take runs for every page
 * read back, and misses in a set still filling stop at its end). */
static int find(const struct shadow_table *t, const uint32_t *keys, uint32_t key)
{
	const uint32_t *end = keys + t->ways;

	for (const uint32_t *k = keys; k < end; k++) {
		if (*k == key)
			return k[t->ways] ? (int)(k - keys) : -1;
		if (!*k && !k[t->ways])
			return -1;
	}
	return -1;
}

/* Close the gap at slot i, so the entries stay packed and in order. Word
 * by word, only the entries that follow: a set is a few dozen bytes, and
 * the libc's memmove goes a byte at a time (~370 instructions a call). */
static void drop(struct shadow_table *t, uint32_t *keys, int i)
{
	const uint32_t ways = t->ways;	/* once: the stores may alias t */
	uint32_t *shadows = keys + ways;
	uint32_t j = (uint32_t)i;

	for (; j + 1 < ways && shadows[j + 1]; j++) {
		keys[j] = keys[j + 1];
		shadows[j] = shadows[j + 1];
	}
	keys[j] = shadows[j] = 0;
	t->count--;
}

/* The newest entry goes in front; the entries before key's own (replaced),
 * or before the first empty slot (taken), move one on, and in a full set
 * the oldest falls off the end. One pass that carries each entry to the
 * next slot as it looks, not a search and then a move (a store a page
 * evicted, the set full in steady state). */
void shadow_store(struct shadow_table *t, uint32_t key, uint32_t shadow)
{
	const uint32_t ways = t->ways;	/* once: the stores below may alias t */
	uint32_t *keys = set_of(t, key), *shadows = keys + ways;
	uint32_t k = key, s = shadow;
	int old;

	if (!shadow) {
		if ((old = find(t, keys, key)) >= 0)
			drop(t, keys, old);
		return;
	}
	t->cnt.stored++;
	for (uint32_t i = 0; i < ways; i++) {
		uint32_t was_k = keys[i], was_s = shadows[i];

		keys[i] = k;
		shadows[i] = s;
		if (!was_s) {
			t->count++;	/* a free slot taken */
			return;
		}
		if (was_k == key)
			return;		/* key's old entry replaced */
		k = was_k;
		s = was_s;
	}
	t->cnt.lost++;			/* full: the oldest went */
}

uint32_t shadow_take(struct shadow_table *t, uint32_t key)
{
	uint32_t *keys = set_of(t, key);
	int i = find(t, keys, key);
	uint32_t shadow;

	if (i < 0) {
		t->cnt.missed++;
		return 0;
	}
	shadow = keys[t->ways + i];
	drop(t, keys, i);
	t->cnt.found++;
	return shadow;
}

void shadow_forget(struct shadow_table *t, uint32_t key)
{
	uint32_t *keys = set_of(t, key);
	int i = find(t, keys, key);

	if (i < 0)
		return;
	drop(t, keys, i);
	t->cnt.forgotten++;
}

uint32_t shadow_count(const struct shadow_table *t)
{
	return t->count;
}

void shadow_counters(const struct shadow_table *t, struct shadow_counters *out)
{
	*out = t->cnt;
}
