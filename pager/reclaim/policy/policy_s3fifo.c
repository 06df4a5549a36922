/*
 * S3-FIFO (Yang, Zhang, Qiu, Yue and Rashmi, "FIFO queues are all you need
 * for cache eviction", SOSP'23): a small FIFO queue S (10% of the frames)
 * where new pages wait, a main queue M (the rest), and a ghost queue G of
 * pages evicted from S, as long as M. A page referenced while in S moves to
 * M when it reaches S's old end; one that was not goes, remembered in G. A
 * page faulted back while still in G goes straight to M. M is FIFO with
 * reinsertion: a page referenced since its last pass goes round again.
 *
 * In an OS the policy sees a page's references only as one accessed bit per
 * look, and looks at a page only at a queue's old end. The paper's 2-bit
 * counter of hits (M reinserts a page with its count less one) then holds
 * what one bit per pass says, and M is the FIFO-reinsertion (CLOCK) the
 * paper names as its simpler form; in S "accessed at least once" is the
 * test (libCacheSim's default asks for two hits, which a bit cannot count).
 *
 * G is no list here: a page evicted from S gets a shadow holding the count
 * of evictions from S so far, and it is still in G when fewer than |M|
 * pages have been evicted from S since.
 */
#include <stdint.h>
#include <stdlib.h>
#include "reclaim/policy/toolkit.h"

enum { ON_NONE, ON_SMALL, ON_MAIN };

#define GHOST 1			/* the shadow's kind: left from S into G */
#define SMALL_PERCENT 10	/* the paper's size of S */

struct s3fifo {
	uint32_t nframes;
	struct frame_links links;
	struct frame_queue small, main;
	uint8_t *on;		/* [nframes]: ON_* */
	uint8_t *left;		/* [nframes]: the queue an isolated frame left */
	uint32_t small_evictions;	/* G's clock: pages evicted from S */
	struct policy_looks looks;
};

static struct s3fifo *s3_of(struct policy *p)
{
	return (struct s3fifo *)p;
}

static void s3_destroy(struct policy *p)
{
	struct s3fifo *s = s3_of(p);

	if (!s)
		return;
	frame_links_free(&s->links);
	policy_looks_free(&s->looks);
	free(s->on);
	free(s->left);
	free(s);
}

static struct policy *s3_create(uint32_t nframes, uint64_t seed)
{
	struct s3fifo *s = calloc(1, sizeof(*s));

	(void)seed;	/* S3-FIFO is deterministic: nothing to seed */
	if (!s)
		return NULL;
	s->nframes = nframes;
	fq_init(&s->small);
	fq_init(&s->main);
	s->on = calloc((size_t)nframes + 1, 1);
	s->left = calloc((size_t)nframes + 1, 1);
	if (frame_links_alloc(&s->links, nframes) || policy_looks_alloc(&s->looks, nframes) ||
	    !s->on || !s->left) {
		s3_destroy((struct policy *)s);
		return NULL;
	}
	return (struct policy *)s;
}

static struct frame_queue *queue(struct s3fifo *s, int id)
{
	return id == ON_SMALL ? &s->small : &s->main;
}

static void push(struct s3fifo *s, int id, uint32_t frame)
{
	fq_push_young(&s->links, queue(s, id), frame);
	s->on[frame] = (uint8_t)id;
}

static void unlink_frame(struct s3fifo *s, uint32_t frame)
{
	fq_unlink(&s->links, queue(s, s->on[frame]), frame);
	s->on[frame] = ON_NONE;
}

/* S's share of cache frames: 10%, at least one. */
static uint32_t small_target(uint32_t frames)
{
	uint32_t t = frames * SMALL_PERCENT / 100;

	return t ? t : 1;
}

/* G holds as many pages as M: the frames not in S's share. */
static int in_ghost(const struct s3fifo *s, uint32_t shadow, uint32_t frames)
{
	if (!shadow || shadow_kind(shadow) != GHOST)
		return 0;
	return shadow_distance(s->small_evictions, shadow_value(shadow)) <
	       frames - small_target(frames);
}

static void s3_insert(struct policy *p, uint32_t frame, uint32_t shadow)
{
	struct s3fifo *s = s3_of(p);
	uint32_t frames = s->small.len + s->main.len + 1;

	if (frame >= s->nframes || s->on[frame] != ON_NONE)
		return;
	push(s, in_ghost(s, shadow, frames) ? ON_MAIN : ON_SMALL, frame);
}

