/*
 * Host tests for pager/vm/pagevec.c, the sparse page arrays: entries read
 * back, chunks made only where entries are and freed with their last one,
 * scans that skip what is absent, splits at any index, truncation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vm/pagevec.h"
#include "host_pages.h"

#define HUGE_PAGES (1ULL << 26)	/* 256 GiB of pages: the whole user half */

static void test_empty(void **state)
{
	struct pagevec v = { 0 };

	(void)state;
	assert_int_equal(pv_get(&v, 0), 0);
	assert_int_equal(pv_get(&v, HUGE_PAGES - 1), 0);
	assert_int_equal(pv_next(&v, 0, HUGE_PAGES), HUGE_PAGES);
	assert_int_equal(pv_count(&v, 0, HUGE_PAGES), 0);
	assert_int_equal(pv_set(&v, 5, 0), 0);	/* clearing needs no memory */
	assert_int_equal(pv_bytes(&v), 0);
	pv_free(&v);
}

/* Entries far apart in a huge range: one chunk each, found in order. */
static void test_sparse(void **state)
{
	static const uint64_t at[] = { 3, PV_CHUNK - 1, 1ULL << 20, (1ULL << 25) + 7,
				       HUGE_PAGES - 1 };
	struct pagevec v = { 0 };
	uint64_t i = 0;

	(void)state;
	for (size_t k = 5; k-- > 0;)	/* out of order */
		assert_int_equal(pv_set(&v, at[k], (uint32_t)(k + 1)), 0);
	assert_int_equal(v.n, 4);	/* the first two share a chunk */
	assert_true(pv_bytes(&v) < 8 * 1024);
	for (size_t k = 0; k < 5; k++) {
		i = pv_next(&v, i, HUGE_PAGES);
		assert_int_equal(i, at[k]);
		assert_int_equal(pv_get(&v, i), k + 1);
		i++;
	}
	assert_int_equal(pv_next(&v, i, HUGE_PAGES), HUGE_PAGES);
	assert_int_equal(pv_next(&v, PV_CHUNK, 1ULL << 20), 1ULL << 20);	/* end bounds it */
	assert_int_equal(pv_count(&v, 0, HUGE_PAGES), 5);
	assert_int_equal(pv_count(&v, 4, HUGE_PAGES - 1), 3);
	pv_free(&v);
	assert_int_equal(v.n, 0);
}

struct seen {
	uint64_t at[8];
	uint32_t e[8];
	size_t n, stop_after;
};

static int record(void *ctx, uint64_t i, uint32_t e)
{
	struct seen *s = ctx;

	s->at[s->n] = i;
	s->e[s->n++] = e;
	return s->n == s->stop_after ? 7 : 0;
}

/* pv_each visits what pv_next finds, in order, within [from, to), and
 * stops when told. */
static void test_each(void **state)
{
	static const uint64_t at[] = { 3, PV_CHUNK - 1, PV_CHUNK, 1ULL << 20, HUGE_PAGES - 1 };
	struct pagevec v = { 0 };
	struct seen s = { .stop_after = 99 };

	(void)state;
	for (size_t k = 0; k < 5; k++)
		assert_int_equal(pv_set(&v, at[k], (uint32_t)(k + 1)), 0);
	assert_int_equal(pv_each(&v, 0, HUGE_PAGES, record, &s), 0);
	assert_int_equal(s.n, 5);
	for (size_t k = 0; k < 5; k++) {
		assert_int_equal(s.at[k], at[k]);
		assert_int_equal(s.e[k], k + 1);
	}
	s = (struct seen){ .stop_after = 99 };
	assert_int_equal(pv_each(&v, 4, 1ULL << 20, record, &s), 0);	/* to bounds it */
	assert_int_equal(s.n, 2);
	assert_int_equal(s.at[0], PV_CHUNK - 1);
	s = (struct seen){ .stop_after = 2 };
	assert_int_equal(pv_each(&v, 0, HUGE_PAGES, record, &s), 7);
	assert_int_equal(s.n, 2);
	pv_free(&v);
}

