/*
 * 2Q (Johnson and Shasha, "2Q: A Low Overhead High Performance Buffer
 * Management Replacement Algorithm", VLDB'94), the full version: a page
 * seen for the first time waits in A1in, a FIFO queue; references while it
 * is there are correlated (one burst of use) and do not count. When A1in
 * holds more than Kin pages (25% of the frames) its oldest page goes, and
 * its identity joins A1out, a FIFO of Kout identities (50% of the frames). A
 * page faulted back while still in A1out has shown reuse over a longer span:
 * it goes to Am, the main list, and so does one used while its write-out
 * was in flight (kept: it had left A1in). Otherwise Am gives the victims;
 * the paper's Am is LRU, here it is CLOCK (a page referenced since its last
 * look goes round again), since accessed bits are all an OS sees. A page
 * evicted from Am is forgotten.
 *
 * A1out is no list here: a page evicted from A1in gets a shadow holding the
 * count of evictions from A1in so far; it is still in A1out when fewer than
 * Kout pages have left A1in since.
 */
#include <stdint.h>
#include <stdlib.h>
#include "reclaim/policy/toolkit.h"

enum { ON_NONE, ON_A1IN, ON_AM };

#define A1OUT 1			/* the shadow's kind: left A1in into A1out */
#define KIN_PERCENT 25		/* the paper's sizes */
#define KOUT_PERCENT 50

struct twoq {
	uint32_t nframes;
	struct frame_links links;
	struct frame_queue a1in, am;
	uint8_t *on;		/* [nframes]: ON_* */
	uint8_t *left;		/* [nframes]: the queue an isolated frame left */
	uint32_t a1in_evictions;	/* A1out's clock */
	struct policy_looks looks;
};

static struct twoq *twoq_of(struct policy *p)
{
	return (struct twoq *)p;
}

static void twoq_destroy(struct policy *p)
{
	struct twoq *q = twoq_of(p);

	if (!q)
		return;
	frame_links_free(&q->links);
	policy_looks_free(&q->looks);
	free(q->on);
	free(q->left);
	free(q);
}

static struct policy *twoq_create(uint32_t nframes, uint64_t seed)
{
	struct twoq *q = calloc(1, sizeof(*q));

	(void)seed;	/* 2Q is deterministic: nothing to seed */
	if (!q)
		return NULL;
	q->nframes = nframes;
	fq_init(&q->a1in);
	fq_init(&q->am);
	q->on = calloc((size_t)nframes + 1, 1);
	q->left = calloc((size_t)nframes + 1, 1);
	if (frame_links_alloc(&q->links, nframes) || policy_looks_alloc(&q->looks, nframes) ||
	    !q->on || !q->left) {
		twoq_destroy((struct policy *)q);
		return NULL;
	}
	return (struct policy *)q;
}

static struct frame_queue *queue(struct twoq *q, int id)
{
	return id == ON_A1IN ? &q->a1in : &q->am;
}

static void push(struct twoq *q, int id, uint32_t frame)
{
	fq_push_young(&q->links, queue(q, id), frame);
	q->on[frame] = (uint8_t)id;
}

static void unlink_frame(struct twoq *q, uint32_t frame)
{
	fq_unlink(&q->links, queue(q, q->on[frame]), frame);
	q->on[frame] = ON_NONE;
}

static uint32_t share(uint32_t frames, uint32_t percent)
{
	uint32_t n = (uint32_t)((uint64_t)frames * percent / 100);

	return n ? n : 1;
}

static int in_a1out(const struct twoq *q, uint32_t shadow, uint32_t frames)
{
	if (!shadow || shadow_kind(shadow) != A1OUT)
		return 0;
	return shadow_distance(q->a1in_evictions, shadow_value(shadow)) <
	       share(frames, KOUT_PERCENT);
}

static void twoq_insert(struct policy *p, uint32_t frame, uint32_t shadow)
{
	struct twoq *q = twoq_of(p);
	uint32_t frames = q->a1in.len + q->am.len + 1;

	if (frame >= q->nframes || q->on[frame] != ON_NONE)
		return;
	push(q, in_a1out(q, shadow, frames) ? ON_AM : ON_A1IN, frame);
}

static void twoq_remove(struct policy *p, uint32_t frame)
{
	struct twoq *q = twoq_of(p);

	if (frame >= q->nframes || q->on[frame] == ON_NONE)
		return;
	unlink_frame(q, frame);
}

/* A1in's oldest page that may go now, or NIL: no bits are read, pages
 * that may not go are passed (once each). */
