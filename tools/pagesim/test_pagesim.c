/*
 * Host tests for pagesim's simulations: textbook fault counts, write-backs,
 * the insertion rule, a policy that breaks the contract, LRU and OPT
 * against naive versions, runs that repeat.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim.h"
#include "test_util.h"
#include "trace.h"

#define CLASSIC "7\n0\n1\n2\n0\n3\n0\n4\n2\n3\n0\n3\n2\n1\n2\n0\n1\n7\n0\n1\n"

/* ---- simulations ---- */

/* The textbook string at 3 frames: OPT 9 faults, LRU 12, FIFO 15. */
static void test_classic_string(void **state)
{
	struct trace t;

	(void)state;
	test_load_ok(CLASSIC, &t);
	assert_int_equal(t.nrefs, 20);
	assert_int_equal(test_run(&t, "opt", 3, 1).faults, 9);
	assert_int_equal(test_run(&t, "lru", 3, 1).faults, 12);
	assert_int_equal(test_run(&t, "fifo", 3, 1).faults, 15);
	assert_int_equal(test_run(&t, "fifo", 3, 0).faults, 15);	/* FIFO ignores bits */
	assert_int_equal(test_run(&t, "opt", 3, 1).refs, 20);
	assert_int_equal(test_run(&t, "opt", 4, 1).faults, 8);
	assert_int_equal(test_run(&t, "lru", 4, 1).faults, 8);
	trace_free(&t);
}

/* Belady's anomaly: FIFO faults more with 4 frames than with 3. */
static void test_fifo_anomaly(void **state)
{
	struct trace t;

	(void)state;
	test_load_ok("1\n2\n3\n4\n1\n2\n5\n1\n2\n3\n4\n5\n", &t);
	assert_int_equal(test_run(&t, "fifo", 3, 1).faults, 9);
	assert_int_equal(test_run(&t, "fifo", 4, 1).faults, 10);
	trace_free(&t);
}

/*
 * The insertion rule, through CLOCK at 2 frames on 1 2 3 2 1 3. Bit set on
 * fault: 3 sweeps both bits clear and evicts 1 (hand now at frame 1); 2
 * hits; 1 clears 2's bit and 3's, then evicts 2; 3 hits: 4 faults. Bit
 * clear: 3 evicts 1 at once; 2 hits; 1 clears 2's bit, evicts 3; 3 misses.
 * CLOCK's own rule is the classic one, clear; lru2's is set (its first
 * look discounts the fault), and either forced on it changes its run.
 */
static void test_insertion_rule_clock(void **state)
{
	struct trace t;

	(void)state;
	test_load_ok("1\n2\n3\n2\n1\n3\n", &t);
	assert_int_equal(test_run(&t, "clock", 2, SIM_BIT_SET).faults, 4);
	assert_int_equal(test_run(&t, "clock", 2, SIM_BIT_CLEAR).faults, 5);
	assert_int_equal(test_run(&t, "clock", 2, SIM_BIT_POLICY).faults, 5);
	assert_int_equal(sim_fault_bit(policy_find("clock"), SIM_BIT_POLICY), 0);
	assert_int_equal(sim_fault_bit(policy_find("lru2"), SIM_BIT_POLICY), 1);
	assert_int_equal(sim_fault_bit(policy_find("lru2"), SIM_BIT_CLEAR), 0);
	assert_int_equal(sim_fault_bit(policy_find("clock"), SIM_BIT_SET), 1);
	trace_free(&t);
}

/* At one frame every policy must evict the only page, so every reference
 * faults. The dirty evictions are 1 (written as it came in) and 2 (its second
 * stay); 1's second stay is clean, and 3 W is still resident at the end.
 * Under both insertion rules. */
static void test_writebacks_every_policy(void **state)
{
	struct trace t;

	(void)state;
	test_load_ok("1 W\n2\n1\n2 W\n3 W\n", &t);
	for (size_t i = 0; policy_all[i]; i++) {
		for (int bit = SIM_BIT_POLICY; bit <= SIM_BIT_SET; bit++) {
			struct sim_result r = test_run(&t, policy_all[i]->name, 1,
						  (enum sim_insert_bit)bit);

			assert_int_equal(r.faults, 5);
			assert_int_equal(r.writebacks, 2);
		}
	}
	assert_int_equal(test_run(&t, "lru", 1, 1).writebacks, 2);
	assert_int_equal(test_run(&t, "opt", 1, 1).writebacks, 2);
	trace_free(&t);
}

/* A write on a hit dirties the page too: 4 faults (2 hits), and 2, written
 * only on its hit, is written back when 1 returns. */
