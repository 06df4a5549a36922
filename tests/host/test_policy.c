/*
 * Host tests for the replacement policies (pager/reclaim/policy*.c): victims checked
 * by hand on small reference strings, run through a tiny pager model (with
 * the pager's shadow table for evicted pages' history), and the contract of
 * policy.h that every policy keeps whatever it is told.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "reclaim/policy/ghost_ring.h"
#include "reclaim/policy/mglru.h"
#include "reclaim/policy/mglru_gens.h"
#include "reclaim/policy/mglru_tiers.h"
#include "reclaim/policy/toolkit.h"
#include "swap/shadow.h"
#include "policy_sim.h"

/* The sanitizer runtime's count of bytes allocated and not yet freed
 * (sanitizer/allocator_interface.h, not shipped with every compiler): the
 * host tests always run under ASan (tests/host/meson.build). */
size_t __sanitizer_get_current_allocated_bytes(void);

#define BUDGET_FRAMES 4096u	/* a 16 MiB machine; twice that for the slope */

/* Bytes a shadow table for nframes, per_frame entries a frame, allocates. */
static size_t shadow_allocated(uint32_t nframes, uint32_t per_frame)
{
	size_t before = __sanitizer_get_current_allocated_bytes(), got;
	struct shadow_table *t = shadow_create(nframes, per_frame);

	assert_non_null(t);
	got = __sanitizer_get_current_allocated_bytes() - before;
	shadow_destroy(t);
	return got;
}

/* Bytes CLOCK-Pro's ring of non-resident pages allocates for nframes (it
 * holds as many pages as frames: clockpro_clock.c). */
static size_t ring_allocated(uint32_t nframes)
{
	size_t before = __sanitizer_get_current_allocated_bytes(), got;
	struct ghost_ring r;

	assert_int_equal(ghost_ring_alloc(&r, nframes), 0);
	got = __sanitizer_get_current_allocated_bytes() - before;
	ghost_ring_free(&r);
	return got;
}

/* Bytes a frame of history costs, measured: what is allocated for twice
 * the frames less what for BUDGET_FRAMES, so fixed headers cancel. */
static size_t per_frame(size_t (*measure)(uint32_t, uint32_t), uint32_t arg)
{
	return (measure(2 * BUDGET_FRAMES, arg) - measure(BUDGET_FRAMES, arg)) / BUDGET_FRAMES;
}

static size_t ring_measure(uint32_t nframes, uint32_t unused)
{
	(void)unused;
	return ring_allocated(nframes);
}

/* History stays within 16 bytes per frame for every policy, as allocated:
 * the shadow table's bytes and the policy's own ghost state together
 * (CLOCK-Pro's ring, the only policy with own_history_bytes, which must be
 * what the ring takes). Nor is a whole shadow entry's worth left unused. */
static void test_history_budget(void **state)
{
	size_t ring = per_frame(ring_measure, 0);

	(void)state;
	for (const struct policy_ops *const *o = policy_all; *o; o++) {
		uint32_t per = policy_shadows_per_frame(*o);
		size_t own = strcmp((*o)->name, "clockpro") == 0 ? ring : 0;
		size_t shadows = per_frame(shadow_allocated, per);

		assert_int_equal((*o)->own_history_bytes, own);
		assert_true(shadows + own <= POLICY_HISTORY_BYTES);
		assert_true(shadows + own > POLICY_HISTORY_BYTES - POLICY_SHADOW_ENTRY_BYTES);
		assert_true(shadow_allocated(BUDGET_FRAMES, per) <=
			    BUDGET_FRAMES * (POLICY_HISTORY_BYTES - own) + 128);
	}
}

/*
 * 3 frames, CLOCK's own rule (a page comes in unreferenced). 1,2,3 fill
 * them. 4: the hand takes 1 at once. 2 is referenced again, so at 5 it gets
 * a second chance and 3 goes (FIFO evicts 2 there). 1: takes 4, the page
 * behind the hand. 3: takes 2, its bit cleared at 5 and not set since. 5 is
 * used; at 2 it gets its second chance and 1 goes; 6 takes 3.
 *
 * The same string with the fault counted (the bit set at every fault, as
 * the kernel maps pages): 4: the hand clears 1,2,3 and comes round to 1.
 * At 5, 2 gets its second chance and 3 goes. 1: the hand clears 4, takes 2.
 * 3: clears 5, takes 4. 2: clears 1,5,3 in a full turn and takes 1, then 6
 * takes 5, cleared on that turn and not referenced since.
 */
static void test_clock_second_chance(void **state)
{
	static const uint32_t refs[] = { 1, 2, 3, 4, 2, 5, 1, 3, 5, 2, 6 };
	static const uint32_t clock_victims[] = { 1, 3, 4, 2, 1, 3 };
	static const uint32_t clock_set_victims[] = { 1, 3, 2, 4, 1, 5 };
	static const uint32_t fifo_victims[] = { 1, 2, 3, 4, 5, 1 };
	struct sim s;

	(void)state;
	sim_start(&s, "clock", 3, 0);
	assert_int_equal(s.ops->fault_counts, 0);
	sim_run(&s, refs, LEN(refs));
	assert_evicted(&s, clock_victims, LEN(clock_victims));
	assert_int_equal(s.faults, 9);
	sim_end(&s);

	sim_start(&s, "clock", 3, 0);
	s.fault_bit = 1;
	sim_run(&s, refs, LEN(refs));
	assert_evicted(&s, clock_set_victims, LEN(clock_set_victims));
	assert_int_equal(s.faults, 9);
	sim_end(&s);

	sim_start(&s, "fifo", 3, 0);
	sim_run(&s, refs, LEN(refs));
	assert_evicted(&s, fifo_victims, LEN(fifo_victims));
	sim_end(&s);
}

/* The hand stays just past the last victim: the next call starts there,
 * not at frame 0, even when a frame behind the hand is free to go. */
static void test_clock_hand_resumes(void **state)
{
	struct sim s;
	uint32_t v;

	(void)state;
	sim_start(&s, "clock", 4, 0);
	for (uint32_t f = 0; f < 4; f++)
		sim_insert(&s, f);
	assert_int_equal(sim_isolate(&s, &v, 1), 1);
	assert_int_equal(v, 0);
	assert_int_equal(sim_isolate(&s, &v, 1), 1);
	assert_int_equal(v, 1);
	sim_insert(&s, 0);
	assert_int_equal(sim_isolate(&s, &v, 1), 1);
	assert_int_equal(v, 2);
	s.accessed[3] = 1;	/* second chance: skipped, then 0 goes */
	assert_int_equal(sim_isolate(&s, &v, 1), 1);
	assert_int_equal(v, 0);
	assert_int_equal(sim_isolate(&s, &v, 1), 1);
	assert_int_equal(v, 3);
	assert_int_equal(s.ops->tracked(s.p), 0);
	sim_end(&s);
}

/*
 * lru2 needs two referenced looks at an inactive page to promote it: the
 * first look at a page just faulted in always says referenced (the model, like
 * the kernel, sets the bit at the fault), so it only marks the page and sends
 * it round the inactive list once more. 4 frames; the inactive list is kept
 * at a third or more (2 of 4 frames).
 *
 * idle: 1..4 load inactive, bits set. 5: the first call finds all four
 * referenced, marks them and rotates them, promoting none, and finds nothing;
 * the second finds them all unreferenced since and takes the oldest, 1.
 * Inactive is now 5 (bit set), 4, 3, 2 (marked, bits clear). 6 takes 2.
 *
 * early: 1 used again before any look is still one referenced look (the bit
 * cannot count): 1 is rotated, not promoted, and goes at 5 all the same.
 *
 * reused: 2, 3 and 4, used after that first look, are referenced on their
 * second: 6 promotes them, and rotates 5, referenced only by its fault, which
 * the second call takes (see the demotion test). Promoting on one look would
 * have promoted 5 too, and taken 2 instead, a page just used.
 */
static void test_lru2_promotion(void **state)
{
	static const uint32_t idle[] = { 1, 2, 3, 4, 5, 6 };
	static const uint32_t idle_victims[] = { 1, 2 };
	static const uint32_t early[] = { 1, 2, 3, 4, 1, 5, 6 };
	static const uint32_t early_victims[] = { 1, 2 };
	static const uint32_t reused[] = { 1, 2, 3, 4, 5, 2, 3, 4, 6 };
	static const uint32_t reused_victims[] = { 1, 5 };
	struct sim s;

	(void)state;
	sim_start(&s, "lru2", 4, 0);
	sim_run(&s, idle, LEN(idle));
	assert_evicted(&s, idle_victims, LEN(idle_victims));
	assert_int_equal(s.faults, 6);
	sim_end(&s);

	sim_start(&s, "lru2", 4, 0);
	sim_run(&s, early, LEN(early));
	assert_evicted(&s, early_victims, LEN(early_victims));
	assert_int_equal(frame_of(&s, 1), NO_FRAME);
	sim_end(&s);

	sim_start(&s, "lru2", 4, 0);
	sim_run(&s, reused, LEN(reused));
	assert_evicted(&s, reused_victims, LEN(reused_victims));
	for (uint32_t page = 2; page <= 4; page++)
		assert_int_not_equal(frame_of(&s, page), NO_FRAME);
	sim_end(&s);
}

/*
 * The active list ages when it holds more than two thirds of the frames: an
 * idle active page goes back to the inactive head, unmarked, and is the
 * victim there unless referenced; a referenced one gets another round.
 *
 * The promotion test's reused string, on. 1..5: 1 goes; 2, 3, 4 are marked
 * and used again. 6: the first call promotes 2, 3 and 4 (their second
 * referenced look), rotates 5 (its first) and finds nothing. The second finds
 * three active against one inactive: 2, at the active tail and not used
 * since its promotion, is demoted, and 5, used only at its fault, goes. 7
 * takes 2, demoted and idle since. 3 is used. 8: the first call rotates 6
 * and 7 (fresh) and finds nothing, the second takes 6. 7 is used. 9 promotes
 * 7, which makes three active against one inactive again: 3, at the active
 * tail but used, gets another round there; 4, idle, is demoted; 8 (fresh) is
 * rotated, and 4 goes, demoted and evicted in one call.
 */
static void test_lru2_demotion(void **state)
{
	static const uint32_t refs[] = { 1, 2, 3, 4, 5, 2, 3, 4, 6, 7, 3, 8, 7, 9 };
	static const uint32_t victims[] = { 1, 5, 2, 6, 4 };
	struct sim s;

	(void)state;
	sim_start(&s, "lru2", 4, 0);
	sim_run(&s, refs, LEN(refs));
	assert_evicted(&s, victims, LEN(victims));
	assert_int_not_equal(frame_of(&s, 3), NO_FRAME);
	assert_int_not_equal(frame_of(&s, 7), NO_FRAME);
	sim_end(&s);
}