static void test_chunks_freed(void **state)
{
	struct pagevec v = { 0 };

	(void)state;
	assert_int_equal(pv_set(&v, 10, 1), 0);
	assert_int_equal(pv_set(&v, 11, 2), 0);
	assert_int_equal(v.n, 1);
	assert_int_equal(pv_set(&v, 10, 0), 0);
	assert_int_equal(v.n, 1);
	assert_int_equal(pv_set(&v, 11, 0), 0);
	assert_int_equal(v.n, 0);
	assert_int_equal(pv_reserve(&v, 5000), 0);
	assert_int_equal(v.n, 1);
	assert_int_equal(pv_get(&v, 5000), 0);
	assert_int_equal(pv_next(&v, 0, HUGE_PAGES), HUGE_PAGES);
	assert_int_equal(pv_set(&v, 5000, 9), 0);
	assert_int_equal(pv_get(&v, 5000), 9);
	pv_free(&v);
}

/* A reserved chunk nobody set an entry in goes with pv_unreserve; one
 * holding an entry stays, and an index with no chunk is no error. */
static void test_unreserve(void **state)
{
	struct pagevec v = { 0 };

	(void)state;
	pv_unreserve(&v, 7);
	assert_int_equal(pv_reserve(&v, 7), 0);
	assert_int_equal(pv_reserve(&v, 5000), 0);
	assert_int_equal(v.n, 2);
	assert_int_equal(pv_set(&v, 8, 3), 0);
	pv_unreserve(&v, 7);		/* 8 is set in its chunk: stays */
	pv_unreserve(&v, 5000);
	assert_int_equal(v.n, 1);
	assert_int_equal(pv_get(&v, 8), 3);
	assert_int_equal(pv_set(&v, 5000, 9), 0);	/* made again when set */
	assert_int_equal(v.n, 2);
	pv_free(&v);
}

/* A chunk past its budget's bound is refused with PV_AT_BOUND, by each
 * call that would make one, and nothing is changed; the refusal is the
 * call's answer alone (no mark on the budget), and a chunk that fits
 * once room is back is made. */
static void test_bound_answered(void **state)
{
	struct pv_budget b = { 0 };
	struct pagevec v = { .budget = &b };
	struct pv_chunk *c;
	int err = 0;

	(void)state;
	assert_int_equal(pv_set(&v, 1, 1), 0);
	b.max = b.bytes;	/* at its bound */
	assert_int_equal(pv_reserve(&v, 5 * PV_CHUNK), PV_AT_BOUND);
	assert_int_equal(pv_set(&v, 5 * PV_CHUNK, 2), PV_AT_BOUND);
	assert_null(pv_hold(&v, 5 * PV_CHUNK, &err));
	assert_int_equal(err, PV_AT_BOUND);
	assert_int_equal(v.n, 1);
	assert_int_equal(b.bytes, pv_bytes(&v));
	assert_int_equal(pv_set(&v, 2, 3), 0);	/* its chunk exists */
	assert_non_null(c = pv_hold(&v, 3, &err));
	pv_unhold(&v, c);
	b.max = 0;	/* unbounded */
	assert_int_equal(pv_reserve(&v, 5 * PV_CHUNK), 0);
	pv_free(&v);
	assert_int_equal(b.bytes, 0);
}

/* A held chunk outlives its last entry and pv_unreserve; it goes with the
 * last hold, unless an entry came meanwhile; holds nest. */
static void test_hold(void **state)
{
	struct pagevec v = { 0 };
	struct pv_chunk *h1, *h2, *h3;
	int err;

	(void)state;
	assert_int_equal(pv_set(&v, 10, 1), 0);
	assert_non_null(h1 = pv_hold(&v, 11, &err));
	assert_int_equal(pv_set(&v, 10, 0), 0);	/* its last entry */
	pv_unreserve(&v, 11);
	assert_int_equal(v.n, 1);
	assert_ptr_equal(h2 = pv_hold(&v, 12, &err), h1);	/* a second hold */
	pv_unhold(&v, h1);
	assert_int_equal(v.n, 1);
	pv_unhold(&v, h2);
	assert_int_equal(v.n, 0);
	assert_non_null(h3 = pv_hold(&v, 5000, &err));	/* made by the hold */
	assert_int_equal(v.n, 1);
	assert_int_equal(pv_put(&v, 5001, 4), 0);
	pv_unhold(&v, h3);
	assert_int_equal(v.n, 1);		/* it holds an entry now */
	assert_int_equal(pv_get(&v, 5001), 4);
	pv_free(&v);
}

