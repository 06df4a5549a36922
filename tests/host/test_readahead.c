/*
 * Host tests for the swap readahead window (pager/vm/readahead.c): a first
 * fault hopes for a stream, a stream's window grows to the most allowed
 * and is mapped at once, unused windows halve to none, with nothing
 * judged anywhere a window keeps one page (a probe), the share of judged pages that were hit sizes a window outside
 * a stream (pages still waiting count for nothing; no growing on a
 * stream's hits once it ended), faults that read nothing count toward
 * the decay and the one that brings a halving probes a page, and traces
 * of random and sequential faults read about one page per fault and
 * nearly full windows, a working set coming back in random order, its
 * pages wanted many faults after they were read, keeps full windows, and
 * two streams interleaved after random faults shut every window open them
 * again.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "vm/readahead.h"

#define MAX 8

/* The outcomes of all regions' pages read ahead: none known at each
 * test's start (reset). */
static struct readahead_outcomes o;

static int reset(void **state)
{
	(void)state;
	o = (struct readahead_outcomes){ 0 };
	return 0;
}

/* n pages read ahead judged: hit, or taken by reclaim unused. */
static void judge(unsigned n, int hit)
{
	for (unsigned k = 0; k < n; k++)
		readahead_judged(&o, hit);
}

/* One major fault at i in a region whose slots all follow each other: the
 * window read in full. Pages read (the fault's and its window's). */
static unsigned fault(struct vm_readahead *ra, uint64_t i, unsigned *used, int *stream)
{
	unsigned win = readahead_window(ra, &o, i, MAX, used, stream);

	readahead_ahead(ra, i, win);
	return 1 + win;
}

static void test_first_fault_reads_max(void **state)
{
	struct vm_readahead ra = { 0 };
	unsigned used;
	int stream;

	(void)state;
	assert_int_equal(readahead_window(&ra, &o, 100, MAX, &used, &stream), MAX);
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
	readahead_window(&ra, &o, 0, MAX, &used, &stream);
	readahead_ahead(&ra, 0, 1);	/* only one slot followed */
	win = readahead_window(&ra, &o, 2, MAX, &used, &stream);
	assert_int_equal(used, 1);
	assert_true(stream);
	assert_true(ra.eager);
	assert_int_equal(win, MAX);
}

/* Windows nobody uses (pages reclaim took unused judged already):
 * halved at each fault, none after log2(MAX) + 1, never a stream, and left
 * in the swap cache after the first. */
static void test_unused_shrinks_to_none(void **state)
{
	struct vm_readahead ra = { 0 };
	unsigned used, expect = MAX;
	int stream;

	(void)state;
	judge(7, 0);
	for (uint64_t f = 0; f < 6; f++) {
		uint64_t i = 1000 * f;	/* far from every earlier window */
		unsigned win = readahead_window(&ra, &o, i, MAX, &used, &stream);
		assert_int_equal(win, expect);
		assert_int_equal(used, 0);
		assert_false(stream);
		assert_int_equal(ra.eager, f == 0);
		readahead_ahead(&ra, i, win);
		expect /= 2;
	}
	assert_int_equal(ra.win, 0);
}

/* With nothing judged anywhere yet, windows halve but keep one page: a
 * window shut before any of its pages could be judged would never learn
 * whether they were wanted. */
static void test_nothing_judged_keeps_one(void **state)
{
	struct vm_readahead ra = { 0 };
	static const unsigned expect[] = { MAX, 4, 2, 1, 1, 1 };
	unsigned used;
	int stream;

	(void)state;
	for (uint64_t f = 0; f < 6; f++) {
		unsigned win = readahead_window(&ra, &o, 1000 * f, MAX, &used, &stream);
		assert_int_equal(win, expect[f]);
		readahead_ahead(&ra, 1000 * f, win);
	}
	assert_int_equal(readahead_window(&ra, &o, 9000, 0, &used, &stream), 0);	/* none allowed */
}

/* Outside a stream, the share of judged pages that faults found sizes
 * the window: none up to half, more the more were found, and by at most a
 * factor of two at each fault; a page not read ahead is no hit. */