static uint32_t from_a1in(struct twoq *q, const struct policy_env *env)
{
	for (uint32_t steps = q->a1in.len; steps > 0; steps--) {
		uint32_t frame = q->a1in.old;

		unlink_frame(q, frame);
		if (env->evictable(env->ctx, frame)) {
			q->left[frame] = ON_A1IN;
			return frame;
		}
		push(q, ON_A1IN, frame);
	}
	return POLICY_NIL;
}

/* Am as CLOCK: its oldest page unless referenced since its last look (or
 * not evictable now), which goes round again. NIL when Am is empty or its
 * oldest page was looked at twice in this call. */
static uint32_t from_am(struct twoq *q, const struct policy_env *env)
{
	for (;;) {
		uint32_t frame = q->am.old;

		if (frame == POLICY_NIL || !policy_may_look(&q->looks, frame))
			return POLICY_NIL;
		unlink_frame(q, frame);
		if (!policy_look(&q->looks, env, frame) && env->evictable(env->ctx, frame)) {
			q->left[frame] = ON_AM;
			return frame;
		}
		push(q, ON_AM, frame);
	}
}

/* The paper's reclaimfor: A1in gives the victim while it holds more than
 * Kin pages (or Am has none to give), Am otherwise. *a1in_dry: A1in was
 * found without a page that may go in this call; it is not asked again. */
static uint32_t one_victim(struct twoq *q, const struct policy_env *env, uint32_t frames,
			   int *a1in_dry)
{
	uint32_t frame = POLICY_NIL;
	int a1in_first = q->a1in.len > share(frames, KIN_PERCENT) || q->am.len == 0;

	if (a1in_first && !*a1in_dry)
		*a1in_dry = (frame = from_a1in(q, env)) == POLICY_NIL;
	if (frame == POLICY_NIL)
		frame = from_am(q, env);
	if (frame == POLICY_NIL && !a1in_first && !*a1in_dry)
		*a1in_dry = (frame = from_a1in(q, env)) == POLICY_NIL;
	return frame;
}

static uint32_t twoq_isolate(struct policy *p, const struct policy_env *env, uint32_t *victims,
			     uint32_t max)
{
	struct twoq *q = twoq_of(p);
	uint32_t frames = q->a1in.len + q->am.len;
	uint32_t n = 0;
	int a1in_dry = 0;

	policy_looks_begin(&q->looks, env, q->nframes);
	while (n < max) {
		uint32_t frame = one_victim(q, env, frames, &a1in_dry);

		if (frame == POLICY_NIL)
			break;
		victims[n++] = frame;
	}
	return n;
}

/* A page evicted from A1in joins A1out (the count first, so one faulted
 * back at once is at distance 0); one from Am is forgotten. */
static uint32_t twoq_evicted(struct policy *p, uint32_t frame)
{
	struct twoq *q = twoq_of(p);

	if (frame >= q->nframes || q->left[frame] != ON_A1IN)
		return 0;
	q->a1in_evictions = (q->a1in_evictions + 1) & SHADOW_VALUE_MASK;
	return shadow_make(A1OUT, q->a1in_evictions);
}

/* Not evicted after all: back to the young end of the queue it left. */
static void twoq_put_back(struct policy *p, uint32_t frame)
{
	struct twoq *q = twoq_of(p);

	if (frame >= q->nframes || q->on[frame] != ON_NONE)
		return;
	push(q, q->left[frame] == ON_AM ? ON_AM : ON_A1IN, frame);
}

/* Used after it left (a fault kept it during its write-out): one from
 * A1in was referenced after its stay there, as the paper's page faulted
 * back from A1out is, and goes to Am as that one would. Back to A1in it
 * would be blind to that use and to all its others for a whole second stay,
 * and go again at its end: a page in use lost once more than 2Q loses it.
 * One from Am goes round, as a page its clock finds referenced does. */
static void twoq_kept(struct policy *p, uint32_t frame)
{
	struct twoq *q = twoq_of(p);

	if (frame >= q->nframes || q->on[frame] != ON_NONE)
		return;
	push(q, ON_AM, frame);
}

static uint32_t twoq_tracked(const struct policy *p)
{
	const struct twoq *q = (const struct twoq *)p;

	return q->a1in.len + q->am.len;
}

const struct policy_ops policy_2q_ops = {
	.name = "2q",
	.summary = "2Q: new pages through a FIFO (25%), those faulted back soon after (50%) "
		   "to a CLOCK main list",
	.reads_bits = 1,
	.first_stay_blind = 1,	/* A1in ignores references */
	.fault_counts = 0,	/* Am's position counts the refault; A1in ignores bits */
	.create = twoq_create,
	.destroy = twoq_destroy,
	.insert = twoq_insert,
	.remove = twoq_remove,
	.isolate = twoq_isolate,
	.evicted = twoq_evicted,
	.put_back = twoq_put_back,
	.kept = twoq_kept,
	.tracked = twoq_tracked,
};
