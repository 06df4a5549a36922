/*
 * The shadow table (shadow.h): sets of SHADOW_WAYS entries, newest first,
 * chosen by a hash of the key. An entry whose shadow is 0 is empty: 0 is
 * the one word no policy stores.
 */
#include <stdlib.h>
#include <string.h>
#include "shadow.h"

struct shadow_entry {
	uint32_t key;
	uint32_t shadow;	/* 0: empty */
};

struct shadow_table {
	uint32_t nsets;
	uint32_t ways;		/* SHADOW_WAYS, fewer for a tiny table */
	uint32_t count;
	struct shadow_counters cnt;
	struct shadow_entry e[];	/* [nsets * ways] */
};

/* Sets and ways for nframes: SHADOW_PER_FRAME entries per frame, rounded
 * down to whole sets, so the bound holds; one smaller set below that. */
static void geometry(uint32_t nframes, uint32_t *nsets, uint32_t *ways)
{
	uint64_t entries = (uint64_t)nframes * SHADOW_PER_FRAME;

	if (entries < SHADOW_WAYS) {
		*nsets = 1;
		*ways = entries ? (uint32_t)entries : 1;
		return;
	}
	*nsets = (uint32_t)(entries / SHADOW_WAYS);
	*ways = SHADOW_WAYS;
}

size_t shadow_table_bytes(uint32_t nframes)
{
	uint32_t nsets, ways;

	geometry(nframes, &nsets, &ways);
	return sizeof(struct shadow_table) + (size_t)nsets * ways * sizeof(struct shadow_entry);
}

struct shadow_table *shadow_create(uint32_t nframes)
{
	struct shadow_table *t = calloc(1, shadow_table_bytes(nframes));

	if (!t)
		return NULL;
	geometry(nframes, &t->nsets, &t->ways);
	return t;
}

void shadow_destroy(struct shadow_table *t)
{
	free(t);
}

/* The set for key: murmur3's finaliser spreads keys that are runs of slots
 * or page numbers, then multiply-shift maps onto any number of sets. */
static struct shadow_entry *set_of(struct shadow_table *t, uint32_t key)
{
	uint32_t h = key;

	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return &t->e[(size_t)(((uint64_t)h * t->nsets) >> 32) * t->ways];
}

/* key's index in set, or -1. */
static int find(const struct shadow_table *t, const struct shadow_entry *set, uint32_t key)
{
	for (uint32_t i = 0; i < t->ways && set[i].shadow; i++)
		if (set[i].key == key)
			return (int)i;
	return -1;
}

/* Entries are packed at the front of a set, newest first: closing the gap
 * keeps them so. */
static void drop(struct shadow_table *t, struct shadow_entry *set, int i)
{
	memmove(&set[i], &set[i + 1], (t->ways - 1 - (uint32_t)i) * sizeof(*set));
	set[t->ways - 1] = (struct shadow_entry){ 0, 0 };
	t->count--;
}

void shadow_store(struct shadow_table *t, uint32_t key, uint32_t shadow)
{
	struct shadow_entry *set = set_of(t, key);
	int i = find(t, set, key);

	if (i >= 0)
		drop(t, set, i);
	if (!shadow)
		return;
	if (set[t->ways - 1].shadow) {	/* full: the oldest goes */
		t->cnt.lost++;
		t->count--;
	}
	memmove(&set[1], &set[0], (t->ways - 1) * sizeof(*set));
	set[0] = (struct shadow_entry){ key, shadow };
	t->count++;
	t->cnt.stored++;
}

uint32_t shadow_take(struct shadow_table *t, uint32_t key)
{
	struct shadow_entry *set = set_of(t, key);
	int i = find(t, set, key);
	uint32_t shadow;

	if (i < 0) {
		t->cnt.missed++;
		return 0;
	}
	shadow = set[i].shadow;
	drop(t, set, i);
	t->cnt.found++;
	return shadow;
}

void shadow_forget(struct shadow_table *t, uint32_t key)
{
	struct shadow_entry *set = set_of(t, key);
	int i = find(t, set, key);

	if (i < 0)
		return;
	drop(t, set, i);
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