static void test_hits_size_window(void **state)
{
	static const unsigned expect[] = { 2, 4, 8, 4, 2, 1 };
	static const unsigned hits[] = { 7, 1, 0, 0, 0, 0 };
	static const unsigned misses[] = { 0, 0, 0, 4, 2, 2 };
	struct vm_readahead ra = { 0 };
	unsigned used;
	int stream;

	(void)state;
	for (uint64_t f = 0; f < 6; f++)
		readahead_ahead(&ra, 1000 * f, readahead_window(&ra, &o, 1000 * f, MAX, &used, &stream));
	assert_int_equal(ra.win, 1);		/* nothing known yet: one page */
	assert_int_equal(o.hits + o.misses, 0);
	assert_int_equal(readahead_hit(&ra, &o, 3, 0, 0), 0);	/* not read ahead: no hit */
	assert_int_equal(o.hits, 0);
	for (unsigned f = 0; f < 6; f++) {
		uint64_t i = 10000 + 1000 * f;
		for (unsigned h = 0; h < hits[f]; h++)
			assert_int_equal(readahead_hit(&ra, &o, 5, 1, 0), 1);
		judge(misses[f], 0);
		/* hits of judged: 7/7, 8/8, 8/8 (double each time), 8/12 (wants
		 * 2: halves), 8/14 (wants 1: halves), 8/16 (wants none: halves) */
		assert_int_equal(readahead_window(&ra, &o, i, MAX, &used, &stream), expect[f]);
		assert_false(ra.eager);
		readahead_ahead(&ra, i, expect[f]);
	}
}

/* Pages read ahead and still waiting are no evidence: windows whose pages
 * are wanted long after they were read (a working set coming back in
 * random order) keep growing once those pages are found, while windows
 * whose pages reclaim takes unused stay at none. */
static void test_waiting_pages_not_misses(void **state)
{
	struct vm_readahead ra = { 0 };
	unsigned used, win = 0;
	int stream;

	(void)state;
	for (uint64_t f = 0; f < 40; f++)	/* 40 windows read, none found yet */
		readahead_ahead(&ra, 1000 * f, readahead_window(&ra, &o, 1000 * f, MAX, &used, &stream));
	assert_int_equal(ra.win, 1);
	judge(7, 1);		/* the first windows' pages, found at last */
	for (uint64_t f = 40; f < 43; f++) {
		win = readahead_window(&ra, &o, 1000 * f, MAX, &used, &stream);
		readahead_ahead(&ra, 1000 * f, win);
	}
	assert_int_equal(win, MAX);	/* 2, 4, 8 */
	reset(NULL);
	judge(7, 0);		/* taken by reclaim, never found */
	for (uint64_t f = 43; f < 60; f++) {
		win = readahead_window(&ra, &o, 1000 * f, MAX, &used, &stream);
		readahead_ahead(&ra, 1000 * f, win);
	}
	assert_int_equal(win, 0);
}

/* Both counts halve together once 64 pages were judged. */
static void test_outcomes_decay(void **state)
{
	(void)state;
	judge(48, 1);
	judge(15, 0);
	assert_int_equal(o.hits, 48);
	assert_int_equal(o.misses, 15);
	judge(1, 0);		/* 64 judged */
	assert_int_equal(o.hits, 24);
	assert_int_equal(o.misses, 8);
}

/* Faults far apart whose windows the misses shut read nothing, so judge
 * nothing: they count toward the decay instead, and the one that brings a
 * halving reads one page (a probe), the window left at none. Once the old
 * misses have halved away, a window stays shut between probes (no page at
 * each fault while the probe waits to be judged), and a probe found opens
 * it again. */
static void test_idle_faults_decay(void **state)
{
	struct vm_readahead ra = { 0 };
	uint64_t f = 0;
	unsigned used, win;
	int stream;

	(void)state;
	judge(7, 0);
	for (; f < 5; f++)	/* as shrink_to_none: 8, 4, 2, 1, 0 */
		readahead_ahead(&ra, 1000 * f, readahead_window(&ra, &o, 1000 * f, MAX, &used, &stream));
	assert_int_equal(ra.win, 0);
	assert_int_equal(o.idle, 1);
	for (; o.idle < 64 - 7 - 1; f++)	/* 55 more read nothing */
		assert_int_equal(readahead_window(&ra, &o, 1000 * f, MAX, &used, &stream), 0);
	win = readahead_window(&ra, &o, 1000 * f, MAX, &used, &stream);
	assert_int_equal(win, 1);		/* the 64th event: a probe */
	assert_int_equal(ra.win, 0);
	assert_int_equal(o.misses, 3);
	assert_int_equal(o.idle, 0);
	readahead_ahead(&ra, 1000 * f, win);
	/* Two more halvings (3 -> 1 -> 0), their probes not judged yet, and one
	 * with every old miss gone: its probe still waiting, faults then
	 * read nothing. */
	for (f++; o.misses; f++)
		readahead_ahead(&ra, 1000 * f, readahead_window(&ra, &o, 1000 * f, MAX, &used, &stream));
	for (unsigned k = 0; k < 10; k++, f++)
		assert_int_equal(readahead_window(&ra, &o, 1000 * f, MAX, &used, &stream), 0);
	judge(1, 1);				/* a probe found */
	assert_int_equal(readahead_window(&ra, &o, 1000 * f, MAX, &used, &stream), 1);
	assert_int_equal(ra.win, 1);
}