static void test_writeback_after_hit(void **state)
{
	static const char *const names[] = { "clock", "lru2", "fifo", "random", "lru", "opt" };
	struct trace t;

	(void)state;
	test_load_ok("1 W\n2\n2 W\n1\n3\n", &t);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct sim_result r = test_run(&t, names[i], 1, 1);

		assert_int_equal(r.faults, 4);
		assert_int_equal(r.writebacks, 2);
	}
	trace_free(&t);
}

/* LRU evicts the dirty page used least recently; OPT, with neither page
 * used again, evicts the clean one. */
static void test_writebacks_lru_opt(void **state)
{
	struct trace t;

	(void)state;
	test_load_ok("1 W\n2\n3\n", &t);
	assert_int_equal(test_run(&t, "lru", 2, 1).writebacks, 1);
	assert_int_equal(test_run(&t, "opt", 2, 1).writebacks, 0);
	assert_int_equal(test_run(&t, "fifo", 2, 1).writebacks, 1);
	trace_free(&t);
}

/* More frames than pages: only the first references fault, for every
 * policy; no frames at all is refused. */
static void test_frames_edges(void **state)
{
	static const char *const refs[] = { "clock", "lru2", "fifo", "random", "lru", "opt" };
	struct sim_params zero = { .frames = 0, .seed = 1, .insert_bit = SIM_BIT_POLICY };
	struct sim_result r;
	struct trace t;

	(void)state;
	test_load_ok(CLASSIC, &t);
	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		assert_true(sim_known(refs[i]));
		assert_int_equal(test_run(&t, refs[i], 6, 1).faults, 6);
		assert_int_equal(test_run(&t, refs[i], 4000000000u, 1).faults, 6);
		assert_int_equal(sim_run(&t, refs[i], &zero, &r, test_err, sizeof(test_err)), -1);
	}
	assert_false(sim_known("belady"));
	assert_int_equal(sim_run(&t, "belady", &zero, &r, test_err, sizeof(test_err)), -1);
	assert_non_null(strstr(test_err, "lru|opt"));
	trace_free(&t);
}

/* ---- a policy that breaks the contract ---- */

/* What isolate answers: after stub_empty calls in a row that name no
 * victim, stub_count victims, frame stub_answer. stub_calls counts calls. */
static uint32_t stub_answer, stub_count, stub_empty, stub_calls;
static uint32_t stub_empty_left;

static uint32_t stub_isolate(struct policy *p, const struct policy_env *env, uint32_t *victims,
			     uint32_t max)
{
	(void)env;
	(void)max;
	stub_calls++;
	if (stub_empty_left) {
		stub_empty_left--;
		return 0;
	}
	stub_empty_left = stub_empty;
	if (stub_count) {
		victims[0] = stub_answer;
		((struct test_stub *)p)->tracked--;
	}
	return stub_count;
}

static const struct policy_ops stub_ops = {
	.name = "stub", .summary = "test", .create = test_stub_create, .destroy = test_stub_destroy,
	.insert = test_stub_insert, .remove = test_stub_remove, .isolate = stub_isolate,
	.tracked = test_stub_tracked,
};

/* Run the stub on t with isolate answering as given; sim_policy's result. */
static int run_stub(const struct trace *t, uint32_t empty, uint32_t count, uint32_t answer,
		    struct sim_result *r)
{
	struct sim_params p = { .frames = 2, .seed = 1, .insert_bit = SIM_BIT_SET };

	stub_empty = stub_empty_left = empty;
	stub_count = count;
	stub_answer = answer;
	stub_calls = 0;
	return sim_policy(t, &stub_ops, &p, r, test_err, sizeof(test_err));
}

/* As in the pager's swapper, a call that names no victim is followed by up
 * to two more. No victim in all three (every frame evictable), or a frame that
 * does not exist: the run fails with a message, it is not worked around. */
