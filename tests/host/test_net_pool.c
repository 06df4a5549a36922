/*
 * Host tests for drivers/net_pool.c: buffers never span two frames, the
 * reserve goes only to receive and reclaim takers, which buffers came from
 * it is remembered, and the counters move as they must.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "net_pool.h"

#define PAGES 8u
static struct net_pool pool;
static uint64_t pa[PAGES];

static void start(uint32_t reserve)
{
	for (unsigned i = 0; i < PAGES; i++)
		pa[i] = 0x80000000u + (PAGES - i) * 0x10000u;	/* scattered frames */
	assert_int_equal(net_pool_init(&pool, 0x1000000, pa, PAGES, reserve), 0);
}

static void bad_init(void **state)
{
	uint64_t odd[1] = { 0x80000800 };

	(void)state;
	assert_int_equal(net_pool_init(&pool, 0, pa, 0, 0), -EINVAL);
	assert_int_equal(net_pool_init(&pool, 0, odd, 1, 0), -EINVAL);
	assert_int_equal(net_pool_init(&pool, 0, pa, PAGES, PAGES), -EINVAL);
	assert_int_equal(net_pool_init(&pool, 0, pa, NET_POOL_MAX_PAGES + 1, 0), -EINVAL);
}

static void addresses(void **state)
{
	(void)state;
	start(2);
	assert_int_equal(pool.nbufs, PAGES * 2);
	for (unsigned b = 0; b < pool.nbufs; b++) {
		uint64_t p = net_buf_pa(&pool, b);

		assert_int_equal(p / NET_PAGE_SIZE * NET_PAGE_SIZE, pa[b / 2]);
		assert_int_equal(p % NET_PAGE_SIZE, (b % 2) * NET_BUF_SIZE);
		assert_int_equal(net_buf_of(&pool, (char *)net_buf_va(&pool, b) + 100), (int)b);
	}
	assert_int_equal(net_buf_of(&pool, (void *)0x10), -1);
	assert_int_equal(net_buf_of(&pool, (char *)net_buf_va(&pool, pool.nbufs - 1) + NET_BUF_SIZE), -1);
}

static void reserve_rule(void **state)
{
	int got[PAGES * 2 + 1];
	unsigned n = 0;

	(void)state;
	start(4);
	/* Ordinary takers stop where the reserve starts. */
	while ((got[n] = net_pool_take(&pool, NET_TAKE_ORDINARY)) >= 0)
		n++;
	assert_int_equal(n, PAGES * 2 - 4);
	assert_true(net_pool_in_reserve(&pool));
	assert_int_equal(pool.cnt.refused, 1);
	assert_int_equal(pool.cnt.reserve_allocs, 0);
	/* Receive and reclaim takers dig into it, and it is remembered. */
	got[n] = net_pool_take(&pool, NET_TAKE_RECEIVE);
	assert_true(got[n] >= 0 && net_pool_from_reserve(&pool, (unsigned)got[n]));
	n++;
	while ((got[n] = net_pool_take(&pool, NET_TAKE_MEMALLOC)) >= 0)
		n++;
	assert_int_equal(n, PAGES * 2);
	assert_int_equal(pool.cnt.reserve_allocs, 4);
	assert_int_equal(pool.cnt.lowest_free, 0);
	assert_int_equal(net_pool_take(&pool, NET_TAKE_MEMALLOC), -1);
	assert_false(net_pool_from_reserve(&pool, (unsigned)got[0]));
	/* Given back, the mark goes, and ordinary takers may take again. */
	for (unsigned i = 0; i < n; i++)
		net_pool_give(&pool, (unsigned)got[i]);
	assert_false(net_pool_in_reserve(&pool));
	assert_false(net_pool_from_reserve(&pool, (unsigned)got[n - 1]));
	assert_true(net_pool_take(&pool, NET_TAKE_ORDINARY) >= 0);
}

static void give_bad(void **state)
{
	(void)state;
	start(0);
	net_pool_give(&pool, 9999);		/* not a buffer: ignored */
	net_pool_give(&pool, 0);		/* all free: ignored */
	assert_int_equal(pool.nfree, pool.nbufs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_init),
		cmocka_unit_test(addresses),
		cmocka_unit_test(reserve_rule),
		cmocka_unit_test(give_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