/* From none, a fault just after the last one starts a window of 2, left in
 * the cache; a sweep through it (two hits) and on is a stream: eager. */
static void test_stream_restarts(void **state)
{
	struct vm_readahead ra = { 0 };
	unsigned used, win;
	int stream;

	(void)state;
	judge(7, 0);
	for (uint64_t f = 0; f < 5; f++)
		readahead_ahead(&ra, 1000 * f, readahead_window(&ra, &o, 1000 * f, MAX, &used, &stream));
	assert_int_equal(ra.win, 0);
	win = readahead_window(&ra, &o, 4001, MAX, &used, &stream);
	assert_int_equal(win, 2);
	assert_false(ra.eager);
	readahead_ahead(&ra, 4001, win);
	assert_int_equal(readahead_hit(&ra, &o, 4002, 1, 0), 1);
	assert_int_equal(readahead_hit(&ra, &o, 4003, 1, 0), 1);
	win = readahead_window(&ra, &o, 4004, MAX, &used, &stream);
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
	readahead_ahead(&ra, 0, readahead_window(&ra, &o, 0, MAX, &used, &stream));
	assert_int_equal(readahead_hit(&ra, &o, MAX + 1, 1, 4), 1);
	readahead_window(&ra, &o, MAX + 6, MAX, &used, &stream);
	assert_true(stream);
	assert_int_equal(used, 4);
}

/* Faults far apart after pages read ahead were judged unused: from the
 * first (eager) window down to none; 4 + 2 + 1 pages left in the cache. */
static void shrink_to_none(struct vm_readahead *ra)
{
	unsigned used;
	int stream;

	judge(7, 0);
	for (uint64_t f = 0; f < 5; f++)
		readahead_ahead(ra, 1000 * f, readahead_window(ra, &o, 1000 * f, MAX, &used, &stream));
	assert_int_equal(ra->win, 0);
}

/* From none, a sweep from page at: a window of 2 used, then a stream of 4
 * whose 5 pages further the swap-in thread is offered and reads, all
 * found by faults. The window last judged (4). */
static unsigned stream_with_thread(struct vm_readahead *ra, uint64_t at)
{
	unsigned used, win;
	int stream;

	win = readahead_window(ra, &o, at, MAX, &used, &stream);
	readahead_ahead(ra, at, win);
	assert_int_equal(readahead_further(ra, at), 0);	/* not a stream yet */
	for (unsigned k = 1; k <= win; k++)
		readahead_hit(ra, &o, at + k, 1, 0);
	win = readahead_window(ra, &o, at + 3, MAX, &used, &stream);
	assert_true(stream);
	assert_int_equal(win, 4);
	readahead_ahead(ra, at + 3, win);
	assert_int_equal(readahead_further(ra, at + 2), 0);	/* not this fault's window */
	assert_int_equal(readahead_further(ra, at + 3), 1 + win);
	assert_int_equal(readahead_further(ra, at + 3), 0);	/* taken once */
	for (unsigned k = 0; k < 1 + win; k++)	/* the swap-in thread's */
		assert_int_equal(readahead_hit(ra, &o, at + 4 + win + k, 1, 0), 1);
	return win;
}

/* Windows down to none, then all pages judged since found (7, then
 * stream_with_thread's):
 * the window judged next, far away; *last: the stream's. */
static unsigned window_after_stream(struct vm_readahead *ra, unsigned *last)
{
	unsigned used;
	int stream;

	shrink_to_none(ra);
	reset(NULL);		/* what was judged before is forgotten */
	for (unsigned h = 0; h < 7; h++)
		readahead_hit(ra, &o, 5, 1, 0);
	*last = stream_with_thread(ra, 4001);
	return readahead_window(ra, &o, 90000, MAX, &used, &stream);
}

/* However well the stream's pages were used, the first window after it
 * ends is no larger than the stream's last. */
static void test_no_growth_after_stream(void **state)
{
	struct vm_readahead ra = { 0 };
	unsigned last, win;

	(void)state;
	win = window_after_stream(&ra, &last);
	assert_int_equal(o.misses, 0);	/* every page found */
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
	readahead_ahead(&ra, 0, readahead_window(&ra, &o, 0, MAX, &used, &stream));
	readahead_ahead(&ra, MAX + 1, readahead_window(&ra, &o, MAX + 1, MAX, &used, &stream));
	assert_int_equal(ra.further, 1 + MAX);	/* asked for, a stream's */
	readahead_window(&ra, &o, 5000, MAX, &used, &stream);
	assert_int_equal(readahead_further(&ra, MAX + 1), 0);
	assert_int_equal(readahead_further(&ra, 5000), 0);
}

