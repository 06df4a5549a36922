/*
 * The ring of non-resident pages (ghost_ring.h): fixed arrays, entries
 * named by a counter that only grows (modulo 2^32), so a shadow can name
 * one without a pointer and a stale shadow is told by its distance; their
 * places follow the oldest's index, not the counter, which wraps.
 */
#include <stdlib.h>
#include "reclaim/policy/ghost_ring.h"
#include "reclaim/policy/toolkit.h"

int ghost_ring_alloc(struct ghost_ring *r, uint32_t size)
{
	size_t n = (size_t)size + 1;

	*r = (struct ghost_ring){ .size = size };
	r->stamp = calloc(n, sizeof(*r->stamp));
	r->alive = calloc(n, 1);
	if (!r->stamp || !r->alive) {
		ghost_ring_free(r);
		return -1;
	}
	return 0;
}

void ghost_ring_free(struct ghost_ring *r)
{
	free(r->stamp);
	free(r->alive);
	r->stamp = NULL;
	r->alive = NULL;
}

uint32_t ghost_ring_len(const struct ghost_ring *r)
{
	return r->next - r->first;
}

/* The index of the entry `after` places after the oldest (after <= len). */
static uint32_t index_of(const struct ghost_ring *r, uint32_t after)
{
	return (uint32_t)(((uint64_t)r->at + after) % r->size);
}

uint32_t ghost_ring_oldest(const struct ghost_ring *r)
{
	return r->stamp[r->at];
}

int ghost_ring_expire(struct ghost_ring *r)
{
	uint32_t i = r->at;
	int was_alive = r->alive[i];

	r->alive[i] = 0;
	r->at = index_of(r, 1);
	r->first++;
	return was_alive;
}

uint32_t ghost_ring_add(struct ghost_ring *r, uint32_t stamp, int *expired_alive)
{
	uint32_t i;

	*expired_alive = 0;
	if (ghost_ring_len(r) == r->size)
		*expired_alive = ghost_ring_expire(r);
	i = index_of(r, ghost_ring_len(r));
	r->stamp[i] = stamp;
	r->alive[i] = 1;
	return r->next++;
}

int64_t ghost_ring_find(const struct ghost_ring *r, uint32_t value)
{
	uint32_t back, i;

	if (r->size == 0)
		return -1;
	back = shadow_distance(r->next, value);
	if (back == 0 || back > ghost_ring_len(r))
		return -1;
	i = index_of(r, ghost_ring_len(r) - back);
	return r->alive[i] ? (int64_t)i : -1;
}

void ghost_ring_kill(struct ghost_ring *r, uint32_t i)
{
	if (i < r->size)
		r->alive[i] = 0;
}
