/*
 * CLOCK-Pro (Jiang, Chen and Zhang, USENIX ATC'05): LIRS in clock form.
 * Pages are hot (small reuse distance) or cold; a cold page is on test for
 * a while after it was brought in or last moved, and one referenced during
 * its test turns hot, while HAND_hot turns the hot page with the largest
 * recency cold. Victims are always cold pages. The paper's one clock of all
 * pages, resident or not, and HAND_test are kept in clockpro_clock.h; this
 * file turns the other two hands:
 *
 *   HAND_hot at the hot queue's old end: a referenced page goes to the head
 *   still hot, the first unreferenced one turns cold;
 *   HAND_cold at the cold queue's old end: a referenced page on test turns
 *   hot, one off test starts a new test, an unreferenced one is the victim,
 *   kept while on test as a non-resident cold page in the clock's ghost
 *   ring (5 bytes per frame, stated as own_history_bytes).
 *
 * The cold share adapts as in the authors' simulator (ADAPTIVE_COLD_ALLOC):
 * a non-resident page faulted back on test earns a credit, a test ended
 * unused costs one. With credits a promoted page stays cold while a hot one
 * turns cold all the same (the share grows); with a debt it turns hot alone
 * (it shrinks). The share stays between 1% of the frames (at least 2) and
 * all but that. Until the first eviction, new pages are hot while more than
 * that minimum of frames are free; after it they come in cold, on test. A
 * page faulted back on test turns hot at once and HAND_hot makes up for it
 * at the next isolate call, since insert cannot read accessed bits.
 */
#include <stdint.h>
#include <stdlib.h>
#include "reclaim/policy/clockpro_clock.h"
#include "reclaim/policy/toolkit.h"

#define NONRES 1		/* the shadow's kind: a non-resident cold page */
#define COLD_MIN_PERCENT 1	/* the bounds on the cold share */
#define COLD_MIN_FRAMES 2

/* What a run of HAND_hot did. */
#define DEMOTED 1		/* it turned a hot page cold */
#define REACHED 2		/* it passed the cold page that set it going */

struct clockpro {
	uint32_t nframes;
	struct cp_clock k;	/* the pages in clock order, the tests */
	uint8_t *left_test;	/* [nframes]: an isolated frame was on test */
	int32_t credits;	/* > 0: the cold share should grow; < 0: shrink */
	uint32_t cold_min, cold_max;	/* bounds on resident cold pages */
	uint32_t owed;		/* demotions owed for pages turned hot at insert */
	int evicting;		/* the first isolate has happened */
	struct policy_looks looks;
};

static struct clockpro *cp_of(struct policy *p)
{
	return (struct clockpro *)p;
}

static void cp_destroy(struct policy *p)
{
	struct clockpro *c = cp_of(p);

	if (!c)
		return;
	cp_clock_free(&c->k);
	policy_looks_free(&c->looks);
	free(c->left_test);
	free(c);
}

static void set_bounds(struct clockpro *c)
{
	uint32_t min = c->nframes / (100 / COLD_MIN_PERCENT);

	c->cold_min = min > COLD_MIN_FRAMES ? min : COLD_MIN_FRAMES;
	c->cold_max = c->nframes > 2 * c->cold_min ? c->nframes - c->cold_min : c->cold_min;
}

static struct policy *cp_create(uint32_t nframes, uint64_t seed)
{
	struct clockpro *c = calloc(1, sizeof(*c));
	size_t n = (size_t)nframes + 1;

	(void)seed;	/* CLOCK-Pro is deterministic: nothing to seed */
	if (!c)
		return NULL;
	c->nframes = nframes;
	set_bounds(c);
	c->left_test = calloc(n, 1);
	if (cp_clock_alloc(&c->k, nframes) || policy_looks_alloc(&c->looks, nframes) ||
	    !c->left_test) {
		cp_destroy((struct policy *)c);
		return NULL;
	}
	return (struct policy *)c;
}

/* ---- the clock, with the credits for the tests it ends unused ---- */

static uint32_t age(const struct clockpro *c, uint32_t stamp)
{
	return cp_clock_age(&c->k, stamp);
}

