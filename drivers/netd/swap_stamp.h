/*
 * The swap export's generation stamp: 16 bytes at the end of the swap
 * header's boot block (bytes 1008..1023 of page 0, which mkswap leaves
 * zero and no swap header check reads: lib/swap_header.c starts at byte
 * 1024), "netdgen1" then a little-endian count. When swap is set up netd
 * writes the count it read plus one, and flushes it; every reconnection
 * must then find that stamp. A server restarted from a copy of the export
 * made before setup (nbdkit's cow filter, a memory plugin, a snapshot) has
 * page 0 otherwise the same, and has lost every write since. Counted, not
 * random: a run under -icount repeats its time; a count never repeats on
 * one export. Not found out: a copy made after setup (per-slot checksums
 * would be needed for that). Nor, until something is vouched for since
 * setup, a stamp older than setup read: that may have been an earlier
 * boot's, never flushed, in a server's cache lost since.
 *
 * The stamp's write goes out with the pager's first requests, not before
 * setup answers: a server that holds writes (nbdkit's delay filter) must
 * not hold the boot. Until it is answered and flushed, a reconnection may
 * find page 0 as it was before (the write is then sent again); once given
 * up (its write or flush failed), either page is the export's, as the
 * write may have landed with its answer lost. Meanwhile the link holds
 * the pager's flushes back (swap_link.c), so no page counts as written
 * while a copy from before setup would still pass.
 */
#ifndef NETD_SWAP_STAMP_H
#define NETD_SWAP_STAMP_H

#include <stdbool.h>
#include <stdint.h>

#include "nbd_proto.h"

#define SWAP_STAMP_OFF 1008u		/* the boot block's last 16 bytes */
#define SWAP_STAMP_LEN 16u

enum swap_stamp_verdict {
	STAMP_SAME = 0,		/* the export swap was set up on, its writes kept */
	STAMP_OTHER_DISK,	/* another header: another disk */
	STAMP_OLDER,		/* the same header, an older stamp: writes lost */
};

/* At setup, page 0 as read from an export of capacity sectors: 1 if it
 * is to be stamped (a swap header the pager takes, lib/swap_header.c's
 * own check, on a writable export); 0 for anything else, the pager's to
 * refuse, never written; -EOVERFLOW for such a header already at the
 * largest generation (a hand-made stamp): the next would wrap to 0, which
 * reads as no stamp, older than any, so the link refuses the export
 * instead (and says so), writing nothing to it. */
int swap_stamp_begin(const uint8_t *page, bool writable, uint64_t capacity);

/* Page 0 as it is to be once the stamp is written: what the stamp's write
 * sends and what reconnections compare with. */
const uint8_t *swap_stamp_page(void);

/* The stamp's write (or flush) was answered, error 0 or -errno;
 * lost_writes: the link's count of connections lost with writes answered
 * and not flushed. What to send next: NBD_CMD_WRITE (again: lost before
 * its flush), NBD_CMD_FLUSH, or -1 (done, or given up: said). */
int swap_stamp_answered(enum nbd_cmd cmd, int error, bool can_flush, uint64_t lost_writes);

/* The stamp is written and not yet answered and flushed: a reconnection
 * still takes page 0 as it was before setup. */
bool swap_stamp_pending(void);

/* After a reconnection, page 0 as read now; vouched: a write may count as
 * kept since setup (a flush answered, or an export without flush: its
 * writes count once answered). An older page taken while nothing is
 * vouched for is the page as it was before the stamp from then on. */
enum swap_stamp_verdict swap_stamp_check(const uint8_t *page, bool vouched);

/* A page's generation: 0 if it carries no stamp. */
uint64_t swap_stamp_get(const uint8_t *page);

#endif
