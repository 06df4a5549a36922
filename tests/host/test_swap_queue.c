/*
 * Host tests for pager/swap/queue.c and blk_merge.c: the queue sizes, refusal when
 * full, FIFO order across the ring's wrap, batched pops, and merging slots
 * into block requests (runs merged, gaps split, the driver's limit and
 * BLK_MAX_PAGES respected, each request naming its pages' place).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "swap/queue.h"
#include "swap/blk_merge.h"

#define PA(i) (0x80000000ull + (uint64_t)(i) * 4096)

static void test_sizes(void **state)
{
	struct swap_queue out, in;

	(void)state;
	assert_int_equal(SWAP_OUT_QUEUE_LEN, 1024);
	assert_int_equal(SWAP_IN_QUEUE_LEN, 512);
	assert_int_equal(swap_queue_init(&out, SWAP_OUT_QUEUE_LEN), 0);
	assert_int_equal(swap_queue_init(&in, SWAP_IN_QUEUE_LEN), 0);
	assert_int_equal(swap_queue_space(&out), 1024);
	assert_int_equal(swap_queue_space(&in), 512);
	assert_int_equal(swap_queue_len(&in), 0);
	swap_queue_fini(&out);
	swap_queue_fini(&in);
	assert_int_equal(swap_queue_init(&in, 0), -1);
	assert_int_equal(swap_queue_len(&in), 0);	/* refused, but usable as empty */
	assert_int_equal(swap_queue_pop(&in, NULL, 4), 0);
	assert_int_equal(swap_queue_push(&in, PA(1), 1), -1);
	swap_queue_fini(&in);
}

/* A background request meets a full queue: refused, counted, nothing lost. */
static void test_full_refuses(void **state)
{
	struct swap_queue q;
	struct swap_req r;

	(void)state;
	assert_int_equal(swap_queue_init(&q, SWAP_IN_QUEUE_LEN), 0);
	for (uint32_t i = 0; i < SWAP_IN_QUEUE_LEN; i++)
		assert_int_equal(swap_queue_push(&q, PA(i), 1 + i), 0);
	assert_int_equal(swap_queue_space(&q), 0);
	assert_int_equal(swap_queue_push(&q, PA(999), 999), -1);
	assert_int_equal(swap_queue_push(&q, PA(999), 999), -1);
	assert_int_equal(q.refused, 2);
	assert_int_equal(swap_queue_len(&q), SWAP_IN_QUEUE_LEN);
	assert_int_equal(swap_queue_pop(&q, &r, 1), 1);
	assert_int_equal(r.slot, 1);
	assert_int_equal(r.pa, PA(0));
	assert_int_equal(swap_queue_push(&q, PA(999), 999), 0);	/* room again */
	swap_queue_fini(&q);
}

/* A pop that ends exactly at the ring's end, then one that wraps: the
 * next pops start where they should (head back to 0, then past it). */
static void test_pop_to_the_end(void **state)
{
	struct swap_queue q;
	struct swap_req r[4];

	(void)state;
	assert_int_equal(swap_queue_init(&q, 4), 0);
	for (uint32_t s = 1; s <= 4; s++)
		assert_int_equal(swap_queue_push(&q, PA(s), s), 0);
	assert_int_equal(swap_queue_pop(&q, r, 1), 1);
	assert_int_equal(swap_queue_pop(&q, r, 3), 3);	/* to the end */
	assert_int_equal(r[2].slot, 4);
	for (uint32_t s = 5; s <= 7; s++)
		assert_int_equal(swap_queue_push(&q, PA(s), s), 0);
	assert_int_equal(swap_queue_pop(&q, r, 2), 2);	/* from slot 0 again */
	assert_int_equal(r[0].slot, 5);
	for (uint32_t s = 8; s <= 10; s++)
		assert_int_equal(swap_queue_push(&q, PA(s), s), 0);
	assert_int_equal(swap_queue_pop(&q, r, 4), 4);	/* across the wrap */
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(r[i].pa, PA(7 + i));
	assert_int_equal(swap_queue_len(&q), 0);
	swap_queue_fini(&q);
}

static void test_fifo_wrap_batches(void **state)
{
	struct swap_queue q;
	struct swap_req batch[100];
	uint32_t next_in = 1, next_out = 1;

	(void)state;
	assert_int_equal(swap_queue_init(&q, SWAP_OUT_QUEUE_LEN), 0);
	assert_int_equal(swap_queue_pop(&q, batch, 100), 0);	/* empty */
	for (int round = 0; round < 7; round++) {
		while (swap_queue_push(&q, PA(next_in), next_in) == 0)
			next_in++;
		for (int b = 0; b < 6; b++) {
			uint32_t n = swap_queue_pop(&q, batch, 100);

			assert_int_equal(n, 100);
			for (uint32_t i = 0; i < n; i++, next_out++) {
				assert_int_equal(batch[i].slot, next_out);
				assert_int_equal(batch[i].pa, PA(next_out));
			}
		}
	}
	assert_int_equal(swap_queue_len(&q), SWAP_OUT_QUEUE_LEN - 600);
	while (swap_queue_pop(&q, batch, 100) > 0)
		;
	assert_int_equal(swap_queue_len(&q), 0);
	assert_int_equal(swap_queue_pop(&q, batch, 100), 0);
	swap_queue_fini(&q);
}