static void end_tests(struct clockpro *c)
{
	c->credits -= (int32_t)cp_clock_end_tests(&c->k);
}

static void take_out(struct clockpro *c, uint32_t frame)
{
	c->credits -= (int32_t)cp_clock_take_out(&c->k, frame);
}

/* ---- the hands ---- */

/* HAND_hot turns until one hot page turns cold, stopping early if it
 * reaches the cold page with stamp limit (has_limit) that set it going:
 * DEMOTED, REACHED, both or neither (no hot page it may look at). */
static int run_hot(struct clockpro *c, const struct policy_env *env, int has_limit,
		   uint32_t limit)
{
	while (c->k.hot.len > 0) {
		uint32_t frame = c->k.hot.old;
		int referenced;

		if (has_limit && age(c, c->k.stamp[frame]) < age(c, limit))
			return REACHED;
		if (!policy_may_look(&c->looks, frame))
			return 0;
		referenced = policy_look(&c->looks, env, frame);
		take_out(c, frame);
		c->k.test[frame] = 0;
		cp_clock_to_head(&c->k, referenced ? CP_HOT : CP_COLD, frame);
		end_tests(c);
		if (!referenced) {
			int passed = has_limit && (c->k.hot.len == 0 ||
						   age(c, c->k.stamp[c->k.hot.old]) < age(c, limit));

			return DEMOTED | (passed ? REACHED : 0);
		}
	}
	return 0;
}

/* The credits, kept within the cold share's bounds (check_adaptive_bound). */
static void bound_credits(struct clockpro *c)
{
	if (c->credits > 0 && c->k.cold.len >= c->cold_max)
		c->credits = 0;
	if (c->credits < 0 && c->k.cold.len <= c->cold_min)
		c->credits = 0;
}

/* HAND_cold met frame referenced on test (taken out of the cold queue):
 * with a debt it turns hot alone; with credits it stays cold, on a new
 * test, and HAND_hot turns a hot page cold; otherwise it turns hot and
 * HAND_hot turns one cold. Reached first by HAND_hot, its test is over:
 * it is a cold page referenced off test, on a new test. */
static void promote(struct clockpro *c, const struct policy_env *env, uint32_t frame)
{
	uint32_t limit = c->k.stamp[frame];
	int r;

	bound_credits(c);
	if (c->credits < 0) {
		c->credits++;
		cp_clock_make_hot(&c->k, frame);
		return;
	}
	r = run_hot(c, env, 1, limit);
	if (c->credits > 0) {
		if (!(r & REACHED) || (r & DEMOTED))
			c->credits--;
		cp_clock_retest(&c->k, frame);
		return;
	}
	if (r & REACHED && !(r & DEMOTED))
		cp_clock_retest(&c->k, frame);
	else
		cp_clock_make_hot(&c->k, frame);
}

/* One step of HAND_cold at its oldest page, which the caller may look at:
 * the victim, or NIL after moving it on. */
static uint32_t cold_step(struct clockpro *c, const struct policy_env *env, uint32_t frame)
{
	int referenced = policy_look(&c->looks, env, frame);

	take_out(c, frame);	/* a cold page: no test ends; it keeps its stamp */
	if (referenced && c->k.test[frame]) {
		promote(c, env, frame);
		return POLICY_NIL;
	}
	if (referenced) {
		cp_clock_retest(&c->k, frame);
		return POLICY_NIL;
	}
	if (!env->evictable(env->ctx, frame)) {
		cp_clock_to_head(&c->k, CP_COLD, frame);
		return POLICY_NIL;
	}
	c->left_test[frame] = c->k.test[frame];
	return frame;
}

/* HAND_hot turns until one hot page turns cold: 0 if none could. */
static int demote_one(struct clockpro *c, const struct policy_env *env)
{
	return (run_hot(c, env, 0, 0) & DEMOTED) != 0;
}

/* ---- the interface ---- */

