/*
 * Host tests for pager/swap/slots.c: slots come out in order cluster by
 * cluster, whole free clusters are preferred to holes, freed slots are
 * reused, bad slots never come out, and reference counts follow dup/put.
 * A random run checks every step against a plain array model.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "swap/slots.h"

static void check_ok(const struct swap_slots *s)
{
	if (swap_slots_check(s) < 0)
		fail_msg("swap_slots_check: the map and the counters disagree");
}

static void test_create_refused(void **state)
{
	(void)state;
	assert_null(swap_slots_create(0, 10, NULL, 0));	/* slot 0 is the header */
	assert_null(swap_slots_create(5, 4, NULL, 0));
	assert_null(swap_slots_create(1, UINT32_MAX, NULL, 0));
}

/* A stream of allocations gets consecutive slots, across clusters. */
static void test_sequential(void **state)
{
	struct swap_slots *s = swap_slots_create(1, 1000, NULL, 0);

	(void)state;
	assert_non_null(s);
	assert_int_equal(swap_slots_total(s), 1000);
	assert_int_equal(swap_slots_free(s), 1000);
	assert_int_equal(swap_slots_bad(s), 0);
	for (uint32_t want = 1; want <= 1000; want++)
		assert_int_equal(swap_slot_alloc(s), want);
	assert_int_equal(swap_slots_free(s), 0);
	assert_int_equal(swap_slot_alloc(s), 0);	/* full */
	assert_int_equal(swap_slot_alloc(s), 0);
	check_ok(s);
	swap_slots_destroy(s);
}

/* With holes left behind, a whole free cluster is taken before them even
 * when the holes come first in next-fit order; the holes only when nothing
 * else is left. */
static void test_prefers_whole_clusters(void **state)
{
	uint32_t c = SWAP_CLUSTER;
	struct swap_slots *s = swap_slots_create(1, 6 * c - 1, NULL, 0);

	(void)state;
	for (uint32_t i = 1; i < 6 * c; i++)	/* clusters 0..5, all in order */
		assert_int_equal(swap_slot_alloc(s), i);
	for (uint32_t i = c; i < c + 10; i++)	/* holes in cluster 1 */
		assert_int_equal(swap_slot_put(s, i), 0);
	for (uint32_t i = 3 * c; i < 4 * c; i++)	/* cluster 3 all free */
		assert_int_equal(swap_slot_put(s, i), 0);
	check_ok(s);
	for (uint32_t i = 3 * c; i < 4 * c; i++)
		assert_int_equal(swap_slot_alloc(s), i);
	for (uint32_t i = c; i < c + 10; i++)	/* now the holes, in order */
		assert_int_equal(swap_slot_alloc(s), i);
	assert_int_equal(swap_slot_alloc(s), 0);
	check_ok(s);
	swap_slots_destroy(s);
}

/* The current cluster is finished before another is taken, even if slots
 * were freed behind it. */
static void test_cluster_finished_first(void **state)
{
	uint32_t c = SWAP_CLUSTER;
	struct swap_slots *s = swap_slots_create(1, 4 * c - 1, NULL, 0);

	(void)state;
	for (uint32_t i = 1; i < c + 10; i++)
		assert_int_equal(swap_slot_alloc(s), i);
	for (uint32_t i = 1; i < c; i++)	/* cluster 0 wholly free again */
		assert_int_equal(swap_slot_put(s, i), 0);
	for (uint32_t i = c + 10; i < 2 * c; i++)	/* the rest of cluster 1 */
		assert_int_equal(swap_slot_alloc(s), i);
	assert_int_equal(swap_slot_alloc(s), 2 * c);	/* then next-fit: cluster 2 */
	check_ok(s);
	swap_slots_destroy(s);
}

/* After the current cluster is used up, a freed whole cluster is found
 * next-fit, and a fragmented device still fills completely. */
static void test_reuse_after_free(void **state)
{
	struct swap_slots *s = swap_slots_create(1, 300, NULL, 0);

	(void)state;
	while (swap_slot_alloc(s))
		;
	assert_int_equal(swap_slot_put(s, 150), 0);
	assert_int_equal(swap_slot_alloc(s), 150);
	for (uint32_t i = 1; i <= 300; i += 3)
		assert_int_equal(swap_slot_put(s, i), 0);
	assert_int_equal(swap_slots_free(s), 100);
	for (uint32_t n = 0; n < 100; n++) {
		uint32_t slot = swap_slot_alloc(s);

		assert_true(slot >= 1 && slot <= 300 && (slot - 1) % 3 == 0);
		assert_int_equal(swap_slot_refs(s, slot), 1);
	}
	assert_int_equal(swap_slot_alloc(s), 0);
	check_ok(s);
	swap_slots_destroy(s);
}

/* A batch's slots as runs: consecutive ones, each run going on where the
 * last ended, across a cluster's end into the next (whole free) cluster. */
