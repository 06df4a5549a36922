/*
 * Host tests for pagesim's experiments: the insertion rule's late clearing
 * (--clear-delay, --clear-note) and victims taken in batches (--victims),
 * each against counts worked by hand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim.h"
#include "test_util.h"
#include "trace.h"

/* ---- the experiments: late clearing, victims in batches ---- */

/* A run with the fault's bit cleared delay faults late (sim_params), victims
 * per look. */
static struct sim_result run_late(const struct trace *t, const char *name, uint32_t frames,
				  uint32_t delay, uint32_t victims)
{
	struct sim_params p = { .frames = frames, .seed = 1, .insert_bit = SIM_BIT_POLICY,
				.clear_delay = delay, .victims = victims };
	struct sim_result r;

	if (sim_run(t, name, &p, &r, test_err, sizeof(test_err)))
		fail_msg("%s at %u frames, delay %u: %s", name, frames, delay, test_err);
	return r;
}

/*
 * The late clearing, through CLOCK at 3 frames on 1 2 1 3 4 1. Cleared at
 * once (delay 0), 1's hit counts: 4 evicts 2 (the hand clears 1's bit and
 * passes), and 1 hits: 4 faults. Delay 1: 1's bit is cleared at fault 2,
 * before its hit, which still counts: 4 faults. Delay 2 or 3: the hit
 * comes while the fault's bit is still set and is lost with it; 4 finds 1
 * unreferenced and evicts it, and 1 faults again: 5. A delay longer than the
 * time to the next look is cut by the look (the pager clears before it
 * looks): a delay of 1000 faults gives what 3 gives.
 */
static void test_clear_delay_loses_references(void **state)
{
	struct trace t;

	(void)state;
	test_load_ok("1\n2\n1\n3\n4\n1\n", &t);
	assert_int_equal(run_late(&t, "clock", 3, 0, 1).faults, 4);
	assert_int_equal(run_late(&t, "clock", 3, 1, 1).faults, 4);
	assert_int_equal(run_late(&t, "clock", 3, 2, 1).faults, 5);
	assert_int_equal(run_late(&t, "clock", 3, 3, 1).faults, 5);
	assert_int_equal(run_late(&t, "clock", 3, 1000, 1).faults, 5);
	/* lru2 counts the fault: nothing to clear late. FIFO never looks. */
	assert_int_equal(run_late(&t, "lru2", 3, 2, 1).faults, run_late(&t, "lru2", 3, 0, 1).faults);
	assert_int_equal(run_late(&t, "fifo", 3, 2, 1).faults, run_late(&t, "fifo", 3, 0, 1).faults);
	trace_free(&t);
}

/* A policy that, asked for victims, reads the bits of frames 0 to
 * peek_frames - 1 (peek_seen: bit f set if frame f was referenced) and names
 * frames 0 to max - 1 (at most peek_frames); peek_looks counts its calls. */
static uint32_t peek_seen, peek_frames, peek_looks;

static uint32_t peek_isolate(struct policy *p, const struct policy_env *env, uint32_t *victims,
			     uint32_t max)
{
	uint32_t n = max < peek_frames ? max : peek_frames;

	peek_looks++;
	peek_seen = 0;
	for (uint32_t f = 0; f < peek_frames; f++)
		peek_seen |= (uint32_t)env->referenced(env->ctx, f) << f;
	for (uint32_t k = 0; k < n; k++)
		victims[k] = k;
	((struct test_stub *)p)->tracked -= n;
	return n;
}

static const struct policy_ops peek_ops = {
	.name = "peek", .summary = "test", .create = test_stub_create, .destroy = test_stub_destroy,
	.insert = test_stub_insert, .remove = test_stub_remove, .isolate = peek_isolate,
	.tracked = test_stub_tracked,
};

/* What peek must see at the last look on a trace at frames, per rule and
 * victims per look (0: the default, one). */
struct peek_case {
	enum sim_insert_bit bit;
	uint32_t delay, note;
	uint32_t want;		/* peek_seen */
	uint32_t victims;
};