static void cp_insert(struct policy *p, uint32_t frame, uint32_t shadow)
{
	struct clockpro *c = cp_of(p);
	uint32_t tracked = c->k.hot.len + c->k.cold.len;
	int64_t i;

	if (frame >= c->nframes || c->k.on[frame] != CP_NONE)
		return;
	c->left_test[frame] = 0;
	i = shadow && shadow_kind(shadow) == NONRES ?
		    ghost_ring_find(&c->k.ring, shadow_value(shadow)) : -1;
	if (i >= 0) {		/* referenced on test: hot, and a credit */
		ghost_ring_kill(&c->k.ring, (uint32_t)i);
		c->credits++;
		c->owed++;
		cp_clock_make_hot(&c->k, frame);
		return;
	}
	if (!c->evicting && tracked + c->cold_min < c->nframes) {
		cp_clock_make_hot(&c->k, frame);
		return;
	}
	cp_clock_retest(&c->k, frame);
}

static void cp_remove(struct policy *p, uint32_t frame)
{
	struct clockpro *c = cp_of(p);

	if (frame >= c->nframes || c->k.on[frame] == CP_NONE)
		return;
	take_out(c, frame);
	c->k.test[frame] = 0;
}

/*
 * First the demotions owed for pages that turned hot at insert. Then
 * HAND_cold turns until max victims. A cold page this call looked at twice
 * is passed without a look (a page that may not go must not stop the hand
 * while others could); when every cold page was passed, or none is left,
 * HAND_hot turns one more hot page cold. The call ends when that fails too,
 * or the looks run out.
 */
static uint32_t cp_isolate(struct policy *p, const struct policy_env *env, uint32_t *victims,
			   uint32_t max)
{
	struct clockpro *c = cp_of(p);
	uint32_t n = 0, passed = 0;

	c->evicting = 1;
	policy_looks_begin(&c->looks, env, c->nframes);
	for (; c->owed > 0 && c->k.hot.len > 0; c->owed--)
		if (!demote_one(c, env))
			break;
	while (n < max && c->looks.budget > 0) {
		uint32_t frame = c->k.cold.old;

		if (frame == POLICY_NIL || (!policy_may_look(&c->looks, frame) &&
					    ++passed > c->k.cold.len)) {
			if (!demote_one(c, env))
				break;
			passed = 0;
			continue;
		}
		if (!policy_may_look(&c->looks, frame)) {
			take_out(c, frame);
			cp_clock_to_head(&c->k, CP_COLD, frame);
			continue;
		}
		frame = cold_step(c, env, frame);
		if (frame != POLICY_NIL)
			victims[n++] = frame;
	}
	return n;
}

/* A page evicted on test stays in the clock, non-resident, until its test
 * ends; one off test leaves it. */
static uint32_t cp_evicted(struct policy *p, uint32_t frame)
{
	struct clockpro *c = cp_of(p);
	int expired_alive;
	uint32_t seq;

	if (frame >= c->nframes || !c->left_test[frame])
		return 0;
	c->left_test[frame] = 0;
	seq = ghost_ring_add(&c->k.ring, c->k.stamp[frame], &expired_alive);
	c->credits -= expired_alive;	/* the oldest test ended unused */
	return shadow_make(NONRES, seq);
}

/* Not evicted after all: cold at the head, on test as it was. */
static void cp_put_back(struct policy *p, uint32_t frame)
{
	struct clockpro *c = cp_of(p);

	if (frame >= c->nframes || c->k.on[frame] != CP_NONE)
		return;
	c->k.test[frame] = c->left_test[frame];
	c->left_test[frame] = 0;
	cp_clock_to_head(&c->k, CP_COLD, frame);
}

static uint32_t cp_tracked(const struct policy *p)
{
	const struct clockpro *c = (const struct clockpro *)p;

	return c->k.hot.len + c->k.cold.len;
}

const struct policy_ops policy_clockpro_ops = {
	.name = "clockpro",
	.summary = "CLOCK-Pro: LIRS as a clock, cold pages on test turn hot when reused, "
		   "the cold share adapted",
	.reads_bits = 1,
	.history_some = 1,
	.fault_counts = 0,	/* the reference bit starts clear */
	.own_history_bytes = 5,	/* the ring and alive[]: one shadow entry a frame left */
	.create = cp_create,
	.destroy = cp_destroy,
	.insert = cp_insert,
	.remove = cp_remove,
	.isolate = cp_isolate,
	.evicted = cp_evicted,
	.put_back = cp_put_back,
	.tracked = cp_tracked,
};