/* What a walk's callback does may clear entries (reclaim, when a fork's
 * allocation reclaims): here the callback clears every entry of the chunk
 * walked (its own too), of the two before and of the last. No chunk goes
 * before the walk ends (its indices and pointers stay good); the last
 * chunk's entry, cleared before the walk reached it, is not met; the
 * emptied chunks go when it ends. */
struct clearing_walk {
	struct pagevec *v;
	uint64_t seen[8];
	unsigned n;
};

static int clear_around(void *ctx, uint64_t i, uint32_t e)
{
	struct clearing_walk *w = ctx;

	(void)e;
	assert_true(w->n < 8);
	w->seen[w->n++] = i;
	if (i == 2 * PV_CHUNK + 1) {
		for (uint64_t k = 0; k < 5 * PV_CHUNK; k++)
			if (k / PV_CHUNK != 3)
				pv_set(w->v, k, 0);
	}
	return 0;
}

static void test_each_while_cleared(void **state)
{
	static const uint64_t at[] = { 1, PV_CHUNK + 1, 2 * PV_CHUNK + 1, 2 * PV_CHUNK + 2,
				       3 * PV_CHUNK + 5, 4 * PV_CHUNK + 1 };
	struct pagevec v = { 0 };
	struct clearing_walk w = { &v, { 0 }, 0 };

	(void)state;
	for (unsigned k = 0; k < 6; k++)
		assert_int_equal(pv_set(&v, at[k], 1), 0);
	assert_int_equal(pv_each(&v, 0, 5 * PV_CHUNK, clear_around, &w), 0);
	/* 2 * PV_CHUNK + 2 was cleared before the walk reached it */
	assert_int_equal(w.n, 4);
	assert_int_equal(w.seen[0], 1);
	assert_int_equal(w.seen[1], PV_CHUNK + 1);
	assert_int_equal(w.seen[2], 2 * PV_CHUNK + 1);
	assert_int_equal(w.seen[3], 3 * PV_CHUNK + 5);
	assert_int_equal(v.n, 1);		/* 3's; the rest went when the walk ended */
	assert_int_equal(pv_get(&v, 3 * PV_CHUNK + 5), 1);
	assert_int_equal(v.walks, 0);
	assert_int_equal(v.emptied, 0);
	pv_free(&v);
}

/* However often a walk leaves chunks empty (the same chunk again at each
 * clear of an entry already 0), the empty chunks go when it ends. The
 * mark starts all ones, as if as many clears as its width holds had come
 * before: one counted in 32 bits wrapped to 0 at the next clear, and the
 * empty chunk stayed past the walk. */
static void test_walk_emptied_mark(void **state)
{
	struct pagevec v = { 0 };

	(void)state;
	assert_int_equal(pv_set(&v, 1, 1), 0);
	(void)pv_walk_begin(&v, 0);
	memset(&v.emptied, 0xff, sizeof(v.emptied));
	assert_int_equal(pv_set(&v, 1, 0), 0);
	assert_int_equal(v.n, 1);	/* kept while the walk lasts */
	pv_walk_end(&v);
	assert_int_equal(v.n, 0);
	assert_int_equal(v.emptied, 0);
	pv_free(&v);
}

/* A run set across a chunk boundary (its chunks reserved, the hint on
 * another chunk) lands in both chunks, each counting its entries: the
 * chunks go with their last entries, not before. */