static void test_policy_without_victim(void **state)
{
	struct sim_result r;
	struct trace t;

	(void)state;
	test_load_ok("1\n2\n3\n4\n", &t);
	/* The second call names the victim: two misses, two calls each. */
	assert_int_equal(run_stub(&t, 1, 1, 1, &r), 0);
	assert_int_equal(r.faults, 4);
	assert_int_equal(stub_calls, 4);
	/* The third call names it: three calls per eviction. */
	assert_int_equal(run_stub(&t, 2, 1, 1, &r), 0);
	assert_int_equal(stub_calls, 6);
	/* None in three calls: an error, and no fourth call. */
	assert_int_equal(run_stub(&t, 3, 1, 1, &r), -1);
	assert_non_null(strstr(test_err, "no victim"));
	assert_non_null(strstr(test_err, "three calls"));
	assert_int_equal(stub_calls, 3);
	assert_int_equal(run_stub(&t, 0, 0, 0, &r), -1);
	assert_non_null(strstr(test_err, "no victim"));
	assert_int_equal(stub_calls, 3);
	/* A frame out of range, or too many victims. */
	assert_int_equal(run_stub(&t, 0, 1, 7, &r), -1);
	assert_non_null(strstr(test_err, "frame 7"));
	assert_int_equal(run_stub(&t, 0, 2, 1, &r), -1);
	assert_non_null(strstr(test_err, "gave 2 victims"));
	/* One call, one victim: no second call. */
	assert_int_equal(run_stub(&t, 0, 1, 1, &r), 0);
	assert_int_equal(r.faults, 4);
	assert_int_equal(stub_calls, 2);
	trace_free(&t);
}

/* ---- LRU and OPT against the obvious quadratic versions ---- */

/* Naive LRU and OPT: resident[] scanned on every miss. */
static void naive(const struct trace *t, uint32_t frames, int opt, struct sim_result *r)
{
	uint32_t res[64], n = 0;
	size_t last[64];
	uint8_t dirty[64];

	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < t->nrefs; i++) {
		uint32_t p = t->dense[i], k;

		for (k = 0; k < n && res[k] != p; k++)
			;
		if (k == n) {
			r->faults++;
			if (n == frames) {
				size_t best = 0, best_key = 0;

				for (uint32_t j = 0; j < n; j++) {
					size_t key = SIZE_MAX - last[j];	/* LRU: oldest */

					if (opt) {
						for (key = i + 1; key < t->nrefs && t->dense[key] != res[j]; key++)
							;
						key = key * 2 + !dirty[j];	/* farthest; clean first on ties */
					}
					if (key > best_key || j == 0) {
						best = j;
						best_key = key;
					}
				}
				r->writebacks += dirty[best];
				k = (uint32_t)best;
			} else {
				k = n++;
			}
			res[k] = p;
			dirty[k] = 0;
		}
		last[k] = i;
		dirty[k] |= t->refs[i].write;
	}
}

static void test_lru_opt_match_naive(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 6; seed++) {
		char *text = test_random_text(seed, 3000);
		struct trace t;

		test_load_ok(text, &t);
		free(text);
		for (uint32_t frames = 1; frames <= 64 && frames <= t.npages; frames += 3) {
			struct sim_result want, lru = test_run(&t, "lru", frames, 1);
			struct sim_result opt = test_run(&t, "opt", frames, 1);

			naive(&t, frames, 0, &want);
			assert_int_equal(lru.faults, want.faults);
			assert_int_equal(lru.writebacks, want.writebacks);
			naive(&t, frames, 1, &want);
			assert_int_equal(opt.faults, want.faults);
			assert_int_equal(opt.writebacks, want.writebacks);
			/* OPT is optimal: no other policy beats it, under
			 * either insertion rule. */
			assert_true(opt.faults <= lru.faults);
			for (size_t k = 0; policy_all[k]; k++) {
				for (int bit = SIM_BIT_POLICY; bit <= SIM_BIT_SET; bit++)
					assert_true(opt.faults <=
						    test_run(&t, policy_all[k]->name, frames,
							(enum sim_insert_bit)bit).faults);
			}
		}
		trace_free(&t);
	}
}

/* The same seed gives the same run, so random's numbers repeat. */
static void test_seed_repeats(void **state)
{
	struct sim_params p = { .frames = 20, .seed = 42, .insert_bit = SIM_BIT_POLICY };
	struct sim_result a, b;
	char *text = test_random_text(9, 3000);
	struct trace t;

	(void)state;
	test_load_ok(text, &t);
	free(text);
	assert_int_equal(sim_run(&t, "random", &p, &a, test_err, sizeof(test_err)), 0);
	assert_int_equal(sim_run(&t, "random", &p, &b, test_err, sizeof(test_err)), 0);
	assert_int_equal(a.faults, b.faults);
	assert_int_equal(a.writebacks, b.writebacks);
	trace_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classic_string),
		cmocka_unit_test(test_fifo_anomaly),
		cmocka_unit_test(test_insertion_rule_clock),
		cmocka_unit_test(test_writebacks_every_policy),
		cmocka_unit_test(test_writeback_after_hit),
		cmocka_unit_test(test_writebacks_lru_opt),
		cmocka_unit_test(test_frames_edges),
		cmocka_unit_test(test_policy_without_victim),
		cmocka_unit_test(test_lru_opt_match_naive),
		cmocka_unit_test(test_seed_repeats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
