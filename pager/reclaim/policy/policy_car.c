/*
 * CAR, CLOCK with Adaptive Replacement (Bansal and Modha, FAST'04): ARC
 * (Megiddo and Modha, FAST'03) with its two LRU lists made clocks. T1 holds
 * pages seen once recently, T2 pages seen at least twice; B1 and B2
 * remember the pages evicted from each. A target p for T1's size adapts to
 * the workload: a page faulted back from B1 says T1 was too small (p grows
 * by |B2|/|B1|, at least 1), one from B2 that T2 was (p shrinks by
 * |B1|/|B2|). Victims: the hand of T1 while T1 holds at least max(1, p)
 * pages, else the hand of T2; a referenced page under T1's hand moves to
 * T2, one under T2's hand goes round T2 again, its bit cleared either way.
 * A page faulted back from B1 or B2 joins T2; any other joins T1, and B1 or
 * B2 loses its oldest entry when |T1| + |B1| or all four reach c or 2c.
 *
 * B1 and B2 are no lists here. Each is a length and a count of evictions
 * into it; an evicted page's shadow holds the count, and the page is still
 * in the ghost list when fewer than its length were evicted into it since.
 * A ghost hit shortens the length by one where ARC would close the gap in
 * the middle, so the oldest entry leaves a little early (Linux's refault
 * distance makes the same trade). c is the number of frames tracked.
 */
#include <stdint.h>
#include <stdlib.h>
#include "reclaim/policy/toolkit.h"

enum { ON_NONE, ON_T1, ON_T2 };
enum { B1 = 1, B2 = 2 };	/* the shadow's kind: the ghost list it joined */

struct car {
	uint32_t nframes;
	struct frame_links links;
	struct frame_queue t1, t2;	/* old end: under the hand; young: just behind */
	uint8_t *on;		/* [nframes]: ON_* */
	uint8_t *left;		/* [nframes]: the clock an isolated frame left */
	uint32_t p;		/* the target size of T1 */
	uint32_t b1, b2;	/* the ghost lists' lengths */
	uint32_t e1, e2;	/* evictions into B1, B2 (their clocks) */
	struct policy_looks looks;
};

static struct car *car_of(struct policy *p)
{
	return (struct car *)p;
}

static void car_destroy(struct policy *p)
{
	struct car *c = car_of(p);

	if (!c)
		return;
	frame_links_free(&c->links);
	policy_looks_free(&c->looks);
	free(c->on);
	free(c->left);
	free(c);
}

static struct policy *car_create(uint32_t nframes, uint64_t seed)
{
	struct car *c = calloc(1, sizeof(*c));

	(void)seed;	/* CAR is deterministic: nothing to seed */
	if (!c)
		return NULL;
	c->nframes = nframes;
	fq_init(&c->t1);
	fq_init(&c->t2);
	c->on = calloc((size_t)nframes + 1, 1);
	c->left = calloc((size_t)nframes + 1, 1);
	if (frame_links_alloc(&c->links, nframes) || policy_looks_alloc(&c->looks, nframes) ||
	    !c->on || !c->left) {
		car_destroy((struct policy *)c);
		return NULL;
	}
	return (struct policy *)c;
}

static struct frame_queue *clock_q(struct car *c, int id)
{
	return id == ON_T1 ? &c->t1 : &c->t2;
}

static void push(struct car *c, int id, uint32_t frame)
{
	fq_push_young(&c->links, clock_q(c, id), frame);
	c->on[frame] = (uint8_t)id;
}

static void unlink_frame(struct car *c, uint32_t frame)
{
	fq_unlink(&c->links, clock_q(c, c->on[frame]), frame);
	c->on[frame] = ON_NONE;
}

static uint32_t max1(uint32_t x)
{
	return x ? x : 1;
}

/* The ghost list shadow names, if the page is still in it; 0 if not. */
static int ghost_of(const struct car *c, uint32_t shadow)
{
	uint32_t kind = shadow ? shadow_kind(shadow) : 0;

	if (kind == B1 && shadow_distance(c->e1, shadow_value(shadow)) < c->b1)
		return B1;
	if (kind == B2 && shadow_distance(c->e2, shadow_value(shadow)) < c->b2)
		return B2;
	return 0;
}

/* A page not in B1 or B2 arrives: the ghost lists keep |T1| + |B1| <= c
 * and all four <= 2c by dropping their oldest entry (CAR's lines 5 and 6). */
static void trim_ghosts(struct car *c, uint32_t size)
{
	if (c->t1.len + c->b1 >= size && c->b1 > 0)
		c->b1--;
	else if (c->t1.len + c->t2.len + c->b1 + c->b2 >= 2 * size && c->b2 > 0)
		c->b2--;
}