/* Referenced on two looks, by calls made with the bits set each time. */
static void promote_all(struct sim *s, uint32_t from, uint32_t to)
{
	uint32_t v;

	for (int look = 0; look < 2; look++) {
		for (uint32_t f = from; f < to; f++)
			s->accessed[f] = 1;
		assert_int_equal(sim_isolate(s, &v, 1), 0);
	}
}

/*
 * The first referenced look at an inactive frame marks it and sets it aside
 * for the rest of the call, so the call never looks at it twice, and it goes
 * back to the inactive head. A call that meets only such fresh frames does
 * not age the active list for them (the inactive list is not short: they are
 * still inactive) and finds nothing; the next one takes the oldest of them.
 * remove and insert clear the mark, and so does a look that finds the frame
 * unreferenced.
 */
static void test_lru2_rotation(void **state)
{
	struct sim s;
	uint32_t v;

	(void)state;
	sim_start(&s, "lru2", 6, 0);
	for (uint32_t f = 0; f < 4; f++)
		sim_insert(&s, f);
	promote_all(&s, 0, 4);		/* 0..3 active, bits clear */
	sim_insert(&s, 4);
	sim_insert(&s, 5);
	s.accessed[4] = s.accessed[5] = 1;
	assert_int_equal(sim_isolate(&s, &v, 1), 0);
	for (uint32_t f = 0; f < 4; f++)
		assert_int_equal(s.ref_looks[f], 0);	/* the active list not aged */
	assert_int_equal(s.ref_looks[4], 1);
	assert_int_equal(s.ref_looks[5], 1);
	assert_int_equal(sim_isolate(&s, &v, 1), 1);
	assert_int_equal(v, 4);		/* the older, marked and unused since */
	sim_end(&s);

	/* 0 and 1 are marked by a first look; 0 is removed and inserted again,
	 * a new page; both are referenced. 1 is promoted, 0 only marked again,
	 * so with nothing referenced since, 0 goes. Had 0 kept its mark, both
	 * would be active, and 1, at the active tail, would go. */
	sim_start(&s, "lru2", 2, 0);
	sim_insert(&s, 0);
	sim_insert(&s, 1);
	s.accessed[0] = s.accessed[1] = 1;
	assert_int_equal(sim_isolate(&s, &v, 1), 0);
	sim_remove(&s, 0);
	sim_insert(&s, 0);
	s.accessed[0] = s.accessed[1] = 1;
	assert_int_equal(sim_isolate(&s, &v, 1), 0);
	assert_int_equal(sim_isolate(&s, &v, 1), 1);
	assert_int_equal(v, 0);
	sim_end(&s);

	/* A look that finds a marked frame unreferenced clears the mark, also
	 * when the frame is pinned and stays: 0 and 1 are marked, then found
	 * idle, 0 pinned (kept), 1 taken and put back. Both referenced: 0, its
	 * mark gone, is only marked again, like 1, and goes first. */
	sim_start(&s, "lru2", 2, 0);
	sim_insert(&s, 0);
	sim_insert(&s, 1);
	s.accessed[0] = s.accessed[1] = 1;
	assert_int_equal(sim_isolate(&s, &v, 1), 0);
	s.pinned[0] = 1;
	assert_int_equal(sim_isolate(&s, &v, 1), 1);
	assert_int_equal(v, 1);
	sim_insert(&s, 1);
	s.pinned[0] = 0;
	s.accessed[0] = s.accessed[1] = 1;
	assert_int_equal(sim_isolate(&s, &v, 1), 0);
	assert_int_equal(sim_isolate(&s, &v, 1), 1);
	assert_int_equal(v, 0);
	sim_end(&s);
}

/*
 * The inactive list is refilled to a third of the tracked frames. 6 frames,
 * all just loaded: a first call marks all six, a second (all referenced
 * again) promotes them, and both find nothing. The third demotes 0 and 1 (2
 * of 6 inactive) and takes 0: three looks in all, as demoted frames are
 * looked at again on the inactive list. The fourth finds 1 of 5 inactive,
 * demotes 2 and takes 1.
 */
static void test_lru2_inactive_third(void **state)
{
	struct sim s;
	uint32_t v, calls;

	(void)state;
	sim_start(&s, "lru2", 6, 0);
	for (uint32_t f = 0; f < 6; f++)
		sim_insert(&s, f);
	promote_all(&s, 0, 6);
	assert_int_equal(s.ref_calls, 12);
	calls = s.ref_calls;
	assert_int_equal(sim_isolate(&s, &v, 1), 1);
	assert_int_equal(v, 0);
	assert_int_equal(s.ref_calls - calls, 3);
	calls = s.ref_calls;
	assert_int_equal(sim_isolate(&s, &v, 1), 1);
	assert_int_equal(v, 1);
	assert_int_equal(s.ref_calls - calls, 2);
	sim_end(&s);
}

/* Inactive frames that may not go now must not hide idle active ones: 0..3
 * are promoted by two calls, then 4 and 5 come in pinned. Inactive is a
 * third, but all of it pinned, so the call demotes from active to find 0. */
static void test_lru2_pinned_inactive(void **state)
{
	struct sim s;
	uint32_t v;

	(void)state;
	sim_start(&s, "lru2", 6, 0);
	for (uint32_t f = 0; f < 4; f++)
		sim_insert(&s, f);
	promote_all(&s, 0, 4);
	sim_insert(&s, 4);
	sim_insert(&s, 5);
	s.pinned[4] = s.pinned[5] = 1;
	assert_int_equal(sim_isolate(&s, &v, 1), 1);
	assert_int_equal(v, 0);
	assert_int_equal(s.evict_looks[4], 1);
	assert_int_equal(s.evict_looks[5], 1);
	sim_end(&s);
}

/* Evict frame (isolated already) as the pager does: its shadow. */
static uint32_t sim_evict(struct sim *s, uint32_t frame)
{
	return policy_evicted(s->ops, s->p, frame);
}

/*
 * lru2's refault distance (Linux's workingset): 6 frames, 0..3 promoted to
 * active (four promotions), 4 and 5 inactive, bits clear. A third of the
 * frames is inactive, so nothing is demoted and 4, the oldest inactive,
 * goes (the fifth eviction or promotion). Faulted back at once (distance 0,
 * below the active list's 4), it goes straight to the active list: then 5
 * goes, and the active list, now 5 against 0 inactive, is aged until a
 * third is inactive again (0, then 1 demoted), so the next victim is 0.
 * Faulted back with a distance of 4 or more, or with no shadow, 4 starts
 * inactive: 5 goes, then 4 itself.
 */
static void test_lru2_refault(void **state)
{
	uint32_t v, shadow;
	struct sim s;

	(void)state;
	for (int far = 0; far <= 2; far++) {
		sim_start(&s, "lru2", 6, 0);
		for (uint32_t f = 0; f < 4; f++)
			sim_insert(&s, f);
		promote_all(&s, 0, 4);
		sim_insert(&s, 4);
		sim_insert(&s, 5);
		assert_int_equal(sim_isolate(&s, &v, 1), 1);
		assert_int_equal(v, 4);
		shadow = sim_evict(&s, 4);
		assert_int_not_equal(shadow, 0);
		if (far == 1)	/* four more evictions or promotions since */
			shadow = shadow_make(shadow_kind(shadow), shadow_value(shadow) - 4);
		if (far == 2)	/* its history was lost */
			shadow = 0;
		sim_insert_shadow(&s, 4, shadow);
		assert_int_equal(sim_isolate(&s, &v, 1), 1);
		assert_int_equal(v, 5);
		assert_int_equal(sim_isolate(&s, &v, 1), 1);
		assert_int_equal(v, far ? 4 : 0);
		sim_end(&s);
	}
}

/*
 * A page used between every other one is never the victim. Its first look
 * (every frame just loaded, so referenced) only marks it; its second finds it
 * used again and promotes it, and on the active list every look finds it used
 * again. That first call can only go by load order: page 1 is loaded last to
 * keep that tie out of the test. FIFO takes page 1 all the same.
 */
static bool contains(const struct sim *s, uint32_t page)
{
	for (uint32_t i = 0; i < s->nevicted; i++)
		if (s->evicted[i] == page)
			return true;
	return false;
}

/*
 * A short second trip, in program time (env->now, pages brought in), does
 * not show a page idle to a call with a look limit. 64 frames, all just
 * loaded (bits set), 64 pages brought in. A call of 4 looks marks 0..3.
 * The program uses 0 and brings in one page. A call of 64 looks marks
 * 4..63, promotes 0, and meets 1, 2, 3 unreferenced after a trip of 1
 * page, under a sixteenth of the 63 inactive frames (3): it passes them
 * over and, out of looks, takes nothing (before, it took 1). A call with
 * no limit (a fault waits) judges as before: the tail, 4, marked no time
 * ago, goes. At 67 pages (a trip of 2 for 5..63) a 4-look call passes over
 * 5..8; at 68 (a trip of 3, a sixteenth of the 62 inactive frames) the
 * next takes 9, the tail now.
 */
static void test_lru2_short_trip(void **state)
{
	struct sim s;
	uint32_t v;

	(void)state;
	sim_start(&s, "lru2", 64, 0);
	for (uint32_t f = 0; f < 64; f++) {
		sim_insert(&s, f);
		s.accessed[f] = 1;
	}
	s.now = 64;
	s.max_looks = 4;
	assert_int_equal(sim_isolate(&s, &v, 1), 0);
	s.accessed[0] = 1;
	s.now = 65;
	s.max_looks = 64;
	assert_int_equal(sim_isolate(&s, &v, 1), 0);
	for (uint32_t f = 0; f < 4; f++)
		assert_int_equal(s.ref_looks[f], 1);
	assert_int_equal(s.ops->tracked(s.p), 64);
	s.max_looks = 0;
	assert_int_equal(sim_isolate(&s, &v, 1), 1);
	assert_int_equal(v, 4);
	s.now = 67;
	s.max_looks = 4;
	assert_int_equal(sim_isolate(&s, &v, 1), 0);
	for (uint32_t f = 5; f < 9; f++)
		assert_int_equal(s.ref_looks[f], 1);
	s.now = 68;
	assert_int_equal(sim_isolate(&s, &v, 1), 1);
	assert_int_equal(v, 9);
	sim_end(&s);
}

