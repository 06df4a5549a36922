/*
 * CLOCK-Pro (Jiang, Chen and Zhang, USENIX ATC'05): LIRS in clock form.
 * Pages are hot (small reuse distance) or cold; a cold page is on test for
 * a while after it was brought in or last moved, and one referenced during
 * its test turns hot, while HAND_hot turns the hot page with the largest
 * recency cold. Victims are always cold pages. The paper's one clock of all
 * pages, resident or not, and its three hands are kept as:
 *
 *   a stamp per page: the count of moves to the head when it last moved
 *   there, so "older in the clock" is "smaller stamp";
 *   the hot queue in stamp order, HAND_hot at its old end: a referenced
 *   page goes to the head still hot, the first unreferenced one turns cold;
 *   the cold queue of resident cold pages, HAND_cold at its old end: a
 *   referenced page on test turns hot, one off test starts a new test, an
 *   unreferenced one is the victim, kept while on test as a non-resident
 *   cold page in a ghost ring (ghost_ring.h, 5 bytes per frame, stated as
 *   own_history_bytes) of at most as many pages as frames (the paper's bound);
 *   HAND_test: a test ends when HAND_hot passes the page; resident cold
 *   pages are walked by a cursor, non-resident ones leave the ring's end.
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
#include "reclaim/ghost_ring.h"
#include "reclaim/policy.h"

enum { ON_NONE, ON_HOT, ON_COLD };

#define NONRES 1		/* the shadow's kind: a non-resident cold page */
#define COLD_MIN_PERCENT 1	/* the bounds on the cold share */
#define COLD_MIN_FRAMES 2

/* What a run of HAND_hot did. */
#define DEMOTED 1		/* it turned a hot page cold */
#define REACHED 2		/* it passed the cold page that set it going */

struct clockpro {
	uint32_t nframes;
	struct frame_links links;
	struct frame_queue hot, cold;	/* in stamp order, oldest at the old end */
	uint8_t *on;		/* [nframes]: ON_* */
	uint8_t *test;		/* [nframes]: a cold page on test */
	uint8_t *left_test;	/* [nframes]: an isolated frame was on test */
	uint32_t *stamp;	/* [nframes]: its head position */
	uint32_t now;		/* moves to the head so far: the newest stamp */
	int32_t credits;	/* > 0: the cold share should grow; < 0: shrink */
	uint32_t cold_min, cold_max;	/* bounds on resident cold pages */
	uint32_t owed;		/* demotions owed for pages turned hot at insert */
	uint32_t test_hand;	/* the youngest resident cold page HAND_test has
				 * passed; NIL: none of those left */
	int evicting;		/* the first isolate has happened */
	struct ghost_ring ring;	/* non-resident cold pages on test, by stamp */
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
	frame_links_free(&c->links);
	policy_looks_free(&c->looks);
	free(c->on);
	free(c->test);
	free(c->left_test);
	free(c->stamp);
	ghost_ring_free(&c->ring);
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
	fq_init(&c->hot);
	fq_init(&c->cold);
	c->test_hand = POLICY_NIL;
	set_bounds(c);
	c->on = calloc(n, 1);
	c->test = calloc(n, 1);
	c->left_test = calloc(n, 1);
	c->stamp = calloc(n, sizeof(*c->stamp));
	if (frame_links_alloc(&c->links, nframes) || policy_looks_alloc(&c->looks, nframes) ||
	    ghost_ring_alloc(&c->ring, nframes) ||
	    !c->on || !c->test || !c->left_test || !c->stamp) {
		cp_destroy((struct policy *)c);
		return NULL;
	}
	return (struct policy *)c;
}

/* ---- the clock's order ---- */

/* Stamps count moves to the head modulo 2^32: compared by age, which is
 * right while no page goes 2^31 moves unmoved. */
static uint32_t age(const struct clockpro *c, uint32_t stamp)
{
	return c->now - stamp;
}

/* 1 if HAND_hot has passed a page with this stamp: the oldest hot page is
 * younger. With no hot page, no test ends. */
