/*
 * CLOCK (Corbato's second-chance algorithm, as a classic kswapd runs it):
 * a hand sweeps the frames in index order; a frame referenced since the
 * hand last passed gets a second chance, the first tracked, unreferenced,
 * evictable frame under the hand is the victim.
 */
#include <stdint.h>
#include <stdlib.h>
#include "reclaim/policy/policy.h"

struct clock {
	uint32_t nframes;
	uint32_t hand;		/* the next frame to look at */
	uint32_t count;		/* frames tracked */
	uint8_t tracked[];	/* [nframes]: 1 if tracked */
};

static struct clock *clock_of(struct policy *p)
{
	return (struct clock *)p;
}

static const struct clock *clock_of_const(const struct policy *p)
{
	return (const struct clock *)p;
}

static struct policy *clock_create(uint32_t nframes, uint64_t seed)
{
	struct clock *c = calloc(1, sizeof(*c) + nframes);

	(void)seed;	/* CLOCK is deterministic: nothing to seed */
	if (!c)
		return NULL;
	c->nframes = nframes;
	return (struct policy *)c;
}

static void clock_destroy(struct policy *p)
{
	free(p);
}

/* CLOCK keeps no history: a refault is a page like any other. */
static void clock_insert(struct policy *p, uint32_t frame, uint32_t shadow)
{
	struct clock *c = clock_of(p);

	(void)shadow;
	if (frame >= c->nframes || c->tracked[frame])
		return;
	c->tracked[frame] = 1;
	c->count++;
}

static void clock_remove(struct policy *p, uint32_t frame)
{
	struct clock *c = clock_of(p);

	if (frame >= c->nframes || !c->tracked[frame])
		return;
	c->tracked[frame] = 0;
	c->count--;
}

/* The frame under the hand, and the hand moves on: moving before the look
 * leaves the hand just past a victim, where the next sweep resumes. */
static uint32_t advance(struct clock *c)
{
	uint32_t frame = c->hand;

	c->hand = frame + 1 == c->nframes ? 0 : frame + 1;
	return frame;
}

static int is_victim(struct clock *c, const struct policy_env *env, uint32_t frame)
{
	if (!c->tracked[frame])
		return 0;
	if (env->referenced(env->ctx, frame))
		return 0;	/* second chance: its bit is clear now */
	return env->evictable(env->ctx, frame);
}

/* Two full turns at most: the first may only clear referenced bits, the
 * second then finds any frame not referenced again in between. */
static uint32_t clock_isolate(struct policy *p, const struct policy_env *env, uint32_t *victims,
			      uint32_t max)
{
	struct clock *c = clock_of(p);
	uint64_t steps = 2 * (uint64_t)c->nframes;
	uint32_t n = 0, looks = 0;

	while (n < max && c->count > 0 && steps-- > 0) {
		uint32_t frame;

		if (env->max_looks && c->tracked[c->hand] && looks++ == env->max_looks)
			break;	/* the hand stays on the frame it did not look at */
		frame = advance(c);
		if (!is_victim(c, env, frame))
			continue;
		c->tracked[frame] = 0;
		c->count--;
		victims[n++] = frame;
	}
	return n;
}

static uint32_t clock_tracked(const struct policy *p)
{
	return clock_of_const(p)->count;
}

const struct policy_ops policy_clock_ops = {
	.name = "clock",
	.summary = "CLOCK: a hand sweeps the frames, a referenced frame gets a second chance",
	/* The classic rule: a page comes in unreferenced, so one used only at
	 * its fault goes at the hand's next pass (with the fault counted, it
	 * would survive a whole turn and CLOCK would be FIFO on a scan). */
	.reads_bits = 1,
	.fault_counts = 0,
	.create = clock_create,
	.destroy = clock_destroy,
	.insert = clock_insert,
	.remove = clock_remove,
	.isolate = clock_isolate,
	.tracked = clock_tracked,
};