static void test_lru2_keeps_hot_page(void **state)
{
	uint32_t refs[3 + 2 * 18] = { 2, 3, 4 };
	struct sim s;

	(void)state;
	for (uint32_t k = 0; k < 18; k++) {
		refs[3 + 2 * k] = 1;
		refs[4 + 2 * k] = 5 + k;
	}
	sim_start(&s, "lru2", 4, 0);
	sim_run(&s, refs, LEN(refs));
	assert_int_equal(s.faults, 3 + 1 + 18);
	assert_int_equal(s.nevicted, 18);
	assert_false(contains(&s, 1));
	sim_end(&s);

	sim_start(&s, "fifo", 4, 0);
	sim_run(&s, refs, LEN(refs));
	assert_true(contains(&s, 1));
	sim_end(&s);
}

/*
 * SIEVE against CLOCK, 3 frames, both with pages coming in unreferenced.
 * 1 2 3 fill the queue (old end first); 1 is used. 4: the hand, from the
 * old end, passes 1 (clearing it) and takes 2; 4 joins the young end. 5:
 * the hand takes 3. 6: the hand is on 4, ahead of 1: 4 goes. 7 takes 5;
 * 1, used again, stays at the old end behind the hand: 8 takes 6. SIEVE
 * never evicts 1. CLOCK's hand, after 2 and 3, comes round to 1's frame
 * at 6 and takes 1 (cleared at 4); 7 takes 4, in 2's old frame; 1 faults
 * back into 5's frame, and 8 takes 6.
 */
static void test_sieve_quick_demotion(void **state)
{
	static const uint32_t refs[] = { 1, 2, 3, 1, 4, 5, 6, 7, 1, 8 };
	static const uint32_t sieve_victims[] = { 2, 3, 4, 5, 6 };
	static const uint32_t clock_victims[] = { 2, 3, 1, 4, 5, 6 };
	struct sim s;

	(void)state;
	sim_start(&s, "sieve", 3, 0);
	assert_int_equal(s.ops->fault_counts, 0);
	sim_run(&s, refs, LEN(refs));
	assert_evicted(&s, sieve_victims, LEN(sieve_victims));
	assert_false(contains(&s, 1));
	sim_end(&s);

	sim_start(&s, "clock", 3, 0);
	sim_run(&s, refs, LEN(refs));
	assert_evicted(&s, clock_victims, LEN(clock_victims));
	sim_end(&s);
}

/* The hand stays where it stopped: after a victim it is on the next frame
 * towards the young end, and a frame inserted behind it (at the young end)
 * is reached only after the frames between. */
static void test_sieve_hand(void **state)
{
	struct sim s;
	uint32_t v;

	(void)state;
	sim_start(&s, "sieve", 4, 0);
	for (uint32_t f = 0; f < 4; f++)
		sim_insert(&s, f);
	s.accessed[0] = s.accessed[1] = 1;
	assert_int_equal(sim_isolate(&s, &v, 1), 1);
	assert_int_equal(v, 2);		/* 0 and 1 passed, bits cleared */
	sim_insert(&s, 2);		/* the young end: 0 1 3 2 */
	s.accessed[3] = 1;
	assert_int_equal(sim_isolate(&s, &v, 1), 1);
	assert_int_equal(v, 2);		/* the hand was on 3 */
	sim_insert(&s, 2);
	assert_int_equal(sim_isolate(&s, &v, 1), 1);
	assert_int_equal(v, 0);		/* wrapped to the old end */
	sim_end(&s);
}

/*
 * S3-FIFO, 10 frames: S's share is 1 frame, G holds 9 evictions from S.
 * 0..9 come in (all in S); 2 and 5 are used. Victims come from S's old end
 * while S holds its share: 0, 1, then 2 (used) moves on to M and 3 goes.
 * 0 faults back while still in G (2 evictions from S since): straight to
 * M, behind 2. 1 faults back with no history: S. Then 4; 5 (used) moves on
 * to M, 6 and 7 go; 8, 9, 1 go and S is empty, so M gives the next: 2,
 * unused since it moved; 0 is used and goes round, and 5 goes. 0 stays.
 */
static void test_s3fifo_queues(void **state)
{
	static const uint32_t want[] = { 4, 6, 7, 8, 9, 1, 2, 5 };
	uint32_t v[3], shadow0;
	struct sim s;

	(void)state;
	sim_start(&s, "s3fifo", 10, 0);
	for (uint32_t f = 0; f < 10; f++)
		sim_insert(&s, f);
	s.accessed[2] = s.accessed[5] = 1;
	assert_int_equal(sim_isolate(&s, v, 1), 1);
	assert_int_equal(v[0], 0);
	shadow0 = sim_evict(&s, 0);
	assert_int_not_equal(shadow0, 0);
	assert_int_equal(sim_isolate(&s, v, 2), 2);
	assert_int_equal(v[0], 1);
	assert_int_equal(v[1], 3);
	sim_evict(&s, 1);
	sim_evict(&s, 3);
	sim_insert_shadow(&s, 0, shadow0);
	sim_insert(&s, 1);
	for (size_t i = 0; i < LEN(want); i++) {
		if (want[i] == 5)
			s.accessed[0] = 1;
		assert_int_equal(sim_isolate(&s, v, 1), 1);
		assert_int_equal(v[0], want[i]);
		/* Evicted from S: remembered in G; from M: not. */
		if (want[i] == 2 || want[i] == 5)
			assert_int_equal(sim_evict(&s, v[0]), 0);
		else
			assert_int_not_equal(sim_evict(&s, v[0]), 0);
	}
	assert_true(s.tracked[0]);
	sim_end(&s);
}

/* G holds as many evictions from S as M has frames: a page evicted from S
 * comes back to M while fewer than 9 pages (of 10 frames) left S since, and
 * to S after that, like a page never seen. In M it is never taken while S
 * keeps its share (each victim's frame gets a new page, in S); in S it goes
 * after the nine pages ahead of it. */
static void test_s3fifo_ghost_length(void **state)
{
	(void)state;
	for (uint32_t later = 8; later <= 9; later++) {
		struct sim s;
		uint32_t v, shadow0;

		sim_start(&s, "s3fifo", 10, 0);
		for (uint32_t f = 0; f < 10; f++)
			sim_insert(&s, f);
		assert_int_equal(sim_isolate(&s, &v, 1), 1);
		assert_int_equal(v, 0);
		shadow0 = sim_evict(&s, 0);
		for (uint32_t k = 0; k < later; k++) {
			assert_int_equal(sim_isolate(&s, &v, 1), 1);
			sim_evict(&s, v);
			sim_insert(&s, v);	/* a new page in its frame, in S */
		}
		sim_insert_shadow(&s, 0, shadow0);
		for (uint32_t k = 0; k < 9; k++) {
			assert_int_equal(sim_isolate(&s, &v, 1), 1);
			assert_int_not_equal(v, 0);
			sim_evict(&s, v);
			sim_insert(&s, v);
		}
		assert_int_equal(sim_isolate(&s, &v, 1), 1);
		if (later == 8)
			assert_int_not_equal(v, 0);
		else
			assert_int_equal(v, 0);
		sim_end(&s);
	}
}

/*
 * 2Q, 8 frames: Kin 2 (25%), Kout 4 (50%). 0..7 come in, all to A1in; 3 is
 * used, which A1in ignores. A1in holds more than Kin, so it gives the
 * victims in FIFO order without a look: 0, 1, 2, each remembered in A1out.
 * 0 and 1 fault back within Kout evictions from A1in: Am. 2 comes back with
 * no history: A1in. Victims: 3, 4, 5, 6 from A1in until it is down to Kin;
 * then Am's clock: 0 (used) goes round, 1 goes, forgotten.
 */
static void test_2q_queues(void **state)
{
	static const uint32_t want[] = { 3, 4, 5, 6, 1 };
	uint32_t v[5], shadow[3];
	struct sim s;

	(void)state;
	sim_start(&s, "2q", 8, 0);
	for (uint32_t f = 0; f < 8; f++)
		sim_insert(&s, f);
	s.accessed[3] = 1;
	assert_int_equal(sim_isolate(&s, v, 3), 3);
	assert_int_equal(s.ref_calls, 0);
	for (uint32_t i = 0; i < 3; i++) {
		assert_int_equal(v[i], i);
		shadow[i] = sim_evict(&s, i);
		assert_int_not_equal(shadow[i], 0);
	}
	sim_insert_shadow(&s, 0, shadow[0]);
	sim_insert_shadow(&s, 1, shadow[1]);
	sim_insert(&s, 2);
	s.accessed[0] = 1;
	assert_int_equal(sim_isolate(&s, v, 5), 5);
	assert_memory_equal(v, want, sizeof(want));
	assert_int_equal(sim_evict(&s, 1), 0);		/* from Am: forgotten */
	assert_int_not_equal(sim_evict(&s, 3), 0);	/* from A1in: A1out */
	assert_true(s.tracked[0]);
	sim_end(&s);
}

/* A1out holds Kout evictions from A1in: 0, evicted first, comes back to Am
 * after 3 more evictions (every frame refilled), to A1in after 4. Then six
 * victims: from A1in while it holds more than Kin; in Am, 0 is the sixth,
 * in A1in it is still there after them. */
static void test_2q_a1out_length(void **state)
{
	(void)state;
	for (uint32_t later = 3; later <= 4; later++) {
		uint32_t v[6], shadow0;
		struct sim s;

		sim_start(&s, "2q", 8, 0);
		for (uint32_t f = 0; f < 8; f++)
			sim_insert(&s, f);
		assert_int_equal(sim_isolate(&s, v, 1), 1);
		shadow0 = sim_evict(&s, v[0]);
		for (uint32_t k = 0; k < later; k++) {
			assert_int_equal(sim_isolate(&s, v, 1), 1);
			sim_evict(&s, v[0]);
			sim_insert(&s, v[0]);
		}
		sim_insert_shadow(&s, 0, shadow0);
		assert_int_equal(sim_isolate(&s, v, 6), 6);
		if (later == 3)
			assert_int_equal(v[5], 0);
		else
			assert_true(s.tracked[0]);
		sim_end(&s);
	}
}

/*
 * 2Q, 16 frames (Kin 4): page 0 is in use, the others a stream, each
 * victim's frame filled again with a new page of it. 0 came first and is
 * A1in's first victim; used while its write was in flight (kept), it was
 * used after its stay in A1in, as a page faulted back while in A1out is,
 * and goes to Am, where its use, seen at each look, keeps it while the
 * stream goes through A1in twice over. Back in A1in (put_back's way) it
 * would be blind to that use and go again at the end of a second stay
 * (the fifteenth victim here): a hot page lost twice (guest-swap-2q's
 * policy_hot_set once saw 63 such faults after the first turn).
 */
