/*
 * The swap header check: the same rules as Linux's swapon (mm/swapfile.c,
 * read_swap_header) over the layout util-linux's mkswap writes, except that
 * a big-endian header is refused instead of byte-swapped.
 */
#include <stddef.h>
#include <string.h>
#include "number_text.h"
#include "swap_header.h"

_Static_assert(SWAP_OFF_BADPAGES + 4 * SWAP_MAX_BADPAGES <= SWAP_OFF_MAGIC,
	       "the bad-page list ends before the signature");
_Static_assert(SWAP_OFF_BADPAGES + 4 * (SWAP_MAX_BADPAGES + 1) > SWAP_OFF_MAGIC,
	       "and one more entry would not fit");

/* Read byte by byte: the page buffer need not be aligned, and the result
 * does not depend on the host's byte order (the tests run on x86). */
static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[0] << 24;
}

static int check_signature(const uint8_t *page)
{
	if (memcmp(page + SWAP_OFF_MAGIC, "SWAPSPACE2", 10) == 0)
		return SWAP_HDR_OK;
	if (memcmp(page + SWAP_OFF_MAGIC, "SWAP-SPACE", 10) == 0)
		return SWAP_HDR_OLD_SIGNATURE;
	return SWAP_HDR_NO_SIGNATURE;
}

static int check_version(const uint8_t *page, struct swap_area *out)
{
	uint32_t v = le32(page + SWAP_OFF_VERSION);

	out->error_value = v;
	if (v == 1)
		return SWAP_HDR_OK;
	/* mkswap on a big-endian machine: Linux would swap the bytes, but a
	 * disk moved between machines is more likely a mistake than a plan. */
	if (be32(page + SWAP_OFF_VERSION) == 1)
		return SWAP_HDR_BYTE_ORDER;
	return SWAP_HDR_VERSION;
}

static int check_size(const uint8_t *page, uint64_t capacity_sectors, struct swap_area *out)
{
	uint32_t last = le32(page + SWAP_OFF_LAST_PAGE);

	out->error_value = last;
	if (last < 1)
		return SWAP_HDR_EMPTY;
	/* Linux refuses an area "shorter than signature indicates" too: the
	 * slots past the end of the disk would fail only when first used. */
	if ((uint64_t)last >= capacity_sectors / SWAP_SECTORS_PER_SLOT)
		return SWAP_HDR_TOO_BIG;
	out->first = 1;
	out->last = last;
	return SWAP_HDR_OK;
}

/* Insert b into the sorted list unless it is there already (mkswap -c
 * never lists a page twice, but a hand-made header might). */
static void insert_bad(struct swap_area *out, uint32_t b)
{
	uint32_t i = out->nbad;

	while (i > 0 && out->bad[i - 1] > b)
		i--;
	if (i > 0 && out->bad[i - 1] == b)
		return;
	memmove(&out->bad[i + 1], &out->bad[i], (out->nbad - i) * sizeof(out->bad[0]));
	out->bad[i] = b;
	out->nbad++;
}

static int read_bad_pages(const uint8_t *page, struct swap_area *out)
{
	uint32_t n = le32(page + SWAP_OFF_NR_BADPAGES);

	out->error_value = n;
	if (n > SWAP_MAX_BADPAGES)
		return SWAP_HDR_TOO_MANY_BAD;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t b = le32(page + SWAP_OFF_BADPAGES + 4 * i);

		out->error_value = b;
		if (b < out->first || b > out->last)
			return SWAP_HDR_BAD_PAGE;
		insert_bad(out, b);
	}
	out->usable = out->last - out->first + 1 - out->nbad;
	return out->usable ? SWAP_HDR_OK : SWAP_HDR_NO_USABLE;
}

int swap_header_check(const uint8_t *page, uint64_t capacity_sectors, struct swap_area *out)
{
	int err;

	memset(out, 0, sizeof(*out));
	if (capacity_sectors < SWAP_SECTORS_PER_SLOT)
		return SWAP_HDR_SMALL_DEVICE;
	if ((err = check_signature(page)) < 0 || (err = check_version(page, out)) < 0 ||
	    (err = check_size(page, capacity_sectors, out)) < 0 ||
	    (err = read_bad_pages(page, out)) < 0)
		return err;
	out->error_value = 0;
	memcpy(out->uuid, page + SWAP_OFF_UUID, sizeof(out->uuid));
	memcpy(out->label, page + SWAP_OFF_LABEL, sizeof(out->label) - 1);
	return SWAP_HDR_OK;
}

const char *swap_header_strerror(int err)
{
	static const char *const msg[] = {
		[-SWAP_HDR_OK] = "a valid swap header",
		[-SWAP_HDR_SMALL_DEVICE] = "the disk is smaller than one page",
		[-SWAP_HDR_NO_SIGNATURE] = "no swap signature (SWAPSPACE2 at byte 4086): not a "
					   "swap disk; make one with scripts/mkswap-image",
		[-SWAP_HDR_OLD_SIGNATURE] = "old swap signature SWAP-SPACE (version 0) is not "
					    "supported; run mkswap on it again",
		[-SWAP_HDR_BYTE_ORDER] = "wrong byte order: the swap header is big-endian",
		[-SWAP_HDR_VERSION] = "unsupported swap header version (only 1 is known)",
		[-SWAP_HDR_EMPTY] = "the swap header's last_page is 0: no page to swap to",
		[-SWAP_HDR_TOO_BIG] = "the swap header's last_page is beyond the end of the disk",
		[-SWAP_HDR_TOO_MANY_BAD] = "the swap header lists more than "
					   NUMBER_TEXT(SWAP_MAX_BADPAGES) " bad pages",
		[-SWAP_HDR_BAD_PAGE] = "the swap header lists a bad page outside 1..last_page",
		[-SWAP_HDR_NO_USABLE] = "every page of the swap area is bad",
	};

	if (err > 0 || (size_t)-err >= sizeof(msg) / sizeof(msg[0]))
		return "unknown swap header error";
	return msg[-err];
}