static void test_set_run_two_chunks(void **state)
{
	static const uint64_t idx[] = { PV_CHUNK - 3, PV_CHUNK - 1, PV_CHUNK, PV_CHUNK + 2 };
	static const uint32_t e[] = { 11, 12, 13, 14 };
	struct pagevec v = { 0 };

	(void)state;
	assert_int_equal(pv_reserve(&v, idx[0]), 0);
	assert_int_equal(pv_reserve(&v, idx[3]), 0);
	assert_int_equal(pv_set(&v, 5 * PV_CHUNK, 1), 0);	/* the hint is elsewhere */
	pv_set_run(&v, idx, e, 4);
	for (unsigned k = 0; k < 4; k++)
		assert_int_equal(pv_get(&v, idx[k]), e[k]);
	assert_int_equal(pv_count(&v, 0, 2 * PV_CHUNK), 4);
	assert_int_equal(v.n, 3);
	assert_int_equal(pv_set(&v, idx[2], 0), 0);
	assert_int_equal(v.n, 3);
	assert_int_equal(pv_set(&v, idx[3], 0), 0);
	assert_int_equal(v.n, 2);	/* the second chunk went with its last */
	assert_int_equal(pv_set(&v, idx[0], 0), 0);
	assert_int_equal(v.n, 2);
	assert_int_equal(pv_set(&v, idx[1], 0), 0);
	assert_int_equal(v.n, 1);
	pv_free(&v);
}

/* pv_put in the hint's chunk replaces an entry without counting it twice
 * and counts a new one; outside the hint's chunk it makes or finds the
 * chunk as pv_set does and moves the hint there. */
static void test_put(void **state)
{
	struct pagevec v = { 0 };

	(void)state;
	assert_int_equal(pv_reserve(&v, 10), 0);
	assert_int_equal(pv_put(&v, 10, 5), 0);	/* in the hint's chunk */
	assert_int_equal(pv_put(&v, 10, 6), 0);	/* replaced, not counted again */
	assert_int_equal(pv_put(&v, 11, 7), 0);
	assert_int_equal(pv_count(&v, 0, PV_CHUNK), 2);
	assert_int_equal(pv_put(&v, 2 * PV_CHUNK + 1, 8), 0);	/* a chunk made */
	assert_int_equal(v.n, 2);
	assert_ptr_equal(v.last, v.chunks[1]);
	assert_int_equal(pv_put(&v, 12, 9), 0);	/* back in the first: found */
	assert_ptr_equal(v.last, v.chunks[0]);
	assert_int_equal(pv_get(&v, 10), 6);
	assert_int_equal(pv_get(&v, 11), 7);
	assert_int_equal(pv_get(&v, 12), 9);
	assert_int_equal(pv_get(&v, 2 * PV_CHUNK + 1), 8);
	assert_int_equal(pv_set(&v, 10, 0), 0);
	assert_int_equal(pv_put(&v, 11, 0), 0);	/* a clear through put counts as pv_set's */
	assert_int_equal(v.n, 2);	/* 12 still holds the first chunk */
	assert_int_equal(pv_set(&v, 12, 0), 0);
	assert_int_equal(v.n, 1);	/* gone with its last entry: the count was right */
	pv_free(&v);
}

static void fill(struct pagevec *v, uint64_t n)
{
	for (uint64_t i = 0; i < n; i += 3)
		assert_int_equal(pv_set(v, i, (uint32_t)(i + 1)), 0);
}

/* A split at an index that is not a chunk boundary renumbers the tail. */
static void test_split(void **state)
{
	struct pagevec v = { 0 }, t = { 0 };
	const uint64_t n = 4 * PV_CHUNK, at = PV_CHUNK + 17;

	(void)state;
	fill(&v, n);
	assert_int_equal(pv_split(&v, at, &t), 0);
	for (uint64_t i = 0; i < n; i++) {
		uint32_t want = i % 3 ? 0 : (uint32_t)(i + 1);
		assert_int_equal(pv_get(i < at ? &v : &t, i < at ? i : i - at), want);
		if (i >= at)
			assert_int_equal(pv_get(&v, i), 0);
	}
	assert_int_equal(pv_count(&v, 0, n) + pv_count(&t, 0, n), (n + 2) / 3);
	pv_free(&v);
	pv_free(&t);
}

static void test_truncate(void **state)
{
	struct pagevec v = { 0 };

	(void)state;
	fill(&v, 3 * PV_CHUNK);
	pv_truncate(&v, PV_CHUNK / 2);
	assert_int_equal(v.n, 1);
	assert_int_equal(pv_next(&v, PV_CHUNK / 2, HUGE_PAGES), HUGE_PAGES);
	assert_int_equal(pv_get(&v, 0), 1);
	pv_truncate(&v, 0);
	assert_int_equal(v.n, 0);
	pv_free(&v);
}

