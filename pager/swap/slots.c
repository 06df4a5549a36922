/*
 * Swap slots: a reference count per slot and free counts per cluster. Like
 * Linux's cluster allocation, a whole free cluster is taken for the stream
 * of writes and its slots handed out in order, a batch's as one run where
 * one is free; clusters are found next-fit.
 */
#include <stdlib.h>
#include "swap/slots.h"

#define REFS_BAD 0xFFFFu		/* never handed out */
#define NO_CLUSTER UINT32_MAX

_Static_assert(SWAP_SLOT_MAX_REFS < REFS_BAD, "a count never reads as bad");
_Static_assert(SWAP_CLUSTER <= 0xFFFFu, "per-cluster counts fit 16 bits");

struct swap_slots {
	uint32_t first, last;	/* 1 <= first <= last */
	uint32_t total;		/* slots in [first, last] that are not bad */
	uint32_t nfree;		/* of those, slots with no reference */
	uint32_t nclusters;	/* last / SWAP_CLUSTER + 1 */
	uint32_t cur;		/* the cluster serving allocations, or NO_CLUSTER */
	uint32_t next;		/* the next slot to try in cur */
	uint32_t cursor;	/* the last cluster picked: next-fit goes on after it */
	uint16_t *refs;		/* [last + 1]: 0 free, 1..SWAP_SLOT_MAX_REFS in use,
				 * REFS_BAD; slots below first are REFS_BAD */
	uint16_t *cfree;	/* [nclusters]: slots with refs 0 in the cluster */
	uint16_t *cusable;	/* [nclusters]: slots not bad in the cluster */
};

static uint32_t cluster_of(uint32_t slot)
{
	return slot / SWAP_CLUSTER;
}

static int in_range(const struct swap_slots *s, uint32_t slot)
{
	return slot >= s->first && slot <= s->last;
}

/* Mark a free slot bad, keeping every counter exact. */
static void make_bad(struct swap_slots *s, uint32_t slot)
{
	uint32_t c = cluster_of(slot);

	s->refs[slot] = REFS_BAD;
	s->total--;
	s->nfree--;
	s->cfree[c]--;
	s->cusable[c]--;
}

static int setup(struct swap_slots *s, const uint32_t *bad, uint32_t nbad)
{
	s->refs = calloc((size_t)s->last + 1, sizeof(*s->refs));
	s->cfree = calloc(s->nclusters, sizeof(*s->cfree));
	s->cusable = calloc(s->nclusters, sizeof(*s->cusable));
	if (!s->refs || !s->cfree || !s->cusable)
		return -1;
	for (uint32_t slot = 0; slot < s->first; slot++)
		s->refs[slot] = REFS_BAD;
	for (uint32_t slot = s->first; slot <= s->last; slot++) {
		s->cfree[cluster_of(slot)]++;
		s->cusable[cluster_of(slot)]++;
	}
	s->total = s->nfree = s->last - s->first + 1;
	for (uint32_t i = 0; i < nbad; i++)
		if (in_range(s, bad[i]) && s->refs[bad[i]] != REFS_BAD)
			make_bad(s, bad[i]);
	return 0;
}

struct swap_slots *swap_slots_create(uint32_t first, uint32_t last, const uint32_t *bad,
				     uint32_t nbad)
{
	struct swap_slots *s;

	/* last < UINT32_MAX keeps last + 1 and every loop bound from wrapping. */
	if (first < 1 || first > last || last == UINT32_MAX || !(s = calloc(1, sizeof(*s))))
		return NULL;
	s->first = first;
	s->last = last;
	s->nclusters = cluster_of(last) + 1;
	s->cur = NO_CLUSTER;
	s->cursor = s->nclusters - 1;	/* so the first pick starts at cluster 0 */
	if (setup(s, bad, nbad) < 0) {
		swap_slots_destroy(s);
		return NULL;
	}
	return s;
}

uint64_t swap_slots_bytes(uint32_t last)
{
	uint64_t nclusters = (uint64_t)cluster_of(last) + 1;
	struct swap_slots *s = NULL;

	return sizeof(*s) + ((uint64_t)last + 1) * sizeof(*s->refs) +
	       nclusters * (sizeof(*s->cfree) + sizeof(*s->cusable));
}

void swap_slots_destroy(struct swap_slots *s)
{
	if (!s)
		return;
	free(s->refs);
	free(s->cfree);
	free(s->cusable);
	free(s);
}

/* The current cluster's last slot. */
static uint32_t cluster_end(const struct swap_slots *s)
{
	uint32_t end = s->cur * SWAP_CLUSTER + (SWAP_CLUSTER - 1);

	return end < s->last ? end : s->last;
}

/* The first run of free slots at or after s->next in the current cluster:
 * its first slot in *start and its length, up to want; 0 if there is none
 * (the cluster is then given up). */
static uint32_t run_in_cluster(struct swap_slots *s, uint32_t want, uint32_t *start)
{
	uint32_t end = cluster_end(s), slot = s->next, len = 0;

	while (slot <= end && s->refs[slot] != 0)
		slot++;
	if (slot > end) {
		s->cur = NO_CLUSTER;
		return 0;
	}
	while (len < want && slot + len <= end && s->refs[slot + len] == 0)
		len++;
	*start = slot;
	return len;
}

