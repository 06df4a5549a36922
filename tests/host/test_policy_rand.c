/*
 * Random sequences of every call policy.h allows, for every policy, checked
 * against its contract at each step (host-policy-rand). The pager model,
 * policy_sim.c, shared with test_policy.c, checks each isolate call; this
 * file draws the calls and keeps what a caller knows of each frame: free,
 * tracked, or isolated (taken by isolate, neither evicted nor put back).
 *
 * Fixed seeds, so a failure repeats; POLICY_RAND_SEEDS=n runs n seeds a
 * policy instead of SEEDS (to search more widely by hand).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "policy_sim.h"

#define SEEDS 100		/* per policy */
#define STEPS 3000		/* calls per seed */
#define MAX_SHADOWS 64		/* shadow words kept for later inserts */
#define TARGET_STEPS 500	/* steps between draws of a run's target */

enum frame_state { FREE, TRACKED, ISOLATED };

struct rand_run {
	struct sim s;
	uint64_t x;			/* the draws' xorshift64 state */
	uint64_t coin;			/* the looks' draws (sim.coin) */
	uint8_t state[MAX_FRAMES];
	uint8_t fresh_insert[MAX_FRAMES];	/* tracked since an insert of a page never seen */
	uint32_t shadows[MAX_SHADOWS];	/* words evicted() gave, not yet used */
	uint32_t nshadows;
	uint32_t victims_seen;		/* over the run, so a run proves something */
	uint32_t target;		/* frames the run fills towards, drawn anew */
};

/* Where a run stands, said if a check fails (teardown). */
static struct {
	const char *policy;
	uint64_t seed;
	int step;
	bool done;
} where;

static uint32_t draw(struct rand_run *r, uint32_t n)
{
	r->x ^= r->x << 13;
	r->x ^= r->x >> 7;
	r->x ^= r->x << 17;
	return n ? (uint32_t)((r->x >> 11) % n) : 0;
}

/* The caller's states and the policy's count agree with sim's record. */
static void check_counts(const struct rand_run *r)
{
	uint32_t tracked = 0;

	for (uint32_t f = 0; f < r->s.nframes; f++) {
		assert_int_equal(r->s.tracked[f], r->state[f] == TRACKED);
		tracked += r->state[f] == TRACKED;
	}
	assert_int_equal(r->s.ops->tracked(r->s.p), tracked);
}

static uint32_t take_shadow(struct rand_run *r)
{
	uint32_t k, w;

	if (r->nshadows == 0)
		return 0;
	k = draw(r, r->nshadows);
	w = r->shadows[k];
	r->shadows[k] = r->shadows[--r->nshadows];
	return w;
}

/* A frame the caller may insert (not tracked; an isolated one was freed
 * while isolated, its page gone without evicted or put_back). */
static void insert_one(struct rand_run *r, uint32_t f, uint32_t shadow)
{
	if (r->state[f] == TRACKED) {
		/* Tracked already: ignored, whatever the shadow. */
		r->s.ops->insert(r->s.p, f, shadow);
		return;
	}
	sim_insert_shadow(&r->s, f, shadow);
	r->state[f] = TRACKED;
	r->fresh_insert[f] = shadow == 0;
}

static void op_insert_run(struct rand_run *r)
{
	uint32_t run[8], n = 1 + draw(r, 8);

	for (uint32_t k = 0; k < n; k++)
		run[k] = draw(r, r->s.nframes);	/* repeats and tracked ones ignored */
	policy_insert_run(r->s.ops, r->s.p, run, n);
	for (uint32_t k = 0; k < n; k++) {
		uint32_t f = run[k];

		if (r->state[f] == TRACKED)
			continue;
		r->s.tracked[f] = 1;
		r->state[f] = TRACKED;
		r->fresh_insert[f] = 1;
	}
}

/* A frame inserted as a page never seen learns its page's history. */
static void op_refaulted(struct rand_run *r, uint32_t f)
{
	uint32_t shadow;

	if (r->state[f] != TRACKED || !r->fresh_insert[f] || r->nshadows == 0)
		return;
	shadow = take_shadow(r);
	policy_refaulted(r->s.ops, r->s.p, f, shadow);
	r->fresh_insert[f] = 0;
}