static void test_2q_kept_to_am(void **state)
{
	uint32_t v;
	struct sim s;

	(void)state;
	sim_start_filled(&s, "2q", 16);
	assert_int_equal(sim_isolate(&s, &v, 1), 1);
	assert_int_equal(v, 0);
	sim_kept(&s, 0);
	for (uint32_t k = 0; k < 32; k++) {
		s.accessed[0] = 1;
		assert_int_equal(sim_isolate(&s, &v, 1), 1);
		assert_int_not_equal(v, 0);
		sim_evict(&s, v);
		sim_insert(&s, v);
	}
	assert_true(s.tracked[0]);
	sim_end(&s);
}

/*
 * CAR, 4 frames. 0..3 join T1 (p = 0). 0 and 1 go, into B1. Both fault
 * back while in B1: each says T1 was too small, p grows to 1 and then 2,
 * and they join T2. T1 = 2 3, T2 = 0 1. 2 is used. T1 holds p = 2 pages,
 * so T1's hand turns: 2 (used) moves on to T2, and T1 is now below p, so
 * T2's hand turns: 0 goes, into B2. 0 faults back from B2: T2 was too
 * small, p drops to 1, and T1's hand (1 page, p 1) takes 3. Had p not
 * adapted, the third victim would have been 3, not 0.
 */
static void test_car_adapts(void **state)
{
	uint32_t v[2], s0, s1;
	struct sim s;

	(void)state;
	sim_start(&s, "car", 4, 0);
	for (uint32_t f = 0; f < 4; f++)
		sim_insert(&s, f);
	assert_int_equal(sim_isolate(&s, v, 2), 2);
	assert_int_equal(v[0], 0);
	assert_int_equal(v[1], 1);
	s0 = sim_evict(&s, 0);
	s1 = sim_evict(&s, 1);
	sim_insert_shadow(&s, 0, s0);
	sim_insert_shadow(&s, 1, s1);
	s.accessed[2] = 1;
	assert_int_equal(sim_isolate(&s, v, 1), 1);
	assert_int_equal(v[0], 0);
	s0 = sim_evict(&s, 0);
	assert_int_not_equal(s0, 0);
	sim_insert_shadow(&s, 0, s0);
	assert_int_equal(sim_isolate(&s, v, 1), 1);
	assert_int_equal(v[0], 3);
	sim_end(&s);

	/* Without the ghosts (history lost): all four in T1 again, 2 used;
	 * T1's hand moves 2 on to T2 and takes 3. */
	sim_start(&s, "car", 4, 0);
	for (uint32_t f = 0; f < 4; f++)
		sim_insert(&s, f);
	assert_int_equal(sim_isolate(&s, v, 2), 2);
	sim_evict(&s, 0);
	sim_evict(&s, 1);
	sim_insert(&s, 0);
	sim_insert(&s, 1);
	s.accessed[2] = 1;
	assert_int_equal(sim_isolate(&s, v, 1), 1);
	assert_int_equal(v[0], 3);
	sim_end(&s);
}

/*
 * CLOCK-Pro, 8 frames: the cold share's minimum is 2, so 0..5 come in hot
 * and 6, 7 cold, on test. HAND_cold takes 6, which stays in the clock as a
 * non-resident page on test. 6 faults back on test: hot, and a demotion
 * owed; the next call first turns the oldest hot page, 0, cold (off test),
 * then HAND_cold takes 7 and then 0, which leaves no history (it was off
 * test). A page faulted back with no history comes in cold, on test, and
 * goes before any hot page.
 */
static void test_clockpro_hands(void **state)
{
	uint32_t v[2], shadow6;
	struct sim s;

	(void)state;
	sim_start(&s, "clockpro", 8, 0);
	for (uint32_t f = 0; f < 8; f++)
		sim_insert(&s, f);
	assert_int_equal(sim_isolate(&s, v, 1), 1);
	assert_int_equal(v[0], 6);
	shadow6 = sim_evict(&s, 6);
	assert_int_not_equal(shadow6, 0);
	sim_insert_shadow(&s, 6, shadow6);
	assert_int_equal(sim_isolate(&s, v, 2), 2);
	assert_int_equal(v[0], 7);
	assert_int_equal(v[1], 0);
	assert_int_not_equal(sim_evict(&s, 7), 0);
	assert_int_equal(sim_evict(&s, 0), 0);
	sim_insert(&s, 0);
	assert_int_equal(sim_isolate(&s, v, 1), 1);
	assert_int_equal(v[0], 0);
	sim_end(&s);
}

/* LIRS's strength: a loop of 12 pages in 10 frames. CLOCK (and LRU) fault
 * on every reference; CLOCK-Pro keeps most of the loop hot and faults on
 * about two pages per pass once warm. */
static void test_clockpro_loop(void **state)
{
	uint32_t refs[12 * 20];
	struct sim s;

	(void)state;
	for (uint32_t i = 0; i < LEN(refs); i++)
		refs[i] = 1 + i % 12;
	sim_start(&s, "clock", 10, 0);
	sim_run(&s, refs, LEN(refs));
	assert_int_equal(s.faults, LEN(refs));
	sim_end(&s);
	sim_start(&s, "clockpro", 10, 0);
	sim_run(&s, refs, LEN(refs));
	assert_true(s.faults <= 12 + 19 * 4);
	sim_end(&s);
}

/*
 * The generational policy, 8 frames. The policy starts with four
 * generations, three empty; 0..7 join the second youngest. The first call
 * closes the empty ones, ages (a new youngest), and evicts from the oldest
 * in order: 0. 1 and 3 are used: met by eviction they move to the youngest
 * (look-around), and 2, 4, 5, 6 and 7 go first; when the oldest is empty,
 * aging twice finds 1 and 3 unused since, and they go.
 */
/* A take from the wait list with none waiting takes nothing, counted as
 * a misuse (it took the oldest frame, and waiting wrapped). */
static void test_mglru_take_waiting_none(void **state)
{
	struct mglru_gens g;

	(void)state;
	assert_int_equal(mglru_gens_alloc(&g, 4), 0);
	mglru_gens_put(&g, g.min_seq, 1);
	assert_int_equal(mglru_gens_take_waiting(&g), POLICY_NIL);
	assert_int_equal(mglru_gens_tracked(&g), 1);
	assert_int_equal(g.waiting, 0);
	assert_int_equal(g.misuses, 1);
	mglru_gens_free(&g);
}

/* An env callback that changes the policy's frames while frames wait
 * (policy.h forbids it): each entry point counts the call as a misuse, so
 * sim_end's misuses == 0 means none came. cheap() says no frame is cheap,
 * so the frames met wait; at the second (one waits) it makes the call. */
enum misuse_call { MISUSE_INSERT, MISUSE_INSERT_RUN, MISUSE_REMOVE, MISUSE_REFAULTED,
		   MISUSE_PUT_BACK, MISUSE_CALLS };

struct misuse_ctx {
	const struct policy_ops *ops;
	struct policy *p;
	enum misuse_call call;
	uint32_t cheap_calls;
};

static int misuse_referenced(void *ctx, uint32_t frame)
{
	(void)ctx;
	(void)frame;
	return 0;
}

static int misuse_evictable(void *ctx, uint32_t frame)
{
	(void)ctx;
	(void)frame;
	return 1;
}

static int misuse_cheap(void *ctx, uint32_t frame)
{
	struct misuse_ctx *c = ctx;
	const uint32_t untracked = 8;

	(void)frame;
	if (++c->cheap_calls != 2)
		return 0;
	switch (c->call) {
	case MISUSE_INSERT: c->ops->insert(c->p, untracked, 0); break;
	case MISUSE_INSERT_RUN: c->ops->insert_run(c->p, &untracked, 1); break;
	case MISUSE_REMOVE: c->ops->remove(c->p, 7); break;
	case MISUSE_REFAULTED: c->ops->refaulted(c->p, 7, 0); break;
	case MISUSE_PUT_BACK: c->ops->put_back(c->p, untracked); break;
	default: fail();
	}
	return 0;
}

static void test_mglru_misuse_counted(void **state)
{
	uint32_t v[4];

	(void)state;
	for (int call = 0; call < MISUSE_CALLS; call++) {
		struct misuse_ctx c = { .ops = policy_find("mglru"), .call = (enum misuse_call)call };
		const struct policy_env env = { .referenced = misuse_referenced,
						.evictable = misuse_evictable,
						.cheap = misuse_cheap, .ctx = &c };

		c.p = c.ops->create(9, 1);
		assert_non_null(c.p);
		for (uint32_t f = 0; f < 8; f++)
			c.ops->insert(c.p, f, 0);
		c.ops->isolate(c.p, &env, v, 4);
		assert_true(c.cheap_calls >= 2);
		assert_int_equal(((const struct mglru *)(const void *)c.p)->g.misuses, 1);
		c.ops->destroy(c.p);
	}
}

static void test_mglru_generations(void **state)
{
	static const uint32_t want[] = { 0, 2, 4, 5, 6, 7, 1, 3 };
	uint32_t v;
	struct sim s;

	(void)state;
	sim_start_filled(&s, "mglru", 8);
	assert_int_equal(sim_isolate(&s, &v, 1), 1);
	assert_int_equal(v, 0);
	s.accessed[1] = s.accessed[3] = 1;
	for (size_t i = 1; i < LEN(want); i++) {
		assert_int_equal(sim_isolate(&s, &v, 1), 1);
		assert_int_equal(v, want[i]);
	}
	sim_end(&s);
}

/* A recent refault joins the youngest generation; a page with no history
 * the second youngest. 0 goes first and faults back at once; every later
 * victim's frame gets a new page. After 1..7, the next victim is 1 (the
 * oldest new page) if 0 came back with its shadow, and 0 itself if not.
 * The same when the frame is taken in as new and given its history after
 * (policy_refaulted, as the pager learns it when the read ends). */
static void test_mglru_refault(void **state)
{
	(void)state;
	for (int remembered = 0; remembered <= 1; remembered++)
	for (int late = 0; late <= remembered; late++) {
		uint32_t v, shadow0;
		struct sim s;

		sim_start_filled(&s, "mglru", 8);
		assert_int_equal(sim_isolate(&s, &v, 1), 1);
		shadow0 = sim_evict(&s, 0);
		assert_int_not_equal(shadow0, 0);
		sim_insert_shadow(&s, 0, remembered && !late ? shadow0 : 0);
		s.pinned[0] = 0;
		if (late)
			policy_refaulted(s.ops, s.p, 0, shadow0);
		for (uint32_t k = 1; k < 8; k++) {
			assert_int_equal(sim_isolate(&s, &v, 1), 1);
			assert_int_equal(v, k);
			sim_evict(&s, v);
			sim_insert(&s, v);
		}
		assert_int_equal(sim_isolate(&s, &v, 1), 1);
		assert_int_equal(v, remembered ? 1 : 0);
		sim_end(&s);
	}
}

