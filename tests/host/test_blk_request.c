/*
 * Host tests for drivers/blk_request.c and blk_limits.c: every field of a
 * request checked at its limits (its page list range too), the disk's end
 * without overflow, batch sizes, the requests a submit message carries in
 * either form, writes to a read-only disk, and the request shape a device's
 * queue, seg_max and size_max allow.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "blk_limits.h"
#include "blk_request.h"

#define CAPACITY 2048	/* sectors: 1 MiB */
#define MAX_PAGES 32	/* what the disk's shape allows (below BLK_MAX_PAGES) */

static uint64_t list[BLK_LIST_ENTRIES];
static struct blk_disk disk;

/* A disk of CAPACITY sectors taking MAX_PAGES pages, every list entry a
 * distinct page. */
static struct blk_disk *fresh_disk(uint64_t capacity, bool read_only)
{
	for (unsigned i = 0; i < BLK_LIST_ENTRIES; i++)
		list[i] = 0x90000000 + 0x1000 * (uint64_t)i;
	disk = (struct blk_disk){ .capacity = capacity, .read_only = read_only,
		.shape = { .seg_bytes = 4096, .segs_per_page = 1, .max_pages = MAX_PAGES },
		.list = list };
	return &disk;
}

static struct blk_request good(void)
{
	return (struct blk_request){ .tag = 3, .write = 1, .sector = 16, .npages = 2, .list = 10 };
}