/* What peek saw at the last look of a run at frames under case c. */
static uint32_t peek_at_look(const struct trace *t, uint32_t frames, const struct peek_case *c)
{
	struct sim_params p = { .frames = frames, .seed = 1, .insert_bit = c->bit,
				.clear_delay = c->delay, .clear_note = c->note,
				.victims = c->victims };
	struct sim_result r;

	peek_seen = UINT32_MAX;
	peek_frames = frames;
	peek_looks = 0;
	if (sim_policy(t, &peek_ops, &p, &r, test_err, sizeof(test_err)))
		fail_msg("peek, delay %u: %s", c->delay, test_err);
	return peek_seen;
}

static void check_peeks(const char *text, uint32_t frames, const struct peek_case *c, size_t n)
{
	struct trace t;

	test_load_ok(text, &t);
	for (size_t k = 0; k < n; k++) {
		uint32_t seen = peek_at_look(&t, frames, &c[k]);

		if (seen != c[k].want)
			fail_msg("%s at %u frames, delay %u, note %u, victims %u: saw %#x, want %#x",
				 text, frames, c[k].delay, c[k].note, c[k].victims, seen, c[k].want);
	}
	trace_free(&t);
}

/*
 * The look clears the note first, as the pager clears it before the policy
 * looks: on 1 2 1 3 at 2 frames, the look at 3 sees 1's hit (frame 0) when
 * the fault's bit is cleared at once or at fault 2 (delay 1), and nothing
 * under a delay still running at the look, however long: 1's hit is lost
 * and 2's fault bit is cleared, not seen. With the bit set and never cleared,
 * both frames look referenced.
 *
 * Between looks, with 2 victims per look at 3 frames, on 1 2 3 4 5 4 5 6:
 * faults 1-3 fill the frames; the look at fault 4 frees frames 0 and 1: 4
 * takes frame 0, and 5 (fault 5) frame 1 with no look; then 4 and 5 are
 * referenced, and the look at fault 6 reads the bits. Delay 0: both hits
 * seen (frames 0 and 1). Delay 1, shorter than the two faults between looks:
 * 4's bit is cleared at fault 5, before its hit, which counts; 5's is due at
 * fault 6, so its hit is lost: frame 0 only. Delay 2 (the look interval) or
 * more: 4's bit is also due at fault 6, its hit lost too: nothing. A note of
 * 1 frame clears 4 as 5 comes (as delay 1); a note of 2 holds both to the
 * look.
 */
static void test_clear_delay_cut_by_look(void **state)
{
	static const struct peek_case one_per_look[] = {
		{ SIM_BIT_CLEAR, 0, 0, 1, 1 }, { SIM_BIT_CLEAR, 1, 0, 1, 1 },
		{ SIM_BIT_CLEAR, 2, 0, 0, 1 }, { SIM_BIT_CLEAR, 1000, 0, 0, 1 },
		{ SIM_BIT_CLEAR, 0, 1000, 0, 1 }, { SIM_BIT_SET, 0, 0, 3, 1 },
	};
	static const struct peek_case two_per_look[] = {
		{ SIM_BIT_CLEAR, 0, 0, 3, 2 }, { SIM_BIT_CLEAR, 1, 0, 1, 2 },
		{ SIM_BIT_CLEAR, 2, 0, 0, 2 }, { SIM_BIT_CLEAR, 1000, 0, 0, 2 },
		{ SIM_BIT_CLEAR, 0, 1, 1, 2 }, { SIM_BIT_CLEAR, 0, 2, 0, 2 },
	};

	(void)state;
	check_peeks("1\n2\n1\n3\n", 2, one_per_look,
		    sizeof(one_per_look) / sizeof(one_per_look[0]));
	check_peeks("1\n2\n3\n4\n5\n4\n5\n6\n", 3, two_per_look,
		    sizeof(two_per_look) / sizeof(two_per_look[0]));
}

/* The pager's note clears its frames together when it is full: on 1 2 3 2 4
 * at 3 frames, a note of 2 frames is cleared as 3 comes, so 2's hit after
 * that counts and the look at 4 sees it (frame 1), as with the bit clear at
 * once; a delay of 2 faults keeps 2's bit set past its hit, lost, and the
 * look sees nothing. A note of 1 is a delay of 1. */
