/*
 * Host tests for drivers/blk_dma.c: with pages scattered in physical memory,
 * every ring and slot array lies within one page, aligned, overlapping no
 * other, and our address and the device's name the same byte.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "blk_dma.h"
#include "blk_request.h"

#define VA 0x101000000UL

static const uint64_t scattered[BLK_DMA_PAGES] = { 0x87654000, 0x80001000,
						   0x8abcd000, 0x80000000 };

struct piece {
	uintptr_t va;
	uint64_t pa;
	size_t bytes;
	unsigned align;
};

/* The page of VA's window the address falls in. */
static unsigned page_of(uintptr_t va)
{
	return (unsigned)((va - VA) / BLK_PAGE_SIZE);
}

static void check_piece(const struct piece *p)
{
	unsigned page = page_of(p->va);
	uint64_t off = (p->va - VA) % BLK_PAGE_SIZE;

	assert_true(page < BLK_DMA_PAGES);
	assert_true(off + p->bytes <= BLK_PAGE_SIZE);	/* within one page */
	assert_int_equal(p->pa, scattered[page] + off);	/* same byte */
	assert_int_equal(p->pa % p->align, 0);
}

static void test_layout(void **state)
{
	(void)state;
	struct blk_dma d;

	assert_int_equal(blk_dma_place(&d, VA, scattered), 0);
	struct piece p[] = {
		{ (uintptr_t)d.desc, d.desc_pa, VQ_DESC_BYTES(VQ_MAX_SIZE), VQ_DESC_ALIGN },
		{ (uintptr_t)d.avail, d.avail_pa, VQ_AVAIL_BYTES(VQ_MAX_SIZE), VQ_AVAIL_ALIGN },
		{ (uintptr_t)d.used, d.used_pa, VQ_USED_BYTES(VQ_MAX_SIZE), VQ_USED_ALIGN },
		{ (uintptr_t)d.slots.hdr, d.slots.hdr_pa,
		  BLK_TAGS * sizeof(struct virtio_blk_hdr), 16 },
		{ (uintptr_t)d.slots.status, d.slots.status_pa, BLK_TAGS, 1 },
	};
	unsigned n = sizeof(p) / sizeof(p[0]);

	for (unsigned i = 0; i < n; i++) {
		check_piece(&p[i]);
		for (unsigned j = 0; j < i; j++)
			assert_true(p[i].va + p[i].bytes <= p[j].va ||
				    p[j].va + p[j].bytes <= p[i].va);
	}
}

static void test_misaligned_page(void **state)
{
	(void)state;
	uint64_t pa[BLK_DMA_PAGES] = { 0x80000000, 0x80001000, 0x80002800,
				       0x80003000 };
	struct blk_dma d;

	assert_int_equal(blk_dma_place(&d, VA, pa), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_misaligned_page),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
