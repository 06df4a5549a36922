/*
 * Host tests for the shadow table (pager/swap/shadow.c): shadows kept and handed
 * back once, forgotten on request, key 0 beside empty slots, the memory
 * bound, the oldest entry of a full set going first (against a model list,
 * with takes and forgets between), and a run of keys mostly kept at full load.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "swap/shadow.h"

static void test_store_take(void **state)
{
	struct shadow_table *t = shadow_create(64, SHADOW_PER_FRAME);
	struct shadow_counters c;

	(void)state;
	assert_non_null(t);
	assert_int_equal(shadow_take(t, 5), 0);
	shadow_store(t, 5, 0x80000001u);
	shadow_store(t, 0, 0x80000002u);	/* key 0 is a key like any other */
	shadow_store(t, UINT32_MAX, 0x80000003u);
	assert_int_equal(shadow_count(t), 3);
	assert_int_equal(shadow_take(t, 5), 0x80000001u);
	assert_int_equal(shadow_take(t, 5), 0);		/* handed back once */
	assert_int_equal(shadow_take(t, 0), 0x80000002u);
	assert_int_equal(shadow_take(t, UINT32_MAX), 0x80000003u);
	assert_int_equal(shadow_count(t), 0);
	shadow_counters(t, &c);
	assert_int_equal(c.stored, 3);
	assert_int_equal(c.found, 3);
	assert_int_equal(c.missed, 2);
	assert_int_equal(c.lost, 0);
	shadow_destroy(t);
}

/* A second store for a key replaces the first; storing 0 only forgets, as
 * does shadow_forget (a freed page leaves no history). */
static void test_replace_and_forget(void **state)
{
	struct shadow_table *t = shadow_create(64, SHADOW_PER_FRAME);
	struct shadow_counters c;

	(void)state;
	shadow_store(t, 9, 0x80000001u);
	shadow_store(t, 9, 0x80000002u);
	assert_int_equal(shadow_count(t), 1);
	assert_int_equal(shadow_take(t, 9), 0x80000002u);
	shadow_store(t, 9, 0x80000003u);
	shadow_store(t, 9, 0);
	assert_int_equal(shadow_take(t, 9), 0);
	shadow_store(t, 10, 0x80000004u);
	shadow_forget(t, 10);
	shadow_forget(t, 11);			/* not there: nothing happens */
	assert_int_equal(shadow_take(t, 10), 0);
	assert_int_equal(shadow_count(t), 0);
	shadow_counters(t, &c);
	assert_int_equal(c.forgotten, 1);
	shadow_destroy(t);
}

/* 16 bytes per frame for the entries, whatever the frame count, plus a
 * header smaller than one set. */
static void test_memory_bound(void **state)
{
	static const uint32_t frames[] = { 0, 1, 3, 8, 9, 100, 10688, 1u << 20 };

	(void)state;
	for (size_t i = 0; i < sizeof(frames) / sizeof(frames[0]); i++) {
		size_t bytes = shadow_table_bytes(frames[i], SHADOW_PER_FRAME);

		assert_true(bytes <= (size_t)frames[i] * 16 + 128);
		assert_true(bytes + 16 * 8 >= (size_t)frames[i] * 16);
	}
}

/* A tiny table, one set of two entries per frame for 3 frames, given keys
 * 1 .. n, in order, shadows 0x80000000 | key. */
static struct shadow_table *tiny_set(uint32_t n)
{
	struct shadow_table *t = shadow_create(3, SHADOW_PER_FRAME);

	for (uint32_t k = 1; k <= n; k++)
		shadow_store(t, k, 0x80000000u | k);
	return t;
}

/* The tiny set holds the six newest shadows, and the oldest goes first. */
static void test_oldest_goes(void **state)
{
	struct shadow_table *t = tiny_set(8);
	struct shadow_counters c;

	(void)state;
	assert_int_equal(shadow_count(t), 6);
	assert_int_equal(shadow_take(t, 1), 0);
	assert_int_equal(shadow_take(t, 2), 0);
	for (uint32_t k = 3; k <= 8; k++)
		assert_int_equal(shadow_take(t, k), 0x80000000u | k);
	shadow_counters(t, &c);
	assert_int_equal(c.lost, 2);
	/* A take leaves a hole the next store does not need to push anyone
	 * out for. */
	for (uint32_t k = 1; k <= 6; k++)
		shadow_store(t, k, 0x80000000u | k);
	assert_int_equal(shadow_take(t, 4), 0x80000004u);
	shadow_store(t, 7, 0x80000007u);
	assert_int_equal(shadow_take(t, 1), 0x80000001u);
	shadow_counters(t, &c);
	assert_int_equal(c.lost, 2);
	shadow_destroy(t);
}

/* Key 0 is what an empty slot holds: looking it up must neither find an
 * empty slot nor stop short of a real entry for 0 (find reads a shadow only for a key-0 slot). */
static void test_key_zero_beside_empty(void **state)
{
	struct shadow_table *t = tiny_set(2);	/* two entries, four empty */
	struct shadow_counters c;

	(void)state;
	assert_int_equal(shadow_take(t, 0), 0);
	shadow_forget(t, 0);
	assert_int_equal(shadow_count(t), 2);
	shadow_store(t, 0, 0x80000000u);
	shadow_store(t, 3, 0x80000003u);	/* 0 no longer the newest */
	assert_int_equal(shadow_count(t), 4);
	assert_int_equal(shadow_take(t, 0), 0x80000000u);
	assert_int_equal(shadow_take(t, 0), 0);
	assert_int_equal(shadow_count(t), 3);
	for (uint32_t k = 4; k <= 6; k++)	/* full, no 0 in it */
		shadow_store(t, k, 0x80000000u | k);
	assert_int_equal(shadow_take(t, 0), 0);
	shadow_counters(t, &c);
	assert_int_equal(c.found, 1);
	assert_int_equal(c.missed, 3);
	assert_int_equal(shadow_count(t), 6);
	shadow_destroy(t);
}

