/*
 * The DMA layout (blk_dma.h), fixed at build time: page 0 the descriptor
 * table, page 1 both rings and the status bytes, page 2 the headers; page 3
 * is spare. The asserts prove each piece fits its page at its alignment.
 */
#include <errno.h>

#include "blk_dma.h"
#include "blk_request.h"

#define DESC_PAGE 0
#define RING_PAGE 1
#define HDR_PAGE 2

#define DESC_OFF 0
#define AVAIL_OFF 0
#define USED_OFF 1024
#define STATUS_OFF 3584
#define HDR_OFF 0

_Static_assert(HDR_PAGE < BLK_DMA_PAGES, "the layout needs more DMA pages");
_Static_assert(DESC_OFF + VQ_DESC_BYTES(VQ_MAX_SIZE) <= BLK_PAGE_SIZE,
	       "descriptor table overflows its page");
_Static_assert(AVAIL_OFF + VQ_AVAIL_BYTES(VQ_MAX_SIZE) <= USED_OFF,
	       "available ring runs into the used ring");
_Static_assert(USED_OFF + VQ_USED_BYTES(VQ_MAX_SIZE) <= STATUS_OFF,
	       "used ring runs into the status bytes");
_Static_assert(STATUS_OFF + BLK_TAGS <= BLK_PAGE_SIZE,
	       "status bytes overflow their page");
_Static_assert(HDR_OFF + BLK_TAGS * sizeof(struct virtio_blk_hdr) <=
	       BLK_PAGE_SIZE, "request headers overflow their page");
_Static_assert(DESC_OFF % VQ_DESC_ALIGN == 0 && AVAIL_OFF % VQ_AVAIL_ALIGN == 0 &&
	       USED_OFF % VQ_USED_ALIGN == 0 && HDR_OFF % 16 == 0,
	       "a ring is misaligned");

static void *va_at(uintptr_t va, unsigned page, unsigned off)
{
	return (void *)(va + page * BLK_PAGE_SIZE + off);
}

int blk_dma_place(struct blk_dma *d, uintptr_t va,
		  const uint64_t pa[BLK_DMA_PAGES])
{
	for (unsigned i = 0; i < BLK_DMA_PAGES; i++)
		if (pa[i] % BLK_PAGE_SIZE != 0)
			return -EINVAL;
	d->desc = va_at(va, DESC_PAGE, DESC_OFF);
	d->desc_pa = pa[DESC_PAGE] + DESC_OFF;
	d->avail = va_at(va, RING_PAGE, AVAIL_OFF);
	d->avail_pa = pa[RING_PAGE] + AVAIL_OFF;
	d->used = va_at(va, RING_PAGE, USED_OFF);
	d->used_pa = pa[RING_PAGE] + USED_OFF;
	d->slots.status = va_at(va, RING_PAGE, STATUS_OFF);
	d->slots.status_pa = pa[RING_PAGE] + STATUS_OFF;
	d->slots.hdr = va_at(va, HDR_PAGE, HDR_OFF);
	d->slots.hdr_pa = pa[HDR_PAGE] + HDR_OFF;
	return 0;
}
