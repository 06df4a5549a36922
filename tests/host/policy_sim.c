/*
 * The policy tests' pager model (policy_sim.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "reclaim/policy/mglru.h"
#include "reclaim/policy/toolkit.h"
#include "swap/shadow.h"
#include "policy_sim.h"

int sim_referenced(void *ctx, uint32_t frame)
{
	struct sim *s = ctx;
	int was;

	assert_true(frame < s->nframes);
	assert_true(s->tracked[frame]);
	s->ref_looks[frame]++;
	s->ref_calls++;
	if (s->offer_will_look) {
		if (!s->unannounced_ok)
			assert_true(s->announced[frame]);	/* every look comes announced */
		s->announced[frame] = 0;
	}
	if (s->sticky)
		return 1;
	if (s->coin) {
		*s->coin ^= *s->coin << 13;
		*s->coin ^= *s->coin >> 7;
		*s->coin ^= *s->coin << 17;
		return (int)(*s->coin >> 63);
	}
	was = s->accessed[frame];
	s->accessed[frame] = 0;
	return was;
}

int sim_evictable(void *ctx, uint32_t frame)
{
	struct sim *s = ctx;

	assert_true(frame < s->nframes);
	assert_true(s->tracked[frame]);
	s->evict_looks[frame]++;
	return !s->pinned[frame];
}

static int sim_cheap(void *ctx, uint32_t frame)
{
	struct sim *s = ctx;

	assert_true(frame < s->nframes);
	return !s->costly[frame];
}

static void sim_will_look(void *ctx, const uint32_t *frames, uint32_t n)
{
	struct sim *s = ctx;

	assert_true(n > 0 && n <= POLICY_LOOK_AHEAD);
	for (uint32_t k = 0; k < n; k++) {
		assert_true(frames[k] < s->nframes);
		s->announced[frames[k]] = 1;
	}
	s->will_look_calls++;
}

void sim_start(struct sim *s, const char *policy, uint32_t nframes, uint64_t seed)
{
	memset(s, 0, sizeof(*s));
	assert_true(nframes <= MAX_FRAMES);
	s->ops = policy_find(policy);
	assert_non_null(s->ops);
	s->p = s->ops->create(nframes, seed);
	assert_non_null(s->p);
	s->shadows = shadow_create(nframes, policy_shadows_per_frame(s->ops));
	assert_non_null(s->shadows);
	s->fault_bit = -1;
	s->nframes = nframes;
}

void sim_end(struct sim *s)
{
	if (strcmp(s->ops->name, "mglru") == 0) {
		const struct mglru *m = (const struct mglru *)(const void *)s->p;

		assert_int_equal(m->g.misuses, 0);
		assert_int_equal(m->quiet_wrong, 0);	/* built with MGLRU_CHECK_QUIET */
	}
	s->ops->destroy(s->p);
	shadow_destroy(s->shadows);
}

void sim_insert_shadow(struct sim *s, uint32_t frame, uint32_t shadow)
{
	s->ops->insert(s->p, frame, shadow);
	s->tracked[frame] = 1;
}

void sim_insert(struct sim *s, uint32_t frame)
{
	sim_insert_shadow(s, frame, 0);
}

void sim_start_filled(struct sim *s, const char *policy, uint32_t nframes)
{
	sim_start(s, policy, nframes, 0);
	for (uint32_t f = 0; f < nframes; f++)
		sim_insert(s, f);
}

void sim_put_back(struct sim *s, uint32_t frame)
{
	policy_put_back(s->ops, s->p, frame);
	s->tracked[frame] = 1;
}

void sim_kept(struct sim *s, uint32_t frame)
{
	policy_kept(s->ops, s->p, frame);
	s->tracked[frame] = 1;
}

void sim_remove(struct sim *s, uint32_t frame)
{
	s->ops->remove(s->p, frame);
	s->tracked[frame] = 0;
}