/* A page's history given late (policy_refaulted after an aging opened a
 * generation since its frame was taken in as new, so the page moves)
 * places it where an insert with that history at the same moment would:
 * the two runs below differ only in that (frame 0, held through the call
 * that ages, is the page), and evict the same pages in the same order. */
static void test_mglru_refault_after_aging(void **state)
{
	uint32_t order[2][8], v;

	(void)state;
	for (int late = 0; late <= 1; late++) {
		uint32_t shadow0, looks_before;
		struct sim s;

		sim_start_filled(&s, "mglru", 8);
		assert_int_equal(sim_isolate(&s, &v, 1), 1);
		shadow0 = sim_evict(&s, v);
		assert_int_equal(v, 0);
		if (late)	/* taken in as new, and held (pinned) through the call */
			sim_insert_shadow(&s, 0, 0);
		s.pinned[0] = (uint8_t)late;
		/* Every other page used, then one call: they move up, and the
		 * call ages (it looks at more pages than it evicts). */
		for (uint32_t f = 1; f < 8; f++)
			s.accessed[f] = 1;
		looks_before = s.ref_calls;
		assert_int_equal(sim_isolate(&s, &v, 1), 1);
		assert_true(s.ref_calls - looks_before > 7);
		s.pinned[0] = 0;
		if (late)
			policy_refaulted(s.ops, s.p, 0, shadow0);
		else
			sim_insert_shadow(&s, 0, shadow0);
		sim_evict(&s, v);
		sim_insert(&s, v);
		for (uint32_t k = 0; k < 8; k++) {
			assert_int_equal(sim_isolate(&s, &order[late][k], 1), 1);
			sim_evict(&s, order[late][k]);
		}
		sim_end(&s);
	}
	assert_memory_equal(order[0], order[1], sizeof(order[0]));
}

/* Cheaper victims first among equals: in the oldest generation, 0 and 1
 * are costly, the rest cheap. A call for two takes 2 (cheap) and then 0
 * (the wait list outgrew what was left to find); 1 goes back to the old
 * end, and the next call takes 3 over it. Offered no cheap(), the order
 * is the generation's. */
static void test_mglru_cheap_first(void **state)
{
	uint32_t v[2];
	struct sim s;

	(void)state;
	sim_start_filled(&s, "mglru", 8);
	s.offer_cheap = 1;
	s.costly[0] = s.costly[1] = 1;
	assert_int_equal(sim_isolate(&s, v, 2), 2);
	assert_int_equal(v[0], 2);
	assert_int_equal(v[1], 0);
	assert_int_equal(sim_isolate(&s, v, 1), 1);
	assert_int_equal(v[0], 3);
	s.offer_cheap = 0;
	assert_int_equal(sim_isolate(&s, v, 1), 1);
	assert_int_equal(v[0], 1);
	sim_end(&s);
}

/* Tiers as Linux counts uses (lru_tier_from_refs of folio_lru_refs): none
 * or one use is tier 0, two tier 1, three or four tier 2; a recent
 * refault counts one more, and only a refault reaches tier 3. */
static void test_mglru_tier_of_uses(void **state)
{
	static const uint32_t plain[] = { 0, 0, 1, 2, 2 }, refault[] = { 1, 1, 2, 2, 3 };

	(void)state;
	for (uint32_t uses = 0; uses < LEN(plain); uses++) {
		assert_int_equal(mglru_tier(uses, 0), plain[uses]);
		assert_int_equal(mglru_tier(uses, 1), refault[uses]);
	}
}

/* A page used once leaves at tier 0, as one never used: 8 frames, 1 is
 * found referenced once (moved to the youngest generation) and goes last,
 * its shadow naming tier 0. */
static void test_mglru_one_use_tier_0(void **state)
{
	uint32_t v = 0, shadow = 0;
	struct sim s;

	(void)state;
	sim_start_filled(&s, "mglru", 8);
	s.accessed[1] = 1;
	for (int k = 0; k < 8; k++) {
		assert_int_equal(sim_isolate(&s, &v, 1), 1);
		shadow = sim_evict(&s, v);
	}
	assert_int_equal(v, 1);
	assert_int_equal(shadow_kind(shadow), 0);
	sim_end(&s);
}

/* A page that may not go now is kept before its bit is read (Linux's
 * sort_folio decides so before any look at page tables): 8 frames, 0 is
 * pinned and was used; the call takes 1 without asking whether 0 was
 * referenced, and 0's bit is still set for the next look. */
static void test_mglru_unevictable_unseen(void **state)
{
	uint32_t v;
	struct sim s;

	(void)state;
	sim_start_filled(&s, "mglru", 8);
	s.pinned[0] = 1;
	s.accessed[0] = 1;
	assert_int_equal(sim_isolate(&s, &v, 1), 1);
	assert_int_equal(v, 1);
	assert_int_equal(s.evict_looks[0], 1);
	assert_int_equal(s.ref_looks[0], 0);
	assert_int_equal(s.accessed[0], 1);
	sim_end(&s);
}

/* A page kept without a look still counts towards its two meetings a call
 * (policy_pass), as toolkit.h promises: 8 frames, all pinned, one call.
 * Each is passed in the oldest generation and again one generation up;
 * met a third time, the call stops with no victim and no bit read. Without
 * the count the walk would still end, aging's generations being capped,
 * but only after meeting each frame a third time. */
static void test_mglru_pinned_met_twice(void **state)
{
	uint32_t v;
	struct sim s;

	(void)state;
	sim_start_filled(&s, "mglru", 8);
	for (uint32_t f = 0; f < 8; f++)
		s.pinned[f] = 1;
	assert_int_equal(sim_isolate(&s, &v, 1), 0);
	for (uint32_t f = 0; f < 8; f++) {
		assert_int_equal(s.evict_looks[f], 2);
		assert_int_equal(s.ref_looks[f], 0);
	}
	sim_end(&s);
}

/*
 * A page whose tier is protected is kept before its bit is read, as Linux's
 * sort_folio keeps it before folio_referenced: 8 frames, one victim a call.
 * 0..3 join, 0 goes (the first call ages). 0 comes back 200 times as a
 * recent refault of tier 1 (its shadow word names the tier and min_seq),
 * so the controller protects every tier above 0, and it sits at tier 3 in
 * the youngest generation; 4 and 5 join the generation below. 1, 2 and 3
 * go; the next call ages, finding 0 idle, and takes 4. 6 joins after 0,
 * and 0 is used. 5 goes; then the generation of 0 and 6 is the oldest:
 * 0, protected, moves up unread (a look would have found it referenced and
 * moved it to the youngest), and 6 goes.
 */
static void test_mglru_protected_unseen(void **state)
{
	static const uint32_t before[] = { 1, 2, 3, 4 };
	uint32_t v, shadow;
	struct sim s;

	(void)state;
	sim_start(&s, "mglru", 8, 0);
	for (uint32_t f = 0; f <= 3; f++)
		sim_insert(&s, f);
	assert_int_equal(sim_isolate(&s, &v, 1), 1);
	assert_int_equal(v, 0);
	shadow = shadow_make(1, shadow_value(sim_evict(&s, 0)));
	for (int k = 0; k < 200; k++) {
		sim_insert_shadow(&s, 0, shadow);
		sim_remove(&s, 0);
	}
	sim_insert_shadow(&s, 0, shadow);
	sim_insert(&s, 4);
	sim_insert(&s, 5);
	for (size_t i = 0; i < LEN(before); i++) {
		assert_int_equal(sim_isolate(&s, &v, 1), 1);
		assert_int_equal(v, before[i]);
		sim_evict(&s, v);
	}
	assert_int_equal(s.ref_looks[0], 1);	/* aging found it idle */
	sim_insert(&s, 6);
	s.accessed[0] = 1;
	assert_int_equal(sim_isolate(&s, &v, 1), 1);
	assert_int_equal(v, 5);
	sim_evict(&s, v);
	assert_int_equal(sim_isolate(&s, &v, 1), 1);
	assert_int_equal(v, 6);
	assert_int_equal(s.ref_looks[0], 0);
	assert_int_equal(s.accessed[0], 1);
	sim_end(&s);
}

/* Aging opens a generation only by a whole walk. 8 frames: 1 and 2 are
 * found referenced and move to the youngest generation while 0 and 3..6
 * go; the oldest generation, down to 7, is then small enough that aging
 * is due, walking 1 and 2. A call allowed one look cannot walk them: with
 * three generations it evicts without aging (7, one look); with two it
 * must stop (no victim, no look). A call with no limit walks them (1 was
 * referenced again and stays) and takes 2. */
static void test_mglru_whole_walk(void **state)
{
	static const uint32_t want[] = { 0, 3, 4, 5, 6 };
	uint32_t v, looks;
	struct sim s;

	(void)state;
	sim_start_filled(&s, "mglru", 8);
	s.accessed[1] = s.accessed[2] = 1;
	for (size_t i = 0; i < LEN(want); i++) {
		assert_int_equal(sim_isolate(&s, &v, 1), 1);
		assert_int_equal(v, want[i]);
	}
	s.accessed[1] = 1;
	s.max_looks = 1;
	looks = s.ref_calls;
	assert_int_equal(sim_isolate(&s, &v, 1), 1);
	assert_int_equal(v, 7);
	assert_int_equal(s.ref_calls, looks + 1);
	assert_int_equal(sim_isolate(&s, &v, 1), 0);
	assert_int_equal(s.ref_calls, looks + 1);
	s.max_looks = 0;
	assert_int_equal(sim_isolate(&s, &v, 1), 1);
	assert_int_equal(v, 2);
	sim_end(&s);
}

/* xorshift64: the choices of test_mglru_quiet_steps_hold, fixed by a seed. */
static uint32_t next_rand(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return (uint32_t)(*x >> 32);
}

/* One call of test_mglru_quiet_steps_hold: frames used (a hot prefix of
 * hot frames, seldom the others), pinned and costly at random, a call with
 * a random look budget (small ones: can_walk says no) and batch, its
 * victims evicted or put back, and some free frames filled again (some as
 * recent refaults). */
