/*
 * The swap export's generation stamp (swap_stamp.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "blk_protocol.h"
#include "swap_stamp.h"
#include "swap_header.h"

#define MAGIC "netdgen1"		/* 8 bytes, then the count's 8 */

_Static_assert(SWAP_STAMP_OFF + SWAP_STAMP_LEN <= 1024, "inside the boot block");
_Static_assert(sizeof(MAGIC) - 1 + sizeof(uint64_t) == SWAP_STAMP_LEN, "magic and count");

static struct {
	uint8_t page[BLK_PAGE_SIZE];	/* page 0 stamped (or as read: not stamped) */
	uint8_t before[BLK_PAGE_SIZE];	/* page 0 as read at setup */
	bool stamped;			/* a stamp is to be, or is, on the export */
	bool pending;			/* written, not yet answered and flushed */
	bool unknown;			/* given up: it may or may not have landed */
	uint64_t lost_at_write;		/* lost_writes when its write was answered */
} st;

uint64_t swap_stamp_get(const uint8_t *page)
{
	const uint8_t *p = page + SWAP_STAMP_OFF;
	uint64_t gen = 0;

	if (memcmp(p, MAGIC, 8) != 0)
		return 0;
	for (int i = 7; i >= 0; i--)
		gen = gen << 8 | p[8 + i];
	return gen;
}

static void put(uint8_t *page, uint64_t gen)
{
	uint8_t *p = page + SWAP_STAMP_OFF;

	memcpy(p, MAGIC, 8);
	for (int i = 0; i < 8; i++)
		p[8 + i] = (uint8_t)(gen >> (8 * i));
}

int swap_stamp_begin(const uint8_t *page, bool writable, uint64_t capacity)
{
	struct swap_area area;
	bool takes = writable && swap_header_check(page, capacity, &area) == SWAP_HDR_OK;
	uint64_t gen = swap_stamp_get(page);

	memcpy(st.page, page, sizeof(st.page));
	memcpy(st.before, page, sizeof(st.before));
	st.stamped = takes && gen != UINT64_MAX;
	st.pending = st.stamped;
	st.unknown = false;
	if (takes && !st.stamped)
		return -EOVERFLOW;	/* no next generation: the link refuses the export */
	if (st.stamped)
		put(st.page, gen + 1);
	return st.stamped;
}

const uint8_t *swap_stamp_page(void)
{
	return st.page;
}

/* The stamp's write or flush failed: the export may hold the page as it
 * was or stamped (a write can land and its answer be lost), so either is
 * ours from now on; say what is then not found out. */
static int given_up(int error)
{
	st.pending = false;
	st.unknown = true;
	if (error != -ENXIO)	/* not the server gone for good: said already */
		printf("netd: swap: the swap header's generation could not be written (%d); a "
		       "server restored from an older copy of the export will not be found out\n",
		       error);
	return -1;
}

int swap_stamp_answered(enum nbd_cmd cmd, int error, bool can_flush, uint64_t lost_writes)
{
	if (!st.pending)
		return -1;
	if (error < 0)
		return given_up(error);
	if (cmd == NBD_CMD_WRITE) {
		st.lost_at_write = lost_writes;
		if (can_flush)
			return NBD_CMD_FLUSH;
	} else if (lost_writes != st.lost_at_write) {
		return NBD_CMD_WRITE;	/* the flush does not vouch for it */
	}
	st.pending = false;
	/* From here an older copy is found out: said, so that a test (and a
	 * reader of the console) knows from when. */
	printf("netd: swap: the swap header carries generation %llu\n",
	       (unsigned long long)swap_stamp_get(st.page));
	return -1;
}

bool swap_stamp_pending(void)
{
	return st.pending;
}

enum swap_stamp_verdict swap_stamp_check(const uint8_t *page, bool vouched)
{
	const uint32_t end = SWAP_STAMP_OFF + SWAP_STAMP_LEN;

	if (memcmp(st.page, page, SWAP_STAMP_OFF) != 0 ||
	    memcmp(st.page + end, page + end, sizeof(st.page) - end) != 0)
		return STAMP_OTHER_DISK;
	if (memcmp(st.page + SWAP_STAMP_OFF, page + SWAP_STAMP_OFF, SWAP_STAMP_LEN) == 0)
		return STAMP_SAME;
	if (!st.stamped)
		return STAMP_OTHER_DISK;	/* not ours to tell apart: the page differs */
	/* The write not yet answered (it goes again), or given up: it may not
	 * have landed. */
	if ((st.pending || st.unknown) &&
	    memcmp(st.before + SWAP_STAMP_OFF, page + SWAP_STAMP_OFF, SWAP_STAMP_LEN) == 0)
		return STAMP_SAME;
	/* What setup read may have been a server's cache (an earlier boot's
	 * stamp, never flushed), lost in a restart since: with nothing
	 * vouched for since setup, older than that is no loss, and is the
	 * page as it was from now on (the stamp may not land over it). */
	if (!vouched && swap_stamp_get(page) < swap_stamp_get(st.before)) {
		memcpy(st.before + SWAP_STAMP_OFF, page + SWAP_STAMP_OFF, SWAP_STAMP_LEN);
		return STAMP_SAME;
	}
	return STAMP_OLDER;
}
