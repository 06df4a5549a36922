/*
 * Host tests for the pager's pages of objects (pager/base/slab.c): objects
 * fill a page before another is taken, freed ones are handed out again
 * first, and pages whose objects are all free go back to the source at
 * slab_trim, all but one a cache, however the frees came. The source here
 * is the host's memory (host_pages.h), its pages counted; it fails when
 * told to.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/slab.h"
#include "host_pages.h"

#define PG 4096

struct record {			/* a region record's size */
	uint8_t b[176];
};
struct chunk {			/* a page-array chunk's: three to a page */
	uint8_t b[1040];
};

/* Each test has caches of its own (RECORDS, CHUNKS): what an earlier
 * test's keep (an empty page each) is theirs, apart. */
#define RECORDS(name) static struct slab_cache name = SLAB_CACHE(struct record)
#define CHUNKS(name) static struct slab_cache name = SLAB_CACHE(struct chunk)

static int setup(void **state)
{
	(void)state;
	host_pages_source();
	host_pages_refuse = 0;
	return 0;
}

/* Whether o lies within a page of the source, past its record, aligned. */
static void assert_placed(const void *o, size_t size)
{
	uintptr_t off = (uintptr_t)o % PG;

	assert_true(off >= 16 && off + size <= PG);
	assert_int_equal((uintptr_t)o % 16, 0);
}

/* 23 records fill a page (176 bytes each after the page's own record);
 * the 24th takes a second. Each comes zeroed and apart from the others,
 * though the page came dirty (host_pages.h): slab_alloc zeroes each
 * object, and nothing else zeroes the page (its last 16 bytes, past the
 * 23rd object, keep the dirt). */
static void test_objects_fill_a_page(void **state)
{
	RECORDS(records);
	uint8_t *o[24];

	(void)state;
	for (int k = 0; k < 23; k++) {
		o[k] = slab_alloc(&records);
		assert_non_null(o[k]);
		assert_placed(o[k], 176);
		for (int b = 0; b < 176; b++)
			assert_int_equal(o[k][b], 0);
		memset(o[k], 0xEE, 176);
	}
	assert_int_equal(records.pages, 1);
	for (uintptr_t at = (uintptr_t)o[22] + 176; at % PG; at++)
		assert_int_equal(*(uint8_t *)at, HOST_PAGES_DIRT);
	o[23] = slab_alloc(&records);
	assert_int_equal(records.pages, 2);
	for (int k = 0; k < 24; k++)
		slab_free(&records, o[k]);
	assert_int_equal(records.nempty, 2);
}

/* A freed object is handed out again, zeroed, before any new page is
 * taken. */
static void test_freed_object_reused_zeroed(void **state)
{
	CHUNKS(chunks);
	uint8_t *a, *b, *c;

	(void)state;
	a = slab_alloc(&chunks);
	b = slab_alloc(&chunks);
	memset(b, 0x55, sizeof(struct chunk));
	slab_free(&chunks, b);
	c = slab_alloc(&chunks);
	assert_ptr_equal(c, b);
	for (size_t k = 0; k < sizeof(struct chunk); k++)
		assert_int_equal(c[k], 0);
	assert_int_equal(chunks.pages, 1);
	slab_free(&chunks, a);
	slab_free(&chunks, c);
}

/* Frees alone give no page back (they may come where a frame cannot be
 * freed); slab_trim gives back every empty page but one a cache. Before,
 * what the pager freed stayed its own for good (malloc's free list). */
static void test_trim_gives_back_empty_pages(void **state)
{
	RECORDS(records);
	enum { N = 10 * 23 };
	void *o[N];
	long out;

	(void)state;
	slab_trim();
	out = host_pages_out;
	for (int k = 0; k < N; k++)
		assert_non_null(o[k] = slab_alloc(&records));
	assert_int_equal(host_pages_out, out + 10);
	for (int k = 0; k < N; k++)
		slab_free(&records, o[k]);
	assert_int_equal(host_pages_out, out + 10);
	assert_int_equal(records.nempty, 10);
	assert_int_equal(slab_trim(), 9);
	assert_int_equal(host_pages_out, out + 1);
	assert_int_equal(records.pages, 1);
	assert_int_equal(slab_trim(), 0);	/* the one kept stays */
}