static void test_runs_follow_each_other(void **state)
{
	uint32_t c = SWAP_CLUSTER, first = 0, next = 1, got = 0;
	struct swap_slots *s = swap_slots_create(1, 4 * c - 1, NULL, 0);

	(void)state;
	assert_int_equal(swap_slot_alloc_run(s, 0, &first), 0);
	while (got < 2 * c) {
		uint32_t len = swap_slot_alloc_run(s, 64, &first);

		assert_true(len >= 1 && len <= 64);
		assert_int_equal(first, next);		/* no gap between runs */
		for (uint32_t k = 0; k < len; k++)
			assert_int_equal(swap_slot_refs(s, first + k), 1);
		next = first + len;
		got += len;
	}
	/* Cluster 0 starts at slot 1: its last run is cut at the end (63 + 1). */
	assert_int_equal(swap_slots_free(s), 4 * c - 1 - got);
	check_ok(s);
	swap_slots_destroy(s);
}

/* A run cut short by a used slot inside its cluster is taken while no
 * cluster is wholly free, and left for one once there is, so the batch is
 * one run. */
static void test_short_run_left_for_whole_cluster(void **state)
{
	uint32_t c = SWAP_CLUSTER, first = 0;
	struct swap_slots *s = swap_slots_create(1, 3 * c - 1, NULL, 0);

	(void)state;
	while (swap_slot_alloc(s))
		;
	for (uint32_t i = 2; i < c; i += 2)		/* cluster 0: every other slot */
		assert_int_equal(swap_slot_put(s, i), 0);
	assert_int_equal(swap_slot_alloc_run(s, 64, &first), 1);	/* no better */
	assert_int_equal(first, 2);
	for (uint32_t i = 2 * c; i < 3 * c; i++)	/* cluster 2: all free */
		assert_int_equal(swap_slot_put(s, i), 0);
	assert_int_equal(swap_slot_alloc_run(s, 64, &first), 64);
	assert_int_equal(first, 2 * c);
	assert_int_equal(swap_slot_alloc_run(s, 64, &first), 64);
	assert_int_equal(first, 2 * c + 64);
	assert_int_equal(swap_slot_refs(s, 4), 0);	/* the hole left behind */
	check_ok(s);
	swap_slots_destroy(s);
}

/* Bad slots inside the only whole cluster cut its runs: short runs are
 * taken (never a loop between clusters), and every usable slot is had. */
static void test_runs_around_bad_slots(void **state)
{
	static const uint32_t bad[] = { 20, 21, 100 };
	struct swap_slots *s = swap_slots_create(1, 200, bad, 3);
	uint32_t first = 0, len, got = 0;

	(void)state;
	assert_int_equal(swap_slot_alloc_run(s, 64, &first), 19);	/* 1..19 */
	assert_int_equal(first, 1);
	got = 19;
	while ((len = swap_slot_alloc_run(s, 64, &first)) > 0) {
		for (uint32_t k = 0; k < len; k++)
			assert_true(first + k != 20 && first + k != 21 && first + k != 100);
		got += len;
	}
	assert_int_equal(got, 197);
	assert_int_equal(swap_slots_free(s), 0);
	check_ok(s);
	swap_slots_destroy(s);
}

static void test_bad_slots_skipped(void **state)
{
	static const uint32_t bad[] = { 2, 3, 70, 70, 0, 5000 };	/* dup, out of range */
	struct swap_slots *s = swap_slots_create(1, 100, bad, 6);
	uint32_t slot, n = 0;

	(void)state;
	assert_int_equal(swap_slots_total(s), 97);
	assert_int_equal(swap_slots_bad(s), 3);
	assert_int_equal(swap_slot_refs(s, 2), -1);
	assert_int_equal(swap_slot_alloc(s), 1);
	assert_int_equal(swap_slot_alloc(s), 4);
	n = 2;
	while ((slot = swap_slot_alloc(s)) != 0) {
		assert_true(slot != 2 && slot != 3 && slot != 70);
		n++;
	}
	assert_int_equal(n, 97);
	check_ok(s);
	swap_slots_destroy(s);
}

/* A write error: the slot is never handed out again. */
static void test_mark_bad(void **state)
{
	struct swap_slots *s = swap_slots_create(1, 10, NULL, 0);
	uint32_t slot = swap_slot_alloc(s);

	(void)state;
	assert_int_equal(swap_slot_dup(s, slot), 0);
	assert_int_equal(swap_slot_mark_bad(s, slot), 0);
	assert_int_equal(swap_slot_refs(s, slot), -1);
	assert_int_equal(swap_slots_total(s), 9);
	assert_int_equal(swap_slots_free(s), 9);
	assert_int_equal(swap_slot_put(s, slot), 0);	/* stale references: harmless */
	assert_int_equal(swap_slot_dup(s, slot), -1);
	assert_int_equal(swap_slot_mark_bad(s, slot), 0);
	assert_int_equal(swap_slot_mark_bad(s, 7), 0);	/* a free slot can go bad too */
	assert_int_equal(swap_slots_free(s), 8);
	assert_int_equal(swap_slot_mark_bad(s, 0), -1);
	assert_int_equal(swap_slot_mark_bad(s, 11), -1);
	for (uint32_t n = 0; n < 8; n++) {
		uint32_t got = swap_slot_alloc(s);

		assert_true(got != slot && got != 7 && got != 0);
	}
	assert_int_equal(swap_slot_alloc(s), 0);
	check_ok(s);
	swap_slots_destroy(s);
}

