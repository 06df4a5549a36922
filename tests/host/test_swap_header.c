/*
 * Host tests for lib/swap_header.c: headers written by the real mkswap at
 * build time are accepted with the right slot range, label and UUID; copies
 * corrupted here are refused with the right error and nothing else.
 * Arguments: a 1 MiB image from scripts/mkswap-image, and a 300-page image
 * (plus 1000 bytes) from `mkswap -L pagerswap -U 0f1e2d3c-...-a5b4c3d2e1f0`
 * (tests/host/meson.build).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "swap_header.h"
#include "swap/slots.h"

static const char *plain_path, *label_path;

struct image {
	uint8_t page[SWAP_PAGE];
	uint64_t sectors;	/* the file's size in 512-byte sectors */
};

static void load(const char *path, struct image *img)
{
	FILE *f = fopen(path, "rb");
	long size;

	if (!f)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size >= (long)SWAP_PAGE);
	img->sectors = (uint64_t)size / 512;
	rewind(f);
	assert_int_equal(fread(img->page, 1, SWAP_PAGE, f), SWAP_PAGE);
	fclose(f);
}

static void put32(uint8_t *p, uint32_t v)	/* little-endian */
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void set_bad(struct image *img, const uint32_t *bad, uint32_t n)
{
	put32(img->page + SWAP_OFF_NR_BADPAGES, n);
	for (uint32_t i = 0; i < n; i++)
		put32(img->page + SWAP_OFF_BADPAGES + 4 * i, bad[i]);
}

/* Check a page and make sure the check left it as it was. */
static int check(const struct image *img, uint64_t sectors, struct swap_area *area)
{
	uint8_t before[SWAP_PAGE];
	int err;

	memcpy(before, img->page, SWAP_PAGE);
	err = swap_header_check(img->page, sectors, area);
	assert_memory_equal(before, img->page, SWAP_PAGE);
	return err;
}

static void test_mkswap_image(void **state)
{
	struct image img;
	struct swap_area area;

	(void)state;
	load(plain_path, &img);
	assert_int_equal(img.sectors, 2048);
	assert_memory_equal(img.page + SWAP_OFF_MAGIC, "SWAPSPACE2", 10);
	assert_int_equal(check(&img, img.sectors, &area), SWAP_HDR_OK);
	assert_int_equal(area.first, 1);
	assert_int_equal(area.last, 255);	/* 256 pages, page 0 the header */
	assert_int_equal(area.usable, 255);
	assert_int_equal(area.nbad, 0);
	assert_int_equal(area.error_value, 0);
}

static void test_mkswap_label_uuid(void **state)
{
	static const uint8_t uuid[16] = { 0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78,
					  0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0 };
	struct image img;
	struct swap_area area;

	(void)state;
	load(label_path, &img);
	assert_int_equal(img.sectors, (300 * SWAP_PAGE + 1000) / 512);
	assert_int_equal(check(&img, img.sectors, &area), SWAP_HDR_OK);
	assert_int_equal(area.last, 299);	/* the odd 1000 bytes are not a page */
	assert_int_equal(area.usable, 299);
	assert_string_equal(area.label, "pagerswap");
	assert_memory_equal(area.uuid, uuid, 16);
}

static void test_no_signature(void **state)
{
	struct image img;
	struct swap_area area;

	(void)state;
	memset(&img, 0, sizeof(img));
	assert_int_equal(check(&img, 2048, &area), SWAP_HDR_NO_SIGNATURE);
	/* A header whose signature alone is gone is not swap either. */
	load(plain_path, &img);
	memcpy(img.page + SWAP_OFF_MAGIC, "SWAPSPACE3", 10);
	assert_int_equal(check(&img, img.sectors, &area), SWAP_HDR_NO_SIGNATURE);
	/* Something else's data: an ext2-like page of bytes. */
	for (int i = 0; i < (int)SWAP_PAGE; i++)
		img.page[i] = (uint8_t)(i * 7 + 3);
	assert_int_equal(check(&img, img.sectors, &area), SWAP_HDR_NO_SIGNATURE);
	assert_non_null(strstr(swap_header_strerror(SWAP_HDR_NO_SIGNATURE), "not a swap disk"));
}