static void test_clear_note(void **state)
{
	static const struct peek_case cases[] = {
		{ SIM_BIT_CLEAR, 0, 0, 2, 1 }, { SIM_BIT_CLEAR, 0, 2, 2, 1 },
		{ SIM_BIT_CLEAR, 2, 0, 0, 1 }, { SIM_BIT_CLEAR, 0, 3, 0, 1 },
	};
	struct trace t;

	(void)state;
	check_peeks("1\n2\n3\n2\n4\n", 3, cases, sizeof(cases) / sizeof(cases[0]));
	test_load_ok("1\n2\n1\n3\n4\n1\n", &t);
	for (size_t k = 0; policy_all[k]; k++) {
		struct sim_params one = { .frames = 3, .seed = 1, .insert_bit = SIM_BIT_POLICY,
					  .clear_note = 1 };
		struct sim_result r;

		assert_int_equal(sim_run(&t, policy_all[k]->name, &one, &r, test_err, sizeof(test_err)), 0);
		assert_int_equal(r.faults, run_late(&t, policy_all[k]->name, 3, 1, 1).faults);
	}
	trace_free(&t);
}

/*
 * Delay 0 is the exact rule, and victims 0 or 1 one victim per look: the
 * faults and write-backs pagesim gave before the experiments existed. The
 * numbers were recorded with pagesim built from tag s7-start (no
 * --clear-delay, --victims), `pagesim -p LIST -f 3` and `-f 40` on
 * test_random_text(5, 3000) written to a file, one line per reference ("N" or
 * "N W"); the policies are as they were then (policy_all's order), but for
 * mglru at 40 frames, recorded again at s9-mglru when its aging stopped
 * reading a page found idle since it joined its generation (291 faults and
 * 81 write-backs before), and at s10-looks when it stopped reading a page
 * its own look had moved up (285 and 77 before).
 */
static const struct {
	uint32_t frames;
	uint64_t faults[10], writebacks[10];
} before_experiments[] = {
	{ 3, { 2490, 2511, 2471, 2528, 2523, 2482, 2440, 2528, 2492, 2493 },
	     { 579, 584, 584, 585, 586, 581, 574, 585, 581, 581 } },
	{ 40, { 282, 292, 300, 390, 357, 286, 290, 298, 289, 294 },
	      { 78, 83, 93, 193, 165, 68, 76, 94, 81, 86 } },
};

static void test_clear_delay_zero_is_default(void **state)
{
	char *text = test_random_text(5, 3000);
	struct trace t;

	(void)state;
	test_load_ok(text, &t);
	free(text);
	assert_string_equal(policy_all[9]->name, "clockpro");
	assert_null(policy_all[10]);
	for (size_t s = 0; s < 2; s++) {
		for (size_t k = 0; policy_all[k]; k++) {
			uint32_t frames = before_experiments[s].frames;
			const char *name = policy_all[k]->name;

			for (uint32_t victims = 0; victims <= 1; victims++) {
				struct sim_result got = run_late(&t, name, frames, 0, victims);

				if (got.faults != before_experiments[s].faults[k] ||
				    got.writebacks != before_experiments[s].writebacks[k])
					fail_msg("%s at %u frames, victims %u: %llu faults, %llu "
						 "write-backs; before: %llu, %llu", name, frames,
						 victims, (unsigned long long)got.faults,
						 (unsigned long long)got.writebacks,
						 (unsigned long long)before_experiments[s].faults[k],
						 (unsigned long long)before_experiments[s].writebacks[k]);
			}
		}
	}
	trace_free(&t);
}

/* Out-of-range experiments are refused by sim_params_check, which sim_policy
 * and pagesim's arguments both use, naming the option. */