/* An object that lives on keeps its own page and no other: the pages
 * around it go back, whatever the order of the frees. */
static void test_live_object_keeps_its_page(void **state)
{
	RECORDS(records);
	enum { N = 5 * 23 };
	void *o[N], *live, *more;

	(void)state;
	for (int k = 0; k < N; k++)
		assert_non_null(o[k] = slab_alloc(&records));
	live = o[2 * 23 + 7];	/* in the third page */
	for (int k = N - 1; k >= 0; k -= 2)
		if (o[k] != live)
			slab_free(&records, o[k]);
	for (int k = N - 2; k >= 0; k -= 2)
		if (o[k] != live)
			slab_free(&records, o[k]);
	assert_int_equal(slab_trim(), 3);
	assert_int_equal(records.pages, 2);	/* live's, and one kept empty */
	assert_int_equal(records.nempty, 1);
	/* The kept page stays empty while live's has room. */
	more = slab_alloc(&records);
	assert_true((uintptr_t)more / PG == (uintptr_t)live / PG);
	assert_int_equal(records.nempty, 1);
	slab_free(&records, more);
	slab_free(&records, live);
	assert_int_equal(slab_trim(), 1);
	assert_int_equal(records.pages, 1);
}

/* With no page to be had the allocation fails and changes nothing; it
 * succeeds once one can. A full page's free puts it back in use. */
static void test_no_page_no_object(void **state)
{
	CHUNKS(chunks);
	void *o[3], *more, *last;

	(void)state;
	for (int k = 0; k < 3; k++)
		assert_non_null(o[k] = slab_alloc(&chunks));
	host_pages_refuse = 1;
	assert_null(slab_alloc(&chunks));
	assert_int_equal(chunks.pages, 1);
	slab_free(&chunks, o[1]);
	more = slab_alloc(&chunks);	/* the full page has room again */
	assert_ptr_equal(more, o[1]);
	host_pages_refuse = 0;
	assert_non_null(last = slab_alloc(&chunks));
	assert_int_equal(chunks.pages, 2);
	slab_free(&chunks, o[0]);
	slab_free(&chunks, o[2]);
	slab_free(&chunks, more);
	slab_free(&chunks, last);
	assert_int_equal(slab_trim(), 1);
}

/* Every cache is trimmed, each keeping its one. */
static void test_trim_every_cache(void **state)
{
	RECORDS(records);
	CHUNKS(chunks);
	void *r[24], *c[4];

	(void)state;
	for (int k = 0; k < 24; k++)
		r[k] = slab_alloc(&records);
	for (int k = 0; k < 4; k++)
		c[k] = slab_alloc(&chunks);
	for (int k = 0; k < 24; k++)
		slab_free(&records, r[k]);
	for (int k = 0; k < 4; k++)
		slab_free(&chunks, c[k]);
	assert_int_equal(slab_trim(), 2);
	assert_int_equal(records.pages, 1);
	assert_int_equal(chunks.pages, 1);
}

/* What an object costs of its page: a chunk of 1,040 bytes a third of
 * one (three fit, not four), a record 4096 / 23. */
static void test_object_bytes(void **state)
{
	RECORDS(records);
	CHUNKS(chunks);

	(void)state;
	assert_int_equal(slab_object_bytes(&chunks), PG / 3);
	assert_int_equal(slab_object_bytes(&records), PG / 23);
}

#define TEST(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_objects_fill_a_page),
		TEST(test_freed_object_reused_zeroed),
		TEST(test_trim_gives_back_empty_pages),
		TEST(test_live_object_keeps_its_page),
		TEST(test_no_page_no_object),
		TEST(test_trim_every_cache),
		TEST(test_object_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