uint32_t tracked_count(const struct sim *s)
{
	uint32_t n = 0;

	for (uint32_t f = 0; f < s->nframes; f++)
		n += s->tracked[f];
	return n;
}

uint32_t sim_isolate(struct sim *s, uint32_t *victims, uint32_t max)
{
	const struct policy_env env = { .referenced = sim_referenced, .evictable = sim_evictable,
					.ctx = s, .max_looks = s->max_looks, .now = s->now,
					.cheap = s->offer_cheap ? sim_cheap : NULL,
					.will_look = s->offer_will_look ? sim_will_look : NULL };
	uint32_t before = s->ops->tracked(s->p), calls = s->ref_calls;
	uint32_t n;

	memset(s->ref_looks, 0, sizeof(s->ref_looks));
	memset(s->evict_looks, 0, sizeof(s->evict_looks));
	n = s->ops->isolate(s->p, &env, victims, max);
	assert_true(n <= max);
	if (s->max_looks)
		assert_true(s->ref_calls - calls <= s->max_looks);
	for (uint32_t f = 0; f < s->nframes; f++) {
		assert_true(s->ref_looks[f] <= 2);
		assert_true(s->evict_looks[f] <= 2);
	}
	for (uint32_t i = 0; i < n; i++) {
		assert_true(victims[i] < s->nframes);
		assert_true(s->tracked[victims[i]]);
		assert_false(s->pinned[victims[i]]);
		s->tracked[victims[i]] = 0;	/* also catches a victim given twice */
	}
	assert_int_equal(s->ops->tracked(s->p), before - n);
	assert_int_equal(s->ops->tracked(s->p), tracked_count(s));
	return n;
}

uint32_t frame_of(const struct sim *s, uint32_t page)
{
	for (uint32_t f = 0; f < s->nframes; f++)
		if (s->page[f] == page)
			return f;
	return NO_FRAME;
}

/* A call may meet only referenced frames and return none; it cleared their
 * bits, so a second call, with no reference in between, finds one. */
static uint32_t make_room(struct sim *s)
{
	uint32_t victim;

	for (int tries = 0; tries < 2; tries++) {
		if (sim_isolate(s, &victim, 1) == 0)
			continue;
		uint32_t shadow;

		assert_int_not_equal(s->page[victim], NO_PAGE);
		assert_true(s->nevicted < MAX_EVICTED);
		s->evicted[s->nevicted++] = s->page[victim];
		shadow = policy_evicted(s->ops, s->p, victim);
		s->shadowed += shadow != 0;
		s->fresh_evicted += s->fresh[victim];
		s->fresh_shadowed += s->fresh[victim] && shadow;
		if (shadow)
			shadow_store(s->shadows, s->page[victim], shadow);
		s->page[victim] = NO_PAGE;
		return victim;
	}
	fail_msg("%s found no victim in two calls", s->ops->name);
	return NO_FRAME;
}

void sim_ref(struct sim *s, uint32_t page)
{
	uint32_t f = frame_of(s, page);

	if (f == NO_FRAME) {
		uint32_t shadow = shadow_take(s->shadows, page);

		s->faults++;
		s->now++;
		s->remembered += shadow != 0;
		f = frame_of(s, NO_PAGE);	/* a free frame, lowest first */
		if (f == NO_FRAME)
			f = make_room(s);
		s->page[f] = page;
		s->fresh[f] = shadow == 0;
		sim_insert_shadow(s, f, shadow);
		s->accessed[f] = (uint8_t)(s->fault_bit < 0 ? s->ops->fault_counts : s->fault_bit);
		return;
	}
	s->accessed[f] = 1;
	s->fresh[f] = 0;
}

void sim_run(struct sim *s, const uint32_t *refs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sim_ref(s, refs[i]);
}

void assert_evicted(const struct sim *s, const uint32_t *want, uint32_t n)
{
	assert_int_equal(s->nevicted, n);
	assert_memory_equal(s->evicted, want, n * sizeof(*want));
}

#define LEN(a) (sizeof(a) / sizeof((a)[0]))