/* remove: a tracked frame stops being tracked; an isolated one was freed
 * (the policy does not track it: ignored); a free one is ignored. */
static void op_remove(struct rand_run *r, uint32_t f)
{
	sim_remove(&r->s, f);
	r->state[f] = FREE;
}

static void op_evicted(struct rand_run *r, uint32_t f)
{
	uint32_t shadow;

	if (r->state[f] != ISOLATED)
		return;
	shadow = policy_evicted(r->s.ops, r->s.p, f);
	r->state[f] = FREE;
	if (shadow && r->nshadows < MAX_SHADOWS)
		r->shadows[r->nshadows++] = shadow;
}

/* An isolated frame back: not evicted (put_back), or used meanwhile
 * (kept). */
static void op_put_back(struct rand_run *r, uint32_t f, int used)
{
	if (r->state[f] != ISOLATED)
		return;
	if (used)
		sim_kept(&r->s, f);
	else
		sim_put_back(&r->s, f);
	r->state[f] = TRACKED;
}

/* Victims the policy gave up on the caller's side: isolated now. */
static void took(struct rand_run *r, const uint32_t *victims, uint32_t n)
{
	for (uint32_t k = 0; k < n; k++) {
		assert_int_equal(r->state[victims[k]], TRACKED);	/* sim_isolate checked */
		r->state[victims[k]] = ISOLATED;
		r->fresh_insert[victims[k]] = 0;
	}
	r->victims_seen += n;
}

/* One isolate call with drawn max, look budget and env hooks; sim_isolate
 * checks it (at most max victims, tracked and evictable, none twice, at
 * most two looks a frame, at most max_looks in all). */
static void op_isolate(struct rand_run *r)
{
	uint32_t victims[MAX_FRAMES + 2];
	uint32_t max = draw(r, 4) == 0 ? draw(r, r->s.nframes + 3) : draw(r, 5);
	uint32_t n;

	r->s.max_looks = draw(r, 2) ? 0 : 1 + draw(r, 2 * r->s.nframes);
	r->s.offer_cheap = (uint8_t)draw(r, 2);
	r->s.offer_will_look = (uint8_t)draw(r, 2);
	r->s.coin = draw(r, 3) == 0 ? &r->coin : NULL;
	n = sim_isolate(&r->s, victims, max);
	r->s.coin = NULL;
	took(r, victims, n);
}

/*
 * Liveness as policy.h states it: no look budget, every tracked frame
 * evictable and read unreferenced by every look, isolate names
 * min(max, tracked) victims. (The program stops, its bits cleared, nothing
 * pinned; what earlier calls read of the frames is the policy's to weigh.)
 */
static void op_liveness(struct rand_run *r)
{
	uint32_t victims[MAX_FRAMES + 3];
	uint32_t max = 1 + draw(r, r->s.nframes + 3);
	uint32_t tracked = r->s.ops->tracked(r->s.p);
	uint32_t n;

	for (uint32_t f = 0; f < r->s.nframes; f++)
		r->s.accessed[f] = r->s.pinned[f] = 0;
	r->s.max_looks = 0;
	r->s.offer_cheap = (uint8_t)draw(r, 2);
	r->s.offer_will_look = (uint8_t)draw(r, 2);
	n = sim_isolate(&r->s, victims, max);
	if (n != (max < tracked ? max : tracked))
		fail_msg("%s tracks %u frames, all evictable and unreferenced, and named %u of %u",
			 r->s.ops->name, tracked, n, max);
	took(r, victims, n);
}

/* A frame the policy does not track, if one is (else any): where inserts
 * go while the run fills towards its target. */
static uint32_t untracked_frame(struct rand_run *r)
{
	uint32_t start = draw(r, r->s.nframes);

	for (uint32_t k = 0; k < r->s.nframes; k++) {
		uint32_t f = (start + k) % r->s.nframes;

		if (r->state[f] != TRACKED)
			return f;
	}
	return start;
}

