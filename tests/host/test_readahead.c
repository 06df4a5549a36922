/*
 * Host tests for the swap readahead window (pager/vm/readahead.c): a first
 * fault hopes for a stream, a stream's window grows to the most allowed
 * and is mapped at once, unused windows halve to none, hits size a window
 * outside a stream (the swap-in thread's pages read as well as hit, no
 * growing on a stream's hits once it ended), and traces of random and sequential faults read about
 * one page per fault and nearly full windows.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "vm/readahead.h"

#define MAX 8

/* One major fault at i in a region whose slots all follow each other: the
 * window read in full. Pages read (the fault's and its window's). */
static unsigned fault(struct vm_readahead *ra, uint64_t i, unsigned *used, int *stream)
{
	unsigned win = readahead_window(ra, i, MAX, used, stream);

	readahead_ahead(ra, i, win);
	return 1 + win;
}

static void test_first_fault_reads_max(void **state)
{
	struct vm_readahead ra = { 0 };
	unsigned used;
	int stream;

	(void)state;
	assert_int_equal(readahead_window(&ra, 100, MAX, &used, &stream), MAX);
	assert_int_equal(used, 0);
	assert_false(stream);
	assert_true(ra.eager);		/* mapped with its fault, hoping */
}

/* A program that goes through an eager window faults next just past it:
 * all used, a stream, and the window (cut short by the slots) grows. */
static void test_stream_grows(void **state)
{
	struct vm_readahead ra = { 0 };
	unsigned used, win;
	int stream;

	(void)state;
	readahead_window(&ra, 0, MAX, &used, &stream);
	readahead_ahead(&ra, 0, 1);	/* only one slot followed */
	win = readahead_window(&ra, 2, MAX, &used, &stream);
	assert_int_equal(used, 1);
	assert_true(stream);
	assert_true(ra.eager);
	assert_int_equal(win, MAX);
}

/* Windows nobody uses: halved at each fault, none after log2(MAX) + 1,
 * never a stream, and left in the swap cache after the first. */
static void test_unused_shrinks_to_none(void **state)
{
	struct vm_readahead ra = { 0 };
	unsigned used, expect = MAX;
	int stream;

	(void)state;
	for (uint64_t f = 0; f < 6; f++) {
		uint64_t i = 1000 * f;	/* far from every earlier window */
		unsigned win = readahead_window(&ra, i, MAX, &used, &stream);
		assert_int_equal(win, expect);
		assert_int_equal(used, 0);
		assert_false(stream);
		assert_int_equal(ra.eager, f == 0);
		readahead_ahead(&ra, i, win);
		expect /= 2;
	}
	assert_int_equal(ra.win, 0);
}

/* Outside a stream, the share of pages left in the cache that faults
 * found sizes the window: none up to half, more the more were found, and
 * by at most a factor of two at each fault. */
static void test_hits_size_window(void **state)
{
	static const unsigned expect[] = { 1, 2, 4, 2, 1, 0 };
	static const unsigned hits[] = { 7, 1, 0, 0, 0, 0 };
	struct vm_readahead ra = { 0 };
	unsigned used;
	int stream;

	(void)state;
	for (uint64_t f = 0; f < 6; f++)
		readahead_ahead(&ra, 1000 * f, readahead_window(&ra, 1000 * f, MAX, &used, &stream));
	assert_int_equal(ra.win, 0);
	assert_int_equal(ra.read, 4 + 2 + 1);	/* the first window was eager */
	assert_int_equal(readahead_hit(&ra, 3, 0, 0), 0);	/* not read ahead: no hit */
	for (unsigned f = 0; f < 6; f++) {
		uint64_t i = 10000 + 1000 * f;
		for (unsigned h = 0; h < hits[f]; h++)
			assert_int_equal(readahead_hit(&ra, 5, 1, 0), 1);
		assert_int_equal(readahead_window(&ra, i, MAX, &used, &stream), expect[f]);
		assert_false(ra.eager);
		readahead_ahead(&ra, i, expect[f]);
	}
}

/* From none, a fault just after the last one starts a window of 2, left in
 * the cache; a sweep through it (two hits) and on is a stream: eager. */