static void test_old_signature(void **state)
{
	struct image img;
	struct swap_area area;

	(void)state;
	load(plain_path, &img);
	memcpy(img.page + SWAP_OFF_MAGIC, "SWAP-SPACE", 10);
	assert_int_equal(check(&img, img.sectors, &area), SWAP_HDR_OLD_SIGNATURE);
}

static void test_version(void **state)
{
	struct image img;
	struct swap_area area;

	(void)state;
	load(plain_path, &img);
	put32(img.page + SWAP_OFF_VERSION, 2);
	assert_int_equal(check(&img, img.sectors, &area), SWAP_HDR_VERSION);
	assert_int_equal(area.error_value, 2);
	put32(img.page + SWAP_OFF_VERSION, 0);
	assert_int_equal(check(&img, img.sectors, &area), SWAP_HDR_VERSION);
}

/* What mkswap writes on a big-endian machine: every field byte-swapped. */
static void test_big_endian(void **state)
{
	struct image img;
	struct swap_area area;
	uint32_t last;

	(void)state;
	load(plain_path, &img);
	last = get32(img.page + SWAP_OFF_LAST_PAGE);
	put32(img.page + SWAP_OFF_VERSION, 0x01000000u);
	put32(img.page + SWAP_OFF_LAST_PAGE, __builtin_bswap32(last));
	assert_int_equal(check(&img, img.sectors, &area), SWAP_HDR_BYTE_ORDER);
	assert_non_null(strstr(swap_header_strerror(SWAP_HDR_BYTE_ORDER), "wrong byte order"));
}

static void test_last_page_limits(void **state)
{
	struct image img;
	struct swap_area area;

	(void)state;
	load(plain_path, &img);
	/* The device shrank: one page short of what the header says. */
	assert_int_equal(check(&img, 255 * 8, &area), SWAP_HDR_TOO_BIG);
	assert_int_equal(area.error_value, 255);
	/* A partial last page does not count. */
	assert_int_equal(check(&img, 256 * 8 - 1, &area), SWAP_HDR_TOO_BIG);
	assert_int_equal(check(&img, 256 * 8, &area), SWAP_HDR_OK);
	/* A larger device is fine: the header decides what is swap. */
	assert_int_equal(check(&img, 1 << 20, &area), SWAP_HDR_OK);
	assert_int_equal(area.last, 255);
	put32(img.page + SWAP_OFF_LAST_PAGE, 256);
	assert_int_equal(check(&img, img.sectors, &area), SWAP_HDR_TOO_BIG);
	put32(img.page + SWAP_OFF_LAST_PAGE, UINT32_MAX);
	assert_int_equal(check(&img, img.sectors, &area), SWAP_HDR_TOO_BIG);
	put32(img.page + SWAP_OFF_LAST_PAGE, 0);
	assert_int_equal(check(&img, img.sectors, &area), SWAP_HDR_EMPTY);
	put32(img.page + SWAP_OFF_LAST_PAGE, 1);	/* one usable page */
	assert_int_equal(check(&img, img.sectors, &area), SWAP_HDR_OK);
	assert_int_equal(area.usable, 1);
	assert_int_equal(check(&img, 7, &area), SWAP_HDR_SMALL_DEVICE);
}

/* Bad pages come out sorted and distinct, and the allocator never hands
 * them out. */