/* The hint (the chunk last set) is dropped with its chunk: entries set
 * again there, and in a chunk made meanwhile, read back right (under ASan
 * a stale hint is a use after free). */
static void test_hint_dropped(void **state)
{
	struct pagevec v = { 0 };

	(void)state;
	assert_int_equal(pv_set(&v, 5, 7), 0);
	assert_int_equal(pv_set(&v, 5, 0), 0);	/* frees the hinted chunk */
	assert_int_equal(v.n, 0);
	assert_int_equal(pv_get(&v, 5), 0);
	assert_int_equal(pv_set(&v, 3 * PV_CHUNK, 9), 0);
	assert_int_equal(pv_set(&v, 6, 4), 0);	/* a new chunk where the old one was */
	assert_int_equal(pv_get(&v, 6), 4);
	assert_int_equal(pv_get(&v, 5), 0);
	assert_int_equal(pv_get(&v, 3 * PV_CHUNK), 9);
	assert_int_equal(pv_get(&v, 3 * PV_CHUNK + 1), 0);
	assert_int_equal(v.n, 2);
	pv_free(&v);
}

/* A look-up that searches makes the chunk it finds the hint (a chunk not
 * found leaves the hint where it was); pv_put then takes that chunk
 * without a search and counts right; and the chunk a look-up made the
 * hint is dropped with its last entry like one a set made (under ASan a
 * stale hint is a use after free). */
static void test_search_moves_hint(void **state)
{
	struct pagevec v = { 0 };

	(void)state;
	assert_int_equal(pv_set(&v, PV_CHUNK + 1, 3), 0);
	assert_int_equal(pv_set(&v, 3 * PV_CHUNK + 2, 4), 0);
	assert_ptr_equal(v.last, v.chunks[1]);
	assert_int_equal(pv_get(&v, PV_CHUNK + 1), 3);
	assert_ptr_equal(v.last, v.chunks[0]);
	assert_int_equal(pv_get(&v, 2 * PV_CHUNK), 0);	/* no chunk: the hint stays */
	assert_ptr_equal(v.last, v.chunks[0]);
	assert_int_equal(pv_put(&v, PV_CHUNK + 5, 6), 0);	/* in the hint's chunk */
	assert_int_equal(pv_count(&v, PV_CHUNK, 2 * PV_CHUNK), 2);
	assert_int_equal(pv_get(&v, 3 * PV_CHUNK + 2), 4);
	assert_ptr_equal(v.last, v.chunks[1]);
	assert_int_equal(pv_set(&v, 3 * PV_CHUNK + 2, 0), 0);	/* frees the hinted chunk */
	assert_int_equal(v.n, 1);
	assert_int_equal(pv_put(&v, 3 * PV_CHUNK + 7, 8), 0);	/* made again, not the freed one */
	assert_int_equal(pv_get(&v, 3 * PV_CHUNK + 7), 8);
	assert_int_equal(pv_get(&v, PV_CHUNK + 5), 6);
	assert_int_equal(v.n, 2);
	pv_free(&v);
}

/* A search first tries the place a chunk has when none below it is
 * missing: with chunks missing below (a hole, or one made below the first)
 * the place holds another chunk, and the entry must still be found; and a
 * chunk that is not there must not be matched. The hint is moved away
 * before each read so the search runs. */
static void test_search_placed(void **state)
{
	static const uint64_t at[] = { 2 * PV_CHUNK + 1, 3 * PV_CHUNK + 2, 5 * PV_CHUNK + 3,
				       6 * PV_CHUNK + 4, PV_CHUNK + 5 };	/* holes at 4; 1 made last */
	struct pagevec v = { 0 };

	(void)state;
	for (unsigned k = 0; k < sizeof(at) / sizeof(at[0]); k++)
		assert_int_equal(pv_set(&v, at[k], (uint32_t)k + 1), 0);
	assert_int_equal(v.n, 5);
	for (unsigned k = 0; k < sizeof(at) / sizeof(at[0]); k++) {
		assert_int_equal(pv_reserve(&v, 9 * PV_CHUNK), 0);	/* the hint elsewhere */
		assert_int_equal(pv_get(&v, at[k]), k + 1);
		pv_unreserve(&v, 9 * PV_CHUNK);
	}
	assert_int_equal(pv_get(&v, 4 * PV_CHUNK + 3), 0);	/* the hole */
	assert_int_equal(pv_get(&v, 0), 0);			/* below the first */
	assert_int_equal(pv_get(&v, 7 * PV_CHUNK), 0);		/* past the last */
	pv_free(&v);
}