static void test_stream_restarts(void **state)
{
	struct vm_readahead ra = { 0 };
	unsigned used, win;
	int stream;

	(void)state;
	for (uint64_t f = 0; f < 5; f++)
		readahead_ahead(&ra, 1000 * f, readahead_window(&ra, 1000 * f, MAX, &used, &stream));
	assert_int_equal(ra.win, 0);
	win = readahead_window(&ra, 4001, MAX, &used, &stream);
	assert_int_equal(win, 2);
	assert_false(ra.eager);
	readahead_ahead(&ra, 4001, win);
	assert_int_equal(readahead_hit(&ra, 4002, 1, 0), 1);
	assert_int_equal(readahead_hit(&ra, 4003, 1, 0), 1);
	win = readahead_window(&ra, 4004, MAX, &used, &stream);
	assert_true(stream);
	assert_int_equal(used, 0);	/* counted as hits already */
	assert_int_equal(win, 4);
	assert_true(ra.eager);
}

/* In an eager stream, a fault that finds the swap-in thread's page just
 * past the window moves the stream on past the pages mapped with it. */
static void test_thread_hits(void **state)
{
	struct vm_readahead ra = { 0 };
	unsigned used;
	int stream;

	(void)state;
	readahead_ahead(&ra, 0, readahead_window(&ra, 0, MAX, &used, &stream));
	assert_int_equal(readahead_hit(&ra, MAX + 1, 1, 4), 1);
	readahead_window(&ra, MAX + 6, MAX, &used, &stream);
	assert_true(stream);
	assert_int_equal(used, 4);
}

/* Faults far apart, none of whose windows is used: from the first
 * (eager) window down to none; 4 + 2 + 1 pages left in the cache. */
static void shrink_to_none(struct vm_readahead *ra)
{
	unsigned used;
	int stream;

	for (uint64_t f = 0; f < 5; f++)
		readahead_ahead(ra, 1000 * f, readahead_window(ra, 1000 * f, MAX, &used, &stream));
	assert_int_equal(ra->win, 0);
	assert_int_equal(ra->read, 7);
}

/* From none, a sweep from page at: a window of 2 used, then a stream of 4
 * whose 5 pages further the swap-in thread is offered and, if it takes
 * them, reads, all found by faults. The window last judged (4). */
static unsigned stream_with_thread(struct vm_readahead *ra, uint64_t at, int taken)
{
	unsigned used, win;
	int stream;

	win = readahead_window(ra, at, MAX, &used, &stream);
	readahead_ahead(ra, at, win);
	assert_int_equal(readahead_further(ra, at), 0);	/* not a stream yet */
	for (unsigned k = 1; k <= win; k++)
		readahead_hit(ra, at + k, 1, 0);
	win = readahead_window(ra, at + 3, MAX, &used, &stream);
	assert_true(stream);
	assert_int_equal(win, 4);
	readahead_ahead(ra, at + 3, win);
	assert_int_equal(readahead_further(ra, at + 2), 0);	/* not this fault's window */
	assert_int_equal(readahead_further(ra, at + 3), 1 + win);
	assert_int_equal(readahead_further(ra, at + 3), 0);	/* taken once */
	readahead_further_read(ra, taken ? 1 + win : 0);
	for (unsigned k = 0; taken && k < 1 + win; k++)	/* the swap-in thread's */
		assert_int_equal(readahead_hit(ra, at + 4 + win + k, 1, 0), 1);
	return win;
}

/* The swap-in thread's pages count as read as well as hit: after 3 hits
 * of 7 pages and a stream all of whose 7 + 5 pages were found, the share
 * is 15 of 19, not all, and the window after the stream follows it. */
static void test_thread_reads_count(void **state)
{
	struct vm_readahead ra = { 0 };
	unsigned used;
	int stream;

	(void)state;
	shrink_to_none(&ra);
	for (unsigned h = 0; h < 3; h++)
		readahead_hit(&ra, 5, 1, 0);
	stream_with_thread(&ra, 4001, 1);
	assert_int_equal(ra.read, 7 + 2 + 5);
	assert_int_equal(ra.hits, 3 + 2 + 5);
	/* 2 * 10 - 14 = 6 of 14: wants 8 * 6 / 14 = 3, a window of 2. */
	assert_int_equal(readahead_window(&ra, 90000, MAX, &used, &stream), 2);
	assert_false(stream);
}

