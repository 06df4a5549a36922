/*
 * Checks a swap disk's first page before the pager writes anything: the disk
 * must carry the header Linux's mkswap writes (version 1, "SWAPSPACE2"), or
 * the pager refuses it and leaves it untouched. Plain C, no system calls:
 * the pager's swap engine checks a device with it, and netd an NBD export
 * before it stamps the header's boot block (drivers/netd/swap_stamp.c).
 */
#ifndef LIB_SWAP_HEADER_H
#define LIB_SWAP_HEADER_H

#include <stdint.h>

#define SWAP_PAGE 4096u			/* a slot; mkswap's default page size */
#define SWAP_SECTORS_PER_SLOT (SWAP_PAGE / 512u)
/* The most bad pages the header can list: from badpages[] (byte 1536) up to
 * the signature (byte 4086), 4 bytes each; Linux's MAX_SWAP_BADPAGES. */
#define SWAP_MAX_BADPAGES 637	/* a bare number: its message spells it (swap_header.c) */

/* The header's layout, little-endian (mkswap writes the host's byte order;
 * the pager accepts only little-endian, RISC-V's). Offsets in the page: */
enum swap_header_layout {
	SWAP_OFF_VERSION = 1024,	/* after the boot block: uint32_t version (1) */
	SWAP_OFF_LAST_PAGE = 1028,	/* uint32_t: index of the last usable page */
	SWAP_OFF_NR_BADPAGES = 1032,	/* uint32_t: entries in badpages[] */
	SWAP_OFF_UUID = 1036,		/* 16 bytes */
	SWAP_OFF_LABEL = 1052,		/* 16 bytes, NUL-padded */
	SWAP_OFF_BADPAGES = 1536,	/* uint32_t badpages[nr_badpages] */
	SWAP_OFF_MAGIC = 4086		/* "SWAPSPACE2", the page's last 10 bytes */
};

enum swap_header_error {
	SWAP_HDR_OK = 0,
	SWAP_HDR_SMALL_DEVICE = -1,	/* not even one page */
	SWAP_HDR_NO_SIGNATURE = -2,	/* not a swap disk at all */
	SWAP_HDR_OLD_SIGNATURE = -3,	/* "SWAP-SPACE": version 0, a bitmap */
	SWAP_HDR_BYTE_ORDER = -4,	/* version reads 1 only big-endian */
	SWAP_HDR_VERSION = -5,		/* version is not 1 */
	SWAP_HDR_EMPTY = -6,		/* last_page < 1: no page after the header */
	SWAP_HDR_TOO_BIG = -7,		/* last_page is beyond the device */
	SWAP_HDR_TOO_MANY_BAD = -8,	/* nr_badpages > SWAP_MAX_BADPAGES */
	SWAP_HDR_BAD_PAGE = -9,		/* a bad page is 0 or beyond last_page */
	SWAP_HDR_NO_USABLE = -10	/* every page is bad */
};

/* What a valid header says. Slots are page indices on the disk: slot s is
 * sectors s * 8 .. s * 8 + 7. */
struct swap_area {
	uint32_t first;			/* 1: page 0 is the header */
	uint32_t last;			/* last_page: first <= last < device pages */
	uint32_t usable;		/* pages in [first, last] not in bad[] */
	uint32_t nbad;			/* entries in bad[] */
	uint32_t bad[SWAP_MAX_BADPAGES]; /* sorted, distinct, each in [first, last] */
	uint8_t uuid[16];
	char label[17];			/* NUL-terminated */
	uint32_t error_value;		/* after an error: the offending number */
};

/*
 * Check the device's first SWAP_PAGE bytes; capacity is the device's size
 * in 512-byte sectors. SWAP_HDR_OK and *out filled, or a negative
 * enum swap_header_error (out->error_value then holds the value at fault:
 * the version, last_page, nr_badpages or bad page).
 */
int swap_header_check(const uint8_t *page, uint64_t capacity_sectors, struct swap_area *out);

/* One line for an error code, saying what the disk is and what to do. */
const char *swap_header_strerror(int err);

#endif