static void fill(struct swap_req *r, const uint32_t *slots, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		r[i] = (struct swap_req){ .pa = PA(100 + i), .slot = slots[i] };
}

static void test_merge_runs_and_gaps(void **state)
{
	static const uint32_t slots[] = { 10, 11, 12, 14, 14, 15, 3 };
	struct swap_req r[7];
	struct blk_request out[8];
	uint32_t consumed = 0;

	(void)state;
	fill(r, slots, 7);
	memset(out, 0xAA, sizeof(out));
	assert_int_equal(swap_merge(r, 7, 1, BLK_MAX_PAGES, out, 8, &consumed), 4);
	assert_int_equal(consumed, 7);
	assert_int_equal(out[0].sector, 80);	/* slot 10: sectors 80..87 */
	assert_int_equal(out[0].npages, 3);
	assert_int_equal(out[0].write, 1);
	assert_int_equal(out[0].tag, 0);
	assert_int_equal(out[0].notify, 0);
	assert_int_equal(out[0].list, 0);	/* pages r[0..2] */
	assert_int_equal(out[0].reserved, 0);
	assert_int_equal(out[1].sector, 14 * 8);	/* a gap: 13 is missing */
	assert_int_equal(out[1].npages, 1);
	assert_int_equal(out[2].sector, 14 * 8);	/* a repeated slot is no run */
	assert_int_equal(out[2].npages, 2);
	assert_int_equal(out[2].list, 4);	/* pages r[4..5] */
	assert_int_equal(out[3].sector, 24);	/* going back is no run either */
	assert_int_equal(out[3].npages, 1);
	assert_int_equal(out[3].list, 6);
	assert_int_equal(swap_merge(r, 3, 0, BLK_MAX_PAGES, out, 8, NULL), 1);
	assert_int_equal(out[0].write, 0);
}

/* A batch of 150 evictions on consecutive slots: full requests of the
 * driver's limit, back to back, each naming its part of the batch. */
static void test_merge_max_pages(void **state)
{
	struct swap_req r[150];
	struct blk_request out[4];
	uint32_t consumed;

	(void)state;
	for (uint32_t i = 0; i < 150; i++)
		r[i] = (struct swap_req){ .pa = PA(i), .slot = 64 + i };
	assert_int_equal(swap_merge(r, 150, 1, BLK_MAX_PAGES, out, 4, &consumed), 3);
	assert_int_equal(consumed, 150);
	assert_int_equal(out[0].npages, BLK_MAX_PAGES);
	assert_int_equal(out[0].sector, 64 * 8);
	assert_int_equal(out[1].npages, BLK_MAX_PAGES);
	assert_int_equal(out[1].sector, (64 + BLK_MAX_PAGES) * 8);
	assert_int_equal(out[1].list, BLK_MAX_PAGES);
	assert_int_equal(out[2].npages, 150 - 2 * BLK_MAX_PAGES);
	/* Room for one request only: the rest waits for the next call. */
	assert_int_equal(swap_merge(r, 150, 1, BLK_MAX_PAGES, out, 1, &consumed), 1);
	assert_int_equal(consumed, BLK_MAX_PAGES);
	assert_int_equal(swap_merge(r + consumed, 150 - consumed, 1, BLK_MAX_PAGES, out, 4,
				    &consumed), 2);
	assert_int_equal(swap_merge(r, 0, 1, BLK_MAX_PAGES, out, 4, &consumed), 0);
	assert_int_equal(consumed, 0);
}

/* Any transfer (at most SWAP_IO_MAX pages) merges whole into at most
 * SWAP_IO_MAX requests, whose pages follow one another from the first:
 * blk_transfer gives each page its request's result, which is how it sets
 * every one of a transfer's results (backend.h's contract: the engine
 * zeroes none). Scattered slots are the worst case, a request a page;
 * runs cut at a one-page driver limit are the same. */
static void test_merge_covers_transfer(void **state)
{
	struct swap_req r[SWAP_IO_MAX];
	struct blk_request out[SWAP_IO_MAX];

	(void)state;
	for (uint32_t limit = 1; limit <= BLK_MAX_PAGES; limit *= 2) {
		for (uint32_t gap = 1; gap <= 3; gap++) {
			uint32_t consumed = 0, made, next = 0;

			for (uint32_t i = 0; i < SWAP_IO_MAX; i++)
				r[i] = (struct swap_req){ .pa = PA(i), .slot = 1 + i * gap };
			made = swap_merge(r, SWAP_IO_MAX, 0, limit, out, SWAP_IO_MAX, &consumed);
			assert_int_equal(consumed, SWAP_IO_MAX);
			for (uint32_t k = 0; k < made; k++) {
				assert_int_equal(out[k].list, next);
				assert_true(out[k].npages >= 1);
				next += out[k].npages;
			}
			assert_int_equal(next, SWAP_IO_MAX);
			if (gap > 1 || limit == 1)
				assert_int_equal(made, SWAP_IO_MAX);	/* a request a page */
		}
	}
}