static void test_bad_pages_honoured(void **state)
{
	static const uint32_t bad[] = { 200, 5, 64, 5, 255, 1 };
	struct image img;
	struct swap_area area;
	struct swap_slots *s;
	uint32_t slot, n = 0;

	(void)state;
	load(plain_path, &img);
	set_bad(&img, bad, 6);
	assert_int_equal(check(&img, img.sectors, &area), SWAP_HDR_OK);
	assert_int_equal(area.nbad, 5);
	assert_int_equal(area.bad[0], 1);
	assert_int_equal(area.bad[1], 5);
	assert_int_equal(area.bad[2], 64);
	assert_int_equal(area.bad[3], 200);
	assert_int_equal(area.bad[4], 255);
	assert_int_equal(area.usable, 250);
	s = swap_slots_create(area.first, area.last, area.bad, area.nbad);
	assert_non_null(s);
	assert_int_equal(swap_slots_total(s), 250);
	while ((slot = swap_slot_alloc(s)) != 0) {
		for (uint32_t i = 0; i < area.nbad; i++)
			assert_int_not_equal(slot, area.bad[i]);
		n++;
	}
	assert_int_equal(n, 250);
	swap_slots_destroy(s);
}

static void test_bad_page_errors(void **state)
{
	struct image img;
	struct swap_area area;
	uint32_t bad[SWAP_MAX_BADPAGES + 1];

	(void)state;
	load(plain_path, &img);
	set_bad(&img, (const uint32_t[]){ 3, 0 }, 2);	/* page 0 is the header */
	assert_int_equal(check(&img, img.sectors, &area), SWAP_HDR_BAD_PAGE);
	assert_int_equal(area.error_value, 0);
	set_bad(&img, (const uint32_t[]){ 256 }, 1);	/* beyond last_page */
	assert_int_equal(check(&img, img.sectors, &area), SWAP_HDR_BAD_PAGE);
	assert_int_equal(area.error_value, 256);
	/* 637 entries fit before the signature; 638 cannot be a real header. */
	put32(img.page + SWAP_OFF_LAST_PAGE, 1000);
	for (uint32_t i = 0; i <= SWAP_MAX_BADPAGES; i++)
		bad[i] = 1 + i;
	set_bad(&img, bad, SWAP_MAX_BADPAGES);
	assert_memory_equal(img.page + SWAP_OFF_MAGIC, "SWAPSPACE2", 10);	/* intact */
	assert_int_equal(check(&img, 1001 * 8, &area), SWAP_HDR_OK);
	assert_int_equal(area.usable, 1000 - SWAP_MAX_BADPAGES);
	put32(img.page + SWAP_OFF_NR_BADPAGES, SWAP_MAX_BADPAGES + 1);
	assert_int_equal(check(&img, 1001 * 8, &area), SWAP_HDR_TOO_MANY_BAD);
	assert_int_equal(area.error_value, SWAP_MAX_BADPAGES + 1);
	/* Every page bad. */
	put32(img.page + SWAP_OFF_LAST_PAGE, 3);
	set_bad(&img, (const uint32_t[]){ 3, 1, 2 }, 3);
	assert_int_equal(check(&img, img.sectors, &area), SWAP_HDR_NO_USABLE);
}

static void test_strerror(void **state)
{
	(void)state;
	for (int e = SWAP_HDR_OK; e >= SWAP_HDR_NO_USABLE; e--) {
		const char *m = swap_header_strerror(e);

		assert_non_null(m);
		assert_true(strlen(m) > 10);
		for (int f = SWAP_HDR_OK; f > e; f--)
			assert_string_not_equal(m, swap_header_strerror(f));
	}
	assert_string_equal(swap_header_strerror(SWAP_HDR_NO_USABLE - 1),
			    "unknown swap header error");
	assert_string_equal(swap_header_strerror(1), "unknown swap header error");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mkswap_image),
		cmocka_unit_test(test_mkswap_label_uuid),
		cmocka_unit_test(test_no_signature),
		cmocka_unit_test(test_old_signature),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_big_endian),
		cmocka_unit_test(test_last_page_limits),
		cmocka_unit_test(test_bad_pages_honoured),
		cmocka_unit_test(test_bad_page_errors),
		cmocka_unit_test(test_strerror),
	};

	if (argc != 3) {
		fprintf(stderr, "usage: %s MKSWAP_IMAGE_1MIB LABELLED_IMAGE\n", argv[0]);
		return 2;
	}
	plain_path = argv[1];
	label_path = argv[2];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
