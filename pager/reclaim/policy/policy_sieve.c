/*
 * SIEVE (Zhang, Yang, Yue, Vigfusson and Rashmi, "SIEVE is Simpler than
 * LRU", NSDI'24): one FIFO queue, new pages at its young end, and a hand that
 * walks from the old end towards the young one. A frame referenced since the
 * hand last passed keeps its place (its bit is cleared); the first one not
 * referenced goes, and the hand stays where it was. Unlike CLOCK, which puts
 * a new page in the victim's frame just behind the hand, SIEVE puts it at
 * the young end, ahead of the hand: a page used once goes as soon as the
 * hand comes back from the old pages, and old pages that keep being used
 * settle at the old end behind the hand ("lazy promotion, quick demotion").
 */
#include <stdint.h>
#include <stdlib.h>
#include "reclaim/policy/toolkit.h"

struct sieve {
	uint32_t nframes;
	struct frame_links links;
	struct frame_queue q;		/* young: the newest page */
	uint32_t hand;			/* the next frame to look at; NIL: the old end */
	uint8_t *queued;		/* [nframes]: 1 if in q */
	struct policy_looks looks;
};

static struct sieve *sieve_of(struct policy *p)
{
	return (struct sieve *)p;
}

static void sieve_destroy(struct policy *p)
{
	struct sieve *s = sieve_of(p);

	if (!s)
		return;
	frame_links_free(&s->links);
	policy_looks_free(&s->looks);
	free(s->queued);
	free(s);
}

static struct policy *sieve_create(uint32_t nframes, uint64_t seed)
{
	struct sieve *s = calloc(1, sizeof(*s));

	(void)seed;	/* SIEVE is deterministic: nothing to seed */
	if (!s)
		return NULL;
	s->nframes = nframes;
	s->hand = POLICY_NIL;
	fq_init(&s->q);
	s->queued = calloc((size_t)nframes + 1, 1);
	if (frame_links_alloc(&s->links, nframes) || policy_looks_alloc(&s->looks, nframes) ||
	    !s->queued) {
		sieve_destroy((struct policy *)s);
		return NULL;
	}
	return (struct policy *)s;
}

/* SIEVE keeps no history: a refault is a new page. */
static void sieve_insert(struct policy *p, uint32_t frame, uint32_t shadow)
{
	struct sieve *s = sieve_of(p);

	(void)shadow;
	if (frame >= s->nframes || s->queued[frame])
		return;
	fq_push_young(&s->links, &s->q, frame);
	s->queued[frame] = 1;
}

/* The hand never points at a frame out of the queue: it moves on first. */
static void take_out(struct sieve *s, uint32_t frame)
{
	if (s->hand == frame)
		s->hand = s->links.younger[frame];
	fq_unlink(&s->links, &s->q, frame);
	s->queued[frame] = 0;
}

static void sieve_remove(struct policy *p, uint32_t frame)
{
	struct sieve *s = sieve_of(p);

	if (frame >= s->nframes || !s->queued[frame])
		return;
	take_out(s, frame);
}

/* The hand goes from the old end towards the young one and starts again at
 * the old end. A frame that may not go now is passed like a referenced one.
 * The call stops at a frame it has looked at twice (two passes with nothing
 * to take) or when env->max_looks runs out, the hand left on that frame. */
static uint32_t sieve_isolate(struct policy *p, const struct policy_env *env, uint32_t *victims,
			      uint32_t max)
{
	struct sieve *s = sieve_of(p);
	uint32_t n = 0;

	policy_looks_begin(&s->looks, env, s->nframes);
	while (n < max && s->q.len > 0) {
		uint32_t frame = s->hand == POLICY_NIL ? s->q.old : s->hand;

		if (!policy_may_look(&s->looks, frame))
			break;
		s->hand = frame;
		if (policy_look(&s->looks, env, frame) || !env->evictable(env->ctx, frame)) {
			s->hand = s->links.younger[frame];
			continue;
		}
		take_out(s, frame);
		victims[n++] = frame;
	}
	return n;
}

static uint32_t sieve_tracked(const struct policy *p)
{
	return ((const struct sieve *)p)->q.len;
}

const struct policy_ops policy_sieve_ops = {
	.name = "sieve",
	.summary = "SIEVE: a FIFO queue, new pages at its young end, a hand from the old end "
		   "passing referenced ones",
	.reads_bits = 1,
	.fault_counts = 0,	/* a new page is unvisited */
	.create = sieve_create,
	.destroy = sieve_destroy,
	.insert = sieve_insert,
	.remove = sieve_remove,
	.isolate = sieve_isolate,
	.tracked = sieve_tracked,
};