static void quiet_call(struct sim *s, uint64_t *x, uint32_t *shadow)
{
	static const uint32_t budgets[] = { 0, 1, 2, 3, 5, 8, 16, 40 };
	uint32_t victims[8], n, hot = next_rand(x) % (s->nframes + 1);

	for (uint32_t f = 0; f < s->nframes; f++) {
		uint32_t r = next_rand(x);

		s->accessed[f] |= f < hot ? r % 4 != 0 : r % 16 == 0;
		s->pinned[f] = (r >> 8) % 32 == 0;
		s->costly[f] = (r >> 16) % 4 == 0;
	}
	s->max_looks = budgets[next_rand(x) % LEN(budgets)];
	n = sim_isolate(s, victims, 1 + next_rand(x) % LEN(victims));
	for (uint32_t i = 0; i < n; i++) {
		if (next_rand(x) % 4 == 0)
			sim_put_back(s, victims[i]);
		else
			shadow[victims[i]] = policy_evicted(s->ops, s->p, victims[i]);
	}
	for (uint32_t f = 0; f < s->nframes; f++)
		if (!s->tracked[f] && next_rand(x) % 3 == 0)
			sim_insert_shadow(s, f, next_rand(x) % 2 ? shadow[f] : 0);
}

/* mglru's eviction skips asking about aging and closing for the steps
 * mglru_quiet_steps allows; built with MGLRU_CHECK_QUIET it asks anyway,
 * without acting, at each skipped ask and counts the answers that differ
 * (sim_end: none). Driven through many calls with generations of varied
 * sizes, varied references, batches and look budgets; the skips must be
 * many for the check to mean something. */
static void test_mglru_quiet_steps_hold(void **state)
{
	static const uint32_t sizes[] = { 8, 13, 32, MAX_FRAMES };
	uint64_t checked = 0;

	(void)state;
	for (size_t z = 0; z < LEN(sizes); z++) {
		for (uint64_t seed = 1; seed <= 8; seed++) {
			uint64_t x = seed * 0x9e3779b97f4a7c15u;
			uint32_t shadow[MAX_FRAMES] = { 0 };
			struct sim s;

			sim_start_filled(&s, "mglru", sizes[z]);
			s.offer_cheap = seed % 2;
			for (int call = 0; call < 500; call++)
				quiet_call(&s, &x, shadow);
			checked += ((const struct mglru *)(const void *)s.p)->quiet_checked;
			sim_end(&s);
		}
	}
	assert_true(checked > 10000);
}

/* 8 frames filled under mglru, one victim a call, each evicted: before
 * call k the frames in the mask uses[k] are used; call k takes want[k],
 * with looks[k] looks for the first nlooks calls. */
static void check_mglru_calls(const uint32_t *uses, const uint32_t *want, size_t n,
			      const uint32_t *looks, size_t nlooks)
{
	uint32_t v, before;
	struct sim s;

	sim_start_filled(&s, "mglru", 8);
	for (size_t call = 0; call < n; call++) {
		for (uint32_t f = 0; f < 8; f++)
			s.accessed[f] |= uses[call] >> f & 1;
		before = s.ref_calls;
		assert_int_equal(sim_isolate(&s, &v, 1), 1);
		assert_int_equal(v, want[call]);
		if (call < nlooks)
			assert_int_equal(s.ref_calls - before, looks[call]);
		sim_evict(&s, v);
	}
	sim_end(&s);
}

/* Aging reads a page's bit once while it stays in its generation: the bit
 * then gathers every reference, and eviction reads it before the page can
 * go. 8 frames, one victim a call. 1..6 are referenced: the second call
 * moves them up and takes 7; the third ages, reading 5 and 6 (idle, they
 * stay), and takes 1. 2..5 are referenced again: in the fourth call the
 * oldest generation shrinks to a quarter, so it ages again, and reads
 * neither 5 nor 6 (the old walk read both: 6 looks, not 5); eviction then
 * finds 5's reference, kept in its bit, and takes 6. */
static void test_mglru_ages_once_per_generation(void **state)
{
	static const uint32_t uses[] = { 0, 0x7e, 0, 0x3c, 0, 0, 0, 0 },
			      want[] = { 0, 7, 1, 6, 2, 3, 4, 5 }, looks[] = { 1, 7, 3, 5 };

	(void)state;
	check_mglru_calls(uses, want, LEN(want), looks, LEN(looks));
}

/* Nor does aging read again a page its own look moved up: the look
 * cleared the bit as the page joined the new generation. 8 frames, one
 * victim a call. 1..6 are used: the second call moves them to the
 * youngest generation (look-around) and takes 7. 5 and 6 are used again:
 * the third call ages, finds them referenced and moves them into the
 * generation it opens, and takes 1. 2 and 3 go; the sixth call ages again
 * (the youngest, 5 and 6, holds more than half the pages) and reads
 * neither (the old walk read both: 3 looks, not 1); 4 goes, then 5 and 6. */
static void test_mglru_aging_reads_its_moves_once(void **state)
{
	static const uint32_t uses[] = { 0, 0x7e, 0x60, 0, 0, 0, 0, 0 },
			      want[] = { 0, 7, 1, 2, 3, 4, 5, 6 },
			      looks[] = { 1, 7, 3, 1, 1, 1, 1, 1 };

	(void)state;
	check_mglru_calls(uses, want, LEN(want), looks, LEN(looks));
}

/* Looks announced in batches (mglru walks its lists): every look was
 * announced first, a batch serves many looks, and the victims are the same
 * as with no announcements. */
static void test_mglru_announces_looks(void **state)
{
	uint32_t v[2][MAX_FRAMES], n[2] = { 0, 0 }, calls = 0, looks = 0;

	(void)state;
	for (int offer = 0; offer <= 1; offer++) {
		struct sim s;

		sim_start_filled(&s, "mglru", MAX_FRAMES);
		s.offer_will_look = (uint8_t)offer;
		for (int round = 0; round < 4; round++) {
			for (uint32_t f = (uint32_t)round; f < MAX_FRAMES; f += 3)
				s.accessed[f] = 1;
			n[offer] += sim_isolate(&s, v[offer] + n[offer], 4);
		}
		calls = s.will_look_calls;
		looks = s.ref_calls;
		sim_end(&s);
	}
	assert_int_equal(n[0], n[1]);
	assert_memory_equal(v[0], v[1], n[0] * sizeof(v[0][0]));
	assert_true(looks > 0);
	assert_true(calls * 4 <= looks);
}

/* Six calls for LEN(v) victims each, every `every`-th frame referenced
 * before each (from a moving start); the most frames a call announced and
 * never asked, and their total. */
static void announce_rounds(struct sim *s, uint32_t every, uint32_t *v, uint32_t nv,
			    uint32_t *most, uint32_t *total)
{
	*most = *total = 0;
	for (uint32_t round = 0; round < 6; round++) {
		uint32_t unasked = 0;

		for (uint32_t f = round; f < MAX_FRAMES; f += every)
			s->accessed[f] = 1;
		memset(s->announced, 0, sizeof(s->announced));
		assert_int_equal(sim_isolate(s, v, nv), nv);
		for (uint32_t f = 0; f < MAX_FRAMES; f++)
			unasked += s->announced[f];
		*most = unasked > *most ? unasked : *most;
		*total += unasked;
	}
}

/* mglru's eviction announces no more looks than may end its search
 * (policy_looks_expect): a call leaves fewer frames announced and never
 * looked at than it takes victims (whole batches of 32 left 12 to 27 here,
 * with some frames referenced each round). */
static void test_mglru_announces_what_it_may_need(void **state)
{
	struct sim s;
	uint32_t v[4], calls, looks, most, total;

	(void)state;
	sim_start_filled(&s, "mglru", MAX_FRAMES);
	s.offer_will_look = 1;
	announce_rounds(&s, 5, v, LEN(v), &most, &total);
	assert_true(most < LEN(v));
	/* With costly pages waiting (the pager's cheap-first search) and
	 * some referenced, aging walks too, which may announce frames the
	 * call looked at already: fewer unasked than victims on average (17
	 * here; whole batches left 12 to 27 a round), and announcements stay
	 * batches (~5 looks each here), not a look each. */
	s.offer_cheap = 1;
	for (uint32_t f = 0; f < MAX_FRAMES; f += 3)
		s.costly[f] = 1;
	calls = s.will_look_calls;
	looks = s.ref_calls;
	announce_rounds(&s, 4, v, LEN(v), &most, &total);
	print_message("cheap-first rounds: %u looks in %u announcements, %u unasked\n",
		      s.ref_calls - looks, s.will_look_calls - calls, total);
	assert_true(total < 6 * LEN(v));
	assert_true((s.will_look_calls - calls) * 2 <= s.ref_calls - looks);
	sim_end(&s);
}

/* Belady's anomaly: one more frame, one more fault. FIFO never asks for
 * referenced bits. */
static void test_fifo_belady(void **state)
{
	static const uint32_t refs[] = { 1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5 };
	struct sim s;

	(void)state;
	sim_start(&s, "fifo", 3, 0);
	sim_run(&s, refs, LEN(refs));
	assert_int_equal(s.faults, 9);
	assert_int_equal(s.ref_calls, 0);
	sim_end(&s);

	sim_start(&s, "fifo", 4, 0);
	sim_run(&s, refs, LEN(refs));
	assert_int_equal(s.faults, 10);
	assert_int_equal(s.ref_calls, 0);
	sim_end(&s);
}

/* A fixed pseudo-random string over 12 pages, for 5 frames. */
static void random_refs(uint32_t *refs, size_t n)
{
	uint32_t x = 12345;

	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		refs[i] = 1 + (x >> 16) % 12;
	}
}

static void run_random(struct sim *s, uint64_t seed, const uint32_t *refs, size_t n)
{
	sim_start(s, "random", 5, seed);
	sim_run(s, refs, n);
	sim_end(s);
}

static void test_random_repeats(void **state)
{
	uint32_t refs[200];
	struct sim a, b, c, zero;

	(void)state;
	random_refs(refs, LEN(refs));
	run_random(&a, 42, refs, LEN(refs));
	run_random(&b, 42, refs, LEN(refs));
	run_random(&c, 43, refs, LEN(refs));
	run_random(&zero, 0, refs, LEN(refs));
	assert_true(a.nevicted > 50);
	assert_int_equal(a.nevicted, b.nevicted);
	assert_memory_equal(a.evicted, b.evicted, a.nevicted * sizeof(a.evicted[0]));
	assert_true(a.nevicted != c.nevicted ||
		    memcmp(a.evicted, c.evicted, a.nevicted * sizeof(a.evicted[0])) != 0);
	assert_true(zero.nevicted > 50);	/* seed 0 is a seed like any other */
	assert_true(a.nevicted != zero.nevicted ||
		    memcmp(a.evicted, zero.evicted, a.nevicted * sizeof(a.evicted[0])) != 0);
}