static void car_insert(struct policy *p, uint32_t frame, uint32_t shadow)
{
	struct car *c = car_of(p);
	uint32_t size = c->t1.len + c->t2.len + 1;
	int ghost;

	if (frame >= c->nframes || c->on[frame] != ON_NONE)
		return;
	ghost = ghost_of(c, shadow);
	if (ghost == B1) {		/* T1 was too small */
		uint32_t up = max1(c->b2 / c->b1);

		c->p = c->p + up < size ? c->p + up : size;
		c->b1--;
	} else if (ghost == B2) {	/* T2 was */
		uint32_t down = max1(c->b1 / c->b2);

		c->p = c->p > down ? c->p - down : 0;
		c->b2--;
	} else {
		trim_ghosts(c, size);
	}
	push(c, ghost ? ON_T2 : ON_T1, frame);
}

static void car_remove(struct policy *p, uint32_t frame)
{
	struct car *c = car_of(p);

	if (frame >= c->nframes || c->on[frame] == ON_NONE)
		return;
	unlink_frame(c, frame);
}

/* The clock CAR's replace() turns now: T1 while it holds at least
 * max(1, p), else T2; the other one when that is empty. */
static int clock_to_turn(const struct car *c)
{
	int t1 = c->t1.len >= max1(c->p);

	if (t1 && c->t1.len == 0)
		return ON_T2;
	if (!t1 && c->t2.len == 0)
		return ON_T1;
	return t1 ? ON_T1 : ON_T2;
}

/* One step of replace() on clock id: the victim, or NIL after moving the
 * page under the hand on (referenced, or not evictable now). */
static uint32_t hand_step(struct car *c, const struct policy_env *env, int id)
{
	uint32_t frame = clock_q(c, id)->old;
	int referenced = policy_look(&c->looks, env, frame);

	unlink_frame(c, frame);
	if (referenced) {
		push(c, ON_T2, frame);	/* from T1 on to T2, or round T2 */
		return POLICY_NIL;
	}
	if (!env->evictable(env->ctx, frame)) {
		push(c, id, frame);
		return POLICY_NIL;
	}
	c->left[frame] = (uint8_t)id;
	return frame;
}

/* replace(): turn the clocks until a victim, or NIL when the page under the
 * hand of both was looked at twice in this call (or the looks ran out). */
static uint32_t one_victim(struct car *c, const struct policy_env *env)
{
	while (c->t1.len + c->t2.len > 0) {
		int id = clock_to_turn(c);
		int other = id == ON_T1 ? ON_T2 : ON_T1;
		uint32_t frame;

		if (!policy_may_look(&c->looks, clock_q(c, id)->old)) {
			if (clock_q(c, other)->len == 0 ||
			    !policy_may_look(&c->looks, clock_q(c, other)->old))
				return POLICY_NIL;
			id = other;
		}
		frame = hand_step(c, env, id);
		if (frame != POLICY_NIL)
			return frame;
	}
	return POLICY_NIL;
}

static uint32_t car_isolate(struct policy *p, const struct policy_env *env, uint32_t *victims,
			    uint32_t max)
{
	struct car *c = car_of(p);
	uint32_t n = 0;

	policy_looks_begin(&c->looks, env, c->nframes);
	while (n < max) {
		uint32_t frame = one_victim(c, env);

		if (frame == POLICY_NIL)
			break;
		victims[n++] = frame;
	}
	return n;
}

/* The page joins the most recent end of B1 or B2 (the clock first, so a
 * page faulted back at once is at distance 0). The lengths never pass the
 * frames' number, whatever the caller does. */
static uint32_t car_evicted(struct policy *p, uint32_t frame)
{
	struct car *c = car_of(p);

	if (frame >= c->nframes || c->left[frame] == ON_NONE)
		return 0;
	if (c->left[frame] == ON_T1) {
		c->e1 = (c->e1 + 1) & SHADOW_VALUE_MASK;
		c->b1 += c->b1 < c->nframes;
		return shadow_make(B1, c->e1);
	}
	c->e2 = (c->e2 + 1) & SHADOW_VALUE_MASK;
	c->b2 += c->b2 < c->nframes;
	return shadow_make(B2, c->e2);
}

/* Not evicted after all: just behind the hand of the clock it left. */
static void car_put_back(struct policy *p, uint32_t frame)
{
	struct car *c = car_of(p);

	if (frame >= c->nframes || c->on[frame] != ON_NONE)
		return;
	push(c, c->left[frame] == ON_T2 ? ON_T2 : ON_T1, frame);
}

static uint32_t car_tracked(const struct policy *p)
{
	const struct car *c = (const struct car *)p;

	return c->t1.len + c->t2.len;
}

const struct policy_ops policy_car_ops = {
	.name = "car",
	.summary = "CAR: ARC as two clocks, T1 (seen once) and T2 (seen again), its target "
		   "size adapted by ghost hits",
	.reads_bits = 1,
	.fault_counts = 0,	/* CAR inserts with the page reference bit 0 */
	.create = car_create,
	.destroy = car_destroy,
	.insert = car_insert,
	.remove = car_remove,
	.isolate = car_isolate,
	.evicted = car_evicted,
	.put_back = car_put_back,
	.tracked = car_tracked,
};