/* Fork copies a page array: the slot is referenced once per copy. */
static void test_dup_put(void **state)
{
	struct swap_slots *s = swap_slots_create(1, 10, NULL, 0);
	uint32_t slot = swap_slot_alloc(s);

	(void)state;
	assert_int_equal(swap_slot_refs(s, slot), 1);
	assert_int_equal(swap_slot_dup(s, slot), 0);
	assert_int_equal(swap_slot_dup(s, slot), 0);
	assert_int_equal(swap_slot_refs(s, slot), 3);
	assert_int_equal(swap_slots_free(s), 9);
	assert_int_equal(swap_slot_put(s, slot), 2);
	assert_int_equal(swap_slot_put(s, slot), 1);
	assert_int_equal(swap_slots_free(s), 9);
	assert_int_equal(swap_slot_put(s, slot), 0);
	assert_int_equal(swap_slots_free(s), 10);
	assert_int_equal(swap_slot_put(s, slot), -1);	/* already free */
	assert_int_equal(swap_slot_dup(s, slot), -1);	/* free: nothing to share */
	assert_int_equal(swap_slot_dup(s, 0), -1);
	assert_int_equal(swap_slot_put(s, 0), -1);
	assert_int_equal(swap_slot_refs(s, 0), -1);
	assert_int_equal(swap_slot_refs(s, 11), -1);
	slot = swap_slot_alloc(s);
	for (uint32_t i = 1; i < SWAP_SLOT_MAX_REFS; i++)
		assert_int_equal(swap_slot_dup(s, slot), 0);
	assert_int_equal(swap_slot_refs(s, slot), SWAP_SLOT_MAX_REFS);
	assert_int_equal(swap_slot_dup(s, slot), -1);	/* saturated, not wrapped */
	check_ok(s);
	swap_slots_destroy(s);
}

/* A range that does not start at 1 and ends mid-cluster. */
static void test_partial_range(void **state)
{
	struct swap_slots *s = swap_slots_create(100, 130, NULL, 0);

	(void)state;
	for (uint32_t want = 100; want <= 130; want++)
		assert_int_equal(swap_slot_alloc(s), want);
	assert_int_equal(swap_slot_alloc(s), 0);
	assert_int_equal(swap_slot_refs(s, 99), -1);
	assert_int_equal(swap_slot_put(s, 131), -1);
	check_ok(s);
	swap_slots_destroy(s);
}

static uint32_t rnd(uint32_t *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 8;
}

static void random_step(struct swap_slots *s, uint32_t *model, uint32_t n, uint32_t *seed)
{
	uint32_t slot = 1 + rnd(seed) % n, op = rnd(seed) % 8;

	if (op < 4) {
		uint32_t got = swap_slot_alloc(s);

		assert_true(got == 0 || (got <= n && model[got] == 0));
		if (got)
			model[got] = 1;
	} else if (op < 6) {
		int r = swap_slot_put(s, slot);

		assert_int_equal(r, model[slot] ? (int)model[slot] - 1 : -1);
		if (model[slot])
			model[slot]--;
	} else if (op == 6) {
		assert_int_equal(swap_slot_dup(s, slot), model[slot] ? 0 : -1);
		if (model[slot])
			model[slot]++;
	} else {
		assert_int_equal(swap_slot_refs(s, slot), (int)model[slot]);
	}
}

static void test_random_against_model(void **state)
{
	enum { N = 777 };
	uint32_t model[N + 1] = { 0 }, seed = 42, nfree;
	struct swap_slots *s = swap_slots_create(1, N, NULL, 0);

	(void)state;
	for (int step = 0; step < 20000; step++) {
		random_step(s, model, N, &seed);
		if (step % 97 == 0)
			check_ok(s);
	}
	nfree = 0;
	for (uint32_t i = 1; i <= N; i++)
		nfree += model[i] == 0;
	assert_int_equal(swap_slots_free(s), nfree);
	check_ok(s);
	swap_slots_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_refused),
		cmocka_unit_test(test_sequential),
		cmocka_unit_test(test_prefers_whole_clusters),
		cmocka_unit_test(test_cluster_finished_first),
		cmocka_unit_test(test_reuse_after_free),
		cmocka_unit_test(test_runs_follow_each_other),
		cmocka_unit_test(test_short_run_left_for_whole_cluster),
		cmocka_unit_test(test_runs_around_bad_slots),
		cmocka_unit_test(test_bad_slots_skipped),
		cmocka_unit_test(test_mark_bad),
		cmocka_unit_test(test_dup_put),
		cmocka_unit_test(test_partial_range),
		cmocka_unit_test(test_random_against_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