/* Below its target the run grows three times in four (the policy is seen full,
 * empty and between, as the target is drawn anew); otherwise any call. */
static void step(struct rand_run *r)
{
	uint32_t op = draw(r, 100), f = draw(r, r->s.nframes);

	if (r->s.ops->tracked(r->s.p) < r->target && draw(r, 4)) {
		f = untracked_frame(r);
		op = draw(r, 27);	/* one of the inserts below */
	}
	if (op < 16)
		insert_one(r, f, 0);
	else if (op < 22)
		insert_one(r, f, take_shadow(r));
	else if (op < 27)
		op_insert_run(r);
	else if (op < 30)
		op_refaulted(r, f);
	else if (op < 38)
		op_remove(r, f);
	else if (op < 40 && r->state[f] == ISOLATED)
		r->state[f] = FREE;	/* freed while isolated, no call */
	else if (op < 52)
		op_evicted(r, f);
	else if (op < 56)
		op_put_back(r, f, 0);
	else if (op < 58)
		op_put_back(r, f, 1);
	else if (op < 70) {
		r->s.accessed[f] = 1;	/* the program used it */
		r->s.now++;
	} else if (op < 74)
		r->s.pinned[f] ^= 1;
	else if (op < 76)
		r->s.costly[f] ^= 1;
	else if (op < 98)
		op_isolate(r);
	else
		op_liveness(r);
	check_counts(r);
}

/* Frame counts a run may draw: tiny ones find the edges, 64 the walks. */
static const uint32_t frame_counts[] = { 1, 2, 3, 5, 8, 13, 24, 64 };

static void run_seed(const struct policy_ops *ops, uint64_t seed)
{
	static struct rand_run r;

	memset(&r, 0, sizeof(r));
	r.x = seed * 0x9e3779b97f4a7c15ull + 1;
	r.coin = seed ^ 0x5851f42d4c957f2dull;
	sim_start(&r.s, ops->name, frame_counts[seed % LEN(frame_counts)], seed);
	r.s.unannounced_ok = 1;
	for (where.step = 0; where.step < STEPS; where.step++) {
		if (where.step % TARGET_STEPS == 0)
			r.target = draw(&r, r.s.nframes + 1);
		step(&r);
	}
	/* Hand every isolated frame back, then empty the policy. */
	for (uint32_t f = 0; f < r.s.nframes; f++)
		op_put_back(&r, f, f % 2);
	for (uint32_t f = 0; f < r.s.nframes; f++)
		op_remove(&r, f);
	check_counts(&r);
	assert_true(r.victims_seen > 0);
	sim_end(&r.s);
}

static uint64_t seeds(void)
{
	const char *env = getenv("POLICY_RAND_SEEDS");

	return env ? strtoull(env, NULL, 10) : SEEDS;
}

static void test_rand(void **state)
{
	const struct policy_ops *ops = *state;
	uint64_t n = seeds();

	where.policy = ops->name;
	where.done = false;
	for (where.seed = 1; where.seed <= n; where.seed++)
		run_seed(ops, where.seed);
	where.done = true;
}

static int setup(void **state)
{
	(void)state;
	return 0;
}

/* Runs after a failed check too: say where, so that it can be repeated. */
static int teardown(void **state)
{
	(void)state;
	if (!where.done)
		fprintf(stderr, "# %s: seed %llu, step %d\n", where.policy,
			(unsigned long long)where.seed, where.step);
	return 0;
}

int main(void)
{
	struct CMUnitTest tests[16];
	size_t n = 0;

	for (size_t i = 0; policy_all[i] && n < LEN(tests); i++) {
		tests[n] = (struct CMUnitTest)cmocka_unit_test_prestate_setup_teardown(
			test_rand, setup, teardown, (void *)policy_all[i]);
		tests[n].name = policy_all[i]->name;
		n++;
	}
	return _cmocka_run_group_tests("policy_rand", tests, n, NULL, NULL);
}