/* Next-fit from the cluster after the last one picked: the first cluster
 * whose usable slots are all free, else (whole 0) the first with any free
 * slot. */
static uint32_t find_cluster(const struct swap_slots *s, int whole)
{
	for (uint32_t i = 1; i <= s->nclusters; i++) {
		uint32_t c = (s->cursor + i) % s->nclusters;

		if (s->cfree[c] > 0 && (!whole || s->cfree[c] == s->cusable[c]))
			return c;
	}
	return NO_CLUSTER;
}

static void use_cluster(struct swap_slots *s, uint32_t c)
{
	s->cur = s->cursor = c;
	s->next = c * SWAP_CLUSTER;
	if (s->next < s->first)
		s->next = s->first;
}

/* Called only while some slot is free, so a cluster is always found. */
static void pick_cluster(struct swap_slots *s)
{
	uint32_t c = find_cluster(s, 1);

	use_cluster(s, c != NO_CLUSTER ? c : find_cluster(s, 0));
}

/* A run shorter than wanted that stops inside its cluster (a used or bad
 * slot follows) is worth leaving when another cluster is wholly free: move
 * there (1), else stay (0). A run that reaches the cluster's end goes on
 * in the next cluster, which next-fit tries first. */
static int leave_short_run(struct swap_slots *s, uint32_t start, uint32_t len, uint32_t want)
{
	uint32_t c;

	if (len == want || start + len > cluster_end(s) || (c = find_cluster(s, 1)) == NO_CLUSTER ||
	    c == s->cur)
		return 0;
	use_cluster(s, c);
	return 1;
}

uint32_t swap_slot_alloc_run(struct swap_slots *s, uint32_t want, uint32_t *first)
{
	uint32_t start = 0, len = 0;
	int moved = 0;

	if (s->nfree == 0 || want == 0)
		return 0;
	/* Ends: a cluster with a free slot yields a run, and a short run is
	 * left at most once (a whole cluster may hold bad slots). */
	for (;;) {
		if (s->cur == NO_CLUSTER)
			pick_cluster(s);
		else if ((len = run_in_cluster(s, want, &start)) > 0 &&
			 (moved || !(moved = leave_short_run(s, start, len, want))))
			break;
	}
	for (uint32_t slot = start; slot < start + len; slot++)
		s->refs[slot] = 1;
	s->nfree -= len;
	s->cfree[cluster_of(start)] -= (uint16_t)len;
	s->next = start + len;
	*first = start;
	return len;
}

uint32_t swap_slot_alloc(struct swap_slots *s)
{
	uint32_t slot;

	return swap_slot_alloc_run(s, 1, &slot) ? slot : 0;
}

int swap_slot_dup(struct swap_slots *s, uint32_t slot)
{
	if (!in_range(s, slot) || s->refs[slot] == 0 || s->refs[slot] >= SWAP_SLOT_MAX_REFS)
		return -1;
	s->refs[slot]++;
	return 0;
}

int swap_slot_put(struct swap_slots *s, uint32_t slot)
{
	if (!in_range(s, slot) || s->refs[slot] == 0)
		return -1;
	if (s->refs[slot] == REFS_BAD)
		return 0;
	if (--s->refs[slot] == 0) {
		s->nfree++;
		s->cfree[cluster_of(slot)]++;
	}
	return s->refs[slot];
}

int swap_slot_mark_bad(struct swap_slots *s, uint32_t slot)
{
	if (!in_range(s, slot))
		return -1;
	if (s->refs[slot] == REFS_BAD)
		return 0;
	if (s->refs[slot] != 0) {	/* count it free first: make_bad takes a free slot */
		s->nfree++;
		s->cfree[cluster_of(slot)]++;
	}
	make_bad(s, slot);
	return 0;
}

int swap_slot_refs(const struct swap_slots *s, uint32_t slot)
{
	if (!in_range(s, slot) || s->refs[slot] == REFS_BAD)
		return -1;
	return s->refs[slot];
}

uint32_t swap_slots_total(const struct swap_slots *s)
{
	return s->total;
}

uint32_t swap_slots_free(const struct swap_slots *s)
{
	return s->nfree;
}

uint32_t swap_slots_bad(const struct swap_slots *s)
{
	return s->last - s->first + 1 - s->total;
}

int swap_slots_check(const struct swap_slots *s)
{
	uint32_t total = 0, nfree = 0;

	for (uint32_t c = 0; c < s->nclusters; c++) {
		uint32_t cf = 0, cu = 0, end = c * SWAP_CLUSTER + (SWAP_CLUSTER - 1);

		for (uint32_t slot = c * SWAP_CLUSTER; slot <= end && slot <= s->last; slot++) {
			if (s->refs[slot] == REFS_BAD)
				continue;
			cu++;
			cf += s->refs[slot] == 0;
		}
		if (cf != s->cfree[c] || cu != s->cusable[c])
			return -1;
		total += cu;
		nfree += cf;
	}
	return total == s->total && nfree == s->nfree ? 0 : -1;
}
