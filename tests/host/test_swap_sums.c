/*
 * Host tests for the per-slot checksums of swap over NBD (pager/swap/sums.c):
 * the hash tells apart pages that differ in one bit of any word, in the
 * top bits of two words (which a multiply alone never carries down), or
 * only in the order of their words; it is never 0, which means "unknown"
 * (a page made to hash to 0 before the fold gets 1);
 * and the table checks a slot only from a kept write on, forgets it when a
 * write goes out, and ignores slots past its end.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "swap/sums.h"

#define WORDS 512

static uint64_t page[WORDS], other[WORDS];

static void fill(uint64_t *p, uint64_t seed)
{
	for (unsigned i = 0; i < WORDS; i++)
		p[i] = (seed + i) * 0x2545f4914f6cdd1dull;
}

/* Every single bit of every word, flipped alone, changes the hash. */
static void one_bit_anywhere(void **state)
{
	(void)state;
	fill(page, 1);
	uint32_t base = swap_sum_page(page);

	for (unsigned i = 0; i < WORDS; i++)
		for (unsigned b = 0; b < 64; b++) {
			page[i] ^= 1ull << b;
			assert_int_not_equal(swap_sum_page(page), base);
			page[i] ^= 1ull << b;
		}
	assert_int_equal(swap_sum_page(page), base);
}

/* The top bit flipped in two words: a chain of xor and multiply alone
 * would carry neither flip below bit 63, and the two would cancel. */
static void top_bits_of_two_words(void **state)
{
	(void)state;
	memset(page, 0, sizeof(page));
	uint32_t zero = swap_sum_page(page);

	for (unsigned i = 1; i < WORDS; i++) {
		page[0] = page[i] = 1ull << 63;
		assert_int_not_equal(swap_sum_page(page), zero);
		page[0] = page[i] = 0;
	}
}

/* The same words in another order (a page torn and put together from
 * another's halves, say): another hash. */
static void order_counts(void **state)
{
	(void)state;
	fill(page, 7);
	memcpy(other, page + WORDS / 2, sizeof(page) / 2);
	memcpy(other + WORDS / 2, page, sizeof(page) / 2);
	assert_int_not_equal(swap_sum_page(page), swap_sum_page(other));
	memcpy(other, page, sizeof(page));
	other[3] = page[4];
	other[4] = page[3];
	assert_int_not_equal(swap_sum_page(page), swap_sum_page(other));
}

/* Never 0 (unknown): a page built to end in the state 0, where the hash
 * before its fold is 0 too (its last word the state before it, computed
 * here as the hash does: the constants are sums.c's), hashes to another
 * value; and zeros do. */
static void never_zero(void **state)
{
	uint64_t h = 0x6a09e667f3bcc908ull;

	(void)state;
	memset(page, 0, sizeof(page));
	assert_int_not_equal(swap_sum_page(page), 0);
	fill(page, 3);
	for (unsigned i = 0; i < WORDS - 1; i++) {
		h = (h ^ page[i]) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 32;
	}
	page[WORDS - 1] = h;	/* (h ^ h) * MUL: 0, and the finaliser keeps 0 */
	assert_int_equal(swap_sum_page(page), 1);
}

/* A slot is checked only once a write is kept, forgotten when another
 * goes out; slots past the table are never checked. */
static void table_checks_kept_writes_only(void **state)
{
	struct swap_sums s;

	(void)state;
	assert_int_equal(swap_sums_init(&s, 64), 0);
	fill(page, 1);
	fill(other, 2);
	assert_int_equal(swap_sums_check(&s, 5, page), 0);	/* never written */
	swap_sums_keep(&s, 5, page);
	assert_int_equal(swap_sums_check(&s, 5, page), 0);
	assert_int_equal(swap_sums_check(&s, 5, other), -1);
	assert_int_equal(swap_sums_check(&s, 6, other), 0);	/* its neighbour: unknown */
	swap_sums_forget(&s, 5);
	assert_int_equal(swap_sums_check(&s, 5, other), 0);
	swap_sums_keep(&s, 5, other);
	assert_int_equal(swap_sums_check(&s, 5, page), -1);
	swap_sums_keep(&s, 64, page);				/* past the end: ignored */
	swap_sums_forget(&s, 64);
	assert_int_equal(swap_sums_check(&s, 64, other), 0);
	swap_sums_fini(&s);
	assert_null(s.sum);
	assert_int_equal(swap_sums_check(&s, 5, page), 0);	/* no table: nothing known */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_bit_anywhere),
		cmocka_unit_test(top_bits_of_two_words),
		cmocka_unit_test(order_counts),
		cmocka_unit_test(never_zero),
		cmocka_unit_test(table_checks_kept_writes_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