static void test_experiments_out_of_range(void **state)
{
	struct sim_params bad = { .frames = 4, .seed = 1, .clear_delay = SIM_CLEAR_DELAY_MAX + 1 };
	struct sim_result r;
	struct trace t;

	(void)state;
	test_load_ok("1\n2\n", &t);
	assert_int_equal(sim_run(&t, "clock", &bad, &r, test_err, sizeof(test_err)), -1);
	assert_non_null(strstr(test_err, "--clear-delay"));
	bad.clear_delay = 0;
	bad.clear_note = SIM_CLEAR_DELAY_MAX + 1;
	assert_int_equal(sim_params_check(&bad, test_err, sizeof(test_err)), -1);
	assert_non_null(strstr(test_err, "--clear-note"));
	bad.clear_delay = bad.clear_note = 1;
	assert_int_equal(sim_run(&t, "clock", &bad, &r, test_err, sizeof(test_err)), -1);
	assert_non_null(strstr(test_err, "not both"));
	bad.clear_delay = 0;
	bad.insert_bit = SIM_BIT_SET;
	assert_int_equal(sim_params_check(&bad, test_err, sizeof(test_err)), -1);
	assert_non_null(strstr(test_err, "--insert-bit set"));
	bad.clear_note = 0;
	bad.victims = SIM_VICTIMS_MAX + 1;
	assert_int_equal(sim_run(&t, "clock", &bad, &r, test_err, sizeof(test_err)), -1);
	assert_non_null(strstr(test_err, "--victims"));
	bad.victims = SIM_VICTIMS_MAX;
	bad.clear_note = SIM_CLEAR_DELAY_MAX;
	bad.insert_bit = SIM_BIT_CLEAR;
	assert_int_equal(sim_params_check(&bad, test_err, sizeof(test_err)), 0);
	trace_free(&t);
}

/* Victims in batches: at 2 frames on 1 2 3 2, one victim per look evicts 1
 * and 2 hits (3 faults); two per look evict both, the second frame kept free,
 * and 2 faults again into it (4). The freed frame is used with no look: on
 * 1 2 3 4, peek is asked once with two victims per look, twice with one. */
static void test_victims_batch(void **state)
{
	static const struct peek_case one = { SIM_BIT_CLEAR, 0, 0, 0, 1 };
	static const struct peek_case two = { SIM_BIT_CLEAR, 0, 0, 0, 2 };
	struct trace t;

	(void)state;
	test_load_ok("1\n2\n3\n2\n", &t);
	assert_int_equal(run_late(&t, "clock", 2, 0, 1).faults, 3);
	assert_int_equal(run_late(&t, "clock", 2, 0, 2).faults, 4);
	assert_int_equal(run_late(&t, "clock", 2, 0, 99).faults, 4);	/* at most the frames */
	trace_free(&t);
	test_load_ok("1\n2\n3\n4\n", &t);
	(void)peek_at_look(&t, 2, &one);
	assert_int_equal(peek_looks, 2);
	(void)peek_at_look(&t, 2, &two);
	assert_int_equal(peek_looks, 1);
	trace_free(&t);
}

/* A frame freed by a look and not yet used holds no page: on 1 2 3 at 2
 * frames, two victims per look leave one frame free at the end, and every
 * policy tracks one frame, not two (sim_policy's end check; a run that
 * counted the free frame would fail with "tracks 1 frames at the end, 2
 * hold pages"). */
static void test_victims_free_frame_untracked(void **state)
{
	struct sim_params p = { .frames = 2, .seed = 1, .insert_bit = SIM_BIT_POLICY,
				.victims = 2 };
	struct sim_result r;
	struct trace t;

	(void)state;
	test_load_ok("1\n2\n3\n", &t);
	for (size_t k = 0; policy_all[k]; k++) {
		test_err[0] = '\0';
		if (sim_run(&t, policy_all[k]->name, &p, &r, test_err, sizeof(test_err)))
			fail_msg("%s, 2 victims per look: %s", policy_all[k]->name, test_err);
	}
	trace_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clear_delay_loses_references),
		cmocka_unit_test(test_clear_delay_cut_by_look),
		cmocka_unit_test(test_clear_delay_zero_is_default),
		cmocka_unit_test(test_experiments_out_of_range),
		cmocka_unit_test(test_clear_note),
		cmocka_unit_test(test_victims_batch),
		cmocka_unit_test(test_victims_free_frame_untracked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