/* xorshift: repeatable "random" page numbers. */
static uint64_t next_random(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

#define LAG 20	/* faults between a page's read and its fate */

/* Faults at random pages of a large region whose slots all follow (the
 * worst case: every window could be read in full), each page left in the
 * cache found (hit) or taken unused by reclaim LAG faults after its read.
 * Pages read. */
static uint64_t lagged_trace(uint64_t faults, int hit)
{
	struct vm_readahead ra = { 0 };
	uint64_t x = 88172645463325252ull, pages = 0;
	unsigned fate[LAG] = { 0 }, used;
	int stream;

	for (uint64_t f = 0; f < faults; f++) {
		uint64_t i = next_random(&x) % 1000000;
		unsigned win = readahead_window(&ra, &o, i, MAX, &used, &stream);

		judge(fate[f % LAG], hit);	/* read LAG faults ago */
		fate[f % LAG] = ra.eager ? 0 : win;
		readahead_ahead(&ra, i, win);
		pages += 1 + win;
	}
	return pages;
}

/* At most one probe in this many faults that read nothing:
 * readahead.c's DECAY_AT (64) events between halvings, one of them the
 * last probe's miss. */
#define PROBE_GAP 63

/* Random faults whose pages read ahead are never found: about one page
 * per fault (within 1%), beside the probes. */
static void test_random_trace(void **state)
{
	(void)state;
	assert_true(lagged_trace(20000, 0) <= 20000 * 101 / 100 + 20000 / PROBE_GAP);
}

/* A working set coming back in random order: every page read ahead is
 * found, but only LAG faults after its read. Windows stay full (the old
 * rule, counting waiting pages as unused, kept them near none). */
static void test_random_return_trace(void **state)
{
	(void)state;
	assert_true(lagged_trace(2000, 1) * 100 >= 2000 * (1 + MAX) * 95);
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

/* A fault in a region whose pages read ahead wait in a cache (cached[]):
 * a hit if its page is there, else a major fault reading its window into
 * it. Major faults. */
static unsigned char cached[1 << 16];

static unsigned cached_fault(struct vm_readahead *ra, uint64_t i)
{
	unsigned used, win;
	int stream;

	if (cached[i]) {
		cached[i] = 0;
		readahead_hit(ra, &o, i, 1, 0);
		return 0;
	}
	win = readahead_window(ra, &o, i, MAX, &used, &stream);
	for (unsigned k = 1; k <= win; k++)
		cached[i + k] = 1;
	readahead_ahead(ra, i, win);
	return 1;
}

/* 200 random faults whose pages read ahead were all taken unused shut
 * every window; then a copy from one half of the region to the other,
 * two forward streams interleaved, never faults at ra->next. Its faults
 * read nothing ahead, judge nothing, and the misses must still decay:
 * once windows open again, most of its pages (3 in 4; windows of MAX = 8
 * give 8 in 9) come read ahead. Before faults that read nothing counted,
 * all 4,000 were major faults. */
static void test_interleaved_streams_reopen(void **state)
{
	struct vm_readahead ra = { 0 };
	uint64_t x = 88172645463325252ull;
	unsigned majors = 0, used;
	int stream;

	(void)state;
	for (unsigned f = 0; f < 200; f++) {
		uint64_t i = next_random(&x) % 60000;
		unsigned win = readahead_window(&ra, &o, i, MAX, &used, &stream);

		readahead_ahead(&ra, i, win);
		judge(win, 0);
	}
	assert_int_equal(ra.win, 0);
	for (uint64_t k = 0; k < 2000; k++) {
		majors += cached_fault(&ra, k);
		majors += cached_fault(&ra, 30000 + k);
	}
	assert_true(4 * majors <= 4000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_first_fault_reads_max, reset),
		cmocka_unit_test_setup(test_stream_grows, reset),
		cmocka_unit_test_setup(test_unused_shrinks_to_none, reset),
		cmocka_unit_test_setup(test_nothing_judged_keeps_one, reset),
		cmocka_unit_test_setup(test_hits_size_window, reset),
		cmocka_unit_test_setup(test_waiting_pages_not_misses, reset),
		cmocka_unit_test_setup(test_outcomes_decay, reset),
		cmocka_unit_test_setup(test_idle_faults_decay, reset),
		cmocka_unit_test_setup(test_stream_restarts, reset),
		cmocka_unit_test_setup(test_thread_hits, reset),
		cmocka_unit_test_setup(test_no_growth_after_stream, reset),
		cmocka_unit_test_setup(test_further_dropped_by_next_window, reset),
		cmocka_unit_test_setup(test_random_trace, reset),
		cmocka_unit_test_setup(test_random_return_trace, reset),
		cmocka_unit_test_setup(test_sequential_trace, reset),
		cmocka_unit_test_setup(test_interleaved_streams_reopen, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