static int check(const struct blk_request *r)
{
	return blk_request_check(r, fresh_disk(CAPACITY, false));
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

/* The limit is the disk's shape, not BLK_MAX_PAGES. */
static void test_npages(void **state)
{
	(void)state;
	struct blk_request r = good();

	r.npages = 0;
	assert_int_equal(check(&r), -EINVAL);
	r.npages = MAX_PAGES;
	assert_int_equal(check(&r), 0);
	r.npages = MAX_PAGES + 1;
	assert_int_equal(check(&r), -EINVAL);
}

/* Only the entries in use must be aligned, and they must lie in the list. */
static void test_alignment(void **state)
{
	(void)state;
	struct blk_request r = good();
	const struct blk_disk *d = fresh_disk(CAPACITY, false);

	list[12] = 0x123;
	assert_int_equal(blk_request_check(&r, d), 0);
	list[11] = 0x80003200;
	assert_int_equal(blk_request_check(&r, d), -EINVAL);
	d = fresh_disk(CAPACITY, false);
	list[10] = 0x80000008;
	assert_int_equal(blk_request_check(&r, d), -EINVAL);
}

static void test_list_range(void **state)
{
	(void)state;
	struct blk_request r = good();

	r.list = BLK_LIST_ENTRIES - 2;		/* the last two entries */
	assert_int_equal(check(&r), 0);
	r.list = BLK_LIST_ENTRIES - 1;
	assert_int_equal(check(&r), -EINVAL);
	r.list = UINT32_MAX;			/* list + npages would wrap */
	assert_int_equal(check(&r), -EINVAL);
	r = good();
	r.reserved = 1;
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
	assert_int_equal(blk_request_check(&r, fresh_disk(15, false)), -EINVAL);
	assert_int_equal(blk_request_check(&r, fresh_disk(16, false)), 0);
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

	assert_int_equal(blk_request_check(&r, fresh_disk(CAPACITY, true)), -EROFS);
	r.write = 0;
	assert_int_equal(blk_request_check(&r, fresh_disk(CAPACITY, true)), 0);
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

/* A submit message of n requests, each good() with its own tag. */
static struct msg submit_of(unsigned n, struct blk_request *sent)
{
	struct msg m = { .label = BLK_SUBMIT, .handle = -1 };

	for (unsigned i = 0; i < n; i++) {
		sent[i] = good();
		sent[i].tag = 40 + i;
	}
	m.len = (uint32_t)(n * sizeof(*sent));
	memcpy(m.data, sent, m.len);
	return m;
}

/* BLK_SUBMIT's data: every request, each field as sent; no more than max. */
static void test_submit_data(void **state)
{
	(void)state;
	struct blk_request sent[3], got[3];
	struct msg m = submit_of(3, sent);

	memset(got, 0, sizeof(got));
	assert_int_equal(blk_submit_requests(&m, got, 3), 3);
	assert_memory_equal(got, sent, sizeof(sent));
	assert_int_equal(blk_submit_requests(&m, got, 2), -EINVAL);
	m.len = 0;
	assert_int_equal(blk_submit_requests(&m, got, 3), -EINVAL);
	m.len = sizeof(sent[0]) + 8;
	assert_int_equal(blk_submit_requests(&m, got, 3), -EINVAL);
}

/* BLK_SUBMIT_ONE's words are one request, field for field; it carries no
 * data. */
static void test_submit_one(void **state)
{
	(void)state;
	struct blk_request sent = good(), got;
	struct msg m = { .label = BLK_SUBMIT_ONE, .handle = -1 };

	sent.sector = 0x123456789aULL;
	sent.notify = 2;
	memcpy(m.w, &sent, sizeof(sent));
	memset(&got, 0, sizeof(got));
	assert_int_equal(blk_submit_requests(&m, &got, 1), 1);
	assert_memory_equal(&got, &sent, sizeof(sent));
	assert_int_equal(got.sector, 0x123456789aULL);
	assert_int_equal(got.notify, 2);
	m.len = sizeof(sent);
	assert_int_equal(blk_submit_requests(&m, &got, 1), -EINVAL);
}

static int shape(struct blk_device_limits l, struct blk_shape *out)
{
	return blk_shape_for(&l, out);
}

/* QEMU's disk: a queue of 256 and seg_max 254: BLK_MAX_PAGES whole pages. */
static void test_shape_plain(void **state)
{
	(void)state;
	struct blk_shape s;

	assert_int_equal(shape((struct blk_device_limits){ .queue_size = 256, .has_seg_max = true,
							   .seg_max = 254 }, &s), 0);
	assert_int_equal(s.max_pages, BLK_MAX_PAGES);
	assert_int_equal(s.seg_bytes, 4096);
	assert_int_equal(s.segs_per_page, 1);
	/* No limits offered: the queue is the limit. */
	assert_int_equal(shape((struct blk_device_limits){ .queue_size = 16 }, &s), 0);
	assert_int_equal(s.max_pages, 14);
}

/* seg_max honoured, and only when offered. */
static void test_shape_seg_max(void **state)
{
	(void)state;
	struct blk_shape s;

	assert_int_equal(shape((struct blk_device_limits){ .queue_size = 256, .has_seg_max = true,
							   .seg_max = 10 }, &s), 0);
	assert_int_equal(s.max_pages, 10);
	assert_int_equal(shape((struct blk_device_limits){ .queue_size = 256, .seg_max = 10 }, &s), 0);
	assert_int_equal(s.max_pages, BLK_MAX_PAGES);
	assert_int_equal(shape((struct blk_device_limits){ .queue_size = 256, .has_seg_max = true },
			       &s), -ENODEV);
}

/* size_max below a page: pages split into sector-multiple segments. */
static void test_shape_size_max(void **state)
{
	(void)state;
	struct blk_shape s;

	assert_int_equal(shape((struct blk_device_limits){ .queue_size = 256, .has_seg_max = true,
		.seg_max = 254, .has_size_max = true, .size_max = 1500 }, &s), 0);
	assert_int_equal(s.seg_bytes, 1024);
	assert_int_equal(s.segs_per_page, 4);
	assert_int_equal(s.max_pages, 254 / 4);
	assert_int_equal(shape((struct blk_device_limits){ .queue_size = 256, .has_size_max = true,
		.size_max = 1 << 20 }, &s), 0);
	assert_int_equal(s.seg_bytes, 4096);
	assert_int_equal(shape((struct blk_device_limits){ .queue_size = 256, .has_size_max = true,
		.size_max = 511 }, &s), -ENODEV);
	assert_int_equal(shape((struct blk_device_limits){ .queue_size = 2 }, &s), -ENODEV);
	assert_int_equal(shape((struct blk_device_limits){ .queue_size = 4, .has_size_max = true,
		.size_max = 1024 }, &s), -ENODEV);	/* 2 segments, a page needs 4 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_tag),
		cmocka_unit_test(test_npages),
		cmocka_unit_test(test_alignment),
		cmocka_unit_test(test_list_range),
		cmocka_unit_test(test_disk_end),
		cmocka_unit_test(test_write_and_notify),
		cmocka_unit_test(test_read_only),
		cmocka_unit_test(test_batch_count),
		cmocka_unit_test(test_submit_data),
		cmocka_unit_test(test_submit_one),
		cmocka_unit_test(test_shape_plain),
		cmocka_unit_test(test_shape_seg_max),
		cmocka_unit_test(test_shape_size_max),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
