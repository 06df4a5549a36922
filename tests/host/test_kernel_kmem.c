/*
 * Host tests for the kernel's page pool and object caches (kernel/kmem.c),
 * compiled here over a heap region standing for the pool: a cache's pages
 * go back to the pool once their objects are all free, so what one
 * process's objects took is another's once it ends, at once for a cache
 * that keeps no spare, and a page taken or given back is told (what a
 * budget pays for); and klib's memset, which clears them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* klib's functions under names of their own, so that kmem.c's memset
 * (its pages and objects cleared) is klib's, as in the kernel, and the
 * host's libc stays the test's own otherwise. */
#define memcpy klib_memcpy
#define memmove klib_memmove
#define memset klib_memset
#define memcmp klib_memcmp
#define strlen klib_strlen
#define strnlen klib_strnlen
#define memchr klib_memchr
#define strrchr klib_strrchr
#include "../../kernel/klib.c"
#include "../../kernel/kmem.c"

#define POOL_PAGES 64

static void *region;

/* A fresh pool of POOL_PAGES pages (its first holds the slab records). */
static int setup(void **state)
{
	(void)state;
	region = aligned_alloc(PAGE, POOL_PAGES * PAGE);
	assert_non_null(region);
	free_pages = NULL;
	total = nfree = 0;
	kmem_init(kva_to_pa(region), kva_to_pa(region) + POOL_PAGES * PAGE);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(region);
	return 0;
}

/* A large object (three to a page), and a small one. */
static struct kcache big = { .name = "big", .size = 1330 };
static struct kcache small = { .name = "small", .size = 40 };

static void cache_reset(struct kcache *c)
{
	c->partial = c->spare = NULL;
	c->in_use = 0;
}

/* A page comes from the pool zeroed in every byte, whatever it held when
 * it went back (page tables are made of them: a stale word would be a
 * stale mapping). */
static void test_page_zeroed(void **state)
{
	uint8_t *p;

	(void)state;
	p = kmem_page_alloc();
	assert_non_null(p);
	memset(p, 0xa5, PAGE);
	kmem_page_free(p);
	assert_ptr_equal(kmem_page_alloc(), p);	/* the list's head again */
	for (size_t i = 0; i < PAGE; i++)
		assert_int_equal(p[i], 0);
}

/* klib's memset sets exactly [d, d + n) to c's low byte and returns d,
 * for every start's alignment and every length through its paths: bytes
 * to a word boundary, thirty-two words a turn, words, bytes left. */
static void test_memset_spans(void **state)
{
	static uint8_t buf[3 * 256 + 64] __attribute__((aligned(8)));
	static const int fills[] = { 0, 0x1c5 };	/* 0x1c5: only 0xc5 is stored */

	(void)state;
	for (size_t f = 0; f < 2; f++)
		for (size_t off = 0; off < 16; off++)
			for (size_t n = 0; off + n + 8 <= sizeof(buf); n++) {
				for (size_t i = 0; i < sizeof(buf); i++)
					buf[i] = 0xaa;
				assert_ptr_equal(memset(buf + off, fills[f], n), buf + off);
				for (size_t i = 0; i < sizeof(buf); i++)
					assert_int_equal(buf[i], i >= off && i < off + n ?
								 (uint8_t)fills[f] : 0xaa);
			}
}

/* Allocates from c until the pool runs dry; returns how many. */
static size_t fill(struct kcache *c, void **objs, size_t max)
{
	size_t n = 0;

	while (n < max && (objs[n] = kcache_alloc(c)) != NULL)
		n++;
	return n;
}

static void test_pool_pages(void **state)
{
	(void)state;
	assert_int_equal(kmem_pages_total(), POOL_PAGES - 1);	/* 64 records fit one page */
	assert_int_equal(kmem_pages_free(), POOL_PAGES - 1);
}

/* Objects are zeroed, 16-aligned, apart, and as many to a page as fit. */
static void test_objects(void **state)
{
	void *objs[4];

	(void)state;
	cache_reset(&big);
	for (int i = 0; i < 4; i++) {
		objs[i] = kcache_alloc(&big);
		assert_non_null(objs[i]);
		assert_int_equal((uintptr_t)objs[i] % 16, 0);
		for (size_t k = 0; k < big.size; k++)
			assert_int_equal(((uint8_t *)objs[i])[k], 0);
		memset(objs[i], 0xa5, big.size);
	}
	for (int i = 0; i < 4; i++)
		for (int j = i + 1; j < 4; j++)
			assert_true((uint8_t *)objs[j] >= (uint8_t *)objs[i] + 1344 ||
				    (uint8_t *)objs[i] >= (uint8_t *)objs[j] + 1344);
	assert_int_equal(kmem_pages_free(), POOL_PAGES - 1 - 2);	/* three to the first page */
	assert_int_equal(big.in_use, 4);
	kcache_free(&big, objs[1]);
	assert_ptr_equal(kcache_alloc(&big), objs[1]);	/* a freed one is reused, zeroed */
	assert_int_equal(((uint8_t *)objs[1])[0], 0);
}