/* The first victim of 3000 runs, one per seed, from frames 0..3 with 2
 * pinned: about a thousand each for 0, 1 and 3 (fixed seeds, no flakes). */
static void test_random_uniform(void **state)
{
	uint32_t hits[4] = { 0 };

	(void)state;
	for (uint64_t seed = 0; seed < 3000; seed++) {
		struct sim s;
		uint32_t v;

		sim_start(&s, "random", 4, seed);
		for (uint32_t f = 0; f < 4; f++)
			sim_insert(&s, f);
		s.pinned[2] = 1;
		assert_int_equal(sim_isolate(&s, &v, 1), 1);
		hits[v]++;
		sim_end(&s);
	}
	assert_int_equal(hits[2], 0);
	for (uint32_t f = 0; f < 4; f++)
		if (f != 2)
			assert_in_range(hits[f], 900, 1100);
}

/* Every frame of s referenced whose number has bit `round` set (some
 * referenced, some not, differently each round). */
static void touch_pattern(struct sim *s, uint32_t round)
{
	for (uint32_t f = 0; f < s->nframes; f++)
		s->accessed[f] = (uint8_t)((f >> (round % 5)) & 1);
}

/* A policy's insert_run (a fault-around run) leaves it as inserting each
 * frame in turn would: a twin fed frame by frame names the same victims in
 * the same order, round after round. Only policies with the hook are
 * tried (policy_insert_run is that loop for the others), and at least one
 * must have it. The contract (policy.h) makes insert_run insert each frame
 * in turn, and insert ignores a tracked frame: so a run may name a frame
 * tracked before it or earlier in itself, each ignored. A frame past the
 * end is the caller's bug (insert asks frame < nframes); the policies
 * ignore it as their insert does, and so must the run. A refault's insert
 * with a shadow falls between the runs. */
static void test_insert_run_as_inserts(void **state)
{
	static const uint32_t run1[] = { 5, 3, 9, 1, 12, 13, 14, 15, 16 };
	static const uint32_t run2[] = { 2, 5, 17, 18, 17, 19, 20, 24, 21, UINT32_MAX, 22, 23, 22 };
	uint32_t va[24], vb[24];
	unsigned tried = 0;

	(void)state;
	for (size_t i = 0; policy_all[i]; i++) {
		struct sim a, b;
		uint32_t na, nb, shadow;

		if (!policy_all[i]->insert_run)
			continue;
		tried++;
		sim_start(&a, policy_all[i]->name, 24, 7);
		sim_start(&b, policy_all[i]->name, 24, 7);
		policy_insert_run(a.ops, a.p, run1, 9);
		for (uint32_t k = 0; k < 9; k++)
			b.ops->insert(b.p, run1[k], 0);
		for (uint32_t k = 0; k < 9; k++)
			a.tracked[run1[k]] = b.tracked[run1[k]] = 1;
		touch_pattern(&a, 0);
		touch_pattern(&b, 0);
		/* Take one victim: a's and b's gets a shadow and comes back
		 * as a refault between the runs. */
		na = a.ops->isolate(a.p, &(struct policy_env){ .referenced = sim_referenced,
				.evictable = sim_evictable, .ctx = &a }, va, 1);
		nb = b.ops->isolate(b.p, &(struct policy_env){ .referenced = sim_referenced,
				.evictable = sim_evictable, .ctx = &b }, vb, 1);
		assert_int_equal(na, nb);
		if (na) {
			assert_int_equal(va[0], vb[0]);
			shadow = policy_evicted(a.ops, a.p, va[0]);
			assert_int_equal(policy_evicted(b.ops, b.p, vb[0]), shadow);
			a.ops->insert(a.p, va[0], shadow);
			b.ops->insert(b.p, vb[0], shadow);
		}
		policy_insert_run(a.ops, a.p, run2, (uint32_t)LEN(run2));
		for (uint32_t k = 0; k < LEN(run2); k++) {
			b.ops->insert(b.p, run2[k], 0);
			if (run2[k] < 24)
				a.tracked[run2[k]] = b.tracked[run2[k]] = 1;
		}
		assert_int_equal(a.ops->tracked(a.p), b.ops->tracked(b.p));
		assert_int_equal(a.ops->tracked(a.p), 17);
		for (uint32_t round = 1; a.ops->tracked(a.p) > 0 && round < 200; round++) {
			const struct policy_env ea = { .referenced = sim_referenced,
						       .evictable = sim_evictable, .ctx = &a };
			const struct policy_env eb = { .referenced = sim_referenced,
						       .evictable = sim_evictable, .ctx = &b };

			touch_pattern(&a, round);
			touch_pattern(&b, round);
			na = a.ops->isolate(a.p, &ea, va, 3);
			nb = b.ops->isolate(b.p, &eb, vb, 3);
			assert_int_equal(na, nb);
			assert_memory_equal(va, vb, na * sizeof(va[0]));
			for (uint32_t k = 0; k < na; k++)
				a.tracked[va[k]] = b.tracked[vb[k]] = 0;
		}
		assert_int_equal(a.ops->tracked(a.p), 0);
		sim_end(&a);
		sim_end(&b);
	}
	assert_true(tried > 0);
}

/* Nothing tracked: no victims, for any max; unknown frames are ignored. */
static void test_all_empty(void **state)
{
	uint32_t victims[8];

	(void)state;
	for (size_t i = 0; policy_all[i]; i++) {
		struct sim s;

		sim_start(&s, policy_all[i]->name, 8, 1);
		assert_int_equal(s.ops->tracked(s.p), 0);
		assert_int_equal(sim_isolate(&s, victims, 8), 0);
		s.ops->remove(s.p, 3);		/* never tracked */
		s.ops->remove(s.p, 8);		/* not even a frame */
		s.ops->insert(s.p, 8, 0);
		assert_int_equal(s.ops->tracked(s.p), 0);
		sim_insert(&s, 5);
		sim_insert(&s, 5);		/* tracked already */
		assert_int_equal(s.ops->tracked(s.p), 1);
		sim_remove(&s, 5);
		sim_remove(&s, 5);
		assert_int_equal(s.ops->tracked(s.p), 0);
		assert_int_equal(sim_isolate(&s, victims, 8), 0);
		sim_insert(&s, 5);
		assert_int_equal(sim_isolate(&s, victims, 0), 0);	/* max 0 */
		assert_int_equal(sim_isolate(&s, victims, 8), 1);
		assert_int_equal(victims[0], 5);
		sim_end(&s);

		/* No frames at all is a valid, if useless, policy. */
		sim_start(&s, policy_all[i]->name, 0, 1);
		s.ops->insert(s.p, 0, 0);
		assert_int_equal(s.ops->tracked(s.p), 0);
		assert_int_equal(sim_isolate(&s, victims, 8), 0);
		sim_end(&s);
	}
}

/* 8 frames, 3 pinned, none referenced: max is respected, the pinned ones
 * never go and stay tracked, and everything else goes. */
static void test_all_pinned_and_max(void **state)
{
	uint32_t victims[100];

	(void)state;
	for (size_t i = 0; policy_all[i]; i++) {
		struct sim s;

		sim_start(&s, policy_all[i]->name, 8, 1);
		for (uint32_t f = 0; f < 8; f++)
			sim_insert(&s, f);
		s.pinned[1] = s.pinned[4] = s.pinned[6] = 1;
		assert_int_equal(sim_isolate(&s, victims, 3), 3);
		assert_int_equal(sim_isolate(&s, victims, 100), 2);
		assert_int_equal(sim_isolate(&s, victims, 100), 0);
		assert_int_equal(s.ops->tracked(s.p), 3);
		assert_true(s.tracked[1] && s.tracked[4] && s.tracked[6]);
		s.pinned[4] = 0;
		assert_int_equal(sim_isolate(&s, victims, 100), 1);
		assert_int_equal(victims[0], 4);
		sim_end(&s);
	}
}

/* The policies that take some victims without reading their bits: FIFO
 * and random never read them, and 2Q takes new pages from its A1in queue
 * in FIFO order (references there are correlated, not reuse). */
static bool takes_without_looking(const char *name)
{
	return !strcmp(name, "fifo") || !strcmp(name, "random") || !strcmp(name, "2q");
}

/* Frames referenced on every look: each call still ends, looking at each
 * frame at most twice. The policies that read the bits keep them all. */
static void test_all_always_referenced(void **state)
{
	uint32_t victims[16];

	(void)state;
	for (size_t i = 0; policy_all[i]; i++) {
		struct sim s;
		uint32_t n;

		sim_start(&s, policy_all[i]->name, 16, 1);
		for (uint32_t f = 0; f < 16; f += 2)
			sim_insert(&s, f);
		s.sticky = 1;
		for (int round = 0; round < 3; round++) {
			n = sim_isolate(&s, victims, 4);
			assert_int_equal(n, takes_without_looking(s.ops->name) ? 4 : 0);
			for (uint32_t v = 0; v < n; v++)
				sim_put_back(&s, victims[v]);
		}
		sim_end(&s);
	}
}

/*
 * Looks need time between them. 16 frames, all referenced (as after their
 * faults). Free to look at everything, clock and lru2 clear every bit and
 * then take frame 0 (clock in its second sweep of the same call, lru2 in
 * the next call), though no time passed for the program to use it. Four looks per call: four calls look at every
 * frame once and take nothing; the program then uses frames 0..3 between
 * calls, and the next calls take only the others.
 */
static void test_bits_max_looks(void **state)
{
	static const char *const names[] = { "clock", "lru2" };
	uint32_t victims[4];

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct sim s;
		uint32_t taken = 0, n;

		sim_start(&s, names[i], 16, 1);
		for (uint32_t f = 0; f < 16; f++) {
			sim_insert(&s, f);
			s.accessed[f] = 1;
		}
		n = sim_isolate(&s, victims, 1);
		if (n == 0)	/* lru2 only marks on its first call */
			n = sim_isolate(&s, victims, 1);
		assert_int_equal(n, 1);
		assert_int_equal(victims[0], 0);
		sim_end(&s);

		sim_start(&s, names[i], 16, 1);
		s.max_looks = 4;
		for (uint32_t f = 0; f < 16; f++) {
			sim_insert(&s, f);
			s.accessed[f] = 1;
		}
		for (int call = 0; call < 4; call++)
			assert_int_equal(sim_isolate(&s, victims, 4), 0);
		assert_int_equal(s.ref_calls, 16);
		for (int call = 0; call < 8; call++) {
			for (uint32_t f = 0; f < 4; f++)
				s.accessed[f] = 1;	/* the program ran */
			n = sim_isolate(&s, victims, 4);
			for (uint32_t v = 0; v < n; v++)
				assert_true(victims[v] >= 4);
			taken += n;
		}
		assert_true(taken >= 8);
		sim_end(&s);
	}
}