static int hot_hand_passed(const struct clockpro *c, uint32_t stamp)
{
	if (c->hot.len == 0)
		return 0;
	return age(c, stamp) > age(c, c->stamp[c->hot.old]);
}

/* ---- HAND_test ---- */

/* Tests end for the pages HAND_hot has passed: resident cold pages from the
 * cursor on, non-resident ones from the ring's old end. */
static void end_tests(struct clockpro *c)
{
	uint32_t f = c->test_hand == POLICY_NIL ? c->cold.old : c->links.younger[c->test_hand];

	while (f != POLICY_NIL && hot_hand_passed(c, c->stamp[f])) {
		c->test[f] = 0;
		c->test_hand = f;
		f = c->links.younger[f];
	}
	while (ghost_ring_len(&c->ring) > 0 && hot_hand_passed(c, ghost_ring_oldest(&c->ring)))
		c->credits -= ghost_ring_expire(&c->ring);	/* a test ended unused */
}

/* ---- moving pages ---- */

static struct frame_queue *queue(struct clockpro *c, int id)
{
	return id == ON_HOT ? &c->hot : &c->cold;
}

/* To the head of the clock, in queue id, with a new stamp. */
static void to_head(struct clockpro *c, int id, uint32_t frame)
{
	c->stamp[frame] = ++c->now;
	fq_push_young(&c->links, queue(c, id), frame);
	c->on[frame] = (uint8_t)id;
}

/* Out of its queue. The cursor steps back past a cold page leaving (the
 * pages older than it were all passed). The oldest hot page leaving moves
 * HAND_hot's position on, which may end tests. */
static void take_out(struct clockpro *c, uint32_t frame)
{
	int was_oldest_hot = c->on[frame] == ON_HOT && c->hot.old == frame;

	if (frame == c->test_hand)
		c->test_hand = c->links.older[frame];
	fq_unlink(&c->links, queue(c, c->on[frame]), frame);
	c->on[frame] = ON_NONE;
	if (was_oldest_hot)
		end_tests(c);
}

/* To the head as hot, or as cold on a new test. */
static void make_hot(struct clockpro *c, uint32_t frame)
{
	c->test[frame] = 0;
	to_head(c, ON_HOT, frame);
}

static void retest(struct clockpro *c, uint32_t frame)
{
	c->test[frame] = 1;
	to_head(c, ON_COLD, frame);
}

/* ---- the hands ---- */

/* HAND_hot turns until one hot page turns cold, stopping early if it
 * reaches the cold page with stamp limit (has_limit) that set it going:
 * DEMOTED, REACHED, both or neither (no hot page it may look at). */
static int run_hot(struct clockpro *c, const struct policy_env *env, int has_limit,
		   uint32_t limit)
{
	while (c->hot.len > 0) {
		uint32_t frame = c->hot.old;
		int referenced;

		if (has_limit && age(c, c->stamp[frame]) < age(c, limit))
			return REACHED;
		if (!policy_may_look(&c->looks, frame))
			return 0;
		referenced = policy_look(&c->looks, env, frame);
		take_out(c, frame);
		c->test[frame] = 0;
		to_head(c, referenced ? ON_HOT : ON_COLD, frame);
		end_tests(c);
		if (!referenced) {
			int passed = has_limit && (c->hot.len == 0 ||
						   age(c, c->stamp[c->hot.old]) < age(c, limit));

			return DEMOTED | (passed ? REACHED : 0);
		}
	}
	return 0;
}

/* The credits, kept within the cold share's bounds (check_adaptive_bound). */
static void bound_credits(struct clockpro *c)
{
	if (c->credits > 0 && c->cold.len >= c->cold_max)
		c->credits = 0;
	if (c->credits < 0 && c->cold.len <= c->cold_min)
		c->credits = 0;
}

/* HAND_cold met frame referenced on test (taken out of the cold queue):
 * with a debt it turns hot alone; with credits it stays cold, on a new
 * test, and HAND_hot turns a hot page cold; otherwise it turns hot and
 * HAND_hot turns one cold. Reached first by HAND_hot, its test is over:
 * it is a cold page referenced off test, on a new test. */
