/*
 * Random: each victim drawn uniformly from the tracked frames that may be
 * evicted now, ignoring references. A yardstick: a policy that cannot beat
 * chance is not using what the referenced bits tell it.
 */
#include <stdint.h>
#include <stdlib.h>
#include "reclaim/policy/policy.h"

#define NOWHERE UINT32_MAX

/* The tracked frames packed into dense[0 .. count - 1], and where each one
 * sits, so insert, remove and a uniform draw are all O(1). */
struct rnd {
	uint32_t nframes;
	uint32_t count;
	uint64_t state;		/* splitmix64's counter */
	uint32_t *dense;	/* [nframes] */
	uint32_t *pos;		/* [nframes]: index in dense, or NOWHERE */
};

static struct rnd *rnd_of(struct policy *p)
{
	return (struct rnd *)p;
}

static const struct rnd *rnd_of_const(const struct policy *p)
{
	return (const struct rnd *)p;
}

/* splitmix64: its output mixes the counter, so every seed, 0 included, gives
 * a good stream, and a run repeats with its seed. */
static uint64_t next_u64(struct rnd *r)
{
	uint64_t z = (r->state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n), n > 0: draws below 2^64 mod n are redrawn, since they
 * would make the low values a little likelier than the rest. */
static uint32_t below(struct rnd *r, uint32_t n)
{
	uint64_t skip = (0 - (uint64_t)n) % n;
	uint64_t x;

	do
		x = next_u64(r);
	while (x < skip);
	return (uint32_t)(x % n);
}

static void rnd_destroy(struct policy *p)
{
	struct rnd *r = rnd_of(p);

	if (!r)
		return;
	free(r->dense);
	free(r->pos);
	free(r);
}

static struct policy *rnd_create(uint32_t nframes, uint64_t seed)
{
	struct rnd *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->nframes = nframes;
	r->state = seed;
	/* One extra element each, so nframes == 0 still allocates. */
	r->dense = calloc((size_t)nframes + 1, sizeof(*r->dense));
	r->pos = malloc(((size_t)nframes + 1) * sizeof(*r->pos));
	if (!r->dense || !r->pos) {
		rnd_destroy((struct policy *)r);
		return NULL;
	}
	for (uint32_t f = 0; f < nframes; f++)
		r->pos[f] = NOWHERE;
	return (struct policy *)r;
}

static void place(struct rnd *r, uint32_t i, uint32_t frame)
{
	r->dense[i] = frame;
	r->pos[frame] = i;
}

static void swap_places(struct rnd *r, uint32_t i, uint32_t j)
{
	uint32_t fi = r->dense[i], fj = r->dense[j];

	place(r, i, fj);
	place(r, j, fi);
}

/* The last frame fills the hole, which keeps dense[] packed. */
static void drop(struct rnd *r, uint32_t frame)
{
	uint32_t i = r->pos[frame];

	r->count--;
	if (i != r->count)
		place(r, i, r->dense[r->count]);
	r->pos[frame] = NOWHERE;
}

static void rnd_insert(struct policy *p, uint32_t frame, uint32_t shadow)
{
	struct rnd *r = rnd_of(p);

	(void)shadow;	/* random keeps no history */
	if (frame >= r->nframes || r->pos[frame] != NOWHERE)
		return;
	place(r, r->count++, frame);
}

static void rnd_remove(struct policy *p, uint32_t frame)
{
	struct rnd *r = rnd_of(p);

	if (frame >= r->nframes || r->pos[frame] == NOWHERE)
		return;
	drop(r, frame);
}

/*
 * A partial shuffle: dense[0 .. kept - 1] are frames drawn in this call that
 * may not be evicted, the rest are not drawn yet. Each draw is uniform over
 * the frames not drawn yet, so a victim is uniform over the evictable ones,
 * and no frame is looked at twice. A victim's hole is filled from the end,
 * which lies in the not-drawn part, so the split holds.
 */
static uint32_t rnd_isolate(struct policy *p, const struct policy_env *env, uint32_t *victims,
			    uint32_t max)
{
	struct rnd *r = rnd_of(p);
	uint32_t kept = 0;
	uint32_t n = 0;

	while (n < max && kept < r->count) {
		uint32_t i = kept + below(r, r->count - kept);
		uint32_t frame = r->dense[i];

		if (!env->evictable(env->ctx, frame)) {
			swap_places(r, i, kept++);
			continue;
		}
		drop(r, frame);
		victims[n++] = frame;
	}
	return n;
}

static uint32_t rnd_tracked(const struct policy *p)
{
	return rnd_of_const(p)->count;
}

const struct policy_ops policy_random_ops = {
	.name = "random",
	.summary = "random: a uniformly drawn evictable frame, from a seeded generator",
	.reads_bits = 0,
	.fault_counts = 0,	/* never reads the bits: either rule would do */
	.seeded = 1,
	.create = rnd_create,
	.destroy = rnd_destroy,
	.insert = rnd_insert,
	.remove = rnd_remove,
	.isolate = rnd_isolate,
	.tracked = rnd_tracked,
};