/* Random inserts, removes, isolates (with and without a look budget) and
 * put-backs against a record of what is tracked; sim_isolate checks each
 * call and ASan the memory. */
static void test_all_stress(void **state)
{
	uint32_t victims[8];

	(void)state;
	for (size_t i = 0; policy_all[i]; i++) {
		struct sim s;
		uint32_t x = 99;

		sim_start(&s, policy_all[i]->name, MAX_FRAMES, 5);
		for (int step = 0; step < 20000; step++) {
			uint32_t r, f, n;

			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			r = x % 100;
			f = (x >> 8) % MAX_FRAMES;
			if (r < 40) {
				sim_insert(&s, f);
			} else if (r < 55) {
				sim_remove(&s, f);
			} else if (r < 75) {
				s.accessed[f] = 1;
				s.now++;	/* program time passes: short trips end */
			} else if (r < 80) {
				s.pinned[f] ^= 1;
			} else {
				s.max_looks = (x >> 24) % 4;	/* 0: no limit */
				n = sim_isolate(&s, victims, (x >> 16) % 9);
				for (uint32_t v = 0; v < n; v += 2)
					sim_put_back(&s, victims[v]);
			}
			assert_int_equal(s.ops->tracked(s.p), tracked_count(&s));
		}
		sim_end(&s);
	}
}

/* n repeatable random references to pages 1..16, from xorshift32 seeded
 * with x (not 0). */
static void xorshift_refs(uint32_t *refs, size_t n, uint32_t x)
{
	for (size_t k = 0; k < n; k++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		refs[k] = 1 + x % 16;
	}
}

/* What each policy says of itself (reads_bits, history; PAGER_INFO passes
 * it to the guest tests) is what it does: on repeatable random references
 * to 16 pages through 8 frames, it looks at accessed bits if and only if
 * it says so. One without history gives no page a shadow word. One with
 * history "always" gives one to every fresh page it evicts (come in with
 * none, not referenced since: a page a program wrote once), and refaults
 * find them; one with history "some" gives words, but not to every fresh
 * page. (Pages referenced again may go unremembered under both: S3-FIFO
 * and 2Q forget those evicted from their main queues.) */
static void test_traits(void **state)
{
	uint32_t refs[400];	/* under MAX_EVICTED evictions */

	(void)state;
	xorshift_refs(refs, LEN(refs), 7);
	for (size_t i = 0; policy_all[i]; i++) {
		const struct policy_ops *ops = policy_all[i];
		struct sim s;

		sim_start(&s, ops->name, 8, 1);
		sim_run(&s, refs, LEN(refs));
		assert_int_equal(s.ref_calls > 0, ops->reads_bits);
		assert_true(s.fresh_evicted > 0);
		switch (policy_history(ops)) {
		case POLICY_NO_HISTORY:
			/* Derived from a missing evicted op: then no other
			 * history trait may be declared. */
			assert_false(ops->history_some);
			break;
		case POLICY_HISTORY_ALWAYS:
			assert_int_equal(s.fresh_shadowed, s.fresh_evicted);
			assert_true(s.remembered > 0);
			break;
		case POLICY_HISTORY_SOME:
			assert_true(s.shadowed > 0);
			assert_true(s.fresh_shadowed < s.fresh_evicted);
			assert_true(s.remembered > 0);
			break;
		}
		sim_end(&s);
	}
}

/* seeded is what each policy does: on the same repeatable random
 * references, 16 pages through 8 frames, a policy that says 0 evicts the
 * same pages in the same order whatever its seed, and one that says 1
 * evicts others under another seed (hundreds of draws: two seeds giving
 * the same victims throughout would be a generator that ignores its seed). */
static void test_seeded(void **state)
{
	uint32_t refs[400];

	(void)state;
	xorshift_refs(refs, LEN(refs), 11);
	for (size_t i = 0; policy_all[i]; i++) {
		const struct policy_ops *ops = policy_all[i];
		struct sim a, b;
		bool same;

		sim_start(&a, ops->name, 8, 1);
		sim_run(&a, refs, LEN(refs));
		sim_start(&b, ops->name, 8, 2);
		sim_run(&b, refs, LEN(refs));
		assert_true(a.nevicted > 100);
		same = a.nevicted == b.nevicted &&
		       memcmp(a.evicted, b.evicted, a.nevicted * sizeof(a.evicted[0])) == 0;
		if (same == (ops->seeded != 0))
			fail_msg("%s (seeded %d) evicts %s pages under seeds 1 and 2", ops->name,
				 ops->seeded, same ? "the same" : "other");
		sim_end(&a);
		sim_end(&b);
	}
}

/*
 * first_stay_blind is what each policy does. Page 1 comes in first and is
 * used between every two faults of a sweep of 40 pages used once, through
 * 8 frames; the faulting reference does not count (fault_bit 0), so a
 * call finds a victim at once and every look at page 1 comes after a use
 * of it: its references are all seen. A policy that says 1 loses it
 * during its first stay, once (its refault shows the use); a policy that
 * says 0 and reads accessed bits keeps it through the sweep. One that
 * reads none ignores every reference, not a first stay's only (reads_bits
 * 0 says so): it says 0.
 */
static void test_first_stay_blind(void **state)
{
	uint32_t refs[2 * 40];

	(void)state;
	for (uint32_t k = 0; k < 40; k++) {
		refs[2 * k] = 1;
		refs[2 * k + 1] = 2 + k;
	}
	for (size_t i = 0; policy_all[i]; i++) {
		const struct policy_ops *ops = policy_all[i];
		uint32_t lost = 0;
		struct sim s;

		if (!ops->reads_bits) {
			assert_false(ops->first_stay_blind);
			continue;
		}
		sim_start(&s, ops->name, 8, 1);
		s.fault_bit = 0;
		sim_run(&s, refs, LEN(refs));
		for (uint32_t e = 0; e < s.nevicted; e++)
			lost += s.evicted[e] == 1;
		if (lost != (ops->first_stay_blind ? 1u : 0u))
			fail_msg("%s (first_stay_blind %d) lost the page in use %u times",
				 ops->name, ops->first_stay_blind, lost);
		sim_end(&s);
	}
}

static void test_find_and_names(void **state)
{
	static const char *const names[] = { "mglru", "clock", "lru2", "fifo", "random", "sieve",
					      "s3fifo", "2q", "car", "clockpro" };
	size_t i;

	(void)state;
	for (i = 0; policy_all[i]; i++) {
		assert_true(i < LEN(names));
		assert_string_equal(policy_all[i]->name, names[i]);
		assert_ptr_equal(policy_find(names[i]), policy_all[i]);
		assert_true(strlen(policy_all[i]->summary) > 0);
	}
	assert_int_equal(i, LEN(names));
	assert_ptr_equal(policy_all[0], policy_find("mglru"));	/* the default */
	assert_null(policy_find("lru"));
	assert_null(policy_find("CLOCK"));
	assert_null(policy_find(""));
	assert_null(policy_find(NULL));
	assert_string_equal(policy_names(),
			    "mglru|clock|lru2|fifo|random|sieve|s3fifo|2q|car|clockpro");
	assert_ptr_equal(policy_names(), policy_names());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_history_budget),
		cmocka_unit_test(test_insert_run_as_inserts),
		cmocka_unit_test(test_traits),
		cmocka_unit_test(test_seeded),
		cmocka_unit_test(test_first_stay_blind),
		cmocka_unit_test(test_clock_second_chance),
		cmocka_unit_test(test_clock_hand_resumes),
		cmocka_unit_test(test_lru2_promotion),
		cmocka_unit_test(test_lru2_demotion),
		cmocka_unit_test(test_lru2_rotation),
		cmocka_unit_test(test_lru2_inactive_third),
		cmocka_unit_test(test_lru2_pinned_inactive),
		cmocka_unit_test(test_lru2_keeps_hot_page),
		cmocka_unit_test(test_lru2_short_trip),
		cmocka_unit_test(test_lru2_refault),
		cmocka_unit_test(test_sieve_quick_demotion),
		cmocka_unit_test(test_sieve_hand),
		cmocka_unit_test(test_s3fifo_queues),
		cmocka_unit_test(test_s3fifo_ghost_length),
		cmocka_unit_test(test_2q_queues),
		cmocka_unit_test(test_2q_a1out_length),
		cmocka_unit_test(test_2q_kept_to_am),
		cmocka_unit_test(test_car_adapts),
		cmocka_unit_test(test_clockpro_hands),
		cmocka_unit_test(test_clockpro_loop),
		cmocka_unit_test(test_mglru_generations),
		cmocka_unit_test(test_mglru_take_waiting_none),
		cmocka_unit_test(test_mglru_misuse_counted),
		cmocka_unit_test(test_mglru_refault),
		cmocka_unit_test(test_mglru_refault_after_aging),
		cmocka_unit_test(test_mglru_cheap_first),
		cmocka_unit_test(test_mglru_ages_once_per_generation),
		cmocka_unit_test(test_mglru_aging_reads_its_moves_once),
		cmocka_unit_test(test_mglru_announces_looks),
		cmocka_unit_test(test_mglru_announces_what_it_may_need),
		cmocka_unit_test(test_mglru_tier_of_uses),
		cmocka_unit_test(test_mglru_one_use_tier_0),
		cmocka_unit_test(test_mglru_unevictable_unseen),
		cmocka_unit_test(test_mglru_pinned_met_twice),
		cmocka_unit_test(test_mglru_protected_unseen),
		cmocka_unit_test(test_mglru_whole_walk),
		cmocka_unit_test(test_mglru_quiet_steps_hold),
		cmocka_unit_test(test_fifo_belady),
		cmocka_unit_test(test_random_repeats),
		cmocka_unit_test(test_random_uniform),
		cmocka_unit_test(test_all_empty),
		cmocka_unit_test(test_all_pinned_and_max),
		cmocka_unit_test(test_all_always_referenced),
		cmocka_unit_test(test_all_stress),
		cmocka_unit_test(test_bits_max_looks),
		cmocka_unit_test(test_find_and_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