/* Windows down to none with all 7 pages hit, then stream_with_thread:
 * the window judged next, far away; *last: the stream's. */
static unsigned window_after_stream(struct vm_readahead *ra, int taken, unsigned *last)
{
	unsigned used;
	int stream;

	shrink_to_none(ra);
	for (unsigned h = 0; h < 7; h++)
		readahead_hit(ra, 5, 1, 0);
	*last = stream_with_thread(ra, 4001, taken);
	return readahead_window(ra, 90000, MAX, &used, &stream);
}

/* However well the stream's pages were used, the first window after it
 * ends is no larger than the stream's last. */
static void test_no_growth_after_stream(void **state)
{
	struct vm_readahead ra = { 0 };
	unsigned last, win;

	(void)state;
	win = window_after_stream(&ra, 1, &last);
	assert_int_equal(ra.hits, ra.read);	/* every page found */
	assert_int_equal(win, last);
}

/* A stream whose pages past the window the swap-in thread did not take
 * (a full queue, slots already in memory): they are not counted as read,
 * so the hit share stays whole and the window after the stream is the
 * stream's last, not halved for pages nobody read. */
static void test_untaken_further_not_read(void **state)
{
	struct vm_readahead ra = { 0 };
	unsigned last, win;

	(void)state;
	win = window_after_stream(&ra, 0, &last);
	assert_int_equal(ra.read, 7 + 2);
	assert_int_equal(ra.hits, 7 + 2);
	assert_int_equal(win, last);
}

/* Pages asked for past a window and never offered (the read failed, or
 * the region faulted elsewhere first) are dropped at the next window. */
static void test_further_dropped_by_next_window(void **state)
{
	struct vm_readahead ra = { 0 };
	unsigned used;
	int stream;

	(void)state;
	readahead_ahead(&ra, 0, readahead_window(&ra, 0, MAX, &used, &stream));
	readahead_ahead(&ra, MAX + 1, readahead_window(&ra, MAX + 1, MAX, &used, &stream));
	assert_int_equal(ra.further, 1 + MAX);	/* asked for, a stream's */
	readahead_window(&ra, 5000, MAX, &used, &stream);
	assert_int_equal(readahead_further(&ra, MAX + 1), 0);
	assert_int_equal(readahead_further(&ra, 5000), 0);
	assert_int_equal(ra.read, 0);
}

/* xorshift: repeatable "random" page numbers. */
static uint64_t next_random(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Random faults over a large region whose slots all follow (the worst
 * case: every window could be read in full): about one page per fault. */
static void test_random_trace(void **state)
{
	struct vm_readahead ra = { 0 };
	uint64_t x = 88172645463325252ull, pages = 0, faults = 20000;
	unsigned used;
	int stream;

	(void)state;
	for (uint64_t f = 0; f < faults; f++)
		pages += fault(&ra, next_random(&x) % 1000000, &used, &stream);
	assert_true(pages * 100 <= faults * 101);
}

/* A sweep that faults only where no page was read ahead: after the first
 * few, every fault reads a full window. */
static void test_sequential_trace(void **state)
{
	struct vm_readahead ra = { 0 };
	uint64_t i = 0, pages = 0, faults = 0;
	unsigned used;
	int stream;

	(void)state;
	while (i < 90000) {
		unsigned n = fault(&ra, i, &used, &stream);
		pages += n;
		faults++;
		i += n;
	}
	assert_true(pages * 100 >= faults * (1 + MAX) * 99);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_fault_reads_max),
		cmocka_unit_test(test_stream_grows),
		cmocka_unit_test(test_unused_shrinks_to_none),
		cmocka_unit_test(test_hits_size_window),
		cmocka_unit_test(test_stream_restarts),
		cmocka_unit_test(test_thread_hits),
		cmocka_unit_test(test_thread_reads_count),
		cmocka_unit_test(test_no_growth_after_stream),
		cmocka_unit_test(test_untaken_further_not_read),
		cmocka_unit_test(test_further_dropped_by_next_window),
		cmocka_unit_test(test_random_trace),
		cmocka_unit_test(test_sequential_trace),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