static void s3_remove(struct policy *p, uint32_t frame)
{
	struct s3fifo *s = s3_of(p);

	if (frame >= s->nframes || s->on[frame] == ON_NONE)
		return;
	unlink_frame(s, frame);
}

/* Look at S's oldest page: 1 if it is the victim. Referenced: on to M;
 * not evictable now: round S again. -1 if it was looked at twice already. */
static int step_small(struct s3fifo *s, const struct policy_env *env, uint32_t frame)
{
	if (!policy_may_look(&s->looks, frame))
		return -1;
	if (policy_look(&s->looks, env, frame)) {
		unlink_frame(s, frame);
		push(s, ON_MAIN, frame);
		return 0;
	}
	unlink_frame(s, frame);
	if (!env->evictable(env->ctx, frame)) {
		push(s, ON_SMALL, frame);
		return 0;
	}
	s->left[frame] = ON_SMALL;
	return 1;
}

/* Look at M's oldest page: 1 if it is the victim; referenced (or not
 * evictable now), it goes round M again. -1 if looked at twice already. */
static int step_main(struct s3fifo *s, const struct policy_env *env, uint32_t frame)
{
	if (!policy_may_look(&s->looks, frame))
		return -1;
	unlink_frame(s, frame);
	if (policy_look(&s->looks, env, frame) || !env->evictable(env->ctx, frame)) {
		push(s, ON_MAIN, frame);
		return 0;
	}
	s->left[frame] = ON_MAIN;
	return 1;
}

/* One victim, or NIL. With S at its share or more, S is drained until a
 * page of it goes (its referenced pages move on to M, which may exceed its
 * share for a while, as in libCacheSim's S3FIFO); otherwise, or once every
 * page of S has been looked at (those left may not go now), M gives one. */
static uint32_t one_victim(struct s3fifo *s, const struct policy_env *env, uint32_t frames)
{
	int from_small = s->small.len >= small_target(frames) || s->main.len == 0;
	uint32_t small_steps = s->small.len;

	for (;;) {
		int small = from_small && small_steps > 0 && s->small.len > 0;
		uint32_t frame = small ? s->small.old : s->main.old;
		int r;

		if (frame == POLICY_NIL)
			return POLICY_NIL;
		if (small)
			small_steps--;
		r = small ? step_small(s, env, frame) : step_main(s, env, frame);
		if (r < 0)
			return POLICY_NIL;
		if (r > 0)
			return frame;
	}
}

static uint32_t s3_isolate(struct policy *p, const struct policy_env *env, uint32_t *victims,
			   uint32_t max)
{
	struct s3fifo *s = s3_of(p);
	uint32_t frames = s->small.len + s->main.len;
	uint32_t n = 0;

	policy_looks_begin(&s->looks, env, s->nframes);
	while (n < max) {
		uint32_t frame = one_victim(s, env, frames);

		if (frame == POLICY_NIL)
			break;
		victims[n++] = frame;
	}
	return n;
}

/* Only pages evicted from S enter G; G's clock first, so a page faulted
 * back at once is at distance 0. */
static uint32_t s3_evicted(struct policy *p, uint32_t frame)
{
	struct s3fifo *s = s3_of(p);

	if (frame >= s->nframes || s->left[frame] != ON_SMALL)
		return 0;
	s->small_evictions = (s->small_evictions + 1) & SHADOW_VALUE_MASK;
	return shadow_make(GHOST, s->small_evictions);
}

/* Not evicted after all: back to the young end of the queue it left. */
static void s3_put_back(struct policy *p, uint32_t frame)
{
	struct s3fifo *s = s3_of(p);

	if (frame >= s->nframes || s->on[frame] != ON_NONE)
		return;
	push(s, s->left[frame] == ON_MAIN ? ON_MAIN : ON_SMALL, frame);
}

static uint32_t s3_tracked(const struct policy *p)
{
	const struct s3fifo *s = (const struct s3fifo *)p;

	return s->small.len + s->main.len;
}

const struct policy_ops policy_s3fifo_ops = {
	.name = "s3fifo",
	.summary = "S3-FIFO: new pages in a small FIFO (10%), those used there to the main one, "
		   "a ghost of the rest",
	.reads_bits = 1,
	.fault_counts = 0,	/* a new page's count starts at 0 */
	.create = s3_create,
	.destroy = s3_destroy,
	.insert = s3_insert,
	.remove = s3_remove,
	.isolate = s3_isolate,
	.evicted = s3_evicted,
	.put_back = s3_put_back,
	.tracked = s3_tracked,
};
