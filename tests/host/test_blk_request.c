/*
 * Host tests for drivers/blk_request.c: every field of a request checked at
 * its limits, the disk's end without overflow, batch sizes, and writes to a
 * read-only disk.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "blk_request.h"

#define CAPACITY 2048	/* sectors: 1 MiB */

static struct blk_request good(void)
{
	struct blk_request r = { .tag = 3, .write = 1, .sector = 16, .npages = 2 };

	r.pa[0] = 0x80000000;
	r.pa[1] = 0x80003000;
	return r;
}

static int check(const struct blk_request *r)
{
	return blk_request_check(r, CAPACITY, false);
}

static void test_good(void **state)
{
	(void)state;
	struct blk_request r = good();

	assert_int_equal(check(&r), 0);
	r.write = 0;
	assert_int_equal(check(&r), 0);
}

static void test_tag(void **state)
{
	(void)state;
	struct blk_request r = good();

	r.tag = BLK_TAGS - 1;
	assert_int_equal(check(&r), 0);
	r.tag = BLK_TAGS;
	assert_int_equal(check(&r), -EINVAL);
}

static void test_npages(void **state)
{
	(void)state;
	struct blk_request r = good();

	r.npages = 0;
	assert_int_equal(check(&r), -EINVAL);
	r.npages = BLK_MAX_PAGES;
	for (int i = 0; i < BLK_MAX_PAGES; i++)
		r.pa[i] = 0x90000000 + 0x1000 * (uint64_t)i;
	assert_int_equal(check(&r), 0);
	r.npages = BLK_MAX_PAGES + 1;
	assert_int_equal(check(&r), -EINVAL);
}

/* Only the pages in use must be aligned. */
static void test_alignment(void **state)
{
	(void)state;
	struct blk_request r = good();

	r.pa[2] = 0x123;
	assert_int_equal(check(&r), 0);
	r.pa[1] = 0x80003200;
	assert_int_equal(check(&r), -EINVAL);
	r = good();
	r.pa[0] = 0x80000008;
	assert_int_equal(check(&r), -EINVAL);
}

static void test_disk_end(void **state)
{
	(void)state;
	struct blk_request r = good();

	r.sector = CAPACITY - 16;		/* the last two pages */
	assert_int_equal(check(&r), 0);
	r.sector = CAPACITY - 15;
	assert_int_equal(check(&r), -EINVAL);
	r.sector = CAPACITY;
	assert_int_equal(check(&r), -EINVAL);
	r.sector = UINT64_MAX - 8;		/* would wrap around */
	assert_int_equal(check(&r), -EINVAL);
	r.sector = 0;
	assert_int_equal(blk_request_check(&r, 15, false), -EINVAL);
	assert_int_equal(blk_request_check(&r, 16, false), 0);
}

static void test_write_and_notify(void **state)
{
	(void)state;
	struct blk_request r = good();

	r.write = 2;
	assert_int_equal(check(&r), -EINVAL);
	r = good();
	r.notify = BLK_DONE_NOTES;
	assert_int_equal(check(&r), -EINVAL);
}

static void test_read_only(void **state)
{
	(void)state;
	struct blk_request r = good();

	assert_int_equal(blk_request_check(&r, CAPACITY, true), -EROFS);
	r.write = 0;
	assert_int_equal(blk_request_check(&r, CAPACITY, true), 0);
}

static void test_batch_count(void **state)
{
	(void)state;
	uint32_t one = sizeof(struct blk_request);

	assert_int_equal(blk_batch_count(0), -EINVAL);
	assert_int_equal(blk_batch_count(one), 1);
	assert_int_equal(blk_batch_count(3 * one), 3);
	assert_int_equal(blk_batch_count(one + 1), -EINVAL);
	assert_int_equal(blk_batch_count(one - 8), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_tag),
		cmocka_unit_test(test_npages),
		cmocka_unit_test(test_alignment),
		cmocka_unit_test(test_disk_end),
		cmocka_unit_test(test_write_and_notify),
		cmocka_unit_test(test_read_only),
		cmocka_unit_test(test_batch_count),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