/* A driver that takes fewer pages per request (its device's segment
 * limit) gets requests no longer than that; BLK_MAX_PAGES stays the cap. */
static void test_merge_driver_limit(void **state)
{
	struct swap_req r[20];
	struct blk_request out[8];

	(void)state;
	for (uint32_t i = 0; i < 20; i++)
		r[i] = (struct swap_req){ .pa = PA(i), .slot = 1 + i };
	assert_int_equal(swap_merge(r, 20, 1, 6, out, 8, NULL), 4);
	assert_int_equal(out[0].npages, 6);
	assert_int_equal(out[3].npages, 2);
	assert_int_equal(out[3].list, 18);
	assert_int_equal(out[3].sector, 19 * 8);
	assert_int_equal(swap_merge(r, 20, 1, 1, out, 8, NULL), 8);
	assert_int_equal(out[7].npages, 1);
}

/* Reads arrive in fault order; sorted, neighbours merge. */
static void test_sort_then_merge(void **state)
{
	static const uint32_t slots[] = { 12, 10, 30, 11, 13 };
	struct swap_req r[5];
	struct blk_request out[5];

	(void)state;
	fill(r, slots, 5);
	swap_sort_by_slot(r, 5);
	for (int i = 0; i < 4; i++)
		assert_true(r[i].slot < r[i + 1].slot);
	assert_int_equal(r[0].pa, PA(101));	/* pa travels with its slot */
	assert_int_equal(swap_merge(r, 5, 0, BLK_MAX_PAGES, out, 5, NULL), 2);
	assert_int_equal(out[0].sector, 80);
	assert_int_equal(out[0].npages, 4);
	assert_int_equal(r[out[0].list + 1].pa, PA(103));
	assert_int_equal(out[1].sector, 240);
}

/* A batch already rising stays as it is; one out of order only at its
 * end, or with a slot twice, is still sorted. */
static void test_sort_rising_or_not(void **state)
{
	static const uint32_t rising[] = { 4, 7, 9 }, late[] = { 1, 2, 3, 5, 4 },
			      twice[] = { 3, 3, 1 };
	struct swap_req r[5];

	(void)state;
	fill(r, rising, 3);
	swap_sort_by_slot(r, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(r[i].pa, PA(100 + i));
	fill(r, late, 5);
	swap_sort_by_slot(r, 5);
	for (uint32_t i = 0; i < 5; i++)
		assert_int_equal(r[i].slot, i + 1);
	assert_int_equal(r[3].pa, PA(104));
	fill(r, twice, 3);
	swap_sort_by_slot(r, 3);
	assert_int_equal(r[0].slot, 1);
	assert_int_equal(r[1].slot, 3);
	assert_int_equal(r[2].slot, 3);
}

/* A whole batch backwards (the most moves an insertion sort makes): rising
 * after, each pa with its slot; equal slots keep their order. */
static void test_sort_backwards(void **state)
{
	uint32_t slots[32];
	struct swap_req r[32];

	(void)state;
	for (uint32_t i = 0; i < 32; i++)
		slots[i] = 32 - i / 2;	/* 32, 32, 31, 31, ... 17, 17 */
	fill(r, slots, 32);
	swap_sort_by_slot(r, 32);
	for (uint32_t i = 0; i < 32; i++) {
		assert_int_equal(r[i].slot, 17 + i / 2);
		assert_int_equal(r[i].pa, PA(100 + 30 - (i & ~1u) + (i & 1)));
	}
}

/* A direct request does not wait behind a full queue: it is merged from
 * the caller's own array and submitted at once; the queue is untouched. */
static void test_direct_bypasses_full_queue(void **state)
{
	struct swap_queue q;
	struct swap_req direct = { .pa = PA(7), .slot = 500 };
	struct blk_request out[1];

	(void)state;
	assert_int_equal(swap_queue_init(&q, 4), 0);
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(swap_queue_push(&q, PA(i), 1 + i), 0);
	assert_int_equal(swap_queue_push(&q, direct.pa, direct.slot), -1);
	assert_int_equal(swap_merge(&direct, 1, 1, BLK_MAX_PAGES, out, 1, NULL), 1);
	assert_int_equal(out[0].sector, 4000);
	assert_int_equal(out[0].list, 0);
	assert_int_equal(swap_queue_len(&q), 4);
	swap_queue_fini(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_full_refuses),
		cmocka_unit_test(test_fifo_wrap_batches),
		cmocka_unit_test(test_pop_to_the_end),
		cmocka_unit_test(test_merge_runs_and_gaps),
		cmocka_unit_test(test_merge_max_pages),
		cmocka_unit_test(test_merge_covers_transfer),
		cmocka_unit_test(test_merge_driver_limit),
		cmocka_unit_test(test_sort_then_merge),
		cmocka_unit_test(test_sort_rising_or_not),
		cmocka_unit_test(test_sort_backwards),
		cmocka_unit_test(test_direct_bypasses_full_queue),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
