/*
 * The record of dropped program pages: what reclaim knows of a page it
 * dropped because its program file fills it again (no slot keeps history
 * for it, as one does for a page written to swap). Keyed by the file's
 * page, it is how a fault that fills such a page again is told from a
 * first touch: Linux keeps a shadow entry in the file's page cache for it.
 */
#ifndef PAGER_RECLAIM_DROPPED_H
#define PAGER_RECLAIM_DROPPED_H

#include <stdint.h>

/* What was noted when a page was dropped. */
struct dropped_page {
	uint32_t shadow;	/* the policy's word for it (0: none) */
	uint64_t when;		/* the dropping's own clock then (victims.c) */
};

/* A table of about entries records (a power of two, at least 1): a new
 * record may push out an older one (the table is bounded by the RAM, as
 * the swap history is), so a page dropped long ago may come back as a
 * first touch. 0, or -1 out of memory (nothing is kept then). */
int dropped_init(uint32_t entries);
void dropped_fini(void);
/* Page key (never 0) was dropped: d is kept for it. */
void dropped_keep(uint64_t key, struct dropped_page d);
/* Page key is filled again: its record, if one is kept, into *d and
 * taken out (1), else 0. */
int dropped_take(uint64_t key, struct dropped_page *d);

#endif