/* One cache fills the pool; freed, its pages serve another cache. */
static void test_pages_go_back(void **state)
{
	static void *objs[POOL_PAGES * 4], *others[POOL_PAGES * 128];
	size_t n, m;

	(void)state;
	cache_reset(&big);
	cache_reset(&small);
	n = fill(&big, objs, POOL_PAGES * 4);
	assert_int_equal(n, (POOL_PAGES - 1) * 3);
	assert_int_equal(kmem_pages_free(), 0);
	assert_null(kcache_alloc(&small));
	for (size_t i = 0; i < n; i++)
		kcache_free(&big, objs[i]);
	assert_int_equal(big.in_use, 0);
	assert_non_null(big.spare);		/* kept, and counted as taken below */
	assert_int_equal(kmem_pages_free(), POOL_PAGES - 2);
	m = fill(&small, others, POOL_PAGES * 128);
	assert_int_equal(m, (POOL_PAGES - 2) * (PAGE / 48));
	for (size_t i = 0; i < m; i++)
		kcache_free(&small, others[i]);
	assert_int_equal(kmem_pages_free(), POOL_PAGES - 3);
	/* the spare serves first: no page taken from the pool for it */
	objs[0] = kcache_alloc(&big);
	assert_non_null(objs[0]);
	assert_int_equal(kmem_pages_free(), POOL_PAGES - 3);
	kcache_free(&big, objs[0]);
}

/* Frees every object in objs[0..n) on s's page. */
static void free_on_page(void **objs, int n, const struct kslab *s)
{
	for (int i = 0; i < n; i++)
		if (objs[i] && slab_of(objs[i]) == s) {
			kcache_free(&big, objs[i]);
			objs[i] = NULL;
		}
}

/* An emptied page is the spare, a second goes back to the pool, and a
 * partial page serves before the spare or a new one. */
static void test_partial_pages(void **state)
{
	void *objs[9], *keep[3];
	struct kslab *page[3];

	(void)state;
	cache_reset(&big);
	assert_int_equal(fill(&big, objs, 9), 9);	/* three full pages */
	assert_int_equal(kmem_pages_free(), POOL_PAGES - 1 - 3);
	for (int p = 0, i = 0; p < 3; p++) {		/* one object kept on each */
		while (!objs[i])
			i++;
		keep[p] = objs[i];
		page[p] = slab_of(objs[i]);
		objs[i] = NULL;
		free_on_page(objs, 9, page[p]);
	}
	assert_null(big.spare);
	kcache_free(&big, keep[0]);			/* empty: kept as the spare */
	assert_ptr_equal(big.spare, page[0]);
	assert_int_equal(kmem_pages_free(), POOL_PAGES - 1 - 3);
	kcache_free(&big, keep[1]);			/* empty too: the pool's again */
	assert_int_equal(kmem_pages_free(), POOL_PAGES - 1 - 2);
	for (int i = 0; i < 2; i++)			/* the partial page's two */
		assert_ptr_equal(slab_of(kcache_alloc(&big)), page[2]);
	assert_ptr_equal(big.spare, page[0]);
	assert_ptr_equal(slab_of(kcache_alloc(&big)), page[0]);	/* then the spare */
	assert_null(big.spare);
	assert_int_equal(kmem_pages_free(), POOL_PAGES - 1 - 2);
	kcache_alloc(&big);
	kcache_alloc(&big);
	assert_non_null(kcache_alloc(&big));		/* and only then a new page */
	assert_int_equal(kmem_pages_free(), POOL_PAGES - 1 - 3);
	assert_int_equal(big.in_use, 7);
}

/* What a payer for pages is told: kcache_needs_page before the alloc that
 * takes one, and kcache_free's 1 for the free that gives one back. A
 * cache with no_spare keeps no empty page: the page that held its last
 * object goes back at once, so it holds only pages with objects. */
static void test_pages_told(void **state)
{
	static struct kcache paid = { .name = "paid", .size = 1330, .no_spare = 1 };
	void *objs[4];

	(void)state;
	cache_reset(&paid);
	assert_true(kcache_needs_page(&paid));
	objs[0] = kcache_alloc(&paid);
	assert_int_equal(kmem_pages_free(), POOL_PAGES - 1 - 1);
	for (int i = 1; i < 3; i++) {			/* the page's other two */
		assert_false(kcache_needs_page(&paid));
		objs[i] = kcache_alloc(&paid);
	}
	assert_true(kcache_needs_page(&paid));		/* full */
	objs[3] = kcache_alloc(&paid);
	assert_int_equal(kmem_pages_free(), POOL_PAGES - 1 - 2);
	assert_int_equal(kcache_free(&paid, objs[3]), 1);	/* its page, empty, back */
	assert_null(paid.spare);
	assert_int_equal(kmem_pages_free(), POOL_PAGES - 1 - 1);
	assert_int_equal(kcache_free(&paid, objs[0]), 0);
	assert_int_equal(kcache_free(&paid, objs[1]), 0);
	assert_false(kcache_needs_page(&paid));		/* one free left on it */
	assert_int_equal(kcache_free(&paid, objs[2]), 1);
	assert_int_equal(kmem_pages_free(), POOL_PAGES - 1);
	assert_true(kcache_needs_page(&paid));

	cache_reset(&big);				/* keeps a spare: told 0 */
	objs[0] = kcache_alloc(&big);
	assert_int_equal(kcache_free(&big, objs[0]), 0);
	assert_false(kcache_needs_page(&big));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pool_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_zeroed, setup, teardown),
		cmocka_unit_test(test_memset_spans),
		cmocka_unit_test_setup_teardown(test_objects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pages_go_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pages_told, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