/* A guessed place that holds another chunk, or none, falls back to the
 * search over every chunk: for every set of chunks among eight places (holes
 * anywhere, below and above), each place is found or not as the set says,
 * with the hint away from it. */
static void test_search_every_hole(void **state)
{
	(void)state;
	for (unsigned set = 1; set < 256; set++) {
		struct pagevec v = { 0 };

		for (unsigned c = 0; c < 8; c++)
			if (set & (1u << c))
				assert_int_equal(pv_set(&v, (c + 1) * PV_CHUNK + c, c + 1), 0);
		for (unsigned c = 0; c < 8; c++) {
			assert_int_equal(pv_reserve(&v, 20 * PV_CHUNK), 0);	/* the hint elsewhere */
			assert_int_equal(pv_get(&v, (c + 1) * PV_CHUNK + c),
					 set & (1u << c) ? c + 1 : 0);
			pv_unreserve(&v, 20 * PV_CHUNK);
		}
		pv_free(&v);
	}
}

/* The first index in [i, end) with an entry, by pv_get alone. */
static uint64_t next_slow(const struct pagevec *v, uint64_t i, uint64_t end)
{
	while (i < end && !pv_get(v, i))
		i++;
	return i;
}

/* pv_absent from..to, at most max, is what reading entry by entry finds. */
static void absent_agree(const struct pagevec *v, uint64_t from, uint64_t to, unsigned max)
{
	uint64_t got[16], want[16];
	unsigned n = 0, k = pv_absent(v, from, to, got, max);

	for (uint64_t j = from; j < to && n < max; j++)
		if (!pv_get(v, j))
			want[n++] = j;
	assert_int_equal(k, n);
	for (unsigned x = 0; x < n; x++)
		assert_int_equal(got[x], want[x]);
}

/* pv_next from the hint's chunk, pv_count by whole chunks' counts and
 * pv_absent a chunk at a time agree with reading entry by entry, from
 * and to every index around four chunks, wherever the hint is (the chunk
 * last set, or one last cleared). */
static void test_walks_agree(void **state)
{
	const uint64_t n = 4 * PV_CHUNK;
	struct pagevec v = { 0 };

	(void)state;
	for (uint64_t i = 0; i < n; i++)
		if (i % 7 == 0 || (i >= PV_CHUNK && i < 2 * PV_CHUNK && i % 3))
			assert_int_equal(pv_set(&v, i, (uint32_t)i + 1), 0);
	assert_int_equal(pv_set(&v, 2 * PV_CHUNK + 7, 0), 0);	/* hint: a cleared page */
	for (uint64_t h = 0; h < n; h += PV_CHUNK / 2 + 3) {
		if (pv_get(&v, h))
			assert_int_equal(pv_set(&v, h, pv_get(&v, h)), 0);	/* hint: h's chunk */
		for (uint64_t i = 0; i <= n; i += 5) {
			uint64_t want = 0, end = i + PV_CHUNK + 9 < n ? i + PV_CHUNK + 9 : n;
			assert_int_equal(pv_next(&v, i, end), next_slow(&v, i, end));
			assert_int_equal(pv_next(&v, i, n + 1), next_slow(&v, i, n + 1));
			for (uint64_t j = i; j < end; j++)
				want += pv_get(&v, j) != 0;
			assert_int_equal(pv_count(&v, i, end), want);
			absent_agree(&v, i, i + 11, 11);	/* past n: no chunk */
			absent_agree(&v, i, i + 11, 3);
		}
	}
	pv_free(&v);
}

/* pv_walk_clear clears an entry where the walk reads it (one not 0, its
 * contract), counts it, and frees no chunk until the walk ends:
 * then the chunks it emptied go, the one it did not and a held one stay. */