static void promote(struct clockpro *c, const struct policy_env *env, uint32_t frame)
{
	uint32_t limit = c->stamp[frame];
	int r;

	bound_credits(c);
	if (c->credits < 0) {
		c->credits++;
		make_hot(c, frame);
		return;
	}
	r = run_hot(c, env, 1, limit);
	if (c->credits > 0) {
		if (!(r & REACHED) || (r & DEMOTED))
			c->credits--;
		retest(c, frame);
		return;
	}
	if (r & REACHED && !(r & DEMOTED))
		retest(c, frame);
	else
		make_hot(c, frame);
}

/* One step of HAND_cold at its oldest page, which the caller may look at:
 * the victim, or NIL after moving it on. */
static uint32_t cold_step(struct clockpro *c, const struct policy_env *env, uint32_t frame)
{
	int referenced = policy_look(&c->looks, env, frame);

	if (referenced && c->test[frame]) {
		fq_unlink(&c->links, &c->cold, frame);	/* keep its stamp for HAND_hot */
		if (frame == c->test_hand)
			c->test_hand = c->links.older[frame];
		c->on[frame] = ON_NONE;
		promote(c, env, frame);
		return POLICY_NIL;
	}
	take_out(c, frame);
	if (referenced) {
		retest(c, frame);
		return POLICY_NIL;
	}
	if (!env->evictable(env->ctx, frame)) {
		to_head(c, ON_COLD, frame);
		return POLICY_NIL;
	}
	c->left_test[frame] = c->test[frame];
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
	uint32_t tracked = c->hot.len + c->cold.len;
	int64_t i;

	if (frame >= c->nframes || c->on[frame] != ON_NONE)
		return;
	c->left_test[frame] = 0;
	i = shadow && shadow_kind(shadow) == NONRES ?
		    ghost_ring_find(&c->ring, shadow_value(shadow)) : -1;
	if (i >= 0) {		/* referenced on test: hot, and a credit */
		ghost_ring_kill(&c->ring, (uint32_t)i);
		c->credits++;
		c->owed++;
		make_hot(c, frame);
		return;
	}
	if (!c->evicting && tracked + c->cold_min < c->nframes) {
		make_hot(c, frame);
		return;
	}
	retest(c, frame);
}

static void cp_remove(struct policy *p, uint32_t frame)
{
	struct clockpro *c = cp_of(p);

	if (frame >= c->nframes || c->on[frame] == ON_NONE)
		return;
	take_out(c, frame);
	c->test[frame] = 0;
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
	for (; c->owed > 0 && c->hot.len > 0; c->owed--)
		if (!demote_one(c, env))
			break;
	while (n < max && c->looks.budget > 0) {
		uint32_t frame = c->cold.old;

		if (frame == POLICY_NIL || (!policy_may_look(&c->looks, frame) &&
					    ++passed > c->cold.len)) {
			if (!demote_one(c, env))
				break;
			passed = 0;
			continue;
		}
		if (!policy_may_look(&c->looks, frame)) {
			take_out(c, frame);
			to_head(c, ON_COLD, frame);
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
	seq = ghost_ring_add(&c->ring, c->stamp[frame], &expired_alive);
	c->credits -= expired_alive;	/* the oldest test ended unused */
	return shadow_make(NONRES, seq);
}

/* Not evicted after all: cold at the head, on test as it was. */
static void cp_put_back(struct policy *p, uint32_t frame)
{
	struct clockpro *c = cp_of(p);

	if (frame >= c->nframes || c->on[frame] != ON_NONE)
		return;
	c->test[frame] = c->left_test[frame];
	c->left_test[frame] = 0;
	to_head(c, ON_COLD, frame);
}

static uint32_t cp_tracked(const struct policy *p)
{
	const struct clockpro *c = (const struct clockpro *)p;

	return c->hot.len + c->cold.len;
}

const struct policy_ops policy_clockpro_ops = {
	.name = "clockpro",
	.summary = "CLOCK-Pro: LIRS as a clock, cold pages on test turn hot when reused, "
		   "the cold share adapted",
	.reads_bits = 1,
	.history = POLICY_HISTORY_SOME,
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