/* Storing a key the full set holds replaces it and makes it the newest:
 * nothing is lost, and the next new key pushes out the oldest other one. */
static void test_restore_refreshes(void **state)
{
	struct shadow_table *t = tiny_set(6);
	struct shadow_counters c;

	(void)state;
	shadow_store(t, 1, 0x80000011u);	/* the oldest, now the newest */
	shadow_store(t, 4, 0x80000014u);	/* from the middle */
	shadow_counters(t, &c);
	assert_int_equal(c.lost, 0);
	assert_int_equal(shadow_count(t), 6);
	shadow_store(t, 7, 0x80000007u);	/* 2 is the oldest now */
	shadow_store(t, 8, 0x80000008u);	/* then 3 */
	shadow_counters(t, &c);
	assert_int_equal(c.lost, 2);
	assert_int_equal(shadow_take(t, 2), 0);
	assert_int_equal(shadow_take(t, 3), 0);
	assert_int_equal(shadow_take(t, 1), 0x80000011u);
	assert_int_equal(shadow_take(t, 4), 0x80000014u);
	for (uint32_t k = 5; k <= 8; k++)
		assert_int_equal(shadow_take(t, k), 0x80000000u | k);
	assert_int_equal(shadow_count(t), 0);
	shadow_destroy(t);
}

/* At the table's full load (two keys per frame), a run of consecutive keys
 * (slots, page numbers) is mostly kept, and the newest half nearly all:
 * the sets are evenly used. */
static void test_load(void **state)
{
	const uint32_t nframes = 4096, n = 2 * nframes;
	struct shadow_table *t = shadow_create(nframes, SHADOW_PER_FRAME);
	uint32_t kept = 0, newest = 0;

	(void)state;
	for (uint32_t k = 0; k < n; k++)
		shadow_store(t, 1000 + k * 8, 0x80000000u | k);
	for (uint32_t k = 0; k < n; k++) {
		uint32_t s = shadow_take(t, 1000 + k * 8);

		if (!s)
			continue;
		assert_int_equal(s, 0x80000000u | k);
		kept++;
		newest += k >= n / 2;
	}
	assert_true(kept >= n * 85 / 100);
	assert_true(newest >= (n / 2) * 98 / 100);
	shadow_destroy(t);
}

/* Random stores, takes and forgets against a model of what must be there,
 * in a table large enough that nothing is lost. */
static void test_random_model(void **state)
{
	enum { KEYS = 200 };
	uint32_t model[KEYS] = { 0 };
	struct shadow_table *t = shadow_create(4096, SHADOW_PER_FRAME);
	uint32_t x = 7;

	(void)state;
	for (int step = 0; step < 100000; step++) {
		uint32_t k, r;

		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		k = x % KEYS;
		r = (x >> 16) % 3;
		if (r == 0) {
			model[k] = 0x80000000u | (x >> 8);
			shadow_store(t, k, model[k]);
		} else if (r == 1) {
			assert_int_equal(shadow_take(t, k), model[k]);
			model[k] = 0;
		} else {
			shadow_forget(t, k);
			model[k] = 0;
		}
	}
	shadow_destroy(t);
}

/* A one-set table against a model list, newest first, that drops its
 * oldest entry when full: random stores (new keys and keys it holds),
 * takes and forgets keep the same entries, order, count and losses. */
static void test_full_set_model(void **state)
{
	enum { WAYS = 6, KEYS = 10 };
	uint32_t mk[WAYS], ms[WAYS], n = 0, lost = 0, x = 11;
	struct shadow_table *t = shadow_create(3, SHADOW_PER_FRAME);	/* one set of 6 */
	struct shadow_counters c;

	(void)state;
	for (int step = 0; step < 20000; step++) {
		uint32_t k, i = 0;

		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		k = x % KEYS;
		while (i < n && mk[i] != k)
			i++;
		if ((x >> 12) % 4 != 0) {	/* a store, the newest in front */
			uint32_t s = 0x80000000u | (x >> 8);

			if (i == n && n == WAYS)
				i = --n, lost++;	/* the oldest goes */
			for (n -= i < n; i > 0; i--)
				mk[i] = mk[i - 1], ms[i] = ms[i - 1];
			mk[0] = k, ms[0] = s, n++;
			shadow_store(t, k, s);
			continue;
		}
		if (i < n) {
			uint32_t s = ms[i];

			for (n--; i < n; i++)
				mk[i] = mk[i + 1], ms[i] = ms[i + 1];
			if ((x >> 20) & 1)
				assert_int_equal(shadow_take(t, k), s);
			else
				shadow_forget(t, k);
		} else {
			assert_int_equal(shadow_take(t, k), 0);
		}
		assert_int_equal(shadow_count(t), n);
	}
	shadow_counters(t, &c);
	assert_int_equal(c.lost, lost);
	for (uint32_t i = 0; i < n; i++)	/* and what is left, all of it */
		assert_int_equal(shadow_take(t, mk[i]), ms[i]);
	assert_int_equal(shadow_count(t), 0);
	shadow_destroy(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_take),
		cmocka_unit_test(test_replace_and_forget),
		cmocka_unit_test(test_memory_bound),
		cmocka_unit_test(test_oldest_goes),
		cmocka_unit_test(test_key_zero_beside_empty),
		cmocka_unit_test(test_restore_refreshes),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_random_model),
		cmocka_unit_test(test_full_set_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