static void test_walk_clear(void **state)
{
	struct pagevec v = { 0 };
	struct pv_chunk *held;
	int err;
	const uint32_t *e;
	uint64_t first;
	uint32_t k;

	(void)state;
	for (uint64_t i = 0; i < 3 * PV_CHUNK; i += 100)
		assert_int_equal(pv_set(&v, i, (uint32_t)i + 1), 0);	/* 3 chunks */
	held = pv_hold(&v, 2 * PV_CHUNK, &err);
	assert_int_equal(v.n, 3);
	k = pv_walk_begin(&v, 0);
	memset(&v.emptied, 0xff, sizeof(v.emptied));	/* a count would wrap */
	for (; pv_walk_chunk(&v, k, &first, &e); k++)
		for (uint64_t i = first; i < first + PV_CHUNK; i++)
			if (e[i - first] && i != 200) {
				pv_walk_clear(&v, k, i);
				assert_int_equal(e[i - first], 0);
			}
	assert_int_equal(v.n, 3);	/* none freed during the walk */
	pv_walk_end(&v);
	assert_int_equal(v.n, 2);	/* the second went; 200's and the held one stay */
	assert_int_equal(pv_get(&v, 200), 201);
	assert_int_equal(pv_count(&v, 0, 3 * PV_CHUNK), 1);
	pv_unhold(&v, held);
	assert_int_equal(v.n, 1);
	pv_free(&v);
}

/* pv_absent stops at max in the middle of a chunk's pass and of a pass
 * with no chunk, and writes no index past max; a pass with no chunk goes
 * on into the chunk after it. Sentinels past what it may write catch a
 * bound that is off by one. */
static void test_absent_cut(void **state)
{
	const uint64_t none = UINT64_MAX, c = PV_CHUNK;
	struct pagevec v = { 0 };
	uint64_t got[8];

	(void)state;
	assert_int_equal(pv_set(&v, c + 1, 7), 0);	/* chunk 1 only */
	assert_int_equal(pv_set(&v, c + 3, 7), 0);
	/* Mid-chunk: c, c + 2, c + 4, then max; c + 5 on is absent too. */
	for (unsigned k = 0; k < 8; k++)
		got[k] = none;
	assert_int_equal(pv_absent(&v, c, c + 10, got, 3), 3);
	assert_int_equal(got[0], c);
	assert_int_equal(got[1], c + 2);
	assert_int_equal(got[2], c + 4);
	assert_int_equal(got[3], none);
	/* No chunk: every page absent, cut at max. */
	assert_int_equal(pv_absent(&v, 5, 20, got, 2), 2);
	assert_int_equal(got[0], 5);
	assert_int_equal(got[1], 6);
	assert_int_equal(got[2], c + 4);	/* untouched since the first call */
	/* No chunk, then chunk 1's pass. */
	assert_int_equal(pv_absent(&v, c - 2, c + 4, got, 8), 4);
	assert_int_equal(got[0], c - 2);
	assert_int_equal(got[1], c - 1);
	assert_int_equal(got[2], c);
	assert_int_equal(got[3], c + 2);
	assert_int_equal(got[4], none);
	/* max 0, and an empty range: nothing. */
	assert_int_equal(pv_absent(&v, c, c + 10, got, 0), 0);
	assert_int_equal(pv_absent(&v, 9, 9, got, 8), 0);
	assert_int_equal(got[0], c - 2);
	pv_free(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),	  cmocka_unit_test(test_sparse),
		cmocka_unit_test(test_chunks_freed), cmocka_unit_test(test_split),
		cmocka_unit_test(test_unreserve),	cmocka_unit_test(test_hold),
		cmocka_unit_test(test_each_while_cleared),
		cmocka_unit_test(test_set_run_two_chunks), cmocka_unit_test(test_put),
		cmocka_unit_test(test_truncate),    cmocka_unit_test(test_each),
		cmocka_unit_test(test_hint_dropped), cmocka_unit_test(test_search_placed),
		cmocka_unit_test(test_search_every_hole),
		cmocka_unit_test(test_search_moves_hint),
		cmocka_unit_test(test_walks_agree),
		cmocka_unit_test(test_walk_emptied_mark),
		cmocka_unit_test(test_walk_clear),
		cmocka_unit_test(test_absent_cut),
		cmocka_unit_test(test_bound_answered),
	};

	host_pages_source();	/* the chunks' pages */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
